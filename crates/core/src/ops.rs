//! One JSON entry point over the whole core: `call(op, input) -> output`.
//!
//! The golden vectors in `tests/vectors/` name an op and its JSON input; the native tests, the
//! plain-ABI wasm module and the npm package all answer them through this table, so one vector
//! set checks three runtimes. Each arm deserializes its input into the core's typed values (the
//! boundary where parsing happens once) and serializes the typed result.

use crate::cert::{Credential, CredentialInput};
use crate::cloud::Cloud;
use crate::error::{Code, Error};
use crate::ids::{AuthorityTenant, ClientId, ClientSecret, TenantId};
use crate::jose::assertion::{self, Claims, Options, UnsignedAssertion};
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Runs operation `op` on `input`.
pub fn call(op: &str, input: Value) -> Result<Value, Error> {
    match op {
        "ids.tenantId" => parse_str(input, |s| TenantId::parse(s).map(|t| json!(t.to_string()))),
        "ids.authorityTenant" => parse_str(input, |s| {
            AuthorityTenant::parse(s).map(|t| json!(t.to_string()))
        }),
        "ids.clientId" => parse_str(input, |s| ClientId::parse(s).map(|c| json!(c.to_string()))),
        "ids.clientSecret" => parse_str(input, |s| ClientSecret::parse(s).map(|_| json!("ok"))),
        "cloud.endpoints" => {
            let cloud: Cloud = from_input(input)?;
            to_output(&cloud.endpoints())
        }
        // {credential: {certificate?, privateKey?, privateKeyPassphrase?, pfx?, pfxPassword?},
        //  now} -> CertificateReport
        "cert.inspect" => {
            let input: CredentialAt = from_input(input)?;
            to_output(Credential::load(&input.credential, input.now)?.report())
        }
        // Same input -> {pkcs8: base64 PKCS#8 DER}, for WebCrypto importKey("pkcs8"). Secret.
        "cert.privateKeyPkcs8" => {
            let input: CredentialAt = from_input(input)?;
            let credential = Credential::load(&input.credential, input.now)?;
            Ok(json!({"pkcs8": credential.pkcs8_base64()}))
        }
        // {credential, now, cloud?, tenantId, clientId, jtiEntropy (32 hex), options?}
        //  -> {algorithm, signingInput, signatureLength, webCrypto}
        "jose.assertionSigningInput" => assertion_signing_input(from_input(input)?),
        // {algorithm, signingInput, signatureLength, signature (base64url)} -> compact JWS
        "jose.assertionCompact" => {
            let input: AssertionCompact = from_input(input)?;
            let signature = decode_signature(&input.signature)?;
            to_output(&input.assertion.complete(&signature)?)
        }
        _ => Err(Error::field(
            "op",
            Code::NotAllowed,
            format!("unknown operation {op:?}"),
        )),
    }
}

/// Deserializes an op's input, reporting the failing path as the field.
pub fn from_input<T: DeserializeOwned>(input: Value) -> Result<T, Error> {
    serde_json::from_value(input)
        .map_err(|e| Error::field("input", Code::InvalidFormat, format!("invalid input: {e}")))
}

pub fn to_output<T: Serialize>(value: &T) -> Result<Value, Error> {
    serde_json::to_value(value).map_err(|e| {
        Error::new(
            Code::MalformedResponse,
            format!("cannot serialize output: {e}"),
        )
    })
}

fn parse_str(input: Value, f: impl FnOnce(&str) -> Result<Value, Error>) -> Result<Value, Error> {
    match input {
        Value::String(s) => f(&s),
        _ => Err(Error::field(
            "input",
            Code::InvalidFormat,
            "expected a JSON string",
        )),
    }
}

/// A credential and the time to check it at.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CredentialAt {
    credential: CredentialInput,
    now: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AssertionInput {
    credential: CredentialInput,
    now: i64,
    #[serde(default = "global")]
    cloud: Cloud,
    tenant_id: String,
    client_id: String,
    /// 16 bytes as 32 hex digits, drawn by the host (the `jti`).
    jti_entropy: String,
    #[serde(default)]
    options: Options,
}

fn global() -> Cloud {
    Cloud::Global
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AssertionCompact {
    #[serde(flatten)]
    assertion: UnsignedAssertion,
    /// base64url of the signature bytes.
    signature: String,
}

fn assertion_signing_input(input: AssertionInput) -> Result<Value, Error> {
    let tenant = TenantId::parse(&input.tenant_id)?;
    let client_id = ClientId::parse(&input.client_id)?;
    let entropy = parse_entropy(&input.jti_entropy)?;
    let credential = Credential::load(&input.credential, input.now)?;
    let claims = Claims::new(
        &input.cloud.endpoints(),
        &tenant,
        client_id,
        input.now,
        entropy,
    );
    let unsigned = assertion::prepare(&credential, &claims, &input.options)?;
    let mut out = to_output(&unsigned)?;
    out["webCrypto"] = to_output(&unsigned.algorithm.web_crypto())?;
    Ok(out)
}

fn parse_entropy(hex: &str) -> Result<[u8; 16], Error> {
    let bad = || {
        Error::field(
            "jtiEntropy",
            Code::InvalidFormat,
            "expected 16 random bytes as 32 hex digits",
        )
    };
    if hex.len() != 32 || !hex.is_ascii() {
        return Err(bad());
    }
    let mut out = [0u8; 16];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
    }
    Ok(out)
}

fn decode_signature(text: &str) -> Result<Vec<u8>, Error> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .map_err(|_| {
            Error::field(
                "signature",
                Code::InvalidFormat,
                "the signature must be base64url",
            )
        })
}
