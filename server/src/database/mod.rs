//! The console's own database: the activity log and the bulk-onboarding jobs, through sqlx with
//! runtime queries (nothing needs a database to compile). SQLite in a file by default;
//! PostgreSQL (`ACTIVITY_DB=postgres://…`) when several replicas share one log and one job list.
//!
//! The store connects lazily and migrates on first use, so a database that is down at start-up
//! or later never stops the console: changes are still made and reported, the failure to record
//! them is logged and counted (`ks_console_activity_log_failures_total`), and readiness ignores
//! the log. Entries are only ever appended; the one removal is the retention prune
//! (`ACTIVITY_RETENTION_DAYS`, off by default), of the console's own rows, never of anything in
//! KubeSphere.

use std::borrow::Cow;
use std::path::Path;
use std::time::Duration;

use app::activity_log::ssr::{ActivityLog, BoxFuture, LogError};
use app::activity_log::Notice;
use app::activity_log::{Action, Change, Entry, Filter, Record, Via, Visibility};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::{AnyPool, Row};

pub(crate) mod outbox;

use outbox::Channel;

/// Which SQL dialect the URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

/// The schema: the activity table differs between the backends in its id column; later tables
/// are written in SQL both read alike.
const FIRST_MIGRATION_SQLITE: &str = include_str!("../../migrations/sqlite/0001_activity.sql");
const FIRST_MIGRATION_POSTGRES: &str = include_str!("../../migrations/postgres/0001_activity.sql");
const LATER_MIGRATIONS: &[(i64, &str, &str)] = &[
    (2, "bulk jobs", include_str!("../../migrations/0002_bulk_jobs.sql")),
    (3, "typed outcomes", include_str!("../../migrations/0003_typed_outcomes.sql")),
    (4, "sealed jobs", include_str!("../../migrations/0004_sealed_jobs.sql")),
    (5, "access reviews", include_str!("../../migrations/0005_access_reviews.sql")),
    (6, "access requests", include_str!("../../migrations/0006_access_requests.sql")),
    (7, "notifications", include_str!("../../migrations/0007_notifications.sql")),
];

#[derive(Debug)]
/// The migrations of one backend: its own first one, then the shared ones.
struct Embedded(&'static str);

impl<'s> MigrationSource<'s> for Embedded {
    fn resolve(self) -> futures::future::BoxFuture<'s, Result<Vec<Migration>, sqlx::error::BoxDynError>> {
        Box::pin(async move {
            Ok(std::iter::once(&(1, "activity", self.0))
                .chain(LATER_MIGRATIONS)
                .map(|(version, name, sql)| {
                    Migration::new(*version, Cow::Borrowed(*name), MigrationType::Simple, Cow::Borrowed(*sql), false)
                })
                .collect())
        })
    }
}

/// The activity log in a SQL database.
#[derive(Debug, Clone)]
pub struct Database {
    pool: AnyPool,
    backend: Backend,
    migrated: std::sync::Arc<tokio::sync::OnceCell<()>>,
    /// The notification channels set up, and when notices are due (none: no outbox rows).
    outbox: Option<(std::sync::Arc<[Channel]>, Duration, u32)>,
}

const COLUMNS: &str = "id, at_ms, actor, action, target_user, workspace, cluster, project, role_before, role_after, \
                       outcome, message, reason_json, request_id, via";

