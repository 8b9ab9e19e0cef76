//! A fake UHub for tests: the same API as the real service on a loopback port, checking
//! signatures, keeping repositories, images and tags in memory per project, and misbehaving
//! on demand.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use uhub_mock::{Fault, FaultRule, MockUHub};
//!
//! let mock = MockUHub::builder().seed_demo().start().await?;
//! let client = mock.client_builder().build()?;
//!
//! let tags = client.get_image_tag("web", "nginx").limit(5).await?;
//! assert_eq!(tags.total_count, 320);
//!
//! // The next two GetImageTag calls are throttled; the SDK retries through them.
//! mock.inject(FaultRule::new(Fault::RetCode(153)).action("GetImageTag").times(2));
//! client.get_image_tag("web", "nginx").await?;
//! assert_eq!(mock.requests("GetImageTag"), 4);
//! # Ok(())
//! # }
//! ```
//!
//! Requests are parsed by the SDK's generated [`uhub_sdk::AnyRequest`], so the mock reads
//! exactly what the spec describes. An action in the spec that the mock does not handle
//! answers `RetCode` 161 saying so. Every `RetCode` the mock uses is in [`Code`].
//!
//! It stays bounded whatever its clients send: the request log within [`LOG_CAPACITY`]
//! records and [`LOG_MAX_BYTES`], counters only for the spec's actions (plus one for the
//! rest), and connections within the timeouts and the cap set on [`MockBuilder`].

mod codes;
mod connection;
mod counts;
mod demo;
mod drift;
mod faults;
mod handlers;
mod limits;
mod mock;
mod request_log;
mod server;
mod service;
mod state;
mod store;

pub use codes::{Code, Reject};
pub use faults::{AppliedChange, Change, Fault, FaultRule};
pub use limits::{
    DEFAULT_BODY_READ_DEADLINE, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS,
};
pub use mock::{DEFAULT_PROJECT, DEMO_PRIVATE_KEY, DEMO_PUBLIC_KEY, MockBuilder, MockHandle, MockService, MockUHub};
pub use request_log::{LOG_CAPACITY, LOG_MAX_BYTES, LOG_MAX_FIELDS, LOG_VALUE_MAX_BYTES, RequestRecord};
pub use store::{
    HISTORY_CAPACITY, Image, MAX_DESCRIPTION_BYTES, MAX_IMAGES_PER_REPO, MAX_PROJECT_ID_BYTES, MAX_PROJECTS,
    MAX_REPOS_PER_PROJECT, MAX_TAGS_PER_IMAGE, RemovedTag, Repo, UNREADABLE_TIME,
};
