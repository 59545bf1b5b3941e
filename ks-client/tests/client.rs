//! The client against the simulator: what actually goes over the wire.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ks_client::{CallContext, ClientConfig, KsClient, KsError, ListOptions};
use ks_sim::{Fault, SimConfig, Simulator};

async fn start() -> (ks_sim::RunningSim, KsClient, ks_client::AccessToken) {
    let sim = Simulator::spawn(SimConfig::default(), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let client = KsClient::new(ClientConfig::new(sim.base_url())).unwrap();
    let tokens = client
        .password_grant(
            ks_client::Credentials { username: "admin", password: ks_sim::DEMO_PASSWORD, provider: None },
            None,
            &CallContext::default(),
        )
        .await
        .unwrap();
    (sim, client, tokens.access)
}

#[tokio::test]
async fn dot_segments_are_never_sent_however_they_would_be_encoded() {
    let (sim, client, token) = start().await;
    sim.sim.reset_journal();
    for dots in [".", ".."] {
        let err = client.as_user(&token).get_user(dots).await.unwrap_err();
        assert!(matches!(err, KsError::Invalid { .. }), "{err:?}");
    }
    assert!(sim.sim.journal().is_empty(), "nothing reached KubeSphere: {:?}", sim.sim.journal());
    // Other values stay inside their segment on the wire.
    let _ = client.as_user(&token).get_user("a/../b").await;
    let sent: Vec<String> = sim.sim.journal().into_iter().map(|e| e.path).collect();
    assert_eq!(sent, ["/kapis/iam.kubesphere.io/v1beta1/users/a%2F..%2Fb"]);
}

#[tokio::test]
async fn an_over_long_request_refused_upstream_does_not_open_the_breaker() {
    let (sim, client, token) = start().await;
    let config = ClientConfig { breaker_threshold: 2, ..ClientConfig::new(sim.base_url()) };
    let client_with_breaker = KsClient::new(config).unwrap();
    sim.sim.inject(Fault::status("/kapis/iam.kubesphere.io/v1beta1/users", 414, Some("URI Too Long".into())));
    for _ in 0..5 {
        let err = client_with_breaker.as_user(&token).list_users(&ListOptions::new().name("x")).await.unwrap_err();
        assert!(matches!(err, KsError::Invalid { status: 414, .. }), "{err:?}");
    }
    sim.sim.clear_faults();
    assert!(
        client_with_breaker.as_user(&token).list_users(&ListOptions::new()).await.is_ok(),
        "the breaker stayed closed"
    );
    drop(client);
}

#[tokio::test]
async fn a_probe_dropped_mid_request_does_not_wedge_the_breaker() {
    let (sim, _, token) = start().await;
    let config = ClientConfig {
        breaker_threshold: 1,
        breaker_cooldown: std::time::Duration::from_millis(50),
        max_read_retries: 0,
        ..ClientConfig::new(sim.base_url())
    };
    let client = KsClient::new(config).unwrap();
    let users = "/kapis/iam.kubesphere.io/v1beta1/users";
    sim.sim.inject(Fault::status(users, 503, None).times(1));
    assert!(client.as_user(&token).list_users(&ListOptions::new()).await.is_err(), "opens the breaker");
    tokio::time::sleep(std::time::Duration::from_millis(80)).await;
    // The probe hangs upstream and its caller gives up (a browser that disconnects).
    sim.sim.inject(Fault::delay(users, std::time::Duration::from_secs(5)).times(1));
    let probe = tokio::time::timeout(
        std::time::Duration::from_millis(100),
        client.as_user(&token).list_users(&ListOptions::new()),
    )
    .await;
    assert!(probe.is_err(), "the probe was dropped mid-flight");
    assert!(client.as_user(&token).list_users(&ListOptions::new()).await.is_ok(), "the next call goes through");
}

#[tokio::test]
async fn the_write_hook_runs_before_and_after_each_write_and_never_for_a_read() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let (_sim, client, token) = start().await;
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&runs);
    let hook = ks_client::WriteHook::new(move || {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    let api = client.as_user(&token).around_write(hook);
    api.list_users(&ListOptions::new()).await.unwrap();
    assert_eq!(runs.load(Ordering::SeqCst), 0, "a read leaves caches alone");
    let user = api.get_user("bob").await.unwrap();
    assert_eq!(runs.load(Ordering::SeqCst), 0);
    // A write, successful or refused, runs it on both sides.
    let body = serde_json::to_value(&user).unwrap();
    let _ = api
        .send::<_, serde_json::Value>(
            ks_client::Verb::Put,
            &ks_client::ApiPath::fixed("/kapis/iam.kubesphere.io/v1beta1").lit("users").seg("bob"),
            Some(&body),
        )
        .await;
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}
