//! One file per action: the typed request, its builder setters, its response, the trait
//! impls the runtime drives, its form parser (for fakes of the service) and tests that
//! decode the spec's examples and parse its example requests.

use proc_macro2::TokenStream;
use quote::quote;

use super::tokens::{
    argument, argument_init, decode_impls, doc, field_doc, field_type, form_getter, ident, inner_doc, input, name,
    required_check, response_field, rt, rust_type, serialize_impls, wire_entry,
};
use crate::ir;

pub fn file(service: &ir::Service, a: &ir::Action) -> TokenStream {
    let module_doc = inner_doc(&format!("`{}`: {}", a.wire, a.doc));
    let params: Vec<&ir::Field> = service.common.iter().chain(&a.params).collect();
    let items = [
        request(a, &params),
        new_fn(a),
        action_impl(a, &params),
        setters(a, &params),
        response(a),
        paginated(a),
        example_tests(a),
    ];
    quote! {
        #module_doc
        #[allow(unused_imports)]
        use super::types::*;
        #(#items)*
    }
}

fn request(a: &ir::Action, params: &[&ir::Field]) -> TokenStream {
    let name = name(&a.request);
    let d = doc(&format!(
        "The parameters of `{}`: {}\n\nMade by [`super::Client::{}`], which takes the required ones as arguments.",
        a.wire, a.doc, a.method
    ));
    let fields = params.iter().map(|p| {
        let d = field_doc(p);
        let id = ident(p);
        let ty = field_type(p);
        quote! { #d pub #id: #ty, }
    });
    let text = name.to_string();
    let rt = rt();
    let entries = params.iter().map(|p| wire_entry(p));
    let field = if params.is_empty() { quote!(_field) } else { quote!(field) };
    quote! {
        #d
        #[derive(Clone, Default)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }

        // Listed once for sending (`Action::encode`), `Debug` and `PartialEq` (see the runtime's
        // `encode.rs` and `serialize.rs`).
        impl #rt::WireObject for #name {
            fn fields<'a>(&'a self, #field: &mut dyn FnMut(&'static str, #rt::WireValue<'a>)) {
                #(#entries)*
            }
        }

        impl std::fmt::Debug for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                #rt::debug_object(#text, self, f)
            }
        }

        impl PartialEq for #name {
            fn eq(&self, other: &Self) -> bool {
                #rt::object_eq(self, other)
            }
        }
    }
}

fn new_fn(a: &ir::Action) -> TokenStream {
    let name = name(&a.request);
    let args = a.required_params().map(|p| argument(p).0);
    let inits = a.required_params().map(argument_init);
    quote! {
        impl #name {
            /// A request with its required parameters set and every optional one unset.
            #[inline] pub fn new(#(#args),*) -> Self {
                Self { #(#inits,)* ..Self::default() }
            }
        }
    }
}

fn action_impl(a: &ir::Action, params: &[&ir::Field]) -> TokenStream {
    let rt = rt();
    let name = name(&a.request);
    let response = self::name(&a.response);
    let wire = &a.wire;
    let idempotent = a.idempotent;
    let checks: Vec<TokenStream> = a.required_params().filter_map(required_check).collect();
    // Nothing to check: the trait's own `check`, rather than one more body per action.
    let check = (!checks.is_empty()).then(|| {
        quote! {
            fn check(&self) -> Result<(), String> {
                #(#checks)*
                Ok(())
            }
        }
    });
    let reader = if params.is_empty() { quote!(form) } else { quote!(mut form) };
    let parse = params.iter().map(|p| {
        let id = ident(p);
        let w = &p.wire;
        let getter = form_getter(p);
        quote! { #id: form.read(#w, #getter), }
    });
    quote! {
        impl #rt::Action for #name {
            const NAME: &'static str = #wire;
            const IDEMPOTENT: bool = #idempotent;
            type Response = #response;

            #check

            fn from_form(fields: &#rt::Fields) -> Result<Self, #rt::ParamError> {
                let #reader = #rt::FormReader::new(fields);
                let request = Self {
                    #(#parse)*
                };
                form.finish(request)
            }
        }
    }
}

fn setters(a: &ir::Action, params: &[&ir::Field]) -> TokenStream {
    let name = name(&a.request);
    let setters = params.iter().filter(|p| !p.required).map(|p| {
        let id = ident(p);
        let set = self::name(&p.set_ident);
        // A link, not a copy: each description in the spec is one doc comment in the output.
        let d = doc(&format!("Sets [`{}::{}`] (`{}`).", a.request, id, p.wire));
        let set_doc = doc(&format!(
            "Sets or clears [`{}::{}`] (`{}`): forwards an optional value as it is.",
            a.request, id, p.wire
        ));
        let (arg, value) = input(&p.ty, quote!(value));
        let stored = rust_type(&p.ty);
        let (unwrap, set_value) = if p.ty.is_array() {
            (quote!(value.unwrap_or_default()), value)
        } else {
            (quote!(value), quote!(Some(#value)))
        };
        // Through the `core` field, never a method of `Call` (see the `Call` struct for why).
        quote! {
            #d
            #[inline] pub fn #id(mut self, value: #arg) -> Self {
                self.core.request_mut().#id = #set_value;
                self
            }

            #set_doc
            #[inline] pub fn #set(mut self, value: Option<#stored>) -> Self {
                self.core.request_mut().#id = #unwrap;
                self
            }
        }
    });
    quote! {
        impl super::Call<#name> {
            #(#setters)*
        }
    }
}

