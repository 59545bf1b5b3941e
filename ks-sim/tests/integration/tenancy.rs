//! Clusters, workspaces and projects (contract §3.3, §3.4, §3.5, §5, §9).
#![allow(clippy::unwrap_used)]

use crate::common::{names, TestSim, IAM, TENANT};
use serde_json::{json, Value};

fn workspace(name: &str, manager: &str, clusters: &[&str]) -> Value {
    json!({
        "apiVersion": "tenant.kubesphere.io/v1beta1", "kind": "WorkspaceTemplate",
        "metadata": {"name": name, "annotations": {"kubesphere.io/creator": manager}},
        "spec": {"template": {"spec": {"manager": manager}},
                 "placement": {"clusters": clusters.iter().map(|c| json!({"name": c})).collect::<Vec<_>>()}},
    })
}

fn project(name: &str, creator: &str, managed: bool) -> Value {
    let mut labels = json!({"kubesphere.io/workspace": "someone-else"});
    if managed {
        labels["kubesphere.io/managed"] = json!("true");
    }
    json!({"apiVersion": "v1", "kind": "Namespace", "cluster": "host",
        "metadata": {"name": name, "labels": labels,
            "annotations": {"kubesphere.io/creator": creator}}})
}

#[tokio::test]
async fn admin_lists_every_cluster_others_only_granted_ones() {
    let sim = TestSim::start().await;
    let all = sim.get_as("admin", &format!("{TENANT}/clusters")).await;
    assert_eq!(all["totalItems"], 3);
    let host = all["items"].as_array().unwrap().iter().find(|c| c["metadata"]["name"] == "host").unwrap();
    assert_eq!(host["metadata"]["labels"]["cluster-role.kubesphere.io/host"], "");
    assert_eq!(host["status"]["conditions"][0]["type"], "Ready");
    let bob = sim.get_as("bob", &format!("{TENANT}/clusters")).await;
    assert_eq!(bob["totalItems"], 0);
    let bob = sim.get_as("bob", &format!("{TENANT}/clusters?roleBindingExists=true")).await;
    assert_eq!(names(&bob), ["host"]);
}

#[tokio::test]
async fn granted_clusters_annotation_grants_clusters() {
    let mut seed = ks_sim::Seed::demo();
    let frank = seed.users.iter_mut().find(|u| u.name == "frank").unwrap();
    frank.annotations.insert("iam.kubesphere.io/granted-clusters".into(), "member-2,member-1".into());
    let sim = TestSim::with(|c| c.seed = seed).await;
    let list = sim.get_as("frank", &format!("{TENANT}/clusters?sortBy=name&ascending=true")).await;
    assert_eq!(names(&list), ["member-1", "member-2"]);
}

#[tokio::test]
async fn every_seeded_cluster_is_accepted_as_a_prefix() {
    let sim = TestSim::start().await;
    let token = sim.access_token("admin").await;
    for c in ["host", "member-1", "member-2"] {
        let res = sim.call("GET", &format!("/clusters/{c}{TENANT}/namespaces"), Some(&token), None).await;
        assert_eq!(res.status, 200, "{c}");
    }
    let res = sim.call("GET", &format!("/clusters/member-9{TENANT}/namespaces"), Some(&token), None).await;
    assert_eq!(res.status, 400);
    assert_eq!(res.json()["ErrStatus"]["message"], "cluster member-9 not exists");
}

#[tokio::test]
async fn admin_lists_all_workspaces_others_their_own() {
    let sim = TestSim::start().await;
    let all = sim.get_as("admin", &format!("{TENANT}/workspacetemplates")).await;
    assert_eq!(names(&all), ["team-b", "demo", "system-workspace"]);
    assert_eq!(all["totalItems"], 3);
    let bob = sim.get_as("bob", &format!("{TENANT}/workspacetemplates")).await;
    assert_eq!(names(&bob), ["team-b", "demo"]);
    let frank = sim.get_as("frank", &format!("{TENANT}/workspacetemplates")).await;
    assert_eq!(frank, json!({"items": [], "totalItems": 0}));
}

