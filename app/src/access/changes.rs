//! What changed in a workspace's access between a snapshot and now: memberships added, removed
//! or given another role, each explained by a console change when the activity log has one
//! (`through` the console, with its author and time) and otherwise marked as made outside it.

use serde::{Deserialize, Serialize};

use super::{Membership, Scope};

/// The changes export's header: English in every language, as its tokens are.
pub const CHANGES_CSV_HEADER: [&str; 11] = [
    "change",
    "scope",
    "workspace",
    "cluster",
    "project",
    "username",
    "role_before",
    "role_after",
    "through",
    "changed_by",
    "changed_at",
];

/// One membership as a snapshot keeps it: where, who, which role; nothing else.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Held {
    pub scope: Scope,
    pub cluster: String,
    pub project: String,
    pub username: String,
    pub role: String,
}

impl Held {
    /// A snapshot's memberships: sorted, so equal access compares equal.
    pub fn of_all(memberships: &[Membership]) -> Vec<Held> {
        let mut held: Vec<Held> = memberships
            .iter()
            .map(|m| Held {
                scope: m.scope,
                cluster: m.cluster.clone(),
                project: m.project.clone(),
                username: m.username.clone(),
                role: m.role.clone(),
            })
            .collect();
        held.sort();
        held.dedup();
        held
    }

    fn place(&self) -> (Scope, &str, &str, &str) {
        (self.scope, self.cluster.as_str(), self.project.as_str(), self.username.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChangeKind {
    Added,
    Changed,
    Removed,
}

impl ChangeKind {
    pub fn token(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Changed => "changed",
            ChangeKind::Removed => "removed",
        }
    }
}

/// Who made a change, as far as the console can know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Through {
    /// A change made through the console: its author and time (RFC 3339 UTC).
    Console { by: String, at: String },
    /// Made in KubeSphere's own console, with kubectl or by automation: who cannot be known here.
    Outside,
}

/// One difference between the snapshot and now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessChange {
    pub change: ChangeKind,
    pub scope: Scope,
    pub cluster: String,
    pub project: String,
    pub username: String,
    pub role_before: Option<String>,
    pub role_after: Option<String>,
    pub through: Through,
}

/// A console change that may explain a difference: who gave whom which role where, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub username: String,
    pub cluster: String,
    pub project: String,
    pub role: String,
    pub by: String,
    pub at_ms: i64,
}

/// The differences from `before` (a snapshot) to `now`, in the order of `now`'s places; a
/// difference is `through` the console when one of `grants` (newest first, all after the
/// snapshot) gave exactly that role there. Removals are never the console's: it removes no one.
pub fn diff(before: &[Held], now: &[Held], grants: &[Grant], rfc3339: impl Fn(i64) -> String) -> Vec<AccessChange> {
    use std::collections::BTreeMap;
    let index = |held: &[Held]| -> BTreeMap<(Scope, String, String, String), String> {
        held.iter()
            .map(|h| {
                let (s, c, p, u) = h.place();
                ((s, c.to_owned(), p.to_owned(), u.to_owned()), h.role.clone())
            })
            .collect()
    };
    let (was, is) = (index(before), index(now));
    let through = |(_, cluster, project, user): &(Scope, String, String, String), role: &str| {
        grants
            .iter()
            .find(|g| &g.username == user && &g.cluster == cluster && &g.project == project && g.role == role)
            .map_or(Through::Outside, |g| Through::Console { by: g.by.clone(), at: rfc3339(g.at_ms) })
    };
    let change =
        |key: &(Scope, String, String, String), kind, before: Option<&String>, after: Option<&String>| AccessChange {
            change: kind,
            scope: key.0,
            cluster: key.1.clone(),
            project: key.2.clone(),
            username: key.3.clone(),
            role_before: before.cloned(),
            role_after: after.cloned(),
            through: match after {
                Some(role) => through(key, role),
                None => Through::Outside,
            },
        };
    let mut changes = Vec::new();
    for (key, role) in &is {
        match was.get(key) {
            None => changes.push(change(key, ChangeKind::Added, None, Some(role))),
            Some(old) if old != role => changes.push(change(key, ChangeKind::Changed, Some(old), Some(role))),
            Some(_) => {}
        }
    }
    for (key, role) in &was {
        if !is.contains_key(key) {
            changes.push(change(key, ChangeKind::Removed, Some(role), None));
        }
    }
    changes.sort_by(|a, b| {
        (a.scope, &a.project, &a.cluster, &a.username).cmp(&(b.scope, &b.project, &b.cluster, &b.username))
    });
    changes
}

