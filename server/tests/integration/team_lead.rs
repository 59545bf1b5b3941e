//! Onboarding as a team lead: `lead` administers workspace `demo` (the simulator's demo seed),
//! is not a platform admin, holds no binding in demo's projects, and no cluster is public. The
//! wizard and the file reach demo's projects through the workspace; what a lead may not do is
//! said before anything is sent. Effects are checked in KubeSphere itself.

use reqwest::StatusCode;

use crate::calls::new_user;
use crate::common::{dry_run_verdict as verdict, reviewed, TestApp};

const HEADER: &str = "username,email,display_name,platform_role,workspace,workspace_role,cluster,project,project_role";

async fn wizard(app: &TestApp, cookie: &str, step: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let mut form: Vec<(&str, &str)> = fields.to_vec();
    form.push(("step", step));
    app.post_page(cookie, "/onboard", &form).await
}

/// Reviews `fields` in the wizard, then applies exactly that plan; the page after applying.
async fn review_then_apply(app: &TestApp, cookie: &str, fields: &[(&str, &str)]) -> String {
    let (_, html) = wizard(app, cookie, "review", fields).await;
    let plan = reviewed(&html);
    let mut apply = fields.to_vec();
    apply.push(("reviewed", &plan));
    wizard(app, cookie, "apply", &apply).await.1
}

fn writes(app: &TestApp) -> Vec<String> {
    app.upstream_writes()
}

#[tokio::test]
async fn the_wizard_offers_a_team_lead_their_workspaces_and_projects_and_no_account_fields() {
    let (app, lead) = TestApp::start_as("lead").await;
    let html = app.page(&lead, "/onboard").await;
    assert!(!html.contains("name=\"email\"") && !html.contains("name=\"password\""), "no account fields: {html}");
    assert!(!html.contains("name=\"platform_role\""), "no platform role");
    assert!(html.contains("only platform administrators create accounts"));
    assert!(html.contains("<option value=\"demo\""), "demo is offered in a select");
    assert!(!html.contains("<option value=\"team-b\""), "a workspace lead does not manage is not offered");
    // Demo's projects, someone else's included, grouped by workspace, found through demo.
    assert!(html.contains("<optgroup label=\"demo\""), "{html}");
    for value in ["demo/host/demo-web", "demo/member-1/demo-api", "demo/member-1/demo-ops"] {
        assert!(html.contains(&format!("value=\"{value}\"")), "{value} is offered");
    }
    // An admin gets the account fields and a field for any project.
    let admin = app.login("admin").await;
    let html = app.page(&admin, "/onboard").await;
    assert!(html.contains("name=\"email\"") && html.contains("name=\"platform_role\""));
    assert!(html.contains("name=\"project_workspace\""));
}

#[tokio::test]
async fn a_team_lead_onboards_someone_into_their_workspace_and_a_project_someone_else_created() {
    let (app, lead) = TestApp::start_as("lead").await;
    let fields = [
        ("username", "frank"),
        ("workspace", "demo"),
        ("workspace_role", "regular"),
        ("project", "demo/member-1/demo-ops"),
        ("project_role", "viewer"),
    ];
    app.sim.sim.reset_journal();
    let (status, html) = wizard(&app, &lead, "review", &fields).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("Invite frank to workspace demo as demo-regular"), "{html}");
    assert!(html.contains("Invite frank to project demo-ops (cluster member-1) as viewer"), "{html}");
    assert!(writes(&app).is_empty(), "a review only reads");
    let html = review_then_apply(&app, &lead, &fields).await;
    assert!(html.contains("2 of 2 changes made for frank."), "{html}");
    assert!(app.upstream_members(Some("demo"), None).await.contains(&("frank".into(), "demo-regular".into())));
    assert_eq!(
        app.upstream_members(None, Some(("member-1", "demo-ops"))).await,
        [("alice".into(), "admin".into()), ("frank".into(), "viewer".into())]
    );
    // The log keeps the project change with its workspace, so demo's other admins see it.
    let alice = app.login("alice").await;
    let (_, page) = app.submit(&alice, "list_activity", &[("query[project]", "demo-ops")]).await;
    let entries = page["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{page}");
    assert_eq!(entries[0]["entry"]["record"]["change"]["workspace"], "demo");
}

