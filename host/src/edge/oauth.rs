//! Delegated connections (RFC 9700): the start endpoint, the callback, refresh.
//!
//! The state (256 bits) is stored hashed, lives 10 minutes and is single use; it is bound to
//! the browser by an HttpOnly SameSite=Lax cookie; the PKCE verifier is encrypted at rest; the
//! same redirect URI is used on both legs; the code is redeemed here with the client secret.

use super::auth::cookie;
use super::azure::redeem;
use super::credentials::form_errors;
use super::probe::probe;
use super::reply::{ApiError, ErrorBody, not_found};
use super::runtime::{hex, new_id, now_s, random, sha256_hex};
use super::store::{Audit, Field, Storage};
use super::tokens::store_tokens;
use crate::api::{OAuthStartRequest, OAuthStarted, given};
use crate::config::{CALLBACK_PATH, Config};
use crate::connection_fields::name_and_description;
use crate::records::{NewConnection, NewSignIn, PendingSignIn};
use crate::sign_in;
use azconn_core::cloud::StoreEndpoint;
use azconn_core::error::{Code, Error};
use azconn_core::form::{ConnectionType, Method};
use azconn_core::http::parse_query;
use azconn_core::ids::AuthorityTenant;
use azconn_core::oauth::authorize::{
    AppConfigurationAudience, AuthorizeEntropy, AuthorizeParams, RedirectUri, authorize_url,
    delegated_scopes,
};
use azconn_core::oauth::callback::parse_callback;
use azconn_core::oauth::jwt::decode_unverified_claims;
use azconn_core::oauth::pkce::CodeVerifier;
use azconn_core::oauth::random::State;
use azconn_core::oauth::token::{ClientAuth, Grant, token_request};
use serde_json::json;
use worker::{Env, Headers, Request, Response};

pub const BROWSER_COOKIE: &str = "azconn_oauth";
const PENDING_LIFETIME_SECS: i64 = 10 * 60;

fn browser_cookie(cfg: &Config, value: &str, max_age: i64) -> String {
    format!(
        "{BROWSER_COOKIE}={value}; Path={CALLBACK_PATH}; Max-Age={max_age}; HttpOnly; SameSite=Lax{}",
        if cfg.secure_cookies() { "; Secure" } else { "" }
    )
}

