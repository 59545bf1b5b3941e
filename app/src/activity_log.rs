//! What the activity log records of each change made through the console — who, what, to whom,
//! where, the role before and after, the outcome — and the store it goes to (the server's SQL
//! database). A kit module: `upstream` records every write through it; `activity` reads it.

use serde::{Deserialize, Serialize};

/// What was changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    CreateUser,
    CreateWorkspace,
    CreateProject,
    InviteToWorkspace,
    InviteToProject,
    ChangePlatformRole,
    ChangeWorkspaceRole,
    ChangeProjectRole,
    /// Asked for access (an access request; nothing sent to KubeSphere).
    RequestAccess,
    ApproveRequest,
    DeclineRequest,
    WithdrawRequest,
}

impl Action {
    pub const ALL: [Action; 12] = [
        Action::CreateUser,
        Action::CreateWorkspace,
        Action::CreateProject,
        Action::InviteToWorkspace,
        Action::InviteToProject,
        Action::ChangePlatformRole,
        Action::ChangeWorkspaceRole,
        Action::ChangeProjectRole,
        Action::RequestAccess,
        Action::ApproveRequest,
        Action::DeclineRequest,
        Action::WithdrawRequest,
    ];

    /// Whether the change wrote a membership in KubeSphere (what explains someone's role).
    pub fn grants_membership(self) -> bool {
        matches!(
            self,
            Action::InviteToWorkspace
                | Action::InviteToProject
                | Action::ChangeWorkspaceRole
                | Action::ChangeProjectRole
        )
    }

    /// The stable key kept in the database and used in addresses (`?action=`).
    pub fn key(self) -> &'static str {
        match self {
            Action::CreateUser => "create_user",
            Action::CreateWorkspace => "create_workspace",
            Action::CreateProject => "create_project",
            Action::InviteToWorkspace => "invite_to_workspace",
            Action::InviteToProject => "invite_to_project",
            Action::ChangePlatformRole => "change_platform_role",
            Action::ChangeWorkspaceRole => "change_workspace_role",
            Action::ChangeProjectRole => "change_project_role",
            Action::RequestAccess => "request_access",
            Action::ApproveRequest => "approve_request",
            Action::DeclineRequest => "decline_request",
            Action::WithdrawRequest => "withdraw_request",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.key() == key)
    }

    pub fn label_in(self, locale: crate::language::Locale) -> &'static str {
        use crate::i18n::td_string;
        match self {
            Action::CreateUser => td_string!(locale, audit.created_user),
            Action::CreateWorkspace => td_string!(locale, audit.created_workspace),
            Action::CreateProject => td_string!(locale, audit.created_project),
            Action::InviteToWorkspace => td_string!(locale, audit.invited_to_workspace),
            Action::InviteToProject => td_string!(locale, audit.invited_to_project),
            Action::ChangePlatformRole => td_string!(locale, audit.changed_platform_role),
            Action::ChangeWorkspaceRole => td_string!(locale, audit.changed_workspace_role),
            Action::ChangeProjectRole => td_string!(locale, audit.changed_project_role),
            Action::RequestAccess => td_string!(locale, audit.requested_access),
            Action::ApproveRequest => td_string!(locale, audit.approved_request),
            Action::DeclineRequest => td_string!(locale, audit.declined_request),
            Action::WithdrawRequest => td_string!(locale, audit.withdrew_request),
        }
    }
}

/// Through which part of the console a change was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Via {
    Form,
    Wizard,
    Bulk,
    /// An access request: asked, approved, declined or withdrawn.
    Request,
}

impl Via {
    pub fn key(self) -> &'static str {
        match self {
            Via::Form => "form",
            Via::Wizard => "wizard",
            Via::Bulk => "bulk",
            Via::Request => "request",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        [Via::Form, Via::Wizard, Via::Bulk, Via::Request].into_iter().find(|v| v.key() == key)
    }
}

/// One change, as sent to KubeSphere: one target person (an invitation of three people is three
/// changes), where, and the role before and after when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub action: Action,
    pub target_user: Option<String>,
    pub workspace: Option<String>,
    pub cluster: Option<String>,
    pub project: Option<String>,
    pub role_before: Option<String>,
    pub role_after: Option<String>,
}

impl Change {
    pub fn new(action: Action) -> Self {
        Self {
            action,
            target_user: None,
            workspace: None,
            cluster: None,
            project: None,
            role_before: None,
            role_after: None,
        }
    }

    pub fn user(mut self, user: impl ToString) -> Self {
        self.target_user = Some(user.to_string());
        self
    }

    pub fn workspace(mut self, workspace: impl ToString) -> Self {
        self.workspace = Some(workspace.to_string());
        self
    }

    /// The workspace, when known (a project's, as KubeSphere labels it).
    pub fn in_workspace(mut self, workspace: Option<String>) -> Self {
        self.workspace = workspace;
        self
    }

    pub fn project(mut self, cluster: impl ToString, project: impl ToString) -> Self {
        self.cluster = Some(cluster.to_string());
        self.project = Some(project.to_string());
        self
    }

    pub fn roles(mut self, before: Option<String>, after: impl ToString) -> Self {
        self.role_before = before;
        self.role_after = Some(after.to_string());
        self
    }
}

