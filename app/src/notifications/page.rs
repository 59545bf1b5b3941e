//! `/settings/notifications`: two checkboxes in a plain form (no WASM).

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use super::{notification_settings, NotifyChoices, SaveNotificationSettings};
use crate::i18n::td_string;
use crate::kit::{take_flash, Flash, FormError, FormState, SubmitButton};
use crate::layout::error_view;

#[component]
pub fn NotificationSettingsPage() -> impl IntoView {
    let data = Resource::new_blocking(
        || (),
        |_| async move {
            let (flash, settings) = futures::join!(take_flash(), notification_settings());
            (flash.ok().flatten(), settings)
        },
    );
    let locale = crate::language::locale();
    view! {
        <main id="main" class="page narrow">
            <h1>{td_string!(locale, notices.settings_title)}</h1>
            <Suspense fallback=crate::kit::Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        (flash, Ok(settings)) => view! { <SettingsForm settings flash /> }.into_any(),
                        (_, Err(e)) => error_view(e),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn SettingsForm(settings: NotifyChoices, flash: Option<Flash>) -> impl IntoView {
    let locale = crate::language::locale();
    let state = FormState::<SaveNotificationSettings>::new(&flash);
    // What was just saved, else what is kept.
    let shown = state.success().unwrap_or(settings);
    view! {
        {state.success().map(|_| view! { <p class="success-banner" role="status">{td_string!(locale, notices.saved)}</p> })}
        <FormError error=state.error() />
        {(!shown.enabled).then(|| view! { <p class="notice" role="note">{td_string!(locale, notices.none_set_up)}</p> })}
        <form method="post" action={<SaveNotificationSettings as ServerFn>::PATH} class="stack">
            <div class="field">
                <label class="checkbox">
                    <input type="checkbox" name="notify" value="on" checked=!shown.muted />
                    " " {td_string!(locale, notices.setting_notify)}
                </label>
            </div>
            <div class="field">
                <label class="checkbox">
                    <input type="checkbox" name="digest" value="on" checked=shown.digest aria-describedby="digest-hint" />
                    " " {td_string!(locale, notices.setting_digest)}
                </label>
                <p class="hint" id="digest-hint">{td_string!(locale, notices.setting_digest_hint)}</p>
            </div>
            <SubmitButton label=td_string!(locale, notices.save) />
        </form>
    }
}
