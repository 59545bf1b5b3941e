//! A `TestApp`: the console served on 127.0.0.1:0 in front of a fresh simulator, with a plain
//! HTTP client that handles cookies by hand so tests can look at every header.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ks_sim::{RunningSim, SimConfig};
use reqwest::header::{HeaderMap, HeaderValue, SET_COOKIE};
use reqwest::{Method, Response, StatusCode};
use server::stores::Stores;
use server::{build_app, memory_stores, AppMemory, Config};

pub use crate::shared::{reviewed, PASSWORD};

pub struct TestApp {
    pub url: String,
    pub sim: RunningSim,
    /// The stand-in for KubeSphere's console, when the test signs people in through it.
    pub portal: Option<ks_sim::RunningPortal>,
    pub http: reqwest::Client,
    pub config: Config,
    /// The app's session store and token vault.
    pub memory: AppMemory,
    /// Starts the graceful shutdown; the task ends when serving has stopped.
    shutdown: Option<(tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<()>)>,
}

pub struct Builder {
    sim: SimConfig,
    portal: bool,
    config: Config,
    stores: Box<dyn FnOnce(Stores) -> Stores>,
}

impl TestApp {
    pub fn builder() -> Builder {
        Builder {
            sim: SimConfig::default(),
            portal: false,
            config: Config::for_upstream("http://unused"),
            stores: Box::new(|stores| stores),
        }
    }

    pub async fn start() -> TestApp {
        Self::builder().start().await
    }

    /// A console on the demo seed, and the session cookie of `user` signed in to it.
    pub async fn start_as(user: &str) -> (TestApp, String) {
        let app = Self::start().await;
        let cookie = app.login(user).await;
        (app, cookie)
    }

    /// A request as a same-origin browser page would send it.
    pub fn request(&self, method: Method, path: &str, cookie: Option<&str>) -> reqwest::RequestBuilder {
        let mut req =
            self.http.request(method, format!("{}{}", self.url, path)).header("sec-fetch-site", "same-origin");
        // A browser reaching a console configured for another origin sends that host name.
        if let Some(origin) = &self.config.public_origin {
            req = req.header("host", origin.split_once("://").map_or(origin.as_str(), |(_, host)| host));
        }
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        req
    }

    /// A page as a signed-in person's browser asks for it; the whole answer.
    pub async fn get(&self, cookie: &str, path: &str) -> Response {
        self.request(Method::GET, path, Some(cookie)).send().await.unwrap()
    }

    /// The HTML of a page a signed-in person opens, which must answer 200 OK.
    pub async fn page(&self, cookie: &str, path: &str) -> String {
        let res = self.get(cookie, path).await;
        let status = res.status();
        let html = res.text().await.unwrap();
        assert_eq!(status, StatusCode::OK, "GET {path}: {html}");
        html
    }

    pub async fn login_response(&self, username: &str, password: &str, json: bool) -> Response {
        let mut req = self.request(Method::POST, "/login", None).form(&[
            ("username", username),
            ("password", password),
            ("next", "/"),
        ]);
        if json {
            req = req.header("accept", "application/json");
        }
        req.send().await.unwrap()
    }

