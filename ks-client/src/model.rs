//! The KubeSphere objects the console reads and writes. Fields the console does not use are kept
//! in `rest` so that a full-replace PUT sends back exactly what it read.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub const ANNOTATION_GLOBAL_ROLE: &str = "iam.kubesphere.io/globalrole";
pub const ANNOTATION_ALIAS: &str = "kubesphere.io/alias-name";
/// `iam.kubesphere.io/identity-provider.<idp>: <uid>` links a user to a directory identity.
pub const ANNOTATION_IDENTITY_PROVIDER_PREFIX: &str = "iam.kubesphere.io/identity-provider.";
pub const ANNOTATION_CREATOR: &str = "kubesphere.io/creator";
pub const ANNOTATION_DESCRIPTION: &str = "kubesphere.io/description";
pub const ANNOTATION_UNINITIALIZED: &str = "iam.kubesphere.io/uninitialized";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ObjectMeta {
    pub name: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

impl ObjectMeta {
    /// How long ago KubeSphere created the object (its controllers finish shortly after).
    pub fn age(&self) -> Option<std::time::Duration> {
        let created = self.rest.get("creationTimestamp")?.as_str()?;
        let created = time::OffsetDateTime::parse(created, &time::format_description::well_known::Rfc3339).ok()?;
        (time::OffsetDateTime::now_utc() - created).try_into().ok()
    }
}

/// A KubeSphere `User` (`iam.kubesphere.io/v1beta1`). The password is never returned.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: UserSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<UserStatus>,
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UserSpec {
    #[serde(default)]
    pub email: String,
    #[serde(default, rename = "displayName", skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UserStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

impl User {
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.metadata.annotations.get(key).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// The platform role as KubeSphere reports it (the console's own `isPlatformAdmin` reads the same).
    pub fn global_role(&self) -> Option<&str> {
        self.annotation(ANNOTATION_GLOBAL_ROLE)
    }

    /// The name to show: display name, alias, or the username.
    pub fn display_name(&self) -> &str {
        self.spec
            .display_name
            .as_deref()
            .filter(|s| !s.is_empty())
            .or_else(|| self.annotation(ANNOTATION_ALIAS))
            .unwrap_or(&self.metadata.name)
    }

    pub fn state(&self) -> Option<&str> {
        self.status.as_ref().and_then(|s| s.state.as_deref())
    }

    /// The identity providers (directories, SSO) this user is linked to, by name (§12.3).
    pub fn identity_providers(&self) -> Vec<&str> {
        self.metadata
            .annotations
            .iter()
            .filter(|(_, uid)| !uid.is_empty())
            .filter_map(|(key, _)| key.strip_prefix(ANNOTATION_IDENTITY_PROVIDER_PREFIX))
            .collect()
    }

    /// When they last signed in (`status.lastLoginTime`, RFC 3339), if ever.
    pub fn last_login_time(&self) -> Option<&str> {
        self.status.as_ref()?.rest.get("lastLoginTime")?.as_str().filter(|t| !t.is_empty())
    }
}

/// KubeSphere's hand-written list envelope. `items` is sometimes `null`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ListResult<T> {
    #[serde(default = "Option::default")]
    pub items: Option<Vec<T>>,
    #[serde(default, rename = "totalItems")]
    pub total_items: u64,
}

impl<T> ListResult<T> {
    pub fn into_items(self) -> Vec<T> {
        self.items.unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn unknown_fields_survive_a_round_trip() {
        let raw = serde_json::json!({
            "apiVersion": "iam.kubesphere.io/v1beta1", "kind": "User",
            "metadata": {"name": "alice", "resourceVersion": "7", "finalizers": ["f"],
                         "annotations": {"iam.kubesphere.io/globalrole": "platform-regular"}},
            "spec": {"email": "a@b.c", "lang": "en"},
            "status": {"state": "Active", "lastLoginTime": "2025-01-01T00:00:00Z"}
        });
        let user: User = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(user.global_role(), Some("platform-regular"));
        assert_eq!(serde_json::to_value(&user).unwrap(), raw);
    }

    #[test]
    fn null_items_are_an_empty_list() {
        let l: ListResult<User> = serde_json::from_str(r#"{"items":null,"totalItems":0}"#).unwrap();
        assert!(l.into_items().is_empty());
    }
}

pub const ANNOTATION_WORKSPACE_ROLE: &str = "iam.kubesphere.io/workspacerole";
pub const ANNOTATION_PROJECT_ROLE: &str = "iam.kubesphere.io/role";
pub const LABEL_WORKSPACE: &str = "kubesphere.io/workspace";
pub const LABEL_MANAGED: &str = "kubesphere.io/managed";
pub const ANNOTATION_AUTO_AGGREGATE: &str = "iam.kubesphere.io/auto-aggregate";

/// A `WorkspaceTemplate` (`tenant.kubesphere.io/v1beta1`). The spec is kept as JSON: the console
/// reads the manager and the placement and never writes one back.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkspaceTemplate {
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: Value,
}

impl WorkspaceTemplate {
    pub fn manager(&self) -> Option<&str> {
        self.spec.pointer("/template/spec/manager").and_then(Value::as_str).filter(|s| !s.is_empty())
    }

    /// Clusters named in the placement (empty when placed by a selector).
    pub fn cluster_names(&self) -> Vec<String> {
        self.spec
            .pointer("/placement/clusters")
            .and_then(Value::as_array)
            .map(|cs| cs.iter().filter_map(|c| c.get("name")?.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    }
}

/// Any object of which the console only needs the metadata (namespaces, clusters, roles).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Object {
    pub metadata: ObjectMeta,
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

impl Object {
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.metadata.annotations.get(key).map(String::as_str).filter(|v| !v.is_empty())
    }
    pub fn label(&self, key: &str) -> Option<&str> {
        self.metadata.labels.get(key).map(String::as_str)
    }

    /// `roleRef.name` of a role binding.
    pub fn role_ref(&self) -> Option<&str> {
        self.rest.get("roleRef")?.get("name")?.as_str()
    }

    /// What tells a built-in role from a custom one: its name, and whether it carries the markers
    /// of roles KubeSphere's controllers make (creator `system`, auto-aggregate).
    pub fn role_facts(&self) -> ks_types::RoleFacts<'_> {
        ks_types::RoleFacts {
            name: &self.metadata.name,
            system_marked: self.annotation(ANNOTATION_CREATOR) == Some("system")
                && self.annotation(ANNOTATION_AUTO_AGGREGATE) == Some("true"),
        }
    }

    /// `metadata.creationTimestamp`, as KubeSphere wrote it (RFC 3339).
    pub fn created_at(&self) -> Option<&str> {
        self.metadata.rest.get("creationTimestamp")?.as_str()
    }

    /// `metadata.namespace`, for namespaced objects.
    pub fn namespace(&self) -> Option<&str> {
        self.metadata.rest.get("namespace")?.as_str()
    }
}

/// The Kubernetes-style list served by KubeSphere's dynamic resource handler (roles,
/// role bindings): no `totalItems`, the total hides in `metadata.continue`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KubeList<T> {
    #[serde(default = "Option::default")]
    pub items: Option<Vec<T>>,
    #[serde(default)]
    pub metadata: Value,
}

impl<T> KubeList<T> {
    pub fn into_items(self) -> Vec<T> {
        self.items.unwrap_or_default()
    }
}

/// One entry of a member invitation or role change (`{"username","roleRef"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRef {
    pub username: String,
    #[serde(rename = "roleRef")]
    pub role_ref: String,
}

