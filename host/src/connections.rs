//! The connection use-cases: create, validate, update and delete. Written over the storage
//! trait (`crate::connection_store`) and the platform (`crate::platform`), so every decision
//! runs in native tests with fakes; the Worker runs them over D1, Fetch and WebCrypto.
//!
//! Create and update check live against Azure (a token, then a probe) and store nothing on
//! failure; an update commits only if the connection's version is the one it read; reads never
//! return a secret.

use crate::api::{
    Clients, ConnectionBody, ConnectionDeleteQuery, ConnectionDeleted, KeysChoice, RotationDeleted,
    SecretsChoice, SyncDeleted, Validation,
};
use crate::api_error::{ApiError, Dependent, DependentKind, in_use, named, not_found};
use crate::config::Config;
use crate::connection_fields::name_and_description;
use crate::connection_store::{AuditEvent, ConnectionStore};
use crate::credentials::{app_credential, form_errors, secret_fields, stored_credential};
use crate::platform::{Platform, new_id};
use crate::probe::probe;
use crate::records::{Connection, ConnectionStatus, CredentialUpdate, NewConnection};
use crate::rotation_store::RotationStore;
use crate::rotations::Rotations;
use crate::sync_store::SyncStore;
use crate::syncs::Syncs;
use crate::token_endpoint::client_credentials;
use crate::token_flight::Tokens;
use azconn_core::cloud::StoreEndpoint;
use azconn_core::error::{Code, Error};
use azconn_core::form::{self, ConnectionForm, ConnectionType, Method, ValidatedForm};
use azconn_core::graph::{AppQuery, Graph, GraphError, Operation};
use azconn_core::oauth::authorize::{AppConfigurationAudience, resource_scope};
use azconn_core::oauth::token::TokenResponse;
use serde_json::{Value, json};

/// Who asks: the organization, the actor the audit log records and the label "created by"
/// shows.
pub struct Caller<'a> {
    pub org: &'a str,
    pub actor: &'a str,
    pub label: &'a str,
}

/// What the live check learned (stored as the connection's non-secret credential info).
struct Checked {
    info: Value,
    token: TokenResponse,
}

/// Acquires a token with the form's credential, then probes.
async fn check<P: Platform>(p: &P, form: &ValidatedForm) -> Result<Checked, Error> {
    let (tenant, client_id, credential, mut info) =
        app_credential(&form.credentials, Some(p.now()))?;
    let scope = resource_scope(
        form.connection_type,
        &form.cloud,
        AppConfigurationAudience::Cloud,
    )?;
    let token = client_credentials(p, &form.cloud, &tenant, &client_id, &credential, scope).await?;
    let probed = probe(
        p,
        form.connection_type,
        &form.cloud,
        form.endpoint.as_ref(),
        &token.access_token,
        true,
    )
    .await?;
    if let (Some(i), Some(p)) = (info.as_object_mut(), probed.as_object()) {
        i.extend(p.clone());
    }
    Ok(Checked { info, token })
}

/// What a connection body may carry (create and PATCH). The type comes from the path and the
/// cloud from the deployment (`AZCONN_CLOUD`), so neither is a field.
const FORM_FIELDS: [&str; 10] = [
    "name",
    "description",
    "method",
    "tenantId",
    "clientId",
    "clientSecret",
    "certificate",
    "privateKey",
    "privateKeyPassphrase",
    "endpoint",
];

/// The certificate method's fields, which a client secret connection must not carry (and the
/// other way round): a credential sent with the wrong method would be silently dropped.
const CERTIFICATE_FIELDS: [&str; 3] = ["certificate", "privateKey", "privateKeyPassphrase"];

/// Reads the body field by field: each one a string (`null` counts as absent), an unknown field
/// refused by name, so the error names the field instead of the whole body.
fn parse_form(body: &Value, ty: ConnectionType, cfg: &Config) -> Result<ConnectionForm, ApiError> {
    let obj = body
        .as_object()
        .ok_or_else(|| Error::field("body", Code::InvalidFormat, "the body is a JSON object"))?;
    let mut form = ConnectionForm {
        connection_type: ty.as_str().to_owned(),
        cloud: cfg.cloud.clone(),
        ..ConnectionForm::default()
    };
    for (name, value) in obj {
        let slot = match name.as_str() {
            "name" => &mut form.name,
            "description" => &mut form.description,
            "method" => &mut form.method,
            "tenantId" => &mut form.tenant_id,
            "clientId" => &mut form.client_id,
            "clientSecret" => &mut form.client_secret,
            "certificate" => &mut form.certificate,
            "privateKey" => &mut form.private_key,
            "privateKeyPassphrase" => &mut form.private_key_passphrase,
            "endpoint" => &mut form.endpoint,
            _ => {
                return Err(Error::field(
                    name,
                    Code::NotAllowed,
                    format!("{name} is not a field of a connection"),
                )
                .with_hint(format!("the fields are {}", FORM_FIELDS.join(", ")))
                .into());
            }
        };
        match value {
            Value::String(v) => v.clone_into(slot),
            Value::Null => {}
            _ => {
                return Err(Error::field(
                    name,
                    Code::InvalidFormat,
                    format!("{name} must be a string"),
                )
                .into());
            }
        }
    }
    let given = |v: &str| !v.trim().is_empty();
    let certificate_given = [
        &form.certificate,
        &form.private_key,
        &form.private_key_passphrase,
    ]
    .into_iter()
    .zip(CERTIFICATE_FIELDS)
    .find(|(v, _)| given(v));
    match (form.method.as_str(), certificate_given) {
        ("client-secret", Some((_, field))) => Err(other_method(field, Method::ClientSecret)),
        ("certificate", _) if given(&form.client_secret) => {
            Err(other_method("clientSecret", Method::Certificate))
        }
        _ => Ok(form),
    }
}

/// `400 not-allowed`: a credential field of another method than the one chosen.
fn other_method(field: &str, method: Method) -> ApiError {
    Error::field(
        field,
        Code::NotAllowed,
        format!("{field} is not used by the {} method", method.as_str()),
    )
    .with_hint("send only the chosen method's credential, or choose the method it belongs to")
    .into()
}

fn name_conflict(name: &str) -> ApiError {
    ApiError::new(
        409,
        Error::field(
            "name",
            Code::Conflict,
            format!("a connection named {name} already exists"),
        ),
    )
}

async fn reread<S: ConnectionStore>(db: &S, row: &Connection) -> Result<Connection, ApiError> {
    db.connection(&row.org_id, row.ty, &row.id)
        .await?
        .ok_or_else(|| not_found("connection"))
}

