//! What the CLI does with the SDK's tracing: prints it with `--debug`, and picks out the request
//! id of each successful call for the deletion report.
//!
//! A successful call returns its decoded response without the service's request id, but the
//! SDK's tracing carries it (the `request_id` field of its per-attempt events). [`capture`] runs
//! one call and returns the last request id the SDK reported inside it, whatever tasks run
//! beside it. When the SDK exposes request ids on responses, the capture can go.

use std::fmt;
use std::future::Future;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{Targets, filter_fn};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

tokio::task_local! {
    static SLOT: Arc<Mutex<Option<String>>>;
}

/// Installs the process's tracing: request-id capture always, the SDK's events on stderr with
/// `debug`. The SDK never puts secrets in its events, so nothing needs redacting here.
pub fn init(debug: bool) {
    let capture = RequestIds
        .with_filter(filter_fn(|meta| meta.target().starts_with("uhub_sdk") && *meta.level() <= Level::DEBUG));
    let printed = debug.then(|| {
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_ansi(std::io::stderr().is_terminal())
            .with_filter(Targets::new().with_target("uhub_sdk", Level::DEBUG).with_target("uhub", Level::DEBUG))
    });
    let _ = tracing_subscriber::registry().with(capture).with(printed).try_init();
}

/// Runs `call` and returns its output with the request id of its last attempt, if the service
/// sent one.
pub async fn capture<F: Future>(call: F) -> (F::Output, Option<String>) {
    let slot = Arc::new(Mutex::new(None));
    let output = SLOT.scope(slot.clone(), call).await;
    let id = slot.lock().map(|mut s| s.take()).unwrap_or_default();
    (output, id)
}

struct RequestIds;

impl<S: Subscriber> Layer<S> for RequestIds {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let _ = SLOT.try_with(|slot| {
            let mut found = Found(None);
            event.record(&mut found);
            if let (Some(id), Ok(mut slot)) = (found.0, slot.lock()) {
                *slot = Some(id);
            }
        });
    }
}

struct Found(Option<String>);

impl Visit for Found {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "request_id" {
            self.0 = Some(value.to_owned());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "request_id" {
            self.0 = Some(format!("{value:?}").trim_matches('"').to_owned());
        }
    }
}
