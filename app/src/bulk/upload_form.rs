//! The bulk page's file form and the dry run's table, row by row.

use super::{DryRun, Verdict};
use crate::i18n::td_string;
use leptos::prelude::*;

#[component]
pub(super) fn UploadForm(text: String, run: Option<DryRun>, error: Option<String>) -> impl IntoView {
    let locale = crate::language::locale();
    let invalid = error.is_some();
    let sending = run.as_ref().map_or(0, |r| r.count(|v| matches!(v, Verdict::Send { .. })));
    let admin_grants = run.as_ref().map(|r| r.admin_grants.len()).unwrap_or_default();
    let reviewed = run.map(|r| r.plan).unwrap_or_default();
    let dry_run_class = if sending > 0 { "button secondary" } else { "button primary" };
    view! {
        <form
            method="post"
            action="/onboard/bulk"
            enctype="multipart/form-data"
            class="stack"
            aria-label=td_string!(locale, bulk.form_label)
        >
            <div class="field">
                <label for="bulk-file">{td_string!(locale, bulk.csv_file)}</label>
                <input id="bulk-file" name="file" type="file" accept=".csv,text/csv" />
            </div>
            <div class="field">
                <label for="bulk-text">{td_string!(locale, bulk.or_paste)}</label>
                <textarea
                    id="bulk-text"
                    name="csv"
                    rows="8"
                    spellcheck="false"
                    aria-describedby="bulk-text-error"
                    aria-invalid=invalid.then_some("true")
                >
                    {text}
                </textarea>
                <p class="field-error" id="bulk-text-error" role="alert">
                    {error}
                </p>
            </div>
            <input type="hidden" name="reviewed" value=reviewed />
            {(sending > 0 && admin_grants > 0)
                .then(|| {
                    view! {
                        <label class="checkbox confirm-admin">
                            <input type="checkbox" name="confirm_admin" value="yes" />
                            {format!(" {}", td_string!(locale, bulk.confirm_admin, n = admin_grants))}
                        </label>
                    }
                })}
            <div class="button-row">
                <button type="submit" name="step" value="dry-run" class=dry_run_class>
                    {td_string!(locale, bulk.dry_run)}
                </button>
                {(sending > 0)
                    .then(|| {
                        view! {
                            <button type="submit" name="step" value="apply" class="button primary">
                                {td_string!(locale, bulk.apply_rows, n = sending).to_string()}
                            </button>
                        }
                    })}
            </div>
        </form>
    }
}

#[component]
pub(super) fn DryRunTable(run: DryRun) -> impl IntoView {
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
            {(!run.admin_grants.is_empty())
                .then(|| {
                    view! {
                        <div class="confirm-admin">
                            <p>
                                <strong>
                                    {td_string!(locale, bulk.admin_roles_in_file, n = run.admin_grants.len())
                                        .to_string()}
                                </strong>
                            </p>
                            <ul>
                                {run
                                    .admin_grants
                                    .iter()
                                    .map(|(line, step)| {
                                        view! {
                                            <li>
                                                {td_string!(
                                                    locale, bulk.admin_grant, call = step.text_in(locale), line = *line
                                                )
                                                    .to_string()}
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        </div>
                    }
                })}
            <table class="cards-on-phone dry-run">
                <caption class="sr-only">{td_string!(locale, bulk.what_each_row_will_do)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{td_string!(locale, bulk.line)}</th>
                        <th scope="col">{td_string!(locale, bulk.person)}</th>
                        <th scope="col">{td_string!(locale, bulk.what_happens)}</th>
                    </tr>
                </thead>
                <tbody>
                    {run
                        .rows
                        .into_iter()
                        .map(|r| {
                            let text = r.verdict.text_in(locale);
                            let (class, text) = match &r.verdict {
                                Verdict::Send { .. } => ("send", text),
                                Verdict::InPlace(_) => ("in-place", text),
                                Verdict::Refused(_) => {
                                    ("refused", td_string!(locale, bulk.row_cannot, reason = text).to_string())
                                }
                            };
                            view! {
                                <tr class=class>
                                    <td data-label=td_string!(locale, bulk.line)>{r.row.line}</td>
                                    <td data-label=td_string!(locale, bulk.person)>{r.row.username.clone()}</td>
                                    <td data-label=td_string!(locale, bulk.what_happens)>{text}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
}
