//! Every command against a uhub-mock started by the test: the JSON printed (stdout is a pipe,
//! so JSON is the default), the exit status, and the mock's state afterwards.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::{DAY, LIMIT, Uhub, client, now, tag_names, tags_of};
use uhub_mock::{Fault, FaultRule, Image, MockHandle, MockUHub, Repo};

const REQUEST_ID_PREFIX: &str = "4d6f636b-"; // the mock's request ids

async fn demo() -> MockHandle {
    MockUHub::builder().seed_demo().start().await.expect("mock starts")
}

/// `r/app`: v1 to v3 pushed 3, 2 and 1 days ago, `latest` an alias of v3 pushed with it.
/// Drift mode sends times as Unix seconds, so instants compare exactly.
async fn app() -> MockHandle {
    app_at(now()).await
}

async fn app_at(t: i64) -> MockHandle {
    let image = Image::new("app").tag_at("v1", t - 3 * DAY).tag_at("v2", t - 2 * DAY).tag_at("v3", t - DAY);
    let mock = MockUHub::builder().repo(Repo::new("r").image(image.alias("latest", "v3"))).start().await.unwrap();
    mock.set_drift(true);
    mock
}

// ---- repo ----

#[tokio::test]
async fn repo_list_shows_private_and_public_repositories_with_their_kind() {
    let mock = demo().await;
    let out = Uhub::for_mock(&mock).run(&["repo", "list"]).await.ok_json();
    let listed: Vec<(&str, &str)> =
        out.as_array().unwrap().iter().map(|r| (r["name"].as_str().unwrap(), r["kind"].as_str().unwrap())).collect();
    assert_eq!(listed, [("backend", "private"), ("ml-models", "private"), ("tools", "public"), ("web", "public")]);
    assert_eq!(out[3]["description"], "Front-end images served to the public site");
    assert_eq!(out[3]["internet_access"], true);
}

#[tokio::test]
async fn repo_create_update_and_delete_change_the_service() {
    let mock = demo().await;
    let uhub = Uhub::for_mock(&mock);
    let created = uhub.run(&["repo", "create", "fresh", "--description", "new things"]).await.ok_json();
    assert_eq!(created, json!({ "repo": "fresh", "kind": "private", "description": "new things", "created": true }));

    uhub.run(&["repo", "update", "fresh", "--public", "--description", "shared things"]).await.ok_json();
    let public = client(&mock).get_repo().repo_type(uhub_sdk::RepoType::Public).await.unwrap();
    let fresh = public.repo_set.iter().find(|r| r.repo_name == "fresh").expect("fresh is public now");
    assert_eq!(fresh.description, "shared things");

    let deleted = uhub.run(&["repo", "delete", "fresh", "--yes"]).await.ok_json();
    assert_eq!(deleted["deleted"], true);
    assert_eq!(mock.requests("DeleteRepo"), 1);
    let left = uhub.run(&["repo", "list", "-q"]).await;
    assert_eq!(left.stdout, "backend\nml-models\ntools\nweb\n");
}

#[tokio::test]
async fn repo_update_with_nothing_to_change_says_what_to_add() {
    let mock = demo().await;
    let run = Uhub::for_mock(&mock).run(&["repo", "update", "web"]).await;
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("add --public, --private or --description"), "{}", run.stderr);
    assert_eq!(mock.requests("UpdateRepo"), 0);
}

