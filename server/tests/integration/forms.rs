//! Every form of the multi-tenant workflow against the simulator: the exact request KubeSphere
//! receives, and KubeSphere's refusals as plain sentences.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::TestApp;
use ks_sim::JournalEntry;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The workspace role options the forms would offer for `workspace`.
async fn role_options(app: &TestApp, cookie: &str, workspace: &str) -> Vec<Value> {
    let (status, body) = app.submit(cookie, "workspace_role_options", &[("workspace", workspace)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value(body).unwrap()
}

fn writes(app: &TestApp) -> Vec<JournalEntry> {
    app.sim.sim.journal().into_iter().filter(|e| e.method != "GET").collect()
}

#[tokio::test]
async fn create_user_sends_the_workflow_body_with_least_privilege_defaults() {
    let app = TestApp::start().await;
    let cookie = app.login("admin").await;
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
    let w = writes(&app);
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
    let app = TestApp::start().await;
    let cookie = app.login("admin").await;
    let base = |name: &'static str, email: &'static str| {
        vec![("username", name), ("email", email), ("password", "Welcome2026"), ("platform_role", "platform-regular")]
    };
    let (status, body) = app.submit(&cookie, "create_user", &base("bob", "new@example.com")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["detail"], json!({"field": "username", "message": "A user named bob already exists."}));
    let (_, body) = app.submit(&cookie, "create_user", &base("newbie", "bob@example.com")).await;
    assert_eq!(body["detail"], json!({"field": "email", "message": "Another user already has this e-mail address."}));
}

#[tokio::test]
async fn a_regular_user_creating_a_user_gets_a_plain_forbidden() {
    let app = TestApp::start().await;
    let cookie = app.login("bob").await;
    let (status, body) = app
        .submit(
            &cookie,
            "create_user",
            &[
                ("username", "zed"),
                ("email", "zed@example.com"),
                ("password", "Welcome2026"),
                ("platform_role", "platform-regular"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], "forbidden");
    // The session stays valid after a 403.
    assert_eq!(app.call("current_user", Some(&cookie)).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn changing_the_platform_role_changes_nothing_else_of_the_user() {
    let app = TestApp::start().await;
    let cookie = app.login("admin").await;
    let before: Value = app.upstream_user("carol").await;
    app.sim.sim.reset_journal();
    let (status, body) = app
        .submit(
            &cookie,
            "change_platform_role",
            &[("username", "carol"), ("platform_role", "platform-self-provisioner")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let w = writes(&app);
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
async fn create_workspace_and_project_send_the_workflow_bodies() {
    let app = TestApp::start().await;
    let cookie = app.login("admin").await;
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
    let w = writes(&app);
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
    let (status, body) = app
        .submit(&cookie, "create_project", &[("workspace", "team-c"), ("cluster", "member-1"), ("name", "web")])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let w = writes(&app);
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
    let app = TestApp::start().await;
    let cookie = app.login("admin").await;
    let (status, body) = app
        .submit(&cookie, "create_workspace", &[("name", "demo"), ("manager", "admin"), ("clusters[]", "host")])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["detail"], json!({"field": "name", "message": "A workspace named demo already exists."}));
    let (_, body) =
        app.submit(&cookie, "create_project", &[("workspace", "demo"), ("cluster", "member-2"), ("name", "x1")]).await;
    assert_eq!(
        body["detail"],
        json!({"field": "cluster", "message": "Workspace demo is not placed on cluster member-2."})
    );
    let (_, body) = app
        .submit(&cookie, "create_project", &[("workspace", "demo"), ("cluster", "host"), ("name", "demo-web")])
        .await;
    assert_eq!(body["detail"]["field"], "name");
}

#[tokio::test]
async fn a_self_provisioner_is_told_they_can_only_manage_their_own_workspaces() {
    let app = TestApp::start().await;
    let cookie = app.login("alice").await;
    let (status, body) = app.submit(&cookie, "create_workspace", &[("name", "alices"), ("manager", "bob")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["detail"]["field"], "manager");
    let (status, _) = app.submit(&cookie, "create_workspace", &[("name", "alices"), ("manager", "alice")]).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn invitations_send_one_array_and_refuse_existing_members() {
    let app = TestApp::start().await;
    let cookie = app.login("admin").await;
    app.sim.sim.reset_journal();
    let (status, body) = app
        .submit(
            &cookie,
            "invite_workspace_members",
            &[("workspace", "demo"), ("usernames", "frank, dave"), ("role", "regular")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let w = writes(&app);
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].path, "/kapis/iam.kubesphere.io/v1beta1/workspaces/demo/workspacemembers");
    assert_eq!(
        w[0].body.clone().unwrap(),
        json!([{"username": "frank", "roleRef": "demo-regular"}, {"username": "dave", "roleRef": "demo-regular"}])
    );

    app.sim.sim.reset_journal();
    let (status, body) = app
        .submit(&cookie, "invite_workspace_members", &[("workspace", "demo"), ("usernames", "bob"), ("role", "viewer")])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["detail"]["message"].as_str().unwrap().contains("bob is already a member (demo-regular)"), "{body}");
    let (_, body) = app
        .submit(
            &cookie,
            "invite_workspace_members",
            &[("workspace", "demo"), ("usernames", "nobody"), ("role", "viewer")],
        )
        .await;
    assert_eq!(body["detail"], json!({"field": "usernames", "message": "No user named nobody."}));
    assert!(writes(&app).is_empty(), "nothing was re-invited silently");

    let (status, body) = app
        .submit(
            &cookie,
            "invite_project_members",
            &[("project", "host/demo-web"), ("usernames", "frank"), ("role", "viewer")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let w = writes(&app);
    assert_eq!(w[0].path, "/clusters/host/kapis/iam.kubesphere.io/v1beta1/namespaces/demo-web/namespacemembers");
    assert_eq!(w[0].body.clone().unwrap(), json!([{"username": "frank", "roleRef": "viewer"}]));
}

#[tokio::test]
async fn role_changes_put_the_new_role_and_confirmed_admin_grants_go_through() {
    let app = TestApp::start().await;
    let cookie = app.login("admin").await;
    app.sim.sim.reset_journal();
    let (status, body) = app
        .submit(
            &cookie,
            "change_workspace_role",
            &[("workspace", "demo"), ("username", "bob"), ("role", "admin"), ("confirm_admin", "yes")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = app
        .submit(
            &cookie,
            "change_project_role",
            &[("project", "host/demo-web"), ("username", "carol"), ("role", "operator")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let w = writes(&app);
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

    let (status, body) = app
        .submit(&cookie, "change_workspace_role", &[("workspace", "demo"), ("username", "frank"), ("role", "viewer")])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["detail"]["message"], "frank is not a member of workspace demo. Invite them first.");
}

#[tokio::test]
async fn a_workspace_regular_cannot_invite_and_is_told_so() {
    let app = TestApp::start().await;
    let cookie = app.login("bob").await;
    let (status, body) = app
        .submit(
            &cookie,
            "invite_workspace_members",
            &[("workspace", "demo"), ("usernames", "frank"), ("role", "viewer")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["message"].is_null() || body["code"] == "forbidden");
}

#[tokio::test]
async fn role_dropdowns_offer_only_built_in_roles_that_exist() {
    let app = TestApp::start().await;
    let cookie = app.login("admin").await;
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
async fn people_search_matches_names_display_names_and_emails_from_two_characters() {
    let app = TestApp::start().await;
    let cookie = app.login("bob").await;
    let search = |q: &'static str| {
        let app = &app;
        let cookie = cookie.clone();
        async move {
            let res = app
                .request(Method::POST, "/api/search_users", Some(&cookie))
                .header("accept", "application/json")
                .form(&[("query", q)])
                .send()
                .await
                .unwrap();
            res.json::<Vec<Value>>()
                .await
                .unwrap()
                .into_iter()
                .map(|h| h["username"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert!(search("a").await.is_empty(), "one character is not enough");
    assert!(search("ali").await.contains(&"alice".to_owned()));
    // KubeSphere's field selector matches whole e-mails (case-insensitively), not parts of them.
    assert_eq!(search("Bob@Example.com").await, ["bob"], "by e-mail");
    assert!(search("Liddell").await.contains(&"alice".to_owned()), "by display name");
}

#[tokio::test]
async fn a_workspace_regular_is_told_up_front_that_they_cannot_invite() {
    let app = TestApp::start().await;
    let bob = app.login("bob").await;
    let (status, body) = app.submit(&bob, "can_manage_workspace_members", &[("workspace", "demo")]).await;
    assert_eq!((status, body), (StatusCode::OK, json!(false)), "bob is demo-regular");
    let alice = app.login("alice").await;
    let (_, body) = app.submit(&alice, "can_manage_workspace_members", &[("workspace", "demo")]).await;
    assert_eq!(body, json!(true), "alice administers demo");
}

#[tokio::test]
async fn people_are_told_up_front_where_they_cannot_create_projects_or_invite() {
    let app = TestApp::start().await;
    let bob = app.login("bob").await;
    let alice = app.login("alice").await;
    let carol = app.login("carol").await;
    assert_eq!(
        app.submit(&bob, "can_create_projects", &[("workspace", "demo")]).await.1,
        json!(false),
        "bob is demo-regular"
    );
    assert_eq!(
        app.submit(&alice, "can_create_projects", &[("workspace", "demo")]).await.1,
        json!(true),
        "alice administers demo"
    );
    let project = [("project", "host/demo-web")];
    assert_eq!(
        app.submit(&carol, "can_manage_project_members", &project).await.1,
        json!(false),
        "carol only views demo-web"
    );
    assert_eq!(app.submit(&alice, "can_manage_project_members", &project).await.1, json!(true));
}

#[tokio::test]
async fn permission_notices_are_in_the_server_rendered_page() {
    let app = TestApp::start().await;
    let page = |user: &'static str, path: &'static str| {
        let app = &app;
        async move {
            let cookie = app.login(user).await;
            app.request(Method::GET, path, Some(&cookie)).send().await.unwrap().text().await.unwrap()
        }
    };
    let notice = "You cannot invite people to demo: only its administrators can.";
    assert!(page("bob", "/workspaces/invite").await.contains(notice), "bob is demo-regular");
    assert!(!page("alice", "/workspaces/invite").await.contains(notice), "alice manages demo");
    let notice = "You cannot invite people to this project";
    assert!(page("bob", "/projects/invite").await.contains(notice), "bob is an operator of demo-web");
    assert!(!page("alice", "/projects/invite").await.contains(notice));
    let notice = "You cannot create projects in demo";
    assert!(page("carol", "/projects/new").await.contains(notice), "carol is demo-viewer");
    assert!(!page("alice", "/projects/new").await.contains(notice));
}

#[tokio::test]
async fn after_a_failed_plain_submission_the_roles_page_offers_the_kept_workspaces_roles() {
    let app = TestApp::start().await;
    let cookie = app.login("admin").await;
    // team-b is not the first workspace; the submission fails (an admin role, unconfirmed).
    let res = app
        .request(Method::POST, "/api/change_workspace_role", Some(&cookie))
        .header("accept", "text/html,application/xhtml+xml")
        .header("referer", format!("{}/roles", app.url))
        .form(&[("workspace", "team-b"), ("username", "bob"), ("role", "admin")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = app.request(Method::GET, "/roles", Some(&cookie)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<option value=\"team-b\" selected"), "the kept workspace is chosen");
    assert!(page.contains("team-b-regular</option>"), "and its roles are offered, without WASM");
    assert!(!page.contains("demo-regular</option>"), "not the first workspace's");
}

// --- A real KubeSphere 4.1: role names, versions, controllers, wider names ---

fn ws_post(app: &TestApp) -> Vec<JournalEntry> {
    writes(app)
        .into_iter()
        .filter(|e| e.path.ends_with("/workspacemembers") || e.path.contains("/workspacemembers/"))
        .collect()
}

async fn create_workspace_as(app: &TestApp, cookie: &str, name: &str) {
    let (status, body) =
        app.submit(cookie, "create_workspace", &[("name", name), ("manager", "admin"), ("clusters[]", "host")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_56_character_workspace_takes_invitations_and_role_changes_on_4_1_3() {
    let app = TestApp::start().await;
    let cookie = app.login("admin").await;
    let ws = "w".repeat(56);
    create_workspace_as(&app, &cookie, &ws).await;
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
    let (status, body) = app
        .submit(&cookie, "invite_workspace_members", &[("workspace", &ws), ("usernames", "frank"), ("role", "regular")])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ws_post(&app)[0].body.clone().unwrap(), json!([{"username": "frank", "roleRef": regular}]));
    let (status, body) = app
        .submit(&cookie, "change_workspace_role", &[("workspace", &ws), ("username", "frank"), ("role", "viewer")])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ws_post(&app)[1].body.clone().unwrap(), json!({"username": "frank", "roleRef": format!("{ws}-viewer")}));
    let page = app
        .request(Method::GET, &format!("/workspaces/{ws}"), Some(&cookie))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
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
    create_workspace_as(&app, &cookie, &fits).await;
    let (status, body) = app
        .submit(
            &cookie,
            "invite_workspace_members",
            &[("workspace", &fits), ("usernames", "frank"), ("role", "regular")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let long = "l".repeat(56);
    create_workspace_as(&app, &cookie, &long).await;
    app.submit(&cookie, "invite_workspace_members", &[("workspace", &long), ("usernames", "bob"), ("role", "viewer")])
        .await;
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
    assert!(writes(&app).is_empty(), "nothing sent: on 4.1.2 a failed grant first removes the current role");
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
    let (status, body) = app
        .submit(
            &cookie,
            "invite_workspace_members",
            &[("workspace", "demo"), ("usernames", "frank"), ("role", "regular")],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["detail"]["message"].as_str().unwrap().contains("has no built-in regular role"), "{body}");
    let (status, body) = app
        .submit(
            &cookie,
            "invite_workspace_members",
            &[("workspace", "nope"), ("usernames", "frank"), ("role", "regular")],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["detail"], json!({"field": "workspace", "message": "There is no workspace named nope."}));
    assert!(writes(&app).is_empty());
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
    let (status, body) =
        app.submit(&cookie, "change_platform_role", &[("username", "bob"), ("platform_role", "users-manager")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(app.sim.sim.journal().is_empty(), "refused before anything reached KubeSphere");
}

#[tokio::test]
async fn invitations_right_after_creating_wait_for_kubesphere_to_make_the_roles() {
    let app = TestApp::builder().sim(|c| c.controller_delay = std::time::Duration::from_millis(500)).start().await;
    let cookie = app.login("admin").await;
    create_workspace_as(&app, &cookie, "fresh").await;
    let (status, body) = app
        .submit(
            &cookie,
            "invite_workspace_members",
            &[("workspace", "fresh"), ("usernames", "frank"), ("role", "regular")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .submit(&cookie, "create_project", &[("workspace", "fresh"), ("cluster", "host"), ("name", "fresh-web")])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .submit(
            &cookie,
            "invite_project_members",
            &[("project", "host/fresh-web"), ("usernames", "frank"), ("role", "viewer")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let posts: Vec<JournalEntry> = writes(&app).into_iter().filter(|e| e.path.ends_with("members")).collect();
    assert_eq!(posts.len(), 2, "each invitation sent once, after the roles existed: {posts:?}");
    assert!(posts.iter().all(|p| p.status == 200));
}

#[tokio::test]
async fn a_workspace_still_being_set_up_is_said_plainly() {
    let app = TestApp::builder().sim(|c| c.controller_delay = std::time::Duration::from_secs(20)).start().await;
    let cookie = app.login("admin").await;
    create_workspace_as(&app, &cookie, "slow").await;
    let (status, body) = app
        .submit(
            &cookie,
            "invite_workspace_members",
            &[("workspace", "slow"), ("usernames", "frank"), ("role", "regular")],
        )
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["code"], "still_setting_up");
    let message = AppErrorText::of(&body);
    assert!(!message.contains("does not exist"), "{message}");
    assert!(ws_post(&app).is_empty(), "nothing sent while the roles are missing");
}

/// The sentence an error body carries.
struct AppErrorText;
impl AppErrorText {
    fn of(body: &Value) -> String {
        let error: app::error::AppError = serde_json::from_value(body.clone()).unwrap();
        error.message()
    }
}

#[tokio::test]
async fn a_concurrent_update_of_the_user_is_retried_once_then_explained() {
    let app = TestApp::start().await;
    let cookie = app.login("admin").await;
    let conflict = r#"Operation cannot be fulfilled on users.iam.kubesphere.io "bob": the object has been modified; please apply your changes to the latest version and try again"#;
    let path = "/kapis/iam.kubesphere.io/v1beta1/users/bob";
    app.sim.sim.inject(ks_sim::Fault::status(path, 409, Some(conflict.into())).method("PUT").times(1));
    let (status, body) = app
        .submit(&cookie, "change_platform_role", &[("username", "bob"), ("platform_role", "platform-self-provisioner")])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.upstream_count("PUT", path), 2);
    let after = app.upstream_user("bob").await;
    assert_eq!(after["metadata"]["annotations"]["iam.kubesphere.io/globalrole"], "platform-self-provisioner");
    assert_eq!(after["spec"]["email"], "bob@example.com", "nothing else of the user was lost");
    app.sim.sim.inject(ks_sim::Fault::status(path, 409, Some(conflict.into())).method("PUT").times(2));
    let (status, body) = app
        .submit(&cookie, "change_platform_role", &[("username", "bob"), ("platform_role", "platform-regular")])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["detail"].as_str().unwrap().contains("at the same moment"), "{body}");
}

#[tokio::test]
async fn a_self_provisioner_on_a_default_install_creates_a_workspace_without_a_cluster() {
    let app = TestApp::start().await;
    let cookie = app.login("alice").await;
    let page = app.request(Method::GET, "/workspaces/new", Some(&cookie)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("No cluster yet"), "the form says an administrator places it");
    app.sim.sim.reset_journal();
    let (status, body) =
        app.submit(&cookie, "create_workspace", &[("name", "alices-team"), ("manager", "alice")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["has_cluster"], false);
    let post = writes(&app).into_iter().find(|e| e.path.ends_with("/workspacetemplates")).unwrap();
    assert!(post.body.unwrap()["spec"].get("placement").is_none(), "an empty placement");
    let page = app.request(Method::GET, "/projects/new", Some(&cookie)).send().await.unwrap().text().await.unwrap();
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
async fn names_made_outside_the_console_are_accepted_where_kubernetes_accepts_them() {
    let long_user = "u".repeat(40);
    let app = TestApp::builder()
        .sim(|c| {
            let mut user = c.seed.users.iter().find(|u| u.name == "frank").unwrap().clone();
            user.name = long_user.clone();
            user.email = "long@example.com".into();
            c.seed.users.push(user);
            c.seed.workspaces.push(ks_sim::SeedWorkspace {
                name: "team.a".into(),
                manager: "admin".into(),
                clusters: Some(vec!["host".into()]),
                protected: false,
                creator: None,
                alias: None,
                description: None,
                created: "2025-02-01T00:00:00Z".into(),
                members: Default::default(),
            });
        })
        .start()
        .await;
    let cookie = app.login("admin").await;
    let (status, body) = app
        .submit(
            &cookie,
            "invite_workspace_members",
            &[("workspace", "team.a"), ("usernames", &long_user), ("role", "regular")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        ws_post(&app).last().unwrap().body.clone().unwrap(),
        json!([{"username": long_user, "roleRef": "team.a-regular"}])
    );
    let page = app.request(Method::GET, &format!("/users/{long_user}"), Some(&cookie)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("team.a-regular"));
    let (_, body) = app.submit(&cookie, "create_workspace", &[("name", "team.b"), ("manager", "admin")]).await;
    assert_eq!(body["detail"]["field"], "name", "creation rules still apply to new names: {body}");
}

#[tokio::test]
async fn a_workspace_admin_may_invite_to_every_project_of_the_workspace() {
    let app = TestApp::start().await;
    let admin = app.login("admin").await;
    // A project alice has no role in, in demo, which alice administers.
    let (status, body) =
        app.submit(&admin, "create_project", &[("workspace", "demo"), ("cluster", "host"), ("name", "ops-only")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let alice = app.login("alice").await;
    let (_, allowed) =
        app.submit(&alice, "can_manage_project_members", &[("project", "host/ops-only"), ("workspace", "demo")]).await;
    assert_eq!(allowed, json!(true), "workspace roles apply inside its projects");
    let (_, allowed) = app
        .submit(&alice, "can_manage_project_members", &[("project", "host/team-b-data"), ("workspace", "demo")])
        .await;
    assert_eq!(allowed, json!(false), "only once KubeSphere confirms the project is in that workspace");
    // Without the workspace (which the form's picker always sends) she cannot see the project's
    // label, so the change could not be logged under its workspace: she is asked for it.
    let invite = [("project", "host/ops-only"), ("usernames", "frank"), ("role", "viewer")];
    let (status, body) = app.submit(&alice, "invite_project_members", &invite).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["detail"]["field"], "workspace", "{body}");
    assert!(writes(&app).iter().all(|w| !w.path.ends_with("/namespacemembers")), "nothing sent");
    let (status, body) =
        app.submit(&alice, "invite_project_members", &[invite.as_slice(), &[("workspace", "demo")]].concat()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .submit(
            &alice,
            "invite_project_members",
            &[("project", "host/ops-only"), ("usernames", "frank"), ("role", "viewer"), ("workspace", "team-b")],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a workspace the project is not in is refused: {body}");
    let carol = app.login("carol").await;
    let (_, allowed) =
        app.submit(&carol, "can_manage_project_members", &[("project", "host/ops-only"), ("workspace", "demo")]).await;
    assert_eq!(allowed, json!(false), "a workspace viewer may not");
}

#[tokio::test]
async fn the_new_workspaces_page_does_not_fail_while_kubesphere_sets_it_up() {
    let app = TestApp::builder().sim(|c| c.controller_delay = std::time::Duration::from_secs(20)).start().await;
    let cookie = app.login("alice").await;
    let (status, body) = app.submit(&cookie, "create_workspace", &[("name", "brand-new"), ("manager", "alice")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // alice's manager binding does not exist yet, so KubeSphere refuses her the member list.
    let res = app.request(Method::GET, "/workspaces/brand-new", Some(&cookie)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    assert!(page.contains("KubeSphere is still setting up this new workspace"), "{page}");
    // An old workspace whose members she may not read is still a refusal.
    let res = app.request(Method::GET, "/workspaces/team-b", Some(&cookie)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_refused_user_creation_logs_no_password() {
    let password = "Zq9-not-in-any-log";
    crate::common::captured_logs();
    {
        let app = TestApp::start().await;
        let cookie = app.login("admin").await;
        // As KubeSphere's API server does, the refusal echoes the rejected value.
        let echo = format!(
            r#"User.iam.kubesphere.io "zed" is invalid: spec.password: Invalid value: "{password}": spec.password in body should match '^x$'"#
        );
        app.sim.sim.inject(
            ks_sim::Fault::status("/kapis/iam.kubesphere.io/v1beta1/users", 422, Some(echo)).method("POST").times(1),
        );
        let (status, _) = app
            .submit(
                &cookie,
                "create_user",
                &[
                    ("username", "zed"),
                    ("email", "zed@example.com"),
                    ("password", password),
                    ("platform_role", "platform-regular"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
    let logs = crate::common::captured_logs();
    assert!(logs.contains("KubeSphere answered with an error"), "the refusal is logged: {logs}");
    assert!(!logs.contains(password), "{logs}");
}

/// The islands' two questions answer with the very fields and list items the pages render:
/// a field that follows a workspace, and people found as you type.
#[tokio::test]
async fn live_parts_answer_with_server_rendered_html() {
    let app = TestApp::start().await;
    let alice = app.login("alice").await;
    let follow = |list: &'static str, label: &'static str| {
        let (app, alice) = (&app, alice.clone());
        async move {
            let fields = [
                ("list", list),
                ("workspace", "demo"),
                ("look[id]", "invite-project"),
                ("look[name]", "project"),
                ("look[label]", label),
            ];
            app.submit(&alice, "follow_field", &fields).await
        }
    };
    let (status, html) = follow("Projects", "Project").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let html = html.as_str().unwrap().to_owned();
    assert!(html.contains(r#"data-follows="projects""#) && html.contains(r#"id="invite-project""#), "{html}");
    assert!(html.contains(r#"value="host/demo-web""#), "demo's projects: {html}");
    let (_, roles) = follow("WorkspaceRoles", "<b>Role</b>").await;
    let roles = roles.as_str().unwrap().to_owned();
    assert!(roles.contains("&lt;b&gt;Role") && !roles.contains("<b>"), "the label is escaped: {roles}");
    assert!(roles.contains(r#"<option value="regular" selected"#), "least privilege first: {roles}");
    assert!(roles.contains(r#"value="admin" data-admin"#) && roles.contains("confirm_admin"), "{roles}");
    // Only ids and names a page could have drawn.
    let (status, _) = app
        .submit(
            &alice,
            "follow_field",
            &[
                ("list", "Projects"),
                ("workspace", "demo"),
                ("look[id]", "x\" onclick=\"1"),
                ("look[name]", "p"),
                ("look[label]", "P"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, found) = app.submit(&alice, "people_matches", &[("query", "car"), ("usage", "Add")]).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert!(found.as_str().unwrap().contains(r#"data-username="carol""#), "{found}");
    let (_, found) = app.submit(&alice, "people_matches", &[("query", "car"), ("usage", "Open")]).await;
    assert!(found.as_str().unwrap().contains(r#"href="/users/carol""#), "{found}");
    let (status, _) = app.submit("", "people_matches", &[("query", "car"), ("usage", "Open")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "signed out: nothing");
}
