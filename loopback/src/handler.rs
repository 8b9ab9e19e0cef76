//! How a server decides each reply: a function of the request, with the common cases ready.

use std::fmt;
use std::sync::Arc;

use crate::{Received, Reply};

/// Decides the reply to each request. Called once per request, as soon as it has been read,
/// on the server's runtime: keep it quick and put waiting in [`Reply::delayed`].
///
/// Anything that converts into a handler can start a server: a `Vec` or array of replies is a
/// [script](Handler::script), one reply is [fixed](Handler::fixed).
#[derive(Clone)]
pub struct Handler(Arc<dyn Fn(&Received) -> Reply + Send + Sync>);

impl Handler {
    /// Replies with whatever `decide` makes of the request.
    pub fn new(decide: impl Fn(&Received) -> Reply + Send + Sync + 'static) -> Self {
        Handler(Arc::new(decide))
    }

    /// Replies in order of arrival: the first request gets `replies[0]`, the second
    /// `replies[1]`, and once the script runs out the last reply repeats.
    ///
    /// # Panics
    ///
    /// If `replies` is empty.
    pub fn script(replies: Vec<Reply>) -> Self {
        assert!(!replies.is_empty(), "a script needs at least one reply");
        Handler::new(move |request| replies[request.index.min(replies.len() - 1)].clone())
    }

    /// The same reply to every request.
    pub fn fixed(reply: Reply) -> Self {
        Handler::new(move |_| reply.clone())
    }

    pub(crate) fn reply(&self, request: &Received) -> Reply {
        (self.0)(request)
    }
}

impl fmt::Debug for Handler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Handler")
    }
}

impl From<Vec<Reply>> for Handler {
    fn from(replies: Vec<Reply>) -> Self {
        Handler::script(replies)
    }
}

impl<const N: usize> From<[Reply; N]> for Handler {
    fn from(replies: [Reply; N]) -> Self {
        Handler::script(replies.into())
    }
}

impl From<Reply> for Handler {
    fn from(reply: Reply) -> Self {
        Handler::fixed(reply)
    }
}
