//! `/roles`: change a person's role at platform, workspace or project level.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use super::{ChangePlatformRole, ChangeProjectRole, ChangeWorkspaceRole, MembershipChange};
use crate::builtin_roles::{platform_role_options, project_role_options, workspace_role_options, REGULAR};
use crate::directory::my_workspaces;
use crate::error::AppError;
use crate::forms::{
    first_workspace, project_form_start, FieldLook, Follow, FollowList, PickerStart, ProjectPicker, RoleChoice,
    RoleOption, RoleSelect, UserPicker, WorkspaceSelect,
};
use crate::i18n::td_string;
use crate::kit::{
    flash_for, person_from_address, take_flash, workspace_from_address, Flash, FormError, FormState, NoticeUnavailable,
    SubmitButton,
};
use crate::language::Locale;
use crate::layout::error_view;
use crate::permissions::my_permissions;

fn changed_banner(c: MembershipChange) -> impl IntoView {
    let locale = crate::language::locale();
    let users = c.usernames.join(", ");
    let sentence = if c.target == "platform" {
        td_string!(locale, roles.changed_on_platform, users, role = &c.role).to_string()
    } else {
        td_string!(locale, roles.changed_in, users, role = &c.role, target = &c.target).to_string()
    };
    view! {
        <div class="success-banner" role="status">
            <p>{sentence}</p>
            {c.notes.into_iter().map(|n| view! { <p>{n}</p> }).collect_view()}
            {c.usernames.into_iter().map(|u| {
                let open = td_string!(locale, roles.open_user_page, user = &u).to_string();
                view! { <p><a href=format!("/users/{u}")>{open}</a></p> }
            }).collect_view()}
        </div>
    }
}

/// The level whose role is changed: each is its own section of `/roles` (`?level=`), which
/// loads only what its form needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Platform,
    Workspace,
    Project,
}

impl Level {
    const ALL: [Level; 3] = [Level::Platform, Level::Workspace, Level::Project];

    fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.key() == raw)
    }

    fn key(self) -> &'static str {
        match self {
            Level::Platform => "platform",
            Level::Workspace => "workspace",
            Level::Project => "project",
        }
    }

    fn label(self, locale: Locale) -> &'static str {
        match self {
            Level::Platform => td_string!(locale, roles.level_platform),
            Level::Workspace => td_string!(locale, roles.level_workspace),
            Level::Project => td_string!(locale, roles.level_project),
        }
    }

    /// The level of the form a plain submission came back from.
    fn of_action(path: &str) -> Option<Self> {
        [
            (<ChangePlatformRole as ServerFn>::PATH, Level::Platform),
            (<ChangeWorkspaceRole as ServerFn>::PATH, Level::Workspace),
            (<ChangeProjectRole as ServerFn>::PATH, Level::Project),
        ]
        .into_iter()
        .find_map(|(p, level)| (p == path).then_some(level))
    }

    fn href(self, person: &str) -> String {
        match person {
            "" => format!("/roles?level={}", self.key()),
            user => format!("/roles?level={}&user={user}", self.key()),
        }
    }
}

/// What one section's form needs for its first render.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
enum SectionData {
    Platform {
        perms: crate::permissions::Permissions,
        roles: Vec<RoleOption>,
    },
    /// The workspaces and the roles of the one shown first (`None`: there is no workspace).
    Workspace {
        workspaces: Vec<String>,
        roles: Vec<RoleOption>,
    },
    Project {
        start: PickerStart,
        roles: Vec<RoleOption>,
    },
}

