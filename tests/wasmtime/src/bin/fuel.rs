//! Fuel table for `make bench`: wasmtime fuel consumed by the abi module for the first golden
//! vector of every operation. Fuel counts executed wasm instructions, so the figures are
//! deterministic and comparable across runs and machines. Prints a Markdown table.

use azconn_abi_conformance::AbiModule;
use serde_json::Value;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vectors");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut module = AbiModule::load()?;
    let mut seen = std::collections::BTreeSet::new();
    println!("| operation | vector | fuel |");
    println!("|---|---|---:|");
    for file in files {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&file)?)?;
        for case in doc["cases"].as_array().into_iter().flatten() {
            let (Some(op), Some(name)) = (case["op"].as_str(), case["name"].as_str()) else {
                continue;
            };
            if case.get("expect").is_none() || !seen.insert(op.to_owned()) {
                continue;
            }
            let answer = module.call(op, &case["input"].to_string())?;
            println!("| {op} | {name} | {} |", answer.fuel);
        }
    }
    Ok(())
}
