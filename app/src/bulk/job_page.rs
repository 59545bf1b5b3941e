//! `/onboard/bulk/jobs/:id`: a bulk apply's progress and per-row results. While it runs, a small
//! island moves the bar live and reloads the page once the job is done (for the per-row
//! results); without scripts the page refreshes itself every two seconds instead. The result
//! downloads as a CSV built into the page.

use leptos::prelude::*;

use super::bulk_job;
use super::job::{JobState, StoredKind};
use crate::i18n::td_string;
use crate::kit::route_param;
use crate::layout::error_view;

#[component]
pub fn BulkJobPage() -> impl IntoView {
    let id = route_param("id");
    let job = Resource::new_blocking(id, bulk_job);
    let locale = crate::language::locale();
    view! {
        <main id="main" class="page">
            <h1>{td_string!(locale, bulk.job_title)}</h1>
            <Suspense fallback=crate::kit::Loading>
                {move || Suspend::new(async move {
                    let job = match job.await {
                        Ok(job) => job,
                        Err(e) => return error_view(e),
                    };
                    let progress = job.progress();
                    let (finished, total) = (progress.finished, progress.total);
                    let failed = job.results.iter().filter(|r| r.outcome.is_failed()).count();
                    let (running, state) = match &job.state {
                        JobState::Running => (true, td_string!(locale, bulk.job_running, finished, total).to_string()),
                        JobState::Done if failed == 0 => (false, td_string!(locale, bulk.job_done_all, total).to_string()),
                        JobState::Done => {
                            let applied = total - failed;
                            (false, td_string!(locale, bulk.job_done_some_failed, applied, total, failed).to_string())
                        }
                        JobState::Stopped(why) => {
                            let why = why.text_in(locale);
                            (false, td_string!(locale, bulk.job_stopped, finished, total, why).to_string())
                        }
                    };
                    let download = super::page::data_url(&job.result_csv(locale));
                    view! {
                        <section class="card" aria-labelledby="job-heading">
                            {if running {
                                view! {
                                    // Read only without scripts: then the page refreshes itself.
                                    <noscript><meta http-equiv="refresh" content="2" /></noscript>
                                    <LiveProgress id=job.id.clone() finished total />
                                    <noscript><p class="muted">{td_string!(locale, bulk.refreshes_itself)}</p></noscript>
                                }.into_any()
                            } else {
                                view! {
                                    <h2 id="job-heading">{state}</h2>
                                    <progress max=total value=finished aria-label=td_string!(locale, bulk.rows_applied)>{td_string!(locale, bulk.progress, finished, total).to_string()}</progress>
                                }.into_any()
                            }}
                            <p class="button-row">
                                <a class="button secondary" href=download download=format!("onboarding-result-{}.csv", job.id)>{td_string!(locale, bulk.download_result)}</a>
                                <a class="button secondary" href="/onboard/bulk">{td_string!(locale, bulk.onboard_another_file)}</a>
                            </p>
                            <p class="muted">{td_string!(locale, bulk.apply_again_is_safe)}</p>
                        </section>
                        <table class="cards-on-phone dry-run">
                            <caption class="sr-only">{td_string!(locale, bulk.each_rows_result)}</caption>
                            <thead><tr><th scope="col">{td_string!(locale, bulk.line)}</th><th scope="col">{td_string!(locale, bulk.person)}</th><th scope="col">{td_string!(locale, bulk.result)}</th></tr></thead>
                            <tbody>
                                {job.rows.iter().map(|row| {
                                    let (class, text) = match job.result_of(row.line) {
                                        Some(o) => {
                                            let message = o.text_in(locale);
                                            match o.kind() {
                                                StoredKind::Done => ("send", td_string!(locale, bulk.row_done, message).to_string()),
                                                StoredKind::InPlace => ("in-place", message),
                                                StoredKind::Failed => ("refused", td_string!(locale, bulk.row_failed, message).to_string()),
                                            }
                                        }
                                        None => ("waiting", td_string!(locale, bulk.row_waiting).to_owned()),
                                    };
                                    view! {
                                        <tr class=class>
                                            <td data-label=td_string!(locale, bulk.line)>{row.line}</td>
                                            <td data-label=td_string!(locale, bulk.person)>{row.username.clone()}</td>
                                            <td data-label=td_string!(locale, bulk.result)>{text}</td>
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

/// The heading and bar of a running job, live: asks for the job's progress every second and
/// moves the bar; once the job is done, reloads the page for its per-row results.
#[island]
fn LiveProgress(id: String, finished: usize, total: usize) -> impl IntoView {
    crate::kit::island_hydrated();
    let locale = crate::language::locale();
    let finished = RwSignal::new(finished);
    #[cfg(feature = "hydrate")]
    {
        let asking = StoredValue::new(false);
        let ask = move || {
            if asking.get_value() {
                return;
            }
            asking.set_value(true);
            let id = id.clone();
            leptos::task::spawn_local(async move {
                match super::bulk_job_progress(id).await {
                    Ok(p) if !p.running => {
                        let _ = window().location().reload();
                    }
                    Ok(p) => finished.set(p.finished),
                    // Keeps the last figure; the next second asks again.
                    Err(_) => {}
                }
                asking.set_value(false);
            });
        };
        if let Ok(handle) = set_interval_with_handle(ask, std::time::Duration::from_secs(1)) {
            on_cleanup(move || handle.clear());
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
    view! {
        <h2 id="job-heading" aria-live="polite">{move || td_string!(locale, bulk.job_running, finished = finished.get(), total).to_string()}</h2>
        <progress max=total value=move || finished.get() aria-label=td_string!(locale, bulk.rows_applied)>
            {move || td_string!(locale, bulk.progress, finished = finished.get(), total).to_string()}
        </progress>
    }
}
