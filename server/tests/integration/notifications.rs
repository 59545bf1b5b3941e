//! Notifications: the person changed (or, for a request, the administrators of its place) is
//! told once, in their language, by e-mail through a real SMTP conversation on a loopback port
//! and by a webhook on another; a refused write tells nobody; no message holds a password; a mail
//! server that is away delays the message, not the change; two replicas send each message once.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use reqwest::{Method, StatusCode};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::calls::new_user;
use crate::common::{free_port, TestApp};

/// One e-mail as the SMTP server received it.
#[derive(Debug, Clone)]
struct Mail {
    to: Vec<String>,
    subject: String,
    body: String,
}

/// An SMTP server on a loopback port that keeps what it is sent (EHLO, MAIL, RCPT, DATA, QUIT).
struct SmtpSink {
    port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl SmtpSink {
    async fn start(port: u16) -> Self {
        let mails = Arc::new(Mutex::new(Vec::new()));
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let kept = Arc::clone(&mails);
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = &mut stopped => break,
                    accepted = listener.accept() => {
                        let Ok((socket, _)) = accepted else { continue };
                        tokio::spawn(converse(socket, Arc::clone(&kept)));
                    }
                }
            }
        });
        Self { port, mails, stop: Some(stop) }
    }

    fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }
}

async fn converse(socket: tokio::net::TcpStream, mails: Arc<Mutex<Vec<Mail>>>) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    let _ = write.write_all(b"220 sink ESMTP\r\n").await;
    let mut to = Vec::new();
    while let Ok(Some(line)) = lines.next_line().await {
        let upper = line.to_ascii_uppercase();
        let answer: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            b"250 sink\r\n"
        } else if upper.starts_with("RCPT TO:") {
            to.push(line[8..].trim().trim_matches(|c| c == '<' || c == '>').to_owned());
            b"250 OK\r\n"
        } else if upper.starts_with("DATA") {
            let _ = write.write_all(b"354 go on\r\n").await;
            let mut data = String::new();
            while let Ok(Some(l)) = lines.next_line().await {
                if l == "." {
                    break;
                }
                data.push_str(&l);
                data.push('\n');
            }
            mails.lock().unwrap().push(parse_mail(std::mem::take(&mut to), &data));
            b"250 kept\r\n"
        } else if upper.starts_with("QUIT") {
            let _ = write.write_all(b"221 bye\r\n").await;
            break;
        } else {
            b"250 OK\r\n"
        };
        let _ = write.write_all(answer).await;
    }
}

/// The subject (RFC 2047 base64 words joined) and the base64 body, decoded.
fn parse_mail(to: Vec<String>, data: &str) -> Mail {
    let (headers, body) = data.split_once("\n\n").unwrap_or((data, ""));
    // Folded header lines continue with a space.
    let unfolded = headers.replace("\n ", " ");
    let raw_subject = unfolded.lines().find_map(|l| l.strip_prefix("Subject: ")).unwrap_or_default();
    let subject: String = raw_subject
        .split_whitespace()
        .map(|word| match word.strip_prefix("=?utf-8?b?").and_then(|w| w.strip_suffix("?=")) {
            Some(b64) => String::from_utf8(base64::engine::general_purpose::STANDARD.decode(b64).unwrap()).unwrap(),
            None => format!("{word} "),
        })
        .collect();
    let b64: String = body.lines().map(str::trim).collect();
    let body = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(b64).unwrap_or_default())
        .unwrap_or_default();
    Mail { to, subject, body }
}

/// A webhook on a loopback port that keeps the JSON it is sent.
async fn webhook() -> (String, Arc<Mutex<Vec<serde_json::Value>>>) {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&calls);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(body): axum::Json<serde_json::Value>| {
            let kept = Arc::clone(&kept);
            async move {
                kept.lock().unwrap().push(body);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, calls)
}

