//! Deletions that stay right when the world moves: tags pushed again between the plan and the
//! deletion, answers lost after the service acted, guards against deleting everything, listings
//! that shift while they are read, saved plans, the audit log, and reports in every format.

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::Value;
use support::{DAY, Uhub, digest_of, five, five_signed, now, tag_names};
use uhub_mock::{Change, Fault, FaultRule, Image, MockHandle, MockUHub, Repo};

async fn mock_with(image: Image) -> MockHandle {
    let mock = MockUHub::builder().repo(Repo::new("r").image(image)).start().await.expect("mock starts");
    mock.set_drift(true);
    mock
}

fn rows<'a>(report: &'a Value, result: &str) -> Vec<&'a Value> {
    report["tags"].as_array().expect("tags").iter().filter(|t| t["result"] == result).collect()
}

fn names(rows: &[&Value]) -> BTreeSet<String> {
    rows.iter().map(|t| t["tag"].as_str().unwrap().to_owned()).collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

/// keep-last 2 of `five`, one at a time: the doomed are v3, v2, v1, re-checked in that order.
const KEEP_TWO: &[&str] = &["prune", "r/app", "--keep-last", "2", "--apply", "--yes", "--concurrency", "1"];

// ---- point 1: the plan is a promise about digests ----

#[tokio::test]
async fn a_tag_pushed_again_after_the_plan_is_left_alone_and_exits_6() {
    let mock = mock_with(five(now())).await;
    let planned_v1 = digest_of(&mock, "r", "app", "v1").await.unwrap();
    // Call 1 lists; call 2 is v3's re-check: v1 is pushed again just before it.
    let repush = Fault::Change(Change::repush("r", "app", "v1"));
    mock.inject(FaultRule::new(repush).action("GetImageTag").on_call(2).times(1));
    let run = Uhub::for_mock(&mock).run(KEEP_TWO).await;
    assert_eq!(run.status, 6, "{run:#?}");
    let report = run.json();
    assert_eq!(names(&rows(&report, "deleted")), set(&["v3", "v2"]));
    let changed = rows(&report, "changed");
    assert_eq!(names(&changed), set(&["v1"]));
    assert_eq!(changed[0]["digest"], planned_v1.as_str(), "the report shows the planned digest");
    assert!(changed[0]["note"].as_str().unwrap().contains("changed since the plan"), "{}", changed[0]);
    assert_eq!(report["summary"]["changed"], 1);
    let now_v1 = digest_of(&mock, "r", "app", "v1").await.expect("the new v1 is still there");
    assert_ne!(now_v1, planned_v1);
    // Every image the run removed is one the plan named, by digest.
    for removed in mock.removed_tags() {
        let row = report["tags"].as_array().unwrap().iter().find(|t| t["tag"] == removed.tag.as_str()).unwrap();
        assert_eq!(row["digest"], removed.digest.as_str(), "{removed:?}");
    }
    assert!(run.stderr.contains("changed since the plan and were left alone (exit status 6)"), "{}", run.stderr);
}

#[tokio::test]
async fn the_window_that_remains_is_between_the_re_check_and_the_delete() {
    // Documents the limit the API leaves: a push landing after v1's re-check and before its
    // DeleteRepoImage (the third) is deleted. One round trip wide; see delete.rs.
    let mock = mock_with(five(now())).await;
    let planned_v1 = digest_of(&mock, "r", "app", "v1").await.unwrap();
    let repush = Fault::Change(Change::repush("r", "app", "v1"));
    mock.inject(FaultRule::new(repush).action("DeleteRepoImage").on_call(3).times(1));
    let run = Uhub::for_mock(&mock).run(KEEP_TWO).await;
    assert_eq!(run.status, 0, "{run:#?}");
    let removed_v1 = mock.removed_tags().into_iter().find(|r| r.tag == "v1").unwrap();
    assert_ne!(removed_v1.digest, planned_v1, "inside the window the new image is the one deleted");
}

// ---- point 3: a success is a success ----

#[tokio::test]
async fn a_deletion_whose_answer_was_lost_is_reported_deleted() {
    let mock = mock_with(five(now())).await;
    // The first deletion reaches the service, then the gateway answers 502; the retry is told
    // the tag does not exist.
    mock.inject(FaultRule::new(Fault::StatusAfterAction(502)).action("DeleteRepoImage").times(1));
    let run = Uhub::for_mock(&mock).run(KEEP_TWO).await;
    assert_eq!(run.status, 0, "{run:#?}");
    let report = run.json();
    assert_eq!(names(&rows(&report, "deleted")), set(&["v3", "v2", "v1"]));
    let v3 = &report["tags"].as_array().unwrap().iter().find(|t| t["tag"] == "v3").unwrap().clone();
    assert!(v3["note"].as_str().unwrap().contains("an earlier attempt of this deletion deleted it"), "{v3}");
    assert_eq!(mock.requests("DeleteRepoImage"), 4, "v3 twice, then v2 and v1");
    assert!(!run.stderr.contains("failed"), "{}", run.stderr);
}

#[tokio::test]
async fn a_tag_deleted_by_someone_else_meanwhile_is_gone_not_failed() {
    let mock = mock_with(five(now())).await;
    let delete = Fault::Change(Change::delete_tag("r", "app", "v2"));
    mock.inject(FaultRule::new(delete).action("GetImageTag").on_call(2).times(1));
    let run = Uhub::for_mock(&mock).run(KEEP_TWO).await;
    assert_eq!(run.status, 0, "{run:#?}");
    let report = run.json();
    assert_eq!(names(&rows(&report, "gone")), set(&["v2"]));
    assert_eq!(report["summary"]["gone"], 1);
    assert_eq!(mock.requests("DeleteRepoImage"), 2, "v2 is not deleted again");
}

// ---- point 2: guards that hold ----

#[tokio::test]
async fn zero_and_empty_rules_are_refused_naming_the_flag() {
    let mock = mock_with(five(now())).await;
    let uhub = Uhub::for_mock(&mock);
    for (flags, named) in [
        (&["--keep-last", "0"][..], "--keep-last 0 keeps nothing"),
        (&["--older-than", "0s"][..], "--older-than 0 selects every tag"),
        (&["--match", ""][..], "--match '' matches every tag"),
    ] {
        let mut args = vec!["prune", "r/app", "--apply", "--yes"];
        args.extend_from_slice(flags);
        let run = uhub.run(&args).await;
        assert_eq!(run.status, 2, "{flags:?}: {run:#?}");
        assert!(run.stderr.contains(named), "{flags:?}: {}", run.stderr);
    }
    assert_eq!(mock.total_requests(), 0, "refused before any request");

    let policy = uhub.home().join("zero.toml");
    std::fs::write(&policy, "[[rule]]\nimages = [\"*\"]\nolder_than = \"0s\"\nkeep_latest = false\n").unwrap();
    let run = uhub.run(&["prune", "--policy", policy.to_str().unwrap(), "--apply", "--yes"]).await;
    assert_eq!(run.status, 2, "{run:#?}");
    assert!(run.stderr.contains("r/app: the policy's older_than 0 selects every tag"), "{}", run.stderr);
    assert_eq!(mock.requests("DeleteRepoImage"), 0);
}

#[tokio::test]
async fn the_newest_tag_of_an_image_is_kept_unless_dangerously_told() {
    let t = now();
    let old = || Image::new("app").tag_at("v1", t - 30 * DAY).tag_at("v2", t - 20 * DAY).tag_at("v3", t - 10 * DAY);
    let mock = mock_with(old()).await;
    let args = ["prune", "r/app", "--older-than", "1d", "--no-keep-latest", "--apply", "--yes"];
    let run = Uhub::for_mock(&mock).run(&args).await;
    let report = run.json();
    assert_eq!(names(&rows(&report, "deleted")), set(&["v2", "v1"]));
    let v3 = report["tags"].as_array().unwrap().iter().find(|t| t["tag"] == "v3").unwrap();
    assert_eq!(v3["reason"], "the newest tag of the image (always kept; see --dangerously-delete-newest)");
    assert_eq!(tag_names(&mock, "r", "app").await, ["v3"]);

    let mock = mock_with(old()).await;
    let mut args = args.to_vec();
    args.push("--dangerously-delete-newest");
    Uhub::for_mock(&mock).run(&args).await.ok_json();
    assert!(tag_names(&mock, "r", "app").await.is_empty(), "told loudly, every tag goes");
}

#[tokio::test]
async fn a_pattern_matching_every_tag_is_warned_about() {
    let mock = mock_with(five(now())).await;
    let run = Uhub::for_mock(&mock).run(&["prune", "r/app", "--match", "^", "--older-than", "30d"]).await;
    assert_eq!(run.status, 0);
    assert!(run.stderr.contains("warning: --match ^ matches every tag of r/app"), "{}", run.stderr);
}

// ---- point 7: nothing to do is success ----

#[tokio::test]
async fn an_empty_pipeline_into_tag_delete_succeeds() {
    let mock = mock_with(five(now())).await;
    let uhub = Uhub::for_mock(&mock);
    let listed = uhub.run(&["tag", "list", "r/app", "--match", "^pr-", "-q"]).await;
    assert_eq!((listed.status, listed.stdout.as_str()), (0, ""));
    let run = uhub.run_with_stdin(&["tag", "delete", "-", "--yes"], Some(&listed.stdout)).await;
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(run.json(), serde_json::json!([]));
    assert!(run.stderr.contains("nothing to delete"), "{}", run.stderr);
    let prune = uhub.run(&["prune", "r/app", "--match", "^pr-", "--apply", "--yes"]).await;
    assert_eq!(prune.status, 0);
    assert_eq!(prune.json()["summary"]["dry_run"], false, "an apply with nothing to do is no dry run");
}

#[tokio::test]
async fn deleting_a_tag_that_does_not_exist_is_gone_not_a_failure() {
    let mock = mock_with(five(now())).await;
    let run = Uhub::for_mock(&mock).run(&["tag", "delete", "r/app:nope", "r/app:v1", "--yes"]).await;
    assert_eq!(run.status, 0, "{run:#?}");
    let out = run.json();
    assert_eq!((out[0]["tag"].as_str(), out[0]["result"].as_str()), (Some("nope"), Some("gone")));
    assert_eq!(out[0]["note"], "does not exist; nothing to delete");
    assert_eq!(out[1]["result"], "deleted");
    assert!(run.stderr.contains("1 already gone"), "{}", run.stderr);
    assert_eq!(mock.requests("DeleteRepoImage"), 1, "nothing is sent for a tag that is not there");
}

#[tokio::test]
async fn help_documents_every_exit_status() {
    let help = Uhub::bare().run(&["--help"]).await;
    for line in ["  6  some tags changed since the plan", "  7  declined at the prompt", "  130 interrupted"] {
        assert!(help.stdout.contains(line), "{line:?} in:\n{}", help.stdout);
    }
}

// ---- point 5: reports in every format ----

#[tokio::test]
async fn prune_apply_says_what_happened_in_every_format() {
    for format in ["json", "jsonl", "table", "quiet"] {
        let mock = mock_with(five(now())).await;
        let mut args = KEEP_TWO.to_vec();
        match format {
            "quiet" => args.push("-q"),
            f => args.extend(["-o", f]),
        }
        let run = Uhub::for_mock(&mock).run(&args).await;
        assert_eq!(run.status, 0, "{format}: {run:#?}");
        assert_eq!(mock.requests("DeleteRepoImage"), 3, "{format}");
        match format {
            "json" => {
                let report = run.json();
                assert_eq!(report["summary"]["dry_run"], false);
                assert_eq!(report["summary"]["deleted"], 3);
            }
            "jsonl" => {
                let last: Value = serde_json::from_str(run.stdout.lines().last().unwrap()).unwrap();
                assert_eq!(last["summary"]["dry_run"], false, "{}", run.stdout);
                assert_eq!(last["summary"]["deleted"], 3);
                let v1: Value =
                    serde_json::from_str(run.stdout.lines().find(|l| l.contains("\"v1\"")).unwrap()).unwrap();
                assert_eq!(v1["result"], "deleted");
                assert!(v1["request_id"].as_str().unwrap().starts_with("4d6f636b-"));
            }
            "table" => {
                let v1 =
                    run.stdout.lines().find(|l| l.starts_with("r/app:v1 ")).unwrap_or_else(|| panic!("{}", run.stdout));
                assert!(v1.contains("deleted") && v1.contains("4d6f636b-"), "the table shows request ids: {v1}");
                assert!(run.stdout.contains("deleted 3 of 3 planned deletion(s)"), "{}", run.stdout);
            }
            _ => assert_eq!(run.stdout, "r/app:v3\nr/app:v2\nr/app:v1\n"),
        }
    }
}

#[tokio::test]
async fn tag_image_and_repo_delete_say_what_happened_in_every_format() {
    for format in ["json", "jsonl", "table", "quiet"] {
        let mock = mock_with(five(now())).await;
        mock.add_repo(Repo::new("gone").image(Image::new("x").tags(["a"])));
        let uhub = Uhub::for_mock(&mock);
        let out = |args: &[&str]| {
            let mut args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
            match format {
                "quiet" => args.push("-q".into()),
                f => args.extend(["-o".into(), f.into()]),
            }
            args
        };
        let run = |args: Vec<String>| {
            let uhub = &uhub;
            async move { uhub.run(&args.iter().map(String::as_str).collect::<Vec<_>>()).await }
        };
        let tag = run(out(&["tag", "delete", "r/app:v1", "--yes"])).await;
        let image = run(out(&["image", "delete", "r/app", "--all-tags", "--yes"])).await;
        let repo = run(out(&["repo", "delete", "gone", "--force", "--yes"])).await;
        for r in [&tag, &image, &repo] {
            assert_eq!(r.status, 0, "{format}: {r:#?}");
        }
        match format {
            "json" => {
                let t = &tag.json()[0];
                assert_eq!((t["tag"].as_str(), t["result"].as_str()), (Some("v1"), Some("deleted")));
                assert!(t["digest"].as_str().unwrap().starts_with("sha256:"), "read before deleting: {t}");
                assert!(t["pushed"].as_str().unwrap().ends_with('Z'), "{t}");
                assert_eq!(image.json()["result"], "deleted");
                assert_eq!(image.json()["dry_run"], false);
                assert!(image.json()["request_id"].as_str().unwrap().starts_with("4d6f636b-"));
                assert_eq!(repo.json()["deleted"], true);
                assert_eq!(repo.json()["dry_run"], false);
            }
            "jsonl" => {
                let t: Value = serde_json::from_str(tag.stdout.trim()).unwrap();
                assert_eq!(t["result"], "deleted");
                let i: Value = serde_json::from_str(image.stdout.trim()).unwrap();
                assert_eq!(i["tags_deleted"], 5);
            }
            "table" => {
                assert!(tag.stdout.contains("r/app:v1") && tag.stdout.contains("4d6f636b-"), "{}", tag.stdout);
                assert!(image.stdout.starts_with("deleted image r/app and its 5 tag(s) (request id 4d6f636b-"));
                assert!(repo.stdout.starts_with("deleted repository gone (1 image(s) deleted first; request id"));
            }
            _ => {
                assert_eq!(tag.stdout, "r/app:v1\n");
                assert_eq!(image.stdout, "r/app\n");
                assert_eq!(repo.stdout, "gone\n");
            }
        }
    }
}

// ---- point 6: a plan from a consistent listing ----

#[tokio::test]
async fn a_push_during_the_listing_is_listed_again_not_planned_twice() {
    let mock =
        MockUHub::builder().repo(Repo::new("r").image(Image::new("app").numbered_tags(250))).start().await.unwrap();
    // Just before the second page, the oldest tag is pushed again: every later offset shifts
    // by one, so the second page repeats a tag of the first.
    let repush = Fault::Change(Change::repush("r", "app", "1.0.0"));
    mock.inject(FaultRule::new(repush).action("GetImageTag").on_call(2).times(1));
    let run = Uhub::for_mock(&mock).run(&["prune", "r/app", "--keep-last", "10", "--concurrency", "1"]).await;
    assert_eq!(run.status, 0, "{run:#?}");
    assert!(run.stderr.contains("changed while listing (1.1.50 was listed twice); listing again"), "{}", run.stderr);
    let plan = run.json();
    let tags: Vec<&str> = plan["tags"].as_array().unwrap().iter().map(|t| t["tag"].as_str().unwrap()).collect();
    assert_eq!(tags.iter().collect::<BTreeSet<_>>().len(), 250, "each tag once");
    assert_eq!(tags[0], "1.0.0", "the re-pushed tag is the newest");
    assert_eq!(plan["summary"]["delete"], 240);
    assert_eq!(mock.requests("GetImageTag"), 3 + 3, "three pages, then three again");
}

// ---- point 12: saved plans and the audit log ----

#[tokio::test]
async fn a_saved_plan_is_applied_exactly_and_every_deletion_is_audited() {
    let t = now();
    let mock = mock_with(five(t)).await;
    let uhub = Uhub::for_mock(&mock);
    let plan = uhub.home().join("plan.json");
    let audit = uhub.home().join("audit.jsonl");
    let dry = uhub.run(&["prune", "r/app", "--keep-last", "2", "--plan-out", plan.to_str().unwrap()]).await.ok_json();
    assert_eq!(dry["summary"]["delete"], 3);
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&plan).unwrap()).unwrap();
    assert_eq!(saved["format"], "uhub-prune-plan/2");
    let v2 = saved["tags"].as_array().unwrap().iter().find(|t| t["tag"] == "v2").unwrap();
    assert_eq!((v2["action"].as_str(), v2["reason"].as_str()), (Some("delete"), Some("beyond the 2 newest")));
    assert!(v2["digest"].as_str().unwrap().starts_with("sha256:"));

    // Meanwhile v2 is pushed again and a new tag arrives: the saved plan still says v3, v2, v1.
    mock.repush_tag("r", "app", "v2").unwrap();
    let args =
        ["prune", "--plan-in", plan.to_str().unwrap(), "--apply", "--yes", "--audit-log", audit.to_str().unwrap()];
    let run = uhub.run(&args).await;
    assert_eq!(run.status, 6, "{run:#?}");
    let report = run.json();
    assert_eq!(names(&rows(&report, "deleted")), set(&["v3", "v1"]));
    assert_eq!(names(&rows(&report, "changed")), set(&["v2"]));
    assert_eq!(tag_names(&mock, "r", "app").await, ["v2", "latest", "v5", "v4"]);

    let all: Vec<Value> =
        std::fs::read_to_string(&audit).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    // Each deletion sent has its intent line first (record_first.rs); v2's was never sent.
    let intents: Vec<&str> =
        all.iter().filter(|l| l["result"] == "intent").map(|l| l["reference"].as_str().unwrap()).collect();
    assert_eq!(intents.len(), 2, "{all:#?}");
    let lines: Vec<&Value> = all.iter().filter(|l| l["result"] != "intent").collect();
    assert_eq!(lines.len(), 3, "one outcome per planned deletion");
    for line in &lines {
        assert_eq!((line["command"].as_str(), line["action"].as_str()), (Some("prune"), Some("delete_tag")));
        assert!(line["digest"].as_str().unwrap().starts_with("sha256:") && line["time"].as_str().is_some());
        assert_eq!(line["reason"], "beyond the 2 newest");
    }
    let results: BTreeSet<(String, String)> = lines
        .iter()
        .map(|l| (l["reference"].as_str().unwrap().to_owned(), l["result"].as_str().unwrap().to_owned()))
        .collect();
    let expected = [("r/app:v1", "deleted"), ("r/app:v2", "changed"), ("r/app:v3", "deleted")];
    assert_eq!(results, expected.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect());
    assert!(lines.iter().filter(|l| l["result"] == "deleted").all(|l| l["request_id"].as_str().is_some()));

    // Other destructive commands append to the same log.
    uhub.run(&["tag", "delete", "r/app:v4", "--yes", "--audit-log", audit.to_str().unwrap()]).await.ok_json();
    uhub.run(&["image", "delete", "r/app", "--all-tags", "--yes", "--audit-log", audit.to_str().unwrap()])
        .await
        .ok_json();
    uhub.run(&["repo", "delete", "r", "--yes", "--audit-log", audit.to_str().unwrap()]).await.ok_json();
    let actions: Vec<String> = std::fs::read_to_string(&audit)
        .unwrap()
        .lines()
        .skip(all.len())
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            format!(
                "{} {} {} {}",
                v["command"].as_str().unwrap(),
                v["action"].as_str().unwrap(),
                v["reference"].as_str().unwrap(),
                v["result"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            "tag delete delete_tag r/app:v4 intent",
            "tag delete delete_tag r/app:v4 deleted",
            "image delete delete_image r/app intent",
            "image delete delete_image r/app deleted",
            "repo delete delete_repo r intent",
            "repo delete delete_repo r deleted"
        ]
    );
}

