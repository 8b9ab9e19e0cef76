//! Masks secrets in text a server sent back: an error body, a `Message`, a registry's error
//! list. Servers and proxies echo requests in every spelling (lower-cased, URL-encoded once more,
//! as JSON objects or arrays, as HTML tables or entities), so masking by exact spelling leaks;
//! [`Mask`] masks two ways, each spelling-blind:
//!
//! - **by value**: each secret the caller knows (a signature it computed, a private key, a
//!   password, a token it was given) wherever it appears, in any ASCII case, raw,
//!   percent-encoded once or twice, JSON-escaped or HTML-escaped;
//! - **by name**: the value after a secret's name (`Signature=…`, `"security_token": "…"`,
//!   `["Signature","…"]`, `<td>Signature</td><td>…</td>`, `signature%3D…`, `Signature&#61;…`),
//!   names compared without case, `_` or `-`; and for auth schemes (`Basic …`, `Bearer …`) the
//!   word after the scheme.
//!
//! Every masked value becomes [`REDACTED`]. Masking is for error paths: it costs a pass over the
//! text per rule, which a successful call never pays.

use std::borrow::Cow;
use std::fmt;

/// What a masked value is replaced with.
pub const REDACTED: &str = "<redacted>";

/// Values shorter than this are masked by name only: masking every `ab` in a text would hide
/// the text, not a secret.
pub const MIN_VALUE_LEN: usize = 4;

/// The most values one [`Mask`] keeps (a registry collects a token per repository); past it the
/// oldest go first, long expired by then.
pub const MAX_VALUES: usize = 512;

/// How many separator pieces (quotes, tags, `=`...) may stand between a name and its value.
const MAX_SEPARATOR_PIECES: usize = 12;
/// The longest HTML tag taken for a separator (`</td>`, `<td class="v">`).
const MAX_TAG_LEN: usize = 64;

/// Rules for masking: secret names, auth schemes, and secret values with their spellings.
#[derive(Clone, Default)]
pub struct Mask {
    /// Lower-case, letters and digits only (`securitytoken`).
    names: Vec<String>,
    /// Lower-case scheme words (`basic`, `bearer`).
    schemes: Vec<String>,
    /// Every spelling of every value, lower-case, grouped by value (oldest first).
    values: Vec<Vec<String>>,
}

impl fmt::Debug for Mask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the values: this is where the secrets are.
        f.debug_struct("Mask")
            .field("names", &self.names)
            .field("schemes", &self.schemes)
            .field("values", &self.values.len())
            .finish()
    }
}

impl Mask {
    /// A mask for the values after these names (`Signature`, `SecurityToken`; case, `_` and
    /// `-` do not matter).
    pub fn by_names(names: &[&str]) -> Mask {
        let names = names.iter().map(|n| normalize_name(n)).filter(|n| !n.is_empty()).collect();
        Mask { names, ..Mask::default() }
    }

    /// Also masks the word after each of these auth schemes (`Basic`, `Bearer`), and after a
    /// name whose value is one of them (`Authorization: Basic …`).
    pub fn with_schemes(mut self, schemes: &[&str]) -> Mask {
        self.schemes.extend(schemes.iter().map(|s| s.to_ascii_lowercase()));
        self
    }

    /// Also masks `value` wherever it appears, in each of its spellings.
    pub fn with_value(mut self, value: &str) -> Mask {
        self.add_value(value);
        self
    }

    /// Adds `value` (ignored when shorter than [`MIN_VALUE_LEN`] or known already).
    pub fn add_value(&mut self, value: &str) {
        if value.len() < MIN_VALUE_LEN {
            return;
        }
        let raw = value.to_ascii_lowercase();
        if self.values.iter().any(|v| v.first() == Some(&raw)) {
            return;
        }
        if self.values.len() >= MAX_VALUES {
            self.values.remove(0);
        }
        self.values.push(spellings(value));
    }