fn response(a: &ir::Action) -> TokenStream {
    let rt = rt();
    let name = name(&a.response);
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
            message: Option<String>,
        };
        (field, quote!(self.message.as_deref()))
    };
    let mut table: Vec<(String, String)> = a.fields.iter().map(|f| (f.wire.clone(), f.ident.clone())).collect();
    table.push(("RetCode".into(), "ret_code".into()));
    if !declares_message {
        table.push(("Message".into(), "message".into()));
    }
    let decode = decode_impls(&name, &table, None);
    // RetCode is written 0 when unset: what a response serializes to is always a UCloud
    // response, so a fake service built from `Default` answers success.
    let mut entries: Vec<TokenStream> = a.fields.iter().map(wire_entry).collect();
    entries.push(quote!(field("RetCode", #rt::WireValue::Int(self.ret_code.unwrap_or(0)));));
    if !declares_message {
        entries.push(quote!(field("Message", #rt::WireField::value(&self.message));));
    }
    let serialize = serialize_impls(&name, &entries, true);
    quote! {
        #d
        #[derive(Clone, Default)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
            ret_code: Option<i64>,
            #message_field
            /// Not part of the body: the header the answer came with.
            request_id: Option<String>,
        }

        #decode
        #serialize

        impl #name {
            /// The service's id for the request that got this answer (`X-UCLOUD-REQUEST-UUID`),
            /// to quote to support or keep in an audit trail.
            #[inline] pub fn request_id(&self) -> Option<&str> {
                self.request_id.as_deref()
            }
        }

        impl #rt::Response for #name {
            #[inline] fn envelope(&mut self) -> #rt::Envelope<'_> {
                #rt::Envelope { ret_code: self.ret_code, message: #message, request_id: &mut self.request_id }
            }
        }
    }
}

fn paginated(a: &ir::Action) -> TokenStream {
    let Some(p) = &a.pagination else { return quote!() };
    let rt = rt();
    let request = name(&a.request);
    let item = rust_type(&p.item_type);
    let (offset, limit, total, items) = (name(&p.offset), name(&p.limit), name(&p.total), name(&p.items));
    quote! {
        impl #rt::Paginated for #request {
            type Item = #item;

            #[inline] fn offset(&self) -> Option<i64> {
                self.#offset
            }

            #[inline] fn set_offset(&mut self, offset: i64) {
                self.#offset = Some(offset);
            }

            #[inline] fn limit(&self) -> Option<i64> {
                self.#limit
            }

            #[inline] fn set_limit(&mut self, limit: i64) {
                self.#limit = Some(limit);
            }

            #[inline] fn into_page(response: Self::Response) -> #rt::Page<Self::Item> {
                #rt::Page { total: response.#total, items: response.#items }
            }
        }
    }
}

fn example_tests(a: &ir::Action) -> TokenStream {
    if a.examples.is_empty() {
        return quote!();
    }
    let rt = rt();
    let request = name(&a.request);
    let response = name(&a.response);
    let wire = &a.wire;
    let tests = a.examples.iter().map(|e| {
        let test = name(&e.test);
        let d = doc(&e.doc);
        let body = serde_json::to_string_pretty(&e.response).expect("JSON values serialize");
        let count = match (&a.pagination, e.item_count) {
            (Some(p), Some(n)) => {
                let items = name(&p.items);
                quote! { assert_eq!(response.#items.len(), #n); }
            }
            _ => quote!(),
        };
        let request_test = (!e.request.is_empty()).then(|| {
            let test = name(&e.request_test);
            let pairs = e.request.iter().map(|(k, v)| quote!((#k, #v)));
            quote! {
                /// The example's request parses as a service would, and encodes back to the same fields.
                #[test]
                fn #test() {
                    let pairs = [#(#pairs),*];
                    let fields: #rt::Fields = pairs.into_iter().collect();
                    let request = <#request as #rt::Action>::from_form(&fields).expect("the spec's example request parses");
                    let mut form = #rt::Form::new();
                    #rt::Action::encode(&request, &mut form);
                    let mut sent: Vec<(&str, &str)> = form.fields().iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                    let mut expected = pairs.to_vec();
                    sent.sort_unstable();
                    expected.sort_unstable();
                    assert_eq!(sent, expected);
                }
            }
        });
        quote! {
            #d
            #[test]
            fn #test() {
                let body = #body;
                let response: #response = #rt::response(#wire, body.as_bytes(), None)
                    .expect("the spec's example decodes");
                #count
                // What the SDK serializes, it decodes back to the same value.
                let json = #rt::serde_json::to_vec(&response).expect("responses serialize");
                let again: #response = #rt::response(#wire, &json, None).expect("round trip decodes");
                assert_eq!(again, response);
            }
            #request_test
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
