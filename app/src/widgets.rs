//! Small shared pieces of UI.

use std::future::Future;
use std::time::Duration;

use leptos::prelude::*;

use crate::error::AppError;
use crate::users::Availability;

/// Checks `value` with `check` as the user types: 250 ms after the last keystroke, and only the
/// answer for the value currently in the field is shown (slower, stale answers are dropped).
pub fn live_check<F, Fut>(value: RwSignal<String>, check: F) -> Signal<Option<Availability>>
where
    F: Fn(String) -> Fut + Send + Sync + Copy + 'static,
    Fut: Future<Output = Result<Availability, AppError>> + Send + 'static,
{
    let action = Action::new(move |v: &String| {
        let v = v.clone();
        async move {
            let answer = check(v.clone()).await;
            (v, answer)
        }
    });
    Effect::new(move |_| {
        let v = value.get();
        if v.trim().is_empty() {
            return;
        }
        set_timeout(
            move || {
                if value.get_untracked() == v {
                    action.dispatch(v);
                }
            },
            Duration::from_millis(250),
        );
    });
    Signal::derive(move || match action.value().get() {
        Some((v, Ok(a))) if v == value.get() => Some(a),
        _ => None,
    })
}

/// A list of rules with whether each is met, e.g. the password rules.
#[component]
pub fn Checklist(id: &'static str, #[prop(into)] items: Signal<Vec<(&'static str, bool)>>) -> impl IntoView {
    view! {
        <ul class="checklist" id=id aria-live="polite" aria-label="Password rules">
            {move || {
                items
                    .get()
                    .into_iter()
                    .map(|(text, met)| {
                        view! {
                            <li class:met=met>
                                <span aria-hidden="true">{if met { "✓ " } else { "○ " }}</span>
                                {text}
                                <span class="sr-only">{if met { " (met)" } else { " (not met yet)" }}</span>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ul>
    }
}

/// One line saying why an action is not available to this user.
#[component]
pub fn NoticeUnavailable(#[prop(into)] text: String) -> impl IntoView {
    view! { <p class="notice" role="note">{text}</p> }
}

/// The standard rendering of an error that stops a whole page.
pub fn error_view(err: AppError) -> AnyView {
    match err {
        AppError::SessionExpired | AppError::NotSignedIn => {
            let here = leptos_router::hooks::use_location().pathname.get_untracked();
            view! { <leptos_router::components::Redirect path=crate::auth::login_url(&here, Some(&err)) /> }.into_any()
        }
        other => view! { <p class="error-banner" role="alert">{other.message()}</p> }.into_any(),
    }
}
