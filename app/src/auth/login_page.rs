//! `/login`: a plain HTML form posting to `/login`, so it works before (and without) the WASM.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::error::AppError;
use crate::i18n::td_string;

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let locale = crate::language::locale();
    let param = move |key: &str| query.with_untracked(|q| q.get(key));

    let next = super::safe_next_path(param("next").as_deref());
    let username = param("username").unwrap_or_default();
    let provider = param("provider").unwrap_or_default();
    // Read on the server when the page is served (no WASM on this page).
    let directories = Resource::new_blocking(
        || (),
        |_| async move {
            #[cfg(feature = "ssr")]
            {
                match use_context::<crate::upstream::AppState>() {
                    Some(state) => state.sign_in.directories(&state.ks).await,
                    None => Vec::new(),
                }
            }
            #[cfg(not(feature = "ssr"))]
            {
                Vec::<crate::sign_in_methods::Directory>::new()
            }
        },
    );
    let error = param("error").and_then(|code| AppError::from_code(&code));
    let notice = match param("reason").as_deref() {
        Some("signed_out") => Some(td_string!(locale, auth.signed_out)),
        Some(code) => AppError::from_code(code).map(|e| match e {
            AppError::SessionExpired => td_string!(locale, errors.session_expired),
            _ => td_string!(locale, errors.not_signed_in),
        }),
        None => None,
    };
    let has_error = error.is_some();

    view! {
        <main class="auth-page" id="main">
            <div class="card auth-card">
                <crate::language::LanguageSwitch />
                <h1>{td_string!(locale, auth.title)}</h1>
                <p class="muted">{td_string!(locale, auth.subtitle)}</p>
                {notice.map(|text| view! { <p class="notice" role="status">{text}</p> })}
                {error.map(|e| view! { <p class="error-banner" role="alert" id="login-error">{e.message_in(locale)}</p> })}
                <Suspense fallback=|| ()>
                    {move || {
                        let (next, username, provider) = (next.clone(), username.clone(), provider.clone());
                        Suspend::new(async move {
                            let directories = directories.await;
                            view! { <LoginForm next username provider directories has_error /> }
                        })
                    }}
                </Suspense>
            </div>
        </main>
    }
}

/// The sign-in form: a plain POST (the page needs no WASM). With directories, it first asks where
/// the account lives: a KubeSphere account (the default) or one of them.
#[component]
fn LoginForm(
    next: String,
    username: String,
    provider: String,
    directories: Vec<crate::sign_in_methods::Directory>,
    has_error: bool,
) -> impl IntoView {
    let locale = crate::language::locale();
    let choice = (!directories.is_empty()).then(|| {
        let options = directories
            .into_iter()
            .map(|d| {
                let chosen = d.name == provider;
                view! { <option value=d.name selected=chosen>{d.label}</option> }
            })
            .collect_view();
        view! {
            <div class="field">
                <label for="provider">{td_string!(locale, auth.sign_in_with)}</label>
                <select id="provider" name="provider">
                    <option value="" selected=provider.is_empty()>{td_string!(locale, auth.kubesphere_account)}</option>
                    {options}
                </select>
            </div>
        }
    });
    view! {
    <form
        method="post"
        action="/login"
        class="stack"
        aria-describedby=has_error.then_some("login-error")
    >
        <input type="hidden" name="next" value=next />
        {choice}
        <div class="field">
            <label for="username">{td_string!(locale, auth.username_or_email)}</label>
            <input
                id="username"
                name="username"
                type="text"
                autocomplete="username"
                autocapitalize="none"
                spellcheck="false"
                required
                autofocus
                value=username
                aria-invalid=has_error.then_some("true")
            />
        </div>
        <div class="field">
            <label for="password">{td_string!(locale, auth.password)}</label>
            <input
                id="password"
                name="password"
                type="password"
                autocomplete="current-password"
                required
                aria-invalid=has_error.then_some("true")
            />
        </div>
        <button type="submit" class="button primary">{td_string!(locale, auth.sign_in)}</button>
    </form>
    }
}
