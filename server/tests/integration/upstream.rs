//! How the console behaves when KubeSphere expires tokens, refuses, hangs or fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use crate::calls::new_user;
use crate::common::{header, TestApp};
use ks_sim::Fault;
use reqwest::StatusCode;
use serde_json::Value;

/// Checks that `cookie`'s session has ended: a data call is refused as `session_expired` and a
/// page redirects; where to (the sign-in page).
async fn the_session_ended(app: &TestApp, cookie: &str) -> String {
    let res = app.call("current_user", Some(cookie)).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "session_expired");
    let res = app.get(cookie, "/").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    header(res.headers(), "location").unwrap().to_owned()
}

#[tokio::test]
async fn an_expiring_token_is_refreshed_once_for_concurrent_requests() {
    let app = TestApp::builder()
        .sim(|s| s.access_token_ttl = Duration::from_secs(3))
        .config(|c| c.token_refresh_skew_secs = 1)
        .start()
        .await;
    let cookie = app.login("admin").await;
    // Wait until the token is inside the refresh window.
    tokio::time::sleep(Duration::from_millis(2300)).await;
    app.sim.sim.reset_journal();

    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let (http, url, cookie) = (app.http.clone(), format!("{}/api/current_user", app.url), cookie.clone());
        calls.spawn(async move {
            http.post(url)
                .header("sec-fetch-site", "same-origin")
                .header("cookie", cookie)
                .header("accept", "application/json")
                .body("")
                .send()
                .await
                .unwrap()
                .status()
        });
    }
    while let Some(status) = calls.join_next().await {
        assert_eq!(status.unwrap(), StatusCode::OK);
    }
    let journal = app.sim.sim.journal();
    let refreshes = journal.iter().filter(|e| e.path == "/oauth/token").count();
    assert_eq!(refreshes, 1, "exactly one refresh grant");
    let user_calls: Vec<_> = journal.iter().filter(|e| e.path.ends_with("/users/admin")).collect();
    assert_eq!(user_calls.len(), 10);
    assert!(user_calls.iter().all(|e| e.status == 200), "all calls used the new token");
}

#[tokio::test]
async fn a_rejected_refresh_ends_the_session() {
    let app = TestApp::builder()
        .sim(|s| s.access_token_ttl = Duration::from_secs(2))
        .config(|c| c.token_refresh_skew_secs = 5)
        .start()
        .await;
    let cookie = app.login("admin").await;
    app.sim.sim.revoke_user_tokens("admin");
    // Pages now send the user to sign in again, saying why.
    let sign_in = the_session_ended(&app, &cookie).await;
    assert!(sign_in.starts_with("/login?next=/"), "{sign_in}");
}

#[tokio::test]
async fn upstream_401_on_a_data_call_ends_the_session() {
    let (app, cookie) = TestApp::start_as("admin").await;
    app.sim.sim.revoke_user_tokens("admin");
    assert_eq!(the_session_ended(&app, &cookie).await, "/login?next=/&reason=session_expired");
}

#[tokio::test]
async fn every_upstream_call_carries_the_users_own_token() {
    let (app, alice) = TestApp::start_as("alice").await;
    let bob = app.login("bob").await;
    app.sim.sim.reset_journal();
    app.call("current_user", Some(&alice)).await;
    app.call("current_user", Some(&bob)).await;
    let users: Vec<_> = app.sim.sim.journal().into_iter().map(|e| (e.path, e.user)).collect();
    assert_eq!(users.len(), 2);
    assert!(users[0].0.ends_with("/users/alice") && users[0].1.as_deref() == Some("alice"));
    assert!(users[1].0.ends_with("/users/bob") && users[1].1.as_deref() == Some("bob"));

    // Reads and writes of a page and of forms, by two people at once: each call carries the
    // token of the person it is for, never another's (the console has no token of its own).
    app.sim.sim.reset_journal();
    let admin = app.login("admin").await;
    let zed = new_user("zed", "zed@example.com", "Abcdefg1", "platform-regular");
    let (a, b, c, d) = tokio::join!(
        app.invite_to_workspace(&alice, "demo", "frank", "viewer"),
        app.submit(&admin, "create_user", &zed),
        app.get(&alice, "/workspaces/demo"),
        app.get(&admin, "/users/bob"),
    );
    assert_eq!((a.0, b.0, c.status(), d.status()), (StatusCode::OK, StatusCode::OK, StatusCode::OK, StatusCode::OK));
    let journal = app.sim.sim.journal();
    let calls: Vec<_> = journal.iter().filter(|e| !e.path.starts_with("/oauth/")).collect();
    assert!(calls.iter().any(|e| e.method == "POST") && calls.len() > 6, "{calls:?}");
    for e in calls {
        assert!(e.authorization_present, "{e:?}");
        assert!(matches!(e.bearer_token_owner.as_deref(), Some("alice" | "admin")), "{e:?}");
        assert_eq!(e.user, e.bearer_token_owner, "{e:?}");
    }
}

