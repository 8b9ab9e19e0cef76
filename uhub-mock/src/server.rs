//! HTTP/1.1 on a Tokio listener (hyper): connections accepted up to the cap, bodies read
//! within their limits, [`Reply`]s written out. Moves bytes; the service decides what they say.

use std::convert::Infallible;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited, StreamBody};
use hyper::body::{Body as _, Frame, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};
use tokio::task::JoinSet;
use uhub_sdk::REQUEST_ID_HEADER;
use uhub_sdk::runtime::Fields;

use crate::connection::{Clock, Open, Watched};
use crate::limits::{Limits, MAX_REQUEST_BYTES};
use crate::service::{self, BodyProblem, Reply};
use crate::state::Shared;

type ReplyBody = BoxBody<Bytes, io::Error>;

/// Accepts connections until `stop` fires (or its sender is dropped), then closes them all.
pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>, limits: Limits, mut stop: oneshot::Receiver<()>) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let open = Arc::new(Open::default());
    let mut connections = JoinSet::new();
    // Kept across turns of the loop: an accepted stream waiting for its slot must not be
    // dropped because another connection ended meanwhile (which is when slots free up).
    let mut accepting = Box::pin(accept(&listener, &slots, &open));
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = &mut accepting => {
                accepting = Box::pin(accept(&listener, &slots, &open));
                match accepted {
                    Ok((stream, slot)) => {
                        connections.spawn(connection(stream, slot, shared.clone(), open.clone(), limits));
                    }
                    Err(e) => {
                        // Out of file descriptors and the like: back off instead of spinning.
                        tracing::warn!(error = %e, "uhub-mock: accept failed");
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                }
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    // Dropping the set aborts every open connection.
}

/// The next connection and its slot. At the cap, the open connection that has waited
/// longest for a request is closed to free a slot, so idle sockets cannot keep a client
/// out; when every open connection is in a request, the new one waits for the first to end.
async fn accept(
    listener: &TcpListener,
    slots: &Arc<Semaphore>,
    open: &Open,
) -> io::Result<(TcpStream, OwnedSemaphorePermit)> {
    let (stream, _) = listener.accept().await?;
    let slot = match slots.clone().try_acquire_owned() {
        Ok(slot) => slot,
        Err(_) => {
            open.evict_one();
            slots.clone().acquire_owned().await.expect("the semaphore is never closed")
        }
    };
    Ok((stream, slot))
}

/// Serves one connection until its client closes it or its clock runs out.
async fn connection(
    stream: TcpStream,
    _slot: OwnedSemaphorePermit,
    shared: Arc<Shared>,
    open: Arc<Open>,
    limits: Limits,
) {
    let _open = shared.connections.enter();
    let clock = Clock::new(limits.header_read_timeout, limits.idle_timeout);
    let _listed = open.add(clock.clone());
    let io = TokioIo::new(Watched::new(stream, clock.clone()));
    let service = {
        let (shared, clock) = (shared.clone(), clock.clone());
        service_fn(move |req| {
            let (shared, clock) = (shared.clone(), clock.clone());
            async move {
                let _request = clock.request();
                Ok::<_, Infallible>(respond(&shared, req, limits.body_read_deadline).await)
            }
        })
    };
    tokio::select! {
        // A client going away mid-request is normal here; nothing to report.
        _ = http1::Builder::new().serve_connection(io, service) => {}
        expired = clock.expired() => tracing::debug!(?expired, "uhub-mock: closing a connection that waited too long"),
    }
}

async fn respond(shared: &Shared, req: Request<Incoming>, body_deadline: Duration) -> Response<ReplyBody> {
    let _in_flight = shared.in_flight.enter();
    let reply = match read_fields(req, body_deadline).await {
        Ok(fields) => service::process(shared, fields),
        Err(problem) => service::unreadable(problem),
    };
    if !reply.latency.is_zero() {
        tokio::time::sleep(reply.latency).await;
    }
    build(shared, reply)
}

/// The request's form fields, from its query (GET) or its body (within size and deadline).
async fn read_fields(req: Request<Incoming>, deadline: Duration) -> Result<Fields, BodyProblem> {
    if req.method() == Method::GET {
        // UCloud's gateway also takes the parameters as a query string.
        return Ok(Fields::parse(req.uri().query().unwrap_or_default().as_bytes()));
    }
    let body = req.into_body();
    let too_large = BodyProblem::TooLarge { limit: MAX_REQUEST_BYTES };
    // An announced length over the limit is refused before waiting for any of it.
    if body.size_hint().lower() > MAX_REQUEST_BYTES as u64 {
        return Err(too_large);
    }
    match tokio::time::timeout(deadline, Limited::new(body, MAX_REQUEST_BYTES).collect()).await {
        Err(_) => Err(BodyProblem::TooSlow { deadline }),
        Ok(Err(e)) if e.is::<LengthLimitError>() => Err(too_large),
        Ok(Err(e)) => Err(BodyProblem::Broken(e.to_string())),
        Ok(Ok(collected)) => Ok(Fields::parse(&collected.to_bytes())),
    }
}

fn build(shared: &Shared, reply: Reply) -> Response<ReplyBody> {
    let len = reply.body.len();
    let body: ReplyBody = if reply.cut {
        // Promise the whole body, send half, then fail the stream: hyper drops the connection.
        let half = Bytes::copy_from_slice(&reply.body[..len / 2]);
        let frames = futures::stream::iter([
            Ok(Frame::data(half)),
            Err(io::Error::new(io::ErrorKind::ConnectionAborted, "uhub-mock: injected close")),
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
    if reply.close {
        builder = builder.header("Connection", "close");
    }
    builder.body(body).unwrap_or_else(|e| {
        // Not reached: the service makes only valid statuses and header values. Kept so a
        // mistake there shows as a 500 rather than a panic.
        let mut response =
            Response::new(Full::new(Bytes::from(format!("uhub-mock: {e}\n"))).map_err(|n| match n {}).boxed());
        *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        response
    })
}
