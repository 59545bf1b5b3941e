//! Starting a simulator: the store built from a seed the way a cluster would hold it, i.e.
//! with KubeSphere's controllers already run over every seeded workspace and project.

use std::collections::BTreeMap;

use serde_json::json;
use time::OffsetDateTime;

use super::controllers::{create_project_roles, create_workspace_roles};
use super::membership::Scope;
use crate::store::bindings::Binding;
use crate::store::config::{KsVersion, SimConfig};
use crate::store::db::Db;
use crate::store::labels::{
    ANNOTATION_ALIAS, ANNOTATION_CREATOR, ANNOTATION_DESCRIPTION, ANNOTATION_PASSWORD_CHANGED,
    ANNOTATION_UNINITIALIZED, ANNOTATION_WORKSPACE_LABEL, LABEL_MANAGED,
};
use crate::store::level::RoleLevel;
use crate::store::objects::{stored_namespace, stored_workspace};
use crate::store::roles::{role_from_seed, Role};
use crate::store::seed::{Seed, SeedRole};
use crate::store::state::State;
use crate::store::users::{User, UserState};
use crate::store::util::{now_utc, parse_time, rfc3339};

/// The shared state for `config`, its seed loaded.
pub(crate) fn state(config: SimConfig) -> State {
    let mut db = db_from_seed(&config.seed, config.ks_version);
    db.unready_clusters = config.unready_clusters.iter().cloned().collect();
    State::new(config, db)
}

/// A custom WorkspaceRole or project Role of the seed, before it is placed in its scope.
fn seeded_role(level: RoleLevel, r: &SeedRole, created: OffsetDateTime) -> Role {
    role_from_seed(
        level,
        &r.name,
        r.creator.as_ref(),
        r.alias.as_ref(),
        r.description.as_ref(),
        r.templates.clone(),
        created,
    )
}

