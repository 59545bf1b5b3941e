//! Access requests (`app::requests::store`) in the console's own database, shared by replicas.
//! A request is stored, then decided once (approved, declined, withdrawn, replaced by a newer
//! one, or expired); nothing is removed.

use app::activity_log::ssr::{BoxFuture, LogError};
use app::request_records::ssr::{Decision, RequestRecords, Stored};
use app::request_records::{AccessRequest, Place, RequestState};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::database::{fail, Database};

const COLUMNS: &str =
    "id, requester, workspace, cluster, project, role, reason, at_ms, state, decided_by, decided_ms, note";

fn request_of(row: &AnyRow) -> Result<AccessRequest, LogError> {
    let state: String = row.try_get("state").map_err(fail)?;
    Ok(AccessRequest {
        id: row.try_get("id").map_err(fail)?,
        requester: row.try_get("requester").map_err(fail)?,
        place: Place {
            workspace: row.try_get("workspace").map_err(fail)?,
            cluster: row.try_get("cluster").map_err(fail)?,
            project: row.try_get("project").map_err(fail)?,
        },
        role: row.try_get("role").map_err(fail)?,
        reason: row.try_get("reason").map_err(fail)?,
        at_ms: row.try_get("at_ms").map_err(fail)?,
        state: RequestState::parse(&state).ok_or_else(|| LogError(format!("unknown request state {state:?}")))?,
        decided_by: row.try_get("decided_by").map_err(fail)?,
        decided_at_ms: row.try_get("decided_ms").map_err(fail)?,
        note: row.try_get("note").map_err(fail)?,
    })
}

impl Database {
    async fn add_request(
        &self,
        new: &AccessRequest,
        max_pending: u32,
        expired_before_ms: i64,
    ) -> Result<Stored, LogError> {
        let pool = self.ready().await?;
        let mut tx = pool.begin().await.map_err(fail)?;
        sqlx::query("UPDATE access_requests SET state = 'expired' WHERE state = 'pending' AND at_ms < $1")
            .bind(expired_before_ms)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        // The same person's pending request for the same place is replaced, so it does not count.
        let others: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM access_requests WHERE requester = $1 AND state = 'pending' \
             AND NOT (workspace = $2 AND cluster = $3 AND project = $4)",
        )
        .bind(&new.requester)
        .bind(&new.place.workspace)
        .bind(&new.place.cluster)
        .bind(&new.place.project)
        .fetch_one(&mut *tx)
        .await
        .map_err(fail)?
        .try_get("n")
        .map_err(fail)?;
        if others >= i64::from(max_pending) {
            tx.rollback().await.map_err(fail)?;
            return Ok(Stored::TooMany);
        }
        let replaced = sqlx::query(
            "UPDATE access_requests SET state = 'replaced', decided_by = $1, decided_ms = $2 \
             WHERE requester = $3 AND state = 'pending' AND workspace = $4 AND cluster = $5 AND project = $6",
        )
        .bind(&new.requester)
        .bind(new.at_ms)
        .bind(&new.requester)
        .bind(&new.place.workspace)
        .bind(&new.place.cluster)
        .bind(&new.place.project)
        .execute(&mut *tx)
        .await
        .map_err(fail)?
        .rows_affected()
            > 0;
        sqlx::query(
            "INSERT INTO access_requests (id, requester, workspace, cluster, project, role, reason, at_ms, state, note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', '')",
        )
        .bind(&new.id)
        .bind(&new.requester)
        .bind(&new.place.workspace)
        .bind(&new.place.cluster)
        .bind(&new.place.project)
        .bind(&new.role)
        .bind(&new.reason)
        .bind(new.at_ms)
        .execute(&mut *tx)
        .await
        .map_err(fail)?;
        tx.commit().await.map_err(fail)?;
        Ok(Stored::Added { replaced })
    }

    async fn pending_requests(&self, expired_before_ms: i64, limit: u32) -> Result<Vec<AccessRequest>, LogError> {
        let pool = self.ready().await?;
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM access_requests WHERE state = 'pending' AND at_ms >= $1 ORDER BY at_ms LIMIT $2"
        ))
        .bind(expired_before_ms)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(fail)?;
        rows.iter().map(request_of).collect()
    }

    async fn requests_of(&self, requester: &str, limit: u32) -> Result<Vec<AccessRequest>, LogError> {
        let pool = self.ready().await?;
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM access_requests WHERE requester = $1 ORDER BY at_ms DESC LIMIT $2"
        ))
        .bind(requester)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(fail)?;
        rows.iter().map(request_of).collect()
    }

    async fn request(&self, id: &str) -> Result<Option<AccessRequest>, LogError> {
        let pool = self.ready().await?;
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM access_requests WHERE id = $1"))
            .bind(id)
            .fetch_optional(pool)
            .await
            .map_err(fail)?;
        row.as_ref().map(request_of).transpose()
    }

    async fn decide_request(&self, id: &str, decision: &Decision) -> Result<bool, LogError> {
        let pool = self.ready().await?;
        // Only a pending request is decided: two deciders at once, one wins.
        let done = sqlx::query(
            "UPDATE access_requests SET state = $1, decided_by = $2, decided_ms = $3, note = $4 \
             WHERE id = $5 AND state = 'pending'",
        )
        .bind(decision.state.key())
        .bind(&decision.by)
        .bind(decision.at_ms)
        .bind(&decision.note)
        .bind(id)
        .execute(pool)
        .await
        .map_err(fail)?;
        Ok(done.rows_affected() == 1)
    }
}

