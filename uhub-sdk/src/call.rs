//! A call ready to send: a typed request, the client core to send it with, and per-call
//! options. Generated code wraps it in its own `Call`, which adds one setter per parameter.

use std::time::Duration;

use crate::action::Action;
use crate::client::ClientCore;
use crate::encode::Form;
use crate::error::Error;
use crate::execute::{self, CallOptions};
use crate::retry::RetryPolicy;

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

    /// Sends the call and decodes the response.
    pub async fn send(self) -> Result<R::Response, Error> {
        let CallCore { core, request, options } = self;
        request.check().map_err(|m| Error::invalid_request(R::NAME, m))?;
        let mut form = Form::new();
        request.encode(&mut form);
        if let Some(problem) = form.problem() {
            return Err(Error::invalid_request(R::NAME, problem));
        }
        let mut out = None;
        execute::execute(&core, R::NAME, R::IDEMPOTENT, form, &options, &mut |reply| {
            out = Some(crate::decode::response::<R::Response>(R::NAME, &reply.body, reply.request_id.as_deref())?);
            Ok(())
        })
        .await?;
        Ok(out.expect("execute succeeds only after decode stored a response"))
    }
}
