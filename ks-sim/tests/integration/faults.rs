//! Fault injection: status, delay and dropped connections.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use crate::common::{password_form, TestSim, CLIENT, PASSWORD, USERS};
use ks_sim::Fault;
use serde_json::json;

#[tokio::test]
async fn a_status_fault_answers_instead_of_kubesphere_and_is_journaled() {
    let sim = TestSim::start().await;
    let token = sim.access_token("alice").await;
    sim.sim().inject(Fault::status(USERS, 503, Some("etcd is down".into())));
    let res = sim.get(&format!("{USERS}/alice"), Some(&token)).await;
    assert_eq!(res.status(), 503);
    assert_eq!(res.text().await.unwrap(), "etcd is down");
    let entry = sim.sim().journal().pop().unwrap();
    assert_eq!((entry.status, entry.user.as_deref()), (503, Some("alice")));
    sim.sim().clear_faults();
    assert_eq!(sim.get(&format!("{USERS}/alice"), Some(&token)).await.status(), 200);
}

#[tokio::test]
async fn a_fault_can_be_limited_by_method_and_times() {
    let sim = TestSim::start().await;
    sim.sim().inject(Fault::status("/oauth/token", 500, None).method("POST").times(1));
    assert_eq!(sim.login("admin", PASSWORD).await.status(), 500);
    assert_eq!(sim.login("admin", PASSWORD).await.status(), 200, "worn off after one use");
    sim.sim().inject(Fault::status("/oauth/", 502, None).method("POST"));
    assert_eq!(sim.get("/oauth/logout", None).await.status(), 200, "GET not affected");
    assert_eq!(sim.login("admin", PASSWORD).await.status(), 502);
}

#[tokio::test]
async fn a_delay_fault_holds_the_request_then_serves_it() {
    let sim = TestSim::start().await;
    sim.sim().inject(Fault::delay("/oauth/token", Duration::from_millis(400)));
    let started = Instant::now();
    assert_eq!(sim.login("admin", PASSWORD).await.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(400));
}

#[tokio::test]
async fn a_delayed_request_is_in_the_journal_while_it_hangs() {
    let sim = TestSim::start().await;
    let token = sim.access_token("admin").await;
    sim.sim().reset_journal();
    sim.sim().inject(Fault::delay("/oauth/logout", Duration::from_secs(2)));
    let url = sim.url("/oauth/logout");
    let http = sim.http.clone();
    let pending = tokio::spawn(async move { http.get(url).bearer_auth(token).send().await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let entry = sim.sim().journal().pop().unwrap();
    assert_eq!((entry.path.as_str(), entry.status, entry.user.as_deref()), ("/oauth/logout", 0, Some("admin")));
    pending.abort();
}

#[tokio::test]
async fn a_drop_fault_closes_the_connection_without_a_response() {
    let sim = TestSim::start().await;
    sim.sim().inject(Fault::drop_connection("/oauth/token").times(1));
    let err = sim.token_request().form(&password_form("admin", PASSWORD, CLIENT)).send().await.unwrap_err();
    assert!(!err.is_status(), "{err:?}");
    assert!(err.is_request() || err.is_connect() || err.is_body(), "{err:?}");
    assert_eq!(sim.sim().journal().pop().unwrap().status, 0);
    assert_eq!(sim.login("admin", PASSWORD).await.status(), 200, "the next connection works");
}

#[tokio::test]
async fn faults_can_be_managed_over_http() {
    let sim = TestSim::start().await;
    let fault =
        json!({"path_prefix": "/kapis/", "action": {"status": 503, "body": "{\"message\":\"down\"}"}, "times": 2});
    let res = sim.http.post(sim.url("/_sim/faults")).json(&fault).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let res = sim.get(USERS, None).await;
    assert_eq!(res.status(), 503);
    assert_eq!(res.headers()["content-type"], "application/json");
    let listed: Vec<Fault> = sim.get("/_sim/faults", None).await.json().await.unwrap();
    assert_eq!(listed[0].times, Some(1));

    let delay = json!({"path_prefix": "/oauth/token", "method": "POST", "action": {"delay_ms": 300}});
    sim.http.post(sim.url("/_sim/faults")).json(&delay).send().await.unwrap();
    let drop = json!({"path_prefix": "/oauth/logout", "action": {"drop": true}});
    sim.http.post(sim.url("/_sim/faults")).json(&drop).send().await.unwrap();
    let started = Instant::now();
    assert_eq!(sim.login("admin", PASSWORD).await.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert!(sim.http.get(sim.url("/oauth/logout")).send().await.is_err());

    let res = sim.http.post(sim.url("/_sim/faults/clear")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(sim.sim().faults().is_empty());
    assert_eq!(sim.get("/oauth/logout", None).await.status(), 200);
}
