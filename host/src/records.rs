//! What the host stores, as typed records: enums for every closed set of values, numbers as
//! numbers, JSON columns parsed. `edge::store` reads D1 rows straight into these (the column
//! names are the field names), and is the only place that knows the SQL.

use azconn_core::error::Error;
use azconn_core::form::{ConnectionType, Method};
use azconn_core::rotation::schedule::TimeOfDay;
use azconn_core::sync::SyncMode;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// The wire name of a closed value (`azure-client-secrets`, `client-secret`, `needs-reauth`):
/// its serde name, so no list of names is ever restated by hand.
pub fn wire_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => s,
        _ => String::new(),
    }
}

/// The value a wire name stands for, if any (a path segment such as `azure-client-secrets`).
pub fn from_wire_name<T: DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(Value::String(name.to_owned())).ok()
}

/// A JSON document stored in a TEXT column. Every such column is written by the host itself;
/// one that no longer parses reads as absent rather than making its whole row unreadable.
fn json_text<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Option<T>, D::Error> {
    let text = Option::<String>::deserialize(d)?;
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
}

fn first_version() -> i64 {
    1
}

fn enabled() -> bool {
    true
}

/// A sync's settings as a `PATCH` leaves them, written only at `version`.
pub struct SyncSettings<'a> {
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub label: Option<&'a str>,
    pub key_prefix: &'a str,
    pub key_suffix: &'a str,
    pub mode: SyncMode,
    pub disable_secret_deletion: bool,
    pub version: i64,
    pub now: i64,
}

/// An SQLite boolean column (0 or 1; D1 may also hand back a JSON boolean).
fn sql_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => b,
        Value::Number(n) => n.as_i64().is_some_and(|n| n != 0),
        _ => false,
    })
}

/// Whether a connection works, as its last check or token acquisition found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ConnectionStatus {
    Active,
    /// The OAuth grant is dead (expired, revoked): only signing in again revives it.
    NeedsReauth,
    Failing,
}

/// One row of `connections`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Connection {
    pub id: String,
    pub org_id: String,
    #[serde(rename = "type")]
    pub ty: ConnectionType,
    pub method: Method,
    pub name: String,
    pub description: Option<String>,
    pub tenant_id: String,
    pub client_id: Option<String>,
    pub cloud: String,
    pub endpoint: Option<String>,
    /// Non-secret facts about the credential (certificate report, granted roles, user).
    #[serde(default, deserialize_with = "json_text")]
    pub credential_info: Option<Value>,
    pub status: ConnectionStatus,
    #[serde(default, deserialize_with = "json_text")]
    pub last_error: Option<Error>,
    pub last_validated_at: Option<i64>,
    /// Compare-and-swap for refreshes and updates.
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    /// Who created it, as a label (migration 0002_ui).
    #[serde(default)]
    pub created_by: Option<String>,
}

/// A connection about to be inserted.
pub struct NewConnection<'a> {
    pub id: &'a str,
    pub org_id: &'a str,
    pub ty: ConnectionType,
    pub method: Method,
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub tenant_id: &'a str,
    pub client_id: Option<&'a str>,
    pub cloud: &'a str,
    pub endpoint: Option<&'a str>,
    pub credential_info: &'a Value,
    pub created_by: Option<&'a str>,
    pub now: i64,
}

/// An app-only connection's re-checked fields, replacing the stored ones if `version` still
/// matches.
pub struct CredentialUpdate<'a> {
    pub id: &'a str,
    pub version: i64,
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub method: Method,
    pub tenant_id: &'a str,
    pub client_id: &'a str,
    pub endpoint: Option<&'a str>,
    pub credential_info: &'a Value,
    pub now: i64,
}

/// An API token's listing (never its value: only the hash is stored).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// Who a presented API token or session cookie belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Credential {
    pub id: String,
    pub org_id: String,
    /// The API token's name (for a session: the token it was opened with, if it still exists).
    #[serde(default)]
    pub name: Option<String>,
}

/// One row of `audit_log`. `detail` is stored as the JSON text it was recorded with and
/// answered as that JSON value, so no client parses JSON inside JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    pub outcome: String,
    #[serde(serialize_with = "detail_value")]
    #[cfg_attr(test, ts(type = "unknown"))]
    #[cfg_attr(test, schemars(with = "serde_json::Value"))]
    pub detail: Option<String>,
}

