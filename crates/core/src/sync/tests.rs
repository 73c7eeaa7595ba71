//! The planner against a simulated App Configuration store: exact request counts, a failure
//! injected at every step, and a property test over random stores.

use super::*;
use crate::cloud::{Cloud, StoreEndpoint};
use crate::http::{Method, decode_component, parse_query};
use proptest::prelude::*;
use serde_json::Value;

type Id = (String, Option<String>);
/// method, url, if-match, if-none-match, body
type Wire = (String, String, Option<String>, Option<String>, String);

/// A store: key-values by (key, label), etags from a counter, conditional writes, locked
/// key-values, and list pages of `page` items linked by `@nextLink` or `Link` alternately.
#[derive(Clone)]
struct FakeStore {
    kvs: BTreeMap<Id, KeyValue>,
    page: usize,
    etag: u64,
    requests: usize,
}

fn unescape_filter(f: &str) -> (String, bool) {
    let (mut out, mut chars, mut prefix) = (String::new(), f.chars(), false);
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            '*' => prefix = true,
            c => out.push(c),
        }
    }
    (out, prefix)
}

impl FakeStore {
    fn new(page: usize) -> FakeStore {
        FakeStore {
            kvs: BTreeMap::new(),
            page,
            etag: 0,
            requests: 0,
        }
    }

    /// `managed`: owned by the sync `s1` of [`spec`].
    fn insert(&mut self, key: &str, label: Option<&str>, value: &str, managed: bool) {
        let tags: &[(&str, &str)] = if managed {
            &[(MANAGED_TAG, MANAGED_VALUE), (OWNER_TAG, "s1")]
        } else {
            &[]
        };
        self.insert_tagged(key, label, value, tags);
    }

    fn insert_tagged(
        &mut self,
        key: &str,
        label: Option<&str>,
        value: &str,
        tags: &[(&str, &str)],
    ) {
        self.etag += 1;
        let tags = tags
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        self.kvs.insert(
            (key.to_owned(), label.map(str::to_owned)),
            KeyValue {
                key: key.to_owned(),
                label: label.map(str::to_owned),
                value: Some(value.to_owned()),
                content_type: None,
                etag: Some(format!("e{}", self.etag)),
                last_modified: None,
                locked: Some(false),
                tags,
            },
        );
    }

    fn json(kv: &KeyValue) -> Value {
        serde_json::to_value(kv).unwrap()
    }

    fn handle(&mut self, req: &HttpRequest) -> HttpResponse {
        self.requests += 1;
        let url = req.url.strip_prefix("https://s.azconfig.io").unwrap();
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        let q: BTreeMap<String, String> = parse_query(query).unwrap().into_iter().collect();
        let label = q.get("label").cloned();
        if path == "/kv" {
            let (kf, prefix) = unescape_filter(q.get("key").map_or("*", String::as_str));
            let lf = label.map(|l| {
                if l == "\0" {
                    None
                } else {
                    Some(unescape_filter(&l).0)
                }
            });
            let matching: Vec<&KeyValue> = self
                .kvs
                .values()
                .filter(|kv| {
                    if prefix {
                        kv.key.starts_with(&kf)
                    } else {
                        kv.key == kf
                    }
                })
                .filter(|kv| lf.as_ref().is_none_or(|l| &kv.label == l))
                .collect();
            let after: usize = q.get("after").map_or(0, |a| a.parse().unwrap());
            let items: Vec<Value> = matching
                .iter()
                .skip(after)
                .take(self.page)
                .map(|kv| Self::json(kv))
                .collect();
            let mut body = json!({ "items": items });
            let mut resp = HttpResponse::new(200, "");
            if after + self.page < matching.len() {
                let mut next = format!("/kv?{query}");
                next = next.split("&after=").next().unwrap().to_owned();
                next.push_str(&format!("&after={}", after + self.page));
                if (after / self.page).is_multiple_of(2) {
                    body["@nextLink"] = json!(next);
                } else {
                    resp = resp.with_header("link", format!("<{next}>; rel=\"next\""));
                }
            }
            resp.body = body.to_string();
            return resp.with_header("sync-token", format!("s={};sn={}", self.etag, self.etag));
        }
        let key = decode_component(path.strip_prefix("/kv/").unwrap()).unwrap();
        let id = (key.clone(), label);
        let cur = self.kvs.get(&id);
        if cur.is_some_and(|c| c.locked == Some(true)) {
            return HttpResponse::new(
                409,
                r#"{"type":"https://azconfig.io/errors/key-locked","status":409}"#,
            );
        }
        let etag_ok = match (req.header("if-match"), req.header("if-none-match")) {
            (Some(m), _) => cur.is_some_and(|c| Some(m.trim_matches('"')) == c.etag.as_deref()),
            (_, Some("*")) => cur.is_none(),
            _ => true,
        };
        if !etag_ok {
            return HttpResponse::new(412, "");
        }
        match req.method {
            Method::Put => {
                let w: Value = serde_json::from_str(&req.body).unwrap();
                self.etag += 1;
                let kv = KeyValue {
                    key,
                    label: id.1.clone(),
                    value: w["value"].as_str().map(str::to_owned),
                    content_type: w["content_type"].as_str().map(str::to_owned),
                    etag: Some(format!("e{}", self.etag)),
                    last_modified: None,
                    locked: Some(false),
                    tags: serde_json::from_value(w["tags"].clone()).unwrap_or_default(),
                };
                let body = Self::json(&kv).to_string();
                self.kvs.insert(id, kv);
                HttpResponse::new(200, body)
            }
            Method::Delete => match self.kvs.remove(&id) {
                Some(kv) => HttpResponse::new(200, Self::json(&kv).to_string()),
                None => HttpResponse::new(204, ""),
            },
            _ => panic!("unexpected {req:?}"),
        }
    }
}

