//! Microsoft Graph over real HTTP: listing, paging, get, addPassword/removePassword, permissions,
//! the replication delay, Graph's error shape.

mod common;

use common::*;
use serde_json::Value;

fn graph_error(r: &Resp, status: u16, code: &str) -> Value {
    assert_eq!(r.status, status, "{}", r.text());
    let v = r.json();
    assert_eq!(v["error"]["code"], code, "{v}");
    assert!(v["error"]["message"].is_string());
    assert!(v["error"]["innerError"]["request-id"].is_string());
    assert!(v["error"]["innerError"]["date"].is_string());
    v
}

fn get(emu: &Emu, token: &str, target: &str) -> Resp {
    let auth = format!("Bearer {token}");
    send(
        &emu.entra(),
        "GET",
        target,
        &[("Authorization", &auth)],
        b"",
    )
}

fn post(emu: &Emu, token: &str, target: &str, body: &str) -> Resp {
    let auth = format!("Bearer {token}");
    send(
        &emu.entra(),
        "POST",
        target,
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        body.as_bytes(),
    )
}

#[test]
fn list_filter_select_and_paging() {
    let (emu, _) = Emu::standard();
    let reader = app_token(&emu, READER_APP, "https://graph.microsoft.com/.default");
    let page1 = get(&emu, &reader, "/v1.0/applications?$select=id,appId&$top=2");
    assert_eq!(page1.status, 200, "{}", page1.text());
    let v1 = page1.json();
    assert_eq!(v1["value"].as_array().expect("value").len(), 2);
    assert_eq!(
        v1["value"][0]
            .as_object()
            .expect("obj")
            .keys()
            .collect::<Vec<_>>(),
        vec!["appId", "id"]
    );
    let next = v1["@odata.nextLink"].as_str().expect("nextLink");
    let target = next.strip_prefix(&emu.entra()).expect("same origin");
    let v2 = get(&emu, &reader, target).json();
    assert_eq!(v2["value"].as_array().expect("value").len(), 1);
    assert!(v2.get("@odata.nextLink").is_none());

    let filtered = get(
        &emu,
        &reader,
        &format!(
            "/v1.0/applications?$filter={}",
            enc(&format!("appId eq '{TARGET_APP}'"))
        ),
    )
    .json();
    assert_eq!(filtered["value"].as_array().expect("value").len(), 1);
    assert_eq!(filtered["value"][0]["id"], TARGET_OBJECT);
    graph_error(
        &get(
            &emu,
            &reader,
            &format!(
                "/v1.0/applications?$filter={}",
                enc("startswith(displayName,'a')")
            ),
        ),
        400,
        "Request_UnsupportedQuery",
    );
    graph_error(
        &get(&emu, &reader, "/v1.0/applications?$top=1000"),
        400,
        "Request_BadRequest",
    );
    graph_error(
        &get(&emu, &reader, "/v1.0/applications?$select=nope"),
        400,
        "Request_BadRequest",
    );

    let by_id = get(
        &emu,
        &reader,
        &format!("/v1.0/applications/{TARGET_OBJECT}"),
    )
    .json();
    assert_eq!(by_id["appId"], TARGET_APP);
    let by_app_id = get(
        &emu,
        &reader,
        &format!("/v1.0/applications(appId='{TARGET_APP}')?$select=id"),
    )
    .json();
    assert_eq!(by_app_id.as_object().expect("obj").len(), 1);
    assert_eq!(by_app_id["id"], TARGET_OBJECT);
    graph_error(
        &get(
            &emu,
            &reader,
            "/v1.0/applications/00000000-0000-4000-8000-000000000000",
        ),
        404,
        "Request_ResourceNotFound",
    );

    let org = get(&emu, &reader, "/v1.0/organization").json();
    assert_eq!(org["value"][0]["id"], TENANT);
    assert_eq!(
        org["value"][0]["verifiedDomains"][0]["name"],
        "fidelity.onmicrosoft.com"
    );
    assert_eq!(org["value"][0]["verifiedDomains"][0]["isDefault"], true);
    graph_error(&get(&emu, &reader, "/v1.0/me"), 400, "BadRequest");
}

