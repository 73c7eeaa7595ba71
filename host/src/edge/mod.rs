//! The Worker's entry points and routing.

mod auth;
mod azure;
mod connections;
mod keys_at_rest;
mod oauth;
mod rate_limit;
mod reply;
mod rotations;
mod runtime;
mod store;
mod syncs;
mod tokens;

use crate::api;
use crate::audit::AuditQuery;
use crate::config::{CALLBACK_PATH, Config};
use crate::headers::{BodyKind, security_headers};
use crate::limits;
use crate::records::Connection;
use crate::request_body;
use crate::routes::Route;
use auth::{Principal, SESSION_COOKIE, SESSION_LIFETIME_SECS, authenticate, new_token};
use azconn_core::error::{Code, Error};
use azconn_core::form::ConnectionType;
use azconn_core::http::Scheme;
use azure::Edge;
use futures_util::StreamExt;
use rate_limit::Client;
use reply::{ApiError, REQUEST_ID_HEADER, error_response, json, not_found};
use runtime::{new_id, now_s, sha256_hex};
use serde_json::{Value, json};
use std::cell::OnceCell;
use std::rc::Rc;
use store::Storage;
use worker::{Context, Env, Headers, Method, Request, Response, event};

thread_local! {
    /// The deployment's configuration, parsed on the isolate's first request: vars and secrets
    /// only change with a new deployment, which starts new isolates. A configuration error is
    /// not kept, so fixing a setting needs no restart where the runtime reloads it.
    static CONFIG: OnceCell<Rc<Config>> = const { OnceCell::new() };
}

fn config(env: &Env) -> Result<Rc<Config>, ApiError> {
    if let Some(cfg) = CONFIG.with(|c| c.get().cloned()) {
        return Ok(cfg);
    }
    let get = |name: &str| {
        env.secret(name)
            .map(|v| v.to_string())
            .or_else(|_| env.var(name).map(|v| v.to_string()))
            .ok()
    };
    let cfg = Rc::new(Config::parse(&get).map_err(ApiError::from)?);
    CONFIG.with(|c| {
        let _ = c.set(cfg.clone());
    });
    Ok(cfg)
}

#[event(fetch)]
async fn fetch(mut req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    console_error_panic_hook::set_once();
    let request_id = new_id().unwrap_or_else(|_| "0".repeat(32));
    let cfg = config(&env);
    let mut resp = match &cfg {
        Ok(cfg) => match handle(&mut req, &env, cfg, &request_id).await {
            Ok(resp) => resp,
            Err(e) => error_response(&e, &request_id)?,
        },
        // The sign-in callback is a browser page: show the setting there, not JSON.
        Err(e) if req.path() == CALLBACK_PATH => {
            oauth::config_error_page(&e.error, &request_id, &env).await?
        }
        Err(e) => error_response(e, &request_id)?,
    };
    resp.headers_mut().set(REQUEST_ID_HEADER, &request_id)?;
    secure(&req, &mut resp, cfg.as_deref().ok())?;
    Ok(resp)
}

/// The answer, or the error to answer with: a runtime failure on the way (a missing binding, a
/// header that cannot be set) is an error like any other, never the runtime's own 500 page.
async fn handle(
    req: &mut Request,
    env: &Env,
    cfg: &Config,
    request_id: &str,
) -> Result<Response, ApiError> {
    if req.method() == Method::Options {
        return preflight(req, cfg);
    }
    azure::set_limits(cfg.azure_limits);
    let db = Storage::new(env.d1("DB")?, &cfg.keyring);
    if req.path() == CALLBACK_PATH && req.method() == Method::Get {
        return oauth::callback(req, &db, cfg, request_id, env).await;
    }
    route(req, &db, cfg).await
}

