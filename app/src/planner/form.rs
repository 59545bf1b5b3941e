//! The invite and role-change forms through the planner: a few people, one place, one role.
//! What stops a form is said as the form says it, next to the field it is about; the calls go out
//! with the invitations of one place and role as one request.

use ks_types::LABEL_VALUE_MAX;

use super::calls::{send_together, Call};
use super::wishes::{Membership, Wish};
use super::{Note, Place, Refusal, Verdict};
use crate::activity_log::{Failure, Via};
use crate::error::AppError;
use crate::i18n::td_string;
use crate::language::{locale, Locale};
use crate::upstream::Upstream;

/// What a form will send, and what the person should know about it.
#[derive(Debug, Clone)]
pub struct FormPlan {
    pub calls: Vec<Call>,
    pub notes: Vec<Note>,
}

/// Plans a form's wishes for the signed-in person. `who` is the form's field naming the people
/// (`usernames` or `username`).
pub async fn plan(upstream: &Upstream, wishes: Vec<Wish>, who: &'static str) -> Result<FormPlan, AppError> {
    let wished = wishes.iter().cloned().map(|w| (w.line, Ok(w))).collect();
    let plan = super::verdicts::plan(upstream, wished, &Default::default()).await?;
    let mut refused = Vec::new();
    let mut out = FormPlan { calls: Vec::new(), notes: Vec::new() };
    for (row, wish) in plan.rows.into_iter().zip(&wishes) {
        match row.verdict {
            Verdict::Refused(why) => refused.push((why, wish)),
            Verdict::Send { notes, .. } | Verdict::InPlace(notes) => {
                out.calls.extend(row.calls);
                out.notes.extend(notes.into_iter().filter(Note::is_warning));
            }
        }
    }
    match refusal_error(refused, who) {
        Some(err) => Err(crate::upstream::fail_with(err)),
        None => Ok(out),
    }
}

/// Sends the plan's calls, recorded as the form's; a failure as the form says it.
pub async fn send(upstream: &Upstream, plan: FormPlan) -> Result<(), AppError> {
    send_together(plan.calls, upstream, Via::Form).await.map_err(|f| crate::upstream::fail_with(failure_error(f)))
}

/// The form's error for its refused wishes: the people it names who have no account, all at
/// once; else the first other refusal; else the people who are members already, all at once.
fn refusal_error(refused: Vec<(Refusal, &Wish)>, who: &str) -> Option<AppError> {
    let locale = locale();
    let missing: Vec<&str> = refused
        .iter()
        .filter_map(|(r, _)| match r {
            Refusal::NoSuchUser { user } => Some(user.as_str()),
            _ => None,
        })
        .collect();
    if !missing.is_empty() {
        let names = missing.join(td_string!(locale, memberships.list_separator));
        return Some(AppError::field(who, td_string!(locale, memberships.no_such_user, names).to_string()));
    }
    let other = refused.iter().find(|(r, _)| !matches!(r, Refusal::AlreadyMember { .. }));
    if let Some((why, wish)) = other {
        return Some(one_refusal(locale, why, wish, who));
    }
    let already: Vec<String> = refused
        .iter()
        .filter_map(|(r, _)| match r {
            Refusal::AlreadyMember { user, role, .. } => {
                Some(td_string!(locale, memberships.already_member, user, role).to_string())
            }
            _ => None,
        })
        .collect();
    (!already.is_empty()).then(|| {
        let list = already.join(td_string!(locale, memberships.already_members_separator));
        AppError::field(who, td_string!(locale, memberships.already_members, list).to_string())
    })
}

fn one_refusal(locale: Locale, why: &Refusal, wish: &Wish, who: &str) -> AppError {
    use Refusal as R;
    let field = |name: &str, text: String| AppError::field(name, text);
    match why {
        R::MayNotManageWorkspace { .. }
        | R::MayNotManageProject { .. }
        | R::MayNotChangePlatformRole { .. }
        | R::MayNotCreateAccounts { .. } => AppError::Forbidden,
        R::StillSettingUp { place } => AppError::StillSettingUp(place.text_in(locale)),
        R::NoSuchWorkspace { workspace: ws } => {
            field("workspace", td_string!(locale, roles.no_workspace_named, ws).to_string())
        }
        R::WorkspaceLacksRole { workspace: ws, kind } => {
            field("role", td_string!(locale, roles.workspace_role_missing, ws, kind).to_string())
        }
        R::WorkspaceNameTooLong { workspace: ws } => {
            let kind = match &wish.membership {
                Some(Membership::Workspace { kind, .. }) => kind.suffix(),
                _ => "",
            };
            let room = LABEL_VALUE_MAX.saturating_sub(kind.len() + 1);
            field("role", td_string!(locale, roles.workspace_name_too_long_to_grant, kind, ws, room).to_string())
        }
        R::NoSuchProject { project: ns, cluster: Some(cluster), .. } => {
            field("project", td_string!(locale, roles.no_project_named, ns, cluster).to_string())
        }
        R::NoSuchProject { .. }
        | R::ClusterNotInWorkspace { .. }
        | R::UnknownCluster { .. }
        | R::ClusterNotReady { .. }
        | R::ProjectOnSeveralClusters { .. } => field("project", sentence(why.text_in(locale))),
        R::ProjectLacksRole { project: ns, role } => {
            field("role", td_string!(locale, roles.project_role_missing, ns, role).to_string())
        }
        R::NotAMember { user, place: Place::Workspace { workspace: ws } } => {
            field(who, td_string!(locale, roles.not_workspace_member, user, ws).to_string())
        }
        R::NotAMember { user, place: Place::Project { project: ns, .. } } => {
            field(who, td_string!(locale, roles.not_project_member, user, ns).to_string())
        }
        other => AppError::Invalid(sentence(other.text_in(locale))),
    }
}

/// A failed call as the form says it.
pub(crate) fn failure_error(failure: Failure) -> AppError {
    let locale = locale();
    match failure {
        Failure::RoleMissing => AppError::field("role", td_string!(locale, roles.role_missing_here)),
        Failure::RoleNameTooLong => AppError::field("role", td_string!(locale, roles.role_name_too_long)),
        Failure::Error { code } => AppError::from_code(&code)
            .unwrap_or_else(|| AppError::Invalid(td_string!(locale, errors.upstream_invalid).to_owned())),
        other => AppError::Invalid(other.text_in(locale)),
    }
}

/// The planner's words begin in lower case (they follow a line number); a form shows a sentence.
fn sentence(text: String) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    }
}
