//! Per-call overhead: `GetImageTag` (20 tags) through the SDK against a bare reqwest POST of the
//! same request, signed once, whose reply is only read as bytes; same server, same reqwest
//! settings, each side on its own kept-alive pool. Sequential latency, then 32 concurrent
//! callers. The targets compare the SDK with the bare call followed by the SDK's decoder on its
//! bytes (what any typed client pays); the bare call alone is a report row.

use std::future::Future;
use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use uhub_sdk::GetImageTagResponse;

use crate::measure::{Row, Target, http_client, loopback, median, rotate, runtime, sdk_client, show};
use crate::tags;

const TAGS: usize = 20;
const ROUNDS: usize = 7;
const CALLS: usize = 400;
// Rounds of 800 calls take about 20 ms a side: enough of them that one disturbed by a
// neighbour on a shared machine does not move the median.
const THROUGHPUT_ROUNDS: usize = 21;
const CALLERS: usize = 32;
const CALLS_PER_CALLER: usize = 25;

/// The sides compared. The third, the bare call followed by the SDK's decoder on its bytes,
/// tells the cost of decoding (which any typed client pays) from that of the rest of the SDK.
#[derive(Clone, Copy)]
enum Side {
    Sdk,
    Bare,
    BareDecode,
}

const SIDES: [Side; 3] = [Side::Sdk, Side::Bare, Side::BareDecode];

struct Clients {
    sdk: uhub_sdk::Client,
    bare: Bare,
}

impl Clients {
    /// Both clients of `url`, the bare one sending what the SDK's own dry run says it sends.
    fn new(url: &str) -> Result<Self, String> {
        let sdk = sdk_client(url)?;
        let bare = Bare::new(&sdk)?;
        Ok(Clients { sdk, bare })
    }

    async fn call(&self, side: Side) -> Result<(), String> {
        match side {
            Side::Sdk => sdk_call(&self.sdk).await,
            Side::Bare => self.bare.call(false).await,
            Side::BareDecode => self.bare.call(true).await,
        }
    }
}

pub fn run() -> Result<Vec<Row>, String> {
    let reply = tags::page(TAGS, 0, TAGS);
    let server = loopback(uhub_loopback::Reply::json(&reply))?;
    let rt = runtime()?;
    let clients = &Clients::new(&server.url())?;

    // Open the pools (one connection, then one per concurrent caller) before timing anything.
    rt.block_on(async {
        for side in SIDES {
            for _ in 0..50 {
                clients.call(side).await?;
            }
            throughput(|| clients.call(side)).await?;
        }
        Ok::<_, String>(())
    })?;

    let [s, b, d] = rt.block_on(latencies(clients))?;
    let us = |v: f64| show(Duration::from_secs_f64(v));
    // The targets compare the SDK with the bare call plus the same decoding, which any typed
    // client pays; the SDK against the bare call alone is shown for what decoding adds.
    let mut rows = vec![
        Row::ratio(
            "per-call latency",
            "sdk/(bare+decode)",
            s / d,
            Target::AtMost(1.05),
            format!(
                "sdk {}  bare+decode {}  median of {ROUNDS} rounds x {CALLS} calls each, the sides taking turns call by call",
                us(s),
                us(d)
            ),
        ),
        Row::report(
            "  with decoding",
            "sdk/bare",
            s / b,
            format!(
                "bare {}: the same POST, its reply only read (the SDK's decoder alone takes {})",
                us(b),
                show(decode_alone(&reply)?)
            ),
        ),
    ];

    let rt = &rt;
    let [mut sdk, mut bare, mut decoded] = SIDES.map(|side| move || rt.block_on(throughput(|| clients.call(side))));
    let values = rotate(THROUGHPUT_ROUNDS, &mut [&mut sdk, &mut bare, &mut decoded])?;
    let [s, b, d] = [0, 1, 2].map(|i| median(&values[i]));
    rows.push(Row::ratio(
        "32 callers",
        "sdk/(bare+decode) throughput",
        s / d,
        Target::AtLeast(0.95),
        format!(
            "sdk {s:.0} calls/s  bare+decode {d:.0} calls/s  on one client thread, median of {THROUGHPUT_ROUNDS} rounds x {} calls",
            CALLERS * CALLS_PER_CALLER
        ),
    ));
    rows.push(Row::report("  with decoding", "sdk/bare throughput", s / b, format!("bare {b:.0} calls/s")));
    Ok(rows)
}

