//! The data a simulator starts with. [`Seed::demo`] is built in; [`Seed::from_json`] reads the
//! same shape from a file so scenarios can be kept as data.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::state::UserState;

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "P@88w0rd";

/// Users, global roles and clusters to start with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Seed {
    pub users: Vec<SeedUser>,
    #[serde(default)]
    pub global_roles: Vec<SeedGlobalRole>,
    /// Cluster names reachable under `/clusters/{c}`; the first is the host cluster.
    #[serde(default = "default_clusters")]
    pub clusters: Vec<String>,
}

/// One `User` (iam.kubesphere.io/v1beta1) and its global role binding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedUser {
    pub name: String,
    #[serde(default)]
    pub email: String,
    /// Plaintext; `None` = the account cannot log in with a password.
    #[serde(default)]
    pub password: Option<String>,
    /// Bound GlobalRole (`iam.kubesphere.io/globalrole`).
    #[serde(default)]
    pub global_role: Option<String>,
    /// `kubesphere.io/creator`.
    #[serde(default)]
    pub creator: Option<String>,
    /// `kubesphere.io/alias-name`.
    #[serde(default)]
    pub alias: Option<String>,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "default_lang")]
    pub lang: String,
    /// `None` = status `{}` (the user controller has not run yet).
    #[serde(default = "default_state")]
    pub state: Option<UserState>,
    /// `iam.kubesphere.io/uninitialized: "true"` (must change password at first login).
    #[serde(default)]
    pub uninitialized: bool,
    /// RFC 3339 creation timestamp.
    pub created: String,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

/// One `GlobalRole`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedGlobalRole {
    pub name: String,
    #[serde(default)]
    pub creator: Option<String>,
    #[serde(default)]
    pub alias: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// `aggregationRoleTemplates.templateNames`; `*` grants everything.
    #[serde(default)]
    pub templates: Vec<String>,
    pub created: String,
}

/// Why a seed could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("seed is not valid JSON for the seed shape: {0}")]
    Json(#[from] serde_json::Error),
    #[error("seed file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("seed: {what} has an invalid RFC 3339 timestamp {value:?}")]
    Timestamp { what: String, value: String },
    #[error("seed: user {user} is bound to unknown global role {role}")]
    UnknownRole { user: String, role: String },
    #[error("seed: no cluster")]
    NoCluster,
}

fn default_clusters() -> Vec<String> {
    vec!["host".to_owned()]
}

fn default_lang() -> String {
    "en".to_owned()
}

fn default_state() -> Option<UserState> {
    Some(UserState::Active)
}

pub(crate) fn parse_time(value: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(value, &Rfc3339).ok()
}

impl Seed {
    /// The demo data set: six users (password [`DEMO_PASSWORD`]) and four global roles.
    pub fn demo() -> Self {
        let user = |name: &str, email: &str, role: &str, day: u8| SeedUser {
            name: name.to_owned(),
            email: email.to_owned(),
            password: Some(DEMO_PASSWORD.to_owned()),
            global_role: Some(role.to_owned()),
            creator: Some("admin".to_owned()),
            alias: None,
            display_name: String::new(),
            description: String::new(),
            lang: default_lang(),
            state: Some(UserState::Active),
            uninitialized: false,
            created: format!("2025-01-{day:02}T00:00:00Z"),
            labels: BTreeMap::new(),
        };
        let users = vec![
            SeedUser {
                creator: Some("system".to_owned()),
                display_name: "Administrator".to_owned(),
                ..user("admin", "admin@kubesphere.io", "platform-admin", 1)
            },
            SeedUser {
                alias: Some("Alice Liddell".to_owned()),
                ..user("alice", "alice@example.com", "platform-self-provisioner", 2)
            },
            SeedUser {
                alias: Some("Bob Builder".to_owned()),
                ..user("bob", "bob@example.com", "platform-regular", 3)
            },
            user("carol", "carol@example.com", "platform-regular", 4),
            SeedUser {
                state: Some(UserState::AuthLimitExceeded),
                ..user("dave", "dave@example.com", "platform-regular", 5)
            },
            SeedUser {
                state: Some(UserState::Disabled),
                ..user("erin", "erin@example.com", "platform-regular", 6)
            },
        ];
        let role = |name: &str, description: &str, templates: &[&str]| SeedGlobalRole {
            name: name.to_owned(),
            creator: Some("admin".to_owned()),
            alias: None,
            description: Some(description.to_owned()),
            templates: templates.iter().map(|t| (*t).to_owned()).collect(),
            created: "2025-01-01T00:00:00Z".to_owned(),
        };
        let global_roles = vec![
            role(
                "platform-admin",
                "Manage all resources on the platform.",
                &["*"],
            ),
            role("platform-regular", "Access the platform.", &[]),
            role(
                "platform-self-provisioner",
                "Create workspaces and become the admin of the created workspaces.",
                &["global-create-workspaces"],
            ),
            SeedGlobalRole {
                alias: Some("Platform Auditor".to_owned()),
                created: "2025-01-07T00:00:00Z".to_owned(),
                ..role(
                    "platform-auditor",
                    "View users and workspaces.",
                    &["global-view-users", "global-view-workspaces"],
                )
            },
        ];
        Seed {
            users,
            global_roles,
            clusters: default_clusters(),
        }
    }

    /// Reads a seed from JSON (the camelCase shape of [`Seed`]) and checks it.
    pub fn from_json(text: &str) -> Result<Self, SeedError> {
        let seed: Seed = serde_json::from_str(text)?;
        seed.check()?;
        Ok(seed)
    }

    /// `demo`, or a path to a JSON seed file.
    pub fn load(name_or_path: &str) -> Result<Self, SeedError> {
        if name_or_path == "demo" {
            return Ok(Self::demo());
        }
        let text = std::fs::read_to_string(name_or_path).map_err(|source| SeedError::Io {
            path: name_or_path.to_owned(),
            source,
        })?;
        Self::from_json(&text)
    }

    /// Checks timestamps and role references.
    pub fn check(&self) -> Result<(), SeedError> {
        if self.clusters.is_empty() {
            return Err(SeedError::NoCluster);
        }
        for u in &self.users {
            if parse_time(&u.created).is_none() {
                return Err(SeedError::Timestamp {
                    what: format!("user {}", u.name),
                    value: u.created.clone(),
                });
            }
            if let Some(role) = &u.global_role {
                if !self.global_roles.iter().any(|r| &r.name == role) {
                    return Err(SeedError::UnknownRole {
                        user: u.name.clone(),
                        role: role.clone(),
                    });
                }
            }
        }
        for r in &self.global_roles {
            if parse_time(&r.created).is_none() {
                return Err(SeedError::Timestamp {
                    what: format!("global role {}", r.name),
                    value: r.created.clone(),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn demo_seed_is_consistent_and_round_trips_through_json() {
        let demo = Seed::demo();
        demo.check().unwrap();
        let text = serde_json::to_string(&demo).unwrap();
        assert_eq!(Seed::from_json(&text).unwrap(), demo);
    }
}
