//! Asking before destroying: on a terminal a prompt; elsewhere `--yes` or nothing happens.

use std::io::{self, BufRead, IsTerminal, Write};

use crate::{exit, sanitize};

/// How many items a prompt lists before summarising the rest.
const SHOWN: usize = 20;

/// Goes ahead when `yes`, or when a person at the terminal answers `y` to `question` after
/// seeing `items`. Without a terminal (a pipe, CI) and without `--yes`, refuses with a usage
/// error that says what to type.
pub fn confirm(yes: bool, question: &str, items: &[String]) -> anyhow::Result<()> {
    if yes {
        return Ok(());
    }
    if !(io::stdin().is_terminal() && io::stderr().is_terminal()) {
        return Err(exit::usage(format!(
            "refusing to {question} without confirmation: there is no terminal to ask on; \
             check the plan, then run the same command with --yes"
        )));
    }
    let mut err = io::stderr().lock();
    for item in items.iter().take(SHOWN) {
        writeln!(err, "  {}", sanitize::escape(item))?;
    }
    if items.len() > SHOWN {
        writeln!(err, "  ... and {} more", items.len() - SHOWN)?;
    }
    write!(err, "{}? [y/N] ", sanitize::escape(&capitalised(question)))?;
    err.flush()?;
    drop(err);
    let mut answer = String::new();
    io::stdin().lock().read_line(&mut answer)?;
    match answer.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Ok(()),
        _ => anyhow::bail!("not confirmed; nothing was changed"),
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
