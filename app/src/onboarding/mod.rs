//! `/onboard`: a person onboarded on one page — the account (or an existing one), its platform
//! role, any number of workspaces and projects with their roles — reviewed in plain words before
//! anything is sent, then applied step by step. Applying plans again from what KubeSphere holds
//! now, so what is already in place is never sent twice and "retry the rest" sends only the rest.
//!
//! The page is plain HTML forms posted to `/onboard` itself and rendered with the answer (no
//! redirect, so a password shown once never passes through the session).

#[cfg(feature = "ssr")]
pub mod calls;
mod page;

pub use page::OnboardPage;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// At most this many workspace rows and this many project rows.
pub const MAX_ROWS: usize = 20;

/// What the form holds, as typed (checked on the server).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnboardInput {
    pub username: String,
    pub email: String,
    pub display_name: String,
    /// Empty: a strong one is generated when the account is created.
    pub password: String,
    /// Empty: platform-regular for a new person, unchanged for an existing one.
    pub platform_role: String,
    pub workspaces: Vec<WorkspaceRow>,
    pub projects: Vec<ProjectRow>,
    pub confirm_admin: bool,
    /// The plan the person reviewed (its steps' keys), which apply must still match.
    pub reviewed: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceRow {
    pub workspace: String,
    /// A role kind (`regular`, `viewer`, `self-provisioner`, `admin`); empty: regular.
    pub role: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectRow {
    pub cluster: String,
    pub project: String,
    /// `viewer`, `operator` or `admin`; empty: viewer.
    pub role: String,
}

impl OnboardInput {
    /// The form's fields as posted (repeated names for the rows, in order).
    pub fn from_fields(fields: &[(String, String)]) -> Self {
        let mut input = OnboardInput::default();
        let all =
            |name: &str| fields.iter().filter(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned()).collect::<Vec<_>>();
        let one = |name: &str| all(name).into_iter().next().unwrap_or_default();
        input.username = one("username");
        input.email = one("email");
        input.display_name = one("display_name");
        input.password = fields.iter().find(|(k, _)| k == "password").map(|(_, v)| v.clone()).unwrap_or_default();
        input.platform_role = one("platform_role");
        input.confirm_admin = one("confirm_admin") == "yes";
        input.reviewed = one("reviewed");
        let (names, roles) = (all("workspace"), all("workspace_role"));
        input.workspaces = names
            .into_iter()
            .enumerate()
            .map(|(i, workspace)| WorkspaceRow { workspace, role: roles.get(i).cloned().unwrap_or_default() })
            .filter(|r| !r.workspace.is_empty())
            .take(MAX_ROWS + 1)
            .collect();
        let (clusters, projects, roles) = (all("project_cluster"), all("project"), all("project_role"));
        input.projects = projects
            .into_iter()
            .enumerate()
            .map(|(i, project)| ProjectRow {
                cluster: clusters.get(i).cloned().unwrap_or_default(),
                project,
                role: roles.get(i).cloned().unwrap_or_default(),
            })
            .filter(|r| !r.project.is_empty())
            .take(MAX_ROWS + 1)
            .collect();
        input
    }
}

/// Where one step stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepState {
    /// Will be sent.
    Planned,
    /// Already so in KubeSphere: nothing will be sent.
    InPlace,
    Done,
    Failed(String),
    /// Not sent because an earlier step it needs failed.
    NotRun,
}

/// One call to KubeSphere (or one thing already in place), in plain words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// Stable words for what it does, e.g. `invite zoe to workspace demo as demo-regular`.
    pub key: String,
    /// What a person reads.
    pub text: String,
    pub admin: bool,
    pub state: StepState,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    /// Nothing sent: the plan to review.
    Review,
    /// Sent: each step's result.
    Applied,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnboardOutcome {
    pub stage: Stage,
    pub username: String,
    /// The account exists already: only memberships (and a platform role) are changed.
    pub existing_user: bool,
    pub steps: Vec<Step>,
    /// The keys of the planned steps, for apply to check against.
    pub plan: String,
    /// The admin grants of the plan, named, for the one confirmation.
    pub admin_grants: Vec<String>,
    /// Set when apply found the plan changed since the review: nothing was sent.
    pub changed_since_review: bool,
    /// The password of the account just created, shown once on this page.
    pub password: Option<String>,
}

impl OnboardOutcome {
    pub fn left(&self) -> usize {
        self.steps.iter().filter(|s| matches!(s.state, StepState::Failed(_) | StepState::NotRun)).count()
    }

