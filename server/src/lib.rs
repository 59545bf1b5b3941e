//! The KS Console server: configuration, the middleware stack and start-up.
//! `main` only loads the configuration and serves what [`build_app`] returns.

mod access_export;
pub mod config;
pub mod database;
mod forms;
mod health;
pub mod jobs;
mod language;
mod login;
pub mod metrics;
pub mod notify;
mod rate_limit;
mod registration;
mod request_records;
mod review_records;
mod secrets;
mod security;
pub mod serve;
mod session;
mod single_sign_on;
pub mod stores;
mod vault;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use app::sign_in_methods::ssr::{SignInMethods, SingleSignOnSettings};
use app::upstream::AppState;
use app::{shell, App};
use axum::body::Body;
use axum::error_handling::HandleErrorLayer;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use ks_client::{ClientConfig, KsClient, KsError};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, AxumRouteListing, LeptosRoutes};
use tower::limit::GlobalConcurrencyLimitLayer;
use tower::load_shed::LoadShedLayer;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::service::SignedCookie;
use tower_sessions::{Expiry, SessionManagerLayer};

use secrets::Secrets;
use stores::{LoginThrottle, MemorySessions, MemoryTokens, RedisStores, SharedSessions, Stores};
use vault::TokenVault;

pub use config::Config;

type RenderFuture = Pin<Box<dyn Future<Output = Response> + Send>>;
type RenderPage = Arc<dyn Fn(Request) -> RenderFuture + Send + Sync>;

/// What the middleware and handlers share.
#[derive(Clone)]
pub struct ServerContext {
    pub config: Arc<Config>,
    pub state: AppState,
    /// The access review's snapshots and sign-offs, in the activity log's database.
    pub reviews: app::access::records::ReviewStore,
    /// The console's database (each person's notification choices, beside the log).
    pub database: database::Database,
    pub vault: TokenVault,
    pub stores: Stores,
    pub public_origin: Arc<str>,
    pub cookie_name: Arc<str>,
    secrets: Secrets,
    /// The site's files are named by their content (a release build): they may be cached for good.
    hashed_assets: bool,
    api_limiter: Option<rate_limit::ApiLimiter>,
    /// Renders an app page for a synthetic request (the login page after a failed attempt).
    render_page: RenderPage,
}

/// The session cookie's name. `__Host-` (Secure, no Domain, Path=/) wherever TLS is used.
pub fn cookie_name(config: &Config) -> &'static str {
    if config.uses_tls() {
        "__Host-ks-console"
    } else {
        "ks-console"
    }
}

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

/// Why the console cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Config(String),
    #[error("KUBESPHERE_HOST: {0}")]
    Upstream(#[from] KsError),
    #[error("SESSION_STORE: {0}")]
    Store(#[from] stores::StoreError),
}

/// The application as configured: in-memory stores, or Redis with `SESSION_STORE`.
pub async fn build_app_from_config(config: Config, kubesphere_url: &str) -> Result<Router, StartError> {
    let Some(url) = config.session_store.clone().filter(|u| !u.trim().is_empty()) else {
        return build_app(config, kubesphere_url);
    };
    if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
        return Err(StartError::Config(
            "SESSION_STORE must be a redis:// or rediss:// URL (or unset for memory)".into(),
        ));
    }
    if config.session_secret.is_none() {
        return Err(StartError::Config(
            "SESSION_SECRET is required with SESSION_STORE: every replica signs cookies and encrypts tokens with it"
                .into(),
        ));
    }
    let secrets = secrets_of(&config)?;
    let redis = RedisStores::connect(
        &url,
        secrets,
        (Duration::from_secs(config.session_idle_timeout_secs), Duration::from_secs(config.session_max_lifetime_secs)),
        throttle_limits(&config),
        Duration::from_secs(5),
    )
    .await?;
    redis.report_sessions(Duration::from_secs(30));
    let stores = Stores {
        sessions: SharedSessions(Arc::new(redis.clone())),
        tokens: Arc::new(redis.clone()),
        attempts: Arc::new(redis),
    };
    build_app_with_stores(config, kubesphere_url, stores)
}

/// Single sign-on through KubeSphere's console, when `KUBESPHERE_PORTAL_URL` is set.
fn single_sign_on_settings(config: &Config) -> Result<Option<SingleSignOnSettings>, StartError> {
    let origin = config.public_origin();
    Ok(config.portal_url().map_err(StartError::Config)?.map(|portal_url| SingleSignOnSettings {
        portal_url,
        client_id: config.oauth_client_id.clone(),
        callback_url: format!("{origin}{}", single_sign_on::CALLBACK_PATH),
        signed_out_url: format!("{origin}/login?reason=signed_out"),
    }))
}

