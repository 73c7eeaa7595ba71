//! Every API answer as a typed body (what host/README.md's API table shows, field by field),
//! and the views of stored records: never a secret unless the route exists to hand one over.

use crate::records::{
    ApiToken, AuditEntry, Connection, ConnectionStatus, Rotation, RotationLeftover, RotationStatus,
    RotationTarget, RunStatus, Sync, SyncRun,
};
use azconn_core::cloud::Cloud;
use azconn_core::error::{Code, Error};
use azconn_core::form::{ConnectionType, Method};
use azconn_core::graph::Application;
use azconn_core::rotation::schedule::TimeOfDay;
use azconn_core::sync::{Conflict, KeySchema, SkipReason, SyncMode};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// `GET /health`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
pub struct Health {
    pub ok: bool,
}

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
pub struct Organization {
    pub id: String,
    pub name: String,
}

/// A new API token: the value is shown once, only its hash is stored.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
pub struct NewToken {
    pub id: String,
    pub name: String,
    pub value: String,
}

/// `POST /organizations`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
pub struct OrganizationCreated {
    pub organization: Organization,
    pub token: NewToken,
}

/// `POST /organizations/{id}/tokens`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
pub struct TokenCreated {
    pub token: NewToken,
}

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TokenView {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

impl From<ApiToken> for TokenView {
    fn from(t: ApiToken) -> TokenView {
        TokenView {
            id: t.id,
            name: t.name,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
        }
    }
}

/// `GET /organizations/{id}/tokens`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
pub struct TokenList {
    pub tokens: Vec<TokenView>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
pub struct TokenRef {
    pub id: String,
    pub name: String,
}

/// `DELETE /organizations/{id}/tokens/{tokenId}`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
pub struct TokenRevoked {
    pub token: TokenRef,
}

/// `POST /sessions`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SessionCreated {
    pub organization_id: String,
}

/// `DELETE /sessions`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SignedOut {
    pub signed_out: bool,
}

/// `GET /session`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    pub organization_id: String,
    pub organization_name: Option<String>,
}

/// Whether a method can be used in this deployment, and why not.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
pub struct MethodOption {
    #[cfg_attr(test, schemars(with = "crate::openapi::wire::Method"))]
    pub method: Method,
    pub available: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    #[cfg_attr(test, schemars(with = "Option<crate::openapi::wire::FieldError>"))]
    pub reason: Option<Error>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TypeOptions {
    #[serde(rename = "type")]
    #[cfg_attr(test, schemars(with = "crate::openapi::wire::ConnectionType"))]
    pub ty: ConnectionType,
    pub redirect_uri: String,
    pub methods: Vec<MethodOption>,
}

/// `GET /app-connections/options`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
pub struct ConnectionOptions {
    #[cfg_attr(test, schemars(with = "crate::openapi::wire::Cloud"))]
    pub cloud: Cloud,
    pub options: Vec<TypeOptions>,
}

/// A connection as the API shows it: never a secret.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ConnectionView {
    pub id: String,
    #[serde(rename = "type")]
    #[cfg_attr(test, schemars(with = "crate::openapi::wire::ConnectionType"))]
    pub ty: ConnectionType,
    #[cfg_attr(test, schemars(with = "crate::openapi::wire::Method"))]
    pub method: Method,
    pub name: String,
    pub description: Option<String>,
    pub tenant_id: String,
    pub client_id: Option<String>,
    pub cloud: String,
    pub endpoint: Option<String>,
    pub credential: Option<Value>,
    pub status: ConnectionStatus,
    #[cfg_attr(test, schemars(with = "Option<crate::openapi::wire::FieldError>"))]
    pub last_error: Option<Error>,
    pub last_validated_at: Option<i64>,
    pub version: i64,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<&Connection> for ConnectionView {
    fn from(c: &Connection) -> ConnectionView {
        ConnectionView {
            id: c.id.clone(),
            ty: c.ty,
            method: c.method,
            name: c.name.clone(),
            description: c.description.clone(),
            tenant_id: c.tenant_id.clone(),
            client_id: c.client_id.clone(),
            cloud: c.cloud.clone(),
            endpoint: c.endpoint.clone(),
            credential: c.credential_info.clone(),
            status: c.status,
            last_error: c.last_error.clone(),
            last_validated_at: c.last_validated_at,
            version: c.version,
            created_by: c.created_by.clone(),
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// `{appConnection}`: get, create, update, delete.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ConnectionBody {
    pub app_connection: ConnectionView,
}

impl From<&Connection> for ConnectionBody {
    fn from(c: &Connection) -> ConnectionBody {
        ConnectionBody {
            app_connection: c.into(),
        }
    }
}

/// `GET /app-connections/{type}`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ConnectionList {
    pub app_connections: Vec<ConnectionView>,
}

/// `POST /app-connections/{type}/{id}/validate`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Validation {
    pub valid: bool,
    #[cfg_attr(test, schemars(with = "Option<crate::openapi::wire::FieldError>"))]
    pub error: Option<Error>,
    pub app_connection: ConnectionView,
}

/// `GET /app-connections/azure-client-secrets/{id}/clients`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Clients {
    #[cfg_attr(test, schemars(with = "Vec<crate::openapi::wire::Application>"))]
    pub clients: Vec<Application>,
    pub next_link: Option<String>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
pub enum TokenType {
    Bearer,
}

/// `POST /app-connections/{type}/{id}/token`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AccessTokenBody {
    pub access_token: String,
    pub expires_at: i64,
    pub token_type: TokenType,
}

/// `POST /app-connections/{type}/oauth/start` (the cookie goes in a header).
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct OAuthStarted {
    pub url: String,
    pub redirect_uri: String,
    pub expires_in: i64,
}

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct CurrentKey {
    pub key_id: Option<String>,
    pub hint: Option<String>,
    pub expires_at: Option<String>,
}

/// The UTC time of day a scheduled rotation runs at (Infisical's `rotateAtUtc`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
pub struct RotateAtUtc {
    /// 0–23.
    pub hours: u8,
    /// 0–59.
    pub minutes: u8,
}

impl From<TimeOfDay> for RotateAtUtc {
    fn from(t: TimeOfDay) -> RotateAtUtc {
        RotateAtUtc {
            hours: t.hours(),
            minutes: t.minutes(),
        }
    }
}

