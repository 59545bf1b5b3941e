//! What every form is built from: a labelled field with its error beside it, the submit button,
//! the outcome banner, and the "flash" that carries a plain submission's outcome and values back
//! to its page (post/redirect/get).

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::td_string;

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

/// Key of the [`Flash`] a plain-form submission leaves in the session.
pub const FLASH_KEY: &str = "ks-console.flash";

/// Names of form fields that are never kept in a flash.
pub const SECRET_FIELDS: &[&str] = &["password", "new_password", "current_password"];

/// Takes (and clears) the flash left by a plain-form submission, if any.
#[server(prefix = "/api", endpoint = "take_flash")]
pub async fn take_flash() -> Result<Option<Flash>, AppError> {
    use tower_sessions::Session;
    let session = leptos_axum::extract::<Session>().await.map_err(|_| AppError::Internal)?;
    session.remove::<Flash>(FLASH_KEY).await.map_err(|_| AppError::Internal)
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

    /// Field `name` as the last submission left it: its kept value (empty when none) and error.
    pub fn field(&self, name: &'static str) -> Field {
        self.field_or(name, String::new())
    }

    /// Field `name` as the last submission left it, showing `default` when no value was kept.
    pub fn field_or(&self, name: &'static str, default: impl Into<String>) -> Field {
        Field { name, value: self.kept_or(name, default), error: self.field_error(name) }
    }
}

/// One field of a form as the last submission left it: the name it posts as, the value to show
/// (kept from a failed submission, else a default; never a password) and what the error says
/// about it. One name for all three, so a field cannot show another field's value or error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub value: String,
    pub error: Option<String>,
}

impl Field {
    /// The input's element id, unless the page names another: `field-{name}`.
    pub fn default_id(&self) -> String {
        format!("field-{}", self.name)
    }
}

/// The non-empty value of field `name` that a failed plain submission to `action_path` kept.
pub fn kept_field(flash: &Option<Flash>, action_path: &str, name: &str) -> Option<String> {
    flash_for(flash, action_path).filter(|f| f.outcome.is_err()).and_then(|f| f.field(name)).filter(|v| !v.is_empty())
}

/// A labelled text input with hint and error.
#[component]
pub fn TextField(
    label: &'static str,
    field: Field,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(default = false)] required: bool,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    /// Element id, when `field-{name}` would not be unique on the page.
    #[prop(optional, into)]
    id: Option<String>,
) -> impl IntoView {
    let id = id.unwrap_or_else(|| field.default_id());
    let Field { name, value, error } = field;
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
                {(!required).then(|| view! { <span class="optional">{td_string!(locale, forms.optional)}</span> })}
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
            <FieldError id=error_id error />
        </div>
    }
}

/// What is wrong with a field, next to it; the line is there, empty and hidden by the
/// stylesheet, while there is nothing to say. `id` is what the field's `aria-describedby` names.
#[component]
pub fn FieldError(#[prop(optional, into)] id: Option<String>, error: Option<String>) -> impl IntoView {
    view! { <p class="field-error" id=id aria-live="polite">{error}</p> }
}

/// The submit button.
#[component]
pub fn SubmitButton(label: &'static str) -> impl IntoView {
    view! { <button type="submit" class="button primary">{label}</button> }
}

/// The `<option>`s of a select, `(value, text)` each; the one whose value is `chosen` is selected.
pub fn options(items: impl IntoIterator<Item = (String, String)>, chosen: &str) -> AnyView {
    items
        .into_iter()
        .map(|(value, text)| {
            let selected = value == chosen;
            view! { <option value=value selected=selected>{text}</option> }
        })
        .collect_view()
        .into_any()
}

/// What a create form says once it worked: "`before` **`name`** `after`" (the sentence's two
/// halves carry their own spaces), any more lines (its children), and a link to what was made.
#[component]
pub fn CreatedBanner(
    before: &'static str,
    name: String,
    after: String,
    href: String,
    /// The link's text.
    open: String,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="success-banner" role="status">
            <p>{before}<strong>{name}</strong>{after}</p>
            {children.map(|more| more())}
            <p><a href=href>{open}</a></p>
        </div>
    }
}

/// The outcome banner of a form: the error sentence (field errors are shown at their fields).
#[component]
pub fn FormError(error: Option<AppError>) -> impl IntoView {
    error.filter(|e| !matches!(e, AppError::InvalidField { .. })).map(|e| {
        view! { <p class="error-banner" role="alert">{e.message()}</p> }
    })
}

/// A list of rules with whether each is met, e.g. the password rules.
#[component]
pub fn Checklist(id: &'static str, items: Vec<(&'static str, bool)>) -> impl IntoView {
    let locale = crate::language::locale();
    view! {
        <ul class="checklist" id=id aria-label=td_string!(locale, forms.password_rules)>
            {items
                .into_iter()
                .map(|(text, met)| {
                    view! {
                        <li class:met=met>
                            <span aria-hidden="true">{if met { "✓ " } else { "○ " }}</span>
                            {text}
                            <span class="sr-only">
                                {if met { td_string!(locale, forms.met) } else { td_string!(locale, forms.not_met) }}
                            </span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
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
