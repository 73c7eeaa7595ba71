//! Secret sync to App Configuration: the minimal plan that makes the store's key-values under
//! one key prefix and one label match the desired secrets (infisical.md §10.3 and §13.19-23 for
//! what goes wrong otherwise).
//!
//! - It reads exactly `prefix*` under exactly its label (never other labels).
//! - Creates use `If-None-Match: *`, updates and deletes `If-Match: <etag>`, so a concurrent
//!   change fails with 412 instead of being overwritten; re-running re-plans and converges.
//! - It deletes only keys it manages (tag `managed-by: azconn`), never feature flags or locked
//!   key-values.
//! - The planner consumes the list pages itself: N keys with k changes cost ceil(N/page) + k
//!   requests.

use crate::appconfig::{
    Condition, FEATURE_FLAG_PREFIX, KEYVAULT_REF_CONTENT_TYPE, Key, KeyFilter, KeyValue, KvWrite,
    Label, LabelFilter, ListQuery, Store,
};
use crate::error::{Code, Error};
use crate::http::{HttpRequest, HttpResponse, Origin};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;

/// The tag marking key-values this sync owns.
pub const MANAGED_TAG: &str = "managed-by";
pub const MANAGED_VALUE: &str = "azconn";
const FEATURE_FLAG_CONTENT_TYPE: &str = "application/vnd.microsoft.appconfig.ff+json";

/// A desired secret value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "kind"
)]
pub enum DesiredValue {
    Plain {
        value: String,
        #[serde(default)]
        content_type: Option<String>,
    },
    /// Written as `{"uri": ...}` with the Key Vault reference content type.
    KeyVaultRef { uri: String },
}

/// Who wins when the store and the source disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

/// Where and how to sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncSpec {
    /// Prepended to every secret name (e.g. `app:`); may be empty.
    #[serde(default)]
    pub prefix: String,
    pub label: Label,
    pub mode: SyncMode,
    /// `false` is "never delete".
    #[serde(default = "yes")]
    pub delete_missing: bool,
}

/// One write of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
#[serde(rename_all = "camelCase")]
pub struct Imported {
    pub value: String,
    pub content_type: Option<String>,
}

/// Why a key was left alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SkipReason {
    Locked,
    FeatureFlag,
}

/// The plan: writes to execute in order, values to import, keys deliberately left alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub ops: Vec<SyncOp>,
    /// By secret name (without the prefix).
    pub imports: BTreeMap<String, Imported>,
    pub skipped: Vec<(String, SkipReason)>,
}

/// Lists the store's key-values under the prefix and label, then plans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncPlanner {
    store: Store,
    spec: SyncSpec,
    desired: BTreeMap<Key, KvWrite>,
    current: BTreeMap<String, KeyValue>,
    listed: bool,
}

fn write_for(value: &DesiredValue) -> Result<KvWrite, Error> {
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
        tags: BTreeMap::from([(MANAGED_TAG.to_owned(), MANAGED_VALUE.to_owned())]),
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

fn etag_condition(kv: &KeyValue) -> Condition {
    kv.etag.clone().map_or(Condition::None, Condition::IfMatch)
}

impl SyncPlanner {
    /// Validates every key (prefix + name) and value up front.
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
        let mut writes = BTreeMap::new();
        for (name, value) in desired {
            let full = format!("{}{name}", spec.prefix);
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
                write_for(value).map_err(|e| e.at(&format!("secrets.{name}")))?,
            );
        }
        Ok(SyncPlanner {
            store,
            spec,
            desired: writes,
            current: BTreeMap::new(),
            listed: false,
        })
    }

    /// The first list request: `key=<prefix>*` (escaped), `label=<label>` exactly.
    pub fn first_request(&self) -> Result<HttpRequest, Error> {
        let key = if self.spec.prefix.is_empty() {
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
            if kv.label == label && kv.key.starts_with(&self.spec.prefix) {
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

    /// The minimal plan. Errors until the listing is complete.
    pub fn plan(&self) -> Result<Plan, Error> {
        if !self.listed {
            return Err(Error::new(
                Code::NotAllowed,
                "the store listing is not complete: feed every page to on_page first",
            ));
        }
        let label = &self.spec.label;
        let name_of = |k: &str| k.get(self.spec.prefix.len()..).unwrap_or(k).to_owned();
        let mut plan = Plan {
            ops: Vec::new(),
            imports: BTreeMap::new(),
            skipped: Vec::new(),
        };
        for (key, write) in &self.desired {
            let put = |condition| SyncOp::Put {
                key: key.clone(),
                label: label.clone(),
                write: write.clone(),
                condition,
            };
            let Some(cur) = self.current.get(key.as_str()) else {
                plan.ops.push(put(Condition::IfNoneMatchAny));
                continue;
            };
            let same_value = cur.value.as_deref() == Some(write.value.as_str())
                && cur.content_type == write.content_type;
            if same_value && is_managed(cur) {
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
            plan.ops.push(put(etag_condition(cur)));
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
                SyncMode::Overwrite if self.spec.delete_missing && is_managed(cur) => {
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
}

#[cfg(test)]
mod tests;
