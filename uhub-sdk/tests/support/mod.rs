//! A loopback server that answers GetImageTag pages by a rule the test chooses, counting
//! requests and the most in flight at once.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use uhub_sdk::{Client, Endpoint, RetryPolicy};

/// What the server answers for one (offset, limit): TotalCount and the tag names.
pub type Pages = dyn Fn(usize, usize) -> (String, Vec<String>) + Send + Sync;

pub struct Server {
    pub url: String,
    pub requests: Arc<AtomicUsize>,
    pub max_in_flight: Arc<AtomicUsize>,
}

pub async fn serve(delay: Duration, pages: Arc<Pages>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(AtomicUsize::new(0));
    let max_in_flight = Arc::new(AtomicUsize::new(0));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let (r, m) = (requests.clone(), max_in_flight.clone());
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else { return };
            let (r, m, f, pages) = (r.clone(), m.clone(), in_flight.clone(), pages.clone());
            tokio::spawn(async move {
                let mut socket = BufReader::new(socket);
                loop {
                    let mut len = 0;
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if socket.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        if line == "\r\n" {
                            break;
                        }
                        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                            len = v.trim().parse().unwrap();
                        }
                    }
                    let mut body = vec![0; len];
                    socket.read_exact(&mut body).await.unwrap();
                    r.fetch_add(1, Ordering::SeqCst);
                    let now = f.fetch_add(1, Ordering::SeqCst) + 1;
                    m.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(delay).await;
                    let fields = uhub_sdk::runtime::Fields::parse(&body);
                    let num = |k: &str| fields.get(k).unwrap().parse::<usize>().unwrap();
                    let (total, tags) = pages(num("Offset"), num("Limit"));
                    let set: Vec<_> = tags.iter().map(|t| serde_json::json!({"TagName": t, "UpdateTime": 1})).collect();
                    let json =
                        format!(r#"{{"RetCode":0,"TotalCount":{total},"TagSet":{}}}"#, serde_json::Value::from(set));
                    f.fetch_sub(1, Ordering::SeqCst);
                    let head = format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n", json.len());
                    if socket.get_mut().write_all(format!("{head}{json}").as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    Server { url, requests, max_in_flight }
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
