//! One file per action: the typed request, its builder setters, its response, the trait
//! impls the runtime drives, its form parser (for fakes of the service) and tests that
//! decode the spec's examples.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::tokens::{doc, field_doc, field_type, ident, inner_doc, rust_type};
use super::types::response_field;
use crate::ir::{self, Type};

pub fn file(_service: &ir::Service, a: &ir::Action) -> TokenStream {
    let module_doc = inner_doc(&format!("`{}`: {}", a.wire, a.doc));
    let items = [request(a), new_fn(a), action_impl(a), setters(a), response(a), paginated(a), example_tests(a)];
    quote! {
        #module_doc
        #[allow(unused_imports)]
        use super::types::*;
        #(#items)*
    }
}

fn request(a: &ir::Action) -> TokenStream {
    let name = format_ident!("{}", a.request);
    let d = doc(&format!(
        "The parameters of `{}`: {}\n\nMade by [`crate::Client::{}`], which takes the required ones as arguments.",
        a.wire, a.doc, a.method
    ));
    let fields = a.params.iter().map(|p| {
        let d = field_doc(p);
        let id = ident(p);
        let ty = field_type(p);
        quote! { #d pub #id: #ty, }
    });
    quote! {
        #d
        #[derive(Clone, Debug, Default, PartialEq)]
        #[non_exhaustive]
        pub struct #name {
            /// Project to act in; the client's default is used when this is `None`.
            ///
            /// Wire name: `ProjectId`.
            pub project_id: Option<String>,
            #(#fields)*
        }
    }
}