/// CORS preflight: answered only for an origin in `AZCONN_CORS_ORIGINS` (Bearer tokens only:
/// no `Access-Control-Allow-Credentials`, so the session cookie never works cross-origin).
fn preflight(req: &Request, cfg: &Config) -> Result<Response, ApiError> {
    let origin = req.headers().get("origin")?.unwrap_or_default();
    let asks = req
        .headers()
        .get("access-control-request-method")?
        .is_some();
    if !asks || !cfg.cors_allows(&origin) {
        return Err(ApiError::new(
            403,
            Error::new(Code::CrossOrigin, "cross-origin requests are not allowed")
                .with_hint("list the calling origin in AZCONN_CORS_ORIGINS"),
        ));
    }
    let headers = Headers::new();
    headers.set("access-control-allow-origin", &origin)?;
    headers.set("access-control-allow-methods", "GET, POST, PATCH, DELETE")?;
    headers.set(
        "access-control-allow-headers",
        "authorization, content-type",
    )?;
    headers.set("access-control-max-age", "600")?;
    headers.set("vary", "Origin")?;
    Ok(Response::empty()?.with_status(204).with_headers(headers))
}

/// The security headers of every answer (`crate::headers`), and CORS for allowed origins.
fn secure(req: &Request, resp: &mut Response, cfg: Option<&Config>) -> worker::Result<()> {
    let html = resp
        .headers()
        .get("content-type")?
        .is_some_and(|c| c.starts_with("text/html"));
    let https = cfg.is_some_and(|c| c.site_url.scheme() == Scheme::Https);
    let kind = if html { BodyKind::Html } else { BodyKind::Data };
    let headers = resp.headers_mut();
    for (name, value) in security_headers(https, kind) {
        if !headers.has(name)? {
            headers.set(name, value)?;
        }
    }
    if let (Some(cfg), Some(origin)) = (cfg, req.headers().get("origin")?)
        && req.path().starts_with("/api/")
        && cfg.cors_allows(&origin)
    {
        headers.set("access-control-allow-origin", &origin)?;
        headers.set(
            "access-control-expose-headers",
            &format!("retry-after, {REQUEST_ID_HEADER}"),
        )?;
        headers.append("vary", "Origin")?;
    }
    Ok(())
}

/// Cron Trigger: runs the rotations that are due, forgets what expired and advances the
/// re-seal sweep by a batch.
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
    let db = Storage::new(db, &cfg.keyring);
    match crate::rotations::run_due(&db, &Edge, &cfg).await {
        Ok(n) => worker::console_log!("scheduled: {n} rotation(s) ran"),
        Err(e) => worker::console_error!("scheduled: {}", e.error.message),
    }
    if let Err(e) = rate_limit::sweep(&db).await {
        worker::console_error!("scheduled: {}", e.error.message);
    }
    if let Err(e) = db.sweep_expired(now_s()).await {
        worker::console_error!("scheduled: {}", e.error.message);
    }
    // A key version added to AZCONN_ENCRYPTION_KEYS: one batch of the re-seal sweep per tick.
    match keys_at_rest::reseal(
        &db,
        &cfg.keyring,
        &Edge,
        crate::keys_at_rest::DEFAULT_BATCH,
        "scheduler",
    )
    .await
    {
        Ok(a) if a.resealed > 0 || !a.failed.is_empty() => worker::console_log!(
            "scheduled: {} value(s) re-sealed under key version {}, {} left, {} failed",
            a.resealed,
            a.status.current_version,
            a.status.remaining,
            a.failed.len()
        ),
        Ok(_) => {}
        Err(e) => worker::console_error!("scheduled: {}", e.error.message),
    }
}

/// The rotation use-cases of `org` as `actor` acts on them, over D1 and the Worker's platform.
fn rotations<'a>(
    db: &'a Storage<'a>,
    cfg: &'a Config,
    org: &'a str,
    actor: &'a str,
) -> crate::rotations::Rotations<'a, Storage<'a>, Edge> {
    crate::rotations::Rotations {
        db,
        p: &Edge,
        cfg,
        org,
        actor,
    }
}

