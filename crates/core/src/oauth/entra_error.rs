//! Entra ID error responses (protocols.md §1.5-1.6; entra-docs `reference-error-codes.md`),
//! parsed into a typed error with a classification and an actionable hint.
//!
//! Microsoft says AADSTS texts "are subject to change at any time": we branch on the OAuth
//! `error` value and the numeric `error_codes`, never on `error_description`.

use crate::error::{Code, Error};
use crate::http::HttpResponse;
use crate::json::Json;
use crate::prelude::*;
use crate::text::{cat, decimal, parse_u64};
use serde::{Deserialize, Serialize};

/// An error body from the token or authorize endpoint, as Entra spells it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct EntraError {
    /// HTTP status (0 for errors delivered on the authorize callback).
    pub status: u16,
    pub error: String,
    pub error_description: Option<String>,
    /// AADSTS numbers; the first is the primary one.
    pub error_codes: Vec<u64>,
    pub timestamp: Option<String>,
    pub trace_id: Option<String>,
    pub correlation_id: Option<String>,
    pub error_uri: Option<String>,
    /// `Retry-After` in seconds, when the response carried one.
    pub retry_after: Option<u64>,
}

/// What the caller should do about an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum ErrorClass {
    /// The client credential (secret, certificate, assertion) is wrong, expired or missing.
    InvalidClient,
    /// The grant is gone (expired/revoked refresh token, used code, verifier mismatch): sign in again.
    ReauthRequired,
    /// A user or admin must consent first.
    ConsentRequired,
    /// The user must interact (MFA, Conditional Access, login).
    InteractionRequired,
    /// The app registration or request is set up wrong (IDs, redirect URI, tenant, scope).
    Misconfigured,
    /// Throttled or temporarily unavailable: retry later with backoff.
    RetryLater,
    Other,
}

impl ErrorClass {
    /// The wire name (as serde spells it).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorClass::InvalidClient => "invalid-client",
            ErrorClass::ReauthRequired => "reauth-required",
            ErrorClass::ConsentRequired => "consent-required",
            ErrorClass::InteractionRequired => "interaction-required",
            ErrorClass::Misconfigured => "misconfigured",
            ErrorClass::RetryLater => "retry-later",
            ErrorClass::Other => "other",
        }
    }
}

/// The members of Entra's error body: `error` is required, the others are optional strings,
/// and `error_codes` (when present) is a list of AADSTS numbers. `None` for any other shape.
fn read_error_body(body: &str) -> Option<RawError> {
    let json = Json::parse(body).ok().filter(Json::is_object)?;
    let text = |key: &str| match json.get(key) {
        None | Some(Json::Null) => Some(None),
        Some(Json::String(s)) => Some(Some(s.to_string())),
        Some(_) => None,
    };
    let error_codes = match json.get("error_codes") {
        None => Vec::new(),
        Some(Json::Array(items)) => items.iter().map(Json::as_u64).collect::<Option<_>>()?,
        Some(_) => return None,
    };
    Some(RawError {
        error: json.get("error")?.as_str()?.to_owned(),
        error_description: text("error_description")?,
        error_codes,
        timestamp: text("timestamp")?,
        trace_id: text("trace_id")?,
        correlation_id: text("correlation_id")?,
        error_uri: text("error_uri")?,
    })
}

struct RawError {
    error: String,
    error_description: Option<String>,
    error_codes: Vec<u64>,
    timestamp: Option<String>,
    trace_id: Option<String>,
    correlation_id: Option<String>,
    error_uri: Option<String>,
}

