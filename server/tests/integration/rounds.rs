//! How many sequential rounds of upstream calls a page waits for. A real ks-apiserver is tens
//! of milliseconds away, so each round is time a person waits. Counted from the simulator's
//! journal (which request arrived after which was answered), with every call delayed so that
//! concurrent calls are seen as concurrent; no timing is asserted.

use std::time::Duration;

use ks_sim::journal::sequential_rounds;
use reqwest::StatusCode;

use crate::common::TestApp;
use crate::shared::FORM_PAGES;

/// Long enough that calls sent together all arrive before the first is answered.
const DELAY: Duration = Duration::from_millis(80);

/// Every page a person opens, on the large seed (47 workspaces on three clusters).
fn pages() -> Vec<&'static str> {
    let lookups = ["/", "/users", "/workspaces", "/users/user-0008", "/workspaces/ws-001", "/projects/host/ws-001-p0"];
    let activity = ["/activity", "/activity?person=user-0008", "/onboard"];
    lookups.into_iter().chain(FORM_PAGES).chain(activity).collect()
}

async fn rounds_of(app: &TestApp, cookie: &str, page: &str) -> (usize, usize) {
    app.sim.sim.reset_journal();
    app.page(cookie, page).await;
    let journal = app.sim.sim.journal();
    (sequential_rounds(&journal), journal.len())
}

fn delay_every_call(app: &TestApp) {
    crate::shared::delay_every_call(&app.sim, DELAY);
}

#[tokio::test]
async fn every_page_waits_for_at_most_two_rounds_of_upstream_calls() {
    let app = TestApp::builder().sim(|s| s.seed = ks_sim::Seed::large()).start().await;
    let mut report = Vec::new();
    for page in pages() {
        // A new session: its cache is empty, as on the first page after signing in.
        let cookie = app.login("admin").await;
        delay_every_call(&app);
        let (first, first_calls) = rounds_of(&app, &cookie, page).await;
        // The same page again within the session cache's lifetime.
        let (again, calls) = rounds_of(&app, &cookie, page).await;
        app.sim.sim.clear_faults();
        report.push(format!("{page}: {first} rounds ({first_calls} calls), then {again} ({calls} calls)"));
        assert!(calls <= 12, "{page}: {calls} upstream calls");
        // A platform admin's view of a person: their bindings, then the namespaces those name;
        // the first page of a session also asks for the clusters first.
        let first_bound = if page.starts_with("/users/user-") { 3 } else { 2 };
        assert!(first <= first_bound && again <= 2, "{}", report.join("\n"));
    }
    println!("{}", report.join("\n"));
}

/// The access pages: requests, join links, the explainer (a platform admin also asks KubeSphere's
/// own verdict: a second round) wait for at most two rounds. "Same access as" reads the
/// reference's memberships as the person's page does (three rounds on a session's first page,
/// two after; KubeSphere 4.1 has no one-call "memberships of X"), then plans them in one more:
/// the places are known from that read, so the plan lists no workspace's projects again.
#[tokio::test]
async fn the_access_pages_wait_for_few_rounds() {
    let app = TestApp::builder().sim(|s| s.seed = ks_sim::Seed::large()).start().await;
    let same_access = "/users/user-0008/same-access?reference=user-0009";
    let pages: [(&str, usize); 5] = [
        ("/requests", 2),
        ("/join/ws-001?role=viewer", 2),
        ("/requests/link?workspace=ws-001", 2),
        ("/explain?user=user-0008&workspace=ws-001&cluster=host&project=ws-001-p0", 2),
        (same_access, 4),
    ];
    let mut report = Vec::new();
    for (page, bound) in pages {
        let cookie = app.login("admin").await;
        delay_every_call(&app);
        let (first, calls) = rounds_of(&app, &cookie, page).await;
        app.sim.sim.clear_faults();
        report.push(format!("{page}: {first} rounds ({calls} calls)"));
        assert!(first <= bound, "{}", report.join("\n"));
    }
    // Reached from the person's page, as people do: the session knows the clusters.
    let cookie = app.login("admin").await;
    rounds_of(&app, &cookie, "/users/user-0008").await;
    delay_every_call(&app);
    let (warm, calls) = rounds_of(&app, &cookie, same_access).await;
    app.sim.sim.clear_faults();
    report.push(format!("{same_access} after the person's page: {warm} rounds ({calls} calls)"));
    assert!(warm <= 3, "{}", report.join("\n"));
    println!("{}", report.join("\n"));
}

/// A team lead's "same access as": the reference's memberships through the lead's workspaces
/// (three rounds, as the person's page), then the plan in one more.
#[tokio::test]
async fn a_team_leads_same_access_waits_for_at_most_four_rounds() {
    let (app, cookie) = TestApp::start_as("lead").await;
    delay_every_call(&app);
    let (rounds, calls) = rounds_of(&app, &cookie, "/users/frank/same-access?reference=carol").await;
    println!("lead, frank same as carol: {rounds} rounds ({calls} calls)");
    assert!(rounds <= 4, "{rounds} rounds, {calls} calls");
}