#[tokio::test]
async fn a_file_that_is_not_a_plan_is_refused_before_any_request() {
    let mock = mock_with(five(now())).await;
    let uhub = Uhub::for_mock(&mock);
    let bogus = uhub.home().join("bogus.json");
    std::fs::write(&bogus, "{\"tags\": []}").unwrap();
    let run = uhub.run(&["prune", "--plan-in", bogus.to_str().unwrap(), "--apply", "--yes"]).await;
    assert_eq!(run.status, 2, "{run:#?}");
    assert!(run.stderr.contains(": not a plan written by --plan-out"), "{}", run.stderr);
    assert_eq!(mock.total_requests(), 0);
}

// ---- point 13: --newest stops paging ----

#[tokio::test]
async fn tag_list_newest_stops_paging_once_it_has_n() {
    let mock =
        MockUHub::builder().repo(Repo::new("r").image(Image::new("big").numbered_tags(500))).start().await.unwrap();
    let run = Uhub::for_mock(&mock).run(&["tag", "list", "r/big", "--newest", "3", "-q"]).await;
    assert_eq!(run.stdout, "r/big:1.4.99\nr/big:1.4.98\nr/big:1.4.97\n");
    assert_eq!(mock.requests("GetImageTag"), 1, "one page holds the newest three");
    let matched =
        Uhub::for_mock(&mock).run(&["tag", "list", "r/big", "--newest", "2", "--match", "^1\\.0\\.", "-q"]).await;
    assert_eq!(matched.stdout, "r/big:1.0.99\nr/big:1.0.98\n");
    assert_eq!(mock.requests("GetImageTag"), 1 + 5, "paging on until two match: five pages");
}

