//! The parts of pages that list memberships: a member table (a workspace's or a project's) and
//! where one person belongs.

use leptos::prelude::*;

use super::{MemberPage, Memberships};
use crate::explain::{ExplainLink, Question};
use crate::i18n::td_string;
use crate::kit::pager;

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
                {pager(members.page, pages, |n| format!("{base}{}page={n}", if base.contains('?') { '&' } else { '?' }))}
            }.into_any()
        }}
    }
}

#[component]
pub fn MembershipList(
    memberships: Memberships,
    /// Whose memberships: each links to what they can do there, and why.
    username: String,
) -> impl IntoView {
    let locale = crate::language::locale();
    let question = move |workspace: &str, place: Option<(&str, &str)>| {
        let (cluster, project) = place.unwrap_or_default();
        Question {
            user: username.clone(),
            workspace: workspace.to_owned(),
            cluster: cluster.to_owned(),
            project: project.to_owned(),
        }
    };
    view! {
        {memberships.partial.map(|text| view! { <p class="notice" role="note">{text}</p> })}
        {if memberships.workspaces.is_empty() {
            view! { <p class="muted">{td_string!(locale, memberships.no_memberships)}</p> }.into_any()
        } else {
            view! {
                <ul class="memberships">
                    {memberships.workspaces.into_iter().map(|w| {
                        let ws_question = question(&w.workspace, None);
                        let project_questions: Vec<Question> =
                            w.projects.iter().map(|p| question(&w.workspace, Some((&p.cluster, &p.project)))).collect();
                        view! {
                        <li class="card">
                            <p>
                                <a href=format!("/workspaces/{}", w.workspace)><strong>{w.workspace.clone()}</strong></a>
                                {match w.role {
                                    Some(role) => view! { <span class="role" data-testid="workspace-role">{format!(" — {role}")}</span> }.into_any(),
                                    None => view! { <span class="muted">{td_string!(locale, memberships.projects_only)}</span> }.into_any(),
                                }}
                                " " <ExplainLink question=ws_question />
                            </p>
                            {(!w.projects.is_empty()).then(|| view! {
                                <ul>
                                    {w.projects.into_iter().zip(project_questions).map(|(p, q)| view! {
                                        <li>
                                            <a href=format!("/projects/{}/{}?workspace={}", p.cluster, p.project, w.workspace)>{p.project.clone()}</a>
                                            <span class="muted">{td_string!(locale, memberships.on_cluster, cluster = &p.cluster).to_string()}</span>
                                            {format!(" — {}", p.role)}
                                            " " <ExplainLink question=q />
                                        </li>
                                    }).collect_view()}
                                </ul>
                            })}
                        </li>
                    }}).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}
