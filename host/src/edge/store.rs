//! D1: every SQL statement the Worker runs, each behind a method that takes and returns typed
//! records (`crate::records`). Secret fields are sealed with the keyring on the way in and
//! opened on the way out; nothing outside this module sees a statement or a row.

use super::reply::{ApiError, internal};
use super::runtime::{now_s, random};
use crate::api_error::Dependent;
use crate::audit::{AuditQuery, MAX_NUMBER, Outcome};
use crate::keyring::{Keyring, Sealed, aad};
use crate::records::{
    ApiToken, AuditEntry, Connection, ConnectionStatus, Credential, CredentialUpdate,
    NewConnection, NewRotation, NewSignIn, NewSync, PendingSignIn, Rotation, RotationLeftover,
    RotationSettings, RotationStatus, RunStatus, Sync, SyncRun, SyncSettings, Taken, Window,
    wire_name,
};
use crate::rotation_store::PublishedSecret;
use azconn_core::error::{Code, Error};
use azconn_core::form::ConnectionType;
use serde::Deserialize;
use serde_json::Value;
use worker::wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, D1Result};

/// Checks an API token by its hash (`?2`) and marks it used (`?1`).
const USE_API_TOKEN: &str =
    "UPDATE api_tokens SET last_used_at = ?1 WHERE token_hash = ?2 RETURNING id, org_id, name";

/// The organization of the API token whose hash is `?1` (see [`Storage::with_api_token`]).
const TOKEN_ORG: &str = "(SELECT org_id FROM api_tokens WHERE token_hash = ?1)";

fn s(v: &str) -> JsValue {
    JsValue::from_str(v)
}

fn opt(v: Option<&str>) -> JsValue {
    v.map_or(JsValue::NULL, JsValue::from_str)
}

fn n(v: i64) -> JsValue {
    // D1 numbers are JS numbers; every value stored here (unix seconds, counters) is far below 2^53.
    JsValue::from_f64(v as f64)
}

fn opt_n(v: Option<i64>) -> JsValue {
    v.map_or(JsValue::NULL, n)
}

/// A closed value (type, method, status) as the text its CHECK constraint allows.
fn w<T: serde::Serialize>(v: &T) -> JsValue {
    JsValue::from_str(&wire_name(v))
}

pub use crate::secret_field::Field;

/// What the token route reads in its round trip: the rate-limit windows counted, the connection
/// and its cached access token.
pub type TokenRead = (Vec<Window>, Option<Connection>, Option<Secret>);

/// A secret value with its expiry (cached tokens, verifiers), decrypted.
pub struct Secret {
    pub value: String,
    pub expires_at: Option<i64>,
}

#[derive(Deserialize)]
struct SecretRow {
    key_version: i64,
    ciphertext: String,
    expires_at: Option<i64>,
}

#[derive(Deserialize)]
struct Name {
    name: String,
}

/// A sync's name bound to a rotation (see [`Storage::bound_to_rotation`]).
#[derive(Deserialize)]
struct BoundName {
    sync_id: String,
    name: String,
}

#[derive(Deserialize)]
struct OrgId {
    org_id: String,
}

/// One audit log entry (see [`Storage::audit`]).
pub struct Audit<'a> {
    pub org: Option<&'a str>,
    pub actor: &'a str,
    pub action: &'a str,
    pub target: Option<&'a str>,
    pub outcome: &'a str,
    pub detail: &'a Value,
}

/// The D1 binding and the keyring that seals its secret fields.
pub struct Storage<'a> {
    db: D1Database,
    keyring: &'a Keyring,
}

