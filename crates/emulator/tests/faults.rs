//! Fault injection and the request log, over real HTTP.

mod common;

use common::*;
use serde_json::json;

#[test]
fn counted_faults_per_service_then_normal_service() {
    let (emu, _) = Emu::standard();
    let add = |spec: serde_json::Value| {
        let r = admin(&emu, "POST", "/faults", &spec.to_string());
        assert_eq!(r.status, 201, "{}", r.text());
        r.json()["id"].as_u64().expect("id")
    };
    add(
        json!({"service": "store:main", "method": "GET", "pathPrefix": "/kv", "action": {"kind": "status", "status": 429, "retryAfterMs": 250}, "count": 2}),
    );
    for _ in 0..2 {
        let r = kv(&emu, "GET", "/kv/Frozen?api-version=2023-11-01", b"", &[]);
        assert_eq!(r.status, 429);
        assert_eq!(r.header("retry-after-ms"), Some("250"));
        assert_eq!(
            r.json()["type"],
            "https://azconfig.io/errors/too-many-requests"
        );
        assert_eq!(r.json()["policy"], "Total Requests");
    }
    assert_eq!(
        kv(&emu, "GET", "/kv/Frozen?api-version=2023-11-01", b"", &[]).status,
        200
    );

    add(
        json!({"service": "graph", "action": {"kind": "status", "status": 503, "retryAfterSeconds": 3}, "count": 1}),
    );
    let token = app_token(&emu, READER_APP, "https://graph.microsoft.com/.default");
    let auth = format!("Bearer {token}");
    let r = send(
        &emu.entra(),
        "GET",
        "/v1.0/applications",
        &[("Authorization", &auth)],
        b"",
    );
    assert_eq!(r.status, 503);
    assert_eq!(r.header("retry-after"), Some("3"));
    assert_eq!(r.json()["error"]["code"], "ServiceNotAvailable");

    add(json!({"service": "entra", "action": {"kind": "status", "status": 429}, "count": 1}));
    let r = token_request(&emu, TENANT, &[("client_id", APP)], &[]);
    entra_error(&r, 429, "temporarily_unavailable", 90055);
    assert_eq!(r.header("retry-after"), Some("1"));

    add(json!({"service": "graph", "action": {"kind": "drop"}, "count": 1}));
    assert!(
        try_send(
            &emu.entra(),
            "GET",
            "/v1.0/applications",
            &[("Authorization", &auth)],
            b""
        )
        .is_none()
    );

    add(json!({"service": "graph", "action": {"kind": "malformedJson"}, "count": 1}));
    let r = send(
        &emu.entra(),
        "GET",
        "/v1.0/applications",
        &[("Authorization", &auth)],
        b"",
    );
    assert_eq!(r.status, 200);
    assert!(serde_json::from_slice::<serde_json::Value>(&r.body).is_err());

    add(json!({"service": "graph", "action": {"kind": "wrongContentType"}, "count": 1}));
    let r = send(
        &emu.entra(),
        "GET",
        "/v1.0/applications",
        &[("Authorization", &auth)],
        b"",
    );
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));

    add(json!({"service": "graph", "action": {"kind": "delay", "ms": 10}, "count": 1}));
    assert_eq!(
        send(
            &emu.entra(),
            "GET",
            "/v1.0/applications",
            &[("Authorization", &auth)],
            b""
        )
        .status,
        200
    );
    assert_eq!(
        admin(&emu, "GET", "/faults", "").json()["faults"],
        json!([])
    );

    let id = add(json!({"service": "*", "action": {"kind": "status", "status": 500}}));
    assert_eq!(
        send(
            &emu.entra(),
            "GET",
            "/v1.0/applications",
            &[("Authorization", &auth)],
            b""
        )
        .status,
        500
    );
    assert_eq!(
        admin(&emu, "DELETE", &format!("/faults/{id}"), "").status,
        204
    );
    assert_eq!(
        admin(&emu, "DELETE", &format!("/faults/{id}"), "").status,
        404
    );

    for bad in [
        json!({"service": "nope", "action": {"kind": "drop"}}),
        json!({"service": "graph", "action": {"kind": "status", "status": 200}}),
        json!({"service": "graph", "action": {"kind": "drop"}, "fraction": 2.0}),
    ] {
        assert_eq!(admin(&emu, "POST", "/faults", &bad.to_string()).status, 400);
    }
}

