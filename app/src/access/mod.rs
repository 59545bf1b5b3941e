//! Access review: who has access to a workspace and its projects, with which role, in what
//! state, and how they got it (through the console, from the activity log, or from outside it).
//! The page and its CSV export read the same review; nothing is written to KubeSphere.

mod changes;
mod page;
#[cfg(feature = "ssr")]
pub mod records;

pub use changes::{diff, AccessChange, ChangeKind, Changes, Grant, Held, SignOff, Through, CHANGES_CSV_HEADER};
pub use page::AccessPage;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Memberships shown on one page.
pub const PAGE_SIZE: usize = 50;

/// The export's header: English in every language, as its tokens are.
pub const CSV_HEADER: [&str; 11] = [
    "scope",
    "workspace",
    "cluster",
    "project",
    "username",
    "email",
    "role",
    "status",
    "last_login",
    "granted_by",
    "granted_at",
];

/// Where a membership is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Scope {
    Workspace,
    Project,
}

impl Scope {
    pub fn token(self) -> &'static str {
        match self {
            Scope::Workspace => "workspace",
            Scope::Project => "project",
        }
    }
}

/// A person's account state, as the export names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    Active,
    Disabled,
    Locked,
    /// KubeSphere has not settled the account yet (or it is unknown).
    Pending,
}

impl Status {
    pub fn token(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Disabled => "disabled",
            Status::Locked => "locked",
            Status::Pending => "pending",
        }
    }

    pub fn of(state: Option<&str>) -> Self {
        match state {
            Some("Active") => Status::Active,
            Some("Disabled") => Status::Disabled,
            Some("AuthLimitExceeded") => Status::Locked,
            _ => Status::Pending,
        }
    }
}

/// Who gave a membership its current role through the console, and when (RFC 3339 UTC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Granted {
    pub by: String,
    pub at: String,
}

/// One membership.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub scope: Scope,
    /// Empty for the workspace's own members.
    pub cluster: String,
    pub project: String,
    pub username: String,
    pub email: String,
    /// The role exactly as KubeSphere binds it.
    pub role: String,
    /// Not one of KubeSphere's built-in roles: shown, not managed here.
    pub custom: bool,
    pub status: Status,
    pub last_login: Option<String>,
    /// Through the console, when the activity log says so and the reader may see that entry.
    pub granted: Option<Granted>,
}

/// A workspace's access, as far as the reader may list it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessReview {
    pub workspace: String,
    pub memberships: Vec<Membership>,
    /// Every project read, as `cluster/project`.
    pub projects: Vec<String>,
    /// Projects whose members KubeSphere would not list to the reader, as `cluster/project`.
    pub left_out: Vec<String>,
    /// The reader does not manage the workspace's members: KubeSphere lists them only the
    /// projects they belong to.
    pub partial: bool,
    /// Clusters of the placement that did not answer.
    pub clusters_unanswered: Vec<String>,
    /// Upstream reads, and the rounds they took.
    pub reads: usize,
    pub rounds: usize,
}

/// The role filter's value for every custom role (custom roles are never named in a control).
pub const CUSTOM: &str = "custom";

/// The filters, as the page's query has them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filters {
    /// `cluster/project`, or `workspace` for the workspace's own members.
    pub place: String,
    pub role: String,
    pub status: String,
    pub page: usize,
    /// Changes since this moment (RFC 3339, or a day); empty: since the last sign-off.
    pub since: String,
}

impl Filters {
    fn keeps(&self, m: &Membership) -> bool {
        let place = match m.scope {
            Scope::Workspace => "workspace".to_owned(),
            Scope::Project => format!("{}/{}", m.cluster, m.project),
        };
        (self.place.is_empty() || self.place == place)
            && (self.role.is_empty() || self.role == m.role || (self.role == CUSTOM && m.custom))
            && (self.status.is_empty() || self.status == m.status.token())
    }
}

