//! An OAuth 2.0 access token used as `Authorization: Bearer` (RFC 6750 §2.1) for Graph and App
//! Configuration. Checked against the `b64token` grammar once, so a token can never smuggle a
//! header line; never shown by `Debug`.

use crate::error::{Code, Error};
use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct BearerToken(String);

impl BearerToken {
    /// `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
    pub fn parse(token: &str) -> Result<BearerToken, Error> {
        let body = token.trim_end_matches('=');
        if body.is_empty() {
            return Err(Error::field(
                "accessToken",
                Code::Required,
                "an access token is required",
            ));
        }
        if !body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
        {
            return Err(Error::field(
                "accessToken",
                Code::InvalidCharacter,
                "the access token contains a character a bearer token cannot have",
            ));
        }
        Ok(BearerToken(token.to_owned()))
    }

    /// The `Authorization` header value.
    pub fn header_value(&self) -> String {
        format!("Bearer {}", self.0)
    }
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BearerToken(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_jwts_and_rejects_header_injection() {
        let t = BearerToken::parse("eyJ0.eyJ1.c2ln-_~+/==").unwrap();
        assert_eq!(t.header_value(), "Bearer eyJ0.eyJ1.c2ln-_~+/==");
        assert_eq!(format!("{t:?}"), "BearerToken(<redacted>)");
        assert_eq!(
            BearerToken::parse("a\r\nx: y").unwrap_err().code,
            Code::InvalidCharacter
        );
        assert_eq!(
            BearerToken::parse("a b").unwrap_err().code,
            Code::InvalidCharacter
        );
        assert_eq!(BearerToken::parse("").unwrap_err().code, Code::Required);
        assert_eq!(BearerToken::parse("==").unwrap_err().code, Code::Required);
    }
}
