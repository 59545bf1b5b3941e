//! `make bench`: the console against the simulator's large seed (2,000 users, 300 workspaces,
//! 3,000 projects, plus one workspace of 1,000 members), in one process on 127.0.0.1. Reports latency of a person's page and of a big
//! member list (median, p95), upstream calls per page, throughput under concurrent load, and the
//! process's peak memory. Bounded in requests and time; talks only to loopback.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ks_sim::{Fault, Seed, SimConfig, Simulator};
use server::{build_app, Config};

const SAMPLES: usize = 200;
const LOAD_REQUESTS: usize = 1_000;
const CONCURRENCY: usize = 16;
const REPLAYS: u32 = 20;

/// How to read the figures (printed into BENCHMARKS.md, which `make bench` rewrites).
const NOTES: &str = "
Produced by `make bench` (server/examples/bench.rs; the WASM line comes from `target/site`, so
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
    let token: serde_json::Value = direct
        .post(format!("{}/oauth/token", sim.base_url()))
        .form(&[
            ("grant_type", "password"),
            ("username", "admin"),
            ("password", "P@88w0rd"),
            ("client_id", "kubesphere"),
            ("client_secret", "kubesphere"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let admin_token = token["access_token"].as_str().unwrap().to_owned();
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
    round_trips(&sim, &get, &get_as, &new_session).await;
    bulk_onboarding(&sim, &addr, new_session().await).await;
    session_stores(&config_template).await;
    println!("{NOTES}");
}

/// Sequential upstream rounds per page: every KubeSphere call is delayed by `DELAY` (as a real
/// ks-apiserver behind an ingress is tens of milliseconds away), and the page's extra time is
/// divided by it. Calls made concurrently cost one delay together. The simulator's journal also
/// says how many calls were sent one after another, for the first page of a new session (empty
/// session cache) and for later ones.
async fn round_trips<F, Fut, G, GFut, L, LFut>(sim: &ks_sim::RunningSim, get: &F, get_as: &G, new_session: &L)
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = (Duration, usize)>,
    G: Fn(String, String) -> GFut,
    GFut: std::future::Future<Output = (Duration, usize)>,
    L: Fn() -> LFut,
    LFut: std::future::Future<Output = String>,
{
    let delay_ms = std::env::var("BENCH_DELAY_MS").ok().and_then(|d| d.parse().ok()).unwrap_or(40);
    let delay = Duration::from_millis(delay_ms);
    const RUNS: usize = 15;
    let pages = [
        "/",
        "/users/user-0008",
        "/workspaces/ws-001",
        "/workspaces/ws-big",
        "/projects/host/ws-001-p0",
        "/users",
        "/workspaces",
        "/users/new",
        "/workspaces/new",
        "/projects/new",
        "/workspaces/invite",
        "/projects/invite",
        "/roles?level=platform",
        "/roles?level=workspace",
        "/roles?level=project",
    ];
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let mut plain = Vec::new();
    for page in pages {
        let mut times = Vec::new();
        for _ in 0..RUNS {
            times.push(get(page.to_owned()).await.0);
        }
        plain.push(median(times));
    }
    // Cluster-scoped calls carry a `/clusters/{c}` prefix; both kinds are delayed.
    sim.sim.inject(Fault::delay("/kapis", delay));
    sim.sim.inject(Fault::delay("/clusters", delay));
    println!("\n## Upstream round trips per page ({delay_ms} ms added to every KubeSphere call)\n");
    println!(
        "| page (as admin) | without delay | with delay | rounds ((with − without) ÷ delay) | calls | \
         sequential calls, first page of a session / later (journal) |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    for (page, without) in pages.iter().zip(plain) {
        let fresh = new_session().await;
        sim.sim.reset_journal();
        get_as(fresh, (*page).to_owned()).await;
        let first_rounds = ks_sim::journal::sequential_rounds(&sim.sim.journal());
        sim.sim.reset_journal();
        get((*page).to_owned()).await;
        let journal = sim.sim.journal();
        let (calls, later_rounds) = (journal.len(), ks_sim::journal::sequential_rounds(&journal));
        let mut times = Vec::new();
        for _ in 0..RUNS {
            times.push(get((*page).to_owned()).await.0);
        }
        let with = median(times);
        let rounds = with.saturating_sub(without).as_secs_f64() / delay.as_secs_f64();
        println!(
            "| {page} | {} | {} | {rounds:.1} | {calls} | {first_rounds} / {later_rounds} |",
            ms(without),
            ms(with)
        );
    }
    sim.sim.clear_faults();
}

/// Sign-in and a person's page with the in-memory store and with Redis, measured alternately in
/// one run (a noisy machine slows both alike), against the same simulator.
async fn session_stores(template: &Config) {
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
            let res = http
                .post(format!("{base}/login"))
                .header("sec-fetch-site", "same-origin")
                .form(&[("username", "user-0008"), ("password", "P@88w0rd")])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 303);
            let cookie = res.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
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

/// Posts a form to a page as a browser does; the time and the HTML.
async fn post_form(
    http: &reqwest::Client,
    addr: &SocketAddr,
    cookie: &str,
    path: &str,
    fields: &[(&str, String)],
) -> (Duration, String) {
    let started = Instant::now();
    let res = http
        .post(format!("http://{addr}{path}"))
        .header("cookie", cookie)
        .header("sec-fetch-site", "same-origin")
        .header("accept", "text/html")
        .form(fields)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let html = res.text().await.unwrap();
    assert!(status == 200, "{path}: {status}");
    (started.elapsed(), html)
}

async fn sign_in(http: &reqwest::Client, addr: &SocketAddr, user: &str) -> String {
    let login = http
        .post(format!("http://{addr}/login"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("username", user), ("password", "P@88w0rd")])
        .send()
        .await
        .unwrap();
    login.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned()
}

/// A plan's upstream reads and its sequential rounds (from the journal, every call delayed so
/// that concurrent calls are seen as concurrent), for a fresh session.
async fn plan_cost(
    sim: &ks_sim::RunningSim,
    http: &reqwest::Client,
    addr: &SocketAddr,
    user: &str,
    path: &str,
    fields: &[(&str, String)],
    expect: &str,
) -> (usize, usize) {
    let cookie = sign_in(http, addr, user).await;
    sim.sim.inject(Fault::delay("/kapis", Duration::from_millis(40)));
    sim.sim.inject(Fault::delay("/clusters", Duration::from_millis(40)));
    sim.sim.reset_journal();
    let (_, html) = post_form(http, addr, &cookie, path, fields).await;
    let journal = sim.sim.journal();
    sim.sim.clear_faults();
    assert!(html.contains(expect), "{path} as {user}: {expect:?} not on the page");
    assert!(journal.iter().all(|e| e.method == "GET"), "a plan only reads");
    (journal.len(), ks_sim::journal::sequential_rounds(&journal))
}

/// The plan's key a page asks the person to approve, unescaped as a browser sends it back.
fn reviewed(html: &str) -> String {
    let marker = "name=\"reviewed\" value=\"";
    let start = html.find(marker).unwrap() + marker.len();
    html[start..start + html[start..].find('"').unwrap()]
        .replace("&#10;", "\n")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// What planning costs, as an admin and as a team lead (`user-0070`, an admin of workspace
/// ws-010 and no platform admin): a 500-row file's dry run and the wizard's review, in upstream
/// reads and sequential rounds; then the admin's file applied (100 new people, 400 memberships
/// over 20 workspaces and 20 projects), its time and calls.
async fn bulk_onboarding(sim: &ks_sim::RunningSim, addr: &SocketAddr, cookie: String) {
    let header = "username,email,display_name,platform_role,workspace,workspace_role,cluster,project,project_role";
    let mut csv = String::from(header);
    // Each new person: the account on a row of its own, a workspace, a project (300 rows, 200
    // memberships); then 200 existing people each join a workspace.
    for i in 0..100 {
        let ws = format!("ws-{:03}", 10 + i % 20);
        csv.push_str(&format!("\nbulk-{i:03},bulk-{i:03}@example.com,Bulk {i},,,,,,"));
        csv.push_str(&format!("\nbulk-{i:03},,,,{ws},regular,,,"));
        csv.push_str(&format!("\nbulk-{i:03},,,,{ws},,host,{ws}-p0,viewer"));
    }
    for j in 0..200 {
        csv.push_str(&format!("\nuser-{:04},,,,ws-{:03},viewer,,,", 1000 + j, 10 + j % 20));
    }
    // The lead's file: 250 existing people, each into ws-010 and one of its ten projects.
    let mut lead_csv = String::from(header);
    for j in 0..250 {
        let p = j % 10;
        let cluster = ["host", "member-1", "member-2"][p % 3];
        lead_csv.push_str(&format!("\nuser-{:04},,,,ws-010,,,,", 1300 + j));
        lead_csv.push_str(&format!("\nuser-{:04},,,,ws-010,,{cluster},ws-010-p{p},viewer", 1300 + j));
    }
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let wizard = |ws: &str, project: &str| {
        vec![
            ("username", "user-1998".to_owned()),
            ("workspace", ws.to_owned()),
            ("project", project.to_owned()),
            ("step", "review".to_owned()),
        ]
    };
    println!("\n## Planning: upstream reads and sequential rounds (a fresh session; every call delayed 40 ms)\n");
    println!("| plan | as | reads | rounds |");
    println!("| --- | --- | --- | --- |");
    let rows = [
        (
            "a 500-row file's dry run (100 new people, 400 memberships in 20 workspaces)",
            "admin",
            "/onboard/bulk",
            vec![("csv", csv.clone())],
            "500 rows: 500 will send changes",
        ),
        (
            "a 500-row file's dry run (250 people into ws-010 and its 10 projects)",
            "user-0070",
            "/onboard/bulk",
            vec![("csv", lead_csv.clone())],
            "500 rows: 500 will send changes",
        ),
        (
            "the wizard's review (a workspace and a project)",
            "admin",
            "/onboard",
            {
                let mut f = wizard("ws-010", "ws-010-p1");
                f.push(("project_workspace", "ws-010".to_owned()));
                f
            },
            "Review: these calls will be made",
        ),
        (
            "the wizard's review (a workspace and a project)",
            "user-0070",
            "/onboard",
            wizard("ws-010", "ws-010/member-1/ws-010-p1"),
            "Review: these calls will be made",
        ),
    ];
    for (what, user, path, fields, expect) in rows {
        let (reads, rounds) = plan_cost(sim, &http, addr, user, path, &fields, expect).await;
        println!("| {what} | {user} | {reads} | {rounds} |");
    }

    let calls = || {
        let journal = sim.sim.journal();
        let writes = journal.iter().filter(|e| e.method != "GET").count();
        (journal.len() - writes, writes)
    };
    sim.sim.reset_journal();
    let (dry_time, run) = post_form(&http, addr, &cookie, "/onboard/bulk", &[("csv", csv.clone())]).await;
    let (dry_reads, dry_writes) = calls();
    assert_eq!(dry_writes, 0);
    assert!(run.contains("500 rows: 500 will send changes"), "the dry run accepts every row");
    let fields = [("csv", csv), ("reviewed", reviewed(&run)), ("step", "apply".into())];
    sim.sim.reset_journal();
    let (apply_time, started_page) = post_form(&http, addr, &cookie, "/onboard/bulk", &fields).await;
    assert!(started_page.contains("100 new accounts made."), "the accounts are made");
    let link = "href=\"/onboard/bulk/jobs/";
    let start = started_page.find(link).unwrap() + "href=\"".len();
    let job = &started_page[start..start + started_page[start..].find('"').unwrap()];
    let job_started = Instant::now();
    loop {
        let page = http.get(format!("http://{addr}{job}")).header("cookie", &cookie).send().await.unwrap();
        let page = page.text().await.unwrap();
        if !page.contains("http-equiv=\"refresh\"") {
            assert!(page.contains("Done: all 500 rows applied."), "the job applied every row");
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let job_time = job_started.elapsed();
    let (reads, writes) = calls();
    println!(
        "\n## Bulk onboarding (a 500-row file: 100 new people, 400 memberships in 20 workspaces and 20 projects)\n"
    );
    println!("| step | time | upstream reads | upstream writes |");
    println!("| --- | --- | --- | --- |");
    println!("| dry run | {} | {dry_reads} | 0 |", ms(dry_time));
    println!(
        "| apply, until the page with the 100 new accounts' passwords (the job starts meanwhile) | {} | {reads} (both steps) | {writes} (both steps) |",
        ms(apply_time)
    );
    println!("| the job, until every row is applied (polled every 20 ms) | {} | | |", ms(job_time));
    println!("\nReads do not grow with the rows: all users in one list when e-mails must be compared (else 50 names a read); per workspace its placement, roles and members; per workspace and cluster its projects; per project its roles and members: three phases, each reading eight places at a time. The job plans the whole file again (reads as a dry run) and sends only the reviewed calls.");
}

fn ms(d: Duration) -> String {
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
