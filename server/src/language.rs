//! `POST /language`: the top bar's language switch. Remembers the choice in a cookie for a year
//! and sends the person back to the page they were on, now rendered in that language.

use app::auth::safe_next_path;
use app::language::{code, from_code, COOKIE};
use app::upstream::Authenticated;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use axum::Form;
use serde::Deserialize;

use crate::ServerContext;

#[derive(Deserialize)]
pub struct LanguageForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    back: Option<String>,
}

pub async fn switch(
    State(ctx): State<ServerContext>,
    signed_in: Option<Extension<Authenticated>>,
    Form(form): Form<LanguageForm>,
) -> Response {
    let back = safe_next_path(form.back.as_deref());
    // Only a supported language's own code is kept; anything else leaves the choice as it was.
    let Some(locale) = from_code(&form.lang) else {
        return Redirect::to(&back).into_response();
    };
    if let Some(Extension(person)) = signed_in {
        // Remembered for the messages they are sent (when KubeSphere has no language for them).
        remember(&ctx.database, &person.username, code(locale)).await;
    }
    let secure = if ctx.config.uses_tls() { "; Secure" } else { "" };
    let cookie = format!("{COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly{secure}", code(locale));
    let mut response = Redirect::to(&back).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

async fn remember(database: &crate::database::Database, username: &str, lang: &str) {
    let kept = async {
        let mut prefs = database.preferences(username).await?;
        prefs.lang = lang.to_owned();
        database.set_preferences(username, &prefs, app::activity_log::ssr::now_ms()).await
    };
    if let Err(e) = kept.await {
        tracing::warn!(error = %e, "notifications: the language choice was not kept");
    }
}

/// Puts the request's language in scope for everything that answers it, the server's own
/// handlers and guards included (pages and server functions also read it from the request).
pub async fn scope(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let locale = app::language::from_headers(req.headers());
    app::language::REQUEST_LOCALE.scope(locale, next.run(req)).await
}
