//! `/`: who you are, as KubeSphere sees you, and what you may do.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::auth::{current_user, login_url};
use crate::error::AppError;
use crate::i18n::td_string;

#[component]
pub fn HomePage() -> impl IntoView {
    let me = Resource::new_blocking(|| (), |_| current_user());
    // The same answer as the top bar's (one load, from the session cache).
    let abilities = Resource::new_blocking(|| (), |_| crate::abilities::my_abilities());
    let locale = crate::language::locale();

    view! {
        <crate::kit::LoadingPage>
                {move || Suspend::new(async move {
                    match me.await {
                        Ok(user) => {
                            let abilities = crate::abilities::Abilities::offered(abilities.await);
                            let role = user.platform_role.clone().unwrap_or_else(|| td_string!(locale, home.no_role).to_owned());
                            view! {
                                <header class="page-header">
                                    <h1>{td_string!(locale, home.welcome, name = user.display_name.clone()).to_string()}</h1>
                                </header>
                                <crate::people::LivePersonSearch><crate::people::PersonSearch hint="person-search-hint" /></crate::people::LivePersonSearch>
                                <section class="card" aria-labelledby="who-am-i">
                                    <h2 id="who-am-i">{td_string!(locale, home.your_account)}</h2>
                                    <dl class="facts">
                                        <dt>{td_string!(locale, common.username)}</dt>
                                        <dd data-testid="username">{user.username.clone()}</dd>
                                        <dt>{td_string!(locale, common.email)}</dt>
                                        <dd>{user.email.clone()}</dd>
                                        <dt>{td_string!(locale, common.platform_role)}</dt>
                                        <dd data-testid="platform-role">{role}</dd>
                                    </dl>
                                    <p class="button-row">
                                        <a class="button secondary" href=format!("/users/{}", user.username)>{td_string!(locale, home.my_access)}</a>
                                        <a class="button secondary" href="/settings/notifications">{td_string!(locale, home.my_notifications)}</a>
                                    </p>
                                </section>
                                <section class="next-steps" aria-labelledby="actions-heading">
                                    <h2 id="actions-heading">{td_string!(locale, home.what_next)}</h2>
                                    {what_next(abilities)}
                                </section>
                            }
                            .into_any()
                        }
                        Err(err @ (AppError::SessionExpired | AppError::NotSignedIn)) => {
                            view! { <Redirect path=login_url("/", Some(&err)) /> }.into_any()
                        }
                        Err(err) => view! { <p class="error-banner" role="alert">{err.message()}</p> }.into_any(),
                    }
                })}
        </crate::kit::LoadingPage>
    }
}

/// A card for each page this person may use; to someone who may change nothing, who can.
fn what_next(abilities: crate::abilities::Abilities) -> AnyView {
    let locale = crate::language::locale();
    let allowed: Vec<_> = abilities.allowed().collect();
    if allowed.is_empty() {
        return view! { <p class="notice" role="note">{td_string!(locale, home.only_look_up)}</p> }.into_any();
    }
    view! {
        <div class="actions-grid">
            {allowed.into_iter().map(|action| {
                let (label, about) = crate::layout::action_words(locale, action);
                view! { <a class="card" href=action.href()><strong>{label}</strong><span class="muted">{about}</span></a> }
            }).collect_view()}
        </div>
    }
    .into_any()
}
