//! One HTTP attempt: post a signed form, read a bounded body.
//!
//! [`Transport`] holds only what an attempt needs; signing, retrying and decoding happen
//! around it, in [`crate::execute`].

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::{Error, TransportKind};

/// Header carrying the service's id for a request.
pub const REQUEST_ID_HEADER: &str = "X-UCLOUD-REQUEST-UUID";

// Made once rather than parsed from text on every attempt.
const FORM: reqwest::header::HeaderValue =
    reqwest::header::HeaderValue::from_static("application/x-www-form-urlencoded");
const TIMESTAMP: reqwest::header::HeaderName = reqwest::header::HeaderName::from_static("u-timestamp-ms");
/// [`REQUEST_ID_HEADER`] as a header name made once: looking a reply's header up by text
/// parses and lower-cases the name on every attempt.
const REQUEST_ID: reqwest::header::HeaderName = reqwest::header::HeaderName::from_static("x-ucloud-request-uuid");
/// The header ucloud-cli sends a profile's channel key in.
const CHANNEL_KEY: reqwest::header::HeaderName = reqwest::header::HeaderName::from_static("channel-key");

/// The HTTP side of a client: where attempts go, with which headers and limits.
pub(crate) struct Transport {
    pub http: reqwest::Client,
    /// The base URL as configured, which [`crate::runtime::ClientCore::base_url`] returns.
    pub base_url: String,
    /// `base_url` parsed once, not on every attempt.
    pub url: reqwest::Url,
    pub user_agent: reqwest::header::HeaderValue,
    /// Sent as `channel-key` when set.
    pub channel_key: Option<reqwest::header::HeaderValue>,
    pub attempt_timeout: Duration,
    pub max_response_bytes: usize,
}

/// A successful HTTP exchange: the body, and the service's request id if it sent one.
pub(crate) struct Reply {
    pub body: bytes::Bytes,
    pub request_id: Option<String>,
}

impl Transport {
    /// The headers an attempt made at `now_ms` carries, as text (for a dry run).
    pub(crate) fn headers(&self, now_ms: u64) -> Vec<(String, String)> {
        let text = |v: &reqwest::header::HeaderValue| v.to_str().unwrap_or_default().to_owned();
        let mut headers = vec![
            (reqwest::header::CONTENT_TYPE.to_string(), text(&FORM)),
            (reqwest::header::USER_AGENT.to_string(), text(&self.user_agent)),
            (TIMESTAMP.to_string(), now_ms.to_string()),
        ];
        if let Some(key) = &self.channel_key {
            headers.push((CHANNEL_KEY.to_string(), text(key)));
        }
        headers
    }

    /// Posts `body` once and reads the reply, refusing bodies over the size limit, all within
    /// `limit` (the attempt timeout, or less when the call's deadline is nearer): `None` when
    /// that passed first.
    pub(crate) async fn attempt(
        &self,
        action: &'static str,
        body: bytes::Bytes,
        limit: Duration,
    ) -> Option<Result<Reply, Error>> {
        // One timer of our own around the exchange, rather than reqwest's per-request timeout,
        // which also allocated a map of extensions for each request and wrapped the body in a
        // second timer: about a third of the SDK's cost per call beyond decoding.
        // Boxed: every future around it (the retry loop, the span, the caller's) would
        // otherwise hold and copy its state on each move.
        tokio::time::timeout(limit, Box::pin(self.exchange(action, body))).await.ok()
    }

    /// The attempt itself: send, then read the bounded body.
    async fn exchange(&self, action: &'static str, body: bytes::Bytes) -> Result<Reply, Error> {
        // The request is made directly rather than with reqwest's builder, which converts and
        // checks each header again on every call (850 instructions a call under callgrind).
        let mut request = reqwest::Request::new(reqwest::Method::POST, self.url.clone());
        let headers = request.headers_mut();
        headers.insert(reqwest::header::CONTENT_TYPE, FORM);
        headers.insert(reqwest::header::USER_AGENT, self.user_agent.clone());
        headers.insert(TIMESTAMP, now_ms().into());
        if let Some(key) = &self.channel_key {
            headers.insert(CHANNEL_KEY, key.clone());
        }
        *request.body_mut() = Some(body.into());
        let mut response = self.http.execute(request).await.map_err(|e| transport_error(action, e))?;
        let status = response.status();
        let request_id = response.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let id = request_id.as_deref();
        let limit = self.max_response_bytes;
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(Error::too_large(action, limit, id));
        }
        let body = read_body(&mut response, limit).await.map_err(|e| match e {
            BodyError::TooLarge => Error::too_large(action, limit, id),
            BodyError::Read(e) => transport_error(action, e),
        })?;
        if !crate::url::same_target(&self.url, response.url()) {
            // Only a client of the caller's own, with a redirect policy other than `none`, gets
            // here: the form has gone elsewhere already, but its answer is not UHub's.
            let location = crate::url::without_query(&self.url, response.url().as_str());
            return Err(Error::redirect(action, status.as_u16(), Some(location), &[], id));
        }
        if status.is_redirection() {
            // Never followed, whatever client is in use: following would re-send the signed
            // form (token and signature included) to a host nobody configured, or turn the call
            // into a GET whose 200 would count as the action's success.
            let location = response.headers().get(reqwest::header::LOCATION).and_then(|v| v.to_str().ok());
            let location = location.map(|l| crate::url::without_query(&self.url, l));
            return Err(Error::redirect(action, status.as_u16(), location, &body, id));
        }
        if !status.is_success() {
            // Only the delay-seconds form; an HTTP date is rare from APIs and falls back to backoff.
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            // A UCloud error body explains the failure better than the status does; both are kept.
            return Err(match crate::decode::envelope(&body) {
                Some((code, message)) if code != 0 => {
                    Error::api(action, code, &message, id).with_status(status.as_u16())
                }
                _ => Error::http_status(action, status.as_u16(), &body, id),
            }
            .with_retry_after(retry_after));
        }
        Ok(Reply { body, request_id })
    }
}

