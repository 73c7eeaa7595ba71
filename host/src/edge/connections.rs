//! `/api/v1/app-connections/{type}` in the Worker: the use-cases of `crate::connections` over
//! D1 (`store`), Fetch and WebCrypto (`azure::Edge`) and the token single flight (`tokens`).

use super::azure::Edge;
use super::reply::ApiError;
use super::store::Storage;
use super::tokens::{cache_token, store_tokens, token_for};
use crate::api::Clients;
use crate::api_error::Dependent;
use crate::config::Config;
use crate::connection_store::{AuditEvent, ConnectionStore};
use crate::records::{Connection, ConnectionStatus, CredentialUpdate, NewConnection};
use crate::secret_field::Field;
use crate::token_flight::Tokens;
use azconn_core::error::Error;
use azconn_core::form::ConnectionType;
use azconn_core::oauth::token::{AccessToken, RefreshToken, TokenResponse};

pub use crate::connections::{Caller, Deleter, create, update, validate};

impl ConnectionStore for Storage<'_> {
    async fn connection(
        &self,
        org: &str,
        ty: ConnectionType,
        id: &str,
    ) -> Result<Option<Connection>, ApiError> {
        Storage::connection(self, org, ty, id).await
    }

    async fn name_taken(
        &self,
        org: &str,
        ty: ConnectionType,
        name: &str,
    ) -> Result<bool, ApiError> {
        self.connection_name_taken(org, ty, name).await
    }

    async fn insert(
        &self,
        c: &NewConnection<'_>,
        secrets: &[(Field, String)],
    ) -> Result<(), ApiError> {
        self.insert_connection(c, secrets).await
    }

    async fn replace_credentials(
        &self,
        org: &str,
        u: &CredentialUpdate<'_>,
        secrets: &[(Field, String)],
    ) -> Result<bool, ApiError> {
        Storage::replace_credentials(self, org, u, secrets).await
    }

    async fn rename(
        &self,
        id: &str,
        version: i64,
        name: &str,
        description: Option<&str>,
        now: i64,
    ) -> Result<bool, ApiError> {
        self.rename_connection(id, version, name, description, now)
            .await
    }

    async fn delete_unused(&self, org: &str, id: &str) -> Result<bool, ApiError> {
        self.delete_unused_connection(org, id).await
    }

    async fn dependents(&self, org: &str, id: &str) -> Result<Vec<Dependent>, ApiError> {
        self.connection_dependents(org, id).await
    }

    async fn set_status(
        &self,
        id: &str,
        status: ConnectionStatus,
        error: Option<&Error>,
        now: i64,
    ) -> Result<(), ApiError> {
        self.set_connection_status(id, status, error, now).await
    }

    async fn secret(
        &self,
        org: &str,
        owner: &str,
        field: Field,
    ) -> Result<Option<String>, ApiError> {
        Ok(Storage::secret(self, org, owner, field)
            .await?
            .map(|s| s.value))
    }

    async fn cache_token(
        &self,
        org: &str,
        id: &str,
        token: &TokenResponse,
    ) -> Result<(), ApiError> {
        cache_token(self, org, id, token).await
    }

    async fn drop_cached_token(&self, id: &str) -> Result<(), ApiError> {
        self.delete_secret(id, Field::AccessToken).await
    }

    async fn store_tokens(
        &self,
        org: &str,
        id: &str,
        refresh: &RefreshToken,
        token: &TokenResponse,
    ) -> Result<(), ApiError> {
        store_tokens(self, org, id, refresh, token).await
    }

    async fn audit(&self, e: AuditEvent<'_>) -> Result<(), ApiError> {
        Storage::audit(
            self,
            Some(e.org),
            e.actor,
            e.action,
            e.target,
            e.outcome,
            &e.detail,
        )
        .await
    }
}

/// The token single flight (`tokens::token_for`) as the use-cases' token source.
pub struct EdgeTokens<'a> {
    pub db: &'a Storage<'a>,
    pub cfg: &'a Config,
}

impl Tokens for EdgeTokens<'_> {
    async fn token(&self, row: &Connection) -> Result<AccessToken, ApiError> {
        Ok(token_for(self.db, self.cfg, row).await?.0)
    }
}

/// `GET …/{id}/clients` in the Worker (see `crate::connections::clients`).
pub async fn clients(
    db: &Storage<'_>,
    cfg: &Config,
    row: &Connection,
    top: Option<u16>,
    next: Option<&str>,
) -> Result<Clients, ApiError> {
    crate::connections::clients(&EdgeTokens { db, cfg }, &Edge, cfg, row, top, next).await
}
