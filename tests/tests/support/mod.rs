//! A tiny loopback HTTP/1.1 server for wire tests: answers canned responses in order (the
//! last one repeats), records every request it receives and counts accepted connections.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One canned answer.
#[derive(Clone, Debug)]
pub struct Canned {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Send the body with `Transfer-Encoding: chunked` and no Content-Length.
    pub chunked: bool,
    /// Read the request but never answer.
    pub silent: bool,
}

impl Canned {
    pub fn json(body: &str) -> Self {
        Self::status(200, body).header("Content-Type", "application/json")
    }

    pub fn status(status: u16, body: &str) -> Self {
        Canned { status, headers: Vec::new(), body: body.as_bytes().to_vec(), chunked: false, silent: false }
    }

    pub fn bytes(status: u16, body: Vec<u8>) -> Self {
        Canned { status, headers: Vec::new(), body, chunked: false, silent: false }
    }

    pub fn silent() -> Self {
        Canned { silent: true, ..Self::status(200, "") }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn chunked(mut self) -> Self {
        self.chunked = true;
        self
    }
}

/// A request as the server received it.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub path: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Which accepted connection (0-based) carried it.
    pub connection: usize,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str())
    }

    pub fn fields(&self) -> uhub_sdk::runtime::Fields {
        uhub_sdk::runtime::Fields::parse(&self.body)
    }

    /// Every form pair in order, duplicates kept.
    pub fn pairs(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(&self.body).into_owned().collect()
    }
}

pub struct Server {
    pub addr: std::net::SocketAddr,
    requests: Arc<Mutex<Vec<Received>>>,
    connections: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    pub async fn start(script: Vec<Canned>) -> Server {
        assert!(!script.is_empty(), "a server needs at least one canned response");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let next = Arc::new(AtomicUsize::new(0));
        let script = Arc::new(script);
        let (reqs, conns) = (requests.clone(), connections.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { return };
                let connection = conns.fetch_add(1, Ordering::SeqCst);
                let (reqs, script, next) = (reqs.clone(), script.clone(), next.clone());
                tokio::spawn(async move {
                    let _ = serve(stream, connection, reqs, script, next).await;
                });
            }
        });
        Server { addr, requests, connections, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<Received> {
        self.requests.lock().unwrap().clone()
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

async fn serve(
    mut stream: TcpStream,
    connection: usize,
    requests: Arc<Mutex<Vec<Received>>>,
    script: Arc<Vec<Canned>>,
    next: Arc<AtomicUsize>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    loop {
        // Head: read until the blank line.
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i;
            }
            let mut chunk = [0u8; 4096];
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        let mut lines = head.split("\r\n");
        let mut request_line = lines.next().unwrap_or_default().split(' ');
        let method = request_line.next().unwrap_or_default().to_owned();
        let path = request_line.next().unwrap_or_default().to_owned();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let length =
            headers.iter().find(|(k, _)| k == "content-length").and_then(|(_, v)| v.parse::<usize>().ok()).unwrap_or(0);
        buf.drain(..head_end + 4);
        while buf.len() < length {
            let mut chunk = [0u8; 4096];
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        let body: Vec<u8> = buf.drain(..length).collect();
        requests.lock().unwrap().push(Received { method, path, headers, body, connection });

        let i = next.fetch_add(1, Ordering::SeqCst);
        let canned = &script[i.min(script.len() - 1)];
        if canned.silent {
            std::future::pending::<()>().await;
        }
        let mut out = format!("HTTP/1.1 {} Canned\r\n", canned.status);
        for (k, v) in &canned.headers {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        if canned.chunked {
            out.push_str("Transfer-Encoding: chunked\r\n\r\n");
            let mut bytes = out.into_bytes();
            for piece in canned.body.chunks(100) {
                bytes.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
                bytes.extend_from_slice(piece);
                bytes.extend_from_slice(b"\r\n");
            }
            bytes.extend_from_slice(b"0\r\n\r\n");
            stream.write_all(&bytes).await?;
        } else {
            out.push_str(&format!("Content-Length: {}\r\n\r\n", canned.body.len()));
            let mut bytes = out.into_bytes();
            bytes.extend_from_slice(&canned.body);
            stream.write_all(&bytes).await?;
        }
        stream.flush().await?;
    }
}
