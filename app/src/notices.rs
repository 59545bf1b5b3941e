//! Who is told of a change made through the console, and what they read. A kit module:
//! `upstream` works out the notices of every write it records (with the writer's token, while
//! the write is in flight) and the activity log keeps them in its outbox in the same step as the
//! entries; the server's worker sends them, one message per person and batch, in their language.
//! A notice carries the activity record, which has no place for a password or a token.

use serde::{Deserialize, Serialize};

use crate::audit::{Action, Record};
use crate::i18n::td_string;
use crate::language::Locale;

/// One person to tell about one change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub recipient: String,
    /// Their e-mail address in KubeSphere ('' when they have none).
    pub email: String,
    /// Their language in KubeSphere (`spec.lang`), when set.
    pub lang: Option<String>,
    /// What one request or job changed: told in one message.
    pub batch: String,
    /// About an access request (an administrator may take these as a daily digest).
    pub about_request: bool,
    pub record: Record,
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

/// One message, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub subject: String,
    pub text: String,
}

/// The message `recipient` reads about `records` (one batch, in order), in `locale`; links start
/// at `origin`. An approval says what it gave: the invitation it sent is not told again.
pub fn compose(locale: Locale, recipient: &str, records: &[Record], origin: &str, digest: bool) -> Message {
    let origin = origin.trim_end_matches('/');
    let approved: Vec<String> =
        records.iter().filter(|r| r.change.action == Action::ApproveRequest).map(place_key).collect();
    let lines: Vec<String> = records
        .iter()
        .filter(|r| !(r.change.action.grants_membership() && approved.contains(&place_key(r))))
        .map(|r| line(locale, r))
        .collect();
    let about_requests =
        records.iter().all(|r| matches!(r.change.action, Action::RequestAccess | Action::WithdrawRequest));
    let subject = match (digest, about_requests) {
        (true, _) => td_string!(locale, notices.subject_digest),
        (false, true) => td_string!(locale, notices.subject_request),
        (false, false) => td_string!(locale, notices.subject_changed),
    };
    let mut text = td_string!(locale, notices.greeting, recipient).to_string();
    text.push_str("\n\n");
    for l in &lines {
        text.push_str("- ");
        text.push_str(l);
        text.push('\n');
    }
    text.push('\n');
    if about_requests {
        text.push_str(&td_string!(locale, notices.decide_at, link = format!("{origin}/requests")).to_string());
    } else {
        text.push_str(
            &td_string!(locale, notices.see_access, link = format!("{origin}/users/{recipient}")).to_string(),
        );
    }
    text.push('\n');
    text.push_str(&td_string!(locale, notices.turn_off, link = format!("{origin}/settings/notifications")).to_string());
    text.push('\n');
    Message { subject: format!("KS Console: {subject}"), text }
}

fn place_key(r: &Record) -> String {
    let c = &r.change;
    format!("{:?}/{:?}/{:?}", c.workspace, c.cluster, c.project)
}

/// Where a change was, as people read it.
fn place(locale: Locale, r: &Record) -> String {
    let c = &r.change;
    match (&c.workspace, &c.cluster, &c.project) {
        (_, Some(cluster), Some(project)) => td_string!(locale, notices.in_project, project, cluster).to_string(),
        (Some(workspace), _, _) => td_string!(locale, notices.in_workspace, workspace).to_string(),
        _ => td_string!(locale, notices.on_platform).to_owned(),
    }
}