    pub fn planned(&self) -> usize {
        self.steps.iter().filter(|s| s.state == StepState::Planned).count()
    }
}

/// Reviews (`apply` false: reads only) or applies the onboarding described by `input`.
#[server(prefix = "/api", endpoint = "onboard")]
pub async fn onboard(input: OnboardInput, apply: bool) -> Result<OnboardOutcome, AppError> {
    let upstream = crate::upstream::Upstream::from_context()?;
    let plan = ssr::plan(&upstream, &input).await?;
    if !apply {
        return Ok(plan.outcome(Stage::Review));
    }
    if plan.key() != input.reviewed {
        let mut outcome = plan.outcome(Stage::Review);
        outcome.changed_since_review = true;
        return Ok(outcome);
    }
    if !plan.admin_grants().is_empty() && !input.confirm_admin {
        let locale = crate::language::locale();
        return Err(crate::upstream::fail_with(AppError::field(
            "confirm_admin",
            crate::i18n::td_string!(locale, onboarding.confirm_admin_first),
        )));
    }
    Ok(ssr::apply(&upstream, plan).await)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use ks_types::{
        ClusterName, Email, Password, PlatformRole, ProjectName, ProjectRole, UserName, WorkspaceName, WorkspaceRole,
        WorkspaceRoleKind,
    };

    use super::calls::Call;
    use super::{OnboardInput, OnboardOutcome, Stage, Step, StepState, MAX_ROWS};
    use crate::activity::ssr::{project_role_of, project_workspace, workspace_role_of};
    use crate::audit::Via;
    use crate::directory::ssr::bounded_join;
    use crate::error::{name_error, password_error, role_error, AppError};
    use crate::i18n::td_string;
    use crate::language::Locale;
    use crate::upstream::Upstream;

    pub struct Planned {
        pub step: Step,
        /// `None`: already in place.
        pub call: Option<Call>,
    }

    pub struct Plan {
        pub user: UserName,
        pub existing: bool,
        pub steps: Vec<Planned>,
    }

    impl Plan {
        /// The keys of the steps that will be sent, one a line: what a review approves.
        pub fn key(&self) -> String {
            self.steps.iter().filter(|s| s.call.is_some()).map(|s| s.step.key.as_str()).collect::<Vec<_>>().join("\n")
        }

        pub fn admin_grants(&self) -> Vec<String> {
            self.steps.iter().filter(|s| s.call.is_some() && s.step.admin).map(|s| s.step.text.clone()).collect()
        }

        pub fn outcome(&self, stage: Stage) -> OnboardOutcome {
            OnboardOutcome {
                stage,
                username: self.user.to_string(),
                existing_user: self.existing,
                steps: self.steps.iter().map(|s| s.step.clone()).collect(),
                plan: self.key(),
                admin_grants: self.admin_grants(),
                changed_since_review: false,
                password: None,
            }
        }
    }

    fn step(key: String, text: String, admin: bool, call: Option<Call>) -> Planned {
        let state = if call.is_some() { StepState::Planned } else { StepState::InPlace };
        Planned { step: Step { key, text, admin, state }, call }
    }

    fn field(name: String, message: impl Into<String>) -> AppError {
        crate::upstream::fail_with(AppError::field(&name, message))
    }

    /// Checks the input and asks KubeSphere what is in place already (reads only): the user, each
    /// workspace's built-in role names, each project's workspace and roles, and the person's
    /// current roles. Rows are looked at together.
    pub async fn plan(upstream: &Upstream, input: &OnboardInput) -> Result<Plan, AppError> {
        let locale = crate::language::locale();
        if input.workspaces.len() > MAX_ROWS || input.projects.len() > MAX_ROWS {
            return Err(AppError::Invalid(td_string!(locale, onboarding.too_many_rows, max = MAX_ROWS).to_string()));
        }
        let user = UserName::parse(&input.username).map_err(|e| field("username".into(), name_error(&e)))?;
        let workspaces = parse_workspaces(locale, input)?;
        let projects = parse_projects(locale, input)?;

        let name = user.clone();
        let found = upstream
            .call(|api| async move { api.list_users(&[("names", name.as_str()), ("limit", "1")]).await })
            .await?
            .into_items()
            .into_iter()
            .find(|u| u.metadata.name == user.as_str());
        let existing = found.is_some();
        let mut steps = Vec::new();
        match &found {
            None => {
                UserName::parse_new(&input.username).map_err(|e| field("username".into(), name_error(&e)))?;
                let email = Email::parse(&input.email).map_err(|e| field("email".into(), name_error(&e)))?;
                let role = match input.platform_role.as_str() {
                    "" => PlatformRole::Regular,
                    raw => PlatformRole::parse(raw).map_err(|e| field("platform_role".into(), role_error(&e)))?,
                };
                let password = match input.password.as_str() {
                    "" => None,
                    raw => Some(Password::parse(raw).map_err(|e| field("password".into(), password_error(e)))?),
                };
                let display_name = Some(input.display_name.clone()).filter(|d| !d.is_empty());
                steps.push(step(
                    format!("create user {user} as {}", role.name()),
                    td_string!(locale, onboarding.step_create_user, user = &user, email = &email, role = role.name())
                        .to_string(),
                    role.is_admin(),
                    Some(Call::CreateUser { user: user.clone(), email, display_name, role, password }),
                ));
            }
            Some(current) => {
                let now = current.global_role().map(str::to_owned);
                if !input.platform_role.is_empty() {
                    let role = PlatformRole::parse(&input.platform_role)
                        .map_err(|e| field("platform_role".into(), role_error(&e)))?;
                    let call = (now.as_deref() != Some(role.name())).then(|| Call::PlatformRole {
                        user: user.clone(),
                        role,
                        before: now.clone(),
                    });
                    let text = match &call {
                        Some(_) => td_string!(
                            locale,
                            onboarding.step_change_platform_role,
                            user = &user,
                            before = now.as_deref().unwrap_or(td_string!(locale, onboarding.no_role)),
                            role = role.name()
                        )
                        .to_string(),
                        None => td_string!(locale, onboarding.step_has_platform_role, user = &user, role = role.name())
                            .to_string(),
                    };
                    steps.push(step(format!("platform role of {user}: {}", role.name()), text, role.is_admin(), call));
                }
            }
        }

        let ws_steps = bounded_join(workspaces.into_iter().map(|(i, ws, kind)| {
            let user = user.clone();
            async move {
                let (role, now) =
                    futures::future::join(crate::roles::ssr::resolve_workspace_role(upstream, &ws, kind), async {
                        if existing {
                            workspace_role_of(upstream, &ws, &user).await
                        } else {
                            None
                        }
                    })
                    .await;
                let role = role.map_err(|e| match e {
                    AppError::InvalidField { message, .. } => field(format!("workspace-{i}"), message),
                    other => other,
                })?;
                Ok::<_, AppError>(workspace_step(locale, &user, &ws, role, now))
            }
        }))
        .await;
        for s in ws_steps {
            steps.push(s?);
        }

        let project_steps = bounded_join(projects.into_iter().map(|(i, cluster, ns, role)| {
            let user = user.clone();
            async move {
                let (exists, home, now) = futures::future::join3(
                    crate::roles::ssr::require_project_role(upstream, &cluster, &ns, role),
                    project_workspace(upstream, &cluster, &ns),
                    async {
                        if existing {
                            project_role_of(upstream, &cluster, &ns, &user).await
                        } else {
                            None
                        }
                    },
                )
                .await;
                let Some(home) = home else {
                    return Err(field(
                        format!("project-{i}"),
                        td_string!(locale, onboarding.no_such_project, project = &ns, cluster = &cluster).to_string(),
                    ));
                };
                exists.map_err(|e| match e {
                    AppError::InvalidField { message, .. } => field(format!("project-{i}"), message),
                    other => other,
                })?;
                Ok(project_step(locale, &user, &cluster, &ns, Some(home), role, now))
            }
        }))
        .await;
        for s in project_steps {
            steps.push(s?);
        }
        Ok(Plan { user, existing, steps })
    }

    fn parse_workspaces(
        locale: Locale,
        input: &OnboardInput,
    ) -> Result<Vec<(usize, WorkspaceName, WorkspaceRoleKind)>, AppError> {
        let mut out: Vec<(usize, WorkspaceName, WorkspaceRoleKind)> = Vec::new();
        for (i, row) in input.workspaces.iter().enumerate() {
            let ws =
                WorkspaceName::parse(&row.workspace).map_err(|e| field(format!("workspace-{i}"), name_error(&e)))?;
            let kind = match row.role.as_str() {
                "" => WorkspaceRoleKind::Regular,
                raw => WorkspaceRoleKind::parse(raw).map_err(|e| field(format!("workspace-{i}"), role_error(&e)))?,
            };
            if out.iter().any(|(_, seen, _)| seen == &ws) {
                let message = td_string!(locale, onboarding.workspace_twice, workspace = &ws).to_string();
                return Err(field(format!("workspace-{i}"), message));
            }
            out.push((i, ws, kind));
        }
        Ok(out)
    }

    fn parse_projects(
        locale: Locale,
        input: &OnboardInput,
    ) -> Result<Vec<(usize, ClusterName, ProjectName, ProjectRole)>, AppError> {
        let mut out: Vec<(usize, ClusterName, ProjectName, ProjectRole)> = Vec::new();
        for (i, row) in input.projects.iter().enumerate() {
            let cluster =
                ClusterName::parse(&row.cluster).map_err(|e| field(format!("project-{i}"), name_error(&e)))?;
            let ns = ProjectName::parse(&row.project).map_err(|e| field(format!("project-{i}"), name_error(&e)))?;
            let role = match row.role.as_str() {
                "" => ProjectRole::Viewer,
                raw => ProjectRole::parse(raw).map_err(|e| field(format!("project-{i}"), role_error(&e)))?,
            };
            if out.iter().any(|(_, c, n, _)| c == &cluster && n == &ns) {
                let message =
                    td_string!(locale, onboarding.project_twice, project = &ns, cluster = &cluster).to_string();
                return Err(field(format!("project-{i}"), message));
            }
            out.push((i, cluster, ns, role));
        }
        Ok(out)
    }

    fn workspace_step(
        locale: Locale,
        user: &UserName,
        ws: &WorkspaceName,
        role: WorkspaceRole,
        now: Option<String>,
    ) -> Planned {
        let admin = role.kind().is_admin();
        let name = role.name().to_owned();
        let key = format!("workspace {ws} for {user}: {name}");
        match now {
            None => step(
                key,
                td_string!(locale, onboarding.step_invite_workspace, user, workspace = ws, role = &name).to_string(),
                admin,
                Some(Call::InviteToWorkspace { user: user.clone(), role }),
            ),
            Some(current) if current == name => {
                let text = td_string!(locale, onboarding.step_in_workspace, user, workspace = ws, role = &name);
                step(key, text.to_string(), admin, None)
            }
            Some(current) => step(
                key,
                td_string!(
                    locale,
                    onboarding.step_change_workspace_role,
                    user,
                    workspace = ws,
                    before = &current,
                    role = &name
                )
                .to_string(),
                admin,
                Some(Call::WorkspaceRole { user: user.clone(), role, before: current }),
            ),
        }
    }

    fn project_step(
        locale: Locale,
        user: &UserName,
        cluster: &ClusterName,
        ns: &ProjectName,
        workspace: Option<String>,
        role: ProjectRole,
        now: Option<String>,
    ) -> Planned {
        let key = format!("project {cluster}/{ns} for {user}: {}", role.name());
        let (cluster, project) = (cluster.clone(), ns.clone());
        match now {
            None => step(
                key,
                td_string!(
                    locale,
                    onboarding.step_invite_project,
                    user,
                    project = ns,
                    cluster = &cluster,
                    role = role.name()
                )
                .to_string(),
                role.is_admin(),
                Some(Call::InviteToProject { user: user.clone(), cluster, project, workspace, role }),
            ),
            Some(current) if current == role.name() => step(
                key,
                td_string!(
                    locale,
                    onboarding.step_in_project,
                    user,
                    project = ns,
                    cluster = &cluster,
                    role = role.name()
                )
                .to_string(),
                role.is_admin(),
                None,
            ),
            Some(current) => step(
                key,
                td_string!(
                    locale,
                    onboarding.step_change_project_role,
                    user,
                    project = ns,
                    cluster = &cluster,
                    before = &current,
                    role = role.name()
                )
                .to_string(),
                role.is_admin(),
                Some(Call::ProjectRole { user: user.clone(), cluster, project, workspace, role, before: current }),
            ),
        }
    }

    /// Sends the planned steps in order, each recorded in the activity log. A failed account
    /// stops everything after it; a failed membership leaves the others to go on.
    pub async fn apply(upstream: &Upstream, plan: Plan) -> OnboardOutcome {
        let mut outcome = plan.outcome(Stage::Applied);
        let mut stop = false;
        for (i, planned) in plan.steps.into_iter().enumerate() {
            let Some(call) = planned.call else { continue };
            if stop {
                outcome.steps[i].state = StepState::NotRun;
                continue;
            }
            let creates = call.creates_account();
            let result = call.send(upstream, Via::Wizard).await;
            outcome.steps[i].state = match result {
                Ok(password) => {
                    if password.is_some() {
                        outcome.password = password;
                    }
                    StepState::Done
                }
                Err(e) => {
                    stop = creates;
                    StepState::Failed(e.message())
                }
            };
        }
        outcome
    }
}
