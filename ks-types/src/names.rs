//! Names that end up in KubeSphere object names and URL paths.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a name was refused, as a sentence for the person typing it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("Enter a {0}.")]
    Empty(&'static str),
    #[error("A {what} can be at most {max} characters long.")]
    TooLong { what: &'static str, max: usize },
    #[error("Use only lowercase letters, digits and hyphens{extra}, starting and ending with a letter or digit.")]
    Characters { extra: &'static str },
    #[error("A project name must start with a lowercase letter.")]
    MustStartWithLetter,
    #[error("\"{0}\" is reserved by KubeSphere. Choose another name.")]
    Reserved(String),
    #[error("Enter a valid e-mail address, such as name@example.com.")]
    Email,
    #[error("A {0} cannot contain line breaks, tabs or other control characters.")]
    ControlCharacters(&'static str),
}

/// A DNS-1123 label (`allow_dots` false) or subdomain (dot-separated labels).
fn is_dns_label(s: &str, allow_dots: bool) -> bool {
    let label_ok = |part: &str| {
        let bytes = part.as_bytes();
        let edge_ok = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
        bytes.first().is_some_and(edge_ok)
            && bytes.last().is_some_and(edge_ok)
            && bytes.iter().all(|b| edge_ok(b) || *b == b'-')
    };
    if allow_dots {
        s.split('.').all(label_ok)
    } else {
        label_ok(s)
    }
}

macro_rules! name_type {
    ($(#[$doc:meta])* $ty:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $ty(String);

        impl $ty {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl From<$ty> for String {
            fn from(v: $ty) -> String {
                v.0
            }
        }
        impl TryFrom<String> for $ty {
            type Error = NameError;
            fn try_from(v: String) -> Result<Self, NameError> {
                Self::parse(&v)
            }
        }
        impl std::str::FromStr for $ty {
            type Err = NameError;
            fn from_str(v: &str) -> Result<Self, NameError> {
                Self::parse(v)
            }
        }
    };
}

name_type!(
    /// The name of a KubeSphere user. Existing names are DNS-1123 subdomains of at most 63
    /// characters (they become label values); [`UserName::parse_new`] adds the creation rules.
    UserName
);
name_type!(
    /// A workspace name. Existing ones are DNS-1123 subdomains of at most 63 characters (made by
    /// kubectl or older consoles, e.g. `team.a`); [`WorkspaceName::parse_new`] adds the creation rules.
    WorkspaceName
);
name_type!(
    /// A project (namespace) name: a DNS-1123 label of at most 63 characters;
    /// [`ProjectName::parse_new`] also requires a leading letter, as KubeSphere's console does.
    ProjectName
);
name_type!(
    /// A cluster name as KubeSphere reports it.
    ClusterName
);
name_type!(
    /// An e-mail address (what Go's `net/mail.ParseAddress` accepts for a bare address).
    Email
);
name_type!(
    /// A person's display name (KubeSphere's alias annotation): free text as typed — it may start
    /// with `=` — but bounded and on one line.
    DisplayName
);

/// The longest name of an object whose name becomes a label value.
const LABEL_NAME_MAX: usize = 63;

/// The rule every existing object name of this kind satisfies.
fn parse_existing(raw: &str, what: &'static str, allow_dots: bool) -> Result<String, NameError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(NameError::Empty(what));
    }
    if s.len() > LABEL_NAME_MAX {
        return Err(NameError::TooLong { what, max: LABEL_NAME_MAX });
    }
    if !is_dns_label(s, allow_dots) {
        return Err(NameError::Characters { extra: if allow_dots { " or dots" } else { "" } });
    }
    Ok(s.to_owned())
}

impl UserName {
    /// The longest username the console creates (KubeSphere's console has the same limit).
    pub const MAX_NEW: usize = 32;

    /// An existing username, as KubeSphere accepts it.
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        parse_existing(raw, "username", true).map(Self)
    }

    /// A username for a new account.
    pub fn parse_new(raw: &str) -> Result<Self, NameError> {
        let name = Self::parse(raw)?;
        if name.0.len() > Self::MAX_NEW {
            return Err(NameError::TooLong { what: "username", max: Self::MAX_NEW });
        }
        Ok(name)
    }
}

impl WorkspaceName {
    pub const MAX: usize = LABEL_NAME_MAX;
    const RESERVED: [&'static str; 3] = ["workspaces", "clusters", "cluster"];

    /// An existing workspace name, as KubeSphere accepts it.
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        parse_existing(raw, "workspace name", true).map(Self)
    }

    /// A name for a new workspace: no dots, not a reserved word.
    pub fn parse_new(raw: &str) -> Result<Self, NameError> {
        let name = Self::parse(raw)?;
        if name.0.contains('.') {
            return Err(NameError::Characters { extra: "" });
        }
        if Self::RESERVED.contains(&name.0.as_str()) {
            return Err(NameError::Reserved(name.0));
        }
        Ok(name)
    }
}

impl ProjectName {
    pub const MAX: usize = LABEL_NAME_MAX;

    /// An existing project (namespace) name.
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        parse_existing(raw, "project name", false).map(Self)
    }

    /// A name for a new project: it must also start with a letter.
    pub fn parse_new(raw: &str) -> Result<Self, NameError> {
        let name = Self::parse(raw)?;
        if !name.0.as_bytes().first().is_some_and(u8::is_ascii_lowercase) {
            return Err(NameError::MustStartWithLetter);
        }
        Ok(name)
    }
}

impl ClusterName {
    pub const MAX: usize = 63;
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(NameError::Empty("cluster"));
        }
        if s.len() > Self::MAX {
            return Err(NameError::TooLong { what: "cluster name", max: Self::MAX });
        }
        if !is_dns_label(s, true) {
            return Err(NameError::Characters { extra: " or dots" });
        }
        Ok(Self(s.to_owned()))
    }
}