impl<'a> Storage<'a> {
    pub fn new(db: D1Database, keyring: &'a Keyring) -> Storage<'a> {
        Storage { db, keyring }
    }

    fn stmt(&self, sql: &str, args: &[JsValue]) -> Result<D1PreparedStatement, ApiError> {
        Ok(self.db.prepare(sql).bind(args)?)
    }

    async fn run(&self, sql: &str, args: &[JsValue]) -> Result<(), ApiError> {
        self.stmt(sql, args)?.run().await?;
        Ok(())
    }

    async fn first<T: for<'de> Deserialize<'de>>(
        &self,
        sql: &str,
        args: &[JsValue],
    ) -> Result<Option<T>, ApiError> {
        Ok(self.stmt(sql, args)?.first::<T>(None).await?)
    }

    async fn all<T: for<'de> Deserialize<'de>>(
        &self,
        sql: &str,
        args: &[JsValue],
    ) -> Result<Vec<T>, ApiError> {
        Ok(self.stmt(sql, args)?.all().await?.results::<T>()?)
    }

    async fn batch(&self, statements: Vec<D1PreparedStatement>) -> Result<(), ApiError> {
        self.db.batch(statements).await?;
        Ok(())
    }

    // Organizations, API tokens, sessions.

    pub async fn organization_name(&self, org: &str) -> Result<Option<String>, ApiError> {
        let row: Option<Name> = self
            .first("SELECT name FROM organizations WHERE id = ?1", &[s(org)])
            .await?;
        Ok(row.map(|r| r.name))
    }

    pub async fn insert_organization(
        &self,
        id: &str,
        name: &str,
        now: i64,
    ) -> Result<(), ApiError> {
        self.run(
            "INSERT INTO organizations (id, name, created_at) VALUES (?1, ?2, ?3)",
            &[s(id), s(name), n(now)],
        )
        .await
    }

    pub async fn insert_api_token(
        &self,
        id: &str,
        org: &str,
        name: &str,
        token_hash: &str,
        now: i64,
    ) -> Result<(), ApiError> {
        self.run(
            "INSERT INTO api_tokens (id, org_id, name, token_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            &[s(id), s(org), s(name), s(token_hash), n(now)],
        )
        .await
    }

    /// The organization's API tokens in creation order.
    pub async fn api_tokens(&self, org: &str) -> Result<Vec<ApiToken>, ApiError> {
        self.all(
            "SELECT id, name, created_at, last_used_at FROM api_tokens WHERE org_id = ?1 ORDER BY rowid",
            &[s(org)],
        )
        .await
    }

    /// Deletes the token and every session signed in with it; the token's id and name, if it
    /// existed.
    pub async fn revoke_api_token(
        &self,
        org: &str,
        token_id: &str,
    ) -> Result<Option<(String, String)>, ApiError> {
        #[derive(Deserialize)]
        struct Row {
            id: String,
            name: String,
        }
        let results = self
            .db
            .batch(vec![
                self.stmt(
                    "DELETE FROM sessions WHERE token_id = ?1 AND org_id = ?2",
                    &[s(token_id), s(org)],
                )?,
                self.stmt(
                    "DELETE FROM api_tokens WHERE id = ?1 AND org_id = ?2 RETURNING id, name",
                    &[s(token_id), s(org)],
                )?,
            ])
            .await?;
        Ok(results
            .last()
            .map(|r| r.results::<Row>())
            .transpose()?
            .and_then(|rows| rows.into_iter().next())
            .map(|r| (r.id, r.name)))
    }

    /// The API token with this hash.
    pub async fn api_token_by_hash(&self, hash: &str) -> Result<Option<Credential>, ApiError> {
        self.first(
            "SELECT id, org_id FROM api_tokens WHERE token_hash = ?1",
            &[s(hash)],
        )
        .await
    }

    /// The API token with this hash, marked used now: one statement per authenticated request.
    pub async fn use_api_token(
        &self,
        hash: &str,
        now: i64,
    ) -> Result<Option<Credential>, ApiError> {
        self.first(USE_API_TOKEN, &[n(now), s(hash)]).await
    }

    /// The API token check ([`Self::use_api_token`]) and `then` in one batch, so a route's own
    /// statements cost no round trip of their own; each statement of `then` binds the token hash
    /// as `?1` and reaches the token's organization through it (`TOKEN_ORG`), so nothing is read
    /// or counted for an unknown token. The token, if it exists, and the results of `then`.
    async fn with_api_token(
        &self,
        hash: &str,
        now: i64,
        then: Vec<D1PreparedStatement>,
    ) -> Result<Option<(Credential, std::vec::IntoIter<D1Result>)>, ApiError> {
        let mut statements = Vec::with_capacity(then.len() + 1);
        statements.push(self.stmt(USE_API_TOKEN, &[n(now), s(hash)])?);
        statements.extend(then);
        let mut results = self.db.batch(statements).await?.into_iter();
        let token = match results.next() {
            Some(r) => r.results::<Credential>()?.into_iter().next(),
            None => None,
        };
        Ok(token.map(|t| (t, results)))
    }

    pub async fn insert_session(
        &self,
        hash: &str,
        org: &str,
        token_id: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<(), ApiError> {
        self.run(
            "INSERT INTO sessions (id_hash, org_id, created_at, expires_at, token_id) VALUES (?1, ?2, ?3, ?4, ?5)",
            &[s(hash), s(org), n(now), n(expires_at), s(token_id)],
        )
        .await
    }

    /// The unexpired session with this hash (`id` is the hash) and its token's name.
    pub async fn session(&self, hash: &str, now: i64) -> Result<Option<Credential>, ApiError> {
        self.first(
            "SELECT s.id_hash AS id, s.org_id AS org_id, t.name AS name FROM sessions s LEFT JOIN api_tokens t ON t.id = s.token_id WHERE s.id_hash = ?1 AND s.expires_at > ?2",
            &[s(hash), n(now)],
        )
        .await
    }

    /// Deletes the session; its organization, if it existed.
    pub async fn delete_session(&self, hash: &str) -> Result<Option<String>, ApiError> {
        let row: Option<OrgId> = self
            .first(
                "DELETE FROM sessions WHERE id_hash = ?1 RETURNING org_id",
                &[s(hash)],
            )
            .await?;
        Ok(row.map(|r| r.org_id))
    }

    // The audit log.

    /// Records a change or an Azure call outcome. `detail` must never carry a secret: callers
    /// build it from IDs, names, codes and messages of the core's typed errors.
    pub async fn audit(
        &self,
        org: Option<&str>,
        actor: &str,
        action: &str,
        target: Option<&str>,
        outcome: &str,
        detail: &Value,
    ) -> Result<(), ApiError> {
        self.audit_statement(&Audit {
            org,
            actor,
            action,
            target,
            outcome,
            detail,
        })?
        .run()
        .await?;
        Ok(())
    }

    fn audit_statement(&self, a: &Audit<'_>) -> Result<D1PreparedStatement, ApiError> {
        self.stmt(
            "INSERT INTO audit_log (org_id, at, actor, action, target, outcome, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            &[
                opt(a.org),
                n(now_s()),
                s(a.actor),
                s(a.action),
                opt(a.target),
                s(a.outcome),
                s(&a.detail.to_string()),
            ],
        )
    }

    /// The organization's entries matching `q`, newest first, older than its cursor: up to
    /// [`AuditQuery::fetch_limit`] rows. The cursor bounds the `(org_id, id)` index range, so a
    /// deep page costs what the first one does. With a target, the `(org_id, target, id)` index
    /// (migration 0014) bounds it instead: SQLite picks it only for a plain `target = ?`, not
    /// for the `?5 IS NULL OR …` form of the other filters.
    pub async fn audit_log(&self, org: &str, q: &AuditQuery) -> Result<Vec<AuditEntry>, ApiError> {
        let target = if q.target.is_some() {
            "target = ?5"
        } else {
            "?5 IS NULL"
        };
        self.all(
            &format!(
                "SELECT id, at, actor, action, target, outcome, detail FROM audit_log \
                 WHERE org_id = ?1 AND {target} AND id < ?2 AND (?3 IS NULL OR action = ?3) \
                 AND (?4 IS NULL OR actor = ?4) AND (?6 IS NULL OR outcome = ?6) \
                 AND (?7 IS NULL OR at >= ?7) AND (?8 IS NULL OR at <= ?8) \
                 ORDER BY id DESC LIMIT ?9"
            ),
            &[
                s(org),
                n(q.before.unwrap_or(MAX_NUMBER)),
                opt(q.action),
                opt(q.actor.as_deref()),
                opt(q.target.as_deref()),
                opt(q.outcome.map(Outcome::as_str)),
                opt_n(q.since),
                opt_n(q.until),
                n(i64::from(q.fetch_limit())),
            ],
        )
        .await
    }

    // Rate limits.

    /// Counts one request in each bucket's fixed window (a window anchored at the bucket's
    /// first request, restarted once `window_secs` passed).
    pub async fn count_request(
        &self,
        buckets: &[String],
        now: i64,
        window_secs: i64,
    ) -> Result<Vec<Window>, ApiError> {
        let statements = self.count_statements(buckets, now, window_secs)?;
        let mut windows = Vec::new();
        for result in self.db.batch(statements).await? {
            windows.extend(result.results::<Window>()?);
        }
        Ok(windows)
    }

    fn count_statements(
        &self,
        buckets: &[String],
        now: i64,
        window_secs: i64,
    ) -> Result<Vec<D1PreparedStatement>, ApiError> {
        let sql = "INSERT INTO rate_limits (bucket, window_start, count) VALUES (?1, ?2, 1)
         ON CONFLICT (bucket) DO UPDATE SET
           count = CASE WHEN rate_limits.window_start + ?3 > excluded.window_start THEN rate_limits.count + 1 ELSE 1 END,
           window_start = CASE WHEN rate_limits.window_start + ?3 > excluded.window_start THEN rate_limits.window_start ELSE excluded.window_start END
         RETURNING count, window_start";
        buckets
            .iter()
            .map(|b| self.stmt(sql, &[s(b), n(now), n(window_secs)]))
            .collect()
    }

    /// [`Self::count_statements`] behind the API token check (`?1` the token hash): the IP
    /// bucket as given, the token bucket as given followed by the token's id, and nothing
    /// counted for an unknown token.
    fn count_statements_of_token(
        &self,
        hash: &str,
        [ip, token]: &[String; 2],
        now: i64,
        window_secs: i64,
    ) -> Result<Vec<D1PreparedStatement>, ApiError> {
        let sql = |bucket: &str| {
            format!(
                "INSERT INTO rate_limits (bucket, window_start, count)
         SELECT {bucket}, ?3, 1 FROM api_tokens t WHERE t.token_hash = ?1
         ON CONFLICT (bucket) DO UPDATE SET
           count = CASE WHEN rate_limits.window_start + ?4 > excluded.window_start THEN rate_limits.count + 1 ELSE 1 END,
           window_start = CASE WHEN rate_limits.window_start + ?4 > excluded.window_start THEN rate_limits.window_start ELSE excluded.window_start END
         RETURNING count, window_start"
            )
        };
        Ok(vec![
            self.stmt(&sql("?2"), &[s(hash), s(ip), n(now), n(window_secs)])?,
            self.stmt(
                &sql("?2 || t.id"),
                &[s(hash), s(token), n(now), n(window_secs)],
            )?,
        ])
    }

    /// The API token check and the route's rate-limit count in one round trip (see
    /// [`Self::with_api_token`]); `buckets` as in [`Self::count_statements_of_token`].
    pub async fn count_request_of_token(
        &self,
        hash: &str,
        buckets: &[String; 2],
        now: i64,
        window_secs: i64,
    ) -> Result<Option<(Credential, Vec<Window>)>, ApiError> {
        let then = self.count_statements_of_token(hash, buckets, now, window_secs)?;
        let Some((token, results)) = self.with_api_token(hash, now, then).await? else {
            return Ok(None);
        };
        let mut windows = Vec::new();
        for result in results {
            windows.extend(result.results::<Window>()?);
        }
        Ok(Some((token, windows)))
    }

    /// The token route in one round trip: counts the request in its rate-limit buckets and
    /// reads the connection and its cached access token.
    pub async fn count_and_read_token(
        &self,
        buckets: &[String],
        now: i64,
        window_secs: i64,
        org: &str,
        ty: ConnectionType,
        id: &str,
    ) -> Result<TokenRead, ApiError> {
        let mut statements = self.count_statements(buckets, now, window_secs)?;
        statements.push(self.stmt(
            "SELECT * FROM connections WHERE id = ?1 AND org_id = ?2 AND type = ?3",
            &[s(id), s(org), w(&ty)],
        )?);
        statements.push(self.secret_statement(org, id, Field::AccessToken)?);
        let results = self.db.batch(statements).await?.into_iter();
        self.token_read(results, buckets.len(), org, id)
    }

    /// [`Self::count_and_read_token`] behind the API token check, in the same round trip (see
    /// [`Self::with_api_token`]); `buckets` as in [`Self::count_statements_of_token`].
    pub async fn count_and_read_token_of_token(
        &self,
        hash: &str,
        buckets: &[String; 2],
        now: i64,
        window_secs: i64,
        ty: ConnectionType,
        id: &str,
    ) -> Result<Option<(Credential, TokenRead)>, ApiError> {
        let mut then = self.count_statements_of_token(hash, buckets, now, window_secs)?;
        then.push(self.stmt(
            &format!(
                "SELECT * FROM connections WHERE id = ?2 AND org_id = {TOKEN_ORG} AND type = ?3"
            ),
            &[s(hash), s(id), w(&ty)],
        )?);
        then.push(self.stmt(
            &format!("SELECT key_version, ciphertext, expires_at FROM secrets WHERE org_id = {TOKEN_ORG} AND owner_id = ?2 AND field = ?3"),
            &[s(hash), s(id), s(Field::AccessToken.name())],
        )?);
        let Some((token, results)) = self.with_api_token(hash, now, then).await? else {
            return Ok(None);
        };
        let read = self.token_read(results, buckets.len(), &token.org_id, id)?;
        Ok(Some((token, read)))
    }

    /// The results of the token route's batch: the counted windows, the connection and its
    /// cached access token (opened).
    fn token_read(
        &self,
        mut results: std::vec::IntoIter<D1Result>,
        buckets: usize,
        org: &str,
        id: &str,
    ) -> Result<TokenRead, ApiError> {
        let mut windows = Vec::new();
        for _ in 0..buckets {
            if let Some(r) = results.next() {
                windows.extend(r.results::<Window>()?);
            }
        }
        let connection = match results.next() {
            Some(r) => r.results::<Connection>()?.into_iter().next(),
            None => None,
        };
        let secret = match results.next() {
            Some(r) => r.results::<SecretRow>()?.into_iter().next(),
            None => None,
        };
        let secret = match (secret, &connection) {
            (Some(row), Some(_)) => Some(self.open_secret(row, org, id, Field::AccessToken)?),
            _ => None,
        };
        Ok((windows, connection, secret))
    }

    /// Drops windows that started before `before`.
    pub async fn sweep_rate_limits(&self, before: i64) -> Result<(), ApiError> {
        self.run(
            "DELETE FROM rate_limits WHERE window_start < ?1",
            &[n(before)],
        )
        .await
    }

    // Connections.

    pub async fn connection(
        &self,
        org: &str,
        ty: ConnectionType,
        id: &str,
    ) -> Result<Option<Connection>, ApiError> {
        self.first(
            "SELECT * FROM connections WHERE id = ?1 AND org_id = ?2 AND type = ?3",
            &[s(id), s(org), w(&ty)],
        )
        .await
    }

    /// The organization's connections of one type in creation order (rowid: two created in the
    /// same second keep their order).
    pub async fn connections(
        &self,
        org: &str,
        ty: ConnectionType,
    ) -> Result<Vec<Connection>, ApiError> {
        self.all(
            "SELECT * FROM connections WHERE org_id = ?1 AND type = ?2 ORDER BY rowid",
            &[s(org), w(&ty)],
        )
        .await
    }

    /// [`Self::connections`] behind the API token check, in the same round trip (see
    /// [`Self::with_api_token`]).
    pub async fn connections_of_token(
        &self,
        hash: &str,
        now: i64,
        ty: ConnectionType,
    ) -> Result<Option<(Credential, Vec<Connection>)>, ApiError> {
        let list = self.stmt(
            &format!(
                "SELECT * FROM connections WHERE org_id = {TOKEN_ORG} AND type = ?2 ORDER BY rowid"
            ),
            &[s(hash), w(&ty)],
        )?;
        let Some((token, mut results)) = self.with_api_token(hash, now, vec![list]).await? else {
            return Ok(None);
        };
        let rows = match results.next() {
            Some(r) => r.results::<Connection>()?,
            None => Vec::new(),
        };
        Ok(Some((token, rows)))
    }

    pub async fn connection_name_taken(
        &self,
        org: &str,
        ty: ConnectionType,
        name: &str,
    ) -> Result<bool, ApiError> {
        let row: Option<Value> = self
            .first(
                "SELECT id FROM connections WHERE org_id = ?1 AND type = ?2 AND name = ?3",
                &[s(org), w(&ty), s(name)],
            )
            .await?;
        Ok(row.is_some())
    }

    /// Inserts an active connection and its secret fields in one batch; `409 conflict` when
    /// the name is taken (the UNIQUE constraint decides under concurrency).
    pub async fn insert_connection(
        &self,
        c: &NewConnection<'_>,
        secrets: &[(Field, String)],
    ) -> Result<(), ApiError> {
        let mut batch = vec![self.stmt(
            "INSERT INTO connections (id, org_id, type, method, name, description, tenant_id, client_id, cloud, endpoint, credential_info, status, last_validated_at, version, created_at, updated_at, created_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'active', ?12, 1, ?12, ?12, ?13)",
            &[
                s(c.id),
                s(c.org_id),
                w(&c.ty),
                w(&c.method),
                s(c.name),
                opt(c.description),
                s(c.tenant_id),
                opt(c.client_id),
                s(c.cloud),
                opt(c.endpoint),
                s(&c.credential_info.to_string()),
                n(c.now),
                opt(c.created_by),
            ],
        )?];
        for (field, value) in secrets {
            batch.push(self.put_secret(c.org_id, c.id, *field, value, None)?);
        }
        self.db
            .batch(batch)
            .await
            .map_err(|e| name_conflict(e, c.name))?;
        Ok(())
    }

    /// Deletes the connection, its secrets, its token lease and the leftovers of rotations
    /// deleted with their secrets kept (reached only through it) unless a rotation or a sync
    /// uses it: whether it did. One transaction, each statement under the same condition, so a
    /// rotation created meanwhile keeps its connection whole.
    pub async fn delete_unused_connection(&self, org: &str, id: &str) -> Result<bool, ApiError> {
        const UNUSED: &str = "NOT EXISTS (SELECT 1 FROM rotations WHERE connection_id = ?1) AND NOT EXISTS (SELECT 1 FROM syncs WHERE connection_id = ?1)";
        let results = self
            .db
            .batch(vec![
                self.stmt(
                    &format!("DELETE FROM secrets WHERE owner_id = ?1 AND org_id = ?2 AND EXISTS (SELECT 1 FROM connections WHERE id = ?1 AND org_id = ?2) AND {UNUSED}"),
                    &[s(id), s(org)],
                )?,
                self.stmt(
                    &format!("DELETE FROM token_leases WHERE connection_id = ?1 AND EXISTS (SELECT 1 FROM connections WHERE id = ?1 AND org_id = ?2) AND {UNUSED}"),
                    &[s(id), s(org)],
                )?,
                self.stmt(
                    &format!("DELETE FROM rotation_leftovers WHERE connection_id = ?1 AND org_id = ?2 AND {UNUSED}"),
                    &[s(id), s(org)],
                )?,
                self.stmt(
                    &format!("DELETE FROM connections WHERE id = ?1 AND org_id = ?2 AND {UNUSED} RETURNING id"),
                    &[s(id), s(org)],
                )?,
            ])
            .await?;
        Ok(match results.last() {
            Some(r) => !r.results::<Value>()?.is_empty(),
            None => false,
        })
    }

    /// The rotations and syncs that use the connection, in creation order, each named by what
    /// it acts on (the target app; the store, label and prefix).
    pub async fn connection_dependents(
        &self,
        org: &str,
        id: &str,
    ) -> Result<Vec<Dependent>, ApiError> {
        let rotations: Vec<Rotation> = self
            .all(
                "SELECT * FROM rotations WHERE connection_id = ?1 AND org_id = ?2 ORDER BY rowid",
                &[s(id), s(org)],
            )
            .await?;
        let syncs: Vec<Sync> = self
            .all(
                "SELECT * FROM syncs WHERE connection_id = ?1 AND org_id = ?2 ORDER BY rowid",
                &[s(id), s(org)],
            )
            .await?;
        Ok(rotations
            .iter()
            .map(Dependent::rotation)
            .chain(syncs.iter().map(Dependent::sync))
            .collect())
    }

    /// Records a check's outcome.
    pub async fn set_connection_status(
        &self,
        id: &str,
        status: ConnectionStatus,
        last_error: Option<&Error>,
        now: i64,
    ) -> Result<(), ApiError> {
        let error = last_error.map(error_text);
        self.run(
            "UPDATE connections SET status = ?1, last_error = ?2, last_validated_at = ?3, updated_at = ?3 WHERE id = ?4",
            &[w(&status), opt(error.as_deref()), n(now), s(id)],
        )
        .await
    }

    /// A dead grant: the connection needs the user to sign in again.
    pub async fn mark_needs_reauth(&self, id: &str, e: &Error, now: i64) -> Result<(), ApiError> {
        self.run(
            "UPDATE connections SET status = ?1, last_error = ?2, updated_at = ?3 WHERE id = ?4",
            &[
                w(&ConnectionStatus::NeedsReauth),
                s(&error_text(e)),
                n(now),
                s(id),
            ],
        )
        .await
    }

    /// Renames a delegated connection if its version still matches: whether it did. `409
    /// conflict` on `name` when the name is taken.
    pub async fn rename_connection(
        &self,
        id: &str,
        version: i64,
        name: &str,
        description: Option<&str>,
        now: i64,
    ) -> Result<bool, ApiError> {
        let row: Option<Value> = self
            .stmt(
                "UPDATE connections SET name = ?1, description = ?2, version = version + 1, updated_at = ?3 WHERE id = ?4 AND version = ?5 RETURNING id",
                &[s(name), opt(description), n(now), s(id), n(version)],
            )?
            .first(None)
            .await
            .map_err(|e| name_conflict(e, name))?;
        Ok(row.is_some())
    }

    /// Replaces an app-only connection's fields and every secret field, if its version still
    /// matches: whether it did. One transaction, and every statement carries the version
    /// condition (the UPDATE, which moves the version, runs last), so a caller that lost the
    /// race changes nothing at all. `409 conflict` on `name` when the new name is taken.
    pub async fn replace_credentials(
        &self,
        org: &str,
        u: &CredentialUpdate<'_>,
        secrets: &[(Field, String)],
    ) -> Result<bool, ApiError> {
        let mut batch = vec![self.stmt(
            "DELETE FROM secrets WHERE owner_id = ?1 AND EXISTS (SELECT 1 FROM connections WHERE id = ?1 AND version = ?2)",
            &[s(u.id), n(u.version)],
        )?];
        for (field, value) in secrets {
            batch.push(self.put_secret_if_version(org, u.id, u.version, *field, value)?);
        }
        batch.push(self.stmt(
            "UPDATE connections SET name = ?1, description = ?2, method = ?3, tenant_id = ?4, client_id = ?5, endpoint = ?6, credential_info = ?7, status = 'active', last_error = NULL, last_validated_at = ?8, updated_at = ?8, version = version + 1 WHERE id = ?9 AND version = ?10 RETURNING id",
            &[
                s(u.name),
                opt(u.description),
                w(&u.method),
                s(u.tenant_id),
                s(u.client_id),
                opt(u.endpoint),
                s(&u.credential_info.to_string()),
                n(u.now),
                s(u.id),
                n(u.version),
            ],
        )?);
        let results = self
            .db
            .batch(batch)
            .await
            .map_err(|e| name_conflict(e, u.name))?;
        let updated = match results.last() {
            Some(r) => !r.results::<Value>()?.is_empty(),
            None => false,
        };
        Ok(updated)
    }

    /// A reconnected OAuth connection: its tenant and facts from the new sign-in, active again.
    pub async fn reconnect(
        &self,
        org: &str,
        id: &str,
        tenant_id: &str,
        credential_info: &Value,
        now: i64,
    ) -> Result<(), ApiError> {
        self.run(
            "UPDATE connections SET tenant_id = ?1, credential_info = ?2, status = 'active', last_error = NULL, last_validated_at = ?3, updated_at = ?3, version = version + 1 WHERE id = ?4 AND org_id = ?5",
            &[s(tenant_id), s(&credential_info.to_string()), n(now), s(id), s(org)],
        )
        .await
    }

    /// Compare-and-swap on the connection's version: whether this caller moved it.
    pub async fn bump_version(&self, id: &str, version: i64) -> Result<bool, ApiError> {
        let row: Option<Value> = self
            .first(
                "UPDATE connections SET version = version + 1 WHERE id = ?1 AND version = ?2 RETURNING id",
                &[s(id), n(version)],
            )
            .await?;
        Ok(row.is_some())
    }

    /// Takes the connection's token lease until `until`, unless another holder's is unexpired.
    pub async fn take_lease(
        &self,
        connection: &str,
        holder: &str,
        now: i64,
        until: i64,
    ) -> Result<bool, ApiError> {
        let row: Option<Value> = self
            .first(
                "INSERT INTO token_leases (connection_id, holder, expires_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (connection_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                 WHERE token_leases.expires_at <= ?4
                 RETURNING holder",
                &[s(connection), s(holder), n(until), n(now)],
            )
            .await?;
        Ok(row.is_some())
    }

    pub async fn release_lease(&self, connection: &str, holder: &str) -> Result<(), ApiError> {
        self.run(
            "DELETE FROM token_leases WHERE connection_id = ?1 AND holder = ?2",
            &[s(connection), s(holder)],
        )
        .await
    }

    // Secret fields.

    /// The statement that stores one secret field, encrypted and bound to its record.
    fn put_secret(
        &self,
        org: &str,
        owner: &str,
        field: Field,
        value: &str,
        expires_at: Option<i64>,
    ) -> Result<D1PreparedStatement, ApiError> {
        self.stmt(
            "INSERT INTO secrets (org_id, owner_id, field, key_version, ciphertext, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (owner_id, field) DO UPDATE SET key_version = excluded.key_version, ciphertext = excluded.ciphertext, expires_at = excluded.expires_at",
            &self.sealed_args(org, owner, field, value, expires_at)?,
        )
    }

    /// [`Self::put_secret`] (without expiry) only while the connection `owner` is at `version`.
    fn put_secret_if_version(
        &self,
        org: &str,
        owner: &str,
        version: i64,
        field: Field,
        value: &str,
    ) -> Result<D1PreparedStatement, ApiError> {
        let mut args = self.sealed_args(org, owner, field, value, None)?;
        args.push(n(version));
        self.stmt(
            "INSERT INTO secrets (org_id, owner_id, field, key_version, ciphertext, expires_at)
             SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM connections WHERE id = ?2 AND version = ?7)
             ON CONFLICT (owner_id, field) DO UPDATE SET key_version = excluded.key_version, ciphertext = excluded.ciphertext, expires_at = excluded.expires_at",
            &args,
        )
    }

