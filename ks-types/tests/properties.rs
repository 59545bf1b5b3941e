//! The name and password parsers against KubeSphere's own patterns, as regular expressions
//! (Go's RE2 and Rust's `regex` agree on these: `.` does not match a line feed).
#![allow(clippy::unwrap_used)]

use ks_types::{Password, ProjectName, UserName, WorkspaceName};
use proptest::prelude::*;
use regex::Regex;

/// Kubernetes' DNS-1123 subdomain and label (apimachinery `validation.go`).
const DNS1123_SUBDOMAIN: &str = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
const DNS1123_LABEL: &str = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
/// The User CRD's `spec.password` pattern, verbatim (KubeSphere's
/// `config/ks-core/charts/ks-crds/crds/iam.kubesphere.io_users.yaml`; minLength 8, maxLength 64).
const CRD_PASSWORD: &str = r"^(.*[a-z].*[A-Z].*[0-9].*)$|^(.*[a-z].*[0-9].*[A-Z].*)$|^(.*[A-Z].*[a-z].*[0-9].*)$|^(.*[A-Z].*[0-9].*[a-z].*)$|^(.*[0-9].*[a-z].*[A-Z].*)$|^(.*[0-9].*[A-Z].*[a-z].*)$|^(\$2[ayb]\$.{56})$";
const BCRYPT: &str = r"^(\$2[ayb]\$.{56})$";

/// Strings near the boundary: mostly name characters, some of everything else.
fn name_like() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z0-9.-]{0,70}",
        1 => "[a-zA-Z0-9.\\-_ /%\u{e9}\u{0}]{0,70}",
        1 => any::<String>(),
    ]
}

fn password_like() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zA-Z0-9@#\n\t ]{0,70}",
        1 => "\\$2[abyx]\\$[a-zA-Z0-9./]{50,60}",
        1 => "[a-z\u{e9}\u{4e2d}A-Z0-9]{0,70}",
        1 => any::<String>(),
    ]
}

proptest! {
    #[test]
    fn existing_user_and_workspace_names_are_dns_1123_subdomains_of_at_most_63(raw in name_like()) {
        let oracle = Regex::new(DNS1123_SUBDOMAIN).unwrap();
        let s = raw.trim();
        let expected = oracle.is_match(s) && s.len() <= 63;
        prop_assert_eq!(UserName::parse(&raw).is_ok(), expected, "{:?}", raw);
        prop_assert_eq!(WorkspaceName::parse(&raw).is_ok(), expected, "{:?}", raw);
        if let Ok(name) = UserName::parse(&raw) {
            prop_assert_eq!(name.as_str(), s);
        }
    }

    #[test]
    fn new_names_add_only_the_creation_rules(raw in name_like()) {
        let s = raw.trim();
        let subdomain = Regex::new(DNS1123_SUBDOMAIN).unwrap().is_match(s);
        let label = Regex::new(DNS1123_LABEL).unwrap().is_match(s);
        prop_assert_eq!(UserName::parse_new(&raw).is_ok(), subdomain && s.len() <= 32, "{:?}", raw);
        let reserved = ["workspaces", "clusters", "cluster"].contains(&s);
        prop_assert_eq!(WorkspaceName::parse_new(&raw).is_ok(), label && s.len() <= 63 && !reserved, "{:?}", raw);
        prop_assert_eq!(ProjectName::parse(&raw).is_ok(), label && s.len() <= 63, "{:?}", raw);
        let starts_with_letter = s.starts_with(|c: char| c.is_ascii_lowercase());
        prop_assert_eq!(ProjectName::parse_new(&raw).is_ok(), label && s.len() <= 63 && starts_with_letter, "{:?}", raw);
    }

    /// Accepted exactly when KubeSphere would store it as a password it can check: the CRD's
    /// length and pattern, minus the alternative that KubeSphere takes for a hash.
    #[test]
    fn passwords_are_what_the_user_crd_accepts_as_a_password(raw in password_like()) {
        let len = raw.chars().count();
        let crd = Regex::new(CRD_PASSWORD).unwrap().is_match(&raw) && (8..=64).contains(&len);
        let hash = Regex::new(BCRYPT).unwrap().is_match(&raw);
        prop_assert_eq!(Password::parse(&raw).is_ok(), crd && !hash, "{:?}", raw);
    }
}