/// Parses a non-2xx token-endpoint response. A body that is not Entra's JSON (an HTML page
/// from a proxy, an empty 502) is `MalformedResponse` naming the status.
pub fn parse_error_response(response: &HttpResponse) -> Result<EntraError, Error> {
    let status = response.status;
    let raw =
        read_error_body(&response.body).ok_or_else(|| {
            let kind = if response.body.trim_start().starts_with('<') {
                "an HTML page"
            } else {
                "a body that is not an Entra error"
            };
            Error::new(
            Code::MalformedResponse,
            cat(&["Entra answered HTTP ", &decimal(status.into()), " with ", kind]),
        )
        .with_hint(
            "a proxy or firewall may be answering instead of Entra ID; check the authority host",
        )
        })?;
    Ok(EntraError {
        status,
        error: raw.error,
        error_description: raw.error_description,
        error_codes: raw.error_codes,
        timestamp: raw.timestamp,
        trace_id: raw.trace_id,
        correlation_id: raw.correlation_id,
        error_uri: raw.error_uri,
        retry_after: response
            .header("retry-after")
            .and_then(|v| parse_u64(v.trim())),
    })
}

impl EntraError {
    /// An error delivered on the authorize redirect (`error`, `error_description`, `error_uri`).
    /// The callback has no `error_codes`; the `AADSTSnnnn` number that prefixes the description
    /// is Entra's code, so it is taken from there (the number, not the text).
    pub fn from_callback(
        error: &str,
        description: Option<&str>,
        error_uri: Option<&str>,
    ) -> EntraError {
        let code = description
            .and_then(|d| d.trim_start().strip_prefix("AADSTS"))
            .map(|rest| {
                rest.bytes()
                    .take_while(u8::is_ascii_digit)
                    .map(char::from)
                    .collect::<String>()
            })
            .and_then(|digits| parse_u64(&digits));
        EntraError {
            status: 0,
            error: error.to_owned(),
            error_description: description.map(str::to_owned),
            error_codes: code.into_iter().collect(),
            timestamp: None,
            trace_id: None,
            correlation_id: None,
            error_uri: error_uri.map(str::to_owned),
            retry_after: None,
        }
    }

    /// The first code `table` knows, else the first code.
    fn primary_code(&self, table: Table) -> Option<u64> {
        self.error_codes
            .iter()
            .copied()
            .find(|c| table(*c).is_some())
            .or_else(|| self.error_codes.first().copied())
    }

    fn advice(&self, table: Table) -> Option<Advice> {
        self.primary_code(table).and_then(table)
    }

    pub fn class(&self) -> ErrorClass {
        self.class_in(token_advice)
    }

    fn class_in(&self, table: Table) -> ErrorClass {
        if let Some((class, _, _)) = self.advice(table) {
            return class;
        }
        if self.status == 429 || self.status >= 500 {
            return ErrorClass::RetryLater;
        }
        match self.error.as_str() {
            "invalid_client" => ErrorClass::InvalidClient,
            "invalid_grant" => ErrorClass::ReauthRequired,
            "consent_required" => ErrorClass::ConsentRequired,
            "interaction_required" | "login_required" => ErrorClass::InteractionRequired,
            "temporarily_unavailable" | "server_error" => ErrorClass::RetryLater,
            "invalid_request"
            | "unauthorized_client"
            | "unsupported_grant_type"
            | "invalid_resource"
            | "invalid_scope"
            | "unsupported_response_type" => ErrorClass::Misconfigured,
            _ => ErrorClass::Other,
        }
    }

