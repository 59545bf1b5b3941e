//! People: creating accounts, finding a person (the people list and the search box) and a
//! person's page.

mod create;
mod create_page;
mod list_page;
mod person_page;

pub use create::{create_user, CreateUser, CreatedUser};
pub use create_page::CreateUserPage;
pub use list_page::{list_people, LivePersonSearch, PeoplePageView, PersonSearch};
pub use person_page::PersonPage;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

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
    pub directories: Vec<WayIn>,
    /// When they last signed in (RFC 3339), if ever.
    pub last_sign_in: Option<String>,
}

/// An identity provider a person signs in through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WayIn {
    pub label: String,
    /// Through KubeSphere's console (OIDC, GitHub, …) rather than a directory password.
    pub single_sign_on: bool,
}

/// One person, as KubeSphere describes them.
#[server(prefix = "/api", endpoint = "get_person")]
pub async fn get_person(username: String) -> Result<Person, AppError> {
    let name = ks_types::UserName::parse(&username).map_err(|_| AppError::NotFound)?;
    let upstream = crate::upstream::Upstream::from_context()?;
    // Anyone may list users (and so read this one), even where reading users/{name} is refused.
    let found = upstream
        .call(|api| async move { api.list_users(&ks_client::ListOptions::new().names([name.as_str()]).limit(1)).await })
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
        directories: ways_in(user.identity_providers()).await,
        last_sign_in: user.last_login_time().map(str::to_owned),
    })
}

/// The identity providers a person is linked to, by the names people know (their display
/// names), else as named.
#[cfg(feature = "ssr")]
async fn ways_in(names: Vec<&str>) -> Vec<WayIn> {
    if names.is_empty() {
        return Vec::new();
    }
    let known = match use_context::<crate::upstream::AppState>() {
        Some(state) => Some(state.sign_in.known(&state.ks).await),
        None => None,
    };
    names
        .into_iter()
        .map(|n| match known.as_deref().and_then(|k| k.provider(n)) {
            Some(p) => WayIn { label: p.label().to_owned(), single_sign_on: p.is_single_sign_on() },
            None => WayIn { label: n.to_owned(), single_sign_on: false },
        })
        .collect()
}
