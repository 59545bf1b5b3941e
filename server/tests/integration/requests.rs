//! Access requests: a person who belongs nowhere asks through a join link, nothing reaches
//! KubeSphere until the workspace's admin approves, and then exactly the invitation is sent with
//! the admin's own token; forged roles and places are refused before anything is stored.

use reqwest::{Method, StatusCode};

use crate::common::TestApp;

/// Posts a form as a browser without WASM does, from `page`; the redirect's target.
async fn post_form(app: &TestApp, cookie: &str, endpoint: &str, page: &str, fields: &[(&str, &str)]) -> String {
    let res = app
        .request(Method::POST, &format!("/api/{endpoint}"), Some(cookie))
        .header("accept", "text/html")
        .header("referer", format!("{}{page}", app.url))
        .form(fields)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{endpoint}");
    res.headers()["location"].to_str().unwrap().to_owned()
}

async fn page(app: &TestApp, cookie: &str, path: &str) -> String {
    let res = app.get(cookie, path).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.text().await.unwrap()
}

/// The id of the first request on the inbox page (from its approve form).
fn first_request_id(html: &str) -> String {
    let at = html.find("name=\"id\" value=\"").expect("a request to decide") + "name=\"id\" value=\"".len();
    html[at..at + 36].to_owned()
}

#[tokio::test]
async fn a_join_link_leads_to_a_request_the_workspace_admin_approves_with_their_own_token() {
    let (app, frank) = TestApp::start_as("frank").await;
    app.sim.sim.reset_journal();

    // The link preselects the role it names; the request is stored, nothing is sent.
    let form = page(&app, &frank, "/join/demo?role=viewer").await;
    assert!(form.contains("Ask to join") && form.contains("<option value=\"viewer\" selected"), "{form}");
    let back = post_form(
        &app,
        &frank,
        "ask_for_access",
        "/join/demo?role=viewer",
        &[
            ("workspace", "demo"),
            ("cluster", ""),
            ("project", ""),
            ("role", "viewer"),
            ("reason", "I join the demo team on Monday"),
        ],
    )
    .await;
    assert_eq!(back, "/join/demo?role=viewer");
    assert!(page(&app, &frank, &back).await.contains("Asked for demo-viewer in demo"));
    assert!(app.upstream_changes().is_empty(), "nothing written to KubeSphere: {:?}", app.upstream_changes());

    // bob may not manage demo's members: nothing waits for him.
    let bob = app.login("bob").await;
    assert!(page(&app, &bob, "/requests").await.contains("No request is waiting for you."));

    // The team lead sees it, counted in the navigation and on the workspace's join link's
    // page, and approves it.
    let lead = app.login("lead").await;
    let home = page(&app, &lead, "/").await;
    assert!(home.contains("Access requests (1)"), "the count in the navigation");
    assert!(page(&app, &lead, "/workspaces/demo").await.contains("href=\"/requests/link?workspace=demo\""));
    assert!(!page(&app, &bob, "/workspaces/demo").await.contains("/requests/link"), "only for its admins");
    let link = page(&app, &lead, "/requests/link?workspace=demo&role=viewer").await;
    assert!(link.contains(&format!("value=\"{}/join/demo?role=viewer\"", app.config.public_origin())), "{link}");
    assert!(link.contains("<svg") && link.contains("role=\"img\""), "a QR code drawn on the server");
    let refused = app.get(&bob, "/requests/link?workspace=demo").await;
    assert!(refused.text().await.unwrap().contains("Your KubeSphere roles do not allow you to share a join link here"));
    let inbox = page(&app, &lead, "/requests").await;
    assert!(
        inbox.contains("frank asks for demo-viewer in demo") && inbox.contains("I join the demo team on Monday"),
        "{inbox}"
    );
    let id = first_request_id(&inbox);
    post_form(&app, &lead, "approve_access_request", "/requests", &[("id", &id), ("role", "viewer")]).await;
    assert!(page(&app, &lead, "/requests").await.contains("Approved: frank now has demo-viewer in demo."));
    let members = app.upstream_members(Some("demo"), None).await;
    assert!(members.contains(&("frank".into(), "demo-viewer".into())), "{members:?}");
    let sent = app.upstream_changes();
    assert_eq!(sent.len(), 1, "exactly the invitation: {sent:?}");
    assert_eq!(sent[0].1, "/kapis/iam.kubesphere.io/v1beta1/workspaces/demo/workspacemembers");
    assert_eq!(sent[0].2.as_deref(), Some("lead"), "made with the approver's token");

    // frank sees the answer; the activity log has the request and the approval.
    assert!(page(&app, &frank, "/requests").await.contains("Approved by lead: demo-viewer."));
    let admin = app.login("admin").await;
    let log = page(&app, &admin, "/activity?person=frank").await;
    for step in ["Asked for access", "Approved an access request", "Invited to a workspace"] {
        assert!(log.contains(step), "{step} in the log: {log}");
    }
}

