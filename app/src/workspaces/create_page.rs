//! `/workspaces/new`: the create-workspace form.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use super::CreateWorkspace;
use crate::directory::my_clusters;
use crate::forms::UserPicker;
use crate::i18n::td_string;
use crate::kit::{
    flash_for, take_flash, CreatedBanner, Flash, FormError, FormState, NoticeUnavailable, SubmitButton, TextField,
};
use crate::layout::error_view;
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
            <Suspense fallback=crate::kit::Loading>
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

#[component]
fn CreateWorkspaceForm(perms: Permissions, clusters: Vec<String>, flash: Option<Flash>) -> impl IntoView {
    let locale = crate::language::locale();
    let form = FormState::<CreateWorkspace>::new(&flash);
    // One cluster: chosen for you. Several: none pre-chosen, unless kept from a failed attempt.
    let kept_clusters = form.kept_all("clusters[]");
    let single = clusters.len() == 1;
    let no_clusters = clusters.is_empty();
    let manager_hint = if perms.manage_workspaces {
        td_string!(locale, workspaces.manager_hint_admin)
    } else {
        td_string!(locale, workspaces.manager_hint_self)
    };

    view! {
        {form.success().map(|c| {
            let open = td_string!(locale, workspaces.open_workspace, name = c.name.clone()).to_string();
            view! {
                <CreatedBanner before=td_string!(locale, workspaces.created_before) name=c.name.clone()
                    after=td_string!(locale, workspaces.created_after).to_owned() href=format!("/workspaces/{}", c.name) open>
                    {(!c.has_cluster).then(|| view! { <p>{td_string!(locale, workspaces.created_no_cluster)}</p> })}
                </CreatedBanner>
            }
        })}
        <FormError error=form.error() />
        <form method="post" action=form.url() class="stack" novalidate>
            <TextField label=td_string!(locale, workspaces.name_label) field=form.field("name")
                required=true autocomplete="off" hint=td_string!(locale, workspaces.name_hint) />
            <UserPicker label=td_string!(locale, workspaces.manager) field=form.field_or("manager", perms.username.clone()) hint=manager_hint />
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
                <crate::kit::FieldError error=form.field_error("clusters") />
            </fieldset>
            <TextField label=td_string!(locale, workspaces.alias) field=form.field("alias") />
            <TextField label=td_string!(locale, workspaces.description) field=form.field("description") />
            <SubmitButton label=td_string!(locale, workspaces.submit) />
        </form>
    }
}
