//! Projects: the managed namespaces of a workspace on one cluster.

use ks_types::{ClusterName, ProjectName, WorkspaceName};
use serde_json::json;

use super::{created_by, in_cluster};
use crate::model::{ListResult, Object, LABEL_MANAGED, LABEL_WORKSPACE};
use crate::{KsError, UserApi, Verb};

/// A new project in a workspace, on one cluster.
#[derive(Debug, Clone)]
pub struct NewProject {
    pub name: ProjectName,
    pub workspace: WorkspaceName,
    pub cluster: ClusterName,
    pub alias: Option<String>,
    pub description: Option<String>,
}

impl UserApi<'_> {
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
        let annotations = created_by(creator, &new.alias, &new.description);
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

    /// The namespaces called `names` on one cluster (those the caller can see), with their
    /// workspace label. Asking by name keeps the answer small on clusters with thousands.
    pub async fn namespaces_named(&self, cluster: &ClusterName, names: &[&str]) -> Result<Vec<Object>, KsError> {
        let path = in_cluster(cluster, "kapis/tenant.kubesphere.io/v1beta1")
            .lit("namespaces")
            .query("names", names.join(","))
            .query("limit", "-1");
        Ok(self.send::<(), ListResult<Object>>(Verb::Get, &path, None).await?.into_items())
    }
}
