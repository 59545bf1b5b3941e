//! "Can this person do this here, and who can say yes?" (`/explain`): for the actions the
//! console's forms offer and a few everyday ones, yes or no, because of which membership and
//! built-in role; when no, who can grant it, nearest first. Platform administrators also see
//! KubeSphere's own verdict (`subjectaccessreviews`), its reason shown as given, never parsed.

mod page;
mod rules;

pub use page::ExplainPage;
pub use rules::{decide, workspace_kind, Ability, Because, Level, Roles, Verdict};

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// KubeSphere's own answer to "may this person do this" (platform administrators only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KubeSphereVerdict {
    pub allowed: bool,
    /// As KubeSphere wrote it (it labels workspace bindings "GlobalRoleBinding" and gives no
    /// reason on a denial): shown, never parsed.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub ability: Ability,
    pub verdict: Verdict,
    pub kubesphere: Option<KubeSphereVerdict>,
}

/// The answers for one person in one workspace or project.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    pub user: String,
    pub workspace: String,
    /// Empty at workspace level.
    pub cluster: String,
    pub project: String,
    pub roles: Roles,
    pub answers: Vec<Answer>,
    /// Who can grant what is missing, nearest first: the project's admins, then the workspace's
    /// (then, always, a platform administrator).
    pub project_admins: Vec<String>,
    pub workspace_admins: Vec<String>,
    /// KubeSphere was asked too (the reader is a platform administrator).
    pub asked_kubesphere: bool,
    /// The reader asked about themself: the page offers to ask for access.
    pub about_reader: bool,
}

/// The question, as the page's address has it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub user: String,
    pub workspace: String,
    pub cluster: String,
    pub project: String,
}

impl Question {
    /// The page that answers it.
    pub fn href(&self) -> String {
        let mut query = vec![("user", self.user.as_str()), ("workspace", self.workspace.as_str())];
        if !self.project.is_empty() {
            query.extend([("cluster", self.cluster.as_str()), ("project", self.project.as_str())]);
        }
        let query: Vec<String> =
            query.into_iter().map(|(k, v)| format!("{k}={}", crate::kit::url::encode_query_value(v))).collect();
        format!("/explain?{}", query.join("&"))
    }
}

/// A small "Why?" link to the explainer, named for screen readers by whom and where.
#[component]
pub fn ExplainLink(question: Question) -> impl IntoView {
    let locale = crate::language::locale();
    let place = if question.project.is_empty() {
        question.workspace.clone()
    } else {
        format!("{}/{}", question.cluster, question.project)
    };
    let label =
        crate::i18n::td_string!(locale, explain.link_label, user = question.user.clone(), place = place).to_string();
    view! { <a class="explain-link" href=question.href() aria-label=label>{crate::i18n::td_string!(locale, explain.explain_link)}</a> }
}

