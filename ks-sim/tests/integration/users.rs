//! `/kapis/iam.kubesphere.io/v1beta1/users` (contract §3.1, §1.5) and the router's errors.
#![allow(clippy::unwrap_used)]

use crate::common::{content_type, names, TestSim, USERS};
use serde_json::{json, Value};

#[tokio::test]
async fn every_user_may_list_users_newest_first() {
    let sim = TestSim::start().await;
    let token = sim.access_token("bob").await;
    let list = sim.get_json(USERS, &token).await;
    assert_eq!(list["totalItems"], 9);
    assert_eq!(names(&list), ["grace", "frank", "lead", "erin", "dave", "carol", "bob", "alice", "admin"]);
}

#[tokio::test]
async fn user_objects_have_the_contract_shape_and_never_a_password() {
    let sim = TestSim::start().await;
    let token = sim.access_token("admin").await;
    let list = sim.get_json(&format!("{USERS}?names=alice"), &token).await;
    let alice = &list["items"][0];
    assert_eq!(alice["apiVersion"], "iam.kubesphere.io/v1beta1");
    assert_eq!(alice["kind"], "User");
    assert_eq!(alice["metadata"]["name"], "alice");
    assert_eq!(alice["metadata"]["creationTimestamp"], "2025-01-02T00:00:00Z");
    assert!(alice["metadata"]["resourceVersion"].is_string());
    assert_eq!(alice["metadata"]["annotations"]["iam.kubesphere.io/globalrole"], "platform-self-provisioner");
    assert_eq!(alice["metadata"]["annotations"]["kubesphere.io/creator"], "admin");
    assert_eq!(alice["metadata"]["annotations"]["kubesphere.io/alias-name"], "Alice Liddell");
    assert_eq!(alice["spec"]["email"], "alice@example.com");
    assert_eq!(alice["status"]["state"], "Active");
    assert!(alice["spec"].get("password").is_none());
    let everything = sim.get(USERS, Some(&token)).await.text().await.unwrap();
    assert!(!everything.contains(crate::common::PASSWORD));

    let admin = sim.get_json(&format!("{USERS}/admin"), &token).await;
    assert_eq!(admin["metadata"]["annotations"]["kubesphere.io/creator"], "system");
    assert_eq!(admin["metadata"]["annotations"]["iam.kubesphere.io/globalrole"], "platform-admin");
    assert_eq!(admin["spec"]["displayName"], "Administrator");
    assert_eq!(admin["spec"]["email"], "admin@kubesphere.io");
    let states: Vec<Value> = sim.get_json(&format!("{USERS}?names=dave,erin"), &token).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["status"]["state"].clone())
        .collect();
    assert_eq!(states, [json!("Disabled"), json!("AuthLimitExceeded")]);
}

#[tokio::test]
async fn names_filter_is_an_exact_comma_list() {
    let sim = TestSim::start().await;
    let token = sim.access_token("bob").await;
    let list = sim.get_json(&format!("{USERS}?names=alice,bob,nobody,ali&limit=-1"), &token).await;
    assert_eq!(names(&list), ["bob", "alice"]);
    assert_eq!(list["totalItems"], 2);
}

#[tokio::test]
async fn name_filter_matches_name_substrings_and_aliases_case_insensitively() {
    let sim = TestSim::start().await;
    let token = sim.access_token("bob").await;
    assert_eq!(
        names(&sim.get_json(&format!("{USERS}?name=a"), &token).await),
        ["grace", "frank", "lead", "dave", "carol", "alice", "admin"]
    );
    assert_eq!(names(&sim.get_json(&format!("{USERS}?name=builder"), &token).await), ["bob"]);
    assert_eq!(names(&sim.get_json(&format!("{USERS}?name=LIDDELL"), &token).await), ["alice"]);
    assert_eq!(names(&sim.get_json(&format!("{USERS}?name=ADMIN"), &token).await), Vec::<String>::new());
}

