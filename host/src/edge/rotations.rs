//! `/api/v1/secret-rotations/azure-client-secret`: drives `core::rotation`, persisting the
//! (encrypted) state after every transition and before every request it leads to.

use super::azure::{AppCredential, client_credentials, execute, execute_at_most_once};
use super::connections::{scope, token_for};
use super::reply::{ApiError, not_found};
use super::runtime::{now_ms, now_s, random};
use super::store::{self, ConnectionRow, n, opt, s, stmt};
use crate::config::Config;
use azconn_core::error::{Code, Error};
use azconn_core::form::ConnectionType;
use azconn_core::graph::{AppRef, Graph, GraphError, Operation, SecretText, parse_application};
use azconn_core::ids::{ClientId, ClientSecret, Guid, ObjectId, TenantId};
use azconn_core::rotation::{Purpose, Rotation, RotationConfig, Step, VerifyOutcome};
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::Duration;
use worker::{D1Database, Delay};

const DAY: i64 = 86_400;
/// One request waits at most this long for propagation before answering "in progress".
const WAIT_BUDGET_MS: u64 = 60_000;

/// A run writes `updated_at` at every step; one silent for this long died with its Worker and may
/// be taken over (by a caller or the cron). Longer than any single step, waits included.
const STALE_RUN_SECS: i64 = 600;

#[derive(Debug, Clone, Deserialize)]
pub struct RotationRow {
    pub id: String,
    pub org_id: String,
    pub connection_id: String,
    pub target: String,
    pub lifetime_days: i64,
    pub interval_days: i64,
    pub keep: i64,
    pub status: String,
    pub last_error: Option<String>,
    pub current_key_id: Option<String>,
    pub current_hint: Option<String>,
    pub current_expires_at: Option<String>,
    pub next_rotation_at: Option<i64>,
    /// The step a running rotation is on (migration 0002_ui), for live progress.
    #[serde(default)]
    pub step: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl RotationRow {
    pub fn view(&self) -> Value {
        json!({
            "id": self.id,
            "connectionId": self.connection_id,
            "target": serde_json::from_str::<Value>(&self.target).unwrap_or(Value::Null),
            "lifetimeDays": self.lifetime_days,
            "intervalDays": self.interval_days,
            "keepPrevious": self.keep,
            "status": self.status,
            "lastError": self.last_error.as_deref().and_then(|e| serde_json::from_str::<Value>(e).ok()),
            "current": { "keyId": self.current_key_id, "hint": self.current_hint, "expiresAt": self.current_expires_at },
            "nextRotationAt": self.next_rotation_at,
            "step": self.step,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        })
    }
}

pub async fn get(db: &D1Database, org: &str, id: &str) -> Result<Option<RotationRow>, ApiError> {
    Ok(stmt(
        db,
        "SELECT * FROM rotations WHERE id = ?1 AND org_id = ?2",
        &[s(id), s(org)],
    )?
    .first::<RotationRow>(None)
    .await?)
}

fn int(body: &Value, field: &str, default: i64) -> Result<i64, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v.as_i64().ok_or_else(|| {
            ApiError::from(Error::field(
                field,
                Code::InvalidFormat,
                format!("{field} must be a whole number"),
            ))
        }),
    }
}

