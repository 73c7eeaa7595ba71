//! The fuzz harnesses of azconn, one per parser family: take bytes, call every parser of the
//! family, assert its invariants. The cargo-fuzz targets in `fuzz/` call these under libFuzzer
//! (nightly); `tests/corpus_replay.rs` feeds them every committed corpus and regression file on
//! stable, so a fixed crash stays fixed in `cargo test --workspace`.
//!
//! Parsers must return a typed error on bad input: a panic, an overflow or a failed invariant
//! here is a bug in `azconn-core`.
//!
//! Input encodings are plain text where the parser reads text, so the seed corpus in
//! `fuzz/corpus/` stays readable and is easy to extend by hand: an HTTP response is
//! `status\nname: value\n...\n\nbody` (see [`response`]); several inputs to one target are
//! separated by NUL bytes.

use arbitrary::Unstructured;
use azconn_core::appconfig::hmac::{self, AccessKey};
use azconn_core::appconfig::{self, AppConfigError, Label, Store, SyncTokens};
use azconn_core::cert::{Credential, CredentialInput};
use azconn_core::cloud::{Cloud, StoreEndpoint};
use azconn_core::datetime;
use azconn_core::form::{self, ConnectionForm};
use azconn_core::graph::{self, Graph, GraphError, Operation};
use azconn_core::http::{
    HttpRequest, HttpResponse, Method, Origin, decode_component, encode_component, parse_query,
};
use azconn_core::ids::{AuthorityTenant, ClientId, ClientSecret, Guid, ObjectId, TenantId};
use azconn_core::oauth::callback::{parse_admin_consent_callback, parse_callback};
use azconn_core::oauth::entra_error::parse_error_response;
use azconn_core::oauth::jwt::decode_unverified_claims;
use azconn_core::oauth::random::State;
use azconn_core::oauth::token::{AccessToken, parse_token_response};
use azconn_core::retry::{self, Decision, Outcome, RetryPolicy, Stop};
use azconn_core::rotation::{Rotation, RotationConfig, Step, VerifyOutcome};
use azconn_core::sync::{DesiredValue, SyncMode, SyncPlanner, SyncSpec};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The fixed clock of the harnesses (2026-01-01T00:00:00Z), inside every seed's validity.
pub const NOW: i64 = 1_767_225_600;
/// The clock of the certificate harnesses (2030-03-17), inside the validity of the test
/// certificates the seeds come from (tests/vectors/cert.json).
pub const CERT_NOW: i64 = 1_900_000_000;
/// The `state` the callback harness expects; seeds that should pass carry it.
pub const STATE: &str = "fuzzstatefuzzstatefuzzstate0123";
/// The App Configuration store the appconfig and sync harnesses talk to.
pub const STORE: &str = "https://fuzz.azconfig.io";

/// A harness: any bytes in; panics only on a bug in the parser it drives.
pub type Harness = fn(&[u8]);

/// Every harness by its cargo-fuzz target name (also the corpus directory name).
pub const TARGETS: &[(&str, Harness)] = &[
    ("form", form),
    ("ids", ids),
    ("query_origin", query_origin),
    ("callback", callback),
    ("token_response", token_response),
    ("entra_error", entra_error),
    ("jwt", jwt),
    ("cert_pem", cert_pem),
    ("cert_der", cert_der),
    ("graph_response", graph_response),
    ("appconfig_response", appconfig_response),
    ("retry", retry),
    ("hmac_connection_string", hmac_connection_string),
    ("datetime", datetime),
    ("sync_planner", sync_planner),
    ("rotation", rotation),
    ("abi_call", abi_call),
];

/// Bytes as text the way a host hands text over: invalid UTF-8 replaced, never rejected, so
/// every input reaches the parser.
fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// Splits `data` at NUL bytes into at most `n` parts (the last one keeps any further NULs).
fn parts(data: &[u8], n: usize) -> Vec<String> {
    data.splitn(n, |b| *b == 0).map(text).collect()
}

/// An HTTP response from `status\nname: value\n...\n\nbody`. Input without a leading status
/// line is a 200 with the whole input as body, so raw JSON seeds work too.
pub fn response(data: &[u8]) -> HttpResponse {
    let s = text(data);
    let Some((first, rest)) = s.split_once('\n') else {
        return HttpResponse::new(200, s);
    };
    let Ok(status) = first.trim().parse::<u16>() else {
        return HttpResponse::new(200, s);
    };
    let (head, body) = rest.split_once("\n\n").unwrap_or((rest, ""));
    let mut resp = HttpResponse::new(status, body);
    for line in head.lines().filter(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':').unwrap_or((line, ""));
        resp = resp.with_header(name.trim(), value.trim());
    }
    resp
}

