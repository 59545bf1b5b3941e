//! E-mail uniqueness (contract §5, §11): the user webhook compares `spec.email` exactly
//! (case-sensitively) against its cache of users.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use crate::common::{TestSim, PASSWORD, USERS};
use serde_json::{json, Value};

fn new_user(name: &str, email: &str) -> Value {
    json!({
        "apiVersion": "iam.kubesphere.io/v1beta1", "kind": "User",
        "metadata": {"name": name, "annotations": {"iam.kubesphere.io/globalrole": "platform-regular"}},
        "spec": {"email": email, "password": PASSWORD},
    })
}

#[tokio::test]
async fn the_duplicate_email_check_is_case_sensitive() {
    let sim = TestSim::start().await;
    let admin = sim.access_token("admin").await;
    assert_eq!(sim.call("POST", USERS, Some(&admin), Some(new_user("mei", "mei@example.com"))).await.status, 200);
    let res = sim.call("POST", USERS, Some(&admin), Some(new_user("mei2", "Mei@Example.com"))).await;
    assert_eq!(res.status, 200, "another spelling is another address to the webhook: {res:?}");
    sim.call("POST", USERS, Some(&admin), Some(new_user("mei3", "mei@example.com"))).await.assert_text(
        403,
        "admission webhook \"users.iam.kubesphere.io\" denied the request: user email: mei@example.com already exists",
    );
}

#[tokio::test]
async fn two_creates_with_one_address_inside_the_read_lag_both_succeed() {
    let lag = Duration::from_millis(1500);
    let sim = TestSim::with(|c| c.read_lag = lag).await;
    let admin = sim.access_token("admin").await;
    assert_eq!(sim.call("POST", USERS, Some(&admin), Some(new_user("mei", "mei@example.com"))).await.status, 200);
    let res = sim.call("POST", USERS, Some(&admin), Some(new_user("mei2", "mei@example.com"))).await;
    assert_eq!(res.status, 200, "the webhook's cache does not hold mei yet: {res:?}");
    // Seeded addresses are in the cache from the start.
    let res = sim.call("POST", USERS, Some(&admin), Some(new_user("bob2", "bob@example.com"))).await;
    assert_eq!(res.status, 403, "{res:?}");
    tokio::time::sleep(lag + Duration::from_millis(200)).await;
    let res = sim.call("POST", USERS, Some(&admin), Some(new_user("mei3", "mei@example.com"))).await;
    assert_eq!(res.status, 403, "{res:?}");
}