#[tokio::test]
async fn repo_delete_needs_force_for_a_repository_with_images_and_then_deletes_them_first() {
    let mock = demo().await;
    let uhub = Uhub::for_mock(&mock);
    let refused = uhub.run(&["repo", "delete", "backend", "--yes"]).await;
    assert_eq!(refused.status, 1);
    assert!(refused.stderr.contains("holds 2 image(s) (backend/api-server, backend/worker)"), "{}", refused.stderr);
    assert!(refused.stderr.contains("uhub repo delete backend --force"));

    let unconfirmed = uhub.run(&["repo", "delete", "backend", "--force"]).await;
    assert_eq!(unconfirmed.status, 2, "no terminal and no --yes: {unconfirmed:#?}");
    assert!(unconfirmed.stderr.contains("--yes"));
    assert_eq!(mock.requests("DeleteRepoImage") + mock.requests("DeleteRepo"), 0);

    let forced = uhub.run(&["repo", "delete", "backend", "--force", "--yes"]).await.ok_json();
    assert_eq!(forced["images_deleted"], json!(["backend/api-server", "backend/worker"]));
    assert_eq!((mock.requests("DeleteRepoImage"), mock.requests("DeleteRepo")), (2, 1));
    let private = client(&mock).get_repo().repo_type(uhub_sdk::RepoType::Private).await.unwrap();
    assert_eq!(private.repo_set.iter().map(|r| r.repo_name.as_str()).collect::<Vec<_>>(), ["ml-models"]);
}

// ---- image ----

#[tokio::test]
async fn image_list_sorts_by_pulls_and_finds_never_pulled_images() {
    let mock = demo().await;
    let uhub = Uhub::for_mock(&mock);
    let by_pulls = uhub.run(&["image", "list", "web", "--sort", "pulls"]).await.ok_json();
    let rows: Vec<(&str, i64, &str)> = by_pulls
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["image"].as_str().unwrap(), i["pulls"].as_i64().unwrap(), i["latest_tag"].as_str().unwrap()))
        .collect();
    assert_eq!(rows, [("nginx", 15_230, "1.3.19"), ("node", 4_211, "latest")]);
    let never = uhub.run(&["image", "list", "ml-models", "--never-pulled", "-q"]).await;
    assert_eq!(never.stdout, "ml-models/onnx-export\n");
}

#[tokio::test]
async fn image_delete_requires_all_tags_and_then_removes_every_tag() {
    let mock = demo().await;
    let uhub = Uhub::for_mock(&mock);
    let refused = uhub.run(&["image", "delete", "backend/api-server", "--yes"]).await;
    assert_eq!(refused.status, 2);
    assert!(refused.stderr.contains("add --all-tags"), "{}", refused.stderr);
    assert_eq!(mock.requests("DeleteRepoImage"), 0);

    let deleted = uhub.run(&["image", "delete", "backend/api-server", "--all-tags", "--yes"]).await.ok_json();
    assert_eq!(deleted["tags_deleted"], 4);
    assert!(tag_names(&mock, "backend", "api-server").await.is_empty());
    let log = mock.request_log();
    let delete = log.iter().find(|r| r.action == "DeleteRepoImage").unwrap();
    assert_eq!(delete.field("TagName"), None, "the whole image is deleted by naming no tag");
}

// ---- tag list ----

#[tokio::test]
async fn tag_list_is_newest_first_with_push_times_and_digests() {
    let t = now();
    let mock = app_at(t).await;
    let out = Uhub::for_mock(&mock).run(&["tag", "list", "r/app"]).await.ok_json();
    assert_eq!(tags_of(&out), ["latest", "v3", "v2", "v1"]);
    let pushed: jiff::Timestamp = out[3]["pushed"].as_str().unwrap().parse().unwrap();
    assert_eq!(pushed.as_second(), t - 3 * DAY, "v1 was pushed 3 days ago");
    assert_eq!(out[0]["digest"], out[1]["digest"], "latest is an alias of v3");
    assert!(out[0]["digest"].as_str().unwrap().starts_with("sha256:"));
}

