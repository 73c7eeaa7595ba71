//! Test harness: starts the emulator binary on 127.0.0.1 port 0 with a seed, speaks raw HTTP/1.1
//! to it (so tests control the exact request target), and stops it on drop.
#![allow(dead_code)]

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

pub const TENANT: &str = "11111111-2222-4333-8444-555555555555";
pub const OTHER_TENANT: &str = "99999999-2222-4333-8444-555555555555";
pub const APP: &str = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
pub const APP_OBJECT: &str = "0a0a0a0a-0000-4000-8000-000000000001";
pub const APP_SP: &str = "0a0a0a0a-0000-4000-8000-000000000002";
pub const TARGET_OBJECT: &str = "0b0b0b0b-0000-4000-8000-000000000001";
pub const TARGET_APP: &str = "bbbbbbbb-bbbb-4ccc-8ddd-eeeeeeeeeeee";
pub const UNOWNED_OBJECT: &str = "0c0c0c0c-0000-4000-8000-000000000001";
pub const READER_APP: &str = "cccccccc-bbbb-4ccc-8ddd-eeeeeeeeeeee";
pub const READER_SP: &str = "0c0c0c0c-0000-4000-8000-000000000002";
pub const USER: &str = "0d0d0d0d-0000-4000-8000-000000000001";
pub const UPN: &str = "ada@fidelity.example";
pub const SECRET: &str = "abc8Q~rust.test-secret_value~0123456789ab";
pub const EXPIRED_SECRET: &str = "old8Q~expired.secret_value~0123456789abcd";
pub const REDIRECT: &str =
    "http://127.0.0.1:8787/organization/app-connections/azure/oauth/callback";
pub const STORE_KEY_ID: &str = "rw";
pub const STORE_SECRET: &[u8] = b"rust-store-secret-0123456789abcd";
pub const RO_KEY_ID: &str = "ro";
pub const RO_SECRET: &[u8] = b"rust-store-readonly-0123456789ab";
pub const GRAPH: &str = "https://graph.microsoft.com";

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub struct Emu {
    child: Child,
    pub ready: Value,
    pub dir: PathBuf,
}

impl Drop for Emu {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn temp_dir() -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("azconn-emu-test-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Generates an RSA key and self-signed certificate with the openssl CLI; returns (cert, key) PEM.
pub fn certificate(dir: &std::path::Path, name: &str) -> (String, String) {
    let status = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test",
        ])
        .arg("-keyout")
        .arg(dir.join(format!("{name}.key")))
        .arg("-out")
        .arg(dir.join(format!("{name}.pem")))
        .stderr(Stdio::null())
        .status()
        .expect("openssl");
    assert!(status.success());
    (
        std::fs::read_to_string(dir.join(format!("{name}.pem"))).expect("cert"),
        std::fs::read_to_string(dir.join(format!("{name}.key"))).expect("key"),
    )
}

