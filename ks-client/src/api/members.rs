//! Members of workspaces and projects: who holds which role where, invitations and role changes.

use ks_types::{ClusterName, ProjectName, ProjectRole, UserName, WorkspaceName, WorkspaceRole};
use serde_json::Value;

use super::{in_cluster, project_iam, IAM};
use crate::model::{KubeList, ListResult, MemberRef, Object, User};
use crate::{ApiPath, KsError, ListOptions, UserApi, Verb};

impl UserApi<'_> {
    /// Members of a workspace (stub users carrying the role annotation).
    pub async fn list_workspace_members(
        &self,
        ws: &WorkspaceName,
        options: &ListOptions,
    ) -> Result<ListResult<User>, KsError> {
        let path = ApiPath::fixed(IAM).lit("workspaces").seg(ws.as_str()).lit("workspacemembers");
        let path = options.append_to(path);
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

    /// Members of a project.
    pub async fn list_project_members(
        &self,
        cluster: &ClusterName,
        project: &ProjectName,
        options: &ListOptions,
    ) -> Result<ListResult<User>, KsError> {
        let path = project_iam(cluster, project).lit("namespacemembers");
        let path = options.append_to(path);
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
        let path = project_iam(cluster, project).lit("namespacemembers");
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
        let path = project_iam(cluster, project).lit("namespacemembers").seg(user.as_str());
        self.send(Verb::Put, &path, Some(&body)).await
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
}
