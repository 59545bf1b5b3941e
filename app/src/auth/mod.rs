//! Who is signed in: the login page and the current user.

mod confirm_page;
mod login_page;

pub use confirm_page::ConfirmPage;
pub use login_page::LoginPage;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Display data about the signed-in user. Nothing secret: this goes to the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInUser {
    pub username: String,
    pub display_name: String,
    pub email: String,
    /// KubeSphere's platform (global) role, e.g. `platform-admin`; `None` when unbound.
    pub platform_role: Option<String>,
}

/// A first directory sign-in waiting for its username: what the directory says of the person.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub suggested: String,
    pub email: String,
    /// The directory, by its display name.
    pub provider: String,
}

/// The signed-in user, as KubeSphere knows them (`GET users/{me}` with their own token).
#[server(prefix = "/api", endpoint = "current_user")]
pub async fn current_user() -> Result<SignedInUser, AppError> {
    let upstream = crate::upstream::Upstream::from_context()?;
    let me = upstream.username().to_owned();
    let user = upstream.call(|api| async move { api.get_user(&me).await }).await?;
    Ok(SignedInUser {
        username: user.metadata.name.clone(),
        display_name: user.display_name().to_owned(),
        email: user.spec.email.clone(),
        platform_role: user.global_role().map(str::to_owned),
    })
}

/// Where to go after signing in: only same-origin relative paths are accepted, anything else
/// (other hosts, protocol-relative `//x`, backslash tricks, `javascript:`) becomes `/`.
pub fn safe_next_path(next: Option<&str>) -> String {
    let Some(next) = next.map(str::trim) else { return "/".into() };
    let acceptable = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.contains(['\\', '\r', '\n', '\t'])
        && !next.chars().any(char::is_control);
    if acceptable {
        next.to_owned()
    } else {
        "/".into()
    }
}

/// The login URL that brings the user back to `path` afterwards.
pub fn login_url(path: &str, reason: Option<&AppError>) -> String {
    let mut url = String::from("/login?next=");
    url.push_str(&crate::kit::url::encode_query_value(&safe_next_path(Some(path))));
    if let Some(reason) = reason {
        url.push_str("&reason=");
        url.push_str(reason.code());
    }
    url
}

/// The "Sign out" control. A plain form POST, so it works before the WASM has loaded.
#[component]
pub fn SignOutButton() -> impl IntoView {
    let locale = crate::language::locale();
    view! {
        <form method="post" action="/logout" class="sign-out">
            <button type="submit" class="button secondary">{crate::i18n::td_string!(locale, common.sign_out)}</button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn next_accepts_only_same_origin_relative_paths() {
        for evil in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
            "",
            "evil",
            "/a\\b",
            "/x\r\nSet-Cookie: a=b",
        ] {
            assert_eq!(safe_next_path(Some(evil)), "/", "{evil:?}");
        }
        assert_eq!(safe_next_path(None), "/");
        assert_eq!(safe_next_path(Some("/users/alice?tab=roles")), "/users/alice?tab=roles");
    }

    proptest::proptest! {
        /// Resolved the way a browser resolves a `Location` header (WHATWG URL parsing), the
        /// answer never leaves the console's origin, and it is always a valid header value.
        #[test]
        fn next_never_leads_off_the_origin(raw in proptest::prop_oneof![
            any_string(),
            "[/\\\\ \t\r\n:@.a-z%]{0,12}",
            "(/|//|/\\\\|\\\\)[a-z.:@]{0,10}",
        ]) {
            let next = safe_next_path(Some(&raw));
            let base = url::Url::parse("https://console.example/login?next=x").unwrap();
            let resolved = base.join(&next).unwrap();
            proptest::prop_assert_eq!(resolved.origin(), base.origin(), "{:?} -> {:?}", raw, next);
            proptest::prop_assert!(http::HeaderValue::from_str(&next).is_ok(), "{:?}", next);
            proptest::prop_assert!(next == "/" || next == raw.trim(), "{:?} -> {:?}", raw, next);
        }
    }

    fn any_string() -> impl proptest::strategy::Strategy<Value = String> {
        proptest::arbitrary::any::<String>()
    }

    #[test]
    fn login_url_encodes_the_return_path() {
        assert_eq!(login_url("/users?q=a&b", None), "/login?next=/users%3Fq%3Da%26b");
        assert_eq!(login_url("//evil", Some(&AppError::SessionExpired)), "/login?next=/&reason=session_expired");
    }
}
