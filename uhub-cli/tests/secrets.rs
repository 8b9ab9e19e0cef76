//! No password or token in any output: a hostile registry (uhub-loopback) that echoes the
//! credentials it was sent (the Basic header, the password, the token) in its error text, raw,
//! as JSON and as HTML, in any case and percent-encoded, through `uhub mirror` (its JSON report,
//! its table, `--debug`) and `tag list --size`. Every byte of stdout and stderr is searched.

mod support;

use std::sync::Arc;

use support::Uhub;
use uhub_loopback::{Handler, Reply, Server};
use uhub_mock::{Image, MockUHub, Repo};
use uhub_testreg::Registry;

const USER: &str = "mallory";
const PASSWORD: &str = "Hostile/Pass+9";
const TOKEN: &str = "tok.Hostile-77";

fn base64(text: &str) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in text.as_bytes().chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            out.push(if i <= chunk.len() { TABLE[(n >> (18 - 6 * i) & 63) as usize] as char } else { '=' });
        }
    }
    out
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn basic() -> String {
    base64(&format!("{USER}:{PASSWORD}"))
}

/// The error text echoing every secret, in the style the repository's name asks for.
fn echo(style: &str) -> String {
    let (b64, pw, tok) = (basic(), PASSWORD, TOKEN);
    match style {
        "raw" => format!(
            "denied: Authorization: Basic {b64} (password {pw}, lower {}, encoded {}, twice {}) Bearer {tok} then {}",
            pw.to_lowercase(),
            encode(pw),
            encode(&encode(pw)),
            tok.to_uppercase()
        ),
        "json" => serde_json::json!({"errors": [{
            "code": "UNSUPPORTED",
            "message": format!("authorization: basic {b64}; request {}", serde_json::json!({"password": pw, "access_token": tok})),
        }]})
        .to_string(),
        _ => format!(
            "<html><body><table><tr><td>Authorization</td><td>Basic {b64}</td></tr><tr><td>Password</td><td>{}</td></tr>\
             <tr><td>Token</td><td>{tok}</td></tr><tr><td>Echo</td><td>{}&#61;{}</td></tr></table></body></html>",
            pw.replace('+', "&#43;"),
            "password",
            pw
        ),
    }
}

