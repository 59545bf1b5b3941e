//! The page frame every signed-in page shares (top bar, main landmark), and the pieces of a
//! page that are not forms: notices, the page-stopping error, the pager.

use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::error::AppError;

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
    let prev = (page > 1).then(|| link(page - 1));
    let next = (page < pages).then(|| link(page + 1));
    (prev.is_some() || next.is_some()).then(|| {
        view! {
            <nav class="button-row" aria-label="Pages">
                {prev.map(|href| view! { <a class="button secondary" href=href rel="prev">"Previous page"</a> })}
                {next.map(|href| view! { <a class="button secondary" href=href rel="next">"Next page"</a> })}
            </nav>
        }
    })
}

/// The main actions, in the order of the multi-tenant workflow.
pub const ACTIONS: [(&str, &str, &str); 7] = [
    ("/onboard", "Onboard a person", "Account, workspaces and projects on one page, reviewed before anything is sent."),
    ("/users/new", "Create a user", "A new KubeSphere account, platform-regular by default."),
    ("/workspaces/new", "Create a workspace", "A team's space, placed on one or more clusters."),
    ("/projects/new", "Create a project", "A project (namespace) in one of your workspaces."),
    ("/workspaces/invite", "Invite to a workspace", "Add people to a workspace, workspace-regular by default."),
    ("/projects/invite", "Invite to a project", "Add people to a project, viewer by default."),
    ("/roles", "Change a role", "At platform, workspace or project level; built-in roles only."),
];

/// The bar at the top of every signed-in page.
#[component]
pub fn TopBar() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let current = move |href: &'static str| (location.pathname.get() == href).then_some("page");
    view! {
        <header class="top-bar">
            <a class="brand" href="/">"KS Console"</a>
            <nav aria-label="Main">
                <ul>
                    <li><a href="/" aria-current=move || current("/")>"Home"</a></li>
                    <li><a href="/users" aria-current=move || current("/users")>"People"</a></li>
                    <li><a href="/workspaces" aria-current=move || current("/workspaces")>"Workspaces"</a></li>
                    <li><a href="/activity" aria-current=move || current("/activity")>"Activity"</a></li>
                    {ACTIONS.iter().map(|(href, label, _)| view! {
                        <li class="nav-action"><a href=*href aria-current=move || current(href)>{*label}</a></li>
                    }).collect_view()}
                </ul>
            </nav>
            <crate::auth::SignOutButton />
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

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <main id="main" class="page">
            <h1>"Page not found"</h1>
            <p><a href="/">"Go to the home page"</a></p>
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
