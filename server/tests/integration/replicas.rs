//! Two console processes sharing one Redis (a real `redis-server`, started here on a port of its
//! own) in front of one simulator: what several replicas in a cluster must do.

use std::process::Stdio;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio::process::{Child, Command};

use crate::common::{free_port, session_cookie, wait_for_port, PASSWORD};

const SECRET: &str = "a-test-secret-that-is-long-enough-for-the-console";

fn signal(child: &Child, sig: &str) {
    let pid = child.id().expect("running").to_string();
    let ok = std::process::Command::new("kill").args([sig, &pid]).status().unwrap().success();
    assert!(ok, "kill {sig} {pid}");
}

struct Redis {
    child: Child,
    url: String,
}

impl Redis {
    async fn start() -> Self {
        Self::start_on(free_port()).await
    }

    async fn start_on(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("redis-server is installed (scripts/ensure-tools.sh installs Debian's when missing)");
        wait_for_port(port, "redis-server").await;
        Self { child, url: format!("redis://127.0.0.1:{port}") }
    }
}

struct Replica {
    child: Child,
    url: String,
    http: reqwest::Client,
}

impl Replica {
    async fn start(kubesphere: &str, redis: &str) -> Self {
        Self::start_with(kubesphere, redis, &[]).await
    }

    async fn start_with(kubesphere: &str, redis: &str, env: &[(&str, &str)]) -> Self {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_ks-console"))
            .envs(env.iter().copied())
            .env("KUBESPHERE_HOST", kubesphere)
            .env("SESSION_STORE", redis)
            .env("SESSION_SECRET", SECRET)
            .env("ACTIVITY_DB", "sqlite::memory:")
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            // Tokens are refreshed when they have less than 5 s left.
            .env("TOKEN_REFRESH_SKEW_SECS", "5")
            .env("RUST_LOG", "warn")
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        wait_for_port(port, "ks-console").await;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            // The console closes connections idle for HEADER_READ_TIMEOUT_SECS (10 s here); a
            // client that keeps them longer races that close (IncompleteMessage), as any proxy would.
            .pool_idle_timeout(Duration::from_secs(5))
            .build()
            .unwrap();
        Self { child, url: format!("http://127.0.0.1:{port}"), http }
    }

    fn request(&self, method: Method, path: &str, cookie: Option<&str>) -> reqwest::RequestBuilder {
        let mut req = self.http.request(method, format!("{}{path}", self.url)).header("sec-fetch-site", "same-origin");
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        req
    }

