//! Response bodies → typed responses, accepting what UHub actually sends.
//!
//! The reference pages promise strings where the service (and the pages' own examples) send
//! numbers, booleans where they promise `"true"`, and bare names where they promise objects.
//! Every generated field is read through [`Lenient`], which accepts all of those:
//!
//! | Rust type | accepts |
//! |---|---|
//! | `String` | strings, numbers, booleans; `null` is `""` |
//! | `i64` | integers, integral floats, numeric strings; `null` and `""` are `0` |
//! | `f64` | numbers, numeric strings; `null` and `""` are `0.0`; never NaN or infinite |
//! | `bool` | booleans, `"true"`/`"false"` (any case), `0`/`1`; `null` is `false` |
//! | [`Time`](crate::Time) | any scalar, never an error: the text is kept, the instant read when it can be (see [`crate::time`]) |
//! | `Option<T>` | `null` is `None`, anything else as `T` |
//! | `Vec<T>` | arrays, `null` elements skipped; `null` is empty |
//! | models | objects, and bare strings for models that name a `from_string` field |
//!
//! Missing fields take their defaults and unknown fields are ignored.
//!
//! **Lists are bounded while they are read**, not after: a response read by [`response_within`]
//! fails with a decode error naming the list's path at the first item past its cap. A list at the
//! top of a response holds at most the request's `Limit` (when it sent one) or
//! [`DEFAULT_MAX_LIST_ITEMS`]; lists inside items hold at most the latter, and all lists of one
//! response together hold at most [`ListLimits::total`] items. So a 63 MiB body of 22 million
//! `{}` costs a page of 100 items, not 22 million structs (about 35 times the body). Without
//! those caps the only bound on what a body becomes would be its size times the size of an item.

use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::action::Response;
use crate::error::{Error, body_start};

/// The most items all lists of one response may hold together, unless the client sets another
/// cap (`ClientBuilder::max_list_items`); a list without a `Limit` in its request is capped at it
/// too. Far above any real UHub reply (pages hold at most a few hundred), far below harm.
pub const DEFAULT_MAX_LIST_ITEMS: usize = 100_000;

/// How many items the lists of one response may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListLimits {
    /// Items in each list at the top of the response (the request's `Limit`, when it sent one).
    pub top: usize,
    /// Items in all lists together, nested ones included.
    pub total: usize,
}

impl Default for ListLimits {
    fn default() -> Self {
        ListLimits { top: DEFAULT_MAX_LIST_ITEMS, total: DEFAULT_MAX_LIST_ITEMS }
    }
}

impl ListLimits {
    /// Lists capped at `total` items in all, and the top ones at `limit` when the request sent one.
    pub fn new(limit: Option<i64>, total: usize) -> Self {
        let top = limit.filter(|l| *l > 0).map_or(total, |l| usize::try_from(l).unwrap_or(usize::MAX).min(total));
        ListLimits { top, total }
    }
}

/// What the lists of the decode running on this thread may still take. Decoding is synchronous
/// and runs on one thread, so a thread-local carries the caps into every `Vec` a serde derive
/// reads, without generated code passing them along.
#[derive(Clone, Copy)]
struct Budget {
    limits: ListLimits,
    /// Items all lists may still take, while a decode of [`response_within`] runs.
    left: Option<usize>,
    /// How many lists enclose the one being read.
    depth: u32,
}

thread_local! {
    static BUDGET: Cell<Budget> = const {
        Cell::new(Budget {
            limits: ListLimits { top: DEFAULT_MAX_LIST_ITEMS, total: DEFAULT_MAX_LIST_ITEMS },
            left: None,
            depth: 0,
        })
    };
}

/// Runs one decode pass with fresh caps, restoring the previous ones after it (even if the pass
/// unwinds), so a decode inside a decode cannot leak its budget.
fn within<R>(limits: ListLimits, pass: impl FnOnce() -> R) -> R {
    struct Restore(Budget);
    impl Drop for Restore {
        fn drop(&mut self) {
            BUDGET.with(|b| b.set(self.0));
        }
    }
    let _restore = Restore(BUDGET.with(|b| b.replace(Budget { limits, left: Some(limits.total), depth: 0 })));
    pass()
}

