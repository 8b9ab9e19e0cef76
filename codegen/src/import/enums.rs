//! Enumerations written into descriptions, read back as the values of a proposed enum.
//!
//! Pages list a string's values after a marker (`枚举值`, `可选值`, `取值`, `Enumeration
//! values`, `Allowed values`, ...) in one of two layouts:
//! - bullets, one per line (`<br>` in markdown): `枚举值：<br> > True，系统盘 <br> > False，数据盘`,
//!   each a value then its meaning;
//! - inline: `Allowed values: private, public` (also `、`, `/`, `|`, `or`, `或` between them),
//!   each value maybe followed by its meaning in parentheses; the list ends at the end of the
//!   sentence or at the first word that is followed by more prose (`a, b, default a`).
//!
//! Only lists of at least two distinct values that make distinct enum variants are proposed;
//! anything less reliable is no proposal (the field stays a string).

use crate::names;
use crate::spec::EnumValue;

const MARKERS: &[&str] = &[
    "enumeration values",
    "enumeration value",
    "enumerated values",
    "enum values",
    "allowed values",
    "possible values",
    "valid values",
    "枚举值",
    "可选值",
    "取值范围",
    "取值",
];

const BULLETS: &[char] = &['>', '•', '*', '-'];

/// The values a description enumerates, in page order; `None` when it lists none reliably.
pub(super) fn values(description: &str) -> Option<Vec<EnumValue>> {
    // ASCII lower-casing keeps byte offsets, so `at` indexes `description` too.
    let lower = description.to_ascii_lowercase();
    let (at, marker) = MARKERS
        .iter()
        .filter_map(|m| lower.find(m).map(|i| (i, *m)))
        .min_by_key(|(i, m)| (*i, std::cmp::Reverse(m.len())))?;
    let rest = description[at + marker.len()..]
        .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '：' | '为' | '是' | '有'));
    let text = ["<br/>", "<br />", "<BR>", "<br>"].iter().fold(rest.to_owned(), |t, br| t.replace(br, "\n"));
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty()).peekable();
    let first = *lines.peek()?;
    let values = if first.starts_with(BULLETS) {
        let items: Vec<&str> = lines.take_while(|l| l.starts_with(BULLETS)).collect();
        bullets(&items)?
    } else {
        inline(first)
    };
    usable(values)
}

/// `> value，meaning` items; several may share a line (`> a, x > b, y`).
fn bullets(lines: &[&str]) -> Option<Vec<EnumValue>> {
    let items = lines.iter().flat_map(|l| l.split('>')).map(|i| i.trim_start_matches(BULLETS).trim());
    items
        .filter(|i| !i.is_empty())
        .map(|i| {
            let (value, rest) = token(unquote(i))?;
            let rest = rest.trim_start_matches(['"', '\'', '`', '”', '’']);
            let (meaning, after) = parenthesis(rest);
            let meaning = if meaning.is_empty() {
                after.trim_start_matches(|c: char| {
                    c.is_whitespace() || matches!(c, ',' | '，' | ':' | '：' | '-' | '—' | '、')
                })
            } else {
                &meaning
            };
            Some(EnumValue { value, description: meaning.trim().to_owned() })
        })
        .collect()
}

/// `a, b (meaning), c` up to the end of the list.
fn inline(text: &str) -> Vec<EnumValue> {
    let mut values = Vec::new();
    let mut rest = text;
    while let Some((value, after)) = token(unquote(rest.trim_start())) {
        let after = after.trim_start_matches(['"', '\'', '`', '”', '’']);
        let (meaning, after) = parenthesis(after);
        let after = after.trim_start();
        let ends = after.is_empty() || after.starts_with(['.', '。', ';', '；', ')', '）']);
        match separator(after) {
            Some(next) => rest = next,
            None if ends => rest = "",
            // More prose follows the word: it was not a value.
            None => break,
        }
        values.push(EnumValue { value, description: meaning });
        if rest.is_empty() {
            break;
        }
    }
    values
}

fn unquote(s: &str) -> &str {
    s.trim_start_matches(['"', '\'', '`', '“', '‘'])
}

