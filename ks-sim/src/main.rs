//! `ks-sim`: serve the KubeSphere API simulator on a local port.

use std::net::SocketAddr;
use std::time::Duration;

use clap::{ArgAction, Parser};
use ks_sim::idp::demo_identity_providers;
use ks_sim::{IdentityProvider, KsVersion, Seed, SimConfig, Simulator};
use tokio::sync::watch;
use tracing_subscriber::EnvFilter;

/// In-memory simulator of KubeSphere 4.1's ks-apiserver (OAuth, users, tenancy, IAM), with `/_sim` controls.
#[derive(Debug, Parser)]
#[command(name = "ks-sim", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "KS_SIM_LISTEN", default_value = "127.0.0.1:9090")]
    listen: SocketAddr,
    /// `demo`, `large`, or the path of a JSON seed file.
    #[arg(long, env = "KS_SIM_SEED", default_value = "demo")]
    seed: String,
    /// Access token lifetime in seconds (0 = never expire).
    #[arg(long, env = "KS_SIM_ACCESS_TOKEN_TTL", default_value_t = 7200)]
    access_token_ttl: u64,
    /// Extra refresh token lifetime in seconds (the inactivity timeout).
    #[arg(long, env = "KS_SIM_REFRESH_TOKEN_EXTRA_TTL", default_value_t = 1800)]
    refresh_token_extra_ttl: u64,
    /// Allow several sessions per user; `false` revokes older tokens at login.
    #[arg(long, env = "KS_SIM_MULTIPLE_LOGIN", default_value_t = true, action = ArgAction::Set)]
    multiple_login: bool,
    /// Failed logins that lock an account.
    #[arg(long, env = "KS_SIM_LOCKOUT_MAX_TRIES", default_value_t = 10)]
    lockout_max_tries: u32,
    /// Lockout window (and lock duration) in seconds.
    #[arg(long, env = "KS_SIM_LOCKOUT_WINDOW", default_value_t = 600)]
    lockout_window: u64,
    /// OAuth client id.
    #[arg(long, env = "KS_SIM_CLIENT_ID", default_value = "kubesphere")]
    client_id: String,
    /// OAuth client secret.
    #[arg(long, env = "KS_SIM_CLIENT_SECRET", default_value = "kubesphere", hide_env_values = true)]
    client_secret: String,
    /// The OAuth client's `redirectURIs` (comma-separated, each matched exactly); none = no
    /// authorization-code flow, as the shipped `kubesphere` client.
    #[arg(long, env = "KS_SIM_CLIENT_REDIRECT_URIS", value_delimiter = ',')]
    client_redirect_uris: Vec<String>,
    /// KubeSphere release to behave like where releases differ: `4.1.3` or `4.1.2`.
    #[arg(long, env = "KS_SIM_KS_VERSION", default_value = "4.1.3")]
    ks_version: KsVersion,
    /// Milliseconds KubeSphere's controllers take to make a new workspace's or project's roles.
    #[arg(long, env = "KS_SIM_CONTROLLER_DELAY_MS", default_value_t = 0)]
    controller_delay_ms: u64,
    /// Clusters labelled public (anyone who may create workspaces may place one there); none on
    /// a default install. Comma-separated; replaces the seed's list when given.
    #[arg(long, env = "KS_SIM_PUBLIC_CLUSTERS", value_delimiter = ',')]
    public_clusters: Option<Vec<String>>,
    /// Milliseconds the handlers' reads (informer caches) lag behind the writes.
    #[arg(long, env = "KS_SIM_READ_LAG_MS", default_value_t = 0)]
    read_lag_ms: u64,
    /// Member clusters that are not ready: requests under `/clusters/{c}/…` answer 503.
    /// Comma-separated.
    #[arg(long, env = "KS_SIM_UNREADY_CLUSTERS", value_delimiter = ',')]
    unready_clusters: Vec<String>,
    /// With the demo seed, serve the demo identity providers (corp-ldap, partner-ldap, old-ldap,
    /// hidden-ldap, company-sso) and print their directory people; `false`: none.
    #[arg(long, env = "KS_SIM_IDP_DEMO", default_value_t = true, action = ArgAction::Set)]
    idp_demo: bool,
    /// `issuer.url` of `configs/oauth`: the console's public URL (the chart's `portal.url`).
    /// With `--portal-listen`, the portal's URL instead.
    #[arg(long, env = "KS_SIM_ISSUER_URL", default_value = "http://ks-console.kubesphere-system.svc:30880")]
    issuer_url: String,
    /// Also serve the KubeSphere console stand-in (the "portal": sign-in page, `/oauth/*`
    /// forwarding, the OAuth providers' stand-in) on this address.
    #[arg(long, env = "KS_SIM_PORTAL_LISTEN")]
    portal_listen: Option<SocketAddr>,
    /// The portal's public URL, which becomes the issuer URL; default `http://localhost:<port>`.
    #[arg(long, env = "KS_SIM_PORTAL_URL", requires = "portal_listen")]
    portal_url: Option<String>,
}

