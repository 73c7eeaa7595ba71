//! PKCE (RFC 7636) with the `S256` method only: Entra treats a missing
//! `code_challenge_method` as `plain` (protocols.md §1.2), so we never offer `plain`.

use crate::base64;
use crate::error::{Code, Error};
use crate::prelude::*;
use core::fmt;
use sha2::{Digest, Sha256};

/// A `code_verifier`: 43-128 characters of `[A-Za-z0-9-._~]` (RFC 7636 §4.1). It is a
/// short-lived secret, so `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct CodeVerifier(String);

impl CodeVerifier {
    /// The recommended construction: 32 random octets, base64url without padding = 43 chars.
    pub fn from_random(bytes: &[u8; 32]) -> CodeVerifier {
        CodeVerifier(base64::encode_url(bytes))
    }

    /// Parses a verifier kept by the caller between authorize and redemption.
    pub fn parse(input: &str) -> Result<CodeVerifier, Error> {
        const FIELD: &str = "codeVerifier";
        let len = input.len();
        if len == 0 {
            return Err(Error::field(
                FIELD,
                Code::Required,
                "the code verifier is required",
            ));
        }
        if !input
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
        {
            return Err(Error::field(
                FIELD,
                Code::InvalidCharacter,
                "a code verifier uses only A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1)",
            ));
        }
        if len < 43 {
            return Err(Error::field(
                FIELD,
                Code::TooShort,
                "a code verifier has at least 43 characters",
            ));
        }
        if len > 128 {
            return Err(Error::field(
                FIELD,
                Code::TooLong,
                "a code verifier has at most 128 characters",
            ));
        }
        Ok(CodeVerifier(input.to_owned()))
    }

    /// `BASE64URL(SHA256(ASCII(code_verifier)))` (RFC 7636 §4.2).
    pub fn challenge(&self) -> CodeChallenge {
        CodeChallenge(base64::encode_url(Sha256::digest(self.0.as_bytes())))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Zeroed when dropped: the verifier redeems the authorization code.
impl Drop for CodeVerifier {
    fn drop(&mut self) {
        crate::wipe::string(&mut self.0);
    }
}

impl fmt::Debug for CodeVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CodeVerifier(<redacted>)")
    }
}

/// The `S256` `code_challenge` sent on the authorize URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeChallenge(String);

impl CodeChallenge {
    /// The only method azconn sends.
    pub const METHOD: &'static str = "S256";

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b() {
        let v = CodeVerifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
        assert_eq!(
            v.challenge().as_str(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        // Appendix B's octets give the same verifier.
        let octets = [
            116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212,
            37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
        ];
        assert_eq!(CodeVerifier::from_random(&octets), v);
    }

    #[test]
    fn verifier_rules() {
        assert_eq!(CodeVerifier::from_random(&[0xff; 32]).expose().len(), 43);
        for (bad, code) in [
            ("", Code::Required),
            (&"a".repeat(42)[..], Code::TooShort),
            (&"a".repeat(129)[..], Code::TooLong),
            (&format!("{}+", "a".repeat(50))[..], Code::InvalidCharacter),
            (
                &format!("{}\r\n", "a".repeat(50))[..],
                Code::InvalidCharacter,
            ),
        ] {
            assert_eq!(CodeVerifier::parse(bad).unwrap_err().code, code, "{bad:?}");
        }
        assert!(CodeVerifier::parse(&"~".repeat(128)).is_ok());
        assert_eq!(
            format!("{:?}", CodeVerifier::from_random(&[1; 32])),
            "CodeVerifier(<redacted>)"
        );
    }
}
