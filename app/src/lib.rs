//! KS Console's user interface: routes, pages and the server functions they call.
//! Compiled twice: with `ssr` into the server, with `hydrate` into the WASM bundle.

pub mod activity;
pub mod audit;
pub mod auth;
pub mod bulk;
pub mod directory;
pub mod error;
pub mod forms;
mod home;
pub mod layout;
pub mod memberships;
pub mod onboarding;
pub mod people;
pub mod permissions;
pub mod projects;
pub mod roles;
#[cfg(feature = "ssr")]
pub mod upstream;
pub mod workspaces;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};

pub use error::AppError;

/// The per-response CSP nonce, put into the request extensions by the server.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

/// The stylesheet's URL. In a release build cargo-leptos names the site's files by their content
/// (`hash-files`) and writes the hashes to a file beside the binary, which HydrationScripts reads
/// for the WASM and JS; the stylesheet follows the same file.
fn stylesheet_href(options: &LeptosOptions) -> String {
    let plain = format!("/{}/{}.css", options.site_pkg_dir, options.output_name);
    #[cfg(feature = "ssr")]
    if options.hash_files {
        static CSS_HASH: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
        let hash = CSS_HASH.get_or_init(|| {
            let file = std::env::current_exe().ok()?.parent()?.join(options.hash_file.as_ref());
            let text = std::fs::read_to_string(file).ok()?;
            text.lines().find_map(|l| l.trim().strip_prefix("css:").map(|h| h.trim().to_owned()))
        });
        if let Some(hash) = hash {
            return format!("/{}/{}.{hash}.css", options.site_pkg_dir, options.output_name);
        }
    }
    plain
}

/// Whether the page at `path` has islands (forms, the live search, pickers) and so loads the
/// WASM. The others — a person's, a workspace's and a project's page, the lists — are complete
/// as HTML, and the shell leaves the hydration scripts out: Leptos would load the WASM anyway.
/// A test renders every page and checks this against the islands it really has.
pub fn route_has_islands(path: &str) -> bool {
    let segments: Vec<&str> = path.trim_matches('/').split('/').filter(|s| !s.is_empty()).collect();
    matches!(
        segments.as_slice(),
        [] | ["login"]
            | ["roles"]
            | ["users" | "workspaces" | "projects", "new"]
            | ["workspaces" | "projects", "invite"]
    )
}

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let parts = use_context::<http::request::Parts>();
    #[cfg(feature = "ssr")]
    if let Some(nonce) = parts.as_ref().and_then(|parts| parts.extensions.get::<CspNonce>().cloned()) {
        provide_context(leptos::nonce::Nonce::from_value(nonce.0));
    }
    #[cfg(feature = "ssr")]
    let islands = parts.as_ref().is_some_and(|parts| route_has_islands(parts.uri.path()));
    #[cfg(not(feature = "ssr"))]
    let islands = true;
    let stylesheet = stylesheet_href(&options);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="stylesheet" href=stylesheet />
                {islands.then(|| view! { <HydrationScripts options islands=true /> })}
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title text="KS Console" />
        <a class="skip-link" href="#main">"Skip to content"</a>
        <Router>
            <Routes fallback=layout::NotFound>
                <Route path=path!("/login") view=auth::LoginPage />
                // Every signed-in page, in the frame with the top bar.
                <ParentRoute path=path!("") view=layout::Frame>
                    <Route path=path!("") view=home::HomePage ssr=SsrMode::Async />
                    <Route path=path!("users/new") view=people::CreateUserPage ssr=SsrMode::Async />
                    <Route path=path!("workspaces/new") view=workspaces::CreateWorkspacePage ssr=SsrMode::Async />
                    <Route path=path!("projects/new") view=projects::CreateProjectPage ssr=SsrMode::Async />
                    <Route path=path!("workspaces/invite") view=memberships::InviteWorkspacePage ssr=SsrMode::Async />
                    <Route path=path!("projects/invite") view=memberships::InviteProjectPage ssr=SsrMode::Async />
                    <Route path=path!("roles") view=roles::ChangeRolesPage ssr=SsrMode::Async />
                    <Route path=path!("users") view=people::PeoplePageView ssr=SsrMode::Async />
                    <Route path=path!("workspaces") view=workspaces::WorkspacesPage ssr=SsrMode::Async />
                    <Route path=path!("users/:name") view=people::PersonPage ssr=SsrMode::Async />
                    <Route path=path!("workspaces/:workspace") view=workspaces::WorkspacePage ssr=SsrMode::Async />
                    <Route path=path!("projects/:cluster/:project") view=projects::ProjectPage ssr=SsrMode::Async />
                    <Route path=path!("activity") view=activity::ActivityPage ssr=SsrMode::Async />
                    <Route path=path!("onboard") view=onboarding::OnboardPage ssr=SsrMode::Async />
                    <Route path=path!("onboard/bulk") view=bulk::BulkPage ssr=SsrMode::Async />
                    <Route path=path!("onboard/bulk/jobs/:id") view=bulk::BulkJobPage ssr=SsrMode::Async />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// Does nothing; called by the WASM entry point so that the linker keeps this crate, and with it
/// the functions Leptos exports to hydrate each island.
#[inline(never)]
pub fn link_islands() {
    std::hint::black_box(());
}
