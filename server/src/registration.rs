//! A directory person's first sign-in under `mappingMethod: manual` (`shared/kubesphere-api.md`
//! §12.3–§12.4). KubeSphere answers the password grant with a pre-registration token; the person
//! chooses their KubeSphere username on `/login/confirm`; the console creates the user with that
//! token, exchanges its refresh token for the new user's tokens, and only then signs them in, under
//! a new session id. Until then the session holds no sign-in, so every other page sends them to
//! sign in; a later directory sign-in lands in the new user directly.

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use ks_client::{CallContext, Cause, KsError, PreRegistration, RefreshError, PRE_REGISTRATION_USER};
use ks_types::{Email, UserName};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::ServerContext;

/// Where a session keeps a registration in progress (never with a sign-in beside it).
const REGISTERING_KEY: &str = "ks-console.registering";
pub const CONFIRM_PATH: &str = "/login/confirm";

/// A registration in progress: the pre-registration tokens' vault key and what the directory says.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Registering {
    vault_key: String,
    /// The directory, by its display name.
    provider: String,
    suggested: String,
    email: String,
    next: String,
}

/// After a password grant that gave a pre-registration token (stored under `vault_key`): the
/// session keeps the registration, and the person is sent to choose their username.
pub async fn begin(
    ctx: &ServerContext,
    session: &Session,
    pre: PreRegistration,
    vault_key: String,
    (next, wants_json): (&str, bool),
) -> Response {
    // The directory by the name people know it (its display name, as the sign-in page had it).
    let known = ctx.state.sign_in.known(&ctx.state.ks).await;
    let label = known.provider(&pre.provider).map_or(pre.provider.clone(), |p| p.label().to_owned());
    let record = Registering {
        vault_key,
        provider: label,
        suggested: pre.username.to_lowercase(),
        email: pre.email,
        next: next.to_owned(),
    };
    if let Err(e) = session.insert(REGISTERING_KEY, &record).await {
        tracing::error!(error = %e, "could not keep a registration in the session");
        ctx.vault.remove(&record.vault_key).await;
        return crate::errors::error_response(&app::AppError::TemporarilyUnavailable, None);
    }
    tracing::info!(provider = %record.provider, "a directory person signs in for the first time");
    go(CONFIRM_PATH, wants_json)
}

fn go(to: &str, wants_json: bool) -> Response {
    if wants_json {
        Json(serde_json::json!({ "redirect": to })).into_response()
    } else {
        Redirect::to(to).into_response()
    }
}

/// For `GET /login/confirm` (rendered by the app): puts what the directory suggests in the
/// request; without a registration in progress, sends the person to sign in.
pub async fn prepare_page(session: &Session, req: &mut Request) -> Option<Response> {
    let Ok(Some(record)) = session.get::<Registering>(REGISTERING_KEY).await else {
        return Some(Redirect::to("/login").into_response());
    };
    req.extensions_mut().insert(app::auth::Registration {
        suggested: record.suggested,
        email: record.email,
        provider: record.provider,
    });
    None
}

#[derive(Deserialize)]
pub struct Chosen {
    #[serde(default)]
    username: String,
}

/// `POST /login/confirm`: creates the chosen user with the pre-registration token, takes the
/// new user's tokens and signs them in.
pub async fn confirm(State(ctx): State<ServerContext>, session: Session, Form(chosen): Form<Chosen>) -> Response {
    let Ok(Some(record)) = session.get::<Registering>(REGISTERING_KEY).await else {
        return Redirect::to("/login").into_response();
    };
    let again = |problem: &str| {
        let query = serde_urlencoded::to_string([("problem", problem), ("username", chosen.username.trim())])
            .unwrap_or_default();
        Redirect::to(&format!("{CONFIRM_PATH}?{query}")).into_response()
    };
    let Ok(name) = UserName::parse_new(chosen.username.trim()) else { return again("name_invalid") };
    let start_again = || async {
        ctx.vault.remove(&record.vault_key).await;
        let _ = session.remove::<Registering>(REGISTERING_KEY).await;
        Redirect::to(&app::auth::login_url("/", Some(&app::AppError::SessionExpired))).into_response()
    };
    let Some(tokens) = ctx.vault.tokens_of(&record.vault_key, PRE_REGISTRATION_USER).await else {
        return start_again().await;
    };
    let email = Email::parse(&record.email).ok();
    let call = CallContext::default();
    let created = ctx.state.ks.as_user(&tokens.access).register_user(&name, email.as_ref()).await;
    match created {
        Ok(_) => {}
        Err(e) => {
            tracing::info!(error = %e, "a first directory sign-in could not create its user");
            return match (&e, e.cause()) {
                (_, Cause::AlreadyExists) | (KsError::Conflict { .. }, _) => again("name_taken"),
                (KsError::Forbidden { .. }, _) => again("email_taken"),
                (KsError::Invalid { status: 422, .. }, _) => again("name_invalid"),
                (KsError::Unavailable { .. } | KsError::Timeout, _) => again("unavailable"),
                _ => start_again().await,
            };
        }
    }
    let fresh = match ctx.state.ks.refresh_grant(&tokens.refresh, &call).await {
        Ok(fresh) => fresh,
        Err(RefreshError::Rejected) => return start_again().await,
        Err(RefreshError::Upstream(e)) => {
            tracing::warn!(error = %e, "could not take the new user's tokens");
            return again("unavailable");
        }
    };
    let user = fresh.access.username_claim().unwrap_or_else(|| name.to_string());
    ctx.vault.remove(&record.vault_key).await;
    let _ = session.remove::<Registering>(REGISTERING_KEY).await;
    // Signed in as someone else than the session was: a new session id.
    let request_id = None;
    let signed_in = match crate::sign_in::begin_session(&ctx, &session, &user, fresh, &request_id).await {
        Ok(vault_key) => crate::sign_in::finish_sign_in(&ctx, &session, &user, vault_key, None, &request_id).await,
        Err(err) => Err(err),
    };
    if let Err(err) = signed_in {
        return crate::errors::error_response(&err, request_id);
    }
    tracing::info!(%user, provider = %record.provider, "signed in for the first time, as a new user");
    Redirect::to(&record.next).into_response()
}