/// Takes one item for a list that already holds `len`; an error says which cap it passes.
pub(crate) fn take_item<E: de::Error>(len: usize, depth: u32) -> Result<(), E> {
    BUDGET.with(|cell| {
        let mut b = cell.get();
        let cap = if depth == 0 { b.limits.top } else { b.limits.total };
        if len >= cap {
            return Err(E::custom(if depth == 0 && cap < b.limits.total {
                format!("the list holds more than the {cap} items the request's Limit allows")
            } else {
                format!(
                    "the list holds more than {cap} items, the cap on any one list; \
                     raise ClientBuilder::max_list_items if a real response holds more"
                )
            }));
        }
        match b.left {
            Some(0) => Err(E::custom(format!(
                "the response holds more than {} list items in all; \
                 raise ClientBuilder::max_list_items if a real response holds more",
                b.limits.total
            ))),
            Some(left) => {
                b.left = Some(left - 1);
                cell.set(b);
                Ok(())
            }
            None => Ok(()),
        }
    })
}

/// A type read tolerantly from JSON; see the module docs for what each accepts.
pub trait Lenient: Sized {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error>;
}

/// The `deserialize_with` function of every generated field.
pub fn lenient<'de, D: Deserializer<'de>, T: Lenient>(d: D) -> Result<T, D::Error> {
    T::lenient(d)
}

/// Decodes a response body for `action`: a UTF-8 BOM is skipped, a non-zero `RetCode` becomes
/// [`crate::ErrorKind::Api`], and a field that cannot be read becomes
/// [`crate::ErrorKind::Decode`] naming its path. Only a JSON object with a `RetCode` is a UCloud
/// response: anything else (an array, a string, an object from a proxy or gateway without
/// `RetCode`) is a decode error, never a success with every field defaulted.
pub fn response<T: DeserializeOwned + Response>(
    action: &'static str,
    body: &[u8],
    request_id: Option<&str>,
) -> Result<T, Error> {
    response_within(action, body, request_id, ListLimits::default())
}

/// [`response`], with the lists of the body capped by `limits` while they are read (see the
/// module docs): a list past its cap is a decode error naming its path.
pub fn response_within<T: DeserializeOwned + Response>(
    action: &'static str,
    body: &[u8],
    request_id: Option<&str>,
    limits: ListLimits,
) -> Result<T, Error> {
    let json = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let invalid =
        |message: &str| Error::decode(action, ".".to_owned(), message.to_owned(), body_start(body), request_id);
    // serde reads a struct from an array too; a UCloud response is always an object.
    if json.iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|b| *b != b'{') {
        let top = serde_json::from_slice::<serde::de::IgnoredAny>(json).is_ok();
        return Err(invalid(if top {
            "the body is JSON but not an object, so not a UCloud response"
        } else {
            "the body is not JSON"
        }));
    }
    match within(limits, || serde_json::from_slice::<T>(json)) {
        Ok(mut r) => {
            let envelope = r.envelope();
            match envelope.ret_code {
                Some(0) => {
                    *envelope.request_id = request_id.map(str::to_owned);
                    Ok(r)
                }
                Some(code) => Err(Error::api(action, code, envelope.message.unwrap_or_default(), request_id)),
                None => Err(invalid("RetCode is missing, so this is not a UCloud response")),
            }
        }
        // The fast path has no field paths; decode again to find where it failed, but first
        // let a RetCode in a body that otherwise does not fit explain the failure.
        Err(_) => {
            if let Some((code, message)) = envelope(json).filter(|(code, _)| *code != 0) {
                return Err(Error::api(action, code, &message, request_id));
            }
            let de = &mut serde_json::Deserializer::from_slice(json);
            let (path, message) = match within(limits, || serde_path_to_error::deserialize::<_, T>(&mut *de)) {
                Err(e) => (e.path().to_string(), e.into_inner().to_string()),
                // The value itself decoded, so what failed is the text after it.
                Ok(_) => (".".to_owned(), de.end().err().map_or_else(|| "invalid JSON".to_owned(), |e| e.to_string())),
            };
            Err(Error::decode(action, path, message, body_start(body), request_id))
        }
    }
}

