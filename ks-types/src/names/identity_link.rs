//! A new user's link to an identity of a directory or single sign-on provider.

use serde::{Deserialize, Serialize};

use super::{chars, trimmed_within, NameError};

/// The two parts of an [`IdentityLink`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPart {
    Provider,
    Identity,
}

/// A new user's link to an identity of a KubeSphere identity provider (`shared/kubesphere-api.md`
/// §12.3, §12.7): the annotation `iam.kubesphere.io/identity-provider.<provider>: <identity>`, by
/// which their first directory or single sign-on sign-in lands in that user.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IdentityLink {
    provider: String,
    identity: String,
}

impl IdentityLink {
    /// The annotation key's name part may be 63 characters, of which `identity-provider.` takes 18.
    pub const MAX_PROVIDER: usize = 45;
    pub const MAX_IDENTITY: usize = 256;

    /// `provider`: an identity provider's name (letters, digits, `.`, `_`, `-`, starting and
    /// ending with a letter or digit). `identity`: the login name as the directory stores it, or
    /// the SSO subject, kept exactly (case matters to KubeSphere), trimmed of outer spaces.
    pub fn parse(provider: &str, identity: &str) -> Result<Self, NameError> {
        Self::parse_parts(provider, identity).map_err(|(_, e)| e)
    }

    /// [`IdentityLink::parse`], saying which of the two parts was refused (a form or a file
    /// points at that field or column).
    pub fn parse_parts(provider: &str, identity: &str) -> Result<Self, (LinkPart, NameError)> {
        let provider = Self::check_provider(provider).map_err(|e| (LinkPart::Provider, e))?;
        let identity = Self::check_identity(identity).map_err(|e| (LinkPart::Identity, e))?;
        Ok(Self { provider: provider.to_owned(), identity: identity.to_owned() })
    }

    /// An identity provider's name, trimmed.
    pub fn check_provider(raw: &str) -> Result<&str, NameError> {
        let provider = raw.trim();
        let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        if provider.is_empty() {
            return Err(NameError::Empty("sign-in method"));
        }
        let provider_ok = provider.len() <= Self::MAX_PROVIDER
            && edge(provider.chars().next())
            && edge(provider.chars().last())
            && provider.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
        if provider_ok {
            Ok(provider)
        } else {
            Err(NameError::Characters { extra: ", dots or underscores" })
        }
    }

    /// A login name or subject, trimmed.
    pub fn check_identity(raw: &str) -> Result<&str, NameError> {
        let identity = trimmed_within(raw, "login name or subject", Self::MAX_IDENTITY, chars)?;
        if identity.chars().any(char::is_control) {
            return Err(NameError::ControlCharacters("login name or subject"));
        }
        Ok(identity)
    }

    pub fn provider(&self) -> &str {
        &self.provider
    }

    pub fn identity(&self) -> &str {
        &self.identity
    }

    /// `iam.kubesphere.io/identity-provider.<provider>`.
    pub fn annotation_key(&self) -> String {
        format!("iam.kubesphere.io/identity-provider.{}", self.provider)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn identity_links_keep_the_identity_exactly_and_refuse_what_kubesphere_cannot_store() {
        let link = IdentityLink::parse(" corp-ldap ", " Mei.Tan ").unwrap();
        assert_eq!((link.provider(), link.identity()), ("corp-ldap", "Mei.Tan"));
        assert_eq!(link.annotation_key(), "iam.kubesphere.io/identity-provider.corp-ldap");
        assert!(IdentityLink::parse("company_sso.v2", "5f0c7a1e-0003").is_ok());
        assert_eq!(IdentityLink::parse("", "x"), Err(NameError::Empty("sign-in method")));
        assert_eq!(IdentityLink::parse("corp", "  "), Err(NameError::Empty("login name or subject")));
        for bad in ["-corp", "corp/x", "corp ldap", &"a".repeat(46)] {
            assert!(IdentityLink::parse(bad, "x").is_err(), "{bad}");
        }
        assert!(IdentityLink::parse("corp", "a\nb").is_err() && IdentityLink::parse("corp", &"x".repeat(257)).is_err());
    }
}
