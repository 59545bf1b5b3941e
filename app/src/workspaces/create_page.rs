//! `/workspaces/new`: the create-workspace form.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use super::{check_workspace_name, CreateWorkspace};
use crate::directory::my_clusters;
use crate::forms::{
    flash_for, live_check, take_flash, Availability, Flash, FormError, FormState, SubmitButton, TextField, UserPicker,
};
use crate::layout::{error_view, NoticeUnavailable};
use crate::permissions::{my_permissions, Permissions};

#[component]
pub fn CreateWorkspacePage() -> impl IntoView {
    let data = Resource::new_blocking(
        || (),
        |_| async {
            let (perms, clusters, flash) = futures::future::join3(my_permissions(), my_clusters(), take_flash()).await;
            (perms, clusters, flash.ok().flatten())
        },
    );
    view! {
        <main id="main" class="page narrow">
            <h1>"Create a workspace"</h1>
            <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let (perms, clusters, flash) = data.await;
                    match (perms, clusters) {
                        (Ok(p), _) if !p.create_workspaces => view! {
                            <NoticeUnavailable text=format!(
                                "Your platform role ({}) cannot create workspaces. Ask a platform administrator.",
                                p.role_label(),
                            ) />
                        }.into_any(),
                        (Ok(p), Ok(clusters)) => {
                            let flash = flash_for(&flash, <CreateWorkspace as ServerFn>::PATH);
                            view! { <CreateWorkspaceForm perms=p clusters flash /> }.into_any()
                        }
                        (Err(e), _) | (_, Err(e)) => error_view(e),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[island]
fn CreateWorkspaceForm(perms: Permissions, clusters: Vec<String>, flash: Option<Flash>) -> impl IntoView {
    crate::forms::island_hydrated();
    let form = FormState::<CreateWorkspace>::new(&flash);
    let name = RwSignal::new(form.kept("name"));
    let alias = RwSignal::new(form.kept("alias"));
    let description = RwSignal::new(form.kept("description"));
    let manager = RwSignal::new(form.kept_or("manager", perms.username.clone()));
    // One cluster: chosen for you. Several: none pre-chosen, unless kept from a failed attempt.
    let kept_clusters = form.kept_all("clusters[]");
    let server_error = form.error();
    let created = form.success();
    form.on_success(move || {
        for field in [name, alias, description] {
            field.set(String::new());
        }
    });

    let check = live_check(name, |v| async move { check_workspace_name(v).await });
    let name_error = Signal::derive(move || {
        let v = name.get();
        let local =
            (!v.is_empty()).then(|| ks_types::WorkspaceName::parse_new(&v).err()).flatten().map(|e| e.to_string());
        local
            .or_else(|| {
                matches!(check.get(), Some(Availability::Taken))
                    .then(|| "A workspace with this name already exists.".to_owned())
            })
            .or_else(|| server_error.get().and_then(|e| e.for_field("name")))
    });
    let name_status =
        Signal::derive(move || matches!(check.get(), Some(Availability::Available)).then(|| "✓ Available".to_owned()));
    let field_error = move |f: &'static str| form.field_error(f);
    let single = clusters.len() == 1;
    let no_clusters = clusters.is_empty();
    let manager_hint = if perms.manage_workspaces {
        "The workspace administrator. Defaults to you."
    } else {
        "Your platform role lets you create workspaces that you manage yourself."
    };

    view! {
        {move || created.get().map(|c| view! {
            <div class="success-banner" role="status">
                <p>"Workspace " <strong>{c.name.clone()}</strong> " was created."</p>
                {(!c.has_cluster).then(|| view! {
                    <p>"It is on no cluster yet, so it cannot hold projects until a platform administrator places it on one."</p>
                })}
                <p><a href=format!("/workspaces/{}", c.name)>"Open workspace " {c.name.clone()}</a></p>
            </div>
        })}
        <FormError error=server_error />
        <ActionForm action=form.action attr:class="stack" attr:novalidate=true>
            <TextField label="Workspace name" name="name" value=name error=name_error required=true autocomplete="off"
                hint="Lowercase letters, digits and hyphens; at most 63 characters." status=name_status />
            <UserPicker label="Manager" name="manager" value=manager error=field_error("manager") hint=manager_hint />
            <fieldset class="field">
                <legend>"Clusters"</legend>
                {if no_clusters {
                    view! {
                        <p class="hint" id="clusters-none">
                            "No cluster yet: you may not place workspaces on any cluster. A platform administrator places the \
                             workspace on a cluster later; until then it cannot hold projects."
                        </p>
                    }.into_any()
                } else {
                    view! {
                        <p class="hint">"Where the workspace's projects can run. Leave all unchecked to let a platform administrator place it later."</p>
                    }.into_any()
                }}
                {clusters.into_iter().map(|c| {
                    let checked = single || kept_clusters.contains(&c);
                    view! {
                        <label class="checkbox">
                            <input type="checkbox" name="clusters[]" value=c.clone() checked=checked />
                            {format!(" {c}")}
                        </label>
                    }
                }).collect_view()}
                <p class="field-error" aria-live="polite">{move || field_error("clusters").get()}</p>
            </fieldset>
            <TextField label="Alias" name="alias" value=alias />
            <TextField label="Description" name="description" value=description />
            <SubmitButton label="Create workspace" pending_label="Creating workspace…" pending=form.action.pending() />
        </ActionForm>
    }
}
