//! A tiny HTTP/1.1 server on 127.0.0.1 for the workspace's tests and benchmarks.
//!
//! It reads and writes raw bytes itself, with no HTTP library in front, so that a test decides
//! exactly what goes on the wire, malformed or absurd replies included, and sees exactly what
//! the client sent. It keeps connections alive, reads request bodies by `Content-Length`,
//! records every request ([`Received`]: method, path, lower-cased headers, body, connection and
//! arrival index) and counts connections, requests and the peak of requests in flight.
//!
//! Each reply comes from a [`Handler`], a function from the request to a [`Reply`]; a script of
//! replies in order (the last one repeating) and a fixed reply are ready-made. A reply is a
//! status, headers and a body, and can instead be [chunked](Reply::chunked),
//! [delayed](Reply::delayed), [never sent](Reply::silent), [cut off](Reply::cut_after) after part
//! of its body, [endless](Reply::endless), or [raw bytes](Reply::raw).
//!
//! A server runs on the tokio runtime that [started](Server::start) it, or on a thread of its
//! own ([`Server::on_thread`]), and stops when dropped.
//!
//! ```
//! use std::time::Duration;
//!
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//! use uhub_loopback::{Reply, Server};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let server = Server::start([Reply::status(503, "busy").header("Retry-After", "1"), Reply::json("{}")]).await;
//!
//! let mut client = tokio::net::TcpStream::connect(server.addr()).await?;
//! client.write_all(b"POST / HTTP/1.1\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello").await?;
//! let mut reply = String::new();
//! tokio::time::timeout(Duration::from_secs(5), client.read_to_string(&mut reply)).await??;
//!
//! assert_eq!(reply, "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 4\r\n\r\nbusy");
//! assert_eq!(server.requests()[0].body, b"hello");
//! assert_eq!(server.connections(), 1);
//! # Ok(())
//! # }
//! ```
//!
//! Other replies a test may want:
//!
//! ```
//! # use uhub_loopback::{Handler, Reply};
//! # let elsewhere = "http://127.0.0.1:9";
//! // A redirect to a second server, whose `request_count()` the test then checks is 0.
//! let moved = Reply::redirect(307, elsewhere);
//! // An error that echoes the request, as some proxies do.
//! let echo = Handler::new(|request| Reply::status(400, format!("bad request: {}", request.body_text())));
//! // A body that never ends.
//! let endless = Reply::json(r#"{"RetCode":0,"TagSet":["#).endless(r#"{"TagName":"t"},"#);
//! // A head no HTTP library would write.
//! let absurd = Reply::raw(format!("HTTP/1.1 200 OK\r\nX-Long: {}\r\n\r\n", "a".repeat(100_000)));
//! ```

mod connection;
mod handler;
mod received;
mod reply;
mod server;
mod state;

pub use handler::Handler;
pub use received::Received;
pub use reply::Reply;
pub use server::{Builder, Server};
