//! `/workspaces/new`: the create-workspace form.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use super::{check_workspace_name, CreateWorkspace};
use crate::directory::my_clusters;
use crate::forms::{
    flash_for, live_check, take_flash, Availability, Flash, FormError, FormState, SubmitButton, TextField, UserPicker,
};
use crate::i18n::td_string;
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
    let locale = crate::language::locale();
    view! {
        <main id="main" class="page narrow">
            <h1>{td_string!(locale, workspaces.create_title)}</h1>
            <Suspense fallback=move || view! { <p aria-busy="true">{td_string!(locale, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    let (perms, clusters, flash) = data.await;
                    match (perms, clusters) {
                        (Ok(p), _) if !p.create_workspaces => view! {
                            <NoticeUnavailable text=td_string!(
                                locale,
                                workspaces.cannot_create,
                                role = p.platform_role.clone().unwrap_or_else(|| td_string!(locale, workspaces.no_platform_role).to_owned()),
                            ).to_string() />
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
    let locale = crate::language::locale();
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
        let local = (!v.is_empty())
            .then(|| ks_types::WorkspaceName::parse_new(&v).err())
            .flatten()
            .map(|e| crate::error::name_error(&e));
        local
            .or_else(|| {
                matches!(check.get(), Some(Availability::Taken))
                    .then(|| td_string!(locale, workspaces.name_taken).to_owned())
            })
            .or_else(|| server_error.get().and_then(|e| e.for_field("name")))
    });
    let name_status = Signal::derive(move || {
        matches!(check.get(), Some(Availability::Available))
            .then(|| td_string!(locale, workspaces.available).to_owned())
    });
    let field_error = move |f: &'static str| form.field_error(f);
    let single = clusters.len() == 1;
    let no_clusters = clusters.is_empty();
    let manager_hint = if perms.manage_workspaces {
        td_string!(locale, workspaces.manager_hint_admin)
    } else {
        td_string!(locale, workspaces.manager_hint_self)
    };

    view! {
        {move || created.get().map(|c| view! {
            <div class="success-banner" role="status">
                <p>{td_string!(locale, workspaces.created_before)} <strong>{c.name.clone()}</strong> {td_string!(locale, workspaces.created_after)}</p>
                {(!c.has_cluster).then(|| view! {
                    <p>{td_string!(locale, workspaces.created_no_cluster)}</p>
                })}
                <p><a href=format!("/workspaces/{}", c.name)>{td_string!(locale, workspaces.open_workspace, name = c.name.clone()).to_string()}</a></p>
            </div>
        })}
        <FormError error=server_error />
        <ActionForm action=form.action attr:class="stack" attr:novalidate=true>
            <TextField label=td_string!(locale, workspaces.name_label) name="name" value=name error=name_error required=true autocomplete="off"
                hint=td_string!(locale, workspaces.name_hint) status=name_status />
            <UserPicker label=td_string!(locale, workspaces.manager) name="manager" value=manager error=field_error("manager") hint=manager_hint />
            <fieldset class="field">
                <legend>{td_string!(locale, workspaces.clusters)}</legend>
                {if no_clusters {
                    view! {
                        <p class="hint" id="clusters-none">{td_string!(locale, workspaces.clusters_none)}</p>
                    }.into_any()
                } else {
                    view! {
                        <p class="hint">{td_string!(locale, workspaces.clusters_hint)}</p>
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
            <TextField label=td_string!(locale, workspaces.alias) name="alias" value=alias />
            <TextField label=td_string!(locale, workspaces.description) name="description" value=description />
            <SubmitButton label=td_string!(locale, workspaces.submit) pending_label=td_string!(locale, workspaces.submitting)
                pending=form.action.pending() />
        </ActionForm>
    }
}