    async fn login(&self, user: &str) -> String {
        let res = self
            .request(Method::POST, "/login", None)
            .header("accept", "application/json")
            .form(&[("username", user), ("password", PASSWORD), ("next", "/")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{user} signs in");
        session_cookie(res.headers()).expect("a session cookie")
    }

    /// Who the session belongs to, as KubeSphere says; or the status when it is not OK.
    async fn whoami(&self, cookie: &str) -> Result<String, StatusCode> {
        let res = self
            .request(Method::POST, "/api/current_user", Some(cookie))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body("")
            .send()
            .await
            .unwrap();
        if res.status() != StatusCode::OK {
            return Err(res.status());
        }
        let body: Value = res.json().await.unwrap();
        Ok(body["username"].as_str().unwrap().to_owned())
    }

    async fn ready(&self) -> StatusCode {
        self.request(Method::GET, "/readyz", None).send().await.unwrap().status()
    }
}

#[tokio::test]
async fn two_replicas_share_sessions_tokens_and_refreshes_through_redis() {
    // Access tokens live 8 s: with 5 s of skew they are due for refresh 3 s after sign-in.
    let sim = ks_sim::Simulator::spawn(
        ks_sim::SimConfig { access_token_ttl: Duration::from_secs(8), ..ks_sim::SimConfig::default() },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let redis = Redis::start().await;
    let a = Replica::start(&sim.base_url(), &redis.url).await;
    let b = Replica::start(&sim.base_url(), &redis.url).await;
    assert_eq!((a.ready().await, b.ready().await), (StatusCode::OK, StatusCode::OK));

    // Signed in on A, the session works on B.
    let bob = a.login("bob").await;
    let signed_in = Instant::now();
    assert_eq!(b.whoami(&bob).await, Ok("bob".into()));

    // Due for refresh: 20 requests at once, half on each replica, cause one refresh grant.
    tokio::time::sleep(Duration::from_millis(3500).saturating_sub(signed_in.elapsed())).await;
    sim.sim.reset_journal();
    let burst = (0..20).map(|i| {
        let replica = if i % 2 == 0 { &a } else { &b };
        let bob = bob.clone();
        async move { replica.whoami(&bob).await }
    });
    let answers = futures::future::join_all(burst).await;
    assert!(answers.iter().all(|r| r.as_deref() == Ok("bob")), "{answers:?}");
    assert_eq!(sim.sim.counter_method("POST", "/oauth/token"), 1, "exactly one refresh across both replicas");

    // Signed out on B, the session is dead on A too.
    let res = b.request(Method::POST, "/logout", Some(&bob)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(a.whoami(&bob).await, Err(StatusCode::UNAUTHORIZED));

    // Redis stalls for 2 s: both replicas say they are not ready (quickly), signed-in requests
    // get "temporarily unavailable", and all is well again within a second of its return.
    let carol = b.login("carol").await;
    signal(&redis.child, "-STOP");
    let asked = Instant::now();
    assert_eq!(a.ready().await, StatusCode::SERVICE_UNAVAILABLE);
    assert!(asked.elapsed() < Duration::from_secs(1), "the readiness probe has its own sub-second timeout");
    assert_eq!(b.whoami(&carol).await, Err(StatusCode::SERVICE_UNAVAILABLE));
    tokio::time::sleep(Duration::from_secs(2).saturating_sub(asked.elapsed())).await;
    signal(&redis.child, "-CONT");
    let resumed = Instant::now();
    while a.ready().await != StatusCode::OK || b.ready().await != StatusCode::OK {
        assert!(resumed.elapsed() < Duration::from_secs(1), "ready again within a second of Redis returning");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(a.whoami(&carol).await, Ok("carol".into()), "no session was lost");

    // Replica A dies mid-session: the person stays signed in on B.
    let dave_like = a.login("alice").await;
    let mut a = a;
    signal(&a.child, "-KILL");
    let _ = a.child.wait().await;
    assert_eq!(b.whoami(&dave_like).await, Ok("alice".into()));
}

/// Whoever can read Redis finds neither a usable cookie nor a usable token there.
#[tokio::test]
async fn what_redis_holds_opens_no_door() {
    let sim = ks_sim::Simulator::spawn(ks_sim::SimConfig::default(), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let redis = Redis::start().await;
    // An hour idle, but signed in for at most 60 s: Redis forgets the session by then.
    let a = Replica::start_with(
        &sim.base_url(),
        &redis.url,
        &[("SESSION_IDLE_TIMEOUT_SECS", "3600"), ("SESSION_MAX_LIFETIME_SECS", "60")],
    )
    .await;
    let bob = a.login("bob").await;
    let cli = |args: &[&str]| {
        let port = redis.url.rsplit(':').next().unwrap().to_owned();
        let out = std::process::Command::new("redis-cli").args(["-p", &port]).args(args).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let keys = cli(&["--scan"]);
    let dump: String = keys.lines().map(|k| cli(&["--no-raw", "GET", k])).collect();
    for token in sim.sim.issued_tokens() {
        assert!(!dump.contains(&token), "a KubeSphere token is readable in Redis");
    }
    // A session key from Redis, presented as a cookie, is refused: cookies are signed.
    let session_key = keys.lines().find(|k| k.starts_with("ks-console:session:")).expect("a session in Redis");
    let ttl_ms: i64 = cli(&["PTTL", session_key]).trim().parse().unwrap();
    assert!((1..=60_000).contains(&ttl_ms), "the session's TTL ends with its absolute lifetime: {ttl_ms} ms");
    let forged = format!("ks-console={}", session_key.trim_start_matches("ks-console:session:"));
    assert_eq!(a.whoami(&forged).await, Err(StatusCode::UNAUTHORIZED));
    assert_eq!(a.whoami(&bob).await, Ok("bob".into()));
}

/// A fresh deployment starts in any order: a replica up before Redis becomes ready once it answers.
#[tokio::test]
async fn a_replica_started_before_redis_becomes_ready_as_soon_as_redis_answers() {
    let sim = ks_sim::Simulator::spawn(ks_sim::SimConfig::default(), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let port = free_port();
    let a = Replica::start(&sim.base_url(), &format!("redis://127.0.0.1:{port}")).await;
    assert_eq!(a.ready().await, StatusCode::SERVICE_UNAVAILABLE, "no Redis yet");
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(a.ready().await, StatusCode::SERVICE_UNAVAILABLE);
    let _redis = Redis::start_on(port).await;
    let answered = Instant::now();
    while a.ready().await != StatusCode::OK {
        assert!(answered.elapsed() < Duration::from_secs(5), "still unready 5 s after Redis answered");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let bob = a.login("bob").await;
    assert_eq!(a.whoami(&bob).await, Ok("bob".into()));
}

/// Whoever can write to Redis cannot make a session act as someone else: records are sealed,
/// each under its own key.
#[tokio::test]
async fn records_edited_copied_or_forged_in_redis_are_refused() {
    let sim = ks_sim::Simulator::spawn(ks_sim::SimConfig::default(), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let redis = Redis::start().await;
    let a = Replica::start(&sim.base_url(), &redis.url).await;
    let port = redis.url.rsplit(':').next().unwrap().to_owned();
    let cli = |args: &[&str]| {
        let out = std::process::Command::new("redis-cli").args(["-p", &port, "--raw"]).args(args).output().unwrap();
        String::from_utf8_lossy(&out.stdout).trim_end_matches('\n').to_owned()
    };
    let sessions = || -> Vec<String> {
        cli(&["--scan", "--pattern", "ks-console:session:*"]).lines().map(str::to_owned).collect()
    };
    let bob = a.login("bob").await;
    let bob_key = sessions().pop().expect("bob's record");
    let admin = a.login("admin").await;
    let admin_key = sessions().into_iter().find(|k| *k != bob_key).expect("admin's record");
    assert_eq!(a.whoami(&admin).await, Ok("admin".into()));

    // Copied: admin's record under bob's (validly signed) session id.
    let admin_record = cli(&["GET", &admin_key]);
    assert!(!admin_record.contains("vault_key"), "sealed, not readable: {admin_record}");
    cli(&["SET", &bob_key, &admin_record]);
    assert_eq!(a.whoami(&bob).await, Err(StatusCode::UNAUTHORIZED), "a copied record is no session");

    // Edited: one character of admin's own record changed.
    let mut edited = admin_record.clone().into_bytes();
    edited[40] = if edited[40] == b'A' { b'B' } else { b'A' };
    cli(&["SET", &admin_key, &String::from_utf8(edited).unwrap()]);
    assert_eq!(a.whoami(&admin).await, Err(StatusCode::UNAUTHORIZED), "an edited record is no session");

    // Forged: a plain record, as the console wrote them before, under a signed-in id.
    let carol = a.login("carol").await;
    let carol_key = sessions().into_iter().find(|k| *k != bob_key && *k != admin_key).expect("carol's record");
    let id = carol_key.trim_start_matches("ks-console:session:");
    let forged = format!(r#"{{"id":"{id}","data":{{}},"expiry_date":[2099,1,0,0,0,0,0,0,0]}}"#);
    cli(&["SET", &carol_key, &forged]);
    assert_eq!(a.whoami(&carol).await, Err(StatusCode::UNAUTHORIZED), "a forged record is no session");
}
