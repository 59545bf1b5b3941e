//! The typed calls, one per KubeSphere operation the console uses (`shared/kubesphere-api.md` §3).
//! Names from outside are `ks_types` values, so every path segment has been parsed already; the
//! path builder still percent-encodes them. There is no delete here, nor any way to write one.

use ks_types::{
    BuiltinWorkspaceRoles, ClusterName, Email, IdentityLink, Password, PlatformRole, ProjectName, ProjectRole,
    UserName, WorkspaceName, WorkspaceRole,
};
use serde_json::{json, Value};

use crate::model::{
    KubeList, ListResult, MemberRef, Object, User, WorkspaceTemplate, ANNOTATION_ALIAS, ANNOTATION_CREATOR,
    ANNOTATION_DESCRIPTION, ANNOTATION_GLOBAL_ROLE, ANNOTATION_UNINITIALIZED, LABEL_MANAGED, LABEL_WORKSPACE,
};
use crate::{ApiPath, KsError, UserApi, Verb};

const IAM: &str = "/kapis/iam.kubesphere.io/v1beta1";
const TENANT: &str = "/kapis/tenant.kubesphere.io/v1beta1";

/// A new account, as the create-user form collects it.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub name: UserName,
    pub email: Email,
    pub first_sign_in: FirstSignIn,
    pub role: PlatformRole,
    pub display_name: Option<String>,
    pub description: Option<String>,
}

/// How a new account signs in the first time.
#[derive(Debug, Clone)]
pub enum FirstSignIn {
    /// With this initial password; KubeSphere asks for a new one at the first sign-in.
    Password(Password),
    /// Through a directory or single sign-on, as this identity (§12.7): no password is set, and
    /// the first sign-in through that provider lands in the account.
    Linked(IdentityLink),
}

/// A new workspace.
#[derive(Debug, Clone)]
pub struct NewWorkspace {
    pub name: WorkspaceName,
    pub manager: UserName,
    pub clusters: Vec<ClusterName>,
    pub alias: Option<String>,
    pub description: Option<String>,
}

/// A new project in a workspace, on one cluster.
#[derive(Debug, Clone)]
pub struct NewProject {
    pub name: ProjectName,
    pub workspace: WorkspaceName,
    pub cluster: ClusterName,
    pub alias: Option<String>,
    pub description: Option<String>,
}

/// A platform role changed: the user as KubeSphere stored it, and the role it replaced.
#[derive(Debug, Clone)]
pub struct PlatformRoleChanged {
    pub previous: Option<String>,
    pub user: User,
}

/// The `fieldSelector` that finds users by e-mail, ignoring case. The address is escaped the way
/// Kubernetes' `fields.ParseSelector` reads values (`\\`, `\,`, `\=`), so it can only ever be
/// one term: no text can add a filter of its own.
pub fn email_field_selector(email: &Email) -> String {
    let mut escaped = String::with_capacity(email.as_str().len());
    for c in email.as_str().to_ascii_lowercase().chars() {
        if matches!(c, '\\' | ',' | '=') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    format!("spec.email=~{escaped}")
}

/// Namespaced paths carry the cluster prefix (`/clusters/{c}`), which KubeSphere strips for the
/// host cluster and proxies for member clusters.
pub(crate) fn in_cluster(cluster: &ClusterName, group: &'static str) -> ApiPath {
    ApiPath::fixed("/clusters").seg(cluster.as_str()).lit(group)
}

fn put_text(annotations: &mut serde_json::Map<String, Value>, key: &str, value: &Option<String>) {
    if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        annotations.insert(key.to_owned(), Value::String(v.to_owned()));
    }
}

