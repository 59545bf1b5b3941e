//! `/projects/new`: the create-project form.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use super::{can_create_projects, check_project_name, CreateProject};
use crate::directory::WorkspaceSummary;
use crate::forms::{
    flash_for, workspace_form_start, Availability, Flash, FormError, FormState, SubmitButton, TextField,
};
use crate::i18n::td_string;
use crate::layout::{error_view, NoticeUnavailable};

#[component]
pub fn CreateProjectPage() -> impl IntoView {
    let data = Resource::new_blocking(
        || (),
        |_| async {
            let (flash, workspaces, first) = workspace_form_start(<CreateProject as ServerFn>::PATH).await;
            let allowed = match first {
                Some(ws) => (ws.clone(), can_create_projects(ws).await.unwrap_or(true)),
                None => (String::new(), true),
            };
            (workspaces, flash, allowed)
        },
    );
    let locale = crate::language::locale();
    view! {
        <main id="main" class="page narrow">
            <h1>{td_string!(locale, projects.create_title)}</h1>
            <Suspense fallback=move || view! { <p aria-busy="true">{td_string!(locale, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        (Ok(ws), ..) if ws.is_empty() => view! {
                            <NoticeUnavailable text=td_string!(locale, projects.no_workspace) />
                        }.into_any(),
                        (Ok(workspaces), flash, allowed) => {
                            let flash = flash_for(&flash, <CreateProject as ServerFn>::PATH);
                            view! { <CreateProjectForm workspaces flash first=allowed /> }.into_any()
                        }
                        (Err(e), ..) => error_view(e),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[island]
fn CreateProjectForm(
    workspaces: Vec<WorkspaceSummary>,
    flash: Option<Flash>,
    /// The workspace shown first (kept from a failed submission, else the first one), as the
    /// page loaded it, and whether the signed-in user may create projects there.
    first: (String, bool),
) -> impl IntoView {
    crate::forms::island_hydrated();
    let locale = crate::language::locale();
    let form = FormState::<CreateProject>::new(&flash);
    let workspace = RwSignal::new(first.0.clone());
    let initial_ws = first.0.clone();
    let cluster = RwSignal::new(form.kept("cluster"));
    let name = RwSignal::new(form.kept("name"));
    let alias = RwSignal::new(form.kept("alias"));
    let description = RwSignal::new(form.kept("description"));
    let all = StoredValue::new(workspaces.clone());
    let clusters = Signal::derive(move || {
        all.with_value(|ws| {
            ws.iter().find(|w| w.name == workspace.get()).map(|w| w.clusters.clone()).unwrap_or_default()
        })
    });
    // Loaded with the page for the first workspace; for another one, asked when it is chosen.
    let allowed = crate::forms::follow(workspace.into(), first.0, first.1, |ws| async move {
        can_create_projects(ws).await.unwrap_or(true)
    });
    // Keep the chosen cluster one of the workspace's (the select shows its first one by default).
    Effect::new(move |_| {
        let options = clusters.get();
        if !options.contains(&cluster.get_untracked()) {
            cluster.set(options.first().cloned().unwrap_or_default());
        }
    });
    let server_error = form.error();
    let created = form.success();
    form.on_success(move || {
        for field in [name, alias, description] {
            field.set(String::new());
        }
    });
    let field_error = move |f: &'static str| form.field_error(f);
    // The name is checked in the chosen workspace and cluster as it is typed.
    let probe = RwSignal::new(String::new());
    Effect::new(move |_| probe.set(format!("{}\n{}\n{}", workspace.get(), cluster.get(), name.get())));
    let check = crate::forms::live_check(probe, |key| async move {
        let mut parts = key.splitn(3, '\n').map(str::to_owned);
        let (ws, c, n) =
            (parts.next().unwrap_or_default(), parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
        if n.is_empty() {
            return Ok(Availability::Invalid(String::new()));
        }
        check_project_name(ws, c, n).await
    });
    let name_status = Signal::derive(move || {
        matches!(check.get(), Some(Availability::Available)).then(|| td_string!(locale, projects.available).to_owned())
    });
    let name_error = Signal::derive(move || {
        let v = name.get();
        (!v.is_empty())
            .then(|| ks_types::ProjectName::parse_new(&v).err())
            .flatten()
            .map(|e| crate::error::name_error(&e))
            .or_else(|| {
                matches!(check.get(), Some(Availability::Taken))
                    .then(|| td_string!(locale, projects.name_taken).to_owned())
            })
            .or_else(|| field_error("name").get())
    });

    view! {
        {move || created.get().map(|c| view! {
            <div class="success-banner" role="status">
                <p>
                    {td_string!(locale, projects.created_before)} <strong>{c.name.clone()}</strong>
                    {td_string!(locale, projects.created_after, workspace = c.workspace.clone(), cluster = c.cluster.clone()).to_string()}
                </p>
                <p><a href=format!("/projects/{}/{}", c.cluster, c.name)>{td_string!(locale, projects.open_project, name = c.name.clone()).to_string()}</a></p>
            </div>
        })}
        <FormError error=server_error />
        <ActionForm action=form.action attr:class="stack" attr:novalidate=true>
            <div class="field">
                <label for="field-workspace">{td_string!(locale, projects.workspace)}</label>
                <select id="field-workspace" name="workspace" on:change=move |ev| workspace.set(event_target_value(&ev))>
                    {workspaces.into_iter().map(|w| {
                        let selected = w.name == initial_ws;
                        view! { <option value=w.name.clone() selected=selected>{w.name.clone()}</option> }
                    }).collect_view()}
                </select>
                <p class="field-error" aria-live="polite">{move || field_error("workspace").get()}</p>
            </div>
            {move || (allowed.get() == Some(false)).then(|| view! {
                <NoticeUnavailable text=td_string!(locale, projects.cannot_create_in, workspace = workspace.get()).to_string() />
            })}
            {move || clusters.get().is_empty().then(|| view! {
                <NoticeUnavailable text=td_string!(locale, projects.workspace_no_cluster, workspace = workspace.get()).to_string() />
            })}
            <div class="field">
                <label for="field-cluster">{td_string!(locale, projects.cluster)}</label>
                <select id="field-cluster" name="cluster" on:change=move |ev| cluster.set(event_target_value(&ev))>
                    {move || clusters.get().into_iter().map(|c| {
                        let selected = c == cluster.get_untracked();
                        view! { <option value=c.clone() selected=selected>{c.clone()}</option> }
                    }).collect_view()}
                </select>
                <p class="hint">{td_string!(locale, projects.cluster_hint)}</p>
                <p class="field-error" aria-live="polite">{move || field_error("cluster").get()}</p>
            </div>
            <TextField label=td_string!(locale, projects.name_label) name="name" value=name error=name_error required=true autocomplete="off"
                hint=td_string!(locale, projects.name_hint) status=name_status />
            <TextField label=td_string!(locale, projects.alias) name="alias" value=alias />
            <TextField label=td_string!(locale, projects.description) name="description" value=description />
            <SubmitButton label=td_string!(locale, projects.submit) pending_label=td_string!(locale, projects.submitting)
                pending=form.action.pending() />
        </ActionForm>
    }
}
