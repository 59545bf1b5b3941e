//! Replays the saved corpora of the fuzz targets on stable (part of `make test`): every input
//! libFuzzer kept for its coverage, and the seeds, still passes the checks.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} holds no inputs", dir.display());
    files.into_iter().map(|p| (p.clone(), std::fs::read(&p).unwrap())).collect()
}

#[test]
fn the_parsers_corpus_passes() {
    for (path, data) in corpus("parsers") {
        let outcome = std::panic::catch_unwind(|| ks_console_fuzz::parsers(&data));
        assert!(outcome.is_ok(), "{} fails the checks", path.display());
    }
}

/// `form_bodies` runs its own runtime, so this test is a plain (not async) one.
#[test]
fn the_form_bodies_corpus_passes() {
    for (path, data) in corpus("form_bodies") {
        let outcome = std::panic::catch_unwind(|| ks_console_fuzz::form_bodies(&data));
        assert!(outcome.is_ok(), "{} fails the checks", path.display());
    }
}
