use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use ks_client::model::{User, ANNOTATION_PROJECT_ROLE, ANNOTATION_WORKSPACE_ROLE};
use ks_types::{ClusterName, ProjectName, ProjectRole, WorkspaceName, WorkspaceRoleKind};

use super::records::Snapshot;
use super::{diff, AccessReview, Changes, Grant, Granted, Held, Membership, Scope, SignOff, Status};
use crate::activity_log::ssr::now_ms;
use crate::activity_log::{Entry, Filter, Visibility};
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
async fn load_with_entries(upstream: &Upstream, ws: &WorkspaceName) -> Result<(AccessReview, Vec<Entry>), AppError> {
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
                .call(
                    |api| async move { api.list_workspace_members(ws, &ks_client::ListOptions::new().unpaged()).await },
                )
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
                list.into_iter().filter_map(|ns| Some((cluster.clone(), ProjectName::parse(&ns.metadata.name).ok()?))),
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
            .call_quiet(
                |api| async move { api.list_project_members(c, p, &ks_client::ListOptions::new().unpaged()).await },
            )
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
    use crate::permissions::ssr as perm;
    let manages = perm::may(upstream, perm::Scope::Workspace(ws), perm::Permission::ManageMembers);
    let manages = manages.await.is_ok_and(perm::Answer::surely);
    match perm::cached(upstream) {
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
        Ok(entries) => {
            entries.into_iter().filter(|e| e.record.succeeded && e.record.change.action.grants_membership()).collect()
        }
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

fn warn(e: crate::activity_log::ssr::LogError) {
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