/// `POST {connectionId, appId | objectId, lifetimeDays?, intervalDays?, keepPrevious?}`.
pub async fn create(
    db: &D1Database,
    cfg: &Config,
    org: &str,
    actor: &str,
    body: &Value,
) -> Result<Value, ApiError> {
    let text = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let conn_id = text("connectionId").ok_or_else(|| {
        ApiError::from(Error::field(
            "connectionId",
            Code::Required,
            "give the Client Secrets connection to rotate with",
        ))
    })?;
    let conn = store::connection(db, org, "azure-client-secrets", conn_id)
        .await?
        .ok_or_else(|| not_found("connection"))?;
    let app = match (text("appId"), text("objectId")) {
        (Some(a), None) => AppRef::AppId(ClientId::parse(a).map_err(|e| e.at("appId"))?),
        (None, Some(o)) => AppRef::ObjectId(ObjectId::parse(o).map_err(|e| e.at("objectId"))?),
        _ => {
            return Err(Error::field(
                "appId",
                Code::Required,
                "give exactly one of appId or objectId of the app whose secret rotates",
            )
            .into());
        }
    };
    let lifetime_days = int(body, "lifetimeDays", 90)?;
    let interval_days = int(body, "intervalDays", 30)?;
    let keep = int(body, "keepPrevious", 1)?;
    if !(0..=10).contains(&keep) {
        return Err(Error::field(
            "keepPrevious",
            Code::OutOfRange,
            "keep between 0 and 10 previous secrets",
        )
        .into());
    }
    // The target's client id is needed to verify the new secret: resolve an object id once.
    let (token, _) = token_for(db, cfg, &conn, ConnectionType::AzureClientSecrets).await?;
    let graph = Graph::new(&cfg.cloud.endpoints());
    let resp = execute(&graph.get_application(&token, &app, &["displayName".to_owned()])?).await?;
    if !resp.is_success() {
        return Err(GraphError::parse(&resp)
            .to_error(Operation::ReadApplications)
            .into());
    }
    let application = parse_application(&resp)?;
    let id = Guid::from_random(random::<16>()?).to_string();
    let config = RotationConfig {
        // The schedule's id groups its secrets (what `keepPrevious` counts and prunes); each
        // run gets its own id (see `rotate`).
        connection_id: id.clone(),
        rotation_id: Guid::from_random(random::<16>()?),
        app: AppRef::ObjectId(application.id),
        lifetime_secs: lifetime_days.saturating_mul(DAY),
        max_lifetime_secs: None,
        rotation_interval_secs: Some(interval_days.saturating_mul(DAY)),
        keep_previous: u32::try_from(keep).unwrap_or(1),
        also_managed: Vec::new(),
        verify_budget_secs: 600,
    };
    let rotation = Rotation::start(config).map_err(|e| {
        let field = match e.field.as_deref() {
            Some("lifetimeSecs") => "lifetimeDays",
            Some(f) => f,
            None => "lifetimeDays",
        }
        .to_owned();
        ApiError::from(Error {
            field: Some(field),
            ..e
        })
    })?;
    let target = json!({ "appId": application.app_id, "objectId": application.id, "displayName": application.display_name });
    let now = now_s();
    db.batch(vec![
        stmt(
            db,
            "INSERT INTO rotations (id, org_id, connection_id, target, lifetime_days, interval_days, keep, status, next_rotation_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8, ?8, ?8)",
            &[s(&id), s(org), s(&conn.id), s(&target.to_string()), n(lifetime_days), n(interval_days), n(keep), n(now)],
        )?,
        state_stmt(db, cfg, org, &id, &rotation)?,
    ])
    .await?;
    store::audit(
        db,
        Some(org),
        actor,
        "rotation.create",
        Some(&id),
        "ok",
        &json!({ "connectionId": conn.id, "target": target }),
    )
    .await?;
    let row = get(db, org, &id)
        .await?
        .ok_or_else(|| not_found("rotation"))?;
    Ok(json!({ "rotation": row.view() }))
}

fn state_stmt(
    db: &D1Database,
    cfg: &Config,
    org: &str,
    id: &str,
    r: &Rotation,
) -> Result<worker::D1PreparedStatement, ApiError> {
    let state = serde_json::to_string(r)
        .map_err(|e| super::reply::internal(format!("cannot serialize the rotation: {e}")))?;
    store::put_secret(db, &cfg.keyring, org, id, "state", &state, None)
}

async fn persist(
    db: &D1Database,
    cfg: &Config,
    org: &str,
    id: &str,
    r: &Rotation,
    status: &str,
) -> Result<(), ApiError> {
    db.batch(vec![
        state_stmt(db, cfg, org, id, r)?,
        stmt(
            db,
            "UPDATE rotations SET status = ?1, updated_at = ?2 WHERE id = ?3",
            &[s(status), n(now_s()), s(id)],
        )?,
    ])
    .await?;
    Ok(())
}

/// The step a rotation is on, written before the step starts so that a reader (the UI polling
/// `GET .../{id}`) sees real progress while `rotate` runs; `None` once the run stops.
async fn progress(db: &D1Database, id: &str, step: Option<&str>) -> Result<(), ApiError> {
    stmt(
        db,
        "UPDATE rotations SET step = ?1 WHERE id = ?2",
        &[opt(step), s(id)],
    )?
    .run()
    .await?;
    Ok(())
}

