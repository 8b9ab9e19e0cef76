//! Plans are bound to where they were made: a `--plan-out` file names its project and endpoint
//! and carries a checksum; `--plan-in` refuses an edited plan, one from another project or
//! endpoint, one with a name outside the OCI grammar, and one that deletes `latest`, an image's
//! newest tag or a whole image without the flags a fresh plan would need. A plan that cannot be
//! written stops the command before it deletes.

mod support;

use serde_json::Value;
use support::{DAY, Uhub, five, now};
use uhub_mock::{Image, MockHandle, MockUHub, Repo};

async fn mock_with(image: Image) -> MockHandle {
    MockUHub::builder().repo(Repo::new("r").image(image)).start().await.expect("mock starts")
}

/// Saves the plan of `rules` for r/app to `name` in the home and returns its path.
async fn saved(uhub: &Uhub, name: &str, rules: &[&str]) -> String {
    let path = uhub.home().join(name).display().to_string();
    let mut args = vec!["prune", "r/app"];
    args.extend_from_slice(rules);
    args.extend_from_slice(&["--plan-out", &path]);
    let run = uhub.run(&args).await;
    assert_eq!(run.status, 0, "{run:#?}");
    path
}

fn apply<'a>(plan: &'a str, flags: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["prune", "--plan-in", plan, "--apply", "--yes"];
    args.extend_from_slice(flags);
    args
}

#[tokio::test]
async fn a_plan_names_its_project_and_endpoint_and_carries_a_checksum() {
    let mock = mock_with(five(now())).await;
    let uhub = Uhub::for_mock(&mock);
    let plan = saved(&uhub, "plan.json", &["--keep-last", "2"]).await;
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&plan).unwrap()).unwrap();
    assert_eq!(file["format"], "uhub-prune-plan/2");
    assert_eq!(file["endpoint"], mock.base_url());
    assert_eq!(file["project"], Value::Null);
    assert!(file["checksum"].as_str().unwrap().starts_with("sha256:"), "{file}");
    let run = uhub.run(&apply(&plan, &[])).await;
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(mock.requests("DeleteRepoImage"), 3);
}

#[tokio::test]
async fn an_edited_plan_is_refused_before_any_request() {
    let mock = mock_with(five(now())).await;
    let uhub = Uhub::for_mock(&mock);
    let plan = saved(&uhub, "plan.json", &["--keep-last", "2"]).await;
    // One tag kept by the plan turned into a deletion, as a hand edit would.
    let text = std::fs::read_to_string(&plan).unwrap().replacen("\"action\": \"keep\"", "\"action\": \"delete\"", 1);
    std::fs::write(&plan, text).unwrap();
    let before = mock.total_requests();
    let run = uhub.run(&apply(&plan, &[])).await;
    assert_eq!(run.status, 2, "{run:#?}");
    assert!(run.stderr.contains(&format!("plan {plan}: its checksum does not match")), "{}", run.stderr);
    assert_eq!(mock.total_requests(), before, "nothing is sent for a refused plan");
}

#[tokio::test]
async fn a_plan_of_another_project_or_endpoint_is_refused() {
    let mock = mock_with(five(now())).await;
    let uhub = Uhub::for_mock(&mock);
    let plan = saved(&uhub, "plan.json", &["--keep-last", "2"]).await;
    let before = mock.total_requests();
    let run = uhub.run(&apply(&plan, &["--project", "org-other"])).await;
    assert_eq!(run.status, 2, "{run:#?}");
    assert!(
        run.stderr.contains("it was made for the default project, but this configuration uses project org-other"),
        "{}",
        run.stderr
    );
    let elsewhere = mock_with(five(now())).await;
    let run = Uhub::for_mock(&elsewhere).run(&apply(&plan, &[])).await;
    assert_eq!(run.status, 2, "{run:#?}");
    let says = format!("it was made against {}, but this configuration uses {}", mock.base_url(), elsewhere.base_url());
    assert!(run.stderr.contains(&says), "{}", run.stderr);
    assert_eq!((mock.total_requests(), elsewhere.total_requests()), (before, 0));
}

#[tokio::test]
async fn a_plan_that_deletes_what_a_fresh_plan_keeps_needs_the_same_flags() {
    let mock = mock_with(five(now())).await;
    let uhub = Uhub::for_mock(&mock);
    // Made with the flags: every tag (so the image), and the newest two with latest.
    let everything =
        saved(&uhub, "all.json", &["--older-than", "1s", "--no-keep-latest", "--dangerously-delete-newest"]).await;
    let newest =
        saved(&uhub, "newest.json", &["--match", "^(v5|latest)$", "--no-keep-latest", "--dangerously-delete-newest"])
            .await;
    for (plan, flags, says) in [
        (&everything, &[][..], "it deletes r/app:latest, which a fresh plan never does without --no-keep-latest"),
        (
            &everything,
            &["--no-keep-latest"][..],
            "it deletes every tag of r/app, and so the image, which a fresh plan never does without \
             --dangerously-delete-newest",
        ),
        (&newest, &["--no-keep-latest"][..], "the newest tag of the image, which a fresh plan never does without"),
        (&newest, &["--dangerously-delete-newest"][..], "without --no-keep-latest"),
    ] {
        let run = uhub.run(&apply(plan, flags)).await;
        assert_eq!(run.status, 2, "{plan} {flags:?}: {run:#?}");
        assert!(run.stderr.contains(says), "{plan} {flags:?}: {}", run.stderr);
        assert_eq!(mock.requests("DeleteRepoImage"), 0);
    }
    // --max-delete holds for a saved plan too.
    let both = ["--no-keep-latest", "--dangerously-delete-newest"];
    let run = uhub.run(&apply(&everything, &[&both[..], &["--max-delete", "2"]].concat())).await;
    assert_eq!(run.status, 3, "{run:#?}");
    // With the flags a fresh plan needed, the saved plan is applied.
    let run = uhub.run(&apply(&newest, &both)).await;
    assert_eq!(run.status, 0, "{run:#?}");
    assert_eq!(mock.requests("DeleteRepoImage"), 2);
}

#[tokio::test]
async fn a_plan_with_a_name_outside_the_grammar_is_refused() {
    let t = now();
    let mock =
        mock_with(Image::new("app").tag_at("", t - 60 * DAY).tag_at("v1", t - 50 * DAY).tag_at("v2", t - DAY)).await;
    let uhub = Uhub::for_mock(&mock);
    let plan = saved(&uhub, "plan.json", &["--keep-last", "1"]).await;
    let run = uhub.run(&apply(&plan, &[])).await;
    assert_eq!(run.status, 2, "{run:#?}");
    assert!(run.stderr.contains(&format!("plan {plan}: invalid tag name \"\"")), "{}", run.stderr);
    assert_eq!(mock.requests("DeleteRepoImage"), 0);
}

#[tokio::test]
async fn a_plan_that_cannot_be_written_stops_the_command_before_it_deletes() {
    let mock = mock_with(five(now())).await;
    let uhub = Uhub::for_mock(&mock);
    let run = uhub.run(&["prune", "r/app", "--keep-last", "2", "--plan-out", "/dev/full", "--apply", "--yes"]).await;
    assert_eq!(run.status, 1, "{run:#?}");
    assert!(run.stderr.contains("cannot write the plan to /dev/full"), "{}", run.stderr);
    assert_eq!(mock.requests("DeleteRepoImage"), 0);
}
