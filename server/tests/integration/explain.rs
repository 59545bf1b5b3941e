//! "Can this person do this here, and who can say yes?" (`/explain`): the console's verdicts
//! agree with KubeSphere. Member, role and project actions are tried upstream as the person;
//! for workloads, which the simulator does not serve, its `subjectaccessreviews` is the oracle.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::TestApp;

/// People with built-in roles only (grace's custom roles are checked apart).
const PEOPLE: [&str; 6] = ["alice", "bob", "carol", "lead", "frank", "admin"];
/// The workspace itself, and two of its projects on different clusters.
const PLACES: [Option<(&str, &str)>; 3] = [None, Some(("host", "demo-web")), Some(("member-1", "demo-ops"))];

async fn explain(app: &TestApp, cookie: &str, user: &str, place: Option<(&str, &str)>) -> Value {
    let (cluster, project) = place.unwrap_or_default();
    let fields = [
        ("question[user]", user),
        ("question[workspace]", "demo"),
        ("question[cluster]", cluster),
        ("question[project]", project),
    ];
    let (status, body) = app.submit(cookie, "explain_access", &fields).await;
    assert_eq!(status, StatusCode::OK, "{user} in {place:?}: {body}");
    body
}

/// Whether KubeSphere lets `token` do `ability` here: tried for real, in a way KubeSphere
/// refuses after authorizing it (so an allowed write changes nothing); only a 403 is a no.
async fn tried(app: &TestApp, token: &str, ability: &str, place: Option<(&str, &str)>) -> Option<bool> {
    let base = app.sim.base_url();
    let iam = "kapis/iam.kubesphere.io/v1beta1";
    let members = match place {
        None => format!("{base}/{iam}/workspaces/demo/workspacemembers"),
        Some((c, p)) => format!("{base}/clusters/{c}/{iam}/namespaces/{p}/namespacemembers"),
    };
    // A role that does not exist: KubeSphere authorizes first, then refuses it (404), so an
    // allowed invitation writes nothing (it does not check that the person exists).
    let nobody = json!({"username": "nobody-here", "roleRef": "no-such-role"});
    let http = reqwest::Client::new();
    let req = match ability {
        "ViewMembers" => http.get(&members),
        "InviteMembers" => http.post(&members).json(&json!([nobody])),
        "ChangeRoles" => http.put(format!("{members}/nobody-here")).json(&nobody),
        "CreateProjects" => http
            .post(format!("{base}/clusters/host/kapis/tenant.kubesphere.io/v1beta1/workspaces/demo/namespaces"))
            .json(&json!({})),
        _ => return None,
    };
    let status = req.bearer_auth(token).send().await.unwrap().status();
    Some(status != StatusCode::FORBIDDEN)
}

fn said_yes(answer: &Value) -> bool {
    answer["verdict"].get("Yes").is_some()
}

#[tokio::test]
async fn verdicts_agree_with_what_kubesphere_does_and_with_its_own_review() {
    let app = TestApp::start().await;
    let (admin, lead) = (app.login("admin").await, app.login("lead").await);
    for person in PEOPLE {
        let token = app.upstream_token(person).await;
        for place in PLACES {
            let seen_by_admin = explain(&app, &admin, person, place).await;
            assert_eq!(seen_by_admin["asked_kubesphere"], true);
            for answer in seen_by_admin["answers"].as_array().unwrap() {
                let ability = answer["ability"].as_str().unwrap();
                let yes = said_yes(answer);
                assert!(
                    answer["verdict"] == "No" || yes,
                    "{person} {ability} {place:?}: built-in roles only: {answer}"
                );
                let kubesphere = answer["kubesphere"]["allowed"].as_bool().expect("KubeSphere was asked");
                assert_eq!(yes, kubesphere, "{person} {ability} {place:?}: KubeSphere's review says {kubesphere}");
                if let Some(done) = tried(&app, &token, ability, place).await {
                    assert_eq!(yes, done, "{person} {ability} {place:?}: tried upstream, allowed = {done}");
                }
            }
            // A team lead gets the same verdicts, without KubeSphere's (only admins may ask it).
            let seen_by_lead = explain(&app, &lead, person, place).await;
            assert_eq!(seen_by_lead["asked_kubesphere"], false);
            let verdicts = |e: &Value| -> Vec<Value> {
                e["answers"].as_array().unwrap().iter().map(|a| a["verdict"].clone()).collect()
            };
            assert_eq!(verdicts(&seen_by_lead), verdicts(&seen_by_admin), "{person} {place:?}");
        }
    }
    assert!(app.upstream_members(None, Some(("host", "demo-web"))).await.iter().all(|(u, _)| u != "nobody-here"));
}

#[tokio::test]
async fn the_reason_names_the_membership_and_custom_roles_are_not_explained() {
    let (app, lead) = TestApp::start_as("lead").await;
    let bob = explain(&app, &lead, "bob", Some(("host", "demo-web"))).await;
    let by_ability = |e: &Value, ability: &str| {
        e["answers"].as_array().unwrap().iter().find(|a| a["ability"] == ability).unwrap()["verdict"].clone()
    };
    assert_eq!(
        by_ability(&bob, "DeployWorkloads"),
        json!({"Yes": {"level": "Project", "role": "operator", "inherited": false}})
    );
    assert_eq!(by_ability(&bob, "InviteMembers"), "No");
    let lead_self = explain(&app, &lead, "lead", Some(("member-1", "demo-ops"))).await;
    assert_eq!(
        by_ability(&lead_self, "DeployWorkloads"),
        json!({"Yes": {"level": "Workspace", "role": "demo-admin", "inherited": true}}),
        "their workspace role applies in this project"
    );
    let grace = explain(&app, &lead, "grace", Some(("host", "demo-web"))).await;
    assert_eq!(by_ability(&grace, "DeployWorkloads"), json!({"NotExplained": {"role": "deployer"}}));

    // Who can say yes: the project's admins, then the workspace's, then a platform admin.
    let project_admins: Vec<String> = app
        .upstream_members(None, Some(("host", "demo-web")))
        .await
        .into_iter()
        .filter(|(_, role)| role == "admin")
        .map(|(u, _)| u)
        .collect();
    let workspace_admins: Vec<String> = app
        .upstream_members(Some("demo"), None)
        .await
        .into_iter()
        .filter(|(_, role)| role == "demo-admin")
        .map(|(u, _)| u)
        .collect();
    assert_eq!(bob["project_admins"], json!(project_admins));
    assert_eq!(bob["workspace_admins"], json!(workspace_admins));
    assert!(!project_admins.is_empty() && !workspace_admins.is_empty());

    let page = app.get(&lead, "/explain?user=bob&workspace=demo&cluster=host&project=demo-web").await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    let at = |text: &str| page.find(text).unwrap_or_else(|| panic!("{text} in {page}"));
    assert!(at("The project's administrators") < at("The workspace's administrators"));
    assert!(at("The workspace's administrators") < at("A platform administrator"));
    assert!(page.contains("their project role operator"), "{page}");

    // A name that is not there is said at its field.
    let missing = app.get(&lead, "/explain?user=nobody-here&workspace=demo").await;
    let missing = missing.text().await.unwrap();
    assert!(
        missing.contains("aria-invalid=\"true\"") && missing.contains("KubeSphere has no such name here"),
        "{missing}"
    );
}