    /// A secret row's values: the field sealed with AAD bound to org, record and field.
    fn sealed_args(
        &self,
        org: &str,
        owner: &str,
        field: Field,
        value: &str,
        expires_at: Option<i64>,
    ) -> Result<Vec<JsValue>, ApiError> {
        let field = field.name();
        let sealed = self
            .keyring
            .seal(value, &aad(org, owner, field), random::<12>()?)
            .map_err(ApiError::from)?;
        Ok(vec![
            s(org),
            s(owner),
            s(field),
            n(i64::from(sealed.key_version)),
            s(&sealed.blob),
            opt_n(expires_at),
        ])
    }

    /// Stores secret fields of one record in one batch.
    pub async fn store_secrets(
        &self,
        org: &str,
        owner: &str,
        fields: &[(Field, &str, Option<i64>)],
    ) -> Result<(), ApiError> {
        let mut batch = Vec::with_capacity(fields.len());
        for (field, value, expires_at) in fields {
            batch.push(self.put_secret(org, owner, *field, value, *expires_at)?);
        }
        self.batch(batch).await
    }

    fn secret_statement(
        &self,
        org: &str,
        owner: &str,
        field: Field,
    ) -> Result<D1PreparedStatement, ApiError> {
        self.stmt(
            "SELECT key_version, ciphertext, expires_at FROM secrets WHERE org_id = ?1 AND owner_id = ?2 AND field = ?3",
            &[s(org), s(owner), s(field.name())],
        )
    }

