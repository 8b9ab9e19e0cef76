//! Table-driven serialization of generated structs, the mirror of `table.rs`. A struct lists
//! its fields (wire name and value, in order) through [`WireObject::fields`], a plain function; the
//! one generic function that writes any of them to a serde `Serializer` is written once here.
//! Each generated struct's `Serialize` impl only calls [`serialize_object`]: rustc compiles the writing
//! once per serializer, not once per struct and serializer, as a derived `Serialize` would.
//!
//! What is written is what the derive wrote: fields in declaration order under their wire
//! names, unset optional fields left out (and counted out of the struct's length), flags the
//! pages document as text written as `"true"`/`"false"`, times as the text they were read from,
//! enums as their wire value, free-form JSON as it came.
//!
//! The same listing gives generated structs their `Debug` ([`debug_object`]: the wire view,
//! `TagSet { TagName: "v1", UpdateTime: "2024-05-01 10:00:00" }`) and `PartialEq`
//! ([`object_eq`]: equal when they say the same on the wire). Derived, those two cost rustc a
//! large body per struct each; at the whole catalogue they were a sixth of the SDK's build memory.

use std::fmt;

use serde::ser::{Serialize, SerializeSeq, SerializeStruct, Serializer};

/// A field's value as the serializer sees it.
#[derive(Clone, Copy)]
pub enum WireValue<'a> {
    /// An unset optional field: left out of its struct.
    Absent,
    Str(&'a str),
    Int(i64),
    Float(f64),
    Bool(bool),
    List(&'a dyn WireList),
    /// A struct, with its Rust name.
    Object(&'static str, &'a dyn WireObject),
    Json(&'a serde_json::Value),
}

/// A generated struct: its fields in order.
pub trait WireObject {
    /// Calls `field` with each field's wire name and value, in declaration order.
    fn fields<'a>(&'a self, field: &mut dyn FnMut(&'static str, WireValue<'a>));
}

/// A list of values, read by index.
pub trait WireList {
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn item(&self, index: usize) -> WireValue<'_>;
}

/// A value that can be a field.
pub trait WireField {
    fn value(&self) -> WireValue<'_>;
}

impl WireField for String {
    fn value(&self) -> WireValue<'_> {
        WireValue::Str(self)
    }
}

impl WireField for i64 {
    fn value(&self) -> WireValue<'_> {
        WireValue::Int(*self)
    }
}

impl WireField for f64 {
    fn value(&self) -> WireValue<'_> {
        WireValue::Float(*self)
    }
}

impl WireField for bool {
    fn value(&self) -> WireValue<'_> {
        WireValue::Bool(*self)
    }
}

impl WireField for crate::Time {
    fn value(&self) -> WireValue<'_> {
        WireValue::Str(self.raw())
    }
}

impl WireField for serde_json::Value {
    fn value(&self) -> WireValue<'_> {
        WireValue::Json(self)
    }
}

impl<T: WireField> WireField for Option<T> {
    fn value(&self) -> WireValue<'_> {
        self.as_ref().map_or(WireValue::Absent, WireField::value)
    }
}

impl<T: WireField> WireField for Vec<T> {
    fn value(&self) -> WireValue<'_> {
        WireValue::List(self)
    }
}

impl<T: WireField> WireList for Vec<T> {
    fn len(&self) -> usize {
        self.as_slice().len()
    }

    fn item(&self, index: usize) -> WireValue<'_> {
        self[index].value()
    }
}

/// A flag the pages document as text: `"true"`/`"false"` (an unset optional one left out).
pub fn bool_text(flag: impl Into<Option<bool>>) -> WireValue<'static> {
    match flag.into() {
        Some(true) => WireValue::Str("true"),
        Some(false) => WireValue::Str("false"),
        None => WireValue::Absent,
    }
}

/// The `Serialize::serialize` of every generated struct, named `name`.
pub fn serialize_object<S: Serializer>(name: &'static str, o: &dyn WireObject, s: S) -> Result<S::Ok, S::Error> {
    let mut len = 0;
    o.fields(&mut |_, v| len += usize::from(!matches!(v, WireValue::Absent)));
    let mut fields = s.serialize_struct(name, len)?;
    let mut failed = None;
    o.fields(&mut |name, v| {
        if failed.is_some() {
            return;
        }
        let written = match v {
            WireValue::Absent => fields.skip_field(name),
            v => fields.serialize_field(name, &v),
        };
        failed = written.err();
    });
    match failed {
        Some(e) => Err(e),
        None => fields.end(),
    }
}

