//! What a person told of changes reads, in their language: one message for what one request or
//! job changed for them (`upstream::contacts` works out who is told; the server's worker sends
//! it). Made from activity records, which have no place for a password or a token.

use crate::activity_log::{Action, Record};
use crate::i18n::td_string;
use crate::language::Locale;

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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::activity_log::Change;

    #[test]
    fn an_approval_is_one_line() {
        let place = Change::new(Action::ApproveRequest).user("frank").workspace("demo").roles(None, "demo-viewer");
        let invite = Record::done_by("lead", Change { action: Action::InviteToWorkspace, ..place.clone() });
        let approve = Record::done_by("lead", place);
        let message = compose(Locale::en, "frank", &[invite, approve], "https://console.example/", false);
        assert_eq!(message.text.matches("\n- ").count(), 1, "{}", message.text);
        assert!(message.text.contains("lead approved your request"), "{}", message.text);
        assert!(message.text.contains("https://console.example/users/frank"), "{}", message.text);
    }

    #[test]
    fn a_request_is_put_to_the_admins_in_their_language() {
        let ask = Record::done_by(
            "frank",
            Change::new(Action::RequestAccess).user("frank").workspace("demo").roles(None, "demo-viewer"),
        );
        let zh = compose(Locale::zh, "lead", &[ask], "https://c.example", false);
        assert!(zh.subject.contains("访问申请"), "{}", zh.subject);
        assert!(zh.text.contains("https://c.example/requests"), "{}", zh.text);
    }
}
