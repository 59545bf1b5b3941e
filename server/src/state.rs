//! What the console's handlers share, and the services it starts for a configuration: the
//! KubeSphere client, the stores of sessions and tokens, the console's database and what runs
//! on it in the background (notifications, bulk jobs, pruning).

use std::sync::Arc;
use std::time::Duration;

use app::sign_in_methods::ssr::{SignInMethods, SingleSignOnSettings};
use app::upstream::AppState;
use ks_client::{ClientConfig, KsClient, KsError};
use leptos::prelude::provide_context;

use crate::background::{spawn_every, spawn_task};
use crate::config::Config;
use crate::database::Database;
use crate::secrets::Secrets;
use crate::stores::{self, LoginThrottle, MemorySessions, MemoryTokens, RedisStores, SharedSessions, Stores};
use crate::vault::TokenVault;
use crate::{jobs, notify, rate_limit, single_sign_on, RenderPage};

/// What the middleware and handlers share.
#[derive(Clone)]
pub struct ServerContext {
    pub config: Arc<Config>,
    pub state: AppState,
    /// The access review's snapshots and sign-offs, in the activity log's database.
    pub reviews: app::access::records::ReviewStore,
    /// The console's database (each person's notification choices, beside the log).
    pub database: Database,
    pub vault: TokenVault,
    pub stores: Stores,
    pub public_origin: Arc<str>,
    pub cookie_name: Arc<str>,
    pub(crate) secrets: Secrets,
    /// The site's files are named by their content (a release build): they may be cached for good.
    pub(crate) hashed_assets: bool,
    pub(crate) api_limiter: Option<rate_limit::ApiLimiter>,
    /// Renders an app page for a synthetic request (the login page after a failed attempt).
    pub(crate) render_page: RenderPage,
}

/// The session cookie's name. `__Host-` (Secure, no Domain, Path=/) wherever TLS is used.
pub fn cookie_name(config: &Config) -> &'static str {
    if config.uses_tls() {
        "__Host-ks-console"
    } else {
        "ks-console"
    }
}

/// What the app's pages and server functions read from Leptos's context, provided per request.
#[derive(Clone)]
pub(crate) struct Contexts {
    pub state: AppState,
    pub reviews: app::access::records::ReviewStore,
    requests: app::request_records::ssr::RequestStore,
    prefs: app::notifications::ssr::PrefsStore,
    jobs: app::bulk::job::ssr::JobsHandle,
}

impl Contexts {
    pub fn provide(&self) {
        provide_context(self.state.clone());
        provide_context(self.reviews.clone());
        provide_context(self.requests.clone());
        provide_context(self.prefs.clone());
        provide_context(self.jobs.clone());
    }
}

/// The services started for one app.
pub(crate) struct Services {
    pub contexts: Contexts,
    pub database: Database,
    pub vault: TokenVault,
    pub secrets: Secrets,
}

