//! Login, session cookies and logout, against the simulator.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use crate::calls::new_user;
use crate::common::{header, session_cookie, set_cookies, TestApp, PASSWORD};
use futures::StreamExt;
use ks_sim::Fault;
use reqwest::{Method, StatusCode};
use serde_json::Value;

#[tokio::test]
async fn login_sets_exactly_one_hardened_session_cookie() {
    let app = TestApp::builder().config(|c| c.public_origin = Some("https://console.example".into())).start().await;
    let res = app.login_response("admin", PASSWORD, false).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let cookies = set_cookies(res.headers());
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    let cookie = &cookies[0];
    assert!(cookie.starts_with("__Host-ks-console="), "{cookie}");
    let attrs: Vec<String> = cookie.split(';').skip(1).map(|a| a.trim().to_ascii_lowercase()).collect();
    for wanted in ["httponly", "secure", "path=/", "samesite=lax"] {
        assert!(attrs.iter().any(|a| a == wanted), "missing {wanted} in {cookie}");
    }
    assert!(!attrs.iter().any(|a| a.starts_with("domain")), "{cookie}");
}

#[tokio::test]
async fn plain_http_development_cookie_is_not_secure_but_still_http_only() {
    let app = TestApp::start().await;
    let res = app.login_response("admin", PASSWORD, false).await;
    let cookie = set_cookies(res.headers()).pop().unwrap();
    assert!(cookie.starts_with("ks-console="), "{cookie}");
    assert!(cookie.contains("HttpOnly"));
    assert!(!cookie.contains("Secure"));
}

