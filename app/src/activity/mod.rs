//! `/activity`: the changes made through the console (what `audit` records), searched, as the
//! signed-in person may see them; and the reads that tell the log the role before a change.

mod page;

pub use page::ActivityPage;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::activity_log::Entry;
use crate::error::AppError;

/// An entry with its time as people read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub when: String,
    pub entry: Entry,
}

/// One page of the log, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityPageData {
    pub entries: Vec<Row>,
    /// The `before` of the next (older) page, when there is one.
    pub older: Option<i64>,
    pub sees_everything: bool,
    /// For platform administrators: whether people are told of changes, and what was given up.
    pub notify: Option<crate::notifications::NotifyStatus>,
}

pub const PAGE_SIZE: u32 = 50;

/// The filters of `/activity` as they arrive (the page's GET form, unchecked). Dates are
/// `YYYY-MM-DD` (UTC, both days included); `before` is the id the next page starts below.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityQuery {
    #[serde(default)]
    pub person: Option<String>,
    #[serde(default)]
    pub by: Option<String>,
    #[serde(default)]
    pub workspace: Option<String>,
    #[serde(default)]
    pub project: Option<String>,
    #[serde(default)]
    pub action: Option<String>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub before: Option<String>,
}

/// One page of the log as the signed-in person may see it.
#[server(prefix = "/api", endpoint = "list_activity")]
pub async fn list_activity(#[server(default)] query: ActivityQuery) -> Result<ActivityPageData, AppError> {
    let ActivityQuery { person, by, workspace, project, action, from, to, before } = query;
    let filter = ssr::parse_filter([person, by, workspace, project], action, (from, to), before)?;
    let upstream = crate::upstream::Upstream::from_context()?;
    let visibility = ssr::visibility(&upstream).await?;
    let sees_everything = visibility == crate::activity_log::Visibility::Everything;
    let log = crate::upstream::activity_log()?;
    let mut entries = log.list(&filter, &visibility, PAGE_SIZE + 1).await.map_err(|e| {
        tracing::error!(error = %e, "activity log: could not read");
        crate::upstream::fail_with(AppError::ActivityLogUnavailable)
    })?;
    let older = (entries.len() > PAGE_SIZE as usize).then(|| {
        entries.truncate(PAGE_SIZE as usize);
        entries.last().map(|e| e.id)
    });
    let entries = entries.into_iter().map(|entry| Row { when: ssr::display_time(entry.record.at_ms), entry }).collect();
    let notify = crate::notifications::ssr::status(&upstream, ssr::display_time).await;
    Ok(ActivityPageData { entries, older: older.flatten(), sees_everything, notify })
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::activity_log::{Action, Filter, Visibility};
    use crate::error::{name_error, AppError};
    use crate::i18n::td_string;
    use crate::upstream::Upstream;

    /// The filters of `/activity`, checked: names must be valid names, dates real dates.
    pub fn parse_filter(
        [person, by, workspace, project]: [Option<String>; 4],
        action: Option<String>,
        (from, to): (Option<String>, Option<String>),
        before: Option<String>,
    ) -> Result<Filter, AppError> {
        let locale = crate::language::locale();
        fn name<T>(
            raw: Option<String>,
            field: &str,
            parse: impl Fn(&str) -> Result<T, String>,
        ) -> Result<Option<String>, AppError> {
            match raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(s) => parse(s).map(|_| Some(s.to_owned())).map_err(|e| AppError::field(field, e)),
            }
        }
        let person = name(person, "person", |s| ks_types::UserName::parse(s).map_err(|e| name_error(&e)))?;
        let by = name(by, "by", |s| ks_types::UserName::parse(s).map_err(|e| name_error(&e)))?;
        let workspace =
            name(workspace, "workspace", |s| ks_types::WorkspaceName::parse(s).map_err(|e| name_error(&e)))?;
        let project = name(project, "project", |s| ks_types::ProjectName::parse(s).map_err(|e| name_error(&e)))?;
        let action = match action.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(key) => Some(
                Action::parse(key)
                    .ok_or_else(|| AppError::field("action", td_string!(locale, activity.choose_listed_change)))?,
            ),
        };
        let day = |raw: Option<String>, field: &str| -> Result<Option<i64>, AppError> {
            match raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(s) => day_start_ms(s)
                    .map(Some)
                    .ok_or_else(|| AppError::field(field, td_string!(locale, activity.date_format))),
            }
        };
        let from_ms = day(from, "from")?;
        let until_ms = day(to, "to")?.map(|start| start + DAY_MS - 1);
        if let (Some(f), Some(u)) = (from_ms, until_ms) {
            if f > u {
                return Err(AppError::field("to", td_string!(locale, activity.end_before_start)));
            }
        }
        let before_id = match before.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(
                s.parse::<i64>().map_err(|_| AppError::Invalid(td_string!(locale, activity.no_such_page).into()))?,
            ),
        };
        Ok(Filter { person, by, workspace, project, action, from_ms, until_ms, before_id })
    }

    const DAY_MS: i64 = 86_400_000;

    /// The first millisecond of a `YYYY-MM-DD` day (UTC).
    pub fn day_start_ms(raw: &str) -> Option<i64> {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let day = time::Date::parse(raw, &format).ok()?;
        Some(day.midnight().assume_utc().unix_timestamp() * 1000)
    }

    /// A moment as people read it in the log: `2026-11-30 18:40:05 UTC`.
    pub fn display_time(at_ms: i64) -> String {
        let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(at_ms) * 1_000_000)
            .ok()
            .and_then(|t| t.format(&format).ok())
            .unwrap_or_default()
    }

    /// The role `user` holds in a workspace now, for the log's "before" (`None` when not a member
    /// or when KubeSphere does not say).
    pub async fn workspace_role_of(
        upstream: &Upstream,
        ws: &ks_types::WorkspaceName,
        user: &ks_types::UserName,
    ) -> Option<String> {
        let members = upstream
            .call_quiet(|api| async move {
                api.list_workspace_members(ws, &ks_client::ListOptions::new().name(user.as_str())).await
            })
            .await?;
        role_in(members.into_items(), user, ks_client::model::ANNOTATION_WORKSPACE_ROLE)
    }

    /// The role `user` holds in a project now, as [`workspace_role_of`].
    pub async fn project_role_of(
        upstream: &Upstream,
        cluster: &ks_types::ClusterName,
        ns: &ks_types::ProjectName,
        user: &ks_types::UserName,
    ) -> Option<String> {
        let members = upstream
            .call_quiet(|api| async move {
                api.list_project_members(cluster, ns, &ks_client::ListOptions::new().name(user.as_str())).await
            })
            .await?;
        role_in(members.into_items(), user, ks_client::model::ANNOTATION_PROJECT_ROLE)
    }

    fn role_in(members: Vec<ks_client::model::User>, user: &ks_types::UserName, annotation: &str) -> Option<String> {
        members
            .iter()
            .find(|m| m.metadata.name == user.as_str())
            .and_then(|m| m.annotation(annotation))
            .map(str::to_owned)
    }

    /// What the signed-in person may read: everything for a platform administrator; otherwise
    /// their own changes and those touching a workspace whose members they may manage.
    pub async fn visibility(upstream: &Upstream) -> Result<Visibility, AppError> {
        let list =
            || upstream.call(|api| async move { api.list_workspaces(&ks_client::ListOptions::new().unpaged()).await });
        let admin = |p: &crate::permissions::Permissions| p.manage_users && p.manage_workspaces;
        // Two rounds at most: the workspaces are asked for with the permissions unless those
        // are known already (and, for an administrator, never needed).
        let visible = match crate::permissions::ssr::cached(upstream) {
            Some(p) if admin(&p) => return Ok(Visibility::Everything),
            Some(_) => list().await?,
            None => {
                let (perms, visible) = futures::future::join(crate::permissions::ssr::load(upstream), list()).await;
                if admin(&perms?) {
                    return Ok(Visibility::Everything);
                }
                visible?
            }
        }
        .into_items();
        // Fails closed: a workspace whose roles KubeSphere does not confirm stays hidden.
        let checks = visible.into_iter().map(|w| async move {
            let ws = ks_types::WorkspaceName::parse(&w.metadata.name).ok()?;
            use crate::permissions::ssr as perm;
            let answer = perm::may(upstream, perm::Scope::Workspace(&ws), perm::Permission::ManageMembers);
            answer.await.is_ok_and(perm::Answer::surely).then(|| ws.to_string())
        });
        let workspaces = crate::directory::ssr::bounded_join(checks).await.into_iter().flatten().collect();
        Ok(Visibility::Own { actor: upstream.username().to_owned(), workspaces })
    }
}
