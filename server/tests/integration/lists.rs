//! Finding people: the search box, server-side pages, and the workspaces list.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::TestApp;
use reqwest::Method;

#[tokio::test]
async fn the_people_list_searches_and_pages_on_the_server() {
    let app = TestApp::start().await;
    let cookie = app.login("bob").await;
    let page = app.request(Method::GET, "/users?q=ali", Some(&cookie)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("href=\"/users/alice\""), "alice is found");
    assert!(!page.contains("href=\"/users/carol\""), "carol is not");
    assert!(page.contains("1 people found. Page 1 of 1."));
    app.sim.sim.reset_journal();
    let page = app.request(Method::GET, "/users?page=1", Some(&cookie)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("href=\"/users/admin\""));
    let list = app.sim.sim.journal().into_iter().find(|e| e.path.ends_with("/users")).unwrap();
    let query = list.query.unwrap_or_default();
    assert!(query.contains("limit=20") && query.contains("page=1"), "KubeSphere paginates: {query}");
}

#[tokio::test]
async fn the_home_page_offers_the_person_search_and_the_workspaces_list_shows_mine() {
    let app = TestApp::start().await;
    let cookie = app.login("bob").await;
    let home = app.request(Method::GET, "/", Some(&cookie)).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("<label for=\"person-search\">Find a person</label>"));
    let list = app.request(Method::GET, "/workspaces", Some(&cookie)).send().await.unwrap().text().await.unwrap();
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
        let page = app
            .request(Method::GET, &format!("/users?sort={sort}"), Some(&cookie))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
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
    app.request(Method::GET, "/users?sort=newest", Some(&cookie)).send().await.unwrap();
    let query =
        app.sim.sim.journal().into_iter().find(|e| e.path.ends_with("/users")).unwrap().query.unwrap_or_default();
    assert!(query.contains("sortBy=createTime") && query.contains("ascending=false"), "newest: {query}");
}
