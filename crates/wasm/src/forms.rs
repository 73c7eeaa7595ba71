//! The forms exports (entry `azconn/forms`): ids, clouds, form validation and the OAuth steps a
//! form page takes to start a sign-in (PKCE, authorize and admin-consent URLs). The steps from
//! the redirect on (callback parsing, token request and response, Entra errors, JWT display)
//! are in `tokens.rs`. Each takes and returns JavaScript values; a refusal throws
//! `AzconnError` naming its field.

use crate::js;
use crate::read::{Input, read_cloud, wrong_type};
use crate::{Answer, fail};
use azconn_core::cloud::{CloudEndpoints, HostPattern};
use azconn_core::error::{Code, Error};
use azconn_core::form::{self, ConnectionForm, ConnectionType};
use azconn_core::ids::{AuthorityTenant, ClientId, ClientSecret, TenantId};
use azconn_core::oauth::authorize::{
    self, AppConfigurationAudience, AuthorizeEntropy, AuthorizeParams, Hint, Prompt, RedirectUri,
};
use azconn_core::oauth::pkce::CodeVerifier;
use azconn_core::oauth::random::State;
use azconn_core::prelude::*;
use azconn_core::text::join;
use wasm_bindgen::prelude::*;
use zeroize::Zeroize;

/// A tenant ID (GUID or verified domain), normalized.
#[wasm_bindgen(js_name = tenantId)]
pub fn tenant_id(input: &str) -> Answer<String> {
    TenantId::parse(input).map(|t| t.to_text()).map_err(fail)
}

/// A tenant for interactive sign-in: a tenant, `organizations`, `common` or `consumers`.
#[wasm_bindgen(js_name = authorityTenant)]
pub fn authority_tenant(input: &str) -> Answer<String> {
    AuthorityTenant::parse(input)
        .map(|t| t.to_text())
        .map_err(fail)
}

/// An Application (client) ID, normalized to lower case.
#[wasm_bindgen(js_name = clientId)]
pub fn client_id(input: &str) -> Answer<String> {
    ClientId::parse(input).map(|c| c.to_text()).map_err(fail)
}

/// Checks a client secret's shape (the secret's Value, not its ID); the copy is zeroed.
#[wasm_bindgen(js_name = checkClientSecret)]
pub fn check_client_secret(mut input: String) -> Answer<()> {
    let result = ClientSecret::parse(&input).map(|_| ()).map_err(fail);
    input.zeroize();
    result
}

/// Every endpoint of a cloud: a name (`global`, `us-government`, `china`) or a custom cloud.
#[wasm_bindgen(js_name = cloudEndpoints, unchecked_return_type = "CloudEndpoints")]
pub fn cloud_endpoints(
    #[wasm_bindgen(unchecked_param_type = "CloudInput | undefined")] cloud: JsValue,
) -> Answer<JsValue> {
    let cloud = read_cloud(cloud).map_err(fail)?;
    Ok(endpoints_value(cloud.endpoints()))
}

fn endpoints_value(e: &CloudEndpoints) -> JsValue {
    let hosts: Vec<&str> = e
        .app_configuration_hosts
        .iter()
        .map(HostPattern::as_str)
        .collect();
    js::cloud_endpoints(
        &e.authority_host.to_text(),
        &e.graph_root.to_text(),
        &e.graph_audience,
        &e.arm_host.to_text(),
        &join(&hosts, "\n"),
        &e.app_configuration_audience,
    )
}

/// Validates an add-connection form in one pass: every field error at once, or the typed
/// connection. Secret fields are zeroed in wasm memory afterwards.
#[wasm_bindgen(js_name = validateForm, unchecked_return_type = "FormValidation")]
pub fn validate_form(
    #[wasm_bindgen(unchecked_param_type = "ConnectionFormInput")] form: JsValue,
) -> Answer<JsValue> {
    let mut input = read_form(form).map_err(fail)?;
    let out = match form::validate(&input) {
        Err(errors) => {
            let list = js::list();
            for e in errors {
                js::push(&list, error_value(e));
            }
            js::invalid_form(list)
        }
        Ok(v) => {
            let tenant = v.credentials.tenant();
            let client_id = v.credentials.client_id().map(ClientId::to_text);
            let endpoint = v.endpoint.as_ref().map(|e| e.origin().to_text());
            js::valid_form(
                v.name.as_str(),
                v.description.as_deref(),
                v.connection_type.as_str(),
                v.credentials.method().as_str(),
                v.cloud.name(),
                &tenant,
                client_id.as_deref(),
                endpoint.as_deref(),
            )
        }
    };
    input.client_secret.zeroize();
    input.private_key.zeroize();
    input.private_key_passphrase.zeroize();
    Ok(out)
}

