//! Text from a server (names, descriptions, digests, error messages) or from a file, made safe
//! for a terminal: the one place where control characters are escaped before anything is shown.
//!
//! A repository description holding `ESC ] 0 ; … BEL` retitles the reader's window, `ESC [ 2 J`
//! clears it, and a lone CR or a right-to-left override forges a row; anyone allowed to update a
//! repository could plant them for everyone who lists it. So every table cell, prompt, progress
//! line, note and error goes through [`escape`], which turns each such character into a visible
//! escape (`\u{1b}`, `\r`, `\u{202e}`, as Rust and the SDK's errors write them). JSON stays exact: [`stdout`] writes the few characters
//! serde_json leaves raw as `\uXXXX`, which decode to the same string.
//!
//! Escaping is done per cell, before a table cuts or wraps anything, so a cut can only ever
//! split the visible text of an escape, never leave one open.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether a terminal could act on `c` instead of showing it: C0 controls (with newline, tab and
/// carriage return), DEL, C1 controls, and the Unicode controls that reorder text (bidi).
pub fn is_control(c: char) -> bool {
    c.is_control() || is_bidi(c)
}

/// The Unicode bidirectional formatting characters (ALM, LRM, RLM, embeddings, overrides and
/// isolates), which let text display in an order other than the one it has.
fn is_bidi(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Whether `text` holds nothing [`escape`] would change.
pub fn is_clean(text: &str) -> bool {
    !text.chars().any(is_control)
}

/// `text` with every control character (including newlines) written as a visible escape: one
/// line, shown as it is; and with every registry password or token this process holds masked
/// (see [`known_secrets`]).
pub fn escape(text: &str) -> Cow<'_, str> {
    match known_secrets(text) {
        Cow::Borrowed(text) => escape_controls(text),
        Cow::Owned(text) => Cow::Owned(escape_controls(&text).into_owned()),
    }
}

/// `text` with each registry password (raw or as the base64 of a Basic header) and each token
/// this process holds masked, in any spelling: the last line of defence, after the registry
/// side masked its own errors, so that no table cell, report line, JSON document or error
/// shows one. Nothing to do (and no copy) when no registry credentials were used.
pub fn known_secrets(text: &str) -> Cow<'_, str> {
    uhub_registry::redact::mask_known_values(text)
}

fn escape_controls(text: &str) -> Cow<'_, str> {
    if is_clean(text) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => shown.push_str("\\n"),
            '\r' => shown.push_str("\\r"),
            '\t' => shown.push_str("\\t"),
            c if is_control(c) => {
                let _ = write!(shown, "\\u{{{:x}}}", c as u32);
            }
            c => shown.push(c),
        }
    }
    Cow::Owned(shown)
}

/// Like [`escape`], line by line: for text of several lines we wrote ourselves (a pretty JSON
/// answer shown as a person's view) whose lines may hold a server's text.
pub fn escape_lines(text: &str) -> String {
    text.split('\n').map(escape).collect::<Vec<_>>().join("\n")
}

/// The last pass over everything written to stdout: newlines and tabs stay; any other control
/// character becomes `\uXXXX`. Tables and names were escaped before (this changes nothing
/// there); in JSON, where serde_json leaves DEL, C1 and bidi characters raw inside strings, the
/// escape is JSON's own, so the document decodes to exactly the same values.
pub fn stdout(text: &str) -> Cow<'_, str> {
    match known_secrets(text) {
        Cow::Borrowed(text) => stdout_controls(text),
        Cow::Owned(text) => Cow::Owned(stdout_controls(&text).into_owned()),
    }
}

fn stdout_controls(text: &str) -> Cow<'_, str> {
    let wanted = |c: char| is_control(c) && c != '\n' && c != '\t';
    if !text.chars().any(wanted) {
        return Cow::Borrowed(text);
    }
    let mut safe = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if wanted(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(safe, "\\u{unit:04x}");
            }
        } else {
            safe.push(c);
        }
    }
    Cow::Owned(safe)
}

/// `text` on one line: every run of white space, newlines included, becomes one space (a
/// parser's message may span lines, and a report line or a terminal line may not).
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_visible_escapes() {
        assert_eq!(escape("\u{1b}]0;pwned\u{7}web"), "\\u{1b}]0;pwned\\u{7}web");
        assert_eq!(escape("\u{1b}[2J"), "\\u{1b}[2J");
        assert_eq!(escape("ok\rforged"), "ok\\rforged");
        assert_eq!(escape("a\nb\tc"), "a\\nb\\tc");
        assert_eq!(escape("del\u{7f}"), "del\\u{7f}");
        assert_eq!(escape("csi\u{9b}31m"), "csi\\u{9b}31m");
        assert_eq!(escape("gpj.\u{202e}exe"), "gpj.\\u{202e}exe");
        assert_eq!(escape("\u{2066}\u{2069}\u{200f}\u{61c}"), "\\u{2066}\\u{2069}\\u{200f}\\u{61c}");
    }

    #[test]
    fn ordinary_text_is_left_alone_and_not_copied() {
        for text in ["web/nginx:1.25", "镜像仓库", "sha256:0123abcd", "emoji 🚀 and ümlauts", ""] {
            assert!(matches!(escape(text), Cow::Borrowed(t) if t == text), "{text:?}");
            assert!(matches!(stdout(text), Cow::Borrowed(t) if t == text), "{text:?}");
        }
    }

    #[test]
    fn escaped_text_holds_no_control_character() {
        let hostile: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        assert!(is_clean(&escape(&hostile)));
        assert!(escape_lines("a\u{1b}\nb\r").lines().all(is_clean));
    }

    #[test]
    fn stdout_keeps_json_exact() {
        let value = serde_json::json!({ "description": "a\u{7f}b\u{9b}c\u{202e}d\u{1b}e\nf" });
        let text = serde_json::to_string_pretty(&value).unwrap();
        let safe = stdout(&text);
        assert!(safe.chars().all(|c| !is_control(c) || c == '\n'), "{safe}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&safe).unwrap(), value);
    }
}
