//! How a server decides each reply: a function of the request, with the common cases ready.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use crate::{Received, Reply};

/// Decides the reply to each request. Called once per request, as soon as it has been read,
/// on the server's runtime: keep it quick and put waiting in [`Reply::delayed`].
///
/// Anything that converts into a handler can start a server: a `Vec` or array of replies is a
/// [script](Handler::script), one reply is [fixed](Handler::fixed).
#[derive(Clone)]
pub struct Handler(Decide);

/// Scripts and fixed replies are kept as data: they need no parsed request and no copy of a
/// reply, which keeps the server as cheap per request as a benchmark's baseline needs.
#[derive(Clone)]
enum Decide {
    Fixed(Reply),
    Script(Vec<Reply>),
    Function(Arc<dyn Fn(&Received) -> Reply + Send + Sync>),
}

impl Handler {
    /// Replies with whatever `decide` makes of the request.
    pub fn new(decide: impl Fn(&Received) -> Reply + Send + Sync + 'static) -> Self {
        Handler(Decide::Function(Arc::new(decide)))
    }

    /// Replies in order of arrival: the first request gets `replies[0]`, the second
    /// `replies[1]`, and once the script runs out the last reply repeats.
    ///
    /// # Panics
    ///
    /// If `replies` is empty.
    pub fn script(replies: Vec<Reply>) -> Self {
        assert!(!replies.is_empty(), "a script needs at least one reply");
        Handler(Decide::Script(replies))
    }

    /// The same reply to every request.
    pub fn fixed(reply: Reply) -> Self {
        Handler(Decide::Fixed(reply))
    }

    /// Whether [`Handler::reply`] needs the parsed request.
    pub(crate) fn reads_requests(&self) -> bool {
        matches!(self.0, Decide::Function(_))
    }

    /// The reply to the request that arrived `index`th; `request` is needed only when
    /// [`Handler::reads_requests`].
    pub(crate) fn reply(&self, index: usize, request: Option<&Received>) -> Cow<'_, Reply> {
        match &self.0 {
            Decide::Fixed(reply) => Cow::Borrowed(reply),
            Decide::Script(replies) => Cow::Borrowed(&replies[index.min(replies.len() - 1)]),
            Decide::Function(decide) => Cow::Owned(decide(request.expect("a handler function gets the request"))),
        }
    }
}

impl fmt::Debug for Handler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match &self.0 {
            Decide::Fixed(_) => "Handler::fixed",
            Decide::Script(_) => "Handler::script",
            Decide::Function(_) => "Handler::new",
        })
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
