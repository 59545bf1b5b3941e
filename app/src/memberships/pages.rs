//! The parts of pages that list memberships: a member table (a workspace's or a project's) and
//! where one person belongs.

use leptos::prelude::*;

use super::{MemberPage, Memberships};
use crate::i18n::td_string;
use crate::layout::pager;

/// One page of members with their roles and e-mails, and links to the neighbouring pages
/// (`base` is the page's own path).
#[component]
pub fn MembersTable(members: MemberPage, caption: &'static str, base: String) -> impl IntoView {
    let pages = members.pages();
    let locale = crate::language::locale();
    view! {
        {if members.members.is_empty() {
            view! { <p class="muted">{td_string!(locale, memberships.no_members)}</p> }.into_any()
        } else {
            view! {
                <p class="muted">{match pages {
                    1 => td_string!(locale, memberships.member_count, total = members.total).to_string(),
                    _ => td_string!(locale, memberships.member_count_pages, total = members.total, page = members.page, pages)
                        .to_string(),
                }}</p>
                <table class="cards-on-phone">
                    <caption class="sr-only">{caption}</caption>
                    <thead><tr><th scope="col">{td_string!(locale, memberships.col_member)}</th><th scope="col">{td_string!(locale, memberships.col_role)}</th><th scope="col">{td_string!(locale, common.email)}</th></tr></thead>
                    <tbody>
                        {members.members.into_iter().map(|m| view! {
                            <tr>
                                <td data-label=td_string!(locale, memberships.col_member)><a href=format!("/users/{}", m.username)>{m.username.clone()}</a></td>
                                <td data-label=td_string!(locale, memberships.col_role)>{m.role}</td>
                                <td data-label=td_string!(locale, common.email)>{if m.email.is_empty() { "—".to_owned() } else { m.email }}</td>
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
    let locale = crate::language::locale();
    view! {
        {memberships.partial.map(|text| view! { <p class="notice" role="note">{text}</p> })}
        {if memberships.workspaces.is_empty() {
            view! { <p class="muted">{td_string!(locale, memberships.no_memberships)}</p> }.into_any()
        } else {
            view! {
                <ul class="memberships">
                    {memberships.workspaces.into_iter().map(|w| view! {
                        <li class="card">
                            <p>
                                <a href=format!("/workspaces/{}", w.workspace)><strong>{w.workspace.clone()}</strong></a>
                                {match w.role {
                                    Some(role) => view! { <span class="role" data-testid="workspace-role">{format!(" — {role}")}</span> }.into_any(),
                                    None => view! { <span class="muted">{td_string!(locale, memberships.projects_only)}</span> }.into_any(),
                                }}
                            </p>
                            {(!w.projects.is_empty()).then(|| view! {
                                <ul>
                                    {w.projects.into_iter().map(|p| view! {
                                        <li>
                                            <a href=format!("/projects/{}/{}", p.cluster, p.project)>{p.project.clone()}</a>
                                            <span class="muted">{td_string!(locale, memberships.on_cluster, cluster = &p.cluster).to_string()}</span>
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