    /// Logs in and returns the `name=value` session cookie.
    pub async fn login(&self, username: &str) -> String {
        let res = self.login_response(username, PASSWORD, false).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "login of {username} failed");
        session_cookie(res.headers()).expect("a session cookie")
    }

    /// Calls a server function (all are POST, under /api).
    pub async fn call(&self, endpoint: &str, cookie: Option<&str>) -> Response {
        self.request(Method::POST, &format!("/api/{endpoint}"), cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body("")
            .send()
            .await
            .unwrap()
    }

    /// Calls a server function with form fields, as the hydrated app does; status and JSON body.
    pub async fn submit(
        &self,
        cookie: &str,
        endpoint: &str,
        fields: &[(&str, &str)],
    ) -> (StatusCode, serde_json::Value) {
        let res = self.post_api(Some(cookie), endpoint, fields).await;
        let status = res.status();
        (status, res.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// Posts a form to a page, as a browser without WASM does; status and HTML.
    pub async fn post_page(&self, cookie: &str, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
        crate::shared::post_for_page(self.request(Method::POST, path, Some(cookie)), fields).await
    }

    /// A user exactly as KubeSphere (the simulator) stores it, read with an admin token of its own.
    pub async fn upstream_user(&self, name: &str) -> serde_json::Value {
        self.upstream_get(&format!("/kapis/iam.kubesphere.io/v1beta1/users/{name}")).await
    }

    /// What KubeSphere (the simulator) answers an admin of its own for `path`: how tests check
    /// the effect of a change in KubeSphere itself.
    pub async fn upstream_get(&self, path: &str) -> serde_json::Value {
        let access = self.upstream_admin_token().await;
        let base = self.sim.base_url();
        self.http.get(format!("{base}{path}")).bearer_auth(access).send().await.unwrap().json().await.unwrap()
    }

    /// Sets KubeSphere up for a test as its own admin would (kubectl, KubeSphere's console).
    pub async fn upstream_post(&self, path: &str, body: serde_json::Value) {
        let access = self.upstream_admin_token().await;
        let base = self.sim.base_url();
        let res = self.http.post(format!("{base}{path}")).bearer_auth(access).json(&body).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "POST {path}: {}", res.text().await.unwrap());
    }

    /// A platform-regular account made in KubeSphere itself: `{name}@example.com`, no language,
    /// the seed's password.
    pub async fn upstream_new_user(&self, name: &str) {
        let user = serde_json::json!({"apiVersion": "iam.kubesphere.io/v1beta1", "kind": "User",
            "metadata": {"name": name, "annotations": {"iam.kubesphere.io/globalrole": "platform-regular"}},
            "spec": {"email": format!("{name}@example.com"), "password": PASSWORD}});
        self.upstream_post("/kapis/iam.kubesphere.io/v1beta1/users", user).await;
    }

    /// A change made in KubeSphere itself, outside the console (kubectl, KubeSphere's console).
    pub async fn upstream_put(&self, path: &str, body: serde_json::Value) {
        let access = self.upstream_admin_token().await;
        let base = self.sim.base_url();
        let res = self.http.put(format!("{base}{path}")).bearer_auth(access).json(&body).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "PUT {path}: {}", res.text().await.unwrap());
    }

    async fn upstream_admin_token(&self) -> String {
        self.upstream_token("admin").await
    }

    /// A KubeSphere access token of `user`'s own (seed password), for trying requests as them.
    pub async fn upstream_token(&self, user: &str) -> String {
        crate::shared::token_for(&self.http, &self.sim.base_url(), user).await
    }

    /// Every role binding of `user` as KubeSphere holds it: (place, role), place a workspace or
    /// `cluster/project`, on the demo seed's clusters; sorted.
    pub async fn upstream_memberships_of(&self, user: &str) -> Vec<(String, String)> {
        let selector = format!("labelSelector=iam.kubesphere.io/user-ref={user}&limit=-1");
        let mut out = Vec::new();
        let workspace =
            self.upstream_get(&format!("/kapis/iam.kubesphere.io/v1beta1/workspacerolebindings?{selector}")).await;
        for b in workspace["items"].as_array().into_iter().flatten() {
            let ws = b["metadata"]["labels"]["kubesphere.io/workspace"].as_str().unwrap_or_default();
            out.push((ws.to_owned(), b["roleRef"]["name"].as_str().unwrap_or_default().to_owned()));
        }
        for cluster in ["host", "member-1"] {
            let path = format!("/clusters/{cluster}/kapis/iam.kubesphere.io/v1beta1/rolebindings?{selector}");
            for b in self.upstream_get(&path).await["items"].as_array().into_iter().flatten() {
                let ns = b["metadata"]["namespace"].as_str().unwrap_or_default();
                out.push((format!("{cluster}/{ns}"), b["roleRef"]["name"].as_str().unwrap_or_default().to_owned()));
            }
        }
        out.sort();
        out
    }

    /// The members of a workspace, or of a project on a cluster, as KubeSphere holds them:
    /// (username, role), sorted.
    pub async fn upstream_members(
        &self,
        workspace: Option<&str>,
        project: Option<(&str, &str)>,
    ) -> Vec<(String, String)> {
        let (path, annotation) = match (workspace, project) {
            (Some(ws), _) => (
                format!("/kapis/iam.kubesphere.io/v1beta1/workspaces/{ws}/workspacemembers"),
                "iam.kubesphere.io/workspacerole",
            ),
            (None, Some((cluster, ns))) => (
                format!("/clusters/{cluster}/kapis/iam.kubesphere.io/v1beta1/namespaces/{ns}/namespacemembers"),
                "iam.kubesphere.io/role",
            ),
            (None, None) => panic!("a workspace or a project"),
        };
        let list = self.upstream_get(&path).await;
        let mut members: Vec<(String, String)> = list["items"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|m| {
                        let name = m["metadata"]["name"].as_str().unwrap_or_default().to_owned();
                        (name, m["metadata"]["annotations"][annotation].as_str().unwrap_or_default().to_owned())
                    })
                    .collect()
            })
            .unwrap_or_default();
        members.sort();
        members
    }

    /// Shuts the console down as SIGTERM would, and waits until it has stopped serving.
    pub async fn shut_down(&mut self) {
        if let Some((stop, serving)) = self.shutdown.take() {
            let _ = stop.send(());
            serving.await.unwrap();
        }
    }

    /// Starts shutting the console down as SIGTERM would; the handle ends when it has stopped.
    pub fn begin_shut_down(&mut self) -> tokio::task::JoinHandle<()> {
        let (stop, serving) = self.shutdown.take().expect("not shut down yet");
        let _ = stop.send(());
        serving
    }

    pub fn addr(&self) -> SocketAddr {
        self.url.trim_start_matches("http://").parse().unwrap()
    }

    /// What was written to KubeSphere, sign-ins aside: (method, path, whose token).
    pub fn upstream_changes(&self) -> Vec<(String, String, Option<String>)> {
        self.sim
            .sim
            .journal()
            .into_iter()
            .filter(|e| e.method != "GET" && !e.path.starts_with("/oauth/"))
            .map(|e| (e.method, e.path, e.user))
            .collect()
    }

    /// Every call KubeSphere received but reads, whole.
    pub fn writes(&self) -> Vec<ks_sim::JournalEntry> {
        self.sim.sim.journal().into_iter().filter(|e| e.method != "GET").collect()
    }

    /// The writes to a workspace's members (invitations and role changes).
    pub fn workspace_member_writes(&self) -> Vec<ks_sim::JournalEntry> {
        self.writes()
            .into_iter()
            .filter(|e| e.path.ends_with("/workspacemembers") || e.path.contains("/workspacemembers/"))
            .collect()
    }

    /// Mutating calls KubeSphere received (anything but GET), as `METHOD path`.
    pub fn upstream_writes(&self) -> Vec<String> {
        self.sim
            .sim
            .journal()
            .into_iter()
            .filter(|e| e.method != "GET")
            .map(|e| format!("{} {}", e.method, e.path))
            .collect()
    }

    /// Waits for the bulk job `html` links to ("href=\"/onboard/bulk/jobs/…\"") to finish; its page.
    pub async fn finished_job(&self, cookie: &str, html: &str) -> String {
        let path = crate::shared::job_link(html);
        for _ in 0..100 {
            let page = self.get(cookie, path).await.text().await.unwrap();
            if !page.contains("http-equiv=\"refresh\"") {
                return page;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the job did not finish");
    }

    pub fn upstream_count(&self, method: &str, path: &str) -> usize {
        self.sim.sim.journal().iter().filter(|e| e.method == method && e.path == path).count()
    }
}

impl Builder {
    pub fn sim(mut self, f: impl FnOnce(&mut SimConfig)) -> Self {
        f(&mut self.sim);
        self
    }

    /// Serves the stand-in for KubeSphere's console (its own host name) and points the console's
    /// single sign-on at it; the console's OAuth client lists its callback.
    pub fn portal(mut self) -> Self {
        self.portal = true;
        self
    }

    pub fn config(mut self, f: impl FnOnce(&mut Config)) -> Self {
        f(&mut self.config);
        self
    }

    /// Puts the app's stores behind `wrap` (to make them fail, say).
    pub fn stores(mut self, wrap: impl FnOnce(Stores) -> Stores + 'static) -> Self {
        self.stores = Box::new(wrap);
        self
    }

    pub async fn start(self) -> TestApp {
        let sim = ks_sim::Simulator::spawn(self.sim, "127.0.0.1:0".parse().unwrap()).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut config = self.config;
        config.site_addr = addr;
        config.kubesphere_host = sim.base_url().parse().unwrap();
        let portal = if self.portal {
            let portal = sim.spawn_portal().await.unwrap();
            config.kubesphere_portal_url = Some(portal.url());
            sim.sim.set_client_redirect_uris(vec![format!("{}/oauth/callback", config.public_origin())]);
            Some(portal)
        } else {
            None
        };
        let (stores, memory) = memory_stores(&config);
        let app = build_app(config.clone(), (self.stores)(stores)).unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let limits = config.serve_limits();
        let serving = tokio::spawn(async move {
            server::serve::serve(listener, app, limits, async {
                let _ = stopped.await;
            })
            .await;
        });
        // A hang must fail the test, not stall the whole suite.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(30))
            // Shorter than the console's idle close (HEADER_READ_TIMEOUT_SECS), so no request
            // races a connection the console is closing.
            .pool_idle_timeout(std::time::Duration::from_secs(5))
            .build()
            .unwrap();
        TestApp { url: format!("http://{addr}"), sim, portal, http, config, memory, shutdown: Some((stop, serving)) }
    }
}

/// Every test ends by checking the promise that the console never deletes anything: the
/// simulator saw no DELETE during the whole test.
impl Drop for TestApp {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let deletes: Vec<String> =
            self.sim.sim.journal().into_iter().filter(|e| e.method == "DELETE").map(|e| e.path).collect();
        assert!(deletes.is_empty(), "the console sent DELETE requests: {deletes:?}");
    }
}

