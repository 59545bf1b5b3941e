//! The `/onboard/bulk` page: the file (uploaded or pasted), posted to the page itself, and the
//! dry run's table. Server-rendered, no WASM.

use leptos::prelude::*;

use super::{bulk_apply, bulk_dry_run, ApplyOutcome, DryRun, NewAccount, Verdict, COLUMNS, EXAMPLE, MAX_ROWS};
use crate::error::AppError;
use crate::layout::error_view;

/// A file offered for download, built into the page (`data:` address).
pub(super) fn data_url(csv: &str) -> String {
    format!(
        "data:text/csv;charset=utf-8,{}",
        percent_encoding::utf8_percent_encode(csv, percent_encoding::NON_ALPHANUMERIC)
    )
}

/// What the page was posted to do.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
enum Asked {
    DryRun(String),
    Apply {
        csv: String,
        reviewed: String,
        confirm: bool,
    },
    /// The file could not even be read as text.
    Unreadable(String),
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
enum Answer {
    DryRun(Result<DryRun, AppError>),
    Apply(Result<ApplyOutcome, AppError>),
}

fn asked() -> Option<Asked> {
    let posted = crate::forms::posted_form()?;
    let field = |name: &str| posted.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    if let Some(problem) = field("csv_error") {
        return Some(Asked::Unreadable(problem));
    }
    let csv = field("csv").unwrap_or_default();
    Some(match field("step").as_deref() {
        Some("apply") => Asked::Apply {
            csv,
            reviewed: field("reviewed").unwrap_or_default(),
            confirm: field("confirm_admin").as_deref() == Some("yes"),
        },
        _ => Asked::DryRun(csv),
    })
}

#[component]
pub fn BulkPage() -> impl IntoView {
    let asked = asked();
    let data = Resource::new_blocking(
        || (),
        move |_| {
            let asked = asked.clone();
            async move {
                let answer = match &asked {
                    None => None,
                    Some(Asked::Unreadable(problem)) => {
                        Some(Answer::DryRun(Err(AppError::field("csv", problem.clone()))))
                    }
                    Some(Asked::DryRun(csv)) => Some(Answer::DryRun(bulk_dry_run(csv.clone()).await)),
                    Some(Asked::Apply { csv, reviewed, confirm }) => {
                        Some(Answer::Apply(bulk_apply(csv.clone(), reviewed.clone(), *confirm).await))
                    }
                };
                (asked, answer)
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
                    let (asked, answer) = data.await;
                    let text = match &asked {
                        Some(Asked::DryRun(csv) | Asked::Apply { csv, .. }) => csv.clone(),
                        _ => String::new(),
                    };
                    match answer {
                        None => view! { <UploadForm text run=None error=None /> }.into_any(),
                        Some(Answer::DryRun(Ok(run))) => view! {
                            <DryRunTable run=run.clone() />
                            <UploadForm text run=Some(run) error=None />
                        }.into_any(),
                        Some(Answer::Apply(Ok(ApplyOutcome::Changed(run)))) => view! {
                            <p class="notice" role="status">
                                "KubeSphere, or the file, changed since the dry run: nothing was sent. Here is the new dry run."
                            </p>
                            <DryRunTable run=run.clone() />
                            <UploadForm text run=Some(run) error=None />
                        }.into_any(),
                        Some(Answer::Apply(Ok(ApplyOutcome::Started { job, accounts }))) => {
                            view! { <Started job accounts /> }.into_any()
                        }
                        Some(Answer::DryRun(Err(e @ AppError::InvalidField { .. })) | Answer::Apply(Err(e @ AppError::InvalidField { .. }))) => {
                            let csv_error = e.for_field("csv");
                            let confirm_error = e.for_field("confirm_admin");
                            view! {
                                {confirm_error.map(|m| view! { <p class="error-banner" role="alert">{m}</p> })}
                                <UploadForm text run=None error=csv_error />
                            }.into_any()
                        }
                        Some(Answer::DryRun(Err(e)) | Answer::Apply(Err(e))) => error_view(e),
                    }
                })}
            </Suspense>
        </main>
    }
}

/// After apply: the new accounts' passwords, shown only here, and the way to the job.
#[component]
fn Started(job: String, accounts: Vec<NewAccount>) -> impl IntoView {
    let made: Vec<&NewAccount> = accounts.iter().filter(|a| a.result.is_ok()).collect();
    let mut passwords = String::from("username,password\n");
    for a in &made {
        passwords.push_str(&format!("{},{}\n", a.username, a.result.as_deref().unwrap_or_default()));
    }
    let failed: Vec<NewAccount> = accounts.iter().filter(|a| a.result.is_err()).cloned().collect();
    view! {
        <section class="card" role="status" aria-labelledby="started-heading">
            <h2 id="started-heading">"Applying"</h2>
            <p>{format!("{} new accounts made. The memberships and role changes are being applied now.", made.len())}</p>
            <p><a class="button primary" href=format!("/onboard/bulk/jobs/{job}")>"Follow the progress"</a></p>
        </section>
        {(!made.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="passwords-heading">
                <h2 id="passwords-heading">"New accounts and their passwords"</h2>
                <p class="notice" role="note">
                    "Save them now: they are shown only on this page and kept nowhere. Each person is asked to change "
                    "the password when they first sign in."
                </p>
                <p><a class="button secondary" href=data_url(&passwords) download="new-accounts.csv">"Download the passwords"</a></p>
                <table class="cards-on-phone">
                    <caption class="sr-only">"New accounts and their passwords"</caption>
                    <thead><tr><th scope="col">"Username"</th><th scope="col">"Password"</th></tr></thead>
                    <tbody>
                        {made.iter().map(|a| view! {
                            <tr>
                                <td data-label="Username">{a.username.clone()}</td>
                                <td data-label="Password"><code>{a.result.clone().unwrap_or_default()}</code></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        })}
        {(!failed.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="failed-accounts-heading">
                <h2 id="failed-accounts-heading">"Accounts not made"</h2>
                <ul>
                    {failed.into_iter().map(|a| view! {
                        <li>{format!("Line {}: {}: {}", a.line, a.username, a.result.err().unwrap_or_default())}</li>
                    }).collect_view()}
                </ul>
            </section>
        })}
    }
}

#[component]
fn UploadForm(text: String, run: Option<DryRun>, error: Option<String>) -> impl IntoView {
    let invalid = error.is_some();
    let sending = run.as_ref().map_or(0, |r| r.count(|v| matches!(v, Verdict::Send(_))));
    let admin_grants = run.as_ref().map(|r| r.admin_grants.len()).unwrap_or_default();
    let reviewed = run.map(|r| r.plan).unwrap_or_default();
    let dry_run_class = if sending > 0 { "button secondary" } else { "button primary" };
    view! {
        <form method="post" action="/onboard/bulk" enctype="multipart/form-data" class="stack" aria-label="Onboard from a file">
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
            <input type="hidden" name="reviewed" value=reviewed />
            {(sending > 0 && admin_grants > 0).then(|| view! {
                <label class="checkbox confirm-admin">
                    <input type="checkbox" name="confirm_admin" value="yes" />
                    {format!(" Yes, grant the {admin_grants} admin roles listed above.")}
                </label>
            })}
            <div class="button-row">
                <button type="submit" name="step" value="dry-run" class=dry_run_class>
                    "Dry run"
                </button>
                {(sending > 0).then(|| view! {
                    <button type="submit" name="step" value="apply" class="button primary">
                        {format!("Apply the {sending} accepted rows")}
                    </button>
                })}
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
