//! Notifications (#28): people are told of changes made through the console by e-mail (SMTP)
//! and/or a webhook. The activity log writes the notices into the outbox in the same transaction
//! as its entries (`outbox`); this worker, on every replica, claims due messages with a lease
//! (so each goes out once), sends one message per person, batch and channel in the person's
//! language, retries with backoff and gives up after a day (`NOTIFY_GIVE_UP_SECS`). A mail server that is down never
//! slows a page: pages only write rows.

mod send;

use std::sync::Arc;
use std::time::Duration;

use crate::config::{Config, WebhookFormat};
pub use crate::database::outbox::Channel;
use crate::database::outbox::{Claimed, Settled, DAY_MS};
use crate::database::Database;

/// Messages claimed at once.
const GROUPS_PER_CLAIM: i64 = 20;
/// How long a replica holds the messages it claimed: longer than sending all of them takes when
/// every one waits for its whole timeout, so no other replica sends them meanwhile.
const LEASE_MS: i64 = GROUPS_PER_CLAIM * send::SEND_TIMEOUT_MS + 60_000;
/// The longest wait between two tries of one message.
const MAX_BACKOFF_MS: i64 = 3_600_000;

/// What the settings ask for.
#[derive(Clone)]
pub struct NotifySettings {
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub webhook_url: Option<String>,
    pub webhook_format: WebhookFormat,
    pub retry: Duration,
    pub give_up: Duration,
    pub poll: Duration,
    pub settle: Duration,
    pub digest_hour_utc: u32,
    pub public_origin: String,
}

impl NotifySettings {
    pub fn from_config(config: &Config) -> Self {
        Self {
            smtp_url: config.smtp_url.as_ref().map(|s| s.0.clone()).filter(|s| !s.trim().is_empty()),
            mail_from: config.mail_from.clone(),
            webhook_url: config.webhook_url.as_ref().map(|s| s.0.clone()).filter(|s| !s.trim().is_empty()),
            webhook_format: config.webhook_format,
            retry: Duration::from_millis(config.notify_retry_ms.max(1)),
            give_up: Duration::from_secs(config.notify_give_up_secs.max(1)),
            poll: Duration::from_millis(config.notify_poll_ms.max(50)),
            settle: Duration::from_millis(config.notify_poll_ms.clamp(50, 5_000)),
            digest_hour_utc: 1,
            public_origin: config.public_origin(),
        }
    }

    /// The channels set up (none: nobody is told, and nothing is written to the outbox).
    pub fn channels(&self) -> Vec<Channel> {
        let mut channels = Vec::new();
        if self.smtp_url.is_some() {
            channels.push(Channel::Email);
        }
        if self.webhook_url.is_some() {
            channels.push(Channel::Webhook);
        }
        channels
    }
}

/// The sending side, on one replica.
#[derive(Clone)]
pub struct Notifier(Arc<Inner>);

struct Inner {
    db: Database,
    senders: send::Senders,
    settings: NotifySettings,
}

impl Notifier {
    /// A notifier for `settings`; an SMTP URL or sender that cannot be read is a start-up error.
    pub fn new(db: Database, settings: NotifySettings) -> Result<Self, String> {
        let senders = send::Senders::new(&settings)?;
        Ok(Self(Arc::new(Inner { db, senders, settings })))
    }

    /// Sends what is due every poll period, for as long as the runtime runs (nothing when no
    /// channel is set up).
    pub fn run(&self) {
        if self.0.settings.channels().is_empty() {
            return;
        }
        let notifier = self.clone();
        crate::background::spawn_task(async move {
            let mut tick = tokio::time::interval(notifier.0.settings.poll);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = notifier.send_due().await {
                    tracing::debug!(error = %e, "notifications: the outbox could not be read");
                }
            }
        });
    }

    /// Claims and sends the due messages once; how many went out.
    pub async fn send_due(&self) -> Result<usize, app::activity_log::ssr::LogError> {
        let now = now_ms();
        let owner = uuid::Uuid::new_v4().to_string();
        let claimed = self.0.db.claim_notifications(&owner, now, now + LEASE_MS, GROUPS_PER_CLAIM).await?;
        let mut sent = 0;
        for message in claimed {
            let outcome = self.0.senders.send(&message, &self.0.settings).await;
            let now = now_ms();
            let settled = match &outcome {
                Ok(()) => {
                    sent += 1;
                    metrics::counter!("ks_console_notifications_total", "channel" => message.channel.key(), "outcome" => "sent").increment(1);
                    Settled::Sent
                }
                Err(error) if now - message.first_created_ms >= self.give_up_ms() => {
                    tracing::warn!(channel = message.channel.key(), recipient = %message.recipient, error = %error, "notifications: given up");
                    metrics::counter!("ks_console_notifications_total", "channel" => message.channel.key(), "outcome" => "given_up").increment(1);
                    Settled::GaveUp { error }
                }
                Err(error) => {
                    tracing::info!(channel = message.channel.key(), error = %error, "notifications: will try again");
                    Settled::Retry { at_ms: now + self.backoff_ms(&message), error }
                }
            };
            self.0.db.settle_notification(&message, settled, now).await?;
        }
        Ok(sent)
    }

    fn give_up_ms(&self) -> i64 {
        i64::try_from(self.0.settings.give_up.as_millis()).unwrap_or(DAY_MS)
    }

    fn backoff_ms(&self, message: &Claimed) -> i64 {
        let first = i64::try_from(self.0.settings.retry.as_millis()).unwrap_or(MAX_BACKOFF_MS);
        let doublings = u32::try_from(message.attempts.clamp(0, 20)).unwrap_or(20);
        first.saturating_mul(1_i64 << doublings).min(MAX_BACKOFF_MS)
    }
}

fn now_ms() -> i64 {
    app::activity_log::ssr::now_ms()
}
