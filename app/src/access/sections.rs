//! The access review page's sections below the table: the sign-off and the changes since it.

use super::{ChangeKind, Changes, MarkAccessReviewed, Scope, SignOff, Through};
use crate::forms::{FormError, FormState};
use crate::i18n::td_string;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// Changes listed on the page; the export has them all.
const CHANGES_SHOWN: usize = 200;

/// An RFC 3339 UTC time as people read it.
fn readable(at: &str) -> String {
    at.replace('T', " ").replace('Z', " UTC")
}

/// Who last reviewed this access, and the button that records a review (for those who could
/// list every membership).
#[component]
pub(super) fn SignOffSection(
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
            {form
                .success()
                .map(|s| {
                    view! {
                        <p class="success-banner" role="status">
                            {td_string!(locale, access.marked_reviewed, at = readable(&s.at)).to_string()}
                        </p>
                    }
                })}
            <FormError error=form.error() />
            <p>{last}</p>
            {if complete {
                let action = <MarkAccessReviewed as ServerFn>::PATH;
                view! {
                    <form method="post" action=action>
                        <input type="hidden" name="workspace" value=workspace />
                        <button type="submit" class="button">
                            {td_string!(locale, access.mark_reviewed)}
                        </button>
                    </form>
                    <p class="muted">{td_string!(locale, access.mark_reviewed_hint)}</p>
                }
                    .into_any()
            } else {
                view! { <p class="muted">{td_string!(locale, access.only_managers_review)}</p> }.into_any()
            }}
        </section>
    }
}

/// What changed since a day (or the last sign-off): added, changed and removed memberships, and
/// whether each came through the console.
#[component]
pub(super) fn ChangesSection(
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
            <p role="note" class="notice">
                {td_string!(locale, access.no_baseline, since = readable(&since)).to_string()}
            </p>
        }
        .into_any(),
        Some(c) => {
            let export = format!(
                "/workspaces/{workspace}/access-changes.csv?since={}",
                crate::url::encode_query_value(&c.since)
            );
            let total = c.changes.len();
            let baseline = c.baseline.clone().unwrap_or_default();
            let rows = c
                .changes
                .into_iter()
                .take(CHANGES_SHOWN)
                .map(|c| {
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
                })
                .collect_view();
            view! {
                <p role="status">
                    {td_string!(locale, access.changes_count, n = total, baseline = readable(&baseline)).to_string()}
                </p>
                <p>
                    <a class="button secondary" href=export download>
                        {td_string!(locale, access.export_changes)}
                    </a>
                </p>
                {(total > 0)
                    .then(|| {
                        view! {
                            <table class="cards-on-phone">
                                <caption class="sr-only">{td_string!(locale, access.changes_caption)}</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">{td_string!(locale, access.change)}</th>
                                        <th scope="col">{td_string!(locale, common.username)}</th>
                                        <th scope="col">{td_string!(locale, access.place)}</th>
                                        <th scope="col">{td_string!(locale, access.role)}</th>
                                        <th scope="col">{td_string!(locale, access.how)}</th>
                                    </tr>
                                </thead>
                                <tbody>{rows}</tbody>
                            </table>
                        }
                    })}
                {(total > CHANGES_SHOWN)
                    .then(|| {
                        view! {
                            <p class="muted">{td_string!(locale, access.changes_cut, n = CHANGES_SHOWN).to_string()}</p>
                        }
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
                    <input
                        id="field-since"
                        type="date"
                        name="since"
                        value=day
                        aria-invalid=since_error.is_some().then_some("true")
                        aria-describedby=error_id
                    />
                    {since_error
                        .map(|e| {
                            view! {
                                <p id="since-error" class="field-error">
                                    {e}
                                </p>
                            }
                        })}
                </div>
                <button type="submit" class="button">
                    {td_string!(locale, access.show_changes)}
                </button>
            </form>
            {body}
        </section>
    }
}
