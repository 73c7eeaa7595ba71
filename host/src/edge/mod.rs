//! The Worker's entry points and routing.

mod auth;
mod azure;
mod connections;
mod oauth;
mod rotations;
mod store;
mod syncs;
mod util;

use crate::config::{CALLBACK_PATH, Config};
use auth::{Principal, SESSION_COOKIE, SESSION_LIFETIME_SECS, authenticate, new_token};
use azconn_core::error::{Code, Error};
use serde_json::{Value, json};
use store::{n, s, stmt};
use util::{ApiError, error_response, json, new_id, not_found, now_s, sha256_hex};
use worker::{Context, D1Database, Env, Method, Request, Response, event};

fn config(env: &Env) -> Result<Config, ApiError> {
    let get = |name: &str| {
        env.secret(name)
            .map(|v| v.to_string())
            .or_else(|_| env.var(name).map(|v| v.to_string()))
            .ok()
    };
    Config::parse(&get).map_err(ApiError::from)
}

#[event(fetch)]
async fn fetch(mut req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    console_error_panic_hook::set_once();
    let cfg = match config(&env) {
        Ok(c) => c,
        // The sign-in callback is a browser page: show the setting there, not JSON.
        Err(e) if req.path() == CALLBACK_PATH => return oauth::config_error_page(&e.error),
        Err(e) => return error_response(&e),
    };
    azure::set_limits(cfg.azure_limits);
    let db = env.d1("DB")?;
    if req.path() == CALLBACK_PATH && req.method() == Method::Get {
        return oauth::callback(&req, &db, &cfg).await;
    }
    match route(&mut req, &db, &cfg).await {
        Ok(resp) => Ok(resp),
        Err(e) => error_response(&e),
    }
}

/// Cron Trigger: runs the rotations that are due.
#[event(scheduled)]
async fn scheduled(_event: worker::ScheduledEvent, env: Env, _ctx: worker::ScheduleContext) {
    console_error_panic_hook::set_once();
    let Ok(cfg) = config(&env) else {
        worker::console_error!("scheduled: azconn is not configured");
        return;
    };
    azure::set_limits(cfg.azure_limits);
    let Ok(db) = env.d1("DB") else {
        worker::console_error!("scheduled: no D1 binding DB");
        return;
    };
    match rotations::run_due(&db, &cfg).await {
        Ok(n) => worker::console_log!("scheduled: {n} rotation(s) ran"),
        Err(e) => worker::console_error!("scheduled: {}", e.error.message),
    }
}

async fn body(req: &mut Request) -> Result<Value, ApiError> {
    let text = req.text().await?;
    if text.trim().is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_str(&text).map_err(|e| {
        ApiError::from(Error::field(
            "body",
            Code::InvalidFormat,
            format!("the body is not JSON: {e}"),
        ))
    })
}

fn query(req: &Request, name: &str) -> Result<Option<String>, ApiError> {
    Ok(req
        .url()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned()))
}

fn ok(status: u16, v: &Value) -> Result<Response, ApiError> {
    Ok(json(status, v)?)
}

