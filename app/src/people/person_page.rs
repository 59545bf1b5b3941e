//! A person's page: who they are and where they belong, with which role.

use leptos::prelude::*;

use super::get_person;
use crate::layout::{error_view, route_param};
use crate::memberships::{get_memberships, MembershipList};

#[component]
pub fn PersonPage() -> impl IntoView {
    let name = route_param("name");
    let person = Resource::new_blocking(name, get_person);
    let memberships = Resource::new_blocking(name, get_memberships);
    view! {
        <main id="main" class="page">
            <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match person.await {
                        Ok(p) => view! {
                            <h1>{p.display_name.clone()}</h1>
                            <section class="card">
                                <dl class="facts">
                                    <dt>"Username"</dt><dd>{p.username.clone()}</dd>
                                    <dt>"E-mail"</dt><dd>{p.email.clone()}</dd>
                                    <dt>"Status"</dt><dd>{p.status.clone()}</dd>
                                    <dt>"Platform role"</dt><dd>{p.platform_role.clone().unwrap_or_else(|| "none".into())}</dd>
                                </dl>
                            </section>
                            <h2>"Workspaces and projects"</h2>
                            <Suspense fallback=|| view! { <p aria-busy="true">"Loading memberships…"</p> }>
                                {move || Suspend::new(async move {
                                    match memberships.await {
                                        Ok(m) => view! { <MembershipList memberships=m /> }.into_any(),
                                        Err(e) => error_view(e),
                                    }
                                })}
                            </Suspense>
                            <p class="button-row">
                                <a class="button secondary" href=format!("/workspaces/invite?user={}", p.username)>"Invite to a workspace"</a>
                                <a class="button secondary" href=format!("/projects/invite?user={}", p.username)>"Invite to a project"</a>
                                <a class="button secondary" href=format!("/roles?user={}", p.username)>"Change a role"</a>
                                <a class="button secondary" href=format!("/activity?person={}", p.username)>"What was done to this person"</a>
                            </p>
                        }.into_any(),
                        Err(e) => error_view(e),
                    }
                })}
            </Suspense>
        </main>
    }
}
