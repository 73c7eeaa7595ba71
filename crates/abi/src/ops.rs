//! The abi's adapter over the typed core: `call(op, input) -> output`, JSON in and out.
//!
//! A runtime without bindings can only pass bytes, so this table names every protocol step and
//! its JSON shapes (ABI.md); the core itself has typed functions only. The golden vectors in
//! `tests/vectors/` name an op and its JSON input, and run through this table natively and under
//! wasmtime. Each arm deserializes its input into the core's typed values (the boundary where
//! parsing happens once) and serializes the typed result.

use azconn_core::cert::{Credential, CredentialInput};
use azconn_core::cloud::Cloud;
use azconn_core::error::{Code, Error};
use azconn_core::form::{self, ConnectionForm, ConnectionType};
use azconn_core::http::HttpResponse;
use azconn_core::ids::{AuthorityTenant, ClientId, ClientSecret, TenantId};
use azconn_core::jose::assertion::{self, Claims, Options, UnsignedAssertion};
use azconn_core::oauth::authorize::{
    self, AppConfigurationAudience, AuthorizeEntropy, AuthorizeParams, Hint, Prompt, RedirectUri,
};
use azconn_core::oauth::callback::{parse_admin_consent_callback, parse_callback};
use azconn_core::oauth::entra_error::parse_error_response;
use azconn_core::oauth::jwt::decode_unverified_claims;
use azconn_core::oauth::pkce::CodeVerifier;
use azconn_core::oauth::random::State;
use azconn_core::oauth::token::{
    self, AuthorizationCode, ClientAssertion, ClientAuth, Grant, RefreshToken,
};
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

mod protocols;

/// Runs operation `op` on `input`.
pub fn call(op: &str, input: Value) -> Result<Value, Error> {
    if protocols::handles(op) {
        protocols::call(op, input)
    } else {
        call_browser(op, input)
    }
}

/// The ops a browser form needs: [`call_forms`] and [`call_certificates`], without the Graph /
/// App Configuration / sync / rotation / retry code. A build that only references this function
/// lets the linker drop those modules (the npm browser entry).
pub fn call_browser(op: &str, input: Value) -> Result<Value, Error> {
    if handles_certificates(op) {
        call_certificates(op, input)
    } else {
        call_forms(op, input)
    }
}

/// Whether `op` is one of [`call_certificates`]'s.
pub fn handles_certificates(op: &str) -> bool {
    op.starts_with("cert.") || op.starts_with("jose.")
}

/// Ids, clouds, form validation and OAuth: no certificate parsing, so a build that only
/// references this function leaves out the DER / PKCS / cipher code (the npm forms module).
pub fn call_forms(op: &str, input: Value) -> Result<Value, Error> {
    match op {
        "ids.tenantId" => parse_str(input, |s| TenantId::parse(s).map(|t| json!(t.to_string()))),
        "ids.authorityTenant" => parse_str(input, |s| {
            AuthorityTenant::parse(s).map(|t| json!(t.to_string()))
        }),
        "ids.clientId" => parse_str(input, |s| ClientId::parse(s).map(|c| json!(c.to_string()))),
        "ids.clientSecret" => parse_str(input, |s| ClientSecret::parse(s).map(|_| json!("ok"))),
        "cloud.endpoints" => {
            let cloud: Cloud = from_input(input)?;
            to_output(cloud.endpoints())
        }
        "form.validate" => form_validate(from_input(input)?),
        "oauth.scopes" => {
            let i: ScopesInput = from_input(input)?;
            let ct = i.connection_type;
            to_output(&json!({
                "resourceScope": authorize::resource_scope(ct, &i.cloud, i.app_configuration_audience)?,
                "delegatedScopes": authorize::delegated_scopes(ct, &i.cloud, i.app_configuration_audience)?,
            }))
        }
        "oauth.pkceChallenge" => pkce_challenge(from_input(input)?),
        "oauth.authorize" => oauth_authorize(from_input(input)?),
        "oauth.adminConsent" => admin_consent(from_input(input)?),
        "oauth.tokenRequest" => token_request(from_input(input)?),
        "oauth.parseToken" => {
            let i: ParseTokenInput = from_input(input)?;
            to_output(&token::parse_token_response(&i.response, i.now)?)
        }
        "oauth.parseError" => {
            let i: ResponseInput = from_input(input)?;
            let e = parse_error_response(&i.response)?;
            to_output(
                &json!({ "entra": &e, "class": e.class(), "boundary": e.clone().into_error() }),
            )
        }
        "oauth.parseCallback" => {
            let i: CallbackInput = from_input(input)?;
            let code = parse_callback(&i.query, &State::parse(&i.expected_state)?)?;
            to_output(&json!({ "code": code }))
        }
        "oauth.parseAdminConsentCallback" => {
            let i: CallbackInput = from_input(input)?;
            to_output(&parse_admin_consent_callback(
                &i.query,
                &State::parse(&i.expected_state)?,
            )?)
        }
        "jwt.decodeUnverified" => parse_str(input, |s| to_output(&decode_unverified_claims(s)?)),
        _ => Err(unknown_op(op)),
    }
}

