//! Sync runs in the Worker: `crate::syncs` over D1 (`store`), Fetch and WebCrypto
//! (`azure::Edge`).

use super::reply::ApiError;
use super::store::Storage;
use crate::records::{NewSync, RunStatus, Sync, SyncRun, SyncSettings, Taken};
use crate::sync_store::SyncStore;
use serde_json::Value;

impl SyncStore for Storage<'_> {
    async fn sync(&self, org: &str, id: &str) -> Result<Option<Sync>, ApiError> {
        Storage::sync(self, org, id).await
    }

    async fn sync_named(&self, org: &str, name: &str) -> Result<Option<Sync>, ApiError> {
        Storage::sync_named(self, org, name).await
    }

    async fn insert_sync(&self, x: &NewSync<'_>) -> Result<Result<(), Taken>, ApiError> {
        Storage::insert_sync(self, x).await
    }

    async fn delete_sync(&self, org: &str, id: &str) -> Result<(), ApiError> {
        Storage::delete_sync(self, org, id).await
    }

    async fn update_sync(
        &self,
        org: &str,
        id: &str,
        x: &SyncSettings<'_>,
    ) -> Result<Result<bool, Taken>, ApiError> {
        Storage::update_sync(self, org, id, x).await
    }

    async fn last_success_at(&self, sync_id: &str) -> Result<Option<i64>, ApiError> {
        Storage::last_success_at(self, sync_id).await
    }

    async fn last_run(&self, sync_id: &str) -> Result<Option<SyncRun>, ApiError> {
        Storage::last_run(self, sync_id).await
    }

    async fn start_run(&self, id: &str, sync_id: &str, now: i64) -> Result<(), ApiError> {
        Storage::start_run(self, id, sync_id, now).await
    }

    async fn bind_rotation_keys(
        &self,
        org: &str,
        sync_id: &str,
        bindings: &[(String, String)],
    ) -> Result<(), ApiError> {
        Storage::bind_rotation_keys(self, org, sync_id, bindings).await
    }

    async fn bound_to_rotation(
        &self,
        org: &str,
        rotation_id: &str,
    ) -> Result<Vec<(Sync, Vec<String>)>, ApiError> {
        Storage::bound_to_rotation(self, org, rotation_id).await
    }

    async fn finish_run(
        &self,
        id: &str,
        status: RunStatus,
        plan: Option<&Value>,
        result: &Value,
        now: i64,
    ) -> Result<(), ApiError> {
        Storage::finish_run(self, id, status, plan, result, now).await
    }
}
