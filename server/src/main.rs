//! Loads the configuration and serves the console until Ctrl-C / SIGTERM. There is no simulator
//! in this binary: without `KUBESPHERE_HOST` it refuses to start (`make run` starts the `ks-sim`
//! binary beside it for a demo).

use clap::Parser;
use server::{build_app_from_config, Config};
use tracing_subscriber::EnvFilter;

const MISSING_UPSTREAM: &str = "KS Console needs to know where KubeSphere is: set KUBESPHERE_HOST to the \
ks-apiserver's URL (in the cluster: http://ks-apiserver.kubesphere-system.svc). To try the console \
without a KubeSphere, run `make run`, which starts the simulator beside it.";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .init();
    let config = Config::parse();
    if let Some(warning) = config.plain_http_warning() {
        tracing::warn!("{warning}");
    }

    let Some(kubesphere_url) = config.kubesphere_host.clone().filter(|h| !h.trim().is_empty()) else {
        eprintln!("{MISSING_UPSTREAM}");
        std::process::exit(2);
    };

    let app = match build_app_from_config(config.clone(), &kubesphere_url).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("KS Console cannot start: {e}");
            std::process::exit(2);
        }
    };
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
