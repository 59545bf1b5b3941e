//! The role dropdown: built-in roles only, what each grants, and the confirmation an admin
//! role needs; and the checklist of rules (e.g. the password's).

use leptos::prelude::*;

use super::RoleOption;
use crate::i18n::td_string;

/// A role dropdown (built-in roles only, as the server offers them) with what the chosen role
/// grants, and the explicit confirmation an admin role needs.
#[component]
pub fn RoleSelect(
    label: &'static str,
    name: &'static str,
    #[prop(into)] options: Signal<Vec<RoleOption>>,
    selected: RwSignal<String>,
    #[prop(into, optional)] error: MaybeProp<String>,
    #[prop(into, optional)] confirm_error: MaybeProp<String>,
    #[prop(optional)] id: Option<&'static str>,
) -> impl IntoView {
    let id = id.map(str::to_owned).unwrap_or_else(|| format!("field-{name}"));
    let current = Signal::derive(move || options.get().into_iter().find(|o| o.value == selected.get()));
    let is_admin = Signal::derive(move || current.get().is_some_and(|o| o.is_admin));
    let locale = crate::language::locale();
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select id=id.clone() name=name on:change=move |ev| selected.set(event_target_value(&ev))
                aria-describedby=format!("{id}-hint {id}-error")>
                // The options follow the workspace; the chosen one follows `selected`, also when
                // the options are replaced (e.g. another workspace's regular role after a switch).
                {move || options.get().into_iter().map(|o| {
                    let value = o.value.clone();
                    let same = value.clone();
                    view! { <option value=o.value.clone() selected=move || selected.get() == value prop:selected=move || selected.get() == same>{o.name.clone()}</option> }
                }).collect_view()}
            </select>
            <p class="hint" id=format!("{id}-hint")>{move || current.get().map(|o| o.description)}</p>
            <p class="field-error" id=format!("{id}-error") aria-live="polite">{move || error.get()}</p>
        </div>
        <Show when=move || is_admin.get()>
            <div class="field confirm-admin">
                <label class="checkbox">
                    <input type="checkbox" name="confirm_admin" value="yes" />
                    {move || {
                        current.get().map(|o| {
                            let grant = td_string!(locale, forms.confirm_grant, role = o.name, description = o.description);
                            format!(" {grant}")
                        })
                    }}
                </label>
                <p class="field-error" aria-live="polite">{move || confirm_error.get()}</p>
            </div>
        </Show>
    }
}

/// A list of rules with whether each is met, e.g. the password rules.
#[component]
pub fn Checklist(id: &'static str, #[prop(into)] items: Signal<Vec<(&'static str, bool)>>) -> impl IntoView {
    let locale = crate::language::locale();
    view! {
        <ul class="checklist" id=id aria-live="polite" aria-label=td_string!(locale, forms.password_rules)>
            {move || {
                items
                    .get()
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
                    .collect_view()
            }}
        </ul>
    }
}
