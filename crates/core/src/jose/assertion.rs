//! The client-assertion JWT a confidential client signs with its certificate to call the token
//! endpoint (RFC 7523 §3; entra-docs `certificate-credentials.md`, protocols.md §2).
//!
//! Two profiles, as data: [`Profile::Ps256Sha256`] (`PS256` + `x5t#S256`, Entra's current
//! guidance and MSAL's default) and [`Profile::Rs256Sha1`] (`RS256` + `x5t`, for ADFS and
//! tenants that still answer AADSTS700027 to the former). The core builds the signing input; the
//! host signs it and calls [`UnsignedAssertion::complete`].

use super::{compact, signing_input};
use crate::cert::{Credential, x5c_entry};
use crate::cloud::CloudEndpoints;
use crate::error::{Code, Error};
use crate::ids::{AuthorityTenant, ClientId, Guid, TenantId};
use crate::prelude::*;
use serde::{Deserialize, Serialize};

/// Entra says "5-10 minutes after `nbf` at most"; MSAL uses 600 s.
pub const MAX_LIFETIME_SECS: u32 = 600;

/// Which algorithm and thumbprint header the assertion uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "AssertionProfile"))]
#[serde(rename_all = "camelCase")]
pub enum Profile {
    /// `alg: PS256`, `x5t#S256`: the default for Entra.
    #[default]
    Ps256Sha256,
    /// `alg: RS256`, `x5t` (SHA-1): ADFS and older tenants.
    Rs256Sha1,
}

/// The JWS algorithm the caller must sign with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "AssertionAlgorithm"))]
pub enum Algorithm {
    /// RSASSA-PSS, SHA-256, MGF1-SHA-256, 32-byte salt (RFC 7518 §3.5).
    #[serde(rename = "PS256")]
    Ps256,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3).
    #[serde(rename = "RS256")]
    Rs256,
}

/// The WebCrypto `sign()` parameters for an [`Algorithm`], ready to pass to `crypto.subtle`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct WebCryptoParams {
    pub name: &'static str,
    pub hash: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub salt_length: Option<u32>,
}

impl Algorithm {
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Ps256 => "PS256",
            Algorithm::Rs256 => "RS256",
        }
    }

    /// `importKey("pkcs8", der, {name, hash}, false, ["sign"])` then `sign(params, key, input)`.
    pub fn web_crypto(self) -> WebCryptoParams {
        match self {
            Algorithm::Ps256 => WebCryptoParams {
                name: "RSA-PSS",
                hash: "SHA-256",
                salt_length: Some(32),
            },
            Algorithm::Rs256 => WebCryptoParams {
                name: "RSASSA-PKCS1-v1_5",
                hash: "SHA-256",
                salt_length: None,
            },
        }
    }
}

impl Profile {
    pub fn algorithm(self) -> Algorithm {
        match self {
            Profile::Ps256Sha256 => Algorithm::Ps256,
            Profile::Rs256Sha1 => Algorithm::Rs256,
        }
    }
}

fn default_lifetime() -> u32 {
    MAX_LIFETIME_SECS
}

/// How to build the assertion.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(rename = "AssertionOptions", optional_fields)
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Options {
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub profile: Profile,
    /// Send the chain in `x5c`, for subject-name/issuer (SNI) authentication.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub include_x5c: bool,
    /// `exp - iat`, 1..=600 seconds.
    #[serde(default = "default_lifetime")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub lifetime_seconds: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            profile: Profile::default(),
            include_x5c: false,
            lifetime_seconds: MAX_LIFETIME_SECS,
        }
    }
}

/// The claims that vary per request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    /// The token endpoint of the connection's cloud and tenant.
    pub audience: String,
    pub client_id: ClientId,
    /// Unix seconds; `nbf` = `iat` = now.
    pub now: i64,
    pub jti: Guid,
}

impl Claims {
    /// Claims for `client_id` signing in to `tenant` in `cloud`, `jti` from caller entropy.
    pub fn new(
        cloud: &CloudEndpoints,
        tenant: &TenantId,
        client_id: ClientId,
        now: i64,
        jti_entropy: [u8; 16],
    ) -> Claims {
        Claims {
            audience: cloud.token_endpoint(&AuthorityTenant::from(tenant.clone())),
            client_id,
            now,
            jti: Guid::from_random(jti_entropy),
        }
    }
}

/// An assertion waiting for its signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct UnsignedAssertion {
    pub algorithm: Algorithm,
    /// ASCII `header.payload`; sign its UTF-8 bytes.
    pub signing_input: String,
    /// An RSA signature is exactly the modulus length in bytes.
    pub signature_length: usize,
}

