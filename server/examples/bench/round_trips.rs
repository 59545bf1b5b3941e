//! The bench's table of upstream round trips per page.

use std::time::Duration;

use crate::ms;
use crate::shared::{delay_every_call, FORM_PAGES};

/// Sequential upstream rounds per page: every KubeSphere call is delayed by `DELAY` (as a real
/// ks-apiserver behind an ingress is tens of milliseconds away), and the page's extra time is
/// divided by it. Calls made concurrently cost one delay together. The simulator's journal also
/// says how many calls were sent one after another, for the first page of a new session (empty
/// session cache) and for later ones.
pub async fn report<F, Fut, G, GFut, L, LFut>(sim: &ks_sim::RunningSim, get: &F, get_as: &G, new_session: &L)
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
    let lookups = [
        "/",
        "/users/user-0008",
        "/workspaces/ws-001",
        "/workspaces/ws-big",
        "/projects/host/ws-001-p0",
        "/users",
        "/workspaces",
    ];
    let pages: Vec<&str> = lookups.into_iter().chain(FORM_PAGES).collect();
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let mut plain = Vec::new();
    for &page in &pages {
        let mut times = Vec::new();
        for _ in 0..RUNS {
            times.push(get(page.to_owned()).await.0);
        }
        plain.push(median(times));
    }
    delay_every_call(sim, delay);
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