#[tokio::test]
async fn a_slow_kubesphere_is_cut_off_with_upstream_timeout() {
    let app = TestApp::builder().config(|c| c.upstream_timeout_ms = 500).start().await;
    let cookie = app.login("admin").await;
    app.sim.sim.inject(Fault::delay("/kapis/iam.kubesphere.io/v1beta1/users", Duration::from_secs(3)));
    let started = Instant::now();
    let res = app.call("current_user", Some(&cookie)).await;
    assert_eq!(res.status(), StatusCode::GATEWAY_TIMEOUT);
    assert!(started.elapsed() < Duration::from_millis(1000), "took {:?}", started.elapsed());
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "upstream_timeout");
}

#[tokio::test]
async fn upstream_failures_are_hidden_behind_a_generic_message_with_a_request_id() {
    let (app, cookie) = TestApp::start_as("admin").await;
    app.sim.sim.inject(Fault::status(
        "/kapis/iam.kubesphere.io/v1beta1/users",
        503,
        Some("etcd leader lost: secret-internal-detail".into()),
    ));
    let res = app.call("current_user", Some(&cookie)).await;
    assert_eq!(res.status(), StatusCode::BAD_GATEWAY);
    let request_id = header(res.headers(), "x-request-id").unwrap().to_owned();
    let text = res.text().await.unwrap();
    assert!(!text.contains("secret-internal-detail"));
    assert!(text.contains("KubeSphere is not reachable right now"));
    assert!(text.contains(&request_id), "the body names the request id");
}

#[tokio::test]
async fn failed_reads_are_retried_but_writes_and_logins_are_not() {
    let app = TestApp::builder().config(|c| c.upstream_read_retries = 2).start().await;
    let cookie = app.login("admin").await;
    app.sim.sim.inject(Fault::status("/kapis/iam.kubesphere.io/v1beta1/users", 503, None));
    app.sim.sim.reset_journal();
    app.call("current_user", Some(&cookie)).await;
    assert_eq!(app.upstream_count("GET", "/kapis/iam.kubesphere.io/v1beta1/users/admin"), 3);

    // A failing write is sent once: KubeSphere may have done it before failing.
    app.sim.sim.reset_journal();
    let (status, _) =
        app.submit(&cookie, "create_user", &new_user("zed", "zed@example.com", "Abcdefg1", "platform-regular")).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert_eq!(app.upstream_count("POST", "/kapis/iam.kubesphere.io/v1beta1/users"), 1);
    app.sim.sim.clear_faults();
    app.sim.sim.inject(Fault::status("/kapis/iam.kubesphere.io/v1beta1/users/bob", 503, None).method("PUT"));
    app.sim.sim.reset_journal();
    let (status, _) = app.change_platform_role(&cookie, "bob", "platform-self-provisioner").await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert_eq!(app.upstream_count("PUT", "/kapis/iam.kubesphere.io/v1beta1/users/bob"), 1);

    app.sim.sim.clear_faults();
    app.sim.sim.inject(Fault::status("/oauth/token", 503, None));
    app.sim.sim.reset_journal();
    let res = app.login_response("bob", crate::common::PASSWORD, true).await;
    assert_eq!(res.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(app.upstream_count("POST", "/oauth/token"), 1);
}

#[tokio::test]
async fn a_dropped_or_refused_connection_is_hidden_behind_the_same_generic_message() {
    let app = TestApp::builder().config(|c| c.upstream_read_retries = 0).start().await;
    let cookie = app.login("admin").await;
    app.sim.sim.inject(Fault::drop("/kapis/iam.kubesphere.io/v1beta1/users").times(1));
    let res = app.call("current_user", Some(&cookie)).await;
    assert_eq!(res.status(), StatusCode::BAD_GATEWAY);
    let request_id = header(res.headers(), "x-request-id").unwrap().to_owned();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "upstream_unavailable");
    assert_eq!(body["request_id"], request_id.as_str(), "{body}");

    // KubeSphere gone altogether: nothing listens on its port any more.
    let mut app = app;
    app.sim.shutdown().await;
    let res = app.call("current_user", Some(&cookie)).await;
    assert_eq!(res.status(), StatusCode::BAD_GATEWAY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "upstream_unavailable");
    assert!(body["message"].as_str().unwrap().contains("KubeSphere is not reachable right now"), "{body}");
}

#[tokio::test]
async fn the_circuit_breaker_fails_fast_then_recovers() {
    let app = TestApp::builder()
        .config(|c| {
            c.upstream_read_retries = 0;
            c.upstream_breaker_threshold = 3;
            c.upstream_breaker_cooldown_ms = 400;
        })
        .start()
        .await;
    let cookie = app.login("admin").await;
    app.sim.sim.inject(Fault::status("/kapis/", 503, None));
    for _ in 0..3 {
        assert_eq!(app.call("current_user", Some(&cookie)).await.status(), StatusCode::BAD_GATEWAY);
    }
    app.sim.sim.reset_journal();
    let started = Instant::now();
    assert_eq!(app.call("current_user", Some(&cookie)).await.status(), StatusCode::BAD_GATEWAY);
    assert!(started.elapsed() < Duration::from_millis(50) * 4, "fails fast");
    assert!(app.sim.sim.journal().is_empty(), "the open breaker does not reach KubeSphere");

    app.sim.sim.clear_faults();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.call("current_user", Some(&cookie)).await.status(), StatusCode::OK);
    assert_eq!(app.call("current_user", Some(&cookie)).await.status(), StatusCode::OK);
}
