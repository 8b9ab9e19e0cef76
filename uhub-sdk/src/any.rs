//! Sending an action chosen at run time (the generated `AnyRequest::send`, behind `uhub api`):
//! one non-generic path for every action. Per action there is only [`prepare`], which encodes
//! the request and names the function that decodes its response; the attempts, retries and
//! signing are the same code for all, instead of one async state machine per action compiled
//! into the SDK whether a program sends that action or not.

use serde_json::Value;

use crate::action::Action;
use crate::client::ClientCore;
use crate::decode::ListLimits;
use crate::encode::Form;
use crate::error::Error;
use crate::execute::{self, CallOptions};

/// Decodes the body of one action's answer (with its request id, under the caps on its lists)
/// into the JSON its typed response serializes to.
type Decoder = fn(&[u8], Option<&str>, ListLimits) -> Result<Value, Error>;

/// A request of some action, ready for [`send`].
pub struct Prepared {
    action: &'static str,
    idempotent: bool,
    form: Result<Form, Error>,
    decode: Decoder,
}

/// `request` encoded (after the checks that refuse it before sending, as a typed call makes
/// them), with the decoder of its response.
pub fn prepare<R: Action>(request: &R) -> Prepared
where
    R::Response: serde::Serialize,
{
    Prepared {
        action: R::NAME,
        idempotent: R::IDEMPOTENT,
        form: crate::call::form_of(request),
        decode: |body, request_id, limits| {
            let response = crate::decode::response_within::<R::Response>(R::NAME, body, request_id, limits)?;
            Ok(serde_json::to_value(response).expect("typed responses serialize to JSON"))
        },
    }
}

/// Sends a prepared request with the client's defaults and returns the response as JSON, in
/// the form its typed response serializes to.
pub async fn send(core: &ClientCore, prepared: Prepared) -> Result<Value, Error> {
    let Prepared { action, idempotent, form, decode } = prepared;
    let form = form?;
    // The same caps on the answer's lists as a typed call of the action has.
    let limits = crate::call::list_limits(&form, core);
    let mut out = None;
    execute::execute(core, action, idempotent, form, &CallOptions::default(), &mut |reply| {
        out = Some(decode(&reply.body, reply.request_id.as_deref(), limits)?);
        Ok(())
    })
    .await?;
    Ok(out.expect("execute succeeds only after decode stored a response"))
}
