//! App Configuration data plane over real HTTP: HMAC and bearer auth, key-values, labels,
//! filters, conditional requests, locks, paging, errors.

mod common;

use common::*;
use serde_json::Value;

fn problem(r: &Resp, status: u16, kind: &str) -> Value {
    assert_eq!(r.status, status, "{}", r.text());
    assert!(
        r.header("content-type")
            .expect("ct")
            .starts_with("application/problem+json")
    );
    let v = r.json();
    assert_eq!(v["type"], kind, "{v}");
    assert_eq!(v["status"], status);
    v
}

const JSON_KV: (&str, &str) = (
    "Content-Type",
    "application/vnd.microsoft.appconfig.kv+json",
);

#[test]
fn key_values_crud_labels_etags_and_locks() {
    let (emu, _) = Emu::standard();
    let put = kv(
        &emu,
        "PUT",
        "/kv/App%3ADb%2FUrl?label=prod&api-version=2023-11-01",
        br#"{"value":"v1","content_type":"text/plain","tags":{"team":"a"}}"#,
        &[JSON_KV],
    );
    assert_eq!(put.status, 200, "{}", put.text());
    assert!(
        put.header("content-type")
            .expect("ct")
            .starts_with("application/vnd.microsoft.appconfig.kv+json")
    );
    let v = put.json();
    assert_eq!(v["key"], "App:Db/Url");
    assert_eq!(v["label"], "prod");
    assert_eq!(v["content_type"], "text/plain");
    assert_eq!(v["tags"]["team"], "a");
    assert_eq!(v["locked"], false);
    let etag = v["etag"].as_str().expect("etag").to_string();
    assert_eq!(put.header("etag"), Some(format!("\"{etag}\"").as_str()));
    assert!(put.header("sync-token").expect("sync").contains(";sn="));
    assert!(put.header("last-modified").is_some());

    let got = kv(
        &emu,
        "GET",
        "/kv/App%3ADb%2FUrl?label=prod&api-version=2023-11-01",
        b"",
        &[],
    );
    assert_eq!(got.json()["value"], "v1");
    assert_eq!(
        kv(
            &emu,
            "GET",
            "/kv/App%3ADb%2FUrl?api-version=2023-11-01",
            b"",
            &[]
        )
        .status,
        404
    );
    let quoted = format!("\"{etag}\"");
    assert_eq!(
        kv(
            &emu,
            "GET",
            "/kv/App%3ADb%2FUrl?label=prod&api-version=2023-11-01",
            b"",
            &[("If-None-Match", &quoted)]
        )
        .status,
        304
    );

    // Null label explicitly, via %00.
    assert_eq!(
        kv(
            &emu,
            "PUT",
            "/kv/Nul?label=%00&api-version=2023-11-01",
            br#"{"value":"n"}"#,
            &[JSON_KV]
        )
        .json()["label"],
        Value::Null
    );
    assert_eq!(
        kv(&emu, "GET", "/kv/Nul?api-version=2023-11-01", b"", &[]).json()["value"],
        "n"
    );

    // Conditional writes.
    assert_eq!(
        kv(
            &emu,
            "PUT",
            "/kv/App%3ADb%2FUrl?label=prod&api-version=2023-11-01",
            br#"{"value":"v2"}"#,
            &[JSON_KV, ("If-Match", "\"stale\"")]
        )
        .status,
        412
    );
    assert_eq!(
        kv(
            &emu,
            "PUT",
            "/kv/App%3ADb%2FUrl?label=prod&api-version=2023-11-01",
            br#"{"value":"v2"}"#,
            &[JSON_KV, ("If-None-Match", "*")]
        )
        .status,
        412
    );
    assert_eq!(
        kv(
            &emu,
            "PUT",
            "/kv/New?api-version=2023-11-01",
            br#"{"value":"x"}"#,
            &[JSON_KV, ("If-Match", "*")]
        )
        .status,
        412
    );
    let updated = kv(
        &emu,
        "PUT",
        "/kv/App%3ADb%2FUrl?label=prod&api-version=2023-11-01",
        br#"{"value":"v2"}"#,
        &[JSON_KV, ("If-Match", &quoted)],
    );
    assert_eq!(updated.status, 200);
    assert_ne!(updated.json()["etag"], etag.as_str());

    // Locks.
    problem(
        &kv(
            &emu,
            "PUT",
            "/kv/Frozen?api-version=2023-11-01",
            br#"{"value":"melt"}"#,
            &[JSON_KV],
        ),
        409,
        "https://azconfig.io/errors/key-locked",
    );
    problem(
        &kv(
            &emu,
            "DELETE",
            "/kv/Frozen?api-version=2023-11-01",
            b"",
            &[],
        ),
        409,
        "https://azconfig.io/errors/key-locked",
    );
    assert_eq!(
        kv(
            &emu,
            "DELETE",
            "/locks/Frozen?api-version=2023-11-01",
            b"",
            &[]
        )
        .json()["locked"],
        false
    );
    assert_eq!(
        kv(
            &emu,
            "DELETE",
            "/kv/Frozen?api-version=2023-11-01",
            b"",
            &[]
        )
        .status,
        200
    );

    let deleted = kv(
        &emu,
        "DELETE",
        "/kv/App%3ADb%2FUrl?label=prod&api-version=2023-11-01",
        b"",
        &[],
    );
    assert_eq!(deleted.status, 200);
    assert_eq!(deleted.json()["value"], "v2");
    assert_eq!(
        kv(
            &emu,
            "DELETE",
            "/kv/App%3ADb%2FUrl?label=prod&api-version=2023-11-01",
            b"",
            &[]
        )
        .status,
        204
    );

    problem(
        &kv(&emu, "GET", "/kv/x", b"", &[]),
        400,
        "https://azconfig.io/errors/invalid-argument",
    );
    problem(
        &kv(&emu, "GET", "/kv/x?api-version=2019-01-01", b"", &[]),
        400,
        "https://azconfig.io/errors/invalid-argument",
    );
    problem(
        &kv(
            &emu,
            "PUT",
            "/kv/..?api-version=2023-11-01",
            br#"{"value":"x"}"#,
            &[JSON_KV],
        ),
        400,
        "https://azconfig.io/errors/invalid-argument",
    );
    let state = admin(&emu, "GET", "/stores/main/kv", "").json();
    assert_eq!(state["items"].as_array().expect("items").len(), 1);
}

