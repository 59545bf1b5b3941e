//! `/requests/new?workspace=…[&cluster=…&project=…]&role=…`, and the join links
//! `/join/{ws}[/{cluster}/{project}]?role=…` that open it prefilled: ask for a built-in role in a
//! workspace or project, with a reason. Plain HTML (no WASM).

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{access_request_form, AskForAccess, Place, RequestForm};
use crate::i18n::td_string;
use crate::kit::{take_flash, Flash, FormError, FormState, SubmitButton};
use crate::layout::error_view;

#[component]
pub fn NewRequestPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    // A join link names the place in its path; the form's own address in its query.
    let asked = move || {
        let from =
            |name: &str| params.with(|p| p.get(name)).or_else(|| query.with(|q| q.get(name))).unwrap_or_default();
        (Place { workspace: from("workspace"), cluster: from("cluster"), project: from("project") }, from("role"))
    };
    let data = Resource::new_blocking(asked, |(place, role)| async move {
        let (flash, form) = futures::join!(take_flash(), access_request_form(place, role));
        (flash.ok().flatten(), form)
    });
    let locale = crate::language::locale();
    view! {
        <main id="main" class="page narrow">
            <h1>{td_string!(locale, requests.new_title)}</h1>
            <Suspense fallback=crate::kit::Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        (flash, Ok(form)) => view! { <RequestFormView form flash /> }.into_any(),
                        (_, Err(e)) => error_view(e),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn RequestFormView(form: RequestForm, flash: Option<Flash>) -> impl IntoView {
    let locale = crate::language::locale();
    let state = FormState::<AskForAccess>::new(&flash);
    let place = form.place.clone();
    let where_ = td_string!(locale, requests.asking_for, place = place.phrase(locale)).to_string();
    let chosen = state.kept_or("role", form.chosen.clone());
    view! {
        {state.success().map(|r| view! {
            <div class="success-banner" role="status">
                <p>{td_string!(locale, requests.sent, role = r.role_name(), place = r.place.label()).to_string()}</p>
                <p><a href="/requests">{td_string!(locale, requests.see_mine)}</a></p>
            </div>
        })}
        <FormError error=state.error() />
        <p>{where_}</p>
        <p class="muted">{td_string!(locale, requests.new_intro)}</p>
        {form.custom_asked.map(|role| view! {
            <p class="notice" role="note">{td_string!(locale, requests.custom_asked, role = role).to_string()}</p>
        })}
        <form method="post" action={<AskForAccess as ServerFn>::PATH} class="stack" novalidate>
            <input type="hidden" name="workspace" value=place.workspace.clone() />
            <input type="hidden" name="cluster" value=place.cluster.clone() />
            <input type="hidden" name="project" value=place.project.clone() />
            // A plain select: asking for an admin role needs no confirmation (approving it does).
            <div class="field">
                <label for="field-role">{td_string!(locale, requests.role)}</label>
                <select id="field-role" name="role" aria-describedby="field-role-error">
                    {crate::kit::options(form.roles.into_iter().map(|o| (o.value, format!("{} — {}", o.name, o.description))), &chosen)}
                </select>
                <crate::kit::FieldError id="field-role-error" error=state.field_error("role") />
            </div>
            <div class="field">
                <label for="field-reason">{td_string!(locale, requests.reason)}</label>
                <textarea id="field-reason" name="reason" rows="3" maxlength=super::MAX_REASON_CHARS.to_string()
                    aria-describedby="field-reason-hint field-reason-error"
                    aria-invalid=state.field_error("reason").is_some().then_some("true")>{state.kept("reason")}</textarea>
                <p class="hint" id="field-reason-hint">{td_string!(locale, requests.reason_hint)}</p>
                <crate::kit::FieldError id="field-reason-error" error=state.field_error("reason") />
            </div>
            <SubmitButton label=td_string!(locale, requests.ask) />
        </form>
    }
}
