//! The product's promises, enforced on the server: built-in roles only, admin grants confirmed,
//! names parsed before anything goes upstream, and forms that work without WASM.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::calls::new_user;
use crate::common::{header, TestApp};
use reqwest::StatusCode;
use serde_json::json;

fn upstream_writes(app: &TestApp) -> Vec<String> {
    app.upstream_writes()
}

#[tokio::test]
async fn a_custom_role_is_refused_before_anything_is_sent_upstream() {
    let (app, cookie) = TestApp::start_as("admin").await;
    app.sim.sim.reset_journal();
    let cases: [(&str, Vec<(&str, &str)>); 5] = [
        ("create_user", new_user("zed", "zed@example.com", "Passw0rdZed", "platform-auditor").to_vec()),
        ("change_platform_role", vec![("username", "bob"), ("platform_role", "platform-auditor")]),
        ("invite_workspace_members", vec![("workspace", "demo"), ("usernames", "frank"), ("role", "auditor")]),
        ("change_workspace_role", vec![("workspace", "demo"), ("username", "bob"), ("role", "team-b-admin")]),
        ("invite_project_members", vec![("project", "host/demo-web"), ("usernames", "frank"), ("role", "deployer")]),
    ];
    for (endpoint, fields) in cases {
        let (status, body) = app.submit(&cookie, endpoint, &fields).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{endpoint}: {body}");
        assert_eq!(body["code"], "invalid_field", "{endpoint}");
        assert!(body["detail"]["message"].as_str().unwrap().contains("built-in roles"), "{endpoint}: {body}");
    }
    assert!(app.sim.sim.journal().is_empty(), "nothing reached KubeSphere: {:?}", app.sim.sim.journal());
}

#[tokio::test]
async fn admin_roles_need_an_explicit_confirmation() {
    let (app, cookie) = TestApp::start_as("admin").await;
    app.sim.sim.reset_journal();
    let cases: [(&str, Vec<(&str, &str)>); 3] = [
        ("create_user", new_user("zed", "zed@example.com", "Passw0rdZed", "platform-admin").to_vec()),
        ("change_workspace_role", vec![("workspace", "demo"), ("username", "bob"), ("role", "admin")]),
        ("change_project_role", vec![("project", "host/demo-web"), ("username", "bob"), ("role", "admin")]),
    ];
    for (endpoint, fields) in cases {
        let (status, body) = app.submit(&cookie, endpoint, &fields).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{endpoint}");
        assert_eq!(body["detail"]["field"], "confirm_admin", "{endpoint}: {body}");
    }
    assert!(upstream_writes(&app).is_empty(), "{:?}", upstream_writes(&app));
}

