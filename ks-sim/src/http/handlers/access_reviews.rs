//! `POST /kapis/iam.kubesphere.io/v1beta1/subjectaccessreviews` (§3.10 item 4;
//! `CreateSubjectAccessReview` in `pkg/kapis/iam/v1beta1/handler.go`): a SubjectAccessReview,
//! or a list of them (`items`), answered with `status` filled in. The filter lets only
//! platform admins through (`create` of `subjectaccessreviews`, which no template grants).
//!
//! The handler reads the body into a `map[string]interface{}` (go-restful, `UseNumber`) and
//! converts it with `runtime.DefaultUnstructuredConverter`: unknown fields vanish, numbers pass
//! as strings, other type mismatches are 400 with the converter's message. The answer is the
//! Go struct written back: no `metadata`, empty fields left out.

use std::sync::Arc;

use axum::extract::{Extension, State as AxState};
use axum::response::Response;
use http::StatusCode;
use serde_json::{json, Map, Value};

use crate::behaviour::access_review::{self, NonResourceAttributes, Question, ResourceAttributes};
use crate::http::body::JsonBody;
use crate::http::errors;
use crate::http::filters::ClusterCtx;
use crate::store::db::Db;
use crate::store::state::State;

type Object = Map<String, Value>;

/// The kind name Go's reflection gives a decoded JSON value (`json.Number` is a string).
fn go_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "invalid",
        Value::Bool(_) => "bool",
        Value::Number(_) | Value::String(_) => "string",
        Value::Array(_) => "slice",
        Value::Object(_) => "map",
    }
}

/// A field absent or `null` is the zero value.
fn present(v: Option<&Value>) -> Option<&Value> {
    v.filter(|v| !v.is_null())
}

fn go_string(v: Option<&Value>) -> Result<String, String> {
    match present(v) {
        None => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        Some(_) => Err("unrecognized type: string".to_owned()),
    }
}

fn go_bool(v: Option<&Value>) -> Result<bool, String> {
    match present(v) {
        None => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err("unrecognized type: bool".to_owned()),
    }
}

fn go_struct(v: Option<&Value>) -> Result<Option<&Object>, String> {
    match present(v) {
        None => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(other) => Err(format!("cannot restore struct from: {}", go_kind(other))),
    }
}

/// A `[]string`: `None` for nil.
fn go_strings(v: Option<&Value>) -> Result<Option<Vec<String>>, String> {
    match present(v) {
        None => Ok(None),
        Some(Value::Array(items)) => items.iter().map(|i| go_string(Some(i))).collect::<Result<_, _>>().map(Some),
        Some(other) => Err(format!("cannot restore slice from {}", go_kind(other))),
    }
}

/// One SubjectAccessReview as the Go struct holds it (`status` is replaced, so only checked).
#[derive(Debug, Default)]
struct Review {
    kind: String,
    api_version: String,
    resource: Option<ResourceAttributes>,
    non_resource: Option<NonResourceAttributes>,
    user: String,
    groups: Vec<String>,
    /// `extra`: values `None` for nil.
    extra: Vec<(String, Option<Vec<String>>)>,
    uid: String,
}

/// `FromUnstructured` into a SubjectAccessReview, fields in struct order.
fn decode_review(o: &Object) -> Result<Review, String> {
    let mut review =
        Review { kind: go_string(o.get("kind"))?, api_version: go_string(o.get("apiVersion"))?, ..Review::default() };
    if let Some(spec) = go_struct(o.get("spec"))? {
        if let Some(r) = go_struct(spec.get("resourceAttributes"))? {
            let f = |k: &str| go_string(r.get(k));
            review.resource = Some(ResourceAttributes {
                resource_scope: f("resourceScope")?,
                workspace: f("workspace")?,
                namespace: f("namespace")?,
                verb: f("verb")?,
                group: f("group")?,
                version: f("version")?,
                resource: f("resource")?,
                subresource: f("subresource")?,
                name: f("name")?,
            });
        }
        if let Some(n) = go_struct(spec.get("nonResourceAttributes"))? {
            review.non_resource =
                Some(NonResourceAttributes { path: go_string(n.get("path"))?, verb: go_string(n.get("verb"))? });
        }
        review.user = go_string(spec.get("user"))?;
        review.groups = go_strings(spec.get("groups"))?.unwrap_or_default();
        match present(spec.get("extra")) {
            None => {}
            Some(Value::Object(extra)) => {
                for (k, v) in extra {
                    review.extra.push((k.clone(), go_strings(Some(v))?));
                }
            }
            Some(other) => return Err(format!("cannot restore map from {}", go_kind(other))),
        }
        review.uid = go_string(spec.get("uid"))?;
    }
    if let Some(status) = go_struct(o.get("status"))? {
        go_bool(status.get("allowed"))?;
        go_bool(status.get("denied"))?;
        go_string(status.get("reason"))?;
        go_string(status.get("evaluationError"))?;
    }
    Ok(review)
}