/// The recorded JSON text as its value (text that is not JSON, as a string).
fn detail_value<S: serde::Serializer>(detail: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    let value = detail.as_deref().map(|text| {
        serde_json::from_str(text).unwrap_or_else(|_| serde_json::Value::String(text.to_owned()))
    });
    serde::Serialize::serialize(&value, s)
}

/// A pending OAuth sign-in (`oauth_pending`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PendingSignIn {
    pub id: String,
    pub browser_hash: String,
    pub org_id: String,
    #[serde(rename = "type")]
    pub ty: ConnectionType,
    pub name: String,
    pub description: Option<String>,
    pub tenant: String,
    pub endpoint: Option<String>,
    pub reconnect_id: Option<String>,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    #[serde(default)]
    pub created_by: Option<String>,
}

/// A sign-in about to be stored (its state and browser binding only as hashes).
pub struct NewSignIn<'a> {
    pub id: &'a str,
    pub state_hash: &'a str,
    pub browser_hash: &'a str,
    pub org_id: &'a str,
    pub ty: ConnectionType,
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub tenant: &'a str,
    pub endpoint: Option<&'a str>,
    pub reconnect_id: Option<&'a str>,
    pub created_by: &'a str,
    pub now: i64,
    pub expires_at: i64,
}

/// Where a rotation schedule stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum RotationStatus {
    Pending,
    Running,
    Active,
    Waiting,
    Interrupted,
    Failed,
}

/// The app whose secret a rotation rotates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct RotationTarget {
    pub app_id: String,
    pub object_id: String,
    pub display_name: Option<String>,
}

/// One row of `rotation_leftovers` (migration 0013): a rotation deleted with `secrets=keep`,
/// whose secrets may still be on its app.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RotationLeftover {
    /// The deleted rotation's id: its secrets' display names end with `for <id>`.
    pub id: String,
    pub org_id: String,
    pub name: String,
    pub connection_id: String,
    #[serde(deserialize_with = "json_text")]
    pub target: Option<RotationTarget>,
    pub deleted_at: i64,
}

/// One row of `rotations` (the core's state lives encrypted in `secrets`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Rotation {
    pub id: String,
    pub org_id: String,
    /// Unique per organization (migration 0006).
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub connection_id: String,
    #[serde(deserialize_with = "json_text")]
    pub target: Option<RotationTarget>,
    pub lifetime_days: i64,
    pub interval_days: i64,
    pub keep: i64,
    pub status: RotationStatus,
    #[serde(default, deserialize_with = "json_text")]
    pub last_error: Option<Error>,
    pub current_key_id: Option<String>,
    pub current_hint: Option<String>,
    pub current_expires_at: Option<String>,
    pub next_rotation_at: Option<i64>,
    /// When a run last started, and when one last finished with a new secret (migration 0007).
    #[serde(default)]
    pub last_attempt_at: Option<i64>,
    #[serde(default)]
    pub last_success_at: Option<i64>,
    /// The step a running rotation is on (migration 0002_ui), for live progress.
    #[serde(default)]
    pub step: Option<String>,
    /// Whether the Cron Trigger runs it (migration 0008); a manual run always may. Off, the
    /// next run is `NULL`.
    #[serde(default = "enabled", deserialize_with = "sql_bool")]
    pub auto_rotation: bool,
    /// The UTC time of day a scheduled run waits for (migration 0008), written only in range.
    #[serde(default)]
    pub rotate_at_hours: i64,
    #[serde(default)]
    pub rotate_at_minutes: i64,
    /// Bumped by every settings change (compare-and-swap).
    #[serde(default = "first_version")]
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Rotation {
    /// The stored time of day (midnight for a row written out of range by hand).
    pub fn rotate_at(&self) -> TimeOfDay {
        TimeOfDay::new(self.rotate_at_hours, self.rotate_at_minutes).unwrap_or(TimeOfDay::MIDNIGHT)
    }
}

/// The uniqueness rule a write broke. The schema's UNIQUE index decides, so of two concurrent
/// writes exactly one wins and the other is told which rule refused it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taken {
    /// Another rotation of the organization rotates the same app.
    TargetApp,
    /// Another record of the same kind in the organization has the name.
    Name,
}

