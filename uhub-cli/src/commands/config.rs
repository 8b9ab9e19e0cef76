//! `uhub config show`: every setting, its value and where it came from; secrets masked.

use std::io::IsTerminal;

use clap::parser::ValueSource;
use serde::Serialize;
use uhub_sdk::{ConfigSource, Endpoint};

use crate::cli::{Format, Global};
use crate::context::{self, endpoint_of};
use crate::exit::Status;
use crate::terminal::output::{Output, Row};

/// Where clap found the flags that can also come from the environment.
#[derive(Clone, Debug, Default)]
pub struct Provenance {
    pub concurrency: Option<ValueSource>,
    pub registry: Option<ValueSource>,
}

/// Shown instead of a secret's value.
const MASK: &str = "********";
/// The SDK's attempt timeout when nothing sets one.
const DEFAULT_REQUEST_TIMEOUT: &str = "30s";

#[derive(Serialize)]
struct Setting {
    setting: &'static str,
    value: String,
    source: String,
}

impl Row for Setting {
    fn headers() -> &'static [&'static str] {
        &["SETTING", "VALUE", "SOURCE"]
    }

    fn cells(&self) -> Vec<String> {
        vec![self.setting.to_owned(), self.value.clone(), self.source.clone()]
    }

    fn name(&self) -> String {
        self.setting.to_owned()
    }
}

fn setting(setting: &'static str, value: impl Into<String>, source: impl Into<String>) -> Setting {
    Setting { setting, value: value.into(), source: source.into() }
}

pub async fn show(global: &Global, provenance: &Provenance) -> anyhow::Result<Status> {
    let mut rows = if global.demo { demo_settings() } else { sdk_settings(global, provenance)? };
    rows.extend(cli_settings(global, provenance));
    Output::new(global.output, global.quiet).list(&rows)?;
    Ok(Status::Ok)
}

/// What the SDK reads: flags first, then the environment, then ucloud-cli's files.
fn sdk_settings(global: &Global, provenance: &Provenance) -> anyhow::Result<Vec<Setting>> {
    let source = ConfigSource::from_env();
    let config = source.load(global.profile.as_deref())?;
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let file = |var_name: &str, default: &str| match var(var_name) {
        Some(path) => (path, var_name.to_owned()),
        None => match source.home() {
            Some(home) => (home.join(".ucloud").join(default).display().to_string(), "default".to_owned()),
            None => ("-".to_owned(), "no home directory".to_owned()),
        },
    };
    let mut rows = Vec::new();
    let (config_file, config_file_source) = file("UCLOUD_SHARED_CONFIG_FILE", "config.json");
    let (credential_file, credential_file_source) = file("UCLOUD_SHARED_CREDENTIAL_FILE", "credential.json");
    rows.push(setting("config file", config_file, config_file_source));
    rows.push(setting("credential file", credential_file, credential_file_source));

    let profile_source = match (&global.profile, var("UCLOUD_PROFILE"), config.profile()) {
        (Some(_), _, _) => "--profile".to_owned(),
        (None, Some(_), _) => "UCLOUD_PROFILE".to_owned(),
        (None, None, Some(_)) => "the config file's active profile (or default)".to_owned(),
        (None, None, None) => "none: no profile in the files".to_owned(),
    };
    rows.push(setting("profile", config.profile().unwrap_or("-"), profile_source));

    match config.credentials() {
        Ok(keys) => {
            let from = config.credentials_origin().unwrap_or("-").to_owned();
            rows.push(setting("public key", keys.public_key(), from.clone()));
            rows.push(setting("private key", MASK, from));
        }
        Err(e) => {
            let why = match e.kind() {
                uhub_sdk::ErrorKind::Config { message } => message.clone(),
                _ => e.to_string(),
            };
            rows.push(setting("public key", "-", format!("not set: {why}")));
            rows.push(setting("private key", "-", "not set"));
        }
    }

    let (project, project_source) = match (&global.project, config.project_id()) {
        (Some(p), _) => (p.clone(), "--project".to_owned()),
        (None, Some(p)) => (p.to_owned(), config.project_id_origin().unwrap_or("-").to_owned()),
        (None, None) => ("-".to_owned(), "not set: calls use the account's default project".to_owned()),
    };
    rows.push(setting("project", project, project_source));

    let (endpoint, endpoint_source) = match (context::flag_endpoint(global), config.endpoint()) {
        (Some(e), _) => (e, if global.base_url.is_some() { "--base-url" } else { "--provider" }.to_owned()),
        (None, Some(e)) => (configured(e)?, config.endpoint_origin().unwrap_or("-").to_owned()),
        (None, None) => (Endpoint::UCloud, "default".to_owned()),
    };
    let endpoint = endpoint_of(endpoint.base_url());
    rows.push(setting("provider", endpoint.provider_name().unwrap_or("custom"), endpoint_source.clone()));
    rows.push(setting("base url", masked_url(endpoint.base_url()), endpoint_source));

    let timeout = match config.attempt_timeout() {
        Some(t) => (format!("{}s", t.as_secs()), config.attempt_timeout_origin().unwrap_or("-").to_owned()),
        None => (DEFAULT_REQUEST_TIMEOUT.to_owned(), "default".to_owned()),
    };
    rows.push(setting("request timeout", timeout.0, timeout.1));

    let registry = match crate::registry::host::host(global.registry.as_deref(), &endpoint) {
        Ok(host) => host,
        Err(_) => "-".to_owned(),
    };
    let registry_source = match global.registry {
        Some(_) => origin(provenance.registry, "--registry", "UHUB_REGISTRY"),
        None if registry == "-" => "none known for a custom base URL: set --registry or UHUB_REGISTRY".to_owned(),
        None => format!("default for {}", endpoint.provider_name().unwrap_or("custom")),
    };
    rows.push(setting("registry", registry, registry_source));
    Ok(rows)
}

