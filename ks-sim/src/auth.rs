//! Tokens (HS256 JWTs that are only valid while cached) and request authentication (§1.2, §2).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use http::HeaderMap;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::state::{lock, now_utc, LoginRecord, State, UserState};

type HmacSha256 = Hmac<Sha256>;

/// The user name of callers without credentials.
pub(crate) const ANONYMOUS: &str = "system:anonymous";
const ISSUER: &str = "kubesphere";

/// Access or refresh token (`token_type` claim).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    Access,
    Refresh,
}

impl TokenKind {
    fn claim(self) -> &'static str {
        match self {
            TokenKind::Access => "access_token",
            TokenKind::Refresh => "refresh_token",
        }
    }
}

/// JWT claims, in ks-apiserver's shape plus a random `jti` so every token is unique.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Claims {
    pub iss: String,
    pub sub: String,
    pub iat: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<u64>,
    pub token_type: String,
    pub username: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra: Option<BTreeMap<String, Vec<String>>>,
    pub jti: String,
}

/// Why a bearer token was refused; `Display` is the 401 message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TokenError {
    Malformed,
    BadSignature,
    Expired(Duration),
    NotCached,
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::Malformed => f.write_str("token contains an invalid number of segments"),
            TokenError::BadSignature => f.write_str("signature is invalid"),
            TokenError::Expired(by) => write!(f, "jwt: token is expired by {}", go_duration(*by)),
            TokenError::NotCached => f.write_str("token not found in cache"),
        }
    }
}

