//! "Same access as…": give a person the memberships another person (the reference) holds,
//! where the signed-in person may grant them and the person lacks them. Planned by the one
//! planner, reviewed like any plan, then sent in order with the signed-in person's token. It only
//! adds memberships: a role the person holds somewhere is never changed, nothing is removed;
//! custom roles and places the signed-in person cannot manage are listed as skipped, with why.

mod page;

pub use page::SameAccessPage;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// One of the reference's memberships, and what the plan does with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SameRow {
    /// `ws`, or `cluster/project`.
    pub place: String,
    pub role: String,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// Added, by these calls (in words).
    Add(Vec<String>),
    /// Not added, and why.
    Skip(String),
}

/// The plan for giving `user` the access of `reference`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SameAccess {
    pub user: String,
    pub reference: String,
    pub rows: Vec<SameRow>,
    /// What the review approves; apply sends only this.
    pub key: String,
    /// An admin role is among what is added: the approval needs its confirmation.
    pub grants_admin: bool,
    /// The reader could not see all of the reference's memberships.
    pub partial: Option<String>,
}

/// What applying sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applied {
    pub user: String,
    pub added: usize,
}

/// The plan, for review.
#[server(prefix = "/api", endpoint = "same_access_plan")]
pub async fn same_access_plan(user: String, reference: String) -> Result<SameAccess, AppError> {
    let upstream = crate::upstream::Upstream::from_context()?;
    Ok(ssr::plan(&upstream, &user, &reference).await?.0)
}

/// Sends the reviewed plan, if it is still what was reviewed (`key`).
#[server(prefix = "/api", endpoint = "apply_same_access")]
pub async fn apply_same_access(
    user: String,
    reference: String,
    key: String,
    #[server(default)] confirm_admin: Option<String>,
) -> Result<Applied, AppError> {
    let upstream = crate::upstream::Upstream::from_context()?;
    ssr::apply(&upstream, &user, &reference, &key, confirm_admin).await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use ks_types::{ClusterName, ProjectName, ProjectRole, UserName, WorkspaceName};

    use super::{Applied, Outcome, SameAccess, SameRow};
    use crate::audit::Via;
    use crate::error::AppError;
    use crate::i18n::td_string;
    use crate::planner::calls::{send_together, Call};
    use crate::planner::verdicts::Plan;
    use crate::planner::wishes::{Intent, Membership, Wish, Wished};
    use crate::planner::Verdict;
    use crate::upstream::Upstream;

    /// The reference's memberships as wishes for `user` (joins only), the rows to show, and the
    /// planner's plan of them.
    pub async fn plan(upstream: &Upstream, user: &str, reference: &str) -> Result<(SameAccess, Plan), AppError> {
        let locale = crate::language::locale();
        let person = UserName::parse(user.trim()).map_err(|_| AppError::NotFound)?;
        let reference = UserName::parse(reference.trim())
            .map_err(|_| AppError::field("reference", td_string!(locale, same_access.no_such_person)))?;
        if reference == person {
            return Err(AppError::field("reference", td_string!(locale, same_access.not_themself)));
        }
        let held = crate::memberships::ssr::memberships(&reference).await?;
        let custom = td_string!(locale, same_access.custom_role);
        let mut rows: Vec<SameRow> = Vec::new();
        let mut wishes: Vec<Wished> = Vec::new();
        // Each wish's row, by the wish's line.
        let mut lines: Vec<usize> = Vec::new();
        let mut wish = |membership: Membership, rows: &mut Vec<SameRow>, place: String, role: String| {
            let line = wishes.len();
            wishes.push((line, Ok(Wish::asked(line, person.clone(), None, Some(membership), Intent::Join))));
            lines.push(rows.len());
            rows.push(SameRow { place, role, outcome: Outcome::Skip(String::new()) });
        };
        for w in &held.workspaces {
            let Ok(ws) = WorkspaceName::parse(&w.workspace) else { continue };
            if let Some(role) = &w.role {
                match crate::explain::workspace_kind(ws.as_str(), role) {
                    Some(kind) => wish(
                        Membership::Workspace { workspace: ws.clone(), kind },
                        &mut rows,
                        ws.to_string(),
                        role.clone(),
                    ),
                    None => rows.push(SameRow {
                        place: ws.to_string(),
                        role: role.clone(),
                        outcome: Outcome::Skip(custom.to_owned()),
                    }),
                }
            }
            for p in &w.projects {
                let place = format!("{}/{}", p.cluster, p.project);
                let (Ok(cluster), Ok(project)) = (ClusterName::parse(&p.cluster), ProjectName::parse(&p.project))
                else {
                    continue;
                };
                match ProjectRole::parse(&p.role) {
                    Ok(role) => {
                        let membership =
                            Membership::Project { workspace: ws.clone(), cluster: Some(cluster), project, role };
                        wish(membership, &mut rows, place, p.role.clone());
                    }
                    Err(_) => {
                        rows.push(SameRow { place, role: p.role.clone(), outcome: Outcome::Skip(custom.to_owned()) })
                    }
                }
            }
        }
        let plan = crate::planner::verdicts::plan(upstream, wishes, &Default::default()).await?;
        for row in &plan.rows {
            let Some(&at) = lines.get(row.line) else { continue };
            rows[at].outcome = match &row.verdict {
                Verdict::Send { steps, .. } => Outcome::Add(steps.iter().map(|s| s.text_in(locale)).collect()),
                Verdict::InPlace(_) => Outcome::Skip(td_string!(locale, same_access.in_place).to_owned()),
                Verdict::Refused(why) => Outcome::Skip(why.text_in(locale)),
            };
        }
        let same = SameAccess {
            user: person.to_string(),
            reference: reference.to_string(),
            rows,
            key: plan.key(),
            grants_admin: plan.admin_calls().next().is_some(),
            partial: held.partial,
        };
        Ok((same, plan))
    }

    pub async fn apply(
        upstream: &Upstream,
        user: &str,
        reference: &str,
        key: &str,
        confirm_admin: Option<String>,
    ) -> Result<Applied, AppError> {
        let locale = crate::language::locale();
        let (same, plan) = plan(upstream, user, reference).await?;
        if same.key != key {
            return Err(AppError::Invalid(td_string!(locale, same_access.plan_changed).to_owned()));
        }
        if same.grants_admin && confirm_admin.as_deref() != Some("yes") {
            return Err(AppError::field("confirm_admin", td_string!(locale, same_access.confirm_admin_needed)));
        }
        let calls: Vec<Call> = plan.rows.into_iter().flat_map(|r| r.calls).collect();
        let added = calls.len();
        send_together(calls, upstream, Via::Form)
            .await
            .map_err(|f| crate::upstream::fail_with(crate::planner::form::failure_error(f)))?;
        Ok(Applied { user: same.user, added })
    }
}
