//! Keys at rest: how many stored secrets each encryption key version holds, and the sweep that
//! re-seals them under the newest version so an old one can leave `AZCONN_ENCRYPTION_KEYS`.
//!
//! Every sealed value lives in one table (`secrets`: connection credentials, refresh and cached
//! access tokens, PKCE verifiers, rotation states and rotated secrets), each row carrying the
//! organization, record and field its associated data binds it to, so one sweep over that table
//! covers them all without knowing what they are. The sweep is resumable: each batch reads what
//! is still under an older listed version, and each row is written only if it still holds the
//! ciphertext that was read, so a credential changed meanwhile is never overwritten and an
//! interrupted sweep simply continues. A stored cursor carries each batch on from where the last
//! one stopped, so values that cannot be re-sealed (damaged, reported in `failed`) are passed
//! once per round instead of filling every batch. The keyring is the deployment's, so the sweep is the
//! operator's (the bootstrap admin token, or the Cron Trigger), over every organization.

use crate::api::{EncryptionStatus, ResealAnswer, ResealFailure};
use crate::api_error::ApiError;
use crate::connection_store::AuditEvent;
use crate::keyring::{Keyring, Sealed, aad};
use crate::platform::{Entropy, random};
use serde_json::json;
use std::collections::BTreeMap;
use std::future::Future;

/// Rows a sweep call re-seals unless told otherwise: a few D1 statements' worth, well inside a
/// request's time.
pub const DEFAULT_BATCH: u32 = 50;
/// The most rows one call may re-seal (one D1 batch).
pub const MAX_BATCH: u32 = 200;

/// One stored sealed value and the record it is bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedValue {
    /// Where the row sits in storage order: what the sweep's cursor points past.
    pub at: i64,
    pub org: String,
    pub owner: String,
    pub field: String,
    pub sealed: Sealed,
}

/// A value to re-seal: the row as read (its ciphertext is the write's condition) and the
/// ciphertext under the newest key that replaces it.
#[derive(Debug, Clone)]
pub struct Reseal {
    pub read: SealedValue,
    pub sealed: Sealed,
}

