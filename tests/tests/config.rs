//! Configuration: builder > environment > shared files, file and profile errors, STS tokens,
//! proxies, and secrets kept out of Debug, Display and tracing output.
//!
//! Every test injects its own variables and home directory, so none reads the real ones.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tracing_subscriber::util::SubscriberInitExt as _;
use uhub_loopback::{Handler, Received, Reply, Server};
use uhub_sdk::{Client, ClientBuilder, ConfigSource, Credentials, Endpoint, Error, ErrorKind, RetryPolicy};

// ---------------------------------------------------------------------------------------------
// Helpers

/// A fresh directory under the system temp dir, removed on drop; used as a fake home.
struct TempHome(PathBuf);

impl TempHome {
    fn new() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "uhub-config-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempHome(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `~/.ucloud/<name>`.
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let dir = self.0.join(".ucloud");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn source(&self, vars: &[(&str, &str)]) -> ConfigSource {
        source_with_home(vars, Some(self.0.clone()))
    }
}

impl Drop for TempHome {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn source_with_home(vars: &[(&str, &str)], home: Option<PathBuf>) -> ConfigSource {
    ConfigSource::from_vars(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())), home)
}

fn config_message(e: &Error) -> &str {
    match e.kind() {
        ErrorKind::Config { message } => message,
        other => panic!("expected a configuration error, got {other:?}"),
    }
}

fn build_err(builder: ClientBuilder) -> String {
    let e = builder.build().expect_err("the build should fail");
    config_message(&e).to_owned()
}

type Responder = dyn Fn(usize, &Received) -> (u16, String) + Send + Sync;

/// A loopback server that records each request and answers with `respond` (given the
/// request's index) as JSON with a request id. Used both as a fake UHub and as a forward proxy.
async fn serve(respond: Arc<Responder>) -> (SocketAddr, Server) {
    let server = Server::start(Handler::new(move |request| {
        let (status, json) = respond(request.index, request);
        Reply::status(status, json)
            .header("content-type", "application/json")
            .header("X-UCLOUD-REQUEST-UUID", format!("req-{}", request.index))
    }))
    .await;
    (server.addr(), server)
}

const EMPTY_REPOS: &str = r#"{"RetCode":0,"Action":"GetRepoResponse","TotalCount":0,"RepoSet":[]}"#;

fn ok_server() -> Arc<Responder> {
    Arc::new(|_, _| (200, EMPTY_REPOS.to_owned()))
}

/// Checks that `body` carries `SecurityToken=token` and is signed with `private_key`.
fn assert_signed_with_token(body: &[u8], public_key: &str, private_key: &str, token: &str) -> String {
    let fields = uhub_sdk::runtime::Fields::parse(body);
    assert_eq!(fields.get("SecurityToken"), Some(token));
    assert_eq!(fields.get("PublicKey"), Some(public_key));
    let signature = fields.get("Signature").expect("a Signature field").to_owned();
    let others: Vec<(&str, &str)> = fields.iter().filter(|(k, _)| *k != "Signature").collect();
    assert!(others.iter().any(|(k, _)| *k == "SecurityToken"));
    assert_eq!(uhub_sdk::runtime::sign(&others, private_key), signature, "the signature covers SecurityToken");
    signature
}

// ---------------------------------------------------------------------------------------------
// Precedence

#[derive(Clone, Copy, Debug)]
enum Setting {
    PublicKey,
    ProjectId,
    BaseUrl,
    Timeout,
}

