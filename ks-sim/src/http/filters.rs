//! The filter chain in front of the routes, in ks-apiserver's order (§1.3):
//! journal → faults → authentication (401) → cluster dispatch (400 unknown, 503 not ready) →
//! authorization (403) → routes. `/_sim` control routes bypass all of it.

use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, Request, State as AxState};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{header, HeaderMap, HeaderValue, StatusCode, Uri};

use crate::behaviour::authn::{self, Caller, Credentials};
use crate::behaviour::authz::{self, RequestInfo};
use crate::http::errors::{self, Denied};
use crate::http::faults::FaultAction;
use crate::http::journal::{capture_body, JournalEntry};
use crate::http::net::Connection;
use crate::http::simulator::Simulator;
use crate::store::state::State;
use crate::store::util::lock;

/// Largest request body the simulator reads.
const MAX_BODY: usize = 8 * 1024 * 1024;

/// Whether a path belongs to the simulator's own control API.
pub(crate) fn is_control_path(path: &str) -> bool {
    path == "/_sim" || path.starts_with("/_sim/")
}

fn header_string(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

/// How the chain ended.
enum Outcome {
    Respond(Response),
    /// A `drop` fault: no response reaches the client.
    Dropped(Response),
}

/// The middleware: records the request and runs the filters.
pub(crate) async fn chain(AxState(sim): AxState<Simulator>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if is_control_path(&path) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(_) => return errors::handler_text(StatusCode::PAYLOAD_TOO_LARGE, "request body too large"),
    };
    let headers = &parts.headers;
    let seq = lock(&sim.journal).next_seq();
    let mut entry = JournalEntry {
        seq,
        method: parts.method.as_str().to_owned(),
        path: path.clone(),
        query: parts.uri.query().map(str::to_owned),
        user: None,
        authorization_present: authn::authorization_present(headers),
        bearer_token_owner: authn::bearer_owner(&sim.state, headers),
        body: capture_body(headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()), &bytes),
        status: 0,
        request_id: header_string(headers, "x-request-id"),
        x_client_ip: header_string(headers, "x-client-ip"),
        answered_before: 0,
        answer_order: 0,
    };
    lock(&sim.journal).push(&mut entry);
    let connection = parts.extensions.get::<ConnectInfo<Connection>>().map(|c| c.0.clone());
    let request = Request::from_parts(parts, Body::from(bytes));
    let outcome = run_filters(&sim, request, next, &mut entry).await;
    let response = match outcome {
        Outcome::Respond(response) => {
            entry.status = response.status().as_u16();
            response
        }
        Outcome::Dropped(response) => match connection {
            Some(connection) => {
                connection.kill();
                response
            }
            // Not served through `Simulator::spawn`: the connection can't be cut, say so.
            None => {
                entry.status = StatusCode::BAD_GATEWAY.as_u16();
                errors::handler_text(StatusCode::BAD_GATEWAY, "simulated connection drop")
            }
        },
    };
    tracing::debug!(seq, method = %entry.method, path = %entry.path, status = entry.status, user = ?entry.user, "request");
    lock(&sim.journal).complete(entry);
    response
}

