//! `/api/v1/secret-syncs/azure-app-configuration`: plans with `core::sync` and executes the
//! plan's conditional writes. Runs record the plan and result by key only, never values.

use super::azure::execute;
use super::reply::{ApiError, not_found};
use super::runtime::{new_id, now_s};
use super::store::Storage;
use super::tokens::token_for;
use crate::api::{
    KeysChoice, OpKind, OpSummary, Preview, PreviewBody, RunAnswer, RunRequest, RunResult, Skipped,
    SyncBody, SyncDeleted, SyncPatch, SyncRequest, SyncView,
};
use crate::config::Config;
use crate::records::{NewSync, RunStatus, Sync, SyncSettings};
use azconn_core::appconfig::Condition;
use azconn_core::appconfig::{self, AppConfigAuth, AppConfigError, Label, Store, SyncTokens};
use azconn_core::cloud::StoreEndpoint;
use azconn_core::error::{Code, Error};
use azconn_core::form::ConnectionType;
use azconn_core::sync::{DesiredValue, Plan, SyncMode, SyncOp, SyncPlanner, SyncSpec};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// How a sync's stored settings plan: owned by the sync's id, deleting unless disabled.
fn spec_of(row: &Sync) -> Result<SyncSpec, Error> {
    Ok(SyncSpec {
        prefix: row.key_prefix.clone(),
        label: Label::parse(row.label.as_deref())?,
        mode: row.mode,
        delete_missing: !row.disable_secret_deletion,
        owner: row.id.clone(),
        adopt: Vec::new(),
    })
}

/// The API view of a sync with its latest run (keys only, never values).
pub async fn view(db: &Storage<'_>, row: &Sync) -> Result<SyncView, ApiError> {
    Ok(SyncView::new(row, db.last_run(&row.id).await?))
}

/// `POST {connectionId, endpoint?, label?, keyPrefix?, mode?}`.
pub async fn create(
    db: &Storage<'_>,
    cfg: &Config,
    org: &str,
    actor: &str,
    body: &SyncRequest,
) -> Result<SyncBody, ApiError> {
    let conn_id = body.connection_id.clone().unwrap_or_default();
    let conn = db
        .connection(org, ConnectionType::AzureAppConfiguration, &conn_id)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                404,
                Error::field(
                    "connectionId",
                    Code::NotFound,
                    "no such App Configuration connection",
                ),
            )
        })?;
    let endpoint = body
        .endpoint
        .clone()
        .filter(|e| !e.trim().is_empty())
        .or(conn.endpoint.clone())
        .ok_or_else(|| {
            ApiError::from(Error::field(
                "endpoint",
                Code::Required,
                "give the store's endpoint",
            ))
        })?;
    let endpoint = StoreEndpoint::parse(&endpoint, &cfg.cloud.endpoints())?.to_string();
    let label = body.label.clone().filter(|l| !l.is_empty());
    Label::parse(label.as_deref()).map_err(|e| e.at("label"))?;
    let prefix = body.key_prefix.clone().unwrap_or_default();
    let mode = body.mode.unwrap_or(SyncMode::Overwrite);
    let id = new_id()?;
    // Validates the prefix the way a run will.
    SyncPlanner::new(
        Store::new(&StoreEndpoint::parse(&endpoint, &cfg.cloud.endpoints())?),
        SyncSpec {
            prefix: prefix.clone(),
            label: Label::parse(label.as_deref())?,
            mode,
            delete_missing: !body.disable_secret_deletion,
            owner: id.clone(),
            adopt: Vec::new(),
        },
        &BTreeMap::new(),
    )
    .map_err(|e| e.at("keyPrefix"))?;
    let now = now_s();
    db.insert_sync(&NewSync {
        id: &id,
        org_id: org,
        connection_id: &conn.id,
        endpoint: &endpoint,
        label: label.as_deref(),
        key_prefix: &prefix,
        mode,
        disable_secret_deletion: body.disable_secret_deletion,
        now,
    })
    .await?;
    db.audit(Some(org), actor, "sync.create", Some(&id), "ok", &json!({ "connectionId": conn.id, "endpoint": endpoint, "label": label, "keyPrefix": prefix, "mode": mode, "disableSecretDeletion": body.disable_secret_deletion })).await?;
    let row = db.sync(org, &id).await?.ok_or_else(|| not_found("sync"))?;
    Ok(SyncBody {
        sync: view(db, &row).await?,
    })
}

