//! Finding people: the search box, server-side pages, and the workspaces list.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::TestApp;
use serde_json::Value;

#[tokio::test]
async fn the_people_list_searches_and_pages_on_the_server() {
    let (app, cookie) = TestApp::start_as("bob").await;
    let page = app.page(&cookie, "/users?q=ali").await;
    assert!(page.contains("href=\"/users/alice\""), "alice is found");
    assert!(!page.contains("href=\"/users/carol\""), "carol is not");
    assert!(page.contains("1 people found. Page 1 of 1."));
    app.sim.sim.reset_journal();
    let page = app.page(&cookie, "/users?page=1").await;
    assert!(page.contains("href=\"/users/admin\""));
    let list = app.sim.sim.journal().into_iter().find(|e| e.path.ends_with("/users")).unwrap();
    let query = list.query.unwrap_or_default();
    assert!(query.contains("limit=20") && query.contains("page=1"), "KubeSphere paginates: {query}");
}

#[tokio::test]
async fn the_home_page_offers_the_person_search_and_the_workspaces_list_shows_mine() {
    let (app, cookie) = TestApp::start_as("bob").await;
    let home = app.page(&cookie, "/").await;
    assert!(home.contains("<label for=\"person-search\">Find a person</label>"));
    let list = app.page(&cookie, "/workspaces").await;
    assert!(list.contains("href=\"/workspaces/demo\"") && list.contains("href=\"/workspaces/team-b\""));
    assert!(!list.contains("system-workspace"));
}

#[tokio::test]
async fn the_people_list_sorts_on_the_server_and_its_pages_keep_the_order() {
    let app = TestApp::builder().sim(|s| s.seed = ks_sim::Seed::large()).start().await;
    let cookie = app.login("user-0050").await;
    for (sort, sort_by, ascending, first) in [
        ("name", "sortBy=name", "ascending=true", "admin"),
        ("name-desc", "sortBy=name", "ascending=false", "user-1998"),
    ] {
        app.sim.sim.reset_journal();
        let page = app.page(&cookie, &format!("/users?sort={sort}")).await;
        let list = app.sim.sim.journal().into_iter().find(|e| e.path.ends_with("/users")).unwrap();
        let query = list.query.unwrap_or_default();
        assert!(query.contains(sort_by) && query.contains(ascending), "{sort}: {query}");
        let first_row = page.find("<td data-label=\"Username\">").unwrap();
        assert!(
            page[first_row..].starts_with(&format!("<td data-label=\"Username\"><a href=\"/users/{first}\"")),
            "{sort} starts with {first}"
        );
        assert!(
            page.contains(&format!("href=\"/users?q=&amp;sort={sort}&amp;page=2\"")),
            "the next page keeps the order"
        );
        assert!(page.contains(&format!("<option value=\"{sort}\" selected")), "the form shows the order");
    }
    app.sim.sim.reset_journal();
    app.get(&cookie, "/users?sort=newest").await;
    let query =
        app.sim.sim.journal().into_iter().find(|e| e.path.ends_with("/users")).unwrap().query.unwrap_or_default();
    assert!(query.contains("sortBy=createTime") && query.contains("ascending=false"), "newest: {query}");
}

#[tokio::test]
async fn people_search_matches_names_display_names_and_emails_from_two_characters() {
    let (app, cookie) = TestApp::start_as("bob").await;
    let search = |q: &'static str| {
        let app = &app;
        let cookie = cookie.clone();
        async move {
            let res = app.post_api(Some(&cookie), "search_users", &[("query", q)]).await;
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
