//! The access review of a workspace (`/workspaces/{ws}/access` and its CSV): every membership
//! KubeSphere holds in the workspace and its projects, for a platform admin and for a team lead
//! alike, with how each was granted; read only, in a number of reads that does not grow with the
//! members.

use std::collections::BTreeSet;

use reqwest::StatusCode;

use crate::common::TestApp;

const HEADER: &str = "scope,workspace,cluster,project,username,email,role,status,last_login,granted_by,granted_at";

async fn export(app: &TestApp, cookie: &str, ws: &str) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let res = app.get(cookie, &format!("/workspaces/{ws}/access.csv")).await;
    (res.status(), res.headers().clone(), res.text().await.unwrap())
}

/// (scope, cluster, project, username, role) of each line of the export.
fn memberships(csv: &str) -> BTreeSet<(String, String, String, String, String)> {
    csv.lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            assert_eq!(cells.len(), 11, "{line}");
            (cells[0].into(), cells[2].into(), cells[3].into(), cells[4].into(), cells[6].into())
        })
        .collect()
}

/// What KubeSphere holds for `demo`: its members, and the members of each of its projects on
/// every cluster of its placement.
async fn held_by_kubesphere(app: &TestApp) -> BTreeSet<(String, String, String, String, String)> {
    let mut held = BTreeSet::new();
    for (user, role) in app.upstream_members(Some("demo"), None).await {
        held.insert(("workspace".into(), String::new(), String::new(), user, role));
    }
    let template = app.upstream_get("/kapis/tenant.kubesphere.io/v1beta1/workspacetemplates/demo").await;
    let clusters: Vec<String> = template["spec"]["placement"]["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect();
    for cluster in clusters {
        let projects = app
            .upstream_get(&format!("/clusters/{cluster}/kapis/tenant.kubesphere.io/v1beta1/workspaces/demo/namespaces"))
            .await;
        for ns in projects["items"].as_array().unwrap() {
            let project = ns["metadata"]["name"].as_str().unwrap().to_owned();
            for (user, role) in app.upstream_members(None, Some((&cluster, &project))).await {
                held.insert(("project".into(), cluster.clone(), project.clone(), user, role));
            }
        }
    }
    held
}

#[tokio::test]
async fn the_export_lists_exactly_the_memberships_kubesphere_holds_for_an_admin_and_a_team_lead() {
    let app = TestApp::start().await;
    let held = held_by_kubesphere(&app).await;
    assert!(held.iter().any(|m| m.0 == "project"), "the demo seed has project members");
    for who in ["admin", "lead"] {
        let cookie = app.login(who).await;
        app.sim.sim.reset_journal();
        let (status, headers, csv) = export(&app, &cookie, "demo").await;
        assert_eq!(status, StatusCode::OK, "{who}: {csv}");
        assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
        assert_eq!(headers["content-disposition"], "attachment; filename=\"access-demo.csv\"");
        assert_eq!(csv.lines().next(), Some(HEADER));
        assert_eq!(memberships(&csv), held, "{who} sees every membership, with its role");
        let writes: Vec<String> =
            app.sim.sim.journal().into_iter().filter(|e| e.method != "GET").map(|e| e.path).collect();
        assert!(writes.is_empty(), "{who}: nothing written to KubeSphere: {writes:?}");
        // Accounts' state and e-mail come along.
        let bob = csv.lines().find(|l| l.starts_with("workspace,demo,,,bob,")).expect("bob is a member of demo");
        assert!(bob.contains("@") && bob.contains(",active,"), "{bob}");
    }
}

#[tokio::test]
async fn a_console_change_names_its_author_and_a_change_made_in_kubesphere_reads_outside() {
    let (app, admin) = TestApp::start_as("admin").await;
    let invite = [("workspace", "demo"), ("usernames", "frank"), ("role", "viewer")];
    assert_eq!(app.submit(&admin, "invite_workspace_members", &invite).await.0, StatusCode::OK);
    let lead = app.login("lead").await;
    let (_, _, csv) = export(&app, &lead, "demo").await;
    let frank = csv.lines().find(|l| l.starts_with("workspace,demo,,,frank,")).unwrap().to_owned();
    let cells: Vec<&str> = frank.split(',').collect();
    assert_eq!((cells[6], cells[9]), ("demo-viewer", "admin"), "{frank}");
    assert!(cells[10].ends_with('Z') && cells[10].contains('T'), "RFC 3339 UTC: {frank}");

    // Changed in KubeSphere itself: the role is new, and nothing in the console explains it.
    app.upstream_put(
        "/kapis/iam.kubesphere.io/v1beta1/workspaces/demo/workspacemembers/frank",
        serde_json::json!({"username": "frank", "roleRef": "demo-regular"}),
    )
    .await;
    let (_, _, csv) = export(&app, &lead, "demo").await;
    let frank = csv.lines().find(|l| l.starts_with("workspace,demo,,,frank,")).unwrap().to_owned();
    let cells: Vec<&str> = frank.split(',').collect();
    assert_eq!((cells[6], cells[9], cells[10]), ("demo-regular", "", ""), "{frank}");

    // The page says the same, in words.
    let page = app.get(&lead, "/workspaces/demo/access?role=demo-regular").await;
    let page = page.text().await.unwrap();
    assert!(page.contains("href=\"/users/frank\"") && page.contains("Outside the console"), "{page}");
    assert!(page.contains("href=\"/workspaces/demo/access.csv\""));
    let filtered = app.get(&lead, "/workspaces/demo/access?role=demo-viewer").await;
    assert!(!filtered.text().await.unwrap().contains("href=\"/users/frank\""), "filtered by role");
}

#[tokio::test]
async fn the_reads_do_not_grow_with_the_members_and_a_regular_member_is_told_what_is_left_out() {
    let (app, admin) = TestApp::start_as("admin").await;
    app.sim.sim.reset_journal();
    export(&app, &admin, "demo").await;
    let before = app.sim.sim.journal().len();
    // Twenty more members of the workspace.
    for i in 0..20 {
        let name = format!("extra-{i}");
        let user = serde_json::json!({"apiVersion": "iam.kubesphere.io/v1beta1", "kind": "User",
            "metadata": {"name": name}, "spec": {"email": format!("{name}@example.com")}});
        app.upstream_post("/kapis/iam.kubesphere.io/v1beta1/users", user).await;
        app.upstream_post(
            "/kapis/iam.kubesphere.io/v1beta1/workspaces/demo/workspacemembers",
            serde_json::json!([{"username": name, "roleRef": "demo-viewer"}]),
        )
        .await;
    }
    let admin = app.login("admin").await;
    app.sim.sim.reset_journal();
    let (_, _, csv) = export(&app, &admin, "demo").await;
    assert!(csv.contains(",extra-19,"));
    let after = app.sim.sim.journal().len();
    assert_eq!(after, before, "the same reads for 20 more members");

    // A team member without rights over the workspace's projects sees what KubeSphere lets them.
    let bob = app.login("bob").await;
    let page = app.get(&bob, "/workspaces/demo/access").await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("KubeSphere lists you only the projects you belong to"), "{page}");
    let lead = app.login("lead").await;
    let page = app.get(&lead, "/workspaces/demo/access").await;
    assert!(!page.text().await.unwrap().contains("only the projects you belong to"), "a team lead sees them all");
}

