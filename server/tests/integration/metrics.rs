//! What the console reports to operators: bounded labels, never a value a person typed.

use reqwest::Method;

use crate::common::TestApp;

#[tokio::test]
async fn requests_upstream_calls_and_logins_are_counted_by_route_never_by_value() {
    let handle = server::metrics::recorder();
    let app = TestApp::start().await;
    let cookie = app.login("bob").await;
    assert_eq!(app.login_response("bob", "Wrong-passw0rd", true).await.status(), 401);
    assert_eq!(app.call("current_user", Some(&cookie)).await.status(), 200);
    let page = app.request(Method::GET, "/users/carol", Some(&cookie)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let _ = app.call("no_such_function", Some(&cookie)).await;

    let text = handle.render();
    for wanted in [
        r#"ks_console_http_requests_total{route="/api/current_user",method="POST",status="200"}"#,
        r#"route="/users/{name}""#,
        r#"route="/api/other""#,
        r#"ks_upstream_requests_total{operation="GET /kapis/iam.kubesphere.io/v1beta1/users/{name}",outcome="200"}"#,
        r#"ks_console_logins_total{outcome="success"}"#,
        r#"ks_console_logins_total{outcome="failure"}"#,
        "ks_upstream_request_duration_seconds_bucket",
    ] {
        assert!(text.contains(wanted), "missing {wanted} in\n{text}");
    }
    assert!(!text.contains("carol") && !text.contains("no_such_function"), "a typed value became a label:\n{text}");
}
