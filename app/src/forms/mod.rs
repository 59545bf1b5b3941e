//! Building blocks shared by every form: labelled fields with their error next to them, the
//! submit button with a pending state, and the "flash" that lets a form work without WASM.
//!
//! Without WASM a form is a plain POST to its server function. The server runs it, keeps the
//! outcome and the submitted values (never passwords) in the session as a [`Flash`], and
//! redirects back to the page, which renders the outcome and the values again (post/redirect/get).
//! With WASM the same form is an `ActionForm`: no page load, the outcome appears in place.

mod pickers;
mod role_select;

#[cfg(feature = "ssr")]
pub use pickers::parse_project_key;
pub use pickers::{
    first_workspace, follow, live_people_search, project_form_start, workspace_of, PickerStart, ProjectPicker,
    UserPicker,
};
pub use role_select::{Checklist, RoleSelect};

use std::future::Future;
use std::time::Duration;

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// What a plain-form submission left for the page it returns to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flash {
    /// The server function's path, e.g. `/api/create_user`.
    pub action: String,
    /// The submitted values, without any password.
    pub fields: Vec<(String, String)>,
    pub outcome: Result<serde_json::Value, AppError>,
}

impl Flash {
    pub fn field(&self, name: &str) -> Option<String> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    pub fn fields_named(&self, name: &str) -> Vec<String> {
        self.fields.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }

    /// The outcome, decoded as the server function's output type.
    pub fn outcome<T: DeserializeOwned>(&self) -> Result<T, AppError> {
        match &self.outcome {
            Ok(v) => serde_json::from_value(v.clone()).map_err(|_| AppError::Internal),
            Err(e) => Err(e.clone()),
        }
    }
}

/// A form posted to a page itself, which renders with it (no redirect, so nothing of it passes
/// through the session): the server puts the fields into the request's extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostedForm(pub Vec<(String, String)>);

/// The fields posted to this page, when it was rendered for a form post.
pub fn posted_form() -> Option<Vec<(String, String)>> {
    #[cfg(feature = "ssr")]
    {
        let parts = use_context::<http::request::Parts>()?;
        parts.extensions.get::<PostedForm>().map(|p| p.0.clone())
    }
    #[cfg(not(feature = "ssr"))]
    None
}

/// Names of form fields that are never kept in a flash.
pub const SECRET_FIELDS: &[&str] = &["password", "new_password", "current_password"];

/// Takes (and clears) the flash left by a plain-form submission, if any.
#[server(prefix = "/api", endpoint = "take_flash")]
pub async fn take_flash() -> Result<Option<Flash>, AppError> {
    use tower_sessions::Session;
    let session = leptos_axum::extract::<Session>().await.map_err(|_| AppError::Internal)?;
    session.remove::<Flash>(crate::upstream::FLASH_KEY).await.map_err(|_| AppError::Internal)
}

/// The flash meant for the server function at `action_path`, once the page's flash resource has
/// loaded (use inside `Suspense`).
pub fn flash_for(flash: &Option<Flash>, action_path: &str) -> Option<Flash> {
    flash.as_ref().filter(|f| f.action == action_path).cloned()
}

/// Called by every island: once hydrated, it counts itself on `<html>`, which gets
/// `data-hydrated` when all the page's islands are interactive (tests and styles rely on it).
pub fn island_hydrated() {
    Effect::new(|_| {
        let document = document();
        let Some(root) = document.document_element() else { return };
        let done = root.get_attribute("data-islands-hydrated").and_then(|n| n.parse::<u32>().ok()).unwrap_or(0) + 1;
        let _ = root.set_attribute("data-islands-hydrated", &done.to_string());
        let total = document.query_selector_all("leptos-island").map(|l| l.length()).unwrap_or(0);
        if done >= total {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });
}

/// One form's state: its server action and its outcome — the live answer, or what a plain
/// submission left in the flash — with the values to fill in again after a failure. Every form
/// is built on it, so outcome, kept values and field errors work alike everywhere.
pub struct FormState<S>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    pub action: ServerAction<S>,
    kept: StoredValue<Vec<(String, String)>>,
    outcome: Signal<Option<Result<S::Output, AppError>>>,
}