/// `RetCode` and `Message` of a UCloud JSON body, if it is one.
pub fn envelope(body: &[u8]) -> Option<(i64, String)> {
    #[derive(serde::Deserialize)]
    struct Envelope {
        #[serde(rename = "RetCode", deserialize_with = "lenient")]
        ret_code: Option<i64>,
        #[serde(rename = "Message", default, deserialize_with = "lenient")]
        message: String,
    }
    let json = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let e: Envelope = serde_json::from_slice(json).ok()?;
    Some((e.ret_code?, e.message))
}

/// Reads a model from an object, or from a bare string when `from_name` is given.
pub fn model<'de, D, T>(d: D, from_name: Option<fn(String) -> T>) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: serde::Deserialize<'de> + Default,
{
    struct ModelVisitor<T>(Option<fn(String) -> T>);

    impl<'de, T: serde::Deserialize<'de> + Default> Visitor<'de> for ModelVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str(if self.0.is_some() { "an object or a name" } else { "an object" })
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::deserialize(de::value::MapAccessDeserializer::new(map))
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            match self.0 {
                Some(from_name) => Ok(from_name(v.to_owned())),
                None => Err(E::invalid_type(de::Unexpected::Str(v), &self)),
            }
        }

        fn visit_unit<E: de::Error>(self) -> Result<T, E> {
            Ok(T::default())
        }

        fn visit_none<E: de::Error>(self) -> Result<T, E> {
            Ok(T::default())
        }
    }

    d.deserialize_any(ModelVisitor(from_name))
}

/// Reads any JSON scalar as its text.
struct StringVisitor;

impl Visitor<'_> for StringVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string, number or boolean")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(float_text(v))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }
    fn visit_none<E: de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }
}

/// A float as text: as written in plain notation (`2.5`, `3`), but in exponent notation
/// (`1e300`) when plain notation would be long. `1e300` is five bytes of body and 301 of
/// plain text; a body of such numbers would otherwise become sixty times its size.
fn float_text(v: f64) -> String {
    let magnitude = v.abs();
    if magnitude != 0.0 && !(1e-4..1e16).contains(&magnitude) { format!("{v:?}") } else { v.to_string() }
}

impl Lenient for String {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StringVisitor)
    }
}

struct IntVisitor;

impl Visitor<'_> for IntVisitor {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an integer or a string holding one")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        i64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
        // Only whole numbers within range; `as` would silently saturate or truncate.
        if v.fract() == 0.0 && v >= i64::MIN as f64 && v < i64::MAX as f64 {
            Ok(v as i64)
        } else {
            Err(E::invalid_value(de::Unexpected::Float(v), &self))
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
        let t = v.trim();
        if t.is_empty() {
            return Ok(0);
        }
        t.parse().map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
    }
    fn visit_unit<E: de::Error>(self) -> Result<i64, E> {
        Ok(0)
    }
    fn visit_none<E: de::Error>(self) -> Result<i64, E> {
        Ok(0)
    }
}

impl Lenient for i64 {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(IntVisitor)
    }
}

struct FloatVisitor;

impl Visitor<'_> for FloatVisitor {
    type Value = f64;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number or a string holding one")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
        let t = v.trim();
        if t.is_empty() {
            return Ok(0.0);
        }
        // Rust also parses "NaN" and "inf"; a float from the service is always finite.
        match t.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(f),
            _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }
    fn visit_unit<E: de::Error>(self) -> Result<f64, E> {
        Ok(0.0)
    }
    fn visit_none<E: de::Error>(self) -> Result<f64, E> {
        Ok(0.0)
    }
}

impl Lenient for f64 {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(FloatVisitor)
    }
}

impl Lenient for crate::Time {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Any scalar as its text; the text decides the instant. A time is never a decode error,
        // except for a value that is no scalar at all (an object or an array).
        d.deserialize_any(StringVisitor).map(crate::Time::parse)
    }
}

struct BoolVisitor;

