//! The forms' few live parts, as two small islands that ask the server for HTML: people found as
//! you type ([`PeopleFinder`]), and fields that follow a chosen workspace ([`Follow`]). Whatever
//! they show is rendered (and escaped) on the server by the same components the page uses, so
//! the WASM carries no list views and no data types, only "ask, then put the answer in place".
//! Every form works without them: the finder is an extra, and each following field has a plain
//! "show" button that reloads the page for the chosen workspace.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::td_string;

/// What a person found as you type turns into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MatchUse {
    /// A link to their page (the home page's search).
    Open,
    /// A button adding their username to a list field.
    Add,
    /// A button putting their username into a field.
    Choose,
}

/// People matching `query` (from 2 characters on), as the `<li>` items of a result list.
#[server(prefix = "/api", endpoint = "people_matches")]
pub async fn people_matches(query: String, usage: MatchUse) -> Result<String, AppError> {
    let hits = crate::directory::search_users(query).await?;
    let locale = crate::language::locale();
    let items = if hits.is_empty() {
        view! { <li class="muted">{td_string!(locale, forms.no_one_found)}</li> }.into_any()
    } else {
        hits.into_iter()
            .map(|h| {
                let about = format!(" {} · {}", h.display_name, h.email);
                let person = match usage {
                    MatchUse::Open => view! { <a href=format!("/users/{}", h.username)>{h.username.clone()}</a> }.into_any(),
                    MatchUse::Add | MatchUse::Choose => {
                        let label = if usage == MatchUse::Add {
                            td_string!(locale, forms.add_person, name = h.username.clone()).to_string()
                        } else {
                            td_string!(locale, forms.choose_person, name = h.username.clone()).to_string()
                        };
                        view! { <button type="button" class="button secondary" data-username=h.username.clone()>{label}</button> }
                            .into_any()
                    }
                };
                view! { <li>{person}<span class="muted">{about}</span></li> }
            })
            .collect_view()
            .into_any()
    };
    Ok(items.to_html())
}

/// The list a [`Follow`] field shows for a workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FollowList {
    /// The workspace's projects (`cluster/project`).
    Projects,
    /// The workspace's built-in roles.
    WorkspaceRoles,
    /// The clusters the workspace is placed on.
    Clusters,
}

impl FollowList {
    fn key(self) -> &'static str {
        match self {
            FollowList::Projects => "projects",
            FollowList::WorkspaceRoles => "workspace-roles",
            FollowList::Clusters => "clusters",
        }
    }

    #[cfg_attr(not(any(feature = "hydrate", test)), allow(dead_code))]
    fn parse(raw: &str) -> Option<Self> {
        [FollowList::Projects, FollowList::WorkspaceRoles, FollowList::Clusters].into_iter().find(|l| l.key() == raw)
    }
}

/// How a following field is drawn, as the page drew it: its element id, its form name and its
/// label. The island sends these back, so the answer is the very field the page would render.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldLook {
    pub id: String,
    pub name: String,
    pub label: String,
}

impl FieldLook {
    pub fn new(id: &str, name: &str, label: &str) -> Self {
        Self { id: id.into(), name: name.into(), label: label.into() }
    }

    /// Only what a page itself could have drawn: short ids and names of `[a-z0-9_-]`, a label of
    /// a line (it is escaped when rendered anyway).
    #[cfg(feature = "ssr")]
    fn checked(self) -> Result<Self, AppError> {
        let plain = |s: &str| {
            !s.is_empty()
                && s.len() <= 40
                && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        };
        if plain(&self.id) && plain(&self.name) && self.label.chars().count() <= 80 && !self.label.contains('\n') {
            Ok(self)
        } else {
            Err(crate::upstream::fail_with(AppError::Invalid(crate::error::sentences::form_unreadable())))
        }
    }
}