impl Database {
    /// A log at `url` (`sqlite://path`, `sqlite::memory:` or `postgres://…`). Nothing is
    /// connected yet: the first use connects and creates the tables. A SQLite file's directory
    /// is created if missing.
    pub fn open(url: &str) -> Result<Self, String> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err("ACTIVITY_DB must be a sqlite:… or postgres://… URL".into());
        };
        let mut url = url.to_owned();
        if backend == Backend::Sqlite && !url.contains(":memory:") {
            let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
            let path = path.split('?').next().unwrap_or_default();
            if let Some(dir) = Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("ACTIVITY_DB: cannot create {}: {e}", dir.display()))?;
            }
            if !url.contains("mode=") {
                url.push_str(if url.contains('?') { "&mode=rwc" } else { "?mode=rwc" });
            }
        }
        // An in-memory SQLite (tests) is one connection's own: one connection, kept open.
        let in_memory = url.contains(":memory:");
        let options = AnyPoolOptions::new()
            .max_connections(match backend {
                _ if in_memory => 1,
                Backend::Sqlite => 4,
                Backend::Postgres => 8,
            })
            .min_connections(u32::from(in_memory))
            .idle_timeout((!in_memory).then_some(Duration::from_secs(300)))
            .max_lifetime((!in_memory).then_some(Duration::from_secs(1800)))
            // A database that does not answer fails the write to the log quickly, not the change.
            .acquire_timeout(Duration::from_millis(1500));
        let pool = options.connect_lazy(&url).map_err(|e| format!("ACTIVITY_DB: {e}"))?;
        Ok(Self { pool, backend, migrated: Default::default(), outbox: None })
    }

    /// Writes the notices of every change into the outbox for `channels`, due after `settle`
    /// (an administrator's requests at `digest_hour_utc` of the next day, when they chose a digest).
    pub fn with_outbox(mut self, channels: Vec<Channel>, settle: Duration, digest_hour_utc: u32) -> Self {
        self.outbox = (!channels.is_empty()).then(|| (channels.into(), settle, digest_hour_utc));
        self
    }

    /// The pool, once the schema is in place (tried again on the next use after a failure).
    pub(crate) async fn ready(&self) -> Result<&AnyPool, LogError> {
        self.migrated
            .get_or_try_init(|| async {
                let source = Embedded(match self.backend {
                    Backend::Sqlite => FIRST_MIGRATION_SQLITE,
                    Backend::Postgres => FIRST_MIGRATION_POSTGRES,
                });
                let migrator = Migrator::new(source).await.map_err(fail)?;
                migrator.run(&self.pool).await.map_err(fail)
            })
            .await?;
        Ok(&self.pool)
    }

    /// Removes the entries older than `cutoff_ms` (the retention setting); how many went.
    pub async fn prune(&self, cutoff_ms: i64) -> Result<u64, LogError> {
        let pool = self.ready().await?;
        let done =
            sqlx::query("DELETE FROM activity WHERE at_ms < $1").bind(cutoff_ms).execute(pool).await.map_err(fail)?;
        Ok(done.rows_affected())
    }

    /// Whether the database answers (for the operators' log at start-up, not for readiness).
    pub async fn ping(&self) -> Result<(), LogError> {
        let pool = self.ready().await?;
        sqlx::query("SELECT 1").execute(pool).await.map(|_| ()).map_err(fail)
    }

    async fn append_all(&self, records: &[Record], notices: &[Notice]) -> Result<(), LogError> {
        if records.is_empty() {
            return Ok(());
        }
        let pool = self.ready().await?;
        let mut tx = pool.begin().await.map_err(fail)?;
        for r in records {
            let c = &r.change;
            sqlx::query(
                "INSERT INTO activity (at_ms, actor, action, target_user, workspace, cluster, project, role_before, \
                 role_after, outcome, message, reason_json, request_id, via) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            )
            .bind(r.at_ms)
            .bind(&r.actor)
            .bind(c.action.key())
            .bind(c.target_user.as_deref())
            .bind(c.workspace.as_deref())
            .bind(c.cluster.as_deref())
            .bind(c.project.as_deref())
            .bind(c.role_before.as_deref())
            .bind(c.role_after.as_deref())
            .bind(if r.succeeded { "done" } else { "failed" })
            .bind(r.message.as_deref())
            .bind(r.reason.as_ref().map(serde_json::to_string).transpose().map_err(fail)?)
            .bind(r.request_id.as_deref())
            .bind(r.via.key())
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        }
        if let Some((channels, settle, digest_hour)) = &self.outbox {
            let schedule = outbox::Schedule {
                now_ms: app::activity_log::ssr::now_ms(),
                settle_ms: i64::try_from(settle.as_millis()).unwrap_or(i64::MAX),
                digest_hour: *digest_hour,
            };
            outbox::insert(&mut tx, notices, channels, schedule).await?;
        }
        tx.commit().await.map_err(fail)
    }

    async fn list_page(&self, filter: &Filter, visibility: &Visibility, limit: u32) -> Result<Vec<Entry>, LogError> {
        let pool = self.ready().await?;
        // Placeholders are numbered in the order they appear ($1, $2, …), which both dialects
        // read; every text condition comes before every number condition.
        let mut sql = format!("SELECT {COLUMNS} FROM activity WHERE 1 = 1");
        let mut texts: Vec<&str> = Vec::new();
        let placeholder = |sql: &mut String, clause: &str, count: &mut usize| {
            *count += 1;
            sql.push_str(&clause.replace('?', &format!("${count}")));
        };
        let mut count = 0usize;
        let equal = [
            ("target_user", filter.person.as_deref()),
            ("actor", filter.by.as_deref()),
            ("workspace", filter.workspace.as_deref()),
            ("project", filter.project.as_deref()),
            ("action", filter.action.map(Action::key)),
        ];
        for (column, value) in equal {
            if let Some(v) = value {
                placeholder(&mut sql, &format!(" AND {column} = ?"), &mut count);
                texts.push(v);
            }
        }
        if let Visibility::Own { actor, workspaces } = visibility {
            placeholder(&mut sql, " AND (actor = ?", &mut count);
            texts.push(actor);
            for ws in workspaces {
                placeholder(&mut sql, " OR workspace = ?", &mut count);
                texts.push(ws);
            }
            sql.push(')');
        }
        let mut numbers: Vec<i64> = Vec::new();
        let bounds = [
            (" AND at_ms >= ?", filter.from_ms),
            (" AND at_ms <= ?", filter.until_ms),
            (" AND id < ?", filter.before_id),
        ];
        for (clause, value) in bounds {
            if let Some(v) = value {
                placeholder(&mut sql, clause, &mut count);
                numbers.push(v);
            }
        }
        placeholder(&mut sql, " ORDER BY id DESC LIMIT ?", &mut count);
        numbers.push(i64::from(limit));

        let mut query = sqlx::query(&sql);
        for t in texts {
            query = query.bind(t);
        }
        for n in numbers {
            query = query.bind(n);
        }
        let rows = query.fetch_all(pool).await.map_err(fail)?;
        rows.iter().map(entry_of).collect()
    }
}