/// A value word at the start of `s` (letters, digits, `_`, `-`, inner dots) and what follows.
fn token(s: &str) -> Option<(String, &str)> {
    if !s.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return None;
    }
    let end = s.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))).unwrap_or(s.len());
    let word = s[..end].trim_end_matches(['.', '-']);
    Some((word.to_owned(), &s[word.len()..]))
}

/// A meaning in parentheses right after a value, and what follows it.
fn parenthesis(s: &str) -> (String, &str) {
    let t = s.trim_start();
    for (open, close) in [('(', ')'), ('（', '）')] {
        if let Some(inner) = t.strip_prefix(open) {
            if let Some(end) = inner.find(close) {
                return (inner[..end].trim().to_owned(), &inner[end + close.len_utf8()..]);
            }
        }
    }
    (String::new(), s)
}

/// The text after a separator between two values.
fn separator(s: &str) -> Option<&str> {
    [",", "，", "、", "/", "|", "or ", "或", "和"].iter().find_map(|sep| s.strip_prefix(sep))
}

/// At least two values, each once, that become distinct variants the generator allows.
fn usable(mut values: Vec<EnumValue>) -> Option<Vec<EnumValue>> {
    let mut seen = Vec::new();
    values.retain(|v| {
        !seen.contains(&v.value) && {
            seen.push(v.value.clone());
            true
        }
    });
    let variants: Vec<String> = values.iter().map(|v| names::variant(&v.value)).collect();
    let distinct = variants.iter().enumerate().all(|(i, v)| !variants[..i].contains(v));
    let allowed = variants.iter().all(|v| v != "Other" && v != "Self");
    (values.len() >= 2 && distinct && allowed).then_some(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(description: &str) -> Option<Vec<(String, String)>> {
        values(description).map(|vs| vs.into_iter().map(|v| (v.value, v.description)).collect())
    }

    fn pairs(items: &[(&str, &str)]) -> Option<Vec<(String, String)>> {
        Some(items.iter().map(|(v, d)| (v.to_string(), d.to_string())).collect())
    }

    #[test]
    fn bullets_after_br_with_meanings() {
        assert_eq!(
            listed("盘的种类。枚举值：<br> > SSD，固态盘 <br> > HDD，机械盘（默认）<br>不同地域支持的种类不同"),
            pairs(&[("SSD", "固态盘"), ("HDD", "机械盘（默认）")]),
        );
        assert_eq!(
            listed("Kind. Enumeration values: > FAST, quick > SLOW, thorough"),
            pairs(&[("FAST", "quick"), ("SLOW", "thorough")]),
        );
    }

    #[test]
    fn inline_lists_end_with_the_sentence() {
        assert_eq!(
            listed("Allowed values: private, public. Default private."),
            pairs(&[("private", ""), ("public", "")])
        );
        assert_eq!(listed("可选值：Traffic、Bandwidth，默认Traffic"), pairs(&[("Traffic", ""), ("Bandwidth", "")]));
        assert_eq!(listed("取值为true或false"), pairs(&[("true", ""), ("false", "")]));
        assert_eq!(
            listed("Allowed values: `public` (anyone can pull) or `private`"),
            pairs(&[("public", "anyone can pull"), ("private", "")]),
        );
        // `default` is followed by more prose, so it is not a value.
        assert_eq!(listed("allowed values: a, b, default a"), pairs(&[("a", ""), ("b", "")]));
    }

    #[test]
    fn no_proposal_without_two_usable_values() {
        assert_eq!(listed("Name of the repository"), None);
        assert_eq!(listed("取值范围：1-100"), None);
        assert_eq!(listed("Allowed values: only"), None);
        // `a-b` and `a_b` would both be the variant `AB`.
        assert_eq!(listed("Allowed values: a-b, a_b"), None);
        assert_eq!(listed("Allowed values: other, x"), None, "`Other` is the generated fallback variant");
        assert_eq!(listed("枚举值：<br> > 系统盘 <br> > 数据盘"), None, "items without a value word");
    }
}