#[tokio::test]
async fn field_selector_finds_users_by_email_exactly_or_case_insensitively() {
    let sim = TestSim::start().await;
    let token = sim.access_token("bob").await;
    let exact = sim.get_json(&format!("{USERS}?fieldSelector=spec.email=carol@example.com"), &token).await;
    assert_eq!(names(&exact), ["carol"]);
    let wrong_case = sim.get_json(&format!("{USERS}?fieldSelector=spec.email=CAROL@example.com"), &token).await;
    assert_eq!(wrong_case["totalItems"], 0);
    assert_eq!(wrong_case["items"], json!([]));
    let insensitive = sim.get_json(&format!("{USERS}?fieldSelector=spec.email=~CAROL@example.com"), &token).await;
    assert_eq!(names(&insensitive), ["carol"]);
    let state = sim.get_json(&format!("{USERS}?fieldSelector=status.state=Disabled"), &token).await;
    assert_eq!(names(&state), ["erin"]);
}

#[tokio::test]
async fn field_selectors_are_parsed_as_kubernetes_parses_them() {
    let sim = TestSim::start().await;
    let token = sim.access_token("bob").await;
    // Percent-encoded, so that the `=`, `,` and `\` of a selector reach the parser intact.
    let list =
        |selector: &str| format!("{USERS}?{}", serde_urlencoded::to_string([("fieldSelector", selector)]).unwrap());
    // Two terms: both must hold.
    let two = sim.get_json(&list("spec.email=~erin@example.com,status.state!=Active"), &token).await;
    assert_eq!(names(&two), ["erin"]);
    // An escaped comma is part of the value: one term, which no e-mail matches.
    let escaped = sim.get_json(&list(r"spec.email=~erin@example.com\,status.state!=Active"), &token).await;
    assert_eq!(escaped["totalItems"], 0);
    // What Kubernetes cannot parse matches nothing (KubeSphere logs it and filters all out).
    let invalid = sim.get_json(&list("spec.email=a=b"), &token).await;
    assert_eq!(invalid["totalItems"], 0);
}

#[tokio::test]
async fn globalrole_lists_all_bound_users_ignoring_other_params() {
    let sim = TestSim::start().await;
    let token = sim.access_token("alice").await;
    let list = sim.get_json(&format!("{USERS}?globalrole=platform-regular&limit=1&page=3&name=zzz"), &token).await;
    assert_eq!(names(&list), ["bob", "carol", "dave", "erin", "frank", "lead"]);
    assert_eq!(list["totalItems"], 6);
    let admins = sim.get_json(&format!("{USERS}?globalrole=platform-admin"), &token).await;
    assert_eq!(names(&admins), ["admin"]);
}

#[tokio::test]
async fn limit_and_page_paginate_with_the_total() {
    let sim = TestSim::start().await;
    let token = sim.access_token("bob").await;
    let page1 = sim.get_json(&format!("{USERS}?limit=4&page=1"), &token).await;
    assert_eq!(names(&page1), ["grace", "frank", "lead", "erin"]);
    assert_eq!(page1["totalItems"], 9);
    let page2 = sim.get_json(&format!("{USERS}?limit=4&page=2"), &token).await;
    assert_eq!(names(&page2), ["dave", "carol", "bob", "alice"]);
    let page3 = sim.get_json(&format!("{USERS}?limit=4&page=3"), &token).await;
    assert_eq!(names(&page3), ["admin"]);
    let beyond = sim.get_json(&format!("{USERS}?limit=4&page=4"), &token).await;
    assert_eq!(beyond["items"], json!([]));
    assert_eq!(beyond["totalItems"], 9);
}

#[tokio::test]
async fn sort_by_name_ascending() {
    let sim = TestSim::start().await;
    let token = sim.access_token("bob").await;
    let list = sim.get_json(&format!("{USERS}?sortBy=name&ascending=true&limit=3"), &token).await;
    assert_eq!(names(&list), ["admin", "alice", "bob"]);
    let list = sim.get_json(&format!("{USERS}?sortBy=createTime&ascending=true&limit=2"), &token).await;
    assert_eq!(names(&list), ["admin", "alice"]);
}