#[test]
fn bearer_checks() {
    let (emu, _) = Emu::standard();
    graph_error(
        &send(&emu.entra(), "GET", "/v1.0/applications", &[], b""),
        401,
        "InvalidAuthenticationToken",
    );
    let wrong_aud = app_token(&emu, APP, "https://azconfig.io/.default");
    let v = graph_error(
        &get(&emu, &wrong_aud, "/v1.0/applications"),
        401,
        "InvalidAuthenticationToken",
    );
    assert_eq!(
        v["error"]["message"],
        "Access token validation failure. Invalid audience."
    );
    let token = app_token(&emu, APP, "https://graph.microsoft.com/.default");
    let mut tampered = token.clone();
    tampered.replace_range(tampered.len() - 4.., "AAAA");
    graph_error(
        &get(&emu, &tampered, "/v1.0/applications"),
        401,
        "InvalidAuthenticationToken",
    );
    admin(&emu, "POST", "/clock", "{\"advanceSeconds\":3600}");
    let v = graph_error(
        &get(&emu, &token, "/v1.0/applications"),
        401,
        "InvalidAuthenticationToken",
    );
    assert_eq!(
        v["error"]["message"],
        "Lifetime validation failed, the token is expired."
    );
}

#[test]
fn owned_by_rotation_with_replication_delay() {
    let (emu, _) = Emu::standard();
    admin(
        &emu,
        "PUT",
        "/settings",
        "{\"secretPropagationSeconds\":30}",
    );
    let owner = app_token(&emu, APP, "https://graph.microsoft.com/.default");
    // OwnedBy sees only the applications its service principal owns.
    let listed = get(&emu, &owner, "/v1.0/applications").json();
    assert_eq!(listed["value"].as_array().expect("value").len(), 1);
    assert_eq!(listed["value"][0]["appId"], TARGET_APP);

    let added = post(
        &emu,
        &owner,
        &format!("/v1.0/applications/{TARGET_OBJECT}/addPassword"),
        r#"{"passwordCredential":{"displayName":"rotated","endDateTime":"2099-01-01T00:00:00Z","startDateTime":"2020-01-01T00:00:00Z"}}"#,
    );
    graph_error(&added, 400, "CredentialInvalidLifetimeAsPerAppPolicy");
    assert_eq!(
        added.json()["error"]["details"][0]["code"],
        "InvalidKeyEndDate"
    );
    let added = post(
        &emu,
        &owner,
        &format!("/v1.0/applications(appId='{TARGET_APP}')/addPassword"),
        r#"{"passwordCredential":{"displayName":"rotated"}}"#,
    );
    assert_eq!(added.status, 200, "{}", added.text());
    let pc = added.json();
    let secret = pc["secretText"].as_str().expect("secretText").to_string();
    assert_eq!(secret.len(), 40);
    assert_eq!(pc["hint"], &secret[..3]);
    assert_eq!(pc["displayName"], "rotated");
    let key_id = pc["keyId"].as_str().expect("keyId").to_string();

    // Real Entra refuses a brand-new secret for a while (replication delay).
    let use_secret = || {
        token_request(
            &emu,
            TENANT,
            &[
                ("client_id", TARGET_APP),
                ("grant_type", "client_credentials"),
                ("client_secret", &secret),
                ("scope", "https://graph.microsoft.com/.default"),
            ],
            &[],
        )
    };
    entra_error(&use_secret(), 401, "invalid_client", 7000215);
    let state = admin(&emu, "GET", &format!("/applications/{TARGET_APP}"), "").json();
    assert_eq!(
        state["passwordCredentials"][0]["usableAtTokenEndpoint"],
        false
    );
    assert!(
        !state.to_string().contains(&secret),
        "admin state must not reveal secrets"
    );
    admin(&emu, "POST", "/clock", "{\"advanceSeconds\":31}");
    let owner = app_token(&emu, APP, "https://graph.microsoft.com/.default");
    assert_eq!(use_secret().status, 200);

    let listed = get(
        &emu,
        &owner,
        &format!("/v1.0/applications/{TARGET_OBJECT}?$select=passwordCredentials"),
    )
    .json();
    assert_eq!(listed["passwordCredentials"][0]["secretText"], Value::Null);
    graph_error(
        &post(
            &emu,
            &owner,
            &format!("/v1.0/applications/{UNOWNED_OBJECT}/addPassword"),
            "{}",
        ),
        403,
        "Authorization_RequestDenied",
    );
    let reader = app_token(&emu, READER_APP, "https://graph.microsoft.com/.default");
    graph_error(
        &post(
            &emu,
            &reader,
            &format!("/v1.0/applications/{TARGET_OBJECT}/addPassword"),
            "{}",
        ),
        403,
        "Authorization_RequestDenied",
    );

    let removed = post(
        &emu,
        &owner,
        &format!("/v1.0/applications/{TARGET_OBJECT}/removePassword"),
        &format!("{{\"keyId\":\"{key_id}\"}}"),
    );
    assert_eq!(removed.status, 204, "{}", removed.text());
    graph_error(
        &post(
            &emu,
            &owner,
            &format!("/v1.0/applications/{TARGET_OBJECT}/removePassword"),
            &format!("{{\"keyId\":\"{key_id}\"}}"),
        ),
        400,
        "Request_BadRequest",
    );
    graph_error(
        &post(
            &emu,
            &owner,
            &format!("/v1.0/applications/{TARGET_OBJECT}/addPassword"),
            "{not json",
        ),
        400,
        "BadRequest",
    );
    entra_error(&use_secret(), 401, "invalid_client", 7000215);
}

