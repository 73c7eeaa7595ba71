//! The command line and the committed default seed.

mod common;

use common::*;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const DEFAULT_SEED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/seed/default.json");

#[test]
fn default_seed_with_ephemeral_ports_from_flags() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_azconn-emulator"))
        .args([
            "--seed",
            DEFAULT_SEED,
            "--listen",
            "127.0.0.1:0",
            "--store",
            "demo=127.0.0.1:0",
            "--secret-propagation-seconds",
            "5",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("ready");
    let ready: serde_json::Value = serde_json::from_str(&line).expect("json");
    let entra = ready["entra"].as_str().expect("entra").to_string();
    assert_eq!(ready["graph"], entra.as_str());
    assert_eq!(ready["admin"], format!("{entra}/_emulator"));
    assert_ne!(entra, "http://127.0.0.1:8788");
    let store = ready["stores"]["demo"].as_str().expect("store").to_string();

    let token = send(
        &entra,
        "POST",
        "/contosodemo.onmicrosoft.com/oauth2/v2.0/token",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        form(&[
            ("client_id", "6a1f0c2e-3b4d-4c5e-8f70-91a2b3c4d5e6"),
            ("grant_type", "client_credentials"),
            ("client_secret", "azc8Q~emulatorDemoSecret.DoNotUseInProd01"),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .as_bytes(),
    );
    assert_eq!(token.status, 200, "{}", token.text());
    let auth = format!(
        "Bearer {}",
        token.json()["access_token"].as_str().expect("at")
    );
    let apps = send(
        &entra,
        "GET",
        "/v1.0/applications",
        &[("Authorization", &auth)],
        b"",
    )
    .json();
    assert_eq!(
        apps["value"][0]["appId"],
        "7b2e1d3f-4c5e-4d6f-9a81-a2b3c4d5e6f7"
    );
    let settings = send(
        &entra,
        "PUT",
        "/_emulator/settings",
        &[("Content-Type", "application/json")],
        b"{}",
    )
    .json();
    assert_eq!(settings["secretPropagationSeconds"], 5);

    let app_config = send(
        &entra,
        "POST",
        "/8c3a7e51-2f64-4b0e-9d1a-6f5e2c4b7a10/oauth2/v2.0/token",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        form(&[
            ("client_id", "6a1f0c2e-3b4d-4c5e-8f70-91a2b3c4d5e6"),
            ("grant_type", "client_credentials"),
            ("client_secret", "azc8Q~emulatorDemoSecret.DoNotUseInProd01"),
            ("scope", &format!("{store}/.default")),
        ])
        .as_bytes(),
    );
    let auth = format!(
        "Bearer {}",
        app_config.json()["access_token"].as_str().expect("at")
    );
    let kv = send(
        &store,
        "GET",
        "/kv?api-version=2023-11-01",
        &[("Authorization", &auth)],
        b"",
    );
    assert_eq!(kv.status, 200, "{}", kv.text());
    assert_eq!(kv.json()["items"].as_array().expect("items").len(), 3);
    let _ = child.kill();
    let _ = child.wait();
}

fn run_failing(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_azconn-emulator"))
        .args(args)
        .output()
        .expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn refuses_bad_command_lines_and_seeds() {
    let (code, err) = run_failing(&["--listen", "0.0.0.0:0"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("'0.0.0.0:0' is not a loopback address"),
        "{err}"
    );
    let (code, err) = run_failing(&["--bogus", "x"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("unknown flag --bogus") && err.contains("usage:"),
        "{err}"
    );
    let (code, err) = run_failing(&["--store", "nosuch=127.0.0.1:0"]);
    assert_eq!(code, 1);
    assert!(err.contains("no store named 'nosuch'"), "{err}");
    let (code, err) = run_failing(&["--tls-listen", "127.0.0.1:0"]);
    assert_eq!(code, 1);
    assert!(err.contains("go together"), "{err}");
    let dir = temp_dir();
    let seed = dir.join("seed.json");
    std::fs::write(&seed, r#"{"tenants": [], "unknownField": 1}"#).expect("write");
    let (code, err) = run_failing(&["--seed", seed.to_str().expect("path")]);
    assert_eq!(code, 1);
    assert!(err.contains("unknown field `unknownField`"), "{err}");
    std::fs::write(&seed, r#"{"tenants": [], "faults": [{"service": "graph", "action": {"kind": "status", "status": 200}}]}"#).expect("write");
    let (code, err) = run_failing(&["--seed", seed.to_str().expect("path")]);
    assert_eq!(code, 1);
    assert!(err.contains("seed fault: status must be 400-599"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}
