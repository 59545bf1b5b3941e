//! The outbox in the console's database (migration 0007): written in the activity log's
//! transaction, claimed by one replica at a time with a lease, marked sent, retried or given up.
//! And each person's choices (language, off, digest).

use app::activity_log::Notice;
use app::activity_log::Record;
use sqlx::{Any, Row, Transaction};

use super::{fail, Database};
use app::activity_log::ssr::LogError;

/// A way people are told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    Webhook,
}

impl Channel {
    pub fn key(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Webhook => "webhook",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        [Channel::Email, Channel::Webhook].into_iter().find(|c| c.key() == key)
    }
}

/// A day: a notification not sent by then is given up; a digest goes once a day.
pub const DAY_MS: i64 = 86_400_000;

/// One person's choices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preferences {
    /// The language they last chose in the console ('' none).
    pub lang: String,
    pub muted: bool,
    pub digest: bool,
}

/// What the outbox does with a notice: its batch and when it is due.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    pub now_ms: i64,
    /// Notices settle this long before they are sent, so that what one request or job changed
    /// for a person goes in one message.
    pub settle_ms: i64,
    /// The hour (UTC) of the daily digest.
    pub digest_hour: u32,
}

/// Claimed rows of one message: (ids, channel, recipient, email, lang, batch, records).
#[derive(Debug, Clone)]
pub struct Claimed {
    pub ids: Vec<String>,
    pub channel: Channel,
    pub recipient: String,
    pub email: String,
    pub lang: String,
    pub batch: String,
    pub records: Vec<Record>,
    pub first_created_ms: i64,
    pub attempts: i64,
}

/// Writes `notices` for each of `channels` in the activity log's transaction; those who
/// turned notifications off are left out, and an administrator's requests wait for their digest.
pub async fn insert(
    tx: &mut Transaction<'_, Any>,
    notices: &[Notice],
    channels: &[Channel],
    schedule: Schedule,
) -> Result<(), LogError> {
    for notice in notices {
        let prefs = preferences_in(&mut **tx, &notice.recipient).await?;
        if prefs.muted {
            continue;
        }
        let lang = notice
            .lang
            .as_deref()
            .filter(|l| app::language::from_code(l).is_some())
            .or(Some(prefs.lang.as_str()).filter(|l| app::language::from_code(l).is_some()))
            .unwrap_or("en");
        let (batch, due) = if prefs.digest && notice.about_request {
            let day = schedule.now_ms.div_euclid(DAY_MS);
            (format!("digest-{day}"), (day + 1) * DAY_MS + i64::from(schedule.digest_hour) * 3_600_000)
        } else {
            (notice.batch.clone(), schedule.now_ms + schedule.settle_ms)
        };
        let record = serde_json::to_string(&notice.record).map_err(fail)?;
        for channel in channels {
            if *channel == Channel::Email && notice.email.is_empty() {
                continue;
            }
            sqlx::query(
                "INSERT INTO notification_outbox (id, created_ms, channel, recipient, email, lang, batch, record_json, \
                 state, attempts, next_ms, lease_owner, lease_until_ms, last_error, done_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 0, $9, '', 0, '', NULL)",
            )
            .bind(uuid::Uuid::new_v4().to_string())
            .bind(schedule.now_ms)
            .bind(channel.key())
            .bind(&notice.recipient)
            .bind(&notice.email)
            .bind(lang)
            .bind(&batch)
            .bind(&record)
            .bind(due)
            .execute(&mut **tx)
            .await
            .map_err(fail)?;
        }
    }
    Ok(())
}

async fn preferences_in<'e, E>(executor: E, username: &str) -> Result<Preferences, LogError>
where
    E: sqlx::Executor<'e, Database = Any>,
{
    let row = sqlx::query("SELECT lang, muted, digest FROM notification_preferences WHERE username = $1")
        .bind(username)
        .fetch_optional(executor)
        .await
        .map_err(fail)?;
    Ok(match row {
        Some(row) => Preferences {
            lang: row.try_get("lang").map_err(fail)?,
            muted: row.try_get::<i64, _>("muted").map_err(fail)? != 0,
            digest: row.try_get::<i64, _>("digest").map_err(fail)? != 0,
        },
        None => Preferences::default(),
    })
}

