//! `uhub-mock --listen 127.0.0.1:8080 --seed demo`: a fake UHub for testing programs in any
//! language. Prints its URL and key pair, then serves until interrupted.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use uhub_mock::{
    DEFAULT_BODY_READ_DEADLINE, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS,
    DEFAULT_PROJECT, DEMO_PRIVATE_KEY, DEMO_PUBLIC_KEY, MockUHub,
};

fn usage() -> String {
    format!(
        "usage: uhub-mock [--listen ADDR] [--seed demo|empty] [--drift] [limits]

  --listen ADDR           address to listen on (default 127.0.0.1:8080; port 0 picks a free one)
  --seed NAME             initial data: `demo` (default) or `empty`
  --drift                 serve the drifted shapes the reference pages' examples show

limits (seconds may have decimals, e.g. 0.5):
  --header-timeout SECS   close a connection whose request head takes longer (default {})
  --body-deadline SECS    answer 408 and close when a request body takes longer (default {})
  --idle-timeout SECS     close a connection left without a request this long (default {})
  --max-connections N     connections served at once; more wait to be accepted (default {})",
        DEFAULT_HEADER_READ_TIMEOUT.as_secs_f64(),
        DEFAULT_BODY_READ_DEADLINE.as_secs_f64(),
        DEFAULT_IDLE_TIMEOUT.as_secs_f64(),
        DEFAULT_MAX_CONNECTIONS,
    )
}

struct Args {
    listen: SocketAddr,
    demo: bool,
    drift: bool,
    header_timeout: Duration,
    body_deadline: Duration,
    idle_timeout: Duration,
    max_connections: usize,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args {
        listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
        demo: true,
        drift: false,
        header_timeout: DEFAULT_HEADER_READ_TIMEOUT,
        body_deadline: DEFAULT_BODY_READ_DEADLINE,
        idle_timeout: DEFAULT_IDLE_TIMEOUT,
        max_connections: DEFAULT_MAX_CONNECTIONS,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => {
                let value = args.next().ok_or("--listen needs an address such as 127.0.0.1:8080")?;
                parsed.listen = value.parse().map_err(|e| format!("--listen {value}: {e}"))?;
            }
            "--seed" => match args.next().as_deref() {
                Some("demo") => parsed.demo = true,
                Some("empty") => parsed.demo = false,
                other => return Err(format!("--seed takes `demo` or `empty`, not {other:?}")),
            },
            "--drift" => parsed.drift = true,
            "--header-timeout" => parsed.header_timeout = seconds(&arg, args.next())?,
            "--body-deadline" => parsed.body_deadline = seconds(&arg, args.next())?,
            "--idle-timeout" => parsed.idle_timeout = seconds(&arg, args.next())?,
            "--max-connections" => {
                let value = args.next();
                parsed.max_connections =
                    value.as_deref().and_then(|v| v.parse().ok()).filter(|n| *n > 0).ok_or_else(|| {
                        format!("--max-connections takes a whole number of at least 1, not {value:?}")
                    })?;
            }
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(parsed)
}

/// A flag's value as a duration longer than zero.
fn seconds(flag: &str, value: Option<String>) -> Result<Duration, String> {
    value
        .as_deref()
        .and_then(|v| v.parse::<f64>().ok())
        .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("{flag} takes a number of seconds above 0, such as 30 or 0.5, not {}", shown(&value)))
}

fn shown(value: &Option<String>) -> String {
    value.as_ref().map_or_else(|| "nothing".to_owned(), |v| format!("{v:?}"))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(problem) => {
            if !problem.is_empty() {
                eprintln!("uhub-mock: {problem}");
            }
            eprintln!("{}", usage());
            return if problem.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(2) };
        }
    };
    let mut builder = MockUHub::builder()
        .listen(args.listen)
        .drift(args.drift)
        .header_read_timeout(args.header_timeout)
        .body_read_deadline(args.body_deadline)
        .idle_timeout(args.idle_timeout)
        .max_connections(args.max_connections);
    if args.demo {
        builder = builder.seed_demo();
    }
    let mock = match builder.start().await {
        Ok(mock) => mock,
        Err(e) => {
            eprintln!("uhub-mock: cannot listen on {}: {e}", args.listen);
            return ExitCode::FAILURE;
        }
    };
    println!("uhub-mock listening on {}", mock.base_url());
    println!("  public key:  {DEMO_PUBLIC_KEY}");
    println!("  private key: {DEMO_PRIVATE_KEY}");
    println!("  project:     {DEFAULT_PROJECT} (used when a request has no ProjectId)");
    println!("press Ctrl-C to stop");
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("uhub-mock: cannot wait for Ctrl-C: {e}");
    }
    mock.shutdown().await;
    ExitCode::SUCCESS
}
