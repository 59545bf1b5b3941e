//! What the wizard did: each call's outcome, the new account's password, what to do next.

use super::{OnboardOutcome, Stage, StepState, StepWhat};
use crate::i18n::td_string;
use leptos::prelude::*;

/// A listed call or note as a sentence: its first letter upper-cased (Chinese has none).
pub(super) fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The review or the results.
#[component]
pub(super) fn Outcome(outcome: OnboardOutcome) -> impl IntoView {
    let locale = crate::language::locale();
    let applied = outcome.stage == Stage::Applied;
    let heading = match (&outcome.stage, outcome.changed_since_review) {
        (Stage::Review, true) => td_string!(locale, onboarding.heading_changed),
        (Stage::Review, false) => td_string!(locale, onboarding.heading_review),
        (Stage::Applied, _) if outcome.left() == 0 => td_string!(locale, onboarding.heading_done),
        (Stage::Applied, _) => td_string!(locale, onboarding.heading_partial),
    };
    let user = outcome.username.as_str();
    let summary = if applied {
        let done = outcome.steps.iter().filter(|s| s.state == StepState::Done).count();
        match outcome.left() {
            0 => td_string!(locale, onboarding.summary_all_done, done, user).to_string(),
            left => td_string!(locale, onboarding.summary_some_left, done, user, left).to_string(),
        }
    } else if outcome.planned() == 0 {
        td_string!(locale, onboarding.summary_nothing).to_owned()
    } else {
        td_string!(locale, onboarding.summary_planned, calls = outcome.planned()).to_string()
    };
    let existing = outcome.existing_user.then(|| td_string!(locale, onboarding.existing_account, user).to_string());
    view! {
        <section class="card" aria-labelledby="outcome-heading" role=if applied { "status" } else { "region" }>
            <h2 id="outcome-heading">{heading}</h2>
            {existing
                .map(|t| {
                    view! {
                        <p class="notice" role="note">
                            {t}
                        </p>
                    }
                })}
            <p>{summary}</p>
            <ol class="steps">
                {outcome
                    .steps
                    .iter()
                    .map(|s| {
                        let text = match &s.what {
                            StepWhat::Call(step) => sentence(&step.text_in(locale)),
                            StepWhat::Note(note) if note.is_warning() => {
                                return // Notes start with a username: kept as it is written.
                                view! { <li class="note">{format!("{}.", note.text_in(locale))}</li> }
                                    .into_any();
                            }
                            StepWhat::Note(note) => note.text_in(locale),
                            StepWhat::Refused(why) => {
                                let why = why.text_in(locale);
                                return view! {
                                    <li class="refused">
                                        <strong>{td_string!(locale, onboarding.state_refused, why).to_string()}</strong>
                                    </li>
                                }
                                    .into_any();
                            }
                        };
                        let (class, label) = match &s.state {
                            StepState::Planned => ("planned", td_string!(locale, onboarding.state_planned).to_owned()),
                            StepState::InPlace | StepState::Refused => {
                                ("in-place", td_string!(locale, onboarding.state_in_place).to_owned())
                            }
                            StepState::Done => ("done", td_string!(locale, onboarding.state_done).to_owned()),
                            StepState::Failed(why) => {
                                (
                                    "failed",
                                    td_string!(locale, onboarding.state_failed, message = why.text_in(locale))
                                        .to_string(),
                                )
                            }
                            StepState::NotRun => ("not-run", td_string!(locale, onboarding.state_not_run).to_owned()),
                        };
                        view! {
                            <li class=class>
                                <span class="step-text">{text}</span>
                                " — "
                                <strong>{label}</strong>
                            </li>
                        }
                            .into_any()
                    })
                    .collect_view()}
            </ol>
            {outcome
                .password
                .clone()
                .map(|p| {
                    view! {
                        <div class="field">
                            <label for="created-password">
                                {td_string!(locale, onboarding.initial_password_of, user).to_string()}
                            </label>
                            <input
                                id="created-password"
                                type="text"
                                readonly
                                value=p
                                aria-describedby="created-password-hint"
                            />
                            <p class="hint" id="created-password-hint">
                                {td_string!(locale, onboarding.copy_password_hint)}
                            </p>
                        </div>
                    }
                })}
            {(applied && outcome.left() == 0)
                .then(|| {
                    view! {
                        <p class="button-row">
                            <a class="button secondary" href=format!("/users/{}", outcome.username)>
                                {td_string!(locale, onboarding.open_user_page, user).to_string()}
                            </a>
                            <a class="button secondary" href="/onboard">
                                {td_string!(locale, onboarding.onboard_another)}
                            </a>
                        </p>
                    }
                })}
        </section>
    }
}
