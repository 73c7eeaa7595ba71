//! Entra ID v2 endpoints: authorize (sign-in and consent page), token, discovery (protocols.md §1-3).

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::sync::Arc;

use crate::jwt::Jws;
use crate::state::{Application, Code, Emulator, Grant, PendingAuth, World};
use crate::util::{
    b64_decode, b64url, constant_time_eq, entra_timestamp, guid, pct_encode, query_pairs,
    random_token,
};

const ACCESS_TOKEN_SECONDS: i64 = 3599;
const CODE_SECONDS: i64 = 600;
const REFRESH_SECONDS: i64 = 90 * 24 * 3600;
const OIDC_SCOPES: &[&str] = &["openid", "profile", "email", "offline_access"];
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

pub fn routes() -> Router<Arc<Emulator>> {
    Router::new()
        .route(
            "/{tenant}/oauth2/v2.0/authorize",
            get(authorize).post(authorize_answer),
        )
        .route("/{tenant}/oauth2/v2.0/token", axum::routing::post(token))
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(openid_configuration),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(keys))
        .route("/discovery/v2.0/keys", get(keys))
}

/// Entra's error body (protocols.md §1.5): AADSTS-prefixed description with trace lines.
pub fn error(
    emu: &Emulator,
    status: StatusCode,
    error: &str,
    code: u32,
    message: &str,
) -> Response {
    let ts = entra_timestamp(emu.clock.now());
    let (trace, corr) = (guid(), guid());
    let origin = emu
        .world()
        .entra_origins
        .first()
        .cloned()
        .unwrap_or_default();
    let body = json!({
        "error": error,
        "error_description": format!("AADSTS{code}: {message}\r\nTrace ID: {trace}\r\nCorrelation ID: {corr}\r\nTimestamp: {ts}"),
        "error_codes": [code],
        "timestamp": ts,
        "trace_id": trace,
        "correlation_id": corr,
        "error_uri": format!("{origin}/error?code={code}"),
    });
    json_response(status, &body)
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store, no-cache"),
        ],
        body.to_string(),
    )
        .into_response()
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

enum TenantRef {
    /// `common`, `organizations` or `consumers`.
    Multi(String),
    Id(String, String),
}

const TENANT_NOT_FOUND: &str = "Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.";

fn resolve_tenant(w: &World, path: &str) -> Option<TenantRef> {
    match path.to_ascii_lowercase().as_str() {
        m @ ("common" | "organizations" | "consumers") => Some(TenantRef::Multi(m.into())),
        _ => w
            .tenant(path)
            .map(|t| TenantRef::Id(t.id.clone(), t.display_name.clone())),
    }
}

fn find_app<'a>(w: &'a World, tenant: &TenantRef, client_id: &str) -> Option<&'a Application> {
    w.app_by_client_id(client_id).filter(|a| match tenant {
        TenantRef::Multi(_) => true,
        TenantRef::Id(id, _) => a.tenant_id.eq_ignore_ascii_case(id),
    })
}

fn app_not_found(client_id: &str, tenant: &TenantRef) -> String {
    let dir = match tenant {
        TenantRef::Multi(m) => m.clone(),
        TenantRef::Id(_, name) => name.clone(),
    };
    format!(
        "Application with identifier '{client_id}' was not found in the directory '{dir}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
    )
}

// ---------------------------------------------------------------- authorize

fn error_page(code: u32, message: &str) -> Response {
    let body = format!(
        "<!doctype html><html><head><title>Sign in to your account</title></head><body><h1>Sorry, but we're having trouble signing you in.</h1><p id=\"error\" data-code=\"AADSTS{code}\">AADSTS{code}: {}</p></body></html>",
        html_escape(message)
    );
    (StatusCode::BAD_REQUEST, Html(body)).into_response()
}

