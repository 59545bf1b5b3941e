//! Pickers: people (search as you type) and projects (first the workspace, then one of its
//! projects: listing every project of every workspace took hundreds of upstream calls on a
//! large KubeSphere; one workspace's projects take one call per cluster it is placed on), and
//! `follow`, for values that depend on another field.

use std::future::Future;
use std::time::Duration;

use leptos::prelude::*;

use crate::directory::{workspace_projects, ProjectSummary};
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
    let locale = crate::language::locale();
    view! {
        <div class="field">
            <label for=ws_id.clone()>{td_string!(locale, forms.workspace)}</label>
            <div class="inline-controls">
                <select id=ws_id name="workspace" form=pick_form on:change=move |ev| workspace.set(event_target_value(&ev))>
                    {workspaces.into_iter().map(|w| {
                        let selected = w == first;
                        view! { <option value=w.clone() selected=selected>{w.clone()}</option> }
                    }).collect_view()}
                </select>
                <button type="submit" form=pick_form class="button secondary" hidden=move || scripted.get()>{td_string!(locale, forms.show_projects)}</button>
            </div>
        </div>
        <div class="field">
            <label for=project_id.clone()>{td_string!(locale, forms.project)}</label>
            <select id=project_id name="project" aria-busy=move || projects.get().is_none().then_some("true")
                on:change=move |ev| project.set(event_target_value(&ev))>
                {move || match projects.get() {
                    None => view! { <option value="">{td_string!(locale, forms.loading_projects)}</option> }.into_any(),
                    Some(list) if list.is_empty() => view! {
                        <option value="">{td_string!(locale, forms.no_projects)}</option>
                    }.into_any(),
                    Some(list) => list.into_iter().map(|p| {
                        let key = p.key();
                        let selected = project.get_untracked() == key;
                        view! { <option value=key selected=selected>{td_string!(locale, forms.project_option, name = p.name, cluster = p.cluster).to_string()}</option> }
                    }).collect_view().into_any(),
                }}
            </select>
            <p class="field-error" aria-live="polite">{move || error.get()}</p>
        </div>
    }
}

/// People matching what is typed into `query`, fetched 200 ms after typing pauses, from two
/// characters on; `None` until there is an answer for the current text.
pub fn live_people_search() -> (RwSignal<String>, Signal<Option<Vec<crate::directory::UserHit>>>) {
    use crate::directory::search_users;
    let query = RwSignal::new(String::new());
    let search = Action::new(|q: &String| {
        let q = q.clone();
        async move { (q.clone(), search_users(q).await) }
    });
    Effect::new(move |_| {
        let q = query.get();
        if q.trim().chars().count() < 2 {
            return;
        }
        set_timeout(
            move || {
                if query.get_untracked() == q {
                    search.dispatch(q);
                }
            },
            Duration::from_millis(200),
        );
    });
    let results = Signal::derive(move || match search.value().get() {
        Some((q, Ok(hits))) if q == query.get() && q.trim().chars().count() >= 2 => Some(hits),
        _ => None,
    });
    (query, results)
}

/// A text field for usernames with people search as you type (from 2 characters, 200 ms after
/// the last keystroke, stale answers dropped). Choosing a result fills the field (or, with
/// `multiple`, adds to it). Without WASM it is a plain text field.
#[component]
pub fn UserPicker(
    label: &'static str,
    name: &'static str,
    value: RwSignal<String>,
    #[prop(default = false)] multiple: bool,
    #[prop(into, optional)] error: MaybeProp<String>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] id: Option<&'static str>,
) -> impl IntoView {
    let (query, results) = live_people_search();
    let choose = move |username: String| {
        if multiple {
            value.update(|v| {
                let mut names: Vec<String> =
                    v.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect();
                if !names.contains(&username) {
                    names.push(username);
                }
                *v = names.join(", ");
            });
        } else {
            value.set(username);
        }
        query.set(String::new());
    };
    let field_id: &'static str = id.unwrap_or(name);
    let search_id = format!("field-{field_id}-search");
    let locale = crate::language::locale();
    let hint = hint.unwrap_or(if multiple {
        td_string!(locale, forms.usernames_hint)
    } else {
        td_string!(locale, forms.username_hint)
    });
    view! {
        {match id {
            Some(id) => view! { <crate::forms::TextField label=label name=name value=value error=error required=true
                autocomplete="off" hint=hint id=id /> }.into_any(),
            None => view! { <crate::forms::TextField label=label name=name value=value error=error required=true
                autocomplete="off" hint=hint /> }.into_any(),
        }}
        <div class="field js-only search-field">
            <label for=search_id.clone()>{td_string!(locale, forms.find_people)}</label>
            <input id=search_id type="search" autocomplete="off" maxlength=crate::directory::SEARCH_MAX_CHARS placeholder=td_string!(locale, forms.search_placeholder)
                prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev)) />
            <ul class="search-results" aria-live="polite">
                {move || results.get().map(|hits| {
                    if hits.is_empty() {
                        view! { <li class="muted">{td_string!(locale, forms.no_one_found)}</li> }.into_any()
                    } else {
                        hits.into_iter().map(|h| {
                            let username = h.username.clone();
                            view! {
                                <li>
                                    <button type="button" class="button secondary" on:click=move |_| choose(username.clone())>
                                        {if multiple {
                                            td_string!(locale, forms.add_person, name = h.username.clone()).to_string()
                                        } else {
                                            td_string!(locale, forms.choose_person, name = h.username.clone()).to_string()
                                        }}
                                    </button>
                                    <span class="muted">{format!(" {} · {}", h.display_name, h.email)}</span>
                                </li>
                            }
                        }).collect_view().into_any()
                    }
                })}
            </ul>
        </div>
    }
}

/// A value that depends on `key` (e.g. the roles of the chosen workspace): `initial`, loaded with
/// the page, for `initial_key`; for another key it is fetched in the browser when the key changes,
/// and is `None` until the answer for that key arrives. Deliberately not a `Resource`: server
/// rendering never waits on it, and each page keeps one blocking resource for its first render.
pub fn follow<K, T, F, Fut>(key: Signal<K>, initial_key: K, initial: T, fetch: F) -> Signal<Option<T>>
where
    K: Clone + PartialEq + Send + Sync + 'static,
    T: Clone + Send + Sync + 'static,
    F: Fn(K) -> Fut + Send + Sync + Copy + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    let action = Action::new(move |k: &K| {
        let k = k.clone();
        async move {
            let value = fetch(k.clone()).await;
            (k, value)
        }
    });
    let first = StoredValue::new((initial_key, initial));
    Effect::new(move |_| {
        let k = key.get();
        if first.with_value(|(ik, _)| *ik != k) {
            action.dispatch(k);
        }
    });
    Signal::derive(move || {
        let k = key.get();
        if let Some(v) = first.with_value(|(ik, iv)| (*ik == k).then(|| iv.clone())) {
            return Some(v);
        }
        match action.value().get() {
            Some((answered, v)) if answered == k => Some(v),
            _ => None,
        }
    })
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
    let ws = ks_types::WorkspaceName::parse(&first)
        .map_err(|e| AppError::field("workspace", crate::error::name_error(&e)))?;
    let upstream = crate::upstream::Upstream::from_context()?;
    let (projects, allowed) =
        futures::future::join(crate::directory::ssr::projects_in(&upstream, &ws, &clusters), async {
            if !check_members {
                return None;
            }
            let scope = [("scope", "workspace"), ("workspace", ws.as_str())];
            crate::permissions::ssr::may(None, &scope, "members", "manage").await.ok()
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
