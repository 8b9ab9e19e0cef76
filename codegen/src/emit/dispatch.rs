//! `AnyRequest`: one enum over every action's request, parsed by action name and sendable.
//!
//! A fake of the service (uhub-mock) matches on it, so an action added to the spec is parsed
//! with no hand-written code, and a handler the fake lacks falls into its catch-all arm. A
//! generic tool (the CLI's `uhub api`) parses `Key=Value` pairs with it and sends the result.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::tokens::{doc, inner_doc, name, rt};
use crate::ir;

pub fn file(service: &ir::Service) -> TokenStream {
    let rt = rt();
    let module_doc = inner_doc("Requests of any action, parsed from a received form by the action's name.");
    let uses = service.actions.iter().map(|a| {
        let m = format_ident!("{}", a.module);
        let r = format_ident!("{}", a.request);
        quote! { use super::#m::#r; }
    });
    let variants = service.actions.iter().map(|a| {
        let v = variant(a);
        let r = format_ident!("{}", a.request);
        let d = doc(&format!("`{}`: {}", a.wire, a.doc));
        quote! { #d #v(#r), }
    });
    // Variants are named `AnyRequest::X`, not `Self::X`: the name resolver finds the first in a
    // table, while rustc's type checker looks `Self::X` up by scanning every variant, which at
    // the whole catalogue's 1,650 variants and four matches costs seconds.
    let parse_arms = service.actions.iter().map(|a| {
        let v = variant(a);
        let r = format_ident!("{}", a.request);
        let wire = &a.wire;
        quote! { #wire => #r::from_form(fields).map(AnyRequest::#v), }
    });
    let name_arms = service.actions.iter().map(|a| {
        let v = variant(a);
        let wire = &a.wire;
        quote! { AnyRequest::#v(_) => #wire, }
    });
    let encode_arms = service.actions.iter().map(|a| {
        let v = variant(a);
        quote! { AnyRequest::#v(r) => r.encode(form), }
    });
    let send_arms = service.actions.iter().map(|a| {
        let v = variant(a);
        quote! { AnyRequest::#v(r) => #rt::prepare(&r), }
    });
    // A product without actions (a spec may declare one) gets an enum without variants, whose
    // methods must not leave unused names or unreachable code behind.
    let empty = service.actions.is_empty();
    // An empty match on `&AnyRequest` is refused (a reference is never uninhabited); on the
    // enum itself it is not.
    let this = if empty { quote!(*self) } else { quote!(self) };
    let unused_form = empty.then(|| quote!(let _ = form;));
    let action_trait = (!empty).then(|| quote!(use #rt::Action as _;));
    let parse = if empty {
        quote! {
            let _ = (action, fields);
            None
        }
    } else {
        quote! {
            Some(match action {
                #(#parse_arms)*
                _ => return None,
            })
        }
    };
    let send = if empty {
        quote! {
            let _ = client;
            match self {}
        }
    } else {
        quote! {
            let prepared = match self {
                #(#send_arms)*
            };
            #rt::send_prepared(client.core(), prepared).await
        }
    };
    quote! {
        #module_doc
        #(#uses)*
        #action_trait

        /// A request of any action in the spec, as a service receives it.
        // Requests differ in size as their actions' parameters do; one is parsed per request
        // received, so boxing them would cost more than it saves.
        #[allow(clippy::large_enum_variant)]
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub enum AnyRequest {
            #(#variants)*
        }

        impl AnyRequest {
            /// Parses the form fields of `action`; `None` when the spec has no such action.
            pub fn from_form(
                action: &str,
                fields: &#rt::Fields,
            ) -> Option<Result<Self, #rt::ParamError>> {
                #parse
            }

            /// The action's wire name.
            pub fn action(&self) -> &'static str {
                match #this {
                    #(#name_arms)*
                }
            }

            /// Adds the fields the request sends (its own and common parameters) to `form`.
            pub fn encode(&self, form: &mut #rt::Form) {
                #unused_form
                match #this {
                    #(#encode_arms)*
                }
            }

            /// Sends the request with `client` and returns the response as JSON, in the form
            /// the typed response serializes to (the documented one).
            pub async fn send(self, client: &super::Client) -> Result<#rt::serde_json::Value, #rt::Error> {
                #send
            }
        }
    }
}

fn variant(a: &ir::Action) -> proc_macro2::Ident {
    name(&a.variant)
}
