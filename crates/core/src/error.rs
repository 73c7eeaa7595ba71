//! The one error type that crosses every boundary (wasm, abi, Worker API): a stable machine
//! `code`, the `field` it concerns (form field or protocol element), a human `message`, and an
//! actionable `hint` where we know one.

use crate::prelude::*;
use core::fmt;
use serde::{Deserialize, Serialize};

/// Stable error codes. The UI and API clients branch on these; never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Code {
    // --- input validation ---
    /// A required value is missing or blank.
    Required,
    /// The value is longer than allowed.
    TooLong,
    /// The value is shorter than allowed.
    TooShort,
    /// The value does not have the expected shape (GUID, domain, URL...).
    InvalidFormat,
    /// The value contains a character that is not allowed (control characters, CR/LF...).
    InvalidCharacter,
    /// The value is well formed but not allowed here (e.g. `common` for client credentials).
    NotAllowed,
    /// A URL that must use https does not.
    InsecureUrl,
    /// A host is not one the selected cloud allows.
    HostNotAllowed,
    /// A client secret that is shaped like a GUID: almost certainly the secret's ID.
    SecretLooksLikeId,
    /// The value is outside the allowed range.
    OutOfRange,
    // --- OAuth ---
    /// The authorize callback's `state` does not match the one issued.
    StateMismatch,
    /// The authorize callback carries neither `code` nor `error`.
    MissingCode,
    /// Entra answered the authorize request with an error.
    AuthorizationFailed,
    /// Entra's token endpoint answered with an error.
    TokenRequestFailed,
    /// A response body is not what the protocol says it must be.
    MalformedResponse,
    /// A JWT cannot be decoded.
    MalformedJwt,
    /// The grant is gone (refresh token expired or revoked, code used): the user must sign in again.
    ReauthRequired,
    /// A user or an administrator must consent to the app's permissions first.
    ConsentRequired,
    /// Entra is throttling or temporarily unavailable: retry later with backoff.
    RetryLater,
    // --- Graph and App Configuration (protocols layer: graph, appconfig, retry, rotation, sync) ---
    /// The caller lacks a permission or role; the hint names what to grant.
    PermissionDenied,
    /// The Graph object or App Configuration key-value does not exist.
    NotFound,
    /// A secret lifetime the tenant's app-management policy (or our guard) forbids.
    LifetimeRejected,
    /// Azure throttled the request (429); retry after the advertised delay.
    Throttled,
    /// A transient service failure (503/504, Graph concurrent-request conflict, timeout).
    Unavailable,
    /// Azure rejected the credential (401): expired token, wrong audience, bad signature.
    Unauthorized,
    /// The App Configuration key-value is locked (409).
    KeyLocked,
    /// A conditional request's ETag no longer matches (412).
    PreconditionFailed,
    /// Azure rejected a request parameter (400).
    InvalidArgument,
    /// Any other Azure error; `message` carries Azure's code.
    AzureError,
    /// The new secret never worked; it was removed and the old one kept.
    RotationFailed,
    // --- certificate credentials (cert, jose::assertion) ---
    /// A certificate was pasted into the key field, or a key into the certificate field.
    WrongField,
    /// The private key does not belong to the certificate.
    KeyCertMismatch,
    /// The certificate's validity period ended before `now`.
    CertificateExpired,
    /// The certificate's validity period starts after `now`.
    CertificateNotYetValid,
    /// A warning: the certificate expires within 30 days.
    CertificateExpiringSoon,
    /// An RSA key shorter than 2048 bits.
    WeakKey,
    /// A key type Entra app credentials cannot use (EC, Ed25519...): they are RSA.
    UnsupportedKeyType,
    /// An encryption or integrity algorithm azconn does not implement (legacy RC2/3DES PFX...).
    UnsupportedAlgorithm,
    /// A passphrase or PFX password that does not open the key or the file.
    WrongPassword,
    // --- edge host (host/: configuration, API authentication, stored records) ---
    /// A deployment setting is missing or malformed; the message names it.
    NotConfigured,
    /// No or an unknown API token / session.
    Unauthenticated,
    /// A cookie-authenticated write from another origin.
    CrossOrigin,
    /// A record with this name already exists.
    Conflict,
    /// The host's own failure (storage, runtime); nothing the caller can fix.
    Internal,
    /// Too many sign-in, OAuth start or token requests from one client; retry after the
    /// `Retry-After` seconds (distinct from Azure's own `Throttled`).
    RateLimited,
    /// The path is served, not with this HTTP method (the `Allow` header lists the ones it takes).
    MethodNotAllowed,
}

