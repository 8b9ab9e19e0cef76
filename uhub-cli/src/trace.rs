//! What the CLI does with the SDK's tracing: prints it on stderr with `--debug`.

use std::io::IsTerminal;

use tracing::Level;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::{Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

/// Installs the process's tracing: with `debug`, the SDK's events on stderr. The SDK never puts
/// secrets in its events, so nothing needs redacting here.
pub fn init(debug: bool) {
    if !debug {
        return;
    }
    let printed = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_filter(Targets::new().with_target("uhub_sdk", Level::DEBUG).with_target("uhub", Level::DEBUG));
    let _ = tracing_subscriber::registry().with(printed).try_init();
}
