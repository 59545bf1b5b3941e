//! A stand-in for the KubeSphere console (the "portal", §12.5 "In practice", §12.8), served on
//! its own listener and sharing the simulator's world, so a console under test can use
//! KubeSphere as its OpenID provider the way a browser really does.
//!
//! | route | what |
//! | --- | --- |
//! | `GET /` | "Signed in to KubeSphere as …" with a sign-out link, or 302 `/login` |
//! | `GET /login`, `POST /login` | the local sign-in (password grant with the portal's client); resumes a pending authorize |
//! | `/oauth/*`, `GET /.well-known/openid-configuration` | forwarded to the apiserver in-process with the `token` cookie as the bearer |
//! | `GET /oauth/redirect/{idp}` | an OAuth provider's sign-in: the apiserver's `/oauth/callback/{idp}`, then home |
//! | `GET /logout` | the portal's own sign-out: token revoked, cookies cleared, 302 `/login` |
//! | `GET/POST /_idp/{idp}/login` | the OAuth providers' stand-in ([`idp`]) |
//!
//! Like kubesphere/console: the session is the cookie `token` (HttpOnly, SameSite=Lax,
//! Path=/); a browser without one that reaches `/oauth/authorize` gets its URL kept in the
//! cookie `authAuthorizeUrl` and the apiserver's 302 to the issuer root; only the local
//! password sign-in resumes it — not an OAuth provider's sign-in (the person presses the
//! client's button again; the session makes it immediate), not after a first-login password
//! change, not when another user's session was there. Not modelled: the first-login password
//! change and `manual` mapping's username confirmation (plain pages say so), the directory
//! (LDAP) sign-in, the `referer` cookie, `redirect_url`/`state` redirects after an OAuth
//! sign-in, and signing out of the OAuth provider (`oAuthLoginInfo`). Buttons are labelled
//! with display names (the official portal titles them with provider names). The sign-in page
//! and home page read the world directly; everything the official portal asks ks-apiserver for
//! during a sign-in, forward or sign-out goes through the apiserver router, so the journal shows it.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Request};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use http::{HeaderMap, Method, StatusCode};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower::ServiceExt as _;

use crate::http::server::RunningSim;
use crate::http::simulator::Simulator;

mod idp;
mod pages;
mod session;

/// The portal's state: the world, and the apiserver router it forwards to.
#[derive(Clone)]
pub(crate) struct Portal {
    sim: Simulator,
    api: Router,
}

impl Portal {
    /// Answers a request with the apiserver router, in-process.
    async fn call(
        &self,
        method: Method,
        path_and_query: &str,
        headers: HeaderMap,
        bearer: Option<&str>,
        body: Bytes,
    ) -> Response {
        let Some(request) = session::api_request(method, path_and_query, headers, bearer, body) else {
            return StatusCode::BAD_REQUEST.into_response();
        };
        match self.api.clone().oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    }

    /// The browser's address, for `x-client-ip` (as the official portal passes on login).
    fn client_ip(&self, req: &Request) -> Option<String> {
        req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string())
    }
}

impl Simulator {
    /// The portal stand-in's routes (module `http::portal`). Serve it with
    /// [`RunningSim::spawn_portal`] or [`serve_portal`]; its public URL should be the issuer
    /// URL ([`Simulator::set_issuer_url`]).
    pub fn portal_router(&self) -> Router {
        let portal = Portal { sim: self.clone(), api: self.router() };
        Router::new()
            .route("/", get(session::home))
            .route("/login", get(session::login_page).post(session::login_submit))
            .route("/logout", get(session::logout))
            .route(
                "/login/confirm",
                get(|| async {
                    pages::not_modelled(
                        "Confirm your username",
                        "confirming the username of a new account (manual mapping)",
                    )
                }),
            )
            .route(
                "/password/confirm",
                get(|| async { pages::not_modelled("Change your password", "the first-login password change") }),
            )
            .route("/oauth/redirect/{idp}", get(session::oauth_redirect))
            .route("/oauth/{*rest}", any(session::forward))
            .route("/.well-known/openid-configuration", any(session::forward))
            .route("/_idp/{idp}/login", get(idp::login_page).post(idp::login_submit))
            .with_state(portal)
    }
}

/// Serves the portal stand-in of `sim` on `listener` until `shutdown` completes.
pub async fn serve_portal(sim: Simulator, listener: TcpListener, shutdown: impl Future<Output = ()> + Send + 'static) {
    let app = sim.portal_router().into_make_service_with_connect_info::<SocketAddr>();
    if let Err(error) = axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
        tracing::error!(%error, "portal server failed");
    }
}

impl RunningSim {
    /// Serves the portal stand-in on `127.0.0.1:0` in a background task and makes its URL the
    /// simulator's issuer URL. The URL names the host `localhost`, so the portal's cookies never
    /// mix with those of a console on `127.0.0.1` (a different host, as in production).
    pub async fn spawn_portal(&self) -> std::io::Result<RunningPortal> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let url = format!("http://localhost:{}", addr.port());
        self.sim.set_issuer_url(url.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(serve_portal(self.sim.clone(), listener, async {
            let _ = rx.await;
        }));
        tracing::debug!(%addr, %url, "portal listening");
        Ok(RunningPortal { addr, url, shutdown: Some(tx), task: Some(task) })
    }
}

/// The portal stand-in serving on a local port; shuts down when dropped.
pub struct RunningPortal {
    pub addr: SocketAddr,
    url: String,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningPortal {
    /// `http://localhost:PORT`: the issuer URL.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Stops accepting and waits (up to 5 s) for open requests to finish.
    pub async fn shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }
}

impl Drop for RunningPortal {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
