//! A call as it would go on the wire, without sending it: for debugging, and for reproducing a
//! call with curl.

use std::fmt;

/// Form fields whose values are secrets; `Debug` shows only that they are set.
const SECRET_FIELDS: &[&str] = &["Signature", "SecurityToken", "PrivateKey"];

/// The exact request a call would send: URL, headers and signed form fields. Made by a call's
/// `signed_request()`.
///
/// Its `Debug` masks the signature and the security token. [`Self::body`], [`Self::fields`] and
/// [`Self::to_curl`] return them as they are: the request cannot be replayed without them, so
/// treat what they return as a secret (it is valid until the service's timestamp window closes).
#[derive(Clone, PartialEq, Eq)]
pub struct SignedRequest {
    pub(crate) url: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) fields: Vec<(String, String)>,
}

impl SignedRequest {
    /// Where the request is posted.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The headers the SDK sets (content type, user agent, timestamp).
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// Every form field, `Signature` last, values unmasked.
    pub fn fields(&self) -> &[(String, String)] {
        &self.fields
    }

    /// The `application/x-www-form-urlencoded` body, unmasked.
    pub fn body(&self) -> String {
        form_urlencoded::Serializer::new(String::new()).extend_pairs(&self.fields).finish()
    }

    /// A curl command that sends this request, unmasked.
    pub fn to_curl(&self) -> String {
        let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
        let mut cmd = format!("curl -X POST {}", quote(&self.url));
        for (name, value) in &self.headers {
            cmd.push_str(&format!(" -H {}", quote(&format!("{name}: {value}"))));
        }
        cmd.push_str(&format!(" --data-raw {}", quote(&self.body())));
        cmd
    }
}

impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Masked<'a>(&'a [(String, String)]);
        impl fmt::Debug for Masked<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map()
                    .entries(self.0.iter().map(|(k, v)| {
                        let shown = if SECRET_FIELDS.contains(&k.as_str()) { "<redacted>" } else { v.as_str() };
                        (k, shown)
                    }))
                    .finish()
            }
        }
        f.debug_struct("SignedRequest")
            .field("url", &crate::url::redact(&self.url))
            .field("headers", &self.headers)
            .field("fields", &Masked(&self.fields))
            .finish()
    }
}