    fn open_secret(
        &self,
        row: SecretRow,
        org: &str,
        owner: &str,
        field: Field,
    ) -> Result<Secret, ApiError> {
        let sealed = Sealed {
            key_version: u32::try_from(row.key_version)
                .map_err(|_| internal("a stored key version is out of range"))?,
            blob: row.ciphertext,
        };
        let value = self
            .keyring
            .open(&sealed, &aad(org, owner, field.name()))
            .map_err(ApiError::from)?;
        Ok(Secret {
            value,
            expires_at: row.expires_at,
        })
    }

    /// One secret field, decrypted, with its expiry.
    pub async fn secret(
        &self,
        org: &str,
        owner: &str,
        field: Field,
    ) -> Result<Option<Secret>, ApiError> {
        let row = self
            .secret_statement(org, owner, field)?
            .first::<SecretRow>(None)
            .await?;
        row.map(|row| self.open_secret(row, org, owner, field))
            .transpose()
    }

    pub async fn delete_secret(&self, owner: &str, field: Field) -> Result<(), ApiError> {
        self.run(
            "DELETE FROM secrets WHERE owner_id = ?1 AND field = ?2",
            &[s(owner), s(field.name())],
        )
        .await
    }

    pub async fn delete_secrets(&self, owner: &str) -> Result<(), ApiError> {
        self.run("DELETE FROM secrets WHERE owner_id = ?1", &[s(owner)])
            .await
    }

