//! Workspace and project members (contract §3.6, §3.7, §3.9, §6).
#![allow(clippy::unwrap_used)]

use crate::common::{names, TestSim, IAM, TENANT};
use serde_json::{json, Value};

const WS_MEMBERS: &str = "/kapis/iam.kubesphere.io/v1beta1/workspaces/demo/workspacemembers";
const NS_MEMBERS: &str = "/kapis/iam.kubesphere.io/v1beta1/namespaces/demo-web/namespacemembers";

fn roles_of(list: &Value, annotation: &str) -> Vec<(String, String)> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["metadata"]["name"].as_str().unwrap().to_owned(),
                m["metadata"]["annotations"][annotation].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn workspace_members_are_stub_users_with_their_role() {
    let sim = TestSim::start().await;
    let list = sim.get_as("bob", WS_MEMBERS).await;
    assert_eq!(list["totalItems"], 5);
    assert_eq!(
        roles_of(&list, "iam.kubesphere.io/workspacerole"),
        [
            ("lead".to_owned(), "demo-admin".to_owned()),
            ("grace".to_owned(), "demo-auditor".to_owned()),
            ("carol".to_owned(), "demo-viewer".to_owned()),
            ("bob".to_owned(), "demo-regular".to_owned()),
            ("alice".to_owned(), "demo-admin".to_owned()),
        ]
    );
    assert_eq!(list["items"][0]["metadata"]["creationTimestamp"], Value::Null);
    assert_eq!(list["items"][0]["spec"], json!({"email": ""}));
    let admins = sim.get_as("bob", &format!("{WS_MEMBERS}?workspacerole=demo-admin")).await;
    assert_eq!(names(&admins), ["lead", "alice"], "the manager and an invited admin");
    let page = sim.get_as("bob", &format!("{WS_MEMBERS}?limit=2&page=2")).await;
    assert_eq!(names(&page), ["carol", "bob"]);
    let by_name = sim.get_as("bob", &format!("{WS_MEMBERS}?name=car")).await;
    assert_eq!(names(&by_name), ["carol"]);
}

#[tokio::test]
async fn member_list_items_are_null_when_a_filter_matches_nothing() {
    let sim = TestSim::start().await;
    let list = sim.get_as("bob", &format!("{WS_MEMBERS}?workspacerole=demo-self-provisioner")).await;
    assert_eq!(list, json!({"items": null, "totalItems": 0}));
    let list = sim.get_as("bob", &format!("{NS_MEMBERS}?role=nope")).await;
    assert_eq!(list, json!({"items": null, "totalItems": 0}));
}

#[tokio::test]
async fn get_one_workspace_member_is_the_full_user_or_400() {
    let sim = TestSim::start().await;
    let bob = sim.get_as("carol", &format!("{WS_MEMBERS}/bob")).await;
    assert_eq!(bob["spec"]["email"], "bob@example.com");
    assert_eq!(bob["metadata"]["annotations"]["iam.kubesphere.io/workspacerole"], "demo-regular");
    let token = sim.access_token("carol").await;
    sim.call("GET", &format!("{WS_MEMBERS}/frank"), Some(&token), None)
        .await
        .assert_text(400, "member frank not exist");
}

