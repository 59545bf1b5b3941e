//! The policy rules of KubeSphere's roles for what the simulator does not serve (workloads,
//! pods, services, config maps, secrets, …), as `subjectaccessreviews` evaluates them; routes
//! the simulator serves are judged by the capability table in `authz` instead.
//!
//! Read from kubesphere/kubesphere v4.1.3 `config/ks-core/templates/{roletemplates,
//! builtinroles,globalroles}.yaml`, matched as `pkg/apiserver/authorization/rbac/
//! evaluation_helpers.go` does. Only rules naming the modelled resources are kept, and the
//! real resource lists are cut down to them: KubeSphere's are longer (endpoints, jobs,
//! ingresses, persistentvolumeclaims, …), so those resources are allowed here only by
//! rules with `resources: ['*']`.

use crate::store::db::Db;
use crate::store::labels::{ANNOTATION_AUTO_AGGREGATE, ANNOTATION_CREATOR};
use crate::store::level::RoleLevel;
use crate::store::roles::Role;

use super::controllers::workspace_role_name;

/// One `rbacv1.PolicyRule` (no `resourceNames`: no modelled rule has them).
#[derive(Debug)]
pub(crate) struct PolicyRule {
    api_groups: &'static [&'static str],
    resources: &'static [&'static str],
    verbs: &'static [&'static str],
    non_resource_urls: &'static [&'static str],
}

const fn rule(
    api_groups: &'static [&'static str],
    resources: &'static [&'static str],
    verbs: &'static [&'static str],
) -> PolicyRule {
    PolicyRule { api_groups, resources, verbs, non_resource_urls: &[] }
}

const fn url_rule(urls: &'static [&'static str], verbs: &'static [&'static str]) -> PolicyRule {
    PolicyRule { api_groups: &[], resources: &[], verbs, non_resource_urls: urls }
}

/// What is asked: a resource request or a non-resource (URL) one.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Request<'a> {
    Resource {
        verb: &'a str,
        group: &'a str,
        resource: &'a str,
        subresource: &'a str,
        name: &'a str,
        namespace: &'a str,
        scope: &'a str,
    },
    NonResource {
        verb: &'a str,
        path: &'a str,
    },
}

const ANY: &[&str] = &["*"];
const READ: &[&str] = &["get", "list", "watch"];

/// A `*` role (`aggregationRoleTemplates` of every template): the chart gives these
/// (platform-admin, workspace `admin`, project `admin`) `*/*/*`.
const EVERYTHING: &[PolicyRule] = &[rule(ANY, ANY, ANY)];
/// platform-admin also has `nonResourceURLs: ['*']`.
const PLATFORM_ADMIN: &[PolicyRule] = &[rule(ANY, ANY, ANY), url_rule(ANY, ANY)];
/// The own rules of `project-viewer` and `workspace-viewer` (`builtinroles.yaml`).
const READ_EVERYTHING: &[PolicyRule] = &[rule(ANY, ANY, READ)];
/// The own rules of `project-operator`: read everything, anything in the workload groups and
/// a few more (not `iam.kubesphere.io`: no members, no roles). The chart has one rule over all
/// these groups; two here, so that the workload groups are written once.
const OPERATOR: &[PolicyRule] = &[
    rule(ANY, ANY, READ),
    rule(WORKLOAD_GROUPS, ANY, ANY),
    rule(
        &[
            "",
            "config.istio.io",
            "events.k8s.io",
            "events.kubesphere.io",
            "snapshot.storage.k8s.io",
            "networking.k8s.io",
        ],
        ANY,
        ANY,
    ),
];

/// `global-view-workspaces` / `global-manage-workspaces`, `workspace-view-projects` /
/// `workspace-manage-projects`: these resources in any group (cut). `pods/exec` comes first so
/// that `VIEWABLE_RESOURCES` can be the rest.
const TENANT_RESOURCES: &[&str] = &[
    "pods/exec",
    "configmaps",
    "secrets",
    "services",
    "deployments",
    "statefulsets",
    "daemonsets",
    "pods",
    "pods/log",
    "pods/containers",
];
/// `TENANT_RESOURCES` but `pods/exec`: what `workspace-view-projects` and
/// `namespace-view-app-workloads` read (the latter reads config maps and secrets too).
const VIEWABLE_RESOURCES: &[&str] = TENANT_RESOURCES.split_at(1).1;
const WORKLOAD_GROUPS: &[&str] = &[
    "apps",
    "extensions",
    "batch",
    "autoscaling",
    "app.k8s.io",
    "operations.kubesphere.io",
    "resources.kubesphere.io",
];
/// `namespace-manage-app-workloads` (cut).
const APP_WORKLOADS_MANAGE: &[&str] =
    &["services", "deployments", "statefulsets", "daemonsets", "pods", "pods/log", "pods/exec", "pods/containers"];

