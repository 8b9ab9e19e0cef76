//! The service's `Client` (a thin wrapper around the runtime's client core, with one method per
//! action) and `Call` (a thin wrapper around the runtime's call core; each action's file adds its
//! setters). Both are defined here, by the generated code, so the same output compiles inside
//! uhub-sdk or in another crate: only a crate that owns a type may add methods to it.

use proc_macro2::TokenStream;
use quote::quote;

use super::tokens::{argument, doc, ident, inner_doc, name, rt};
use crate::ir;

pub fn file(service: &ir::Service) -> TokenStream {
    let rt = rt();
    let module_doc = inner_doc("The client, its builder, and the calls its methods make.");
    let methods = service.actions.iter().map(method);
    let requests = service.actions.iter().map(|a| {
        let m = name(&a.module);
        let r = name(&a.request);
        quote! { use super::#m::#r; }
    });
    let client_doc = doc(&format!(
        "A {} client. Create one with [`Client::builder`] (or [`Client::from_env`]) and share it: clones are cheap and share one connection pool.",
        service.product
    ));
    quote! {
        #module_doc
        #[allow(unused_imports)]
        use super::types::*;
        #(#requests)*

        #client_doc
        #[derive(Clone, Debug)]
        pub struct Client {
            core: #rt::ClientCore,
        }

        /// Configures a [`Client`]; see [`ClientBuilder::from_env`] for the environment and files it reads.
        pub type ClientBuilder = #rt::ClientBuilder<Client>;

        impl #rt::Service for Client {
            type Endpoint = super::Endpoint;

            fn from_core(core: #rt::ClientCore) -> Self {
                Client { core }
            }
        }

        impl Client {
            /// A builder with nothing set; only keys are required.
            pub fn builder() -> ClientBuilder {
                ClientBuilder::new()
            }

            /// A client configured from the environment and ucloud-cli's shared files alone:
            /// `Client::builder().from_env().build()`.
            pub fn from_env() -> Result<Client, #rt::Error> {
                Client::builder().from_env().build()
            }

            /// The base URL calls are posted to.
            pub fn base_url(&self) -> &str {
                self.core.base_url()
            }

            /// The project used by calls that do not name their own.
            pub fn project_id(&self) -> Option<&str> {
                self.core.project_id()
            }

            /// The credentials calls are signed with (their `Debug` hides the secrets).
            pub fn credentials(&self) -> &#rt::Credentials {
                self.core.credentials()
            }

            /// Time allowed for one attempt.
            pub fn attempt_timeout(&self) -> std::time::Duration {
                self.core.attempt_timeout()
            }

            /// The runtime's view of this client.
            pub fn core(&self) -> &#rt::ClientCore {
                &self.core
            }

            #(#methods)*
        }

        /// One call, made by a [`Client`] method: set optional parameters with the chained
        /// setters, per-call options with the `with_` methods, then `.send().await` (or just
        /// `.await`).
        #[derive(Clone, Debug)]
        #[must_use = "a call does nothing until it is sent or awaited"]
        pub struct Call<R: #rt::Action> {
            // The action modules' setters write the request through this field, not through a
            // method of `Call`: rustc looks a method of `Call<...>` up among every action's
            // inherent impl, which made the catalogue's type checking quadratic.
            pub(super) core: #rt::CallCore<R>,
        }

        impl<R: #rt::Action> Call<R> {
            /// A call of `request` (made with its `new`) by `client`.
            pub fn new(client: &Client, request: R) -> Self {
                Call { core: #rt::CallCore::new(client.core.clone(), request) }
            }

            /// The typed request as it stands.
            pub fn request(&self) -> &R {
                self.core.request()
            }

            /// Retry this call by `policy` instead of the client's.
            pub fn with_retry_policy(self, policy: #rt::RetryPolicy) -> Self {
                Call { core: self.core.with_retry_policy(policy) }
            }

            /// Allow this call at most `timeout` in all, retries included.
            pub fn with_call_timeout(self, timeout: std::time::Duration) -> Self {
                Call { core: self.core.with_call_timeout(timeout) }
            }

            /// Sends the call and decodes the response.
            // Not an `async fn`: its future would hold this call as well as the one it awaits.
            pub fn send(self) -> impl std::future::Future<Output = Result<R::Response, #rt::Error>> + Send {
                self.core.send()
            }

            /// The exact request `send` would make now, signed, without sending it: to debug a
            /// call or reproduce it with curl. Its `Debug` masks the signature and token.
            pub fn signed_request(&self) -> Result<#rt::SignedRequest, #rt::Error> {
                self.core.signed_request()
            }
        }

        impl<R: #rt::Paginated> Call<R> {
            /// Turns this call into a listing of every page from its offset (0 if unset) onwards.
            /// The request's limit, if set, is the page size.
            pub fn into_paginator(self) -> #rt::Paginator<R> {
                self.core.into_paginator()
            }
        }

        impl<R: #rt::Action> std::future::IntoFuture for Call<R> {
            type Output = Result<R::Response, #rt::Error>;
            type IntoFuture = std::pin::Pin<Box<dyn std::future::Future<Output = Self::Output> + Send>>;

            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    }
}

fn method(a: &ir::Action) -> TokenStream {
    let method = name(&a.method);
    let request = name(&a.request);
    let mut text = a.doc.clone();
    let required: Vec<_> = a.required_params().collect();
    if !required.is_empty() {
        text.push_str("\n\nArguments, in order:");
        for p in &required {
            text.push_str(&format!("\n- `{0}`: [`{1}::{0}`] (`{2}`)", p.ident, a.request, p.wire));
        }
    }
    text.push_str(&format!(
        "\n\nOptional parameters are set on the returned [`Call`]; send it with `.send().await` or just `.await`.{}",
        if a.idempotent {
            ""
        } else {
            "\nThis action is not idempotent, so it is never retried once it may have reached the service."
        }
    ));
    let d = doc(&text);
    let args = required.iter().map(|p| argument(p).0);
    let values = required.iter().map(|p| ident(p));
    let rt = rt();
    quote! {
        #d
        #[inline] pub fn #method(&self, #(#args),*) -> Call<#request> {
            Call { core: #rt::CallCore::new(self.core.clone(), #request::new(#(#values),*)) }
        }
    }
}
