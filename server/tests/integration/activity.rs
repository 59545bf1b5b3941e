//! The activity log: the store against both databases it supports (a SQLite file, and a real
//! PostgreSQL started here from Debian's package), and every change made through the console
//! recorded, readable by whom it concerns, without passwords, and without making the console
//! depend on the database.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use app::activity_log::ssr::ActivityLog;
use app::activity_log::{Action, Change, Filter, Record, Via, Visibility};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use server::database::Database;
use tokio::process::{Child, Command};

use crate::calls::new_user;
use crate::common::{free_port, wait_for_port, TestApp};

const DAY: i64 = 86_400_000;

fn record(at_ms: i64, actor: &str, change: Change, succeeded: bool) -> Record {
    Record {
        at_ms,
        actor: actor.into(),
        change,
        succeeded,
        message: (!succeeded).then(|| "KubeSphere does not allow you to do this.".into()),
        reason: (!succeeded).then(|| app::activity_log::Failure::Error { code: "forbidden".into() }),
        request_id: Some(format!("req-{at_ms}")),
        via: Via::Form,
    }
}

/// The same checks for every backend: append, filters, visibility, paging, retention.
async fn exercise(log: &Database) {
    let base = 1_764_000_000_000; // 2025-11-24
    let records = [
        record(base, "admin", Change::new(Action::CreateUser).user("zoe").roles(None, "platform-regular"), true),
        record(
            base + 1,
            "admin",
            Change::new(Action::InviteToWorkspace).user("zoe").workspace("demo").roles(None, "demo-regular"),
            true,
        ),
        record(
            base + DAY,
            "alice",
            Change::new(Action::ChangeProjectRole)
                .user("zoe")
                .in_workspace(Some("demo".into()))
                .project("host", "demo-web")
                .roles(Some("viewer".into()), "operator"),
            true,
        ),
        record(
            base + 2 * DAY,
            "bob",
            Change::new(Action::ChangeWorkspaceRole)
                .user("carol")
                .workspace("other")
                .roles(Some("other-viewer".into()), "other-admin"),
            false,
        ),
    ];
    log.append(&records[..2], &[]).await.unwrap();
    log.append(&records[2..], &[]).await.unwrap();
    let all = |filter: Filter| async move { log.list(&filter, &Visibility::Everything, 100).await.unwrap() };

    let everything = all(Filter::default()).await;
    assert_eq!(everything.len(), 4);
    let newest_first: Vec<_> = everything.iter().map(|e| e.record.clone()).collect();
    assert_eq!(newest_first, records.iter().rev().cloned().collect::<Vec<_>>(), "stored exactly, newest first");

    let zoe = all(Filter { person: Some("zoe".into()), ..Filter::default() }).await;
    assert_eq!(zoe.len(), 3);
    let by_alice = all(Filter { by: Some("alice".into()), ..Filter::default() }).await;
    assert_eq!(by_alice.len(), 1);
    assert_eq!(by_alice[0].record.change.role_before.as_deref(), Some("viewer"));
    let in_demo = all(Filter { workspace: Some("demo".into()), ..Filter::default() }).await;
    assert_eq!(in_demo.len(), 2, "a project change is filed under its workspace");
    let in_project = all(Filter { project: Some("demo-web".into()), ..Filter::default() }).await;
    assert_eq!(in_project.len(), 1);
    let invites = all(Filter { action: Some(Action::InviteToWorkspace), ..Filter::default() }).await;
    assert_eq!(invites.len(), 1);
    let second_day =
        all(Filter { from_ms: Some(base + DAY - 1), until_ms: Some(base + 2 * DAY - 1), ..Filter::default() }).await;
    assert_eq!(second_day.len(), 1);
    assert_eq!(second_day[0].record.actor, "alice");

    // Paging: the next page starts below the last id shown.
    let first = log.list(&Filter::default(), &Visibility::Everything, 3).await.unwrap();
    assert_eq!(first.len(), 3);
    let rest = all(Filter { before_id: Some(first[2].id), ..Filter::default() }).await;
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].record.change.action, Action::CreateUser);

    // Visibility: one's own changes, and those touching the workspaces one administers.
    let alice = Visibility::Own { actor: "alice".into(), workspaces: vec!["demo".into()] };
    let seen: Vec<_> =
        log.list(&Filter::default(), &alice, 100).await.unwrap().into_iter().map(|e| e.record.actor).collect();
    assert_eq!(seen, ["alice", "admin"]);
    let bob = Visibility::Own { actor: "bob".into(), workspaces: vec![] };
    let seen = log.list(&Filter::default(), &bob, 100).await.unwrap();
    assert_eq!(seen.len(), 1);
    assert!(!seen[0].record.succeeded);
    assert_eq!(seen[0].record.message.as_deref(), Some("KubeSphere does not allow you to do this."));
    // Filters still apply within what one may see.
    let alice_zoe = log.list(&Filter { by: Some("bob".into()), ..Filter::default() }, &alice, 100).await.unwrap();
    assert!(alice_zoe.is_empty());

    // Retention removes only what is older than the cutoff.
    assert_eq!(log.prune(base + DAY).await.unwrap(), 2);
    assert_eq!(all(Filter::default()).await.len(), 2);
}

