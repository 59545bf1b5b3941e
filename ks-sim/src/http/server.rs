//! Serving a [`Simulator`]: its router (routes, `/_sim` control API, filters), [`serve`] and
//! [`Simulator::spawn`] with the [`RunningSim`] handle.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::http::simulator::Simulator;
use crate::http::{control, errors, filters, net, routes};
use crate::store::config::SimConfig;

impl Simulator {
    /// The whole HTTP API. Serve it with [`Simulator::spawn`] or [`serve`] for the `drop` fault
    /// to cut connections (elsewhere it answers 502 instead).
    pub fn router(&self) -> Router {
        let routes = routes::router()
            .merge(control::routes())
            .fallback(|| async { errors::page_not_found() })
            .method_not_allowed_fallback(|| async { errors::method_not_allowed() })
            .with_state(self.clone());
        // The filters rewrite the path (cluster prefix), so they must run before routing: wrap
        // the routes as a fallback service rather than layering them.
        Router::new().fallback_service(routes).layer(axum::middleware::from_fn_with_state(self.clone(), filters::chain))
    }

    /// Binds `addr` (use port 0 in tests) and serves in a background task until the returned
    /// handle is dropped.
    pub async fn spawn(config: SimConfig, addr: SocketAddr) -> std::io::Result<RunningSim> {
        let sim = Simulator::new(config);
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(sim.clone(), listener, async {
            let _ = rx.await;
        }));
        tracing::debug!(%addr, "simulator listening");
        Ok(RunningSim { addr, sim, shutdown: Some(tx), task: Some(task) })
    }
}

/// Serves `sim` on `listener` until `shutdown` completes, then drains connections.
pub async fn serve(sim: Simulator, listener: TcpListener, shutdown: impl Future<Output = ()> + Send + 'static) {
    let app = sim.router().into_make_service_with_connect_info::<net::Connection>();
    let server = axum::serve(net::KillableListener::new(listener), app).with_graceful_shutdown(shutdown);
    if let Err(error) = server.await {
        tracing::error!(%error, "simulator server failed");
    }
}

/// A simulator serving on a local port; shuts down when dropped.
pub struct RunningSim {
    pub addr: SocketAddr,
    pub sim: Simulator,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningSim {
    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, waits (up to 5 s) for open requests to finish. The world stays
    /// readable through `sim` (its journal, say); nothing listens on `addr` any more.
    pub async fn shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
