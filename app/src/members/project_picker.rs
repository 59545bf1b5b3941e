//! Choosing a project: first its workspace, then one of that workspace's projects. Listing every
//! project of every workspace took hundreds of upstream calls on a large KubeSphere; one
//! workspace's projects take one call per cluster it is placed on.

use leptos::prelude::*;

use crate::directory::{workspace_projects, ProjectSummary};
use crate::widgets::follow;

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

/// A workspace select and a project select. The project list follows the chosen workspace in the
/// browser; without WASM, the "Show its projects" button submits `pick_form` (a GET form the page
/// renders outside its action form, which the workspace select belongs to) to reload the page for
/// that workspace.
#[component]
pub fn ProjectPicker(
    start: PickerStart,
    /// The chosen workspace (the page submits it with the form, to come back to it).
    workspace: RwSignal<String>,
    /// The chosen project, `cluster/project`.
    project: RwSignal<String>,
    /// The id of the page's GET form that reloads it for another workspace.
    pick_form: &'static str,
    /// Prefix of the controls' ids.
    id: &'static str,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let PickerStart { workspaces, workspace: first, projects } = start;
    let projects = follow(workspace.into(), first.clone(), projects, |ws| async move {
        workspace_projects(ws).await.unwrap_or_default()
    });
    // A new workspace's list starts at its first project.
    Effect::new(move |prev: Option<String>| {
        let ws = workspace.get();
        if prev.is_some_and(|p| p != ws) {
            if let Some(list) = projects.get() {
                project.set(list.first().map(ProjectSummary::key).unwrap_or_default());
            }
        }
        ws
    });
    let scripted = RwSignal::new(false);
    Effect::new(move |_| scripted.set(true));
    let (ws_id, project_id) = (format!("{id}-workspace"), format!("{id}-project"));
    view! {
        <div class="field">
            <label for=ws_id.clone()>"Workspace"</label>
            <div class="inline-controls">
                <select id=ws_id name="workspace" form=pick_form on:change=move |ev| workspace.set(event_target_value(&ev))>
                    {workspaces.into_iter().map(|w| {
                        let selected = w == first;
                        view! { <option value=w.clone() selected=selected>{w.clone()}</option> }
                    }).collect_view()}
                </select>
                <button type="submit" form=pick_form class="button secondary" hidden=move || scripted.get()>"Show its projects"</button>
            </div>
        </div>
        <div class="field">
            <label for=project_id.clone()>"Project"</label>
            <select id=project_id name="project" aria-busy=move || projects.get().is_none().then_some("true")
                on:change=move |ev| project.set(event_target_value(&ev))>
                {move || match projects.get() {
                    None => view! { <option value="">"Loading projects…"</option> }.into_any(),
                    Some(list) if list.is_empty() => view! {
                        <option value="">"No project you can see in this workspace"</option>
                    }.into_any(),
                    Some(list) => list.into_iter().map(|p| {
                        let key = p.key();
                        let selected = project.get_untracked() == key;
                        view! { <option value=key selected=selected>{format!("{} (cluster {})", p.name, p.cluster)}</option> }
                    }).collect_view().into_any(),
                }}
            </select>
            <p class="field-error" aria-live="polite">{move || error.get()}</p>
        </div>
    }
}
