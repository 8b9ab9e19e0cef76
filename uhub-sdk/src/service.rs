//! The two traits by which generated code tells the runtime about its service: the client type
//! it wraps around a [`ClientCore`], and the providers its `Endpoint` names. The runtime learns
//! providers only through them, so it never imports generated code.

use crate::client::ClientCore;

/// Implemented by a generated `Client`, so [`crate::runtime::ClientBuilder`] can build one.
pub trait Service: Sized {
    /// The generated `Endpoint`: the spec's providers and a custom base URL.
    type Endpoint: Target;

    /// Wraps a configured core.
    fn from_core(core: ClientCore) -> Self;
}

/// Implemented by a generated `Endpoint`.
pub trait Target: Clone + std::fmt::Debug + Send + Sync + 'static {
    /// The base URL calls are posted to.
    fn base_url(&self) -> &str;
    /// The provider with this configuration name, ignoring case.
    fn from_provider_name(name: &str) -> Option<Self>;
    /// Every provider's configuration name, in spec order.
    fn provider_names() -> Vec<&'static str>;
    /// The endpoint used when nothing names one: the spec's first provider.
    fn default_provider() -> Self;
    /// A base URL of the caller's own.
    fn custom(base_url: String) -> Self;
}
