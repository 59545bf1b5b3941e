//! `/workspaces/invite` and `/projects/invite`: invite one or several people, least privilege
//! by default (the workspace's built-in regular role, `viewer`).

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use super::{can_manage_project_members, can_manage_workspace_members, InviteProjectMembers, InviteWorkspaceMembers};
use crate::directory::ProjectSummary;
use crate::error::AppError;
use crate::forms::{
    flash_for, follow, kept_field, project_form_start, take_flash, workspace_form_start, workspace_of, Flash,
    FormError, FormState, PickerStart, ProjectPicker, RoleOption, RoleSelect, SubmitButton, UserPicker,
};
use crate::i18n::td_string;
use crate::layout::{error_view, person_from_address, workspace_from_address, NoticeUnavailable};
use crate::roles::{project_role_options, workspace_role_options, MembershipChange, REGULAR};

/// Where people were invited: the success sentence differs.
#[derive(Clone, Copy)]
enum Place {
    Workspace,
    Project,
}

fn success_banner(change: MembershipChange, place: Place) -> impl IntoView {
    let locale = crate::language::locale();
    let users = change.usernames.join(td_string!(locale, memberships.list_separator));
    let (target, role) = (change.target.as_str(), change.role.as_str());
    let sentence = match place {
        Place::Workspace => td_string!(locale, memberships.invited_workspace, users = &users, target, role).to_string(),
        Place::Project => td_string!(locale, memberships.invited_project, users = &users, target, role).to_string(),
    };
    view! {
        <div class="success-banner" role="status">
            <p>{sentence}</p>
            {change.usernames.into_iter().map(|u| view! {
                <p><a href=format!("/users/{u}")>{td_string!(locale, memberships.open_person, user = &u).to_string()}</a></p>
            }).collect_view()}
        </div>
    }
}