/// A rotation's schedule as a `PATCH` leaves them, written only at `version` and while the
/// last success is still `last_success_at` (the next run was computed from it).
pub struct RotationSettings {
    pub name: String,
    pub description: Option<String>,
    pub lifetime_days: i64,
    pub interval_days: i64,
    pub keep: i64,
    pub auto_rotation: bool,
    pub rotate_at: TimeOfDay,
    pub next_rotation_at: Option<i64>,
    pub last_success_at: Option<i64>,
    pub version: i64,
    pub now: i64,
}

/// A rotation schedule about to be inserted.
pub struct NewRotation<'a> {
    pub id: &'a str,
    pub org_id: &'a str,
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub connection_id: &'a str,
    pub target: &'a RotationTarget,
    pub lifetime_days: i64,
    pub interval_days: i64,
    pub keep: i64,
    pub auto_rotation: bool,
    pub rotate_at: TimeOfDay,
    /// `None` with auto rotation off.
    pub next_rotation_at: Option<i64>,
    pub now: i64,
}

/// One row of `syncs`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Sync {
    pub id: String,
    pub org_id: String,
    /// Unique per organization (migration 0006).
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub connection_id: String,
    pub endpoint: String,
    pub label: Option<String>,
    pub key_prefix: String,
    /// After each secret's name (migration 0010).
    #[serde(default)]
    pub key_suffix: String,
    pub mode: SyncMode,
    /// Never delete managed keys missing from a run's secrets.
    #[serde(default, deserialize_with = "sql_bool")]
    pub disable_secret_deletion: bool,
    /// Bumped by every settings change (compare-and-swap).
    #[serde(default = "first_version")]
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A sync about to be inserted.
pub struct NewSync<'a> {
    pub id: &'a str,
    pub org_id: &'a str,
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub connection_id: &'a str,
    pub endpoint: &'a str,
    pub label: Option<&'a str>,
    pub key_prefix: &'a str,
    pub key_suffix: &'a str,
    pub mode: SyncMode,
    pub disable_secret_deletion: bool,
    pub now: i64,
}

/// How a sync run ended (or that it has not yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS, schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum RunStatus {
    Running,
    Succeeded,
    Failed,
}

/// One row of `sync_runs`: the plan and result by key only, never values.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SyncRun {
    pub id: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub status: RunStatus,
    #[serde(default, deserialize_with = "json_text")]
    pub plan: Option<Value>,
    #[serde(default, deserialize_with = "json_text")]
    pub result: Option<Value>,
}

