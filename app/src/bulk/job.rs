//! A bulk apply as a job: the accepted rows and the calls reviewed for them, recorded in the
//! database with each row's result as it comes, so that any replica can show its progress and
//! resume it where it stopped. A job never holds a password. Results are typed and put into
//! words when a page (or the result file) shows them, in the reader's language.

use serde::{Deserialize, Serialize};

use super::FileRow;
use crate::activity_log::Failure;
use crate::i18n::td_string;
use crate::language::Locale;
use crate::planner::{Note, Refusal, Step, Verdict};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobState {
    Running,
    Done,
    /// Could not go on; why.
    Stopped(StopReason),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StopReason {
    /// The owner signed out or their session expired: their token is gone.
    SessionEnded { owner: String },
    /// Its record does not open with this console's key (hand-inserted, edited, or stored before
    /// jobs were sealed): never run.
    NotSealed,
    /// Runs failed this many times in a row (KubeSphere unreachable is not counted: it pauses).
    KeptFailing { runs: u32 },
    /// KubeSphere refused the owner the reads the job needs (403).
    Refused { owner: String },
    /// Stored, its accounts made, but never released to run (the database went away between).
    NotStarted,
    /// Stored before reasons were typed: the words as they were written then.
    Stored(String),
}

impl StopReason {
    pub fn text_in(&self, locale: Locale) -> String {
        match self {
            StopReason::SessionEnded { owner } => td_string!(locale, bulk.session_ended, owner).to_string(),
            StopReason::NotSealed => td_string!(locale, bulk.job_not_sealed).to_owned(),
            StopReason::KeptFailing { runs } => td_string!(locale, bulk.job_kept_failing, runs).to_string(),
            StopReason::Refused { owner } => td_string!(locale, bulk.job_refused, owner).to_string(),
            StopReason::NotStarted => td_string!(locale, bulk.job_not_started).to_owned(),
            StopReason::Stored(words) => words.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RowOutcome {
    /// Sent and accepted: these calls.
    Done(Vec<Step>),
    /// Nothing needed sending.
    InPlace(Vec<Note>),
    Failed(RowFailure),
    /// A result stored before outcomes were typed: its kind and the words written then.
    Stored {
        kind: StoredKind,
        message: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StoredKind {
    Done,
    InPlace,
    Failed,
}

/// Why a row of a job was not applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RowFailure {
    Refused(Refusal),
    /// The person's account was not made — `why`, on the row that tried; `None` on their other
    /// rows — so nothing else of theirs is sent.
    NoAccount {
        user: String,
        why: Option<Failure>,
    },
    /// The row now plans an account the apply did not make: only the page that applies shows
    /// a new account's password.
    ApplyAgainToCreate {
        user: String,
    },
    /// What KubeSphere holds changed since the review: the row's calls are not the reviewed ones
    /// any more (e.g. the person's role changed meanwhile), so none is sent.
    ChangedSinceReview,
    /// A call failed, after those listed went through.
    Call {
        failure: Failure,
        done: Vec<Step>,
    },
}

impl RowOutcome {
    pub fn is_failed(&self) -> bool {
        matches!(self, RowOutcome::Failed(_) | RowOutcome::Stored { kind: StoredKind::Failed, .. })
    }

    /// The kind, as a word of the result file and a CSS class: done, in place or failed.
    pub fn kind(&self) -> StoredKind {
        match self {
            RowOutcome::Done(_) => StoredKind::Done,
            RowOutcome::InPlace(_) => StoredKind::InPlace,
            RowOutcome::Failed(_) => StoredKind::Failed,
            RowOutcome::Stored { kind, .. } => *kind,
        }
    }

    /// What happened, in words.
    pub fn text_in(&self, locale: Locale) -> String {
        let separator = td_string!(locale, planner.list_separator);
        let steps = |steps: &[Step]| steps.iter().map(|s| s.text_in(locale)).collect::<Vec<_>>().join(separator);
        match self {
            RowOutcome::Done(done) => steps(done),
            RowOutcome::InPlace(notes) => Verdict::InPlace(notes.clone()).text_in(locale),
            RowOutcome::Failed(RowFailure::Refused(why)) => why.text_in(locale),
            RowOutcome::Failed(RowFailure::NoAccount { user, why }) => {
                let why = match why {
                    Some(why) => why.text_in(locale),
                    None => td_string!(locale, bulk.has_no_account, user).to_string(),
                };
                td_string!(locale, bulk.no_account_why, no_account = td_string!(locale, bulk.no_account), why)
                    .to_string()
            }
            RowOutcome::Failed(RowFailure::ApplyAgainToCreate { user }) => {
                let why = td_string!(locale, bulk.apply_again_to_create, user).to_string();
                td_string!(locale, bulk.no_account_why, no_account = td_string!(locale, bulk.no_account), why)
                    .to_string()
            }
            RowOutcome::Failed(RowFailure::ChangedSinceReview) => {
                td_string!(locale, bulk.row_changed_since_review).to_owned()
            }
            RowOutcome::Failed(RowFailure::Call { failure, done }) if done.is_empty() => failure.text_in(locale),
            RowOutcome::Failed(RowFailure::Call { failure, done }) => {
                td_string!(locale, bulk.failed_after, error = failure.text_in(locale), done = steps(done)).to_string()
            }
            RowOutcome::Stored { message, .. } => message.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowResult {
    pub line: usize,
    pub outcome: RowOutcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRecord {
    pub id: String,
    pub owner: String,
    pub created_ms: i64,
    pub state: JobState,
    /// The rows the dry run accepted, as written in the file.
    pub rows: Vec<FileRow>,
    /// The calls reviewed for each row (by line); `None` for a job stored before they were kept.
    pub reviewed: Option<Vec<(usize, Vec<Step>)>>,
    /// One per finished row, in the order they finished.
    pub results: Vec<RowResult>,
}

/// How far a job has got: the few numbers the job page's live bar asks for, not every row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobProgress {
    pub finished: usize,
    pub total: usize,
    pub running: bool,
}

impl JobRecord {
    pub fn progress(&self) -> JobProgress {
        JobProgress {
            finished: self.results.len().min(self.rows.len()),
            total: self.rows.len(),
            running: matches!(self.state, JobState::Running),
        }
    }

    pub fn result_of(&self, line: usize) -> Option<&RowOutcome> {
        self.results.iter().find(|r| r.line == line).map(|r| &r.outcome)
    }

    /// The file's columns, each row's outcome and message: the result to download (the header
    /// stays as the file format has it; the outcomes are in `locale`, the page's language).
    pub fn result_csv(&self, locale: Locale) -> String {
        let mut out = format!("{},outcome,message\n", super::COLUMNS.join(","));
        for row in &self.rows {
            let (outcome, message) = match self.result_of(row.line) {
                Some(o) => {
                    let word = match o.kind() {
                        StoredKind::Done => td_string!(locale, bulk.outcome_done),
                        StoredKind::InPlace => td_string!(locale, bulk.outcome_in_place),
                        StoredKind::Failed => td_string!(locale, bulk.outcome_failed),
                    };
                    (word, o.text_in(locale))
                }
                None => (td_string!(locale, bulk.outcome_waiting), String::new()),
            };
            out.push_str(&crate::csv::line(row.cells().iter().copied().chain([outcome, message.as_str()])));
        }
        out
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::sync::Arc;

    use super::{JobRecord, RowResult};
    use crate::activity_log::ssr::{BoxFuture, LogError};
    use crate::planner::Step;

    /// A new job: who asked, the accepted rows, the calls reviewed for them, and the results
    /// known already (accounts created, or not, before the job starts).
    #[derive(Debug, Clone)]
    pub struct NewJob {
        pub owner: String,
        pub rows: Vec<super::FileRow>,
        pub reviewed: Vec<(usize, Vec<Step>)>,
    }

    /// The server's jobs: stored in the database, run in the background on behalf of their owner.
    pub trait Jobs: Send + Sync + 'static {
        /// Stores the job, held: it acts with the session of the request in `parts` once
        /// [`Jobs::release`]d. Stored before any account is made, so that a database that is down
        /// refuses the apply before anything is sent (and no new password can be lost).
        fn submit<'a>(
            &'a self,
            parts: &'a http::request::Parts,
            job: NewJob,
        ) -> BoxFuture<'a, Result<String, LogError>>;
        /// Records what was done before the job (accounts that could not be made) and starts it.
        fn release<'a>(&'a self, id: &'a str, results: Vec<RowResult>) -> BoxFuture<'a, Result<(), LogError>>;
        fn get<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<JobRecord>, LogError>>;
    }

    #[derive(Clone)]
    pub struct JobsHandle(pub Arc<dyn Jobs>);

    impl std::fmt::Debug for JobsHandle {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("JobsHandle")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_result_file_keeps_the_columns_and_quotes_what_needs_it() {
        let row = FileRow { line: 2, username: "mei".into(), display_name: "Chen, Mei".into(), ..FileRow::default() };
        let job = JobRecord {
            id: "j".into(),
            owner: "admin".into(),
            created_ms: 0,
            state: JobState::Done,
            rows: vec![row],
            reviewed: None,
            results: vec![RowResult {
                line: 2,
                outcome: RowOutcome::Stored { kind: StoredKind::Failed, message: "said \"no\"".into() },
            }],
        };
        let csv = job.result_csv(Locale::en);
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some("username,email,display_name,platform_role,workspace,workspace_role,cluster,project,project_role,outcome,message"));
        assert_eq!(lines.next(), Some("mei,,\"Chen, Mei\",,,,,,,failed,\"said \"\"no\"\"\""));
    }

    #[test]
    fn a_typed_result_reads_in_either_language() {
        let failed = RowOutcome::Failed(RowFailure::Call {
            failure: Failure::Error { code: "forbidden".into() },
            done: vec![Step::InviteToWorkspace {
                user: "mei".into(),
                workspace: "demo".into(),
                role: "demo-regular".into(),
            }],
        });
        let en = failed.text_in(Locale::en);
        let zh = failed.text_in(Locale::zh);
        assert!(en.contains("invite mei to workspace demo as demo-regular"), "{en}");
        assert!(zh.contains("邀请 mei 加入企业空间 demo"), "{zh}");
        assert_ne!(en, zh);
    }
}

/// Running a job's rows: the file planned again from what KubeSphere holds now (so a resumed job
/// sends nothing twice), and each row left sent only if its calls are the reviewed ones.
#[cfg(feature = "ssr")]
pub mod run {
    use std::collections::BTreeSet;
    use std::future::Future;

    use super::{JobRecord, RowFailure, RowOutcome, RowResult};
    use crate::activity_log::Via;
    use crate::error::AppError;
    use crate::planner::calls::Call;
    use crate::planner::verdicts::RowPlan;
    use crate::planner::{Step, Verdict};
    use crate::upstream::Upstream;

    /// Runs the rows of `job` that have no result yet, in the file's order. `record` keeps each
    /// result and says whether to go on (false: another replica has taken the job over).
    pub async fn rows<F, Fut>(upstream: &Upstream, job: &JobRecord, mut record: F) -> Result<(), AppError>
    where
        F: FnMut(RowResult) -> Fut,
        Fut: Future<Output = bool>,
    {
        let pending: BTreeSet<usize> =
            job.rows.iter().filter(|r| job.result_of(r.line).is_none()).map(|r| r.line).collect();
        if pending.is_empty() {
            return Ok(());
        }
        let without_account: BTreeSet<&str> = job
            .results
            .iter()
            .filter_map(|r| match &r.outcome {
                RowOutcome::Failed(RowFailure::NoAccount { user, .. }) => Some(user.as_str()),
                _ => None,
            })
            .collect();
        // Every account of the job was made (or refused) before it started: those made exist,
        // whatever KubeSphere's cached lists say yet.
        let known: BTreeSet<String> =
            job.rows.iter().map(|r| r.username.clone()).filter(|u| !without_account.contains(u.as_str())).collect();
        // The whole file is planned, as it was reviewed (a row's plan can depend on the rows
        // before it: a person joins a workspace on one line, its project on the next); only
        // the rows left are sent.
        let planned = super::super::plan::dry_run(upstream, &job.rows, &known).await?;
        for (row, plan) in planned.rows.into_iter().filter(|(row, _)| pending.contains(&row.line)) {
            let reviewed = job.reviewed.as_ref().map(|all| {
                all.iter().filter(|(line, _)| *line == row.line).flat_map(|(_, steps)| steps.clone()).collect()
            });
            let user = row.username.as_str();
            let outcome = if without_account.contains(user) {
                RowOutcome::Failed(RowFailure::NoAccount { user: user.to_owned(), why: None })
            } else {
                outcome(upstream, user, plan, reviewed).await
            };
            if unreachable(&outcome) {
                // Not the row's fault: the job pauses (KubeSphere away, or the breaker open) and
                // the row is tried again when a replica resumes it.
                return Err(AppError::UpstreamUnavailable);
            }
            if !record(RowResult { line: row.line, outcome }).await {
                break;
            }
        }
        Ok(())
    }

    /// One row: what its plan says now, sent only if every call is one that was reviewed.
    async fn outcome(upstream: &Upstream, user: &str, plan: RowPlan, reviewed: Option<Vec<Step>>) -> RowOutcome {
        match plan.verdict {
            Verdict::Refused(why) => return RowOutcome::Failed(RowFailure::Refused(why)),
            Verdict::InPlace(notes) => return RowOutcome::InPlace(notes),
            Verdict::Send { .. } => {}
        }
        if plan.calls.iter().any(Call::creates_account) {
            // Only the page that applied can show a new account's password.
            return RowOutcome::Failed(RowFailure::ApplyAgainToCreate { user: user.to_owned() });
        }
        let unreviewed = |c: &Call| reviewed.as_ref().is_some_and(|steps| !steps.contains(&c.step()));
        if plan.calls.iter().any(unreviewed) {
            return RowOutcome::Failed(RowFailure::ChangedSinceReview);
        }
        send_all(upstream, plan.calls).await
    }

    /// Nothing of the row was sent because KubeSphere could not be reached.
    fn unreachable(outcome: &RowOutcome) -> bool {
        let away = [AppError::UpstreamUnavailable.code(), AppError::UpstreamTimeout.code()];
        matches!(outcome, RowOutcome::Failed(RowFailure::Call { failure: crate::activity_log::Failure::Error { code }, done })
            if done.is_empty() && away.contains(&code.as_str()))
    }

    async fn send_all(upstream: &Upstream, calls: Vec<Call>) -> RowOutcome {
        let mut done = Vec::new();
        for call in calls {
            let step = call.step();
            if let Err(failure) = call.send(upstream, Via::Bulk, None).await {
                return RowOutcome::Failed(RowFailure::Call { failure, done });
            }
            done.push(step);
        }
        RowOutcome::Done(done)
    }
}
