//! A loopback server (uhub-loopback) that answers GetImageTag pages by a rule the test
//! chooses, and a client for it.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use uhub_loopback::{Handler, Reply};
use uhub_sdk::{Client, Endpoint, RetryPolicy};

pub use uhub_loopback::Server;

/// What the server answers for one (offset, limit): TotalCount and the tag names.
pub type Pages = dyn Fn(usize, usize) -> (String, Vec<String>) + Send + Sync;

/// A server answering each GetImageTag by `pages` of its Offset and Limit, `delay` after the
/// request (counting it in flight meanwhile).
pub async fn serve(delay: Duration, pages: Arc<Pages>) -> Server {
    Server::start(Handler::new(move |request| {
        let fields = uhub_sdk::runtime::Fields::parse(&request.body);
        let num = |k: &str| fields.get(k).unwrap().parse::<usize>().unwrap();
        let (total, tags) = pages(num("Offset"), num("Limit"));
        let set: Vec<_> = tags.iter().map(|t| serde_json::json!({"TagName": t, "UpdateTime": 1})).collect();
        let json = format!(r#"{{"RetCode":0,"TotalCount":{total},"TagSet":{}}}"#, serde_json::Value::from(set));
        Reply::status(200, json).delayed(delay)
    }))
    .await
}

pub fn client(url: &str) -> Client {
    Client::builder()
        .keys("pub", "priv")
        .endpoint(Endpoint::Custom(url.to_owned()))
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap()
}

pub fn names(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| format!("t{i:05}")).collect()
}