fn op_summary(op: &SyncOp) -> OpSummary {
    let (kind, key, label) = match op {
        SyncOp::Put { key, label, .. } => (OpKind::Put, key, label),
        SyncOp::Delete { key, label, .. } => (OpKind::Delete, key, label),
    };
    OpSummary {
        op: kind,
        key: key.as_str().to_owned(),
        label: label.clone().into(),
    }
}

/// A run's plan or result as its JSON column stores it.
fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn skipped(plan: &Plan) -> Vec<Skipped> {
    plan.skipped
        .iter()
        .map(|(key, reason)| Skipped {
            key: key.clone(),
            reason: *reason,
        })
        .collect()
}

/// Feeds the planner every page of the store's listing under the sync's prefix and label.
async fn list_store(
    planner: &mut SyncPlanner,
    auth: &AppConfigAuth,
    tokens: &mut SyncTokens,
) -> Result<(), ApiError> {
    let mut next = Some(planner.first_request()?);
    // Bounded: 1000 pages of 100 keys.
    for _ in 0..1000 {
        let Some(req) = next.take() else { break };
        let resp = execute(&appconfig::authorize(req, auth, tokens, now_s())?).await?;
        tokens.observe(&resp);
        if !resp.is_success() {
            return Err(ApiError::from(AppConfigError::parse(&resp).to_error()));
        }
        next = planner.on_page(&resp)?;
    }
    Ok(())
}

/// A plan as the UI shows it before applying: keys to create, update, delete, the desired
/// keys already in place, the ones left alone, and the names an import mode brings back.
fn preview(plan: &Plan, prefix: &str, desired: &BTreeMap<String, DesiredValue>) -> Preview {
    let (mut create, mut update, mut delete) = (Vec::new(), Vec::new(), Vec::new());
    for op in &plan.ops {
        match op {
            SyncOp::Put {
                key,
                condition: Condition::IfNoneMatchAny,
                ..
            } => create.push(key.as_str().to_owned()),
            SyncOp::Put { key, .. } => update.push(key.as_str().to_owned()),
            SyncOp::Delete { key, .. } => delete.push(key.as_str().to_owned()),
        }
    }
    let touched = |full: &str, name: &str| {
        create.iter().chain(&update).any(|k| k == full)
            || plan.skipped.iter().any(|(k, _)| k == full)
            || plan.conflicts.iter().any(|c| c.key == full)
            || plan.imports.contains_key(name)
    };
    let unchanged: Vec<String> = desired
        .keys()
        .map(|name| (format!("{prefix}{name}"), name))
        .filter(|(full, name)| !touched(full, name))
        .map(|(full, _)| full)
        .collect();
    Preview {
        create,
        update,
        delete,
        unchanged,
        skipped: skipped(plan),
        imported: plan.imports.keys().cloned().collect(),
        conflicts: plan.conflicts.clone(),
        confirm_deletes: plan.confirmation_needed(),
    }
}