/// `url` with anything before an `@` in its authority (a user name, a password) masked: the
/// setting is shown, its secret is not.
fn masked_url(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (format!("{scheme}://"), rest),
        None => (String::new(), url),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((_, host)) => format!("{scheme}{MASK}@{host}{path}"),
        None => url.to_owned(),
    }
}

fn demo_settings() -> Vec<Setting> {
    vec![
        setting("public key", uhub_mock::DEMO_PUBLIC_KEY, "--demo"),
        setting("private key", MASK, "--demo"),
        setting("project", uhub_mock::DEFAULT_PROJECT, "--demo"),
        setting("base url", "an in-process demo service on 127.0.0.1", "--demo"),
        setting(
            "registry",
            crate::registry::host::default_host(&Endpoint::UCloud).unwrap_or("-"),
            "--demo (as UCloud)",
        ),
    ]
}

/// `flag` or `var`, as clap found the value, else the default.
fn origin(source: Option<ValueSource>, flag: &str, var: &str) -> String {
    match source {
        Some(ValueSource::CommandLine) => flag.to_owned(),
        Some(ValueSource::EnvVariable) => var.to_owned(),
        _ => "default".to_owned(),
    }
}

/// The CLI's own settings.
fn cli_settings(global: &Global, provenance: &Provenance) -> Vec<Setting> {
    let mut rows = Vec::new();
    let output = Output::new(global.output, global.quiet);
    let output_source = match global.output {
        Some(_) => "-o/--output",
        None if std::io::stdout().is_terminal() => "stdout is a terminal",
        None => "stdout is not a terminal",
    };
    let format = match output.format {
        Format::Table => "table",
        Format::Json => "json",
        Format::Jsonl => "jsonl",
    };
    rows.push(setting("output", format, output_source));
    rows.push(setting(
        "concurrency",
        global.concurrency.to_string(),
        origin(provenance.concurrency, "--concurrency", "UHUB_CONCURRENCY"),
    ));
    let timeout = global.limit().map_or_else(|| "none".to_owned(), crate::time::format_duration);
    rows.push(setting("timeout", timeout, if global.timeout.is_some() { "--timeout" } else { "default" }));
    rows
}

/// The endpoint the environment or a file names (a provider the SDK does not know is the
/// error the client build would give).
fn configured(e: &uhub_sdk::config::ConfiguredEndpoint) -> anyhow::Result<Endpoint> {
    use uhub_sdk::config::ConfiguredEndpoint::{Provider, Url};
    match e {
        Url { url, .. } => Ok(Endpoint::Custom(url.clone())),
        Provider { name, origin } => Endpoint::from_provider_name(name).ok_or_else(|| {
            anyhow::anyhow!("{origin}={name:?} is not a provider; use ucloud, surfercloud or genesisai")
        }),
        _ => Err(anyhow::anyhow!("an endpoint this version of uhub does not know; update uhub")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_in_a_base_url_is_masked() {
        assert_eq!(masked_url("http://user:pw@127.0.0.1:8080/api"), "http://********@127.0.0.1:8080/api");
        assert_eq!(masked_url("https://token@api.example"), "https://********@api.example");
        assert_eq!(masked_url("http://a:b@c@host/x@y?q=@#@"), "http://********@host/x@y?q=@#@");
        assert_eq!(masked_url("https://api.ucloud.cn"), "https://api.ucloud.cn");
        assert_eq!(masked_url("http://127.0.0.1:1/p?x=a@b"), "http://127.0.0.1:1/p?x=a@b");
    }
}
