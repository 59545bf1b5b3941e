//! The built-in roles a form may offer — only those, as KubeSphere has them — and what each
//! grants, in KubeSphere's own words. Custom roles are never offered and cannot be sent: the
//! forms and the server take role *kinds* and names from these lists only.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::td_string;
use crate::language::Locale;

/// The form value of a workspace's built-in regular role: the least privileged default.
pub const REGULAR: &str = "regular";

/// What a built-in platform role allows, in KubeSphere's own words (its `kubesphere.io/description`).
pub fn describe_platform(role: ks_types::PlatformRole, locale: Locale) -> &'static str {
    use ks_types::PlatformRole as R;
    match role {
        R::Admin => td_string!(locale, roles.platform_admin_about),
        R::Regular => td_string!(locale, roles.platform_regular_about),
        R::SelfProvisioner => td_string!(locale, roles.platform_self_provisioner_about),
    }
}

/// What a built-in workspace role allows, in KubeSphere's own words.
pub fn describe_workspace(kind: ks_types::WorkspaceRoleKind, locale: Locale) -> &'static str {
    use ks_types::WorkspaceRoleKind as K;
    match kind {
        K::Admin => td_string!(locale, roles.workspace_admin_about),
        K::Regular => td_string!(locale, roles.workspace_regular_about),
        K::SelfProvisioner => td_string!(locale, roles.workspace_self_provisioner_about),
        K::Viewer => td_string!(locale, roles.workspace_viewer_about),
    }
}

/// What a built-in project role allows, in KubeSphere's own words.
pub fn describe_project(role: ks_types::ProjectRole, locale: Locale) -> &'static str {
    use ks_types::ProjectRole as R;
    match role {
        R::Admin => td_string!(locale, roles.project_admin_about),
        R::Operator => td_string!(locale, roles.project_operator_about),
        R::Viewer => td_string!(locale, roles.project_viewer_about),
    }
}

/// The built-in platform roles that exist in this KubeSphere, least privileged first. Custom
/// roles are never offered.
#[server(prefix = "/api", endpoint = "platform_role_options")]
pub async fn platform_role_options() -> Result<Vec<RoleOption>, AppError> {
    use ks_types::PlatformRole;
    let locale = crate::language::locale();
    let upstream = crate::upstream::Upstream::from_context()?;
    let existing = upstream.call_quiet(|api| async move { api.list_global_roles().await }).await;
    // Not allowed to list roles: offer the three every KubeSphere 4 has (they are all there is).
    let offered = PlatformRole::ALL.into_iter().filter(|role| match &existing {
        Some(roles) => roles.iter().any(|r| r.metadata.name == role.name()),
        None => true,
    });
    Ok(offered.map(|r| RoleOption::named(r.name(), describe_platform(r, locale), r.is_admin())).collect())
}

/// The built-in roles a workspace really has, least privileged first. The form submits the
/// role's kind; its name comes from KubeSphere (it depends on the version and the name's length).
#[server(prefix = "/api", endpoint = "workspace_role_options")]
pub async fn workspace_role_options(workspace: String) -> Result<Vec<RoleOption>, AppError> {
    let locale = crate::language::locale();
    let ws = crate::error::parse_field("workspace", &workspace, ks_types::WorkspaceName::parse)?;
    let upstream = crate::upstream::Upstream::from_context()?;
    let roles =
        upstream.call_quiet(|api| async move { api.builtin_workspace_roles(&ws).await }).await.unwrap_or_default();
    Ok(roles
        .iter()
        .map(|role| RoleOption {
            value: role.kind().suffix().into(),
            name: role.name().into(),
            description: describe_workspace(role.kind(), locale).into(),
            is_admin: role.kind().is_admin(),
        })
        .collect())
}

/// The built-in project roles, least privileged first.
#[server(prefix = "/api", endpoint = "project_role_options")]
pub async fn project_role_options() -> Result<Vec<RoleOption>, AppError> {
    let locale = crate::language::locale();
    Ok(ks_types::ProjectRole::ALL
        .into_iter()
        .map(|r| RoleOption::named(r.name(), describe_project(r, locale), r.is_admin()))
        .collect())
}

/// A built-in role a form may offer, with what it grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleOption {
    /// What the form submits: the role's name, or for workspace roles its kind (`regular`),
    /// which the server resolves to that workspace's role.
    pub value: String,
    /// The role's name in KubeSphere, shown to the person.
    pub name: String,
    pub description: String,
    pub is_admin: bool,
}

impl RoleOption {
    /// A role the form submits by its own name (platform and project roles).
    pub fn named(name: &str, description: &str, is_admin: bool) -> Self {
        Self { value: name.into(), name: name.into(), description: description.into(), is_admin }
    }
}