/// Every combination of builder × environment × file, for each setting: the highest source
/// that sets a value wins; with none, the default (or, for keys, an error).
#[test]
fn precedence_is_builder_then_environment_then_file() {
    for setting in [Setting::PublicKey, Setting::ProjectId, Setting::BaseUrl, Setting::Timeout] {
        for mask in 0..8u8 {
            let (in_builder, in_env, in_file) = (mask & 4 != 0, mask & 2 != 0, mask & 1 != 0);
            let home = TempHome::new();
            let mut vars: Vec<(&str, &str)> = Vec::new();
            let mut builder = Client::builder();
            let mut config = serde_json::json!({"profile": "default", "active": true, "region": "cn-bj2"});
            let mut credential = serde_json::json!({"profile": "default"});
            if !matches!(setting, Setting::PublicKey) {
                builder = builder.keys("pk-builder", "sk-builder");
            }
            match setting {
                Setting::PublicKey => {
                    if in_builder {
                        builder = builder.keys("pk-builder", "sk-builder");
                    }
                    if in_env {
                        vars.extend([("UCLOUD_PUBLIC_KEY", "pk-env"), ("UCLOUD_PRIVATE_KEY", "sk-env")]);
                    }
                    if in_file {
                        credential["public_key"] = "pk-file".into();
                        credential["private_key"] = "sk-file".into();
                    }
                }
                Setting::ProjectId => {
                    if in_builder {
                        builder = builder.project_id("org-builder");
                    }
                    if in_env {
                        vars.push(("UCLOUD_PROJECT_ID", "org-env"));
                    }
                    if in_file {
                        config["project_id"] = "org-file".into();
                    }
                }
                Setting::BaseUrl => {
                    if in_builder {
                        builder = builder.endpoint(Endpoint::Custom("http://builder.test/".into()));
                    }
                    if in_env {
                        vars.push(("UCLOUD_API_BASE_URL", "http://env.test/"));
                    }
                    if in_file {
                        config["base_url"] = "http://file.test/".into();
                    }
                }
                Setting::Timeout => {
                    if in_builder {
                        builder = builder.attempt_timeout(Duration::from_secs(5));
                    }
                    if in_env {
                        vars.push(("UCLOUD_TIMEOUT_SECOND", "6"));
                    }
                    if in_file {
                        config["timeout_sec"] = 7.into();
                    }
                }
            }
            home.write("config.json", &serde_json::json!([config]).to_string());
            home.write("credential.json", &serde_json::json!([credential]).to_string());
            let case = format!("{setting:?} builder={in_builder} env={in_env} file={in_file}");
            let winner = if in_builder {
                "builder"
            } else if in_env {
                "env"
            } else if in_file {
                "file"
            } else {
                "default"
            };
            let result = builder.config_source(home.source(&vars)).build();
            match setting {
                Setting::PublicKey if winner == "default" => {
                    let e = result.expect_err(&case);
                    assert!(config_message(&e).contains("UCLOUD_PRIVATE_KEY"), "{case}: {e}");
                }
                Setting::PublicKey => {
                    let client = result.expect(&case);
                    assert_eq!(client.credentials().public_key(), format!("pk-{winner}"), "{case}");
                }
                Setting::ProjectId => {
                    let client = result.expect(&case);
                    let expected = (winner != "default").then(|| format!("org-{winner}"));
                    assert_eq!(client.project_id(), expected.as_deref(), "{case}");
                }
                Setting::BaseUrl => {
                    let client = result.expect(&case);
                    let expected = match winner {
                        "default" => "https://api.ucloud.cn".to_owned(),
                        w => format!("http://{w}.test/"),
                    };
                    assert_eq!(client.base_url(), expected, "{case}");
                }
                Setting::Timeout => {
                    let client = result.expect(&case);
                    let expected = match winner {
                        "builder" => 5,
                        "env" => 6,
                        "file" => 7,
                        _ => 30,
                    };
                    assert_eq!(client.attempt_timeout(), Duration::from_secs(expected), "{case}");
                }
            }
        }
    }
}

#[test]
fn builder_values_win_whether_set_before_or_after_the_source() {
    let home = TempHome::new();
    let vars = [("UCLOUD_PUBLIC_KEY", "pk-env"), ("UCLOUD_PRIVATE_KEY", "sk-env"), ("UCLOUD_PROJECT_ID", "org-env")];
    let before = Client::builder().project_id("org-b").config_source(home.source(&vars)).build().unwrap();
    let after = Client::builder().config_source(home.source(&vars)).project_id("org-b").build().unwrap();
    assert_eq!(before.project_id(), Some("org-b"));
    assert_eq!(after.project_id(), Some("org-b"));
}

#[test]
fn provider_names_a_preset_and_a_base_url_wins_over_it() {
    let home = TempHome::new();
    let keys = [("UCLOUD_PUBLIC_KEY", "pk"), ("UCLOUD_PRIVATE_KEY", "sk")];
    let with = |extra: &[(&'static str, &'static str)]| {
        let vars: Vec<_> = keys.iter().chain(extra).copied().collect();
        Client::builder().config_source(home.source(&vars)).build()
    };
    assert_eq!(with(&[("UCLOUD_PROVIDER", "SurferCloud")]).unwrap().base_url(), Endpoint::SurferCloud.base_url());
    assert_eq!(with(&[("UCLOUD_PROVIDER", "genesisai")]).unwrap().base_url(), Endpoint::GenesisAi.base_url());
    let both = with(&[("UCLOUD_PROVIDER", "surfercloud"), ("UCLOUD_API_BASE_URL", "http://127.0.0.1:9/")]);
    assert_eq!(both.unwrap().base_url(), "http://127.0.0.1:9/");

    // The environment's provider beats the file's base URL; the builder's endpoint beats both.
    home.write("config.json", r#"[{"profile":"default","active":true,"base_url":"http://file.test/"}]"#);
    assert_eq!(with(&[("UCLOUD_PROVIDER", "surfercloud")]).unwrap().base_url(), Endpoint::SurferCloud.base_url());
    let vars: Vec<_> = keys.iter().chain(&[("UCLOUD_PROVIDER", "surfercloud")]).copied().collect();
    let client = Client::builder().endpoint(Endpoint::UCloud).config_source(home.source(&vars)).build().unwrap();
    assert_eq!(client.base_url(), Endpoint::UCloud.base_url());

    let e = with(&[("UCLOUD_PROVIDER", "aws")]).unwrap_err();
    let msg = config_message(&e);
    assert!(msg.contains("UCLOUD_PROVIDER") && msg.contains("\"aws\"") && msg.contains("surfercloud"), "{msg}");
}

#[test]
fn empty_variables_count_as_unset() {
    let home = TempHome::new();
    home.write("credential.json", r#"[{"profile":"default","public_key":"pk-file","private_key":"sk-file"}]"#);
    let vars = [("UCLOUD_PUBLIC_KEY", ""), ("UCLOUD_PRIVATE_KEY", ""), ("UCLOUD_PROJECT_ID", "")];
    let client = Client::builder().config_source(home.source(&vars)).build().unwrap();
    assert_eq!(client.credentials().public_key(), "pk-file");
    assert_eq!(client.project_id(), None);
}

// ---------------------------------------------------------------------------------------------
// Errors

#[test]
fn a_named_file_that_is_missing_is_an_error_naming_it() {
    let home = TempHome::new();
    let missing = home.path().join("nope").join("config.json");
    let missing = missing.to_str().unwrap();
    // The credential file is read only when no key is set elsewhere.
    for (var, keys) in [
        ("UCLOUD_SHARED_CONFIG_FILE", &[("UCLOUD_PUBLIC_KEY", "pk"), ("UCLOUD_PRIVATE_KEY", "sk")][..]),
        ("UCLOUD_SHARED_CREDENTIAL_FILE", &[]),
    ] {
        let vars: Vec<_> = keys.iter().copied().chain([(var, missing)]).collect();
        let msg = build_err(Client::builder().config_source(home.source(&vars)));
        assert!(msg.contains(missing) && msg.contains(var), "{msg}");
    }
}

/// Runs `f` on a thread and gives up after 10 s: a read that blocks fails the test, not the run.
fn within_ten_seconds<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(10)).expect("reading the configuration hung")
}

