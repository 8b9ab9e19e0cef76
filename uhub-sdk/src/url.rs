//! Base and proxy URLs: checked once at build time, and shown only with their passwords hidden.

use crate::error::Error;

/// Parses a base URL, accepting absolute http(s) URLs only, so a typo fails at build time
/// rather than on the first call. `origin` names the setting in the error (`UCLOUD_API_BASE_URL`,
/// `ClientBuilder::endpoint`, ...); the error shows the URL with its password hidden.
pub(crate) fn base_url(url: &str, origin: &str) -> Result<reqwest::Url, Error> {
    let shown = redact(url);
    let parsed =
        reqwest::Url::parse(url).map_err(|e| Error::config(format!("{origin}: invalid base URL {shown:?}: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::config(format!("{origin}: invalid base URL {shown:?}: the scheme must be http or https")));
    }
    Ok(parsed)
}

/// The URL with its password (if any) replaced, for `Debug` and errors. Text that does not
/// parse as a URL is shown only when it has no `@`, since it may still hold a secret.
pub(crate) fn redact(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("REDACTED"));
            }
            parsed.to_string()
        }
        Err(_) if !url.contains('@') => url.to_owned(),
        Err(_) => "<unparsable URL>".to_owned(),
    }
}
