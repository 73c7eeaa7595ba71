//! JOSE compact serialization (RFC 7515 §7.1), split so the caller signs.
//!
//! The core never holds a signing primitive in production: it returns the JWS signing input,
//! the host signs it (WebCrypto in the Worker), and [`compact`] joins the parts. base64url is
//! always unpadded (RFC 7515 §2); the official Rust `azure_identity` uses standard base64 here.

use crate::prelude::*;
pub mod assertion;

use crate::base64::encode_url;

/// `BASE64URL(UTF8(header)) || '.' || BASE64URL(payload)`: the bytes the signature covers.
pub fn signing_input(header: &[u8], payload: &[u8]) -> String {
    format!("{}.{}", encode_url(header), encode_url(payload))
}

/// `signing_input || '.' || BASE64URL(signature)`.
pub fn compact(signing_input: &str, signature: &[u8]) -> String {
    format!("{signing_input}.{}", encode_url(signature))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7515 Appendix A.2.1: the header and payload octets and their signing input.
    #[test]
    fn rfc7515_a2_signing_input() {
        let header = br#"{"alg":"RS256"}"#;
        let payload =
            b"{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";
        assert_eq!(
            signing_input(header, payload),
            "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
        );
    }

    #[test]
    fn compact_appends_unpadded_signature() {
        assert_eq!(compact("a.b", &[0xfb, 0xff]), "a.b.-_8");
    }
}