    /// What to do, for the user. Known AADSTS codes first, then the OAuth `error`.
    pub fn hint(&self) -> Option<&'static str> {
        self.hint_in(token_advice)
    }

    fn hint_in(&self, table: Table) -> Option<&'static str> {
        self.advice(table)
            .map(|(_, _, hint)| hint)
            .or(match self.error.as_str() {
                "invalid_client" => Some("the client credential was rejected: check the client ID, secret or certificate"),
                "invalid_grant" => Some("the sign-in has expired or was revoked: reconnect the connection"),
                "consent_required" => Some("an administrator must grant consent to the app's permissions"),
                "interaction_required" | "login_required" => Some("sign in again interactively"),
                "access_denied" => Some("the sign-in was cancelled or consent was declined; start again and accept the permissions"),
                "temporarily_unavailable" | "server_error" => Some("Entra ID is temporarily unavailable; retry in a moment"),
                "invalid_scope" => Some("the requested scope is not valid for this resource"),
                _ => None,
            })
    }

    /// The form field the error most likely concerns, so the UI can point at it.
    pub fn field(&self) -> Option<&'static str> {
        self.advice(token_advice).and_then(|(_, field, _)| field)
    }

    /// The description's first line (Entra appends Trace ID, Correlation ID and Timestamp lines).
    fn summary(&self) -> &str {
        self.error_description
            .as_deref()
            .and_then(|d| d.split(['\r', '\n']).next())
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or(&self.error)
    }

    fn to_error(&self, code: Code, context: &str, table: Table) -> Error {
        let mut message = cat(&[context, ": ", self.summary(), " (", &self.error, ")"]);
        if let Some(id) = &self.trace_id {
            message.push_str(" [trace ID ");
            message.push_str(id);
            if let Some(c) = &self.correlation_id {
                message.push_str(", correlation ID ");
                message.push_str(c);
            }
            message.push(']');
        }
        let mut e = Error::new(code, message);
        e.field = self
            .advice(table)
            .and_then(|(_, field, _)| field)
            .map(str::to_owned);
        e.hint = self.hint_in(table).map(str::to_owned);
        e
    }

    /// The boundary error for a failed token request; the code says what the caller can do.
    pub fn into_error(self) -> Error {
        let code = match self.class_in(token_advice) {
            ErrorClass::ReauthRequired | ErrorClass::InteractionRequired => Code::ReauthRequired,
            ErrorClass::ConsentRequired => Code::ConsentRequired,
            ErrorClass::RetryLater => Code::RetryLater,
            ErrorClass::InvalidClient | ErrorClass::Misconfigured | ErrorClass::Other => {
                Code::TokenRequestFailed
            }
        };
        self.to_error(code, "Entra ID rejected the token request", token_advice)
    }

    /// The boundary error for an error on the authorize callback.
    pub fn into_authorize_error(self) -> Error {
        self.to_error(
            Code::AuthorizationFailed,
            "Entra ID refused the sign-in",
            sign_in_advice,
        )
    }
}

/// Class, form field and hint of an AADSTS code (protocols.md §1.6).
type Advice = (ErrorClass, Option<&'static str>, &'static str);

/// Where an error was answered decides which codes can occur and what their hint means: a
/// lookup per endpoint, so that the redirect's errors never get a hint written for a token
/// request (AADSTS70011 there is a bad scope at sign-in, not a client-credentials `.default`).
type Table = fn(u64) -> Option<Advice>;

/// The codes the token endpoint answers: those about the client credential, the scope of a
/// client-credentials grant, the PKCE verifier and the code or refresh token, then every code
/// of the sign-in.
fn token_advice(code: u64) -> Option<Advice> {
    use ErrorClass::*;
    Some(match code {
        7000215 => (
            InvalidClient,
            Some("clientSecret"),
            "the client secret is wrong: paste the secret's Value (shown once when created), not its Secret ID",
        ),
        7000222 => (
            InvalidClient,
            Some("clientSecret"),
            "the client secret has expired: create a new one under Certificates & secrets and update the connection",
        ),
        7000218 => (
            InvalidClient,
            None,
            "the request carried no client credential: configure a client secret or certificate",
        ),
        700025 => (
            Misconfigured,
            None,
            "the app is registered as a public client: turn off 'Allow public client flows' or remove the credential",
        ),
        700027 => (
            InvalidClient,
            Some("certificate"),
            "the certificate that signed the assertion is not registered on the app: upload it under Certificates & secrets (compare the thumbprints)",
        ),
        700024 => (
            InvalidClient,
            None,
            "the client assertion is outside its validity window: check the host clock",
        ),
        50012 | 50013 | 500133 | 50027 => (
            InvalidClient,
            Some("certificate"),
            "the client assertion is invalid (signature, expiry or format): check the certificate and private key",
        ),
        9001023 => (
            Misconfigured,
            Some("tenantId"),
            "this grant cannot use /common or /consumers: use the tenant ID",
        ),
        9002326 | 90023 => (
            Misconfigured,
            None,
            "the token request carried an Origin header: redeem tokens server-side without forwarding the browser's Origin",
        ),
        70011 => (
            Misconfigured,
            None,
            "the scope is invalid: client credentials take exactly one `{resource}/.default` scope",
        ),
        28003 => (
            Misconfigured,
            None,
            "the scope was empty: send the scopes used at authorize",
        ),
        501481 | 50148 => (
            ReauthRequired,
            None,
            "the PKCE verifier does not match the challenge: the stored sign-in state is stale or mixed up; start the sign-in again",
        ),
        54005 => (
            ReauthRequired,
            None,
            "this authorization code was already redeemed: do not retry the exchange; start the sign-in again if needed",
        ),
        70008 | 700082 | 700084 => (
            ReauthRequired,
            None,
            "the sign-in has expired: reconnect the connection to sign in again",
        ),
        _ => return sign_in_advice(code),
    })
}

