//! The parts of pages that list memberships: a member table (a workspace's or a project's) and
//! where one person belongs.

use leptos::prelude::*;

use super::{MemberPage, Memberships};
use crate::layout::pager;

/// One page of members with their roles and e-mails, and links to the neighbouring pages
/// (`base` is the page's own path).
#[component]
pub fn MembersTable(members: MemberPage, caption: &'static str, base: String) -> impl IntoView {
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
pub fn MembershipList(memberships: Memberships) -> impl IntoView {
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
