//! The role dropdown: built-in roles only, what each grants, and the confirmation an admin
//! role needs; and the checklist of rules (e.g. the password's).

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use serde::de::DeserializeOwned;

use super::follow::{FieldLook, FollowList, FollowingField};
use super::RoleOption;
use crate::error::AppError;
use crate::i18n::td_string;
use crate::kit::FormState;

/// What a [`RoleSelect`] shows chosen, and what the errors say about the role and about its
/// admin confirmation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleChoice {
    pub selected: String,
    pub error: Option<String>,
    pub confirm_error: Option<String>,
}

impl RoleChoice {
    /// `selected`, with nothing said about it.
    pub fn new(selected: impl Into<String>) -> Self {
        Self { selected: selected.into(), ..Self::default() }
    }

    /// The role select drawn as `look`, as the last submission of `form` left it (`default`
    /// when no role was kept).
    pub fn kept<S>(form: &FormState<S>, look: &FieldLook, default: &str) -> Self
    where
        S: ServerFn<Error = AppError>,
        S::Output: Clone + DeserializeOwned,
    {
        Self {
            selected: form.kept_or(&look.name, default),
            error: form.field_error(&look.name),
            confirm_error: form.field_error("confirm_admin"),
        }
    }
}

/// A role dropdown (built-in roles only, as the server offers them) with what the chosen role
/// grants, and the explicit confirmation an admin role needs. Rendered on the server only: the
/// stylesheet shows the chosen role's description and, when an admin role is chosen, the
/// confirmation (`:has()`; older browsers show them all), so it needs no WASM.
#[component]
pub fn RoleSelect(
    look: FieldLook,
    options: Vec<RoleOption>,
    chosen: RoleChoice,
    /// The list it is when [`super::Follow`] replaces it for another workspace.
    #[prop(optional)]
    follows: Option<FollowList>,
) -> impl IntoView {
    let locale = crate::language::locale();
    let FieldLook { id, name, label } = look.clone();
    let RoleChoice { selected, error, confirm_error } = chosen;
    let (hints_id, error_id, confirm_error_id) =
        (format!("{id}-hint"), format!("{id}-error"), format!("{id}-confirm-error"));
    // Built-in role lists have one admin role; its grant is what the confirmation names.
    let admin = options.iter().find(|o| o.is_admin).cloned();
    let hints = options.iter().map(|o| view! { <p class="hint role-hint">{o.description.clone()}</p> }).collect_view();
    view! {
        <FollowingField list=follows look class="role-field">
            <div class="field">
                <label for=id.clone()>{label}</label>
                <select id=id name=name aria-describedby=format!("{hints_id} {error_id}")>
                    {options.into_iter().map(|o| {
                        let chosen = o.value == selected;
                        view! { <option value=o.value selected=chosen data-admin=o.is_admin.then_some("")>{o.name}</option> }
                    }).collect_view()}
                </select>
                <div id=hints_id>{hints}</div>
                <crate::kit::FieldError id=error_id error=error />
            </div>
            {admin.map(|o| {
                let grant = td_string!(locale, forms.confirm_grant, role = o.name, description = o.description).to_string();
                view! {
                    <div class="field confirm-admin">
                        <label class="checkbox">
                            <input type="checkbox" name="confirm_admin" value="yes" aria-describedby=confirm_error_id.clone()
                                aria-invalid=confirm_error.is_some().then_some("true") />
                            {format!(" {grant}")}
                        </label>
                        <crate::kit::FieldError id=confirm_error_id error=confirm_error />
                    </div>
                }
            })}
        </FollowingField>
    }
}
