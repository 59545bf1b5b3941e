//! The simulator's in-memory world: users, global roles and their bindings, plus the shared
//! state (tokens, journal, faults) behind one `Arc`.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::auth::{TokenIssuer, TokenStore};
use crate::config::SimConfig;
use crate::faults::Faults;
use crate::journal::Journal;
use crate::seed::{parse_time, Seed};

pub(crate) const ANNOTATION_GLOBALROLE: &str = "iam.kubesphere.io/globalrole";
pub(crate) const ANNOTATION_CREATOR: &str = "kubesphere.io/creator";
pub(crate) const ANNOTATION_ALIAS: &str = "kubesphere.io/alias-name";
pub(crate) const ANNOTATION_DESCRIPTION: &str = "kubesphere.io/description";
pub(crate) const ANNOTATION_UNINITIALIZED: &str = "iam.kubesphere.io/uninitialized";
pub(crate) const ANNOTATION_PASSWORD_CHANGED: &str = "iam.kubesphere.io/last-password-change-time";

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

/// Locks a mutex, recovering the data if a panicking thread poisoned it (the simulator's state
/// stays usable for the test that is still running).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

pub(crate) fn now_utc() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0).unwrap_or(now)
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
}

impl User {
    /// The User object as ks-apiserver returns it (never with the password).
    pub fn to_json(&self, global_role: Option<&str>) -> Value {
        let mut annotations: Map<String, Value> = self
            .annotations
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        annotations.insert(
            ANNOTATION_GLOBALROLE.into(),
            Value::String(global_role.unwrap_or_default().to_owned()),
        );
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
        self.annotations
            .get(ANNOTATION_UNINITIALIZED)
            .is_some_and(|v| v == "true")
    }

    /// Moves to `state` and stamps the transition.
    pub fn transition(&mut self, state: UserState, reason: Option<String>) {
        self.state = Some(state);
        self.reason = reason;
        self.last_transition = Some(now_utc());
        self.last_transition_at = Instant::now();
    }
}

/// A stored GlobalRole.
#[derive(Debug, Clone)]
pub(crate) struct GlobalRole {
    pub name: String,
    pub annotations: BTreeMap<String, String>,
    pub templates: Vec<String>,
    pub created: OffsetDateTime,
}

impl GlobalRole {
    /// The GlobalRole object (Kubernetes shape, as the dynamic resource handler returns it).
    pub fn to_json(&self) -> Value {
        json!({
            "apiVersion": "iam.kubesphere.io/v1beta1",
            "kind": "GlobalRole",
            "metadata": {
                "name": self.name,
                "creationTimestamp": rfc3339(self.created),
                "annotations": self.annotations,
            },
            "aggregationRoleTemplates": {"templateNames": self.templates},
        })
    }

    /// Whether the role aggregates `template` (`*` = everything).
    pub fn grants(&self, template: &str) -> bool {
        self.templates.iter().any(|t| t == "*" || t == template)
    }
}

/// A GlobalRoleBinding (named `{user}-{role}`).
#[derive(Debug, Clone)]
pub(crate) struct GlobalRoleBinding {
    pub user: String,
    pub role: String,
}

/// The resources.
#[derive(Debug, Default)]
pub(crate) struct Db {
    pub users: BTreeMap<String, User>,
    pub global_roles: BTreeMap<String, GlobalRole>,
    pub global_role_bindings: Vec<GlobalRoleBinding>,
    pub clusters: Vec<String>,
    pub next_resource_version: u64,
}

