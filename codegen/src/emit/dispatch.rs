//! `AnyRequest`: one enum over every action's request, parsed by action name.
//!
//! A fake of the service (uhub-mock) matches on it, so an action added to the spec is parsed
//! with no hand-written code, and a handler the fake lacks falls into its catch-all arm.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::tokens::{doc, inner_doc};
use crate::ir;

pub fn file(service: &ir::Service) -> TokenStream {
    let module_doc = inner_doc("Requests of any action, parsed from a received form by the action's name.");
    let uses = service.actions.iter().map(|a| {
        let m = format_ident!("{}", a.method);
        let r = format_ident!("{}", a.request);
        quote! { use super::#m::#r; }
    });
    let variants = service.actions.iter().map(|a| {
        let v = variant(a);
        let r = format_ident!("{}", a.request);
        let d = doc(&format!("`{}`: {}", a.wire, a.doc));
        quote! { #d #v(#r), }
    });
    let parse_arms = service.actions.iter().map(|a| {
        let v = variant(a);
        let r = format_ident!("{}", a.request);
        let wire = &a.wire;
        quote! { #wire => #r::from_form(fields).map(Self::#v), }
    });
    let name_arms = service.actions.iter().map(|a| {
        let v = variant(a);
        let wire = &a.wire;
        quote! { Self::#v(_) => #wire, }
    });
    quote! {
        #module_doc
        #(#uses)*
        use crate::action::Action as _;

        /// A request of any action in the spec, as a service receives it.
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub enum AnyRequest {
            #(#variants)*
        }

        impl AnyRequest {
            /// Parses the form fields of `action`; `None` when the spec has no such action.
            pub fn from_form(
                action: &str,
                fields: &crate::form::Fields,
            ) -> Option<Result<Self, crate::form::ParamError>> {
                Some(match action {
                    #(#parse_arms)*
                    _ => return None,
                })
            }

            /// The action's wire name.
            pub fn action(&self) -> &'static str {
                match self {
                    #(#name_arms)*
                }
            }
        }
    }
}

fn variant(a: &ir::Action) -> proc_macro2::Ident {
    format_ident!("{}", a.request.strip_suffix("Request").unwrap_or(&a.request))
}
