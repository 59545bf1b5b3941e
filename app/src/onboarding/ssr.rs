use ks_types::{
    ClusterName, DisplayName, Email, Password, PlatformRole, ProjectName, ProjectRole, UserName, WorkspaceName,
    WorkspaceRoleKind,
};

use super::{OnboardInput, OnboardOutcome, OnboardStep, Stage, StepState, StepWhat, MAX_ROWS};
use crate::activity_log::Via;
use crate::error::{name_error, password_error, role_error, AppError};
use crate::i18n::td_string;
use crate::planner::verdicts::Plan;
use crate::planner::wishes::{Intent, Membership, Wish, Wished};
use crate::planner::{Column, Note, Refusal, Verdict};
use crate::upstream::Upstream;

fn field(name: String, message: impl Into<String>) -> AppError {
    crate::upstream::fail_with(AppError::field(&name, message))
}

/// What the review page carries instead of the typed password: sealed for the signed-in
/// person and the account it is for, hex.
pub fn sealed_password(input: &OnboardInput) -> Option<String> {
    if input.password.is_empty() {
        return (!input.sealed_password.is_empty()).then(|| input.sealed_password.clone());
    }
    let state = leptos::prelude::use_context::<crate::upstream::AppState>()?;
    let sealed = state.sealer.seal(&password_context(&input.username)?, input.password.as_bytes());
    Some(sealed.iter().map(|b| format!("{b:02x}")).collect())
}

fn password_context(username: &str) -> Option<String> {
    let actor = crate::upstream::Upstream::from_context().ok()?.username().to_owned();
    Some(format!("onboard-password:{actor}:{username}"))
}

