//! Fields that follow a chosen workspace ([`Follow`]): when the workspace select changes, the
//! server renders each following field again for that workspace ([`follow_field`], by the very
//! components the page uses) and the island puts it in place. Without WASM, each such form has a
//! plain "show" button that reloads the page for the chosen workspace.
//!
//! The island finds its parts by the `data-*` attributes in [`marks`]; only the components of
//! this module write them ([`FollowingField`], [`follow_mark`]), so the pages' markup and the
//! island's selectors cannot drift apart. (Leptos's islands router was tried in its place: its
//! page diff left the following fields stale, see BENCHMARKS.md.)

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The attributes between the pages' markup and the [`Follow`] island.
pub mod marks {
    /// On the workspace `<select>` the fields follow.
    pub const WORKSPACE_SELECT: &str = "data-follow";
    /// On a following field's container: which [`super::FollowList`] it shows.
    pub const FOLLOWING_FIELD: &str = "data-follows";
    /// On a following field's container: its [`super::FieldLook`], sent back to be drawn alike.
    pub const FIELD_ID: &str = "data-id";
    pub const FIELD_NAME: &str = "data-name";
    pub const FIELD_LABEL: &str = "data-label";
    /// On a hidden input that takes the chosen workspace (for a form the select is not part of).
    pub const WORKSPACE_MIRROR: &str = "data-mirror";
    /// On a notice about the workspace chosen first, which goes once another is chosen.
    pub const ABOUT_FIRST_WORKSPACE: &str = "data-for-workspace";
}

/// One of the marks that only say what an element is (they have no value).
pub fn follow_mark(mark: &'static str) -> impl leptos::attr::Attribute {
    leptos::attr::custom::custom_attribute(mark, "")
}

/// The container of a field that follows the workspace select as `list` (with `None`, a plain
/// container that does not follow), drawn as `look` says.
#[component]
pub fn FollowingField(
    list: Option<FollowList>,
    look: FieldLook,
    /// The container's class.
    class: &'static str,
    children: Children,
) -> impl IntoView {
    use leptos::attr::custom::custom_attribute;
    let marks = list.map(|list| {
        (
            custom_attribute(marks::FOLLOWING_FIELD, list.key()),
            custom_attribute(marks::FIELD_ID, look.id),
            custom_attribute(marks::FIELD_NAME, look.name),
            custom_attribute(marks::FIELD_LABEL, look.label),
        )
    });
    match marks {
        Some(marks) => view! { <div {..marks} class=class>{children()}</div> }.into_any(),
        None => view! { <div class=class>{children()}</div> }.into_any(),
    }
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
            view! { <super::RoleSelect look options chosen=super::RoleChoice::new(crate::builtin_roles::REGULAR) follows=FollowList::WorkspaceRoles /> }
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

/// Fields that follow a workspace select: when a [`marks::WORKSPACE_SELECT`] inside changes,
/// every [`marks::FOLLOWING_FIELD`] inside is asked again for that workspace and replaced, every
/// [`marks::WORKSPACE_MIRROR`] input takes the new value (a form whose workspace select belongs
/// to another form), and every [`marks::ABOUT_FIRST_WORKSPACE`] notice goes.
/// Without WASM the page's "show" button, where there is one, does the same with a reload.
#[island]
pub fn Follow(children: Children) -> impl IntoView {
    crate::kit::island_hydrated();
    view! { <div class="follow" on:change=follow_change>{children()}</div> }
}

#[cfg(not(feature = "hydrate"))]
fn follow_change(_: leptos::ev::Event) {}

#[cfg(feature = "hydrate")]
fn follow_change(ev: leptos::ev::Event) {
    use leptos::wasm_bindgen::JsCast;
    use leptos::web_sys::{Element, HtmlInputElement, HtmlSelectElement};

    use marks::*;

    let Some(select) = ev.target().and_then(|t| t.dyn_into::<HtmlSelectElement>().ok()) else { return };
    if !select.has_attribute(WORKSPACE_SELECT) {
        return;
    }
    let Some(wrapper) = ev.current_target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
    let workspace = select.value();
    let each = |selector: &str, f: &dyn Fn(Element)| elements(&wrapper, selector).into_iter().for_each(f);
    each(&format!("[{ABOUT_FIRST_WORKSPACE}]"), &|e| e.remove());
    each(&format!("input[{WORKSPACE_MIRROR}]"), &|e| {
        if let Ok(input) = e.dyn_into::<HtmlInputElement>() {
            input.set_value(&workspace);
        }
    });
    let following = format!("[{FOLLOWING_FIELD}]");
    each(&following, &|field| {
        let Some(list) = field.get_attribute(FOLLOWING_FIELD).as_deref().and_then(FollowList::parse) else { return };
        let look = FieldLook {
            id: field.get_attribute(FIELD_ID).unwrap_or_default(),
            name: field.get_attribute(FIELD_NAME).unwrap_or_default(),
            label: field.get_attribute(FIELD_LABEL).unwrap_or_default(),
        };
        let _ = field.set_attribute("aria-busy", "true");
        let (select, workspace, wrapper, following) =
            (select.clone(), workspace.clone(), wrapper.clone(), following.clone());
        leptos::task::spawn_local(async move {
            let id = look.id.clone();
            let answer = follow_field(list, workspace.clone(), look).await;
            // Only the answer for the workspace still chosen is shown.
            if select.value() == workspace {
                if let Ok(html) = answer {
                    // A choice made meanwhile stays, where the new list has it (role kinds do).
                    let chosen = field_select(&field).map(|s| s.value());
                    field.set_outer_html(&html);
                    let new = elements(&wrapper, &following)
                        .into_iter()
                        .find(|f| f.get_attribute(FIELD_ID).as_deref() == Some(id.as_str()));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follow_lists_round_trip_their_keys() {
        for list in [FollowList::Projects, FollowList::WorkspaceRoles, FollowList::Clusters] {
            assert_eq!(FollowList::parse(list.key()), Some(list));
        }
        assert_eq!(FollowList::parse("users"), None);
    }

    /// The island reads a following field by these marks alone; a field that does not follow
    /// has none of them, so the island leaves it alone.
    #[cfg(feature = "ssr")]
    #[test]
    fn a_following_field_carries_every_mark_the_island_reads() {
        let look = || FieldLook::new("invite-project", "project", "Project");
        let following =
            view! { <FollowingField list=Some(FollowList::Projects) look=look() class="field">"…"</FollowingField> }
                .to_html();
        for (mark, value) in [
            (marks::FOLLOWING_FIELD, "projects"),
            (marks::FIELD_ID, "invite-project"),
            (marks::FIELD_NAME, "project"),
            (marks::FIELD_LABEL, "Project"),
        ] {
            assert!(following.contains(&format!(r#"{mark}="{value}""#)), "{mark}: {following}");
        }
        let plain = view! { <FollowingField list=None look=look() class="field">"…"</FollowingField> }.to_html();
        assert!(!plain.contains("data-"), "{plain}");
    }
}