/// What the sweep needs from storage. The Worker implements it over D1 (`edge::store` owns the
/// statements), native tests over an in-memory fake.
pub trait SealedStore {
    /// How many sealed values each key version holds (versions holding none are absent).
    fn count_by_version(&self) -> impl Future<Output = Result<BTreeMap<u32, u32>, ApiError>>;
    /// Up to `limit` values sealed under one of `versions` that sit after `after`, in storage
    /// order.
    fn sealed_under(
        &self,
        versions: &[u32],
        after: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<SealedValue>, ApiError>>;
    /// Where the last batch stopped (0: at the start).
    fn sweep_cursor(&self) -> impl Future<Output = Result<i64, ApiError>>;
    fn set_sweep_cursor(&self, after: i64) -> impl Future<Output = Result<(), ApiError>>;
    /// Writes each new ciphertext only where its row still holds the one read, all in one
    /// transaction: per entry, whether it was written.
    fn reseal(&self, batch: &[Reseal]) -> impl Future<Output = Result<Vec<bool>, ApiError>>;
    fn audit(&self, event: AuditEvent<'_>) -> impl Future<Output = Result<(), ApiError>>;
}

/// The keyring against what storage holds: what the operator checks before removing a version.
pub async fn status(
    db: &impl SealedStore,
    keyring: &Keyring,
) -> Result<EncryptionStatus, ApiError> {
    Ok(summary(keyring, db.count_by_version().await?))
}

fn summary(keyring: &Keyring, by_version: BTreeMap<u32, u32>) -> EncryptionStatus {
    let current = keyring.current();
    let listed = keyring.versions();
    let remaining = by_version
        .iter()
        .filter(|(v, _)| **v != current && listed.contains(v))
        .map(|(_, n)| *n)
        .sum();
    let missing_versions = by_version
        .keys()
        .copied()
        .filter(|v| !listed.contains(v))
        .collect();
    let unused_versions = listed
        .iter()
        .copied()
        .filter(|v| *v != current && !by_version.contains_key(v))
        .collect();
    EncryptionStatus {
        current_version: current,
        key_versions: listed,
        by_version,
        remaining,
        missing_versions,
        unused_versions,
    }
}

/// Re-seals up to `limit` values held under an older listed key version with the newest one,
/// and audits how many per organization (counts only). A value that does not open under its
/// listed version is reported in `failed` and left as it is; a value under a version missing
/// from the keyring is not touched (the status names the version). The batch starts after the
/// stored cursor; a short batch ends the round and the next starts again from the first row.
pub async fn reseal(
    db: &impl SealedStore,
    keyring: &Keyring,
    entropy: &impl Entropy,
    limit: u32,
    actor: &str,
) -> Result<ResealAnswer, ApiError> {
    let current = keyring.current();
    let older: Vec<u32> = keyring
        .versions()
        .into_iter()
        .filter(|v| *v != current)
        .collect();
    let rows = if older.is_empty() {
        Vec::new()
    } else {
        let after = db.sweep_cursor().await?;
        let mut rows = db.sealed_under(&older, after, limit).await?;
        if rows.is_empty() && after > 0 {
            rows = db.sealed_under(&older, 0, limit).await?;
        }
        let full = u32::try_from(rows.len()).unwrap_or(u32::MAX) >= limit;
        let next = match rows.last() {
            Some(last) if full => last.at,
            _ => 0,
        };
        if next != after {
            db.set_sweep_cursor(next).await?;
        }
        rows
    };
    let mut batch = Vec::with_capacity(rows.len());
    let mut failed = Vec::new();
    for read in rows {
        let aad = aad(&read.org, &read.owner, &read.field);
        match keyring.reseal(&read.sealed, &aad, random::<12>(entropy)?) {
            Ok(sealed) => batch.push(Reseal { read, sealed }),
            Err(error) => failed.push(ResealFailure {
                owner_id: read.owner,
                field: read.field,
                key_version: read.sealed.key_version,
                error,
            }),
        }
    }
    let written = if batch.is_empty() {
        Vec::new()
    } else {
        db.reseal(&batch).await?
    };
    let mut per_org: BTreeMap<&str, u32> = BTreeMap::new();
    for (r, _) in batch.iter().zip(&written).filter(|(_, w)| **w) {
        *per_org.entry(r.read.org.as_str()).or_default() += 1;
    }
    for (org, resealed) in &per_org {
        db.audit(AuditEvent {
            org,
            actor,
            action: "encryption.reseal",
            target: None,
            outcome: "ok",
            detail: json!({ "resealed": resealed, "keyVersion": current }),
        })
        .await?;
    }
    let resealed: u32 = per_org.values().sum();
    let changed = u32::try_from(batch.len()).unwrap_or(u32::MAX) - resealed;
    Ok(ResealAnswer {
        resealed,
        changed,
        failed,
        status: summary(keyring, db.count_by_version().await?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fakes::{FakePlatform, SealedRows, block_on};
    use azconn_core::error::Code;

    const K1: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    const K2: &str = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";
    const K3: &str = "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8=";

    fn keys(list: &str) -> Keyring {
        let k = |v: &str| match v {
            "1" => K1,
            "2" => K2,
            _ => K3,
        };
        let entries: Vec<String> = list.split(',').map(|v| format!("{v}:{}", k(v))).collect();
        Keyring::parse(&entries.join(",")).expect("keyring")
    }

    /// `n` values of `org`, sealed under `keyring`'s newest key: owner `c<i>`, field `clientSecret`.
    fn seed(db: &SealedRows, keyring: &Keyring, org: &str, n: usize) {
        for i in 0..n {
            db.put(
                keyring,
                org,
                &format!("c{i}"),
                "clientSecret",
                &format!("secret-{org}-{i}"),
            );
        }
    }

    fn sweep(db: &SealedRows, keyring: &Keyring, limit: u32) -> ResealAnswer {
        block_on(reseal(db, keyring, &FakePlatform::new(), limit, "admin")).expect("reseal")
    }

    #[test]
    fn batches_resume_until_nothing_is_left_and_the_old_version_can_go() {
        let db = SealedRows::default();
        seed(&db, &keys("1"), "org1", 5);
        let both = keys("1,2");
        let before = block_on(status(&db, &both)).unwrap();
        assert_eq!(before.by_version, BTreeMap::from([(1, 5)]));
        assert_eq!((before.remaining, before.current_version), (5, 2));
        assert!(before.unused_versions.is_empty());

        let first = sweep(&db, &both, 2);
        assert_eq!(
            (first.resealed, first.changed, first.status.remaining),
            (2, 0, 3)
        );
        assert_eq!(first.status.by_version, BTreeMap::from([(1, 3), (2, 2)]));
        // An interrupted sweep is just one that stopped between calls: the next call goes on.
        let second = sweep(&db, &both, 2);
        assert_eq!((second.resealed, second.status.remaining), (2, 1));
        let last = sweep(&db, &both, 2);
        assert_eq!((last.resealed, last.status.remaining), (1, 0));
        assert_eq!(last.status.by_version, BTreeMap::from([(2, 5)]));
        assert_eq!(last.status.unused_versions, vec![1]);
        let idle = sweep(&db, &both, 2);
        assert_eq!((idle.resealed, idle.changed), (0, 0));

        let only_new = keys("2");
        for i in 0..5 {
            assert_eq!(
                db.open(&only_new, &format!("c{i}"), "clientSecret")
                    .unwrap(),
                format!("secret-org1-{i}")
            );
        }
        let after = block_on(status(&db, &only_new)).unwrap();
        assert_eq!((after.remaining, after.missing_versions.len()), (0, 0));
    }

    #[test]
    fn values_already_under_the_newest_key_are_not_rewritten() {
        let db = SealedRows::default();
        seed(&db, &keys("1"), "org1", 2);
        let both = keys("1,2");
        db.put(&both, "org1", "fresh", "refreshToken", "rt");
        let untouched = db.row("fresh", "refreshToken");
        let a = sweep(&db, &both, 50);
        assert_eq!(a.resealed, 2);
        assert_eq!(db.row("fresh", "refreshToken"), untouched);
        assert_eq!(db.asked_versions(), vec![vec![1]]);
    }

    #[test]
    fn a_concurrent_update_is_never_overwritten() {
        let db = SealedRows::default();
        seed(&db, &keys("1"), "org1", 3);
        let both = keys("1,2");
        // A PATCH replaces c1's secret between the sweep's read and its write.
        db.write_between(&both, "org1", "c1", "clientSecret", "the-new-secret");
        let a = sweep(&db, &both, 50);
        assert_eq!((a.resealed, a.changed, a.status.remaining), (2, 1, 0));
        assert_eq!(
            db.open(&keys("2"), "c1", "clientSecret").unwrap(),
            "the-new-secret"
        );
        assert_eq!(
            db.open(&keys("2"), "c0", "clientSecret").unwrap(),
            "secret-org1-0"
        );
    }

    #[test]
    fn a_version_missing_from_the_keyring_is_reported_and_left_alone() {
        let db = SealedRows::default();
        seed(&db, &keys("1"), "org1", 2);
        db.put(&keys("2"), "org1", "r1", "state", "{}");
        // v1 was removed before the sweep: its values cannot be opened, and nothing claims they can.
        let later = keys("2,3");
        let s = block_on(status(&db, &later)).unwrap();
        assert_eq!(s.missing_versions, vec![1]);
        assert_eq!(s.by_version, BTreeMap::from([(1, 2), (2, 1)]));
        assert_eq!(s.remaining, 1);
        let before = db.row("c0", "clientSecret");
        let a = sweep(&db, &later, 50);
        assert_eq!((a.resealed, a.status.remaining), (1, 0));
        assert_eq!(a.status.missing_versions, vec![1]);
        assert!(a.failed.is_empty());
        assert_eq!(db.row("c0", "clientSecret"), before);
        let e = db.open(&later, "c0", "clientSecret").unwrap_err();
        assert_eq!(e.code, Code::NotConfigured);
        assert!(
            e.message.contains("key version 1 is not in the keyring"),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_value_that_does_not_open_is_reported_by_record_and_the_rest_moves_on() {
        let db = SealedRows::default();
        seed(&db, &keys("1"), "org1", 2);
        db.corrupt("c0", "clientSecret");
        let both = keys("1,2");
        let a = sweep(&db, &both, 50);
        assert_eq!(a.resealed, 1);
        assert_eq!(a.failed.len(), 1);
        let f = &a.failed[0];
        assert_eq!(
            (f.owner_id.as_str(), f.field.as_str(), f.key_version),
            ("c0", "clientSecret", 1)
        );
        assert_eq!(f.error.code, Code::NotConfigured);
        assert!(
            f.error.message.contains("authentication failed"),
            "{}",
            f.error.message
        );
        assert_eq!(
            a.status.remaining, 1,
            "the failed value still counts as not resealed"
        );
    }

    #[test]
    fn damaged_values_filling_a_batch_do_not_stall_the_sweep() {
        let db = SealedRows::default();
        let old = keys("1");
        seed(&db, &old, "org1", 7);
        for i in 0..4 {
            db.corrupt(&format!("c{i}"), "clientSecret");
        }
        let both = keys("1,2");
        let first = sweep(&db, &both, 3);
        assert_eq!((first.resealed, first.failed.len()), (0, 3));
        let second = sweep(&db, &both, 3);
        assert_eq!((second.resealed, second.failed.len()), (2, 1));
        assert_eq!(
            second.failed[0].owner_id, "c3",
            "the second batch starts after the first"
        );
        let third = sweep(&db, &both, 3);
        assert_eq!((third.resealed, third.status.remaining), (1, 4));
        for i in 4..7 {
            assert_eq!(
                db.open(&keys("2"), &format!("c{i}"), "clientSecret")
                    .unwrap(),
                format!("secret-org1-{i}")
            );
        }
        let round = sweep(&db, &both, 3);
        assert_eq!(
            round
                .failed
                .iter()
                .map(|f| f.owner_id.as_str())
                .collect::<Vec<_>>(),
            ["c0", "c1", "c2"],
            "after the last row the next round starts from the first"
        );
    }

    #[test]
    fn each_organization_gets_counts_in_its_audit_log_and_never_a_secret() {
        let db = SealedRows::default();
        let old = keys("1");
        seed(&db, &old, "org1", 2);
        db.put(&old, "org2", "d0", "refreshToken", "secret-org2-0");
        let ciphertexts: Vec<String> = db.rows().into_iter().map(|r| r.sealed.blob).collect();
        let a = sweep(&db, &keys("1,2"), 50);
        assert_eq!(a.resealed, 3);
        let audited = db.audited();
        assert_eq!(
            audited,
            vec![
                (
                    "org1".into(),
                    "admin".into(),
                    "encryption.reseal".into(),
                    json!({ "resealed": 2, "keyVersion": 2 })
                ),
                (
                    "org2".into(),
                    "admin".into(),
                    "encryption.reseal".into(),
                    json!({ "resealed": 1, "keyVersion": 2 })
                ),
            ]
        );
        let answer = serde_json::to_string(&a).unwrap();
        for r in db.rows() {
            assert!(!answer.contains(&r.sealed.blob));
        }
        for text in ciphertexts
            .iter()
            .chain(["secret-org1-0".to_owned()].iter())
        {
            assert!(!answer.contains(text.as_str()));
            assert!(!format!("{audited:?}").contains(text.as_str()));
        }
    }

    #[test]
    fn the_cron_sweep_is_the_same_batch_under_its_own_actor() {
        let db = SealedRows::default();
        seed(&db, &keys("1"), "org1", 3);
        let a = block_on(reseal(
            &db,
            &keys("1,2"),
            &FakePlatform::new(),
            DEFAULT_BATCH,
            "scheduler",
        ))
        .unwrap();
        assert_eq!((a.resealed, a.status.remaining), (3, 0));
        assert_eq!(db.audited()[0].1, "scheduler");
        let single = block_on(reseal(
            &db,
            &keys("2"),
            &FakePlatform::new(),
            DEFAULT_BATCH,
            "scheduler",
        ))
        .unwrap();
        assert_eq!((single.resealed, single.status.remaining), (0, 0));
        assert_eq!(
            db.reads(),
            1,
            "a keyring of one version has nothing older to read"
        );
    }

    #[test]
    fn a_storage_failure_is_the_answer_and_nothing_is_half_written() {
        let db = SealedRows::default();
        seed(&db, &keys("1"), "org1", 2);
        db.fail_writes();
        let e = block_on(reseal(&db, &keys("1,2"), &FakePlatform::new(), 50, "admin")).unwrap_err();
        assert_eq!(e.status, 500);
        assert_eq!(
            block_on(status(&db, &keys("1,2"))).unwrap().by_version,
            BTreeMap::from([(1, 2)])
        );
        assert!(db.audited().is_empty());
    }
}
