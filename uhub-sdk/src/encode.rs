//! Request parameters → form fields, the way UCloud's official SDKs send them.
//!
//! Unset optional parameters send nothing; empty strings are sent as they are; arrays go as
//! `Name.0`, `Name.1`, and arrays of models as `Name.0.Field`.

use crate::serialize::{WireObject, WireValue};

/// The form fields of one request, in the order they were added.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Form {
    fields: Vec<(String, String)>,
    /// Values that cannot be sent (a NaN float, say): the call is refused before sending.
    refused: Vec<String>,
}

impl Form {
    pub fn new() -> Self {
        // Room for a typical call's parameters, so pushing them does not regrow the vector.
        Form { fields: Vec::with_capacity(8), refused: Vec::new() }
    }

    pub fn push(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.fields.push((name.into(), value.into()));
    }

    pub fn fields(&self) -> &[(String, String)] {
        &self.fields
    }

    /// Marks parameter `name` as unsendable; [`Self::problem`] reports it.
    pub fn refuse(&mut self, name: &str, problem: &str) {
        self.refused.push(format!("{name} {problem}"));
    }

    /// Why this form cannot be sent, if a value was refused while encoding.
    pub fn problem(&self) -> Option<String> {
        (!self.refused.is_empty()).then(|| self.refused.join("; "))
    }

    /// The `application/x-www-form-urlencoded` body for these fields.
    pub fn to_body(&self) -> String {
        let mut body = Vec::with_capacity(encoded_len_hint(self.fields.iter().map(|(k, v)| (k.as_str(), v.as_str()))));
        for (name, value) in &self.fields {
            append_pair(&mut body, name, value);
        }
        String::from_utf8(body).expect("form encoding writes only ASCII")
    }
}

/// Appends `name=value` (after a `&` unless `body` is empty), both encoded as
/// `application/x-www-form-urlencoded`: byte for byte what `form_urlencoded::Serializer`
/// writes, and only ASCII. A loop of its own because that crate's, yielding a slice per byte,
/// was a fifth of the SDK's cost per call beyond the HTTP exchange and decoding.
pub(crate) fn append_pair(body: &mut Vec<u8>, name: &str, value: &str) {
    if !body.is_empty() {
        body.push(b'&');
    }
    append_encoded(body, name.as_bytes());
    body.push(b'=');
    append_encoded(body, value.as_bytes());
}

/// A capacity that holds the encoded pairs when few bytes need escaping.
pub(crate) fn encoded_len_hint<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> usize {
    pairs.map(|(k, v)| k.len() + v.len() + 2).sum::<usize>() + 64
}

/// Which bytes are sent as they are: ASCII letters and digits, `*`, `-`, `.` and `_`.
static KEPT: [bool; 256] = {
    let mut kept = [false; 256];
    let mut b = 0;
    while b < 256 {
        kept[b] = matches!(b as u8, b'*' | b'-' | b'.' | b'0'..=b'9' | b'A'..=b'Z' | b'_' | b'a'..=b'z');
        b += 1;
    }
    kept
};

fn append_encoded(body: &mut Vec<u8>, mut text: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    while let Some(i) = text.iter().position(|&b| !KEPT[usize::from(b)]) {
        body.extend_from_slice(&text[..i]);
        match text[i] {
            b' ' => body.push(b'+'),
            b => body.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]]),
        }
        text = &text[i + 1..];
    }
    body.extend_from_slice(text);
}

/// `Action::encode` of every generated request: its fields as it lists them for
/// [`WireObject`], each sent the way [`Param`] sends a value of its kind. One loop here rather
/// than a function per request (and per model sent in requests) for rustc to build.
pub fn encode_fields(request: &dyn WireObject, form: &mut Form) {
    request.fields(&mut |name, value| encode_value(name, value, form));
}

/// One value under `name`: nothing when unset, lists as `name.0`, `name.1`, models' fields as
/// `name.Field`.
pub(crate) fn encode_value(name: &str, value: WireValue<'_>, form: &mut Form) {
    match value {
        WireValue::Absent => {}
        WireValue::Str(s) => form.push(name, s),
        WireValue::Int(n) => n.encode(name, form),
        WireValue::Float(x) => x.encode(name, form),
        WireValue::Bool(b) => b.encode(name, form),
        WireValue::List(items) => {
            for i in 0..items.len() {
                encode_value(&format!("{name}.{i}"), items.item(i), form);
            }
        }
        WireValue::Object(_, model) => {
            model.fields(&mut |field, value| encode_value(&format!("{name}.{field}"), value, form));
        }
        // The spec has no free-form request parameter; one made by hand is refused, not guessed.
        WireValue::Json(_) => form.refuse(name, "is free-form JSON, which a form cannot carry"),
    }
}

/// A value that can be sent as one or more form fields under `name`.
pub trait Param {
    fn encode(&self, name: &str, form: &mut Form);
}

impl Param for String {
    fn encode(&self, name: &str, form: &mut Form) {
        form.push(name, self.as_str());
    }
}

