//! `--unready-clusters`: the cluster dispatch filter answers 503 for member clusters that are
//! not ready (contract §1.6 C, §11 "Unknown and unready clusters").
#![allow(clippy::unwrap_used)]

use crate::common::{TestSim, TENANT};
use serde_json::json;

fn not_ready(cluster: &str) -> serde_json::Value {
    json!({"ErrStatus": {"metadata": {}, "status": "Failure", "message": format!("cluster {cluster} is not ready"),
        "reason": "ServiceUnavailable", "code": 503}})
}

#[tokio::test]
async fn requests_to_an_unready_cluster_answer_503_with_the_mis_wrapped_status() {
    let sim = TestSim::with(|c| c.unready_clusters = vec!["member-1".into()]).await;
    let admin = sim.access_token("admin").await;
    for path in [
        format!("/clusters/member-1{TENANT}/namespaces"),
        "/kapis/clusters/member-1/tenant.kubesphere.io/v1beta1/namespaces".to_owned(),
        "/clusters/member-1/kapis/iam.kubesphere.io/v1beta1/namespaces/demo-api/namespacemembers".to_owned(),
    ] {
        let res = sim.call("GET", &path, Some(&admin), None).await;
        assert_eq!((res.status, res.json()), (503, not_ready("member-1")), "{path}");
        assert!(res.content_type.starts_with("application/json"));
    }
    // After authentication (a bad token is still 401), before authorization (anonymous: 503).
    let res = sim.call("GET", &format!("/clusters/member-1{TENANT}/namespaces"), Some("bad"), None).await;
    assert_eq!(res.status, 401);
    let res = sim.call("GET", &format!("/clusters/member-1{TENANT}/namespaces"), None, None).await;
    assert_eq!(res.status, 503);
    // Other clusters answer; unknown ones are still 400.
    for path in [format!("/clusters/member-2{TENANT}/namespaces"), format!("/clusters/host{TENANT}/namespaces")] {
        assert_eq!(sim.call("GET", &path, Some(&admin), None).await.status, 200, "{path}");
    }
    assert_eq!(sim.call("GET", &format!("/clusters/nope{TENANT}/namespaces"), Some(&admin), None).await.status, 400);
    let clusters = sim.get_json(&format!("{TENANT}/clusters?sortBy=name&ascending=true"), &admin).await;
    let ready: Vec<&str> = clusters["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"]["conditions"][0]["status"].as_str().unwrap())
        .collect();
    assert_eq!(ready, ["True", "False", "True"], "host, member-1, member-2");
}

#[tokio::test]
async fn clusters_become_unready_and_ready_again_while_running() {
    let sim = TestSim::start().await;
    let admin = sim.access_token("admin").await;
    let path = format!("/clusters/member-2{TENANT}/namespaces");
    assert_eq!(sim.call("GET", &path, Some(&admin), None).await.status, 200);
    sim.sim().set_unready_clusters(vec!["member-2".into()]);
    assert_eq!(sim.sim().unready_clusters(), ["member-2"]);
    let res = sim.call("GET", &path, Some(&admin), None).await;
    assert_eq!((res.status, res.json()), (503, not_ready("member-2")));
    // Over HTTP: GET/PUT /_sim/clusters/unready.
    let control = sim.url("/_sim/clusters/unready");
    let got: serde_json::Value = sim.http.get(&control).send().await.unwrap().json().await.unwrap();
    assert_eq!(got, json!({"clusters": ["member-2"]}));
    let res = sim.http.put(&control).json(&json!({"clusters": ["member-1"]})).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(sim.call("GET", &path, Some(&admin), None).await.status, 200);
    let res = sim.call("GET", &format!("/clusters/member-1{TENANT}/namespaces"), Some(&admin), None).await;
    assert_eq!(res.status, 503);
    assert!(sim.sim().journal().iter().any(|e| e.status == 503), "answered through the journal");
    sim.http.put(&control).json(&json!({"clusters": []})).send().await.unwrap();
    assert_eq!(
        sim.call("GET", &format!("/clusters/member-1{TENANT}/namespaces"), Some(&admin), None).await.status,
        200
    );
}