/// A rotation as the API shows it (its secret only through `rotate`, once, and `secret`).
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct RotationView {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub connection_id: String,
    pub target: Option<RotationTarget>,
    pub lifetime_days: i64,
    pub interval_days: i64,
    pub keep_previous: i64,
    pub status: RotationStatus,
    #[cfg_attr(test, schemars(with = "Option<crate::openapi::wire::FieldError>"))]
    pub last_error: Option<Error>,
    pub current: CurrentKey,
    /// Whether the Cron Trigger runs it; off, only `rotate` does.
    pub is_auto_rotation_enabled: bool,
    pub rotate_at_utc: RotateAtUtc,
    /// `null` while auto rotation is off.
    pub next_rotation_at: Option<i64>,
    /// When a run last started; when one last finished with a new secret.
    pub last_attempt_at: Option<i64>,
    pub last_success_at: Option<i64>,
    pub step: Option<String>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<&Rotation> for RotationView {
    fn from(r: &Rotation) -> RotationView {
        RotationView {
            id: r.id.clone(),
            name: r.name.clone(),
            description: r.description.clone(),
            connection_id: r.connection_id.clone(),
            target: r.target.clone(),
            lifetime_days: r.lifetime_days,
            interval_days: r.interval_days,
            keep_previous: r.keep,
            status: r.status,
            last_error: r.last_error.clone(),
            current: CurrentKey {
                key_id: r.current_key_id.clone(),
                hint: r.current_hint.clone(),
                expires_at: r.current_expires_at.clone(),
            },
            is_auto_rotation_enabled: r.auto_rotation,
            rotate_at_utc: RotateAtUtc::from(r.rotate_at()),
            next_rotation_at: r.next_rotation_at.filter(|_| r.auto_rotation),
            last_attempt_at: r.last_attempt_at,
            last_success_at: r.last_success_at,
            step: r.step.clone(),
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// `{rotation}`: create, get.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
pub struct RotationBody {
    pub rotation: RotationView,
}

/// `GET /secret-rotations/azure-client-secret`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
pub struct RotationList {
    pub rotations: Vec<RotationView>,
}

/// A rotation deleted with `secrets=keep`: the secrets its runs created may still be on the
/// app (their display names end with `for <id>`).
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct LeftoverView {
    /// The deleted rotation's id.
    pub id: String,
    pub name: String,
    /// The connection that reaches the app (deleting it forgets the leftover).
    pub connection_id: String,
    pub target: Option<RotationTarget>,
    pub deleted_at: i64,
}

impl From<&RotationLeftover> for LeftoverView {
    fn from(l: &RotationLeftover) -> LeftoverView {
        LeftoverView {
            id: l.id.clone(),
            name: l.name.clone(),
            connection_id: l.connection_id.clone(),
            target: l.target.clone(),
            deleted_at: l.deleted_at,
        }
    }
}

/// `GET /secret-rotations/azure-client-secret/leftover-secrets`, newest first.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
pub struct LeftoverList {
    pub leftovers: Vec<LeftoverView>,
}

/// One secret a deleted rotation left on the app, as Graph lists it (never its value).
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct LeftoverSecret {
    pub key_id: String,
    pub hint: Option<String>,
    /// Unix seconds.
    pub expires_at: Option<i64>,
}

/// `GET /secret-rotations/azure-client-secret/leftover-secrets/{id}`: the leftover and the
/// secrets of it that the app still has (read from Graph now).
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
pub struct LeftoverBody {
    pub leftover: LeftoverView,
    pub secrets: Vec<LeftoverSecret>,
}

/// `DELETE /secret-rotations/azure-client-secret/leftover-secrets/{id}`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
pub struct LeftoverDeleted {
    pub leftover: LeftoverView,
    pub secrets: SecretsChoice,
    /// The key ids removed from the app (empty when forgotten with `keep`).
    pub revoked: Vec<String>,
}

/// The rotated secret: its value only to the caller that rotated, or through `.../secret`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SecretBody {
    pub key_id: Option<String>,
    pub value: String,
    pub expires_at: Option<i64>,
}

/// One step a rotation run took.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
pub struct StepTaken {
    pub step: &'static str,
    /// Unix milliseconds.
    pub at: u64,
    pub ok: bool,
    /// How long a `wait` step waits.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub ms: Option<u64>,
}

/// `POST /secret-rotations/azure-client-secret/{id}/rotate`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
pub struct Rotated {
    pub rotation: Option<RotationView>,
    pub secret: Option<SecretBody>,
    /// The previous secrets removed, once the run is done.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub removed: Option<Vec<String>>,
    pub steps: Vec<StepTaken>,
}

/// A sync run as its row records it (keys only, never values).
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct RunView {
    pub id: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub status: RunStatus,
    #[cfg_attr(test, ts(as = "Option<Vec<OpSummary>>"))]
    #[cfg_attr(test, schemars(with = "Option<Vec<OpSummary>>"))]
    pub plan: Option<Value>,
    #[cfg_attr(test, ts(as = "Option<RunResult>"))]
    #[cfg_attr(test, schemars(with = "Option<RunResult>"))]
    pub result: Option<Value>,
}

impl From<SyncRun> for RunView {
    fn from(r: SyncRun) -> RunView {
        RunView {
            id: r.id,
            started_at: r.started_at,
            finished_at: r.finished_at,
            status: r.status,
            plan: r.plan,
            result: r.result,
        }
    }
}

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SyncView {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub connection_id: String,
    pub endpoint: String,
    pub label: Option<String>,
    pub key_prefix: String,
    /// Infisical's name for the key shape: `{keyPrefix}{{secretKey}}{suffix}`.
    pub key_schema: String,
    #[cfg_attr(test, schemars(with = "crate::openapi::wire::SyncMode"))]
    pub mode: SyncMode,
    /// `mode` under Infisical's name, so a client that wrote either reads it back.
    pub initial_sync_behavior: InitialSyncBehavior,
    pub disable_secret_deletion: bool,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    /// When the latest run started; when the latest successful one finished; the latest run's
    /// error if it failed (`null` once a run succeeds; boxed: most views have none).
    pub last_attempt_at: Option<i64>,
    pub last_success_at: Option<i64>,
    #[cfg_attr(test, schemars(with = "Option<crate::openapi::wire::FieldError>"))]
    pub last_error: Option<Box<Error>>,
    pub last_run: Option<RunView>,
}

impl SyncView {
    pub fn new(s: &Sync, last_run: Option<SyncRun>, last_success_at: Option<i64>) -> SyncView {
        let last_error = last_run
            .as_ref()
            .filter(|r| r.status == RunStatus::Failed)
            .and_then(|r| r.result.as_ref())
            .and_then(|result| serde_json::from_value(result["error"].clone()).ok())
            .map(Box::new);
        SyncView {
            id: s.id.clone(),
            name: s.name.clone(),
            description: s.description.clone(),
            connection_id: s.connection_id.clone(),
            endpoint: s.endpoint.clone(),
            label: s.label.clone(),
            key_prefix: s.key_prefix.clone(),
            key_schema: KeySchema::text(&s.key_prefix, &s.key_suffix),
            mode: s.mode,
            initial_sync_behavior: s.mode.into(),
            disable_secret_deletion: s.disable_secret_deletion,
            version: s.version,
            created_at: s.created_at,
            updated_at: s.updated_at,
            last_attempt_at: last_run.as_ref().map(|r| r.started_at),
            last_success_at,
            last_error,
            last_run: last_run.map(RunView::from),
        }
    }
}

/// `{sync}`: create, get, run.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
pub struct SyncBody {
    pub sync: SyncView,
}

/// `GET /secret-syncs/azure-app-configuration`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
pub struct SyncList {
    pub syncs: Vec<SyncView>,
}

/// A key a sync left alone, and why.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
pub struct Skipped {
    pub key: String,
    #[cfg_attr(test, schemars(with = "crate::openapi::wire::SkipReason"))]
    pub reason: SkipReason,
}

/// What a run would do, before anything is written (full keys).
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    pub create: Vec<String>,
    pub update: Vec<String>,
    pub delete: Vec<String>,
    pub unchanged: Vec<String>,
    pub skipped: Vec<Skipped>,
    pub imported: Vec<String>,
    /// Desired keys this sync does not own, left alone unless the run adopts them.
    #[cfg_attr(test, schemars(with = "Vec<crate::openapi::wire::Conflict>"))]
    pub conflicts: Vec<Conflict>,
    /// The `confirmDeletes` the run needs (it deletes more keys than it keeps), if any.
    pub confirm_deletes: Option<u32>,
    /// Given back as the run's `fingerprint`, it refuses the run if the store changed since.
    pub fingerprint: String,
}

/// `POST .../{id}/run` with `dryRun: true`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
pub struct PreviewBody {
    pub preview: Preview,
}

/// `POST .../{id}/run`: the preview of a dry run, or the sync with the run just made.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(untagged)]
pub enum RunAnswer {
    Preview(PreviewBody),
    Ran(SyncBody),
}

/// A planned or applied write of a sync run, by key only (never a value).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
pub struct OpSummary {
    pub op: OpKind,
    pub key: String,
    pub label: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum OpKind {
    Put,
    Delete,
}

/// How a sync run ended, as `lastRun.result` shows it.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(untagged)]
pub enum RunResult {
    Succeeded {
        applied: Vec<OpSummary>,
        skipped: Vec<Skipped>,
        imported: Vec<String>,
        #[cfg_attr(test, schemars(with = "Vec<crate::openapi::wire::Conflict>"))]
        conflicts: Vec<Conflict>,
    },
    /// `applied` is absent (null) when the run failed before writing.
    Failed {
        #[cfg_attr(test, schemars(with = "crate::openapi::wire::FieldError"))]
        error: Error,
        applied: Option<Vec<OpSummary>>,
    },
}

// Request bodies. Text fields are read leniently, as the API always has: a value of another
// JSON type counts as absent, and the field's own check then names it.

fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) => Some(s),
        _ => None,
    })
}

