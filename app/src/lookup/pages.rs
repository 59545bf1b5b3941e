//! The read-only pages: a person, a workspace, a project.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{get_memberships, get_person, get_project_details, get_workspace_details, MemberPage, Memberships};
use crate::widgets::{error_view, pager};

fn param(name: &'static str) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || params.with(|p| p.get(name).unwrap_or_default())
}

fn page_param() -> impl Fn() -> u32 + Copy + Send + Sync + 'static {
    let query = use_query_map();
    move || query.with(|q| q.get("page").and_then(|p| p.parse::<u32>().ok()).unwrap_or(1))
}

/// One page of members with their roles and e-mails, and links to the neighbouring pages
/// (`base` is the page's own path).
#[component]
fn MembersTable(members: MemberPage, caption: &'static str, base: String) -> impl IntoView {
    let pages = members.pages();
    view! {
        {if members.members.is_empty() {
            view! { <p class="muted">"No members you can see."</p> }.into_any()
        } else {
            view! {
                <p class="muted">{match pages {
                    1 => format!("{} members.", members.total),
                    _ => format!("{} members. Page {} of {pages}.", members.total, members.page),
                }}</p>
                <table class="cards-on-phone">
                    <caption class="sr-only">{caption}</caption>
                    <thead><tr><th scope="col">"Member"</th><th scope="col">"Role"</th><th scope="col">"E-mail"</th></tr></thead>
                    <tbody>
                        {members.members.into_iter().map(|m| view! {
                            <tr>
                                <td data-label="Member"><a href=format!("/users/{}", m.username)>{m.username.clone()}</a></td>
                                <td data-label="Role">{m.role}</td>
                                <td data-label="E-mail">{if m.email.is_empty() { "—".to_owned() } else { m.email }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                {pager(members.page, pages, |n| format!("{base}?page={n}"))}
            }.into_any()
        }}
    }
}

#[component]
pub fn PersonPage() -> impl IntoView {
    let name = param("name");
    let person = Resource::new_blocking(name, get_person);
    let memberships = Resource::new_blocking(name, get_memberships);
    view! {
        <crate::TopBar />
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
                            </p>
                        }.into_any(),
                        Err(e) => error_view(e),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn MembershipList(memberships: Memberships) -> impl IntoView {
    view! {
        {memberships.partial.map(|text| view! { <p class="notice" role="note">{text}</p> })}
        {if memberships.workspaces.is_empty() {
            view! { <p class="muted">"Not a member of any workspace or project you can see."</p> }.into_any()
        } else {
            view! {
                <ul class="memberships">
                    {memberships.workspaces.into_iter().map(|w| view! {
                        <li class="card">
                            <p>
                                <a href=format!("/workspaces/{}", w.workspace)><strong>{w.workspace.clone()}</strong></a>
                                {match w.role {
                                    Some(role) => view! { <span class="role" data-testid="workspace-role">{format!(" — {role}")}</span> }.into_any(),
                                    None => view! { <span class="muted">" — projects only"</span> }.into_any(),
                                }}
                            </p>
                            {(!w.projects.is_empty()).then(|| view! {
                                <ul>
                                    {w.projects.into_iter().map(|p| view! {
                                        <li>
                                            <a href=format!("/projects/{}/{}", p.cluster, p.project)>{p.project.clone()}</a>
                                            <span class="muted">{format!(" on {}", p.cluster)}</span>
                                            {format!(" — {}", p.role)}
                                        </li>
                                    }).collect_view()}
                                </ul>
                            })}
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

#[component]
pub fn WorkspacePage() -> impl IntoView {
    let name = param("workspace");
    let page = page_param();
    let details = Resource::new_blocking(move || (name(), page()), |(w, page)| get_workspace_details(w, page));
    view! {
        <crate::TopBar />
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

#[component]
pub fn ProjectPage() -> impl IntoView {
    let cluster = param("cluster");
    let project = param("project");
    let page = page_param();
    let details =
        Resource::new_blocking(move || (cluster(), project(), page()), |(c, p, page)| get_project_details(c, p, page));
    view! {
        <crate::TopBar />
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
