//! Pickers: people (search as you type) and projects (first the workspace, then one of its
//! projects: listing every project of every workspace took hundreds of upstream calls on a
//! large KubeSphere; one workspace's projects take one call per cluster it is placed on).

use leptos::prelude::*;

use super::follow::{follow_mark, marks, FieldLook, Follow, FollowList, FollowingField};
use super::people_finder::PeopleFinder;
use crate::directory::ProjectSummary;
use crate::error::AppError;
use crate::i18n::td_string;

/// What a page loads for its project picker: the workspaces, the one shown first and its
/// projects.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PickerStart {
    pub workspaces: Vec<String>,
    pub workspace: String,
    pub projects: Vec<ProjectSummary>,
}

/// The first workspace to show: `wanted` (from the address or a failed submission) when it is
/// one of `workspaces`, else the first.
pub fn first_workspace(workspaces: &[String], wanted: Option<String>) -> Option<String> {
    wanted.filter(|w| workspaces.contains(w)).or_else(|| workspaces.first().cloned())
}

/// The workspace of a picker's `cluster/project` value, as its project list says.
pub fn workspace_of(projects: &[ProjectSummary], key: &str) -> Option<String> {
    projects.iter().find(|p| p.key() == key).map(|p| p.workspace.clone())
}

/// A workspace select and the project select of that workspace. With WASM the project list
/// follows the chosen workspace ([`Follow`]); without it, the "Show its projects" button submits
/// `pick_form` (a GET form the page renders outside its action form, which the workspace select
/// belongs to) to reload the page for that workspace. The action form gets the workspace from a
/// hidden field that mirrors the select.
#[component]
pub fn ProjectPicker(
    start: PickerStart,
    /// The chosen project, `cluster/project`.
    project: String,
    /// The id of the page's GET form that reloads it for another workspace.
    pick_form: &'static str,
    /// Prefix of the controls' ids.
    id: &'static str,
    #[prop(default = None)] error: Option<String>,
    /// A notice about the project chosen first (it goes once another workspace is chosen).
    #[prop(default = None)]
    notice: Option<String>,
) -> impl IntoView {
    let PickerStart { workspaces, workspace: first, projects } = start;
    let locale = crate::language::locale();
    let (ws_id, project_id) = (format!("{id}-workspace"), format!("{id}-project"));
    let look = FieldLook::new(&project_id, "project", td_string!(locale, forms.project));
    view! {
        <Follow>
            <WorkspaceSelect id=ws_id label=td_string!(locale, forms.workspace) workspaces selected=first.clone() pick_form />
            <input type="hidden" {..follow_mark(marks::WORKSPACE_MIRROR)} name="workspace" value=first />
            <ProjectSelect look projects selected=project error />
            {notice.map(|text| view! { <WorkspaceNotice text /> })}
        </Follow>
    }
}

/// The workspace select of a [`Follow`]: the fields there follow what it chooses. With
/// `pick_form`, the select belongs to that GET form, and a "Show its projects" button sends it to
/// reload the page for the chosen workspace when there is no WASM.
#[component]
pub fn WorkspaceSelect(
    #[prop(into)] id: String,
    label: &'static str,
    workspaces: Vec<String>,
    selected: String,
    #[prop(default = None)] error: Option<String>,
    #[prop(optional)] pick_form: Option<&'static str>,
) -> impl IntoView {
    let locale = crate::language::locale();
    let options = crate::kit::options(workspaces.into_iter().map(|w| (w.clone(), w)), &selected);
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            {match pick_form {
                Some(form) => view! {
                    <div class="inline-controls">
                        <select {..follow_mark(marks::WORKSPACE_SELECT)} id=id name="workspace" form=form>{options}</select>
                        <button type="submit" form=form class="button secondary no-js">{td_string!(locale, forms.show_projects)}</button>
                    </div>
                }.into_any(),
                None => view! { <select {..follow_mark(marks::WORKSPACE_SELECT)} id=id name="workspace">{options}</select> }.into_any(),
            }}
            <crate::kit::FieldError error=error />
        </div>
    }
}

/// A notice about the workspace chosen first; [`Follow`] removes it once another is chosen.
#[component]
pub fn WorkspaceNotice(text: String) -> impl IntoView {
    view! { <div {..follow_mark(marks::ABOUT_FIRST_WORKSPACE)}><crate::kit::NoticeUnavailable text /></div> }
}

/// The select of one workspace's projects; [`Follow`] replaces it for another workspace.
#[component]
pub fn ProjectSelect(
    look: FieldLook,
    projects: Vec<ProjectSummary>,
    /// The chosen project, `cluster/project`.
    selected: String,
    #[prop(default = None)] error: Option<String>,
) -> impl IntoView {
    let locale = crate::language::locale();
    let FieldLook { id, name, label } = look.clone();
    let error_id = format!("{id}-error");
    view! {
        <FollowingField list=Some(FollowList::Projects) look class="field">
            <label for=id.clone()>{label}</label>
            <select id=id name=name aria-describedby=error_id.clone()>
                {if projects.is_empty() {
                    view! { <option value="">{td_string!(locale, forms.no_projects)}</option> }.into_any()
                } else {
                    crate::kit::options(projects.into_iter().map(|p| {
                        let text = td_string!(locale, forms.project_option, name = p.name.clone(), cluster = p.cluster.clone());
                        (p.key(), text.to_string())
                    }), &selected)
                }}
            </select>
            <crate::kit::FieldError id=error_id error=error />
        </FollowingField>
    }
}