    // Pending OAuth sign-ins.

    /// Stores the sign-in, its encrypted PKCE verifier and the audit record together.
    pub async fn insert_sign_in(
        &self,
        p: &NewSignIn<'_>,
        verifier: &str,
        audit: &Audit<'_>,
    ) -> Result<(), ApiError> {
        self.batch(vec![
            self.stmt(
                "INSERT INTO oauth_pending (id, state_hash, browser_hash, org_id, type, name, description, tenant, endpoint, reconnect_id, created_at, expires_at, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                &[
                    s(p.id),
                    s(p.state_hash),
                    s(p.browser_hash),
                    s(p.org_id),
                    w(&p.ty),
                    s(p.name),
                    opt(p.description),
                    s(p.tenant),
                    opt(p.endpoint),
                    opt(p.reconnect_id),
                    n(p.now),
                    n(p.expires_at),
                    s(p.created_by),
                ],
            )?,
            self.put_secret(
                p.org_id,
                p.id,
                Field::CodeVerifier,
                verifier,
                Some(p.expires_at),
            )?,
            self.audit_statement(audit)?,
        ])
        .await
    }

    pub async fn sign_in_by_state(
        &self,
        state_hash: &str,
    ) -> Result<Option<PendingSignIn>, ApiError> {
        self.first(
            "SELECT * FROM oauth_pending WHERE state_hash = ?1",
            &[s(state_hash)],
        )
        .await
    }

    /// Single use: whether this caller claimed the unused sign-in.
    pub async fn claim_sign_in(&self, id: &str, now: i64) -> Result<bool, ApiError> {
        let row: Option<Value> = self
            .first(
                "UPDATE oauth_pending SET used_at = ?1 WHERE id = ?2 AND used_at IS NULL RETURNING id",
                &[n(now), s(id)],
            )
            .await?;
        Ok(row.is_some())
    }

    /// Forgets what expired (Cron Trigger): sign-ins past their lifetime, used or abandoned, with
    /// the PKCE verifiers an abandoned one still holds, and sessions past theirs. Neither can be
    /// used after `now`, and without this every OAuth start would leave a row for good.
    pub async fn sweep_expired(&self, now: i64) -> Result<(), ApiError> {
        self.batch(vec![
            self.stmt(
                "DELETE FROM secrets WHERE owner_id IN (SELECT id FROM oauth_pending WHERE expires_at <= ?1)",
                &[n(now)],
            )?,
            self.stmt(
                "DELETE FROM oauth_pending WHERE expires_at <= ?1",
                &[n(now)],
            )?,
            self.stmt("DELETE FROM sessions WHERE expires_at <= ?1", &[n(now)])?,
        ])
        .await
    }

    // Rotations.

    pub async fn rotation(&self, org: &str, id: &str) -> Result<Option<Rotation>, ApiError> {
        self.first(
            "SELECT * FROM rotations WHERE id = ?1 AND org_id = ?2",
            &[s(id), s(org)],
        )
        .await
    }

    /// The organization's rotations in creation order.
    pub async fn rotations(&self, org: &str) -> Result<Vec<Rotation>, ApiError> {
        self.all(
            "SELECT * FROM rotations WHERE org_id = ?1 ORDER BY rowid",
            &[s(org)],
        )
        .await
    }

    pub async fn rotation_named(
        &self,
        org: &str,
        name: &str,
    ) -> Result<Option<Rotation>, ApiError> {
        self.first(
            "SELECT * FROM rotations WHERE org_id = ?1 AND name = ?2",
            &[s(org), s(name)],
        )
        .await
    }

    /// The organization's rotation of the app with this client id (the oldest, for rotations
    /// made before the rule of one per app).
    pub async fn rotation_for_app(
        &self,
        org: &str,
        app_id: &str,
    ) -> Result<Option<Rotation>, ApiError> {
        self.first(
            "SELECT * FROM rotations WHERE org_id = ?1 AND json_extract(target, '$.appId') = ?2 ORDER BY rowid LIMIT 1",
            &[s(org), s(app_id)],
        )
        .await
    }

    /// Inserts a pending rotation and its first (encrypted) state together (one batch: both or
    /// neither), unless the UNIQUE index of one rotation per app refuses it.
    pub async fn insert_rotation(
        &self,
        r: &NewRotation<'_>,
        state: &str,
    ) -> Result<Result<(), Taken>, ApiError> {
        let target = serde_json::to_string(r.target)
            .map_err(|e| internal(format!("cannot serialize the target: {e}")))?;
        let inserted = self
            .db
            .batch(vec![
                self.stmt(
                    "INSERT INTO rotations (id, org_id, connection_id, target, target_app_id, lifetime_days, interval_days, keep, status, next_rotation_at, created_at, updated_at, name, description, auto_rotation, rotate_at_hours, rotate_at_minutes)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending', ?12, ?9, ?9, ?10, ?11, ?13, ?14, ?15)",
                    &[
                        s(r.id),
                        s(r.org_id),
                        s(r.connection_id),
                        s(&target),
                        s(&r.target.app_id),
                        n(r.lifetime_days),
                        n(r.interval_days),
                        n(r.keep),
                        n(r.now),
                        s(r.name),
                        opt(r.description),
                        opt_n(r.next_rotation_at),
                        n(i64::from(r.auto_rotation)),
                        n(i64::from(r.rotate_at.hours())),
                        n(i64::from(r.rotate_at.minutes())),
                    ],
                )?,
                self.put_secret(r.org_id, r.id, Field::RotationState, state, None)?,
            ])
            .await;
        match inserted {
            Ok(_) => Ok(Ok(())),
            Err(e) => taken(&e).map(Err).ok_or_else(|| e.into()),
        }
    }

    /// The core's rotation state (encrypted) and the status, together.
    pub async fn persist_rotation(
        &self,
        org: &str,
        id: &str,
        state: &str,
        status: RotationStatus,
        now: i64,
    ) -> Result<(), ApiError> {
        self.batch(vec![
            self.put_secret(org, id, Field::RotationState, state, None)?,
            self.stmt(
                "UPDATE rotations SET status = ?1, updated_at = ?2 WHERE id = ?3",
                &[w(&status), n(now), s(id)],
            )?,
        ])
        .await
    }

    /// The step a running rotation is on; `None` once the run stops.
    pub async fn rotation_step(&self, id: &str, step: Option<&str>) -> Result<(), ApiError> {
        self.run(
            "UPDATE rotations SET step = ?1 WHERE id = ?2",
            &[opt(step), s(id)],
        )
        .await
    }

    /// Compare-and-set on the status: whether this caller claimed the run (a run silent for
    /// `stale_secs` died with its Worker and may be taken over).
    pub async fn claim_rotation(
        &self,
        id: &str,
        now: i64,
        stale_secs: i64,
    ) -> Result<bool, ApiError> {
        let row: Option<Value> = self
            .first(
                "UPDATE rotations SET status = 'running', updated_at = ?1 \
                 WHERE id = ?2 AND (status != 'running' OR updated_at < ?1 - ?3) RETURNING id",
                &[n(now), s(id), n(stale_secs)],
            )
            .await?;
        Ok(row.is_some())
    }

    pub async fn rotation_running(&self, id: &str) -> Result<bool, ApiError> {
        let row: Option<Value> = self
            .first(
                "SELECT id FROM rotations WHERE id = ?1 AND status = 'running'",
                &[s(id)],
            )
            .await?;
        Ok(row.is_some())
    }

    pub async fn fail_rotation(
        &self,
        id: &str,
        status: RotationStatus,
        e: &Error,
        now: i64,
    ) -> Result<(), ApiError> {
        self.run(
            "UPDATE rotations SET status = ?1, last_error = ?2, updated_at = ?3 WHERE id = ?4",
            &[w(&status), s(&error_text(e)), n(now), s(id)],
        )
        .await
    }

    /// The new secret becomes the current one (encrypted), with its public facts.
    pub async fn publish_secret(
        &self,
        org: &str,
        id: &str,
        secret: &PublishedSecret<'_>,
        now: i64,
    ) -> Result<(), ApiError> {
        let expires = secret.ends_at.map(|e| e.to_string());
        self.batch(vec![
            self.put_secret(org, id, Field::CurrentSecret, secret.value, secret.ends_at)?,
            self.stmt(
                "UPDATE rotations SET current_key_id = ?1, current_hint = ?2, current_expires_at = ?3, updated_at = ?4 WHERE id = ?5",
                &[s(secret.key_id), s(secret.hint), opt(expires.as_deref()), n(now), s(id)],
            )?,
        ])
        .await
    }

    pub async fn attempt_rotation(&self, id: &str, now: i64) -> Result<(), ApiError> {
        self.run(
            "UPDATE rotations SET last_attempt_at = ?1 WHERE id = ?2",
            &[n(now), s(id)],
        )
        .await
    }

    pub async fn schedule_rotation(
        &self,
        id: &str,
        next: Option<i64>,
        now: i64,
    ) -> Result<(), ApiError> {
        self.run(
            "UPDATE rotations SET last_error = NULL, next_rotation_at = ?1, last_success_at = ?3 WHERE id = ?2",
            &[opt_n(next), s(id), n(now)],
        )
        .await
    }

    /// Writes a rotation's settings, next run and (encrypted) state together, only if the
    /// rotation is still at `x.version`, not running and last succeeded at
    /// `x.last_success_at` (the next run was computed from it); whether it was. Both
    /// statements test the same condition on the state before the batch, so both or neither
    /// apply; a taken name fails the batch, so nothing applies.
    pub async fn update_rotation(
        &self,
        org: &str,
        id: &str,
        state: &str,
        x: &RotationSettings,
    ) -> Result<Result<bool, Taken>, ApiError> {
        let field = Field::RotationState.name();
        let sealed = self
            .keyring
            .seal(state, &aad(org, id, field), random::<12>()?)
            .map_err(ApiError::from)?;
        let at_version = "EXISTS (SELECT 1 FROM rotations WHERE id = ?1 AND org_id = ?2 AND version = ?3 AND status != 'running' AND last_success_at IS ?7)";
        let results = self
            .db
            .batch(vec![
                self.stmt(
                    &format!(
                        "INSERT INTO secrets (org_id, owner_id, field, key_version, ciphertext, expires_at) \
                         SELECT ?2, ?1, ?4, ?5, ?6, NULL WHERE {at_version} \
                         ON CONFLICT (owner_id, field) DO UPDATE SET key_version = excluded.key_version, ciphertext = excluded.ciphertext"
                    ),
                    &[
                        s(id),
                        s(org),
                        n(x.version),
                        s(field),
                        n(i64::from(sealed.key_version)),
                        s(&sealed.blob),
                        opt_n(x.last_success_at),
                    ],
                )?,
                self.stmt(
                    &format!(
                        "UPDATE rotations SET lifetime_days = ?4, interval_days = ?5, keep = ?6, name = ?8, description = ?9, \
                         auto_rotation = ?10, rotate_at_hours = ?11, rotate_at_minutes = ?12, next_rotation_at = ?13, version = version + 1, updated_at = ?14 \
                         WHERE id = ?1 AND org_id = ?2 AND {at_version} RETURNING id"
                    ),
                    &[
                        s(id),
                        s(org),
                        n(x.version),
                        n(x.lifetime_days),
                        n(x.interval_days),
                        n(x.keep),
                        opt_n(x.last_success_at),
                        s(&x.name),
                        opt(x.description.as_deref()),
                        n(i64::from(x.auto_rotation)),
                        n(i64::from(x.rotate_at.hours())),
                        n(i64::from(x.rotate_at.minutes())),
                        opt_n(x.next_rotation_at),
                        n(x.now),
                    ],
                )?,
            ])
            .await;
        let results = match results {
            Ok(r) => r,
            Err(e) => return taken(&e).map(Err).ok_or_else(|| e.into()),
        };
        let updated = match results.last() {
            Some(r) => !r.results::<Value>()?.is_empty(),
            None => false,
        };
        Ok(Ok(updated))
    }

    /// A rotation and its (encrypted) state and current secret, together, and the sync keys
    /// bound to it; with `left_at`, first its leftover row (what the secrets' display names
    /// need to be found again: id, connection, target).
    pub async fn delete_rotation(
        &self,
        org: &str,
        id: &str,
        left_at: Option<i64>,
    ) -> Result<(), ApiError> {
        let mut batch = Vec::with_capacity(4);
        if let Some(at) = left_at {
            batch.push(self.stmt(
                "INSERT INTO rotation_leftovers (id, org_id, name, connection_id, target, deleted_at) SELECT id, org_id, name, connection_id, target, ?3 FROM rotations WHERE id = ?1 AND org_id = ?2 AND target IS NOT NULL",
                &[s(id), s(org), n(at)],
            )?);
        }
        batch.extend([
            self.stmt(
                "DELETE FROM sync_rotation_keys WHERE rotation_id = ?1 AND org_id = ?2",
                &[s(id), s(org)],
            )?,
            self.stmt(
                "DELETE FROM secrets WHERE owner_id = ?1 AND org_id = ?2",
                &[s(id), s(org)],
            )?,
            self.stmt(
                "DELETE FROM rotations WHERE id = ?1 AND org_id = ?2",
                &[s(id), s(org)],
            )?,
        ]);
        self.batch(batch).await
    }

    pub async fn rotation_leftovers(&self, org: &str) -> Result<Vec<RotationLeftover>, ApiError> {
        self.all(
            "SELECT * FROM rotation_leftovers WHERE org_id = ?1 ORDER BY deleted_at DESC, id",
            &[s(org)],
        )
        .await
    }

    pub async fn rotation_leftover(
        &self,
        org: &str,
        id: &str,
    ) -> Result<Option<RotationLeftover>, ApiError> {
        self.first(
            "SELECT * FROM rotation_leftovers WHERE id = ?1 AND org_id = ?2",
            &[s(id), s(org)],
        )
        .await
    }

    pub async fn delete_rotation_leftover(&self, org: &str, id: &str) -> Result<bool, ApiError> {
        let gone: Vec<Value> = self
            .all(
                "DELETE FROM rotation_leftovers WHERE id = ?1 AND org_id = ?2 RETURNING id",
                &[s(id), s(org)],
            )
            .await?;
        Ok(!gone.is_empty())
    }

    /// At most ten rotations with auto rotation on whose next run is due and not running (or
    /// stale).
    pub async fn due_rotations(
        &self,
        now: i64,
        stale_secs: i64,
    ) -> Result<Vec<Rotation>, ApiError> {
        self.all(
            "SELECT * FROM rotations WHERE auto_rotation = 1 AND next_rotation_at <= ?1 AND (status != 'running' OR updated_at < ?1 - ?2) ORDER BY next_rotation_at LIMIT 10",
            &[n(now), n(stale_secs)],
        )
        .await
    }

    // Syncs.

    pub async fn sync(&self, org: &str, id: &str) -> Result<Option<Sync>, ApiError> {
        self.first(
            "SELECT * FROM syncs WHERE id = ?1 AND org_id = ?2",
            &[s(id), s(org)],
        )
        .await
    }

    /// The organization's syncs in creation order.
    pub async fn syncs(&self, org: &str) -> Result<Vec<Sync>, ApiError> {
        self.all(
            "SELECT * FROM syncs WHERE org_id = ?1 ORDER BY rowid",
            &[s(org)],
        )
        .await
    }

    pub async fn sync_named(&self, org: &str, name: &str) -> Result<Option<Sync>, ApiError> {
        self.first(
            "SELECT * FROM syncs WHERE org_id = ?1 AND name = ?2",
            &[s(org), s(name)],
        )
        .await
    }

    /// Inserts a sync unless the UNIQUE index on names refuses it.
    pub async fn insert_sync(&self, x: &NewSync<'_>) -> Result<Result<(), Taken>, ApiError> {
        let inserted = self.stmt(
            "INSERT INTO syncs (id, org_id, connection_id, endpoint, label, key_prefix, mode, disable_secret_deletion, created_at, updated_at, name, description, key_suffix) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10, ?11, ?12)",
            &[
                s(x.id),
                s(x.org_id),
                s(x.connection_id),
                s(x.endpoint),
                opt(x.label),
                s(x.key_prefix),
                w(&x.mode),
                n(i64::from(x.disable_secret_deletion)),
                n(x.now),
                s(x.name),
                opt(x.description),
                s(x.key_suffix),
            ],
        )?
        .run()
        .await;
        match inserted {
            Ok(_) => Ok(Ok(())),
            Err(e) => taken(&e).map(Err).ok_or_else(|| e.into()),
        }
    }

    /// A sync, its run records and its rotation bindings, together.
    pub async fn delete_sync(&self, org: &str, id: &str) -> Result<(), ApiError> {
        self.batch(vec![
            self.stmt(
                "DELETE FROM sync_rotation_keys WHERE sync_id = ?1 AND org_id = ?2",
                &[s(id), s(org)],
            )?,
            self.stmt(
                "DELETE FROM sync_runs WHERE sync_id = (SELECT id FROM syncs WHERE id = ?1 AND org_id = ?2)",
                &[s(id), s(org)],
            )?,
            self.stmt(
                "DELETE FROM syncs WHERE id = ?1 AND org_id = ?2",
                &[s(id), s(org)],
            )?,
        ])
        .await
    }

    /// Writes a sync's settings if it is still at `x.version`; whether it was (nothing written
    /// when the UNIQUE index on names refuses the new name).
    pub async fn update_sync(
        &self,
        org: &str,
        id: &str,
        x: &SyncSettings<'_>,
    ) -> Result<Result<bool, Taken>, ApiError> {
        let row = self
            .stmt(
                "UPDATE syncs SET label = ?1, key_prefix = ?2, mode = ?3, disable_secret_deletion = ?4, name = ?9, description = ?10, key_suffix = ?11, version = version + 1, updated_at = ?5 \
                 WHERE id = ?6 AND org_id = ?7 AND version = ?8 RETURNING id",
                &[
                    opt(x.label),
                    s(x.key_prefix),
                    w(&x.mode),
                    n(i64::from(x.disable_secret_deletion)),
                    n(x.now),
                    s(id),
                    s(org),
                    n(x.version),
                    s(x.name),
                    opt(x.description),
                    s(x.key_suffix),
                ],
            )?
            .first::<Value>(None)
            .await;
        match row {
            Ok(row) => Ok(Ok(row.is_some())),
            Err(e) => taken(&e).map(Err).ok_or_else(|| e.into()),
        }
    }

    /// When the sync's latest successful run finished.
    pub async fn last_success_at(&self, sync_id: &str) -> Result<Option<i64>, ApiError> {
        let row: Option<Value> = self
            .first(
                "SELECT finished_at FROM sync_runs WHERE sync_id = ?1 AND status = 'succeeded' ORDER BY rowid DESC LIMIT 1",
                &[s(sync_id)],
            )
            .await?;
        Ok(row.and_then(|r| r["finished_at"].as_i64()))
    }

    /// The sync's latest run.
    pub async fn last_run(&self, sync_id: &str) -> Result<Option<SyncRun>, ApiError> {
        self.first(
            "SELECT * FROM sync_runs WHERE sync_id = ?1 ORDER BY rowid DESC LIMIT 1",
            &[s(sync_id)],
        )
        .await
    }

    /// Replaces the sync's rotation bindings with `bindings` (`(name, rotation id)`), in one
    /// transaction; a binding names a rotation of the same organization only.
    pub async fn bind_rotation_keys(
        &self,
        org: &str,
        sync_id: &str,
        bindings: &[(String, String)],
    ) -> Result<(), ApiError> {
        let mut batch = vec![self.stmt(
            "DELETE FROM sync_rotation_keys WHERE sync_id = ?1 AND org_id = ?2",
            &[s(sync_id), s(org)],
        )?];
        for (name, rotation) in bindings {
            batch.push(self.stmt(
                "INSERT INTO sync_rotation_keys (sync_id, name, rotation_id, org_id) \
                 SELECT ?1, ?2, r.id, ?4 FROM rotations r JOIN syncs x ON x.id = ?1 AND x.org_id = ?4 \
                 WHERE r.id = ?3 AND r.org_id = ?4",
                &[s(sync_id), s(name), s(rotation), s(org)],
            )?);
        }
        self.batch(batch).await
    }

    /// The organization's syncs with names bound to the rotation, each with its names.
    pub async fn bound_to_rotation(
        &self,
        org: &str,
        rotation_id: &str,
    ) -> Result<Vec<(Sync, Vec<String>)>, ApiError> {
        let rows: Vec<BoundName> = self
            .all(
                "SELECT sync_id, name FROM sync_rotation_keys WHERE org_id = ?1 AND rotation_id = ?2 ORDER BY sync_id, name",
                &[s(org), s(rotation_id)],
            )
            .await?;
        let mut out: Vec<(Sync, Vec<String>)> = Vec::new();
        for row in rows {
            if let Some((_, names)) = out.iter_mut().find(|(x, _)| x.id == row.sync_id) {
                names.push(row.name);
            } else if let Some(sync) = self.sync(org, &row.sync_id).await? {
                out.push((sync, vec![row.name]));
            }
        }
        Ok(out)
    }

    pub async fn start_run(&self, id: &str, sync_id: &str, now: i64) -> Result<(), ApiError> {
        self.run(
            "INSERT INTO sync_runs (id, sync_id, started_at, status) VALUES (?1, ?2, ?3, ?4)",
            &[s(id), s(sync_id), n(now), w(&RunStatus::Running)],
        )
        .await
    }

    pub async fn finish_run(
        &self,
        id: &str,
        status: RunStatus,
        plan: Option<&Value>,
        result: &Value,
        now: i64,
    ) -> Result<(), ApiError> {
        let plan = plan.map(Value::to_string);
        self.run(
            "UPDATE sync_runs SET finished_at = ?1, status = ?2, plan = ?3, result = ?4 WHERE id = ?5",
            &[n(now), w(&status), opt(plan.as_deref()), s(&result.to_string()), s(id)],
        )
        .await
    }
}

