//! The `/onboard` page: one form, posted to the page itself. "Review" lists every call in plain
//! words and sends nothing; "Apply" sends what was reviewed and shows each step's result; after a
//! failure "Retry the rest" sends only what is still missing. Server-rendered, no WASM.

use leptos::prelude::*;

use super::fields::{PlainField, ProjectRowFields, RowSelect, WorkspaceField};
use super::{onboard, onboard_choices, Choices, OnboardInput, OnboardOutcome, Stage, StepState, StepWhat, MAX_ROWS};
use crate::error::AppError;
use crate::i18n::td_string;
use crate::layout::error_view;

/// What was posted to the page, and which button sent it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Posted {
    input: OnboardInput,
    button: String,
}

fn posted() -> Option<Posted> {
    let fields = crate::kit::posted_form()?;
    let button = fields.iter().find(|(k, _)| k == "step").map(|(_, v)| v.clone()).unwrap_or_default();
    Some(Posted { input: OnboardInput::from_fields(&fields), button })
}

/// The input with a typed password replaced by its sealed form.
fn without_password(input: OnboardInput) -> OnboardInput {
    #[cfg(feature = "ssr")]
    let sealed = super::ssr::sealed_password(&input).unwrap_or_default();
    #[cfg(not(feature = "ssr"))]
    let sealed = input.sealed_password.clone();
    OnboardInput { password: String::new(), sealed_password: sealed, ..input }
}

#[component]
pub fn OnboardPage() -> impl IntoView {
    let posted = posted();
    let locale = crate::language::locale();
    let data = Resource::new_blocking(
        move || posted.clone(),
        |posted| async move {
            let run = async {
                match &posted {
                    Some(p) if p.button == "review" || p.button == "apply" => {
                        Some(onboard(p.input.clone(), p.button == "apply").await)
                    }
                    _ => None,
                }
            };
            let (outcome, choices) = futures::future::join(run, onboard_choices()).await;
            // What the page holds (and hands the browser) never has the typed password: sealed.
            (posted.map(|p| Posted { input: without_password(p.input), ..p }), outcome, choices)
        },
    );
    view! {
        <main id="main" class="page narrow">
            <h1>{td_string!(locale, onboarding.title)}</h1>
            <p class="muted">{td_string!(locale, onboarding.intro)}</p>
            <p class="button-row"><a class="button secondary" href="/onboard/bulk">{td_string!(locale, onboarding.bulk_link)}</a></p>
            <Suspense fallback=crate::kit::Loading>
                {move || Suspend::new(async move {
                    let (posted, outcome, choices) = data.await;
                    let choices = match choices {
                        Ok(c) => c,
                        Err(e) => return error_view(e),
                    };
                    let (input, more) = match &posted {
                        Some(p) => (p.input.clone(), p.button == "more"),
                        None => (OnboardInput::default(), false),
                    };
                    let (outcome, error) = match outcome {
                        Some(Ok(o)) => (Some(o), None),
                        Some(Err(e)) => (None, Some(e)),
                        None => (None, None),
                    };
                    if let Some(e @ (AppError::SessionExpired | AppError::NotSignedIn)) = error {
                        return error_view(e);
                    }
                    view! {
                        {outcome.clone().map(|o| view! { <Outcome outcome=o /> })}
                        {error.as_ref().filter(|e| !matches!(e, AppError::InvalidField { .. })).map(|e| view! {
                            <p class="error-banner" role="alert">{e.message()}</p>
                        })}
                        {choices.workspaces.is_empty().then(|| view! {
                            <p class="notice" role="note">{td_string!(locale, onboarding.nothing_to_manage)}</p>
                        })}
                        <OnboardForm input outcome error more choices />
                    }
                    .into_any()
                })}
            </Suspense>
        </main>
    }
}

