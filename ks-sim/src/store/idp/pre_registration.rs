//! Reading the simulator's (or KubeSphere's) tokens without checking their signature, as a
//! console does for display: [`token_claims`] and the pre-registration identity.

use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::Value;

use super::PRE_REGISTRATION_USER;

/// The JWT claims of a token issued by the simulator (or by KubeSphere), decoded without
/// checking the signature, as a console does for display.
pub fn token_claims(token: &str) -> Option<Value> {
    let payload = token.split('.').nth(1)?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}

/// What a pre-registration token says about the directory identity (§12.3): claims
/// `username`/`sub` `system:pre-registration` and `extra` `{idp, uid, username, email}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreRegistration {
    pub idp: String,
    pub uid: String,
    /// The directory username (the suggested KubeSphere name before lower-casing).
    pub username: String,
    /// Empty when the directory has none.
    pub email: String,
}

impl PreRegistration {
    /// Decodes an access or refresh token; `None` unless it is a pre-registration token.
    pub fn from_token(token: &str) -> Option<Self> {
        let claims = token_claims(token)?;
        if claims["username"] != PRE_REGISTRATION_USER {
            return None;
        }
        let extra: BTreeMap<String, Vec<String>> = serde_json::from_value(claims["extra"].clone()).ok()?;
        let first = |key: &str| extra.get(key).and_then(|v| v.first()).cloned().unwrap_or_default();
        Some(PreRegistration {
            idp: first("idp"),
            uid: first("uid"),
            username: first("username"),
            email: first("email"),
        })
    }
}
