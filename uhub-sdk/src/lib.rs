//! A typed, async client for UHub, the container image registry of UCloud (and of SurferCloud
//! and GenesisAI, which run the same API).
//!
//! ```no_run
//! # async fn run() -> Result<(), uhub_sdk::Error> {
//! use uhub_sdk::{Client, Endpoint};
//!
//! let client = Client::builder()
//!     .keys("my-public-key", "my-private-key")
//!     .endpoint(Endpoint::UCloud)
//!     .project_id("org-abc123")
//!     .build()?;
//!
//! let tags = client.get_image_tag("my-repo", "nginx").limit(50).await?;
//! for tag in &tags.tag_set {
//!     println!("{} {}", tag.tag_name, tag.update_time);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Required parameters are arguments of the client methods; optional ones are chained
//! setters on the returned [`Call`], and per-call options (`with_retry_policy`,
//! `with_call_timeout`) are methods of their own. Everything under [`generated`] is produced
//! from `spec/uhub.json` by `cargo xtask codegen`; the rest is the hand-written runtime, of
//! which [`runtime`] is the part generated code and fakes of the service are written against.

// Generated code names the runtime as `::uhub_sdk::runtime`, in this crate as in any other.
extern crate self as uhub_sdk;

mod action;
mod any;
mod builder;
mod call;
mod client;
pub mod config;
mod credentials;
mod decode;
mod encode;
mod error;
mod execute;
mod form;
// Formatted by prettyplease when generated; rustfmt must leave it byte-for-byte alone.
#[rustfmt::skip]
pub mod generated;
mod json;
pub mod paginate;
mod retry;
pub mod runtime;
mod serialize;
mod service;
mod sign;
mod signed;
mod table;
pub mod time;
mod transport;
mod url;

pub use builder::DEFAULT_MAX_RESPONSE_BYTES;
pub use config::{Config, ConfigSource};
pub use credentials::Credentials;
pub use decode::DEFAULT_MAX_LIST_ITEMS;
pub use error::{Error, ErrorKind, TransportKind};
pub use generated::*;
/// The date-time crate of [`Time::timestamp`], re-exported so callers use the same version.
pub use jiff;
pub use paginate::Paginator;
pub use retry::{DEFAULT_MAX_RETRY_AFTER, RetryPolicy};
pub use signed::SignedRequest;
pub use time::Time;
pub use transport::REQUEST_ID_HEADER;
