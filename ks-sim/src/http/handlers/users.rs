//! `/kapis/iam.kubesphere.io/v1beta1/users` (§3.1, §3.2, §5). Authorization already ran in the
//! filter chain, so handlers only implement the handler-level behaviour.

use std::sync::Arc;

use axum::extract::{Extension, Path, State as AxState};
use axum::response::Response;
use http::StatusCode;
use serde::Deserialize;
use serde_json::Value;

use crate::behaviour::authn::Caller;
use crate::behaviour::directory::registration_link;
use crate::behaviour::validation::{email_denial, password_error, subdomain_error};
use crate::http::body::{self, JsonBody};
use crate::http::errors;
use crate::http::query::{by_name, ListQuery};
use crate::http::response::{list_page, list_result};
use crate::store::db::Db;
use crate::store::labels::{ANNOTATION_GLOBALROLE, ANNOTATION_PASSWORD_CHANGED};
use crate::store::state::State;
use crate::store::users::{User, UserState};
use crate::store::util::{now_utc, rfc3339};

/// `GET /users`: every authenticated user may list (and see everyone's e-mail).
pub(crate) async fn list(AxState(state): AxState<Arc<State>>, query: ListQuery) -> Response {
    let db = state.db_for_read();
    if let Some(role) = query.filter("globalrole") {
        // Every user bound to the role, ignoring all other parameters and pagination.
        let mut items: Vec<Value> = db
            .global_role_bindings
            .iter()
            .filter(|b| b.role == role)
            .filter_map(|b| db.users.get(&b.user))
            .map(|u| db.user_json(u))
            .collect();
        items.sort_by(by_name);
        items.dedup_by(|a, b| a["metadata"]["name"] == b["metadata"]["name"]);
        let total = items.len();
        return list_result(items, total);
    }
    // `names` is an exact filter (`apply` runs it again): applied first, only those are rendered.
    let wanted: Option<Vec<&str>> = query.filter("names").map(|n| n.split(',').collect());
    let all: Vec<Value> = db.users_json(|u| wanted.as_ref().is_none_or(|w| w.contains(&u.name.as_str())));
    drop(db);
    list_page(&query, all)
}

/// `GET /users/{user}`.
pub(crate) async fn get(AxState(state): AxState<Arc<State>>, Path(name): Path<String>) -> Response {
    let db = state.db_for_read();
    match db.users.get(&name) {
        Some(user) => errors::json_response(StatusCode::OK, &db.user_json(user), false),
        None => errors::not_found("users.iam.kubesphere.io", &name),
    }
}

const QUALIFIED: &str = "users.iam.kubesphere.io";
/// Global templates that may create and change other users (and rebind global roles).
pub(crate) const MANAGE_USERS: &[&str] = &["global-manage-users"];

fn unprocessable(name: &str, problem: &str) -> Response {
    errors::handler_text(
        StatusCode::UNPROCESSABLE_ENTITY,
        &format!("User.iam.kubesphere.io \"{name}\" is invalid: {problem}"),
    )
}

/// The `users.iam.kubesphere.io` validating webhook (§5, §11): e-mail format, and uniqueness
/// compared exactly (case-sensitively) against the users in `cache` (its informer cache).
fn email_webhook(cache: &Db, name: &str, email: &str) -> Result<(), Response> {
    match email_denial(cache, name, email) {
        Some(reason) => Err(errors::handler_text(
            StatusCode::FORBIDDEN,
            &format!("admission webhook \"users.iam.kubesphere.io\" denied the request: {reason}"),
        )),
        None => Ok(()),
    }
}