/// With the same seed, a fractional fault hits the same requests.
#[test]
fn fractional_faults_are_reproducible() {
    let (emu, _) = Emu::standard();
    let pattern = || {
        admin(&emu, "PUT", "/settings", "{\"faultSeed\":42}");
        admin(&emu, "POST", "/faults", &json!({"service": "store:main", "action": {"kind": "status", "status": 503}, "fraction": 0.5}).to_string());
        let p: Vec<u16> = (0..16)
            .map(|_| kv(&emu, "GET", "/kv/Frozen?api-version=2023-11-01", b"", &[]).status)
            .collect();
        admin(&emu, "DELETE", "/faults", "");
        p
    };
    let first = pattern();
    assert!(first.contains(&503) && first.contains(&200), "{first:?}");
    assert_eq!(first, pattern());
}

#[test]
fn request_log_redacts_secrets() {
    let (emu, _) = Emu::standard();
    let token = app_token(&emu, APP, "https://graph.microsoft.com/.default");
    let auth = format!("Bearer {token}");
    send(
        &emu.entra(),
        "GET",
        "/v1.0/applications?$top=1",
        &[("Authorization", &auth)],
        b"",
    );
    send(
        &emu.entra(),
        "GET",
        &format!("/{TENANT}/oauth2/v2.0/authorize?code=secretcode&client_id=x"),
        &[],
        b"",
    );
    kv(&emu, "GET", "/kv/Frozen?api-version=2023-11-01", b"", &[]);
    let log = admin(&emu, "GET", "/requests", "").json();
    let text = log.to_string();
    assert!(
        !text.contains(&token) && !text.contains(SECRET) && !text.contains("secretcode"),
        "{text}"
    );
    let entries = log["requests"].as_array().expect("requests");
    let graph = entries
        .iter()
        .find(|e| e["service"] == "graph")
        .expect("graph entry");
    assert_eq!(graph["method"], "GET");
    assert_eq!(graph["path"], "/v1.0/applications");
    assert_eq!(graph["status"], 200);
    assert_eq!(graph["headers"]["authorization"], "Bearer [redacted]");
    let store = entries
        .iter()
        .find(|e| e["service"] == "store:main")
        .expect("store entry");
    assert_eq!(store["headers"]["authorization"], "HMAC-SHA256 [redacted]");
    assert!(store["headers"]["x-ms-date"].is_string());
    assert_eq!(admin(&emu, "DELETE", "/requests", "").status, 204);
    assert_eq!(
        admin(&emu, "GET", "/requests", "").json()["requests"],
        json!([])
    );
}

#[test]
fn drop_response_applies_the_request_then_loses_the_answer() {
    let (emu, _) = Emu::standard();
    let owner = app_token(&emu, APP, "https://graph.microsoft.com/.default");
    let auth = format!("Bearer {owner}");
    let secrets = || {
        admin(&emu, "GET", &format!("/applications/{TARGET_APP}"), "").json()["passwordCredentials"]
            .as_array()
            .expect("passwordCredentials")
            .len()
    };
    let before = secrets();
    let r = admin(
        &emu,
        "POST",
        "/faults",
        &json!({"service": "graph", "method": "POST", "action": {"kind": "dropResponse"}, "count": 1})
            .to_string(),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let body = br#"{"passwordCredential":{"displayName":"lost answer"}}"#;
    let path = format!("/v1.0/applications/{TARGET_OBJECT}/addPassword");
    let headers = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/json"),
    ];
    assert!(try_send(&emu.entra(), "POST", &path, &headers, body).is_none());
    assert_eq!(secrets(), before + 1, "the secret was created");
    let log = admin(&emu, "GET", "/requests", "").json();
    let last = log["requests"]
        .as_array()
        .and_then(|r| r.last())
        .expect("a logged request")
        .clone();
    assert_eq!(last["fault"], "dropResponse");
    assert_eq!(last["status"], 200);
    assert_eq!(
        admin(&emu, "GET", "/faults", "").json()["faults"],
        json!([])
    );
}