/// `POST /app-connections/{type}`: the form, validated; a taken name refused before any Azure
/// call; the live check; then the connection, its secrets and the check's token.
pub async fn create<S: ConnectionStore, P: Platform>(
    db: &S,
    p: &P,
    cfg: &Config,
    caller: &Caller<'_>,
    ty: ConnectionType,
    body: &Value,
) -> Result<ConnectionBody, ApiError> {
    let form = parse_form(body, ty, cfg)?;
    let valid = form::validate(&form).map_err(form_errors)?;
    let name = valid.name.as_str().to_owned();
    if db.name_taken(caller.org, ty, &name).await? {
        return Err(name_conflict(&name));
    }
    let method = valid.credentials.method();
    let checked = match check(p, &valid).await {
        Ok(c) => c,
        Err(e) => {
            db.audit(AuditEvent {
                org: caller.org,
                actor: caller.actor,
                action: "connection.create",
                target: None,
                outcome: "failed",
                detail: json!({ "type": ty, "method": method, "name": name, "error": e }),
            })
            .await?;
            return Err(e.into());
        }
    };
    let id = new_id(p)?;
    let tenant = valid.credentials.tenant();
    let client_id = valid.credentials.client_id().map(ToString::to_string);
    let endpoint = valid.endpoint.as_ref().map(ToString::to_string);
    db.insert(
        &NewConnection {
            id: &id,
            org_id: caller.org,
            ty,
            method,
            name: &name,
            description: valid.description.as_deref(),
            tenant_id: &tenant,
            client_id: client_id.as_deref(),
            cloud: valid.cloud.name(),
            endpoint: endpoint.as_deref(),
            credential_info: &checked.info,
            created_by: Some(caller.label),
            now: p.now(),
        },
        &secret_fields(&valid.credentials),
    )
    .await?;
    db.cache_token(caller.org, &id, &checked.token).await?;
    db.audit(AuditEvent {
        org: caller.org,
        actor: caller.actor,
        action: "connection.create",
        target: Some(&id),
        outcome: "ok",
        detail: json!({ "type": ty, "method": method, "name": name }),
    })
    .await?;
    let row = db
        .connection(caller.org, ty, &id)
        .await?
        .ok_or_else(|| not_found("connection"))?;
    Ok(ConnectionBody::from(&row))
}

/// `POST …/{id}/validate`: a fresh token and the probe; the status follows the outcome.
pub async fn validate<S: ConnectionStore, P: Platform, T: Tokens>(
    db: &S,
    p: &P,
    tokens: &T,
    cfg: &Config,
    actor: &str,
    row: &Connection,
) -> Result<Validation, ApiError> {
    // Drop the cached token: the check must prove the credential still works.
    db.drop_cached_token(&row.id).await?;
    let endpoint = row
        .endpoint
        .as_deref()
        .map(|e| StoreEndpoint::parse(e, cfg.cloud.endpoints()))
        .transpose()?;
    let outcome = async {
        let token = tokens.token(row).await?;
        probe(
            p,
            row.ty,
            &cfg.cloud,
            endpoint.as_ref(),
            &token,
            row.method != Method::OAuth,
        )
        .await
        .map_err(ApiError::from)
    }
    .await;
    // A fault of the deployment (a key version missing from AZCONN_ENCRYPTION_KEYS, storage
    // down) says nothing about the credential: it is the answer, and the stored status stays.
    let outcome = match outcome {
        Err(e) if matches!(e.error.code, Code::NotConfigured | Code::Internal) => return Err(e),
        other => other,
    };
    let error = outcome.as_ref().err().map(|e| &e.error);
    let status = match error {
        None => ConnectionStatus::Active,
        Some(e) if e.code == Code::ReauthRequired => ConnectionStatus::NeedsReauth,
        Some(_) => ConnectionStatus::Failing,
    };
    db.set_status(&row.id, status, error, p.now()).await?;
    db.audit(AuditEvent {
        org: &row.org_id,
        actor,
        action: "connection.validate",
        target: Some(&row.id),
        outcome: if outcome.is_ok() { "ok" } else { "failed" },
        detail: json!({ "status": status, "error": error }),
    })
    .await?;
    let row = reread(db, row).await?;
    Ok(Validation {
        valid: outcome.is_ok(),
        error: error.cloned(),
        app_connection: (&row).into(),
    })
}

/// A text field of a PATCH body: absent or null is none, anything but a string is refused.
fn text<'a>(body: &'a Value, field: &str) -> Result<Option<&'a str>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(Error::field(
            field,
            Code::InvalidFormat,
            format!("{field} must be a string"),
        )
        .into()),
    }
}

/// `PATCH …/{id}`: a delegated connection changes only its name and description; an app-only
/// one is re-validated with the changed fields (empty secret fields keep the stored ones) and
/// replaced only if the check passes. Either commits only if the connection is still at the
/// version this request read: the loser of two concurrent updates gets `409 conflict` and
/// stores nothing.
pub async fn update<S: ConnectionStore, P: Platform>(
    db: &S,
    p: &P,
    cfg: &Config,
    actor: &str,
    row: &Connection,
    body: &Value,
) -> Result<ConnectionBody, ApiError> {
    if row.method == Method::OAuth {
        if let Some(other) = body.as_object().and_then(|o| {
            o.keys()
                .find(|k| !["name", "description"].contains(&k.as_str()))
        }) {
            return Err(Error::field(
                other,
                Code::NotAllowed,
                format!("an OAuth connection does not take {other} here"),
            )
            .with_hint("its fields are name and description; sign in again (reconnect) to change its credential")
            .into());
        }
        let (name, description) = name_and_description(
            text(body, "name")?.unwrap_or(&row.name),
            text(body, "description")?.or(row.description.as_deref()),
        )
        .map_err(form_errors)?;
        refuse_taken_name(db, row, name.as_str()).await?;
        let renamed = db
            .rename(
                &row.id,
                row.version,
                name.as_str(),
                description.as_deref(),
                p.now(),
            )
            .await?;
        if !renamed {
            return Err(changed_meanwhile(db, actor, row).await?);
        }
        db.audit(AuditEvent {
            org: &row.org_id,
            actor,
            action: "connection.update",
            target: Some(&row.id),
            outcome: "ok",
            detail: json!({ "method": row.method, "name": name }),
        })
        .await?;
        return Ok(ConnectionBody::from(&reread(db, row).await?));
    }
    let mut merged = json!({
        "name": row.name, "description": row.description.clone().unwrap_or_default(),
        "method": row.method, "tenantId": row.tenant_id, "clientId": row.client_id,
        "endpoint": row.endpoint.clone().unwrap_or_default(),
    });
    if let (Some(m), Some(b)) = (merged.as_object_mut(), body.as_object()) {
        for (k, v) in b {
            m.insert(k.clone(), v.clone());
        }
    }
    let method_changed = merged.get("method") != Some(&json!(row.method));
    if !method_changed {
        let stored = stored_credential(db, row).await?;
        for (field, value) in secret_fields(&stored) {
            let empty = merged
                .get(field.name())
                .and_then(Value::as_str)
                .is_none_or(|v| v.trim().is_empty());
            if empty && let Some(m) = merged.as_object_mut() {
                m.insert(field.name().into(), json!(value));
            }
        }
    }
    let form = parse_form(&merged, row.ty, cfg)?;
    let valid = form::validate(&form).map_err(form_errors)?;
    refuse_taken_name(db, row, valid.name.as_str()).await?;
    let checked = match check(p, &valid).await {
        Ok(c) => c,
        Err(e) => {
            db.audit(AuditEvent {
                org: &row.org_id,
                actor,
                action: "connection.update",
                target: Some(&row.id),
                outcome: "failed",
                detail: json!({ "error": e }),
            })
            .await?;
            return Err(e.into());
        }
    };
    let method = valid.credentials.method();
    let tenant = valid.credentials.tenant();
    let client_id = valid
        .credentials
        .client_id()
        .map(ToString::to_string)
        .unwrap_or_default();
    let endpoint = valid.endpoint.as_ref().map(ToString::to_string);
    let replaced = db
        .replace_credentials(
            &row.org_id,
            &CredentialUpdate {
                id: &row.id,
                version: row.version,
                name: valid.name.as_str(),
                description: valid.description.as_deref(),
                method,
                tenant_id: &tenant,
                client_id: &client_id,
                endpoint: endpoint.as_deref(),
                credential_info: &checked.info,
                now: p.now(),
            },
            &secret_fields(&valid.credentials),
        )
        .await?;
    if !replaced {
        return Err(changed_meanwhile(db, actor, row).await?);
    }
    db.audit(AuditEvent {
        org: &row.org_id,
        actor,
        action: "connection.update",
        target: Some(&row.id),
        outcome: "ok",
        detail: json!({ "method": method }),
    })
    .await?;
    Ok(ConnectionBody::from(&reread(db, row).await?))
}

