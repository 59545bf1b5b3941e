//! Phase 3: each wish decided from the facts — the calls to send, what is in place, or why
//! not — in the plan's order. Pure: no upstream call is made here.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use ks_types::{
    ClusterName, Email, PlatformRole, ProjectName, ProjectRole, UserName, WorkspaceName, WorkspaceRoleKind,
};

use super::calls::Call;
use super::facts::{ClusterTrouble, Facts, WorkspaceFacts};
use super::wishes::{Checked, Intent, Membership, Wish};
use super::{Column, Note, Place, Refusal, Verdict};
use crate::error::AppError;
use crate::upstream::Upstream;

/// One wish's plan.
#[derive(Debug, Clone)]
pub struct RowPlan {
    pub line: usize,
    pub verdict: Verdict,
    /// What apply sends for it (empty unless the verdict is `Send`).
    pub calls: Vec<Call>,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub rows: Vec<RowPlan>,
    pub reads: usize,
    pub rounds: usize,
}

impl Plan {
    /// What a review approves: each sending wish's line and calls, the same in every language.
    pub fn key(&self) -> String {
        super::plan_key(self.rows.iter().map(|r| (r.line, r.verdict.steps().iter().collect())))
    }

    pub fn admin_calls(&self) -> impl Iterator<Item = (usize, &Call)> {
        self.rows.iter().flat_map(|r| r.calls.iter().filter(|c| c.is_admin()).map(move |c| (r.line, c)))
    }
}

/// Plans `wishes` (each parsed already, or refused with why) for the signed-in person.
pub async fn plan(
    upstream: &Upstream,
    wishes: Vec<super::wishes::Wished>,
    known: &super::facts::Known,
) -> Result<Plan, AppError> {
    let checked = super::wishes::check(wishes);
    let facts = super::facts::load(upstream, &checked, known).await?;
    Ok(decide(&checked, &facts))
}

/// What is decided while going through the wishes in order.
struct Ctx<'a> {
    facts: &'a Facts,
    checked: &'a Checked,
    /// Accounts this plan creates: the line that does, or the line whose creation was refused.
    created: HashMap<UserName, Result<usize, usize>>,
    /// People a workspace wish of this plan adds to that workspace.
    joining: BTreeMap<WorkspaceName, BTreeSet<UserName>>,
    /// People a project wish has already added to its workspace.
    offered: BTreeSet<(WorkspaceName, UserName)>,
}

/// Decides every wish, in order.
pub fn decide(checked: &Checked, facts: &Facts) -> Plan {
    let mut ctx =
        Ctx { facts, checked, created: HashMap::new(), joining: Facts::joining(checked), offered: BTreeSet::new() };
    let rows = checked
        .wishes
        .iter()
        .map(|(line, wish)| {
            let decided = wish.clone().and_then(|w| decide_one(&mut ctx, &w));
            let (verdict, calls) = match decided {
                Err(why) => (Verdict::Refused(why), Vec::new()),
                Ok((calls, notes)) if calls.is_empty() => (Verdict::InPlace(notes), calls),
                Ok((calls, notes)) => (Verdict::Send { steps: calls.iter().map(Call::step).collect(), notes }, calls),
            };
            RowPlan { line: *line, verdict, calls }
        })
        .collect();
    Plan { rows, reads: facts.reads, rounds: facts.rounds }
}

fn decide_one(ctx: &mut Ctx<'_>, wish: &Wish) -> Result<(Vec<Call>, Vec<Note>), Refusal> {
    let (mut calls, mut notes) = account(ctx, wish)?;
    match &wish.membership {
        None => {}
        Some(Membership::Workspace { workspace, kind }) => {
            let wanted = WorkspacePlace { workspace, kind: *kind, intent: wish.intent };
            workspace_wish(ctx.facts, &wish.user, &wanted, &mut calls, &mut notes)?
        }
        Some(Membership::Project { workspace, cluster, project, role }) => {
            let place =
                ProjectPlace { workspace, cluster: cluster.as_ref(), project, role: *role, intent: wish.intent };
            project_wish(ctx, &wish.user, &place, &mut calls, &mut notes)?
        }
    }
    Ok((calls, notes))
}

/// The account part of a wish: create it (only on the person's first wish), change its platform
/// role, or note that it exists — and only if the caller may.
fn account(ctx: &mut Ctx<'_>, wish: &Wish) -> Result<(Vec<Call>, Vec<Note>), Refusal> {
    let user = &wish.user;
    let person = ctx.checked.people.get(user).cloned().unwrap_or_default();
    let first = wish.line == person.first_line;
    let (mut calls, mut notes) = (Vec::new(), Vec::new());
    if let Some(found) = ctx.facts.users.get(user.as_str()) {
        if first {
            notes.push(Note::UserExists { user: user.to_string() });
            if let Some((role, _)) = person.platform_role {
                if found.platform_role.as_deref() == Some(role.name()) {
                    notes.push(Note::PlatformRoleAlready { role: role.name().to_owned() });
                } else if !ctx.facts.manages_accounts {
                    return Err(Refusal::MayNotChangePlatformRole { user: user.to_string() });
                } else {
                    calls.push(Call::PlatformRole { user: user.clone(), role, before: found.platform_role.clone() });
                }
            }
        }
        return Ok((calls, notes));
    }
    match ctx.created.get(user) {
        // Made by an earlier line of this plan: a join (the wizard's "same access as") may follow.
        Some(Ok(_)) => Ok((calls, notes)),
        Some(Err(line)) => Err(Refusal::AccountNotCreated { user: user.to_string(), line: *line }),
        None if wish.intent != Intent::Onboard => Err(Refusal::NoSuchUser { user: user.to_string() }),
        None => match new_account(ctx.facts, user, &person) {
            Ok(call) => {
                ctx.created.insert(user.clone(), Ok(wish.line));
                calls.push(call);
                Ok((calls, notes))
            }
            Err(why) => {
                ctx.created.insert(user.clone(), Err(wish.line));
                Err(why)
            }
        },
    }
}

