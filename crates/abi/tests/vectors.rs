//! Runs every golden vector in `tests/vectors/*.json` natively through the abi adapter
//! (`azconn_abi::ops::call`). The same files are replayed by the abi module under wasmtime and
//! by the npm package's tests (Node, Chromium).

use azconn_abi::ops;
use serde_json::Value;
use std::path::PathBuf;

fn vector_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors")
}

#[test]
fn golden_vectors() {
    let mut files: Vec<_> = std::fs::read_dir(vector_dir())
        .expect("tests/vectors exists")
        .map(|e| e.expect("readable dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no vector files found");
    let mut count = 0;
    let mut failures = Vec::new();
    for file in &files {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap())
            .unwrap_or_else(|e| panic!("{}: invalid JSON: {e}", file.display()));
        for case in doc["cases"].as_array().expect("a `cases` array") {
            count += 1;
            let name = format!(
                "{}: {}",
                file.file_name().unwrap().to_string_lossy(),
                case["name"]
            );
            let op = case["op"].as_str().expect("op is a string");
            let got = ops::call(op, case["input"].clone());
            match (&got, case.get("expect"), case.get("expectError")) {
                (Ok(out), Some(expect), None) if out == expect => {}
                (Err(err), None, Some(expect)) if error_matches(err, expect) => {}
                _ => failures.push(format!(
                    "{name}\n  got:      {}\n  expected: {}",
                    match &got {
                        Ok(v) => v.to_string(),
                        Err(e) => serde_json::to_string(e).unwrap(),
                    },
                    case.get("expect")
                        .or(case.get("expectError"))
                        .unwrap_or(&Value::Null)
                )),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} vectors failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    println!("{count} golden vectors passed");
}

/// `expectError` lists the fields that must match exactly (`code`, `field`, and optionally
/// `message` / `hint`); fields it omits are not compared.
fn error_matches(err: &azconn_core::error::Error, expect: &Value) -> bool {
    let got = serde_json::to_value(err).unwrap();
    expect.as_object().is_some_and(|want| {
        want.iter()
            .all(|(k, v)| got.get(k).unwrap_or(&Value::Null) == v)
    })
}