#[tokio::test]
async fn label_selector_filters_users() {
    let mut seed = ks_sim::Seed::demo();
    seed.users.iter_mut().find(|u| u.name == "carol").unwrap().labels.insert("team".into(), "blue".into());
    let sim = TestSim::with(|c| c.seed = seed).await;
    let token = sim.access_token("bob").await;
    assert_eq!(names(&sim.get_json(&format!("{USERS}?labelSelector=team%3Dblue"), &token).await), ["carol"]);
    assert_eq!(sim.get_json(&format!("{USERS}?labelSelector=!team"), &token).await["totalItems"], 8);
}

#[tokio::test]
async fn a_user_may_read_themself() {
    let sim = TestSim::start().await;
    let token = sim.access_token("bob").await;
    let bob = sim.get_json(&format!("{USERS}/bob"), &token).await;
    assert_eq!(bob["metadata"]["name"], "bob");
    assert_eq!(bob["metadata"]["annotations"]["kubesphere.io/alias-name"], "Bob Builder");
    assert!(bob["status"]["lastLoginTime"].is_string(), "the login was recorded");
}

#[tokio::test]
async fn platform_admin_may_read_anyone() {
    let sim = TestSim::start().await;
    let token = sim.access_token("admin").await;
    let erin = sim.get_json(&format!("{USERS}/erin"), &token).await;
    assert_eq!(erin["status"]["state"], "Disabled");
}

#[tokio::test]
async fn missing_user_is_404_text() {
    let sim = TestSim::start().await;
    let token = sim.access_token("admin").await;
    let res = sim.get(&format!("{USERS}/zed"), Some(&token)).await;
    assert_eq!(res.status(), 404);
    assert_eq!(content_type(&res), "text/plain; charset=utf-8");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.text().await.unwrap(), "users.iam.kubesphere.io \"zed\" not found\n");
}

#[tokio::test]
async fn cluster_prefix_is_accepted_for_the_host_cluster() {
    let sim = TestSim::start().await;
    let token = sim.access_token("bob").await;
    let list = sim.get_json(&format!("/clusters/host{USERS}?names=bob"), &token).await;
    assert_eq!(names(&list), ["bob"]);
    let bob = sim.get_json("/kapis/clusters/host/iam.kubesphere.io/v1beta1/users/bob", &token).await;
    assert_eq!(bob["metadata"]["name"], "bob");
    let res = sim.get(&format!("/clusters/host{USERS}/alice"), Some(&token)).await;
    assert_eq!(res.status(), 403, "authorization sees the path without the prefix");
}

#[tokio::test]
async fn unknown_cluster_is_400_errstatus_json() {
    let sim = TestSim::start().await;
    let token = sim.access_token("bob").await;
    let res = sim.get(&format!("/clusters/foo{USERS}"), Some(&token)).await;
    assert_eq!(res.status(), 400);
    assert!(content_type(&res).starts_with("application/json"));
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body,
        json!({"ErrStatus":{"metadata":{},"status":"Failure","message":"cluster foo not exists","reason":"BadRequest","code":400}})
    );
}

#[tokio::test]
async fn bad_token_beats_unknown_cluster() {
    let sim = TestSim::start().await;
    let res = sim.get(&format!("/clusters/foo{USERS}"), Some("garbage")).await;
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn unknown_path_is_404_page_not_found_text() {
    let sim = TestSim::start().await;
    let token = sim.access_token("admin").await;
    for path in
        ["/kapis/iam.kubesphere.io/v1beta1/nothing", "/foo", "/kapis/iam.kubesphere.io/v1beta1/users/bob/extra/deep"]
    {
        let res = sim.get(path, Some(&token)).await;
        assert_eq!(res.status(), 404, "{path}");
        assert!(content_type(&res).starts_with("text/plain"));
        assert_eq!(res.text().await.unwrap(), "404: Page Not Found");
    }
}

#[tokio::test]
async fn wrong_method_on_a_known_path_is_405_text() {
    let sim = TestSim::start().await;
    let token = sim.access_token("admin").await;
    let res = sim.http.patch(sim.url(&format!("{USERS}/bob"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 405);
    assert!(content_type(&res).starts_with("text/plain"));
    assert_eq!(res.text().await.unwrap(), "405: Method Not Allowed");
}
