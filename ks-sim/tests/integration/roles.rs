//! Role listings (dynamic handler, §3.8), role templates of a user (§3.10, §4.2) and the
//! dynamic DELETE routes (§4.3).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use crate::common::{names, TestSim, IAM};
use serde_json::{json, Value};

/// module → actions from a roletemplates list.
fn rules(list: &Value) -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for t in list["items"].as_array().unwrap() {
        let raw = t["metadata"]["annotations"]["iam.kubesphere.io/role-template-rules"].as_str().unwrap();
        let parsed: BTreeMap<String, String> = serde_json::from_str(raw).unwrap();
        for (module, action) in parsed {
            map.entry(module).or_default().push(action);
        }
    }
    for actions in map.values_mut() {
        actions.sort();
    }
    map
}

fn has(map: &BTreeMap<String, Vec<String>>, module: &str, action: &str) -> bool {
    map.get(module).is_some_and(|a| a.iter().any(|x| x == action))
}

#[tokio::test]
async fn global_roles_use_the_kubernetes_list_envelope() {
    let sim = TestSim::start().await;
    let list = sim
        .get_as(
            "admin",
            &format!("{IAM}/globalroles?annotation=kubesphere.io/creator&limit=2&sortBy=name&ascending=true"),
        )
        .await;
    assert_eq!(list["metadata"]["continue"], "4");
    assert_eq!(list["metadata"]["remainingItemCount"], 2);
    assert!(list.get("totalItems").is_none());
    assert_eq!(names(&list), ["platform-admin", "platform-auditor"]);
    let auditor = sim.get_as("admin", &format!("{IAM}/globalroles/platform-auditor")).await;
    assert_eq!(auditor["kind"], "GlobalRole");
    assert_eq!(
        auditor["aggregationRoleTemplates"]["templateNames"],
        json!(["global-view-users", "global-view-workspaces"])
    );
    let token = sim.access_token("admin").await;
    sim.call("GET", &format!("{IAM}/globalroles/nope"), Some(&token), None)
        .await
        .assert_text(404, "globalroles.iam.kubesphere.io \"nope\" not found");
    let bob = sim.access_token("bob").await;
    sim.call("GET", &format!("{IAM}/globalroles"), Some(&bob), None).await.assert_forbidden_json();
}

#[tokio::test]
async fn workspace_roles_include_the_custom_one_and_filter_by_creator() {
    let sim = TestSim::start().await;
    let all = sim
        .get_as(
            "bob",
            &format!(
                "{IAM}/workspaces/demo/workspaceroles?annotation=kubesphere.io/creator&sortBy=name&ascending=true"
            ),
        )
        .await;
    assert_eq!(names(&all), ["demo-admin", "demo-auditor", "demo-regular", "demo-self-provisioner", "demo-viewer"]);
    let custom = sim
        .get_as("bob", &format!("{IAM}/workspaces/demo/workspaceroles?annotation=kubesphere.io/creator=admin"))
        .await;
    assert_eq!(names(&custom), ["demo-auditor"]);
    let builtin = sim
        .get_as("bob", &format!("{IAM}/workspaces/demo/workspaceroles?annotation=kubesphere.io/creator=system&limit=1"))
        .await;
    assert_eq!(builtin["metadata"]["continue"], "4");
    assert_eq!(builtin["metadata"]["remainingItemCount"], 3);
    let token = sim.access_token("bob").await;
    sim.call("GET", &format!("{IAM}/workspaces/demo/workspaceroles/team-b-admin"), Some(&token), None)
        .await
        .assert_text(404, "workspaceroles.iam.kubesphere.io \"team-b-admin\" not found");
    let frank = sim.access_token("frank").await;
    sim.call("GET", &format!("{IAM}/workspaces/demo/workspaceroles"), Some(&frank), None).await.assert_forbidden_json();
}

