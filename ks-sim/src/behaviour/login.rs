//! Signing in (§2): the password check with its lockout (§2.6) and login records, and the
//! access + refresh token pair a successful grant receives.

use std::collections::BTreeMap;
use std::time::Instant;

use crate::store::state::{Settings, State};
use crate::store::tokens::{Extra, TokenKind};
use crate::store::users::{LoginRecord, User, UserState};
use crate::store::util::{go_duration, lock, now_utc};

/// `spec.type` of the records of local password checks.
const TYPE_PASSWORD: &str = "Password";
/// `spec.type` of the records of the token endpoint's directory sign-ins (`iamv1beta1.Token`).
const TYPE_TOKEN: &str = "Token";

/// Why a password login failed (§2.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LoginError {
    Incorrect,
    Suspended,
    RateLimited,
}

impl LoginError {
    /// The fixed `error_description` sentence of ks-apiserver 4.x.
    pub fn description(self) -> &'static str {
        match self {
            LoginError::Incorrect => "Invalid username or password.",
            LoginError::Suspended => "Account suspended.",
            LoginError::RateLimited => "Rate limit exceeded.",
        }
    }
}

fn push_record(user: &mut User, success: bool, source_ip: &str, login_type: &'static str, provider: &str) {
    user.login_records.push(LoginRecord {
        name: format!("{}-{}", user.name, uuid::Uuid::new_v4().simple()),
        created: now_utc(),
        success,
        reason: if success { "authenticated successfully" } else { "incorrect password" },
        source_ip: source_ip.to_owned(),
        login_type,
        provider: provider.to_owned(),
    });
    if success {
        user.last_login = Some(now_utc());
    }
}

/// Counts a failed password check towards the lockout: the user controller locks an `Active`
/// account after `lockout_max_tries` failures within the window (§2.6).
fn count_failure(user: &mut User, settings: &Settings) {
    if user.state != Some(UserState::Active) {
        return;
    }
    let now = Instant::now();
    user.failed_logins.push(now);
    let since = user.last_transition_at;
    let window = settings.lockout_window;
    user.failed_logins.retain(|t| *t > since && now.duration_since(*t) < window);
    let max = settings.lockout_max_tries;
    if max > 0 && user.failed_logins.len() >= max as usize {
        tracing::info!(user = %user.name, "too many failed logins: account locked");
        user.transition(
            UserState::AuthLimitExceeded,
            Some(format!("Failed login attempts exceed {max} in last {}", go_duration(window))),
        );
        user.failed_logins.clear();
    }
}

/// Checks a user name (or e-mail) and password, recording failures for the lockout (§2.6).
/// Returns the user's name.
pub(crate) fn password_login(
    state: &State,
    login: &str,
    password: &str,
    source_ip: &str,
) -> Result<String, LoginError> {
    if login.is_empty() || password.is_empty() {
        return Err(LoginError::Incorrect);
    }
    let mut db = state.db();
    let Some(name) = db.find_login(login).map(|u| u.name.clone()) else {
        return Err(LoginError::Incorrect);
    };
    let Some(user) = db.users.get_mut(&name) else {
        return Err(LoginError::Incorrect);
    };
    match user.state {
        Some(UserState::Active) => {}
        Some(UserState::AuthLimitExceeded) => return Err(LoginError::RateLimited),
        Some(UserState::Disabled) | None => return Err(LoginError::Suspended),
    }
    let success = user.password.as_deref() == Some(password);
    push_record(user, success, source_ip, TYPE_PASSWORD, "");
    if !success {
        count_failure(user, &state.settings);
        return Err(LoginError::Incorrect);
    }
    Ok(name)
}

/// A directory sign-in refused as "Invalid username or password." (§12.2): the KubeSphere user
/// whose name or e-mail is the typed `login`, if any, gets a failed record that counts towards
/// its lockout (`passwordGrant` → `RecordLogin` → `Find`).
pub(crate) fn record_directory_failure(state: &State, login: &str, provider: &str, source_ip: &str) {
    let mut db = state.db();
    let Some(name) = db.find_login(login).map(|u| u.name.clone()) else {
        return;
    };
    if let Some(user) = db.users.get_mut(&name) {
        push_record(user, false, source_ip, TYPE_TOKEN, provider);
        count_failure(user, &state.settings);
    }
}

/// A successful directory sign-in of `name` (a record with `spec.provider`).
pub(crate) fn record_directory_success(state: &State, name: &str, provider: &str, source_ip: &str) {
    if let Some(user) = state.db().users.get_mut(name) {
        push_record(user, true, source_ip, TYPE_TOKEN, provider);
    }
}

/// What a new token pair's `extra` claim holds.
pub(crate) enum PairExtra {
    /// `uninitialized: ["true"]` while the user carries `iam.kubesphere.io/uninitialized`
    /// (local password grant, refresh).
    FromUser,
    /// Exactly this: nothing after a directory sign-in, or the pre-registration identity.
    Fixed(Option<Extra>),
}

/// Issues an access + refresh pair for `username` and caches both.
pub(crate) fn issue_pair(state: &State, username: &str, extra: PairExtra) -> (String, String) {
    let extra = match extra {
        PairExtra::FromUser => state
            .db()
            .users
            .get(username)
            .is_some_and(|u| u.is_uninitialized())
            .then(|| BTreeMap::from([("uninitialized".to_owned(), vec!["true".to_owned()])])),
        PairExtra::Fixed(extra) => extra,
    };
    let access_ttl = state.settings.access_token_ttl;
    // As KubeSphere: the refresh token lives max age + inactivity timeout, also when the
    // access token never expires.
    let refresh_ttl = access_ttl + state.settings.refresh_token_extra_ttl;
    let access = state.issuer.issue(username, TokenKind::Access, access_ttl, extra.clone());
    let refresh = state.issuer.issue(username, TokenKind::Refresh, refresh_ttl, extra);
    let mut tokens = lock(&state.tokens);
    if !state.settings.multiple_login {
        tokens.revoke_user(username);
    }
    (tokens.insert(access), tokens.insert(refresh))
}
