//! The authorize redirect's query string (`response_mode=query`): `code` and `state`, or
//! `error`, `error_description`, `error_uri` (entra-docs `v2-oauth2-auth-code-flow.md`).

use super::entra_error::EntraError;
use super::random::{State, constant_time_eq};
use super::token::AuthorizationCode;
use crate::error::{Code, Error};
use crate::http::parse_query;

/// Parses the callback query (with or without `?`) and checks its `state` against the one
/// issued, in constant time. The state is checked first, also on error responses: an
/// unsolicited callback must not be able to show its own error text.
pub fn parse_callback(query: &str, expected_state: &State) -> Result<AuthorizationCode, Error> {
    let pairs = parse_query(query).map_err(|e| e.at("query"))?;
    let get = |name: &str| -> Result<Option<String>, Error> {
        let mut values = pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone());
        let first = values.next();
        if values.next().is_some() {
            return Err(Error::field(
                name,
                Code::InvalidFormat,
                format!("the callback repeats `{name}`"),
            ));
        }
        Ok(first)
    };
    let state = get("state")?;
    let code = get("code")?;
    let error = get("error")?;
    let description = get("error_description")?;
    let uri = get("error_uri")?;
    if !state
        .as_deref()
        .is_some_and(|s| constant_time_eq(s, expected_state.as_str()))
    {
        return Err(Error::field(
            "state",
            Code::StateMismatch,
            "the callback's state does not match this sign-in",
        )
        .with_hint("start the connection again from this browser; a sign-in link from elsewhere cannot be completed"));
    }
    if let Some(error) = error {
        return Err(
            EntraError::from_callback(&error, description.as_deref(), uri.as_deref())
                .into_authorize_error(),
        );
    }
    match code {
        Some(c) => AuthorizationCode::parse(&c),
        None => Err(Error::field(
            "code",
            Code::MissingCode,
            "the callback carries neither a code nor an error",
        )),
    }
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