/// How a positional argument is taken: strings by `impl Into<String>`, the rest as they are.
pub fn argument(p: &ir::Field) -> (TokenStream, TokenStream) {
    let id = ident(p);
    match p.ty {
        Type::String => (quote!(#id: impl Into<String>), quote!(#id.into())),
        Type::Time => (quote!(#id: impl Into<crate::Time>), quote!(#id.into())),
        _ => {
            let ty = field_type(p);
            (quote!(#id: #ty), quote!(#id))
        }
    }
}

fn new_fn(a: &ir::Action) -> TokenStream {
    let name = format_ident!("{}", a.request);
    let args = a.required_params().map(|p| argument(p).0);
    // Field init shorthand where the argument is taken as it is (clippy::redundant_field_names).
    let inits = a.required_params().map(|p| {
        let id = ident(p);
        match p.ty {
            Type::String | Type::Time => quote!(#id: #id.into()),
            _ => quote!(#id),
        }
    });
    quote! {
        impl #name {
            /// A request with its required parameters set and every optional one unset.
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits,)* ..Self::default() }
            }
        }
    }
}

/// The function in `crate::form` that reads a parameter of this shape.
pub fn form_getter(p: &ir::Field) -> TokenStream {
    let is_model = |t: &Type| matches!(t, Type::Model(_));
    match &p.ty {
        Type::Array(inner) if is_model(inner) => quote!(crate::form::model_list),
        Type::Array(_) => quote!(crate::form::value_list),
        t if is_model(t) && p.required => quote!(crate::form::required_model),
        t if is_model(t) => quote!(crate::form::optional_model),
        _ if p.required => quote!(crate::form::required_value),
        _ => quote!(crate::form::optional_value),
    }
}

fn action_impl(a: &ir::Action) -> TokenStream {
    let name = format_ident!("{}", a.request);
    let response = format_ident!("{}", a.response);
    let wire = &a.wire;
    let idempotent = a.idempotent;
    // An action without parameters leaves the form to the runtime (unused_variables).
    let form = format_ident!("{}", if a.params.is_empty() { "_form" } else { "form" });
    let encode = a.params.iter().map(|p| {
        let id = ident(p);
        let w = &p.wire;
        quote! { crate::encode::Param::encode(&self.#id, #w, form); }
    });
    let checks = a.required_params().filter(|p| p.ty == Type::String).map(|p| {
        let id = ident(p);
        let msg = format!("{} must not be empty", p.wire);
        quote! { if self.#id.is_empty() { return Err(#msg.into()); } }
    });
    let parse = a.params.iter().map(|p| {
        let id = ident(p);
        let w = &p.wire;
        let getter = form_getter(p);
        quote! { #id: #getter(fields, #w)?, }
    });
    quote! {
        impl crate::action::Action for #name {
            const NAME: &'static str = #wire;
            const IDEMPOTENT: bool = #idempotent;
            type Response = #response;

            fn encode(&self, #form: &mut crate::encode::Form) {
                #(#encode)*
            }

            fn check(&self) -> Result<(), String> {
                #(#checks)*
                Ok(())
            }

            fn project_id_mut(&mut self) -> &mut Option<String> {
                &mut self.project_id
            }

            fn from_form(fields: &crate::form::Fields) -> Result<Self, crate::form::ParamError> {
                Ok(Self {
                    project_id: crate::form::optional_value(fields, "ProjectId")?,
                    #(#parse)*
                })
            }
        }
    }
}

fn setters(a: &ir::Action) -> TokenStream {
    let name = format_ident!("{}", a.request);
    let setters = a.params.iter().filter(|p| !p.required).map(|p| {
        let id = ident(p);
        // A link, not a copy: each description in the spec is one doc comment in the output.
        let d = doc(&format!("Sets [`{}::{}`] (`{}`).", a.request, id, p.wire));
        let (arg, value) = match &p.ty {
            Type::String => (quote!(impl Into<String>), quote!(Some(value.into()))),
            Type::Time => (quote!(impl Into<crate::Time>), quote!(Some(value.into()))),
            Type::Array(inner) => {
                let inner = rust_type(inner);
                (quote!(impl IntoIterator<Item = #inner>), quote!(value.into_iter().collect()))
            }
            t => (rust_type(t), quote!(Some(value))),
        };
        quote! {
            #d
            pub fn #id(mut self, value: #arg) -> Self {
                self.request_mut().#id = #value;
                self
            }
        }
    });
    quote! {
        impl crate::Call<#name> {
            #(#setters)*
        }
    }
}

fn response(a: &ir::Action) -> TokenStream {
    let name = format_ident!("{}", a.response);
    let d = doc(&format!("What `{}` returns.", a.wire));
    let fields = a.fields.iter().map(response_field);
    let declares_message = a.fields.iter().any(|f| f.wire == "Message");
    let (message_field, message) = if declares_message {
        let f = a.fields.iter().find(|f| f.wire == "Message").expect("checked");
        let id = ident(f);
        let get = if f.required { quote!(Some(self.#id.as_str())) } else { quote!(self.#id.as_deref()) };
        (quote!(), get)
    } else {
        let field = quote! {
            #[serde(rename = "Message", skip_serializing_if = "Option::is_none", deserialize_with = "crate::decode::lenient")]
            message: Option<String>,
        };
        (field, quote!(self.message.as_deref()))
    };
    quote! {
        #d
        #[derive(Clone, Debug, Default, PartialEq, serde::Deserialize, serde::Serialize)]
        #[serde(default)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
            #[serde(rename = "RetCode", deserialize_with = "crate::decode::lenient")]
            ret_code: i64,
            #message_field
        }

        impl crate::action::Response for #name {
            fn ret_code(&self) -> i64 {
                self.ret_code
            }

            fn message(&self) -> Option<&str> {
                #message
            }
        }
    }
}

fn paginated(a: &ir::Action) -> TokenStream {
    let Some(p) = &a.pagination else { return quote!() };
    let name = format_ident!("{}", a.request);
    let item = rust_type(&p.item_type);
    let (offset, limit, total, items) = (
        format_ident!("{}", p.offset),
        format_ident!("{}", p.limit),
        format_ident!("{}", p.total),
        format_ident!("{}", p.items),
    );
    quote! {
        impl crate::action::Paginated for #name {
            type Item = #item;

            fn offset(&self) -> Option<i64> {
                self.#offset
            }

            fn set_offset(&mut self, offset: i64) {
                self.#offset = Some(offset);
            }

            fn limit(&self) -> Option<i64> {
                self.#limit
            }

            fn set_limit(&mut self, limit: i64) {
                self.#limit = Some(limit);
            }

            fn into_page(response: Self::Response) -> crate::action::Page<Self::Item> {
                crate::action::Page { total: response.#total, items: response.#items }
            }
        }
    }
}

fn example_tests(a: &ir::Action) -> TokenStream {
    if a.examples.is_empty() {
        return quote!();
    }
    let response = format_ident!("{}", a.response);
    let wire = &a.wire;
    let tests = a.examples.iter().map(|e| {
        let test = format_ident!("decodes_example_{}", heck::ToSnakeCase::to_snake_case(e.name.as_str()));
        let d = doc(&e.doc);
        let body = serde_json::to_string_pretty(&e.response).expect("JSON values serialize");
        let count = match (&a.pagination, e.item_count) {
            (Some(p), Some(n)) => {
                let items = format_ident!("{}", p.items);
                quote! { assert_eq!(response.#items.len(), #n); }
            }
            _ => quote!(),
        };
        quote! {
            #d
            #[test]
            fn #test() {
                let body = #body;
                let response: #response = crate::decode::response(#wire, body.as_bytes(), None)
                    .expect("the spec's example decodes");
                #count
                // What the SDK serializes, it decodes back to the same value.
                let json = serde_json::to_vec(&response).expect("responses serialize");
                let again: #response = crate::decode::response(#wire, &json, None).expect("round trip decodes");
                assert_eq!(again, response);
            }
        }
    });
    quote! {
        #[cfg(test)]
        mod examples {
            use super::*;
            #(#tests)*
        }
    }
}
