//! Work the console does beside the requests: sweeping the in-memory stores and pruning the
//! database. Spawned on the current runtime; outside one (route-list generation) nothing runs.

use std::future::Future;
use std::time::Duration;

use crate::database::Database;

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

/// Prunes the activity log of entries, the access review of snapshots (each workspace's newest
/// stays) and the notifications, older than the retention, hourly (0 days: never).
pub(crate) fn prune_activity_log(log: &Database, days: u32) {
    if days == 0 {
        return;
    }
    let log = log.clone();
    spawn_task(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let now_ms = i64::try_from(crate::session::now_unix_ms()).unwrap_or(i64::MAX);
            let cutoff_ms = now_ms - i64::from(days) * 86_400_000;
            report("activity log", "entries", log.prune(cutoff_ms).await);
            report("access review", "snapshots", log.prune_snapshots(cutoff_ms).await);
            report("notifications", "notifications", log.prune_notifications(cutoff_ms).await);
        }
    });
}

fn report<E: std::fmt::Display>(part: &str, rows: &str, pruned: Result<u64, E>) {
    match pruned {
        Ok(0) => {}
        Ok(n) => tracing::info!("{part}: pruned {n} {rows} past the retention"),
        Err(e) => tracing::warn!(error = %e, "{part}: could not prune"),
    }
}
