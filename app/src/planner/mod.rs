//! One planner for every membership change. `/onboard`, `/onboard/bulk` and the bulk job ask it,
//! for people and the memberships wanted for them, what will be sent, what is in place already
//! and why a wish cannot be done — before anything is sent, and for the caller as they are: a
//! team lead is told up front that only platform administrators create accounts.
//!
//! Three phases, each its own module: [`wishes`] checks the wishes against each other,
//! [`facts`] reads what KubeSphere holds in at most three rounds of batched reads scoped to the
//! caller (a workspace's projects through the workspace, never the caller's global lists), and
//! [`verdicts`] decides each wish from those facts. Outcomes are types ([`Step`], [`Note`],
//! [`Refusal`]); [`words`] turns them into sentences only when a page shows them.

#[cfg(feature = "ssr")]
pub mod calls;
#[cfg(feature = "ssr")]
pub mod facts;
#[cfg(feature = "ssr")]
pub mod form;
#[cfg(feature = "ssr")]
pub mod verdicts;
#[cfg(feature = "ssr")]
pub mod wishes;
pub mod words;

use serde::{Deserialize, Serialize};

/// One call to KubeSphere, as a page shows it (no password, ever): what is done, to whom,
/// where, and the role before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    CreateUser { user: String, email: String, role: String },
    PlatformRole { user: String, before: Option<String>, role: String },
    InviteToWorkspace { user: String, workspace: String, role: String },
    WorkspaceRole { user: String, workspace: String, before: String, role: String },
    InviteToProject { user: String, workspace: String, cluster: String, project: String, role: String },
    ProjectRole { user: String, workspace: String, cluster: String, project: String, before: String, role: String },
}

/// Why nothing needs sending for (part of) a wish, or what the person should know about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Note {
    UserExists {
        user: String,
    },
    PlatformRoleAlready {
        role: String,
    },
    InWorkspaceAlready {
        workspace: String,
        role: String,
    },
    InProjectAlready {
        project: String,
        role: String,
    },
    /// The person is added to the project's workspace too (least privilege): KubeSphere accepts a
    /// project member outside the workspace, but their workspace list would not show it.
    JoinsWorkspace {
        user: String,
        workspace: String,
    },
    /// The person is not in the project's workspace and the caller may not add them there.
    OutsideWorkspace {
        user: String,
        workspace: String,
    },
}

/// A column of the bulk file, or the matching field of the wizard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Column {
    Username,
    Email,
    DisplayName,
    PlatformRole,
    Workspace,
    WorkspaceRole,
    Cluster,
    Project,
    ProjectRole,
    IdentityProvider,
    Identity,
}

impl Column {
    /// The column's name as the file's header has it.
    pub fn header(self) -> &'static str {
        match self {
            Column::Username => "username",
            Column::Email => "email",
            Column::DisplayName => "display_name",
            Column::PlatformRole => "platform_role",
            Column::Workspace => "workspace",
            Column::WorkspaceRole => "workspace_role",
            Column::Cluster => "cluster",
            Column::Project => "project",
            Column::ProjectRole => "project_role",
            Column::IdentityProvider => "identity_provider",
            Column::Identity => "identity",
        }
    }
}

