//! Confirmations that fit the damage, in a pseudo-terminal: keys typed before the question do
//! not answer it, large deletions ask for a name to be typed, the prompt shows what and why
//! even when stdout is piped, declining has its own status, and Ctrl-C mid-run still reports.

mod support;

use std::time::Duration;

use support::pty::Terminal;
use support::{DAY, LIMIT, Uhub, now, tag_names};
use uhub_mock::{Fault, FaultRule, Image, MockHandle, MockUHub, Repo};

async fn old_tags(count: usize) -> MockHandle {
    let t = now();
    let mut image = Image::new("app");
    for i in 0..count {
        image = image.tag_at(format!("v{i}"), t - (60 - i as i64 % 50) * DAY);
    }
    let mock = MockUHub::builder().repo(Repo::new("r").image(image.tag_at("new", t - 3600))).start().await.unwrap();
    mock.set_drift(true);
    mock
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_typed_before_the_question_do_not_answer_it() {
    let mock = old_tags(3).await;
    // A slow listing: the user presses y and Enter while it runs.
    mock.inject(FaultRule::new(Fault::Latency(Duration::from_millis(600))).action("GetImageTag").times(1));
    let mut term = Terminal::start(&Uhub::for_mock(&mock), &["prune", "r/app", "--older-than", "1d", "--apply"]);
    term.type_line("y");
    term.wait_for("[y/N]").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(mock.requests("DeleteRepoImage"), 0, "the early y was discarded; the prompt still waits");
    term.type_line("n");
    assert_eq!(term.exit_code().await, 7);
    assert!(term.text().contains("not confirmed; nothing was changed"), "{}", term.text());
    assert_eq!(mock.requests("DeleteRepoImage"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_many_tags_asks_for_the_repository_name() {
    let mock = old_tags(60).await;
    let uhub = Uhub::for_mock(&mock);
    let args = ["prune", "r/app", "--older-than", "1d", "--apply"];
    let mut term = Terminal::start(&uhub, &args);
    term.wait_for("Type r to confirm: ").await;
    assert!(term.text().contains("Delete 60 tag(s) from 1 image(s)? Type r to confirm:"), "{}", term.text());
    term.type_line("y");
    assert_eq!(term.exit_code().await, 7, "y is not the name");
    assert_eq!(mock.requests("DeleteRepoImage"), 0);

    let mut term = Terminal::start(&uhub, &args);
    term.wait_for("Type r to confirm: ").await;
    term.type_line("r");
    assert_eq!(term.exit_code().await, 0, "{}", term.text());
    assert_eq!(tag_names(&mock, "r", "app").await, ["new"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_repository_asks_for_its_name() {
    let mock = old_tags(2).await;
    let mut term = Terminal::start(&Uhub::for_mock(&mock), &["repo", "delete", "r", "--force"]);
    term.wait_for("Type r to confirm: ").await;
    assert!(term.text().contains("r/app"), "the prompt lists the images: {}", term.text());
    term.type_line("r");
    assert_eq!(term.exit_code().await, 0, "{}", term.text());
    assert_eq!(mock.requests("DeleteRepo"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_stdout_piped_the_prompt_still_shows_what_and_why() {
    let mock = old_tags(2).await;
    let uhub = Uhub::for_mock(&mock);
    let out = uhub.home().join("report.json");
    let command = uhub.pty_command_stdout_to(&["prune", "r/app", "--older-than", "1d", "--apply"], &out);
    let mut term = Terminal::spawn(command, 200);
    term.wait_for("[y/N]").await;
    let text = term.text();
    let v0 = text.lines().find(|l| l.contains("r/app:v0")).unwrap_or_else(|| panic!("no v0 line:\n{text}"));
    assert!(v0.contains("sha256:") && v0.contains("older than 1d"), "what and why: {v0}");
    term.type_line("y");
    assert_eq!(term.exit_code().await, 0, "{}", term.text());
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(report["summary"]["deleted"], 2);
    assert_eq!(report["summary"]["dry_run"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_mid_run_finishes_those_in_flight_and_prints_the_report() {
    let mock = old_tags(40).await;
    mock.inject(FaultRule::new(Fault::Latency(Duration::from_millis(150))).action("DeleteRepoImage"));
    let args = ["prune", "r/app", "--older-than", "1d", "--apply", "--yes", "--concurrency", "2"];
    let mut term = Terminal::start(&Uhub::for_mock(&mock), &args);
    let started = std::time::Instant::now();
    while mock.requests("DeleteRepoImage") < 4 {
        assert!(started.elapsed() < LIMIT, "no deletions started: {}", term.text());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    term.press(b"\x03");
    assert_eq!(term.exit_code().await, 130, "{}", term.text());
    let removed = mock.removed_tags().len();
    assert!((4..40).contains(&removed), "{removed} deleted");
    let text = term.text();
    assert!(text.contains(&format!("deleted {removed}; ")), "the report counts what was deleted: {text}");
    assert!(text.contains("not_started") && text.contains("not started"), "{text}");
    assert_eq!(tag_names(&mock, "r", "app").await.len(), 41 - removed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_at_the_prompt_deletes_nothing_and_exits_130() {
    let mock = old_tags(3).await;
    let mut term = Terminal::start(&Uhub::for_mock(&mock), &["prune", "r/app", "--older-than", "1d", "--apply"]);
    term.wait_for("[y/N]").await;
    term.press(b"\x03");
    assert_eq!(term.exit_code().await, 130, "{}", term.text());
    assert!(term.text().contains("uhub: error: interrupted"), "{}", term.text());
    assert_eq!(mock.requests("DeleteRepoImage"), 0);
}
