//! `/login`: a plain HTML form posting to `/login`, so it works before (and without) the WASM.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::error::AppError;
use crate::i18n::td_string;
use crate::sign_in_methods::{SignInChoices, SignInMethod, StillSignedIn};

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let locale = crate::language::locale();
    let param = move |key: &str| query.with_untracked(|q| q.get(key));

    let next = super::safe_next_path(param("next").as_deref());
    let username = param("username").unwrap_or_default();
    let provider = param("provider").unwrap_or_default();
    // After signing out of a session that began with single sign-on: which provider it was.
    let signed_out_of =
        (param("reason").as_deref() == Some("signed_out")).then(|| param("via")).flatten().filter(|v| !v.is_empty());
    // Read on the server when the page is served (no WASM on this page).
    let choices = Resource::new_blocking(
        move || signed_out_of.clone(),
        |signed_out_of| async move {
            #[cfg(feature = "ssr")]
            {
                match use_context::<crate::upstream::AppState>() {
                    Some(state) => state.sign_in.choices(&state.ks, signed_out_of.as_deref()).await,
                    None => SignInChoices::default(),
                }
            }
            #[cfg(not(feature = "ssr"))]
            {
                let _ = signed_out_of;
                SignInChoices::default()
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
                            let choices = choices.await;
                            let single_sign_on = choices.single_sign_on;
                            let sso_next = next.clone();
                            view! {
                                {choices.still_signed_in.map(|still| view! { <StillSignedInNotice still /> })}
                                <LoginForm next username provider directories=choices.directories has_error />
                                {(!single_sign_on.is_empty()).then(|| view! { <SingleSignOnButtons methods=single_sign_on next=sso_next /> })}
                            }
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
    directories: Vec<SignInMethod>,
    has_error: bool,
) -> impl IntoView {
    let locale = crate::language::locale();
    let choice = (!directories.is_empty()).then(|| {
        let options = crate::kit::options(directories.into_iter().map(|d| (d.name, d.label)), &provider);
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

/// One button per single sign-on provider, outside the form: each goes through KubeSphere's
/// console and comes back signed in (plain links: no WASM).
#[component]
fn SingleSignOnButtons(methods: Vec<SignInMethod>, next: String) -> impl IntoView {
    let locale = crate::language::locale();
    let buttons = methods
        .into_iter()
        .map(|m| {
            let href = format!(
                "/login/sso?provider={}&next={}",
                crate::kit::url::encode_query_value(&m.name),
                crate::kit::url::encode_query_value(&next)
            );
            let label = td_string!(locale, auth.sign_in_with_provider, name = m.label.clone()).to_string();
            view! { <li><a class="button" href=href>{label}</a></li> }
        })
        .collect_view();
    view! {
        <section class="stack single-sign-on" aria-labelledby="sso-heading">
            <h2 id="sso-heading" class="divider">{td_string!(locale, auth.or_single_sign_on)}</h2>
            <ul class="plain stack">{buttons}</ul>
            <p class="muted small">{td_string!(locale, auth.single_sign_on_hint)}</p>
        </section>
    }
}

/// After signing out of a session that began with single sign-on: KubeSphere's console (and
/// the provider) may still have the person signed in, so the next press signs them straight
/// back in. Offers both sign-outs.
#[component]
fn StillSignedInNotice(still: StillSignedIn) -> impl IntoView {
    let locale = crate::language::locale();
    let provider = still.provider_sign_out.map(|(label, url)| {
        let text = td_string!(locale, auth.sign_out_of_provider, name = label).to_string();
        view! { <li><a href=url rel="noreferrer">{text}</a></li> }
    });
    view! {
        <section class="notice" aria-labelledby="still-signed-in">
            <p id="still-signed-in">{td_string!(locale, auth.still_signed_in)}</p>
            <ul>
                <li><a href=still.kubesphere_sign_out rel="noreferrer">{td_string!(locale, auth.sign_out_of_kubesphere)}</a></li>
                {provider}
            </ul>
        </section>
    }
}
