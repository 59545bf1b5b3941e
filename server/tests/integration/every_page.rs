//! Every page of the app, rendered for a platform admin, a workspace manager and a regular
//! user: no delete/remove/disable/revoke control anywhere, and no custom role in any dropdown.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{strip_tags, TestApp};
use reqwest::{Method, StatusCode};

/// Every route the app declares, with parameters filled from the demo seed, and each section
/// of the pages that have several.
fn app_pages() -> Vec<String> {
    let sections = ["/roles?level=platform", "/roles?level=workspace", "/roles?level=project"];
    server::app_routes()
        .into_iter()
        .map(|r| r.path().to_owned())
        .filter(|p| p != "/login")
        .map(|p| {
            // Routes are listed in axum's syntax (`{name}`); both spellings are filled in.
            [
                ("name", "bob"),
                ("user", "bob"),
                ("workspace", "demo"),
                ("cluster", "host"),
                ("project", "demo-web"),
                ("id", "a-job-id"),
            ]
            .into_iter()
            .fold(p, |p, (param, value)| p.replace(&format!(":{param}"), value).replace(&format!("{{{param}}}"), value))
        })
        .chain(sections.map(str::to_owned))
        .collect()
}

/// Visible texts of buttons and links, lower-cased.
fn control_texts(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for tag in ["<button", "<a "] {
        let close = if tag == "<button" { "</button>" } else { "</a>" };
        let mut rest = html;
        while let Some(start) = rest.find(tag) {
            let after = &rest[start..];
            let end = after.find(close).unwrap_or(after.len());
            let inner = &after[..end];
            let text: String = strip_tags(inner).to_lowercase();
            out.push(text);
            rest = &after[end.min(after.len())..];
            if end == after.len() {
                break;
            }
        }
    }
    out
}

#[tokio::test]
async fn no_page_offers_a_destructive_action_or_a_custom_role() {
    let app = TestApp::start().await;
    let pages = app_pages();
    assert!(pages.len() >= 7, "{pages:?}");
    assert!(pages.iter().all(|p| !p.contains('{') && !p.contains(':')), "every parameter is filled in: {pages:?}");
    let custom_roles = app.sim.sim.global_roles().into_iter().filter_map(|r| {
        let name = r["metadata"]["name"].as_str()?.to_owned();
        let builtin = ks_types::PlatformRole::parse(&name).is_ok();
        (!builtin && !["authenticated", "anonymous", "pre-registration", "ks-console"].contains(&name.as_str()))
            .then_some(name)
    });
    let mut forbidden_names: Vec<String> = custom_roles.collect();
    forbidden_names.extend(["demo-auditor".to_owned(), "deployer".to_owned()]);
    assert!(forbidden_names.iter().any(|n| n == "platform-auditor"), "the seed has a custom global role");

    for user in ["admin", "alice", "bob"] {
        let cookie = app.login(user).await;
        for page in &pages {
            let res = app.get(&cookie, page).await;
            assert!(
                res.status() == StatusCode::OK || res.status() == StatusCode::NOT_FOUND,
                "{user} {page}: {}",
                res.status()
            );
            let html = res.text().await.unwrap();
            for text in control_texts(&html) {
                for word in ["delete", "remove", "disable", "revoke", "deactivate"] {
                    assert!(!text.contains(word), "{user} sees a '{word}' control on {page}: {text:?}");
                }
            }
            for name in &forbidden_names {
                assert!(!html.contains(&format!("value=\"{name}\"")), "{user} is offered custom role {name} on {page}");
            }
        }
    }
    assert!(app.sim.sim.journal().iter().all(|e| e.method != "DELETE"), "no DELETE reached KubeSphere");
}

#[tokio::test]
async fn static_pages_are_not_shadowed_by_parameter_routes() {
    let (app, cookie) = TestApp::start_as("admin").await;
    for (page, heading) in [
        ("/workspaces/new", "Create a workspace"),
        ("/workspaces/invite", "Invite to a workspace"),
        ("/users/new", "Create a user"),
        ("/projects/new", "Create a project"),
        ("/projects/invite", "Invite to a project"),
    ] {
        let html = app.page(&cookie, page).await;
        assert!(html.contains(&format!("<h1>{heading}</h1>")), "{page}");
    }
}

#[tokio::test]
async fn only_pages_with_islands_load_the_wasm() {
    let (app, cookie) = TestApp::start_as("admin").await;
    let mut pages = app_pages();
    pages.push("/users?q=bo".into());
    let mut seen = Vec::new();
    for page in pages.iter().map(String::as_str).chain(["/login"]) {
        let cookie = (page != "/login").then_some(cookie.as_str());
        let html = app.request(Method::GET, page, cookie).send().await.unwrap().text().await.unwrap();
        let islands = html.contains("<leptos-island");
        let loads_wasm = html.contains(".wasm") || html.contains("/pkg/ks-console.js");
        let path = page.split('?').next().unwrap_or(page);
        // A form's page loads the WASM even for someone who is only told they may not use the
        // form (the shell is decided by the route); a page with an island always loads it.
        assert!(!islands || loads_wasm, "{page} has islands but loads no WASM");
        // The shell loads the WASM exactly where `route_has_islands` says, so what can go stale is
        // that list: an admin, who may use every form, sees an island on each of its routes and
        // on no other. (The made-up job of the route `/onboard/bulk/jobs/{id}` is not found, so
        // it has no live bar; a running job's is tested in bulk.rs.)
        let job = path.starts_with("/onboard/bulk/jobs/");
        assert_eq!(islands, app::route_has_islands(path) && !job, "{page}: route_has_islands is out of date");
        seen.push((page.to_owned(), islands));
    }
    let without: Vec<&str> = seen.iter().filter(|(_, i)| !i).map(|(p, _)| p.as_str()).collect();
    for lookup in ["/users/bob", "/workspaces/demo", "/projects/host/demo-web", "/workspaces", "/users?q=bo"] {
        assert!(without.contains(&lookup), "{lookup} is a lookup page: HTML only, no WASM: {seen:?}");
    }
}
