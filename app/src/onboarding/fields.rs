//! The `/onboard` form's fields, plain HTML (the page has no WASM): a labelled field with its
//! error, the workspace of a row (a select while the person's workspaces are few), a project row.

use leptos::prelude::*;

use super::Choices;
use crate::i18n::td_string;

/// Workspaces offered in a select while they are few; beyond that a field with suggestions.
const FEW_WORKSPACES: usize = 40;

/// A workspace of a row: a select of the person's workspaces, or a field with suggestions.
#[component]
pub(super) fn WorkspaceField(
    id: String,
    label: String,
    name: &'static str,
    value: String,
    choices: Vec<String>,
    error_id: Option<String>,
) -> impl IntoView {
    let locale = crate::language::locale();
    if choices.len() > FEW_WORKSPACES {
        return view! { <RowInput id label name value list="known-workspaces" error_id /> }.into_any();
    }
    let invalid = error_id.is_some().then_some("true");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select id=id name=name aria-describedby=error_id aria-invalid=invalid>
                <option value="" selected=value.is_empty()>{td_string!(locale, onboarding.no_workspace)}</option>
                {crate::kit::options(choices.into_iter().map(|w| (w.clone(), w)), &value)}
            </select>
        </div>
    }
    .into_any()
}

/// One project row: while the person's projects are few, one select of them grouped by
/// workspace ("project (cluster)"); beyond that, the workspace, the project's name and
/// optionally its cluster.
#[component]
pub(super) fn ProjectRowFields(
    i: usize,
    row: super::ProjectRow,
    error: Option<String>,
    choices: Choices,
) -> impl IntoView {
    let locale = crate::language::locale();
    let n = i + 1;
    let error_id = error.is_some().then(|| format!("project-{i}-error"));
    let role = if row.role.is_empty() { "viewer".to_owned() } else { row.role.clone() };
    let roles = ks_types::ProjectRole::ALL.map(|r| r.name().to_owned()).to_vec();
    let label = td_string!(locale, onboarding.project_n, n).to_string();
    let place = match &choices.projects {
        Some(projects) => {
            let chosen = super::ProjectChoice {
                workspace: row.workspace.clone(),
                cluster: row.cluster.clone(),
                project: row.project.clone(),
            }
            .value();
            let invalid = error_id.is_some().then_some("true");
            view! {
                <div class="field">
                    <label for=format!("project-{i}")>{label}</label>
                    <select id=format!("project-{i}") name="project" aria-describedby=error_id.clone() aria-invalid=invalid>
                        <option value="">{td_string!(locale, onboarding.no_project)}</option>
                        {choices.workspaces.iter().map(|ws| {
                            let here: Vec<&super::ProjectChoice> = projects.iter().filter(|p| &p.workspace == ws).collect();
                            (!here.is_empty()).then(|| view! {
                                <optgroup label=ws.clone()>
                                    {crate::kit::options(here.into_iter().map(|p| {
                                        let text = td_string!(locale, onboarding.project_choice, project = &p.project, cluster = &p.cluster);
                                        (p.value(), text.to_string())
                                    }), &chosen)}
                                </optgroup>
                            })
                        }).collect_view()}
                    </select>
                </div>
            }
            .into_any()
        }
        None => {
            let mut clusters = vec![String::new()];
            clusters.extend(choices.clusters.iter().cloned());
            view! {
                <WorkspaceField id=format!("project-workspace-{i}") label=td_string!(locale, onboarding.project_workspace_n, n).to_string()
                    name="project_workspace" value=row.workspace.clone() choices=choices.workspaces.clone() error_id=error_id.clone() />
                <RowInput id=format!("project-{i}") label name="project" value=row.project.clone() error_id=error_id.clone() />
                <RowSelect id=format!("project-cluster-{i}") label=td_string!(locale, onboarding.project_cluster_n, n).to_string()
                    name="project_cluster" options=clusters selected=row.cluster.clone() />
            }
            .into_any()
        }
    };
    view! {
        <div class="row-fields">
            {place}
            <RowSelect id=format!("project-role-{i}") label=td_string!(locale, onboarding.project_role_n, n).to_string()
                name="project_role" options=roles selected=role />
            <crate::kit::FieldError id=format!("project-{i}-error") error=error />
        </div>
    }
}

/// A labelled input rendered as plain HTML (this page has no WASM), its error next to it.
#[component]
pub(super) fn PlainField(
    label: &'static str,
    name: &'static str,
    value: String,
    error: Option<String>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described = [hint.map(|_| hint_id.clone()), error.as_ref().map(|_| error_id.clone())]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input id=id name=name type=input_type value=value autocomplete="off" spellcheck="false"
                aria-describedby=(!described.is_empty()).then_some(described)
                aria-invalid=error.is_some().then_some("true") />
            {hint.map(|h| view! { <p class="hint" id=hint_id>{h}</p> })}
            <crate::kit::FieldError id=error_id error=error />
        </div>
    }
}

/// A labelled text input of a workspace or project row; `error_id` names the row's error.
#[component]
pub(super) fn RowInput(
    id: String,
    label: String,
    name: &'static str,
    value: String,
    #[prop(optional)] list: Option<&'static str>,
    error_id: Option<String>,
) -> impl IntoView {
    let invalid = error_id.is_some().then_some("true");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input id=id name=name list=list value=value autocomplete="off" spellcheck="false"
                aria-describedby=error_id aria-invalid=invalid />
        </div>
    }
}

/// A labelled select of a workspace or project row.
#[component]
pub(super) fn RowSelect(
    id: String,
    label: String,
    name: &'static str,
    options: Vec<String>,
    selected: String,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select id=id name=name>
                {crate::kit::options(options.into_iter().map(|o| {
                    let text = if o.is_empty() { td_string!(crate::language::locale(), onboarding.any_cluster).to_owned() } else { o.clone() };
                    (o, text)
                }), &selected)}
            </select>
        </div>
    }
}
