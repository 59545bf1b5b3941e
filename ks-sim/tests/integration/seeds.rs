//! Seeds: the demo data set, JSON seed files and the large generator (contract §9 test data).
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use crate::common::{names, TestSim, IAM, TENANT, USERS};
use ks_sim::{Seed, SimConfig, Simulator};

#[tokio::test]
async fn demo_seed_holds_every_builtin_and_custom_role() {
    let sim = TestSim::start().await;
    let token = sim.access_token("admin").await;
    let ws = sim.get_json(&format!("{IAM}/workspacerolebindings"), &token).await;
    let ns = sim.get_json(&format!("{IAM}/rolebindings"), &token).await;
    let held: Vec<String> = ws["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(ns["items"].as_array().unwrap())
        .map(|b| b["roleRef"]["name"].as_str().unwrap().to_owned())
        .collect();
    for role in [
        "demo-admin",
        "demo-regular",
        "demo-viewer",
        "team-b-self-provisioner",
        "demo-auditor",
        "admin",
        "operator",
        "viewer",
        "deployer",
    ] {
        assert!(held.iter().any(|h| h == role), "{role} is held");
    }
    let auditors = sim.get_json(&format!("{USERS}?globalrole=platform-auditor"), &token).await;
    assert_eq!(names(&auditors), ["grace"]);
    let frank_ws = sim.get_as("frank", &format!("{TENANT}/workspacetemplates")).await;
    assert_eq!(frank_ws["totalItems"], 0);
}

#[tokio::test]
async fn a_json_seed_file_loads_like_the_demo() {
    let text = serde_json::to_string(&Seed::demo()).unwrap();
    let file = std::env::temp_dir().join(format!("ks-sim-seed-{}.json", std::process::id()));
    std::fs::write(&file, text).unwrap();
    let loaded = Seed::load(file.to_str().unwrap()).unwrap();
    std::fs::remove_file(&file).unwrap();
    assert_eq!(loaded, Seed::demo());
    assert_eq!(Seed::load("large").unwrap().users.len(), 2000);
    let bad = r#"{"users": [], "workspaces": [{"name": "w", "manager": "x", "created": "2025-01-01T00:00:00Z", "members": {"u": "w-nope"}}]}"#;
    assert!(Seed::from_json(bad).unwrap_err().to_string().contains("w-nope"));
}

#[tokio::test]
async fn large_seed_builds_fast_and_pages() {
    let started = Instant::now();
    let config = SimConfig { seed: Seed::large(), ..SimConfig::default() };
    let sim = Simulator::spawn(config, "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let built = started.elapsed();
    assert!(built < Duration::from_secs(1), "built in {built:?}");
    let http = reqwest::Client::new();
    let get = |path: String| {
        http.get(format!("{}{path}", sim.base_url())).basic_auth("admin", Some(crate::common::PASSWORD)).send()
    };
    let users: serde_json::Value = get(format!("{USERS}?limit=10")).await.unwrap().json().await.unwrap();
    assert_eq!(users["totalItems"], 2000);
    let ws: serde_json::Value =
        get(format!("{TENANT}/workspacetemplates?limit=10&page=30")).await.unwrap().json().await.unwrap();
    assert_eq!(ws["totalItems"], 300);
    assert_eq!(ws["items"].as_array().unwrap().len(), 10);
    let projects: serde_json::Value = get(format!("{TENANT}/namespaces")).await.unwrap().json().await.unwrap();
    assert_eq!(projects["totalItems"], 1200, "4 of each workspace's 10 projects are on the host");
    let members: serde_json::Value =
        get(format!("{IAM}/workspaces/ws-007/workspacemembers")).await.unwrap().json().await.unwrap();
    assert_eq!(members["totalItems"], 5);
}

#[tokio::test]
async fn lead_administers_demo_without_holding_any_project_role() {
    let sim = TestSim::start().await;
    let lead = sim.access_token("lead").await;
    let me = sim.get_json(&format!("{USERS}/lead"), &lead).await;
    assert_eq!(me["spec"]["email"], "lead@example.com");
    assert_eq!(me["metadata"]["annotations"]["iam.kubesphere.io/globalrole"], "platform-regular");
    let members =
        sim.get_json(&format!("{IAM}/workspaces/demo/workspacemembers?workspacerole=demo-admin"), &lead).await;
    assert_eq!(names(&members), ["lead", "alice"]);
    let demo = sim.get_json(&format!("{TENANT}/workspacetemplates/demo"), &lead).await;
    assert_eq!(demo["spec"]["template"]["spec"]["manager"], "alice", "alice stays the manager");
    // The cluster-wide namespaces list is scoped to the caller's RoleBindings: none.
    for prefix in ["", "/clusters/member-1"] {
        let mine = sim.get_json(&format!("{prefix}{TENANT}/namespaces"), &lead).await;
        assert_eq!(mine["totalItems"], 0, "{prefix}: {mine}");
    }
    // The workspace's own lists show lead (a workspace admin) its projects and clusters.
    let on_member = sim.get_json(&format!("/clusters/member-1{TENANT}/workspaces/demo/namespaces"), &lead).await;
    assert_eq!(names(&on_member), ["demo-ops", "demo-api"]);
    assert_eq!(names(&sim.get_json(&format!("{TENANT}/workspaces/demo/namespaces"), &lead).await), ["demo-web"]);
    let clusters = sim.get_json(&format!("{TENANT}/workspaces/demo/clusters?sortBy=name&ascending=true"), &lead).await;
    assert_eq!(names(&clusters), ["host", "member-1"]);
    assert_eq!(sim.get_json(&format!("{TENANT}/clusters"), &lead).await["totalItems"], 0, "nothing granted");
    // demo-ops: alice's creator binding and nobody else; lead holds no RoleBinding anywhere.
    let admin = sim.access_token("admin").await;
    let ops = sim.get_json(&format!("/clusters/member-1{IAM}/namespaces/demo-ops/rolebindings"), &admin).await;
    assert_eq!(names(&ops), ["alice-admin"]);
    for prefix in ["", "/clusters/member-1", "/clusters/member-2"] {
        let held = sim
            .get_json(&format!("{prefix}{IAM}/rolebindings?labelSelector=iam.kubesphere.io/user-ref=lead"), &admin)
            .await;
        assert_eq!(held["items"], serde_json::json!([]), "{prefix}");
    }
    // A workspace-regular member (bob) passes authorization on both workspace lists; the
    // projects are narrowed to his RoleBindings.
    let bob = sim.access_token("bob").await;
    let clusters = sim.get_json(&format!("{TENANT}/workspaces/demo/clusters"), &bob).await;
    assert_eq!(clusters["totalItems"], 2);
    let bob_member_1 = sim.get_json(&format!("/clusters/member-1{TENANT}/workspaces/demo/namespaces"), &bob).await;
    assert_eq!(bob_member_1["totalItems"], 0);
}
