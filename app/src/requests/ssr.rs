use ks_client::model::{ANNOTATION_PROJECT_ROLE, ANNOTATION_WORKSPACE_ROLE};
use ks_types::{ClusterName, ProjectName, ProjectRole, UserName, WorkspaceName, WorkspaceRoleKind};

use super::{AccessRequest, Inbox, Place, RequestState, ToDecide, MAX_PENDING, MAX_REASON_CHARS};
use crate::activity_log::{Action, Change, Via};
use crate::builtin_roles::RoleOption;
use crate::directory::ssr::bounded_join;
use crate::error::AppError;
use crate::i18n::td_string;
use crate::request_records::ssr::{
    decidable, expired_before, may_decide, now_ms, store, unavailable, Decision, Stored,
};
use crate::upstream::Upstream;

/// A place whose names parse and which KubeSphere says exists.
pub enum CheckedPlace {
    Workspace(WorkspaceName),
    Project(WorkspaceName, ClusterName, ProjectName),
}

impl CheckedPlace {
    pub fn is_project(&self) -> bool {
        matches!(self, CheckedPlace::Project(..))
    }

    /// The place as stored and shown, in KubeSphere's spelling.
    pub fn place(&self) -> Place {
        match self {
            CheckedPlace::Workspace(ws) => Place { workspace: ws.to_string(), ..Place::default() },
            CheckedPlace::Project(ws, c, p) => {
                Place { workspace: ws.to_string(), cluster: c.to_string(), project: p.to_string() }
            }
        }
    }
}

/// Parses the place and asks KubeSphere whether it exists (any signed-in person may read a
/// workspace's or project's object by name).
pub async fn check_place(upstream: &Upstream, place: &Place) -> Result<CheckedPlace, AppError> {
    let locale = crate::language::locale();
    let missing = |field: &str| AppError::field(field, td_string!(locale, requests.no_such_place));
    let ws = WorkspaceName::parse(place.workspace.trim()).map_err(|_| missing("workspace"))?;
    if !place.is_project() && place.cluster.trim().is_empty() {
        let w = &ws;
        upstream
            .call_quiet(|api| async move { api.get_workspace(w).await })
            .await
            .ok_or_else(|| missing("workspace"))?;
        return Ok(CheckedPlace::Workspace(ws));
    }
    let cluster = ClusterName::parse(place.cluster.trim()).map_err(|_| missing("project"))?;
    let project = ProjectName::parse(place.project.trim()).map_err(|_| missing("project"))?;
    let (w, c, p) = (&ws, &cluster, &project);
    upstream.call_quiet(|api| async move { api.get_project(c, w, p).await }).await.ok_or_else(|| missing("project"))?;
    Ok(CheckedPlace::Project(ws, cluster, project))
}

/// The built-in roles of a workspace, or of a project, least privileged first.
pub fn role_options(workspace: &str, is_project: bool) -> Vec<RoleOption> {
    let locale = crate::language::locale();
    if is_project {
        return ProjectRole::ALL
            .into_iter()
            .map(|r| RoleOption::named(r.name(), crate::builtin_roles::describe_project(r, locale), r.is_admin()))
            .collect();
    }
    WorkspaceRoleKind::ALL
        .into_iter()
        .map(|kind| {
            let [name, _] = kind.candidate_names(workspace);
            RoleOption {
                value: kind.suffix().into(),
                name,
                description: crate::builtin_roles::describe_workspace(kind, locale).into(),
                is_admin: kind.is_admin(),
            }
        })
        .collect()
}

/// The role, if it is one of the place's built-in roles.
fn builtin_role(place: &CheckedPlace, role: &str) -> Result<String, AppError> {
    let ok = match place {
        CheckedPlace::Workspace(_) => WorkspaceRoleKind::parse(role).is_ok(),
        CheckedPlace::Project(..) => ProjectRole::parse(role).is_ok(),
    };
    if ok {
        Ok(role.to_owned())
    } else {
        let locale = crate::language::locale();
        Err(AppError::field("role", td_string!(locale, requests.not_builtin)))
    }
}

fn change_of(action: Action, request: &AccessRequest, role: &str) -> Change {
    let change = Change::new(action).user(&request.requester).workspace(&request.place.workspace);
    let change = if request.place.is_project() {
        change.project(&request.place.cluster, &request.place.project)
    } else {
        change
    };
    change.roles(None, role)
}