impl Services {
    /// Starts everything the app needs beside its routes, for `config` and `stores`.
    pub fn start(config: &Config, stores: &Stores) -> Result<Self, StartError> {
        let secrets = secrets_of(config)?;
        let ks = KsClient::new(ClientConfig {
            oauth_client_id: config.oauth_client_id.clone(),
            oauth_client_secret: config.oauth_client_secret.clone(),
            connect_timeout: Duration::from_millis(config.upstream_connect_timeout_ms),
            request_timeout: config.upstream_timeout(),
            max_read_retries: config.upstream_read_retries,
            breaker_threshold: config.upstream_breaker_threshold,
            breaker_cooldown: Duration::from_millis(config.upstream_breaker_cooldown_ms),
            logout_timeout: Duration::from_millis(config.logout_timeout_ms),
            ..ClientConfig::new(config.kubesphere_host.as_str())
        })?;
        let notify_settings = notify::NotifySettings::from_config(config);
        let database = Database::open(&config.activity_db).map_err(StartError::Config)?.with_outbox(
            notify_settings.channels(),
            notify_settings.settle,
            notify_settings.digest_hour_utc,
        );
        crate::database::prune_periodically(&database, config.activity_retention_days);
        let notify = !notify_settings.channels().is_empty();
        notify::Notifier::new(database.clone(), notify_settings).map_err(StartError::Config)?.run();
        let first_use = database.clone();
        spawn_task(async move {
            // Creates the tables now rather than on the first change; a database that is down only
            // means changes are not recorded until it is back.
            if let Err(e) = first_use.ping().await {
                tracing::warn!(error = %e, "activity log: the database is not reachable; changes are made but not recorded until it is");
            }
        });
        let state = AppState {
            ks,
            activity: Arc::new(database.clone()),
            sealer: Arc::new(secrets.clone()),
            sign_in: Arc::new(SignInMethods::new(&config.oauth_client_id, single_sign_on_settings(config)?)),
            public_origin: config.public_origin().into(),
            notify,
        };
        if state.sign_in.single_sign_on_settings().is_some() {
            // Tells the operator what the console's OAuth client registration lacks, if anything.
            let (sign_in, ks) = (Arc::clone(&state.sign_in), state.ks.clone());
            spawn_task(async move { sign_in.check_registration(&ks).await });
        }
        let vault = TokenVault::new(Arc::clone(&stores.tokens), Duration::from_millis(config.session_cache_ms));
        let settings = jobs::JobSettings {
            refresh_skew: Duration::from_secs(config.token_refresh_skew_secs),
            max_lifetime: Duration::from_secs(config.session_max_lifetime_secs),
            retention: Duration::from_secs(u64::from(config.bulk_job_retention_days) * 86_400),
        };
        let jobs = jobs::JobRunner::new(database.clone(), state.clone(), vault.clone(), secrets.clone(), settings);
        jobs.resume_stopped_jobs(Duration::from_secs(config.bulk_resume_secs));
        jobs.prune_finished_jobs();
        let contexts = Contexts {
            state,
            reviews: app::access::records::ReviewStore(Arc::new(database.clone())),
            requests: app::request_records::ssr::RequestStore(Arc::new(database.clone())),
            prefs: app::notifications::ssr::PrefsStore(Arc::new(database.clone())),
            jobs: app::bulk::job::ssr::JobsHandle(Arc::new(jobs)),
        };
        Ok(Self { contexts, database, vault, secrets })
    }
}

impl ServerContext {
    /// `hashed_assets`: whether the site's file names are hashed (the Leptos options say).
    pub(crate) fn new(
        config: Config,
        stores: Stores,
        services: &Services,
        render_page: RenderPage,
        hashed_assets: bool,
    ) -> Self {
        Self {
            public_origin: config.public_origin().into(),
            cookie_name: cookie_name(&config).into(),
            api_limiter: rate_limit::api_limiter(config.api_calls_per_second),
            state: services.contexts.state.clone(),
            reviews: services.contexts.reviews.clone(),
            database: services.database.clone(),
            vault: services.vault.clone(),
            stores,
            secrets: services.secrets.clone(),
            hashed_assets,
            render_page,
            config: Arc::new(config),
        }
    }
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

/// The stores `config` asks for: Redis with `SESSION_STORE`, else in memory.
pub async fn stores_from_config(config: &Config) -> Result<Stores, StartError> {
    let Some(url) = config.session_store.clone().filter(|u| !u.trim().is_empty()) else {
        return Ok(memory_stores(config).0);
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
    let redis = RedisStores::connect(
        &url,
        secrets_of(config)?,
        (Duration::from_secs(config.session_idle_timeout_secs), Duration::from_secs(config.session_max_lifetime_secs)),
        throttle_limits(config),
        Duration::from_secs(5),
    )
    .await?;
    redis.report_sessions(Duration::from_secs(30));
    Ok(Stores {
        sessions: SharedSessions(Arc::new(redis.clone())),
        tokens: Arc::new(redis.clone()),
        attempts: Arc::new(redis),
    })
}

/// What a running app keeps per signed-in person in memory, for reports and tests.
#[derive(Clone, Debug)]
pub struct AppMemory {
    pub sessions: MemorySessions,
    pub tokens: MemoryTokens,
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
