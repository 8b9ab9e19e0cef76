//! `uhub`: a command-line tool for UHub, the container image registry of UCloud, SurferCloud
//! and GenesisAI, built on `uhub-sdk`. See `uhub --help` and this crate's README.

mod audit;
mod cli;
mod commands;
mod confirm;
mod context;
mod delete;
mod exit;
mod interrupt;
mod listing;
mod output;
mod plan_file;
mod policy;
mod progress;
mod refs;
mod registry;
mod rules;
mod tag;
mod time;
mod trace;
mod version;

use std::process::ExitCode;
use std::time::Duration;

use clap::{CommandFactory, FromArgMatches};

use crate::cli::Cli;
use crate::commands::Provenance;
use crate::exit::Status;

fn main() -> ExitCode {
    let matches = Cli::command().get_matches(); // usage errors exit 2, --help and --version 0
    let provenance =
        Provenance { concurrency: matches.value_source("concurrency"), registry: matches.value_source("registry") };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    trace::init(cli.global.debug);
    // One thread: the work is waiting on the network, and a second thread would only add
    // hand-offs (the demo's in-process service shares it too).
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => return fail(&anyhow::Error::new(e).context("cannot start the async runtime")),
    };
    let result = runtime.block_on(commands::run(cli, provenance));
    // A prompt's blocked read of stdin must not hold the process open.
    runtime.shutdown_timeout(Duration::from_millis(100));
    match result {
        Ok(status) => status.into(),
        Err(e) => fail(&e),
    }
}

/// Prints the error as one line on stderr and returns its status.
fn fail(error: &anyhow::Error) -> ExitCode {
    let mut line = format!("{error:#}").replace(['\n', '\r'], " ");
    let config_problem = error
        .chain()
        .filter_map(|e| e.downcast_ref::<uhub_sdk::Error>())
        .any(|e| matches!(e.kind(), uhub_sdk::ErrorKind::Config { .. }));
    if config_problem {
        line.push_str(" (see `uhub config show`; `uhub --demo ...` works with no account)");
    }
    eprintln!("uhub: error: {line}");
    let status: Status = exit::status_of(error);
    status.into()
}
