//! `/activity`: the changes made through the console, newest first, with filters. Rendered on
//! the server completely (no WASM): the filters are a plain GET form, the pages plain links.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{list_activity, ActivityPageData, ActivityQuery, Row};
use crate::activity_log::Action;
use crate::i18n::td_string;
use crate::layout::error_view;

const FILTERS: [&str; 7] = ["person", "by", "workspace", "project", "action", "from", "to"];

#[component]
pub fn ActivityPage() -> impl IntoView {
    let query = use_query_map();
    let value = move |name: &str| query.with(|q| q.get(name).unwrap_or_default());
    let data = Resource::new_blocking(
        move || (FILTERS.map(value), value("before")),
        |([person, by, workspace, project, action, from, to], before)| {
            let some = |s: String| (!s.is_empty()).then_some(s);
            list_activity(ActivityQuery {
                person: some(person),
                by: some(by),
                workspace: some(workspace),
                project: some(project),
                action: some(action),
                from: some(from),
                to: some(to),
                before: some(before),
            })
        },
    );
    let chosen_action = value("action");
    let locale = crate::language::locale();
    view! {
        <main id="main" class="page">
            <h1>{td_string!(locale, activity.title)}</h1>
            <p class="muted">{td_string!(locale, activity.intro)}</p>
            <form method="get" action="/activity" class="filters" aria-label=td_string!(locale, activity.filters)>
                <div class="field"><label for="f-person">{td_string!(locale, activity.person_changed)}</label>
                    <input id="f-person" name="person" value=value("person") autocomplete="off" spellcheck="false" /></div>
                <div class="field"><label for="f-by">{td_string!(locale, activity.changed_by)}</label>
                    <input id="f-by" name="by" value=value("by") autocomplete="off" spellcheck="false" /></div>
                <div class="field"><label for="f-workspace">{td_string!(locale, activity.workspace)}</label>
                    <input id="f-workspace" name="workspace" value=value("workspace") autocomplete="off" spellcheck="false" /></div>
                <div class="field"><label for="f-project">{td_string!(locale, activity.project)}</label>
                    <input id="f-project" name="project" value=value("project") autocomplete="off" spellcheck="false" /></div>
                <div class="field"><label for="f-action">{td_string!(locale, activity.change)}</label>
                    <select id="f-action" name="action">
                        <option value="">{td_string!(locale, activity.any_change)}</option>
                        {crate::kit::options(Action::ALL.map(|a| (a.key().to_owned(), a.label_in(locale).to_owned())), &chosen_action)}
                    </select></div>
                <div class="field"><label for="f-from">{td_string!(locale, activity.from)}</label>
                    <input id="f-from" name="from" type="date" value=value("from") /></div>
                <div class="field"><label for="f-to">{td_string!(locale, activity.to)}</label>
                    <input id="f-to" name="to" type="date" value=value("to") /></div>
                <div class="button-row">
                    <button type="submit" class="button primary">{td_string!(locale, activity.show)}</button>
                    <a class="button secondary" href="/activity">{td_string!(locale, activity.clear_filters)}</a>
                </div>
            </form>
            <Suspense fallback=crate::kit::Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(page) => {
                            let next = page.older.map(|id| older_link(&FILTERS.map(|f| (f, value(f))), id));
                            view! { <Entries page next /> }.into_any()
                        }
                        Err(e) => error_view(e),
                    }
                })}
            </Suspense>
        </main>
    }
}

/// The address of the next (older) page, keeping the filters.
fn older_link(filters: &[(&str, String)], before: i64) -> String {
    let mut query: Vec<(&str, String)> = filters.iter().filter(|(_, v)| !v.is_empty()).cloned().collect();
    query.push(("before", before.to_string()));
    let encoded: Vec<String> = query
        .iter()
        .map(|(k, v)| format!("{k}={}", percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)))
        .collect();
    format!("/activity?{}", encoded.join("&"))
}

