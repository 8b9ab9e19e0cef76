//! The mock stays bounded whatever its clients do: a client stalling mid-head, mid-body or
//! between requests is dropped after its limit, and at the connection cap the others are
//! still answered. The misbehaving clients are raw TCP streams.

mod common;

use std::io::ErrorKind;
use std::time::Duration;

use common::{LIMIT, client};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, sleep, timeout};
use uhub_mock::{MockBuilder, MockHandle, MockUHub};

/// Long enough never to be the limit that acts in a test.
const NEVER: Duration = Duration::from_secs(300);

/// A demo mock whose limits are all [`NEVER`] unless `configure` shortens some.
async fn mock_with(configure: impl FnOnce(MockBuilder) -> MockBuilder) -> MockHandle {
    let builder =
        MockUHub::builder().seed_demo().header_read_timeout(NEVER).body_read_deadline(NEVER).idle_timeout(NEVER);
    configure(builder).start().await.expect("the mock starts")
}

/// A signed `GetRepo` as raw HTTP/1.1 bytes, keep-alive.
fn get_repo_request(mock: &MockHandle) -> Vec<u8> {
    let mut fields = vec![("Action", "GetRepo"), ("PublicKey", mock.public_key())];
    let signature = uhub_sdk::runtime::sign(&fields, mock.private_key());
    fields.push(("Signature", &signature));
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
    format!(
        "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        mock.addr(),
        body.len()
    )
    .into_bytes()
}

/// Reads one response: its head (lower-cased) and its body.
async fn read_response(stream: &mut TcpStream) -> (String, String) {
    let mut received = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = received.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&received[..end]).to_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|n| n.trim().parse().ok())
                .expect("the reply has a Content-Length");
            if received.len() >= end + 4 + length {
                return (head, String::from_utf8_lossy(&received[end + 4..end + 4 + length]).into_owned());
            }
        }
        let n = stream.read(&mut chunk).await.expect("the connection stays open for the reply");
        assert!(n > 0, "the connection closed before the reply was complete");
        received.extend_from_slice(&chunk[..n]);
    }
}

/// Reads until the mock closes the connection; returns what arrived before.
async fn until_closed(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match stream.read(&mut chunk).await {
            Ok(0) => break,
            Ok(n) => received.extend_from_slice(&chunk[..n]),
            // Closing with unread input resets the connection: closed all the same.
            Err(e) if matches!(e.kind(), ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted) => break,
            Err(e) => panic!("reading failed: {e}"),
        }
    }
    String::from_utf8_lossy(&received).into_owned()
}

/// Whether the mock has closed `stream`, without waiting.
fn is_closed(stream: &TcpStream) -> bool {
    let mut byte = [0u8; 1];
    match stream.try_read(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) if e.kind() == ErrorKind::WouldBlock => false,
        Err(_) => true,
    }
}

