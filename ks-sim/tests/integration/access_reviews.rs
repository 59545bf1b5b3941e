//! `POST …/subjectaccessreviews` (§3.10 item 4): verdicts and reasons as KubeSphere's RBAC
//! authorizer words them, only platform admins may ask, and malformed bodies are 400 text.
#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};

use crate::common::{TestSim, IAM, USERS};

const SAR: &str = "/kapis/iam.kubesphere.io/v1beta1/subjectaccessreviews";

fn review(user: &str, attributes: Value) -> Value {
    json!({
        "apiVersion": "iam.kubesphere.io/v1beta1",
        "kind": "SubjectAccessReview",
        "spec": {"user": user, "resourceAttributes": attributes},
    })
}

/// Asks as admin (under `prefix`, e.g. `/clusters/member-1`), returning `status`.
async fn ask(sim: &TestSim, prefix: &str, body: Value) -> Value {
    let admin = sim.access_token("admin").await;
    let res = sim.call("POST", &format!("{prefix}{SAR}"), Some(&admin), Some(body)).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert!(res.content_type.starts_with("application/json"));
    res.json()["status"].clone()
}

fn deployments(verb: &str, namespace: &str) -> Value {
    json!({"namespace": namespace, "verb": verb, "group": "apps", "version": "v1", "resource": "deployments"})
}

#[tokio::test]
async fn a_project_viewer_may_look_at_deployments_but_not_deploy() {
    let sim = TestSim::start().await;
    let admin = sim.access_token("admin").await;
    let members = format!("{IAM}/namespaces/demo-web/namespacemembers");
    let grant = json!([{"username": "frank", "roleRef": "viewer"}]);
    assert_eq!(sim.call("POST", &members, Some(&admin), Some(grant)).await.status, 200);

    // The whole answer: the review echoed (no metadata), its status filled in.
    let res = sim.call("POST", SAR, Some(&admin), Some(review("frank", deployments("create", "demo-web")))).await;
    assert_eq!(
        res.json(),
        json!({
            "apiVersion": "iam.kubesphere.io/v1beta1",
            "kind": "SubjectAccessReview",
            "spec": {"user": "frank", "resourceAttributes":
                {"namespace": "demo-web", "verb": "create", "group": "apps", "version": "v1", "resource": "deployments"}},
            "status": {"allowed": false},
        }),
        "a denial has no reason and no `denied`"
    );
    let status = ask(&sim, "", review("frank", deployments("list", "demo-web"))).await;
    assert_eq!(
        status,
        json!({"allowed": true, "reason": "RBAC: allowed by RoleBinding \"frank-viewer/demo-web\" of Role \"viewer\" to User \"frank\""})
    );
    // The viewer's own rules read everything in the project, not only the templates' resources.
    let jobs = json!({"namespace": "demo-web", "verb": "get", "group": "batch", "resource": "jobs", "name": "j"});
    assert_eq!(ask(&sim, "", review("frank", jobs)).await["allowed"], true);
    // carol is a project viewer too, but the walk reaches her workspace binding first.
    let status = ask(&sim, "", review("carol", deployments("get", "demo-web"))).await;
    assert_eq!(
        status["reason"],
        "RBAC: allowed by GlobalRoleBinding \"carol-demo-viewer\" of WorkspaceRole \"demo-viewer\" to User \"carol\""
    );
    // Elsewhere frank holds nothing.
    assert_eq!(ask(&sim, "", review("frank", deployments("list", "team-b-data"))).await, json!({"allowed": false}));
}

#[tokio::test]
async fn an_operator_deploys_but_does_not_manage_members() {
    let sim = TestSim::start().await;
    let status = ask(&sim, "", review("bob", deployments("create", "demo-web"))).await;
    assert_eq!(
        status["reason"],
        "RBAC: allowed by RoleBinding \"bob-operator/demo-web\" of Role \"operator\" to User \"bob\""
    );
    let secret = json!({"namespace": "demo-web", "verb": "update", "resource": "secrets", "name": "s"});
    assert_eq!(ask(&sim, "", review("bob", secret)).await["allowed"], true);
    let member = json!({"namespace": "demo-web", "verb": "create", "group": "iam.kubesphere.io", "resource": "namespacemembers"});
    assert_eq!(ask(&sim, "", review("bob", member)).await, json!({"allowed": false}));
    // bob regular in demo: no workloads in demo's other projects.
    assert_eq!(ask(&sim, "", review("bob", deployments("get", "demo-api"))).await["allowed"], false);
}

