//! `/users`: find a person (search, sorted, server-side pages), and the people search box.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::td_string;
use crate::language::Locale;
use crate::layout::error_view;

pub const PAGE_SIZE: u32 = 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRow {
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub platform_role: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeoplePage {
    pub rows: Vec<PersonRow>,
    pub total: u64,
    pub page: u32,
}

/// The orders the people list offers; KubeSphere sorts, so each page is a slice of the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PeopleSort {
    #[default]
    NameAscending,
    NameDescending,
    Newest,
    Oldest,
}

impl PeopleSort {
    pub const ALL: [PeopleSort; 4] = [Self::NameAscending, Self::NameDescending, Self::Newest, Self::Oldest];

    /// Anything unknown sorts by name, A to Z.
    pub fn parse(value: &str) -> Self {
        Self::ALL.into_iter().find(|s| s.key() == value).unwrap_or_default()
    }

    /// The value in the page's address (`?sort=`).
    pub fn key(self) -> &'static str {
        match self {
            Self::NameAscending => "name",
            Self::NameDescending => "name-desc",
            Self::Newest => "newest",
            Self::Oldest => "oldest",
        }
    }

    pub fn label(self, locale: Locale) -> &'static str {
        match self {
            Self::NameAscending => td_string!(locale, people.sort_name_asc),
            Self::NameDescending => td_string!(locale, people.sort_name_desc),
            Self::Newest => td_string!(locale, people.sort_newest),
            Self::Oldest => td_string!(locale, people.sort_oldest),
        }
    }

    /// KubeSphere's `sortBy` and `ascending` parameters.
    #[cfg(feature = "ssr")]
    pub fn upstream(self) -> (ks_client::SortBy, bool) {
        use ks_client::SortBy;
        match self {
            Self::NameAscending => (SortBy::Name, true),
            Self::NameDescending => (SortBy::Name, false),
            Self::Newest => (SortBy::CreateTime, false),
            Self::Oldest => (SortBy::CreateTime, true),
        }
    }
}

/// One page of people matching `query` (part of a username or display name, or a whole
/// e-mail address), in the order `sort` names; sorted and paginated by KubeSphere itself.
#[server(prefix = "/api", endpoint = "list_people")]
pub async fn list_people(query: String, page: u32, sort: String) -> Result<PeoplePage, AppError> {
    let q = crate::directory::bounded_search(&query)?;
    let page = page.max(1);
    let upstream = crate::upstream::Upstream::from_context()?;
    let (sort_by, ascending) = PeopleSort::parse(&sort).upstream();
    let mut options = ks_client::ListOptions::new().page(PAGE_SIZE, page).sort(sort_by, ascending);
    if let Ok(email) = ks_types::Email::parse(&q) {
        options = options.email(&email);
    } else if !q.is_empty() {
        options = options.name(q.clone());
    }
    let options = &options;
    let list = upstream.call(|api| async move { api.list_users(options).await }).await?;
    let total = list.total_items;
    let rows = list
        .into_items()
        .into_iter()
        .map(|u| PersonRow {
            username: u.metadata.name.clone(),
            display_name: u.display_name().to_owned(),
            email: u.spec.email.clone(),
            platform_role: u.global_role().unwrap_or("—").to_owned(),
        })
        .collect();
    Ok(PeoplePage { rows, total, page })
}

