//! `/onboard/bulk`: onboarding from a CSV file. A dry run first, always: one line per row saying
//! what will happen or why it cannot, from batched reads (never one request per row); nothing
//! but reads is sent. Each row is one person and at most one membership.

#[cfg(feature = "ssr")]
pub mod file;
pub mod job;
mod job_page;
mod page;
#[cfg(feature = "ssr")]
pub mod plan;

pub use job_page::BulkJobPage;
pub use page::BulkPage;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The file's columns, in order.
pub const COLUMNS: [&str; 9] = [
    "username",
    "email",
    "display_name",
    "platform_role",
    "workspace",
    "workspace_role",
    "cluster",
    "project",
    "project_role",
];
/// Two optional columns after those: a new account's directory or SSO identity instead of a
/// password (the template keeps the nine).
pub const LINK_COLUMNS: [&str; 2] = ["identity_provider", "identity"];
/// Rows in one file.
pub const MAX_ROWS: usize = 1000;
/// The largest file accepted (1,000 rows of long names fit with room to spare).
pub const MAX_FILE_BYTES: usize = 256 * 1024;

/// A downloadable example, also the template's second line.
pub const EXAMPLE: &str =
    "username,email,display_name,platform_role,workspace,workspace_role,cluster,project,project_role\n\
mei,mei@example.com,Mei Chen,,demo,regular,,,\n\
mei,,,,demo,,host,demo-web,viewer\n\
omar,omar@example.com,Omar Haddad,platform-regular,demo,viewer,,,\n";

/// One row of the file, as written (cells trimmed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRow {
    pub line: usize,
    pub username: String,
    pub email: String,
    pub display_name: String,
    pub platform_role: String,
    pub workspace: String,
    pub workspace_role: String,
    pub cluster: String,
    pub project: String,
    pub project_role: String,
    #[serde(default)]
    pub identity_provider: String,
    #[serde(default)]
    pub identity: String,
}

impl FileRow {
    pub fn cells(&self) -> [&str; 9] {
        [
            &self.username,
            &self.email,
            &self.display_name,
            &self.platform_role,
            &self.workspace,
            &self.workspace_role,
            &self.cluster,
            &self.project,
            &self.project_role,
        ]
    }
}

pub use crate::planner::Verdict;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowReport {
    pub row: FileRow,
    pub verdict: Verdict,
}

/// The dry run of a whole file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DryRun {
    pub rows: Vec<RowReport>,
    /// Admin roles the file grants, with their lines.
    pub admin_grants: Vec<(usize, crate::planner::Step)>,
    /// New accounts the file creates.
    pub new_accounts: usize,
    /// The upstream reads the dry run took (they do not grow with the rows), in how many rounds.
    pub reads: usize,
    pub rounds: usize,
    /// What apply must still find to send it: the rows that will send, with their calls.
    pub plan: String,
}

impl DryRun {
    pub fn count(&self, pick: fn(&Verdict) -> bool) -> usize {
        self.rows.iter().filter(|r| pick(&r.verdict)).count()
    }
}

/// The file's rows, or what is wrong with the file as the `csv` field's error.
#[cfg(feature = "ssr")]
fn read_rows(csv: &str) -> Result<Vec<FileRow>, AppError> {
    file::read(csv.as_bytes())
        .map_err(|e| crate::upstream::fail_with(AppError::field("csv", e.message_in(crate::language::locale()))))
}

/// The dry run of a file's text (reads only).
#[server(prefix = "/api", endpoint = "bulk_dry_run")]
pub async fn bulk_dry_run(csv: String) -> Result<DryRun, AppError> {
    let rows = read_rows(&csv)?;
    let upstream = crate::upstream::Upstream::from_context()?;
    Ok(plan::dry_run(&upstream, &rows, &Default::default()).await?.report())
}

/// A new account made by apply: its password is shown once, on the page that applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAccount {
    pub line: usize,
    pub username: String,
    /// Its password (`None`: it signs in through a directory or SSO), or why it was not created.
    pub result: Result<Option<String>, crate::activity_log::Failure>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApplyOutcome {
    /// KubeSphere (or the file) changed since the dry run: nothing was sent. The new dry run.
    Changed(DryRun),
    /// The accounts are made; the rest runs as a job.
    Started { job: String, accounts: Vec<NewAccount> },
}

