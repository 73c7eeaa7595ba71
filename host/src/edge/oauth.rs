//! Delegated connections in the Worker: `crate::oauth_flow` over D1, Fetch and WebCrypto, and
//! the callback's browser pages (success redirect, error page in the UI shell).

use super::auth::cookie;
use super::azure::Edge;
use super::reply::{ApiError, ErrorBody};
use super::store::{Audit, Storage};
use crate::config::Config;
use crate::connection_store::{AuditEvent, SignInStore};
use crate::oauth_flow::{self, BROWSER_COOKIE, browser_cookie};
use crate::records::{NewSignIn, PendingSignIn};
use azconn_core::error::Error;
use serde_json::Value;
use worker::{Env, Headers, Request, Response};

pub use crate::oauth_flow::start;

impl SignInStore for Storage<'_> {
    async fn insert_sign_in(
        &self,
        p: &NewSignIn<'_>,
        verifier: &str,
        a: AuditEvent<'_>,
    ) -> Result<(), ApiError> {
        Storage::insert_sign_in(
            self,
            p,
            verifier,
            &Audit {
                org: Some(a.org),
                actor: a.actor,
                action: a.action,
                target: a.target,
                outcome: a.outcome,
                detail: &a.detail,
            },
        )
        .await
    }

    async fn sign_in_by_state(&self, state_hash: &str) -> Result<Option<PendingSignIn>, ApiError> {
        Storage::sign_in_by_state(self, state_hash).await
    }

    async fn claim_sign_in(&self, id: &str, now: i64) -> Result<bool, ApiError> {
        Storage::claim_sign_in(self, id, now).await
    }

    async fn drop_verifier(&self, sign_in: &str) -> Result<(), ApiError> {
        self.delete_secrets(sign_in).await
    }

    async fn reconnect(
        &self,
        org: &str,
        id: &str,
        tenant_id: &str,
        credential_info: &Value,
        now: i64,
    ) -> Result<(), ApiError> {
        Storage::reconnect(self, org, id, tenant_id, credential_info, now).await
    }
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
    let query = req.url()?.query().unwrap_or("").to_owned();
    let browser = cookie(req, BROWSER_COOKIE)?;
    match oauth_flow::complete(db, &Edge, cfg, &query, browser.as_deref()).await {
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
