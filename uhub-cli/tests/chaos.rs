//! Chaos: `uhub prune --apply` on 1,500 tags while the mock, at seeded random moments, pushes
//! tags again, deletes tags and fails requests (before and after acting). Afterwards no tag whose
//! digest changed after the plan was deleted, every tag is accounted for once in the report and
//! every planned deletion once in the audit log, and the report matches the mock's final state.
//!
//! Deletions run one at a time so that "after the plan" is exact: a re-push lands before some
//! tag's re-check, never inside another tag's re-check-to-delete window (which the API cannot
//! close; see `retention.rs`).

mod support;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use support::{Uhub, tag_names};
use uhub_mock::{Change, Fault, FaultRule, Image, MockUHub, Repo};

const SEED: u64 = 0x5eed_2026_0018;
const TAGS: usize = 1_500;
const KEEP: usize = 20;
/// Listing calls (15 pages): no rule fires before the plan is made.
const LISTING_CALLS: u32 = 15;

/// splitmix64: a seeded sequence, the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn tag_name(i: usize) -> String {
    format!("1.{}.{}", i / 100, i % 100)
}

/// Distinct call numbers after the listing, at least 3 apart (a retry never meets the next
/// rule), `count` of them below `limit`.
fn call_numbers(rng: &mut Rng, count: usize, limit: u32) -> Vec<u32> {
    let mut chosen = BTreeSet::new();
    while chosen.len() < count {
        let n = LISTING_CALLS + 2 + rng.below(u64::from(limit - LISTING_CALLS - 2)) as u32;
        if chosen.iter().all(|&c: &u32| c.abs_diff(n) >= 3) {
            chosen.insert(n);
        }
    }
    chosen.into_iter().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prune_stays_right_while_the_registry_changes_and_fails_under_it() {
    let mock =
        MockUHub::builder().repo(Repo::new("r").image(Image::new("app").numbered_tags(TAGS))).start().await.unwrap();
    let mut rng = Rng(SEED);
    let doomed_calls = (TAGS - KEEP) as u32;
    // Another client: re-pushes before re-checks, deletions before re-checks and deletions.
    for call in call_numbers(&mut rng, 60, doomed_calls) {
        let change = Change::repush("r", "app", tag_name(rng.below(TAGS as u64) as usize));
        mock.inject(FaultRule::new(Fault::Change(change)).action("GetImageTag").on_call(call).times(1));
    }
    for (action, count) in [("GetImageTag", 25), ("DeleteRepoImage", 25)] {
        for call in call_numbers(&mut rng, count, doomed_calls) {
            let change = Change::delete_tag("r", "app", tag_name(rng.below(TAGS as u64) as usize));
            mock.inject(FaultRule::new(Fault::Change(change)).action(action).on_call(call).times(1));
        }
    }
    // A flaky network: answers lost after the deletion, throttling, refusals.
    let faults = [Fault::StatusAfterAction(502), Fault::status(503), Fault::RetCode(153), Fault::status(500)];
    for call in call_numbers(&mut rng, 12, doomed_calls) {
        let fault = faults[rng.below(faults.len() as u64) as usize].clone();
        mock.inject(FaultRule::new(fault).action("DeleteRepoImage").on_call(call).times(1));
    }
    for call in call_numbers(&mut rng, 3, doomed_calls) {
        mock.inject(FaultRule::new(Fault::status(500)).action("GetImageTag").on_call(call).times(1));
    }

    let uhub = Uhub::for_mock(&mock);
    let audit = uhub.home().join("audit.jsonl");
    let keep = KEEP.to_string();
    let args = [
        "prune",
        "r/app",
        "--keep-last",
        &keep,
        "--apply",
        "--yes",
        "--concurrency",
        "1",
        "--audit-log",
        audit.to_str().unwrap(),
    ];
    let run = uhub.run(&args).await;
    assert!(matches!(run.status, 0 | 4 | 6), "seed {SEED:#x}: {}", run.stderr);
    let report = run.json();
    let rows = report["tags"].as_array().unwrap();

    // Every tag once in the report; every planned deletion once in the audit log, agreeing.
    let names: BTreeSet<&str> = rows.iter().map(|t| t["tag"].as_str().unwrap()).collect();
    assert_eq!((rows.len(), names.len()), (TAGS, TAGS), "seed {SEED:#x}");
    let planned: BTreeMap<String, &Value> = rows
        .iter()
        .filter(|t| t["action"] == "delete")
        .map(|t| (format!("r/app:{}", t["tag"].as_str().unwrap()), t))
        .collect();
    assert_eq!(planned.len(), TAGS - KEEP);
    // The outcomes; each deletion sent also has its intent line before (record_first.rs).
    let audited: Vec<Value> = std::fs::read_to_string(&audit)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|l| l["result"] != "intent")
        .collect();
    let by_reference: BTreeMap<String, &Value> =
        audited.iter().map(|l| (l["reference"].as_str().unwrap().to_owned(), l)).collect();
    assert_eq!(audited.len(), planned.len(), "seed {SEED:#x}: one audit record per planned deletion");
    assert_eq!(by_reference.keys().collect::<Vec<_>>(), planned.keys().collect::<Vec<_>>());
    for (reference, row) in &planned {
        assert_eq!(by_reference[reference]["result"], row["result"], "seed {SEED:#x}: {reference}");
        assert_eq!(by_reference[reference]["digest"], row["digest"], "seed {SEED:#x}: {reference}");
    }

    // Only planned images were deleted: each removal by a request is of the plan's digest, and
    // the removals are exactly the tags reported deleted.
    let removed = mock.removed_tags();
    for r in &removed {
        let row = planned[&format!("r/app:{}", r.tag)];
        assert_eq!(row["digest"], r.digest.as_str(), "seed {SEED:#x}: {} was deleted with another digest", r.tag);
    }
    let removed_names: BTreeSet<&str> = removed.iter().map(|r| r.tag.as_str()).collect();
    let reported: BTreeSet<&str> =
        rows.iter().filter(|t| t["result"] == "deleted").map(|t| t["tag"].as_str().unwrap()).collect();
    assert_eq!(removed_names, reported, "seed {SEED:#x}");

    // The report matches the mock's final state.
    let changes = mock.applied_changes();
    let deleted_by_others: BTreeSet<String> = changes
        .iter()
        .filter(|c| c.applied)
        .filter_map(|c| match &c.change {
            Change::DeleteTag { tag, .. } => Some(tag.clone()),
            _ => None,
        })
        .collect();
    let left: BTreeSet<String> = tag_names(&mock, "r", "app").await.into_iter().collect();
    for row in rows {
        let tag = row["tag"].as_str().unwrap();
        let should_remain = match row["result"].as_str() {
            Some("deleted" | "gone") => false,
            _ => !deleted_by_others.contains(tag),
        };
        assert_eq!(left.contains(tag), should_remain, "seed {SEED:#x}: {row}");
    }
    let summary = &report["summary"];
    let counted: u64 = ["deleted", "failed", "changed", "gone"].iter().map(|k| summary[k].as_u64().unwrap()).sum();
    assert_eq!(counted, (TAGS - KEEP) as u64, "seed {SEED:#x}: {summary}");
    assert!(summary["changed"].as_u64().unwrap() > 0, "the re-pushes were noticed: {summary}");
    assert!(summary["gone"].as_u64().unwrap() > 0, "the deletions by others were noticed: {summary}");
    assert!(changes.iter().any(|c| c.applied), "the chaos happened");
}