/// `POST /api/v1/app-connections/{type}/oauth/start` `{name, description?, tenantId?,
/// endpoint?, reconnectId?}` → `{url}` and the browser-binding cookie.
pub async fn start(
    db: &Storage<'_>,
    cfg: &Config,
    org: &str,
    actor: &str,
    created_by: &str,
    ty: ConnectionType,
    body: &OAuthStartRequest,
) -> Result<(OAuthStarted, String), ApiError> {
    let app = cfg.oauth_app(ty)?;
    let reconnect = match given(&body.reconnect_id) {
        Some(id) => {
            let r = db
                .connection(org, ty, id)
                .await?
                .ok_or_else(|| not_found("connection"))?;
            if r.method != Method::OAuth {
                return Err(Error::field(
                    "reconnectId",
                    Code::NotAllowed,
                    format!(
                        "{} is a {} connection: only an OAuth connection is reconnected by signing in",
                        r.name,
                        r.method.as_str()
                    ),
                )
                .with_hint("change its credential with PATCH on the connection instead")
                .into());
            }
            Some(r)
        }
        None => None,
    };
    // The form's rules, as for a connection made with a form (a reconnect keeps its name).
    let (name, description) = name_and_description(
        reconnect
            .as_ref()
            .map_or(given(&body.name).unwrap_or(""), |r| r.name.as_str()),
        given(&body.description),
    )
    .map_err(form_errors)?;
    let name = name.as_str().to_owned();
    let tenant = match (&reconnect, given(&body.tenant_id)) {
        (Some(r), _) => AuthorityTenant::parse(&r.tenant_id)?,
        (None, Some(t)) => AuthorityTenant::parse(t).map_err(|e| e.at("tenantId"))?,
        (None, None) => AuthorityTenant::Organizations,
    };
    let endpoint = match (&reconnect, given(&body.endpoint)) {
        (Some(r), _) => r.endpoint.clone(),
        (None, Some(e)) => Some(StoreEndpoint::parse(e, &cfg.cloud.endpoints())?.to_string()),
        (None, None) => None,
    };
    let params = AuthorizeParams {
        cloud: cfg.cloud.clone(),
        tenant: tenant.clone(),
        client_id: app.client_id,
        redirect_uri: RedirectUri::parse(&cfg.redirect_uri())?,
        connection_type: ty,
        audience: AppConfigurationAudience::Cloud,
        prompt: None,
        login_hint: None,
        domain_hint: None,
    };
    let request = authorize_url(
        &params,
        &AuthorizeEntropy {
            verifier: random::<32>()?,
            state: random::<32>()?.to_vec(),
            nonce: random::<16>()?.to_vec(),
        },
    )?;
    let browser = hex(&random::<32>()?);
    let id = new_id()?;
    let now = now_s();
    db.insert_sign_in(
        &NewSignIn {
            id: &id,
            state_hash: &sha256_hex(request.state.as_str()),
            browser_hash: &sha256_hex(&browser),
            org_id: org,
            ty,
            name: &name,
            description: description.as_deref(),
            tenant: &tenant.to_string(),
            endpoint: endpoint.as_deref(),
            reconnect_id: reconnect.as_ref().map(|r| r.id.as_str()),
            created_by,
            now,
            expires_at: now + PENDING_LIFETIME_SECS,
        },
        request.code_verifier.expose(),
        &Audit {
            org: Some(org),
            actor,
            action: "oauth.start",
            target: reconnect.as_ref().map(|r| r.id.as_str()),
            outcome: "ok",
            detail: &json!({ "type": ty, "name": name }),
        },
    )
    .await?;
    Ok((
        OAuthStarted {
            url: request.url,
            redirect_uri: cfg.redirect_uri(),
            expires_in: PENDING_LIFETIME_SECS,
        },
        browser_cookie(cfg, &browser, PENDING_LIFETIME_SECS),
    ))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The marker the UI shell (www/index.html) carries where the Worker puts a server-rendered
/// page body.
const SHELL_MARKER: &str = "<p class=\"muted\" id=\"boot\">Loading…</p>";

/// The sign-in error page: the UI shell from the static assets (so it looks and behaves like
/// the rest of the UI: the message, the hint, a retry button), with the error rendered in the
/// HTML (readable without JavaScript, never a spinner) and embedded as JSON for the UI
/// (`<` escaped so the script element cannot be closed early). Without the assets (an API-only
/// deployment) the same content stands alone. The URL never carries the error.
async fn page(e: &Error, status: u16, request_id: &str, env: &Env) -> worker::Result<Response> {
    let hint = e
        .hint
        .as_deref()
        .map(|h| format!("<p class=\"hint\">{}</p>", escape(h)))
        .unwrap_or_default();
    let body = format!(
        "<section class=\"callback-error\" aria-labelledby=\"callback-title\">\
         <h1 id=\"callback-title\">Azure sign-in failed</h1><p class=\"message\">{}</p>{hint}\
         <script type=\"application/json\" id=\"error\">{}</script>\
         <p><a href=\"/organization/app-connections?retry=oauth\">Try again</a> · \
         <a href=\"/organization/app-connections\">Back to app connections</a></p></section>",
        escape(&e.message),
        serde_json::to_string(&ErrorBody::of(
            &ApiError::new(status, e.clone()),
            Some(request_id)
        ))
        .unwrap_or_default()
        .replace('<', "\\u003c"),
    );
    let html = match shell(env).await {
        Some(shell) => shell.replacen(SHELL_MARKER, &body, 1),
        None => {
            format!("<!doctype html><meta charset=utf-8><title>Azure sign-in failed</title>{body}")
        }
    };
    let headers = Headers::new();
    headers.set("content-type", "text/html; charset=utf-8")?;
    headers.set("cache-control", "no-store")?;
    Ok(Response::from_html(html)?
        .with_status(status)
        .with_headers(headers))
}

/// The UI's index.html from the ASSETS binding, if the deployment serves the UI.
async fn shell(env: &Env) -> Option<String> {
    let assets = env.assets("ASSETS").ok()?;
    let mut resp = assets.fetch("http://assets.invalid/", None).await.ok()?;
    if resp.status_code() != 200 {
        return None;
    }
    let text = resp.text().await.ok()?;
    text.contains(SHELL_MARKER).then_some(text)
}

async fn error_page(
    cfg: &Config,
    e: &Error,
    request_id: &str,
    env: &Env,
) -> worker::Result<Response> {
    let mut resp = page(e, 400, request_id, env).await?;
    resp.headers_mut()
        .set("set-cookie", &browser_cookie(cfg, "", 0))?;
    Ok(resp)
}

/// The callback when the deployment itself is misconfigured: the page names the setting.
pub async fn config_error_page(e: &Error, request_id: &str, env: &Env) -> worker::Result<Response> {
    page(e, 503, request_id, env).await
}

/// `GET /organization/app-connections/azure/oauth/callback`.
pub async fn callback(
    req: &Request,
    db: &Storage<'_>,
    cfg: &Config,
    request_id: &str,
    env: &Env,
) -> Result<Response, ApiError> {
    match complete(req, db, cfg).await {
        Ok(id) => {
            let headers = Headers::new();
            headers.set(
                "location",
                &format!("{}/organization/app-connections?created={id}", cfg.site_url),
            )?;
            headers.set("set-cookie", &browser_cookie(cfg, "", 0))?;
            headers.set("cache-control", "no-store")?;
            Ok(Response::empty()?.with_status(302).with_headers(headers))
        }
        Err(e) => {
            if let Some(line) = e.log_line(request_id) {
                worker::console_error!("{line}");
            }
            Ok(error_page(cfg, &e.error, request_id, env).await?)
        }
    }
}

fn state_error(message: &str) -> ApiError {
    ApiError::new(400, sign_in::refused(message))
}

fn refused(e: Error) -> ApiError {
    ApiError::new(400, e)
}

async fn complete(req: &Request, db: &Storage<'_>, cfg: &Config) -> Result<String, ApiError> {
    let query = req.url()?.query().unwrap_or("").to_owned();
    let pairs = parse_query(&query)?;
    let state = pairs
        .iter()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.clone())
        .ok_or_else(|| state_error("the callback carries no state"))?;
    let now = now_s();
    let found = db.sign_in_by_state(&sha256_hex(&state)).await?;
    let pending = sign_in::usable(found, now).map_err(refused)?;
    // The browser check comes first: a callback from another browser must not spend the state
    // of the one that started the sign-in.
    let browser = cookie(req, BROWSER_COOKIE)?.filter(|c| !c.is_empty());
    sign_in::same_browser(&pending, browser.map(|b| sha256_hex(&b)).as_deref()).map_err(refused)?;
    // Single use: claim the row before anything is redeemed.
    if !db.claim_sign_in(&pending.id, now).await? {
        return Err(state_error(sign_in::ALREADY_USED));
    }
    let result = redeem_and_store(db, cfg, &pending, &query, &state).await;
    db.audit(
        Some(&pending.org_id),
        "oauth-callback",
        "oauth.callback",
        result.as_ref().ok().map(String::as_str),
        if result.is_ok() { "ok" } else { "failed" },
        &json!({ "type": pending.ty, "name": pending.name, "error": result.as_ref().err().map(|e| &e.error) }),
    )
    .await?;
    result
}