/// The `Debug::fmt` of every generated struct: its name and the fields it sends, under their
/// wire names (unset optional fields left out, as on the wire).
pub fn debug_object(name: &'static str, o: &dyn WireObject, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let mut s = f.debug_struct(name);
    debug_fields(&mut s, o);
    s.finish()
}

/// The fields `o` sends, into `s`.
fn debug_fields(s: &mut fmt::DebugStruct<'_, '_>, o: &dyn WireObject) {
    o.fields(&mut |field, v| {
        if !matches!(v, WireValue::Absent) {
            s.field(field, &v);
        }
    });
}

/// The `Debug::fmt` of a generated response: [`debug_object`] and, after the body's fields,
/// the request id the answer came with.
pub fn debug_response(
    name: &'static str,
    o: &dyn WireObject,
    request_id: Option<&str>,
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    let mut s = f.debug_struct(name);
    debug_fields(&mut s, o);
    s.field("request_id", &request_id).finish()
}

/// The `PartialEq::eq` of every generated struct: the same fields, in order, with the same
/// values as they are sent (an enum by its wire value, a time by its text, free-form JSON as
/// JSON, a `RetCode` left unset as 0).
pub fn object_eq(a: &dyn WireObject, b: &dyn WireObject) -> bool {
    let mut left = Vec::new();
    a.fields(&mut |name, v| left.push((name, v)));
    let mut i = 0;
    let mut same = true;
    b.fields(&mut |name, v| {
        same = same && left.get(i).is_some_and(|(n, w)| *n == name && w.same(&v));
        i += 1;
    });
    same && i == left.len()
}

impl WireValue<'_> {
    /// Whether two values say the same on the wire.
    fn same(&self, other: &WireValue<'_>) -> bool {
        match (*self, *other) {
            (WireValue::Absent, WireValue::Absent) => true,
            (WireValue::Str(a), WireValue::Str(b)) => a == b,
            (WireValue::Int(a), WireValue::Int(b)) => a == b,
            (WireValue::Float(a), WireValue::Float(b)) => a == b,
            (WireValue::Bool(a), WireValue::Bool(b)) => a == b,
            (WireValue::Json(a), WireValue::Json(b)) => a == b,
            (WireValue::List(a), WireValue::List(b)) => {
                a.len() == b.len() && (0..a.len()).all(|i| a.item(i).same(&b.item(i)))
            }
            (WireValue::Object(_, a), WireValue::Object(_, b)) => object_eq(a, b),
            _ => false,
        }
    }
}

impl fmt::Debug for WireValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            WireValue::Absent => f.write_str("None"),
            WireValue::Str(v) => fmt::Debug::fmt(v, f),
            WireValue::Int(v) => fmt::Debug::fmt(&v, f),
            WireValue::Float(v) => fmt::Debug::fmt(&v, f),
            WireValue::Bool(v) => fmt::Debug::fmt(&v, f),
            // As JSON text, which reads better than `Value`'s own `Debug`.
            WireValue::Json(v) => fmt::Display::fmt(v, f),
            WireValue::List(items) => f.debug_list().entries((0..items.len()).map(|i| items.item(i))).finish(),
            WireValue::Object(name, o) => debug_object(name, o, f),
        }
    }
}

