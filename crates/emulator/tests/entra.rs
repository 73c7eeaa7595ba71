//! Entra ID endpoints over real HTTP: client credentials, client assertions, authorization code
//! with PKCE, refresh tokens, discovery.

mod common;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use common::*;
use rsa::pkcs8::DecodePrivateKey;
use rsa::{Pkcs1v15Sign, Pss, RsaPrivateKey};
use serde_json::{Value, json};
use sha1::Sha1;
use sha2::{Digest, Sha256};

fn der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(body).expect("PEM body")
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
}

/// Builds a client assertion the way MSAL does (protocols.md §2).
fn assertion(key_pem: &str, cert_der: &[u8], alg: &str, claims: Value) -> String {
    let header = if alg == "PS256" {
        json!({"alg": "PS256", "typ": "JWT", "x5t#S256": URL_SAFE_NO_PAD.encode(Sha256::digest(cert_der))})
    } else {
        json!({"alg": "RS256", "typ": "JWT", "x5t": URL_SAFE_NO_PAD.encode(Sha1::digest(cert_der))})
    };
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let key = RsaPrivateKey::from_pkcs8_pem(key_pem).expect("key");
    let digest = Sha256::digest(input.as_bytes());
    let sig = if alg == "PS256" {
        key.sign_with_rng(&mut rand::thread_rng(), Pss::new::<Sha256>(), &digest)
            .expect("sign")
    } else {
        key.sign(Pkcs1v15Sign::new::<Sha256>(), &digest)
            .expect("sign")
    };
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

fn assertion_claims(emu: &Emu, jti: &str) -> Value {
    let t = now();
    json!({"aud": format!("{}/{TENANT}/oauth2/v2.0/token", emu.entra()), "iss": APP, "sub": APP, "jti": jti, "nbf": t, "iat": t, "exp": t + 600})
}

fn with_assertion(emu: &Emu, a: &str) -> Resp {
    token_request(
        emu,
        TENANT,
        &[
            ("client_id", APP),
            ("grant_type", "client_credentials"),
            ("scope", "https://graph.microsoft.com/.default"),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", a),
        ],
        &[],
    )
}

#[test]
fn client_credentials_with_a_secret_and_every_refusal() {
    let (emu, _) = Emu::standard();
    let ok = token_request(
        &emu,
        TENANT,
        &[
            ("client_id", APP),
            ("grant_type", "client_credentials"),
            ("client_secret", SECRET),
            ("scope", "https://graph.microsoft.com/.default"),
        ],
        &[],
    );
    assert_eq!(ok.status, 200, "{}", ok.text());
    let v = ok.json();
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["expires_in"], 3599);
    assert_eq!(v["ext_expires_in"], 3599);
    assert!(v.get("refresh_token").is_none());
    let c = claims(v["access_token"].as_str().expect("token"));
    assert_eq!(c["aud"], GRAPH);
    assert_eq!(c["tid"], TENANT);
    assert_eq!(c["oid"], APP_SP);
    assert_eq!(c["appid"], APP);
    assert_eq!(c["azp"], APP);
    assert_eq!(c["roles"], json!(["Application.ReadWrite.OwnedBy"]));
    assert_eq!(c["iss"], format!("{}/{TENANT}/v2.0", emu.entra()));
    assert_eq!(
        c["exp"].as_i64().expect("exp") - c["iat"].as_i64().expect("iat"),
        3599
    );

    // The verified domain works as the tenant, and Basic client authentication is accepted.
    let basic = format!(
        "Basic {}",
        STANDARD.encode(format!("{APP}:{}", enc(SECRET)))
    );
    let r = token_request(
        &emu,
        "fidelity.example",
        &[
            ("grant_type", "client_credentials"),
            ("scope", "https://graph.microsoft.com/.default"),
        ],
        &[("Authorization", &basic)],
    );
    assert_eq!(r.status, 200, "{}", r.text());

    let cc = |tenant: &str, client: &str, secret: &str, scope: &str, extra: &[(&str, &str)]| {
        token_request(
            &emu,
            tenant,
            &[
                ("client_id", client),
                ("grant_type", "client_credentials"),
                ("client_secret", secret),
                ("scope", scope),
            ],
            extra,
        )
    };
    let graph = "https://graph.microsoft.com/.default";
    entra_error(
        &cc(TENANT, APP, "wrong", graph, &[]),
        401,
        "invalid_client",
        7000215,
    );
    // Pasting the secret's keyId instead of its value is the classic 7000215.
    entra_error(
        &cc(
            TENANT,
            APP,
            "0a0a0a0a-0000-4000-8000-000000000003",
            graph,
            &[],
        ),
        401,
        "invalid_client",
        7000215,
    );
    entra_error(
        &cc(TENANT, APP, EXPIRED_SECRET, graph, &[]),
        401,
        "invalid_client",
        7000222,
    );
    entra_error(
        &cc("nosuchtenant.example", APP, SECRET, graph, &[]),
        400,
        "invalid_request",
        90002,
    );
    entra_error(
        &cc(
            TENANT,
            "12345678-1234-4234-8234-123456789012",
            SECRET,
            graph,
            &[],
        ),
        400,
        "unauthorized_client",
        700016,
    );
    // The app exists, but in another tenant.
    entra_error(
        &cc(OTHER_TENANT, APP, SECRET, graph, &[]),
        400,
        "unauthorized_client",
        700016,
    );
    entra_error(
        &cc("common", APP, SECRET, graph, &[]),
        400,
        "invalid_request",
        9001023,
    );
    entra_error(
        &cc("organizations", APP, SECRET, graph, &[]),
        400,
        "invalid_request",
        9001023,
    );
    entra_error(
        &cc(
            TENANT,
            APP,
            SECRET,
            graph,
            &[("Origin", "http://localhost:5173")],
        ),
        400,
        "invalid_request",
        9002326,
    );
    entra_error(
        &cc(
            TENANT,
            APP,
            SECRET,
            "https://graph.microsoft.com/User.Read",
            &[],
        ),
        400,
        "invalid_scope",
        1002012,
    );
    entra_error(
        &cc(
            TENANT,
            APP,
            SECRET,
            "https://graph.microsoft.com/.default https://azconfig.io/.default",
            &[],
        ),
        400,
        "invalid_scope",
        70011,
    );
    entra_error(
        &cc(TENANT, APP, SECRET, "https://unknown.example/.default", &[]),
        400,
        "invalid_resource",
        500011,
    );
    let none = token_request(
        &emu,
        TENANT,
        &[
            ("client_id", APP),
            ("grant_type", "client_credentials"),
            ("scope", graph),
        ],
        &[],
    );
    entra_error(&none, 400, "invalid_client", 7000218);
    let grant = token_request(
        &emu,
        TENANT,
        &[
            ("client_id", APP),
            ("grant_type", "password"),
            ("client_secret", SECRET),
        ],
        &[],
    );
    entra_error(&grant, 400, "unsupported_grant_type", 70003);
    let json_body = send(
        &emu.entra(),
        "POST",
        &format!("/{TENANT}/oauth2/v2.0/token"),
        &[("Content-Type", "application/json")],
        b"{}",
    );
    entra_error(&json_body, 400, "invalid_request", 900144);
}

