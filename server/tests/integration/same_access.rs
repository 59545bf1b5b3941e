//! "Same access as…": a person gets exactly the reference's built-in memberships that the
//! signed-in person may grant and they lack; the rest is skipped with why; nothing they hold is
//! changed.

use reqwest::StatusCode;
use serde_json::Value;

use crate::common::TestApp;

async fn plan(app: &TestApp, cookie: &str, user: &str, reference: &str) -> Value {
    let (status, body) = app.submit(cookie, "same_access_plan", &[("user", user), ("reference", reference)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// (place, role, added?) of each row.
fn rows(plan: &Value) -> Vec<(String, String, bool)> {
    plan["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["place"].as_str().unwrap().to_owned(),
                r["role"].as_str().unwrap().to_owned(),
                r["outcome"].get("Add").is_some(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_team_lead_copies_what_they_may_grant_and_nothing_held_is_changed() {
    let app = TestApp::start().await;
    let lead = app.login("lead").await;
    let before_bob =
        (app.upstream_members(Some("demo"), None).await, app.upstream_members(None, Some(("host", "demo-web"))).await);

    // frank belongs nowhere; carol is a viewer of demo and of demo-web (and admin of team-b, which
    // the lead neither sees nor manages).
    let planned = plan(&app, &lead, "frank", "carol").await;
    let shown = rows(&planned);
    assert!(shown.contains(&("demo".into(), "demo-viewer".into(), true)), "{shown:?}");
    assert!(shown.contains(&("host/demo-web".into(), "viewer".into(), true)), "{shown:?}");
    assert!(shown.iter().all(|(place, _, _)| !place.starts_with("team-b")), "{shown:?}");

    app.sim.sim.reset_journal();
    let key = planned["key"].as_str().unwrap();
    let (status, body) =
        app.submit(&lead, "apply_same_access", &[("user", "frank"), ("reference", "carol"), ("key", key)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(app.upstream_members(Some("demo"), None).await.contains(&("frank".into(), "demo-viewer".into())));
    assert!(app.upstream_members(None, Some(("host", "demo-web"))).await.contains(&("frank".into(), "viewer".into())));
    assert_eq!(app.upstream_changes().len(), 2, "exactly the two invitations: {:?}", app.upstream_changes());

    // bob holds roles in both places already: nothing is added, nothing changed.
    let planned = plan(&app, &lead, "bob", "carol").await;
    assert!(rows(&planned).iter().all(|(_, _, added)| !added), "{planned}");
    assert_eq!(planned["key"], "", "nothing to send");
    assert!(app
        .upstream_members(Some("demo"), None)
        .await
        .contains(&("bob".into(), before_bob.0.iter().find(|(u, _)| u == "bob").unwrap().1.clone())));
    assert!(before_bob.1.contains(&("bob".into(), "operator".into())));
    assert!(app.upstream_members(None, Some(("host", "demo-web"))).await.contains(&("bob".into(), "operator".into())));

    // Custom roles are skipped, with why.
    let planned = plan(&app, &lead, "dave", "grace").await;
    let skipped: Vec<&Value> =
        planned["rows"].as_array().unwrap().iter().filter(|r| r["outcome"].get("Skip").is_some()).collect();
    assert!(
        skipped
            .iter()
            .any(|r| r["role"] == "demo-auditor" && r["outcome"]["Skip"].as_str().unwrap().contains("custom role")),
        "{planned}"
    );
    assert!(skipped.iter().any(|r| r["role"] == "deployer"), "{planned}");
}

#[tokio::test]
async fn an_admin_role_needs_its_confirmation_and_a_changed_plan_must_be_reviewed_again() {
    let app = TestApp::start().await;
    let admin = app.login("admin").await;
    let planned = plan(&app, &admin, "frank", "lead").await;
    assert_eq!(planned["grants_admin"], true, "{planned}");
    let key = planned["key"].as_str().unwrap().to_owned();
    app.sim.sim.reset_journal();
    let fields = [("user", "frank"), ("reference", "lead"), ("key", key.as_str())];
    let (status, body) = app.submit(&admin, "apply_same_access", &fields).await;
    assert!(status.is_client_error() && body["detail"]["field"] == "confirm_admin", "{body}");
    let (status, _) =
        app.submit(&admin, "apply_same_access", &[("user", "frank"), ("reference", "lead"), ("key", "stale")]).await;
    assert!(status.is_client_error());
    assert!(app.upstream_changes().is_empty(), "nothing sent: {:?}", app.upstream_changes());
    let confirmed = [("user", "frank"), ("reference", "lead"), ("key", key.as_str()), ("confirm_admin", "yes")];
    assert_eq!(app.submit(&admin, "apply_same_access", &confirmed).await.0, StatusCode::OK);
    assert!(app.upstream_members(Some("demo"), None).await.contains(&("frank".into(), "demo-admin".into())));
}