/// A console telling people through `smtp` and `hook`, looking at its outbox every 100 ms.
fn notifying(smtp: String, hook: Option<String>, db: Option<String>) -> crate::common::Builder {
    TestApp::builder().config(move |c| {
        c.smtp_url = Some(server::config::SecretText(smtp));
        c.webhook_url = hook.map(server::config::SecretText);
        c.notify_poll_ms = 100;
        c.notify_retry_ms = 200;
        if let Some(db) = db {
            c.activity_db = db;
        }
    })
}

/// Waits until `count()` reaches `want` (at most 10 s), then a little longer, so that one more
/// (a duplicate) would be seen.
async fn settled<T>(want: usize, count: impl Fn() -> Vec<T>) -> Vec<T> {
    for _ in 0..100 {
        if count().len() >= want {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(600)).await;
    count()
}

async fn choose_language(app: &TestApp, cookie: &str, lang: &str) {
    let res = app
        .request(Method::POST, "/language", Some(cookie))
        .form(&[("lang", lang), ("back", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

async fn invite(app: &TestApp, cookie: &str, user: &str) -> (StatusCode, serde_json::Value) {
    app.invite_to_workspace(cookie, "demo", user, "viewer").await
}

/// Chosen in KubeSphere (`spec.lang`), or else in this console.
#[tokio::test]
async fn people_who_chose_chinese_are_told_once_in_chinese_by_mail_and_webhook() {
    let smtp = SmtpSink::start(free_port()).await;
    let (hook, calls) = webhook().await;
    let app = notifying(smtp.url(), Some(hook), None).start().await;
    // frank chose Chinese in KubeSphere.
    let mut frank = app.upstream_user("frank").await;
    frank["spec"]["lang"] = "zh".into();
    app.upstream_put("/kapis/iam.kubesphere.io/v1beta1/users/frank", frank).await;
    // mei has no language in KubeSphere and chose Chinese here.
    app.upstream_new_user("mei").await;
    let mei = app.login("mei").await;
    choose_language(&app, &mei, "zh").await;

    let lead = app.login("lead").await;
    for user in ["frank", "mei"] {
        let (status, body) = invite(&app, &lead, user).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let mut mails = settled(2, || smtp.mails()).await;
    mails.sort_by(|a, b| a.to.cmp(&b.to));
    assert_eq!(mails.len(), 2, "one each: {mails:?}");
    for (mail, user) in mails.iter().zip(["frank", "mei"]) {
        assert_eq!(mail.to, vec![format!("{user}@example.com")]);
        assert!(mail.subject.contains("您的访问权限已变更"), "{mail:?}");
        assert!(mail.body.contains(&format!("{user}，您好")), "{mail:?}");
        assert!(mail.body.contains("lead 已将您加入企业空间 demo，角色为 demo-viewer。"), "{mail:?}");
        assert!(mail.body.contains(&format!("{}/users/{user}", app.url)), "{mail:?}");
    }
    let calls = settled(2, || calls.lock().unwrap().clone()).await;
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(
        calls.iter().all(|c| c["lang"] == "zh" && c["text"].as_str().unwrap().contains("企业空间 demo")),
        "{calls:?}"
    );

    // A write KubeSphere refuses tells nobody.
    let members = "/kapis/iam.kubesphere.io/v1beta1/workspaces/demo/workspacemembers";
    app.sim.sim.inject(ks_sim::Fault::status(members, 403, None).method("POST").times(1));
    let (status, _) = invite(&app, &lead, "dave").await;
    assert!(status.is_client_error());
    assert_eq!(settled(3, || smtp.mails()).await.len(), 2, "no message for a refused write");
}

#[tokio::test]
async fn a_new_account_is_told_without_its_password_and_the_actor_is_never_told() {
    let smtp = SmtpSink::start(free_port()).await;
    let app = notifying(smtp.url(), None, None).start().await;
    let admin = app.login("admin").await;
    let fields = new_user("zoe", "zoe@example.com", "Welcome2026zz", "platform-regular");
    let (status, body) = app.submit(&admin, "create_user", &fields).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mails = settled(1, || smtp.mails()).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].to, vec!["zoe@example.com"]);
    assert!(mails[0].body.contains("admin created your account zoe (platform-regular)"), "{mails:?}");
    assert!(!mails[0].body.contains("Welcome2026zz"), "never a password");
    assert!(mails.iter().all(|m| !m.to.contains(&"admin@kubesphere.io".to_owned())));
}

#[tokio::test]
async fn a_request_tells_the_admins_and_its_approval_is_one_message_to_the_requester() {
    let smtp = SmtpSink::start(free_port()).await;
    let app = notifying(smtp.url(), None, None).start().await;
    let frank = app.login("frank").await;
    let (status, body) = app
        .submit(&frank, "ask_for_access", &[("workspace", "demo"), ("role", "viewer"), ("reason", "new in the team")])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // frank is no member of demo: its manager (alice) is told; lead is another of its admins,
    // whom frank's token cannot see.
    let mails = settled(1, || smtp.mails()).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].to, vec!["alice@example.com"]);
    assert!(mails[0].body.contains("frank asks for demo-viewer in workspace demo."), "{mails:?}");
    assert!(mails[0].body.contains("/requests"), "{mails:?}");

    let lead = app.login("lead").await;
    let id = body["id"].as_str().unwrap();
    let (status, body) = app.submit(&lead, "approve_access_request", &[("id", id), ("role", "viewer")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mails = settled(2, || smtp.mails()).await;
    let to_frank: Vec<&Mail> = mails.iter().filter(|m| m.to == vec!["frank@example.com"]).collect();
    assert_eq!(to_frank.len(), 1, "one message for an approval and its invitation: {mails:?}");
    assert!(to_frank[0].body.contains("lead approved your request: you now have demo-viewer in workspace demo."));
    assert_eq!(to_frank[0].body.matches("\n- ").count(), 1, "{}", to_frank[0].body);
}

#[tokio::test]
async fn with_the_mail_server_away_changes_go_on_and_the_message_follows_once_it_is_back() {
    let port = free_port();
    let app = notifying(format!("smtp://127.0.0.1:{port}"), None, None).start().await;
    let lead = app.login("lead").await;
    let (status, body) = invite(&app, &lead, "frank").await;
    assert_eq!(status, StatusCode::OK, "the change is made: {body}");
    // Tried (and refused) a few times meanwhile.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let smtp = SmtpSink::start(port).await;
    let mails = settled(1, || smtp.mails()).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].to, vec!["frank@example.com"]);
}

/// Two replicas sharing the activity database (`db`) look at the outbox together.
async fn two_replicas_send_each_message_once(db: String) {
    let mut smtp = SmtpSink::start(free_port()).await;
    let one = notifying(smtp.url(), None, Some(db.clone())).start().await;
    let two = notifying(smtp.url(), None, Some(db)).start().await;
    let (lead, admin) = (one.login("lead").await, two.login("admin").await);
    for user in ["frank", "dave"] {
        assert_eq!(invite(&one, &lead, user).await.0, StatusCode::OK);
    }
    let (status, _) = two.invite_to_workspace(&admin, "team-b", "frank", "viewer").await;
    assert_eq!(status, StatusCode::OK);
    let mails = settled(3, || smtp.mails()).await;
    let mut to: Vec<String> = mails.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, ["dave@example.com", "frank@example.com", "frank@example.com"], "{mails:?}");
    smtp.stop();
}

#[tokio::test]
async fn two_replicas_on_a_sqlite_file_send_each_message_once() {
    let dir = std::env::temp_dir().join(format!("ks-console-notify-{}", uuid::Uuid::new_v4()));
    two_replicas_send_each_message_once(format!("sqlite://{}/activity.db", dir.display())).await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn two_replicas_on_postgres_send_each_message_once() {
    let pg = crate::activity::Postgres::start().await;
    two_replicas_send_each_message_once(pg.url.clone()).await;
}

#[tokio::test]
async fn who_turned_messages_off_is_not_told_and_a_digest_waits_for_its_day() {
    let smtp = SmtpSink::start(free_port()).await;
    let app = notifying(smtp.url(), None, None).start().await;
    let frank = app.login("frank").await;
    let (status, body) = app.submit(&frank, "save_notification_settings", &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["muted"], true);
    let page = app.get(&frank, "/settings/notifications").await;
    let html = page.text().await.unwrap();
    assert!(
        html.contains("name=\"notify\" value=\"on\"/>") || !html.contains("name=\"notify\" value=\"on\" checked"),
        "{html}"
    );

    // alice, demo's manager, takes requests as a daily digest.
    let alice = app.login("alice").await;
    let (status, _) = app.submit(&alice, "save_notification_settings", &[("notify", "on"), ("digest", "on")]).await;
    assert_eq!(status, StatusCode::OK);

    let lead = app.login("lead").await;
    assert_eq!(invite(&app, &lead, "frank").await.0, StatusCode::OK);
    app.upstream_new_user("yan").await;
    let yan = app.login("yan").await;
    let ask = [("workspace", "demo"), ("role", "viewer"), ("reason", "joining")];
    assert_eq!(app.submit(&yan, "ask_for_access", &ask).await.0, StatusCode::OK);
    assert!(settled(1, || smtp.mails()).await.is_empty(), "frank turned messages off; alice's digest goes tomorrow");
}

#[tokio::test]
async fn platform_admins_are_told_when_nobody_is_told_and_what_was_given_up() {
    let app = TestApp::start().await;
    let (admin, lead) = (app.login("admin").await, app.login("lead").await);
    let page = |cookie: String| {
        let app = &app;
        async move { app.page(&cookie, "/activity").await }
    };
    assert!(page(admin.clone()).await.contains("Nobody is told of changes"));
    assert!(!page(lead.clone()).await.contains("Nobody is told of changes"));

    // Nothing listens on the mail server's port: given up after a second.
    let port = free_port();
    let app =
        notifying(format!("smtp://127.0.0.1:{port}"), None, None).config(|c| c.notify_give_up_secs = 1).start().await;
    let (admin, lead) = (app.login("admin").await, app.login("lead").await);
    assert_eq!(invite(&app, &lead, "frank").await.0, StatusCode::OK);
    let mut html = String::new();
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        html = app.page(&admin, "/activity").await;
        if html.contains("Messages not sent") {
            break;
        }
    }
    assert!(html.contains("email to frank: given up"), "{html}");
    assert!(!html.contains("Nobody is told of changes"));
}

/// A bulk job tells each person once, whatever the number of their rows.
#[tokio::test]
async fn a_bulk_job_sends_one_message_per_person() {
    let smtp = SmtpSink::start(free_port()).await;
    let app = notifying(smtp.url(), None, None).start().await;
    let lead = app.login("lead").await;
    let header = "username,email,display_name,platform_role,workspace,workspace_role,cluster,project,project_role";
    let csv = format!("{header}\nfrank,,,,demo,,,,\nfrank,,,,demo,,member-1,demo-ops,\ndave,,,,demo,,,,\n");
    let (status, html) = app.post_page(&lead, "/onboard/bulk", &[("csv", &csv)]).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let plan = crate::common::reviewed(&html);
    let form = [("csv", csv.as_str()), ("reviewed", plan.as_str()), ("step", "apply")];
    let (_, html) = app.post_page(&lead, "/onboard/bulk", &form).await;
    let page = app.finished_job(&lead, &html).await;
    assert!(page.contains("Done: all 3 rows applied."), "{page}");
    let mails = settled(2, || smtp.mails()).await;
    let mut to: Vec<String> = mails.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, ["dave@example.com", "frank@example.com"], "{mails:?}");
    let frank = mails.iter().find(|m| m.to == vec!["frank@example.com"]).unwrap();
    assert!(frank.body.contains("to workspace demo as demo-regular"), "{}", frank.body);
    assert!(frank.body.contains("to project demo-ops (cluster member-1) as viewer"), "{}", frank.body);
}
