//! Secrets masked in every text a registry (or oci-client, or reqwest) hands us before it
//! becomes an [`Error`](crate::Error), and in whatever the CLI prints.
//!
//! Two ways, both through `uhub-mask` (which the SDK uses too, with its own names): by name
//! (`Authorization`, `password`, `token`, `secret`, in any case and encoding) with the word after
//! `Basic` and `Bearer` always masked; and by value, for every secret this process has handed
//! to a registry: each password, the base64 of each `user:password` a Basic header carries, and
//! each token obtained. The values are kept process-wide because the texts that may quote them
//! (an error built deep in a copy, the CLI's report, a `--debug` line) do not know which
//! registry they came from; the list is bounded (`uhub_mask::MAX_VALUES`).

use std::borrow::Cow;
use std::sync::{Mutex, OnceLock};

use base64::Engine;

/// Names whose value is masked wherever a registry's text shows them. `token` also covers
/// `access_token`, `refresh_token` and `identitytoken`.
const NAMES: &[&str] = &["Authorization", "password", "passwd", "token", "secret"];
/// Auth schemes whose next word is masked.
const SCHEMES: &[&str] = &["Basic", "Bearer"];

fn mask() -> &'static Mutex<uhub_mask::Mask> {
    static MASK: OnceLock<Mutex<uhub_mask::Mask>> = OnceLock::new();
    MASK.get_or_init(|| Mutex::new(uhub_mask::Mask::by_names(NAMES).with_schemes(SCHEMES)))
}

fn values() -> &'static Mutex<uhub_mask::Mask> {
    static VALUES: OnceLock<Mutex<uhub_mask::Mask>> = OnceLock::new();
    VALUES.get_or_init(|| Mutex::new(uhub_mask::Mask::default()))
}

/// Masks `value` from now on, wherever it shows.
pub(crate) fn remember(value: &str) {
    for mask in [mask(), values()] {
        mask.lock().unwrap_or_else(|e| e.into_inner()).add_value(value);
    }
}

/// Masks a Basic credential from now on: the password and the base64 a header carries.
pub(crate) fn remember_basic(user: &str, password: &str) {
    remember(password);
    remember(&base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")));
}

/// `text` with every secret masked, by name and by value: for text from a registry.
pub fn mask_secrets(text: &str) -> String {
    mask().lock().unwrap_or_else(|e| e.into_inner()).apply(text).into_owned()
}

/// `text` with every secret value this process has sent to a registry masked, and nothing
/// else changed: the CLI's last pass over what it prints, cheap when no secret is known.
pub fn mask_known_values(text: &str) -> Cow<'_, str> {
    let values = values().lock().unwrap_or_else(|e| e.into_inner());
    if values.is_empty() {
        return Cow::Borrowed(text);
    }
    match values.apply(text) {
        Cow::Borrowed(_) => Cow::Borrowed(text),
        Cow::Owned(masked) => Cow::Owned(masked),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_texts_lose_passwords_tokens_and_auth_headers_in_every_spelling() {
        remember_basic("eve", "redact+Pass/1");
        remember("tok/redact+9");
        let basic = base64::engine::general_purpose::STANDARD.encode("eve:redact+Pass/1");
        for text in [
            format!("unauthorized: authorization: basic {basic}"),
            format!("{{\"errors\":[{{\"message\":\"bad {basic}\"}}]}}"),
            format!("<td>Authorization</td><td>Basic&nbsp;{basic}</td>"),
            "got password REDACT+PASS/1".to_owned(),
            "got redact%2BPass%2F1 and tok%252Fredact%252B9".to_owned(),
            "{\"access_token\":\"anything-else\",\"token\":\"x\"}".to_owned(),
            "BEARER    tok/redact+9".to_owned(),
            "bearer some-other-token".to_owned(),
        ] {
            let masked = mask_secrets(&text);
            for secret in [
                "redact+pass/1",
                "tok/redact+9",
                "redact%2bpass",
                "tok%252f",
                &basic.to_lowercase(),
                "anything-else",
                "some-other-token",
            ] {
                assert!(!masked.to_lowercase().contains(secret), "{secret} in {masked} (from {text})");
            }
            assert!(masked.contains("<redacted>"), "{masked}");
        }
        assert_eq!(mask_known_values("plain tag v1.2"), "plain tag v1.2");
        assert_eq!(mask_known_values("x redact+Pass/1 y"), "x <redacted> y");
    }
}
