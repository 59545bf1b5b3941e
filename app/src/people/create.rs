//! Creating an account (step 3 of the multi-tenant workflow): with an initial password, or
//! linked to a directory or SSO identity (§12.7).
// Each argument of the server function is one field of the plain HTML form (it posts without
// the WASM), and the client side the macro generates has them all.
#![allow(clippy::too_many_arguments)]

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
    #[server(default)] confirm_admin: crate::kit::Checkbox,
    #[server(default)] identity_provider: Option<String>,
    #[server(default)] identity: Option<String>,
) -> Result<CreatedUser, AppError> {
    use crate::activity_log::{Action, Change, Via};
    use crate::i18n::td_string;
    use ks_client::{Cause, FirstSignIn, NewUser};
    use ks_types::{Email, IdentityLink, LinkPart, Password, PlatformRole, UserName};

    let locale = crate::language::locale();
    let name = crate::error::parse_field("username", &username, UserName::parse_new)?;
    let email = crate::error::parse_field("email", &email, Email::parse)?;
    let link = match identity_provider.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(provider) => Some(IdentityLink::parse_parts(provider, identity.as_deref().unwrap_or_default()).map_err(
            |(part, e)| {
                let field = match part {
                    LinkPart::Provider => "identity_provider",
                    LinkPart::Identity => "identity",
                };
                AppError::field(field, crate::error::name_error(&e))
            },
        )?),
        None => None,
    };
    // Linked to a directory or SSO identity: no password is set (a typed one is not used).
    let first_sign_in = match link {
        Some(link) => FirstSignIn::Linked(link),
        None => FirstSignIn::Password(
            Password::parse(&password).map_err(|e| AppError::field("password", crate::error::password_error(e)))?,
        ),
    };
    let role = crate::error::parse_field("platform_role", &platform_role, PlatformRole::parse)?;
    let display_name = display_name
        .filter(|d| !d.trim().is_empty())
        .map(|d| crate::error::parse_field("display_name", &d, ks_types::DisplayName::parse).map(String::from))
        .transpose()?;
    if role.is_admin() && !confirm_admin.checked() {
        return Err(crate::upstream::fail_with(AppError::field(
            "confirm_admin",
            td_string!(locale, people.confirm_admin_required),
        )));
    }
    let upstream = crate::upstream::Upstream::from_context()?;
    if let FirstSignIn::Linked(link) = &first_sign_in {
        link_is_free(&upstream, link).await?;
    }
    let new = NewUser { name: name.clone(), email, first_sign_in, role, display_name, description };
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

/// Refuses a link to a provider KubeSphere does not have, or to an identity another account
/// already has (KubeSphere would sign it in as whichever it finds first, §12.3).
#[cfg(feature = "ssr")]
async fn link_is_free(upstream: &crate::upstream::Upstream, link: &ks_types::IdentityLink) -> Result<(), AppError> {
    use crate::i18n::td_string;
    let locale = crate::language::locale();
    if let Some(state) = use_context::<crate::upstream::AppState>() {
        let known = state.sign_in.known(&state.ks).await.provider_names();
        if known.is_some_and(|names| !names.iter().any(|n| n == link.provider())) {
            let provider = link.provider().to_owned();
            let text = td_string!(locale, planner.unknown_sign_in_method, provider).to_string();
            return Err(crate::upstream::fail_with(AppError::field("identity_provider", text)));
        }
    }
    let linked = upstream.call(|api| async move { api.users_linked_to(link).await }).await?;
    if let Some(owner) = linked.first() {
        let (identity, user) = (link.identity().to_owned(), owner.metadata.name.clone());
        let text = td_string!(locale, planner.identity_taken_by, identity, user).to_string();
        return Err(crate::upstream::fail_with(AppError::field("identity", text)));
    }
    Ok(())
}
