//! What a copy reports while it runs: the bytes it plans to move, then each piece moved.
//! The engine knows nothing of terminals; the CLI turns this into a bar.

/// Told of a copy's bytes as they move. Called from several tasks at once.
pub trait Progress: Send + Sync {
    /// `bytes` more are to be copied (blobs the destination lacks).
    fn planned(&self, _bytes: u64) {}
    /// `bytes` more were copied.
    fn copied(&self, _bytes: u64) {}
}

/// No progress shown.
pub struct Silent;

impl Progress for Silent {}