/// The search box for people: a plain GET form to `/users`, so it works without WASM. With
/// `sort`, the form also offers the list's orders.
#[component]
pub fn PersonSearch(
    #[prop(optional)] initial: String,
    #[prop(optional)] sort: Option<PeopleSort>,
    /// The id of a hint about the box.
    #[prop(optional)]
    hint: Option<&'static str>,
) -> impl IntoView {
    let locale = crate::language::locale();
    view! {
        <form method="get" action="/users" class="search-form" role="search" aria-label=td_string!(locale, people.find_person)>
            <label for="person-search">{td_string!(locale, people.find_person)}</label>
            <div class="input-row">
                <input id="person-search" name="q" type="search" value=initial autocomplete="off" maxlength=crate::directory::SEARCH_MAX_CHARS
                    placeholder=td_string!(locale, people.search_placeholder) aria-describedby=hint />
                <button type="submit" class="button primary">{td_string!(locale, people.search)}</button>
            </div>
            {sort.map(|current| view! {
                <div class="field inline-field">
                    <label for="person-sort">{td_string!(locale, people.sort_by)}</label>
                    <select id="person-sort" name="sort">
                        {crate::kit::options(PeopleSort::ALL.map(|s| (s.key().to_owned(), s.label(locale).to_owned())), current.key())}
                    </select>
                </div>
            })}
        </form>
    }
}

/// The home page's people search: the search box (its children), with the people matching what
/// is typed shown under it as links (server-rendered HTML, asked for once typing pauses).
#[island]
pub fn LivePersonSearch(children: Children) -> impl IntoView {
    crate::kit::island_hydrated();
    let locale = crate::language::locale();
    let (query, found) = crate::forms::live_matches(crate::forms::MatchUse::Open);
    view! {
        <div class="live-search" on:input=move |ev| query.set(event_target_value(&ev))>
            {children()}
            <p id="person-search-hint" class="hint js-only">{td_string!(locale, people.search_hint)}</p>
            <ul class="search-results" aria-live="polite" aria-label=td_string!(locale, people.matching_people)
                inner_html=move || found.get().unwrap_or_default()></ul>
        </div>
    }
}

#[component]
pub fn PeoplePageView() -> impl IntoView {
    let query = use_query_map();
    let q = move || query.with(|m| m.get("q").unwrap_or_default());
    let page = move || query.with(|m| m.get("page").and_then(|p| p.parse::<u32>().ok()).unwrap_or(1));
    let sort = move || PeopleSort::parse(&query.with(|m| m.get("sort").unwrap_or_default()));
    let data = Resource::new_blocking(
        move || (q(), page(), sort()),
        |(q, page, sort)| list_people(q, page, sort.key().to_owned()),
    );
    let locale = crate::language::locale();
    view! {
        <main id="main" class="page">
            <h1>{td_string!(locale, people.title)}</h1>
            <PersonSearch initial=q() sort=sort() />
            <Suspense fallback=move || view! { <p aria-busy="true">{td_string!(locale, people.searching)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(p) => {
                            let q = q();
                            let pages = crate::kit::page_count(p.total, PAGE_SIZE);
                            let sort = sort().key();
                            let link = move |n: u32| format!("/users?q={}&sort={sort}&page={n}", urlencode(&q));
                            view! {
                                <p class="muted" role="status">{td_string!(locale, people.found, total = p.total, page = p.page, pages).to_string()}</p>
                                <table class="cards-on-phone">
                                    <caption class="sr-only">{td_string!(locale, people.title)}</caption>
                                    <thead><tr>
                                        <th scope="col">{td_string!(locale, common.username)}</th><th scope="col">{td_string!(locale, people.name)}</th>
                                        <th scope="col">{td_string!(locale, common.email)}</th><th scope="col">{td_string!(locale, common.platform_role)}</th>
                                    </tr></thead>
                                    <tbody>
                                        {p.rows.into_iter().map(|r| view! {
                                            <tr>
                                                <td data-label=td_string!(locale, common.username)><a href=format!("/users/{}", r.username)>{r.username.clone()}</a></td>
                                                <td data-label=td_string!(locale, people.name)>{r.display_name}</td>
                                                <td data-label=td_string!(locale, common.email)>{r.email}</td>
                                                <td data-label=td_string!(locale, common.platform_role)>{r.platform_role}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                {crate::kit::pager(p.page, pages, link)}
                            }.into_any()
                        }
                        Err(e) => error_view(e),
                    }
                })}
            </Suspense>
        </main>
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
