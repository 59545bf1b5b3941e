//! `/projects/new`: the create-project form.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use super::{can_create_projects, CreateProject};
use crate::directory::WorkspaceSummary;
use crate::forms::{workspace_form_start, ClusterSelect, FieldLook, Follow, WorkspaceNotice, WorkspaceSelect};
use crate::i18n::td_string;
use crate::kit::{flash_for, CreatedBanner, Flash, FormError, FormState, NoticeUnavailable, SubmitButton, TextField};
use crate::layout::error_view;

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
            <Suspense fallback=crate::kit::Loading>
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

/// The form. The cluster select follows the chosen workspace ([`Follow`]); a notice about the
/// first workspace goes once another one is chosen.
#[component]
fn CreateProjectForm(
    workspaces: Vec<WorkspaceSummary>,
    flash: Option<Flash>,
    /// The workspace shown first (kept from a failed submission, else the first one), as the
    /// page loaded it, and whether the signed-in user may create projects there.
    first: (String, bool),
) -> impl IntoView {
    let locale = crate::language::locale();
    let form = FormState::<CreateProject>::new(&flash);
    let (first_ws, allowed) = first;
    let clusters = workspaces.iter().find(|w| w.name == first_ws).map(|w| w.clusters.clone()).unwrap_or_default();
    let names: Vec<String> = workspaces.into_iter().map(|w| w.name).collect();
    let created = form.success();
    let (workspace_error, cluster, cluster_error) =
        (form.field_error("workspace"), form.kept("cluster"), form.field_error("cluster"));
    view! {
        {created.map(|c| {
            let after = td_string!(locale, projects.created_after, workspace = c.workspace.clone(), cluster = c.cluster.clone());
            let open = td_string!(locale, projects.open_project, name = c.name.clone()).to_string();
            view! {
                <CreatedBanner before=td_string!(locale, projects.created_before) name=c.name.clone()
                    after=after.to_string() href=format!("/projects/{}/{}", c.cluster, c.name) open />
            }
        })}
        <FormError error=form.error() />
        <form method="post" action=form.url() class="stack" novalidate>
            <Follow>
                <WorkspaceSelect id="field-workspace" label=td_string!(locale, projects.workspace) workspaces=names
                    selected=first_ws.clone() error=workspace_error />
                {(!allowed).then(|| view! {
                    <WorkspaceNotice text=td_string!(locale, projects.cannot_create_in, workspace = first_ws.clone()).to_string() />
                })}
                <ClusterSelect look=FieldLook::new("field-cluster", "cluster", td_string!(locale, projects.cluster))
                    workspace=first_ws.clone() clusters selected=cluster error=cluster_error />
            </Follow>
            <TextField label=td_string!(locale, projects.name_label) field=form.field("name")
                required=true autocomplete="off" hint=td_string!(locale, projects.name_hint) />
            <TextField label=td_string!(locale, projects.alias) field=form.field("alias") />
            <TextField label=td_string!(locale, projects.description) field=form.field("description") />
            <SubmitButton label=td_string!(locale, projects.submit) />
        </form>
    }
}