#[cfg(unix)]
fn fifo(home: &TempHome, name: &str) -> PathBuf {
    let path = home.path().join(name);
    let made = std::process::Command::new("mkfifo").arg(&path).status().expect("mkfifo runs");
    assert!(made.success());
    path
}

#[cfg(unix)]
#[test]
fn shared_files_that_are_not_regular_files_are_errors_naming_them_never_endless_reads() {
    let home = TempHome::new();
    let dir = home.path().join("a-directory");
    std::fs::create_dir_all(&dir).unwrap();
    let pipe = fifo(&home, "pipe");
    for (var, path, keys) in [
        ("UCLOUD_SHARED_CONFIG_FILE", PathBuf::from("/dev/zero"), true),
        ("UCLOUD_SHARED_CONFIG_FILE", pipe.clone(), true),
        ("UCLOUD_SHARED_CONFIG_FILE", dir.clone(), true),
        ("UCLOUD_SHARED_CREDENTIAL_FILE", PathBuf::from("/dev/zero"), false),
        ("UCLOUD_SHARED_CREDENTIAL_FILE", pipe.clone(), false),
    ] {
        let shown = path.display().to_string();
        let mut vars = vec![(var.to_owned(), shown.clone())];
        if keys {
            vars.extend([
                ("UCLOUD_PUBLIC_KEY".to_owned(), "pk".to_owned()),
                ("UCLOUD_PRIVATE_KEY".into(), "sk".into()),
            ]);
        }
        let source = ConfigSource::from_vars(vars, Some(home.path().to_owned()));
        let msg = within_ten_seconds(move || build_err(Client::builder().config_source(source)));
        assert!(msg.contains(&shown) && msg.contains(var) && msg.contains("not a regular file"), "{msg}");
    }
    // At the default place, through a symbolic link, too.
    std::fs::create_dir_all(home.path().join(".ucloud")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", home.path().join(".ucloud").join("config.json")).unwrap();
    let source = home.source(&[("UCLOUD_PUBLIC_KEY", "pk"), ("UCLOUD_PRIVATE_KEY", "sk")]);
    let msg = within_ten_seconds(move || build_err(Client::builder().config_source(source)));
    assert!(msg.contains("config.json") && msg.contains("not a regular file"), "{msg}");
}

#[test]
fn a_shared_file_over_the_size_cap_is_an_error_naming_it() {
    let home = TempHome::new();
    let cap = uhub_sdk::config::MAX_SHARED_FILE_BYTES as usize;
    let path = home.write("config.json", &format!("[{}]", " ".repeat(cap - 1)));
    let keys = [("UCLOUD_PUBLIC_KEY", "pk"), ("UCLOUD_PRIVATE_KEY", "sk")];
    let msg = build_err(Client::builder().config_source(home.source(&keys)));
    assert!(msg.contains(path.to_str().unwrap()) && msg.contains("larger than 1048576 bytes"), "{msg}");
    home.write("config.json", &format!("[{}]", " ".repeat(cap - 2)));
    assert!(Client::builder().config_source(home.source(&keys)).build().is_ok(), "exactly the cap is read");
}

#[cfg(unix)]
#[test]
fn a_credential_file_that_is_not_needed_is_not_read() {
    let home = TempHome::new();
    let pipe = fifo(&home, "pipe").display().to_string();
    // Keys in the environment, or on the builder: opening the FIFO would wait for a writer.
    let env = vec![
        ("UCLOUD_SHARED_CREDENTIAL_FILE".to_owned(), pipe.clone()),
        ("UCLOUD_PUBLIC_KEY".to_owned(), "pk".to_owned()),
        ("UCLOUD_PRIVATE_KEY".to_owned(), "sk".to_owned()),
    ];
    let source = ConfigSource::from_vars(env, Some(home.path().to_owned()));
    let client = within_ten_seconds(move || Client::builder().config_source(source).build()).unwrap();
    assert_eq!(client.credentials().public_key(), "pk");
    let source = ConfigSource::from_vars([("UCLOUD_SHARED_CREDENTIAL_FILE", pipe)], Some(home.path().to_owned()));
    let client =
        within_ten_seconds(move || Client::builder().keys("pk-b", "sk").config_source(source).build()).unwrap();
    assert_eq!(client.credentials().public_key(), "pk-b");
}

#[cfg(unix)]
#[test]
fn a_credential_file_others_can_write_is_warned_about() {
    use std::os::unix::fs::PermissionsExt as _;
    let home = TempHome::new();
    let path = home.write("credential.json", r#"[{"profile":"default","public_key":"pk","private_key":"sk"}]"#);
    let warnings = |mode: u32| {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        let captured = Captured::default();
        let writer = captured.clone();
        let _guard = tracing_subscriber::fmt().with_writer(move || writer.clone()).set_default();
        Client::builder().config_source(home.source(&[])).build().unwrap();
        String::from_utf8(captured.0.lock().unwrap().clone()).unwrap()
    };
    for mode in [0o666, 0o620, 0o602] {
        let logs = warnings(mode);
        assert!(logs.contains("WARN") && logs.contains("writable by group or others"), "{mode:o}: {logs}");
        assert!(logs.contains(path.to_str().unwrap()) && logs.contains(&format!("{mode:o}")), "{logs}");
    }
    for mode in [0o600, 0o644] {
        assert_eq!(warnings(mode), "", "{mode:o}");
    }
}

#[test]
fn missing_default_files_are_fine() {
    let home = TempHome::new();
    let vars = [("UCLOUD_PUBLIC_KEY", "pk"), ("UCLOUD_PRIVATE_KEY", "sk")];
    assert!(Client::builder().config_source(home.source(&vars)).build().is_ok());
    // No home directory at all is fine too.
    assert!(Client::builder().config_source(source_with_home(&vars, None)).build().is_ok());
}

#[test]
fn named_files_are_read_from_where_they_are_named() {
    let home = TempHome::new();
    let elsewhere = TempHome::new();
    let config = elsewhere.write("my-config.json", r#"[{"profile":"p","active":true,"project_id":"org-named"}]"#);
    let cred = elsewhere.write("my-cred.json", r#"[{"profile":"p","public_key":"pk-named","private_key":"sk"}]"#);
    let vars = [
        ("UCLOUD_SHARED_CONFIG_FILE", config.to_str().unwrap()),
        ("UCLOUD_SHARED_CREDENTIAL_FILE", cred.to_str().unwrap()),
    ];
    let client = Client::builder().config_source(home.source(&vars)).build().unwrap();
    assert_eq!(client.project_id(), Some("org-named"));
    assert_eq!(client.credentials().public_key(), "pk-named");
}

#[test]
fn a_malformed_file_is_an_error_naming_it_without_quoting_it() {
    let keys = [("UCLOUD_PUBLIC_KEY", "pk"), ("UCLOUD_PRIVATE_KEY", "sk")];
    let cases = [
        ("config.json", r#"[{"profile": "default", "active": true,"#, "not valid JSON"),
        ("config.json", r#"{"profile": "default"}"#, "wrong shape"),
        ("config.json", r#"[{"profile": "default", "timeout_sec": "soon"}]"#, "wrong shape at `[0].timeout_sec`"),
        ("credential.json", r#"[{"profile": "default", "private_key": "sk-IN-FILE-0001" "#, "not valid JSON"),
        ("credential.json", r#"[{"profile": "default", "private_key": 12}]"#, "wrong shape at `[0].private_key`"),
    ];
    for (name, text, what) in cases {
        let home = TempHome::new();
        let path = home.write(name, text);
        // Malformed files are reported even when higher sources set everything, except a
        // credential file, which is not read when the keys come from elsewhere.
        let builder = Client::builder().config_source(home.source(if name == "config.json" { &keys } else { &[] }));
        let msg = build_err(if name == "config.json" { builder.keys("a", "b") } else { builder });
        assert!(msg.contains(path.to_str().unwrap()), "{name}: {msg}");
        assert!(msg.contains("malformed") && msg.contains(what), "{name}: {msg}");
        assert!(!msg.contains("sk-IN-FILE"), "{msg}");
    }
}

#[test]
fn unknown_fields_are_ignored_and_empty_files_hold_no_profiles() {
    let home = TempHome::new();
    home.write(
        "config.json",
        r#"[{"profile":"default","active":true,"project_id":"org-1","region":"cn-bj2","zone":"cn-bj2-02",
            "base_url":"https://api.ucloud.cn/","timeout_sec":15,"max_retry_times":3,"agree_upload_log":true}]"#,
    );
    home.write("credential.json", r#"[{"profile":"default","public_key":"pk","private_key":"sk","cookie":"x"}]"#);
    let client = Client::builder().config_source(home.source(&[])).build().unwrap();
    assert_eq!(client.project_id(), Some("org-1"));
    assert_eq!(client.attempt_timeout(), Duration::from_secs(15));

    home.write("config.json", "  \n");
    let client = Client::builder().config_source(home.source(&[])).build().unwrap();
    assert_eq!(client.project_id(), None);
}

#[test]
fn an_unknown_profile_is_an_error_listing_the_known_ones() {
    let home = TempHome::new();
    home.write("config.json", r#"[{"profile":"a","active":true},{"profile":"b"}]"#);
    home.write("credential.json", r#"[{"profile":"a","public_key":"pk","private_key":"sk"}]"#);
    let msg = build_err(Client::builder().keys("x", "y").config_source(home.source(&[("UCLOUD_PROFILE", "nope")])));
    assert!(msg.contains("\"nope\"") && msg.contains("UCLOUD_PROFILE"), "{msg}");
    assert!(msg.contains("config.json") && msg.contains("a, b"), "{msg}");

    let msg = build_err(Client::builder().profile("other").config_source(home.source(&[])));
    assert!(msg.contains("\"other\"") && msg.contains("ClientBuilder::profile"), "{msg}");

    // Without any shared file, no profile exists.
    let empty = TempHome::new();
    let msg = build_err(Client::builder().keys("x", "y").config_source(empty.source(&[("UCLOUD_PROFILE", "p")])));
    assert!(msg.contains("\"p\"") && msg.contains("none"), "{msg}");
}

#[test]
fn a_missing_key_names_what_to_set() {
    let home = TempHome::new();
    let msg = build_err(Client::builder().config_source(home.source(&[])));
    for needed in [
        "no API keys",
        "UCLOUD_PUBLIC_KEY",
        "UCLOUD_PRIVATE_KEY",
        "ClientBuilder::keys",
        "private_key",
        "credential.json",
    ] {
        assert!(msg.contains(needed), "{needed} missing from: {msg}");
    }

    // Half a pair in one source is not completed from another.
    home.write("credential.json", r#"[{"profile":"default","public_key":"pk-file","private_key":"sk-file"}]"#);
    let msg = build_err(Client::builder().config_source(home.source(&[("UCLOUD_PUBLIC_KEY", "pk-env")])));
    assert!(msg.contains("no private key") && msg.contains("UCLOUD_PRIVATE_KEY"), "{msg}");
    let msg = build_err(Client::builder().config_source(home.source(&[("UCLOUD_PRIVATE_KEY", "sk-env")])));
    assert!(msg.contains("no public key") && msg.contains("UCLOUD_PUBLIC_KEY"), "{msg}");

    home.write("credential.json", r#"[{"profile":"default","public_key":"pk-file"}]"#);
    let msg = build_err(Client::builder().config_source(home.source(&[])));
    assert!(msg.contains("no private key") && msg.contains("credential.json") && msg.contains("\"default\""), "{msg}");

    let msg = build_err(Client::builder().config_source(home.source(&[("UCLOUD_SECURITY_TOKEN", "t")])));
    assert!(msg.contains("UCLOUD_SECURITY_TOKEN"), "{msg}");

    // Without a source, the message points at the builder and at from_env.
    let msg = build_err(Client::builder());
    assert!(msg.contains("ClientBuilder::keys") && msg.contains("from_env"), "{msg}");
}

#[test]
fn malformed_variables_are_errors_naming_them() {
    let home = TempHome::new();
    for (var, value) in [
        ("UCLOUD_TIMEOUT_SECOND", "soon"),
        ("UCLOUD_TIMEOUT_SECOND", "0"),
        ("UCLOUD_API_BASE_URL", "api.ucloud.cn"),
        ("UCLOUD_API_BASE_URL", "ftp://api.ucloud.cn"),
    ] {
        let msg = build_err(Client::builder().keys("a", "b").config_source(home.source(&[(var, value)])));
        assert!(msg.contains(var), "{var}={value}: {msg}");
    }
    home.write("config.json", r#"[{"profile":"default","active":true,"base_url":"not a url"}]"#);
    let msg = build_err(Client::builder().keys("a", "b").config_source(home.source(&[])));
    assert!(msg.contains("base_url") && msg.contains("config.json"), "{msg}");
}

#[test]
fn builder_misuse_is_reported() {
    let msg = build_err(Client::builder().keys("a", "b").profile("p"));
    assert!(msg.contains("from_env"), "{msg}");
    let msg = build_err(Client::builder().keys("a", "b").proxy("http://127.0.0.1:1").http_client(Default::default()));
    assert!(msg.contains("http_client"), "{msg}");
    let msg = build_err(Client::builder().keys("a", "b").proxy("::not a url::"));
    assert!(msg.contains("proxy"), "{msg}");
}

// ---------------------------------------------------------------------------------------------
// Profiles

fn two_profiles() -> TempHome {
    let home = TempHome::new();
    home.write(
        "config.json",
        r#"[{"profile":"a","project_id":"org-a"},{"profile":"b","project_id":"org-b","active":true},
            {"profile":"c","project_id":"org-c"}]"#,
    );
    home.write(
        "credential.json",
        r#"[{"profile":"a","public_key":"pk-a","private_key":"sk-a"},
            {"profile":"b","public_key":"pk-b","private_key":"sk-b"},
            {"profile":"c","public_key":"pk-c","private_key":"sk-c"}]"#,
    );
    home
}

#[test]
fn the_active_profile_is_used_unless_one_is_named() {
    let home = two_profiles();
    let check = |builder: ClientBuilder, expected: &str| {
        let client = builder.build().unwrap();
        assert_eq!(client.project_id(), Some(format!("org-{expected}").as_str()));
        assert_eq!(client.credentials().public_key(), format!("pk-{expected}"));
    };
    check(Client::builder().config_source(home.source(&[])), "b");
    check(Client::builder().config_source(home.source(&[("UCLOUD_PROFILE", "a")])), "a");
    check(Client::builder().config_source(home.source(&[("UCLOUD_PROFILE", "a")])).profile("c"), "c");

    let config = home.source(&[("UCLOUD_PROFILE", "a")]).load(None).unwrap();
    assert_eq!(config.profile(), Some("a"));
    assert_eq!(config.credentials_origin().map(|o| o.contains("credential.json")), Some(true));
}

#[test]
fn without_an_active_entry_the_default_profile_is_used() {
    let home = TempHome::new();
    home.write("config.json", r#"[{"profile":"x","project_id":"org-x"},{"profile":"default","project_id":"org-d"}]"#);
    home.write("credential.json", r#"[{"profile":"default","public_key":"pk-d","private_key":"sk-d"}]"#);
    let client = Client::builder().config_source(home.source(&[])).build().unwrap();
    assert_eq!(client.project_id(), Some("org-d"));
    assert_eq!(client.credentials().public_key(), "pk-d");
}

// ---------------------------------------------------------------------------------------------
// Wire: STS tokens and proxies

#[tokio::test]
async fn security_token_from_the_environment_is_sent_and_signed() {
    let (addr, seen) = serve(ok_server()).await;
    let home = TempHome::new();
    let url = format!("http://{addr}/");
    let vars = [
        ("UCLOUD_PUBLIC_KEY", "pk-sts"),
        ("UCLOUD_PRIVATE_KEY", "sk-sts"),
        ("UCLOUD_SECURITY_TOKEN", "token-sts"),
        ("UCLOUD_API_BASE_URL", url.as_str()),
        ("UCLOUD_PROJECT_ID", "org-sts"),
    ];
    let client = Client::builder().config_source(home.source(&vars)).build().unwrap();
    client.get_repo().limit(5).await.unwrap();
    let body = seen.requests()[0].body.clone();
    assert_signed_with_token(&body, "pk-sts", "sk-sts", "token-sts");
    assert_eq!(uhub_sdk::runtime::Fields::parse(&body).get("ProjectId"), Some("org-sts"));
}

#[tokio::test]
async fn security_token_from_the_credential_file_is_sent_and_signed() {
    let (addr, seen) = serve(ok_server()).await;
    let home = TempHome::new();
    home.write(
        "config.json",
        &format!(r#"[{{"profile":"sts","active":true,"base_url":"http://{addr}","project_id":"org-f"}}]"#),
    );
    home.write(
        "credential.json",
        r#"[{"profile":"sts","public_key":"pk-f","private_key":"sk-f","security_token":"token-f"}]"#,
    );
    let client = Client::builder().config_source(home.source(&[])).build().unwrap();
    client.get_repo().await.unwrap();
    let body = seen.requests()[0].body.clone();
    assert_signed_with_token(&body, "pk-f", "sk-f", "token-f");
}

#[tokio::test]
async fn an_explicit_proxy_carries_the_request() {
    // The proxy answers the canned UHub reply itself; the target host does not exist.
    let (proxy_addr, seen) = serve(ok_server()).await;
    let client = Client::builder()
        .keys("pk", "sk")
        .endpoint(Endpoint::Custom("http://uhub.invalid/".into()))
        .proxy(format!("http://proxyuser:proxy-pass-secret@{proxy_addr}"))
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let repos = client.get_repo().await.unwrap();
    assert_eq!(repos.total_count, 0);
    let seen = seen.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].request_line(), "POST http://uhub.invalid/ HTTP/1.1");
    assert!(seen[0].header("proxy-authorization").is_some_and(|v| v.to_ascii_lowercase().starts_with("basic ")));
    assert!(uhub_sdk::runtime::Fields::parse(&seen[0].body).get("Signature").is_some());
    let debug = format!("{client:?}");
    assert!(debug.contains("proxyuser") && !debug.contains("proxy-pass-secret"), "{debug}");
}

// ---------------------------------------------------------------------------------------------
// Secrets

/// A writer into a shared buffer, for capturing tracing output.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn secrets_never_appear_in_logs_debug_or_display() {
    const PRIVATE: &str = "PRIVATE-KEY-sekrit-0001";
    const TOKEN: &str = "STS-TOKEN-sekrit-0002";
    const PROXY_PASSWORD: &str = "PROXY-PASS-sekrit-0003";
    let captured = Captured::default();
    let writer = captured.clone();
    let _guard = tracing_subscriber::fmt()
        .with_max_level(tracing_subscriber::filter::LevelFilter::TRACE)
        .with_writer(move || writer.clone())
        .set_default();

    // Requests 0 succeeds; the rest fail: 503 (retried), then a signature error.
    let (addr, seen) = serve(Arc::new(|i, _| match i {
        0 => (200, EMPTY_REPOS.to_owned()),
        1 | 2 => (503, r#"{"RetCode":0}"#.to_owned()),
        _ => (200, r#"{"RetCode":171,"Message":"Signature VerifyAC Error"}"#.to_owned()),
    }))
    .await;
    let home = TempHome::new();
    home.write(
        "credential.json",
        &format!(r#"[{{"profile":"default","public_key":"pk-visible","private_key":"{PRIVATE}"}}]"#),
    );
    let url = format!("http://{addr}/");
    let vars = [("UCLOUD_SECURITY_TOKEN", TOKEN), ("UCLOUD_API_BASE_URL", url.as_str())];
    let source = home.source(&vars);
    let config = source.load(None).unwrap();
    let credentials = Credentials::new("pk-visible", PRIVATE).with_security_token(TOKEN);
    let builder = Client::builder().credentials(credentials.clone()).config_source(source.clone()).retry_policy(
        RetryPolicy::default().with_max_attempts(2).with_backoff(Duration::from_millis(1), Duration::from_millis(1)),
    );
    let mut shown = vec![format!("{builder:?}"), format!("{builder:#?}")];
    let client = builder.build().unwrap();
    let _ = writeln!(Captured(captured.0.clone()), "--- calls");
    client.get_repo().await.unwrap();
    let retried = client.get_repo().await.unwrap_err();
    assert_eq!(retried.status(), Some(503));
    assert_eq!(retried.attempts(), 2);
    let rejected = client.get_repo().await.unwrap_err();
    assert_eq!(rejected.code(), Some(171));
    let no_keys = Client::builder().config_source(TempHome::new().source(&[("UCLOUD_SECURITY_TOKEN", TOKEN)]));
    let config_error = no_keys.build().unwrap_err();
    let proxied =
        Client::builder().keys("pk", PRIVATE).proxy(format!("http://u:{PROXY_PASSWORD}@127.0.0.1:9")).build().unwrap();

    shown.extend([
        format!("{client:?}"),
        format!("{client:#?}"),
        format!("{credentials:?} {credentials:#?}"),
        format!("{config:?} {config:#?}"),
        format!("{source:?}"),
        format!("{proxied:?}"),
        format!("{retried} {retried:?} {retried:#?}"),
        format!("{rejected} {rejected:?} {rejected:#?}"),
        format!("{config_error} {config_error:?}"),
        format!("{:?}", config.credentials()),
    ]);
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("uhub.call"), "tracing output was captured: {logs}");
    assert!(logs.contains("retrying"), "{logs}");

    let signatures: Vec<String> =
        seen.requests().iter().map(|s| assert_signed_with_token(&s.body, "pk-visible", PRIVATE, TOKEN)).collect();
    assert_eq!(signatures.len(), 4);
    for text in shown.iter().chain(std::iter::once(&logs)) {
        for secret in [PRIVATE, TOKEN, PROXY_PASSWORD].iter().copied().chain(signatures.iter().map(String::as_str)) {
            assert!(!text.contains(secret), "{secret} leaked into: {text}");
        }
    }
    assert!(shown.iter().any(|s| s.contains("pk-visible")), "public keys are shown");
}

// ---------------------------------------------------------------------------------------------
// The environment read exactly (issue: trust)

/// A source whose one variable holds bytes that are not UTF-8.
#[cfg(unix)]
fn source_with_bytes(name: &'static str, bytes: &'static [u8], home: &TempHome) -> ConfigSource {
    use std::os::unix::ffi::OsStringExt as _;
    let others = [("UCLOUD_PUBLIC_KEY", "pk"), ("UCLOUD_PRIVATE_KEY", "sk")];
    ConfigSource::with_os_vars(
        move |n| {
            if n == name {
                Some(std::ffi::OsString::from_vec(bytes.to_vec()))
            } else {
                others.iter().find(|(k, _)| *k == n).map(|(_, v)| v.into())
            }
        },
        Some(home.path().to_owned()),
    )
}

#[cfg(unix)]
#[test]
fn a_variable_that_is_not_utf8_is_an_error_naming_it_never_unset() {
    let home = TempHome::new();
    for name in ["UCLOUD_API_BASE_URL", "UCLOUD_PRIVATE_KEY", "UCLOUD_PROFILE", "UCLOUD_PROJECT_ID"] {
        let source = source_with_bytes(name, b"http://\xff\xfe.test", &home);
        let message = build_err(Client::builder().config_source(source));
        assert_eq!(message, format!("{name} is set but is not valid UTF-8; set it to UTF-8 text or unset it"));
    }
}

#[test]
fn shared_files_may_start_with_a_byte_order_mark() {
    let home = TempHome::new();
    home.write("config.json", "\u{feff}[{\"profile\": \"p\", \"active\": true, \"project_id\": \"org-bom\"}]");
    home.write("credential.json", "\u{feff}[{\"profile\": \"p\", \"public_key\": \"pk\", \"private_key\": \"sk\"}]");
    let client = Client::builder().config_source(home.source(&[])).build().unwrap();
    assert_eq!((client.project_id(), client.credentials().public_key()), (Some("org-bom"), "pk"));
}

#[test]
fn two_profiles_of_one_name_or_several_active_are_errors_naming_the_file() {
    let home = TempHome::new();
    let config = home.write("config.json", r#"[{"profile": "a", "active": true}, {"profile": "b", "active": true}]"#);
    let message = build_err(Client::builder().keys("pk", "sk").config_source(home.source(&[])));
    assert_eq!(
        message,
        format!("{} marks several profiles active (a, b); mark one, or name one with UCLOUD_PROFILE", config.display())
    );
    home.write("config.json", r#"[{"profile": "a", "active": true}]"#);
    let credential = home.write(
        "credential.json",
        r#"[{"profile": "a", "public_key": "pk1", "private_key": "s1"}, {"profile": "a", "public_key": "pk2", "private_key": "s2"}]"#,
    );
    let message = build_err(Client::builder().config_source(home.source(&[])));
    assert_eq!(message, format!("{} has two profiles named \"a\"; keep one", credential.display()));
    assert!(!message.contains("s1") && !message.contains("s2"));
}

#[test]
fn an_oauth_profile_is_a_clear_error_unless_keys_come_from_elsewhere() {
    let home = TempHome::new();
    home.write("config.json", r#"[{"profile": "sso", "active": true}]"#);
    let credential = home.write(
        "credential.json",
        r#"[{"profile": "sso", "auth_mode": "oauth", "access_token": "at-secret", "refresh_token": "rt-secret"}]"#,
    );
    let message = build_err(Client::builder().config_source(home.source(&[])));
    assert!(
        message.starts_with(&format!(
            "profile \"sso\" in {} signs in with OAuth (auth_mode \"oauth\"), which this SDK does not support",
            credential.display()
        )),
        "{message}"
    );
    assert!(!message.contains("at-secret") && !message.contains("rt-secret"));
    // Keys from the environment make the profile's sign-in irrelevant.
    let vars = [("UCLOUD_PUBLIC_KEY", "pk"), ("UCLOUD_PRIVATE_KEY", "sk")];
    assert!(Client::builder().config_source(home.source(&vars)).build().is_ok());
}

#[tokio::test]
async fn the_channel_key_is_sent_as_a_header_from_the_builder_the_environment_or_the_profile() {
    let (addr, seen) = serve(ok_server()).await;
    let home = TempHome::new();
    home.write("config.json", r#"[{"profile": "ch", "active": true, "channel_key": "ch_profile"}]"#);
    let base = [("UCLOUD_PUBLIC_KEY", "pk"), ("UCLOUD_PRIVATE_KEY", "sk")];
    let with_env = [base[0], base[1], ("UCLOUD_CHANNEL_KEY", "ch_env")];
    let cases: [(ClientBuilder, Option<&str>); 4] = [
        (Client::builder().config_source(home.source(&base)), Some("ch_profile")),
        (Client::builder().config_source(home.source(&with_env)), Some("ch_env")),
        (Client::builder().config_source(home.source(&with_env)).channel_key("ch_builder"), Some("ch_builder")),
        (Client::builder().keys("pk", "sk"), None),
    ];
    for (i, (builder, want)) in cases.into_iter().enumerate() {
        let client = builder.endpoint(Endpoint::Custom(format!("http://{addr}"))).build().unwrap();
        client.get_repo().await.unwrap();
        let request = seen.requests()[i].clone();
        assert_eq!(request.header("channel-key"), want, "case {i}");
    }
}

#[tokio::test]
async fn ret_code_174_is_an_authentication_failure_and_not_retried() {
    let (addr, seen) =
        serve(Arc::new(|_, _| (200, r#"{"RetCode":174,"Message":"Token Not Exists"}"#.to_owned()))).await;
    let client = Client::builder()
        .keys("pk", "sk")
        .endpoint(Endpoint::Custom(format!("http://{addr}")))
        .retry_policy(RetryPolicy::default().with_backoff(Duration::from_millis(1), Duration::from_millis(1)))
        .build()
        .unwrap();
    let e = client.get_repo().await.unwrap_err();
    assert_eq!((e.code(), e.attempts(), e.is_retryable()), (Some(174), 1, false));
    assert_eq!(seen.requests().len(), 1);
}

#[test]
fn a_proxy_without_a_scheme_is_http_and_its_password_stays_hidden() {
    let builder = Client::builder().keys("pk", "sk").proxy("proxyuser:proxy-pass-secret@127.0.0.1:3128");
    let shown = format!("{builder:?}");
    assert!(
        shown.contains("http://proxyuser:REDACTED@127.0.0.1:3128/") && !shown.contains("proxy-pass-secret"),
        "{shown}"
    );
    let client = builder.build().unwrap();
    let shown = format!("{client:?}");
    assert!(shown.contains("proxyuser") && !shown.contains("proxy-pass-secret"), "{shown}");
}

#[test]
fn a_proxy_the_client_cannot_use_is_refused_naming_the_setting() {
    for url in
        ["ftp://user:pw-secret@proxy.test:21", "gopher://proxy.test", "ws://proxy.test", "socks5://proxy.test:1080"]
    {
        let message = build_err(Client::builder().keys("pk", "sk").proxy(url));
        assert!(message.starts_with("ClientBuilder::proxy: "), "{message}");
        assert!(!message.contains("pw-secret"), "{message}");
    }
    // The variables reqwest would read (and skip) are checked the same way.
    let home = TempHome::new();
    for name in ["HTTPS_PROXY", "http_proxy", "ALL_PROXY"] {
        let vars =
            [("UCLOUD_PUBLIC_KEY", "pk"), ("UCLOUD_PRIVATE_KEY", "sk"), (name, "gopher://u:pw-secret@proxy.test")];
        let message = build_err(Client::builder().config_source(home.source(&vars)));
        assert_eq!(
            message,
            format!("{name}: the proxy's scheme \"gopher\" cannot carry requests; use http:// or https://")
        );
    }
    let vars = [("UCLOUD_PUBLIC_KEY", "pk"), ("UCLOUD_PRIVATE_KEY", "sk"), ("HTTPS_PROXY", "proxy.test:3128")];
    assert!(Client::builder().config_source(home.source(&vars)).build().is_ok(), "no scheme reads as http");
}
