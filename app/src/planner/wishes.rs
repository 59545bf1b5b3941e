//! Phase 1: the wishes — each already parsed on its own by whoever read it (a file's row, a
//! form's fields) — checked here against the others of the same plan.

use std::collections::{BTreeMap, HashMap};

use ks_types::{
    ClusterName, IdentityLink, PlatformRole, ProjectName, ProjectRole, UserName, WorkspaceName, WorkspaceRoleKind,
};

use super::{Place, Refusal};

/// What is wished for one person: the account (or its platform role) and at most one membership.
#[derive(Debug, Clone)]
pub struct Wish {
    /// The file's line, or the form row's number: how verdicts refer to each other.
    pub line: usize,
    pub user: UserName,
    /// As written; parsed when an account is to be created.
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub platform_role: Option<PlatformRole>,
    /// A new account's directory or SSO identity instead of a password.
    pub link: Option<IdentityLink>,
    pub membership: Option<Membership>,
    pub intent: Intent,
}

/// What the person asking means by a wish: onboarding takes whatever is needed (an account, an
/// invitation or a role change); the invite and role forms ask for one thing and are told when
/// it does not fit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Intent {
    /// Create the account if missing; invite, or change the role of, a member.
    #[default]
    Onboard,
    /// Invite an existing person who is not a member yet.
    Join,
    /// Change the role of an existing person: a member, where a membership is wished.
    Change,
}

/// A membership, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Membership {
    Workspace {
        workspace: WorkspaceName,
        kind: WorkspaceRoleKind,
    },
    /// `cluster`: `None` when the workspace's placement decides (the wizard's project field).
    Project {
        workspace: WorkspaceName,
        cluster: Option<ClusterName>,
        project: ProjectName,
        role: ProjectRole,
    },
}

impl Wish {
    /// A form's wish for one existing person: a platform role, or one membership.
    pub fn asked(
        line: usize,
        user: UserName,
        platform_role: Option<PlatformRole>,
        membership: Option<Membership>,
        intent: Intent,
    ) -> Self {
        Wish { line, user, email: None, display_name: None, platform_role, link: None, membership, intent }
    }
}

impl Membership {
    /// A project membership naming its cluster: where it is, whole.
    pub fn placed(&self) -> Option<(WorkspaceName, ClusterName, ProjectName)> {
        match self {
            Membership::Project { workspace, cluster: Some(cluster), project, .. } => {
                Some((workspace.clone(), cluster.clone(), project.clone()))
            }
            _ => None,
        }
    }

    pub fn workspace(&self) -> &WorkspaceName {
        match self {
            Membership::Workspace { workspace, .. } | Membership::Project { workspace, .. } => workspace,
        }
    }

    /// Where it is: two wishes for the same person and place repeat or conflict.
    pub fn place(&self) -> Place {
        match self {
            Membership::Workspace { workspace, .. } => Place::Workspace { workspace: workspace.to_string() },
            Membership::Project { cluster, project, .. } => {
                Place::Project { project: project.to_string(), cluster: cluster.as_ref().map(ToString::to_string) }
            }
        }
    }
}

/// What the plan says about one person, gathered over their wishes.
#[derive(Debug, Clone, Default)]
pub struct Person {
    /// The first wish's line: it creates the account or changes the platform role.
    pub first_line: usize,
    pub email: Option<(String, usize)>,
    pub display_name: Option<(String, usize)>,
    pub platform_role: Option<(PlatformRole, usize)>,
    pub link: Option<(IdentityLink, usize)>,
}

/// A wish with its line, or why the line could not even be read as one.
pub type Wished = (usize, Result<Wish, Refusal>);

/// The wishes after phase 1: each still wished, or refused with why.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    pub wishes: Vec<Wished>,
    pub people: BTreeMap<UserName, Person>,
}

/// Checks each wish against the ones before it: one e-mail, display name and platform role
/// per person, one e-mail per person (ignoring case: KubeSphere's uniqueness check reads a
/// cache and may be skipped), each place once per person.
pub fn check(wishes: Vec<Wished>) -> Checked {
    let mut people: BTreeMap<UserName, Person> = BTreeMap::new();
    let mut places: HashMap<(UserName, Place), (Membership, usize)> = HashMap::new();
    let mut emails: HashMap<String, (UserName, usize)> = HashMap::new();
    let mut links: HashMap<IdentityLink, (UserName, usize)> = HashMap::new();
    let wishes = wishes
        .into_iter()
        .map(|(line, wish)| {
            let checked = wish.and_then(|w| {
                against_others(&w, &mut people, &mut places, &mut emails)
                    .or_else(|| one_link_each(&w, &mut people, &mut links))
                    .map_or(Ok(w), Err)
            });
            (line, checked)
        })
        .collect();
    Checked { wishes, people }
}