/// Connection forms: the form JSON as the UI posts it, through `form::validate`.
pub fn form(data: &[u8]) {
    let Ok(form) = serde_json::from_slice::<ConnectionForm>(data) else {
        return;
    };
    if let Err(errors) = form::validate(&form) {
        assert!(
            !errors.is_empty(),
            "a rejected form names at least one error"
        );
    }
}

/// Tenant and client ids, secrets and GUIDs: anything that parses displays as text that
/// parses to the same value.
pub fn ids(data: &[u8]) {
    let s = text(data);
    if let Ok(t) = TenantId::parse(&s) {
        assert_eq!(TenantId::parse(&t.to_string()).ok(), Some(t));
    }
    if let Ok(t) = AuthorityTenant::parse(&s) {
        assert_eq!(AuthorityTenant::parse(&t.to_string()).ok(), Some(t));
    }
    if let Ok(c) = ClientId::parse(&s) {
        assert_eq!(ClientId::parse(&c.to_string()).ok(), Some(c));
    }
    if let Ok(o) = ObjectId::parse(&s) {
        assert_eq!(ObjectId::parse(&o.to_string()).ok(), Some(o));
    }
    if let Some(g) = Guid::parse(&s) {
        assert_eq!(Guid::parse(&g.to_string()), Some(g));
    }
    let _ = ClientSecret::parse(&s);
}

/// Query strings, percent-decoding and origins: an origin displays as text that parses to
/// itself, and encoding then decoding any text is the identity.
pub fn query_origin(data: &[u8]) {
    let s = text(data);
    let _ = parse_query(&s);
    let _ = decode_component(&s);
    assert_eq!(
        decode_component(&encode_component(&s)).ok(),
        Some(s.clone())
    );
    if let Ok(origin) = Origin::parse(&s) {
        let again = Origin::parse(&origin.to_string());
        assert_eq!(again.as_ref().ok(), Some(&origin), "{origin} re-parses");
        let _ = origin.require_secure();
        let _ = origin.authority();
    }
    for cloud in [Cloud::Global, Cloud::China] {
        if let Ok(endpoint) = StoreEndpoint::parse(&s, cloud.endpoints()) {
            assert!(
                cloud
                    .endpoints()
                    .is_app_configuration_store(endpoint.origin())
            );
        }
    }
}

/// The authorize and admin-consent callback queries, against [`STATE`].
pub fn callback(data: &[u8]) {
    let s = text(data);
    let Ok(state) = State::parse(STATE) else {
        panic!("the harness state is valid");
    };
    let _ = parse_callback(&s, &state);
    let _ = parse_admin_consent_callback(&s, &state);
}

/// Token-endpoint responses: a parsed token never expires before it was received.
pub fn token_response(data: &[u8]) {
    let resp = response(data);
    let now = NOW as u64;
    if let Ok(token) = parse_token_response(&resp, now) {
        assert!(token.expires_at >= now, "expires_at is not before now");
        assert_eq!(token.expires_at, now.saturating_add(token.expires_in));
    }
}

/// Entra error responses: every parsed error classifies and converts to a boundary error.
pub fn entra_error(data: &[u8]) {
    if let Ok(e) = parse_error_response(&response(data)) {
        let _ = (e.class(), e.hint(), e.field());
        let _ = e.clone().into_authorize_error();
        let _ = e.into_error();
    }
}

/// JWT claims decoding (no verification).
pub fn jwt(data: &[u8]) {
    let _ = decode_unverified_claims(&text(data));
}

/// Pasted PEM text: `certificate NUL privateKey NUL passphrase`.
pub fn cert_pem(data: &[u8]) {
    let mut fields = parts(data, 3).into_iter();
    let input = CredentialInput {
        certificate: fields.next(),
        private_key: fields.next(),
        private_key_passphrase: fields.next(),
        ..CredentialInput::default()
    };
    load(&input);
}

/// Binary DER / PKCS#12 as uploaded (base64 of the bytes): the bytes as a PFX with an empty
/// password, and as a DER certificate and a DER key (PKCS#8 / PKCS#1) in the text fields.
pub fn cert_der(data: &[u8]) {
    let b64 = azconn_core::base64::encode_url(data);
    load(&CredentialInput {
        pfx: Some(b64.clone()),
        pfx_password: Some(String::new()),
        ..CredentialInput::default()
    });
    load(&CredentialInput {
        certificate: Some(b64.clone()),
        private_key: Some(b64),
        ..CredentialInput::default()
    });
}

fn load(input: &CredentialInput) {
    if let Ok(c) = Credential::load(input, CERT_NOW) {
        assert!(c.key_bits() >= azconn_core::cert::MIN_RSA_BITS);
        assert_eq!(c.chain_der().first().map(Vec::as_slice), Some(c.leaf_der()));
    }
}

