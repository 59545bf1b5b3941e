//! Metrics for operators, in Prometheus text on a listener of their own (`METRICS_ADDR`), so the
//! public origin never serves them. Requests are labelled by route (a page's pattern, a server
//! function's name), never by the raw path, so nothing a person typed becomes a label and the
//! number of series stays bounded.

use std::collections::HashSet;
use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Latency buckets, in seconds: from a cached page to a request cut off by the timeout.
const BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// The process's recorder, installed on first use (one per process, however many apps run in it).
pub fn recorder() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS)
                .unwrap_or_else(|_| PrometheusBuilder::new());
            match builder.install_recorder() {
                Ok(handle) => handle,
                // Another recorder was installed first (a test's): render an empty one.
                Err(_) => PrometheusBuilder::new().build_recorder().handle(),
            }
        })
        .clone()
}

/// `GET /metrics` for the metrics listener.
pub fn router(handle: PrometheusHandle) -> Router {
    Router::new().route("/metrics", get(move || std::future::ready(handle.render())))
}

/// Counts every request and its latency by route, method and status.
pub async fn track(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = route_label(req.uri().path());
    let method = method_label(req.method());
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!("ks_console_http_requests_total", "route" => route, "method" => method, "status" => status)
        .increment(1);
    metrics::histogram!("ks_console_http_request_duration_seconds", "route" => route)
        .record(started.elapsed().as_secs_f64());
    res
}

/// The method, from a closed set: a client may send any token as its method, and each label value
/// would be a series kept for ever.
fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method as M;
    match *method {
        M::GET => "GET",
        M::HEAD => "HEAD",
        M::POST => "POST",
        M::PUT => "PUT",
        M::PATCH => "PATCH",
        M::DELETE => "DELETE",
        M::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// The route a path belongs to, from a fixed set: a server function by name, a page by its
/// pattern (`/users/{username}`), the health checks, the assets, or `other`.
fn route_label(path: &str) -> &'static str {
    static SERVER_FNS: OnceLock<HashSet<String>> = OnceLock::new();
    static PAGES: OnceLock<Vec<String>> = OnceLock::new();
    if path.starts_with("/api/") {
        let names =
            SERVER_FNS.get_or_init(|| leptos::server_fn::axum::server_fn_paths().map(|(p, _)| p.to_owned()).collect());
        return names.get(path).map_or("/api/other", String::as_str);
    }
    match path {
        "/livez" => return "/livez",
        "/readyz" => return "/readyz",
        "/login" => return "/login",
        "/logout" => return "/logout",
        "/language" => return "/language",
        _ if path.starts_with("/pkg/") => return "/pkg",
        _ => {}
    }
    let pages = PAGES.get_or_init(|| crate::routes::app_routes().iter().map(|r| r.path().to_owned()).collect());
    pages.iter().find(|pattern| matches_pattern(pattern, path)).map_or("other", String::as_str)
}

/// `/users/{username}` (or `:username`, `*rest`) against `/users/bob`.
fn matches_pattern(pattern: &str, path: &str) -> bool {
    let mut want = pattern.trim_end_matches('/').split('/');
    let mut have = path.trim_end_matches('/').split('/');
    loop {
        match (want.next(), have.next()) {
            (None, None) => return true,
            (Some(w), _) if w.starts_with('*') || w.starts_with("{*") => return true,
            (Some(w), Some(h)) if w == h || ((w.starts_with(':') || w.starts_with('{')) && !h.is_empty()) => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_whole_segments() {
        assert!(matches_pattern("/users/{username}", "/users/bob"));
        assert!(matches_pattern("/users/:username", "/users/bob"));
        assert!(!matches_pattern("/users/{username}", "/users/bob/extra"));
        assert!(!matches_pattern("/users/{username}", "/users/"));
        assert!(matches_pattern("/", "/"));
        assert!(!matches_pattern("/users", "/workspaces"));
    }
}