/// One section's data: at most two upstream rounds.
async fn load_section(level: Level, flash: &Option<Flash>, wanted_ws: Option<String>) -> Result<SectionData, AppError> {
    Ok(match level {
        Level::Platform => {
            let (perms, roles) = futures::future::join(my_permissions(), platform_role_options()).await;
            SectionData::Platform { perms: perms?, roles: roles? }
        }
        Level::Workspace => {
            let kept_ws = flash_for(flash, <ChangeWorkspaceRole as ServerFn>::PATH).and_then(|f| f.field("workspace"));
            let workspaces: Vec<String> = my_workspaces().await?.into_iter().map(|w| w.name).collect();
            let roles = match first_workspace(&workspaces, kept_ws.or(wanted_ws)) {
                Some(ws) => workspace_role_options(ws).await.unwrap_or_default(),
                None => Vec::new(),
            };
            SectionData::Workspace { workspaces, roles }
        }
        Level::Project => {
            let kept_ws = flash_for(flash, <ChangeProjectRole as ServerFn>::PATH).and_then(|f| f.field("workspace"));
            let ((start, _), roles) =
                futures::future::try_join(project_form_start(kept_ws.or(wanted_ws), false), project_role_options())
                    .await?;
            SectionData::Project { start, roles }
        }
    })
}

