//! Bulk-onboarding jobs: kept in the console's database, run in the background with their
//! owner's session (its token, from the vault), and resumed by any replica once the one running
//! a job stops renewing its lease. A job record never holds a password.

use std::sync::Arc;
use std::time::Duration;

use app::audit::ssr::{BoxFuture, LogError};
use app::bulk::job::ssr::{Jobs, NewJob};
use app::bulk::job::{JobRecord, JobState, RowOutcome, RowResult, StopReason, StoredKind};
use app::upstream::{AppState, Authenticated, EndSession, RequestId, SessionCache};
use ks_client::CallContext;
use leptos::prelude::{provide_context, Owner};
use leptos::reactive::computed::ScopedFuture;
use sqlx::Row;

use crate::database::{fail, Database};
use crate::session::SessionKey;
use crate::vault::{SessionEnd, TokenVault};

/// How long a replica holds a job without renewing; renewed after every row.
const LEASE: Duration = Duration::from_secs(30);

fn now_ms() -> i64 {
    i64::try_from(crate::session::now_unix_ms()).unwrap_or(i64::MAX)
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
    refresh_skew: Duration,
}

impl JobRunner {
    pub fn new(db: Database, state: AppState, vault: TokenVault, refresh_skew: Duration) -> Self {
        let replica = uuid::Uuid::new_v4().to_string();
        Self(Arc::new(Inner { db, replica, state, vault, refresh_skew }))
    }

