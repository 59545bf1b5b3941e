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
    #[server(default)] confirm_admin: crate::kit::Checkbox,
) -> Result<Applied, AppError> {
    let upstream = crate::upstream::Upstream::from_context()?;
    ssr::apply(&upstream, &user, &reference, &key, confirm_admin).await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use ks_types::{ClusterName, ProjectName, ProjectRole, UserName, WorkspaceName};

    use super::{Applied, Outcome, SameAccess, SameRow};
    use crate::activity_log::Via;
    use crate::error::AppError;
    use crate::i18n::td_string;
    use crate::memberships::Memberships;
    use crate::planner::calls::{send_together, Call};
    use crate::planner::facts::Known;
    use crate::planner::verdicts::Plan;
    use crate::planner::wishes::{Intent, Membership, Wish, Wished};
    use crate::planner::{Place, Refusal, Verdict};
    use crate::upstream::Upstream;

    /// One of the reference's memberships: where, with which role, and the membership a wish
    /// copies (`None`: a custom role, never copied).
    pub struct Copied {
        pub place: Place,
        pub role: String,
        pub membership: Option<Membership>,
    }

    impl Copied {
        /// The wish that gives `person` this membership (joins only: a role they hold is
        /// never changed), or why it is not copied.
        pub fn wish(&self, line: usize, person: &UserName) -> Wished {
            let wish = match &self.membership {
                Some(m) => Ok(Wish::asked(line, person.clone(), None, Some(m.clone()), Intent::Join)),
                None => Err(Refusal::CustomRoleNotCopied { place: self.place.clone(), role: self.role.clone() }),
            };
            (line, wish)
        }

        /// `ws`, or `cluster/project`, as the page lists it.
        pub fn label(&self) -> String {
            match &self.place {
                Place::Workspace { workspace } => workspace.clone(),
                Place::Project { project, cluster } => format!("{}/{project}", cluster.as_deref().unwrap_or("")),
            }
        }
    }

    /// Where the copied project memberships are: read from KubeSphere with them, so the plan
    /// need not list the workspaces' projects again.
    pub fn known(copied: &[Copied]) -> Known {
        let places = copied.iter().filter_map(|c| c.membership.as_ref()?.placed()).collect();
        Known { places, ..Known::default() }
    }

    /// The reference, read from the form: someone else than `person`.
    pub fn reference_of(field: &str, raw: &str, person: &UserName) -> Result<UserName, AppError> {
        let locale = crate::language::locale();
        let reference = UserName::parse(raw.trim())
            .map_err(|_| AppError::field(field, td_string!(locale, same_access.no_such_person)))?;
        if &reference == person {
            return Err(AppError::field(field, td_string!(locale, same_access.not_themself)));
        }
        Ok(reference)
    }

    /// What `reference` holds that the signed-in person can see, in the order of their page.
    pub fn copied(held: &Memberships) -> Vec<Copied> {
        let mut out = Vec::new();
        for w in &held.workspaces {
            let Ok(ws) = WorkspaceName::parse(&w.workspace) else { continue };
            if let Some(role) = &w.role {
                let membership = crate::explain::workspace_kind(ws.as_str(), role)
                    .map(|kind| Membership::Workspace { workspace: ws.clone(), kind });
                let place = Place::Workspace { workspace: ws.to_string() };
                out.push(Copied { place, role: role.clone(), membership });
            }
            for p in &w.projects {
                let (Ok(cluster), Ok(project)) = (ClusterName::parse(&p.cluster), ProjectName::parse(&p.project))
                else {
                    continue;
                };
                let membership = ProjectRole::parse(&p.role).ok().map(|role| Membership::Project {
                    workspace: ws.clone(),
                    cluster: Some(cluster.clone()),
                    project: project.clone(),
                    role,
                });
                let place = Place::Project { project: project.to_string(), cluster: Some(cluster.to_string()) };
                out.push(Copied { place, role: p.role.clone(), membership });
            }
        }
        out
    }

    /// The reference's memberships as wishes for `user` (joins only), the rows to show, and the
    /// planner's plan of them.
    pub async fn plan(upstream: &Upstream, user: &str, reference: &str) -> Result<(SameAccess, Plan), AppError> {
        let locale = crate::language::locale();
        let person = UserName::parse(user.trim()).map_err(|_| AppError::NotFound)?;
        let reference = reference_of("reference", reference, &person)?;
        let held = crate::memberships::ssr::memberships(upstream, &reference).await?;
        let copied = copied(&held);
        let custom = td_string!(locale, same_access.custom_role);
        // A wish's line is its row.
        let mut rows: Vec<SameRow> = copied
            .iter()
            .map(|c| SameRow {
                place: c.label(),
                role: c.role.clone(),
                outcome: Outcome::Skip(if c.membership.is_some() { String::new() } else { custom.to_owned() }),
            })
            .collect();
        let wishes: Vec<Wished> = copied
            .iter()
            .enumerate()
            .filter(|(_, c)| c.membership.is_some())
            .map(|(i, c)| c.wish(i, &person))
            .collect();
        let plan = crate::planner::verdicts::plan(upstream, wishes, &known(&copied)).await?;
        for row in &plan.rows {
            let Some(shown) = rows.get_mut(row.line) else { continue };
            shown.outcome = match &row.verdict {
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
        confirm_admin: crate::kit::Checkbox,
    ) -> Result<Applied, AppError> {
        let locale = crate::language::locale();
        let (same, plan) = plan(upstream, user, reference).await?;
        if same.key != key {
            return Err(AppError::Invalid(td_string!(locale, same_access.plan_changed).to_owned()));
        }
        if same.grants_admin && !confirm_admin.checked() {
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
