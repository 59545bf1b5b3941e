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
