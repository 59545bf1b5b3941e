//! The bench's comparison of the in-memory session store with Redis.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use server::Config;

use crate::shared::{cookie_pair, sign_in_request, PASSWORD};
use crate::{ms, SAMPLES};

/// Sign-in and a person's page with the in-memory store and with Redis, measured alternately in
/// one run (a noisy machine slows both alike), against the same simulator.
pub async fn report(template: &Config) {
    println!("\n## Session store: memory and Redis\n");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let Ok(mut redis) = tokio::process::Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
    else {
        println!("Skipped: redis-server is not installed (`apt-get install redis-server`).");
        return;
    };
    while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut bases = Vec::new();
    for with_redis in [false, true] {
        // Bind first so that the app's origin (and Host check) knows its address.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let mut config = Config { site_addr: addr, ..template.clone() };
        if with_redis {
            config.session_store = Some(format!("redis://127.0.0.1:{port}"));
            config.session_secret = Some(server::config::SecretText("a-benchmark-secret-of-enough-length!!".into()));
        }
        let stores = server::stores_from_config(&config).await.unwrap();
        let app = server::build_app(config, stores).unwrap();
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap();
        });
        bases.push(format!("http://{addr}"));
    }
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let login = |base: String| {
        let http = http.clone();
        async move {
            let started = Instant::now();
            let res = sign_in_request(&http, &base, "user-0008", PASSWORD).send().await.unwrap();
            assert_eq!(res.status(), 303);
            let cookie = cookie_pair(res.headers()["set-cookie"].to_str().unwrap());
            (started.elapsed(), cookie)
        }
    };
    let mut logins = [Vec::new(), Vec::new()];
    let mut pages = [Vec::new(), Vec::new()];
    let mut cookies = [String::new(), String::new()];
    for _ in 0..SAMPLES / 2 {
        for (i, base) in bases.iter().enumerate() {
            let (took, cookie) = login(base.clone()).await;
            logins[i].push(took);
            cookies[i] = cookie;
        }
    }
    for _ in 0..SAMPLES {
        for (i, base) in bases.iter().enumerate() {
            let started = Instant::now();
            let res = http.get(format!("{base}/users/user-0008")).header("cookie", &cookies[i]).send().await.unwrap();
            assert_eq!(res.status(), 200);
            res.bytes().await.unwrap();
            pages[i].push(started.elapsed());
        }
    }
    let stat = |v: &mut Vec<Duration>| {
        v.sort();
        (v[v.len() / 2], v[v.len() * 95 / 100])
    };
    println!("| | memory: median / p95 | Redis: median / p95 | Redis / memory (medians) |");
    println!("| --- | --- | --- | --- |");
    for (label, [m, r]) in [("sign-in (user-0008)", &mut logins), ("person's page (/users/user-0008)", &mut pages)] {
        let ((m50, m95), (r50, r95)) = (stat(m), stat(r));
        println!(
            "| {label} | {} / {} | {} / {} | {:.2} |",
            ms(m50),
            ms(m95),
            ms(r50),
            ms(r95),
            r50.as_secs_f64() / m50.as_secs_f64()
        );
    }
    println!(
        "\nRedis 7 on loopback (redis-server from Debian), one connection per console, tokens sealed \
         with XChaCha20-Poly1305; {} sign-ins and {SAMPLES} pages per store, alternating.",
        SAMPLES / 2
    );
    let _ = redis.kill().await;
}