impl<S> Clone for FormState<S>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for FormState<S>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
}

impl<S> FormState<S>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + DeserializeOwned + 'static,
{
    /// The form of server function `S`; `flash` may be any page's flash (only `S`'s counts).
    pub fn new(flash: &Option<Flash>) -> Self {
        let action = ServerAction::<S>::new();
        let mine = flash_for(flash, S::PATH);
        let kept = mine.as_ref().filter(|f| f.outcome.is_err()).map(|f| f.fields.clone()).unwrap_or_default();
        let from_flash: Option<Result<S::Output, AppError>> = mine.as_ref().map(Flash::outcome);
        let outcome = Signal::derive(move || action.value().get().or_else(|| from_flash.clone()));
        Self { action, kept: StoredValue::new(kept), outcome }
    }

    /// The value a failed plain submission kept for field `name` (empty when none).
    pub fn kept(&self, name: &str) -> String {
        self.kept
            .with_value(|fields| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
            .unwrap_or_default()
    }

    /// Every value kept for field `name` (a multiple choice, e.g. checkboxes).
    pub fn kept_all(&self, name: &str) -> Vec<String> {
        self.kept.with_value(|fields| fields.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect())
    }

    /// The kept value of `name`, or `default` when nothing non-empty was kept.
    pub fn kept_or(&self, name: &str, default: impl Into<String>) -> String {
        Some(self.kept(name)).filter(|v| !v.is_empty()).unwrap_or_else(|| default.into())
    }

    /// The error of the last submission, if it failed.
    pub fn error(&self) -> Signal<Option<AppError>> {
        let outcome = self.outcome;
        Signal::derive(move || outcome.get().and_then(Result::err))
    }

    /// What the last submission's error says about field `name`.
    pub fn field_error(&self, name: &'static str) -> Signal<Option<String>> {
        let error = self.error();
        Signal::derive(move || error.get().and_then(|e| e.for_field(name)))
    }

    /// The answer of the last submission, if it succeeded.
    pub fn success(&self) -> Signal<Option<S::Output>> {
        let outcome = self.outcome;
        Signal::derive(move || outcome.get().and_then(Result::ok))
    }

    /// Runs `reset` after each successful submission made in the page (not after a reload), to
    /// empty the fields for the next one.
    pub fn on_success(&self, reset: impl Fn() + 'static) {
        let action = self.action;
        Effect::new(move |_| {
            if let Some(Ok(_)) = action.value().get() {
                reset();
            }
        });
    }
}

/// The first load of a form that starts from a workspace, in one round: the flash, the
/// workspaces and (for the session cache, so the page's permission check that follows costs no
/// call for an admin) the signed-in person's permissions; and the workspace to show first, the
/// one a failed plain submission to `action_path` kept, else the first.
pub async fn workspace_form_start(
    action_path: &str,
) -> (Option<Flash>, Result<Vec<crate::directory::WorkspaceSummary>, AppError>, Option<String>) {
    let (flash, workspaces, _) =
        futures::future::join3(take_flash(), crate::directory::my_workspaces(), crate::permissions::my_permissions())
            .await;
    let flash = flash.ok().flatten();
    let first = kept_field(&flash, action_path, "workspace")
        .or_else(|| workspaces.as_ref().ok().and_then(|w| w.first().map(|w| w.name.clone())));
    (flash, workspaces, first)
}

/// The non-empty value of field `name` that a failed plain submission to `action_path` kept.
pub fn kept_field(flash: &Option<Flash>, action_path: &str, name: &str) -> Option<String> {
    flash_for(flash, action_path).filter(|f| f.outcome.is_err()).and_then(|f| f.field(name)).filter(|v| !v.is_empty())
}

/// A labelled text input with hint and error. `value` is the live value; `initial` is rendered
/// as the HTML `value` so the page works (and keeps input) before the WASM loads.
#[component]
pub fn TextField(
    label: &'static str,
    name: &'static str,
    value: RwSignal<String>,
    #[prop(into, optional)] error: MaybeProp<String>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(default = false)] required: bool,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional, into)] status: Option<Signal<Option<String>>>,
    #[prop(optional)] on_blur: Option<Callback<()>>,
    /// Element id, when `field-{name}` would not be unique on the page.
    #[prop(optional)]
    id: Option<&'static str>,
) -> impl IntoView {
    let id = id.map(str::to_owned).unwrap_or_else(|| format!("field-{name}"));
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let status_id = format!("{id}-status");
    let described_by = {
        let (hint_id, error_id, status_id) = (hint_id.clone(), error_id.clone(), status_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if status.is_some() {
                ids.push(status_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let initial = value.get_untracked();
    let locale = crate::language::locale();
    view! {
        <div class="field">
            <label for=id.clone()>
                {label}
                {(!required).then(|| view! { <span class="optional">{crate::i18n::td_string!(locale, forms.optional)}</span> })}
            </label>
            <input
                id=id
                name=name
                type=input_type
                value=initial
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                on:blur=move |_| {
                    if let Some(cb) = on_blur {
                        cb.run(());
                    }
                }
                required=required
                autocomplete=autocomplete
                autocapitalize="none"
                spellcheck="false"
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described_by
            />
            {hint.map(|h| view! { <p class="hint" id=hint_id>{h}</p> })}
            {status.map(|s| view! { <p class="field-status" id=status_id aria-live="polite">{move || s.get()}</p> })}
            <p class="field-error" id=error_id aria-live="polite">{move || error.get()}</p>
        </div>
    }
}

/// The submit button: disabled and relabelled while the request is in flight.
#[component]
pub fn SubmitButton(
    label: &'static str,
    pending_label: &'static str,
    #[prop(into)] pending: Signal<bool>,
) -> impl IntoView {
    view! {
        <button type="submit" class="button primary" disabled=move || pending.get() aria-busy=move || pending.get().to_string()>
            {move || if pending.get() { pending_label } else { label }}
        </button>
    }
}

/// The outcome banner of a form: the error sentence, or the success content.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        {move || {
            error.get().filter(|e| !matches!(e, AppError::InvalidField { .. })).map(|e| {
                view! { <p class="error-banner" role="alert">{e.message()}</p> }
            })
        }}
    }
}

/// Is a name or e-mail free, taken, or not valid at all?
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Availability {
    Available,
    Taken,
    Invalid(String),
}

/// A built-in role a form may offer, with what it grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleOption {
    /// What the form submits: the role's name, or for workspace roles its kind (`regular`),
    /// which the server resolves to that workspace's role.
    pub value: String,
    /// The role's name in KubeSphere, shown to the person.
    pub name: String,
    pub description: String,
    pub is_admin: bool,
}

impl RoleOption {
    /// A role the form submits by its own name (platform and project roles).
    pub fn named(name: &str, description: &str, is_admin: bool) -> Self {
        Self { value: name.into(), name: name.into(), description: description.into(), is_admin }
    }
}

/// Checks `value` with `check` as the user types: 250 ms after the last keystroke, and only the
/// answer for the value currently in the field is shown (slower, stale answers are dropped).
pub fn live_check<F, Fut>(value: RwSignal<String>, check: F) -> Signal<Option<Availability>>
where
    F: Fn(String) -> Fut + Send + Sync + Copy + 'static,
    Fut: Future<Output = Result<Availability, AppError>> + Send + 'static,
{
    let action = Action::new(move |v: &String| {
        let v = v.clone();
        async move {
            let answer = check(v.clone()).await;
            (v, answer)
        }
    });
    Effect::new(move |_| {
        let v = value.get();
        if v.trim().is_empty() {
            return;
        }
        set_timeout(
            move || {
                if value.get_untracked() == v {
                    action.dispatch(v);
                }
            },
            Duration::from_millis(250),
        );
    });
    Signal::derive(move || match action.value().get() {
        Some((v, Ok(a))) if v == value.get() => Some(a),
        _ => None,
    })
}
