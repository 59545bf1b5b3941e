//! Request info (§1.4) and the authorization filter's decision (§6): the capability table is
//! written in role-template names, the same ones `roletemplates` reports to users.

use http::Method;

use super::authn::Caller;
use crate::store::db::Db;
use crate::store::level::RoleLevel;

/// Paths that skip authorization (not authentication), §1.3.
pub(crate) fn is_authz_exempt(path: &str) -> bool {
    const PREFIXES: &[&str] = &["/oauth/", "/dist/"];
    const EXACT: &[&str] = &[
        "/.well-known/openid-configuration",
        "/version",
        "/metrics",
        "/livez",
        "/healthz",
        "/openapi/v2",
        "/openapi/v3",
    ];
    PREFIXES.iter().any(|p| path.starts_with(p)) || EXACT.contains(&path)
}

/// A `/kapis|/apis|/api` resource request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResourceInfo {
    pub api_group: String,
    pub workspace: Option<String>,
    pub namespace: Option<String>,
    pub resource: String,
    pub name: Option<String>,
    pub subresource: Option<String>,
}

/// What a request asks to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RequestInfo {
    pub verb: String,
    pub path: String,
    pub resource: Option<ResourceInfo>,
}

impl RequestInfo {
    /// Parses a path whose cluster prefix has already been removed.
    pub fn parse(method: &Method, path: &str) -> Self {
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let resource = parse_resource(&segments);
        let verb = match (method, &resource) {
            (&Method::GET | &Method::HEAD, Some(r)) if r.name.is_none() => "list",
            (&Method::GET | &Method::HEAD, _) => "get",
            (&Method::POST, Some(_)) => "create",
            (&Method::PUT, Some(_)) => "update",
            (&Method::PATCH, Some(_)) => "patch",
            (&Method::DELETE, Some(r)) if r.name.is_none() => "deletecollection",
            (&Method::DELETE, Some(_)) => "delete",
            (m, _) => return RequestInfo { verb: m.as_str().to_ascii_lowercase(), path: path.to_owned(), resource },
        };
        RequestInfo { verb: verb.to_owned(), path: path.to_owned(), resource }
    }
}

fn parse_resource(segments: &[&str]) -> Option<ResourceInfo> {
    let (group, rest) = match segments {
        ["kapis" | "apis", group, _version, rest @ ..] => (*group, rest),
        ["api", _version, rest @ ..] => ("", rest),
        _ => return None,
    };
    let mut rest = rest;
    let mut workspace = None;
    let mut namespace = None;
    if let [first, ws, tail @ ..] = rest {
        if matches!(*first, "workspaces" | "workspacetemplates") {
            workspace = Some((*ws).to_owned());
            if !tail.is_empty() {
                rest = tail;
            }
        }
    }
    if let [first, ns, tail @ ..] = rest {
        if *first == "namespaces" {
            namespace = Some((*ns).to_owned());
            if !tail.is_empty() {
                rest = tail;
            }
        }
    }
    let resource = rest.first()?;
    Some(ResourceInfo {
        api_group: group.to_owned(),
        workspace,
        namespace: namespace.filter(|_| *resource != "namespaces"),
        resource: (*resource).to_owned(),
        name: rest.get(1).map(|s| (*s).to_owned()),
        subresource: rest.get(2).map(|s| (*s).to_owned()),
    })
}

/// Which role templates allow a request, per level of the scope walk (§1.4). A role with
/// `*` matches any non-empty list.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Need {
    pub global: &'static [&'static str],
    pub workspace: &'static [&'static str],
    pub namespace: &'static [&'static str],
}

impl Need {
    /// The templates that allow the request at `level`.
    pub fn at(&self, level: RoleLevel) -> &'static [&'static str] {
        match level {
            RoleLevel::Global => self.global,
            RoleLevel::Workspace => self.workspace,
            RoleLevel::Namespace => self.namespace,
        }
    }
}

/// The authorization outcome before the scope walk.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Rule {
    /// Granted to every authenticated user (the built-in `authenticated` role).
    Everyone,
    Walk(Need),
    /// A resource the simulator does not serve: the filter lets it through to the router (and
    /// its 404/405); `subjectaccessreviews` judges it by the roles' rules (`rbac_rules`).
    NotServed,
}