impl Visitor<'_> for BoolVisitor {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a boolean, \"true\"/\"false\", or 0/1")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
        Ok(v)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        match v.trim() {
            t if t.eq_ignore_ascii_case("true") || t == "1" => Ok(true),
            t if t.eq_ignore_ascii_case("false") || t == "0" || t.is_empty() => Ok(false),
            _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
        match v {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(E::invalid_value(de::Unexpected::Signed(v), &self)),
        }
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
        match v {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(E::invalid_value(de::Unexpected::Unsigned(v), &self)),
        }
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_none<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
}

impl Lenient for bool {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(BoolVisitor)
    }
}

impl<T: Lenient> Lenient for Option<T> {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct OptionVisitor<T>(PhantomData<T>);

        impl<'de, T: Lenient> Visitor<'de> for OptionVisitor<T> {
            type Value = Option<T>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a value or null")
            }
            fn visit_none<E: de::Error>(self) -> Result<Option<T>, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
                T::lenient(d).map(Some)
            }
        }

        d.deserialize_option(OptionVisitor(PhantomData))
    }
}

/// Lets a sequence hand each element to `T::lenient`; a `null` element is `None`, skipped.
struct Seed<T>(PhantomData<T>);

impl<'de, T: Lenient> de::DeserializeSeed<'de> for Seed<T> {
    type Value = Option<T>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        Option::<T>::lenient(d)
    }
}

impl<T: Lenient> Lenient for Vec<T> {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct VecVisitor<T>(PhantomData<T>);

        impl<'de, T: Lenient> Visitor<'de> for VecVisitor<T> {
            type Value = Vec<T>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
                // Cap the pre-allocation: the hint comes from the body, which we do not trust.
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
                // Lists inside this one's items are nested (capped by the total, not `Limit`).
                struct Nested(u32);
                impl Drop for Nested {
                    fn drop(&mut self) {
                        BUDGET.with(|cell| cell.set(Budget { depth: self.0, ..cell.get() }));
                    }
                }
                let depth = BUDGET.with(|cell| cell.get().depth);
                let _nested = Nested(depth);
                BUDGET.with(|cell| cell.set(Budget { depth: depth + 1, ..cell.get() }));
                // A null among the items is no item (not one with every field defaulted). The
                // first item past the cap ends the decode: at most one is read beyond it.
                while let Some(item) = seq.next_element_seed(Seed(PhantomData))? {
                    if let Some(item) = item {
                        take_item(items.len(), depth)?;
                        items.push(item);
                    }
                }
                Ok(items)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Vec<T>, E> {
                Ok(Vec::new())
            }
            fn visit_none<E: de::Error>(self) -> Result<Vec<T>, E> {
                Ok(Vec::new())
            }
        }

