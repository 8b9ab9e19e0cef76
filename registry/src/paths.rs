//! The URLs of our own requests, built segment by segment from names [`crate::names`] has
//! checked: a name is never pasted into a path as text, so nothing in it is ever resolved
//! (`..`), taken for a query (`?`) or a fragment (`#`), or for another path segment (`/` inside
//! a tag would be sent as `%2F`, though the checks refuse it before).

use reqwest::Url;

/// `base` (`scheme://host[:port]/`) with the path `/v2/<repository>/<tail...>`: the
/// repository's components and each piece of `tail` one path segment each, and no query.
///
/// The caller has checked `repository` with [`crate::names::check_repository`] and each name
/// in `tail` (a tag or a digest); `base` is a registry's root, which [`crate::Registry`] builds
/// from a host it checked.
#[doc(hidden)]
pub fn v2_url(base: &Url, repository: &str, tail: &[&str]) -> Url {
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.clear().push("v2").extend(repository.split('/')).extend(tail);
    }
    url
}

/// `scheme://host/` for a registry `host` (`name[:port]` or `[ipv6][:port]`), or `None` when
/// the text is not a host alone (a path, credentials, a query...).
pub fn base_url(scheme: &str, host: &str) -> Option<Url> {
    let host_chars = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']');
    if host.is_empty() || !host.chars().all(host_chars) {
        return None;
    }
    let url = Url::parse(&format!("{scheme}://{host}/")).ok()?;
    (url.path() == "/" && url.username().is_empty() && url.query().is_none()).then_some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_name_is_one_segment_and_nothing_is_resolved() {
        let base = base_url("http", "127.0.0.1:5000").unwrap();
        let url = v2_url(&base, "mirror/nginx", &["manifests", "1.27"]);
        assert_eq!(url.as_str(), "http://127.0.0.1:5000/v2/mirror/nginx/manifests/1.27");
        // What the checks refuse would still not escape the repository's path.
        let hostile = v2_url(&base, "a", &["manifests", "1.0/../../../api/v2.0/projects/prod?x#y"]);
        assert_eq!(hostile.path(), "/v2/a/manifests/1.0%2F..%2F..%2F..%2Fapi%2Fv2.0%2Fprojects%2Fprod%3Fx%23y");
        assert_eq!((hostile.query(), hostile.fragment()), (None, None));
    }

    #[test]
    fn a_base_is_a_host_alone() {
        assert_eq!(base_url("https", "[::1]:5000").unwrap().as_str(), "https://[::1]:5000/");
        for bad in ["", "a/b", "u@h", "h?x", "h#x", "h b", "h\\x", "h%2f"] {
            assert!(base_url("https", bad).is_none(), "{bad}");
        }
    }
}