/// A reviewer's sign-off: who marked the workspace's access as reviewed, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOff {
    pub reviewer: String,
    /// RFC 3339 UTC.
    pub at: String,
}

/// The changes since a moment, as the page and the export show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changes {
    pub workspace: String,
    /// The moment asked about (RFC 3339 UTC).
    pub since: String,
    /// When the snapshot compared with was taken; `None` when there is none at or before `since`.
    pub baseline: Option<String>,
    pub changes: Vec<AccessChange>,
}

impl Changes {
    /// The changes export, every cell neutralised against spreadsheet formulas.
    pub fn csv(&self) -> String {
        let mut out = crate::csv::line(CHANGES_CSV_HEADER);
        for c in &self.changes {
            let (through, by, at) = match &c.through {
                Through::Console { by, at } => ("console", by.as_str(), at.as_str()),
                Through::Outside => ("outside", "", ""),
            };
            out.push_str(&crate::csv::line([
                c.change.token(),
                c.scope.token(),
                self.workspace.as_str(),
                c.cluster.as_str(),
                c.project.as_str(),
                c.username.as_str(),
                c.role_before.as_deref().unwrap_or_default(),
                c.role_after.as_deref().unwrap_or_default(),
                through,
                by,
                at,
            ]));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(scope: Scope, project: &str, user: &str, role: &str) -> Held {
        let cluster = if project.is_empty() { "" } else { "host" };
        Held { scope, cluster: cluster.into(), project: project.into(), username: user.into(), role: role.into() }
    }

    #[test]
    fn a_diff_names_additions_role_changes_and_removals_and_who_made_them() {
        let before = vec![
            held(Scope::Workspace, "", "alice", "demo-admin"),
            held(Scope::Workspace, "", "bob", "demo-regular"),
            held(Scope::Project, "demo-ops", "carol", "viewer"),
        ];
        let now = vec![
            held(Scope::Workspace, "", "alice", "demo-admin"),
            held(Scope::Workspace, "", "bob", "demo-viewer"),
            held(Scope::Project, "demo-ops", "frank", "operator"),
        ];
        let grants = vec![Grant {
            username: "frank".into(),
            cluster: "host".into(),
            project: "demo-ops".into(),
            role: "operator".into(),
            by: "lead".into(),
            at_ms: 1_000,
        }];
        let changes = diff(&before, &now, &grants, |ms| format!("t{ms}"));
        type Summary<'a> = (&'a str, &'a str, Option<&'a str>, Option<&'a str>, &'a Through);
        let summary: Vec<Summary> = changes
            .iter()
            .map(|c| {
                (c.change.token(), c.username.as_str(), c.role_before.as_deref(), c.role_after.as_deref(), &c.through)
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                ("changed", "bob", Some("demo-regular"), Some("demo-viewer"), &Through::Outside),
                ("removed", "carol", Some("viewer"), None, &Through::Outside),
                ("added", "frank", None, Some("operator"), &Through::Console { by: "lead".into(), at: "t1000".into() }),
            ]
        );
    }

    #[test]
    fn a_console_grant_of_another_role_does_not_explain_a_change() {
        let before = vec![held(Scope::Workspace, "", "bob", "demo-regular")];
        let now = vec![held(Scope::Workspace, "", "bob", "demo-admin")];
        let grants = vec![Grant {
            username: "bob".into(),
            cluster: String::new(),
            project: String::new(),
            role: "demo-viewer".into(),
            by: "lead".into(),
            at_ms: 5,
        }];
        assert_eq!(diff(&before, &now, &grants, |_| String::new())[0].through, Through::Outside);
        assert!(diff(&now, &now, &grants, |_| String::new()).is_empty(), "equal access: no change");
    }

    #[test]
    fn the_changes_export_has_its_header_and_neutralised_cells() {
        let changes = Changes {
            workspace: "demo".into(),
            since: "2026-01-01T00:00:00Z".into(),
            baseline: Some("2025-12-31T00:00:00Z".into()),
            changes: vec![AccessChange {
                change: ChangeKind::Added,
                scope: Scope::Project,
                cluster: "host".into(),
                project: "demo-ops".into(),
                username: "=cmd".into(),
                role_before: None,
                role_after: Some("viewer".into()),
                through: Through::Outside,
            }],
        };
        let csv = changes.csv();
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some(CHANGES_CSV_HEADER.join(",").as_str()));
        let row = lines.next().unwrap_or_default();
        assert!(row.starts_with("added,project,demo,host,demo-ops,"), "{row}");
        assert!(!row.contains(",=cmd"), "formula neutralised: {row}");
        assert!(row.ends_with(",,viewer,outside,,"), "{row}");
    }
}