/// The progress name of a step (what the UI shows).
fn step_name(step: &Step) -> &'static str {
    match step {
        Step::Send { purpose, .. } => match purpose {
            Purpose::ReadCredentials => "inspect",
            Purpose::RemoveOrphan => "remove-orphan",
            Purpose::AddPassword => "add",
            Purpose::RemoveOld => "remove-old",
            Purpose::RemoveUnverified => "remove-unverified",
        },
        Step::VerifyNewSecret { .. } => "verify",
        Step::Wait { .. } => "wait",
        Step::Publish { .. } => "publish",
        Step::Done { .. } => "done",
        Step::Failed { .. } => "failed",
    }
}

fn hint_of(secret: &str) -> String {
    secret.chars().take(3).collect()
}

/// Runs the rotation until it is done, failed, or waiting longer than one request may.
/// Returns the new secret value once, to this caller only, and the steps taken
/// (`steps: [{step, at (unix ms), ok}]`); while it runs, `GET .../{id}` shows the current step.
pub async fn rotate(
    db: &D1Database,
    cfg: &Config,
    org: &str,
    actor: &str,
    row: &RotationRow,
) -> Result<Value, ApiError> {
    claim(db, &row.id).await?;
    let mut steps = Vec::new();
    let result = run_steps(db, cfg, org, actor, row, &mut steps).await;
    progress(db, &row.id, None).await?;
    if let Err(e) = &result {
        release(db, org, actor, &row.id, &e.error).await?;
    }
    let mut v = result?;
    if let Some(o) = v.as_object_mut() {
        o.insert("steps".into(), Value::Array(steps));
    }
    Ok(v)
}

/// One run at a time: two concurrent runs would each add a secret. The claim is a
/// compare-and-set on the status, so of two callers (or a caller and the cron) one wins and the
/// other is told, with nothing sent to Graph.
async fn claim(db: &D1Database, id: &str) -> Result<(), ApiError> {
    let now = now_s();
    let claimed = stmt(
        db,
        "UPDATE rotations SET status = 'running', updated_at = ?1 \
         WHERE id = ?2 AND (status != 'running' OR updated_at < ?1 - ?3) RETURNING id",
        &[n(now), s(id), n(STALE_RUN_SECS)],
    )?
    .first::<Value>(None)
    .await?;
    if claimed.is_none() {
        return Err(ApiError::new(
            409,
            Error::new(Code::Conflict, "this rotation is already running")
                .with_hint("wait for the run to finish: GET the rotation shows the step it is on"),
        ));
    }
    Ok(())
}

/// A run that stopped before recording why (e.g. no token for the connection) must not stay
/// `running`: it becomes `interrupted` with the error, and the next run resumes.
async fn release(
    db: &D1Database,
    org: &str,
    actor: &str,
    id: &str,
    e: &Error,
) -> Result<(), ApiError> {
    let running = stmt(
        db,
        "SELECT id FROM rotations WHERE id = ?1 AND status = 'running'",
        &[s(id)],
    )?
    .first::<Value>(None)
    .await?;
    if running.is_some() {
        fail(db, org, actor, id, e, "interrupted").await?;
    }
    Ok(())
}

