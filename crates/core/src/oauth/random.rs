//! `state` and `nonce` values from caller-provided entropy (the core draws none). RFC 9700 §2.1
//! wants them unguessable and transaction-specific; we require at least 128 bits.

use crate::base64;
use crate::error::{Code, Error};
use crate::prelude::*;
use crate::text::{cat, decimal};
use core::fmt;

/// The least entropy accepted for `state` and `nonce`: 16 bytes (128 bits). 32 is recommended.
pub const MIN_ENTROPY_BYTES: usize = 16;
/// Longer inputs are a caller bug (a whole buffer passed by mistake), not more security.
pub const MAX_ENTROPY_BYTES: usize = 64;

macro_rules! random_value {
    ($(#[$doc:meta])* $name:ident, $field:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            /// base64url (no padding) of `bytes`, which must hold 16-64 bytes of entropy.
            pub fn from_random(bytes: &[u8]) -> Result<Self, Error> {
                check_entropy(bytes, $field)?;
                Ok($name(base64::encode_url(bytes)))
            }

            /// A value issued earlier, read back from the caller's storage.
            pub fn parse(input: &str) -> Result<Self, Error> {
                if input.is_empty() {
                    return Err(Error::field($field, Code::Required, concat!("the ", $field, " is required")));
                }
                if input.len() > 128 || !input.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
                    return Err(Error::field(
                        $field,
                        Code::InvalidFormat,
                        concat!("the ", $field, " must be base64url text of at most 128 characters"),
                    ));
                }
                Ok($name(input.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }
    };
}

random_value!(
    /// The OAuth `state`: binds the callback to the browser session that started the flow.
    State,
    "state"
);
random_value!(
    /// The OIDC `nonce`: binds the id_token to this authorization request.
    Nonce,
    "nonce"
);

fn check_entropy(bytes: &[u8], field: &str) -> Result<(), Error> {
    if bytes.len() < MIN_ENTROPY_BYTES {
        return Err(Error::field(
            field,
            Code::TooShort,
            cat(&[
                field,
                " needs at least ",
                &decimal(MIN_ENTROPY_BYTES as u64),
                " random bytes (128 bits)",
            ]),
        ));
    }
    if bytes.len() > MAX_ENTROPY_BYTES {
        return Err(Error::field(
            field,
            Code::TooLong,
            cat(&[
                field,
                " takes at most ",
                &decimal(MAX_ENTROPY_BYTES as u64),
                " random bytes",
            ]),
        ));
    }
    Ok(())
}

/// Compares two strings without an early exit on the first differing byte, so the time taken
/// does not reveal how much of a `state` an attacker guessed. Lengths are not secret.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_from_entropy() {
        assert_eq!(
            State::from_random(&[0u8; 16]).unwrap().as_str(),
            "AAAAAAAAAAAAAAAAAAAAAA"
        );
        assert_eq!(Nonce::from_random(&[0xfb; 32]).unwrap().as_str().len(), 43);
        let e = State::from_random(&[0u8; 15]).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (Code::TooShort, Some("state"))
        );
        assert_eq!(
            Nonce::from_random(&[0u8; 65]).unwrap_err().code,
            Code::TooLong
        );
        assert_eq!(
            format!("{:?}", State::from_random(&[7; 16]).unwrap()),
            "State(<redacted>)"
        );
    }

    #[test]
    fn state_parse() {
        assert!(State::parse("abc-_DEF").is_ok());
        assert_eq!(State::parse("").unwrap_err().code, Code::Required);
        assert_eq!(State::parse("a b").unwrap_err().code, Code::InvalidFormat);
        assert_eq!(State::parse("a\r\n").unwrap_err().code, Code::InvalidFormat);
        assert_eq!(
            State::parse(&"a".repeat(129)).unwrap_err().code,
            Code::InvalidFormat
        );
    }

    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
        assert!(constant_time_eq("", ""));
    }
}