/// The sync use-cases of `org` as `actor` acts on them, over D1 and the Worker's platform.
fn syncs<'a>(
    db: &'a Storage<'a>,
    cfg: &'a Config,
    org: &'a str,
    actor: &'a str,
) -> crate::syncs::Syncs<'a, Storage<'a>, Edge> {
    crate::syncs::Syncs {
        db,
        p: &Edge,
        cfg,
        org,
        actor,
    }
}

/// A request body as its typed request (`crate::api`); an empty body is the empty request.
async fn request<T: serde::de::DeserializeOwned + Default>(
    req: &mut Request,
) -> Result<T, ApiError> {
    let b = body(req).await?;
    if !b.is_object() {
        return Err(
            Error::field("body", Code::InvalidFormat, "the body is not a JSON object").into(),
        );
    }
    serde_json::from_value(b).map_err(|e| {
        ApiError::from(Error::field(
            "body",
            Code::InvalidFormat,
            format!("the body is not this route's request: {e}"),
        ))
    })
}

/// The body as JSON, read within `request_body`'s bound.
async fn body(req: &mut Request) -> Result<Value, ApiError> {
    request_body::check_declared(req.headers().get("content-length")?.as_deref())?;
    let mut body = request_body::Body::default();
    if req.inner().body().is_some() {
        let mut stream = req.stream()?;
        while let Some(chunk) = stream.next().await {
            body.push(&chunk?)?;
        }
    }
    body.json()
}

fn query(req: &Request, name: &str) -> Result<Option<String>, ApiError> {
    Ok(req
        .url()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned()))
}

/// `?secrets=revoke|keep` of a rotation's (or a leftover's) delete: required.
fn secrets_choice(req: &Request) -> Result<api::SecretsChoice, ApiError> {
    Ok(api::choice(
        "secrets",
        query(req, "secrets")?.as_deref(),
        "revoke or keep",
    )?)
}

fn ok<T: serde::Serialize>(status: u16, v: &T) -> Result<Response, ApiError> {
    Ok(json(status, v)?)
}

