//! Where a registry's credentials may go, and the token flow that sends them there.
//!
//! A registry that wants a Bearer token names the realm to fetch it from in its challenge
//! (`WWW-Authenticate: Bearer realm="https://auth.docker.io/token",service=...`), and the client
//! sends the user's password to that realm. A registry nobody controls could name any host, or
//! plain http, and change its challenge from one request to the next; so we do the flow
//! ourselves, reading and checking the challenge each time a token is fetched, and oci-client is
//! only ever handed the resulting token (never the password), which it sends to the registry's
//! own host only.
//!
//! The rule ([`realm_verdict`]): over https, the registry's own host, a subdomain of it, or a
//! host of the registry host's parent domain when that parent is not a public suffix
//! (`registry-1.docker.io` → `auth.docker.io`; `example.co.uk` → nothing but itself); over
//! plain http, only the very same host and port (a test registry on 127.0.0.1); any other
//! host only when the user named it (`--allow-credentials-to-realm HOST`).

use std::net::IpAddr;

use reqwest::Url;
use serde::Deserialize;

use crate::error::{from_reqwest, one_line};
use crate::pace::Pacing;
use crate::{Credentials, Error};

/// The largest token answer read: real ones are a few KiB.
const MAX_TOKEN_ANSWER: usize = 1 << 20;

/// What a registry's `WWW-Authenticate` asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Challenge {
    /// A token from `realm` (with `service` passed on).
    Bearer { realm: String, service: Option<String> },
    /// The credentials themselves, to the registry (Basic), or a scheme we do not know.
    Basic,
}

/// The challenge in a `WWW-Authenticate` value: Bearer when any challenge in it is Bearer with
/// a realm, else Basic.
pub(crate) fn parse_challenge(header: &str) -> Challenge {
    let mut scheme_is_bearer = false;
    let (mut realm, mut service) = (None, None);
    for item in split_params(header) {
        let item = item.trim();
        // `Bearer realm="…"`: a scheme word starts a challenge, its first parameter may follow.
        let param = match item.split_once(char::is_whitespace) {
            Some((word, rest)) if !word.contains('=') => {
                scheme_is_bearer = word.eq_ignore_ascii_case("bearer");
                rest.trim()
            }
            None if !item.contains('=') => {
                scheme_is_bearer = item.eq_ignore_ascii_case("bearer");
                continue;
            }
            _ => item,
        };
        let Some((key, value)) = param.split_once('=') else { continue };
        let value = unquote(value.trim());
        if scheme_is_bearer && realm.is_none() && key.trim().eq_ignore_ascii_case("realm") {
            realm = Some(value);
        } else if scheme_is_bearer && service.is_none() && key.trim().eq_ignore_ascii_case("service") {
            service = Some(value);
        }
    }
    match realm {
        Some(realm) => Challenge::Bearer { realm, service },
        None => Challenge::Basic,
    }
}

/// `header` split at the commas outside quotes.
fn split_params(header: &str) -> Vec<String> {
    let (mut items, mut current, mut quoted, mut escaped) = (Vec::new(), String::new(), false, false);
    for c in header.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => {
                items.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    items.push(current);
    items
}

fn unquote(value: &str) -> String {
    match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(inner) => inner.replace("\\\"", "\"").replace("\\\\", "\\"),
        None => value.to_owned(),
    }
}

/// Whether the registry at `scheme://registry_host` (host with optional port) may have its
/// credentials sent to `realm`; `Err` says why not. `allowed` are the hosts the user named.
pub(crate) fn realm_verdict(
    scheme: &str,
    registry_host: &str,
    realm: &Url,
    allowed: &[String],
) -> Result<(), &'static str> {
    let Some(realm_host) = realm.host_str().map(normalize) else { return Err("which names no host") };
    let realm_port = realm.port_or_known_default();
    let realm_host_port = realm_port.map_or_else(|| realm_host.clone(), |p| format!("{realm_host}:{p}"));
    if allowed.iter().map(|a| normalize(a)).any(|a| a == realm_host || a == realm_host_port) {
        return Ok(());
    }
    let registry = Url::parse(&format!("{scheme}://{registry_host}/")).map_err(|_| "which cannot be compared")?;
    let Some(host) = registry.host_str().map(normalize) else { return Err("which cannot be compared") };
    match realm.scheme() {
        "https" if same_domain(&host, &realm_host) => Ok(()),
        "https" => Err("another host, not of the registry's domain"),
        "http" if realm_host == host && realm_port == registry.port_or_known_default() => Ok(()),
        "http" => Err("plain http to another host or port"),
        _ => Err("neither https nor http"),
    }
}