    /// Looks for jobs another replica stopped running every `period`, for as long as the runtime
    /// runs.
    pub fn resume_stopped_jobs(&self, period: Duration) {
        let runner = self.clone();
        crate::spawn_task(async move {
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
        crate::spawn_task(async move { runner.run(&id).await });
    }

    async fn run(&self, id: &str) {
        let db = &self.0.db;
        if !db.claim(id, &self.0.replica).await.unwrap_or(false) {
            return;
        }
        let (job, session_key) = match db.job(id).await {
            Ok(Some(found)) => found,
            Ok(None) => return,
            Err(e) => return tracing::warn!(error = %e, job = id, "bulk onboarding: could not read the job"),
        };
        let call = CallContext { request_id: Some(format!("job-{id}")) };
        let vault = &self.0.vault;
        let access = match vault
            .fresh_access_token(&session_key, &job.owner, &self.0.state.ks, self.0.refresh_skew, &call)
            .await
        {
            Ok(access) => access,
            Err(SessionEnd::Gone | SessionEnd::RefreshRejected) => {
                let why = StopReason::SessionEnded { owner: job.owner.clone() };
                let _ = db.finish(id, &JobState::Stopped(why)).await;
                return;
            }
            // Asked again by whichever replica takes the job once the lease lapses.
            Err(e) => return tracing::warn!(error = ?e, job = id, "bulk onboarding: no token for the job now"),
        };
        let auth = Authenticated {
            username: job.owner.clone(),
            access,
            end_session: EndSession::new(|| async {}),
            cache: SessionCache::new(Duration::from_secs(10)),
        };
        // The app's functions read the person and the request id from the request, as a page does.
        let mut parts = http::Request::new(()).into_parts().0;
        parts.extensions.insert(auth);
        parts.extensions.insert(RequestId(format!("job-{id}")));
        let owner = Owner::new();
        owner.with(|| {
            provide_context(self.0.state.clone());
            provide_context(parts);
        });
        let next_seq = job.results.len();
        let work = owner.with(|| {
            ScopedFuture::new(async {
                let mut seq = next_seq;
                app::bulk::job::run::rows(&job, |result| {
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
            })
        });
        match work.await {
            Ok(()) => {
                if let Ok(Some((done, _))) = db.job(id).await {
                    if done.results.len() >= done.rows.len() {
                        let _ = db.finish(id, &JobState::Done).await;
                    }
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, job = id, "bulk onboarding: the job could not go on; it is tried again")
            }
        }
    }
}

impl Jobs for JobRunner {
    fn submit<'a>(&'a self, parts: &'a http::request::Parts, job: NewJob) -> BoxFuture<'a, Result<String, LogError>> {
        Box::pin(async move {
            let session_key = parts
                .extensions
                .get::<SessionKey>()
                .map(|k| k.0.clone())
                .ok_or_else(|| LogError("no session for the job".into()))?;
            let id = uuid::Uuid::new_v4().to_string();
            self.0.db.insert_job(&id, &job, &session_key, &self.0.replica).await?;
            self.start(id.clone());
            Ok(id)
        })
    }

    fn get<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<JobRecord>, LogError>> {
        Box::pin(async move { Ok(self.0.db.job(id).await?.map(|(job, _)| job)) })
    }
}

/// A result's columns: its kind, its words in English (for whoever reads the database itself)
/// and the typed outcome the pages put into words.
fn outcome_columns(outcome: &RowOutcome) -> Result<(&'static str, String, String), LogError> {
    let kind = match outcome.kind() {
        StoredKind::Done => "done",
        StoredKind::InPlace => "in_place",
        StoredKind::Failed => "failed",
    };
    let json = serde_json::to_string(outcome).map_err(fail)?;
    Ok((kind, outcome.text_in(app::language::Locale::en), json))
}

/// A stored result: typed when the row has its JSON, else its kind and words as written then.
fn outcome_of(kind: &str, message: String, json: Option<String>) -> RowOutcome {
    if let Some(typed) = json.and_then(|j| serde_json::from_str(&j).ok()) {
        return typed;
    }
    let kind = match kind {
        "done" => StoredKind::Done,
        "in_place" => StoredKind::InPlace,
        _ => StoredKind::Failed,
    };
    RowOutcome::Stored { kind, message }
}

impl Database {
    async fn insert_job(&self, id: &str, job: &NewJob, session_key: &str, replica: &str) -> Result<(), LogError> {
        let pool = self.ready().await?;
        let rows = serde_json::to_string(&job.rows).map_err(fail)?;
        let reviewed = serde_json::to_string(&job.reviewed).map_err(fail)?;
        let now = now_ms();
        let mut tx = pool.begin().await.map_err(fail)?;
        sqlx::query(
            "INSERT INTO bulk_jobs (id, owner, session_key, created_ms, state, message, rows_json, reviewed_json, \
             lease_owner, lease_until_ms) VALUES ($1, $2, $3, $4, 'running', NULL, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(&job.owner)
        .bind(session_key)
        .bind(now)
        .bind(rows)
        .bind(reviewed)
        .bind(replica)
        .bind(now + lease_ms())
        .execute(&mut *tx)
        .await
        .map_err(fail)?;
        for (seq, result) in job.results.iter().enumerate() {
            insert_result(&mut tx, id, seq, result).await?;
        }
        tx.commit().await.map_err(fail)
    }

    async fn add_result(&self, id: &str, seq: usize, result: &RowResult) -> Result<(), LogError> {
        let pool = self.ready().await?;
        let mut conn = pool.acquire().await.map_err(fail)?;
        insert_result(&mut conn, id, seq, result).await
    }

    /// Takes the job for `replica`, or renews its lease: only while it runs, and only when no
    /// other replica holds a lease that has not lapsed.
    async fn claim(&self, id: &str, replica: &str) -> Result<bool, LogError> {
        let pool = self.ready().await?;
        let now = now_ms();
        let done = sqlx::query(
            "UPDATE bulk_jobs SET lease_owner = $1, lease_until_ms = $2 \
             WHERE id = $3 AND state = 'running' AND (lease_owner = $4 OR lease_until_ms < $5)",
        )
        .bind(replica)
        .bind(now + lease_ms())
        .bind(id)
        .bind(replica)
        .bind(now)
        .execute(pool)
        .await
        .map_err(fail)?;
        Ok(done.rows_affected() == 1)
    }

    async fn finish(&self, id: &str, state: &JobState) -> Result<(), LogError> {
        let pool = self.ready().await?;
        let (name, message, json) = match state {
            JobState::Running => ("running", None, None),
            JobState::Done => ("done", None, None),
            JobState::Stopped(why) => (
                "stopped",
                Some(why.text_in(app::language::Locale::en)),
                Some(serde_json::to_string(why).map_err(fail)?),
            ),
        };
        sqlx::query("UPDATE bulk_jobs SET state = $1, message = $2, stop_json = $3 WHERE id = $4")
            .bind(name)
            .bind(message)
            .bind(json)
            .bind(id)
            .execute(pool)
            .await
            .map_err(fail)?;
        Ok(())
    }

    async fn stale_jobs(&self, now: i64) -> Result<Vec<String>, LogError> {
        let pool = self.ready().await?;
        let rows = sqlx::query("SELECT id FROM bulk_jobs WHERE state = 'running' AND lease_until_ms < $1")
            .bind(now)
            .fetch_all(pool)
            .await
            .map_err(fail)?;
        rows.iter().map(|r| r.try_get::<String, _>("id").map_err(fail)).collect()
    }

    /// The job and the session it acts with.
    async fn job(&self, id: &str) -> Result<Option<(JobRecord, String)>, LogError> {
        let pool = self.ready().await?;
        let Some(row) = sqlx::query(
            "SELECT id, owner, session_key, created_ms, state, message, stop_json, rows_json, reviewed_json \
             FROM bulk_jobs WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(fail)?
        else {
            return Ok(None);
        };
        let results = sqlx::query(
            "SELECT line, outcome, message, outcome_json FROM bulk_job_results WHERE job_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(pool)
        .await
        .map_err(fail)?;
        let state: String = row.try_get("state").map_err(fail)?;
        let message: Option<String> = row.try_get("message").map_err(fail)?;
        let stop_json: Option<String> = row.try_get("stop_json").map_err(fail)?;
        let rows_json: String = row.try_get("rows_json").map_err(fail)?;
        let reviewed_json: Option<String> = row.try_get("reviewed_json").map_err(fail)?;
        let job = JobRecord {
            id: row.try_get("id").map_err(fail)?,
            owner: row.try_get("owner").map_err(fail)?,
            created_ms: row.try_get("created_ms").map_err(fail)?,
            state: match state.as_str() {
                "running" => JobState::Running,
                "done" => JobState::Done,
                _ => JobState::Stopped(
                    stop_json
                        .and_then(|j| serde_json::from_str(&j).ok())
                        .unwrap_or_else(|| StopReason::Stored(message.unwrap_or_default())),
                ),
            },
            rows: serde_json::from_str(&rows_json).map_err(fail)?,
            reviewed: reviewed_json.map(|j| serde_json::from_str(&j)).transpose().map_err(fail)?,
            results: results
                .iter()
                .map(|r| {
                    let line: i64 = r.try_get("line").map_err(fail)?;
                    let outcome: String = r.try_get("outcome").map_err(fail)?;
                    let message: String = r.try_get("message").map_err(fail)?;
                    let json: Option<String> = r.try_get("outcome_json").map_err(fail)?;
                    Ok(RowResult {
                        line: usize::try_from(line).unwrap_or_default(),
                        outcome: outcome_of(&outcome, message, json),
                    })
                })
                .collect::<Result<_, LogError>>()?,
        };
        Ok(Some((job, row.try_get("session_key").map_err(fail)?)))
    }
}

/// One row's result; a row already recorded (a resumed job, a retried write) is kept as it was.
async fn insert_result(
    conn: &mut sqlx::AnyConnection,
    id: &str,
    seq: usize,
    result: &RowResult,
) -> Result<(), LogError> {
    let (outcome, message, json) = outcome_columns(&result.outcome)?;
    sqlx::query(
        "INSERT INTO bulk_job_results (job_id, seq, line, outcome, message, outcome_json) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (job_id, line) DO NOTHING",
    )
    .bind(id)
    .bind(i64::try_from(seq).unwrap_or(i64::MAX))
    .bind(i64::try_from(result.line).unwrap_or(i64::MAX))
    .bind(outcome)
    .bind(message)
    .bind(json)
    .execute(conn)
    .await
    .map_err(fail)?;
    Ok(())
}
