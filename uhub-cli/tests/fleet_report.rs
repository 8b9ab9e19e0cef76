//! `uhub mirror`'s report at fleet scale, against real registries: a summary first, failures
//! first with a one-line reason read from the registry's JSON error (never the JSON itself),
//! `-o json` as `{"summary", "images"}`, and `-o jsonl` printing each image's line as it
//! finishes, then the summary. The destination sits behind uhub-testreg's proxy, which fails
//! the requests a test names.

mod support;

use std::time::Duration;

use serde_json::Value;
use support::Uhub;
use tokio::io::{AsyncBufReadExt, BufReader};
use uhub_testreg::{FailRule, Failure, Kind, Proxy, Registry, image};

/// Three images on `src`, `r/app0:1` .. `r/app2:1`.
async fn three_images(src: &Registry) -> Vec<String> {
    let mut sources = Vec::new();
    for n in 0..3u64 {
        image::push_image(&src.target(), &format!("r/app{n}"), "1", &[20_000, 3_000], 70 + n).await;
        sources.push(format!("{}/r/app{n}:1", src.host()));
    }
    sources
}

fn args<'a>(sources: &'a [String], to: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["mirror"];
    args.extend(sources.iter().map(String::as_str));
    args.extend(["--to", to, "--images", "1"]);
    args.extend(extra);
    args
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_image_comes_first_with_the_registrys_code_and_message_on_one_short_line() {
    let (src, dst) = (Registry::start(), Registry::start());
    let proxy = Proxy::counting(&dst.host());
    let sources = three_images(&src).await;

    // The second image's manifest PUT is answered 400 with a registry's JSON error body.
    proxy.fail(FailRule::new("PUT", Kind::Manifest).nth(2).with(Failure::Status(400)));
    let to = format!("{}/json", proxy.host());
    let run = Uhub::bare().run(&args(&sources, &to, &["-o", "json"])).await;
    assert_eq!(run.status, 4, "{run:#?}");
    let json = run.json();
    let summary = &json["summary"];
    assert_eq!(
        (summary["images"].as_u64(), summary["copied"].as_u64(), summary["failed"].as_u64()),
        (Some(3), Some(2), Some(1)),
        "{json}"
    );
    assert!(summary["bytes_copied"].as_u64().unwrap() > 0 && summary["waits"] == 0, "{json}");
    let images = json["images"].as_array().unwrap();
    let results: Vec<&str> = images.iter().map(|i| i["result"].as_str().unwrap()).collect();
    assert_eq!(results, ["failed", "copied", "copied"], "failures first: {json}");
    let error = images[0]["error"].as_str().unwrap();
    assert!(error.ends_with("UNAVAILABLE: uhub-testreg: failed on purpose"), "{error}");
    assert!(!error.contains('{') && !error.contains("\"errors\""), "no raw JSON: {error}");

    proxy.fail(FailRule::new("PUT", Kind::Manifest).nth(2).with(Failure::Status(400)));
    let to = format!("{}/table", proxy.host());
    let run = Uhub::bare().run(&args(&sources, &to, &["-o", "table"])).await;
    assert_eq!(run.status, 4, "{run:#?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    // The summary first, then the table with the failure on its first row.
    assert_eq!(lines[0], "images: 2 copied, 0 unchanged, 1 failed", "{}", run.stdout);
    assert!(
        lines[1].starts_with("bytes: ") && lines[1].contains(" sent, ") && lines[2] == "waits: 0",
        "{}",
        run.stdout
    );
    let header = lines.iter().position(|l| l.starts_with("SOURCE")).unwrap_or_else(|| panic!("{}", run.stdout));
    let failed_row = lines[header + 1];
    assert!(
        failed_row.contains("failed") && failed_row.contains("UNAVAILABLE: uhub-testreg: failed on purpose"),
        "{failed_row}"
    );
    assert!(!run.stdout.contains("\"errors\""), "{}", run.stdout);
    assert!(lines.iter().all(|l| l.chars().count() < 300), "short rows: {}", run.stdout);
    // stderr's last line names the image that failed.
    let last = run.stderr.lines().last().unwrap_or_default();
    assert!(last.contains("1 failed") && last.contains(&format!("not copied: {}", sources[1])), "{run:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jsonl_prints_each_image_as_it_finishes_then_the_summary() {
    let (src, dst) = (Registry::start(), Registry::start());
    let proxy = Proxy::counting(&dst.host());
    let sources = three_images(&src).await;
    let to = format!("{}/lines", proxy.host());

    let run = Uhub::bare().run(&args(&sources, &to, &["-o", "jsonl"])).await;
    assert_eq!(run.status, 0, "{run:#?}");
    let lines: Vec<Value> =
        run.stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}"))).collect();
    assert_eq!(lines.len(), 4, "{}", run.stdout);
    for line in &lines[..3] {
        assert_eq!(line["result"], "copied", "{line}");
    }
    let mut sources_seen: Vec<&str> = lines[..3].iter().map(|l| l["source"].as_str().unwrap()).collect();
    sources_seen.sort();
    assert_eq!(sources_seen, sources.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(lines[3].as_object().map(|o| o.keys().collect::<Vec<_>>()), Some(vec![&"summary".to_owned()]));
    assert_eq!(lines[3]["summary"]["copied"], 3, "{}", lines[3]);

    // A line is printed when its image finishes, not at the end: with the second image's
    // manifest PUT held back, the first image's line is there while the run goes on.
    proxy.fail(FailRule::new("PUT", Kind::Manifest).nth(2).with(Failure::Delay(Duration::from_secs(120))));
    let to = format!("{}/held", proxy.host());
    let mut child = Uhub::bare().spawn(&args(&sources, &to, &["-o", "jsonl"]));
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(Duration::from_secs(100), stdout.next_line())
        .await
        .expect("the first image's line arrives while the second is held")
        .unwrap()
        .expect("a line");
    let first: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(
        (first["source"].as_str(), first["result"].as_str()),
        (Some(sources[0].as_str()), Some("copied")),
        "{first}"
    );
    // The second image's line is not there yet: it is held for two minutes. (A report printed
    // at the end would have every line in the pipe by now.)
    let next = tokio::time::timeout(Duration::from_secs(2), stdout.next_line()).await;
    assert!(next.is_err(), "a second line while the second image is held: {next:?}");
    assert!(child.try_wait().unwrap().is_none(), "the run is still going");
    child.kill().await.unwrap();
}
