//! Token helpers every emitter shares: doc attributes, the runtime path, Rust types, struct
//! fields, arguments and form getters. Emitters depend on this module and never on each other.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::{Field, Type};

/// The one path by which generated code reaches the runtime, inside uhub-sdk as in any other
/// crate (uhub-sdk declares `extern crate self as uhub_sdk`).
pub fn rt() -> TokenStream {
    quote!(::uhub_sdk::runtime)
}

/// `///` lines for a description; each line becomes its own attribute so rustdoc sees paragraphs.
pub fn doc(text: &str) -> TokenStream {
    let lines = text.lines().map(|l| if l.is_empty() { String::new() } else { format!(" {l}") });
    quote! { #(#[doc = #lines])* }
}

/// `//!` lines for a module.
pub fn inner_doc(text: &str) -> TokenStream {
    let lines = text.lines().map(|l| if l.is_empty() { String::new() } else { format!(" {l}") });
    quote! { #(#![doc = #lines])* }
}

/// A Rust identifier the IR already decided.
pub fn name(s: &str) -> proc_macro2::Ident {
    format_ident!("{}", s)
}

/// The Rust type of a value of `ty`.
pub fn rust_type(ty: &Type) -> TokenStream {
    let rt = rt();
    match ty {
        Type::String => quote!(String),
        Type::Int => quote!(i64),
        Type::Float => quote!(f64),
        Type::Bool => quote!(bool),
        Type::Time => quote!(#rt::Time),
        Type::Json => quote!(#rt::serde_json::Value),
        Type::Enum(n) | Type::Model(n) => {
            let id = name(n);
            quote!(#id)
        }
        Type::Array(inner) => {
            let inner = rust_type(inner);
            quote!(Vec<#inner>)
        }
    }
}

/// The type of a struct field: optional scalars are `Option`, arrays are plain `Vec` (empty
/// means unset).
pub fn field_type(f: &Field) -> TokenStream {
    let base = rust_type(&f.ty);
    if f.required || f.ty.is_array() { base } else { quote!(Option<#base>) }
}

pub fn ident(f: &Field) -> proc_macro2::Ident {
    name(&f.ident)
}

/// A field's description followed by where it goes on the wire and its service default.
pub fn field_doc(f: &Field) -> TokenStream {
    let mut text = f.doc.clone();
    text.push_str(&format!("\n\nWire name: `{}`.", f.wire));
    if let Some(d) = &f.default {
        text.push_str(&format!(" Service default: `{d}`."));
    }
    doc(&text)
}

/// A decoded field (decoding is [`decode_impls`], writing [`serialize_impls`]).
pub fn response_field(f: &Field) -> TokenStream {
    let d = field_doc(f);
    let id = ident(f);
    let ty = field_type(f);
    quote! {
        #d
        pub #id: #ty,
    }
}

/// The line of [`serialize_impls`]' table that writes field `f` under its wire name; flags the
/// pages document as text are written back as text, so a fake service serves what they promise.
pub fn wire_entry(f: &Field) -> TokenStream {
    let rt = rt();
    let id = ident(f);
    let wire = &f.wire;
    if f.bool_as_text {
        quote!(field(#wire, #rt::bool_text(self.#id));)
    } else {
        quote!(field(#wire, #rt::WireField::value(&self.#id));)
    }
}

/// `Serialize`, `Debug` and `PartialEq` for a generated struct, through the runtime's
/// table-driven writer: the struct only lists its fields (`entries`, from [`wire_entry`]) in a
/// plain function, and the three impls call the runtime with it. A response's `Debug` and
/// `PartialEq` add its request id, which is not part of the body.
pub fn serialize_impls(name: &proc_macro2::Ident, entries: &[TokenStream], response: bool) -> TokenStream {
    let rt = rt();
    let text = name.to_string();
    let field = if entries.is_empty() { quote!(_field) } else { quote!(field) };
    let (debug, eq) = if response {
        (
            quote!(#rt::debug_response(#text, self, self.request_id.as_deref(), f)),
            quote!(#rt::object_eq(self, other) && self.request_id == other.request_id),
        )
    } else {
        (quote!(#rt::debug_object(#text, self, f)), quote!(#rt::object_eq(self, other)))
    };
    quote! {
        impl #rt::serde::Serialize for #name {
            fn serialize<S: #rt::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                #rt::serialize_object(#text, self, s)
            }
        }

        impl #rt::WireObject for #name {
            fn fields<'a>(&'a self, #field: &mut dyn FnMut(&'static str, #rt::WireValue<'a>)) {
                #(#entries)*
            }
        }

        impl std::fmt::Debug for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                #debug
            }
        }

        impl PartialEq for #name {
            fn eq(&self, other: &Self) -> bool {
                #eq
            }
        }
    }
}

/// `Deserialize` for a generated struct, through the runtime's table-driven decoder: its name
/// and wire names as constants, and one line per field reading it leniently. `fields` are
/// (wire name, Rust field) pairs, the envelope's included for a response.
pub fn decode_impls(
    name: &proc_macro2::Ident,
    fields: &[(String, String)],
    from_name: Option<TokenStream>,
) -> TokenStream {
    let rt = rt();
    let text = name.to_string();
    let from_name = from_name.map(|f| quote!(const FROM_NAME: Option<fn(String) -> Self> = #f;));
    let names = fields.iter().map(|(wire, _)| wire);
    // The last field is the catch-all arm: `index` is a position in `FIELDS`, never out of range.
    let last = fields.len().saturating_sub(1);
    // One call per arm, which reads and stores the value: no `?` and no drop of the old value
    // in each struct's `read`, which is compiled for every deserializer it meets.
    let read = fields.iter().enumerate().map(|(i, (_, id))| {
        let id = self::name(id);
        let arm = if i == last { quote!(_) } else { quote!(#i) };
        quote!(#arm => #rt::read_field(&mut self.#id, map),)
    });
    let (index_arg, map, read) = match fields {
        [] => (quote!(_index), quote!(_map), quote!(Ok(()))),
        [(_, id)] => {
            let id = self::name(id);
            (quote!(_index), quote!(map), quote!(#rt::read_field(&mut self.#id, map)))
        }
        _ => (quote!(index), quote!(map), quote!(match index { #(#read)* })),
    };
    quote! {
        impl<'de> #rt::serde::Deserialize<'de> for #name {
            fn deserialize<D: #rt::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                #rt::object(d)
            }
        }

        impl #rt::FieldTable for #name {
            const NAME: &'static str = #text;
            const FIELDS: &'static [&'static str] = &[#(#names),*];
            #from_name

            fn read<'de, A: #rt::serde::de::MapAccess<'de>>(&mut self, #index_arg: usize, #map: &mut A) -> Result<(), A::Error> {
                #read
            }
        }
    }
}

/// How a value of `ty` is taken by an argument or setter, and how it becomes the stored value:
/// strings and times by `impl Into<...>`, arrays by any iterator (of `impl Into<String>` for
/// strings, so `["a", "b"]` works), the rest as they are.
pub fn input(ty: &Type, value: TokenStream) -> (TokenStream, TokenStream) {
    let rt = rt();
    match ty {
        Type::String => (quote!(impl Into<String>), quote!(#value.into())),
        Type::Time => (quote!(impl Into<#rt::Time>), quote!(#value.into())),
        Type::Array(inner) => {
            let (item, convert) = match &**inner {
                Type::String => (quote!(impl Into<String>), quote!(.map(Into::into))),
                Type::Time => (quote!(impl Into<#rt::Time>), quote!(.map(Into::into))),
                other => (rust_type(other), quote!()),
            };
            (quote!(impl IntoIterator<Item = #item>), quote!(#value.into_iter() #convert .collect()))
        }
        other => (rust_type(other), value),
    }
}

/// A positional argument for a required field, and the expression that stores it.
pub fn argument(p: &Field) -> (TokenStream, TokenStream) {
    let id = ident(p);
    let (ty, value) = input(&p.ty, quote!(#id));
    (quote!(#id: #ty), value)
}

/// The struct-literal entry that stores a required argument (field init shorthand where the
/// argument is taken as it is, for clippy::redundant_field_names).
pub fn argument_init(p: &Field) -> TokenStream {
    let id = ident(p);
    let (_, value) = argument(p);
    if id == value.to_string() { quote!(#id) } else { quote!(#id: #value) }
}

/// The runtime check a required field gets before sending: strings and arrays must not be empty.
pub fn required_check(p: &Field) -> Option<TokenStream> {
    let id = ident(p);
    let message = match p.ty {
        Type::String => format!("{} must not be empty", p.wire),
        Type::Array(_) => format!("{} needs at least one element", p.wire),
        _ => return None,
    };
    Some(quote! { if self.#id.is_empty() { return Err(#message.into()); } })
}

/// The runtime function that reads a parameter of this shape from a received form.
pub fn form_getter(p: &Field) -> TokenStream {
    let rt = rt();
    let is_model = |t: &Type| matches!(t, Type::Model(_));
    match &p.ty {
        Type::Array(inner) if is_model(inner) && p.required => quote!(#rt::required_model_list),
        Type::Array(inner) if is_model(inner) => quote!(#rt::model_list),
        Type::Array(_) if p.required => quote!(#rt::required_value_list),
        Type::Array(_) => quote!(#rt::value_list),
        t if is_model(t) && p.required => quote!(#rt::required_model),
        t if is_model(t) => quote!(#rt::optional_model),
        _ if p.required => quote!(#rt::required_value),
        _ => quote!(#rt::optional_value),
    }
}