/// Why a wish cannot be done, with what a page needs to say it in either language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Refusal {
    /// Not a valid name (or e-mail) for that column; `new`: the stricter rules of a new account.
    BadName {
        column: Column,
        value: String,
        new: bool,
    },
    /// Not one of KubeSphere's built-in roles of that column's level.
    NotBuiltIn {
        column: Column,
        value: String,
    },
    RoleWithoutPlace,
    ProjectRoleWithoutProject,
    ProjectWithoutWorkspace,
    ClusterWithoutProject,
    OneMembershipPerRow,
    ConflictingEmail {
        line: usize,
        user: String,
    },
    ConflictingDisplayName {
        line: usize,
        user: String,
    },
    ConflictingPlatformRole {
        line: usize,
        user: String,
    },
    Repeats {
        line: usize,
    },
    ConflictingRole {
        line: usize,
        user: String,
        place: Place,
    },
    /// Another person of this plan has this e-mail address (compared ignoring case).
    EmailInPlan {
        email: String,
        line: usize,
    },
    /// Two identities wished for one person.
    ConflictingLink {
        line: usize,
        user: String,
    },
    /// Another person of this plan is to be linked to this identity.
    LinkInPlan {
        identity: String,
        line: usize,
    },
    /// KubeSphere has no identity provider of this name.
    UnknownSignInMethod {
        provider: String,
    },
    /// An existing account is already linked to this identity.
    IdentityTaken {
        identity: String,
        user: String,
    },
    /// An existing account has this e-mail address (compared ignoring case).
    EmailTaken {
        email: String,
        user: String,
    },
    AccountNotCreated {
        user: String,
        line: usize,
    },
    NeedsEmail {
        user: String,
    },
    /// Only those who manage accounts (platform administrators) create them.
    MayNotCreateAccounts {
        user: String,
    },
    MayNotChangePlatformRole {
        user: String,
    },
    NoSuchWorkspace {
        workspace: String,
    },
    MayNotManageWorkspace {
        workspace: String,
    },
    WorkspaceLacksRole {
        workspace: String,
        kind: String,
    },
    WorkspaceNameTooLong {
        workspace: String,
    },
    NoSuchProject {
        project: String,
        workspace: String,
        cluster: Option<String>,
    },
    ProjectOnSeveralClusters {
        project: String,
        workspace: String,
    },
    ClusterNotInWorkspace {
        cluster: String,
        workspace: String,
    },
    UnknownCluster {
        cluster: String,
    },
    ClusterNotReady {
        cluster: String,
    },
    MayNotManageProject {
        project: String,
    },
    ProjectLacksRole {
        project: String,
        role: String,
    },
    TooManyRows {
        max: usize,
    },
    /// A form lists the same place twice for its one person.
    ListedTwice {
        place: Place,
    },
    /// Created a moment ago: KubeSphere has not made its built-in roles yet.
    StillSettingUp {
        place: Place,
    },
    /// A form names someone KubeSphere has no account for (forms never create one).
    NoSuchUser {
        user: String,
    },
    /// Inviting a member again would silently replace their role.
    AlreadyMember {
        user: String,
        place: Place,
        role: String,
    },
    /// A role change for someone who holds no role there.
    NotAMember {
        user: String,
        place: Place,
    },
    /// "Same access as": the reference's role there is not built-in, so it is not copied.
    CustomRoleNotCopied {
        place: Place,
        role: String,
    },
}

/// A workspace, or a project on a cluster: where a membership is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Place {
    Workspace { workspace: String },
    Project { project: String, cluster: Option<String> },
}

/// What the planner says about one wish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// These calls will be made, in this order (with what the person should know).
    Send {
        steps: Vec<Step>,
        notes: Vec<Note>,
    },
    /// Everything wished is in place already.
    InPlace(Vec<Note>),
    Refused(Refusal),
}

impl Verdict {
    pub fn steps(&self) -> &[Step] {
        match self {
            Verdict::Send { steps, .. } => steps,
            _ => &[],
        }
    }
}

impl Step {
    /// A stable key for the call, the same in every language: what a review approves.
    pub fn key(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The key of a plan: each sending wish's line and its calls' keys, the same in every language.
/// What a review approves, and what apply must find again to send it.
pub fn plan_key<'a>(rows: impl IntoIterator<Item = (usize, Vec<&'a Step>)>) -> String {
    rows.into_iter()
        .filter(|(_, steps)| !steps.is_empty())
        .map(|(line, steps)| format!("{line}:{}", steps.iter().map(|s| s.key()).collect::<Vec<_>>().join(";")))
        .collect::<Vec<_>>()
        .join("\n")
}
