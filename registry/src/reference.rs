//! Image references as users type them: `HOST/REPO[:TAG|@DIGEST]`, with Docker Hub's short
//! names (`nginx:1.27` is `docker.io/library/nginx:1.27`) and docker's rule for what a host
//! is (a first element with a `.` or `:`, or `localhost`).

use std::fmt;

use crate::{Error, names};

/// One image in one registry.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ImageRef {
    /// `docker.io`, `ghcr.io`, `127.0.0.1:5000`.
    pub host: String,
    /// `library/nginx`.
    pub repository: String,
    /// A tag or a `sha256:` digest.
    pub reference: String,
}

impl ImageRef {
    /// Reads `text`; a reference with neither tag nor digest names `latest`.
    pub fn parse(text: &str) -> Result<ImageRef, Error> {
        let bad = |why: &str| {
            Error::Reference(format!(
                "{text:?} is not an image reference ({why}); write HOST/REPOSITORY:TAG, e.g. docker.io/library/nginx:1.27"
            ))
        };
        let text = text.trim();
        if text.is_empty() || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("empty or with spaces"));
        }
        let (name, reference) = match text.split_once('@') {
            Some((name, digest)) => {
                names::check_digest(digest).map_err(|e| bad(&e.to_string()))?;
                if !digest.starts_with("sha256:") {
                    return Err(bad("only sha256 digests can be verified"));
                }
                (name, digest.to_owned())
            }
            None => match text.rsplit_once(':') {
                // A colon after the last slash separates the tag; one before it is a port.
                Some((name, tag)) if !tag.contains('/') => {
                    names::check_tag(tag).map_err(|e| bad(&e.to_string()))?;
                    (name, tag.to_owned())
                }
                _ => (text, "latest".to_owned()),
            },
        };
        let (host, repository) = split_host(name);
        if !is_host(&host) {
            return Err(bad("the host is NAME[:PORT]"));
        }
        if names::check_repository(&repository).is_err() {
            return Err(bad("the repository is lower-case letters and digits, separated by '.', '_', '-' or '/'"));
        }
        Ok(ImageRef { host, repository, reference })
    }

    /// The same image under another tag or digest.
    pub fn with_reference(&self, reference: impl Into<String>) -> ImageRef {
        ImageRef { reference: reference.into(), ..self.clone() }
    }

    /// The last element of the repository (`nginx` of `library/nginx`).
    pub fn image_name(&self) -> &str {
        self.repository.rsplit('/').next().unwrap_or(&self.repository)
    }

    pub fn is_digest(&self) -> bool {
        self.reference.starts_with("sha256:")
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sep = if self.is_digest() { '@' } else { ':' };
        write!(f, "{}/{}{sep}{}", self.host, self.repository, self.reference)
    }
}

fn split_host(name: &str) -> (String, String) {
    match name.split_once('/') {
        Some((first, rest)) if first.contains('.') || first.contains(':') || first == "localhost" => {
            let host = if first == "index.docker.io" || first == "registry-1.docker.io" { "docker.io" } else { first };
            let repository =
                if host == "docker.io" && !rest.contains('/') { format!("library/{rest}") } else { rest.to_owned() };
            (host.to_owned(), repository)
        }
        Some(_) => ("docker.io".to_owned(), name.to_owned()),
        None => ("docker.io".to_owned(), format!("library/{name}")),
    }
}

fn is_host(host: &str) -> bool {
    let (name, port) = match host.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((ip, port)) => {
                return ip.parse::<std::net::Ipv6Addr>().is_ok()
                    && (port.is_empty() || port.strip_prefix(':').is_some_and(is_port));
            }
            None => return false,
        },
        None => host.split_once(':').map_or((host, None), |(n, p)| (n, Some(p))),
    };
    !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        && port.is_none_or(is_port)
}

fn is_port(port: &str) -> bool {
    !port.is_empty() && port.len() <= 5 && port.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> (String, String, String) {
        let r = ImageRef::parse(text).unwrap();
        (r.host, r.repository, r.reference)
    }

    #[test]
    fn docker_hub_short_names_hosts_ports_and_digests() {
        let s = |a: &str, b: &str, c: &str| (a.to_owned(), b.to_owned(), c.to_owned());
        assert_eq!(parsed("nginx:1.27"), s("docker.io", "library/nginx", "1.27"));
        assert_eq!(parsed("nginx"), s("docker.io", "library/nginx", "latest"));
        assert_eq!(parsed("bitnami/redis:7"), s("docker.io", "bitnami/redis", "7"));
        assert_eq!(parsed("docker.io/nginx:1"), s("docker.io", "library/nginx", "1"));
        assert_eq!(parsed("ghcr.io/org/tool/cli:v2"), s("ghcr.io", "org/tool/cli", "v2"));
        assert_eq!(parsed("127.0.0.1:5000/app"), s("127.0.0.1:5000", "app", "latest"));
        assert_eq!(parsed("localhost/app:t"), s("localhost", "app", "t"));
        let digest = format!("sha256:{}", "ab".repeat(32));
        let r = ImageRef::parse(&format!("quay.io/a/b@{digest}")).unwrap();
        assert_eq!((r.reference.as_str(), r.image_name()), (digest.as_str(), "b"));
        assert_eq!(r.to_string(), format!("quay.io/a/b@{digest}"));
    }

    #[test]
    fn bad_references_say_what_to_write() {
        for text in ["", "Nginx:1", "a//b:1", "a:b:c/d", "x@sha256:12", "a:-bad", "a b"] {
            let err = ImageRef::parse(text).unwrap_err().to_string();
            assert!(err.contains("HOST/REPOSITORY:TAG"), "{text}: {err}");
        }
    }
}