/// One page of the review, filtered on the server (the page never carries the whole workspace).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessView {
    pub workspace: String,
    pub rows: Vec<Membership>,
    /// Memberships the filters keep, over every page.
    pub total: usize,
    pub page: usize,
    pub pages: usize,
    /// The workspace's projects, as `cluster/project`, for the place filter.
    pub places: Vec<String>,
    /// The built-in roles held here, for the role filter; custom ones are one choice.
    pub roles: Vec<String>,
    pub any_custom: bool,
    pub partial: bool,
    pub left_out: Vec<String>,
    pub clusters_unanswered: Vec<String>,
    /// The reader could list every membership: they may sign off and see what changed.
    pub complete: bool,
    pub sign_off: Option<SignOff>,
    /// What changed since `filters.since` or the last sign-off (complete readers only).
    pub changes: Option<Changes>,
    /// What was wrong with the `since` asked for.
    pub since_error: Option<String>,
}

/// One page of the review of `workspace`, filtered, with its sign-off and what changed. A
/// complete read is kept as a snapshot when it differs from the last one.
#[server(prefix = "/api", endpoint = "workspace_access_page")]
pub async fn workspace_access_page(workspace: String, filters: Filters) -> Result<AccessView, AppError> {
    let ws = ks_types::WorkspaceName::parse(&workspace).map_err(|_| AppError::NotFound)?;
    // A mistyped day is shown at its field; the review itself still shows.
    let (since, since_error) = match ssr::parse_since(&filters.since) {
        Ok(since) => (since, None),
        Err(e) => (None, Some(e.message())),
    };
    let upstream = crate::upstream::Upstream::from_context()?;
    let recorded = ssr::review_with_records(&upstream, &ws, since).await?;
    let mut view = recorded.review.view(&filters);
    view.sign_off = recorded.sign_off;
    view.changes = recorded.changes;
    view.since_error = since_error;
    Ok(view)
}

/// Records that the signed-in person reviewed `workspace`'s access now (an attestation shown on
/// the review page). Only someone who can list every membership may.
#[server(prefix = "/api", endpoint = "mark_access_reviewed")]
pub async fn mark_access_reviewed(workspace: String) -> Result<SignOff, AppError> {
    let ws = ks_types::WorkspaceName::parse(&workspace).map_err(|_| AppError::NotFound)?;
    let upstream = crate::upstream::Upstream::from_context()?;
    ssr::sign_off(&upstream, &ws).await
}

/// The review of `workspace` for the signed-in person.
#[server(prefix = "/api", endpoint = "workspace_access")]
pub async fn workspace_access(workspace: String) -> Result<AccessReview, AppError> {
    let ws = ks_types::WorkspaceName::parse(&workspace).map_err(|_| AppError::NotFound)?;
    let upstream = crate::upstream::Upstream::from_context()?;
    ssr::load(&upstream, &ws).await
}

impl AccessReview {
    /// Whether the reader could list every membership (a platform administrator, or one who
    /// manages the workspace's members, with every cluster answering).
    pub fn complete(&self) -> bool {
        !self.partial && self.left_out.is_empty() && self.clusters_unanswered.is_empty()
    }

    /// The page of memberships `filters` asks for, with what the filters offer.
    pub fn view(self, filters: &Filters) -> AccessView {
        let kept: Vec<&Membership> = self.memberships.iter().filter(|m| filters.keeps(m)).collect();
        let total = kept.len();
        let pages = total.div_ceil(PAGE_SIZE).max(1);
        let page = filters.page.clamp(1, pages);
        let rows = kept.into_iter().skip((page - 1) * PAGE_SIZE).take(PAGE_SIZE).cloned().collect();
        let mut roles: Vec<String> = self.memberships.iter().filter(|m| !m.custom).map(|m| m.role.clone()).collect();
        roles.sort();
        roles.dedup();
        AccessView {
            complete: self.complete(),
            sign_off: None,
            changes: None,
            since_error: None,
            any_custom: self.memberships.iter().any(|m| m.custom),
            workspace: self.workspace,
            rows,
            total,
            page,
            pages,
            places: self.projects,
            roles,
            partial: self.partial,
            left_out: self.left_out,
            clusters_unanswered: self.clusters_unanswered,
        }
    }

