//! One accepted connection: requests in, replies out, until either side ends it.

use std::io;
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::received;
use crate::reply::After;
use crate::state::Shared;

/// Serves `stream` until the client closes it, a reply ends it, or the server stops.
pub(crate) async fn serve(mut stream: TcpStream, connection: usize, shared: Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    // An error only means this connection is over; the server goes on.
    let _ = exchange(&mut stream, connection, &shared).await;
}

async fn exchange(stream: &mut TcpStream, connection: usize, shared: &Shared) -> io::Result<()> {
    let mut buf = Vec::new();
    while let Some(frame) = received::next(stream, &mut buf).await? {
        let (index, in_flight) = shared.request_arrived();
        let request =
            (shared.records() || shared.handler.reads_requests()).then(|| frame.parse(&buf, connection, index));
        buf.drain(..frame.len());
        let reply = shared.handler.reply(index, request.as_ref());
        if let Some(request) = request.filter(|_| shared.records()) {
            shared.record(request);
        }
        if !reply.delay().is_zero() {
            tokio::time::sleep(reply.delay()).await;
        }
        if reply.is_silent() {
            return wait_for_close(stream).await;
        }
        drop(in_flight);
        if reply.write(stream).await? == After::Close || frame.closes {
            return close(stream).await;
        }
    }
    Ok(())
}

/// Ends the connection gently: a FIN, then whatever the client still sends is read and
/// dropped, so that unread bytes do not turn the close into a reset that could destroy the
/// reply before the client reads it.
async fn close(stream: &mut TcpStream) -> io::Result<()> {
    stream.shutdown().await?;
    wait_for_close(stream).await
}

async fn wait_for_close(stream: &mut TcpStream) -> io::Result<()> {
    let mut sink = [0u8; 4096];
    while stream.read(&mut sink).await? > 0 {}
    Ok(())
}
