//! What the signed-in user may do, as KubeSphere says (`users/{me}` and its role templates,
//! `shared/kubesphere-api.md` §3.10). Used to offer only what will work, and to say why an action
//! is unavailable; KubeSphere still decides, and its 403 is handled everywhere.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permissions {
    pub username: String,
    pub platform_role: Option<String>,
    /// Create users and change platform roles.
    pub manage_users: bool,
    /// Create workspaces (any manager when `manage_workspaces`, else only managed by themself).
    pub create_workspaces: bool,
    /// Act on every workspace (invite, change roles, create projects anywhere).
    pub manage_workspaces: bool,
}

impl Permissions {
    /// The platform role's name, or "no platform role" in `locale`.
    pub fn role_label(&self, locale: crate::language::Locale) -> &str {
        match self.platform_role.as_deref() {
            Some(role) => role,
            None => crate::i18n::td_string!(locale, roles.no_platform_role),
        }
    }
}

/// The permissions of the signed-in user.
#[server(prefix = "/api", endpoint = "my_permissions")]
pub async fn my_permissions() -> Result<Permissions, AppError> {
    ssr::load(&crate::upstream::Upstream::from_context()?).await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::collections::BTreeMap;

    use ks_types::{ClusterName, ProjectName, WorkspaceName};

    use super::Permissions;
    use crate::error::AppError;
    use crate::upstream::Upstream;

    const RULES_ANNOTATION: &str = "iam.kubesphere.io/role-template-rules";

    /// Where a permission is asked: a workspace, or a project (a namespace of a cluster).
    #[derive(Clone, Copy, Debug)]
    pub enum Scope<'a> {
        Workspace(&'a WorkspaceName),
        Project(&'a ClusterName, &'a ProjectName),
    }

    impl Scope<'_> {
        fn cluster(&self) -> Option<&ClusterName> {
            match self {
                Scope::Workspace(_) => None,
                Scope::Project(cluster, _) => Some(cluster),
            }
        }

        /// The query KubeSphere's role-template list takes for this scope.
        fn query(&self) -> [(&'static str, &str); 2] {
            match self {
                Scope::Workspace(ws) => [("scope", "workspace"), ("workspace", ws.as_str())],
                Scope::Project(_, ns) => [("scope", "namespace"), ("namespace", ns.as_str())],
            }
        }
    }

    /// A permission KubeSphere's role templates grant: a module and an action on it (`manage`
    /// grants every action of its module).
    #[derive(Clone, Copy, Debug)]
    pub enum Permission {
        /// `members: manage`: invite people and change their roles.
        ManageMembers,
        /// `projects: create`.
        CreateProjects,
    }

    impl Permission {
        /// The module and action, as the `role-template-rules` annotation names them.
        fn rule(self) -> (&'static str, &'static str) {
            match self {
                Permission::ManageMembers => ("members", "manage"),
                Permission::CreateProjects => ("projects", "create"),
            }
        }
    }

    /// What KubeSphere's role templates say about one permission.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Answer {
        Yes,
        No,
        /// KubeSphere did not answer.
        Unknown,
    }

    impl Answer {
        /// For what is offered: yes unless KubeSphere said no (it still decides, and its 403 is
        /// explained).
        pub fn may_try(self) -> bool {
            self != Answer::No
        }

        /// For what must fail closed, such as reading other people's changes.
        pub fn surely(self) -> bool {
            self == Answer::Yes
        }

        fn of(templates: Option<Vec<ks_client::model::Object>>, permission: Permission) -> Self {
            match templates {
                None => Answer::Unknown,
                Some(ts) if grants(&ts, permission) => Answer::Yes,
                Some(_) => Answer::No,
            }
        }
    }

    /// The signed-in person's permissions: their user record and global role templates, asked
    /// for together, kept in the session cache.
    pub async fn load(upstream: &Upstream) -> Result<Permissions, AppError> {
        let cache = upstream.cache().clone();
        cache.get_or_load("permissions", || load_fresh(upstream)).await
    }

    /// The permissions if the session cache holds them (nothing is asked upstream).
    pub fn cached(upstream: &Upstream) -> Option<Permissions> {
        upstream.cache().peek("permissions")
    }

    async fn load_fresh(upstream: &Upstream) -> Result<Permissions, AppError> {
        let me = upstream.username();
        // Role templates say exactly what the global role grants; if KubeSphere cannot answer,
        // fall back to the built-in meaning of the role name.
        let (user, templates) = tokio::join!(
            upstream.call(|api| async move { api.get_user(me).await }),
            upstream.call_quiet(|api| async move { api.my_role_templates(me, &[("scope", "global")]).await }),
        );
        let platform_role = user?.global_role().map(str::to_owned);
        let rules: BTreeMap<String, String> = match templates {
            Some(templates) => templates
                .iter()
                .filter_map(|t| t.annotation(RULES_ANNOTATION))
                .filter_map(|raw| serde_json::from_str::<BTreeMap<String, String>>(raw).ok())
                .flatten()
                .fold(BTreeMap::new(), |mut acc, (module, action)| {
                    let keep = acc.get(&module).is_some_and(|a: &String| a == "manage");
                    if !keep {
                        acc.insert(module, action);
                    }
                    acc
                }),
            None => fallback_rules(platform_role.as_deref()),
        };
        let action = |module: &str| rules.get(module).map(String::as_str);
        Ok(Permissions {
            username: upstream.username().to_owned(),
            manage_users: action("users") == Some("manage"),
            create_workspaces: matches!(action("workspaces"), Some("create" | "manage")),
            manage_workspaces: action("workspaces") == Some("manage"),
            platform_role,
        })
    }

    /// Whether the signed-in person holds `permission` at `scope` (global workspace
    /// management covers every scope).
    pub async fn may(upstream: &Upstream, scope: Scope<'_>, permission: Permission) -> Result<Answer, AppError> {
        if load(upstream).await?.manage_workspaces {
            return Ok(Answer::Yes);
        }
        Ok(Answer::of(templates_in(upstream, scope).await, permission))
    }

    /// [`may`], with the person's permissions and the scope's role templates asked at once when
    /// the session cache does not hold the permissions yet: one round instead of two (a plan
    /// asks this for every workspace it touches, all in its first round).
    pub async fn may_at_once(
        upstream: &Upstream,
        scope: Scope<'_>,
        permission: Permission,
    ) -> Result<Answer, AppError> {
        if cached(upstream).is_some() {
            return may(upstream, scope, permission).await;
        }
        let (permissions, templates) = tokio::join!(load(upstream), templates_in(upstream, scope));
        if permissions?.manage_workspaces {
            return Ok(Answer::Yes);
        }
        Ok(Answer::of(templates, permission))
    }

    /// The signed-in person's role templates at a scope, from the session cache; `None` when
    /// KubeSphere did not answer (an unanswered question is not kept: the next page asks again).
    async fn templates_in(upstream: &Upstream, scope: Scope<'_>) -> Option<Vec<ks_client::model::Object>> {
        let me = upstream.username();
        let (cluster, query) = (scope.cluster(), scope.query());
        let key = format!("templates {cluster:?} {query:?}");
        upstream
            .cache()
            .get_or_load(&key, || async {
                let found =
                    upstream.call_quiet(|api| async move { api.my_role_templates_in(cluster, me, &query).await });
                found.await.ok_or(AppError::TemporarilyUnavailable)
            })
            .await
            .ok()
    }

    /// Whether the signed-in person holds `permission` in project `ns`. KubeSphere's RBAC
    /// walks from a namespace to its workspace (`pkg/apiserver/authorization/rbac/rbac.go`), so
    /// a workspace role counts inside the workspace's projects too; the namespace-scope role
    /// templates alone do not show it. `workspace` is the project's workspace as the caller
    /// believes it; it counts only once KubeSphere confirms that the project is in it.
    pub async fn may_in_project(
        upstream: &Upstream,
        cluster: &ClusterName,
        ns: &ProjectName,
        workspace: Option<&WorkspaceName>,
        permission: Permission,
    ) -> Result<Answer, AppError> {
        let here = may(upstream, Scope::Project(cluster, ns), permission).await?;
        let Some(ws) = workspace.filter(|_| !here.may_try()) else { return Ok(here) };
        let in_workspace =
            upstream.call_quiet(|api| async move { api.get_project(cluster, ws, ns).await }).await.is_some();
        if !in_workspace {
            return Ok(here);
        }
        may(upstream, Scope::Workspace(ws), permission).await
    }

    /// Whether any of the role templates grants `permission` (or `manage` on its module).
    pub fn grants(templates: &[ks_client::model::Object], permission: Permission) -> bool {
        let (module, action) = permission.rule();
        templates
            .iter()
            .filter_map(|t| t.annotation(RULES_ANNOTATION))
            .filter_map(|raw| serde_json::from_str::<BTreeMap<String, String>>(raw).ok())
            .any(|rules| rules.get(module).is_some_and(|a| a == action || a == "manage"))
    }

    fn fallback_rules(role: Option<&str>) -> BTreeMap<String, String> {
        let pairs: &[(&str, &str)] = match role {
            Some("platform-admin") => &[("users", "manage"), ("workspaces", "manage")],
            Some("platform-self-provisioner") => &[("workspaces", "create")],
            _ => &[],
        };
        pairs.iter().map(|(m, a)| ((*m).to_owned(), (*a).to_owned())).collect()
    }
}
