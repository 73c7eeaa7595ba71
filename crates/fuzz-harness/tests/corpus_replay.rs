//! Replays the committed fuzz corpus (`fuzz/corpus/<target>/`) and the crashes found so far
//! (`fuzz/regressions/<target>/`) through the same harnesses the cargo-fuzz targets run, on
//! stable: a fixed crash stays fixed without nightly or libFuzzer.

use azconn_fuzz_harness::{Harness, TARGETS};
use std::fs;
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// Every file under `<kind>/<target>/`, sorted.
fn files(kind: &str, target: &str) -> Vec<PathBuf> {
    let Ok(dir) = fs::read_dir(fuzz_dir().join(kind).join(target)) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = dir
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("listing {kind}/{target}: {e}"));
    files.retain(|p| p.is_file());
    files.sort();
    files
}

fn replay(kind: &str, target: &str, harness: Harness) -> usize {
    let files = files(kind, target);
    for path in &files {
        let data = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let outcome = std::panic::catch_unwind(|| harness(&data));
        assert!(outcome.is_ok(), "{} fails its harness", path.display());
    }
    files.len()
}

#[test]
fn every_target_has_a_harness_and_a_seed_corpus() {
    let listed: Vec<&str> = TARGETS.iter().map(|(name, _)| *name).collect();
    let mut on_disk: Vec<String> = fs::read_dir(fuzz_dir().join("fuzz_targets"))
        .expect("fuzz/fuzz_targets exists")
        .map(|e| e.expect("readable entry").path())
        .filter_map(|p| Some(p.file_stem()?.to_str()?.to_owned()))
        .collect();
    on_disk.sort();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(
        on_disk, sorted,
        "fuzz/fuzz_targets and TARGETS list the same targets"
    );
    for name in listed {
        assert!(
            files("corpus", name).len() >= 3,
            "fuzz/corpus/{name} holds a seed corpus"
        );
    }
}

#[test]
fn corpus_replays_without_a_failure() {
    let total: usize = TARGETS
        .iter()
        .map(|(name, harness)| replay("corpus", name, *harness))
        .sum();
    assert!(total > 0);
}

#[test]
fn regressions_replay_without_a_failure() {
    for (name, harness) in TARGETS {
        replay("regressions", name, *harness);
    }
}
