//! `uhub prune` as a table of cases: tags placed in time on the mock, the command, and what is
//! left on the mock afterwards, with the JSON report and the requests the mock saw.

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::Value;
use support::{DAY, Uhub, five, five_signed, now, tag_names};
use uhub_mock::{Fault, FaultRule, Image, MockHandle, MockUHub, Repo};

/// One case: the image `r/app` as seeded, the rule flags, and the tags the prune deletes.
struct Case {
    name: &'static str,
    image: fn(i64) -> Image,
    rules: &'static [&'static str],
    deleted: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        name: "keep-last keeps the newest",
        image: five,
        rules: &["--keep-last", "2"],
        deleted: &["v3", "v2", "v1"],
    },
    Case {
        name: "older-than deletes what is older",
        image: five,
        rules: &["--older-than", "30d"],
        deleted: &["v3", "v2", "v1"],
    },
    Case {
        name: "keep-last and older-than must both select",
        image: five,
        rules: &["--keep-last", "3", "--older-than", "30d"],
        deleted: &["v2", "v1"],
    },
    Case {
        name: "match, exclude and keep narrow the plan",
        image: |t| {
            Image::new("app")
                .tag_at("pr-1", t - 9 * DAY)
                .tag_at("pr-2", t - 8 * DAY)
                .tag_at("pr-3", t - 7 * DAY)
                .tag_at("release-1", t - 9 * DAY)
                .tag_at("main", t - 9 * DAY)
        },
        rules: &["--match", "^(pr|release)-", "--exclude", "^release-", "--keep", "pr-3", "--older-than", "1d"],
        deleted: &["pr-2", "pr-1"],
    },
    Case {
        name: "latest is kept unless told otherwise",
        image: |t| Image::new("app").tag_at("v1", t - 9 * DAY).tag_at("latest", t - 9 * DAY),
        rules: &["--older-than", "1d"],
        deleted: &["v1"],
    },
    Case {
        name: "--no-keep-latest lets latest go",
        image: |t| Image::new("app").tag_at("v1", t - 9 * DAY).tag_at("latest", t - 9 * DAY).tag_at("v2", t - 3600),
        rules: &["--older-than", "1d", "--no-keep-latest"],
        deleted: &["latest", "v1"],
    },
    Case {
        name: "a tag sharing its digest with a kept tag is kept",
        image: |t| {
            Image::new("app")
                .tag_at("v1", t - 9 * DAY)
                .tag_at("v2", t - 8 * DAY)
                .alias("stable", "v1")
                .tag_at("v3", t - 3600)
        },
        rules: &["--older-than", "1d", "--keep", "stable"],
        deleted: &["v2"],
    },
    Case {
        name: "a tag whose time cannot be read is kept under older-than",
        image: |t| {
            Image::new("app").tag_at("v1", t - 9 * DAY).tag_with_unreadable_time("mystery").tag_at("v2", t - 3600)
        },
        rules: &["--older-than", "1d"],
        deleted: &["v1"],
    },
];

async fn mock_with(image: Image) -> MockHandle {
    let mock = MockUHub::builder().repo(Repo::new("r").image(image)).start().await.expect("mock starts");
    // Times as Unix seconds: the ages compared are exact.
    mock.set_drift(true);
    mock
}

/// Names in a report whose `field` is `value`.
fn report_tags(report: &Value, field: &str, value: &str) -> BTreeSet<String> {
    report["tags"]
        .as_array()
        .expect("a tags array")
        .iter()
        .filter(|t| t[field] == value)
        .map(|t| t["tag"].as_str().unwrap().to_owned())
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test]
async fn each_rule_deletes_exactly_what_it_selects() {
    for case in CASES {
        let t = now();
        let mock = mock_with((case.image)(t)).await;
        let before: BTreeSet<String> = tag_names(&mock, "r", "app").await.into_iter().collect();
        let mut args = vec!["prune", "r/app", "--apply", "--yes"];
        args.extend_from_slice(case.rules);
        let run = Uhub::for_mock(&mock).run(&args).await;
        assert_eq!(run.status, 0, "{}: {run:#?}", case.name);
        let report = run.json();

        let after: BTreeSet<String> = tag_names(&mock, "r", "app").await.into_iter().collect();
        let gone: BTreeSet<String> = before.difference(&after).cloned().collect();
        assert_eq!(gone, set(case.deleted), "{}: deleted on the mock", case.name);
        assert_eq!(report_tags(&report, "result", "deleted"), set(case.deleted), "{}: the report", case.name);
        assert_eq!(mock.requests("DeleteRepoImage"), case.deleted.len() as u64, "{}: one request each", case.name);
        for tag in report["tags"].as_array().unwrap().iter().filter(|t| t["result"] == "deleted") {
            assert!(tag["request_id"].as_str().is_some_and(|id| id.starts_with("4d6f636b-")), "{}: {tag}", case.name);
        }
        assert_eq!(report["summary"]["deleted"], case.deleted.len(), "{}", case.name);
    }
}