/// The field of `list` for `workspace`, drawn as `look` says, as HTML.
#[server(prefix = "/api", endpoint = "follow_field")]
pub async fn follow_field(list: FollowList, workspace: String, look: FieldLook) -> Result<String, AppError> {
    let look = look.checked()?;
    let html = match list {
        FollowList::Projects => {
            let projects = crate::directory::workspace_projects(workspace).await?;
            let first = projects.first().map(crate::directory::ProjectSummary::key).unwrap_or_default();
            view! { <super::ProjectSelect look projects selected=first error=None /> }.to_html()
        }
        FollowList::WorkspaceRoles => {
            let options = crate::builtin_roles::workspace_role_options(workspace).await?;
            view! { <super::RoleSelect look options selected=crate::builtin_roles::REGULAR.to_owned() follows=FollowList::WorkspaceRoles /> }
                .to_html()
        }
        FollowList::Clusters => {
            let workspaces = crate::directory::my_workspaces().await?;
            let clusters = workspaces.into_iter().find(|w| w.name == workspace).map(|w| w.clusters).unwrap_or_default();
            view! { <super::ClusterSelect look workspace clusters selected=String::new() error=None /> }.to_html()
        }
    };
    Ok(html)
}

/// Marks the elements of a following field: the container [`Follow`] replaces.
pub fn follows_attr(list: FollowList) -> &'static str {
    list.key()
}

/// Fields that follow a workspace select: when a `<select data-follow>` inside changes, every
/// `[data-follows]` field inside is asked again for that workspace and replaced, and every
/// `input[data-mirror]` takes the new value (a form whose workspace select belongs to another
/// form), and every `[data-for-workspace]` notice about the workspace chosen before goes.
/// Without WASM the page's "show" button, where there is one, does the same with a reload.
#[island]
pub fn Follow(children: Children) -> impl IntoView {
    super::island_hydrated();
    view! { <div class="follow" on:change=follow_change>{children()}</div> }
}

#[cfg(not(feature = "hydrate"))]
fn follow_change(_: leptos::ev::Event) {}

#[cfg(feature = "hydrate")]
fn follow_change(ev: leptos::ev::Event) {
    use leptos::wasm_bindgen::JsCast;
    use leptos::web_sys::{Element, HtmlInputElement, HtmlSelectElement};

    let Some(select) = ev.target().and_then(|t| t.dyn_into::<HtmlSelectElement>().ok()) else { return };
    if !select.has_attribute("data-follow") {
        return;
    }
    let Some(wrapper) = ev.current_target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
    let workspace = select.value();
    let each = |selector: &str, f: &dyn Fn(Element)| elements(&wrapper, selector).into_iter().for_each(f);
    each("[data-for-workspace]", &|e| e.remove());
    each("input[data-mirror]", &|e| {
        if let Ok(input) = e.dyn_into::<HtmlInputElement>() {
            input.set_value(&workspace);
        }
    });
    each("[data-follows]", &|field| {
        let Some(list) = field.get_attribute("data-follows").as_deref().and_then(FollowList::parse) else { return };
        let look = FieldLook {
            id: field.get_attribute("data-id").unwrap_or_default(),
            name: field.get_attribute("data-name").unwrap_or_default(),
            label: field.get_attribute("data-label").unwrap_or_default(),
        };
        let _ = field.set_attribute("aria-busy", "true");
        let (select, workspace, wrapper) = (select.clone(), workspace.clone(), wrapper.clone());
        leptos::task::spawn_local(async move {
            let id = look.id.clone();
            let answer = follow_field(list, workspace.clone(), look).await;
            // Only the answer for the workspace still chosen is shown.
            if select.value() == workspace {
                if let Ok(html) = answer {
                    // A choice made meanwhile stays, where the new list has it (role kinds do).
                    let chosen = field_select(&field).map(|s| s.value());
                    field.set_outer_html(&html);
                    let new = elements(&wrapper, "[data-follows]")
                        .into_iter()
                        .find(|f| f.get_attribute("data-id").as_deref() == Some(id.as_str()));
                    if let (Some(value), Some(new)) = (chosen, new) {
                        keep_choice(&new, &value);
                    }
                    return;
                }
            }
            let _ = field.remove_attribute("aria-busy");
        });
    });
}