async fn route(req: &mut Request, db: &D1Database, cfg: &Config) -> Result<Response, ApiError> {
    let path = req.path();
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let method = req.method();
    let Some(rest) = segs.strip_prefix(&["api", "v1"]) else {
        return Err(not_found("route"));
    };
    match (method.clone(), rest) {
        (Method::Get, ["health"]) => return ok(200, &json!({ "ok": true })),
        (Method::Post, ["sessions"]) => return create_session(req, db, cfg).await,
        _ => {}
    }
    let principal = authenticate(req, db, cfg).await?;
    match (method, rest) {
        (Method::Post, ["organizations"]) => {
            admin(&principal)?;
            let b = body(req).await?;
            create_org(db, &b).await
        }
        (Method::Post, ["organizations", org, "tokens"]) => {
            admin(&principal)?;
            let b = body(req).await?;
            let token = create_token(db, org, &b).await?;
            ok(201, &json!({ "token": token }))
        }
        (Method::Get, ["audit-log"]) => {
            let (org, _) = principal.org()?;
            let rows = stmt(
                db,
                "SELECT id, at, actor, action, target, outcome, detail FROM audit_log WHERE org_id = ?1 ORDER BY id DESC LIMIT 200",
                &[s(org)],
            )?
            .all()
            .await?
            .results::<Value>()?;
            ok(200, &json!({ "entries": rows }))
        }
        (m, ["secret-rotations", "azure-client-secret", tail @ ..]) => {
            let (org, actor) = principal.org()?;
            let (org, actor) = (org.to_owned(), actor.to_owned());
            match (m, tail) {
                (Method::Post, []) => {
                    let b = body(req).await?;
                    ok(201, &rotations::create(db, cfg, &org, &actor, &b).await?)
                }
                (Method::Get, []) => {
                    let rows = stmt(
                        db,
                        "SELECT * FROM rotations WHERE org_id = ?1 ORDER BY created_at",
                        &[s(&org)],
                    )?
                    .all()
                    .await?
                    .results::<rotations::RotationRow>()?;
                    let list: Vec<Value> = rows.iter().map(rotations::RotationRow::view).collect();
                    ok(200, &json!({ "rotations": list }))
                }
                (m, [id, action @ ..]) => {
                    let row = rotations::get(db, &org, id)
                        .await?
                        .ok_or_else(|| not_found("rotation"))?;
                    match (m, action) {
                        (Method::Get, []) => ok(200, &json!({ "rotation": row.view() })),
                        (Method::Post, ["rotate"]) => {
                            ok(200, &rotations::rotate(db, cfg, &org, &actor, &row).await?)
                        }
                        (Method::Post, ["secret"]) => ok(
                            200,
                            &rotations::current_secret(db, cfg, &org, &actor, &row).await?,
                        ),
                        _ => Err(not_found("route")),
                    }
                }
                _ => Err(not_found("route")),
            }
        }
        (m, ["secret-syncs", "azure-app-configuration", tail @ ..]) => {
            let (org, actor) = principal.org()?;
            let (org, actor) = (org.to_owned(), actor.to_owned());
            match (m, tail) {
                (Method::Post, []) => {
                    let b = body(req).await?;
                    ok(201, &syncs::create(db, cfg, &org, &actor, &b).await?)
                }
                (Method::Get, []) => {
                    let mut list = Vec::new();
                    for row in syncs::list(db, &org).await? {
                        list.push(syncs::view(db, &row).await?);
                    }
                    ok(200, &json!({ "syncs": list }))
                }
                (m, [id, action @ ..]) => {
                    let row = syncs::get(db, &org, id)
                        .await?
                        .ok_or_else(|| not_found("sync"))?;
                    match (m, action) {
                        (Method::Get, []) => {
                            ok(200, &json!({ "sync": syncs::view(db, &row).await? }))
                        }
                        (Method::Post, ["run"]) => {
                            let b = body(req).await?;
                            ok(200, &syncs::run(db, cfg, &org, &actor, &row, &b).await?)
                        }
                        _ => Err(not_found("route")),
                    }
                }
                _ => Err(not_found("route")),
            }
        }
        (m, ["app-connections", ty, tail @ ..]) => {
            let (org, actor) = principal.org()?;
            let (org, actor) = (org.to_owned(), actor.to_owned());
            let ty_enum =
                connections::parse_type(ty).ok_or_else(|| not_found("connection type"))?;
            match (m, tail) {
                (Method::Get, []) => {
                    let rows = store::connections(db, &org, ty).await?;
                    let list: Vec<Value> = rows.iter().map(store::ConnectionRow::view).collect();
                    ok(200, &json!({ "appConnections": list }))
                }
                (Method::Post, []) => {
                    let b = body(req).await?;
                    let (status, v) =
                        connections::create(db, cfg, &org, &actor, ty_enum, &b).await?;
                    ok(status, &v)
                }
                (Method::Post, ["oauth", "start"]) => {
                    let b = body(req).await?;
                    let (v, cookie) = oauth::start(db, cfg, &org, &actor, ty_enum, &b).await?;
                    let mut resp = json(200, &v)?;
                    resp.headers_mut().set("set-cookie", &cookie)?;
                    Ok(resp)
                }
                (m, [id, action @ ..]) => {
                    let row = store::connection(db, &org, ty, id)
                        .await?
                        .ok_or_else(|| not_found("connection"))?;
                    match (m, action) {
                        (Method::Get, []) => ok(200, &json!({ "appConnection": row.view() })),
                        (Method::Patch, []) => {
                            let b = body(req).await?;
                            ok(
                                200,
                                &connections::update(db, cfg, &actor, &row, ty_enum, &b).await?,
                            )
                        }
                        (Method::Delete, []) => {
                            db.batch(vec![
                                stmt(db, "DELETE FROM secrets WHERE owner_id = ?1", &[s(&row.id)])?,
                                stmt(
                                    db,
                                    "DELETE FROM connections WHERE id = ?1 AND org_id = ?2",
                                    &[s(&row.id), s(&org)],
                                )?,
                            ])
                            .await?;
                            store::audit(
                                db,
                                Some(&org),
                                &actor,
                                "connection.delete",
                                Some(&row.id),
                                "ok",
                                &json!({ "name": row.name }),
                            )
                            .await?;
                            ok(200, &json!({ "appConnection": row.view() }))
                        }
                        (Method::Post, ["validate"]) => ok(
                            200,
                            &connections::validate(db, cfg, &actor, &row, ty_enum).await?,
                        ),
                        (Method::Get, ["clients"])
                            if ty_enum == azconn_core::form::ConnectionType::AzureClientSecrets =>
                        {
                            let top = query(req, "top")?
                                .map(|t| t.parse::<u16>())
                                .transpose()
                                .map_err(|_| {
                                    ApiError::from(Error::field(
                                        "top",
                                        Code::InvalidFormat,
                                        "top must be a number",
                                    ))
                                })?;
                            let next = query(req, "next")?;
                            ok(
                                200,
                                &connections::clients(db, cfg, &row, top, next.as_deref()).await?,
                            )
                        }
                        (Method::Post, ["token"]) => {
                            let (token, expires_at) =
                                connections::token_for(db, cfg, &row, ty_enum).await?;
                            store::audit(
                                db,
                                Some(&org),
                                &actor,
                                "connection.token",
                                Some(&row.id),
                                "ok",
                                &json!({}),
                            )
                            .await?;
                            ok(
                                200,
                                &json!({ "accessToken": token.expose(), "expiresAt": expires_at, "tokenType": "Bearer" }),
                            )
                        }
                        _ => Err(not_found("route")),
                    }
                }
                _ => Err(not_found("route")),
            }
        }
        _ => Err(not_found("route")),
    }
}