#[tokio::test]
async fn every_tag_in_the_plan_has_a_reason() {
    let mock = mock_with(
        Image::new("app").tag_at("v1", now() - 9 * DAY).tag_with_unreadable_time("mystery").alias("stable", "v1"),
    )
    .await;
    let plan = Uhub::for_mock(&mock).run(&["prune", "r/app", "--older-than", "1d", "--keep", "stable"]).await.ok_json();
    let reasons: Vec<(&str, &str, &str)> = plan["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["tag"].as_str().unwrap(), t["action"].as_str().unwrap(), t["reason"].as_str().unwrap()))
        .collect();
    assert!(reasons.contains(&("mystery", "keep", r#"push time unreadable ("0000-00-00 00:00:00")"#)), "{reasons:?}");
    assert!(reasons.contains(&("stable", "keep", "kept by name")));
    assert!(reasons.contains(&("v1", "keep", "shares its digest with kept tag stable")));
}

#[tokio::test]
async fn a_dry_run_sends_no_delete_at_all() {
    let mock = mock_with(five(now())).await;
    let plan = Uhub::for_mock(&mock).run(&["prune", "r/app", "--keep-last", "1", "--yes"]).await.ok_json();
    assert_eq!(plan["summary"]["dry_run"], true);
    assert_eq!(report_tags(&plan, "action", "delete"), set(&["v4", "v3", "v2", "v1"]));
    assert!(plan["tags"].as_array().unwrap().iter().all(|t| t.get("result").is_none()));
    assert_eq!(mock.requests("DeleteRepoImage"), 0);
    assert_eq!(tag_names(&mock, "r", "app").await.len(), 6);
}

#[tokio::test]
async fn a_plan_larger_than_max_delete_is_refused_with_status_3() {
    let mock = mock_with(five(now())).await;
    let run = Uhub::for_mock(&mock)
        .run(&["prune", "r/app", "--keep-last", "1", "--max-delete", "3", "--apply", "--yes"])
        .await;
    assert_eq!(run.status, 3, "{run:#?}");
    assert!(run.stderr.contains("the plan deletes 4 tags, more than --max-delete 3 allows"), "{}", run.stderr);
    assert_eq!(run.json()["summary"]["delete"], 4, "the plan is still printed");
    assert_eq!(mock.requests("DeleteRepoImage"), 0);
}

#[tokio::test]
async fn rules_that_limit_nothing_are_refused() {
    let mock = mock_with(five(now())).await;
    let run = Uhub::for_mock(&mock).run(&["prune", "r/app", "--keep", "v1", "--apply", "--yes"]).await;
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("--keep-last N, --older-than AGE or --match RE"), "{}", run.stderr);
    assert_eq!(mock.total_requests(), 0);
}

#[tokio::test]
async fn apply_through_a_pipe_without_yes_refuses_and_deletes_nothing() {
    let mock = mock_with(five(now())).await;
    let run = Uhub::for_mock(&mock).run_with_stdin_open(&["prune", "r/app", "--keep-last", "1", "--apply"]).await;
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("run the same command with --yes"), "{}", run.stderr);
    assert_eq!(mock.requests("DeleteRepoImage"), 0);
}

#[tokio::test]
async fn throttled_deletions_are_ridden_out() {
    let mock = mock_with(five(now())).await;
    mock.inject(FaultRule::new(Fault::RetCode(153)).action("DeleteRepoImage").times(3));
    let run = Uhub::for_mock(&mock).run(&["prune", "r/app", "--keep-last", "1", "--apply", "--yes"]).await;
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(run.json()["summary"]["deleted"], 4);
    assert_eq!(mock.requests("DeleteRepoImage"), 4 + 3, "each throttled request was tried again");
    assert_eq!(tag_names(&mock, "r", "app").await, ["latest", "v5"]);
}

#[tokio::test]
async fn after_a_partial_failure_running_again_finishes_the_job() {
    let mock = mock_with(five(now())).await;
    // HTTP 500 is not retried: two deletions fail for good.
    mock.inject(FaultRule::new(Fault::status(500)).action("DeleteRepoImage").times(2));
    let uhub = Uhub::for_mock(&mock);
    let args = ["prune", "r/app", "--keep-last", "1", "--apply", "--yes", "--concurrency", "1"];
    let first = uhub.run(&args).await;
    assert_eq!(first.status, 4, "{first:#?}");
    let report = first.json();
    assert_eq!((report["summary"]["deleted"].as_u64(), report["summary"]["failed"].as_u64()), (Some(2), Some(2)));
    let failed: Vec<&Value> = report["tags"].as_array().unwrap().iter().filter(|t| t["result"] == "failed").collect();
    assert_eq!(failed.len(), 2);
    for tag in failed {
        assert!(tag["error"].as_str().unwrap().contains("HTTP status 500"), "{tag}");
        assert!(tag["request_id"].as_str().unwrap().starts_with("4d6f636b-"));
    }
    assert!(first.stderr.contains("run the same command again to finish the job"));
    assert_eq!(tag_names(&mock, "r", "app").await.len(), 4);

    let second = uhub.run(&args).await;
    assert_eq!(second.status, 0, "{second:#?}");
    assert_eq!(second.json()["summary"]["deleted"], 2);
    assert_eq!(tag_names(&mock, "r", "app").await, ["latest", "v5"]);
}

#[tokio::test]
async fn deletions_run_with_bounded_concurrency() {
    let mock =
        MockUHub::builder().repo(Repo::new("r").image(Image::new("app").numbered_tags(41))).start().await.unwrap();
    mock.inject(FaultRule::new(Fault::Latency(Duration::from_millis(30))).action("DeleteRepoImage"));
    let run = Uhub::for_mock(&mock)
        .run(&["prune", "r/app", "--keep-last", "1", "--apply", "--yes", "--concurrency", "4"])
        .await;
    assert_eq!(run.json()["summary"]["deleted"], 40);
    assert_eq!(mock.max_in_flight(), 4, "four at a time, never more");
}

#[tokio::test]
async fn a_policy_file_prunes_every_repository_by_its_first_matching_rule() {
    let t = now();
    let mock = MockUHub::builder()
        .repo(Repo::new("web").image(five(t)))
        .repo(Repo::new("tools").image(five(t).pull_count(1)))
        .start()
        .await
        .unwrap();
    mock.set_drift(true);
    let uhub = Uhub::for_mock(&mock);
    let policy = uhub.home().join("retention.toml");
    std::fs::write(
        &policy,
        "[[rule]]\nimages = [\"web/*\"]\nkeep_last = 3\n\n[[rule]]\nimages = [\"tools/app\"]\nolder_than = \"45d\"\n",
    )
    .unwrap();
    let run = uhub.run(&["prune", "--policy", policy.to_str().unwrap(), "--apply", "--yes"]).await;
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(tag_names(&mock, "web", "app").await, ["latest", "v5", "v4", "v3"]);
    assert_eq!(tag_names(&mock, "tools", "app").await, ["latest", "v5", "v4", "v3"]);
    let bad = uhub.home().join("bad.toml");
    std::fs::write(&bad, "[[rule]]\nimages = [\"*\"]\nkeep_lats = 3\n").unwrap();
    let refused = uhub.run(&["prune", "--policy", bad.to_str().unwrap()]).await;
    assert_eq!(refused.status, 2);
    assert!(refused.stderr.contains("keep_lats"), "{}", refused.stderr);
}

// ---- accessories: signatures, attestations and SBOMs follow their subject ----

/// The report's row for `tag`.
fn row<'a>(report: &'a Value, tag: &str) -> &'a Value {
    report["tags"].as_array().unwrap().iter().find(|t| t["tag"] == tag).unwrap_or_else(|| panic!("no row {tag}"))
}

