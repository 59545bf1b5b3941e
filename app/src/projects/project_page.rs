//! A project's page: its members.

use leptos::prelude::*;

use super::get_project_details;
use crate::layout::{error_view, page_param, route_param};
use crate::memberships::MembersTable;

#[component]
pub fn ProjectPage() -> impl IntoView {
    let cluster = route_param("cluster");
    let project = route_param("project");
    let page = page_param();
    let details =
        Resource::new_blocking(move || (cluster(), project(), page()), |(c, p, page)| get_project_details(c, p, page));
    view! {
        <main id="main" class="page">
            <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match details.await {
                        Ok(p) => view! {
                            <h1>"Project " {p.name.clone()}</h1>
                            <p class="muted">{format!("On cluster {}", p.cluster)}</p>
                            <h2>"Members"</h2>
                            <MembersTable members=p.members.clone() caption="Project members and their roles"
                                base=format!("/projects/{}/{}", p.cluster, p.name) />
                        }.into_any(),
                        Err(e) => error_view(e),
                    }
                })}
            </Suspense>
        </main>
    }
}
