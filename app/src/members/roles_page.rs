//! `/roles`: change a person's role at platform, workspace or project level.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use super::{project_role_options, workspace_role_options, ChangeProjectRole, ChangeWorkspaceRole, MembershipChange};
use crate::directory::{my_projects, my_workspaces};
use crate::error::AppError;
use crate::forms::{flash_for, kept_field, take_flash, Flash, FormError, SubmitButton};
use crate::permissions::my_permissions;
use crate::users::{platform_role_options, ChangePlatformRole, RoleOption};
use crate::widgets::{error_view, NoticeUnavailable, RoleSelect, UserPicker};

fn changed_banner(c: MembershipChange) -> impl IntoView {
    let where_ = if c.target == "platform" { "on the platform".to_owned() } else { format!("in {}", c.target) };
    view! {
        <div class="success-banner" role="status">
            <p>{format!("{} now has the role {} {where_}.", c.usernames.join(", "), c.role)}</p>
            {c.usernames.into_iter().map(|u| view! { <p><a href=format!("/users/{u}")>{format!("Open {u}’s page")}</a></p> }).collect_view()}
        </div>
    }
}

/// The outcome of one of the forms: its live action, or what a plain submission left.
fn outcome_of<S>(action: ServerAction<S>, flash: &Option<Flash>) -> Signal<Option<Result<MembershipChange, AppError>>>
where
    S: ServerFn<Output = MembershipChange, Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    let from_flash: Option<Result<MembershipChange, AppError>> = flash_for(flash, S::PATH).as_ref().map(Flash::outcome);
    Signal::derive(move || action.value().get().or_else(|| from_flash.clone()))
}

fn kept(flash: &Option<Flash>, path: &str, name: &str) -> String {
    kept_field(flash, path, name).unwrap_or_default()
}

/// The workspaces, and the roles of the one the workspace form shows first: the one a failed
/// plain submission kept (`preferred`), else the first.
async fn my_workspaces_with_roles(
    preferred: String,
) -> Result<(Vec<crate::directory::WorkspaceSummary>, Vec<RoleOption>), AppError> {
    let workspaces = my_workspaces().await?;
    let shown = workspaces.iter().find(|w| w.name == preferred).or(workspaces.first());
    let roles = match shown {
        Some(w) => workspace_role_options(w.name.clone()).await.unwrap_or_default(),
        None => Vec::new(),
    };
    Ok((workspaces, roles))
}

#[component]
pub fn ChangeRolesPage() -> impl IntoView {
    let person = StoredValue::new(super::person_from_address());
    let data = Resource::new_blocking(
        || (),
        |_| async {
            let flash = take_flash().await.ok().flatten();
            let kept_workspace = kept(&flash, <ChangeWorkspaceRole as ServerFn>::PATH, "workspace");
            (
                my_permissions().await,
                platform_role_options().await,
                my_workspaces_with_roles(kept_workspace).await,
                my_projects().await,
                project_role_options().await,
                flash,
            )
        },
    );
    view! {
        <crate::TopBar />
        <main id="main" class="page narrow">
            <h1>"Change a role"</h1>
            <p class="muted">"Only KubeSphere's built-in roles are offered. Admin roles ask for a confirmation."</p>
            <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let (perms, platform_roles, workspaces, projects, project_roles, flash) = data.await;
                    let (perms, platform_roles, workspaces, projects, project_roles) =
                        match (perms, platform_roles, workspaces, projects, project_roles) {
                            (Ok(a), Ok(b), Ok(c), Ok(d), Ok(e)) => (a, b, c, d, e),
                            (Err(e), ..) | (_, Err(e), ..) | (_, _, Err(e), ..) | (_, _, _, Err(e), _) | (.., Err(e)) => {
                                return error_view(e);
                            }
                        };
                    let (workspaces, first_roles) = workspaces;
                    let workspaces: Vec<String> = workspaces.into_iter().map(|w| w.name).collect();
                    let projects: Vec<(String, String)> = projects
                        .into_iter()
                        .map(|p| (p.key(), format!("{} (workspace {}, cluster {})", p.name, p.workspace, p.cluster)))
                        .collect();
                    view! {
                        <section class="card stack" aria-labelledby="platform-role-heading">
                            <h2 id="platform-role-heading">"Platform role"</h2>
                            {if perms.manage_users {
                                view! { <PlatformRoleForm roles=platform_roles flash=flash.clone() person=person.get_value() /> }.into_any()
                            } else {
                                view! { <NoticeUnavailable text=format!(
                                    "Only platform administrators can change platform roles. Your platform role is {}.",
                                    perms.role_label(),
                                ) /> }.into_any()
                            }}
                        </section>
                        <section class="card stack" aria-labelledby="workspace-role-heading">
                            <h2 id="workspace-role-heading">"Workspace role"</h2>
                            {if workspaces.is_empty() {
                                view! { <NoticeUnavailable text="You are not a member of any workspace." /> }.into_any()
                            } else {
                                view! { <WorkspaceRoleForm workspaces roles=first_roles flash=flash.clone() person=person.get_value() /> }.into_any()
                            }}
                        </section>
                        <section class="card stack" aria-labelledby="project-role-heading">
                            <h2 id="project-role-heading">"Project role"</h2>
                            {if projects.is_empty() {
                                view! { <NoticeUnavailable text="You cannot see any project." /> }.into_any()
                            } else {
                                view! { <ProjectRoleForm projects roles=project_roles flash=flash.clone() person=person.get_value() /> }.into_any()
                            }}
                        </section>
                    }
                    .into_any()
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn PlatformRoleForm(roles: Vec<RoleOption>, flash: Option<Flash>, person: String) -> impl IntoView {
    let action = ServerAction::<ChangePlatformRole>::new();
    let path = <ChangePlatformRole as ServerFn>::PATH;
    let username =
        RwSignal::new(Some(kept(&flash, path, "username")).filter(|u| !u.is_empty()).unwrap_or_else(|| person.clone()));
    let role = RwSignal::new(
        Some(kept(&flash, path, "platform_role"))
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| "platform-regular".into()),
    );
    let outcome = outcome_of(action, &flash);
    let error = Signal::derive(move || outcome.get().and_then(Result::err));
    let field_error = move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.for_field(f)));
    view! {
        {move || outcome.get().and_then(Result::ok).map(changed_banner)}
        <FormError error=error />
        <ActionForm action=action attr:class="stack" attr:novalidate=true attr:aria-label="Change platform role">
            <UserPicker label="User" name="username" value=username error=field_error("username") id="platform-user" />
            <RoleSelect label="New platform role" name="platform_role" options=roles selected=role
                error=field_error("platform_role") confirm_error=field_error("confirm_admin") />
            <SubmitButton label="Change platform role" pending_label="Changing…" pending=action.pending() />
        </ActionForm>
    }
}

