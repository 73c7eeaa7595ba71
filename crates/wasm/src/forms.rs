//! The forms exports (entry `azconn/forms`): ids, clouds, form validation and the OAuth steps a
//! browser takes (PKCE, authorize and admin-consent URLs, callback parsing, token bodies and
//! responses, Entra errors, JWT display). Each takes and returns JavaScript values; a refusal
//! throws `AzconnError` naming its field.

use crate::js;
use crate::read::{self, Input, read_cloud, response, wrong_type};
use crate::{Answer, fail};
use azconn_core::cloud::{CloudEndpoints, HostPattern};
use azconn_core::error::{Code, Error};
use azconn_core::form::{self, ConnectionForm, ConnectionType};
use azconn_core::ids::{AuthorityTenant, ClientId, ClientSecret, TenantId};
use azconn_core::oauth::authorize::{
    self, AppConfigurationAudience, AuthorizeEntropy, AuthorizeParams, Hint, Prompt, RedirectUri,
};
use azconn_core::oauth::callback;
use azconn_core::oauth::entra_error::{self, EntraError};
use azconn_core::oauth::jwt;
use azconn_core::oauth::pkce::CodeVerifier;
use azconn_core::oauth::random::State;
use azconn_core::oauth::token::{
    self, AuthorizationCode, ClientAssertion, ClientAuth, Grant, RefreshToken, TokenFields,
};
use azconn_core::text::join;
use azconn_core::wipe;
use std::borrow::Cow;
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
    let e = read_cloud(cloud).map_err(fail)?.endpoints();
    Ok(endpoints_value(&e))
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
fn error_value(e: Error) -> JsValue {
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
fn interactive_tenant(s: Option<String>) -> Result<AuthorityTenant, Error> {
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

/// The authorization code from the callback query, after the constant-time `state` check.
#[wasm_bindgen(js_name = parseCallback)]
pub fn parse_callback(query: &str, expected_state: &str) -> Answer<String> {
    let run = || -> Result<String, Error> {
        let code = callback::parse_callback(query, &State::parse(expected_state)?)?;
        Ok(code.expose().to_owned())
    };
    run().map_err(fail)
}

/// The admin-consent callback: granted scopes and the tenant Entra reports (display only).
#[wasm_bindgen(js_name = parseAdminConsentCallback, unchecked_return_type = "AdminConsent")]
pub fn parse_admin_consent_callback(query: &str, expected_state: &str) -> Answer<JsValue> {
    let run = || -> Result<JsValue, Error> {
        let c = callback::parse_admin_consent_callback(query, &State::parse(expected_state)?)?;
        Ok(js::admin_consent(
            c.reported_tenant.as_deref(),
            &join(&c.scopes, " "),
        ))
    };
    run().map_err(fail)
}

fn grant(g: Input) -> Result<Grant, Error> {
    let scopes = |g: &Input| g.strings("scopes");
    match g.str("type")?.as_str() {
        "authorization_code" => Ok(Grant::AuthorizationCode {
            code: secret(&g, "code", AuthorizationCode::parse)?,
            redirect_uri: RedirectUri::parse(&g.str("redirectUri")?)?,
            code_verifier: secret(&g, "codeVerifier", CodeVerifier::parse)?,
            scopes: scopes(&g)?,
        }),
        "refresh_token" => Ok(Grant::RefreshToken {
            refresh_token: secret(&g, "refreshToken", RefreshToken::parse)?,
            scopes: scopes(&g)?,
        }),
        "client_credentials" => Ok(Grant::ClientCredentials {
            scope: g.str("scope")?,
        }),
        _ => Err(wrong_type(
            g.field("type"),
            Code::InvalidFormat,
            "authorization_code, refresh_token or client_credentials",
        )),
    }
}

/// Parses a secret member, zeroing the facade's copy.
fn secret<T>(
    o: &Input,
    key: &str,
    parse: impl FnOnce(&str) -> Result<T, Error>,
) -> Result<T, Error> {
    let mut s = o.str(key)?;
    let out = parse(&s);
    s.zeroize();
    out
}

/// The token request (`POST {authority}/{tenant}/oauth2/v2.0/token`) for a grant, with a client
/// secret or a client assertion. The caller sends it from a server: Entra refuses confidential
/// credentials from a browser origin.
#[wasm_bindgen(js_name = tokenRequest, unchecked_return_type = "HttpRequest")]
pub fn token_request(
    #[wasm_bindgen(unchecked_param_type = "TokenRequestParams")] params: JsValue,
) -> Answer<JsValue> {
    let run = || -> Result<JsValue, Error> {
        let o = Input::object(params, "params", "")?;
        let auth = match (o.opt_str("clientSecret")?, o.opt_str("clientAssertion")?) {
            (Some(mut s), None) => {
                let a = ClientSecret::parse(&s).map(ClientAuth::Secret);
                s.zeroize();
                a?
            }
            (None, Some(a)) => ClientAuth::Assertion(ClientAssertion::parse(&a)?),
            (mut s, _) => {
                if let Some(s) = s.as_mut() {
                    s.zeroize();
                }
                return Err(Error::field(
                    "clientSecret",
                    Code::Required,
                    "give exactly one of `clientSecret` or `clientAssertion`",
                ));
            }
        };
        let g = o
            .opt_object("grant", "grant.")?
            .ok_or_else(|| wrong_type("grant".to_owned(), Code::Required, "an object"))?;
        let grant = grant(g)?;
        let tenant = match &grant {
            // Client credentials need a real tenant: parse it as one for the precise error.
            Grant::ClientCredentials { .. } => AuthorityTenant::Tenant(TenantId::parse(
                o.opt_str("tenantId")?.as_deref().unwrap_or(""),
            )?),
            _ => interactive_tenant(o.opt_str("tenantId")?)?,
        };
        let mut req = token::token_request(
            &read_cloud(o.raw("cloud"))?,
            &tenant,
            &ClientId::parse(&o.str("clientId")?)?,
            &auth,
            &grant,
        )?;
        let out = http_request_value(&req);
        req.body.zeroize();
        Ok(out)
    };
    run().map_err(fail)
}

fn http_request_value(r: &azconn_core::http::HttpRequest) -> JsValue {
    let mut headers = String::new();
    for (k, v) in &r.headers {
        headers.push_str(k);
        headers.push('\n');
        headers.push_str(v);
        headers.push('\n');
    }
    js::http_request(r.method.as_str(), &r.url, &headers, &r.body)
}

/// Parses the token endpoint's answer: status, headers and the body as `response.text()` or
/// `response.arrayBuffer()` gives it (text is the faster: its tokens reach the result as slices
/// of it, never decoded again). An error status throws the typed Entra error. `now` is unix
/// seconds. The body copy in wasm memory is zeroed.
#[wasm_bindgen(js_name = parseTokenResponse, unchecked_return_type = "TokenResponse")]
pub fn parse_token_response(
    status: u16,
    #[wasm_bindgen(unchecked_param_type = "HeadersInput")] headers: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] body: JsValue,
    now: f64,
) -> Answer<JsValue> {
    // A 2xx token response is read from its body alone: its headers cross only for an error.
    let headers = if (200..300).contains(&status) {
        JsValue::UNDEFINED
    } else {
        headers
    };
    let (bytes, ascii_text) = read::body(&body).map_err(fail)?;
    let mut r = response(status, headers, bytes).map_err(fail)?;
    // An ASCII text body is the source of the result's strings: UTF-8 offsets are UTF-16 ones.
    let source = (ascii_text == Some(true)).then_some(&body);
    let out = token::parse_token_fields(&r).map(|f| token_value(&f, &r.body, source, now as u64));
    wipe::string(&mut r.body);
    out.map_err(fail)
}

/// Where each string of a token response sits in the text its value slices them from.
struct Spans {
    access: (u32, u32),
    refresh: Option<(u32, u32)>,
    id: Option<(u32, u32)>,
    scope: (u32, u32),
}

/// Where `s` sits in `body`, if it is a slice of it (a member written without escapes; the copy
/// of an escaped one is another allocation, which cannot lie inside the body's).
fn span(body: &str, s: &str) -> Option<(u32, u32)> {
    let start = (s.as_ptr() as usize).checked_sub(body.as_ptr() as usize)?;
    let end = start + s.len();
    (end <= body.len()).then_some((start as u32, end as u32))
}

/// Whether `scope` reads the same split at whitespace (as the core splits it) and at single
/// spaces (as the result's builder does): printable ASCII words, one space apart.
fn plain_scope(scope: &str) -> bool {
    let mut after_word = false;
    for b in scope.bytes() {
        if b == b' ' {
            if !after_word {
                return false;
            }
            after_word = false;
        } else if b.is_ascii_graphic() {
            after_word = true;
        } else {
            return false;
        }
    }
    after_word || scope.is_empty()
}

/// The members' spans in `body`; `None` when one is not written there as the result has it.
fn spans_in(f: &TokenFields<'_>, body: &str) -> Option<Spans> {
    let member = |s: &Option<Cow<'_, str>>| match s {
        None => Some(None),
        Some(s) => span(body, s).map(Some),
    };
    Some(Spans {
        access: span(body, &f.access_token)?,
        refresh: member(&f.refresh_token)?,
        id: member(&f.id_token)?,
        scope: match &f.scope {
            None => (0, 0),
            Some(s) if plain_scope(s) => span(body, s)?,
            Some(_) => return None,
        },
    })
}

/// The `TokenResponse` value, built by one call: its strings are slices of the ASCII body text
/// (`source`) when every one is written there as is, else of one text that holds them all: the
/// access token, the refresh and id tokens when present, then the scopes. Browser builds
/// (`small`) always take the second path: one path is about 1 KB of wasm less.
fn token_value(f: &TokenFields<'_>, body: &str, source: Option<&JsValue>, now: u64) -> JsValue {
    let value = |source: &JsValue, s: Spans| {
        js::token_response(
            source,
            s.access.0,
            s.access.1,
            s.refresh.map(|r| r.0),
            s.refresh.map_or(0, |r| r.1),
            s.id.map(|i| i.0),
            s.id.map_or(0, |i| i.1),
            s.scope.0,
            s.scope.1,
            f.expires_in as f64,
            f.ext_expires_in.map(|e| e as f64),
            now.saturating_add(f.expires_in) as f64,
        )
    };
    if !cfg!(feature = "small")
        && let Some(source) = source
        && let Some(spans) = spans_in(f, body)
    {
        return value(source, spans);
    }
    let mut text = String::new();
    // Offsets in UTF-16 units; tokens are printable ASCII (checked when parsed): bytes are units.
    let mut at = 0;
    let mut push = |text: &mut String, s: &str| {
        text.push_str(s);
        let start = at;
        at += utf16_len(s);
        (start, at)
    };
    let access = push(&mut text, &f.access_token);
    let refresh = f.refresh_token.as_deref().map(|r| push(&mut text, r));
    let id = f.id_token.as_deref().map(|i| push(&mut text, i));
    let scope = push(&mut text, &join(&f.scopes(), " "));
    let out = value(
        &JsValue::from_str(&text),
        Spans {
            access,
            refresh,
            id,
            scope,
        },
    );
    wipe::string(&mut text);
    out
}

/// A string's length in UTF-16 code units, as JavaScript's `slice` counts: one per char, two
/// for a char outside the BMP (a four-byte sequence, lead byte 0xF0 and above).
fn utf16_len(s: &str) -> u32 {
    s.bytes()
        .map(|b| u32::from(b & 0xC0 != 0x80) + u32::from(b >= 0xF0))
        .sum()
}

/// Parses an Entra error answer: Entra's fields, the class (what to do) and the boundary
/// error with its hint.
#[wasm_bindgen(js_name = parseErrorResponse, unchecked_return_type = "EntraErrorReport")]
pub fn parse_error_response(
    status: u16,
    #[wasm_bindgen(unchecked_param_type = "HeadersInput")] headers: JsValue,
    body: Vec<u8>,
) -> Answer<JsValue> {
    let r = response(status, headers, body).map_err(fail)?;
    let e: EntraError = entra_error::parse_error_response(&r).map_err(fail)?;
    let codes: Vec<f64> = e.error_codes.iter().map(|&c| c as f64).collect();
    let entra = js::entra_error(
        e.status,
        &e.error,
        e.error_description.as_deref(),
        &codes,
        e.timestamp.as_deref(),
        e.trace_id.as_deref(),
        e.correlation_id.as_deref(),
        e.error_uri.as_deref(),
        e.retry_after.map(|s| s as f64),
    );
    let class = e.class().as_str();
    Ok(js::entra_error_report(
        entra,
        class,
        error_value(e.into_error()),
    ))
}

/// A JWT's claims for display, NOT verified (who connected, what was granted).
#[wasm_bindgen(js_name = decodeJwtUnverified, unchecked_return_type = "UnverifiedClaims")]
pub fn decode_jwt_unverified(token: &str) -> Answer<JsValue> {
    let c = jwt::decode_unverified_claims(token).map_err(fail)?;
    let roles = js::list();
    for r in &c.roles {
        js::push(&roles, JsValue::from_str(r));
    }
    Ok(js::claims(
        c.tid.as_deref(),
        c.oid.as_deref(),
        c.username.as_deref(),
        c.app_id.as_deref(),
        c.aud.as_deref(),
        &join(&c.scopes, " "),
        roles,
        c.exp.map(|v| v as f64),
        c.iat.map(|v| v as f64),
    ))
}