#[tokio::test]
async fn any_user_may_get_any_workspace_template() {
    let sim = TestSim::start().await;
    let ws = sim.get_as("frank", &format!("{TENANT}/workspacetemplates/system-workspace")).await;
    assert_eq!(ws["kind"], "WorkspaceTemplate");
    assert_eq!(ws["metadata"]["labels"]["kubesphere.io/protected-resource"], "true");
    assert_eq!(ws["spec"]["placement"], json!({"clusterSelector": {}}));
    let demo = sim.get_as("frank", &format!("{TENANT}/workspacetemplates/demo")).await;
    assert_eq!(demo["spec"]["template"]["spec"]["manager"], "alice");
    let token = sim.access_token("frank").await;
    sim.call("GET", &format!("{TENANT}/workspacetemplates/nope"), Some(&token), None)
        .await
        .assert_text(404, "workspacetemplates.tenant.kubesphere.io \"nope\" not found");
}

#[tokio::test]
async fn creating_a_workspace_creates_its_roles_and_manager_binding() {
    let sim = TestSim::start().await;
    let token = sim.access_token("admin").await;
    let res = sim
        .call(
            "POST",
            &format!("{TENANT}/workspacetemplates"),
            Some(&token),
            Some(workspace("ops", "carol", &["host", "member-2"])),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.json()["metadata"]["name"], "ops");
    let roles = sim.get_json(&format!("{IAM}/workspaces/ops/workspaceroles?sortBy=name&ascending=true"), &token).await;
    assert_eq!(names(&roles), ["ops-admin", "ops-regular", "ops-self-provisioner", "ops-viewer"]);
    let admin_role = &roles["items"][0];
    assert_eq!(admin_role["metadata"]["annotations"]["kubesphere.io/creator"], "system");
    assert_eq!(admin_role["metadata"]["annotations"]["iam.kubesphere.io/auto-aggregate"], "true");
    assert_eq!(admin_role["metadata"]["labels"]["kubesphere.io/workspace"], "ops");
    let bindings = sim
        .get_json(&format!("{IAM}/workspacerolebindings?labelSelector=iam.kubesphere.io/user-ref=carol,kubesphere.io/workspace=ops"), &token)
        .await;
    assert_eq!(names(&bindings), ["ops-admin"]);
    assert_eq!(bindings["items"][0]["roleRef"]["name"], "ops-admin");
    let carol = sim.get_as("carol", &format!("{TENANT}/workspacetemplates")).await;
    assert!(names(&carol).contains(&"ops".to_owned()));
    let clusters = sim.get_json(&format!("{TENANT}/workspaces/ops/clusters"), &token).await;
    assert_eq!(clusters["totalItems"], 2);
}

#[tokio::test]
async fn workspace_errors_are_400_text_except_placement() {
    let sim = TestSim::start().await;
    let token = sim.access_token("admin").await;
    let path = format!("{TENANT}/workspacetemplates");
    sim.call("POST", &path, Some(&token), Some(workspace("demo", "admin", &["host"])))
        .await
        .assert_text(400, "workspacetemplates.tenant.kubesphere.io \"demo\" already exists");
    let res = sim.call("POST", &path, Some(&token), Some(workspace("Bad_Name", "admin", &["host"]))).await;
    assert_eq!(res.status, 400);
    assert!(res.text.starts_with("WorkspaceTemplate.tenant.kubesphere.io \"Bad_Name\" is invalid: "));
    sim.call("POST", &path, Some(&token), Some(workspace("ops", "admin", &["nowhere"])))
        .await
        .assert_text(404, "clusters.cluster.kubesphere.io \"nowhere\" not found");
}

#[tokio::test]
async fn self_provisioner_creates_workspaces_only_managed_by_themself_on_usable_clusters() {
    let sim = TestSim::start().await;
    let token = sim.access_token("alice").await;
    let path = format!("{TENANT}/workspacetemplates");
    sim.call("POST", &path, Some(&token), Some(workspace("ops", "bob", &[])))
        .await
        .assert_text(403, "workspacetemplates.tenant.kubesphere.io \"ops\" is forbidden: reason: ");
    // A default install labels no cluster public: only platform admins place workspaces.
    sim.call("POST", &path, Some(&token), Some(workspace("ops", "alice", &["host"]))).await.assert_text(
        403,
        "clusters.cluster.kubesphere.io \"host\" is forbidden: user is not allowed to use the cluster host",
    );
    let res = sim.call("POST", &path, Some(&token), Some(workspace("ops", "alice", &[]))).await;
    assert_eq!(res.status, 200, "an empty placement is accepted");
    let mine = sim.get_json(&path, &token).await;
    assert_eq!(names(&mine), ["ops", "demo"]);
}