#[test]
fn list_filters_escaping_select_and_paging() {
    let (emu, _) = Emu::standard();
    for (key, label) in [
        ("a*star", None),
        ("a,comma", None),
        ("ab", Some("x")),
        ("ab", None),
        ("b", Some("y")),
    ] {
        let target = match label {
            Some(l) => format!("/kv/{}?label={l}&api-version=2023-11-01", enc(key)),
            None => format!("/kv/{}?api-version=2023-11-01", enc(key)),
        };
        assert_eq!(
            kv(
                &emu,
                "PUT",
                &target,
                br#"{"value":"v","tags":{"t":"1"}}"#,
                &[JSON_KV]
            )
            .status,
            200
        );
    }
    let list = |q: &str| -> Vec<(String, Value)> {
        let mut out = Vec::new();
        let mut target = format!("/kv?{q}&api-version=2023-11-01");
        for _ in 0..10 {
            let r = kv(&emu, "GET", &target, b"", &[]);
            assert_eq!(r.status, 200, "{}", r.text());
            assert!(
                r.header("content-type")
                    .expect("ct")
                    .starts_with("application/vnd.microsoft.appconfig.kvset+json")
            );
            let v = r.json();
            for i in v["items"].as_array().expect("items") {
                out.push((
                    i["key"].as_str().unwrap_or("").to_string(),
                    i["label"].clone(),
                ));
            }
            match v["@nextLink"].as_str() {
                Some(next) => {
                    assert_eq!(
                        r.header("link"),
                        Some(format!("<{next}>; rel=\"next\"").as_str())
                    );
                    target = next.to_string();
                }
                None => return out,
            }
        }
        panic!("paging did not end");
    };
    // Five written here plus the seeded locked key.
    assert_eq!(list("key=*").len(), 6);
    assert_eq!(
        list("key=a%5C*star")
            .iter()
            .map(|x| x.0.as_str())
            .collect::<Vec<_>>(),
        vec!["a*star"]
    );
    assert_eq!(list("key=a%5C%2Ccomma,b").len(), 2);
    assert_eq!(
        list("key=ab&label=%00"),
        vec![("ab".to_string(), Value::Null)]
    );
    assert_eq!(
        list("key=ab&label=x"),
        vec![("ab".to_string(), Value::String("x".into()))]
    );
    assert_eq!(list("key=a*&label=*").len(), 4);
    assert_eq!(list("tags=t%3D1").len(), 5);
    assert_eq!(list("tags=t%3D2").len(), 0);
    let selected = kv(
        &emu,
        "GET",
        "/kv?key=b&$select=key,value&api-version=2023-11-01",
        b"",
        &[],
    )
    .json();
    assert_eq!(selected["items"][0].as_object().expect("obj").len(), 2);
    problem(
        &kv(&emu, "GET", "/kv?key=a*b&api-version=2023-11-01", b"", &[]),
        400,
        "https://azconfig.io/errors/invalid-argument",
    );
    let v = problem(
        &kv(
            &emu,
            "GET",
            "/kv?key=a,b,c,d,e,f&api-version=2023-11-01",
            b"",
            &[],
        ),
        400,
        "https://azconfig.io/errors/invalid-argument",
    );
    assert_eq!(v["name"], "key");
    assert_eq!(v["title"], "Invalid request parameter 'key'");
}

fn challenge(r: &Resp) -> String {
    assert_eq!(r.status, 401, "{}", r.text());
    r.header("www-authenticate").expect("challenge").to_string()
}