#[tokio::test]
async fn tag_list_filters_limits_and_sorts() {
    let t = now();
    let image = Image::new("app")
        .tag_at("1.9.0", t - 5 * DAY)
        .tag_at("1.10.0", t - 4 * DAY)
        .tag_at("pr-7", t - 3 * DAY)
        .tag_at("2.0.0-rc.1", t - 2 * DAY)
        .tag_at("main", t - DAY);
    let mock = MockUHub::builder().repo(Repo::new("r").image(image)).start().await.unwrap();
    let uhub = Uhub::for_mock(&mock);
    let names = |args: &'static [&'static str]| {
        let uhub = &uhub;
        async move { tags_of(&uhub.run(args).await.ok_json()) }
    };
    assert_eq!(names(&["tag", "list", "r/app", "--newest", "2"]).await, ["main", "2.0.0-rc.1"]);
    assert_eq!(names(&["tag", "list", "r/app", "--match", r"^\d", "--exclude", "rc"]).await, ["1.10.0", "1.9.0"]);
    assert_eq!(
        names(&["tag", "list", "r/app", "--sort", "semver"]).await,
        ["2.0.0-rc.1", "1.10.0", "1.9.0", "main", "pr-7"]
    );
    assert_eq!(
        names(&["tag", "list", "r/app", "--sort", "name", "--newest", "3"]).await,
        ["2.0.0-rc.1", "main", "pr-7"]
    );
}

#[tokio::test]
async fn tag_list_groups_aliases_by_digest() {
    let mock = app().await;
    let out = Uhub::for_mock(&mock).run(&["tag", "list", "r/app", "--group-by-digest"]).await.ok_json();
    let groups: Vec<Vec<String>> = out
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["tags"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_owned()).collect())
        .collect();
    assert_eq!(groups, [vec!["latest", "v3"], vec!["v2"], vec!["v1"]]);
}

#[tokio::test]
async fn tag_list_pages_with_bounded_concurrency_and_prints_json_lines_or_names() {
    let mock =
        MockUHub::builder().repo(Repo::new("r").image(Image::new("big").numbered_tags(250))).start().await.unwrap();
    let uhub = Uhub::for_mock(&mock);
    let lines = uhub.run(&["tag", "list", "r/big", "-o", "jsonl", "--concurrency", "2"]).await;
    assert_eq!(lines.status, 0);
    let rows: Vec<Value> = lines.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 250);
    assert_eq!(rows[0]["tag"], "1.2.49");
    // Pages of 100: the first, then the other two.
    assert_eq!(mock.requests("GetImageTag"), 3);
    assert!(mock.max_in_flight() <= 2);
    let quiet = uhub.run(&["tag", "list", "r/big", "--newest", "2", "-q"]).await;
    assert_eq!(quiet.stdout, "r/big:1.2.49\nr/big:1.2.48\n");
}

// ---- tag delete ----

#[tokio::test]
async fn tag_delete_reports_each_deletion_with_its_request_id_and_leaves_aliases() {
    let mock = app().await;
    let out = Uhub::for_mock(&mock).run(&["tag", "delete", "r/app:v3", "r/app:v1", "--yes"]).await.ok_json();
    assert_eq!(tags_of(&out), ["v3", "v1"]);
    for row in out.as_array().unwrap() {
        assert_eq!(row["result"], "deleted");
        assert!(row["request_id"].as_str().unwrap().starts_with(REQUEST_ID_PREFIX), "{row}");
    }
    assert_ne!(out[0]["request_id"], out[1]["request_id"]);
    assert_eq!(tag_names(&mock, "r", "app").await, ["latest", "v2"]);
}

#[tokio::test]
async fn tag_delete_reads_tags_from_stdin() {
    let mock = app().await;
    let run = Uhub::for_mock(&mock)
        .run_with_stdin(&["tag", "delete", "-", "--yes"], Some("r/app:v1\n\n# old\nr/app:v2\n"))
        .await;
    assert_eq!(tags_of(&run.ok_json()), ["v1", "v2"]);
    assert_eq!(tag_names(&mock, "r", "app").await, ["latest", "v3"]);
}

#[tokio::test]
async fn tag_delete_through_a_pipe_without_yes_refuses_and_deletes_nothing() {
    let mock = app().await;
    let run = Uhub::for_mock(&mock).run(&["tag", "delete", "r/app:v1"]).await;
    assert_eq!(run.status, 2);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("no terminal to ask on") && run.stderr.contains("--yes"), "{}", run.stderr);
    assert_eq!(mock.requests("DeleteRepoImage"), 0);
}

