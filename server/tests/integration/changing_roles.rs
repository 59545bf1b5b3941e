//! Changing a member's workspace or project role: the new role is put, admin grants are
//! confirmed, and only built-in roles that exist are offered or sent, on KubeSphere 4.1.2 and
//! 4.1.3 alike (whose role names differ for long workspace names).

use crate::common::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The workspace role options the forms would offer for `workspace`.
async fn role_options(app: &TestApp, cookie: &str, workspace: &str) -> Vec<Value> {
    let (status, body) = app.submit(cookie, "workspace_role_options", &[("workspace", workspace)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value(body).unwrap()
}

#[tokio::test]
async fn role_changes_put_the_new_role_and_confirmed_admin_grants_go_through() {
    let (app, cookie) = TestApp::start_as("admin").await;
    app.sim.sim.reset_journal();
    let (status, body) = app
        .submit(
            &cookie,
            "change_workspace_role",
            &[("workspace", "demo"), ("username", "bob"), ("role", "admin"), ("confirm_admin", "yes")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = app.change_project_role(&cookie, "host/demo-web", "carol", "operator").await;
    assert_eq!(status, StatusCode::OK);
    let w = app.writes();
    assert_eq!(w.len(), 2);
    assert_eq!(
        (w[0].method.as_str(), w[0].path.as_str()),
        ("PUT", "/kapis/iam.kubesphere.io/v1beta1/workspaces/demo/workspacemembers/bob")
    );
    assert_eq!(w[0].body.clone().unwrap(), json!({"username": "bob", "roleRef": "demo-admin"}));
    assert_eq!(
        (w[1].method.as_str(), w[1].path.as_str()),
        ("PUT", "/clusters/host/kapis/iam.kubesphere.io/v1beta1/namespaces/demo-web/namespacemembers/carol")
    );
    assert_eq!(w[1].body.clone().unwrap(), json!({"username": "carol", "roleRef": "operator"}));

    let (status, body) = app.change_workspace_role(&cookie, "demo", "frank", "viewer").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["detail"]["message"], "frank is not a member of workspace demo. Invite them first.");
}

#[tokio::test]
async fn role_dropdowns_offer_only_built_in_roles_that_exist() {
    let (app, cookie) = TestApp::start_as("admin").await;
    let roles = role_options(&app, &cookie, "demo").await;
    let names: Vec<&str> = roles.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["demo-viewer", "demo-regular", "demo-self-provisioner", "demo-admin"]);
    let values: Vec<&str> = roles.iter().map(|r| r["value"].as_str().unwrap()).collect();
    assert_eq!(values, ["viewer", "regular", "self-provisioner", "admin"], "forms send the kind");
    let res = app.call("platform_role_options", Some(&cookie)).await;
    let roles: Vec<Value> = res.json().await.unwrap();
    let names: Vec<&str> = roles.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert!(!names.contains(&"platform-auditor"));
    assert_eq!(names.first(), Some(&"platform-regular"), "least privileged first");
}

#[tokio::test]
async fn after_a_failed_plain_submission_the_roles_page_offers_the_kept_workspaces_roles() {
    let (app, cookie) = TestApp::start_as("admin").await;
    // team-b is not the first workspace; the submission fails (an admin role, unconfirmed).
    let res = app
        .post_without_wasm(
            Some(&cookie),
            "change_workspace_role",
            "/roles",
            &[("workspace", "team-b"), ("username", "bob"), ("role", "admin")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = app.page(&cookie, "/roles").await;
    assert!(page.contains("<option value=\"team-b\" selected"), "the kept workspace is chosen");
    assert!(page.contains("team-b-regular</option>"), "and its roles are offered, without WASM");
    assert!(!page.contains("demo-regular</option>"), "not the first workspace's");
}

#[tokio::test]
async fn a_56_character_workspace_takes_invitations_and_role_changes_on_4_1_3() {
    let (app, cookie) = TestApp::start_as("admin").await;
    let ws = "w".repeat(56);
    app.create_workspace_on_host(&cookie, &ws).await;
    let roles = role_options(&app, &cookie, &ws).await;
    let regular = roles.iter().find(|r| r["value"] == "regular").expect("regular is offered")["name"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        regular,
        ks_types::WorkspaceRoleKind::Regular.candidate_names(&ws)[1],
        "the hashed name KubeSphere gave it"
    );
    app.sim.sim.reset_journal();
    let (status, body) = app.invite_to_workspace(&cookie, &ws, "frank", "regular").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        app.workspace_member_writes()[0].body.clone().unwrap(),
        json!([{"username": "frank", "roleRef": regular}])
    );
    let (status, body) = app.change_workspace_role(&cookie, &ws, "frank", "viewer").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        app.workspace_member_writes()[1].body.clone().unwrap(),
        json!({"username": "frank", "roleRef": format!("{ws}-viewer")})
    );
    let page = app.page(&cookie, &format!("/workspaces/{ws}")).await;
    assert!(
        page.contains("href=\"/users/frank\"") && page.contains(&format!("{ws}-viewer")),
        "frank is listed with his role"
    );
}

#[tokio::test]
async fn on_4_1_2_a_55_character_workspace_works_and_a_longer_one_is_explained_before_anything_is_sent() {
    let app = TestApp::builder().sim(|c| c.ks_version = ks_sim::KsVersion::V4_1_2).start().await;
    let cookie = app.login("admin").await;
    let fits = "f".repeat(55);
    app.create_workspace_on_host(&cookie, &fits).await;
    let (status, body) = app.invite_to_workspace(&cookie, &fits, "frank", "regular").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let long = "l".repeat(56);
    app.create_workspace_on_host(&cookie, &long).await;
    app.invite_to_workspace(&cookie, &long, "bob", "viewer").await;
    app.sim.sim.reset_journal();
    for (endpoint, who) in [("invite_workspace_members", "usernames"), ("change_workspace_role", "username")] {
        let person = if endpoint == "invite_workspace_members" { "frank" } else { "bob" };
        let (status, body) =
            app.submit(&cookie, endpoint, &[("workspace", &long), (who, person), ("role", "regular")]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{endpoint}: {body}");
        assert_eq!(body["detail"]["field"], "role");
        let message = body["detail"]["message"].as_str().unwrap();
        assert!(message.contains("longer than 55 characters") && message.contains("4.1.3"), "{message}");
    }
    assert!(app.writes().is_empty(), "nothing sent: on 4.1.2 a failed grant first removes the current role");
}

#[tokio::test]
async fn look_alike_and_missing_workspace_roles_are_never_offered_or_sent() {
    let look_alike = ks_types::WorkspaceRoleKind::Regular.candidate_names("demo")[1].clone();
    let app = TestApp::builder()
        .sim(|c| {
            c.seed.workspace_roles.push(ks_sim::SeedRole {
                name: look_alike.clone(),
                workspace: Some("demo".into()),
                project: None,
                cluster: None,
                creator: Some("system".into()),
                alias: None,
                description: None,
                templates: vec!["workspace-manage-members".into()],
                created: "2025-02-01T00:00:00Z".into(),
            });
        })
        .start()
        .await;
    let cookie = app.login("admin").await;
    let roles = role_options(&app, &cookie, "demo").await;
    let values: Vec<&str> = roles.iter().map(|r| r["value"].as_str().unwrap()).collect();
    assert_eq!(values, ["viewer", "self-provisioner", "admin"], "both regular candidates exist: neither is offered");
    app.sim.sim.reset_journal();
    let (status, body) = app.invite_to_workspace(&cookie, "demo", "frank", "regular").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["detail"]["message"].as_str().unwrap().contains("has no built-in regular role"), "{body}");
    let (status, body) = app.invite_to_workspace(&cookie, "nope", "frank", "regular").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["detail"], json!({"field": "workspace", "message": "There is no workspace named nope."}));
    assert!(app.writes().is_empty());
}