#[component]
fn Entries(page: ActivityPageData, next: Option<String>) -> impl IntoView {
    let locale = crate::language::locale();
    let scope = if page.sees_everything {
        td_string!(locale, activity.sees_everything)
    } else {
        td_string!(locale, activity.sees_own)
    };
    view! {
        {page.notify.map(|status| view! { <NotifyNotice status /> })}
        <p class="muted">{scope}</p>
        {if page.entries.is_empty() {
            view! { <p class="muted">{td_string!(locale, activity.no_match)}</p> }.into_any()
        } else {
            view! {
                <table class="cards-on-phone activity">
                    <caption class="sr-only">{td_string!(locale, activity.caption)}</caption>
                    <thead><tr>
                        <th scope="col">{td_string!(locale, activity.when)}</th>
                        <th scope="col">{td_string!(locale, activity.who)}</th>
                        <th scope="col">{td_string!(locale, activity.change)}</th>
                        <th scope="col">{td_string!(locale, activity.person)}</th>
                        <th scope="col">{td_string!(locale, activity.place)}</th>
                        <th scope="col">{td_string!(locale, activity.role)}</th>
                        <th scope="col">{td_string!(locale, activity.outcome)}</th>
                    </tr></thead>
                    <tbody>{page.entries.into_iter().map(|row| view! { <EntryRow row /> }).collect_view()}</tbody>
                </table>
            }.into_any()
        }}
        {next.map(|href| view! {
            <nav class="button-row" aria-label=td_string!(locale, common.pages)>
                <a class="button secondary" href=href rel="next">{td_string!(locale, activity.older)}</a>
            </nav>
        })}
    }
}

#[component]
fn EntryRow(row: Row) -> impl IntoView {
    let locale = crate::language::locale();
    let record = row.entry.record;
    let change = record.change;
    let place = match (&change.workspace, &change.cluster, &change.project) {
        (ws, Some(cluster), Some(project)) => view! {
            <a href=format!("/projects/{cluster}/{project}{}", ws.as_ref().map(|w| format!("?workspace={w}")).unwrap_or_default())>{project.clone()}</a>
            <span class="muted">{td_string!(locale, activity.on_cluster, cluster = cluster.clone()).to_string()}</span>
        }
        .into_any(),
        (Some(ws), _, _) => view! { <a href=format!("/workspaces/{ws}")>{ws.clone()}</a> }.into_any(),
        _ => view! { {td_string!(locale, activity.platform)} }.into_any(),
    };
    let role = match (change.role_before, change.role_after) {
        (Some(before), Some(after)) => format!("{before} → {after}"),
        (None, Some(after)) => after,
        _ => "—".to_owned(),
    };
    let outcome = if record.succeeded {
        view! { <span class="ok">{td_string!(locale, activity.done)}</span> }.into_any()
    } else {
        // Typed reasons read in the reader's language; entries stored before they were typed
        // keep the words they were shown in.
        let why = record.reason.map(|r| r.text_in(locale)).or(record.message).unwrap_or_default();
        view! { <span class="failed">{td_string!(locale, activity.failed)} {why}</span> }.into_any()
    };
    view! {
        <tr>
            <td data-label=td_string!(locale, activity.when)><time>{row.when}</time></td>
            <td data-label=td_string!(locale, activity.who)><a href=format!("/users/{}", record.actor)>{record.actor.clone()}</a></td>
            <td data-label=td_string!(locale, activity.change)>{change.action.label_in(locale)}</td>
            <td data-label=td_string!(locale, activity.person)>{match change.target_user {
                Some(u) => view! { <a href=format!("/users/{u}")>{u.clone()}</a> }.into_any(),
                None => view! { "—" }.into_any(),
            }}</td>
            <td data-label=td_string!(locale, activity.place)>{place}</td>
            <td data-label=td_string!(locale, activity.role)>{role}</td>
            <td data-label=td_string!(locale, activity.outcome) title=record.request_id.map(|id| td_string!(locale, activity.request, id).to_string())>
                {outcome}
            </td>
        </tr>
    }
}

/// For platform administrators: that nobody is told of changes until a channel is set up, and
/// the messages given up after a day, with why.
#[component]
fn NotifyNotice(status: crate::notifications::NotifyStatus) -> impl IntoView {
    let locale = crate::language::locale();
    view! {
        {(!status.enabled).then(|| view! {
            <p class="notice" role="note">{td_string!(locale, activity.notify_off)}</p>
        })}
        {(!status.given_up.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="given-up-heading">
                <h2 id="given-up-heading">{td_string!(locale, activity.given_up_heading)}</h2>
                <ul>
                    {status.given_up.into_iter().map(|g| view! {
                        <li>{td_string!(locale, activity.given_up_line, when = g.when, channel = g.channel, recipient = g.recipient, why = g.why).to_string()}</li>
                    }).collect_view()}
                </ul>
            </section>
        })}
    }
}
