//! Access requests: anyone signed in asks to join a workspace or a project with a built-in role
//! and a reason; whoever KubeSphere lets manage that place's members approves (the invitation is
//! made with the approver's own token, through the planner, admin roles only with their
//! confirmation) or declines with a reason; the requester may withdraw. Requests live in the
//! console's database and every step lands in the activity log. A request grants nothing.

mod inbox_page;
mod link_page;
mod new_page;

pub use crate::request_records::{AccessRequest, Place, RequestState};
pub use inbox_page::RequestsPage;
pub use link_page::JoinLinkPage;
pub use new_page::NewRequestPage;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::builtin_roles::RoleOption;
use crate::error::AppError;

/// Pending requests one person may have at once.
pub const MAX_PENDING: u32 = 20;
/// The longest reason kept.
pub const MAX_REASON_CHARS: usize = 500;

/// The request form, prefilled: the place, the built-in roles it offers (least privileged
/// chosen unless a built-in one was asked for), and whether a custom role was asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestForm {
    pub place: Place,
    pub roles: Vec<RoleOption>,
    pub chosen: String,
    /// The link named a role that is not built in: it cannot be asked for here.
    pub custom_asked: Option<String>,
}

/// A place's join link for someone who manages its members: the address and its QR code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinLink {
    pub place: Place,
    pub url: String,
    /// An SVG of the QR code of `url`, drawn on the server.
    pub qr_svg: String,
    pub roles: Vec<RoleOption>,
    pub chosen: String,
}

/// A pending request someone may decide, with the requester's role there now, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToDecide {
    pub request: AccessRequest,
    pub holds: Option<String>,
    pub roles: Vec<RoleOption>,
}

/// The inbox: requests the reader may decide, and their own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inbox {
    pub to_decide: Vec<ToDecide>,
    pub mine: Vec<AccessRequest>,
}

/// The form for asking access to `place`, with `role` chosen if it is built in.
#[server(prefix = "/api", endpoint = "access_request_form")]
pub async fn access_request_form(place: Place, role: String) -> Result<RequestForm, AppError> {
    let upstream = crate::upstream::Upstream::from_context()?;
    let place = ssr::check_place(&upstream, &place).await?.place();
    let roles = ssr::role_options(&place.workspace, place.is_project());
    let custom_asked = (!role.is_empty() && !roles.iter().any(|r| r.value == role)).then(|| role.clone());
    // Least privilege unless the link named a built-in role.
    let chosen = if role.is_empty() || custom_asked.is_some() { place.least_role().to_owned() } else { role };
    Ok(RequestForm { place, roles, chosen, custom_asked })
}

/// The join link of `place` with `role` preselected, for those who may manage its members.
#[server(prefix = "/api", endpoint = "place_join_link")]
pub async fn place_join_link(place: Place, role: String) -> Result<JoinLink, AppError> {
    let upstream = crate::upstream::Upstream::from_context()?;
    ssr::join_link(&upstream, place, role).await
}

/// Asks for `role` in the place; stored, logged, nothing sent to KubeSphere.
#[server(prefix = "/api", endpoint = "ask_for_access")]
pub async fn ask_for_access(
    workspace: String,
    #[server(default)] cluster: String,
    #[server(default)] project: String,
    role: String,
    reason: String,
) -> Result<AccessRequest, AppError> {
    let upstream = crate::upstream::Upstream::from_context()?;
    ssr::ask(&upstream, Place { workspace, cluster, project }, role, reason).await
}

/// The reader's inbox: what they may decide, and their own requests.
#[server(prefix = "/api", endpoint = "access_requests")]
pub async fn access_requests() -> Result<Inbox, AppError> {
    let upstream = crate::upstream::Upstream::from_context()?;
    ssr::inbox(&upstream).await
}

/// Approves a request with `role` (the one asked for, or another built-in one), inviting the
/// requester with the approver's own token.
#[server(prefix = "/api", endpoint = "approve_access_request")]
pub async fn approve_access_request(
    id: String,
    role: String,
    #[server(default)] confirm_admin: crate::kit::Checkbox,
) -> Result<AccessRequest, AppError> {
    let upstream = crate::upstream::Upstream::from_context()?;
    ssr::approve(&upstream, &id, role, confirm_admin).await
}

/// Declines a request, with a reason for the requester.
#[server(prefix = "/api", endpoint = "decline_access_request")]
pub async fn decline_access_request(id: String, reason: String) -> Result<AccessRequest, AppError> {
    let upstream = crate::upstream::Upstream::from_context()?;
    ssr::decline(&upstream, &id, reason).await
}

/// Withdraws one of the reader's own pending requests.
#[server(prefix = "/api", endpoint = "withdraw_access_request")]
pub async fn withdraw_access_request(id: String) -> Result<AccessRequest, AppError> {
    let upstream = crate::upstream::Upstream::from_context()?;
    ssr::withdraw(&upstream, &id).await
}

#[cfg(feature = "ssr")]
pub mod ssr;