/// The select of a following field.
#[cfg(feature = "hydrate")]
fn field_select(field: &leptos::web_sys::Element) -> Option<leptos::web_sys::HtmlSelectElement> {
    leptos::wasm_bindgen::JsCast::dyn_into(field.query_selector("select").ok().flatten()?).ok()
}

/// The elements under `root` that `selector` matches.
#[cfg(feature = "hydrate")]
fn elements(root: &leptos::web_sys::Element, selector: &str) -> Vec<leptos::web_sys::Element> {
    use leptos::wasm_bindgen::JsCast;
    let Ok(list) = root.query_selector_all(selector) else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<leptos::web_sys::Element>().ok()).collect()
}

/// Chooses `value` in the field's select, if it is one of its options.
#[cfg(feature = "hydrate")]
fn keep_choice(field: &leptos::web_sys::Element, value: &str) {
    let Some(select) = field_select(field) else { return };
    if elements(&select, "option").iter().any(|o| o.get_attribute("value").as_deref() == Some(value)) {
        select.set_value(value);
    }
}

/// "Find people": a search box under a username field; choosing someone puts their username
/// into the field `target` (with `multiple`, adds it to the list there). Shown once the WASM runs;
/// without it the field is typed into directly.
#[island]
pub fn PeopleFinder(target: String, multiple: bool) -> impl IntoView {
    super::island_hydrated();
    let locale = crate::language::locale();
    let usage = if multiple { MatchUse::Add } else { MatchUse::Choose };
    let (query, found) = live_matches(usage);
    let search_id = format!("{target}-search");
    let choose = move |ev: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        {
            use leptos::wasm_bindgen::JsCast;
            use leptos::web_sys::{Element, HtmlInputElement};
            let Some(button) = ev
                .target()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .and_then(|e| e.closest("button[data-username]").ok().flatten())
            else {
                return;
            };
            let username = button.get_attribute("data-username").unwrap_or_default();
            let Some(input) = document().get_element_by_id(&target).and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
            else {
                return;
            };
            input.set_value(&if multiple { add_name(&input.value(), &username) } else { username });
            query.set(String::new());
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, &target, multiple);
    };
    view! {
        <div class="field js-only search-field">
            <label for=search_id.clone()>{td_string!(locale, forms.find_people)}</label>
            <input id=search_id type="search" autocomplete="off" maxlength=crate::directory::SEARCH_MAX_CHARS
                placeholder=td_string!(locale, forms.search_placeholder)
                prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev)) />
            <ul class="search-results" aria-live="polite" on:click=choose inner_html=move || found.get().unwrap_or_default()></ul>
        </div>
    }
}

/// `names` (a list separated by commas or spaces) with `name` added once.
pub fn add_name(names: &str, name: &str) -> String {
    let mut list: Vec<&str> = names.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()).collect();
    if !list.contains(&name) {
        list.push(name);
    }
    list.join(", ")
}

/// The people matching what is typed into the returned signal, as result-list HTML: asked
/// 200 ms after typing pauses, from two characters on; only the answer for the current text
/// counts (`None` until it is there, and for shorter text).
pub fn live_matches(usage: MatchUse) -> (RwSignal<String>, Signal<Option<String>>) {
    let query = RwSignal::new(String::new());
    let search = Action::new(move |q: &String| {
        let q = q.clone();
        async move { (q.clone(), people_matches(q, usage).await) }
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
            std::time::Duration::from_millis(200),
        );
    });
    let found = Signal::derive(move || match search.value().get() {
        Some((q, Ok(html))) if q == query.get() && q.trim().chars().count() >= 2 => Some(html),
        _ => None,
    });
    (query, found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_added_once() {
        assert_eq!(add_name("", "bob"), "bob");
        assert_eq!(add_name("alice,  carol ", "bob"), "alice, carol, bob");
        assert_eq!(add_name("alice, bob", "bob"), "alice, bob");
    }

    #[test]
    fn follow_lists_round_trip_their_keys() {
        for list in [FollowList::Projects, FollowList::WorkspaceRoles, FollowList::Clusters] {
            assert_eq!(FollowList::parse(list.key()), Some(list));
        }
        assert_eq!(FollowList::parse("users"), None);
    }
}
