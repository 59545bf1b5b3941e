//! The choice a new account's form offers besides a password: a directory or SSO identity.

use leptos::prelude::*;

use crate::i18n::td_string;

/// The directories and SSO providers a new account may be linked to (read on the server when a
/// page is served; none in the browser, which renders no such page).
pub async fn linkable_methods() -> Vec<crate::sign_in_methods::SignInMethod> {
    #[cfg(feature = "ssr")]
    {
        match leptos::prelude::use_context::<crate::upstream::AppState>() {
            Some(state) => state.sign_in.known(&state.ks).await.linkable(),
            None => Vec::new(),
        }
    }
    #[cfg(not(feature = "ssr"))]
    {
        Vec::new()
    }
}

/// A new account may sign in through a directory or SSO instead of a password: which one, and
/// who they are there (§12.7). No password is set for them then.
#[component]
pub fn LinkFields(
    methods: Vec<crate::sign_in_methods::SignInMethod>,
    provider: String,
    identity: String,
    provider_error: Option<String>,
    identity_error: Option<String>,
) -> impl IntoView {
    let locale = crate::language::locale();
    let options = crate::kit::options(methods.into_iter().map(|m| (m.name, m.label)), &provider);
    view! {
        <div class="field">
            <label for="field-identity_provider">{td_string!(locale, onboarding.signs_in_with)}</label>
            <select id="field-identity_provider" name="identity_provider" aria-describedby="field-identity_provider-hint field-identity_provider-error"
                aria-invalid=provider_error.is_some().then_some("true")>
                <option value="" selected=provider.is_empty()>{td_string!(locale, onboarding.signs_in_with_password)}</option>
                {options}
            </select>
            <p class="hint" id="field-identity_provider-hint">{td_string!(locale, onboarding.signs_in_with_hint)}</p>
            <crate::kit::FieldError id="field-identity_provider-error" error=provider_error />
        </div>
        <div class="field">
            <label for="field-identity">{td_string!(locale, onboarding.identity)}</label>
            <input id="field-identity" name="identity" type="text" value=identity autocomplete="off" autocapitalize="none" spellcheck="false"
                aria-describedby="field-identity-hint field-identity-error" aria-invalid=identity_error.is_some().then_some("true") />
            <p class="hint" id="field-identity-hint">{td_string!(locale, onboarding.identity_hint)}</p>
            <crate::kit::FieldError id="field-identity-error" error=identity_error />
        </div>
    }
}