    /// Whether it masks anything.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty() && self.schemes.is_empty() && self.values.is_empty()
    }

    /// `text` with every secret this mask knows replaced by [`REDACTED`].
    pub fn apply<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let by_value = self.mask_values(text);
        match self.mask_names(&by_value) {
            Some(masked) => Cow::Owned(masked),
            None => by_value,
        }
    }

    fn mask_values<'t>(&self, text: &'t str) -> Cow<'t, str> {
        if self.values.is_empty() {
            return Cow::Borrowed(text);
        }
        let lower = text.to_ascii_lowercase();
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        for spelling in self.values.iter().flatten() {
            ranges.extend(lower.match_indices(spelling.as_str()).map(|(at, s)| (at, at + s.len())));
        }
        if ranges.is_empty() {
            return Cow::Borrowed(text);
        }
        ranges.sort_unstable();
        let mut out = String::with_capacity(text.len());
        let (mut copied, mut marked) = (0, false);
        for (start, end) in ranges {
            // A value may start or end inside a character of a lossy text: widen to whole ones.
            let (start, end) = (floor_boundary(text, start), ceil_boundary(text, end));
            if marked && start <= copied {
                // Overlaps or touches the last mark: one mark for both.
                copied = copied.max(end);
                continue;
            }
            out.push_str(&text[copied..start]);
            out.push_str(REDACTED);
            (copied, marked) = (end, true);
        }
        out.push_str(&text[copied..]);
        Cow::Owned(out)
    }

    fn mask_names(&self, text: &str) -> Option<String> {
        if self.names.is_empty() && self.schemes.is_empty() {
            return None;
        }
        let bytes = text.as_bytes();
        let mut out: Option<String> = None;
        let mut copied = 0;
        let mut at = 0;
        while at < bytes.len() {
            if let Some((start, end)) = self.secret_at(bytes, at) {
                let out = out.get_or_insert_with(|| String::with_capacity(text.len()));
                out.push_str(&text[copied..start]);
                out.push_str(REDACTED);
                copied = end;
                at = end;
            } else {
                at += 1;
            }
        }
        let mut out = out?;
        out.push_str(&text[copied..]);
        Some(out)
    }

    /// Where the secret value of a name or scheme starting at `at` lies.
    fn secret_at(&self, bytes: &[u8], at: usize) -> Option<(usize, usize)> {
        if !bytes[at].is_ascii_alphabetic() {
            return None;
        }
        for name in &self.names {
            let Some(after) = match_name(bytes, at, name) else { continue };
            let Some(start) = separator(bytes, after) else { continue };
            if bytes[start..].starts_with(REDACTED.as_bytes()) {
                // Masked already (by value, or by an earlier pass).
                return None;
            }
            let end = value_end(bytes, start);
            if end > start {
                return Some((start, self.past_scheme_word(bytes, start, end)));
            }
        }
        if at > 0 && bytes[at - 1].is_ascii_alphanumeric() {
            return None;
        }
        for scheme in &self.schemes {
            let Some(after) = match_word(bytes, at, scheme) else { continue };
            let start = spaces(bytes, after);
            if start == after {
                continue;
            }
            let end = value_end(bytes, start);
            if end > start {
                return Some((start, end));
            }
        }
        None
    }

    /// A name's value that is a scheme word (`Authorization: Basic dXNl…`) masks the word
    /// after it too.
    fn past_scheme_word(&self, bytes: &[u8], start: usize, end: usize) -> usize {
        let word = &bytes[start..end];
        if !self.schemes.iter().any(|s| word.eq_ignore_ascii_case(s.as_bytes())) {
            return end;
        }
        let next = spaces(bytes, end);
        if next == end {
            end
        } else if bytes[next..].starts_with(REDACTED.as_bytes()) {
            // The word was masked by value already: one mark for the scheme and it.
            next + REDACTED.len()
        } else {
            value_end(bytes, next).max(end)
        }
    }
}