pub async fn ask(upstream: &Upstream, place: Place, role: String, reason: String) -> Result<AccessRequest, AppError> {
    let locale = crate::language::locale();
    let checked = check_place(upstream, &place).await?;
    let role = builtin_role(&checked, role.trim())?;
    let reason = reason.trim().to_owned();
    if reason.is_empty() {
        return Err(AppError::field("reason", td_string!(locale, requests.reason_needed)));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(AppError::field(
            "reason",
            td_string!(locale, requests.reason_too_long, n = MAX_REASON_CHARS).to_string(),
        ));
    }
    let records = store()?;
    let at_ms = now_ms();
    let request = AccessRequest {
        id: uuid::Uuid::new_v4().to_string(),
        requester: upstream.username().to_owned(),
        place: checked.place(),
        role,
        reason,
        at_ms,
        state: RequestState::Pending,
        decided_by: None,
        decided_at_ms: None,
        note: String::new(),
    };
    let change = change_of(Action::RequestAccess, &request, &request.role_name());
    let stored = upstream
        .recorded(Via::Request, vec![change], async {
            match records.add(&request, MAX_PENDING, expired_before(at_ms)).await.map_err(unavailable)? {
                Stored::Added { .. } => Ok(()),
                Stored::TooMany => {
                    Err(AppError::Invalid(td_string!(locale, requests.too_many, n = MAX_PENDING).to_string()))
                }
            }
        })
        .await;
    stored.map(|()| request)
}

