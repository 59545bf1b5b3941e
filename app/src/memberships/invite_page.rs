//! `/workspaces/invite` and `/projects/invite`: invite one or several people, least privilege
//! by default (the workspace's built-in regular role, `viewer`).

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use super::{can_manage_project_members, can_manage_workspace_members, InviteProjectMembers, InviteWorkspaceMembers};
use crate::builtin_roles::{project_role_options, workspace_role_options, REGULAR};
use crate::directory::ProjectSummary;
use crate::error::AppError;
use crate::forms::{
    project_form_start, workspace_form_start, workspace_of, FieldLook, Follow, FollowList, PickerStart, ProjectPicker,
    RoleChoice, RoleOption, RoleSelect, UserPicker, WorkspaceNotice, WorkspaceSelect,
};
use crate::i18n::td_string;
use crate::kit::{
    flash_for, kept_field, person_from_address, take_flash, workspace_from_address, Flash, FormError, FormState,
    NoticeUnavailable, SubmitButton,
};
use crate::layout::error_view;
use crate::roles::MembershipChange;

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
            {change.notes.into_iter().map(|n| view! { <p>{n}</p> }).collect_view()}
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
            <Suspense fallback=crate::kit::Loading>
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

/// The form. The role select follows the chosen workspace ([`Follow`]); without WASM it shows
/// the first workspace's role names, and the role's kind is resolved for the workspace sent.
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
    let locale = crate::language::locale();
    let form = FormState::<InviteWorkspaceMembers>::new(&flash);
    let (first_ws, allowed) = first;
    let workspace_error = form.field_error("workspace");
    let role_look = FieldLook::new("field-role", "role", td_string!(locale, memberships.workspace_role));
    // Read before the view: `Follow`'s children are a closure of their own.
    let role = RoleChoice::kept(&form, &role_look, REGULAR);
    view! {
        {form.success().map(|c| success_banner(c, Place::Workspace))}
        <FormError error=form.error() />
        <form method="post" action=form.url() class="stack" novalidate>
            <Follow>
                <WorkspaceSelect id="field-workspace" label=td_string!(locale, memberships.workspace) workspaces
                    selected=first_ws.clone() error=workspace_error />
                {(!allowed).then(|| view! {
                    <WorkspaceNotice text=td_string!(locale, memberships.cannot_invite_workspace, workspace = first_ws.clone()).to_string() />
                })}
                <RoleSelect chosen=role look=role_look options=roles
                    follows=FollowList::WorkspaceRoles />
            </Follow>
            <UserPicker label=td_string!(locale, memberships.people_to_invite) field=form.field_or("usernames", person)
                multiple=true />
            <SubmitButton label=td_string!(locale, memberships.invite) />
        </form>
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
            <Suspense fallback=crate::kit::Loading>
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

#[component]
fn InviteProjectForm(
    start: PickerStart,
    roles: Vec<RoleOption>,
    flash: Option<Flash>,
    /// The project shown first (kept from a failed submission, else the first one), as the page
    /// loaded it, and whether the signed-in user may invite people there.
    first: (String, bool),
    person: String,
) -> impl IntoView {
    let locale = crate::language::locale();
    let role_look = FieldLook::new("field-role", "role", td_string!(locale, memberships.project_role));
    let form = FormState::<InviteProjectMembers>::new(&flash);
    let (project, allowed) = first;
    let notice = (!allowed).then(|| td_string!(locale, memberships.cannot_invite_project).to_owned());
    view! {
        {form.success().map(|c| success_banner(c, Place::Project))}
        <FormError error=form.error() />
        <form id=PICK_WORKSPACE_FORM method="get" action="/projects/invite">
            {(!person.is_empty()).then(|| view! { <input type="hidden" name="user" value=person.clone() /> })}
        </form>
        <form method="post" action=form.url() class="stack" novalidate aria-label=td_string!(locale, memberships.invite_project_title)>
            <ProjectPicker start project pick_form=PICK_WORKSPACE_FORM id="invite" error=form.field_error("project") notice />
            <UserPicker label=td_string!(locale, memberships.people_to_invite) field=form.field_or("usernames", person.clone())
                multiple=true />
            <RoleSelect chosen=RoleChoice::kept(&form, &role_look, "viewer") look=role_look options=roles />
            <SubmitButton label=td_string!(locale, memberships.invite) />
        </form>
    }
}
