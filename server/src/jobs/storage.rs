//! Where jobs are kept: their rows in the console's database, what they send and whose session
//! they act with sealed with a key derived from `SESSION_SECRET` (AAD: the job's id).

use app::activity_log::ssr::LogError;
use app::bulk::job::ssr::NewJob;
use app::bulk::job::{JobRecord, JobState, RowOutcome, RowResult, StopReason, StoredKind};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sqlx::Row;

use super::{lease_ms, now_ms, PAUSE};
use crate::database::{fail, Database};
use crate::secrets::Secrets;

/// What a job sends, as sealed: the columns beside it are for people reading the database.
#[derive(serde::Serialize, serde::Deserialize)]
struct SealedJob {
    owner: String,
    created_ms: i64,
    rows_json: String,
    reviewed_json: Option<String>,
}

/// Whose session a job acts with, sealed apart and erased when the job ends.
#[derive(serde::Serialize, serde::Deserialize)]
pub(super) struct SealedSession {
    pub(super) vault_key: String,
    pub(super) signed_in_at_ms: u64,
}

/// A job as read back: its record, and the session it may act with (none once it ended, or when
/// its record does not open).
pub(super) struct StoredJob {
    pub(super) record: JobRecord,
    pub(super) acts_with: Option<SealedSession>,
    /// Sealed by this console and unchanged since.
    pub(super) sealed: bool,
    pub(super) failed_runs: u32,
}

/// The `seal` and `session_seal` columns of job `id`.
fn seal_columns(
    secrets: &Secrets,
    id: &str,
    job: &SealedJob,
    session: &SealedSession,
) -> Result<(String, String), LogError> {
    let seal = STANDARD.encode(secrets.seal(&job_context(id), &serde_json::to_vec(job).map_err(fail)?));
    let session_seal = STANDARD.encode(secrets.seal(&session_context(id), &serde_json::to_vec(session).map_err(fail)?));
    Ok((seal, session_seal))
}

/// The sealed columns of a running job as a replica configured with `secret` writes them, for
/// tests that play another replica (they need the secret, as a replica does).
pub fn sealed_columns_for(
    secret: &str,
    id: &str,
    (owner, rows_json, reviewed_json): (&str, &str, Option<&str>),
    vault_key: &str,
) -> Result<(String, String), LogError> {
    let secrets = Secrets::new(secret, None).map_err(LogError)?;
    let job = SealedJob {
        owner: owner.to_owned(),
        created_ms: 0,
        rows_json: rows_json.to_owned(),
        reviewed_json: reviewed_json.map(str::to_owned),
    };
    let session = SealedSession { vault_key: vault_key.to_owned(), signed_in_at_ms: crate::clock::now_unix_ms() };
    seal_columns(&secrets, id, &job, &session)
}

fn job_context(id: &str) -> String {
    format!("bulk-job:{id}")
}

