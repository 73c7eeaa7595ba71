//! D1 access: organizations, tokens, connections, encrypted secrets, the audit log.

use super::reply::{ApiError, internal};
use super::runtime::{now_s, random};
use crate::keyring::{Keyring, Sealed, aad};
use serde::Deserialize;
use serde_json::Value;
use worker::wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement};

pub fn s(v: &str) -> JsValue {
    JsValue::from_str(v)
}

pub fn opt(v: Option<&str>) -> JsValue {
    v.map_or(JsValue::NULL, JsValue::from_str)
}

pub fn n(v: i64) -> JsValue {
    // D1 numbers are JS numbers; every value stored here (unix seconds, counters) is far below 2^53.
    JsValue::from_f64(v as f64)
}

pub fn stmt(db: &D1Database, sql: &str, args: &[JsValue]) -> Result<D1PreparedStatement, ApiError> {
    Ok(db.prepare(sql).bind(args)?)
}

#[derive(Debug, Clone, Deserialize)]
pub struct ConnectionRow {
    pub id: String,
    pub org_id: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub method: String,
    pub name: String,
    pub description: Option<String>,
    pub tenant_id: String,
    pub client_id: Option<String>,
    pub cloud: String,
    pub endpoint: Option<String>,
    pub credential_info: Option<String>,
    pub status: String,
    pub last_error: Option<String>,
    pub last_validated_at: Option<i64>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    /// Who created it, as a label (migration 0002_ui).
    #[serde(default)]
    pub created_by: Option<String>,
}

impl ConnectionRow {
    /// The API view: never a secret.
    pub fn view(&self) -> Value {
        let parse = |s: &Option<String>| {
            s.as_deref()
                .and_then(|t| serde_json::from_str::<Value>(t).ok())
                .unwrap_or(Value::Null)
        };
        serde_json::json!({
            "id": self.id,
            "type": self.ty,
            "method": self.method,
            "name": self.name,
            "description": self.description,
            "tenantId": self.tenant_id,
            "clientId": self.client_id,
            "cloud": self.cloud,
            "endpoint": self.endpoint,
            "credential": parse(&self.credential_info),
            "status": self.status,
            "lastError": parse(&self.last_error),
            "lastValidatedAt": self.last_validated_at,
            "version": self.version,
            "createdBy": self.created_by,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        })
    }
}

/// A label for the actor of a request (`token:<id>` or `session:<hash prefix>`): the API token
/// by name, which is the identity behind a UI session too.
pub async fn actor_label(db: &D1Database, actor: &str) -> Result<String, ApiError> {
    #[derive(Deserialize)]
    struct Name {
        name: String,
    }
    let (sql, key, suffix) = match actor.split_once(':') {
        Some(("token", id)) => ("SELECT name FROM api_tokens WHERE id = ?1", id, ""),
        Some(("session", prefix)) => (
            "SELECT t.name AS name FROM sessions s JOIN api_tokens t ON t.id = s.token_id WHERE substr(s.id_hash, 1, 12) = ?1",
            prefix,
            " (UI session)",
        ),
        _ => return Ok(actor.to_owned()),
    };
    let name = stmt(db, sql, &[s(key)])?.first::<Name>(None).await?;
    Ok(match name {
        Some(n) => format!("API token \"{}\"{suffix}", n.name),
        None if suffix.is_empty() => "an API token".to_owned(),
        None => "a UI session".to_owned(),
    })
}

pub async fn connection(
    db: &D1Database,
    org: &str,
    ty: &str,
    id: &str,
) -> Result<Option<ConnectionRow>, ApiError> {
    Ok(stmt(
        db,
        "SELECT * FROM connections WHERE id = ?1 AND org_id = ?2 AND type = ?3",
        &[s(id), s(org), s(ty)],
    )?
    .first::<ConnectionRow>(None)
    .await?)
}

pub async fn connections(
    db: &D1Database,
    org: &str,
    ty: &str,
) -> Result<Vec<ConnectionRow>, ApiError> {
    Ok(stmt(
        db,
        "SELECT * FROM connections WHERE org_id = ?1 AND type = ?2 ORDER BY rowid",
        &[s(org), s(ty)],
    )?
    .all()
    .await?
    .results::<ConnectionRow>()?)
}

/// The statement that stores one secret field, encrypted and bound to its record.
pub fn put_secret(
    db: &D1Database,
    keyring: &Keyring,
    org: &str,
    owner: &str,
    field: &str,
    value: &str,
    expires_at: Option<i64>,
) -> Result<D1PreparedStatement, ApiError> {
    let sealed = keyring
        .seal(value, &aad(org, owner, field), random::<12>()?)
        .map_err(ApiError::from)?;
    stmt(
        db,
        "INSERT INTO secrets (org_id, owner_id, field, key_version, ciphertext, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (owner_id, field) DO UPDATE SET key_version = excluded.key_version, ciphertext = excluded.ciphertext, expires_at = excluded.expires_at",
        &[
            s(org),
            s(owner),
            s(field),
            n(i64::from(sealed.key_version)),
            s(&sealed.blob),
            expires_at.map_or(JsValue::NULL, n),
        ],
    )
}

#[derive(Deserialize)]
struct SecretRow {
    key_version: i64,
    ciphertext: String,
    expires_at: Option<i64>,
}

/// One secret field, decrypted, with its expiry.
pub async fn get_secret(
    db: &D1Database,
    keyring: &Keyring,
    org: &str,
    owner: &str,
    field: &str,
) -> Result<Option<(String, Option<i64>)>, ApiError> {
    let row = stmt(
        db,
        "SELECT key_version, ciphertext, expires_at FROM secrets WHERE org_id = ?1 AND owner_id = ?2 AND field = ?3",
        &[s(org), s(owner), s(field)],
    )?
    .first::<SecretRow>(None)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let sealed = Sealed {
        key_version: u32::try_from(row.key_version)
            .map_err(|_| internal("a stored key version is out of range"))?,
        blob: row.ciphertext,
    };
    let value = keyring
        .open(&sealed, &aad(org, owner, field))
        .map_err(ApiError::from)?;
    Ok(Some((value, row.expires_at)))
}

/// Records a change or an Azure call outcome. `detail` must never carry a secret: callers build
/// it from IDs, names, codes and messages of the core's typed errors.
pub async fn audit(
    db: &D1Database,
    org: Option<&str>,
    actor: &str,
    action: &str,
    target: Option<&str>,
    outcome: &str,
    detail: &Value,
) -> Result<(), ApiError> {
    stmt(
        db,
        "INSERT INTO audit_log (org_id, at, actor, action, target, outcome, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        &[
            opt(org),
            n(now_s()),
            s(actor),
            s(action),
            opt(target),
            s(outcome),
            s(&detail.to_string()),
        ],
    )?
    .run()
    .await?;
    Ok(())
}
