//! The `Endpoint` enum: one variant per provider in the spec, plus a custom base URL.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::tokens::{doc, inner_doc, rt};
use crate::ir;

pub fn file(service: &ir::Service) -> TokenStream {
    let rt = rt();
    let module_doc = inner_doc("Where calls go: the providers that run the service, or a base URL of your own.");
    let variants = service.providers.iter().map(|p| {
        let v = format_ident!("{}", p.variant);
        let d = doc(&format!("{} (`{}`). {}", p.title, p.base_url, p.doc));
        quote! { #d #v, }
    });
    let urls = service.providers.iter().map(|p| {
        let v = format_ident!("{}", p.variant);
        let url = &p.base_url;
        quote! { Self::#v => #url, }
    });
    let names = service.providers.iter().map(|p| {
        let v = format_ident!("{}", p.variant);
        let name = &p.name;
        quote! { Self::#v => Some(#name), }
    });
    let parse = service.providers.iter().map(|p| {
        let v = format_ident!("{}", p.variant);
        let name = &p.name;
        quote! { _ if name.eq_ignore_ascii_case(#name) => Some(Self::#v), }
    });
    let all = service.providers.iter().map(|p| {
        let v = format_ident!("{}", p.variant);
        quote! { Self::#v }
    });
    let list = service.providers.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ");
    let from_name_doc = doc(&format!("The provider with this configuration name ({list}), ignoring case."));
    let provider_names = service.providers.iter().map(|p| p.name.as_str());
    let first = format_ident!("{}", service.providers[0].variant);
    quote! {
        #module_doc

        /// Where the client sends its calls.
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Endpoint {
            #(#variants)*
            /// Any other base URL, such as a proxy or a local fake of the service.
            Custom(String),
        }

        impl Endpoint {
            /// Every provider preset, in spec order.
            pub const PROVIDERS: &'static [Endpoint] = &[#(#all),*];

            /// The base URL calls are posted to.
            pub fn base_url(&self) -> &str {
                match self {
                    #(#urls)*
                    Self::Custom(url) => url,
                }
            }

            /// The provider's configuration name, or `None` for a custom URL.
            pub fn provider_name(&self) -> Option<&'static str> {
                match self {
                    #(#names)*
                    Self::Custom(_) => None,
                }
            }

            #from_name_doc
            pub fn from_provider_name(name: &str) -> Option<Self> {
                match name {
                    #(#parse)*
                    _ => None,
                }
            }
        }

        /// How the runtime's client builder learns the providers, without importing this code.
        impl #rt::Target for Endpoint {
            fn base_url(&self) -> &str {
                Endpoint::base_url(self)
            }

            fn from_provider_name(name: &str) -> Option<Self> {
                Endpoint::from_provider_name(name)
            }

            fn provider_names() -> Vec<&'static str> {
                vec![#(#provider_names),*]
            }

            fn default_provider() -> Self {
                Self::#first
            }

            fn custom(base_url: String) -> Self {
                Self::Custom(base_url)
            }
        }
    }
}