/// A UNIQUE violation of a connection's name is the `409 conflict` on `name` it means; any
/// other failure stays a storage failure.
fn name_conflict(e: worker::Error, name: &str) -> ApiError {
    if e.to_string().contains("UNIQUE") {
        ApiError::new(
            409,
            Error::field(
                "name",
                Code::Conflict,
                format!("a connection named {name} already exists"),
            ),
        )
    } else {
        e.into()
    }
}

/// The uniqueness rule a UNIQUE violation broke, by the columns SQLite names in it.
fn taken(e: &worker::Error) -> Option<Taken> {
    let text = e.to_string();
    if !text.contains("UNIQUE") {
        None
    } else if text.contains("rotations.target_app_id") {
        Some(Taken::TargetApp)
    } else if text.contains("rotations.name") || text.contains("syncs.name") {
        Some(Taken::Name)
    } else {
        None
    }
}

/// An error as its JSON column stores it.
fn error_text(e: &Error) -> String {
    serde_json::to_string(e).unwrap_or_default()
}

/// A `secrets` row as the re-seal sweep reads it (`crate::keys_at_rest`).
#[derive(Deserialize)]
struct SealedRow {
    at: i64,
    org_id: String,
    owner_id: String,
    field: String,
    key_version: i64,
    ciphertext: String,
}

