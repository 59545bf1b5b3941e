//! Changing a person's platform role: only the role annotation changes, a concurrent update is
//! retried once, and only built-in roles are ever offered or sent.

use crate::common::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn changing_the_platform_role_changes_nothing_else_of_the_user() {
    let (app, cookie) = TestApp::start_as("admin").await;
    let before: Value = app.upstream_user("carol").await;
    app.sim.sim.reset_journal();
    let (status, body) = app.change_platform_role(&cookie, "carol", "platform-self-provisioner").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let w = app.writes();
    assert_eq!(w.len(), 1);
    assert_eq!((w[0].method.as_str(), w[0].path.as_str()), ("PUT", "/kapis/iam.kubesphere.io/v1beta1/users/carol"));
    let after: Value = app.upstream_user("carol").await;
    assert_eq!(after["metadata"]["annotations"]["iam.kubesphere.io/globalrole"], "platform-self-provisioner");
    let mut expected = before.clone();
    expected["metadata"]["annotations"]["iam.kubesphere.io/globalrole"] = json!("platform-self-provisioner");
    for volatile in ["resourceVersion", "managedFields"] {
        expected["metadata"].as_object_mut().unwrap().remove(volatile);
    }
    let mut after_cmp = after.clone();
    after_cmp["metadata"].as_object_mut().unwrap().remove("resourceVersion");
    after_cmp["metadata"].as_object_mut().unwrap().remove("managedFields");
    assert_eq!(after_cmp["spec"], expected["spec"], "spec unchanged");
    assert_eq!(
        after_cmp["metadata"]["annotations"], expected["metadata"]["annotations"],
        "only the role annotation changed"
    );
    assert_eq!(after_cmp["metadata"]["labels"], expected["metadata"]["labels"]);
}

#[tokio::test]
async fn a_concurrent_update_of_the_user_is_retried_once_then_explained() {
    let (app, cookie) = TestApp::start_as("admin").await;
    let conflict = r#"Operation cannot be fulfilled on users.iam.kubesphere.io "bob": the object has been modified; please apply your changes to the latest version and try again"#;
    let path = "/kapis/iam.kubesphere.io/v1beta1/users/bob";
    app.sim.sim.inject(ks_sim::Fault::status(path, 409, Some(conflict.into())).method("PUT").times(1));
    let (status, body) = app.change_platform_role(&cookie, "bob", "platform-self-provisioner").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.upstream_count("PUT", path), 2);
    let after = app.upstream_user("bob").await;
    assert_eq!(after["metadata"]["annotations"]["iam.kubesphere.io/globalrole"], "platform-self-provisioner");
    assert_eq!(after["spec"]["email"], "bob@example.com", "nothing else of the user was lost");
    app.sim.sim.inject(ks_sim::Fault::status(path, 409, Some(conflict.into())).method("PUT").times(2));
    let (status, body) = app.change_platform_role(&cookie, "bob", "platform-regular").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["detail"].as_str().unwrap().contains("at the same moment"), "{body}");
}

#[tokio::test]
async fn a_custom_global_role_named_like_a_3x_built_in_is_never_offered_or_sent() {
    let app = TestApp::builder()
        .sim(|c| {
            for name in ["users-manager", "workspaces-manager"] {
                c.seed.global_roles.push(ks_sim::SeedGlobalRole {
                    name: name.into(),
                    creator: Some("admin".into()),
                    alias: None,
                    description: None,
                    templates: vec!["global-manage-users".into()],
                    created: "2025-02-01T00:00:00Z".into(),
                });
            }
        })
        .start()
        .await;
    let cookie = app.login("admin").await;
    let roles: Vec<Value> = app.call("platform_role_options", Some(&cookie)).await.json().await.unwrap();
    let names: Vec<&str> = roles.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["platform-regular", "platform-self-provisioner", "platform-admin"]);
    app.sim.sim.reset_journal();
    let (status, body) = app.change_platform_role(&cookie, "bob", "users-manager").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(app.sim.sim.journal().is_empty(), "refused before anything reached KubeSphere");
}
