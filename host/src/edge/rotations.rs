//! Rotation runs in the Worker: `crate::rotations` over D1 (`store`), Fetch and WebCrypto
//! (`azure::Edge`).

use super::reply::ApiError;
use super::store::{Field, Storage};
use crate::records::{
    NewRotation, Rotation, RotationLeftover, RotationSettings, RotationStatus, Taken,
};
use crate::rotation_store::{PublishedSecret, RotationStore};
use azconn_core::error::Error;

impl RotationStore for Storage<'_> {
    async fn rotation(&self, org: &str, id: &str) -> Result<Option<Rotation>, ApiError> {
        Storage::rotation(self, org, id).await
    }

    async fn rotation_named(&self, org: &str, name: &str) -> Result<Option<Rotation>, ApiError> {
        Storage::rotation_named(self, org, name).await
    }

    async fn rotation_for_app(
        &self,
        org: &str,
        app_id: &str,
    ) -> Result<Option<Rotation>, ApiError> {
        Storage::rotation_for_app(self, org, app_id).await
    }

    async fn insert_rotation(
        &self,
        r: &NewRotation<'_>,
        state: &str,
    ) -> Result<Result<(), Taken>, ApiError> {
        Storage::insert_rotation(self, r, state).await
    }

    async fn persist_rotation(
        &self,
        org: &str,
        id: &str,
        state: &str,
        status: RotationStatus,
        now: i64,
    ) -> Result<(), ApiError> {
        Storage::persist_rotation(self, org, id, state, status, now).await
    }

    async fn rotation_step(&self, id: &str, step: Option<&str>) -> Result<(), ApiError> {
        Storage::rotation_step(self, id, step).await
    }

    async fn claim_rotation(&self, id: &str, now: i64, stale_secs: i64) -> Result<bool, ApiError> {
        Storage::claim_rotation(self, id, now, stale_secs).await
    }

    async fn rotation_running(&self, id: &str) -> Result<bool, ApiError> {
        Storage::rotation_running(self, id).await
    }

    async fn fail_rotation(
        &self,
        id: &str,
        status: RotationStatus,
        e: &Error,
        now: i64,
    ) -> Result<(), ApiError> {
        Storage::fail_rotation(self, id, status, e, now).await
    }

    async fn publish_secret(
        &self,
        org: &str,
        id: &str,
        secret: &PublishedSecret<'_>,
        now: i64,
    ) -> Result<(), ApiError> {
        Storage::publish_secret(self, org, id, secret, now).await
    }

    async fn current_secret(
        &self,
        org: &str,
        id: &str,
    ) -> Result<Option<(String, Option<i64>)>, ApiError> {
        Ok(Storage::secret(self, org, id, Field::CurrentSecret)
            .await?
            .map(|s| (s.value, s.expires_at)))
    }

    async fn attempt_rotation(&self, id: &str, now: i64) -> Result<(), ApiError> {
        Storage::attempt_rotation(self, id, now).await
    }

    async fn schedule_rotation(
        &self,
        id: &str,
        next: Option<i64>,
        now: i64,
    ) -> Result<(), ApiError> {
        Storage::schedule_rotation(self, id, next, now).await
    }

    async fn update_rotation(
        &self,
        org: &str,
        id: &str,
        state: &str,
        x: &RotationSettings,
    ) -> Result<Result<bool, Taken>, ApiError> {
        Storage::update_rotation(self, org, id, state, x).await
    }

    async fn delete_rotation(
        &self,
        org: &str,
        id: &str,
        left_at: Option<i64>,
    ) -> Result<(), ApiError> {
        Storage::delete_rotation(self, org, id, left_at).await
    }

    async fn rotation_leftovers(&self, org: &str) -> Result<Vec<RotationLeftover>, ApiError> {
        Storage::rotation_leftovers(self, org).await
    }

    async fn rotation_leftover(
        &self,
        org: &str,
        id: &str,
    ) -> Result<Option<RotationLeftover>, ApiError> {
        Storage::rotation_leftover(self, org, id).await
    }

    async fn delete_rotation_leftover(&self, org: &str, id: &str) -> Result<bool, ApiError> {
        Storage::delete_rotation_leftover(self, org, id).await
    }

    async fn due_rotations(&self, now: i64, stale_secs: i64) -> Result<Vec<Rotation>, ApiError> {
        Storage::due_rotations(self, now, stale_secs).await
    }
}