fn new_account(facts: &Facts, user: &UserName, person: &super::wishes::Person) -> Result<Call, Refusal> {
    if !facts.manages_accounts {
        return Err(Refusal::MayNotCreateAccounts { user: user.to_string() });
    }
    UserName::parse_new(user.as_str()).map_err(|_| Refusal::BadName {
        column: Column::Username,
        value: user.to_string(),
        new: true,
    })?;
    let (raw, _) = person.email.clone().ok_or_else(|| Refusal::NeedsEmail { user: user.to_string() })?;
    let email =
        Email::parse(&raw).map_err(|_| Refusal::BadName { column: Column::Email, value: raw.clone(), new: true })?;
    if let Some(owner) = facts.emails.get(&raw.to_lowercase()) {
        return Err(Refusal::EmailTaken { email: raw, user: owner.clone() });
    }
    let link = person.link.clone().map(|(link, _)| link);
    if let Some(link) = &link {
        if facts.providers.as_ref().is_some_and(|known| !known.contains(link.provider())) {
            return Err(Refusal::UnknownSignInMethod { provider: link.provider().to_owned() });
        }
        let key = (link.provider().to_owned(), link.identity().to_owned());
        if let Some(owner) = facts.links.get(&key) {
            return Err(Refusal::IdentityTaken { identity: link.identity().to_owned(), user: owner.clone() });
        }
    }
    Ok(Call::CreateUser {
        user: user.clone(),
        link,
        email,
        display_name: person.display_name.clone().map(|(d, _)| d),
        role: person.platform_role.map_or(PlatformRole::Regular, |(r, _)| r),
    })
}

struct WorkspacePlace<'a> {
    workspace: &'a WorkspaceName,
    kind: WorkspaceRoleKind,
    intent: Intent,
}

fn workspace_wish(
    facts: &Facts,
    user: &UserName,
    wanted: &WorkspacePlace<'_>,
    calls: &mut Vec<Call>,
    notes: &mut Vec<Note>,
) -> Result<(), Refusal> {
    let (ws, kind) = (wanted.workspace, wanted.kind);
    let workspace = ws.to_string();
    let Some(WorkspaceFacts::Found { roles, may_manage, setting_up, .. }) = facts.workspaces.get(ws) else {
        return Err(Refusal::NoSuchWorkspace { workspace });
    };
    // Before the permission: a new workspace's creator holds no binding there until KubeSphere
    // has set it up either.
    if *setting_up {
        return Err(Refusal::StillSettingUp { place: Place::Workspace { workspace } });
    }
    if !may_manage {
        return Err(Refusal::MayNotManageWorkspace { workspace });
    }
    let role = roles
        .get(kind)
        .cloned()
        .ok_or_else(|| Refusal::WorkspaceLacksRole { workspace: workspace.clone(), kind: kind.suffix().to_owned() })?;
    if !role.is_bindable() {
        return Err(Refusal::WorkspaceNameTooLong { workspace });
    }
    let place = || Place::Workspace { workspace: workspace.clone() };
    match (facts.workspace_role_of(ws, user), wanted.intent) {
        (None, Intent::Change) => return Err(Refusal::NotAMember { user: user.to_string(), place: place() }),
        (Some(now), Intent::Join) => {
            return Err(Refusal::AlreadyMember { user: user.to_string(), place: place(), role: now.clone() })
        }
        (None, _) => calls.push(Call::InviteToWorkspace { user: user.clone(), role }),
        (Some(now), _) if now == role.name() => {
            notes.push(Note::InWorkspaceAlready { workspace: workspace.clone(), role: now.clone() })
        }
        (Some(now), _) => calls.push(Call::WorkspaceRole { user: user.clone(), role, before: now.clone() }),
    }
    Ok(())
}

struct ProjectPlace<'a> {
    workspace: &'a WorkspaceName,
    cluster: Option<&'a ClusterName>,
    project: &'a ProjectName,
    role: ProjectRole,
    intent: Intent,
}

