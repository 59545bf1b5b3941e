//! The console with a store that fails: readiness reflects it, signed-in people get a plain
//! "temporarily unavailable", and all is well again once the store answers.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use server::stores::{RefreshLock, StoreError, StoredTokens, TokenStore};

use crate::common::TestApp;

/// A token store that can be switched off, as a shared store over the network can go away.
#[derive(Debug)]
struct Switchable {
    inner: Arc<dyn TokenStore>,
    down: Arc<AtomicBool>,
}

impl Switchable {
    fn check(&self) -> Result<(), StoreError> {
        if self.down.load(Ordering::SeqCst) {
            Err(StoreError("connection refused".into()))
        } else {
            Ok(())
        }
    }
}

#[async_trait]
impl TokenStore for Switchable {
    async fn insert(&self, key: &str, tokens: StoredTokens) -> Result<(), StoreError> {
        self.check()?;
        self.inner.insert(key, tokens).await
    }
    async fn get(&self, key: &str) -> Result<Option<StoredTokens>, StoreError> {
        self.check()?;
        self.inner.get(key).await
    }
    async fn replace(&self, key: &str, tokens: StoredTokens) -> Result<(), StoreError> {
        self.check()?;
        self.inner.replace(key, tokens).await
    }
    async fn remove(&self, key: &str) -> Result<Option<StoredTokens>, StoreError> {
        self.check()?;
        self.inner.remove(key).await
    }
    async fn lock_refresh(&self, key: &str) -> Result<RefreshLock, StoreError> {
        self.check()?;
        self.inner.lock_refresh(key).await
    }
    async fn ping(&self) -> Result<(), StoreError> {
        self.check()
    }
}

#[tokio::test]
async fn readiness_and_pages_follow_a_failing_store_and_recover_with_it() {
    let down = Arc::new(AtomicBool::new(false));
    let switch = Arc::clone(&down);
    let app = TestApp::builder()
        .stores(move |mut stores| {
            stores.tokens = Arc::new(Switchable { inner: stores.tokens, down: switch });
            stores
        })
        .start()
        .await;
    let ready = || async { app.request(Method::GET, "/readyz", None).send().await.unwrap().status() };
    assert_eq!(ready().await, StatusCode::OK);
    let cookie = app.login("bob").await;

    down.store(true, Ordering::SeqCst);
    assert_eq!(ready().await, StatusCode::SERVICE_UNAVAILABLE);
    let res = app.request(Method::POST, "/api/current_user", Some(&cookie)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "temporarily_unavailable", "{body}");
    assert!(body["message"].as_str().unwrap().contains("temporarily unavailable"), "{body}");
    let login = app.login_response("carol", crate::common::PASSWORD, true).await;
    assert_eq!(login.status(), StatusCode::SERVICE_UNAVAILABLE, "no session without its tokens");

    down.store(false, Ordering::SeqCst);
    assert_eq!(ready().await, StatusCode::OK);
    let res = app.request(Method::POST, "/api/current_user", Some(&cookie)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "the session outlived the outage");
}
