//! The capability table of §6, row by row, against the demo seed:
//! admin = platform-admin; alice = platform-self-provisioner, demo admin (manager), demo-web admin;
//! bob = demo regular, team-b self-provisioner, demo-web operator; carol = demo viewer, team-b
//! admin, demo-web viewer, team-b-data admin; frank = platform-regular, member of nothing;
//! grace = platform-auditor (custom), demo-auditor, deployer in demo-web.
#![allow(clippy::unwrap_used)]

use crate::common::{TestSim, IAM, TENANT, USERS};
use serde_json::json;

/// Allowed (`true`) or refused by the authorization filter with 403 Status JSON (`false`):
/// handlers may still answer with their own errors, which count as allowed.
async fn allowed(sim: &TestSim, user: &str, method: &str, path: &str, body: Option<serde_json::Value>) -> bool {
    let token = sim.access_token(user).await;
    let res = sim.call(method, path, Some(&token), body).await;
    if res.status == 403 && res.content_type.starts_with("application/json") {
        assert_eq!(res.json()["reason"], "Forbidden");
        return false;
    }
    true
}

async fn check(sim: &TestSim, method: &str, path: &str, body: serde_json::Value, expected: &[(&str, bool)]) {
    for (user, want) in expected {
        let got = allowed(sim, user, method, path, Some(body.clone())).await;
        assert_eq!(got, *want, "{user} {method} {path}");
    }
}

#[tokio::test]
async fn only_user_managers_create_and_update_users() {
    let sim = TestSim::start().await;
    let body = json!({"metadata": {"name": "zed"}, "spec": {"email": ""}});
    check(
        &sim,
        "POST",
        USERS,
        body,
        &[("admin", true), ("alice", false), ("bob", false), ("carol", false), ("frank", false), ("grace", false)],
    )
    .await;
    let body = json!({"metadata": {"name": "frank"}, "spec": {"email": "frank@example.com"}});
    check(
        &sim,
        "PUT",
        &format!("{USERS}/frank"),
        body,
        &[("admin", true), ("alice", false), ("carol", false), ("grace", false), ("frank", true)],
    )
    .await;
}

#[tokio::test]
async fn every_authenticated_user_lists_users_and_reads_workspace_templates() {
    let sim = TestSim::start().await;
    for user in ["admin", "alice", "bob", "carol", "frank", "grace"] {
        assert!(allowed(&sim, user, "GET", USERS, None).await);
        assert!(allowed(&sim, user, "GET", &format!("{TENANT}/workspacetemplates/team-b"), None).await);
        assert!(allowed(&sim, user, "GET", &format!("{USERS}/{user}"), None).await, "self");
    }
    assert!(!allowed(&sim, "frank", "GET", &format!("{USERS}/bob"), None).await);
    assert!(allowed(&sim, "grace", "GET", &format!("{USERS}/bob"), None).await, "auditor views users");
    let res = sim.call("GET", &format!("{TENANT}/workspacetemplates"), None, None).await;
    res.assert_forbidden_json();
    assert!(res.text.contains("system:anonymous"));
}

#[tokio::test]
async fn who_creates_workspaces() {
    let sim = TestSim::start().await;
    let path = format!("{TENANT}/workspacetemplates");
    for (user, want) in
        [("admin", true), ("alice", true), ("bob", false), ("carol", false), ("frank", false), ("grace", false)]
    {
        let body = json!({"metadata": {"name": format!("ws-{user}")},
            "spec": {"template": {"spec": {"manager": user}}, "placement": {"clusters": [{"name": "host"}]}}});
        assert_eq!(allowed(&sim, user, "POST", &path, Some(body)).await, want, "{user}");
    }
}

#[tokio::test]
async fn who_manages_workspace_members() {
    let sim = TestSim::start().await;
    let body = json!([{"username": "frank", "roleRef": "demo-viewer"}]);
    check(
        &sim,
        "POST",
        &format!("{IAM}/workspaces/demo/workspacemembers"),
        body,
        &[("admin", true), ("alice", true), ("bob", false), ("carol", false), ("grace", false), ("frank", false)],
    )
    .await;
    let body = json!({"username": "bob", "roleRef": "team-b-viewer"});
    check(
        &sim,
        "PUT",
        &format!("{IAM}/workspaces/team-b/workspacemembers/bob"),
        body,
        &[("carol", true), ("alice", false), ("bob", false)],
    )
    .await;
}

