//! `/`: who you are, as KubeSphere sees you.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::auth::{current_user, login_url};
use crate::error::AppError;

#[component]
pub fn HomePage() -> impl IntoView {
    let me = Resource::new_blocking(|| (), |_| current_user());

    view! {
        <main id="main" class="page">
            <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match me.await {
                        Ok(user) => {
                            let role = user.platform_role.clone().unwrap_or_else(|| "none".into());
                            view! {
                                <header class="page-header">
                                    <h1>"Welcome, " {user.display_name.clone()}</h1>
                                </header>
                                <crate::people::LivePersonSearch />
                                <section class="card" aria-labelledby="who-am-i">
                                    <h2 id="who-am-i">"Your account"</h2>
                                    <dl class="facts">
                                        <dt>"Username"</dt>
                                        <dd data-testid="username">{user.username.clone()}</dd>
                                        <dt>"E-mail"</dt>
                                        <dd>{user.email.clone()}</dd>
                                        <dt>"Platform role"</dt>
                                        <dd data-testid="platform-role">{role}</dd>
                                    </dl>
                                </section>
                                <section aria-labelledby="actions-heading">
                                    <h2 id="actions-heading">"What would you like to do?"</h2>
                                    <div class="actions-grid">
                                        {crate::layout::ACTIONS.iter().map(|(href, label, about)| view! {
                                            <a class="card" href=*href><strong>{*label}</strong><span class="muted">{*about}</span></a>
                                        }).collect_view()}
                                    </div>
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
            </Suspense>
        </main>
    }
}
