//! The authorize redirect's query string (`response_mode=query`): `code` and `state`, or
//! `error`, `error_description`, `error_uri` (entra-docs `v2-oauth2-auth-code-flow.md`).

use super::entra_error::EntraError;
use super::random::{State, constant_time_eq};
use super::token::AuthorizationCode;
use crate::error::{Code, Error};
use crate::http::parse_query;
use crate::prelude::*;
use serde::Serialize;

/// The checked parameters of a redirect: `state` matched, no `error`.
struct Checked(Vec<(String, String)>);

impl Checked {
    /// The single value of `name`; a repeated parameter is refused (parameter pollution).
    fn get(&self, name: &str) -> Result<Option<&str>, Error> {
        let mut values = self
            .0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str());
        let first = values.next();
        if values.next().is_some() {
            return Err(Error::field(
                name,
                Code::InvalidFormat,
                crate::text::cat(&["the callback repeats `", name, "`"]),
            ));
        }
        Ok(first)
    }
}

/// Checks `state` (in constant time) before anything else, also on error responses: an
/// unsolicited callback must not be able to show its own error text. Then turns `error` into
/// the typed error.
fn check(query: &str, expected_state: &State) -> Result<Checked, Error> {
    let checked = Checked(parse_query(query).map_err(|e| e.at("query"))?);
    let state = checked.get("state")?;
    if !state.is_some_and(|s| constant_time_eq(s, expected_state.as_str())) {
        return Err(Error::field(
            "state",
            Code::StateMismatch,
            "the callback's state does not match this sign-in",
        )
        .with_hint("start the connection again from this browser; a sign-in link from elsewhere cannot be completed"));
    }
    if let Some(error) = checked.get("error")? {
        let description = checked.get("error_description")?;
        let uri = checked.get("error_uri")?;
        return Err(EntraError::from_callback(error, description, uri).into_authorize_error());
    }
    Ok(checked)
}

/// Parses the authorize callback query (with or without `?`) into the authorization code.
pub fn parse_callback(query: &str, expected_state: &State) -> Result<AuthorizationCode, Error> {
    match check(query, expected_state)?.get("code")? {
        Some(c) => AuthorizationCode::parse(c),
        None => Err(Error::field(
            "code",
            Code::MissingCode,
            "the callback carries neither a code nor an error",
        )),
    }
}

/// A successful admin-consent redirect (entra-docs `v2-admin-consent.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AdminConsent {
    /// The tenant Entra reports. Display only: Microsoft says never to trust it for
    /// authorization; the connection keeps the tenant the user configured.
    pub reported_tenant: Option<String>,
    pub scopes: Vec<String>,
}

/// Parses `admin_consent=True&tenant=...&scope=...&state=...`, or its error form.
pub fn parse_admin_consent_callback(
    query: &str,
    expected_state: &State,
) -> Result<AdminConsent, Error> {
    let checked = check(query, expected_state)?;
    if !checked
        .get("admin_consent")?
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        return Err(Error::field(
            "admin_consent",
            Code::ConsentRequired,
            "the administrator did not grant consent",
        )
        .with_hint(
            "an administrator must open the admin-consent link and accept the permissions",
        ));
    }
    Ok(AdminConsent {
        reported_tenant: checked.get("tenant")?.map(str::to_owned),
        scopes: checked
            .get("scope")?
            .map(|s| s.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> State {
        State::parse("AQEBAQEBAQEBAQEBAQEBAQ").unwrap()
    }

    #[test]
    fn success() {
        let c = parse_callback(
            "?code=0.AXoA%2Fx-y&state=AQEBAQEBAQEBAQEBAQEBAQ&session_state=abc",
            &state(),
        )
        .unwrap();
        assert_eq!(c.expose(), "0.AXoA/x-y");
    }

    #[test]
    fn failures() {
        let cases = [
            (
                "code=x&state=AQEBAQEBAQEBAQEBAQEBAg",
                Code::StateMismatch,
                "state",
            ),
            ("code=x", Code::StateMismatch, "state"),
            (
                "error=access_denied&error_description=x&state=nope",
                Code::StateMismatch,
                "state",
            ),
            ("state=AQEBAQEBAQEBAQEBAQEBAQ", Code::MissingCode, "code"),
            (
                "code=a&code=b&state=AQEBAQEBAQEBAQEBAQEBAQ",
                Code::InvalidFormat,
                "code",
            ),
            (
                "code=%ZZ&state=AQEBAQEBAQEBAQEBAQEBAQ",
                Code::InvalidFormat,
                "query",
            ),
            (
                "code=a%0D%0Ab&state=AQEBAQEBAQEBAQEBAQEBAQ",
                Code::InvalidCharacter,
                "code",
            ),
        ];
        for (q, code, field) in cases {
            let e = parse_callback(q, &state()).unwrap_err();
            assert_eq!((e.code, e.field.as_deref()), (code, Some(field)), "{q}");
        }
    }

    #[test]
    fn admin_consent() {
        let q = "admin_consent=True&tenant=72f988bf-86f1-41af-91ab-2d7cd011db47&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&state=AQEBAQEBAQEBAQEBAQEBAQ";
        let c = parse_admin_consent_callback(q, &state()).unwrap();
        assert_eq!(
            c.reported_tenant.as_deref(),
            Some("72f988bf-86f1-41af-91ab-2d7cd011db47")
        );
        assert_eq!(c.scopes, ["https://graph.microsoft.com/.default"]);
        let e = parse_admin_consent_callback(
            "admin_consent=False&state=AQEBAQEBAQEBAQEBAQEBAQ",
            &state(),
        )
        .unwrap_err();
        assert_eq!(e.code, Code::ConsentRequired);
        let e = parse_admin_consent_callback("error=consent_required&error_description=AADSTS65004%3A+declined&state=AQEBAQEBAQEBAQEBAQEBAQ", &state()).unwrap_err();
        assert_eq!(e.code, Code::AuthorizationFailed);
        let e = parse_admin_consent_callback("admin_consent=True&tenant=x", &state()).unwrap_err();
        assert_eq!(e.code, Code::StateMismatch);
    }

    #[test]
    fn consent_declined() {
        let q = "error=access_denied&error_description=AADSTS65004%3A+User+declined+to+consent+to+access+the+app.&state=AQEBAQEBAQEBAQEBAQEBAQ";
        let e = parse_callback(q, &state()).unwrap_err();
        assert_eq!(e.code, Code::AuthorizationFailed);
        assert_eq!(
            e.message,
            "Entra ID refused the sign-in: AADSTS65004: User declined to consent to access the app. (access_denied)"
        );
        assert!(e.hint.unwrap().starts_with("consent was declined"));
    }
}
