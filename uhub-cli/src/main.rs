//! `uhub`: a command-line tool for UHub, the container image registry of UCloud, SurferCloud
//! and GenesisAI, built on `uhub-sdk`. See `uhub --help` and this crate's README.

mod cli;
mod commands;
mod context;
mod exit;
mod input;
mod interrupt;
mod listing;
mod mirror;
mod registry;
mod retention;
mod tag;
mod terminal;
mod time;

use std::process::ExitCode;
use std::time::Duration;

use clap::{CommandFactory, FromArgMatches};

use crate::cli::Cli;
use crate::commands::Provenance;
use crate::exit::Status;

fn main() -> ExitCode {
    let matches = match Cli::command().try_get_matches() {
        Ok(matches) => matches,
        Err(e) => return usage(e),
    };
    let provenance =
        Provenance { concurrency: matches.value_source("concurrency"), registry: matches.value_source("registry") };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => return usage(e),
    };
    terminal::trace::init(cli.global.debug);
    ignore_file_size_signal();
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

/// A write past the file-size limit (`ulimit -f`) then fails with `EFBIG` instead of killing
/// the process: an audit log that cannot grow is an error the command reports (and stops
/// deleting for), not a death that leaves a deletion without its record.
#[cfg(unix)]
fn ignore_file_size_signal() {
    // SAFETY: setting a signal's disposition to "ignore" at start-up, before any thread of
    // ours runs; no handler code is installed.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

#[cfg(not(unix))]
fn ignore_file_size_signal() {}

/// clap's answer: help and version as clap prints them (status 0); a usage error in our own
/// form, `uhub: error: ...` on its first line, then clap's tip and usage (status 2).
fn usage(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind::{DisplayHelp, DisplayHelpOnMissingArgumentOrSubcommand, DisplayVersion};
    if matches!(e.kind(), DisplayHelp | DisplayVersion | DisplayHelpOnMissingArgumentOrSubcommand) {
        e.exit();
    }
    eprint!("{}", clap_message(&e.render().to_string()));
    ExitCode::from(Status::Usage as u8)
}

/// clap's rendered error with its `error: ` replaced by ours; each line escaped (a value the
/// user typed may hold control characters, and clap quotes it).
fn clap_message(rendered: &str) -> String {
    let body = rendered.strip_prefix("error: ").unwrap_or(rendered);
    let mut text = String::from("uhub: error: ");
    for line in body.trim_end().lines() {
        text.push_str(&terminal::sanitize::escape(line));
        text.push('\n');
    }
    text
}

/// Prints the error as one line on stderr, escaped, and returns its status.
fn fail(error: &anyhow::Error) -> ExitCode {
    let mut line = terminal::sanitize::escape(&format!("{error:#}").replace('\n', " ")).into_owned();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_errors_read_like_ours() {
        let e = Cli::command().try_get_matches_from(["uhub", "repo", "lst"]).unwrap_err();
        let text = clap_message(&e.render().to_string());
        assert!(text.starts_with("uhub: error: unrecognized subcommand 'lst'\n"), "{text}");
        assert!(text.contains("Usage: uhub repo"), "{text}");
        // clap drops escape sequences itself; a right-to-left override or a CR it keeps.
        let hostile = Cli::command().try_get_matches_from(["uhub", "repo", "x\u{202e}y\rz"]).unwrap_err();
        let text = clap_message(&hostile.render().to_string());
        assert!(
            text.contains("x\\u{202e}y\\rz") && crate::terminal::sanitize::is_clean(&text.replace('\n', "")),
            "{text:?}"
        );
    }
}
