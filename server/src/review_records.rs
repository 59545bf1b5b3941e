//! The access review's snapshots and sign-offs (`app::access::records`), in the console's own
//! database beside the activity log. Rows are only added; the retention prune removes snapshots
//! past `ACTIVITY_RETENTION_DAYS` but keeps each workspace's newest, the one the next review
//! compares with.

use app::access::records::{ReviewRecords, Snapshot};
use app::access::Held;
use app::activity_log::ssr::{BoxFuture, LogError};
use sqlx::Row;

use crate::database::{fail, Database};

impl Database {
    async fn latest(&self, workspace: &str, at_or_before_ms: Option<i64>) -> Result<Option<Snapshot>, LogError> {
        let pool = self.ready().await?;
        let query = sqlx::query(
            "SELECT workspace, at_ms, taken_by, held_json FROM access_snapshots \
             WHERE workspace = $1 AND at_ms <= $2 ORDER BY at_ms DESC LIMIT 1",
        )
        .bind(workspace)
        .bind(at_or_before_ms.unwrap_or(i64::MAX));
        let Some(row) = query.fetch_optional(pool).await.map_err(fail)? else { return Ok(None) };
        let held_json: String = row.try_get("held_json").map_err(fail)?;
        let held: Vec<Held> = serde_json::from_str(&held_json).map_err(fail)?;
        Ok(Some(Snapshot {
            workspace: row.try_get("workspace").map_err(fail)?,
            at_ms: row.try_get("at_ms").map_err(fail)?,
            taken_by: row.try_get("taken_by").map_err(fail)?,
            held,
        }))
    }

    async fn add(&self, snapshot: &Snapshot) -> Result<(), LogError> {
        let pool = self.ready().await?;
        let held_json = serde_json::to_string(&snapshot.held).map_err(fail)?;
        // Two replicas recording the same read in the same millisecond keep one.
        sqlx::query(
            "INSERT INTO access_snapshots (workspace, at_ms, taken_by, held_json) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&snapshot.workspace)
        .bind(snapshot.at_ms)
        .bind(&snapshot.taken_by)
        .bind(held_json)
        .execute(pool)
        .await
        .map_err(fail)?;
        Ok(())
    }

    async fn add_sign_off(&self, workspace: &str, at_ms: i64, reviewer: &str) -> Result<(), LogError> {
        let pool = self.ready().await?;
        sqlx::query(
            "INSERT INTO access_sign_offs (workspace, at_ms, reviewer) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(workspace)
        .bind(at_ms)
        .bind(reviewer)
        .execute(pool)
        .await
        .map_err(fail)?;
        Ok(())
    }

    async fn newest_sign_off(&self, workspace: &str) -> Result<Option<(i64, String)>, LogError> {
        let pool = self.ready().await?;
        let row = sqlx::query(
            "SELECT at_ms, reviewer FROM access_sign_offs WHERE workspace = $1 ORDER BY at_ms DESC LIMIT 1",
        )
        .bind(workspace)
        .fetch_optional(pool)
        .await
        .map_err(fail)?;
        row.map(|r| Ok((r.try_get("at_ms").map_err(fail)?, r.try_get("reviewer").map_err(fail)?))).transpose()
    }

    /// Removes the snapshots older than `cutoff_ms` except each workspace's newest; how many went.
    pub async fn prune_snapshots(&self, cutoff_ms: i64) -> Result<u64, LogError> {
        let pool = self.ready().await?;
        let done = sqlx::query(
            "DELETE FROM access_snapshots WHERE at_ms < $1 AND at_ms < \
             (SELECT MAX(newer.at_ms) FROM access_snapshots newer WHERE newer.workspace = access_snapshots.workspace)",
        )
        .bind(cutoff_ms)
        .execute(pool)
        .await
        .map_err(fail)?;
        Ok(done.rows_affected())
    }
}

impl ReviewRecords for Database {
    fn latest_snapshot<'a>(
        &'a self,
        workspace: &'a str,
        at_or_before_ms: Option<i64>,
    ) -> BoxFuture<'a, Result<Option<Snapshot>, LogError>> {
        Box::pin(self.latest(workspace, at_or_before_ms))
    }

    fn add_snapshot<'a>(&'a self, snapshot: &'a Snapshot) -> BoxFuture<'a, Result<(), LogError>> {
        Box::pin(self.add(snapshot))
    }

    fn sign_off<'a>(
        &'a self,
        workspace: &'a str,
        at_ms: i64,
        reviewer: &'a str,
    ) -> BoxFuture<'a, Result<(), LogError>> {
        Box::pin(self.add_sign_off(workspace, at_ms, reviewer))
    }

    fn last_sign_off<'a>(&'a self, workspace: &'a str) -> BoxFuture<'a, Result<Option<(i64, String)>, LogError>> {
        Box::pin(self.newest_sign_off(workspace))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use app::access::Scope;

    use super::*;

    fn snapshot(at_ms: i64, role: &str) -> Snapshot {
        Snapshot {
            workspace: "demo".into(),
            at_ms,
            taken_by: "admin".into(),
            held: vec![Held {
                scope: Scope::Workspace,
                cluster: String::new(),
                project: String::new(),
                username: "bob".into(),
                role: role.into(),
            }],
        }
    }

    #[tokio::test]
    async fn snapshots_are_found_by_moment_and_the_prune_keeps_each_workspaces_newest() {
        let db = Database::open("sqlite::memory:").unwrap();
        for (at, role) in [(10, "demo-regular"), (20, "demo-viewer"), (30, "demo-admin")] {
            db.add_snapshot(&snapshot(at, role)).await.unwrap();
        }
        assert_eq!(db.latest_snapshot("demo", Some(25)).await.unwrap().map(|s| s.at_ms), Some(20));
        assert_eq!(db.latest_snapshot("demo", None).await.unwrap(), Some(snapshot(30, "demo-admin")));
        assert_eq!(db.latest_snapshot("demo", Some(5)).await.unwrap(), None);
        assert_eq!(db.latest_snapshot("other", None).await.unwrap(), None);

        // Everything is past the retention: all but the newest go.
        assert_eq!(db.prune_snapshots(1_000).await.unwrap(), 2);
        assert_eq!(db.latest_snapshot("demo", Some(25)).await.unwrap(), None);
        assert_eq!(db.latest_snapshot("demo", None).await.unwrap().map(|s| s.at_ms), Some(30));

        db.sign_off("demo", 40, "lead").await.unwrap();
        db.sign_off("demo", 50, "admin").await.unwrap();
        assert_eq!(db.last_sign_off("demo").await.unwrap(), Some((50, "admin".into())));
        assert_eq!(db.last_sign_off("other").await.unwrap(), None);
    }
}
