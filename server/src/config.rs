//! Typed configuration, from flags or environment variables, loaded once at start-up.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use clap::{Parser, ValueEnum};
use ipnet::IpNet;

/// An address or a CIDR range; a bare address is a range of one.
fn parse_trusted_proxy(raw: &str) -> Result<IpNet, String> {
    let raw = raw.trim();
    raw.parse::<IpNet>()
        .or_else(|_| raw.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{raw:?} is neither an IP address nor a CIDR range"))
}

/// The message format a webhook expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WebhookFormat {
    /// `{"recipient", "email", "lang", "subject", "text"}`.
    Json,
    /// A WeCom (企业微信) group robot: `{"msgtype": "text", "text": {"content"}}`.
    Wecom,
    /// A DingTalk (钉钉) robot: `{"msgtype": "text", "text": {"content"}}`.
    Dingtalk,
    /// A Slack incoming webhook: `{"text"}`.
    Slack,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// A configured secret: its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretText(pub String);

impl std::str::FromStr for SecretText {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

#[derive(Debug, Clone, Parser)]
#[command(name = "ks-console", about = "KS Console: self-service KubeSphere tenancy", version)]
pub struct Config {
    /// Address the console listens on.
    #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
    pub site_addr: SocketAddr,

    /// ks-apiserver base URL, e.g. `http://ks-apiserver.kubesphere-system.svc` in the cluster.
    /// Required: the console refuses to start without it.
    #[arg(long, env = "KUBESPHERE_HOST")]
    pub kubesphere_host: url::Url,

    /// The origin browsers use to reach the console, e.g. `https://console.example.com`.
    /// Requests whose `Origin` differs are refused. Defaults to `http://{site_addr}`.
    #[arg(long, env = "PUBLIC_ORIGIN")]
    pub public_origin: Option<String>,

    /// The KubeSphere console's public address (e.g. `https://kubesphere.example.com`): when set,
    /// the sign-in page offers KubeSphere's single sign-on providers, through that console and
    /// the authorization-code flow. The OAuth client must list `{PUBLIC_ORIGIN}/oauth/callback`.
    #[arg(long, env = "KUBESPHERE_PORTAL_URL")]
    pub kubesphere_portal_url: Option<String>,

    /// OAuth client registered in KubeSphere.
    #[arg(long, env = "KS_OAUTH_CLIENT_ID", default_value = "kubesphere")]
    pub oauth_client_id: String,
    /// The OAuth client's secret (its value is never printed).
    #[arg(long, env = "KS_OAUTH_CLIENT_SECRET", default_value = "kubesphere", hide_env_values = true)]
    pub oauth_client_secret: String,

    /// Upstream connect timeout, in milliseconds.
    #[arg(long, env = "UPSTREAM_CONNECT_TIMEOUT_MS", default_value_t = 3000)]
    pub upstream_connect_timeout_ms: u64,
    /// Upstream total timeout per request, in milliseconds.
    #[arg(long, env = "UPSTREAM_TIMEOUT_MS", default_value_t = 10000)]
    pub upstream_timeout_ms: u64,
    /// Extra attempts for a failed upstream read (writes are never retried).
    #[arg(long, env = "UPSTREAM_READ_RETRIES", default_value_t = 1)]
    pub upstream_read_retries: u32,
    /// Consecutive upstream failures that open the circuit breaker (0 = off).
    #[arg(long, env = "UPSTREAM_BREAKER_THRESHOLD", default_value_t = 5)]
    pub upstream_breaker_threshold: u32,
    /// How long the open breaker fails fast, in milliseconds.
    #[arg(long, env = "UPSTREAM_BREAKER_COOLDOWN_MS", default_value_t = 5000)]
    pub upstream_breaker_cooldown_ms: u64,
    /// Upper bound for the best-effort upstream logout, in milliseconds.
    #[arg(long, env = "LOGOUT_TIMEOUT_MS", default_value_t = 2000)]
    pub logout_timeout_ms: u64,

    /// Where sessions, KubeSphere tokens and login-failure counts live: unset = this process's
    /// memory; `redis://…` or `rediss://…` = Redis, shared by every replica.
    #[arg(long, env = "SESSION_STORE")]
    pub session_store: Option<String>,

    /// The secret the cookie-signing and token-encryption keys are derived from (at least 32
    /// characters). Required with `SESSION_STORE`; without it a random one per process is used.
    #[arg(long, env = "SESSION_SECRET", hide_env_values = true)]
    pub session_secret: Option<SecretText>,

    /// The secret being replaced, still accepted for reading during a rotation.
    #[arg(long, env = "SESSION_SECRET_PREVIOUS", hide_env_values = true)]
    pub session_secret_previous: Option<SecretText>,

    /// Where `/metrics` (Prometheus text) is served, apart from the console (e.g. `0.0.0.0:9100`);
    /// unset = no metrics.
    #[arg(long, env = "METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,

    /// `text` (for people) or `json` (one object per line, with the request id, for log shippers).
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,

    /// Checks that a console is up on `LEPTOS_SITE_ADDR` (`GET /livez`) and exits 0 if so, 1 if
    /// not: the container's health check (the runtime image has no curl).
    #[arg(long)]
    pub health: bool,

    /// Sign out after this many seconds without a request.
    #[arg(long, env = "SESSION_IDLE_TIMEOUT_SECS", default_value_t = 1800)]
    pub session_idle_timeout_secs: u64,
    /// Sign out this many seconds after login, however active the session.
    #[arg(long, env = "SESSION_MAX_LIFETIME_SECS", default_value_t = 43200)]
    pub session_max_lifetime_secs: u64,
    /// Refresh the KubeSphere token when it has less than this many seconds left.
    #[arg(long, env = "TOKEN_REFRESH_SKEW_SECS", default_value_t = 60)]
    pub token_refresh_skew_secs: u64,
    /// Keep each session's clusters, platform role and role templates this many milliseconds
    /// (at most 10000, so a change made elsewhere shows soon; 0 caches nothing). Emptied by the
    /// person's own changes and at sign-out; never shared between sessions.
    #[arg(long, env = "SESSION_CACHE_MS", default_value_t = 10_000)]
    pub session_cache_ms: u64,
    /// The activity log's database: `sqlite://path` (created if missing; the default, under
    /// the `data` directory) or `postgres://…`, which several replicas share.
    #[arg(long, env = "ACTIVITY_DB", default_value = "sqlite://data/activity.db", hide_env_values = true)]
    pub activity_db: String,
    /// How often, in seconds, each replica looks for bulk-onboarding jobs whose replica stopped
    /// (their lease of 30 s lapsed), to resume them.
    #[arg(long, env = "BULK_RESUME_SECS", default_value_t = 10)]
    pub bulk_resume_secs: u64,
    /// Remove finished bulk-onboarding jobs (and their results) this many days after they ended
    /// (0 keeps them).
    #[arg(long, env = "BULK_JOB_RETENTION_DAYS", default_value_t = 30)]
    pub bulk_job_retention_days: u32,
    /// Prune activity-log entries older than this many days (0 keeps everything); the
    /// notification outbox is pruned with them.
    #[arg(long, env = "ACTIVITY_RETENTION_DAYS", default_value_t = 0)]
    pub activity_retention_days: u32,
    /// Where e-mail notifications are sent: `smtps://user:pass@host:465` (TLS),
    /// `smtp://host:587?tls=starttls` (STARTTLS), or plain `smtp://host:25` for a relay on the
    /// same host or in the cluster. Unset: no e-mail.
    #[arg(long, env = "SMTP_URL")]
    pub smtp_url: Option<SecretText>,
    /// The sender of e-mail notifications, e.g. `KS Console <console@example.com>`.
    #[arg(long, env = "MAIL_FROM", default_value = "KS Console <ks-console@localhost>")]
    pub mail_from: String,
    /// A webhook told of every change as JSON (`WEBHOOK_FORMAT`). Unset: no webhook.
    #[arg(long, env = "WEBHOOK_URL")]
    pub webhook_url: Option<SecretText>,
    /// The webhook's message format: the console's own JSON, or a WeCom, DingTalk or Slack bot's.
    #[arg(long, env = "WEBHOOK_FORMAT", value_enum, default_value_t = WebhookFormat::Json)]
    pub webhook_format: WebhookFormat,
    /// The first retry of a notification that could not be sent waits this long; each next one
    /// twice as long, at most an hour, until `NOTIFY_GIVE_UP_SECS`.
    #[arg(long, env = "NOTIFY_RETRY_MS", default_value_t = 30_000)]
    pub notify_retry_ms: u64,
    /// A notification not sent this long after the change is given up (shown to platform
    /// administrators on the activity page).
    #[arg(long, env = "NOTIFY_GIVE_UP_SECS", default_value_t = 86_400)]
    pub notify_give_up_secs: u64,
    /// How often the outbox is looked at for notifications to send.
    #[arg(long, env = "NOTIFY_POLL_MS", default_value_t = 2_000)]
    pub notify_poll_ms: u64,
    /// SameSite attribute of the session cookie.
    #[arg(long, env = "COOKIE_SAME_SITE", value_enum, default_value_t = SameSiteSetting::Lax)]
    pub cookie_same_site: SameSiteSetting,

    /// Failed logins allowed per account and client address (an IPv6 /64 counts as one)
    /// within the window before the console answers 429 itself, without asking KubeSphere.
    /// 0 switches the throttle off.
    #[arg(long, env = "LOGIN_THROTTLE_MAX_FAILURES", default_value_t = 10)]
    pub login_throttle_max_failures: u32,
    /// Failed logins allowed per client address within the window, whatever the account.
    #[arg(long, env = "LOGIN_THROTTLE_MAX_FAILURES_PER_ADDRESS", default_value_t = 50)]
    pub login_throttle_max_failures_per_address: u32,
    #[arg(long, env = "LOGIN_THROTTLE_WINDOW_SECS", default_value_t = 300)]
    pub login_throttle_window_secs: u64,
    /// How long KubeSphere keeps an account locked after too many failed logins (its
    /// `authenticateRateLimiterDuration`, 10 minutes by default); KubeSphere sends no
    /// `Retry-After`, so the console sends this one.
    #[arg(long, env = "KS_LOCKOUT_SECS", default_value_t = 600)]
    pub ks_lockout_secs: u64,
    /// Reverse proxies whose `X-Forwarded-For` is believed: comma-separated addresses or CIDR
    /// ranges of the ingress controller's pods (e.g. `10.244.3.17,10.244.5.0/24`): never a whole pod range.
    #[arg(long, env = "TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_trusted_proxy)]
    pub trusted_proxies: Vec<IpNet>,

    /// Seconds any one request may take, end to end, before the console answers 503 itself.
    #[arg(long, env = "REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,
    /// Requests served at once; more are answered 503 at once instead of queueing (health
    /// checks are not counted).
    #[arg(long, env = "MAX_CONCURRENT_REQUESTS", default_value_t = 512)]
    pub max_concurrent_requests: usize,
    /// Server-function calls each signed-in session may make per second, on average; bursts up
    /// to twice that. 0 switches the limit off.
    #[arg(long, env = "API_CALLS_PER_SECOND", default_value_t = 20)]
    pub api_calls_per_second: u32,
    /// Seconds a client may take to send its request headers (slow clients hold no connection
    /// for ever).
    #[arg(long, env = "HEADER_READ_TIMEOUT_SECS", default_value_t = 10)]
    pub header_read_timeout_secs: u64,
    /// Seconds in-flight requests get to finish once shutdown starts (SIGTERM, Ctrl-C).
    #[arg(long, env = "SHUTDOWN_GRACE_SECS", default_value_t = 20)]
    pub shutdown_grace_secs: u64,

    /// Directory holding the built site (`pkg/` with the WASM, JS and CSS).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SameSiteSetting {
    Lax,
    Strict,
}

impl Config {
    /// Defaults for tests: everything as in production, upstream given.
    pub fn for_upstream(kubesphere_host: &str) -> Self {
        let mut config = Config::parse_from(["ks-console", "--kubesphere-host", kubesphere_host]);
        // Each app its own log, gone with it.
        config.activity_db = "sqlite::memory:".into();
        config
    }

    pub fn public_origin(&self) -> String {
        self.public_origin
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.site_addr))
            .trim_end_matches('/')
            .to_owned()
    }

    /// The KubeSphere console's address for single sign-on, checked: an absolute `http(s)` URL
    /// without query or fragment, no trailing slash. `Ok(None)` when it is not set.
    pub fn portal_url(&self) -> Result<Option<String>, String> {
        let Some(raw) = self.kubesphere_portal_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) else {
            return Ok(None);
        };
        let url = raw.trim_end_matches('/');
        let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
        match rest {
            Some(host) if !host.is_empty() && !url.contains(['?', '#', ' ', '\\']) && !host.starts_with('/') => {
                Ok(Some(url.to_owned()))
            }
            _ => Err(format!(
                "KUBESPHERE_PORTAL_URL must be the KubeSphere console's address, such as \
                 https://kubesphere.example.com (got {raw:?})"
            )),
        }
    }

    /// Secure cookies (and a `__Host-` cookie name) everywhere except plain-http development.
    pub fn uses_tls(&self) -> bool {
        self.public_origin().starts_with("https://")
    }

    pub fn upstream_timeout(&self) -> Duration {
        Duration::from_millis(self.upstream_timeout_ms)
    }

    pub fn serve_limits(&self) -> crate::serve::ServeLimits {
        crate::serve::ServeLimits {
            header_read_timeout: Duration::from_secs(self.header_read_timeout_secs),
            shutdown_grace: Duration::from_secs(self.shutdown_grace_secs),
        }
    }

    /// A warning to log at start when sessions would travel in the clear beyond this machine:
    /// a plain-http origin (no `Secure`, no `__Host-` cookie) reachable on a non-loopback address.
    pub fn plain_http_warning(&self) -> Option<String> {
        if self.uses_tls() {
            return None;
        }
        let origin = self.public_origin();
        let (host, _) = split_host(origin_authority(&origin));
        (!is_loopback_name(host) || !self.site_addr.ip().is_loopback()).then(|| {
            format!(
                "PUBLIC_ORIGIN is {origin} and the console listens on {}: session cookies are sent without Secure over plain \
                 HTTP. Put the console behind TLS and set PUBLIC_ORIGIN=https://….",
                self.site_addr
            )
        })
    }
}