/// `POST .../{id}/run {secrets: {NAME: "value" | {kind:"plain",value} | {kind:"keyVaultRef",uri}}, dryRun?, adopt?, confirmDeletes?}`.
/// With `dryRun: true` it lists the store and answers `{preview}` without writing anything.
/// Keys this sync does not own are conflicts unless listed in `adopt`; a run deleting more
/// keys than it keeps is refused (409 on `confirmDeletes`) unless it confirms their number.
pub async fn run(
    db: &Storage<'_>,
    cfg: &Config,
    org: &str,
    actor: &str,
    row: &Sync,
    body: &RunRequest,
) -> Result<RunAnswer, ApiError> {
    let mut desired = BTreeMap::new();
    let secrets = body.secrets.as_ref().ok_or_else(|| {
        ApiError::from(Error::field(
            "secrets",
            Code::Required,
            "give the desired secrets as {\"NAME\": \"value\"}",
        ))
    })?;
    for (name, v) in secrets {
        let value = match v {
            Value::String(s) => DesiredValue::Plain {
                value: s.clone(),
                content_type: None,
            },
            other => serde_json::from_value(other.clone()).map_err(|_| {
                ApiError::from(Error::field(
                    &format!("secrets.{name}"),
                    Code::InvalidFormat,
                    "a secret is a string or {kind:\"plain\",value} / {kind:\"keyVaultRef\",uri}",
                ))
            })?,
        };
        desired.insert(name.clone(), value);
    }
    let conn = db
        .connection(
            org,
            ConnectionType::AzureAppConfiguration,
            &row.connection_id,
        )
        .await?
        .ok_or_else(|| not_found("connection"))?;
    let endpoint = StoreEndpoint::parse(&row.endpoint, &cfg.cloud.endpoints())?;
    let store_api = Store::new(&endpoint);
    let spec = spec_of(row)?;
    let spec = SyncSpec {
        adopt: body.adopt.clone(),
        ..spec
    };
    let mut planner = SyncPlanner::new(store_api.clone(), spec, &desired)?;
    if body.dry_run {
        let (token, _) = token_for(db, cfg, &conn).await?;
        let auth = AppConfigAuth::Bearer(token);
        let mut tokens = SyncTokens::default();
        list_store(&mut planner, &auth, &mut tokens).await?;
        let plan = planner.plan()?;
        db.audit(
            Some(org),
            actor,
            "sync.preview",
            Some(&row.id),
            "ok",
            &json!({}),
        )
        .await?;
        return Ok(RunAnswer::Preview(PreviewBody {
            preview: preview(&plan, &row.key_prefix, &desired),
        }));
    }
    let run_id = new_id()?;
    let started = now_s();
    db.start_run(&run_id, &row.id, started).await?;
    // What the run planned and applied so far: recorded whether it finishes or not.
    let mut planned: Option<Vec<OpSummary>> = None;
    let mut applied: Vec<OpSummary> = Vec::new();
    let outcome = async {
        let (token, _) = token_for(db, cfg, &conn).await?;
        let auth = AppConfigAuth::Bearer(token);
        let mut tokens = SyncTokens::default();
        list_store(&mut planner, &auth, &mut tokens).await?;
        let plan = planner.plan()?;
        plan.check_confirmed(body.confirm_deletes)?;
        planned = Some(plan.ops.iter().map(op_summary).collect());
        for op in &plan.ops {
            let resp = execute(&appconfig::authorize(
                op.request(&store_api)?,
                &auth,
                &tokens,
                now_s(),
            )?)
            .await?;
            tokens.observe(&resp);
            match op {
                SyncOp::Put { .. } => appconfig::parse_put(&resp).map(|_| ())?,
                SyncOp::Delete { .. } => appconfig::parse_delete(&resp).map(|_| ())?,
            }
            applied.push(op_summary(op));
        }
        Ok::<_, ApiError>(plan)
    }
    .await;
    let (status, result) = match &outcome {
        Ok(plan) => (
            RunStatus::Succeeded,
            RunResult::Succeeded {
                applied,
                skipped: skipped(plan),
                imported: plan.imports.keys().cloned().collect(),
                conflicts: plan.conflicts.clone(),
            },
        ),
        Err(e) => (
            RunStatus::Failed,
            RunResult::Failed {
                error: e.error.clone(),
                applied: planned.is_some().then_some(applied),
            },
        ),
    };
    let plan = planned.as_ref().map(to_json);
    let result = to_json(&result);
    db.finish_run(&run_id, status, plan.as_ref(), &result, now_s())
        .await?;
    db.audit(
        Some(org),
        actor,
        "sync.run",
        Some(&row.id),
        if outcome.is_ok() { "ok" } else { "failed" },
        &json!({ "runId": run_id, "result": result }),
    )
    .await?;
    outcome?;
    Ok(RunAnswer::Ran(SyncBody {
        sync: view(db, row).await?,
    }))
}