/// The resources of `seed`, as KubeSphere's controllers leave them.
pub(crate) fn db_from_seed(seed: &Seed, ks_version: KsVersion) -> Db {
    let mut db = Db {
        clusters: seed.clusters.clone(),
        public_clusters: seed.public_clusters.iter().cloned().collect(),
        ks_version,
        next_resource_version: 1000,
        ..Db::default()
    };
    let now = now_utc();
    let time = |t: &str| parse_time(t).unwrap_or(now);
    for r in &seed.global_roles {
        let role = role_from_seed(
            RoleLevel::Global,
            &r.name,
            r.creator.as_ref(),
            r.alias.as_ref(),
            r.description.as_ref(),
            r.templates.clone(),
            time(&r.created),
        );
        db.global_roles.insert(role.name.clone(), role);
    }
    for u in &seed.users {
        let created = time(&u.created);
        let mut annotations = u.annotations.clone();
        if let Some(c) = &u.creator {
            annotations.insert(ANNOTATION_CREATOR.to_owned(), c.clone());
        }
        if let Some(a) = &u.alias {
            annotations.insert(ANNOTATION_ALIAS.to_owned(), a.clone());
        }
        if u.uninitialized {
            annotations.insert(ANNOTATION_UNINITIALIZED.to_owned(), "true".to_owned());
        }
        if u.password.is_some() {
            annotations.insert(ANNOTATION_PASSWORD_CHANGED.to_owned(), rfc3339(created));
        }
        let rv = db.bump();
        let reason = (u.state == Some(UserState::AuthLimitExceeded)).then(|| "seeded as locked".to_owned());
        let user = User {
            email: u.email.clone(),
            password: u.password.clone(),
            labels: u.labels.clone(),
            annotations,
            display_name: u.display_name.clone(),
            description: u.description.clone(),
            lang: u.lang.clone(),
            state: u.state,
            reason,
            last_transition: u.state.map(|_| created),
            ..User::named(&u.name, created, rv)
        };
        db.users.insert(user.name.clone(), user);
        if let Some(role) = &u.global_role {
            db.bind_global(&u.name, role, created);
        }
    }
    for w in &seed.workspaces {
        let created = time(&w.created);
        let placement = match &w.clusters {
            Some(clusters) => {
                json!({"clusters": clusters.iter().map(|c| json!({"name": c})).collect::<Vec<_>>()})
            }
            None => json!({"clusterSelector": {}}),
        };
        let creator = w.creator.clone().unwrap_or_else(|| w.manager.clone());
        let mut annotations = json!({ANNOTATION_CREATOR: creator});
        if let Some(obj) = annotations.as_object_mut() {
            if let Some(a) = &w.alias {
                obj.insert(ANNOTATION_ALIAS.into(), json!(a));
            }
            if let Some(d) = &w.description {
                obj.insert(ANNOTATION_DESCRIPTION.into(), json!(d));
            }
        }
        let mut metadata = json!({"name": w.name, "annotations": annotations});
        if let (true, Some(obj)) = (w.protected, metadata.as_object_mut()) {
            obj.insert("labels".into(), json!({"kubesphere.io/protected-resource": "true"}));
        }
        let object = json!({
            "metadata": metadata,
            "spec": {
                "template": {
                    "metadata": {"annotations": {ANNOTATION_CREATOR: creator}},
                    "spec": {"manager": w.manager},
                },
                "placement": placement,
            },
        });
        let rv = db.bump();
        let object = stored_workspace(object, created, rv);
        db.workspaces.insert(w.name.clone(), object);
        create_workspace_roles(&mut db, &w.name, &w.manager, created);
    }
    for r in &seed.workspace_roles {
        let ws = r.workspace.clone().unwrap_or_default();
        let mut role = seeded_role(RoleLevel::Workspace, r, time(&r.created));
        role.labels.insert(ANNOTATION_WORKSPACE_LABEL.to_owned(), ws);
        db.insert_role(role);
    }
    for w in &seed.workspaces {
        for (user, role) in &w.members {
            // A seed naming an impossible role is a seed bug; the member is left out.
            let _ = Scope::Workspace(&w.name).grant(&mut db, None, user, role, time(&w.created));
        }
    }
    let host = seed.host_cluster().to_owned();
    for p in &seed.projects {
        let created = time(&p.created);
        let cluster = p.cluster.clone().unwrap_or_else(|| host.clone());
        let mut labels = json!({ANNOTATION_WORKSPACE_LABEL: p.workspace});
        let mut annotations = json!({});
        if let Some(obj) = labels.as_object_mut() {
            if p.managed {
                obj.insert(LABEL_MANAGED.into(), json!("true"));
            }
        }
        if let Some(obj) = annotations.as_object_mut() {
            if let Some(c) = &p.creator {
                obj.insert(ANNOTATION_CREATOR.into(), json!(c));
            }
            if let Some(a) = &p.alias {
                obj.insert(ANNOTATION_ALIAS.into(), json!(a));
            }
        }
        let object = json!({"metadata": {"name": p.name, "labels": labels, "annotations": annotations}});
        let rv = db.bump();
        let object = stored_namespace(object, created, rv);
        db.namespaces.insert((cluster.clone(), p.name.clone()), object);
        if p.managed {
            // Creator bindings are collected below with the members (one pass, not n²).
            create_project_roles(&mut db, &cluster, &p.name, None, created);
        }
    }
    for r in &seed.project_roles {
        let cluster = r.cluster.clone().unwrap_or_else(|| host.clone());
        let mut role = seeded_role(RoleLevel::Namespace, r, time(&r.created));
        role.cluster = Some(cluster);
        role.namespace = r.project.clone();
        db.insert_role(role);
    }
    // Same outcome as `set_project_member` per entry: one binding per user and project.
    let mut project_members: BTreeMap<(String, String, String), (String, OffsetDateTime)> = BTreeMap::new();
    for p in &seed.projects {
        let cluster = p.cluster.clone().unwrap_or_else(|| host.clone());
        let created = time(&p.created);
        let creator = p.creator.iter().filter(|c| p.managed && !c.is_empty());
        let admin = "admin".to_owned();
        for (user, role) in creator.map(|c| (c, &admin)).chain(p.members.iter()) {
            project_members.insert((cluster.clone(), p.name.clone(), user.clone()), (role.clone(), created));
        }
    }
    for ((cluster, ns, user), (role, created)) in project_members {
        db.role_bindings.push(Binding {
            name: format!("{user}-{role}"),
            user,
            role,
            workspace: None,
            cluster: Some(cluster),
            namespace: Some(ns),
            created,
        });
    }
    db
}
