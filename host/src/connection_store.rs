//! What the connection and OAuth use-cases need from storage (`crate::connections`,
//! `crate::oauth_flow`), as two traits: the
//! Worker implements it over D1 (`edge::store`, which owns every statement), native tests over
//! an in-memory fake. Writes that race are decided here: an update names the version it read
//! and reports whether it still matched; a delete reports whether nothing used the connection.

use crate::api_error::{ApiError, Dependent};
use crate::records::{
    Connection, ConnectionStatus, CredentialUpdate, NewConnection, NewSignIn, PendingSignIn,
};
use crate::secret_field::Field;
use azconn_core::error::Error;
use azconn_core::form::ConnectionType;
use azconn_core::oauth::token::{AccessToken, RefreshToken, TokenResponse};
use serde_json::Value;
use std::future::Future;

/// One audit log entry: never a secret in `detail` (IDs, names, codes and core messages only).
pub struct AuditEvent<'a> {
    pub org: &'a str,
    pub actor: &'a str,
    pub action: &'a str,
    pub target: Option<&'a str>,
    pub outcome: &'a str,
    pub detail: Value,
}

pub trait ConnectionStore {
    fn connection(
        &self,
        org: &str,
        ty: ConnectionType,
        id: &str,
    ) -> impl Future<Output = Result<Option<Connection>, ApiError>>;
    fn name_taken(
        &self,
        org: &str,
        ty: ConnectionType,
        name: &str,
    ) -> impl Future<Output = Result<bool, ApiError>>;
    /// Inserts an active connection with its secret fields; `409` on `name` if it is taken.
    fn insert(
        &self,
        c: &NewConnection<'_>,
        secrets: &[(Field, String)],
    ) -> impl Future<Output = Result<(), ApiError>>;
    /// Replaces fields and every secret field if `u.version` still matches: whether it did.
    fn replace_credentials(
        &self,
        org: &str,
        u: &CredentialUpdate<'_>,
        secrets: &[(Field, String)],
    ) -> impl Future<Output = Result<bool, ApiError>>;
    /// Renames if `version` still matches: whether it did.
    fn rename(
        &self,
        id: &str,
        version: i64,
        name: &str,
        description: Option<&str>,
        now: i64,
    ) -> impl Future<Output = Result<bool, ApiError>>;
    /// Deletes the connection and its secrets unless something uses it: whether it did.
    fn delete_unused(&self, org: &str, id: &str) -> impl Future<Output = Result<bool, ApiError>>;
    fn dependents(
        &self,
        org: &str,
        id: &str,
    ) -> impl Future<Output = Result<Vec<Dependent>, ApiError>>;
    fn set_status(
        &self,
        id: &str,
        status: ConnectionStatus,
        error: Option<&Error>,
        now: i64,
    ) -> impl Future<Output = Result<(), ApiError>>;
    /// One secret field, decrypted.
    fn secret(
        &self,
        org: &str,
        owner: &str,
        field: Field,
    ) -> impl Future<Output = Result<Option<String>, ApiError>>;
    /// Caches the access token until its expiry.
    fn cache_token(
        &self,
        org: &str,
        id: &str,
        token: &TokenResponse,
    ) -> impl Future<Output = Result<(), ApiError>>;
    fn drop_cached_token(&self, id: &str) -> impl Future<Output = Result<(), ApiError>>;
    /// A delegated connection's refresh token and access token, together.
    fn store_tokens(
        &self,
        org: &str,
        id: &str,
        refresh: &RefreshToken,
        token: &TokenResponse,
    ) -> impl Future<Output = Result<(), ApiError>>;

    fn audit(&self, event: AuditEvent<'_>) -> impl Future<Output = Result<(), ApiError>>;
}

/// What the OAuth use-cases need from storage beyond the connections'.
pub trait SignInStore: ConnectionStore {
    /// Stores the sign-in, its encrypted PKCE verifier and the audit record together.
    fn insert_sign_in(
        &self,
        p: &NewSignIn<'_>,
        verifier: &str,
        audit: AuditEvent<'_>,
    ) -> impl Future<Output = Result<(), ApiError>>;
    fn sign_in_by_state(
        &self,
        state_hash: &str,
    ) -> impl Future<Output = Result<Option<PendingSignIn>, ApiError>>;
    /// Single use: whether this caller claimed the unused sign-in.
    fn claim_sign_in(&self, id: &str, now: i64) -> impl Future<Output = Result<bool, ApiError>>;
    /// Deletes the sign-in's verifier.
    fn drop_verifier(&self, sign_in: &str) -> impl Future<Output = Result<(), ApiError>>;
    /// A reconnected connection: its tenant and facts from the new sign-in, active again.
    fn reconnect(
        &self,
        org: &str,
        id: &str,
        tenant_id: &str,
        credential_info: &serde_json::Value,
        now: i64,
    ) -> impl Future<Output = Result<(), ApiError>>;
}

/// What a connection's token acquisition needs beyond the connection's storage: the cached
/// token with its expiry, the single-flight lease, the refresh's compare-and-swap.
pub trait TokenStore: ConnectionStore {
    /// The cached access token and its expiry (unix seconds).
    fn cached_token(
        &self,
        org: &str,
        id: &str,
    ) -> impl Future<Output = Result<Option<(AccessToken, i64)>, ApiError>>;
    /// Takes the connection's lease until `until`, unless another holder's is unexpired.
    fn take_lease(
        &self,
        connection: &str,
        holder: &str,
        now: i64,
        until: i64,
    ) -> impl Future<Output = Result<bool, ApiError>>;
    fn release_lease(
        &self,
        connection: &str,
        holder: &str,
    ) -> impl Future<Output = Result<(), ApiError>>;
    /// A dead grant: the connection needs the user to sign in again.
    fn mark_needs_reauth(
        &self,
        id: &str,
        e: &Error,
        now: i64,
    ) -> impl Future<Output = Result<(), ApiError>>;
    /// Compare-and-swap on the connection's version: whether this caller moved it.
    fn bump_version(&self, id: &str, version: i64) -> impl Future<Output = Result<bool, ApiError>>;
}
