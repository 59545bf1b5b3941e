//! OAuth clients (§12.5): the `config.kubesphere.io/oauthclient` Secrets ks-apiserver reads, the
//! redirect-URI and scope rules of `pkg/apiserver/authentication/oauth/oauth_client.go`, and the
//! public form `configs/oauth` lists. What `/oauth/authorize` and `/oauth/token` do with them is
//! the `http` layer's.

use serde_json::{json, Map, Value};

/// The scopes of the shipped `kubesphere` client, and of the configured one here.
pub const DEFAULT_SCOPES: [&str; 3] = ["openid", "email", "profile"];

/// `grantMethod`: whether `/oauth/authorize` grants a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GrantMethod {
    /// Grants at once (the webhook's default).
    #[default]
    Auto,
    /// The same as `auto` in 4.1 (no consent screen), except that `prompt=none` answers
    /// `interaction_required`.
    Prompt,
    /// Refuses every authorization request (`invalid_grant`).
    Deny,
}

impl GrantMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            GrantMethod::Auto => "auto",
            GrantMethod::Prompt => "prompt",
            GrantMethod::Deny => "deny",
        }
    }
}

impl std::str::FromStr for GrantMethod {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(GrantMethod::Auto),
            "prompt" => Ok(GrantMethod::Prompt),
            "deny" => Ok(GrantMethod::Deny),
            other => Err(format!("invalid grant method: {other} (auto, prompt or deny)")),
        }
    }
}

/// One registered OAuth client (`oauth.Client`). Per-client token lifetimes and
/// `respondWithChallenges` are not modelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthClient {
    /// The `client_id`.
    pub name: String,
    pub secret: String,
    /// Only trusted clients may use the password grant.
    pub trusted: bool,
    pub grant_method: GrantMethod,
    /// The scopes `/oauth/authorize` accepts; an empty `scope` never passes.
    pub scope_restrictions: Vec<String>,
    /// Where `/oauth/authorize` may send the browser back; none = no authorization-code flow.
    pub redirect_uris: Vec<String>,
}

impl OAuthClient {
    /// A client as the webhook completes a minimal Secret: untrusted, `auto`, no scopes and no
    /// redirect URIs.
    pub fn new(name: &str, secret: &str) -> Self {
        OAuthClient {
            name: name.to_owned(),
            secret: secret.to_owned(),
            trusted: false,
            grant_method: GrantMethod::Auto,
            scope_restrictions: Vec::new(),
            redirect_uris: Vec::new(),
        }
    }

    /// `trusted: true`.
    pub fn trusted(mut self) -> Self {
        self.trusted = true;
        self
    }

    pub fn with_grant_method(mut self, grant_method: GrantMethod) -> Self {
        self.grant_method = grant_method;
        self
    }

    pub fn with_scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scope_restrictions = scopes.into_iter().map(Into::into).collect();
        self
    }

    pub fn with_redirect_uris<S: Into<String>>(mut self, uris: impl IntoIterator<Item = S>) -> Self {
        self.redirect_uris = uris.into_iter().map(Into::into).collect();
        self
    }

    /// `ResolveRedirectURL`: none registered → refused; empty → the first registered one that
    /// parses; otherwise an exact match of a registered string (no prefix, no normalisation).
    pub(crate) fn resolve_redirect_uri(&self, wanted: &str) -> Option<String> {
        let mut valid = self.redirect_uris.iter().filter(|u| go_url_parses(u));
        if wanted.is_empty() {
            return valid.next().cloned();
        }
        valid.find(|u| *u == wanted).cloned()
    }

    /// `IsValidScope`: every space-separated value (an empty `scope` is one empty value) is in
    /// `scopeRestrictions`.
    pub(crate) fn is_valid_scope(&self, scope: &str) -> bool {
        scope.split(' ').all(|s| self.scope_restrictions.iter().any(|r| r == s))
    }

    /// The entry of `configs/oauth` (§12.1): no secret; lists only when set.
    pub fn public_json(&self) -> Value {
        let mut entry = Map::new();
        entry.insert("name".to_owned(), json!(self.name));
        entry.insert("trusted".to_owned(), json!(self.trusted));
        entry.insert("grantMethod".to_owned(), json!(self.grant_method.as_str()));
        if !self.scope_restrictions.is_empty() {
            entry.insert("scopeRestrictions".to_owned(), json!(self.scope_restrictions));
        }
        if !self.redirect_uris.is_empty() {
            entry.insert("redirectURIs".to_owned(), json!(self.redirect_uris));
        }
        Value::Object(entry)
    }
}

/// Whether Go's `url.Parse` accepts `uri`, approximately: no control characters, a scheme
/// before any `:` that precedes the first `/`, and well-formed `%` escapes.
pub(crate) fn go_url_parses(uri: &str) -> bool {
    if uri.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return false;
    }
    let before_path = uri.split(['/', '?', '#']).next().unwrap_or_default();
    if before_path.starts_with(':') {
        return false; // "missing protocol scheme"
    }
    let bytes = uri.split('#').next().unwrap_or_default().as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return false; // "invalid URL escape"
            }
            i += 2;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_match_exactly_and_empty_takes_the_first() {
        let client = OAuthClient::new("c", "s").with_redirect_uris(["http://a/cb", "http://b/cb"]);
        assert_eq!(client.resolve_redirect_uri(""), Some("http://a/cb".to_owned()));
        assert_eq!(client.resolve_redirect_uri("http://b/cb"), Some("http://b/cb".to_owned()));
        assert_eq!(client.resolve_redirect_uri("http://b/cb/"), None);
        assert_eq!(client.resolve_redirect_uri("http://b"), None);
        assert_eq!(OAuthClient::new("c", "s").resolve_redirect_uri(""), None);
        let broken = OAuthClient::new("c", "s").with_redirect_uris(["http://a/%zz", "http://b/cb"]);
        assert_eq!(broken.resolve_redirect_uri(""), Some("http://b/cb".to_owned()));
    }

    #[test]
    fn every_scope_value_must_be_allowed_and_empty_is_one_value() {
        let client = OAuthClient::new("c", "s").with_scopes(DEFAULT_SCOPES);
        assert!(client.is_valid_scope("openid email"));
        assert!(!client.is_valid_scope("openid  email"));
        assert!(!client.is_valid_scope(""));
        assert!(!client.is_valid_scope("openid offline_access"));
    }

    #[test]
    fn the_public_entry_has_no_secret_and_lists_only_what_is_set() {
        let bare = OAuthClient::new("c", "s3cret").public_json();
        assert_eq!(bare, json!({"name": "c", "trusted": false, "grantMethod": "auto"}));
        let full = OAuthClient::new("c", "s3cret")
            .trusted()
            .with_grant_method(GrantMethod::Prompt)
            .with_scopes(["openid"])
            .with_redirect_uris(["http://a/cb"])
            .public_json();
        assert_eq!(
            full,
            json!({"name": "c", "trusted": true, "grantMethod": "prompt", "scopeRestrictions": ["openid"],
                   "redirectURIs": ["http://a/cb"]})
        );
    }
}