/// One rate-limit window after counting a request in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Window {
    pub count: i64,
    pub window_start: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_connection_row_reads_into_typed_fields() {
        let row = json!({
            "id": "c1", "org_id": "o1", "type": "azure-app-configuration", "method": "client-secret",
            "name": "store", "description": null, "tenant_id": "t", "client_id": "a", "cloud": "global",
            "endpoint": null, "credential_info": "{\"storeProbed\":true}", "status": "needs-reauth",
            "last_error": "{\"code\":\"reauth-required\",\"message\":\"gone\"}", "last_validated_at": 5,
            "version": 2, "created_at": 1, "updated_at": 5, "created_by": null, "extra": 1
        });
        let c: Connection = serde_json::from_value(row).expect("row");
        assert_eq!(c.ty, ConnectionType::AzureAppConfiguration);
        assert_eq!(c.method, Method::ClientSecret);
        assert_eq!(c.status, ConnectionStatus::NeedsReauth);
        assert_eq!(c.credential_info, Some(json!({ "storeProbed": true })));
        assert_eq!(c.last_error.map(|e| e.message), Some("gone".to_owned()));
    }

    #[test]
    fn an_unknown_status_is_refused_not_defaulted() {
        let row = json!({
            "id": "c1", "org_id": "o1", "type": "azure-client-secrets", "method": "oauth", "name": "g",
            "tenant_id": "t", "cloud": "global", "status": "sleeping", "version": 1, "created_at": 1,
            "updated_at": 1
        });
        assert!(serde_json::from_value::<Connection>(row).is_err());
    }

    #[test]
    fn rotation_and_sync_rows_read_their_json_columns_and_closed_values() {
        let r: Rotation = serde_json::from_value(json!({
            "id": "r1", "org_id": "o1", "connection_id": "c1",
            "target": "{\"appId\":\"a\",\"objectId\":\"b\",\"displayName\":null}",
            "lifetime_days": 90, "interval_days": 30, "keep": 1, "state": null,
            "status": "interrupted", "last_error": null, "current_key_id": null,
            "current_hint": null, "current_expires_at": null, "next_rotation_at": 9,
            "version": 1, "created_at": 1, "updated_at": 2, "step": "add"
        }))
        .expect("rotation row");
        assert_eq!(r.status, RotationStatus::Interrupted);
        assert_eq!(r.target.as_ref().map(|t| t.app_id.as_str()), Some("a"));
        assert!(r.auto_rotation, "a row from before 0008 stays scheduled");
        assert_eq!(r.rotate_at(), TimeOfDay::MIDNIGHT);
        let off: Rotation = serde_json::from_value(json!({
            "id": "r2", "org_id": "o1", "connection_id": "c1", "target": null,
            "lifetime_days": 90, "interval_days": 30, "keep": 1, "status": "active",
            "current_key_id": null, "current_hint": null, "current_expires_at": null,
            "next_rotation_at": null, "auto_rotation": 0, "rotate_at_hours": 14,
            "rotate_at_minutes": 5, "created_at": 1, "updated_at": 2
        }))
        .expect("rotation row");
        assert!(!off.auto_rotation);
        assert_eq!(
            (off.rotate_at().hours(), off.rotate_at().minutes()),
            (14, 5)
        );
        let s: Sync = serde_json::from_value(json!({
            "id": "s1", "org_id": "o1", "connection_id": "c1", "endpoint": "https://x.azconfig.io",
            "label": null, "key_prefix": "App:", "mode": "importPreferDestination",
            "disable_secret_deletion": 1, "created_at": 1, "updated_at": 1
        }))
        .expect("sync row");
        assert_eq!(s.mode, SyncMode::ImportPreferDestination);
        assert!(s.disable_secret_deletion);
        assert_eq!(
            s.version, 1,
            "a row from before versions reads as version 1"
        );
        let run: SyncRun = serde_json::from_value(json!({
            "id": "u1", "sync_id": "s1", "started_at": 1, "finished_at": null, "status": "failed",
            "plan": "[{\"op\":\"put\",\"key\":\"App:A\",\"label\":null}]", "result": "not json"
        }))
        .expect("run row");
        assert_eq!(run.status, RunStatus::Failed);
        assert_eq!(run.plan.map(|p| p[0]["key"].clone()), Some(json!("App:A")));
        assert_eq!(run.result, None);
    }

    #[test]
    fn wire_names_are_the_serde_names() {
        assert_eq!(
            wire_name(&ConnectionType::AzureClientSecrets),
            "azure-client-secrets"
        );
        assert_eq!(wire_name(&Method::OAuth), "oauth");
        assert_eq!(wire_name(&ConnectionStatus::NeedsReauth), "needs-reauth");
        assert_eq!(
            from_wire_name::<ConnectionType>("azure-app-configuration"),
            Some(ConnectionType::AzureAppConfiguration)
        );
        assert_eq!(from_wire_name::<ConnectionType>("azure-key-vault"), None);
        assert_eq!(
            wire_name(&SyncMode::ImportPreferSource),
            "importPreferSource"
        );
    }

    #[test]
    fn an_audit_detail_is_answered_as_its_json_value() {
        let entry = |detail: Option<&str>| AuditEntry {
            id: 1,
            at: 2,
            actor: "admin".into(),
            action: "connection.create".into(),
            target: None,
            outcome: "ok".into(),
            detail: detail.map(str::to_owned),
        };
        let detail = |e: AuditEntry| serde_json::to_value(e).expect("json")["detail"].clone();
        assert_eq!(
            detail(entry(Some(
                r#"{"name":"graph","error":{"code":"conflict"}}"#
            ))),
            json!({ "name": "graph", "error": { "code": "conflict" } })
        );
        assert_eq!(detail(entry(Some("not json"))), json!("not json"));
        assert_eq!(detail(entry(None)), Value::Null);
    }
}
