//! Users: accounts, their platform role, and the identities linked to them.

use ks_types::{Email, IdentityLink, Password, PlatformRole, UserName};
use serde_json::json;

use super::{put_text, IAM};
use crate::model::{
    KubeList, ListResult, Object, User, ANNOTATION_ALIAS, ANNOTATION_CREATOR, ANNOTATION_DESCRIPTION,
    ANNOTATION_GLOBAL_ROLE, ANNOTATION_UNINITIALIZED,
};
use crate::{ApiPath, KsError, ListOptions, UserApi, Verb};

/// A new account, as the create-user form collects it.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub name: UserName,
    pub email: Email,
    pub first_sign_in: FirstSignIn,
    pub role: PlatformRole,
    pub display_name: Option<String>,
    pub description: Option<String>,
}

/// How a new account signs in the first time.
#[derive(Debug, Clone)]
pub enum FirstSignIn {
    /// With this initial password; KubeSphere asks for a new one at the first sign-in.
    Password(Password),
    /// Through a directory or single sign-on, as this identity (§12.7): no password is set, and
    /// the first sign-in through that provider lands in the account.
    Linked(IdentityLink),
}

/// A platform role changed: the user as KubeSphere stored it, and the role it replaced.
#[derive(Debug, Clone)]
pub struct PlatformRoleChanged {
    pub previous: Option<String>,
    pub user: User,
}

/// The `fieldSelector` that finds users by e-mail, ignoring case. The address is escaped the way
/// Kubernetes' `fields.ParseSelector` reads values (`\\`, `\,`, `\=`), so it can only ever be
/// one term: no text can add a filter of its own.
pub fn email_field_selector(email: &Email) -> String {
    let mut escaped = String::with_capacity(email.as_str().len());
    for c in email.as_str().to_ascii_lowercase().chars() {
        if matches!(c, '\\' | ',' | '=') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    format!("spec.email=~{escaped}")
}

impl UserApi<'_> {
    /// `GET /kapis/iam.kubesphere.io/v1beta1/users/{name}`
    pub async fn get_user(&self, name: &str) -> Result<User, KsError> {
        self.send(Verb::Get, &ApiPath::fixed(IAM).lit("users").seg(name), None::<&()>).await
    }

    /// `GET /kapis/iam.kubesphere.io/v1beta1/users`, paged, filtered and sorted by `options`.
    pub async fn list_users(&self, options: &ListOptions) -> Result<ListResult<User>, KsError> {
        self.send(Verb::Get, &options.append_to(ApiPath::fixed(IAM).lit("users")), None::<&()>).await
    }

    /// `POST /users` with the body KubeSphere's console sends (§3.1): the user must change the
    /// password at first login, and the creator is recorded.
    pub async fn create_user(&self, new: &NewUser, creator: &str) -> Result<User, KsError> {
        let mut annotations = serde_json::Map::new();
        annotations.insert(ANNOTATION_GLOBAL_ROLE.into(), new.role.name().into());
        annotations.insert(ANNOTATION_CREATOR.into(), creator.into());
        put_text(&mut annotations, ANNOTATION_ALIAS, &new.display_name);
        put_text(&mut annotations, ANNOTATION_DESCRIPTION, &new.description);
        let mut spec = json!({ "email": new.email.as_str() });
        match &new.first_sign_in {
            FirstSignIn::Password(password) => {
                annotations.insert(ANNOTATION_UNINITIALIZED.into(), "true".into());
                spec["password"] = password.expose().into();
            }
            // No password and no `uninitialized`: the directory or SSO vouches for them (§12.7).
            FirstSignIn::Linked(link) => {
                annotations.insert(link.annotation_key(), link.identity().into());
            }
        }
        let body = json!({
            "apiVersion": "iam.kubesphere.io/v1beta1",
            "kind": "User",
            "metadata": { "name": new.name.as_str(), "annotations": annotations },
            "spec": spec,
        });
        self.send(Verb::Post, &ApiPath::fixed(IAM).lit("users"), Some(&body)).await
    }

    /// The users already linked to this identity (§12.3: KubeSphere signs the person in as the
    /// first it finds, so a second link must not be made). Values are compared here, exactly;
    /// KubeSphere's filter is only asked for what it can express.
    pub async fn users_linked_to(&self, link: &IdentityLink) -> Result<Vec<User>, KsError> {
        let key = link.annotation_key();
        let plain = !link.identity().contains(['=', ',', '!']);
        let filter = if plain { format!("{key}={}", link.identity()) } else { key.clone() };
        let users = self.list_users(&ListOptions::new().annotation(filter)).await?;
        let linked = |u: &User| u.metadata.annotations.get(&key).map(String::as_str) == Some(link.identity());
        Ok(users.into_items().into_iter().filter(linked).collect())
    }

    /// Confirms a directory person's first sign-in (§12.4), with the pre-registration token:
    /// creates the user with only a name and the e-mail. KubeSphere adds the identity link and
    /// drops any platform role itself; no password is sent (it would give them a local one).
    pub async fn register_user(&self, name: &UserName, email: Option<&Email>) -> Result<User, KsError> {
        let body = json!({
            "apiVersion": "iam.kubesphere.io/v1beta1",
            "kind": "User",
            "metadata": { "name": name.as_str() },
            "spec": { "email": email.map_or("", Email::as_str) },
        });
        self.send(Verb::Post, &ApiPath::fixed(IAM).lit("users"), Some(&body)).await
    }

    /// Changes a user's platform role: GET the user, change only the role annotation, PUT the
    /// whole object back (KubeSphere's PUT replaces the user, so a partial body would wipe fields).
    /// KubeSphere's user controller may update the user in between (409 Conflict on the stale
    /// `resourceVersion`): then the user is read again and the change retried, once.
    pub async fn change_platform_role(
        &self,
        user: &UserName,
        role: PlatformRole,
    ) -> Result<PlatformRoleChanged, KsError> {
        let path = ApiPath::fixed(IAM).lit("users").seg(user.as_str());
        let mut retried = false;
        loop {
            let mut current = self.get_user(user.as_str()).await?;
            let previous = current.annotation(ANNOTATION_GLOBAL_ROLE).map(str::to_owned);
            current.metadata.annotations.insert(ANNOTATION_GLOBAL_ROLE.into(), role.name().into());
            match self.send(Verb::Put, &path, Some(&current)).await {
                Err(KsError::Conflict { .. }) if !retried => retried = true,
                outcome => return outcome.map(|user| PlatformRoleChanged { previous, user }),
            }
        }
    }

    /// `GET /globalroles` (Kubernetes list; platform-admin only).
    pub async fn list_global_roles(&self) -> Result<Vec<Object>, KsError> {
        let path = ApiPath::fixed(IAM).lit("globalroles").query("limit", "-1");
        Ok(self.send::<(), KubeList<Object>>(Verb::Get, &path, None).await?.into_items())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn an_email_selector_is_always_one_escaped_term() {
        let email = |s| Email::parse(s).unwrap();
        assert_eq!(email_field_selector(&email("Ann@Example.com")), "spec.email=~ann@example.com");
        assert_eq!(email_field_selector(&email("a=b@c.de")), "spec.email=~a\\=b@c.de");
        assert!(Email::parse("x@y.io,status.state!=Active").is_err(), "never becomes a selector");
    }
}