/// A registry that wants a token from its own `/token` (the rule allows that) for `USER:PASSWORD`,
/// serves one image in every repository, and fails each blob request with [`echo`] in the style
/// named by the repository. With `token_fails`, `/token` itself answers the echo.
async fn hostile_registry(token_fails: bool) -> Server {
    let (_, manifest, digest) = uhub_testreg::fake::config_only_image();
    let manifest = Arc::new(manifest);
    Server::start(Handler::new(move |r| {
        let auth = r.header("authorization").unwrap_or_default();
        let host = r.header("host").unwrap_or_default();
        let style = ["raw", "json", "html"].into_iter().find(|s| r.path.contains(&format!("/{s}/"))).unwrap_or("raw");
        if r.path.starts_with("/token") {
            return match (token_fails, auth == format!("Basic {}", basic())) {
                (true, _) => Reply::status(400, echo(if r.path.contains("json") { "json" } else { style })),
                (false, true) => Reply::json(format!(r#"{{"token":"{TOKEN}"}}"#)),
                (false, false) => Reply::status(401, "{}"),
            };
        }
        if auth != format!("Bearer {TOKEN}") {
            return Reply::status(401, echo(style))
                .header("WWW-Authenticate", format!(r#"Bearer realm="http://{host}/token",service="hostile""#));
        }
        if r.path.contains("/manifests/") && r.method == "HEAD" {
            Reply::status(200, "")
                .header("Docker-Content-Digest", digest.clone())
                .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                .header("Content-Length", manifest.len().to_string())
        } else if r.path.contains("/manifests/") {
            Reply::status(200, manifest.as_bytes())
                .header("Docker-Content-Digest", digest.clone())
                .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
        } else if r.path.contains("/blobs/") {
            let kind = if style == "json" { "application/json" } else { "text/html" };
            Reply::status(400, echo(style)).header("Content-Type", kind)
        } else {
            Reply::json("{}")
        }
    }))
    .await
}

/// Asserts that no spelling of a secret is in `text`, and that something was masked.
fn assert_no_secret(text: &str, what: &str) {
    assert_none_of(&[PASSWORD, TOKEN, &basic()], text, what);
}

fn assert_none_of(secrets: &[&str], text: &str, what: &str) {
    let lower = text.to_lowercase();
    for &secret in secrets {
        for spelled in [secret.to_owned(), encode(secret), encode(&encode(secret))] {
            assert!(!lower.contains(&spelled.to_lowercase()), "{what}: {spelled:?} shown in\n{text}");
        }
    }
    assert!(text.contains("<redacted>"), "{what}: no error text shown, so nothing was tested:\n{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registry_echoing_the_credentials_shows_none_in_the_mirror_report_table_or_debug() {
    let source = hostile_registry(false).await;
    let destination = Registry::start();
    let creds = format!("{USER}:{PASSWORD}");
    let images: Vec<String> = ["raw", "json", "html"].iter().map(|s| format!("{}/{s}/{s}:1", source.addr())).collect();
    let to = format!("{}/mirror", destination.host());
    let uhub = Uhub::bare();
    let mut args: Vec<&str> = vec!["mirror"];
    args.extend(images.iter().map(String::as_str));
    args.extend(["--to", &to, "--src-creds", &creds]);

    let run = uhub.run(&args).await;
    assert_eq!(run.status, 4, "{run:#?}");
    let json = run.json();
    for row in json["images"].as_array().unwrap() {
        assert_eq!(row["result"], "failed", "{row}");
    }
    assert_no_secret(&format!("{}\n{}", run.stdout, run.stderr), "mirror -o json");

    let mut table = vec!["-o", "table"];
    table.extend(&args);
    let run = uhub.run(&table).await;
    assert_eq!(run.status, 4, "{run:#?}");
    assert_no_secret(&format!("{}\n{}", run.stdout, run.stderr), "mirror -o table");

    let mut debug = vec!["--debug"];
    debug.extend(&args);
    let run = uhub.run(&debug).await;
    assert_eq!(run.status, 4, "{run:#?}");
    assert_no_secret(&format!("{}\n{}", run.stdout, run.stderr), "mirror --debug");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_service_echoing_the_credentials_shows_none_in_mirror_or_tag_list_size() {
    let registry = hostile_registry(true).await;
    let creds = format!("{USER}:{PASSWORD}");
    for style in ["raw", "json", "html"] {
        let source = format!("{}/{style}/app:1", registry.addr());
        let to = format!("{}/mirror", registry.addr());
        let run = Uhub::bare().run(&["mirror", &source, "--to", &to, "--src-creds", &creds, "--dry-run"]).await;
        assert_ne!(run.status, 0, "{run:#?}");
        // No token was ever issued: the password and the Basic header are what it holds.
        assert_none_of(
            &[PASSWORD, &basic()],
            &format!("{}\n{}", run.stdout, run.stderr),
            &format!("mirror, token {style}"),
        );
    }

    let mock = MockUHub::builder()
        .repo(Repo::new("json").image(Image::new("app").tag_at("1", support::now() - support::DAY)))
        .start()
        .await
        .unwrap();
    let uhub = Uhub::for_mock(&mock).var("UHUB_REGISTRY_CREDS", &creds);
    let host = registry.addr().to_string();
    for output in ["json", "table"] {
        let run = uhub.run(&["--registry", &host, "-o", output, "tag", "list", "json/app", "--size"]).await;
        assert_ne!(run.status, 0, "{run:#?}");
        let shown = format!("{}\n{}", run.stdout, run.stderr);
        assert_none_of(&[PASSWORD, &basic()], &shown, &format!("tag list --size -o {output}"));
    }
}
