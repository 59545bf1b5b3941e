//! A project's page: its members.

use leptos::prelude::*;

use super::get_project_details;
use crate::i18n::td_string;
use crate::kit::{page_param, route_param};
use crate::layout::error_view;
use crate::memberships::MembersTable;

#[component]
pub fn ProjectPage() -> impl IntoView {
    let cluster = route_param("cluster");
    let project = route_param("project");
    let page = page_param();
    let query = leptos_router::hooks::use_query_map();
    let workspace = move || query.with(|q| q.get("workspace"));
    let details = Resource::new_blocking(
        move || (cluster(), project(), page(), workspace()),
        |(c, p, page, ws)| get_project_details(c, p, page, ws),
    );
    let locale = crate::language::locale();
    view! {
        <crate::kit::LoadingPage>
                {move || Suspend::new(async move {
                    match details.await {
                        Ok(p) => view! {
                            <h1>{td_string!(locale, projects.page_title, name = p.name.clone()).to_string()}</h1>
                            <p class="muted">{td_string!(locale, projects.on_cluster, cluster = p.cluster.clone()).to_string()}</p>
                            {p.workspace.clone().filter(|_| p.manages).map(|ws| {
                                let place = format!("{}/{}", p.cluster, p.name);
                                view! {
                                    <p class="button-row">
                                        <a class="button secondary" href=format!("/requests/link?workspace={ws}&cluster={}&project={}", p.cluster, p.name)
                                            aria-label=td_string!(locale, requests.join_link_label, place).to_string()>
                                            {td_string!(locale, requests.join_link_title)}
                                        </a>
                                    </p>
                                }
                            })}
                            <h2>{td_string!(locale, projects.members)}</h2>
                            <MembersTable members=p.members.clone() caption=td_string!(locale, projects.members_caption)
                                base=format!("/projects/{}/{}{}", p.cluster, p.name, p.workspace.as_ref().map(|w| format!("?workspace={w}")).unwrap_or_default()) />
                        }.into_any(),
                        Err(e) => error_view(e),
                    }
                })}
        </crate::kit::LoadingPage>
    }
}
