//! The record comes first: with `--audit-log`, each deletion's intent is on disk before its
//! request leaves, so a log that cannot be written (a full device, a file-size limit, a FIFO
//! nobody reads) stops every destructive command before it deletes anything, with an error
//! naming the file; and no deletion is ever sent with an empty or malformed tag name.

mod support;

use serde_json::Value;
use support::{DAY, Uhub, five, now, tag_names};
use uhub_mock::{Image, MockHandle, MockUHub, Repo};

async fn mock_with(image: Image) -> MockHandle {
    MockUHub::builder().repo(Repo::new("r").image(image)).start().await.expect("mock starts")
}

/// Every destructive command that takes `--audit-log`, with its deleting arguments.
fn destructive(log: &str) -> Vec<Vec<String>> {
    let commands: [&[&str]; 4] = [
        &["prune", "r/app", "--keep-last", "2", "--apply", "--yes"],
        &["tag", "delete", "r/app:v1", "r/app:v2", "--yes"],
        &["image", "delete", "r/app", "--all-tags", "--yes"],
        &["repo", "delete", "r", "--force", "--yes"],
    ];
    commands
        .iter()
        .map(|c| c.iter().map(|s| (*s).to_owned()).chain(["--audit-log".to_owned(), log.to_owned()]).collect())
        .collect()
}

fn deletions(mock: &MockHandle) -> u64 {
    mock.requests("DeleteRepoImage") + mock.requests("DeleteRepo")
}

#[tokio::test]
async fn an_audit_log_on_a_full_device_deletes_nothing_and_names_the_file() {
    for args in destructive("/dev/full") {
        let mock = mock_with(five(now())).await;
        let uhub = Uhub::for_mock(&mock);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = uhub.run(&args).await;
        assert_eq!(run.status, 1, "{args:?}: {run:#?}");
        assert!(run.stderr.contains("audit log /dev/full"), "{args:?}: {}", run.stderr);
        assert_eq!(deletions(&mock), 0, "{args:?}: no deletion is sent without its record");
        assert_eq!(tag_names(&mock, "r", "app").await.len(), 6, "{args:?}");
    }
}

#[tokio::test]
async fn an_audit_log_past_the_file_size_limit_is_an_error_not_a_death() {
    // `ulimit -f 0`: no byte may be added to any file. SIGXFSZ would kill the process at the
    // first write; ignored, the write fails with EFBIG and the command reports it.
    let mock = mock_with(five(now())).await;
    let uhub = Uhub::for_mock(&mock);
    let log = uhub.home().join("audit.jsonl");
    for args in destructive(log.to_str().unwrap()) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = uhub.run_after("ulimit -f 0", &args).await;
        assert_eq!(run.status, 1, "{args:?}: {run:#?}");
        assert!(run.stderr.contains(&format!("audit log {}", log.display())), "{args:?}: {}", run.stderr);
        assert_eq!(deletions(&mock), 0, "{args:?}");
    }
    assert_eq!(std::fs::metadata(&log).unwrap().len(), 0);
}

#[tokio::test]
async fn a_read_only_audit_log_stops_the_command_before_it_deletes() {
    let mock = mock_with(five(now())).await;
    let uhub = Uhub::for_mock(&mock);
    let log = uhub.home().join("audit.jsonl");
    std::fs::write(&log, "").unwrap();
    let mut perms = std::fs::metadata(&log).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&log, perms).unwrap();
    if std::fs::OpenOptions::new().append(true).open(&log).is_ok() {
        eprintln!("skipped: running as root, permissions do not stop writes");
        return;
    }
    let run = uhub
        .run(&["prune", "r/app", "--keep-last", "2", "--apply", "--yes", "--audit-log", log.to_str().unwrap()])
        .await;
    assert_eq!(run.status, 1, "{run:#?}");
    assert!(run.stderr.contains(&format!("audit log {}", log.display())), "{}", run.stderr);
    assert_eq!(deletions(&mock), 0);
}

#[tokio::test]
async fn a_fifo_nobody_reads_as_the_audit_log_is_refused_at_once() {
    let mock = mock_with(five(now())).await;
    let uhub = Uhub::for_mock(&mock);
    let fifo = uhub.home().join("audit.fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    for args in destructive(fifo.to_str().unwrap()) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        // Bounded by support::LIMIT: before the fix, the open waited for a reader forever.
        let run = uhub.run(&args).await;
        assert_eq!(run.status, 1, "{args:?}: {run:#?}");
        assert!(run.stderr.contains("a FIFO that no process is reading"), "{args:?}: {}", run.stderr);
        assert_eq!(deletions(&mock), 0, "{args:?}");
    }
}