// ---- point 4: stopped runs keep their record ----

/// 40 tags to delete, each deletion slowed so that a stop lands mid-run.
async fn slow_forty() -> MockHandle {
    let mock =
        MockUHub::builder().repo(Repo::new("r").image(Image::new("app").numbered_tags(41))).start().await.unwrap();
    mock.inject(FaultRule::new(Fault::Latency(Duration::from_millis(150))).action("DeleteRepoImage"));
    mock
}

/// The report and the mock agree: each tag once, `deleted` exactly the tags the mock removed.
fn assert_report_matches(report: &Value, mock: &MockHandle) {
    let tags = report["tags"].as_array().unwrap();
    let removed: BTreeSet<String> = mock.removed_tags().into_iter().map(|r| r.tag).collect();
    assert_eq!(names(&rows(report, "deleted")), removed);
    let planned: Vec<&Value> = tags.iter().filter(|t| t["action"] == "delete").collect();
    assert_eq!(planned.len(), 40);
    assert!(planned.iter().all(|t| t["result"].is_string()), "every planned deletion has a result");
}

#[tokio::test]
async fn a_timeout_during_apply_reports_what_was_done_and_exits_5() {
    let mock = slow_forty().await;
    let args = ["prune", "r/app", "--keep-last", "1", "--apply", "--yes", "--concurrency", "2", "--timeout", "1s"];
    let run = Uhub::for_mock(&mock).run(&args).await;
    assert_eq!(run.status, 5, "{run:#?}");
    let report = run.json();
    assert_eq!(report["summary"]["dry_run"], false);
    assert_report_matches(&report, &mock);
    let deleted = report["summary"]["deleted"].as_u64().unwrap();
    assert!(deleted > 0 && report["summary"]["not_started"].as_u64().unwrap() > 0, "{}", report["summary"]);
    assert!(run.stderr.contains("deletion(s) not started"), "{}", run.stderr);
}