/// Applies the rows a dry run accepted, if the dry run is still what the person reviewed. The
/// new accounts are made here, so that their passwords reach this answer and nothing else; the
/// memberships and role changes run as a job, which any replica can resume.
#[server(prefix = "/api", endpoint = "bulk_apply")]
pub async fn bulk_apply(
    csv: String,
    reviewed: String,
    #[server(default)] confirm_admin: bool,
) -> Result<ApplyOutcome, AppError> {
    use crate::activity_log::Via;
    use job::{RowFailure, RowOutcome, RowResult};

    let rows = read_rows(&csv)?;
    let upstream = crate::upstream::Upstream::from_context()?;
    let planned = plan::dry_run(&upstream, &rows, &Default::default()).await?;
    let report = planned.report();
    if report.plan != reviewed {
        return Ok(ApplyOutcome::Changed(report));
    }
    if !report.admin_grants.is_empty() && !confirm_admin {
        return Err(crate::upstream::fail_with(AppError::field(
            "confirm_admin",
            crate::i18n::td_string!(crate::language::locale(), bulk.confirm_admin_first),
        )));
    }
    let accepted: Vec<(FileRow, crate::planner::verdicts::RowPlan)> =
        planned.rows.into_iter().filter(|(_, p)| !p.calls.is_empty()).collect();
    let to_create: Vec<(usize, String, plan::Call)> = accepted
        .iter()
        .filter_map(|(row, p)| {
            Some((row.line, row.username.clone(), p.calls.first().filter(|c| c.creates_account())?.clone()))
        })
        .collect();
    let owner = upstream.username().to_owned();
    let reviewed = accepted.iter().map(|(row, plan)| (row.line, plan.verdict.steps().to_vec())).collect();
    let new = job::ssr::NewJob { owner, rows: accepted.into_iter().map(|(row, _)| row).collect(), reviewed };
    let parts = use_context::<http::request::Parts>().ok_or(AppError::Internal)?;
    let jobs = use_context::<job::ssr::JobsHandle>().ok_or(AppError::Internal)?;
    let id = jobs.0.submit(&parts, new).await.map_err(|e| {
        tracing::error!(error = %e, "bulk onboarding: the job could not be stored; nothing was sent");
        crate::upstream::fail_with(AppError::TemporarilyUnavailable)
    })?;
    let upstream_ref = &upstream;
    let creations = to_create.into_iter().map(|(line, username, call)| async move {
        let result = call.send(upstream_ref, Via::Bulk, None).await;
        NewAccount { line, username, result }
    });
    let accounts = crate::directory::ssr::bounded_join(creations).await;
    let results = accounts
        .iter()
        .filter_map(|a| {
            let why = a.result.as_ref().err()?.clone();
            let failure = RowFailure::NoAccount { user: a.username.clone(), why: Some(why) };
            Some(RowResult { line: a.line, outcome: RowOutcome::Failed(failure) })
        })
        .collect();
    // The new passwords are shown whatever happens now: they exist nowhere else.
    if let Err(e) = jobs.0.release(&id, results).await {
        tracing::error!(error = %e, job = id, "bulk onboarding: the job could not be started after its accounts were made");
    }
    Ok(ApplyOutcome::Started { job: id, accounts })
}

/// A job of the signed-in person (no one else's: another person's job is "not found").
#[server(prefix = "/api", endpoint = "bulk_job")]
pub async fn bulk_job(id: String) -> Result<job::JobRecord, AppError> {
    let upstream = crate::upstream::Upstream::from_context()?;
    let jobs = use_context::<job::ssr::JobsHandle>().ok_or(AppError::Internal)?;
    let found = jobs.0.get(&id).await.map_err(|e| {
        tracing::error!(error = %e, "bulk onboarding: the job could not be read");
        crate::upstream::fail_with(AppError::TemporarilyUnavailable)
    })?;
    found.filter(|j| j.owner == upstream.username()).ok_or_else(|| crate::upstream::fail_with(AppError::NotFound))
}

/// How far one of the signed-in person's jobs has got (the live bar of its page asks every second).
#[server(prefix = "/api", endpoint = "bulk_job_progress")]
pub async fn bulk_job_progress(id: String) -> Result<job::JobProgress, AppError> {
    Ok(bulk_job(id).await?.progress())
}