#[component]
fn WorkspaceRoleForm(
    workspaces: Vec<String>,
    roles: Vec<RoleOption>,
    flash: Option<Flash>,
    person: String,
) -> impl IntoView {
    let action = ServerAction::<ChangeWorkspaceRole>::new();
    let path = <ChangeWorkspaceRole as ServerFn>::PATH;
    // The page loaded `roles` for this one (see `my_workspaces_with_roles`).
    let kept_ws = Some(kept(&flash, path, "workspace")).filter(|w| workspaces.contains(w));
    let workspace = RwSignal::new(kept_ws.or_else(|| workspaces.first().cloned()).unwrap_or_default());
    let initial_ws = workspace.get_untracked();
    let username =
        RwSignal::new(Some(kept(&flash, path, "username")).filter(|u| !u.is_empty()).unwrap_or_else(|| person.clone()));
    let role = RwSignal::new(
        Some(kept(&flash, path, "role"))
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| super::invite_page::REGULAR.to_owned()),
    );
    let roles = crate::widgets::follow(workspace.into(), initial_ws.clone(), roles, |ws| async move {
        workspace_role_options(ws).await.unwrap_or_default()
    });
    Effect::new(move |prev: Option<String>| {
        let ws = workspace.get();
        if prev.is_some_and(|p| p != ws) {
            role.set(super::invite_page::REGULAR.to_owned());
        }
        ws
    });
    let outcome = outcome_of(action, &flash);
    let error = Signal::derive(move || outcome.get().and_then(Result::err));
    let field_error = move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.for_field(f)));
    view! {
        {move || outcome.get().and_then(Result::ok).map(changed_banner)}
        <FormError error=error />
        <ActionForm action=action attr:class="stack" attr:novalidate=true attr:aria-label="Change workspace role">
            <div class="field">
                <label for="field-role-workspace">"Workspace"</label>
                <select id="field-role-workspace" name="workspace" on:change=move |ev| workspace.set(event_target_value(&ev))>
                    {workspaces.into_iter().map(|w| {
                        let selected = w == initial_ws;
                        view! { <option value=w.clone() selected=selected>{w.clone()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <UserPicker label="Member" name="username" value=username error=field_error("username") id="workspace-member" />
            <RoleSelect label="New workspace role" name="role" options=Signal::derive(move || roles.get().unwrap_or_default())
                selected=role id="workspace-role" error=field_error("role") confirm_error=field_error("confirm_admin") />
            <SubmitButton label="Change workspace role" pending_label="Changing…" pending=action.pending() />
        </ActionForm>
    }
}

#[component]
fn ProjectRoleForm(
    projects: Vec<(String, String)>,
    roles: Vec<RoleOption>,
    flash: Option<Flash>,
    person: String,
) -> impl IntoView {
    let action = ServerAction::<ChangeProjectRole>::new();
    let path = <ChangeProjectRole as ServerFn>::PATH;
    let initial_project = kept(&flash, path, "project");
    let username =
        RwSignal::new(Some(kept(&flash, path, "username")).filter(|u| !u.is_empty()).unwrap_or_else(|| person.clone()));
    let role =
        RwSignal::new(Some(kept(&flash, path, "role")).filter(|r| !r.is_empty()).unwrap_or_else(|| "viewer".into()));
    let outcome = outcome_of(action, &flash);
    let error = Signal::derive(move || outcome.get().and_then(Result::err));
    let field_error = move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.for_field(f)));
    view! {
        {move || outcome.get().and_then(Result::ok).map(changed_banner)}
        <FormError error=error />
        <ActionForm action=action attr:class="stack" attr:novalidate=true attr:aria-label="Change project role">
            <div class="field">
                <label for="field-role-project">"Project"</label>
                <select id="field-role-project" name="project">
                    {projects.into_iter().map(|(key, label)| {
                        let selected = key == initial_project;
                        view! { <option value=key selected=selected>{label}</option> }
                    }).collect_view()}
                </select>
            </div>
            <UserPicker label="Project member" name="username" value=username error=field_error("username") id="project-member" />
            <RoleSelect label="New project role" name="role" options=roles selected=role id="project-role"
                error=field_error("role") confirm_error=field_error("confirm_admin") />
            <SubmitButton label="Change project role" pending_label="Changing…" pending=action.pending() />
        </ActionForm>
    }
}
