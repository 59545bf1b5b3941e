//! The pieces of a page that are not forms: a notice, the pager, what shows while data loads,
//! the page for an unknown address, and the values a page reads from its address.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::i18n::td_string;

/// One line saying why an action is not available to this user.
#[component]
pub fn NoticeUnavailable(#[prop(into)] text: String) -> impl IntoView {
    view! { <p class="notice" role="note">{text}</p> }
}

/// How many pages `total` items fill at `page_size` a page (at least one, even when empty).
pub fn page_count(total: u64, page_size: u32) -> u32 {
    u32::try_from(total.div_ceil(u64::from(page_size.max(1))).max(1)).unwrap_or(u32::MAX)
}

/// Links to the previous and next page of a server-side list (`link(n)` is the address of
/// page `n`): plain links, so they work before (and without) the WASM.
pub fn pager(page: u32, pages: u32, link: impl Fn(u32) -> String) -> impl IntoView {
    let locale = crate::language::locale();
    let prev = (page > 1).then(|| link(page - 1));
    let next = (page < pages).then(|| link(page + 1));
    (prev.is_some() || next.is_some()).then(|| {
        view! {
            <nav class="button-row" aria-label=td_string!(locale, common.pages)>
                {prev.map(|href| view! { <a class="button secondary" href=href rel="prev">{td_string!(locale, common.previous_page)}</a> })}
                {next.map(|href| view! { <a class="button secondary" href=href rel="next">{td_string!(locale, common.next_page)}</a> })}
            </nav>
        }
    })
}

/// What a page shows in place of its content while its data loads.
#[component]
pub fn Loading() -> impl IntoView {
    let locale = crate::language::locale();
    view! { <p aria-busy="true">{td_string!(locale, common.loading)}</p> }
}

/// A page all of whose content waits for its data: [`Loading`] first, the content streamed in
/// its place.
#[component]
pub fn LoadingPage(children: ChildrenFn) -> impl IntoView {
    view! {
        <main id="main" class="page">
            <Suspense fallback=Loading>{children()}</Suspense>
        </main>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    let locale = crate::language::locale();
    view! {
        <main id="main" class="page">
            <h1>{td_string!(locale, common.not_found_title)}</h1>
            <p><a href="/">{td_string!(locale, common.not_found_home)}</a></p>
        </main>
    }
}

pub fn route_param(name: &'static str) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || params.with(|p| p.get(name).unwrap_or_default())
}

pub fn page_param() -> impl Fn() -> u32 + Copy + Send + Sync + 'static {
    let query = use_query_map();
    move || query.with(|q| q.get("page").and_then(|p| p.parse::<u32>().ok()).unwrap_or(1))
}

/// The person a page was opened for (`?user=carol`, from their page's "Invite" and "Change a
/// role" links), to fill in the username fields; empty when absent or not a valid username.
pub fn person_from_address() -> String {
    let query = use_query_map();
    query.with_untracked(|q| q.get("user")).filter(|u| ks_types::UserName::parse(u).is_ok()).unwrap_or_default()
}

/// The workspace a page was opened for (`?workspace=ws1`, from a workspace's page or the "Show
/// its projects" button of a page without WASM), when it is a valid name.
pub fn workspace_from_address() -> Option<String> {
    let query = use_query_map();
    query.with_untracked(|q| q.get("workspace")).filter(|w| ks_types::WorkspaceName::parse(w).is_ok())
}
