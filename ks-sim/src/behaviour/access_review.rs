//! `subjectaccessreviews` (§3.10 item 4): KubeSphere's RBAC authorizer asked about someone
//! (`pkg/kapis/iam/v1beta1/handler.go` `handleSingle`/`prepareAttribute`,
//! `pkg/apiserver/authorization/rbac/rbac.go` `Authorize`/`visitRulesFor`).
//!
//! The walk is the authorization filter's (global bindings; then, unless the scope is
//! `Global`, the workspace's — a namespace's via its workspace label — and the namespace's),
//! visited binding by binding because the answer names the first binding that allows. What a
//! role allows comes from where real requests are judged: the capability table of `authz`
//! for the routes the simulator serves, the roles' rules (`rbac_rules`) for everything else.

use super::authz::{self, RequestInfo, ResourceInfo, Rule};
use super::rbac_rules::{self, Request};
use crate::store::bindings::Binding;
use crate::store::db::Db;
use crate::store::level::RoleLevel;
use crate::store::roles::Role;

/// `spec.resourceAttributes`; empty strings are unset fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ResourceAttributes {
    pub resource_scope: String,
    pub workspace: String,
    pub namespace: String,
    pub verb: String,
    pub group: String,
    pub version: String,
    pub resource: String,
    pub subresource: String,
    pub name: String,
}

/// `spec.nonResourceAttributes`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct NonResourceAttributes {
    pub path: String,
    pub verb: String,
}

/// What `prepareAttribute` makes of a review's spec.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Question<'a> {
    pub user: &'a str,
    pub groups: &'a [String],
    /// `resourceAttributes`, which win over `nonResourceAttributes`; with neither, a
    /// non-resource request with empty verb and path.
    pub resource: Option<&'a ResourceAttributes>,
    pub non_resource: Option<&'a NonResourceAttributes>,
}

/// `status`: `Authorize` only ever allows or has no opinion (`denied` stays false), and gives
/// a reason only when it allows (resolution errors cannot happen here: missing roles and
/// namespaces are empty, as in `am.go`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Verdict {
    pub allowed: bool,
    pub reason: String,
}

/// What one role is checked for.
struct Ask<'a> {
    user: &'a str,
    request: Request<'a>,
    /// The capability-table rule for resource requests.
    rule: Option<Rule>,
}

impl Ask<'_> {
    /// Whether `role`, bound at `level`, allows the request. Served routes with a table rule
    /// follow the table (a `*` role holds every template); everything else the role's rules.
    fn role_allows(&self, db: &Db, role: Option<&Role>, level: RoleLevel) -> bool {
        // A binding to a missing role has no rules (`GetRoleReferenceRules`).
        let Some(role) = role else {
            return false;
        };
        match self.rule {
            Some(Rule::Walk(need)) => role.grants("*") || role.grants_any(need.at(level)),
            _ => rbac_rules::role_allows(db, role, self.request),
        }
    }

    /// The first of the chart's group bindings (`globalrolebindings.yaml`, in its order)
    /// that applies and allows: (binding and role name, subject kind, subject name).
    fn group_binding(&self, groups: &[String]) -> Option<(&'static str, &'static str, &'static str)> {
        let member = |g: &str| groups.iter().any(|x| x == g);
        if member("system:unauthenticated") && rbac_rules::anonymous_allows(self.request) {
            return Some(("anonymous", "Group", "system:unauthenticated"));
        }
        // Every route the table grants to everyone is the `authenticated` role's.
        let everyone = matches!(self.rule, Some(Rule::Everyone));
        if member("system:authenticated") && (everyone || rbac_rules::authenticated_allows(self.user, self.request)) {
            return Some(("authenticated", "Group", "system:authenticated"));
        }
        if rbac_rules::pre_registration_allows(self.request) {
            // Its subjects: group `pre-registration`, then user `system:pre-registration`.
            if member("pre-registration") {
                return Some(("pre-registration", "Group", "pre-registration"));
            }
            if self.user == "system:pre-registration" {
                return Some(("pre-registration", "User", "system:pre-registration"));
            }
        }
        None
    }
}

/// Go's `%q` for the names KubeSphere allows (Rust's `{:?}` differs only for control
/// characters).
fn q(s: &str) -> String {
    format!("{s:?}")
}

