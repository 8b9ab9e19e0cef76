//! One module per command; [`run`] dispatches and applies `--timeout`.

mod api;
mod completion;
mod config;
mod digest;
mod image;
mod mirror;
mod prune;
mod repo;
mod report;
mod tag;
mod wait;

use std::time::Duration;

use crate::cli::{Cli, Command, ConfigCommand, Global};
use crate::context::Ctx;
use crate::exit::{self, Status};
use crate::interrupt::{self, Reason};

pub use config::Provenance;

/// Runs the command; the status is 0 or one of the documented others.
///
/// SIGINT, SIGTERM and `--timeout` end a command at once, except while it deletes: then the
/// deletion run stops starting deletions, waits for those in flight (bounded) and reports, and
/// this waits for it, within a bound of its own.
pub async fn run(cli: Cli, provenance: Provenance) -> anyhow::Result<Status> {
    let global = cli.global;
    interrupt::listen();
    // `wait` turns its deadline into its own answer; other commands are stopped by it.
    if let Some(limit) = global.limit().filter(|_| !matches!(cli.command, Command::Wait(_))) {
        tokio::spawn(async move {
            tokio::time::sleep(limit).await;
            interrupt::stop(Reason::TimedOut);
        });
    }
    let timeout = global.limit();
    let stopped = move |reason: Reason| match (reason, timeout) {
        (Reason::TimedOut, Some(limit)) => exit::timed_out(format!(
            "gave up after --timeout {}; what finished before stays done, so running the same command again \
             continues the job",
            crate::time::format_duration(limit)
        )),
        _ => reason.error("what finished before stays done"),
    };
    let work = execute(&global, cli.command, &provenance);
    tokio::pin!(work);
    tokio::select! {
        result = &mut work => result,
        reason = interrupt::stopped() => {
            if !interrupt::deleting() {
                return Err(stopped(reason));
            }
            // The deletion run reports and returns its own status; a little more than its grace.
            match tokio::time::timeout(interrupt::GRACE * 2, work).await {
                Ok(result) => result,
                Err(_) => Err(stopped(reason)),
            }
        }
    }
}

async fn execute(global: &Global, command: Command, provenance: &Provenance) -> anyhow::Result<Status> {
    let ctx = || Ctx::connect(global);
    match command {
        Command::Completion(args) => completion::run(args.shell),
        Command::Config(ConfigCommand::Show) => config::show(global, provenance).await,
        // With `--timeout 0` (no limit) wait waits until the tag appears.
        Command::Wait(args) => wait::run(&ctx().await?, args, global.limit().unwrap_or(Duration::MAX)).await,
        Command::Repo(c) => repo::run(&ctx().await?, c).await,
        Command::Image(c) => image::run(&ctx().await?, c).await,
        Command::Tag(c) => tag::run(&ctx().await?, c).await,
        Command::Prune(args) => prune::run(&ctx().await?, args).await,
        Command::Digest(args) => digest::run(&ctx().await?, args).await,
        Command::Report(args) => report::run(&ctx().await?, args).await,
        Command::Api(args) => api::run(&ctx().await?, args).await,
        // The API is needed only to create a missing UHub repository: mirror connects itself.
        Command::Mirror(args) => mirror::run(global, args).await,
    }
}