fn read_form(value: JsValue) -> Result<ConnectionForm, Error> {
    let o = Input::object(value, "form", "")?;
    Ok(ConnectionForm {
        name: o.text("name")?,
        description: o.text("description")?,
        connection_type: o.text("connectionType")?,
        method: o.text("method")?,
        tenant_id: o.text("tenantId")?,
        client_id: o.text("clientId")?,
        client_secret: o.text("clientSecret")?,
        certificate: o.text("certificate")?,
        private_key: o.text("privateKey")?,
        private_key_passphrase: o.text("privateKeyPassphrase")?,
        endpoint: o.text("endpoint")?,
        cloud: read_cloud(o.raw("cloud"))?,
    })
}

/// `{code, message, field?, hint?}` as the UI lists field errors.
pub(crate) fn error_value(e: Error) -> JsValue {
    js::error_object(
        e.code.as_str(),
        &e.message,
        e.field.as_deref(),
        e.hint.as_deref(),
    )
}

fn connection_type(o: &Input) -> Result<ConnectionType, Error> {
    ConnectionType::parse(&o.str("connectionType")?)
}

fn audience(o: &Input) -> Result<AppConfigurationAudience, Error> {
    match o.opt_str("appConfigurationAudience")?.as_deref() {
        None | Some("cloud") => Ok(AppConfigurationAudience::Cloud),
        Some("legacy") => Ok(AppConfigurationAudience::Legacy),
        Some(_) => Err(wrong_type(
            o.field("appConfigurationAudience"),
            Code::InvalidFormat,
            "cloud or legacy",
        )),
    }
}

/// The resource scope (client credentials) and delegated scopes (sign-in) of a connection.
#[wasm_bindgen(unchecked_return_type = "Scopes")]
pub fn scopes(
    #[wasm_bindgen(unchecked_param_type = "ScopesParams")] params: JsValue,
) -> Answer<JsValue> {
    let run = || -> Result<JsValue, Error> {
        let o = Input::object(params, "params", "")?;
        let ct = connection_type(&o)?;
        let cloud = read_cloud(o.raw("cloud"))?;
        let aud = audience(&o)?;
        Ok(js::scopes(
            &authorize::resource_scope(ct, &cloud, aud)?,
            &join(&authorize::delegated_scopes(ct, &cloud, aud)?, " "),
        ))
    };
    run().map_err(fail)
}

/// The S256 challenge of a code verifier (RFC 7636).
#[wasm_bindgen(js_name = pkceChallenge, unchecked_return_type = "Pkce")]
pub fn pkce_challenge(verifier: &str) -> Answer<JsValue> {
    let v = CodeVerifier::parse(verifier).map_err(fail)?;
    Ok(js::pkce(v.expose(), v.challenge().as_str()))
}

/// A code verifier from 32 random bytes, and its challenge.
#[wasm_bindgen(js_name = pkceFromEntropy, unchecked_return_type = "Pkce")]
pub fn pkce_from_entropy(mut entropy: Vec<u8>) -> Answer<JsValue> {
    let bytes: Result<[u8; 32], _> = entropy.as_slice().try_into();
    entropy.zeroize();
    let mut bytes = bytes.map_err(|_| {
        fail(Error::field(
            "entropy",
            Code::InvalidFormat,
            "a code verifier takes exactly 32 random bytes",
        ))
    })?;
    let v = CodeVerifier::from_random(&bytes);
    bytes.zeroize();
    Ok(js::pkce(v.expose(), v.challenge().as_str()))
}

fn optional<T>(
    s: Option<String>,
    parse: impl FnOnce(&str) -> Result<T, Error>,
) -> Result<Option<T>, Error> {
    s.filter(|v| !v.trim().is_empty())
        .as_deref()
        .map(parse)
        .transpose()
}

/// A tenant for interactive flows: empty means `organizations`.
pub(crate) fn interactive_tenant(s: Option<String>) -> Result<AuthorityTenant, Error> {
    Ok(optional(s, AuthorityTenant::parse)?.unwrap_or(AuthorityTenant::Organizations))
}

