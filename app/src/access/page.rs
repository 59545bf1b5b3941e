//! `/workspaces/{ws}/access`: every member of the workspace and of its projects, filtered by
//! project, role and status, 50 a page, with the export beside it. Plain HTML (no WASM).

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

use super::{
    workspace_access_page, AccessView, ChangeKind, Changes, Filters, MarkAccessReviewed, Scope, SignOff, Through,
    CUSTOM,
};
use crate::explain::{ExplainLink, Question};
use crate::i18n::td_string;
use crate::kit::{options, route_param, take_flash, FormError, FormState};
use crate::layout::error_view;

/// Changes listed on the page; the export has them all.
const CHANGES_SHOWN: usize = 200;

/// An RFC 3339 UTC time as people read it.
fn readable(at: &str) -> String {
    at.replace('T', " ").replace('Z', " UTC")
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
            since: q.get("since").unwrap_or_default(),
        })
    };
    // Filtered and cut to one page on the server: the page carries 50 rows, not the workspace.
    let review = Resource::new_blocking(
        move || (name(), filters()),
        |(ws, f)| async move {
            let (flash, review) = futures::join!(take_flash(), workspace_access_page(ws, f));
            review.map(|r| (r, flash.ok().flatten()))
        },
    );
    view! {
        <crate::kit::LoadingPage>
                {move || Suspend::new(async move {
                    match review.await {
                        Ok((r, flash)) => view! { <Review review=r filters=filters() flash /> }.into_any(),
                        Err(e) => error_view(e),
                    }
                })}
        </crate::kit::LoadingPage>
    }
}

#[component]
fn Review(review: AccessView, filters: Filters, flash: Option<crate::kit::Flash>) -> impl IntoView {
    let locale = crate::language::locale();
    let ws = review.workspace.clone();
    let sign_off_form = FormState::<MarkAccessReviewed>::new(&flash);
    let (complete, sign_off, changes, since_error) =
        (review.complete, review.sign_off, review.changes, review.since_error);
    let (total, page, pages, rows) = (review.total, review.page, review.pages, review.rows);
    let roles = review.roles;
    let page_link = {
        let (ws, f) = (ws.clone(), filters.clone());
        move |n: usize| {
            let query = [("place", f.place.as_str()), ("role", f.role.as_str()), ("status", f.status.as_str())]
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| format!("{k}={}", crate::kit::url::encode_query_value(v)))
                .chain(std::iter::once(format!("page={n}")))
                .collect::<Vec<_>>()
                .join("&");
            format!("/workspaces/{ws}/access?{query}")
        }
    };
    let place_options = options(
        std::iter::once(("workspace".to_owned(), td_string!(locale, access.workspace_itself).to_owned()))
            .chain(review.places.iter().map(|p| (p.clone(), p.clone()))),
        &filters.place,
    );
    let any_custom = review.any_custom;
    let role_options = options(
        roles
            .into_iter()
            .map(|r| (r.clone(), r))
            .chain(any_custom.then(|| (CUSTOM.to_owned(), td_string!(locale, access.custom_roles).to_owned()))),
        &filters.role,
    );
    let status_options =
        options(["active", "disabled", "locked", "pending"].map(|s| (s.to_owned(), s.to_owned())), &filters.status);
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
        <SignOffSection workspace=ws.clone() complete sign_off form=sign_off_form />
        {complete.then(|| view! {
            <ChangesSection workspace=ws.clone() since=filters.since.clone() changes since_error />
        })}
        <h2>{td_string!(locale, access.members_title)}</h2>
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
                                " " <ExplainLink question=Question {
                                    user: m.username.clone(),
                                    workspace: ws.clone(),
                                    cluster: m.cluster.clone(),
                                    project: m.project.clone(),
                                } />
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
        {crate::kit::pager(page as u32, pages as u32, move |n| page_link(n as usize))}
    }
}

/// Who last reviewed this access, and the button that records a review (for those who could
/// list every membership).
#[component]
fn SignOffSection(
    workspace: String,
    complete: bool,
    sign_off: Option<SignOff>,
    form: FormState<MarkAccessReviewed>,
) -> impl IntoView {
    let locale = crate::language::locale();
    let last = match sign_off {
        Some(s) => td_string!(locale, access.last_reviewed, reviewer = s.reviewer, at = readable(&s.at)).to_string(),
        None => td_string!(locale, access.never_reviewed).to_owned(),
    };
    view! {
        <section aria-labelledby="sign-off-title" class="stack">
            <h2 id="sign-off-title">{td_string!(locale, access.sign_off_title)}</h2>
            {form.success().map(|s| view! {
                <p class="success-banner" role="status">
                    {td_string!(locale, access.marked_reviewed, at = readable(&s.at)).to_string()}
                </p>
            })}
            <FormError error=form.error() />
            <p>{last}</p>
            {if complete {
                let action = <MarkAccessReviewed as ServerFn>::PATH;
                view! {
                    <form method="post" action=action>
                        <input type="hidden" name="workspace" value=workspace />
                        <button type="submit" class="button">{td_string!(locale, access.mark_reviewed)}</button>
                    </form>
                    <p class="muted">{td_string!(locale, access.mark_reviewed_hint)}</p>
                }.into_any()
            } else {
                view! { <p class="muted">{td_string!(locale, access.only_managers_review)}</p> }.into_any()
            }}
        </section>
    }
}

