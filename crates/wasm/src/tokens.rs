//! The OAuth steps from the redirect on, which a server takes (feature `tokens`: the full builds
//! and the browser entry, not `azconn/forms`, which a page loads to validate a form and start
//! OAuth): callback parsing, the token request, the token endpoint's answer, Entra errors and
//! the JWT display decode. The redirect lands where the code is redeemed, with the verifier
//! and the client credential (Entra refuses a confidential client's redemption from a browser
//! origin: AADSTS9002326), so a form page needs none of them. Each takes and returns
//! JavaScript values; a refusal throws `AzconnError` naming its field.

use crate::forms::{error_value, interactive_tenant};
use crate::js;
use crate::read::{self, Input, read_cloud, response, wrong_type};
use crate::{Answer, fail};
use alloc::borrow::Cow;
use azconn_core::error::{Code, Error};
use azconn_core::ids::{AuthorityTenant, ClientId, ClientSecret, TenantId};
use azconn_core::oauth::authorize::RedirectUri;
use azconn_core::oauth::callback;
use azconn_core::oauth::entra_error::{self, EntraError};
use azconn_core::oauth::jwt;
use azconn_core::oauth::pkce::CodeVerifier;
use azconn_core::oauth::random::State;
use azconn_core::oauth::token::{
    self, AuthorizationCode, ClientAssertion, ClientAuth, Grant, RefreshToken, TokenFields,
};
use azconn_core::prelude::*;
use azconn_core::text::join;
use azconn_core::wipe;
use wasm_bindgen::prelude::*;
use zeroize::Zeroize;

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
    let (text, ascii_text) = read::body(&body).map_err(fail)?;
    let mut r = read::response_text(status, headers, text).map_err(fail)?;
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
