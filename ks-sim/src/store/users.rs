//! Users as stored: the `User` object, its `status.state` and its `LoginRecord`s.

use std::collections::BTreeMap;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use super::labels::{ANNOTATION_GLOBALROLE, ANNOTATION_UNINITIALIZED};
use super::util::{now_utc, rfc3339};

/// `status.state` of a User.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserState {
    Active,
    Disabled,
    /// Locked after too many failed logins (§2.6); unlocks by itself.
    AuthLimitExceeded,
}

impl UserState {
    pub fn as_str(self) -> &'static str {
        match self {
            UserState::Active => "Active",
            UserState::Disabled => "Disabled",
            UserState::AuthLimitExceeded => "AuthLimitExceeded",
        }
    }
}

/// A stored User. The password is kept in plaintext: this is a simulator.
#[derive(Debug, Clone)]
pub(crate) struct User {
    pub name: String,
    pub email: String,
    pub password: Option<String>,
    pub labels: BTreeMap<String, String>,
    /// Annotations as stored; the global-role annotation is added on output from the bindings.
    pub annotations: BTreeMap<String, String>,
    pub display_name: String,
    pub description: String,
    pub lang: String,
    pub created: OffsetDateTime,
    pub resource_version: u64,
    pub state: Option<UserState>,
    pub reason: Option<String>,
    pub last_transition: Option<OffsetDateTime>,
    /// Monotonic twin of `last_transition`, for the lockout windows.
    pub last_transition_at: Instant,
    pub last_login: Option<OffsetDateTime>,
    /// Failed password checks (for the lockout).
    pub failed_logins: Vec<Instant>,
    /// `LoginRecord`s of this user's password checks, oldest first.
    pub login_records: Vec<LoginRecord>,
}

/// One `LoginRecord` (`iam.kubesphere.io/v1beta1`): a password check of an existing user.
#[derive(Debug, Clone)]
pub(crate) struct LoginRecord {
    pub name: String,
    pub created: OffsetDateTime,
    pub success: bool,
    pub reason: &'static str,
    pub source_ip: String,
    /// `spec.type`.
    pub login_type: &'static str,
    /// `spec.provider`: the identity provider of a directory sign-in, else empty.
    pub provider: String,
}

impl User {
    /// A user with only a name: no password, no e-mail, no annotations, status `{}`. New users
    /// are built on it, so a field added to `User` needs a default in one place only.
    pub fn named(name: &str, created: OffsetDateTime, resource_version: u64) -> Self {
        User {
            name: name.to_owned(),
            email: String::new(),
            password: None,
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
            display_name: String::new(),
            description: String::new(),
            lang: String::new(),
            created,
            resource_version,
            state: None,
            reason: None,
            last_transition: None,
            last_transition_at: Instant::now(),
            last_login: None,
            failed_logins: Vec::new(),
            login_records: Vec::new(),
        }
    }

    /// The User object as ks-apiserver returns it (never with the password).
    pub fn to_json(&self, global_role: Option<&str>) -> Value {
        let mut annotations: Map<String, Value> =
            self.annotations.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
        annotations.insert(ANNOTATION_GLOBALROLE.into(), Value::String(global_role.unwrap_or_default().to_owned()));
        let mut metadata = json!({
            "name": self.name,
            "creationTimestamp": rfc3339(self.created),
            "resourceVersion": self.resource_version.to_string(),
            "finalizers": ["finalizers.kubesphere.io/users"],
            "annotations": annotations,
        });
        if !self.labels.is_empty() {
            if let Some(obj) = metadata.as_object_mut() {
                obj.insert("labels".into(), json!(self.labels));
            }
        }
        let mut status = Map::new();
        if let Some(state) = self.state {
            status.insert("state".into(), json!(state.as_str()));
            if let Some(reason) = &self.reason {
                status.insert("reason".into(), json!(reason));
            }
            if let Some(t) = self.last_transition {
                status.insert("lastTransitionTime".into(), json!(rfc3339(t)));
            }
            if let Some(t) = self.last_login {
                status.insert("lastLoginTime".into(), json!(rfc3339(t)));
            }
        }
        json!({
            "apiVersion": "iam.kubesphere.io/v1beta1",
            "kind": "User",
            "metadata": metadata,
            "spec": {
                "email": self.email,
                "lang": self.lang,
                "description": self.description,
                "displayName": self.display_name,
            },
            "status": status,
        })
    }

    pub fn is_uninitialized(&self) -> bool {
        self.annotations.get(ANNOTATION_UNINITIALIZED).is_some_and(|v| v == "true")
    }

    /// Moves to `state` and stamps the transition.
    pub fn transition(&mut self, state: UserState, reason: Option<String>) {
        self.state = Some(state);
        self.reason = reason;
        self.last_transition = Some(now_utc());
        self.last_transition_at = Instant::now();
    }
}
