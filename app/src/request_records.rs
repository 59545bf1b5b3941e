//! Access requests as the console keeps them (the kit the requests pages, the navigation's
//! count and the server's database share): what a request is, where it is stored, and which
//! pending ones the signed-in person may decide (KubeSphere says: whoever may manage the place's
//! members).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Days a request stays pending before it expires.
pub const PENDING_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RequestState {
    Pending,
    Approved,
    Declined,
    Withdrawn,
    /// A newer request of the same person for the same place took its place.
    Replaced,
    Expired,
}

impl RequestState {
    pub const ALL: [RequestState; 6] = [
        RequestState::Pending,
        RequestState::Approved,
        RequestState::Declined,
        RequestState::Withdrawn,
        RequestState::Replaced,
        RequestState::Expired,
    ];

    pub fn key(self) -> &'static str {
        match self {
            RequestState::Pending => "pending",
            RequestState::Approved => "approved",
            RequestState::Declined => "declined",
            RequestState::Withdrawn => "withdrawn",
            RequestState::Replaced => "replaced",
            RequestState::Expired => "expired",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// Where access is asked for: a workspace, or one of its projects on a cluster.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    pub workspace: String,
    /// Empty for the workspace itself.
    pub cluster: String,
    pub project: String,
}

impl Place {
    /// "in workspace W" or "in project P (C) of workspace W", to be put into a sentence.
    pub fn phrase(&self, locale: crate::language::Locale) -> String {
        use crate::i18n::td_string;
        let Place { workspace, cluster, project } = self.clone();
        if self.is_project() {
            td_string!(locale, common.in_project, project, cluster, workspace).to_string()
        } else {
            td_string!(locale, common.in_workspace, workspace).to_string()
        }
    }

    pub fn is_project(&self) -> bool {
        !self.project.is_empty()
    }

    /// The least privileged role there: the workspace's regular role, a project's viewer.
    pub fn least_role(&self) -> &'static str {
        if self.is_project() {
            "viewer"
        } else {
            "regular"
        }
    }

    /// `ws`, or `cluster/project`, as people read it.
    pub fn label(&self) -> String {
        if self.is_project() {
            format!("{}/{}", self.cluster, self.project)
        } else {
            self.workspace.clone()
        }
    }
}

/// One request, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRequest {
    pub id: String,
    pub requester: String,
    pub place: Place,
    /// The role asked for: a workspace role's kind (`viewer`) or a project role's name.
    pub role: String,
    pub reason: String,
    pub at_ms: i64,
    pub state: RequestState,
    pub decided_by: Option<String>,
    pub decided_at_ms: Option<i64>,
    /// A decline's reason, or the role an approval gave.
    pub note: String,
}

impl AccessRequest {
    /// The role's name as KubeSphere binds it (`demo-viewer`, `operator`), for people to read.
    pub fn role_name(&self) -> String {
        if self.place.is_project() {
            self.role.clone()
        } else {
            format!("{}-{}", self.place.workspace, self.role)
        }
    }
}

/// How many pending requests the reader may decide (for the navigation; 0 when unknown).
#[server(prefix = "/api", endpoint = "access_requests_waiting")]
pub async fn access_requests_waiting() -> Result<usize, AppError> {
    let upstream = crate::upstream::Upstream::from_context()?;
    Ok(ssr::decidable(&upstream).await.map(|d| d.len()).unwrap_or(0))
}

#[cfg(feature = "ssr")]
pub mod ssr {
    //! Where access requests are kept: the console's own database (beside the activity log),
    //! so every replica sees the same inbox. Requests are never removed, only decided.

    use std::sync::Arc;

    use leptos::prelude::use_context;

    use ks_types::{ClusterName, ProjectName, WorkspaceName};

    use super::{AccessRequest, Place, RequestState, PENDING_DAYS};
    pub use crate::activity_log::ssr::now_ms;
    use crate::activity_log::ssr::{BoxFuture, LogError};
    use crate::directory::ssr::bounded_join;
    use crate::error::AppError;
    use crate::upstream::Upstream;