fn secrets_of(config: &Config) -> Result<Secrets, StartError> {
    match &config.session_secret {
        Some(secret) => Secrets::new(&secret.0, config.session_secret_previous.as_ref().map(|p| p.0.as_str()))
            .map_err(StartError::Config),
        None => Ok(Secrets::ephemeral()),
    }
}

fn throttle_limits(config: &Config) -> stores::Limits {
    stores::Limits {
        per_account: config.login_throttle_max_failures,
        per_address: config.login_throttle_max_failures_per_address,
        window: Duration::from_secs(config.login_throttle_window_secs),
        capacity: 100_000,
    }
}

/// Builds the whole application for `config`, talking to the ks-apiserver at `kubesphere_url`.
pub fn build_app(config: Config, kubesphere_url: &str) -> Result<Router, StartError> {
    build_app_with_state(config, kubesphere_url).map(|(app, _)| app)
}

/// What a running app keeps per signed-in person in memory, for reports and tests.
#[derive(Clone, Debug)]
pub struct AppMemory {
    pub sessions: MemorySessions,
    pub tokens: MemoryTokens,
}

/// [`build_app`] with in-memory stores, also handing them out.
pub fn build_app_with_state(config: Config, kubesphere_url: &str) -> Result<(Router, AppMemory), StartError> {
    let (stores, memory) = memory_stores(&config);
    Ok((build_app_with_stores(config, kubesphere_url, stores)?, memory))
}

/// In-memory stores for one process, swept of what has expired for as long as the runtime runs.
pub fn memory_stores(config: &Config) -> (Stores, AppMemory) {
    let memory = AppMemory { sessions: MemorySessions::default(), tokens: MemoryTokens::default() };
    // Expired sessions, and the tokens of sessions unused for the idle lifetime, are forgotten.
    let idle = Duration::from_secs(config.session_idle_timeout_secs);
    let sweep_period = idle.clamp(Duration::from_secs(1), Duration::from_secs(60));
    let (sessions, tokens) = (memory.sessions.clone(), memory.tokens.clone());
    spawn_every(sweep_period, move || {
        sessions.forget_expired();
        tokens.forget_idle(idle);
        ::metrics::gauge!("ks_console_sessions").set(sessions.len() as f64);
    });
    let stores = Stores {
        sessions: SharedSessions(Arc::new(memory.sessions.clone())),
        tokens: Arc::new(memory.tokens.clone()),
        attempts: Arc::new(LoginThrottle::new(throttle_limits(config))),
    };
    (stores, memory)
}

