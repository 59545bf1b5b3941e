//! `/settings/notifications`: each person turns off (or on) the messages the console sends them
//! (`notices`), and chooses one daily message for access requests instead of one each. Platform
//! administrators are told on the activity page whether any channel is set up, and which
//! messages were given up, and why.

mod page;

pub use page::NotificationSettingsPage;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A person's choices, and whether the console sends anything at all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotifyChoices {
    /// E-mail or a webhook is set up.
    pub enabled: bool,
    pub muted: bool,
    pub digest: bool,
}

/// A message the console gave up sending after a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GivenUp {
    pub recipient: String,
    pub channel: String,
    pub when: String,
    pub why: String,
}

/// What platform administrators are told on the activity page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotifyStatus {
    pub enabled: bool,
    pub given_up: Vec<GivenUp>,
}

#[server(prefix = "/api", endpoint = "notification_settings")]
pub async fn notification_settings() -> Result<NotifyChoices, AppError> {
    let upstream = crate::upstream::Upstream::from_context()?;
    let (muted, digest) = ssr::store()?.get(upstream.username()).await.map_err(ssr::unavailable)?;
    Ok(NotifyChoices { enabled: ssr::enabled(), muted, digest })
}

/// Keeps the signed-in person's choices (checkboxes: present when ticked).
#[server(prefix = "/api", endpoint = "save_notification_settings")]
pub async fn save_notification_settings(
    #[server(default)] notify: Option<String>,
    #[server(default)] digest: Option<String>,
) -> Result<NotifyChoices, AppError> {
    let upstream = crate::upstream::Upstream::from_context()?;
    let (muted, digest) = (notify.is_none(), digest.is_some());
    ssr::store()?.set(upstream.username(), muted, digest).await.map_err(ssr::unavailable)?;
    Ok(NotifyChoices { enabled: ssr::enabled(), muted, digest })
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::sync::Arc;

    use leptos::prelude::use_context;

    use crate::activity_log::ssr::{BoxFuture, LogError};
    use crate::error::AppError;

    /// Each person's choices and the outbox's given-up messages, in the console's database.
    pub trait NotificationPrefs: Send + Sync + 'static {
        /// (muted, digest); neither for someone who never chose.
        fn get<'a>(&'a self, username: &'a str) -> BoxFuture<'a, Result<(bool, bool), LogError>>;
        fn set<'a>(&'a self, username: &'a str, muted: bool, digest: bool) -> BoxFuture<'a, Result<(), LogError>>;
        /// Newest first: (recipient, channel, when in ms, why).
        #[allow(clippy::type_complexity)]
        fn given_up(&self, limit: u32) -> BoxFuture<'_, Result<Vec<(String, String, i64, String)>, LogError>>;
    }

    /// The store, as the server provides it to every request's context.
    #[derive(Clone)]
    pub struct PrefsStore(pub Arc<dyn NotificationPrefs>);

    pub fn store() -> Result<Arc<dyn NotificationPrefs>, AppError> {
        Ok(use_context::<PrefsStore>().ok_or(AppError::Internal)?.0)
    }

    pub fn enabled() -> bool {
        use_context::<crate::upstream::AppState>().is_some_and(|s| s.notify)
    }

    /// For platform administrators (`None` for everyone else; nothing to say when the database
    /// does not answer: the log's own page says so).
    pub async fn status(
        upstream: &crate::upstream::Upstream,
        display_time: fn(i64) -> String,
    ) -> Option<super::NotifyStatus> {
        if !crate::permissions::ssr::load(upstream).await.ok()?.manage_users {
            return None;
        }
        let given_up = store()
            .ok()?
            .given_up(20)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|(recipient, channel, at_ms, why)| super::GivenUp {
                recipient,
                channel,
                when: display_time(at_ms),
                why,
            })
            .collect();
        Some(super::NotifyStatus { enabled: enabled(), given_up })
    }

    pub fn unavailable(e: LogError) -> AppError {
        tracing::error!(error = %e, "notifications: the settings could not be read or kept");
        crate::upstream::fail_with(AppError::ActivityLogUnavailable)
    }
}
