//! KubeSphere's own answer to "may this person do this" (`subjectaccessreviews`, §3.10 item 4):
//! its RBAC authorizer asked about someone else. Only platform administrators may ask.

use ks_types::ClusterName;
use serde::Deserialize;
use serde_json::json;

use crate::{ApiPath, KsError, UserApi, Verb};

/// The question: may `user` `verb` `resource` (of API group `group`) in `workspace`, or in
/// `namespace` when one is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectAccessReview {
    pub user: String,
    pub verb: String,
    pub group: String,
    pub resource: String,
    pub workspace: String,
    /// Empty: the workspace itself.
    pub namespace: String,
}

/// KubeSphere's verdict; `reason` as it wrote it (empty on a denial).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessVerdict {
    pub allowed: bool,
    pub reason: String,
}

#[derive(Debug, Default, Deserialize)]
struct Answer {
    #[serde(default)]
    status: Status,
}

#[derive(Debug, Default, Deserialize)]
struct Status {
    #[serde(default)]
    allowed: bool,
    #[serde(default)]
    reason: String,
}

impl UserApi<'_> {
    /// Asks KubeSphere (on `cluster` for a project, where its bindings live) whether the review's
    /// user may do what it says. A POST, but it changes nothing.
    pub async fn subject_access_review(
        &self,
        cluster: Option<&ClusterName>,
        review: &SubjectAccessReview,
    ) -> Result<AccessVerdict, KsError> {
        let scope = if review.namespace.is_empty() { "Workspace" } else { "Namespace" };
        let mut attributes = json!({
            "resourceScope": scope,
            "workspace": review.workspace,
            "verb": review.verb,
            "group": review.group,
            "resource": review.resource,
        });
        if !review.namespace.is_empty() {
            attributes["namespace"] = json!(review.namespace);
        }
        let body = json!({
            "apiVersion": "iam.kubesphere.io/v1beta1",
            "kind": "SubjectAccessReview",
            // As a signed-in person's requests are judged: what every authenticated user may
            // do counts (KubeSphere takes the groups literally).
            "spec": { "user": review.user, "groups": ["system:authenticated"], "resourceAttributes": attributes },
        });
        let path = match cluster {
            Some(c) => crate::api::in_cluster(c, "kapis/iam.kubesphere.io/v1beta1"),
            None => ApiPath::fixed("/kapis/iam.kubesphere.io/v1beta1"),
        }
        .lit("subjectaccessreviews");
        let answer: Answer = self.send(Verb::Post, &path, Some(&body)).await?;
        Ok(AccessVerdict { allowed: answer.status.allowed, reason: answer.status.reason })
    }
}