async fn run_filters(sim: &Simulator, mut req: Request, next: Next, entry: &mut JournalEntry) -> Outcome {
    let state = &sim.state;
    // Faults act like the network, before any KubeSphere code runs.
    let fault = lock(&sim.faults).take(req.method().as_str(), req.uri().path());
    match fault {
        Some(FaultAction::Respond { status, body }) => {
            // Only a side-effect-free bearer check, so the journal still says whose call it was.
            if let Credentials::Bearer(_) = authn::credentials(req.headers()) {
                entry.user = authn::authenticate(state, req.headers()).ok().map(|c| c.name);
            }
            return Outcome::Respond(fault_response(status, body));
        }
        Some(FaultAction::Delay { delay_ms }) => {
            // Visible with its caller while it hangs, like a real slow upstream call.
            if let Credentials::Bearer(_) = authn::credentials(req.headers()) {
                entry.user = authn::authenticate(state, req.headers()).ok().map(|c| c.name);
                lock(&sim.journal).update(entry.clone());
            }
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        }
        Some(FaultAction::Drop { .. }) => {
            return Outcome::Dropped(StatusCode::INTERNAL_SERVER_ERROR.into_response());
        }
        None => {}
    }

    let caller = match authn::authenticate(state, req.headers()) {
        Ok(caller) => caller,
        Err(message) => return Outcome::Respond(errors::unauthorized(&message)),
    };
    if caller.authenticated {
        entry.user = Some(caller.name.clone());
    }

    let path = req.uri().path().to_owned();
    let (cluster, local_path) = match strip_cluster(state, &path) {
        Ok(found) => found,
        Err(Dispatch::Unknown(cluster)) => {
            return Outcome::Respond(errors::err_status(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                &format!("cluster {cluster} not exists"),
            ))
        }
        Err(Dispatch::Unready(cluster)) => {
            return Outcome::Respond(errors::err_status(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                &format!("cluster {cluster} is not ready"),
            ))
        }
    };

    if !authz::is_authz_exempt(&local_path) {
        let info = RequestInfo::parse(req.method(), &local_path);
        let allowed = authz::authorize(&state.db(), &caller, &info, &cluster);
        if !allowed {
            return Outcome::Respond(errors::forbidden(&caller.name, &denied(&info)));
        }
    }

    if local_path != path {
        let path_and_query = match req.uri().query() {
            Some(q) => format!("{local_path}?{q}"),
            None => local_path,
        };
        match Uri::builder().path_and_query(path_and_query).build() {
            Ok(uri) => *req.uri_mut() = uri,
            Err(_) => return Outcome::Respond(errors::page_not_found()),
        }
    }
    req.extensions_mut().insert::<Caller>(caller);
    req.extensions_mut().insert(ClusterCtx(cluster));
    Outcome::Respond(next.run(req).await)
}

/// The cluster a request is served for (the host cluster when the path has no prefix);
/// namespaces and their roles and members live per cluster.
#[derive(Debug, Clone)]
pub(crate) struct ClusterCtx(pub String);

/// Why the cluster dispatch refused a request.
enum Dispatch {
    /// No such cluster: 400.
    Unknown(String),
    /// A member cluster whose `Ready` condition is not true: 503.
    Unready(String),
}

/// Multicluster dispatch (`pkg/apiserver/filters/multicluster.go`): `/clusters/{c}/…` and
/// `/kapis/clusters/{c}/…` are served locally for the host cluster and for ready members;
/// returns (cluster, local path).
fn strip_cluster(state: &State, path: &str) -> Result<(String, String), Dispatch> {
    let (cluster, local) = if let Some(rest) = path.strip_prefix("/clusters/") {
        let (cluster, tail) = rest.split_once('/').unwrap_or((rest, ""));
        (cluster, format!("/{tail}"))
    } else if let Some(rest) = path.strip_prefix("/kapis/clusters/") {
        let (cluster, tail) = rest.split_once('/').unwrap_or((rest, ""));
        (cluster, format!("/kapis/{tail}"))
    } else {
        return Ok((state.db().host().to_owned(), path.to_owned()));
    };
    let db = state.db();
    if !db.is_cluster(cluster) && cluster != "host" {
        return Err(Dispatch::Unknown(cluster.to_owned()));
    }
    // `host` is always an alias of the host cluster, which is never checked for readiness.
    let cluster = if db.is_cluster(cluster) { cluster } else { db.host() };
    if cluster != db.host() && db.unready_clusters.contains(cluster) {
        return Err(Dispatch::Unready(cluster.to_owned()));
    }
    Ok((cluster.to_owned(), local))
}

/// The 403 wording for this request.
fn denied(info: &RequestInfo) -> Denied<'_> {
    match &info.resource {
        Some(r) => Denied::Resource {
            verb: &info.verb,
            group: &r.api_group,
            resource: &r.resource,
            subresource: r.subresource.as_deref(),
            name: r.name.as_deref(),
            namespace: r.namespace.as_deref(),
        },
        None => Denied::NonResource { verb: &info.verb, path: &info.path },
    }
}

fn fault_response(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let content_type = if serde_json::from_str::<serde_json::Value>(&body).is_ok() {
        "application/json"
    } else {
        "text/plain; charset=utf-8"
    };
    let mut response = (status, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}
