//! Secrets do not outlive a call in the module's memory: after the host frees its buffers, no
//! client secret, refresh token, passphrase or private key (as text or as DER) is left anywhere
//! in linear memory, neither in the host's input nor in the module's output or working copies.

use azconn_abi_conformance::AbiModule;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use std::path::PathBuf;

fn cert_case(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vectors/cert.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no vector named {name}"))
        .clone()
}

fn assert_gone(module: &AbiModule, what: &str, needle: &[u8]) {
    assert!(
        !module.memory_contains(needle),
        "{what} is still in linear memory after the call"
    );
}

#[test]
fn a_freed_buffer_is_zeroed() {
    let mut module = AbiModule::load().unwrap();
    let canary = b"azconn-canary-7f3a9c1e5b2d8f4a6c0e";
    let buffer = module.put(canary).unwrap();
    assert!(module.memory_contains(canary), "the scan finds live data");
    module.free(buffer).unwrap();
    assert_gone(&module, "the freed canary", canary);
}

#[test]
fn token_request_secrets_are_zeroed() {
    let mut module = AbiModule::load().unwrap();
    let secret = "Qz9~canary.client-secret_4f1d8b2c6e";
    let refresh = "0.AQcanary-refresh-token-9e8d7c6b5a";
    for grant in [
        json!({"type": "client_credentials", "scope": "https://graph.microsoft.com/.default"}),
        json!({"type": "refresh_token", "refreshToken": refresh, "scopes": ["openid"]}),
    ] {
        let input = json!({
            "tenantId": "aaaabbbb-0000-cccc-1111-dddd2222eeee",
            "clientId": "00001111-aaaa-2222-bbbb-3333cccc4444",
            "clientSecret": secret,
            "grant": grant,
        });
        let out: Value = serde_json::from_str(
            &module
                .call("oauth.tokenRequest", &input.to_string())
                .unwrap()
                .output,
        )
        .unwrap();
        let body = out["ok"]["body"].as_str().unwrap();
        assert!(body.contains(&format!("client_secret={secret}")), "{body}");
    }
    assert_gone(&module, "the client secret", secret.as_bytes());
    assert_gone(&module, "the refresh token", refresh.as_bytes());
}

#[test]
fn private_keys_and_passphrases_are_zeroed() {
    let mut module = AbiModule::load().unwrap();
    let plain = cert_case("PKCS#8 PEM key with its certificate");
    let encrypted =
        cert_case("encrypted PKCS#8 (PBES2, PBKDF2-SHA256, AES-256-CBC) with its passphrase");
    let pfx = cert_case("PFX (OpenSSL 3 default: AES-256-CBC, HMAC-SHA256 MAC)");
    let mut pkcs8 = String::new();
    for case in [&plain, &encrypted, &pfx] {
        let out: Value = serde_json::from_str(
            &module
                .call("cert.privateKeyPkcs8", &case["input"].to_string())
                .unwrap()
                .output,
        )
        .unwrap();
        pkcs8 = out["ok"]["pkcs8"].as_str().unwrap().to_owned();
        module
            .call("cert.inspect", &case["input"].to_string())
            .unwrap();
    }
    let der = STANDARD.decode(&pkcs8).unwrap();
    let key_pem = plain["input"]["credential"]["privateKey"].as_str().unwrap();
    let key_line = key_pem.lines().nth(10).unwrap();
    assert_eq!(key_line.len(), 64, "a full base64 line of the key");
    assert_gone(&module, "the PEM private key", key_line.as_bytes());
    assert_gone(&module, "the PKCS#8 output", &pkcs8.as_bytes()[400..464]);
    // The tail of an RSA PKCS#8 key is its CRT coefficient: private, never in the certificate.
    assert_gone(&module, "the private key DER", &der[der.len() - 40..]);
    let passphrase = encrypted["input"]["credential"]["privateKeyPassphrase"]
        .as_str()
        .unwrap();
    assert_gone(&module, "the key passphrase", passphrase.as_bytes());
    let pfx_b64 = pfx["input"]["credential"]["pfx"].as_str().unwrap();
    assert_gone(&module, "the PFX", &pfx_b64.as_bytes()[200..264]);
}