#[tokio::test]
async fn public_clusters_are_usable_by_self_provisioners() {
    let sim = TestSim::with(|c| c.seed.public_clusters = vec!["host".into()]).await;
    let token = sim.access_token("alice").await;
    let path = format!("{TENANT}/workspacetemplates");
    sim.call("POST", &path, Some(&token), Some(workspace("ops", "alice", &["member-2"]))).await.assert_text(
        403,
        "clusters.cluster.kubesphere.io \"member-2\" is forbidden: user is not allowed to use the cluster member-2",
    );
    let res = sim.call("POST", &path, Some(&token), Some(workspace("ops", "alice", &["host"]))).await;
    assert_eq!(res.status, 200);
}

#[tokio::test]
async fn regular_user_cannot_create_a_workspace() {
    let sim = TestSim::start().await;
    let token = sim.access_token("bob").await;
    sim.call("POST", &format!("{TENANT}/workspacetemplates"), Some(&token), Some(workspace("ops", "bob", &["host"])))
        .await
        .assert_forbidden_json();
}

#[tokio::test]
async fn put_workspace_replaces_it_and_checks_the_name() {
    let sim = TestSim::start().await;
    let token = sim.access_token("alice").await;
    let path = format!("{TENANT}/workspacetemplates/demo");
    let mut demo = sim.get_json(&path, &token).await;
    demo["metadata"]["annotations"] = json!({"kubesphere.io/alias-name": "Renamed"});
    let res = sim.call("PUT", &path, Some(&token), Some(demo.clone())).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.json()["metadata"]["annotations"], json!({"kubesphere.io/alias-name": "Renamed"}));
    let admin = sim.access_token("admin").await;
    sim.call("PUT", &format!("{TENANT}/workspacetemplates/team-b"), Some(&admin), Some(demo))
        .await
        .assert_text(400, "the name of the object (demo) does not match the name on the URL (team-b)");
}

#[tokio::test]
async fn project_lists_honour_label_selector_and_limit() {
    let sim = TestSim::start().await;
    let token = sim.access_token("admin").await;
    let list = sim
        .get_json(&format!("{TENANT}/workspaces/demo/namespaces?labelSelector=kubesphere.io/managed%3Dtrue"), &token)
        .await;
    assert_eq!(names(&list), ["demo-web"], "demo-api lives on member-1");
    let list = sim.get_json(&format!("/clusters/member-1{TENANT}/workspaces/demo/namespaces"), &token).await;
    assert_eq!(names(&list), ["demo-ops", "demo-api"], "newest first");
    let list = sim.get_json(&format!("{TENANT}/namespaces?limit=1"), &token).await;
    assert_eq!(list["totalItems"], 3);
    assert_eq!(names(&list), ["team-b-data"]);
    let unknown = sim.get_json(&format!("{TENANT}/workspaces/nope/namespaces"), &token).await;
    assert_eq!(unknown, json!({"items": [], "totalItems": 0}));
}

#[tokio::test]
async fn users_see_only_projects_they_belong_to_unless_they_may_list_all() {
    let sim = TestSim::start().await;
    let bob = sim.get_as("bob", &format!("{TENANT}/workspaces/demo/namespaces")).await;
    assert_eq!(names(&bob), ["demo-web"]);
    let carol = sim.get_as("carol", &format!("{TENANT}/workspaces/demo/namespaces")).await;
    assert_eq!(names(&carol), ["demo-web"], "ws viewer sees all of ws demo on host");
    let frank = sim.get_as("frank", &format!("{TENANT}/workspaces/demo/namespaces")).await;
    assert_eq!(frank["totalItems"], 0);
    let mine = sim.get_as("bob", &format!("{TENANT}/namespaces")).await;
    assert_eq!(names(&mine), ["demo-web"]);
    let member = sim.get_as("frank", &format!("{TENANT}/workspaces/demo/workspacemembers/carol/namespaces")).await;
    assert_eq!(names(&member), ["demo-web"]);
    let one = sim.get_as("bob", &format!("{TENANT}/workspaces/demo/namespaces/demo-web")).await;
    assert_eq!(one["metadata"]["labels"]["kubesphere.io/workspace"], "demo");
    let token = sim.access_token("bob").await;
    sim.call("GET", &format!("{TENANT}/workspaces/team-b/namespaces/demo-web"), Some(&token), None)
        .await
        .assert_text(404, "namespaces \"demo-web\" not found");
}

