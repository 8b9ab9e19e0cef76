//! Sending a request of any action the spec describes, parsed by the SDK's generated parser.
//!
//! The one place that names the actions: when the SDK gains a generated `AnyRequest::send`, it
//! replaces [`send`] and an action added to the spec needs no code here at all.

use serde::Serialize;
use serde_json::Value;
use uhub_sdk::action::Action;
use uhub_sdk::encode::Form;
use uhub_sdk::{AnyRequest, Call, Client};

/// Runs `$body` with `$r` bound to the typed request inside `$request`, whatever its action.
macro_rules! with_request {
    ($request:expr, $r:ident => $body:expr) => {
        match $request {
            AnyRequest::GetRepo($r) => $body,
            AnyRequest::GetRepoImage($r) => $body,
            AnyRequest::GetImageTag($r) => $body,
            AnyRequest::CreateRepo($r) => $body,
            AnyRequest::UpdateRepo($r) => $body,
            AnyRequest::DeleteRepo($r) => $body,
            AnyRequest::DeleteRepoImage($r) => $body,
            other => return Err(unsupported(other.action())),
        }
    };
}

/// Sends the request through the SDK (signing, retries) and returns the decoded answer as JSON.
pub async fn send(client: &Client, request: AnyRequest) -> anyhow::Result<Value> {
    with_request!(request, r => typed(client, r).await)
}

/// The wire names of the parameters the request carries, as it would be sent.
pub fn sent_names(request: &AnyRequest) -> anyhow::Result<Vec<String>> {
    with_request!(request, r => Ok(names(r)))
}

async fn typed<R: Action>(client: &Client, request: R) -> anyhow::Result<Value>
where
    R::Response: Serialize,
{
    let response = Call::new(client.clone(), request).send().await?;
    Ok(serde_json::to_value(response)?)
}

fn names<R: Action>(request: &R) -> Vec<String> {
    let mut form = Form::new();
    request.encode(&mut form);
    form.fields().iter().map(|(name, _)| name.clone()).collect()
}

fn unsupported(action: &str) -> anyhow::Error {
    anyhow::anyhow!("{action} is in the spec but this build of uhub cannot send it yet; update uhub")
}
