//! Secret sync to App Configuration: the minimal plan that makes the store's key-values under
//! one key prefix and one label match the desired secrets (infisical.md §10.3 and §13.19-23 for
//! what goes wrong otherwise).
//!
//! - It reads exactly `prefix*` under exactly its label (never other labels), and of those only
//!   the keys that end with its suffix: a key is `{prefix}{name}{suffix}`, Infisical's key
//!   schema `{prefix}{{secretKey}}{suffix}` ([`KeySchema`]).
//! - Creates use `If-None-Match: *`, updates and deletes `If-Match: <etag>`, so a concurrent
//!   change fails with 412 instead of being overwritten; re-running re-plans and converges.
//! - It writes and deletes only keys it owns: tagged `managed-by: azconn` and
//!   `azconn-sync: <its id>`. A desired key that exists without its owner tag (written by hand,
//!   by another tool, or by another sync, of this organization or another) is a [`Conflict`] and
//!   is left alone, unless the run adopts it by name ([`SyncSpec::adopt`]). Never feature flags
//!   or locked key-values.
//! - Keys tagged before owner tags existed (`managed-by: azconn` only) belong to no sync: which
//!   of several overlapping syncs wrote them is unknowable, so they are conflicts like any other
//!   unowned key until one sync adopts them (migration rule: adopt once, explicitly).
//! - A run that deletes more keys than it keeps (or every key) must be confirmed with the
//!   number of deletions ([`Plan::check_confirmed`]).
//! - Preview and apply see the same store: [`SyncPlanner::fingerprint`] digests the listing, so
//!   an apply carrying its preview's fingerprint is refused if the store changed in between.
//! - The planner consumes the list pages itself: N keys with k changes cost ceil(N/page) + k
//!   requests.

use crate::appconfig::{
    Condition, FEATURE_FLAG_PREFIX, KEYVAULT_REF_CONTENT_TYPE, Key, KeyFilter, KeyValue, KvWrite,
    Label, LabelFilter, ListQuery, Store,
};
use crate::error::{Code, Error};
use crate::http::{HttpRequest, HttpResponse, Origin};
use crate::prelude::*;
use alloc::collections::BTreeMap;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

/// The tag marking key-values azconn manages.
pub const MANAGED_TAG: &str = "managed-by";
pub const MANAGED_VALUE: &str = "azconn";
/// The tag naming the sync that owns a managed key-value (its id).
pub const OWNER_TAG: &str = "azconn-sync";
const FEATURE_FLAG_CONTENT_TYPE: &str = "application/vnd.microsoft.appconfig.ff+json";

/// A desired secret value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "kind"
)]
pub enum DesiredValue {
    Plain {
        value: String,
        #[serde(default)]
        #[cfg_attr(feature = "ts", ts(optional = nullable))]
        content_type: Option<String>,
    },
    /// Written as `{"uri": ...}` with the Key Vault reference content type.
    KeyVaultRef { uri: String },
}

/// Who wins when the store and the source disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum SyncMode {
    /// The source wins; managed keys missing from the source are deleted.
    Overwrite,
    /// Store keys missing from the source are imported; on conflict the source wins.
    ImportPreferSource,
    /// Store keys missing from the source are imported; on conflict the store wins.
    ImportPreferDestination,
}

fn yes() -> bool {
    true
}

/// Infisical's `keySchema`: how a secret name becomes a store key, `{prefix}{{secretKey}}{suffix}`
/// (round2.md, secret sync options): at most 255 characters, `{{secretKey}}` exactly once,
/// otherwise letters, digits and `_ - / : .` (Infisical's set, plus the `:` and `.` App
/// Configuration keys commonly use). azconn has no environments, so `{{environment}}` is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySchema {
    pub prefix: String,
    pub suffix: String,
}

const SECRET_KEY: &str = "{{secretKey}}";