/// A listed call or note as a sentence: its first letter upper-cased (Chinese has none).
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The review or the results.
#[component]
fn Outcome(outcome: OnboardOutcome) -> impl IntoView {
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
            {existing.map(|t| view! { <p class="notice" role="note">{t}</p> })}
            <p>{summary}</p>
            <ol class="steps">
                {outcome.steps.iter().map(|s| {
                    let text = match &s.what {
                        StepWhat::Call(step) => sentence(&step.text_in(locale)),
                        // Notes start with a username: kept as it is written.
                        StepWhat::Note(note) if note.is_warning() => {
                            return view! { <li class="note">{format!("{}.", note.text_in(locale))}</li> }.into_any();
                        }
                        StepWhat::Note(note) => note.text_in(locale),
                        StepWhat::Refused(why) => {
                            let why = why.text_in(locale);
                            return view! {
                                <li class="refused"><strong>{td_string!(locale, onboarding.state_refused, why).to_string()}</strong></li>
                            }.into_any();
                        }
                    };
                    let (class, label) = match &s.state {
                        StepState::Planned => ("planned", td_string!(locale, onboarding.state_planned).to_owned()),
                        StepState::InPlace | StepState::Refused => ("in-place", td_string!(locale, onboarding.state_in_place).to_owned()),
                        StepState::Done => ("done", td_string!(locale, onboarding.state_done).to_owned()),
                        StepState::Failed(why) => ("failed", td_string!(locale, onboarding.state_failed, message = why.text_in(locale)).to_string()),
                        StepState::NotRun => ("not-run", td_string!(locale, onboarding.state_not_run).to_owned()),
                    };
                    view! { <li class=class><span class="step-text">{text}</span>" — "<strong>{label}</strong></li> }.into_any()
                }).collect_view()}
            </ol>
            {outcome.password.clone().map(|p| view! {
                <div class="field">
                    <label for="created-password">{td_string!(locale, onboarding.initial_password_of, user).to_string()}</label>
                    <input id="created-password" type="text" readonly value=p aria-describedby="created-password-hint" />
                    <p class="hint" id="created-password-hint">
                        {td_string!(locale, onboarding.copy_password_hint)}
                    </p>
                </div>
            })}
            {(applied && outcome.left() == 0).then(|| view! {
                <p class="button-row">
                    <a class="button secondary" href=format!("/users/{}", outcome.username)>{td_string!(locale, onboarding.open_user_page, user).to_string()}</a>
                    <a class="button secondary" href="/onboard">{td_string!(locale, onboarding.onboard_another)}</a>
                </p>
            })}
        </section>
    }
}

