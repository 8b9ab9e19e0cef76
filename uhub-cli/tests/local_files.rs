//! What the user's machine hands the CLI: policy files (read only when regular and small,
//! explained when they are not TOML, warned about when they shadow or miss) and the settings
//! `uhub config show` prints (a base URL's credentials masked).

mod support;

use std::time::{Duration, Instant};

use support::{DAY, Uhub, now};
use uhub_mock::{Image, MockHandle, MockUHub, Repo};

async fn mock() -> MockHandle {
    let t = now();
    let image = |name: &str| Image::new(name).tag_at("v1", t - 40 * DAY).tag_at("v2", t - DAY);
    MockUHub::builder().repo(Repo::new("web").image(image("nginx")).image(image("api"))).start().await.unwrap()
}

fn policy(uhub: &Uhub, text: &str) -> String {
    let path = uhub.home().join("policy.toml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[tokio::test]
async fn unreadable_policy_files_are_usage_errors_naming_the_file() {
    let mock = mock().await;
    let uhub = Uhub::for_mock(&mock);
    let missing = uhub.home().join("missing.toml").display().to_string();
    let big = uhub.home().join("big.toml");
    std::fs::write(&big, format!("# {}\n[[rule]]\nimages = [\"*\"]\nkeep_last = 1\n", "x".repeat(1 << 20))).unwrap();
    let yaml = uhub.home().join("policy.yaml");
    std::fs::write(&yaml, "rule:\n  - images: [\"web/*\"]\n    keep_last: 1\n").unwrap();
    let json = uhub.home().join("policy.json");
    std::fs::write(&json, r#"{"rule": [{"images": ["*"], "keep_last": 1}]}"#).unwrap();
    let dir = uhub.home().display().to_string();
    for (command, path, says) in [
        ("prune", missing.clone(), "no such file"),
        ("report", missing, "no such file"),
        ("prune", big.display().to_string(), "larger than 1024 KiB"),
        ("prune", yaml.display().to_string(), "this looks like YAML, but a policy file is TOML"),
        ("report", json.display().to_string(), "this looks like JSON, but a policy file is TOML"),
        ("prune", dir.clone(), "a directory"),
        ("prune", "/dev/zero".to_owned(), "not a regular file"),
    ] {
        let run = uhub.run(&[command, "--policy", &path]).await;
        assert_eq!(run.status, 2, "{command} {path}: {run:#?}");
        assert!(run.stderr.starts_with(&format!("uhub: error: policy {path}: {says}")), "{}", run.stderr);
    }
    assert_eq!(mock.total_requests(), 0, "nothing is sent for a policy that cannot be read");
}

#[tokio::test]
async fn a_fifo_named_as_the_policy_does_not_hang() {
    let uhub = Uhub::bare();
    let fifo = uhub.home().join("policy.toml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
    assert!(made.success());
    let started = Instant::now();
    let run = uhub.run(&["prune", "--policy", &fifo.display().to_string(), "--demo"]).await;
    assert_eq!(run.status, 2, "{run:#?}");
    assert!(run.stderr.contains("not a regular file (a FIFO, socket or device)"), "{}", run.stderr);
    assert!(started.elapsed() < Duration::from_secs(20), "answered at once, not after a writer came");
}

#[tokio::test]
async fn policy_mistakes_that_parse_are_warned_about() {
    let mock = mock().await;
    let uhub = Uhub::for_mock(&mock);
    let path = policy(
        &uhub,
        r#"
        [[rule]]
        images = ["web/*"]
        keep_last = 1
        [[rule]]
        images = ["web/api", "Web/Nginx", "backend/*"]
        match = "^v"
        exclude = "^v"
        "#,
    );
    let run = uhub.run(&["prune", "--policy", &path]).await;
    assert_eq!(run.status, 0, "{run:#?}");
    let warnings: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with("warning: ")).collect();
    let prefix = format!("warning: policy {path}: ");
    assert_eq!(
        warnings,
        [
            format!("{prefix}rule 2: match and exclude are the same expression (\"^v\"), so the rule deletes nothing"),
            format!(
                "{prefix}rule 2: pattern \"web/api\" is shadowed by rule 1's \"web/*\", which comes first, so rule 2 \
                 never applies to it"
            ),
            format!("{prefix}rule 2: pattern \"Web/Nginx\" matches no image (did you mean web/nginx?)"),
            format!("{prefix}rule 2: pattern \"backend/*\" matches no image"),
        ],
        "{}",
        run.stderr
    );
    // The same warnings from report, which reads the policy too.
    let report = uhub.run(&["report", "--policy", &path]).await;
    assert_eq!(report.status, 0, "{report:#?}");
    assert!(report.stderr.contains("did you mean web/nginx?"), "{}", report.stderr);
}

#[tokio::test]
async fn config_show_masks_credentials_in_the_base_url() {
    let uhub = Uhub::bare();
    let url = "http://deployer:s3cret-pw@127.0.0.1:9/api";
    for format in ["json", "table"] {
        let run = uhub.run(&["config", "show", "--base-url", url, "-o", format]).await;
        assert_eq!(run.status, 0, "{run:#?}");
        assert!(!run.stdout.contains("s3cret") && !run.stdout.contains("deployer"), "{}", run.stdout);
        assert!(run.stdout.contains("http://********@127.0.0.1:9/api"), "{}", run.stdout);
    }
    // From the environment the SDK refuses such a URL when it reads the configuration (UHub
    // never uses credentials in a URL): an error naming the variable, the password hidden.
    let via_env = uhub_env(url).run(&["config", "show", "-o", "json"]).await;
    assert_eq!(via_env.status, 1, "{via_env:#?}");
    assert!(
        via_env.stderr.contains("UCLOUD_API_BASE_URL") && via_env.stderr.contains("holds credentials"),
        "{via_env:#?}"
    );
    assert!(!format!("{}{}", via_env.stdout, via_env.stderr).contains("s3cret"), "{via_env:#?}");
}

fn uhub_env(url: &str) -> Uhub {
    Uhub::bare().var("UCLOUD_API_BASE_URL", url)
}

#[tokio::test]
async fn config_show_states_the_default_time_limit() {
    let run = Uhub::bare().run(&["config", "show", "-o", "json"]).await.ok_json();
    let timeout = run.as_array().unwrap().iter().find(|s| s["setting"] == "timeout").unwrap().clone();
    assert_eq!((timeout["value"].as_str(), timeout["source"].as_str()), (Some("10m"), Some("default")));
    let none = Uhub::bare().run(&["config", "show", "-o", "json", "--timeout", "0"]).await.ok_json();
    assert!(none.as_array().unwrap().iter().any(|s| s["setting"] == "timeout" && s["value"] == "none"));
}