/// Sends the authorization response back to the client as `response_mode` says.
fn redirect(redirect_uri: &str, mode: &str, params: &[(&str, String)]) -> Response {
    if mode == "form_post" {
        let inputs: String = params
            .iter()
            .map(|(k, v)| {
                format!(
                    "<input type=\"hidden\" name=\"{k}\" value=\"{}\">",
                    html_escape(v)
                )
            })
            .collect();
        let body = format!(
            "<!doctype html><html><body onload=\"document.forms[0].submit()\"><form method=\"post\" action=\"{}\">{inputs}<noscript><button type=\"submit\">Continue</button></noscript></form></body></html>",
            html_escape(redirect_uri)
        );
        return Html(body).into_response();
    }
    let encoded: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", pct_encode(v)))
        .collect();
    let sep = if mode == "fragment" {
        "#"
    } else if redirect_uri.contains('?') {
        "&"
    } else {
        "?"
    };
    let location = format!("{redirect_uri}{sep}{}", encoded.join("&"));
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

fn redirect_error(
    redirect_uri: &str,
    mode: &str,
    state: Option<&String>,
    error: &str,
    code: u32,
    message: &str,
) -> Response {
    let mut params = vec![
        ("error", error.to_string()),
        ("error_description", format!("AADSTS{code}: {message}")),
    ];
    if let Some(s) = state {
        params.push(("state", s.clone()));
    }
    redirect(redirect_uri, mode, &params)
}

async fn authorize(
    State(emu): State<Arc<Emulator>>,
    Path(tenant_path): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Some(q) = query_pairs(query.as_deref().unwrap_or(""), true) else {
        return error_page(900144, "The request is not properly URL-encoded.");
    };
    let get = |name: &str| q.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let mut w = emu.world();
    let Some(tenant) = resolve_tenant(&w, &tenant_path) else {
        return error_page(
            90002,
            &format!("Tenant '{tenant_path}' not found. {TENANT_NOT_FOUND}"),
        );
    };
    let Some(client_id) = get("client_id") else {
        return error_page(
            900144,
            "The request body must contain the following parameter: 'client_id'.",
        );
    };
    let Some(app) = find_app(&w, &tenant, &client_id) else {
        return error_page(700016, &app_not_found(&client_id, &tenant));
    };
    let redirect_uri = get("redirect_uri").unwrap_or_default();
    if !app.redirect_uris.contains(&redirect_uri) {
        return error_page(
            50011,
            &format!(
                "The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the application '{}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.",
                app.app_id
            ),
        );
    }
    let (app_name, app_id) = (app.display_name.clone(), app.app_id.clone());
    let state = get("state");
    let mode = get("response_mode").unwrap_or_else(|| "query".into());
    if !matches!(mode.as_str(), "query" | "fragment" | "form_post") {
        return redirect_error(
            &redirect_uri,
            "query",
            state.as_ref(),
            "invalid_request",
            900144,
            &format!("The response_mode '{mode}' is not supported."),
        );
    }
    let fail = |error: &str, code: u32, message: &str| {
        redirect_error(&redirect_uri, &mode, state.as_ref(), error, code, message)
    };
    let response_type = get("response_type").unwrap_or_default();
    if !response_type.split(' ').any(|t| t == "code") {
        return fail(
            "unsupported_response_type",
            700054,
            &format!("response_type '{response_type}' is not enabled for the application."),
        );
    }
    let Some(scope) = get("scope").filter(|s| !s.trim().is_empty()) else {
        return fail(
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'scope'.",
        );
    };
    let challenge = match (get("code_challenge"), get("code_challenge_method")) {
        (None, _) => None,
        (Some(c), m) => {
            let m = m.unwrap_or_else(|| "plain".into());
            if m != "S256" && m != "plain" {
                return fail(
                    "invalid_request",
                    50149,
                    &format!("Invalid code_challenge_method '{m}'."),
                );
            }
            if !(43..=128).contains(&c.len()) {
                return fail(
                    "invalid_request",
                    501491,
                    "Invalid size of Code_Challenge parameter.",
                );
            }
            Some((c, m))
        }
    };
    let prompt = get("prompt").unwrap_or_default();
    if !matches!(
        prompt.as_str(),
        "" | "login" | "none" | "consent" | "select_account"
    ) {
        return fail(
            "invalid_request",
            90023,
            &format!("Unsupported 'prompt' value '{prompt}'."),
        );
    }
    if prompt == "none" {
        return fail(
            "login_required",
            50058,
            "A silent sign-in request was sent but no user is signed in.",
        );
    }
    let hint = get("login_hint").unwrap_or_default().to_ascii_lowercase();
    let users: Vec<(String, String, String)> = w
        .users
        .iter()
        .filter(|u| match &tenant {
            TenantRef::Multi(_) => true,
            TenantRef::Id(id, _) => u.tenant_id == *id,
        })
        .map(|u| {
            (
                u.id.clone(),
                u.user_principal_name.clone(),
                u.display_name.clone(),
            )
        })
        .collect();
    let request_id = random_token(24);
    let scopes: Vec<String> = scope
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    let scope_items: String = scopes
        .iter()
        .map(|s| format!("<li>{}</li>", html_escape(s)))
        .collect();
    w.pending.insert(
        request_id.clone(),
        PendingAuth {
            tenant_path: tenant_path.clone(),
            client_id: app_id.clone(),
            redirect_uri: redirect_uri.clone(),
            scopes,
            state: state.clone(),
            nonce: get("nonce"),
            response_mode: mode.clone(),
            challenge,
        },
    );
    let options: String = users
        .iter()
        .map(|(id, upn, name)| {
            let selected = if upn.to_ascii_lowercase() == hint {
                " selected"
            } else {
                ""
            };
            format!(
                "<option value=\"{}\"{selected}>{} ({})</option>",
                html_escape(id),
                html_escape(name),
                html_escape(upn)
            )
        })
        .collect();
    let heading = if prompt == "consent" {
        "Permissions requested"
    } else {
        "Sign in and accept"
    };
    Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Sign in to your account</title></head><body>\
<h1>{heading}</h1><p><b id=\"app-name\">{}</b> (<span id=\"app-id\">{}</span>) would like to:</p><ul id=\"scopes\">{scope_items}</ul>\
<form method=\"post\" action=\"/{}/oauth2/v2.0/authorize\"><input type=\"hidden\" name=\"request_id\" value=\"{request_id}\">\
<label for=\"user\">Account</label> <select id=\"user\" name=\"user\">{options}</select>\
<button id=\"accept\" type=\"submit\" name=\"action\" value=\"accept\">Accept</button>\
<button id=\"cancel\" type=\"submit\" name=\"action\" value=\"cancel\">Cancel</button></form></body></html>",
        html_escape(&app_name),
        html_escape(&app_id),
        html_escape(&tenant_path),
    ))
    .into_response()
}

