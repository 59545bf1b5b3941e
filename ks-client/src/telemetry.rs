//! What every upstream call adds to the operators' metrics (a no-op unless the process installs
//! a recorder): calls by operation (method and path template, never a name from outside) and
//! outcome, their latency, and whether the breaker is open.

use std::time::Instant;

pub(crate) fn observe(operation: &str, started: Instant, outcome: &str) {
    let operation = operation.to_owned();
    metrics::counter!("ks_upstream_requests_total", "operation" => operation.clone(), "outcome" => outcome.to_owned())
        .increment(1);
    metrics::histogram!("ks_upstream_request_duration_seconds", "operation" => operation)
        .record(started.elapsed().as_secs_f64());
}

/// `200`, `404`, … for an answer; `error` when none came (refused, reset, timed out).
pub(crate) fn outcome_of(status: Option<u16>) -> String {
    status.map_or_else(|| "error".to_owned(), |s| s.to_string())
}

pub(crate) fn breaker_open(open: bool) {
    metrics::gauge!("ks_upstream_breaker_open").set(if open { 1.0 } else { 0.0 });
}