#[tokio::test]
async fn workspace_admin_invites_changes_and_removes_members() {
    let sim = TestSim::start().await;
    let alice = sim.access_token("alice").await;
    let admin = sim.access_token("admin").await;
    // Unknown user is not checked; the array is echoed.
    let body =
        json!([{"username": "frank", "roleRef": "demo-viewer"}, {"username": "ghost", "roleRef": "demo-regular"}]);
    let res = sim.call("POST", WS_MEMBERS, Some(&alice), Some(body.clone())).await;
    assert_eq!((res.status, res.json()), (200, body));
    let frank = sim
        .get_json(&format!("{IAM}/workspacerolebindings?labelSelector=iam.kubesphere.io/user-ref=frank"), &admin)
        .await;
    assert_eq!(names(&frank), ["frank-demo-viewer"]);
    assert_eq!(frank["items"][0]["metadata"]["labels"]["kubesphere.io/workspace"], "demo");
    // Re-POST with another role replaces the binding.
    let res = sim
        .call("POST", WS_MEMBERS, Some(&alice), Some(json!([{"username": "frank", "roleRef": "demo-regular"}])))
        .await;
    assert_eq!(res.status, 200);
    let frank = sim
        .get_json(&format!("{IAM}/workspacerolebindings?labelSelector=iam.kubesphere.io/user-ref=frank"), &admin)
        .await;
    assert_eq!(names(&frank), ["frank-demo-regular"]);
    // PUT changes the role.
    let res = sim
        .call(
            "PUT",
            &format!("{WS_MEMBERS}/frank"),
            Some(&alice),
            Some(json!({"username": "frank", "roleRef": "demo-admin"})),
        )
        .await;
    assert_eq!((res.status, res.json()), (200, json!({"message": "success"})));
    let list = sim.get_json(&format!("{WS_MEMBERS}?workspacerole=demo-admin"), &alice).await;
    assert_eq!(names(&list), ["lead", "frank", "alice"]);
    // DELETE.
    let res = sim.call("DELETE", &format!("{WS_MEMBERS}/frank"), Some(&alice), None).await;
    assert_eq!((res.status, res.json()), (200, json!({"message": "success"})));
    let res = sim.call("DELETE", &format!("{WS_MEMBERS}/nobody"), Some(&alice), None).await;
    assert_eq!(res.status, 200, "also for non-members");
    let frank = sim.get_as("frank", &format!("{TENANT}/workspacetemplates")).await;
    assert_eq!(frank["totalItems"], 0);
}

#[tokio::test]
async fn workspace_member_errors() {
    let sim = TestSim::start().await;
    let alice = sim.access_token("alice").await;
    sim.call("POST", WS_MEMBERS, Some(&alice), Some(json!([{"username": "frank", "roleRef": "demo-nope"}])))
        .await
        .assert_text(404, "workspaceroles.iam.kubesphere.io \"demo-nope\" not found");
    sim.call("POST", WS_MEMBERS, Some(&alice), Some(json!([{"username": "frank", "roleRef": "team-b-admin"}])))
        .await
        .assert_text(404, "workspacerole.iam.kubesphere.io \"team-b-admin\" not found");
    sim.call(
        "PUT",
        &format!("{WS_MEMBERS}/bob"),
        Some(&alice),
        Some(json!({"username": "carol", "roleRef": "demo-admin"})),
    )
    .await
    .assert_text(400, "incorrect username carol, the username must equal to the member");
    sim.call(
        "PUT",
        &format!("{WS_MEMBERS}/frank"),
        Some(&alice),
        Some(json!({"username": "frank", "roleRef": "demo-admin"})),
    )
    .await
    .assert_text(400, "member frank not exist");
    sim.call(
        "PUT",
        &format!("{WS_MEMBERS}/bob"),
        Some(&alice),
        Some(json!({"username": "bob", "roleRef": "demo-nope"})),
    )
    .await
    .assert_text(404, "workspaceroles.iam.kubesphere.io \"demo-nope\" not found");
}

#[tokio::test]
async fn workspace_regular_viewer_and_outsiders_cannot_invite() {
    let sim = TestSim::start().await;
    for user in ["bob", "carol", "frank", "grace"] {
        let token = sim.access_token(user).await;
        sim.call("POST", WS_MEMBERS, Some(&token), Some(json!([{"username": "frank", "roleRef": "demo-viewer"}])))
            .await
            .assert_forbidden_json();
        sim.call("DELETE", &format!("{WS_MEMBERS}/bob"), Some(&token), None).await.assert_forbidden_json();
    }
    let frank = sim.access_token("frank").await;
    sim.call("GET", WS_MEMBERS, Some(&frank), None).await.assert_forbidden_json();
}

#[tokio::test]
async fn project_members_carry_the_role_annotation() {
    let sim = TestSim::start().await;
    let list = sim.get_as("bob", NS_MEMBERS).await;
    assert_eq!(
        roles_of(&list, "iam.kubesphere.io/role"),
        [
            ("grace".to_owned(), "deployer".to_owned()),
            ("carol".to_owned(), "viewer".to_owned()),
            ("bob".to_owned(), "operator".to_owned()),
            ("alice".to_owned(), "admin".to_owned()),
        ]
    );
    let ops = sim.get_as("bob", &format!("{NS_MEMBERS}?role=operator")).await;
    assert_eq!(names(&ops), ["bob"]);
    let token = sim.access_token("bob").await;
    let res = sim.call("GET", &format!("{NS_MEMBERS}/bob"), Some(&token), None).await;
    assert_eq!(res.status, 405, "no GET-one route in 4.x");
}

