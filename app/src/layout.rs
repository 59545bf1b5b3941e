//! The page frame every signed-in page shares (top bar, main landmark), and the pieces of a
//! page that are not forms: notices, the page-stopping error, the pager.

use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::abilities::{Abilities, Action};
use crate::error::AppError;
use crate::i18n::td_string;
use crate::language::Locale;

/// One line saying why an action is not available to this user.
#[component]
pub fn NoticeUnavailable(#[prop(into)] text: String) -> impl IntoView {
    view! { <p class="notice" role="note">{text}</p> }
}

/// The standard rendering of an error that stops a whole page.
pub fn error_view(err: AppError) -> AnyView {
    match err {
        AppError::SessionExpired | AppError::NotSignedIn => {
            let here = leptos_router::hooks::use_location().pathname.get_untracked();
            view! { <leptos_router::components::Redirect path=crate::auth::login_url(&here, Some(&err)) /> }.into_any()
        }
        other => view! { <p class="error-banner" role="alert">{other.message()}</p> }.into_any(),
    }
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

/// The words for a page that changes something: (its name, what it does).
pub fn action_words(locale: Locale, action: Action) -> (&'static str, &'static str) {
    match action {
        Action::Onboard => (td_string!(locale, common.action_onboard), td_string!(locale, common.action_onboard_about)),
        Action::CreateUser => {
            (td_string!(locale, common.action_create_user), td_string!(locale, common.action_create_user_about))
        }
        Action::CreateWorkspace => (
            td_string!(locale, common.action_create_workspace),
            td_string!(locale, common.action_create_workspace_about),
        ),
        Action::CreateProject => {
            (td_string!(locale, common.action_create_project), td_string!(locale, common.action_create_project_about))
        }
        Action::InviteToWorkspace => (
            td_string!(locale, common.action_invite_workspace),
            td_string!(locale, common.action_invite_workspace_about),
        ),
        Action::InviteToProject => {
            (td_string!(locale, common.action_invite_project), td_string!(locale, common.action_invite_project_about))
        }
        Action::ChangeRole => {
            (td_string!(locale, common.action_change_role), td_string!(locale, common.action_change_role_about))
        }
    }
}

/// The bar at the top of every signed-in page: the places to look things up, always there, and
/// a "Change" menu of the pages this person may use (none: no menu). The menu is a native
/// disclosure (`<details>`), so it opens from the keyboard and says whether it is open, with no
/// WASM; the bar stays one line on a desktop however many pages the menu gains.
#[component]
pub fn TopBar() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let current = move |href: &'static str| (location.pathname.get() == href).then_some("page");
    let locale = crate::language::locale();
    let abilities = Resource::new_blocking(
        || (),
        |_| async {
            futures::join!(crate::abilities::my_abilities(), crate::request_records::access_requests_waiting())
        },
    );
    let look_up = [
        ("/", td_string!(locale, common.nav_home)),
        ("/users", td_string!(locale, common.nav_people)),
        ("/workspaces", td_string!(locale, common.nav_workspaces)),
        ("/activity", td_string!(locale, common.nav_activity)),
    ];
    view! {
        <header class="top-bar">
            <a class="brand" href="/">"KS Console"</a>
            <nav class="main-nav" aria-label=td_string!(locale, common.main_nav)>
                <ul aria-label=td_string!(locale, common.nav_look_up)>
                    {look_up.into_iter().map(|(href, label)| view! {
                        <li><a href=href aria-current=move || current(href)>{label}</a></li>
                    }).collect_view()}
                </ul>
                <Suspense>
                    {move || Suspend::new(async move {
                        let (abilities, waiting) = abilities.await;
                        let allowed: Vec<Action> = Abilities::offered(abilities).allowed().collect();
                        // Requests waiting for this person come first in the menu, with their count.
                        let waiting = waiting.unwrap_or(0);
                        (!allowed.is_empty()).then(|| view! {
                            <details class="nav-menu">
                                <summary>{td_string!(locale, common.nav_change)}</summary>
                                <ul aria-label=td_string!(locale, common.nav_change)>
                                    {(waiting > 0).then(|| view! {
                                        <li><a href="/requests" aria-current=move || current("/requests")>
                                            {td_string!(locale, common.nav_requests, n = waiting).to_string()}
                                        </a></li>
                                    })}
                                    {allowed.into_iter().map(|action| {
                                        let href = action.href();
                                        view! {
                                            <li><a href=href aria-current=move || current(href)>{action_words(locale, action).0}</a></li>
                                        }
                                    }).collect_view()}
                                </ul>
                            </details>
                        })
                    })}
                </Suspense>
            </nav>
            <div class="top-bar-end">
                <crate::language::LanguageSwitch />
                <crate::auth::SignOutButton />
            </div>
        </header>
    }
}

/// The frame of every signed-in page: the top bar above the page's own content. The route
/// layout of `App`, so pages hold only what is theirs.
#[component]
pub fn Frame() -> impl IntoView {
    view! {
        <TopBar />
        <Outlet />
    }
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