/// `POST /users` (§3.1): role first (nothing created on 404), then schema (422), webhook
/// (403), conflict (409); binds `{user}-{role}`. The pre-registration user (§12.4) creates
/// the user linked to its identity, without a global role.
pub(crate) async fn create(
    AxState(state): AxState<Arc<State>>,
    Extension(caller): Extension<Caller>,
    JsonBody(object): JsonBody,
) -> Response {
    let link = if caller.is_pre_registration() {
        match registration_link(&caller.extra) {
            Some(link) => Some(link),
            None => return errors::handler_text(StatusCode::BAD_REQUEST, "invalid registration token"),
        }
    } else {
        None
    };
    let name = body::str_at(&object, &["metadata", "name"]).to_owned();
    let role = match link {
        Some(_) => String::new(),
        None => body::str_at(&object, &["metadata", "annotations", ANNOTATION_GLOBALROLE]).to_owned(),
    };
    let email = body::str_at(&object, &["spec", "email"]).to_owned();
    let password = object["spec"]["password"].as_str().map(str::to_owned);
    let cache = state.cached();
    let mut db = state.db();
    if !role.is_empty() && !db.global_roles.contains_key(&role) {
        return errors::not_found("globalroles.iam.kubesphere.io", &role);
    }
    if let Some(problem) = subdomain_error(&name) {
        return unprocessable(&name, &problem);
    }
    if let Some(problem) = password.as_deref().and_then(password_error) {
        return unprocessable(&name, &problem);
    }
    if let Err(response) = email_webhook(cache.as_deref().unwrap_or(&db), &name, &email) {
        return response;
    }
    if db.users.contains_key(&name) {
        return errors::handler_text(StatusCode::CONFLICT, &format!("{QUALIFIED} \"{name}\" already exists"));
    }
    let created = now_utc();
    let mut annotations = body::string_map(&object["metadata"]["annotations"]);
    annotations.remove(ANNOTATION_GLOBALROLE);
    if let Some((key, uid)) = link {
        annotations.insert(key, uid);
    }
    if password.is_some() {
        annotations.insert(ANNOTATION_PASSWORD_CHANGED.to_owned(), rfc3339(created));
    }
    let rv = db.bump();
    let mut user = User {
        email,
        password: password.filter(|p| !p.is_empty()),
        labels: body::string_map(&object["metadata"]["labels"]),
        annotations,
        display_name: body::str_at(&object, &["spec", "displayName"]).to_owned(),
        description: body::str_at(&object, &["spec", "description"]).to_owned(),
        lang: body::str_at(&object, &["spec", "lang"]).to_owned(),
        ..User::named(&name, created, rv)
    };
    // The user controller would activate the account a moment later; the simulator does it now.
    user.transition(UserState::Active, None);
    db.users.insert(name.clone(), user);
    if !role.is_empty() {
        db.bind_global(&name, &role, created);
    }
    match db.users.get(&name) {
        Some(user) => errors::json_response(StatusCode::OK, &db.user_json(user), false),
        None => errors::handler_text(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"),
    }
}

/// `PUT /users/{user}` (§3.1, §3.2): full replace of metadata and spec; password and status are
/// kept except `status.state` Active/Disabled. The global role is rebound after the write.
pub(crate) async fn update(
    AxState(state): AxState<Arc<State>>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
    JsonBody(object): JsonBody,
) -> Response {
    if let Some(refused) = body::name_mismatch(body::str_at(&object, &["metadata", "name"]), &name) {
        return refused;
    }
    let email = body::str_at(&object, &["spec", "email"]).to_owned();
    let cache = state.cached();
    let mut db = state.db();
    let Some(current_rv) = db.users.get(&name).map(|u| u.resource_version) else {
        return errors::not_found(QUALIFIED, &name);
    };
    let sent_rv = body::str_at(&object, &["metadata", "resourceVersion"]);
    if !sent_rv.is_empty() && sent_rv != current_rv.to_string() {
        return errors::handler_text(
            StatusCode::CONFLICT,
            &format!(
                "Operation cannot be fulfilled on {QUALIFIED} \"{name}\": the object has been modified; please apply your changes to the latest version and try again"
            ),
        );
    }
    if let Err(response) = email_webhook(cache.as_deref().unwrap_or(&db), &name, &email) {
        return response;
    }
    let mut annotations = body::string_map(&object["metadata"]["annotations"]);
    let role = annotations.remove(ANNOTATION_GLOBALROLE).unwrap_or_default();
    let rv = db.bump();
    if let Some(user) = db.users.get_mut(&name) {
        user.labels = body::string_map(&object["metadata"]["labels"]);
        user.annotations = annotations;
        user.email = email;
        user.lang = body::str_at(&object, &["spec", "lang"]).to_owned();
        user.description = body::str_at(&object, &["spec", "description"]).to_owned();
        user.display_name = body::str_at(&object, &["spec", "displayName"]).to_owned();
        user.resource_version = rv;
        let wanted = match body::str_at(&object, &["status", "state"]) {
            "Active" => Some(UserState::Active),
            "Disabled" => Some(UserState::Disabled),
            _ => None,
        };
        if let Some(wanted) = wanted.filter(|w| user.state != Some(*w)) {
            user.transition(wanted, None);
            user.failed_logins.clear();
        }
    }
    if !role.is_empty() && db.global_role_of(&name) != Some(role.as_str()) {
        if !db.global_grants_any(&caller.name, MANAGE_USERS) {
            return errors::handler_text(
                StatusCode::FORBIDDEN,
                &format!("{QUALIFIED} \"{name}\" is forbidden: update global role binding is not allowed"),
            );
        }
        if !db.global_roles.contains_key(&role) {
            return errors::not_found("globalroles.iam.kubesphere.io", &role);
        }
        db.bind_global(&name, &role, now_utc());
    }
    match db.users.get(&name) {
        Some(user) => errors::json_response(StatusCode::OK, &db.user_json(user), false),
        None => errors::not_found(QUALIFIED, &name),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PasswordChange {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password: String,
}

/// `PUT /users/{user}/password`: the current password is checked unless a user manager sends
/// none.
pub(crate) async fn change_password(
    AxState(state): AxState<Arc<State>>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
    JsonBody(change): JsonBody<PasswordChange>,
) -> Response {
    let mut db = state.db();
    let manager = db.global_grants_any(&caller.name, MANAGE_USERS);
    let Some(user) = db.users.get_mut(&name) else {
        return errors::not_found(QUALIFIED, &name);
    };
    let skip_check = manager && change.current_password.is_empty();
    if !skip_check && user.password.as_deref() != Some(change.current_password.as_str()) {
        return errors::handler_text(StatusCode::BAD_REQUEST, "incorrect old password");
    }
    if let Some(problem) = password_error(&change.password) {
        return unprocessable(&name, &problem);
    }
    user.password = Some(change.password);
    user.annotations.insert(ANNOTATION_PASSWORD_CHANGED.to_owned(), rfc3339(now_utc()));
    errors::success()
}

/// `DELETE /users/{user}` (§4.3): the user and all their bindings.
pub(crate) async fn delete(AxState(state): AxState<Arc<State>>, Path(name): Path<String>) -> Response {
    let mut db = state.db();
    if db.users.remove(&name).is_none() {
        return errors::not_found(QUALIFIED, &name);
    }
    db.global_role_bindings.retain(|b| b.user != name);
    db.workspace_role_bindings.retain(|b| b.user != name);
    db.role_bindings.retain(|b| b.user != name);
    errors::success()
}