async fn route(req: &mut Request, db: &Storage<'_>, cfg: &Config) -> Result<Response, ApiError> {
    let path = req.path();
    let method = req.method();
    let route = Route::resolve(method.as_ref(), &path);
    match route {
        Ok(Route::Health) => return ok(200, &api::Health { ok: true }),
        Ok(Route::CreateSession) => return create_session(req, db, cfg).await,
        Ok(Route::DeleteSession) => return delete_session(req, db, cfg).await,
        Ok(Route::OpenApi) => return Ok(reply::openapi()?),
        _ => {}
    }
    // The hot routes check an API token in the same D1 round trip as their own statements.
    if let Ok(
        hot @ (Route::ListConnections { .. }
        | Route::OAuthStart { .. }
        | Route::ConnectionToken { .. }),
    ) = route
        && let Some(hash) = auth::api_token_hash(req, cfg)?
    {
        return hot_route(req, db, cfg, hot, Who::Token(&hash)).await;
    }
    // Everything else needs a caller, including what matches no route (401 before 404).
    let principal = authenticate(req, db, cfg).await?;
    let route = route.map_err(|e| e.error(method.as_ref()))?;
    match route {
        Route::Health | Route::CreateSession | Route::DeleteSession | Route::OpenApi => {
            Err(not_found("route"))
        }
        Route::CreateOrganization => {
            admin(&principal)?;
            let b: api::NameRequest = request(req).await?;
            create_org(db, b.name.as_deref()).await
        }
        Route::CreateToken { org } => {
            admin(&principal)?;
            let b: api::NameRequest = request(req).await?;
            let token = create_token(db, org, b.name.as_deref()).await?;
            ok(201, &api::TokenCreated { token })
        }
        Route::ListTokens { org } => {
            admin(&principal)?;
            let tokens = db.api_tokens(org).await?;
            ok(
                200,
                &api::TokenList {
                    tokens: tokens.into_iter().map(api::TokenView::from).collect(),
                },
            )
        }
        Route::RevokeToken { org, token } => {
            admin(&principal)?;
            ok(
                200,
                &api::TokenRevoked {
                    token: revoke_token(db, org, token).await?,
                },
            )
        }
        Route::EncryptionStatus => {
            admin(&principal)?;
            ok(200, &keys_at_rest::status(db, &cfg.keyring).await?)
        }
        Route::Reseal => {
            admin(&principal)?;
            let b: api::ResealRequest = request(req).await?;
            ok(
                200,
                &keys_at_rest::reseal(db, &cfg.keyring, &Edge, b.limit()?, "admin").await?,
            )
        }
        Route::Session => {
            let (org, _) = principal.org()?;
            let name = db.organization_name(org).await?;
            ok(
                200,
                &api::SessionView {
                    organization_id: org.to_owned(),
                    organization_name: name,
                },
            )
        }
        Route::ConnectionOptions => {
            principal.org()?;
            ok(200, &connection_options(cfg))
        }
        Route::AuditLog => {
            let (org, _) = principal.org()?;
            let q = AuditQuery::parse(req.url()?.query().unwrap_or_default())?;
            let rows = db.audit_log(org, &q).await?;
            ok(200, &q.page(rows))
        }
        Route::CreateRotation => {
            let (org, actor) = principal.org()?;
            let b = api::RotationRequest::parse(&body(req).await?)?;
            ok(201, &rotations(db, cfg, org, actor).create(&b).await?)
        }
        Route::ListRotations => {
            let (org, _) = principal.org()?;
            // `?name=`: the one rotation of that name.
            if let Some(name) = query(req, "name")? {
                let row = db
                    .rotation_named(org, &name)
                    .await?
                    .ok_or_else(|| not_found("rotation"))?;
                return ok(
                    200,
                    &api::RotationBody {
                        rotation: (&row).into(),
                    },
                );
            }
            let rows = db.rotations(org).await?;
            let rotations = rows.iter().map(api::RotationView::from).collect();
            ok(200, &api::RotationList { rotations })
        }
        Route::GetRotation { id } | Route::Rotate { id } | Route::RotationSecret { id } => {
            let (org, actor) = principal.org()?;
            let row = db
                .rotation(org, id)
                .await?
                .ok_or_else(|| not_found("rotation"))?;
            match route {
                Route::Rotate { .. } => {
                    ok(200, &rotations(db, cfg, org, actor).rotate(&row).await?)
                }
                Route::RotationSecret { .. } => ok(
                    200,
                    &rotations(db, cfg, org, actor).current_secret(&row).await?,
                ),
                _ => ok(
                    200,
                    &api::RotationBody {
                        rotation: (&row).into(),
                    },
                ),
            }
        }
        Route::DeleteRotation { id } => {
            let (org, actor) = principal.org()?;
            let row = db
                .rotation(org, id)
                .await?
                .ok_or_else(|| not_found("rotation"))?;
            let secrets = secrets_choice(req)?;
            ok(
                200,
                &rotations(db, cfg, org, actor).delete(&row, secrets).await?,
            )
        }
        Route::ListLeftovers => {
            let (org, _) = principal.org()?;
            let rows = db.rotation_leftovers(org).await?;
            let leftovers = rows.iter().map(api::LeftoverView::from).collect();
            ok(200, &api::LeftoverList { leftovers })
        }
        Route::GetLeftover { id } | Route::DeleteLeftover { id } => {
            let (org, actor) = principal.org()?;
            let row = db
                .rotation_leftover(org, id)
                .await?
                .ok_or_else(|| not_found("leftover"))?;
            if matches!(route, Route::GetLeftover { .. }) {
                return ok(200, &rotations(db, cfg, org, actor).leftover(&row).await?);
            }
            let secrets = secrets_choice(req)?;
            ok(
                200,
                &rotations(db, cfg, org, actor)
                    .delete_leftover(&row, secrets)
                    .await?,
            )
        }
        Route::DeleteSync { id } => {
            let (org, actor) = principal.org()?;
            let row = db.sync(org, id).await?.ok_or_else(|| not_found("sync"))?;
            let keys = api::choice("keys", query(req, "keys")?.as_deref(), "remove or keep")?;
            ok(200, &syncs(db, cfg, org, actor).delete(&row, keys).await?)
        }
        Route::UpdateRotation { id } => {
            let (org, actor) = principal.org()?;
            let row = db
                .rotation(org, id)
                .await?
                .ok_or_else(|| not_found("rotation"))?;
            let b = api::RotationPatch::parse(&body(req).await?)?;
            ok(200, &rotations(db, cfg, org, actor).update(&row, &b).await?)
        }
        Route::UpdateSync { id } => {
            let (org, actor) = principal.org()?;
            let row = db.sync(org, id).await?.ok_or_else(|| not_found("sync"))?;
            let b = api::SyncPatch::parse(&body(req).await?)?;
            ok(200, &syncs(db, cfg, org, actor).update(&row, &b).await?)
        }
        Route::CreateSync => {
            let (org, actor) = principal.org()?;
            let b = api::SyncRequest::parse(&body(req).await?)?;
            ok(201, &syncs(db, cfg, org, actor).create(&b).await?)
        }
        Route::ListSyncs => {
            let (org, _) = principal.org()?;
            // `?name=`: the one sync of that name.
            if let Some(name) = query(req, "name")? {
                let row = db
                    .sync_named(org, &name)
                    .await?
                    .ok_or_else(|| not_found("sync"))?;
                return ok(
                    200,
                    &api::SyncBody {
                        sync: crate::syncs::view(db, &row).await?,
                    },
                );
            }
            let mut list = Vec::new();
            for row in db.syncs(org).await? {
                list.push(crate::syncs::view(db, &row).await?);
            }
            ok(200, &api::SyncList { syncs: list })
        }
        Route::GetSync { id } | Route::RunSync { id } => {
            let (org, actor) = principal.org()?;
            let row = db.sync(org, id).await?.ok_or_else(|| not_found("sync"))?;
            if let Route::RunSync { .. } = route {
                let b = api::RunRequest::parse(&body(req).await?)?;
                ok(200, &syncs(db, cfg, org, actor).run(&row, &b).await?)
            } else {
                ok(
                    200,
                    &api::SyncBody {
                        sync: crate::syncs::view(db, &row).await?,
                    },
                )
            }
        }
        Route::ListConnections { .. }
        | Route::OAuthStart { .. }
        | Route::ConnectionToken { .. } => {
            hot_route(req, db, cfg, route, Who::Known(&principal)).await
        }
        Route::CreateConnection { ty } => {
            let (org, actor) = principal.org()?;
            let b = body(req).await?;
            let caller = connections::Caller {
                org,
                actor,
                label: principal.label(),
            };
            ok(
                201,
                &connections::create(db, &Edge, cfg, &caller, ty, &b).await?,
            )
        }
        Route::GetConnection { ty, id }
        | Route::UpdateConnection { ty, id }
        | Route::DeleteConnection { ty, id }
        | Route::ValidateConnection { ty, id } => {
            let (org, actor) = principal.org()?;
            let row = db
                .connection(org, ty, id)
                .await?
                .ok_or_else(|| not_found("connection"))?;
            connection_route(req, db, cfg, route, org, actor, &row).await
        }
        Route::ListClients { id } => {
            let (org, _) = principal.org()?;
            let row = db
                .connection(org, ConnectionType::AzureClientSecrets, id)
                .await?
                .ok_or_else(|| not_found("connection"))?;
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
    }
}

/// Who calls a hot route: a caller already authenticated (the admin, a UI session), or an
/// organization's API token still to check, by its hash, in the route's first round trip.
#[derive(Clone, Copy)]
enum Who<'a> {
    Known(&'a Principal),
    Token(&'a str),
}

/// The routes a platform calls most (list, OAuth start, token): the API token check shares
/// their first D1 round trip.
async fn hot_route(
    req: &mut Request,
    db: &Storage<'_>,
    cfg: &Config,
    route: Route<'_>,
    who: Who<'_>,
) -> Result<Response, ApiError> {
    match route {
        Route::ListConnections { ty } => {
            let rows = match who {
                Who::Known(p) => db.connections(p.org()?.0, ty).await?,
                Who::Token(hash) => {
                    let (_, rows) = db
                        .connections_of_token(hash, now_s(), ty)
                        .await?
                        .ok_or_else(auth::unknown_token)?;
                    rows
                }
            };
            let app_connections = rows.iter().map(api::ConnectionView::from).collect();
            ok(200, &api::ConnectionList { app_connections })
        }
        Route::OAuthStart { ty } => oauth_start(req, db, cfg, who, ty).await,
        Route::ConnectionToken { ty, id } => connection_token(req, db, cfg, who, ty, id).await,
        _ => Err(not_found("route")),
    }
}

/// `POST .../oauth/start`: the rate limit (with the token check, one round trip), then the
/// sign-in with its pending state.
async fn oauth_start(
    req: &mut Request,
    db: &Storage<'_>,
    cfg: &Config,
    who: Who<'_>,
    ty: ConnectionType,
) -> Result<Response, ApiError> {
    let ip = rate_limit::client_ip(req)?;
    let limit = cfg.rate_limits.oauth_start;
    let checked;
    let principal = match who {
        Who::Known(p) => {
            let (_, actor) = p.org()?;
            let client = Client {
                ip: &ip,
                token: actor,
            };
            rate_limit::check(db, "oauth-start", limit, &client).await?;
            p
        }
        Who::Token(hash) => {
            let now = now_s();
            let buckets = rate_limit::token_buckets("oauth-start", &ip);
            let (token, windows) = db
                .count_request_of_token(hash, &buckets, now, i64::from(limit.window_secs))
                .await?
                .ok_or_else(auth::unknown_token)?;
            if let Some(e) = limits::refusal(limit, &windows, now) {
                return Err(e);
            }
            checked = auth::token_principal(token);
            &checked
        }
    };
    let (org, actor) = principal.org()?;
    let b = request(req).await?;
    let caller = connections::Caller {
        org,
        actor,
        label: principal.label(),
    };
    let (v, cookie) = oauth::start(db, &Edge, cfg, &caller, ty, &b).await?;
    let mut resp = json(200, &v)?;
    resp.headers_mut().set("set-cookie", &cookie)?;
    Ok(resp)
}

/// `POST .../{id}/token`: the rate limit, the connection and its cached token in one D1 round
/// trip (with the API token check: the hot path of a platform that fetches tokens), then the
/// audit record.
async fn connection_token(
    req: &Request,
    db: &Storage<'_>,
    cfg: &Config,
    who: Who<'_>,
    ty: ConnectionType,
    id: &str,
) -> Result<Response, ApiError> {
    let ip = rate_limit::client_ip(req)?;
    let limit = cfg.rate_limits.token;
    let now = now_s();
    let window = i64::from(limit.window_secs);
    let checked;
    let (principal, (windows, row, cached)) = match who {
        Who::Known(p) => {
            let (org, actor) = p.org()?;
            let client = Client {
                ip: &ip,
                token: actor,
            };
            let buckets = rate_limit::buckets("token", &client);
            (
                p,
                db.count_and_read_token(&buckets, now, window, org, ty, id)
                    .await?,
            )
        }
        Who::Token(hash) => {
            let buckets = rate_limit::token_buckets("token", &ip);
            let (token, read) = db
                .count_and_read_token_of_token(hash, &buckets, now, window, ty, id)
                .await?
                .ok_or_else(auth::unknown_token)?;
            checked = auth::token_principal(token);
            (&checked, read)
        }
    };
    let (org, actor) = principal.org()?;
    let row = row.ok_or_else(|| not_found("connection"))?;
    if let Some(e) = limits::refusal(limit, &windows, now) {
        return Err(e);
    }
    let (token, expires_at) = tokens::token_with_cached(db, cfg, &row, cached).await?;
    db.audit(
        Some(org),
        actor,
        "connection.token",
        Some(&row.id),
        "ok",
        &json!({}),
    )
    .await?;
    ok(
        200,
        &api::AccessTokenBody {
            access_token: token.expose().to_owned(),
            expires_at,
            token_type: api::TokenType::Bearer,
        },
    )
}

/// The routes on one existing connection.
async fn connection_route(
    req: &mut Request,
    db: &Storage<'_>,
    cfg: &Config,
    route: Route<'_>,
    org: &str,
    actor: &str,
    row: &Connection,
) -> Result<Response, ApiError> {
    match route {
        Route::UpdateConnection { .. } => {
            let b = body(req).await?;
            ok(
                200,
                &connections::update(db, &Edge, cfg, actor, row, &b).await?,
            )
        }
        Route::DeleteConnection { .. } => {
            let q = api::ConnectionDeleteQuery::parse(req.url()?.query().unwrap_or_default())?;
            let deleter = connections::Deleter {
                db,
                p: &Edge,
                cfg,
                org,
                actor,
            };
            ok(200, &deleter.delete(row, &q).await?)
        }
        Route::ValidateConnection { .. } => {
            let tokens = connections::EdgeTokens { db, cfg };
            ok(
                200,
                &connections::validate(db, &Edge, &tokens, cfg, actor, row).await?,
            )
        }
        _ => ok(200, &api::ConnectionBody::from(row)),
    }
}

fn admin(p: &Principal) -> Result<(), ApiError> {
    match p {
        Principal::Admin => Ok(()),
        Principal::Org { .. } => Err(ApiError::new(
            403,
            Error::new(
                Code::NotAllowed,
                "only the bootstrap admin token manages organizations, their tokens and the encryption keys",
            ),
        )),
    }
}

fn name_of(name: Option<&str>, default: &str) -> Result<String, ApiError> {
    let name = name.unwrap_or(default).trim().to_owned();
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

async fn create_token(
    db: &Storage<'_>,
    org: &str,
    name: Option<&str>,
) -> Result<api::NewToken, ApiError> {
    if db.organization_name(org).await?.is_none() {
        return Err(not_found("organization"));
    }
    let name = name_of(name, "default")?;
    let id = new_id()?;
    let value = new_token()?;
    db.insert_api_token(&id, org, &name, &sha256_hex(&value), now_s())
        .await?;
    db.audit(
        Some(org),
        "admin",
        "token.create",
        Some(&id),
        "ok",
        &json!({ "name": name }),
    )
    .await?;
    // The value is shown once; only its hash is stored.
    Ok(api::NewToken { id, name, value })
}

async fn create_org(db: &Storage<'_>, name: Option<&str>) -> Result<Response, ApiError> {
    let name = name_of(name, "")?;
    let id = new_id()?;
    db.insert_organization(&id, &name, now_s()).await?;
    db.audit(
        Some(&id),
        "admin",
        "organization.create",
        Some(&id),
        "ok",
        &json!({ "name": name }),
    )
    .await?;
    let token = create_token(db, &id, Some("default")).await?;
    ok(
        201,
        &api::OrganizationCreated {
            organization: api::Organization { id, name },
            token,
        },
    )
}

/// `GET /api/v1/app-connections/options`: the deployment's cloud (the browser validates forms
/// against it) and per connection type the redirect URI to register and which methods this
/// deployment can offer; an unconfigured OAuth app names its setting up
/// front instead of failing after the redirect.
fn connection_options(cfg: &Config) -> api::ConnectionOptions {
    use azconn_core::form::ConnectionType::{AzureAppConfiguration, AzureClientSecrets};
    use azconn_core::form::Method;
    let options = [AzureClientSecrets, AzureAppConfiguration]
        .into_iter()
        .map(|ty| {
            let oauth = cfg.oauth_app(ty).err();
            api::TypeOptions {
                ty,
                redirect_uri: cfg.redirect_uri(),
                methods: vec![
                    api::MethodOption {
                        method: Method::OAuth,
                        available: oauth.is_none(),
                        reason: oauth,
                    },
                    api::MethodOption {
                        method: Method::ClientSecret,
                        available: true,
                        reason: None,
                    },
                    api::MethodOption {
                        method: Method::Certificate,
                        available: true,
                        reason: None,
                    },
                ],
            }
        })
        .collect();
    api::ConnectionOptions {
        cloud: cfg.cloud.clone(),
        options,
    }
}

/// `POST /api/v1/sessions {token}`: exchanges an API token for a UI session cookie.
async fn create_session(
    req: &mut Request,
    db: &Storage<'_>,
    cfg: &Config,
) -> Result<Response, ApiError> {
    auth::refuse_cross_site_sign_in(req, cfg)?;
    let b: api::SignInRequest = request(req).await?;
    let token = b.token.as_deref().unwrap_or("").trim().to_owned();
    let ip = rate_limit::client_ip(req)?;
    let presented = Client::token_key(&token);
    let client = Client {
        ip: &ip,
        token: &presented,
    };
    rate_limit::check(db, "sign-in", cfg.rate_limits.sign_in, &client).await?;
    let row = db
        .api_token_by_hash(&sha256_hex(&token))
        .await?
        .ok_or_else(|| {
            ApiError::new(
                401,
                Error::field("token", Code::Unauthenticated, "unknown API token"),
            )
        })?;
    let session = new_token()?;
    let now = now_s();
    db.insert_session(
        &sha256_hex(&session),
        &row.org_id,
        &row.id,
        now,
        now + SESSION_LIFETIME_SECS,
    )
    .await?;
    let mut resp = json(
        200,
        &api::SessionCreated {
            organization_id: row.org_id,
        },
    )?;
    resp.headers_mut().set(
        "set-cookie",
        &session_cookie(cfg, &session, SESSION_LIFETIME_SECS),
    )?;
    Ok(resp)
}

fn session_cookie(cfg: &Config, value: &str, max_age: i64) -> String {
    format!(
        "{SESSION_COOKIE}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{}",
        if cfg.secure_cookies() { "; Secure" } else { "" }
    )
}

/// `DELETE /api/v1/sessions`: signs out. The session is deleted server-side (the cookie value
/// stops working even if it was copied) and the cookie cleared.
async fn delete_session(
    req: &mut Request,
    db: &Storage<'_>,
    cfg: &Config,
) -> Result<Response, ApiError> {
    let mut signed_out = false;
    if let Some(session) = auth::cookie(req, SESSION_COOKIE)? {
        auth::require_same_origin(req, cfg)?;
        if let Some(org) = db.delete_session(&sha256_hex(&session)).await? {
            signed_out = true;
            db.audit(
                Some(&org),
                "session",
                "session.delete",
                None,
                "ok",
                &json!({}),
            )
            .await?;
        }
    }
    let mut resp = json(200, &api::SignedOut { signed_out })?;
    resp.headers_mut()
        .set("set-cookie", &session_cookie(cfg, "", 0))?;
    Ok(resp)
}

/// Revokes an API token and every session signed in with it.
async fn revoke_token(
    db: &Storage<'_>,
    org: &str,
    token_id: &str,
) -> Result<api::TokenRef, ApiError> {
    let (id, name) = db
        .revoke_api_token(org, token_id)
        .await?
        .ok_or_else(|| not_found("token"))?;
    db.audit(
        Some(org),
        "admin",
        "token.revoke",
        Some(&id),
        "ok",
        &json!({ "name": name }),
    )
    .await?;
    Ok(api::TokenRef { id, name })
}
