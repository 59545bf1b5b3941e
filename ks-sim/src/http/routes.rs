//! The route table: every KubeSphere route the simulator serves, in one place, so the router
//! is built from it and tests can enumerate it (e.g. against the bundled swagger.json).
//!
//! Paths are the local form; the filters strip the optional `/clusters/{c}` prefix first.
//! Parameter names are the same at the same position in every path (the router requires it).

use axum::routing::{delete, get, post, put, MethodRouter};
use axum::Router;

use crate::http::handlers::{
    access_reviews, authorize, bindings, clusters, config, login_records, members, oauth, openid, projects, roles,
    roletemplates, server_info, users, workspaces,
};
use crate::http::simulator::Simulator;

/// Where a route is documented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteKind {
    /// Registered in ks-apiserver's go-restful code, hence in `api/ks-openapi-spec/swagger.json`.
    Openapi,
    /// Served by ks-apiserver's dynamic resource handler (roles, bindings, role templates,
    /// §3.8): not in the swagger.
    Dynamic,
    /// Served by ks-apiserver's own mux outside go-restful (`/healthz`): not in the swagger.
    Mux,
}

/// One served route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// Lowercase HTTP method, as swagger.json keys it.
    pub method: &'static str,
    /// Path with `{param}` placeholders.
    pub path: &'static str,
    pub kind: RouteKind,
}

macro_rules! iam {
    ($p:literal) => {
        concat!("/kapis/iam.kubesphere.io/v1beta1", $p)
    };
}
macro_rules! tenant {
    ($p:literal) => {
        concat!("/kapis/tenant.kubesphere.io/v1beta1", $p)
    };
}

use RouteKind::{Dynamic as D, Mux as M, Openapi as O};

type Entry = (Route, MethodRouter<Simulator>);

macro_rules! route {
    ($kind:expr, $method:ident, $path:expr, $handler:expr) => {
        (Route { method: stringify!($method), path: $path, kind: $kind }, $method($handler))
    };
}

