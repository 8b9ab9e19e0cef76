//! The registry side of UHub: what goes through the registry itself (the OCI Distribution
//! protocol) rather than UHub's management API.
//!
//! [`Registry`] is one host and its [`Credentials`]; over it, [`Registry::image_facts`] reads
//! a tag's digest, platforms and size, and [`copy_image`] mirrors one image (every platform
//! or some, blobs the destination lacks, each digest verified, the tag last).
//!
//! The protocol is oci-client's; this crate adds what it lacks: bounded manifest reads, blob
//! copies that stream and verify without buffering, retries, and platform filtering.

mod accessories;
mod auth;
mod blob;
mod copy;
mod credentials;
mod error;
mod facts;
mod inflight;
#[doc(hidden)]
pub mod link;
pub mod manifest;
pub mod names;
mod outcome;
mod pace;
#[doc(hidden)]
pub mod paths;
mod progress;
pub mod redact;
mod reference;
mod registry;
mod retry;
pub mod tags;

pub use accessories::{
    Accessory, AccessoryKind, AccessoryReport, FoundAccessories, MAX_ACCESSORIES, MAX_REFERRER_PAGES, digest_tag,
    is_accessory_tag,
};
pub use copy::{CopyOptions, CopyReport, copy_image};
pub use credentials::{Credentials, Secret};
pub use error::Error;
pub use facts::ImageFacts;
pub use inflight::Ledger;
pub use manifest::Platform;
pub use manifest::RawManifest;
pub use names::InvalidName;
pub use outcome::Outcome;
pub use pace::{MAX_WAIT, MAX_WAITS, Waits};
pub use progress::{Progress, Silent};
pub use reference::ImageRef;
pub use registry::{MAX_MANIFEST_BYTES, ManifestHead, Registry, is_loopback};
pub use retry::RetryPolicy;
pub use tags::{MAX_TAGS, TagList};