fn admin(p: &Principal) -> Result<(), ApiError> {
    match p {
        Principal::Admin => Ok(()),
        Principal::Org { .. } => Err(ApiError::new(
            403,
            Error::new(
                Code::NotAllowed,
                "only the bootstrap admin token manages organizations",
            ),
        )),
    }
}

fn name_of(b: &Value, default: &str) -> Result<String, ApiError> {
    let name = b
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or(default)
        .trim()
        .to_owned();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(Error::field(
            "name",
            Code::InvalidFormat,
            "a name is 1-64 characters without control characters",
        )
        .into());
    }
    Ok(name)
}

async fn create_token(db: &D1Database, org: &str, b: &Value) -> Result<Value, ApiError> {
    let exists = stmt(db, "SELECT id FROM organizations WHERE id = ?1", &[s(org)])?
        .first::<Value>(None)
        .await?;
    if exists.is_none() {
        return Err(not_found("organization"));
    }
    let name = name_of(b, "default")?;
    let id = new_id()?;
    let value = new_token()?;
    stmt(
        db,
        "INSERT INTO api_tokens (id, org_id, name, token_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        &[s(&id), s(org), s(&name), s(&sha256_hex(&value)), n(now_s())],
    )?
    .run()
    .await?;
    store::audit(
        db,
        Some(org),
        "admin",
        "token.create",
        Some(&id),
        "ok",
        &json!({ "name": name }),
    )
    .await?;
    // The value is shown once; only its hash is stored.
    Ok(json!({ "id": id, "name": name, "value": value }))
}

async fn create_org(db: &D1Database, b: &Value) -> Result<Response, ApiError> {
    let name = name_of(b, "")?;
    let id = new_id()?;
    stmt(
        db,
        "INSERT INTO organizations (id, name, created_at) VALUES (?1, ?2, ?3)",
        &[s(&id), s(&name), n(now_s())],
    )?
    .run()
    .await?;
    store::audit(
        db,
        Some(&id),
        "admin",
        "organization.create",
        Some(&id),
        "ok",
        &json!({ "name": name }),
    )
    .await?;
    let token = create_token(db, &id, &json!({ "name": "default" })).await?;
    ok(
        201,
        &json!({ "organization": { "id": id, "name": name }, "token": token }),
    )
}

/// `POST /api/v1/sessions {token}`: exchanges an API token for a UI session cookie.
async fn create_session(
    req: &mut Request,
    db: &D1Database,
    cfg: &Config,
) -> Result<Response, ApiError> {
    let b = body(req).await?;
    let token = b
        .get("token")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_owned();
    #[derive(serde::Deserialize)]
    struct Row {
        org_id: String,
    }
    let row = stmt(
        db,
        "SELECT org_id FROM api_tokens WHERE token_hash = ?1",
        &[s(&sha256_hex(&token))],
    )?
    .first::<Row>(None)
    .await?
    .ok_or_else(|| {
        ApiError::new(
            401,
            Error::field("token", Code::Unauthenticated, "unknown API token"),
        )
    })?;
    let session = new_token()?;
    let now = now_s();
    stmt(
        db,
        "INSERT INTO sessions (id_hash, org_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
        &[
            s(&sha256_hex(&session)),
            s(&row.org_id),
            n(now),
            n(now + SESSION_LIFETIME_SECS),
        ],
    )?
    .run()
    .await?;
    let mut resp = json(200, &json!({ "organizationId": row.org_id }))?;
    resp.headers_mut().set(
        "set-cookie",
        &format!(
            "{SESSION_COOKIE}={session}; Path=/; Max-Age={SESSION_LIFETIME_SECS}; HttpOnly; SameSite=Lax{}",
            if cfg.secure_cookies() { "; Secure" } else { "" }
        ),
    )?;
    Ok(resp)
}
