//! `make bench`: the console against the simulator's large seed (2,000 users, 300 workspaces,
//! 3,000 projects, plus one workspace of 1,000 members), in one process on 127.0.0.1. Reports latency of a person's page and of a big
//! member list (median, p95), upstream calls per page, throughput under concurrent load, and the
//! process's peak memory. Bounded in requests and time; talks only to loopback.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ks_sim::{Seed, SimConfig, Simulator};
use server::{build_app, Config};

mod bulk;
mod round_trips;
mod session_stores;
#[path = "../../tests/integration/shared.rs"]
mod shared;

const SAMPLES: usize = 200;
const LOAD_REQUESTS: usize = 1_000;
const CONCURRENCY: usize = 16;
const REPLAYS: u32 = 20;

/// How to read the figures (printed into BENCHMARKS.md, which `make bench` rewrites).
const NOTES: &str = "
Produced by `make bench` (server/examples/bench/; the WASM line comes from `target/site`, so
run `make build` first). Measured on a 2-core machine shared with other work: compare runs of
the same machine only, and read the figures as upper bounds.

- The console and the in-process simulator share the cores. The column \"the same calls sent
  one by one to the simulator\" replays each page's upstream calls straight to the simulator:
  a page takes about as long as its calls, so the console's own rendering adds little and the
  latencies mostly measure the simulator.
- Upstream calls per page do not depend on the seed's size, on how many projects a person is
  in, or on which page of a member list is shown (tests in server/tests/integration/lookup.rs).
- A person's page asks each cluster only for the namespaces named in the person's role
  bindings, not for every namespace.
- Round trips: the last column counts, from the simulator's journal, the longest chain of calls
  each sent after the previous one was answered (exact; tested in
  server/tests/integration/rounds.rs). The time ratio also carries this machine's overhead: a
  page of one round reads 1.1-1.2, and the large seed's heavy answers, which overlap without the
  delay, queue for the two cores once the delays end together. The first page of a session also
  loads the person's permissions and the clusters (then kept up to 10 s); the main session here
  crosses that limit between tables, so its first person page is cold too.";