/// Why a change sent to KubeSphere did not go through, with what a page needs to say it in the
/// reader's language (the log and a bulk job keep this, never a sentence).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Failure {
    UserExists {
        user: String,
    },
    EmailTaken,
    /// The role does not exist there (any more).
    RoleMissing,
    /// This KubeSphere cannot bind the role: its name is too long for a label value.
    RoleNameTooLong,
    /// The grant's binding name `{user}-{role}` belongs to another scope; KubeSphere removed the
    /// person's previous role in `place` before it refused.
    BindingCollision {
        user: String,
        role: String,
        binding: String,
        place: String,
    },
    /// KubeSphere was updating the user at the same moment (twice): nothing changed.
    Busy {
        user: String,
    },
    /// Any other answer, as the console's error code ([`crate::error::AppError::code`]).
    Error {
        code: String,
    },
    /// A create form's own explanation (accounts, workspaces, projects: not planned), in the
    /// words and language it was shown in.
    Said {
        text: String,
    },
}

impl Failure {
    /// The failure of an error a form explained.
    pub fn from_error(err: &crate::error::AppError) -> Self {
        use crate::error::AppError as E;
        match err {
            E::Invalid(text) | E::InvalidField { message: text, .. } | E::NotAllowedTo(text) => {
                Failure::Said { text: text.clone() }
            }
            E::StillSettingUp(_) => Failure::Said { text: err.message() },
            other => Failure::Error { code: other.code().to_owned() },
        }
    }

    pub fn text_in(&self, locale: crate::language::Locale) -> String {
        use crate::i18n::td_string;
        match self {
            Failure::UserExists { user } => td_string!(locale, audit.user_exists, user).to_string(),
            Failure::EmailTaken => td_string!(locale, audit.email_taken).to_owned(),
            Failure::RoleMissing => td_string!(locale, audit.role_missing).to_owned(),
            Failure::RoleNameTooLong => td_string!(locale, audit.role_name_too_long).to_owned(),
            Failure::BindingCollision { user, role, binding, place } => {
                td_string!(locale, audit.binding_collision, user, role, binding, place).to_string()
            }
            Failure::Busy { user } => td_string!(locale, roles.user_busy, user).to_string(),
            Failure::Error { code } => match crate::error::AppError::from_code(code) {
                Some(e) => e.message_in(locale),
                None => td_string!(locale, errors.upstream_invalid).to_owned(),
            },
            Failure::Said { text } => text.clone(),
        }
    }
}

/// A change as the log keeps it. Never holds a password: [`Change`] has no place for one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// The signed-in person who made the change.
    pub actor: String,
    pub change: Change,
    pub succeeded: bool,
    /// Why it failed, in English words (for whoever reads the database itself); the entries
    /// stored before failures were typed have only these, in the words the person was shown.
    pub message: Option<String>,
    /// Why it failed, typed: put into words in the reader's language.
    #[serde(default)]
    pub reason: Option<Failure>,
    pub request_id: Option<String>,
    pub via: Via,
}

/// One person to tell about one change (`notices`): kept with the change, in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub recipient: String,
    /// Their e-mail address in KubeSphere ('' when they have none).
    pub email: String,
    /// Their language in KubeSphere (`spec.lang`), when set.
    pub lang: Option<String>,
    /// What one request or job changed: told in one message.
    pub batch: String,
    /// About an access request (an administrator may take these as a daily digest).
    pub about_request: bool,
    pub record: Record,
}

#[cfg(test)]
impl Record {
    /// A change `actor` made that went through, in request `r1` (for tests).
    pub(crate) fn done_by(actor: &str, change: Change) -> Self {
        Record {
            at_ms: 0,
            actor: actor.into(),
            change,
            succeeded: true,
            message: None,
            reason: None,
            request_id: Some("r1".into()),
            via: Via::Form,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub id: i64,
    pub record: Record,
}

/// Which entries a reader is allowed to see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Visibility {
    /// Platform administrators.
    Everything,
    /// Everyone else: what they did themselves and what touched the workspaces they administer.
    Own { actor: String, workspaces: Vec<String> },
}

/// A search of the log: every filter is optional and they combine.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    /// The person changed (the target).
    pub person: Option<String>,
    /// The person who made the change.
    pub by: Option<String>,
    pub workspace: Option<String>,
    pub project: Option<String>,
    pub action: Option<Action>,
    /// Inclusive bounds, in milliseconds since the epoch.
    pub from_ms: Option<i64>,
    pub until_ms: Option<i64>,
    /// Only entries older than this id (the next page).
    pub before_id: Option<i64>,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::future::Future;
    use std::pin::Pin;

    use super::{Entry, Filter, Record, Visibility};

    pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

    /// Now, in milliseconds since the Unix epoch: the time of every record the console keeps.
    pub fn now_ms() -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or_default()
    }

    /// The store behind the log (the server's SQL database). Append-only: there is no way to
    /// change or remove an entry through it.
    pub trait ActivityLog: Send + Sync + 'static {
        /// Keeps `records`, and in the same step the `notices` of them for the outbox.
        fn append<'a>(
            &'a self,
            records: &'a [Record],
            notices: &'a [super::Notice],
        ) -> BoxFuture<'a, Result<(), LogError>>;
        /// Newest first, at most `limit`.
        fn list<'a>(
            &'a self,
            filter: &'a Filter,
            visibility: &'a Visibility,
            limit: u32,
        ) -> BoxFuture<'a, Result<Vec<Entry>, LogError>>;
    }

    /// Why the log could not be written or read (for operators; people see a plain sentence).
    #[derive(Debug, thiserror::Error)]
    #[error("{0}")]
    pub struct LogError(pub String);
}
