//! The `/onboard/bulk` page: the file (uploaded or pasted), posted to the page itself, and the
//! dry run's table. Server-rendered, no WASM.

use leptos::prelude::*;

use super::{bulk_dry_run, DryRun, Verdict, COLUMNS, EXAMPLE, MAX_ROWS};
use crate::error::AppError;
use crate::layout::error_view;

/// A file offered for download, built into the page (`data:` address).
fn data_url(csv: &str) -> String {
    format!(
        "data:text/csv;charset=utf-8,{}",
        percent_encoding::utf8_percent_encode(csv, percent_encoding::NON_ALPHANUMERIC)
    )
}

#[component]
pub fn BulkPage() -> impl IntoView {
    let posted = crate::forms::posted_form().unwrap_or_default();
    let field = |name: &str| posted.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let (csv, file_error) = (field("csv"), field("csv_error"));
    let data = Resource::new_blocking(
        || (),
        move |_| {
            let (csv, file_error) = (csv.clone(), file_error.clone());
            async move {
                match (csv, file_error) {
                    (_, Some(problem)) => Some((Err(AppError::field("csv", problem)), String::new())),
                    (Some(text), None) => Some((bulk_dry_run(text.clone()).await, text)),
                    (None, None) => None,
                }
            }
        },
    );
    let template = format!("{}\n", COLUMNS.join(","));
    view! {
        <main id="main" class="page">
            <h1>"Onboard people from a file"</h1>
            <p class="muted">
                "One row per person and at most one membership: a workspace (with a role kind) or a project (with its "
                "workspace and cluster). A person may span several rows. Empty cells mean none, or the default. "
                {format!("At most {MAX_ROWS} rows a file. A dry run comes first, always: it only reads.")}
            </p>
            <p class="button-row">
                <a class="button secondary" href=data_url(&template) download="onboarding-template.csv">"Download the template"</a>
                <a class="button secondary" href=data_url(EXAMPLE) download="onboarding-example.csv">"Download an example"</a>
            </p>
            <details>
                <summary>"The columns"</summary>
                <dl class="facts">
                    <dt>"username"</dt><dd>"An existing account, or a new one to create."</dd>
                    <dt>"email, display_name"</dt><dd>"For a new account; the e-mail is required for it."</dd>
                    <dt>"platform_role"</dt><dd>"platform-regular (the default for a new account), platform-self-provisioner or platform-admin."</dd>
                    <dt>"workspace, workspace_role"</dt><dd>"A workspace and a role kind: regular (default), viewer, self-provisioner or admin."</dd>
                    <dt>"cluster, project, project_role"</dt><dd>"A project on a cluster, in the row's workspace, with viewer (default), operator or admin."</dd>
                </dl>
            </details>
            <Suspense fallback=|| view! { <p aria-busy="true">"Reading the file…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        None => view! { <UploadForm text=String::new() error=None /> }.into_any(),
                        Some((Ok(run), text)) => view! {
                            <DryRunTable run />
                            <UploadForm text error=None />
                        }.into_any(),
                        Some((Err(e @ AppError::InvalidField { .. }), text)) => view! {
                            <UploadForm text error=e.for_field("csv") />
                        }.into_any(),
                        Some((Err(e), _)) => error_view(e),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn UploadForm(text: String, error: Option<String>) -> impl IntoView {
    let invalid = error.is_some();
    view! {
        <form method="post" action="/onboard/bulk" enctype="multipart/form-data" class="stack" aria-label="Dry run a file">
            <div class="field">
                <label for="bulk-file">"CSV file"</label>
                <input id="bulk-file" name="file" type="file" accept=".csv,text/csv" />
            </div>
            <div class="field">
                <label for="bulk-text">"Or paste the CSV"</label>
                <textarea id="bulk-text" name="csv" rows="8" spellcheck="false" aria-describedby="bulk-text-error"
                    aria-invalid=invalid.then_some("true")>{text}</textarea>
                <p class="field-error" id="bulk-text-error" role="alert">{error}</p>
            </div>
            <div class="button-row">
                <button type="submit" class="button primary">"Dry run"</button>
            </div>
        </form>
    }
}

#[component]
fn DryRunTable(run: DryRun) -> impl IntoView {
    let sending = run.count(|v| matches!(v, Verdict::Send(_)));
    let in_place = run.count(|v| matches!(v, Verdict::InPlace(_)));
    let refused = run.count(|v| matches!(v, Verdict::Refused(_)));
    view! {
        <section class="card" aria-labelledby="dry-run-heading">
            <h2 id="dry-run-heading">"Dry run: nothing was sent"</h2>
            <p>
                {format!(
                    "{} rows: {sending} will send changes, {in_place} are in place already, {refused} cannot be done. \
                     {} new accounts. KubeSphere was asked {} times.",
                    run.rows.len(),
                    run.new_accounts,
                    run.reads
                )}
            </p>
            {(!run.admin_grants.is_empty()).then(|| view! {
                <div class="confirm-admin">
                    <p><strong>{format!("{} admin roles in this file:", run.admin_grants.len())}</strong></p>
                    <ul>{run.admin_grants.iter().map(|g| view! { <li>{g.clone()}</li> }).collect_view()}</ul>
                </div>
            })}
            <table class="cards-on-phone dry-run">
                <caption class="sr-only">"What each row will do"</caption>
                <thead><tr><th scope="col">"Line"</th><th scope="col">"Person"</th><th scope="col">"What happens"</th></tr></thead>
                <tbody>
                    {run.rows.into_iter().map(|r| {
                        let (class, text) = match r.verdict {
                            Verdict::Send(calls) => ("send", calls.join("; ")),
                            Verdict::InPlace(note) => ("in-place", note),
                            Verdict::Refused(reason) => ("refused", format!("Cannot: {reason}")),
                        };
                        view! {
                            <tr class=class>
                                <td data-label="Line">{r.row.line}</td>
                                <td data-label="Person">{r.row.username.clone()}</td>
                                <td data-label="What happens">{text}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
