//! "Where does this person belong, with which role?" — one page, a bounded number of calls.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn memberships(app: &TestApp, cookie: &str, user: &str) -> Value {
    let res = app.post_api(Some(cookie), "get_memberships", &[("username", user)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

#[tokio::test]
async fn an_admin_sees_every_membership_seeded_for_a_person() {
    let (app, cookie) = TestApp::start_as("admin").await;
    let m = memberships(&app, &cookie, "carol").await;
    assert_eq!(m["partial"], Value::Null);
    assert_eq!(
        m["workspaces"],
        json!([
            {"workspace": "demo", "role": "demo-viewer", "projects": [{"project": "demo-web", "cluster": "host", "role": "viewer"}]},
            {"workspace": "team-b", "role": "team-b-admin", "projects": [{"project": "team-b-data", "cluster": "host", "role": "admin"}]}
        ])
    );
    let page = app.page(&cookie, "/users/carol").await;
    assert!(page.contains(" — demo-viewer"), "the page renders on the server");
    assert!(page.contains("href=\"/workspaces/team-b\""));
}

#[tokio::test]
async fn a_regular_user_sees_less_and_is_told_so() {
    let (app, cookie) = TestApp::start_as("bob").await;
    let m = memberships(&app, &cookie, "carol").await;
    assert!(m["partial"].as_str().unwrap().contains("may be incomplete"));
    let names: Vec<(&str, &str)> = m["workspaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["workspace"].as_str().unwrap(), w["role"].as_str().unwrap()))
        .collect();
    assert_eq!(names, [("demo", "demo-viewer"), ("team-b", "team-b-admin")]);
}

#[tokio::test]
async fn a_persons_page_costs_the_same_upstream_calls_with_the_large_seed() {
    let count_calls = |seed: ks_sim::Seed, user: &'static str| async move {
        let app = TestApp::builder().sim(|s| s.seed = seed).start().await;
        let cookie = app.login("admin").await;
        app.sim.sim.reset_journal();
        let found = memberships(&app, &cookie, user).await;
        for e in app.sim.sim.journal().iter().filter(|e| e.path.ends_with("/namespaces")) {
            let query = e.query.clone().unwrap_or_default();
            assert!(query.contains("names="), "namespaces are asked for by name, not all listed: {query}");
        }
        let projects: usize =
            found["workspaces"].as_array().unwrap().iter().map(|w| w["projects"].as_array().unwrap().len()).sum();
        (app.sim.sim.journal().len(), projects)
    };
    // Bound: the workspace bindings with the workspace list beside them (one round; the list
    // serves people who may not read the bindings), the signed-in person's permissions (user
    // record and role templates) and the clusters (all three then kept in the session cache),
    // and per cluster (3) the project bindings plus, where there are any, the namespaces they name.
    let bound = 2 + 2 + 1 + 2 * 3;
    let (demo, _) = count_calls(ks_sim::Seed::demo(), "carol").await;
    assert!(demo <= bound, "{demo} calls");
    // In the large seed, user-0008 is in 10 projects and user-0009 in 5, on all three clusters.
    let (many, many_projects) = count_calls(ks_sim::Seed::large(), "user-0008").await;
    let (few, few_projects) = count_calls(ks_sim::Seed::large(), "user-0009").await;
    assert!(many_projects > few_projects, "{many_projects} vs {few_projects} projects");
    assert_eq!(many, few, "calls must not grow with the number of projects");
    assert_eq!(many, bound);
}

#[tokio::test]
async fn a_workspace_page_lists_its_members_and_its_projects_on_every_cluster() {
    let (app, cookie) = TestApp::start_as("alice").await;
    // The top bar's view of what alice may change is worked out on a session's first page and
    // kept (`navigation.rs`); what is counted here is the page's own.
    app.page(&cookie, "/").await;
    app.sim.sim.reset_journal();
    let page = app.page(&cookie, "/workspaces/demo").await;
    for expected in [
        "href=\"/users/bob\"",
        "demo-regular",
        "href=\"/projects/host/demo-web?workspace=demo\"",
        "href=\"/projects/member-1/demo-api?workspace=demo\"",
    ] {
        assert!(page.contains(expected), "{expected}");
    }
    let calls = app.sim.sim.journal().len();
    assert!(calls <= 6, "{calls} upstream calls for one workspace page");
}

/// The `users` list calls the simulator received (path ends in `/users`), with their queries.
fn user_list_queries(app: &TestApp) -> Vec<String> {
    app.sim
        .sim
        .journal()
        .into_iter()
        .filter(|e| e.method == "GET" && e.path.ends_with("/users"))
        .map(|e| e.query.unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn member_lists_show_e_mails_fetched_in_one_users_call_per_page() {
    let (app, cookie) = TestApp::start_as("alice").await;
    for (path, members) in
        [("/workspaces/demo", ["alice", "bob", "carol"]), ("/projects/host/demo-web", ["bob", "carol", "grace"])]
    {
        app.sim.sim.reset_journal();
        let page = app.page(&cookie, path).await;
        assert!(page.contains("<th scope=\"col\">E-mail</th>"), "{path}");
        for member in members {
            let email = app.upstream_user(member).await["spec"]["email"].as_str().unwrap().to_owned();
            assert!(page.contains(&email), "{path} shows {member}'s e-mail {email}");
        }
        let queries = user_list_queries(&app);
        let enrich: Vec<&String> = queries.iter().filter(|q| q.contains("names=")).collect();
        assert_eq!(enrich.len(), 1, "{path}: one users?names= call, got {queries:?}");
    }
}

#[tokio::test]
async fn a_big_member_list_is_paged_by_kubesphere_and_costs_the_same_calls_on_every_page() {
    let mut seed = ks_sim::Seed::large();
    let mut big = seed.workspaces[1].clone();
    big.name = "ws-big".into();
    big.manager = "admin".into();
    big.members = (0..120).map(|i| (format!("user-{i:04}"), "ws-big-regular".to_owned())).collect();
    seed.workspaces.push(big);
    let app = TestApp::builder().sim(|s| s.seed = seed).start().await;
    let cookie = app.login("admin").await;
    // The session's first page also works out the top bar's view of what admin may change.
    app.page(&cookie, "/").await;

    let mut calls = Vec::new();
    for (page, rows, first) in [(1, 50, "user-0000"), (3, 21, "user-0099")] {
        app.sim.sim.reset_journal();
        let path = format!("/workspaces/ws-big?page={page}");
        let html = app.page(&cookie, &path).await;
        // 120 invited members plus the manager (admin, first by name).
        assert!(html.contains(&format!("121 members. Page {page} of 3.")), "{path}");
        assert_eq!(html.matches("<td data-label=\"Member\">").count(), rows, "{path}");
        assert!(html.contains(&format!("{first}@example.com")), "{path} starts at {first}");
        let journal = app.sim.sim.journal();
        let members = journal.iter().find(|e| e.path.ends_with("/workspacemembers")).unwrap();
        let query = members.query.clone().unwrap_or_default();
        assert!(query.contains("limit=50") && query.contains(&format!("page={page}")), "KubeSphere pages: {query}");
        calls.push(journal.len());
    }
    assert_eq!(calls[0], calls[1], "every page costs the same calls");
}

#[tokio::test]
async fn a_persons_page_opens_the_invite_and_role_forms_with_them_filled_in() {
    let (app, cookie) = TestApp::start_as("admin").await;
    let get = |path: String| {
        let req = app.request(Method::GET, &path, Some(&cookie));
        async move { req.send().await.unwrap().text().await.unwrap() }
    };
    let page = get("/users/carol".into()).await;
    for link in ["/workspaces/invite?user=carol", "/projects/invite?user=carol", "/roles?user=carol"] {
        assert!(page.contains(&format!("href=\"{link}\"")), "{link}");
    }
    // Each form's username field; each level of /roles is a section of its own.
    for link in [
        "/workspaces/invite?user=carol",
        "/projects/invite?user=carol",
        "/roles?level=platform&user=carol",
        "/roles?level=workspace&user=carol",
        "/roles?level=project&user=carol",
        "/roles?user=carol",
    ] {
        let form = get(link.into()).await;
        let fields: Vec<&str> = form
            .split("<input")
            .skip(1)
            .filter_map(|tag| tag.split('>').next())
            .filter(|tag| tag.contains("name=\"username\"") || tag.contains("name=\"usernames\""))
            .collect();
        assert_eq!(fields.len(), 1, "{link}: {fields:?}");
        assert!(fields[0].contains("value=\"carol\""), "{link} fills in the username field: {fields:?}");
    }
    // Anything that is not a username is ignored, not echoed.
    let form = get("/workspaces/invite?user=%3Cb%3Ex".into()).await;
    assert!(!form.contains("&lt;b&gt;x") && !form.contains("<b>x"));
}

#[tokio::test]
async fn a_team_lead_sees_where_their_people_belong_down_to_projects() {
    let app = TestApp::start().await;
    // alice administers workspace demo but is no platform admin: no admin-wide binding lists.
    let cookie = app.login("alice").await;
    app.sim.sim.reset_journal();
    let m = memberships(&app, &cookie, "carol").await;
    let demo = m["workspaces"].as_array().unwrap().iter().find(|w| w["workspace"] == "demo").unwrap().clone();
    assert_eq!(
        demo,
        json!({"workspace": "demo", "role": "demo-viewer", "projects": [{"project": "demo-web", "cluster": "host", "role": "viewer"}]})
    );
    assert!(m["partial"].as_str().unwrap().contains("may be incomplete"));
    // Three rounds: the workspaces; per workspace the membership and its projects per cluster;
    // per project the person's membership. Nothing else, and nothing per workspace twice.
    let journal = app.sim.sim.journal();
    let kinds = |suffix: &str| journal.iter().filter(|e| e.path.ends_with(suffix)).count();
    assert_eq!(kinds("/workspacerolebindings"), 1, "asked beside the workspace list, in the first round");
    let workspaces = kinds("/workspacetemplates");
    let member_lookups = kinds("/workspacemembers");
    let project_lists = kinds("/namespaces");
    let project_lookups = kinds("/namespacemembers");
    assert_eq!(workspaces, 1);
    // Beside them in the first round, once per session (then in its cache): the signed-in
    // person's user record, role templates and clusters, to know whether the admin-wide lists apply.
    let own = kinds("/users/alice") + kinds("/users/alice/roletemplates") + kinds("/clusters");
    assert_eq!(own, 3, "{journal:?}");
    assert_eq!(journal.len(), 1 + own + workspaces + member_lookups + project_lists + project_lookups, "{journal:?}");
    assert!((1..=100).contains(&project_lookups), "{project_lookups}");
}
