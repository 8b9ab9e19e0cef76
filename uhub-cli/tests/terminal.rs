//! As a person uses it: in a pseudo-terminal the output is a table, a progress bar is drawn on
//! stderr and destructive commands ask before acting. (Through a pipe the output is JSON and
//! nothing prompts: see commands.rs and prune.rs.)

mod support;

use std::time::Duration;

use support::pty::Terminal;
use support::{DAY, Uhub, now, tag_names};
use uhub_mock::{Fault, FaultRule, Image, MockHandle, MockUHub, Repo};

async fn app() -> MockHandle {
    let t = now();
    let image = Image::new("app")
        .tag_at("v1", t - 40 * DAY)
        .tag_at("v2", t - 30 * DAY)
        .tag_at("v3", t - 20 * DAY)
        .tag_at("v4", t - DAY)
        .alias("latest", "v4");
    let mock = MockUHub::builder().repo(Repo::new("r").image(image)).start().await.unwrap();
    mock.set_drift(true);
    mock
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_terminal_listings_are_tables() {
    let mock = app().await;
    let mut term = Terminal::start(&Uhub::for_mock(&mock), &["tag", "list", "r/app"]);
    assert_eq!(term.exit_code().await, 0);
    let text = term.text();
    let header = text.lines().find(|l| l.contains("TAG")).unwrap_or_else(|| panic!("no table:\n{text}"));
    assert!(header.contains("PUSHED") && header.contains("DIGEST"), "{header}");
    let v1 = text.lines().find(|l| l.starts_with("v1 ")).unwrap_or_else(|| panic!("no v1 row:\n{text}"));
    assert!(v1.contains("40 days ago") && v1.contains("sha256:"), "{v1}");
    assert!(!text.contains('{'), "no JSON on a terminal:\n{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_listing_draws_a_progress_bar_on_the_terminal() {
    let mock =
        MockUHub::builder().repo(Repo::new("r").image(Image::new("big").numbered_tags(500))).start().await.unwrap();
    mock.inject(FaultRule::new(Fault::Latency(Duration::from_millis(150))).action("GetImageTag"));
    let uhub = Uhub::for_mock(&mock);
    let mut term = Terminal::start(&uhub, &["tag", "list", "r/big", "--concurrency", "1", "--newest", "1"]);
    term.wait_for("/500 tags").await;
    assert!(term.text().contains("listing r/big ["), "{}", term.text());
    assert_eq!(term.exit_code().await, 0);

    // The same with --no-progress draws none.
    let mut quiet =
        Terminal::start(&uhub, &["tag", "list", "r/big", "--concurrency", "1", "--newest", "1", "--no-progress"]);
    assert_eq!(quiet.exit_code().await, 0);
    assert!(!quiet.text().contains("/500 tags"), "{}", quiet.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prune_shows_the_plan_and_deletes_only_after_yes() {
    let mock = app().await;
    let uhub = Uhub::for_mock(&mock);
    let mut term = Terminal::start(&uhub, &["prune", "r/app", "--older-than", "25d", "--apply"]);
    term.wait_for("[y/N]").await;
    let text = term.text();
    assert!(text.contains("Delete 2 tag(s) from 1 image(s)? [y/N]"), "{text}");
    let v1 = text.lines().find(|l| l.contains(" v1 ")).unwrap_or_else(|| panic!("no plan row for v1:\n{text}"));
    assert!(v1.contains("DELETE") && v1.contains("older than 25d"), "{v1}");
    assert_eq!(mock.requests("DeleteRepoImage"), 0, "nothing before the answer");
    term.type_line("y");
    assert_eq!(term.exit_code().await, 0);
    assert!(term.text().contains("deleted 2 of 2 planned deletion(s)"), "{}", term.text());
    assert_eq!(tag_names(&mock, "r", "app").await, ["latest", "v4", "v3"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answering_no_deletes_nothing() {
    let mock = app().await;
    let mut term = Terminal::start(&Uhub::for_mock(&mock), &["tag", "delete", "r/app:v1", "r/app:v2"]);
    term.wait_for("Delete 2 tag(s)? [y/N]").await;
    assert!(term.text().contains("r/app:v1"), "the prompt lists what it deletes");
    term.type_line("n");
    assert_eq!(term.exit_code().await, 7, "declining has its own status");
    assert!(term.text().contains("not confirmed; nothing was changed"), "{}", term.text());
    assert_eq!(mock.requests("DeleteRepoImage"), 0);
}