#[tokio::test]
async fn a_team_leads_view_of_a_person_waits_for_at_most_three_rounds() {
    let app = TestApp::start().await;
    // alice administers workspace demo and is no platform admin: no admin-wide binding lists.
    let cookie = app.login("alice").await;
    delay_every_call(&app);
    let (rounds, calls) = rounds_of(&app, &cookie, "/users/bob").await;
    assert!(rounds <= 3, "{rounds} rounds, {calls} calls");
}

#[tokio::test]
async fn a_team_leads_wizard_waits_for_at_most_three_rounds() {
    let app = TestApp::start().await;
    for (user, project) in [("lead", "demo/member-1/demo-ops"), ("admin", "demo-ops")] {
        // A new session: nothing of the person is cached yet.
        let cookie = app.login(user).await;
        delay_every_call(&app);
        app.sim.sim.reset_journal();
        let fields = [
            ("username", "frank"),
            ("workspace", "demo"),
            ("project_workspace", "demo"),
            ("project", project),
            ("step", "review"),
        ];
        let (status, html) = app.post_page(&cookie, "/onboard", &fields).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(html.contains("Invite frank to project demo-ops (cluster member-1) as viewer"), "{html}");
        let journal = app.sim.sim.journal();
        app.sim.sim.clear_faults();
        let rounds = sequential_rounds(&journal);
        assert!(rounds <= 3, "{user}: {rounds} rounds, {} calls", journal.len());
    }
}

#[tokio::test]
async fn the_project_pickers_ask_only_for_the_chosen_workspaces_projects() {
    let app = TestApp::builder().sim(|s| s.seed = ks_sim::Seed::large()).start().await;
    let cookie = app.login("admin").await;
    for page in ["/projects/invite", "/roles?level=project", "/projects/invite?workspace=ws-002"] {
        app.sim.sim.reset_journal();
        let html = app.page(&cookie, page).await;
        let listed: Vec<String> = app
            .sim
            .sim
            .journal()
            .into_iter()
            .filter(|e| e.path.ends_with("/namespaces") && e.path.contains("/workspaces/"))
            .map(|e| e.path)
            .collect();
        // One workspace's projects, on each of its three clusters: the one shown.
        let workspace_of =
            |path: &str| path.split("/workspaces/").nth(1).and_then(|rest| rest.split('/').next()).map(str::to_owned);
        let ws = listed.first().and_then(|p| workspace_of(p)).unwrap_or_default();
        assert_eq!(listed.len(), 3, "{page}: {listed:?}");
        assert!(listed.iter().all(|p| workspace_of(p).as_deref() == Some(ws.as_str())), "{page}: {listed:?}");
        if page.ends_with("ws-002") {
            assert_eq!(ws, "ws-002");
        }
        assert!(html.contains(&format!("<option value=\"{ws}\" selected")), "{page} shows {ws}");
        assert!(html.contains(&format!("<option value=\"host/{ws}-p0\"")), "{page} offers {ws}'s projects");
    }
}

/// The calls a page made to `path` (exact, without the query).
async fn asks(app: &TestApp, cookie: &str, page: &str, path: &str) -> usize {
    app.sim.sim.reset_journal();
    app.page(cookie, page).await;
    app.sim.sim.journal().iter().filter(|e| e.path == path).count()
}

#[tokio::test]
async fn the_session_cache_is_one_persons_and_a_write_of_theirs_empties_it() {
    const CLUSTERS: &str = "/kapis/tenant.kubesphere.io/v1beta1/clusters";
    let (app, admin) = TestApp::start_as("admin").await;
    assert_eq!(asks(&app, &admin, "/workspaces/new", CLUSTERS).await, 1);
    assert_eq!(asks(&app, &admin, "/workspaces/new", CLUSTERS).await, 0, "kept for the next page");
    assert_eq!(asks(&app, &admin, "/users/new", "/kapis/iam.kubesphere.io/v1beta1/users/admin").await, 0);

    // Someone else's session asks for their own.
    let alice = app.login("alice").await;
    assert_eq!(asks(&app, &alice, "/users/new", "/kapis/iam.kubesphere.io/v1beta1/users/alice").await, 1);
    // A second session of the same person starts empty too.
    let admin_again = app.login("admin").await;
    assert_eq!(asks(&app, &admin_again, "/workspaces/new", CLUSTERS).await, 1);

    // A change made through the console is seen on the next page.
    let (status, body) = app
        .submit(&admin, "create_workspace", &[("name", "cache-test"), ("manager", "admin"), ("clusters[]", "host")])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(asks(&app, &admin, "/workspaces/new", CLUSTERS).await, 1, "emptied by the write");
}

#[tokio::test]
async fn without_the_session_cache_every_page_asks_again() {
    const CLUSTERS: &str = "/kapis/tenant.kubesphere.io/v1beta1/clusters";
    let app = TestApp::builder().config(|c| c.session_cache_ms = 0).start().await;
    let admin = app.login("admin").await;
    assert_eq!(asks(&app, &admin, "/workspaces/new", CLUSTERS).await, 1);
    assert_eq!(asks(&app, &admin, "/workspaces/new", CLUSTERS).await, 1);
}