impl Serialize for WireValue<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            // Only an item of a list could be absent, and no generated list holds options.
            WireValue::Absent => s.serialize_none(),
            WireValue::Str(v) => s.serialize_str(v),
            WireValue::Int(v) => s.serialize_i64(v),
            WireValue::Float(v) => s.serialize_f64(v),
            WireValue::Bool(v) => s.serialize_bool(v),
            WireValue::Json(v) => v.serialize(s),
            WireValue::Object(name, o) => serialize_object(name, o, s),
            WireValue::List(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for i in 0..items.len() {
                    seq.serialize_element(&items.item(i))?;
                }
                seq.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A struct of every kind of field, serialized both ways: derived and through the table.
    #[derive(serde::Serialize, Default, Clone)]
    struct Derived {
        #[serde(rename = "Name")]
        name: String,
        #[serde(rename = "Size", skip_serializing_if = "Option::is_none")]
        size: Option<i64>,
        #[serde(rename = "Ratio")]
        ratio: f64,
        #[serde(rename = "Shared", serialize_with = "crate::encode::bool_as_text")]
        shared: bool,
        #[serde(
            rename = "Maybe",
            skip_serializing_if = "Option::is_none",
            serialize_with = "crate::encode::bool_as_text"
        )]
        maybe: Option<bool>,
        #[serde(rename = "On")]
        on: bool,
        #[serde(rename = "At")]
        at: crate::Time,
        #[serde(rename = "Tags")]
        tags: Vec<String>,
        #[serde(rename = "Inner")]
        inner: Vec<DerivedInner>,
        #[serde(rename = "Any")]
        any: serde_json::Value,
    }

    #[derive(serde::Serialize, Default, Clone)]
    struct DerivedInner {
        #[serde(rename = "Id")]
        id: i64,
    }

    /// `Derived` written through the table (its inner structs copied, since the table lends
    /// its values for as long as the struct).
    struct Tabled<'a>(&'a Derived, Vec<TabledInner>);
    struct TabledInner(i64);

    fn tabled(d: &Derived) -> Tabled<'_> {
        Tabled(d, d.inner.iter().map(|i| TabledInner(i.id)).collect())
    }

    impl WireObject for Tabled<'_> {
        fn fields<'a>(&'a self, field: &mut dyn FnMut(&'static str, WireValue<'a>)) {
            let d = self.0;
            field("Name", d.name.value());
            field("Size", d.size.value());
            field("Ratio", d.ratio.value());
            field("Shared", bool_text(d.shared));
            field("Maybe", bool_text(d.maybe));
            field("On", d.on.value());
            field("At", d.at.value());
            field("Tags", d.tags.value());
            field("Inner", WireValue::List(&self.1));
            field("Any", d.any.value());
        }
    }

    impl WireObject for TabledInner {
        fn fields<'a>(&'a self, field: &mut dyn FnMut(&'static str, WireValue<'a>)) {
            field("Id", self.0.value());
        }
    }

    impl WireField for TabledInner {
        fn value(&self) -> WireValue<'_> {
            WireValue::Object("DerivedInner", self)
        }
    }

    impl Serialize for Tabled<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            serialize_object("Derived", self, s)
        }
    }

    #[test]
    fn writes_what_the_derive_writes() {
        let cases = [
            Derived::default(),
            Derived {
                name: "a\"b".into(),
                size: Some(-3),
                ratio: 0.1,
                shared: true,
                maybe: Some(false),
                on: true,
                at: crate::Time::from("2024-05-01 10:00:00"),
                tags: vec!["x".into(), "y".into()],
                inner: vec![DerivedInner { id: 1 }, DerivedInner { id: 2 }],
                any: serde_json::json!({"k": [1, null, "v"]}),
            },
            Derived { ratio: f64::NAN, at: crate::Time::from("1714557600"), ..Derived::default() },
        ];
        for case in &cases {
            let derived = serde_json::to_string(case).unwrap();
            assert_eq!(serde_json::to_string(&tabled(case)).unwrap(), derived);
            assert_eq!(serde_json::to_value(tabled(case)).unwrap(), serde_json::to_value(case).unwrap());
        }
    }

    /// `Debug` and `PartialEq` read the same listing: the wire view, nested structs and lists
    /// included, unset optional fields left out.
    #[test]
    fn debug_and_eq_read_the_wire_view() {
        struct Show<'a>(Tabled<'a>);
        impl fmt::Debug for Show<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                debug_object("Derived", &self.0, f)
            }
        }
        let case = Derived {
            name: "a\"b".into(),
            size: Some(3),
            tags: vec!["x".into()],
            inner: vec![DerivedInner { id: 1 }],
            any: serde_json::json!({"k": [1, null]}),
            ..Derived::default()
        };
        assert_eq!(
            format!("{:?}", Show(tabled(&case))),
            r#"Derived { Name: "a\"b", Size: 3, Ratio: 0.0, Shared: "false", On: false, At: "", Tags: ["x"], Inner: [DerivedInner { Id: 1 }], Any: {"k":[1,null]} }"#
        );
        assert!(object_eq(&tabled(&case), &tabled(&case.clone())));
        let changes: [fn(&mut Derived); 5] = [
            |d| d.size = None,
            |d| d.inner[0].id = 2,
            |d| d.inner.push(DerivedInner { id: 1 }),
            |d| d.any = serde_json::json!({"k": [1]}),
            |d| d.ratio = f64::NAN,
        ];
        for change in changes {
            let mut other = case.clone();
            change(&mut other);
            assert!(!object_eq(&tabled(&case), &tabled(&other)), "{:?}", Show(tabled(&other)));
        }
    }

    /// The length given to `serialize_struct` counts only the fields written, as the derive's does.
    #[test]
    fn the_struct_length_leaves_out_absent_fields() {
        struct Len(Option<usize>);
        impl Serializer for &mut Len {
            type Ok = ();
            type Error = serde::de::value::Error;
            type SerializeSeq = serde::ser::Impossible<(), Self::Error>;
            type SerializeTuple = serde::ser::Impossible<(), Self::Error>;
            type SerializeTupleStruct = serde::ser::Impossible<(), Self::Error>;
            type SerializeTupleVariant = serde::ser::Impossible<(), Self::Error>;
            type SerializeMap = serde::ser::Impossible<(), Self::Error>;
            type SerializeStruct = serde::ser::Impossible<(), Self::Error>;
            type SerializeStructVariant = serde::ser::Impossible<(), Self::Error>;
            fn serialize_struct(self, _: &'static str, len: usize) -> Result<Self::SerializeStruct, Self::Error> {
                self.0 = Some(len);
                Err(serde::ser::Error::custom("stop"))
            }
            fn serialize_bool(self, _: bool) -> Result<(), Self::Error> {
                unreachable!()
            }
            fn serialize_i8(self, _: i8) -> Result<(), Self::Error> {
                unreachable!()
            }
            fn serialize_i16(self, _: i16) -> Result<(), Self::Error> {
                unreachable!()
            }
            fn serialize_i32(self, _: i32) -> Result<(), Self::Error> {
                unreachable!()
            }
            fn serialize_i64(self, _: i64) -> Result<(), Self::Error> {
                unreachable!()
            }
            fn serialize_u8(self, _: u8) -> Result<(), Self::Error> {
                unreachable!()
            }
            fn serialize_u16(self, _: u16) -> Result<(), Self::Error> {
                unreachable!()
            }
            fn serialize_u32(self, _: u32) -> Result<(), Self::Error> {
                unreachable!()
            }
            fn serialize_u64(self, _: u64) -> Result<(), Self::Error> {
                unreachable!()
            }
            fn serialize_f32(self, _: f32) -> Result<(), Self::Error> {
                unreachable!()
            }
            fn serialize_f64(self, _: f64) -> Result<(), Self::Error> {
                unreachable!()
            }
            fn serialize_char(self, _: char) -> Result<(), Self::Error> {
                unreachable!()
            }
            fn serialize_str(self, _: &str) -> Result<(), Self::Error> {
                unreachable!()
            }
            fn serialize_bytes(self, _: &[u8]) -> Result<(), Self::Error> {
                unreachable!()
            }
            fn serialize_none(self) -> Result<(), Self::Error> {
                unreachable!()
            }
            fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), Self::Error> {
                unreachable!()
            }
            fn serialize_unit(self) -> Result<(), Self::Error> {
                unreachable!()
            }
            fn serialize_unit_struct(self, _: &'static str) -> Result<(), Self::Error> {
                unreachable!()
            }
            fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<(), Self::Error> {
                unreachable!()
            }
            fn serialize_newtype_struct<T: Serialize + ?Sized>(
                self,
                _: &'static str,
                _: &T,
            ) -> Result<(), Self::Error> {
                unreachable!()
            }
            fn serialize_newtype_variant<T: Serialize + ?Sized>(
                self,
                _: &'static str,
                _: u32,
                _: &'static str,
                _: &T,
            ) -> Result<(), Self::Error> {
                unreachable!()
            }
            fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Self::Error> {
                unreachable!()
            }
            fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Self::Error> {
                unreachable!()
            }
            fn serialize_tuple_struct(
                self,
                _: &'static str,
                _: usize,
            ) -> Result<Self::SerializeTupleStruct, Self::Error> {
                unreachable!()
            }
            fn serialize_tuple_variant(
                self,
                _: &'static str,
                _: u32,
                _: &'static str,
                _: usize,
            ) -> Result<Self::SerializeTupleVariant, Self::Error> {
                unreachable!()
            }
            fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Self::Error> {
                unreachable!()
            }
            fn serialize_struct_variant(
                self,
                _: &'static str,
                _: u32,
                _: &'static str,
                _: usize,
            ) -> Result<Self::SerializeStructVariant, Self::Error> {
                unreachable!()
            }
        }
        let (mut derived, mut listed) = (Len(None), Len(None));
        let case = Derived { size: Some(1), ..Derived::default() };
        let _ = case.serialize(&mut derived);
        let _ = tabled(&case).serialize(&mut listed);
        assert_eq!(listed.0, derived.0);
        assert_eq!(listed.0, Some(9));
    }
}
