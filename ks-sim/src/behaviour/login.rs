//! Signing in (§2): the password check with its lockout (§2.6) and login records, and the
//! access + refresh token pair a successful grant receives.

use std::time::Instant;

use crate::store::state::State;
use crate::store::tokens::TokenKind;
use crate::store::users::{LoginRecord, UserState};
use crate::store::util::{go_duration, lock, now_utc};

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
    let settings = &state.settings;
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
    let record = LoginRecord {
        name: format!("{}-{}", user.name, uuid::Uuid::new_v4().simple()),
        created: now_utc(),
        success,
        reason: if success { "authenticated successfully" } else { "incorrect password" },
        source_ip: source_ip.to_owned(),
    };
    user.login_records.push(record);
    if !success {
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
        return Err(LoginError::Incorrect);
    }
    user.last_login = Some(now_utc());
    Ok(name)
}

/// Issues an access + refresh pair for `username` and caches both.
pub(crate) fn issue_pair(state: &State, username: &str) -> (String, String) {
    let uninitialized = state.db().users.get(username).is_some_and(|u| u.is_uninitialized());
    let access_ttl = state.settings.access_token_ttl;
    // As KubeSphere: the refresh token lives max age + inactivity timeout, also when the
    // access token never expires.
    let refresh_ttl = access_ttl + state.settings.refresh_token_extra_ttl;
    let access = state.issuer.issue(username, TokenKind::Access, access_ttl, uninitialized);
    let refresh = state.issuer.issue(username, TokenKind::Refresh, refresh_ttl, uninitialized);
    let mut tokens = lock(&state.tokens);
    if !state.settings.multiple_login {
        tokens.revoke_user(username);
    }
    (tokens.insert(access), tokens.insert(refresh))
}
