//! KubeSphere's built-in roles. They are enums: a custom role cannot even be represented, so a
//! request naming one fails to parse before anything is sent upstream.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::WorkspaceName;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not one of KubeSphere's built-in roles. KS Console only grants built-in roles.")]
pub struct RoleError(pub String);

/// Platform (global) roles. `users-manager` and `workspaces-manager` exist on KubeSphere 3.x
/// servers; they are offered only where the server has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum PlatformRole {
    Regular,
    SelfProvisioner,
    UsersManager,
    WorkspacesManager,
    Admin,
}

impl PlatformRole {
    pub const ALL: [PlatformRole; 5] = [
        PlatformRole::Regular,
        PlatformRole::SelfProvisioner,
        PlatformRole::UsersManager,
        PlatformRole::WorkspacesManager,
        PlatformRole::Admin,
    ];

    pub fn name(self) -> &'static str {
        match self {
            PlatformRole::Admin => "platform-admin",
            PlatformRole::Regular => "platform-regular",
            PlatformRole::SelfProvisioner => "platform-self-provisioner",
            PlatformRole::UsersManager => "users-manager",
            PlatformRole::WorkspacesManager => "workspaces-manager",
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
            PlatformRole::UsersManager => "Can manage all user accounts.",
            PlatformRole::WorkspacesManager => "Can manage all workspaces.",
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
    pub const ALL: [WorkspaceRoleKind; 4] =
        [WorkspaceRoleKind::Viewer, WorkspaceRoleKind::Regular, WorkspaceRoleKind::SelfProvisioner, WorkspaceRoleKind::Admin];

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
            WorkspaceRoleKind::Regular => "Can see the workspace and its members, and the projects they are invited to.",
            WorkspaceRoleKind::SelfProvisioner => "Can also create projects in the workspace.",
            WorkspaceRoleKind::Viewer => "Can see everything in the workspace and its projects, change nothing.",
        }
    }
}

/// A built-in role of one workspace, e.g. `demo-regular`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WorkspaceRole {
    pub workspace: WorkspaceName,
    pub kind: WorkspaceRoleKind,
}

impl WorkspaceRole {
    /// KubeSphere's object name: `{ws}-{role}`, or `{role}.{fnv32a(ws)}` when that would exceed
    /// 63 characters (how its controller names built-in roles of long-named workspaces).
    pub fn name(&self) -> String {
        let plain = format!("{}-{}", self.workspace, self.kind.suffix());
        if plain.len() <= 63 {
            plain
        } else {
            format!("{}.{}", self.kind.suffix(), fnv32a(self.workspace.as_str()))
        }
    }

    /// Parses a role name of `workspace`; anything but its four built-in roles is refused.
    pub fn parse(workspace: &WorkspaceName, s: &str) -> Result<Self, RoleError> {
        WorkspaceRoleKind::ALL
            .into_iter()
            .map(|kind| WorkspaceRole { workspace: workspace.clone(), kind })
            .find(|r| r.name() == s)
            .ok_or_else(|| RoleError(s.to_owned()))
    }
}

impl fmt::Display for WorkspaceRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

fn fnv32a(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
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

    #[test]
    fn custom_roles_cannot_be_represented() {
        assert!(PlatformRole::parse("platform-auditor").is_err());
        assert!(ProjectRole::parse("deployer").is_err());
        assert!(serde_json::from_str::<PlatformRole>("\"platform-auditor\"").is_err());
        let ws = WorkspaceName::parse("demo").unwrap();
        assert!(WorkspaceRole::parse(&ws, "demo-auditor").is_err());
        assert!(WorkspaceRole::parse(&ws, "other-admin").is_err(), "another workspace's role");
        assert_eq!(WorkspaceRole::parse(&ws, "demo-self-provisioner").unwrap().kind, WorkspaceRoleKind::SelfProvisioner);
    }

    #[test]
    fn long_workspace_names_use_the_hashed_role_name() {
        let ws = WorkspaceName::parse(&"w".repeat(60)).unwrap();
        let role = WorkspaceRole { workspace: ws.clone(), kind: WorkspaceRoleKind::Admin };
        assert!(role.name().starts_with("admin."));
        assert_eq!(WorkspaceRole::parse(&ws, &role.name()).unwrap(), role);
    }

    #[test]
    fn only_admin_roles_need_confirmation() {
        assert!(PlatformRole::Admin.is_admin() && !PlatformRole::Regular.is_admin());
        assert!(ProjectRole::Admin.is_admin() && !ProjectRole::Operator.is_admin());
        assert!(WorkspaceRoleKind::Admin.is_admin() && !WorkspaceRoleKind::SelfProvisioner.is_admin());
    }
}