async fn authorize_answer(
    State(emu): State<Arc<Emulator>>,
    Path(_tenant): Path<String>,
    body: Bytes,
) -> Response {
    let form = query_pairs(std::str::from_utf8(&body).unwrap_or(""), true).unwrap_or_default();
    let get = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let now = emu.clock.now();
    let mut w = emu.world();
    let Some(p) = get("request_id").and_then(|id| w.pending.remove(&id)) else {
        return error_page(
            900561,
            "The sign-in request is unknown or was already answered. Start again.",
        );
    };
    if get("action").as_deref() != Some("accept") {
        return redirect_error(
            &p.redirect_uri,
            &p.response_mode,
            p.state.as_ref(),
            "access_denied",
            65004,
            "User declined to consent to access the app.",
        );
    }
    let tenant = resolve_tenant(&w, &p.tenant_path);
    let user = get("user")
        .and_then(|id| w.user(&id))
        .filter(|u| match &tenant {
            Some(TenantRef::Id(id, _)) => u.tenant_id == *id,
            _ => true,
        });
    let Some(user) = user else {
        return error_page(50034, "The user account does not exist in this directory.");
    };
    let (user_id, tenant_id) = (user.id.clone(), user.tenant_id.clone());
    let code = random_token(48);
    w.codes.insert(
        code.clone(),
        Code {
            client_id: p.client_id,
            redirect_uri: p.redirect_uri.clone(),
            user_id,
            tenant_id,
            scopes: p.scopes,
            challenge: p.challenge,
            nonce: p.nonce,
            expires: now + CODE_SECONDS,
            redeemed: false,
        },
    );
    let mut params = vec![("code", code)];
    if let Some(s) = p.state {
        params.push(("state", s));
    }
    params.push(("session_state", guid()));
    redirect(&p.redirect_uri, &p.response_mode, &params)
}

// ---------------------------------------------------------------- token