/// Lower case, no trailing dot, no brackets around an IPv6 address.
fn normalize(host: &str) -> String {
    host.trim().trim_end_matches('.').trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase()
}

/// Whether `realm` is `registry`, a subdomain of it, or of its parent domain when that parent
/// is not a public suffix. Addresses match only themselves.
fn same_domain(registry: &str, realm: &str) -> bool {
    if registry == realm {
        return true;
    }
    let is_address = |h: &str| h.parse::<IpAddr>().is_ok() || h.contains(':');
    if is_address(registry) || is_address(realm) {
        return false;
    }
    let within = |domain: &str| realm == domain || realm.ends_with(&format!(".{domain}"));
    if within(registry) {
        return true;
    }
    match registry.split_once('.') {
        Some((_, parent)) if parent.contains('.') && !is_public_suffix(parent) => within(parent),
        _ => false,
    }
}

/// Whether a two-label `domain` is one many unrelated owners register under: a generic
/// second level under a country code (`co.uk`, `com.cn`, `ne.jp`). Longer ones are not
/// suffixes anyone shares in practice; a one-label one never reaches here.
fn is_public_suffix(domain: &str) -> bool {
    const SECOND_LEVELS: &[&str] = &[
        "ac", "co", "com", "edu", "go", "gob", "gov", "gv", "ltd", "me", "mil", "ne", "net", "nic", "nom", "or", "org",
        "plc", "sch",
    ];
    let mut labels = domain.split('.');
    let (Some(second), Some(top), None) = (labels.next(), labels.next(), labels.next()) else { return false };
    top.len() == 2 && SECOND_LEVELS.contains(&second)
}

#[derive(Deserialize)]
struct TokenAnswer {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
}