#[component]
pub fn ChangeRolesPage() -> impl IntoView {
    let person = StoredValue::new(person_from_address());
    let wanted_ws = StoredValue::new(workspace_from_address());
    let query = leptos_router::hooks::use_query_map();
    let asked = query.with_untracked(|q| q.get("level")).and_then(|l| Level::parse(&l));
    let locale = crate::language::locale();
    let data = Resource::new_blocking(
        || (),
        move |_| {
            let wanted_ws = wanted_ws.get_value();
            async move {
                let flash = take_flash().await.ok().flatten();
                // A plain submission comes back to its own section; else the one asked for, else
                // the workspace level (the most common change).
                let level =
                    flash.as_ref().and_then(|f| Level::of_action(&f.action)).or(asked).unwrap_or(Level::Workspace);
                let section = load_section(level, &flash, wanted_ws).await;
                (level.key().to_owned(), section, flash)
            }
        },
    );
    view! {
        <main id="main" class="page narrow">
            <h1>{td_string!(locale, roles.title)}</h1>
            <p class="muted">{td_string!(locale, roles.intro)}</p>
            <Suspense fallback=crate::kit::Loading>
                {move || Suspend::new(async move {
                    let (level, section, flash) = data.await;
                    let level = Level::parse(&level).unwrap_or(Level::Workspace);
                    let person = person.get_value();
                    let tabs = view! {
                        <nav class="tabs" aria-label=td_string!(locale, roles.levels)>
                            <ul>
                                {Level::ALL.into_iter().map(|l| view! {
                                    <li><a href=l.href(&person) aria-current=(l == level).then_some("page")>{l.label(locale)}</a></li>
                                }).collect_view()}
                            </ul>
                        </nav>
                    };
                    let heading_id = format!("{}-role-heading", level.key());
                    let labelled_by = heading_id.clone();
                    let body = match section {
                        Err(e) => error_view(e),
                        Ok(SectionData::Platform { perms, roles }) => {
                            if perms.manage_users {
                                view! { <PlatformRoleForm roles flash=flash.clone() person=person.clone() /> }.into_any()
                            } else {
                                let text = td_string!(
                                    locale,
                                    roles.only_admins_change_platform_roles,
                                    role = perms.role_label(locale),
                                )
                                .to_string();
                                view! { <NoticeUnavailable text /> }.into_any()
                            }
                        }
                        Ok(SectionData::Workspace { workspaces, .. }) if workspaces.is_empty() => {
                            view! { <NoticeUnavailable text=td_string!(locale, roles.no_workspace) /> }.into_any()
                        }
                        Ok(SectionData::Workspace { workspaces, roles }) => view! {
                            <WorkspaceRoleForm workspaces roles flash=flash.clone() person=person.clone() wanted=wanted_ws.get_value() />
                        }.into_any(),
                        Ok(SectionData::Project { start, .. }) if start.workspaces.is_empty() => {
                            view! { <NoticeUnavailable text=td_string!(locale, roles.no_workspace_no_project) /> }.into_any()
                        }
                        Ok(SectionData::Project { start, roles }) => view! {
                            <ProjectRoleForm start roles flash=flash.clone() person=person.clone() />
                        }.into_any(),
                    };
                    view! {
                        {tabs}
                        <section class="card stack" aria-labelledby=labelled_by>
                            <h2 id=heading_id>{level.label(locale)}</h2>
                            {body}
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
    let form = FormState::<ChangePlatformRole>::new(&flash);
    let locale = crate::language::locale();
    let role_look = FieldLook::new("field-platform_role", "platform_role", td_string!(locale, roles.new_platform_role));
    view! {
        {form.success().map(changed_banner)}
        <FormError error=form.error() />
        <form method="post" action=form.url() class="stack" novalidate aria-label=td_string!(locale, roles.change_platform_role)>
            <UserPicker label=td_string!(locale, roles.user) field=form.field_or("username", person) id="platform-user" />
            <RoleSelect chosen=RoleChoice::kept(&form, &role_look, "platform-regular") look=role_look options=roles />
            <SubmitButton label=td_string!(locale, roles.change_platform_role) />
        </form>
    }
}

/// The workspace section's form; the role select follows the chosen workspace ([`Follow`]).
#[component]
fn WorkspaceRoleForm(
    workspaces: Vec<String>,
    roles: Vec<RoleOption>,
    flash: Option<Flash>,
    person: String,
    /// The workspace the address asked for (`?workspace=`), shown first if it is one of them.
    wanted: Option<String>,
) -> impl IntoView {
    let form = FormState::<ChangeWorkspaceRole>::new(&flash);
    // The page loaded `roles` for this one (see `load_section`).
    let wanted = Some(form.kept("workspace")).filter(|w| !w.is_empty()).or(wanted);
    let first_ws = first_workspace(&workspaces, wanted).unwrap_or_default();
    let locale = crate::language::locale();
    let role_look = FieldLook::new("workspace-role", "role", td_string!(locale, roles.new_workspace_role));
    // Read before the view: `Follow`'s children are a closure of their own.
    let role = RoleChoice::kept(&form, &role_look, REGULAR);
    view! {
        {form.success().map(changed_banner)}
        <FormError error=form.error() />
        <form method="post" action=form.url() class="stack" novalidate aria-label=td_string!(locale, roles.change_workspace_role)>
            <Follow>
                <WorkspaceSelect id="field-role-workspace" label=td_string!(locale, roles.workspace) workspaces selected=first_ws />
                <RoleSelect chosen=role look=role_look options=roles
                    follows=FollowList::WorkspaceRoles />
            </Follow>
            <UserPicker label=td_string!(locale, roles.member) field=form.field_or("username", person) id="workspace-member" />
            <SubmitButton label=td_string!(locale, roles.change_workspace_role) />
        </form>
    }
}

/// The id of the GET form that reloads the project section for another workspace (without WASM).
const PICK_WORKSPACE_FORM: &str = "roles-pick-workspace";

#[component]
fn ProjectRoleForm(start: PickerStart, roles: Vec<RoleOption>, flash: Option<Flash>, person: String) -> impl IntoView {
    let form = FormState::<ChangeProjectRole>::new(&flash);
    let kept_project = Some(form.kept("project")).filter(|k| start.projects.iter().any(|p| p.key() == *k));
    let project = kept_project.or_else(|| start.projects.first().map(|p| p.key())).unwrap_or_default();
    let locale = crate::language::locale();
    let role_look = FieldLook::new("project-role", "role", td_string!(locale, roles.new_project_role));
    view! {
        {form.success().map(changed_banner)}
        <FormError error=form.error() />
        <form id=PICK_WORKSPACE_FORM method="get" action="/roles">
            <input type="hidden" name="level" value="project" />
            {(!person.is_empty()).then(|| view! { <input type="hidden" name="user" value=person.clone() /> })}
        </form>
        <form method="post" action=form.url() class="stack" novalidate aria-label=td_string!(locale, roles.change_project_role)>
            <ProjectPicker start project pick_form=PICK_WORKSPACE_FORM id="role" error=form.field_error("project") />
            <UserPicker label=td_string!(locale, roles.project_member) field=form.field_or("username", person.clone()) id="project-member" />
            <RoleSelect chosen=RoleChoice::kept(&form, &role_look, "viewer") look=role_look options=roles />
            <SubmitButton label=td_string!(locale, roles.change_project_role) />
        </form>
    }
}