/// The select of the clusters a workspace is placed on; [`Follow`] replaces it for another
/// workspace.
#[component]
pub fn ClusterSelect(
    look: FieldLook,
    /// The workspace whose clusters these are.
    workspace: String,
    clusters: Vec<String>,
    /// The chosen cluster (else the browser shows the first).
    selected: String,
    #[prop(default = None)] error: Option<String>,
) -> impl IntoView {
    let FieldLook { id, name, label } = look.clone();
    let (hint_id, error_id) = (format!("{id}-hint"), format!("{id}-error"));
    let locale = crate::language::locale();
    let empty = clusters.is_empty();
    view! {
        <FollowingField list=Some(FollowList::Clusters) look class="field">
            <label for=id.clone()>{label}</label>
            <select id=id name=name aria-describedby=format!("{hint_id} {error_id}")>
                {if clusters.is_empty() {
                    view! { <option value="">{td_string!(locale, forms.no_clusters)}</option> }.into_any()
                } else {
                    crate::kit::options(clusters.into_iter().map(|c| (c.clone(), c)), &selected)
                }}
            </select>
            <p class="hint" id=hint_id>{td_string!(locale, forms.cluster_hint)}</p>
            {empty.then(|| view! {
                <crate::kit::NoticeUnavailable text=td_string!(locale, forms.workspace_no_cluster, workspace).to_string() />
            })}
            <crate::kit::FieldError id=error_id error=error />
        </FollowingField>
    }
}

/// A text field for usernames, with "Find people" under it once the WASM runs ([`PeopleFinder`]):
/// choosing someone fills the field (or, with `multiple`, adds to it). Without WASM it is a
/// plain text field.
#[component]
pub fn UserPicker(
    label: &'static str,
    field: crate::kit::Field,
    #[prop(default = false)] multiple: bool,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] id: Option<&'static str>,
) -> impl IntoView {
    let locale = crate::language::locale();
    let hint = hint.unwrap_or(if multiple {
        td_string!(locale, forms.usernames_hint)
    } else {
        td_string!(locale, forms.username_hint)
    });
    let field_id = id.map(str::to_owned).unwrap_or_else(|| field.default_id());
    view! {
        <crate::kit::TextField label field required=true autocomplete="off" hint id=field_id.clone() />
        <PeopleFinder target=field_id multiple=multiple />
    }
}

/// What a project form's first render needs: the workspaces and the projects of the one shown
/// first (`workspace` when it is one of them). With `check_members`, also whether the signed-in
/// user may invite people to that workspace's projects as a workspace manager (`None`: not asked
/// or not known). Two upstream rounds: the workspaces and the user's permissions; then that
/// workspace's projects and the check.
#[server(prefix = "/api", endpoint = "project_form_start")]
pub async fn project_form_start(
    #[server(default)] workspace: Option<String>,
    #[server(default)] check_members: bool,
) -> Result<(PickerStart, Option<bool>), AppError> {
    let (workspaces, _) =
        futures::future::join(crate::directory::my_workspaces(), crate::permissions::my_permissions()).await;
    let workspaces = workspaces?;
    let names: Vec<String> = workspaces.iter().map(|w| w.name.clone()).collect();
    let Some(first) = first_workspace(&names, workspace) else {
        return Ok((PickerStart::default(), None));
    };
    let clusters = workspaces.iter().find(|w| w.name == first).map(|w| w.clusters.clone()).unwrap_or_default();
    let ws = crate::error::parse_field("workspace", &first, ks_types::WorkspaceName::parse)?;
    let upstream = crate::upstream::Upstream::from_context()?;
    let (projects, allowed) =
        futures::future::join(crate::directory::ssr::projects_in(&upstream, &ws, &clusters), async {
            if !check_members {
                return None;
            }
            use crate::permissions::ssr::{may, Answer, Permission, Scope};
            may(&upstream, Scope::Workspace(&ws), Permission::ManageMembers).await.ok().map(Answer::may_try)
        })
        .await;
    Ok((PickerStart { workspaces: names, workspace: first, projects }, allowed))
}

/// `cluster/project` as the project pickers submit it.
#[cfg(feature = "ssr")]
pub fn parse_project_key(key: &str) -> Result<(ks_types::ClusterName, ks_types::ProjectName), AppError> {
    let invalid = || AppError::field("project", td_string!(crate::language::locale(), forms.choose_project));
    let (cluster, project) = key.split_once('/').ok_or_else(invalid)?;
    let cluster = ks_types::ClusterName::parse(cluster).map_err(|_| invalid())?;
    let project = ks_types::ProjectName::parse(project).map_err(|_| invalid())?;
    Ok((cluster, project))
}