/// Who deletes a connection, and with what platform its dependents are deleted.
pub struct Deleter<'a, S, P> {
    pub db: &'a S,
    pub p: &'a P,
    pub cfg: &'a Config,
    pub org: &'a str,
    pub actor: &'a str,
}

impl<S: RotationStore + SyncStore, P: Platform> Deleter<'_, S, P> {
    /// `DELETE …/{id}[?dependents=delete&secrets=revoke|keep&keys=remove|keep]`: a connection
    /// nothing uses goes with its secrets; one that rotations or syncs use is a `409 conflict`
    /// naming them (the storage re-checks in the same transaction), unless the caller chose
    /// `dependents=delete`: then each rotation is deleted as its own DELETE does with the
    /// `secrets` choice, each sync with the `keys` choice, in creation order, and the
    /// connection last. The first dependent that fails stops it: the answer is that failure,
    /// listing what was deleted and what still uses the connection, which stays.
    pub async fn delete(
        &self,
        row: &Connection,
        q: &ConnectionDeleteQuery,
    ) -> Result<ConnectionDeleted, ApiError> {
        let (rotations, syncs) = if q.dependents {
            self.delete_dependents(row, q).await?
        } else {
            (Vec::new(), Vec::new())
        };
        if !self.db.delete_unused(self.org, &row.id).await? {
            let dependents = self.db.dependents(self.org, &row.id).await?;
            return Err(if dependents.is_empty() {
                not_found("connection")
            } else {
                // Created meanwhile, after the ones deleted above.
                in_use("connection", dependents)
            });
        }
        self.audit(
            &row.id,
            "ok",
            json!({
                "name": row.name,
                "rotations": rotations.iter().map(|r| &r.rotation.id).collect::<Vec<_>>(),
                "syncs": syncs.iter().map(|s| &s.sync.id).collect::<Vec<_>>(),
            }),
        )
        .await?;
        Ok(ConnectionDeleted {
            app_connection: row.into(),
            rotations,
            syncs,
        })
    }

    async fn audit(&self, target: &str, outcome: &str, detail: Value) -> Result<(), ApiError> {
        self.db
            .audit(AuditEvent {
                org: self.org,
                actor: self.actor,
                action: "connection.delete",
                target: Some(target),
                outcome,
                detail,
            })
            .await
    }

    /// Every rotation and sync of the connection, each with the caller's choice for it.
    async fn delete_dependents(
        &self,
        row: &Connection,
        q: &ConnectionDeleteQuery,
    ) -> Result<(Vec<RotationDeleted>, Vec<SyncDeleted>), ApiError> {
        let dependents = self.db.dependents(self.org, &row.id).await?;
        // Every choice is checked before anything is deleted.
        let plan = dependents
            .iter()
            .map(|d| match d.kind {
                DependentKind::Rotation => q.secrets.map(Choice::Secrets).ok_or("secrets"),
                DependentKind::Sync => q.keys.map(Choice::Keys).ok_or("keys"),
            })
            .collect::<Result<Vec<Choice>, &str>>()
            .map_err(|name| missing_choice(name, &dependents))?;
        let rotations_of = Rotations {
            db: self.db,
            p: self.p,
            cfg: self.cfg,
            org: self.org,
            actor: self.actor,
        };
        let syncs_of = Syncs {
            db: self.db,
            p: self.p,
            cfg: self.cfg,
            org: self.org,
            actor: self.actor,
        };
        let (mut rotations, mut syncs) = (Vec::new(), Vec::new());
        let mut deleted = Vec::new();
        for (i, (d, choice)) in dependents.iter().zip(plan).enumerate() {
            // A dependent deleted meanwhile is gone already.
            let done = match choice {
                Choice::Secrets(secrets) => match self.db.rotation(self.org, &d.id).await? {
                    Some(r) => rotations_of
                        .delete(&r, secrets)
                        .await
                        .map(|x| rotations.push(x)),
                    None => Ok(()),
                },
                Choice::Keys(keys) => match self.db.sync(self.org, &d.id).await? {
                    Some(x) => syncs_of.delete(&x, keys).await.map(|x| syncs.push(x)),
                    None => Ok(()),
                },
            };
            if let Err(e) = done {
                let remaining = dependents[i..].to_vec();
                self.audit(
                    &row.id,
                    "failed",
                    json!({ "name": row.name, "deleted": deleted, "remaining": remaining, "error": e.error }),
                )
                .await?;
                return Err(stopped(e, d, deleted, remaining));
            }
            deleted.push(d.clone());
        }
        Ok((rotations, syncs))
    }
}

/// What happens to one dependent: a rotation's secrets, a sync's keys.
#[derive(Clone, Copy)]
enum Choice {
    Secrets(SecretsChoice),
    Keys(KeysChoice),
}

/// `400 required` on the missing choice, naming the dependents it is for and listing them all.
fn missing_choice(name: &str, dependents: &[Dependent]) -> ApiError {
    let (kind, what, values) = if name == "secrets" {
        (
            DependentKind::Rotation,
            "the secrets its rotations created on their apps",
            "secrets=revoke or secrets=keep",
        )
    } else {
        (
            DependentKind::Sync,
            "the keys its syncs own in their stores",
            "keys=remove or keys=keep",
        )
    };
    let of_kind: Vec<Dependent> = dependents
        .iter()
        .filter(|d| d.kind == kind)
        .cloned()
        .collect();
    ApiError::from(
        Error::field(
            name,
            Code::Required,
            format!(
                "the connection is used by {}: choose what happens to {what}",
                named(&of_kind)
            ),
        )
        .with_hint(format!("add {values}")),
    )
    .with_dependents(dependents.to_vec())
}

