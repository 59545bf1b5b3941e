//! Bulk-onboarding jobs: kept in the console's database, run in the background with their
//! owner's session (its token, from the vault), and resumed by any replica once the one running
//! a job stops renewing its lease. A job record never holds a password. What a job sends and whose
//! session it acts with are sealed with a key derived from `SESSION_SECRET` (AAD: the job's id):
//! writing to the database cannot make the console act, and the session part is erased when the
//! job ends. A job never outlives its owner's sign-in, and one that keeps failing ends.

mod storage;

use std::sync::Arc;
use std::time::Duration;

use app::activity_log::ssr::{BoxFuture, LogError};
use app::bulk::job::ssr::{Jobs, NewJob};
use app::bulk::job::{JobRecord, JobState, RowResult, StopReason};
use app::error::AppError;
use app::upstream::{AppState, Authenticated, EndSession, SessionCache, Upstream};
use ks_client::CallContext;

use crate::database::Database;
use crate::secrets::Secrets;
use crate::session::SessionKey;
use crate::stores::TokenUse;
use crate::vault::{SessionEnd, TokenVault};
pub use storage::sealed_columns_for;
use storage::SealedSession;

/// How long a replica holds a job without renewing; renewed every third of it while it runs.
const LEASE: Duration = Duration::from_secs(30);
/// Failed runs (other than KubeSphere being away) after which a job ends.
const MAX_FAILED_RUNS: u32 = 5;
/// How long a job pauses while KubeSphere is away: about the circuit breaker's cool-down.
const PAUSE: Duration = Duration::from_secs(5);

fn now_ms() -> i64 {
    i64::try_from(crate::clock::now_unix_ms()).unwrap_or(i64::MAX)
}

fn lease_ms() -> i64 {
    i64::try_from(LEASE.as_millis()).unwrap_or(i64::MAX)
}

/// Runs jobs on this replica.
#[derive(Clone)]
pub struct JobRunner(Arc<Inner>);

struct Inner {
    db: Database,
    /// This replica, as lease holder.
    replica: String,
    state: AppState,
    vault: TokenVault,
    secrets: Secrets,
    settings: JobSettings,
}

/// How jobs are run and kept.
#[derive(Clone, Copy, Debug)]
pub struct JobSettings {
    pub refresh_skew: Duration,
    /// The sessions' absolute lifetime: a job ends with its owner's sign-in.
    pub max_lifetime: Duration,
    /// Finished jobs are removed this long after they ended (zero: kept).
    pub retention: Duration,
}

impl JobRunner {
    pub fn new(db: Database, state: AppState, vault: TokenVault, secrets: Secrets, settings: JobSettings) -> Self {
        let replica = uuid::Uuid::new_v4().to_string();
        Self(Arc::new(Inner { db, replica, state, vault, secrets, settings }))
    }