fn store() -> Store {
    Store::new(&StoreEndpoint::parse("https://s.azconfig.io", Cloud::Global.endpoints()).unwrap())
}

fn spec(mode: SyncMode) -> SyncSpec {
    SyncSpec {
        prefix: "app:".into(),
        suffix: String::new(),
        label: Label::Named("prod".into()),
        mode,
        delete_missing: true,
        owner: "s1".into(),
        adopt: Vec::new(),
    }
}

fn plain(v: &str) -> DesiredValue {
    DesiredValue::Plain {
        value: v.into(),
        content_type: None,
    }
}

/// Lists every page through the planner and returns the plan.
fn plan_against(
    fake: &mut FakeStore,
    spec: &SyncSpec,
    desired: &BTreeMap<String, DesiredValue>,
) -> Plan {
    let mut p = SyncPlanner::new(store(), spec.clone(), desired).unwrap();
    let mut req = Some(p.first_request().unwrap());
    for _ in 0..10_000 {
        let Some(r) = req else { break };
        let resp = fake.handle(&r);
        req = p.on_page(&resp).unwrap();
    }
    p.plan().unwrap()
}

/// Runs a full sync; stops after `fail_after` ops (a crash), or feeds failures back.
fn sync(
    fake: &mut FakeStore,
    spec: &SyncSpec,
    desired: &BTreeMap<String, DesiredValue>,
    fail_after: Option<usize>,
) -> Plan {
    let plan = plan_against(fake, spec, desired);
    for (i, op) in plan.ops.iter().enumerate() {
        if Some(i) == fail_after {
            break;
        }
        fake.handle(&op.request(&store()).unwrap());
    }
    plan
}

fn value_of(fake: &FakeStore, key: &str, label: Option<&str>) -> Option<String> {
    fake.kvs
        .get(&(key.to_owned(), label.map(str::to_owned)))
        .and_then(|kv| kv.value.clone())
}

#[test]
fn costs_ceil_n_over_page_plus_k_requests() {
    let mut fake = FakeStore::new(10);
    let mut desired = BTreeMap::new();
    for i in 0..95 {
        fake.insert(&format!("app:k{i:03}"), Some("prod"), "v", true);
        desired.insert(format!("k{i:03}"), plain("v"));
    }
    // k = 7 changes: 3 updates, 2 creates, 2 deletes.
    for i in [1, 2, 3] {
        desired.insert(format!("k{i:03}"), plain("changed"));
    }
    desired.insert("new1".into(), plain("n"));
    desired.insert("new2".into(), plain("n"));
    desired.remove("k050");
    desired.remove("k051");
    // Noise the sync must neither read nor touch.
    fake.insert("app:k001", Some("dev"), "other label", true);
    fake.insert("other:x", Some("prod"), "other prefix", true);
    let before = fake.requests;
    let plan = sync(&mut fake, &spec(SyncMode::Overwrite), &desired, None);
    assert_eq!(plan.ops.len(), 7);
    assert_eq!(fake.requests - before, 95usize.div_ceil(10) + 7);
    // A second run is free of writes: one listing only.
    let before = fake.requests;
    let plan = sync(&mut fake, &spec(SyncMode::Overwrite), &desired, None);
    assert!(plan.ops.is_empty());
    assert_eq!(fake.requests - before, 10);
    assert_eq!(
        value_of(&fake, "app:k001", Some("dev")).as_deref(),
        Some("other label")
    );
    assert_eq!(
        value_of(&fake, "other:x", Some("prod")).as_deref(),
        Some("other prefix")
    );
}

