//! KubeSphere's built-in roles. They are enums: a custom role cannot even be represented, so a
//! request naming one fails to parse before anything is sent upstream.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::WorkspaceName;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not one of KubeSphere's built-in roles. KS Console only grants built-in roles.")]
pub struct RoleError(pub String);

/// Platform (global) roles built into KubeSphere 4.x. (`users-manager` and
/// `workspaces-manager` were built in on 3.x only; on 4.x a role of that name is custom, so they
/// are not representable here.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum PlatformRole {
    Regular,
    SelfProvisioner,
    Admin,
}

impl PlatformRole {
    pub const ALL: [PlatformRole; 3] = [PlatformRole::Regular, PlatformRole::SelfProvisioner, PlatformRole::Admin];

    pub fn name(self) -> &'static str {
        match self {
            PlatformRole::Admin => "platform-admin",
            PlatformRole::Regular => "platform-regular",
            PlatformRole::SelfProvisioner => "platform-self-provisioner",
        }
    }

    pub fn parse(s: &str) -> Result<Self, RoleError> {
        Self::ALL.into_iter().find(|r| r.name() == s).ok_or_else(|| RoleError(s.to_owned()))
    }

    /// Admin-level roles need an explicit confirmation.
    pub fn is_admin(self) -> bool {
        matches!(self, PlatformRole::Admin)
    }

    pub fn describe(self) -> &'static str {
        match self {
            PlatformRole::Admin => "Full control of the whole platform: every user, workspace, cluster and setting.",
            PlatformRole::Regular => "Can sign in and use the workspaces and projects they are invited to.",
            PlatformRole::SelfProvisioner => "Can also create workspaces of their own.",
        }
    }
}

/// The four built-in workspace roles; the role's object name depends on the workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WorkspaceRoleKind {
    Viewer,
    Regular,
    SelfProvisioner,
    Admin,
}

impl WorkspaceRoleKind {
    pub const ALL: [WorkspaceRoleKind; 4] = [
        WorkspaceRoleKind::Viewer,
        WorkspaceRoleKind::Regular,
        WorkspaceRoleKind::SelfProvisioner,
        WorkspaceRoleKind::Admin,
    ];

    pub fn suffix(self) -> &'static str {
        match self {
            WorkspaceRoleKind::Admin => "admin",
            WorkspaceRoleKind::Regular => "regular",
            WorkspaceRoleKind::SelfProvisioner => "self-provisioner",
            WorkspaceRoleKind::Viewer => "viewer",
        }
    }

    pub fn is_admin(self) -> bool {
        matches!(self, WorkspaceRoleKind::Admin)
    }

    pub fn describe(self) -> &'static str {
        match self {
            WorkspaceRoleKind::Admin => "Full control of the workspace and all its projects, including its members.",
            WorkspaceRoleKind::Regular => {
                "Can see the workspace and its members, and the projects they are invited to."
            }
            WorkspaceRoleKind::SelfProvisioner => "Can also create projects in the workspace.",
            WorkspaceRoleKind::Viewer => "Can see everything in the workspace and its projects, change nothing.",
        }
    }
}

impl WorkspaceRoleKind {
    /// Parses a role kind as forms and files give it (`regular`, `admin`, …).
    pub fn parse(s: &str) -> Result<Self, RoleError> {
        Self::ALL.into_iter().find(|k| k.suffix() == s).ok_or_else(|| RoleError(s.to_owned()))
    }

    /// The two object names KubeSphere may give this role in `workspace`: `{ws}-{kind}` (always
    /// on 4.1.0–4.1.2, and on 4.1.3+ when it fits in 63 characters) and `{kind}.{hex}` with the
    /// FNV-1a 64-bit hash of the workspace name (4.1.3+, `ensureWorkspaceRoleName`).
    pub fn candidate_names(self, workspace: &str) -> [String; 2] {
        [format!("{workspace}-{}", self.suffix()), format!("{}.{:016x}", self.suffix(), fnv1a_64(workspace))]
    }
}

