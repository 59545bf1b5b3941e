//! Building blocks shared by every form: labelled fields with their error next to them, role
//! and place selects, the person picker, and the "flash" that carries a submission's outcome.
//!
//! Forms are rendered on the server and are plain HTML: a form posts to its server function,
//! which keeps the outcome and the submitted values (never passwords) in the session as a
//! [`Flash`] and redirects back to the page, which renders them (post/redirect/get). The WASM
//! only adds two small islands ([`people_finder`], [`follow`]): people found as you type, and fields that follow a
//! chosen workspace. Every page therefore works, whole, before and without it.

mod follow;
mod link_fields;
mod people_finder;
mod pickers;
mod role_select;

pub use crate::builtin_roles::RoleOption;
pub use follow::{follow_field, follow_mark, marks, FieldLook, Follow, FollowList, FollowingField};
pub use link_fields::{linkable_methods, LinkFields};
pub use people_finder::{add_name, live_matches, people_matches, MatchUse, PeopleFinder};
#[cfg(feature = "ssr")]
pub use pickers::parse_project_key;
pub use pickers::{
    first_workspace, project_form_start, workspace_of, ClusterSelect, PickerStart, ProjectPicker, ProjectSelect,
    UserPicker, WorkspaceNotice, WorkspaceSelect,
};
pub use role_select::{Checklist, RoleSelect};

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
/// A checkbox of a form, as a `bool`: a browser sends a checked box's value (ours say `yes`)
/// and nothing for an unchecked one (`#[server(default)]` makes that `false`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Checkbox(pub bool);

impl Checkbox {
    pub fn checked(self) -> bool {
        self.0
    }
}

impl<'de> Deserialize<'de> for Checkbox {
    fn deserialize<D: serde::Deserializer<'de>>(value: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Checkbox;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a checkbox's value")
            }
            fn visit_bool<E>(self, checked: bool) -> Result<Checkbox, E> {
                Ok(Checkbox(checked))
            }
            fn visit_str<E>(self, value: &str) -> Result<Checkbox, E> {
                Ok(Checkbox(matches!(value, "yes" | "on" | "true")))
            }
        }
        value.deserialize_any(Visitor)
    }
}

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

/// One form's state: where it posts, and what a submission left in the flash — its outcome,
/// and after a failure the values to fill in again. Every form is built on it, so outcome, kept
/// values and field errors work alike everywhere.
pub struct FormState<S>
where
    S: ServerFn<Error = AppError>,
{
    kept: Vec<(String, String)>,
    outcome: Option<Result<S::Output, AppError>>,
}

impl<S> FormState<S>
where
    S: ServerFn<Error = AppError>,
    S::Output: Clone + DeserializeOwned,
{
    /// The form of server function `S`; `flash` may be any page's flash (only `S`'s counts).
    pub fn new(flash: &Option<Flash>) -> Self {
        let mine = flash_for(flash, S::PATH);
        let kept = mine.as_ref().filter(|f| f.outcome.is_err()).map(|f| f.fields.clone()).unwrap_or_default();
        Self { kept, outcome: mine.as_ref().map(Flash::outcome) }
    }

    /// Where the form posts: the server function's address.
    pub fn url(&self) -> &'static str {
        S::PATH
    }

    /// The value a failed submission kept for field `name` (empty when none).
    pub fn kept(&self, name: &str) -> String {
        self.kept.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    /// Every value kept for field `name` (a multiple choice, e.g. checkboxes).
    pub fn kept_all(&self, name: &str) -> Vec<String> {
        self.kept.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }

    /// The kept value of `name`, or `default` when nothing non-empty was kept.
    pub fn kept_or(&self, name: &str, default: impl Into<String>) -> String {
        Some(self.kept(name)).filter(|v| !v.is_empty()).unwrap_or_else(|| default.into())
    }

    /// The error of the last submission, if it failed.
    pub fn error(&self) -> Option<AppError> {
        self.outcome.clone().and_then(Result::err)
    }

    /// What the last submission's error says about field `name`.
    pub fn field_error(&self, name: &str) -> Option<String> {
        self.error().and_then(|e| e.for_field(name))
    }

    /// The answer of the last submission, if it succeeded.
    pub fn success(&self) -> Option<S::Output> {
        self.outcome.clone().and_then(Result::ok)
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

/// A labelled text input with hint and error.
#[component]
pub fn TextField(
    label: &'static str,
    name: &'static str,
    /// The value shown first (kept from a failed submission).
    #[prop(optional, into)]
    value: String,
    #[prop(default = None)] error: Option<String>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(default = false)] required: bool,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    /// Element id, when `field-{name}` would not be unique on the page.
    #[prop(optional)]
    id: Option<&'static str>,
) -> impl IntoView {
    let id = id.map(str::to_owned).unwrap_or_else(|| format!("field-{name}"));
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = [hint.is_some().then(|| hint_id.clone()), error.is_some().then(|| error_id.clone())]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
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
                value=value
                required=required
                autocomplete=autocomplete
                autocapitalize="none"
                spellcheck="false"
                aria-invalid=error.is_some().then_some("true")
                aria-describedby=(!described_by.is_empty()).then_some(described_by)
            />
            {hint.map(|h| view! { <p class="hint" id=hint_id>{h}</p> })}
            <p class="field-error" id=error_id aria-live="polite">{error}</p>
        </div>
    }
}

/// The submit button.
#[component]
pub fn SubmitButton(label: &'static str) -> impl IntoView {
    view! { <button type="submit" class="button primary">{label}</button> }
}

/// The outcome banner of a form: the error sentence (field errors are shown at their fields).
#[component]
pub fn FormError(error: Option<AppError>) -> impl IntoView {
    error.filter(|e| !matches!(e, AppError::InvalidField { .. })).map(|e| {
        view! { <p class="error-banner" role="alert">{e.message()}</p> }
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::Checkbox;

    #[test]
    fn a_checkbox_is_checked_by_the_value_a_browser_or_an_island_sends() {
        let read = |json: &str| serde_json::from_str::<Checkbox>(json).unwrap().checked();
        assert!(read(r#""yes""#) && read(r#""on""#) && read(r#""true""#) && read("true"));
        assert!(!read(r#""""#) && !read(r#""no""#) && !read("false"));
        assert!(!Checkbox::default().checked(), "an unchecked box sends nothing");
    }
}
