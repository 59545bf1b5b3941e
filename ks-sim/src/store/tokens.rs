//! Tokens: HS256 JWTs signed with a per-process secret (id_tokens: RS256, [`super::signing`]),
//! valid only while cached (§1.2, §2, §12.6). The signer and the cache; when tokens are issued
//! and accepted is `behaviour`'s business. Authorization codes are tokens too (`token_type:
//! code`), cached like the others.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::signing;
use super::util::go_duration;

type HmacSha256 = Hmac<Sha256>;

const ISSUER: &str = "kubesphere";

/// The `extra` claim: KubeSphere's `user.Info` extra (`uninitialized`, or the pre-registration
/// identity).
pub(crate) type Extra = BTreeMap<String, Vec<String>>;

/// The `token_type` claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    Access,
    Refresh,
    /// An authorization code (§12.6).
    Code,
    /// An OpenID Connect id_token, signed RS256.
    IdToken,
}

impl TokenKind {
    fn claim(self) -> &'static str {
        match self {
            TokenKind::Access => "access_token",
            TokenKind::Refresh => "refresh_token",
            TokenKind::Code => "code",
            TokenKind::IdToken => "id_token",
        }
    }
}

/// JWT claims, in ks-apiserver's shape (`token.Claims`) plus a random `jti` so every token is
/// unique. The optional ones are only in codes and id_tokens.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Claims {
    pub iss: String,
    pub sub: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<Vec<String>>,
    pub iat: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<u64>,
    pub token_type: String,
    pub username: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra: Option<Extra>,
    /// Codes: the scopes the authorization request asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// id_tokens: the user's name (Go's field `Name`, tagged `url`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_username: Option<String>,
    pub jti: String,
}

impl Claims {
    /// Claims naming `username` (also `sub`); the issuer fills in the times and the type.
    pub fn for_user(username: &str) -> Self {
        Claims { sub: username.to_owned(), username: username.to_owned(), ..Claims::default() }
    }
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

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default()
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

    pub fn issue(&self, username: &str, kind: TokenKind, ttl: Duration, extra: Option<Extra>) -> Issued {
        self.issue_claims(kind, ttl, Claims { extra, ..Claims::for_user(username) })
    }

    /// Signs `claims` as a `kind` token living `ttl` (zero: no `exp`). `iss` defaults to
    /// `kubesphere`; id_tokens are signed RS256 (empty signature if the key is unavailable).
    pub fn issue_claims(&self, kind: TokenKind, ttl: Duration, mut claims: Claims) -> Issued {
        let iat = unix_now();
        let never_expires = ttl.is_zero();
        if claims.iss.is_empty() {
            ISSUER.clone_into(&mut claims.iss);
        }
        claims.iat = iat;
        claims.exp = (!never_expires).then(|| iat + ttl.as_secs().max(1));
        kind.claim().clone_into(&mut claims.token_type);
        claims.jti = uuid::Uuid::new_v4().to_string();
        let header = match kind {
            TokenKind::IdToken => serde_json::json!({"alg": "RS256", "kid": signing::kid(), "typ": "JWT"}).to_string(),
            _ => r#"{"alg":"HS256","typ":"JWT"}"#.to_owned(),
        };
        let header = URL_SAFE_NO_PAD.encode(header);
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap_or_default());
        let signing_input = format!("{header}.{payload}");
        let signature = match (kind, self.mac()) {
            (TokenKind::IdToken, _) => signing::sign(signing_input.as_bytes()).unwrap_or_default(),
            (_, Some(mut mac)) => {
                mac.update(signing_input.as_bytes());
                URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
            }
            (_, None) => String::new(),
        };
        Issued {
            token: format!("{signing_input}.{signature}"),
            record: TokenRecord {
                username: claims.username,
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
        let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| TokenError::BadSignature)?;
        let alg: Option<String> = URL_SAFE_NO_PAD
            .decode(header)
            .ok()
            .and_then(|h| serde_json::from_slice::<serde_json::Value>(&h).ok())
            .and_then(|h| h["alg"].as_str().map(str::to_owned));
        // HS256 with the secret, RS256 with the id_token key: both are accepted (`keyFunc`).
        match alg.as_deref() {
            Some("RS256") => {
                if !signing::verify(format!("{header}.{payload}").as_bytes(), &signature) {
                    return Err(TokenError::BadSignature);
                }
            }
            _ => {
                let mut mac = self.mac().ok_or(TokenError::BadSignature)?;
                mac.update(header.as_bytes());
                mac.update(b".");
                mac.update(payload.as_bytes());
                mac.verify_slice(&signature).map_err(|_| TokenError::BadSignature)?;
            }
        }
        let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| TokenError::Malformed)?;
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
        self.active.iter().filter(|(_, r)| r.expired_by().is_none()).map(|(t, _)| t.clone()).collect()
    }

    /// The cached record of a valid token.
    pub fn check(&self, token: &str, claims: &Claims) -> Result<TokenRecord, TokenError> {
        match self.active.get(token) {
            Some(record) => match record.expired_by() {
                Some(by) => Err(TokenError::Expired(by)),
                None => Ok(record.clone()),
            },
            None => match claims.exp {
                Some(exp) if unix_now() >= exp => Err(TokenError::Expired(Duration::from_secs(unix_now() - exp))),
                _ => Err(TokenError::NotCached),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn tokens_carry_claims_and_fail_with_a_foreign_signature() {
        let issuer = TokenIssuer::random();
        let issued = issuer.issue("alice", TokenKind::Refresh, Duration::from_secs(60), None);
        let claims = issuer.decode(&issued.token).unwrap();
        assert_eq!(claims.username, "alice");
        assert_eq!(claims.token_type, "refresh_token");
        assert!(claims.exp.unwrap() >= claims.iat + 60);
        let other = TokenIssuer::random();
        assert_eq!(other.decode(&issued.token).unwrap_err(), TokenError::BadSignature);
        assert_eq!(issuer.decode("a.b").unwrap_err(), TokenError::Malformed);
    }
}