#[test]
fn ops_are_conditional_and_scoped() {
    let mut fake = FakeStore::new(100);
    fake.insert("app:changed", Some("prod"), "old", true);
    fake.insert("app:gone", Some("prod"), "x", true);
    fake.insert("app:theirs", Some("prod"), "x", false);
    fake.insert("app:gone", None, "null label", true);
    fake.insert(".appconfig.featureflag/app:beta", Some("prod"), "{}", true);
    let desired = BTreeMap::from([
        ("changed".to_owned(), plain("new")),
        (
            "added".to_owned(),
            DesiredValue::KeyVaultRef {
                uri: "https://kv1.vault.azure.net/secrets/db".into(),
            },
        ),
    ]);
    let plan = plan_against(&mut fake, &spec(SyncMode::Overwrite), &desired);
    let reqs: Vec<Wire> = plan
        .ops
        .iter()
        .map(|op| {
            let r = op.request(&store()).unwrap();
            (
                r.method.as_str().to_owned(),
                r.url.clone(),
                r.header("if-match").map(str::to_owned),
                r.header("if-none-match").map(str::to_owned),
                r.body,
            )
        })
        .collect();
    let tag = r#""tags":{"azconn-sync":"s1","managed-by":"azconn"}"#;
    assert_eq!(
        reqs,
        vec![
            (
                "PUT".into(),
                "https://s.azconfig.io/kv/app%3Aadded?label=prod&api-version=2023-11-01".into(),
                None,
                Some("*".into()),
                format!(
                    r#"{{"content_type":"application/vnd.microsoft.appconfig.keyvaultref+json;charset=utf-8",{tag},"value":"{{\"uri\":\"https://kv1.vault.azure.net/secrets/db\"}}"}}"#
                ),
            ),
            (
                "PUT".into(),
                "https://s.azconfig.io/kv/app%3Achanged?label=prod&api-version=2023-11-01".into(),
                Some("\"e1\"".into()),
                None,
                format!(r#"{{{tag},"value":"new"}}"#),
            ),
            (
                "DELETE".into(),
                "https://s.azconfig.io/kv/app%3Agone?label=prod&api-version=2023-11-01".into(),
                Some("\"e2\"".into()),
                None,
                String::new(),
            ),
        ]
    );
}

#[test]
fn locked_and_feature_flags_are_skipped_never_written() {
    let mut fake = FakeStore::new(100);
    fake.insert("app:locked", Some("prod"), "x", true);
    fake.kvs.values_mut().for_each(|kv| kv.locked = Some(true));
    let desired = BTreeMap::from([("locked".to_owned(), plain("y"))]);
    let plan = plan_against(&mut fake, &spec(SyncMode::Overwrite), &desired);
    assert!(plan.ops.is_empty());
    assert_eq!(
        plan.skipped,
        vec![("app:locked".to_owned(), SkipReason::Locked)]
    );
    let ff = BTreeMap::from([(".appconfig.featureflag/x".to_owned(), plain("y"))]);
    let s = SyncSpec {
        prefix: String::new(),
        ..spec(SyncMode::Overwrite)
    };
    assert_eq!(
        SyncPlanner::new(store(), s, &ff).unwrap_err().code,
        Code::NotAllowed
    );
    let s = SyncSpec {
        prefix: ".appconfig.featureflag/".into(),
        ..spec(SyncMode::Overwrite)
    };
    assert_eq!(
        SyncPlanner::new(store(), s, &BTreeMap::new())
            .unwrap_err()
            .code,
        Code::NotAllowed
    );
    let bad = BTreeMap::from([(
        "k".to_owned(),
        DesiredValue::KeyVaultRef {
            uri: "http://kv/secrets/x".into(),
        },
    )]);
    assert_eq!(
        SyncPlanner::new(store(), spec(SyncMode::Overwrite), &bad)
            .unwrap_err()
            .field
            .as_deref(),
        Some("secrets.k")
    );
    let bad = BTreeMap::from([("100%".to_owned(), plain("v"))]);
    assert_eq!(
        SyncPlanner::new(store(), spec(SyncMode::Overwrite), &bad)
            .unwrap_err()
            .code,
        Code::InvalidCharacter
    );
    let p = SyncPlanner::new(store(), spec(SyncMode::Overwrite), &BTreeMap::new()).unwrap();
    assert_eq!(p.plan().unwrap_err().code, Code::NotAllowed);
}

#[test]
fn import_modes() {
    let mut fake = FakeStore::new(100);
    fake.insert("app:both", Some("prod"), "store", false);
    fake.insert("app:only-store", Some("prod"), "s", true);
    let desired = BTreeMap::from([
        ("both".to_owned(), plain("source")),
        ("only-source".to_owned(), plain("x")),
    ]);
    let p = plan_against(&mut fake, &spec(SyncMode::ImportPreferSource), &desired);
    assert_eq!(p.ops.len(), 2);
    assert_eq!(p.imports.keys().collect::<Vec<_>>(), ["only-store"]);
    let p = plan_against(
        &mut fake,
        &spec(SyncMode::ImportPreferDestination),
        &desired,
    );
    assert_eq!(p.ops.len(), 1);
    assert!(matches!(&p.ops[0], SyncOp::Put { key, .. } if key.as_str() == "app:only-source"));
    assert_eq!(p.imports["both"].value, "store");
    assert_eq!(p.imports["only-store"].value, "s");
    let never = SyncSpec {
        delete_missing: false,
        ..spec(SyncMode::Overwrite)
    };
    let p = plan_against(&mut fake, &never, &BTreeMap::new());
    assert!(p.ops.is_empty());
}

#[test]
fn a_failure_after_every_op_converges_on_rerun() {
    let mut base = FakeStore::new(3);
    for i in 0..8 {
        base.insert(
            &format!("app:k{i}"),
            Some("prod"),
            &format!("v{i}"),
            i % 3 != 0,
        );
    }
    let desired: BTreeMap<String, DesiredValue> = (2..11)
        .map(|i| (format!("k{i}"), plain(&format!("w{i}"))))
        .collect();
    let total = plan_against(&mut base.clone(), &spec(SyncMode::Overwrite), &desired)
        .ops
        .len();
    assert!(total > 5);
    for fail_after in 0..total {
        let mut fake = base.clone();
        sync(
            &mut fake,
            &spec(SyncMode::Overwrite),
            &desired,
            Some(fail_after),
        );
        // Someone edits a key between runs: If-Match makes the stale op fail, the rerun fixes it.
        fake.insert("app:k2", Some("prod"), "concurrent edit", true);
        let mut fake2 = fake.clone();
        let stale = plan_against(&mut fake2, &spec(SyncMode::Overwrite), &desired);
        fake.insert("app:k2", Some("prod"), "edited again", true);
        for op in &stale.ops {
            let r = fake.handle(&op.request(&store()).unwrap());
            assert!(r.status < 300 || r.status == 412, "{}", r.status);
        }
        sync(&mut fake, &spec(SyncMode::Overwrite), &desired, None);
        let after = plan_against(&mut fake, &spec(SyncMode::Overwrite), &desired);
        assert!(
            after.ops.is_empty(),
            "fail after {fail_after}: {:?}",
            after.ops
        );
        for i in 2..11 {
            // k3 and k6 exist unmanaged: conflicts, never written.
            let expected = if i == 3 || i == 6 { "v" } else { "w" };
            assert_eq!(
                value_of(&fake, &format!("app:k{i}"), Some("prod")),
                Some(format!("{expected}{i}"))
            );
        }
        assert_eq!(
            after
                .conflicts
                .iter()
                .map(|c| c.key.as_str())
                .collect::<Vec<_>>(),
            ["app:k3", "app:k6"]
        );
        // Unmanaged k0 stays; managed k1 (not desired) is gone.
        assert_eq!(
            value_of(&fake, "app:k0", Some("prod")).as_deref(),
            Some("v0")
        );
        assert_eq!(value_of(&fake, "app:k1", Some("prod")), None);
    }
}

fn arb_store() -> impl Strategy<Value = Vec<(String, Option<String>, String, bool)>> {
    proptest::collection::vec(
        (
            prop_oneof![
                "app:[a-d]",
                "oth:[a-b]",
                "\\.appconfig\\.featureflag/app:[a-b]",
                "app:[:/?#a]{1,2}"
            ],
            prop_oneof![
                Just(None),
                Just(Some("prod".to_owned())),
                Just(Some("dev".to_owned()))
            ],
            "[a-c]{0,2}",
            any::<bool>(),
        ),
        0..20,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn applying_the_plan_yields_exactly_the_desired_managed_keys(
        current in arb_store(),
        desired in proptest::collection::btree_map("[a-e:/?#]{1,2}", "[a-c]{0,2}", 0..8),
        page in 1usize..5,
    ) {
        let mut fake = FakeStore::new(page);
        for (k, l, v, m) in &current {
            fake.insert(k, l.as_deref(), v, *m);
        }
        let before = fake.kvs.clone();
        let desired: BTreeMap<String, DesiredValue> = desired.into_iter().map(|(k, v)| (k, plain(&v))).collect();
        let sp = spec(SyncMode::Overwrite);
        sync(&mut fake, &sp, &desired, None);
        let owned = |kv: &KeyValue| conflict_with(kv, "s1").is_none();
        for (name, v) in &desired {
            let DesiredValue::Plain { value, .. } = v else { unreachable!() };
            let id = (format!("app:{name}"), Some("prod".to_owned()));
            if before.get(&id).is_some_and(|kv| !owned(kv)) {
                // Held by someone else: a conflict, untouched.
                prop_assert_eq!(fake.kvs.get(&id), before.get(&id));
                continue;
            }
            let kv = &fake.kvs[&id];
            prop_assert_eq!(kv.value.as_ref(), Some(value));
            prop_assert!(owned(kv));
        }
        for (id, kv) in &before {
            let in_scope = id.1.as_deref() == Some("prod") && id.0.starts_with("app:");
            let desired_here = in_scope && desired.contains_key(&id.0["app:".len()..]);
            if desired_here {
                continue;
            }
            if in_scope && owned(kv) {
                prop_assert!(!fake.kvs.contains_key(id), "managed {:?} not deleted", id);
            } else {
                prop_assert_eq!(fake.kvs.get(id), Some(kv), "untouched {:?}", id);
            }
        }
        let again = plan_against(&mut fake, &sp, &desired);
        prop_assert!(again.ops.is_empty());
    }

    #[test]
    fn planner_never_panics_on_pages(status in 100u16..600, body in "\\PC{0,200}") {
        let mut p = SyncPlanner::new(store(), spec(SyncMode::Overwrite), &BTreeMap::new()).unwrap();
        let _ = p.on_page(&HttpResponse::new(status, body));
        let _ = p.plan();
    }
}

fn conflicts_of(plan: &Plan) -> Vec<(&str, ConflictReason, Option<&str>)> {
    plan.conflicts
        .iter()
        .map(|c| (c.key.as_str(), c.reason, c.owner.as_deref()))
        .collect()
}

#[test]
fn a_desired_key_held_by_someone_else_is_a_conflict_never_written() {
    let mut fake = FakeStore::new(100);
    fake.insert("app:hand", Some("prod"), "by hand", false);
    fake.insert_tagged(
        "app:legacy",
        Some("prod"),
        "old",
        &[(MANAGED_TAG, MANAGED_VALUE)],
    );
    fake.insert_tagged(
        "app:other",
        Some("prod"),
        "theirs",
        &[(MANAGED_TAG, MANAGED_VALUE), (OWNER_TAG, "s2")],
    );
    // Same value but not ours: still a conflict, not "unchanged".
    fake.insert("app:same", Some("prod"), "v", false);
    let desired: BTreeMap<String, DesiredValue> = ["hand", "legacy", "other", "same", "new"]
        .into_iter()
        .map(|k| (k.to_owned(), plain("v")))
        .collect();
    let plan = plan_against(&mut fake, &spec(SyncMode::Overwrite), &desired);
    assert_eq!(
        conflicts_of(&plan),
        [
            ("app:hand", ConflictReason::Unmanaged, None),
            ("app:legacy", ConflictReason::Unowned, None),
            ("app:other", ConflictReason::OtherSync, Some("s2")),
            ("app:same", ConflictReason::Unmanaged, None),
        ]
    );
    assert!(matches!(&plan.ops[..], [SyncOp::Put { key, .. }] if key.as_str() == "app:new"));
    assert_eq!(plan.kept, 1);
    // Not desired and not ours: never deleted either (the legacy one included).
    let plan = plan_against(&mut fake, &spec(SyncMode::Overwrite), &BTreeMap::new());
    assert!(plan.ops.is_empty() && plan.conflicts.is_empty());
}

#[test]
fn an_adopted_key_is_taken_over_keeping_its_other_tags() {
    let mut fake = FakeStore::new(100);
    fake.insert_tagged("app:hand", Some("prod"), "by hand", &[("team", "pay")]);
    fake.insert_tagged(
        "app:other",
        Some("prod"),
        "theirs",
        &[(MANAGED_TAG, MANAGED_VALUE), (OWNER_TAG, "s2")],
    );
    let desired = BTreeMap::from([
        ("hand".to_owned(), plain("mine")),
        ("other".to_owned(), plain("mine")),
    ]);
    let adopting = SyncSpec {
        adopt: vec!["app:hand".into()],
        ..spec(SyncMode::Overwrite)
    };
    sync(&mut fake, &adopting, &desired, None);
    let hand = &fake.kvs[&("app:hand".to_owned(), Some("prod".to_owned()))];
    assert_eq!(hand.value.as_deref(), Some("mine"));
    assert_eq!(
        hand.tags,
        BTreeMap::from([
            (OWNER_TAG.to_owned(), "s1".to_owned()),
            (MANAGED_TAG.to_owned(), MANAGED_VALUE.to_owned()),
            ("team".to_owned(), "pay".to_owned()),
        ])
    );
    assert_eq!(
        value_of(&fake, "app:other", Some("prod")).as_deref(),
        Some("theirs")
    );
    // Once adopted it is ours: the next run (no adopt) updates it and its deletion needs no one.
    let plan = plan_against(&mut fake, &spec(SyncMode::Overwrite), &desired);
    assert_eq!(
        conflicts_of(&plan),
        [("app:other", ConflictReason::OtherSync, Some("s2"))]
    );
    assert!(plan.ops.is_empty());
    // Adopting a key the run does not write is refused up front.
    let stray = SyncSpec {
        adopt: vec!["app:nothere".into()],
        ..spec(SyncMode::Overwrite)
    };
    let e = SyncPlanner::new(store(), stray, &desired).unwrap_err();
    assert_eq!(
        (e.field.as_deref(), e.code),
        (Some("adopt"), Code::NotAllowed)
    );
    let anonymous = SyncSpec {
        owner: " ".into(),
        ..spec(SyncMode::Overwrite)
    };
    assert_eq!(
        SyncPlanner::new(store(), anonymous, &desired)
            .unwrap_err()
            .field
            .as_deref(),
        Some("owner")
    );
}

#[test]
fn two_overlapping_syncs_on_one_store_stay_apart() {
    let mut fake = FakeStore::new(2);
    let broad = SyncSpec {
        prefix: "app:".into(),
        owner: "s1".into(),
        ..spec(SyncMode::Overwrite)
    };
    let narrow = SyncSpec {
        prefix: "app:db:".into(),
        owner: "s2".into(),
        ..spec(SyncMode::Overwrite)
    };
    sync(
        &mut fake,
        &broad,
        &BTreeMap::from([("a".to_owned(), plain("1"))]),
        None,
    );
    sync(
        &mut fake,
        &narrow,
        &BTreeMap::from([("pw".to_owned(), plain("2"))]),
        None,
    );
    // Each run with its own secrets only: neither deletes the other's key.
    for _ in 0..2 {
        let p1 = sync(
            &mut fake,
            &broad,
            &BTreeMap::from([("a".to_owned(), plain("1"))]),
            None,
        );
        let p2 = sync(
            &mut fake,
            &narrow,
            &BTreeMap::from([("pw".to_owned(), plain("2"))]),
            None,
        );
        assert!(p1.ops.is_empty() && p2.ops.is_empty(), "{p1:?} {p2:?}");
    }
    assert_eq!(value_of(&fake, "app:a", Some("prod")).as_deref(), Some("1"));
    assert_eq!(
        value_of(&fake, "app:db:pw", Some("prod")).as_deref(),
        Some("2")
    );
    // The broad sync wanting the narrow one's key meets a conflict naming its owner.
    let p = sync(
        &mut fake,
        &broad,
        &BTreeMap::from([
            ("a".to_owned(), plain("1")),
            ("db:pw".to_owned(), plain("x")),
        ]),
        None,
    );
    assert_eq!(
        conflicts_of(&p),
        [("app:db:pw", ConflictReason::OtherSync, Some("s2"))]
    );
    assert_eq!(
        value_of(&fake, "app:db:pw", Some("prod")).as_deref(),
        Some("2")
    );
}

#[test]
fn deleting_more_than_it_keeps_needs_the_count_confirmed() {
    let mut fake = FakeStore::new(100);
    for k in ["a", "b", "c"] {
        fake.insert(&format!("app:{k}"), Some("prod"), "v", true);
    }
    let sp = spec(SyncMode::Overwrite);
    // Keeps 2, deletes 1: no confirmation.
    let keep_two = BTreeMap::from([("a".to_owned(), plain("v")), ("b".to_owned(), plain("v"))]);
    let p = plan_against(&mut fake, &sp, &keep_two);
    assert_eq!((p.deletes(), p.kept, p.confirmation_needed()), (1, 2, None));
    p.check_confirmed(None).unwrap();
    // Keeps 1, deletes 2; and `{}` deletes all 3.
    let keep_one = BTreeMap::from([("a".to_owned(), plain("v"))]);
    let p = plan_against(&mut fake, &sp, &keep_one);
    assert_eq!(p.confirmation_needed(), Some(2));
    let e = p.check_confirmed(None).unwrap_err();
    assert_eq!(
        (e.field.as_deref(), e.code),
        (Some("confirmDeletes"), Code::Conflict)
    );
    assert!(
        p.check_confirmed(Some(1)).is_err(),
        "a smaller count does not confirm"
    );
    p.check_confirmed(Some(2)).unwrap();
    let p = plan_against(&mut fake, &sp, &BTreeMap::new());
    assert_eq!(
        (p.deletes(), p.kept, p.confirmation_needed()),
        (3, 0, Some(3))
    );
}

#[test]
fn the_removal_plan_deletes_only_the_syncs_own_keys() {
    let mut fake = FakeStore::new(100);
    fake.insert("app:mine", Some("prod"), "v", true);
    fake.insert("app:hand", Some("prod"), "v", false);
    fake.insert_tagged(
        "app:legacy",
        Some("prod"),
        "v",
        &[(MANAGED_TAG, MANAGED_VALUE)],
    );
    fake.insert_tagged(
        "app:other",
        Some("prod"),
        "v",
        &[(MANAGED_TAG, MANAGED_VALUE), (OWNER_TAG, "s2")],
    );
    fake.insert("app:mine", Some("dev"), "v", true);
    let mut p = SyncPlanner::new(store(), spec(SyncMode::Overwrite), &BTreeMap::new()).unwrap();
    assert_eq!(p.removal_plan().unwrap_err().code, Code::NotAllowed);
    let mut req = Some(p.first_request().unwrap());
    while let Some(r) = req {
        req = p.on_page(&fake.handle(&r)).unwrap();
    }
    let plan = p.removal_plan().unwrap();
    assert!(
        matches!(&plan.ops[..], [SyncOp::Delete { key, condition: Condition::IfMatch(_), .. }] if key.as_str() == "app:mine"),
        "{:?}",
        plan.ops
    );
}

/// The fingerprint of a plan made against the fake store as it is now.
fn fingerprint_against(fake: &mut FakeStore, desired: &BTreeMap<String, DesiredValue>) -> String {
    let mut p = SyncPlanner::new(store(), spec(SyncMode::Overwrite), desired).unwrap();
    let mut req = Some(p.first_request().unwrap());
    for _ in 0..100 {
        let Some(r) = req else { break };
        req = p.on_page(&fake.handle(&r)).unwrap();
    }
    p.fingerprint()
}

#[test]
fn the_fingerprint_changes_with_the_store_never_with_the_request() {
    let mut fake = FakeStore::new(2);
    for (k, v) in [("app:A", "1"), ("app:B", "2"), ("app:C", "3")] {
        fake.insert(k, Some("prod"), v, true);
    }
    let desired: BTreeMap<_, _> =
        [("A".to_owned(), plain("1")), ("B".to_owned(), plain("new"))].into();
    let first = fingerprint_against(&mut fake, &desired);
    assert_eq!(first.len(), 43);
    assert!(crate::base64::decode_url(&first).is_some_and(|b| b.len() == 32));
    assert_eq!(
        fingerprint_against(&mut fake, &desired),
        first,
        "same store"
    );

    // The request is the caller's: other values, other secrets, the same store.
    let other: BTreeMap<_, _> = [("C".to_owned(), plain("other"))].into();
    assert_eq!(fingerprint_against(&mut fake, &other), first);
    assert_eq!(fingerprint_against(&mut fake, &BTreeMap::new()), first);

    // Other labels are not the sync's: their changes do not count.
    fake.insert("app:Z", Some("dev"), "x", false);
    assert_eq!(fingerprint_against(&mut fake, &desired), first);

    // The same value written again gets a new ETag: the store changed.
    let mut changed = fake.clone();
    changed.insert("app:C", Some("prod"), "3", true);
    assert_ne!(fingerprint_against(&mut changed, &desired), first);

    // A key another tool adds under the prefix changes the listing.
    let mut added = fake.clone();
    added.insert("app:D", Some("prod"), "4", false);
    assert_ne!(fingerprint_against(&mut added, &desired), first);
}

#[test]
fn a_key_schema_is_checked_like_infisicals() {
    let ok = KeySchema::parse("team/app:{{secretKey}}/v1.2").expect("schema");
    assert_eq!(
        (ok.prefix.as_str(), ok.suffix.as_str()),
        ("team/app:", "/v1.2")
    );
    assert_eq!(
        KeySchema::text(&ok.prefix, &ok.suffix),
        "team/app:{{secretKey}}/v1.2"
    );
    assert_eq!(
        KeySchema::parse("{{secretKey}}").expect("bare"),
        KeySchema {
            prefix: String::new(),
            suffix: String::new()
        }
    );
    for (bad, code) in [
        ("app/", Code::InvalidFormat),
        ("{{secretkey}}", Code::InvalidFormat),
        ("{{secretKey}}{{secretKey}}", Code::InvalidFormat),
        ("{{environment}}/{{secretKey}}", Code::NotAllowed),
        ("app {{secretKey}}", Code::InvalidCharacter),
        ("app*{{secretKey}}", Code::InvalidCharacter),
        ("{{secretKey}}\n", Code::InvalidCharacter),
        ("é{{secretKey}}", Code::InvalidCharacter),
        ("{secretKey}", Code::InvalidFormat),
        ("", Code::InvalidFormat),
    ] {
        let e = KeySchema::parse(bad).expect_err(bad);
        assert_eq!(
            (e.field.as_deref(), e.code),
            (Some("keySchema"), code),
            "{bad:?}"
        );
    }
    let long = format!("{}{{{{secretKey}}}}", "a".repeat(243));
    assert_eq!(long.len(), 256);
    assert_eq!(
        KeySchema::parse(&long).expect_err("long").code,
        Code::TooLong
    );
    assert!(KeySchema::parse(&long[1..]).is_ok(), "255 characters");
}

#[test]
fn a_suffix_scopes_the_sync_to_the_keys_that_end_with_it() {
    let mut fake = FakeStore::new(2);
    fake.insert("app:A/v1", Some("prod"), "1", true);
    fake.insert("app:B/v1", Some("prod"), "2", true);
    // Same prefix, another suffix, both owned by this sync (written under an older schema).
    fake.insert("app:A/v2", Some("prod"), "old", true);
    fake.insert("app:/v1", Some("prod"), "no name", true);
    let s = SyncSpec {
        suffix: "/v1".into(),
        ..spec(SyncMode::Overwrite)
    };
    let desired: BTreeMap<_, _> =
        [("A".to_owned(), plain("11")), ("C".to_owned(), plain("3"))].into();
    let plan = sync(&mut fake, &s, &desired, None);
    assert_eq!(
        value_of(&fake, "app:A/v1", Some("prod")).as_deref(),
        Some("11")
    );
    assert_eq!(
        value_of(&fake, "app:C/v1", Some("prod")).as_deref(),
        Some("3")
    );
    assert_eq!(
        value_of(&fake, "app:B/v1", Some("prod")),
        None,
        "deleted: its sync's, not desired"
    );
    assert_eq!(
        value_of(&fake, "app:A/v2", Some("prod")).as_deref(),
        Some("old"),
        "outside the schema"
    );
    assert_eq!(
        value_of(&fake, "app:/v1", Some("prod")).as_deref(),
        Some("no name"),
        "no name between"
    );
    assert_eq!(plan.kept, 2);

    // Import modes name what they bring back without the prefix or the suffix.
    let import = SyncSpec {
        suffix: "/v1".into(),
        ..spec(SyncMode::ImportPreferDestination)
    };
    let plan = plan_against(&mut fake, &import, &BTreeMap::new());
    assert_eq!(plan.imports.keys().collect::<Vec<_>>(), ["A", "C"]);
}

/// Lists one key through a [`SyncPlanner::for_key`] planner and returns its put plan.
fn put_plan_against(fake: &mut FakeStore, spec: &SyncSpec, name: &str, value: &str) -> Plan {
    let mut p = SyncPlanner::for_key(store(), spec.clone(), name, &plain(value)).unwrap();
    let first = p.first_request().unwrap();
    let (_, query) = first.url.split_once('?').unwrap();
    let q: BTreeMap<String, String> = parse_query(query).unwrap().into_iter().collect();
    assert_eq!(q["key"], format!("app:{name}"), "lists exactly the one key");
    let mut req = Some(first);
    for _ in 0..100 {
        let Some(r) = req else { break };
        let resp = fake.handle(&r);
        req = p.on_page(&resp).unwrap();
    }
    p.put_plan().unwrap()
}

#[test]
fn a_publish_plans_only_the_put_of_its_one_key_honouring_ownership() {
    let mut fake = FakeStore::new(2);
    fake.insert("app:SECRET", Some("prod"), "old", true);
    fake.insert("app:OTHER", Some("prod"), "kept", true);
    fake.insert_tagged("app:HAND", Some("prod"), "mine", &[]);
    fake.insert_tagged(
        "app:THEIRS",
        Some("prod"),
        "theirs",
        &[(MANAGED_TAG, MANAGED_VALUE), (OWNER_TAG, "s2")],
    );
    // Even a sync that imports preferring the store: the rotation's new value wins on its own key.
    for mode in [SyncMode::Overwrite, SyncMode::ImportPreferDestination] {
        let spec = SyncSpec {
            delete_missing: true,
            ..spec(mode)
        };
        let plan = put_plan_against(&mut fake.clone(), &spec, "SECRET", "new");
        assert_eq!(plan.ops.len(), 1, "{mode:?}: one put, no delete of OTHER");
        let SyncOp::Put {
            key,
            condition,
            write,
            ..
        } = &plan.ops[0]
        else {
            panic!("not a put")
        };
        assert_eq!(key.as_str(), "app:SECRET");
        assert_eq!(condition, &Condition::IfMatch("e1".into()));
        assert_eq!(write.value, "new");
        assert_eq!(write.tags[OWNER_TAG], "s1");
        assert!(plan.imports.is_empty() && plan.conflicts.is_empty());
    }
    let over = spec(SyncMode::Overwrite);
    let plan = put_plan_against(&mut fake.clone(), &over, "SECRET", "new");
    let mut applied = fake.clone();
    applied.handle(&plan.ops[0].request(&store()).unwrap());
    assert_eq!(
        value_of(&applied, "app:SECRET", Some("prod")).as_deref(),
        Some("new")
    );
    assert_eq!(
        value_of(&applied, "app:OTHER", Some("prod")).as_deref(),
        Some("kept")
    );
    // Already in place: nothing to write.
    let again = put_plan_against(&mut applied, &over, "SECRET", "new");
    assert!(again.ops.is_empty());
    assert_eq!(again.kept, 1);
    // Missing: created, never over a key that appears meanwhile.
    let plan = put_plan_against(&mut fake.clone(), &over, "NEW", "v");
    assert!(matches!(
        &plan.ops[..],
        [SyncOp::Put {
            condition: Condition::IfNoneMatchAny,
            ..
        }]
    ));
    // Someone else's key: a conflict, never written (no adoption, not even in import mode).
    for (name, reason, owner) in [
        ("HAND", ConflictReason::Unmanaged, None),
        ("THEIRS", ConflictReason::OtherSync, Some("s2")),
    ] {
        let plan = put_plan_against(
            &mut fake.clone(),
            &spec(SyncMode::ImportPreferSource),
            name,
            "new",
        );
        assert!(plan.ops.is_empty(), "{name}");
        assert_eq!(
            conflicts_of(&plan),
            vec![(format!("app:{name}").as_str(), reason, owner)]
        );
    }
    // Locked: skipped.
    let mut locked = fake.clone();
    locked
        .kvs
        .get_mut(&("app:SECRET".to_owned(), Some("prod".to_owned())))
        .unwrap()
        .locked = Some(true);
    let plan = put_plan_against(&mut locked, &over, "SECRET", "new");
    assert!(plan.ops.is_empty());
    assert_eq!(
        plan.skipped,
        vec![("app:SECRET".to_owned(), SkipReason::Locked)]
    );
    // A put plan needs the listing first.
    let p = SyncPlanner::for_key(store(), over, "SECRET", &plain("x")).unwrap();
    assert_eq!(p.put_plan().unwrap_err().code, Code::NotAllowed);
}
