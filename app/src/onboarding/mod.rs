//! `/onboard`: a person onboarded on one page — the account (or an existing one), its platform
//! role, any number of workspaces and projects with their roles — reviewed in plain words before
//! anything is sent, then applied step by step. Applying plans again from what KubeSphere holds
//! now, so what is already in place is never sent twice and "retry the rest" sends only the rest.
//!
//! The page is plain HTML forms posted to `/onboard` itself and rendered with the answer (no
//! redirect, so a password shown once never passes through the session).

mod choices;
mod fields;
mod input;
mod page;

pub use choices::{onboard_choices, Choices, ProjectChoice, FEW_PROJECTS};
pub use input::{OnboardInput, ProjectRow, WorkspaceRow};
pub use page::OnboardPage;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::planner::{Note, Refusal, Step};

/// At most this many workspace rows and this many project rows.
pub const MAX_ROWS: usize = 20;

/// Where one step stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepState {
    /// Will be sent.
    Planned,
    /// Already so in KubeSphere (or worth knowing): nothing will be sent for it.
    InPlace,
    /// Cannot be done, and why: listed apart, never sent.
    Refused,
    Done,
    Failed(crate::activity_log::Failure),
    /// Not sent because an earlier step it needs failed.
    NotRun,
}

/// One line of the review or the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepWhat {
    Call(Step),
    Note(Note),
    Refused(Refusal),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnboardStep {
    /// The form's row: 0 the person, then the workspace rows, then the project rows.
    pub row: usize,
    pub what: StepWhat,
    pub state: StepState,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    /// Nothing sent: the plan to review.
    Review,
    /// Sent: each step's result.
    Applied,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnboardOutcome {
    pub stage: Stage,
    pub username: String,
    /// The account exists already: only memberships (and a platform role) are changed.
    pub existing_user: bool,
    pub steps: Vec<OnboardStep>,
    /// The plan's key, for apply to check against.
    pub plan: String,
    /// The admin grants of the plan, for the one confirmation.
    pub admin_grants: Vec<Step>,
    /// Set when apply found the plan changed since the review: nothing was sent.
    pub changed_since_review: bool,
    /// The password of the account just created, shown once on this page.
    pub password: Option<String>,
    /// The upstream rounds the plan took.
    pub rounds: usize,
}

impl OnboardOutcome {
    pub fn left(&self) -> usize {
        self.steps.iter().filter(|s| matches!(s.state, StepState::Failed(_) | StepState::NotRun)).count()
    }

    pub fn planned(&self) -> usize {
        self.steps.iter().filter(|s| s.state == StepState::Planned).count()
    }

    /// The key of what is left after a partial failure: "Retry the rest" approves only that.
    pub fn left_key(&self) -> String {
        let mut rows: Vec<(usize, Vec<&Step>)> = Vec::new();
        for s in &self.steps {
            let StepWhat::Call(step) = &s.what else { continue };
            if !matches!(s.state, StepState::Failed(_) | StepState::NotRun) {
                continue;
            }
            match rows.last_mut() {
                Some((row, steps)) if *row == s.row => steps.push(step),
                _ => rows.push((s.row, vec![step])),
            }
        }
        crate::planner::plan_key(rows)
    }

    /// The refusal of one form row, to show next to it.
    pub fn refusal_of(&self, row: usize) -> Option<&Refusal> {
        self.steps.iter().find_map(|s| match &s.what {
            StepWhat::Refused(why) if s.row == row => Some(why),
            _ => None,
        })
    }
}

/// Reviews (`apply` false: reads only) or applies the onboarding described by `input`.
#[server(prefix = "/api", endpoint = "onboard")]
pub async fn onboard(input: OnboardInput, apply: bool) -> Result<OnboardOutcome, AppError> {
    let upstream = crate::upstream::Upstream::from_context()?;
    let user = ssr::username(&input)?;
    let (mut wishes, password) = ssr::wishes(&input, &user)?;
    let (copied, known) = ssr::same_as_wishes(&upstream, &input, &user).await?;
    wishes.extend(copied);
    let places = ssr::places(&wishes);
    let mut plan = crate::planner::verdicts::plan(&upstream, wishes, &known).await?;
    ssr::listed_twice(&mut plan, &places);
    let review = ssr::outcome(&user, &plan, Stage::Review);
    if !apply {
        // Something in the form cannot be done: the review says why, next to its row.
        if review.steps.iter().any(|s| s.state == StepState::Refused) {
            if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
                res.set_status(http::StatusCode::BAD_REQUEST);
            }
        }
        return Ok(review);
    }
    if review.plan != input.reviewed {
        return Ok(OnboardOutcome { changed_since_review: true, ..review });
    }
    if !review.admin_grants.is_empty() && !input.confirm_admin {
        let locale = crate::language::locale();
        return Err(crate::upstream::fail_with(AppError::field(
            "confirm_admin",
            crate::i18n::td_string!(locale, onboarding.confirm_admin_first),
        )));
    }
    Ok(ssr::apply(&upstream, &user, plan, password).await)
}

#[cfg(feature = "ssr")]
pub mod ssr;