    /// Removes finished jobs past the retention, hourly, for as long as the runtime runs.
    pub fn prune_finished_jobs(&self) {
        let retention = self.0.settings.retention;
        if retention.is_zero() {
            return;
        }
        let db = self.0.db.clone();
        crate::background::spawn_task(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(3600));
            loop {
                tick.tick().await;
                let cutoff = now_ms() - i64::try_from(retention.as_millis()).unwrap_or(i64::MAX);
                match db.prune_jobs(cutoff).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(jobs = n, "bulk onboarding: removed finished jobs past the retention"),
                    Err(e) => tracing::warn!(error = %e, "bulk onboarding: could not prune finished jobs"),
                }
            }
        });
    }

    /// Looks for jobs another replica stopped running every `period`, for as long as the runtime
    /// runs.
    pub fn resume_stopped_jobs(&self, period: Duration) {
        let runner = self.clone();
        crate::background::spawn_task(async move {
            let mut tick = tokio::time::interval(period.max(Duration::from_millis(100)));
            loop {
                tick.tick().await;
                match runner.0.db.stale_jobs(now_ms()).await {
                    Ok(ids) => ids.into_iter().for_each(|id| runner.start(id)),
                    Err(e) => tracing::debug!(error = %e, "bulk onboarding: could not look for stopped jobs"),
                }
            }
        });
    }

    fn start(&self, id: String) {
        let runner = self.clone();
        crate::background::spawn_task(async move { runner.run(&id).await });
    }

    async fn run(&self, id: &str) {
        let db = &self.0.db;
        if !db.claim(id, &self.0.replica).await.unwrap_or(false) {
            return;
        }
        let found = match db.job(id, &self.0.secrets).await {
            Ok(Some(found)) => found,
            Ok(None) => return,
            Err(e) => return tracing::warn!(error = %e, job = id, "bulk onboarding: could not read the job"),
        };
        let stop = |why: StopReason| async move {
            if let Err(e) = db.finish(id, &JobState::Stopped(why)).await {
                tracing::warn!(error = %e, job = id, "bulk onboarding: could not end the job");
            }
        };
        let owner = found.record.owner.clone();
        let Some(session) = found.acts_with.filter(|_| found.sealed) else {
            tracing::warn!(job = id, "bulk onboarding: a job whose record does not open is never run");
            return stop(StopReason::NotSealed).await;
        };
        if found.failed_runs >= MAX_FAILED_RUNS {
            return stop(StopReason::KeptFailing { runs: found.failed_runs }).await;
        }
        let lifetime_ms = u64::try_from(self.0.settings.max_lifetime.as_millis()).unwrap_or(u64::MAX);
        if crate::clock::now_unix_ms().saturating_sub(session.signed_in_at_ms) >= lifetime_ms {
            return stop(StopReason::SessionEnded { owner }).await;
        }
        let call = CallContext { request_id: Some(format!("job-{id}")) };
        let holder = (session.vault_key.as_str(), owner.as_str(), TokenUse::Job);
        let settings = &self.0.settings;
        let access = match self.0.vault.fresh_access_token(holder, &self.0.state.ks, settings.refresh_skew, &call).await
        {
            Ok(access) => access,
            Err(SessionEnd::Gone | SessionEnd::RefreshRejected) => {
                return stop(StopReason::SessionEnded { owner }).await
            }
            // Asked again by whichever replica takes the job once the lease lapses.
            Err(e) => return tracing::warn!(error = ?e, job = id, "bulk onboarding: no token for the job now"),
        };
        let auth = Authenticated {
            username: owner.clone(),
            access,
            end_session: EndSession::new(|| async {}),
            cache: SessionCache::new(Duration::from_secs(10)),
        };
        let job = found.record;
        // The lease is renewed while a row is in flight, so no other replica sends it too.
        let renewing = self.renew_lease_while_running(id);
        let outcome = self.run_rows(id, &job, auth).await;
        renewing.abort();
        match outcome {
            Ok(()) => {
                if let Ok(Some(done)) = db.job(id, &self.0.secrets).await {
                    if done.record.results.len() >= done.record.rows.len() {
                        let _ = db.finish(id, &JobState::Done).await;
                    }
                }
            }
            Err(AppError::SessionExpired) => stop(StopReason::SessionEnded { owner }).await,
            Err(AppError::Forbidden) => stop(StopReason::Refused { owner }).await,
            // KubeSphere away (or the breaker open): paused, not counted; resumed after the lease.
            Err(AppError::UpstreamUnavailable | AppError::UpstreamTimeout) => {
                tracing::info!(job = id, "bulk onboarding: KubeSphere is not reachable; the job pauses");
                let _ = db.pause(id, &self.0.replica).await;
            }
            Err(e) => {
                tracing::warn!(error = %e, job = id, "bulk onboarding: the job could not go on; it is tried again");
                let _ = db.count_failed_run(id).await;
                let _ = db.pause(id, &self.0.replica).await;
            }
        }
    }

    fn renew_lease_while_running(&self, id: &str) -> tokio::task::JoinHandle<()> {
        let (db, replica, id) = (self.0.db.clone(), self.0.replica.clone(), id.to_owned());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(LEASE / 3);
            tick.tick().await;
            loop {
                tick.tick().await;
                let _ = db.claim(&id, &replica).await;
            }
        })
    }

    /// Runs the job's rows as its owner, with the app's code, under the job's own request id.
    async fn run_rows(&self, id: &str, job: &JobRecord, auth: Authenticated) -> Result<(), AppError> {
        let db = &self.0.db;
        let upstream = Upstream::new(self.0.state.clone(), auth, Some(format!("job-{id}")));
        let mut seq = job.results.len();
        app::bulk::job::run::rows(&upstream, job, |result| {
            seq += 1;
            let this_seq = seq;
            async move {
                if let Err(e) = db.add_result(id, this_seq, &result).await {
                    tracing::error!(error = %e, job = id, "bulk onboarding: a row's result was not kept");
                }
                db.claim(id, &self.0.replica).await.unwrap_or(false)
            }
        })
        .await
    }
}

impl Jobs for JobRunner {
    fn submit<'a>(&'a self, parts: &'a http::request::Parts, job: NewJob) -> BoxFuture<'a, Result<String, LogError>> {
        Box::pin(async move {
            let session = parts
                .extensions
                .get::<SessionKey>()
                .map(|k| SealedSession { vault_key: k.vault_key.clone(), signed_in_at_ms: k.signed_in_at_ms })
                .ok_or_else(|| LogError("no session for the job".into()))?;
            let id = uuid::Uuid::new_v4().to_string();
            self.0.db.insert_job(&id, &job, &session, &self.0.secrets, &self.0.replica).await?;
            Ok(id)
        })
    }

    fn release<'a>(&'a self, id: &'a str, results: Vec<RowResult>) -> BoxFuture<'a, Result<(), LogError>> {
        Box::pin(async move {
            self.0.db.release(id, &results).await?;
            self.start(id.to_owned());
            Ok(())
        })
    }

    fn get<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<JobRecord>, LogError>> {
        // A job whose record does not open is shown as stored, never run.
        Box::pin(async move { Ok(self.0.db.job(id, &self.0.secrets).await?.map(|found| found.record)) })
    }
}