/// FNV-1a, 64 bits (Go's `hash/fnv.New64a`, as KubeSphere's `hashutil.FNVString` uses it).
fn fnv1a_64(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// The longest label value Kubernetes accepts; role names end up in binding labels.
pub const LABEL_VALUE_MAX: usize = 63;

/// A built-in role of one workspace, with the object name KubeSphere gave it. Only
/// [`BuiltinWorkspaceRoles::resolve`] makes one, from the workspace's role list: the name is
/// never computed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WorkspaceRole {
    workspace: WorkspaceName,
    kind: WorkspaceRoleKind,
    name: String,
}

impl WorkspaceRole {
    pub fn workspace(&self) -> &WorkspaceName {
        &self.workspace
    }

    pub fn kind(&self) -> WorkspaceRoleKind {
        self.kind
    }

    /// The object name, as KubeSphere reported it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether KubeSphere can bind this role: the name becomes a label value of the binding.
    /// KubeSphere 4.1.2 and older name roles `{ws}-{kind}` whatever the length, so long
    /// workspace names give roles that cannot be granted there.
    pub fn is_bindable(&self) -> bool {
        self.name.len() <= LABEL_VALUE_MAX
    }
}

impl fmt::Display for WorkspaceRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// What the console needs to know of one role object to tell whether it is built in.
#[derive(Debug, Clone, Copy)]
pub struct RoleFacts<'a> {
    pub name: &'a str,
    /// Carries KubeSphere's markers of a role its controller made: `kubesphere.io/creator:
    /// system` and `iam.kubesphere.io/auto-aggregate: "true"`.
    pub system_marked: bool,
}

/// The built-in roles one workspace really has, found in its role list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BuiltinWorkspaceRoles {
    roles: Vec<WorkspaceRole>,
}

impl BuiltinWorkspaceRoles {
    /// A role is built in only if its name is one of the two candidates for its kind and it
    /// carries the system markers. When both candidates exist for one kind, that kind is not
    /// offered at all: one of them is a look-alike someone made.
    pub fn resolve<'a>(workspace: &WorkspaceName, roles: impl IntoIterator<Item = RoleFacts<'a>>) -> Self {
        let roles: Vec<RoleFacts<'a>> = roles.into_iter().collect();
        let found = WorkspaceRoleKind::ALL
            .into_iter()
            .filter_map(|kind| {
                let candidates = kind.candidate_names(workspace.as_str());
                let present: Vec<&RoleFacts<'a>> =
                    roles.iter().filter(|r| candidates.iter().any(|c| c == r.name)).collect();
                match present.as_slice() {
                    [only] if only.system_marked => {
                        Some(WorkspaceRole { workspace: workspace.clone(), kind, name: only.name.to_owned() })
                    }
                    _ => None,
                }
            })
            .collect();
        Self { roles: found }
    }

    /// The built-in role of `kind`, if the workspace has it.
    pub fn get(&self, kind: WorkspaceRoleKind) -> Option<&WorkspaceRole> {
        self.roles.iter().find(|r| r.kind == kind)
    }

    /// Which built-in role an object name is, if any.
    pub fn by_name(&self, name: &str) -> Option<&WorkspaceRole> {
        self.roles.iter().find(|r| r.name == name)
    }

    /// The roles found, least privileged first.
    pub fn iter(&self) -> impl Iterator<Item = &WorkspaceRole> {
        self.roles.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.roles.is_empty()
    }
}

/// The three built-in project roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum ProjectRole {
    Viewer,
    Operator,
    Admin,
}

impl ProjectRole {
    pub const ALL: [ProjectRole; 3] = [ProjectRole::Viewer, ProjectRole::Operator, ProjectRole::Admin];

    pub fn name(self) -> &'static str {
        match self {
            ProjectRole::Admin => "admin",
            ProjectRole::Operator => "operator",
            ProjectRole::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Result<Self, RoleError> {
        Self::ALL.into_iter().find(|r| r.name() == s).ok_or_else(|| RoleError(s.to_owned()))
    }

    pub fn is_admin(self) -> bool {
        matches!(self, ProjectRole::Admin)
    }

    pub fn describe(self) -> &'static str {
        match self {
            ProjectRole::Admin => "Full control of the project, including its members.",
            ProjectRole::Operator => "Can manage workloads and configuration, but not members or roles.",
            ProjectRole::Viewer => "Can see everything in the project, change nothing.",
        }
    }
}