/// Go's `time.Duration.String()` for whole seconds (`10m0s`, `1h0m0s`, `2s`).
pub(crate) fn go_duration(d: Duration) -> String {
    let secs = d.as_secs();
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    if h > 0 {
        format!("{h}h{m}m{s}s")
    } else if m > 0 {
        format!("{m}m{s}s")
    } else {
        format!("{s}s")
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// Signs and checks tokens with a random per-process secret.
pub(crate) struct TokenIssuer {
    secret: [u8; 32],
}

/// A freshly signed token.
pub(crate) struct Issued {
    pub token: String,
    pub record: TokenRecord,
}

impl TokenIssuer {
    pub fn random() -> Self {
        let mut secret = [0u8; 32];
        secret[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        secret[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        TokenIssuer { secret }
    }

    fn mac(&self) -> Option<HmacSha256> {
        // HMAC accepts keys of any length, so this never fails.
        HmacSha256::new_from_slice(&self.secret).ok()
    }

    pub fn issue(
        &self,
        username: &str,
        kind: TokenKind,
        ttl: Duration,
        uninitialized: bool,
    ) -> Issued {
        let iat = unix_now();
        let never_expires = ttl.is_zero();
        let claims = Claims {
            iss: ISSUER.to_owned(),
            sub: username.to_owned(),
            iat,
            exp: (!never_expires).then(|| iat + ttl.as_secs().max(1)),
            token_type: kind.claim().to_owned(),
            username: username.to_owned(),
            extra: uninitialized
                .then(|| BTreeMap::from([("uninitialized".to_owned(), vec!["true".to_owned()])])),
            jti: uuid::Uuid::new_v4().to_string(),
        };
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap_or_default());
        let signing_input = format!("{header}.{payload}");
        let signature = match self.mac() {
            Some(mut mac) => {
                mac.update(signing_input.as_bytes());
                URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
            }
            None => String::new(),
        };
        Issued {
            token: format!("{signing_input}.{signature}"),
            record: TokenRecord {
                username: username.to_owned(),
                kind,
                expires_at: (!never_expires).then(|| Instant::now() + ttl),
            },
        }
    }

    /// Checks the signature and returns the claims (expiry and cache are checked elsewhere).
    pub fn decode(&self, token: &str) -> Result<Claims, TokenError> {
        let parts: Vec<&str> = token.split('.').collect();
        let [header, payload, signature] = parts.as_slice() else {
            return Err(TokenError::Malformed);
        };
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| TokenError::BadSignature)?;
        let mut mac = self.mac().ok_or(TokenError::BadSignature)?;
        mac.update(header.as_bytes());
        mac.update(b".");
        mac.update(payload.as_bytes());
        mac.verify_slice(&signature)
            .map_err(|_| TokenError::BadSignature)?;
        let payload = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| TokenError::Malformed)?;
        serde_json::from_slice(&payload).map_err(|_| TokenError::Malformed)
    }
}

/// A cached (= valid unless expired) token.
#[derive(Debug, Clone)]
pub(crate) struct TokenRecord {
    pub username: String,
    pub kind: TokenKind,
    /// `None` = never expires.
    pub expires_at: Option<Instant>,
}

impl TokenRecord {
    fn expired_by(&self) -> Option<Duration> {
        let at = self.expires_at?;
        let now = Instant::now();
        (now >= at).then(|| now - at)
    }
}

/// The token cache, plus every token ever issued (for leak checks in tests).
#[derive(Default)]
pub(crate) struct TokenStore {
    active: HashMap<String, TokenRecord>,
    issued: Vec<String>,
}

impl TokenStore {
    pub fn insert(&mut self, issued: Issued) -> String {
        self.issued.push(issued.token.clone());
        self.active.insert(issued.token.clone(), issued.record);
        issued.token
    }

    pub fn revoke(&mut self, token: &str) -> bool {
        self.active.remove(token).is_some()
    }

    pub fn revoke_user(&mut self, user: &str) -> usize {
        let before = self.active.len();
        self.active.retain(|_, r| r.username != user);
        before - self.active.len()
    }

    pub fn issued(&self) -> Vec<String> {
        self.issued.clone()
    }

    /// Cached, unexpired tokens.
    pub fn active(&self) -> Vec<String> {
        self.active
            .iter()
            .filter(|(_, r)| r.expired_by().is_none())
            .map(|(t, _)| t.clone())
            .collect()
    }

    /// The cached record of a valid token.
    pub fn check(&self, token: &str, claims: &Claims) -> Result<TokenRecord, TokenError> {
        match self.active.get(token) {
            Some(record) => match record.expired_by() {
                Some(by) => Err(TokenError::Expired(by)),
                None => Ok(record.clone()),
            },
            None => match claims.exp {
                Some(exp) if unix_now() >= exp => {
                    Err(TokenError::Expired(Duration::from_secs(unix_now() - exp)))
                }
                _ => Err(TokenError::NotCached),
            },
        }
    }
}

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
        reason: if success {
            "authenticated successfully"
        } else {
            "incorrect password"
        },
        source_ip: source_ip.to_owned(),
    };
    user.login_records.push(record);
    if !success {
        let now = Instant::now();
        user.failed_logins.push(now);
        let since = user.last_transition_at;
        let window = settings.lockout_window;
        user.failed_logins
            .retain(|t| *t > since && now.duration_since(*t) < window);
        let max = settings.lockout_max_tries;
        if max > 0 && user.failed_logins.len() >= max as usize {
            tracing::info!(user = %user.name, "too many failed logins: account locked");
            user.transition(
                UserState::AuthLimitExceeded,
                Some(format!(
                    "Failed login attempts exceed {max} in last {}",
                    go_duration(window)
                )),
            );
            user.failed_logins.clear();
        }
        return Err(LoginError::Incorrect);
    }
    user.last_login = Some(now_utc());
    Ok(name)
}

/// Who is making a request.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    /// User name, or [`ANONYMOUS`].
    pub name: String,
    pub authenticated: bool,
    /// The bearer token that authenticated the request, if any.
    pub bearer: Option<String>,
}

impl Caller {
    pub fn anonymous() -> Self {
        Caller {
            name: ANONYMOUS.to_owned(),
            authenticated: false,
            bearer: None,
        }
    }
}

/// Credentials found in the request headers.
pub(crate) enum Credentials {
    None,
    Bearer(String),
    Basic { username: String, password: String },
}

/// Reads `Authorization` (or `X-KubeSphere-Authorization` when it is absent). Unknown schemes
/// count as no credentials, as in Kubernetes' authenticator union.
pub(crate) fn credentials(headers: &HeaderMap) -> Credentials {
    let value = headers
        .get(http::header::AUTHORIZATION)
        .or_else(|| headers.get("x-kubesphere-authorization"))
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .trim();
    let Some((scheme, rest)) = value.split_once(' ') else {
        return Credentials::None;
    };
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("bearer") && !rest.is_empty() {
        return Credentials::Bearer(rest.to_owned());
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = STANDARD
            .decode(rest)
            .ok()
            .and_then(|b| String::from_utf8(b).ok());
        if let Some((username, password)) = decoded.as_deref().and_then(|d| d.split_once(':')) {
            return Credentials::Basic {
                username: username.to_owned(),
                password: password.to_owned(),
            };
        }
    }
    Credentials::None
}

