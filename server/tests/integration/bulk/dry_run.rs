//! The dry run of a file: it says per row what will happen or why not, sends nothing but reads,
//! and reads in batches (not per row).

use reqwest::{Method, StatusCode};

use super::{dry_run, verdict, HEADER};
use crate::common::TestApp;

fn upstream_calls(app: &TestApp) -> (usize, usize) {
    let journal = app.sim.sim.journal();
    let writes = journal.iter().filter(|e| e.method != "GET").count();
    (journal.len() - writes, writes)
}

#[tokio::test]
async fn the_dry_run_says_per_row_what_will_happen_or_why_not_and_sends_nothing() {
    let (app, cookie) = TestApp::start_as("admin").await;
    let csv = format!(
        "{HEADER}
mei,mei@example.com,Mei Chen,,demo,regular,,,
mei,,,,demo,,host,demo-web,viewer
bob,,,,demo,regular,,,
carol,,,,demo,admin,,,
frank,,,platform-self-provisioner,,,,,
zed,zed@example.com,,,demo,auditor,,,
omar,,,,demo,,,,
bob,,,,nowhere,,,,
bob,,,,team-b,,host,demo-web,
mei,,,,demo,regular,,,
mei,,,,demo,viewer,,,
Bad_Name,x@example.com,,,,,,,
frank,,,platform-regular,,,,,
"
    );
    app.sim.sim.reset_journal();
    let (status, html) = dry_run(&app, &cookie, &csv).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let expect = [
        (2, "create the account mei (mei@example.com) as platform-regular; invite mei to workspace demo as demo-regular"),
        (3, "invite mei to project demo-web (cluster host) as viewer"),
        (4, "Nothing to do: bob exists; already in workspace demo as demo-regular."),
        (5, "change carol's role in workspace demo from demo-viewer to demo-admin"),
        (6, "change frank's platform role from platform-regular to platform-self-provisioner"),
        (7, "Cannot: workspace_role \"auditor\" is not a built-in role kind"),
        (8, "Cannot: omar is a new person: give their e-mail."),
        (9, "Cannot: there is no workspace nowhere."),
        (10, "Cannot: there is no project demo-web in workspace team-b on cluster host."),
        (11, "Cannot: repeats line 2."),
        (12, "Cannot: conflicts with line 2: another role for mei in workspace demo."),
        (13, "Cannot: username:"),
        (14, "Cannot: conflicts with line 6: another platform role for frank."),
    ];
    for (line, text) in expect {
        let got = verdict(&html, line);
        assert!(got.contains(text), "line {line}: {got:?} does not say {text:?}");
    }
    assert!(html.contains("1 admin roles in this file:"), "the admin grant is listed");
    assert!(
        html.contains("change carol&#x27;s role in workspace demo from demo-viewer to demo-admin (line 5)")
            || html.contains("change carol's role in workspace demo from demo-viewer to demo-admin (line 5)")
    );
    assert_eq!(upstream_calls(&app).1, 0, "a dry run only reads");
}

#[tokio::test]
async fn reads_are_batched_so_their_number_does_not_grow_with_the_rows() {
    let (app, cookie) = TestApp::start_as("admin").await;
    let file = |people: usize| {
        let mut csv = HEADER.to_owned();
        for i in 0..people {
            csv.push_str(&format!("\nnew-{i:03},new-{i:03}@example.com,,,demo,,,,"));
            csv.push_str(&format!("\nnew-{i:03},,,,demo,,host,demo-web,viewer"));
            csv.push_str(&format!("\nnew-{i:03},,,,team-b,viewer,,,"));
        }
        csv
    };
    // A first dry run fills the session's cache of the person's own permissions.
    dry_run(&app, &cookie, &file(1)).await;
    app.sim.sim.reset_journal();
    let (_, small) = dry_run(&app, &cookie, &file(5)).await;
    assert!(small.contains("15 rows: 15 will send changes"), "{small}");
    let (few, _) = upstream_calls(&app);
    app.sim.sim.reset_journal();
    let (_, large) = dry_run(&app, &cookie, &file(40)).await;
    assert!(large.contains("120 rows: 120 will send changes"));
    let (many, writes) = upstream_calls(&app);
    assert_eq!(writes, 0);
    assert_eq!(many, few, "15 rows took {few} reads, 120 rows {many}: reads must not grow with the rows");
    assert!(many <= 12, "{many} reads");
}

#[tokio::test]
async fn problems_with_the_file_itself_are_said_with_their_line_and_lose_nothing() {
    let (app, cookie) = TestApp::start_as("admin").await;
    let cases = [
        ("", "The file is empty."),
        ("user,email\nzoe,zoe@example.com", "Line 1: the header must be exactly"),
        (&*format!("{HEADER}\nzoe,zoe@example.com"), "Line 2: 2 cells where the header has 9."),
        (&*format!("{HEADER}\n"), "The file has a header but no rows."),
    ];
    for (csv, sentence) in cases {
        let (status, html) = dry_run(&app, &cookie, csv).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{csv:?}");
        assert!(html.contains(sentence), "{sentence:?} not on the page for {csv:?}");
        // The text stays in the box, to be corrected.
        if !csv.is_empty() {
            assert!(html.contains(&csv.lines().next().unwrap().replace('"', "&quot;")), "the text is kept");
        }
    }
    let mut rows = HEADER.to_owned();
    for i in 0..1001 {
        rows.push_str(&format!("\nu{i},u{i}@example.com,,,,,,,"));
    }
    let (_, html) = dry_run(&app, &cookie, &rows).await;
    assert!(html.contains("The file has 1001 rows; at most 1000 fit in one file."), "too many rows");
    // A body beyond the upload's own bound is refused before it is read.
    let huge = "x".repeat(600 * 1024);
    let res =
        app.request(Method::POST, "/onboard/bulk", Some(&cookie)).form(&[("csv", huge.as_str())]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn a_team_lead_may_onboard_only_into_what_they_manage() {
    let app = TestApp::start().await;
    // alice manages demo; she sees team-b nowhere.
    let cookie = app.login("alice").await;
    let csv = format!("{HEADER}\nfrank,,,,demo,viewer,,,\nfrank,,,,team-b,viewer,,,\n");
    let (_, html) = dry_run(&app, &cookie, &csv).await;
    assert!(verdict(&html, 2).contains("invite frank to workspace demo as demo-viewer"), "{html}");
    assert!(verdict(&html, 3).contains("Cannot: you may not manage the members of workspace team-b"));
}

#[tokio::test]
async fn display_names_are_bounded_and_e_mails_are_parsed_whenever_given() {
    let (app, cookie) = TestApp::start_as("admin").await;
    let long = "n".repeat(129);
    let csv = format!(
        "{HEADER}\nmei,mei@example.com,{long},,demo,regular,,,\nomar,omar@example.com,\"Omar\tK\",,demo,,,,\nfrank,not-an-address,,,demo,viewer,,,\nzoe,zoe@example.com,=Zoe,,demo,,,,\n"
    );
    let (status, html) = dry_run(&app, &cookie, &csv).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(verdict(&html, 2).contains("display_name") && verdict(&html, 2).contains("128"), "{}", verdict(&html, 2));
    assert!(verdict(&html, 3).contains("control characters"), "{}", verdict(&html, 3));
    assert!(verdict(&html, 4).contains("email"), "an existing person's bad address too: {}", verdict(&html, 4));
    assert!(verdict(&html, 5).contains("create the account zoe"), "free text may start with =: {}", verdict(&html, 5));
}
