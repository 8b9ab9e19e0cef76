//! Sending one call: fill in defaults, sign, then attempt, decode and retry as the policy
//! allows, within the call's deadline, inside one tracing span.
//!
//! Not generic, so each action adds only its thin typed wrapper to the binary.

use std::time::{Duration, Instant};

use tracing::Instrument;

use crate::client::ClientCore;
use crate::encode::Form;
use crate::error::Error;
use crate::retry::RetryPolicy;
use crate::transport::Reply;

/// Per-call settings that override the client's.
#[derive(Clone, Debug, Default)]
pub(crate) struct CallOptions {
    pub retry: Option<RetryPolicy>,
    pub call_timeout: Option<Duration>,
}

/// The form as it goes on the wire: the action's parameters, the client's defaults for common
/// parameters the call left unset, then `Action`, `PublicKey`, `SecurityToken` and `Signature`.
pub(crate) fn signed_form(core: &ClientCore, action: &str, mut form: Form) -> Form {
    for (name, value) in &core.inner.defaults {
        if !form.fields().iter().any(|(n, _)| n == name) {
            form.push(name.as_str(), value.as_str());
        }
    }
    form.push("Action", action);
    crate::sign::sign_form(form, &core.inner.credentials)
}

/// What only this call and its client know and a server may echo: the call's signature (the
/// last field of `body`), the private key, the security token, the channel key and the
/// proxy's password. Made on the error path only.
fn call_secrets(core: &ClientCore, body: &str) -> uhub_mask::Mask {
    let inner = &*core.inner;
    let mut mask = uhub_mask::Mask::default();
    if let Some((_, signature)) = body.rsplit_once("Signature=") {
        mask.add_value(signature);
    }
    mask.add_value(inner.credentials.private_key().expose());
    if let Some(token) = inner.credentials.security_token() {
        mask.add_value(token.expose());
    }
    if let Some(key) = inner.transport.channel_key.as_ref().and_then(|k| k.to_str().ok()) {
        mask.add_value(key);
    }
    if let Some(password) = &inner.proxy_password {
        mask.add_value(password.expose());
    }
    mask
}

/// Sends `form` for `action` and hands each successful HTTP reply to `decode`, whose error (a
/// RetCode, say) may be retried too.
pub(crate) async fn execute(
    core: &ClientCore,
    action: &'static str,
    idempotent: bool,
    form: Form,
    options: &CallOptions,
    decode: &mut (dyn FnMut(Reply) -> Result<(), Error> + Send),
) -> Result<(), Error> {
    let inner = &*core.inner;
    let policy = options.retry.as_ref().unwrap_or(&inner.retry);
    let body = signed_form(core, action, form).to_body();
    let span =
        tracing::info_span!("uhub.call", action, attempts = tracing::field::Empty, outcome = tracing::field::Empty);
    let mut attempts = 0;
    let deadline = options.call_timeout.or(inner.call_timeout);
    let call_started = Instant::now();
    let attempt_loop = async {
        loop {
            attempts += 1;
            let started = Instant::now();
            let result = inner.transport.attempt(action, body.clone()).await;
            let result = result.and_then(|reply| {
                let request_id = reply.request_id.clone();
                decode(reply).map(|()| request_id)
            });
            // Before anything shows the error (the retry's log line included); a success
            // never gets here.
            let result = result.map_err(|e| e.mask_values(&call_secrets(core, &body)));
            match result {
                Ok(request_id) => {
                    tracing::debug!(
                        attempt = attempts,
                        request_id,
                        elapsed_ms = started.elapsed().as_millis() as u64,
                        "attempt succeeded"
                    );
                    return Ok(());
                }
                Err(e) if policy.should_retry(&e, attempts, idempotent) => {
                    // The server's Retry-After is a floor, honoured up to the policy's cap; a
                    // wait beyond the cap, or one that would overrun the call's deadline, is
                    // pointless, so the error is returned instead. (Saturating: the server
                    // chooses Retry-After, up to u64::MAX seconds.)
                    let Some(wait) = policy.wait(&e, attempts) else { return Err(e) };
                    if deadline.is_some_and(|d| call_started.elapsed().saturating_add(wait) >= d) {
                        return Err(e);
                    }
                    tracing::warn!(attempt = attempts, request_id = e.request_id(), error = %e, wait_ms = wait.as_millis() as u64, "retrying");
                    tokio::time::sleep(wait).await;
                }
                Err(e) => return Err(e),
            }
        }
    };
    let result = async {
        match deadline {
            Some(d) => tokio::time::timeout(d, attempt_loop)
                .await
                .unwrap_or_else(|_| Err(Error::timeout(action, format!("call deadline of {d:?} exceeded")))),
            None => attempt_loop.await,
        }
    }
    .instrument(span.clone())
    .await;
    span.record("attempts", attempts);
    span.record("outcome", if result.is_ok() { "ok" } else { "error" });
    result.map_err(|e| e.with_attempts(attempts))
}