/// `uhub-bench call-one-side SIDE CALLS`: only `CALLS` sequential calls of one side (`sdk`,
/// `bare` or `bare+decode`), for a profiler or `perf stat -e instructions` to compare sides
/// without the other sides in the same process.
pub const ONE_SIDE_COMMAND: &str = "call-one-side";

pub fn one_side(side: &str, calls: &str) -> Result<(), String> {
    let side = match side {
        "sdk" => Side::Sdk,
        "bare" => Side::Bare,
        "bare+decode" => Side::BareDecode,
        other => return Err(format!("unknown side {other:?}: sdk, bare or bare+decode")),
    };
    let calls: usize = calls.parse().map_err(|_| format!("not a number of calls: {calls:?}"))?;
    let reply = tags::page(TAGS, 0, TAGS);
    let server = loopback(uhub_loopback::Reply::json(&reply))?;
    let clients = Clients::new(&server.url())?;
    runtime()?.block_on(async {
        for _ in 0..calls {
            clients.call(side).await?;
        }
        Ok(())
    })
}

async fn sdk_call(client: &uhub_sdk::Client) -> Result<(), String> {
    let reply = client.get_image_tag("bench-repo", "bench-image").send().await.map_err(|e| e.to_string())?;
    if reply.tag_set.len() != TAGS {
        return Err(format!("the SDK read {} tags, not {TAGS}", reply.tag_set.len()));
    }
    Ok(())
}

/// The request a program would make by hand: the SDK's URL, headers and body, the form signed
/// once. Only the timestamp header is made afresh for each call, as it must be.
struct Bare {
    http: reqwest::Client,
    url: String,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Bare {
    /// The bare side of `sdk`: the request its dry run of the measured call lists, so that both
    /// sides put the same bytes on the wire (the protocol's headers cost the same either way;
    /// what is measured is everything else).
    fn new(sdk: &uhub_sdk::Client) -> Result<Self, String> {
        let signed = sdk.get_image_tag("bench-repo", "bench-image").signed_request().map_err(|e| e.to_string())?;
        let mut headers = reqwest::header::HeaderMap::new();
        for (name, value) in signed.headers() {
            if !name.eq_ignore_ascii_case(TIMESTAMP.as_str()) {
                let value = value.parse().map_err(|e| format!("header {name}: {e}"))?;
                headers.insert(reqwest::header::HeaderName::try_from(name.as_str()).map_err(|e| e.to_string())?, value);
            }
        }
        if headers.len() + 1 != signed.headers().len() {
            return Err(format!("the SDK's dry run lists no {TIMESTAMP} header: {:?}", signed.headers()));
        }
        Ok(Bare { http: http_client()?, url: signed.url().to_owned(), headers, body: signed.body() })
    }

    /// One POST of the pre-signed form, its reply read as bytes and, if `decode`, decoded.
    async fn call(&self, decode: bool) -> Result<(), String> {
        let now_ms = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis() as u64;
        let response = self
            .http
            .post(&self.url)
            .headers(self.headers.clone())
            .header(TIMESTAMP, now_ms)
            .body(self.body.clone())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("bare call: HTTP {}", response.status()));
        }
        let bytes = response.bytes().await.map_err(|e| e.to_string())?;
        if decode {
            let reply = uhub_sdk::runtime::response::<GetImageTagResponse>("GetImageTag", &bytes, None);
            black_box(reply.map_err(|e| e.to_string())?);
        }
        Ok(())
    }
}