/// [`build_app`] keeping its sessions, tokens and login-failure counts in `stores`.
pub fn build_app_with_stores(config: Config, kubesphere_url: &str, stores: Stores) -> Result<Router, StartError> {
    let secrets = secrets_of(&config)?;
    let ks = KsClient::new(ClientConfig {
        oauth_client_id: config.oauth_client_id.clone(),
        oauth_client_secret: config.oauth_client_secret.clone(),
        connect_timeout: Duration::from_millis(config.upstream_connect_timeout_ms),
        request_timeout: config.upstream_timeout(),
        max_read_retries: config.upstream_read_retries,
        breaker_threshold: config.upstream_breaker_threshold,
        breaker_cooldown: Duration::from_millis(config.upstream_breaker_cooldown_ms),
        logout_timeout: Duration::from_millis(config.logout_timeout_ms),
        ..ClientConfig::new(kubesphere_url)
    })?;
    let notify_settings = notify::NotifySettings::from_config(&config);
    let activity = database::Database::open(&config.activity_db).map_err(StartError::Config)?.with_outbox(
        notify_settings.channels(),
        notify_settings.settle,
        notify_settings.digest_hour_utc,
    );
    prune_activity_log(&activity, config.activity_retention_days);
    let database = activity.clone();
    let notify = !notify_settings.channels().is_empty();
    notify::Notifier::new(activity.clone(), notify_settings).map_err(StartError::Config)?.run();
    let first_use = activity.clone();
    spawn_task(async move {
        // Creates the tables now rather than on the first change; a database that is down only
        // means changes are not recorded until it is back.
        if let Err(e) = first_use.ping().await {
            tracing::warn!(error = %e, "activity log: the database is not reachable; changes are made but not recorded until it is");
        }
    });
    let state = AppState {
        ks,
        activity: Arc::new(activity.clone()),
        sealer: Arc::new(secrets.clone()),
        sign_in: Arc::new(SignInMethods::new(&config.oauth_client_id, single_sign_on_settings(&config)?)),
        public_origin: config.public_origin().into(),
        notify,
    };
    if state.sign_in.single_sign_on_settings().is_some() {
        // Tells the operator what the console's OAuth client registration lacks, if anything.
        let (sign_in, ks) = (Arc::clone(&state.sign_in), state.ks.clone());
        spawn_task(async move { sign_in.check_registration(&ks).await });
    }
    let reviews = app::access::records::ReviewStore(Arc::new(activity.clone()));
    let requests = app::request_records::ssr::RequestStore(Arc::new(activity.clone()));
    let notification_prefs = app::notifications::ssr::PrefsStore(Arc::new(activity.clone()));
    let vault = TokenVault::new(Arc::clone(&stores.tokens), Duration::from_millis(config.session_cache_ms));
    let settings = jobs::JobSettings {
        refresh_skew: Duration::from_secs(config.token_refresh_skew_secs),
        max_lifetime: Duration::from_secs(config.session_max_lifetime_secs),
        retention: Duration::from_secs(u64::from(config.bulk_job_retention_days) * 86_400),
    };
    let jobs = jobs::JobRunner::new(activity, state.clone(), vault.clone(), secrets.clone(), settings);
    jobs.resume_stopped_jobs(Duration::from_secs(config.bulk_resume_secs));
    jobs.prune_finished_jobs();
    let jobs = app::bulk::job::ssr::JobsHandle(Arc::new(jobs));

    let hashed_assets = hashed_assets();
    let leptos_options = LeptosOptions::builder()
        .output_name("ks-console")
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(config.site_addr)
        .hash_files(hashed_assets)
        .build();
    let routes = app_routes();
    let provide_state = {
        let (state, reviews, requests) = (state.clone(), reviews.clone(), requests.clone());
        move || {
            provide_context(state.clone());
            provide_context(reviews.clone());
            provide_context(requests.clone());
            provide_context(notification_prefs.clone());
            provide_context(jobs.clone());
        }
    };
    let render_page: RenderPage = {
        let render = leptos_axum::render_app_async_with_context(provide_state.clone(), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        });
        Arc::new(move |req: Request| {
            let render = render.clone();
            Box::pin(async move { render(req).await.into_response() }) as RenderFuture
        })
    };

    let ctx = ServerContext {
        public_origin: config.public_origin().into(),
        cookie_name: cookie_name(&config).into(),
        api_limiter: rate_limit::api_limiter(config.api_calls_per_second),
        state: state.clone(),
        reviews,
        database: database.clone(),
        vault,
        stores,
        secrets,
        hashed_assets,
        render_page,
        config: Arc::new(config),
    };
    let sessions = session_layer(&ctx.config, ctx.stores.sessions.clone(), ctx.secrets.cookie_key());

    let server_fns = {
        let provide_state = provide_state.clone();
        move |req: Request<Body>| handle_server_fns_with_context(provide_state.clone(), req)
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
    let app = Router::new()
        // Server functions are POST only: no GET may change state (and none needs to).
        .route("/api/{*fn_name}", post(server_fns))
        .leptos_routes_with_context(&leptos_options, routes, provide_state, {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler(shell))
        .with_state(leptos_options)
        .merge(forms);

    // Outer stack, for every response including health checks (outermost first): request ids
    // for every log line and response; tracing; security headers and the CSP nonce.
    let outer = ServiceBuilder::new()
        .layer(axum::middleware::from_fn(language::scope))
        .layer(axum::middleware::from_fn(security::sanitize_request_id))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let id = req.headers().get(security::REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(axum::middleware::from_fn(metrics::track))
        .layer(from_fn_with_state(ctx.clone(), security::security_headers));
    // Load limits, for the app but not the health checks (probes must get through when busy):
    // more than the configured number of requests at once are refused with 503 at once rather
    // than queued, and no request runs longer than the request timeout.
    let load = ServiceBuilder::new()
        .layer(HandleErrorLayer::new(|_: tower::BoxError| async { StatusCode::SERVICE_UNAVAILABLE }))
        .layer(LoadShedLayer::new())
        // tokio's semaphore holds at most MAX_PERMITS: a larger setting means "no limit", not a panic.
        .layer(GlobalConcurrencyLimitLayer::new(
            ctx.config.max_concurrent_requests.clamp(1, tokio::sync::Semaphore::MAX_PERMITS),
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(ctx.config.request_timeout_secs),
        ));
    // Inner stack, for the app itself: the Host check (DNS rebinding); a bound on request bodies (every form of the app is small;
    // leptos registers each server function's own route, so the bound sits here, in front of all
    // of them: a larger body is refused with 413 before it is read); the same-origin guard
    // (before anything reads the session); the session; plain-form (no WASM) submissions turned into post/redirect/get;
    // the session gate (default-deny and token refresh); statuses for server-function errors.
    let inner = ServiceBuilder::new()
        .layer(from_fn_with_state(ctx.clone(), security::host_guard))
        .layer(axum::middleware::from_fn(forms::limit_body))
        .layer(from_fn_with_state(ctx.clone(), security::same_origin_guard))
        .layer(from_fn_with_state(ctx.clone(), secrets::accept_previous_secret))
        .layer(sessions)
        .layer(from_fn_with_state(ctx.clone(), forms::plain_form_submissions))
        .layer(from_fn_with_state(ctx.clone(), session::session_gate))
        .layer(from_fn_with_state(ctx.clone(), rate_limit::limit_api_calls))
        .layer(axum::middleware::from_fn(forms::api_error_status));

    // Health checks sit outside the session layers: they never need a session or set a cookie.
    let health =
        Router::new().route("/livez", get(health::livez)).route("/readyz", get(health::readyz)).with_state(ctx);

    Ok(Router::new().merge(health).merge(app.layer(inner).layer(load)).layer(outer))
}

/// The session cookie is signed: a session id read from the store forges nothing.
fn session_layer(
    config: &Config,
    store: SharedSessions,
    key: tower_sessions::cookie::Key,
) -> SessionManagerLayer<SharedSessions, SignedCookie> {
    let same_site = match config.cookie_same_site {
        config::SameSiteSetting::Lax => SameSite::Lax,
        config::SameSiteSetting::Strict => SameSite::Strict,
    };
    let idle = i64::try_from(config.session_idle_timeout_secs).unwrap_or(i64::MAX);
    SessionManagerLayer::new(store)
        .with_name(cookie_name(config))
        .with_http_only(true)
        .with_secure(config.uses_tls())
        .with_same_site(same_site)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(tower_sessions::cookie::time::Duration::seconds(idle)))
        // Every request of a signed-in user extends the idle deadline.
        .with_always_save(true)
        .with_signed(key)
}

/// Whether cargo-leptos hashed the site's file names: it then writes `hash.txt` beside the
/// binary (a release build; tests and `cargo run` have none).
fn hashed_assets() -> bool {
    std::env::current_exe().ok().and_then(|exe| Some(exe.parent()?.join("hash.txt").is_file())).unwrap_or(false)
}

/// Spawns `task` on the current runtime, if there is one (not during route-list generation).
pub(crate) fn spawn_task(task: impl Future<Output = ()> + Send + 'static) {
    if let Ok(handle) = tokio::runtime::Handle::try_current() {
        handle.spawn(task);
    }
}

/// Prunes the activity log of entries, and the access review of snapshots (each workspace's
/// newest stays), older than the retention, hourly (0 days: never).
fn prune_activity_log(log: &database::Database, days: u32) {
    if days == 0 {
        return;
    }
    let log = log.clone();
    spawn_task(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let now_ms = i64::try_from(session::now_unix_ms()).unwrap_or(i64::MAX);
            let cutoff_ms = now_ms - i64::from(days) * 86_400_000;
            match log.prune(cutoff_ms).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(entries = n, days, "activity log: pruned entries past the retention"),
                Err(e) => tracing::warn!(error = %e, "activity log: could not prune"),
            }
            match log.prune_snapshots(cutoff_ms).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(snapshots = n, days, "access review: pruned snapshots past the retention"),
                Err(e) => tracing::warn!(error = %e, "access review: could not prune snapshots"),
            }
            match log.prune_notifications(cutoff_ms).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(notifications = n, days, "notifications: pruned past the retention"),
                Err(e) => tracing::warn!(error = %e, "notifications: could not prune"),
            }
        }
    });
}

/// Runs `task` every `period` for as long as the runtime runs (the sweepers of the in-memory
/// stores). Outside a runtime (route-list generation) nothing is spawned.
pub(crate) fn spawn_every(period: Duration, mut task: impl FnMut() + Send + 'static) {
    if let Ok(handle) = tokio::runtime::Handle::try_current() {
        handle.spawn(async move {
            let mut tick = tokio::time::interval(period);
            loop {
                tick.tick().await;
                task();
            }
        });
    }
}