/// The trimmed text of a field, if it has any.
pub fn given(field: &Option<String>) -> Option<&str> {
    field.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// `POST /organizations`, `POST /organizations/{id}/tokens`: `{name}`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NameRequest {
    #[serde(deserialize_with = "text")]
    pub name: Option<String>,
}

/// `POST /sessions`: `{token}`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignInRequest {
    #[serde(deserialize_with = "text")]
    pub token: Option<String>,
}

/// `POST /app-connections/{type}/oauth/start`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct OAuthStartRequest {
    #[serde(deserialize_with = "text")]
    pub name: Option<String>,
    #[serde(deserialize_with = "text")]
    pub description: Option<String>,
    #[serde(deserialize_with = "text")]
    pub tenant_id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub endpoint: Option<String>,
    #[serde(deserialize_with = "text")]
    pub reconnect_id: Option<String>,
}

/// The rotation and sync bodies are read field by field: every field has exactly one JSON type
/// (a string is not a boolean, a number is not a mode), `null` counts as absent, and a field
/// the route does not know is refused rather than ignored, so a misspelt `dryRun` or
/// `confirmDeletes` never runs for real. Errors name the field and the type it needs.
struct Strict<'a> {
    obj: &'a serde_json::Map<String, Value>,
}

impl<'a> Strict<'a> {
    fn new(body: &'a Value, known: &[&str]) -> Result<Strict<'a>, Error> {
        let obj = body.as_object().ok_or_else(|| {
            Error::field("body", Code::InvalidFormat, "the body is a JSON object")
        })?;
        if let Some(unknown) = obj.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(Error::field(
                unknown,
                Code::NotAllowed,
                format!("{unknown} is not a field of this request"),
            )
            .with_hint(format!("the fields are {}", known.join(", "))));
        }
        Ok(Strict { obj })
    }

    fn get(&self, name: &str) -> Option<&'a Value> {
        self.obj.get(name).filter(|v| !v.is_null())
    }

    fn wrong(name: &str, expected: &str) -> Error {
        Error::field(
            name,
            Code::InvalidFormat,
            format!("{name} must be {expected}"),
        )
    }

    fn text(&self, name: &str) -> Result<Option<String>, Error> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(Self::wrong(name, "a string")),
        }
    }

    fn flag(&self, name: &str) -> Result<bool, Error> {
        match self.get(name) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(Self::wrong(
                name,
                "true or false (a JSON boolean, not a string)",
            )),
        }
    }

    /// A boolean that may be absent (`None`), for fields whose default is not `false`.
    fn maybe_flag(&self, name: &str) -> Result<Option<bool>, Error> {
        self.get(name).map(|_| self.flag(name)).transpose()
    }

    /// `{hours, minutes}`, both whole numbers in range and nothing else; errors name the
    /// member (`rotateAtUtc.hours`).
    fn time_of_day(&self, name: &str) -> Result<Option<TimeOfDay>, Error> {
        let Some(v) = self.get(name) else {
            return Ok(None);
        };
        let t = Strict::new(v, &["hours", "minutes"]).map_err(|e| match e.field.as_deref() {
            Some("body") => Self::wrong(name, "an object {hours, minutes}"),
            Some(member) => {
                let field = format!("{name}.{member}");
                Error::field(&field, e.code, format!("{field} is not a member of {name}"))
                    .with_hint(format!("{name} is {{hours (0-23), minutes (0-59)}}"))
            }
            None => e,
        })?;
        let member = |m: &str| -> Result<i64, Error> {
            let field = format!("{name}.{m}");
            t.whole(m)
                .map_err(|_| Self::wrong(&field, "a whole number"))?
                .ok_or_else(|| Error::field(&field, Code::Required, format!("give {field}")))
        };
        let (hours, minutes) = (member("hours")?, member("minutes")?);
        TimeOfDay::new(hours, minutes).map(Some).map_err(|e| {
            let member = e.field.clone().unwrap_or_default();
            e.at(&format!("{name}.{member}"))
        })
    }

    /// A string that is one of `T`'s wire names; `expected` lists them.
    fn wire_value<T: serde::de::DeserializeOwned>(
        &self,
        name: &str,
        expected: &str,
    ) -> Result<Option<T>, Error> {
        self.get(name)
            .map(|v| {
                v.as_str()
                    .and_then(crate::records::from_wire_name::<T>)
                    .ok_or_else(|| Self::wrong(name, expected))
            })
            .transpose()
    }

    fn whole(&self, name: &str) -> Result<Option<i64>, Error> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .ok_or_else(|| Self::wrong(name, "a whole number")),
        }
    }

    fn texts(&self, name: &str) -> Result<Vec<String>, Error> {
        let Some(v) = self.get(name) else {
            return Ok(Vec::new());
        };
        let wrong = || Self::wrong(name, "a list of strings");
        v.as_array()
            .ok_or_else(wrong)?
            .iter()
            .map(|item| item.as_str().map(str::to_owned).ok_or_else(wrong))
            .collect()
    }

    fn object(&self, name: &str) -> Result<Option<serde_json::Map<String, Value>>, Error> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m.clone())),
            Some(_) => Err(Self::wrong(name, "a JSON object")),
        }
    }
}

