//! What a rotation run needs from storage (`crate::rotations`): the schedule's row, the core's
//! state (encrypted) and the published secret. The Worker implements it over D1 (`edge::store`
//! owns every statement), native tests over an in-memory fake. Races are decided here: one run
//! at a time (a claim is a compare-and-set on the status), and a settings change names the
//! version it read.

use crate::api_error::ApiError;
use crate::connection_store::TokenStore;
use crate::records::{
    NewRotation, Rotation, RotationLeftover, RotationSettings, RotationStatus, Taken,
};
use azconn_core::error::Error;
use std::future::Future;

/// A verified secret as it becomes the rotation's current one.
pub struct PublishedSecret<'a> {
    pub key_id: &'a str,
    /// Its first characters, as Graph shows them.
    pub hint: &'a str,
    pub value: &'a str,
    pub ends_at: Option<i64>,
}

pub trait RotationStore: TokenStore {
    fn rotation(
        &self,
        org: &str,
        id: &str,
    ) -> impl Future<Output = Result<Option<Rotation>, ApiError>>;
    /// The organization's rotation of this name, if any.
    fn rotation_named(
        &self,
        org: &str,
        name: &str,
    ) -> impl Future<Output = Result<Option<Rotation>, ApiError>>;
    /// The organization's rotation of the app with this client id, if any.
    fn rotation_for_app(
        &self,
        org: &str,
        app_id: &str,
    ) -> impl Future<Output = Result<Option<Rotation>, ApiError>>;
    /// Inserts a pending rotation and its first state together, unless a uniqueness rule
    /// refuses it (then nothing is written).
    fn insert_rotation(
        &self,
        r: &NewRotation<'_>,
        state: &str,
    ) -> impl Future<Output = Result<Result<(), Taken>, ApiError>>;
    /// The core's rotation state and the status, together.
    fn persist_rotation(
        &self,
        org: &str,
        id: &str,
        state: &str,
        status: RotationStatus,
        now: i64,
    ) -> impl Future<Output = Result<(), ApiError>>;
    /// The step a running rotation is on; `None` once the run stops.
    fn rotation_step(
        &self,
        id: &str,
        step: Option<&str>,
    ) -> impl Future<Output = Result<(), ApiError>>;
    /// Whether this caller claimed the run: it was not running, or its run has been silent for
    /// `stale_secs` (it died with its Worker).
    fn claim_rotation(
        &self,
        id: &str,
        now: i64,
        stale_secs: i64,
    ) -> impl Future<Output = Result<bool, ApiError>>;
    fn rotation_running(&self, id: &str) -> impl Future<Output = Result<bool, ApiError>>;
    /// The status with the error that stopped the run.
    fn fail_rotation(
        &self,
        id: &str,
        status: RotationStatus,
        e: &Error,
        now: i64,
    ) -> impl Future<Output = Result<(), ApiError>>;
    /// The new secret becomes the current one, with its public facts.
    fn publish_secret(
        &self,
        org: &str,
        id: &str,
        secret: &PublishedSecret<'_>,
        now: i64,
    ) -> impl Future<Output = Result<(), ApiError>>;
    /// The current secret and its expiry.
    fn current_secret(
        &self,
        org: &str,
        id: &str,
    ) -> impl Future<Output = Result<Option<(String, Option<i64>)>, ApiError>>;
    /// A run starts now.
    fn attempt_rotation(&self, id: &str, now: i64) -> impl Future<Output = Result<(), ApiError>>;
    /// A run succeeded now: clears the last error and sets the next scheduled run (`None`:
    /// none, auto rotation is off).
    fn schedule_rotation(
        &self,
        id: &str,
        next: Option<i64>,
        now: i64,
    ) -> impl Future<Output = Result<(), ApiError>>;
    /// Writes the settings, the next run and the state together, only if the rotation is still
    /// at `x.version`, not running and last succeeded at `x.last_success_at`: whether it was
    /// (nothing written when the name is taken).
    fn update_rotation(
        &self,
        org: &str,
        id: &str,
        state: &str,
        x: &RotationSettings,
    ) -> impl Future<Output = Result<Result<bool, Taken>, ApiError>>;
    /// The rotation, its state and its current secret, together. With `left_at`, the same
    /// batch records the rotation as a leftover deleted then (its secrets stay on the app).
    fn delete_rotation(
        &self,
        org: &str,
        id: &str,
        left_at: Option<i64>,
    ) -> impl Future<Output = Result<(), ApiError>>;
    /// The organization's rotations deleted with their secrets kept, newest first.
    fn rotation_leftovers(
        &self,
        org: &str,
    ) -> impl Future<Output = Result<Vec<RotationLeftover>, ApiError>>;
    fn rotation_leftover(
        &self,
        org: &str,
        id: &str,
    ) -> impl Future<Output = Result<Option<RotationLeftover>, ApiError>>;
    /// Forgets a leftover: whether it was there.
    fn delete_rotation_leftover(
        &self,
        org: &str,
        id: &str,
    ) -> impl Future<Output = Result<bool, ApiError>>;
    /// Rotations with auto rotation on whose next run is due and that are not running (or are
    /// stale).
    fn due_rotations(
        &self,
        now: i64,
        stale_secs: i64,
    ) -> impl Future<Output = Result<Vec<Rotation>, ApiError>>;
}
