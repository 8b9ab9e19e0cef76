//! Shared types: the spec's enums and models, with their wire encoding and tolerant decoding.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::tokens::{
    argument, argument_init, decode_impls, doc, form_getter, ident, inner_doc, input, response_field, rt,
    serialize_impls, wire_entry,
};
use crate::ir::{self, Type};

pub fn file(service: &ir::Service) -> TokenStream {
    let module_doc = inner_doc("Enums and models shared by the actions.");
    let in_requests = request_models(service);
    let enums = service.enums.iter().map(enumeration);
    let models = service.models.iter().map(|m| model(m, in_requests.contains(&m.name)));
    quote! {
        #module_doc
        #(#enums)*
        #(#models)*
    }
}

/// Models that appear (directly or nested) in some request: only those need form encoding.
fn request_models(service: &ir::Service) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut queue: Vec<&Type> = service.actions.iter().flat_map(|a| a.params.iter().map(|p| &p.ty)).collect();
    while let Some(ty) = queue.pop() {
        match ty {
            Type::Array(inner) => queue.push(inner),
            Type::Model(name) if found.insert(name.clone()) => {
                let m = service.models.iter().find(|m| &m.name == name).expect("lowered");
                queue.extend(m.fields.iter().map(|f| &f.ty));
            }
            _ => {}
        }
    }
    found
}

pub fn enumeration(e: &ir::Enum) -> TokenStream {
    let rt = rt();
    let name = format_ident!("{}", e.name);
    let d = doc(&e.doc);
    let variants = e.variants.iter().enumerate().map(|(i, v)| {
        let id = format_ident!("{}", v.ident);
        let vd = doc(&format!("{} (`{}`)", v.doc, v.wire));
        // The first value is what a response that omits the field decodes to.
        let default = (i == 0).then(|| quote!(#[default]));
        quote! { #vd #default #id, }
    });
    let to_wire = e.variants.iter().map(|v| {
        let id = format_ident!("{}", v.ident);
        let w = &v.wire;
        quote! { Self::#id => #w, }
    });
    let from_wire = e.variants.iter().map(|v| {
        let id = format_ident!("{}", v.ident);
        let w = &v.wire;
        quote! { #w => Self::#id, }
    });
    let wires = e.variants.iter().map(|v| &v.wire);
    quote! {
        #d
        #[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this version of the SDK does not know; kept as sent.
            Other(String),
        }

        impl #name {
            /// Every value the spec documents, as sent on the wire.
            pub const VALUES: &'static [&'static str] = &[#(#wires),*];

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#to_wire)*
                    Self::Other(value) => value,
                }
            }

            /// The variant for a wire value; unknown values become [`Self::Other`].
            pub fn from_wire(value: &str) -> Self {
                match value {
                    #(#from_wire)*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl #rt::Param for #name {
            fn encode(&self, name: &str, form: &mut #rt::Form) {
                form.push(name, self.as_str());
            }
        }

        impl #rt::FromParam for #name {
            fn from_value(value: &str) -> Result<Self, String> {
                #rt::known_value(Self::from_wire(value), value, Self::VALUES)
            }
        }

        impl #rt::Lenient for #name {
            fn lenient<'de, D: #rt::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                <String as #rt::Lenient>::lenient(d).map(|s| Self::from_wire(&s))
            }
        }

        impl #rt::serde::Serialize for #name {
            fn serialize<S: #rt::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl #rt::WireField for #name {
            fn value(&self) -> #rt::WireValue<'_> {
                #rt::WireValue::Str(self.as_str())
            }
        }
    }
}

pub fn model(m: &ir::Model, in_requests: bool) -> TokenStream {
    let name = format_ident!("{}", m.name);
    let d = doc(&m.doc);
    let fields = m.fields.iter().map(response_field);
    let from_name = m.from_string.as_ref().map(|field| {
        let f = format_ident!("{}", field);
        quote! { Some(|name| Self { #f: name, ..Self::default() }) }
    });
    let form = in_requests.then(|| model_form(m));
    let builders = model_builders(m);
    let table: Vec<(String, String)> = m.fields.iter().map(|f| (f.wire.clone(), f.ident.clone())).collect();
    let decode = decode_impls(&name, &table, from_name);
    let entries: Vec<TokenStream> = m.fields.iter().map(wire_entry).collect();
    let serialize = serialize_impls(&name, &entries, false);
    quote! {
        #d
        #[derive(Clone, Default)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }

        #decode
        #serialize

        #builders
        #form
    }
}

/// `new` with the required fields as arguments, and a chained setter per optional field: the
/// struct is `#[non_exhaustive]`, so outside this crate it is built this way.
fn model_builders(m: &ir::Model) -> TokenStream {
    let name = format_ident!("{}", m.name);
    let required: Vec<&ir::Field> = m.fields.iter().filter(|f| f.required).collect();
    let args = required.iter().map(|f| argument(f).0);
    let inits = required.iter().map(|f| argument_init(f));
    let setters = m.fields.iter().filter(|f| !f.required).map(|f| {
        let id = ident(f);
        let (arg, value) = input(&f.ty, quote!(value));
        let stored = if f.ty.is_array() { value } else { quote!(Some(#value)) };
        let d = doc(&format!("Sets [`Self::{id}`] (`{}`).", f.wire));
        quote! {
            #d
            #[inline] pub fn #id(mut self, value: #arg) -> Self {
                self.#id = #stored;
                self
            }
        }
    });
    quote! {
        impl #name {
            /// A value with its required fields set and every optional one unset.
            #[inline] pub fn new(#(#args),*) -> Self {
                Self { #(#inits,)* ..Self::default() }
            }
            #(#setters)*
        }
    }
}

/// Form parsing for a model sent in requests (`Name.Field`; the runtime encodes it from the
/// model's field listing).
fn model_form(m: &ir::Model) -> TokenStream {
    let rt = rt();
    let name = format_ident!("{}", m.name);
    let reader = if m.fields.is_empty() { quote!(form) } else { quote!(mut form) };
    let parse = m.fields.iter().map(|f| {
        let id = ident(f);
        let getter = form_getter(f);
        let wire = &f.wire;
        quote! { #id: form.read(#wire, #getter), }
    });
    quote! {
        impl #rt::FromParams for #name {
            fn from_params(fields: &#rt::Fields, name: &str) -> Result<Option<Self>, #rt::ParamError> {
                if !fields.has_prefix(name) {
                    return Ok(None);
                }
                let #reader = #rt::FormReader::nested(fields, name);
                let value = Self { #(#parse)* };
                form.finish(value).map(Some)
            }
        }
    }
}