#[tokio::test]
async fn names_that_could_change_an_upstream_path_never_reach_kubesphere() {
    let (app, cookie) = TestApp::start_as("admin").await;
    app.sim.sim.reset_journal();
    for bad in ["../admin", "a/b", "Alice", "x?y", &"a".repeat(64)] {
        let (status, _) = app.change_workspace_role(&cookie, bad, "bob", "x-regular").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        let (status, _) = app.change_platform_role(&cookie, bad, "platform-regular").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        let (status, _) = app.invite_to_project(&cookie, &format!("host/{bad}"), "bob", "viewer").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
    assert!(app.sim.sim.journal().is_empty());
}

#[tokio::test]
async fn the_weak_password_rule_is_the_servers_own() {
    let (app, cookie) = TestApp::start_as("admin").await;
    app.sim.sim.reset_journal();
    let (status, body) =
        app.submit(&cookie, "create_user", &new_user("zed", "zed@example.com", "short1A", "platform-regular")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["detail"]["field"], "password");
    assert!(app.sim.sim.journal().is_empty());
}

#[tokio::test]
async fn without_wasm_a_refused_form_comes_back_with_the_message_and_the_input() {
    let (app, cookie) = TestApp::start_as("admin").await;
    app.sim.sim.reset_journal();
    // A plain HTML form post, as a browser without WASM sends it.
    let res = app
        .post_without_wasm(
            Some(&cookie),
            "create_user",
            "/users/new",
            &new_user("zed", "zed@example.com", "Passw0rdZed", "platform-admin"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(header(res.headers(), "location"), Some("/users/new"));
    assert!(app.sim.sim.journal().is_empty(), "the unconfirmed admin grant went nowhere");

    let page = app.page(&cookie, "/users/new").await;
    assert!(page.contains("Confirm that this user should be a platform administrator."), "the reason is shown");
    // …next to the box it is about, which a screen reader reads it with.
    let checkbox = page.split("name=\"confirm_admin\"").nth(1).and_then(|s| s.split('>').next()).unwrap_or_default();
    assert!(
        checkbox.contains(r#"aria-describedby="field-platform_role-confirm-error""#)
            && checkbox.contains(r#"aria-invalid="true""#),
        "{checkbox}"
    );
    assert!(page.contains(r#"id="field-platform_role-confirm-error""#));
    assert!(page.contains("value=\"zed\""), "the username is kept");
    assert!(page.contains("value=\"zed@example.com\""), "the e-mail is kept");
    assert!(!page.contains("Passw0rdZed"), "the password is never kept");
    // The flash is shown once.
    let again = app.page(&cookie, "/users/new").await;
    assert!(!again.contains("Confirm that this user should be a platform administrator."));
}

#[tokio::test]
async fn a_plain_form_post_with_an_ended_session_goes_to_sign_in() {
    let app = TestApp::start().await;
    let res = app.post_without_wasm(None, "create_user", "/users/new", &[("username", "zed")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(header(res.headers(), "location"), Some("/login?next=/users/new&reason=not_signed_in"));
}

#[tokio::test]
async fn regular_users_are_told_why_they_cannot_create_users() {
    let (app, cookie) = TestApp::start_as("bob").await;
    let page = app.page(&cookie, "/users/new").await;
    assert!(page.contains("Only platform administrators can create users. Your platform role is platform-regular."));
    assert!(!page.contains("name=\"password\""), "no form is offered");
}

#[tokio::test]
async fn an_oversized_form_is_refused_before_it_is_read() {
    let (app, cookie) = TestApp::start_as("admin").await;
    app.sim.sim.reset_journal();
    // 1.8 MiB naming 46,656 people: once kept a core busy well past 30 s.
    let names: String = (0..46_656).map(|i| format!("person-{i:05},")).collect::<String>().repeat(3);
    let res = app
        .post_api(
            Some(&cookie),
            "invite_workspace_members",
            &[("workspace", "demo"), ("usernames", names.as_str()), ("role", "regular")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(app.sim.sim.journal().is_empty(), "nothing reached KubeSphere");
}

#[tokio::test]
async fn an_invitation_names_at_most_a_hundred_people() {
    let (app, cookie) = TestApp::start_as("admin").await;
    app.sim.sim.reset_journal();
    let names: Vec<String> = (0..101).map(|i| format!("p{i}")).collect();
    let (status, body) = app.invite_to_workspace(&cookie, "demo", &names.join(","), "regular").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["detail"], json!({"field": "usernames", "message": "Invite at most 100 people at a time."}));
    assert!(app.sim.sim.journal().is_empty());
}

#[tokio::test]
async fn search_text_never_adds_selector_terms_and_is_bounded() {
    let (app, cookie) = TestApp::start_as("admin").await;
    app.sim.sim.reset_journal();
    let search = |q: String| {
        let app = &app;
        let cookie = cookie.clone();
        async move {
            app.post_api(Some(&cookie), "list_people", &[("query", q.as_str()), ("page", "1"), ("sort", "")]).await
        }
    };
    assert_eq!(search("x@y.io,status.state!=Active".into()).await.status(), StatusCode::OK);
    let sent: Vec<String> = app.sim.sim.journal().into_iter().filter_map(|e| e.query).collect();
    assert!(sent.iter().all(|q| !q.contains("fieldSelector")), "not an e-mail address: no selector at all: {sent:?}");
    app.sim.sim.reset_journal();
    assert_eq!(search("Bob@Example.com".into()).await.status(), StatusCode::OK);
    let sent: Vec<String> = app.sim.sim.journal().into_iter().filter_map(|e| e.query).collect();
    assert!(sent.iter().any(|q| q.contains("fieldSelector=spec.email%3D%7Ebob%40example.com")), "{sent:?}");
    app.sim.sim.reset_journal();
    let res = search("a".repeat(101)).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(app.sim.sim.journal().is_empty(), "an over-long search never goes upstream");
}

#[tokio::test]
async fn a_plain_form_keeps_only_a_few_kib_for_its_page() {
    let (app, cookie) = TestApp::start_as("admin").await;
    let long = "d".repeat(50 * 1024);
    let res = app
        .post_without_wasm(
            Some(&cookie),
            "create_user",
            "/users/new",
            &[
                ("username", "zed"),
                ("email", "zed@example.com"),
                ("password", "Passw0rdZed"),
                ("platform_role", "platform-admin"),
                ("description", &long),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = app.page(&cookie, "/users/new").await;
    assert!(page.contains("value=\"zed\""), "the short fields are kept");
    assert!(page.contains(&"d".repeat(2048)) && !page.contains(&"d".repeat(2049)), "a long value is kept only in part");
}
