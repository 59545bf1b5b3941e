//! What the fuzz targets check, as plain functions: `cargo fuzz` (nightly, `make fuzz`) drives
//! them with libFuzzer, and `tests/replay.rs` replays the saved corpora on stable in `make test`.
//!
//! - [`parsers`]: every parser of text a person types, with the invariants the console relies on
//!   (a parsed name is the trimmed input and parses again to itself; an e-mail selector is one
//!   term however the address is written; a path segment stays one segment; a return path never
//!   leaves the console).
//! - [`form_bodies`]: any body posted to any server function of the real app (in process, in
//!   front of the simulator, signed in as an administrator) gets an answer that is not a 500, and
//!   nothing is ever deleted upstream.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::OnceLock;

use axum::body::Body;
use ks_client::{email_field_selector, ApiPath};
use ks_types::{Email, Password, PlatformRole, ProjectName, ProjectRole, UserName, WorkspaceName, WorkspaceRoleKind};

/// Checks every parser of user input against `data` (as UTF-8; form values arrive decoded).
pub fn parsers(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let trimmed = text.trim();

    macro_rules! name_invariants {
        ($ty:ty) => {
            if let Ok(name) = <$ty>::parse(text) {
                assert_eq!(name.as_str(), trimmed);
                assert!(name.as_str().len() <= 63);
                assert_eq!(<$ty>::parse(name.as_str()).as_ref(), Ok(&name));
            }
            if let Ok(name) = <$ty>::parse_new(text) {
                assert!(<$ty>::parse(name.as_str()).is_ok(), "a new name is also an existing name");
            }
        };
    }
    name_invariants!(UserName);
    name_invariants!(WorkspaceName);
    name_invariants!(ProjectName);

    if let Ok(email) = Email::parse(text) {
        // What the API server makes of the selector: one term, the address itself.
        let terms = ks_sim::field_selector::terms(&email_field_selector(&email));
        let expected = vec![("spec.email".to_owned(), format!("~{}", email.as_str().to_ascii_lowercase()), false)];
        assert_eq!(terms, Some(expected), "{text:?}");
    }
    if let Ok(password) = Password::parse(text) {
        assert!((8..=64).contains(&password.expose().chars().count()));
        assert!(!password.expose().contains('\n'));
    }
    let _ = (PlatformRole::parse(text), WorkspaceRoleKind::parse(text), ProjectRole::parse(text));

    let path = ApiPath::fixed("/kapis/iam.kubesphere.io/v1beta1").lit("users").seg(text);
    if path.is_sendable() {
        let url = url::Url::parse(&format!("http://ks.example{}", path.as_path())).unwrap();
        let last = url.path_segments().unwrap().collect::<Vec<_>>();
        assert_eq!(last.len(), 5, "{text:?} became {url}");
        let decoded = percent_encoding::percent_decode_str(last[4]).decode_utf8().unwrap();
        assert_eq!(decoded, text);
    }

    let next = app::auth::safe_next_path(Some(text));
    let base = url::Url::parse("https://console.example/login").unwrap();
    let resolved = base.join(&next).unwrap();
    assert_eq!(resolved.origin(), base.origin(), "{text:?} -> {next:?}");
    assert!(http::HeaderValue::from_str(&next).is_ok());
}

/// The app under fuzz: one runtime, one simulator, one signed-in administrator for the process.
struct Target {
    runtime: tokio::runtime::Runtime,
    app: axum::Router,
    sim: ks_sim::RunningSim,
    host: String,
    cookie: String,
}

fn target() -> &'static Target {
    static TARGET: OnceLock<Target> = OnceLock::new();
    TARGET.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let (app, sim, host) = runtime.block_on(async {
            let sim =
                ks_sim::Simulator::spawn(ks_sim::SimConfig::default(), "127.0.0.1:0".parse().unwrap()).await.unwrap();
            let mut config = server::Config::for_upstream(&sim.base_url());
            config.api_calls_per_second = 0; // the fuzzer is one very busy person
            config.upstream_breaker_threshold = 0;
            let host = config.site_addr.to_string();
            let app = server::build_app(config.clone(), server::memory_stores(&config).0).unwrap();
            (app, sim, host)
        });
        let mut target = Target { runtime, app, sim, host, cookie: String::new() };
        let login = target.post("/login", "username=admin&password=P%4088w0rd&next=%2F", None);
        let cookie = login
            .headers()
            .get_all(http::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("ks-console="))
            .and_then(|c| c.split(';').next())
            .expect("the administrator signs in")
            .to_owned();
        target.cookie = cookie;
        target
    })
}

impl Target {
    fn post(&self, path: &str, body: impl Into<Body>, cookie: Option<&str>) -> http::Response<Body> {
        use tower::ServiceExt;
        let mut req = http::Request::post(path)
            .header(http::header::HOST, &self.host)
            .header("sec-fetch-site", "same-origin")
            .header(http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(http::header::ACCEPT, "application/json");
        if let Some(c) = cookie {
            req = req.header(http::header::COOKIE, c);
        }
        let req = req.body(body.into()).unwrap();
        self.runtime.block_on(self.app.clone().oneshot(req)).unwrap()
    }
}

/// Posts `data` to a server function of the real app: the first line names the function
/// (`create_user`), the rest is the body. Any answer but a 500 is fine; a DELETE upstream never is.
pub fn form_bodies(data: &[u8]) {
    let target = target();
    let (name, body) = match data.iter().position(|b| *b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let Ok(name) = std::str::from_utf8(name) else { return };
    // Function names are identifiers (other paths are the router's business, tested elsewhere).
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return;
    }
    let res = target.post(&format!("/api/{name}"), body.to_vec(), Some(&target.cookie));
    assert_ne!(res.status(), http::StatusCode::INTERNAL_SERVER_ERROR, "{name}: {:?}", String::from_utf8_lossy(body));
    let deletes = target.sim.sim.journal().into_iter().filter(|e| e.method == "DELETE").count();
    assert_eq!(deletes, 0, "the console sent a DELETE");
    if target.sim.sim.journal().len() > 10_000 {
        target.sim.sim.reset_journal();
    }
}
