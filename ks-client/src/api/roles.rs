//! Roles: those that exist in a workspace or project, and the signed-in user's role templates.

use ks_types::{BuiltinWorkspaceRoles, ClusterName, ProjectName, WorkspaceName};

use super::{in_cluster, project_iam, IAM};
use crate::model::{KubeList, ListResult, Object};
use crate::{ApiPath, KsError, UserApi, Verb};

impl UserApi<'_> {
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

    /// The roles that exist in a project.
    pub async fn list_project_roles(
        &self,
        cluster: &ClusterName,
        project: &ProjectName,
    ) -> Result<Vec<Object>, KsError> {
        let path = project_iam(cluster, project).lit("roles").query("limit", "-1");
        Ok(self.send::<(), KubeList<Object>>(Verb::Get, &path, None).await?.into_items())
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