#[tokio::test]
async fn project_admin_and_workspace_admin_manage_project_members() {
    let sim = TestSim::start().await;
    // carol is admin of team-b-data (project) and of team-b (workspace).
    let carol = sim.access_token("carol").await;
    let path = format!("{IAM}/namespaces/team-b-data/namespacemembers");
    let res = sim.call("POST", &path, Some(&carol), Some(json!([{"username": "frank", "roleRef": "viewer"}]))).await;
    assert_eq!(res.status, 200, "{res:?}");
    sim.call("PUT", &format!("{path}/frank"), Some(&carol), Some(json!({"username": "frank", "roleRef": "operator"})))
        .await;
    let ops = sim.get_json(&format!("{path}?role=operator"), &carol).await;
    assert_eq!(names(&ops), ["frank"]);
    // alice (demo admin) manages every project of demo, even on member-1.
    let alice = sim.access_token("alice").await;
    let res = sim
        .call(
            "POST",
            &format!("/clusters/member-1{IAM}/namespaces/demo-api/namespacemembers"),
            Some(&alice),
            Some(json!([{"username": "bob", "roleRef": "viewer"}])),
        )
        .await;
    assert_eq!(res.status, 200);
    sim.call("PUT", &format!("{path}/frank"), Some(&alice), Some(json!({"username": "frank", "roleRef": "viewer"})))
        .await
        .assert_forbidden_json();
    let res = sim.call("DELETE", &format!("{path}/frank"), Some(&carol), None).await;
    assert_eq!((res.status, res.json()), (200, json!({"message": "success"})));
}

#[tokio::test]
async fn project_operator_and_viewer_cannot_manage_members_and_errors_are_text() {
    let sim = TestSim::start().await;
    for user in ["bob", "carol", "grace"] {
        let token = sim.access_token(user).await;
        let res =
            sim.call("POST", NS_MEMBERS, Some(&token), Some(json!([{"username": "frank", "roleRef": "viewer"}]))).await;
        res.assert_forbidden_json();
        assert!(res.json()["message"].as_str().unwrap().ends_with("in the namespace \"demo-web\""));
    }
    let alice = sim.access_token("alice").await;
    sim.call("POST", NS_MEMBERS, Some(&alice), Some(json!([{"username": "frank", "roleRef": "nope"}])))
        .await
        .assert_text(404, "roles.iam.kubesphere.io \"nope\" not found");
    sim.call(
        "PUT",
        &format!("{NS_MEMBERS}/frank"),
        Some(&alice),
        Some(json!({"username": "frank", "roleRef": "viewer"})),
    )
    .await
    .assert_text(400, "member frank not exist");
    sim.call("PUT", &format!("{NS_MEMBERS}/bob"), Some(&alice), Some(json!({"username": "bo", "roleRef": "viewer"})))
        .await
        .assert_text(400, "incorrect username bo, the username must equal to the member");
}

#[tokio::test]
async fn admin_wide_binding_lists_answer_where_a_user_belongs() {
    let sim = TestSim::start().await;
    let admin = sim.access_token("admin").await;
    let ws = sim
        .get_json(&format!("{IAM}/workspacerolebindings?labelSelector=iam.kubesphere.io/user-ref=carol"), &admin)
        .await;
    let mut found: Vec<(String, String)> = ws["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["metadata"]["labels"]["kubesphere.io/workspace"].as_str().unwrap().to_owned(),
                b["roleRef"]["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [("demo".to_owned(), "demo-viewer".to_owned()), ("team-b".to_owned(), "team-b-admin".to_owned())]
    );
    assert!(ws["metadata"]["continue"].is_string());
    let ns = sim.get_json(&format!("{IAM}/rolebindings?labelSelector=iam.kubesphere.io/user-ref=carol"), &admin).await;
    let mut found: Vec<(String, String)> = ns["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (b["metadata"]["namespace"].as_str().unwrap().to_owned(), b["roleRef"]["name"].as_str().unwrap().to_owned())
        })
        .collect();
    found.sort();
    assert_eq!(found, [("demo-web".to_owned(), "viewer".to_owned()), ("team-b-data".to_owned(), "admin".to_owned())]);
    let bob = sim.access_token("bob").await;
    sim.call("GET", &format!("{IAM}/workspacerolebindings"), Some(&bob), None).await.assert_forbidden_json();
    sim.call("GET", &format!("{IAM}/globalrolebindings"), Some(&bob), None).await.assert_forbidden_json();
}