/// The failure of one dependent's delete, as the answer of the connection's: what failed and
/// why (its code and status), what was deleted before it, what still uses the connection.
fn stopped(
    e: ApiError,
    failed: &Dependent,
    deleted: Vec<Dependent>,
    remaining: Vec<Dependent>,
) -> ApiError {
    let before = if deleted.is_empty() {
        "nothing was deleted".to_owned()
    } else {
        format!("deleted before it: {}", named(&deleted))
    };
    let mut error = Error::new(
        e.error.code,
        format!(
            "could not delete {}: {}",
            named(std::slice::from_ref(failed)),
            e.error.message
        ),
    )
    .with_hint(format!(
        "{before}; the connection stays, still used by {}; repeat the delete once the cause is fixed",
        named(&remaining)
    ));
    error.field = e.error.field.clone();
    let mut answer = ApiError::new(e.status, error)
        .with_dependents(remaining)
        .with_deleted(deleted);
    answer.retry_after = e.retry_after;
    answer
}

/// `GET …/{id}/clients`: the app registrations the connection can see, one Graph page at a
/// time (a `next` link must stay on Graph: the core refuses another host before the token is
/// sent).
pub async fn clients<T: Tokens, P: Platform>(
    tokens: &T,
    p: &P,
    cfg: &Config,
    row: &Connection,
    top: Option<u16>,
    next: Option<&str>,
) -> Result<Clients, ApiError> {
    let token = tokens.token(row).await?;
    let g = Graph::new(cfg.cloud.endpoints());
    let req = match next {
        Some(link) => g.next_page(&token, link)?,
        None => g.list_applications(
            &token,
            &AppQuery {
                select: vec!["displayName".into(), "passwordCredentials".into()],
                top: Some(top.unwrap_or(100)),
                filter: None,
            },
        )?,
    };
    let resp = p.execute(&req).await?;
    if !resp.is_success() {
        return Err(GraphError::parse(&resp)
            .to_error(Operation::ReadApplications)
            .into());
    }
    let page = g.parse_application_page(&resp)?;
    Ok(Clients {
        clients: page.items,
        next_link: page.next_link,
    })
}

/// A rename to a name another connection of the organization and type has: `409 conflict` on
/// `name`, before any Azure call.
async fn refuse_taken_name<S: ConnectionStore>(
    db: &S,
    row: &Connection,
    name: &str,
) -> Result<(), ApiError> {
    if name != row.name && db.name_taken(&row.org_id, row.ty, name).await? {
        return Err(name_conflict(name));
    }
    Ok(())
}