impl Db {
    pub fn from_seed(seed: &Seed) -> Self {
        let mut db = Db {
            clusters: seed.clusters.clone(),
            next_resource_version: 1000,
            ..Db::default()
        };
        let now = now_utc();
        for r in &seed.global_roles {
            let mut annotations = BTreeMap::new();
            if let Some(c) = &r.creator {
                annotations.insert(ANNOTATION_CREATOR.to_owned(), c.clone());
            }
            if let Some(a) = &r.alias {
                annotations.insert(ANNOTATION_ALIAS.to_owned(), a.clone());
            }
            if let Some(d) = &r.description {
                annotations.insert(ANNOTATION_DESCRIPTION.to_owned(), d.clone());
            }
            let role = GlobalRole {
                name: r.name.clone(),
                annotations,
                templates: r.templates.clone(),
                created: parse_time(&r.created).unwrap_or(now),
            };
            db.global_roles.insert(role.name.clone(), role);
        }
        for u in &seed.users {
            let created = parse_time(&u.created).unwrap_or(now);
            let mut annotations = BTreeMap::new();
            if let Some(c) = &u.creator {
                annotations.insert(ANNOTATION_CREATOR.to_owned(), c.clone());
            }
            if let Some(a) = &u.alias {
                annotations.insert(ANNOTATION_ALIAS.to_owned(), a.clone());
            }
            if u.uninitialized {
                annotations.insert(ANNOTATION_UNINITIALIZED.to_owned(), "true".to_owned());
            }
            if u.password.is_some() {
                annotations.insert(ANNOTATION_PASSWORD_CHANGED.to_owned(), rfc3339(created));
            }
            let rv = db.bump();
            let reason = (u.state == Some(UserState::AuthLimitExceeded))
                .then(|| "seeded as locked".to_owned());
            let user = User {
                name: u.name.clone(),
                email: u.email.clone(),
                password: u.password.clone(),
                labels: u.labels.clone(),
                annotations,
                display_name: u.display_name.clone(),
                description: u.description.clone(),
                lang: u.lang.clone(),
                created,
                resource_version: rv,
                state: u.state,
                reason,
                last_transition: u.state.map(|_| created),
                last_transition_at: Instant::now(),
                last_login: None,
                failed_logins: Vec::new(),
            };
            db.users.insert(user.name.clone(), user);
            if let Some(role) = &u.global_role {
                db.global_role_bindings.push(GlobalRoleBinding {
                    user: u.name.clone(),
                    role: role.clone(),
                });
            }
        }
        db
    }

    /// Next `resourceVersion`.
    pub fn bump(&mut self) -> u64 {
        self.next_resource_version += 1;
        self.next_resource_version
    }

    /// The GlobalRole bound to `user`, if any.
    pub fn global_role_of(&self, user: &str) -> Option<&str> {
        self.global_role_bindings
            .iter()
            .find(|b| b.user == user)
            .map(|b| b.role.as_str())
    }

    /// Whether `user`'s global role aggregates `template`.
    pub fn user_has_template(&self, user: &str, template: &str) -> bool {
        self.global_role_bindings
            .iter()
            .filter(|b| b.user == user)
            .filter_map(|b| self.global_roles.get(&b.role))
            .any(|r| r.grants(template))
    }

    pub fn user_json(&self, user: &User) -> Value {
        user.to_json(self.global_role_of(&user.name))
    }

    /// Finds a user by name, or by e-mail when `login` looks like an address (§2.1).
    pub fn find_login(&self, login: &str) -> Option<&User> {
        if login.contains('@') {
            self.users
                .values()
                .find(|u| !u.email.is_empty() && u.email == login)
        } else {
            self.users.get(login)
        }
    }

    /// Unlocks users whose lockout window has passed (what the user controller does).
    pub fn expire_lockouts(&mut self, window: Duration) {
        for user in self.users.values_mut() {
            if user.state == Some(UserState::AuthLimitExceeded)
                && user.last_transition_at.elapsed() >= window
            {
                user.transition(UserState::Active, None);
                user.failed_logins.clear();
            }
        }
    }

    pub fn is_cluster(&self, name: &str) -> bool {
        self.clusters.iter().any(|c| c == name)
    }
}

/// Settings that stay fixed for the simulator's life.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub access_token_ttl: Duration,
    pub refresh_token_extra_ttl: Duration,
    pub multiple_login: bool,
    pub lockout_max_tries: u32,
    pub lockout_window: Duration,
    pub client_id: String,
    pub client_secret: String,
}

/// Everything behind the simulator's `Arc`.
pub(crate) struct State {
    pub settings: Settings,
    pub issuer: TokenIssuer,
    pub db: Mutex<Db>,
    pub tokens: Mutex<TokenStore>,
    pub journal: Mutex<Journal>,
    pub faults: Mutex<Faults>,
}

impl State {
    pub fn new(config: SimConfig) -> Self {
        let settings = Settings {
            access_token_ttl: config.access_token_ttl,
            refresh_token_extra_ttl: config.refresh_token_extra_ttl,
            multiple_login: config.multiple_login,
            lockout_max_tries: config.lockout_max_tries,
            lockout_window: config.lockout_window,
            client_id: config.client_id,
            client_secret: config.client_secret,
        };
        State {
            settings,
            issuer: TokenIssuer::random(),
            db: Mutex::new(Db::from_seed(&config.seed)),
            tokens: Mutex::new(TokenStore::default()),
            journal: Mutex::new(Journal::default()),
            faults: Mutex::new(Faults::default()),
        }
    }

    /// The resources, with lockouts whose window has passed already lifted.
    pub fn db(&self) -> MutexGuard<'_, Db> {
        let mut db = lock(&self.db);
        db.expire_lockouts(self.settings.lockout_window);
        db
    }
}
