//! Who is told of a change made through the console: the person changed, or for an access
//! request filed or withdrawn, the administrators of its place; never the one who made it, and
//! nobody for a write KubeSphere refused. Their e-mail and language are read with the writer's
//! token while the write is in flight; the activity log keeps the notices with the entries.

use std::collections::{BTreeSet, HashMap};

use ks_client::model::{ANNOTATION_PROJECT_ROLE, ANNOTATION_WORKSPACE_ROLE};
use ks_types::{ClusterName, ProjectName, UserName, WorkspaceName};

use super::Upstream;
use crate::activity_log::{Action, Change, Notice, Record};

/// What KubeSphere told about the people a write concerns, read with the writer's token.
#[derive(Debug, Clone, Default)]
pub struct Contacts {
    /// username → (e-mail, `spec.lang`).
    people: HashMap<String, (String, Option<String>)>,
    /// A request's place (`ws` or `ws/cluster/project`) → its administrators.
    admins: HashMap<String, Vec<String>>,
}

fn scope_key(c: &Change) -> String {
    match (&c.cluster, &c.project) {
        (Some(cluster), Some(project)) => format!("{}/{cluster}/{project}", c.workspace.as_deref().unwrap_or("")),
        _ => c.workspace.clone().unwrap_or_default(),
    }
}

/// Reads who `changes` concern (when notifications are on): the administrators of a
/// request's place, then everyone's e-mail and language. Runs while the write is in flight;
/// anything KubeSphere does not tell is left out (a notice is never worth failing a change).
pub async fn contacts(upstream: &Upstream, changes: &[Change]) -> Contacts {
    let mut contacts = Contacts::default();
    let scopes: BTreeSet<String> = changes
        .iter()
        .filter(|c| matches!(c.action, Action::RequestAccess | Action::WithdrawRequest))
        .map(scope_key)
        .collect();
    for scope in scopes {
        let change = changes.iter().find(|c| scope_key(c) == scope);
        let admins = match change {
            Some(c) => admins_of(upstream, c).await,
            None => Vec::new(),
        };
        contacts.admins.insert(scope, admins);
    }
    let mut names: BTreeSet<String> = changes.iter().filter_map(|c| c.target_user.clone()).collect();
    names.extend(contacts.admins.values().flatten().cloned());
    contacts.people = people(upstream, &names).await;
    contacts
}

/// Those not found (an account the write itself creates) are read again once it is done.
pub async fn complete(upstream: &Upstream, contacts: &mut Contacts, records: &[Record]) {
    let missing: BTreeSet<String> = records
        .iter()
        .filter(|r| r.succeeded)
        .filter_map(|r| r.change.target_user.clone())
        .filter(|u| !contacts.people.contains_key(u))
        .collect();
    if !missing.is_empty() {
        contacts.people.extend(people(upstream, &missing).await);
    }
}

async fn people(upstream: &Upstream, names: &BTreeSet<String>) -> HashMap<String, (String, Option<String>)> {
    if names.is_empty() {
        return HashMap::new();
    }
    let found = upstream
        .call_quiet(|api| async move { api.list_users(&ks_client::ListOptions::new().names(names).unpaged()).await })
        .await;
    found
        .map(|l| l.into_items())
        .unwrap_or_default()
        .into_iter()
        .map(|u| {
            let lang = u.spec.rest.get("lang").and_then(|v| v.as_str()).filter(|l| !l.is_empty()).map(str::to_owned);
            (u.metadata.name.clone(), (u.spec.email.clone(), lang))
        })
        .collect()
}