fn session_context(id: &str) -> String {
    format!("bulk-job-session:{id}")
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
    pub(super) async fn insert_job(
        &self,
        id: &str,
        job: &NewJob,
        session: &SealedSession,
        secrets: &Secrets,
        replica: &str,
    ) -> Result<(), LogError> {
        let pool = self.ready().await?;
        let rows = serde_json::to_string(&job.rows).map_err(fail)?;
        let reviewed = serde_json::to_string(&job.reviewed).map_err(fail)?;
        let now = now_ms();
        let sealed =
            SealedJob { owner: job.owner.clone(), created_ms: now, rows_json: rows, reviewed_json: Some(reviewed) };
        let (seal, session_seal) = seal_columns(secrets, id, &sealed, session)?;
        let mut tx = pool.begin().await.map_err(fail)?;
        sqlx::query(
            "INSERT INTO bulk_jobs (id, owner, session_key, created_ms, state, message, rows_json, reviewed_json, \
             lease_owner, lease_until_ms, seal, session_seal) \
             VALUES ($1, $2, '', $3, 'held', NULL, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(&job.owner)
        .bind(now)
        .bind(&sealed.rows_json)
        .bind(&sealed.reviewed_json)
        .bind(replica)
        .bind(now + lease_ms())
        .bind(seal)
        .bind(session_seal)
        .execute(&mut *tx)
        .await
        .map_err(fail)?;
        tx.commit().await.map_err(fail)
    }

    /// What was done before the held job (its accounts that could not be made), and it runs.
    pub(super) async fn release(&self, id: &str, results: &[RowResult]) -> Result<(), LogError> {
        let pool = self.ready().await?;
        let mut tx = pool.begin().await.map_err(fail)?;
        for (seq, result) in results.iter().enumerate() {
            insert_result(&mut tx, id, seq, result).await?;
        }
        sqlx::query("UPDATE bulk_jobs SET state = 'running' WHERE id = $1 AND state = 'held'")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        tx.commit().await.map_err(fail)
    }

    pub(super) async fn add_result(&self, id: &str, seq: usize, result: &RowResult) -> Result<(), LogError> {
        let pool = self.ready().await?;
        let mut conn = pool.acquire().await.map_err(fail)?;
        insert_result(&mut conn, id, seq, result).await
    }

    /// Takes the job for `replica`, or renews its lease: only while it runs, and only when no
    /// other replica holds a lease that has not lapsed.
    pub(super) async fn claim(&self, id: &str, replica: &str) -> Result<bool, LogError> {
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

    pub(super) async fn finish(&self, id: &str, state: &JobState) -> Result<(), LogError> {
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
        // An ended job acts no more: whose session it used is erased.
        sqlx::query(
            "UPDATE bulk_jobs SET state = $1, message = $2, stop_json = $3, session_key = '', session_seal = NULL, \
             ended_ms = $4 WHERE id = $5",
        )
        .bind(name)
        .bind(message)
        .bind(json)
        .bind(now_ms())
        .bind(id)
        .execute(pool)
        .await
        .map_err(fail)?;
        Ok(())
    }

    /// Lets any replica resume the job after [`PAUSE`] (not after the whole lease).
    pub(super) async fn pause(&self, id: &str, replica: &str) -> Result<(), LogError> {
        let pool = self.ready().await?;
        let until = now_ms() + i64::try_from(PAUSE.as_millis()).unwrap_or(i64::MAX);
        sqlx::query("UPDATE bulk_jobs SET lease_until_ms = $1 WHERE id = $2 AND lease_owner = $3")
            .bind(until)
            .bind(id)
            .bind(replica)
            .execute(pool)
            .await
            .map_err(fail)?;
        Ok(())
    }

    /// One more run of the job failed (KubeSphere's being away is not counted).
    pub(super) async fn count_failed_run(&self, id: &str) -> Result<(), LogError> {
        let pool = self.ready().await?;
        sqlx::query("UPDATE bulk_jobs SET failed_runs = failed_runs + 1 WHERE id = $1")
            .bind(id)
            .execute(pool)
            .await
            .map_err(fail)?;
        Ok(())
    }

    /// Removes the jobs that ended before `cutoff_ms`, with their results; how many went.
    pub(super) async fn prune_jobs(&self, cutoff_ms: i64) -> Result<u64, LogError> {
        let pool = self.ready().await?;
        let mut tx = pool.begin().await.map_err(fail)?;
        let ended = "SELECT id FROM bulk_jobs WHERE state <> 'running' AND ended_ms < $1";
        sqlx::query(&format!("DELETE FROM bulk_job_results WHERE job_id IN ({ended})"))
            .bind(cutoff_ms)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        let gone = sqlx::query("DELETE FROM bulk_jobs WHERE state <> 'running' AND ended_ms < $1")
            .bind(cutoff_ms)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        tx.commit().await.map_err(fail)?;
        Ok(gone.rows_affected())
    }

    pub(super) async fn stale_jobs(&self, now: i64) -> Result<Vec<String>, LogError> {
        let pool = self.ready().await?;
        let rows = sqlx::query("SELECT id FROM bulk_jobs WHERE state = 'running' AND lease_until_ms < $1")
            .bind(now)
            .fetch_all(pool)
            .await
            .map_err(fail)?;
        rows.iter().map(|r| r.try_get::<String, _>("id").map_err(fail)).collect()
    }

    /// The job and the session it acts with. What a sealed job sends is read from its seal (the
    /// plain columns are for people reading the database); a job without a seal that opens — one
    /// stored before jobs were sealed, inserted by hand or edited — is shown, never run.
    pub(super) async fn job(&self, id: &str, secrets: &Secrets) -> Result<Option<StoredJob>, LogError> {
        let pool = self.ready().await?;
        let Some(row) = sqlx::query(
            "SELECT id, owner, created_ms, state, message, stop_json, rows_json, reviewed_json, seal, \
             session_seal, failed_runs FROM bulk_jobs WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(fail)?
        else {
            return Ok(None);
        };
        let get = |column: &str| row.try_get::<Option<String>, _>(column).map_err(fail);
        let open = |column: &str, context: String| -> Result<Option<Vec<u8>>, LogError> {
            Ok(get(column)?.and_then(|text| STANDARD.decode(text).ok()).and_then(|b| secrets.open(&context, &b)))
        };
        let opened: Option<SealedJob> =
            open("seal", job_context(id))?.and_then(|plain| serde_json::from_slice(&plain).ok());
        let acts_with: Option<SealedSession> =
            open("session_seal", session_context(id))?.and_then(|plain| serde_json::from_slice(&plain).ok());
        let sealed = opened.is_some();
        let (owner, created_ms, rows_json, reviewed_json) = match opened {
            Some(s) => (s.owner, s.created_ms, s.rows_json, s.reviewed_json),
            None => (
                row.try_get("owner").map_err(fail)?,
                row.try_get("created_ms").map_err(fail)?,
                row.try_get("rows_json").map_err(fail)?,
                get("reviewed_json")?,
            ),
        };
        let state: String = row.try_get("state").map_err(fail)?;
        let (message, stop_json) = (get("message")?, get("stop_json")?);
        let record = JobRecord {
            id: row.try_get("id").map_err(fail)?,
            owner,
            created_ms,
            state: match state.as_str() {
                "running" => JobState::Running,
                "done" => JobState::Done,
                "held" => JobState::Stopped(StopReason::NotStarted),
                _ => JobState::Stopped(
                    stop_json
                        .and_then(|j| serde_json::from_str(&j).ok())
                        .unwrap_or_else(|| StopReason::Stored(message.unwrap_or_default())),
                ),
            },
            rows: serde_json::from_str(&rows_json).map_err(fail)?,
            reviewed: reviewed_json.map(|j| serde_json::from_str(&j)).transpose().map_err(fail)?,
            results: self.results(id).await?,
        };
        let failed_runs: i64 = row.try_get("failed_runs").map_err(fail)?;
        Ok(Some(StoredJob { record, acts_with, sealed, failed_runs: u32::try_from(failed_runs).unwrap_or(u32::MAX) }))
    }

    pub(super) async fn results(&self, id: &str) -> Result<Vec<RowResult>, LogError> {
        let pool = self.ready().await?;
        let results = sqlx::query(
            "SELECT line, outcome, message, outcome_json FROM bulk_job_results WHERE job_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(pool)
        .await
        .map_err(fail)?;
        results
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
            .collect()
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