#[tokio::test]
async fn with_kubesphere_away_the_review_says_so_and_the_export_is_an_error_not_a_partial_file() {
    let (app, lead) = TestApp::start_as("lead").await;
    app.sim.sim.inject(ks_sim::Fault::status(
        "/kapis/iam.kubesphere.io/v1beta1/workspaces/demo/workspacemembers",
        503,
        None,
    ));
    let (status, headers, body) = export(&app, &lead, "demo").await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{body}");
    assert!(!headers.contains_key("content-disposition") && !body.contains(HEADER), "no partial file: {body}");
    let page = app.get(&lead, "/workspaces/demo/access").await;
    let page = page.text().await.unwrap();
    assert!(page.contains("KubeSphere is not reachable right now"), "{page}");
    app.sim.sim.clear_faults();
    let (status, _, _) = export(&app, &lead, "no-such-workspace").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

const CHANGES_HEADER: &str =
    "change,scope,workspace,cluster,project,username,role_before,role_after,through,changed_by,changed_at";

async fn changes(app: &TestApp, cookie: &str, query: &str) -> (StatusCode, String) {
    let path = format!("/workspaces/demo/access-changes.csv{query}");
    let res = app.get(cookie, &path).await;
    (res.status(), res.text().await.unwrap())
}

async fn page(app: &TestApp, cookie: &str, query: &str) -> String {
    let path = format!("/workspaces/demo/access{query}");
    let res = app.get(cookie, &path).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.text().await.unwrap()
}

#[tokio::test]
async fn after_a_sign_off_changes_name_console_changes_with_their_author_and_others_as_outside() {
    let app = TestApp::start().await;
    let (lead, admin) = (app.login("lead").await, app.login("admin").await);
    app.sim.sim.reset_journal();

    // The team lead reviews demo and signs off, as a browser without WASM does.
    let before = page(&app, &lead, "").await;
    assert!(before.contains("No one has marked this access as reviewed yet."), "{before}");
    let res = app
        .post_without_wasm(Some(&lead), "mark_access_reviewed", "/workspaces/demo/access", &[("workspace", "demo")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/workspaces/demo/access");
    let after = page(&app, &lead, "").await;
    assert!(after.contains("Marked as reviewed at") && after.contains("Last reviewed by lead on"), "{after}");

    // Then: bob's role changes in KubeSphere itself, and admin invites frank through the console.
    app.upstream_put(
        "/kapis/iam.kubesphere.io/v1beta1/workspaces/demo/workspacemembers/bob",
        serde_json::json!({"username": "bob", "roleRef": "demo-viewer"}),
    )
    .await;
    let invite = [("workspace", "demo"), ("usernames", "frank"), ("role", "viewer")];
    assert_eq!(app.submit(&admin, "invite_workspace_members", &invite).await.0, StatusCode::OK);

    // Since the sign-off (the default), as the lead and as a platform admin.
    for cookie in [&lead, &admin] {
        app.sim.sim.reset_journal();
        let (status, csv) = changes(&app, cookie, "").await;
        assert_eq!(status, StatusCode::OK, "{csv}");
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], CHANGES_HEADER);
        assert_eq!(lines.len(), 3, "two changes: {csv}");
        assert_eq!(lines[1], "changed,workspace,demo,,,bob,demo-regular,demo-viewer,outside,,");
        let frank: Vec<&str> = lines[2].split(',').collect();
        assert_eq!(frank[..10], ["added", "workspace", "demo", "", "", "frank", "", "demo-viewer", "console", "admin"]);
        assert!(frank[10].ends_with('Z') && frank[10].contains('T'), "RFC 3339 UTC: {csv}");
        let writes: Vec<String> =
            app.sim.sim.journal().into_iter().filter(|e| e.method != "GET").map(|e| e.path).collect();
        assert!(writes.is_empty(), "nothing written to KubeSphere: {writes:?}");
    }
    let shown = page(&app, &lead, "").await;
    assert!(shown.contains("2 changes since the record of"), "{shown}");
    assert!(shown.contains("demo-regular → demo-viewer") && shown.contains("Through the console: admin"), "{shown}");
    assert!(shown.contains("href=\"/workspaces/demo/access-changes.csv?since="), "{shown}");

    // Before any record, the page and the export say so rather than "nothing changed".
    let early = page(&app, &lead, "?since=2020-01-01").await;
    assert!(
        early.contains("The console kept no record of this access at or before 2020-01-01 00:00:00 UTC"),
        "{early}"
    );
    let (status, body) = changes(&app, &lead, "?since=2020-01-01").await;
    assert!(status.is_client_error() && !body.contains(CHANGES_HEADER), "{status}: {body}");
    let (status, _) = changes(&app, &lead, "?since=yesterday").await;
    assert!(status.is_client_error());
    assert!(page(&app, &lead, "?since=yesterday").await.contains("Give a day such as 2026-01-31"));

    // bob can list only his own projects: no sign-off, no changes, and told why.
    let bob = app.login("bob").await;
    let (status, _) = changes(&app, &bob, "").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.submit(&bob, "mark_access_reviewed", &[("workspace", "demo")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let seen = page(&app, &bob, "").await;
    assert!(
        seen.contains("Only the workspace's administrators and platform administrators")
            && !seen.contains("Mark as reviewed</button>"),
        "{seen}"
    );
}

#[tokio::test]
async fn a_snapshot_is_kept_only_when_the_access_differs_from_the_last_one() {
    let (app, lead) = TestApp::start_as("lead").await;
    page(&app, &lead, "").await;
    // Seconds later, the same access read again keeps no new record: the record compared with
    // is still the first one.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    page(&app, &lead, "").await;
    let since = time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap();
    let first = page(&app, &lead, &format!("?since={since}")).await;
    let baseline = |html: &str| {
        let needle = "changes since the record of ";
        let start = html.find(needle).map(|i| i + needle.len()).unwrap_or_default();
        html[start..start + 19].to_owned()
    };
    let kept = baseline(&first);
    assert!(first.contains("0 changes since the record of"), "{first}");

    // A change in KubeSphere is a new record (read in a new session: a session keeps what
    // KubeSphere said for a few seconds).
    app.upstream_put(
        "/kapis/iam.kubesphere.io/v1beta1/workspaces/demo/workspacemembers/bob",
        serde_json::json!({"username": "bob", "roleRef": "demo-viewer"}),
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let lead = app.login("lead").await;
    page(&app, &lead, "").await;
    let since = time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap();
    let second = page(&app, &lead, &format!("?since={since}")).await;
    assert!(second.contains("0 changes since the record of"), "{second}");
    assert!(baseline(&second) > kept, "a newer record: {} after {kept}", baseline(&second));
}
