//! API keys, kept out of Debug output.

use std::fmt;

/// A secret string: its `Debug` shows only that it is set.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself; call only where it is needed (signing).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// A UCloud API key pair, and for temporary (STS) credentials their security token.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    public_key: String,
    private_key: Secret,
    security_token: Option<Secret>,
}

impl Credentials {
    pub fn new(public_key: impl Into<String>, private_key: impl Into<String>) -> Self {
        Credentials { public_key: public_key.into(), private_key: Secret::new(private_key), security_token: None }
    }

    /// Adds the security token of temporary credentials; it is sent as `SecurityToken` and signed.
    pub fn with_security_token(mut self, token: impl Into<String>) -> Self {
        self.security_token = Some(Secret::new(token));
        self
    }

    pub fn public_key(&self) -> &str {
        &self.public_key
    }

    pub(crate) fn private_key(&self) -> &Secret {
        &self.private_key
    }

    pub(crate) fn security_token(&self) -> Option<&Secret> {
        self.security_token.as_ref()
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("public_key", &self.public_key)
            .field("private_key", &self.private_key)
            .field("security_token", &self.security_token)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_private_key_or_token() {
        let c = Credentials::new("pub-1", "very-private").with_security_token("tok-123");
        let s = format!("{c:?} {c:#?}");
        assert!(s.contains("pub-1"));
        assert!(!s.contains("very-private"));
        assert!(!s.contains("tok-123"));
    }
}
