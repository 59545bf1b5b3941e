//! The typed calls, one per KubeSphere operation the console uses (`shared/kubesphere-api.md` §3),
//! by resource. Names from outside are `ks_types` values, so every path segment has been parsed
//! already; the path builder still percent-encodes them. There is no delete here, nor any way to
//! write one.

mod members;
mod projects;
mod roles;
mod users;
mod workspaces;

use ks_types::{ClusterName, ProjectName};
use serde_json::{Map, Value};

use crate::model::{ANNOTATION_ALIAS, ANNOTATION_CREATOR, ANNOTATION_DESCRIPTION};
use crate::ApiPath;

pub use projects::NewProject;
pub use users::{email_field_selector, FirstSignIn, NewUser, PlatformRoleChanged};
pub use workspaces::NewWorkspace;

/// KubeSphere's IAM API group, at the host cluster.
const IAM: &str = "/kapis/iam.kubesphere.io/v1beta1";
/// KubeSphere's tenant API group, at the host cluster.
const TENANT: &str = "/kapis/tenant.kubesphere.io/v1beta1";

/// Namespaced paths carry the cluster prefix (`/clusters/{c}`), which KubeSphere strips for the
/// host cluster and proxies for member clusters.
pub(crate) fn in_cluster(cluster: &ClusterName, group: &'static str) -> ApiPath {
    ApiPath::fixed("/clusters").seg(cluster.as_str()).lit(group)
}

/// A project's IAM path on its cluster: `/clusters/{c}/kapis/iam.kubesphere.io/v1beta1/namespaces/{p}`.
fn project_iam(cluster: &ClusterName, project: &ProjectName) -> ApiPath {
    in_cluster(cluster, "kapis/iam.kubesphere.io/v1beta1").lit("namespaces").seg(project.as_str())
}

/// The annotations KubeSphere's console writes on a workspace or project it creates: the
/// creator, and the alias and description when given.
fn created_by(creator: &str, alias: &Option<String>, description: &Option<String>) -> Map<String, Value> {
    let mut annotations = Map::new();
    annotations.insert(ANNOTATION_CREATOR.into(), creator.into());
    put_text(&mut annotations, ANNOTATION_ALIAS, alias);
    put_text(&mut annotations, ANNOTATION_DESCRIPTION, description);
    annotations
}

fn put_text(annotations: &mut Map<String, Value>, key: &str, value: &Option<String>) {
    if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        annotations.insert(key.to_owned(), Value::String(v.to_owned()));
    }
}
