//! `/onboard`, used as a browser without WASM does: the form posted to the page, the page read
//! back. Review sends nothing; apply sends exactly what was reviewed, in order; a failed step
//! leaves the rest, and "retry the rest" sends only that.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::{reviewed, TestApp};

/// Posts the form to the page as a browser does, with `step` (the button) and the HTML back.
async fn post(app: &TestApp, cookie: &str, step: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let mut form: Vec<(&str, &str)> = fields.to_vec();
    form.push(("step", step));
    app.post_page(cookie, "/onboard", &form).await
}

fn writes(app: &TestApp) -> Vec<(String, String, Value)> {
    app.sim
        .sim
        .journal()
        .into_iter()
        .filter(|e| e.method != "GET")
        .map(|e| (e.method.clone(), e.path.clone(), e.body.clone().unwrap_or(Value::Null)))
        .collect()
}

const NEW_PERSON: [(&str, &str); 13] = [
    ("username", "zoe"),
    ("email", "zoe@example.com"),
    ("display_name", "Zoe Q"),
    ("password", ""),
    ("platform_role", ""),
    ("workspace", "demo"),
    ("workspace_role", "regular"),
    ("workspace", ""),
    ("workspace_role", "regular"),
    ("project_workspace", "demo"),
    ("project", "demo-web"),
    ("project_cluster", "host"),
    ("project_role", "viewer"),
];

#[tokio::test]
async fn the_review_lists_every_call_in_plain_words_and_sends_nothing() {
    let (app, cookie) = TestApp::start_as("admin").await;
    app.sim.sim.reset_journal();
    let (status, html) = post(&app, &cookie, "review", &NEW_PERSON).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    for line in [
        "Create the account zoe (zoe@example.com) as platform-regular",
        "Invite zoe to workspace demo as demo-regular",
        "Invite zoe to project demo-web (cluster host) as viewer",
        "3 calls to KubeSphere, in this order.",
        "Apply these 3 changes",
    ] {
        assert!(html.contains(line), "{line:?} missing from the review");
    }
    assert!(writes(&app).is_empty(), "a review only reads: {:?}", writes(&app));
    // The form keeps what was typed.
    assert!(html.contains("value=\"zoe@example.com\""));
}

#[tokio::test]
async fn apply_sends_what_was_reviewed_in_order_and_shows_the_generated_password_once() {
    let (app, cookie) = TestApp::start_as("admin").await;
    let (_, review) = post(&app, &cookie, "review", &NEW_PERSON).await;
    let plan = reviewed(&review);
    assert_eq!(plan.lines().count(), 3, "{plan}");
    app.sim.sim.reset_journal();
    let mut fields = NEW_PERSON.to_vec();
    // As a browser sends it: line breaks as CRLF.
    let plan = plan.replace('\n', "\r\n");
    fields.push(("reviewed", &plan));
    let (status, html) = post(&app, &cookie, "apply", &fields).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("3 of 3 changes made for zoe."), "{html}");

    let w = writes(&app);
    let calls: Vec<(&str, &str)> = w.iter().map(|(m, p, _)| (m.as_str(), p.as_str())).collect();
    assert_eq!(
        calls,
        [
            ("POST", "/kapis/iam.kubesphere.io/v1beta1/users"),
            ("POST", "/kapis/iam.kubesphere.io/v1beta1/workspaces/demo/workspacemembers"),
            ("POST", "/clusters/host/kapis/iam.kubesphere.io/v1beta1/namespaces/demo-web/namespacemembers"),
        ]
    );
    assert_eq!(w[0].2["metadata"]["annotations"]["iam.kubesphere.io/globalrole"], "platform-regular");
    assert_eq!(w[1].2, serde_json::json!([{"username": "zoe", "roleRef": "demo-regular"}]));
    assert_eq!(w[2].2, serde_json::json!([{"username": "zoe", "roleRef": "viewer"}]));

    // The generated password is on the page, and it works.
    let marker = "id=\"created-password\" type=\"text\" readonly value=\"";
    let start = html.find(marker).expect("the password is shown") + marker.len();
    let password = &html[start..start + html[start..].find('"').unwrap()];
    assert!(ks_types::PasswordCheck::of(password).passes());
    assert_eq!(app.login_response("zoe", password, true).await.status(), StatusCode::OK);

    // Recorded as made through the wizard, without the password.
    let (_, log) = app.submit(&cookie, "list_activity", &[]).await;
    let entries = log["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    assert!(entries.iter().all(|e| e["entry"]["record"]["via"] == "Wizard"));
    assert!(!log.to_string().contains(password));

    // Applying the same plan again sends nothing: everything is in place.
    app.sim.sim.reset_journal();
    let (_, again) = post(&app, &cookie, "review", &NEW_PERSON).await;
    assert!(again.contains("zoe already has an account"), "{again}");
    assert!(again.contains("Everything listed is in place already"), "{again}");
    assert!(writes(&app).is_empty());
}