/// `POST /secret-rotations/azure-client-secret`.
#[derive(Debug, Default, PartialEq)]
#[cfg_attr(
    test,
    derive(ts_rs::TS, schemars::JsonSchema),
    ts(rename_all = "camelCase", optional_fields),
    schemars(rename_all = "camelCase")
)]
pub struct RotationRequest {
    /// Absent: derived from the app's display name.
    pub name: Option<String>,
    pub description: Option<String>,
    pub connection_id: Option<String>,
    pub app_id: Option<String>,
    pub object_id: Option<String>,
    pub lifetime_days: Option<i64>,
    pub interval_days: Option<i64>,
    pub keep_previous: Option<i64>,
    /// Default `true`.
    pub is_auto_rotation_enabled: Option<bool>,
    /// Default `{hours: 0, minutes: 0}`.
    #[cfg_attr(test, ts(as = "Option<RotateAtUtc>"))]
    #[cfg_attr(test, schemars(with = "Option<RotateAtUtc>"))]
    pub rotate_at_utc: Option<TimeOfDay>,
}

impl RotationRequest {
    pub fn parse(body: &Value) -> Result<RotationRequest, Error> {
        let b = Strict::new(
            body,
            &[
                "name",
                "description",
                "connectionId",
                "appId",
                "objectId",
                "lifetimeDays",
                "intervalDays",
                "keepPrevious",
                "isAutoRotationEnabled",
                "rotateAtUtc",
            ],
        )?;
        Ok(RotationRequest {
            name: b.text("name")?,
            description: b.text("description")?,
            connection_id: b.text("connectionId")?,
            app_id: b.text("appId")?,
            object_id: b.text("objectId")?,
            lifetime_days: b.whole("lifetimeDays")?,
            interval_days: b.whole("intervalDays")?,
            keep_previous: b.whole("keepPrevious")?,
            is_auto_rotation_enabled: b.maybe_flag("isAutoRotationEnabled")?,
            rotate_at_utc: b.time_of_day("rotateAtUtc")?,
        })
    }
}

/// Infisical's name for a sync's `mode` and its values (round2.md, secret sync options): the
/// same setting under another name, accepted on create and PATCH and shown beside `mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum InitialSyncBehavior {
    OverwriteDestination,
    ImportPrioritizeSource,
    ImportPrioritizeDestination,
}

impl From<SyncMode> for InitialSyncBehavior {
    fn from(mode: SyncMode) -> InitialSyncBehavior {
        match mode {
            SyncMode::Overwrite => InitialSyncBehavior::OverwriteDestination,
            SyncMode::ImportPreferSource => InitialSyncBehavior::ImportPrioritizeSource,
            SyncMode::ImportPreferDestination => InitialSyncBehavior::ImportPrioritizeDestination,
        }
    }
}

impl From<InitialSyncBehavior> for SyncMode {
    fn from(behavior: InitialSyncBehavior) -> SyncMode {
        match behavior {
            InitialSyncBehavior::OverwriteDestination => SyncMode::Overwrite,
            InitialSyncBehavior::ImportPrioritizeSource => SyncMode::ImportPreferSource,
            InitialSyncBehavior::ImportPrioritizeDestination => SyncMode::ImportPreferDestination,
        }
    }
}

/// The sync mode a body sets, as `mode` or as `initialSyncBehavior` (both only when they say the
/// same), and the latter as given. Each field takes one of its wire names, nothing else (`1` is
/// not `overwrite`).
fn sync_mode(b: &Strict<'_>) -> Result<(Option<SyncMode>, Option<InitialSyncBehavior>), Error> {
    let mode = b.wire_value::<SyncMode>(
        "mode",
        "one of the strings overwrite, importPreferSource, importPreferDestination",
    )?;
    let behavior = b.wire_value::<InitialSyncBehavior>(
        "initialSyncBehavior",
        "one of the strings overwrite-destination, import-prioritize-source, import-prioritize-destination",
    )?;
    match (mode, behavior) {
        (Some(m), Some(i)) if SyncMode::from(i) != m => Err(Error::field(
            "initialSyncBehavior",
            Code::NotAllowed,
            "initialSyncBehavior is Infisical's name for mode, and the two differ: give one of them",
        )
        .with_hint(format!(
            "mode {} is initialSyncBehavior {}",
            crate::records::wire_name(&m),
            crate::records::wire_name(&InitialSyncBehavior::from(m))
        ))),
        _ => Ok((mode.or(behavior.map(SyncMode::from)), behavior)),
    }
}

/// Infisical's `keySchema`, parsed; refused beside `keyPrefix`, which says the same thing.
fn key_schema(b: &Strict<'_>) -> Result<Option<KeySchema>, Error> {
    let schema = b.text("keySchema")?;
    if schema.is_some() && b.get("keyPrefix").is_some() {
        return Err(Error::field(
            "keySchema",
            Code::NotAllowed,
            "give keyPrefix or keySchema, not both",
        )
        .with_hint("keyPrefix P is the key schema P{{secretKey}}"));
    }
    schema.as_deref().map(KeySchema::parse).transpose()
}

/// `PATCH /secret-rotations/azure-client-secret/{id}`: the schedule to change, at the version
/// the caller read.
#[derive(Debug, Default, PartialEq)]
#[cfg_attr(
    test,
    derive(ts_rs::TS, schemars::JsonSchema),
    ts(rename_all = "camelCase", optional_fields),
    schemars(rename_all = "camelCase")
)]
pub struct RotationPatch {
    pub version: i64,
    pub name: Option<String>,
    /// `Some("")` removes the description.
    pub description: Option<String>,
    pub lifetime_days: Option<i64>,
    pub interval_days: Option<i64>,
    pub keep_previous: Option<i64>,
    pub is_auto_rotation_enabled: Option<bool>,
    #[cfg_attr(test, ts(as = "Option<RotateAtUtc>"))]
    #[cfg_attr(test, schemars(with = "Option<RotateAtUtc>"))]
    pub rotate_at_utc: Option<TimeOfDay>,
}

impl RotationPatch {
    pub fn parse(body: &Value) -> Result<RotationPatch, Error> {
        let b = Strict::new(
            body,
            &[
                "version",
                "name",
                "description",
                "lifetimeDays",
                "intervalDays",
                "keepPrevious",
                "isAutoRotationEnabled",
                "rotateAtUtc",
            ],
        )?;
        Ok(RotationPatch {
            version: required_version(&b, "rotation")?,
            name: b.text("name")?,
            description: b.text("description")?,
            lifetime_days: b.whole("lifetimeDays")?,
            interval_days: b.whole("intervalDays")?,
            keep_previous: b.whole("keepPrevious")?,
            is_auto_rotation_enabled: b.maybe_flag("isAutoRotationEnabled")?,
            rotate_at_utc: b.time_of_day("rotateAtUtc")?,
        })
    }
}

fn required_version(b: &Strict<'_>, what: &str) -> Result<i64, Error> {
    b.whole("version")?.ok_or_else(|| {
        Error::field(
            "version",
            Code::Required,
            format!("give the version you read (GET the {what}): a change is written only at that version"),
        )
    })
}

