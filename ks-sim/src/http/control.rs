//! `/_sim/*`: the simulator's own control API for tests and demos (never journaled, no auth).
//!
//! | route | what |
//! | --- | --- |
//! | `GET /_sim/healthz` | `ok` |
//! | `GET /_sim/journal[?method=&path=&path_prefix=]` | journal entries (JSON array) |
//! | `POST /_sim/journal/reset` | empties the journal |
//! | `GET /_sim/counter?path=[&method=]` | `{"count":N}` journal entries for that exact path |
//! | `GET /_sim/faults`, `POST /_sim/faults`, `POST /_sim/faults/clear` | fault injection |
//! | `GET /_sim/tokens`, `GET /_sim/tokens/active` | every token issued / still valid |
//! | `POST /_sim/users/{user}/revoke-tokens` | `{"revoked":N}` |
//! | `GET /_sim/users/{user}/state`, `PUT /_sim/users/{user}/state` `{"state":"Disabled"}` | user state |
//! | `GET /_sim/clusters/unready`, `PUT /_sim/clusters/unready` `{"clusters":["member-1"]}` | clusters not ready (503) |
//! | `PUT /_sim/identity-providers/{idp}/reachable` `{"reachable":false}` | a directory down (500) or back |

use axum::extract::{Path, Query, State as AxState};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use http::StatusCode;
use serde::Deserialize;
use serde_json::json;

use crate::http::faults::Fault;
use crate::http::simulator::Simulator;
use crate::store::users::UserState;

/// Journal filters.
#[derive(Debug, Default, Deserialize)]
struct JournalFilter {
    method: Option<String>,
    path: Option<String>,
    path_prefix: Option<String>,
}

#[derive(Debug, Deserialize)]
struct StateBody {
    state: UserState,
}

#[derive(Debug, Deserialize)]
struct ReachableBody {
    reachable: bool,
}

#[derive(Debug, Deserialize)]
struct UnreadyBody {
    clusters: Vec<String>,
}

pub(crate) fn routes() -> Router<Simulator> {
    Router::new()
        .route("/_sim/healthz", get(|| async { "ok" }))
        .route("/_sim/journal", get(journal))
        .route("/_sim/journal/reset", post(reset_journal))
        .route("/_sim/counter", get(counter))
        .route("/_sim/faults", get(list_faults).post(add_fault))
        .route("/_sim/faults/clear", post(clear_faults))
        .route("/_sim/tokens", get(|AxState(sim): AxState<Simulator>| async move { Json(sim.issued_tokens()) }))
        .route("/_sim/tokens/active", get(|AxState(sim): AxState<Simulator>| async move { Json(sim.active_tokens()) }))
        .route("/_sim/users/{user}/revoke-tokens", post(revoke_tokens))
        .route("/_sim/users/{user}/state", get(user_state).put(set_user_state))
        .route("/_sim/clusters/unready", get(unready_clusters).put(set_unready_clusters))
        .route("/_sim/identity-providers/{idp}/reachable", put(set_directory_reachable))
}

async fn journal(AxState(sim): AxState<Simulator>, Query(filter): Query<JournalFilter>) -> Response {
    let entries: Vec<_> = sim
        .journal()
        .into_iter()
        .filter(|e| filter.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(&e.method)))
        .filter(|e| filter.path.as_deref().is_none_or(|p| p == e.path))
        .filter(|e| filter.path_prefix.as_deref().is_none_or(|p| e.path.starts_with(p)))
        .collect();
    Json(entries).into_response()
}

async fn reset_journal(AxState(sim): AxState<Simulator>) -> Response {
    sim.reset_journal();
    crate::http::errors::success()
}

async fn counter(AxState(sim): AxState<Simulator>, Query(filter): Query<JournalFilter>) -> Response {
    let Some(path) = filter.path else {
        return (StatusCode::BAD_REQUEST, "query parameter `path` is required").into_response();
    };
    let count = match filter.method {
        Some(method) => sim.counter_method(&method, &path),
        None => sim.counter(&path),
    };
    Json(json!({"count": count})).into_response()
}

async fn list_faults(AxState(sim): AxState<Simulator>) -> Response {
    Json(sim.faults()).into_response()
}

async fn add_fault(AxState(sim): AxState<Simulator>, Json(fault): Json<Fault>) -> Response {
    sim.inject(fault);
    crate::http::errors::success()
}

async fn clear_faults(AxState(sim): AxState<Simulator>) -> Response {
    sim.clear_faults();
    crate::http::errors::success()
}

async fn revoke_tokens(AxState(sim): AxState<Simulator>, Path(user): Path<String>) -> Response {
    Json(json!({"revoked": sim.revoke_user_tokens_counted(&user)})).into_response()
}

/// 404 `no {what}`: the control API names what it could not find.
fn missing(what: &str) -> Response {
    (StatusCode::NOT_FOUND, format!("no {what}")).into_response()
}

/// `success` when the change found its target, else [`missing`].
fn success_if_found(found: bool, what: &str) -> Response {
    if found {
        crate::http::errors::success()
    } else {
        missing(what)
    }
}

async fn user_state(AxState(sim): AxState<Simulator>, Path(user): Path<String>) -> Response {
    match sim.user_state(&user) {
        Some(state) => Json(json!({"state": state})).into_response(),
        None => missing(&format!("user {user}")),
    }
}

async fn set_user_state(
    AxState(sim): AxState<Simulator>,
    Path(user): Path<String>,
    Json(body): Json<StateBody>,
) -> Response {
    success_if_found(sim.set_user_state(&user, body.state), &format!("user {user}"))
}

async fn unready_clusters(AxState(sim): AxState<Simulator>) -> Response {
    Json(json!({"clusters": sim.unready_clusters()})).into_response()
}

async fn set_unready_clusters(AxState(sim): AxState<Simulator>, Json(body): Json<UnreadyBody>) -> Response {
    sim.set_unready_clusters(body.clusters);
    crate::http::errors::success()
}

async fn set_directory_reachable(
    AxState(sim): AxState<Simulator>,
    Path(idp): Path<String>,
    Json(body): Json<ReachableBody>,
) -> Response {
    success_if_found(sim.set_directory_reachable(&idp, body.reachable), &format!("identity provider {idp}"))
}
