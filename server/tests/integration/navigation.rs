//! The top bar and the home page offer each person what KubeSphere lets them change, from their
//! own permissions (the demo seed's people), and everyone the places to look things up. What is
//! not offered is still refused by the server, as before.

use reqwest::StatusCode;

use crate::common::{strip_tags, TestApp};

const LOOK_UP: [(&str, &str); 4] =
    [("/", "Home"), ("/users", "People"), ("/workspaces", "Workspaces"), ("/activity", "Activity")];

const ONBOARD: (&str, &str) = ("/onboard", "Onboard a person");
const CREATE_USER: (&str, &str) = ("/users/new", "Create a user");
const CREATE_WORKSPACE: (&str, &str) = ("/workspaces/new", "Create a workspace");
const CREATE_PROJECT: (&str, &str) = ("/projects/new", "Create a project");
const INVITE_WORKSPACE: (&str, &str) = ("/workspaces/invite", "Invite to a workspace");
const INVITE_PROJECT: (&str, &str) = ("/projects/invite", "Invite to a project");
const CHANGE_ROLE: (&str, &str) = ("/roles", "Change a role");
/// Every page that changes something, in the order they are offered.
const CHANGES: [(&str, &str); 7] =
    [ONBOARD, CREATE_USER, CREATE_WORKSPACE, CREATE_PROJECT, INVITE_WORKSPACE, INVITE_PROJECT, CHANGE_ROLE];

/// What `username` is offered on a page: the links of the top bar's places, of its "Change"
/// menu and of the page's main part, each as (address, visible text).
struct Offered {
    look_up: Vec<(String, String)>,
    change_menu: Vec<(String, String)>,
    main: Vec<(String, String)>,
    html: String,
}

async fn offered(app: &TestApp, username: &str, page: &str) -> Offered {
    let cookie = app.login(username).await;
    let res = app.get(&cookie, page).await;
    assert_eq!(res.status(), StatusCode::OK, "{username} {page}");
    let html = res.text().await.unwrap();
    // The top bar's navigation is the page's first.
    let nav = between(&html, "<nav ", "</nav>");
    Offered {
        look_up: links(between(nav, "<ul ", "</ul>")),
        change_menu: links(between(nav, "<details", "</details>")),
        main: links(between(&html, "<main", "</main>")),
        html,
    }
}

/// The part of `html` from `start` to the first `end` after it; empty when `start` is absent.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let Some(from) = html.find(start) else { return "" };
    let rest = &html[from..];
    &rest[..rest.find(end).map_or(rest.len(), |to| to + end.len())]
}

/// Every link in `html`: its address and its visible text.
fn links(html: &str) -> Vec<(String, String)> {
    html.split("<a ")
        .skip(1)
        .map(|tag| {
            let href = tag.split("href=\"").nth(1).and_then(|h| h.split('"').next()).unwrap_or_default();
            let inner = tag.split_once('>').map_or("", |(_, rest)| rest.split("</a>").next().unwrap_or_default());
            (href.to_owned(), strip_tags(inner).trim().to_owned())
        })
        .collect()
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(h, t)| ((*h).to_owned(), (*t).to_owned())).collect()
}

/// The home page's action cards: the links of the main part to a page that changes something,
/// with their name (the card's text begins with it).
fn cards(main: &[(String, String)]) -> Vec<(String, String)> {
    main.iter()
        .filter_map(|(href, text)| {
            let (_, name) = CHANGES.iter().find(|(h, _)| h == href)?;
            text.starts_with(name).then(|| (href.clone(), (*name).to_owned()))
        })
        .collect()
}