impl KeySchema {
    pub fn parse(text: &str) -> Result<KeySchema, Error> {
        let wrong = |code, message: &str| Error::field("keySchema", code, message.to_owned());
        if text.chars().count() > 255 {
            return Err(wrong(
                Code::TooLong,
                "a key schema has at most 255 characters",
            ));
        }
        if text.contains("{{environment}}") {
            return Err(wrong(
                Code::NotAllowed,
                "azconn has no environments: write the environment's name into the schema",
            ));
        }
        let Some((prefix, suffix)) = text.split_once(SECRET_KEY) else {
            return Err(wrong(
                Code::InvalidFormat,
                "a key schema contains {{secretKey}}, where each secret's name goes",
            )
            .with_hint("for example app/{{secretKey}}"));
        };
        if suffix.contains(SECRET_KEY) {
            return Err(wrong(
                Code::InvalidFormat,
                "a key schema contains {{secretKey}} exactly once",
            ));
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || "_-/:.".contains(c);
        if let Some(c) = prefix.chars().chain(suffix.chars()).find(|c| !allowed(*c)) {
            return Err(wrong(
                Code::InvalidCharacter,
                &format!(
                    "{c:?} is not allowed in a key schema: only letters, digits and _ - / : . around {{{{secretKey}}}}"
                ),
            ));
        }
        Ok(KeySchema {
            prefix: prefix.to_owned(),
            suffix: suffix.to_owned(),
        })
    }

    /// The schema as text: `{prefix}{{secretKey}}{suffix}`.
    pub fn text(prefix: &str, suffix: &str) -> String {
        format!("{prefix}{SECRET_KEY}{suffix}")
    }
}

/// Where and how to sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SyncSpec {
    /// Prepended to every secret name (e.g. `app:`); may be empty.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub prefix: String,
    /// Appended to every secret name (e.g. `/v1`); may be empty.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub suffix: String,
    pub label: Label,
    pub mode: SyncMode,
    /// `false` is "never delete".
    #[serde(default = "yes")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub delete_missing: bool,
    /// The sync's id: written as the [`OWNER_TAG`] of every key it writes; only keys carrying
    /// it are updated or deleted.
    pub owner: String,
    /// Full keys (prefix included) this run may take over although it does not own them: each
    /// must be one of the desired keys.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub adopt: Vec<String>,
}

/// One write of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "op")]
pub enum SyncOp {
    Put {
        key: Key,
        label: Label,
        write: KvWrite,
        condition: Condition,
    },
    Delete {
        key: Key,
        label: Label,
        condition: Condition,
    },
}

impl SyncOp {
    /// The request for this op (authorize it with [`crate::appconfig::authorize`]).
    pub fn request(&self, store: &Store) -> Result<HttpRequest, Error> {
        match self {
            SyncOp::Put {
                key,
                label,
                write,
                condition,
            } => store.put(key, label, write, condition),
            SyncOp::Delete {
                key,
                label,
                condition,
            } => store.delete(key, label, condition),
        }
    }
}

/// A store value brought back into the source (import modes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Imported {
    pub value: String,
    pub content_type: Option<String>,
}

/// Why a key was left alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum SkipReason {
    Locked,
    FeatureFlag,
}

/// Who holds a desired key that this sync does not own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum ConflictReason {
    /// Not tagged by azconn: written by hand or by another tool.
    Unmanaged,
    /// Tagged `managed-by: azconn` without an owner (before owner tags existed).
    Unowned,
    /// Owned by another sync (named in [`Conflict::owner`]).
    OtherSync,
}

/// A desired key the plan leaves alone because this sync does not own it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Conflict {
    pub key: String,
    pub reason: ConflictReason,
    /// The owning sync's id, for [`ConflictReason::OtherSync`].
    pub owner: Option<String>,
}

/// The plan: writes to execute in order, values to import, keys deliberately left alone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "SyncPlan"))]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub ops: Vec<SyncOp>,
    /// By secret name (without the prefix).
    pub imports: BTreeMap<String, Imported>,
    pub skipped: Vec<(String, SkipReason)>,
    /// Desired keys held by someone else, left alone.
    pub conflicts: Vec<Conflict>,
    /// Keys this sync owns after the plan is applied (written or already in place).
    pub kept: u32,
}

