//! Token types. They never implement `Serialize` and their `Debug` is redacted, so a token can't
//! reach a browser or a log line by accident.

use std::fmt;
use std::time::Duration;

use base64::Engine as _;

/// A KubeSphere access token (a JWT), sent as `Authorization: Bearer`.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

/// A KubeSphere refresh token, only ever sent back to `/oauth/token`.
#[derive(Clone, PartialEq, Eq)]
pub struct RefreshToken(String);

macro_rules! secret_string {
    ($ty:ident) => {
        impl $ty {
            pub fn new(raw: impl Into<String>) -> Self {
                Self(raw.into())
            }
            /// The raw token, for the one place that must send it upstream.
            pub fn expose(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($ty), "(***)"))
            }
        }
    };
}
secret_string!(AccessToken);
secret_string!(RefreshToken);

/// What `/oauth/token` answers on success.
/// The user a pre-registration token belongs to (`shared/kubesphere-api.md` §12.3).
pub const PRE_REGISTRATION_USER: &str = "system:pre-registration";

/// What a pre-registration token's claims say of the person: the directory (`idp`), their id
/// there, the name and e-mail it suggests (either may be empty). Not secret; shown to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreRegistration {
    pub provider: String,
    pub uid: String,
    pub username: String,
    pub email: String,
}

#[derive(Clone, Debug)]
pub struct TokenSet {
    pub access: AccessToken,
    pub refresh: RefreshToken,
    /// Lifetime of the access token as announced by KubeSphere (`expires_in`, else the JWT's
    /// `exp`); `None` = it does not expire by time.
    pub expires_in: Option<Duration>,
}

impl AccessToken {
    /// The JWT's claims, read without verifying them: KubeSphere signed them and the console
    /// only needs to know whose token it is and how long it lasts.
    fn claims(&self) -> Option<serde_json::Value> {
        let payload = self.0.split('.').nth(1)?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// The `username` claim (a login may use an e-mail address).
    pub fn username_claim(&self) -> Option<String> {
        self.claims()?.get("username").and_then(|v| v.as_str()).filter(|s| !s.is_empty()).map(str::to_owned)
    }

    /// For KubeSphere's pre-registration token (a directory person's first sign-in under
    /// `mappingMethod: manual`, §12.3): who the directory says they are. `None` for any other token.
    pub fn pre_registration(&self) -> Option<PreRegistration> {
        let claims = self.claims()?;
        if claims.get("username").and_then(|v| v.as_str()) != Some(PRE_REGISTRATION_USER) {
            return None;
        }
        let extra = claims.get("extra")?;
        let one = |key: &str| -> String {
            extra
                .get(key)
                .and_then(|v| v.as_array())
                .and_then(|a| a.first())
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_owned()
        };
        Some(PreRegistration { provider: one("idp"), uid: one("uid"), username: one("username"), email: one("email") })
    }

    /// Time left until the `exp` claim; `None` without one (zero once it has passed).
    pub fn lifetime_left(&self) -> Option<Duration> {
        let exp = self.claims()?.get("exp")?.as_u64()?;
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
        Some(Duration::from_secs(exp.saturating_sub(now)))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn debug_output_never_shows_the_token() {
        let t = AccessToken::new("secret-value");
        assert_eq!(format!("{t:?}"), "AccessToken(***)");
        let r = RefreshToken::new("secret-value");
        assert!(!format!("{r:?}").contains("secret"));
    }

    #[test]
    fn username_claim_is_read_from_the_jwt_payload() {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"username":"alice","token_type":"access_token"}"#);
        let t = AccessToken::new(format!("eyJhbGciOiJIUzI1NiJ9.{payload}.sig"));
        assert_eq!(t.username_claim().as_deref(), Some("alice"));
        assert_eq!(AccessToken::new("not-a-jwt").username_claim(), None);
    }

    #[test]
    fn lifetime_comes_from_the_exp_claim_when_there_is_one() {
        let jwt = |claims: &str| {
            AccessToken::new(format!("h.{}.s", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims)))
        };
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        let left = jwt(&format!(r#"{{"username":"a","exp":{}}}"#, now + 600)).lifetime_left().unwrap();
        assert!(left <= Duration::from_secs(600) && left >= Duration::from_secs(590));
        assert_eq!(jwt(r#"{"username":"a","exp":1}"#).lifetime_left(), Some(Duration::ZERO));
        assert_eq!(jwt(r#"{"username":"a"}"#).lifetime_left(), None, "no exp: does not expire by time");
    }
}
