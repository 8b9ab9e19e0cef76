//! What the server records and counts, and how it starts and stops.

mod client;

use std::io::{Read as _, Write as _};
use std::time::Duration;

use client::{Client, LIMIT, bounded, post};
use uhub_loopback::{Handler, Reply, Server};

#[tokio::test]
async fn a_script_answers_in_order_of_arrival_and_repeats_its_last_reply() {
    let server = Server::start(vec![Reply::status(503, "a"), Reply::status(429, "b"), Reply::json("c")]).await;
    let mut one = Client::connect(&server).await;
    let mut two = Client::connect(&server).await;
    let statuses = [
        one.call("").await.status(),
        two.call("").await.status(),
        one.call("").await.status(),
        two.call("").await.status(),
        one.call("").await.status(),
    ];
    assert_eq!(statuses, [503, 429, 200, 200, 200]);
}

#[tokio::test]
async fn every_request_is_recorded_with_its_connection_and_place() {
    let server = Server::start(Reply::json("{}")).await;
    let mut one = Client::connect(&server).await;
    one.write(b"POST /x?y=1 HTTP/1.1\r\nHost: h\r\nX-Mixed-Case:  Value Kept \r\nContent-Length: 5\r\n\r\nhello").await;
    one.response().await;
    let mut two = Client::connect(&server).await;
    two.call("second").await;
    one.write(b"GET http://uhub.invalid/ HTTP/1.1\r\nHost: uhub.invalid\r\n\r\n").await;
    one.response().await;

    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    let first = &requests[0];
    assert_eq!((first.method.as_str(), first.path.as_str(), first.version.as_str()), ("POST", "/x?y=1", "HTTP/1.1"));
    assert_eq!(
        first.headers,
        [("host", "h"), ("x-mixed-case", "Value Kept"), ("content-length", "5")]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
    );
    assert_eq!(first.header("X-MIXED-CASE"), Some("Value Kept"));
    assert_eq!(first.body, b"hello");
    assert_eq!(
        requests.iter().map(|r| (r.index, r.connection, r.body_text().into_owned())).collect::<Vec<_>>(),
        [(0, 0, "hello".to_owned()), (1, 1, "second".to_owned()), (2, 0, String::new())]
    );
    assert_eq!(requests[2].request_line(), "GET http://uhub.invalid/ HTTP/1.1");
    assert_eq!((server.connections(), server.request_count()), (2, 3));
}

#[tokio::test]
async fn a_kept_alive_connection_is_counted_once() {
    let server = Server::start(Reply::json("{}")).await;
    let mut client = Client::connect(&server).await;
    for _ in 0..5 {
        client.call("").await;
    }
    assert_eq!((server.connections(), server.request_count()), (1, 5));
    assert!(server.requests().iter().all(|r| r.connection == 0));
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_counted_but_has_no_request() {
    let server = Server::start(Reply::json("{}")).await;
    let _idle = Client::connect(&server).await;
    Client::connect(&server).await.call("").await;
    assert_eq!((server.connections(), server.request_count()), (2, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_peak_of_requests_in_flight_is_kept() {
    let server = Server::start(Reply::json("{}").delayed(Duration::from_millis(300))).await;
    let mut clients = Vec::new();
    for _ in 0..3 {
        clients.push(Client::connect(&server).await);
    }
    // All three requests are out before the first answer can come.
    for client in &mut clients {
        client.write(&post("", false)).await;
    }
    for client in &mut clients {
        client.response().await;
    }
    clients[0].call("").await;
    assert_eq!(server.max_in_flight(), 3);
    assert_eq!(server.request_count(), 4);
}

#[tokio::test]
async fn with_recording_off_the_counters_still_count_and_handlers_still_see_requests() {
    let scripted = Server::builder().record(false).start([Reply::status(201, ""), Reply::json("{}")]).await;
    let mut client = Client::connect(&scripted).await;
    assert_eq!([client.call("").await.status(), client.call("").await.status()], [201, 200]);
    assert!(scripted.requests().is_empty());
    assert_eq!((scripted.connections(), scripted.request_count(), scripted.max_in_flight()), (1, 2, 1));

    let echo = Handler::new(|request| Reply::status(200, request.body_text().as_bytes()));
    let echoing = Server::builder().record(false).start(echo).await;
    assert_eq!(Client::connect(&echoing).await.call("said").await.body, b"said");
    assert!(echoing.requests().is_empty());
}

#[tokio::test]
async fn a_handler_sees_the_request_it_answers() {
    let server = Server::start(Handler::new(|request| {
        Reply::status(200, format!("{} {} #{}", request.method, request.body_text(), request.index))
    }))
    .await;
    let mut client = Client::connect(&server).await;
    assert_eq!(client.call("one").await.body, b"POST one #0");
    assert_eq!(client.call("two").await.body, b"POST two #1");
}

#[tokio::test]
async fn dropping_the_server_closes_its_connections_and_its_port() {
    let server = Server::start(Reply::silent()).await;
    let addr = server.addr();
    let mut waiting = Client::connect(&server).await;
    waiting.write(&post("", false)).await;
    bounded(async {
        while server.request_count() == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    drop(server);

    assert!(waiting.until_closed().await.is_empty(), "the silent connection ends with nothing said");
    bounded(async {
        while tokio::net::TcpStream::connect(addr).await.is_ok() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
}

#[test]
fn a_server_on_its_own_thread_serves_a_plain_thread_and_stops_when_dropped() {
    let server = Server::on_thread([Reply::json("{}"), Reply::silent()]).expect("server thread");
    let mut stream = std::net::TcpStream::connect(server.addr()).unwrap();
    stream.set_read_timeout(Some(LIMIT)).unwrap();
    stream.write_all(&post("ping", false)).unwrap();
    let expected = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
    let mut reply = vec![0u8; expected.len()];
    stream.read_exact(&mut reply).unwrap();
    assert_eq!(reply, expected);
    stream.write_all(&post("unanswered", false)).unwrap();
    while server.request_count() < 2 {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(server.requests()[1].body, b"unanswered");

    drop(server); // joins the thread, so everything is closed by now
    let mut rest = Vec::new();
    assert_eq!(stream.read_to_end(&mut rest).map(|_| rest.len()).unwrap_or(0), 0);
}
