//! `/users/{name}/same-access?reference=…`: choose whose access to copy, review what will be
//! added and what is skipped (and why), then apply. Plain HTML forms (no WASM).

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

use super::{same_access_plan, ApplySameAccess, Outcome, SameAccess};
use crate::error::AppError;
use crate::i18n::td_string;
use crate::kit::{route_param, take_flash, Flash, FormError, FormState};
use crate::layout::error_view;

#[component]
pub fn SameAccessPage() -> impl IntoView {
    let name = route_param("name");
    let query = use_query_map();
    let reference = move || query.with(|q| q.get("reference").unwrap_or_default());
    let data = Resource::new_blocking(
        move || (name(), reference()),
        |(user, reference)| async move {
            let flash = take_flash().await.ok().flatten();
            if reference.is_empty() {
                return (flash, Ok(None));
            }
            (flash, same_access_plan(user, reference).await.map(Some))
        },
    );
    let locale = crate::language::locale();
    view! {
        <main id="main" class="page">
            <h1>{move || td_string!(locale, same_access.title, user = name()).to_string()}</h1>
            <p class="muted">{td_string!(locale, same_access.intro)}</p>
            <Suspense fallback=crate::kit::Loading>
                {move || Suspend::new(async move {
                    let (flash, plan) = data.await;
                    let field_error = match &plan {
                        Err(e @ AppError::InvalidField { .. }) => e.for_field("reference"),
                        _ => None,
                    };
                    view! {
                        <ReferenceForm user=name() reference=reference() error=field_error />
                        {match plan {
                            Ok(Some(plan)) => view! { <Review plan flash /> }.into_any(),
                            Ok(None) => ().into_any(),
                            Err(AppError::InvalidField { .. }) => ().into_any(),
                            Err(e) => error_view(e),
                        }}
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn ReferenceForm(user: String, reference: String, error: Option<String>) -> impl IntoView {
    let locale = crate::language::locale();
    view! {
        <form method="get" action=format!("/users/{user}/same-access") class="filters" aria-label=td_string!(locale, same_access.reference)>
            <div class="field">
                <label for="field-reference">{td_string!(locale, same_access.reference)}</label>
                <input id="field-reference" name="reference" type="text" value=reference autocomplete="off" spellcheck="false"
                    autocapitalize="none" aria-invalid=error.is_some().then_some("true") aria-describedby="field-reference-error" />
                <crate::kit::FieldError id="field-reference-error" error=error />
            </div>
            <button type="submit" class="button">{td_string!(locale, same_access.show_plan)}</button>
        </form>
    }
}

#[component]
fn Review(plan: SameAccess, flash: Option<Flash>) -> impl IntoView {
    let locale = crate::language::locale();
    let form = FormState::<ApplySameAccess>::new(&flash);
    let adds = plan.rows.iter().filter(|r| matches!(r.outcome, Outcome::Add(_))).count();
    let SameAccess { user, reference, rows, key, grants_admin, partial } = plan;
    view! {
        {form.success().map(|a| view! {
            <p class="success-banner" role="status">
                {td_string!(locale, same_access.applied, n = a.added, user = a.user.clone()).to_string()}
                " " <a href=format!("/users/{}", a.user)>{td_string!(locale, same_access.see_person)}</a>
            </p>
        })}
        <FormError error=form.error() />
        {partial.map(|text| view! { <p class="notice" role="note">{text}</p> })}
        <table class="cards-on-phone">
            <caption>{td_string!(locale, same_access.caption, reference = reference.clone()).to_string()}</caption>
            <thead><tr>
                <th scope="col">{td_string!(locale, same_access.place)}</th>
                <th scope="col">{td_string!(locale, same_access.role)}</th>
                <th scope="col">{td_string!(locale, same_access.outcome)}</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|r| {
                    let outcome = match r.outcome {
                        Outcome::Add(steps) => view! { <strong>{td_string!(locale, same_access.added)}</strong>" "{steps.join("; ")} }.into_any(),
                        Outcome::Skip(why) => view! { <span class="muted">{td_string!(locale, same_access.skipped)}" "{why}</span> }.into_any(),
                    };
                    view! {
                        <tr>
                            <td data-label=td_string!(locale, same_access.place)>{r.place}</td>
                            <td data-label=td_string!(locale, same_access.role)>{r.role}</td>
                            <td data-label=td_string!(locale, same_access.outcome)>{outcome}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {if adds == 0 {
            view! { <p>{td_string!(locale, same_access.nothing_to_add)}</p> }.into_any()
        } else {
            view! {
                <form method="post" action={<ApplySameAccess as ServerFn>::PATH} class="stack">
                    <input type="hidden" name="user" value=user />
                    <input type="hidden" name="reference" value=reference />
                    <input type="hidden" name="key" value=key />
                    {grants_admin.then(|| view! {
                        <div class="field">
                            <label class="checkbox">
                                <input type="checkbox" name="confirm_admin" value="yes" />
                                " " {td_string!(locale, same_access.confirm_admin)}
                            </label>
                            <crate::kit::FieldError error=form.field_error("confirm_admin") />
                        </div>
                    })}
                    <button type="submit" class="button primary">{td_string!(locale, same_access.apply, n = adds).to_string()}</button>
                </form>
            }.into_any()
        }}
    }
}
