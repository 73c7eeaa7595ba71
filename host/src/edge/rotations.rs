//! `/api/v1/secret-rotations/azure-client-secret`: drives `core::rotation`, persisting the
//! (encrypted) state after every transition and before every request it leads to.

use super::azure::{AppCredential, client_credentials, execute, execute_at_most_once};
use super::reply::{ApiError, internal, not_found};
use super::runtime::{now_ms, now_s, random};
use super::store::{Field, Storage};
use super::tokens::{scope, token_for};
use crate::api::{
    Rotated, RotationBody, RotationDeleted, RotationPatch, RotationRequest, RotationView,
    SecretBody, SecretsChoice, StepTaken, given,
};
use crate::config::Config;
use crate::records::{
    NewRotation, Rotation as RotationRecord, RotationSettings, RotationStatus, RotationTarget,
};
use azconn_core::error::{Code, Error};
use azconn_core::form::ConnectionType;
use azconn_core::graph::{AppRef, Graph, GraphError, Operation, SecretText, parse_application};
use azconn_core::ids::{ClientId, ClientSecret, Guid, ObjectId, TenantId};
use azconn_core::rotation::{Rotation, RotationConfig, Step, VerifyOutcome};
use serde_json::json;
use std::time::Duration;
use worker::Delay;

const DAY: i64 = 86_400;
/// One request waits at most this long for propagation before answering "in progress".
const WAIT_BUDGET_MS: u64 = 60_000;

/// A run writes `updated_at` at every step; one silent for this long died with its Worker and may
/// be taken over (by a caller or the cron). Longer than any single step, waits included.
const STALE_RUN_SECS: i64 = 600;

async fn get(db: &Storage<'_>, org: &str, id: &str) -> Result<Option<RotationView>, ApiError> {
    Ok(db.rotation(org, id).await?.as_ref().map(RotationView::from))
}

/// A core guard's field in the API's terms (days, not seconds).
fn days_field(e: Error) -> ApiError {
    let field = match e.field.as_deref() {
        Some("rotationIntervalSecs") => "intervalDays",
        Some("lifetimeSecs") | None => "lifetimeDays",
        Some(f) => f,
    }
    .to_owned();
    ApiError::from(Error {
        field: Some(field),
        ..e
    })
}

