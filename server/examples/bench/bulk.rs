//! The bench's cost of planning and applying bulk onboarding.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::shared::{delay_every_call, job_link, post_for_page, reviewed};
use crate::{ms, sign_in};

/// Posts a form to a page as a browser does; the time and the HTML.
async fn post_form(
    http: &reqwest::Client,
    addr: &SocketAddr,
    cookie: &str,
    path: &str,
    fields: &[(&str, String)],
) -> (Duration, String) {
    let started = Instant::now();
    let req =
        http.post(format!("http://{addr}{path}")).header("cookie", cookie).header("sec-fetch-site", "same-origin");
    let (status, html) = post_for_page(req, fields).await;
    assert!(status == 200, "{path}: {status}");
    (started.elapsed(), html)
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
    delay_every_call(sim, Duration::from_millis(40));
    sim.sim.reset_journal();
    let (_, html) = post_form(http, addr, &cookie, path, fields).await;
    let journal = sim.sim.journal();
    sim.sim.clear_faults();
    assert!(html.contains(expect), "{path} as {user}: {expect:?} not on the page");
    assert!(journal.iter().all(|e| e.method == "GET"), "a plan only reads");
    (journal.len(), ks_sim::journal::sequential_rounds(&journal))
}

/// What planning costs, as an admin and as a team lead (`user-0070`, an admin of workspace
/// ws-010 and no platform admin): a 500-row file's dry run and the wizard's review, in upstream
/// reads and sequential rounds; then the admin's file applied (100 new people, 400 memberships
/// over 20 workspaces and 20 projects), its time and calls.
pub async fn report(sim: &ks_sim::RunningSim, addr: &SocketAddr, cookie: String) {
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
    let job = job_link(&started_page);
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
