//! Table-driven decoding of generated structs. A struct names its fields on the wire (`FIELDS`,
//! a constant slice) and reads the field at an index of it (`read`, one line per field); the loop
//! over the object, skipping unknown names and keeping defaults for missing ones, is written
//! once here. Each field is still read through its [`Lenient`] impl, so every rule of tolerant
//! decoding applies as before; what is gone is serde's derived visitor per struct and a wrapper
//! type per field, which cost more to compile than the rest of a generated action.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::decode::Lenient;
use crate::encode::{Form, Param, encode_value};
use crate::serialize::{WireField, WireObject, WireValue};

/// A generated struct read from a JSON object, field by field.
pub trait FieldTable: Default {
    /// The struct's Rust name.
    const NAME: &'static str;
    /// The wire names of its fields, in the order [`FieldTable::read`] numbers them; a name not
    /// among them is skipped. Constants, not a function per struct: rustc builds each function
    /// body it compiles, and at 4,000 structs those few lines each were tens of megabytes.
    const FIELDS: &'static [&'static str];
    /// The struct a bare string stands for, where the service sends a name in place of the
    /// object (see `decode::model`); `None` for most.
    const FROM_NAME: Option<fn(String) -> Self> = None;

    /// Reads the next value of `map` into the field at `index` of `FIELDS` (with [`read_field`]).
    fn read<'de, A: MapAccess<'de>>(&mut self, index: usize, map: &mut A) -> Result<(), A::Error>;
}

/// Every generated struct is a field value, a parameter and a leniently read value of its own
/// kind: one impl each here rather than one per struct (each would be a function body rustc
/// builds, 4,000 times over at the whole catalogue).
impl<T: FieldTable + WireObject> WireField for T {
    fn value(&self) -> WireValue<'_> {
        WireValue::Object(T::NAME, self)
    }
}

impl<T: FieldTable + WireObject> Param for T {
    fn encode(&self, name: &str, form: &mut Form) {
        encode_value(name, WireValue::Object(T::NAME, self), form);
    }
}

/// Read through its table, or from a bare name where the struct names one (`FROM_NAME`).
impl<T: FieldTable + DeserializeOwned> Lenient for T {
    fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::decode::model(d, T::FROM_NAME)
    }
}

/// The `Deserialize::deserialize` of every generated struct: an object whose known fields are
/// read leniently, unknown ones skipped and missing ones left at their defaults. When a name
/// comes twice, the last value counts.
pub fn object<'de, D: Deserializer<'de>, T: FieldTable>(d: D) -> Result<T, D::Error> {
    d.deserialize_map(ObjectVisitor(PhantomData))
}

/// Where `name` is in a struct's wire names. A slice searched by one function, rather than a
/// `match` on text per struct, which rustc compiled into a chain of comparisons per struct.
pub fn field_index(names: &[&str], name: &str) -> Option<usize> {
    names.iter().position(|n| *n == name)
}

/// Reads the next value of `map` into `slot`, through `T`'s lenient decoding: one arm of a
/// generated `read`.
pub fn read_field<'de, A: MapAccess<'de>, T: Lenient>(slot: &mut T, map: &mut A) -> Result<(), A::Error> {
    *slot = field(map)?;
    Ok(())
}

/// Reads the next value of `map` through `T`'s lenient decoding.
pub fn field<'de, A: MapAccess<'de>, T: Lenient>(map: &mut A) -> Result<T, A::Error> {
    map.next_value_seed(LenientSeed(PhantomData))
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: FieldTable> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut value = T::default();
        while let Some(index) = map.next_key_seed(Name(T::FIELDS))? {
            match index {
                Some(i) => value.read(i, &mut map)?,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(value)
    }
}

/// A key, looked up among a struct's wire names without allocating; one type for every struct.
struct Name(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for Name {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl Visitor<'_> for Name {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<usize>, E> {
        Ok(field_index(self.0, v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Option<usize>, E> {
        Ok(std::str::from_utf8(v).ok().and_then(|v| field_index(self.0, v)))
    }
}

struct LenientSeed<T>(PhantomData<T>);

impl<'de, T: Lenient> DeserializeSeed<'de> for LenientSeed<T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        T::lenient(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, PartialEq)]
    struct Tag {
        name: String,
        size: i64,
        tags: Vec<String>,
    }

    impl FieldTable for Tag {
        const NAME: &'static str = "Tag";
        const FIELDS: &'static [&'static str] = &["Name", "Size", "Tags"];
        fn read<'de, A: MapAccess<'de>>(&mut self, index: usize, map: &mut A) -> Result<(), A::Error> {
            match index {
                0 => read_field(&mut self.name, map),
                1 => read_field(&mut self.size, map),
                _ => read_field(&mut self.tags, map),
            }
        }
    }

    impl<'de> serde::Deserialize<'de> for Tag {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            object(d)
        }
    }

    #[test]
    fn known_names_are_read_leniently_unknown_ones_skipped_missing_ones_default() {
        let tag: Tag = serde_json::from_str(r#"{"Size": "12", "Other": {"deep": [1, 2]}, "Name": 7}"#).unwrap();
        assert_eq!(tag, Tag { name: "7".into(), size: 12, tags: vec![] });
        let escaped: Tag = serde_json::from_str(r#"{"N\u0061me": "x", "Name": "y", "Tags": ["a", 1]}"#).unwrap();
        assert_eq!(escaped, Tag { name: "y".into(), size: 0, tags: vec!["a".into(), "1".into()] });
    }

    #[test]
    fn a_field_that_cannot_be_read_names_its_path() {
        let de = &mut serde_json::Deserializer::from_str(r#"{"Name": "n", "Size": "twelve"}"#);
        let err = serde_path_to_error::deserialize::<_, Tag>(de).unwrap_err();
        assert_eq!(err.path().to_string(), "Size");
        assert!(serde_json::from_str::<Tag>("[1, 2]").is_err());
    }
}
