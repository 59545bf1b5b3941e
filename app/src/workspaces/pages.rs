//! A workspace's page (its clusters, members and projects) and the list of workspaces.

use leptos::prelude::*;

use super::get_workspace_details;
use crate::i18n::td_string;
use crate::kit::{page_param, route_param};
use crate::layout::error_view;
use crate::memberships::MembersTable;

#[component]
pub fn WorkspacePage() -> impl IntoView {
    let name = route_param("workspace");
    let page = page_param();
    // Whether the reader manages its members (for the join link) is asked beside the details.
    let details = Resource::new_blocking(
        move || (name(), page()),
        |(w, page)| async move {
            let (details, manages) = futures::join!(
                get_workspace_details(w.clone(), page),
                crate::memberships::can_manage_workspace_members(w)
            );
            details.map(|d| (d, manages.unwrap_or(false)))
        },
    );
    let locale = crate::language::locale();
    view! {
        <crate::kit::LoadingPage>
                {move || Suspend::new(async move {
                    match details.await {
                        Ok((w, manages)) => view! {
                            <h1>{td_string!(locale, workspaces.page_title, name = w.name.clone()).to_string()}</h1>
                            <section class="card">
                                <dl class="facts">
                                    <dt>{td_string!(locale, workspaces.manager)}</dt><dd>{w.manager.clone().unwrap_or_else(|| "—".into())}</dd>
                                    <dt>{td_string!(locale, workspaces.clusters)}</dt><dd>{w.clusters.join(", ")}</dd>
                                </dl>
                            </section>
                            <p class="button-row">
                                <a class="button secondary" href=format!("/workspaces/{}/access", w.name)>{td_string!(locale, access.review_link)}</a>
                                {manages.then(|| view! {
                                    <a class="button secondary" href=format!("/requests/link?workspace={}", w.name)
                                        aria-label=td_string!(locale, requests.join_link_label, place = w.name.clone()).to_string()>
                                        {td_string!(locale, requests.join_link_title)}
                                    </a>
                                })}
                            </p>
                            <h2>{td_string!(locale, workspaces.members)}</h2>
                            {if w.setting_up {
                                view! {
                                    <p class="notice" role="status">{td_string!(locale, workspaces.setting_up)}</p>
                                }.into_any()
                            } else {
                                view! {
                                    <MembersTable members=w.members.clone() caption=td_string!(locale, workspaces.members_caption)
                                        base=format!("/workspaces/{}", w.name) />
                                }.into_any()
                            }}
                            <h2>{td_string!(locale, workspaces.projects)}</h2>
                            <ul class="link-list">
                                {w.projects.iter().map(|p| view! {
                                    <li><a href=format!("/projects/{}/{}?workspace={}", p.cluster, p.name, w.name)>{p.name.clone()}</a>
                                    <span class="muted">{td_string!(locale, workspaces.on_cluster, cluster = p.cluster.clone()).to_string()}</span></li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => error_view(e),
                    }
                })}
        </crate::kit::LoadingPage>
    }
}

/// The workspaces the signed-in user can see.
#[component]
pub fn WorkspacesPage() -> impl IntoView {
    let data = Resource::new_blocking(|| (), |_| crate::directory::my_workspaces());
    let locale = crate::language::locale();
    view! {
        <main id="main" class="page">
            <h1>{td_string!(locale, workspaces.list_title)}</h1>
            <Suspense fallback=crate::kit::Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(ws) if ws.is_empty() => view! { <p class="muted">{td_string!(locale, workspaces.none)}</p> }.into_any(),
                        Ok(ws) => view! {
                            <table class="cards-on-phone">
                                <caption class="sr-only">{td_string!(locale, workspaces.list_caption)}</caption>
                                <thead><tr><th scope="col">{td_string!(locale, workspaces.col_workspace)}</th><th scope="col">{td_string!(locale, workspaces.clusters)}</th></tr></thead>
                                <tbody>
                                    {ws.into_iter().map(|w| view! {
                                        <tr>
                                            <td data-label=td_string!(locale, workspaces.col_workspace)><a href=format!("/workspaces/{}", w.name)>{w.name.clone()}</a></td>
                                            <td data-label=td_string!(locale, workspaces.clusters)>{w.clusters.join(", ")}</td>
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
