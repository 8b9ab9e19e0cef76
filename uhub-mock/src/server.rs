//! HTTP/1.1 on a Tokio listener (hyper): bodies in, [`Reply`]s out, the in-flight count kept.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinSet;
use uhub_sdk::REQUEST_ID_HEADER;
use uhub_sdk::form::Fields;

use crate::service::{Reply, process};
use crate::state::Shared;

/// Request bodies larger than this are refused; UHub requests are a few hundred bytes.
const MAX_REQUEST_BYTES: usize = 1 << 20;

type Body = BoxBody<Bytes, std::io::Error>;

/// Accepts connections until `stop` fires (or its sender is dropped), then closes them all.
pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>, mut stop: oneshot::Receiver<()>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let shared = shared.clone();
                    connections.spawn(async move {
                        let service = service_fn(move |req| respond(shared.clone(), req));
                        // A client going away mid-request is normal here; nothing to report.
                        let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                    });
                }
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "uhub-mock: accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    // Dropping the set aborts every open connection.
}

/// Counts the request as in flight from arrival until its reply is handed to hyper.
struct InFlight<'a>(&'a Shared);

impl<'a> InFlight<'a> {
    fn enter(shared: &'a Shared) -> Self {
        let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(shared)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn respond(shared: Arc<Shared>, req: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    let _in_flight = InFlight::enter(&shared);
    let fields = if req.method() == Method::GET {
        // UCloud's gateway also takes the parameters as a query string.
        Fields::parse(req.uri().query().unwrap_or_default().as_bytes())
    } else {
        match Limited::new(req.into_body(), MAX_REQUEST_BYTES).collect().await {
            Ok(collected) => Fields::parse(&collected.to_bytes()),
            Err(e) => return Ok(plain(StatusCode::BAD_REQUEST, format!("uhub-mock: cannot read the body: {e}\n"))),
        }
    };
    let reply = process(&shared, fields);
    if !reply.latency.is_zero() {
        tokio::time::sleep(reply.latency).await;
    }
    Ok(build(&shared, reply))
}

fn build(shared: &Shared, reply: Reply) -> Response<Body> {
    let len = reply.body.len();
    let body: Body = if reply.cut {
        // Promise the whole body, send half, then fail the stream: hyper drops the connection.
        let half = Bytes::copy_from_slice(&reply.body[..len / 2]);
        let frames = futures::stream::iter([
            Ok(Frame::data(half)),
            Err(std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "uhub-mock: injected close")),
        ]);
        BodyExt::boxed(StreamBody::new(frames))
    } else {
        Full::new(Bytes::from(reply.body)).map_err(|never| match never {}).boxed()
    };
    let mut builder = Response::builder()
        .status(reply.status)
        .header("Content-Type", reply.content_type)
        .header("Content-Length", len)
        .header(REQUEST_ID_HEADER, shared.request_id());
    if let Some(secs) = reply.retry_after {
        builder = builder.header("Retry-After", secs);
    }
    builder.body(body).unwrap_or_else(|e| plain(StatusCode::INTERNAL_SERVER_ERROR, format!("uhub-mock: {e}\n")))
}

fn plain(status: StatusCode, text: String) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from(text)).map_err(|never| match never {}).boxed());
    *response.status_mut() = status;
    response
}