/// The one cluster of the workspace's placement where the project is, or why none.
fn locate(facts: &Facts, place: &ProjectPlace<'_>) -> Result<ClusterName, Refusal> {
    let (ws, project) = (place.workspace, place.project);
    let Some(WorkspaceFacts::Found { clusters, .. }) = facts.workspaces.get(ws) else {
        return Err(Refusal::NoSuchWorkspace { workspace: ws.to_string() });
    };
    if let Some(c) = place.cluster.filter(|c| !clusters.contains(c)) {
        return Err(Refusal::ClusterNotInWorkspace { cluster: c.to_string(), workspace: ws.to_string() });
    }
    let listings: Vec<(&ClusterName, &Result<BTreeSet<ProjectName>, ClusterTrouble>)> = clusters
        .iter()
        .filter(|c| place.cluster.is_none_or(|want| want == *c))
        .filter_map(|c| Some((c, facts.listings.get(&(ws.clone(), c.clone()))?)))
        .collect();
    let found: Vec<&ClusterName> =
        listings.iter().filter(|(_, l)| l.as_ref().is_ok_and(|p| p.contains(project))).map(|(c, _)| *c).collect();
    match found.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(match listings.iter().find_map(|(c, l)| l.as_ref().err().map(|t| (c, t))) {
            Some((c, ClusterTrouble::NotReady)) => Refusal::ClusterNotReady { cluster: c.to_string() },
            Some((c, ClusterTrouble::Unknown)) => Refusal::UnknownCluster { cluster: c.to_string() },
            None => Refusal::NoSuchProject {
                project: project.to_string(),
                workspace: ws.to_string(),
                cluster: place.cluster.map(ToString::to_string),
            },
        }),
        _ => Err(Refusal::ProjectOnSeveralClusters { project: project.to_string(), workspace: ws.to_string() }),
    }
}

fn project_wish(
    ctx: &mut Ctx<'_>,
    user: &UserName,
    place: &ProjectPlace<'_>,
    calls: &mut Vec<Call>,
    notes: &mut Vec<Note>,
) -> Result<(), Refusal> {
    let facts = ctx.facts;
    let cluster = locate(facts, place)?;
    let (ws, project, role) = (place.workspace, place.project, place.role);
    let missing = || Refusal::NoSuchProject {
        project: project.to_string(),
        workspace: ws.to_string(),
        cluster: Some(cluster.to_string()),
    };
    let found = facts.projects.get(&(cluster.clone(), project.clone())).ok_or_else(missing)?;
    let here = Place::Project { project: project.to_string(), cluster: Some(cluster.to_string()) };
    if found.setting_up {
        return Err(Refusal::StillSettingUp { place: here });
    }
    if !found.may_manage {
        return Err(Refusal::MayNotManageProject { project: project.to_string() });
    }
    if !found.roles.contains(role.name()) {
        return Err(Refusal::ProjectLacksRole { project: project.to_string(), role: role.name().to_owned() });
    }
    let (user, workspace) = (user.clone(), ws.clone());
    let call = match (found.members.get(user.as_str()), place.intent) {
        (None, Intent::Change) => return Err(Refusal::NotAMember { user: user.to_string(), place: here }),
        (Some(now), Intent::Join) => {
            return Err(Refusal::AlreadyMember { user: user.to_string(), place: here, role: now.clone() })
        }
        (None, _) => Call::InviteToProject { user, workspace, cluster, project: project.clone(), role },
        (Some(now), _) if now == role.name() => {
            notes.push(Note::InProjectAlready { project: project.to_string(), role: now.clone() });
            return Ok(());
        }
        (Some(now), _) => {
            Call::ProjectRole { user, workspace, cluster, project: project.clone(), role, before: now.clone() }
        }
    };
    join_workspace_first(ctx, place, &call, calls, notes);
    calls.push(call);
    Ok(())
}

/// KubeSphere accepts a project member who is not in the project's workspace, but their
/// workspace list then does not show the project: when onboarding, add them to it too (its
/// regular role, least privilege) if the caller may; otherwise say so (a form sends only what
/// it names).
fn join_workspace_first(
    ctx: &mut Ctx<'_>,
    place: &ProjectPlace<'_>,
    call: &Call,
    calls: &mut Vec<Call>,
    notes: &mut Vec<Note>,
) {
    let user = match call {
        Call::InviteToProject { user, .. } | Call::ProjectRole { user, .. } => user,
        _ => return,
    };
    let ws = place.workspace;
    let Some(WorkspaceFacts::Found { roles, members: Some(members), may_manage, .. }) = ctx.facts.workspaces.get(ws)
    else {
        return;
    };
    let joins = ctx.joining.get(ws).is_some_and(|people| people.contains(user));
    if members.contains_key(user.as_str()) || joins || !ctx.offered.insert((ws.clone(), user.clone())) {
        return;
    }
    let (who, workspace) = (user.to_string(), ws.to_string());
    let may_add = *may_manage && place.intent == Intent::Onboard;
    match roles.get(WorkspaceRoleKind::Regular).filter(|r| may_add && r.is_bindable()) {
        Some(regular) => {
            calls.push(Call::InviteToWorkspace { user: user.clone(), role: regular.clone() });
            notes.push(Note::JoinsWorkspace { user: who, workspace });
        }
        None => notes.push(Note::OutsideWorkspace { user: who, workspace }),
    }
}