impl Plan {
    pub fn deletes(&self) -> u32 {
        let n = self
            .ops
            .iter()
            .filter(|op| matches!(op, SyncOp::Delete { .. }))
            .count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// The number of deletions a run must confirm: `Some` when it deletes more keys than it
    /// keeps (every key, when it keeps none), as a partial or empty `secrets` would.
    pub fn confirmation_needed(&self) -> Option<u32> {
        let deletes = self.deletes();
        (deletes > 0 && deletes > self.kept).then_some(deletes)
    }

    /// Refuses a plan that needs confirming unless `confirmed` is exactly its number of
    /// deletions (a count from an older preview does not confirm a bigger deletion).
    pub fn check_confirmed(&self, confirmed: Option<u32>) -> Result<(), Error> {
        match self.confirmation_needed() {
            Some(n) if confirmed != Some(n) => Err(Error::field(
                "confirmDeletes",
                Code::Conflict,
                format!(
                    "this run would delete {n} key(s) and keep {}: confirm the deletions",
                    self.kept
                ),
            )
            .with_hint(format!(
                "check the keys with dryRun: true, then repeat with confirmDeletes: {n}"
            ))),
            _ => Ok(()),
        }
    }
}

/// Lists the store's key-values under the prefix and label, then plans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncPlanner {
    store: Store,
    spec: SyncSpec,
    desired: BTreeMap<Key, KvWrite>,
    current: BTreeMap<String, KeyValue>,
    listed: bool,
    /// Set by [`SyncPlanner::for_key`]: the listing asks for this one key.
    one_key: Option<String>,
}

fn write_for(value: &DesiredValue, owner: &str) -> Result<KvWrite, Error> {
    let (value, content_type) = match value {
        DesiredValue::Plain {
            value,
            content_type,
        } => (value.clone(), content_type.clone()),
        DesiredValue::KeyVaultRef { uri } => {
            let origin_end = uri
                .find("://")
                .and_then(|i| uri.get(i + 3..)?.find('/').map(|j| i + 3 + j))
                .unwrap_or(uri.len());
            let origin =
                Origin::parse(uri.get(..origin_end).unwrap_or("")).map_err(|e| e.at("uri"))?;
            if origin.scheme() != crate::http::Scheme::Https
                || !uri.get(origin_end..).unwrap_or("").starts_with("/secrets/")
            {
                return Err(Error::field(
                    "uri",
                    Code::InvalidFormat,
                    "a Key Vault reference is https://<vault>.vault.azure.net/secrets/<name>[/<version>]",
                ));
            }
            (
                json!({ "uri": uri }).to_string(),
                Some(KEYVAULT_REF_CONTENT_TYPE.to_owned()),
            )
        }
    };
    Ok(KvWrite {
        value,
        content_type,
        tags: BTreeMap::from([
            (MANAGED_TAG.to_owned(), MANAGED_VALUE.to_owned()),
            (OWNER_TAG.to_owned(), owner.to_owned()),
        ]),
    })
}

fn is_feature_flag(kv: &KeyValue) -> bool {
    kv.key.starts_with(FEATURE_FLAG_PREFIX)
        || kv
            .content_type
            .as_deref()
            .is_some_and(|c| c.starts_with(FEATURE_FLAG_CONTENT_TYPE))
}

fn is_managed(kv: &KeyValue) -> bool {
    kv.tags.get(MANAGED_TAG).map(String::as_str) == Some(MANAGED_VALUE)
}

/// Who holds `kv`, when it is not `owner`'s.
fn conflict_with(kv: &KeyValue, owner: &str) -> Option<Conflict> {
    let holder = kv.tags.get(OWNER_TAG).filter(|_| is_managed(kv));
    let reason = match holder {
        Some(h) if h == owner => return None,
        Some(_) => ConflictReason::OtherSync,
        None if is_managed(kv) => ConflictReason::Unowned,
        None => ConflictReason::Unmanaged,
    };
    Some(Conflict {
        key: kv.key.clone(),
        reason,
        owner: holder.cloned(),
    })
}

