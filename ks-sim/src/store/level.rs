//! The three levels KubeSphere's roles and bindings live at.

/// Where a role (or binding) lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RoleLevel {
    Global,
    Workspace,
    Namespace,
}

impl RoleLevel {
    /// `iam.kubesphere.io/scope` label value.
    pub fn scope(self) -> &'static str {
        match self {
            RoleLevel::Global => "global",
            RoleLevel::Workspace => "workspace",
            RoleLevel::Namespace => "namespace",
        }
    }

    pub fn kind(self) -> &'static str {
        match self {
            RoleLevel::Global => "GlobalRole",
            RoleLevel::Workspace => "WorkspaceRole",
            RoleLevel::Namespace => "Role",
        }
    }

    /// `<plural>.iam.kubesphere.io`.
    pub fn qualified(self) -> &'static str {
        match self {
            RoleLevel::Global => "globalroles.iam.kubesphere.io",
            RoleLevel::Workspace => "workspaceroles.iam.kubesphere.io",
            RoleLevel::Namespace => "roles.iam.kubesphere.io",
        }
    }
}