fn opened_password(user: &UserName, sealed: &str) -> Result<Password, AppError> {
    let again = || field("password".into(), td_string!(crate::language::locale(), onboarding.type_password_again));
    let bytes: Option<Vec<u8>> = (0..sealed.len())
        .step_by(2)
        .map(|i| sealed.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect();
    let state = leptos::prelude::use_context::<crate::upstream::AppState>().ok_or(AppError::Internal)?;
    let context = password_context(user.as_str()).ok_or(AppError::Internal)?;
    let plain = bytes.and_then(|b| state.sealer.open(&context, &b)).ok_or_else(again)?;
    let text = String::from_utf8(plain).map_err(|_| again())?;
    Password::parse(&text).map_err(|e| field("password".into(), password_error(e)))
}

/// The new account's identity, when the form links one (its provider chosen).
fn identity_link(input: &OnboardInput) -> Result<Option<ks_types::IdentityLink>, AppError> {
    if input.identity_provider.is_empty() {
        return Ok(None);
    }
    ks_types::IdentityLink::parse_parts(&input.identity_provider, &input.identity).map(Some).map_err(|(part, e)| {
        let name = match part {
            ks_types::LinkPart::Provider => "identity_provider",
            ks_types::LinkPart::Identity => "identity",
        };
        field(name.into(), name_error(&e))
    })
}

pub fn username(input: &OnboardInput) -> Result<UserName, AppError> {
    UserName::parse(&input.username).map_err(|e| field("username".into(), name_error(&e)))
}

/// The form read into the planner's wishes: row 0 the person (account, platform role), then
/// one per workspace row and per project row. What cannot even be read is a field error;
/// what is readable but wrong is the row's refusal, listed with the plan.
pub fn wishes(input: &OnboardInput, user: &UserName) -> Result<(Vec<Wished>, Option<Password>), AppError> {
    let locale = crate::language::locale();
    if input.workspaces.len() > MAX_ROWS || input.projects.len() > MAX_ROWS {
        return Err(AppError::Invalid(td_string!(locale, onboarding.too_many_rows, max = MAX_ROWS).to_string()));
    }
    let platform_role = match input.platform_role.as_str() {
        "" => None,
        raw => Some(PlatformRole::parse(raw).map_err(|e| field("platform_role".into(), role_error(&e)))?),
    };
    let password = match (input.password.as_str(), input.sealed_password.as_str()) {
        ("", "") => None,
        ("", sealed) => Some(opened_password(user, sealed)?),
        (raw, _) => Some(Password::parse(raw).map_err(|e| field("password".into(), password_error(e)))?),
    };
    let some = |s: &str| Some(s.to_owned()).filter(|s| !s.trim().is_empty());
    let email = some(&input.email)
        .map(|raw| Email::parse(&raw).map(String::from))
        .transpose()
        .map_err(|e| field("email".into(), name_error(&e)))?;
    let display_name = some(&input.display_name)
        .map(|raw| DisplayName::parse(&raw).map(String::from))
        .transpose()
        .map_err(|e| field("display_name".into(), name_error(&e)))?;
    let person = Wish {
        line: 0,
        user: user.clone(),
        email,
        display_name,
        platform_role,
        link: identity_link(input)?,
        membership: None,
        intent: Intent::Onboard,
    };
    let mut wishes = vec![(0, Ok(person))];
    let member = |line: usize, membership: Result<Membership, Refusal>| {
        let wish = membership.map(|m| Wish {
            line,
            user: user.clone(),
            email: None,
            display_name: None,
            platform_role: None,
            link: None,
            membership: Some(m),
            intent: Intent::Onboard,
        });
        (line, wish)
    };
    for (i, row) in input.workspaces.iter().enumerate() {
        wishes.push(member(1 + i, workspace_row(&row.workspace, &row.role)));
    }
    for (i, row) in input.projects.iter().enumerate() {
        wishes.push(member(1 + MAX_ROWS + i, project_row(row)));
    }
    Ok((wishes, password))
}

/// The first line of the memberships copied from the "same access as" person (after the
/// form's rows).
pub const SAME_AS_FIRST_LINE: usize = 1 + 2 * MAX_ROWS;

/// "Same access as": the reference's memberships as wishes after the form's rows. Joins
/// only (a role the person holds is never changed); custom roles are listed as not copied.
pub async fn same_as_wishes(
    upstream: &Upstream,
    input: &OnboardInput,
    user: &UserName,
) -> Result<(Vec<Wished>, crate::planner::facts::Known), AppError> {
    if input.same_as.is_empty() {
        return Ok(Default::default());
    }
    let reference =
        crate::same_access::ssr::reference_of("same_as", &input.same_as, user).map_err(crate::upstream::fail_with)?;
    let held = crate::memberships::ssr::memberships(upstream, &reference).await?;
    let copied = crate::same_access::ssr::copied(&held);
    if copied.is_empty() {
        let locale = crate::language::locale();
        let holds_nothing = td_string!(locale, onboarding.same_as_holds_nothing, reference = reference.as_str());
        return Err(field("same_as".into(), holds_nothing.to_string()));
    }
    let wishes = copied.iter().enumerate().map(|(i, c)| c.wish(SAME_AS_FIRST_LINE + i, user)).collect();
    Ok((wishes, crate::same_access::ssr::known(&copied)))
}

fn workspace_row(workspace: &str, role: &str) -> Result<Membership, Refusal> {
    let workspace = WorkspaceName::parse(workspace).map_err(|_| Refusal::BadName {
        column: Column::Workspace,
        value: workspace.to_owned(),
        new: false,
    })?;
    let kind = match role {
        "" => WorkspaceRoleKind::Regular,
        raw => WorkspaceRoleKind::parse(raw)
            .map_err(|_| Refusal::NotBuiltIn { column: Column::WorkspaceRole, value: raw.to_owned() })?,
    };
    Ok(Membership::Workspace { workspace, kind })
}

fn project_row(row: &super::ProjectRow) -> Result<Membership, Refusal> {
    let bad = |column, value: &str| Refusal::BadName { column, value: value.to_owned(), new: false };
    if row.workspace.is_empty() {
        return Err(Refusal::ProjectWithoutWorkspace);
    }
    let workspace = WorkspaceName::parse(&row.workspace).map_err(|_| bad(Column::Workspace, &row.workspace))?;
    let cluster = match row.cluster.as_str() {
        "" => None,
        raw => Some(ClusterName::parse(raw).map_err(|_| bad(Column::Cluster, raw))?),
    };
    let project = ProjectName::parse(&row.project).map_err(|_| bad(Column::Project, &row.project))?;
    let role = match row.role.as_str() {
        "" => ProjectRole::Viewer,
        raw => ProjectRole::parse(raw)
            .map_err(|_| Refusal::NotBuiltIn { column: Column::ProjectRole, value: raw.to_owned() })?,
    };
    Ok(Membership::Project { workspace, cluster, project, role })
}

/// Each row's place, to say which one a form lists twice.
pub fn places(wishes: &[(usize, Result<Wish, Refusal>)]) -> std::collections::HashMap<usize, crate::planner::Place> {
    wishes.iter().filter_map(|(line, w)| Some((*line, w.as_ref().ok()?.membership.as_ref()?.place()))).collect()
}

/// A form has one person: a row repeating another is "listed twice", not a file's line.
pub fn listed_twice(plan: &mut Plan, places: &std::collections::HashMap<usize, crate::planner::Place>) {
    for row in &mut plan.rows {
        if let Verdict::Refused(Refusal::Repeats { .. } | Refusal::ConflictingRole { .. }) = row.verdict {
            if let Some(place) = places.get(&row.line) {
                row.verdict = Verdict::Refused(Refusal::ListedTwice { place: place.clone() });
            }
        }
    }
}

/// The plan as the page shows it.
pub fn outcome(user: &UserName, plan: &Plan, stage: Stage) -> OnboardOutcome {
    let mut steps = Vec::new();
    let mut existing = false;
    for row in &plan.rows {
        let at = |what, state| OnboardStep { row: row.line, what, state };
        match &row.verdict {
            Verdict::Send { steps: calls, notes } => {
                existing |= notes.iter().any(|n| matches!(n, Note::UserExists { .. }));
                steps.extend(
                    notes.iter().filter(|n| n.is_warning()).map(|n| at(StepWhat::Note(n.clone()), StepState::InPlace)),
                );
                steps.extend(calls.iter().map(|c| at(StepWhat::Call(c.clone()), StepState::Planned)));
            }
            Verdict::InPlace(notes) => {
                for note in notes {
                    match note {
                        Note::UserExists { .. } => existing = true,
                        other => steps.push(at(StepWhat::Note(other.clone()), StepState::InPlace)),
                    }
                }
            }
            Verdict::Refused(why) => steps.push(at(StepWhat::Refused(why.clone()), StepState::Refused)),
        }
    }
    OnboardOutcome {
        stage,
        username: user.to_string(),
        existing_user: existing,
        steps,
        plan: plan.key(),
        admin_grants: plan.admin_calls().map(|(_, c)| c.step()).collect(),
        changed_since_review: false,
        password: None,
        rounds: plan.rounds,
    }
}

/// Sends the planned calls in order, each recorded in the activity log. A failed account
/// stops everything after it; a failed membership leaves the others to go on.
pub async fn apply(upstream: &Upstream, user: &UserName, plan: Plan, password: Option<Password>) -> OnboardOutcome {
    let mut outcome = outcome(user, &plan, Stage::Applied);
    let mut password = password;
    let mut stop = false;
    let calls = plan.rows.into_iter().flat_map(|r| r.calls);
    let slots: Vec<usize> =
        outcome.steps.iter().enumerate().filter(|(_, s)| matches!(s.what, StepWhat::Call(_))).map(|(i, _)| i).collect();
    for (slot, call) in slots.into_iter().zip(calls) {
        if stop {
            outcome.steps[slot].state = StepState::NotRun;
            continue;
        }
        let creates = call.creates_account();
        let typed = if creates { password.take() } else { None };
        outcome.steps[slot].state = match call.send(upstream, Via::Wizard, typed).await {
            Ok(shown) => {
                outcome.password = shown.or(outcome.password.take());
                StepState::Done
            }
            Err(why) => {
                stop = creates;
                StepState::Failed(why)
            }
        };
    }
    outcome
}
