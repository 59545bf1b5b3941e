//! `/activity`: the changes made through the console, newest first, with filters. Rendered on
//! the server completely (no WASM): the filters are a plain GET form, the pages plain links.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{list_activity, ActivityPageData, ActivityQuery, Row};
use crate::audit::Action;
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
    view! {
        <main id="main" class="page">
            <h1>"Activity"</h1>
            <p class="muted">
                "Changes made through KS Console: who made them, when, and what happened. Changes made "
                "elsewhere (KubeSphere's own console, kubectl) are not recorded here."
            </p>
            <form method="get" action="/activity" class="filters" aria-label="Filter the activity">
                <div class="field"><label for="f-person">"Person changed"</label>
                    <input id="f-person" name="person" value=value("person") autocomplete="off" spellcheck="false" /></div>
                <div class="field"><label for="f-by">"Changed by"</label>
                    <input id="f-by" name="by" value=value("by") autocomplete="off" spellcheck="false" /></div>
                <div class="field"><label for="f-workspace">"Workspace"</label>
                    <input id="f-workspace" name="workspace" value=value("workspace") autocomplete="off" spellcheck="false" /></div>
                <div class="field"><label for="f-project">"Project"</label>
                    <input id="f-project" name="project" value=value("project") autocomplete="off" spellcheck="false" /></div>
                <div class="field"><label for="f-action">"Change"</label>
                    <select id="f-action" name="action">
                        <option value="">"Any change"</option>
                        {Action::ALL.map(|a| view! {
                            <option value=a.key() selected=chosen_action == a.key()>{a.label()}</option>
                        }).collect_view()}
                    </select></div>
                <div class="field"><label for="f-from">"From"</label>
                    <input id="f-from" name="from" type="date" value=value("from") /></div>
                <div class="field"><label for="f-to">"To"</label>
                    <input id="f-to" name="to" type="date" value=value("to") /></div>
                <div class="button-row">
                    <button type="submit" class="button primary">"Show"</button>
                    <a class="button secondary" href="/activity">"Clear the filters"</a>
                </div>
            </form>
            <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
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
    let scope = if page.sees_everything {
        "You see every change made through the console."
    } else {
        "You see the changes you made and those in workspaces you administer."
    };
    view! {
        <p class="muted">{scope}</p>
        {if page.entries.is_empty() {
            view! { <p class="muted">"No changes match."</p> }.into_any()
        } else {
            view! {
                <table class="cards-on-phone activity">
                    <caption class="sr-only">"Changes, newest first"</caption>
                    <thead><tr>
                        <th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"Change"</th>
                        <th scope="col">"Person"</th><th scope="col">"Where"</th><th scope="col">"Role"</th>
                        <th scope="col">"Outcome"</th>
                    </tr></thead>
                    <tbody>{page.entries.into_iter().map(|row| view! { <EntryRow row /> }).collect_view()}</tbody>
                </table>
            }.into_any()
        }}
        {next.map(|href| view! {
            <nav class="button-row" aria-label="Pages"><a class="button secondary" href=href rel="next">"Older changes"</a></nav>
        })}
    }
}

#[component]
fn EntryRow(row: Row) -> impl IntoView {
    let record = row.entry.record;
    let change = record.change;
    let place = match (&change.workspace, &change.cluster, &change.project) {
        (_, Some(cluster), Some(project)) => view! {
            <a href=format!("/projects/{cluster}/{project}")>{project.clone()}</a>
            <span class="muted">{format!(" on {cluster}")}</span>
        }
        .into_any(),
        (Some(ws), _, _) => view! { <a href=format!("/workspaces/{ws}")>{ws.clone()}</a> }.into_any(),
        _ => view! { "Platform" }.into_any(),
    };
    let role = match (change.role_before, change.role_after) {
        (Some(before), Some(after)) => format!("{before} → {after}"),
        (None, Some(after)) => after,
        _ => "—".to_owned(),
    };
    let outcome = if record.succeeded {
        view! { <span class="ok">"Done"</span> }.into_any()
    } else {
        view! { <span class="failed">"Failed: " {record.message.unwrap_or_default()}</span> }.into_any()
    };
    view! {
        <tr>
            <td data-label="When"><time>{row.when}</time></td>
            <td data-label="Who"><a href=format!("/users/{}", record.actor)>{record.actor.clone()}</a></td>
            <td data-label="Change">{change.action.label()}</td>
            <td data-label="Person">{match change.target_user {
                Some(u) => view! { <a href=format!("/users/{u}")>{u.clone()}</a> }.into_any(),
                None => view! { "—" }.into_any(),
            }}</td>
            <td data-label="Where">{place}</td>
            <td data-label="Role">{role}</td>
            <td data-label="Outcome" title=record.request_id.map(|id| format!("Request {id}"))>{outcome}</td>
        </tr>
    }
}
