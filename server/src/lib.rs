//! The KS Console server: configuration, the middleware stack and start-up.
//! `main` only loads the configuration and serves what [`build_app`] returns.
//!
//! - [`state`]: what handlers share, and the services started for a configuration;
//! - [`routes`]: the pages, server functions, plain forms and health checks;
//! - `middleware`: the stack around them, in order;
//! - `errors`: the one way an error is answered.

mod access_export;
mod background;
mod clock;
pub mod config;
pub mod database;
mod errors;
mod forms;
mod health;
pub mod jobs;
mod language;
mod login;
pub mod metrics;
mod middleware;
pub mod notify;
mod rate_limit;
mod registration;
mod request_id;
mod request_records;
mod review_records;
pub mod routes;
mod secrets;
mod security;
pub mod serve;
mod session;
mod sign_in;
mod single_sign_on;
pub mod state;
pub mod stores;
mod vault;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::extract::Request;
use axum::response::Response;
use axum::Router;

pub use config::Config;
pub use routes::app_routes;
pub use state::{cookie_name, memory_stores, stores_from_config, AppMemory, ServerContext, StartError};
pub use stores::Stores;

type RenderFuture = Pin<Box<dyn Future<Output = Response> + Send>>;
type RenderPage = Arc<dyn Fn(Request) -> RenderFuture + Send + Sync>;

/// Builds the whole application for `config`, keeping sessions, tokens and sign-in failures in
/// `stores` ([`stores_from_config`], or [`memory_stores`] in tests).
pub fn build_app(config: Config, stores: Stores) -> Result<Router, StartError> {
    let services = state::Services::start(&config, &stores)?;
    let options = routes::leptos_options(&config);
    let render_page = routes::page_renderer(&options, services.contexts.clone());
    let ctx = ServerContext::new(config, stores, &services, render_page, options.hash_files);
    let app = routes::app(&ctx, options, services.contexts);
    let health = routes::health(ctx.clone());
    Ok(middleware::around(&ctx, app, health))
}
