//! What every command works with: the client built from flags and configuration, the output
//! format, and whether to draw progress.

use std::time::Duration;

use jiff::Timestamp;
use uhub_mock::{MockHandle, MockUHub};
use uhub_sdk::{Client, ClientBuilder, Endpoint, RetryPolicy};

use crate::cli::Global;
use crate::input::refs::{Reference, TagRef};
use crate::terminal::output::Output;
use crate::terminal::progress::Progress;

/// A command's surroundings.
pub struct Ctx {
    pub client: Client,
    pub out: Output,
    pub yes: bool,
    pub concurrency: usize,
    progress: bool,
    registry: Option<String>,
    /// `--allow-credentials-to-realm`: token realms the registry's credentials may go to.
    pub allowed_realms: Vec<String>,
    /// Keeps the demo's in-process service running as long as the command.
    demo: Option<MockHandle>,
}

impl Ctx {
    /// Builds the client: flags, then the environment, then ucloud-cli's files (the SDK's
    /// precedence), or the in-process demo service with `--demo`.
    pub async fn connect(global: &Global) -> anyhow::Result<Ctx> {
        let demo = match global.demo {
            true => Some(demo().await?),
            false => None,
        };
        let client = builder(global, demo.as_ref()).build()?;
        let out = Output::new(global.output, global.quiet);
        Ok(Ctx {
            client,
            out,
            yes: global.yes,
            concurrency: usize::from(global.concurrency),
            progress: Progress::wanted(out.for_people(), global.no_progress),
            registry: global.registry.clone(),
            allowed_realms: global.allow_credentials_to_realm.clone(),
            demo,
        })
    }

    /// A progress bar (hidden unless progress is wanted).
    pub fn progress(&self, message: impl Into<String>, unit: &str) -> Progress {
        Progress::new(self.progress, message, unit)
    }

    /// The registry host of pinned references (the demo counts as UCloud).
    pub fn registry_host(&self) -> Result<String, String> {
        let endpoint = match &self.demo {
            Some(_) => Endpoint::UCloud,
            None => endpoint_of(self.client.base_url()),
        };
        crate::registry::host::host(self.registry.as_deref(), &endpoint)
    }

    /// Whether this is `--demo`'s in-process service (which has no registry).
    pub fn is_demo(&self) -> bool {
        self.demo.is_some()
    }

    /// The tag a reference names, after checking that its registry host (if it names one) is
    /// the configured provider's; otherwise a usage error, and nothing is sent.
    pub fn tag_ref(&self, reference: &Reference) -> anyhow::Result<TagRef> {
        reference.resolve(self.registry_host()).map_err(crate::exit::usage)
    }

    pub fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// The demo service: the demo data, pushed some weeks ago so that ages mean something.
async fn demo() -> std::io::Result<MockHandle> {
    const DEMO_AGE_DAYS: i64 = 45;
    let start = Timestamp::now().as_second() - DEMO_AGE_DAYS * 86_400;
    MockUHub::builder().seed_demo().clock(start).start().await
}

/// The SDK's client builder with the flags applied over the environment and the files.
pub fn builder(global: &Global, demo: Option<&MockHandle>) -> ClientBuilder {
    let mut b = match demo {
        Some(mock) => mock.client_builder(),
        None => Client::builder().from_env(),
    };
    if let Some(profile) = &global.profile {
        b = b.profile(profile);
    }
    if let Some(endpoint) = flag_endpoint(global) {
        b = b.endpoint(endpoint);
    }
    if let Some(project) = &global.project {
        b = b.project_id(project);
    }
    b.user_agent_suffix(concat!("uhub-cli/", env!("CARGO_PKG_VERSION"))).retry_policy(patient())
}

/// The endpoint `--provider` or `--base-url` names, if either does.
pub fn flag_endpoint(global: &Global) -> Option<Endpoint> {
    match (&global.base_url, global.provider) {
        (Some(url), _) => Some(Endpoint::Custom(url.clone())),
        (None, Some(p)) => Endpoint::from_provider_name(p.name()),
        (None, None) => None,
    }
}

/// The provider whose base URL this is, else a custom endpoint.
pub fn endpoint_of(base_url: &str) -> Endpoint {
    Endpoint::PROVIDERS
        .iter()
        .find(|p| p.base_url() == base_url)
        .cloned()
        .unwrap_or_else(|| Endpoint::Custom(base_url.to_owned()))
}

/// A command-line tool can wait longer than a library's default: throttling and brief outages
/// during a long prune are ridden out (the service's Retry-After is honoured too).
fn patient() -> RetryPolicy {
    RetryPolicy::default().with_max_attempts(6).with_backoff(Duration::from_millis(200), Duration::from_secs(5))
}
