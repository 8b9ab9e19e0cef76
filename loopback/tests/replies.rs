//! What each kind of reply puts on the wire, byte for byte.

mod client;

use std::time::{Duration, Instant};

use client::{Client, post};
use uhub_loopback::{Handler, Reply, Server};

#[tokio::test]
async fn a_reply_is_framed_by_its_content_length_and_keeps_the_connection() {
    let server = Server::start(Reply::json(r#"{"RetCode":0}"#)).await;
    let mut client = Client::connect(&server).await;
    for _ in 0..2 {
        let response = client.call("a=1").await;
        assert_eq!(response.head, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 13");
        assert_eq!(response.body, br#"{"RetCode":0}"#);
    }
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn headers_go_out_in_order_and_a_given_framing_header_is_not_doubled() {
    let server = Server::start([
        Reply::redirect(307, "http://127.0.0.1:9/elsewhere").header("Retry-After", "18446744073709551615"),
        Reply::status(200, "abc").header("content-length", "1000000"),
    ])
    .await;
    let mut client = Client::connect(&server).await;
    let moved = client.call("").await;
    assert_eq!(
        moved.head,
        "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:9/elsewhere\r\n\
         Retry-After: 18446744073709551615\r\nContent-Length: 0"
    );
    client.write(&post("", true)).await;
    let lying = client.until_closed().await;
    assert_eq!(lying, b"HTTP/1.1 200 OK\r\ncontent-length: 1000000\r\n\r\nabc");
}

#[tokio::test]
async fn a_chunked_reply_is_cut_into_chunks_of_100_bytes() {
    let body = "x".repeat(250);
    let server = Server::start(Reply::json(&body).chunked()).await;
    let mut client = Client::connect(&server).await;
    client.write(&post("", true)).await;
    let wire = client.until_closed().await;
    let expected = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n\
         64\r\n{a}\r\n64\r\n{a}\r\n32\r\n{b}\r\n0\r\n\r\n",
        a = "x".repeat(100),
        b = "x".repeat(50)
    );
    assert_eq!(String::from_utf8(wire).unwrap(), expected);
}

#[tokio::test]
async fn a_silent_reply_never_comes_and_its_request_stays_in_flight() {
    let server = Server::start([Reply::silent(), Reply::json("{}")]).await;
    let mut first = Client::connect(&server).await;
    first.write(&post("q=1", false)).await;
    // The client's own timeout is what ends the wait.
    assert!(!first.hears_within(Duration::from_millis(300)).await, "a silent server said something");
    assert_eq!(server.request_count(), 1);
    assert_eq!(server.requests()[0].body, b"q=1");

    let mut second = Client::connect(&server).await;
    assert_eq!(second.call("q=2").await.status(), 200);
    assert_eq!(server.max_in_flight(), 2, "the silent request was still in flight");
}

#[tokio::test]
async fn a_delayed_reply_comes_after_its_delay() {
    let server = Server::start(Reply::json("{}").delayed(Duration::from_millis(150))).await;
    let mut client = Client::connect(&server).await;
    let started = Instant::now();
    assert_eq!(client.call("").await.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(150), "answered after {:?}", started.elapsed());
}

#[tokio::test]
async fn a_cut_reply_announces_the_whole_body_sends_part_then_closes() {
    let server =
        Server::start([Reply::status(200, "0123456789").cut_after(4), Reply::json("{}").chunked().cut_after(3)]).await;
    let mut client = Client::connect(&server).await;
    client.write(&post("", false)).await;
    assert_eq!(client.until_closed().await, b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123");

    let mut client = Client::connect(&server).await;
    client.write(&post("", false)).await;
    let wire = client.until_closed().await;
    assert!(wire.ends_with(b"Transfer-Encoding: chunked\r\n\r\n2\r\n"), "{:?}", String::from_utf8_lossy(&wire));
}

#[tokio::test]
async fn an_endless_body_streams_until_the_client_goes_away() {
    let server = Server::start([Reply::json("[").endless("1,"), Reply::json("{}")]).await;
    let mut client = Client::connect(&server).await;
    client.write(&post("", false)).await;
    let wire = client.at_least(3 << 20).await;
    let text = String::from_utf8(wire).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    assert_eq!(head, "HTTP/1.1 200 OK\r\nContent-Type: application/json", "no length is announced");
    assert!(body.len() >= (3 << 20) - head.len() - 4, "it kept streaming: {} bytes", body.len());
    assert!(body.starts_with("[1,1,1,") && body[1..].bytes().all(|b| b == b'1' || b == b','), "{}", &body[..20]);
    drop(client);

    // The server goes on serving others.
    assert_eq!(Client::connect(&server).await.call("").await.body, b"{}");
}

#[tokio::test]
async fn raw_bytes_go_out_exactly_then_the_connection_closes() {
    let absurd = format!("HTTP/1.1 200 OK\r\nX-Long: {}\r\n\r\n{{}}", "a".repeat(100_000));
    let server = Server::start(Reply::raw(&absurd)).await;
    let mut client = Client::connect(&server).await;
    client.write(&post("", false)).await;
    assert_eq!(client.until_closed().await, absurd.as_bytes());
}

#[tokio::test]
async fn a_handler_can_echo_the_request_in_an_error_body() {
    let echo = Handler::new(|request| Reply::status(400, format!("cannot parse: {}", request.body_text())));
    let server = Server::start(echo).await;
    let response = Client::connect(&server).await.call("Action=GetRepo&Signature=abc").await;
    assert_eq!(response.status(), 400);
    assert_eq!(response.body, b"cannot parse: Action=GetRepo&Signature=abc");
}

#[tokio::test]
async fn a_client_asking_to_close_gets_its_reply_then_the_close() {
    let server = Server::start(Reply::status(204, "")).await;
    let mut client = Client::connect(&server).await;
    client.write(&post("", true)).await;
    assert_eq!(client.until_closed().await, b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n");
}