#[test]
fn hmac_refusals() {
    let (emu, _) = Emu::standard();
    let target = "/kv/x?api-version=2023-11-01";
    let signed =
        |key: (&str, &[u8]), date: &str| hmac_send(&emu, key, "GET", target, b"", &[], date);
    assert!(
        challenge(&signed(("rw", b"wrong-secret"), &now_http_date(0)))
            .contains("error_description=\"Invalid Signature\"")
    );
    assert!(
        challenge(&signed(("nobody", STORE_SECRET), &now_http_date(0)))
            .contains("Invalid Credential")
    );
    assert!(
        challenge(&signed(
            (STORE_KEY_ID, STORE_SECRET),
            &now_http_date(-16 * 60)
        ))
        .contains("The access token has expired")
    );
    assert_eq!(
        signed((STORE_KEY_ID, STORE_SECRET), &now_http_date(-14 * 60)).status,
        404
    );
    assert!(
        challenge(&signed((STORE_KEY_ID, STORE_SECRET), "yesterday"))
            .contains("Invalid access token date")
    );
    assert_eq!(
        challenge(&send(&emu.store(), "GET", target, &[], b"")),
        "HMAC-SHA256, Bearer"
    );
    let partial = send(
        &emu.store(),
        "GET",
        target,
        &[("Authorization", "HMAC-SHA256 Credential=rw")],
        b"",
    );
    assert!(challenge(&partial).contains("[Credential][SignedHeaders][Signature] is required"));
    let unsigned_host = send(
        &emu.store(),
        "GET",
        target,
        &[(
            "Authorization",
            "HMAC-SHA256 Credential=rw&SignedHeaders=x-ms-date;x-ms-content-sha256&Signature=x",
        )],
        b"",
    );
    assert!(challenge(&unsigned_host).contains("host is required as a signed header"));
    // The signature covers the raw target: the same request with the key encoded differently fails.
    let date = now_http_date(0);
    let good = hmac_send(
        &emu,
        (STORE_KEY_ID, STORE_SECRET),
        "GET",
        "/kv/a%3Ab?api-version=2023-11-01",
        b"",
        &[],
        &date,
    );
    assert_eq!(good.status, 404);
    // A correctly signed request whose body does not match x-ms-content-sha256.
    let host = emu.store().trim_start_matches("http://").to_string();
    let empty_hash = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    let to_sign = format!("PUT\n/kv/a?api-version=2023-11-01\n{date};{host};{empty_hash}");
    let mut mac =
        <hmac::Hmac<sha2::Sha256> as hmac::Mac>::new_from_slice(STORE_SECRET).expect("key");
    hmac::Mac::update(&mut mac, to_sign.as_bytes());
    let sig = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        hmac::Mac::finalize(mac).into_bytes(),
    );
    let auth = format!(
        "HMAC-SHA256 Credential={STORE_KEY_ID}&SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={sig}"
    );
    let tampered = send(
        &emu.store(),
        "PUT",
        "/kv/a?api-version=2023-11-01",
        &[
            ("x-ms-date", &date),
            ("x-ms-content-sha256", empty_hash),
            ("Authorization", &auth),
            JSON_KV,
        ],
        b"{}",
    );
    assert!(challenge(&tampered).contains("Invalid content hash"));
    assert_eq!(
        hmac_send(
            &emu,
            (STORE_KEY_ID, STORE_SECRET),
            "PUT",
            "/kv/a?api-version=2023-11-01",
            b"{}",
            &[JSON_KV],
            &date
        )
        .status,
        200
    );
    // A read-only key cannot write.
    let ro = hmac_send(
        &emu,
        (RO_KEY_ID, RO_SECRET),
        "PUT",
        "/kv/a?api-version=2023-11-01",
        b"{}",
        &[JSON_KV],
        &date,
    );
    problem(&ro, 403, "https://azconfig.io/errors/forbidden");
    assert_eq!(
        hmac_send(
            &emu,
            (RO_KEY_ID, RO_SECRET),
            "GET",
            "/kv/a?api-version=2023-11-01",
            b"",
            &[],
            &date
        )
        .status,
        200
    );
}

#[test]
fn bearer_tokens_and_role_assignments() {
    let (emu, _) = Emu::standard();
    let bearer = |token: &str, method: &str, target: &str, body: &[u8]| {
        let auth = format!("Bearer {token}");
        send(
            &emu.store(),
            method,
            target,
            &[("Authorization", &auth), JSON_KV],
            body,
        )
    };
    // The app's service principal is Data Owner; audiences: cloud, legacy and the store origin.
    for scope in [
        "https://appconfig.azure.com/.default",
        "https://azconfig.io/.default",
        &format!("{}/.default", emu.store()),
    ] {
        let t = app_token(&emu, APP, scope);
        assert_eq!(
            bearer(
                &t,
                "PUT",
                "/kv/k?api-version=2023-11-01",
                br#"{"value":"1"}"#
            )
            .status,
            200,
            "{scope}"
        );
    }
    let graph = app_token(&emu, APP, "https://graph.microsoft.com/.default");
    assert!(
        challenge(&bearer(&graph, "GET", "/kv/k?api-version=2023-11-01", b""))
            .contains("Authorization token failed validation")
    );
    // No role for the reader app at all.
    let no_role = app_token(&emu, READER_APP, "https://azconfig.io/.default");
    problem(
        &bearer(&no_role, "GET", "/kv/k?api-version=2023-11-01", b""),
        403,
        "https://azconfig.io/errors/forbidden",
    );
}