/// `DELETE .../{id}?keys=remove|keep`: with `remove`, first deletes every key the sync owns
/// (its owner tag, conditional on the listed etag; nobody else's keys, never feature flags),
/// then the sync and its runs. A failed removal keeps the sync so the delete can be repeated.
pub async fn delete(
    db: &Storage<'_>,
    cfg: &Config,
    org: &str,
    actor: &str,
    row: &Sync,
    keys: KeysChoice,
) -> Result<SyncDeleted, ApiError> {
    let mut removed = Vec::new();
    let mut left = Vec::new();
    if keys == KeysChoice::Remove {
        let conn = db
            .connection(
                org,
                ConnectionType::AzureAppConfiguration,
                &row.connection_id,
            )
            .await?
            .ok_or_else(|| not_found("connection"))?;
        let store_api = Store::new(&StoreEndpoint::parse(
            &row.endpoint,
            &cfg.cloud.endpoints(),
        )?);
        let mut planner = SyncPlanner::new(store_api.clone(), spec_of(row)?, &BTreeMap::new())?;
        let (token, _) = token_for(db, cfg, &conn).await?;
        let auth = AppConfigAuth::Bearer(token);
        let mut tokens = SyncTokens::default();
        list_store(&mut planner, &auth, &mut tokens).await?;
        let plan = planner.removal_plan()?;
        for op in &plan.ops {
            let resp = execute(&appconfig::authorize(
                op.request(&store_api)?,
                &auth,
                &tokens,
                now_s(),
            )?)
            .await?;
            tokens.observe(&resp);
            appconfig::parse_delete(&resp)?;
            removed.push(op_summary(op).key);
        }
        left = skipped(&plan);
    }
    let view = view(db, row).await?;
    db.delete_sync(org, &row.id).await?;
    db.audit(
        Some(org),
        actor,
        "sync.delete",
        Some(&row.id),
        "ok",
        &json!({ "keys": keys, "removed": removed }),
    )
    .await?;
    Ok(SyncDeleted {
        sync: view,
        keys,
        removed,
        skipped: left,
    })
}

/// `PATCH .../{id} {version, label?, keyPrefix?, mode?, disableSecretDeletion?}`: checked as on
/// create, written only if the sync is still at `version` (of two concurrent changes the loser
/// gets 409 and nothing of its request). Keys owned under an old label or prefix keep their
/// owner tag: they are outside the sync's reach until it points there again.
pub async fn update(
    db: &Storage<'_>,
    cfg: &Config,
    org: &str,
    actor: &str,
    row: &Sync,
    body: &SyncPatch,
) -> Result<SyncBody, ApiError> {
    let label = match body.label.as_deref() {
        Some(l) => Some(l).filter(|l| !l.is_empty()),
        None => row.label.as_deref(),
    };
    Label::parse(label).map_err(|e| e.at("label"))?;
    let prefix = body.key_prefix.as_deref().unwrap_or(&row.key_prefix);
    let mode = body.mode.unwrap_or(row.mode);
    let disable = body
        .disable_secret_deletion
        .unwrap_or(row.disable_secret_deletion);
    SyncPlanner::new(
        Store::new(&StoreEndpoint::parse(
            &row.endpoint,
            &cfg.cloud.endpoints(),
        )?),
        SyncSpec {
            prefix: prefix.to_owned(),
            label: Label::parse(label)?,
            mode,
            delete_missing: !disable,
            owner: row.id.clone(),
            adopt: Vec::new(),
        },
        &BTreeMap::new(),
    )
    .map_err(|e| e.at("keyPrefix"))?;
    let written = db
        .update_sync(
            org,
            &row.id,
            &SyncSettings {
                label,
                key_prefix: prefix,
                mode,
                disable_secret_deletion: disable,
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
                    "the sync changed since version {}: nothing was written",
                    body.version
                ),
            )
            .with_hint("GET the sync, then repeat the change with its current version"),
        ));
    }
    db.audit(Some(org), actor, "sync.update", Some(&row.id), "ok", &json!({ "label": label, "keyPrefix": prefix, "mode": mode, "disableSecretDeletion": disable })).await?;
    let row = db
        .sync(org, &row.id)
        .await?
        .ok_or_else(|| not_found("sync"))?;
    Ok(SyncBody {
        sync: view(db, &row).await?,
    })
}