#[tokio::test]
async fn a_team_lead_onboards_from_a_file_into_a_project_someone_else_created() {
    let (app, lead) = TestApp::start_as("lead").await;
    let csv = format!("{HEADER}\nfrank,,,,demo,,,,\nfrank,,,,demo,,member-1,demo-ops,\n");
    let (status, html) = app.post_page(&lead, "/onboard/bulk", &[("csv", &csv)]).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(verdict(&html, 2), "invite frank to workspace demo as demo-regular");
    assert_eq!(verdict(&html, 3), "invite frank to project demo-ops (cluster member-1) as viewer");
    let plan = reviewed(&html);
    let form = [("csv", csv.as_str()), ("reviewed", plan.as_str()), ("step", "apply")];
    let (_, html) = app.post_page(&lead, "/onboard/bulk", &form).await;
    let page = app.finished_job(&lead, &html).await;
    assert!(page.contains("Done: all 2 rows applied."), "{page}");
    assert!(app.upstream_members(Some("demo"), None).await.contains(&("frank".into(), "demo-regular".into())));
    assert!(app
        .upstream_members(None, Some(("member-1", "demo-ops")))
        .await
        .contains(&("frank".into(), "viewer".into())));
}

#[tokio::test]
async fn a_team_lead_is_told_up_front_what_only_others_may_do_and_nothing_is_sent() {
    let (app, lead) = TestApp::start_as("lead").await;
    app.sim.sim.reset_journal();
    // A new account, posted as if the form had the fields.
    let (status, html) =
        wizard(&app, &lead, "review", &[("username", "zoe"), ("email", "zoe@example.com"), ("workspace", "demo")])
            .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("there is no account zoe, and only platform administrators create accounts"), "{html}");
    // A platform role.
    let (_, html) = wizard(&app, &lead, "review", &[("username", "frank"), ("platform_role", "platform-admin")]).await;
    assert!(html.contains("only platform administrators change platform roles"), "{html}");
    // The file says the same per row, and a workspace lead does not manage is refused.
    let csv = format!(
        "{HEADER}\nzoe,zoe@example.com,,,demo,,,,\nfrank,,,platform-self-provisioner,,,,,\nfrank,,,,team-b,,,,\n"
    );
    let (_, html) = app.post_page(&lead, "/onboard/bulk", &[("csv", &csv)]).await;
    assert!(html.contains("rows that create an account or change a platform role are refused"), "told up front");
    assert!(verdict(&html, 2).contains("only platform administrators create accounts"), "{html}");
    assert!(verdict(&html, 3).contains("only platform administrators change platform roles"));
    assert!(verdict(&html, 4).contains("you may not manage the members of workspace team-b"));
    assert!(writes(&app).is_empty(), "{:?}", writes(&app));
}

#[tokio::test]
async fn someone_added_to_a_project_outside_its_workspace_is_added_to_the_workspace_too() {
    let (app, lead) = TestApp::start_as("lead").await;
    let fields = [("username", "frank"), ("project", "demo/host/demo-web"), ("project_role", "viewer")];
    let (_, html) = wizard(&app, &lead, "review", &fields).await;
    assert!(html.contains("frank is not in workspace demo: they are invited to it too"), "{html}");
    assert!(html.contains("Invite frank to workspace demo as demo-regular"), "{html}");
    let html = review_then_apply(&app, &lead, &fields).await;
    assert!(html.contains("2 of 2 changes made for frank."), "{html}");
    assert!(app.upstream_members(Some("demo"), None).await.contains(&("frank".into(), "demo-regular".into())));
}

#[tokio::test]
async fn one_e_mail_for_two_people_is_refused_in_the_dry_run_ignoring_case() {
    let (app, admin) = TestApp::start_as("admin").await;
    let csv =
        format!("{HEADER}\nmei,mei@example.com,,,,,,,\nmay,MEI@Example.com,,,,,,,\nzed,Alice@Example.com,,,,,,,\n");
    let (_, html) = app.post_page(&admin, "/onboard/bulk", &[("csv", &csv)]).await;
    assert_eq!(verdict(&html, 2), "create the account mei (mei@example.com) as platform-regular");
    assert!(verdict(&html, 3).contains("is also given to another person on line 2"), "{html}");
    assert!(verdict(&html, 4).contains("belongs to the existing account alice"), "{html}");
}

