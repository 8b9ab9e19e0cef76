//! One `Client` method per action: required parameters in, a ready-to-send call out.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::tokens::{doc, ident, inner_doc};
use crate::ir;

pub fn file(service: &ir::Service) -> TokenStream {
    let module_doc = inner_doc("The client's action methods.");
    let methods = service.actions.iter().map(method);
    let requests = service.actions.iter().map(|a| {
        let m = format_ident!("{}", a.method);
        let r = format_ident!("{}", a.request);
        quote! { use super::#m::#r; }
    });
    quote! {
        #module_doc
        #[allow(unused_imports)]
        use super::types::*;
        #(#requests)*

        impl crate::Client {
            #(#methods)*
        }
    }
}

fn method(a: &ir::Action) -> TokenStream {
    let name = format_ident!("{}", a.method);
    let request = format_ident!("{}", a.request);
    let mut text = a.doc.clone();
    let required: Vec<_> = a.required_params().collect();
    if !required.is_empty() {
        text.push_str("\n\nArguments, in order:");
        for p in &required {
            text.push_str(&format!("\n- `{0}`: [`{1}::{0}`] (`{2}`)", p.ident, a.request, p.wire));
        }
    }
    text.push_str(&format!(
        "\n\nOptional parameters are set on the returned [`crate::Call`]; send it with `.send().await` or just `.await`.{}",
        if a.idempotent { "" } else { "\nThis action is not idempotent, so it is never retried once it may have reached the service." }
    ));
    let d = doc(&text);
    let args = required.iter().map(|p| super::action::argument(p).0);
    let values = required.iter().map(|p| ident(p));
    quote! {
        #d
        pub fn #name(&self, #(#args),*) -> crate::Call<#request> {
            crate::Call::new(self.clone(), #request::new(#(#values),*))
        }
    }
}
