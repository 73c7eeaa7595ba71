//! `/api/v1/secret-rotations/azure-client-secret`: drives `core::rotation` over a
//! [`RotationStore`] and the platform, persisting the (encrypted) state after every transition
//! and before every request it leads to. The core decides how a run resumes or restarts and
//! which request may be resent; this module stores, sends, verifies and keeps time.

use crate::api::{
    LeftoverBody, LeftoverDeleted, LeftoverSecret, LeftoverView, RotateAtUtc, Rotated,
    RotationBody, RotationDeleted, RotationPatch, RotationRequest, RotationView, SecretBody,
    SecretsChoice, StepTaken, given,
};
use crate::api_error::{ApiError, internal, not_found};
use crate::config::Config;
use crate::connection_fields::name_and_description;
use crate::connection_store::AuditEvent;
use crate::connection_tokens;
use crate::credentials::form_errors;
use crate::names;
use crate::platform::{Platform, random};
use crate::records::{
    Connection, NewRotation, Rotation as RotationRecord, RotationLeftover, RotationSettings,
    RotationStatus, RotationTarget, Taken,
};
use crate::rotation_store::{PublishedSecret, RotationStore};
use crate::secret_field::Field;
use crate::sync_store::SyncStore;
use crate::syncs::Syncs;
use crate::token_endpoint::{AppCredential, client_credentials};
use azconn_core::error::{Code, Error};
use azconn_core::form::ConnectionType;
use azconn_core::graph::{
    AppRef, Graph, GraphError, Operation, PasswordCredential, SecretText, parse_application,
};
use azconn_core::ids::{ClientId, ClientSecret, Guid, ObjectId, TenantId};
use azconn_core::oauth::authorize::{AppConfigurationAudience, resource_scope};
use azconn_core::oauth::token::AccessToken;
use azconn_core::rotation::schedule::{self, TimeOfDay};
use azconn_core::rotation::{
    Rotation, RotationConfig, Step, VerifyOutcome, created_by, removed_or_gone,
};
use serde_json::{Value, json};

const DAY: i64 = 86_400;
/// One request waits at most this long for propagation before answering "in progress".
const WAIT_BUDGET_MS: u64 = 60_000;

/// A run writes `updated_at` at every step; one silent for this long died with its Worker and may
/// be taken over (by a caller or the cron). Longer than any single step, waits included.
pub const STALE_RUN_SECS: i64 = 600;

/// The rotations of one organization, as one caller (a user, a token or the scheduler) acts
/// on them.
pub struct Rotations<'a, S, P> {
    pub db: &'a S,
    pub p: &'a P,
    pub cfg: &'a Config,
    pub org: &'a str,
    pub actor: &'a str,
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

