//! `uhub-mock --listen 127.0.0.1:8080 --seed demo`: a fake UHub for testing programs in any
//! language. Prints its URL and key pair, then serves until interrupted.

use std::net::SocketAddr;
use std::process::ExitCode;

use uhub_mock::{DEFAULT_PROJECT, DEMO_PRIVATE_KEY, DEMO_PUBLIC_KEY, MockUHub};

const USAGE: &str = "usage: uhub-mock [--listen ADDR] [--seed demo|empty] [--drift]

  --listen ADDR   address to listen on (default 127.0.0.1:8080; port 0 picks a free one)
  --seed NAME     initial data: `demo` (default) or `empty`
  --drift         serve the drifted shapes the reference pages' examples show";

struct Args {
    listen: SocketAddr,
    demo: bool,
    drift: bool,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args { listen: SocketAddr::from(([127, 0, 0, 1], 8080)), demo: true, drift: false };
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
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(parsed)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(problem) => {
            if !problem.is_empty() {
                eprintln!("uhub-mock: {problem}");
            }
            eprintln!("{USAGE}");
            return if problem.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(2) };
        }
    };
    let mut builder = MockUHub::builder().listen(args.listen).drift(args.drift);
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