/// `name` lower-cased, letters and digits only.
fn normalize_name(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// Where `name` (normalized) ends if it starts at `at`; `_` and `-` may stand between its
/// letters (`security_token`, `Security-Token`).
fn match_name(bytes: &[u8], at: usize, name: &str) -> Option<usize> {
    let mut i = at;
    for (k, c) in name.bytes().enumerate() {
        if k > 0 {
            while i < bytes.len() && matches!(bytes[i], b'_' | b'-') {
                i += 1;
            }
        }
        if i >= bytes.len() || bytes[i].to_ascii_lowercase() != c {
            return None;
        }
        i += 1;
    }
    Some(i)
}

/// Where `word` ends if it starts at `at` as a whole word.
fn match_word(bytes: &[u8], at: usize, word: &str) -> Option<usize> {
    let end = at + word.len();
    let whole = bytes.get(at..end)?.eq_ignore_ascii_case(word.as_bytes());
    (whole && bytes.get(end).is_none_or(|b| !b.is_ascii_alphanumeric())).then_some(end)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Piece {
    Space,
    Quote,
    Assign,
    Comma,
    Tag,
}

/// Spellings of the pieces that may stand between a name and its value, raw, percent-encoded
/// once and twice, and as HTML entities (compared without case).
const PIECES: &[(&str, Piece)] = &[
    ("%2520", Piece::Space),
    ("%2522", Piece::Quote),
    ("%2527", Piece::Quote),
    ("%253d", Piece::Assign),
    ("%253a", Piece::Assign),
    ("%252c", Piece::Comma),
    ("%20", Piece::Space),
    ("%22", Piece::Quote),
    ("%27", Piece::Quote),
    ("%3d", Piece::Assign),
    ("%3a", Piece::Assign),
    ("%2c", Piece::Comma),
    ("&nbsp;", Piece::Space),
    ("&#32;", Piece::Space),
    ("&quot;", Piece::Quote),
    ("&#34;", Piece::Quote),
    ("&#x22;", Piece::Quote),
    ("&apos;", Piece::Quote),
    ("&#39;", Piece::Quote),
    ("&#x27;", Piece::Quote),
    ("&#61;", Piece::Assign),
    ("&#x3d;", Piece::Assign),
    ("&equals;", Piece::Assign),
    ("&#58;", Piece::Assign),
    ("&#x3a;", Piece::Assign),
    ("&colon;", Piece::Assign),
    ("&#44;", Piece::Comma),
    ("&comma;", Piece::Comma),
    ("\"", Piece::Quote),
    ("'", Piece::Quote),
    ("`", Piece::Quote),
    ("\\", Piece::Space),
    ("=", Piece::Assign),
    (":", Piece::Assign),
    (",", Piece::Comma),
    (" ", Piece::Space),
    ("\t", Piece::Space),
    ("\n", Piece::Space),
    ("\r", Piece::Space),
];

/// One separator piece at `at`: its kind and where it ends.
fn piece(bytes: &[u8], at: usize) -> Option<(Piece, usize)> {
    if bytes[at] == b'<' {
        let window = &bytes[at + 1..bytes.len().min(at + MAX_TAG_LEN)];
        let close = window.iter().position(|&b| b == b'>' || b == b'<')?;
        return (window[close] == b'>').then_some((Piece::Tag, at + close + 2));
    }
    PIECES.iter().find_map(|(spelling, kind)| {
        let end = at + spelling.len();
        let hit = bytes.get(at..end).is_some_and(|s| s.eq_ignore_ascii_case(spelling.as_bytes()));
        hit.then_some((*kind, end))
    })
}

/// Where the value starts after a name ending at `at`, if what follows is a separator: it holds
/// an `=` or `:` (any spelling), or a tag (`</td><td>`), or a quote then a comma (`"Name","v"`).
fn separator(bytes: &[u8], mut at: usize) -> Option<usize> {
    let (mut assigns, mut quoted) = (false, false);
    for _ in 0..MAX_SEPARATOR_PIECES {
        if at >= bytes.len() || bytes[at..].starts_with(REDACTED.as_bytes()) {
            break;
        }
        let Some((kind, end)) = piece(bytes, at) else { break };
        match kind {
            Piece::Assign | Piece::Tag => assigns = true,
            Piece::Quote => quoted = true,
            Piece::Comma if quoted => assigns = true,
            Piece::Comma => return None,
            Piece::Space => {}
        }
        at = end;
    }
    assigns.then_some(at)
}

/// Where spaces (any spelling) starting at `at` end.
fn spaces(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() {
        match piece(bytes, at) {
            Some((Piece::Space, end)) if bytes[at] != b'\\' => at = end,
            _ if bytes[at] == b'+' => at += 1,
            _ => break,
        }
    }
    at
}

/// Where a value starting at `at` ends: at the first character that closes it, raw or
/// percent-encoded once or twice.
fn value_end(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() {
        let b = bytes[at];
        if b.is_ascii_whitespace() || b"\"'`&,;{}[]()<>\\|".contains(&b) {
            break;
        }
        if b == b'%' && encoded_delimiter(&bytes[at + 1..]) {
            break;
        }
        at += 1;
    }
    at
}

/// Whether `rest` (after a `%`) is a closing character percent-encoded, or `25` and one.
fn encoded_delimiter(rest: &[u8]) -> bool {
    let code = |r: &[u8]| -> bool {
        let Some(hex) = r.get(..2) else { return false };
        let hex = [hex[0].to_ascii_lowercase(), hex[1].to_ascii_lowercase()];
        matches!(
            &hex,
            b"20"
                | b"22"
                | b"26"
                | b"27"
                | b"2c"
                | b"3b"
                | b"3c"
                | b"3e"
                | b"5b"
                | b"5d"
                | b"7b"
                | b"7d"
                | b"0a"
                | b"0d"
                | b"09"
                | b"5c"
                | b"7c"
                | b"28"
                | b"29"
        )
    };
    code(rest) || (rest.get(..2).is_some_and(|p| p == b"25") && code(&rest[2..]))
}

/// Every spelling of `value` a server might echo, lower-case, without repeats.
fn spellings(value: &str) -> Vec<String> {
    let mut all = vec![value.to_owned()];
    let once = percent_encode(value, b"");
    all.push(percent_encode(&once, b""));
    all.push(once);
    let keeping_slash = percent_encode(value, b"/");
    all.push(percent_encode(&keeping_slash, b"/"));
    all.push(keeping_slash);
    all.push(json_escape(value, false));
    all.push(json_escape(value, true));
    all.push(html_escape(value, "&quot;", "&#39;"));
    all.push(html_escape(value, "&#34;", "&#x27;"));
    let mut unique: Vec<String> = Vec::with_capacity(all.len());
    for s in all {
        let s = s.to_ascii_lowercase();
        if !unique.contains(&s) {
            unique.push(s);
        }
    }
    unique
}

/// `text` with every byte but the unreserved ones (and `keep`) as `%XX`.
fn percent_encode(text: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || keep.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `text` as inside a JSON string (with `/` as `\/` when `slash`).
fn json_escape(text: &str, slash: bool) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' if slash => out.push_str("\\/"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// `text` as HTML text, quotes as `quot` and `apos`.
fn html_escape(text: &str, quot: &str, apos: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str(quot),
            '\'' => out.push_str(apos),
            c => out.push(c),
        }
    }
    out
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sdk() -> Mask {
        Mask::by_names(&["Signature", "SecurityToken", "PrivateKey"])
    }

    #[test]
    fn names_in_every_spelling_lose_their_values() {
        let cases = [
            ("Action=GetRepo&Signature=abc123&Limit=5", "Action=GetRepo&Signature=<redacted>&Limit=5"),
            ("action=getrepo&signature=abc123&limit=5", "action=getrepo&signature=<redacted>&limit=5"),
            ("SIGNATURE=abc123", "SIGNATURE=<redacted>"),
            ("security_token=tok-1 x", "security_token=<redacted> x"),
            ("Security-Token: tok-1", "Security-Token: <redacted>"),
            (
                "Action%3DGetRepo%26Signature%3Dabc123%26Limit%3D5",
                "Action%3DGetRepo%26Signature%3D<redacted>%26Limit%3D5",
            ),
            ("Signature%253Dabc123%2526Limit", "Signature%253D<redacted>%2526Limit"),
            (r#"{"Signature":"abc123","x":1}"#, r#"{"Signature":"<redacted>","x":1}"#),
            (r#"{"signature" : "abc123"}"#, r#"{"signature" : "<redacted>"}"#),
            (r#"["Signature","abc123"]"#, r#"["Signature","<redacted>"]"#),
            (r#"["Signature", "abc123"]"#, r#"["Signature", "<redacted>"]"#),
            ("<td>Signature</td><td>abc123</td>", "<td>Signature</td><td><redacted></td>"),
            (
                "<tr><th>signature</th>\n  <td class=\"v\">abc123</td>",
                "<tr><th>signature</th>\n  <td class=\"v\"><redacted></td>",
            ),
            ("Signature&#61;abc123&amp;x", "Signature&#61;<redacted>&amp;x"),
            ("Signature&#x3D;abc123", "Signature&#x3D;<redacted>"),
            ("{&quot;Signature&quot;:&quot;abc123&quot;}", "{&quot;Signature&quot;:&quot;<redacted>&quot;}"),
            (r#"{\"Signature\":\"abc123\"}"#, r#"{\"Signature\":\"<redacted>\"}"#),
            ("%7B%22Signature%22%3A%22abc123%22%7D", "%7B%22Signature%22%3A%22<redacted>%22%7D"),
        ];
        for (text, masked) in cases {
            assert_eq!(sdk().apply(text), masked, "{text}");
        }
    }

    #[test]
    fn masking_twice_changes_nothing_more() {
        let mask = sdk().with_value("abc123");
        for text in
            ["Signature=abc123 PrivateKey: sk-1 tail", "<td>Signature</td><td>abc123</td> next", "Signature: abc123 x"]
        {
            let once = mask.apply(text).into_owned();
            assert_eq!(mask.apply(&once), once, "{text}");
            assert!(!once.contains("abc123") && !once.contains("sk-1"), "{once}");
        }
    }

    #[test]
    fn a_name_alone_or_inside_a_word_is_left_as_it_is() {
        for text in ["no Signature here", "Signatures are checked", "Signature, then", "a signature"] {
            assert_eq!(sdk().apply(text), text);
        }
    }

    #[test]
    fn values_in_every_spelling_are_masked_without_case() {
        let secret = "Ab+c/d=\"e'<f>&g";
        let mask = Mask::default().with_value(secret);
        let spellings = [
            secret.to_owned(),
            secret.to_uppercase(),
            percent_encode(secret, b""),
            percent_encode(secret, b"").to_lowercase(),
            percent_encode(&percent_encode(secret, b""), b""),
            percent_encode(secret, b"/"),
            json_escape(secret, false),
            json_escape(secret, true),
            html_escape(secret, "&quot;", "&#39;"),
            html_escape(secret, "&#34;", "&#x27;"),
        ];
        for spelled in spellings {
            let text = format!("before {spelled} after");
            assert_eq!(mask.apply(&text), "before <redacted> after", "{spelled}");
        }
    }

    #[test]
    fn short_values_are_masked_by_name_only() {
        let mask = Mask::default().with_value("ab");
        assert_eq!(mask.apply("abc"), "abc");
        assert!(mask.is_empty());
    }

    #[test]
    fn schemes_mask_the_word_after_them_and_after_authorization() {
        let mask = Mask::by_names(&["Authorization", "password", "token"]).with_schemes(&["Basic", "Bearer"]);
        let cases = [
            ("got Basic dXNlcjpwYXNz here", "got Basic <redacted> here"),
            ("BEARER   eyJ.x.y,", "BEARER   <redacted>,"),
            ("authorization: Basic dXNlcjpwYXNz", "authorization: <redacted>"),
            ("authorization: Basic <redacted> x", "authorization: <redacted> x"),
            (r#"{"Authorization":"Bearer tok.en"}"#, r#"{"Authorization":"<redacted>"}"#),
            ("Authorization%3A%20Basic%20dXNlcjpwYXNz%0A", "Authorization%3A%20<redacted>%0A"),
            (r#"{"access_token":"t0k3n","password":"pw"}"#, r#"{"access_token":"<redacted>","password":"<redacted>"}"#),
            ("Basically fine", "Basically fine"),
        ];
        for (text, masked) in cases {
            assert_eq!(mask.apply(text), masked, "{text}");
        }
    }

    #[test]
    fn overlapping_values_make_one_mark_and_text_stays_utf8() {
        let mask = Mask::default().with_value("secret-one").with_value("one-two");
        assert_eq!(mask.apply("é secret-one-two é"), "é <redacted> é");
        assert_eq!(mask.apply("secret-one"), "<redacted>");
    }

    #[test]
    fn values_are_bounded_and_debug_shows_none() {
        let mut mask = Mask::default();
        for i in 0..MAX_VALUES + 10 {
            mask.add_value(&format!("value-{i}"));
        }
        assert_eq!(mask.values.len(), MAX_VALUES);
        let debug = format!("{:?}", Mask::default().with_value("hunter22"));
        assert!(!debug.contains("hunter22"), "{debug}");
    }
}
