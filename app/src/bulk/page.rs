//! The `/onboard/bulk` page: the file (uploaded or pasted), posted to the page itself, and the
//! dry run's table. Server-rendered, no WASM.

use leptos::prelude::*;

use super::{bulk_apply, bulk_dry_run, ApplyOutcome, DryRun, NewAccount, Verdict, COLUMNS, EXAMPLE, MAX_ROWS};
use crate::error::AppError;
use crate::i18n::td_string;
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
    let posted = crate::kit::posted_form()?;
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
                let answer = async {
                    match &asked {
                        None => None,
                        Some(Asked::Unreadable(problem)) => {
                            Some(Answer::DryRun(Err(AppError::field("csv", problem.clone()))))
                        }
                        Some(Asked::DryRun(csv)) => Some(Answer::DryRun(bulk_dry_run(csv.clone()).await)),
                        Some(Asked::Apply { csv, reviewed, confirm }) => {
                            Some(Answer::Apply(bulk_apply(csv.clone(), reviewed.clone(), *confirm).await))
                        }
                    }
                };
                // Who may create accounts (the session's cached permissions): a team lead is
                // told before the dry run that rows making accounts will be refused.
                let (answer, permissions) = futures::future::join(answer, crate::permissions::my_permissions()).await;
                let accounts_by_others = permissions.is_ok_and(|p| !p.manage_users);
                (asked, answer, accounts_by_others)
            }
        },
    );
    let template = crate::csv::line(COLUMNS.iter().copied());
    let locale = crate::language::locale();
    view! {
        <main id="main" class="page">
            <h1>{td_string!(locale, bulk.title)}</h1>
            <p class="muted">{td_string!(locale, bulk.intro, max = MAX_ROWS).to_string()}</p>
            <p class="button-row">
                <a class="button secondary" href=data_url(&template) download="onboarding-template.csv">{td_string!(locale, bulk.download_template)}</a>
                <a class="button secondary" href=data_url(EXAMPLE) download="onboarding-example.csv">{td_string!(locale, bulk.download_example)}</a>
            </p>
            <details>
                <summary>{td_string!(locale, bulk.the_columns)}</summary>
                <dl class="facts">
                    <dt>"username"</dt><dd>{td_string!(locale, bulk.column_username)}</dd>
                    <dt>"email, display_name"</dt><dd>{td_string!(locale, bulk.column_email_display_name)}</dd>
                    <dt>"platform_role"</dt><dd>{td_string!(locale, bulk.column_platform_role)}</dd>
                    <dt>"workspace, workspace_role"</dt><dd>{td_string!(locale, bulk.column_workspace)}</dd>
                    <dt>"cluster, project, project_role"</dt><dd>{td_string!(locale, bulk.column_project)}</dd>
                </dl>
            </details>
            <Suspense fallback=move || view! { <p aria-busy="true">{td_string!(locale, bulk.reading_the_file)}</p> }>
                {move || Suspend::new(async move {
                    let (asked, answer, accounts_by_others) = data.await;
                    let accounts_note = accounts_by_others.then(|| view! {
                        <p class="notice" role="note">{td_string!(locale, bulk.accounts_by_admins)}</p>
                    });
                    let text = match &asked {
                        Some(Asked::DryRun(csv) | Asked::Apply { csv, .. }) => csv.clone(),
                        _ => String::new(),
                    };
                    let page = match answer {
                        None => view! { <UploadForm text run=None error=None /> }.into_any(),
                        Some(Answer::DryRun(Ok(run))) => view! {
                            <DryRunTable run=run.clone() />
                            <UploadForm text run=Some(run) error=None />
                        }.into_any(),
                        Some(Answer::Apply(Ok(ApplyOutcome::Changed(run)))) => view! {
                            <p class="notice" role="status">{td_string!(locale, bulk.changed_since_dry_run)}</p>
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
                    };
                    view! { {accounts_note} {page} }.into_any()
                })}
            </Suspense>
        </main>
    }
}