/// `POST /secret-syncs/azure-app-configuration`.
#[derive(Debug, Default, PartialEq)]
#[cfg_attr(
    test,
    derive(ts_rs::TS, schemars::JsonSchema),
    ts(rename_all = "camelCase", optional_fields),
    schemars(rename_all = "camelCase")
)]
pub struct SyncRequest {
    /// Absent: derived from the store, label and prefix.
    pub name: Option<String>,
    pub description: Option<String>,
    pub connection_id: Option<String>,
    pub endpoint: Option<String>,
    pub label: Option<String>,
    pub key_prefix: Option<String>,
    /// Infisical's `{prefix}{{secretKey}}{suffix}`, instead of `keyPrefix`.
    #[cfg_attr(test, ts(as = "Option<String>"))]
    #[cfg_attr(test, schemars(with = "Option<String>"))]
    pub key_schema: Option<KeySchema>,
    /// Default `overwrite`; or set by `initialSyncBehavior`.
    #[cfg_attr(test, schemars(with = "Option<crate::openapi::wire::SyncMode>"))]
    pub mode: Option<SyncMode>,
    /// Infisical's name for `mode` (its values in the same order); beside `mode` only when both
    /// say the same. Parsing folds it into `mode`, which is what the use-case reads.
    pub initial_sync_behavior: Option<InitialSyncBehavior>,
    #[cfg_attr(test, ts(as = "Option<_>", optional))]
    pub disable_secret_deletion: bool,
}

impl SyncRequest {
    pub fn parse(body: &Value) -> Result<SyncRequest, Error> {
        let b = Strict::new(
            body,
            &[
                "name",
                "description",
                "connectionId",
                "endpoint",
                "label",
                "keyPrefix",
                "keySchema",
                "mode",
                "initialSyncBehavior",
                "disableSecretDeletion",
            ],
        )?;
        let (mode, initial_sync_behavior) = sync_mode(&b)?;
        Ok(SyncRequest {
            name: b.text("name")?,
            description: b.text("description")?,
            connection_id: b.text("connectionId")?,
            endpoint: b.text("endpoint")?,
            label: b.text("label")?,
            key_prefix: b.text("keyPrefix")?,
            key_schema: key_schema(&b)?,
            mode,
            initial_sync_behavior,
            disable_secret_deletion: b.flag("disableSecretDeletion")?,
        })
    }
}

/// `PATCH /secret-syncs/azure-app-configuration/{id}`: the settings to change, at the version
/// the caller read (required: a write based on stale settings is a 409, never a silent merge).
#[derive(Debug, Default, PartialEq)]
#[cfg_attr(
    test,
    derive(ts_rs::TS, schemars::JsonSchema),
    ts(rename_all = "camelCase", optional_fields),
    schemars(rename_all = "camelCase")
)]
pub struct SyncPatch {
    pub version: i64,
    pub name: Option<String>,
    /// `Some("")` removes the description.
    pub description: Option<String>,
    /// `Some("")` removes the label.
    pub label: Option<String>,
    /// Changes the prefix only (a suffix from `keySchema` stays).
    pub key_prefix: Option<String>,
    #[cfg_attr(test, ts(as = "Option<String>"))]
    #[cfg_attr(test, schemars(with = "Option<String>"))]
    pub key_schema: Option<KeySchema>,
    /// Or set by `initialSyncBehavior`.
    #[cfg_attr(test, schemars(with = "Option<crate::openapi::wire::SyncMode>"))]
    pub mode: Option<SyncMode>,
    /// Infisical's name for `mode` (its values in the same order); beside `mode` only when both
    /// say the same. Parsing folds it into `mode`, which is what the use-case reads.
    pub initial_sync_behavior: Option<InitialSyncBehavior>,
    pub disable_secret_deletion: Option<bool>,
}

impl SyncPatch {
    pub fn parse(body: &Value) -> Result<SyncPatch, Error> {
        let b = Strict::new(
            body,
            &[
                "version",
                "name",
                "description",
                "label",
                "keyPrefix",
                "keySchema",
                "mode",
                "initialSyncBehavior",
                "disableSecretDeletion",
            ],
        )?;
        let (mode, initial_sync_behavior) = sync_mode(&b)?;
        Ok(SyncPatch {
            version: required_version(&b, "sync")?,
            name: b.text("name")?,
            description: b.text("description")?,
            label: b.text("label")?,
            key_prefix: b.text("keyPrefix")?,
            key_schema: key_schema(&b)?,
            mode,
            initial_sync_behavior,
            disable_secret_deletion: b
                .get("disableSecretDeletion")
                .map(|_| b.flag("disableSecretDeletion"))
                .transpose()?,
        })
    }
}

/// `POST /secret-syncs/azure-app-configuration/{id}/run`: the secrets stay JSON until each is
/// checked by name (`secrets.NAME`).
#[derive(Debug, Default, PartialEq)]
#[cfg_attr(
    test,
    derive(ts_rs::TS, schemars::JsonSchema),
    ts(rename_all = "camelCase", optional_fields),
    schemars(rename_all = "camelCase")
)]
pub struct RunRequest {
    pub secrets: Option<serde_json::Map<String, Value>>,
    #[cfg_attr(test, ts(as = "Option<_>", optional))]
    pub dry_run: bool,
    /// Full keys the run takes over although this sync does not own them.
    #[cfg_attr(test, ts(as = "Option<_>", optional))]
    pub adopt: Vec<String>,
    /// The number of deletions confirmed, for a run that deletes more keys than it keeps.
    pub confirm_deletes: Option<u32>,
    /// A preview's fingerprint: the run applies only to the store as that preview saw it.
    pub fingerprint: Option<String>,
}

impl RunRequest {
    pub fn parse(body: &Value) -> Result<RunRequest, Error> {
        let b = Strict::new(
            body,
            &[
                "secrets",
                "dryRun",
                "adopt",
                "confirmDeletes",
                "fingerprint",
            ],
        )?;
        let confirm_deletes = b
            .whole("confirmDeletes")?
            .map(|n| {
                u32::try_from(n)
                    .map_err(|_| Strict::wrong("confirmDeletes", "the number of keys to delete"))
            })
            .transpose()?;
        let dry_run = b.flag("dryRun")?;
        if dry_run && b.get("fingerprint").is_some() {
            return Err(Error::field(
                "fingerprint",
                Code::NotAllowed,
                "a dry run makes the fingerprint: give it to the run that applies the preview",
            ));
        }
        Ok(RunRequest {
            secrets: b.object("secrets")?,
            dry_run,
            adopt: b.texts("adopt")?,
            confirm_deletes,
            fingerprint: b
                .text("fingerprint")?
                .map(|f| {
                    let digest = f.len() == 43
                        && f.bytes()
                            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_');
                    digest.then_some(f).ok_or_else(|| {
                        Strict::wrong("fingerprint", "the 43-character fingerprint of a preview")
                    })
                })
                .transpose()?,
        })
    }
}

/// What deleting a rotation does with the secrets it created on the target app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum SecretsChoice {
    /// Remove them from the app (Graph removePassword): consumers using them stop working.
    Revoke,
    /// Leave them on the app until they expire (a deleted rotation's are then listed under
    /// `leftover-secrets`, to revoke or forget later).
    Keep,
}

