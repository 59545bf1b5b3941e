//! Default-deny, the same-origin guard, security headers, request ids and health endpoints.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{header, set_cookies, TestApp};
use leptos::server_fn::axum::server_fn_paths;
use reqwest::{Method, StatusCode};

/// Server functions that may be called without a session. Deliberately empty: login and logout
/// are plain form handlers, and everything else needs a signed-in user.
const PUBLIC_SERVER_FNS: &[&str] = &[];

#[tokio::test]
async fn every_server_function_requires_a_session_and_reaches_nothing_upstream() {
    let app = TestApp::start().await;
    // Link the app's server functions into this binary before listing them.
    let _ = app::auth::current_user;
    let paths: Vec<_> = server_fn_paths().collect();
    assert!(!paths.is_empty());
    app.sim.sim.reset_journal();
    for (path, _method) in paths {
        if PUBLIC_SERVER_FNS.contains(&path) {
            continue;
        }
        let res = app
            .request(Method::POST, path, None)
            .header("content-type", "application/x-www-form-urlencoded")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    assert!(app.sim.sim.journal().is_empty(), "no upstream call without a session");
}

#[tokio::test]
async fn no_server_function_is_reachable_with_get() {
    let _ = app::auth::current_user;
    for (path, method) in server_fn_paths() {
        assert_eq!(method, http::Method::POST, "{path} must not use a GET encoding");
    }
}

#[tokio::test]
async fn cross_origin_requests_are_refused_before_anything_happens() {
    let (app, cookie) = TestApp::start_as("admin").await;
    app.sim.sim.reset_journal();
    let url = format!("{}/api/current_user", app.url);
    let attempts: [&[(&str, &str)]; 4] = [
        &[("origin", "https://evil.example")],
        &[("sec-fetch-site", "cross-site")],
        &[("sec-fetch-site", "same-site"), ("origin", "http://sub.example")],
        &[],
    ];
    for headers in attempts {
        let mut req = app.http.post(&url).header("cookie", &cookie).body("");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{headers:?}");
        assert!(header(res.headers(), "access-control-allow-origin").is_none());
        assert!(res.text().await.unwrap().contains("cross_site"));
    }
    // A cross-site login form post is refused too (login CSRF).
    let res = app
        .http
        .post(format!("{}/login", app.url))
        .header("origin", "https://evil.example")
        .form(&[("username", "admin"), ("password", crate::common::PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(app.sim.sim.journal().is_empty(), "nothing reached KubeSphere");

    // With the configured origin (no fetch metadata) the same call proceeds.
    let res = app
        .http
        .post(&url)
        .header("cookie", &cookie)
        .header("origin", app.url.as_str())
        .header("accept", "application/json")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn html_carries_a_fresh_csp_nonce_that_matches_the_hydration_script() {
    let app = TestApp::start().await;
    let mut nonces = Vec::new();
    for _ in 0..2 {
        let res = app.request(Method::GET, "/login", None).send().await.unwrap();
        let csp = header(res.headers(), "content-security-policy").expect("a CSP").to_owned();
        for part in ["'wasm-unsafe-eval'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"] {
            assert!(csp.contains(part), "{part} missing in {csp}");
        }
        let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap().to_owned();
        let html = res.text().await.unwrap();
        assert!(html.contains(&format!("nonce=\"{nonce}\"")), "the hydration script carries the nonce");
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1]);
}

#[tokio::test]
async fn responses_carry_the_standard_security_headers() {
    let app = TestApp::builder().config(|c| c.public_origin = Some("https://console.example".into())).start().await;
    let res = app.request(Method::GET, "/login", None).send().await.unwrap();
    assert_eq!(header(res.headers(), "x-content-type-options"), Some("nosniff"));
    assert_eq!(header(res.headers(), "referrer-policy"), Some("strict-origin-when-cross-origin"));
    assert_eq!(header(res.headers(), "cache-control"), Some("no-store"));
    let hsts = header(res.headers(), "strict-transport-security").unwrap();
    let max_age: u64 = hsts.split("max-age=").nth(1).unwrap().split(';').next().unwrap().parse().unwrap();
    assert!(max_age >= 31_536_000);
    let res = app.call("current_user", None).await;
    assert_eq!(header(res.headers(), "cache-control"), Some("no-store"));
    assert_eq!(header(res.headers(), "x-content-type-options"), Some("nosniff"));
}

#[tokio::test]
async fn sign_in_and_sign_out_answers_are_never_cached_and_no_site_may_embed_or_open_us() {
    let app = TestApp::start().await;
    let login = app.login_response("bob", crate::common::PASSWORD, true).await;
    let cookie = crate::common::session_cookie(login.headers()).unwrap();
    let logout =
        app.request(Method::POST, "/logout", Some(&cookie)).header("accept", "application/json").send().await.unwrap();
    let failed = app.login_response("bob", "Wrong-passw0rd", true).await;
    for res in [&login, &logout, &failed] {
        let h = res.headers();
        assert_eq!(header(h, "cache-control"), Some("no-store"), "{}", res.url());
        assert_eq!(header(h, "cross-origin-opener-policy"), Some("same-origin"));
        assert_eq!(header(h, "cross-origin-resource-policy"), Some("same-origin"));
        assert!(header(h, "permissions-policy").unwrap().contains("camera=()"));
    }
}

#[tokio::test]
async fn a_token_refused_during_an_optional_read_ends_the_session_too() {
    let (app, cookie) = TestApp::start_as("bob").await;
    // Signed out elsewhere (multipleLogin: false, or an administrator): KubeSphere answers 401.
    app.sim.sim.revoke_user_tokens("bob");
    let res = app.post_api(Some(&cookie), "workspace_role_options", &[("workspace", "demo")]).await;
    assert_eq!(res.status(), StatusCode::OK, "an optional read answers with nothing");
    app.sim.sim.reset_journal();
    let res = app.call("my_permissions", Some(&cookie)).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(app.sim.sim.journal().is_empty(), "the session had already ended: nothing asked upstream");
}

#[tokio::test]
async fn request_ids_are_kept_returned_and_forwarded_upstream() {
    let app = TestApp::start().await;
    let res = app.request(Method::GET, "/livez", None).send().await.unwrap();
    assert!(header(res.headers(), "x-request-id").is_some_and(|id| !id.is_empty()));

    let cookie = app.login("admin").await;
    app.sim.sim.reset_journal();
    let res = app
        .request(Method::POST, "/api/current_user", Some(&cookie))
        .header("x-request-id", "trace-abc-123")
        .header("accept", "application/json")
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(header(res.headers(), "x-request-id"), Some("trace-abc-123"));
    let upstream = app.sim.sim.journal();
    assert!(!upstream.is_empty());
    assert!(upstream.iter().all(|e| e.request_id.as_deref() == Some("trace-abc-123")));

    // Something that is not an id is replaced, never echoed or forwarded.
    let res =
        app.request(Method::GET, "/livez", None).header("x-request-id", "bad id\twith spaces").send().await.unwrap();
    assert_ne!(header(res.headers(), "x-request-id"), Some("bad id\twith spaces"));
}

#[tokio::test]
async fn health_endpoints_need_no_session_and_set_no_cookie() {
    let app = TestApp::start().await;
    for path in ["/livez", "/readyz"] {
        let res = app.request(Method::GET, path, None).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert!(set_cookies(res.headers()).is_empty());
    }
    assert!(app.sim.sim.journal().is_empty());
}

#[tokio::test]
async fn livez_stays_up_when_kubesphere_is_down() {
    let app = TestApp::start().await;
    app.sim.sim.inject(ks_sim::Fault::status("/", 503, None));
    let res = app.request(Method::GET, "/livez", None).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_client_that_stops_halfway_through_its_headers_is_disconnected() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::builder().config(|c| c.header_read_timeout_secs = 1).start().await;
    let mut slow = tokio::net::TcpStream::connect(app.addr()).await.unwrap();
    slow.write_all(b"GET /livez HTTP/1.1\r\nHost: console\r\nX-Slow: ").await.unwrap();
    // Hyper answers 408 and closes, or just closes: either way the connection ends.
    let mut answer = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(10), slow.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "still open 10 s after a 1 s header-read timeout");
    // The console still serves everyone else.
    let res = app.request(Method::GET, "/livez", None).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn shutdown_gives_in_flight_requests_a_bounded_grace_period() {
    let mut app = TestApp::builder().config(|c| c.shutdown_grace_secs = 1).start().await;
    let cookie = app.login("bob").await;
    // A request stuck upstream for a long time.
    app.sim
        .sim
        .inject(ks_sim::Fault::delay("/kapis/iam.kubesphere.io/v1beta1/users", std::time::Duration::from_secs(60)));
    let stuck = {
        let req = app
            .request(Method::POST, "/api/my_permissions", Some(&cookie))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("");
        tokio::spawn(async move {
            let _ = req.send().await;
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let started = std::time::Instant::now();
    tokio::time::timeout(std::time::Duration::from_secs(5), app.shut_down()).await.expect("the process would exit");
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "1 s of grace, then out");
    stuck.abort();
}

#[tokio::test]
async fn shutdown_lets_an_in_flight_request_finish_and_refuses_new_connections() {
    let mut app = TestApp::builder().config(|c| c.shutdown_grace_secs = 10).start().await;
    let cookie = app.login("bob").await;
    let slow = std::time::Duration::from_millis(1500);
    app.sim.sim.inject(ks_sim::Fault::delay("/kapis/iam.kubesphere.io/v1beta1/users", slow).times(1));
    let in_flight = {
        let req = app
            .request(Method::POST, "/api/current_user", Some(&cookie))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("");
        tokio::spawn(async move { req.send().await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let started = std::time::Instant::now();
    let stopping = app.begin_shut_down();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(tokio::net::TcpStream::connect(app.addr()).await.is_err(), "no new connection is accepted");
    let res = in_flight.await.unwrap().expect("the in-flight request is answered");
    assert_eq!(res.status(), StatusCode::OK);
    tokio::time::timeout(std::time::Duration::from_secs(10), stopping).await.unwrap().unwrap();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "it exits once that request is done, not at the grace period's end"
    );
}

#[tokio::test]
async fn signed_in_pages_and_answers_are_never_cached() {
    let (app, cookie) = TestApp::start_as("bob").await;
    let page = app.get(&cookie, "/users/bob").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(header(page.headers(), "cache-control"), Some("no-store"));
    let answer = app.call("current_user", Some(&cookie)).await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(header(answer.headers(), "cache-control"), Some("no-store"));
}

#[tokio::test]
async fn a_full_console_refuses_more_at_once_and_no_request_runs_past_the_timeout() {
    let app = TestApp::builder()
        .config(|c| {
            c.max_concurrent_requests = 2;
            // Long enough that all four are sent while the first two still run, even when the
            // suite's other tests keep both cores busy (with 2 s, late ones were admitted).
            c.request_timeout_secs = 5;
        })
        .start()
        .await;
    let cookie = app.login("bob").await;
    app.sim
        .sim
        .inject(ks_sim::Fault::delay("/kapis/iam.kubesphere.io/v1beta1/users", std::time::Duration::from_secs(30)));
    app.sim.sim.reset_journal();
    let send = || {
        app.request(Method::POST, "/api/my_permissions", Some(&cookie))
            .header("accept", "application/json")
            .header("content-type", "application/x-www-form-urlencoded")
            .body("")
            .send()
    };
    let started = std::time::Instant::now();
    let (a, b, c, d) = tokio::join!(send(), send(), send(), send());
    let mut statuses: Vec<u16> = [a, b, c, d].into_iter().map(|r| r.unwrap().status().as_u16()).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [503, 503, 503, 503], "two refused at once, two cut off by the timeout");
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "{:?}", started.elapsed());
    // Only the two admitted requests went upstream. Counted by request id, not by calls: the
    // admitted two share one load of the person's permissions, and when the one driving it is
    // cut off by the timeout the other starts it again (up to four calls, from two requests).
    let journal = app.sim.sim.journal();
    let requests: std::collections::BTreeSet<Option<String>> = journal.iter().map(|e| e.request_id.clone()).collect();
    assert!(requests.len() <= 2 && requests.iter().all(Option::is_some), "{journal:#?}");
    assert!(journal.len() <= 4, "{journal:#?}");
    // Probes still get through.
    assert_eq!(app.request(Method::GET, "/readyz", None).send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn a_foreign_host_name_is_refused_except_by_health_probes() {
    let app = TestApp::start().await;
    let rebound = |path: &str| app.http.get(format!("{}{path}", app.url)).header("host", "rebind.evil.example").send();
    assert_eq!(rebound("/login").await.unwrap().status(), StatusCode::MISDIRECTED_REQUEST, "DNS rebinding");
    assert_eq!(rebound("/livez").await.unwrap().status(), StatusCode::OK, "probes reach pods by address");
    assert_eq!(rebound("/readyz").await.unwrap().status(), StatusCode::OK);
    let port = app.addr().port();
    let alias = app.http.get(format!("{}/login", app.url)).header("host", format!("localhost:{port}")).send();
    assert_eq!(alias.await.unwrap().status(), StatusCode::OK, "a loopback alias of a loopback console");
}

#[tokio::test]
async fn one_session_calling_too_fast_is_slowed_down_alone() {
    let app = TestApp::builder().config(|c| c.api_calls_per_second = 2).start().await;
    let busy = app.login("bob").await;
    let calm = app.login("carol").await;
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let res = app.call("current_user", Some(&busy)).await;
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(header(res.headers(), "retry-after").is_some());
        }
        statuses.push(res.status());
    }
    assert!(statuses.contains(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    assert_eq!(app.call("current_user", Some(&calm)).await.status(), StatusCode::OK, "other sessions are not affected");
    assert_eq!(app.request(Method::GET, "/livez", None).send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn a_huge_concurrency_setting_means_no_limit_not_a_crash() {
    let app = TestApp::builder().config(|c| c.max_concurrent_requests = usize::MAX).start().await;
    let res = app.request(Method::GET, "/login", None).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}