        d.deserialize_any(VecVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read<T: Lenient>(json: &str) -> Result<T, serde_json::Error> {
        T::lenient(&mut serde_json::Deserializer::from_str(json))
    }

    #[test]
    fn strings_accept_numbers_booleans_and_null() {
        assert_eq!(read::<String>("\"x\"").unwrap(), "x");
        assert_eq!(read::<String>("5").unwrap(), "5");
        assert_eq!(read::<String>("-2.5").unwrap(), "-2.5");
        assert_eq!(read::<String>("true").unwrap(), "true");
        // Never longer than a few times the number as written.
        assert_eq!(read::<String>("1e300").unwrap(), "1e300");
        assert_eq!(read::<String>("-1E-300").unwrap(), "-1e-300");
        assert_eq!(read::<String>("1e15").unwrap(), "1000000000000000");
        assert_eq!(read::<String>("0.00025").unwrap(), "0.00025");
        assert_eq!(read::<String>("null").unwrap(), "");
        assert!(read::<String>("[]").is_err());
    }

    #[test]
    fn integers_accept_numeric_strings_and_whole_floats() {
        assert_eq!(read::<i64>("7").unwrap(), 7);
        assert_eq!(read::<i64>("\" 42 \"").unwrap(), 42);
        assert_eq!(read::<i64>("3.0").unwrap(), 3);
        assert_eq!(read::<i64>("null").unwrap(), 0);
        assert_eq!(read::<i64>("\"\"").unwrap(), 0);
        assert!(read::<i64>("3.5").is_err());
        assert!(read::<i64>("\"ten\"").is_err());
        assert!(read::<i64>("18446744073709551615").is_err());
        assert!(read::<i64>("1e300").is_err());
    }

    #[test]
    fn floats_accept_numbers_and_numeric_strings_but_never_nan() {
        assert_eq!(read::<f64>("2.5").unwrap(), 2.5);
        assert_eq!(read::<f64>("3").unwrap(), 3.0);
        assert_eq!(read::<f64>("\" -0.25 \"").unwrap(), -0.25);
        assert_eq!(read::<f64>("null").unwrap(), 0.0);
        assert_eq!(read::<f64>("\"\"").unwrap(), 0.0);
        assert!(read::<f64>("\"NaN\"").is_err());
        assert!(read::<f64>("\"inf\"").is_err());
        assert!(read::<f64>("\"ten\"").is_err());
        assert!(read::<f64>("true").is_err());
    }

    #[test]
    fn times_read_any_scalar_and_keep_the_text() {
        let t = read::<crate::Time>("1714557600").unwrap();
        assert_eq!((t.raw(), t.timestamp().map(|i| i.as_second())), ("1714557600", Some(1_714_557_600)));
        let t = read::<crate::Time>("\"2024-05-01 18:00:00\"").unwrap();
        assert_eq!(t.timestamp().map(|i| i.as_second()), Some(1_714_557_600));
        let t = read::<crate::Time>("\"whenever\"").unwrap();
        assert_eq!((t.raw(), t.timestamp()), ("whenever", None));
        assert!(read::<crate::Time>("null").unwrap().is_empty());
        assert_eq!(read::<crate::Time>("true").unwrap().timestamp(), None);
    }

    #[test]
    fn booleans_accept_strings_and_bits() {
        assert!(read::<bool>("true").unwrap());
        assert!(read::<bool>("\"true\"").unwrap());
        assert!(read::<bool>("\"TRUE\"").unwrap());
        assert!(!read::<bool>("\"false\"").unwrap());
        assert!(read::<bool>("1").unwrap());
        assert!(!read::<bool>("null").unwrap());
        assert!(read::<bool>("\"ture\"").is_err());
        assert!(read::<bool>("2").is_err());
    }

    #[test]
    fn options_and_lists_treat_null_as_absent() {
        assert_eq!(read::<Option<String>>("null").unwrap(), None);
        assert_eq!(read::<Option<String>>("1").unwrap(), Some("1".into()));
        assert_eq!(read::<Vec<i64>>("null").unwrap(), Vec::<i64>::new());
        assert_eq!(read::<Vec<i64>>("[1,\"2\"]").unwrap(), vec![1, 2]);
        assert_eq!(read::<Vec<String>>("[\"a\", null, \"b\"]").unwrap(), ["a", "b"]);
    }

    /// A response of the shape generated ones have, without depending on generated code.
    #[derive(serde::Deserialize, Debug, Default)]
    #[serde(default)]
    struct Listing {
        #[serde(rename = "RetCode", deserialize_with = "lenient")]
        ret_code: Option<i64>,
        #[serde(rename = "TotalCount", deserialize_with = "lenient")]
        total_count: i64,
        #[serde(skip)]
        request_id: Option<String>,
    }

    impl Response for Listing {
        fn envelope(&mut self) -> crate::action::Envelope<'_> {
            crate::action::Envelope { ret_code: self.ret_code, message: None, request_id: &mut self.request_id }
        }
    }

    #[test]
    fn only_an_object_with_a_ret_code_is_a_response() {
        let message = |body: &[u8]| match response::<Listing>("GetRepo", body, None).unwrap_err().kind() {
            crate::ErrorKind::Decode { message, .. } => message.clone(),
            other => panic!("expected a decode error, got {other:?}"),
        };
        for body in [&b"[]"[..], b"\"x\"", b"3", b"null", b" [{\"RetCode\": 0}]"] {
            assert_eq!(message(body), "the body is JSON but not an object, so not a UCloud response", "{body:?}");
        }
        assert_eq!(
            message(b"{\"retcode\": 0, \"TotalCount\": 5}"),
            "RetCode is missing, so this is not a UCloud response"
        );
        assert_eq!(message(b"{\"RetCode\": null}"), "RetCode is missing, so this is not a UCloud response");
        assert_eq!(message(b"<html>"), "the body is not JSON");
    }

