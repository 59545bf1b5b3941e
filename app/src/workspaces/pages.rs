//! A workspace's page (its clusters, members and projects) and the list of workspaces.

use leptos::prelude::*;

use super::get_workspace_details;
use crate::layout::{error_view, page_param, route_param};
use crate::memberships::MembersTable;

#[component]
pub fn WorkspacePage() -> impl IntoView {
    let name = route_param("workspace");
    let page = page_param();
    let details = Resource::new_blocking(move || (name(), page()), |(w, page)| get_workspace_details(w, page));
    view! {
        <main id="main" class="page">
            <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match details.await {
                        Ok(w) => view! {
                            <h1>"Workspace " {w.name.clone()}</h1>
                            <section class="card">
                                <dl class="facts">
                                    <dt>"Manager"</dt><dd>{w.manager.clone().unwrap_or_else(|| "—".into())}</dd>
                                    <dt>"Clusters"</dt><dd>{w.clusters.join(", ")}</dd>
                                </dl>
                            </section>
                            <h2>"Members"</h2>
                            {if w.setting_up {
                                view! {
                                    <p class="notice" role="status">
                                        "KubeSphere is still setting up this new workspace. Its members appear in a moment: reload the page."
                                    </p>
                                }.into_any()
                            } else {
                                view! {
                                    <MembersTable members=w.members.clone() caption="Workspace members and their roles"
                                        base=format!("/workspaces/{}", w.name) />
                                }.into_any()
                            }}
                            <h2>"Projects"</h2>
                            <ul class="link-list">
                                {w.projects.iter().map(|p| view! {
                                    <li><a href=format!("/projects/{}/{}", p.cluster, p.name)>{p.name.clone()}</a>
                                    <span class="muted">{format!(" on {}", p.cluster)}</span></li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => error_view(e),
                    }
                })}
            </Suspense>
        </main>
    }
}

/// The workspaces the signed-in user can see.
#[component]
pub fn WorkspacesPage() -> impl IntoView {
    let data = Resource::new_blocking(|| (), |_| crate::directory::my_workspaces());
    view! {
        <main id="main" class="page">
            <h1>"Workspaces"</h1>
            <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(ws) if ws.is_empty() => view! { <p class="muted">"You are not a member of any workspace."</p> }.into_any(),
                        Ok(ws) => view! {
                            <table class="cards-on-phone">
                                <caption class="sr-only">"Workspaces you can see"</caption>
                                <thead><tr><th scope="col">"Workspace"</th><th scope="col">"Clusters"</th></tr></thead>
                                <tbody>
                                    {ws.into_iter().map(|w| view! {
                                        <tr>
                                            <td data-label="Workspace"><a href=format!("/workspaces/{}", w.name)>{w.name.clone()}</a></td>
                                            <td data-label="Clusters">{w.clusters.join(", ")}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(e) => error_view(e),
                    }
                })}
            </Suspense>
        </main>
    }
}