#[tokio::test]
async fn managed_project_gets_builtin_roles_and_creator_admin() {
    let sim = TestSim::start().await;
    let token = sim.access_token("alice").await;
    let res = sim
        .call(
            "POST",
            &format!("{TENANT}/workspaces/demo/namespaces"),
            Some(&token),
            Some(project("demo-new", "alice", true)),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    let ns = res.json();
    assert_eq!(ns["metadata"]["labels"]["kubesphere.io/workspace"], "demo", "forced");
    assert_eq!(ns["status"]["phase"], "Active");
    let roles = sim.get_json(&format!("{IAM}/namespaces/demo-new/roles?sortBy=name&ascending=true"), &token).await;
    assert_eq!(names(&roles), ["admin", "operator", "viewer"]);
    let members = sim.get_json(&format!("{IAM}/namespaces/demo-new/namespacemembers"), &token).await;
    assert_eq!(members["items"][0]["metadata"]["name"], "alice");
    assert_eq!(members["items"][0]["metadata"]["annotations"]["iam.kubesphere.io/role"], "admin");
    let bindings = sim.get_json(&format!("{IAM}/namespaces/demo-new/rolebindings"), &token).await;
    assert_eq!(names(&bindings), ["alice-admin"]);
}

#[tokio::test]
async fn unmanaged_project_gets_no_roles_and_invitations_fail() {
    let sim = TestSim::start().await;
    let token = sim.access_token("admin").await;
    let res = sim
        .call(
            "POST",
            &format!("/clusters/member-1{TENANT}/workspaces/ghost/namespaces"),
            Some(&token),
            Some(project("raw", "admin", false)),
        )
        .await;
    assert_eq!(res.status, 200, "no workspace check");
    let roles = sim.get_json(&format!("/clusters/member-1{IAM}/namespaces/raw/roles"), &token).await;
    assert_eq!(roles["items"], json!([]));
    sim.call(
        "POST",
        &format!("/clusters/member-1{IAM}/namespaces/raw/namespacemembers"),
        Some(&token),
        Some(json!([{"username": "bob", "roleRef": "viewer"}])),
    )
    .await
    .assert_text(404, "roles.iam.kubesphere.io \"viewer\" not found");
    let host = sim.get_json(&format!("{TENANT}/workspaces/ghost/namespaces"), &token).await;
    assert_eq!(host["totalItems"], 0, "namespaces are per cluster");
}

#[tokio::test]
async fn project_errors_are_400_text() {
    let sim = TestSim::start().await;
    let token = sim.access_token("admin").await;
    let path = format!("{TENANT}/workspaces/demo/namespaces");
    sim.call("POST", &path, Some(&token), Some(project("demo-web", "admin", true)))
        .await
        .assert_text(400, "namespaces \"demo-web\" already exists");
    let res = sim.call("POST", &path, Some(&token), Some(project("Demo", "admin", true))).await;
    assert_eq!(res.status, 400);
    assert!(res.text.starts_with(
        "Namespace \"Demo\" is invalid: metadata.name: Invalid value: \"Demo\": a lowercase RFC 1123 label must consist of"
    ));
    let res = sim
        .call("POST", &format!("/clusters/member-1{path}"), Some(&token), Some(project("demo-web", "admin", true)))
        .await;
    assert_eq!(res.status, 200, "same name in another cluster");
}

#[tokio::test]
async fn who_may_create_projects() {
    let sim = TestSim::start().await;
    let path = format!("{TENANT}/workspaces/team-b/namespaces");
    // bob is team-b-self-provisioner; and becomes admin of what he creates.
    let bob = sim.access_token("bob").await;
    let res = sim.call("POST", &path, Some(&bob), Some(project("bobs", "bob", true))).await;
    assert_eq!(res.status, 200, "{res:?}");
    let res = sim
        .call(
            "POST",
            &format!("{IAM}/namespaces/bobs/namespacemembers"),
            Some(&bob),
            Some(json!([{"username": "frank", "roleRef": "viewer"}])),
        )
        .await;
    assert_eq!(res.status, 200, "creator is project admin");
    // regular / viewer of demo cannot.
    let path = format!("{TENANT}/workspaces/demo/namespaces");
    for user in ["bob", "carol", "frank"] {
        let token = sim.access_token(user).await;
        sim.call("POST", &path, Some(&token), Some(project("nope", user, true))).await.assert_forbidden_json();
    }
}

/// KubeSphere's `hashutil.FNVString` of `s`, computed independently of the simulator: FNV-1a 64
/// with Go's constants, hex-encoded big-endian bytes.
fn fnv_string(s: &str) -> String {
    let mut h: u64 = 14_695_981_039_346_656_037;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(1_099_511_628_211);
    }
    h.to_be_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

async fn workspace_role_names(sim: &TestSim, ws: &str) -> Vec<String> {
    let admin = sim.access_token("admin").await;
    let roles = sim.get_json(&format!("{IAM}/workspaces/{ws}/workspaceroles?sortBy=name&ascending=true"), &admin).await;
    names(&roles)
}

#[tokio::test]
async fn v4_1_3_hashes_workspace_role_names_that_would_pass_63_characters() {
    let sim = TestSim::start().await;
    let admin = sim.access_token("admin").await;
    let ws = "w".repeat(56);
    let res = sim
        .call("POST", &format!("{TENANT}/workspacetemplates"), Some(&admin), Some(workspace(&ws, "carol", &["host"])))
        .await;
    assert_eq!(res.status, 200);
    let hash = fnv_string(&ws);
    assert_eq!(hash.len(), 16);
    let mut expected = vec![
        format!("{ws}-admin"),
        format!("{ws}-viewer"),
        format!("regular.{hash}"),
        format!("self-provisioner.{hash}"),
    ];
    expected.sort();
    assert_eq!(workspace_role_names(&sim, &ws).await, expected);
    // Long enough that even `-admin` does not fit: the manager's binding follows the role.
    let longer = "v".repeat(60);
    sim.call(
        "POST",
        &format!("{TENANT}/workspacetemplates"),
        Some(&admin),
        Some(workspace(&longer, "carol", &["host"])),
    )
    .await;
    let admin_role = format!("admin.{}", fnv_string(&longer));
    let bindings = sim
        .get_json(&format!("{IAM}/workspacerolebindings?labelSelector=iam.kubesphere.io/user-ref=carol,kubesphere.io/workspace={longer}"), &admin)
        .await;
    assert_eq!(names(&bindings), std::slice::from_ref(&admin_role));
    assert_eq!(bindings["items"][0]["roleRef"]["name"], admin_role);
}

#[tokio::test]
async fn v4_1_2_keeps_plain_role_names_and_cannot_bind_the_long_ones() {
    let sim = TestSim::with(|c| c.ks_version = ks_sim::KsVersion::V4_1_2).await;
    let admin = sim.access_token("admin").await;
    let ws = "w".repeat(56);
    sim.call("POST", &format!("{TENANT}/workspacetemplates"), Some(&admin), Some(workspace(&ws, "carol", &["host"])))
        .await;
    assert_eq!(
        workspace_role_names(&sim, &ws).await,
        ["admin", "regular", "self-provisioner", "viewer"].map(|r| format!("{ws}-{r}"))
    );
    let members = format!("{IAM}/workspaces/{ws}/workspacemembers");
    let res = sim
        .call("POST", &members, Some(&admin), Some(json!([{"username": "bob", "roleRef": format!("{ws}-viewer")}])))
        .await;
    assert_eq!(res.status, 200, "63 characters fit in a label");
    let role = format!("{ws}-regular");
    sim.call(
        "POST",
        &members,
        Some(&admin),
        Some(json!([{"username": "bob", "roleRef": role}])),
    )
    .await
    .assert_text(
        422,
        &format!("WorkspaceRoleBinding.iam.kubesphere.io \"bob-{role}\" is invalid: metadata.labels: Invalid value: \"{role}\": must be no more than 63 characters"),
    );
    let left = sim.get_json(&members, &admin).await;
    assert!(
        names(&left).iter().all(|n| n != "bob"),
        "as in KubeSphere, bob's old binding went before the create failed: {left}"
    );
}

#[tokio::test]
async fn controllers_make_roles_and_bindings_a_moment_after_the_create_call() {
    let sim = TestSim::with(|c| c.controller_delay = std::time::Duration::from_millis(300)).await;
    let admin = sim.access_token("admin").await;
    let res = sim
        .call(
            "POST",
            &format!("{TENANT}/workspacetemplates"),
            Some(&admin),
            Some(workspace("late", "carol", &["host"])),
        )
        .await;
    assert_eq!(res.status, 200);
    assert!(workspace_role_names(&sim, "late").await.is_empty());
    let members = format!("{IAM}/workspaces/late/workspacemembers");
    sim.call("POST", &members, Some(&admin), Some(json!([{"username": "bob", "roleRef": "late-regular"}])))
        .await
        .assert_text(404, "workspaceroles.iam.kubesphere.io \"late-regular\" not found");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(workspace_role_names(&sim, "late").await.len(), 4);
    assert_eq!(names(&sim.get_json(&members, &admin).await), ["carol"]);
}