#[tokio::test]
async fn accessories_are_deleted_after_their_subject_and_never_counted() {
    let (mock, acc) = five_signed(now()).await;
    let [v1_sig, v1_att, v3_sig, v4_sig, orphan] = <[String; 5]>::try_from(acc).unwrap();
    let run = Uhub::for_mock(&mock)
        .run(&["prune", "r/app", "--keep-last", "2", "--apply", "--yes", "--concurrency", "1"])
        .await;
    assert_eq!(run.status, 0, "{run:#?}");
    let report = run.json();
    // The accessories, pushed last, took no place among the two newest: v5 and v4 did.
    let expected = set(&["v3", "v2", "v1", &v1_sig, &v1_att, &v3_sig]);
    assert_eq!(report_tags(&report, "result", "deleted"), expected);
    let left: BTreeSet<String> = tag_names(&mock, "r", "app").await.into_iter().collect();
    assert_eq!(left, set(&["latest", "v5", "v4", &v4_sig, &orphan]));
    // Every subject went before any accessory.
    let removed: Vec<String> = mock.removed_tags().into_iter().map(|r| r.tag).collect();
    assert_eq!(&removed[..3], ["v3", "v2", "v1"], "{removed:?}");
    assert_eq!(mock.requests("DeleteRepoImage"), 6);

    let sig = row(&report, &v1_sig);
    assert_eq!(sig["accessory_of"]["kind"], "signature");
    assert_eq!(sig["accessory_of"]["tags"], serde_json::json!(["v1"]));
    assert_eq!(sig["reason"], "signature of v1, deleted with it");
    assert_eq!(row(&report, &v1_att)["accessory_of"]["kind"], "attestation");
    assert_eq!(row(&report, &v4_sig)["reason"], "signature of kept tag v4");
    assert!(row(&report, "v4").get("accessory_of").is_none());
    let lone = row(&report, &orphan);
    assert_eq!(lone["action"], "keep");
    assert_eq!(lone["accessory_of"]["tags"], serde_json::json!([]));
    assert!(lone["reason"].as_str().unwrap().starts_with("orphan: signature of sha256:0f0f0f0f0f0f"), "{lone}");
    assert!(
        run.stderr.contains(&format!(
            "r/app: 1 orphaned accessory tag(s) left alone (no tag has the digest they were made for): {orphan}"
        )),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn an_accessory_stays_while_its_subjects_deletion_fails() {
    let (mock, acc) = five_signed(now()).await;
    // One at a time, subjects first: v3, v2, then v1's deletion (the third) fails for good.
    mock.inject(FaultRule::new(Fault::status(500)).action("DeleteRepoImage").on_call(3).times(1));
    let run = Uhub::for_mock(&mock)
        .run(&["prune", "r/app", "--keep-last", "2", "--apply", "--yes", "--concurrency", "1"])
        .await;
    assert_eq!(run.status, 4, "{run:#?}");
    let report = run.json();
    assert_eq!(report_tags(&report, "result", "deleted"), set(&["v3", "v2", &acc[2]]));
    assert_eq!(report_tags(&report, "result", "not_started"), set(&[&acc[0], &acc[1]]));
    let note = row(&report, &acc[0])["note"].as_str().unwrap().to_owned();
    assert_eq!(note, "left alone: the tag it belongs to was not deleted: v1 (failed)");
    let left = tag_names(&mock, "r", "app").await;
    for kept in ["v1", &acc[0], &acc[1]] {
        assert!(left.iter().any(|t| t == kept), "{kept} is still there: {left:?}");
    }
    assert_eq!(mock.requests("DeleteRepoImage"), 4, "v3, v2, v1 (failed), v3's signature");
}

#[tokio::test]
async fn the_plans_table_shows_each_accessory_under_its_subject() {
    let (mock, _) = five_signed(now()).await;
    let run = Uhub::for_mock(&mock).run(&["prune", "r/app", "--keep-last", "2", "-o", "table"]).await;
    assert_eq!(run.status, 0, "{run:#?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    let at =
        |needle: &str| lines.iter().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("{needle}: {lines:#?}"));
    let v1 = at("  v1 ");
    let under: String = lines[v1 + 1..v1 + 3].join("\n");
    assert_eq!(under.matches("r/app  ↳ sha256-").count(), 2, "{lines:#?}");
    assert!(under.contains("….sig") && under.contains("DELETE  signature of v1, deleted with it"), "{lines:#?}");
    assert!(under.contains("….att") && under.contains("DELETE  attestation of v1, deleted with it"), "{lines:#?}");
    assert!(lines[at("  v4 ") + 1].contains("signature of kept tag v4"), "{lines:#?}");
}