#[tokio::test]
async fn an_unready_cluster_refuses_its_rows_with_a_sentence_and_the_others_go_on() {
    let (app, lead) = TestApp::start_as("lead").await;
    app.sim.sim.set_unready_clusters(vec!["member-1".into()]);
    let csv =
        format!("{HEADER}\nfrank,,,,demo,,,,\nfrank,,,,demo,,member-1,demo-ops,\nfrank,,,,demo,,host,demo-web,\n");
    let (status, html) = app.post_page(&lead, "/onboard/bulk", &[("csv", &csv)]).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(verdict(&html, 2), "invite frank to workspace demo as demo-regular");
    assert!(verdict(&html, 3).contains("cluster member-1 is not ready"), "{html}");
    assert_eq!(verdict(&html, 4), "invite frank to project demo-web (cluster host) as viewer");
    // The cluster's trouble never opens the breaker shared by everyone: many dry runs later,
    // pages still reach KubeSphere.
    for _ in 0..8 {
        app.post_page(&lead, "/onboard/bulk", &[("csv", &csv)]).await;
    }
    let (status, _) = app.submit(&lead, "my_permissions", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let res = app.get(&lead, "/workspaces/demo").await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_binding_name_taken_by_another_workspace_is_explained_with_what_kubesphere_removed() {
    let app = TestApp::start().await;
    let workspace = |name: &str| {
        serde_json::json!({"apiVersion": "tenant.kubesphere.io/v1beta1", "kind": "WorkspaceTemplate",
            "metadata": {"name": name}, "spec": {"template": {"spec": {"manager": "admin"}},
            "placement": {"clusters": [{"name": "host"}]}}})
    };
    app.upstream_new_user("zoe").await;
    for ws in ["zoe-sandbox", "sandbox"] {
        app.upstream_post("/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates", workspace(ws)).await;
    }
    let members = "/kapis/iam.kubesphere.io/v1beta1/workspaces/sandbox/workspacemembers";
    app.upstream_post(members, serde_json::json!([{"username": "zoe", "roleRef": "sandbox-regular"}])).await;

    let admin = app.login("admin").await;
    let fields = [("username", "zoe"), ("workspace", "sandbox"), ("workspace_role", "admin"), ("confirm_admin", "yes")];
    let (_, html) = wizard(&app, &admin, "review", &fields).await;
    assert!(html.contains("Change zoe's role in workspace sandbox from sandbox-regular to sandbox-admin"), "{html}");
    let plan = reviewed(&html);
    let mut apply = fields.to_vec();
    apply.push(("reviewed", &plan));
    let (_, html) = wizard(&app, &admin, "apply", &apply).await;
    let html = html.replace("&#x27;", "'").replace("&#39;", "'");
    assert!(
        html.contains("a binding named zoe-sandbox-admin exists already")
            && html.contains("KubeSphere removed zoe's previous role there before it refused"),
        "{html}"
    );
    assert!(
        !app.upstream_members(Some("sandbox"), None).await.iter().any(|(u, _)| u == "zoe"),
        "zoe holds nothing there"
    );
}

#[tokio::test]
async fn accounts_made_by_an_apply_count_in_its_job_although_kubesphere_lists_them_later() {
    // KubeSphere's handlers answer from informer caches: a user created a moment ago is missing
    // from its lists for a while.
    let app = TestApp::builder().sim(|s| s.read_lag = std::time::Duration::from_millis(1500)).start().await;
    let admin = app.login("admin").await;
    let csv = format!("{HEADER}\nmei,mei@example.com,,,demo,,,,\nmei,,,,demo,,host,demo-web,\n");
    let (_, html) = app.post_page(&admin, "/onboard/bulk", &[("csv", &csv)]).await;
    let plan = reviewed(&html);
    let form = [("csv", csv.as_str()), ("reviewed", plan.as_str()), ("step", "apply")];
    let (_, html) = app.post_page(&admin, "/onboard/bulk", &form).await;
    assert!(html.contains("1 new accounts made."), "{html}");
    let page = app.finished_job(&admin, &html).await;
    assert!(page.contains("Done: all 2 rows applied."), "{page}");
    tokio::time::sleep(std::time::Duration::from_millis(1600)).await;
    assert!(app.upstream_members(None, Some(("host", "demo-web"))).await.contains(&("mei".into(), "viewer".into())));
}

#[tokio::test]
async fn a_team_lead_invites_and_changes_roles_in_their_workspace_and_its_projects_with_the_forms() {
    let (app, lead) = TestApp::start_as("lead").await;
    let ok = |(status, body): (StatusCode, serde_json::Value)| assert_eq!(status, StatusCode::OK, "{body}");
    ok(app.invite_to_workspace(&lead, "demo", "frank", "viewer").await);
    // demo-ops was created by alice; lead holds no binding there.
    let invite = [("project", "member-1/demo-ops"), ("usernames", "frank"), ("role", "viewer"), ("workspace", "demo")];
    ok(app.submit(&lead, "invite_project_members", &invite).await);
    ok(app.change_workspace_role(&lead, "demo", "bob", "viewer").await);
    let change = [("project", "host/demo-web"), ("username", "carol"), ("role", "operator"), ("workspace", "demo")];
    ok(app.submit(&lead, "change_project_role", &change).await);
    let project = [("workspace", "demo"), ("cluster", "member-1"), ("name", "demo-lead")];
    ok(app.submit(&lead, "create_project", &project).await);

    let demo = app.upstream_members(Some("demo"), None).await;
    assert!(
        demo.contains(&("frank".into(), "demo-viewer".into())) && demo.contains(&("bob".into(), "demo-viewer".into()))
    );
    assert!(app
        .upstream_members(None, Some(("member-1", "demo-ops")))
        .await
        .contains(&("frank".into(), "viewer".into())));
    assert!(app
        .upstream_members(None, Some(("host", "demo-web")))
        .await
        .contains(&("carol".into(), "operator".into())));
    // Every project change is logged with its workspace, so demo's other admins see it.
    let alice = app.login("alice").await;
    let (_, page) = app.submit(&alice, "list_activity", &[("query[workspace]", "demo")]).await;
    let entries = page["entries"].as_array().unwrap();
    let projects: Vec<&serde_json::Value> =
        entries.iter().filter(|e| e["entry"]["record"]["change"]["project"].is_string()).collect();
    assert_eq!(projects.len(), 3, "{page}");
}

#[tokio::test]
async fn a_team_lead_may_not_create_accounts_workspaces_or_change_platform_roles() {
    let (app, lead) = TestApp::start_as("lead").await;
    app.sim.sim.reset_journal();
    let user = new_user("zoe", "zoe@example.com", "Aa1!aaaaaaaa", "platform-regular");
    let (status, _) = app.submit(&lead, "create_user", &user).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.change_platform_role(&lead, "frank", "platform-self-provisioner").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.submit(&lead, "create_workspace", &[("name", "lead-ws"), ("manager", "lead")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // And another workspace's members are not theirs to change.
    let (status, _) = app.invite_to_workspace(&lead, "team-b", "frank", "viewer").await;
    assert!(status.is_client_error(), "{status}");
    assert!(
        app.sim.sim.journal().iter().filter(|e| e.method != "GET").all(|e| e.status == 403),
        "KubeSphere refused whatever reached it"
    );
}

#[tokio::test]
async fn the_forms_refuse_what_the_planner_knows_a_team_lead_may_not_do_before_sending_anything() {
    let (app, lead) = TestApp::start_as("lead").await;
    app.sim.sim.reset_journal();
    let (status, body) = app.change_platform_role(&lead, "frank", "platform-self-provisioner").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{body}");
    let (status, body) = app.invite_to_workspace(&lead, "team-b", "frank", "viewer").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = app.change_workspace_role(&lead, "team-b", "bob", "viewer").await;
    assert!(status.is_client_error(), "{body}");
    let writes: Vec<_> = app.sim.sim.journal().into_iter().filter(|e| e.method != "GET").collect();
    assert!(writes.is_empty(), "nothing reached KubeSphere: {writes:?}");
}

#[tokio::test]
async fn a_form_inviting_to_a_project_outside_the_persons_workspace_sends_only_that_and_says_so() {
    let (app, lead) = TestApp::start_as("lead").await;
    app.sim.sim.reset_journal();
    // frank is in no workspace; demo-ops is in demo, which lead administers.
    let invite = [("project", "member-1/demo-ops"), ("usernames", "frank"), ("role", "viewer"), ("workspace", "demo")];
    let (status, body) = app.submit(&lead, "invite_project_members", &invite).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let notes = body["notes"].as_array().cloned().unwrap_or_default();
    assert!(notes.iter().any(|n| n.as_str().is_some_and(|n| n.contains("frank is not in workspace demo"))), "{body}");
    let writes: Vec<_> = app.sim.sim.journal().into_iter().filter(|e| e.method != "GET").collect();
    assert_eq!(writes.len(), 1, "the form sends what it names, nothing more: {writes:?}");
    assert!(writes[0].path.ends_with("/namespaces/demo-ops/namespacemembers"), "{writes:?}");
    // Changing someone to the role they hold sends nothing and still answers plainly.
    let same = [("project", "member-1/demo-ops"), ("username", "frank"), ("role", "viewer"), ("workspace", "demo")];
    let (status, body) = app.submit(&lead, "change_project_role", &same).await;
    assert_eq!((status, body["role"].as_str()), (StatusCode::OK, Some("viewer")), "{body}");
    assert_eq!(app.sim.sim.journal().into_iter().filter(|e| e.method != "GET").count(), 1);
}

#[tokio::test]
async fn the_wizard_right_after_creating_a_workspace_and_project_waits_for_their_roles() {
    let app = TestApp::builder().sim(|c| c.controller_delay = std::time::Duration::from_millis(500)).start().await;
    let admin = app.login("admin").await;
    let (status, body) = app
        .submit(&admin, "create_workspace", &[("name", "fresh"), ("manager", "admin"), ("clusters[]", "host")])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.create_project(&admin, "fresh", "host", "fresh-web").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let fields = [
        ("username", "frank"),
        ("workspace", "fresh"),
        ("project_workspace", "fresh"),
        ("project", "fresh-web"),
        ("project_cluster", "host"),
    ];
    let (status, html) = wizard(&app, &admin, "review", &fields).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("Invite frank to workspace fresh as fresh-regular"), "{html}");
    assert!(html.contains("Invite frank to project fresh-web (cluster host) as viewer"), "{html}");

    // Still missing after the wait: said plainly, nothing sent.
    let slow = TestApp::builder().sim(|c| c.controller_delay = std::time::Duration::from_secs(20)).start().await;
    let admin = slow.login("admin").await;
    slow.submit(&admin, "create_workspace", &[("name", "slow"), ("manager", "admin"), ("clusters[]", "host")]).await;
    slow.sim.sim.reset_journal();
    let (_, html) = wizard(&slow, &admin, "review", &[("username", "frank"), ("workspace", "slow")]).await;
    assert!(html.contains("KubeSphere is still setting up workspace slow"), "{html}");
    assert!(writes(&slow).is_empty());
}

#[tokio::test]
async fn after_a_partial_failure_the_wizard_answers_200_with_the_new_password_shown_once() {
    let app = TestApp::start().await;
    let workspace = |name: &str| {
        serde_json::json!({"apiVersion": "tenant.kubesphere.io/v1beta1", "kind": "WorkspaceTemplate",
            "metadata": {"name": name}, "spec": {"template": {"spec": {"manager": "admin"}},
            "placement": {"clusters": [{"name": "host"}]}}})
    };
    for ws in ["zoe-sandbox", "sandbox"] {
        app.upstream_post("/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates", workspace(ws)).await;
    }
    let admin = app.login("admin").await;
    // The account is made; the invitation then collides with zoe-sandbox's binding name.
    let fields = [
        ("username", "zoe"),
        ("email", "zoe@example.com"),
        ("workspace", "sandbox"),
        ("workspace_role", "admin"),
        ("confirm_admin", "yes"),
    ];
    let (_, html) = wizard(&app, &admin, "review", &fields).await;
    let plan = reviewed(&html);
    let mut apply = fields.to_vec();
    apply.push(("reviewed", &plan));
    let (status, html) = wizard(&app, &admin, "apply", &apply).await;
    assert_eq!(status, StatusCode::OK, "the page is the answer, with the only copy of the password");
    assert!(html.contains("id=\"created-password\""), "{html}");
    assert!(html.contains("zoe-sandbox-admin"), "and what failed: {html}");
}