#[tokio::test]
async fn forged_roles_and_places_are_refused_before_anything_is_stored_and_admin_needs_its_confirmation() {
    let (app, frank) = TestApp::start_as("frank").await;
    let ask = |ws: &'static str, cluster: &'static str, project: &'static str, role: &'static str| {
        [("workspace", ws), ("cluster", cluster), ("project", project), ("role", role), ("reason", "work")]
    };
    for (fields, field) in [
        (ask("demo", "", "", "auditor"), "role"),
        (ask("demo", "", "", "demo-auditor"), "role"),
        (ask("demo", "host", "demo-web", "deployer"), "role"),
        (ask("no-such-ws", "", "", "viewer"), "workspace"),
        (ask("demo", "host", "team-b-data", "viewer"), "project"),
    ] {
        let (status, body) = app.submit(&frank, "ask_for_access", &fields).await;
        assert!(status.is_client_error(), "{fields:?}: {status} {body}");
        assert_eq!(body["detail"]["field"], field, "{fields:?}: {body}");
    }
    assert!(page(&app, &frank, "/requests").await.contains("You have not asked for access yet."));
    // A link naming a custom role offers no way to ask for it.
    let form = page(&app, &frank, "/join/demo/host/demo-web?role=deployer").await;
    assert!(
        form.contains("not one of KubeSphere&#x27;s built-in roles")
            || form.contains("not one of KubeSphere's built-in roles"),
        "{form}"
    );
    assert!(!form.contains("value=\"deployer\""), "{form}");

    // An admin role asked for is given only with the approver's confirmation.
    let (status, _) = app.submit(&frank, "ask_for_access", &ask("demo", "host", "demo-web", "admin")).await;
    assert_eq!(status, StatusCode::OK);
    let lead = app.login("lead").await;
    let id = first_request_id(&page(&app, &lead, "/requests").await);
    app.sim.sim.reset_journal();
    let (status, body) = app.submit(&lead, "approve_access_request", &[("id", &id), ("role", "admin")]).await;
    assert!(status.is_client_error() && body["detail"]["field"] == "confirm_admin", "{status} {body}");
    let (status, body) = app.submit(&lead, "approve_access_request", &[("id", &id), ("role", "custom-x")]).await;
    assert!(status.is_client_error(), "{status} {body}");
    assert!(app.upstream_changes().is_empty(), "nothing sent: {:?}", app.upstream_changes());

    // Someone who may not manage demo-web cannot approve it: KubeSphere's refusal, explained.
    let bob = app.login("bob").await;
    let (status, body) = app.submit(&bob, "approve_access_request", &[("id", &id), ("role", "viewer")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(app.upstream_changes().is_empty(), "nothing sent: {:?}", app.upstream_changes());
    let (status, body) = app.submit(&bob, "decline_access_request", &[("id", &id), ("reason", "no")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    // With the confirmation it goes through.
    let confirmed = [("id", id.as_str()), ("role", "admin"), ("confirm_admin", "yes")];
    assert_eq!(app.submit(&lead, "approve_access_request", &confirmed).await.0, StatusCode::OK);
    let members = app.upstream_members(None, Some(("host", "demo-web"))).await;
    assert!(members.contains(&("frank".into(), "admin".into())), "{members:?}");
}

#[tokio::test]
async fn a_newer_request_replaces_the_older_one_and_withdrawn_or_decided_ones_cannot_be_decided_again() {
    let (app, bob) = TestApp::start_as("bob").await;
    let ask = |role: &'static str, reason: &'static str| {
        [("workspace", "demo"), ("cluster", ""), ("project", ""), ("role", role), ("reason", reason)]
    };
    assert_eq!(app.submit(&bob, "ask_for_access", &ask("viewer", "first")).await.0, StatusCode::OK);
    let (_, second) = app.submit(&bob, "ask_for_access", &ask("self-provisioner", "second")).await;
    let mine = page(&app, &bob, "/requests").await;
    assert!(mine.contains("Replaced by a newer request.") && mine.contains("Waiting for an answer."), "{mine}");

    // bob already holds demo-regular: the approver is told it is a role change.
    let lead = app.login("lead").await;
    let inbox = page(&app, &lead, "/requests").await;
    assert!(inbox.contains("They hold demo-regular there now"), "{inbox}");
    assert_eq!(inbox.matches("bob asks for").count(), 1, "only the newer one waits");
    let (status, body) =
        app.submit(&lead, "decline_access_request", &[("id", second["id"].as_str().unwrap()), ("reason", " ")]).await;
    assert!(status.is_client_error() && body["detail"]["field"] == "reason", "a decline says why: {body}");

    let id = second["id"].as_str().unwrap();
    assert_eq!(app.submit(&bob, "withdraw_access_request", &[("id", id)]).await.0, StatusCode::OK);
    let (status, body) = app.submit(&lead, "approve_access_request", &[("id", id), ("role", "viewer")]).await;
    assert!(status.is_client_error() && body.to_string().contains("not waiting any more"), "{body}");
    assert!(app.upstream_members(Some("demo"), None).await.contains(&("bob".into(), "demo-regular".into())));
}

#[tokio::test]
async fn an_approval_kubesphere_refuses_leaves_the_request_waiting() {
    let (app, frank) = TestApp::start_as("frank").await;
    let fields = [("workspace", "demo"), ("cluster", ""), ("project", ""), ("role", "viewer"), ("reason", "team")];
    let (_, asked) = app.submit(&frank, "ask_for_access", &fields).await;
    let id = asked["id"].as_str().unwrap();
    let lead = app.login("lead").await;
    // The plan's reads go through; the invitation itself fails.
    let members = "/kapis/iam.kubesphere.io/v1beta1/workspaces/demo/workspacemembers";
    app.sim.sim.inject(ks_sim::Fault::status(members, 503, None).method("POST"));
    let (status, body) = app.submit(&lead, "approve_access_request", &[("id", id), ("role", "viewer")]).await;
    assert!(status.is_server_error(), "{status} {body}");
    assert_eq!(app.upstream_count("POST", members), 1, "the invitation was tried");
    app.sim.sim.clear_faults();
    assert!(page(&app, &lead, "/requests").await.contains("frank asks for demo-viewer in demo"), "still waiting");
    assert_eq!(app.submit(&lead, "approve_access_request", &[("id", id), ("role", "viewer")]).await.0, StatusCode::OK);
    assert!(app.upstream_members(Some("demo"), None).await.contains(&("frank".into(), "demo-viewer".into())));
}

/// A project's page shows its join link to whoever may manage its members: the workspace's admin
/// (KubeSphere's RBAC walks up from the project) and the project's own admin; not to an operator.
#[tokio::test]
async fn a_projects_page_links_its_admins_to_its_join_link() {
    let app = TestApp::start().await;
    app.upstream_post(
        "/clusters/member-1/kapis/iam.kubesphere.io/v1beta1/namespaces/demo-ops/namespacemembers",
        serde_json::json!([{"username": "frank", "roleRef": "admin"}]),
    )
    .await;
    let link = "href=\"/requests/link?workspace=demo&amp;cluster=member-1&amp;project=demo-ops\"";
    // The workspace's page links its projects with the workspace named (a team lead's own
    // namespace list does not show projects where they hold no binding).
    let lead = app.login("lead").await;
    assert!(page(&app, &lead, "/workspaces/demo")
        .await
        .contains("href=\"/projects/member-1/demo-ops?workspace=demo\""));
    for (user, path, shown) in [
        ("lead", "/projects/member-1/demo-ops?workspace=demo", true),
        ("frank", "/projects/member-1/demo-ops", true),
        ("admin", "/projects/member-1/demo-ops", true),
        // A workspace the project is not in counts for nothing.
        ("lead", "/projects/member-1/demo-ops?workspace=team-b", false),
    ] {
        let cookie = app.login(user).await;
        let html = page(&app, &cookie, path).await;
        assert_eq!(html.contains(link), shown, "{user} {path}: {html}");
    }
    let bob = app.login("bob").await;
    let html = page(&app, &bob, "/projects/host/demo-web?workspace=demo").await;
    assert!(!html.contains("/requests/link"), "an operator gets no join link");
    // The link it leads to, for the project's own admin.
    let frank = app.login("frank").await;
    let html = page(&app, &frank, "/requests/link?workspace=demo&cluster=member-1&project=demo-ops").await;
    assert!(html.contains("/join/demo/member-1/demo-ops"), "{html}");
}
