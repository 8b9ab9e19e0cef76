//! Requests to a [`Target`] over plain HTTP with its credentials: basic auth as given, and the
//! bearer-token dance (401 with `WWW-Authenticate: Bearer realm=..`, a token fetched from the
//! realm with the basic credentials, the request sent again) when the target asks for it.
//! Written by hand on reqwest, so that what tests check is not checked with the client under test.

use bytes::Bytes;
use reqwest::header::{AUTHORIZATION, HeaderMap, WWW_AUTHENTICATE};
use reqwest::{Method, Response, StatusCode};
use tokio::sync::Mutex;

use crate::Target;

pub(crate) struct Session {
    client: reqwest::Client,
    target: Target,
    bearer: Mutex<Option<String>>,
}

impl Session {
    pub(crate) fn new(target: &Target) -> Session {
        // reqwest is built with rustls and no provider; plain HTTP needs none, but building a
        // client does.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client =
            reqwest::Client::builder().no_proxy().build().expect("uhub-testreg: cannot build a reqwest client");
        Session { client, target: target.clone(), bearer: Mutex::new(None) }
    }

    /// `http://HOST` + `path` (a path, or an absolute URL as registries put in `Location`).
    pub(crate) fn url(&self, path: &str) -> reqwest::Url {
        let base = reqwest::Url::parse(&format!("http://{}/", self.target.host))
            .unwrap_or_else(|e| panic!("uhub-testreg: bad host {:?}: {e}", self.target.host));
        base.join(path).unwrap_or_else(|e| panic!("uhub-testreg: bad path {path:?}: {e}"))
    }

    /// Sends once, and once more with a token when the target demands one. Panics (naming the
    /// request) when the target cannot be reached.
    pub(crate) async fn send(
        &self,
        method: Method,
        url: reqwest::Url,
        headers: HeaderMap,
        body: Option<Bytes>,
    ) -> Response {
        let first = self.send_once(method.clone(), url.clone(), headers.clone(), body.clone()).await;
        if first.status() != StatusCode::UNAUTHORIZED {
            return first;
        }
        let Some(challenge) = first.headers().get(WWW_AUTHENTICATE).and_then(|v| v.to_str().ok()) else {
            return first;
        };
        let Some(params) = challenge.strip_prefix("Bearer ").map(parse_challenge) else {
            return first;
        };
        let token = self.fetch_token(&params).await;
        *self.bearer.lock().await = Some(token);
        self.send_once(method, url, headers, body).await
    }

    async fn send_once(&self, method: Method, url: reqwest::Url, headers: HeaderMap, body: Option<Bytes>) -> Response {
        let what = format!("{method} {url}");
        let mut request = self.client.request(method, url).headers(headers);
        if let Some(token) = self.bearer.lock().await.as_ref() {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        } else if let Some((user, password)) = &self.target.basic {
            request = request.basic_auth(user, Some(password));
        }
        if let Some(body) = body {
            request = request.body(body);
        }
        request.send().await.unwrap_or_else(|e| panic!("uhub-testreg: {what} failed: {e}"))
    }

    async fn fetch_token(&self, params: &[(String, String)]) -> String {
        let get = |key: &str| params.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        let realm =
            get("realm").unwrap_or_else(|| panic!("uhub-testreg: a Bearer challenge without a realm: {params:?}"));
        let mut url = reqwest::Url::parse(realm).unwrap_or_else(|e| panic!("uhub-testreg: bad realm {realm:?}: {e}"));
        for key in ["service", "scope"] {
            if let Some(value) = get(key) {
                url.query_pairs_mut().append_pair(key, value);
            }
        }
        let mut request = self.client.get(url.clone());
        if let Some((user, password)) = &self.target.basic {
            request = request.basic_auth(user, Some(password));
        }
        let response = request.send().await.unwrap_or_else(|e| panic!("uhub-testreg: GET {url} failed: {e}"));
        let status = response.status();
        let body = response.bytes().await.unwrap_or_else(|e| panic!("uhub-testreg: GET {url}: reading the body: {e}"));
        let body: serde_json::Value = serde_json::from_slice(&body)
            .unwrap_or_else(|e| panic!("uhub-testreg: the token from {url} ({status}) is not JSON: {e}"));
        body.get("token")
            .or_else(|| body.get("access_token"))
            .and_then(|t| t.as_str())
            .unwrap_or_else(|| panic!("uhub-testreg: no token from {url} ({status})"))
            .to_owned()
    }
}

/// `realm="http://h/token",service="s",scope="repository:a:pull,push"` as pairs (values may
/// hold commas, so this reads quotes rather than splitting).
pub(crate) fn parse_challenge(text: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let mut rest = text.trim();
    while let Some(eq) = rest.find('=') {
        let key = rest[..eq].trim().trim_start_matches(',').trim().to_owned();
        let after = &rest[eq + 1..];
        let (value, tail) = match after.strip_prefix('"') {
            Some(quoted) => match quoted.find('"') {
                Some(end) => (&quoted[..end], &quoted[end + 1..]),
                None => (quoted, ""),
            },
            None => match after.find(',') {
                Some(end) => (&after[..end], &after[end..]),
                None => (after, ""),
            },
        };
        pairs.push((key, value.to_owned()));
        rest = tail.trim_start().trim_start_matches(',');
    }
    pairs
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_challenge_with_a_comma_in_its_scope() {
        let pairs =
            super::parse_challenge(r#"realm="http://h:1/token",service="testreg",scope="repository:a/b:pull,push""#);
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            pairs,
            [("realm", "http://h:1/token"), ("service", "testreg"), ("scope", "repository:a/b:pull,push")]
        );
    }
}
