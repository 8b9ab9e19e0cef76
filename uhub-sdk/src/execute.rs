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

/// The body of [`signed_form`], byte for byte, made from the fields where they are: no field
/// is copied into a form first, and the fields are encoded straight into the body, which is
/// most of what a call costs beyond its HTTP exchange and decoding.
pub(crate) fn signed_body(core: &ClientCore, action: &str, form: &Form) -> Vec<u8> {
    let inner = &*core.inner;
    let credentials = &inner.credentials;
    let own = form.fields();
    let mut fields: Vec<(&str, &str)> = Vec::with_capacity(own.len() + inner.defaults.len() + 3);
    fields.extend(own.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    for (name, value) in &inner.defaults {
        if !own.iter().any(|(n, _)| n == name) {
            fields.push((name, value));
        }
    }
    fields.push(("Action", action));
    fields.push(("PublicKey", credentials.public_key()));
    if let Some(token) = credentials.security_token() {
        fields.push(("SecurityToken", token.expose()));
    }
    let mut body = Vec::with_capacity(crate::encode::encoded_len_hint(fields.iter().copied()) + 51);
    for (name, value) in &fields {
        crate::encode::append_pair(&mut body, name, value);
    }
    let signature = crate::sign::sign_in_place(&mut fields, credentials.private_key().expose());
    crate::encode::append_pair(&mut body, "Signature", signature.as_str());
    body
}

/// What only this call and its client know and a server may echo: the call's signature (the
/// last field of `body`), the private key, the security token, the channel key and the
/// proxy's password. Made on the error path only.
fn call_secrets(core: &ClientCore, body: &[u8]) -> uhub_mask::Mask {
    let inner = &*core.inner;
    let mut mask = uhub_mask::Mask::default();
    // The body is ASCII: every other byte was percent-encoded.
    let body = std::str::from_utf8(body).unwrap_or_default();
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
    decode: &mut (dyn FnMut(&Reply) -> Result<(), Error> + Send),
) -> Result<(), Error> {
    let inner = &*core.inner;
    let policy = options.retry.as_ref().unwrap_or(&inner.retry);
    // Shared by the attempts: a retry re-sends the same bytes without copying them.
    let body = bytes::Bytes::from(signed_body(core, action, &form));
    drop(form);
    let span =
        tracing::info_span!("uhub.call", action, attempts = tracing::field::Empty, outcome = tracing::field::Empty);
    let mut attempts = 0;
    // The call's deadline and when the call began, read off the clock only when there is one.
    let deadline = options.call_timeout.or(inner.call_timeout).map(|d| (d, Instant::now()));
    let timed = tracing::enabled!(tracing::Level::DEBUG);
    let attempt_timeout = inner.transport.attempt_timeout;
    let result = async {
        loop {
            attempts += 1;
            let started = timed.then(Instant::now);
            // One timer bounds the attempt: its own timeout, or what is left of the call's
            // deadline when that comes first (`cut`). The waits between attempts are kept
            // within the deadline below, so no second timer around the loop is needed.
            let cut = deadline.and_then(|(d, since)| {
                let left = d.saturating_sub(since.elapsed());
                (left <= attempt_timeout).then_some((d, left))
            });
            let limit = cut.map_or(attempt_timeout, |(_, left)| left);
            let result = match inner.transport.attempt(action, body.clone(), limit).await {
                Some(result) => result,
                None => match cut {
                    // The call is over, whatever the retry policy would say.
                    Some((d, _)) => return Err(Error::timeout(action, format!("call deadline of {d:?} exceeded"))),
                    None => Err(Error::timeout(action, format!("attempt timeout of {attempt_timeout:?} exceeded"))),
                },
            };
            let result = result.and_then(|reply| decode(&reply).map(|()| reply.request_id));
            // Before anything shows the error (the retry's log line included); a success
            // never gets here.
            let result = result.map_err(|e| e.mask_values(&call_secrets(core, &body)));
            match result {
                Ok(request_id) => {
                    tracing::debug!(
                        attempt = attempts,
                        request_id,
                        elapsed_ms = started.map(|s| s.elapsed().as_millis() as u64),
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
                    if deadline.is_some_and(|(d, since)| since.elapsed().saturating_add(wait) >= d) {
                        return Err(e);
                    }
                    tracing::warn!(attempt = attempts, request_id = e.request_id(), error = %e, wait_ms = wait.as_millis() as u64, "retrying");
                    tokio::time::sleep(wait).await;
                }
                Err(e) => return Err(e),
            }
        }
    }
    .instrument(span.clone())
    .await;
    span.record("attempts", attempts);
    span.record("outcome", if result.is_ok() { "ok" } else { "error" });
    result.map_err(|e| e.with_attempts(attempts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Credentials;

    /// The body a call sends is the dry run's form, encoded: defaults the call left unset, the
    /// ones it set itself, the token, escaped characters and the signature over all of them.
    #[test]
    fn signed_body_is_the_signed_form_encoded() {
        let credentials = Credentials::new("pub key", "private/key").with_security_token("to+ken");
        let client = crate::Client::builder()
            .credentials(credentials)
            .endpoint(crate::Endpoint::Custom("http://127.0.0.1:9".to_owned()))
            .project_id("org-a")
            .default_param("Region", "cn-bj2")
            .build()
            .unwrap();
        let core = client.core();
        let mut form = Form::new();
        form.push("RepoName", "a b&c=中");
        form.push("Region", "hk");
        form.push("Tag.10", "x");
        form.push("Tag.2", "");
        let body = signed_body(core, "GetImageTag", &form);
        let expected = signed_form(core, "GetImageTag", form).to_body();
        assert_eq!(String::from_utf8(body).unwrap(), expected);
        assert!(
            expected.contains("ProjectId=org-a&Action=GetImageTag&PublicKey=pub+key&SecurityToken=to%2Bken&Signature=")
        );
        assert!(!expected.contains("cn-bj2"), "{expected}");
    }
}
