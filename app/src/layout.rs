//! The frame every signed-in page shares: the top bar (the places to look things up, and the
//! pages this person may use to change something) and the error that stops a page (a lapsed
//! session goes to the sign-in page). The pieces that know no feature are in [`crate::kit`].

use leptos::prelude::*;
use leptos_router::components::Outlet;

use crate::abilities::{Abilities, Action};
use crate::error::AppError;
use crate::i18n::td_string;
use crate::language::Locale;

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
