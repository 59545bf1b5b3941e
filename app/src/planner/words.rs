//! The planner's outcomes in words, in the language of the page that shows them: nothing the
//! planner decides is stored or compared as a sentence.

use super::{Column, Note, Place, Refusal, Step, Verdict};
use crate::i18n::td_string;
use crate::language::Locale;

impl Step {
    /// The call in plain words (lower case: it is listed).
    pub fn text_in(&self, locale: Locale) -> String {
        match self {
            Step::CreateUser { user, email, role } => {
                td_string!(locale, planner.call_create_user, user, email, role).to_string()
            }
            Step::PlatformRole { user, before, role } => {
                let before = before.as_deref().unwrap_or(td_string!(locale, planner.no_role));
                td_string!(locale, planner.call_platform_role, user, before, role).to_string()
            }
            Step::InviteToWorkspace { user, workspace, role } => {
                td_string!(locale, planner.call_invite_workspace, user, workspace, role).to_string()
            }
            Step::WorkspaceRole { user, workspace, before, role } => {
                td_string!(locale, planner.call_workspace_role, user, workspace, before, role).to_string()
            }
            Step::InviteToProject { user, project, cluster, role, .. } => {
                td_string!(locale, planner.call_invite_project, user, project, cluster, role).to_string()
            }
            Step::ProjectRole { user, project, cluster, before, role, .. } => {
                td_string!(locale, planner.call_project_role, user, project, cluster, before, role).to_string()
            }
        }
    }
}

impl Note {
    pub fn text_in(&self, locale: Locale) -> String {
        match self {
            Note::UserExists { user } => td_string!(locale, planner.note_user_exists, user).to_string(),
            Note::PlatformRoleAlready { role } => {
                td_string!(locale, planner.note_platform_role_already, role).to_string()
            }
            Note::InWorkspaceAlready { workspace, role } => {
                td_string!(locale, planner.note_in_workspace_already, workspace, role).to_string()
            }
            Note::InProjectAlready { project, role } => {
                td_string!(locale, planner.note_in_project_already, project, role).to_string()
            }
            Note::JoinsWorkspace { user, workspace } => {
                td_string!(locale, planner.note_joins_workspace, user, workspace).to_string()
            }
            Note::OutsideWorkspace { user, workspace } => {
                td_string!(locale, planner.note_outside_workspace, user, workspace).to_string()
            }
        }
    }
}

impl Note {
    /// Worth saying even when calls are made (the others only explain why nothing is sent).
    pub fn is_warning(&self) -> bool {
        matches!(self, Note::JoinsWorkspace { .. } | Note::OutsideWorkspace { .. })
    }
}

impl Place {
    pub fn text_in(&self, locale: Locale) -> String {
        match self {
            Place::Workspace { workspace } => td_string!(locale, planner.place_workspace, workspace).to_string(),
            Place::Project { project, cluster: Some(cluster) } => {
                td_string!(locale, planner.place_project, project, cluster).to_string()
            }
            Place::Project { project, cluster: None } => {
                td_string!(locale, planner.place_project_anywhere, project).to_string()
            }
        }
    }
}

/// Why a value is not a name of that column, from the rules of `ks_types` (the value is parsed
/// again: the refusal keeps the value, not a sentence).
fn name_problem(locale: Locale, column: Column, value: &str, new: bool) -> String {
    use ks_types::{ClusterName, DisplayName, Email, IdentityLink, ProjectName, UserName, WorkspaceName};
    let err = match column {
        Column::Username if new => UserName::parse_new(value).err(),
        Column::Username => UserName::parse(value).err(),
        Column::Email => Email::parse(value).err(),
        Column::DisplayName => DisplayName::parse(value).err(),
        Column::Workspace => WorkspaceName::parse(value).err(),
        Column::Cluster => ClusterName::parse(value).err(),
        Column::Project => ProjectName::parse(value).err(),
        Column::IdentityProvider => IdentityLink::check_provider(value).err(),
        Column::Identity => IdentityLink::check_identity(value).err(),
        Column::PlatformRole | Column::WorkspaceRole | Column::ProjectRole => None,
    };
    match err {
        Some(e) => crate::error::name_error_in(locale, &e),
        None => td_string!(locale, planner.not_a_name).to_owned(),
    }
}

