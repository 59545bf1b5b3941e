//! A panic while answering is a 500 in the console's one error shape, with the request id a
//! person can quote, not a dropped connection; the console goes on serving.

use std::net::IpAddr;

use async_trait::async_trait;
use reqwest::StatusCode;
use server::stores::{Admission, AttemptStore, AttemptTicket, StoreError};

use crate::common::{header, TestApp};

/// A login-throttle store with a bug: it panics on every sign-in attempt.
#[derive(Debug)]
struct PanickingAttempts;

#[async_trait]
impl AttemptStore for PanickingAttempts {
    async fn begin(&self, _username: &str, _ip: IpAddr) -> Result<Admission, StoreError> {
        panic!("a bug in the throttle");
    }
    async fn forgive(&self, _ticket: AttemptTicket) -> Result<(), StoreError> {
        Ok(())
    }
    async fn ping(&self) -> Result<(), StoreError> {
        Ok(())
    }
}

#[tokio::test]
async fn a_panic_is_answered_as_a_500_with_the_request_id() {
    let app = TestApp::builder()
        .stores(|mut stores| {
            stores.attempts = std::sync::Arc::new(PanickingAttempts);
            stores
        })
        .start()
        .await;
    let res = app.login_response("alice", "P@88w0rd", true).await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let request_id = header(res.headers(), "x-request-id").expect("a request id").to_owned();
    assert_eq!(header(res.headers(), "cache-control"), Some("no-store"));
    let body: serde_json::Value = res.json().await.expect("the error's JSON body");
    assert_eq!(body["code"], "internal", "{body}");
    assert_eq!(body["request_id"], request_id.as_str(), "{body}");
    assert!(body["message"].as_str().is_some_and(|m| m.ends_with('.')), "{body}");
    // The console goes on serving.
    let health = app.request(reqwest::Method::GET, "/livez", None).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
}