/// What `configs/oauth` says to anyone (§12.1), as far as a sign-in page needs it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OAuthConfiguration {
    #[serde(default, rename = "identityProviders")]
    pub identity_providers: Vec<IdentityProvider>,
    /// Every registered OAuth client, without its secret (§12.5).
    #[serde(default)]
    pub clients: Vec<OAuthClient>,
}

/// A registered OAuth client as `configs/oauth` lists it (§12.1, §12.5).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OAuthClient {
    pub name: String,
    /// Only trusted clients may use the password grant.
    #[serde(default)]
    pub trusted: bool,
    /// `auto`, `prompt` or `deny`; KubeSphere's webhook writes `auto` when it is left out.
    #[serde(default, rename = "grantMethod")]
    pub grant_method: String,
    /// Empty: any scope is refused at authorize (an empty list allows nothing).
    #[serde(default, rename = "scopeRestrictions")]
    pub scope_restrictions: Vec<String>,
    #[serde(default, rename = "redirectURIs")]
    pub redirect_uris: Vec<String>,
}

/// One identity provider KubeSphere has loaded (hidden and disabled ones included).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IdentityProvider {
    pub name: String,
    /// `LDAPIdentityProvider` (the one password type), `OIDCIdentityProvider`, …
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default, rename = "mappingMethod")]
    pub mapping_method: String,
    #[serde(default)]
    pub hidden: bool,
    #[serde(default)]
    pub disabled: bool,
    #[serde(default, rename = "displayName")]
    pub display_name: String,
    /// The type-specific options KubeSphere makes public (secrets left out).
    #[serde(default)]
    pub provider: Map<String, Value>,
}

impl IdentityProvider {
    /// Signs people in through KubeSphere's console and the authorization-code flow (§12.0).
    pub fn is_single_sign_on(&self) -> bool {
        matches!(
            self.kind.as_str(),
            "OIDCIdentityProvider" | "GitHubIdentityProvider" | "CASIdentityProvider" | "AliyunIDaaSProvider"
        )
    }

    /// An OIDC provider's end-session URL (its `post_logout_redirect_uri` already in the query),
    /// when KubeSphere discovered one (§12.8). Only `http(s)` addresses.
    pub fn end_session_url(&self) -> Option<&str> {
        let url = self.provider.get("endpoint")?.get("endSessionURL")?.as_str()?.trim();
        (url.starts_with("https://") || url.starts_with("http://")).then_some(url)
    }

    /// Signs people in with a password through KubeSphere's password grant (§12.0).
    pub fn takes_passwords(&self) -> bool {
        self.kind == "LDAPIdentityProvider"
    }

    /// Offered on a sign-in page: neither hidden nor disabled.
    pub fn offered(&self) -> bool {
        !self.hidden && !self.disabled
    }

    /// Its name for people: the display name, else the name.
    pub fn label(&self) -> &str {
        if self.display_name.trim().is_empty() {
            &self.name
        } else {
            &self.display_name
        }
    }
}