/// The API groups `global-manage-clusters` manages and `global-view-clusters` reads. The chart
/// gives the viewer one rule over these and `CLUSTER_VIEW_ONLY_GROUPS`; two rules here, so
/// that the shared groups are written once (rules are alternatives: the verdict is the same).
const CLUSTER_GROUPS: &[&str] = &[
    "",
    "apiextensions.k8s.io",
    "app.k8s.io",
    "apps",
    "autoscaling",
    "batch",
    "events.k8s.io",
    "extensions",
    "node.k8s.io",
    "scheduling.k8s.io",
    "storage.k8s.io",
    "storage.kubesphere.io",
    "resources.kubesphere.io",
    "cluster.kubesphere.io",
];
/// The groups only `global-view-clusters` names (it reads them; nothing manages them).
const CLUSTER_VIEW_ONLY_GROUPS: &[&str] = &[
    "config.istio.io",
    "events.kubesphere.io",
    "metrics.k8s.io",
    "networking.k8s.io",
    "rbac.istio.io",
    "security.istio.io",
];

/// The rules a template contributes (the simulator's template names; KubeSphere calls the
/// `project-*` ones `namespace-*`, and `project-*-workloads` `namespace-*-app-workloads`).
const TEMPLATE_RULES: &[(&str, &[PolicyRule])] = &[
    ("global-view-workspaces", &[rule(ANY, TENANT_RESOURCES, READ)]),
    ("global-manage-workspaces", &[rule(ANY, TENANT_RESOURCES, ANY)]),
    (
        "global-view-clusters",
        &[rule(CLUSTER_GROUPS, ANY, READ), rule(CLUSTER_VIEW_ONLY_GROUPS, ANY, READ), url_rule(ANY, &["GET"])],
    ),
    ("global-manage-clusters", &[rule(CLUSTER_GROUPS, ANY, ANY), url_rule(ANY, &["GET"])]),
    ("workspace-create-projects", &[rule(ANY, &["pods"], READ)]),
    ("workspace-view-projects", &[rule(ANY, VIEWABLE_RESOURCES, READ), rule(WORKLOAD_GROUPS, ANY, READ)]),
    ("workspace-manage-projects", &[rule(WORKLOAD_GROUPS, ANY, ANY), rule(ANY, TENANT_RESOURCES, ANY)]),
    ("project-manage-project-settings", EVERYTHING),
    ("project-view-workloads", &[rule(ANY, VIEWABLE_RESOURCES, READ)]),
    ("project-manage-workloads", &[rule(ANY, APP_WORKLOADS_MANAGE, ANY), rule(ANY, &["secrets"], &["list"])]),
    ("project-view-configmaps", &[rule(ANY, &["configmaps"], READ)]),
    ("project-manage-configmaps", &[rule(ANY, &["configmaps"], ANY)]),
    ("project-view-secrets", &[rule(ANY, &["secrets"], READ)]),
    ("project-manage-secrets", &[rule(ANY, &["secrets"], ANY)]),
];

/// The `rego-override` of `global-view-clusters` / `global-manage-clusters` (merged into the
/// roles that aggregate them): reads, resp. anything, at workspace, namespace or cluster scope.
fn template_rego_allows(name: &str, request: Request<'_>) -> bool {
    let Request::Resource { verb, scope, .. } = request else {
        return false;
    };
    let scoped = matches!(scope, "Workspace" | "Namespace" | "Cluster");
    match name {
        "global-manage-clusters" => scoped,
        "global-view-clusters" => scoped && READ.contains(&verb),
        _ => false,
    }
}