/// The update lost a race with another change of the connection (its version moved): nothing
/// of this request was stored.
async fn changed_meanwhile<S: ConnectionStore>(
    db: &S,
    actor: &str,
    row: &Connection,
) -> Result<ApiError, ApiError> {
    let e = Error::new(
        Code::Conflict,
        "the connection changed while this update was checked; nothing was stored",
    )
    .with_hint("reload the connection and apply the change again");
    db.audit(AuditEvent {
        org: &row.org_id,
        actor,
        action: "connection.update",
        target: Some(&row.id),
        outcome: "conflict",
        detail: json!({ "error": e }),
    })
    .await?;
    Ok(ApiError::new(409, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api_error::{Dependent, DependentKind, ErrorBody};
    use crate::fakes::{
        APP, FakePlatform, FakeTokens, MemoryStore, NOW, OTHER_SECRET, SECRET, Service, TENANT,
        block_on, jwt, token_response,
    };
    use crate::secret_field::Field;
    use azconn_core::http::HttpResponse;

    const ORG: &str = "org1";

    fn config() -> Config {
        let vars = [
            ("SITE_URL", "https://azconn.example.com"),
            (
                "AZCONN_ENCRYPTION_KEYS",
                "1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
            ),
        ];
        Config::parse(&|k| {
            vars.iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| (*v).to_owned())
        })
        .expect("config")
    }

    fn caller() -> Caller<'static> {
        Caller {
            org: ORG,
            actor: "token1",
            label: "API token \"default\"",
        }
    }

    fn form(name: &str) -> Value {
        json!({
            "name": name, "method": "client-secret", "tenantId": TENANT, "clientId": APP,
            "clientSecret": SECRET,
        })
    }

    /// A store with one client-secret connection made through `create`.
    fn with_connection(name: &str) -> (MemoryStore, Connection) {
        let db = MemoryStore::default();
        let p = FakePlatform::new();
        let made = block_on(create(
            &db,
            &p,
            &config(),
            &caller(),
            ConnectionType::AzureClientSecrets,
            &form(name),
        ))
        .expect("created");
        let row = db.row(&made.app_connection.id).expect("stored");
        db.audit.borrow_mut().clear();
        (db, row)
    }

    fn body_text(e: &ApiError) -> String {
        serde_json::to_string(&ErrorBody::of(e, Some("r1"))).expect("json")
    }

    #[test]
    fn create_checks_live_then_stores_the_connection_its_secret_and_the_token() {
        let db = MemoryStore::default();
        let p = FakePlatform::new();
        let made = block_on(create(
            &db,
            &p,
            &config(),
            &caller(),
            ConnectionType::AzureClientSecrets,
            &form("graph"),
        ))
        .expect("created");
        let c = &made.app_connection;
        assert_eq!(c.name, "graph");
        assert_eq!(c.client_id.as_deref(), Some(APP));
        assert_eq!(p.services(), [Service::Token, Service::Graph]);
        let token_req = &p.requests.borrow()[0];
        assert_eq!(
            token_req.url,
            format!("https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token")
        );
        assert!(token_req.body.contains("grant_type=client_credentials"));
        assert!(
            token_req
                .body
                .contains("scope=https%3A%2F%2Fgraph.microsoft.com%2F.default")
        );
        assert!(p.requests.borrow()[1].url.contains("/v1.0/applications"));
        assert_eq!(db.fields(&c.id), ["accessToken", "clientSecret"]);
        assert_eq!(
            db.secret_of(&c.id, Field::ClientSecret).as_deref(),
            Some(SECRET)
        );
        let row = db.row(&c.id).expect("row");
        assert_eq!(row.created_by.as_deref(), Some("API token \"default\""));
        assert_eq!(row.created_at, NOW);
        assert_eq!(
            row.credential_info.expect("info")["permission"],
            "Application.ReadWrite.OwnedBy"
        );
        assert_eq!(
            db.actions(),
            [("connection.create".to_owned(), "ok".to_owned())]
        );
        let shown = serde_json::to_string(&made).expect("json");
        assert!(!shown.contains(SECRET), "{shown}");
    }

    #[test]
    fn a_taken_name_or_an_invalid_form_is_refused_before_any_azure_call() {
        let (db, _) = with_connection("graph");
        let p = FakePlatform::new();
        let cfg = config();
        let taken = block_on(create(
            &db,
            &p,
            &cfg,
            &caller(),
            ConnectionType::AzureClientSecrets,
            &form("graph"),
        ))
        .expect_err("taken");
        assert_eq!(taken.status, 409);
        assert_eq!(taken.error.field.as_deref(), Some("name"));
        let mut bad = form("Bad Name");
        bad["clientSecret"] = json!("");
        let invalid = block_on(create(
            &db,
            &p,
            &cfg,
            &caller(),
            ConnectionType::AzureClientSecrets,
            &bad,
        ))
        .expect_err("invalid");
        assert_eq!(invalid.status, 400);
        let fields: Vec<_> = invalid
            .errors()
            .iter()
            .filter_map(|e| e.field.clone())
            .collect();
        assert_eq!(fields, ["name", "clientSecret"]);
        assert!(p.requests.borrow().is_empty());
        assert_eq!(db.connections.borrow().len(), 1);
    }

    #[test]
    fn a_body_is_read_field_by_field_and_each_refusal_names_its_field() {
        let db = MemoryStore::default();
        let p = FakePlatform::new();
        let cfg = config();
        let refused = |patch: Value| {
            let mut body = form("graph");
            for (k, v) in patch.as_object().expect("object") {
                body[k] = v.clone();
            }
            let e = block_on(create(
                &db,
                &p,
                &cfg,
                &caller(),
                ConnectionType::AzureClientSecrets,
                &body,
            ))
            .expect_err("refused");
            (e.status, e.error.field.unwrap_or_default(), e.error.code)
        };
        assert_eq!(
            refused(json!({ "name": 5 })),
            (400, "name".into(), Code::InvalidFormat)
        );
        assert_eq!(
            refused(json!({ "clientSecret": ["s"] })),
            (400, "clientSecret".into(), Code::InvalidFormat)
        );
        // The deployment decides the cloud; a misspelt field is not silently dropped.
        assert_eq!(
            refused(json!({ "cloud": "china" })),
            (400, "cloud".into(), Code::NotAllowed)
        );
        assert_eq!(
            refused(json!({ "tenantID": TENANT })),
            (400, "tenantID".into(), Code::NotAllowed)
        );
        // Another method's credential would be dropped: it is refused instead.
        assert_eq!(
            refused(json!({ "privateKey": "-----BEGIN PRIVATE KEY-----" })),
            (400, "privateKey".into(), Code::NotAllowed)
        );
        assert_eq!(
            refused(json!({ "method": "certificate", "certificate": "pem" })),
            (400, "clientSecret".into(), Code::NotAllowed)
        );
        assert!(p.requests.borrow().is_empty(), "nothing reached Azure");
        assert!(db.connections.borrow().is_empty());
        // `null` counts as absent, and an empty field of the other method is no credential.
        let mut body = form("graph");
        body["description"] = Value::Null;
        body["certificate"] = json!("");
        let made = block_on(create(
            &db,
            &p,
            &cfg,
            &caller(),
            ConnectionType::AzureClientSecrets,
            &body,
        ))
        .expect("created");
        assert_eq!(made.app_connection.description, None);
    }

    #[test]
    fn azure_refusals_and_failures_store_nothing_and_are_audited() {
        let cases: [(Service, HttpResponse, Code); 3] = [
            (
                Service::Token,
                HttpResponse::new(
                    401,
                    json!({ "error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided.", "error_codes": [7000215] }).to_string(),
                ),
                Code::TokenRequestFailed,
            ),
            (
                Service::Token,
                HttpResponse::new(503, "<html>upstream unavailable</html>"),
                Code::MalformedResponse,
            ),
            (
                Service::Token,
                token_response(&jwt(&json!({ "tid": TENANT, "roles": [] }))),
                Code::PermissionDenied,
            ),
        ];
        for (service, resp, code) in cases {
            let db = MemoryStore::default();
            let p = FakePlatform::new();
            p.answer(service, resp);
            let e = block_on(create(
                &db,
                &p,
                &config(),
                &caller(),
                ConnectionType::AzureClientSecrets,
                &form("graph"),
            ))
            .expect_err("refused");
            assert_eq!(e.error.code, code, "{:?}", e.error);
            assert!(db.connections.borrow().is_empty());
            assert!(db.secrets.borrow().is_empty());
            assert_eq!(
                db.actions(),
                [("connection.create".to_owned(), "failed".to_owned())]
            );
            let audited = db.audit.borrow()[0].detail.to_string();
            assert!(!audited.contains(SECRET), "{audited}");
        }
    }

    #[test]
    fn a_graph_5xx_after_the_token_stores_nothing() {
        let db = MemoryStore::default();
        let p = FakePlatform::new();
        p.answer(
            Service::Graph,
            HttpResponse::new(
                500,
                json!({ "error": { "code": "InternalServerError", "message": "boom" } })
                    .to_string(),
            ),
        );
        let e = block_on(create(
            &db,
            &p,
            &config(),
            &caller(),
            ConnectionType::AzureClientSecrets,
            &form("graph"),
        ))
        .expect_err("graph failed");
        assert!(e.status >= 400 && e.status != 500, "{}", e.status);
        assert!(db.connections.borrow().is_empty());
    }

    #[test]
    fn a_storage_failure_answers_without_the_storage_text_and_keeps_the_cause_for_the_log() {
        let db = MemoryStore::default();
        db.fail.set(Some("insert"));
        let p = FakePlatform::new();
        let e = block_on(create(
            &db,
            &p,
            &config(),
            &caller(),
            ConnectionType::AzureClientSecrets,
            &form("graph"),
        ))
        .expect_err("storage failed");
        assert_eq!(e.status, 500);
        let answered = body_text(&e);
        assert!(!answered.contains("D1_ERROR"), "{answered}");
        assert!(!answered.contains(SECRET), "{answered}");
        assert!(
            e.log_line("r1")
                .expect("logged")
                .contains("D1_ERROR: insert failed")
        );
    }

    #[test]
    fn an_update_keeps_the_stored_secret_when_the_field_is_empty_and_moves_the_version() {
        let (db, row) = with_connection("graph");
        let p = FakePlatform::new();
        let updated = block_on(update(
            &db,
            &p,
            &config(),
            "token1",
            &row,
            &json!({ "description": "rotation", "clientSecret": "" }),
        ))
        .expect("updated");
        assert_eq!(
            updated.app_connection.description.as_deref(),
            Some("rotation")
        );
        let token_body = &p.requests.borrow()[0].body;
        assert!(
            token_body.contains(&format!("client_secret={}", SECRET.replace('~', "%7E")))
                || token_body.contains(&format!("client_secret={SECRET}")),
            "{token_body}"
        );
        assert_eq!(db.row(&row.id).expect("row").version, 2);
        assert_eq!(
            db.secret_of(&row.id, Field::ClientSecret).as_deref(),
            Some(SECRET)
        );
        assert_eq!(
            db.actions(),
            [("connection.update".to_owned(), "ok".to_owned())]
        );
    }

    #[test]
    fn an_update_that_lost_the_race_is_409_and_stores_nothing() {
        let (db, row) = with_connection("graph");
        db.concurrent_write.set(true);
        let p = FakePlatform::new();
        let e = block_on(update(
            &db,
            &p,
            &config(),
            "token1",
            &row,
            &json!({ "clientSecret": OTHER_SECRET, "description": "mine" }),
        ))
        .expect_err("lost");
        assert_eq!(e.status, 409);
        assert_eq!(e.error.code, Code::Conflict);
        assert_eq!(
            db.secret_of(&row.id, Field::ClientSecret).as_deref(),
            Some(SECRET),
            "the loser's secret is not stored"
        );
        assert_eq!(db.row(&row.id).expect("row").description, None);
        assert_eq!(
            db.actions(),
            [("connection.update".to_owned(), "conflict".to_owned())]
        );
    }

    #[test]
    fn a_rename_to_a_taken_name_is_409_before_any_azure_call() {
        let db = MemoryStore::default();
        let p = FakePlatform::new();
        let mut ids = ["taken", "free"].map(|name| {
            block_on(create(
                &db,
                &p,
                &config(),
                &caller(),
                ConnectionType::AzureClientSecrets,
                &form(name),
            ))
            .expect("created")
            .app_connection
            .id
        });
        assert_ne!(ids[0], ids[1]);
        let row = db.row(&std::mem::take(&mut ids[1])).expect("row");
        p.requests.borrow_mut().clear();
        let e = block_on(update(
            &db,
            &p,
            &config(),
            "token1",
            &row,
            &json!({ "name": "taken" }),
        ))
        .expect_err("taken");
        assert_eq!(e.status, 409);
        assert_eq!(e.error.field.as_deref(), Some("name"));
        assert!(p.requests.borrow().is_empty());
    }

    fn oauth_row(db: &MemoryStore) -> Connection {
        let (_, mut row) = with_connection("delegated");
        row.method = Method::OAuth;
        row.id = "oauth1".into();
        db.connections.borrow_mut().push(row.clone());
        row
    }

    #[test]
    fn a_delegated_connection_renames_under_the_form_rules_and_its_version() {
        let db = MemoryStore::default();
        let row = oauth_row(&db);
        let p = FakePlatform::new();
        for (body, field, code) in [
            (
                json!({ "description": "d".repeat(100_000) }),
                "description",
                Code::TooLong,
            ),
            (
                json!({ "description": "nul\u{0}" }),
                "description",
                Code::InvalidCharacter,
            ),
            (
                json!({ "name": "Not A Slug" }),
                "name",
                Code::InvalidCharacter,
            ),
            (json!({ "name": 7 }), "name", Code::InvalidFormat),
            // Its credential is a grant: a secret sent here would be silently dropped.
            (
                json!({ "clientSecret": SECRET }),
                "clientSecret",
                Code::NotAllowed,
            ),
        ] {
            let e =
                block_on(update(&db, &p, &config(), "token1", &row, &body)).expect_err("refused");
            assert_eq!(e.error.field.as_deref(), Some(field), "{body}");
            assert_eq!(e.error.code, code, "{body}");
        }
        let renamed = block_on(update(
            &db,
            &p,
            &config(),
            "token1",
            &row,
            &json!({ "name": "delegated-2", "description": " fine " }),
        ))
        .expect("renamed");
        assert_eq!(renamed.app_connection.name, "delegated-2");
        assert_eq!(renamed.app_connection.description.as_deref(), Some("fine"));
        assert!(p.requests.borrow().is_empty(), "no Azure call");
        // The row this request read is now stale: a second rename with it loses.
        let e = block_on(update(
            &db,
            &p,
            &config(),
            "token1",
            &row,
            &json!({ "name": "delegated-3" }),
        ))
        .expect_err("stale");
        assert_eq!(e.status, 409);
        assert_eq!(db.row("oauth1").expect("row").name, "delegated-2");
    }

    fn deleter<'a>(
        db: &'a MemoryStore,
        p: &'a FakePlatform,
        cfg: &'a Config,
    ) -> Deleter<'a, MemoryStore, FakePlatform> {
        Deleter {
            db,
            p,
            cfg,
            org: ORG,
            actor: "token1",
        }
    }

    fn query(q: &str) -> ConnectionDeleteQuery {
        ConnectionDeleteQuery::parse(q).expect("query")
    }

    #[test]
    fn delete_refuses_a_connection_in_use_naming_its_dependents_and_removes_an_unused_one() {
        let (db, row) = with_connection("graph");
        let (p, cfg) = (FakePlatform::new(), config());
        let rotation = Dependent {
            kind: DependentKind::Rotation,
            id: "rot1".into(),
            name: "payments-api".into(),
        };
        db.dependents
            .borrow_mut()
            .push((row.id.clone(), rotation.clone()));
        let d = deleter(&db, &p, &cfg);
        let e = block_on(d.delete(&row, &query(""))).expect_err("in use");
        assert_eq!(e.status, 409);
        assert_eq!(e.dependents(), [rotation]);
        assert!(
            e.error
                .hint
                .as_deref()
                .is_some_and(|h| h.contains("?dependents=delete"))
        );
        assert!(db.row(&row.id).is_some());
        db.dependents.borrow_mut().clear();
        let deleted = block_on(d.delete(&row, &query(""))).expect("deleted");
        assert!(deleted.rotations.is_empty() && deleted.syncs.is_empty());
        assert_eq!(deleted.app_connection.id, row.id);
        assert!(db.row(&row.id).is_none());
        assert!(db.fields(&row.id).is_empty());
        assert_eq!(
            db.actions(),
            [("connection.delete".to_owned(), "ok".to_owned())]
        );
        let gone = block_on(d.delete(&row, &query(""))).expect_err("gone");
        assert_eq!(gone.status, 404);
    }

    mod with_dependents {
        use super::*;
        use crate::api::{RotationRequest, RunRequest, SyncRequest};
        use crate::connection_store::ConnectionStore;
        use crate::fakes::{FakeApp, FakeStore, TARGET_APP, TARGET_OBJECT};
        use crate::records::NewRotation;
        use crate::rotation_store::RotationStore;
        use azconn_core::rotation::schedule::TimeOfDay;

        const ORIGINAL: &str = "11111111-1111-4111-8111-111111111111";
        const STORE: &str = "https://store1.azconfig.io";

        /// A store with the connection `c1` of type `ty`.
        fn db_with(ty: ConnectionType) -> (MemoryStore, Connection) {
            let db = MemoryStore::default();
            block_on(db.insert(
                &NewConnection {
                    id: "c1",
                    org_id: ORG,
                    ty,
                    method: Method::ClientSecret,
                    name: "conn",
                    description: None,
                    tenant_id: TENANT,
                    client_id: Some(APP),
                    cloud: "global",
                    endpoint: (ty == ConnectionType::AzureAppConfiguration).then_some(STORE),
                    credential_info: &json!({}),
                    created_by: None,
                    now: NOW,
                },
                &[(Field::ClientSecret, SECRET.to_owned())],
            ))
            .expect("connection");
            let row = db.row("c1").expect("row");
            (db, row)
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
                org: ORG,
                actor: "token1",
            }
        }

        /// A rotation of the target app on `c1`, rotated once (one secret it created).
        fn rotated(db: &MemoryStore, p: &FakePlatform, cfg: &Config) -> String {
            let r = rotations(db, p, cfg);
            let body =
                RotationRequest::parse(&json!({ "connectionId": "c1", "appId": TARGET_APP }))
                    .expect("body");
            let id = block_on(r.create(&body)).expect("created").rotation.id;
            block_on(r.rotate(&db.rotation_row(&id).expect("row"))).expect("rotated");
            id
        }

        fn app_keys(p: &FakePlatform) -> Vec<String> {
            let mut ids = p.app.borrow().as_ref().expect("app").key_ids();
            ids.sort();
            ids
        }

        #[test]
        fn each_rotation_goes_first_with_its_secrets_revoked_or_kept_then_the_connection() {
            for (choice, left) in [
                ("revoke", vec![ORIGINAL.to_owned()]),
                ("keep", vec![ORIGINAL.to_owned(), FakeApp::added_key(1)]),
            ] {
                let (db, row) = db_with(ConnectionType::AzureClientSecrets);
                let (p, cfg) = (
                    FakePlatform::with_app(FakeApp::with(&[(ORIGINAL, "original", 300)])),
                    config(),
                );
                let id = rotated(&db, &p, &cfg);
                let deleted = block_on(
                    deleter(&db, &p, &cfg)
                        .delete(&row, &query(&format!("dependents=delete&secrets={choice}"))),
                )
                .expect("deleted");
                assert_eq!(deleted.app_connection.id, "c1");
                assert_eq!(
                    deleted
                        .rotations
                        .iter()
                        .map(|r| r.rotation.id.as_str())
                        .collect::<Vec<_>>(),
                    [id.as_str()]
                );
                let revoked = if choice == "revoke" {
                    vec![FakeApp::added_key(1)]
                } else {
                    Vec::new()
                };
                assert_eq!(deleted.rotations[0].revoked, revoked, "{choice}");
                assert!(deleted.syncs.is_empty());
                let mut keys = app_keys(&p);
                keys.sort();
                let mut left = left;
                left.sort();
                assert_eq!(keys, left, "{choice}");
                assert!(db.rotation_row(&id).is_none());
                assert!(db.row("c1").is_none());
                assert!(db.fields(&id).is_empty() && db.fields("c1").is_empty());
                let actions = db.actions();
                assert!(actions.contains(&("rotation.delete".into(), "ok".into())));
                assert_eq!(
                    actions.last(),
                    Some(&("connection.delete".into(), "ok".into()))
                );
                assert_eq!(
                    db.audit_details("connection.delete"),
                    [json!({ "name": "conn", "rotations": [id], "syncs": [] })]
                );
            }
        }

        #[test]
        fn each_sync_goes_first_with_its_keys_removed_or_kept_then_the_connection() {
            for choice in ["remove", "keep"] {
                let (db, row) = db_with(ConnectionType::AzureAppConfiguration);
                let (p, cfg) = (
                    FakePlatform::with_store(FakeStore::with(&[("app/THEIRS", "x", None)])),
                    config(),
                );
                let s = Syncs {
                    db: &db,
                    p: &p,
                    cfg: &cfg,
                    org: ORG,
                    actor: "token1",
                };
                let body =
                    SyncRequest::parse(&json!({ "connectionId": "c1", "keyPrefix": "app/" }))
                        .expect("body");
                let id = block_on(s.create(&body)).expect("created").sync.id;
                let sync = db.sync_row(&id).expect("row");
                block_on(s.run(
                    &sync,
                    &RunRequest::parse(&json!({ "secrets": { "A": "1" } })).expect("run"),
                ))
                .expect("ran");
                let deleted = block_on(
                    deleter(&db, &p, &cfg)
                        .delete(&row, &query(&format!("dependents=delete&keys={choice}"))),
                )
                .expect("deleted");
                assert_eq!(deleted.syncs.len(), 1);
                assert_eq!(deleted.syncs[0].sync.id, id);
                let keys = p.store.borrow().as_ref().expect("store").keys();
                if choice == "remove" {
                    assert_eq!(deleted.syncs[0].removed, ["app/A"]);
                    assert_eq!(keys, ["app/THEIRS"], "only its own key");
                } else {
                    assert!(deleted.syncs[0].removed.is_empty());
                    assert_eq!(keys, ["app/A", "app/THEIRS"]);
                }
                assert!(db.sync_row(&id).is_none());
                assert!(db.row("c1").is_none());
                assert!(db.actions().contains(&("sync.delete".into(), "ok".into())));
                assert_eq!(
                    db.audit_details("connection.delete"),
                    [json!({ "name": "conn", "rotations": [], "syncs": [id] })]
                );
            }
        }

        #[test]
        fn a_missing_choice_is_a_400_naming_it_and_listing_the_dependents_with_nothing_deleted() {
            let (db, row) = db_with(ConnectionType::AzureClientSecrets);
            let (p, cfg) = (
                FakePlatform::with_app(FakeApp::with(&[(ORIGINAL, "original", 300)])),
                config(),
            );
            let id = rotated(&db, &p, &cfg);
            let sent = p.requests.borrow().len();
            // The choice for syncs does not stand in for the one for rotations.
            for q in ["dependents=delete", "dependents=delete&keys=remove"] {
                let e =
                    block_on(deleter(&db, &p, &cfg).delete(&row, &query(q))).expect_err("missing");
                assert_eq!(
                    (e.status, e.error.field.as_deref(), e.error.code),
                    (400, Some("secrets"), Code::Required),
                    "{q}"
                );
                assert_eq!(
                    e.error.message,
                    format!(
                        "the connection is used by rotation {id} (payroll): choose what happens to the secrets its rotations created on their apps"
                    )
                );
                assert_eq!(e.dependents().len(), 1);
                assert_eq!(e.dependents()[0].id, id);
            }
            assert_eq!(p.requests.borrow().len(), sent, "nothing sent");
            assert!(db.rotation_row(&id).is_some() && db.row("c1").is_some());
            // Without the flag: still the 409.
            let e = block_on(deleter(&db, &p, &cfg).delete(&row, &query(""))).expect_err("in use");
            assert_eq!(e.status, 409);

            let (db, row) = db_with(ConnectionType::AzureAppConfiguration);
            let (p, cfg) = (FakePlatform::with_store(FakeStore::default()), config());
            let s = Syncs {
                db: &db,
                p: &p,
                cfg: &cfg,
                org: ORG,
                actor: "token1",
            };
            let body = SyncRequest::parse(&json!({ "connectionId": "c1" })).expect("body");
            let id = block_on(s.create(&body)).expect("created").sync.id;
            let e = block_on(
                deleter(&db, &p, &cfg).delete(&row, &query("dependents=delete&secrets=keep")),
            )
            .expect_err("missing");
            assert_eq!((e.status, e.error.field.as_deref()), (400, Some("keys")));
            assert_eq!(e.dependents()[0].id, id);
            assert!(db.sync_row(&id).is_some() && db.row("c1").is_some());
        }

        #[test]
        fn a_dependent_that_fails_stops_the_delete_and_says_what_was_deleted_and_what_was_not() {
            let (db, row) = db_with(ConnectionType::AzureClientSecrets);
            let (p, cfg) = (
                FakePlatform::with_app(FakeApp::with(&[(ORIGINAL, "original", 300)])),
                config(),
            );
            let r = rotations(&db, &p, &cfg);
            let body =
                RotationRequest::parse(&json!({ "connectionId": "c1", "appId": TARGET_APP }))
                    .expect("body");
            let first = block_on(r.create(&body)).expect("created").rotation.id;
            // A second rotation (of another app) on the same connection, then a third.
            let state = db.secret_of(&first, Field::RotationState).expect("state");
            let target = crate::records::RotationTarget {
                app_id: "99999999-9999-4999-8999-999999999999".into(),
                object_id: "88888888-8888-4888-8888-888888888888".into(),
                display_name: Some("billing".into()),
            };
            for (id, name, app) in [("r2", "billing", "9"), ("r3", "ledger", "7")] {
                let target = crate::records::RotationTarget {
                    app_id: target.app_id.replace('9', app),
                    display_name: Some(name.to_owned()),
                    ..target.clone()
                };
                let new = NewRotation {
                    id,
                    org_id: ORG,
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
                    block_on(db.insert_rotation(&new, &state)).expect("inserted"),
                    Ok(())
                );
            }
            // The first's credentials read answers; Graph refuses the second's.
            p.answer(
                Service::Graph,
                HttpResponse::new(
                    200,
                    json!({ "id": TARGET_OBJECT, "appId": TARGET_APP, "passwordCredentials": [] })
                        .to_string(),
                ),
            );
            p.answer(
                Service::Graph,
                HttpResponse::new(
                    403,
                    json!({ "error": { "code": "Authorization_RequestDenied", "message": "Insufficient privileges to complete the operation." } }).to_string(),
                ),
            );
            let e = block_on(
                deleter(&db, &p, &cfg).delete(&row, &query("dependents=delete&secrets=revoke")),
            )
            .expect_err("stopped");
            assert_eq!(e.error.code, Code::PermissionDenied);
            assert!(
                e.error
                    .message
                    .starts_with("could not delete rotation r2 (billing): "),
                "{}",
                e.error.message
            );
            assert_eq!(
                e.error.hint.as_deref(),
                Some(format!("deleted before it: rotation {first} (payroll); the connection stays, still used by rotation r2 (billing), rotation r3 (ledger); repeat the delete once the cause is fixed").as_str())
            );
            assert_eq!(
                e.deleted()
                    .iter()
                    .map(|d| d.id.as_str())
                    .collect::<Vec<_>>(),
                [first.as_str()]
            );
            assert_eq!(
                e.dependents()
                    .iter()
                    .map(|d| d.id.as_str())
                    .collect::<Vec<_>>(),
                ["r2", "r3"]
            );
            let body: Value = serde_json::from_str(&body_text(&e)).expect("json");
            assert_eq!(body["deleted"][0]["id"], json!(first));
            assert_eq!(body["dependents"][1]["id"], json!("r3"));
            // Nothing silently lost: the first is gone, the others and the connection stay.
            assert!(db.rotation_row(&first).is_none());
            assert!(db.rotation_row("r2").is_some() && db.rotation_row("r3").is_some());
            assert!(db.row("c1").is_some() && !db.fields("c1").is_empty());
            assert_eq!(
                db.audit_details("connection.delete"),
                [json!({
                    "name": "conn",
                    "deleted": [{ "kind": "rotation", "id": first, "name": "payroll" }],
                    "remaining": [
                        { "kind": "rotation", "id": "r2", "name": "billing" },
                        { "kind": "rotation", "id": "r3", "name": "ledger" }
                    ],
                    "error": serde_json::to_value(&db.rotation_row("r2").expect("r2").last_error).expect("error"),
                })]
            );
            // Repeated once Graph answers: the rest goes, then the connection.
            let deleted = block_on(
                deleter(&db, &p, &cfg).delete(&row, &query("dependents=delete&secrets=revoke")),
            )
            .expect("deleted");
            assert_eq!(
                deleted
                    .rotations
                    .iter()
                    .map(|r| r.rotation.id.as_str())
                    .collect::<Vec<_>>(),
                ["r2", "r3"]
            );
            assert!(db.row("c1").is_none());
        }
    }

    #[test]
    fn clients_list_one_graph_page_and_refuse_a_next_link_off_graph() {
        let (_, row) = with_connection("graph");
        let p = FakePlatform::new();
        let tokens = FakeTokens(Ok(crate::fakes::graph_token()));
        let page = block_on(clients(&tokens, &p, &config(), &row, Some(1), None)).expect("page");
        assert_eq!(page.clients.len(), 1);
        assert!(
            p.requests.borrow()[0].url.contains("%24top=1")
                || p.requests.borrow()[0].url.contains("$top=1")
        );
        let e = block_on(clients(
            &tokens,
            &p,
            &config(),
            &row,
            None,
            Some("https://evil.example/v1.0/applications?$skiptoken=x"),
        ))
        .expect_err("off Graph");
        assert_eq!(e.status, 400, "{:?}", e.error);
        assert_eq!(
            p.requests.borrow().len(),
            1,
            "the token never left for another host"
        );
    }

    #[test]
    fn validate_sets_the_status_the_outcome_says() {
        let graph_403 = HttpResponse::new(
            403,
            json!({ "error": { "code": "Authorization_RequestDenied", "message": "Insufficient privileges" } })
                .to_string(),
        );
        let reauth = Error::new(Code::ReauthRequired, "the grant expired");
        for (tokens, graph, status, valid) in [
            (
                FakeTokens(Ok(crate::fakes::graph_token())),
                None,
                ConnectionStatus::Active,
                true,
            ),
            (
                FakeTokens(Err(reauth)),
                None,
                ConnectionStatus::NeedsReauth,
                false,
            ),
            (
                FakeTokens(Ok(crate::fakes::graph_token())),
                Some(graph_403),
                ConnectionStatus::Failing,
                false,
            ),
        ] {
            let (db, row) = with_connection("graph");
            let p = FakePlatform::new();
            if let Some(resp) = graph {
                p.answer(Service::Graph, resp);
            }
            let v =
                block_on(validate(&db, &p, &tokens, &config(), "token1", &row)).expect("validated");
            assert_eq!(v.valid, valid);
            assert_eq!(v.app_connection.status, status);
            assert_eq!(db.row(&row.id).expect("row").status, status);
            assert!(
                db.secret_of(&row.id, Field::AccessToken).is_none(),
                "the cached token was dropped"
            );
            assert_eq!(
                db.actions(),
                [(
                    "connection.validate".to_owned(),
                    if valid { "ok" } else { "failed" }.to_owned()
                )]
            );
        }
    }

    #[test]
    fn a_deployment_fault_is_the_answer_and_the_status_stays() {
        let missing_key = Error::new(
            Code::NotConfigured,
            "the value is sealed under key version 1, which is not in the keyring",
        );
        let (db, row) = with_connection("graph");
        let before = db.row(&row.id).expect("row").status;
        let e = block_on(validate(
            &db,
            &FakePlatform::new(),
            &FakeTokens(Err(missing_key)),
            &config(),
            "token1",
            &row,
        ))
        .unwrap_err();
        assert_eq!(e.error.code, Code::NotConfigured);
        assert_eq!(db.row(&row.id).expect("row").status, before);
        assert!(
            db.actions().is_empty(),
            "nothing about the connection changed"
        );
    }
}