#[component]
pub fn InviteWorkspacePage() -> impl IntoView {
    let person = StoredValue::new(person_from_address());
    // Everything the first render needs, in one blocking load: the workspaces, and the roles and
    // permissions of the one shown first.
    let data = Resource::new_blocking(
        || (),
        |_| async {
            // Two rounds: the workspaces; then the roles of the one shown first, and whether the
            // user may invite people there.
            let (flash, workspaces, first) = workspace_form_start(<InviteWorkspaceMembers as ServerFn>::PATH).await;
            let (roles, allowed) = match &first {
                Some(ws) => {
                    let (roles, allowed) = futures::future::join(
                        workspace_role_options(ws.clone()),
                        can_manage_workspace_members(ws.clone()),
                    )
                    .await;
                    (roles.unwrap_or_default(), (ws.clone(), allowed.unwrap_or(true)))
                }
                None => (Vec::new(), (String::new(), true)),
            };
            (workspaces, flash, roles, allowed)
        },
    );
    let locale = crate::language::locale();
    view! {
        <main id="main" class="page narrow">
            <h1>{td_string!(locale, memberships.invite_workspace_title)}</h1>
            <Suspense fallback=move || view! { <p aria-busy="true">{td_string!(locale, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        (Ok(ws), ..) if ws.is_empty() => view! {
                            <NoticeUnavailable text=td_string!(locale, memberships.no_workspace_to_invite) />
                        }.into_any(),
                        (Ok(workspaces), flash, roles, allowed) => {
                            let names = workspaces.into_iter().map(|w| w.name).collect::<Vec<_>>();
                            let flash = flash_for(&flash, <InviteWorkspaceMembers as ServerFn>::PATH);
                            view! { <InviteWorkspaceForm workspaces=names flash roles first=allowed person=person.get_value() /> }.into_any()
                        }
                        (Err(e), ..) => error_view(e),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[island]
fn InviteWorkspaceForm(
    workspaces: Vec<String>,
    flash: Option<Flash>,
    roles: Vec<RoleOption>,
    /// The workspace shown first (kept from a failed submission, else the first one), as the
    /// page loaded it, and whether the signed-in user may invite people there.
    first: (String, bool),
    person: String,
) -> impl IntoView {
    crate::forms::island_hydrated();
    let locale = crate::language::locale();
    let form = FormState::<InviteWorkspaceMembers>::new(&flash);
    let workspace = RwSignal::new(first.0.clone());
    let initial_ws = first.0.clone();
    let usernames = RwSignal::new(form.kept_or("usernames", person));
    let role = RwSignal::new(form.kept_or("role", REGULAR));
    // Role options follow the chosen workspace; the default is always its regular role.
    let roles = follow(workspace.into(), initial_ws.clone(), roles, |ws| async move {
        workspace_role_options(ws).await.unwrap_or_default()
    });
    // Loaded with the page for the first workspace; for another one, asked when it is chosen.
    let allowed = follow(workspace.into(), first.0, first.1, |ws| async move {
        can_manage_workspace_members(ws).await.unwrap_or(true)
    });
    Effect::new(move |prev: Option<String>| {
        let ws = workspace.get();
        if prev.is_some_and(|p| p != ws) {
            role.set(REGULAR.to_owned());
        }
        ws
    });
    let server_error = form.error();
    let field_error = move |f: &'static str| form.field_error(f);
    form.on_success(move || usernames.set(String::new()));
    view! {
        {move || form.success().get().map(|c| success_banner(c, Place::Workspace))}
        <FormError error=server_error />
        <ActionForm action=form.action attr:class="stack" attr:novalidate=true>
            <div class="field">
                <label for="field-workspace">{td_string!(locale, memberships.workspace)}</label>
                <select id="field-workspace" name="workspace" on:change=move |ev| workspace.set(event_target_value(&ev))>
                    {workspaces.into_iter().map(|w| {
                        let selected = w == initial_ws;
                        view! { <option value=w.clone() selected=selected>{w.clone()}</option> }
                    }).collect_view()}
                </select>
                <p class="field-error" aria-live="polite">{move || field_error("workspace").get()}</p>
            </div>
            {move || (allowed.get() == Some(false)).then(|| view! {
                <NoticeUnavailable text=td_string!(locale, memberships.cannot_invite_workspace, workspace = workspace.get()).to_string() />
            })}
            <UserPicker label=td_string!(locale, memberships.people_to_invite) name="usernames" value=usernames multiple=true error=field_error("usernames") />
            <RoleSelect label=td_string!(locale, memberships.workspace_role) name="role" options=Signal::derive(move || roles.get().unwrap_or_default()) selected=role
                error=field_error("role") confirm_error=field_error("confirm_admin") />
            <SubmitButton label=td_string!(locale, memberships.invite) pending_label=td_string!(locale, memberships.inviting) pending=form.action.pending() />
        </ActionForm>
    }
}

#[component]
pub fn InviteProjectPage() -> impl IntoView {
    let person = StoredValue::new(person_from_address());
    let wanted = StoredValue::new(workspace_from_address());
    // The workspaces and the first one's projects (two rounds); whether the user may invite
    // people there is known with them for workspace managers, and asked once more otherwise.
    let data = Resource::new_blocking(
        || (),
        move |_| async move {
            let path = <InviteProjectMembers as ServerFn>::PATH;
            let flash = take_flash().await.ok().flatten();
            let kept_ws = kept_field(&flash, path, "workspace");
            let (start, grants) = project_form_start(kept_ws.or(wanted.get_value()), true).await?;
            let kept_project =
                kept_field(&flash, path, "project").filter(|k| workspace_of(&start.projects, k).is_some());
            let first = kept_project.or_else(|| start.projects.first().map(ProjectSummary::key)).unwrap_or_default();
            let allowed = match grants {
                Some(true) => true,
                _ if first.is_empty() => true,
                _ => can_manage_project_members(first.clone(), Some(start.workspace.clone())).await.unwrap_or(true),
            };
            Ok::<_, AppError>((start, (first, allowed), project_role_options().await?, flash))
        },
    );
    let locale = crate::language::locale();
    view! {
        <main id="main" class="page narrow">
            <h1>{td_string!(locale, memberships.invite_project_title)}</h1>
            <Suspense fallback=move || view! { <p aria-busy="true">{td_string!(locale, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok((start, ..)) if start.workspaces.is_empty() => view! {
                            <NoticeUnavailable text=td_string!(locale, memberships.no_project_to_invite) />
                        }.into_any(),
                        Ok((start, first, roles, flash)) => {
                            let flash = flash_for(&flash, <InviteProjectMembers as ServerFn>::PATH);
                            view! { <InviteProjectForm start roles flash first person=person.get_value() /> }.into_any()
                        }
                        Err(e) => error_view(e),
                    }
                })}
            </Suspense>
        </main>
    }
}

/// The id of the GET form that reloads the invitation page for another workspace (without WASM).
const PICK_WORKSPACE_FORM: &str = "invite-pick-workspace";

#[island]
fn InviteProjectForm(
    start: PickerStart,
    roles: Vec<RoleOption>,
    flash: Option<Flash>,
    /// The project shown first (kept from a failed submission, else the first one), as the page
    /// loaded it, and whether the signed-in user may invite people there.
    first: (String, bool),
    person: String,
) -> impl IntoView {
    crate::forms::island_hydrated();
    let locale = crate::language::locale();
    let form = FormState::<InviteProjectMembers>::new(&flash);
    let workspace = RwSignal::new(start.workspace.clone());
    let project = RwSignal::new(first.0.clone());
    // As in `InviteWorkspaceForm`: loaded with the page for the first project.
    let allowed = follow(project.into(), first.0, first.1, move |p| async move {
        let ws = workspace.get_untracked();
        can_manage_project_members(p, Some(ws)).await.unwrap_or(true)
    });
    let usernames = RwSignal::new(form.kept_or("usernames", person.clone()));
    let role = RwSignal::new(form.kept_or("role", "viewer"));
    let server_error = form.error();
    let field_error = move |f: &'static str| form.field_error(f);
    form.on_success(move || usernames.set(String::new()));
    view! {
        {move || form.success().get().map(|c| success_banner(c, Place::Project))}
        <FormError error=server_error />
        <form id=PICK_WORKSPACE_FORM method="get" action="/projects/invite">
            {(!person.is_empty()).then(|| view! { <input type="hidden" name="user" value=person.clone() /> })}
        </form>
        <ActionForm action=form.action attr:class="stack" attr:novalidate=true attr:aria-label=td_string!(locale, memberships.invite_project_title)>
            <ProjectPicker start project workspace pick_form=PICK_WORKSPACE_FORM id="invite" error=field_error("project") />
            <input type="hidden" name="workspace" prop:value=move || workspace.get() />
            {move || (allowed.get() == Some(false)).then(|| view! {
                <NoticeUnavailable text=td_string!(locale, memberships.cannot_invite_project) />
            })}
            <UserPicker label=td_string!(locale, memberships.people_to_invite) name="usernames" value=usernames multiple=true error=field_error("usernames") />
            <RoleSelect label=td_string!(locale, memberships.project_role) name="role" options=roles selected=role
                error=field_error("role") confirm_error=field_error("confirm_admin") />
            <SubmitButton label=td_string!(locale, memberships.invite) pending_label=td_string!(locale, memberships.inviting) pending=form.action.pending() />
        </ActionForm>
    }
}