async fn run_steps(
    db: &D1Database,
    cfg: &Config,
    org: &str,
    actor: &str,
    row: &RotationRow,
    steps: &mut Vec<Value>,
) -> Result<Value, ApiError> {
    let conn: ConnectionRow =
        store::connection(db, org, "azure-client-secrets", &row.connection_id)
            .await?
            .ok_or_else(|| not_found("connection"))?;
    let state = store::get_secret(db, &cfg.keyring, org, &row.id, "state")
        .await?
        .ok_or_else(|| not_found("rotation state"))?
        .0;
    let mut rotation: Rotation = serde_json::from_str(&state)
        .map_err(|e| super::reply::internal(format!("stored rotation state: {e}")))?;
    // A finished run starts the next one with a fresh run id, so the display names of earlier
    // runs' secrets (`azconn rotation <run> for <rotation>`) mark them as previous secrets, not
    // as orphans of this run. An interrupted run resumes with its own id.
    if matches!(
        rotation.phase,
        azconn_core::rotation::Phase::Done { .. } | azconn_core::rotation::Phase::Failed { .. }
    ) {
        let mut config = rotation.config.clone();
        config.rotation_id = Guid::from_random(random::<16>()?);
        rotation = Rotation::start(config)?;
    }
    let target: Value = serde_json::from_str(&row.target).unwrap_or(Value::Null);
    let target_app = ClientId::parse(target.get("appId").and_then(Value::as_str).unwrap_or(""))?;
    let tenant = TenantId::parse(&conn.tenant_id)?;
    let graph = Graph::new(&cfg.cloud.endpoints());
    let (token, _) = token_for(db, cfg, &conn, ConnectionType::AzureClientSecrets).await?;
    let started = now_ms();
    let mut published: Option<(String, SecretText, Option<i64>)> = None;
    // Bounded: every rotation finishes in a few dozen steps.
    for _ in 0..200 {
        let step = rotation.next(&graph, &token, now_s());
        persist(db, cfg, org, &row.id, &rotation, "running").await?;
        let name = step_name(&step);
        progress(db, &row.id, Some(name)).await?;
        let at = now_ms();
        match step {
            Step::Send { purpose, request } => {
                let outcome = if matches!(purpose, Purpose::AddPassword) {
                    execute_at_most_once(&request).await
                } else {
                    execute(&request).await
                };
                let resp = match outcome {
                    Ok(r) => r,
                    Err(e) => {
                        fail(db, org, actor, &row.id, &e, "interrupted").await?;
                        return Err(e.into());
                    }
                };
                let result = rotation.on_response(&resp, now_s());
                steps.push(json!({ "step": name, "at": at, "ok": result.is_ok() }));
                store::audit(db, Some(org), actor, "rotation.graph", Some(&row.id), if result.is_ok() { "ok" } else { "failed" },
                    &json!({ "purpose": purpose, "status": resp.status, "error": result.as_ref().err() })).await?;
                if let Err(e) = result {
                    // Stop here; the persisted phase is where the next run resumes.
                    persist(db, cfg, org, &row.id, &rotation, "interrupted").await?;
                    fail(db, org, actor, &row.id, &e, "interrupted").await?;
                    return Err(e.into());
                }
            }
            Step::VerifyNewSecret { key_id, secret } => {
                let outcome = match ClientSecret::parse(secret.expose()) {
                    Err(e) => VerifyOutcome::Failed {
                        error_codes: Vec::new(),
                        error: e.message,
                    },
                    Ok(cs) => match client_credentials(
                        &cfg.cloud,
                        &tenant,
                        &target_app,
                        &AppCredential::Secret(cs),
                        scope(ConnectionType::AzureClientSecrets, &cfg.cloud),
                    )
                    .await
                    {
                        Ok(_) => VerifyOutcome::Ok,
                        // Entra did not judge the secret (outage, throttling, a garbled answer):
                        // stop resumable, still verifying, rather than abandon a good secret.
                        Err(e) if inconclusive(&e) => {
                            fail(db, org, actor, &row.id, &e, "interrupted").await?;
                            return Err(e.into());
                        }
                        Err(e) => VerifyOutcome::Failed {
                            error_codes: aadsts_codes(&e.message),
                            error: format!("{:?}", e.code),
                        },
                    },
                };
                let _ = rotation.on_verified(&outcome, now_s());
                steps.push(json!({ "step": name, "at": at, "ok": outcome == VerifyOutcome::Ok }));
                store::audit(
                    db,
                    Some(org),
                    actor,
                    "rotation.verify",
                    Some(&row.id),
                    if outcome == VerifyOutcome::Ok {
                        "ok"
                    } else {
                        "failed"
                    },
                    &json!({ "keyId": key_id, "outcome": outcome }),
                )
                .await?;
            }
            Step::Wait { ms } => {
                steps.push(json!({ "step": name, "at": at, "ok": true, "ms": ms }));
                if now_ms().saturating_sub(started).saturating_add(ms) > WAIT_BUDGET_MS {
                    persist(db, cfg, org, &row.id, &rotation, "waiting").await?;
                    return Ok(
                        json!({ "rotation": get(db, org, &row.id).await?.map(|r| r.view()), "secret": Value::Null }),
                    );
                }
                Delay::from(Duration::from_millis(ms)).await;
            }
            Step::Publish {
                key_id,
                secret,
                ends_at,
            } => {
                let expires = ends_at.map(|e| e.to_string());
                db.batch(vec![
                    store::put_secret(db, &cfg.keyring, org, &row.id, "currentSecret", secret.expose(), ends_at)?,
                    stmt(db, "UPDATE rotations SET current_key_id = ?1, current_hint = ?2, current_expires_at = ?3, updated_at = ?4 WHERE id = ?5",
                        &[s(&key_id.to_string()), s(&hint_of(secret.expose())), opt(expires.as_deref()), n(now_s()), s(&row.id)])?,
                ]).await?;
                rotation.on_published()?;
                steps.push(json!({ "step": name, "at": at, "ok": true }));
                published = Some((key_id.to_string(), secret, ends_at));
            }
            Step::Done {
                new_key_id,
                removed,
            } => {
                let next = now_s().saturating_add(row.interval_days.saturating_mul(DAY));
                persist(db, cfg, org, &row.id, &rotation, "active").await?;
                stmt(
                    db,
                    "UPDATE rotations SET last_error = NULL, next_rotation_at = ?1 WHERE id = ?2",
                    &[n(next), s(&row.id)],
                )?
                .run()
                .await?;
                store::audit(
                    db,
                    Some(org),
                    actor,
                    "rotation.done",
                    Some(&row.id),
                    "ok",
                    &json!({ "newKeyId": new_key_id, "removed": removed }),
                )
                .await?;
                let view = get(db, org, &row.id).await?.map(|r| r.view());
                return Ok(json!({
                    "rotation": view,
                    "secret": published.map(|(k, v, e)| json!({ "keyId": k, "value": v.expose(), "expiresAt": e })),
                    "removed": removed,
                }));
            }
            Step::Failed { error } => {
                fail(db, org, actor, &row.id, &error, "failed").await?;
                persist(db, cfg, org, &row.id, &rotation, "failed").await?;
                return Err(error.into());
            }
        }
    }
    Err(super::reply::internal("the rotation did not settle"))
}

