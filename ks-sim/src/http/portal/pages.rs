//! The portal stand-in's HTML: plain, accessible pages (labelled fields, one heading each) that
//! a browser test can drive by role and label.

use axum::response::{Html, IntoResponse, Response};
use http::StatusCode;

use crate::http::go_url;

pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title></head>\n\
         <body><main>\n<h1>{}</h1>\n{body}\n</main></body></html>\n",
        escape(title),
        escape(title)
    );
    (status, Html(html)).into_response()
}

fn alert(message: Option<&str>) -> String {
    message.map(|m| format!("<p role=\"alert\">{}</p>", escape(m))).unwrap_or_default()
}

/// The username and password fields and the submit button, posting to `action`.
fn credentials_form(action: &str, button: &str, hidden: &[(&str, &str)]) -> String {
    let hidden: String = hidden
        .iter()
        .map(|(k, v)| format!("<input type=\"hidden\" name=\"{}\" value=\"{}\">", escape(k), escape(v)))
        .collect();
    format!(
        "<form method=\"post\" action=\"{}\">{hidden}\n\
         <p><label for=\"username\">Username</label> <input id=\"username\" name=\"username\" autocomplete=\"username\" required></p>\n\
         <p><label for=\"password\">Password</label> <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required></p>\n\
         <p><button type=\"submit\">{}</button></p>\n</form>",
        escape(action),
        escape(button)
    )
}

/// One OAuth provider's entry on the sign-in page.
pub(crate) struct ProviderLink {
    pub name: String,
    /// The display name, or the name when it has none.
    pub label: String,
}

/// `GET /login`: the local sign-in form, then a link per OAuth provider (to its stand-in).
pub(crate) fn login(message: Option<&str>, providers: &[ProviderLink]) -> Response {
    let links: String = providers
        .iter()
        .map(|p| {
            // The official portal sends `state=<provider name>` to the provider.
            let href = format!("/_idp/{}/login?state={}", go_url::path_escape(&p.name), go_url::query_escape(&p.name));
            format!("<li><a href=\"{}\">Log In with {}</a></li>", escape(&href), escape(&p.label))
        })
        .collect();
    let others = if links.is_empty() { String::new() } else { format!("<ul>{links}</ul>") };
    let body = format!("{}\n{}\n{others}", alert(message), credentials_form("/login", "Log In", &[]));
    page(StatusCode::OK, "Log in to KubeSphere", &body)
}

/// `GET /` with a session.
pub(crate) fn home(username: &str) -> Response {
    let body =
        format!("<p>Signed in to KubeSphere as {}</p>\n<p><a href=\"/logout\">Sign out</a></p>", escape(username));
    page(StatusCode::OK, "KubeSphere", &body)
}

/// What the official portal shows next but the stand-in does not model.
pub(crate) fn not_modelled(title: &str, what: &str) -> Response {
    let body = format!("<p>The simulator's portal does not model {}.</p>\n<p><a href=\"/\">Home</a></p>", escape(what));
    page(StatusCode::OK, title, &body)
}

/// A failed step, with KubeSphere's status.
pub(crate) fn failed(status: StatusCode, title: &str, message: &str) -> Response {
    let body = format!("{}\n<p><a href=\"/login\">Log in</a></p>", alert(Some(message)));
    page(status, title, &body)
}

/// The OAuth provider stand-in's sign-in page (`/_idp/{idp}/login`).
pub(crate) fn idp_login(idp: &str, label: &str, state: &str, message: Option<&str>) -> Response {
    let action = format!("/_idp/{}/login", go_url::path_escape(idp));
    let body = format!("{}\n{}", alert(message), credentials_form(&action, "Sign In", &[("state", state)]));
    page(StatusCode::OK, &format!("Sign in to {label}"), &body)
}

/// 404 for an unknown provider at the stand-in.
pub(crate) fn no_such_provider() -> Response {
    page(StatusCode::NOT_FOUND, "Not found", "<p>No such identity provider.</p>")
}