/// The own `rules` of a built-in role (beyond its templates'), recognised as the controllers
/// create them: creator `system`, auto-aggregated, a built-in name.
fn builtin_rules(db: &Db, role: &Role) -> &'static [PolicyRule] {
    let annotation = |key: &str| role.annotations.get(key).map(String::as_str);
    if annotation(ANNOTATION_CREATOR) != Some("system") || annotation(ANNOTATION_AUTO_AGGREGATE) != Some("true") {
        return &[];
    }
    match role.level {
        RoleLevel::Namespace => match role.name.as_str() {
            "operator" => OPERATOR,
            "viewer" => READ_EVERYTHING,
            _ => &[],
        },
        RoleLevel::Workspace => match role.workspace() {
            Some(ws) if role.name == workspace_role_name(db, ws, "viewer") => READ_EVERYTHING,
            _ => &[],
        },
        RoleLevel::Global => &[],
    }
}

fn matches(rule: &PolicyRule, request: Request<'_>) -> bool {
    let has = |list: &[&str], value: &str| list.iter().any(|v| *v == "*" || *v == value);
    match request {
        Request::Resource { verb, group, resource, subresource, .. } => {
            let combined =
                if subresource.is_empty() { resource.to_owned() } else { format!("{resource}/{subresource}") };
            // `ResourceMatches`: exact, `*`, or `*/{subresource}`.
            let resource_matches = rule.resources.iter().any(|r| {
                *r == "*" || *r == combined || (!subresource.is_empty() && r.strip_prefix("*/") == Some(subresource))
            });
            has(rule.verbs, verb) && has(rule.api_groups, group) && resource_matches
        }
        Request::NonResource { verb, path } => {
            let url_matches = rule
                .non_resource_urls
                .iter()
                .any(|u| *u == "*" || *u == path || u.strip_suffix('*').is_some_and(|prefix| path.starts_with(prefix)));
            has(rule.verbs, verb) && url_matches
        }
    }
}

/// Whether one of `role`'s rules (or its Rego) allows `request`.
pub(crate) fn role_allows(db: &Db, role: &Role, request: Request<'_>) -> bool {
    if role.grants("*") {
        let rules = if role.level == RoleLevel::Global { PLATFORM_ADMIN } else { EVERYTHING };
        return rules.iter().any(|r| matches(r, request));
    }
    builtin_rules(db, role).iter().any(|r| matches(r, request))
        || role.templates.iter().any(|t| template_rego_allows(t, request) || template_rules_allow(t, request))
}

/// Whether one of the rules of template `name` allows `request`.
fn template_rules_allow(name: &str, request: Request<'_>) -> bool {
    TEMPLATE_RULES.iter().filter(|(n, _)| *n == name).any(|(_, rules)| rules.iter().any(|r| matches(r, request)))
}

/// The chart's `authenticated` GlobalRole (bound to group `system:authenticated`): its rules
/// (no core template carries `aggregate-to-authenticated`) and its Rego.
pub(crate) fn authenticated_allows(user: &str, request: Request<'_>) -> bool {
    const RULES: &[PolicyRule] = &[
        rule(&["config.kubesphere.io"], &["configs", "platformconfigs"], &["get", "list"]),
        rule(&["iam.kubesphere.io"], &["users", "roletemplates", "categories"], &["list"]),
        rule(&["resources.kubesphere.io"], &["registry", "git"], &["get", "create"]),
        rule(&["resources.kubesphere.io"], &["clusters"], &["get", "list"]),
        rule(ANY, &["storageclasses", "storageclasscapabilities", "nodes"], &["get", "list"]),
        rule(&["resources.kubesphere.io"], &["namespaces", "services"], &["list"]),
        rule(&["tenant.kubesphere.io"], &["workspacetemplates"], &["patch"]),
        rule(&["extensions.kubesphere.io"], &["jsbundles", "extensionentries"], &["get", "list"]),
        rule(&["kubesphere.io"], &["extensions"], &["get", "list"]),
        rule(
            &["application.kubesphere.io"],
            &["apps", "categories", "apps/versions", "applications"],
            &["get", "list"],
        ),
        rule(&["cluster.kubesphere.io"], &["labels"], &["get", "list"]),
        url_rule(&["/static/images/*"], &["GET"]),
    ];
    RULES.iter().any(|r| matches(r, request)) || authenticated_rego_allows(user, request)
}

