//! Loads the configuration, starts the embedded KubeSphere simulator unless `KUBESPHERE_HOST`
//! points at a real ks-apiserver, and serves the console until Ctrl-C / SIGTERM.

use clap::Parser;
use server::{build_app, Config};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .init();
    let config = Config::parse();
    if let Some(warning) = config.plain_http_warning() {
        tracing::warn!("{warning}");
    }

    // Without KUBESPHERE_HOST, the simulator runs in this process for as long as the console does.
    let (kubesphere_url, _simulator) = match &config.kubesphere_host {
        Some(host) => (host.clone(), None),
        None => {
            let sim_config = ks_sim::SimConfig { ks_version: config.sim_ks_version, ..ks_sim::SimConfig::default() };
            let sim = ks_sim::Simulator::spawn(sim_config, config.sim_addr).await?;
            tracing::info!(url = %sim.base_url(), version = %config.sim_ks_version, "started the embedded KubeSphere simulator (demo seed)");
            (sim.base_url(), Some(sim))
        }
    };

    let app = build_app(config.clone(), &kubesphere_url)?;
    let listener = tokio::net::TcpListener::bind(config.site_addr).await?;
    tracing::info!(url = %config.public_origin(), upstream = %kubesphere_url, "KS Console is listening");
    server::serve::serve(listener, app, config.serve_limits(), shutdown_signal()).await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = terminate => {} }
    tracing::info!("shutting down");
}