impl Database {
    pub async fn preferences(&self, username: &str) -> Result<Preferences, LogError> {
        preferences_in(self.ready().await?, username).await
    }

    /// Keeps `prefs` as `username`'s choices.
    pub async fn set_preferences(&self, username: &str, prefs: &Preferences, now_ms: i64) -> Result<(), LogError> {
        let pool = self.ready().await?;
        let mut tx = pool.begin().await.map_err(fail)?;
        sqlx::query("DELETE FROM notification_preferences WHERE username = $1")
            .bind(username)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        sqlx::query(
            "INSERT INTO notification_preferences (username, lang, muted, digest, updated_ms) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(username)
        .bind(&prefs.lang)
        .bind(i64::from(prefs.muted))
        .bind(i64::from(prefs.digest))
        .bind(now_ms)
        .execute(&mut *tx)
        .await
        .map_err(fail)?;
        tx.commit().await.map_err(fail)
    }

    /// Takes up to `groups` due messages for `lease_owner` (unique per claim) until
    /// `lease_until_ms`: every pending row of each (channel, recipient, batch) whose newest row
    /// is due, and that no other replica holds.
    pub async fn claim_notifications(
        &self,
        lease_owner: &str,
        now_ms: i64,
        lease_until_ms: i64,
        groups: i64,
    ) -> Result<Vec<Claimed>, LogError> {
        let pool = self.ready().await?;
        sqlx::query(
            "UPDATE notification_outbox SET lease_owner = $1, lease_until_ms = $2 \
             WHERE state = 'pending' AND lease_until_ms < $3 AND (channel, recipient, batch) IN ( \
               SELECT channel, recipient, batch FROM notification_outbox WHERE state = 'pending' \
               GROUP BY channel, recipient, batch HAVING MAX(next_ms) <= $4 AND MAX(lease_until_ms) < $5 LIMIT $6)",
        )
        .bind(lease_owner)
        .bind(lease_until_ms)
        .bind(now_ms)
        .bind(now_ms)
        .bind(now_ms)
        .bind(groups)
        .execute(pool)
        .await
        .map_err(fail)?;
        let rows = sqlx::query(
            "SELECT id, channel, recipient, email, lang, batch, record_json, created_ms, attempts \
             FROM notification_outbox WHERE lease_owner = $1 AND state = 'pending' ORDER BY created_ms, id",
        )
        .bind(lease_owner)
        .fetch_all(pool)
        .await
        .map_err(fail)?;
        let mut claimed: Vec<Claimed> = Vec::new();
        for row in rows {
            let text = |name: &str| row.try_get::<String, _>(name).map_err(fail);
            let Some(channel) = Channel::parse(&text("channel")?) else { continue };
            let (recipient, batch) = (text("recipient")?, text("batch")?);
            let record: Record = match serde_json::from_str(&text("record_json")?) {
                Ok(r) => r,
                Err(_) => continue,
            };
            let id = text("id")?;
            let created: i64 = row.try_get("created_ms").map_err(fail)?;
            let attempts: i64 = row.try_get("attempts").map_err(fail)?;
            match claimed.iter_mut().find(|c| c.channel == channel && c.recipient == recipient && c.batch == batch) {
                Some(group) => {
                    group.ids.push(id);
                    group.records.push(record);
                    group.first_created_ms = group.first_created_ms.min(created);
                    group.attempts = group.attempts.max(attempts);
                }
                None => claimed.push(Claimed {
                    ids: vec![id],
                    channel,
                    recipient,
                    email: text("email")?,
                    lang: text("lang")?,
                    batch,
                    records: vec![record],
                    first_created_ms: created,
                    attempts,
                }),
            }
        }
        Ok(claimed)
    }

    /// Marks a claimed message: sent, to be retried at `retry_at_ms`, or given up.
    pub async fn settle_notification(
        &self,
        claimed: &Claimed,
        outcome: Settled<'_>,
        now_ms: i64,
    ) -> Result<(), LogError> {
        let pool = self.ready().await?;
        for id in &claimed.ids {
            let query = match outcome {
                Settled::Sent => sqlx::query(
                    "UPDATE notification_outbox SET state = 'sent', done_ms = $1, lease_until_ms = 0 WHERE id = $2",
                )
                .bind(now_ms)
                .bind(id),
                Settled::Retry { at_ms, error } => sqlx::query(
                    "UPDATE notification_outbox SET attempts = attempts + 1, next_ms = $1, last_error = $2, \
                     lease_until_ms = 0 WHERE id = $3",
                )
                .bind(at_ms)
                .bind(error)
                .bind(id),
                Settled::GaveUp { error } => sqlx::query(
                    "UPDATE notification_outbox SET state = 'failed', attempts = attempts + 1, last_error = $1, \
                     done_ms = $2, lease_until_ms = 0 WHERE id = $3",
                )
                .bind(error)
                .bind(now_ms)
                .bind(id),
            };
            query.execute(pool).await.map_err(fail)?;
        }
        Ok(())
    }

    /// Notifications given up, newest first: (recipient, channel, when, why).
    pub async fn given_up_notifications(&self, limit: i64) -> Result<Vec<(String, String, i64, String)>, LogError> {
        let pool = self.ready().await?;
        let rows = sqlx::query(
            "SELECT recipient, channel, done_ms, last_error FROM notification_outbox WHERE state = 'failed' \
             ORDER BY done_ms DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await
        .map_err(fail)?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("recipient").map_err(fail)?,
                    r.try_get("channel").map_err(fail)?,
                    r.try_get::<Option<i64>, _>("done_ms").map_err(fail)?.unwrap_or_default(),
                    r.try_get("last_error").map_err(fail)?,
                ))
            })
            .collect()
    }

    /// Removes sent and given-up notifications older than `cutoff_ms`; how many went.
    pub async fn prune_notifications(&self, cutoff_ms: i64) -> Result<u64, LogError> {
        let pool = self.ready().await?;
        let done = sqlx::query("DELETE FROM notification_outbox WHERE state <> 'pending' AND created_ms < $1")
            .bind(cutoff_ms)
            .execute(pool)
            .await
            .map_err(fail)?;
        Ok(done.rows_affected())
    }
}

/// How a claimed message ended this time.
#[derive(Debug, Clone, Copy)]
pub enum Settled<'a> {
    Sent,
    Retry { at_ms: i64, error: &'a str },
    GaveUp { error: &'a str },
}

impl app::notifications::ssr::NotificationPrefs for Database {
    fn get<'a>(&'a self, username: &'a str) -> app::activity_log::ssr::BoxFuture<'a, Result<(bool, bool), LogError>> {
        Box::pin(async move { self.preferences(username).await.map(|p| (p.muted, p.digest)) })
    }

    fn set<'a>(
        &'a self,
        username: &'a str,
        muted: bool,
        digest: bool,
    ) -> app::activity_log::ssr::BoxFuture<'a, Result<(), LogError>> {
        Box::pin(async move {
            // The language kept beside them stays as it was.
            let prefs = Preferences { muted, digest, ..self.preferences(username).await? };
            self.set_preferences(username, &prefs, app::activity_log::ssr::now_ms()).await
        })
    }

    fn given_up(
        &self,
        limit: u32,
    ) -> app::activity_log::ssr::BoxFuture<'_, Result<Vec<(String, String, i64, String)>, LogError>> {
        Box::pin(self.given_up_notifications(i64::from(limit)))
    }
}