#[tokio::test]
async fn session_id_changes_on_login_and_the_old_id_is_dead() {
    let (app, first) = TestApp::start_as("alice").await;
    // Log in again while holding the first session: a new id is issued.
    let res = app
        .request(Method::POST, "/login", Some(&first))
        .form(&[("username", "bob"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let second = session_cookie(res.headers()).expect("a new cookie");
    assert_ne!(first, second);
    assert_eq!(app.call("current_user", Some(&first)).await.status(), StatusCode::UNAUTHORIZED);
    let me: Value = app.call("current_user", Some(&second)).await.json().await.unwrap();
    assert_eq!(me["username"], "bob");
}

#[tokio::test]
async fn login_by_email_signs_in_the_account_it_belongs_to() {
    let app = TestApp::start().await;
    let cookie = app.login("carol@example.com").await;
    let me: Value = app.call("current_user", Some(&cookie)).await.json().await.unwrap();
    assert_eq!(me["username"], "carol");
    assert_eq!(me["platform_role"], "platform-regular");
}

#[tokio::test]
async fn wrong_password_unknown_user_and_suspended_account_look_identical() {
    let app = TestApp::start().await;
    let attempts = [("alice", "Wrong-passw0rd"), ("nobody-here", PASSWORD), ("erin", PASSWORD)];
    let mut json_answers = Vec::new();
    let mut html_answers = Vec::new();
    for (user, password) in attempts {
        let res = app.login_response(user, password, true).await;
        json_answers.push((res.status(), res.text().await.unwrap()));
        let res = app.login_response(user, password, false).await;
        let status = res.status();
        let csp = header(res.headers(), "content-security-policy").unwrap().to_owned();
        let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap().to_owned();
        let body = res.text().await.unwrap();
        // The page repeats the username typed and carries a per-response nonce; nothing else may differ.
        let normalised = body.replace(&nonce, "NONCE").replace(user, "USER");
        html_answers.push((status, normalised));
    }
    assert_eq!(json_answers[0].0, StatusCode::UNAUTHORIZED);
    assert!(json_answers[0].1.contains("Incorrect username or password."));
    assert!(json_answers.iter().all(|a| a == &json_answers[0]), "{json_answers:?}");
    assert_eq!(html_answers[0].0, StatusCode::UNAUTHORIZED);
    assert!(html_answers[0].1.contains("Incorrect username or password."));
    assert!(html_answers.iter().all(|a| a == &html_answers[0]));
}

#[tokio::test]
async fn locked_account_gets_429_with_kubespheres_ten_minute_lockout() {
    // KubeSphere sends no Retry-After; its lock lasts 10 minutes on a default install.
    let app = TestApp::start().await;
    for json in [true, false] {
        let res = app.login_response("dave", PASSWORD, json).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(header(res.headers(), "retry-after"), Some("600"));
        assert!(res.text().await.unwrap().contains("sign in again after about ten minutes"));
    }
    let app = TestApp::builder().config(|c| c.ks_lockout_secs = 1800).start().await;
    let res = app.login_response("dave", PASSWORD, true).await;
    assert_eq!(header(res.headers(), "retry-after"), Some("1800"));
}

#[tokio::test]
async fn console_throttles_repeated_failures_without_asking_kubesphere() {
    let app = TestApp::builder().config(|c| c.login_throttle_max_failures = 3).start().await;
    for _ in 0..3 {
        let res = app.login_response("alice", "Wrong-passw0rd", true).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let before = app.upstream_count("POST", "/oauth/token");
    let res = app.login_response("alice", PASSWORD, true).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(header(res.headers(), "retry-after").is_some());
    assert_eq!(app.upstream_count("POST", "/oauth/token"), before, "KubeSphere must not be asked");
}

#[tokio::test]
async fn a_login_name_over_256_bytes_is_refused_before_counting_or_asking_kubesphere() {
    let app = TestApp::builder().config(|c| c.login_throttle_max_failures_per_address = 3).start().await;
    let huge = "x".repeat(60_000);
    for _ in 0..5 {
        let res = app.login_response(&huge, "Wrong-passw0rd", true).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(app.upstream_count("POST", "/oauth/token"), 0, "KubeSphere is not asked");
    // Not counted: the address may still sign in (3 failures from it would throttle it).
    assert_eq!(app.login_response("alice", PASSWORD, true).await.status(), StatusCode::OK);
    // A plain-form failure does not carry the name back in the page's address either.
    let res = app
        .request(Method::POST, "/login", None)
        .form(&[("username", huge.as_str()), ("password", "Wrong-passw0rd")])
        .send()
        .await
        .unwrap();
    assert!(!res.text().await.unwrap().contains(&huge[..300]));
}

#[tokio::test]
async fn spoofed_client_ip_headers_from_an_untrusted_peer_are_not_forwarded() {
    let app = TestApp::start().await;
    app.request(Method::POST, "/login", None)
        .header("x-client-ip", "6.6.6.6")
        .header("x-forwarded-for", "6.6.6.6")
        .form(&[("username", "admin"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let entry = app.sim.sim.journal().into_iter().find(|e| e.path == "/oauth/token").unwrap();
    assert_eq!(entry.x_client_ip.as_deref(), Some("127.0.0.1"));
}

#[tokio::test]
async fn no_token_ever_reaches_the_browser() {
    let app = TestApp::start().await;
    // Everything the browser could see: headers and bodies of a login-and-browse session.
    async fn seen(res: reqwest::Response) -> (String, reqwest::header::HeaderMap) {
        let headers = res.headers().clone();
        let mut text: String = headers.iter().map(|(k, v)| format!("{k}: {}\n", v.to_str().unwrap_or(""))).collect();
        text.push_str(&res.text().await.unwrap());
        (text, headers)
    }
    let (mut all, headers) = seen(app.login_response("admin", PASSWORD, false).await).await;
    let cookie = session_cookie(&headers).unwrap();
    for (method, path) in
        [(Method::GET, "/"), (Method::GET, "/login"), (Method::GET, "/users/new"), (Method::GET, "/nowhere")]
    {
        all.push_str(&seen(app.request(method, path, Some(&cookie)).send().await.unwrap()).await.0);
    }
    all.push_str(&seen(app.call("current_user", Some(&cookie)).await).await.0);
    all.push_str(&seen(app.request(Method::POST, "/logout", Some(&cookie)).send().await.unwrap()).await.0);
    let seen = all;

    let tokens = app.sim.sim.issued_tokens();
    assert!(!tokens.is_empty());
    for token in tokens {
        assert!(!seen.contains(&token), "a token leaked");
        let signature = token.rsplit('.').next().unwrap();
        assert!(!seen.contains(signature), "a token signature leaked");
    }
}

#[tokio::test]
async fn logout_revokes_upstream_expires_the_cookie_and_kills_the_session() {
    let (app, cookie) = TestApp::start_as("admin").await;
    let res = app.request(Method::POST, "/logout", Some(&cookie)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(header(res.headers(), "location"), Some("/login?reason=signed_out"));
    let removal = set_cookies(res.headers()).pop().expect("a removal cookie");
    assert!(removal.contains("Max-Age=0") || removal.contains("max-age=0"), "{removal}");

    let logouts: Vec<_> = app.sim.sim.journal().into_iter().filter(|e| e.path == "/oauth/logout").collect();
    assert_eq!(logouts.len(), 1);
    assert_eq!(logouts[0].user.as_deref(), Some("admin"), "revoked with the user's own bearer token");
    assert_eq!(app.call("current_user", Some(&cookie)).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn logout_completes_when_kubesphere_logout_hangs() {
    let app = TestApp::builder().config(|c| c.logout_timeout_ms = 300).start().await;
    let cookie = app.login("admin").await;
    app.sim.sim.inject(Fault::delay("/oauth/logout", Duration::from_secs(5)));
    let started = Instant::now();
    let res = app.request(Method::POST, "/logout", Some(&cookie)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(started.elapsed() < Duration::from_millis(1500), "took {:?}", started.elapsed());
    assert_eq!(app.call("current_user", Some(&cookie)).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn logout_completes_when_kubesphere_logout_fails_or_is_unreachable() {
    let app = TestApp::start().await;
    for fault in [Fault::status("/oauth/logout", 500, None), Fault::drop("/oauth/logout")] {
        let cookie = app.login("admin").await;
        app.sim.sim.inject(fault.times(1));
        let res = app.request(Method::POST, "/logout", Some(&cookie)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.call("current_user", Some(&cookie)).await.status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn the_configured_same_site_mode_is_the_one_sent() {
    let app = TestApp::builder().config(|c| c.cookie_same_site = server::config::SameSiteSetting::Strict).start().await;
    let res = app.login_response("admin", PASSWORD, false).await;
    let cookie = set_cookies(res.headers()).pop().unwrap().to_ascii_lowercase();
    assert!(cookie.contains("samesite=strict"), "{cookie}");
}

/// Sign-in, a failed sign-in and a token refresh, with logs captured at debug level: no
/// password and no token (access or refresh) appears in any line.
#[tokio::test]
async fn no_password_or_token_reaches_the_logs() {
    crate::common::captured_logs();
    let wrong = "Wr0ng-but-secret-77";
    let app = TestApp::builder()
        // Issued tokens live 30 s and are refreshed 60 s before they expire: at the next request.
        .sim(|s| s.access_token_ttl = Duration::from_secs(30))
        .start()
        .await;
    assert_eq!(app.login_response("bob", wrong, true).await.status(), StatusCode::UNAUTHORIZED);
    let cookie = app.login("bob").await;
    assert_eq!(app.call("current_user", Some(&cookie)).await.status(), StatusCode::OK);
    assert!(app.upstream_count("POST", "/oauth/token") >= 3, "a failed sign-in, a sign-in and a refresh");
    let logs = crate::common::captured_logs();
    assert!(logs.contains("refreshed the KubeSphere access token"), "the refresh happened while capturing");
    for secret in [wrong, PASSWORD] {
        assert!(!logs.contains(secret), "a password is in the logs");
    }
    let tokens = app.sim.sim.issued_tokens();
    assert!(!tokens.is_empty());
    for token in tokens {
        assert!(!logs.contains(&token), "a token is in the logs");
    }
}

#[tokio::test]
async fn idle_sessions_expire() {
    let app = TestApp::builder().config(|c| c.session_idle_timeout_secs = 1).start().await;
    let cookie = app.login("admin").await;
    assert_eq!(app.call("current_user", Some(&cookie)).await.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(2200)).await;
    let res = app.call("current_user", Some(&cookie)).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "session_expired");
}

#[tokio::test]
async fn sessions_end_after_their_absolute_lifetime_even_when_active() {
    let app = TestApp::builder().config(|c| c.session_max_lifetime_secs = 2).start().await;
    let cookie = app.login("admin").await;
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(1500) {
        assert_eq!(app.call("current_user", Some(&cookie)).await.status(), StatusCode::OK);
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let res = app.call("current_user", Some(&cookie)).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn pages_without_a_session_redirect_to_login_and_come_back() {
    let app = TestApp::start().await;
    let res = app.request(Method::GET, "/?tab=x", None).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(header(res.headers(), "location"), Some("/login?next=/%3Ftab%3Dx"));
    // After login, the user lands where they asked to go.
    let res = app
        .request(Method::POST, "/login", None)
        .form(&[("username", "admin"), ("password", PASSWORD), ("next", "/?tab=x")])
        .send()
        .await
        .unwrap();
    assert_eq!(header(res.headers(), "location"), Some("/?tab=x"));
}

#[tokio::test]
async fn next_after_login_only_accepts_same_origin_paths() {
    let app = TestApp::start().await;
    for evil in ["//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)"] {
        let res = app
            .request(Method::POST, "/login", None)
            .form(&[("username", "admin"), ("password", PASSWORD), ("next", evil)])
            .send()
            .await
            .unwrap();
        assert_eq!(header(res.headers(), "location"), Some("/"), "{evil}");
    }
}

#[tokio::test]
async fn home_page_renders_the_user_on_the_server() {
    let (app, cookie) = TestApp::start_as("admin").await;
    let res = app.get(&cookie, "/").await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("Administrator</h1>"), "{html}");
    assert!(html.contains("platform-admin"));
}

#[tokio::test]
async fn a_token_without_expiry_is_never_refreshed() {
    // KubeSphere with an access-token max age of 0 (member clusters) sends no `expires_in` and
    // no `exp`: refreshing before every call would, with multiple login off, sign people out.
    let app = TestApp::builder()
        .sim(|c| c.access_token_ttl = Duration::ZERO)
        // 50 calls in a row: the per-session rate limit is not what this is about.
        .config(|c| c.api_calls_per_second = 0)
        .start()
        .await;
    let cookie = app.login("bob").await;
    assert_eq!(app.upstream_count("POST", "/oauth/token"), 1, "the login");
    for _ in 0..50 {
        let res = app.call("my_permissions", Some(&cookie)).await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    assert_eq!(app.upstream_count("POST", "/oauth/token"), 1, "no refresh in 50 requests");
}

#[tokio::test]
async fn signing_in_over_a_session_revokes_the_previous_users_token_and_keeps_nothing_of_it() {
    let (app, bob) = TestApp::start_as("bob").await;
    // bob leaves a failed plain-form submission (its fields are kept for the form) ...
    let res = app
        .post_without_wasm(
            Some(&bob),
            "create_user",
            "/users/new",
            &new_user("kept-by-bob", "x", "", "platform-regular"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // ... then alice signs in on the same browser.
    let res = app
        .request(Method::POST, "/login", Some(&bob))
        .form(&[("username", "alice"), ("password", PASSWORD), ("next", "/users/new")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let alice = session_cookie(res.headers()).expect("a new session");
    assert_eq!(app.upstream_count("GET", "/oauth/logout"), 1, "bob's access token was revoked upstream");
    let page = app.page(&alice, "/users/new").await;
    assert!(!page.contains("kept-by-bob"), "nothing of bob's session carries over");
    let res = app.call("my_permissions", Some(&bob)).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "bob's old cookie is worthless");
}

#[tokio::test]
async fn parallel_wrong_passwords_from_one_address_reach_kubesphere_at_most_the_limit() {
    let app = TestApp::builder().config(|c| c.login_throttle_max_failures = 10).start().await;
    let attempts = (0..50).map(|_| app.login_response("bob", "Wrong-passw0rd", true));
    let answers = futures::future::join_all(attempts).await;
    let refused_here = answers.iter().filter(|r| r.status() == StatusCode::TOO_MANY_REQUESTS).count();
    assert!(refused_here >= 40, "{refused_here} answered 429 by the console");
    let asked = app.upstream_count("POST", "/oauth/token");
    assert!(asked <= 10, "{asked} reached KubeSphere");
    // Even the right password waits out the window from this address.
    assert_eq!(app.login_response("bob", PASSWORD, true).await.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn ten_thousand_expired_sessions_leave_nothing_behind() {
    let app = TestApp::builder().config(|c| c.session_idle_timeout_secs = 1).start().await;
    let (sessions_before, tokens_before) = (app.memory.sessions.len(), app.memory.tokens.len());
    let logins = futures::stream::iter(0..10_000).map(|_| app.login_response("bob", PASSWORD, true));
    let answers: Vec<_> = futures::StreamExt::buffer_unordered(logins, 8).collect().await;
    let failed: Vec<StatusCode> =
        answers.iter().map(reqwest::Response::status).filter(|s| *s != StatusCode::OK).collect();
    assert!(failed.is_empty(), "every sign-in worked: {} did not, e.g. {:?}", failed.len(), failed.first());
    assert!(!app.memory.sessions.is_empty() && !app.memory.tokens.is_empty(), "the latest are still held");
    // Idle timeout 1 s; the store's and the vault's sweepers run every second.
    let deadline = Instant::now() + Duration::from_secs(10);
    while (app.memory.sessions.len(), app.memory.tokens.len()) != (sessions_before, tokens_before) {
        assert!(
            Instant::now() < deadline,
            "{} sessions, {} tokens left",
            app.memory.sessions.len(),
            app.memory.tokens.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
