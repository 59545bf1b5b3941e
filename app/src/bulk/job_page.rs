//! `/onboard/bulk/jobs/:id`: a bulk apply's progress and per-row results. While it runs the page
//! refreshes itself every two seconds (no WASM needed); the result downloads as a CSV built into
//! the page.

use leptos::prelude::*;

use super::bulk_job;
use super::job::{JobState, RowOutcome};
use crate::layout::{error_view, route_param};

#[component]
pub fn BulkJobPage() -> impl IntoView {
    let id = route_param("id");
    let job = Resource::new_blocking(id, bulk_job);
    view! {
        <main id="main" class="page">
            <h1>"Onboarding from a file"</h1>
            <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let job = match job.await {
                        Ok(job) => job,
                        Err(e) => return error_view(e),
                    };
                    let total = job.rows.len();
                    let finished = job.results.len().min(total);
                    let failed = job.results.iter().filter(|r| matches!(r.outcome, RowOutcome::Failed(_))).count();
                    let (running, state) = match &job.state {
                        JobState::Running => (true, format!("Applying: {finished} of {total} rows done.")),
                        JobState::Done if failed == 0 => (false, format!("Done: all {total} rows applied.")),
                        JobState::Done => (false, format!("Done: {} of {total} rows applied, {failed} failed.", total - failed)),
                        JobState::Stopped(why) => (false, format!("Stopped after {finished} of {total} rows: {why}")),
                    };
                    let download = super::page::data_url(&job.result_csv());
                    view! {
                        {running.then(|| view! { <leptos_meta::Meta http_equiv="refresh" content="2" /> })}
                        <section class="card" aria-labelledby="job-heading">
                            <h2 id="job-heading">{state}</h2>
                            <progress max=total value=finished aria-label="Rows applied">{format!("{finished} of {total}")}</progress>
                            {running.then(|| view! { <p class="muted">"This page refreshes itself until the job is done."</p> })}
                            <p class="button-row">
                                <a class="button secondary" href=download download=format!("onboarding-result-{}.csv", job.id)>"Download the result"</a>
                                <a class="button secondary" href="/onboard/bulk">"Onboard another file"</a>
                            </p>
                            <p class="muted">"Applying the same file again changes nothing that is in place already."</p>
                        </section>
                        <table class="cards-on-phone dry-run">
                            <caption class="sr-only">"Each row's result"</caption>
                            <thead><tr><th scope="col">"Line"</th><th scope="col">"Person"</th><th scope="col">"Result"</th></tr></thead>
                            <tbody>
                                {job.rows.iter().map(|row| {
                                    let (class, text) = match job.result_of(row.line) {
                                        Some(RowOutcome::Done(m)) => ("send", format!("Done: {m}")),
                                        Some(RowOutcome::InPlace(m)) => ("in-place", m.clone()),
                                        Some(RowOutcome::Failed(m)) => ("refused", format!("Failed: {m}")),
                                        None => ("waiting", "Waiting".to_owned()),
                                    };
                                    view! {
                                        <tr class=class>
                                            <td data-label="Line">{row.line}</td>
                                            <td data-label="Person">{row.username.clone()}</td>
                                            <td data-label="Result">{text}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }
                    .into_any()
                })}
            </Suspense>
        </main>
    }
}