fn entry_of(row: &AnyRow) -> Result<Entry, LogError> {
    let text = |name: &str| row.try_get::<Option<String>, _>(name).map_err(fail);
    let action: String = row.try_get("action").map_err(fail)?;
    let via: String = row.try_get("via").map_err(fail)?;
    let outcome: String = row.try_get("outcome").map_err(fail)?;
    Ok(Entry {
        id: row.try_get("id").map_err(fail)?,
        record: Record {
            at_ms: row.try_get("at_ms").map_err(fail)?,
            actor: row.try_get("actor").map_err(fail)?,
            change: Change {
                action: Action::parse(&action).ok_or_else(|| LogError(format!("unknown action {action:?}")))?,
                target_user: text("target_user")?,
                workspace: text("workspace")?,
                cluster: text("cluster")?,
                project: text("project")?,
                role_before: text("role_before")?,
                role_after: text("role_after")?,
            },
            succeeded: outcome == "done",
            message: text("message")?,
            // A reason this console cannot read (written by a newer one) is left to the words.
            reason: text("reason_json")?.and_then(|json| serde_json::from_str(&json).ok()),
            request_id: text("request_id")?,
            via: Via::parse(&via).ok_or_else(|| LogError(format!("unknown via {via:?}")))?,
        },
    })
}

pub(crate) fn fail(e: impl std::fmt::Display) -> LogError {
    LogError(e.to_string())
}

impl ActivityLog for Database {
    fn append<'a>(&'a self, records: &'a [Record], notices: &'a [Notice]) -> BoxFuture<'a, Result<(), LogError>> {
        Box::pin(async move {
            let result = self.append_all(records, notices).await;
            if result.is_err() {
                metrics::counter!("ks_console_activity_log_failures_total").increment(records.len() as u64);
            }
            result
        })
    }

    fn list<'a>(
        &'a self,
        filter: &'a Filter,
        visibility: &'a Visibility,
        limit: u32,
    ) -> BoxFuture<'a, Result<Vec<Entry>, LogError>> {
        Box::pin(self.list_page(filter, visibility, limit))
    }
}

/// Prunes the activity log of entries, the access review of snapshots (each workspace's newest
/// stays) and the notifications, older than the retention, hourly (0 days: never).
pub(crate) fn prune_periodically(log: &Database, days: u32) {
    if days == 0 {
        return;
    }
    let log = log.clone();
    crate::background::spawn_task(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let now_ms = i64::try_from(crate::clock::now_unix_ms()).unwrap_or(i64::MAX);
            let cutoff_ms = now_ms - i64::from(days) * 86_400_000;
            report("activity log", "entries", log.prune(cutoff_ms).await);
            report("access review", "snapshots", log.prune_snapshots(cutoff_ms).await);
            report("notifications", "notifications", log.prune_notifications(cutoff_ms).await);
        }
    });
}

fn report<E: std::fmt::Display>(part: &str, rows: &str, pruned: Result<u64, E>) {
    match pruned {
        Ok(0) => {}
        Ok(n) => tracing::info!("{part}: pruned {n} {rows} past the retention"),
        Err(e) => tracing::warn!(error = %e, "{part}: could not prune"),
    }
}
