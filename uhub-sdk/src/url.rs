//! Base and proxy URLs: checked once at build time, and shown only with their passwords hidden.

use crate::error::Error;

/// Parses a base URL, accepting absolute http(s) URLs without credentials or fragment only, so
/// a mistake fails at build time rather than on the first call. `origin` names the setting in
/// the error (`UCLOUD_API_BASE_URL`, `ClientBuilder::endpoint`, ...); the error shows the URL
/// with its password hidden.
///
/// UHub never uses `user:password@` (requests are signed with keys; reqwest would send them as
/// `Authorization: Basic` to whoever answers) nor a fragment (never sent at all), and either
/// made a call's own URL differ from what the transport compares replies against.
pub(crate) fn base_url(url: &str, origin: &str) -> Result<reqwest::Url, Error> {
    let shown = redact(url);
    let parsed =
        reqwest::Url::parse(url).map_err(|e| Error::config(format!("{origin}: invalid base URL {shown:?}: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::config(format!("{origin}: invalid base URL {shown:?}: the scheme must be http or https")));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Error::config(format!(
            "{origin}: invalid base URL {shown:?}: it holds credentials (user:password@), which UHub never uses; \
             remove them (calls are signed with the keys)"
        )));
    }
    if parsed.fragment().is_some() {
        return Err(Error::config(format!(
            "{origin}: invalid base URL {shown:?}: it holds a fragment (#...), which is never sent; remove it"
        )));
    }
    Ok(parsed)
}

/// Whether a reply came from the URL the request was posted to: the same scheme, host, port
/// (the scheme's default spelled or not), path and query. Credentials and fragments are left
/// out, since HTTP clients drop them from the URL they report (and base URLs have none).
pub(crate) fn same_target(posted: &reqwest::Url, answered: &reqwest::Url) -> bool {
    // Every reply but a followed redirect's: one comparison of the two texts, not five parts.
    posted.as_str() == answered.as_str()
        || (posted.scheme() == answered.scheme()
            && posted.host() == answered.host()
            && posted.port_or_known_default() == answered.port_or_known_default()
            && posted.path() == answered.path()
            && posted.query() == answered.query())
}

/// The URL with its password (if any) replaced, for `Debug` and errors. Without a scheme, it is
/// read as `http://` (as reqwest reads proxies), so `user:pass@host` is not mistaken for a URL of
/// scheme `user`. Text that does not parse is shown only when it has no `@`.
pub(crate) fn redact(url: &str) -> String {
    match reqwest::Url::parse(&with_scheme(url)) {
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

/// `url`, with `http://` in front when it names no scheme: how reqwest reads a proxy URL.
pub(crate) fn with_scheme(url: &str) -> std::borrow::Cow<'_, str> {
    if url.contains("://") { url.into() } else { format!("http://{url}").into() }
}

/// A redirect's `Location` (absolute, or relative to `base`) without query string, fragment or
/// password, so an error can name where it pointed without quoting what it carried.
pub(crate) fn without_query(base: &reqwest::Url, location: &str) -> String {
    match base.join(location) {
        Ok(mut url) => {
            url.set_query(None);
            url.set_fragment(None);
            if url.password().is_some() {
                let _ = url.set_password(Some("REDACTED"));
            }
            url.to_string()
        }
        Err(_) => location.split(['?', '#']).next().unwrap_or_default().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_targets_lose_query_fragment_and_password() {
        let base = reqwest::Url::parse("https://api.ucloud.cn/").unwrap();
        assert_eq!(without_query(&base, "http://evil.test/x?Signature=abc#f"), "http://evil.test/x");
        assert_eq!(without_query(&base, "/other?a=1"), "https://api.ucloud.cn/other");
        assert_eq!(without_query(&base, "http://u:p@h.test/?q"), "http://u:REDACTED@h.test/");
    }

    #[test]
    fn a_reply_from_the_posted_url_is_recognised_in_every_shape() {
        let url = |s: &str| reqwest::Url::parse(s).unwrap();
        for (posted, answered) in [
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080/"),
            ("https://api.ucloud.cn:443/", "https://api.ucloud.cn/"),
            ("http://h.test:80/api", "http://h.test/api"),
            ("http://[::1]:9000/", "http://[::1]:9000/"),
            ("http://[0:0:0:0:0:0:0:1]:9000/", "http://[::1]:9000/"),
            ("http://h.test/?channel=7", "http://h.test/?channel=7"),
            ("http://u:p@h.test/p#frag", "http://h.test/p"),
            ("http://H.TEST/p/", "http://h.test/p/"),
        ] {
            assert!(same_target(&url(posted), &url(answered)), "{posted} vs {answered}");
        }
        for (posted, answered) in [
            ("http://h.test/", "https://h.test/"),
            ("http://h.test/", "http://h.test:8080/"),
            ("http://h.test/api", "http://h.test/api/"),
            ("http://h.test/", "http://other.test/"),
            ("http://[::1]:9000/", "http://127.0.0.1:9000/"),
            ("http://h.test/?a=1", "http://h.test/?a=2"),
        ] {
            assert!(!same_target(&url(posted), &url(answered)), "{posted} vs {answered}");
        }
    }

    #[test]
    fn base_urls_with_credentials_or_a_fragment_are_refused_naming_the_setting() {
        for (bad, problem) in [
            ("http://user:pw@h.test/", "holds credentials"),
            ("http://user@h.test/", "holds credentials"),
            ("http://:pw@h.test/", "holds credentials"),
            ("http://h.test/#x", "holds a fragment"),
            ("http://h.test/#", "holds a fragment"),
        ] {
            let e = base_url(bad, "UCLOUD_API_BASE_URL").unwrap_err().to_string();
            assert!(e.contains("UCLOUD_API_BASE_URL") && e.contains(problem) && !e.contains(":pw@"), "{bad}: {e}");
        }
        for good in ["http://[::1]:9000", "https://h.test:443/api/v1/?channel=7", "http://h.test"] {
            assert!(base_url(good, "x").is_ok(), "{good}");
        }
    }

    #[test]
    fn passwords_are_hidden_wherever_a_url_is_shown() {
        assert_eq!(redact("http://user:hunter2@proxy.test:3128"), "http://user:REDACTED@proxy.test:3128/");
        assert_eq!(redact("not a url"), "not a url");
        assert_eq!(redact("user:hunter2@host:3128"), "http://user:REDACTED@host:3128/");
        assert_eq!(redact("http://us@er:hunter2@[bad"), "<unparsable URL>");
        let err = base_url("ftp://user:hunter2@h.test/", "UCLOUD_API_BASE_URL").unwrap_err();
        assert!(!err.to_string().contains("hunter2") && err.to_string().contains("UCLOUD_API_BASE_URL"), "{err}");
    }
}