fn entries() -> Vec<Entry> {
    vec![
        // OAuth (§2), KubeSphere as the OpenID provider (§12.5, §12.6)
        route!(O, post, "/oauth/token", oauth::token),
        route!(O, get, "/oauth/logout", openid::logout),
        route!(O, get, "/oauth/userinfo", openid::userinfo),
        route!(O, get, "/oauth/authorize", authorize::authorize_get),
        route!(O, post, "/oauth/authorize", authorize::authorize_post),
        route!(O, get, "/oauth/keys", openid::keys),
        route!(O, get, "/oauth/callback/{idp}", openid::callback),
        route!(O, get, "/.well-known/openid-configuration", openid::discovery),
        // Identity providers and OAuth clients, anonymous too (§12.1)
        route!(O, get, "/kapis/config.kubesphere.io/v1alpha2/configs/oauth", config::oauth),
        // Answered without a token (§1.3)
        route!(O, get, "/version", server_info::version),
        route!(M, get, "/healthz", server_info::healthz),
        // Users (§3.1, §3.2, §3.10)
        route!(O, get, iam!("/users"), users::list),
        route!(O, post, iam!("/users"), users::create),
        route!(O, get, iam!("/users/{user}"), users::get),
        route!(O, put, iam!("/users/{user}"), users::update),
        route!(O, delete, iam!("/users/{user}"), users::delete),
        route!(O, put, iam!("/users/{user}/password"), users::change_password),
        route!(O, get, iam!("/users/{user}/roletemplates"), roletemplates::of_user),
        route!(O, get, iam!("/users/{user}/loginrecords"), login_records::list),
        // Access reviews (§3.10 item 4)
        route!(O, post, iam!("/subjectaccessreviews"), access_reviews::create),
        // Workspace members (§3.6)
        route!(O, get, iam!("/workspaces/{workspace}/workspacemembers"), members::list_workspace),
        route!(O, post, iam!("/workspaces/{workspace}/workspacemembers"), members::add_workspace),
        route!(O, get, iam!("/workspaces/{workspace}/workspacemembers/{member}"), members::get_workspace),
        route!(O, put, iam!("/workspaces/{workspace}/workspacemembers/{member}"), members::update_workspace),
        route!(O, delete, iam!("/workspaces/{workspace}/workspacemembers/{member}"), members::remove_workspace),
        // Project members (§3.7)
        route!(O, get, iam!("/namespaces/{namespace}/namespacemembers"), members::list_project),
        route!(O, post, iam!("/namespaces/{namespace}/namespacemembers"), members::add_project),
        route!(O, put, iam!("/namespaces/{namespace}/namespacemembers/{member}"), members::update_project),
        route!(O, delete, iam!("/namespaces/{namespace}/namespacemembers/{member}"), members::remove_project),
        // Clusters (§3.4)
        route!(O, get, tenant!("/clusters"), clusters::list),
        // Workspaces (§3.3)
        route!(O, get, tenant!("/workspacetemplates"), workspaces::list),
        route!(O, post, tenant!("/workspacetemplates"), workspaces::create),
        route!(O, get, tenant!("/workspacetemplates/{workspace}"), workspaces::get),
        route!(O, put, tenant!("/workspacetemplates/{workspace}"), workspaces::update),
        route!(O, delete, tenant!("/workspacetemplates/{workspace}"), workspaces::delete),
        route!(O, get, tenant!("/workspaces/{workspace}/clusters"), workspaces::clusters),
        // Projects (§3.5, §3.9)
        route!(O, get, tenant!("/namespaces"), projects::list_mine),
        route!(O, get, tenant!("/workspaces/{workspace}/namespaces"), projects::list_in_workspace),
        route!(O, post, tenant!("/workspaces/{workspace}/namespaces"), projects::create),
        route!(O, get, tenant!("/workspaces/{workspace}/namespaces/{namespace}"), projects::get),
        route!(O, delete, tenant!("/workspaces/{workspace}/namespaces/{namespace}"), projects::delete),
        route!(
            O,
            get,
            tenant!("/workspaces/{workspace}/workspacemembers/{member}/namespaces"),
            projects::list_of_member
        ),
        // Roles (§3.8), dynamic handler
        route!(D, get, iam!("/globalroles"), roles::list_global),
        route!(D, post, iam!("/globalroles"), roles::create_global),
        route!(D, delete, iam!("/globalroles"), roles::delete_collection),
        route!(D, get, iam!("/globalroles/{name}"), roles::get_global),
        route!(D, put, iam!("/globalroles/{name}"), roles::update_global),
        route!(D, delete, iam!("/globalroles/{name}"), roles::delete_global),
        route!(D, get, iam!("/workspaces/{workspace}/workspaceroles"), roles::list_workspace),
        route!(D, post, iam!("/workspaces/{workspace}/workspaceroles"), roles::create_workspace),
        route!(D, delete, iam!("/workspaces/{workspace}/workspaceroles"), roles::delete_collection),
        route!(D, get, iam!("/workspaces/{workspace}/workspaceroles/{name}"), roles::get_workspace),
        route!(D, put, iam!("/workspaces/{workspace}/workspaceroles/{name}"), roles::update_workspace),
        route!(D, delete, iam!("/workspaces/{workspace}/workspaceroles/{name}"), roles::delete_workspace),
        route!(D, get, iam!("/namespaces/{namespace}/roles"), roles::list_namespace),
        route!(D, post, iam!("/namespaces/{namespace}/roles"), roles::create_namespace),
        route!(D, delete, iam!("/namespaces/{namespace}/roles"), roles::delete_collection),
        route!(D, get, iam!("/namespaces/{namespace}/roles/{name}"), roles::get_namespace),
        route!(D, put, iam!("/namespaces/{namespace}/roles/{name}"), roles::update_namespace),
        route!(D, delete, iam!("/namespaces/{namespace}/roles/{name}"), roles::delete_namespace),
        route!(D, get, iam!("/roletemplates"), roletemplates::list),
        route!(D, get, iam!("/roletemplates/{name}"), roletemplates::get),
        // Bindings (§3.9), dynamic handler
        route!(D, get, iam!("/globalrolebindings"), bindings::list_global),
        route!(D, delete, iam!("/globalrolebindings"), roles::delete_collection),
        route!(D, get, iam!("/globalrolebindings/{name}"), bindings::get_global),
        route!(D, delete, iam!("/globalrolebindings/{name}"), bindings::delete_global),
        route!(D, get, iam!("/workspacerolebindings"), bindings::list_workspace_all),
        route!(D, get, iam!("/workspacerolebindings/{name}"), bindings::get_workspace_any),
        route!(D, delete, iam!("/workspacerolebindings/{name}"), bindings::delete_workspace_any),
        route!(D, get, iam!("/workspaces/{workspace}/workspacerolebindings"), bindings::list_workspace),
        route!(D, delete, iam!("/workspaces/{workspace}/workspacerolebindings/{name}"), bindings::delete_workspace),
        route!(D, get, iam!("/rolebindings"), bindings::list_namespaced_all),
        route!(D, get, iam!("/namespaces/{namespace}/rolebindings"), bindings::list_namespaced),
        route!(D, get, iam!("/namespaces/{namespace}/rolebindings/{name}"), bindings::get_namespaced),
        route!(D, delete, iam!("/namespaces/{namespace}/rolebindings/{name}"), bindings::delete_namespaced),
    ]
}

/// Every KubeSphere route the simulator serves (the `/_sim` control routes excluded).
pub fn table() -> Vec<Route> {
    entries().into_iter().map(|(r, _)| r).collect()
}

/// The KubeSphere routes as an axum router (same-path entries merge their methods).
pub(crate) fn router() -> Router<Simulator> {
    entries().into_iter().fold(Router::new(), |router, (r, method_router)| router.route(r.path, method_router))
}
