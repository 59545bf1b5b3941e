//! Signing in through an OAuth provider (`GET /oauth/callback/{idp}`, `pkg/models/auth/oauth.go`
//! `Authenticate`): the provider's configuration, then the exchange of the provider's code for
//! the identity (here with the provider's stand-in, `store::idp::IdpCodes`), then the link or
//! mapping of [`super::identity`] as for a directory.

use super::identity::{sign_in, Identity, SignIn, SignInError};
use crate::store::state::State;
use crate::store::util::lock;

/// The identity behind an OAuth provider's `code`, signed in. Every failure is the Go error
/// that the handler answers as 401 `Unauthorized: …`.
pub(crate) fn callback_login(
    state: &State,
    provider: &str,
    code: &str,
    source_ip: &str,
) -> Result<SignIn, SignInError> {
    let unavailable = |why: String| SignInError::Unavailable(why);
    let (mapping, is_oauth) = {
        let providers = lock(&state.identity_providers);
        // `GetConfiguration` reads every provider Secret, loaded or not.
        let Some(idp) = providers.iter().find(|p| p.name == provider) else {
            return Err(unavailable(format!(
                "failed to get identity provider configuration for {provider}, error: the Identity provider was not found"
            )));
        };
        if idp.disabled {
            return Err(unavailable(format!(
                "failed to get identity provider configuration for {provider}, error: the Identity provider was Disabled"
            )));
        }
        (idp.mapping_method, idp.is_oauth())
    };
    if !is_oauth {
        return Err(unavailable(format!("identity provider {provider} not exist")));
    }
    let Some(grant) = lock(&state.idp_codes).redeem(provider, code) else {
        // What golang.org/x/oauth2 reports for Keycloak's answer to an unknown or used code.
        return Err(unavailable(format!(
            "failed to exchange identity for {provider}, error: oidc: failed to get token: oauth2: \"invalid_grant\" \"Code not valid\""
        )));
    };
    let person = grant.person;
    let identity = Identity { uid: person.sub, username: person.preferred_username, email: person.email };
    sign_in(state, provider, mapping, identity, source_ip)
}
