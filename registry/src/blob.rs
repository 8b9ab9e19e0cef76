//! Blobs between registries: streamed from the source into one PUT on the destination,
//! hashed on the way, so memory stays at a few network reads whatever the blob's size and a
//! blob whose bytes are not its digest is never committed.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use oci_client::errors::OciDistributionError;
use sha2::{Digest as _, Sha256};

use crate::{Error, Progress, Registry};

/// Why a stream's bytes were not the blob: set by [`Verified`] when they were not.
type Mismatch = Arc<Mutex<Option<String>>>;

/// The source's bytes, checked against the descriptor's size and digest as they pass: more
/// bytes than the size end the stream at once, and a wrong digest ends it with an error
/// instead of its end, so the PUT carrying it fails.
struct Verified {
    inner: BoxStream<'static, Result<Bytes, std::io::Error>>,
    hasher: Sha256,
    seen: u64,
    size: u64,
    expected: String,
    mismatch: Mismatch,
    progress: Arc<dyn Progress>,
    done: bool,
}

impl Verified {
    /// `inner` checked against `expected` and `size`; a mismatch is written to `mismatch`.
    fn new(
        inner: BoxStream<'static, Result<Bytes, std::io::Error>>,
        expected: &str,
        size: u64,
        mismatch: &Mismatch,
        progress: Arc<dyn Progress>,
    ) -> Verified {
        Verified {
            inner,
            hasher: Sha256::new(),
            seen: 0,
            size,
            expected: expected.to_owned(),
            mismatch: mismatch.clone(),
            progress,
            done: false,
        }
    }

    fn fail(&mut self, why: String) -> Poll<Option<Result<Bytes, OciDistributionError>>> {
        self.done = true;
        *self.mismatch.lock().expect("mismatch") = Some(why.clone());
        Poll::Ready(Some(Err(OciDistributionError::IoError(std::io::Error::other(why)))))
    }

    fn actual(&self) -> String {
        format!("sha256:{}", hex::encode(self.hasher.clone().finalize()))
    }
}

impl Stream for Verified {
    type Item = Result<Bytes, OciDistributionError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        match self.inner.poll_next_unpin(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Ok(bytes))) => {
                self.seen += bytes.len() as u64;
                if self.seen > self.size {
                    let size = self.size;
                    return self.fail(format!("more than the {size} bytes its descriptor gives"));
                }
                self.hasher.update(&bytes);
                // The last piece is held back until the digest is right: an HTTP body of the
                // announced length is complete once its bytes are sent, and its end is
                // never asked for.
                if self.seen == self.size && self.actual() != self.expected {
                    let actual = self.actual();
                    return self.fail(actual);
                }
                self.progress.copied(bytes.len() as u64);
                Poll::Ready(Some(Ok(bytes)))
            }
            Poll::Ready(Some(Err(e))) => {
                // oci-client's own check ends a whole body with a wrong digest this way; a
                // body cut short is a transfer failure, tried again.
                if self.seen == self.size && self.actual() != self.expected {
                    let actual = self.actual();
                    return self.fail(actual);
                }
                self.done = true;
                Poll::Ready(Some(Err(OciDistributionError::IoError(e))))
            }
            Poll::Ready(None) => {
                let actual = self.actual();
                if self.seen != self.size {
                    let (seen, size) = (self.seen, self.size);
                    return self.fail(format!("{actual} ({seen} bytes, not {size})"));
                }
                if actual != self.expected {
                    return self.fail(actual);
                }
                self.done = true;
                Poll::Ready(None)
            }
        }
    }
}

/// Copies one blob from `src` to `dst`, trying again after transient failures (each attempt
/// a new upload, so a half-sent one is never committed).
pub(crate) async fn copy(
    src: &Registry,
    src_repository: &str,
    dst: &Registry,
    dst_repository: &str,
    digest: &str,
    size: u64,
    progress: Arc<dyn Progress>,
) -> Result<(), Error> {
    dst.retry()
        .run(|| async {
            // The destination's pause is waited out before the source is opened: a source
            // stream left idle through it could time out.
            dst.ready("PUT blob", &dst.target(dst_repository, digest)).await?;
            let stream = src.blob_stream(src_repository, digest).await?;
            let mismatch: Mismatch = Arc::default();
            let body = Verified::new(stream.stream, digest, size, &mismatch, progress.clone());
            let pushed = dst.push_blob_stream(dst_repository, digest, size, body).await;
            match (pushed, mismatch.lock().expect("mismatch").take()) {
                (_, Some(actual)) => Err(Error::DigestMismatch {
                    what: "blob",
                    target: format!("{}/{src_repository}@{digest}", src.host()),
                    expected: digest.to_owned(),
                    actual,
                }),
                (result, None) => result,
            }
        })
        .await
}

/// A small blob (an image config) read whole, within `size` bytes and verified.
pub(crate) async fn read_small(
    registry: &Registry,
    repository: &str,
    digest: &str,
    size: u64,
) -> Result<Vec<u8>, Error> {
    registry
        .retry()
        .run(|| async {
            let stream = registry.blob_stream(repository, digest).await?;
            let mismatch: Mismatch = Arc::default();
            let mut body = Verified::new(stream.stream, digest, size, &mismatch, Arc::new(crate::Silent));
            let mut bytes = Vec::new();
            let mut failed = None;
            while let Some(item) = body.next().await {
                match item {
                    Ok(chunk) => bytes.extend_from_slice(&chunk),
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                }
            }
            let target = format!("{}/{repository}@{digest}", registry.host());
            if let Some(actual) = mismatch.lock().expect("mismatch").take() {
                return Err(Error::DigestMismatch { what: "blob", target, expected: digest.to_owned(), actual });
            }
            match failed {
                Some(e) => Err(Error::from_oci("GET blob", &target, registry.host(), e)),
                None => Ok(bytes),
            }
        })
        .await
}