#[tokio::test]
async fn tag_delete_with_a_failure_exits_4_and_says_which() {
    let mock = app().await;
    mock.inject(FaultRule::new(Fault::status(500)).action("DeleteRepoImage").times(1));
    let run = Uhub::for_mock(&mock).run(&["tag", "delete", "r/app:v1", "--concurrency", "1", "--yes"]).await;
    assert_eq!(run.status, 4, "{run:#?}");
    let out = run.json();
    assert_eq!(out[0]["result"], "failed");
    assert!(out[0]["error"].as_str().unwrap().contains("HTTP status 500"));
    assert!(out[0]["request_id"].as_str().unwrap().starts_with(REQUEST_ID_PREFIX));
    assert!(
        run.stderr.contains("1 of 1 deletion(s) failed; to retry them: uhub tag delete r/app:v1"),
        "{}",
        run.stderr
    );
}

// ---- wait, digest ----

#[tokio::test]
async fn wait_returns_once_the_tag_appears() {
    let mock = MockUHub::builder().start().await.unwrap();
    let uhub = Uhub::for_mock(&mock);
    let waiting = uhub.run(&["wait", "r/app:v1", "--interval", "100ms", "--timeout", "30s"]);
    let push = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        mock.add_repo(Repo::new("r").image(Image::new("app").tags(["v1"])));
    };
    let (run, ()) = tokio::join!(waiting, push);
    let out = run.ok_json();
    assert_eq!(out["tag"], "v1");
    assert!(out["digest"].as_str().unwrap().starts_with("sha256:"));
    assert!(mock.requests("GetImageTag") >= 2, "it looked before the push too");
}

#[tokio::test]
async fn wait_gives_up_with_status_5_at_its_deadline() {
    let mock = app().await;
    let run = Uhub::for_mock(&mock).run(&["wait", "r/app:v9", "--interval", "200ms", "--timeout", "1s"]).await;
    assert_eq!(run.status, 5);
    assert!(run.stderr.contains("r/app:v9 did not appear within 1s"), "{}", run.stderr);
}

#[tokio::test]
async fn digest_prints_the_digest_or_a_pinned_reference() {
    let mock = app().await;
    let expected =
        client(&mock).get_image_tag("r", "app").tag_name("v2").await.unwrap().tag_set[0].digest.clone().unwrap();
    let uhub = Uhub::for_mock(&mock).var("UHUB_REGISTRY", "registry.test");
    let bare = uhub.run(&["digest", "r/app:v2", "-q"]).await;
    assert_eq!(bare.stdout, format!("{expected}\n"));
    let pinned = uhub.run(&["digest", "r/app:v2", "--ref"]).await.ok_json();
    assert_eq!(pinned["reference"], format!("registry.test/r/app@{expected}"));
    let flag = uhub.run(&["digest", "r/app:v2", "--ref", "-q", "--registry", "other.test"]).await;
    assert_eq!(flag.stdout, format!("other.test/r/app@{expected}\n"));
}

#[tokio::test]
async fn a_pinned_reference_for_a_custom_endpoint_needs_a_registry_host() {
    let mock = app().await;
    let run = Uhub::for_mock(&mock).run(&["digest", "r/app:v2", "--ref"]).await;
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("set --registry HOST or UHUB_REGISTRY"), "{}", run.stderr);
}

// ---- report ----