/// What changed since a day (or the last sign-off): added, changed and removed memberships, and
/// whether each came through the console.
#[component]
fn ChangesSection(
    workspace: String,
    since: String,
    changes: Option<Changes>,
    since_error: Option<String>,
) -> impl IntoView {
    let locale = crate::language::locale();
    // A date input holds a day; a full time asked for in the address is kept as its day.
    let day: String = changes.as_ref().map(|c| c.since.clone()).unwrap_or(since).chars().take(10).collect();
    let body = match changes {
        None => view! { <p>{td_string!(locale, access.changes_need_since)}</p> }.into_any(),
        Some(Changes { baseline: None, since, .. }) => view! {
            <p role="note" class="notice">{td_string!(locale, access.no_baseline, since = readable(&since)).to_string()}</p>
        }
        .into_any(),
        Some(c) => {
            let export = format!(
                "/workspaces/{workspace}/access-changes.csv?since={}",
                crate::kit::url::encode_query_value(&c.since)
            );
            let total = c.changes.len();
            let baseline = c.baseline.clone().unwrap_or_default();
            let rows = c.changes.into_iter().take(CHANGES_SHOWN).map(|c| {
                let place = match c.scope {
                    Scope::Workspace => td_string!(locale, access.workspace_itself).to_owned(),
                    Scope::Project => format!("{}/{}", c.cluster, c.project),
                };
                let what = match c.change {
                    ChangeKind::Added => td_string!(locale, access.change_added),
                    ChangeKind::Changed => td_string!(locale, access.change_changed),
                    ChangeKind::Removed => td_string!(locale, access.change_removed),
                };
                let roles = format!(
                    "{} → {}",
                    c.role_before.unwrap_or_else(|| "—".into()),
                    c.role_after.unwrap_or_else(|| "—".into())
                );
                let through = match c.through {
                    Through::Console { by, at } => {
                        td_string!(locale, access.through_console, by = by, at = readable(&at)).to_string()
                    }
                    Through::Outside => td_string!(locale, access.outside_console).to_owned(),
                };
                view! {
                    <tr>
                        <td data-label=td_string!(locale, access.change)>{what}</td>
                        <td data-label=td_string!(locale, common.username)>{c.username}</td>
                        <td data-label=td_string!(locale, access.place)>{place}</td>
                        <td data-label=td_string!(locale, access.role)>{roles}</td>
                        <td data-label=td_string!(locale, access.how)>{through}</td>
                    </tr>
                }
            }).collect_view();
            view! {
                <p role="status">
                    {td_string!(locale, access.changes_count, n = total, baseline = readable(&baseline)).to_string()}
                </p>
                <p><a class="button secondary" href=export download>{td_string!(locale, access.export_changes)}</a></p>
                {(total > 0).then(|| view! {
                    <table class="cards-on-phone">
                        <caption class="sr-only">{td_string!(locale, access.changes_caption)}</caption>
                        <thead><tr>
                            <th scope="col">{td_string!(locale, access.change)}</th>
                            <th scope="col">{td_string!(locale, common.username)}</th>
                            <th scope="col">{td_string!(locale, access.place)}</th>
                            <th scope="col">{td_string!(locale, access.role)}</th>
                            <th scope="col">{td_string!(locale, access.how)}</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                })}
                {(total > CHANGES_SHOWN).then(|| view! {
                    <p class="muted">{td_string!(locale, access.changes_cut, n = CHANGES_SHOWN).to_string()}</p>
                })}
            }
            .into_any()
        }
    };
    let error_id = since_error.as_ref().map(|_| "since-error");
    view! {
        <section aria-labelledby="changes-title" class="stack">
            <h2 id="changes-title">{td_string!(locale, access.changes_title)}</h2>
            <form method="get" class="filters" aria-label=td_string!(locale, access.changes_title)>
                <div class="field">
                    <label for="field-since">{td_string!(locale, access.since)}</label>
                    <input id="field-since" type="date" name="since" value=day
                        aria-invalid=since_error.is_some().then_some("true") aria-describedby=error_id />
                    <crate::kit::FieldError id="since-error" error=since_error />
                </div>
                <button type="submit" class="button">{td_string!(locale, access.show_changes)}</button>
            </form>
            {body}
        </section>
    }
}
