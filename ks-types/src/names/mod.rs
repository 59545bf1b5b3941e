//! Names that end up in KubeSphere object names and URL paths, and the other values a person
//! types about an account: each kind parsed by the rules KubeSphere applies to it.

mod identity_link;
mod objects;
mod person;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use identity_link::{IdentityLink, LinkPart};

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

/// `raw` trimmed, refused when nothing is left or when it is longer than `max` as `len` counts
/// (bytes or characters, as the kind's own limit does).
fn trimmed_within<'a>(
    raw: &'a str,
    what: &'static str,
    max: usize,
    len: fn(&str) -> usize,
) -> Result<&'a str, NameError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(NameError::Empty(what));
    }
    if len(s) > max {
        return Err(NameError::TooLong { what, max });
    }
    Ok(s)
}

/// Characters, as a person counts them (limits KubeSphere states in characters).
fn chars(s: &str) -> usize {
    s.chars().count()
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