pub async fn join_link(upstream: &Upstream, place: Place, role: String) -> Result<super::JoinLink, AppError> {
    let locale = crate::language::locale();
    let place = check_place(upstream, &place).await?.place();
    if !may_decide(upstream, &place).await {
        return Err(AppError::NotAllowedTo(td_string!(locale, requests.join_link_what).to_owned()));
    }
    let roles = role_options(&place.workspace, place.is_project());
    let chosen = if roles.iter().any(|r| r.value == role) { role } else { place.least_role().to_owned() };
    let origin = crate::upstream::public_origin()?;
    let encode = crate::kit::url::encode_query_value;
    let path = if place.is_project() {
        format!("/join/{}/{}/{}", encode(&place.workspace), encode(&place.cluster), encode(&place.project))
    } else {
        format!("/join/{}", encode(&place.workspace))
    };
    let url = format!("{}{path}?role={}", origin.trim_end_matches('/'), encode(&chosen));
    let qr_svg = qrcode::QrCode::new(url.as_bytes())
        .map_err(|_| AppError::Internal)?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build()
        // An XML declaration has no place inside an HTML page.
        .trim_start_matches(r#"<?xml version="1.0" standalone="yes"?>"#)
        .to_owned();
    Ok(super::JoinLink { place, url, qr_svg, roles, chosen })
}

/// The requester's role at the place now, as the decider's token reads it.
async fn holds(upstream: &Upstream, request: &AccessRequest) -> Option<String> {
    let user = request.requester.as_str();
    let ws = WorkspaceName::parse(&request.place.workspace).ok()?;
    let params = ks_client::ListOptions::new().name(user).unpaged();
    let (members, annotation) = if request.place.is_project() {
        let c = ClusterName::parse(&request.place.cluster).ok()?;
        let p = ProjectName::parse(&request.place.project).ok()?;
        let (c, p, params) = (&c, &p, &params);
        let found = upstream.call_quiet(|api| async move { api.list_project_members(c, p, params).await }).await?;
        (found.into_items(), ANNOTATION_PROJECT_ROLE)
    } else {
        let (w, params) = (&ws, &params);
        let found = upstream.call_quiet(|api| async move { api.list_workspace_members(w, params).await }).await?;
        (found.into_items(), ANNOTATION_WORKSPACE_ROLE)
    };
    members.iter().find(|m| m.metadata.name == user).and_then(|m| m.annotation(annotation)).map(str::to_owned)
}

pub async fn inbox(upstream: &Upstream) -> Result<Inbox, AppError> {
    let records = store()?;
    let now = now_ms();
    let me = upstream.username();
    let (decidable, mine) = tokio::join!(decidable(upstream), records.of_requester(me, 50));
    let (decidable, mine) = (decidable?, mine.map_err(unavailable)?);
    let to_decide = bounded_join(decidable.into_iter().map(|request| async move {
        let holds = holds(upstream, &request).await;
        let roles = role_options(&request.place.workspace, request.place.is_project());
        ToDecide { request, holds, roles }
    }))
    .await;
    let mine = mine
        .into_iter()
        .map(|mut r| {
            if r.state == RequestState::Pending && r.at_ms < expired_before(now) {
                r.state = RequestState::Expired;
            }
            r
        })
        .collect();
    Ok(Inbox { to_decide, mine })
}

/// A pending request by id, or a sentence saying it is not pending any more.
async fn pending_request(id: &str) -> Result<AccessRequest, AppError> {
    let locale = crate::language::locale();
    let gone = || AppError::Invalid(td_string!(locale, requests.not_pending).to_owned());
    let request = store()?.get(id).await.map_err(unavailable)?.ok_or_else(gone)?;
    if request.state != RequestState::Pending || request.at_ms < expired_before(now_ms()) {
        return Err(gone());
    }
    Ok(request)
}

async fn settle(request: AccessRequest, decision: Decision) -> Result<AccessRequest, AppError> {
    let locale = crate::language::locale();
    if !store()?.decide(&request.id, &decision).await.map_err(unavailable)? {
        return Err(AppError::Invalid(td_string!(locale, requests.not_pending).to_owned()));
    }
    Ok(AccessRequest {
        state: decision.state,
        decided_by: Some(decision.by),
        decided_at_ms: Some(decision.at_ms),
        note: decision.note,
        ..request
    })
}

pub async fn approve(
    upstream: &Upstream,
    id: &str,
    role: String,
    confirm_admin: crate::kit::Checkbox,
) -> Result<AccessRequest, AppError> {
    use crate::planner::wishes::{Intent, Membership, Wish};
    let request = pending_request(id).await?;
    let place = check_place(upstream, &request.place).await?;
    let role = builtin_role(&place, role.trim())?;
    let user = UserName::parse(&request.requester).map_err(|_| AppError::Internal)?;
    let (membership, role_name) = match &place {
        CheckedPlace::Workspace(ws) => {
            let kind = WorkspaceRoleKind::parse(&role).map_err(|_| AppError::Internal)?;
            let what = crate::roles::ssr::admin_of_workspace(ws);
            crate::roles::ssr::require_confirmation(kind.is_admin(), confirm_admin, &what)?;
            (Membership::Workspace { workspace: ws.clone(), kind }, format!("{ws}-{role}"))
        }
        CheckedPlace::Project(ws, cluster, project) => {
            let r = ProjectRole::parse(&role).map_err(|_| AppError::Internal)?;
            let what = crate::roles::ssr::admin_of_project(project);
            crate::roles::ssr::require_confirmation(r.is_admin(), confirm_admin, &what)?;
            let membership = Membership::Project {
                workspace: ws.clone(),
                cluster: Some(cluster.clone()),
                project: project.clone(),
                role: r,
            };
            (membership, role.clone())
        }
    };
    // Exactly the invitation (or role change), planned and sent as the approver: KubeSphere
    // decides, and its refusal is explained like any form's.
    let wish = Wish::asked(0, user, None, Some(membership), Intent::Onboard);
    let plan = crate::planner::form::plan(upstream, vec![wish], "role").await?;
    // Claimed first, so two approvers (or an approval and a withdrawal) never both act;
    // given back if the invitation does not go through.
    let change = change_of(Action::ApproveRequest, &request, &role_name);
    let me = upstream.username().to_owned();
    let decision = Decision { state: RequestState::Approved, by: me.clone(), at_ms: now_ms(), note: role_name };
    let id = request.id.clone();
    let approved = settle(request, decision).await?;
    if let Err(e) = crate::planner::form::send(upstream, plan).await {
        let _ = store()?.reopen(&id, &me).await.map_err(unavailable);
        return Err(e);
    }
    upstream.recorded(Via::Request, vec![change], async { Ok(approved) }).await
}

pub async fn decline(upstream: &Upstream, id: &str, reason: String) -> Result<AccessRequest, AppError> {
    let locale = crate::language::locale();
    let reason = reason.trim().to_owned();
    if reason.is_empty() {
        return Err(AppError::field("reason", td_string!(locale, requests.decline_reason_needed)));
    }
    let request = pending_request(id).await?;
    if !may_decide(upstream, &request.place).await {
        return Err(AppError::NotAllowedTo(td_string!(locale, requests.decide_what).to_owned()));
    }
    let change = change_of(Action::DeclineRequest, &request, &request.role_name());
    let decision = Decision {
        state: RequestState::Declined,
        by: upstream.username().to_owned(),
        at_ms: now_ms(),
        note: reason.chars().take(MAX_REASON_CHARS).collect(),
    };
    upstream.recorded(Via::Request, vec![change], settle(request, decision)).await
}

pub async fn withdraw(upstream: &Upstream, id: &str) -> Result<AccessRequest, AppError> {
    let locale = crate::language::locale();
    let request = pending_request(id).await?;
    if request.requester != upstream.username() {
        return Err(AppError::NotAllowedTo(td_string!(locale, requests.withdraw_what).to_owned()));
    }
    let change = change_of(Action::WithdrawRequest, &request, &request.role_name());
    let decision = Decision {
        state: RequestState::Withdrawn,
        by: upstream.username().to_owned(),
        at_ms: now_ms(),
        note: String::new(),
    };
    upstream.recorded(Via::Request, vec![change], settle(request, decision)).await
}