#[tokio::test]
async fn who_creates_projects_in_a_workspace() {
    let sim = TestSim::start().await;
    for (user, ws, want) in [
        ("admin", "demo", true),
        ("alice", "demo", true),
        ("carol", "team-b", true),
        ("bob", "team-b", true),
        ("bob", "demo", false),
        ("carol", "demo", false),
        ("grace", "demo", false),
        ("frank", "demo", false),
    ] {
        let body = json!({"metadata": {"name": format!("p-{user}-{ws}"), "labels": {"kubesphere.io/managed": "true"}}});
        let path = format!("{TENANT}/workspaces/{ws}/namespaces");
        assert_eq!(allowed(&sim, user, "POST", &path, Some(body)).await, want, "{user} in {ws}");
    }
}

#[tokio::test]
async fn who_manages_project_members() {
    let sim = TestSim::start().await;
    let body = json!([{"username": "frank", "roleRef": "viewer"}]);
    check(
        &sim,
        "POST",
        &format!("{IAM}/namespaces/demo-web/namespacemembers"),
        body,
        &[("admin", true), ("alice", true), ("bob", false), ("carol", false), ("grace", false), ("frank", false)],
    )
    .await;
    let body = json!([{"username": "frank", "roleRef": "viewer"}]);
    check(
        &sim,
        "POST",
        &format!("{IAM}/namespaces/team-b-data/namespacemembers"),
        body,
        &[("carol", true), ("bob", false), ("alice", false)],
    )
    .await;
}

#[tokio::test]
async fn who_views_workspace_roles_and_members() {
    let sim = TestSim::start().await;
    for (user, want) in
        [("admin", true), ("alice", true), ("bob", true), ("carol", true), ("grace", true), ("frank", false)]
    {
        assert_eq!(
            allowed(&sim, user, "GET", &format!("{IAM}/workspaces/demo/workspaceroles"), None).await,
            want,
            "{user} roles"
        );
        assert_eq!(
            allowed(&sim, user, "GET", &format!("{IAM}/workspaces/demo/workspacemembers"), None).await,
            want,
            "{user} members"
        );
    }
}

#[tokio::test]
async fn who_views_project_members_and_roles() {
    let sim = TestSim::start().await;
    for (user, want) in
        [("admin", true), ("alice", true), ("bob", true), ("carol", true), ("grace", true), ("frank", false)]
    {
        assert_eq!(
            allowed(&sim, user, "GET", &format!("{IAM}/namespaces/demo-web/namespacemembers"), None).await,
            want,
            "{user} members"
        );
        assert_eq!(
            allowed(&sim, user, "GET", &format!("{IAM}/namespaces/demo-web/roles"), None).await,
            want,
            "{user} roles"
        );
    }
    // A workspace regular who is not in the project sees neither.
    assert!(
        !allowed(&sim, "bob", "GET", &format!("/clusters/member-1{IAM}/namespaces/demo-api/namespacemembers"), None)
            .await
    );
    // A workspace viewer sees every project of the workspace.
    assert!(
        allowed(&sim, "carol", "GET", &format!("/clusters/member-1{IAM}/namespaces/demo-api/namespacemembers"), None)
            .await
    );
}

#[tokio::test]
async fn namespaced_denials_name_the_namespace_and_workspace_ones_the_cluster_scope() {
    let sim = TestSim::start().await;
    let token = sim.access_token("frank").await;
    let res = sim.call("GET", &format!("{IAM}/namespaces/demo-web/roles"), Some(&token), None).await;
    assert_eq!(
        res.json()["message"],
        "roles.iam.kubesphere.io is forbidden: User \"frank\" cannot list resource \"roles\" in API group \"iam.kubesphere.io\" in the namespace \"demo-web\""
    );
    let res = sim.call("GET", &format!("{IAM}/workspaces/demo/workspacemembers/bob"), Some(&token), None).await;
    assert_eq!(
        res.json()["message"],
        "workspacemembers.iam.kubesphere.io \"bob\" is forbidden: User \"frank\" cannot get resource \"workspacemembers\" in API group \"iam.kubesphere.io\" at the cluster scope"
    );
}
