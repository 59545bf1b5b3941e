//! Simulator configuration.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use super::clients::{GrantMethod, OAuthClient, DEFAULT_SCOPES};
use super::idp::{demo_identity_providers, IdentityProvider};
use super::seed::Seed;

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
    /// The configured OAuth client (§12.5), the one consoles use: `client_id` /
    /// `client_secret`, scopes openid/email/profile, and the three settings below.
    pub client_id: String,
    pub client_secret: String,
    /// Its `redirectURIs`; none (the shipped `kubesphere` client's) = no authorization-code
    /// flow. Can be changed while running (`Simulator::set_client_redirect_uris`).
    pub client_redirect_uris: Vec<String>,
    /// Its `trusted` (the password grant needs it).
    pub client_trusted: bool,
    /// Its `grantMethod`.
    pub client_grant_method: GrantMethod,
    /// More registered clients, after the configured one.
    pub other_clients: Vec<OAuthClient>,
    /// Which KubeSphere release to behave like where releases differ.
    pub ks_version: KsVersion,
    /// How long KubeSphere's controllers take to make a new workspace's or project's built-in
    /// roles and the manager's/creator's binding (on a real cluster they appear shortly after
    /// the create call returns). Zero = at once.
    pub controller_delay: Duration,
    /// How old the data ks-apiserver's handlers read is: they answer lists and gets from
    /// informer caches, so a write shows up there this much later. Zero = at once.
    pub read_lag: Duration,
    /// Member clusters that are not ready: every request under `/clusters/{c}/…` answers 503.
    /// Can be changed while running (`Simulator::set_unready_clusters`).
    pub unready_clusters: Vec<String>,
    /// Identity providers (§12), each with its directory when it is LDAP. None on a default
    /// install; [`SimConfig::with_demo_identity_providers`] adds the demo set.
    pub identity_providers: Vec<IdentityProvider>,
    /// The issuer URL (`configs/oauth` `issuer.url`, discovery, where `/oauth/authorize` sends
    /// anonymous callers): the KubeSphere console's public URL, the chart's `portal.url`. Can be
    /// changed while running (`Simulator::set_issuer_url`; `RunningSim::spawn_portal` sets it
    /// to the portal's URL).
    pub issuer_url: String,
}

/// The KubeSphere releases whose differences the simulator models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KsVersion {
    /// Built-in workspace roles are always `{ws}-{role}`, even past 63 characters.
    V4_1_2,
    /// `{ws}-{role}` when it fits in 63 characters, else `{role}.{fnv64a(ws)}`.
    #[default]
    V4_1_3,
}

impl KsVersion {
    pub fn git_version(self) -> &'static str {
        match self {
            KsVersion::V4_1_2 => "v4.1.2",
            KsVersion::V4_1_3 => "v4.1.3",
        }
    }
}

impl fmt::Display for KsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.git_version()[1..])
    }
}

impl FromStr for KsVersion {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim_start_matches('v') {
            "4.1.2" => Ok(KsVersion::V4_1_2),
            "4.1.3" => Ok(KsVersion::V4_1_3),
            other => Err(format!("unsupported KubeSphere version {other} (4.1.2 or 4.1.3)")),
        }
    }
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
            client_redirect_uris: Vec::new(),
            client_trusted: true,
            client_grant_method: GrantMethod::Auto,
            other_clients: Vec::new(),
            ks_version: KsVersion::default(),
            controller_delay: Duration::ZERO,
            read_lag: Duration::ZERO,
            unready_clusters: Vec::new(),
            identity_providers: Vec::new(),
            issuer_url: "http://ks-console.kubesphere-system.svc:30880".to_owned(),
        }
    }
}

impl SimConfig {
    /// Adds an identity provider (e.g. `IdentityProvider::ldap("corp", MappingMethod::Auto)
    /// .with_person("li.wei", "pw", "li.wei@corp.example")`).
    pub fn with_identity_provider(mut self, provider: IdentityProvider) -> Self {
        self.identity_providers.push(provider);
        self
    }

    /// Adds identity providers.
    pub fn with_identity_providers(mut self, providers: impl IntoIterator<Item = IdentityProvider>) -> Self {
        self.identity_providers.extend(providers);
        self
    }

    /// Every registered client, the configured one first.
    pub fn oauth_clients(&self) -> Vec<OAuthClient> {
        let configured = OAuthClient {
            name: self.client_id.clone(),
            secret: self.client_secret.clone(),
            trusted: self.client_trusted,
            grant_method: self.client_grant_method,
            scope_restrictions: DEFAULT_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
            redirect_uris: self.client_redirect_uris.clone(),
        };
        std::iter::once(configured).chain(self.other_clients.iter().cloned()).collect()
    }

    /// Adds the demo set ([`demo_identity_providers`]): `corp-ldap`, `partner-ldap`, `old-ldap`,
    /// `hidden-ldap` and `company-sso`.
    pub fn with_demo_identity_providers(self) -> Self {
        self.with_identity_providers(demo_identity_providers())
    }
}