/// `RBAC: allowed by …` as the describers write it. The workspace describer calls its
/// bindings `GlobalRoleBinding` (`workspaceRoleBindingDescriber.String` in rbac.go).
fn allowed_by(binding: &Binding) -> String {
    let (kind, name) = match binding.level() {
        RoleLevel::Global | RoleLevel::Workspace => ("GlobalRoleBinding", binding.name.clone()),
        RoleLevel::Namespace => {
            ("RoleBinding", format!("{}/{}", binding.name, binding.namespace.as_deref().unwrap_or_default()))
        }
    };
    format!(
        "RBAC: allowed by {kind} {} of {} {} to User {}",
        q(&name),
        binding.level().kind(),
        q(&binding.role),
        q(&binding.user)
    )
}

fn allow(reason: String) -> Verdict {
    Verdict { allowed: true, reason }
}

/// The table's view of a resource question (the request info a path would have given).
fn table_rule(user: &str, r: &ResourceAttributes) -> Rule {
    let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    let resource = ResourceInfo {
        api_group: r.group.clone(),
        workspace: some(&r.workspace),
        namespace: some(&r.namespace),
        resource: r.resource.clone(),
        name: some(&r.name),
        subresource: some(&r.subresource),
    };
    let info = RequestInfo { verb: r.verb.clone(), path: String::new(), resource: Some(resource.clone()) };
    authz::rule(&info, &resource, user)
}

/// `Authorize` for a review, evaluated in `cluster` (the one the path addressed).
pub(crate) fn review(db: &Db, cluster: &str, question: Question<'_>) -> Verdict {
    let user = question.user;
    let empty = NonResourceAttributes::default();
    // `prepareAttribute`: a namespace makes it Namespace scope, else a workspace Workspace
    // scope, else the given `resourceScope`; non-resource requests have no scope.
    let (request, rule, scope, workspace_of_scope, namespace) = match question.resource {
        Some(r) => {
            let scope = if !r.namespace.is_empty() {
                "Namespace"
            } else if !r.workspace.is_empty() {
                "Workspace"
            } else {
                r.resource_scope.as_str()
            };
            let request = Request::Resource {
                verb: &r.verb,
                group: &r.group,
                resource: &r.resource,
                subresource: &r.subresource,
                name: &r.name,
                namespace: &r.namespace,
                scope,
            };
            let workspace = match scope {
                "Namespace" => db.namespace_workspace(cluster, &r.namespace),
                "Workspace" => Some(r.workspace.clone()),
                _ => None,
            };
            let namespace = (scope == "Namespace").then_some(r.namespace.as_str());
            (request, Some(table_rule(user, r)), scope, workspace, namespace)
        }
        None => {
            let n = question.non_resource.unwrap_or(&empty);
            (Request::NonResource { verb: &n.verb, path: &n.path }, None, "", None, None)
        }
    };
    let ask = Ask { user, request, rule };

    // Global bindings: the user's own, then the chart's group bindings (the real order is the
    // informer cache's, unspecified).
    for b in db.global_role_bindings.iter().filter(|b| b.user == user) {
        if ask.role_allows(db, db.global_roles.get(&b.role), RoleLevel::Global) {
            return allow(allowed_by(b));
        }
    }
    if let Some((name, kind, subject)) = ask.group_binding(question.groups) {
        let (name, subject) = (q(name), q(subject));
        return allow(format!("RBAC: allowed by GlobalRoleBinding {name} of GlobalRole {name} to {kind} {subject}"));
    }
    if scope == "Global" {
        return Verdict { allowed: false, reason: String::new() };
    }
    if let Some(ws) = workspace_of_scope.filter(|ws| !ws.is_empty()) {
        for b in db.workspace_role_bindings.iter().filter(|b| b.user == user && b.workspace.as_deref() == Some(&ws)) {
            if ask.role_allows(db, db.workspace_roles.get(&b.role), RoleLevel::Workspace) {
                return allow(allowed_by(b));
            }
        }
    }
    if let Some(ns) = namespace {
        let here = |b: &&Binding| {
            b.user == user && b.cluster.as_deref() == Some(cluster) && b.namespace.as_deref() == Some(ns)
        };
        for b in db.role_bindings.iter().filter(here) {
            if ask.role_allows(db, db.project_role(cluster, ns, &b.role), RoleLevel::Namespace) {
                return allow(allowed_by(b));
            }
        }
    }
    // ClusterRoleBindings come last in KubeSphere; cluster roles are not modelled.
    Verdict { allowed: false, reason: String::new() }
}