/// Builds the signing input of a client assertion for `credential`.
pub fn prepare(
    credential: &Credential,
    claims: &Claims,
    options: &Options,
) -> Result<UnsignedAssertion, Error> {
    if options.lifetime_seconds == 0 || options.lifetime_seconds > MAX_LIFETIME_SECS {
        return Err(Error::field(
            "lifetimeSeconds",
            Code::OutOfRange,
            format!("the assertion lifetime must be 1 to {MAX_LIFETIME_SECS} seconds"),
        ));
    }
    if claims.now < 0 {
        return Err(Error::field(
            "now",
            Code::OutOfRange,
            "now must be unix seconds",
        ));
    }
    // The thumbprints were encoded once, when the credential was loaded.
    let report = credential.report();
    let algorithm = options.profile.algorithm();
    let mut header = String::with_capacity(96);
    header.push_str("{\"alg\":\"");
    header.push_str(algorithm.as_str());
    header.push_str("\",\"typ\":\"JWT\",");
    match options.profile {
        Profile::Ps256Sha256 => json_member(&mut header, "x5t#S256", &report.x5t_s256),
        Profile::Rs256Sha1 => json_member(&mut header, "x5t", &report.x5t),
    }
    if options.include_x5c {
        header.push_str(",\"x5c\":[");
        for (i, der) in credential.chain_der().iter().enumerate() {
            if i > 0 {
                header.push(',');
            }
            json_string(&mut header, &x5c_entry(der));
        }
        header.push(']');
    }
    header.push('}');
    let client = claims.client_id.to_string();
    let mut payload = String::with_capacity(256);
    payload.push('{');
    json_member(&mut payload, "aud", &claims.audience);
    payload.push(',');
    json_member(&mut payload, "iss", &client);
    payload.push(',');
    json_member(&mut payload, "sub", &client);
    payload.push(',');
    json_member(&mut payload, "jti", &claims.jti.to_string());
    let exp = claims.now + i64::from(options.lifetime_seconds);
    for (name, value) in [("nbf", claims.now), ("iat", claims.now), ("exp", exp)] {
        payload.push_str(",\"");
        payload.push_str(name);
        payload.push_str("\":");
        payload.push_str(&value.to_string());
    }
    payload.push('}');
    Ok(UnsignedAssertion {
        algorithm,
        signing_input: signing_input(header.as_bytes(), payload.as_bytes()),
        signature_length: (credential.key_bits() as usize).div_ceil(8),
    })
}

/// `"name":"value"`, the member names being plain ASCII.
fn json_member(out: &mut String, name: &str, value: &str) {
    out.push('"');
    out.push_str(name);
    out.push_str("\":");
    json_string(out, value);
}

/// A JSON string, escaped as RFC 8259 §7 requires (and as serde_json writes it).
fn json_string(out: &mut String, value: &str) {
    out.push('"');
    // Thumbprints, GUIDs and URLs have nothing to escape: copied at once.
    if crate::ascii::json_string_run(value.as_bytes(), 0) == value.len() {
        out.push_str(value);
        out.push('"');
        return;
    }
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' ' => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(char::from(HEX[(c as usize) >> 4]));
                out.push(char::from(HEX[(c as usize) & 15]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

impl UnsignedAssertion {
    /// Joins the signing input and the caller's signature into the compact JWS that goes into
    /// the token request's `client_assertion`.
    pub fn complete(&self, signature: &[u8]) -> Result<String, Error> {
        let parts: Vec<&str> = self.signing_input.split('.').collect();
        let well_formed = parts.len() == 2
            && parts.iter().all(|p| {
                !p.is_empty()
                    && p.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            });
        if !well_formed {
            return Err(Error::field(
                "signingInput",
                Code::InvalidFormat,
                "the signing input must be two base64url segments joined by a dot",
            ));
        }
        if signature.len() != self.signature_length {
            return Err(Error::field(
                "signature",
                Code::InvalidFormat,
                format!(
                    "the signature is {} bytes; an RSA signature with this key is {} bytes",
                    signature.len(),
                    self.signature_length
                ),
            )
            .with_hint("sign the signing input's bytes with the credential's private key"));
        }
        Ok(compact(&self.signing_input, signature))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn options_default_to_ps256_and_ten_minutes() {
        let o: Options = serde_json::from_value(serde_json::json!({})).unwrap();
        assert_eq!(o, Options::default());
        assert_eq!(o.profile.algorithm(), Algorithm::Ps256);
        assert_eq!(o.lifetime_seconds, 600);
        let o: Options =
            serde_json::from_value(serde_json::json!({"profile": "rs256Sha1"})).unwrap();
        assert_eq!(o.profile.algorithm(), Algorithm::Rs256);
        assert!(serde_json::from_value::<Options>(serde_json::json!({"alg": "HS256"})).is_err());
    }

    #[test]
    fn web_crypto_parameters() {
        assert_eq!(
            serde_json::to_value(Algorithm::Ps256.web_crypto()).unwrap(),
            serde_json::json!({"name": "RSA-PSS", "hash": "SHA-256", "saltLength": 32})
        );
        assert_eq!(
            serde_json::to_value(Algorithm::Rs256.web_crypto()).unwrap(),
            serde_json::json!({"name": "RSASSA-PKCS1-v1_5", "hash": "SHA-256"})
        );
        assert_eq!(serde_json::to_value(Algorithm::Rs256).unwrap(), "RS256");
    }

    #[test]
    fn complete_checks_shape_and_length() {
        let u = UnsignedAssertion {
            algorithm: Algorithm::Rs256,
            signing_input: "eyJ9.eyJ9".into(),
            signature_length: 2,
        };
        assert_eq!(u.complete(&[0xfb, 0xff]).unwrap(), "eyJ9.eyJ9.-_8");
        let e = u.complete(&[1]).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (Code::InvalidFormat, Some("signature"))
        );
        for bad in ["", "a", "a.", ".b", "a.b.c", "a+b.c", "a.b="] {
            let u = UnsignedAssertion {
                signing_input: bad.into(),
                ..u.clone()
            };
            let e = u.complete(&[1, 2]).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("signingInput"), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn json_strings_are_escaped_like_serde_json(text in "(.|[\\x00-\\x1f\"\\\\])*") {
            let mut out = String::new();
            json_string(&mut out, &text);
            prop_assert_eq!(out, serde_json::to_string(&text).unwrap());
        }

        #[test]
        fn complete_never_panics(input in ".{0,80}", sig in proptest::collection::vec(any::<u8>(), 0..8), len in 0usize..8) {
            let u = UnsignedAssertion { algorithm: Algorithm::Ps256, signing_input: input.clone(), signature_length: len };
            if let Ok(jws) = u.complete(&sig) {
                prop_assert_eq!(sig.len(), len);
                prop_assert!(jws.starts_with(&input));
            }
        }
    }
}