fn against_others(
    w: &Wish,
    people: &mut BTreeMap<UserName, Person>,
    places: &mut HashMap<(UserName, Place), (Membership, usize)>,
    emails: &mut HashMap<String, (UserName, usize)>,
) -> Option<Refusal> {
    let person = people.entry(w.user.clone()).or_insert_with(|| Person { first_line: w.line, ..Person::default() });
    let user = w.user.to_string();
    let mut conflict = None;
    if let Some(email) = &w.email {
        match &person.email {
            Some((seen, line)) if seen != email => {
                conflict = Some(Refusal::ConflictingEmail { line: *line, user: user.clone() })
            }
            Some(_) => {}
            None => match emails.get(&email.to_lowercase()) {
                Some((other, line)) if other != &w.user => {
                    conflict = Some(Refusal::EmailInPlan { email: email.clone(), line: *line })
                }
                _ => {
                    emails.insert(email.to_lowercase(), (w.user.clone(), w.line));
                    person.email = Some((email.clone(), w.line));
                }
            },
        }
    }
    match (&w.display_name, &person.display_name) {
        (Some(v), Some((seen, line))) if v != seen => {
            conflict = Some(Refusal::ConflictingDisplayName { line: *line, user: user.clone() })
        }
        (Some(v), None) => person.display_name = Some((v.clone(), w.line)),
        _ => {}
    }
    match (w.platform_role, person.platform_role) {
        (Some(r), Some((seen, line))) if r != seen => {
            conflict = Some(Refusal::ConflictingPlatformRole { line, user: user.clone() })
        }
        (Some(r), None) => person.platform_role = Some((r, w.line)),
        _ => {}
    }
    if let Some(m) = &w.membership {
        match places.get(&(w.user.clone(), m.place())) {
            Some((seen, line)) if seen == m => conflict = Some(Refusal::Repeats { line: *line }),
            Some((_, line)) => conflict = Some(Refusal::ConflictingRole { line: *line, user, place: m.place() }),
            None => {
                places.insert((w.user.clone(), m.place()), (m.clone(), w.line));
            }
        }
    }
    conflict
}

/// One identity per person, and each identity for one person only (KubeSphere would sign the
/// identity in as whichever of them it finds first).
fn one_link_each(
    w: &Wish,
    people: &mut BTreeMap<UserName, Person>,
    links: &mut HashMap<IdentityLink, (UserName, usize)>,
) -> Option<Refusal> {
    let link = w.link.as_ref()?;
    let person = people.get_mut(&w.user)?;
    match (&person.link, links.get(link)) {
        (Some((seen, line)), _) if seen != link => {
            Some(Refusal::ConflictingLink { line: *line, user: w.user.to_string() })
        }
        (_, Some((other, line))) if other != &w.user => {
            Some(Refusal::LinkInPlan { identity: link.identity().to_owned(), line: *line })
        }
        _ => {
            links.insert(link.clone(), (w.user.clone(), w.line));
            person.link.get_or_insert((link.clone(), w.line));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn wish(line: usize, user: &str, email: Option<&str>) -> Wished {
        let user = UserName::parse(user).unwrap();
        let w = Wish {
            line,
            user,
            email: email.map(str::to_owned),
            display_name: None,
            platform_role: None,
            link: None,
            membership: None,
            intent: Intent::Onboard,
        };
        (line, Ok(w))
    }

    #[test]
    fn one_e_mail_for_two_people_is_refused_ignoring_case() {
        let checked = check(vec![wish(2, "mei", Some("mei@example.com")), wish(3, "may", Some("MEI@Example.com"))]);
        assert!(checked.wishes[0].1.is_ok());
        assert_eq!(
            checked.wishes[1].1.as_ref().unwrap_err(),
            &Refusal::EmailInPlan { email: "MEI@Example.com".into(), line: 2 }
        );
        // The same person repeating their address is fine.
        let checked = check(vec![wish(2, "mei", Some("mei@example.com")), wish(3, "mei", Some("mei@example.com"))]);
        assert!(checked.wishes.iter().all(|(_, w)| w.is_ok()));
    }
}