/// A failed token request: HTTP status, OAuth error, AADSTS number, message.
type Fail = (StatusCode, &'static str, u32, String);

fn bad(error: &'static str, code: u32, msg: impl Into<String>) -> Fail {
    (StatusCode::BAD_REQUEST, error, code, msg.into())
}

fn unauthorized(code: u32, msg: impl Into<String>) -> Fail {
    (StatusCode::UNAUTHORIZED, "invalid_client", code, msg.into())
}

fn missing(name: &str) -> Fail {
    bad(
        "invalid_request",
        900144,
        format!("The request body must contain the following parameter: '{name}'."),
    )
}

async fn token(
    State(emu): State<Arc<Emulator>>,
    Path(tenant_path): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match token_inner(&emu, &tenant_path, &headers, &body) {
        Ok(v) => json_response(StatusCode::OK, &v),
        Err((status, err, code, msg)) => error(&emu, status, err, code, &msg),
    }
}

enum ClientAuth {
    Secret(String),
    Assertion(String),
}

fn token_inner(
    emu: &Emulator,
    tenant_path: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Value, Fail> {
    let now = emu.clock.now();
    let form_ok = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| {
            c.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    if !form_ok {
        return Err(bad(
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'grant_type'.",
        ));
    }
    let form = std::str::from_utf8(body)
        .ok()
        .and_then(|b| query_pairs(b, true))
        .ok_or_else(|| {
            bad(
                "invalid_request",
                900144,
                "The request body is not properly URL-encoded.",
            )
        })?;
    let get = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let mut w = emu.world();
    let tenant = resolve_tenant(&w, tenant_path).ok_or_else(|| {
        bad(
            "invalid_request",
            90002,
            format!("Tenant '{tenant_path}' not found. {TENANT_NOT_FOUND}"),
        )
    })?;
    let grant_type = get("grant_type").ok_or_else(|| missing("grant_type"))?;
    if !matches!(
        grant_type.as_str(),
        "authorization_code" | "refresh_token" | "client_credentials"
    ) {
        return Err(bad(
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{grant_type}'."),
        ));
    }
    if grant_type == "client_credentials" && matches!(tenant, TenantRef::Multi(_)) {
        return Err(bad(
            "invalid_request",
            9001023,
            "The grant type isn't supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.",
        ));
    }
    // RFC 6749 §2.3.1 Basic credentials are "also supported" by Entra.
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(b64_decode)
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            let (id, secret) = s.split_once(':')?;
            Some((
                crate::util::pct_decode(&id.replace('+', " "))?,
                crate::util::pct_decode(&secret.replace('+', " "))?,
            ))
        });
    let client_id = get("client_id")
        .or_else(|| basic.as_ref().map(|b| b.0.clone()))
        .ok_or_else(|| missing("client_id"))?;
    let auth = if let Some(assertion) = get("client_assertion") {
        if get("client_assertion_type").as_deref() != Some(JWT_BEARER) {
            return Err(bad(
                "invalid_request",
                50027,
                "Invalid client_assertion_type: it must be 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.",
            ));
        }
        Some(ClientAuth::Assertion(assertion))
    } else {
        get("client_secret")
            .or_else(|| basic.as_ref().map(|b| b.1.clone()))
            .map(ClientAuth::Secret)
    };
    if let (Some(origin), Some(_)) = (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        &auth,
    ) {
        return Err(bad(
            "invalid_request",
            9002326,
            format!(
                "Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type. Request origin: '{origin}'."
            ),
        ));
    }
    let app = find_app(&w, &tenant, &client_id).ok_or_else(|| {
        bad(
            "unauthorized_client",
            700016,
            app_not_found(&client_id, &tenant),
        )
    })?;
    let appidacr = match &auth {
        None => {
            return Err(bad(
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            ));
        }
        Some(ClientAuth::Secret(s)) => {
            check_secret(app, s, now)?;
            "1"
        }
        Some(ClientAuth::Assertion(a)) => {
            check_assertion(&w, app, a, tenant_path, &tenant, now)?;
            "2"
        }
    };
    let app_id = app.app_id.clone();
    let client_info = get("client_info").as_deref() == Some("1");
    match grant_type.as_str() {
        "client_credentials" => {
            let scope = get("scope").ok_or_else(|| missing("scope"))?;
            let scopes: Vec<&str> = scope.split(' ').filter(|s| !s.is_empty()).collect();
            let [one] = scopes[..] else {
                return Err(bad(
                    "invalid_scope",
                    70011,
                    format!(
                        "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid."
                    ),
                ));
            };
            let Some(resource) = one.strip_suffix("/.default") else {
                return Err(bad(
                    "invalid_scope",
                    1002012,
                    format!(
                        "The provided value for scope {one} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
                    ),
                ));
            };
            let resource = known_resource(&w, resource, &tenant)?;
            let app = find_app(&w, &tenant, &app_id).ok_or_else(|| {
                bad(
                    "unauthorized_client",
                    700016,
                    app_not_found(&app_id, &tenant),
                )
            })?;
            let roles = app.app_roles.get(&resource).cloned().unwrap_or_default();
            let mut claims = base_claims(&w, &resource, &app.tenant_id, now);
            claims["oid"] = app.service_principal_id.clone().into();
            claims["sub"] = app.service_principal_id.clone().into();
            claims["appid"] = app.app_id.clone().into();
            claims["azp"] = app.app_id.clone().into();
            claims["appidacr"] = appidacr.into();
            claims["azpacr"] = appidacr.into();
            claims["idtyp"] = "app".into();
            if !roles.is_empty() {
                claims["roles"] = json!(roles);
            }
            Ok(json!({
                "token_type": "Bearer",
                "expires_in": ACCESS_TOKEN_SECONDS,
                "ext_expires_in": ACCESS_TOKEN_SECONDS,
                "access_token": emu.key.sign(&claims),
            }))
        }
        "authorization_code" => {
            let code_value = get("code").ok_or_else(|| missing("code"))?;
            let redirect_uri = get("redirect_uri").ok_or_else(|| missing("redirect_uri"))?;
            let code = w.codes.get(&code_value).ok_or_else(|| {
                bad(
                    "invalid_grant",
                    9002313,
                    "Invalid request. Request is malformed or invalid.",
                )
            })?;
            if code.redeemed {
                return Err(bad(
                    "invalid_grant",
                    54005,
                    "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
                ));
            }
            if code.expires <= now {
                return Err(bad(
                    "invalid_grant",
                    70008,
                    "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
                ));
            }
            if !code.client_id.eq_ignore_ascii_case(&app_id) {
                return Err(bad(
                    "invalid_grant",
                    70000,
                    "Provided grant is invalid or malformed: the code was issued to another client.",
                ));
            }
            if code.redirect_uri != redirect_uri {
                return Err(bad(
                    "invalid_grant",
                    500112,
                    "The reply address does not match the reply address provided when requesting Authorization code.",
                ));
            }
            if let Some((challenge, method)) = &code.challenge {
                let verifier = get("code_verifier").ok_or_else(|| missing("code_verifier"))?;
                let computed = if method == "S256" {
                    b64url(&Sha256::digest(verifier.as_bytes()))
                } else {
                    verifier
                };
                if !constant_time_eq(computed.as_bytes(), challenge.as_bytes()) {
                    return Err(bad(
                        "invalid_grant",
                        501481,
                        "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
                    ));
                }
            }
            let (user_id, tenant_id, scopes, nonce) = (
                code.user_id.clone(),
                code.tenant_id.clone(),
                code.scopes.clone(),
                code.nonce.clone(),
            );
            if let Some(c) = w.codes.get_mut(&code_value) {
                c.redeemed = true;
            }
            let requested = get("scope")
                .map(|s| {
                    s.split(' ')
                        .filter(|x| !x.is_empty())
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_else(|| scopes.clone());
            let out = delegated_response(
                emu, &mut w, &app_id, &user_id, &tenant_id, &scopes, &requested, nonce, now,
            )?;
            Ok(with_client_info(out, client_info, &user_id, &tenant_id))
        }
        _ => {
            let rt = get("refresh_token").ok_or_else(|| missing("refresh_token"))?;
            let grant = w.grants.get(&rt).ok_or_else(|| {
                bad(
                    "invalid_grant",
                    9002313,
                    "Invalid request. Request is malformed or invalid.",
                )
            })?;
            if grant.revoked {
                return Err(bad(
                    "invalid_grant",
                    70008,
                    "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
                ));
            }
            if grant.expires <= now {
                return Err(bad(
                    "invalid_grant",
                    700082,
                    "The refresh token has expired due to inactivity. The token was issued and was inactive for 90.00:00:00.",
                ));
            }
            if !grant.client_id.eq_ignore_ascii_case(&app_id) {
                return Err(bad(
                    "invalid_grant",
                    70000,
                    "Provided grant is invalid or malformed: the refresh token was issued to another client.",
                ));
            }
            let (user_id, tenant_id, scopes) = (
                grant.user_id.clone(),
                grant.tenant_id.clone(),
                grant.scopes.clone(),
            );
            let requested = get("scope")
                .map(|s| {
                    s.split(' ')
                        .filter(|x| !x.is_empty())
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_else(|| scopes.clone());
            let out = delegated_response(
                emu, &mut w, &app_id, &user_id, &tenant_id, &scopes, &requested, None, now,
            )?;
            Ok(with_client_info(out, client_info, &user_id, &tenant_id))
        }
    }
}

/// `client_info=1` (sent by MSAL) asks for the account's home ids: base64url `{"uid","utid"}`.
fn with_client_info(mut out: Value, wanted: bool, user_id: &str, tenant_id: &str) -> Value {
    if wanted {
        let info = json!({"uid": user_id, "utid": tenant_id}).to_string();
        out["client_info"] = b64url(info.as_bytes()).into();
    }
    out
}

fn check_secret(app: &Application, secret: &str, now: i64) -> Result<(), Fail> {
    let invalid = || {
        unauthorized(
            7000215,
            format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{}'.",
                app.app_id
            ),
        )
    };
    let found = app
        .passwords
        .iter()
        .find(|p| constant_time_eq(p.secret_text.as_bytes(), secret.as_bytes()))
        .ok_or_else(invalid)?;
    if found.usable_from > now || found.start > now {
        return Err(invalid());
    }
    if found.end <= now {
        return Err(unauthorized(
            7000222,
            format!(
                "The provided client secret keys for app '{}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.",
                app.app_id
            ),
        ));
    }
    Ok(())
}

/// Verifies a client assertion (protocols.md §2).
fn check_assertion(
    w: &World,
    app: &Application,
    assertion: &str,
    tenant_path: &str,
    tenant: &TenantRef,
    now: i64,
) -> Result<(), Fail> {
    let jws = Jws::parse(assertion).ok_or_else(|| {
        bad(
            "invalid_client",
            50027,
            "JWT token is invalid or malformed.",
        )
    })?;
    let (x5t, x5t_s256) = (jws.header["x5t"].as_str(), jws.header["x5t#S256"].as_str());
    let key = app.keys.iter().find(|k| {
        x5t_s256.is_some_and(|t| t == k.cert.x5t_s256) || x5t.is_some_and(|t| t == k.cert.x5t)
    });
    let Some(key) = key else {
        let shown = x5t_s256
            .or(x5t)
            .and_then(crate::util::b64url_decode)
            .map(|d| d.iter().map(|b| format!("{b:02X}")).collect::<String>())
            .unwrap_or_default();
        return Err(unauthorized(
            700027,
            format!(
                "The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '{shown}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{}'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments if you're unsure how to register the key]",
                app.app_id
            ),
        ));
    };
    if !matches!(jws.alg(), "RS256" | "PS256") {
        return Err(unauthorized(
            5002738,
            format!(
                "Invalid JWT token. '{}' is not a supported signature algorithm.",
                jws.alg()
            ),
        ));
    }
    if !jws.verify(&key.cert.public_key) {
        return Err(unauthorized(
            700027,
            "Client assertion failed signature validation.",
        ));
    }
    if key.end <= now {
        return Err(unauthorized(
            700027,
            "Client assertion contains an invalid signature. [Reason - The key used is expired.]",
        ));
    }
    if jws.claim_str("iss") != Some(app.app_id.as_str())
        || jws.claim_str("sub") != Some(app.app_id.as_str())
    {
        return Err(unauthorized(
            700023,
            "Client assertion issuer and subject must both be the client id of the application.",
        ));
    }
    let mut tenants = vec![tenant_path.to_string()];
    if let TenantRef::Id(id, _) = tenant {
        tenants.push(id.clone());
    }
    let aud_ok = jws.claim_str("aud").is_some_and(|aud| {
        w.entra_origins.iter().any(|o| {
            tenants.iter().any(|t| {
                aud == format!("{o}/{t}/oauth2/v2.0/token")
                    || aud == format!("{o}/{t}/oauth2/token")
            })
        })
    });
    if !aud_ok {
        return Err(unauthorized(
            50013,
            "Assertion failed signature validation. [Reason - The audience of the client assertion is not this token endpoint.]",
        ));
    }
    let (Some(exp), nbf) = (jws.claim_i64("exp"), jws.claim_i64("nbf")) else {
        return Err(unauthorized(
            50027,
            "JWT token is invalid or malformed: the 'exp' claim is missing.",
        ));
    };
    if exp + 300 <= now || nbf.is_some_and(|n| n - 300 > now) {
        return Err(unauthorized(
            700024,
            "Client assertion is not within its valid time range.",
        ));
    }
    // No `jti` replay check: MSAL reuses one assertion for its whole lifetime (ClientAssertion.getJwt)
    // and Entra accepts that, so refusing a replay would break Microsoft's own client.
    Ok(())
}

fn base_claims(w: &World, aud: &str, tid: &str, now: i64) -> Value {
    let origin = w.entra_origins.first().cloned().unwrap_or_default();
    json!({
        "aud": aud, "iss": format!("{origin}/{tid}/v2.0"), "iat": now, "nbf": now,
        "exp": now + ACCESS_TOKEN_SECONDS, "tid": tid, "ver": "2.0", "uti": random_token(16),
    })
}

/// Maps a resource identifier (scope without its last segment) to the audience tokens get.
fn known_resource(w: &World, resource: &str, tenant: &TenantRef) -> Result<String, Fail> {
    let r = resource.trim_end_matches('/');
    let known = w.graph_audiences.iter().any(|a| a == r)
        || r == "https://appconfig.azure.com"
        || r == "https://azconfig.io"
        || w.stores.iter().any(|s| s.origins.iter().any(|o| o == r));
    if known {
        Ok(r.to_string())
    } else {
        let name = match tenant {
            TenantRef::Multi(m) => m.clone(),
            TenantRef::Id(id, _) => id.clone(),
        };
        Err(bad(
            "invalid_resource",
            500011,
            format!(
                "The resource principal named {r} was not found in the tenant named {name}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant."
            ),
        ))
    }
}

/// Splits delegated scopes into one resource plus its permission names (bare names mean Graph).
fn resource_scopes(
    w: &World,
    scopes: &[String],
    tenant: &TenantRef,
) -> Result<(String, Vec<String>), Fail> {
    let graph = w.graph_audiences.first().cloned().unwrap_or_default();
    let mut resource: Option<String> = None;
    let mut names = Vec::new();
    for s in scopes.iter().filter(|s| !OIDC_SCOPES.contains(&s.as_str())) {
        let (r, name) = match s.rfind('/') {
            Some(i) if s.contains("://") || s.starts_with("00000003") => {
                (s[..i].to_string(), s[i + 1..].to_string())
            }
            _ => (graph.clone(), s.clone()),
        };
        let r = known_resource(w, &r, tenant)?;
        if resource.as_ref().is_some_and(|x| *x != r) {
            return Err(bad(
                "invalid_scope",
                70011,
                format!(
                    "The provided value for the input parameter 'scope' is not valid. The scope {} is not valid: all scopes must belong to one resource.",
                    scopes.join(" ")
                ),
            ));
        }
        resource = Some(r);
        names.push(name);
    }
    Ok((resource.unwrap_or(graph), names))
}

#[allow(clippy::too_many_arguments)]
fn delegated_response(
    emu: &Emulator,
    w: &mut World,
    app_id: &str,
    user_id: &str,
    tenant_id: &str,
    granted: &[String],
    requested: &[String],
    nonce: Option<String>,
    now: i64,
) -> Result<Value, Fail> {
    let tenant = TenantRef::Id(tenant_id.to_string(), String::new());
    let (resource, names) = resource_scopes(w, requested, &tenant)?;
    let app = w.app_by_client_id(app_id).ok_or_else(|| {
        bad(
            "unauthorized_client",
            700016,
            app_not_found(app_id, &tenant),
        )
    })?;
    let consented = app
        .delegated_scopes
        .get(&resource)
        .cloned()
        .unwrap_or_default();
    let scp: Vec<String> = if names.iter().any(|n| n == ".default") || names.is_empty() {
        consented
    } else {
        names
    };
    let user = w.user(user_id).ok_or_else(|| {
        bad(
            "invalid_grant",
            50034,
            "The user account does not exist in this directory.",
        )
    })?;
    let mut claims = base_claims(w, &resource, tenant_id, now);
    claims["oid"] = user.id.clone().into();
    claims["sub"] = user.id.clone().into();
    claims["appid"] = app_id.into();
    claims["azp"] = app_id.into();
    claims["upn"] = user.user_principal_name.clone().into();
    claims["preferred_username"] = user.user_principal_name.clone().into();
    claims["name"] = user.display_name.clone().into();
    claims["scp"] = scp.join(" ").into();
    let mut out = json!({
        "token_type": "Bearer",
        "scope": scp.iter().map(|s| format!("{resource}/{s}")).chain(requested.iter().filter(|s| OIDC_SCOPES.contains(&s.as_str())).cloned()).collect::<Vec<_>>().join(" "),
        "expires_in": ACCESS_TOKEN_SECONDS,
        "ext_expires_in": ACCESS_TOKEN_SECONDS,
        "access_token": emu.key.sign(&claims),
    });
    if requested.iter().chain(granted).any(|s| s == "openid") {
        let mut id = base_claims(w, app_id, tenant_id, now);
        id["oid"] = user.id.clone().into();
        id["sub"] = user.id.clone().into();
        id["preferred_username"] = user.user_principal_name.clone().into();
        id["name"] = user.display_name.clone().into();
        if let Some(n) = nonce {
            id["nonce"] = n.into();
        }
        out["id_token"] = emu.key.sign(&id).into();
    }
    if granted.iter().any(|s| s == "offline_access") {
        let rt = format!("1.emu.{}", random_token(48));
        w.grants.insert(
            rt.clone(),
            Grant {
                client_id: app_id.to_string(),
                user_id: user_id.to_string(),
                tenant_id: tenant_id.to_string(),
                scopes: granted.to_vec(),
                expires: now + REFRESH_SECONDS,
                revoked: false,
            },
        );
        out["refresh_token"] = rt.into();
    }
    Ok(out)
}

// ---------------------------------------------------------------- discovery

async fn openid_configuration(
    State(emu): State<Arc<Emulator>>,
    Path(tenant_path): Path<String>,
    headers: HeaderMap,
) -> Response {
    let w = emu.world();
    let Some(tenant) = resolve_tenant(&w, &tenant_path) else {
        return error(
            &emu,
            StatusCode::BAD_REQUEST,
            "invalid_tenant",
            90002,
            &format!("Tenant '{tenant_path}' not found. {TENANT_NOT_FOUND}"),
        );
    };
    let origin = request_origin(&w, &headers);
    let tid = match &tenant {
        TenantRef::Multi(_) => "{tenantid}".to_string(),
        TenantRef::Id(id, _) => id.clone(),
    };
    json_response(
        StatusCode::OK,
        &json!({
            "token_endpoint": format!("{origin}/{tenant_path}/oauth2/v2.0/token"),
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": format!("{origin}/{tenant_path}/discovery/v2.0/keys"),
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": format!("{origin}/{tid}/v2.0"),
            "request_uri_parameter_supported": false,
            "userinfo_endpoint": format!("{origin}/oidc/userinfo"),
            "authorization_endpoint": format!("{origin}/{tenant_path}/oauth2/v2.0/authorize"),
            "http_logout_supported": true,
            "frontchannel_logout_supported": true,
            "end_session_endpoint": format!("{origin}/{tenant_path}/oauth2/v2.0/logout"),
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "tid", "oid", "preferred_username", "name"],
            "tenant_region_scope": null,
            "cloud_instance_name": "emulator.local",
        }),
    )
}

/// The origin the client used (plain or TLS listener), from the Host header; Graph builds its
/// nextLinks from it too.
pub(crate) fn request_origin(w: &World, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    w.entra_origins
        .iter()
        .find(|o| o.ends_with(&format!("://{host}")))
        .or(w.entra_origins.first())
        .cloned()
        .unwrap_or_default()
}

async fn keys(State(emu): State<Arc<Emulator>>) -> Response {
    json_response(StatusCode::OK, &json!({"keys": [emu.key.jwk()]}))
}