/// Graph responses through every Graph parser; errors convert for every operation.
pub fn graph_response(data: &[u8]) {
    let resp = response(data);
    let g = Graph::new(Cloud::Global.endpoints());
    if let Ok(page) = g.parse_application_page(&resp)
        && let Some(link) = page.next_link
    {
        let token = access_token();
        if let Ok(req) = g.next_page(&token, &link) {
            assert!(
                req.url.starts_with("https://graph.microsoft.com/"),
                "{}",
                req.url
            );
        }
    }
    let _ = graph::parse_application(&resp);
    let _ = graph::parse_added_password(&resp);
    let _ = graph::parse_removed_password(&resp);
    let _ = graph::parse_owners(&resp);
    let _ = graph::parse_me(&resp);
    let _ = graph::parse_organization(&resp);
    let e = GraphError::parse(&resp);
    let _ = e.is_retryable();
    for op in [
        Operation::ReadApplications,
        Operation::WriteCredentials,
        Operation::ReadMe,
        Operation::ReadOrganization,
    ] {
        let _ = e.to_error(op);
    }
}

fn access_token() -> AccessToken {
    let Ok(token) = AccessToken::parse("eyJ0eXAiOiJKV1QifQ.e30.fuzz") else {
        panic!("the harness token is valid");
    };
    token
}

fn store() -> Store {
    let Ok(endpoint) = StoreEndpoint::parse(STORE, Cloud::Global.endpoints()) else {
        panic!("the harness store is valid");
    };
    Store::new(&endpoint)
}

/// App Configuration responses and headers (`Link`, `Sync-Token`, `Retry-After`): a next
/// link never leaves the store's origin (it would carry the store's credentials there).
pub fn appconfig_response(data: &[u8]) {
    let resp = response(data);
    let store = store();
    if let Ok(page) = store.parse_list(&resp)
        && let Some(link) = page.next_link
    {
        let req = store.next_page(&link);
        if let Ok(req) = req {
            assert!(req.url.starts_with(&format!("{STORE}/")), "{}", req.url);
        }
    }
    let _ = appconfig::parse_get(&resp);
    let _ = appconfig::parse_put(&resp);
    let _ = appconfig::parse_delete(&resp);
    let _ = AppConfigError::parse(&resp).to_error();
    let mut tokens = SyncTokens::default();
    tokens.observe(&resp);
    tokens.observe(&resp);
    if let Some(header) = tokens.header_value() {
        let echoed = HttpResponse::new(200, "").with_header("sync-token", header.clone());
        let mut again = SyncTokens::default();
        again.observe(&echoed);
        let _ = again.header_value();
    }
    let _ = retry::server_delay_ms(&resp, NOW);
}

/// The retry decision: policy, attempt, elapsed time, clock and jitter from the first bytes
/// (`arbitrary`), the response from the rest. A retry never overruns the budget or the
/// attempt limit.
pub fn retry(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let num = |u: &mut Unstructured<'_>| u.arbitrary::<u64>().unwrap_or(0);
    let policy = RetryPolicy {
        max_attempts: (num(&mut u) % 16) as u32,
        base_delay_ms: num(&mut u),
        max_delay_ms: num(&mut u),
        budget_ms: num(&mut u),
    };
    let attempt = (num(&mut u) % 32) as u32;
    let elapsed_ms = num(&mut u);
    let now = num(&mut u) as i64;
    let entropy = num(&mut u) as u32;
    let timeout = num(&mut u) % 8 == 0;
    let resp = response(u.take_rest());
    let outcome = if timeout {
        Outcome::Timeout
    } else {
        Outcome::Response(&resp)
    };
    match policy.decide(attempt, elapsed_ms, outcome, now, entropy) {
        Decision::Retry { after_ms } => {
            assert!(attempt < policy.max_attempts);
            assert!(elapsed_ms.saturating_add(after_ms) <= policy.budget_ms);
        }
        Decision::Stop(Stop::Success) => assert!(!timeout && resp.status < 400),
        Decision::Stop(_) => {}
    }
    let _ = retry::is_retryable(&resp);
    let _ = retry::server_delay_ms(&resp, now);
}

/// App Configuration connection strings: a parsed key signs requests, and never shows its
/// secret in `Debug`.
pub fn hmac_connection_string(data: &[u8]) {
    let s = text(data);
    for cloud in [Cloud::Global, Cloud::UsGovernment] {
        let Ok(key) = AccessKey::parse_connection_string(&s, &cloud) else {
            continue;
        };
        let debug = format!("{key:?}");
        if let Some(secret) = s.split(';').find_map(|p| p.trim().strip_prefix("Secret=")) {
            // The id and endpoint are shown; a secret that is part of them shows with them.
            let public = format!("{} {}", key.id(), key.endpoint());
            assert!(
                secret.len() < 8 || public.contains(secret) || !debug.contains(secret),
                "{debug}"
            );
        }
        let store = Store::for_access_key(&key);
        let req = HttpRequest::new(
            Method::Get,
            format!("{}/kv?api-version=1.0", key.endpoint()),
        );
        assert!(hmac::sign(req, &key, NOW).is_ok());
        let _ = store.origin();
    }
}

