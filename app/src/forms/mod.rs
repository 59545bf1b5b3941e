//! The form widgets that know the console's features: built-in role selects, workspace, project
//! and cluster pickers, the person picker, sign-in method links. (The plain fields and the flash
//! are in [`crate::kit`].)
//!
//! Forms are rendered on the server and are plain HTML: a form posts to its server function,
//! which keeps the outcome and the submitted values (never passwords) in the session as a
//! [`crate::kit::Flash`] and redirects back to the page, which renders them
//! (post/redirect/get). The WASM only adds two small islands ([`PeopleFinder`], [`Follow`]):
//! people found as you type, and fields that follow a chosen workspace. Every page therefore
//! works, whole, before and without it.

mod follow;
mod link_fields;
mod people_finder;
mod pickers;
mod role_select;

pub use crate::builtin_roles::RoleOption;
pub use follow::{follow_field, FieldLook, Follow, FollowList};
pub use link_fields::{linkable_methods, LinkFields};
pub use people_finder::{add_name, live_matches, people_matches, MatchUse, PeopleFinder};
#[cfg(feature = "ssr")]
pub use pickers::parse_project_key;
pub use pickers::{
    first_workspace, project_form_start, workspace_of, ClusterSelect, PickerStart, ProjectPicker, ProjectSelect,
    UserPicker, WorkspaceNotice, WorkspaceSelect,
};
pub use role_select::{RoleChoice, RoleSelect};

use crate::error::AppError;
use crate::kit::{kept_field, take_flash, Flash};

/// The first load of a form that starts from a workspace, in one round: the flash, the
/// workspaces and (for the session cache, so the page's permission check that follows costs no
/// call for an admin) the signed-in person's permissions; and the workspace to show first, the
/// one a failed plain submission to `action_path` kept, else the first.
pub async fn workspace_form_start(
    action_path: &str,
) -> (Option<Flash>, Result<Vec<crate::directory::WorkspaceSummary>, AppError>, Option<String>) {
    let (flash, workspaces, _) =
        futures::future::join3(take_flash(), crate::directory::my_workspaces(), crate::permissions::my_permissions())
            .await;
    let flash = flash.ok().flatten();
    let first = kept_field(&flash, action_path, "workspace")
        .or_else(|| workspaces.as_ref().ok().and_then(|w| w.first().map(|w| w.name.clone())));
    (flash, workspaces, first)
}