fn temp_dir(what: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ks-console-{what}-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn the_sqlite_store_keeps_filters_pages_and_prunes_in_a_file_that_outlives_the_process() {
    let dir = temp_dir("sqlite");
    let url = format!("sqlite://{}/nested/activity.db", dir.display());
    let log = Database::open(&url).unwrap();
    exercise(&log).await;
    // Opened again (a restart): the schema is there already and the entries are kept.
    let again = Database::open(&url).unwrap();
    assert_eq!(again.list(&Filter::default(), &Visibility::Everything, 100).await.unwrap().len(), 2);
    std::fs::remove_dir_all(dir).ok();
}

/// A PostgreSQL server from Debian's package, on a loopback port, for one test. Its server
/// refuses to run as root, so as root it runs as the `postgres` user.
pub(crate) struct Postgres {
    child: Child,
    dir: PathBuf,
    pub(crate) url: String,
}

impl Postgres {
    fn bin(name: &str) -> PathBuf {
        let on_path = std::env::var_os("PATH")
            .into_iter()
            .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
            .map(|d| d.join(name))
            .find(|p| p.is_file());
        let debian = || {
            let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path().join("bin").join(name))
                .filter(|p| p.is_file())
                .collect();
            found.sort();
            found.pop()
        };
        on_path.or_else(debian).unwrap_or_else(|| {
            panic!("{name} is installed (scripts/ensure-tools.sh installs Debian's postgresql when missing)")
        })
    }

    fn id(flag: &str) -> u32 {
        let out = std::process::Command::new("id").args([flag, "postgres"]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).trim().parse().expect("a postgres user (Debian's package creates it)")
    }

    fn as_server_user(cmd: &mut Command) {
        let root = std::process::Command::new("id").arg("-u").output().unwrap().stdout.starts_with(b"0\n");
        if root {
            cmd.uid(Self::id("-u")).gid(Self::id("-g"));
        }
    }

    pub(crate) async fn start() -> Self {
        let dir = temp_dir("postgres");
        let root = std::process::Command::new("id").arg("-u").output().unwrap().stdout.starts_with(b"0\n");
        if root {
            let ok = std::process::Command::new("chown").arg("postgres:").arg(&dir).status().unwrap().success();
            assert!(ok, "chown {}", dir.display());
        }
        let data = dir.join("data");
        let mut initdb = Command::new(Self::bin("initdb"));
        initdb.arg("-D").arg(&data).args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]);
        initdb.stdout(Stdio::null()).stderr(Stdio::piped());
        Self::as_server_user(&mut initdb);
        let out = initdb.output().await.unwrap();
        assert!(out.status.success(), "initdb: {}", String::from_utf8_lossy(&out.stderr));

        let port = free_port();
        let mut server = Command::new(Self::bin("postgres"));
        server
            .arg("-D")
            .arg(&data)
            .args(["-p", &port.to_string(), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"])
            .arg("-k")
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        Self::as_server_user(&mut server);
        let child = server.spawn().unwrap();
        wait_for_port(port, "postgres").await;
        Self { child, dir, url: format!("postgres://postgres@127.0.0.1:{port}/postgres") }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // A fast shutdown (SIGINT), so no server process outlives the test.
        if let Some(pid) = self.child.id() {
            let _ = std::process::Command::new("kill").args(["-INT", &pid.to_string()]).status();
            for _ in 0..100 {
                if matches!(self.child.try_wait(), Ok(Some(_))) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        std::fs::remove_dir_all(&self.dir).ok();
    }
}

#[tokio::test]
async fn the_postgres_store_keeps_filters_pages_and_prunes_and_replicas_share_it() {
    let pg = Postgres::start().await;
    let log = Database::open(&pg.url).unwrap();
    let other_replica = Database::open(&pg.url).unwrap();
    // Two replicas starting together both migrate: one does, the other finds it done.
    let (a, b) = tokio::join!(log.ping(), other_replica.ping());
    a.unwrap();
    b.unwrap();
    exercise(&log).await;
    let seen = other_replica.list(&Filter::default(), &Visibility::Everything, 100).await.unwrap();
    assert_eq!(seen.len(), 2, "what one replica wrote, the other reads");
}

/// The filter fields as the server function takes them (`query[person]=…`).
fn query(fields: &[(&str, &str)]) -> Vec<(String, String)> {
    fields.iter().map(|(k, v)| (format!("query[{k}]"), (*v).to_owned())).collect()
}

async fn list(app: &TestApp, cookie: &str, fields: &[(&str, &str)]) -> (StatusCode, Value) {
    let fields = query(fields);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.submit(cookie, "list_activity", &fields).await
}

async fn activity(app: &TestApp, cookie: &str, fields: &[(&str, &str)]) -> Value {
    let (status, body) = list(app, cookie, fields).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn entries(page: &Value) -> Vec<Value> {
    page["entries"].as_array().unwrap().iter().map(|row| row["entry"]["record"].clone()).collect()
}

#[tokio::test]
async fn every_change_through_the_console_is_recorded_with_who_what_where_and_the_roles() {
    let (app, admin) = TestApp::start_as("admin").await;
    let created = new_user("zoe", "zoe@example.com", "Welcome2026secret", "platform-regular");
    assert_eq!(app.submit(&admin, "create_user", &created).await.0, StatusCode::OK);
    let invite = [("workspace", "demo"), ("usernames", "zoe, frank"), ("role", "regular")];
    assert_eq!(app.submit(&admin, "invite_workspace_members", &invite).await.0, StatusCode::OK);
    let change = [("workspace", "demo"), ("username", "zoe"), ("role", "viewer")];
    assert_eq!(app.submit(&admin, "change_workspace_role", &change).await.0, StatusCode::OK);
    let project = [("project", "host/demo-web"), ("usernames", "zoe"), ("role", "viewer")];
    assert_eq!(app.submit(&admin, "invite_project_members", &project).await.0, StatusCode::OK);
    let project_role = [("project", "host/demo-web"), ("username", "zoe"), ("role", "operator")];
    assert_eq!(app.submit(&admin, "change_project_role", &project_role).await.0, StatusCode::OK);
    let platform = [("username", "zoe"), ("platform_role", "platform-self-provisioner")];
    assert_eq!(app.submit(&admin, "change_platform_role", &platform).await.0, StatusCode::OK);
    let ws = [("name", "zoes-team"), ("manager", "zoe")];
    assert_eq!(app.submit(&admin, "create_workspace", &ws).await.0, StatusCode::OK);
    let ns = [("workspace", "demo"), ("cluster", "host"), ("name", "zoe-sandbox")];
    assert_eq!(app.submit(&admin, "create_project", &ns).await.0, StatusCode::OK);

    let page = activity(&app, &admin, &[]).await;
    assert_eq!(page["sees_everything"], true);
    type Line = (String, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>);
    let got: Vec<Line> = entries(&page)
        .iter()
        .rev()
        .map(|r| {
            let s = |v: &Value| v.as_str().map(str::to_owned);
            let c = &r["change"];
            (
                c["action"].as_str().unwrap().to_owned(),
                s(&c["target_user"]),
                s(&c["workspace"]),
                s(&c["project"]),
                s(&c["role_before"]),
                s(&c["role_after"]),
            )
        })
        .collect();
    let o = |s: &str| Some(s.to_owned());
    assert_eq!(
        got,
        vec![
            ("CreateUser".into(), o("zoe"), None, None, None, o("platform-regular")),
            ("InviteToWorkspace".into(), o("zoe"), o("demo"), None, None, o("demo-regular")),
            ("InviteToWorkspace".into(), o("frank"), o("demo"), None, None, o("demo-regular")),
            ("ChangeWorkspaceRole".into(), o("zoe"), o("demo"), None, o("demo-regular"), o("demo-viewer")),
            ("InviteToProject".into(), o("zoe"), o("demo"), o("demo-web"), None, o("viewer")),
            ("ChangeProjectRole".into(), o("zoe"), o("demo"), o("demo-web"), o("viewer"), o("operator")),
            ("ChangePlatformRole".into(), o("zoe"), None, None, o("platform-regular"), o("platform-self-provisioner")),
            ("CreateWorkspace".into(), o("zoe"), o("zoes-team"), None, None, None),
            ("CreateProject".into(), None, o("demo"), o("zoe-sandbox"), None, None),
        ]
    );
    for r in entries(&page) {
        assert_eq!(r["actor"], "admin");
        assert_eq!(r["succeeded"], true);
        assert!(r["request_id"].as_str().is_some_and(|id| !id.is_empty()), "{r}");
    }
    // Passwords never: not in any field of any entry.
    assert!(!page.to_string().contains("Welcome2026secret"));

    // The page itself, as a person reads it, filtered to what was done to zoe.
    let html = app.page(&admin, "/activity?person=zoe").await;
    assert!(html.contains("Changed a workspace role") && html.contains("demo-regular → demo-viewer"), "{html}");
    assert!(html.contains("changes made through KS Console") || html.contains("Changes made through KS Console"));
    assert!(!html.contains("frank</a>"), "the filter keeps only zoe's entries");
    let person = app.page(&admin, "/users/zoe").await;
    assert!(person.contains("href=\"/activity?person=zoe\""), "a person's page links to what was done to them");
}

#[tokio::test]
async fn a_refused_change_is_recorded_as_failed_and_bad_input_that_never_left_is_not() {
    let (app, bob) = TestApp::start_as("bob").await;
    // bob is not allowed to create users: KubeSphere refuses.
    let fields = new_user("zed", "zed@example.com", "Passw0rdZed1", "platform-regular");
    let (status, _) = app.submit(&bob, "create_user", &fields).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A custom role is refused before anything is sent: nothing happened, nothing to record.
    let custom = [("workspace", "demo"), ("username", "carol"), ("role", "team-b-admin")];
    assert_eq!(app.submit(&bob, "change_workspace_role", &custom).await.0, StatusCode::BAD_REQUEST);

    let page = activity(&app, &bob, &[]).await;
    assert_eq!(page["sees_everything"], false);
    let seen = entries(&page);
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0]["succeeded"], false);
    assert_eq!(seen[0]["change"]["action"], "CreateUser");
    assert!(seen[0]["message"].as_str().unwrap().contains("does not allow"), "{}", seen[0]);
}

#[tokio::test]
async fn people_see_their_own_changes_and_those_in_workspaces_they_administer_only() {
    let (app, admin) = TestApp::start_as("admin").await;
    // In demo (alice administers it) and at platform level (she does not).
    let invite = [("workspace", "demo"), ("usernames", "frank"), ("role", "regular")];
    assert_eq!(app.submit(&admin, "invite_workspace_members", &invite).await.0, StatusCode::OK);
    let platform = [("username", "carol"), ("platform_role", "platform-self-provisioner")];
    assert_eq!(app.submit(&admin, "change_platform_role", &platform).await.0, StatusCode::OK);

    let alice = app.login("alice").await;
    let seen = entries(&activity(&app, &alice, &[]).await);
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0]["change"]["target_user"], "frank");

    let bob = app.login("bob").await;
    assert!(entries(&activity(&app, &bob, &[]).await).is_empty(), "bob administers nothing and did nothing");
    // Asking for someone else's changes does not widen what one sees.
    assert!(entries(&activity(&app, &bob, &[("by", "admin")]).await).is_empty());

    let everything = entries(&activity(&app, &admin, &[]).await);
    assert_eq!(everything.len(), 2);
}

