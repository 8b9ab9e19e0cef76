//! What became of an image or an accessory, one word for reports.

use serde::Serialize;

/// What became of an image (or an accessory).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Copied,
    /// The destination's digest already was the source's: nothing was read or sent.
    Unchanged,
    /// A dry run: this much would be copied.
    WouldCopy,
}
