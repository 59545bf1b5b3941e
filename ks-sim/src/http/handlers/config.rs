//! `GET /kapis/config.kubesphere.io/v1alpha2/configs/oauth` (§12.1): the issuer, the identity
//! providers and the OAuth clients, for anonymous callers too.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Extension, State as AxState};
use axum::response::Response;
use http::StatusCode;
use serde_json::{json, Value};

use crate::http::errors;
use crate::http::filters::ClusterCtx;
use crate::store::state::State;
use crate::store::util::lock;

/// A Go `time.Duration` in JSON: nanoseconds.
fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// Registered on the host cluster only. Every loaded provider is listed, hidden and disabled
/// ones included, secrets left out, in no defined order: a Go `sync.Map` walk, shuffled here
/// on every request. Every registered client is listed without its secret.
pub(crate) async fn oauth(
    AxState(state): AxState<Arc<State>>,
    Extension(ClusterCtx(cluster)): Extension<ClusterCtx>,
) -> Response {
    if cluster != state.db().host() {
        return errors::page_not_found();
    }
    let mut providers: Vec<(u128, Value)> = lock(&state.identity_providers)
        .iter()
        .filter(|p| p.is_loaded())
        .map(|p| (uuid::Uuid::new_v4().as_u128(), p.public_json()))
        .collect();
    providers.sort_by_key(|(key, _)| *key);
    let settings = &state.settings;
    let mut issuer = json!({
        "accessTokenMaxAge": nanos(settings.access_token_ttl),
        "accessTokenInactivityTimeout": nanos(settings.refresh_token_extra_ttl),
        "maximumClockSkew": nanos(Duration::from_secs(10)),
    });
    let issuer_url = state.issuer_url();
    if let (false, Some(obj)) = (issuer_url.is_empty(), issuer.as_object_mut()) {
        obj.insert("url".to_owned(), json!(issuer_url));
    }
    let clients: Vec<Value> = lock(&state.clients).iter().map(|c| c.public_json()).collect();
    let body = json!({
        "issuer": issuer,
        "identityProviders": providers.into_iter().map(|(_, p)| p).collect::<Vec<_>>(),
        "clients": clients,
    });
    errors::json_response(StatusCode::OK, &body, false)
}