    /// What storing a request did.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Stored {
        /// Stored; `replaced` an older pending request of the same person for the same place.
        Added { replaced: bool },
        /// The person already has the most pending requests allowed.
        TooMany,
    }

    pub trait RequestRecords: Send + Sync + 'static {
        /// Stores `new` (pending; its place and role checked already) unless its requester has
        /// `max_pending` pending already (not counting the one it replaces). Pending requests
        /// created before `expired_before_ms` expire first.
        fn add<'a>(
            &'a self,
            new: &'a AccessRequest,
            max_pending: u32,
            expired_before_ms: i64,
        ) -> BoxFuture<'a, Result<Stored, LogError>>;
        /// Pending requests, oldest first, at most `limit`; those created before
        /// `expired_before_ms` are not pending any more.
        fn pending<'a>(
            &'a self,
            expired_before_ms: i64,
            limit: u32,
        ) -> BoxFuture<'a, Result<Vec<AccessRequest>, LogError>>;
        /// `requester`'s requests, newest first, at most `limit`.
        fn of_requester<'a>(
            &'a self,
            requester: &'a str,
            limit: u32,
        ) -> BoxFuture<'a, Result<Vec<AccessRequest>, LogError>>;
        fn get<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<AccessRequest>, LogError>>;
        /// Decides a pending request; `false` when it was not pending any more (decided by
        /// someone else meanwhile, withdrawn, replaced).
        fn decide<'a>(&'a self, id: &'a str, decision: &'a Decision) -> BoxFuture<'a, Result<bool, LogError>>;
        /// Makes a request approved by `by` pending again (its invitation failed to send).
        fn reopen<'a>(&'a self, id: &'a str, by: &'a str) -> BoxFuture<'a, Result<(), LogError>>;
    }

    /// How a request ended, by whom, when, and with what note (a decline's reason, the role given).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Decision {
        pub state: RequestState,
        pub by: String,
        pub at_ms: i64,
        pub note: String,
    }

    /// The store, as the server provides it to every request's context.
    #[derive(Clone)]
    pub struct RequestStore(pub Arc<dyn RequestRecords>);

    pub fn store() -> Result<Arc<dyn RequestRecords>, AppError> {
        Ok(use_context::<RequestStore>().ok_or(AppError::Internal)?.0)
    }

    /// Requests read for an inbox.
    pub const INBOX_LIMIT: u32 = 500;

    /// Pending requests created before this moment have expired.
    pub fn expired_before(now: i64) -> i64 {
        now - PENDING_DAYS * 86_400_000
    }

    pub fn unavailable(e: LogError) -> AppError {
        tracing::warn!(error = %e, "access requests: the console's database could not be used");
        AppError::ActivityLogUnavailable
    }

    /// Whether the reader may manage the members of `place` (fail closed).
    pub async fn may_decide(upstream: &Upstream, place: &Place) -> bool {
        use crate::permissions::ssr::{may, Answer, Permission, Scope};
        let surely =
            |scope| async move { may(upstream, scope, Permission::ManageMembers).await.is_ok_and(Answer::surely) };
        let Ok(ws) = WorkspaceName::parse(&place.workspace) else { return false };
        if surely(Scope::Workspace(&ws)).await {
            return true;
        }
        if !place.is_project() {
            return false;
        }
        let (Ok(cluster), Ok(ns)) = (ClusterName::parse(&place.cluster), ProjectName::parse(&place.project)) else {
            return false;
        };
        surely(Scope::Project(&cluster, &ns)).await
    }

    /// The pending requests of others the reader may decide.
    pub async fn decidable(upstream: &Upstream) -> Result<Vec<AccessRequest>, AppError> {
        let records = store()?;
        let me = upstream.username();
        let pending = records.pending(expired_before(now_ms()), INBOX_LIMIT).await.map_err(unavailable)?;
        let others: Vec<AccessRequest> = pending.into_iter().filter(|r| r.requester != me).collect();
        let judged = bounded_join(others.into_iter().map(|r| async move {
            let may = may_decide(upstream, &r.place).await;
            (r, may)
        }))
        .await;
        Ok(judged.into_iter().filter(|(_, may)| *may).map(|(r, _)| r).collect())
    }
}
