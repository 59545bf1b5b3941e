//! The people of an OAuth provider (OIDC) and the one-time codes its stand-in issues: the
//! simulator plays the provider itself (`/_idp/{idp}/login` on the portal listener), so
//! `/oauth/callback/{idp}` exchanges codes from here instead of calling a token endpoint.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::IdentityProvider;

/// How long a code of the stand-in stays valid (Keycloak's default code lifespan).
pub const IDP_CODE_TTL: Duration = Duration::from_secs(60);

/// One account of an OAuth provider, as its id_token describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcPerson {
    /// Claim `sub`: the identity's uid, the value of a user's link annotation.
    pub sub: String,
    /// Claim `preferred_username`: the identity's username (lower-cased, the name `auto`
    /// gives a new user) and what the person types at the stand-in's sign-in page.
    pub preferred_username: String,
    pub password: String,
    /// Claim `email`; empty = none.
    pub email: String,
}

impl IdentityProvider {
    /// Adds an account to an OAuth provider: `sub` (uid), `preferred_username` (username,
    /// also the login at the stand-in), password and e-mail (empty = none).
    pub fn with_oidc_person(mut self, sub: &str, preferred_username: &str, password: &str, email: &str) -> Self {
        self.oidc_people.push(OidcPerson {
            sub: sub.to_owned(),
            preferred_username: preferred_username.to_owned(),
            password: password.to_owned(),
            email: email.to_owned(),
        });
        self
    }

    /// The account whose `preferred_username` is `login` (case-insensitively, as Keycloak
    /// matches usernames) and whose password is `password`.
    pub(crate) fn oidc_sign_in(&self, login: &str, password: &str) -> Option<&OidcPerson> {
        let login = login.to_lowercase();
        self.oidc_people.iter().find(|p| p.preferred_username.to_lowercase() == login && p.password == password)
    }
}

/// What a code of the stand-in stands for.
#[derive(Debug, Clone)]
pub(crate) struct IdpGrant {
    pub idp: String,
    pub person: OidcPerson,
    expires_at: Instant,
}

/// The stand-in's outstanding codes.
#[derive(Debug, Default)]
pub(crate) struct IdpCodes {
    codes: HashMap<String, IdpGrant>,
}

impl IdpCodes {
    /// A new one-time code for `person` of `idp`.
    pub fn issue(&mut self, idp: &str, person: OidcPerson) -> String {
        let now = Instant::now();
        self.codes.retain(|_, g| g.expires_at > now);
        let code = format!("{}.{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
        self.codes.insert(code.clone(), IdpGrant { idp: idp.to_owned(), person, expires_at: now + IDP_CODE_TTL });
        code
    }

    /// Redeems a code at `idp`'s token endpoint: once, before it expires, and only at the
    /// provider that issued it (another provider does not know it, and leaves it be).
    pub fn redeem(&mut self, idp: &str, code: &str) -> Option<IdpGrant> {
        match self.codes.get(code) {
            Some(grant) if grant.idp == idp => {}
            _ => return None,
        }
        self.codes.remove(code).filter(|g| g.expires_at > Instant::now())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::store::idp::MappingMethod;

    #[test]
    fn codes_are_single_use_and_bound_to_their_provider() {
        let sso = IdentityProvider::oidc("sso", MappingMethod::Auto, "https://sso.example")
            .with_oidc_person("u-1", "Sam.Lee", "pw", "");
        let person = sso.oidc_sign_in("sam.lee", "pw").cloned();
        assert!(sso.oidc_sign_in("sam.lee", "PW").is_none());
        let mut codes = IdpCodes::default();
        let code = codes.issue("sso", person.clone().unwrap());
        assert!(codes.redeem("other", &code).is_none());
        assert_eq!(codes.redeem("sso", &code).map(|g| g.person), person);
        assert!(codes.redeem("sso", &code).is_none());
    }
}