#[tokio::test]
async fn each_deletion_s_intent_is_written_before_its_outcome() {
    let mock = mock_with(five(now())).await;
    let uhub = Uhub::for_mock(&mock);
    let log = uhub.home().join("audit.jsonl");
    let args = ["prune", "r/app", "--keep-last", "2", "--apply", "--yes", "--audit-log", log.to_str().unwrap()];
    uhub.run(&args).await.ok_json();
    let lines: Vec<Value> =
        std::fs::read_to_string(&log).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 6, "{lines:#?}");
    assert_eq!(mock.requests("DeleteRepoImage"), 3);
    for reference in ["r/app:v1", "r/app:v2", "r/app:v3"] {
        let at = |result: &str| {
            lines
                .iter()
                .position(|l| l["reference"] == reference && l["result"] == result)
                .unwrap_or_else(|| panic!("{reference} has no {result} line: {lines:#?}"))
        };
        assert!(at("intent") < at("deleted"), "{reference}: {lines:#?}");
        let intent = &lines[at("intent")];
        assert!(intent["digest"].as_str().unwrap().starts_with("sha256:") && intent["reason"].is_string(), "{intent}");
        assert_eq!(intent["pushed"], lines[at("deleted")]["pushed"], "{intent}");
    }
}

#[tokio::test]
async fn an_empty_tag_name_never_reaches_a_delete() {
    let t = now();
    let image = Image::new("app").tag_at("", t - 60 * DAY).tag_at("v1", t - 50 * DAY).tag_at("v2", t - DAY);
    let mock = mock_with(image).await;
    assert!(tag_names(&mock, "r", "app").await.contains(&String::new()), "the mock holds an empty tag name");
    let run = Uhub::for_mock(&mock).run(&["prune", "r/app", "--keep-last", "1", "--apply", "--yes"]).await;
    assert_eq!(run.status, 4, "{run:#?}");
    let report = run.json();
    let empty = report["tags"].as_array().unwrap().iter().find(|t| t["tag"] == "").expect("the empty tag is reported");
    assert_eq!(empty["result"], "failed", "{empty}");
    assert!(empty["error"].as_str().unwrap().contains("refused: invalid tag name \"\""), "{empty}");
    // v1's deletion only: nothing was sent (not even a re-read) for the empty name.
    assert_eq!(mock.requests("DeleteRepoImage"), 1);
    assert!(mock.removed_tags().iter().all(|r| r.tag == "v1"));
}

#[tokio::test]
async fn the_intent_is_on_disk_while_its_request_is_in_flight() {
    // Each deletion takes a while at the mock: whatever requests it has seen, their intents
    // were in the file before them. Counted first, read second, so no timing is assumed.
    let mock =
        MockUHub::builder().repo(Repo::new("r").image(Image::new("app").numbered_tags(8))).start().await.unwrap();
    let slow = uhub_mock::Fault::Latency(std::time::Duration::from_millis(200));
    mock.inject(uhub_mock::FaultRule::new(slow).action("DeleteRepoImage"));
    let uhub = Uhub::for_mock(&mock);
    let log = uhub.home().join("audit.jsonl");
    let args = [
        "prune",
        "r/app",
        "--keep-last",
        "1",
        "--apply",
        "--yes",
        "--concurrency",
        "1",
        "--audit-log",
        log.to_str().unwrap(),
    ];
    let child = uhub.spawn(&args);
    let started = std::time::Instant::now();
    let mut checked = 0;
    while checked < 3 {
        assert!(started.elapsed() < support::LIMIT, "no deletions arrived");
        let sent = mock.requests("DeleteRepoImage");
        if sent > checked {
            let text = std::fs::read_to_string(&log).unwrap();
            let intents = text.lines().filter(|l| l.contains(r#""result":"intent""#)).count() as u64;
            assert!(intents >= sent, "{sent} deletion(s) sent, {intents} intent(s) on disk:\n{text}");
            checked = sent;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let out = tokio::time::timeout(support::LIMIT, child.wait_with_output()).await.unwrap().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}
