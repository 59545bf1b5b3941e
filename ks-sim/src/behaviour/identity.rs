//! What a sign-in through any identity provider does once the provider vouched for an identity
//! (`pkg/models/auth/authenticator.go` `authByIdentityProvider`, §12.3): the linked user, or
//! the mapping method (`lookup` refuses, `manual` gives the pre-registration user, `auto`
//! creates or links the user named like the lower-cased username). Shared by the directory
//! (LDAP) password grant and the OAuth callback.

use std::collections::BTreeMap;

use super::login::record_directory_success;
use super::validation::{email_denial, subdomain_error};
use crate::store::idp::{link_annotation, linked_users, MappingMethod};
use crate::store::state::State;
use crate::store::tokens::Extra;
use crate::store::users::{User, UserState};
use crate::store::util::now_utc;

/// An identity a provider vouched for (§12.3 table: LDAP uid = username = the login
/// attribute's value as stored; OIDC uid = `sub`, username = `preferred_username`).
#[derive(Debug, Clone)]
pub(crate) struct Identity {
    pub uid: String,
    pub username: String,
    /// Empty = none.
    pub email: String,
}

/// A successful sign-in through an identity provider.
#[derive(Debug)]
pub(crate) enum SignIn {
    /// The tokens are for this user.
    User(String),
    /// `manual` mapping of an identity no user is linked to: a pre-registration pair with this
    /// `extra` (`idp`, `uid`, `username`, `email`).
    PreRegistration(Extra),
}

/// Why a sign-in through an identity provider failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SignInError {
    /// The directory refused the login or password (§12.2 rows 1 and 4).
    Incorrect,
    /// The linked user is `Disabled` (row 8; Go's `account is not active`).
    Suspended,
    /// Anything else (rows 2, 3, 5, 6, 7; every callback failure). The Go error.
    Unavailable(String),
}

impl SignInError {
    /// The Go error's text.
    pub fn message(&self) -> String {
        match self {
            SignInError::Incorrect => "incorrect password".to_owned(),
            SignInError::Suspended => "account is not active".to_owned(),
            SignInError::Unavailable(why) => why.clone(),
        }
    }
}

/// The link, or the mapping of an identity no user is linked to; records a successful login
/// (not for the pre-registration user).
pub(crate) fn sign_in(
    state: &State,
    provider: &str,
    mapping: MappingMethod,
    identity: Identity,
    source_ip: &str,
) -> Result<SignIn, SignInError> {
    let mapped = linked_users(&state.db_for_read(), provider, &identity.uid).first().map(|u| (u.name.clone(), u.state));
    let name = match mapped {
        // Only `Disabled` is refused: a locked (`AuthLimitExceeded`) user still signs in.
        Some((_, Some(UserState::Disabled))) => return Err(SignInError::Suspended),
        Some((name, _)) => name,
        None => match mapping {
            MappingMethod::Lookup => {
                return Err(SignInError::Unavailable(format!("failed to find mapped user: {}", identity.uid)))
            }
            // No login record for the pre-registration user.
            MappingMethod::Manual => return Ok(SignIn::PreRegistration(pre_registration_extra(provider, identity))),
            MappingMethod::Auto => create_or_update(state, provider, &identity)?,
        },
    };
    record_directory_success(state, &name, provider, source_ip);
    Ok(SignIn::User(name))
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
/// rejects and an e-mail the user webhook rejects.
fn create_or_update(state: &State, idp: &str, identity: &Identity) -> Result<String, SignInError> {
    let name = identity.username.to_lowercase();
    let failed = |why: &str| SignInError::Unavailable(format!("failed to create or update user {name}, error: {why}"));
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
    tracing::info!(user = %name, idp, created = existing.is_none(), "identity linked");
    Ok(name)
}
