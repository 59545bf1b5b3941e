//! The server-side fields of the objects stored as JSON (WorkspaceTemplates and Namespaces).

use serde_json::{json, Value};
use time::OffsetDateTime;

use super::util::rfc3339;

/// Fills in the server-side fields of a WorkspaceTemplate.
pub(crate) fn stored_workspace(mut object: Value, created: OffsetDateTime, rv: u64) -> Value {
    if let Some(obj) = object.as_object_mut() {
        obj.insert("apiVersion".into(), json!("tenant.kubesphere.io/v1beta1"));
        obj.insert("kind".into(), json!("WorkspaceTemplate"));
    }
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.insert("creationTimestamp".into(), json!(rfc3339(created)));
        meta.insert("resourceVersion".into(), json!(rv.to_string()));
        meta.insert("finalizers".into(), json!(["kubesphere.io/cascading-deletion"]));
        meta.remove("uid");
    }
    object
}

/// Fills in the server-side fields of a Namespace.
pub(crate) fn stored_namespace(mut object: Value, created: OffsetDateTime, rv: u64) -> Value {
    if let Some(obj) = object.as_object_mut() {
        obj.insert("apiVersion".into(), json!("v1"));
        obj.insert("kind".into(), json!("Namespace"));
        obj.insert("spec".into(), json!({"finalizers": ["kubernetes"]}));
        obj.insert("status".into(), json!({"phase": "Active"}));
        obj.remove("cluster");
    }
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.insert("creationTimestamp".into(), json!(rfc3339(created)));
        meta.insert("resourceVersion".into(), json!(rv.to_string()));
        let name = meta.get("name").cloned().unwrap_or(Value::Null);
        if let Some(labels) = meta.entry("labels").or_insert_with(|| json!({})).as_object_mut() {
            labels.insert("kubernetes.io/metadata.name".into(), name);
        }
    }
    object
}
