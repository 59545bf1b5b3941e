//! `/login/confirm`: a directory person's first sign-in (KubeSphere's `manual` mapping) asks for
//! the username of their KubeSphere account. A plain form posted to the server, no WASM.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::Registration;
use crate::i18n::td_string;

#[component]
pub fn ConfirmPage() -> impl IntoView {
    let locale = crate::language::locale();
    let query = use_query_map();
    let param = move |key: &str| query.with_untracked(|q| q.get(key));
    let registration = registration();
    let typed = param("username");
    let value = typed.clone().unwrap_or_else(|| registration.suggested.clone());
    // A problem is named by a code: the page says it in its own words (a link cannot inject any).
    let problem = param("problem").map(|code| match code.as_str() {
        "name_taken" => td_string!(locale, auth.name_taken).to_owned(),
        "email_taken" => td_string!(locale, auth.email_taken).to_owned(),
        "unavailable" => td_string!(locale, auth.confirm_unavailable).to_owned(),
        _ => match ks_types::UserName::parse_new(typed.as_deref().unwrap_or_default()) {
            Err(e) => crate::error::name_error(&e),
            Ok(_) => td_string!(locale, auth.name_taken).to_owned(),
        },
    });
    let directory = registration.provider.clone();
    view! {
        <main class="auth-page" id="main">
            <div class="card auth-card">
                <h1>{td_string!(locale, auth.confirm_title)}</h1>
                <p class="muted">{td_string!(locale, auth.confirm_intro, directory = directory.as_str()).to_string()}</p>
                {(!registration.email.is_empty()).then(|| view! {
                    <p>{td_string!(locale, auth.confirm_email, email = registration.email.as_str()).to_string()}</p>
                })}
                <form method="post" action="/login/confirm" class="stack">
                    <div class="field">
                        <label for="username">{td_string!(locale, auth.confirm_username)}</label>
                        <input id="username" name="username" type="text" value=value required autofocus
                            autocomplete="username" autocapitalize="none" spellcheck="false"
                            aria-describedby="username-hint username-error" aria-invalid=problem.is_some().then_some("true") />
                        <p class="hint" id="username-hint">{td_string!(locale, auth.confirm_hint)}</p>
                        <p class="field-error" id="username-error" role="alert">{problem}</p>
                    </div>
                    <button type="submit" class="button primary">{td_string!(locale, auth.confirm_submit)}</button>
                </form>
            </div>
        </main>
    }
}

/// What the server put in the request for this page (empty elsewhere).
fn registration() -> Registration {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<Registration>().cloned())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        Registration::default()
    }
}