impl Param for i64 {
    fn encode(&self, name: &str, form: &mut Form) {
        form.push(name, self.to_string());
    }
}

/// Whole numbers go as integers (`3`, as UCloud's official SDKs send them), others in their
/// shortest round-trip form (`0.1`); NaN and infinities cannot be sent.
impl Param for f64 {
    fn encode(&self, name: &str, form: &mut Form) {
        if self.is_finite() {
            // Rust's Display is the shortest text that reads back as the same f64, and writes
            // whole numbers without a fraction.
            form.push(name, self.to_string());
        } else {
            form.refuse(name, "is not a finite number");
        }
    }
}

impl Param for crate::Time {
    fn encode(&self, name: &str, form: &mut Form) {
        form.push(name, self.raw());
    }
}

impl Param for bool {
    fn encode(&self, name: &str, form: &mut Form) {
        form.push(name, if *self { "true" } else { "false" });
    }
}

impl<T: Param> Param for Option<T> {
    fn encode(&self, name: &str, form: &mut Form) {
        if let Some(v) = self {
            v.encode(name, form);
        }
    }
}

impl<T: Param> Param for Vec<T> {
    fn encode(&self, name: &str, form: &mut Form) {
        for (i, v) in self.iter().enumerate() {
            v.encode(&format!("{name}.{i}"), form);
        }
    }
}

/// Serializes a response's `RetCode`, 0 when unset: what a response serializes to is always a
/// UCloud response, so a fake service built from `Default` answers success.
pub fn ret_code_or_zero<S: serde::Serializer>(code: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_i64(code.unwrap_or(0))
}

/// Serializes a `bool` (or `Option<bool>`) as the text `"true"`/`"false"`, the form the
/// reference pages document for flags such as `IsShared`. Generated response types use it so
/// that what they serialize is what the documented service sends.
pub fn bool_as_text<T: BoolAsText, S: serde::Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    value.serialize_text(s)
}

/// The types [`bool_as_text`] accepts.
pub trait BoolAsText {
    fn serialize_text<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error>;
}

impl BoolAsText for bool {
    fn serialize_text<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(if *self { "true" } else { "false" })
    }
}

impl BoolAsText for Option<bool> {
    fn serialize_text<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Some(b) => b.serialize_text(s),
            None => s.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_options_send_nothing_and_empty_strings_are_sent() {
        let mut form = Form::new();
        None::<String>.encode("A", &mut form);
        Some(String::new()).encode("B", &mut form);
        assert_eq!(form.fields(), &[("B".to_owned(), String::new())]);
    }

    #[test]
    fn arrays_are_numbered_from_zero() {
        let mut form = Form::new();
        vec![3_i64, 4].encode("Id", &mut form);
        vec![true].encode("Flag", &mut form);
        assert_eq!(form.to_body(), "Id.0=3&Id.1=4&Flag.0=true");
    }

    #[test]
    fn floats_go_as_integers_when_whole_and_shortest_otherwise() {
        let mut form = Form::new();
        for (name, v) in [("A", 3.0), ("B", 0.1), ("C", -2.5), ("D", 1e21), ("E", 1.0 / 3.0), ("F", -0.0)] {
            v.encode(name, &mut form);
        }
        assert_eq!(form.to_body(), "A=3&B=0.1&C=-2.5&D=1000000000000000000000&E=0.3333333333333333&F=-0");
        assert_eq!(form.problem(), None);
    }

    #[test]
    fn non_finite_floats_are_refused() {
        let mut form = Form::new();
        f64::NAN.encode("Ratio", &mut form);
        Some(f64::INFINITY).encode("Size", &mut form);
        assert_eq!(form.fields(), &[]);
        assert_eq!(form.problem().as_deref(), Some("Ratio is not a finite number; Size is not a finite number"));
    }

    #[test]
    fn body_escapes_reserved_characters() {
        let mut form = Form::new();
        form.push("Description", "a b+&=%#/?中🚀");
        assert_eq!(form.to_body(), "Description=a+b%2B%26%3D%25%23%2F%3F%E4%B8%AD%F0%9F%9A%80");
    }

    #[test]
    fn body_is_what_form_urlencoded_writes_for_every_byte() {
        let mut form = Form::new();
        let every: String = (0..=0x7f_u8).map(char::from).chain(['é', '中', '🚀', '\u{80}', '\u{7ff}']).collect();
        form.push(every.as_str(), every.as_str());
        form.push("", "");
        form.push("a b", "Name.10");
        let expected = form_urlencoded::Serializer::new(String::new()).extend_pairs(form.fields()).finish();
        assert_eq!(form.to_body(), expected);
    }

    #[test]
    fn documented_text_bools_serialize_as_strings() {
        #[derive(serde::Serialize)]
        struct Flags {
            #[serde(serialize_with = "bool_as_text")]
            on: bool,
            #[serde(serialize_with = "bool_as_text")]
            maybe: Option<bool>,
        }
        let json = serde_json::to_string(&Flags { on: true, maybe: Some(false) }).unwrap();
        assert_eq!(json, r#"{"on":"true","maybe":"false"}"#);
    }
}