impl Email {
    pub const MAX: usize = 254;
    /// A bare `local@domain` address: printable ASCII without spaces or angle brackets, one `@`,
    /// a dotted domain. Stricter than RFC 5322 in corner cases, never looser than KubeSphere.
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(NameError::Empty("e-mail address"));
        }
        if s.len() > Self::MAX {
            return Err(NameError::TooLong { what: "e-mail address", max: Self::MAX });
        }
        let Some((local, domain)) = s.split_once('@') else { return Err(NameError::Email) };
        let local_ok = !local.is_empty()
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~.".contains(&b));
        let domain_ok = domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        if local_ok && domain_ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(NameError::Email)
        }
    }
}

impl DisplayName {
    pub const MAX: usize = 128;

    /// Trimmed; at most [`DisplayName::MAX`] characters, none of them a control character.
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(NameError::Empty("display name"));
        }
        if s.chars().count() > Self::MAX {
            return Err(NameError::TooLong { what: "display name", max: Self::MAX });
        }
        if s.chars().any(char::is_control) {
            return Err(NameError::ControlCharacters("display name"));
        }
        Ok(Self(s.to_owned()))
    }
}

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
        let identity = raw.trim();
        if identity.is_empty() {
            return Err(NameError::Empty("login name or subject"));
        }
        if identity.chars().count() > Self::MAX_IDENTITY {
            return Err(NameError::TooLong { what: "login name or subject", max: Self::MAX_IDENTITY });
        }
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

    #[test]
    fn display_names_are_free_text_on_one_line_of_at_most_128_characters() {
        assert_eq!(DisplayName::parse(" =SUM(A1) ").map(String::from), Ok("=SUM(A1)".to_owned()));
        assert!(DisplayName::parse(&"李".repeat(128)).is_ok());
        assert!(matches!(DisplayName::parse(&"a".repeat(129)), Err(NameError::TooLong { .. })));
        assert!(matches!(DisplayName::parse("a\nb"), Err(NameError::ControlCharacters(_))));
        assert!(matches!(DisplayName::parse("a\u{7}"), Err(NameError::ControlCharacters(_))));
    }

    #[test]
    fn usernames_follow_kubesphere_rules() {
        for ok in ["alice", "a", "bob-2", "dev.team", "0x"] {
            assert!(UserName::parse_new(ok).is_ok(), "{ok}");
        }
        for bad in ["", "Alice", "-a", "a-", "a_b", "../admin", "a/b", "a..b", "a b", ".", "..", &"x".repeat(33)] {
            assert!(UserName::parse_new(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn existing_names_are_checked_with_kubernetes_rules_only() {
        let forty = "u".repeat(40);
        assert!(UserName::parse(&forty).is_ok(), "a real cluster may have longer usernames");
        assert!(UserName::parse_new(&forty).is_err());
        assert!(UserName::parse(&"u".repeat(64)).is_err(), "label values stop at 63");
        assert!(WorkspaceName::parse("team.a").is_ok());
        assert!(WorkspaceName::parse_new("team.a").is_err());
        assert!(WorkspaceName::parse("clusters").is_ok(), "reserved only for new workspaces");
        assert!(ProjectName::parse("1web").is_ok());
        assert!(ProjectName::parse("a.b").is_err(), "namespaces are labels");
        for bad in ["..", ".", "a/b", "%2e%2e", "a.-b", "a-.b"] {
            assert!(UserName::parse(bad).is_err() && WorkspaceName::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn workspace_names_refuse_reserved_words_and_dots() {
        assert!(WorkspaceName::parse_new("team-a").is_ok());
        assert_eq!(WorkspaceName::parse_new("clusters"), Err(NameError::Reserved("clusters".into())));
        assert!(WorkspaceName::parse_new("a.b").is_err());
        assert!(WorkspaceName::parse_new(&"w".repeat(64)).is_err());
        assert!(WorkspaceName::parse_new(&"w".repeat(63)).is_ok());
    }

    #[test]
    fn project_names_start_with_a_letter() {
        assert!(ProjectName::parse_new("web-1").is_ok());
        assert_eq!(ProjectName::parse_new("1web"), Err(NameError::MustStartWithLetter));
        assert!(ProjectName::parse_new("Web").is_err());
        assert!(ProjectName::parse_new("..").is_err());
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        for ok in ["a@b.co", "first.last+tag@example.com"] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a", "a@b", "@b.co", "a@@b.co", "a b@c.de", "<a@b.co>", "a@-b.co", ".a@b.co"] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn names_deserialise_only_when_valid() {
        assert!(serde_json::from_str::<UserName>("\"alice\"").is_ok());
        assert!(serde_json::from_str::<UserName>("\"../etc\"").is_err());
    }
}