    /// Found by the decode_bytes fuzz target: a complete value followed by more text.
    #[test]
    fn trailing_text_after_the_body_is_a_decode_error() {
        let body = br#"{"Action": "GetRepoImageResponse", "RetCode": 0, "TotalCe": 7}, {"CreateTime": 2"#;
        let err = response::<Listing>("GetRepoImage", body, None).unwrap_err();
        match err.kind() {
            crate::ErrorKind::Decode { message, .. } => assert!(message.contains("trailing characters"), "{message}"),
            other => panic!("expected a decode error, got {other:?}"),
        }
        let ok = response::<Listing>("GetRepoImage", br#"{"RetCode": 0, "TotalCount": "7"}"#, None).unwrap();
        assert_eq!(ok.total_count, 7);
    }

    /// A response with a list of lists, as a listing whose items hold lists would be.
    #[derive(serde::Deserialize, Debug, Default)]
    #[serde(default)]
    struct Nested {
        #[serde(rename = "RetCode", deserialize_with = "lenient")]
        ret_code: Option<i64>,
        #[serde(rename = "Set", deserialize_with = "lenient")]
        set: Vec<Vec<i64>>,
        #[serde(skip)]
        request_id: Option<String>,
    }

    impl Response for Nested {
        fn envelope(&mut self) -> crate::action::Envelope<'_> {
            crate::action::Envelope { ret_code: self.ret_code, message: None, request_id: &mut self.request_id }
        }
    }

    fn nested(body: &str, limit: Option<i64>, total: usize) -> Result<Vec<usize>, String> {
        match response_within::<Nested>("A", body.as_bytes(), None, ListLimits::new(limit, total)) {
            Ok(r) => Ok(r.set.iter().map(Vec::len).collect()),
            Err(e) => match e.kind() {
                crate::ErrorKind::Decode { path, message, .. } => Err(format!("{path}: {message}")),
                other => panic!("{other:?}"),
            },
        }
    }

    #[test]
    fn lists_are_capped_while_read_the_top_by_limit_all_by_the_total() {
        let body = r#"{"RetCode":0,"Set":[[1,2,3],[4,5,6],null,[]]}"#;
        assert_eq!(nested(body, Some(3), 100), Ok(vec![3, 3, 0]), "nulls are no items; inner lists ignore Limit");
        let e = nested(body, Some(2), 100).unwrap_err();
        assert!(e.starts_with("Set: the list holds more than the 2 items the request's Limit allows"), "{e}");
        // 3 top items and 6 inner ones: 9 in all.
        assert_eq!(nested(body, None, 9), Ok(vec![3, 3, 0]));
        let e = nested(body, None, 8).unwrap_err();
        assert!(e.starts_with("Set: the response holds more than 8 list items in all"), "{e}");
        let e = nested(r#"{"RetCode":0,"Set":[[1,2,3,4]]}"#, None, 3).unwrap_err();
        assert!(e.starts_with("Set[0]: the list holds more than 3 items, the cap on any one list"), "{e}");
        // A Limit above the total cap is capped by it.
        assert_eq!(ListLimits::new(Some(1_000_000), 10), ListLimits { top: 10, total: 10 });
        assert_eq!(ListLimits::new(Some(0), 10), ListLimits { top: 10, total: 10 });
    }

    #[test]
    fn envelope_reads_ret_code_strings() {
        assert_eq!(envelope(b"{\"RetCode\":\"171\",\"Message\":\"bad\"}"), Some((171, "bad".into())));
        assert_eq!(envelope(b"\xEF\xBB\xBF{\"RetCode\":0}"), Some((0, String::new())));
        assert_eq!(envelope(b"<html>"), None);
        assert_eq!(envelope(b"{}"), None);
    }
}
