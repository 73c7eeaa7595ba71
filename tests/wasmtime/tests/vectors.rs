//! One vector set, two runtimes: every golden vector answered by the wasm module under wasmtime
//! must equal the native answer byte for byte, and must satisfy the vector's expectation.

use azconn_abi_conformance::AbiModule;
use serde_json::Value;
use std::path::PathBuf;

#[test]
fn wasm_module_agrees_with_native_on_every_vector() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vectors");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut module = AbiModule::load().unwrap();
    let mut count = 0;
    for file in files {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        for case in doc["cases"].as_array().unwrap() {
            let op = case["op"].as_str().unwrap();
            let input = case["input"].to_string();
            let wasm = module.call(op, &input).unwrap().output;
            let native = azconn_abi::call_json(op.as_bytes(), input.as_bytes());
            assert_eq!(wasm, native, "{}: {}", file.display(), case["name"]);
            let answer: Value = serde_json::from_str(&wasm).unwrap();
            if let Some(expect) = case.get("expect") {
                assert_eq!(&answer["ok"], expect, "{}", case["name"]);
            } else {
                let want = case["expectError"].as_object().unwrap();
                for (k, v) in want {
                    assert_eq!(&answer["error"][k], v, "{}: {k}", case["name"]);
                }
            }
            count += 1;
        }
    }
    assert!(count > 0);
    println!("{count} vectors: wasmtime and native agree");
}

#[test]
fn malformed_calls_return_typed_errors_not_traps() {
    let mut module = AbiModule::load().unwrap();
    let out: Value =
        serde_json::from_str(&module.call("ids.clientId", "{not json").unwrap().output).unwrap();
    assert_eq!(out["error"]["field"], "input");
    let out: Value =
        serde_json::from_str(&module.call("no.such.op", "null").unwrap().output).unwrap();
    assert_eq!(out["error"]["code"], "not-allowed");
    let out: Value =
        serde_json::from_str(&module.call("ids.clientId", "").unwrap().output).unwrap();
    assert_eq!(out["error"]["field"], "input");
}

#[test]
fn buffers_are_freed_so_memory_does_not_grow() {
    let mut module = AbiModule::load().unwrap();
    let first = module
        .call("ids.tenantId", "\"contoso.onmicrosoft.com\"")
        .unwrap();
    let size = module.memory_size();
    for _ in 0..5000 {
        module
            .call("ids.tenantId", "\"contoso.onmicrosoft.com\"")
            .unwrap();
    }
    let last = module
        .call("ids.tenantId", "\"contoso.onmicrosoft.com\"")
        .unwrap();
    assert_eq!(first.output, last.output);
    assert_eq!(module.memory_size(), size, "5000 calls leaked memory");
    assert_eq!(first.fuel, last.fuel, "fuel per call is deterministic");
}