pub fn default_seed(cert_pem: &str) -> Value {
    json!({
        "listen": "127.0.0.1:0",
        "faultSeed": 7,
        "tenants": [
            {"id": TENANT, "displayName": "Fidelity", "domains": ["fidelity.onmicrosoft.com", "fidelity.example"]},
            {"id": OTHER_TENANT, "displayName": "Other", "domains": ["other.example"]}
        ],
        "users": [{"id": USER, "tenantId": TENANT, "userPrincipalName": UPN, "displayName": "Ada"}],
        "applications": [
            {"id": APP_OBJECT, "appId": APP, "tenantId": TENANT, "displayName": "azconn", "servicePrincipalId": APP_SP,
             "redirectUris": [REDIRECT],
             "passwordCredentials": [
                {"keyId": "0a0a0a0a-0000-4000-8000-000000000003", "secretText": SECRET, "startDateTime": "2020-01-01T00:00:00Z", "endDateTime": "2099-01-01T00:00:00Z"},
                {"keyId": "0a0a0a0a-0000-4000-8000-000000000005", "secretText": EXPIRED_SECRET, "startDateTime": "2020-01-01T00:00:00Z", "endDateTime": "2021-01-01T00:00:00Z"}],
             "keyCredentials": [{"keyId": "0a0a0a0a-0000-4000-8000-000000000004", "certificatePem": cert_pem, "startDateTime": "2020-01-01T00:00:00Z", "endDateTime": "2099-01-01T00:00:00Z"}],
             "appRoles": {GRAPH: ["Application.ReadWrite.OwnedBy"]},
             "delegatedScopes": {GRAPH: ["Application.ReadWrite.All", "User.Read"], "https://azconfig.io": ["KeyValue.ReadWrite"]}},
            {"id": TARGET_OBJECT, "appId": TARGET_APP, "tenantId": TENANT, "displayName": "target", "servicePrincipalId": "0b0b0b0b-0000-4000-8000-000000000002",
             "owners": [APP_SP], "maxSecretLifetimeDays": 1000},
            {"id": UNOWNED_OBJECT, "appId": READER_APP, "tenantId": TENANT, "displayName": "reader", "servicePrincipalId": READER_SP,
             "passwordCredentials": [{"keyId": "0c0c0c0c-0000-4000-8000-000000000003", "secretText": SECRET, "startDateTime": "2020-01-01T00:00:00Z", "endDateTime": "2099-01-01T00:00:00Z"}],
             "appRoles": {GRAPH: ["Application.Read.All"]}}
        ],
        "stores": [{"name": "main", "tenantId": TENANT, "pageSize": 2,
            "accessKeys": [{"id": STORE_KEY_ID, "secret": STANDARD.encode(STORE_SECRET)}, {"id": RO_KEY_ID, "secret": STANDARD.encode(RO_SECRET), "readOnly": true}],
            "roleAssignments": [{"principalId": APP_SP, "role": "App Configuration Data Owner"}, {"principalId": USER, "role": "App Configuration Data Reader"}],
            "keyValues": [{"key": "Frozen", "value": "ice", "locked": true}]}]
    })
}

impl Emu {
    pub fn start(seed: &Value, dir: PathBuf) -> Emu {
        let path = dir.join("seed.json");
        std::fs::write(&path, seed.to_string()).expect("seed");
        let mut child = Command::new(env!("CARGO_BIN_EXE_azconn-emulator"))
            .arg("--seed")
            .arg(&path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn emulator");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout");
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("ready line");
        let ready: Value = serde_json::from_str(&line).expect("ready JSON");
        Emu { child, ready, dir }
    }

    /// The standard test world with a freshly generated client certificate.
    pub fn standard() -> (Emu, String) {
        let dir = temp_dir();
        let (cert, key) = certificate(&dir, "client");
        (Emu::start(&default_seed(&cert), dir), key)
    }

    pub fn entra(&self) -> String {
        self.ready["entra"].as_str().expect("entra").to_string()
    }

    pub fn store(&self) -> String {
        self.ready["stores"]["main"]
            .as_str()
            .expect("store")
            .to_string()
    }
}

pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends one request over a fresh connection; `None` if the server closed it without answering.
pub fn try_send(
    origin: &str,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Option<Resp> {
    let authority = origin.trim_start_matches("http://");
    let mut s = TcpStream::connect(authority).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    let mut req = format!(
        "{method} {target} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        req.push_str(&format!("Host: {authority}\r\n"));
    }
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).expect("write");
    s.write_all(body).expect("write body");
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    if raw.is_empty() {
        return None;
    }
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header end");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .expect("status");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| {
            l.split_once(':')
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        })
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"))
    {
        let mut out = Vec::new();
        let mut rest = &body[..];
        while let Some(p) = rest.windows(2).position(|w| w == b"\r\n") {
            let size =
                usize::from_str_radix(std::str::from_utf8(&rest[..p]).unwrap_or("0").trim(), 16)
                    .unwrap_or(0);
            if size == 0 || rest.len() < p + 2 + size {
                break;
            }
            out.extend_from_slice(&rest[p + 2..p + 2 + size]);
            rest = &rest[p + 2 + size + 2..];
        }
        body = out;
    }
    Some(Resp {
        status,
        headers,
        body,
    })
}

