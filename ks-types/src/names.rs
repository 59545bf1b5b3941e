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
}

fn is_dns_label(s: &str, allow_dots: bool) -> bool {
    let bytes = s.as_bytes();
    let edge_ok = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    !bytes.is_empty()
        && bytes.first().is_some_and(edge_ok)
        && bytes.last().is_some_and(edge_ok)
        && bytes.iter().all(|b| edge_ok(b) || *b == b'-' || (allow_dots && *b == b'.'))
        && !(allow_dots && s.contains(".."))
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
    /// A KubeSphere username: a DNS-1123 subdomain (lowercase letters, digits, `-`, `.`), at
    /// most 32 characters as in KubeSphere's console (it also becomes a label value).
    UserName
);
name_type!(
    /// A workspace name: a DNS-1123 label of at most 63 characters, not a reserved word.
    WorkspaceName
);
name_type!(
    /// A project (namespace) name: a DNS-1123 label of at most 63 characters, starting with a letter.
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

impl UserName {
    pub const MAX: usize = 32;
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(NameError::Empty("username"));
        }
        if s.len() > Self::MAX {
            return Err(NameError::TooLong { what: "username", max: Self::MAX });
        }
        if !is_dns_label(s, true) {
            return Err(NameError::Characters { extra: " or dots" });
        }
        Ok(Self(s.to_owned()))
    }
}

impl WorkspaceName {
    pub const MAX: usize = 63;
    const RESERVED: [&'static str; 3] = ["workspaces", "clusters", "cluster"];
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(NameError::Empty("workspace name"));
        }
        if s.len() > Self::MAX {
            return Err(NameError::TooLong { what: "workspace name", max: Self::MAX });
        }
        if !is_dns_label(s, false) {
            return Err(NameError::Characters { extra: "" });
        }
        if Self::RESERVED.contains(&s) {
            return Err(NameError::Reserved(s.to_owned()));
        }
        Ok(Self(s.to_owned()))
    }
}

impl ProjectName {
    pub const MAX: usize = 63;
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(NameError::Empty("project name"));
        }
        if s.len() > Self::MAX {
            return Err(NameError::TooLong { what: "project name", max: Self::MAX });
        }
        if !is_dns_label(s, false) {
            return Err(NameError::Characters { extra: "" });
        }
        if !s.as_bytes()[0].is_ascii_lowercase() {
            return Err(NameError::MustStartWithLetter);
        }
        Ok(Self(s.to_owned()))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_follow_kubesphere_rules() {
        for ok in ["alice", "a", "bob-2", "dev.team", "0x"] {
            assert!(UserName::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "Alice", "-a", "a-", "a_b", "../admin", "a/b", "a..b", "a b", &"x".repeat(33)] {
            assert!(UserName::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn workspace_names_refuse_reserved_words_and_dots() {
        assert!(WorkspaceName::parse("team-a").is_ok());
        assert_eq!(WorkspaceName::parse("clusters"), Err(NameError::Reserved("clusters".into())));
        assert!(WorkspaceName::parse("a.b").is_err());
        assert!(WorkspaceName::parse(&"w".repeat(64)).is_err());
        assert!(WorkspaceName::parse(&"w".repeat(63)).is_ok());
    }

    #[test]
    fn project_names_start_with_a_letter() {
        assert!(ProjectName::parse("web-1").is_ok());
        assert_eq!(ProjectName::parse("1web"), Err(NameError::MustStartWithLetter));
        assert!(ProjectName::parse("Web").is_err());
        assert!(ProjectName::parse("..").is_err());
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
