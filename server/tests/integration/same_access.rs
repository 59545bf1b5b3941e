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
    let (app, lead) = TestApp::start_as("lead").await;
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
    let (app, admin) = TestApp::start_as("admin").await;
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

/// The wizard's "Same access as": a new person (created by an admin) or an existing one (by a
/// team lead) gets the reference's built-in memberships after the form's own rows, reviewed
/// first; custom roles are listed as not copied; a role the person holds is not changed.
#[tokio::test]
async fn the_wizard_copies_a_reference_after_its_own_rows() {
    let app = TestApp::start().await;
    let onboard = |cookie: String, step: &'static str, fields: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let mut form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            form.push(("step", step));
            app.post_page(&cookie, "/onboard", &form).await
        }
    };

    // An admin creates "newbie" with the same access as grace, whose two roles are custom: both
    // are listed as not copied.
    let admin = app.login("admin").await;
    let (_, review) =
        onboard(admin.clone(), "review", vec![("username", "newbie".into()), ("same_as", "grace".into())]).await;
    assert_eq!(review.matches("is a custom role, not copied").count(), 2, "{review}");
    assert!(app.upstream_changes().is_empty(), "a review sends nothing");

    // ... and "carla" with carol's: exactly carol's memberships, her admin roles confirmed.
    let fields = vec![
        ("username", "carla".to_owned()),
        ("email", "carla@example.com".to_owned()),
        ("same_as", "carol".to_owned()),
    ];
    let (_, review) = onboard(admin.clone(), "review", fields.clone()).await;
    let mut apply = fields.clone();
    apply.push(("reviewed", crate::common::reviewed(&review)));
    let (_, unconfirmed) = onboard(admin.clone(), "apply", apply.clone()).await;
    assert!(unconfirmed.contains("Confirm the admin roles"), "{unconfirmed}");
    assert!(app.upstream_changes().is_empty(), "nothing sent without the confirmation");
    apply.push(("confirm_admin", "yes".into()));
    let (_, done) = onboard(admin.clone(), "apply", apply).await;
    assert!(!done.contains("Failed"), "{done}");
    let carol = app.upstream_memberships_of("carol").await;
    assert!(carol.len() >= 4, "{carol:?}");
    assert_eq!(app.upstream_memberships_of("carla").await, carol);

    // The lead gives bob carol's access: bob's own roles in demo and demo-web stay as they are.
    let lead = app.login("lead").await;
    let before = app.upstream_memberships_of("bob").await;
    app.sim.sim.reset_journal();
    let fields = vec![("username", "bob".to_owned()), ("same_as", "carol".to_owned())];
    let (_, review) = onboard(lead.clone(), "review", fields.clone()).await;
    let mut apply = fields;
    apply.push(("reviewed", crate::common::reviewed(&review)));
    onboard(lead.clone(), "apply", apply).await;
    assert!(app.upstream_changes().is_empty(), "{:?}", app.upstream_changes());
    assert_eq!(app.upstream_memberships_of("bob").await, before);

    // The reference must be someone else, and hold something the lead can see.
    let (status, html) =
        onboard(lead.clone(), "review", vec![("username", "bob".into()), ("same_as", "bob".into())]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("Choose someone else"), "{html}");
    let (status, html) =
        onboard(lead, "review", vec![("username", "frank".into()), ("same_as", "nobody-here".into())]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("holds no workspace or project role that you can see"), "{html}");
}
