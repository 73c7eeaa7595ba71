//! `/api/v1/secret-syncs/azure-app-configuration`: plans with `core::sync` over a
//! [`SyncStore`] and the platform, and executes the plan's conditional writes. Runs record the
//! plan and result by key only, never values.

use crate::api::{
    KeysChoice, OpKind, OpSummary, Preview, PreviewBody, RunAnswer, RunRequest, RunResult, Skipped,
    SyncBody, SyncDeleted, SyncPatch, SyncRequest, SyncView,
};
use crate::api_error::{ApiError, not_found};
use crate::config::Config;
use crate::connection_fields::name_and_description;
use crate::connection_store::AuditEvent;
use crate::connection_tokens;
use crate::credentials::form_errors;
use crate::names;
use crate::platform::{Platform, new_id};
use crate::records::{Connection, NewSync, RunStatus, Sync, SyncSettings, Taken};
use crate::secret_field::Field;
use crate::sync_store::SyncStore;
use azconn_core::appconfig::Condition;
use azconn_core::appconfig::{self, AppConfigAuth, AppConfigError, Label, Store, SyncTokens};
use azconn_core::cloud::StoreEndpoint;
use azconn_core::error::{Code, Error};
use azconn_core::form::ConnectionType;
use azconn_core::http::HttpRequest;
use azconn_core::oauth::token::AccessToken;
use azconn_core::sync::{
    ConflictReason, DesiredValue, KeySchema, Plan, SkipReason, SyncMode, SyncOp, SyncPlanner,
    SyncSpec,
};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// How a sync's stored settings plan: owned by the sync's id, deleting unless disabled.
fn spec_of(row: &Sync) -> Result<SyncSpec, Error> {
    Ok(SyncSpec {
        prefix: row.key_prefix.clone(),
        suffix: row.key_suffix.clone(),
        label: Label::parse(row.label.as_deref())?,
        mode: row.mode,
        delete_missing: !row.disable_secret_deletion,
        owner: row.id.clone(),
        adopt: Vec::new(),
    })
}

/// The API view of a sync with its latest run (keys only, never values).
pub async fn view<S: SyncStore>(db: &S, row: &Sync) -> Result<SyncView, ApiError> {
    Ok(SyncView::new(
        row,
        db.last_run(&row.id).await?,
        db.last_success_at(&row.id).await?,
    ))
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

/// A plan as the UI shows it before applying: keys to create, update, delete, the desired
/// keys already in place, the ones left alone, and the names an import mode brings back.
fn preview(
    plan: &Plan,
    fingerprint: String,
    row: &Sync,
    desired: &BTreeMap<String, DesiredValue>,
) -> Preview {
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
        .map(|name| (format!("{}{name}{}", row.key_prefix, row.key_suffix), name))
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
        fingerprint,
    }
}

/// The rotation id of a `{kind:"rotation", rotationId}` value, which has no other member.
fn rotation_of<'v>(o: &'v serde_json::Map<String, Value>, at: &str) -> Result<&'v str, Error> {
    if let Some(other) = o.keys().find(|k| *k != "kind" && *k != "rotationId") {
        return Err(Error::field(
            &format!("{at}.{other}"),
            Code::NotAllowed,
            format!("{other} is not a field of a rotation's secret: give kind and rotationId"),
        ));
    }
    o.get("rotationId")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
        .ok_or_else(|| {
            Error::field(
                &format!("{at}.rotationId"),
                Code::Required,
                "give the id of the rotation whose current secret this key holds",
            )
        })
}

/// No current secret under that id in this organization: an unknown rotation (or another
/// organization's) or one that has not rotated yet.
fn no_rotated_secret(rotation: &str, at: &str) -> ApiError {
    ApiError::from(
        Error::field(
            &format!("{at}.rotationId"),
            Code::NotFound,
            format!("rotation {rotation} has no current secret in this organization"),
        )
        .with_hint("check the id, or rotate it first (POST …/secret-rotations/azure-client-secret/{id}/rotate)"),
    )
}

/// The field a refused key shape is reported on: the one the request gave.
fn key_field(schema: bool) -> &'static str {
    if schema { "keySchema" } else { "keyPrefix" }
}

/// The run carried a preview's fingerprint, and the store's listing differs now: something
/// wrote under the sync's prefix and label since that preview.
fn stale_preview() -> Error {
    Error::field(
        "fingerprint",
        Code::Conflict,
        "the store changed since the preview: this run would not apply the plan you saw",
    )
    .with_hint("preview again with dryRun: true and apply with the new fingerprint")
}

/// The rotation behind `secrets.NAME` published a new secret after the run read the old one.
fn rotated_meanwhile(name: &str, rotation: &str) -> Error {
    Error::field(
        &format!("secrets.{name}"),
        Code::Conflict,
        format!("rotation {rotation} published a new secret during this run: nothing was written"),
    )
    .with_hint("run the sync again: it takes the rotation's new secret")
}

/// The desired secrets of a run, by name.
type Desired = BTreeMap<String, DesiredValue>;

/// A key a rotation publishes to that its sync does not hold: someone else's, or locked.
fn not_published(row: &Sync, key: &str, why: &str) -> ApiError {
    ApiError::new(
        409,
        Error::new(
            Code::Conflict,
            format!(
                "sync {} cannot publish the new secret to {key}: {why}; the old secret is kept",
                row.id
            ),
        )
        .with_hint(
            "run the sync with adopt for that key, or without this secret, then rotate again",
        ),
    )
}

/// The syncs of one organization, as one caller acts on them.
pub struct Syncs<'a, S, P> {
    pub db: &'a S,
    pub p: &'a P,
    pub cfg: &'a Config,
    pub org: &'a str,
    pub actor: &'a str,
}

/// The store's data plane with this run's token and the `Sync-Token`s it has seen.
struct Session {
    auth: AppConfigAuth,
    tokens: SyncTokens,
}

