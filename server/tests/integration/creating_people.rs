//! Creating people: the exact account KubeSphere receives, least privilege by default, and its
//! refusals as plain sentences next to the field.

use crate::calls::new_user;
use crate::common::TestApp;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn create_user_sends_the_workflow_body_with_least_privilege_defaults() {
    let (app, cookie) = TestApp::start_as("admin").await;
    app.sim.sim.reset_journal();
    let (status, body) = app
        .submit(
            &cookie,
            "create_user",
            &[
                ("username", "zoe"),
                ("email", "zoe@example.com"),
                ("password", "Welcome2026"),
                ("platform_role", "platform-regular"),
                ("display_name", "Zoe Q"),
                ("description", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["username"], "zoe");
    let w = app.writes();
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!((w[0].method.as_str(), w[0].path.as_str()), ("POST", "/kapis/iam.kubesphere.io/v1beta1/users"));
    let sent = w[0].body.clone().unwrap();
    assert_eq!(sent["metadata"]["name"], "zoe");
    assert_eq!(
        sent["metadata"]["annotations"],
        json!({
            "iam.kubesphere.io/globalrole": "platform-regular",
            "iam.kubesphere.io/uninitialized": "true",
            "kubesphere.io/creator": "admin",
            "kubesphere.io/alias-name": "Zoe Q"
        })
    );
    assert_eq!(sent["spec"]["email"], "zoe@example.com");
    assert_eq!(sent["spec"]["password"], "***", "the journal redacts it; it was sent");
    // The new account works.
    assert_eq!(app.login_response("zoe", "Welcome2026", true).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn create_user_explains_kubesphere_refusals_next_to_the_field() {
    let (app, cookie) = TestApp::start_as("admin").await;
    let base =
        |name: &'static str, email: &'static str| new_user(name, email, "Welcome2026", "platform-regular").to_vec();
    let (status, body) = app.submit(&cookie, "create_user", &base("bob", "new@example.com")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["detail"], json!({"field": "username", "message": "A user named bob already exists."}));
    let (_, body) = app.submit(&cookie, "create_user", &base("newbie", "bob@example.com")).await;
    assert_eq!(body["detail"], json!({"field": "email", "message": "Another user already has this e-mail address."}));
}

#[tokio::test]
async fn a_regular_user_creating_a_user_gets_a_plain_forbidden() {
    let (app, cookie) = TestApp::start_as("bob").await;
    let (status, body) = app
        .submit(&cookie, "create_user", &new_user("zed", "zed@example.com", "Welcome2026", "platform-regular"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "forbidden");
    // The session stays valid after a 403.
    assert_eq!(app.call("current_user", Some(&cookie)).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_refused_user_creation_logs_no_password() {
    let password = "Zq9-not-in-any-log";
    crate::common::captured_logs();
    {
        let (app, cookie) = TestApp::start_as("admin").await;
        // As KubeSphere's API server does, the refusal echoes the rejected value.
        let echo = format!(
            r#"User.iam.kubesphere.io "zed" is invalid: spec.password: Invalid value: "{password}": spec.password in body should match '^x$'"#
        );
        app.sim.sim.inject(
            ks_sim::Fault::status("/kapis/iam.kubesphere.io/v1beta1/users", 422, Some(echo)).method("POST").times(1),
        );
        let (status, _) =
            app.submit(&cookie, "create_user", &new_user("zed", "zed@example.com", password, "platform-regular")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
    let logs = crate::common::captured_logs();
    assert!(logs.contains("KubeSphere answered with an error"), "the refusal is logged: {logs}");
    assert!(!logs.contains(password), "{logs}");
}
