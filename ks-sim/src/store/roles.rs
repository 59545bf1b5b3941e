//! Roles as stored: GlobalRoles, WorkspaceRoles and project Roles (§3.8, §4.1), one model for
//! the three levels.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use time::OffsetDateTime;

use super::labels::{ANNOTATION_ALIAS, ANNOTATION_CREATOR, ANNOTATION_DESCRIPTION, ANNOTATION_WORKSPACE_LABEL};
use super::level::RoleLevel;
use super::templates::CATALOGUE;
use super::util::rfc3339;

/// A stored role of any level.
#[derive(Debug, Clone)]
pub(crate) struct Role {
    pub level: RoleLevel,
    pub name: String,
    /// Project roles: the cluster and namespace they live in.
    pub cluster: Option<String>,
    pub namespace: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    /// `aggregationRoleTemplates.templateNames`; `*` = every template of the level.
    pub templates: Vec<String>,
    pub created: OffsetDateTime,
    pub resource_version: u64,
}

impl Role {
    /// Whether the role aggregates `template` (`*` grants everything).
    pub fn grants(&self, template: &str) -> bool {
        self.templates.iter().any(|t| t == "*" || t == template)
    }

    pub fn grants_any(&self, templates: &[&str]) -> bool {
        templates.iter().any(|t| self.grants(t))
    }

    /// The workspace of a WorkspaceRole (its `kubesphere.io/workspace` label).
    pub fn workspace(&self) -> Option<&str> {
        self.labels.get(ANNOTATION_WORKSPACE_LABEL).map(String::as_str)
    }

    /// The Kubernetes object.
    pub fn to_json(&self) -> Value {
        let all = self.templates.iter().any(|t| t == "*");
        let names: Vec<&str> = if all {
            CATALOGUE.iter().filter(|t| t.level == self.level).map(|t| t.name).collect()
        } else {
            self.templates.iter().map(String::as_str).collect()
        };
        let rules = if all { json!([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]) } else { json!([]) };
        let mut metadata = json!({
            "name": self.name,
            "creationTimestamp": rfc3339(self.created),
            "resourceVersion": self.resource_version.to_string(),
            "annotations": self.annotations,
        });
        if let Some(obj) = metadata.as_object_mut() {
            if !self.labels.is_empty() {
                obj.insert("labels".into(), json!(self.labels));
            }
            if let Some(ns) = &self.namespace {
                obj.insert("namespace".into(), json!(ns));
            }
        }
        json!({
            "apiVersion": "iam.kubesphere.io/v1beta1",
            "kind": self.level.kind(),
            "metadata": metadata,
            "aggregationRoleTemplates": {"templateNames": names},
            "rules": rules,
        })
    }
}

/// A role with the given annotations (creator, alias, description) and templates, no labels,
/// resource version 1.
pub(crate) fn role_from_seed(
    level: RoleLevel,
    name: &str,
    creator: Option<&String>,
    alias: Option<&String>,
    description: Option<&String>,
    templates: Vec<String>,
    created: OffsetDateTime,
) -> Role {
    let mut annotations = BTreeMap::new();
    if let Some(c) = creator {
        annotations.insert(ANNOTATION_CREATOR.to_owned(), c.clone());
    }
    if let Some(a) = alias {
        annotations.insert(ANNOTATION_ALIAS.to_owned(), a.clone());
    }
    if let Some(d) = description {
        annotations.insert(ANNOTATION_DESCRIPTION.to_owned(), d.clone());
    }
    Role {
        level,
        name: name.to_owned(),
        cluster: None,
        namespace: None,
        labels: BTreeMap::new(),
        annotations,
        templates,
        created,
        resource_version: 1,
    }
}
