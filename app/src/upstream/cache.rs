//! A session's short-lived cache of what every page asks KubeSphere for.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ks_client::WriteHook;

use crate::error::AppError;

/// The longest a [`SessionCache`] keeps an answer: a change made through another replica, or
/// in KubeSphere's own console, shows within this time.
pub const SESSION_CACHE_MAX_TTL: Duration = Duration::from_secs(10);

type Cached = (Instant, Arc<dyn Any + Send + Sync>);

/// What rarely changes and every page of one session asks KubeSphere for — the clusters, the
/// signed-in person's platform role and role templates — kept for a few seconds. One per
/// session, never shared between people; emptied before and after each of the person's own
/// writes (so a read racing the write cannot keep the old answer) and dropped at sign-out. Concurrent loads of one key wait for a single upstream call.
#[derive(Clone)]
pub struct SessionCache {
    ttl: Duration,
    slots: Arc<Mutex<HashMap<String, Arc<tokio::sync::OnceCell<Cached>>>>>,
}

impl SessionCache {
    /// A cache keeping answers for `ttl`, at most [`SESSION_CACHE_MAX_TTL`]; zero caches nothing.
    pub fn new(ttl: Duration) -> Self {
        Self { ttl: ttl.min(SESSION_CACHE_MAX_TTL), slots: Arc::default() }
    }

    /// The cached value of `key`, or `load`'s (kept when it succeeds).
    pub async fn get_or_load<T, Fut>(&self, key: &str, load: impl FnOnce() -> Fut) -> Result<T, AppError>
    where
        T: Clone + Send + Sync + 'static,
        Fut: Future<Output = Result<T, AppError>>,
    {
        if self.ttl.is_zero() {
            return load().await;
        }
        let cell = {
            let mut slots = self.slots.lock().map_err(|_| AppError::Internal)?;
            let stale = slots.get(key).and_then(|c| c.get()).is_some_and(|(at, _)| at.elapsed() >= self.ttl);
            if stale {
                slots.remove(key);
            }
            slots.entry(key.to_owned()).or_default().clone()
        };
        let (_, value) = cell
            .get_or_try_init(|| async {
                load().await.map(|v| (Instant::now(), Arc::new(v) as Arc<dyn Any + Send + Sync>))
            })
            .await?;
        value.downcast_ref::<T>().cloned().ok_or(AppError::Internal)
    }

    /// The value kept for `key`, if there is a fresh one (nothing is loaded).
    pub fn peek<T: Clone + Send + Sync + 'static>(&self, key: &str) -> Option<T> {
        let slots = self.slots.lock().ok()?;
        let (at, value) = slots.get(key)?.get()?;
        (at.elapsed() < self.ttl).then(|| value.downcast_ref::<T>().cloned()).flatten()
    }

    /// Forgets everything (before a write, whose effect the next page must show).
    pub fn clear(&self) {
        if let Ok(mut slots) = self.slots.lock() {
            slots.clear();
        }
    }

    /// The hook that empties this cache before every write sent upstream and after its answer.
    pub(super) fn write_hook(&self) -> WriteHook {
        let cache = self.clone();
        WriteHook::new(move || cache.clear())
    }
}

impl std::fmt::Debug for SessionCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionCache").field("ttl", &self.ttl).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::{SessionCache, SESSION_CACHE_MAX_TTL};
    use crate::error::AppError;

    async fn load(cache: &SessionCache, key: &str, calls: &AtomicUsize) -> Result<u32, AppError> {
        cache
            .get_or_load(key, || async {
                calls.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(5)).await;
                Ok(7)
            })
            .await
    }

    #[tokio::test]
    async fn an_answer_is_kept_until_cleared_and_concurrent_loads_ask_once() {
        let (cache, calls) = (SessionCache::new(Duration::from_secs(10)), AtomicUsize::new(0));
        let (a, b) = tokio::join!(load(&cache, "k", &calls), load(&cache, "k", &calls));
        assert_eq!((a.unwrap(), b.unwrap()), (7, 7));
        assert_eq!(load(&cache, "k", &calls).await.unwrap(), 7);
        assert_eq!(calls.load(Ordering::SeqCst), 1, "one upstream load for three asks");
        assert_eq!(cache.peek::<u32>("k"), Some(7));
        assert_eq!(cache.peek::<u32>("missing"), None);
        load(&cache, "other", &calls).await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2, "keys are separate");
        cache.clear();
        assert_eq!(cache.peek::<u32>("k"), None);
        load(&cache, "k", &calls).await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 3, "a write empties the cache");
    }

    #[tokio::test]
    async fn answers_expire_failures_are_not_kept_and_the_lifetime_is_at_most_ten_seconds() {
        let (cache, calls) = (SessionCache::new(Duration::from_millis(30)), AtomicUsize::new(0));
        load(&cache, "k", &calls).await.unwrap();
        tokio::time::sleep(Duration::from_millis(40)).await;
        load(&cache, "k", &calls).await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2, "an expired answer is asked again");

        let failing = cache.get_or_load::<u32, _>("f", || async { Err(AppError::TemporarilyUnavailable) }).await;
        assert!(failing.is_err());
        assert_eq!(cache.get_or_load("f", || async { Ok(1u32) }).await.unwrap(), 1, "a failure is not kept");

        assert_eq!(SessionCache::new(Duration::from_secs(3600)).ttl, SESSION_CACHE_MAX_TTL);
        let (off, calls) = (SessionCache::new(Duration::ZERO), AtomicUsize::new(0));
        load(&off, "k", &calls).await.unwrap();
        load(&off, "k", &calls).await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2, "zero keeps nothing");
    }
}
