//! People: creating accounts, finding a person (the people list and the search box) and a
//! person's page.

mod create_page;
mod list_page;
mod person_page;

pub use create_page::CreateUserPage;
pub use list_page::{list_people, LivePersonSearch, PeoplePageView, PersonSearch};
pub use person_page::PersonPage;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedUser {
    pub username: String,
}

/// Creates a user (step 3 of the multi-tenant workflow). Everything is parsed first; a custom
/// role, a bad name or an unconfirmed admin grant is refused before anything is sent upstream.
#[server(prefix = "/api", endpoint = "create_user")]
pub async fn create_user(
    username: String,
    email: String,
    password: String,
    platform_role: String,
    #[server(default)] display_name: Option<String>,
    #[server(default)] description: Option<String>,
    #[server(default)] confirm_admin: Option<String>,
) -> Result<CreatedUser, AppError> {
    use crate::audit::{Action, Change, Via};
    use crate::i18n::td_string;
    use ks_client::{Cause, NewUser};
    use ks_types::{Email, Password, PlatformRole, UserName};

    let locale = crate::language::locale();
    let name = UserName::parse_new(&username).map_err(|e| AppError::field("username", crate::error::name_error(&e)))?;
    let email = Email::parse(&email).map_err(|e| AppError::field("email", crate::error::name_error(&e)))?;
    let password =
        Password::parse(&password).map_err(|e| AppError::field("password", crate::error::password_error(e)))?;
    let role = PlatformRole::parse(&platform_role)
        .map_err(|e| AppError::field("platform_role", crate::error::role_error(&e)))?;
    let display_name = display_name
        .filter(|d| !d.trim().is_empty())
        .map(|d| ks_types::DisplayName::parse(&d).map(String::from))
        .transpose()
        .map_err(|e| AppError::field("display_name", crate::error::name_error(&e)))?;
    if role.is_admin() && confirm_admin.as_deref() != Some("yes") {
        return Err(crate::upstream::fail_with(AppError::field(
            "confirm_admin",
            td_string!(locale, people.confirm_admin_required),
        )));
    }
    let upstream = crate::upstream::Upstream::from_context()?;
    let new = NewUser { name: name.clone(), email, password, role, display_name, description };
    let creator = upstream.username().to_owned();
    let taken_name = name.clone();
    let change = Change::new(Action::CreateUser).user(&name).roles(None, role.name());
    let write = upstream.call_mapped(
        |api| async move { api.create_user(&new, &creator).await },
        move |e| match e.cause() {
            Cause::AlreadyExists => Some(AppError::field(
                "username",
                td_string!(locale, people.user_exists, name = taken_name.clone()).to_string(),
            )),
            Cause::EmailTaken => Some(AppError::field("email", td_string!(locale, people.email_taken))),
            Cause::EmailInvalid => Some(AppError::field("email", td_string!(locale, people.email_rejected))),
            Cause::RoleNotFound => {
                Some(AppError::field("platform_role", td_string!(locale, people.platform_role_not_found)))
            }
            _ => None,
        },
    );
    let user = upstream.recorded(Via::Form, vec![change], write).await?;
    Ok(CreatedUser { username: user.metadata.name })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub username: String,
    pub display_name: String,
    pub email: String,
    /// active, locked, disabled or pending.
    pub status: String,
    pub platform_role: Option<String>,
    /// The directories (or SSO) they sign in through, by the name people know; empty: a
    /// KubeSphere account.
    pub directories: Vec<String>,
    /// When they last signed in (RFC 3339), if ever.
    pub last_sign_in: Option<String>,
}

/// One person, as KubeSphere describes them.
#[server(prefix = "/api", endpoint = "get_person")]
pub async fn get_person(username: String) -> Result<Person, AppError> {
    let name = ks_types::UserName::parse(&username).map_err(|_| AppError::NotFound)?;
    let upstream = crate::upstream::Upstream::from_context()?;
    // Anyone may list users (and so read this one), even where reading users/{name} is refused.
    let found = upstream
        .call(|api| async move { api.list_users(&[("names", name.as_str()), ("limit", "1")]).await })
        .await?
        .into_items();
    let user = found.into_iter().next().ok_or_else(|| crate::upstream::fail_with(AppError::NotFound))?;
    let status = match user.state() {
        Some("Active") => "active",
        Some("Disabled") => "disabled",
        Some("AuthLimitExceeded") => "locked",
        _ => "pending",
    };
    Ok(Person {
        username: user.metadata.name.clone(),
        display_name: user.display_name().to_owned(),
        email: user.spec.email.clone(),
        status: status.into(),
        platform_role: user.global_role().map(str::to_owned),
        directories: directory_labels(user.identity_providers()).await,
        last_sign_in: user.last_login_time().map(str::to_owned),
    })
}

/// Providers by the names the sign-in page shows (their display names), else as named.
#[cfg(feature = "ssr")]
async fn directory_labels(names: Vec<&str>) -> Vec<String> {
    if names.is_empty() {
        return Vec::new();
    }
    let known = match use_context::<crate::upstream::AppState>() {
        Some(state) => state.sign_in.directories(&state.ks).await,
        None => Vec::new(),
    };
    names
        .into_iter()
        .map(|n| known.iter().find(|d| d.name == n).map_or_else(|| n.to_owned(), |d| d.label.clone()))
        .collect()
}