/// All `Set-Cookie` headers of a response.
pub fn set_cookies(headers: &HeaderMap) -> Vec<String> {
    headers.get_all(SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_owned()).collect()
}

/// The `name=value` part of the session cookie set by a response, if any.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    set_cookies(headers)
        .into_iter()
        .find(|c| c.starts_with("ks-console=") || c.starts_with("__Host-ks-console="))
        .map(|c| crate::shared::cookie_pair(&c))
}

pub fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).map(|v: &HeaderValue| v.to_str().unwrap())
}

/// Everything this test process logs from the first call on (a global subscriber: thread-local
/// ones miss events of callsites cached as disabled by tests running beside them).
pub fn captured_logs() -> String {
    #[derive(Clone, Default)]
    struct Buffer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    static LOGS: std::sync::OnceLock<Buffer> = std::sync::OnceLock::new();
    let buffer = LOGS.get_or_init(|| {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only subscriber of this test binary");
        buffer
    });
    String::from_utf8_lossy(&buffer.0.lock().unwrap()).into_owned()
}

/// A loopback port nothing listens on right now (for a process started by the test).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Waits until something listens on `port` (a process the test started).
pub async fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        assert!(Instant::now() < deadline, "{what} did not start listening on {port}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The text of some HTML, its tags left out.
pub fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// A bulk dry run's "What happens" cell for file line `line`.
pub fn dry_run_verdict(html: &str, line: usize) -> String {
    let marker = format!("<td data-label=\"Line\">{line}</td>");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no row for line {line}"));
    let cell = "<td data-label=\"What happens\">";
    let from = html[start..].find(cell).unwrap() + start + cell.len();
    let to = html[from..].find("</td>").unwrap() + from;
    html[from..to].replace("&#x27;", "'").replace("&#39;", "'")
}
