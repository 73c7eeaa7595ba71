//! App-only credentials: from a validated form, from the stored (encrypted) fields, and the
//! fields a method stores.

use crate::api_error::ApiError;
use crate::connection_store::ConnectionStore;
use crate::records::{Connection, wire_name};
use crate::secret_field::Field;
use crate::token_endpoint::AppCredential;
use azconn_core::cert::{Credential, CredentialInput};
use azconn_core::error::{Code, Error};
use azconn_core::form::{self, ConnectionForm, Credentials, Method};
use azconn_core::ids::{ClientId, ClientSecret, TenantId};
use serde_json::{Value, json};

fn cert_input(certificate: &str, private_key: &str, passphrase: Option<&str>) -> CredentialInput {
    CredentialInput {
        certificate: Some(certificate.to_owned()),
        private_key: Some(private_key.to_owned()),
        private_key_passphrase: passphrase.map(str::to_owned),
        pfx: None,
        pfx_password: None,
    }
}

/// The app-only credential of validated form credentials, with its non-secret facts when
/// `report_at` (the certificate report of a check at that time; a token acquisition skips that
/// parse).
pub fn app_credential(
    c: &Credentials,
    report_at: Option<i64>,
) -> Result<(TenantId, ClientId, AppCredential, Value), Error> {
    match c {
        Credentials::ClientSecret {
            tenant,
            client_id,
            client_secret,
        } => Ok((
            tenant.clone(),
            *client_id,
            AppCredential::Secret(client_secret.clone()),
            json!({}),
        )),
        Credentials::Certificate {
            tenant,
            client_id,
            certificate,
            private_key,
            passphrase,
        } => {
            let input = cert_input(
                certificate.expose(),
                private_key.expose(),
                passphrase.as_ref().map(|p| p.expose()),
            );
            let info = if let Some(now) = report_at {
                let loaded = Credential::load(&input, now)?;
                let report = serde_json::to_value(loaded.report()).unwrap_or(Value::Null);
                json!({ "certificate": report })
            } else {
                json!({})
            };
            Ok((
                tenant.clone(),
                *client_id,
                AppCredential::Certificate(input),
                info,
            ))
        }
        Credentials::OAuth { .. } => Err(Error::field(
            "method",
            Code::NotAllowed,
            "OAuth connections are created by signing in",
        )
        .with_hint("POST .../oauth/start and open the returned URL")),
    }
}

/// Every field error of a form, the first one as the headline.
pub fn form_errors(errors: Vec<Error>) -> ApiError {
    ApiError::from(
        errors
            .first()
            .cloned()
            .unwrap_or_else(|| Error::new(Code::InvalidFormat, "the form is invalid")),
    )
    .with_errors(errors)
}

/// Secret fields a connection stores, per method.
pub fn secret_fields(c: &Credentials) -> Vec<(Field, String)> {
    match c {
        Credentials::ClientSecret { client_secret, .. } => {
            vec![(Field::ClientSecret, client_secret.expose().to_owned())]
        }
        Credentials::Certificate {
            certificate,
            private_key,
            passphrase,
            ..
        } => {
            let mut v = vec![
                (Field::Certificate, certificate.expose().to_owned()),
                (Field::PrivateKey, private_key.expose().to_owned()),
            ];
            if let Some(p) = passphrase {
                v.push((Field::PrivateKeyPassphrase, p.expose().to_owned()));
            }
            v
        }
        Credentials::OAuth { .. } => Vec::new(),
    }
}

/// The stored credential of an app-only connection, decrypted.
pub async fn stored_credential<S: ConnectionStore>(
    db: &S,
    row: &Connection,
) -> Result<Credentials, ApiError> {
    let get = |field: Field| db.secret(&row.org_id, &row.id, field);
    let tenant = TenantId::parse(&row.tenant_id)?;
    let client_id = ClientId::parse(row.client_id.as_deref().unwrap_or(""))?;
    let missing = || ApiError::from(Error::new(Code::Internal, "a stored credential is missing"));
    match row.method {
        Method::ClientSecret => Ok(Credentials::ClientSecret {
            tenant,
            client_id,
            client_secret: ClientSecret::parse(
                &get(Field::ClientSecret).await?.ok_or_else(missing)?,
            )?,
        }),
        Method::Certificate => {
            let certificate = get(Field::Certificate).await?.ok_or_else(missing)?;
            let private_key = get(Field::PrivateKey).await?.ok_or_else(missing)?;
            let passphrase = get(Field::PrivateKeyPassphrase).await?;
            let form = ConnectionForm {
                name: row.name.clone(),
                connection_type: wire_name(&row.ty),
                method: wire_name(&Method::Certificate),
                tenant_id: row.tenant_id.clone(),
                client_id: row.client_id.clone().unwrap_or_default(),
                certificate,
                private_key,
                private_key_passphrase: passphrase.unwrap_or_default(),
                ..ConnectionForm::default()
            };
            let v = form::validate(&form).map_err(form_errors)?;
            Ok(v.credentials)
        }
        Method::OAuth => Err(ApiError::from(Error::field(
            "method",
            Code::NotAllowed,
            "this operation needs an app-only (client secret or certificate) connection",
        ))),
    }
}