impl Refusal {
    pub fn text_in(&self, locale: Locale) -> String {
        use Refusal as R;
        if let Some(text) = self.row_text_in(locale) {
            return text;
        }
        match self {
            R::EmailTaken { email, user } => td_string!(locale, planner.email_taken_by, email, user).to_string(),
            R::ConflictingLink { line, user } => td_string!(locale, planner.conflicting_link, line, user).to_string(),
            R::LinkInPlan { identity, line } => td_string!(locale, planner.link_in_plan, identity, line).to_string(),
            R::UnknownSignInMethod { provider } => {
                td_string!(locale, planner.unknown_sign_in_method, provider).to_string()
            }
            R::IdentityTaken { identity, user } => {
                td_string!(locale, planner.identity_taken_by, identity, user).to_string()
            }
            R::AccountNotCreated { user, line } => {
                td_string!(locale, planner.account_cannot_be_created, user, line).to_string()
            }
            R::NeedsEmail { user } => td_string!(locale, planner.new_person_needs_email, user).to_string(),
            R::MayNotCreateAccounts { user } => td_string!(locale, planner.may_not_create_accounts, user).to_string(),
            R::MayNotChangePlatformRole { user } => {
                td_string!(locale, planner.may_not_change_platform_role, user).to_string()
            }
            R::NoSuchWorkspace { workspace } => td_string!(locale, planner.no_such_workspace, workspace).to_string(),
            R::MayNotManageWorkspace { workspace } => {
                td_string!(locale, planner.may_not_manage_workspace, workspace).to_string()
            }
            R::WorkspaceLacksRole { workspace, kind } => {
                td_string!(locale, planner.workspace_lacks_role, workspace, kind).to_string()
            }
            R::WorkspaceNameTooLong { workspace } => {
                td_string!(locale, planner.workspace_name_too_long, workspace).to_string()
            }
            R::NoSuchProject { project, workspace, cluster: Some(cluster) } => {
                td_string!(locale, planner.no_such_project_on, project, workspace, cluster).to_string()
            }
            R::NoSuchProject { project, workspace, cluster: None } => {
                td_string!(locale, planner.no_such_project, project, workspace).to_string()
            }
            R::ProjectOnSeveralClusters { project, workspace } => {
                td_string!(locale, planner.project_on_several_clusters, project, workspace).to_string()
            }
            R::ClusterNotInWorkspace { cluster, workspace } => {
                td_string!(locale, planner.cluster_not_in_workspace, cluster, workspace).to_string()
            }
            R::UnknownCluster { cluster } => td_string!(locale, planner.unknown_cluster, cluster).to_string(),
            R::ClusterNotReady { cluster } => td_string!(locale, planner.cluster_not_ready, cluster).to_string(),
            R::MayNotManageProject { project } => {
                td_string!(locale, planner.may_not_manage_project, project).to_string()
            }
            R::ProjectLacksRole { project, role } => {
                td_string!(locale, planner.project_lacks_role, project, role).to_string()
            }
            R::TooManyRows { max } => td_string!(locale, planner.too_many_rows, max).to_string(),
            R::StillSettingUp { place } => {
                td_string!(locale, planner.still_setting_up, place = place.text_in(locale)).to_string()
            }
            R::ListedTwice { place } => {
                td_string!(locale, planner.listed_twice, place = place.text_in(locale)).to_string()
            }
            R::NoSuchUser { user } => td_string!(locale, planner.no_such_user, user).to_string(),
            R::AlreadyMember { user, place, role } => {
                td_string!(locale, planner.already_member, user, place = place.text_in(locale), role).to_string()
            }
            R::CustomRoleNotCopied { place, role } => {
                td_string!(locale, planner.custom_role_not_copied, place = place.text_in(locale), role).to_string()
            }
            R::NotAMember { user, place } => {
                td_string!(locale, planner.not_a_member, user, place = place.text_in(locale)).to_string()
            }
            // Said by `row_text_in`.
            _ => String::new(),
        }
    }

    /// The refusals of a row read on its own or against the others (its cells, its conflicts).
    fn row_text_in(&self, locale: Locale) -> Option<String> {
        use Refusal as R;
        let cell = |column: &Column, problem: String| {
            td_string!(locale, planner.column_problem, column = column.header(), problem).to_string()
        };
        Some(match self {
            R::BadName { column, value, new } => cell(column, name_problem(locale, *column, value, *new)),
            R::NotBuiltIn { column: Column::WorkspaceRole, value } => {
                td_string!(locale, planner.workspace_role_not_built_in, raw = value).to_string()
            }
            R::NotBuiltIn { column: Column::ProjectRole, value } => {
                td_string!(locale, planner.project_role_not_built_in, raw = value).to_string()
            }
            R::NotBuiltIn { column, value } => {
                cell(column, td_string!(locale, planner.role_not_built_in, role = value).to_string())
            }
            R::RoleWithoutPlace => td_string!(locale, planner.role_without_place).to_owned(),
            R::ProjectRoleWithoutProject => td_string!(locale, planner.project_role_without_project).to_owned(),
            R::ProjectWithoutWorkspace => td_string!(locale, planner.project_row_without_workspace).to_owned(),
            R::ClusterWithoutProject => td_string!(locale, planner.cluster_without_project).to_owned(),
            R::OneMembershipPerRow => td_string!(locale, planner.one_membership_per_row).to_owned(),
            R::ConflictingEmail { line, user } => td_string!(locale, planner.conflict_email, line, user).to_string(),
            R::ConflictingDisplayName { line, user } => {
                td_string!(locale, planner.conflict_display_name, line, user).to_string()
            }
            R::ConflictingPlatformRole { line, user } => {
                td_string!(locale, planner.conflict_platform_role, line, user).to_string()
            }
            R::Repeats { line } => td_string!(locale, planner.repeats_line, line).to_string(),
            R::ConflictingRole { line, user, place } => {
                td_string!(locale, planner.conflict_role, line, user, place = place.text_in(locale)).to_string()
            }
            R::EmailInPlan { email, line } => td_string!(locale, planner.email_in_plan, email, line).to_string(),
            _ => return None,
        })
    }
}

impl Verdict {
    /// The verdict as one line of a dry run (the steps joined, or the notes, or why not).
    pub fn text_in(&self, locale: Locale) -> String {
        let separator = td_string!(locale, planner.list_separator);
        match self {
            Verdict::Send { steps, notes } => steps
                .iter()
                .map(|s| s.text_in(locale))
                .chain(notes.iter().filter(|n| n.is_warning()).map(|n| n.text_in(locale)))
                .collect::<Vec<_>>()
                .join(separator),
            Verdict::InPlace(notes) if notes.is_empty() => td_string!(locale, planner.nothing_to_do).to_owned(),
            Verdict::InPlace(notes) => {
                let notes = notes.iter().map(|n| n.text_in(locale)).collect::<Vec<_>>().join(separator);
                td_string!(locale, planner.nothing_to_do_because, notes).to_string()
            }
            Verdict::Refused(why) => why.text_in(locale),
        }
    }
}
