//! `uhub completion bash|zsh|fish`.

use clap::CommandFactory;
use clap_complete::{Shell as Target, generate};

use crate::cli::{Cli, Shell};
use crate::exit::Status;

pub fn run(shell: Shell) -> anyhow::Result<Status> {
    let target = match shell {
        Shell::Bash => Target::Bash,
        Shell::Zsh => Target::Zsh,
        Shell::Fish => Target::Fish,
    };
    let mut script = Vec::new();
    generate(target, &mut Cli::command(), "uhub", &mut script);
    crate::terminal::output::emit(&String::from_utf8_lossy(&script))?;
    Ok(Status::Ok)
}
