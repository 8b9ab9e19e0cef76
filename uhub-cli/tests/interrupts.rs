//! Every read can be interrupted and is bounded: `tag delete -` on a stdin that never closes
//! ends at `--timeout` (status 5), SIGINT and SIGTERM (status 130), and one that never ends is
//! refused at its cap; a FIFO or a device named as a plan is refused before it is opened. Every
//! wait here is bounded by `support::LIMIT`; nothing is timed.

mod support;

use std::time::{Duration, Instant};

use support::{Uhub, five, now};
use tokio::io::AsyncWriteExt as _;
use uhub_mock::{MockHandle, MockUHub, Repo};

async fn mock() -> MockHandle {
    MockUHub::builder().repo(Repo::new("r").image(five(now()))).start().await.expect("mock starts")
}

#[tokio::test]
async fn tag_delete_from_a_stdin_that_never_closes_ends_at_the_timeout() {
    let mock = mock().await;
    // Before the fix the read held the runtime's only thread: --timeout never fired and this
    // run hit support::LIMIT.
    let run = Uhub::for_mock(&mock).run_with_stdin_open(&["tag", "delete", "-", "--yes", "--timeout", "2s"]).await;
    assert_eq!(run.status, 5, "{run:#?}");
    assert!(run.stderr.contains("gave up after --timeout 2s"), "{}", run.stderr);
    assert_eq!(mock.requests("DeleteRepoImage"), 0);
}

/// Whether `pid` has started a second thread: `uhub` installs its signal handlers before it
/// starts the thread that reads stdin, so from then on a signal is a stop, not a death.
fn reading_stdin(pid: u32) -> bool {
    std::fs::read_dir(format!("/proc/{pid}/task")).map(|tasks| tasks.count() >= 2).unwrap_or(false)
}

async fn signalled_while_reading_stdin(signal: &str) {
    let mock = mock().await;
    let uhub = Uhub::for_mock(&mock);
    let (child, mut stdin) = uhub.spawn_with_stdin(&["tag", "delete", "-", "--yes"]);
    stdin.write_all(b"r/app:v1\n").await.unwrap();
    let pid = child.id().unwrap();
    let started = Instant::now();
    while !reading_stdin(pid) {
        assert!(started.elapsed() < support::LIMIT, "uhub never read stdin");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(std::process::Command::new("kill").args([signal, &pid.to_string()]).status().unwrap().success());
    let out = tokio::time::timeout(support::LIMIT, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("{signal} did not stop uhub reading stdin"))
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{signal}: {stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert_eq!(mock.requests("DeleteRepoImage"), 0);
    drop(stdin);
}

#[tokio::test]
async fn tag_delete_from_a_stdin_that_never_closes_ends_at_sigint() {
    signalled_while_reading_stdin("-INT").await;
}

#[tokio::test]
async fn tag_delete_from_a_stdin_that_never_closes_ends_at_sigterm() {
    signalled_while_reading_stdin("-TERM").await;
}

#[tokio::test]
async fn tag_delete_from_an_endless_stdin_is_refused_at_its_cap() {
    let mock = mock().await;
    let zero = std::fs::File::open("/dev/zero").unwrap();
    let run = Uhub::for_mock(&mock).run_with_stdin_from(&["tag", "delete", "-", "--yes"], zero).await;
    assert_eq!(run.status, 2, "{run:#?}");
    assert!(run.stderr.contains("stdin: more than 16 MiB"), "{}", run.stderr);
    assert_eq!(mock.total_requests(), 0);
}

#[tokio::test]
async fn a_fifo_or_a_device_as_the_plan_is_refused_before_it_is_opened() {
    let mock = mock().await;
    let uhub = Uhub::for_mock(&mock);
    let fifo = uhub.home().join("plan.fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    for path in [fifo.to_str().unwrap(), "/dev/zero"] {
        // Before the fix: a FIFO waited for a writer forever, /dev/zero grew until memory ran out.
        let run = uhub.run(&["prune", "--plan-in", path, "--apply", "--yes", "--timeout", "2s"]).await;
        assert_eq!(run.status, 2, "{path}: {run:#?}");
        assert!(run.stderr.contains(&format!("plan {path}: not a regular file")), "{}", run.stderr);
    }
    assert_eq!(mock.total_requests(), 0);
}
