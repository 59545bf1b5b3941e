//! The dry run: every row checked on its own and against the others, then against what
//! KubeSphere holds, read in batches — users by chunked `names=` lists, each workspace's roles
//! and members once, each cluster's projects by name, each project's roles and members once.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};

use ks_types::{
    ClusterName, Email, PlatformRole, ProjectName, ProjectRole, UserName, WorkspaceName, WorkspaceRoleKind,
};

use super::{DryRun, FileRow, RowReport, Verdict};
use crate::directory::ssr::bounded_join;
use crate::error::{name_error, role_error, AppError};
use crate::i18n::td_string;
use crate::language::Locale;
pub use crate::onboarding::calls::Call;
use crate::upstream::Upstream;

/// Usernames asked for in one `users?names=` read.
const NAMES_PER_READ: usize = 50;

/// One row of the plan.
#[derive(Debug, Clone)]
pub struct PlannedRow {
    pub row: FileRow,
    pub calls: Vec<Call>,
    /// Set when the row cannot be done.
    pub refused: Option<String>,
    /// What is in place already, when nothing is to be sent.
    pub in_place: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub rows: Vec<PlannedRow>,
    pub reads: usize,
}

impl Plan {
    pub fn report(&self) -> DryRun {
        let locale = crate::language::locale();
        let rows: Vec<RowReport> = self
            .rows
            .iter()
            .map(|p| RowReport {
                row: p.row.clone(),
                verdict: match (&p.refused, p.calls.is_empty()) {
                    (Some(reason), _) => Verdict::Refused(reason.clone()),
                    (None, true) => Verdict::InPlace(
                        p.in_place.clone().unwrap_or_else(|| td_string!(locale, bulk.nothing_to_do).into()),
                    ),
                    (None, false) => Verdict::Send(p.calls.iter().map(Call::text).collect()),
                },
            })
            .collect();
        let admin_grants =
            self.rows
                .iter()
                .filter(|p| p.refused.is_none())
                .flat_map(|p| {
                    p.calls.iter().filter(|c| c.is_admin()).map(move |c| {
                        td_string!(locale, bulk.admin_grant, call = c.text(), line = p.row.line).to_string()
                    })
                })
                .collect();
        let new_accounts =
            self.rows.iter().flat_map(|p| &p.calls).filter(|c| matches!(c, Call::CreateUser { .. })).count();
        DryRun { rows, admin_grants, new_accounts, reads: self.reads, plan: self.key() }
    }

    /// What a dry run approved: each sending row's line and calls. Apply sends only if its own
    /// plan is the same.
    pub fn key(&self) -> String {
        self.rows
            .iter()
            .filter(|p| p.refused.is_none() && !p.calls.is_empty())
            .map(|p| format!("{}: {}", p.row.line, p.calls.iter().map(Call::text).collect::<Vec<_>>().join("; ")))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// A row's membership, parsed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Membership {
    Workspace(WorkspaceName, WorkspaceRoleKind),
    Project(WorkspaceName, ClusterName, ProjectName, ProjectRole),
}

impl Membership {
    /// Where it is (two rows for the same person and place conflict or repeat).
    fn place(&self) -> String {
        match self {
            Membership::Workspace(ws, _) => format!("workspace {ws}"),
            Membership::Project(_, c, p, _) => format!("project {p} (cluster {c})"),
        }
    }

