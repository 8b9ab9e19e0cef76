//! The wire tests' loopback server: uhub-loopback under the names these tests use, plus
//! reading a received body as the form UHub reads.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

pub use uhub_loopback::{Received, Server};

/// A scripted answer (the wire tests' name for a loopback reply).
pub use uhub_loopback::Reply as Canned;

/// A received body read as a UHub form.
pub trait Form {
    /// The fields as a fake service would read them.
    fn fields(&self) -> uhub_sdk::runtime::Fields;

    /// Every form pair in order, duplicates kept.
    fn pairs(&self) -> Vec<(String, String)>;
}

impl Form for Received {
    fn fields(&self) -> uhub_sdk::runtime::Fields {
        uhub_sdk::runtime::Fields::parse(&self.body)
    }

    fn pairs(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(&self.body).into_owned().collect()
    }
}