macro_rules! string_conversions {
    ($ty:ident) => {
        impl TryFrom<String> for $ty {
            type Error = RoleError;
            fn try_from(v: String) -> Result<Self, RoleError> {
                Self::parse(&v)
            }
        }
        impl From<$ty> for String {
            fn from(v: $ty) -> String {
                v.name().to_owned()
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}
string_conversions!(PlatformRole);
string_conversions!(ProjectRole);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn builtin(name: &str) -> RoleFacts<'_> {
        RoleFacts { name, system_marked: true }
    }

    #[test]
    fn custom_roles_cannot_be_represented() {
        assert!(PlatformRole::parse("platform-auditor").is_err());
        assert!(PlatformRole::parse("users-manager").is_err(), "3.x only: custom on 4.x");
        assert!(PlatformRole::parse("workspaces-manager").is_err(), "3.x only: custom on 4.x");
        assert!(ProjectRole::parse("deployer").is_err());
        assert!(serde_json::from_str::<PlatformRole>("\"platform-auditor\"").is_err());
        assert!(WorkspaceRoleKind::parse("auditor").is_err());
        assert_eq!(WorkspaceRoleKind::parse("self-provisioner"), Ok(WorkspaceRoleKind::SelfProvisioner));
    }

    #[test]
    fn fnv1a_64_matches_the_reference_vectors() {
        assert_eq!(fnv1a_64(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a_64("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a_64("foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn workspace_roles_are_found_by_either_candidate_name() {
        let ws = WorkspaceName::parse("demo").unwrap();
        let hashed = WorkspaceRoleKind::Regular.candidate_names("demo")[1].clone();
        assert_eq!(hashed.len(), "regular.".len() + 16);
        let found =
            BuiltinWorkspaceRoles::resolve(&ws, [builtin("demo-admin"), builtin(&hashed), builtin("demo-auditor")]);
        assert_eq!(found.get(WorkspaceRoleKind::Admin).unwrap().name(), "demo-admin");
        assert_eq!(found.get(WorkspaceRoleKind::Regular).unwrap().name(), hashed);
        assert!(found.get(WorkspaceRoleKind::Viewer).is_none(), "a role that does not exist is never offered");
        assert!(found.by_name("demo-auditor").is_none(), "custom roles are not built in");
        assert!(found.by_name("other-admin").is_none());
    }

    #[test]
    fn look_alikes_and_unmarked_roles_are_not_built_in() {
        let ws = WorkspaceName::parse("demo").unwrap();
        let hashed = WorkspaceRoleKind::Viewer.candidate_names("demo")[1].clone();
        let found = BuiltinWorkspaceRoles::resolve(
            &ws,
            [builtin("demo-viewer"), builtin(&hashed), RoleFacts { name: "demo-admin", system_marked: false }],
        );
        assert!(found.get(WorkspaceRoleKind::Viewer).is_none(), "both candidates exist: offer neither");
        assert!(found.get(WorkspaceRoleKind::Admin).is_none(), "no system markers");
        let only_unmarked_twin = BuiltinWorkspaceRoles::resolve(
            &ws,
            [builtin("demo-viewer"), RoleFacts { name: &hashed, system_marked: false }],
        );
        assert!(
            only_unmarked_twin.get(WorkspaceRoleKind::Viewer).is_none(),
            "a look-alike without markers still counts"
        );
    }

    #[test]
    fn long_workspace_names_make_unbindable_plain_role_names() {
        let long = "w".repeat(56);
        let ws = WorkspaceName::parse(&long).unwrap();
        let [plain, hashed] = WorkspaceRoleKind::Regular.candidate_names(&long);
        let old = BuiltinWorkspaceRoles::resolve(&ws, [builtin(&plain)]);
        assert!(!old.get(WorkspaceRoleKind::Regular).unwrap().is_bindable(), "64 characters");
        let new = BuiltinWorkspaceRoles::resolve(&ws, [builtin(&hashed)]);
        assert!(new.get(WorkspaceRoleKind::Regular).unwrap().is_bindable());
    }

    #[test]
    fn only_admin_roles_need_confirmation() {
        assert!(PlatformRole::Admin.is_admin() && !PlatformRole::Regular.is_admin());
        assert!(ProjectRole::Admin.is_admin() && !ProjectRole::Operator.is_admin());
        assert!(WorkspaceRoleKind::Admin.is_admin() && !WorkspaceRoleKind::SelfProvisioner.is_admin());
    }
}
