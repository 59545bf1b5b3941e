//! Inviting people to workspaces and projects: one request per invitation, existing members
//! refused, who may invite said up front, and the live parts of the invitation forms.

use crate::common::TestApp;
use ks_sim::JournalEntry;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn invitations_send_one_array_and_refuse_existing_members() {
    let (app, cookie) = TestApp::start_as("admin").await;
    app.sim.sim.reset_journal();
    let (status, body) = app.invite_to_workspace(&cookie, "demo", "frank, dave", "regular").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let w = app.writes();
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].path, "/kapis/iam.kubesphere.io/v1beta1/workspaces/demo/workspacemembers");
    assert_eq!(
        w[0].body.clone().unwrap(),
        json!([{"username": "frank", "roleRef": "demo-regular"}, {"username": "dave", "roleRef": "demo-regular"}])
    );

    app.sim.sim.reset_journal();
    let (status, body) = app.invite_to_workspace(&cookie, "demo", "bob", "viewer").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["detail"]["message"].as_str().unwrap().contains("bob is already a member (demo-regular)"), "{body}");
    let (_, body) = app.invite_to_workspace(&cookie, "demo", "nobody", "viewer").await;
    assert_eq!(body["detail"], json!({"field": "usernames", "message": "No user named nobody."}));
    assert!(app.writes().is_empty(), "nothing was re-invited silently");

    let (status, body) = app.invite_to_project(&cookie, "host/demo-web", "frank", "viewer").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let w = app.writes();
    assert_eq!(w[0].path, "/clusters/host/kapis/iam.kubesphere.io/v1beta1/namespaces/demo-web/namespacemembers");
    assert_eq!(w[0].body.clone().unwrap(), json!([{"username": "frank", "roleRef": "viewer"}]));
}

#[tokio::test]
async fn a_workspace_regular_cannot_invite_and_is_told_so() {
    let (app, cookie) = TestApp::start_as("bob").await;
    let (status, body) = app.invite_to_workspace(&cookie, "demo", "frank", "viewer").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["message"].is_null() || body["code"] == "forbidden");
}

#[tokio::test]
async fn a_workspace_regular_is_told_up_front_that_they_cannot_invite() {
    let (app, bob) = TestApp::start_as("bob").await;
    let (status, body) = app.submit(&bob, "can_manage_workspace_members", &[("workspace", "demo")]).await;
    assert_eq!((status, body), (StatusCode::OK, json!(false)), "bob is demo-regular");
    let alice = app.login("alice").await;
    let (_, body) = app.submit(&alice, "can_manage_workspace_members", &[("workspace", "demo")]).await;
    assert_eq!(body, json!(true), "alice administers demo");
}

#[tokio::test]
async fn people_are_told_up_front_where_they_cannot_create_projects_or_invite() {
    let (app, bob) = TestApp::start_as("bob").await;
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
            app.page(&cookie, path).await
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
async fn invitations_right_after_creating_wait_for_kubesphere_to_make_the_roles() {
    let app = TestApp::builder().sim(|c| c.controller_delay = std::time::Duration::from_millis(500)).start().await;
    let cookie = app.login("admin").await;
    app.create_workspace_on_host(&cookie, "fresh").await;
    let (status, body) = app.invite_to_workspace(&cookie, "fresh", "frank", "regular").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.create_project(&cookie, "fresh", "host", "fresh-web").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.invite_to_project(&cookie, "host/fresh-web", "frank", "viewer").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let posts: Vec<JournalEntry> = app.writes().into_iter().filter(|e| e.path.ends_with("members")).collect();
    assert_eq!(posts.len(), 2, "each invitation sent once, after the roles existed: {posts:?}");
    assert!(posts.iter().all(|p| p.status == 200));
}

#[tokio::test]
async fn a_workspace_still_being_set_up_is_said_plainly() {
    let app = TestApp::builder().sim(|c| c.controller_delay = std::time::Duration::from_secs(20)).start().await;
    let cookie = app.login("admin").await;
    app.create_workspace_on_host(&cookie, "slow").await;
    let (status, body) = app.invite_to_workspace(&cookie, "slow", "frank", "regular").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["code"], "still_setting_up");
    let message = AppErrorText::of(&body);
    assert!(!message.contains("does not exist"), "{message}");
    assert!(app.workspace_member_writes().is_empty(), "nothing sent while the roles are missing");
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
async fn a_workspace_admin_may_invite_to_every_project_of_the_workspace() {
    let (app, admin) = TestApp::start_as("admin").await;
    // A project alice has no role in, in demo, which alice administers.
    let (status, body) = app.create_project(&admin, "demo", "host", "ops-only").await;
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
    assert!(app.writes().iter().all(|w| !w.path.ends_with("/namespacemembers")), "nothing sent");
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
    let (status, body) = app.invite_to_workspace(&cookie, "team.a", &long_user, "regular").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        app.workspace_member_writes().last().unwrap().body.clone().unwrap(),
        json!([{"username": long_user, "roleRef": "team.a-regular"}])
    );
    let page = app.get(&cookie, &format!("/users/{long_user}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("team.a-regular"));
    let (_, body) = app.submit(&cookie, "create_workspace", &[("name", "team.b"), ("manager", "admin")]).await;
    assert_eq!(body["detail"]["field"], "name", "creation rules still apply to new names: {body}");
}

/// The islands' two questions answer with the very fields and list items the pages render:
/// a field that follows a workspace, and people found as you type.
#[tokio::test]
async fn live_parts_answer_with_server_rendered_html() {
    let (app, alice) = TestApp::start_as("alice").await;
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