#[tokio::test]
async fn a_client_stalling_mid_head_is_dropped_after_the_header_timeout() {
    timeout(LIMIT, async {
        let header_timeout = Duration::from_millis(300);
        let mock = mock_with(|b| b.header_read_timeout(header_timeout)).await;
        let mut quiet = TcpStream::connect(mock.addr()).await.unwrap();
        let mut stalled = TcpStream::connect(mock.addr()).await.unwrap();
        let started = Instant::now();
        stalled.write_all(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty").await.unwrap();
        assert_eq!(until_closed(&mut stalled).await, "", "dropped without an answer");
        assert!(started.elapsed() >= header_timeout, "closed after {:?}", started.elapsed());

        // The header clock starts at a request's first byte: a connection that sent nothing
        // for as long is idle, which has its own (here long) limit, and is still served.
        quiet.write_all(&get_repo_request(&mock)).await.unwrap();
        let (head, body) = read_response(&mut quiet).await;
        assert!(head.starts_with("http/1.1 200"), "{head}");
        assert!(body.contains(r#""RetCode":0"#), "{body}");
    })
    .await
    .expect("in time");
}

#[tokio::test]
async fn a_stalled_body_is_answered_408_and_dropped_after_the_body_deadline() {
    timeout(LIMIT, async {
        let deadline = Duration::from_millis(300);
        let mock = mock_with(|b| b.body_read_deadline(deadline)).await;
        let mut stalled = TcpStream::connect(mock.addr()).await.unwrap();
        // The largest body the mock accepts, announced, then only its first bytes sent.
        let head = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\
                    Content-Length: 1048576\r\n\r\nAction=GetRe";
        let started = Instant::now();
        stalled.write_all(head.as_bytes()).await.unwrap();
        let received = until_closed(&mut stalled).await.to_lowercase();
        assert!(started.elapsed() >= deadline, "closed after {:?}", started.elapsed());
        assert!(received.starts_with("http/1.1 408"), "{received}");
        assert!(received.contains("connection: close"), "{received}");
        assert!(received.contains("did not arrive within 300ms"), "{received}");
        assert_eq!(mock.total_requests(), 0, "the service never saw it");
    })
    .await
    .expect("in time");
}

#[tokio::test]
async fn a_body_announced_over_the_limit_is_refused_at_once() {
    // The body deadline is far beyond LIMIT: only an answer without waiting passes.
    timeout(LIMIT, async {
        let mock = mock_with(|b| b).await;
        let mut huge = TcpStream::connect(mock.addr()).await.unwrap();
        let head = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000000000\r\n\r\nAction=";
        huge.write_all(head.as_bytes()).await.unwrap();
        let received = until_closed(&mut huge).await.to_lowercase();
        assert!(received.starts_with("http/1.1 413"), "{received}");
        assert!(received.contains("over 1048576 bytes"), "{received}");
    })
    .await
    .expect("in time");
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    timeout(LIMIT, async {
        let idle = Duration::from_millis(1000);
        let mock = mock_with(|b| b.idle_timeout(idle)).await;
        let mut stream = TcpStream::connect(mock.addr()).await.unwrap();
        // Three requests 400 ms apart: longer than the idle timeout in all, but each pause
        // shorter, so the connection is kept (the clock restarts at each reply).
        let mut last_sent = Instant::now();
        for _ in 0..3 {
            last_sent = Instant::now();
            stream.write_all(&get_repo_request(&mock)).await.unwrap();
            let (head, _) = read_response(&mut stream).await;
            assert!(head.starts_with("http/1.1 200") && !head.contains("connection: close"), "{head}");
            sleep(Duration::from_millis(400)).await;
        }
        assert_eq!(mock.requests("GetRepo"), 3);
        assert_eq!(until_closed(&mut stream).await, "", "closed without a word");
        // The last reply came after the last request was sent, and the idle clock after it.
        assert!(last_sent.elapsed() >= idle, "closed {:?} after the last request", last_sent.elapsed());
    })
    .await
    .expect("in time");
}

#[tokio::test]
async fn at_the_cap_the_longest_idle_client_makes_room_and_a_request_being_read_is_never_dropped() {
    timeout(LIMIT, async {
        // No clock acts here: only the cap decides who is closed.
        let mock = mock_with(|b| b.max_connections(3)).await;
        // Three slow clients fill the three slots: one in a request (head sent, body not),
        // one idle, one half-way through a head.
        let mut half_body = TcpStream::connect(mock.addr()).await.unwrap();
        half_body.write_all(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 500\r\n\r\nAction=").await.unwrap();
        while mock.max_in_flight() == 0 {
            sleep(Duration::from_millis(5)).await;
        }
        let mut idle = TcpStream::connect(mock.addr()).await.unwrap();
        let mut half_head = TcpStream::connect(mock.addr()).await.unwrap();
        half_head.write_all(b"POST / HTTP/1.1\r\nHost: 127.0").await.unwrap();

        // A fourth client is accepted at once: the idle one made room.
        let mut fourth = TcpStream::connect(mock.addr()).await.unwrap();
        assert_eq!(until_closed(&mut idle).await, "", "the idle client is closed without a word");
        // An SDK call after it: the fourth, idle since it was accepted, makes room before the
        // client that is at least sending a head, and the request being read stays.
        let repos = client(&mock).get_repo().await.expect("answered");
        assert_eq!(repos.total_count, 2);
        assert_eq!(until_closed(&mut fourth).await, "");
        assert!(!is_closed(&half_head), "a client sending its head goes after the idle ones");
        assert!(!is_closed(&half_body), "a request being read is never closed for room");
        assert_eq!(mock.requests("GetRepo"), 1);
        assert_eq!(mock.max_open_connections(), 3, "the cap was reached and held");

        // The request in progress is finished and answered on its own connection.
        half_body.write_all(&[b'x'; 493]).await.unwrap();
        let (head, body) = read_response(&mut half_body).await;
        assert!(head.starts_with("http/1.1 200"), "{head}");
        assert!(body.contains("RetCode"), "{body}");
        assert!(mock.max_open_connections() <= 3);
    })
    .await
    .expect("in time");
}

#[tokio::test]
async fn idle_sockets_held_by_one_process_do_not_keep_another_client_waiting() {
    timeout(LIMIT, async {
        // The default limits: 256 connections, a minute before an idle one is closed.
        let mock = MockUHub::builder().seed_demo().start().await.expect("the mock starts");
        let mut idle = Vec::new();
        for _ in 0..300 {
            idle.push(TcpStream::connect(mock.addr()).await.unwrap());
        }
        // Another client, after all of them: the longest-idle sockets make room for it.
        let answered = timeout(Duration::from_secs(2), client(&mock).get_repo()).await;
        let repos = answered.expect("answered within 2 s").expect("answered");
        assert_eq!(repos.total_count, 2);
        assert!(mock.max_open_connections() <= 256, "the cap held: {}", mock.max_open_connections());
        // The room came from the idle sockets that waited longest: the first ones connected.
        let closed = idle.iter().filter(|s| is_closed(s)).count();
        // 300 idle sockets and the SDK's connection for 256 slots: at least 45 idle ones went.
        assert!(closed > 300 - 256, "{closed} idle sockets closed");
        assert!(is_closed(&idle[0]) && !is_closed(&idle[299]), "the oldest went first");
        assert_eq!(mock.requests("GetRepo"), 1);
    })
    .await
    .expect("in time");
}

#[tokio::test]
async fn limits_that_would_stop_the_mock_serving_are_refused() {
    let zero_cap = MockUHub::builder().max_connections(0).start().await.unwrap_err();
    assert_eq!(zero_cap.kind(), ErrorKind::InvalidInput);
    assert!(zero_cap.to_string().contains("max_connections"), "{zero_cap}");
    let zero_idle = MockUHub::builder().idle_timeout(Duration::ZERO).start().await.unwrap_err();
    assert!(zero_idle.to_string().contains("idle_timeout"), "{zero_idle}");
}
