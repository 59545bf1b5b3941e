//! Label and annotation keys KubeSphere puts on its objects.

pub(crate) const ANNOTATION_GLOBALROLE: &str = "iam.kubesphere.io/globalrole";
pub(crate) const ANNOTATION_CREATOR: &str = "kubesphere.io/creator";
pub(crate) const ANNOTATION_ALIAS: &str = "kubesphere.io/alias-name";
pub(crate) const ANNOTATION_DESCRIPTION: &str = "kubesphere.io/description";
pub(crate) const ANNOTATION_UNINITIALIZED: &str = "iam.kubesphere.io/uninitialized";
pub(crate) const ANNOTATION_PASSWORD_CHANGED: &str = "iam.kubesphere.io/last-password-change-time";
pub(crate) const ANNOTATION_AUTO_AGGREGATE: &str = "iam.kubesphere.io/auto-aggregate";
/// `iam.kubesphere.io/identity-provider.<idp>: <uid>`, a user's link to a directory identity.
pub(crate) const ANNOTATION_IDENTITY_PROVIDER: &str = "iam.kubesphere.io/identity-provider";
pub(crate) const ANNOTATION_GRANTED_CLUSTERS: &str = "iam.kubesphere.io/granted-clusters";
/// `kubesphere.io/workspace`, the label tying roles, bindings and namespaces to a workspace.
pub(crate) const ANNOTATION_WORKSPACE_LABEL: &str = "kubesphere.io/workspace";
pub(crate) const LABEL_MANAGED: &str = "kubesphere.io/managed";
pub(crate) const LABEL_USER_REF: &str = "iam.kubesphere.io/user-ref";
pub(crate) const LABEL_ROLE_REF: &str = "iam.kubesphere.io/role-ref";