#[tokio::test]
async fn a_workspace_admin_may_do_everything_in_the_workspaces_projects() {
    let sim = TestSim::start().await;
    let expected = json!({
        "allowed": true,
        "reason": "RBAC: allowed by GlobalRoleBinding \"lead-demo-admin\" of WorkspaceRole \"demo-admin\" to User \"lead\"",
    });
    assert_eq!(ask(&sim, "", review("lead", deployments("create", "demo-web"))).await, expected);
    let member = json!({"namespace": "demo-web", "verb": "delete", "group": "iam.kubesphere.io",
        "resource": "namespacemembers", "name": "bob"});
    assert_eq!(ask(&sim, "", review("lead", member)).await, expected);
    // demo-ops lives on member-1: the host finds no such namespace, hence no workspace.
    assert_eq!(ask(&sim, "", review("lead", deployments("create", "demo-ops"))).await, json!({"allowed": false}));
    assert_eq!(ask(&sim, "/clusters/member-1", review("lead", deployments("create", "demo-ops"))).await, expected);
    // Workspace scope without a namespace.
    let ws =
        json!({"workspace": "demo", "verb": "create", "group": "iam.kubesphere.io", "resource": "workspacemembers"});
    assert_eq!(ask(&sim, "", review("lead", ws)).await, expected);
    // A platform admin may do anything anywhere.
    let status = ask(&sim, "", review("admin", deployments("delete", "team-b-data"))).await;
    assert_eq!(
        status["reason"],
        "RBAC: allowed by GlobalRoleBinding \"admin-platform-admin\" of GlobalRole \"platform-admin\" to User \"admin\""
    );
}

#[tokio::test]
async fn only_platform_admins_may_ask() {
    let sim = TestSim::start().await;
    let body = review("frank", deployments("get", "demo-web"));
    for user in ["alice", "bob", "lead", "grace"] {
        let token = sim.access_token(user).await;
        let res = sim.call("POST", SAR, Some(&token), Some(body.clone())).await;
        res.assert_forbidden_json();
        assert_eq!(
            res.json()["message"],
            format!(
                "subjectaccessreviews.iam.kubesphere.io is forbidden: User \"{user}\" cannot create resource \
                 \"subjectaccessreviews\" in API group \"iam.kubesphere.io\" at the cluster scope"
            )
        );
    }
    sim.call("POST", SAR, None, Some(body.clone())).await.assert_forbidden_json();
    // ... and the review itself says the same.
    let sar = json!({"verb": "create", "group": "iam.kubesphere.io", "resource": "subjectaccessreviews"});
    assert_eq!(ask(&sim, "", review("bob", sar.clone())).await, json!({"allowed": false}));
    assert_eq!(ask(&sim, "", review("admin", sar)).await["allowed"], true);
}

