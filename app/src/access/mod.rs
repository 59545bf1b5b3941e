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
pub mod ssr;