#[tokio::test]
async fn project_roles_include_the_custom_one_and_honour_label_selector() {
    let sim = TestSim::start().await;
    let all = sim.get_as("carol", &format!("{IAM}/namespaces/demo-web/roles?sortBy=name&ascending=true")).await;
    assert_eq!(names(&all), ["admin", "deployer", "operator", "viewer"]);
    let custom =
        sim.get_as("carol", &format!("{IAM}/namespaces/demo-web/roles?annotation=kubesphere.io/creator!=system")).await;
    assert_eq!(names(&custom), ["deployer"]);
    let none = sim.get_as("carol", &format!("{IAM}/namespaces/demo-web/roles?labelSelector=nope%3Dx")).await;
    assert_eq!(none["items"], json!([]));
    assert_eq!(none["metadata"]["continue"], "0");
    let one = sim.get_as("bob", &format!("/clusters/host{IAM}/namespaces/demo-web/roles/viewer")).await;
    assert_eq!(one["kind"], "Role");
    assert_eq!(one["metadata"]["namespace"], "demo-web");
}

#[tokio::test]
async fn global_role_templates_follow_the_platform_role() {
    let sim = TestSim::start().await;
    let admin = rules(&sim.get_as("admin", &format!("{IAM}/users/admin/roletemplates?scope=global")).await);
    assert!(has(&admin, "users", "manage"));
    assert!(has(&admin, "workspaces", "manage"));
    assert!(has(&admin, "clusters", "manage"));
    let alice = rules(&sim.get_as("alice", &format!("{IAM}/users/alice/roletemplates?scope=global")).await);
    assert_eq!(alice, BTreeMap::from([("workspaces".to_owned(), vec!["create".to_owned()])]));
    let bob = sim.get_as("bob", &format!("{IAM}/users/bob/roletemplates?scope=global")).await;
    assert_eq!(bob, json!({"items": [], "totalItems": 0}));
    let grace = rules(&sim.get_as("grace", &format!("{IAM}/users/grace/roletemplates?scope=global")).await);
    assert!(has(&grace, "users", "view") && !has(&grace, "users", "manage"));
}

#[tokio::test]
async fn workspace_and_namespace_role_templates_follow_the_bound_roles() {
    let sim = TestSim::start().await;
    let alice =
        rules(&sim.get_as("alice", &format!("{IAM}/users/alice/roletemplates?scope=workspace&workspace=demo")).await);
    assert!(has(&alice, "members", "manage"));
    assert!(has(&alice, "projects", "manage"));
    let bob = rules(&sim.get_as("bob", &format!("{IAM}/users/bob/roletemplates?scope=workspace&workspace=demo")).await);
    assert!(has(&bob, "members", "view") && !has(&bob, "members", "manage"));
    assert!(!bob.contains_key("projects"));
    let bob_sp =
        rules(&sim.get_as("bob", &format!("{IAM}/users/bob/roletemplates?scope=workspace&workspace=team-b")).await);
    assert!(has(&bob_sp, "projects", "create"));
    let operator = rules(
        &sim.get_as("bob", &format!("/clusters/host{IAM}/users/bob/roletemplates?scope=namespace&namespace=demo-web"))
            .await,
    );
    assert!(has(&operator, "members", "view") && !has(&operator, "members", "manage"));
    assert!(has(&operator, "workloads", "manage"));
    let deployer = rules(
        &sim.get_as("grace", &format!("{IAM}/users/grace/roletemplates?scope=namespace&namespace=demo-web")).await,
    );
    assert_eq!(deployer.len(), 2);
    let frank = sim.get_as("frank", &format!("{IAM}/users/frank/roletemplates?scope=workspace&workspace=demo")).await;
    assert_eq!(frank["totalItems"], 0);
    let unknown = sim.get_as("frank", &format!("{IAM}/users/frank/roletemplates?scope=nope")).await;
    assert_eq!(unknown["totalItems"], 0);
}

#[tokio::test]
async fn another_users_role_templates_are_403_unless_admin() {
    let sim = TestSim::start().await;
    let bob = sim.access_token("bob").await;
    sim.call("GET", &format!("{IAM}/users/alice/roletemplates?scope=global"), Some(&bob), None)
        .await
        .assert_forbidden_json();
    let list = sim.get_as("admin", &format!("{IAM}/users/alice/roletemplates?scope=global")).await;
    assert_eq!(list["totalItems"], 1);
}

