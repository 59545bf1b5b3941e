//! `/onboard/bulk`: onboarding from a CSV file. A dry run first, always: one line per row saying
//! what will happen or why it cannot, from batched reads (never one request per row); nothing
//! but reads is sent. Each row is one person and at most one membership.

#[cfg(feature = "ssr")]
pub mod file;
mod page;
#[cfg(feature = "ssr")]
pub mod plan;

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

/// What the dry run says about one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// These calls will be made, in this order.
    Send(Vec<String>),
    /// Everything the row asks for is in place already.
    InPlace(String),
    /// It cannot be done, and why.
    Refused(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowReport {
    pub row: FileRow,
    pub verdict: Verdict,
}

/// The dry run of a whole file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DryRun {
    pub rows: Vec<RowReport>,
    /// Admin roles the file grants: "admin of workspace demo to zoe (line 4)".
    pub admin_grants: Vec<String>,
    /// New accounts the file creates.
    pub new_accounts: usize,
    /// The upstream reads the dry run took (they do not grow with the rows).
    pub reads: usize,
    /// What apply must still find to send it: the rows that will send, with their calls.
    pub plan: String,
}

impl DryRun {
    pub fn count(&self, pick: fn(&Verdict) -> bool) -> usize {
        self.rows.iter().filter(|r| pick(&r.verdict)).count()
    }
}

/// The dry run of a file's text (reads only).
#[server(prefix = "/api", endpoint = "bulk_dry_run")]
pub async fn bulk_dry_run(csv: String) -> Result<DryRun, AppError> {
    let rows =
        file::read(csv.as_bytes()).map_err(|e| crate::upstream::fail_with(AppError::field("csv", e.to_string())))?;
    let upstream = crate::upstream::Upstream::from_context()?;
    Ok(plan::dry_run(&upstream, &rows).await?.report())
}
