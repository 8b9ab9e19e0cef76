//! One module per command; [`run`] dispatches and applies `--timeout`.

mod api;
mod completion;
mod config;
mod digest;
mod image;
mod prune;
mod repo;
mod report;
mod tag;
mod wait;

use std::time::Duration;

use crate::cli::{Cli, Command, ConfigCommand, Global};
use crate::context::Ctx;
use crate::exit::{self, Status};

pub use config::Provenance;

/// Runs the command; the status is 0 or one of the documented others.
pub async fn run(cli: Cli, provenance: Provenance) -> anyhow::Result<Status> {
    let global = cli.global;
    // `wait` turns its deadline into its own answer; other commands are cut off by it.
    let limit = global.limit().filter(|_| !matches!(cli.command, Command::Wait(_)));
    let work = execute(&global, cli.command, &provenance);
    match limit {
        None => work.await,
        Some(limit) => tokio::time::timeout(limit, work).await.unwrap_or_else(|_| {
            Err(exit::timed_out(format!(
                "gave up after --timeout {}; what finished before stays done, so running the same command \
                 again continues the job",
                crate::time::format_duration(limit)
            )))
        }),
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
    }
}