/// Why a reply's body could not be read whole.
enum BodyError {
    TooLarge,
    Read(reqwest::Error),
}

/// Reads the body of `response`, refusing more than `limit` bytes. A body that arrives in one
/// chunk (most replies, on a kept-alive connection) is kept as hyper handed it over, with no
/// copy; only a body in several chunks is gathered into a buffer of its own.
async fn read_body(response: &mut reqwest::Response, limit: usize) -> Result<bytes::Bytes, BodyError> {
    // Read before any chunk: reqwest's figure is what is left of the body, not its length.
    let declared = response.content_length().map_or(0, |n| n as usize);
    let Some(first) = response.chunk().await.map_err(BodyError::Read)? else { return Ok(bytes::Bytes::new()) };
    if first.len() > limit {
        return Err(BodyError::TooLarge);
    }
    let Some(second) = response.chunk().await.map_err(BodyError::Read)? else { return Ok(first) };
    // Room for a declared length at once, so the buffer is not doubled past the limit.
    let mut body = Vec::with_capacity(declared.max(first.len() + second.len()));
    let mut next = Some(second);
    body.extend_from_slice(&first);
    while let Some(chunk) = next {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
        next = response.chunk().await.map_err(BodyError::Read)?;
    }
    Ok(body.into())
}

/// Whether the reply could not be read as HTTP at all (a malformed status line or header, a
/// head over hyper's size limit): the same server would answer the same way again.
fn unparsable(e: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(h) = err.downcast_ref::<hyper::Error>() {
            return h.is_parse();
        }
        source = err.source();
    }
    false
}

/// Milliseconds since 1970, as `U-Timestamp-Ms` carries them.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis() as u64
}

fn transport_error(action: &'static str, e: reqwest::Error) -> Error {
    let kind = if e.is_timeout() {
        TransportKind::Timeout
    } else if unparsable(&e) {
        TransportKind::Protocol
    } else if e.is_connect() {
        TransportKind::Connect
    } else {
        TransportKind::Io
    };
    // reqwest quotes the URL, which may carry a password (`https://user:pass@host`); the base
    // URL is known to the caller anyway.
    Error::transport(action, kind, e.without_url())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use crate::{Client, Endpoint, ErrorKind, RetryPolicy, TransportKind};

    /// The attempt timeout covers the body too: a server that sends its head and part of the
    /// body, then nothing, fails the attempt as a timeout rather than holding the call.
    #[test]
    fn the_request_id_header_name_is_the_documented_one() {
        assert_eq!(super::REQUEST_ID.as_str(), super::REQUEST_ID_HEADER.to_ascii_lowercase());
    }

    #[tokio::test]
    async fn a_body_that_stalls_is_an_attempt_timeout() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = [0; 4096];
            let _ = socket.read(&mut request).await;
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n";
            socket.write_all(format!("{head}{{\"RetCode\":").as_bytes()).await.unwrap();
            // Hold the connection open, sending nothing more, until the client gives up.
            let _ = socket.read(&mut request).await;
        });
        let client = Client::builder()
            .keys("public", "private")
            .endpoint(Endpoint::Custom(url))
            .attempt_timeout(Duration::from_millis(200))
            .build()
            .unwrap();
        let call = client.get_image_tag("r", "i").with_retry_policy(RetryPolicy::disabled()).send();
        let err = tokio::time::timeout(Duration::from_secs(10), call).await.expect("the call ends").unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Transport { kind: TransportKind::Timeout, .. }), "{err:?}");
        server.abort();
    }
}