/// Certificate inspection, the private key for WebCrypto and the client assertion (RFC 7523).
pub fn call_certificates(op: &str, input: Value) -> Result<Value, Error> {
    match op {
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
        _ => Err(unknown_op(op)),
    }
}

fn unknown_op(op: &str) -> Error {
    Error::field("op", Code::NotAllowed, format!("unknown operation {op:?}"))
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

/// Decodes hex entropy (`"00ff..."`) given by the host.
fn hex_bytes(hex: &str, field: &str) -> Result<Vec<u8>, Error> {
    let bad = || {
        Error::field(
            field,
            Code::InvalidFormat,
            "entropy must be given as hex digits",
        )
    };
    if !hex.len().is_multiple_of(2) {
        return Err(bad());
    }
    hex.as_bytes()
        .chunks(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|p| u8::from_str_radix(p, 16).ok())
                .ok_or_else(bad)
        })
        .collect()
}

fn optional<T>(
    s: &Option<String>,
    parse: impl FnOnce(&str) -> Result<T, Error>,
) -> Result<Option<T>, Error> {
    s.as_deref()
        .filter(|v| !v.trim().is_empty())
        .map(parse)
        .transpose()
}

/// A tenant for interactive flows: empty means `organizations` (see [`form::Credentials::OAuth`]).
fn authority_tenant(s: &Option<String>) -> Result<AuthorityTenant, Error> {
    Ok(optional(s, AuthorityTenant::parse)?.unwrap_or(AuthorityTenant::Organizations))
}