/// A token for `scope` from the realm of `host`'s challenge, checked against the rule first;
/// the credentials (if any) go to the realm only when it passes. Sent with `http` through
/// the registry's gate (`pacing`).
pub(crate) async fn fetch_token(
    (http, pacing): (&reqwest::Client, Pacing<'_>),
    host: &str,
    (scheme, api_host): (&str, &str),
    (realm, service): (&str, Option<&str>),
    scope: &str,
    credentials: &Credentials,
    allowed: &[String],
) -> Result<String, Error> {
    let refused = |why: &'static str, realm_host: String| Error::RealmRefused {
        host: host.to_owned(),
        realm: one_line(realm),
        realm_host,
        why,
    };
    let url = Url::parse(realm).map_err(|_| refused("which is not a URL", one_line(realm)))?;
    if let Credentials::Basic { .. } = credentials {
        realm_verdict(scheme, api_host, &url, allowed).map_err(|why| {
            let realm_host = url.host_str().unwrap_or_default();
            let realm_host = url.port().map_or_else(|| realm_host.to_owned(), |p| format!("{realm_host}:{p}"));
            refused(why, realm_host)
        })?;
    }
    let mut request = http.get(url).query(&[("scope", scope)]);
    if let Some(service) = service {
        request = request.query(&[("service", service)]);
    }
    if let Credentials::Basic { user, password } = credentials {
        request = request.basic_auth(user, Some(password.expose()));
    }
    let target = format!("{host} (token)");
    // The token service is the registry's: its rate limit pauses the registry's host.
    let mut answer = pacing
        .send("authenticate to", &target, || async {
            let request =
                request.try_clone().ok_or_else(|| Error::Credentials("a token request cannot be sent twice".into()))?;
            request.send().await.map_err(|e| from_reqwest("authenticate to", &target, host, e))
        })
        .await?;
    let status = answer.status().as_u16();
    let mut body = Vec::new();
    while let Some(chunk) = answer.chunk().await.map_err(|e| from_reqwest("authenticate to", &target, host, e))? {
        if body.len() + chunk.len() > MAX_TOKEN_ANSWER {
            return Err(Error::Registry {
                action: "authenticate to",
                target,
                message: format!("the token answer is larger than {MAX_TOKEN_ANSWER} bytes"),
                status: Some(status),
                transient: false,
            });
        }
        body.extend_from_slice(&chunk);
    }
    match status {
        200 => {}
        401 | 403 => return Err(Error::Denied { action: "authenticate to", target, host: host.to_owned() }),
        _ => {
            return Err(Error::Registry {
                action: "authenticate to",
                target,
                message: format!("HTTP {status}: {}", one_line(&String::from_utf8_lossy(&body))),
                status: Some(status),
                transient: status >= 500 || status == 429,
            });
        }
    }
    let answer: TokenAnswer = serde_json::from_slice(&body).map_err(|_| Error::Registry {
        action: "authenticate to",
        target: target.clone(),
        message: "the token answer is not JSON with a token".to_owned(),
        status: Some(status),
        transient: false,
    })?;
    let token = answer.token.or(answer.access_token).filter(|t| !t.is_empty()).ok_or_else(|| Error::Registry {
        action: "authenticate to",
        target,
        message: "the token answer holds no token".to_owned(),
        status: Some(status),
        transient: false,
    })?;
    crate::redact::remember(&token);
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(scheme: &str, registry: &str, realm: &str) -> Result<(), &'static str> {
        realm_verdict(scheme, registry, &Url::parse(realm).unwrap(), &[])
    }

    #[test]
    fn credentials_go_over_https_to_the_registry_and_its_domain() {
        for (registry, realm) in [
            ("registry-1.docker.io", "https://auth.docker.io/token"),
            ("index.docker.io", "https://auth.docker.io/token"),
            ("ghcr.io", "https://ghcr.io/token"),
            ("quay.io", "https://quay.io/v2/auth"),
            ("registry.example.com", "https://auth.example.com/token"),
            ("registry.example.com", "https://example.com/token"),
            ("registry.example.com", "https://a.b.registry.example.com:8443/token"),
            ("uhub.service.ucloud.cn", "https://auth.service.ucloud.cn/token"),
            ("REG.Example.com:5000", "https://auth.example.COM./token"),
            ("registry.example.co.uk", "https://auth.example.co.uk/token"),
        ] {
            assert_eq!(verdict("https", registry, realm), Ok(()), "{registry} → {realm}");
        }
    }

    #[test]
    fn other_hosts_public_suffixes_and_plain_http_elsewhere_are_refused() {
        for (scheme, registry, realm) in [
            ("https", "registry-1.docker.io", "https://evil.io/token"),
            ("https", "ghcr.io", "https://evil.ghcr.io.attacker.com/token"),
            ("https", "ghcr.io", "https://quay.io/token"),
            ("https", "example.co.uk", "https://evil.co.uk/token"),
            ("https", "example.com.cn", "https://evil.com.cn/token"),
            ("https", "registry.example.com", "https://example.org/token"),
            ("https", "registry.example.com", "https://notexample.com/token"),
            ("https", "registry.example.com", "http://auth.example.com/token"),
            ("https", "registry.example.com", "http://registry.example.com/token"),
            ("https", "registry.example.com", "ftp://registry.example.com/token"),
            ("http", "127.0.0.1:5000", "http://127.0.0.2:5000/token"),
            ("http", "127.0.0.1:5000", "http://127.0.0.1:5001/token"),
            ("http", "127.0.0.1:5000", "http://localhost:5000/token"),
            ("http", "127.0.0.1:5000", "https://127.0.0.2/token"),
            ("https", "10.0.0.1", "https://10.0.0.2/token"),
        ] {
            assert!(verdict(scheme, registry, realm).is_err(), "{registry} → {realm}");
        }
        assert_eq!(verdict("http", "127.0.0.1:5000", "http://127.0.0.1:5000/token"), Ok(()));
        assert_eq!(verdict("http", "[::1]:5000", "http://[::1]:5000/token"), Ok(()));
    }

    #[test]
    fn a_host_the_user_named_is_allowed_whatever_the_scheme() {
        let realm = Url::parse("http://127.0.0.2:5001/token").unwrap();
        let allowed = |hosts: &[&str]| hosts.iter().map(|h| h.to_string()).collect::<Vec<_>>();
        assert_eq!(realm_verdict("http", "127.0.0.1:5000", &realm, &allowed(&["127.0.0.2"])), Ok(()));
        assert_eq!(realm_verdict("http", "127.0.0.1:5000", &realm, &allowed(&["127.0.0.2:5001"])), Ok(()));
        assert!(realm_verdict("http", "127.0.0.1:5000", &realm, &allowed(&["127.0.0.3"])).is_err());
    }

    #[test]
    fn challenges_are_read_whatever_their_spelling() {
        let bearer = |realm: &str, service: Option<&str>| Challenge::Bearer {
            realm: realm.to_owned(),
            service: service.map(str::to_owned),
        };
        for (header, expected) in [
            (
                r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io""#,
                bearer("https://auth.docker.io/token", Some("registry.docker.io")),
            ),
            (r#"bearer  service="s", realm="http://h:1/t?a=b,c""#, bearer("http://h:1/t?a=b,c", Some("s"))),
            (r#"Basic realm="x", Bearer realm="https://r/t""#, bearer("https://r/t", None)),
            (r#"Basic realm="Registry""#, Challenge::Basic),
            ("", Challenge::Basic),
            ("Bearer", Challenge::Basic),
        ] {
            assert_eq!(parse_challenge(header), expected, "{header}");
        }
    }
}