/// RFC 3339 and HTTP dates: a parsed date formats to text that parses to the same instant.
pub fn datetime(data: &[u8]) {
    let s = text(data);
    if let Some(t) = datetime::parse_rfc3339(&s) {
        assert_eq!(
            datetime::parse_rfc3339(&datetime::format_rfc3339(t)),
            Some(t)
        );
    }
    if let Some(t) = datetime::parse_http_date(&s) {
        assert_eq!(
            datetime::parse_http_date(&datetime::format_http_date(t)),
            Some(t)
        );
    }
}

/// The sync planner fed up to four list pages (NUL-separated responses), then planned.
pub fn sync_planner(data: &[u8]) {
    let spec = SyncSpec {
        prefix: "app:".to_owned(),
        suffix: "/v1".to_owned(),
        label: Label::Named("prod".to_owned()),
        mode: SyncMode::Overwrite,
        delete_missing: true,
        owner: "sync-1".to_owned(),
        adopt: Vec::new(),
    };
    let desired = BTreeMap::from([(
        "db".to_owned(),
        DesiredValue::Plain {
            value: "v".to_owned(),
            content_type: None,
        },
    )]);
    let Ok(mut planner) = SyncPlanner::new(store(), spec, &desired) else {
        panic!("the harness sync spec is valid");
    };
    for page in data.splitn(4, |b| *b == 0) {
        match planner.on_page(&response(page)) {
            Ok(Some(req)) => assert!(req.url.starts_with(&format!("{STORE}/")), "{}", req.url),
            Ok(None) => {
                let _ = planner.plan();
                return;
            }
            Err(_) => return,
        }
    }
}

/// The rotation machine fed up to six Graph responses (NUL-separated) for its steps.
pub fn rotation(data: &[u8]) {
    let config = json!({
        "connectionId": "conn-1",
        "rotationId": "00000000-0000-4000-8000-000000000000",
        "app": {"objectId": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"},
        "lifetimeSecs": 90 * 86_400,
    });
    let Ok(config) = serde_json::from_value::<RotationConfig>(config) else {
        panic!("the harness rotation config is valid");
    };
    let Ok(mut rotation) = Rotation::start(config) else {
        panic!("the harness rotation config passes its guards");
    };
    let graph = Graph::new(Cloud::Global.endpoints());
    let token = access_token();
    for resp in data.splitn(6, |b| *b == 0) {
        match rotation.next(&graph, &token, NOW) {
            Step::Send { .. } => {
                let _ = rotation.on_response(&response(resp), NOW);
            }
            Step::VerifyNewSecret { .. } => {
                let _ = rotation.on_verified(&VerifyOutcome::Ok, NOW);
            }
            Step::Publish { .. } => {
                let _ = rotation.on_published();
            }
            Step::Wait { .. } | Step::Done { .. } | Step::Failed { .. } => return,
        }
    }
}

/// The abi module's entry point: `op NUL json`. The output is always `{"ok": ..}` or
/// `{"error": {"code": ..}}` JSON.
pub fn abi_call(data: &[u8]) {
    let (op, input) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b""[..]),
    };
    let out = azconn_abi::call_json(op, input);
    let Ok(value) = serde_json::from_str::<Value>(&out) else {
        panic!("call_json returned non-JSON: {out}");
    };
    let ok = value.get("ok").is_some();
    let error = value
        .pointer("/error/code")
        .and_then(Value::as_str)
        .is_some();
    assert!(ok != error, "{out}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_reads_status_headers_and_body() {
        let r = response(b"429\nRetry-After: 7\nsync-token: a=b;sn=1\n\n{\"x\":\n\n1}");
        assert_eq!(r.status, 429);
        assert_eq!(
            r.headers,
            vec![
                ("retry-after".to_owned(), "7".to_owned()),
                ("sync-token".to_owned(), "a=b;sn=1".to_owned()),
            ]
        );
        assert_eq!(r.body, "{\"x\":\n\n1}");
    }

    #[test]
    fn response_without_a_status_line_is_a_200_body() {
        assert_eq!(response(b"{\"a\":1}"), HttpResponse::new(200, "{\"a\":1}"));
        assert_eq!(response(b"OK\n\nx"), HttpResponse::new(200, "OK\n\nx"));
        assert_eq!(response(b"204\n"), HttpResponse::new(204, ""));
    }

    #[test]
    fn parts_split_at_nul_and_keep_the_rest() {
        assert_eq!(parts(b"a\0b\0c\0d", 3), vec!["a", "b", "c\0d"]);
        assert_eq!(parts(b"\xff", 3), vec!["\u{fffd}"]);
    }
}
