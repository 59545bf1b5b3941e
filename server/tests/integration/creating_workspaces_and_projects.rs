//! Creating workspaces and projects: the exact bodies KubeSphere receives, who may create what,
//! and a new workspace that KubeSphere is still setting up.

use crate::common::TestApp;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn create_workspace_and_project_send_the_workflow_bodies() {
    let (app, cookie) = TestApp::start_as("admin").await;
    app.sim.sim.reset_journal();
    let (status, body) = app
        .submit(
            &cookie,
            "create_workspace",
            &[
                ("name", "team-c"),
                ("manager", "alice"),
                ("clusters[]", "host"),
                ("clusters[]", "member-1"),
                ("alias", "Team C"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let w = app.writes();
    assert_eq!(
        (w[0].method.as_str(), w[0].path.as_str()),
        ("POST", "/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates")
    );
    let sent = w[0].body.clone().unwrap();
    assert_eq!(sent["metadata"]["name"], "team-c");
    assert_eq!(sent["metadata"]["annotations"]["kubesphere.io/creator"], "admin");
    assert_eq!(sent["spec"]["template"]["spec"]["manager"], "alice");
    assert_eq!(sent["spec"]["template"]["metadata"]["annotations"]["kubesphere.io/creator"], "admin");
    assert_eq!(sent["spec"]["placement"]["clusters"], json!([{"name": "host"}, {"name": "member-1"}]));

    app.sim.sim.reset_journal();
    let (status, body) = app.create_project(&cookie, "team-c", "member-1", "web").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let w = app.writes();
    assert_eq!(
        (w[0].method.as_str(), w[0].path.as_str()),
        ("POST", "/clusters/member-1/kapis/tenant.kubesphere.io/v1beta1/workspaces/team-c/namespaces")
    );
    let sent = w[0].body.clone().unwrap();
    assert_eq!(
        sent["metadata"]["labels"],
        json!({"kubesphere.io/workspace": "team-c", "kubesphere.io/managed": "true"})
    );
    assert_eq!(sent["metadata"]["annotations"]["kubesphere.io/creator"], "admin");
}

#[tokio::test]
async fn workspace_and_project_refusals_are_plain_sentences() {
    let (app, cookie) = TestApp::start_as("admin").await;
    let (status, body) = app
        .submit(&cookie, "create_workspace", &[("name", "demo"), ("manager", "admin"), ("clusters[]", "host")])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["detail"], json!({"field": "name", "message": "A workspace named demo already exists."}));
    let (_, body) = app.create_project(&cookie, "demo", "member-2", "x1").await;
    assert_eq!(
        body["detail"],
        json!({"field": "cluster", "message": "Workspace demo is not placed on cluster member-2."})
    );
    let (_, body) = app.create_project(&cookie, "demo", "host", "demo-web").await;
    assert_eq!(body["detail"]["field"], "name");
}

#[tokio::test]
async fn a_self_provisioner_is_told_they_can_only_manage_their_own_workspaces() {
    let (app, cookie) = TestApp::start_as("alice").await;
    let (status, body) = app.submit(&cookie, "create_workspace", &[("name", "alices"), ("manager", "bob")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["detail"]["field"], "manager");
    let (status, _) = app.submit(&cookie, "create_workspace", &[("name", "alices"), ("manager", "alice")]).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_self_provisioner_on_a_default_install_creates_a_workspace_without_a_cluster() {
    let (app, cookie) = TestApp::start_as("alice").await;
    let page = app.page(&cookie, "/workspaces/new").await;
    assert!(page.contains("No cluster yet"), "the form says an administrator places it");
    app.sim.sim.reset_journal();
    let (status, body) =
        app.submit(&cookie, "create_workspace", &[("name", "alices-team"), ("manager", "alice")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["has_cluster"], false);
    let post = app.writes().into_iter().find(|e| e.path.ends_with("/workspacetemplates")).unwrap();
    assert!(post.body.unwrap()["spec"].get("placement").is_none(), "an empty placement");
    let page = app.page(&cookie, "/projects/new").await;
    assert!(page.contains("Workspace alices-team is on no cluster yet"), "no projects there yet, said up front");
    let (status, body) = app
        .submit(&cookie, "create_workspace", &[("name", "elsewhere"), ("manager", "alice"), ("clusters[]", "host")])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["detail"]["field"], "clusters", "{body}");
    let bob = app.login("bob").await;
    let (status, body) = app.submit(&bob, "create_workspace", &[("name", "bobs"), ("manager", "bob")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["code"], "not_allowed_to", "the RBAC 'cluster scope' is not about clusters: {body}");
}

#[tokio::test]
async fn the_new_workspaces_page_does_not_fail_while_kubesphere_sets_it_up() {
    let app = TestApp::builder().sim(|c| c.controller_delay = std::time::Duration::from_secs(20)).start().await;
    let cookie = app.login("alice").await;
    let (status, body) = app.submit(&cookie, "create_workspace", &[("name", "brand-new"), ("manager", "alice")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // alice's manager binding does not exist yet, so KubeSphere refuses her the member list.
    let res = app.get(&cookie, "/workspaces/brand-new").await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    assert!(page.contains("KubeSphere is still setting up this new workspace"), "{page}");
    // An old workspace whose members she may not read is still a refusal.
    let res = app.get(&cookie, "/workspaces/team-b").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
