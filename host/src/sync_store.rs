//! What a sync needs from storage (`crate::syncs`): its row and its runs' records (plan and
//! result by key only, never values). The Worker implements it over D1 (`edge::store` owns
//! every statement), native tests over an in-memory fake. A settings change names the version
//! it read and reports whether it still matched. Which of a sync's names hold a rotation's
//! secret is stored here too, so the rotation can publish to them.

use crate::api_error::ApiError;
use crate::connection_store::TokenStore;
use crate::records::{NewSync, RunStatus, Sync, SyncRun, SyncSettings, Taken};
use serde_json::Value;
use std::future::Future;

pub trait SyncStore: TokenStore {
    fn sync(&self, org: &str, id: &str) -> impl Future<Output = Result<Option<Sync>, ApiError>>;
    /// The organization's sync of this name, if any.
    fn sync_named(
        &self,
        org: &str,
        name: &str,
    ) -> impl Future<Output = Result<Option<Sync>, ApiError>>;
    /// Inserts the sync unless its name is taken (then nothing is written).
    fn insert_sync(
        &self,
        x: &NewSync<'_>,
    ) -> impl Future<Output = Result<Result<(), Taken>, ApiError>>;
    /// The sync and its run records, together.
    fn delete_sync(&self, org: &str, id: &str) -> impl Future<Output = Result<(), ApiError>>;
    /// Writes the settings if the sync is still at `x.version`: whether it was (nothing written
    /// when the name is taken).
    fn update_sync(
        &self,
        org: &str,
        id: &str,
        x: &SyncSettings<'_>,
    ) -> impl Future<Output = Result<Result<bool, Taken>, ApiError>>;
    /// When the sync's latest successful run finished.
    fn last_success_at(&self, sync_id: &str)
    -> impl Future<Output = Result<Option<i64>, ApiError>>;
    /// The sync's latest run.
    fn last_run(&self, sync_id: &str) -> impl Future<Output = Result<Option<SyncRun>, ApiError>>;
    fn start_run(
        &self,
        id: &str,
        sync_id: &str,
        now: i64,
    ) -> impl Future<Output = Result<(), ApiError>>;
    /// The sync's secret names that hold a rotation's current secret, as its latest real run
    /// gave them: `(name, rotation id)`, replacing the earlier ones (none: no binding left).
    fn bind_rotation_keys(
        &self,
        org: &str,
        sync_id: &str,
        bindings: &[(String, String)],
    ) -> impl Future<Output = Result<(), ApiError>>;
    /// The organization's syncs with a secret name bound to this rotation, each with its names.
    fn bound_to_rotation(
        &self,
        org: &str,
        rotation_id: &str,
    ) -> impl Future<Output = Result<Vec<(Sync, Vec<String>)>, ApiError>>;
    fn finish_run(
        &self,
        id: &str,
        status: RunStatus,
        plan: Option<&Value>,
        result: &Value,
        now: i64,
    ) -> impl Future<Output = Result<(), ApiError>>;
}