#[tokio::test]
async fn filters_are_checked_and_explained() {
    let (app, admin) = TestApp::start_as("admin").await;
    for (field, value) in [("person", "../x"), ("from", "2026-13-01"), ("action", "delete_user"), ("workspace", "A B")]
    {
        let (status, body) = list(&app, &admin, &[(field, value)]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{field}={value}: {body}");
        assert_eq!(body["detail"]["field"], field, "{body}");
    }
    let (status, body) = list(&app, &admin, &[("from", "2026-11-02"), ("to", "2026-11-01")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // The page shows the sentence, not a crash.
    let res = app.get(&admin, "/activity?from=yesterday").await;
    let html = res.text().await.unwrap();
    assert!(html.contains("Enter a date as YYYY-MM-DD."), "{html}");
}

#[tokio::test]
async fn a_database_outage_loses_no_change_and_leaves_the_console_ready() {
    crate::common::captured_logs();
    // Nothing listens there: every write to the log fails.
    let port = free_port();
    let app = TestApp::builder()
        .config(move |c| c.activity_db = format!("postgres://postgres@127.0.0.1:{port}/postgres"))
        .start()
        .await;
    let admin = app.login("admin").await;
    let invite = [("workspace", "demo"), ("usernames", "frank"), ("role", "regular")];
    let (status, body) = app.submit(&admin, "invite_workspace_members", &invite).await;
    assert_eq!(status, StatusCode::OK, "the change is made and reported: {body}");
    assert_eq!(body["usernames"][0], "frank");
    let ready = app.request(Method::GET, "/readyz", None).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK, "the log's database is not part of readiness");
    let (status, body) = list(&app, &admin, &[]).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["code"], "activity_log_unavailable");
    assert!(crate::common::captured_logs().contains("activity log: a change was not recorded"));
}
