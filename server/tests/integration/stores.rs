//! The console with a store that fails: readiness reflects it, signed-in people get a plain
//! "temporarily unavailable", and all is well again once the store answers.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use server::stores::{RefreshLock, SessionBackend, SharedSessions, StoreError, StoredTokens, TokenStore, TokenUse};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store;

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
    async fn get(&self, key: &str, by: TokenUse) -> Result<Option<StoredTokens>, StoreError> {
        self.check()?;
        self.inner.get(key, by).await
    }
    async fn replace(&self, key: &str, tokens: StoredTokens, by: TokenUse) -> Result<bool, StoreError> {
        self.check()?;
        self.inner.replace(key, tokens, by).await
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

/// A session store that can be switched off too.
#[derive(Debug)]
struct SwitchableSessions {
    inner: SharedSessions,
    down: Arc<AtomicBool>,
}

impl SwitchableSessions {
    fn check(&self) -> session_store::Result<()> {
        if self.down.load(Ordering::SeqCst) {
            Err(session_store::Error::Backend("connection refused".into()))
        } else {
            Ok(())
        }
    }
}

#[async_trait]
impl tower_sessions::SessionStore for SwitchableSessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.check()?;
        tower_sessions::SessionStore::create(&self.inner, record).await
    }
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.check()?;
        tower_sessions::SessionStore::save(&self.inner, record).await
    }
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        self.check()?;
        tower_sessions::SessionStore::load(&self.inner, id).await
    }
    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.check()?;
        tower_sessions::SessionStore::delete(&self.inner, id).await
    }
}

#[async_trait]
impl SessionBackend for SwitchableSessions {
    async fn ping(&self) -> Result<(), StoreError> {
        self.check().map_err(|e| StoreError(e.to_string()))
    }
}

#[tokio::test]
async fn an_unreachable_session_store_makes_the_console_unready_but_not_dead() {
    let down = Arc::new(AtomicBool::new(false));
    let switch = Arc::clone(&down);
    let app = TestApp::builder()
        .stores(move |mut stores| {
            stores.sessions = SharedSessions(Arc::new(SwitchableSessions { inner: stores.sessions, down: switch }));
            stores
        })
        .start()
        .await;
    let app = &app;
    let status =
        |path: &'static str| async move { app.request(Method::GET, path, None).send().await.unwrap().status() };
    assert_eq!(status("/readyz").await, StatusCode::OK);
    let cookie = app.login("bob").await;
    down.store(true, Ordering::SeqCst);
    assert_eq!(status("/readyz").await, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(status("/livez").await, StatusCode::OK, "the process is alive: do not restart it");
    down.store(false, Ordering::SeqCst);
    assert_eq!(status("/readyz").await, StatusCode::OK);
    assert_eq!(
        app.call("current_user", Some(&cookie)).await.status(),
        StatusCode::OK,
        "the session outlived the outage"
    );
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
    let live = app.request(Method::GET, "/livez", None).send().await.unwrap().status();
    assert_eq!(live, StatusCode::OK);
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
