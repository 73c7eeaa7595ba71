//! `/api/v1/app-connections/{type}`: create and update validate live against Azure and store
//! nothing on failure; reads never return a secret.

use super::azure::{client_credentials, execute};
use super::credentials::{app_credential, form_errors, secret_fields, stored_credential};
use super::probe::probe;
use super::reply::{ApiError, not_found};
use super::runtime::{new_id, now_s};
use super::store::{Field, Storage};
use super::tokens::{cache_token, scope, token_for};
use crate::api::{Clients, ConnectionBody, Validation};
use crate::api_error::in_use;
use crate::config::Config;
use crate::connection_fields::name_and_description;
use crate::records::{Connection, ConnectionStatus, CredentialUpdate, NewConnection};
use azconn_core::cloud::StoreEndpoint;
use azconn_core::error::{Code, Error};
use azconn_core::form::{self, ConnectionForm, ConnectionType, Method, ValidatedForm};
use azconn_core::graph::{AppQuery, Graph, GraphError, Operation};
use azconn_core::oauth::token::TokenResponse;
use serde_json::{Value, json};

/// What the live check learned (stored as the connection's non-secret credential info).
pub struct Checked {
    pub info: Value,
    pub token: TokenResponse,
}

/// Acquires a token with the form's credential, then probes.
async fn check(form: &ValidatedForm) -> Result<Checked, Error> {
    let (tenant, client_id, credential, mut info) = app_credential(&form.credentials, true)?;
    let token = client_credentials(
        &form.cloud,
        &tenant,
        &client_id,
        &credential,
        scope(form.connection_type, &form.cloud)?,
    )
    .await?;
    let probed = probe(
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

fn parse_form(body: &Value, ty: ConnectionType, cfg: &Config) -> Result<ConnectionForm, ApiError> {
    let mut body = body.clone();
    if let Some(o) = body.as_object_mut() {
        // The deployment decides the cloud and the path decides the type.
        o.remove("cloud");
        o.insert("connectionType".into(), json!(ty));
    }
    let mut form: ConnectionForm = serde_json::from_value(body).map_err(|e| {
        ApiError::from(Error::field(
            "body",
            Code::InvalidFormat,
            format!("the body is not a connection form: {e}"),
        ))
    })?;
    form.cloud = cfg.cloud.clone();
    Ok(form)
}

pub async fn create(
    db: &Storage<'_>,
    cfg: &Config,
    org: &str,
    actor: &str,
    created_by: &str,
    ty: ConnectionType,
    body: &Value,
) -> Result<ConnectionBody, ApiError> {
    let form = parse_form(body, ty, cfg)?;
    let valid = form::validate(&form).map_err(form_errors)?;
    let name = valid.name.as_str().to_owned();
    if db.connection_name_taken(org, ty, &name).await? {
        return Err(ApiError::new(
            409,
            Error::field(
                "name",
                Code::Conflict,
                format!("a connection named {name} already exists"),
            ),
        ));
    }
    let method = valid.credentials.method();
    let checked = match check(&valid).await {
        Ok(c) => c,
        Err(e) => {
            db.audit(
                Some(org),
                actor,
                "connection.create",
                None,
                "failed",
                &json!({ "type": ty, "method": method, "name": name, "error": e }),
            )
            .await?;
            return Err(e.into());
        }
    };
    let id = new_id()?;
    let tenant = valid.credentials.tenant();
    let client_id = valid.credentials.client_id().map(ToString::to_string);
    let now = now_s();
    let endpoint = valid.endpoint.as_ref().map(ToString::to_string);
    db.insert_connection(
        &NewConnection {
            id: &id,
            org_id: org,
            ty,
            method,
            name: &name,
            description: valid.description.as_deref(),
            tenant_id: &tenant,
            client_id: client_id.as_deref(),
            cloud: valid.cloud.name(),
            endpoint: endpoint.as_deref(),
            credential_info: &checked.info,
            created_by: Some(created_by),
            now,
        },
        &secret_fields(&valid.credentials),
    )
    .await?;
    cache_token(db, org, &id, &checked.token).await?;
    db.audit(
        Some(org),
        actor,
        "connection.create",
        Some(&id),
        "ok",
        &json!({ "type": ty, "method": method, "name": name }),
    )
    .await?;
    let row = db
        .connection(org, ty, &id)
        .await?
        .ok_or_else(|| not_found("connection"))?;
    Ok(ConnectionBody::from(&row))
}

/// Health check: a fresh token and the probe; the status follows the outcome.
pub async fn validate(
    db: &Storage<'_>,
    cfg: &Config,
    actor: &str,
    row: &Connection,
) -> Result<Validation, ApiError> {
    // Drop the cached token: the check must prove the credential still works.
    db.delete_secret(&row.id, Field::AccessToken).await?;
    let endpoint = row
        .endpoint
        .as_deref()
        .map(|e| StoreEndpoint::parse(e, &cfg.cloud.endpoints()))
        .transpose()?;
    let outcome = async {
        let (token, _) = token_for(db, cfg, row).await?;
        probe(
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
    let error = outcome.as_ref().err().map(|e| &e.error);
    let status = match error {
        None => ConnectionStatus::Active,
        Some(e) if e.code == Code::ReauthRequired => ConnectionStatus::NeedsReauth,
        Some(_) => ConnectionStatus::Failing,
    };
    db.set_connection_status(&row.id, status, error, now_s())
        .await?;
    db.audit(
        Some(&row.org_id),
        actor,
        "connection.validate",
        Some(&row.id),
        if outcome.is_ok() { "ok" } else { "failed" },
        &json!({ "status": status, "error": error }),
    )
    .await?;
    let row = db
        .connection(&row.org_id, row.ty, &row.id)
        .await?
        .ok_or_else(|| not_found("connection"))?;
    Ok(Validation {
        valid: outcome.is_ok(),
        error: error.cloned(),
        app_connection: (&row).into(),
    })
}

/// Re-validates with the changed fields (empty secret fields keep the stored ones) and replaces
/// the connection only if the check passes.
pub async fn update(
    db: &Storage<'_>,
    cfg: &Config,
    actor: &str,
    row: &Connection,
    body: &Value,
) -> Result<ConnectionBody, ApiError> {
    if row.method == Method::OAuth {
        let text = |field: &str| match body.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(ApiError::from(Error::field(
                field,
                Code::InvalidFormat,
                format!("{field} must be a string"),
            ))),
        };
        let (name, description) = name_and_description(
            text("name")?.unwrap_or(&row.name),
            text("description")?.or(row.description.as_deref()),
        )
        .map_err(form_errors)?;
        refuse_taken_name(db, row, name.as_str()).await?;
        let renamed = db
            .rename_connection(
                &row.id,
                row.version,
                name.as_str(),
                description.as_deref(),
                now_s(),
            )
            .await?;
        if !renamed {
            return Err(changed_meanwhile(db, actor, row).await?);
        }
    } else {
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
        let checked = match check(&valid).await {
            Ok(c) => c,
            Err(e) => {
                db.audit(
                    Some(&row.org_id),
                    actor,
                    "connection.update",
                    Some(&row.id),
                    "failed",
                    &json!({ "error": e }),
                )
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
                    now: now_s(),
                },
                &secret_fields(&valid.credentials),
            )
            .await?;
        if !replaced {
            return Err(changed_meanwhile(db, actor, row).await?);
        }
        db.audit(
            Some(&row.org_id),
            actor,
            "connection.update",
            Some(&row.id),
            "ok",
            &json!({ "method": method }),
        )
        .await?;
    }
    let row = db
        .connection(&row.org_id, row.ty, &row.id)
        .await?
        .ok_or_else(|| not_found("connection"))?;
    Ok(ConnectionBody::from(&row))
}

/// Deletes a connection nothing uses, with its secrets; `409 conflict` naming the rotations and
/// syncs that use it otherwise (the storage re-checks in the same transaction).
pub async fn delete(
    db: &Storage<'_>,
    org: &str,
    actor: &str,
    row: &Connection,
) -> Result<ConnectionBody, ApiError> {
    if !db.delete_unused_connection(org, &row.id).await? {
        let dependents = db.connection_dependents(org, &row.id).await?;
        return Err(if dependents.is_empty() {
            not_found("connection")
        } else {
            in_use("connection", dependents)
        });
    }
    db.audit(
        Some(org),
        actor,
        "connection.delete",
        Some(&row.id),
        "ok",
        &json!({ "name": row.name }),
    )
    .await?;
    Ok(ConnectionBody::from(row))
}

/// A rename to a name another connection of the organization and type has: `409 conflict` on
/// `name`, before any Azure call.
async fn refuse_taken_name(db: &Storage<'_>, row: &Connection, name: &str) -> Result<(), ApiError> {
    if name != row.name && db.connection_name_taken(&row.org_id, row.ty, name).await? {
        return Err(ApiError::new(
            409,
            Error::field(
                "name",
                Code::Conflict,
                format!("a connection named {name} already exists"),
            ),
        ));
    }
    Ok(())
}

/// The update lost a race with another change of the connection (its version moved): nothing
/// of this request was stored.
async fn changed_meanwhile(
    db: &Storage<'_>,
    actor: &str,
    row: &Connection,
) -> Result<ApiError, ApiError> {
    let e = Error::new(
        Code::Conflict,
        "the connection changed while this update was checked; nothing was stored",
    )
    .with_hint("reload the connection and apply the change again");
    db.audit(
        Some(&row.org_id),
        actor,
        "connection.update",
        Some(&row.id),
        "conflict",
        &json!({ "error": e }),
    )
    .await?;
    Ok(ApiError::new(409, e))
}

/// The app registrations the connection can see, one Graph page at a time.
pub async fn clients(
    db: &Storage<'_>,
    cfg: &Config,
    row: &Connection,
    top: Option<u16>,
    next: Option<&str>,
) -> Result<Clients, ApiError> {
    let (token, _) = token_for(db, cfg, row).await?;
    let g = Graph::new(&cfg.cloud.endpoints());
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
    let resp = execute(&req).await?;
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
