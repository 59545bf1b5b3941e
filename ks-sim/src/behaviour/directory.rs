//! Signing in through an identity provider (§12.2, §12.3): the provider checks, the directory
//! search, the identity's link to a KubeSphere user and the mapping methods; and what the
//! pre-registration user may do with its identity afterwards (§12.4).

use std::collections::BTreeMap;

use super::login::{record_directory_failure, record_directory_success};
use super::validation::{email_denial, subdomain_error};
use crate::store::idp::{link_annotation, linked_users, MappingMethod};
use crate::store::state::State;
use crate::store::tokens::Extra;
use crate::store::users::{User, UserState};
use crate::store::util::{lock, now_utc};

/// A successful directory sign-in.
#[derive(Debug)]
pub(crate) enum DirectoryLogin {
    /// The tokens are for this user.
    User(String),
    /// `manual` mapping of an identity no user is linked to: a pre-registration pair with this
    /// `extra` (`idp`, `uid`, `username`, `email`).
    PreRegistration(Extra),
}

/// Why a directory sign-in failed (§12.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DirectoryError {
    /// Rows 1 and 4: 400 "Invalid username or password.".
    Incorrect,
    /// Row 8: 400 "Account suspended.".
    Suspended,
    /// Rows 2, 3, 5, 6 and 7: 500 `server_error`. The Go error, for the log.
    Unavailable(String),
}

/// A directory identity (LDAP: uid and username are the login attribute's value as stored).
struct Identity {
    uid: String,
    username: String,
    email: String,
}

/// The password grant with `provider` (`authByProvider` → `authByIdentityProvider`): the
/// checks of §12.2 in order, then the link or mapping of §12.3. Records login attempts as
/// ks-apiserver's `passwordGrant` does.
pub(crate) fn password_login(
    state: &State,
    provider: &str,
    login: &str,
    password: &str,
    source_ip: &str,
) -> Result<DirectoryLogin, DirectoryError> {
    if login.is_empty() || password.is_empty() {
        record_directory_failure(state, login, provider, source_ip);
        return Err(DirectoryError::Incorrect);
    }
    let (mapping, identity) = match authenticate(state, provider, login, password) {
        Ok(found) => found,
        Err(DirectoryError::Incorrect) => {
            record_directory_failure(state, login, provider, source_ip);
            return Err(DirectoryError::Incorrect);
        }
        Err(other) => return Err(other),
    };
    let mapped = linked_users(&state.db_for_read(), provider, &identity.uid).first().map(|u| (u.name.clone(), u.state));
    let name = match mapped {
        // Only `Disabled` is refused: a locked (`AuthLimitExceeded`) user still signs in.
        Some((_, Some(UserState::Disabled))) => return Err(DirectoryError::Suspended),
        Some((name, _)) => name,
        None => match mapping {
            MappingMethod::Lookup => {
                return Err(DirectoryError::Unavailable(format!("failed to find mapped user: {}", identity.uid)))
            }
            // No login record for the pre-registration user.
            MappingMethod::Manual => {
                return Ok(DirectoryLogin::PreRegistration(pre_registration_extra(provider, identity)))
            }
            MappingMethod::Auto => create_or_update(state, provider, &identity)?,
        },
    };
    record_directory_success(state, &name, provider, source_ip);
    Ok(DirectoryLogin::User(name))
}

/// Rows 2–5: the provider, then the directory (`ldap.go` `Authenticate`).
fn authenticate(
    state: &State,
    provider: &str,
    login: &str,
    password: &str,
) -> Result<(MappingMethod, Identity), DirectoryError> {
    let providers = lock(&state.identity_providers);
    let Some(idp) = providers.iter().find(|p| p.name == provider && p.is_loaded() && p.is_generic()) else {
        return Err(DirectoryError::Unavailable(format!("generic identity provider {provider} not found")));
    };
    if idp.disabled {
        return Err(DirectoryError::Unavailable(
            "failed to get identity provider configuration: the Identity provider was Disabled".to_owned(),
        ));
    }
    if !idp.reachable {
        return Err(DirectoryError::Unavailable(format!(
            "failed to authenticate by identity provider {provider}: LDAP Result Code 200 \"Network Error\""
        )));
    }
    let (uid, email) = match idp.search(login).as_slice() {
        [] => return Err(DirectoryError::Incorrect),
        [one] => one.clone(),
        // The search asks for one entry at most: the size limit is an error.
        _ => {
            return Err(DirectoryError::Unavailable(format!(
                "failed to authenticate by identity provider {provider}: LDAP Result Code 4 \"Size Limit Exceeded\""
            )))
        }
    };
    if !idp.password_matches(&uid, password) {
        return Err(DirectoryError::Incorrect);
    }
    Ok((idp.mapping_method, Identity { username: uid.clone(), uid, email }))
}

fn pre_registration_extra(idp: &str, identity: Identity) -> Extra {
    BTreeMap::from([
        ("idp".to_owned(), vec![idp.to_owned()]),
        ("uid".to_owned(), vec![identity.uid]),
        ("username".to_owned(), vec![identity.username]),
        ("email".to_owned(), vec![identity.email]),
    ])
}

/// `auto` (§12.3): `CreateOrUpdate` of the user named like the lower-cased username. Links it,
/// makes it `Active` and takes the identity's e-mail; refuses a `Disabled` one, a name the CRD
/// rejects and an e-mail the user webhook rejects (all 500).
fn create_or_update(state: &State, idp: &str, identity: &Identity) -> Result<String, DirectoryError> {
    let name = identity.username.to_lowercase();
    let failed =
        |why: &str| DirectoryError::Unavailable(format!("failed to create or update user {name}, error: {why}"));
    let cache = state.cached();
    let mut db = state.db();
    let existing = db.users.get(&name).map(|u| (u.state, u.email.clone()));
    let email = match &existing {
        Some((Some(UserState::Disabled), _)) => return Err(failed("account is not active")),
        Some((_, current)) if identity.email.is_empty() => current.clone(),
        Some(_) => identity.email.clone(),
        None => {
            if let Some(problem) = subdomain_error(&name) {
                return Err(failed(&format!("User.iam.kubesphere.io \"{name}\" is invalid: {problem}")));
            }
            identity.email.clone()
        }
    };
    if let Some(reason) = email_denial(cache.as_deref().unwrap_or(&db), &name, &email) {
        return Err(failed(&format!("admission webhook \"users.iam.kubesphere.io\" denied the request: {reason}")));
    }
    let rv = db.bump();
    let user = db.users.entry(name.clone()).or_insert_with(|| User::named(&name, now_utc(), rv));
    user.annotations.insert(link_annotation(idp), identity.uid.clone());
    user.email = email;
    user.resource_version = rv;
    // The User CRD has no status subresource: this also unlocks a locked account.
    if user.state != Some(UserState::Active) {
        user.transition(UserState::Active, None);
        user.failed_logins.clear();
    }
    tracing::info!(user = %name, idp, created = existing.is_none(), "directory identity linked");
    Ok(name)
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