/// The demo directory people, for the start-up banner (`make run` shows it).
fn print_directory_people(providers: &[IdentityProvider], portal: bool) {
    println!("ks-sim demo directory sign-in (provider: login / password):");
    for p in providers {
        let mut notes = vec![p.mapping_method.as_str()];
        if p.disabled {
            notes.push("disabled");
        }
        if p.hidden {
            notes.push("hidden");
        }
        let people: Vec<String> = p.people.iter().map(|e| format!("{} / {}", e.uid, e.password)).collect();
        let people =
            if p.is_generic() { people.join(", ") } else { format!("{}, no password sign-in", p.provider_type) };
        println!("  {} \"{}\" ({}): {people}", p.name, p.display_name, notes.join(", "));
    }
    let sso: Vec<String> = providers
        .iter()
        .filter(|p| p.is_oauth() && !p.oidc_people.is_empty())
        .map(|p| {
            let people: Vec<String> =
                p.oidc_people.iter().map(|o| format!("{} / {}", o.preferred_username, o.password)).collect();
            format!("  {}: {}", p.name, people.join(", "))
        })
        .collect();
    if portal && !sso.is_empty() {
        println!("ks-sim demo single sign-on at the portal (provider: login / password):");
        for line in sso {
            println!("{line}");
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,ks_sim=debug")))
        .init();
    let args = Args::parse();
    let mut seed = Seed::load(&args.seed)?;
    let identity_providers = if args.seed == "demo" && args.idp_demo { demo_identity_providers() } else { Vec::new() };
    if let Some(public) = args.public_clusters {
        seed.public_clusters = public;
    }
    let config = SimConfig {
        seed,
        access_token_ttl: Duration::from_secs(args.access_token_ttl),
        refresh_token_extra_ttl: Duration::from_secs(args.refresh_token_extra_ttl),
        multiple_login: args.multiple_login,
        lockout_max_tries: args.lockout_max_tries,
        lockout_window: Duration::from_secs(args.lockout_window),
        client_id: args.client_id,
        client_secret: args.client_secret,
        client_redirect_uris: args.client_redirect_uris.into_iter().filter(|u| !u.is_empty()).collect(),
        ks_version: args.ks_version,
        controller_delay: Duration::from_millis(args.controller_delay_ms),
        read_lag: Duration::from_millis(args.read_lag_ms),
        unready_clusters: args.unready_clusters.into_iter().filter(|c| !c.is_empty()).collect(),
        identity_providers,
        issuer_url: args.issuer_url,
        ..SimConfig::default()
    };
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    let portal = match args.portal_listen {
        Some(addr) => {
            let portal = tokio::net::TcpListener::bind(addr).await?;
            let port = portal.local_addr()?.port();
            let url = args.portal_url.unwrap_or_else(|| format!("http://localhost:{port}"));
            Some((portal, url.trim_end_matches('/').to_owned()))
        }
        None => None,
    };
    if !config.identity_providers.is_empty() {
        print_directory_people(&config.identity_providers, portal.is_some());
    }
    let sim = Simulator::new(config);
    let (stop, stopped) = watch::channel(());
    let until_stopped = move || {
        let mut stopped = stopped.clone();
        async move {
            let _ = stopped.changed().await;
        }
    };
    let portal_task = portal.map(|(listener, url)| {
        println!("ks-sim portal (the KubeSphere console stand-in, the issuer): {url}");
        sim.set_issuer_url(url);
        tokio::spawn(ks_sim::serve_portal(sim.clone(), listener, until_stopped()))
    });
    tracing::info!(addr = %listener.local_addr()?, seed = %args.seed, version = %args.ks_version, "ks-sim listening");
    let api = tokio::spawn(ks_sim::serve(sim, listener, until_stopped()));
    if let Err(error) = tokio::signal::ctrl_c().await {
        tracing::error!(%error, "cannot listen for Ctrl-C");
    }
    tracing::info!("shutting down");
    let _ = stop.send(());
    let _ = api.await;
    if let Some(task) = portal_task {
        let _ = task.await;
    }
    Ok(())
}