#[tokio::test]
async fn sigterm_during_apply_finishes_those_in_flight_reports_and_exits_130() {
    let mock = slow_forty().await;
    let uhub = Uhub::for_mock(&mock);
    let audit = uhub.home().join("audit.jsonl");
    let args = [
        "prune",
        "r/app",
        "--keep-last",
        "1",
        "--apply",
        "--yes",
        "--concurrency",
        "2",
        "--audit-log",
        audit.to_str().unwrap(),
    ];
    let child = uhub.spawn(&args);
    let started = std::time::Instant::now();
    while mock.requests("DeleteRepoImage") < 4 {
        assert!(started.elapsed() < support::LIMIT, "no deletions started");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let pid = child.id().unwrap().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let out = tokio::time::timeout(support::LIMIT, child.wait_with_output()).await.unwrap().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_report_matches(&report, &mock);
    assert!(report["summary"]["not_started"].as_u64().unwrap() > 0);
    let audited =
        std::fs::read_to_string(&audit).unwrap().lines().filter(|l| !l.contains(r#""result":"intent""#)).count();
    assert_eq!(audited, 40, "the audit log has every planned deletion's outcome, started or not");
}

// ---- accessories go through the same re-check, also from a saved plan ----

#[tokio::test]
async fn an_accessory_pushed_again_after_the_plan_is_left_alone() {
    let (mock, acc) = five_signed(now()).await;
    // Call 1 lists; 2-4 re-check v3, v2, v1; then the accessories: v3's signature (5), v1's
    // signature (6), v1's attestation (7). v1's signature is pushed again before call 6.
    let repush = Fault::Change(Change::repush("r", "app", &acc[0]));
    mock.inject(FaultRule::new(repush).action("GetImageTag").on_call(6).times(1));
    let run = Uhub::for_mock(&mock).run(KEEP_TWO).await;
    assert_eq!(run.status, 6, "{run:#?}");
    let report = run.json();
    assert_eq!(names(&rows(&report, "deleted")), set(&["v3", "v2", "v1", &acc[2], &acc[1]]));
    assert_eq!(names(&rows(&report, "changed")), set(&[&acc[0]]));
    assert!(tag_names(&mock, "r", "app").await.contains(&acc[0]));
}

#[tokio::test]
async fn a_saved_plan_keeps_whose_accessory_each_tag_is() {
    let (mock, acc) = five_signed(now()).await;
    let uhub = Uhub::for_mock(&mock);
    let plan = uhub.home().join("plan.json");
    uhub.run(&["prune", "r/app", "--keep-last", "2", "--plan-out", plan.to_str().unwrap()]).await.ok_json();
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&plan).unwrap()).unwrap();
    let sig = saved["tags"].as_array().unwrap().iter().find(|t| t["tag"] == acc[0].as_str()).unwrap();
    assert_eq!(sig["accessory_of"]["tags"], serde_json::json!(["v1"]), "{sig}");
    // Applied with v1's deletion failing, v1's accessories stay: the file said whose they are.
    mock.inject(FaultRule::new(Fault::status(500)).action("DeleteRepoImage").on_call(3).times(1));
    let run = uhub.run(&["prune", "--plan-in", plan.to_str().unwrap(), "--apply", "--yes", "--concurrency", "1"]).await;
    assert_eq!(run.status, 4, "{run:#?}");
    let report = run.json();
    assert_eq!(names(&rows(&report, "not_started")), set(&[&acc[0], &acc[1]]));
    assert_eq!(names(&rows(&report, "deleted")), set(&["v3", "v2", &acc[2]]));
}