fn etag_condition(kv: &KeyValue) -> Condition {
    kv.etag.clone().map_or(Condition::None, Condition::IfMatch)
}

impl SyncPlanner {
    /// The secret name a store key stands for: the key without the prefix and the suffix, if
    /// it has both (and a name between them).
    fn name_of<'k>(&self, key: &'k str) -> Option<&'k str> {
        key.strip_prefix(self.spec.prefix.as_str())?
            .strip_suffix(self.spec.suffix.as_str())
            .filter(|name| !name.is_empty())
    }

    /// Validates every key (prefix + name + suffix) and value up front.
    pub fn new(
        store: Store,
        spec: SyncSpec,
        desired: &BTreeMap<String, DesiredValue>,
    ) -> Result<SyncPlanner, Error> {
        if spec.prefix.starts_with(FEATURE_FLAG_PREFIX) {
            return Err(Error::field(
                "prefix",
                Code::NotAllowed,
                "secret sync never writes under the feature-flag prefix .appconfig.featureflag/",
            ));
        }
        let owner = spec.owner.as_str();
        if owner.trim().is_empty()
            || owner.chars().count() > 64
            || owner.chars().any(char::is_control)
        {
            return Err(Error::field(
                "owner",
                Code::InvalidFormat,
                "the owner is the sync's id: 1-64 characters without control characters",
            ));
        }
        let mut writes = BTreeMap::new();
        for (name, value) in desired {
            let full = format!("{}{name}{}", spec.prefix, spec.suffix);
            let key = Key::parse(&full).map_err(|e| e.at(&format!("secrets.{name}")))?;
            if full.starts_with(FEATURE_FLAG_PREFIX) {
                return Err(Error::field(
                    &format!("secrets.{name}"),
                    Code::NotAllowed,
                    "secret sync never writes feature flags",
                ));
            }
            writes.insert(
                key,
                write_for(value, owner).map_err(|e| e.at(&format!("secrets.{name}")))?,
            );
        }
        if let Some(stray) = spec
            .adopt
            .iter()
            .find(|k| !writes.keys().any(|w: &Key| w.as_str() == k.as_str()))
        {
            return Err(Error::field(
                "adopt",
                Code::NotAllowed,
                format!("{stray} is not one of the keys this run writes"),
            )
            .with_hint(
                "adopt lists full keys (prefix included) of the secrets given in the same run",
            ));
        }
        Ok(SyncPlanner {
            store,
            spec,
            desired: writes,
            current: BTreeMap::new(),
            listed: false,
            one_key: None,
        })
    }

    /// The planner of one secret as a rotation publishes its new value to a sync bound to it:
    /// the listing asks for `{prefix}{name}{suffix}` under the label only, and
    /// [`SyncPlanner::put_plan`] says what to write. Nothing is adopted.
    pub fn for_key(
        store: Store,
        spec: SyncSpec,
        name: &str,
        value: &DesiredValue,
    ) -> Result<SyncPlanner, Error> {
        let full = format!("{}{name}{}", spec.prefix, spec.suffix);
        let spec = SyncSpec {
            adopt: Vec::new(),
            ..spec
        };
        let mut planner = SyncPlanner::new(
            store,
            spec,
            &BTreeMap::from([(name.to_owned(), value.clone())]),
        )?;
        planner.one_key = Some(full);
        Ok(planner)
    }

    /// The first list request: `key=<prefix>*` (escaped), `label=<label>` exactly.
    pub fn first_request(&self) -> Result<HttpRequest, Error> {
        let key = if let Some(one) = &self.one_key {
            KeyFilter::Exact(one.clone())
        } else if self.spec.prefix.is_empty() {
            KeyFilter::All
        } else {
            KeyFilter::Prefix(self.spec.prefix.clone())
        };
        self.store.list(&ListQuery {
            key,
            label: LabelFilter::Exact(self.spec.label.clone()),
            select: Vec::new(),
        })
    }

    /// Feeds a list page; returns the next page's request, or `None` when the listing is done.
    /// Items outside the prefix or label (a misbehaving server) are ignored.
    pub fn on_page(&mut self, resp: &HttpResponse) -> Result<Option<HttpRequest>, Error> {
        let page = self.store.parse_list(resp)?;
        let label: Option<String> = self.spec.label.clone().into();
        for kv in page.items {
            if kv.label == label && self.name_of(&kv.key).is_some() {
                self.current.insert(kv.key.clone(), kv);
            }
        }
        match page.next_link {
            Some(link) => self.store.next_page(&link).map(Some),
            None => {
                self.listed = true;
                Ok(None)
            }
        }
    }

    fn check_listed(&self) -> Result<(), Error> {
        if self.listed {
            return Ok(());
        }
        Err(Error::new(
            Code::NotAllowed,
            "the store listing is not complete: feed every page to on_page first",
        ))
    }

    /// Only the writes that put the desired values in place, whatever the mode: no deletion,
    /// no import, no adoption. A rotation publishing its new secret replaces a value the sync
    /// itself wrote, so the source wins even when the sync imports preferring the store (the
    /// store's value is the secret about to be revoked). A missing key is created
    /// (`If-None-Match: *`), an owned one with another value updated at its ETag; a key the
    /// sync does not own is a [`Conflict`] and a locked one is skipped, both left alone.
    pub fn put_plan(&self) -> Result<Plan, Error> {
        self.check_listed()?;
        let mut plan = Plan::default();
        for (key, write) in &self.desired {
            let Some(cur) = self.current.get(key.as_str()) else {
                plan.ops.push(SyncOp::Put {
                    key: key.clone(),
                    label: self.spec.label.clone(),
                    write: write.clone(),
                    condition: Condition::IfNoneMatchAny,
                });
                plan.kept += 1;
                continue;
            };
            if let Some(c) = conflict_with(cur, &self.spec.owner) {
                plan.conflicts.push(c);
                continue;
            }
            if is_feature_flag(cur) {
                plan.skipped
                    .push((cur.key.clone(), SkipReason::FeatureFlag));
                continue;
            }
            if cur.value.as_deref() == Some(write.value.as_str())
                && cur.content_type == write.content_type
            {
                plan.kept += 1;
                continue;
            }
            if cur.locked == Some(true) {
                plan.skipped.push((cur.key.clone(), SkipReason::Locked));
                continue;
            }
            let mut write = write.clone();
            for (k, v) in &cur.tags {
                write.tags.entry(k.clone()).or_insert_with(|| v.clone());
            }
            plan.ops.push(SyncOp::Put {
                key: key.clone(),
                label: self.spec.label.clone(),
                write,
                condition: etag_condition(cur),
            });
            plan.kept += 1;
        }
        Ok(plan)
    }

    /// The minimal plan. Errors until the listing is complete.
    pub fn plan(&self) -> Result<Plan, Error> {
        self.check_listed()?;
        let label = &self.spec.label;
        let name_of = |k: &str| self.name_of(k).unwrap_or(k).to_owned();
        let owner = self.spec.owner.as_str();
        let mut plan = Plan::default();
        for (key, write) in &self.desired {
            let Some(cur) = self.current.get(key.as_str()) else {
                plan.ops.push(SyncOp::Put {
                    key: key.clone(),
                    label: label.clone(),
                    write: write.clone(),
                    condition: Condition::IfNoneMatchAny,
                });
                plan.kept += 1;
                continue;
            };
            let conflict = conflict_with(cur, owner);
            let same_value = cur.value.as_deref() == Some(write.value.as_str())
                && cur.content_type == write.content_type;
            if same_value && conflict.is_none() {
                plan.kept += 1;
                continue;
            }
            if is_feature_flag(cur) {
                plan.skipped
                    .push((cur.key.clone(), SkipReason::FeatureFlag));
                continue;
            }
            if self.spec.mode == SyncMode::ImportPreferDestination {
                if !same_value {
                    plan.imports.insert(
                        name_of(&cur.key),
                        Imported {
                            value: cur.value.clone().unwrap_or_default(),
                            content_type: cur.content_type.clone(),
                        },
                    );
                }
                continue;
            }
            if cur.locked == Some(true) {
                plan.skipped.push((cur.key.clone(), SkipReason::Locked));
                continue;
            }
            let adopted = self.spec.adopt.iter().any(|k| k == key.as_str())
                // Importing preferring the source is the choice that the source wins over an
                // unmanaged key; never over another sync's.
                || (self.spec.mode == SyncMode::ImportPreferSource
                    && conflict
                        .as_ref()
                        .is_some_and(|c| c.reason != ConflictReason::OtherSync));
            if let Some(c) = conflict.filter(|_| !adopted) {
                plan.conflicts.push(c);
                continue;
            }
            // The key's other tags stay; ours say who owns it now.
            let mut write = write.clone();
            for (k, v) in &cur.tags {
                write.tags.entry(k.clone()).or_insert_with(|| v.clone());
            }
            plan.ops.push(SyncOp::Put {
                key: key.clone(),
                label: label.clone(),
                write,
                condition: etag_condition(cur),
            });
            plan.kept += 1;
        }
        for cur in self.current.values() {
            if Key::parse(&cur.key).is_ok_and(|k| self.desired.contains_key(&k)) {
                continue;
            }
            if is_feature_flag(cur) {
                continue;
            }
            match self.spec.mode {
                SyncMode::ImportPreferSource | SyncMode::ImportPreferDestination => {
                    plan.imports.insert(
                        name_of(&cur.key),
                        Imported {
                            value: cur.value.clone().unwrap_or_default(),
                            content_type: cur.content_type.clone(),
                        },
                    );
                }
                SyncMode::Overwrite
                    if self.spec.delete_missing && conflict_with(cur, owner).is_none() =>
                {
                    if cur.locked == Some(true) {
                        plan.skipped.push((cur.key.clone(), SkipReason::Locked));
                    } else if let Ok(key) = Key::parse(&cur.key) {
                        plan.ops.push(SyncOp::Delete {
                            key,
                            label: label.clone(),
                            condition: etag_condition(cur),
                        });
                    }
                }
                SyncMode::Overwrite => {}
            }
        }
        Ok(plan)
    }

    /// A digest of the listing the plan is made from: each key-value's key, label and ETag
    /// under the sync's prefix and label, 43 base64url characters. A preview gives it; a run
    /// carrying it applies only if the store is as that preview saw it (any write to a listed
    /// key-value changes its ETag; a key added or removed changes the list). What the caller
    /// chooses in between (`adopt`, `confirmDeletes`) is theirs and does not count. Values are
    /// left out, so the digest says nothing about a secret.
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        for kv in self.current.values() {
            for part in [
                kv.key.as_str(),
                kv.label.as_deref().unwrap_or("\0"),
                kv.etag.as_deref().unwrap_or(""),
            ] {
                h.update((part.len() as u64).to_le_bytes());
                h.update(part.as_bytes());
            }
        }
        crate::base64::encode_url(h.finalize())
    }

    /// The plan that removes every key this sync owns under its prefix and label (deleting the
    /// sync with its keys): nothing else, never feature flags; locked keys are skipped.
    pub fn removal_plan(&self) -> Result<Plan, Error> {
        self.check_listed()?;
        let mut plan = Plan::default();
        for cur in self.current.values() {
            if is_feature_flag(cur) || conflict_with(cur, &self.spec.owner).is_some() {
                continue;
            }
            if cur.locked == Some(true) {
                plan.skipped.push((cur.key.clone(), SkipReason::Locked));
            } else if let Ok(key) = Key::parse(&cur.key) {
                plan.ops.push(SyncOp::Delete {
                    key,
                    label: self.spec.label.clone(),
                    condition: etag_condition(cur),
                });
            }
        }
        Ok(plan)
    }
}

#[cfg(test)]
mod tests;