fn form_validate(form: ConnectionForm) -> Result<Value, Error> {
    match form::validate(&form) {
        Err(errors) => to_output(&json!({ "valid": false, "errors": errors })),
        Ok(v) => {
            let tenant = v.credentials.tenant();
            let client_id = v.credentials.client_id().map(ToString::to_string);
            to_output(&json!({ "valid": true, "connection": {
                "name": v.name,
                "description": v.description,
                "connectionType": v.connection_type,
                "method": v.credentials.method(),
                "cloud": v.cloud.name(),
                "tenantId": tenant,
                "clientId": client_id,
                "endpoint": v.endpoint.map(|e| e.to_string()),
            }}))
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ScopesInput {
    #[serde(default)]
    cloud: Cloud,
    connection_type: ConnectionType,
    #[serde(default)]
    app_configuration_audience: AppConfigurationAudience,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PkceInput {
    verifier: Option<String>,
    entropy: Option<String>,
}

fn pkce_challenge(i: PkceInput) -> Result<Value, Error> {
    let verifier = match (i.verifier, i.entropy) {
        (Some(v), None) => CodeVerifier::parse(&v)?,
        (None, Some(hex)) => {
            let bytes: [u8; 32] = hex_bytes(&hex, "entropy")?.try_into().map_err(|_| {
                Error::field(
                    "entropy",
                    Code::InvalidFormat,
                    "a code verifier takes exactly 32 random bytes",
                )
            })?;
            CodeVerifier::from_random(&bytes)
        }
        _ => {
            return Err(Error::field(
                "input",
                Code::InvalidFormat,
                "give either `verifier` or `entropy`",
            ));
        }
    };
    to_output(&json!({
        "verifier": verifier.expose(),
        "challenge": verifier.challenge().as_str(),
        "method": "S256",
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct EntropyInput {
    verifier: String,
    state: String,
    nonce: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AuthorizeInput {
    #[serde(default)]
    cloud: Cloud,
    tenant_id: Option<String>,
    client_id: String,
    redirect_uri: String,
    connection_type: ConnectionType,
    #[serde(default)]
    app_configuration_audience: AppConfigurationAudience,
    prompt: Option<Prompt>,
    login_hint: Option<String>,
    domain_hint: Option<String>,
    entropy: EntropyInput,
}

fn oauth_authorize(i: AuthorizeInput) -> Result<Value, Error> {
    let params = AuthorizeParams {
        cloud: i.cloud,
        tenant: authority_tenant(&i.tenant_id)?,
        client_id: ClientId::parse(&i.client_id)?,
        redirect_uri: RedirectUri::parse(&i.redirect_uri)?,
        connection_type: i.connection_type,
        audience: i.app_configuration_audience,
        prompt: i.prompt,
        login_hint: optional(&i.login_hint, |s| Hint::parse(s, "loginHint"))?,
        domain_hint: optional(&i.domain_hint, |s| Hint::parse(s, "domainHint"))?,
    };
    let verifier: [u8; 32] = hex_bytes(&i.entropy.verifier, "entropy.verifier")?
        .try_into()
        .map_err(|_| {
            Error::field(
                "entropy.verifier",
                Code::InvalidFormat,
                "the code verifier takes exactly 32 random bytes",
            )
        })?;
    let entropy = AuthorizeEntropy {
        verifier,
        state: hex_bytes(&i.entropy.state, "entropy.state")?,
        nonce: hex_bytes(&i.entropy.nonce, "entropy.nonce")?,
    };
    let r = authorize::authorize_url(&params, &entropy)?;
    to_output(&json!({
        "url": r.url,
        "codeVerifier": r.code_verifier.expose(),
        "state": r.state.as_str(),
        "nonce": r.nonce.as_str(),
        "redirectUri": r.redirect_uri,
        "tenant": r.tenant,
        "scopes": r.scopes,
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AdminConsentInput {
    #[serde(default)]
    cloud: Cloud,
    tenant_id: String,
    client_id: String,
    redirect_uri: String,
    connection_type: ConnectionType,
    #[serde(default)]
    app_configuration_audience: AppConfigurationAudience,
    state_entropy: String,
}

fn admin_consent(i: AdminConsentInput) -> Result<Value, Error> {
    let state = State::from_random(&hex_bytes(&i.state_entropy, "stateEntropy")?)?;
    let scope =
        authorize::resource_scope(i.connection_type, &i.cloud, i.app_configuration_audience)?;
    let url = authorize::admin_consent_url(
        &i.cloud,
        &AuthorityTenant::parse(&i.tenant_id)?,
        &ClientId::parse(&i.client_id)?,
        &RedirectUri::parse(&i.redirect_uri)?,
        &scope,
        &state,
    )?;
    to_output(&json!({ "url": url, "state": state.as_str() }))
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum GrantInput {
    #[serde(rename_all = "camelCase")]
    AuthorizationCode {
        code: String,
        redirect_uri: String,
        code_verifier: String,
        scopes: Vec<String>,
    },
    #[serde(rename_all = "camelCase")]
    RefreshToken {
        refresh_token: String,
        scopes: Vec<String>,
    },
    ClientCredentials {
        scope: String,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TokenRequestInput {
    #[serde(default)]
    cloud: Cloud,
    tenant_id: Option<String>,
    client_id: String,
    client_secret: Option<String>,
    client_assertion: Option<String>,
    grant: GrantInput,
}

fn token_request(i: TokenRequestInput) -> Result<Value, Error> {
    let auth = match (&i.client_secret, &i.client_assertion) {
        (Some(s), None) => ClientAuth::Secret(ClientSecret::parse(s)?),
        (None, Some(a)) => ClientAuth::Assertion(ClientAssertion::parse(a)?),
        _ => {
            return Err(Error::field(
                "clientSecret",
                Code::Required,
                "give exactly one of `clientSecret` or `clientAssertion`",
            ));
        }
    };
    let grant = match i.grant {
        GrantInput::AuthorizationCode {
            code,
            redirect_uri,
            code_verifier,
            scopes,
        } => Grant::AuthorizationCode {
            code: AuthorizationCode::parse(&code)?,
            redirect_uri: RedirectUri::parse(&redirect_uri)?,
            code_verifier: CodeVerifier::parse(&code_verifier)?,
            scopes,
        },
        GrantInput::RefreshToken {
            refresh_token,
            scopes,
        } => Grant::RefreshToken {
            refresh_token: RefreshToken::parse(&refresh_token)?,
            scopes,
        },
        GrantInput::ClientCredentials { scope } => Grant::ClientCredentials { scope },
    };
    let tenant = match &grant {
        // Client credentials need a real tenant: parse it as one for the precise error.
        Grant::ClientCredentials { .. } => {
            AuthorityTenant::Tenant(TenantId::parse(i.tenant_id.as_deref().unwrap_or(""))?)
        }
        _ => authority_tenant(&i.tenant_id)?,
    };
    to_output(&token::token_request(
        &i.cloud,
        &tenant,
        &ClientId::parse(&i.client_id)?,
        &auth,
        &grant,
    )?)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ParseTokenInput {
    response: HttpResponse,
    now: u64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ResponseInput {
    response: HttpResponse,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CallbackInput {
    query: String,
    expected_state: String,
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
    #[serde(default)]
    cloud: Cloud,
    tenant_id: String,
    client_id: String,
    /// 16 bytes as 32 hex digits, drawn by the host (the `jti`).
    jti_entropy: String,
    #[serde(default)]
    options: Options,
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
    let entropy: [u8; 16] = hex_bytes(&input.jti_entropy, "jtiEntropy")?
        .try_into()
        .map_err(|_| {
            Error::field(
                "jtiEntropy",
                Code::InvalidFormat,
                "expected 16 random bytes as 32 hex digits",
            )
        })?;
    let credential = Credential::load(&input.credential, input.now)?;
    let claims = Claims::new(
        input.cloud.endpoints(),
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
