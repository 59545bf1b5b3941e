//! KubeSphere domain values, parsed once at the edge by the rules KubeSphere's server applies
//! (`shared/kubesphere-api.md` §5). Shared by the browser (WASM: validation as the user types),
//! the server (validation again before anything goes upstream) and the typed client (paths and
//! bodies take these types, never raw strings).

mod names;
mod password;
mod roles;

pub use names::{
    ClusterName, DisplayName, Email, IdentityLink, LinkPart, NameError, ProjectName, UserName, WorkspaceName,
};
pub use password::{Password, PasswordCheck};
pub use roles::{
    BuiltinWorkspaceRoles, PlatformRole, ProjectRole, RoleError, RoleFacts, WorkspaceRole, WorkspaceRoleKind,
    LABEL_VALUE_MAX,
};