/// The codes the authorize redirect carries (the app, tenant, redirect URI, PKCE challenge,
/// consent, Conditional Access, MFA, throttling); the token endpoint answers them too.
fn sign_in_advice(code: u64) -> Option<Advice> {
    use ErrorClass::*;
    Some(match code {
        50011 | 500112 => (
            Misconfigured,
            Some("redirectUri"),
            "register this exact redirect URI (scheme, host, port, path) on the app registration under Authentication",
        ),
        50194 => (
            Misconfigured,
            Some("tenantId"),
            "the app is single-tenant: use its tenant ID instead of common/organizations",
        ),
        500011 => (
            Misconfigured,
            Some("tenantId"),
            "the resource is not provisioned in this tenant: check the tenant and cloud",
        ),
        700016 | 700011 => (
            Misconfigured,
            Some("clientId"),
            "no app with this client ID exists in the tenant: check the client ID, tenant and cloud; right after creating the app, retry in a minute (replication delay)",
        ),
        90002 => (
            Misconfigured,
            Some("tenantId"),
            "the tenant was not found: check the tenant ID and that it belongs to the selected cloud",
        ),
        50147 | 501491 | 50149 => (
            Misconfigured,
            None,
            "the PKCE challenge is invalid: send an S256 challenge of a 43-128 character verifier",
        ),
        65001 | 90094 | 90095 => (
            ConsentRequired,
            None,
            "the app's permissions have not been consented: an administrator can grant them with the admin-consent link",
        ),
        65004 => (
            ConsentRequired,
            None,
            "consent was declined: start again and accept the requested permissions, or ask an administrator to grant them",
        ),
        53003 => (
            InteractionRequired,
            None,
            "blocked by a Conditional Access policy: ask your Entra administrator to allow this sign-in",
        ),
        50076 | 50079 => (
            InteractionRequired,
            None,
            "multi-factor authentication is required: sign in again interactively",
        ),
        90055 | 50196 => (
            RetryLater,
            None,
            "Entra ID is throttling requests: back off and reuse cached tokens instead of requesting new ones",
        ),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Verbatim body from Azure/sap-automation#418 (ids as published).
    const SECRET_ID_BODY: &str = r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '4d856d1f-8648-456c-9bb2-f36273bbe4e3'.\r\nTrace ID: 6bad8289-db4a-49da-8609-0848d8d71700\r\nCorrelation ID: 63b8bb61-5ca6-4ae3-8224-15a4de11cd87\r\nTimestamp: 2023-02-20 07:21:29Z","error_codes":[7000215],"timestamp":"2023-02-20 07:21:29Z","trace_id":"6bad8289-db4a-49da-8609-0848d8d71700","correlation_id":"63b8bb61-5ca6-4ae3-8224-15a4de11cd87","error_uri":"https://login.microsoftonline.com/error?code=7000215"}"#;

    #[test]
    fn secret_id_trap() {
        let e = parse_error_response(&HttpResponse::new(401, SECRET_ID_BODY)).unwrap();
        assert_eq!(e.error_codes, [7000215]);
        assert_eq!(e.class(), ErrorClass::InvalidClient);
        let err = e.into_error();
        assert_eq!(err.code, Code::TokenRequestFailed);
        assert_eq!(err.field.as_deref(), Some("clientSecret"));
        assert!(err.hint.unwrap().contains("not its Secret ID"));
        assert!(err.message.starts_with(
            "Entra ID rejected the token request: AADSTS7000215: Invalid client secret provided."
        ));
        assert!(err.message.ends_with("[trace ID 6bad8289-db4a-49da-8609-0848d8d71700, correlation ID 63b8bb61-5ca6-4ae3-8224-15a4de11cd87]"));
    }

    #[test]
    fn classification_by_error_without_codes() {
        let body = r#"{"error":"invalid_grant","error_description":"AADSTS50148: The code_verifier does not match the code_challenge supplied in the authorization request for PKCE."}"#;
        let e = parse_error_response(&HttpResponse::new(400, body)).unwrap();
        assert_eq!(e.class(), ErrorClass::ReauthRequired);
        assert_eq!(e.into_error().code, Code::ReauthRequired);
        let throttled = HttpResponse::new(429, r#"{"error":"temporarily_unavailable"}"#)
            .with_header("Retry-After", "30");
        let e = parse_error_response(&throttled).unwrap();
        assert_eq!(
            (e.class(), e.retry_after),
            (ErrorClass::RetryLater, Some(30))
        );
        let unknown = parse_error_response(&HttpResponse::new(
            400,
            r#"{"error":"weird","error_codes":[1]}"#,
        ))
        .unwrap();
        assert_eq!((unknown.class(), unknown.hint()), (ErrorClass::Other, None));
    }

    #[test]
    fn non_json_bodies_are_malformed() {
        for body in [
            "<html><body>502 Bad Gateway</body></html>",
            "",
            "{}",
            r#"{"error":5}"#,
            "null",
        ] {
            let e = parse_error_response(&HttpResponse::new(502, body)).unwrap_err();
            assert_eq!(e.code, Code::MalformedResponse, "{body}");
            assert!(e.message.contains("502"));
        }
    }

    #[test]
    fn every_documented_code_has_a_hint() {
        for code in [
            50011, 50194, 500011, 50147, 501491, 501481, 50148, 50149, 54005, 65001, 65004, 90094,
            90095, 70008, 700082, 700084, 70011, 700016, 700011, 90002, 7000215, 7000222, 7000218,
            700025, 700027, 50012, 50013, 500133, 50027, 9001023, 9002326, 90023, 53003, 90055,
            50196,
        ] {
            assert!(token_advice(code).is_some(), "AADSTS{code}");
        }
    }

    #[test]
    fn callback_advice_is_the_sign_in_table() {
        let redirect = EntraError::from_callback(
            "invalid_request",
            Some("AADSTS50011: The redirect URI does not match."),
            None,
        )
        .into_authorize_error();
        assert_eq!(redirect.field.as_deref(), Some("redirectUri"));
        assert!(
            redirect
                .hint
                .unwrap()
                .starts_with("register this exact redirect URI")
        );
        // A token endpoint's code on the redirect (never sent there) gets the advice of its
        // OAuth `error`, not a hint about client secrets or client-credentials scopes.
        let secret = EntraError::from_callback("invalid_client", Some("AADSTS7000215: x"), None)
            .into_authorize_error();
        assert_eq!(secret.field, None);
        assert_eq!(
            secret.hint.as_deref(),
            Some("the client credential was rejected: check the client ID, secret or certificate")
        );
        let scope = EntraError::from_callback("invalid_scope", Some("AADSTS70011: x"), None);
        assert_eq!(
            scope.clone().into_authorize_error().hint.as_deref(),
            Some("the requested scope is not valid for this resource")
        );
        assert!(
            scope
                .into_error()
                .hint
                .unwrap()
                .contains("`{resource}/.default`")
        );
    }

    #[test]
    fn callback_code_from_description_prefix() {
        let e = EntraError::from_callback(
            "access_denied",
            Some("AADSTS65004: User declined to consent to access the app."),
            None,
        );
        assert_eq!(e.error_codes, [65004]);
        assert_eq!(e.into_authorize_error().code, Code::AuthorizationFailed);
        assert!(
            EntraError::from_callback("access_denied", Some("AADSTSxyz"), None)
                .error_codes
                .is_empty()
        );
    }
}
