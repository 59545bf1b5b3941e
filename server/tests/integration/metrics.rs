//! What the console reports to operators: bounded labels, never a value a person typed.

use reqwest::Method;

use crate::common::TestApp;

#[tokio::test]
async fn requests_upstream_calls_and_logins_are_counted_by_route_never_by_value() {
    let handle = server::metrics::recorder();
    let (app, cookie) = TestApp::start_as("bob").await;
    assert_eq!(app.login_response("bob", "Wrong-passw0rd", true).await.status(), 401);
    assert_eq!(app.call("current_user", Some(&cookie)).await.status(), 200);
    let page = app.get(&cookie, "/users/carol").await;
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

#[tokio::test]
async fn made_up_methods_and_paths_from_signed_out_clients_add_no_series() {
    let handle = server::metrics::recorder();
    let app = TestApp::start().await;
    for i in 0..1000 {
        let method = Method::from_bytes(format!("M{i}").as_bytes()).unwrap();
        let _ = app.request(method, &format!("/login/{i}"), None).send().await.unwrap();
        let _ = app.request(Method::GET, &format!("/made-up-{i}"), None).send().await.unwrap();
    }
    let text = handle.render();
    // Every label value comes from a closed set (other tests share this recorder: count values,
    // not series).
    let methods: std::collections::BTreeSet<&str> =
        text.split("method=\"").skip(1).filter_map(|rest| rest.split('"').next()).collect();
    let known = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "OTHER"];
    assert!(methods.iter().all(|m| known.contains(m)), "{methods:?}");
    assert!(methods.contains("OTHER"), "{text}");
    assert!(!text.contains("M999") && !text.contains("made-up"), "a made-up value became a label");
}