pub fn send(
    origin: &str,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Resp {
    try_send(origin, method, target, headers, body).expect("connection closed without a response")
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub fn token_request(
    emu: &Emu,
    tenant: &str,
    pairs: &[(&str, &str)],
    extra: &[(&str, &str)],
) -> Resp {
    let mut headers = vec![("Content-Type", "application/x-www-form-urlencoded")];
    headers.extend_from_slice(extra);
    send(
        &emu.entra(),
        "POST",
        &format!("/{tenant}/oauth2/v2.0/token"),
        &headers,
        form(pairs).as_bytes(),
    )
}

pub fn app_token(emu: &Emu, client: &str, scope: &str) -> String {
    let r = token_request(
        emu,
        TENANT,
        &[
            ("client_id", client),
            ("grant_type", "client_credentials"),
            ("client_secret", SECRET),
            ("scope", scope),
        ],
        &[],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["access_token"]
        .as_str()
        .expect("token")
        .to_string()
}

pub fn claims(jwt: &str) -> Value {
    let part = jwt.split('.').nth(1).expect("payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("b64")).expect("claims")
}

/// Asserts Entra's error shape and returns the body (protocols.md §1.5).
pub fn entra_error(r: &Resp, status: u16, error: &str, code: u64) -> Value {
    assert_eq!(r.status, status, "{}", r.text());
    let v = r.json();
    assert_eq!(v["error"], error, "{v}");
    assert_eq!(v["error_codes"], json!([code]), "{v}");
    let d = v["error_description"].as_str().expect("description");
    assert!(d.starts_with(&format!("AADSTS{code}: ")), "{d}");
    let lines: Vec<&str> = d.split("\r\n").collect();
    assert_eq!(lines.len(), 4, "{d}");
    assert_eq!(
        lines[1],
        format!("Trace ID: {}", v["trace_id"].as_str().expect("trace"))
    );
    assert_eq!(
        lines[2],
        format!(
            "Correlation ID: {}",
            v["correlation_id"].as_str().expect("corr")
        )
    );
    assert_eq!(
        lines[3],
        format!("Timestamp: {}", v["timestamp"].as_str().expect("ts"))
    );
    assert!(
        v["error_uri"]
            .as_str()
            .expect("uri")
            .ends_with(&format!("/error?code={code}"))
    );
    v
}

pub fn now_http_date(offset: i64) -> String {
    let t = std::time::SystemTime::now() + Duration::from_secs(offset.max(0) as u64)
        - Duration::from_secs((-offset).max(0) as u64);
    httpdate::fmt_http_date(t)
}

/// An HMAC-SHA256 signed App Configuration request (protocols.md §5.3).
pub fn hmac_send(
    emu: &Emu,
    (key_id, secret): (&str, &[u8]),
    method: &str,
    target: &str,
    body: &[u8],
    extra: &[(&str, &str)],
    date: &str,
) -> Resp {
    let origin = emu.store();
    let host = origin.trim_start_matches("http://").to_string();
    let hash = STANDARD.encode(Sha256::digest(body));
    let to_sign = format!("{method}\n{target}\n{date};{host};{hash}");
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("key");
    mac.update(to_sign.as_bytes());
    let sig = STANDARD.encode(mac.finalize().into_bytes());
    let auth = format!(
        "HMAC-SHA256 Credential={key_id}&SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={sig}"
    );
    let mut headers = vec![
        ("x-ms-date", date),
        ("x-ms-content-sha256", hash.as_str()),
        ("Authorization", auth.as_str()),
    ];
    headers.extend_from_slice(extra);
    send(&origin, method, target, &headers, body)
}

pub fn kv(emu: &Emu, method: &str, target: &str, body: &[u8], extra: &[(&str, &str)]) -> Resp {
    hmac_send(
        emu,
        (STORE_KEY_ID, STORE_SECRET),
        method,
        target,
        body,
        extra,
        &now_http_date(0),
    )
}

pub fn admin(emu: &Emu, method: &str, path: &str, body: &str) -> Resp {
    send(
        &emu.entra(),
        method,
        &format!("/_emulator{path}"),
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    )
}
