//! Request info (§1.4) and the authorization filter's decision (§6), for the resources the
//! simulator models so far.

use http::Method;

use crate::auth::Caller;
use crate::errors::Denied;
use crate::state::Db;

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
            (m, _) => {
                return RequestInfo {
                    verb: m.as_str().to_ascii_lowercase(),
                    path: path.to_owned(),
                    resource,
                }
            }
        };
        RequestInfo {
            verb: verb.to_owned(),
            path: path.to_owned(),
            resource,
        }
    }

    /// The 403 wording for this request.
    pub fn denied(&self) -> Denied<'_> {
        match &self.resource {
            Some(r) => Denied::Resource {
                verb: &self.verb,
                group: &r.api_group,
                resource: &r.resource,
                subresource: r.subresource.as_deref(),
                name: r.name.as_deref(),
                namespace: r.namespace.as_deref(),
            },
            None => Denied::NonResource {
                verb: &self.verb,
                path: &self.path,
            },
        }
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

/// Role templates that grant access to other users' objects.
const VIEW_USERS: &str = "global-view-users";
const MANAGE_USERS: &str = "global-manage-users";

/// The authorization filter: may `caller` do what `info` asks?
pub(crate) fn authorize(db: &Db, caller: &Caller, info: &RequestInfo) -> bool {
    if !caller.authenticated {
        return false;
    }
    if db.user_has_template(&caller.name, "*") {
        return true;
    }
    let Some(r) = &info.resource else {
        return true;
    };
    let is_users =
        r.api_group == "iam.kubesphere.io" && r.resource == "users" && r.workspace.is_none();
    if is_users {
        // The built-in `authenticated` role: list users; any verb on oneself.
        if info.verb == "list" || r.name.as_deref() == Some(caller.name.as_str()) {
            return true;
        }
        if db.user_has_template(&caller.name, MANAGE_USERS) {
            return true;
        }
        return matches!(info.verb.as_str(), "get" | "list")
            && db.user_has_template(&caller.name, VIEW_USERS);
    }
    // Resources the simulator does not model yet reach the router (and its 404/405).
    true
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
        assert_eq!(
            (r.resource.as_str(), r.name.as_deref()),
            ("users", Some("alice"))
        );

        let info = RequestInfo::parse(
            &Method::DELETE,
            "/kapis/iam.kubesphere.io/v1beta1/namespaces/p1/namespacemembers",
        );
        assert_eq!(info.verb, "deletecollection");
        let r = info.resource.unwrap();
        assert_eq!(
            (r.namespace.as_deref(), r.resource.as_str()),
            (Some("p1"), "namespacemembers")
        );

        let info = RequestInfo::parse(
            &Method::GET,
            "/kapis/tenant.kubesphere.io/v1beta1/workspaces/demo/namespaces",
        );
        let r = info.resource.unwrap();
        assert_eq!(
            (r.workspace.as_deref(), r.resource.as_str(), r.namespace),
            (Some("demo"), "namespaces", None)
        );

        let info = RequestInfo::parse(&Method::GET, "/foo");
        assert!(info.resource.is_none());
        assert_eq!(info.verb, "get");
    }
}