/// A scheduled run waits up to a day past its interval for its time of day (`rotateAtUtc`):
/// the secret must outlive that wait too, beyond the core's guard (interval plus the
/// verification budget).
fn outlives_the_wait(lifetime_days: i64, interval_days: i64) -> Result<(), ApiError> {
    if lifetime_days <= interval_days.saturating_add(1) {
        return Err(Error::field(
            "lifetimeDays",
            Code::OutOfRange,
            "the secret would expire before the next rotation replaces it: a scheduled run waits up to a day past the interval for its time of day",
        )
        .with_hint("make the lifetime more than a day longer than the interval (twice the interval keeps an overlap)")
        .into());
    }
    Ok(())
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

/// The core's rotation state as it is stored (encrypted).
fn state_of(r: &Rotation) -> Result<String, ApiError> {
    serde_json::to_string(r).map_err(|e| internal(format!("cannot serialize the rotation: {e}")))
}

fn hint_of(secret: &str) -> String {
    secret.chars().take(3).collect()
}

/// `409 conflict` on `appId`: the organization's rotation of this app is `existing`. Two
/// rotations of one app would each add secrets and prune the other's as "previous".
/// (`None`: it was deleted again in the instant since it won a concurrent create.)
fn app_taken(app: &str, existing: Option<&RotationRecord>) -> ApiError {
    let by = existing.map_or_else(
        || "another rotation".to_owned(),
        |r| format!("rotation {}", r.id),
    );
    ApiError::new(
        409,
        Error::field(
            "appId",
            Code::Conflict,
            format!("{by} already rotates the secrets of app {app}"),
        )
        .with_hint("an app has one rotation: change that one (PATCH), or delete it first"),
    )
}

/// When the Cron Trigger runs the rotation next (the core's schedule); never while auto
/// rotation is off.
fn next_run(
    auto: bool,
    last_success: Option<i64>,
    now: i64,
    interval_days: i64,
    at: TimeOfDay,
) -> Option<i64> {
    auto.then(|| schedule::first_or_next(last_success, now, interval_days.saturating_mul(DAY), at))
}

/// The app a leftover's secrets are on (its object id, recorded when the rotation was made).
fn leftover_app(l: &RotationLeftover) -> Result<AppRef, ApiError> {
    let target = l
        .target
        .as_ref()
        .ok_or_else(|| internal(format!("leftover {} has no target", l.id)))?;
    ObjectId::parse(&target.object_id)
        .map(AppRef::ObjectId)
        .map_err(|e| internal(format!("leftover {} target: {}", l.id, e.message)))
}

fn graph_failure(resp: &azconn_core::http::HttpResponse, op: Operation) -> ApiError {
    GraphError::parse(resp).to_error(op).into()
}

/// Cron: every rotation whose next run is due.
pub async fn run_due<S: RotationStore + SyncStore, P: Platform>(
    db: &S,
    p: &P,
    cfg: &Config,
) -> Result<u32, ApiError> {
    let due = db.due_rotations(p.now(), STALE_RUN_SECS).await?;
    let mut ran = 0;
    for row in due {
        let rotations = Rotations {
            db,
            p,
            cfg,
            org: &row.org_id,
            actor: "scheduler",
        };
        // A failure is recorded on the rotation and in the audit log; the next one still runs.
        let _ = rotations.rotate(&row).await;
        ran += 1;
    }
    Ok(ran)
}

impl<S: RotationStore + SyncStore, P: Platform> Rotations<'_, S, P> {
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

    async fn view(&self, id: &str) -> Result<Option<RotationView>, ApiError> {
        Ok(self
            .db
            .rotation(self.org, id)
            .await?
            .as_ref()
            .map(RotationView::from))
    }

    async fn connection(&self, id: &str) -> Result<Connection, ApiError> {
        self.db
            .connection(self.org, ConnectionType::AzureClientSecrets, id)
            .await?
            .ok_or_else(|| not_found("connection"))
    }

    async fn token(&self, conn: &Connection) -> Result<AccessToken, ApiError> {
        Ok(
            connection_tokens::token(self.db, self.p, self.cfg, conn, None)
                .await?
                .0,
        )
    }

    async fn state(&self, id: &str) -> Result<Rotation, ApiError> {
        let state = self
            .db
            .secret(self.org, id, Field::RotationState)
            .await?
            .ok_or_else(|| not_found("rotation state"))?;
        serde_json::from_str(&state).map_err(|e| internal(format!("stored rotation state: {e}")))
    }

    async fn persist(
        &self,
        id: &str,
        r: &Rotation,
        status: RotationStatus,
    ) -> Result<(), ApiError> {
        self.db
            .persist_rotation(self.org, id, &state_of(r)?, status, self.p.now())
            .await
    }

    /// `409 conflict` on `name` when another rotation of the organization has it.
    async fn refuse_taken_name(&self, name: &str, id: &str) -> Result<(), ApiError> {
        match self.db.rotation_named(self.org, name).await? {
            Some(other) if other.id != id => Err(names::taken("rotation", name)),
            _ => Ok(()),
        }
    }

    /// The name a create without one gets: the app's, made distinct by the id if taken.
    async fn derived_name(&self, from: &str, id: &str) -> Result<names::Naming, ApiError> {
        let base = names::derived(from, "rotation")?;
        let taken = self
            .db
            .rotation_named(self.org, base.as_str())
            .await?
            .is_some();
        Ok(names::Naming::derived(base, taken, id))
    }

    /// `POST {name?, description?, connectionId, appId | objectId, lifetimeDays?, intervalDays?,
    /// keepPrevious?, isAutoRotationEnabled?, rotateAtUtc?}`.
    pub async fn create(&self, body: &RotationRequest) -> Result<RotationBody, ApiError> {
        let conn_id = given(&body.connection_id).ok_or_else(|| {
            ApiError::from(Error::field(
                "connectionId",
                Code::Required,
                "give the Client Secrets connection to rotate with",
            ))
        })?;
        let conn = self.connection(conn_id).await?;
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
        let id = Guid::from_random(random::<16>(self.p)?).to_string();
        let mut config = RotationConfig {
            // The schedule's id groups its secrets (what `keepPrevious` counts and prunes);
            // each run gets its own id (see `rotate`).
            connection_id: id.clone(),
            rotation_id: Guid::from_random(random::<16>(self.p)?),
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
        outlives_the_wait(lifetime_days, interval_days)?;
        let (name, description) =
            names::checked(body.name.as_deref(), body.description.as_deref())?;
        if let Some(name) = &name {
            self.refuse_taken_name(name.as_str(), &id).await?;
        }
        // The target's client id is needed to verify the new secret: resolve an object id once.
        let token = self.token(&conn).await?;
        let graph = Graph::new(self.cfg.cloud.endpoints());
        let resp = self
            .p
            .execute(&graph.get_application(&token, &app, &["displayName".to_owned()])?)
            .await?;
        if !resp.is_success() {
            return Err(graph_failure(&resp, Operation::ReadApplications));
        }
        let application = parse_application(&resp)?;
        let app_id = application.app_id.to_string();
        // By client id, so an object id naming an app already rotated is caught too.
        if let Some(existing) = self.db.rotation_for_app(self.org, &app_id).await? {
            return Err(app_taken(&app_id, Some(&existing)));
        }
        config.app = AppRef::ObjectId(application.id);
        let rotation = Rotation::start(config).map_err(days_field)?;
        let mut naming = match name {
            Some(name) => names::Naming::given(name),
            None => {
                let from = application.display_name.as_deref().unwrap_or(&app_id);
                self.derived_name(from, &id).await?
            }
        };
        let target = RotationTarget {
            app_id,
            object_id: application.id.to_string(),
            display_name: application.display_name,
        };
        let auto_rotation = body.is_auto_rotation_enabled.unwrap_or(true);
        let rotate_at = body.rotate_at_utc.unwrap_or(TimeOfDay::MIDNIGHT);
        let now = self.p.now();
        let next_rotation_at = next_run(auto_rotation, None, now, interval_days, rotate_at);
        let state = state_of(&rotation)?;
        // One batch (the row and its state): a refused insert writes nothing, so it can be
        // repeated under another name.
        let inserted = loop {
            let inserted = self
                .db
                .insert_rotation(
                    &NewRotation {
                        id: &id,
                        org_id: self.org,
                        name: naming.name().as_str(),
                        description: description.as_deref(),
                        connection_id: &conn.id,
                        target: &target,
                        lifetime_days,
                        interval_days,
                        keep,
                        auto_rotation,
                        rotate_at,
                        next_rotation_at,
                        now,
                    },
                    &state,
                )
                .await?;
            match inserted {
                Err(Taken::Name) if naming.next_after_taken() => {}
                inserted => break inserted,
            }
        };
        let name = naming.name();
        // A concurrent create won an index between the checks and the insert. SQLite names only
        // the first index it trips: a rotation of the same app is the conflict to report.
        if let Err(taken) = inserted {
            let existing = self.db.rotation_for_app(self.org, &target.app_id).await?;
            return Err(match (taken, existing) {
                (Taken::Name, None) => names::taken("rotation", name.as_str()),
                (_, existing) => app_taken(&target.app_id, existing.as_ref()),
            });
        }
        self.audit(
            "rotation.create",
            &id,
            "ok",
            json!({ "name": name, "connectionId": conn.id, "target": target, "isAutoRotationEnabled": auto_rotation, "rotateAtUtc": RotateAtUtc::from(rotate_at) }),
        )
        .await?;
        let rotation = self.view(&id).await?.ok_or_else(|| not_found("rotation"))?;
        Ok(RotationBody { rotation })
    }

    /// Runs the rotation until it is done, failed, or waiting longer than one request may.
    /// Returns the new secret value once, to this caller only, and the steps taken
    /// (`steps: [{step, at (unix ms), ok}]`); while it runs, `GET .../{id}` shows the current
    /// step.
    pub async fn rotate(&self, row: &RotationRecord) -> Result<Rotated, ApiError> {
        self.claim(&row.id).await?;
        // The settings as of the claim: no change is written while the run holds it.
        let row = &self
            .db
            .rotation(self.org, &row.id)
            .await?
            .ok_or_else(|| not_found("rotation"))?;
        self.db.attempt_rotation(&row.id, self.p.now()).await?;
        let mut steps = Vec::new();
        let result = self.run_steps(row, &mut steps).await;
        self.db.rotation_step(&row.id, None).await?;
        if let Err(e) = &result {
            self.release(&row.id, &e.error).await?;
        }
        let mut rotated = result?;
        rotated.steps = steps;
        Ok(rotated)
    }

    /// One run at a time: two concurrent runs would each add a secret. The claim is a
    /// compare-and-set on the status, so of two callers (or a caller and the cron) one wins and
    /// the other is told, with nothing sent to Graph.
    async fn claim(&self, id: &str) -> Result<(), ApiError> {
        if !self
            .db
            .claim_rotation(id, self.p.now(), STALE_RUN_SECS)
            .await?
        {
            return Err(ApiError::new(
                409,
                Error::new(Code::Conflict, "this rotation is already running").with_hint(
                    "wait for the run to finish: GET the rotation shows the step it is on",
                ),
            ));
        }
        Ok(())
    }

    /// A run that stopped before recording why (e.g. no token for the connection) must not
    /// stay `running`: it becomes `interrupted` with the error, and the next run resumes.
    async fn release(&self, id: &str, e: &Error) -> Result<(), ApiError> {
        if self.db.rotation_running(id).await? {
            self.fail(id, e, RotationStatus::Interrupted).await?;
        }
        Ok(())
    }

    async fn fail(&self, id: &str, e: &Error, status: RotationStatus) -> Result<(), ApiError> {
        self.db.fail_rotation(id, status, e, self.p.now()).await?;
        self.audit("rotation.failed", id, "failed", json!({ "error": e }))
            .await
    }

    async fn run_steps(
        &self,
        row: &RotationRecord,
        steps: &mut Vec<StepTaken>,
    ) -> Result<Rotated, ApiError> {
        let id = row.id.as_str();
        let conn = self.connection(&row.connection_id).await?;
        let rotation = self.state(id).await?;
        let mut rotation = rotation.resume_or_restart(Guid::from_random(random::<16>(self.p)?))?;
        let target_app = ClientId::parse(row.target.as_ref().map_or("", |t| t.app_id.as_str()))?;
        let tenant = TenantId::parse(&conn.tenant_id)?;
        let graph = Graph::new(self.cfg.cloud.endpoints());
        let token = self.token(&conn).await?;
        let started = self.p.now_ms();
        let mut published: Option<(String, SecretText, Option<i64>)> = None;
        // Bounded: every rotation finishes in a few dozen steps.
        for _ in 0..200 {
            let step = rotation.next(&graph, &token, self.p.now());
            self.persist(id, &rotation, RotationStatus::Running).await?;
            let name = step.name();
            self.db.rotation_step(id, Some(name)).await?;
            let at = self.p.now_ms();
            match step {
                Step::Send { purpose, request } => {
                    let outcome = if purpose.may_resend() {
                        self.p.execute(&request).await
                    } else {
                        self.p.execute_at_most_once(&request).await
                    };
                    let resp = match outcome {
                        Ok(r) => r,
                        Err(e) => {
                            self.fail(id, &e, RotationStatus::Interrupted).await?;
                            return Err(e.into());
                        }
                    };
                    let result = rotation.on_response(&resp, self.p.now());
                    steps.push(StepTaken {
                        step: name,
                        at,
                        ok: result.is_ok(),
                        ms: None,
                    });
                    self.audit(
                        "rotation.graph",
                        id,
                        if result.is_ok() { "ok" } else { "failed" },
                        json!({ "purpose": purpose, "status": resp.status, "error": result.as_ref().err() }),
                    )
                    .await?;
                    if let Err(e) = result {
                        // Stop here; the persisted phase is where the next run resumes.
                        self.persist(id, &rotation, RotationStatus::Interrupted)
                            .await?;
                        self.fail(id, &e, RotationStatus::Interrupted).await?;
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
                            self.p,
                            &self.cfg.cloud,
                            &tenant,
                            &target_app,
                            &AppCredential::Secret(cs),
                            resource_scope(
                                ConnectionType::AzureClientSecrets,
                                &self.cfg.cloud,
                                AppConfigurationAudience::Cloud,
                            )?,
                        )
                        .await
                        {
                            Ok(_) => VerifyOutcome::Ok,
                            Err(e) => match VerifyOutcome::of_token_error(&e) {
                                Some(outcome) => outcome,
                                // Inconclusive: stop resumable, still verifying.
                                None => {
                                    self.fail(id, &e, RotationStatus::Interrupted).await?;
                                    return Err(e.into());
                                }
                            },
                        },
                    };
                    let _ = rotation.on_verified(&outcome, self.p.now());
                    let ok = outcome == VerifyOutcome::Ok;
                    steps.push(StepTaken {
                        step: name,
                        at,
                        ok,
                        ms: None,
                    });
                    self.audit(
                        "rotation.verify",
                        id,
                        if ok { "ok" } else { "failed" },
                        json!({ "keyId": key_id, "outcome": outcome }),
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
                    if self.p.now_ms().saturating_sub(started).saturating_add(ms) > WAIT_BUDGET_MS {
                        self.persist(id, &rotation, RotationStatus::Waiting).await?;
                        return Ok(Rotated {
                            rotation: self.view(id).await?,
                            secret: None,
                            removed: None,
                            steps: Vec::new(),
                        });
                    }
                    self.p.pause(ms).await;
                }
                Step::Publish {
                    key_id,
                    secret,
                    ends_at,
                } => {
                    let key = key_id.to_string();
                    self.db
                        .publish_secret(
                            self.org,
                            id,
                            &PublishedSecret {
                                key_id: &key,
                                hint: &hint_of(secret.expose()),
                                value: secret.expose(),
                                ends_at,
                            },
                            self.p.now(),
                        )
                        .await?;
                    steps.push(StepTaken {
                        step: name,
                        at,
                        ok: true,
                        ms: None,
                    });
                    if let Err(e) = self.publish_to_syncs(id, secret.expose(), steps).await {
                        // The phase stays `Publishing`: the old secrets stay, the next run
                        // publishes again.
                        self.persist(id, &rotation, RotationStatus::Interrupted)
                            .await?;
                        self.fail(id, &e.error, RotationStatus::Interrupted).await?;
                        return Err(e);
                    }
                    rotation.on_published()?;
                    published = Some((key, secret, ends_at));
                }
                Step::Done {
                    new_key_id,
                    removed,
                } => {
                    let now = self.p.now();
                    let next = next_run(
                        row.auto_rotation,
                        Some(now),
                        now,
                        row.interval_days,
                        row.rotate_at(),
                    );
                    self.persist(id, &rotation, RotationStatus::Active).await?;
                    self.db.schedule_rotation(id, next, now).await?;
                    self.audit(
                        "rotation.done",
                        id,
                        "ok",
                        json!({ "newKeyId": new_key_id, "removed": removed }),
                    )
                    .await?;
                    return Ok(Rotated {
                        rotation: self.view(id).await?,
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
                    self.fail(id, &error, RotationStatus::Failed).await?;
                    self.persist(id, &rotation, RotationStatus::Failed).await?;
                    return Err(error.into());
                }
            }
        }
        Err(internal("the rotation did not settle"))
    }

    /// The new secret goes to every sync key bound to the rotation (a run's `{kind:
    /// "rotation"}` value) before any old secret is removed, each a step and a `sync.run`
    /// audit entry of that sync naming the rotation (keys, never the value). The first sync
    /// that cannot take it stops the publication: the caller keeps the rotation in
    /// `Publishing`, so no consumer of that store is left with a revoked secret, and the next
    /// run publishes again (to every sync: a put of a value already in place writes nothing).
    async fn publish_to_syncs(
        &self,
        id: &str,
        secret: &str,
        steps: &mut Vec<StepTaken>,
    ) -> Result<(), ApiError> {
        let syncs = Syncs {
            db: self.db,
            p: self.p,
            cfg: self.cfg,
            org: self.org,
            actor: self.actor,
        };
        for (sync, names) in self.db.bound_to_rotation(self.org, id).await? {
            let at = self.p.now_ms();
            let result = syncs.publish(&sync, &names, secret).await;
            steps.push(StepTaken {
                step: "publish-sync",
                at,
                ok: result.is_ok(),
                ms: None,
            });
            // A write to the sync's store, on the sync's trail, naming the rotation.
            self.audit(
                "sync.run",
                &sync.id,
                if result.is_ok() { "ok" } else { "failed" },
                json!({ "rotationId": id, "published": names, "written": result.as_ref().ok(), "error": result.as_ref().err().map(|e| &e.error) }),
            )
            .await?;
            result?;
        }
        Ok(())
    }

    /// The current secret for the platform to fetch (audited).
    pub async fn current_secret(&self, row: &RotationRecord) -> Result<SecretBody, ApiError> {
        let (value, expires_at) = self
            .db
            .current_secret(self.org, &row.id)
            .await?
            .ok_or_else(|| not_found("rotated secret"))?;
        self.audit(
            "rotation.secret.read",
            &row.id,
            "ok",
            json!({ "keyId": row.current_key_id }),
        )
        .await?;
        Ok(SecretBody {
            key_id: row.current_key_id.clone(),
            value,
            expires_at,
        })
    }

    /// `DELETE .../{id}?secrets=revoke|keep`. The run claim is taken first, so a rotation never
    /// disappears in the middle of a run (409 as for a second run). With `revoke`, every
    /// secret this rotation created on the target app (by its display name, all runs) is
    /// removed through Graph before the rotation is deleted; another secret of the app is never
    /// touched. A failed revocation releases the claim and keeps the rotation, so the delete
    /// can be repeated.
    pub async fn delete(
        &self,
        row: &RotationRecord,
        secrets: SecretsChoice,
    ) -> Result<RotationDeleted, ApiError> {
        self.claim(&row.id).await?;
        let revoked = match secrets {
            SecretsChoice::Keep => Ok(Vec::new()),
            SecretsChoice::Revoke => self.revoke(row).await,
        };
        let revoked = match revoked {
            Ok(r) => r,
            Err(e) => {
                self.fail(&row.id, &e.error, RotationStatus::Interrupted)
                    .await?;
                return Err(e);
            }
        };
        let left_at = (secrets == SecretsChoice::Keep).then(|| self.p.now());
        self.db.delete_rotation(self.org, &row.id, left_at).await?;
        self.audit(
            "rotation.delete",
            &row.id,
            "ok",
            json!({ "secrets": secrets, "revoked": revoked }),
        )
        .await?;
        Ok(RotationDeleted {
            rotation: RotationView::from(row),
            secrets,
            revoked,
        })
    }

    /// Removes the secrets the rotation created from its target app; their key ids.
    async fn revoke(&self, row: &RotationRecord) -> Result<Vec<String>, ApiError> {
        let config = self.state(&row.id).await?.config;
        self.revoke_created(&row.connection_id, &config.app, &config.connection_id)
            .await
    }

    /// The secrets on `app` that the runs of the schedule `schedule_id` created, read through
    /// the connection now.
    async fn created_on(
        &self,
        connection_id: &str,
        app: &AppRef,
        schedule_id: &str,
    ) -> Result<(AccessToken, Vec<PasswordCredential>), ApiError> {
        let conn = self.connection(connection_id).await?;
        let token = self.token(&conn).await?;
        let graph = Graph::new(self.cfg.cloud.endpoints());
        let resp = self.p.execute(&graph.get_credentials(&token, app)).await?;
        if !resp.is_success() {
            return Err(graph_failure(&resp, Operation::ReadApplications));
        }
        let creds = parse_application(&resp)?
            .password_credentials
            .unwrap_or_default();
        let ours = created_by(schedule_id, &creds);
        let creds = creds
            .into_iter()
            .filter(|c| ours.contains(&c.key_id))
            .collect();
        Ok((token, creds))
    }

    /// Removes what [`Self::created_on`] finds; their key ids.
    async fn revoke_created(
        &self,
        connection_id: &str,
        app: &AppRef,
        schedule_id: &str,
    ) -> Result<Vec<String>, ApiError> {
        let (token, creds) = self.created_on(connection_id, app, schedule_id).await?;
        let graph = Graph::new(self.cfg.cloud.endpoints());
        let mut revoked = Vec::new();
        for key_id in creds.iter().map(|c| c.key_id) {
            let resp = self
                .p
                .execute(&graph.remove_password(&token, app, &key_id))
                .await?;
            if removed_or_gone(&resp).is_err() {
                // A removal resent after a lost answer finds nothing to remove, and Graph says
                // so with a 400: re-read the app, as a rotation run does, before failing.
                let again = self.p.execute(&graph.get_credentials(&token, app)).await?;
                if !again.is_success() {
                    return Err(graph_failure(&again, Operation::ReadApplications));
                }
                let present = parse_application(&again)?
                    .password_credentials
                    .unwrap_or_default()
                    .iter()
                    .any(|c| c.key_id == key_id);
                if present {
                    return Err(graph_failure(&resp, Operation::WriteCredentials));
                }
            }
            revoked.push(key_id.to_string());
        }
        Ok(revoked)
    }

    /// `GET .../leftover-secrets/{id}`: the secrets a rotation deleted with `secrets=keep` left
    /// on its app that are still there.
    pub async fn leftover(&self, l: &RotationLeftover) -> Result<LeftoverBody, ApiError> {
        let app = leftover_app(l)?;
        let (_, creds) = self.created_on(&l.connection_id, &app, &l.id).await?;
        Ok(LeftoverBody {
            leftover: LeftoverView::from(l),
            secrets: creds
                .into_iter()
                .map(|c| LeftoverSecret {
                    key_id: c.key_id.to_string(),
                    hint: c.hint,
                    expires_at: c.ends_at,
                })
                .collect(),
        })
    }

    /// `DELETE .../leftover-secrets/{id}?secrets=revoke|keep`: with `revoke`, the secrets still
    /// on the app are removed first (a failure keeps the leftover, so the delete can be
    /// repeated); either way the leftover is then forgotten.
    pub async fn delete_leftover(
        &self,
        l: &RotationLeftover,
        secrets: SecretsChoice,
    ) -> Result<LeftoverDeleted, ApiError> {
        let revoked = match secrets {
            SecretsChoice::Keep => Vec::new(),
            SecretsChoice::Revoke => {
                let app = leftover_app(l)?;
                self.revoke_created(&l.connection_id, &app, &l.id).await?
            }
        };
        if !self.db.delete_rotation_leftover(self.org, &l.id).await? {
            return Err(not_found("leftover"));
        }
        self.audit(
            "rotation.leftover.delete",
            &l.id,
            "ok",
            json!({ "secrets": secrets, "revoked": revoked }),
        )
        .await?;
        Ok(LeftoverDeleted {
            leftover: LeftoverView::from(l),
            secrets,
            revoked,
        })
    }

    /// `PATCH .../{id} {version, name?, description?, lifetimeDays?, intervalDays?,
    /// keepPrevious?, isAutoRotationEnabled?, rotateAtUtc?}`: the same guards as on create (a
    /// taken name is 409 on `name`), then the settings, the next run and the core's state are
    /// written together only at `version`, while no run is in progress and no run has
    /// succeeded since the read (409 otherwise, nothing written). A change of interval, time
    /// of day or auto rotation recomputes the next run from the last success (or the
    /// creation); any other change leaves it.
    pub async fn update(
        &self,
        row: &RotationRecord,
        body: &RotationPatch,
    ) -> Result<RotationBody, ApiError> {
        let lifetime_days = body.lifetime_days.unwrap_or(row.lifetime_days);
        let interval_days = body.interval_days.unwrap_or(row.interval_days);
        let keep = body.keep_previous.unwrap_or(row.keep);
        keep_in_range(keep)?;
        let auto_rotation = body.is_auto_rotation_enabled.unwrap_or(row.auto_rotation);
        let rotate_at = body.rotate_at_utc.unwrap_or_else(|| row.rotate_at());
        let rescheduled = body.interval_days.is_some()
            || body.is_auto_rotation_enabled.is_some()
            || body.rotate_at_utc.is_some();
        let next_rotation_at = if rescheduled {
            next_run(
                auto_rotation,
                row.last_success_at,
                self.p.now(),
                interval_days,
                rotate_at,
            )
        } else {
            row.next_rotation_at
        };
        let (name, description) = name_and_description(
            body.name.as_deref().unwrap_or(&row.name),
            body.description.as_deref().or(row.description.as_deref()),
        )
        .map_err(form_errors)?;
        self.refuse_taken_name(name.as_str(), &row.id).await?;
        let mut rotation = self.state(&row.id).await?;
        rotation.config.lifetime_secs = lifetime_days.saturating_mul(DAY);
        rotation.config.rotation_interval_secs = Some(interval_days.saturating_mul(DAY));
        rotation.config.keep_previous = u32::try_from(keep).unwrap_or(1);
        Rotation::start(rotation.config.clone()).map_err(days_field)?;
        outlives_the_wait(lifetime_days, interval_days)?;
        let written = self
            .db
            .update_rotation(
                self.org,
                &row.id,
                &state_of(&rotation)?,
                &RotationSettings {
                    name: name.as_str().to_owned(),
                    description: description.clone(),
                    lifetime_days,
                    interval_days,
                    keep,
                    auto_rotation,
                    rotate_at,
                    next_rotation_at,
                    last_success_at: row.last_success_at,
                    version: body.version,
                    now: self.p.now(),
                },
            )
            .await?
            .map_err(|_| names::taken("rotation", name.as_str()))?;
        if !written {
            return Err(ApiError::from(
                Error::field(
                    "version",
                    Code::Conflict,
                    format!(
                        "the rotation changed since version {} (a setting or a run) or is running: nothing was written",
                        body.version
                    ),
                )
                .with_hint("GET the rotation, then repeat the change with its current version once no run is in progress"),
            ));
        }
        self.audit(
            "rotation.update",
            &row.id,
            "ok",
            json!({ "name": name, "description": description, "lifetimeDays": lifetime_days, "intervalDays": interval_days, "keepPrevious": keep, "isAutoRotationEnabled": auto_rotation, "rotateAtUtc": RotateAtUtc::from(rotate_at), "nextRotationAt": next_rotation_at }),
        )
        .await?;
        let rotation = self
            .view(&row.id)
            .await?
            .ok_or_else(|| not_found("rotation"))?;
        Ok(RotationBody { rotation })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connection_store::ConnectionStore;
    use crate::fakes::{
        APP, FakeApp, FakePlatform, MemoryStore, NOW, SECRET, Service, TARGET_APP, TARGET_OBJECT,
        TENANT, block_on, oauth_config,
    };
    use crate::records::NewConnection;
    use azconn_core::form::Method;
    use azconn_core::http::HttpResponse;

    const ORIGINAL: &str = "11111111-1111-4111-8111-111111111111";
    /// Midnight UTC of the fakes' day: `NOW` is 08:00.
    const NOW_DAY: i64 = NOW - 8 * 3_600;
    const CI: &str = "22222222-2222-4222-8222-222222222222";

    /// A store with the Client Secrets connection `c1`.
    fn store() -> MemoryStore {
        let db = MemoryStore::default();
        block_on(db.insert(
            &NewConnection {
                id: "c1",
                org_id: "org1",
                ty: ConnectionType::AzureClientSecrets,
                method: Method::ClientSecret,
                name: "graph",
                description: None,
                tenant_id: TENANT,
                client_id: Some(APP),
                cloud: "global",
                endpoint: None,
                credential_info: &json!({}),
                created_by: None,
                now: NOW,
            },
            &[(Field::ClientSecret, SECRET.to_owned())],
        ))
        .expect("connection");
        db
    }

    /// The target app with its original secret and one a pipeline uses.
    fn app() -> FakePlatform {
        FakePlatform::with_app(FakeApp::with(&[
            (ORIGINAL, "original", 300),
            (CI, "CI pipeline", 10),
        ]))
    }

    fn request(body: Value) -> RotationRequest {
        RotationRequest::parse(&body).expect("request")
    }

    fn created(db: &MemoryStore, p: &FakePlatform, cfg: &Config) -> RotationRecord {
        let r = Rotations {
            db,
            p,
            cfg,
            org: "org1",
            actor: "u1",
        };
        let body = block_on(r.create(&request(
            json!({ "connectionId": "c1", "appId": TARGET_APP }),
        )))
        .expect("created");
        db.rotation_row(&body.rotation.id).expect("row")
    }

    fn row(db: &MemoryStore, id: &str) -> RotationRecord {
        db.rotation_row(id).expect("row")
    }

    fn key_ids(p: &FakePlatform) -> Vec<String> {
        let mut ids = p.app.borrow().as_ref().expect("app").key_ids();
        ids.sort();
        ids
    }

    fn step_names(r: &Rotated) -> Vec<&str> {
        r.steps.iter().map(|s| s.step).collect()
    }

    /// Entra's answer for a secret it does not accept (yet), with its AADSTS code.
    fn rejected(code: u32) -> HttpResponse {
        HttpResponse::new(
            401,
            json!({ "error": "invalid_client", "error_description": format!("AADSTS{code}: Invalid client secret provided."), "error_codes": [code] })
                .to_string(),
        )
    }

    #[test]
    fn create_resolves_the_app_once_and_stores_a_pending_rotation() {
        let (db, p, cfg) = (store(), app(), oauth_config());
        let r = created(&db, &p, &cfg);
        assert_eq!(
            p.graph_calls(),
            [format!("GET /applications(appId='{TARGET_APP}')")]
        );
        assert_eq!(r.status, RotationStatus::Pending);
        assert_eq!(
            r.target,
            Some(RotationTarget {
                app_id: TARGET_APP.into(),
                object_id: TARGET_OBJECT.into(),
                display_name: Some("payroll".into()),
            })
        );
        assert_eq!((r.lifetime_days, r.interval_days, r.keep), (90, 30, 1));
        let state: Rotation =
            serde_json::from_str(&db.secret_of(&r.id, Field::RotationState).expect("state"))
                .expect("state");
        assert_eq!(
            state.config.app,
            AppRef::ObjectId(ObjectId::parse(TARGET_OBJECT).expect("id")),
            "the object id is resolved once"
        );
        assert_eq!(state.config.connection_id, r.id);
        assert_eq!(db.actions(), [("rotation.create".into(), "ok".into())]);
    }

    #[test]
    fn a_second_rotation_of_one_app_is_a_conflict_naming_the_first() {
        let (db, p, cfg) = (store(), app(), oauth_config());
        let first = created(&db, &p, &cfg);
        let r = Rotations {
            db: &db,
            p: &p,
            cfg: &cfg,
            org: "org1",
            actor: "u1",
        };
        let keys_before = key_ids(&p);
        // By client id, and by the object id that resolves to the same app.
        for body in [
            json!({ "connectionId": "c1", "appId": TARGET_APP }),
            json!({ "connectionId": "c1", "objectId": TARGET_OBJECT }),
        ] {
            let e = block_on(r.create(&request(body))).expect_err("conflict");
            assert_eq!(e.status, 409);
            assert_eq!(e.error.code, Code::Conflict);
            assert_eq!(e.error.field.as_deref(), Some("appId"));
            assert_eq!(
                e.error.message,
                format!(
                    "rotation {} already rotates the secrets of app {TARGET_APP}",
                    first.id
                )
            );
        }
        assert_eq!(db.rotations.rows.borrow().len(), 1, "nothing stored");
        assert_eq!(key_ids(&p), keys_before, "nothing written to Graph");
        assert!(
            p.graph_calls().iter().all(|c| c.starts_with("GET ")),
            "only reads: {:?}",
            p.graph_calls()
        );
        // Deleting the first frees the app.
        block_on(r.delete(&first, SecretsChoice::Keep)).expect("deleted");
        created(&db, &p, &cfg);
    }

    #[test]
    fn the_store_refuses_a_second_rotation_of_one_app_under_concurrency() {
        let (db, p, cfg) = (store(), app(), oauth_config());
        let first = created(&db, &p, &cfg);
        let target = first.target.clone().expect("target");
        let second = NewRotation {
            id: "r2",
            org_id: "org1",
            name: "other",
            description: None,
            connection_id: "c1",
            target: &target,
            lifetime_days: 90,
            interval_days: 30,
            keep: 1,
            auto_rotation: true,
            rotate_at: TimeOfDay::MIDNIGHT,
            next_rotation_at: None,
            now: NOW,
        };
        assert_eq!(
            block_on(db.insert_rotation(&second, "{}")).expect("answered"),
            Err(Taken::TargetApp)
        );
        assert_eq!(db.rotation_row("r2"), None);
        // Another organization may rotate the same app.
        let other = NewRotation {
            org_id: "org2",
            ..second
        };
        assert_eq!(
            block_on(db.insert_rotation(&other, "{}")).expect("answered"),
            Ok(())
        );
    }

    #[test]
    fn create_rejects_bad_input_by_field_before_any_graph_call() {
        let (db, p, cfg) = (store(), app(), oauth_config());
        let r = Rotations {
            db: &db,
            p: &p,
            cfg: &cfg,
            org: "org1",
            actor: "u1",
        };
        for (body, field, status) in [
            (json!({ "appId": TARGET_APP }), "connectionId", 400),
            (json!({ "connectionId": "c1" }), "appId", 400),
            (
                json!({ "connectionId": "c1", "appId": TARGET_APP, "objectId": TARGET_OBJECT }),
                "appId",
                400,
            ),
            (
                json!({ "connectionId": "c1", "appId": "not-a-guid" }),
                "appId",
                400,
            ),
            (
                json!({ "connectionId": "c1", "objectId": "x" }),
                "objectId",
                400,
            ),
            (
                json!({ "connectionId": "c1", "appId": TARGET_APP, "keepPrevious": 11 }),
                "keepPrevious",
                400,
            ),
            (
                json!({ "connectionId": "c1", "appId": TARGET_APP, "lifetimeDays": 0 }),
                "lifetimeDays",
                400,
            ),
            (
                json!({ "connectionId": "c1", "appId": TARGET_APP, "lifetimeDays": 20 }),
                "lifetimeDays",
                400,
            ),
            (
                json!({ "connectionId": "c1", "appId": TARGET_APP, "intervalDays": 0 }),
                "intervalDays",
                400,
            ),
            (
                json!({ "connectionId": "c1", "appId": TARGET_APP, "lifetimeDays": 1000 }),
                "lifetimeDays",
                422,
            ),
        ] {
            let e = block_on(r.create(&request(body.clone()))).expect_err("rejected");
            assert_eq!(e.error.field.as_deref(), Some(field), "{body}");
            assert_eq!(e.status, status, "{body}");
        }
        let e = block_on(r.create(&request(
            json!({ "connectionId": "nope", "appId": TARGET_APP }),
        )))
        .expect_err("unknown");
        assert_eq!(e.status, 404);
        assert!(p.requests.borrow().is_empty(), "nothing was sent");
        assert!(db.rotations.rows.borrow().is_empty());
    }

    #[test]
    fn an_app_graph_does_not_know_is_its_error_and_nothing_is_stored() {
        let (db, p, cfg) = (store(), app(), oauth_config());
        let r = Rotations {
            db: &db,
            p: &p,
            cfg: &cfg,
            org: "org1",
            actor: "u1",
        };
        let e = block_on(r.create(&request(json!({ "connectionId": "c1",
            "objectId": "99999999-9999-4999-8999-999999999999" }))))
        .expect_err("unknown app");
        assert_eq!(e.error.code, Code::NotFound);
        assert!(db.rotations.rows.borrow().is_empty());
    }

    #[test]
    fn a_run_adds_verifies_publishes_and_returns_the_secret_once() {
        let (db, p, cfg) = (store(), app(), oauth_config());
        let rot = created(&db, &p, &cfg);
        let r = Rotations {
            db: &db,
            p: &p,
            cfg: &cfg,
            org: "org1",
            actor: "u1",
        };
        let before = p.requests.borrow().len();
        let done = block_on(r.rotate(&rot)).expect("rotated");
        assert_eq!(step_names(&done), ["inspect", "add", "verify", "publish"]);
        assert!(done.steps.iter().all(|s| s.ok));
        let new = FakeApp::added_key(1);
        let secret = done.secret.expect("secret");
        assert_eq!(secret.value, "rotated-secret-1");
        assert_eq!(secret.key_id.as_deref(), Some(new.as_str()));
        assert_eq!(secret.expires_at, Some(NOW + 90 * DAY));
        assert_eq!(done.removed, Some(vec![]));
        // The graph calls of the run, and the verification with the new secret for the app.
        let requests = p.requests.borrow();
        let verify = &requests[before + 2];
        assert!(verify.url.contains(&format!("/{TENANT}/oauth2/v2.0/token")));
        assert!(verify.body.contains(&format!("client_id={TARGET_APP}")));
        assert!(verify.body.contains("client_secret=rotated-secret-1"));
        drop(requests);
        assert_eq!(
            p.graph_calls()[1..],
            [
                format!("GET /applications/{TARGET_OBJECT}"),
                format!("POST /applications/{TARGET_OBJECT}/addPassword"),
            ]
        );
        let stored = row(&db, &rot.id);
        assert_eq!(stored.status, RotationStatus::Active);
        assert_eq!(stored.current_key_id.as_deref(), Some(new.as_str()));
        assert_eq!(stored.current_hint.as_deref(), Some("rot"));
        // 30 days on, then the first midnight UTC (the default time of day).
        assert_eq!(stored.next_rotation_at, Some(NOW_DAY + 31 * DAY));
        assert_eq!(stored.step, None, "the progress is cleared");
        assert_eq!(done.rotation.expect("view").status, RotationStatus::Active);
        assert_eq!(key_ids(&p), [ORIGINAL, CI, new.as_str()]);
        // The progress a reader saw while the run went.
        assert_eq!(
            *db.rotations.steps.borrow(),
            [
                Some("inspect"),
                Some("add"),
                Some("verify"),
                Some("publish"),
                Some("done"),
                None
            ]
            .map(|s| s.map(str::to_owned))
        );
        // The secret is the platform's to fetch, audited; never in the audit log itself.
        let current = block_on(r.current_secret(&row(&db, &rot.id))).expect("current");
        assert_eq!(current.value, "rotated-secret-1");
        assert!(
            db.actions()
                .contains(&("rotation.secret.read".into(), "ok".into()))
        );
        assert!(
            !db.audit
                .borrow()
                .iter()
                .any(|a| a.detail.to_string().contains("rotated-secret")),
            "no secret in the audit log"
        );
    }

    #[test]
    fn no_current_secret_before_the_first_run() {
        let (db, p, cfg) = (store(), app(), oauth_config());
        let rot = created(&db, &p, &cfg);
        let r = Rotations {
            db: &db,
            p: &p,
            cfg: &cfg,
            org: "org1",
            actor: "u1",
        };
        assert_eq!(
            block_on(r.current_secret(&rot)).expect_err("none").status,
            404
        );
    }

    #[test]
    fn later_runs_restart_with_a_fresh_run_id_and_prune_beyond_keep_previous() {
        let (db, p, cfg) = (store(), app(), oauth_config());
        let rot = created(&db, &p, &cfg);
        let r = Rotations {
            db: &db,
            p: &p,
            cfg: &cfg,
            org: "org1",
            actor: "u1",
        };
        let mut names = Vec::new();
        for run in 1..=3 {
            p.now.set(NOW + i64::from(run) * 31 * DAY);
            let done = block_on(r.rotate(&row(&db, &rot.id))).expect("rotated");
            let app = p.app.borrow();
            let cred = app
                .as_ref()
                .expect("app")
                .creds
                .last()
                .cloned()
                .expect("new");
            names.push(cred.display_name);
            if run == 3 {
                assert_eq!(done.removed, Some(vec![FakeApp::added_key(1)]));
            } else {
                assert_eq!(done.removed, Some(vec![]));
            }
        }
        // Each run's secret is named for its own run and the rotation.
        assert!(
            names
                .iter()
                .all(|n| n.ends_with(&format!(" for {}", rot.id)))
        );
        assert_ne!(names[0], names[1]);
        assert_ne!(names[1], names[2]);
        // keepPrevious 1: the previous secret stays; the original and CI ones are not ours.
        assert_eq!(
            key_ids(&p),
            [ORIGINAL, CI, &FakeApp::added_key(2), &FakeApp::added_key(3)]
        );
    }

    #[test]
    fn a_lost_add_password_answer_is_not_resent_and_the_next_run_removes_the_orphan() {
        let (db, p, cfg) = (store(), app(), oauth_config());
        let rot = created(&db, &p, &cfg);
        let r = Rotations {
            db: &db,
            p: &p,
            cfg: &cfg,
            org: "org1",
            actor: "u1",
        };
        p.lost.borrow_mut().push("/addPassword");
        let e = block_on(r.rotate(&rot)).expect_err("lost");
        assert_eq!(e.error.code, Code::Unavailable);
        assert_eq!(
            p.graph_calls()
                .iter()
                .filter(|c| c.ends_with("/addPassword"))
                .count(),
            1,
            "addPassword is sent once"
        );
        let stopped = row(&db, &rot.id);
        assert_eq!(stopped.status, RotationStatus::Interrupted);
        assert_eq!(
            stopped.last_error.as_ref().map(|e| e.code),
            Some(Code::Unavailable)
        );
        let orphan = FakeApp::added_key(1);
        assert!(key_ids(&p).contains(&orphan), "Graph created it");

        let sent = p.graph_calls().len();
        let done = block_on(r.rotate(&stopped)).expect("resumed");
        assert_eq!(
            step_names(&done),
            ["inspect", "remove-orphan", "add", "verify", "publish"]
        );
        assert_eq!(
            p.graph_calls()[sent..],
            [
                format!("GET /applications/{TARGET_OBJECT}"),
                format!("POST /applications/{TARGET_OBJECT}/removePassword"),
                format!("POST /applications/{TARGET_OBJECT}/addPassword"),
            ]
        );
        assert_eq!(key_ids(&p), [ORIGINAL, CI, &FakeApp::added_key(2)]);
        assert_eq!(row(&db, &rot.id).status, RotationStatus::Active);
    }

    #[test]
    fn a_lost_removal_answer_is_resent_and_graphs_not_found_counts_as_removed() {
        let (db, p, cfg) = (store(), app(), oauth_config());
        let rot = created(&db, &p, &cfg);
        let r = Rotations {
            db: &db,
            p: &p,
            cfg: &cfg,
            org: "org1",
            actor: "u1",
        };
        for run in 1..=2 {
            p.now.set(NOW + i64::from(run) * 31 * DAY);
            block_on(r.rotate(&row(&db, &rot.id))).expect("rotated");
        }
        p.now.set(NOW + 93 * DAY);
        p.lost.borrow_mut().push("/removePassword");
        let done = block_on(r.rotate(&row(&db, &rot.id))).expect("rotated");
        assert_eq!(done.removed, Some(vec![FakeApp::added_key(1)]));
        assert_eq!(row(&db, &rot.id).status, RotationStatus::Active);
    }

    #[test]
    fn propagation_codes_are_tolerated_with_a_wait_then_verified() {
        let (db, p, cfg) = (store(), app(), oauth_config());
        let rot = created(&db, &p, &cfg);
        let r = Rotations {
            db: &db,
            p: &p,
            cfg: &cfg,
            org: "org1",
            actor: "u1",
        };
        p.answer(Service::Token, rejected(7_000_215));
        p.answer(Service::Token, rejected(700_016));
        let done = block_on(r.rotate(&rot)).expect("rotated");
        assert_eq!(
            step_names(&done),
            [
                "inspect", "add", "verify", "wait", "verify", "wait", "verify", "publish"
            ]
        );
        let waits: Vec<Option<u64>> = done.steps.iter().map(|s| s.ms).collect();
        assert_eq!(waits[3], Some(2_000));
        assert_eq!(waits[5], Some(4_000));
        assert_eq!(p.pauses.get(), 2);
        let oks: Vec<bool> = done.steps.iter().map(|s| s.ok).collect();
        assert_eq!(oks, [true, true, false, true, false, true, true, true]);
        assert_eq!(done.secret.expect("secret").value, "rotated-secret-1");
        assert!(
            db.actions()
                .contains(&("rotation.verify".into(), "failed".into()))
        );
    }

    #[test]
    fn a_propagation_longer_than_one_request_answers_waiting_and_the_next_call_resumes() {
        let (db, p, cfg) = (store(), app(), oauth_config());
        let rot = created(&db, &p, &cfg);
        let r = Rotations {
            db: &db,
            p: &p,
            cfg: &cfg,
            org: "org1",
            actor: "u1",
        };
        for _ in 0..5 {
            p.answer(Service::Token, rejected(7_000_215));
        }
        let waiting = block_on(r.rotate(&rot)).expect("waiting");
        assert!(waiting.secret.is_none());
        assert_eq!(
            waiting.rotation.expect("view").status,
            RotationStatus::Waiting
        );
        // 2 + 4 + 8 + 16 s waited; the next 32 s wait would pass the request's 60 s.
        assert_eq!(p.pauses.get(), 4);
        let adds = |p: &FakePlatform| {
            p.graph_calls()
                .iter()
                .filter(|c| c.ends_with("/addPassword"))
                .count()
        };
        assert_eq!(adds(&p), 1);
        p.now.set(p.now.get() + 32);
        let done = block_on(r.rotate(&row(&db, &rot.id))).expect("resumed");
        assert_eq!(step_names(&done), ["verify", "publish"]);
        assert_eq!(adds(&p), 1, "the resumed run adds nothing");
        assert_eq!(row(&db, &rot.id).status, RotationStatus::Active);
    }

    #[test]
    fn a_secret_entra_rejects_is_removed_and_the_old_ones_kept() {
        let (db, p, cfg) = (store(), app(), oauth_config());
        let rot = created(&db, &p, &cfg);
        let r = Rotations {
            db: &db,
            p: &p,
            cfg: &cfg,
            org: "org1",
            actor: "u1",
        };
        // AADSTS7000222: the secret expired, not a propagation delay.
        p.answer(Service::Token, rejected(7_000_222));
        let e = block_on(r.rotate(&rot)).expect_err("rejected");
        assert_eq!(e.error.code, Code::RotationFailed);
        assert!(e.error.message.contains("AADSTS7000222"));
        assert_eq!(key_ids(&p), [ORIGINAL, CI], "the new secret is removed");
        let stopped = row(&db, &rot.id);
        assert_eq!(stopped.status, RotationStatus::Failed);
        assert_eq!(stopped.current_key_id, None, "nothing was published");
        assert!(
            p.graph_calls()
                .last()
                .is_some_and(|c| c.ends_with("/removePassword"))
        );
        // The next run starts over with a fresh run id.
        let done = block_on(r.rotate(&stopped)).expect("rotated");
        assert_eq!(step_names(&done)[0], "inspect");
        assert_eq!(key_ids(&p), [ORIGINAL, CI, &FakeApp::added_key(2)]);
    }

    #[test]
    fn an_inconclusive_verification_stops_resumable_and_keeps_the_new_secret() {
        let (db, p, cfg) = (store(), app(), oauth_config());
        let rot = created(&db, &p, &cfg);
        let r = Rotations {
            db: &db,
            p: &p,
            cfg: &cfg,
            org: "org1",
            actor: "u1",
        };
        p.answer(
            Service::Token,
            HttpResponse::new(502, "<html>bad gateway</html>"),
        );
        let e = block_on(r.rotate(&rot)).expect_err("inconclusive");
        assert_eq!(e.error.code, Code::MalformedResponse);
        let stopped = row(&db, &rot.id);
        assert_eq!(stopped.status, RotationStatus::Interrupted);
        assert!(
            key_ids(&p).contains(&FakeApp::added_key(1)),
            "not abandoned"
        );
        let done = block_on(r.rotate(&stopped)).expect("resumed");
        assert_eq!(step_names(&done), ["verify", "publish"]);
        assert_eq!(key_ids(&p), [ORIGINAL, CI, &FakeApp::added_key(1)]);
    }

    #[test]
    fn a_graph_error_stops_the_run_resumable() {
        let (db, p, cfg) = (store(), app(), oauth_config());
        let rot = created(&db, &p, &cfg);
        let r = Rotations {
            db: &db,
            p: &p,
            cfg: &cfg,
            org: "org1",
            actor: "u1",
        };
        p.answer(
            Service::Graph,
            HttpResponse::new(
                403,
                json!({ "error": { "code": "Authorization_RequestDenied", "message": "Insufficient privileges to complete the operation." } }).to_string(),
            ),
        );
        let e = block_on(r.rotate(&rot)).expect_err("denied");
        assert_eq!(e.error.code, Code::PermissionDenied);
        let stopped = row(&db, &rot.id);
        assert_eq!(stopped.status, RotationStatus::Interrupted);
        assert_eq!(
            stopped.last_error.as_ref().map(|e| e.code),
            Some(Code::PermissionDenied)
        );
        assert!(
            db.actions()
                .contains(&("rotation.graph".into(), "failed".into()))
        );
        assert_eq!(key_ids(&p), [ORIGINAL, CI]);
        // The status a user checks: attempted, never succeeded, why.
        let view = RotationView::from(&stopped);
        assert_eq!(
            (view.last_attempt_at, view.last_success_at),
            (Some(NOW), None)
        );
        p.now.set(NOW + 60);
        block_on(r.rotate(&stopped)).expect("the next run succeeds");
        let view = RotationView::from(&row(&db, &rot.id));
        assert_eq!(
            (view.last_attempt_at, view.last_success_at, view.last_error),
            (Some(NOW + 60), Some(NOW + 60), None)
        );
        assert_eq!(view.next_rotation_at, Some(NOW_DAY + 31 * DAY));
    }

    #[test]
    fn one_run_at_a_time_and_a_stale_run_is_taken_over() {
        let (db, p, cfg) = (store(), app(), oauth_config());
        let rot = created(&db, &p, &cfg);
        let r = Rotations {
            db: &db,
            p: &p,
            cfg: &cfg,
            org: "org1",
            actor: "u1",
        };
        assert!(block_on(db.claim_rotation(&rot.id, NOW, STALE_RUN_SECS)).expect("claim"));
        let sent = p.requests.borrow().len();
        let e = block_on(r.rotate(&rot)).expect_err("running");
        assert_eq!(e.status, 409);
        assert_eq!(e.error.code, Code::Conflict);
        let e = block_on(r.delete(&rot, SecretsChoice::Keep)).expect_err("running");
        assert_eq!(e.status, 409);
        assert_eq!(p.requests.borrow().len(), sent, "nothing sent");
        assert!(db.rotation_row(&rot.id).is_some());
        // A run silent for longer than any step died with its Worker.
        p.now.set(NOW + STALE_RUN_SECS + 1);
        block_on(r.rotate(&rot)).expect("taken over");
    }

    #[test]
    fn a_run_that_stops_before_recording_why_is_released_as_interrupted() {
        let (db, p, cfg) = (store(), app(), oauth_config());
        let rot = created(&db, &p, &cfg);
        let r = Rotations {
            db: &db,
            p: &p,
            cfg: &cfg,
            org: "org1",
            actor: "u1",
        };
        db.connections.borrow_mut().clear();
        let e = block_on(r.rotate(&rot)).expect_err("no connection");
        assert_eq!(e.status, 404);
        let stopped = row(&db, &rot.id);
        assert_eq!(stopped.status, RotationStatus::Interrupted);
        assert_eq!(stopped.last_error.map(|e| e.code), Some(Code::NotFound));
        assert_eq!(stopped.step, None);
    }

    /// A rotation of another app (its own) named `name`, straight into the store.
    fn named(db: &MemoryStore, id: &str, name: &str) {
        let target = RotationTarget {
            app_id: format!("app of {id}"),
            object_id: format!("object of {id}"),
            display_name: None,
        };
        let r = NewRotation {
            id,
            org_id: "org1",
            name,
            description: None,
            connection_id: "c1",
            target: &target,
            lifetime_days: 90,
            interval_days: 30,
            keep: 1,
            auto_rotation: true,
            rotate_at: TimeOfDay::MIDNIGHT,
            next_rotation_at: None,
            now: NOW,
        };
        assert_eq!(
            block_on(db.insert_rotation(&r, "{}")).expect("inserted"),
            Ok(())
        );
    }

    #[test]
    fn a_rotation_without_a_name_is_named_for_its_app_and_a_given_name_is_checked_first() {
        let (db, p, cfg) = (store(), app(), oauth_config());
        let r = Rotations {
            db: &db,
            p: &p,
            cfg: &cfg,
            org: "org1",
            actor: "u1",
        };
        named(&db, "r0", "nightly");
        // Taken or malformed: refused before any call to Entra or Graph.
        for (name, status, code) in [
            ("nightly", 409, Code::Conflict),
            ("Nightly Payroll", 400, Code::InvalidCharacter),
            ("", 400, Code::Required),
        ] {
            let e = block_on(r.create(&request(
                json!({ "name": name, "connectionId": "c1", "appId": TARGET_APP }),
            )))
            .expect_err("refused");
            assert_eq!(
                (e.status, e.error.code, e.error.field.as_deref()),
                (status, code, Some("name")),
                "{name}"
            );
        }
        let e = block_on(r.create(&request(
            json!({ "description": "a\u{7}b", "connectionId": "c1", "appId": TARGET_APP }),
        )))
        .expect_err("refused");
        assert_eq!(e.error.field.as_deref(), Some("description"));
        assert_eq!(p.services(), [], "nothing sent");
        // Derived from the display name, made distinct when that is taken.
        named(&db, "r1", "payroll");
        let made = block_on(r.create(&request(
            json!({ "connectionId": "c1", "appId": TARGET_APP, "description": " pays " }),
        )))
        .expect("created")
        .rotation;
        assert_eq!(made.name, format!("payroll-{}", &made.id[..8]));
        assert_eq!(made.description.as_deref(), Some("pays"));
        assert_eq!(row(&db, &made.id).name, made.name);
    }

    #[test]
    fn a_derived_name_taken_by_a_concurrent_create_moves_to_its_suffixed_form() {
        let (db, p, cfg) = (store(), app(), oauth_config());
        let r = Rotations {
            db: &db,
            p: &p,
            cfg: &cfg,
            org: "org1",
            actor: "u1",
        };
        // Another app's rotation takes the name between this create's check and its insert.
        *db.before_insert.borrow_mut() = Some(Box::new(|db| named(db, "r1", "nightly")));
        let e = block_on(r.create(&request(
            json!({ "name": "nightly", "connectionId": "c1", "appId": TARGET_APP }),
        )))
        .expect_err("a given name stays the user's");
        assert_eq!(
            (e.status, e.error.code, e.error.field.as_deref()),
            (409, Code::Conflict, Some("name"))
        );
        assert_eq!(db.rotations.rows.borrow().len(), 1, "only the racing one");
        assert_eq!(db.fields("r1"), [Field::RotationState.name()]);
        // The same race on a name derived from the display name (two apps called payroll).
        *db.before_insert.borrow_mut() = Some(Box::new(|db| named(db, "r2", "payroll")));
        let made = block_on(r.create(&request(
            json!({ "connectionId": "c1", "appId": TARGET_APP }),
        )))
        .expect("created")
        .rotation;
        assert_eq!(made.name, format!("payroll-{}", &made.id[..8]));
        assert_eq!(row(&db, &made.id).name, made.name);
        assert_eq!(
            db.fields(&made.id),
            [Field::RotationState.name()],
            "its state, once"
        );
        assert_eq!(
            db.audit_details("rotation.create")
                .iter()
                .map(|d| d["name"].clone())
                .collect::<Vec<_>>(),
            [json!(made.name)]
        );
    }

    #[test]
    fn a_rename_is_version_checked_and_refused_when_taken() {
        let (db, p, cfg) = (store(), app(), oauth_config());
        let rot = created(&db, &p, &cfg);
        assert_eq!(rot.name, "payroll");
        named(&db, "r1", "taken");
        let r = Rotations {
            db: &db,
            p: &p,
            cfg: &cfg,
            org: "org1",
            actor: "u1",
        };
        let patch = |v: Value| RotationPatch::parse(&v).expect("patch");
        let e = block_on(r.update(
            &rot,
            &patch(json!({ "version": 1, "name": "taken", "keepPrevious": 3 })),
        ))
        .expect_err("taken");
        assert_eq!((e.status, e.error.field.as_deref()), (409, Some("name")));
        assert_eq!(
            (row(&db, &rot.id).version, row(&db, &rot.id).keep),
            (1, 1),
            "nothing written"
        );
        let renamed = block_on(r.update(
            &rot,
            &patch(json!({ "version": 1, "name": "payroll-main", "description": "main" })),
        ))
        .expect("renamed")
        .rotation;
        assert_eq!(
            (
                renamed.name.as_str(),
                renamed.description.as_deref(),
                renamed.version
            ),
            ("payroll-main", Some("main"), 2)
        );
        // The name stays when not given; a blank description removes it.
        let cleared = block_on(r.update(
            &row(&db, &rot.id),
            &patch(json!({ "version": 2, "description": "" })),
        ))
        .expect("cleared")
        .rotation;
        assert_eq!(
            (cleared.name.as_str(), cleared.description),
            ("payroll-main", None)
        );
    }

    #[test]
    fn updates_are_written_only_at_the_version_read_and_while_not_running() {
        let (db, p, cfg) = (store(), app(), oauth_config());
        let rot = created(&db, &p, &cfg);
        let r = Rotations {
            db: &db,
            p: &p,
            cfg: &cfg,
            org: "org1",
            actor: "u1",
        };
        let patch = |v: Value| RotationPatch::parse(&v).expect("patch");
        let updated = block_on(r.update(
            &rot,
            &patch(
                json!({ "version": 1, "lifetimeDays": 120, "intervalDays": 45, "keepPrevious": 2 }),
            ),
        ))
        .expect("updated");
        assert_eq!(updated.rotation.version, 2);
        let state: Rotation =
            serde_json::from_str(&db.secret_of(&rot.id, Field::RotationState).expect("state"))
                .expect("state");
        assert_eq!(state.config.lifetime_secs, 120 * DAY);
        assert_eq!(state.config.rotation_interval_secs, Some(45 * DAY));
        assert_eq!(state.config.keep_previous, 2);
        // A stale version: 409 and nothing written.
        let e = block_on(r.update(&rot, &patch(json!({ "version": 1, "keepPrevious": 3 }))))
            .expect_err("stale");
        assert_eq!((e.status, e.error.field.as_deref()), (409, Some("version")));
        assert_eq!(row(&db, &rot.id).keep, 2);
        // Another writer first.
        db.concurrent_write.set(true);
        let e = block_on(r.update(&rot, &patch(json!({ "version": 2, "keepPrevious": 3 }))))
            .expect_err("raced");
        assert_eq!(e.status, 409);
        db.concurrent_write.set(false);
        // A running rotation.
        let v = row(&db, &rot.id).version;
        assert!(block_on(db.claim_rotation(&rot.id, NOW, STALE_RUN_SECS)).expect("claim"));
        let e = block_on(r.update(&rot, &patch(json!({ "version": v, "keepPrevious": 3 }))))
            .expect_err("running");
        assert_eq!(e.status, 409);
        // The same guards as on create, in days.
        let e = block_on(r.update(
            &rot,
            &patch(json!({ "version": v, "lifetimeDays": 30, "intervalDays": 30 })),
        ))
        .expect_err("guard");
        assert_eq!(e.error.field.as_deref(), Some("lifetimeDays"));
        let e = block_on(r.update(&rot, &patch(json!({ "version": v, "keepPrevious": -1 }))))
            .expect_err("keep");
        assert_eq!(e.error.field.as_deref(), Some("keepPrevious"));
        assert_eq!(
            db.actions()
                .iter()
                .filter(|(a, _)| a == "rotation.update")
                .count(),
            1
        );
    }

    #[test]
    fn delete_with_revoke_removes_only_this_rotations_secrets() {
        let (db, p, cfg) = (store(), app(), oauth_config());
        let rot = created(&db, &p, &cfg);
        let r = Rotations {
            db: &db,
            p: &p,
            cfg: &cfg,
            org: "org1",
            actor: "u1",
        };
        for run in 1..=2 {
            p.now.set(NOW + i64::from(run) * 31 * DAY);
            block_on(r.rotate(&row(&db, &rot.id))).expect("rotated");
        }
        let other = "33333333-3333-4333-8333-333333333333";
        p.app
            .borrow_mut()
            .as_mut()
            .expect("app")
            .creds
            .push(crate::fakes::FakeCredential {
                key_id: other.into(),
                display_name: "azconn rotation 1 for another-rotation".into(),
                starts_at: NOW,
            });
        let deleted =
            block_on(r.delete(&row(&db, &rot.id), SecretsChoice::Revoke)).expect("deleted");
        assert_eq!(
            deleted.revoked,
            [FakeApp::added_key(1), FakeApp::added_key(2)]
        );
        assert_eq!(key_ids(&p), [ORIGINAL, CI, other]);
        assert!(db.rotation_row(&rot.id).is_none());
        assert!(
            db.fields(&rot.id).is_empty(),
            "its state and secret are gone"
        );
        assert!(
            db.actions()
                .contains(&("rotation.delete".into(), "ok".into()))
        );
    }

    #[test]
    fn delete_with_revoke_counts_a_removal_whose_answer_was_lost() {
        let (db, p, cfg) = (store(), app(), oauth_config());
        let rot = created(&db, &p, &cfg);
        let r = Rotations {
            db: &db,
            p: &p,
            cfg: &cfg,
            org: "org1",
            actor: "u1",
        };
        p.now.set(NOW + 31 * DAY);
        block_on(r.rotate(&row(&db, &rot.id))).expect("rotated");
        p.lost.borrow_mut().push("/removePassword");
        let deleted =
            block_on(r.delete(&row(&db, &rot.id), SecretsChoice::Revoke)).expect("deleted");
        assert_eq!(deleted.revoked, [FakeApp::added_key(1)]);
        assert_eq!(key_ids(&p), [ORIGINAL, CI]);
        assert!(db.rotation_row(&rot.id).is_none());
    }

    #[test]
    fn delete_with_keep_leaves_the_app_alone() {
        let (db, p, cfg) = (store(), app(), oauth_config());
        let rot = created(&db, &p, &cfg);
        let r = Rotations {
            db: &db,
            p: &p,
            cfg: &cfg,
            org: "org1",
            actor: "u1",
        };
        block_on(r.rotate(&rot)).expect("rotated");
        let sent = p.graph_calls().len();
        let deleted = block_on(r.delete(&row(&db, &rot.id), SecretsChoice::Keep)).expect("deleted");
        assert!(deleted.revoked.is_empty());
        assert_eq!(p.graph_calls().len(), sent, "no Graph call");
        assert_eq!(key_ids(&p), [ORIGINAL, CI, &FakeApp::added_key(1)]);
        assert!(db.rotation_row(&rot.id).is_none());
    }

    #[test]
    fn a_rotation_deleted_with_keep_lists_its_secrets_until_revoked() {
        let (db, p, cfg) = (store(), app(), oauth_config());
        let rot = created(&db, &p, &cfg);
        let r = rotations(&db, &p, &cfg);
        block_on(r.rotate(&rot)).expect("rotated");
        let other = "33333333-3333-4333-8333-333333333333";
        p.app
            .borrow_mut()
            .as_mut()
            .expect("app")
            .creds
            .push(crate::fakes::FakeCredential {
                key_id: other.into(),
                display_name: format!("azconn rotation 1 for x{}", rot.id),
                starts_at: NOW,
            });
        p.now.set(NOW + 60);
        block_on(r.delete(&row(&db, &rot.id), SecretsChoice::Keep)).expect("deleted");

        let listed = block_on(db.rotation_leftovers("org1")).expect("listed");
        assert_eq!(listed.len(), 1);
        let left = &listed[0];
        assert_eq!(
            (left.id.as_str(), left.name.as_str(), left.deleted_at),
            (rot.id.as_str(), rot.name.as_str(), NOW + 60)
        );
        assert_eq!(left.target, rot.target);
        assert!(
            block_on(db.rotation_leftovers("org2"))
                .expect("listed")
                .is_empty(),
            "another organization sees none"
        );

        let body = block_on(r.leftover(left)).expect("read");
        let keys: Vec<&str> = body.secrets.iter().map(|x| x.key_id.as_str()).collect();
        assert_eq!(
            keys,
            [FakeApp::added_key(1)],
            "its secret only: not the original, not one whose display name merely ends alike"
        );

        let deleted = block_on(r.delete_leftover(left, SecretsChoice::Revoke)).expect("revoked");
        assert_eq!(deleted.revoked, [FakeApp::added_key(1)]);
        assert_eq!(key_ids(&p), [ORIGINAL, CI, other]);
        assert!(
            block_on(db.rotation_leftovers("org1"))
                .expect("listed")
                .is_empty()
        );
        assert!(
            db.actions()
                .contains(&("rotation.leftover.delete".into(), "ok".into()))
        );
        let e = block_on(r.delete_leftover(left, SecretsChoice::Keep)).expect_err("gone");
        assert_eq!(e.status, 404);
    }

    #[test]
    fn a_leftover_forgotten_with_keep_leaves_the_app_and_a_failed_revoke_keeps_it() {
        let (db, p, cfg) = (store(), app(), oauth_config());
        let rot = created(&db, &p, &cfg);
        let r = rotations(&db, &p, &cfg);
        block_on(r.rotate(&rot)).expect("rotated");
        block_on(r.delete(&row(&db, &rot.id), SecretsChoice::Keep)).expect("deleted");
        let left = block_on(db.rotation_leftover("org1", &rot.id))
            .expect("read")
            .expect("listed");
        p.answer(
            Service::Graph,
            HttpResponse::new(
                403,
                json!({ "error": { "code": "Authorization_RequestDenied", "message": "Insufficient privileges to complete the operation." } }).to_string(),
            ),
        );
        let e = block_on(r.delete_leftover(&left, SecretsChoice::Revoke)).expect_err("denied");
        assert_eq!(e.error.code, Code::PermissionDenied);
        assert!(
            block_on(db.rotation_leftover("org1", &rot.id))
                .expect("read")
                .is_some(),
            "kept for another try"
        );
        let sent = p.graph_calls().len();
        let forgotten = block_on(r.delete_leftover(&left, SecretsChoice::Keep)).expect("forgot");
        assert!(forgotten.revoked.is_empty());
        assert_eq!(p.graph_calls().len(), sent, "no Graph call");
        assert_eq!(key_ids(&p), [ORIGINAL, CI, &FakeApp::added_key(1)]);
        assert!(
            block_on(db.rotation_leftover("org1", &rot.id))
                .expect("read")
                .is_none()
        );
    }

    #[test]
    fn a_failed_revocation_keeps_the_rotation_and_releases_it() {
        let (db, p, cfg) = (store(), app(), oauth_config());
        let rot = created(&db, &p, &cfg);
        let r = Rotations {
            db: &db,
            p: &p,
            cfg: &cfg,
            org: "org1",
            actor: "u1",
        };
        block_on(r.rotate(&rot)).expect("rotated");
        p.answer(Service::Graph, HttpResponse::new(200, json!({ "id": TARGET_OBJECT, "appId": TARGET_APP,
            "passwordCredentials": [{ "keyId": FakeApp::added_key(1), "displayName": p.app.borrow().as_ref().expect("app").creds[2].display_name }] }).to_string()));
        p.answer(
            Service::Graph,
            HttpResponse::new(
                403,
                json!({ "error": { "code": "Authorization_RequestDenied", "message": "Insufficient privileges to complete the operation." } }).to_string(),
            ),
        );
        let e = block_on(r.delete(&row(&db, &rot.id), SecretsChoice::Revoke)).expect_err("denied");
        assert_eq!(e.error.code, Code::PermissionDenied);
        let kept = row(&db, &rot.id);
        assert_eq!(
            kept.status,
            RotationStatus::Interrupted,
            "the claim is released"
        );
        let deleted = block_on(r.delete(&kept, SecretsChoice::Revoke)).expect("repeated");
        assert_eq!(deleted.revoked, [FakeApp::added_key(1)]);
        assert_eq!(key_ids(&p), [ORIGINAL, CI]);
    }

    #[test]
    fn the_clock_of_the_fakes_is_eight_in_the_morning() {
        assert_eq!(NOW_DAY % DAY, 0);
        assert_eq!(NOW - NOW_DAY, 8 * 3_600);
    }

    fn rotations<'a>(
        db: &'a MemoryStore,
        p: &'a FakePlatform,
        cfg: &'a Config,
    ) -> Rotations<'a, MemoryStore, FakePlatform> {
        Rotations {
            db,
            p,
            cfg,
            org: "org1",
            actor: "u1",
        }
    }

    fn create(db: &MemoryStore, p: &FakePlatform, cfg: &Config, extra: Value) -> RotationView {
        let mut body = json!({ "connectionId": "c1", "appId": TARGET_APP });
        body.as_object_mut()
            .expect("object")
            .extend(extra.as_object().expect("object").clone());
        block_on(rotations(db, p, cfg).create(&request(body)))
            .expect("created")
            .rotation
    }

    #[test]
    fn the_scheduler_runs_what_is_due_at_its_time_of_day() {
        let (db, p, cfg) = (store(), app(), oauth_config());
        let rot = create(&db, &p, &cfg, json!({}));
        assert!(rot.is_auto_rotation_enabled);
        assert_eq!(
            rot.rotate_at_utc,
            RotateAtUtc {
                hours: 0,
                minutes: 0
            }
        );
        // Due at once: the first tick gives it its first secret.
        assert_eq!(rot.next_rotation_at, Some(NOW));
        assert_eq!(block_on(run_due(&db, &p, &cfg)).expect("ran"), 1);
        // That success + 30 days is 08:00; the first midnight after it is the next run.
        let first = NOW_DAY + 31 * DAY;
        assert_eq!(row(&db, &rot.id).next_rotation_at, Some(first));
        assert_eq!(block_on(run_due(&db, &p, &cfg)).expect("ran"), 0);
        p.now.set(first - 1);
        assert_eq!(block_on(run_due(&db, &p, &cfg)).expect("ran"), 0);
        p.now.set(first);
        assert_eq!(block_on(run_due(&db, &p, &cfg)).expect("ran"), 1);
        let ran = row(&db, &rot.id);
        assert_eq!(ran.status, RotationStatus::Active);
        // Run at midnight: exactly 30 days on.
        assert_eq!(ran.next_rotation_at, Some(first + 30 * DAY));
        assert_eq!(block_on(run_due(&db, &p, &cfg)).expect("ran"), 0);
        p.now.set(first + 30 * DAY);
        assert_eq!(block_on(run_due(&db, &p, &cfg)).expect("ran"), 1);
        assert_eq!(
            key_ids(&p).len(),
            4,
            "the original, CI's, the current and one previous"
        );
    }

    #[test]
    fn a_time_of_day_later_than_the_interval_end_is_the_same_day_and_an_earlier_one_the_next() {
        let (db, p, cfg) = (store(), app(), oauth_config());
        let early = created_at(
            &db,
            &p,
            &cfg,
            json!({ "rotateAtUtc": { "hours": 7, "minutes": 59 } }),
        );
        assert_eq!(early, Some(NOW_DAY + 31 * DAY + 7 * 3_600 + 59 * 60));
        let rot = create(
            &db,
            &p,
            &cfg,
            json!({ "rotateAtUtc": { "hours": 14, "minutes": 5 } }),
        );
        assert_eq!(
            rot.rotate_at_utc,
            RotateAtUtc {
                hours: 14,
                minutes: 5
            }
        );
        assert_eq!(rot.next_rotation_at, Some(NOW));
        let first = block_on(rotations(&db, &p, &cfg).rotate(&row(&db, &rot.id))).expect("first");
        assert_eq!(
            first.rotation.expect("view").next_rotation_at,
            Some(NOW_DAY + 30 * DAY + 14 * 3_600 + 5 * 60)
        );
        // A manual run at 09:00 five days later: the next is 30 days on, at 14:05.
        p.now.set(NOW_DAY + 5 * DAY + 9 * 3_600);
        let done = block_on(rotations(&db, &p, &cfg).rotate(&row(&db, &rot.id))).expect("rotated");
        assert_eq!(
            done.rotation.expect("view").next_rotation_at,
            Some(NOW_DAY + 35 * DAY + 14 * 3_600 + 5 * 60)
        );
    }

    /// The next run of a rotation of the target app created with `extra`, after its first run
    /// (at creation).
    fn created_at(db: &MemoryStore, p: &FakePlatform, cfg: &Config, extra: Value) -> Option<i64> {
        let rot = create(db, p, cfg, extra);
        let next = block_on(rotations(db, p, cfg).rotate(&row(db, &rot.id)))
            .expect("first run")
            .rotation
            .expect("view")
            .next_rotation_at;
        block_on(rotations(db, p, cfg).delete(&row(db, &rot.id), SecretsChoice::Keep))
            .expect("deleted");
        next
    }

    #[test]
    fn with_auto_rotation_off_the_cron_never_runs_it_and_a_manual_run_still_does() {
        let (db, p, cfg) = (store(), app(), oauth_config());
        let rot = create(&db, &p, &cfg, json!({ "isAutoRotationEnabled": false }));
        assert!(!rot.is_auto_rotation_enabled);
        assert_eq!(rot.next_rotation_at, None);
        assert_eq!(
            row(&db, &rot.id).next_rotation_at,
            None,
            "nothing scheduled"
        );
        // A row scheduled by hand is still skipped while auto rotation is off.
        named(&db, "r-off", "off");
        db.rotations.rows.borrow_mut().iter_mut().for_each(|r| {
            r.auto_rotation = false;
            r.next_rotation_at = Some(NOW - 1);
        });
        p.now.set(NOW + 400 * DAY);
        assert_eq!(block_on(run_due(&db, &p, &cfg)).expect("ran"), 0);
        assert!(p.graph_calls().len() == 1, "only the create's read");
        let done = block_on(rotations(&db, &p, &cfg).rotate(&row(&db, &rot.id))).expect("manual");
        let view = done.rotation.expect("view");
        assert_eq!(view.status, RotationStatus::Active);
        assert_eq!(view.last_success_at, Some(NOW + 400 * DAY));
        assert_eq!(
            view.next_rotation_at, None,
            "a manual run schedules nothing"
        );
        assert_eq!(row(&db, &rot.id).next_rotation_at, None);
        assert_eq!(key_ids(&p).len(), 3);
    }

    #[test]
    fn a_patch_of_the_schedule_recomputes_the_next_run_under_the_version_check() {
        let (db, p, cfg) = (store(), app(), oauth_config());
        let rot = create(&db, &p, &cfg, json!({}));
        let r = rotations(&db, &p, &cfg);
        let patch = |v: Value| RotationPatch::parse(&v).expect("patch");
        // Never succeeded: still due at once.
        let at_two = block_on(r.update(
            &row(&db, &rot.id),
            &patch(json!({ "version": 1, "rotateAtUtc": { "hours": 2, "minutes": 30 } })),
        ))
        .expect("patched")
        .rotation;
        assert_eq!(
            at_two.rotate_at_utc,
            RotateAtUtc {
                hours: 2,
                minutes: 30
            }
        );
        assert_eq!(at_two.next_rotation_at, Some(NOW));
        // After a success: counted from it.
        p.now.set(NOW_DAY + 3 * DAY + 12 * 3_600);
        block_on(r.rotate(&row(&db, &rot.id))).expect("rotated");
        let weekly = block_on(r.update(
            &row(&db, &rot.id),
            &patch(json!({ "version": 2, "intervalDays": 7, "lifetimeDays": 30 })),
        ))
        .expect("patched")
        .rotation;
        assert_eq!(
            weekly.next_rotation_at,
            Some(NOW_DAY + 11 * DAY + 2 * 3_600 + 30 * 60)
        );
        // Off: nothing scheduled, the cron skips it; on again: recomputed.
        let off = block_on(r.update(
            &row(&db, &rot.id),
            &patch(json!({ "version": 3, "isAutoRotationEnabled": false })),
        ))
        .expect("off")
        .rotation;
        assert_eq!(
            (off.is_auto_rotation_enabled, off.next_rotation_at),
            (false, None)
        );
        p.now.set(NOW + 100 * DAY);
        assert_eq!(block_on(run_due(&db, &p, &cfg)).expect("ran"), 0);
        let on = block_on(r.update(
            &row(&db, &rot.id),
            &patch(json!({ "version": 4, "isAutoRotationEnabled": true })),
        ))
        .expect("on")
        .rotation;
        assert_eq!(
            on.next_rotation_at, weekly.next_rotation_at,
            "from the last success"
        );
        assert_eq!(
            block_on(run_due(&db, &p, &cfg)).expect("ran"),
            1,
            "overdue: runs now"
        );
        // Another setting leaves the next run alone.
        let v = row(&db, &rot.id).version;
        let before = row(&db, &rot.id).next_rotation_at;
        let renamed = block_on(r.update(
            &row(&db, &rot.id),
            &patch(json!({ "version": v, "name": "renamed" })),
        ))
        .expect("renamed")
        .rotation;
        assert_eq!(renamed.next_rotation_at, before);
        let audited = db.audit_details("rotation.update");
        assert_eq!(audited[2]["isAutoRotationEnabled"], json!(false));
        assert_eq!(
            audited[0]["rotateAtUtc"],
            json!({ "hours": 2, "minutes": 30 })
        );
    }

    #[test]
    fn a_stale_schedule_change_is_a_conflict_and_stores_nothing() {
        let (db, p, cfg) = (store(), app(), oauth_config());
        let rot = create(&db, &p, &cfg, json!({}));
        let r = rotations(&db, &p, &cfg);
        let patch = |v: Value| RotationPatch::parse(&v).expect("patch");
        let read = row(&db, &rot.id);
        block_on(r.update(&read, &patch(json!({ "version": 1, "keepPrevious": 2 }))))
            .expect("first");
        let before = row(&db, &rot.id);
        let e = block_on(r.update(
            &read,
            &patch(json!({ "version": 1, "isAutoRotationEnabled": false, "rotateAtUtc": { "hours": 5, "minutes": 0 } })),
        ))
        .expect_err("stale");
        assert_eq!((e.status, e.error.field.as_deref()), (409, Some("version")));
        assert_eq!(row(&db, &rot.id), before, "nothing stored");
        // A run that succeeded since the read moved the base of the schedule: also a conflict.
        let read = row(&db, &rot.id);
        block_on(r.rotate(&read)).expect("rotated");
        let ran = row(&db, &rot.id);
        let e = block_on(r.update(
            &read,
            &patch(json!({ "version": read.version, "intervalDays": 10, "lifetimeDays": 30 })),
        ))
        .expect_err("ran since");
        assert_eq!(e.status, 409);
        assert_eq!(row(&db, &rot.id), ran, "nothing stored");
    }

    #[test]
    fn the_lifetime_must_outlive_the_wait_for_the_time_of_day() {
        let (db, p, cfg) = (store(), app(), oauth_config());
        let r = rotations(&db, &p, &cfg);
        let e = block_on(r.create(&request(json!({
            "connectionId": "c1", "appId": TARGET_APP, "lifetimeDays": 31, "intervalDays": 30
        }))))
        .expect_err("too short");
        assert_eq!(
            (e.status, e.error.field.as_deref()),
            (400, Some("lifetimeDays"))
        );
        assert!(p.requests.borrow().is_empty(), "nothing was sent");
        let rot = create(
            &db,
            &p,
            &cfg,
            json!({ "lifetimeDays": 32, "intervalDays": 30 }),
        );
        let e = block_on(r.update(
            &row(&db, &rot.id),
            &RotationPatch::parse(&json!({ "version": 1, "intervalDays": 31 })).expect("patch"),
        ))
        .expect_err("too short");
        assert_eq!(e.error.field.as_deref(), Some("lifetimeDays"));
    }

    // Rotation feeds sync: publishing to the bound syncs before the old secret is revoked.

    const STORE_URL: &str = "https://store1.azconfig.io";

    /// An App Configuration connection `id` of `org` for [`STORE_URL`].
    fn config_connection(db: &MemoryStore, org: &str, id: &str) {
        block_on(db.insert(
            &NewConnection {
                id,
                org_id: org,
                ty: ConnectionType::AzureAppConfiguration,
                method: Method::ClientSecret,
                name: id,
                description: None,
                tenant_id: TENANT,
                client_id: Some(APP),
                cloud: "global",
                endpoint: Some(STORE_URL),
                credential_info: &json!({}),
                created_by: None,
                now: NOW,
            },
            &[(Field::ClientSecret, SECRET.to_owned())],
        ))
        .expect("connection");
    }

    fn syncs_of<'a>(
        db: &'a MemoryStore,
        p: &'a FakePlatform,
        cfg: &'a Config,
        org: &'a str,
    ) -> crate::syncs::Syncs<'a, MemoryStore, FakePlatform> {
        crate::syncs::Syncs {
            db,
            p,
            cfg,
            org,
            actor: "u1",
        }
    }

    /// A sync of `org` over `conn` under `prefix`, run once with `secrets`.
    fn synced(
        db: &MemoryStore,
        p: &FakePlatform,
        cfg: &Config,
        (org, conn, prefix): (&str, &str, &str),
        secrets: Value,
    ) -> String {
        let s = syncs_of(db, p, cfg, org);
        let id = block_on(
            s.create(
                &crate::api::SyncRequest::parse(
                    &json!({ "connectionId": conn, "keyPrefix": prefix }),
                )
                .expect("request"),
            ),
        )
        .expect("sync")
        .sync
        .id;
        let row = db.sync_row(&id).expect("row");
        block_on(s.run(
            &row,
            &crate::api::RunRequest::parse(&json!({ "secrets": secrets })).expect("run"),
        ))
        .expect("ran");
        id
    }

    /// A rotation that keeps no previous secret (each run revokes the last one), rotated once,
    /// and a sync `app/` whose CLIENT_SECRET is that rotation's secret, beside a plain key.
    fn fed_sync() -> (MemoryStore, FakePlatform, Config, RotationRecord, String) {
        let (db, p, cfg) = (store(), app(), oauth_config());
        *p.store.borrow_mut() = Some(crate::fakes::FakeStore::default());
        config_connection(&db, "org1", "c2");
        let id = create(&db, &p, &cfg, json!({ "keepPrevious": 0 })).id;
        let r = rotations(&db, &p, &cfg);
        block_on(r.rotate(&row(&db, &id))).expect("first secret");
        let sync = synced(
            &db,
            &p,
            &cfg,
            ("org1", "c2", "app/"),
            json!({ "CLIENT_SECRET": { "kind": "rotation", "rotationId": id }, "PLAIN": "p" }),
        );
        let rot = row(&db, &id);
        (db, p, cfg, rot, sync)
    }

    fn stored(p: &FakePlatform, key: &str) -> Option<String> {
        p.store
            .borrow()
            .as_ref()
            .and_then(|s| s.get(key))
            .map(|kv| kv.value.clone())
    }

    #[test]
    fn a_new_secret_is_published_to_its_bound_syncs_before_the_old_one_is_revoked() {
        let (db, p, cfg, rot, _) = fed_sync();
        let first = FakeApp::added_key(1);
        assert_eq!(
            stored(&p, "app/CLIENT_SECRET").as_deref(),
            Some("rotated-secret-1")
        );
        // An unbound sync holding a plain value, and another organization's sync whose
        // binding (forged) names this rotation: neither is touched.
        synced(
            &db,
            &p,
            &cfg,
            ("org1", "c2", "other/"),
            json!({ "CLIENT_SECRET": "manual" }),
        );
        config_connection(&db, "org2", "c3");
        let foreign = synced(
            &db,
            &p,
            &cfg,
            ("org2", "c3", "org2/"),
            json!({ "CLIENT_SECRET": "theirs" }),
        );
        db.syncs.bindings.borrow_mut().push((
            "org2".into(),
            foreign,
            "CLIENT_SECRET".into(),
            rot.id.clone(),
        ));
        let before = p.requests.borrow().len();
        let done = block_on(rotations(&db, &p, &cfg).rotate(&rot)).expect("rotated");
        assert_eq!(
            step_names(&done),
            [
                "inspect",
                "add",
                "verify",
                "publish",
                "publish-sync",
                "remove-old"
            ]
        );
        assert_eq!(done.removed, Some(vec![first.clone()]));
        assert_eq!(
            stored(&p, "app/CLIENT_SECRET").as_deref(),
            Some("rotated-secret-2")
        );
        assert_eq!(stored(&p, "app/PLAIN").as_deref(), Some("p"));
        assert_eq!(stored(&p, "other/CLIENT_SECRET").as_deref(), Some("manual"));
        assert_eq!(stored(&p, "org2/CLIENT_SECRET").as_deref(), Some("theirs"));
        // The store's put of the one key (at its ETag, after listing just it) comes before the
        // removal of the old secret.
        let requests = p.requests.borrow();
        let run: Vec<&azconn_core::http::HttpRequest> = requests[before..].iter().collect();
        let put = run
            .iter()
            .position(|r| r.method == azconn_core::http::Method::Put)
            .expect("a put");
        let remove = run
            .iter()
            .position(|r| r.url.ends_with("/removePassword"))
            .expect("a removal");
        assert!(put < remove, "published before the revoke");
        assert!(run[put].url.contains("/kv/app%2FCLIENT_SECRET"));
        assert!(run[put].header("if-match").is_some());
        assert_eq!(
            run.iter()
                .filter(|r| r.method == azconn_core::http::Method::Put)
                .count(),
            1,
            "only the bound key is written"
        );
        drop(requests);
        let audited: Vec<_> = db
            .audit
            .borrow()
            .iter()
            .filter(|a| a.action == "sync.run" && a.detail.get("rotationId").is_some())
            .map(|a| {
                (
                    a.detail["rotationId"].clone(),
                    a.outcome.clone(),
                    a.detail["written"].clone(),
                )
            })
            .collect();
        assert_eq!(
            audited,
            [(json!(rot.id), "ok".to_owned(), json!(["app/CLIENT_SECRET"]))]
        );
        assert!(!format!("{:?}", db.audit.borrow()).contains("rotated-secret-2"));
    }

    #[test]
    fn a_bound_key_turned_into_a_feature_flag_is_not_overwritten_and_says_so() {
        let (db, p, cfg, rot, _) = fed_sync();
        let first = FakeApp::added_key(1);
        p.store
            .borrow_mut()
            .as_mut()
            .expect("store")
            .items
            .iter_mut()
            .find(|kv| kv.key == "app/CLIENT_SECRET")
            .expect("published key")
            .content_type =
            Some("application/vnd.microsoft.appconfig.ff+json;charset=utf-8".into());
        let e = block_on(rotations(&db, &p, &cfg).rotate(&rot)).expect_err("refused");
        assert_eq!(e.status, 409);
        assert!(
            e.error
                .message
                .contains("app/CLIENT_SECRET: it is a feature flag"),
            "{}",
            e.error.message
        );
        assert_eq!(
            stored(&p, "app/CLIENT_SECRET").as_deref(),
            Some("rotated-secret-1")
        );
        assert!(key_ids(&p).contains(&first), "the old secret is kept");
    }

    #[test]
    fn a_failed_publish_keeps_the_old_secret_and_the_next_run_publishes_then_revokes() {
        let (db, p, cfg, rot, _) = fed_sync();
        let first = FakeApp::added_key(1);
        // The store is down for the publication's listing.
        p.answer(Service::Store, HttpResponse::new(503, ""));
        let r = rotations(&db, &p, &cfg);
        block_on(r.rotate(&rot)).expect_err("publication failed");
        assert!(key_ids(&p).contains(&first), "the old secret stays");
        assert_eq!(
            stored(&p, "app/CLIENT_SECRET").as_deref(),
            Some("rotated-secret-1")
        );
        assert_eq!(row(&db, &rot.id).status, RotationStatus::Interrupted);
        assert!(
            db.audit
                .borrow()
                .iter()
                .any(|a| a.action == "sync.run" && a.outcome == "failed")
        );
        // A crash right at publication is the same state: the next run resumes it, publishes
        // the same new secret (no third one) and only then removes the first.
        let done = block_on(r.rotate(&row(&db, &rot.id))).expect("resumed");
        assert_eq!(step_names(&done), ["publish", "publish-sync", "remove-old"]);
        assert_eq!(
            stored(&p, "app/CLIENT_SECRET").as_deref(),
            Some("rotated-secret-2")
        );
        assert_eq!(done.removed, Some(vec![first.clone()]));
        assert!(!key_ids(&p).contains(&first));
        assert!(key_ids(&p).contains(&FakeApp::added_key(2)));
        assert!(!key_ids(&p).contains(&FakeApp::added_key(3)));
    }

    #[test]
    fn a_bound_key_the_sync_no_longer_owns_is_a_conflict_and_the_old_secret_stays() {
        let (db, p, cfg, rot, sync) = fed_sync();
        let first = FakeApp::added_key(1);
        // Someone rewrote the key by hand (no azconn tags).
        {
            let mut store = p.store.borrow_mut();
            let kv = store
                .as_mut()
                .and_then(|s| s.items.iter_mut().find(|kv| kv.key == "app/CLIENT_SECRET"))
                .expect("kv");
            kv.tags.clear();
            kv.value = "by hand".into();
        }
        let e = block_on(rotations(&db, &p, &cfg).rotate(&rot)).expect_err("conflict");
        assert_eq!(e.status, 409);
        assert!(e.error.message.contains(&sync) && e.error.message.contains("app/CLIENT_SECRET"));
        assert_eq!(stored(&p, "app/CLIENT_SECRET").as_deref(), Some("by hand"));
        assert!(key_ids(&p).contains(&first));
        // Running the sync without the rotation's value unbinds it: the next run goes through.
        let s = syncs_of(&db, &p, &cfg, "org1");
        block_on(s.run(
            &db.sync_row(&sync).expect("row"),
            &crate::api::RunRequest::parse(&json!({ "secrets": { "PLAIN": "p" } })).expect("run"),
        ))
        .expect("ran");
        assert!(db.syncs.bindings.borrow().is_empty());
        block_on(rotations(&db, &p, &cfg).rotate(&row(&db, &rot.id))).expect("rotated");
        assert!(!key_ids(&p).contains(&first));
    }

    #[test]
    fn deleting_the_sync_or_the_rotation_removes_the_binding() {
        let (db, p, cfg, rot, sync) = fed_sync();
        assert_eq!(db.syncs.bindings.borrow().len(), 1);
        let s = syncs_of(&db, &p, &cfg, "org1");
        block_on(s.delete(
            &db.sync_row(&sync).expect("row"),
            crate::api::KeysChoice::Keep,
        ))
        .expect("deleted");
        assert!(db.syncs.bindings.borrow().is_empty());
        let sync = synced(
            &db,
            &p,
            &cfg,
            ("org1", "c2", "app/"),
            json!({ "K": { "kind": "rotation", "rotationId": rot.id } }),
        );
        assert_eq!(db.syncs.bindings.borrow()[0].1, sync);
        block_on(rotations(&db, &p, &cfg).delete(&rot, SecretsChoice::Keep)).expect("deleted");
        assert!(db.syncs.bindings.borrow().is_empty());
    }
}