#[tokio::test]
async fn report_summarises_each_repository_and_counts_what_a_policy_would_delete() {
    let mock = demo().await;
    let uhub = Uhub::for_mock(&mock);
    let policy = uhub.home().join("policy.toml");
    std::fs::write(&policy, "[[rule]]\nimages = [\"web/nginx\"]\nkeep_last = 20\n").unwrap();
    let out = uhub.run(&["report", "--policy", policy.to_str().unwrap()]).await.ok_json();
    let rows: Vec<(&str, i64, i64, i64)> = out
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["repo"].as_str().unwrap(),
                r["images"].as_i64().unwrap(),
                r["tags"].as_i64().unwrap(),
                r["would_delete"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(rows, [("backend", 2, 6, 0), ("ml-models", 2, 3, 0), ("tools", 0, 0, 0), ("web", 2, 324, 300)]);
    assert_eq!(out[1]["never_pulled"], json!(["onnx-export"]));
    let oldest: jiff::Timestamp = out[3]["oldest_push"].as_str().unwrap().parse().unwrap();
    let newest: jiff::Timestamp = out[3]["newest_push"].as_str().unwrap().parse().unwrap();
    assert!(oldest < newest);
}

// ---- api ----

#[tokio::test]
async fn api_sends_any_action_from_key_value_pairs() {
    let mock = demo().await;
    let out = Uhub::for_mock(&mock)
        .run(&["api", "GetImageTag", "RepoName=web", "ImageName=nginx", "Limit=2"])
        .await
        .ok_json();
    assert_eq!(out["TotalCount"], 320);
    assert_eq!(out["TagSet"].as_array().unwrap().len(), 2);
    let sent = mock.request_log().into_iter().find(|r| r.action == "GetImageTag").unwrap();
    assert_eq!(sent.field("Limit"), Some("2"));
}

#[tokio::test]
async fn api_refuses_unknown_actions_and_parameters_with_status_2() {
    let mock = demo().await;
    let uhub = Uhub::for_mock(&mock);
    let unknown = uhub.run(&["api", "GetRepos"]).await;
    assert_eq!(unknown.status, 2);
    assert!(unknown.stderr.contains("the actions are GetRepo, GetRepoImage"), "{}", unknown.stderr);
    let missing = uhub.run(&["api", "GetImageTag", "RepoName=web"]).await;
    assert!(missing.stderr.contains("parameter ImageName: is required but missing"), "{}", missing.stderr);
    let typo = uhub.run(&["api", "GetImageTag", "RepoName=web", "ImageName=nginx", "Limt=2"]).await;
    assert!(typo.stderr.contains("Limt is not a parameter"), "{}", typo.stderr);
    let not_a_pair = uhub.run(&["api", "GetRepo", "RepoType"]).await;
    assert!(not_a_pair.stderr.contains("is not Key=Value"));
    assert_eq!(mock.total_requests(), 0);
}

#[tokio::test]
async fn api_delete_actions_need_confirmation() {
    let mock = demo().await;
    let uhub = Uhub::for_mock(&mock);
    let refused = uhub.run(&["api", "DeleteRepo", "RepoName=tools"]).await;
    assert_eq!(refused.status, 2);
    assert_eq!(mock.requests("DeleteRepo"), 0);
    let done = uhub.run(&["api", "DeleteRepo", "RepoName=tools", "--yes"]).await.ok_json();
    assert_eq!(done["RetCode"], 0);
    assert_eq!(mock.requests("DeleteRepo"), 1);
}

// ---- config, completion ----

/// The setting named `name` of `config show`'s JSON: (value, source).
fn setting(out: &Value, name: &str) -> (String, String) {
    let row = out.as_array().unwrap().iter().find(|r| r["setting"] == name).unwrap_or_else(|| panic!("no {name}"));
    (row["value"].as_str().unwrap().to_owned(), row["source"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn config_show_says_where_each_setting_came_from_and_masks_secrets() {
    let uhub = Uhub::bare()
        .var("UCLOUD_PUBLIC_KEY", "pk-from-env")
        .var("UCLOUD_PRIVATE_KEY", "very-secret-private-key")
        .var("UHUB_CONCURRENCY", "3");
    let dir = uhub.home().join(".ucloud");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.json"),
        r#"[{"profile":"ci","active":true,"project_id":"org-file","timeout_sec":7}]"#,
    )
    .unwrap();
    let run = uhub.run(&["config", "show", "--registry", "registry.test"]).await;
    let out = run.ok_json();
    assert_eq!(setting(&out, "public key"), ("pk-from-env".into(), "environment".into()));
    assert_eq!(setting(&out, "private key").0, "********");
    let in_file = format!("{}, profile \"ci\"", dir.join("config.json").display());
    assert_eq!(setting(&out, "project"), ("org-file".into(), in_file.clone()));
    assert_eq!(setting(&out, "request timeout"), ("7s".into(), in_file));
    assert_eq!(setting(&out, "profile").0, "ci");
    assert_eq!(setting(&out, "concurrency"), ("3".into(), "UHUB_CONCURRENCY".into()));
    assert_eq!(setting(&out, "registry"), ("registry.test".into(), "--registry".into()));
    assert_eq!(setting(&out, "base url"), ("https://api.ucloud.cn".into(), "default".into()));
    assert!(!run.stdout.contains("very-secret-private-key") && !run.stderr.contains("very-secret-private-key"));

    let flags = uhub.run(&["--project", "org-flag", "config", "show", "--provider", "surfercloud"]).await.ok_json();
    assert_eq!(setting(&flags, "project"), ("org-flag".into(), "--project".into()));
    assert_eq!(setting(&flags, "provider"), ("surfercloud".into(), "--provider".into()));
    assert_eq!(setting(&flags, "registry"), ("uhub.surfercloud.com".into(), "default for surfercloud".into()));
}

#[tokio::test]
async fn completion_scripts_name_the_commands() {
    let uhub = Uhub::bare();
    for shell in ["bash", "zsh", "fish"] {
        let run = uhub.run(&["completion", shell]).await;
        assert_eq!(run.status, 0);
        assert!(run.stdout.contains("uhub") && run.stdout.contains("prune"), "{shell}");
    }
}

// ---- errors and exit statuses ----

#[tokio::test]
async fn an_error_is_one_line_with_the_request_id_and_status_1() {
    let mock = demo().await;
    let run = Uhub::for_mock(&mock).run(&["image", "list", "nope"]).await;
    assert_eq!(run.status, 1);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("uhub: error: listing the images of nope: GetRepoImage: UHub error RetCode 1604"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(&format!("(request id {REQUEST_ID_PREFIX}")));
}

#[tokio::test]
async fn missing_keys_name_what_to_set() {
    let run = Uhub::bare().run(&["repo", "list"]).await;
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("UCLOUD_PUBLIC_KEY") && run.stderr.contains("uhub config show"), "{}", run.stderr);
}

#[tokio::test]
async fn misuse_exits_2_and_says_what_to_type() {
    let run = Uhub::bare().run(&["tag", "delete", "web/nginx"]).await;
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("expected REPO/IMAGE:TAG, e.g. web/nginx:1.25"), "{}", run.stderr);
    let help = Uhub::bare().run(&["--help"]).await;
    assert_eq!(help.status, 0);
    assert!(help.stdout.contains("Exit status:") && help.stdout.contains("uhub --demo tag list"));
}

#[tokio::test]
async fn debug_prints_the_sdk_tracing_without_secrets() {
    let mock = demo().await;
    let run = Uhub::for_mock(&mock).run(&["--debug", "tag", "list", "backend/worker"]).await;
    assert_eq!(run.status, 0);
    assert!(run.stderr.contains("attempt succeeded") && run.stderr.contains("request_id"), "{}", run.stderr);
    assert!(!run.stderr.contains(mock.private_key()), "the private key leaked");
}

#[tokio::test]
async fn a_command_longer_than_timeout_ends_with_status_5() {
    let mock = demo().await;
    mock.inject(FaultRule::new(Fault::Latency(Duration::from_secs(5))).action("GetRepo"));
    let started = std::time::Instant::now();
    let run = Uhub::for_mock(&mock).run(&["repo", "list", "--timeout", "300ms"]).await;
    assert_eq!(run.status, 5, "{run:#?}");
    assert!(started.elapsed() < LIMIT);
    assert!(run.stderr.contains("gave up after --timeout 300ms"), "{}", run.stderr);
}