#[test]
fn client_assertions_ps256_and_rs256_with_their_failures() {
    let (emu, key) = Emu::standard();
    let cert_der = der(&std::fs::read_to_string(emu.dir.join("client.pem")).expect("cert"));
    let ok = with_assertion(
        &emu,
        &assertion(&key, &cert_der, "PS256", assertion_claims(&emu, "j1")),
    );
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(
        claims(ok.json()["access_token"].as_str().expect("at"))["appidacr"],
        "2"
    );
    let rs = with_assertion(
        &emu,
        &assertion(&key, &cert_der, "RS256", assertion_claims(&emu, "j2")),
    );
    assert_eq!(rs.status, 200, "{}", rs.text());

    // Entra accepts a reused assertion (MSAL reuses one for ten minutes), so the emulator does too.
    let replayed = with_assertion(
        &emu,
        &assertion(&key, &cert_der, "PS256", assertion_claims(&emu, "j1")),
    );
    assert_eq!(replayed.status, 200, "{}", replayed.text());
    let mut wrong_aud = assertion_claims(&emu, "j3");
    wrong_aud["aud"] = "https://login.microsoftonline.com/x/oauth2/v2.0/token".into();
    entra_error(
        &with_assertion(&emu, &assertion(&key, &cert_der, "PS256", wrong_aud)),
        401,
        "invalid_client",
        50013,
    );
    let mut expired = assertion_claims(&emu, "j4");
    expired["exp"] = (now() - 3600).into();
    expired["nbf"] = (now() - 4000).into();
    entra_error(
        &with_assertion(&emu, &assertion(&key, &cert_der, "PS256", expired)),
        401,
        "invalid_client",
        700024,
    );
    let mut wrong_iss = assertion_claims(&emu, "j5");
    wrong_iss["iss"] = "someone-else".into();
    entra_error(
        &with_assertion(&emu, &assertion(&key, &cert_der, "PS256", wrong_iss)),
        401,
        "invalid_client",
        700023,
    );

    // A certificate that is not registered, and a registered thumbprint signed by another key.
    let (other_cert, other_key) = certificate(&emu.dir, "other");
    let other_der = der(&other_cert);
    let v = entra_error(
        &with_assertion(
            &emu,
            &assertion(
                &other_key,
                &other_der,
                "PS256",
                assertion_claims(&emu, "j6"),
            ),
        ),
        401,
        "invalid_client",
        700027,
    );
    let hex: String = Sha256::digest(&other_der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    assert!(
        v["error_description"]
            .as_str()
            .expect("d")
            .contains(&format!("Thumbprint of key used by client: '{hex}'"))
    );
    entra_error(
        &with_assertion(
            &emu,
            &assertion(&other_key, &cert_der, "PS256", assertion_claims(&emu, "j7")),
        ),
        401,
        "invalid_client",
        700027,
    );
    entra_error(
        &with_assertion(&emu, "not.a.jwt"),
        400,
        "invalid_client",
        50027,
    );
}

fn authorize_target(extra: &str) -> String {
    format!(
        "/{TENANT}/oauth2/v2.0/authorize?client_id={APP}&response_type=code&redirect_uri={}&scope={}&state=st4te{extra}",
        enc(REDIRECT),
        enc("openid offline_access https://graph.microsoft.com/.default")
    )
}

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// Walks the sign-in page and returns the `Location` of the answer.
fn sign_in(emu: &Emu, extra: &str, action: &str) -> String {
    let page = send(&emu.entra(), "GET", &authorize_target(extra), &[], b"");
    assert_eq!(page.status, 200, "{}", page.text());
    let html = page.text();
    for id in [
        "id=\"user\"",
        "id=\"accept\"",
        "id=\"cancel\"",
        ">Accept<",
        ">Cancel<",
    ] {
        assert!(html.contains(id), "{id} missing from {html}");
    }
    if extra.contains("login_hint") {
        assert!(
            html.contains(&format!("<option value=\"{USER}\" selected>")),
            "{html}"
        );
    }
    let request_id = html
        .split("name=\"request_id\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("request_id");
    let body = form(&[
        ("request_id", request_id),
        ("user", USER),
        ("action", action),
    ]);
    let r = send(
        &emu.entra(),
        "POST",
        &format!("/{TENANT}/oauth2/v2.0/authorize"),
        &[("Content-Type", "application/x-www-form-urlencoded")],
        body.as_bytes(),
    );
    assert_eq!(r.status, 302, "{}", r.text());
    r.header("location").expect("location").to_string()
}

fn param(location: &str, name: &str) -> Option<String> {
    let q = location.split_once('?')?.1;
    q.split('&')
        .find_map(|p| p.strip_prefix(&format!("{name}=")))
        .map(percent_decode)
}

fn percent_decode(v: &str) -> String {
    let b = v.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() + 1 {
            out.push(
                u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("00"), 16)
                    .unwrap_or(0),
            );
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("utf8")
}

fn redeem(emu: &Emu, code: &str, verifier: &str, redirect: &str) -> Resp {
    token_request(
        emu,
        TENANT,
        &[
            ("client_id", APP),
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect),
            ("code_verifier", verifier),
            ("client_secret", SECRET),
            (
                "scope",
                "openid offline_access https://graph.microsoft.com/.default",
            ),
        ],
        &[],
    )
}

#[test]
fn authorization_code_with_pkce_then_refresh_and_revocation() {
    let (emu, _) = Emu::standard();
    let pkce = format!(
        "&code_challenge={CHALLENGE}&code_challenge_method=S256&login_hint={}",
        enc(UPN)
    );
    let location = sign_in(&emu, &pkce, "accept");
    assert!(
        location.starts_with(&format!("{REDIRECT}?code=")),
        "{location}"
    );
    assert_eq!(param(&location, "state").as_deref(), Some("st4te"));
    let code = param(&location, "code").expect("code");

    entra_error(
        &redeem(
            &emu,
            &code,
            "wrong-verifier-wrong-verifier-wrong-verifier",
            REDIRECT,
        ),
        400,
        "invalid_grant",
        501481,
    );
    entra_error(
        &redeem(&emu, &code, VERIFIER, "http://127.0.0.1:8787/other"),
        400,
        "invalid_grant",
        500112,
    );
    let ok = redeem(&emu, &code, VERIFIER, REDIRECT);
    assert_eq!(ok.status, 200, "{}", ok.text());
    let v = ok.json();
    let c = claims(v["access_token"].as_str().expect("at"));
    assert_eq!(c["oid"], USER);
    assert_eq!(c["scp"], "Application.ReadWrite.All User.Read");
    assert_eq!(c["aud"], GRAPH);
    assert_eq!(
        claims(v["id_token"].as_str().expect("id_token"))["aud"],
        APP
    );
    let rt1 = v["refresh_token"].as_str().expect("rt").to_string();
    entra_error(
        &redeem(&emu, &code, VERIFIER, REDIRECT),
        400,
        "invalid_grant",
        54005,
    );

    let refresh = |rt: &str, scope: &str| {
        token_request(
            &emu,
            TENANT,
            &[
                ("client_id", APP),
                ("grant_type", "refresh_token"),
                ("refresh_token", rt),
                ("client_secret", SECRET),
                ("scope", scope),
            ],
            &[],
        )
    };
    let r2 = refresh(&rt1, "https://azconfig.io/.default offline_access");
    assert_eq!(r2.status, 200, "{}", r2.text());
    let rt2 = r2.json()["refresh_token"]
        .as_str()
        .expect("rt2")
        .to_string();
    assert_ne!(rt1, rt2);
    assert_eq!(
        claims(r2.json()["access_token"].as_str().expect("at"))["aud"],
        "https://azconfig.io"
    );
    // The user is Data Reader on the store: reads pass, writes are refused.
    let user_store = format!("Bearer {}", r2.json()["access_token"].as_str().expect("at"));
    let read = send(
        &emu.store(),
        "GET",
        "/kv/Frozen?api-version=2023-11-01",
        &[("Authorization", &user_store)],
        b"",
    );
    assert_eq!(read.status, 200, "{}", read.text());
    let write = send(
        &emu.store(),
        "PUT",
        "/kv/x?api-version=2023-11-01",
        &[
            ("Authorization", &user_store),
            ("Content-Type", "application/json"),
        ],
        b"{}",
    );
    assert_eq!(write.status, 403);
    // A delegated Graph token reaches /me.
    let graph_token = format!("Bearer {}", v["access_token"].as_str().expect("at"));
    let me = send(
        &emu.entra(),
        "GET",
        "/v1.0/me",
        &[("Authorization", &graph_token)],
        b"",
    )
    .json();
    assert_eq!(me["userPrincipalName"], UPN);
    // Entra does not revoke a refresh token on use.
    assert_eq!(
        refresh(&rt1, "https://graph.microsoft.com/.default").status,
        200
    );
    entra_error(
        &refresh("bogus", "https://graph.microsoft.com/.default"),
        400,
        "invalid_grant",
        9002313,
    );
    // Three refresh tokens were issued (code redemption and two refreshes); all are revoked.
    assert_eq!(
        admin(&emu, "POST", &format!("/users/{USER}/revoke-grants"), "").json()["revoked"],
        3
    );
    entra_error(
        &refresh(&rt2, "https://graph.microsoft.com/.default"),
        400,
        "invalid_grant",
        70008,
    );

    // Refresh tokens expire after 90 days.
    let fresh = param(&sign_in(&emu, &pkce, "accept"), "code").expect("code");
    let rt3 = redeem(&emu, &fresh, VERIFIER, REDIRECT).json()["refresh_token"]
        .as_str()
        .expect("rt")
        .to_string();
    admin(
        &emu,
        "POST",
        "/clock",
        &format!("{{\"advanceSeconds\":{}}}", 90 * 24 * 3600),
    );
    entra_error(
        &refresh(&rt3, "https://graph.microsoft.com/.default"),
        400,
        "invalid_grant",
        700082,
    );

    // Codes live ten minutes.
    let code2 = param(&sign_in(&emu, &pkce, "accept"), "code").expect("code");
    admin(&emu, "POST", "/clock", "{\"advanceSeconds\":601}");
    entra_error(
        &redeem(&emu, &code2, VERIFIER, REDIRECT),
        400,
        "invalid_grant",
        70008,
    );
}

#[test]
fn authorize_errors_and_response_modes() {
    let (emu, _) = Emu::standard();
    let cancel = sign_in(&emu, "", "cancel");
    assert_eq!(param(&cancel, "error").as_deref(), Some("access_denied"));
    assert!(
        param(&cancel, "error_description")
            .expect("d")
            .starts_with("AADSTS65004: ")
    );
    assert_eq!(param(&cancel, "state").as_deref(), Some("st4te"));

    let mismatch = send(
        &emu.entra(),
        "GET",
        &format!(
            "/{TENANT}/oauth2/v2.0/authorize?client_id={APP}&response_type=code&redirect_uri={}&scope=openid",
            enc("http://evil.example/cb")
        ),
        &[],
        b"",
    );
    assert_eq!(mismatch.status, 400);
    assert!(mismatch.text().contains("AADSTS50011: The redirect URI &#39;http://evil.example/cb&#39; specified in the request does not match"));
    let unknown = send(
        &emu.entra(),
        "GET",
        &format!("/nosuch.example/oauth2/v2.0/authorize?client_id={APP}"),
        &[],
        b"",
    );
    assert!(unknown.text().contains("AADSTS90002"));
    let no_app = send(
        &emu.entra(),
        "GET",
        &format!("/{TENANT}/oauth2/v2.0/authorize?client_id=12345678-1234-4234-8234-123456789012"),
        &[],
        b"",
    );
    assert!(no_app.text().contains("AADSTS700016"));

    let silent = send(
        &emu.entra(),
        "GET",
        &authorize_target("&prompt=none"),
        &[],
        b"",
    );
    assert_eq!(silent.status, 302);
    let loc = silent.header("location").expect("loc");
    assert_eq!(param(loc, "error").as_deref(), Some("login_required"));
    let bad_method = send(
        &emu.entra(),
        "GET",
        &authorize_target(&format!(
            "&code_challenge={CHALLENGE}&code_challenge_method=S512"
        )),
        &[],
        b"",
    );
    assert_eq!(
        param(bad_method.header("location").expect("loc"), "error").as_deref(),
        Some("invalid_request")
    );

    let page = send(
        &emu.entra(),
        "GET",
        &authorize_target("&response_mode=form_post"),
        &[],
        b"",
    );
    let rid = page
        .text()
        .split("name=\"request_id\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("rid")
        .to_string();
    let r = send(
        &emu.entra(),
        "POST",
        &format!("/{TENANT}/oauth2/v2.0/authorize"),
        &[("Content-Type", "application/x-www-form-urlencoded")],
        form(&[("request_id", &rid), ("user", USER), ("action", "accept")]).as_bytes(),
    );
    assert_eq!(r.status, 200);
    assert!(
        r.text().contains(&format!("action=\"{REDIRECT}\"")) && r.text().contains("name=\"code\"")
    );
}

#[test]
fn discovery_documents_and_keys_verify_tokens() {
    let (emu, _) = Emu::standard();
    let oidc = send(
        &emu.entra(),
        "GET",
        &format!("/{TENANT}/v2.0/.well-known/openid-configuration"),
        &[],
        b"",
    )
    .json();
    assert_eq!(
        oidc["token_endpoint"],
        format!("{}/{TENANT}/oauth2/v2.0/token", emu.entra())
    );
    assert_eq!(oidc["issuer"], format!("{}/{TENANT}/v2.0", emu.entra()));
    let common = send(
        &emu.entra(),
        "GET",
        "/common/v2.0/.well-known/openid-configuration",
        &[],
        b"",
    )
    .json();
    assert_eq!(
        common["issuer"],
        format!("{}/{{tenantid}}/v2.0", emu.entra())
    );
    let keys = send(&emu.entra(), "GET", "/discovery/v2.0/keys", &[], b"").json();
    let jwk = &keys["keys"][0];
    let token = app_token(&emu, APP, "https://graph.microsoft.com/.default");
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(token.split('.').next().expect("h"))
            .expect("b64"),
    )
    .expect("json");
    assert_eq!(header["kid"], jwk["kid"]);
    let n = rsa::BigUint::from_bytes_be(
        &URL_SAFE_NO_PAD
            .decode(jwk["n"].as_str().expect("n"))
            .expect("n"),
    );
    let e = rsa::BigUint::from_bytes_be(
        &URL_SAFE_NO_PAD
            .decode(jwk["e"].as_str().expect("e"))
            .expect("e"),
    );
    let public = rsa::RsaPublicKey::new(n, e).expect("key");
    let (input, sig) = token.rsplit_once('.').expect("sig");
    public
        .verify(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(input.as_bytes()),
            &URL_SAFE_NO_PAD.decode(sig).expect("sig"),
        )
        .expect("valid signature");
}
