//! A call ready to send: a typed request, the client core to send it with, and per-call
//! options. Generated code wraps it in its own `Call`, which adds one setter per parameter.

use std::future::Future;
use std::time::Duration;

use futures::FutureExt as _;

use crate::action::Action;
use crate::client::ClientCore;
use crate::decode::ListLimits;
use crate::encode::Form;
use crate::error::Error;
use crate::execute::{self, CallOptions};
use crate::retry::RetryPolicy;
use crate::signed::SignedRequest;

/// One call of action `R`, with its options; see the generated `Call` for the user's view.
#[derive(Clone, Debug)]
pub struct CallCore<R: Action> {
    core: ClientCore,
    request: R,
    options: CallOptions,
}

impl<R: Action> CallCore<R> {
    pub fn new(core: ClientCore, request: R) -> Self {
        CallCore { core, request, options: CallOptions::default() }
    }

    /// The typed request as it stands.
    pub fn request(&self) -> &R {
        &self.request
    }

    /// The request, for setters.
    pub fn request_mut(&mut self) -> &mut R {
        &mut self.request
    }

    /// The same call with another request (a different page of a listing, say).
    pub(crate) fn with_request(&self, request: R) -> Self {
        CallCore { core: self.core.clone(), request, options: self.options.clone() }
    }

    /// Retry this call by `policy` instead of the client's.
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.options.retry = Some(policy);
        self
    }

    /// Allow this call at most `timeout` in all, retries included.
    pub fn with_call_timeout(mut self, timeout: Duration) -> Self {
        self.options.call_timeout = Some(timeout);
        self
    }

    /// The request's own form, after the checks that refuse a call before sending.
    fn form(&self) -> Result<Form, Error> {
        form_of(&self.request)
    }

    /// The exact request [`Self::send`] would make now (signed, with the client's defaults),
    /// without sending it.
    pub fn signed_request(&self) -> Result<SignedRequest, Error> {
        let form = execute::signed_form(&self.core, R::NAME, self.form()?);
        let transport = &self.core.inner.transport;
        Ok(SignedRequest {
            url: transport.base_url.clone(),
            headers: transport.headers(crate::transport::now_ms()),
            fields: form.fields().to_vec(),
        })
    }

    /// Sends the call and decodes the response.
    pub fn send(self) -> impl Future<Output = Result<R::Response, Error>> + Send {
        self.send_hashed(false).map(|sent| sent.map(|(response, _)| response))
    }

    /// Sends the call; the decoded response, and a fingerprint of its body by which a paginator
    /// tells a page the server repeats.
    pub(crate) fn send_fingerprinted(self) -> impl Future<Output = Result<(R::Response, u64), Error>> + Send {
        self.send_hashed(true)
    }

    /// Sends the call, hashing the body only when asked: a plain call does not pay for it.
    ///
    /// The request is encoded before the future is made, and the future holds only the form,
    /// the client and the options: each layer of a call's future is copied as it is built,
    /// so what it carries is paid for on every call.
    fn send_hashed(self, hash: bool) -> impl Future<Output = Result<(R::Response, u64), Error>> + Send {
        let form = self.form();
        let CallCore { core, options, .. } = self;
        async move {
            let form = form?;
            let limits = list_limits(&form, &core);
            let mut out = None;
            execute::execute(&core, R::NAME, R::IDEMPOTENT, form, &options, &mut |reply| {
                let response = crate::decode::response_within::<R::Response>(
                    R::NAME,
                    &reply.body,
                    reply.request_id.as_deref(),
                    limits,
                )?;
                out = Some((response, if hash { fingerprint(&reply.body) } else { 0 }));
                Ok(())
            })
            .await?;
            Ok(out.expect("execute succeeds only after decode stored a response"))
        }
    }
}

/// A request's own form, after the checks that refuse a call before sending.
pub(crate) fn form_of<R: Action>(request: &R) -> Result<Form, Error> {
    request.check().map_err(|m| Error::invalid_request(R::NAME, m))?;
    let mut form = Form::new();
    request.encode(&mut form);
    match form.problem() {
        Some(problem) => Err(Error::invalid_request(R::NAME, problem)),
        None => Ok(form),
    }
}

/// What the lists of the answer to `form` may hold: no more than the request's Limit asked
/// for at the top, and the client's cap in all.
pub(crate) fn list_limits(form: &Form, core: &ClientCore) -> ListLimits {
    let limit = form.fields().iter().find(|(name, _)| name == LIMIT).and_then(|(_, v)| v.parse().ok());
    ListLimits::new(limit, core.inner.max_list_items)
}

/// The wire name of the parameter that caps how many items a listing's page holds.
const LIMIT: &str = "Limit";

/// A hash of a body; equal bodies have equal fingerprints (the same process, the same keys).
fn fingerprint(body: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut h);
    h.finish()
}
