//! The dry run of a file: each row read into a wish (or refused with why), then planned by the
//! one planner (`crate::planner`) from batched reads of what KubeSphere holds.

use std::collections::BTreeSet;

use ks_types::{
    ClusterName, DisplayName, Email, IdentityLink, LinkPart, PlatformRole, ProjectName, ProjectRole, UserName,
    WorkspaceName, WorkspaceRoleKind,
};

use super::{DryRun, FileRow, RowReport};
use crate::error::AppError;
pub use crate::planner::calls::Call;
use crate::planner::verdicts::{Plan, RowPlan};
use crate::planner::wishes::{Intent, Membership, Wish};
use crate::planner::{Column, Refusal};
use crate::upstream::Upstream;

/// A planned file: each row with its plan.
#[derive(Debug, Clone)]
pub struct PlannedFile {
    pub rows: Vec<(FileRow, RowPlan)>,
    pub plan: Plan,
}

impl PlannedFile {
    pub fn report(&self) -> DryRun {
        let rows: Vec<RowReport> =
            self.rows.iter().map(|(row, p)| RowReport { row: row.clone(), verdict: p.verdict.clone() }).collect();
        let admin_grants = self.plan.admin_calls().map(|(line, c)| (line, c.step())).collect();
        let new_accounts = self.rows.iter().flat_map(|(_, p)| &p.calls).filter(|c| c.creates_account()).count();
        DryRun {
            rows,
            admin_grants,
            new_accounts,
            reads: self.plan.reads,
            rounds: self.plan.rounds,
            plan: self.plan.key(),
        }
    }
}

fn bad(column: Column, value: &str) -> Refusal {
    Refusal::BadName { column, value: value.to_owned(), new: false }
}

fn not_built_in(column: Column, value: &str) -> Refusal {
    Refusal::NotBuiltIn { column, value: value.to_owned() }
}

/// A new account's identity, from the two optional last cells (both or neither).
fn link(row: &FileRow) -> Result<Option<IdentityLink>, Refusal> {
    match (row.identity_provider.as_str(), row.identity.as_str()) {
        ("", "") => Ok(None),
        (provider, identity) => {
            IdentityLink::parse_parts(provider, identity).map(Some).map_err(|(part, _)| match part {
                LinkPart::Provider => bad(Column::IdentityProvider, provider),
                LinkPart::Identity => bad(Column::Identity, identity),
            })
        }
    }
}

/// One row's membership, from its workspace, cluster and project cells.
fn membership(row: &FileRow) -> Result<Option<Membership>, Refusal> {
    match (row.workspace.as_str(), row.cluster.as_str(), row.project.as_str()) {
        ("", "", "") if !row.workspace_role.is_empty() || !row.project_role.is_empty() => {
            Err(Refusal::RoleWithoutPlace)
        }
        ("", "", "") => Ok(None),
        (_, "", "") if !row.project_role.is_empty() => Err(Refusal::ProjectRoleWithoutProject),
        (ws, "", "") => {
            let workspace = WorkspaceName::parse(ws).map_err(|_| bad(Column::Workspace, ws))?;
            let kind = match row.workspace_role.as_str() {
                "" => WorkspaceRoleKind::Regular,
                raw => WorkspaceRoleKind::parse(raw).map_err(|_| not_built_in(Column::WorkspaceRole, raw))?,
            };
            Ok(Some(Membership::Workspace { workspace, kind }))
        }
        ("", _, _) => Err(Refusal::ProjectWithoutWorkspace),
        (_, _, "") => Err(Refusal::ClusterWithoutProject),
        _ if !row.workspace_role.is_empty() => Err(Refusal::OneMembershipPerRow),
        (ws, cluster, project) => {
            let workspace = WorkspaceName::parse(ws).map_err(|_| bad(Column::Workspace, ws))?;
            let cluster = ClusterName::parse(cluster).map_err(|_| bad(Column::Cluster, cluster))?;
            let project = ProjectName::parse(project).map_err(|_| bad(Column::Project, project))?;
            let role = match row.project_role.as_str() {
                "" => ProjectRole::Viewer,
                raw => ProjectRole::parse(raw).map_err(|_| not_built_in(Column::ProjectRole, raw))?,
            };
            Ok(Some(Membership::Project { workspace, cluster: Some(cluster), project, role }))
        }
    }
}

/// One row read into a wish, or why it cannot be.
pub fn wish(row: &FileRow) -> Result<Wish, Refusal> {
    let user = UserName::parse(&row.username).map_err(|_| bad(Column::Username, &row.username))?;
    let platform_role = match row.platform_role.as_str() {
        "" => None,
        raw => Some(PlatformRole::parse(raw).map_err(|_| not_built_in(Column::PlatformRole, raw))?),
    };
    let some = |s: &str| Some(s.to_owned()).filter(|s| !s.trim().is_empty());
    let email = some(&row.email)
        .map(|raw| Email::parse(&raw).map(String::from).map_err(|_| bad(Column::Email, &raw)))
        .transpose()?;
    let display_name = some(&row.display_name)
        .map(|raw| DisplayName::parse(&raw).map(String::from).map_err(|_| bad(Column::DisplayName, &raw)))
        .transpose()?;
    Ok(Wish {
        line: row.line,
        user,
        email,
        display_name,
        platform_role,
        link: link(row)?,
        membership: membership(row)?,
        intent: Intent::Onboard,
    })
}

/// The dry run: reads only. `known_accounts` exist whatever KubeSphere's lists say yet.
pub async fn dry_run(
    upstream: &Upstream,
    rows: &[FileRow],
    known_accounts: &BTreeSet<String>,
) -> Result<PlannedFile, AppError> {
    let wishes = rows.iter().map(|row| (row.line, wish(row))).collect();
    let known = crate::planner::facts::Known { accounts: known_accounts.clone(), ..Default::default() };
    let plan = crate::planner::verdicts::plan(upstream, wishes, &known).await?;
    let rows = rows.iter().cloned().zip(plan.rows.iter().cloned()).collect();
    Ok(PlannedFile { rows, plan })
}