/// `iam.kubesphere.io/rego-override` of `authenticated`. A review never is a Kubernetes request
/// (`KubernetesRequest` stays false), so every tenant read passes.
fn authenticated_rego_allows(user: &str, request: Request<'_>) -> bool {
    match request {
        Request::Resource { verb, group, resource, subresource, name, namespace, scope: _ } => {
            let read = READ.contains(&verb);
            (resource == "users" && name == user)
                || (matches!(resource, "clustermembers" | "workspacemembers" | "namespacemembers")
                    && name == user
                    && read)
                || (group == "tenant.kubesphere.io" && read)
                || (resource == "pods"
                    && subresource == "exec"
                    && matches!(verb, "get" | "create")
                    && namespace == "kubesphere-system"
                    && name.strip_prefix("ks-managed-kubectl-") == Some(user))
        }
        Request::NonResource { verb, path } => verb == "GET" && matches!(path, "/api" | "/api/v1"),
    }
}

/// The chart's `anonymous` GlobalRole (group `system:unauthenticated`).
pub(crate) fn anonymous_allows(request: Request<'_>) -> bool {
    const RULES: &[PolicyRule] =
        &[rule(&["config.kubesphere.io"], &["configs"], &["get", "list"]), url_rule(&["/static/images/*"], &["GET"])];
    RULES.iter().any(|r| matches(r, request))
}

/// The chart's `pre-registration` GlobalRole.
pub(crate) fn pre_registration_allows(request: Request<'_>) -> bool {
    matches(&rule(&["iam.kubesphere.io"], &["users"], &["create", "list"]), request)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource<'a>(verb: &'a str, group: &'a str, resource: &'a str, subresource: &'a str) -> Request<'a> {
        Request::Resource { verb, group, resource, subresource, name: "", namespace: "ns", scope: "Namespace" }
    }

    #[test]
    fn rules_match_as_kubernetes_rbac_does() {
        let viewer = rule(ANY, &["pods", "*/log"], READ);
        assert!(matches(&viewer, resource("get", "", "pods", "")));
        assert!(matches(&viewer, resource("get", "", "deployments", "log")), "*/subresource");
        assert!(!matches(&viewer, resource("get", "", "pods", "exec")), "pods does not cover pods/exec");
        assert!(!matches(&viewer, resource("create", "", "pods", "")));
        let images = url_rule(&["/static/images/*"], &["GET"]);
        assert!(matches(&images, Request::NonResource { verb: "GET", path: "/static/images/a.png" }));
        assert!(!matches(&images, Request::NonResource { verb: "get", path: "/static/images/a.png" }));
        assert!(!matches(&images, resource("GET", "", "images", "")));
    }

    #[test]
    fn templates_sharing_a_list_keep_their_own_reach() {
        let allows = template_rules_allow;
        // `workspace-view-projects` reads what `global-view-workspaces` reads, but `pods/exec`.
        assert!(allows("global-view-workspaces", resource("get", "", "pods", "exec")));
        assert!(!allows("workspace-view-projects", resource("get", "", "pods", "exec")));
        assert!(allows("workspace-view-projects", resource("get", "", "pods", "log")));
        assert!(allows("workspace-view-projects", resource("list", "", "secrets", "")));
        assert!(allows("project-view-workloads", resource("get", "", "pods", "log")));
        assert!(allows("project-view-workloads", resource("list", "", "configmaps", "")));
        assert!(!allows("project-view-workloads", resource("get", "", "pods", "exec")));
        // `global-view-clusters` reads more groups than `global-manage-clusters` manages.
        assert!(allows("global-view-clusters", resource("list", "metrics.k8s.io", "nodes", "")));
        assert!(!allows("global-manage-clusters", resource("list", "metrics.k8s.io", "nodes", "")));
        assert!(allows("global-manage-clusters", resource("delete", "apps", "deployments", "")));
        assert!(allows("global-view-clusters", resource("list", "apps", "deployments", "")));
        assert!(!allows("global-view-clusters", resource("delete", "apps", "deployments", "")));
        // `project-operator` changes anything in the workload groups and its other groups.
        let operator = |request| OPERATOR.iter().any(|r| matches(r, request));
        assert!(operator(resource("delete", "apps", "deployments", "")));
        assert!(operator(resource("create", "networking.k8s.io", "ingresses", "")));
        assert!(operator(resource("patch", "", "configmaps", "")));
        assert!(!operator(resource("create", "iam.kubesphere.io", "rolebindings", "")));
        assert!(operator(resource("list", "iam.kubesphere.io", "rolebindings", "")));
    }
}
