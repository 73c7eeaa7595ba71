//! Who is calling: the bootstrap admin token, an organization's API token (Bearer), or a UI
//! session cookie (writes must come from SITE_URL: Origin check).

use super::reply::ApiError;
use super::runtime::{hex, now_s, random, sha256_hex};
use super::store::Storage;
use crate::config::Config;
use crate::records::Credential;
use azconn_core::error::{Code, Error};
use azconn_core::oauth::random::constant_time_eq;
use worker::{Method, Request};

pub const SESSION_COOKIE: &str = "azconn_session";
pub const SESSION_LIFETIME_SECS: i64 = 12 * 60 * 60;

pub enum Principal {
    Admin,
    /// An organization's caller: `actor` identifies it in the audit log (`token:<id>` or
    /// `session:<hash prefix>`), `label` names it for people (the "created by" of a connection).
    Org {
        org_id: String,
        actor: String,
        label: String,
    },
}

/// The caller as people read it: the API token by name, which is the identity behind a UI
/// session too.
fn label(token_name: Option<&str>, suffix: &str) -> String {
    match token_name {
        Some(name) => format!("API token \"{name}\"{suffix}"),
        None if suffix.is_empty() => "an API token".to_owned(),
        None => "a UI session".to_owned(),
    }
}

impl Principal {
    /// The caller's label; the admin is not an organization's caller.
    pub fn label(&self) -> &str {
        match self {
            Principal::Org { label, .. } => label,
            Principal::Admin => "admin",
        }
    }

    pub fn org(&self) -> Result<(&str, &str), ApiError> {
        match self {
            Principal::Org { org_id, actor, .. } => Ok((org_id, actor)),
            Principal::Admin => Err(ApiError::new(
                403,
                Error::new(
                    Code::NotAllowed,
                    "the bootstrap admin token only manages organizations and tokens",
                )
                .with_hint("use an organization's API token"),
            )),
        }
    }
}

fn unauthenticated(message: &str) -> ApiError {
    ApiError::new(
        401,
        Error::new(Code::Unauthenticated, message)
            .with_hint("send `Authorization: Bearer <API token>` or sign in"),
    )
}

/// A fresh API token value (256 bits).
pub fn new_token() -> Result<String, ApiError> {
    Ok(format!("azc_{}", hex(&random::<32>()?)))
}

/// The value of cookie `name`, if the request carries it.
pub fn cookie(req: &Request, name: &str) -> Result<Option<String>, ApiError> {
    let header = req.headers().get("cookie")?.unwrap_or_default();
    Ok(header.split(';').find_map(|part| {
        let (k, v) = part.trim().split_once('=')?;
        (k == name).then(|| v.to_owned())
    }))
}

/// The hint names the site: a page opened under another address (`localhost` for `127.0.0.1`, a
/// second hostname) is the usual cause, and the OAuth redirect would miss it too.
fn cross_origin(message: &str, cfg: &Config) -> ApiError {
    ApiError::new(
        403,
        Error::new(Code::CrossOrigin, message).with_hint(format!(
            "open azconn at {} (SITE_URL) and retry, or call the API with `Authorization: Bearer <API token>`",
            cfg.site_url
        )),
    )
}

/// CSRF defence for cookie-authenticated writes (OWASP CSRF cheat sheet, "verifying origin with
/// standard headers" + Fetch Metadata): `Origin` must be exactly `SITE_URL` (a missing or
/// `null` Origin is refused), and `Sec-Fetch-Site`, when the browser sends it, `same-origin`.
pub fn require_same_origin(req: &Request, cfg: &Config) -> Result<(), ApiError> {
    let origin = req.headers().get("origin")?;
    if origin.as_deref() != Some(cfg.site_url.to_string().as_str()) {
        return Err(cross_origin(
            "a cookie-authenticated write must come from the azconn site (Origin check)",
            cfg,
        ));
    }
    if let Some(site) = req.headers().get("sec-fetch-site")?
        && site != "same-origin"
    {
        return Err(cross_origin(
            &format!(
                "a cookie-authenticated write must come from the azconn site (Sec-Fetch-Site is {site})"
            ),
            cfg,
        ));
    }
    Ok(())
}

/// Sign-in from a browser must come from the site too (no login CSRF into another
/// organization); a client without `Origin` and `Sec-Fetch-Site` (curl, a back end) may sign in.
pub fn refuse_cross_site_sign_in(req: &Request, cfg: &Config) -> Result<(), ApiError> {
    let browser =
        req.headers().get("origin")?.is_some() || req.headers().get("sec-fetch-site")?.is_some();
    if browser {
        require_same_origin(req, cfg)?;
    }
    Ok(())
}

/// An organization's API token presented as `Bearer`, as its hash: a route may check it in
/// the same D1 round trip as its own statements (`Storage::*_of_token`), then make the
/// principal with [`token_principal`]. `None` for the admin token, a session or no credential:
/// [`authenticate`] handles those.
pub fn api_token_hash(req: &Request, cfg: &Config) -> Result<Option<String>, ApiError> {
    Ok(match bearer(req, cfg)? {
        Some(Bearer::Token(hash)) => Some(hash),
        Some(Bearer::Admin) | None => None,
    })
}

/// The `token:<id>` that names an API token's caller in the audit log and its rate-limit bucket.
pub const TOKEN_ACTOR: &str = "token:";

/// The caller of a checked API token.
pub fn token_principal(row: Credential) -> Principal {
    Principal::Org {
        label: label(row.name.as_deref(), ""),
        org_id: row.org_id,
        actor: format!("{TOKEN_ACTOR}{}", row.id),
    }
}

/// No API token has the presented hash.
pub fn unknown_token() -> ApiError {
    unauthenticated("unknown API token")
}

enum Bearer {
    Admin,
    /// An API token's hash.
    Token(String),
}

fn bearer(req: &Request, cfg: &Config) -> Result<Option<Bearer>, ApiError> {
    let Some(h) = req.headers().get("authorization")? else {
        return Ok(None);
    };
    let token = crate::bearer::bearer_token(&h)
        .ok_or_else(|| unauthenticated("the Authorization header is not `Bearer <token>`"))?;
    let hash = sha256_hex(token);
    // Compared as SHA-256 digests: equal lengths, so not even the length leaks.
    if let Some(admin) = &cfg.bootstrap_token
        && constant_time_eq(&sha256_hex(admin), &hash)
    {
        return Ok(Some(Bearer::Admin));
    }
    Ok(Some(Bearer::Token(hash)))
}

pub async fn authenticate(
    req: &Request,
    db: &Storage<'_>,
    cfg: &Config,
) -> Result<Principal, ApiError> {
    match bearer(req, cfg)? {
        Some(Bearer::Admin) => return Ok(Principal::Admin),
        Some(Bearer::Token(hash)) => {
            let row = db.use_api_token(&hash, now_s()).await?;
            return row.map(token_principal).ok_or_else(unknown_token);
        }
        None => {}
    }
    let Some(session) = cookie(req, SESSION_COOKIE)? else {
        return Err(unauthenticated("no API token or session"));
    };
    if req.method() != Method::Get && req.method() != Method::Head {
        require_same_origin(req, cfg)?;
    }
    let row = db
        .session(&sha256_hex(&session), now_s())
        .await?
        .ok_or_else(|| unauthenticated("the session expired or was signed out: sign in again"))?;
    Ok(Principal::Org {
        label: label(row.name.as_deref(), " (UI session)"),
        org_id: row.org_id,
        actor: format!("session:{}", &row.id[..12.min(row.id.len())]),
    })
}
