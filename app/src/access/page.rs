//! `/workspaces/{ws}/access`: every member of the workspace and of its projects, filtered by
//! project, role and status, 50 a page, with the export beside it. Plain HTML (no WASM).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{workspace_access, AccessReview, Membership, Scope, PAGE_SIZE};
use crate::i18n::td_string;
use crate::layout::{error_view, route_param};

/// The role filter's value for every custom role (custom roles are never named in a control).
const CUSTOM: &str = "custom";

/// The filters, as the page's query has them.
#[derive(Debug, Clone, Default, PartialEq)]
struct Filters {
    /// `cluster/project`, or `workspace` for the workspace's own members.
    place: String,
    role: String,
    status: String,
    page: usize,
}

impl Filters {
    fn keeps(&self, m: &Membership) -> bool {
        let place = match m.scope {
            Scope::Workspace => "workspace".to_owned(),
            Scope::Project => format!("{}/{}", m.cluster, m.project),
        };
        (self.place.is_empty() || self.place == place)
            && (self.role.is_empty() || self.role == m.role || (self.role == CUSTOM && m.custom))
            && (self.status.is_empty() || self.status == m.status.token())
    }
}

#[component]
pub fn AccessPage() -> impl IntoView {
    let name = route_param("workspace");
    let query = use_query_map();
    let filters = move || {
        query.with(|q| Filters {
            place: q.get("place").unwrap_or_default(),
            role: q.get("role").unwrap_or_default(),
            status: q.get("status").unwrap_or_default(),
            page: q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1),
        })
    };
    let review = Resource::new_blocking(name, workspace_access);
    let locale = crate::language::locale();
    view! {
        <main id="main" class="page">
            <Suspense fallback=move || view! { <p aria-busy="true">{td_string!(locale, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match review.await {
                        Ok(r) => view! { <Review review=r filters=filters() /> }.into_any(),
                        Err(e) => error_view(e),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn Review(review: AccessReview, filters: Filters) -> impl IntoView {
    let locale = crate::language::locale();
    let ws = review.workspace.clone();
    let shown: Vec<&Membership> = review.memberships.iter().filter(|m| filters.keeps(m)).collect();
    let total = shown.len();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = filters.page.min(pages);
    let rows: Vec<Membership> = shown.into_iter().skip((page - 1) * PAGE_SIZE).take(PAGE_SIZE).cloned().collect();
    let mut roles: Vec<String> = review.memberships.iter().filter(|m| !m.custom).map(|m| m.role.clone()).collect();
    roles.sort();
    roles.dedup();
    let page_link = {
        let (ws, f) = (ws.clone(), filters.clone());
        move |n: usize| {
            let query = [("place", f.place.as_str()), ("role", f.role.as_str()), ("status", f.status.as_str())]
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| format!("{k}={}", crate::url::encode_query_value(v)))
                .chain(std::iter::once(format!("page={n}")))
                .collect::<Vec<_>>()
                .join("&");
            format!("/workspaces/{ws}/access?{query}")
        }
    };
    let option = |value: String, label: String, chosen: &str| {
        let selected = value == chosen;
        view! { <option value=value selected=selected>{label}</option> }
    };
    let place_options =
        std::iter::once(("workspace".to_owned(), td_string!(locale, access.workspace_itself).to_owned()))
            .chain(review.projects.iter().map(|p| (p.clone(), p.clone())))
            .map(|(v, l)| option(v, l, &filters.place))
            .collect_view();
    let any_custom = review.memberships.iter().any(|m| m.custom);
    let role_options = roles
        .into_iter()
        .map(|r| (r.clone(), r))
        .chain(any_custom.then(|| (CUSTOM.to_owned(), td_string!(locale, access.custom_roles).to_owned())))
        .map(|(v, l)| option(v, l, &filters.role))
        .collect_view();
    let status_options = ["active", "disabled", "locked", "pending"]
        .into_iter()
        .map(|s| option(s.to_owned(), s.to_owned(), &filters.status))
        .collect_view();
    view! {
        <h1>{td_string!(locale, access.title, workspace = ws.clone()).to_string()}</h1>
        <p class="muted">{td_string!(locale, access.intro)}</p>
        <p><a class="button secondary" href=format!("/workspaces/{ws}/access.csv") download>{td_string!(locale, access.export)}</a></p>
        {review.partial.then(|| view! { <p class="notice" role="note">{td_string!(locale, access.partial)}</p> })}
        {(!review.left_out.is_empty() || !review.clusters_unanswered.is_empty()).then(|| {
            let left_out = review.left_out.join(", ");
            let unanswered = review.clusters_unanswered.join(", ");
            view! {
                <p class="notice" role="note">
                    {(!left_out.is_empty()).then(|| td_string!(locale, access.left_out, projects = left_out.clone()).to_string())}
                    " "
                    {(!unanswered.is_empty()).then(|| td_string!(locale, access.clusters_unanswered, clusters = unanswered.clone()).to_string())}
                </p>
            }
        })}
        <form method="get" class="filters" aria-label=td_string!(locale, access.filters)>
            <div class="field">
                <label for="filter-place">{td_string!(locale, access.place)}</label>
                <select id="filter-place" name="place"><option value="">{td_string!(locale, access.everywhere)}</option>{place_options}</select>
            </div>
            <div class="field">
                <label for="filter-role">{td_string!(locale, access.role)}</label>
                <select id="filter-role" name="role"><option value="">{td_string!(locale, access.any_role)}</option>{role_options}</select>
            </div>
            <div class="field">
                <label for="filter-status">{td_string!(locale, access.status)}</label>
                <select id="filter-status" name="status"><option value="">{td_string!(locale, access.any_status)}</option>{status_options}</select>
            </div>
            <button type="submit" class="button">{td_string!(locale, access.apply_filters)}</button>
        </form>
        <p role="status">{td_string!(locale, access.count, n = total).to_string()}</p>
        <table class="cards-on-phone">
            <caption class="sr-only">{td_string!(locale, access.caption, workspace = ws.clone()).to_string()}</caption>
            <thead><tr>
                <th scope="col">{td_string!(locale, common.username)}</th>
                <th scope="col">{td_string!(locale, access.place)}</th>
                <th scope="col">{td_string!(locale, access.role)}</th>
                <th scope="col">{td_string!(locale, access.status)}</th>
                <th scope="col">{td_string!(locale, access.last_sign_in)}</th>
                <th scope="col">{td_string!(locale, access.how)}</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|m| {
                    let place = match m.scope {
                        Scope::Workspace => td_string!(locale, access.workspace_itself).to_owned(),
                        Scope::Project => format!("{}/{}", m.cluster, m.project),
                    };
                    let how = match &m.granted {
                        Some(g) => td_string!(locale, access.through_console, by = g.by.clone(), at = g.at.replace('T', " ").replace('Z', " UTC")).to_string(),
                        None => td_string!(locale, access.outside_console).to_owned(),
                    };
                    view! {
                        <tr>
                            <td data-label=td_string!(locale, common.username)>
                                <a href=format!("/users/{}", m.username)>{m.username.clone()}</a>
                                <span class="muted">" "{m.email.clone()}</span>
                            </td>
                            <td data-label=td_string!(locale, access.place)>{place}</td>
                            <td data-label=td_string!(locale, access.role)>
                                {m.role.clone()}
                                {m.custom.then(|| view! { <span class="muted">" "{td_string!(locale, access.custom_role)}</span> })}
                            </td>
                            <td data-label=td_string!(locale, access.status)>{m.status.token()}</td>
                            <td data-label=td_string!(locale, access.last_sign_in)>{match m.last_login.clone() {
                                Some(at) => view! { <time datetime=at.clone()>{at.replace('T', " ").replace('Z', " UTC")}</time> }.into_any(),
                                None => td_string!(locale, access.never).into_any(),
                            }}</td>
                            <td data-label=td_string!(locale, access.how)>{how}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {crate::layout::pager(page as u32, pages as u32, move |n| page_link(n as usize))}
    }
}