#[tokio::main]
async fn main() {
    let mut seed = Seed::large();
    seed.users.extend(Seed::demo().users.into_iter().filter(|u| u.name == "admin"));
    // A big member list: one workspace with 1,000 members (the large seed's have a handful).
    let mut big = seed.workspaces[1].clone();
    big.name = "ws-big".into();
    big.manager = "admin".into();
    big.members = (0..999).map(|i| (format!("user-{i:04}"), "ws-big-regular".to_owned())).collect();
    // And 100 projects over its three clusters, ten members each: the access review's worst case.
    let template = seed.projects[0].clone();
    for p in 0..100u32 {
        let mut project = template.clone();
        project.name = format!("ws-big-p{p:03}");
        project.workspace = "ws-big".into();
        project.cluster = Some(["host", "member-1", "member-2"][(p % 3) as usize].into());
        project.members =
            (0..10u32).map(|k| (format!("user-{:04}", (p * 10 + k) % 999), "viewer".to_owned())).collect();
        seed.projects.push(project);
    }
    seed.workspaces.push(big);
    let sim =
        Simulator::spawn(SimConfig { seed, ..SimConfig::default() }, "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut config = Config::for_upstream(&sim.base_url());
    config.site_addr = addr;
    config.login_throttle_max_failures = 0;
    // Throughput is measured with a few sessions: the per-session limit would measure itself.
    config.api_calls_per_second = 0;
    config.max_concurrent_requests = usize::MAX;
    let config_template = config.clone();
    let app = build_app(config.clone(), server::memory_stores(&config).0).unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap();
    });
    let base = format!("http://{addr}");
    let direct = reqwest::Client::new();
    let admin_token = shared::token_for(&direct, &sim.base_url(), "admin").await;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    // A signed-in session's cookie; each call is a new session (an empty session cache), as on
    // the first page after signing in.
    let new_session = {
        let (http, addr) = (http.clone(), addr);
        move || {
            let http = http.clone();
            async move { sign_in(&http, &addr, "admin").await }
        }
    };
    let cookie = new_session().await;
    let get_as = move |cookie: String, path: String| {
        let (http, base) = (http.clone(), base.clone());
        async move {
            let started = Instant::now();
            let res = http.get(format!("{base}{path}")).header("cookie", cookie).send().await.unwrap();
            assert_eq!(res.status(), 200, "{path}");
            let body = res.text().await.unwrap();
            (started.elapsed(), body.len())
        }
    };
    let get = {
        let get_as = get_as.clone();
        move |path: String| get_as(cookie.clone(), path)
    };

    println!("# KS Console benchmark (large seed: 2,000 users, 300 workspaces, 3,000 projects, one 1,000-member workspace)\n");
    println!("| page | median | p95 | upstream calls per page | the same calls sent one by one to the simulator | HTML bytes |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for (label, path) in [
        ("person's page (/users/user-0008)", "/users/user-0008"),
        ("workspace page with members (/workspaces/ws-001)", "/workspaces/ws-001"),
        ("big member list, page 1 of 20 (/workspaces/ws-big)", "/workspaces/ws-big"),
        ("big member list, page 20 (/workspaces/ws-big?page=20)", "/workspaces/ws-big?page=20"),
        ("people list, page 1 (/users)", "/users"),
        ("access review, 1,000 members and 100 projects (/workspaces/ws-big/access)", "/workspaces/ws-big/access"),
        ("its export (/workspaces/ws-big/access.csv)", "/workspaces/ws-big/access.csv"),
    ] {
        sim.sim.reset_journal();
        let (_, bytes) = get(path.to_owned()).await;
        let journal = sim.sim.journal();
        let calls = journal.len();
        // The same upstream calls sent straight to the simulator, one after another: how much
        // of the page's time is the simulator's.
        let mut upstream = Duration::ZERO;
        let mut per_call = vec![Duration::ZERO; journal.len()];
        for _ in 0..REPLAYS {
            for (i, e) in journal.iter().enumerate().filter(|(_, e)| e.method == "GET") {
                let url = match &e.query {
                    Some(q) => format!("{}{}?{q}", sim.base_url(), e.path),
                    None => format!("{}{}", sim.base_url(), e.path),
                };
                let started = Instant::now();
                let res = direct.get(url).bearer_auth(&admin_token).send().await.unwrap();
                res.bytes().await.unwrap();
                upstream += started.elapsed();
                per_call[i] += started.elapsed();
            }
        }
        let upstream = upstream / REPLAYS;
        let slowest = (0..journal.len()).max_by_key(|&i| per_call[i]).map(|i| {
            format!("{} {}", ms(per_call[i] / REPLAYS), journal[i].path.rsplit('/').next().unwrap_or_default())
        });
        let mut times = Vec::with_capacity(SAMPLES);
        for _ in 0..SAMPLES {
            times.push(get(path.to_owned()).await.0);
        }
        times.sort();
        println!(
            "| {label} | {} | {} | {calls} | {} (slowest: {}) | {bytes} |",
            ms(times[SAMPLES / 2]),
            ms(times[SAMPLES * 95 / 100]),
            ms(upstream),
            slowest.unwrap_or_default()
        );
    }

    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for worker in 0..CONCURRENCY {
        let get = get.clone();
        set.spawn(async move {
            for i in 0..LOAD_REQUESTS / CONCURRENCY {
                get(format!("/users/user-{:04}", (worker * 97 + i * 13) % 1999)).await;
            }
        });
    }
    while set.join_next().await.is_some() {}
    let elapsed = started.elapsed();
    let done = LOAD_REQUESTS / CONCURRENCY * CONCURRENCY;
    println!(
        "\nThroughput: {done} person pages with {CONCURRENCY} concurrent clients in {:.2} s = {:.0} pages/s.",
        elapsed.as_secs_f64(),
        done as f64 / elapsed.as_secs_f64()
    );
    println!("Peak memory of the process (console + simulator together, VmHWM): {}", peak_memory());
    round_trips::report(&sim, &get, &get_as, &new_session).await;
    bulk::report(&sim, &addr, new_session().await).await;
    session_stores::report(&config_template).await;
    println!("{NOTES}");
}

/// A new session of `user` on the console at `addr`: its cookie.
pub async fn sign_in(http: &reqwest::Client, addr: &SocketAddr, user: &str) -> String {
    let login = shared::sign_in_request(http, &format!("http://{addr}"), user, shared::PASSWORD).send().await.unwrap();
    shared::cookie_pair(login.headers()["set-cookie"].to_str().unwrap())
}

pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.trim_start_matches("VmHWM:").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into())
}
