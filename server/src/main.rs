//! Loads the configuration and serves the console until Ctrl-C / SIGTERM. There is no simulator
//! in this binary: without `KUBESPHERE_HOST` it refuses to start (`make run` starts the `ks-sim`
//! binary beside it for a demo).

use std::time::Duration;

use clap::Parser;
use server::config::LogFormat;
use server::{build_app, stores_from_config, Config};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tracing_subscriber::EnvFilter;

const MISSING_UPSTREAM: &str = "KS Console needs to know where KubeSphere is: set KUBESPHERE_HOST to the \
ks-apiserver's URL (in the cluster: http://ks-apiserver.kubesphere-system.svc). To try the console \
without a KubeSphere, run `make run`, which starts the simulator beside it.";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = match Config::try_parse() {
        Ok(config) => config,
        Err(e) if e.kind() == clap::error::ErrorKind::MissingRequiredArgument => {
            eprintln!("{MISSING_UPSTREAM}\n\n{e}");
            std::process::exit(2);
        }
        Err(e) => e.exit(),
    };
    if config.health {
        std::process::exit(if healthy(&config).await { 0 } else { 1 });
    }
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    match config.log_format {
        LogFormat::Text => tracing_subscriber::fmt().with_env_filter(filter).init(),
        // One JSON object per line, with the fields of the request's span (its request id).
        LogFormat::Json => tracing_subscriber::fmt().json().with_current_span(true).with_env_filter(filter).init(),
    }
    if let Some(warning) = config.plain_http_warning() {
        tracing::warn!("{warning}");
    }

    let app = match stores_from_config(&config).await.and_then(|stores| build_app(config.clone(), stores)) {
        Ok(app) => app,
        Err(e) => {
            eprintln!("KS Console cannot start: {e}");
            std::process::exit(2);
        }
    };
    if let Some(addr) = config.metrics_addr {
        let metrics = server::metrics::router(server::metrics::recorder());
        let listener = tokio::net::TcpListener::bind(addr).await?;
        tracing::info!(%addr, "metrics at /metrics");
        tokio::spawn(server::serve::serve(listener, metrics, config.serve_limits(), std::future::pending()));
    }
    let listener = tokio::net::TcpListener::bind(config.site_addr).await?;
    tracing::info!(url = %config.public_origin(), upstream = %config.kubesphere_host, "KS Console is listening");
    server::serve::serve(listener, app, config.serve_limits(), shutdown_signal()).await;
    Ok(())
}

/// `GET /livez` on this machine's console, answered 200 within two seconds.
async fn healthy(config: &Config) -> bool {
    let mut addr = config.site_addr;
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let check = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await.ok()?;
        let request = format!("GET /livez HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.ok()?;
        let mut head = [0u8; 12];
        stream.read_exact(&mut head).await.ok()?;
        Some(head.starts_with(b"HTTP/1.1 200"))
    };
    tokio::time::timeout(Duration::from_secs(2), check).await.ok().flatten().unwrap_or(false)
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