    /// Where it is, in words.
    fn place_in(&self, locale: Locale) -> String {
        match self {
            Membership::Workspace(ws, _) => td_string!(locale, bulk.place_workspace, ws).to_string(),
            Membership::Project(_, cluster, project, _) => {
                td_string!(locale, bulk.place_project, project, cluster).to_string()
            }
        }
    }
}

/// A problem with one column's value, the column named as the file has it.
fn column_problem(locale: Locale, column: &str, problem: String) -> String {
    td_string!(locale, bulk.column_problem, column, problem).to_string()
}

struct Parsed {
    user: UserName,
    email: Option<String>,
    display_name: Option<String>,
    platform_role: Option<PlatformRole>,
    membership: Option<Membership>,
}

fn parse_row(locale: Locale, row: &FileRow) -> Result<Parsed, String> {
    let user = UserName::parse(&row.username).map_err(|e| column_problem(locale, "username", name_error(&e)))?;
    let platform_role = match row.platform_role.as_str() {
        "" => None,
        raw => Some(PlatformRole::parse(raw).map_err(|e| column_problem(locale, "platform_role", role_error(&e)))?),
    };
    let membership = match (row.workspace.as_str(), row.cluster.as_str(), row.project.as_str()) {
        ("", "", "") => {
            if !row.workspace_role.is_empty() || !row.project_role.is_empty() {
                return Err(td_string!(locale, bulk.role_without_place).into());
            }
            None
        }
        (ws, "", "") => {
            if !row.project_role.is_empty() {
                return Err(td_string!(locale, bulk.project_role_without_project).into());
            }
            let ws = WorkspaceName::parse(ws).map_err(|e| column_problem(locale, "workspace", name_error(&e)))?;
            let kind = match row.workspace_role.as_str() {
                "" => WorkspaceRoleKind::Regular,
                raw => WorkspaceRoleKind::parse(raw)
                    .map_err(|_| td_string!(locale, bulk.workspace_role_not_built_in, raw).to_string())?,
            };
            Some(Membership::Workspace(ws, kind))
        }
        ("", _, _) => return Err(td_string!(locale, bulk.project_row_without_workspace).into()),
        (_, _, "") => return Err(td_string!(locale, bulk.cluster_without_project).into()),
        (ws, cluster, project) => {
            if !row.workspace_role.is_empty() {
                return Err(td_string!(locale, bulk.one_membership_per_row).into());
            }
            let ws = WorkspaceName::parse(ws).map_err(|e| column_problem(locale, "workspace", name_error(&e)))?;
            let cluster = ClusterName::parse(cluster).map_err(|e| column_problem(locale, "cluster", name_error(&e)))?;
            let project = ProjectName::parse(project).map_err(|e| column_problem(locale, "project", name_error(&e)))?;
            let role = match row.project_role.as_str() {
                "" => ProjectRole::Viewer,
                raw => ProjectRole::parse(raw)
                    .map_err(|_| td_string!(locale, bulk.project_role_not_built_in, raw).to_string())?,
            };
            Some(Membership::Project(ws, cluster, project, role))
        }
    };
    let some = |s: &str| Some(s.to_owned()).filter(|s| !s.is_empty());
    Ok(Parsed { user, email: some(&row.email), display_name: some(&row.display_name), platform_role, membership })
}

/// What the file says about one person, gathered over their rows.
#[derive(Default)]
struct Person {
    /// Line of the first row, which creates the account or changes the platform role.
    first_line: usize,
    email: Option<(String, usize)>,
    display_name: Option<(String, usize)>,
    platform_role: Option<(PlatformRole, usize)>,
}

/// The dry run: reads only.
pub async fn dry_run(upstream: &Upstream, rows: &[FileRow]) -> Result<Plan, AppError> {
    let locale = crate::language::locale();
    let reads = AtomicUsize::new(0);
    let count = |n: usize| {
        reads.fetch_add(n, Ordering::Relaxed);
    };

    // 1. Each row on its own, then against the rows before it.
    let mut parsed: Vec<Result<Parsed, String>> = rows.iter().map(|row| parse_row(locale, row)).collect();
    let mut people: BTreeMap<UserName, Person> = BTreeMap::new();
    let mut places: HashMap<(UserName, String), (Membership, usize)> = HashMap::new();
    for (row, p) in rows.iter().zip(parsed.iter_mut()) {
        let Ok(ok) = p else { continue };
        let person =
            people.entry(ok.user.clone()).or_insert_with(|| Person { first_line: row.line, ..Person::default() });
        let mut conflict = None;
        let user = &ok.user;
        for (email, value, slot) in
            [(true, ok.email.clone(), &mut person.email), (false, ok.display_name.clone(), &mut person.display_name)]
        {
            match (value, slot.as_ref()) {
                (Some(v), Some((seen, line))) if &v != seen => {
                    conflict = Some(if email {
                        td_string!(locale, bulk.conflict_email, line, user).to_string()
                    } else {
                        td_string!(locale, bulk.conflict_display_name, line, user).to_string()
                    });
                }
                (Some(v), None) => *slot = Some((v, row.line)),
                _ => {}
            }
        }
        match (ok.platform_role, person.platform_role) {
            (Some(r), Some((seen, line))) if r != seen => {
                conflict = Some(td_string!(locale, bulk.conflict_platform_role, line, user).to_string());
            }
            (Some(r), None) => person.platform_role = Some((r, row.line)),
            _ => {}
        }
        if let Some(m) = &ok.membership {
            match places.get(&(ok.user.clone(), m.place())) {
                Some((seen, line)) if seen == m => {
                    conflict = Some(td_string!(locale, bulk.repeats_line, line).to_string())
                }
                Some((_, line)) => {
                    let place = m.place_in(locale);
                    conflict = Some(td_string!(locale, bulk.conflict_role, line, user, place).to_string())
                }
                None => {
                    places.insert((ok.user.clone(), m.place()), (m.clone(), row.line));
                }
            }
        }
        if let Some(c) = conflict {
            *p = Err(c);
        }
    }

    // 2. What KubeSphere holds, read in batches.
    let names: Vec<String> = people.keys().map(ToString::to_string).collect();
    let lists: Vec<String> = names.chunks(NAMES_PER_READ).map(|chunk| chunk.join(",")).collect();
    let user_reads = lists.into_iter().map(|list| async move {
        let list = &list;
        upstream.call(|api| async move { api.list_users(&[("names", list.as_str()), ("limit", "-1")]).await }).await
    });
    let workspaces: BTreeSet<WorkspaceName> = parsed
        .iter()
        .filter_map(|p| match p.as_ref().ok()?.membership.as_ref()? {
            Membership::Workspace(ws, _) | Membership::Project(ws, ..) => Some(ws.clone()),
        })
        .collect();
    let projects: BTreeSet<(ClusterName, ProjectName)> = parsed
        .iter()
        .filter_map(|p| match p.as_ref().ok()?.membership.as_ref()? {
            Membership::Project(_, c, n, _) => Some((c.clone(), n.clone())),
            Membership::Workspace(..) => None,
        })
        .collect();
    let visible = async {
        count(1);
        upstream.call(|api| async move { api.list_workspaces(&[("limit", "-1")]).await }).await
    };
    let (user_lists, visible) = futures::future::join(bounded_join(user_reads), visible).await;
    count(user_lists.len());
    let mut existing: HashMap<String, ks_client::model::User> = HashMap::new();
    for list in user_lists {
        existing.extend(list?.into_items().into_iter().map(|u| (u.metadata.name.clone(), u)));
    }
    let visible: BTreeSet<String> = visible?.into_items().into_iter().map(|w| w.metadata.name).collect();

    // Owned inputs: the futures must not borrow from the iterator (they are sent between threads).
    let to_read: Vec<WorkspaceName> = workspaces.into_iter().filter(|ws| visible.contains(ws.as_str())).collect();
    let ws_facts = bounded_join(to_read.into_iter().map(|ws| async move {
        let ws = &ws;
        let (roles, members, may) = futures::future::join3(
            upstream.call(|api| async move { api.builtin_workspace_roles(ws).await }),
            upstream.call(|api| async move { api.list_workspace_members(ws, &[("limit", "-1")]).await }),
            crate::permissions::ssr::may(
                None,
                &[("scope", "workspace"), ("workspace", ws.as_str())],
                "members",
                "manage",
            ),
        )
        .await;
        count(2);
        let members: HashMap<String, String> = members?
            .into_items()
            .into_iter()
            .filter_map(|m| {
                let role = m.annotation(ks_client::model::ANNOTATION_WORKSPACE_ROLE)?.to_owned();
                Some((m.metadata.name, role))
            })
            .collect();
        Ok::<_, AppError>((ws.clone(), (roles?, members, may?)))
    }))
    .await
    .into_iter()
    .collect::<Result<HashMap<_, _>, _>>()?;

    let clusters: BTreeSet<ClusterName> = projects.iter().map(|(c, _)| c.clone()).collect();
    let batches: Vec<(ClusterName, Vec<String>)> = clusters
        .into_iter()
        .flat_map(|cluster| {
            let names: Vec<String> =
                projects.iter().filter(|(c, _)| *c == cluster).map(|(_, n)| n.to_string()).collect();
            names.chunks(NAMES_PER_READ).map(|chunk| (cluster.clone(), chunk.to_vec())).collect::<Vec<_>>()
        })
        .collect();
    let namespace_reads = batches.into_iter().map(|(cluster, names)| async move {
        let cluster = &cluster;
        let list: Vec<&str> = names.iter().map(String::as_str).collect();
        let list = &list;
        let found = upstream.call(|api| async move { api.namespaces_named(cluster, list).await }).await?;
        Ok::<_, AppError>(
            found
                .into_iter()
                .filter_map(|n| {
                    let ws = n.label(ks_client::model::LABEL_WORKSPACE)?.to_owned();
                    Some(((cluster.clone(), n.metadata.name.clone()), ws))
                })
                .collect::<Vec<_>>(),
        )
    });
    let homes = bounded_join(namespace_reads).await;
    count(homes.len());
    let mut home_of: HashMap<(ClusterName, String), String> = HashMap::new();
    for found in homes {
        home_of.extend(found?);
    }
    let to_read: Vec<(ClusterName, ProjectName, Option<WorkspaceName>)> = projects
        .iter()
        .filter_map(|(c, n)| {
            let home = home_of.get(&(c.clone(), n.to_string()))?;
            Some((c.clone(), n.clone(), WorkspaceName::parse(home).ok()))
        })
        .collect();
    let project_facts = bounded_join(to_read.into_iter().map(|(cluster, ns, home)| async move {
        let (cluster, ns) = (&cluster, &ns);
        let (roles, members, may) = futures::future::join3(
            upstream.call(|api| async move { api.list_project_roles(cluster, ns).await }),
            upstream.call(|api| async move { api.list_project_members(cluster, ns, &[("limit", "-1")]).await }),
            crate::permissions::ssr::may_in_project(cluster, ns, home.as_ref(), "members", "manage"),
        )
        .await;
        count(2);
        let roles: BTreeSet<String> = roles?.into_iter().map(|r| r.metadata.name).collect();
        let members: HashMap<String, String> = members?
            .into_items()
            .into_iter()
            .filter_map(|m| {
                let role = m.annotation(ks_client::model::ANNOTATION_PROJECT_ROLE)?.to_owned();
                Some((m.metadata.name, role))
            })
            .collect();
        Ok::<_, AppError>(((cluster.clone(), ns.clone()), (roles, members, may?)))
    }))
    .await
    .into_iter()
    .collect::<Result<HashMap<_, _>, _>>()?;

    // 3. Each row's verdict.
    let mut created: HashMap<UserName, Result<usize, usize>> = HashMap::new();
    let mut planned = Vec::with_capacity(rows.len());
    for (row, p) in rows.iter().zip(parsed) {
        let mut out = PlannedRow { row: row.clone(), calls: Vec::new(), refused: None, in_place: None };
        let verdict = match p {
            Err(reason) => Err(reason),
            Ok(p) => plan_row(
                locale,
                &p,
                row,
                &people,
                &existing,
                &mut created,
                &visible,
                &ws_facts,
                &home_of,
                &project_facts,
                &mut out.calls,
            ),
        };
        match verdict {
            Err(reason) => {
                out.calls.clear();
                out.refused = Some(reason);
            }
            Ok(note) => out.in_place = note,
        }
        planned.push(out);
    }
    Ok(Plan { rows: planned, reads: reads.load(Ordering::Relaxed) })
}

type WorkspaceFacts = (ks_types::BuiltinWorkspaceRoles, HashMap<String, String>, bool);
type ProjectFacts = (BTreeSet<String>, HashMap<String, String>, bool);

/// One row's calls (into `calls`), or why it cannot be done; `Ok(Some(note))` when all is in place.
#[allow(clippy::too_many_arguments)]
fn plan_row(
    locale: Locale,
    p: &Parsed,
    row: &FileRow,
    people: &BTreeMap<UserName, Person>,
    existing: &HashMap<String, ks_client::model::User>,
    created: &mut HashMap<UserName, Result<usize, usize>>,
    visible: &BTreeSet<String>,
    ws_facts: &HashMap<WorkspaceName, WorkspaceFacts>,
    home_of: &HashMap<(ClusterName, String), String>,
    project_facts: &HashMap<(ClusterName, ProjectName), ProjectFacts>,
    calls: &mut Vec<Call>,
) -> Result<Option<String>, String> {
    let user = &p.user;
    let person = people.get(user).ok_or(td_string!(locale, bulk.internal_unknown_person))?;
    let current = existing.get(user.as_str());
    let mut notes = Vec::new();
    match current {
        None => match created.get(user) {
            Some(Ok(_)) => {}
            Some(Err(line)) => return Err(td_string!(locale, bulk.account_cannot_be_created, user, line).to_string()),
            None => {
                let account = (|| {
                    UserName::parse_new(user.as_str())
                        .map_err(|e| column_problem(locale, "username", name_error(&e)))?;
                    let (email, _) = person
                        .email
                        .clone()
                        .ok_or_else(|| td_string!(locale, bulk.new_person_needs_email, user).to_string())?;
                    let email = Email::parse(&email).map_err(|e| column_problem(locale, "email", name_error(&e)))?;
                    let role = person.platform_role.map_or(PlatformRole::Regular, |(r, _)| r);
                    Ok::<_, String>(Call::CreateUser {
                        user: user.clone(),
                        email,
                        display_name: person.display_name.clone().map(|(d, _)| d),
                        role,
                        password: None,
                    })
                })();
                match account {
                    Ok(call) => {
                        created.insert(user.clone(), Ok(row.line));
                        calls.push(call);
                    }
                    Err(reason) => {
                        created.insert(user.clone(), Err(row.line));
                        return Err(reason);
                    }
                }
            }
        },
        Some(found) => {
            if row.line == person.first_line {
                notes.push(td_string!(locale, bulk.note_user_exists, user).to_string());
                if let Some((role, _)) = person.platform_role {
                    let now = found.global_role().map(str::to_owned);
                    if now.as_deref() == Some(role.name()) {
                        notes.push(td_string!(locale, bulk.note_platform_role_already, role = role.name()).to_string());
                    } else {
                        calls.push(Call::PlatformRole { user: user.clone(), role, before: now });
                    }
                }
            }
        }
    }
    match &p.membership {
        None => {}
        Some(Membership::Workspace(ws, kind)) => {
            if !visible.contains(ws.as_str()) {
                return Err(td_string!(locale, bulk.no_such_workspace, ws).to_string());
            }
            let (roles, members, may) = ws_facts.get(ws).ok_or(td_string!(locale, bulk.internal_workspace_not_read))?;
            if !may {
                return Err(td_string!(locale, bulk.may_not_manage_workspace, ws).to_string());
            }
            let role = roles
                .get(*kind)
                .cloned()
                .ok_or_else(|| td_string!(locale, bulk.workspace_lacks_role, ws, kind = kind.suffix()).to_string())?;
            if !role.is_bindable() {
                return Err(td_string!(locale, bulk.workspace_name_too_long, ws).to_string());
            }
            match members.get(user.as_str()) {
                None => calls.push(Call::InviteToWorkspace { user: user.clone(), role }),
                Some(now) if now == role.name() => {
                    notes.push(td_string!(locale, bulk.note_in_workspace_already, ws, role = now).to_string())
                }
                Some(now) => calls.push(Call::WorkspaceRole { user: user.clone(), role, before: now.clone() }),
            }
        }
        Some(Membership::Project(ws, cluster, ns, role)) => {
            let Some(home) = home_of.get(&(cluster.clone(), ns.to_string())) else {
                return Err(td_string!(locale, bulk.no_such_project, project = ns, cluster).to_string());
            };
            if home != ws.as_str() {
                return Err(td_string!(locale, bulk.project_in_other_workspace, project = ns, home, ws).to_string());
            }
            let (roles, members, may) = project_facts
                .get(&(cluster.clone(), ns.clone()))
                .ok_or(td_string!(locale, bulk.internal_project_not_read))?;
            if !may {
                return Err(td_string!(locale, bulk.may_not_manage_project, project = ns).to_string());
            }
            if !roles.contains(role.name()) {
                return Err(td_string!(locale, bulk.project_lacks_role, project = ns, role = role.name()).to_string());
            }
            let workspace = Some(ws.to_string());
            match members.get(user.as_str()) {
                None => calls.push(Call::InviteToProject {
                    user: user.clone(),
                    cluster: cluster.clone(),
                    project: ns.clone(),
                    workspace,
                    role: *role,
                }),
                Some(now) if now == role.name() => {
                    notes.push(td_string!(locale, bulk.note_in_project_already, project = ns, role = now).to_string())
                }
                Some(now) => calls.push(Call::ProjectRole {
                    user: user.clone(),
                    cluster: cluster.clone(),
                    project: ns.clone(),
                    workspace,
                    role: *role,
                    before: now.clone(),
                }),
            }
        }
    }
    Ok(calls.is_empty().then(|| {
        if notes.is_empty() {
            td_string!(locale, bulk.nothing_to_do).to_owned()
        } else {
            let notes = notes.join(td_string!(locale, bulk.list_separator));
            td_string!(locale, bulk.nothing_to_do_because, notes).to_string()
        }
    }))
}