/// The header UCloud's SDKs stamp each request with, in milliseconds since 1970.
const TIMESTAMP: reqwest::header::HeaderName = reqwest::header::HeaderName::from_static("u-timestamp-ms");

/// What the SDK's decoding of one reply costs by itself: the median of a few rounds of 1,000.
fn decode_alone(reply: &[u8]) -> Result<Duration, String> {
    let mut rounds = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        for _ in 0..1000 {
            let r = uhub_sdk::runtime::response::<GetImageTagResponse>("GetImageTag", black_box(reply), None);
            black_box(r.map_err(|e| e.to_string())?);
        }
        rounds.push(started.elapsed().as_secs_f64() / 1000.0);
    }
    Ok(Duration::from_secs_f64(median(&rounds)))
}

/// Median call latency of each side, in seconds: in each round every side makes `CALLS`
/// sequential calls, taking turns call by call (who goes first rotates), so that all sides see
/// the same moments of a noisy machine; the median of the rounds' medians.
async fn latencies(clients: &Clients) -> Result<[f64; 3], String> {
    let mut rounds: [Vec<f64>; 3] = Default::default();
    for _ in 0..ROUNDS {
        let mut each: [Vec<f64>; 3] = Default::default();
        for i in 0..CALLS {
            for k in 0..SIDES.len() {
                let s = (i + k) % SIDES.len();
                let started = Instant::now();
                clients.call(SIDES[s]).await?;
                each[s].push(started.elapsed().as_secs_f64());
            }
        }
        for s in 0..SIDES.len() {
            rounds[s].push(median(&each[s]));
        }
    }
    Ok(rounds.map(|r| median(&r)))
}

/// Calls per second of `CALLERS` concurrent callers making `CALLS_PER_CALLER` calls each.
async fn throughput<F: Future<Output = Result<(), String>>>(call: impl Fn() -> F) -> Result<f64, String> {
    let started = Instant::now();
    let callers = (0..CALLERS).map(|_| async {
        for _ in 0..CALLS_PER_CALLER {
            call().await?;
        }
        Ok::<_, String>(())
    });
    futures::future::try_join_all(callers).await?;
    Ok((CALLERS * CALLS_PER_CALLER) as f64 / started.elapsed().as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bare side is the SDK's request made by hand: the same method, path, headers (in any
    /// order) and body, only the timestamp's value its own; so the ratios measure the SDK's
    /// machinery, not a smaller request.
    #[test]
    fn both_sides_send_the_same_request() {
        let server = uhub_loopback::Server::builder()
            .on_thread(uhub_loopback::Reply::json(tags::page(TAGS, 0, TAGS)))
            .expect("loopback server");
        let clients = Clients::new(&server.url()).unwrap();
        runtime().unwrap().block_on(async {
            clients.call(Side::Sdk).await.unwrap();
            clients.call(Side::BareDecode).await.unwrap();
        });
        let [sdk, bare] = <[_; 2]>::try_from(server.requests()).expect("two requests");
        let sorted = |r: &uhub_loopback::Received| {
            let mut headers: Vec<_> = r.headers.iter().filter(|(n, _)| n != TIMESTAMP.as_str()).cloned().collect();
            headers.sort();
            (r.method.clone(), r.path.clone(), headers, r.body.clone())
        };
        assert_eq!(sorted(&sdk), sorted(&bare));
        assert!(sdk.body_text().contains("&Signature="), "{}", sdk.body_text());
        for request in [&sdk, &bare] {
            let stamp = request.header(TIMESTAMP.as_str()).expect("a timestamp header");
            assert!(stamp.len() == 13 && stamp.bytes().all(|b| b.is_ascii_digit()), "{stamp}");
            assert!(request.header("user-agent").is_some_and(|ua| ua.starts_with("uhub-sdk")), "{request:?}");
        }
    }
}
