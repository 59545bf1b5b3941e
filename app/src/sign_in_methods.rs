//! The ways in the sign-in page offers besides KubeSphere's own accounts: the directories (LDAP
//! identity providers) KubeSphere lists to anyone, and its single sign-on providers (OIDC, GitHub,
//! CAS, …) when the console is registered for the authorization-code flow. Read when the page is
//! served and kept briefly.

use serde::{Deserialize, Serialize};

/// One way in besides a KubeSphere account: an identity provider, by the name the sign-in form
/// or button sends and the label people read (its display name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInMethod {
    pub name: String,
    pub label: String,
}

/// What the sign-in page offers, and after an SSO sign-out, where the person may still be signed in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInChoices {
    /// Password-type providers, for the form's "Sign in with" choice.
    pub directories: Vec<SignInMethod>,
    /// Single sign-on providers, each a button outside the form.
    pub single_sign_on: Vec<SignInMethod>,
    /// After signing out of a session that began with single sign-on: the sign-out pages of the
    /// KubeSphere console and (OIDC, when KubeSphere knows it) of the provider.
    pub still_signed_in: Option<StillSignedIn>,
}

/// Sign-out addresses offered after an SSO session ended here. They come from the console's
/// settings and from KubeSphere, never from the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StillSignedIn {
    pub kubesphere_sign_out: String,
    /// The provider's label and end-session URL.
    pub provider_sign_out: Option<(String, String)>,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use ks_client::model::{IdentityProvider, OAuthConfiguration};
    use ks_client::{CallContext, KsClient};

    use super::{SignInChoices, SignInMethod, StillSignedIn};

    /// How long the list is kept: a provider KubeSphere adds or hides shows up within this.
    const FRESH: Duration = Duration::from_secs(30);
    /// How long a failure is kept: the page is served without the list meanwhile, at once.
    const FAILED: Duration = Duration::from_secs(5);
    /// The longest the sign-in page waits for KubeSphere's list.
    const WAIT: Duration = Duration::from_secs(2);

    /// How the console signs people in through KubeSphere's console (the "portal") with the
    /// authorization-code flow (`shared/kubesphere-api.md` §12.5): set when `KUBESPHERE_PORTAL_URL` is.
    #[derive(Debug, Clone)]
    pub struct SingleSignOnSettings {
        /// The KubeSphere console's public address, without a trailing slash.
        pub portal_url: String,
        /// The console's OAuth client (the one the password grant uses).
        pub client_id: String,
        /// `{PUBLIC_ORIGIN}/oauth/callback`: registered exactly so in the client's `redirectURIs`.
        pub callback_url: String,
        /// Where KubeSphere's console sends the browser back after signing out there.
        pub signed_out_url: String,
    }

    impl SingleSignOnSettings {
        /// The KubeSphere console's sign-out, coming back to the console's sign-in page (§12.8).
        pub fn kubesphere_sign_out(&self) -> String {
            let back = crate::kit::url::encode_query_value(&self.signed_out_url);
            format!("{}/oauth/logout?post_logout_redirect_uri={back}", self.portal_url)
        }
    }

    /// What is wrong with the console's OAuth client registration, in sentences for the operator,
    /// and whether single sign-on can work despite it.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct ClientProblem {
        pub sentence: String,
        /// Single sign-on cannot work until it is fixed (its buttons are not shown).
        pub blocks_single_sign_on: bool,
    }

    /// Checks what KubeSphere says about the console's client (`configs/oauth` lists clients
    /// without their secrets, §12.1) against what the console needs (§12.5).
    pub fn client_problems(
        config: &OAuthConfiguration,
        client_id: &str,
        callback_url: Option<&str>,
    ) -> Vec<ClientProblem> {
        let problem = |sentence: String, blocks| ClientProblem { sentence, blocks_single_sign_on: blocks };
        let Some(client) = config.clients.iter().find(|c| c.name == client_id) else {
            return vec![problem(
                format!(
                    "KubeSphere has no OAuth client named `{client_id}` (KS_OAUTH_CLIENT_ID): nobody can sign in. \
                     Register it as deploy/README.md describes."
                ),
                true,
            )];
        };
        let mut problems = Vec::new();
        if !client.trusted {
            problems.push(problem(
                format!(
                    "KubeSphere's OAuth client `{client_id}` is not trusted: password and directory sign-in fail. \
                     Set `trusted: true` in its configuration."
                ),
                false,
            ));
        }
        let Some(callback) = callback_url else { return problems };
        if client.grant_method == "deny" {
            problems.push(problem(
                format!("KubeSphere's OAuth client `{client_id}` has `grantMethod: deny`: single sign-on is refused. Set it to `auto`."),
                true,
            ));
        }
        if !client.redirect_uris.iter().any(|uri| uri == callback) {
            problems.push(problem(
                format!(
                    "KubeSphere's OAuth client `{client_id}` does not list `{callback}` in `redirectURIs` (it must be \
                     exactly this string): single sign-on is off until it does."
                ),
                true,
            ));
        }
        if !client.scope_restrictions.iter().any(|s| s == "openid") {
            problems.push(problem(
                format!(
                    "KubeSphere's OAuth client `{client_id}` does not allow the scope `openid` (`scopeRestrictions`): \
                     single sign-on is off until it does."
                ),
                true,
            ));
        }
        problems
    }

    /// What KubeSphere said when last asked.
    #[derive(Debug, Default)]
    pub struct Known {
        /// Every loaded provider, hidden and disabled ones included.
        providers: Vec<IdentityProvider>,
        /// The client is registered so that single sign-on works.
        single_sign_on_ready: bool,
        /// KubeSphere answered (else nothing is known, not "there are none").
        answered: bool,
    }

    impl Known {
        fn offered(&self, kind: impl Fn(&IdentityProvider) -> bool) -> Vec<SignInMethod> {
            self.listed(|p| kind(p) && p.offered())
        }

        fn listed(&self, pick: impl Fn(&IdentityProvider) -> bool) -> Vec<SignInMethod> {
            let mut list: Vec<SignInMethod> = self
                .providers
                .iter()
                .filter(|p| pick(p))
                .map(|p| SignInMethod { name: p.name.clone(), label: p.label().to_owned() })
                .collect();
            // KubeSphere lists them in no defined order.
            list.sort_by(|a, b| a.label.cmp(&b.label).then_with(|| a.name.cmp(&b.name)));
            list
        }

        /// Visible, enabled, password-type providers, by label.
        pub fn directories(&self) -> Vec<SignInMethod> {
            self.offered(IdentityProvider::takes_passwords)
        }

        /// Visible, enabled single sign-on providers, by label; none while the client is not
        /// registered for them.
        pub fn single_sign_on(&self) -> Vec<SignInMethod> {
            if self.single_sign_on_ready {
                self.offered(IdentityProvider::is_single_sign_on)
            } else {
                Vec::new()
            }
        }

        /// What a new account may be linked to: every loaded provider that is not disabled
        /// (hidden ones too: they still sign people in), by label.
        pub fn linkable(&self) -> Vec<SignInMethod> {
            self.listed(|p| !p.disabled && (p.takes_passwords() || p.is_single_sign_on()))
        }

        /// Every loaded provider's name (hidden and disabled ones too); `None` when KubeSphere
        /// could not be asked.
        pub fn provider_names(&self) -> Option<Vec<String>> {
            self.answered.then(|| self.providers.iter().map(|p| p.name.clone()).collect())
        }

        /// Any loaded provider (hidden ones too), by name.
        pub fn provider(&self, name: &str) -> Option<&IdentityProvider> {
            self.providers.iter().find(|p| p.name == name)
        }
    }

    /// KubeSphere's ways in, read from its public `configs/oauth` (never with anyone's token),
    /// one read at a time, kept briefly. Nothing is kept per visitor.
    #[derive(Debug, Default)]
    pub struct SignInMethods {
        kept: tokio::sync::Mutex<Option<(Instant, Duration, Arc<Known>)>>,
        single_sign_on: Option<SingleSignOnSettings>,
        client_id: String,
    }

    impl SignInMethods {
        pub fn new(client_id: &str, single_sign_on: Option<SingleSignOnSettings>) -> Self {
            SignInMethods { kept: Default::default(), single_sign_on, client_id: client_id.to_owned() }
        }

        pub fn single_sign_on_settings(&self) -> Option<&SingleSignOnSettings> {
            self.single_sign_on.as_ref()
        }

        /// What KubeSphere says now (empty when it cannot say: the page then offers KubeSphere
        /// accounts only).
        pub async fn known(&self, ks: &KsClient) -> Arc<Known> {
            let mut kept = self.kept.lock().await;
            if let Some((at, ttl, known)) = kept.as_ref() {
                if at.elapsed() < *ttl {
                    return Arc::clone(known);
                }
            }
            let (ttl, known) = match ks.oauth_configuration(WAIT, &CallContext::default()).await {
                Ok(config) => {
                    let callback = self.single_sign_on.as_ref().map(|s| s.callback_url.as_str());
                    let ready = callback.is_some()
                        && client_problems(&config, &self.client_id, callback).iter().all(|p| !p.blocks_single_sign_on);
                    (FRESH, Known { providers: config.identity_providers, single_sign_on_ready: ready, answered: true })
                }
                Err(e) => {
                    tracing::info!(error = %e, "the sign-in page offers KubeSphere accounts only: configs/oauth did not answer");
                    (FAILED, Known::default())
                }
            };
            let known = Arc::new(known);
            *kept = Some((Instant::now(), ttl, Arc::clone(&known)));
            known
        }

        /// The directories offered now.
        pub async fn directories(&self, ks: &KsClient) -> Vec<SignInMethod> {
            self.known(ks).await.directories()
        }

        /// Everything the sign-in page offers; `signed_out_of` names the provider a session that
        /// just ended had begun with (single sign-on).
        pub async fn choices(&self, ks: &KsClient, signed_out_of: Option<&str>) -> SignInChoices {
            let known = self.known(ks).await;
            let still_signed_in = match (signed_out_of, &self.single_sign_on) {
                (Some(name), Some(settings)) => Some(StillSignedIn {
                    kubesphere_sign_out: settings.kubesphere_sign_out(),
                    provider_sign_out: known
                        .provider(name)
                        .and_then(|p| Some((p.label().to_owned(), p.end_session_url()?.to_owned()))),
                }),
                _ => None,
            };
            SignInChoices { directories: known.directories(), single_sign_on: known.single_sign_on(), still_signed_in }
        }

        /// Tells the operator, once at start-up, what is missing from the console's OAuth client
        /// registration (§12.5).
        pub async fn check_registration(&self, ks: &KsClient) {
            let config = match ks.oauth_configuration(Duration::from_secs(10), &CallContext::default()).await {
                Ok(config) => config,
                Err(e) => {
                    tracing::warn!(error = %e, "could not read KubeSphere's OAuth configuration to check the console's client");
                    return;
                }
            };
            let callback = self.single_sign_on.as_ref().map(|s| s.callback_url.as_str());
            let problems = client_problems(&config, &self.client_id, callback);
            for problem in &problems {
                tracing::warn!("{}", problem.sentence);
            }
            if problems.is_empty() && callback.is_some() {
                tracing::info!(client = %self.client_id, "single sign-on through KubeSphere's console is ready");
            }
        }
    }

    #[cfg(test)]
    mod tests {
        #![allow(clippy::unwrap_used)]
        use super::*;

        fn config(client: serde_json::Value) -> OAuthConfiguration {
            serde_json::from_value(serde_json::json!({ "clients": [client] })).unwrap()
        }

        const CALLBACK: &str = "https://console.example.com/oauth/callback";

        #[test]
        fn a_client_registered_as_the_console_needs_has_no_problem() {
            let good = config(serde_json::json!({
                "name": "ks-console", "trusted": true, "grantMethod": "auto",
                "scopeRestrictions": ["openid", "email", "profile"], "redirectURIs": [CALLBACK]
            }));
            assert_eq!(client_problems(&good, "ks-console", Some(CALLBACK)), []);
        }

        #[test]
        fn each_missing_piece_is_named_and_only_those_that_break_single_sign_on_block_it() {
            // The shipped `kubesphere` client: trusted, no redirect URIs.
            let shipped = config(serde_json::json!({
                "name": "kubesphere", "trusted": true, "grantMethod": "auto",
                "scopeRestrictions": ["openid", "email", "profile"]
            }));
            let problems = client_problems(&shipped, "kubesphere", Some(CALLBACK));
            assert_eq!(problems.len(), 1);
            assert!(problems[0].sentence.contains(CALLBACK) && problems[0].blocks_single_sign_on);
            // Without single sign-on configured, the same client is fine.
            assert_eq!(client_problems(&shipped, "kubesphere", None), []);

            let near_miss = config(serde_json::json!({
                "name": "ks-console", "trusted": false, "grantMethod": "deny",
                "redirectURIs": [format!("{CALLBACK}/")]
            }));
            let problems = client_problems(&near_miss, "ks-console", Some(CALLBACK));
            let texts: Vec<&str> = problems.iter().map(|p| p.sentence.as_str()).collect();
            assert_eq!(problems.len(), 4, "{texts:?}");
            assert!(!problems[0].blocks_single_sign_on, "an untrusted client breaks passwords, not SSO");
            assert!(texts.iter().any(|t| t.contains("not trusted")) && texts.iter().any(|t| t.contains("deny")));
            assert!(texts.iter().any(|t| t.contains("exactly")) && texts.iter().any(|t| t.contains("openid")));

            let missing = client_problems(&shipped, "ks-console", Some(CALLBACK));
            assert!(missing.len() == 1 && missing[0].sentence.contains("no OAuth client named `ks-console`"));
        }
    }
}
