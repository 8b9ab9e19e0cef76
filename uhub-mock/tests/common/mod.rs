//! Shared by the mock's tests: a started demo mock, a client for it, raw signed requests.

#![allow(dead_code)]

use std::time::Duration;

use uhub_mock::{MockHandle, MockUHub};
use uhub_sdk::{Client, RetryPolicy};

/// Bounds every test: nothing here should take more than a few seconds.
pub const LIMIT: Duration = Duration::from_secs(20);

pub async fn demo() -> MockHandle {
    MockUHub::builder().seed_demo().start().await.expect("the mock starts")
}

/// A client for `mock` that does not retry, so request counts are exact.
pub fn client(mock: &MockHandle) -> Client {
    mock.client_builder().retry_policy(RetryPolicy::disabled()).build().expect("client builds")
}

/// A raw reply: status, request id header, parsed JSON body (Null when not JSON).
pub struct Raw {
    pub status: u16,
    pub request_id: Option<String>,
    pub json: serde_json::Value,
}

/// POSTs `fields` as a form, exactly as given (no signing).
pub async fn post(mock: &MockHandle, fields: &[(&str, &str)]) -> Raw {
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
    // reqwest is built without a bundled crypto provider (the SDK installs ring when it
    // builds its own client); a bare client needs one even for plain HTTP.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let response = reqwest::Client::new()
        .post(mock.base_url())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("the mock answers");
    let status = response.status().as_u16();
    let request_id = response.headers().get(uhub_sdk::REQUEST_ID_HEADER).map(|v| v.to_str().expect("ascii").to_owned());
    let bytes = response.bytes().await.expect("body");
    Raw { status, request_id, json: serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null) }
}

/// POSTs `fields` plus `PublicKey` and a valid `Signature` made with the mock's key pair.
pub async fn post_signed(mock: &MockHandle, fields: &[(&str, &str)]) -> Raw {
    let mut all: Vec<(&str, &str)> = fields.to_vec();
    all.push(("PublicKey", mock.public_key()));
    let signature = uhub_sdk::runtime::sign(&all, mock.private_key());
    all.push(("Signature", &signature));
    post(mock, &all).await
}
