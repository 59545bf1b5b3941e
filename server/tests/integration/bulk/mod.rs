//! `/onboard/bulk`: a file of people and memberships, posted as a browser does; its dry run
//! (`dry_run`) and what applying it does (`jobs`).

use reqwest::StatusCode;

use crate::common::TestApp;
pub(crate) use crate::common::{dry_run_verdict as verdict, reviewed};

mod dry_run;
mod jobs;

pub(crate) const HEADER: &str =
    "username,email,display_name,platform_role,workspace,workspace_role,cluster,project,project_role";

pub(crate) async fn dry_run(app: &TestApp, cookie: &str, csv: &str) -> (StatusCode, String) {
    app.post_page(cookie, "/onboard/bulk", &[("csv", csv)]).await
}

/// A console with admin signed in, and the dry run of a file of `lines` under the header: the
/// console, the cookie, the file and the dry run's page.
pub(crate) async fn admins_dry_run(lines: &str) -> (TestApp, String, String, String) {
    let (app, cookie) = TestApp::start_as("admin").await;
    let csv = format!("{HEADER}\n{lines}\n");
    let (_, run) = dry_run(&app, &cookie, &csv).await;
    (app, cookie, csv, run)
}

pub(crate) async fn apply(
    app: &TestApp,
    cookie: &str,
    csv: &str,
    reviewed: &str,
    confirm: bool,
) -> (StatusCode, String) {
    let mut form = vec![("csv", csv), ("reviewed", reviewed), ("step", "apply")];
    if confirm {
        form.push(("confirm_admin", "yes"));
    }
    app.post_page(cookie, "/onboard/bulk", &form).await
}

pub(crate) async fn finished_job(app: &TestApp, cookie: &str, html: &str) -> String {
    app.finished_job(cookie, html).await
}