/// One change as a sentence to the person told.
fn line(locale: Locale, r: &Record) -> String {
    let c = &r.change;
    let actor = r.actor.as_str();
    let place = place(locale, r);
    let after = c.role_after.clone().unwrap_or_default();
    let before = c.role_before.clone().unwrap_or_default();
    let who = c.target_user.clone().unwrap_or_default();
    match c.action {
        Action::CreateUser => td_string!(locale, notices.created_account, actor, user = who, role = after).to_string(),
        Action::InviteToWorkspace | Action::InviteToProject => {
            td_string!(locale, notices.added, actor, place, role = after).to_string()
        }
        Action::ChangePlatformRole | Action::ChangeWorkspaceRole | Action::ChangeProjectRole if before.is_empty() => {
            td_string!(locale, notices.role_set, actor, place, role = after).to_string()
        }
        Action::ChangePlatformRole | Action::ChangeWorkspaceRole | Action::ChangeProjectRole => {
            td_string!(locale, notices.role_changed, actor, place, before, after).to_string()
        }
        Action::ApproveRequest => td_string!(locale, notices.approved, actor, place, role = after).to_string(),
        Action::DeclineRequest => td_string!(locale, notices.declined, actor, place, role = after).to_string(),
        Action::RequestAccess => td_string!(locale, notices.asked, user = who, place, role = after).to_string(),
        Action::WithdrawRequest => td_string!(locale, notices.withdrew, user = who, place, role = after).to_string(),
        Action::CreateWorkspace | Action::CreateProject => {
            td_string!(locale, notices.created_place, actor, place).to_string()
        }
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::collections::{BTreeMap, BTreeSet, HashMap};

    use ks_client::model::{ANNOTATION_PROJECT_ROLE, ANNOTATION_WORKSPACE_ROLE};
    use ks_types::{ClusterName, ProjectName, UserName, WorkspaceName};

    use super::{told_about, Notice};
    use crate::audit::{Action, Change, Record};
    use crate::upstream::Upstream;

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
        let list = names.iter().cloned().collect::<Vec<_>>().join(",");
        let list = &list;
        let found = upstream
            .call_quiet(|api| async move { api.list_users(&[("names", list.as_str()), ("limit", "-1")]).await })
            .await;
        found
            .map(|l| l.into_items())
            .unwrap_or_default()
            .into_iter()
            .map(|u| {
                let lang =
                    u.spec.rest.get("lang").and_then(|v| v.as_str()).filter(|l| !l.is_empty()).map(str::to_owned);
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
            let members =
                upstream.call_quiet(|api| async move { api.list_workspace_members(w, &[("limit", "-1")]).await }).await;
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
                .call_quiet(|api| async move { api.list_project_members(cl, p, &[("limit", "-1")]).await })
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

    /// Groups notices the worker claimed: per recipient and batch, in the order written.
    pub fn grouped(notices: Vec<(String, String, Record)>) -> BTreeMap<(String, String), Vec<Record>> {
        let mut out: BTreeMap<(String, String), Vec<Record>> = BTreeMap::new();
        for (recipient, batch, record) in notices {
            out.entry((recipient, batch)).or_default().push(record);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::audit::{Change, Via};

    fn record(action: Action, actor: &str, change: Change) -> Record {
        Record {
            at_ms: 0,
            actor: actor.into(),
            change: Change { action, ..change },
            succeeded: true,
            message: None,
            reason: None,
            request_id: Some("r1".into()),
            via: Via::Form,
        }
    }

    #[test]
    fn an_approval_is_one_line_and_the_actor_is_never_told() {
        let place = Change::new(Action::ApproveRequest).user("frank").workspace("demo").roles(None, "demo-viewer");
        let approve = record(Action::ApproveRequest, "lead", place.clone());
        let invite = record(Action::InviteToWorkspace, "lead", place);
        let message =
            compose(Locale::en, "frank", &[invite.clone(), approve.clone()], "https://console.example/", false);
        assert_eq!(message.text.matches("\n- ").count(), 1, "{}", message.text);
        assert!(message.text.contains("lead approved your request"), "{}", message.text);
        assert!(message.text.contains("https://console.example/users/frank"), "{}", message.text);
        let own = record(Action::InviteToWorkspace, "frank", Change::new(Action::InviteToWorkspace).user("frank"));
        assert!(told_about(&own, &[]).is_empty());
        let failed = Record { succeeded: false, ..invite };
        assert!(told_about(&failed, &[]).is_empty());
    }

    #[test]
    fn a_request_tells_the_admins_of_its_place_in_their_language() {
        let ask = record(
            Action::RequestAccess,
            "frank",
            Change::new(Action::RequestAccess).user("frank").workspace("demo").roles(None, "demo-viewer"),
        );
        assert_eq!(told_about(&ask, &["frank".into(), "lead".into(), "alice".into()]), vec!["alice", "lead"]);
        let zh = compose(Locale::zh, "lead", &[ask], "https://c.example", false);
        assert!(zh.subject.contains("访问申请"), "{}", zh.subject);
        assert!(zh.text.contains("https://c.example/requests"), "{}", zh.text);
    }
}