impl UserApi<'_> {
    /// `POST /users` with the body KubeSphere's console sends (§3.1): the user must change the
    /// password at first login, and the creator is recorded.
    pub async fn create_user(&self, new: &NewUser, creator: &str) -> Result<User, KsError> {
        let mut annotations = serde_json::Map::new();
        annotations.insert(ANNOTATION_GLOBAL_ROLE.into(), new.role.name().into());
        annotations.insert(ANNOTATION_CREATOR.into(), creator.into());
        put_text(&mut annotations, ANNOTATION_ALIAS, &new.display_name);
        put_text(&mut annotations, ANNOTATION_DESCRIPTION, &new.description);
        let mut spec = json!({ "email": new.email.as_str() });
        match &new.first_sign_in {
            FirstSignIn::Password(password) => {
                annotations.insert(ANNOTATION_UNINITIALIZED.into(), "true".into());
                spec["password"] = password.expose().into();
            }
            // No password and no `uninitialized`: the directory or SSO vouches for them (§12.7).
            FirstSignIn::Linked(link) => {
                annotations.insert(link.annotation_key(), link.identity().into());
            }
        }
        let body = json!({
            "apiVersion": "iam.kubesphere.io/v1beta1",
            "kind": "User",
            "metadata": { "name": new.name.as_str(), "annotations": annotations },
            "spec": spec,
        });
        self.send(Verb::Post, &ApiPath::fixed(IAM).lit("users"), Some(&body)).await
    }

    /// The users already linked to this identity (§12.3: KubeSphere signs the person in as the
    /// first it finds, so a second link must not be made). Values are compared here, exactly;
    /// KubeSphere's filter is only asked for what it can express.
    pub async fn users_linked_to(&self, link: &IdentityLink) -> Result<Vec<User>, KsError> {
        let key = link.annotation_key();
        let plain = !link.identity().contains(['=', ',', '!']);
        let filter = if plain { format!("{key}={}", link.identity()) } else { key.clone() };
        let users = self.list_users(&[("annotation", filter.as_str())]).await?;
        let linked = |u: &User| u.metadata.annotations.get(&key).map(String::as_str) == Some(link.identity());
        Ok(users.into_items().into_iter().filter(linked).collect())
    }

    /// Confirms a directory person's first sign-in (§12.4), with the pre-registration token:
    /// creates the user with only a name and the e-mail. KubeSphere adds the identity link and
    /// drops any platform role itself; no password is sent (it would give them a local one).
    pub async fn register_user(&self, name: &UserName, email: Option<&Email>) -> Result<User, KsError> {
        let body = json!({
            "apiVersion": "iam.kubesphere.io/v1beta1",
            "kind": "User",
            "metadata": { "name": name.as_str() },
            "spec": { "email": email.map_or("", Email::as_str) },
        });
        self.send(Verb::Post, &ApiPath::fixed(IAM).lit("users"), Some(&body)).await
    }

    /// Changes a user's platform role: GET the user, change only the role annotation, PUT the
    /// whole object back (KubeSphere's PUT replaces the user, so a partial body would wipe fields).
    /// KubeSphere's user controller may update the user in between (409 Conflict on the stale
    /// `resourceVersion`): then the user is read again and the change retried, once.
    pub async fn change_platform_role(
        &self,
        user: &UserName,
        role: PlatformRole,
    ) -> Result<PlatformRoleChanged, KsError> {
        let path = ApiPath::fixed(IAM).lit("users").seg(user.as_str());
        let mut retried = false;
        loop {
            let mut current = self.get_user(user.as_str()).await?;
            let previous = current.annotation(ANNOTATION_GLOBAL_ROLE).map(str::to_owned);
            current.metadata.annotations.insert(ANNOTATION_GLOBAL_ROLE.into(), role.name().into());
            match self.send(Verb::Put, &path, Some(&current)).await {
                Err(KsError::Conflict { .. }) if !retried => retried = true,
                outcome => return outcome.map(|user| PlatformRoleChanged { previous, user }),
            }
        }
    }

    /// `GET /globalroles` (Kubernetes list; platform-admin only).
    pub async fn list_global_roles(&self) -> Result<Vec<Object>, KsError> {
        let path = ApiPath::fixed(IAM).lit("globalroles").query("limit", "-1");
        Ok(self.send::<(), KubeList<Object>>(Verb::Get, &path, None).await?.into_items())
    }

    /// `GET /workspacetemplates`: every workspace for platform admins, "my workspaces" otherwise.
    pub async fn list_workspaces(&self, params: &[(&str, &str)]) -> Result<ListResult<WorkspaceTemplate>, KsError> {
        let mut path = ApiPath::fixed(TENANT).lit("workspacetemplates");
        for (k, v) in params {
            path = path.query(k, *v);
        }
        self.send::<(), _>(Verb::Get, &path, None).await
    }

    pub async fn get_workspace(&self, ws: &WorkspaceName) -> Result<WorkspaceTemplate, KsError> {
        let path = ApiPath::fixed(TENANT).lit("workspacetemplates").seg(ws.as_str());
        self.send::<(), _>(Verb::Get, &path, None).await
    }

    /// `POST /workspacetemplates` as in the multi-tenant workflow (step 1).
    pub async fn create_workspace(&self, new: &NewWorkspace, creator: &str) -> Result<WorkspaceTemplate, KsError> {
        let mut annotations = serde_json::Map::new();
        annotations.insert(ANNOTATION_CREATOR.into(), creator.into());
        put_text(&mut annotations, ANNOTATION_ALIAS, &new.alias);
        put_text(&mut annotations, ANNOTATION_DESCRIPTION, &new.description);
        let clusters: Vec<Value> = new.clusters.iter().map(|c| json!({ "name": c.as_str() })).collect();
        let mut body = json!({
            "apiVersion": "tenant.kubesphere.io/v1beta1",
            "kind": "WorkspaceTemplate",
            "metadata": { "name": new.name.as_str(), "annotations": annotations },
            "spec": {
                "template": {
                    "metadata": { "annotations": { ANNOTATION_CREATOR: creator } },
                    "spec": { "manager": new.manager.as_str() },
                },
            },
        });
        // No placement at all when no cluster is chosen: KubeSphere accepts that (an
        // administrator places the workspace later), and it is all a self-provisioner may do
        // on a default install, where no cluster is public.
        if !clusters.is_empty() {
            body["spec"]["placement"] = json!({ "clusters": clusters });
        }
        self.send(Verb::Post, &ApiPath::fixed(TENANT).lit("workspacetemplates"), Some(&body)).await
    }

    /// `GET /clusters`: all clusters for admins, the granted ones otherwise.
    pub async fn list_clusters(&self) -> Result<Vec<Object>, KsError> {
        let path = ApiPath::fixed(TENANT).lit("clusters").query("limit", "-1");
        Ok(self.send::<(), ListResult<Object>>(Verb::Get, &path, None).await?.into_items())
    }

    /// `GET /workspaces/{ws}/clusters`: the workspace's placement.
    pub async fn workspace_clusters(&self, ws: &WorkspaceName) -> Result<Vec<Object>, KsError> {
        let path = ApiPath::fixed(TENANT).lit("workspaces").seg(ws.as_str()).lit("clusters");
        Ok(self.send::<(), ListResult<Object>>(Verb::Get, &path, None).await?.into_items())
    }

    /// Projects of a workspace on one cluster (only managed ones, as KubeSphere's console lists).
    pub async fn list_projects(&self, cluster: &ClusterName, ws: &WorkspaceName) -> Result<Vec<Object>, KsError> {
        let path = in_cluster(cluster, "kapis/tenant.kubesphere.io/v1beta1")
            .lit("workspaces")
            .seg(ws.as_str())
            .lit("namespaces")
            .query("labelSelector", format!("{LABEL_MANAGED}=true"))
            .query("limit", "-1");
        Ok(self.send::<(), ListResult<Object>>(Verb::Get, &path, None).await?.into_items())
    }

    /// One project of a workspace (404 when the namespace is not in that workspace).
    pub async fn get_project(
        &self,
        cluster: &ClusterName,
        ws: &WorkspaceName,
        project: &ProjectName,
    ) -> Result<Object, KsError> {
        let path = in_cluster(cluster, "kapis/tenant.kubesphere.io/v1beta1")
            .lit("workspaces")
            .seg(ws.as_str())
            .lit("namespaces")
            .seg(project.as_str());
        self.send::<(), _>(Verb::Get, &path, None).await
    }

    /// Creates a project (step 2 of the workflow). The managed label and the creator annotation
    /// make KubeSphere create the built-in project roles and make the creator its admin (§3.5).
    pub async fn create_project(&self, new: &NewProject, creator: &str) -> Result<Object, KsError> {
        let mut annotations = serde_json::Map::new();
        annotations.insert(ANNOTATION_CREATOR.into(), creator.into());
        put_text(&mut annotations, ANNOTATION_ALIAS, &new.alias);
        put_text(&mut annotations, ANNOTATION_DESCRIPTION, &new.description);
        let body = json!({
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {
                "name": new.name.as_str(),
                "labels": { LABEL_WORKSPACE: new.workspace.as_str(), LABEL_MANAGED: "true" },
                "annotations": annotations,
            },
            "cluster": new.cluster.as_str(),
        });
        let path = in_cluster(&new.cluster, "kapis/tenant.kubesphere.io/v1beta1")
            .lit("workspaces")
            .seg(new.workspace.as_str())
            .lit("namespaces");
        self.send(Verb::Post, &path, Some(&body)).await
    }

    /// Members of a workspace (stub users carrying the role annotation).
    pub async fn list_workspace_members(
        &self,
        ws: &WorkspaceName,
        params: &[(&str, &str)],
    ) -> Result<ListResult<User>, KsError> {
        let mut path = ApiPath::fixed(IAM).lit("workspaces").seg(ws.as_str()).lit("workspacemembers");
        for (k, v) in params {
            path = path.query(k, *v);
        }
        self.send::<(), _>(Verb::Get, &path, None).await
    }

    /// Invites users to a workspace (step 4): one POST with an array body.
    pub async fn add_workspace_members(
        &self,
        ws: &WorkspaceName,
        members: &[(UserName, WorkspaceRole)],
    ) -> Result<Value, KsError> {
        let body: Vec<MemberRef> =
            members.iter().map(|(u, r)| MemberRef { username: u.to_string(), role_ref: r.name().to_owned() }).collect();
        let path = ApiPath::fixed(IAM).lit("workspaces").seg(ws.as_str()).lit("workspacemembers");
        self.send(Verb::Post, &path, Some(&body)).await
    }

    /// Changes a workspace member's role (step 5).
    pub async fn change_workspace_role(&self, user: &UserName, role: &WorkspaceRole) -> Result<Value, KsError> {
        let body = MemberRef { username: user.to_string(), role_ref: role.name().to_owned() };
        let path = ApiPath::fixed(IAM)
            .lit("workspaces")
            .seg(role.workspace().as_str())
            .lit("workspacemembers")
            .seg(user.as_str());
        self.send(Verb::Put, &path, Some(&body)).await
    }

    /// The roles that exist in a workspace (to offer only built-ins that exist upstream).
    pub async fn list_workspace_roles(&self, ws: &WorkspaceName) -> Result<Vec<Object>, KsError> {
        let path = ApiPath::fixed(IAM).lit("workspaces").seg(ws.as_str()).lit("workspaceroles").query("limit", "-1");
        Ok(self.send::<(), KubeList<Object>>(Verb::Get, &path, None).await?.into_items())
    }

    /// The built-in roles `ws` really has, with the names KubeSphere gave them (never computed:
    /// they depend on the KubeSphere version and the length of the workspace name).
    pub async fn builtin_workspace_roles(&self, ws: &WorkspaceName) -> Result<BuiltinWorkspaceRoles, KsError> {
        let roles = self.list_workspace_roles(ws).await?;
        Ok(BuiltinWorkspaceRoles::resolve(ws, roles.iter().map(Object::role_facts)))
    }

    /// Members of a project.
    pub async fn list_project_members(
        &self,
        cluster: &ClusterName,
        project: &ProjectName,
        params: &[(&str, &str)],
    ) -> Result<ListResult<User>, KsError> {
        let mut path = in_cluster(cluster, "kapis/iam.kubesphere.io/v1beta1")
            .lit("namespaces")
            .seg(project.as_str())
            .lit("namespacemembers");
        for (k, v) in params {
            path = path.query(k, *v);
        }
        self.send::<(), _>(Verb::Get, &path, None).await
    }

    /// Invites users to a project.
    pub async fn add_project_members(
        &self,
        cluster: &ClusterName,
        project: &ProjectName,
        members: &[(UserName, ProjectRole)],
    ) -> Result<Value, KsError> {
        let body: Vec<MemberRef> =
            members.iter().map(|(u, r)| MemberRef { username: u.to_string(), role_ref: r.name().into() }).collect();
        let path = in_cluster(cluster, "kapis/iam.kubesphere.io/v1beta1")
            .lit("namespaces")
            .seg(project.as_str())
            .lit("namespacemembers");
        self.send(Verb::Post, &path, Some(&body)).await
    }

    /// Changes a project member's role.
    pub async fn change_project_role(
        &self,
        cluster: &ClusterName,
        project: &ProjectName,
        user: &UserName,
        role: ProjectRole,
    ) -> Result<Value, KsError> {
        let body = MemberRef { username: user.to_string(), role_ref: role.name().into() };
        let path = in_cluster(cluster, "kapis/iam.kubesphere.io/v1beta1")
            .lit("namespaces")
            .seg(project.as_str())
            .lit("namespacemembers")
            .seg(user.as_str());
        self.send(Verb::Put, &path, Some(&body)).await
    }

    /// The roles that exist in a project.
    pub async fn list_project_roles(
        &self,
        cluster: &ClusterName,
        project: &ProjectName,
    ) -> Result<Vec<Object>, KsError> {
        let path = in_cluster(cluster, "kapis/iam.kubesphere.io/v1beta1")
            .lit("namespaces")
            .seg(project.as_str())
            .lit("roles")
            .query("limit", "-1");
        Ok(self.send::<(), KubeList<Object>>(Verb::Get, &path, None).await?.into_items())
    }

    /// Every workspace role binding of `user`, across all workspaces (§3.9; admins only).
    pub async fn workspace_role_bindings_of(&self, user: &UserName) -> Result<Vec<Object>, KsError> {
        let path = ApiPath::fixed(IAM)
            .lit("workspacerolebindings")
            .query("labelSelector", format!("iam.kubesphere.io/user-ref={user}"))
            .query("limit", "-1");
        Ok(self.send::<(), KubeList<Object>>(Verb::Get, &path, None).await?.into_items())
    }

    /// Every project role binding of `user` on one cluster (§3.9; admins only).
    pub async fn role_bindings_of(&self, cluster: &ClusterName, user: &UserName) -> Result<Vec<Object>, KsError> {
        let path = in_cluster(cluster, "kapis/iam.kubesphere.io/v1beta1")
            .lit("rolebindings")
            .query("labelSelector", format!("iam.kubesphere.io/user-ref={user}"))
            .query("limit", "-1");
        Ok(self.send::<(), KubeList<Object>>(Verb::Get, &path, None).await?.into_items())
    }

    /// The namespaces called `names` on one cluster (those the caller can see), with their
    /// workspace label. Asking by name keeps the answer small on clusters with thousands.
    pub async fn namespaces_named(&self, cluster: &ClusterName, names: &[&str]) -> Result<Vec<Object>, KsError> {
        let path = in_cluster(cluster, "kapis/tenant.kubesphere.io/v1beta1")
            .lit("namespaces")
            .query("names", names.join(","))
            .query("limit", "-1");
        Ok(self.send::<(), ListResult<Object>>(Verb::Get, &path, None).await?.into_items())
    }

    /// Role templates of the signed-in user at a scope (§3.10), for "what may I do here".
    pub async fn my_role_templates(&self, me: &str, scope: &[(&str, &str)]) -> Result<Vec<Object>, KsError> {
        self.my_role_templates_in(None, me, scope).await
    }

    /// Like [`UserApi::my_role_templates`], asked of one cluster (namespace scope lives there).
    pub async fn my_role_templates_in(
        &self,
        cluster: Option<&ClusterName>,
        me: &str,
        scope: &[(&str, &str)],
    ) -> Result<Vec<Object>, KsError> {
        let base = match cluster {
            Some(c) => in_cluster(c, "kapis/iam.kubesphere.io/v1beta1"),
            None => ApiPath::fixed(IAM),
        };
        let mut path = base.lit("users").seg(me).lit("roletemplates");
        for (k, v) in scope {
            path = path.query(k, *v);
        }
        Ok(self.send::<(), ListResult<Object>>(Verb::Get, &path, None).await?.into_items())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn an_email_selector_is_always_one_escaped_term() {
        let email = |s| Email::parse(s).unwrap();
        assert_eq!(email_field_selector(&email("Ann@Example.com")), "spec.email=~ann@example.com");
        assert_eq!(email_field_selector(&email("a=b@c.de")), "spec.email=~a\\=b@c.de");
        assert!(Email::parse("x@y.io,status.state!=Active").is_err(), "never becomes a selector");
    }
}