#[tokio::test]
async fn role_template_catalogue_is_listed_by_scope() {
    let sim = TestSim::start().await;
    let list = sim
        .get_as(
            "bob",
            &format!(
                "{IAM}/roletemplates?labelSelector=iam.kubesphere.io/scope%3Dworkspace,kubesphere.io/managed%3Dtrue"
            ),
        )
        .await;
    let n = names(&list);
    assert!(n.iter().all(|t| t.starts_with("workspace-")), "{n:?}");
    assert!(n.contains(&"workspace-manage-members".to_owned()));
}

#[tokio::test]
async fn dynamic_delete_routes_exist_and_work() {
    let sim = TestSim::start().await;
    let token = sim.access_token("admin").await;
    let ok = |r: &crate::common::Reply| (r.status, r.text.clone());
    let r = sim.call("DELETE", &format!("{IAM}/globalroles/platform-auditor"), Some(&token), None).await;
    assert_eq!(ok(&r), (200, String::new()));
    let r = sim.call("DELETE", &format!("{IAM}/workspaces/demo/workspaceroles/demo-auditor"), Some(&token), None).await;
    assert_eq!(ok(&r), (200, String::new()));
    let r = sim.call("DELETE", &format!("{IAM}/namespaces/demo-web/roles/deployer"), Some(&token), None).await;
    assert_eq!(ok(&r), (200, String::new()));
    let r = sim.call("DELETE", &format!("{IAM}/globalrolebindings/bob-platform-regular"), Some(&token), None).await;
    assert_eq!(ok(&r), (200, String::new()));
    let r = sim.call("DELETE", &format!("{IAM}/workspacerolebindings/bob-demo-regular"), Some(&token), None).await;
    assert_eq!(ok(&r), (200, String::new()));
    let r =
        sim.call("DELETE", &format!("{IAM}/namespaces/demo-web/rolebindings/bob-operator"), Some(&token), None).await;
    assert_eq!(ok(&r), (200, String::new()));
    let r = sim.call("DELETE", &format!("{IAM}/globalroles"), Some(&token), None).await;
    assert_eq!(r.status, 400, "deletecollection");
    sim.call("DELETE", &format!("{IAM}/globalroles/platform-auditor"), Some(&token), None)
        .await
        .assert_text(404, "globalroles.iam.kubesphere.io \"platform-auditor\" not found");
    let bob = sim.get_as("bob", &format!("{IAM}/workspaces/team-b/workspacemembers?name=bob")).await;
    assert_eq!(bob["totalItems"], 1);
    assert_eq!(sim.sim().counter_method("DELETE", &format!("{IAM}/globalroles/platform-auditor")), 2);
    let bob = sim.access_token("bob").await;
    sim.call("DELETE", &format!("{IAM}/namespaces/demo-web/roles/viewer"), Some(&bob), None)
        .await
        .assert_forbidden_json();
}

#[tokio::test]
async fn workspace_admin_creates_a_custom_role_through_the_dynamic_handler() {
    let sim = TestSim::start().await;
    let alice = sim.access_token("alice").await;
    let role = json!({"apiVersion": "iam.kubesphere.io/v1beta1", "kind": "WorkspaceRole",
        "metadata": {"name": "demo-custom", "annotations": {"kubesphere.io/creator": "alice"}},
        "aggregationRoleTemplates": {"templateNames": ["workspace-view-members"]}});
    let r = sim.call("POST", &format!("{IAM}/workspaces/demo/workspaceroles"), Some(&alice), Some(role)).await;
    assert_eq!((r.status, r.text.as_str()), (200, ""));
    let got = sim.get_json(&format!("{IAM}/workspaces/demo/workspaceroles/demo-custom"), &alice).await;
    assert_eq!(got["metadata"]["labels"]["kubesphere.io/workspace"], "demo");
    let wrong = json!({"apiVersion": "iam.kubesphere.io/v1beta1", "kind": "GlobalRole", "metadata": {"name": "x"}});
    sim.call("POST", &format!("{IAM}/workspaces/demo/workspaceroles"), Some(&alice), Some(wrong))
        .await
        .assert_text(400, "wrong resource GroupVersionKind");
}