fn prompt(o: &Input) -> Result<Option<Prompt>, Error> {
    Ok(match o.opt_str("prompt")?.as_deref() {
        None => None,
        Some("login") => Some(Prompt::Login),
        Some("none") => Some(Prompt::None),
        Some("consent") => Some(Prompt::Consent),
        Some("select_account") => Some(Prompt::SelectAccount),
        Some(_) => {
            return Err(wrong_type(
                o.field("prompt"),
                Code::InvalidFormat,
                "login, none, consent or select_account",
            ));
        }
    })
}

/// The caller's entropy member `key` (tests give it; absent means the caller gave none).
fn given_entropy(e: &Input, key: &str) -> Result<Vec<u8>, Error> {
    e.opt_bytes(key)?
        .ok_or_else(|| wrong_type(e.field(key), Code::Required, "a Uint8Array"))
}

/// The authorize URL (authorization code + PKCE) and what to keep for the callback. Entropy
/// is drawn from `crypto.getRandomValues` unless `params.entropy` gives it (tests).
#[wasm_bindgen(js_name = authorizeRequest, unchecked_return_type = "AuthorizeRequest")]
pub fn authorize_request(
    #[wasm_bindgen(unchecked_param_type = "AuthorizeParams")] params: JsValue,
) -> Answer<JsValue> {
    let run = || -> Result<JsValue, Error> {
        let o = Input::object(params, "params", "")?;
        let p = AuthorizeParams {
            cloud: read_cloud(o.raw("cloud"))?,
            tenant: interactive_tenant(o.opt_str("tenantId")?)?,
            client_id: ClientId::parse(&o.str("clientId")?)?,
            redirect_uri: RedirectUri::parse(&o.str("redirectUri")?)?,
            connection_type: connection_type(&o)?,
            audience: audience(&o)?,
            prompt: prompt(&o)?,
            login_hint: optional(o.opt_str("loginHint")?, |s| Hint::parse(s, "loginHint"))?,
            domain_hint: optional(o.opt_str("domainHint")?, |s| Hint::parse(s, "domainHint"))?,
        };
        let (mut verifier, state, nonce) = match o.opt_object("entropy", "entropy.")? {
            Some(e) => (
                given_entropy(&e, "verifier")?,
                given_entropy(&e, "state")?,
                given_entropy(&e, "nonce")?,
            ),
            // One draw from `crypto.getRandomValues` (one boundary crossing) for all three.
            None => {
                let mut all = js::random_bytes(64);
                let parts = (all[..32].to_vec(), all[32..48].to_vec(), all[48..].to_vec());
                all.zeroize();
                parts
            }
        };
        let fixed: Result<[u8; 32], _> = verifier.as_slice().try_into();
        verifier.zeroize();
        let mut entropy = AuthorizeEntropy {
            verifier: fixed.map_err(|_| {
                Error::field(
                    "entropy.verifier",
                    Code::InvalidFormat,
                    "the code verifier takes exactly 32 random bytes",
                )
            })?,
            state,
            nonce,
        };
        let r = authorize::authorize_url(&p, &entropy);
        entropy.verifier.zeroize();
        let r = r?;
        Ok(js::authorize_request(
            &r.url,
            r.code_verifier.expose(),
            r.state.as_str(),
            r.nonce.as_str(),
            r.redirect_uri.as_str(),
            &r.tenant.to_text(),
            &join(&r.scopes, " "),
        ))
    };
    run().map_err(fail)
}

/// The admin-consent URL for a tenant and its `state`. The state's entropy is drawn from
/// `crypto.getRandomValues` unless `params.stateEntropy` gives it.
#[wasm_bindgen(js_name = adminConsentRequest, unchecked_return_type = "AdminConsentRequest")]
pub fn admin_consent_request(
    #[wasm_bindgen(unchecked_param_type = "AdminConsentParams")] params: JsValue,
) -> Answer<JsValue> {
    let run = || -> Result<JsValue, Error> {
        let o = Input::object(params, "params", "")?;
        let entropy = match o.opt_bytes("stateEntropy")? {
            Some(b) => b,
            None => js::random_bytes(16),
        };
        let state = State::from_random(&entropy).map_err(|e| e.at("stateEntropy"))?;
        let cloud = read_cloud(o.raw("cloud"))?;
        let scope = authorize::resource_scope(connection_type(&o)?, &cloud, audience(&o)?)?;
        let url = authorize::admin_consent_url(
            &cloud,
            &AuthorityTenant::parse(&o.str("tenantId")?)?,
            &ClientId::parse(&o.str("clientId")?)?,
            &RedirectUri::parse(&o.str("redirectUri")?)?,
            &scope,
            &state,
        )?;
        Ok(js::admin_consent_request(&url, state.as_str()))
    };
    run().map_err(fail)
}
