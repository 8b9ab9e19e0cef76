//! Text from the service is shown, never obeyed: names, descriptions, digests and error
//! messages holding escape sequences, BEL, lone CRs, newlines or bidi overrides reach the
//! terminal as visible escapes (tables, prompts, errors), `-q` refuses to split a name across
//! lines, and JSON keeps them exact. Plus the layout promises: a narrow terminal shrinks times,
//! never names or digests, and a push time in the future is flagged.

mod support;

use serde_json::json;
use support::pty::{Terminal, assert_inert};
use support::{DAY, Uhub, client, now, tag_names};
use uhub_loopback::{Handler, Reply, Server};
use uhub_mock::{Image, MockHandle, MockUHub, Repo};

/// Sets the window title, clears the screen, forges a row with a lone CR, reverses text.
const HOSTILE: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2Jok\rforged \u{202e}gpj.exe";

async fn mock_with(image: Image) -> MockHandle {
    let mock = MockUHub::builder().repo(Repo::new("r").image(image)).start().await.unwrap();
    mock.set_drift(true);
    mock
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_planted_description_is_shown_escaped_in_repo_list() {
    let mock = MockUHub::builder().repo(Repo::new("r").image(Image::new("app").tags(["v1"]))).start().await.unwrap();
    // Anyone allowed to update the repository can plant it.
    client(&mock).update_repo("r").description(HOSTILE).await.unwrap();
    let mut term = Terminal::start_with_width(&Uhub::for_mock(&mock), 200, &["repo", "list"]);
    assert_eq!(term.exit_code().await, 0);
    let screen = term.text();
    assert_inert(&screen);
    let row = screen.lines().find(|l| l.starts_with("r ")).unwrap_or_else(|| panic!("no row for r:\n{screen}"));
    assert!(row.contains(r"\u{1b}]0;pwned\u{7}\u{1b}[2Jok\rforged \u{202e}gpj.exe"), "{row}");

    // JSON keeps the text exact.
    let json = Uhub::for_mock(&mock).run(&["repo", "list", "-o", "json"]).await;
    assert_eq!(json.ok_json()[0]["description"], HOSTILE);
    assert!(!json.stdout.contains('\u{202e}') && !json.stdout.contains('\u{1b}'), "{}", json.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_tag_names_are_escaped_in_the_plan_and_the_prompt() {
    let t = now();
    let image = Image::new("app").tag_at("old\u{1b}[2J\u{202e}", t - 40 * DAY).tag_at("v2", t - DAY);
    let mock = mock_with(image).await;
    let uhub = Uhub::for_mock(&mock);
    let mut term =
        Terminal::start_with_width(&uhub, 200, &["prune", "r/app", "--older-than", "30d", "--apply", "--no-progress"]);
    term.wait_for("[y/N]").await;
    let screen = term.text();
    assert!(screen.contains(r"  r/app:old\u{1b}[2J\u{202e}"), "the prompt lists it escaped:\n{screen}");
    let row = screen.lines().find(|l| l.contains("DELETE")).unwrap_or_else(|| panic!("no plan row:\n{screen}"));
    assert!(row.contains(r"old\u{1b}[2J\u{202e}"), "{row}");
    term.type_line("n");
    assert_eq!(term.exit_code().await, 7, "declined");
    assert_inert(&term.text());
    assert_eq!(mock.requests("DeleteRepoImage"), 0);
}

#[tokio::test]
async fn quiet_output_refuses_a_name_that_would_not_be_one_line() {
    let mock = mock_with(Image::new("app").tags(["v1", "evil\nr/app:v1", "v2"])).await;
    let uhub = Uhub::for_mock(&mock);
    let run = uhub.run(&["tag", "list", "r/app", "-q"]).await;
    assert_eq!(run.status, 1, "{run:#?}");
    assert_eq!(run.stdout, "", "all names or none, never a split one");
    assert!(run.stderr.starts_with("uhub: error: 1 name(s) hold control characters"), "{}", run.stderr);
    assert!(run.stderr.contains(r#""r/app:evil\nr/app:v1""#) && run.stderr.lines().count() == 1, "{}", run.stderr);
    // A pipe into `tag delete -` therefore gets nothing, and deletes nothing (nothing to do).
    let deleted = uhub.run_with_stdin(&["tag", "delete", "-", "--yes"], Some(&run.stdout)).await;
    assert_eq!(deleted.status, 0, "{deleted:#?}");
    assert_eq!(mock.requests("DeleteRepoImage"), 0);
    assert_eq!(tag_names(&mock, "r", "app").await.len(), 3);

    // JSON has it exact; clean names still go one per line.
    let listed = uhub.run(&["tag", "list", "r/app", "-o", "json"]).await.ok_json();
    assert!(listed.as_array().unwrap().iter().any(|t| t["tag"] == "evil\nr/app:v1"), "{listed}");
    let clean = uhub.run(&["tag", "list", "r/app", "-q", "--exclude", "evil"]).await;
    assert_eq!(clean.stdout, "r/app:v2\nr/app:v1\n");
}

/// A server answering every call with `body`.
async fn server(body: serde_json::Value) -> Server {
    let text = body.to_string();
    Server::start(Handler::new(move |_| Reply::json(text.clone()))).await
}

fn uhub_for(server: &Server) -> Uhub {
    Uhub::bare()
        .var("UCLOUD_PUBLIC_KEY", "pub")
        .var("UCLOUD_PRIVATE_KEY", "priv")
        .var("UCLOUD_API_BASE_URL", &server.url())
}

#[tokio::test]
async fn an_error_message_from_the_server_is_one_escaped_line() {
    let server =
        server(json!({ "RetCode": 170, "Message": format!("{HOSTILE}\nuhub: error: forged second line") })).await;
    let run = uhub_for(&server).run(&["tag", "list", "r/app"]).await;
    assert_eq!(run.status, 1, "{run:#?}");
    assert_eq!(run.stderr.lines().count(), 1, "{:?}", run.stderr);
    assert!(run.stderr.starts_with("uhub: error: "), "{:?}", run.stderr);
    assert!(support_inert(&run.stderr), "{:?}", run.stderr);
    assert!(run.stderr.contains("pwned"), "the message is shown, escaped: {:?}", run.stderr);
}

fn support_inert(text: &str) -> bool {
    !text.trim_end_matches('\n').chars().any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_digest_cut_short_in_its_column_leaves_no_escape_open() {
    let digest = format!("sha256:\u{1b}]0;pwned\u{7}{}", "a".repeat(54));
    let server = server(json!({
        "RetCode": 0,
        "TotalCount": 1,
        "TagSet": [{ "TagName": "v1", "UpdateTime": now() - DAY, "Digest": digest }],
    }))
    .await;
    let uhub = uhub_for(&server);
    let mut term = Terminal::start_with_width(&uhub, 200, &["tag", "list", "r/app", "--no-progress"]);
    assert_eq!(term.exit_code().await, 0);
    let screen = term.text();
    assert_inert(&screen);
    let row = screen.lines().find(|l| l.starts_with("v1 ")).unwrap_or_else(|| panic!("no row:\n{screen}"));
    assert!(row.trim_end().ends_with(r"sha256:\u{1b}]0;pwned\u{7}aa"), "the cut is of the escaped text: {row}");
    // JSON: exact.
    let json = uhub.run(&["tag", "list", "r/app", "-o", "json"]).await.ok_json();
    assert_eq!(json[0]["digest"], digest);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_deletion_above_the_progress_bar_is_escaped() {
    // The tag is there when read before deleting; its deletion is refused with hostile text.
    let listed = json!({
        "RetCode": 0,
        "TotalCount": 1,
        "TagSet": [{ "TagName": "v1", "UpdateTime": now() - DAY, "Digest": format!("sha256:{}", "a".repeat(64)) }],
    })
    .to_string();
    let refused = json!({ "RetCode": 1603, "Message": HOSTILE }).to_string();
    let server = Server::start(Handler::new(move |r| {
        if r.body_text().contains("Action=DeleteRepoImage") {
            Reply::json(refused.clone())
        } else {
            Reply::json(listed.clone())
        }
    }))
    .await;
    let mut term = Terminal::start_with_width(&uhub_for(&server), 200, &["tag", "delete", "r/app:v1", "--yes"]);
    assert_eq!(term.exit_code().await, 4);
    let screen = term.text();
    // The progress bar moves the cursor itself; the server's sequences must not get through.
    for active in ["\u{1b}]0;", "\u{7}", "\u{1b}[2J", "\u{202e}", "ok\rforged"] {
        assert!(!screen.contains(active), "{active:?} reached the terminal:\n{screen:?}");
    }
    assert!(screen.contains(r"failed to delete r/app:v1"), "{screen:?}");
    assert!(screen.contains(r"\u{1b}]0;pwned\u{7}\u{1b}[2Jok\rforged \u{202e}gpj.exe"), "{screen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_narrow_terminal_shrinks_times_never_names_or_digests() {
    const NAME: &str = "release-candidate-2026-12-build-000123";
    let t = now();
    let image = Image::new("app").tag_at(NAME, t - 3 * DAY).tag_at("v2", t - DAY);
    let mock = mock_with(image).await;
    let digest = support::client(&mock).get_image_tag("r", "app").tag_name(NAME).await.unwrap().tag_set[0]
        .digest
        .clone()
        .unwrap();
    let short = &digest[..19]; // sha256: and 12 digits
    let mut term = Terminal::start_with_width(&Uhub::for_mock(&mock), 72, &["tag", "list", "r/app", "--no-progress"]);
    assert_eq!(term.exit_code().await, 0);
    let screen = term.text();
    let row = screen.lines().find(|l| l.contains("release")).unwrap_or_else(|| panic!("no row:\n{screen}"));
    assert!(row.starts_with(NAME) && row.contains(short), "name and digest whole on one line: {row:?}\n{screen}");
    assert!(screen.lines().all(|l| l.chars().count() <= 72), "the times gave way:\n{screen}");

    // Narrower than the names themselves: still whole names, and no failure.
    let mut tiny = Terminal::start_with_width(&Uhub::for_mock(&mock), 20, &["tag", "list", "r/app", "--no-progress"]);
    assert_eq!(tiny.exit_code().await, 0, "{}", tiny.text());
    assert!(tiny.text().replace("\r\n", "\n").contains(NAME), "{}", tiny.text());
}

#[tokio::test]
async fn a_push_time_in_the_future_is_flagged_in_the_plan() {
    let t = now();
    let image = Image::new("app").tag_at("v1", t - 40 * DAY).tag_at("v2", t - 30 * DAY).tag_at("skewed", t + 3 * DAY);
    let mock = mock_with(image).await;
    let run = Uhub::for_mock(&mock).run(&["prune", "r/app", "--keep-last", "1", "-o", "table"]).await;
    assert_eq!(run.status, 0, "{run:#?}");
    let row = run.stdout.lines().find(|l| l.contains("skewed")).unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(row.contains("FUTURE: in 2 days") || row.contains("FUTURE: in 3 days"), "{row}");
    let v1 = run.stdout.lines().find(|l| l.contains(" v1 ")).unwrap();
    assert!(!v1.contains("FUTURE"), "{v1}");
}

#[tokio::test]
async fn clap_usage_errors_read_like_ours() {
    let run = Uhub::bare().run(&["repo", "lst"]).await;
    assert_eq!(run.status, 2);
    assert!(run.stderr.starts_with("uhub: error: unrecognized subcommand 'lst'\n"), "{}", run.stderr);
    let bad_value = Uhub::bare().run(&["tag", "list", "r/app", "--newest", "many"]).await;
    assert_eq!(bad_value.status, 2);
    assert!(
        bad_value.stderr.starts_with("uhub: error: invalid value 'many' for '--newest <N>'"),
        "{}",
        bad_value.stderr
    );
}