/// After apply: the new accounts' passwords, shown only here, and the way to the job.
#[component]
fn Started(job: String, accounts: Vec<NewAccount>) -> impl IntoView {
    let locale = crate::language::locale();
    let made = accounts.iter().filter(|a| a.result.is_ok()).count();
    // Accounts linked to a directory or SSO identity have no password to hand over.
    let with_password: Vec<(&str, &str)> =
        accounts.iter().filter_map(|a| Some((a.username.as_str(), a.result.as_ref().ok()?.as_deref()?))).collect();
    let mut passwords = String::from("username,password\n");
    for (user, password) in &with_password {
        passwords.push_str(&crate::csv::line([*user, *password]));
    }
    let failed: Vec<NewAccount> = accounts.iter().filter(|a| a.result.is_err()).cloned().collect();
    view! {
        <section class="card" role="status" aria-labelledby="started-heading">
            <h2 id="started-heading">{td_string!(locale, bulk.applying)}</h2>
            <p>{td_string!(locale, bulk.accounts_made, n = made).to_string()}</p>
            <p><a class="button primary" href=format!("/onboard/bulk/jobs/{job}")>{td_string!(locale, bulk.follow_progress)}</a></p>
        </section>
        {(!with_password.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="passwords-heading">
                <h2 id="passwords-heading">{td_string!(locale, bulk.new_accounts_heading)}</h2>
                <p class="notice" role="note">{td_string!(locale, bulk.save_passwords_now)}</p>
                <p><a class="button secondary" href=data_url(&passwords) download="new-accounts.csv">{td_string!(locale, bulk.download_passwords)}</a></p>
                <table class="cards-on-phone">
                    <caption class="sr-only">{td_string!(locale, bulk.new_accounts_heading)}</caption>
                    <thead><tr><th scope="col">{td_string!(locale, common.username)}</th><th scope="col">{td_string!(locale, bulk.password)}</th></tr></thead>
                    <tbody>
                        {with_password.iter().map(|(user, password)| view! {
                            <tr>
                                <td data-label=td_string!(locale, common.username)>{user.to_string()}</td>
                                <td data-label=td_string!(locale, bulk.password)><code>{password.to_string()}</code></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        })}
        {(!failed.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="failed-accounts-heading">
                <h2 id="failed-accounts-heading">{td_string!(locale, bulk.accounts_not_made)}</h2>
                <ul>
                    {failed.into_iter().map(|a| view! {
                        <li>{td_string!(locale, bulk.account_not_made, line = a.line, user = a.username, why = a.result.err().map(|f| f.text_in(locale)).unwrap_or_default()).to_string()}</li>
                    }).collect_view()}
                </ul>
            </section>
        })}
    }
}

#[component]
fn UploadForm(text: String, run: Option<DryRun>, error: Option<String>) -> impl IntoView {
    let locale = crate::language::locale();
    let invalid = error.is_some();
    let sending = run.as_ref().map_or(0, |r| r.count(|v| matches!(v, Verdict::Send { .. })));
    let admin_grants = run.as_ref().map(|r| r.admin_grants.len()).unwrap_or_default();
    let reviewed = run.map(|r| r.plan).unwrap_or_default();
    let dry_run_class = if sending > 0 { "button secondary" } else { "button primary" };
    view! {
        <form method="post" action="/onboard/bulk" enctype="multipart/form-data" class="stack" aria-label=td_string!(locale, bulk.form_label)>
            <div class="field">
                <label for="bulk-file">{td_string!(locale, bulk.csv_file)}</label>
                <input id="bulk-file" name="file" type="file" accept=".csv,text/csv" />
            </div>
            <div class="field">
                <label for="bulk-text">{td_string!(locale, bulk.or_paste)}</label>
                <textarea id="bulk-text" name="csv" rows="8" spellcheck="false" aria-describedby="bulk-text-error"
                    aria-invalid=invalid.then_some("true")>{text}</textarea>
                <p class="field-error" id="bulk-text-error" role="alert">{error}</p>
            </div>
            <input type="hidden" name="reviewed" value=reviewed />
            {(sending > 0 && admin_grants > 0).then(|| view! {
                <label class="checkbox confirm-admin">
                    <input type="checkbox" name="confirm_admin" value="yes" />
                    {format!(" {}", td_string!(locale, bulk.confirm_admin, n = admin_grants))}
                </label>
            })}
            <div class="button-row">
                <button type="submit" name="step" value="dry-run" class=dry_run_class>
                    {td_string!(locale, bulk.dry_run)}
                </button>
                {(sending > 0).then(|| view! {
                    <button type="submit" name="step" value="apply" class="button primary">
                        {td_string!(locale, bulk.apply_rows, n = sending).to_string()}
                    </button>
                })}
            </div>
        </form>
    }
}

#[component]
fn DryRunTable(run: DryRun) -> impl IntoView {
    let locale = crate::language::locale();
    let sending = run.count(|v| matches!(v, Verdict::Send { .. }));
    let in_place = run.count(|v| matches!(v, Verdict::InPlace(_)));
    let refused = run.count(|v| matches!(v, Verdict::Refused(_)));
    view! {
        <section class="card" aria-labelledby="dry-run-heading">
            <h2 id="dry-run-heading">{td_string!(locale, bulk.dry_run_heading)}</h2>
            <p>
                {td_string!(
                    locale,
                    bulk.dry_run_summary,
                    rows = run.rows.len(),
                    sending,
                    in_place,
                    refused,
                    new_accounts = run.new_accounts,
                    reads = run.reads
                )
                .to_string()}
            </p>
            {(!run.admin_grants.is_empty()).then(|| view! {
                <div class="confirm-admin">
                    <p><strong>{td_string!(locale, bulk.admin_roles_in_file, n = run.admin_grants.len()).to_string()}</strong></p>
                    <ul>{run.admin_grants.iter().map(|(line, step)| view! {
                        <li>{td_string!(locale, bulk.admin_grant, call = step.text_in(locale), line = *line).to_string()}</li>
                    }).collect_view()}</ul>
                </div>
            })}
            <table class="cards-on-phone dry-run">
                <caption class="sr-only">{td_string!(locale, bulk.what_each_row_will_do)}</caption>
                <thead><tr><th scope="col">{td_string!(locale, bulk.line)}</th><th scope="col">{td_string!(locale, bulk.person)}</th><th scope="col">{td_string!(locale, bulk.what_happens)}</th></tr></thead>
                <tbody>
                    {run.rows.into_iter().map(|r| {
                        let text = r.verdict.text_in(locale);
                        let (class, text) = match &r.verdict {
                            Verdict::Send { .. } => ("send", text),
                            Verdict::InPlace(_) => ("in-place", text),
                            Verdict::Refused(_) => ("refused", td_string!(locale, bulk.row_cannot, reason = text).to_string()),
                        };
                        view! {
                            <tr class=class>
                                <td data-label=td_string!(locale, bulk.line)>{r.row.line}</td>
                                <td data-label=td_string!(locale, bulk.person)>{r.row.username.clone()}</td>
                                <td data-label=td_string!(locale, bulk.what_happens)>{text}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