/// `https://host:port/path` → `host:port`.
pub(crate) fn origin_authority(origin: &str) -> &str {
    let rest = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    rest.split('/').next().unwrap_or_default()
}

/// `name:port` → (name, port); an IPv6 literal keeps its brackets.
pub(crate) fn split_host(host: &str) -> (&str, Option<&str>) {
    match host.rsplit_once(':') {
        Some((name, port))
            if !name.is_empty()
                && port.bytes().all(|b| b.is_ascii_digit())
                && (!name.contains(':') || name.ends_with(']')) =>
        {
            (name, Some(port))
        }
        _ => (host, None),
    }
}

/// `localhost` or a loopback address (IPv6 with or without brackets).
pub(crate) fn is_loopback_name(name: &str) -> bool {
    name.eq_ignore_ascii_case("localhost")
        || name.trim_matches(['[', ']']).parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_beyond_loopback_is_warned_about() {
        let config = |addr: &str, origin: Option<&str>| {
            let mut c = Config::parse_from(["ks-console", "--kubesphere-host", "http://ks", "--site-addr", addr]);
            c.public_origin = origin.map(str::to_owned);
            c
        };
        assert_eq!(config("127.0.0.1:3000", None).plain_http_warning(), None, "local development");
        assert_eq!(config("127.0.0.1:3000", Some("http://localhost:3000")).plain_http_warning(), None);
        assert!(config("0.0.0.0:3000", None).plain_http_warning().is_some(), "listening on every address");
        assert!(
            config("127.0.0.1:3000", Some("http://console.example.com")).plain_http_warning().is_some(),
            "behind a plain proxy"
        );
        assert_eq!(config("0.0.0.0:3000", Some("https://console.example.com")).plain_http_warning(), None);
    }
}