impl Database {
    async fn reopen_request(&self, id: &str, by: &str) -> Result<(), LogError> {
        let pool = self.ready().await?;
        sqlx::query(
            "UPDATE access_requests SET state = 'pending', decided_by = NULL, decided_ms = NULL, note = '' \
             WHERE id = $1 AND state = 'approved' AND decided_by = $2",
        )
        .bind(id)
        .bind(by)
        .execute(pool)
        .await
        .map_err(fail)?;
        Ok(())
    }
}

impl RequestRecords for Database {
    fn add<'a>(
        &'a self,
        new: &'a AccessRequest,
        max_pending: u32,
        expired_before_ms: i64,
    ) -> BoxFuture<'a, Result<Stored, LogError>> {
        Box::pin(self.add_request(new, max_pending, expired_before_ms))
    }

    fn pending<'a>(
        &'a self,
        expired_before_ms: i64,
        limit: u32,
    ) -> BoxFuture<'a, Result<Vec<AccessRequest>, LogError>> {
        Box::pin(self.pending_requests(expired_before_ms, limit))
    }

    fn of_requester<'a>(
        &'a self,
        requester: &'a str,
        limit: u32,
    ) -> BoxFuture<'a, Result<Vec<AccessRequest>, LogError>> {
        Box::pin(self.requests_of(requester, limit))
    }

    fn get<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<AccessRequest>, LogError>> {
        Box::pin(self.request(id))
    }

    fn decide<'a>(&'a self, id: &'a str, decision: &'a Decision) -> BoxFuture<'a, Result<bool, LogError>> {
        Box::pin(self.decide_request(id, decision))
    }

    fn reopen<'a>(&'a self, id: &'a str, by: &'a str) -> BoxFuture<'a, Result<(), LogError>> {
        Box::pin(self.reopen_request(id, by))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn new(id: &str, who: &str, ws: &str, at_ms: i64) -> AccessRequest {
        AccessRequest {
            id: id.into(),
            requester: who.into(),
            place: Place { workspace: ws.into(), ..Place::default() },
            role: "viewer".into(),
            reason: "onboarding".into(),
            at_ms,
            state: RequestState::Pending,
            decided_by: None,
            decided_at_ms: None,
            note: String::new(),
        }
    }

    #[tokio::test]
    async fn a_newer_request_replaces_the_older_old_ones_expire_and_a_person_has_at_most_the_limit() {
        let db = Database::open("sqlite::memory:").unwrap();
        assert_eq!(db.add(&new("a", "frank", "demo", 10), 2, 0).await.unwrap(), Stored::Added { replaced: false });
        assert_eq!(db.add(&new("b", "frank", "demo", 20), 2, 0).await.unwrap(), Stored::Added { replaced: true });
        assert_eq!(db.get("a").await.unwrap().unwrap().state, RequestState::Replaced);
        assert_eq!(db.add(&new("c", "frank", "team-b", 30), 2, 0).await.unwrap(), Stored::Added { replaced: false });
        assert_eq!(db.add(&new("d", "frank", "other", 40), 2, 0).await.unwrap(), Stored::TooMany);
        assert!(db.get("d").await.unwrap().is_none(), "nothing stored past the limit");
        let pending: Vec<String> = db.pending(0, 10).await.unwrap().into_iter().map(|r| r.id).collect();
        assert_eq!(pending, ["b", "c"]);

        // Decided once: a second decision finds it decided.
        let decision =
            Decision { state: RequestState::Approved, by: "lead".into(), at_ms: 50, note: "demo-viewer".into() };
        assert!(db.decide("b", &decision).await.unwrap());
        assert!(!db.decide("b", &decision).await.unwrap());
        assert_eq!(db.get("b").await.unwrap().unwrap().decided_by.as_deref(), Some("lead"));

        // Past their 30 days (here: created before 35), pending requests expire.
        assert!(db.pending(35, 10).await.unwrap().is_empty());
        assert_eq!(db.add(&new("e", "frank", "other", 60), 2, 35).await.unwrap(), Stored::Added { replaced: false });
        assert_eq!(db.get("c").await.unwrap().unwrap().state, RequestState::Expired);
        assert_eq!(db.of_requester("frank", 10).await.unwrap().first().map(|r| r.id.as_str()), Some("e"));
    }
}
