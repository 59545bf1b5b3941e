//! The console's routes: the app's pages and server functions (rendered by Leptos), the
//! plain-form and file endpoints, and the health checks.

use std::sync::{Arc, OnceLock};

use app::{shell, App};
use axum::extract::Request;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use leptos::config::LeptosOptions;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, AxumRouteListing, LeptosRoutes};

use crate::config::Config;
use crate::state::Contexts;
use crate::{
    access_export, forms, health, language, login, registration, single_sign_on, RenderFuture, RenderPage,
    ServerContext,
};

/// The app's routes, generated once per process.
///
/// Generating them renders the app with resource loading switched off through a flag that
/// leptos_server keeps for the whole process; a resource first polled while the flag is up (by a
/// page rendering on another thread) waits forever, and so does its response. Generating the
/// list again for each app built (as the tests do, many in parallel) made pages hang at random.
pub fn app_routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Where the site's files are, and whether their names are hashed.
pub(crate) fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("ks-console")
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(config.site_addr)
        .hash_files(hashed_assets())
        .build()
}

/// Whether cargo-leptos hashed the site's file names: it then writes `hash.txt` beside the
/// binary (a release build; tests and `cargo run` have none).
fn hashed_assets() -> bool {
    std::env::current_exe().ok().and_then(|exe| Some(exe.parent()?.join("hash.txt").is_file())).unwrap_or(false)
}

/// Renders an app page for a synthetic request (the sign-in page again after a failed attempt,
/// a form's page with what was posted).
pub(crate) fn page_renderer(options: &LeptosOptions, contexts: Contexts) -> RenderPage {
    let render = leptos_axum::render_app_async_with_context(move || contexts.provide(), {
        let options = options.clone();
        move || shell(options.clone())
    });
    Arc::new(move |req: Request| {
        let render = render.clone();
        Box::pin(async move { render(req).await.into_response() }) as RenderFuture
    })
}

/// The app: its pages and server functions, and the endpoints of plain forms and files.
pub(crate) fn app(ctx: &ServerContext, options: LeptosOptions, contexts: Contexts) -> Router {
    let provide = move || contexts.provide();
    let server_fns = {
        let provide = provide.clone();
        move |req: Request| handle_server_fns_with_context(provide.clone(), req)
    };
    let forms = Router::new()
        .route("/login", post(login::login))
        .route(registration::CONFIRM_PATH, post(registration::confirm))
        .route("/logout", post(login::logout))
        .route(single_sign_on::START_PATH, get(single_sign_on::start))
        .route("/workspaces/{workspace}/access.csv", get(access_export::export))
        .route("/workspaces/{workspace}/access-changes.csv", get(access_export::export_changes))
        .route(single_sign_on::CALLBACK_PATH, get(single_sign_on::callback))
        .route("/language", post(language::switch))
        .route("/onboard", post(forms::page_with_post))
        .route(forms::BULK_PATH, post(forms::bulk_post))
        .with_state(ctx.clone());
    Router::new()
        // Server functions are POST only: no GET may change state (and none needs to).
        .route("/api/{*fn_name}", post(server_fns))
        .leptos_routes_with_context(&options, app_routes(), provide, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler(shell))
        .with_state(options)
        .merge(forms)
}

/// The health checks, outside the session layers: they never need a session or set a cookie.
pub(crate) fn health(ctx: ServerContext) -> Router {
    Router::new().route("/livez", get(health::livez)).route("/readyz", get(health::readyz)).with_state(ctx)
}
