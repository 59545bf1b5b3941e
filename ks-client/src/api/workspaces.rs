//! Workspaces and the clusters they are placed on.

use ks_types::{ClusterName, UserName, WorkspaceName};
use serde_json::{json, Value};

use super::{created_by, TENANT};
use crate::model::{ListResult, Object, WorkspaceTemplate, ANNOTATION_CREATOR};
use crate::{ApiPath, KsError, ListOptions, UserApi, Verb};

/// A new workspace.
#[derive(Debug, Clone)]
pub struct NewWorkspace {
    pub name: WorkspaceName,
    pub manager: UserName,
    pub clusters: Vec<ClusterName>,
    pub alias: Option<String>,
    pub description: Option<String>,
}

impl UserApi<'_> {
    /// `GET /workspacetemplates`: every workspace for platform admins, "my workspaces" otherwise.
    pub async fn list_workspaces(&self, options: &ListOptions) -> Result<ListResult<WorkspaceTemplate>, KsError> {
        let path = options.append_to(ApiPath::fixed(TENANT).lit("workspacetemplates"));
        self.send::<(), _>(Verb::Get, &path, None).await
    }

    pub async fn get_workspace(&self, ws: &WorkspaceName) -> Result<WorkspaceTemplate, KsError> {
        let path = ApiPath::fixed(TENANT).lit("workspacetemplates").seg(ws.as_str());
        self.send::<(), _>(Verb::Get, &path, None).await
    }

    /// `POST /workspacetemplates` as in the multi-tenant workflow (step 1).
    pub async fn create_workspace(&self, new: &NewWorkspace, creator: &str) -> Result<WorkspaceTemplate, KsError> {
        let annotations = created_by(creator, &new.alias, &new.description);
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
}
