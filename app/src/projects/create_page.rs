//! `/projects/new`: the create-project form.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use super::{can_create_projects, check_project_name, CreateProject};
use crate::directory::WorkspaceSummary;
use crate::forms::{
    flash_for, workspace_form_start, Availability, Flash, FormError, FormState, SubmitButton, TextField,
};
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
    view! {
        <main id="main" class="page narrow">
            <h1>"Create a project"</h1>
            <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        (Ok(ws), ..) if ws.is_empty() => view! {
                            <NoticeUnavailable text="You are not a member of any workspace yet, so there is nowhere to create a project." />
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
        matches!(check.get(), Some(Availability::Available)).then(|| "✓ Available in this workspace".to_owned())
    });
    let name_error = Signal::derive(move || {
        let v = name.get();
        (!v.is_empty())
            .then(|| ks_types::ProjectName::parse_new(&v).err())
            .flatten()
            .map(|e| e.to_string())
            .or_else(|| {
                matches!(check.get(), Some(Availability::Taken))
                    .then(|| "A project with this name already exists.".to_owned())
            })
            .or_else(|| field_error("name").get())
    });

    view! {
        {move || created.get().map(|c| view! {
            <div class="success-banner" role="status">
                <p>"Project " <strong>{c.name.clone()}</strong> " was created in workspace " {c.workspace.clone()} " on cluster " {c.cluster.clone()} "."</p>
                <p><a href=format!("/projects/{}/{}", c.cluster, c.name)>"Open project " {c.name.clone()}</a></p>
            </div>
        })}
        <FormError error=server_error />
        <ActionForm action=form.action attr:class="stack" attr:novalidate=true>
            <div class="field">
                <label for="field-workspace">"Workspace"</label>
                <select id="field-workspace" name="workspace" on:change=move |ev| workspace.set(event_target_value(&ev))>
                    {workspaces.into_iter().map(|w| {
                        let selected = w.name == initial_ws;
                        view! { <option value=w.name.clone() selected=selected>{w.name.clone()}</option> }
                    }).collect_view()}
                </select>
                <p class="field-error" aria-live="polite">{move || field_error("workspace").get()}</p>
            </div>
            {move || (allowed.get() == Some(false)).then(|| view! {
                <NoticeUnavailable text=format!("You cannot create projects in {}: your role there does not allow it.", workspace.get()) />
            })}
            {move || clusters.get().is_empty().then(|| view! {
                <NoticeUnavailable text=format!(
                    "Workspace {} is on no cluster yet, so it cannot hold projects. A platform administrator places it on a cluster.",
                    workspace.get(),
                ) />
            })}
            <div class="field">
                <label for="field-cluster">"Cluster"</label>
                <select id="field-cluster" name="cluster" on:change=move |ev| cluster.set(event_target_value(&ev))>
                    {move || clusters.get().into_iter().map(|c| {
                        let selected = c == cluster.get_untracked();
                        view! { <option value=c.clone() selected=selected>{c.clone()}</option> }
                    }).collect_view()}
                </select>
                <p class="hint">"One of the workspace's clusters."</p>
                <p class="field-error" aria-live="polite">{move || field_error("cluster").get()}</p>
            </div>
            <TextField label="Project name" name="name" value=name error=name_error required=true autocomplete="off"
                hint="Starts with a lowercase letter; lowercase letters, digits and hyphens; at most 63 characters. Unique across all workspaces."
                status=name_status />
            <TextField label="Alias" name="alias" value=alias />
            <TextField label="Description" name="description" value=description />
            <SubmitButton label="Create project" pending_label="Creating project…" pending=form.action.pending() />
        </ActionForm>
    }
}