    /// The export: one line per membership, every cell neutralised against spreadsheet formulas.
    pub fn csv(&self) -> String {
        let mut out = crate::csv::line(CSV_HEADER);
        for m in &self.memberships {
            let granted = m.granted.as_ref();
            out.push_str(&crate::csv::line([
                m.scope.token(),
                self.workspace.as_str(),
                m.cluster.as_str(),
                m.project.as_str(),
                m.username.as_str(),
                m.email.as_str(),
                m.role.as_str(),
                m.status.token(),
                m.last_login.as_deref().unwrap_or_default(),
                granted.map_or("", |g| g.by.as_str()),
                granted.map_or("", |g| g.at.as_str()),
            ]));
        }
        out
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use ks_client::model::{User, ANNOTATION_PROJECT_ROLE, ANNOTATION_WORKSPACE_ROLE};
    use ks_types::{ClusterName, ProjectName, ProjectRole, WorkspaceName, WorkspaceRoleKind};

    use super::records::Snapshot;
    use super::{diff, AccessReview, Changes, Grant, Granted, Held, Membership, Scope, SignOff, Status};
    use crate::audit::ssr::now_ms;
    use crate::audit::{Entry, Filter, Visibility};
    use crate::directory::ssr::bounded_join;
    use crate::error::AppError;
    use crate::upstream::Upstream;

    /// The activity entries read to explain memberships (newest first).
    const ENTRIES: u32 = 5000;

    /// Three rounds at most: the workspace, its members, every user and what the reader may see
    /// of the log; then its projects on each cluster of its placement; then each project's members.
    pub async fn load(upstream: &Upstream, ws: &WorkspaceName) -> Result<AccessReview, AppError> {
        Ok(load_with_entries(upstream, ws).await?.0)
    }

    /// The review, and the log's entries about the workspace the reader may see (newest first).
    async fn load_with_entries(
        upstream: &Upstream,
        ws: &WorkspaceName,
    ) -> Result<(AccessReview, Vec<Entry>), AppError> {
        let reads = AtomicUsize::new(0);
        let read = || reads.fetch_add(1, Ordering::Relaxed);
        let (template, members, users, visibility) = tokio::join!(
            async {
                read();
                upstream.call(|api| async move { api.get_workspace(ws).await }).await
            },
            async {
                read();
                upstream
                    .call(|api| async move {
                        api.list_workspace_members(ws, &ks_client::ListOptions::new().unpaged()).await
                    })
                    .await
            },
            async {
                read();
                upstream.call(|api| async move { api.list_users(&ks_client::ListOptions::new().unpaged()).await }).await
            },
            visibility(upstream, ws),
        );
        let (template, members, users) = (template?, members?.into_items(), users?.into_items());
        let people: HashMap<&str, &User> = users.iter().map(|u| (u.metadata.name.as_str(), u)).collect();
        let entries = granting_entries(ws, &visibility).await;

        // Round 2: the projects the reader may list, per cluster of the placement.
        let clusters: Vec<ClusterName> =
            template.cluster_names().iter().filter_map(|c| ClusterName::parse(c).ok()).collect();
        let listed = bounded_join(clusters.into_iter().map(|cluster| async move {
            read();
            let c = &cluster;
            let found = upstream.call_quiet(|api| async move { api.list_projects(c, ws).await }).await;
            (cluster, found)
        }))
        .await;
        let partial = match &visibility {
            Visibility::Everything => false,
            Visibility::Own { workspaces, .. } => !workspaces.iter().any(|w| w == ws.as_str()),
        };
        let mut review = AccessReview { workspace: ws.to_string(), rounds: 2, partial, ..AccessReview::default() };
        let mut projects: Vec<(ClusterName, ProjectName)> = Vec::new();
        for (cluster, found) in listed {
            match found {
                Some(list) => projects.extend(
                    list.into_iter()
                        .filter_map(|ns| Some((cluster.clone(), ProjectName::parse(&ns.metadata.name).ok()?))),
                ),
                None => review.clusters_unanswered.push(cluster.to_string()),
            }
        }
        projects.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));