/// `POST {connectionId, appId | objectId, lifetimeDays?, intervalDays?, keepPrevious?}`.
pub async fn create(
    db: &Storage<'_>,
    cfg: &Config,
    org: &str,
    actor: &str,
    body: &RotationRequest,
) -> Result<RotationBody, ApiError> {
    let conn_id = given(&body.connection_id).ok_or_else(|| {
        ApiError::from(Error::field(
            "connectionId",
            Code::Required,
            "give the Client Secrets connection to rotate with",
        ))
    })?;
    let conn = db
        .connection(org, ConnectionType::AzureClientSecrets, conn_id)
        .await?
        .ok_or_else(|| not_found("connection"))?;
    let app = match (given(&body.app_id), given(&body.object_id)) {
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
    let lifetime_days = body.lifetime_days.unwrap_or(90);
    let interval_days = body.interval_days.unwrap_or(30);
    let keep = body.keep_previous.unwrap_or(1);
    keep_in_range(keep)?;
    let id = Guid::from_random(random::<16>()?).to_string();
    let mut config = RotationConfig {
        // The schedule's id groups its secrets (what `keepPrevious` counts and prunes); each
        // run gets its own id (see `rotate`).
        connection_id: id.clone(),
        rotation_id: Guid::from_random(random::<16>()?),
        app,
        lifetime_secs: lifetime_days.saturating_mul(DAY),
        max_lifetime_secs: None,
        rotation_interval_secs: Some(interval_days.saturating_mul(DAY)),
        keep_previous: u32::try_from(keep).unwrap_or(1),
        also_managed: Vec::new(),
        verify_budget_secs: 600,
    };
    // The guards run before any Graph call.
    Rotation::start(config.clone()).map_err(days_field)?;
    // The target's client id is needed to verify the new secret: resolve an object id once.
    let (token, _) = token_for(db, cfg, &conn).await?;
    let graph = Graph::new(&cfg.cloud.endpoints());
    let resp = execute(&graph.get_application(&token, &app, &["displayName".to_owned()])?).await?;
    if !resp.is_success() {
        return Err(GraphError::parse(&resp)
            .to_error(Operation::ReadApplications)
            .into());
    }
    let application = parse_application(&resp)?;
    config.app = AppRef::ObjectId(application.id);
    let rotation = Rotation::start(config).map_err(days_field)?;
    let target = RotationTarget {
        app_id: application.app_id.to_string(),
        object_id: application.id.to_string(),
        display_name: application.display_name,
    };
    db.insert_rotation(
        &NewRotation {
            id: &id,
            org_id: org,
            connection_id: &conn.id,
            target: &target,
            lifetime_days,
            interval_days,
            keep,
            now: now_s(),
        },
        &state_of(&rotation)?,
    )
    .await?;
    db.audit(
        Some(org),
        actor,
        "rotation.create",
        Some(&id),
        "ok",
        &json!({ "connectionId": conn.id, "target": target }),
    )
    .await?;
    let rotation = get(db, org, &id)
        .await?
        .ok_or_else(|| not_found("rotation"))?;
    Ok(RotationBody { rotation })
}

/// The core's rotation state as it is stored (encrypted).
fn state_of(r: &Rotation) -> Result<String, ApiError> {
    serde_json::to_string(r).map_err(|e| internal(format!("cannot serialize the rotation: {e}")))
}

async fn persist(
    db: &Storage<'_>,
    org: &str,
    id: &str,
    r: &Rotation,
    status: RotationStatus,
) -> Result<(), ApiError> {
    db.persist_rotation(org, id, &state_of(r)?, status, now_s())
        .await
}

/// The step a rotation is on, written before the step starts so that a reader (the UI polling
/// `GET .../{id}`) sees real progress while `rotate` runs; `None` once the run stops.
async fn progress(db: &Storage<'_>, id: &str, step: Option<&str>) -> Result<(), ApiError> {
    db.rotation_step(id, step).await
}

fn hint_of(secret: &str) -> String {
    secret.chars().take(3).collect()
}

/// Runs the rotation until it is done, failed, or waiting longer than one request may.
/// Returns the new secret value once, to this caller only, and the steps taken
/// (`steps: [{step, at (unix ms), ok}]`); while it runs, `GET .../{id}` shows the current step.
pub async fn rotate(
    db: &Storage<'_>,
    cfg: &Config,
    org: &str,
    actor: &str,
    row: &RotationRecord,
) -> Result<Rotated, ApiError> {
    claim(db, &row.id).await?;
    let mut steps = Vec::new();
    let result = run_steps(db, cfg, org, actor, row, &mut steps).await;
    progress(db, &row.id, None).await?;
    if let Err(e) = &result {
        release(db, org, actor, &row.id, &e.error).await?;
    }
    let mut rotated = result?;
    rotated.steps = steps;
    Ok(rotated)
}

/// One run at a time: two concurrent runs would each add a secret. The claim is a
/// compare-and-set on the status, so of two callers (or a caller and the cron) one wins and the
/// other is told, with nothing sent to Graph.
async fn claim(db: &Storage<'_>, id: &str) -> Result<(), ApiError> {
    if !db.claim_rotation(id, now_s(), STALE_RUN_SECS).await? {
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
    db: &Storage<'_>,
    org: &str,
    actor: &str,
    id: &str,
    e: &Error,
) -> Result<(), ApiError> {
    if db.rotation_running(id).await? {
        fail(db, org, actor, id, e, RotationStatus::Interrupted).await?;
    }
    Ok(())
}

async fn run_steps(
    db: &Storage<'_>,
    cfg: &Config,
    org: &str,
    actor: &str,
    row: &RotationRecord,
    steps: &mut Vec<StepTaken>,
) -> Result<Rotated, ApiError> {
    let conn = db
        .connection(org, ConnectionType::AzureClientSecrets, &row.connection_id)
        .await?
        .ok_or_else(|| not_found("connection"))?;
    let state = db
        .secret(org, &row.id, Field::RotationState)
        .await?
        .ok_or_else(|| not_found("rotation state"))?
        .value;
    let rotation: Rotation = serde_json::from_str(&state)
        .map_err(|e| internal(format!("stored rotation state: {e}")))?;
    let mut rotation = rotation.resume_or_restart(Guid::from_random(random::<16>()?))?;
    let target_app = ClientId::parse(row.target.as_ref().map_or("", |t| t.app_id.as_str()))?;
    let tenant = TenantId::parse(&conn.tenant_id)?;
    let graph = Graph::new(&cfg.cloud.endpoints());
    let (token, _) = token_for(db, cfg, &conn).await?;
    let started = now_ms();
    let mut published: Option<(String, SecretText, Option<i64>)> = None;
    // Bounded: every rotation finishes in a few dozen steps.
    for _ in 0..200 {
        let step = rotation.next(&graph, &token, now_s());
        persist(db, org, &row.id, &rotation, RotationStatus::Running).await?;
        let name = step.name();
        progress(db, &row.id, Some(name)).await?;
        let at = now_ms();
        match step {
            Step::Send { purpose, request } => {
                let outcome = if purpose.may_resend() {
                    execute(&request).await
                } else {
                    execute_at_most_once(&request).await
                };
                let resp = match outcome {
                    Ok(r) => r,
                    Err(e) => {
                        fail(db, org, actor, &row.id, &e, RotationStatus::Interrupted).await?;
                        return Err(e.into());
                    }
                };
                let result = rotation.on_response(&resp, now_s());
                steps.push(StepTaken {
                    step: name,
                    at,
                    ok: result.is_ok(),
                    ms: None,
                });
                db.audit(Some(org), actor, "rotation.graph", Some(&row.id), if result.is_ok() { "ok" } else { "failed" },
                    &json!({ "purpose": purpose, "status": resp.status, "error": result.as_ref().err() })).await?;
                if let Err(e) = result {
                    // Stop here; the persisted phase is where the next run resumes.
                    persist(db, org, &row.id, &rotation, RotationStatus::Interrupted).await?;
                    fail(db, org, actor, &row.id, &e, RotationStatus::Interrupted).await?;
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
                        scope(ConnectionType::AzureClientSecrets, &cfg.cloud)?,
                    )
                    .await
                    {
                        Ok(_) => VerifyOutcome::Ok,
                        Err(e) => match VerifyOutcome::of_token_error(&e) {
                            Some(outcome) => outcome,
                            // Inconclusive: stop resumable, still verifying.
                            None => {
                                fail(db, org, actor, &row.id, &e, RotationStatus::Interrupted)
                                    .await?;
                                return Err(e.into());
                            }
                        },
                    },
                };
                let _ = rotation.on_verified(&outcome, now_s());
                steps.push(StepTaken {
                    step: name,
                    at,
                    ok: outcome == VerifyOutcome::Ok,
                    ms: None,
                });
                db.audit(
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
                steps.push(StepTaken {
                    step: name,
                    at,
                    ok: true,
                    ms: Some(ms),
                });
                if now_ms().saturating_sub(started).saturating_add(ms) > WAIT_BUDGET_MS {
                    persist(db, org, &row.id, &rotation, RotationStatus::Waiting).await?;
                    return Ok(Rotated {
                        rotation: get(db, org, &row.id).await?,
                        secret: None,
                        removed: None,
                        steps: Vec::new(),
                    });
                }
                Delay::from(Duration::from_millis(ms)).await;
            }
            Step::Publish {
                key_id,
                secret,
                ends_at,
            } => {
                db.publish_secret(
                    org,
                    &row.id,
                    &key_id.to_string(),
                    &hint_of(secret.expose()),
                    secret.expose(),
                    ends_at,
                    now_s(),
                )
                .await?;
                rotation.on_published()?;
                steps.push(StepTaken {
                    step: name,
                    at,
                    ok: true,
                    ms: None,
                });
                published = Some((key_id.to_string(), secret, ends_at));
            }
            Step::Done {
                new_key_id,
                removed,
            } => {
                let next = now_s().saturating_add(row.interval_days.saturating_mul(DAY));
                persist(db, org, &row.id, &rotation, RotationStatus::Active).await?;
                db.schedule_rotation(&row.id, next).await?;
                db.audit(
                    Some(org),
                    actor,
                    "rotation.done",
                    Some(&row.id),
                    "ok",
                    &json!({ "newKeyId": new_key_id, "removed": removed }),
                )
                .await?;
                return Ok(Rotated {
                    rotation: get(db, org, &row.id).await?,
                    secret: published.map(|(key_id, value, expires_at)| SecretBody {
                        key_id: Some(key_id),
                        value: value.expose().to_owned(),
                        expires_at,
                    }),
                    removed: Some(removed.iter().map(ToString::to_string).collect()),
                    steps: Vec::new(),
                });
            }
            Step::Failed { error } => {
                fail(db, org, actor, &row.id, &error, RotationStatus::Failed).await?;
                persist(db, org, &row.id, &rotation, RotationStatus::Failed).await?;
                return Err(error.into());
            }
        }
    }
    Err(internal("the rotation did not settle"))
}

async fn fail(
    db: &Storage<'_>,
    org: &str,
    actor: &str,
    id: &str,
    e: &Error,
    status: RotationStatus,
) -> Result<(), ApiError> {
    db.fail_rotation(id, status, e, now_s()).await?;
    db.audit(
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
    db: &Storage<'_>,
    org: &str,
    actor: &str,
    row: &RotationRecord,
) -> Result<SecretBody, ApiError> {
    let secret = db
        .secret(org, &row.id, Field::CurrentSecret)
        .await?
        .ok_or_else(|| not_found("rotated secret"))?;
    db.audit(
        Some(org),
        actor,
        "rotation.secret.read",
        Some(&row.id),
        "ok",
        &json!({ "keyId": row.current_key_id }),
    )
    .await?;
    Ok(SecretBody {
        key_id: row.current_key_id.clone(),
        value: secret.value,
        expires_at: secret.expires_at,
    })
}

/// Cron: every rotation whose next run is due.
pub async fn run_due(db: &Storage<'_>, cfg: &Config) -> Result<u32, ApiError> {
    let due = db.due_rotations(now_s(), STALE_RUN_SECS).await?;
    let mut ran = 0;
    for row in due {
        // A failure is recorded on the rotation and in the audit log; the next one still runs.
        let _ = rotate(db, cfg, &row.org_id, "scheduler", &row).await;
        ran += 1;
    }
    Ok(ran)
}

/// `DELETE .../{id}?secrets=revoke|keep`. The run claim is taken first, so a rotation never
/// disappears in the middle of a run (409 as for a second run). With `revoke`, every secret
/// this rotation created on the target app (by its display name, all runs) is removed through
/// Graph before the rotation is deleted; another secret of the app is never touched. A failed
/// revocation releases the claim and keeps the rotation, so the delete can be repeated.
pub async fn delete(
    db: &Storage<'_>,
    cfg: &Config,
    org: &str,
    actor: &str,
    row: &RotationRecord,
    secrets: SecretsChoice,
) -> Result<RotationDeleted, ApiError> {
    claim(db, &row.id).await?;
    let revoked = match secrets {
        SecretsChoice::Keep => Ok(Vec::new()),
        SecretsChoice::Revoke => revoke(db, cfg, org, row).await,
    };
    let revoked = match revoked {
        Ok(r) => r,
        Err(e) => {
            fail(
                db,
                org,
                actor,
                &row.id,
                &e.error,
                RotationStatus::Interrupted,
            )
            .await?;
            return Err(e);
        }
    };
    db.delete_rotation(org, &row.id).await?;
    db.audit(
        Some(org),
        actor,
        "rotation.delete",
        Some(&row.id),
        "ok",
        &json!({ "secrets": secrets, "revoked": revoked }),
    )
    .await?;
    Ok(RotationDeleted {
        rotation: RotationView::from(row),
        secrets,
        revoked,
    })
}

/// Removes the secrets the rotation created from its target app; their key ids.
async fn revoke(
    db: &Storage<'_>,
    cfg: &Config,
    org: &str,
    row: &RotationRecord,
) -> Result<Vec<String>, ApiError> {
    let conn = db
        .connection(org, ConnectionType::AzureClientSecrets, &row.connection_id)
        .await?
        .ok_or_else(|| not_found("connection"))?;
    let state = db
        .secret(org, &row.id, Field::RotationState)
        .await?
        .ok_or_else(|| not_found("rotation state"))?
        .value;
    let rotation: Rotation = serde_json::from_str(&state)
        .map_err(|e| internal(format!("stored rotation state: {e}")))?;
    let app = rotation.config.app;
    let (token, _) = token_for(db, cfg, &conn).await?;
    let graph = Graph::new(&cfg.cloud.endpoints());
    let resp = execute(&graph.get_credentials(&token, &app)).await?;
    if !resp.is_success() {
        return Err(GraphError::parse(&resp)
            .to_error(Operation::ReadApplications)
            .into());
    }
    let creds = parse_application(&resp)?
        .password_credentials
        .unwrap_or_default();
    let mut revoked = Vec::new();
    for key_id in rotation.config.created(&creds) {
        let resp = execute(&graph.remove_password(&token, &app, &key_id)).await?;
        if !resp.is_success() {
            return Err(GraphError::parse(&resp)
                .to_error(Operation::WriteCredentials)
                .into());
        }
        revoked.push(key_id.to_string());
    }
    Ok(revoked)
}

fn keep_in_range(keep: i64) -> Result<(), ApiError> {
    if !(0..=10).contains(&keep) {
        return Err(Error::field(
            "keepPrevious",
            Code::OutOfRange,
            "keep between 0 and 10 previous secrets",
        )
        .into());
    }
    Ok(())
}

/// `PATCH .../{id} {version, lifetimeDays?, intervalDays?, keepPrevious?}`: the same guards as
/// on create, then the schedule and the core's state are written together only at `version`
/// and while no run is in progress (409 otherwise, nothing written). The next scheduled run
/// keeps its time; the new interval counts from it.
pub async fn update(
    db: &Storage<'_>,
    org: &str,
    actor: &str,
    row: &RotationRecord,
    body: &RotationPatch,
) -> Result<RotationBody, ApiError> {
    let lifetime_days = body.lifetime_days.unwrap_or(row.lifetime_days);
    let interval_days = body.interval_days.unwrap_or(row.interval_days);
    let keep = body.keep_previous.unwrap_or(row.keep);
    keep_in_range(keep)?;
    let state = db
        .secret(org, &row.id, Field::RotationState)
        .await?
        .ok_or_else(|| not_found("rotation state"))?
        .value;
    let mut rotation: Rotation = serde_json::from_str(&state)
        .map_err(|e| internal(format!("stored rotation state: {e}")))?;
    rotation.config.lifetime_secs = lifetime_days.saturating_mul(DAY);
    rotation.config.rotation_interval_secs = Some(interval_days.saturating_mul(DAY));
    rotation.config.keep_previous = u32::try_from(keep).unwrap_or(1);
    Rotation::start(rotation.config.clone()).map_err(days_field)?;
    let written = db
        .update_rotation(
            org,
            &row.id,
            &state_of(&rotation)?,
            &RotationSettings {
                lifetime_days,
                interval_days,
                keep,
                version: body.version,
                now: now_s(),
            },
        )
        .await?;
    if !written {
        return Err(ApiError::from(
            Error::field(
                "version",
                Code::Conflict,
                format!(
                    "the rotation changed since version {} or is running: nothing was written",
                    body.version
                ),
            )
            .with_hint("GET the rotation, then repeat the change with its current version once no run is in progress"),
        ));
    }
    db.audit(
        Some(org),
        actor,
        "rotation.update",
        Some(&row.id),
        "ok",
        &json!({ "lifetimeDays": lifetime_days, "intervalDays": interval_days, "keepPrevious": keep }),
    )
    .await?;
    let rotation = get(db, org, &row.id)
        .await?
        .ok_or_else(|| not_found("rotation"))?;
    Ok(RotationBody { rotation })
}