#[tokio::test]
async fn a_failed_step_leaves_the_others_done_and_retry_sends_only_the_rest() {
    let (app, cookie) = TestApp::start_as("admin").await;
    let (_, review) = post(&app, &cookie, "review", &NEW_PERSON).await;
    let plan = reviewed(&review);
    let members = "/clusters/host/kapis/iam.kubesphere.io/v1beta1/namespaces/demo-web/namespacemembers";
    app.sim.sim.inject(ks_sim::Fault::status(members, 403, None).method("POST").times(1));
    app.sim.sim.reset_journal();
    let mut fields = NEW_PERSON.to_vec();
    fields.push(("reviewed", &plan));
    let (_, html) = post(&app, &cookie, "apply", &fields).await;
    assert!(html.contains("2 changes made for zoe; 1 left."), "{html}");
    assert!(html.contains("Failed: KubeSphere does not allow you to do this."), "{html}");
    assert!(html.contains("Retry the rest"));
    assert!(html.contains("id=\"created-password\""), "the password is shown even when a later step failed");
    let rest = reviewed(&html);
    assert_eq!(rest.lines().count(), 1, "only the project is left: {rest}");
    assert!(rest.contains("demo-web") && rest.contains("viewer") && !rest.contains("CreateUser"), "{rest}");

    app.sim.sim.reset_journal();
    let mut fields = NEW_PERSON.to_vec();
    fields.push(("reviewed", &rest));
    let (_, html) = post(&app, &cookie, "apply", &fields).await;
    assert!(html.contains("1 of 1 changes made for zoe."), "{html}");
    let calls: Vec<String> = writes(&app).into_iter().map(|(m, p, _)| format!("{m} {p}")).collect();
    assert_eq!(calls, [format!("POST {members}")], "nothing is sent twice");
}

#[tokio::test]
async fn an_existing_username_adds_memberships_and_changes_only_what_differs() {
    let (app, cookie) = TestApp::start_as("admin").await;
    // frank exists and belongs nowhere; carol is in demo already.
    let fields = [
        ("username", "frank"),
        ("platform_role", ""),
        ("workspace", "demo"),
        ("workspace_role", "viewer"),
        ("project_workspace", "demo"),
        ("project", "demo-web"),
        ("project_cluster", "host"),
        ("project_role", "operator"),
    ];
    app.sim.sim.reset_journal();
    let (_, html) = post(&app, &cookie, "review", &fields).await;
    assert!(html.contains("frank already has an account: no account is created"), "{html}");
    assert!(!html.contains("Create the account frank"));
    let plan = reviewed(&html);
    let mut apply = fields.to_vec();
    apply.push(("reviewed", &plan));
    let (_, html) = post(&app, &cookie, "apply", &apply).await;
    assert!(html.contains("2 of 2 changes made for frank."), "{html}");
    assert!(writes(&app).iter().all(|(_, p, _)| !p.ends_with("/users")), "no account created");

    // Now a role change: only the workspace role differs.
    let fields = [("username", "frank"), ("workspace", "demo"), ("workspace_role", "regular")];
    let (_, html) = post(&app, &cookie, "review", &fields).await;
    assert!(html.contains("Change frank's role in workspace demo from demo-viewer to demo-regular"), "{html}");
}