        // Round 3: each project's members.
        if !projects.is_empty() {
            review.rounds = 3;
        }
        let project_members = bounded_join(projects.into_iter().map(|(cluster, project)| async move {
            read();
            let (c, p) = (&cluster, &project);
            let found = upstream
                .call_quiet(|api| async move {
                    api.list_project_members(c, p, &ks_client::ListOptions::new().unpaged()).await
                })
                .await;
            (cluster, project, found)
        }))
        .await;

        let membership = |scope: Scope, cluster: &str, project: &str, stub: &User, role: &str, custom: bool| {
            let person = people.get(stub.metadata.name.as_str()).copied();
            Membership {
                scope,
                cluster: cluster.to_owned(),
                project: project.to_owned(),
                username: stub.metadata.name.clone(),
                email: person.map(|p| p.spec.email.clone()).unwrap_or_default(),
                role: role.to_owned(),
                custom,
                status: Status::of(person.and_then(User::state)),
                last_login: person.and_then(User::last_login_time).map(str::to_owned),
                granted: granted(&entries, stub.metadata.name.as_str(), (cluster, project), role),
            }
        };
        for stub in &members {
            let role = stub.annotation(ANNOTATION_WORKSPACE_ROLE).unwrap_or_default();
            let custom = !is_builtin_workspace_role(ws, role);
            review.memberships.push(membership(Scope::Workspace, "", "", stub, role, custom));
        }
        review.memberships.sort_by(|a, b| a.username.cmp(&b.username));
        for (cluster, project, found) in project_members {
            let key = format!("{cluster}/{project}");
            review.projects.push(key.clone());
            let Some(stubs) = found else {
                review.left_out.push(key);
                continue;
            };
            let mut rows: Vec<Membership> = stubs
                .into_items()
                .iter()
                .map(|stub| {
                    let role = stub.annotation(ANNOTATION_PROJECT_ROLE).unwrap_or_default();
                    let custom = ProjectRole::parse(role).is_err();
                    membership(Scope::Project, cluster.as_str(), project.as_str(), stub, role, custom)
                })
                .collect();
            rows.sort_by(|a, b| a.username.cmp(&b.username));
            review.memberships.extend(rows);
        }
        review.reads = reads.load(Ordering::Relaxed);
        Ok((review, entries))
    }

    /// KubeSphere's built-in workspace roles are `<ws>-<kind>` (names KubeSphere shortens for
    /// long workspace names are not recognised: shown as custom, which they are not; a rare case).
    fn is_builtin_workspace_role(ws: &WorkspaceName, role: &str) -> bool {
        role.strip_prefix(ws.as_str())
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(|kind| WorkspaceRoleKind::parse(kind).is_ok())
    }

    /// Which of the log's entries about this workspace the reader may see: all of them for a
    /// platform administrator or one who manages its members; otherwise their own changes.
    async fn visibility(upstream: &Upstream, ws: &WorkspaceName) -> Visibility {
        let actor = upstream.username().to_owned();
        let scope = [("scope", "workspace"), ("workspace", ws.as_str())];
        let manages = crate::permissions::ssr::surely_may(None, &scope, "members", "manage").await;
        match crate::permissions::ssr::cached() {
            Some(p) if p.manage_users && p.manage_workspaces => Visibility::Everything,
            _ if manages => Visibility::Own { actor, workspaces: vec![ws.to_string()] },
            _ => Visibility::Own { actor, workspaces: Vec::new() },
        }
    }

    /// The log's successful entries about this workspace that the reader may see, newest first
    /// (none when the log cannot be read: every membership then reads "outside the console").
    async fn granting_entries(ws: &WorkspaceName, visibility: &Visibility) -> Vec<Entry> {
        let Ok(log) = crate::upstream::activity_log() else { return Vec::new() };
        let filter = Filter { workspace: Some(ws.to_string()), ..Filter::default() };
        match log.list(&filter, visibility, ENTRIES).await {
            // Only changes that wrote a membership explain one (a request asked for a role;
            // its approval's invitation is the entry that counts).
            Ok(entries) => entries
                .into_iter()
                .filter(|e| e.record.succeeded && e.record.change.action.grants_membership())
                .collect(),
            Err(e) => {
                tracing::warn!(error = %e, "access review: the activity log could not be read");
                Vec::new()
            }
        }
    }

    /// The newest console change that gave this person this role here.
    fn granted(entries: &[Entry], user: &str, (cluster, project): (&str, &str), role: &str) -> Option<Granted> {
        let here = |c: &Option<String>, p: &Option<String>| {
            c.as_deref().unwrap_or_default() == cluster && p.as_deref().unwrap_or_default() == project
        };
        entries
            .iter()
            .find(|e| {
                let c = &e.record.change;
                c.target_user.as_deref() == Some(user)
                    && here(&c.cluster, &c.project)
                    && c.role_after.as_deref() == Some(role)
            })
            .map(|e| Granted { by: e.record.actor.clone(), at: rfc3339(e.record.at_ms) })
    }

    /// A review as the page shows it: the sign-off, and what changed since `since` (else since
    /// the sign-off) for a reader who could list everything.
    pub struct Recorded {
        pub review: AccessReview,
        pub sign_off: Option<SignOff>,
        pub changes: Option<Changes>,
    }

    /// Reads the review and, for a reader who could list everything, keeps it as a snapshot
    /// when it differs from the last one (a deliberate write to the console's own database on a
    /// read) and compares it with the snapshot at or before `since` (default: the last sign-off).
    /// The database being away costs the sign-off and the changes, never the review.
    pub async fn review_with_records(
        upstream: &Upstream,
        ws: &WorkspaceName,
        since: Option<i64>,
    ) -> Result<Recorded, AppError> {
        let records = super::records::store().ok();
        let (loaded, last_sign_off, latest) = tokio::join!(
            load_with_entries(upstream, ws),
            async {
                let records = records.as_ref()?;
                records.last_sign_off(ws.as_str()).await.map_err(warn).ok().flatten()
            },
            async {
                let records = records.as_ref()?;
                records.latest_snapshot(ws.as_str(), None).await.map_err(warn).ok()
            },
        );
        let (review, entries) = loaded?;
        let sign_off =
            last_sign_off.as_ref().map(|(at, reviewer)| SignOff { reviewer: reviewer.clone(), at: rfc3339(*at) });
        let (Some(records), true, Some(latest)) = (records, review.complete(), latest) else {
            return Ok(Recorded { review, sign_off, changes: None });
        };
        let now = Held::of_all(&review.memberships);
        let since = since.or(last_sign_off.map(|(at, _)| at));
        let baseline = match since {
            Some(since) if latest.as_ref().is_some_and(|l| l.at_ms <= since) => latest.clone(),
            Some(since) => records.latest_snapshot(ws.as_str(), Some(since)).await.map_err(warn).ok().flatten(),
            None => None,
        };
        if latest.as_ref().is_none_or(|l| l.held != now) {
            let snapshot = Snapshot {
                workspace: ws.to_string(),
                at_ms: now_ms(),
                taken_by: upstream.username().to_owned(),
                held: now.clone(),
            };
            let _ = records.add_snapshot(&snapshot).await.map_err(warn);
        }
        let changes = since.map(|since| Changes {
            workspace: ws.to_string(),
            since: rfc3339(since),
            baseline: baseline.as_ref().map(|b| rfc3339(b.at_ms)),
            changes: baseline
                .as_ref()
                .map(|b| diff(&b.held, &now, &grants_after(&entries, b.at_ms), rfc3339))
                .unwrap_or_default(),
        });
        Ok(Recorded { review, sign_off, changes })
    }

    /// The changes for the export: only for a reader who could list everything.
    pub async fn changes(upstream: &Upstream, ws: &WorkspaceName, since: Option<i64>) -> Result<Changes, AppError> {
        super::records::store()?;
        let recorded = review_with_records(upstream, ws, since).await?;
        if !recorded.review.complete() {
            return Err(cannot_review_all());
        }
        let locale = crate::language::locale();
        match recorded.changes {
            None => Err(AppError::field("since", crate::i18n::td_string!(locale, access.since_needed))),
            // No record to compare with: an empty file would read "nothing changed".
            Some(Changes { baseline: None, since, .. }) => Err(AppError::field(
                "since",
                crate::i18n::td_string!(locale, access.no_baseline, since = since).to_string(),
            )),
            Some(changes) => Ok(changes),
        }
    }

    /// Signs off the review of `ws` for the signed-in person, keeping what they saw as a snapshot.
    pub async fn sign_off(upstream: &Upstream, ws: &WorkspaceName) -> Result<SignOff, AppError> {
        let records = super::records::store()?;
        let review = load(upstream, ws).await?;
        if !review.complete() {
            return Err(cannot_review_all());
        }
        let unavailable = |e| {
            warn(e);
            AppError::ActivityLogUnavailable
        };
        let now = Held::of_all(&review.memberships);
        let latest = records.latest_snapshot(ws.as_str(), None).await.map_err(unavailable)?;
        let at_ms = now_ms();
        if latest.is_none_or(|l| l.held != now) {
            let snapshot =
                Snapshot { workspace: ws.to_string(), at_ms, taken_by: upstream.username().to_owned(), held: now };
            records.add_snapshot(&snapshot).await.map_err(unavailable)?;
        }
        records.sign_off(ws.as_str(), at_ms, upstream.username()).await.map_err(unavailable)?;
        Ok(SignOff { reviewer: upstream.username().to_owned(), at: rfc3339(at_ms) })
    }

    fn cannot_review_all() -> AppError {
        let locale = crate::language::locale();
        AppError::NotAllowedTo(crate::i18n::td_string!(locale, access.not_allowed_to_review).to_owned())
    }

    /// `since` as milliseconds: RFC 3339, or a day (its start, UTC); empty: none.
    pub fn parse_since(raw: &str) -> Result<Option<i64>, AppError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(None);
        }
        let format = time::format_description::well_known::Rfc3339;
        let at = time::OffsetDateTime::parse(raw, &format).ok().or_else(|| {
            let day = time::macros::format_description!("[year]-[month]-[day]");
            time::Date::parse(raw, &day).ok().map(|d| d.midnight().assume_utc())
        });
        match at {
            Some(at) => Ok(Some(i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX))),
            None => {
                let locale = crate::language::locale();
                Err(AppError::field("since", crate::i18n::td_string!(locale, access.since_invalid)))
            }
        }
    }

    /// The console's grants after `after_ms`, from the log's entries (newest first).
    fn grants_after(entries: &[Entry], after_ms: i64) -> Vec<Grant> {
        entries
            .iter()
            .filter(|e| e.record.at_ms > after_ms)
            .filter_map(|e| {
                let c = &e.record.change;
                Some(Grant {
                    username: c.target_user.clone()?,
                    cluster: c.cluster.clone().unwrap_or_default(),
                    project: c.project.clone().unwrap_or_default(),
                    role: c.role_after.clone()?,
                    by: e.record.actor.clone(),
                    at_ms: e.record.at_ms,
                })
            })
            .collect()
    }

    fn warn(e: crate::audit::ssr::LogError) {
        tracing::warn!(error = %e, "access review: the console's database could not be used");
    }

    /// Milliseconds since the epoch as RFC 3339 UTC, to the second.
    pub fn rfc3339(at_ms: i64) -> String {
        let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
        time::OffsetDateTime::from_unix_timestamp(at_ms.div_euclid(1000))
            .ok()
            .and_then(|t| t.format(&format).ok())
            .unwrap_or_default()
    }
}
