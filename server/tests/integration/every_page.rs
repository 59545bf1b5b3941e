//! Every page of the app, rendered for a platform admin, a workspace manager and a regular
//! user: no delete/remove/disable/revoke control anywhere, and no custom role in any dropdown.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::TestApp;
use reqwest::{Method, StatusCode};

/// Every route the app declares, with parameters filled from the demo seed.
fn app_pages() -> Vec<String> {
    server::app_routes()
        .into_iter()
        .map(|r| r.path().to_owned())
        .filter(|p| p != "/login")
        .map(|p| {
            p.replace(":name", "bob")
                .replace(":user", "bob")
                .replace(":workspace", "demo")
                .replace(":cluster", "host")
                .replace(":project", "demo-web")
        })
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

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[tokio::test]
async fn no_page_offers_a_destructive_action_or_a_custom_role() {
    let app = TestApp::start().await;
    let pages = app_pages();
    assert!(pages.len() >= 7, "{pages:?}");
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
            let res = app.request(Method::GET, page, Some(&cookie)).send().await.unwrap();
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
    let app = TestApp::start().await;
    let cookie = app.login("admin").await;
    for (page, heading) in [
        ("/workspaces/new", "Create a workspace"),
        ("/workspaces/invite", "Invite to a workspace"),
        ("/users/new", "Create a user"),
        ("/projects/new", "Create a project"),
        ("/projects/invite", "Invite to a project"),
    ] {
        let html = app.request(Method::GET, page, Some(&cookie)).send().await.unwrap().text().await.unwrap();
        assert!(html.contains(&format!("<h1>{heading}</h1>")), "{page}");
    }
}
