//! Signing in through a directory (LDAP, the password grant with `provider`, §12.2): the
//! provider checks and the directory search, then the link or mapping of [`super::identity`];
//! and what the pre-registration user may do with its identity afterwards (§12.4).

use super::identity::{sign_in, Identity, SignIn, SignInError};
use super::login::record_directory_failure;
use crate::store::idp::{link_annotation, linked_users, MappingMethod};
use crate::store::state::State;
use crate::store::tokens::Extra;
use crate::store::util::lock;

/// The password grant with `provider` (`authByProvider` → `authByIdentityProvider`): the
/// checks of §12.2 in order, then the link or mapping of §12.3. Records login attempts as
/// ks-apiserver's `passwordGrant` does.
pub(crate) fn password_login(
    state: &State,
    provider: &str,
    login: &str,
    password: &str,
    source_ip: &str,
) -> Result<SignIn, SignInError> {
    if login.is_empty() || password.is_empty() {
        record_directory_failure(state, login, provider, source_ip);
        return Err(SignInError::Incorrect);
    }
    let (mapping, identity) = match authenticate(state, provider, login, password) {
        Ok(found) => found,
        Err(SignInError::Incorrect) => {
            record_directory_failure(state, login, provider, source_ip);
            return Err(SignInError::Incorrect);
        }
        Err(other) => return Err(other),
    };
    sign_in(state, provider, mapping, identity, source_ip)
}

/// Rows 2–5: the provider, then the directory (`ldap.go` `Authenticate`).
fn authenticate(
    state: &State,
    provider: &str,
    login: &str,
    password: &str,
) -> Result<(MappingMethod, Identity), SignInError> {
    let providers = lock(&state.identity_providers);
    let Some(idp) = providers.iter().find(|p| p.name == provider && p.is_loaded() && p.is_generic()) else {
        return Err(SignInError::Unavailable(format!("generic identity provider {provider} not found")));
    };
    if idp.disabled {
        return Err(SignInError::Unavailable(
            "failed to get identity provider configuration: the Identity provider was Disabled".to_owned(),
        ));
    }
    if !idp.reachable {
        return Err(SignInError::Unavailable(format!(
            "failed to authenticate by identity provider {provider}: LDAP Result Code 200 \"Network Error\""
        )));
    }
    let (uid, email) = match idp.search(login).as_slice() {
        [] => return Err(SignInError::Incorrect),
        [one] => one.clone(),
        // The search asks for one entry at most: the size limit is an error.
        _ => {
            return Err(SignInError::Unavailable(format!(
                "failed to authenticate by identity provider {provider}: LDAP Result Code 4 \"Size Limit Exceeded\""
            )))
        }
    };
    if !idp.password_matches(&uid, password) {
        return Err(SignInError::Incorrect);
    }
    Ok((idp.mapping_method, Identity { username: uid.clone(), uid, email }))
}

/// The link a pre-registration token's `extra` asks for (`CreateUser`, §12.4): the annotation
/// and the uid, when it holds exactly one `idp` and one `uid`.
pub(crate) fn registration_link(extra: &Extra) -> Option<(String, String)> {
    match (extra.get("idp").map(Vec::as_slice), extra.get("uid").map(Vec::as_slice)) {
        (Some([idp]), Some([uid])) => Some((link_annotation(idp), uid.clone())),
        _ => None,
    }
}

/// What refreshing a pre-registration token finds (`refreshTokenGrant`, §12.4).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Registration {
    /// The token names no identity: it is refreshed as it is.
    NoIdentity,
    /// Exactly one user is linked to the identity: the new pair is theirs.
    User(String),
    /// None or several: 400 "Authenticated user does not exist.".
    Missing,
}

/// The user registered for a pre-registration token's identity (read from the cache, as the
/// handler's `ListUsers` is).
pub(crate) fn registered_user(state: &State, extra: Option<&Extra>) -> Registration {
    let first = |key: &str| extra.and_then(|e| e.get(key)).and_then(|v| v.first());
    let (Some(idp), Some(uid)) = (first("idp"), first("uid")) else {
        return Registration::NoIdentity;
    };
    match linked_users(&state.db_for_read(), idp, uid).as_slice() {
        [one] => Registration::User(one.name.clone()),
        _ => Registration::Missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extra(pairs: &[(&str, &[&str])]) -> Extra {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), v.iter().map(|s| (*s).to_owned()).collect())).collect()
    }

    #[test]
    fn a_registration_needs_exactly_one_idp_and_one_uid() {
        let link = registration_link(&extra(&[("idp", &["corp"]), ("uid", &["Li.Wei"]), ("username", &[])]));
        assert_eq!(link, Some(("iam.kubesphere.io/identity-provider.corp".to_owned(), "Li.Wei".to_owned())));
        assert_eq!(registration_link(&extra(&[("idp", &["corp"])])), None);
        assert_eq!(registration_link(&extra(&[("idp", &["a", "b"]), ("uid", &["x"])])), None);
        assert_eq!(registration_link(&extra(&[("idp", &["a"]), ("uid", &[])])), None);
    }
}
