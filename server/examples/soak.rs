//! `make soak`: 200 signed-in people use the console at once for 60 s (lookups, and invitations
//! by workspace managers) against the simulator's large seed, while the simulator injects
//! faults (5xx answers, slow answers, dropped connections) and, mid-run, a 5 s outage of
//! everything. All in one process on 127.0.0.1, with the console's production limits.
//! Bounded in time and requests; prints a report that `make soak` appends to BENCHMARKS.md.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ks_sim::{Fault, Seed, SimConfig, Simulator};
use server::{build_app, Config};

const SESSIONS: usize = 200;
/// Of which workspace managers (they invite as well as look up).
const MANAGERS: usize = 40;
const RUN: Duration = Duration::from_secs(60);
const OUTAGE_AT: Duration = Duration::from_secs(30);
const OUTAGE: Duration = Duration::from_secs(5);
/// Pause between one person's requests (a person reads what they asked for).
const THINK: Duration = Duration::from_secs(1);
const MAX_REQUESTS_PER_SESSION: usize = 1_000;

/// How to read the figures (printed into BENCHMARKS.md).
const SOAK_NOTES: &str = "
- Console, simulator (large seed) and the 200 clients share one process on a 2-core machine:
  the latencies are mostly queueing for the cores at about 110 requests/s, not the console's
  own time per request (see the benchmark above for that).
- An injected fault that a retry absorbs (reads are retried once) never reaches the person;
  the few that do are answered with the generic 502 message.
- During the outage the breaker opens and requests fail fast (502) instead of piling up; the
  first request after the outage that reaches KubeSphere closes it again (recovery).
- \"Other errors\" counts everything that is neither a success, a 502/504 from an upstream
  failure, nor the console's own 429/503: a 500, a 4xx (a lost session would show as 401),
  or no answer at all.";

/// One finished request: when it started and ended (since the run began), and what came back.
struct Sample {
    kind: &'static str,
    started: Duration,
    ended: Duration,
    /// `None`: no HTTP answer at all (connection error or client timeout).
    status: Option<u16>,
}

