//! Work the console does beside the requests (sweeping the in-memory stores, pruning the
//! database). Spawned on the current runtime; outside one (route-list generation) nothing runs.

use std::future::Future;
use std::time::Duration;

/// Spawns `task` on the current runtime, if there is one (not during route-list generation).
pub(crate) fn spawn_task(task: impl Future<Output = ()> + Send + 'static) {
    if let Ok(handle) = tokio::runtime::Handle::try_current() {
        handle.spawn(task);
    }
}

/// Runs `task` every `period` for as long as the runtime runs (the sweepers of the in-memory
/// stores).
pub(crate) fn spawn_every(period: Duration, mut task: impl FnMut() + Send + 'static) {
    spawn_task(async move {
        let mut tick = tokio::time::interval(period);
        loop {
            tick.tick().await;
            task();
        }
    });
}
