//! The production binary `ks-console`, run as a process.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_ks-console");

#[test]
fn without_kubesphere_host_it_refuses_to_start_and_says_what_to_set() {
    let out = Command::new(BIN)
        .env_remove("KUBESPHERE_HOST")
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .output()
        .expect("ks-console runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("set KUBESPHERE_HOST"), "{stderr}");
    assert!(stderr.contains("make run"), "{stderr}");
}

/// No simulator is linked in: nothing of its demo world or its control routes is in the binary.
#[test]
fn the_binary_carries_no_simulator() {
    let bytes = std::fs::read(BIN).unwrap();
    for marker in [ks_sim::DEMO_PASSWORD.as_bytes(), b"/_sim/journal".as_slice(), b"The demo workspace.".as_slice()] {
        assert!(memchr::memmem::find(&bytes, marker).is_none(), "{} is in ks-console", String::from_utf8_lossy(marker));
    }
}
