//! A call ready to send: a typed request, the client to send it with, and per-call options.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use crate::action::Action;
use crate::client::{CallOptions, Client};
use crate::encode::Form;
use crate::error::Error;
use crate::retry::RetryPolicy;

/// One call of action `R`, made by a client method such as [`Client::get_image_tag`].
///
/// Set optional parameters with the chained setters, then `.send().await` (or just `.await`).
#[derive(Clone, Debug)]
#[must_use = "a call does nothing until it is sent or awaited"]
pub struct Call<R: Action> {
    client: Client,
    request: R,
    options: CallOptions,
}

impl<R: Action> Call<R> {
    pub fn new(client: Client, request: R) -> Self {
        Call { client, request, options: CallOptions::default() }
    }

    /// The typed request as it stands.
    pub fn request(&self) -> &R {
        &self.request
    }

    pub(crate) fn request_mut(&mut self) -> &mut R {
        &mut self.request
    }

    /// The same call with another request (a different page of a listing, say).
    pub(crate) fn with_request(&self, request: R) -> Self {
        Call { client: self.client.clone(), request, options: self.options.clone() }
    }

    /// Act in this project instead of the client's default.
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        *self.request.project_id_mut() = Some(project_id.into());
        self
    }

    /// Retry this call by `policy` instead of the client's.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.options.retry = Some(policy);
        self
    }

    /// Allow this call at most `timeout` in all, retries included.
    pub fn call_timeout(mut self, timeout: Duration) -> Self {
        self.options.call_timeout = Some(timeout);
        self
    }

    /// Sends the call and decodes the response.
    pub async fn send(self) -> Result<R::Response, Error> {
        let Call { client, mut request, options } = self;
        request.check().map_err(|m| Error::invalid_request(R::NAME, m))?;
        let project_id = request.project_id_mut().clone().or_else(|| client.inner.project_id.clone());
        let mut form = Form::new();
        request.encode(&mut form);
        if let Some(problem) = form.problem() {
            return Err(Error::invalid_request(R::NAME, problem));
        }
        let mut out = None;
        client
            .execute(R::NAME, R::IDEMPOTENT, form, project_id.as_deref(), &options, &mut |reply| {
                out = Some(crate::decode::response::<R::Response>(R::NAME, &reply.body, reply.request_id.as_deref())?);
                Ok(())
            })
            .await?;
        Ok(out.expect("execute succeeds only after decode stored a response"))
    }
}

impl<R: Action> IntoFuture for Call<R> {
    type Output = Result<R::Response, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
