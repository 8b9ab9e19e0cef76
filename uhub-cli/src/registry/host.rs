//! The registry host images are pulled from, for pinned references.
//!
//! The API's endpoint and the registry's host differ, so each provider has its own default:
//! UCloud's is the documented `uhub.service.ucloud.cn`; SurferCloud's and GenesisAI's follow the
//! same naming under their domains. `--registry` or `UHUB_REGISTRY` overrides them, and is
//! required with a custom base URL, whose registry we cannot guess.

use uhub_sdk::Endpoint;

/// The registry host for `endpoint` unless `chosen` names one.
pub fn host(chosen: Option<&str>, endpoint: &Endpoint) -> Result<String, String> {
    if let Some(host) = chosen.map(str::trim).filter(|h| !h.is_empty()) {
        return Ok(host.trim_end_matches('/').to_owned());
    }
    default_host(endpoint).map(str::to_owned).ok_or_else(|| {
        "no registry host is known for a custom base URL: set --registry HOST or UHUB_REGISTRY".to_owned()
    })
}

/// The provider's registry host, or `None` for a custom endpoint.
pub fn default_host(endpoint: &Endpoint) -> Option<&'static str> {
    match endpoint {
        Endpoint::UCloud => Some("uhub.service.ucloud.cn"),
        Endpoint::SurferCloud => Some("uhub.surfercloud.com"),
        Endpoint::GenesisAi => Some("uhub.genesissai.com"),
        _ => None,
    }
}

/// Whether `host` is one of the providers' UHub registries.
pub fn is_provider_host(host: &str) -> bool {
    [Endpoint::UCloud, Endpoint::SurferCloud, Endpoint::GenesisAi].iter().any(|e| default_host(e) == Some(host))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_provider_has_a_host_and_a_chosen_one_wins() {
        assert_eq!(host(None, &Endpoint::UCloud).unwrap(), "uhub.service.ucloud.cn");
        assert_eq!(host(None, &Endpoint::SurferCloud).unwrap(), "uhub.surfercloud.com");
        assert_eq!(host(None, &Endpoint::GenesisAi).unwrap(), "uhub.genesissai.com");
        assert_eq!(host(Some("registry.example/"), &Endpoint::UCloud).unwrap(), "registry.example");
        let custom = Endpoint::Custom("http://127.0.0.1:1".into());
        assert!(host(None, &custom).unwrap_err().contains("UHUB_REGISTRY"));
    }
}