/// A store key-value holding a client secret when it is removed, or a removed secret written
/// into a store, is an exposure (what a zero-downtime rotation never causes); no value shown.
#[test]
fn exposures_record_a_store_holding_a_revoked_secret() {
    let (emu, _) = Emu::standard();
    let owner = app_token(&emu, APP, "https://graph.microsoft.com/.default");
    let add = || {
        let pc = post(
            &emu,
            &owner,
            &format!("/v1.0/applications/{TARGET_OBJECT}/addPassword"),
            r#"{"passwordCredential":{"displayName":"rotated"}}"#,
        )
        .json();
        (
            pc["secretText"].as_str().expect("secret").to_owned(),
            pc["keyId"].as_str().expect("keyId").to_owned(),
        )
    };
    let remove = |key_id: &str| {
        let r = post(
            &emu,
            &owner,
            &format!("/v1.0/applications/{TARGET_OBJECT}/removePassword"),
            &format!("{{\"keyId\":\"{key_id}\"}}"),
        );
        assert_eq!(r.status, 204, "{}", r.text());
    };
    let store = app_token(&emu, APP, "https://azconfig.io/.default");
    let put = |key: &str, value: &str| {
        let auth = format!("Bearer {store}");
        let r = send(
            &emu.store(),
            "PUT",
            &format!("/kv/{key}?api-version=2023-11-01"),
            &[
                ("Authorization", &auth),
                (
                    "Content-Type",
                    "application/vnd.microsoft.appconfig.kv+json",
                ),
            ],
            format!("{{\"value\":\"{value}\"}}").as_bytes(),
        );
        assert_eq!(r.status, 200, "{}", r.text());
    };
    let exposures = || admin(&emu, "GET", "/exposures", "").json();
    let (held, held_id) = add();
    let (fresh, _) = add();
    put("Held", &held);
    put("Fresh", &fresh);
    assert_eq!(exposures()["exposures"], serde_json::json!([]));
    remove(&held_id);
    put("Late", &held);
    let seen = exposures();
    assert_eq!(
        seen["exposures"],
        serde_json::json!([
            {"event": "removePassword", "appId": TARGET_APP, "keyId": held_id, "store": "main", "key": "Held", "label": null},
            {"event": "put", "appId": TARGET_APP, "keyId": held_id, "store": "main", "key": "Late", "label": null},
        ])
    );
    assert_eq!(seen["revoked"], 1);
    assert!(!seen.to_string().contains(&held), "never a value");
}