impl Code {
    /// The code as it appears on the wire (`"secret-looks-like-id"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Required => "required",
            Code::TooLong => "too-long",
            Code::TooShort => "too-short",
            Code::InvalidFormat => "invalid-format",
            Code::InvalidCharacter => "invalid-character",
            Code::NotAllowed => "not-allowed",
            Code::InsecureUrl => "insecure-url",
            Code::HostNotAllowed => "host-not-allowed",
            Code::SecretLooksLikeId => "secret-looks-like-id",
            Code::OutOfRange => "out-of-range",
            Code::StateMismatch => "state-mismatch",
            Code::MissingCode => "missing-code",
            Code::AuthorizationFailed => "authorization-failed",
            Code::TokenRequestFailed => "token-request-failed",
            Code::MalformedResponse => "malformed-response",
            Code::MalformedJwt => "malformed-jwt",
            Code::ReauthRequired => "reauth-required",
            Code::ConsentRequired => "consent-required",
            Code::RetryLater => "retry-later",
            Code::PermissionDenied => "permission-denied",
            Code::NotFound => "not-found",
            Code::LifetimeRejected => "lifetime-rejected",
            Code::Throttled => "throttled",
            Code::Unavailable => "unavailable",
            Code::Unauthorized => "unauthorized",
            Code::KeyLocked => "key-locked",
            Code::PreconditionFailed => "precondition-failed",
            Code::InvalidArgument => "invalid-argument",
            Code::AzureError => "azure-error",
            Code::RotationFailed => "rotation-failed",
            Code::WrongField => "wrong-field",
            Code::KeyCertMismatch => "key-cert-mismatch",
            Code::CertificateExpired => "certificate-expired",
            Code::CertificateNotYetValid => "certificate-not-yet-valid",
            Code::CertificateExpiringSoon => "certificate-expiring-soon",
            Code::WeakKey => "weak-key",
            Code::UnsupportedKeyType => "unsupported-key-type",
            Code::UnsupportedAlgorithm => "unsupported-algorithm",
            Code::WrongPassword => "wrong-password",
            Code::NotConfigured => "not-configured",
            Code::Unauthenticated => "unauthenticated",
            Code::CrossOrigin => "cross-origin",
            Code::Conflict => "conflict",
            Code::Internal => "internal",
            Code::RateLimited => "rate-limited",
            Code::MethodNotAllowed => "method-not-allowed",
        }
    }
}

/// A typed error: what went wrong, where, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "FieldError"))]
pub struct Error {
    pub code: Code,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub field: Option<String>,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub hint: Option<String>,
}

impl Error {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Error {
            code,
            field: None,
            message: message.into(),
            hint: None,
        }
    }

    /// An error about the input field `field`.
    pub fn field(field: &str, code: Code, message: impl Into<String>) -> Self {
        Error::new(code, message).at(field)
    }

    pub fn at(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// `s` in double quotes, with `"`, `\\` and control characters escaped: what `{s:?}` shows for
/// the inputs messages quote, without pulling `Debug`'s Unicode tables into the browser build.
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            c if c.is_control() => {
                out.push_str("\\u{");
                out.push_str(&hex(c as u32));
                out.push('}');
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Lower-case hex digits of `n`, no leading zeros.
fn hex(mut n: u32) -> String {
    let mut digits = Vec::new();
    loop {
        digits.push(b"0123456789abcdef"[(n % 16) as usize]);
        n /= 16;
        if n == 0 {
            break;
        }
    }
    digits.iter().rev().map(|&d| char::from(d)).collect()
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

impl core::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_like_debug() {
        for s in [
            "germany",
            "a\"b\\c",
            "line\nbreak\ttab\r",
            "nul\u{0}bell\u{7}",
            "ünï",
        ] {
            assert_eq!(quoted(s), format!("{s:?}"));
        }
    }

    #[test]
    fn serializes_with_stable_kebab_codes() {
        let e = Error::field("clientSecret", Code::SecretLooksLikeId, "looks like an ID")
            .with_hint("paste the Value column");
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code":"secret-looks-like-id","field":"clientSecret",
                "message":"looks like an ID","hint":"paste the Value column"})
        );
        assert_eq!(json["code"], Code::SecretLooksLikeId.as_str());
        let back: Error = serde_json::from_value(json).unwrap();
        assert_eq!(back, e);
    }

    #[test]
    fn as_str_matches_serde_for_every_code() {
        for code in [
            Code::Required,
            Code::TooLong,
            Code::TooShort,
            Code::InvalidFormat,
            Code::InvalidCharacter,
            Code::NotAllowed,
            Code::InsecureUrl,
            Code::HostNotAllowed,
            Code::SecretLooksLikeId,
            Code::OutOfRange,
            Code::StateMismatch,
            Code::MissingCode,
            Code::AuthorizationFailed,
            Code::TokenRequestFailed,
            Code::MalformedResponse,
            Code::MalformedJwt,
            Code::ReauthRequired,
            Code::ConsentRequired,
            Code::RetryLater,
            Code::PermissionDenied,
            Code::NotFound,
            Code::LifetimeRejected,
            Code::Throttled,
            Code::Unavailable,
            Code::Unauthorized,
            Code::KeyLocked,
            Code::PreconditionFailed,
            Code::InvalidArgument,
            Code::AzureError,
            Code::RotationFailed,
            Code::WrongField,
            Code::KeyCertMismatch,
            Code::CertificateExpired,
            Code::CertificateNotYetValid,
            Code::CertificateExpiringSoon,
            Code::WeakKey,
            Code::UnsupportedKeyType,
            Code::UnsupportedAlgorithm,
            Code::WrongPassword,
            Code::NotConfigured,
            Code::Unauthenticated,
            Code::CrossOrigin,
            Code::Conflict,
            Code::Internal,
            Code::RateLimited,
            Code::MethodNotAllowed,
        ] {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
    }
}
