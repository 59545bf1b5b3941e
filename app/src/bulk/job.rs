//! A bulk apply as a job: the accepted rows, recorded in the database with each row's result as
//! it comes, so that any replica can show its progress and resume it where it stopped. A job
//! never holds a password.

use serde::{Deserialize, Serialize};

use super::FileRow;
use crate::i18n::td_string;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobState {
    Running,
    Done,
    /// Could not go on (e.g. the owner signed out, so their token is gone); why.
    Stopped(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RowOutcome {
    /// Sent and accepted, with what was done.
    Done(String),
    /// Nothing needed sending.
    InPlace(String),
    Failed(String),
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
    /// stays as the file format has it; the outcomes are in the page's language).
    pub fn result_csv(&self) -> String {
        let locale = crate::language::locale();
        let mut out = format!("{},outcome,message\n", super::COLUMNS.join(","));
        for row in &self.rows {
            let (outcome, message) = match self.result_of(row.line) {
                Some(RowOutcome::Done(m)) => (td_string!(locale, bulk.outcome_done), m.as_str()),
                Some(RowOutcome::InPlace(m)) => (td_string!(locale, bulk.outcome_in_place), m.as_str()),
                Some(RowOutcome::Failed(m)) => (td_string!(locale, bulk.outcome_failed), m.as_str()),
                None => (td_string!(locale, bulk.outcome_waiting), ""),
            };
            let cells: Vec<String> = row.cells().iter().copied().chain([outcome, message]).map(csv_cell).collect();
            out.push_str(&cells.join(","));
            out.push('\n');
        }
        out
    }
}

/// A CSV cell, quoted when it needs to be.
fn csv_cell(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::sync::Arc;

    use super::{JobRecord, RowResult};
    use crate::audit::ssr::{BoxFuture, LogError};

    /// A new job: who asked, the accepted rows and the results known already (accounts created,
    /// or not, before the job starts).
    #[derive(Debug, Clone)]
    pub struct NewJob {
        pub owner: String,
        pub rows: Vec<super::FileRow>,
        pub results: Vec<RowResult>,
    }

    /// The server's jobs: stored in the database, run in the background on behalf of their owner.
    pub trait Jobs: Send + Sync + 'static {
        /// Stores the job and starts it, acting with the session of the request in `parts`.
        fn submit<'a>(
            &'a self,
            parts: &'a http::request::Parts,
            job: NewJob,
        ) -> BoxFuture<'a, Result<String, LogError>>;
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
            results: vec![RowResult { line: 2, outcome: RowOutcome::Failed("said \"no\"".into()) }],
        };
        let csv = job.result_csv();
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some("username,email,display_name,platform_role,workspace,workspace_role,cluster,project,project_role,outcome,message"));
        assert_eq!(lines.next(), Some("mei,,\"Chen, Mei\",,,,,,,failed,\"said \"\"no\"\"\""));
    }
}

/// Running a job's rows: planned again from what KubeSphere holds now (so a resumed job sends
/// nothing twice), then sent row by row.
#[cfg(feature = "ssr")]
pub mod run {
    use std::collections::BTreeSet;
    use std::future::Future;

    use leptos_i18n::Locale as _;

    use super::{JobRecord, RowOutcome, RowResult};
    use crate::audit::Via;
    use crate::error::AppError;
    use crate::i18n::td_string;
    use crate::language::Locale;
    use crate::upstream::Upstream;

    /// The message for a row whose account was not made, and why.
    pub fn no_account(why: impl std::fmt::Display) -> String {
        no_account_in(crate::language::locale(), why)
    }

    fn no_account_in(locale: Locale, why: impl std::fmt::Display) -> String {
        td_string!(locale, bulk.no_account_why, no_account = td_string!(locale, bulk.no_account), why).to_string()
    }

    /// Whether a stored message says the row's account was not made (in any language: the
    /// message was written in the language of whoever applied).
    fn is_no_account(message: &str) -> bool {
        Locale::get_all().iter().any(|l| message.starts_with(td_string!(*l, bulk.no_account)))
    }

    /// Why a job stopped when its owner's session ended (stored with the job).
    pub fn session_ended(owner: &str) -> String {
        td_string!(crate::language::locale(), bulk.session_ended, owner).to_string()
    }

    /// Runs the rows of `job` that have no result yet, in the file's order. `record` keeps each
    /// result and says whether to go on (false: another replica has taken the job over).
    pub async fn rows<F, Fut>(job: &JobRecord, mut record: F) -> Result<(), AppError>
    where
        F: FnMut(RowResult) -> Fut,
        Fut: Future<Output = bool>,
    {
        let upstream = Upstream::from_context()?;
        let locale = crate::language::locale();
        let pending: Vec<super::FileRow> =
            job.rows.iter().filter(|r| job.result_of(r.line).is_none()).cloned().collect();
        if pending.is_empty() {
            return Ok(());
        }
        let without_account: BTreeSet<&str> = job
            .results
            .iter()
            .filter(|r| matches!(&r.outcome, RowOutcome::Failed(m) if is_no_account(m)))
            .filter_map(|r| job.rows.iter().find(|row| row.line == r.line).map(|row| row.username.as_str()))
            .collect();
        // Every account of the job was made (or refused) before it started: those made exist,
        // whatever KubeSphere's cached lists say yet.
        let known: BTreeSet<String> =
            job.rows.iter().map(|r| r.username.clone()).filter(|u| !without_account.contains(u.as_str())).collect();
        // The whole file is planned, as it was reviewed (a row's plan can depend on the rows
        // before it: a person joins a workspace on one line, its project on the next); only
        // the rows left are sent.
        let planned = super::super::plan::dry_run(&upstream, &job.rows, &known).await?;
        let left = planned.rows.into_iter().filter(|(row, _)| pending.iter().any(|p| p.line == row.line));
        for (row, plan) in left {
            let user = row.username.as_str();
            let outcome = if without_account.contains(user) {
                RowOutcome::Failed(no_account_in(locale, td_string!(locale, bulk.has_no_account, user)))
            } else if plan.calls.iter().any(|c| c.creates_account()) {
                // Only the page that applied can show a new account's password.
                RowOutcome::Failed(no_account_in(locale, td_string!(locale, bulk.apply_again_to_create, user)))
            } else if plan.calls.is_empty() {
                match &plan.verdict {
                    crate::planner::Verdict::Refused(why) => RowOutcome::Failed(why.text_in(locale)),
                    other => RowOutcome::InPlace(other.text_in(locale)),
                }
            } else {
                send_all(&upstream, locale, plan.calls).await
            };
            if !record(RowResult { line: row.line, outcome }).await {
                break;
            }
        }
        Ok(())
    }

    async fn send_all(upstream: &Upstream, locale: Locale, calls: Vec<crate::planner::calls::Call>) -> RowOutcome {
        let separator = td_string!(locale, bulk.list_separator);
        let mut done = Vec::new();
        for call in calls {
            let text = call.step().text_in(locale);
            if let Err(e) = call.send(upstream, Via::Bulk, None).await {
                let error = e.message_in(locale);
                return RowOutcome::Failed(if done.is_empty() {
                    error
                } else {
                    td_string!(locale, bulk.failed_after, error, done = done.join(separator)).to_string()
                });
            }
            done.push(text);
        }
        RowOutcome::Done(done.join(separator))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_row_without_its_account_is_recognised_in_either_language() {
            for locale in Locale::get_all() {
                assert!(is_no_account(&no_account_in(*locale, "KubeSphere said no.")), "{locale:?}");
            }
            assert!(!is_no_account("KubeSphere does not allow you to do this."));
        }
    }
}