/// What deleting a sync does with the keys it owns in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum KeysChoice {
    /// Delete the keys it owns (conditional deletes; nobody else's keys).
    Remove,
    /// Leave them in the store, still tagged with the deleted sync's id.
    Keep,
}

/// The choice a DELETE must make explicitly, from its query parameter (`?secrets=revoke`).
pub fn choice<T: serde::de::DeserializeOwned>(
    name: &str,
    value: Option<&str>,
    values: &str,
) -> Result<T, Error> {
    let Some(v) = value else {
        return Err(Error::field(
            name,
            Code::Required,
            format!("choose what happens to them: ?{name}={values}"),
        ));
    };
    crate::records::from_wire_name(v).ok_or_else(|| {
        Error::field(
            name,
            Code::InvalidFormat,
            format!("{name} is one of {values}"),
        )
    })
}

/// The query of `DELETE /app-connections/{type}/{id}`. Without `dependents=delete` a
/// connection in use is refused (409 naming its rotations and syncs); with it they are deleted
/// first, rotations with the `secrets` choice and syncs with the `keys` choice (each required
/// when there are such dependents).
#[derive(Debug, Default, PartialEq)]
pub struct ConnectionDeleteQuery {
    pub dependents: bool,
    pub secrets: Option<SecretsChoice>,
    pub keys: Option<KeysChoice>,
}

impl ConnectionDeleteQuery {
    const PARAMETERS: [&'static str; 3] = ["dependents", "secrets", "keys"];

    /// Each parameter at most once, nothing else; `secrets` and `keys` only with
    /// `dependents=delete` (alone they would do nothing).
    pub fn parse(query: &str) -> Result<ConnectionDeleteQuery, Error> {
        let mut q = ConnectionDeleteQuery::default();
        let mut seen: Vec<&str> = Vec::new();
        for part in query.split('&').filter(|p| !p.is_empty()) {
            let (raw_name, raw_value) = part.split_once('=').unwrap_or((part, ""));
            let decode = |raw: &str, field: &str| {
                azconn_core::http::decode_component(raw)
                    .map_err(|e| Error::field(field, Code::InvalidFormat, e.message))
            };
            let name = decode(raw_name, "query")?;
            let Some(&name) = Self::PARAMETERS.iter().find(|p| **p == name) else {
                return Err(Error::field(
                    &name,
                    Code::NotAllowed,
                    format!("{name} is not a parameter of this delete"),
                )
                .with_hint(format!(
                    "the parameters are {}",
                    Self::PARAMETERS.join(", ")
                )));
            };
            if seen.contains(&name) {
                return Err(Error::field(
                    name,
                    Code::NotAllowed,
                    format!("{name} is given more than once"),
                )
                .with_hint(format!("give {name} once")));
            }
            seen.push(name);
            let value = decode(raw_value, name)?;
            match name {
                "dependents" if value == "delete" => q.dependents = true,
                "dependents" => {
                    return Err(Error::field(
                        name,
                        Code::InvalidFormat,
                        "dependents is delete: the rotations and syncs that use the connection are deleted with it",
                    ));
                }
                "secrets" => q.secrets = Some(choice(name, Some(&value), "revoke or keep")?),
                _ => q.keys = Some(choice(name, Some(&value), "remove or keep")?),
            }
        }
        if !q.dependents
            && let Some(name) = ["secrets", "keys"].into_iter().find(|n| seen.contains(n))
        {
            return Err(Error::field(
                name,
                Code::NotAllowed,
                format!("{name} applies only to a delete with dependents=delete"),
            )
            .with_hint("add dependents=delete to delete the rotations and syncs that use the connection too"));
        }
        Ok(q)
    }
}

/// `DELETE /app-connections/{type}/{id}`: the connection, and what was deleted with it
/// (`?dependents=delete`; empty otherwise), each as its own DELETE answers.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ConnectionDeleted {
    pub app_connection: ConnectionView,
    pub rotations: Vec<RotationDeleted>,
    pub syncs: Vec<SyncDeleted>,
}

/// `DELETE /secret-rotations/azure-client-secret/{id}`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
pub struct RotationDeleted {
    pub rotation: RotationView,
    pub secrets: SecretsChoice,
    /// The key ids removed from the app (empty when kept).
    pub revoked: Vec<String>,
}

/// `DELETE /secret-syncs/azure-app-configuration/{id}`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
pub struct SyncDeleted {
    pub sync: SyncView,
    pub keys: KeysChoice,
    /// The keys deleted from the store (empty when kept).
    pub removed: Vec<String>,
    pub skipped: Vec<Skipped>,
}

/// `GET /audit-log`: one page, newest first. `nextCursor` is the `before` that asks for the
/// next page, `null` on the last one.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub next_cursor: Option<i64>,
}

/// `GET /encryption`: the deployment's keyring against what storage holds. A version can leave
/// `AZCONN_ENCRYPTION_KEYS` once it is in `unusedVersions`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct EncryptionStatus {
    /// The version new values are sealed with: the newest listed.
    pub current_version: u32,
    /// The versions `AZCONN_ENCRYPTION_KEYS` lists, oldest first.
    pub key_versions: Vec<u32>,
    /// How many sealed values each key version holds (a version holding none is absent).
    pub by_version: std::collections::BTreeMap<u32, u32>,
    /// Values under an older listed version: what the sweep still has to re-seal.
    pub remaining: u32,
    /// Versions holding values but not listed: those values cannot be decrypted until the key
    /// is listed again.
    pub missing_versions: Vec<u32>,
    /// Older listed versions holding nothing: safe to remove from the keyring.
    pub unused_versions: Vec<u32>,
}

/// A value the sweep could not open under its listed version (never its content).
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ResealFailure {
    pub owner_id: String,
    pub field: String,
    pub key_version: u32,
    #[cfg_attr(test, schemars(with = "crate::openapi::wire::FieldError"))]
    pub error: Error,
}

/// `POST /encryption/reseal`: one batch of the sweep, then the status.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ResealAnswer {
    /// Values moved to the current version by this call.
    pub resealed: u32,
    /// Values read but replaced or deleted by another writer before this call wrote (left as
    /// that writer stored them).
    pub changed: u32,
    pub failed: Vec<ResealFailure>,
    #[serde(flatten)]
    #[cfg_attr(test, ts(flatten))]
    pub status: EncryptionStatus,
}

/// `POST /encryption/reseal`: `{limit?}`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ResealRequest {
    pub limit: Option<u32>,
}