async fn redeem_and_store(
    db: &Storage<'_>,
    cfg: &Config,
    pending: &PendingSignIn,
    query: &str,
    state: &str,
) -> Result<String, ApiError> {
    let ty = pending.ty;
    let code = parse_callback(query, &State::parse(state)?)?;
    let app = cfg.oauth_app(ty)?;
    let verifier = db
        .secret(&pending.org_id, &pending.id, Field::CodeVerifier)
        .await?
        .ok_or_else(|| state_error("the sign-in's verifier is gone"))?
        .value;
    db.delete_secrets(&pending.id).await?;
    let tenant = AuthorityTenant::parse(&pending.tenant)?;
    let req = token_request(
        &cfg.cloud,
        &tenant,
        &app.client_id,
        &ClientAuth::Secret(app.client_secret.clone()),
        &Grant::AuthorizationCode {
            code,
            redirect_uri: RedirectUri::parse(&cfg.redirect_uri())?,
            code_verifier: CodeVerifier::parse(&verifier)?,
            scopes: delegated_scopes(ty, &cfg.cloud, AppConfigurationAudience::Cloud)?,
        },
    )?;
    let token = redeem(&req).await?;
    let refresh = token.refresh_token.clone().ok_or_else(|| {
        ApiError::from(
            Error::new(
                Code::MalformedResponse,
                "Entra ID returned no refresh token",
            )
            .with_hint("the offline_access scope must be granted"),
        )
    })?;
    let claims = decode_unverified_claims(token.access_token.expose())?;
    let tid = claims.tid.clone().ok_or_else(|| {
        ApiError::from(Error::new(
            Code::MalformedJwt,
            "the access token carries no tenant (tid)",
        ))
    })?;
    let endpoint = pending
        .endpoint
        .as_deref()
        .map(|e| StoreEndpoint::parse(e, &cfg.cloud.endpoints()))
        .transpose()?;
    let info = probe(
        ty,
        &cfg.cloud,
        endpoint.as_ref(),
        &token.access_token,
        false,
    )
    .await?;
    let info = json!({ "user": claims.username, "probe": info });
    let now = now_s();
    let id = match &pending.reconnect_id {
        Some(id) => {
            db.reconnect(&pending.org_id, id, &tid, &info, now).await?;
            id.clone()
        }
        None => {
            let id = new_id()?;
            db.insert_connection(
                &NewConnection {
                    id: &id,
                    org_id: &pending.org_id,
                    ty,
                    method: Method::OAuth,
                    name: &pending.name,
                    description: pending.description.as_deref(),
                    tenant_id: &tid,
                    client_id: Some(&app.client_id.to_string()),
                    cloud: cfg.cloud.name(),
                    endpoint: pending.endpoint.as_deref(),
                    credential_info: &info,
                    created_by: pending.created_by.as_deref(),
                    now,
                },
                &[],
            )
            .await?;
            id
        }
    };
    store_tokens(db, &pending.org_id, &id, &refresh, &token).await?;
    Ok(id)
}