#[tokio::test]
async fn someone_who_may_change_nothing_is_offered_only_the_lookups_and_told_who_can_grant_access() {
    let app = TestApp::start().await;
    let frank = offered(&app, "frank", "/").await;
    assert_eq!(frank.look_up, owned(&LOOK_UP));
    assert!(!frank.html.contains("<details"), "no Change menu at all");
    assert!(frank.change_menu.is_empty());
    for (href, _) in CHANGES {
        assert!(!frank.html.contains(&format!("href=\"{href}\"")), "frank is offered {href}: {:?}", frank.main);
    }
    assert!(frank.html.contains("You can look people, workspaces and projects up."), "{}", frank.html);
    assert!(frank.html.contains("ask a platform administrator") && frank.html.contains("a workspace administrator"));

    // Not offered, and still refused.
    let cookie = app.login("frank").await;
    let fields = [("workspace", "demo"), ("usernames", "frank"), ("role", "regular")];
    assert_eq!(app.submit(&cookie, "invite_workspace_members", &fields).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn someone_who_may_only_create_projects_is_offered_only_that() {
    let app = TestApp::start().await;
    // bob: a regular member of demo and a self-provisioner of team-b; he invites nobody.
    let bob = offered(&app, "bob", "/").await;
    assert_eq!(bob.look_up, owned(&LOOK_UP));
    assert_eq!(bob.change_menu, owned(&[CREATE_PROJECT]));
    assert_eq!(cards(&bob.main), owned(&[CREATE_PROJECT]));
    for (href, _) in [ONBOARD, INVITE_WORKSPACE, INVITE_PROJECT, CREATE_USER, CHANGE_ROLE] {
        assert!(!bob.html.contains(&format!("href=\"{href}\"")), "bob is offered {href}");
    }
    assert!(!bob.html.contains("You can look people"), "bob may change something");
}

#[tokio::test]
async fn a_workspace_admin_is_offered_onboarding_invitations_and_role_changes_but_no_accounts_or_workspaces() {
    let app = TestApp::start().await;
    // lead: an invited admin of demo, platform-regular.
    let lead = offered(&app, "lead", "/").await;
    let expected = owned(&[ONBOARD, CREATE_PROJECT, INVITE_WORKSPACE, INVITE_PROJECT, CHANGE_ROLE]);
    assert_eq!(lead.change_menu, expected);
    assert_eq!(cards(&lead.main), expected);
    for (href, _) in [CREATE_USER, CREATE_WORKSPACE] {
        assert!(!lead.html.contains(&format!("href=\"{href}\"")), "lead is offered {href}");
    }
}

#[tokio::test]
async fn a_platform_admin_is_offered_every_change() {
    let app = TestApp::start().await;
    let admin = offered(&app, "admin", "/").await;
    assert_eq!(admin.look_up, owned(&LOOK_UP));
    assert_eq!(admin.change_menu, owned(&CHANGES));
    assert_eq!(cards(&admin.main), owned(&CHANGES));
}

#[tokio::test]
async fn the_groups_are_named_and_every_page_marks_where_it_is() {
    let app = TestApp::start().await;
    let lead = offered(&app, "lead", "/roles?level=workspace").await;
    assert!(lead.html.contains("<ul aria-label=\"Look up\""), "{}", lead.html);
    assert!(lead.html.contains("<summary>Make changes</summary>"));
    assert!(lead.html.contains("<ul aria-label=\"Make changes\""));
    assert!(lead.html.contains("<a href=\"/roles\" aria-current=\"page\">Change a role</a>"));
    assert_eq!(lead.change_menu.len(), 5, "the same menu as on the home page: {:?}", lead.change_menu);

    // A self-provisioner who manages demo: workspaces and demo's members, no accounts; in Chinese.
    let cookie = format!("{}; i18n_pref_locale=zh", app.login("alice").await);
    let html = app.page(&cookie, "/users").await;
    let menu = links(between(&html, "<details", "</details>"));
    assert!(html.contains("<summary>进行变更</summary>") && html.contains("aria-label=\"查看\""), "{html}");
    let hrefs: Vec<&str> = menu.iter().map(|(h, _)| h.as_str()).collect();
    assert_eq!(
        hrefs,
        ["/onboard", "/workspaces/new", "/projects/new", "/workspaces/invite", "/projects/invite", "/roles"]
    );
}

#[tokio::test]
async fn what_a_person_may_do_is_worked_out_once_for_the_pages_that_follow() {
    let (app, cookie) = TestApp::start_as("carol").await;
    let html = app.page(&cookie, "/").await;
    assert!(html.contains("href=\"/onboard\""), "carol administers team-b");
    app.sim.sim.reset_journal();
    let res = app.get(&cookie, "/workspaces").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("href=\"/onboard\""));
    let templates = app.sim.sim.journal().iter().filter(|e| e.path.contains("/roletemplates")).count();
    assert_eq!(templates, 0, "the session cache answers the top bar");
}
