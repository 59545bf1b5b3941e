//! The production binary `ks-console`, run as a process.

use std::process::Command;

use crate::shared::sign_in_request;

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

#[test]
fn a_kubesphere_host_that_is_not_a_url_is_refused_at_start() {
    let out = Command::new(BIN)
        .env("KUBESPHERE_HOST", "ks-apiserver.kubesphere-system")
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .output()
        .expect("ks-console runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("KUBESPHERE_HOST") && stderr.contains("ks-apiserver.kubesphere-system"), "{stderr}");
}

/// No simulator is linked in: nothing of its demo world or its control routes is in the binary.
#[test]
fn the_binary_carries_no_simulator() {
    let bytes = std::fs::read(BIN).unwrap();
    for marker in [ks_sim::DEMO_PASSWORD.as_bytes(), b"/_sim/journal".as_slice(), b"The demo workspace.".as_slice()] {
        assert!(memchr::memmem::find(&bytes, marker).is_none(), "{} is in ks-console", String::from_utf8_lossy(marker));
    }
}

/// A console process with metrics and JSON logs, as the Kubernetes manifests run it.
#[tokio::test]
async fn the_health_check_metrics_listener_and_json_logs_work_as_deployed() {
    let free = crate::common::free_port;
    let (port, metrics_port) = (free(), free());
    let mut console = tokio::process::Command::new(BIN)
        .env("KUBESPHERE_HOST", "http://127.0.0.1:9") // never asked in this test
        .env("ACTIVITY_DB", "sqlite::memory:")
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("METRICS_ADDR", format!("127.0.0.1:{metrics_port}"))
        .env("LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let health = |port: u16| {
        // The image's HEALTHCHECK runs with the container's environment, KUBESPHERE_HOST included.
        Command::new(BIN)
            .arg("--health")
            .env("KUBESPHERE_HOST", "http://127.0.0.1:9")
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .status()
            .unwrap()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !health(port).success() {
        assert!(std::time::Instant::now() < deadline, "the console never became healthy");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(health(free()).code(), Some(1), "nothing listening: unhealthy");

    let http = reqwest::Client::new();
    let page = http.get(format!("http://127.0.0.1:{port}/login")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let metrics = http.get(format!("http://127.0.0.1:{metrics_port}/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), 200);
    let text = metrics.text().await.unwrap();
    assert!(text.contains(r#"ks_console_http_requests_total{route="/login",method="GET",status="200"}"#), "{text}");
    assert!(text.contains("ks_console_http_request_duration_seconds_bucket"), "{text}");
    // A sign-in that cannot reach KubeSphere is logged from inside its request.
    for _ in 0..2 {
        let forwarded = sign_in_request(&http, &format!("http://127.0.0.1:{port}"), "bob", "x")
            .header("x-forwarded-for", "6.6.6.6");
        assert_eq!(forwarded.send().await.unwrap().status(), 502);
    }
    let login =
        sign_in_request(&http, &format!("http://127.0.0.1:{port}"), "bob", "Secret-pass-1").send().await.unwrap();
    assert_eq!(login.status(), 502);
    let public = http.get(format!("http://127.0.0.1:{port}/metrics")).send().await.unwrap();
    assert!(!public.text().await.unwrap().contains("ks_console_http_requests_total"), "not on the public origin");

    console.kill().await.unwrap();
    let out = console.wait_with_output().await.unwrap();
    let logs = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<serde_json::Value> =
        logs.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))).collect();
    assert!(lines.iter().any(|l| l["fields"]["message"] == "KS Console is listening"), "{logs}");
    assert!(
        lines.iter().any(|l| l["span"]["request_id"].as_str().is_some_and(|id| !id.is_empty())),
        "request lines carry the request id: {logs}"
    );
    assert!(!logs.contains("Secret-pass-1"), "no password in the logs");
    let untrusted =
        lines.iter().filter(|l| l["fields"]["message"].as_str().is_some_and(|m| m.contains("TRUSTED_PROXIES")));
    assert_eq!(untrusted.count(), 1, "the operator is told once of X-Forwarded-For from an untrusted peer: {logs}");
}