impl ResealRequest {
    /// How many values this call re-seals: 1 to [`crate::keys_at_rest::MAX_BATCH`].
    pub fn limit(&self) -> Result<u32, Error> {
        use crate::keys_at_rest::{DEFAULT_BATCH, MAX_BATCH};
        match self.limit {
            None => Ok(DEFAULT_BATCH),
            Some(n) if (1..=MAX_BATCH).contains(&n) => Ok(n),
            Some(_) => Err(Error::field(
                "limit",
                Code::OutOfRange,
                format!("limit is a whole number from 1 to {MAX_BATCH}"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn connection() -> Connection {
        serde_json::from_value(json!({
            "id": "c1", "org_id": "o1", "type": "azure-client-secrets", "method": "certificate",
            "name": "graph", "description": "d", "tenant_id": "t", "client_id": "a",
            "cloud": "global", "endpoint": null, "credential_info": "{\"permission\":\"x\"}",
            "status": "active", "last_error": null, "last_validated_at": 7, "version": 3,
            "created_at": 1, "updated_at": 7, "created_by": "API token \"default\""
        }))
        .expect("row")
    }

    #[test]
    fn a_connection_shows_every_documented_field_and_no_other() {
        let v = serde_json::to_value(ConnectionBody::from(&connection())).expect("json");
        let c = &v["appConnection"];
        let mut keys: Vec<&str> = c
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "clientId",
                "cloud",
                "createdAt",
                "createdBy",
                "credential",
                "description",
                "endpoint",
                "id",
                "lastError",
                "lastValidatedAt",
                "method",
                "name",
                "status",
                "tenantId",
                "type",
                "updatedAt",
                "version"
            ]
        );
        assert_eq!(c["type"], "azure-client-secrets");
        assert_eq!(c["method"], "certificate");
        assert_eq!(c["credential"], json!({ "permission": "x" }));
        assert_eq!(c["version"], 3);
    }

    #[test]
    fn request_text_of_another_type_counts_as_absent() {
        let r: OAuthStartRequest =
            serde_json::from_value(json!({ "name": 5, "tenantId": "  t  ", "endpoint": "" }))
                .expect("request");
        assert_eq!(r.name, None);
        assert_eq!(given(&r.tenant_id), Some("t"));
        assert_eq!(given(&r.endpoint), None);
    }

    fn refused(e: Error) -> (Option<String>, Code) {
        (e.field, e.code)
    }

    #[test]
    fn sync_and_rotation_bodies_take_each_field_in_one_type_only() {
        let run =
            RunRequest::parse(&json!({ "dryRun": true, "secrets": { "A": "1" } })).expect("run");
        assert!(run.dry_run);
        assert_eq!(run.secrets.map(|s| s.len()), Some(1));
        assert_eq!(
            RunRequest::parse(&json!({ "dryRun": null })).expect("run"),
            RunRequest::default()
        );
        let bad = |v: Value| refused(RunRequest::parse(&v).expect_err("refused"));
        assert_eq!(
            bad(json!({ "dryRun": "true", "secrets": {} })),
            (Some("dryRun".into()), Code::InvalidFormat)
        );
        assert_eq!(
            bad(json!({ "secrets": ["A"] })),
            (Some("secrets".into()), Code::InvalidFormat)
        );
        assert_eq!(
            bad(json!({ "dryrun": true })),
            (Some("dryrun".into()), Code::NotAllowed)
        );
        let run =
            RunRequest::parse(&json!({ "adopt": ["App:A"], "confirmDeletes": 3 })).expect("run");
        assert_eq!(
            (run.adopt, run.confirm_deletes),
            (vec!["App:A".to_owned()], Some(3))
        );
        for body in [
            json!({ "adopt": "App:A" }),
            json!({ "adopt": [1] }),
            json!({ "confirmDeletes": -1 }),
            json!({ "confirmDeletes": "3" }),
        ] {
            assert!(RunRequest::parse(&body).is_err(), "{body}");
        }
        let sync =
            SyncRequest::parse(&json!({ "connectionId": "c", "mode": "importPreferSource" }))
                .expect("sync");
        assert_eq!(sync.mode, Some(SyncMode::ImportPreferSource));
        for mode in [json!(1), json!("Overwrite"), json!(true)] {
            assert_eq!(
                refused(SyncRequest::parse(&json!({ "mode": mode })).expect_err("mode")),
                (Some("mode".into()), Code::InvalidFormat)
            );
        }
        assert_eq!(
            refused(SyncRequest::parse(&json!({ "label": 5 })).expect_err("label")),
            (Some("label".into()), Code::InvalidFormat)
        );
        let r = RotationRequest::parse(&json!({ "connectionId": "c", "intervalDays": 7 }))
            .expect("rotation");
        assert_eq!(r.interval_days, Some(7));
        for (body, field) in [
            (json!({ "intervalDays": "7" }), "intervalDays"),
            (json!({ "lifetimeDays": 1.5 }), "lifetimeDays"),
            (json!({ "connectionId": 3 }), "connectionId"),
            (json!({ "interval": 7 }), "interval"),
        ] {
            assert_eq!(
                RotationRequest::parse(&body)
                    .expect_err("refused")
                    .field
                    .as_deref(),
                Some(field)
            );
        }
    }

    #[test]
    fn initial_sync_behavior_is_infisicals_name_for_the_mode_on_create_and_patch() {
        let create = |v: Value| SyncRequest::parse(&v);
        let patch = |mut v: Value| {
            v["version"] = json!(1);
            SyncPatch::parse(&v).map(|p| (p.mode, p.initial_sync_behavior))
        };
        for (wire, behavior, mode) in [
            (
                "overwrite-destination",
                InitialSyncBehavior::OverwriteDestination,
                SyncMode::Overwrite,
            ),
            (
                "import-prioritize-source",
                InitialSyncBehavior::ImportPrioritizeSource,
                SyncMode::ImportPreferSource,
            ),
            (
                "import-prioritize-destination",
                InitialSyncBehavior::ImportPrioritizeDestination,
                SyncMode::ImportPreferDestination,
            ),
        ] {
            let body = json!({ "initialSyncBehavior": wire });
            let sync = create(body.clone()).expect(wire);
            assert_eq!(
                (sync.mode, sync.initial_sync_behavior),
                (Some(mode), Some(behavior))
            );
            assert_eq!(patch(body).expect(wire), (Some(mode), Some(behavior)));
            // Both names, saying the same thing.
            let both =
                json!({ "mode": crate::records::wire_name(&mode), "initialSyncBehavior": wire });
            assert_eq!(create(both.clone()).expect(wire).mode, Some(mode));
            assert_eq!(patch(both).expect(wire), (Some(mode), Some(behavior)));
            assert_eq!(InitialSyncBehavior::from(mode), behavior);
            assert_eq!(crate::records::wire_name(&behavior), wire);
        }
        assert_eq!(patch(json!({})).expect("no mode"), (None, None));
        for wrong in [
            json!("overwrite"),
            json!("Overwrite-Destination"),
            json!(1),
            json!(true),
            json!(["overwrite-destination"]),
        ] {
            for e in [
                create(json!({ "initialSyncBehavior": wrong })).expect_err("refused"),
                patch(json!({ "initialSyncBehavior": wrong })).expect_err("refused"),
            ] {
                assert_eq!(
                    refused(e.clone()),
                    (Some("initialSyncBehavior".into()), Code::InvalidFormat),
                    "{wrong}"
                );
                assert_eq!(
                    e.message,
                    "initialSyncBehavior must be one of the strings overwrite-destination, \
                     import-prioritize-source, import-prioritize-destination"
                );
            }
        }
        let disagree =
            json!({ "mode": "overwrite", "initialSyncBehavior": "import-prioritize-source" });
        for e in [
            create(disagree.clone()).expect_err("refused"),
            patch(disagree).expect_err("refused"),
        ] {
            assert_eq!(
                refused(e.clone()),
                (Some("initialSyncBehavior".into()), Code::NotAllowed)
            );
            assert_eq!(
                e.hint.as_deref(),
                Some("mode overwrite is initialSyncBehavior overwrite-destination")
            );
        }
        // A wrong `mode` is still refused on `mode`, whatever the other says.
        let e = create(json!({ "mode": 1, "initialSyncBehavior": "overwrite-destination" }))
            .expect_err("refused");
        assert_eq!(refused(e), (Some("mode".into()), Code::InvalidFormat));
    }

    #[test]
    fn the_schedule_is_a_boolean_and_a_bounded_time_of_day_with_nothing_else() {
        let r = RotationRequest::parse(&json!({
            "isAutoRotationEnabled": false, "rotateAtUtc": { "hours": 23, "minutes": 59 }
        }))
        .expect("rotation");
        assert_eq!(r.is_auto_rotation_enabled, Some(false));
        assert_eq!(r.rotate_at_utc, Some(TimeOfDay::new(23, 59).expect("time")));
        let p = RotationPatch::parse(&json!({ "version": 2, "isAutoRotationEnabled": true }))
            .expect("patch");
        assert_eq!(
            (p.is_auto_rotation_enabled, p.rotate_at_utc),
            (Some(true), None)
        );
        for (body, field, code) in [
            (
                json!({ "isAutoRotationEnabled": "true" }),
                "isAutoRotationEnabled",
                Code::InvalidFormat,
            ),
            (
                json!({ "isAutoRotationEnabled": 1 }),
                "isAutoRotationEnabled",
                Code::InvalidFormat,
            ),
            (
                json!({ "rotateAtUtc": "02:00" }),
                "rotateAtUtc",
                Code::InvalidFormat,
            ),
            (
                json!({ "rotateAtUtc": { "hours": 24, "minutes": 0 } }),
                "rotateAtUtc.hours",
                Code::OutOfRange,
            ),
            (
                json!({ "rotateAtUtc": { "hours": -1, "minutes": 0 } }),
                "rotateAtUtc.hours",
                Code::OutOfRange,
            ),
            (
                json!({ "rotateAtUtc": { "hours": 0, "minutes": 60 } }),
                "rotateAtUtc.minutes",
                Code::OutOfRange,
            ),
            (
                json!({ "rotateAtUtc": { "hours": "2", "minutes": 0 } }),
                "rotateAtUtc.hours",
                Code::InvalidFormat,
            ),
            (
                json!({ "rotateAtUtc": { "hours": 2, "minutes": 0.5 } }),
                "rotateAtUtc.minutes",
                Code::InvalidFormat,
            ),
            (
                json!({ "rotateAtUtc": { "hours": 2 } }),
                "rotateAtUtc.minutes",
                Code::Required,
            ),
            (
                json!({ "rotateAtUtc": { "hours": 2, "minutes": 0, "seconds": 0 } }),
                "rotateAtUtc.seconds",
                Code::NotAllowed,
            ),
        ] {
            for e in [
                RotationRequest::parse(&body).expect_err("refused"),
                RotationPatch::parse(&{
                    let mut b = body.clone();
                    b["version"] = json!(1);
                    b
                })
                .expect_err("refused"),
            ] {
                assert_eq!(refused(e), (Some(field.to_owned()), code), "{body}");
            }
        }
    }

    #[test]
    fn a_connection_delete_takes_its_three_parameters_once_each_and_nothing_else() {
        let q = |s: &str| ConnectionDeleteQuery::parse(s);
        assert_eq!(q("").expect("plain"), ConnectionDeleteQuery::default());
        assert_eq!(
            q("dependents=delete&secrets=revoke&keys=keep").expect("all"),
            ConnectionDeleteQuery {
                dependents: true,
                secrets: Some(SecretsChoice::Revoke),
                keys: Some(KeysChoice::Keep),
            }
        );
        assert_eq!(
            q("dependents=delete").expect("choices checked later"),
            ConnectionDeleteQuery {
                dependents: true,
                ..Default::default()
            }
        );
        for (query, field, code) in [
            ("force=1", "force", Code::NotAllowed),
            (
                "dependents=delete&dependents=delete",
                "dependents",
                Code::NotAllowed,
            ),
            (
                "dependents=delete&secrets=keep&secrets=revoke",
                "secrets",
                Code::NotAllowed,
            ),
            ("dependents=cascade", "dependents", Code::InvalidFormat),
            (
                "dependents=delete&secrets=all",
                "secrets",
                Code::InvalidFormat,
            ),
            ("dependents=delete&keys=", "keys", Code::InvalidFormat),
            ("secrets=revoke", "secrets", Code::NotAllowed),
            ("keys=remove", "keys", Code::NotAllowed),
            ("dependents=%ZZ", "dependents", Code::InvalidFormat),
        ] {
            assert_eq!(
                refused(q(query).expect_err("refused")),
                (Some(field.to_owned()), code),
                "{query}"
            );
        }
    }

    #[test]
    fn a_delete_choice_is_required_and_closed() {
        let e = choice::<SecretsChoice>("secrets", None, "revoke or keep").expect_err("required");
        assert_eq!(
            (e.field.as_deref(), e.code),
            (Some("secrets"), Code::Required)
        );
        assert_eq!(
            choice::<SecretsChoice>("secrets", Some("revoke"), "").expect("revoke"),
            SecretsChoice::Revoke
        );
        assert_eq!(
            choice::<KeysChoice>("keys", Some("keep"), "").expect("keep"),
            KeysChoice::Keep
        );
        let e = choice::<KeysChoice>("keys", Some("all"), "remove or keep").expect_err("closed");
        assert_eq!(
            (e.field.as_deref(), e.code),
            (Some("keys"), Code::InvalidFormat)
        );
    }

    #[test]
    fn a_token_body_says_bearer_and_an_unavailable_method_says_why() {
        let t = AccessTokenBody {
            access_token: "at".into(),
            expires_at: 9,
            token_type: TokenType::Bearer,
        };
        assert_eq!(
            serde_json::to_value(t).expect("json"),
            json!({ "accessToken": "at", "expiresAt": 9, "tokenType": "Bearer" })
        );
        let m = MethodOption {
            method: Method::OAuth,
            available: true,
            reason: None,
        };
        assert_eq!(
            serde_json::to_value(m).expect("json"),
            json!({ "method": "oauth", "available": true })
        );
    }

    #[test]
    fn a_reseal_limit_is_bounded_and_typed() {
        let parse = |v: Value| serde_json::from_value::<ResealRequest>(v);
        assert_eq!(parse(json!({})).expect("empty").limit(), Ok(50));
        assert_eq!(
            parse(json!({ "limit": 200 })).expect("max").limit(),
            Ok(200)
        );
        for bad in [0, 201] {
            let e = parse(json!({ "limit": bad }))
                .expect("number")
                .limit()
                .expect_err("range");
            assert_eq!(
                (e.field.as_deref(), e.code),
                (Some("limit"), Code::OutOfRange)
            );
        }
        assert!(parse(json!({ "limit": "50" })).is_err());
        assert!(parse(json!({ "limit": 2.5 })).is_err());
        assert!(parse(json!({ "batch": 5 })).is_err());
    }
}