/// Whether the header carries something that looks like credentials (for the journal).
pub(crate) fn authorization_present(headers: &HeaderMap) -> bool {
    headers.contains_key(http::header::AUTHORIZATION)
        || headers.contains_key("x-kubesphere-authorization")
}

/// The user a bearer token was issued to, if its signature is ours (even when revoked/expired).
pub(crate) fn bearer_owner(state: &State, headers: &HeaderMap) -> Option<String> {
    match credentials(headers) {
        Credentials::Bearer(token) => state.issuer.decode(&token).ok().map(|c| c.username),
        _ => None,
    }
}

/// The authentication filter: anonymous without credentials, `Err(401 message)` for bad ones.
pub(crate) fn authenticate(state: &State, headers: &HeaderMap) -> Result<Caller, String> {
    match credentials(headers) {
        Credentials::None => Ok(Caller::anonymous()),
        Credentials::Bearer(token) => {
            let username = verify_token(state, &token)
                .map_err(|e| e.to_string())?
                .username;
            let db = state.db();
            match db.users.get(&username) {
                None => Err(format!("users.iam.kubesphere.io \"{username}\" not found")),
                Some(u) if u.state == Some(UserState::Disabled) => {
                    Err("account is not active".to_owned())
                }
                Some(_) => Ok(Caller {
                    name: username,
                    authenticated: true,
                    bearer: Some(token),
                }),
            }
        }
        Credentials::Basic { username, password } => {
            let source_ip = headers
                .get("x-client-ip")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            match password_login(state, &username, &password, source_ip) {
                Ok(name) => Ok(Caller {
                    name,
                    authenticated: true,
                    bearer: None,
                }),
                Err(e) => Err(e.description().to_owned()),
            }
        }
    }
}

/// Signature, expiry and cache presence of a token.
pub(crate) fn verify_token(state: &State, token: &str) -> Result<TokenRecord, TokenError> {
    let claims = state.issuer.decode(token)?;
    lock(&state.tokens).check(token, &claims)
}

/// Issues an access + refresh pair for `username` and caches both.
pub(crate) fn issue_pair(state: &State, username: &str) -> (String, String) {
    let uninitialized = state
        .db()
        .users
        .get(username)
        .is_some_and(|u| u.is_uninitialized());
    let access_ttl = state.settings.access_token_ttl;
    // As KubeSphere: the refresh token lives max age + inactivity timeout, also when the
    // access token never expires.
    let refresh_ttl = access_ttl + state.settings.refresh_token_extra_ttl;
    let access = state
        .issuer
        .issue(username, TokenKind::Access, access_ttl, uninitialized);
    let refresh = state
        .issuer
        .issue(username, TokenKind::Refresh, refresh_ttl, uninitialized);
    let mut tokens = lock(&state.tokens);
    if !state.settings.multiple_login {
        tokens.revoke_user(username);
    }
    (tokens.insert(access), tokens.insert(refresh))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn go_duration_matches_go_formatting() {
        assert_eq!(go_duration(Duration::from_secs(600)), "10m0s");
        assert_eq!(go_duration(Duration::from_secs(62)), "1m2s");
        assert_eq!(go_duration(Duration::from_secs(3600)), "1h0m0s");
        assert_eq!(go_duration(Duration::from_millis(2500)), "2s");
    }

    #[test]
    fn tokens_carry_claims_and_fail_with_a_foreign_signature() {
        let issuer = TokenIssuer::random();
        let issued = issuer.issue("alice", TokenKind::Refresh, Duration::from_secs(60), false);
        let claims = issuer.decode(&issued.token).unwrap();
        assert_eq!(claims.username, "alice");
        assert_eq!(claims.token_type, "refresh_token");
        assert!(claims.exp.unwrap() >= claims.iat + 60);
        let other = TokenIssuer::random();
        assert_eq!(
            other.decode(&issued.token).unwrap_err(),
            TokenError::BadSignature
        );
        assert_eq!(issuer.decode("a.b").unwrap_err(), TokenError::Malformed);
    }
}
