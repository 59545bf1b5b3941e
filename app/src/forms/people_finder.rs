//! "Find people": people found as you type, under a username field ([`PeopleFinder`]) and in the
//! home page's search. The server renders the result list ([`people_matches`]), by the same
//! components as everywhere else, so the WASM carries no list view and no data type, only "ask,
//! then put the answer in place" (a typed list rendered by the island measured +7.9 KB of gzip
//! WASM, see BENCHMARKS.md). Every form works without it: the field is typed into directly.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::td_string;

/// The attribute naming the person a result button chooses, as [`people_matches`] writes it and
/// [`PeopleFinder`] reads it.
const CHOSEN_USERNAME: &str = "data-username";

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
                    MatchUse::Open => {
                        view! { <a href=format!("/users/{}", h.username)>{h.username.clone()}</a> }.into_any()
                    }
                    MatchUse::Add | MatchUse::Choose => {
                        let label = if usage == MatchUse::Add {
                            td_string!(locale, forms.add_person, name = h.username.clone()).to_string()
                        } else {
                            td_string!(locale, forms.choose_person, name = h.username.clone()).to_string()
                        };
                        let chosen = leptos::attr::custom::custom_attribute(CHOSEN_USERNAME, h.username.clone());
                        view! { <button type="button" class="button secondary" {..chosen}>{label}</button> }.into_any()
                    }
                };
                view! { <li>{person}<span class="muted">{about}</span></li> }
            })
            .collect_view()
            .into_any()
    };
    Ok(items.to_html())
}

/// "Find people": a search box under a username field; choosing someone puts their username
/// into the field `target` (with `multiple`, adds it to the list there). Shown once the WASM runs;
/// without it the field is typed into directly.
#[island]
pub fn PeopleFinder(target: String, multiple: bool) -> impl IntoView {
    crate::kit::island_hydrated();
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
                .and_then(|e| e.closest(&format!("button[{CHOSEN_USERNAME}]")).ok().flatten())
            else {
                return;
            };
            let username = button.get_attribute(CHOSEN_USERNAME).unwrap_or_default();
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
}