/// Inserts `value` under `key` unless it is empty (`omitempty`).
fn put(obj: &mut Object, key: &str, value: &str) {
    if !value.is_empty() {
        obj.insert(key.to_owned(), json!(value));
    }
}

/// `handleSingle`: the review with its status, as Go marshals it.
fn answer(db: &Db, cluster: &str, review: &Review) -> Value {
    let verdict = access_review::review(
        db,
        cluster,
        Question {
            user: &review.user,
            groups: &review.groups,
            resource: review.resource.as_ref(),
            non_resource: review.non_resource.as_ref(),
        },
    );
    let mut spec = Object::new();
    if let Some(r) = &review.resource {
        let mut o = Object::new();
        for (key, value) in [
            ("resourceScope", &r.resource_scope),
            ("workspace", &r.workspace),
            ("namespace", &r.namespace),
            ("verb", &r.verb),
            ("group", &r.group),
            ("version", &r.version),
            ("resource", &r.resource),
            ("subresource", &r.subresource),
            ("name", &r.name),
        ] {
            put(&mut o, key, value);
        }
        spec.insert("resourceAttributes".into(), Value::Object(o));
    }
    if let Some(n) = &review.non_resource {
        let mut o = Object::new();
        put(&mut o, "path", &n.path);
        put(&mut o, "verb", &n.verb);
        spec.insert("nonResourceAttributes".into(), Value::Object(o));
    }
    put(&mut spec, "user", &review.user);
    if !review.groups.is_empty() {
        spec.insert("groups".into(), json!(review.groups));
    }
    if !review.extra.is_empty() {
        let extra: Object = review.extra.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        spec.insert("extra".into(), Value::Object(extra));
    }
    put(&mut spec, "uid", &review.uid);
    let mut status = json!({"allowed": verdict.allowed});
    if let Some(obj) = status.as_object_mut() {
        put(obj, "reason", &verdict.reason);
    }
    let mut out = Object::new();
    put(&mut out, "kind", &review.kind);
    put(&mut out, "apiVersion", &review.api_version);
    out.insert("spec".into(), Value::Object(spec));
    out.insert("status".into(), status);
    Value::Object(out)
}

/// `handleList`: a SubjectAccessReviewList (`ListMeta`, then every item decoded before any
/// is answered). KubeSphere answers the items in the order its goroutines finish; here in
/// request order. No items: `"items": null` (a nil slice).
fn answer_list(db: &Db, cluster: &str, o: &Object, items: &[Value]) -> Result<Value, String> {
    let kind = go_string(o.get("kind"))?;
    let api_version = go_string(o.get("apiVersion"))?;
    let mut metadata = Object::new();
    if let Some(m) = go_struct(o.get("metadata"))? {
        for key in ["selfLink", "resourceVersion", "continue"] {
            put(&mut metadata, key, &go_string(m.get(key))?);
        }
        // `*int64`, and `UseNumber` made every number a string: never converts.
        if present(m.get("remainingItemCount")).is_some() {
            return Err("unrecognized type: int64".to_owned());
        }
    }
    let reviews = items
        .iter()
        .map(|item| go_struct(Some(item)).and_then(|m| decode_review(m.unwrap_or(&Object::new()))))
        .collect::<Result<Vec<_>, _>>()?;
    let answered: Vec<Value> = reviews.iter().map(|r| answer(db, cluster, r)).collect();
    let mut out = Object::new();
    put(&mut out, "kind", &kind);
    put(&mut out, "apiVersion", &api_version);
    out.insert("metadata".into(), Value::Object(metadata));
    out.insert("items".into(), if answered.is_empty() { Value::Null } else { Value::Array(answered) });
    Ok(Value::Object(out))
}

fn bad_request(message: &str) -> Response {
    errors::handler_text(StatusCode::BAD_REQUEST, message)
}

/// `POST …/subjectaccessreviews`. Roles and bindings come from the handler's cache, as the
/// real handler's authorizer reads them through the informers.
pub(crate) async fn create(
    AxState(state): AxState<Arc<State>>,
    Extension(ClusterCtx(cluster)): Extension<ClusterCtx>,
    JsonBody(value): JsonBody,
) -> Response {
    // `ReadEntity(&map[string]interface{})`: `null` leaves the map nil (an empty review).
    let object = match value {
        Value::Object(o) => o,
        Value::Null => Object::new(),
        other => {
            let kind = match other {
                Value::Bool(_) => "bool",
                Value::Number(_) => "number",
                Value::String(_) => "string",
                _ => "array",
            };
            return bad_request(&format!(
                "json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"
            ));
        }
    };
    let db = state.db_for_read();
    // `IsList`: an `items` array.
    let answered = match object.get("items") {
        Some(Value::Array(items)) => answer_list(&db, &cluster, &object, items),
        _ => decode_review(&object).map(|review| answer(&db, &cluster, &review)),
    };
    match answered {
        Ok(body) => errors::json_response(StatusCode::OK, &body, false),
        Err(message) => bad_request(&message),
    }
}