#[tokio::test]
async fn apply_sends_nothing_that_was_not_reviewed_and_admin_roles_need_the_confirmation() {
    let (app, cookie) = TestApp::start_as("admin").await;
    app.sim.sim.reset_journal();
    // Not reviewed (or reviewed differently): the new plan is shown, nothing is sent.
    let mut fields = NEW_PERSON.to_vec();
    fields.push(("reviewed", "create user zoe as platform-regular"));
    let (_, html) = post(&app, &cookie, "apply", &fields).await;
    assert!(html.contains("nothing was sent. Review the new plan."), "{html}");
    assert!(writes(&app).is_empty());

    // An admin role is named in the review and needs the one confirmation.
    let admin = [("username", "frank"), ("workspace", "demo"), ("workspace_role", "admin")];
    let (_, html) = post(&app, &cookie, "review", &admin).await;
    assert!(html.contains("Admin roles in this plan:"), "{html}");
    assert!(html.contains("Yes, grant these 1 admin roles."));
    let plan = reviewed(&html);
    let mut apply = admin.to_vec();
    apply.push(("reviewed", &plan));
    let (status, html) = post(&app, &cookie, "apply", &apply).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("Confirm the admin roles listed above before applying."), "{html}");
    assert!(writes(&app).is_empty());
    apply.push(("confirm_admin", "yes"));
    let (_, html) = post(&app, &cookie, "apply", &apply).await;
    assert!(html.contains("1 of 1 changes made for frank."), "{html}");
}

#[tokio::test]
async fn bad_rows_are_explained_next_to_the_row_and_custom_roles_are_refused() {
    let (app, cookie) = TestApp::start_as("admin").await;
    app.sim.sim.reset_journal();
    let cases: [(&[(&str, &str)], &str); 4] = [
        (&[("username", "bob"), ("workspace", "nowhere-ws")], "There is no workspace nowhere-ws."),
        (
            &[
                ("username", "bob"),
                ("project_workspace", "demo"),
                ("project", "no-such-project"),
                ("project_cluster", "host"),
            ],
            "There is no project no-such-project in workspace demo on cluster host.",
        ),
        (&[("username", "bob"), ("workspace", "demo"), ("workspace_role", "auditor")], "is not a built-in role kind"),
        (&[("username", "bob"), ("workspace", "demo"), ("workspace", "demo")], "Workspace demo is listed twice."),
    ];
    for (fields, sentence) in cases {
        let (status, html) = post(&app, &cookie, "review", fields).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{fields:?}");
        assert!(html.contains(sentence), "{sentence:?} not on the page for {fields:?}");
    }
    assert!(writes(&app).is_empty());
    // Signed out, the post is refused (and never reaches KubeSphere); a browser is sent to sign in
    // and back.
    let res = app.request(Method::POST, "/onboard", None).form(&NEW_PERSON).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = app
        .request(Method::POST, "/onboard", None)
        .header("accept", "text/html")
        .form(&NEW_PERSON)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/login?next=/onboard");
    assert!(writes(&app).is_empty());
}

#[tokio::test]
async fn a_typed_password_is_never_echoed_by_the_review_and_still_applies() {
    let (app, cookie) = TestApp::start_as("admin").await;
    let typed = "Typed-Initial-2026";
    let mut fields: Vec<(&str, &str)> =
        NEW_PERSON.iter().map(|&(k, v)| if k == "password" { (k, typed) } else { (k, v) }).collect();
    let (status, review) = post(&app, &cookie, "review", &fields).await;
    assert_eq!(status, StatusCode::OK, "{review}");
    assert!(
        !review.contains(typed),
        "the review page does not hold the typed password: {}",
        review.find(typed).map(|i| &review[i.saturating_sub(300)..i + 50]).unwrap_or_default()
    );
    let marker = "name=\"sealed_password\" value=\"";
    let start = review.find(marker).expect("the password, sealed") + marker.len();
    let sealed = review[start..start + review[start..].find('"').unwrap()].to_owned();
    let plan = reviewed(&review);
    // As the browser sends the review form back: the password field empty, the sealed one kept.
    fields.retain(|(k, _)| *k != "password");
    fields.extend([("password", ""), ("sealed_password", sealed.as_str()), ("reviewed", plan.as_str())]);
    let (status, html) = post(&app, &cookie, "apply", &fields).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("3 of 3 changes made for zoe."), "{html}");
    assert_eq!(app.login_response("zoe", typed, true).await.status(), StatusCode::OK, "the typed password works");
    // Sealed for this person and this account only: another account's apply cannot open it.
    let other: Vec<(&str, &str)> = fields
        .iter()
        .map(|&(k, v)| {
            if k == "username" {
                (k, "zed")
            } else if k == "email" {
                (k, "zed@example.com")
            } else {
                (k, v)
            }
        })
        .collect();
    let (_, html) = post(&app, &cookie, "apply", &other).await;
    assert!(html.contains("Type the initial password again") || html.contains("changed since"), "{html}");
}
