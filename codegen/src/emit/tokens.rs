//! Small token helpers shared by the emitters: doc attributes and Rust types.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::{Field, Type};

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

/// The Rust type of a value of `ty`.
pub fn rust_type(ty: &Type) -> TokenStream {
    match ty {
        Type::String => quote!(String),
        Type::Int => quote!(i64),
        Type::Float => quote!(f64),
        Type::Bool => quote!(bool),
        Type::Time => quote!(crate::Time),
        Type::Enum(n) | Type::Model(n) => {
            let id = format_ident!("{}", n);
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
    format_ident!("{}", f.ident)
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
