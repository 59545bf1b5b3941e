//! `/workspaces/invite` and `/projects/invite`: invite one or several people, least privilege
//! by default (the workspace's built-in regular role, `viewer`).

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use super::{
    can_manage_project_members, can_manage_workspace_members, person_from_address, project_role_options,
    workspace_role_options, InviteProjectMembers, InviteWorkspaceMembers, MembershipChange,
};
use crate::directory::{my_projects, my_workspaces};
use crate::error::AppError;
use crate::forms::{flash_for, kept_field, take_flash, Flash, FormError, SubmitButton};
use crate::users::RoleOption;

/// The form value of a workspace's built-in regular role: the least privileged default.
pub(super) const REGULAR: &str = "regular";
use crate::widgets::{error_view, follow, NoticeUnavailable, RoleSelect, UserPicker};

fn success_banner(change: MembershipChange, place: &'static str) -> impl IntoView {
    view! {
        <div class="success-banner" role="status">
            <p>{format!("Invited {} to {place} {} as {}.", change.usernames.join(", "), change.target, change.role)}</p>
            {change.usernames.into_iter().map(|u| view! {
                <p><a href=format!("/users/{u}")>{format!("Open {u}’s page")}</a></p>
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
            let flash = take_flash().await.ok().flatten();
            let workspaces = my_workspaces().await;
            let kept = kept_field(&flash, <InviteWorkspaceMembers as ServerFn>::PATH, "workspace");
            let first = kept.or_else(|| workspaces.as_ref().ok().and_then(|w| w.first().map(|w| w.name.clone())));
            let (roles, allowed) = match &first {
                Some(ws) => (
                    workspace_role_options(ws.clone()).await.unwrap_or_default(),
                    (ws.clone(), can_manage_workspace_members(ws.clone()).await.unwrap_or(true)),
                ),
                None => (Vec::new(), (String::new(), true)),
            };
            (workspaces, flash, roles, allowed)
        },
    );
    view! {
        <crate::TopBar />
        <main id="main" class="page narrow">
            <h1>"Invite to a workspace"</h1>
            <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        (Ok(ws), ..) if ws.is_empty() => view! {
                            <NoticeUnavailable text="You are not a member of any workspace, so there is nowhere to invite people." />
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

#[component]
fn InviteWorkspaceForm(
    workspaces: Vec<String>,
    flash: Option<Flash>,
    roles: Vec<RoleOption>,
    /// The workspace shown first (kept from a failed submission, else the first one), as the
    /// page loaded it, and whether the signed-in user may invite people there.
    first: (String, bool),
    person: String,
) -> impl IntoView {
    let action = ServerAction::<InviteWorkspaceMembers>::new();
    let failed = flash.as_ref().filter(|f| f.outcome.is_err());
    let kept = |name: &str| failed.and_then(|f| f.field(name)).unwrap_or_default();
    let workspace = RwSignal::new(first.0.clone());
    let initial_ws = first.0.clone();
    let usernames = RwSignal::new(Some(kept("usernames")).filter(|u| !u.is_empty()).unwrap_or(person));
    let role = RwSignal::new(Some(kept("role")).filter(|r| !r.is_empty()).unwrap_or_else(|| REGULAR.to_owned()));
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
    let flash_outcome: Option<Result<MembershipChange, AppError>> = flash.as_ref().map(Flash::outcome);
    let outcome = Signal::derive(move || action.value().get().or_else(|| flash_outcome.clone()));
    let server_error = Signal::derive(move || outcome.get().and_then(Result::err));
    let field_error = move |f: &'static str| Signal::derive(move || server_error.get().and_then(|e| e.for_field(f)));
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            usernames.set(String::new());
        }
    });
    view! {
        {move || outcome.get().and_then(Result::ok).map(|c| success_banner(c, "workspace"))}
        <FormError error=server_error />
        <ActionForm action=action attr:class="stack" attr:novalidate=true>
            <div class="field">
                <label for="field-workspace">"Workspace"</label>
                <select id="field-workspace" name="workspace" on:change=move |ev| workspace.set(event_target_value(&ev))>
                    {workspaces.into_iter().map(|w| {
                        let selected = w == initial_ws;
                        view! { <option value=w.clone() selected=selected>{w.clone()}</option> }
                    }).collect_view()}
                </select>
                <p class="field-error" aria-live="polite">{move || field_error("workspace").get()}</p>
            </div>
            {move || (allowed.get() == Some(false)).then(|| view! {
                <NoticeUnavailable text=format!("You cannot invite people to {}: only its administrators can.", workspace.get()) />
            })}
            <UserPicker label="People to invite" name="usernames" value=usernames multiple=true error=field_error("usernames") />
            <RoleSelect label="Workspace role" name="role" options=Signal::derive(move || roles.get().unwrap_or_default()) selected=role
                error=field_error("role") confirm_error=field_error("confirm_admin") />
            <SubmitButton label="Invite" pending_label="Inviting…" pending=action.pending() />
        </ActionForm>
    }
}

#[component]
pub fn InviteProjectPage() -> impl IntoView {
    let person = StoredValue::new(person_from_address());
    let data = Resource::new_blocking(
        || (),
        |_| async {
            let flash = take_flash().await.ok().flatten();
            let projects = my_projects().await;
            let kept = kept_field(&flash, <InviteProjectMembers as ServerFn>::PATH, "project");
            let first = kept.or_else(|| projects.as_ref().ok().and_then(|p| p.first().map(|p| p.key())));
            let workspace_of = |key: &str| {
                projects.as_ref().ok().and_then(|ps| ps.iter().find(|p| p.key() == key).map(|p| p.workspace.clone()))
            };
            let allowed = match first {
                Some(key) => {
                    let ws = workspace_of(&key);
                    (key.clone(), can_manage_project_members(key, ws).await.unwrap_or(true))
                }
                None => (String::new(), true),
            };
            (projects, project_role_options().await, flash, allowed)
        },
    );
    view! {
        <crate::TopBar />
        <main id="main" class="page narrow">
            <h1>"Invite to a project"</h1>
            <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        (Ok(p), ..) if p.is_empty() => view! {
                            <NoticeUnavailable text="You cannot see any project, so there is nowhere to invite people." />
                        }.into_any(),
                        (Ok(projects), Ok(roles), flash, allowed) => {
                            let flash = flash_for(&flash, <InviteProjectMembers as ServerFn>::PATH);
                            let projects = projects
                                .into_iter()
                                .map(|p| (p.key(), format!("{} (workspace {}, cluster {})", p.name, p.workspace, p.cluster), p.workspace))
                                .collect();
                            view! { <InviteProjectForm projects roles flash first=allowed person=person.get_value() /> }.into_any()
                        }
                        (Err(e), ..) | (_, Err(e), ..) => error_view(e),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn InviteProjectForm(
    /// Each project's key, label and workspace.
    projects: Vec<(String, String, String)>,
    roles: Vec<RoleOption>,
    flash: Option<Flash>,
    /// The project shown first (kept from a failed submission, else the first one), as the page
    /// loaded it, and whether the signed-in user may invite people there.
    first: (String, bool),
    person: String,
) -> impl IntoView {
    let action = ServerAction::<InviteProjectMembers>::new();
    let failed = flash.as_ref().filter(|f| f.outcome.is_err());
    let kept = |name: &str| failed.and_then(|f| f.field(name)).unwrap_or_default();
    let initial_project = first.0.clone();
    let project = RwSignal::new(initial_project.clone());
    // As in `InviteWorkspaceForm`: loaded with the page for the first project.
    let workspaces =
        StoredValue::new(projects.iter().map(|(key, _, ws)| (key.clone(), ws.clone())).collect::<Vec<_>>());
    let allowed = follow(project.into(), first.0, first.1, move |p| async move {
        let ws = workspaces.with_value(|all| all.iter().find(|(key, _)| *key == p).map(|(_, ws)| ws.clone()));
        can_manage_project_members(p, ws).await.unwrap_or(true)
    });
    let usernames = RwSignal::new(Some(kept("usernames")).filter(|u| !u.is_empty()).unwrap_or(person));
    let role = RwSignal::new(Some(kept("role")).filter(|r| !r.is_empty()).unwrap_or_else(|| "viewer".into()));
    let flash_outcome: Option<Result<MembershipChange, AppError>> = flash.as_ref().map(Flash::outcome);
    let outcome = Signal::derive(move || action.value().get().or_else(|| flash_outcome.clone()));
    let server_error = Signal::derive(move || outcome.get().and_then(Result::err));
    let field_error = move |f: &'static str| Signal::derive(move || server_error.get().and_then(|e| e.for_field(f)));
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            usernames.set(String::new());
        }
    });
    view! {
        {move || outcome.get().and_then(Result::ok).map(|c| success_banner(c, "project"))}
        <FormError error=server_error />
        <ActionForm action=action attr:class="stack" attr:novalidate=true>
            <div class="field">
                <label for="field-project">"Project"</label>
                <select id="field-project" name="project" on:change=move |ev| project.set(event_target_value(&ev))>
                    {projects.into_iter().map(|(key, label, _)| {
                        let selected = key == initial_project;
                        view! { <option value=key selected=selected>{label}</option> }
                    }).collect_view()}
                </select>
                <p class="field-error" aria-live="polite">{move || field_error("project").get()}</p>
            </div>
            {move || (allowed.get() == Some(false)).then(|| view! {
                <NoticeUnavailable text="You cannot invite people to this project: only its administrators (and its workspace's) can." />
            })}
            <UserPicker label="People to invite" name="usernames" value=usernames multiple=true error=field_error("usernames") />
            <RoleSelect label="Project role" name="role" options=roles selected=role
                error=field_error("role") confirm_error=field_error("confirm_admin") />
            <SubmitButton label="Invite" pending_label="Inviting…" pending=action.pending() />
        </ActionForm>
    }
}