impl<S: SyncStore, P: Platform> Syncs<'_, S, P> {
    async fn audit(
        &self,
        action: &str,
        target: &str,
        outcome: &str,
        detail: Value,
    ) -> Result<(), ApiError> {
        self.db
            .audit(AuditEvent {
                org: self.org,
                actor: self.actor,
                action,
                target: Some(target),
                outcome,
                detail,
            })
            .await
    }

    async fn connection(&self, id: &str) -> Result<Option<Connection>, ApiError> {
        self.db
            .connection(self.org, ConnectionType::AzureAppConfiguration, id)
            .await
    }

    async fn session(&self, conn: &Connection) -> Result<Session, ApiError> {
        let token: AccessToken = connection_tokens::token(self.db, self.p, self.cfg, conn, None)
            .await?
            .0;
        Ok(Session {
            auth: AppConfigAuth::Bearer(token),
            tokens: SyncTokens::default(),
        })
    }

    /// Sends one data-plane request with the session's token and `Sync-Token`s.
    async fn send(
        &self,
        s: &mut Session,
        req: HttpRequest,
    ) -> Result<azconn_core::http::HttpResponse, ApiError> {
        let resp = self
            .p
            .execute(&appconfig::authorize(
                req,
                &s.auth,
                &s.tokens,
                self.p.now(),
            )?)
            .await?;
        s.tokens.observe(&resp);
        Ok(resp)
    }

    /// Feeds the planner every page of the store's listing under the sync's prefix and label.
    async fn list_store(&self, planner: &mut SyncPlanner, s: &mut Session) -> Result<(), ApiError> {
        let mut next = Some(planner.first_request()?);
        // Bounded: 1000 pages of 100 keys.
        for _ in 0..1000 {
            let Some(req) = next.take() else { break };
            let resp = self.send(s, req).await?;
            if !resp.is_success() {
                return Err(ApiError::from(AppConfigError::parse(&resp).to_error()));
            }
            next = planner.on_page(&resp)?;
        }
        Ok(())
    }

    /// `409 conflict` on `name` when another sync of the organization has it.
    async fn refuse_taken_name(&self, name: &str, id: &str) -> Result<(), ApiError> {
        match self.db.sync_named(self.org, name).await? {
            Some(other) if other.id != id => Err(names::taken("sync", name)),
            _ => Ok(()),
        }
    }

    /// `POST {name?, description?, connectionId, endpoint?, label?, keyPrefix?, mode?}`.
    pub async fn create(&self, body: &SyncRequest) -> Result<SyncBody, ApiError> {
        let (name, description) =
            names::checked(body.name.as_deref(), body.description.as_deref())?;
        if let Some(name) = &name {
            self.refuse_taken_name(name.as_str(), "").await?;
        }
        let conn_id = body.connection_id.clone().unwrap_or_default();
        let conn = self.connection(&conn_id).await?.ok_or_else(|| {
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
        let endpoint = StoreEndpoint::parse(&endpoint, self.cfg.cloud.endpoints())?.to_string();
        let label = body.label.clone().filter(|l| !l.is_empty());
        Label::parse(label.as_deref()).map_err(|e| e.at("label"))?;
        let (prefix, suffix) = match &body.key_schema {
            Some(k) => (k.prefix.clone(), k.suffix.clone()),
            None => (body.key_prefix.clone().unwrap_or_default(), String::new()),
        };
        let mode = body.mode.unwrap_or(SyncMode::Overwrite);
        let id = new_id(self.p)?;
        // Validates the prefix the way a run will.
        SyncPlanner::new(
            Store::new(&StoreEndpoint::parse(
                &endpoint,
                self.cfg.cloud.endpoints(),
            )?),
            SyncSpec {
                prefix: prefix.clone(),
                suffix: suffix.clone(),
                label: Label::parse(label.as_deref())?,
                mode,
                delete_missing: !body.disable_secret_deletion,
                owner: id.clone(),
                adopt: Vec::new(),
            },
            &BTreeMap::new(),
        )
        .map_err(|e| e.at(key_field(body.key_schema.is_some())))?;
        let mut naming = match name {
            Some(name) => names::Naming::given(name),
            None => {
                // What the sync writes: the store's name, the label and the prefix.
                let store = endpoint
                    .split("://")
                    .nth(1)
                    .and_then(|host| host.split('.').next())
                    .unwrap_or("");
                let from = format!("{store} {} {prefix}", label.as_deref().unwrap_or(""));
                let base = names::derived(&from, "sync")?;
                let taken = self.db.sync_named(self.org, base.as_str()).await?.is_some();
                names::Naming::derived(base, taken, &id)
            }
        };
        // One statement: a refused insert writes nothing, so it can be repeated under another name.
        loop {
            let inserted = self
                .db
                .insert_sync(&NewSync {
                    id: &id,
                    org_id: self.org,
                    name: naming.name().as_str(),
                    description: description.as_deref(),
                    connection_id: &conn.id,
                    endpoint: &endpoint,
                    label: label.as_deref(),
                    key_prefix: &prefix,
                    key_suffix: &suffix,
                    mode,
                    disable_secret_deletion: body.disable_secret_deletion,
                    now: self.p.now(),
                })
                .await?;
            match inserted {
                Ok(()) => break,
                Err(Taken::Name) if naming.next_after_taken() => {}
                Err(_) => return Err(names::taken("sync", naming.name().as_str())),
            }
        }
        let name = naming.name();
        self.audit("sync.create", &id, "ok", json!({ "name": name, "connectionId": conn.id, "endpoint": endpoint, "label": label, "keySchema": KeySchema::text(&prefix, &suffix), "mode": mode, "disableSecretDeletion": body.disable_secret_deletion })).await?;
        let row = self
            .db
            .sync(self.org, &id)
            .await?
            .ok_or_else(|| not_found("sync"))?;
        Ok(SyncBody {
            sync: view(self.db, &row).await?,
        })
    }

    /// The desired secrets of a run request, each checked by name (`secrets.NAME`). A
    /// `{kind:"rotation", rotationId}` is that rotation's current secret, read here: its value
    /// never passes through the caller.
    /// Also the names bound to a rotation, `(name, rotation id)`.
    async fn desired(
        &self,
        body: &RunRequest,
    ) -> Result<(Desired, Vec<(String, String)>), ApiError> {
        let secrets = body.secrets.as_ref().ok_or_else(|| {
            ApiError::from(Error::field(
                "secrets",
                Code::Required,
                "give the desired secrets as {\"NAME\": \"value\"}",
            ))
        })?;
        let mut desired = BTreeMap::new();
        let mut bound = Vec::new();
        for (name, v) in secrets {
            let at = format!("secrets.{name}");
            let value = match v {
                Value::String(s) => DesiredValue::Plain {
                    value: s.clone(),
                    content_type: None,
                },
                Value::Object(o) if o.get("kind").and_then(Value::as_str) == Some("rotation") => {
                    let rotation = rotation_of(o, &at)?;
                    let value = self
                        .db
                        .secret(self.org, rotation, Field::CurrentSecret)
                        .await?
                        .ok_or_else(|| no_rotated_secret(rotation, &at))?;
                    bound.push((name.clone(), rotation.to_owned()));
                    DesiredValue::Plain {
                        value,
                        content_type: None,
                    }
                }
                other => serde_json::from_value(other.clone()).map_err(|_| {
                    ApiError::from(Error::field(
                        &at,
                        Code::InvalidFormat,
                        "a secret is a string or {kind:\"plain\",value} / {kind:\"keyVaultRef\",uri} / {kind:\"rotation\",rotationId}",
                    ))
                })?,
            };
            desired.insert(name.clone(), value);
        }
        Ok((desired, bound))
    }

    /// Whether each rotation's secret the run read is still that rotation's current one, checked
    /// after the store is listed and before anything is written. A rotation publishes in this
    /// order: its new secret in storage, then to the store (listed anew, written at its ETag),
    /// then the revocation. So a run that read the old secret either sees the new one here and
    /// stops, or checked before the rotation stored it: then its writes carry ETags listed
    /// before the rotation's own write, which fails them (412) if they come after it, and a
    /// write before it is overwritten by the rotation's. Either way the store never keeps a
    /// secret the rotation is about to revoke.
    async fn still_current(
        &self,
        desired: &Desired,
        bound: &[(String, String)],
    ) -> Result<(), ApiError> {
        for (name, rotation) in bound {
            let now = self
                .db
                .secret(self.org, rotation, Field::CurrentSecret)
                .await?;
            let read = match desired.get(name) {
                Some(DesiredValue::Plain { value, .. }) => Some(value),
                _ => None,
            };
            if now.as_ref() != read {
                return Err(rotated_meanwhile(name, rotation).into());
            }
        }
        Ok(())
    }

    /// `POST .../{id}/run {secrets: {NAME: "value" | {kind:"plain",value} | {kind:"keyVaultRef",uri}}, dryRun?, adopt?, confirmDeletes?}`.
    /// With `dryRun: true` it lists the store and answers `{preview}` without writing anything.
    /// Keys this sync does not own are conflicts unless listed in `adopt`; a run deleting more
    /// keys than it keeps is refused (409 on `confirmDeletes`) unless it confirms their number.
    /// A real run records which names hold a rotation's secret (replacing the earlier
    /// bindings) before it writes, so a key it writes is one the rotation publishes to even if
    /// the run stops midway.
    pub async fn run(&self, row: &Sync, body: &RunRequest) -> Result<RunAnswer, ApiError> {
        let (desired, bound) = self.desired(body).await?;
        let conn = self
            .connection(&row.connection_id)
            .await?
            .ok_or_else(|| not_found("connection"))?;
        let endpoint = StoreEndpoint::parse(&row.endpoint, self.cfg.cloud.endpoints())?;
        let store_api = Store::new(&endpoint);
        let spec = SyncSpec {
            adopt: body.adopt.clone(),
            ..spec_of(row)?
        };
        let mut planner = SyncPlanner::new(store_api.clone(), spec, &desired)?;
        if body.dry_run {
            let mut session = self.session(&conn).await?;
            self.list_store(&mut planner, &mut session).await?;
            let plan = planner.plan()?;
            self.audit("sync.preview", &row.id, "ok", json!({})).await?;
            return Ok(RunAnswer::Preview(PreviewBody {
                preview: preview(&plan, planner.fingerprint(), row, &desired),
            }));
        }
        self.db
            .bind_rotation_keys(self.org, &row.id, &bound)
            .await?;
        let run_id = new_id(self.p)?;
        self.db.start_run(&run_id, &row.id, self.p.now()).await?;
        // What the run planned and applied so far: recorded whether it finishes or not.
        let mut planned: Option<Vec<OpSummary>> = None;
        let mut applied: Vec<OpSummary> = Vec::new();
        let outcome = async {
            let mut session = self.session(&conn).await?;
            self.list_store(&mut planner, &mut session).await?;
            let plan = planner.plan()?;
            if body
                .fingerprint
                .as_ref()
                .is_some_and(|seen| *seen != planner.fingerprint())
            {
                return Err(stale_preview().into());
            }
            plan.check_confirmed(body.confirm_deletes)?;
            self.still_current(&desired, &bound).await?;
            planned = Some(plan.ops.iter().map(op_summary).collect());
            for op in &plan.ops {
                let resp = self.send(&mut session, op.request(&store_api)?).await?;
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
        self.db
            .finish_run(&run_id, status, plan.as_ref(), &result, self.p.now())
            .await?;
        self.audit(
            "sync.run",
            &row.id,
            if outcome.is_ok() { "ok" } else { "failed" },
            json!({ "runId": run_id, "result": result }),
        )
        .await?;
        outcome?;
        Ok(RunAnswer::Ran(SyncBody {
            sync: view(self.db, row).await?,
        }))
    }

    /// Publishes a rotation's new secret to the names of `row` bound to it, before the rotation
    /// revokes the old one: for each name a put-only plan of that one key (core
    /// `SyncPlanner::for_key`), written with the sync's own connection at the listed ETag (a
    /// concurrent change fails the write rather than being overwritten). A key the sync does not
    /// own, or a locked one, is a 409 naming it, with nothing overwritten. The keys written.
    pub async fn publish(
        &self,
        row: &Sync,
        names: &[String],
        value: &str,
    ) -> Result<Vec<String>, ApiError> {
        let conn = self
            .connection(&row.connection_id)
            .await?
            .ok_or_else(|| not_found("connection"))?;
        let store_api = Store::new(&StoreEndpoint::parse(
            &row.endpoint,
            self.cfg.cloud.endpoints(),
        )?);
        let mut session = self.session(&conn).await?;
        let mut written = Vec::new();
        for name in names {
            let mut planner = SyncPlanner::for_key(
                store_api.clone(),
                spec_of(row)?,
                name,
                &DesiredValue::Plain {
                    value: value.to_owned(),
                    content_type: None,
                },
            )?;
            self.list_store(&mut planner, &mut session).await?;
            let plan = planner.put_plan()?;
            if let Some(c) = plan.conflicts.first() {
                let why = match c.reason {
                    ConflictReason::OtherSync => "another sync owns it",
                    ConflictReason::Unowned | ConflictReason::Unmanaged => {
                        "the sync does not own it"
                    }
                };
                return Err(not_published(row, &c.key, why));
            }
            if let Some((key, why)) = plan.skipped.first() {
                let why = match why {
                    SkipReason::Locked => "it is locked",
                    SkipReason::FeatureFlag => "it is a feature flag",
                };
                return Err(not_published(row, key, why));
            }
            for op in &plan.ops {
                let resp = self.send(&mut session, op.request(&store_api)?).await?;
                appconfig::parse_put(&resp)?;
                written.push(op_summary(op).key);
            }
        }
        Ok(written)
    }

    /// `DELETE .../{id}?keys=remove|keep`: with `remove`, first deletes every key the sync owns
    /// (its owner tag, conditional on the listed etag; nobody else's keys, never feature
    /// flags), then the sync and its runs. A failed removal keeps the sync so the delete can be
    /// repeated.
    pub async fn delete(&self, row: &Sync, keys: KeysChoice) -> Result<SyncDeleted, ApiError> {
        let mut removed = Vec::new();
        let mut left = Vec::new();
        if keys == KeysChoice::Remove {
            let conn = self
                .connection(&row.connection_id)
                .await?
                .ok_or_else(|| not_found("connection"))?;
            let store_api = Store::new(&StoreEndpoint::parse(
                &row.endpoint,
                self.cfg.cloud.endpoints(),
            )?);
            let mut planner = SyncPlanner::new(store_api.clone(), spec_of(row)?, &BTreeMap::new())?;
            let mut session = self.session(&conn).await?;
            self.list_store(&mut planner, &mut session).await?;
            let plan = planner.removal_plan()?;
            for op in &plan.ops {
                let resp = self.send(&mut session, op.request(&store_api)?).await?;
                appconfig::parse_delete(&resp)?;
                removed.push(op_summary(op).key);
            }
            left = skipped(&plan);
        }
        let view = view(self.db, row).await?;
        self.db.delete_sync(self.org, &row.id).await?;
        self.audit(
            "sync.delete",
            &row.id,
            "ok",
            json!({ "keys": keys, "removed": removed }),
        )
        .await?;
        Ok(SyncDeleted {
            sync: view,
            keys,
            removed,
            skipped: left,
        })
    }

    /// `PATCH .../{id} {version, name?, description?, label?, keyPrefix?, mode?,
    /// disableSecretDeletion?}`: checked as on create (a taken name is 409 on `name`), written
    /// only if the sync is still at `version` (of two concurrent changes
    /// the loser gets 409 and nothing of its request). Keys owned under an old label or prefix
    /// keep their owner tag: they are outside the sync's reach until it points there again.
    pub async fn update(&self, row: &Sync, body: &SyncPatch) -> Result<SyncBody, ApiError> {
        let (name, description) = name_and_description(
            body.name.as_deref().unwrap_or(&row.name),
            body.description.as_deref().or(row.description.as_deref()),
        )
        .map_err(form_errors)?;
        self.refuse_taken_name(name.as_str(), &row.id).await?;
        let label = match body.label.as_deref() {
            Some(l) => Some(l).filter(|l| !l.is_empty()),
            None => row.label.as_deref(),
        };
        Label::parse(label).map_err(|e| e.at("label"))?;
        let (prefix, suffix) = match &body.key_schema {
            Some(k) => (k.prefix.as_str(), k.suffix.as_str()),
            None => (
                body.key_prefix.as_deref().unwrap_or(&row.key_prefix),
                row.key_suffix.as_str(),
            ),
        };
        let mode = body.mode.unwrap_or(row.mode);
        let disable = body
            .disable_secret_deletion
            .unwrap_or(row.disable_secret_deletion);
        SyncPlanner::new(
            Store::new(&StoreEndpoint::parse(
                &row.endpoint,
                self.cfg.cloud.endpoints(),
            )?),
            SyncSpec {
                prefix: prefix.to_owned(),
                suffix: suffix.to_owned(),
                label: Label::parse(label)?,
                mode,
                delete_missing: !disable,
                owner: row.id.clone(),
                adopt: Vec::new(),
            },
            &BTreeMap::new(),
        )
        .map_err(|e| e.at(key_field(body.key_schema.is_some())))?;
        let written = self
            .db
            .update_sync(
                self.org,
                &row.id,
                &SyncSettings {
                    name: name.as_str(),
                    description: description.as_deref(),
                    label,
                    key_prefix: prefix,
                    key_suffix: suffix,
                    mode,
                    disable_secret_deletion: disable,
                    version: body.version,
                    now: self.p.now(),
                },
            )
            .await?
            .map_err(|_| names::taken("sync", name.as_str()))?;
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
        self.audit("sync.update", &row.id, "ok", json!({ "name": name, "description": description, "label": label, "keySchema": KeySchema::text(prefix, suffix), "mode": mode, "disableSecretDeletion": disable })).await?;
        let row = self
            .db
            .sync(self.org, &row.id)
            .await?
            .ok_or_else(|| not_found("sync"))?;
        Ok(SyncBody {
            sync: view(self.db, &row).await?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::InitialSyncBehavior;
    use crate::connection_store::ConnectionStore;
    use crate::fakes::{
        APP, FakePlatform, FakeStore, MemoryStore, NOW, SECRET, TENANT, block_on, oauth_config,
    };
    use crate::records::NewConnection;
    use crate::secret_field::Field;
    use azconn_core::form::Method;
    use azconn_core::http::HttpResponse;

    const STORE: &str = "https://store1.azconfig.io";

    /// A store with the App Configuration connection `c1` for [`STORE`].
    fn db() -> MemoryStore {
        let db = MemoryStore::default();
        block_on(db.insert(
            &NewConnection {
                id: "c1",
                org_id: "org1",
                ty: ConnectionType::AzureAppConfiguration,
                method: Method::ClientSecret,
                name: "config",
                description: None,
                tenant_id: TENANT,
                client_id: Some(APP),
                cloud: "global",
                endpoint: Some(STORE),
                credential_info: &json!({}),
                created_by: None,
                now: NOW,
            },
            &[(Field::ClientSecret, SECRET.to_owned())],
        ))
        .expect("connection");
        db
    }

    fn syncs<'a>(
        db: &'a MemoryStore,
        p: &'a FakePlatform,
        cfg: &'a Config,
    ) -> Syncs<'a, MemoryStore, FakePlatform> {
        Syncs {
            db,
            p,
            cfg,
            org: "org1",
            actor: "u1",
        }
    }

    fn created(s: &Syncs<'_, MemoryStore, FakePlatform>, body: Value) -> Sync {
        let id = block_on(s.create(&SyncRequest::parse(&body).expect("request")))
            .expect("created")
            .sync
            .id;
        s.db.sync_row(&id).expect("row")
    }

    fn run(
        s: &Syncs<'_, MemoryStore, FakePlatform>,
        row: &Sync,
        body: Value,
    ) -> Result<RunAnswer, ApiError> {
        block_on(s.run(row, &RunRequest::parse(&body).expect("run")))
    }

    fn store_of(p: &FakePlatform) -> std::cell::Ref<'_, FakeStore> {
        std::cell::Ref::map(p.store.borrow(), |s| s.as_ref().expect("store"))
    }

    fn preview_of(answer: RunAnswer) -> Preview {
        match answer {
            RunAnswer::Preview(p) => p.preview,
            RunAnswer::Ran(_) => panic!("not a preview"),
        }
    }

    #[test]
    fn create_checks_every_field_and_stores_the_sync() {
        let (db, p, cfg) = (
            db(),
            FakePlatform::with_store(FakeStore::default()),
            oauth_config(),
        );
        let s = syncs(&db, &p, &cfg);
        for (body, field, status) in [
            (json!({ "connectionId": "nope" }), "connectionId", 404),
            (
                json!({ "connectionId": "c1", "endpoint": "https://evil.example.com" }),
                "endpoint",
                400,
            ),
            (
                json!({ "connectionId": "c1", "label": "a\u{7}b" }),
                "label",
                400,
            ),
            (
                json!({ "connectionId": "c1", "keyPrefix": ".appconfig.featureflag/x" }),
                "keyPrefix",
                400,
            ),
        ] {
            let e = block_on(s.create(&SyncRequest::parse(&body).expect("request")))
                .expect_err("rejected");
            assert_eq!(e.error.field.as_deref(), Some(field), "{body}");
            assert_eq!(e.status, status, "{body}");
        }
        assert!(db.syncs.rows.borrow().is_empty());
        let row = created(
            &s,
            json!({ "connectionId": "c1", "keyPrefix": "app/", "label": "prod" }),
        );
        assert_eq!(row.endpoint, STORE, "the connection's endpoint");
        assert_eq!(row.key_prefix, "app/");
        assert_eq!(row.label.as_deref(), Some("prod"));
        assert_eq!(row.mode, SyncMode::Overwrite);
        assert!(!row.disable_secret_deletion);
        assert_eq!(row.version, 1);
        assert!(p.requests.borrow().is_empty(), "nothing sent on create");
        assert_eq!(db.actions(), [("sync.create".into(), "ok".into())]);
    }

    #[test]
    fn a_connection_without_an_endpoint_needs_one() {
        let (db, p, cfg) = (db(), FakePlatform::new(), oauth_config());
        db.connections.borrow_mut()[0].endpoint = None;
        let e = block_on(
            syncs(&db, &p, &cfg)
                .create(&SyncRequest::parse(&json!({ "connectionId": "c1" })).expect("request")),
        )
        .expect_err("no endpoint");
        assert_eq!(e.error.field.as_deref(), Some("endpoint"));
    }

    #[test]
    fn a_run_writes_owned_tagged_keys_with_conditions_and_converges() {
        let (db, p, cfg) = (
            db(),
            FakePlatform::with_store(FakeStore::default()),
            oauth_config(),
        );
        let s = syncs(&db, &p, &cfg);
        let row = created(&s, json!({ "connectionId": "c1", "keyPrefix": "app/" }));
        run(
            &s,
            &row,
            json!({ "secrets": { "DB": "one", "API": { "kind": "plain", "value": "two" } } }),
        )
        .expect("ran");
        {
            let store = store_of(&p);
            assert_eq!(store.keys(), ["app/API", "app/DB"]);
            let db_kv = store.get("app/DB").expect("kv");
            assert_eq!(db_kv.value, "one");
            assert_eq!(db_kv.tags.get("azconn-sync"), Some(&row.id));
            assert_eq!(
                db_kv.tags.get("managed-by").map(String::as_str),
                Some("azconn")
            );
        }
        let puts: Vec<String> = p.store_calls();
        assert_eq!(puts, ["GET /kv", "PUT /kv/app/API", "PUT /kv/app/DB"]);
        let requests = p.requests.borrow();
        let put = requests
            .iter()
            .find(|r| r.method.as_str() == "PUT")
            .expect("put");
        assert_eq!(
            put.header("if-none-match"),
            Some("*"),
            "a new key is create-only"
        );
        assert!(
            put.header("authorization")
                .is_some_and(|a| a.starts_with("Bearer "))
        );
        drop(requests);
        // Each request echoes the Sync-Token of the previous answer.
        assert_eq!(store_of(&p).sync_tokens[0], None);
        assert!(store_of(&p).sync_tokens[1..].iter().all(Option::is_some));
        let last = db.runs_of(&row.id).pop().expect("run");
        assert_eq!(last.status, RunStatus::Succeeded);
        assert_eq!(
            last.result.as_ref().expect("result")["applied"]
                .as_array()
                .map(Vec::len),
            Some(2)
        );
        assert!(
            !last.result.expect("result").to_string().contains("one"),
            "keys only, never values"
        );

        // The same secrets again: nothing to write.
        let sent = p.store_calls().len();
        run(
            &s,
            &row,
            json!({ "secrets": { "DB": "one", "API": "two" } }),
        )
        .expect("ran");
        assert_eq!(p.store_calls()[sent..], ["GET /kv"]);
        // A changed value is written only over the etag it was read with.
        let etag = store_of(&p).get("app/DB").expect("kv").etag.clone();
        run(
            &s,
            &row,
            json!({ "secrets": { "DB": "uno", "API": "two" } }),
        )
        .expect("ran");
        let requests = p.requests.borrow();
        let put = requests.last().expect("put");
        assert_eq!(put.header("if-match"), Some(format!("\"{etag}\"").as_str()));
        drop(requests);
        assert_eq!(store_of(&p).get("app/DB").expect("kv").value, "uno");
        assert_eq!(
            db.actions()
                .iter()
                .filter(|(a, o)| a == "sync.run" && o == "ok")
                .count(),
            3
        );
    }

    #[test]
    fn keys_it_does_not_own_are_conflicts_unless_adopted() {
        let store = FakeStore::with(&[
            ("app/DB", "theirs", None),
            ("app/OTHER", "x", Some("sync-2")),
        ]);
        let (db, p, cfg) = (db(), FakePlatform::with_store(store), oauth_config());
        let s = syncs(&db, &p, &cfg);
        let row = created(&s, json!({ "connectionId": "c1", "keyPrefix": "app/" }));
        let preview = preview_of(
            run(
                &s,
                &row,
                json!({ "secrets": { "DB": "mine", "OTHER": "mine" }, "dryRun": true }),
            )
            .expect("preview"),
        );
        let reasons: Vec<(String, Option<String>)> = preview
            .conflicts
            .iter()
            .map(|c| (c.key.clone(), c.owner.clone()))
            .collect();
        assert_eq!(
            reasons,
            [
                ("app/DB".into(), None),
                ("app/OTHER".into(), Some("sync-2".into()))
            ]
        );
        assert!(preview.create.is_empty() && preview.update.is_empty());
        run(
            &s,
            &row,
            json!({ "secrets": { "DB": "mine", "OTHER": "mine" } }),
        )
        .expect("ran");
        assert_eq!(
            store_of(&p).get("app/DB").expect("kv").value,
            "theirs",
            "left alone"
        );
        run(
            &s,
            &row,
            json!({ "secrets": { "DB": "mine", "OTHER": "mine" }, "adopt": ["app/DB"] }),
        )
        .expect("adopted");
        let store = store_of(&p);
        assert_eq!(store.get("app/DB").expect("kv").value, "mine");
        assert_eq!(
            store.get("app/DB").expect("kv").tags.get("azconn-sync"),
            Some(&row.id)
        );
        assert_eq!(
            store.get("app/OTHER").expect("kv").value,
            "x",
            "another sync's key"
        );
    }

    #[test]
    fn a_preview_writes_nothing_and_lists_every_change() {
        let (db, p, cfg) = (
            db(),
            FakePlatform::with_store(FakeStore::default()),
            oauth_config(),
        );
        let s = syncs(&db, &p, &cfg);
        let row = created(&s, json!({ "connectionId": "c1", "keyPrefix": "app/" }));
        run(
            &s,
            &row,
            json!({ "secrets": { "A": "1", "B": "2", "C": "3" } }),
        )
        .expect("ran");
        let preview = preview_of(
            run(
                &s,
                &row,
                json!({ "secrets": { "A": "1", "B": "22", "D": "4" }, "dryRun": true }),
            )
            .expect("preview"),
        );
        assert_eq!(preview.create, ["app/D"]);
        assert_eq!(preview.update, ["app/B"]);
        assert_eq!(preview.delete, ["app/C"]);
        assert_eq!(preview.unchanged, ["app/A"]);
        assert_eq!(preview.confirm_deletes, None);
        assert_eq!(store_of(&p).get("app/B").expect("kv").value, "2");
        assert_eq!(db.runs_of(&row.id).len(), 1, "a preview is not a run");
        assert!(db.actions().contains(&("sync.preview".into(), "ok".into())));
    }

    #[test]
    fn a_run_with_its_previews_fingerprint_applies_only_that_plan() {
        let (db, p, cfg) = (
            db(),
            FakePlatform::with_store(FakeStore::default()),
            oauth_config(),
        );
        let s = syncs(&db, &p, &cfg);
        let row = created(&s, json!({ "connectionId": "c1", "keyPrefix": "app/" }));
        run(&s, &row, json!({ "secrets": { "A": "1", "B": "2" } })).expect("ran");
        let secrets = json!({ "A": "1", "B": "22" });
        let seen = preview_of(
            run(&s, &row, json!({ "secrets": secrets, "dryRun": true })).expect("preview"),
        )
        .fingerprint;
        assert_eq!(
            preview_of(
                run(&s, &row, json!({ "secrets": secrets, "dryRun": true })).expect("again")
            )
            .fingerprint,
            seen,
            "nothing changed in between"
        );

        // Someone edits B after the preview: the run refuses and writes nothing.
        p.store.borrow_mut().as_mut().expect("store").items[1].etag = "edited".into();
        let e = run(&s, &row, json!({ "secrets": secrets, "fingerprint": seen }))
            .expect_err("stale preview");
        assert_eq!(
            (e.status, e.error.field.as_deref()),
            (409, Some("fingerprint"))
        );
        assert_eq!(store_of(&p).get("app/B").expect("kv").value, "2");
        assert_eq!(
            db.runs_of(&row.id).pop().expect("run").status,
            RunStatus::Failed
        );

        let fresh = preview_of(
            run(&s, &row, json!({ "secrets": secrets, "dryRun": true })).expect("preview"),
        )
        .fingerprint;
        assert_ne!(fresh, seen);
        run(
            &s,
            &row,
            json!({ "secrets": secrets, "fingerprint": fresh }),
        )
        .expect("applied");
        assert_eq!(store_of(&p).get("app/B").expect("kv").value, "22");
    }

    #[test]
    fn a_fingerprint_is_a_previews_digest_given_to_a_real_run() {
        for (body, field) in [
            (
                json!({ "secrets": {}, "fingerprint": "short" }),
                "fingerprint",
            ),
            (json!({ "secrets": {}, "fingerprint": 7 }), "fingerprint"),
            (
                json!({ "secrets": {}, "fingerprint": "a".repeat(42) + "=" }),
                "fingerprint",
            ),
            (
                json!({ "secrets": {}, "dryRun": true, "fingerprint": "a".repeat(43) }),
                "fingerprint",
            ),
        ] {
            let e = RunRequest::parse(&body).expect_err("refused");
            assert_eq!(e.field.as_deref(), Some(field), "{body}");
        }
        let ok =
            RunRequest::parse(&json!({ "secrets": {}, "fingerprint": "a-_".repeat(14) + "Z" }));
        assert_eq!(
            ok.expect("digest").fingerprint.as_deref(),
            Some(&*("a-_".repeat(14) + "Z"))
        );
    }

    #[test]
    fn deleting_more_than_it_keeps_needs_the_confirmed_count() {
        let (db, p, cfg) = (
            db(),
            FakePlatform::with_store(FakeStore::default()),
            oauth_config(),
        );
        let s = syncs(&db, &p, &cfg);
        let row = created(&s, json!({ "connectionId": "c1", "keyPrefix": "app/" }));
        run(
            &s,
            &row,
            json!({ "secrets": { "A": "1", "B": "2", "C": "3" } }),
        )
        .expect("ran");
        let e = run(&s, &row, json!({ "secrets": { "A": "1" } })).expect_err("unconfirmed");
        assert_eq!(
            (e.status, e.error.field.as_deref()),
            (409, Some("confirmDeletes"))
        );
        assert_eq!(store_of(&p).keys().len(), 3, "nothing deleted");
        let failed = db.runs_of(&row.id).pop().expect("run");
        assert_eq!(failed.status, RunStatus::Failed);
        assert_eq!(failed.result.expect("result")["applied"], Value::Null);
        let e = run(
            &s,
            &row,
            json!({ "secrets": { "A": "1" }, "confirmDeletes": 1 }),
        )
        .expect_err("wrong count");
        assert_eq!(e.status, 409);
        run(
            &s,
            &row,
            json!({ "secrets": { "A": "1" }, "confirmDeletes": 2 }),
        )
        .expect("confirmed");
        assert_eq!(store_of(&p).keys(), ["app/A"]);
    }

    #[test]
    fn disabled_secret_deletion_never_deletes() {
        let (db, p, cfg) = (
            db(),
            FakePlatform::with_store(FakeStore::default()),
            oauth_config(),
        );
        let s = syncs(&db, &p, &cfg);
        let row = created(
            &s,
            json!({ "connectionId": "c1", "keyPrefix": "app/", "disableSecretDeletion": true }),
        );
        run(&s, &row, json!({ "secrets": { "A": "1", "B": "2" } })).expect("ran");
        run(&s, &row, json!({ "secrets": {} })).expect("ran");
        assert_eq!(store_of(&p).keys(), ["app/A", "app/B"]);
    }

    #[test]
    fn a_write_that_loses_its_precondition_fails_the_run_with_what_was_applied() {
        let (db, p, cfg) = (
            db(),
            FakePlatform::with_store(FakeStore::default()),
            oauth_config(),
        );
        let s = syncs(&db, &p, &cfg);
        let row = created(&s, json!({ "connectionId": "c1", "keyPrefix": "app/" }));
        run(&s, &row, json!({ "secrets": { "A": "1", "B": "2" } })).expect("ran");
        let ok = block_on(view(&db, &row)).expect("view");
        assert_eq!(
            (ok.last_attempt_at, ok.last_success_at, ok.last_error),
            (Some(NOW), Some(NOW), None)
        );
        p.now.set(NOW + 60);
        // Someone changes B between this run's listing and its write.
        p.answer(
            crate::fakes::Service::Store,
            HttpResponse::new(200, {
                let store = store_of(&p);
                let items: Vec<Value> = store
                    .items
                    .iter()
                    .map(|kv| json!({ "key": kv.key, "label": null, "value": kv.value, "etag": kv.etag, "tags": kv.tags }))
                    .collect();
                json!({ "items": items }).to_string()
            }),
        );
        p.store.borrow_mut().as_mut().expect("store").items[1].etag = "changed".into();
        let e = run(&s, &row, json!({ "secrets": { "A": "11", "B": "22" } })).expect_err("412");
        assert_eq!(e.error.code, Code::PreconditionFailed);
        let failed = db.runs_of(&row.id).pop().expect("run");
        assert_eq!(failed.status, RunStatus::Failed);
        let applied = failed.result.expect("result")["applied"].clone();
        assert_eq!(
            applied.as_array().map(Vec::len),
            Some(1),
            "A was written first: {applied}"
        );
        assert!(db.actions().contains(&("sync.run".into(), "failed".into())));
        // The status a user checks: this attempt, the earlier success, this error.
        let v = block_on(view(&db, &row)).expect("view");
        assert_eq!(
            (v.last_attempt_at, v.last_success_at),
            (Some(NOW + 60), Some(NOW))
        );
        assert_eq!(v.last_error.map(|e| e.code), Some(Code::PreconditionFailed));
    }

    #[test]
    fn a_run_checks_its_secrets_by_name() {
        let (db, p, cfg) = (
            db(),
            FakePlatform::with_store(FakeStore::default()),
            oauth_config(),
        );
        let s = syncs(&db, &p, &cfg);
        let row = created(&s, json!({ "connectionId": "c1" }));
        let e = run(&s, &row, json!({})).expect_err("no secrets");
        assert_eq!(e.error.field.as_deref(), Some("secrets"));
        let e = run(&s, &row, json!({ "secrets": { "X": 5 } })).expect_err("bad value");
        assert_eq!(e.error.field.as_deref(), Some("secrets.X"));
        assert!(p.requests.borrow().is_empty());
        assert!(db.runs_of(&row.id).is_empty());
    }

    #[test]
    fn a_sync_is_named_for_what_it_writes_unless_named_and_names_are_unique() {
        let (db, p, cfg) = (db(), FakePlatform::new(), oauth_config());
        let s = syncs(&db, &p, &cfg);
        let derived = created(
            &s,
            json!({ "connectionId": "c1", "label": "prod", "keyPrefix": "App:" }),
        );
        assert_eq!(derived.name, "store1-prod-app");
        let again = created(
            &s,
            json!({ "connectionId": "c1", "label": "prod", "keyPrefix": "App:" }),
        );
        assert_eq!(again.name, format!("store1-prod-app-{}", &again.id[..8]));
        let named = created(
            &s,
            json!({ "connectionId": "c1", "name": "payments", "description": " for payments " }),
        );
        assert_eq!(
            (named.name.as_str(), named.description.as_deref()),
            ("payments", Some("for payments"))
        );
        let view = block_on(view(&db, &named)).expect("view");
        assert_eq!(
            (view.name.as_str(), view.description.as_deref()),
            ("payments", Some("for payments"))
        );
        let e = block_on(
            s.create(
                &SyncRequest::parse(&json!({ "connectionId": "c1", "name": "payments" }))
                    .expect("request"),
            ),
        )
        .expect_err("taken");
        assert_eq!(
            (e.status, e.error.code, e.error.field.as_deref()),
            (409, Code::Conflict, Some("name"))
        );
        assert_eq!(e.error.message, "a sync named payments already exists");
        assert_eq!(db.syncs.rows.borrow().len(), 3, "nothing stored");
        let patch = |v: Value| SyncPatch::parse(&v).expect("patch");
        let e = block_on(s.update(
            &derived,
            &patch(json!({ "version": 1, "name": "payments", "keyPrefix": "X:" })),
        ))
        .expect_err("taken");
        assert_eq!((e.status, e.error.field.as_deref()), (409, Some("name")));
        assert_eq!(
            db.sync_row(&derived.id).expect("row").key_prefix,
            "App:",
            "nothing written"
        );
        let e = block_on(s.update(
            &derived,
            &patch(json!({ "version": 1, "name": "Bad Name" })),
        ))
        .expect_err("invalid");
        assert_eq!((e.status, e.error.field.as_deref()), (400, Some("name")));
        let renamed = block_on(s.update(
            &derived,
            &patch(json!({ "version": 1, "name": "prod-app", "description": "d" })),
        ))
        .expect("renamed")
        .sync;
        assert_eq!(
            (
                renamed.name.as_str(),
                renamed.description.as_deref(),
                renamed.version
            ),
            ("prod-app", Some("d"), 2)
        );
        assert_eq!(p.services(), [], "nothing sent");
    }

    #[test]
    fn initial_sync_behavior_sets_the_stored_mode_and_is_shown_beside_it() {
        let (db, p, cfg) = (db(), FakePlatform::new(), oauth_config());
        let s = syncs(&db, &p, &cfg);
        let row = created(
            &s,
            json!({ "connectionId": "c1", "initialSyncBehavior": "import-prioritize-source" }),
        );
        assert_eq!(row.mode, SyncMode::ImportPreferSource);
        let patch = |v: Value| SyncPatch::parse(&v).expect("patch");
        let updated = block_on(s.update(
            &row,
            &patch(json!({ "version": 1, "initialSyncBehavior": "import-prioritize-destination" })),
        ))
        .expect("updated")
        .sync;
        assert_eq!(
            (updated.mode, updated.initial_sync_behavior, updated.version),
            (
                SyncMode::ImportPreferDestination,
                InitialSyncBehavior::ImportPrioritizeDestination,
                2
            )
        );
        assert_eq!(
            db.sync_row(&row.id).expect("row").mode,
            SyncMode::ImportPreferDestination
        );
        let json = serde_json::to_value(&updated).expect("json");
        assert_eq!(
            (&json["mode"], &json["initialSyncBehavior"]),
            (
                &json!("importPreferDestination"),
                &json!("import-prioritize-destination")
            )
        );
        // The audit records the mode, under its one name.
        let modes: Vec<Value> = ["sync.create", "sync.update"]
            .iter()
            .flat_map(|a| db.audit_details(a))
            .map(|d| d["mode"].clone())
            .collect();
        assert_eq!(
            modes,
            [
                json!("importPreferSource"),
                json!("importPreferDestination")
            ]
        );
    }

    #[test]
    fn a_derived_name_taken_by_a_concurrent_create_moves_to_its_suffixed_form() {
        let (db, p, cfg) = (db(), FakePlatform::new(), oauth_config());
        let s = syncs(&db, &p, &cfg);
        let body = json!({ "connectionId": "c1", "label": "prod", "keyPrefix": "App:" });
        // The first create's insert commits only after the second has checked the name.
        let first = created(&s, body.clone());
        assert_eq!(first.name, "store1-prod-app");
        let racing = db.syncs.rows.borrow_mut().pop().expect("first");
        *db.before_insert.borrow_mut() =
            Some(Box::new(move |db| db.syncs.rows.borrow_mut().push(racing)));
        let second = created(&s, body);
        assert_eq!(second.name, format!("store1-prod-app-{}", &second.id[..8]));
        let names: Vec<String> = db
            .syncs
            .rows
            .borrow()
            .iter()
            .map(|x| x.name.clone())
            .collect();
        assert_eq!(names, ["store1-prod-app".to_owned(), second.name.clone()]);
        assert_eq!(
            db.audit_details("sync.create")[1]["name"],
            json!(second.name)
        );
        // A given name stays the user's: taken between the check and the insert, it is a 409.
        let mut racing = second.clone();
        (racing.id, racing.name) = ("s-racing".into(), "payments".into());
        *db.before_insert.borrow_mut() =
            Some(Box::new(move |db| db.syncs.rows.borrow_mut().push(racing)));
        let e = block_on(
            s.create(
                &SyncRequest::parse(&json!({ "connectionId": "c1", "name": "payments" }))
                    .expect("request"),
            ),
        )
        .expect_err("taken");
        assert_eq!(
            (e.status, e.error.code, e.error.field.as_deref()),
            (409, Code::Conflict, Some("name"))
        );
        assert_eq!(
            db.syncs.rows.borrow().len(),
            3,
            "only the racing one stored"
        );
        assert_eq!(db.audit_details("sync.create").len(), 2);
    }

    #[test]
    fn updates_are_written_only_at_the_version_read() {
        let (db, p, cfg) = (db(), FakePlatform::new(), oauth_config());
        let s = syncs(&db, &p, &cfg);
        let row = created(&s, json!({ "connectionId": "c1", "label": "prod" }));
        let patch = |v: Value| SyncPatch::parse(&v).expect("patch");
        let updated = block_on(s.update(
            &row,
            &patch(json!({ "version": 1, "keyPrefix": "new/", "label": "" })),
        ))
        .expect("updated");
        assert_eq!(updated.sync.version, 2);
        assert_eq!(updated.sync.key_prefix, "new/");
        assert_eq!(updated.sync.label, None, "an empty label removes it");
        let e = block_on(s.update(&row, &patch(json!({ "version": 1, "keyPrefix": "x/" }))))
            .expect_err("stale");
        assert_eq!((e.status, e.error.field.as_deref()), (409, Some("version")));
        assert_eq!(db.sync_row(&row.id).expect("row").key_prefix, "new/");
        db.concurrent_write.set(true);
        let e = block_on(s.update(&row, &patch(json!({ "version": 2, "keyPrefix": "x/" }))))
            .expect_err("raced");
        assert_eq!(e.status, 409);
        db.concurrent_write.set(false);
        let e = block_on(s.update(&row, &patch(json!({ "version": 3, "label": "a\u{7}b" }))))
            .expect_err("label");
        assert_eq!(e.error.field.as_deref(), Some("label"));
    }

    #[test]
    fn a_key_schema_shapes_every_key_and_is_changed_like_the_prefix() {
        let (db, p, cfg) = (
            db(),
            FakePlatform::with_store(FakeStore::with(&[("app/A", "by hand", None)])),
            oauth_config(),
        );
        let s = syncs(&db, &p, &cfg);
        let row = created(
            &s,
            json!({ "connectionId": "c1", "keySchema": "app/{{secretKey}}/v1" }),
        );
        assert_eq!(
            (row.key_prefix.as_str(), row.key_suffix.as_str()),
            ("app/", "/v1")
        );
        let preview = preview_of(
            run(&s, &row, json!({ "secrets": { "A": "1" }, "dryRun": true })).expect("preview"),
        );
        assert_eq!(preview.create, ["app/A/v1"]);
        run(&s, &row, json!({ "secrets": { "A": "1" } })).expect("ran");
        assert_eq!(store_of(&p).keys(), ["app/A", "app/A/v1"]);
        assert_eq!(store_of(&p).get("app/A").expect("kv").value, "by hand");
        let view = block_on(view(&db, &row)).expect("view");
        assert_eq!(view.key_schema, "app/{{secretKey}}/v1");

        let patch = |v: Value| SyncPatch::parse(&v).expect("patch");
        let moved = block_on(s.update(&row, &patch(json!({ "version": 1, "keyPrefix": "new/" }))))
            .expect("prefix only");
        assert_eq!(
            moved.sync.key_schema, "new/{{secretKey}}/v1",
            "the suffix stays"
        );
        let row = s.db.sync_row(&row.id).expect("row");
        let e = block_on(s.update(
            &row,
            &patch(json!({ "version": 2, "keySchema": ".appconfig.featureflag/{{secretKey}}" })),
        ))
        .expect_err("feature flags");
        assert_eq!(e.error.field.as_deref(), Some("keySchema"));
        let plain = block_on(s.update(
            &row,
            &patch(json!({ "version": 2, "keySchema": "{{secretKey}}" })),
        ))
        .expect("schema");
        assert_eq!(
            (
                plain.sync.key_prefix.as_str(),
                plain.sync.key_schema.as_str()
            ),
            ("", "{{secretKey}}")
        );

        for (body, field) in [
            (
                json!({ "connectionId": "c1", "keySchema": "app/", }),
                "keySchema",
            ),
            (
                json!({ "connectionId": "c1", "keySchema": "a/{{secretKey}}", "keyPrefix": "a/" }),
                "keySchema",
            ),
            (
                json!({ "connectionId": "c1", "keySchema": ["{{secretKey}}"] }),
                "keySchema",
            ),
            (
                json!({ "connectionId": "c1", "keySchema": "{{environment}}/{{secretKey}}" }),
                "keySchema",
            ),
        ] {
            let e = SyncRequest::parse(&body).expect_err("refused");
            assert_eq!(e.field.as_deref(), Some(field), "{body}");
        }
    }

    #[test]
    fn a_run_that_read_a_secret_the_rotation_replaced_since_writes_nothing() {
        let (db, p, cfg) = (
            db(),
            FakePlatform::with_store(FakeStore::default()),
            oauth_config(),
        );
        let key = ("rot1".to_owned(), Field::CurrentSecret.name());
        db.secrets
            .borrow_mut()
            .insert(key.clone(), "old-value".to_owned());
        let s = syncs(&db, &p, &cfg);
        let row = created(&s, json!({ "connectionId": "c1", "keyPrefix": "app/" }));
        db.written_after_read
            .borrow_mut()
            .insert(key, "new-value".to_owned());
        let secrets =
            json!({ "CLIENT_SECRET": { "kind": "rotation", "rotationId": "rot1" }, "OTHER": "x" });
        let e = run(&s, &row, json!({ "secrets": secrets })).expect_err("stopped");
        assert_eq!(e.status, 409);
        assert_eq!(e.error.field.as_deref(), Some("secrets.CLIENT_SECRET"));
        assert!(
            store_of(&p).items.is_empty(),
            "nothing written, not even OTHER"
        );
        let shown = format!("{e:?}");
        assert!(
            !shown.contains("old-value") && !shown.contains("new-value"),
            "no secret in the error"
        );
        run(&s, &row, json!({ "secrets": secrets })).expect("the next run");
        assert_eq!(
            store_of(&p).get("app/CLIENT_SECRET").expect("kv").value,
            "new-value"
        );
    }

    #[test]
    fn a_rotations_current_secret_is_synced_by_reference() {
        let (db, p, cfg) = (
            db(),
            FakePlatform::with_store(FakeStore::default()),
            oauth_config(),
        );
        db.secrets.borrow_mut().insert(
            ("rot1".to_owned(), Field::CurrentSecret.name()),
            "rotated-value".to_owned(),
        );
        let s = syncs(&db, &p, &cfg);
        let row = created(&s, json!({ "connectionId": "c1", "keyPrefix": "app/" }));
        let secrets =
            json!({ "CLIENT_SECRET": { "kind": "rotation", "rotationId": "rot1" }, "OTHER": "x" });
        let preview = preview_of(
            run(&s, &row, json!({ "secrets": secrets, "dryRun": true })).expect("preview"),
        );
        assert_eq!(preview.create, ["app/CLIENT_SECRET", "app/OTHER"]);
        run(&s, &row, json!({ "secrets": secrets })).expect("ran");
        assert_eq!(
            store_of(&p).get("app/CLIENT_SECRET").expect("kv").value,
            "rotated-value"
        );
        let audited = format!("{:?}", db.audit.borrow());
        assert!(
            !audited.contains("rotated-value"),
            "the value is never audited"
        );

        for (value, field, status) in [
            (
                json!({ "kind": "rotation", "rotationId": "nope" }),
                "secrets.K.rotationId",
                404,
            ),
            (json!({ "kind": "rotation" }), "secrets.K.rotationId", 400),
            (
                json!({ "kind": "rotation", "rotationId": 7 }),
                "secrets.K.rotationId",
                400,
            ),
            (
                json!({ "kind": "rotation", "rotationId": "rot1", "value": "v" }),
                "secrets.K.value",
                400,
            ),
        ] {
            let e = run(
                &s,
                &row,
                json!({ "secrets": { "K": value }, "dryRun": true }),
            )
            .expect_err("refused");
            assert_eq!(
                (e.status, e.error.field.as_deref()),
                (status, Some(field)),
                "{value}"
            );
        }
    }

    #[test]
    fn delete_with_remove_deletes_only_the_keys_it_owns() {
        let store = FakeStore::with(&[
            ("app/THEIRS", "x", None),
            ("app/OTHER", "y", Some("sync-2")),
        ]);
        let (db, p, cfg) = (db(), FakePlatform::with_store(store), oauth_config());
        let s = syncs(&db, &p, &cfg);
        let row = created(&s, json!({ "connectionId": "c1", "keyPrefix": "app/" }));
        run(&s, &row, json!({ "secrets": { "A": "1", "B": "2" } })).expect("ran");
        let deleted = block_on(s.delete(&row, KeysChoice::Remove)).expect("deleted");
        assert_eq!(deleted.removed, ["app/A", "app/B"]);
        assert_eq!(store_of(&p).keys(), ["app/OTHER", "app/THEIRS"]);
        assert!(db.sync_row(&row.id).is_none());
        assert!(db.runs_of(&row.id).is_empty(), "its runs go with it");
        let requests = p.requests.borrow();
        let delete = requests
            .iter()
            .rev()
            .find(|r| r.method.as_str() == "DELETE")
            .expect("delete");
        assert!(
            delete.header("if-match").is_some(),
            "conditional on the listed etag"
        );
    }

    #[test]
    fn delete_with_keep_leaves_the_store_alone() {
        let (db, p, cfg) = (
            db(),
            FakePlatform::with_store(FakeStore::default()),
            oauth_config(),
        );
        let s = syncs(&db, &p, &cfg);
        let row = created(&s, json!({ "connectionId": "c1", "keyPrefix": "app/" }));
        run(&s, &row, json!({ "secrets": { "A": "1" } })).expect("ran");
        let sent = p.requests.borrow().len();
        let deleted = block_on(s.delete(&row, KeysChoice::Keep)).expect("deleted");
        assert!(deleted.removed.is_empty());
        assert_eq!(p.requests.borrow().len(), sent);
        assert_eq!(store_of(&p).keys(), ["app/A"]);
        assert!(db.sync_row(&row.id).is_none());
        assert!(db.actions().contains(&("sync.delete".into(), "ok".into())));
    }

    #[test]
    fn a_failed_removal_keeps_the_sync() {
        let (db, p, cfg) = (
            db(),
            FakePlatform::with_store(FakeStore::default()),
            oauth_config(),
        );
        let s = syncs(&db, &p, &cfg);
        let row = created(&s, json!({ "connectionId": "c1", "keyPrefix": "app/" }));
        run(&s, &row, json!({ "secrets": { "A": "1" } })).expect("ran");
        p.answer(
            crate::fakes::Service::Store,
            HttpResponse::new(
                403,
                json!({ "type": "https://azconfig.io/errors/forbidden", "title": "Forbidden", "status": 403 }).to_string(),
            ),
        );
        block_on(s.delete(&row, KeysChoice::Remove)).expect_err("forbidden");
        assert!(db.sync_row(&row.id).is_some());
        assert_eq!(store_of(&p).keys(), ["app/A"]);
        block_on(s.delete(&row, KeysChoice::Remove)).expect("repeated");
        assert!(store_of(&p).keys().is_empty());
    }
}
