//! What the console keeps about access reviews, in its own database beside the activity log:
//! snapshots of a workspace's memberships and reviewers' sign-offs. Nothing here reaches
//! KubeSphere.

use std::sync::Arc;

use leptos::prelude::use_context;

use super::changes::Held;
use crate::activity_log::ssr::{BoxFuture, LogError};
use crate::error::AppError;

/// The store, as the server provides it to every request's context.
#[derive(Clone)]
pub struct ReviewStore(pub Arc<dyn ReviewRecords>);

/// The store of this console.
pub fn store() -> Result<Arc<dyn ReviewRecords>, AppError> {
    Ok(use_context::<ReviewStore>().ok_or(AppError::Internal)?.0)
}

/// A workspace's memberships as read at one moment by someone who could list them all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub workspace: String,
    pub at_ms: i64,
    pub taken_by: String,
    /// Sorted ([`Held::of_all`]).
    pub held: Vec<Held>,
}

/// The store (the server's SQL database). Snapshots and sign-offs are only ever added; old
/// snapshots go with the activity log's retention.
pub trait ReviewRecords: Send + Sync + 'static {
    /// The newest snapshot of `workspace` taken at or before `at_or_before_ms` (any, when `None`).
    fn latest_snapshot<'a>(
        &'a self,
        workspace: &'a str,
        at_or_before_ms: Option<i64>,
    ) -> BoxFuture<'a, Result<Option<Snapshot>, LogError>>;
    fn add_snapshot<'a>(&'a self, snapshot: &'a Snapshot) -> BoxFuture<'a, Result<(), LogError>>;
    /// Records that `reviewer` reviewed `workspace`'s access at `at_ms`.
    fn sign_off<'a>(&'a self, workspace: &'a str, at_ms: i64, reviewer: &'a str)
        -> BoxFuture<'a, Result<(), LogError>>;
    /// The newest sign-off of `workspace`: when, and by whom.
    fn last_sign_off<'a>(&'a self, workspace: &'a str) -> BoxFuture<'a, Result<Option<(i64, String)>, LogError>>;
}