/// A tiny deterministic generator: the same run picks the same people and faults.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[tokio::main]
async fn main() {
    let cooldown_ms = 5_000;
    let sim_config = SimConfig {
        seed: Seed::large(),
        // Tokens are refreshed (60 s before expiry) every 15 s: refreshes meet the faults.
        access_token_ttl: Duration::from_secs(75),
        ..SimConfig::default()
    };
    let sim = Simulator::spawn(sim_config, "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut config = Config::for_upstream(&sim.base_url());
    config.site_addr = addr;
    config.upstream_breaker_cooldown_ms = cooldown_ms;
    let limits = config.serve_limits();
    let app = build_app(config.clone(), server::memory_stores(&config).0).unwrap();
    tokio::spawn(server::serve::serve(listener, app, limits, std::future::pending()));
    let base = format!("http://{addr}");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(35))
        .pool_max_idle_per_host(SESSIONS)
        .build()
        .unwrap();

    // Sign everybody in before the faults start: managers of ws-000.., then regular users.
    let people: Vec<(String, Option<String>)> = (0..SESSIONS)
        .map(|i| {
            if i < MANAGERS {
                (format!("user-{:04}", i * 7), Some(format!("ws-{i:03}")))
            } else {
                (format!("user-{:04}", 1000 + i), None)
            }
        })
        .collect();
    let mut cookies = Vec::new();
    for (name, _) in &people {
        let res = http
            .post(format!("{base}/login"))
            .header("sec-fetch-site", "same-origin")
            .form(&[("username", name.as_str()), ("password", ks_sim::DEMO_PASSWORD), ("next", "/")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "{name} signs in");
        let cookie = res.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
        cookies.push(cookie);
    }
    let rss_after_login = memory("VmRSS");

    let start = Instant::now();
    let injected = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let chaos = tokio::spawn({
        let (sim, injected, stop) = (sim.sim.clone(), Arc::clone(&injected), Arc::clone(&stop));
        async move {
            let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
            let mut outage_done = false;
            while !stop.load(Ordering::Relaxed) {
                let t = start.elapsed();
                if !outage_done && t >= OUTAGE_AT {
                    sim.inject(Fault::drop("/"));
                    tokio::time::sleep(OUTAGE).await;
                    sim.clear_faults();
                    outage_done = true;
                    continue;
                }
                let (fault, times) = match rng.below(4) {
                    0 => (Fault::status("/kapis/iam.kubesphere.io/v1beta1/users", 503, None), 3),
                    1 => (Fault::status("/kapis/tenant.kubesphere.io", 500, None), 2),
                    2 => (Fault::delay("/kapis", Duration::from_secs(2)), 3),
                    _ => (Fault::drop("/kapis/iam.kubesphere.io/v1beta1/workspaces"), 2),
                };
                sim.inject(fault.times(times));
                injected.fetch_add(u64::from(times), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    });

    let samples = Arc::new(Mutex::new(Vec::<Sample>::new()));
    let sessions = people.into_iter().zip(cookies).enumerate().map(|(i, ((name, workspace), cookie))| {
        let (http, base, samples) = (http.clone(), base.clone(), Arc::clone(&samples));
        tokio::spawn(async move {
            let mut rng = Rng(0x2545_f491_4f6c_dd1d ^ ((i as u64 + 1) * 0x1000_0001));
            let mut invited = 0;
            for _ in 0..MAX_REQUESTS_PER_SESSION {
                if start.elapsed() >= RUN {
                    break;
                }
                let other = format!("user-{:04}", rng.below(1999));
                let roll = rng.below(10);
                let (kind, req) = match &workspace {
                    Some(ws) if roll < 3 => {
                        // A fresh person each time, never already a member of this workspace.
                        invited += 1;
                        let who = format!("user-{:04}", (i * 7 + 100 + invited * 41) % 1999);
                        let form = [("workspace", ws.as_str()), ("usernames", who.as_str()), ("role", "viewer")];
                        ("invite", http.post(format!("{base}/api/invite_workspace_members")).form(&form))
                    }
                    Some(ws) if roll < 5 => ("workspace page", http.get(format!("{base}/workspaces/{ws}"))),
                    _ => match rng.below(10) {
                        0..=3 => ("person page", http.get(format!("{base}/users/{other}"))),
                        4..=6 => {
                            let form = [("query", &other[..7]), ("page", "1"), ("sort", "name")];
                            ("people list", http.post(format!("{base}/api/list_people")).form(&form))
                        }
                        _ => {
                            let form = [("query", other.as_str())];
                            ("search", http.post(format!("{base}/api/search_users")).form(&form))
                        }
                    },
                };
                let started = start.elapsed();
                let answer = req
                    .header("cookie", &cookie)
                    .header("sec-fetch-site", "same-origin")
                    .header("accept", "application/json")
                    .send()
                    .await;
                let status = match answer {
                    Ok(res) => {
                        let status = res.status().as_u16();
                        let _ = res.bytes().await; // read the whole page, as a browser does
                        Some(status)
                    }
                    Err(_) => None,
                };
                let ended = start.elapsed();
                samples.lock().unwrap().push(Sample { kind, started, ended, status });
                tokio::time::sleep(THINK).await;
            }
            let _ = name;
        })
    });
    futures::future::join_all(sessions).await;
    stop.store(true, Ordering::Relaxed);
    let _ = chaos.await;
    let wall = start.elapsed();
    let samples = std::mem::take(&mut *samples.lock().unwrap());
    report(&samples, wall, injected.load(Ordering::Relaxed), cooldown_ms, &rss_after_login);
}

fn report(samples: &[Sample], wall: Duration, injected: u64, cooldown_ms: u64, rss_after_login: &str) {
    let outage_end = OUTAGE_AT + OUTAGE;
    let in_outage = |s: &Sample| s.ended >= OUTAGE_AT && s.started < outage_end;
    let (mut ok, mut upstream, mut upstream_in_outage, mut limits, mut unexpected) = (0, 0, 0, 0, Vec::new());
    let mut by_status: BTreeMap<String, usize> = BTreeMap::new();
    for s in samples {
        let label = s.status.map_or("no answer".to_owned(), |c| c.to_string());
        *by_status.entry(label).or_default() += 1;
        match s.status {
            Some(200..=399) => ok += 1,
            // What an upstream fault becomes: 502 (unreachable, refused, breaker open), 504.
            Some(502 | 504) if in_outage(s) || (s.started >= outage_end && s.started < outage_end + OUTAGE) => {
                upstream_in_outage += 1;
            }
            Some(502 | 504) => upstream += 1,
            // The console's own limits: per-session rate limit, load shedding, request timeout.
            Some(429 | 503) => limits += 1,
            _ => unexpected.push(s),
        }
    }
    // Recovery: from the end of the outage to the first success of a request sent after it.
    let recovered = samples
        .iter()
        .filter(|s| s.started >= outage_end && matches!(s.status, Some(200..=399)))
        .map(|s| s.ended)
        .min()
        .map(|t| t.saturating_sub(outage_end));
    let mut latencies: Vec<Duration> = samples.iter().map(|s| s.ended - s.started).collect();
    latencies.sort();
    let pct = |v: &[Duration], p: f64| v.get(((v.len() as f64 * p) as usize).min(v.len().saturating_sub(1))).copied();
    let outside: Vec<Duration> = {
        let mut v: Vec<Duration> = samples.iter().filter(|s| !in_outage(s)).map(|s| s.ended - s.started).collect();
        v.sort();
        v
    };
    let ms = |d: Option<Duration>| d.map_or("n/a".into(), |d| format!("{:.0} ms", d.as_secs_f64() * 1000.0));

    println!("\n## Soak (`make soak`, server/examples/soak.rs)\n");
    println!(
        "{SESSIONS} signed-in people ({MANAGERS} of them workspace managers who also invite) for {} s against the \
         large seed, {} ms between one person's requests; faults injected every 0.5 s (503/500 answers, 2 s \
         delays, dropped connections; {injected} faulty upstream answers in all) and every upstream connection \
         dropped from {} s to {} s. Production limits (20 calls/s per session, 512 requests at once, 30 s per \
         request), breaker cool-down {} s.\n",
        RUN.as_secs(),
        THINK.as_millis(),
        OUTAGE_AT.as_secs(),
        outage_end.as_secs(),
        cooldown_ms / 1000
    );
    println!("| Figure | Value |\n|---|---|");
    println!(
        "| Requests answered | {} in {:.1} s ({:.0}/s) |",
        samples.len(),
        wall.as_secs_f64(),
        samples.len() as f64 / wall.as_secs_f64()
    );
    println!("| Succeeded | {ok} |");
    println!("| Upstream failures shown (502/504) at other times (the injected faults) | {upstream} |");
    println!("| Upstream failures shown (502/504) in the outage and the 5 s after it | {upstream_in_outage} |");
    println!("| Refused by the console's own limits (429/503) | {limits} |");
    println!("| **Other errors (goal 0)** | **{}** |", unexpected.len());
    println!("| Latency p50 / p99, all requests | {} / {} |", ms(pct(&latencies, 0.50)), ms(pct(&latencies, 0.99)));
    println!("| Latency p50 / p99, outside the outage | {} / {} |", ms(pct(&outside, 0.50)), ms(pct(&outside, 0.99)));
    println!(
        "| Recovery after the outage (goal ≤ cool-down + 1 s = {} s) | {} |",
        cooldown_ms / 1000 + 1,
        ms(recovered)
    );
    println!("| Resident memory after sign-in / at the end / peak (console + simulator + clients) | {rss_after_login} / {} / {} |", memory("VmRSS"), memory("VmHWM"));
    println!("\nAnswers by status: {by_status:?}");
    let mut kinds: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for s in samples {
        let e = kinds.entry(s.kind).or_default();
        e.0 += 1;
        e.1 += usize::from(matches!(s.status, Some(200..=399)));
    }
    println!("Requests by kind (answered, succeeded): {kinds:?}");
    let mut per_window: BTreeMap<u64, (usize, usize)> = BTreeMap::new();
    for s in samples {
        let e = per_window.entry(s.started.as_secs() / 5 * 5).or_default();
        e.0 += 1;
        e.1 += usize::from(matches!(s.status, Some(200..=399)));
    }
    let line: Vec<String> = per_window.iter().map(|(t, (n, ok))| format!("{t}s: {ok}/{n}")).collect();
    println!("Succeeded per 5 s (by start time): {}", line.join(", "));
    println!("{SOAK_NOTES}");
    for s in unexpected.iter().take(10) {
        println!("unexpected: {} -> {:?} at {:.1} s", s.kind, s.status, s.started.as_secs_f64());
    }
}

/// A line of `/proc/self/status` (`VmRSS`, `VmHWM`).
fn memory(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).map(|l| l[field.len() + 1..].trim().to_owned()))
        .unwrap_or_else(|| "unknown".into())
}