const VIEW_USERS: &[&str] = &["global-view-users", "global-manage-users"];
const MANAGE_USERS: &[&str] = &["global-manage-users"];
const VIEW_WORKSPACES: &[&str] = &["global-view-workspaces", "global-manage-workspaces"];
const MANAGE_WORKSPACES: &[&str] = &["global-manage-workspaces"];
const CREATE_WORKSPACES: &[&str] = &["global-create-workspaces", "global-manage-workspaces"];
const VIEW_GLOBAL_ROLES: &[&str] = &["global-view-roles", "global-manage-roles"];
const MANAGE_GLOBAL_ROLES: &[&str] = &["global-manage-roles"];
const MANAGE_CLUSTERS: &[&str] = &["global-manage-clusters"];
const WS_VIEW_MEMBERS: &[&str] = &["workspace-view-members", "workspace-manage-members"];
const WS_MANAGE_MEMBERS: &[&str] = &["workspace-manage-members"];
const WS_VIEW_ROLES: &[&str] = &["workspace-view-roles", "workspace-manage-roles"];
const WS_MANAGE_ROLES: &[&str] = &["workspace-manage-roles"];
const WS_VIEW_PROJECTS: &[&str] = &["workspace-view-projects", "workspace-manage-projects"];
const WS_MANAGE_PROJECTS: &[&str] = &["workspace-manage-projects"];
const WS_CREATE_PROJECTS: &[&str] = &["workspace-create-projects", "workspace-manage-projects"];
const WS_MANAGE_SETTINGS: &[&str] = &["workspace-manage-workspace-settings"];
const NS_VIEW_MEMBERS: &[&str] = &["project-view-members", "project-manage-members"];
const NS_MANAGE_MEMBERS: &[&str] = &["project-manage-members"];
const NS_VIEW_ROLES: &[&str] = &["project-view-roles", "project-manage-roles"];
const NS_MANAGE_ROLES: &[&str] = &["project-manage-roles"];
const NS_MANAGE_SETTINGS: &[&str] = &["project-manage-project-settings"];

const fn global(global: &'static [&'static str]) -> Rule {
    Rule::Walk(Need { global, workspace: &[], namespace: &[] })
}

const fn walk(
    global: &'static [&'static str],
    workspace: &'static [&'static str],
    namespace: &'static [&'static str],
) -> Rule {
    Rule::Walk(Need { global, workspace, namespace })
}

/// The capability table of §6, expressed as role templates.
pub(crate) fn rule(info: &RequestInfo, r: &ResourceInfo, user: &str) -> Rule {
    let read = matches!(info.verb.as_str(), "get" | "list" | "watch");
    let ws = r.workspace.is_some();
    let ns = r.namespace.is_some();
    match (r.api_group.as_str(), r.resource.as_str()) {
        ("iam.kubesphere.io", "users") if !ws => {
            // `authenticated`: list users; any verb on oneself.
            if info.verb == "list" || r.name.as_deref() == Some(user) {
                Rule::Everyone
            } else if read {
                global(VIEW_USERS)
            } else {
                global(MANAGE_USERS)
            }
        }
        ("iam.kubesphere.io", "globalroles") if read => global(VIEW_GLOBAL_ROLES),
        ("iam.kubesphere.io", "globalroles") => global(MANAGE_GLOBAL_ROLES),
        ("iam.kubesphere.io", "globalrolebindings") if read => global(VIEW_USERS),
        ("iam.kubesphere.io", "globalrolebindings") => global(MANAGE_USERS),
        ("iam.kubesphere.io", "roletemplates") if read => Rule::Everyone,
        ("iam.kubesphere.io", "roletemplates") => global(MANAGE_GLOBAL_ROLES),
        ("iam.kubesphere.io", "workspacemembers") => {
            if info.verb == "get" && r.name.as_deref() == Some(user) && r.subresource.is_none() {
                Rule::Everyone
            } else if read {
                walk(VIEW_WORKSPACES, WS_VIEW_MEMBERS, &[])
            } else {
                walk(MANAGE_WORKSPACES, WS_MANAGE_MEMBERS, &[])
            }
        }
        ("iam.kubesphere.io", "workspaceroles") if read => walk(VIEW_WORKSPACES, WS_VIEW_ROLES, &[]),
        ("iam.kubesphere.io", "workspaceroles") => walk(MANAGE_WORKSPACES, WS_MANAGE_ROLES, &[]),
        ("iam.kubesphere.io", "workspacerolebindings") if read => walk(VIEW_WORKSPACES, WS_VIEW_MEMBERS, &[]),
        ("iam.kubesphere.io", "workspacerolebindings") => walk(MANAGE_WORKSPACES, WS_MANAGE_MEMBERS, &[]),
        ("iam.kubesphere.io", "namespacemembers" | "rolebindings") if read => {
            walk(VIEW_WORKSPACES, WS_VIEW_PROJECTS, NS_VIEW_MEMBERS)
        }
        ("iam.kubesphere.io", "namespacemembers" | "rolebindings") => {
            walk(MANAGE_WORKSPACES, WS_MANAGE_PROJECTS, NS_MANAGE_MEMBERS)
        }
        ("iam.kubesphere.io", "roles") if read => walk(VIEW_WORKSPACES, WS_VIEW_PROJECTS, NS_VIEW_ROLES),
        ("iam.kubesphere.io", "roles") => walk(MANAGE_WORKSPACES, WS_MANAGE_PROJECTS, NS_MANAGE_ROLES),
        ("iam.kubesphere.io", "clustermembers") => global(MANAGE_CLUSTERS),
        // No role template grants it: only a `*/*/*` rule does (platform-admin).
        ("iam.kubesphere.io", "subjectaccessreviews") => global(&[]),
        // Every GET in the tenant group passes (the handlers filter what is shown).
        ("tenant.kubesphere.io", _) if read => Rule::Everyone,
        ("tenant.kubesphere.io", "workspacetemplates" | "workspaces") if r.name.is_none() && !ns => {
            global(CREATE_WORKSPACES)
        }
        ("tenant.kubesphere.io", "workspacetemplates" | "workspaces") => {
            walk(MANAGE_WORKSPACES, WS_MANAGE_SETTINGS, &[])
        }
        ("tenant.kubesphere.io", "namespaces") if ws && info.verb == "create" => {
            walk(MANAGE_WORKSPACES, WS_CREATE_PROJECTS, &[])
        }
        ("tenant.kubesphere.io", "namespaces") => walk(MANAGE_WORKSPACES, WS_MANAGE_PROJECTS, NS_MANAGE_SETTINGS),
        ("tenant.kubesphere.io", "resourcequotas") => walk(MANAGE_WORKSPACES, WS_MANAGE_SETTINGS, &[]),
        ("tenant.kubesphere.io", _) => global(MANAGE_WORKSPACES),
        // Resources the simulator does not model reach the router (and its 404/405).
        _ => Rule::NotServed,
    }
}

