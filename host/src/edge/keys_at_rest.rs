//! `/api/v1/encryption` in the Worker: the re-seal sweep of `crate::keys_at_rest` over D1.

use super::reply::ApiError;
use super::store::Storage;
use crate::connection_store::{AuditEvent, ConnectionStore};
use crate::keys_at_rest::{Reseal, SealedStore, SealedValue};
use std::collections::BTreeMap;

pub use crate::keys_at_rest::{reseal, status};

impl SealedStore for Storage<'_> {
    async fn count_by_version(&self) -> Result<BTreeMap<u32, u32>, ApiError> {
        self.sealed_counts().await
    }

    async fn sealed_under(
        &self,
        versions: &[u32],
        after: i64,
        limit: u32,
    ) -> Result<Vec<SealedValue>, ApiError> {
        Storage::sealed_under(self, versions, after, limit).await
    }

    async fn sweep_cursor(&self) -> Result<i64, ApiError> {
        self.reseal_cursor().await
    }

    async fn set_sweep_cursor(&self, after: i64) -> Result<(), ApiError> {
        self.set_reseal_cursor(after).await
    }

    async fn reseal(&self, batch: &[Reseal]) -> Result<Vec<bool>, ApiError> {
        self.reseal_rows(batch).await
    }

    /// As every use-case audits (`edge::connections`).
    async fn audit(&self, e: AuditEvent<'_>) -> Result<(), ApiError> {
        ConnectionStore::audit(self, e).await
    }
}