/// The administrators of a request's place as the writer may see them: a project's admins
/// and its workspace's, or the workspace's; when its members cannot be read (the requester
/// is no member), the workspace's manager, whom anyone may read.
async fn admins_of(upstream: &Upstream, c: &Change) -> Vec<String> {
    let Some(ws) = c.workspace.as_deref().and_then(|w| WorkspaceName::parse(w).ok()) else {
        return Vec::new();
    };
    let w = &ws;
    let admin_role = format!("{ws}-admin");
    let workspace_admins = async {
        let members = upstream
            .call_quiet(
                |api| async move { api.list_workspace_members(w, &ks_client::ListOptions::new().unpaged()).await },
            )
            .await;
        match members {
            Some(list) => list
                .into_items()
                .into_iter()
                .filter(|m| m.annotation(ANNOTATION_WORKSPACE_ROLE) == Some(admin_role.as_str()))
                .map(|m| m.metadata.name)
                .collect::<Vec<_>>(),
            None => upstream
                .call_quiet(|api| async move { api.get_workspace(w).await })
                .await
                .and_then(|t| t.manager().map(str::to_owned))
                .into_iter()
                .collect(),
        }
    };
    let project = c
        .cluster
        .as_deref()
        .zip(c.project.as_deref())
        .and_then(|(cl, p)| Some((ClusterName::parse(cl).ok()?, ProjectName::parse(p).ok()?)));
    let project_admins = async {
        let Some((cl, p)) = &project else { return Vec::new() };
        upstream
            .call_quiet(
                |api| async move { api.list_project_members(cl, p, &ks_client::ListOptions::new().unpaged()).await },
            )
            .await
            .map(|l| l.into_items())
            .unwrap_or_default()
            .into_iter()
            .filter(|m| m.annotation(ANNOTATION_PROJECT_ROLE) == Some("admin"))
            .map(|m| m.metadata.name)
            .collect()
    };
    let (mut admins, project_admins) = tokio::join!(workspace_admins, project_admins);
    admins.extend(project_admins);
    admins.retain(|a| UserName::parse(a).is_ok());
    admins.sort();
    admins.dedup();
    admins
}

/// The notices of `records` (those that went through), one per person told and change.
pub fn notices(records: &[Record], contacts: &Contacts) -> Vec<Notice> {
    let mut out = Vec::new();
    let no_admins = Vec::new();
    for r in records {
        let admins = contacts.admins.get(&scope_key(&r.change)).unwrap_or(&no_admins);
        for recipient in told_about(r, admins) {
            let (email, lang) = contacts.people.get(&recipient).cloned().unwrap_or_default();
            out.push(Notice {
                recipient,
                email,
                lang,
                batch: r.request_id.clone().unwrap_or_else(|| format!("at-{}", r.at_ms)),
                about_request: matches!(r.change.action, Action::RequestAccess | Action::WithdrawRequest),
                record: r.clone(),
            });
        }
    }
    out
}

/// Who is told of a change that went through: the person changed, or for an access request
/// filed or withdrawn, the administrators of its place; never the one who made it.
pub fn told_about(record: &Record, admins: &[String]) -> Vec<String> {
    if !record.succeeded {
        return Vec::new();
    }
    let people: Vec<String> = match record.change.action {
        Action::RequestAccess | Action::WithdrawRequest => admins.to_vec(),
        Action::CreateWorkspace | Action::CreateProject => Vec::new(),
        _ => record.change.target_user.iter().cloned().collect(),
    };
    let mut people: Vec<String> = people.into_iter().filter(|p| *p != record.actor).collect();
    people.sort();
    people.dedup();
    people
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_actor_is_never_told_and_a_refused_write_tells_nobody() {
        let own = Record::done_by("frank", Change::new(Action::InviteToWorkspace).user("frank"));
        assert!(told_about(&own, &[]).is_empty());
        let invite = Record::done_by("lead", Change::new(Action::InviteToWorkspace).user("frank"));
        assert_eq!(told_about(&invite, &[]), vec!["frank"]);
        assert!(told_about(&Record { succeeded: false, ..invite }, &[]).is_empty());
    }

    #[test]
    fn a_request_tells_the_admins_of_its_place() {
        let ask = Record::done_by("frank", Change::new(Action::RequestAccess).user("frank").workspace("demo"));
        assert_eq!(told_about(&ask, &["frank".into(), "lead".into(), "alice".into()]), vec!["alice", "lead"]);
    }
}