#[component]
fn OnboardForm(
    input: OnboardInput,
    outcome: Option<OnboardOutcome>,
    error: Option<AppError>,
    more: bool,
    choices: Choices,
) -> impl IntoView {
    let locale = crate::language::locale();
    // A row's problem: a field error from reading the form, or the plan's refusal of that row.
    let refusal = |row: usize| outcome.as_ref().and_then(|o| o.refusal_of(row)).map(|r| sentence(&r.text_in(locale)));
    let field_error = |name: &str| error.as_ref().and_then(|e| e.for_field(name));
    // What "Apply" sends: the plan just reviewed, or after a partial failure the steps left.
    let (apply_label, reviewed) = match &outcome {
        Some(o) if o.stage == Stage::Review && o.planned() > 0 => {
            (Some(td_string!(locale, onboarding.apply_changes, changes = o.planned()).to_string()), o.plan.clone())
        }
        Some(o) if o.stage == Stage::Applied && o.left() > 0 => {
            (Some(td_string!(locale, onboarding.retry_rest).to_owned()), o.left_key())
        }
        _ => (None, String::new()),
    };
    let admin_grants: Vec<String> = outcome
        .as_ref()
        .filter(|_| apply_label.is_some())
        .map(|o| o.admin_grants.iter().map(|g| g.text_in(locale)).collect())
        .unwrap_or_default();
    let extra = if more { 3 } else { 1 };
    let ws_rows = (input.workspaces.len() + extra).clamp(2, MAX_ROWS);
    let project_rows = (input.projects.len() + extra).clamp(2, MAX_ROWS);
    let new_person = choices.manages_accounts && outcome.as_ref().is_none_or(|o| !o.existing_user);
    let sealed_password = Some(input.sealed_password.clone()).filter(|s| !s.is_empty());
    let person_error = field_error("username").or_else(|| refusal(0));

    view! {
        <form method="post" action="/onboard" class="stack" aria-label=td_string!(locale, onboarding.title) novalidate>
            <input type="hidden" name="reviewed" value=reviewed />
            <fieldset class="stack">
                <legend>{td_string!(locale, onboarding.the_person)}</legend>
                <PlainField label=td_string!(locale, common.username) name="username" value=input.username.clone() error=person_error
                    hint=if choices.manages_accounts { td_string!(locale, onboarding.username_hint) } else { td_string!(locale, onboarding.accounts_by_admins) } />
                {new_person.then(|| view! {
                    <PlainField label=td_string!(locale, common.email) name="email" value=input.email.clone() error=field_error("email") input_type="email" />
                    <PlainField label=td_string!(locale, onboarding.display_name) name="display_name" value=input.display_name.clone() error=None />
                    // A typed password is never echoed: the page carries it sealed.
                    <PlainField label=td_string!(locale, onboarding.initial_password) name="password" value=String::new() error=field_error("password")
                        input_type="password" hint=if sealed_password.is_some() { td_string!(locale, onboarding.password_kept) } else { td_string!(locale, onboarding.password_hint) } />
                    {sealed_password.clone().map(|v| view! { <input type="hidden" name="sealed_password" value=v /> })}
                    {(!choices.sign_in_methods.is_empty()).then(|| view! {
                        <crate::forms::LinkFields methods=choices.sign_in_methods.clone() provider=input.identity_provider.clone()
                            identity=input.identity.clone() provider_error=field_error("identity_provider") identity_error=field_error("identity") />
                    })}
                })}
                {choices.manages_accounts.then(|| view! {
                    <div class="field">
                        <label for="field-platform_role">{td_string!(locale, common.platform_role)}</label>
                        <select id="field-platform_role" name="platform_role" aria-describedby="field-platform_role-hint">
                            <option value="" selected=input.platform_role.is_empty()>{td_string!(locale, onboarding.platform_role_default)}</option>
                            {crate::kit::options(ks_types::PlatformRole::ALL.map(|r| (r.name().to_owned(), r.name().to_owned())), &input.platform_role)}
                        </select>
                        <p class="hint" id="field-platform_role-hint">{td_string!(locale, onboarding.built_in_only)}</p>
                        <crate::kit::FieldError error=field_error("platform_role") />
                    </div>
                })}
            </fieldset>

            <fieldset class="stack">
                <legend>{td_string!(locale, onboarding.workspaces)}</legend>
                <p class="hint">{td_string!(locale, onboarding.workspaces_hint)}</p>
                <datalist id="known-workspaces">
                    {choices.workspaces.iter().map(|w| view! { <option value=w.clone()></option> }).collect_view()}
                </datalist>
                {(0..ws_rows).map(|i| {
                    let row = input.workspaces.get(i).cloned().unwrap_or_default();
                    let n = i + 1;
                    let error = field_error(&format!("workspace-{i}")).or_else(|| refusal(1 + i));
                    let error_id = error.is_some().then(|| format!("workspace-{i}-error"));
                    let role = if row.role.is_empty() { "regular".to_owned() } else { row.role };
                    let kinds = ks_types::WorkspaceRoleKind::ALL.map(|k| k.suffix().to_owned()).to_vec();
                    let label = td_string!(locale, onboarding.workspace_n, n).to_string();
                    view! {
                        <div class="row-fields">
                            <WorkspaceField id=format!("workspace-{i}") label name="workspace" value=row.workspace
                                choices=choices.workspaces.clone() error_id=error_id.clone() />
                            <RowSelect id=format!("workspace-role-{i}") label=td_string!(locale, onboarding.workspace_role_n, n).to_string()
                                name="workspace_role" options=kinds selected=role />
                            <crate::kit::FieldError id=format!("workspace-{i}-error") error=error />
                        </div>
                    }
                }).collect_view()}
            </fieldset>

            <fieldset class="stack">
                <legend>{td_string!(locale, onboarding.projects)}</legend>
                <p class="hint">{td_string!(locale, onboarding.projects_hint)}</p>
                {(0..project_rows).map(|i| {
                    let row = input.projects.get(i).cloned().unwrap_or_default();
                    let error = field_error(&format!("project-{i}")).or_else(|| refusal(1 + MAX_ROWS + i));
                    view! { <ProjectRowFields i row error choices=choices.clone() /> }
                }).collect_view()}
                <p><button type="submit" name="step" value="more" class="button secondary">{td_string!(locale, onboarding.more_rows)}</button></p>
            </fieldset>

            <fieldset class="stack">
                <legend>{td_string!(locale, onboarding.same_as_legend)}</legend>
                <PlainField label=td_string!(locale, onboarding.same_as) name="same_as" value=input.same_as.clone()
                    error=field_error("same_as") hint=td_string!(locale, onboarding.same_as_hint) />
            </fieldset>

            {(!admin_grants.is_empty()).then(|| view! {
                <div class="field confirm-admin">
                    <p><strong>{td_string!(locale, onboarding.admin_roles_heading)}</strong></p>
                    <ul>{admin_grants.iter().map(|g| view! { <li>{g.clone()}</li> }).collect_view()}</ul>
                    <label class="checkbox">
                        <input type="checkbox" name="confirm_admin" value="yes" />
                        {format!(" {}", td_string!(locale, onboarding.confirm_admin_roles, grants = admin_grants.len()))}
                    </label>
                    <crate::kit::FieldError error=field_error("confirm_admin") />
                </div>
            })}

            <div class="button-row">
                <button type="submit" name="step" value="review" class=if apply_label.is_some() { "button secondary" } else { "button primary" }>
                    {if outcome.is_some() { td_string!(locale, onboarding.review_again) } else { td_string!(locale, onboarding.review) }}
                </button>
                {apply_label.map(|label| view! {
                    <button type="submit" name="step" value="apply" class="button primary">{label}</button>
                })}
            </div>
        </form>
    }
}