#[tokio::test]
async fn malformed_bodies_are_400_text() {
    let sim = TestSim::start().await;
    let admin = sim.access_token("admin").await;
    let post = |body: Value| {
        let admin = admin.clone();
        let sim = &sim;
        async move { sim.call("POST", SAR, Some(&admin), Some(body)).await }
    };
    post(json!([1]))
        .await
        .assert_text(400, "json: cannot unmarshal array into Go value of type map[string]interface {}");
    post(json!({"spec": "frank"})).await.assert_text(400, "cannot restore struct from: string");
    post(json!({"spec": {"groups": "system:authenticated"}}))
        .await
        .assert_text(400, "cannot restore slice from string");
    post(json!({"spec": {"user": true}})).await.assert_text(400, "unrecognized type: string");
    post(json!({"items": ["x"]})).await.assert_text(400, "cannot restore struct from: string");
    let res = sim
        .http
        .post(sim.url(SAR))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body("{\"spec\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let res = sim.http.post(sim.url(SAR)).bearer_auth(&admin).body("{}").send().await.unwrap();
    assert_eq!(
        (res.status().as_u16(), res.text().await.unwrap()),
        (400, "Unable to unmarshal content of type:\n".into())
    );
    // Numbers pass as strings, unknown fields vanish; a list is answered item by item.
    let body =
        json!({"metadata": {"name": "x"}, "spec": {"user": 7, "nonResourceAttributes": {"path": "/x", "verb": "GET"}}});
    assert_eq!(
        post(body).await.json(),
        json!({"spec": {"user": "7", "nonResourceAttributes": {"path": "/x", "verb": "GET"}}, "status": {"allowed": false}})
    );
    let list =
        json!({"kind": "SubjectAccessReviewList", "items": [review("lead", deployments("get", "demo-web")), null]});
    let answer = post(list).await.json();
    assert_eq!(answer["metadata"], json!({}));
    assert_eq!(answer["items"][0]["status"]["allowed"], true);
    assert_eq!(answer["items"][1], json!({"spec": {}, "status": {"allowed": false}}));
    assert_eq!(post(json!({"items": []})).await.json(), json!({"metadata": {}, "items": null}));
}

/// Allowed by the authorization filter (anything but a 403 Status JSON).
async fn filter_allows(sim: &TestSim, user: &str, method: &str, path: &str) -> bool {
    let token = sim.access_token(user).await;
    // A body no handler accepts: the filter decides, nothing is written.
    let body = (method != "GET").then(|| json!("x"));
    let res = sim.call(method, path, Some(&token), body).await;
    !(res.status == 403 && res.content_type.starts_with("application/json"))
}

/// A request on a collection in a workspace or namespace (`scope` = kind, name), with the
/// review attributes that ask the same: GET lists, POST creates.
fn collection(method: &'static str, group: &str, scope: (&str, &str), resource: &str) -> (&'static str, String, Value) {
    let (kind, name) = scope;
    let verb = if method == "GET" { "list" } else { "create" };
    let path = format!("/kapis/{group}/v1beta1/{kind}s/{name}/{resource}");
    (method, path, json!({kind: name, "verb": verb, "group": group, "resource": resource}))
}

#[tokio::test]
async fn verdicts_on_members_roles_and_projects_are_what_the_filter_decides() {
    let sim = TestSim::start().await;
    let iam = "iam.kubesphere.io";
    let cases = [
        collection("GET", iam, ("namespace", "demo-web"), "namespacemembers"),
        collection("POST", iam, ("namespace", "demo-web"), "namespacemembers"),
        collection("GET", iam, ("namespace", "demo-web"), "roles"),
        collection("POST", iam, ("namespace", "demo-web"), "roles"),
        collection("GET", iam, ("workspace", "demo"), "workspacemembers"),
        collection("POST", iam, ("workspace", "demo"), "workspacemembers"),
        collection("POST", iam, ("workspace", "demo"), "workspaceroles"),
        collection("POST", "tenant.kubesphere.io", ("workspace", "demo"), "namespaces"),
        (
            "GET",
            format!("{USERS}/bob"),
            json!({"verb": "get", "group": iam, "resource": "users", "name": "bob", "resourceScope": "Global"}),
        ),
        (
            "POST",
            USERS.to_owned(),
            json!({"verb": "create", "group": iam, "resource": "users", "resourceScope": "Global"}),
        ),
    ];
    let mut seen = [0, 0];
    for user in ["admin", "alice", "bob", "carol", "lead", "frank", "grace"] {
        for (method, path, attributes) in &cases {
            let mut body = review(user, attributes.clone());
            body["spec"]["groups"] = json!(["system:authenticated"]);
            let verdict = ask(&sim, "", body).await["allowed"].as_bool().unwrap();
            assert_eq!(verdict, filter_allows(&sim, user, method, path).await, "{user} {method} {path}");
            seen[usize::from(verdict)] += 1;
        }
    }
    assert!(seen[0] > 10 && seen[1] > 10, "both verdicts are exercised: {seen:?}");
}
