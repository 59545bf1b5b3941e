//! Names of KubeSphere objects: users, workspaces, projects, clusters. They become URL path
//! segments and label values, so they follow Kubernetes' DNS-1123 rules.

use super::{trimmed_within, ClusterName, NameError, ProjectName, UserName, WorkspaceName};

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

/// The longest name of an object whose name becomes a label value.
const LABEL_NAME_MAX: usize = 63;

/// The rule every existing object name of this kind satisfies.
fn parse_existing(raw: &str, what: &'static str, allow_dots: bool) -> Result<String, NameError> {
    let s = trimmed_within(raw, what, LABEL_NAME_MAX, str::len)?;
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
    pub const MAX: usize = LABEL_NAME_MAX;

    /// A cluster name as KubeSphere reports it: a DNS-1123 subdomain of at most 63 characters.
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        // An empty field asks for "a cluster", not "a cluster name".
        if raw.trim().is_empty() {
            return Err(NameError::Empty("cluster"));
        }
        parse_existing(raw, "cluster name", true).map(Self)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

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
    fn cluster_names_are_subdomains_and_an_empty_one_asks_for_a_cluster() {
        assert_eq!(ClusterName::parse(" host.a ").map(String::from), Ok("host.a".to_owned()));
        assert_eq!(ClusterName::parse(" "), Err(NameError::Empty("cluster")));
        assert_eq!(ClusterName::parse(&"c".repeat(64)), Err(NameError::TooLong { what: "cluster name", max: 63 }));
        assert_eq!(ClusterName::parse("a_b"), Err(NameError::Characters { extra: " or dots" }));
    }

    #[test]
    fn names_deserialise_only_when_valid() {
        assert!(serde_json::from_str::<UserName>("\"alice\"").is_ok());
        assert!(serde_json::from_str::<UserName>("\"../etc\"").is_err());
    }
}