#[derive(Deserialize)]
struct CursorRow {
    after_row: i64,
}

#[derive(Deserialize)]
struct VersionCount {
    key_version: i64,
    n: i64,
}

fn version_of(v: i64) -> Result<u32, ApiError> {
    u32::try_from(v).map_err(|_| internal("a stored key version is out of range"))
}

// Keys at rest: the sweep that re-seals `secrets` under the newest key version.
impl Storage<'_> {
    /// How many sealed values each key version holds.
    pub async fn sealed_counts(&self) -> Result<std::collections::BTreeMap<u32, u32>, ApiError> {
        let rows: Vec<VersionCount> = self
            .all(
                "SELECT key_version, COUNT(*) AS n FROM secrets GROUP BY key_version",
                &[],
            )
            .await?;
        rows.into_iter()
            .map(|r| {
                Ok((
                    version_of(r.key_version)?,
                    u32::try_from(r.n).unwrap_or(u32::MAX),
                ))
            })
            .collect()
    }

    /// Up to `limit` rows sealed under one of `versions` after rowid `after`, in rowid order.
    pub async fn sealed_under(
        &self,
        versions: &[u32],
        after: i64,
        limit: u32,
    ) -> Result<Vec<crate::keys_at_rest::SealedValue>, ApiError> {
        let versions = serde_json::to_string(versions)
            .map_err(|e| internal(format!("cannot serialize the key versions: {e}")))?;
        let rows: Vec<SealedRow> = self
            .all(
                "SELECT rowid AS at, org_id, owner_id, field, key_version, ciphertext FROM secrets \
                 WHERE key_version IN (SELECT value FROM json_each(?1)) AND rowid > ?2 \
                 ORDER BY rowid LIMIT ?3",
                &[s(&versions), n(after), n(i64::from(limit))],
            )
            .await?;
        rows.into_iter()
            .map(|r| {
                Ok(crate::keys_at_rest::SealedValue {
                    at: r.at,
                    org: r.org_id,
                    owner: r.owner_id,
                    field: r.field,
                    sealed: Sealed {
                        key_version: version_of(r.key_version)?,
                        blob: r.ciphertext,
                    },
                })
            })
            .collect()
    }

    /// Where the sweep's last batch stopped (0: no row yet).
    pub async fn reseal_cursor(&self) -> Result<i64, ApiError> {
        let row: Option<CursorRow> = self
            .first("SELECT after_row FROM reseal_cursor WHERE id = 1", &[])
            .await?;
        Ok(row.map_or(0, |r| r.after_row))
    }

    pub async fn set_reseal_cursor(&self, after: i64) -> Result<(), ApiError> {
        self.run(
            "INSERT INTO reseal_cursor (id, after_row) VALUES (1, ?1) \
             ON CONFLICT (id) DO UPDATE SET after_row = excluded.after_row",
            &[n(after)],
        )
        .await
    }

    /// Each new ciphertext, written only where the row still holds the one read (one
    /// transaction): per entry, whether it was written.
    pub async fn reseal_rows(
        &self,
        batch: &[crate::keys_at_rest::Reseal],
    ) -> Result<Vec<bool>, ApiError> {
        let statements = batch
            .iter()
            .map(|x| {
                self.stmt(
                    "UPDATE secrets SET key_version = ?1, ciphertext = ?2 \
                     WHERE owner_id = ?3 AND field = ?4 AND key_version = ?5 AND ciphertext = ?6 RETURNING owner_id",
                    &[
                        n(i64::from(x.sealed.key_version)),
                        s(&x.sealed.blob),
                        s(&x.read.owner),
                        s(&x.read.field),
                        n(i64::from(x.read.sealed.key_version)),
                        s(&x.read.sealed.blob),
                    ],
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        let results = self.db.batch(statements).await?;
        results
            .iter()
            .map(|r| Ok(!r.results::<Value>()?.is_empty()))
            .collect()
    }
}