/// Explains what `question.user` can do in the workspace (or project) asked about.
#[server(prefix = "/api", endpoint = "explain_access")]
pub async fn explain_access(question: Question) -> Result<Explanation, AppError> {
    let upstream = crate::upstream::Upstream::from_context()?;
    ssr::explain(&upstream, &question).await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use ks_client::model::{ANNOTATION_PROJECT_ROLE, ANNOTATION_WORKSPACE_ROLE};
    use ks_client::SubjectAccessReview;
    use ks_types::{ClusterName, PlatformRole, ProjectName, ProjectRole, UserName, WorkspaceName};

    use super::{decide, workspace_kind, Ability, Answer, Explanation, KubeSphereVerdict, Question, Roles};
    use crate::error::AppError;
    use crate::upstream::Upstream;

    /// Two rounds at most: the person, the workspace's members, the project's members and
    /// projects, and the reader's permissions; then KubeSphere's verdicts, for an administrator.
    pub async fn explain(upstream: &Upstream, q: &Question) -> Result<Explanation, AppError> {
        let invalid = |field: &str| {
            let locale = crate::language::locale();
            AppError::field(field, crate::i18n::td_string!(locale, explain.not_found))
        };
        let user = UserName::parse(q.user.trim()).map_err(|_| invalid("user"))?;
        let ws = WorkspaceName::parse(q.workspace.trim()).map_err(|_| invalid("workspace"))?;
        let place = match (q.cluster.trim(), q.project.trim()) {
            ("", "") => None,
            (c, p) => Some((
                ClusterName::parse(c).map_err(|_| invalid("cluster"))?,
                ProjectName::parse(p).map_err(|_| invalid("project"))?,
            )),
        };
        let (u, w, place_ref) = (&user, &ws, place.as_ref());
        let (person, ws_members, project_side, reader) = tokio::join!(
            upstream.call(|api| async move {
                api.list_users(&ks_client::ListOptions::new().names([u.as_str()]).limit(1)).await
            }),
            upstream.call(|api| async move {
                api.list_workspace_members(w, &ks_client::ListOptions::new().unpaged()).await
            }),
            async move {
                let (c, p) = place_ref?;
                let (projects, members) = tokio::join!(
                    upstream.call(|api| async move { api.list_projects(c, w).await }),
                    upstream.call(|api| async move {
                        api.list_project_members(c, p, &ks_client::ListOptions::new().unpaged()).await
                    }),
                );
                Some((projects, members))
            },
            crate::permissions::ssr::load(upstream),
        );
        let person = person?.into_items().into_iter().find(|p| p.metadata.name == user.as_str());
        let person = person.ok_or_else(|| invalid("user"))?;
        let ws_members = ws_members?.into_items();
        let workspace_admins: Vec<String> = ws_members
            .iter()
            .filter(|m| {
                let role = m.annotation(ANNOTATION_WORKSPACE_ROLE).unwrap_or_default();
                workspace_kind(ws.as_str(), role).is_some_and(|k| k.is_admin())
            })
            .map(|m| m.metadata.name.clone())
            .collect();
        let mut roles = Roles {
            platform: person.global_role().map(str::to_owned),
            workspace: ws_members
                .iter()
                .find(|m| m.metadata.name == user.as_str())
                .and_then(|m| m.annotation(ANNOTATION_WORKSPACE_ROLE))
                .map(str::to_owned),
            project: None,
        };
        let mut workspace_admins = workspace_admins;
        workspace_admins.sort();
        let mut project_admins = Vec::new();
        if let Some((projects, members)) = project_side {
            let (_, project) = place.as_ref().ok_or(AppError::Internal)?;
            if !projects?.iter().any(|ns| ns.metadata.name == project.as_str()) {
                return Err(invalid("project"));
            }
            let members = members?.into_items();
            roles.project = members
                .iter()
                .find(|m| m.metadata.name == user.as_str())
                .and_then(|m| m.annotation(ANNOTATION_PROJECT_ROLE))
                .map(str::to_owned);
            project_admins = members
                .iter()
                .filter(|m| m.annotation(ANNOTATION_PROJECT_ROLE) == Some(ProjectRole::Admin.name()))
                .map(|m| m.metadata.name.clone())
                .collect();
            project_admins.sort();
        }

        let in_project = place.is_some();
        let abilities: &[Ability] = if in_project { &Ability::IN_PROJECT } else { &Ability::IN_WORKSPACE };
        let asked_kubesphere = reader.is_ok_and(|r| r.platform_role.as_deref() == Some(PlatformRole::Admin.name()));
        let verdicts: Vec<Option<KubeSphereVerdict>> = if asked_kubesphere {
            let place = place.as_ref().map(|(c, p)| (c, p));
            futures::future::join_all(abilities.iter().map(|a| {
                let review = review_of(*a, &user, &ws, place.map(|(_, p)| p));
                let cluster = place.map(|(c, _)| c);
                async move {
                    let answer = upstream
                        .call_quiet(|api| async move { api.subject_access_review(cluster, &review).await })
                        .await;
                    answer.map(|a| KubeSphereVerdict { allowed: a.allowed, reason: a.reason })
                }
            }))
            .await
        } else {
            vec![None; abilities.len()]
        };
        let answers = abilities
            .iter()
            .zip(verdicts)
            .map(|(a, kubesphere)| Answer {
                ability: *a,
                verdict: decide(*a, &roles, ws.as_str(), in_project),
                kubesphere,
            })
            .collect();
        Ok(Explanation {
            user: user.to_string(),
            workspace: ws.to_string(),
            cluster: place.as_ref().map(|(c, _)| c.to_string()).unwrap_or_default(),
            project: place.as_ref().map(|(_, p)| p.to_string()).unwrap_or_default(),
            roles,
            answers,
            project_admins,
            workspace_admins,
            asked_kubesphere,
            about_reader: user.as_str() == upstream.username(),
        })
    }

    /// The request an action makes, as KubeSphere's authorizer sees it.
    fn review_of(
        ability: Ability,
        user: &UserName,
        ws: &WorkspaceName,
        project: Option<&ProjectName>,
    ) -> SubjectAccessReview {
        let (verb, group, resource) = match (ability, project.is_some()) {
            (Ability::ViewMembers, false) => ("list", "iam.kubesphere.io", "workspacemembers"),
            (Ability::InviteMembers, false) => ("create", "iam.kubesphere.io", "workspacemembers"),
            (Ability::ChangeRoles, false) => ("update", "iam.kubesphere.io", "workspacemembers"),
            (Ability::ViewMembers, true) => ("list", "iam.kubesphere.io", "namespacemembers"),
            (Ability::InviteMembers, true) => ("create", "iam.kubesphere.io", "namespacemembers"),
            (Ability::ChangeRoles, true) => ("update", "iam.kubesphere.io", "namespacemembers"),
            (Ability::CreateProjects, _) => ("create", "tenant.kubesphere.io", "namespaces"),
            (Ability::ViewResources, _) => ("list", "apps", "deployments"),
            (Ability::DeployWorkloads, _) => ("create", "apps", "deployments"),
        };
        SubjectAccessReview {
            user: user.to_string(),
            verb: verb.to_owned(),
            group: group.to_owned(),
            resource: resource.to_owned(),
            workspace: ws.to_string(),
            namespace: project.map(ToString::to_string).unwrap_or_default(),
        }
    }
}
