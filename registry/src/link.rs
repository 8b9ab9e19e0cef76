//! The `Link` header (RFC 8288) by which registries page tag lists:
//! `Link: </v2/app/tags/list?n=100&last=1.0>; rel="next"`. Read strictly and small: a header
//! that is not a list of `<URI>` with `;`-parameters is an error, not a guess, because the
//! URI it gives is where the next request goes.

use std::fmt;

/// The longest `Link` header read; a next page's URI is a path and a short query.
pub const MAX_LINK_HEADER: usize = 8 << 10;

/// A `Link` header that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkError(pub String);

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the Link header {}", self.0)
    }
}

impl std::error::Error for LinkError {}

fn bad(why: &str) -> LinkError {
    LinkError(why.to_owned())
}

/// The URI of the link whose `rel` includes `next` (as written, relative or absolute), `None`
/// when no link is `next`. Several links (comma-separated, or several headers joined with
/// `, `), several relation types in one `rel` and other parameters, quoted or not, are read;
/// two different `next` links are an error.
pub fn next(header: &str) -> Result<Option<&str>, LinkError> {
    if header.len() > MAX_LINK_HEADER {
        return Err(LinkError(format!("is longer than {MAX_LINK_HEADER} bytes")));
    }
    let mut rest = header;
    let mut found: Option<&str> = None;
    loop {
        // Empty elements of the list (`, ,`) are allowed by the list rule.
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return Ok(found);
        }
        rest = rest.strip_prefix('<').ok_or_else(|| bad("does not start a link with <URI>"))?;
        let end = rest.find('>').ok_or_else(|| bad("has a < without its >"))?;
        let uri = &rest[..end];
        if uri.is_empty() || uri.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || !c.is_ascii()) {
            return Err(bad("has a URI with spaces, control characters or non-ASCII text"));
        }
        rest = &rest[end + 1..];
        let mut is_next = false;
        loop {
            rest = rest.trim_start_matches([' ', '\t']);
            match rest.as_bytes().first() {
                None => break,
                Some(b',') => {
                    rest = &rest[1..];
                    break;
                }
                Some(b';') => {
                    let (name, value, after) = param(&rest[1..])?;
                    rest = after;
                    if name.eq_ignore_ascii_case("rel")
                        && value.is_some_and(|v| v.split_ascii_whitespace().any(|r| r.eq_ignore_ascii_case("next")))
                    {
                        is_next = true;
                    }
                }
                Some(_) => return Err(bad("has text after a link that is not ; or ,")),
            }
        }
        if is_next {
            match found {
                Some(other) if other != uri => return Err(bad("names two different next pages")),
                _ => found = Some(uri),
            }
        }
    }
}

/// A token character (RFC 9110).
fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

/// One parameter after its `;`: the name, the value (unquoted) and the text after it.
fn param(text: &str) -> Result<(&str, Option<String>, &str), LinkError> {
    let text = text.trim_start_matches([' ', '\t']);
    let name_end = text.find(|c: char| !is_tchar(c)).unwrap_or(text.len());
    if name_end == 0 {
        return Err(bad("has a parameter without a name"));
    }
    let (name, rest) = text.split_at(name_end);
    let rest = rest.trim_start_matches([' ', '\t']);
    let Some(rest) = rest.strip_prefix('=') else {
        return Ok((name, None, rest));
    };
    let rest = rest.trim_start_matches([' ', '\t']);
    if let Some(quoted) = rest.strip_prefix('"') {
        let mut value = String::new();
        let mut chars = quoted.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => return Ok((name, Some(value), &quoted[i + 1..])),
                '\\' => match chars.next() {
                    Some((_, escaped)) if !escaped.is_control() => value.push(escaped),
                    _ => return Err(bad("has a quoted value with a broken escape")),
                },
                c if c.is_control() => return Err(bad("has a control character in a quoted value")),
                c => value.push(c),
            }
        }
        Err(bad("has a quoted value without its closing quote"))
    } else {
        let end = rest.find(|c: char| !is_tchar(c)).unwrap_or(rest.len());
        if end == 0 {
            return Err(bad("has a parameter with an empty value"));
        }
        Ok((name, Some(rest[..end].to_owned()), &rest[end..]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registries_ways_of_paging() {
        // docker-registry and Docker Hub, GHCR, Quay, Harbor.
        for (header, uri) in [
            (r#"</v2/app/tags/list?last=1.0&n=100>; rel="next""#, "/v2/app/tags/list?last=1.0&n=100"),
            (
                r#"<https://ghcr.io/v2/o/i/tags/list?last=v1&n=100>; rel="next""#,
                "https://ghcr.io/v2/o/i/tags/list?last=v1&n=100",
            ),
            (r#"</v2/o/r/tags/list?n=50&next_page=gAAAA>;rel=next"#, "/v2/o/r/tags/list?n=50&next_page=gAAAA"),
            (
                r#"<http://h/v2/p/r/tags/list?last=b&n=1>; rel="prev", <http://h/v2/p/r/tags/list?last=z&n=1>; rel="next""#,
                "http://h/v2/p/r/tags/list?last=z&n=1",
            ),
            (r#"<a>; title="x; rel=\"next\"", <b>; REL="last NEXT"; type=text"#, "b"),
        ] {
            assert_eq!(next(header), Ok(Some(uri)), "{header}");
        }
        assert_eq!(next(r#"</x>; rel="prev""#), Ok(None));
        assert_eq!(next(""), Ok(None));
    }

    #[test]
    fn a_broken_header_is_an_error_not_a_guess() {
        for header in [
            "/v2/x/tags/list",
            r#"</x; rel="next""#,
            r#"</x>; rel="next"#,
            r#"</x> rel="next""#,
            r#"</x>; ="next""#,
            r#"</a b>; rel="next""#,
            r#"</a>; rel="next", </b>; rel="next""#,
            "</x>; rel=\"ne\u{7}xt\"",
        ] {
            assert!(next(header).is_err(), "{header}");
        }
        assert!(next(&format!("<{}>; rel=next", "a".repeat(MAX_LINK_HEADER))).is_err());
    }
}