/// A token request that failed without Entra judging the credential.
fn inconclusive(e: &Error) -> bool {
    matches!(
        e.code,
        Code::RetryLater | Code::Unavailable | Code::Throttled | Code::MalformedResponse
    )
}

/// `AADSTS7000215: ...` → `[7000215]` (the verification tolerates propagation codes).
fn aadsts_codes(message: &str) -> Vec<u32> {
    message
        .match_indices("AADSTS")
        .filter_map(|(i, _)| {
            let digits: String = message[i + 6..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
        .collect()
}

async fn fail(
    db: &D1Database,
    org: &str,
    actor: &str,
    id: &str,
    e: &Error,
    status: &str,
) -> Result<(), ApiError> {
    stmt(
        db,
        "UPDATE rotations SET status = ?1, last_error = ?2, updated_at = ?3 WHERE id = ?4",
        &[s(status), s(&json!(e).to_string()), n(now_s()), s(id)],
    )?
    .run()
    .await?;
    store::audit(
        db,
        Some(org),
        actor,
        "rotation.failed",
        Some(id),
        "failed",
        &json!({ "error": e }),
    )
    .await
}

/// The current secret for the platform to fetch (audited).
pub async fn current_secret(
    db: &D1Database,
    cfg: &Config,
    org: &str,
    actor: &str,
    row: &RotationRow,
) -> Result<Value, ApiError> {
    let (value, expires) = store::get_secret(db, &cfg.keyring, org, &row.id, "currentSecret")
        .await?
        .ok_or_else(|| not_found("rotated secret"))?;
    store::audit(
        db,
        Some(org),
        actor,
        "rotation.secret.read",
        Some(&row.id),
        "ok",
        &json!({ "keyId": row.current_key_id }),
    )
    .await?;
    Ok(json!({ "keyId": row.current_key_id, "value": value, "expiresAt": expires }))
}

/// Cron: every rotation whose next run is due.
pub async fn run_due(db: &D1Database, cfg: &Config) -> Result<u32, ApiError> {
    let due = stmt(db, "SELECT * FROM rotations WHERE next_rotation_at <= ?1 AND (status != 'running' OR updated_at < ?1 - ?2) ORDER BY next_rotation_at LIMIT 10", &[n(now_s()), n(STALE_RUN_SECS)])?
        .all().await?.results::<RotationRow>()?;
    let mut ran = 0;
    for row in due {
        // A failure is recorded on the rotation and in the audit log; the next one still runs.
        let _ = rotate(db, cfg, &row.org_id, "scheduler", &row).await;
        ran += 1;
    }
    Ok(ran)
}
