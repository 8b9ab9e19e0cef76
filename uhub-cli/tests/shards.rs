//! `uhub mirror --shard K/N`: three processes given one sync file, side by side against real
//! registries, mirror the whole fleet between them, each image once. The counting proxy in
//! front of the destination sees every manifest PUT, so an image two shards both took would
//! show as two PUTs of its tag.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use support::Uhub;
use uhub_mock::{Fault, FaultRule, MockUHub};
use uhub_testreg::{Proxy, Pushed, Registry, Target, image};

/// 9 repositories × 2 images sharing two base layers, each with a third tag (`latest`)
/// naming its newest image.
const REPOSITORIES: usize = 9;
const BASE: [(usize, u64); 2] = [(150_000, 1), (40_000, 2)];

async fn seed_fleet(src: &Target) -> BTreeMap<String, Vec<(String, Pushed)>> {
    support::seed_fleet(src, REPOSITORIES, 2000, |_, t, seed| vec![BASE[0], BASE[1], (10_000 + t, seed)]).await
}

fn images(json: &Value) -> &Vec<Value> {
    json["images"].as_array().unwrap_or_else(|| panic!("no images list: {json}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_shards_side_by_side_mirror_the_fleet_each_image_once() {
    let (src, dst) = (Registry::start(), Registry::start());
    let proxy = Proxy::counting(&dst.host());
    let fleet = seed_fleet(&src.target()).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fleet.toml");
    let mut sync = format!("to = \"{}/mirror\"\n", proxy.host());
    for repository in fleet.keys() {
        sync.push_str(&format!("\n[[source]]\nfrom = \"{}/{repository}\"\n", src.host()));
    }
    std::fs::write(&file, sync).unwrap();
    let file = file.to_str().unwrap();
    // The environment's UHUB_SHARD is the flag's twin.
    let (a, b, c) = (Uhub::bare(), Uhub::bare(), Uhub::bare().var("UHUB_SHARD", "2/3"));
    let first = ["mirror", "--file", file, "--shard", "0/3", "-o", "json", "--images", "4"];
    let second = ["mirror", "--file", file, "--shard", "1/3", "-o", "json", "--images", "4"];
    let third = ["mirror", "--file", file, "-o", "json", "--images", "4"];
    let (r0, r1, r2) = tokio::join!(a.run(&first), b.run(&second), c.run(&third));

    let mut taken: BTreeMap<String, usize> = BTreeMap::new();
    let mut repositories = 0;
    for (k, run) in [r0, r1, r2].iter().enumerate() {
        let json = run.ok_json();
        let shard = &json["summary"]["shard"];
        assert_eq!((shard["index"].as_u64(), shard["count"].as_u64()), (Some(k as u64), Some(3)), "{json}");
        assert_eq!(shard["sources_total"], REPOSITORIES, "{json}");
        repositories += shard["sources"].as_u64().unwrap() as usize;
        assert!(run.stderr.contains(&format!("shard {k}/3: ")), "{run:#?}");
        let mine: BTreeSet<&str> = images(&json)
            .iter()
            .map(|i| {
                assert_eq!(i["result"], "copied", "shard {k}: {i}");
                let source = i["source"].as_str().unwrap();
                *taken.entry(source.to_owned()).or_insert(0) += 1;
                source.rsplit_once(':').unwrap().0
            })
            .collect();
        assert_eq!(mine.len(), shard["sources"].as_u64().unwrap() as usize, "shard {k}: whole repositories");
        assert_eq!(json["summary"]["copied"], images(&json).len(), "{json}");
    }
    assert_eq!(repositories, REPOSITORIES, "the shards' repositories add up to the fleet");
    // Every image of the fleet taken, and by one shard only.
    let host = src.host();
    let host = &host;
    let every: BTreeSet<String> = fleet
        .iter()
        .flat_map(|(repository, tags)| tags.iter().map(move |(tag, _)| format!("{host}/{repository}:{tag}")))
        .collect();
    assert_eq!(taken.keys().cloned().collect::<BTreeSet<_>>(), every);
    assert!(taken.values().all(|n| *n == 1), "{taken:?}");

    // The destination holds the fleet digest for digest, each tag written once.
    let mut puts: BTreeMap<String, usize> = BTreeMap::new();
    for (method, path) in proxy.requests_seen() {
        if method == "PUT" && path.contains("/manifests/") {
            *puts.entry(path).or_insert(0) += 1;
        }
    }
    for (repository, tags) in &fleet {
        let there = repository.replace("fleet/", "mirror/");
        for (tag, pushed) in tags {
            let digest = image::head_manifest(&dst.target(), &there, tag).await;
            assert_eq!(digest.as_deref(), Some(pushed.digest.as_str()), "{there}:{tag}");
            assert_eq!(puts.get(&format!("/v2/{there}/manifests/{tag}")), Some(&1), "{there}:{tag}: {puts:?}");
        }
    }
    assert_eq!(puts.values().sum::<usize>(), REPOSITORIES * 3, "{puts:?}");
}

#[tokio::test]
async fn a_shard_that_is_no_shard_is_a_usage_error_saying_what_to_type() {
    let uhub = Uhub::bare();
    for (shard, says) in [("3/3", "0 to 2"), ("0/0", "1 to"), ("a/b", "e.g. --shard 0/3")] {
        let run = uhub.run(&["mirror", "nginx:1.27", "--to", "127.0.0.1:9/m", "--shard", shard, "--dry-run"]).await;
        assert_eq!(run.status, 2, "{shard}: {run:#?}");
        assert!(run.stderr.contains(says) && run.stdout.is_empty(), "{shard}: {run:#?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_says_which_shard_and_how_many_sources_it_took() {
    let src = Registry::start();
    let mut sources = Vec::new();
    for r in 0..6 {
        let repository = format!("dry/app{r}");
        image::push_image(&src.target(), &repository, "1", &[1_000], 50 + r).await;
        sources.push(format!("{}/{repository}:1", src.host()));
    }
    let to = format!("{}/copy", src.host());
    let uhub = Uhub::bare();
    let mut seen = BTreeSet::new();
    for k in 0..2 {
        let shard = format!("{k}/2");
        let mut args: Vec<&str> = vec!["mirror", "--to", &to, "--shard", &shard, "--dry-run", "-o", "table"];
        args.extend(sources.iter().map(String::as_str));
        let run = uhub.run(&args).await;
        assert_eq!(run.status, 0, "{run:#?}");
        let first = run.stdout.lines().next().unwrap_or_default();
        let (n, of) = first
            .strip_prefix(&format!("shard {k}/2: "))
            .and_then(|rest| rest.strip_suffix(" sources"))
            .and_then(|rest| rest.split_once(" of "))
            .unwrap_or_else(|| panic!("{run:#?}"));
        assert_eq!(of, "6");
        let rows: Vec<&str> = run.stdout.lines().filter(|l| l.contains("would copy")).collect();
        assert_eq!(rows.len(), n.parse::<usize>().unwrap(), "{run:#?}");
        for row in rows {
            assert!(seen.insert(row.split_whitespace().next().unwrap().to_owned()), "taken twice: {row}");
        }
    }
    assert_eq!(seen, sources.into_iter().collect(), "the two dry runs cover the six sources");
}

/// Shards mirroring into one UHub project race to create its missing repositories: the one
/// whose `CreateRepo` fails because another just made it goes on with the repository there.
/// The mock's `StatusAfterAction` makes the repository, then answers 503 (the request is not
/// sent again: CreateRepo is not idempotent), as the shard that lost the race sees it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_uhub_repository_another_shard_created_meanwhile_is_used() {
    let (src, uhub_registry) = (Registry::start(), Registry::start());
    let mock = MockUHub::builder().start().await.unwrap();
    image::push_image(&src.target(), "lib/tool", "3", &[1000], 5).await;
    let source = format!("{}/lib/tool:3", src.host());
    let to = format!("{}/raced", uhub_registry.host());
    let uhub = Uhub::for_mock(&mock);
    let args = ["mirror", &source, "--to", &to, "--registry", &uhub_registry.host(), "--shard", "0/1"];

    mock.inject(FaultRule::new(Fault::StatusAfterAction(503)).action("CreateRepo").times(1));
    let run = uhub.run(&args).await;
    assert_eq!(run.ok_json()["images"][0]["result"], "copied", "{run:#?}");
    assert!(run.stderr.contains("the UHub repository raced was created meanwhile; using it"), "{run:#?}");
    assert_eq!(mock.requests("CreateRepo"), 1);

    // A create that failed with nothing made is still an error, before any copy.
    let to = format!("{}/refused", uhub_registry.host());
    let args = ["mirror", &source, "--to", &to, "--registry", &uhub_registry.host()];
    mock.inject(FaultRule::new(Fault::RetCode(1602)).action("CreateRepo").times(1));
    let run = uhub.run(&args).await;
    assert_eq!(run.status, 1, "{run:#?}");
    assert!(run.stderr.contains("creating the UHub repository refused") && run.stdout.is_empty(), "{run:#?}");
}
