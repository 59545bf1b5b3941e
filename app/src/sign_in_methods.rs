//! The ways in the sign-in page offers besides KubeSphere's own accounts: the directories (LDAP
//! identity providers) KubeSphere lists to anyone, read when the page is served and kept briefly.

use serde::{Deserialize, Serialize};

/// A directory KubeSphere signs people in with a password (an LDAP identity provider): offered on
/// the sign-in page beside KubeSphere's own accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    /// The provider's name, which the sign-in form sends.
    pub name: String,
    /// What people read: its display name.
    pub label: String,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::time::{Duration, Instant};

    use ks_client::{CallContext, KsClient};

    use super::Directory;

    /// How long the list is kept: a provider KubeSphere adds or hides shows up within this.
    const FRESH: Duration = Duration::from_secs(30);
    /// How long a failure is kept: the page is served without the list meanwhile, at once.
    const FAILED: Duration = Duration::from_secs(5);
    /// The longest the sign-in page waits for KubeSphere's list.
    const WAIT: Duration = Duration::from_secs(2);

    /// KubeSphere's directories for the sign-in page, read from its public `configs/oauth`
    /// (never with anyone's token), one read at a time, kept briefly. Nothing is kept per visitor.
    #[derive(Debug, Default)]
    pub struct SignInMethods {
        kept: tokio::sync::Mutex<Option<(Instant, Duration, Vec<Directory>)>>,
    }

    impl SignInMethods {
        /// The directories offered now: visible, enabled, password-type providers, by label.
        /// Empty when KubeSphere cannot say (the page then offers KubeSphere accounts only).
        pub async fn directories(&self, ks: &KsClient) -> Vec<Directory> {
            let mut kept = self.kept.lock().await;
            if let Some((at, ttl, list)) = kept.as_ref() {
                if at.elapsed() < *ttl {
                    return list.clone();
                }
            }
            let (ttl, list) = match ks.identity_providers(WAIT, &CallContext::default()).await {
                Ok(providers) => {
                    let mut list: Vec<Directory> = providers
                        .iter()
                        .filter(|p| p.takes_passwords() && p.offered())
                        .map(|p| Directory { name: p.name.clone(), label: p.label().to_owned() })
                        .collect();
                    // KubeSphere lists them in no defined order.
                    list.sort_by(|a, b| a.label.cmp(&b.label).then_with(|| a.name.cmp(&b.name)));
                    (FRESH, list)
                }
                Err(e) => {
                    tracing::info!(error = %e, "the sign-in page offers KubeSphere accounts only: configs/oauth did not answer");
                    (FAILED, Vec::new())
                }
            };
            *kept = Some((Instant::now(), ttl, list.clone()));
            list
        }
    }
}