/// A cluster-scoped request for `resource` of `group` with one of `verbs`.
fn is_cluster_request(info: &RequestInfo, group: &str, resource: &str, verbs: &[&str]) -> bool {
    info.resource.as_ref().is_some_and(|r| {
        r.api_group == group
            && r.resource == resource
            && r.workspace.is_none()
            && r.namespace.is_none()
            && r.subresource.is_none()
            && verbs.contains(&info.verb.as_str())
    })
}

/// The chart's `anonymous` GlobalRole (bound to the group `system:unauthenticated`): `get` and
/// `list` on `config.kubesphere.io` `configs`, e.g. `configs/oauth` (§12.1).
fn anonymous_may(info: &RequestInfo) -> bool {
    is_cluster_request(info, "config.kubesphere.io", "configs", &["get", "list"])
}

/// The chart's `pre-registration` GlobalRole, the only one of `system:pre-registration`
/// (§12.3): `create` and `list` on `iam.kubesphere.io` `users`; not even `get` of one.
fn pre_registration_may(info: &RequestInfo) -> bool {
    is_cluster_request(info, "iam.kubesphere.io", "users", &["create", "list"])
        && info.resource.as_ref().is_some_and(|r| r.name.is_none())
}

/// The authorization filter: may `caller` do what `info` asks, in `cluster`? Global bindings
/// first, then the workspace's (directly or via the namespace's workspace label), then the
/// namespace's.
pub(crate) fn authorize(db: &Db, caller: &Caller, info: &RequestInfo, cluster: &str) -> bool {
    if caller.is_pre_registration() {
        return pre_registration_may(info);
    }
    if !caller.authenticated {
        return anonymous_may(info);
    }
    let user = caller.name.as_str();
    if db.global_grants_any(user, &["*"]) {
        return true;
    }
    let Some(r) = &info.resource else {
        return true;
    };
    let need = match rule(info, r, user) {
        Rule::Everyone | Rule::NotServed => return true,
        Rule::Walk(need) => need,
    };
    if db.global_grants_any(user, need.global) {
        return true;
    }
    // `workspaces/{ws}/namespaces/{ns}` names the namespace as the resource itself.
    let namespace = r
        .namespace
        .as_deref()
        .or_else(|| (r.resource == "namespaces" && r.workspace.is_some()).then_some(r.name.as_deref()).flatten());
    let workspace = r.workspace.clone().or_else(|| namespace.and_then(|ns| db.namespace_workspace(cluster, ns)));
    if let Some(ws) = workspace {
        if db.workspace_grants_any(user, &ws, need.workspace) {
            return true;
        }
    }
    match namespace {
        Some(ns) => db.namespace_grants_any(user, cluster, ns, need.namespace),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn request_info_follows_kubesphere_path_rules() {
        let info = RequestInfo::parse(&Method::GET, "/kapis/iam.kubesphere.io/v1beta1/users/alice");
        assert_eq!(info.verb, "get");
        let r = info.resource.unwrap();
        assert_eq!((r.resource.as_str(), r.name.as_deref()), ("users", Some("alice")));

        let info =
            RequestInfo::parse(&Method::DELETE, "/kapis/iam.kubesphere.io/v1beta1/namespaces/p1/namespacemembers");
        assert_eq!(info.verb, "deletecollection");
        let r = info.resource.unwrap();
        assert_eq!((r.namespace.as_deref(), r.resource.as_str()), (Some("p1"), "namespacemembers"));

        let info = RequestInfo::parse(&Method::GET, "/kapis/tenant.kubesphere.io/v1beta1/workspaces/demo/namespaces");
        let r = info.resource.unwrap();
        assert_eq!((r.workspace.as_deref(), r.resource.as_str(), r.namespace), (Some("demo"), "namespaces", None));

        let info = RequestInfo::parse(&Method::GET, "/foo");
        assert!(info.resource.is_none());
        assert_eq!(info.verb, "get");
    }
}
