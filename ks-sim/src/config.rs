//! Simulator configuration.

use std::time::Duration;

use crate::seed::Seed;

/// How a simulator behaves. `Default` = the demo seed with the Helm chart's defaults.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Initial users and roles.
    pub seed: Seed,
    /// Access token lifetime (`expires_in`); zero = tokens never expire.
    pub access_token_ttl: Duration,
    /// Added to the access lifetime for refresh tokens (the "inactivity timeout").
    pub refresh_token_extra_ttl: Duration,
    /// When false, a successful login revokes all the user's other tokens.
    pub multiple_login: bool,
    /// Failed logins within `lockout_window` that lock an account.
    pub lockout_max_tries: u32,
    /// Window for counting failed logins, and how long a lock lasts.
    pub lockout_window: Duration,
    /// The only OAuth client.
    pub client_id: String,
    pub client_secret: String,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: Seed::demo(),
            access_token_ttl: Duration::from_secs(7200),
            refresh_token_extra_ttl: Duration::from_secs(1800),
            multiple_login: true,
            lockout_max_tries: 10,
            lockout_window: Duration::from_secs(600),
            client_id: "kubesphere".to_owned(),
            client_secret: "kubesphere".to_owned(),
        }
    }
}
