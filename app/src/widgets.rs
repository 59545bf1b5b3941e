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

/// A role dropdown (built-in roles only, as the server offers them) with what the chosen role
/// grants, and the explicit confirmation an admin role needs.
#[component]
pub fn RoleSelect(
    label: &'static str,
    name: &'static str,
    #[prop(into)] options: Signal<Vec<crate::users::RoleOption>>,
    selected: RwSignal<String>,
    #[prop(into, optional)] error: MaybeProp<String>,
    #[prop(into, optional)] confirm_error: MaybeProp<String>,
    #[prop(optional)] id: Option<&'static str>,
) -> impl IntoView {
    let id = id.map(str::to_owned).unwrap_or_else(|| format!("field-{name}"));
    let current = Signal::derive(move || options.get().into_iter().find(|o| o.value == selected.get()));
    let is_admin = Signal::derive(move || current.get().is_some_and(|o| o.is_admin));
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select id=id.clone() name=name on:change=move |ev| selected.set(event_target_value(&ev))
                aria-describedby=format!("{id}-hint {id}-error")>
                // The options follow the workspace; the chosen one follows `selected`, also when
                // the options are replaced (e.g. another workspace's regular role after a switch).
                {move || options.get().into_iter().map(|o| {
                    let value = o.value.clone();
                    let same = value.clone();
                    view! { <option value=o.value.clone() selected=move || selected.get() == value prop:selected=move || selected.get() == same>{o.name.clone()}</option> }
                }).collect_view()}
            </select>
            <p class="hint" id=format!("{id}-hint")>{move || current.get().map(|o| o.description)}</p>
            <p class="field-error" id=format!("{id}-error") aria-live="polite">{move || error.get()}</p>
        </div>
        <Show when=move || is_admin.get()>
            <div class="field confirm-admin">
                <label class="checkbox">
                    <input type="checkbox" name="confirm_admin" value="yes" />
                    {move || current.get().map(|o| format!(" Yes, grant {}: {}", o.name, o.description))}
                </label>
                <p class="field-error" aria-live="polite">{move || confirm_error.get()}</p>
            </div>
        </Show>
    }
}

/// People matching what is typed into `query`, fetched 200 ms after typing pauses, from two
/// characters on; `None` until there is an answer for the current text.
pub fn live_people_search() -> (RwSignal<String>, Signal<Option<Vec<crate::directory::UserHit>>>) {
    use crate::directory::search_users;
    let query = RwSignal::new(String::new());
    let search = Action::new(|q: &String| {
        let q = q.clone();
        async move { (q.clone(), search_users(q).await) }
    });
    Effect::new(move |_| {
        let q = query.get();
        if q.trim().chars().count() < 2 {
            return;
        }
        set_timeout(
            move || {
                if query.get_untracked() == q {
                    search.dispatch(q);
                }
            },
            Duration::from_millis(200),
        );
    });
    let results = Signal::derive(move || match search.value().get() {
        Some((q, Ok(hits))) if q == query.get() && q.trim().chars().count() >= 2 => Some(hits),
        _ => None,
    });
    (query, results)
}

/// A text field for usernames with people search as you type (from 2 characters, 200 ms after
/// the last keystroke, stale answers dropped). Choosing a result fills the field (or, with
/// `multiple`, adds to it). Without WASM it is a plain text field.
#[component]
pub fn UserPicker(
    label: &'static str,
    name: &'static str,
    value: RwSignal<String>,
    #[prop(default = false)] multiple: bool,
    #[prop(into, optional)] error: MaybeProp<String>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] id: Option<&'static str>,
) -> impl IntoView {
    let (query, results) = live_people_search();
    let choose = move |username: String| {
        if multiple {
            value.update(|v| {
                let mut names: Vec<String> =
                    v.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect();
                if !names.contains(&username) {
                    names.push(username);
                }
                *v = names.join(", ");
            });
        } else {
            value.set(username);
        }
        query.set(String::new());
    };
    let field_id: &'static str = id.unwrap_or(name);
    let search_id = format!("field-{field_id}-search");
    let hint = hint.unwrap_or(if multiple { "Usernames, separated by commas." } else { "A username." });
    view! {
        {match id {
            Some(id) => view! { <crate::forms::TextField label=label name=name value=value error=error required=true
                autocomplete="off" hint=hint id=id /> }.into_any(),
            None => view! { <crate::forms::TextField label=label name=name value=value error=error required=true
                autocomplete="off" hint=hint /> }.into_any(),
        }}
        <div class="field js-only search-field">
            <label for=search_id.clone()>"Find people"</label>
            <input id=search_id type="search" autocomplete="off" maxlength=crate::directory::SEARCH_MAX_CHARS placeholder="Part of a name, or an e-mail address"
                prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev)) />
            <ul class="search-results" aria-live="polite">
                {move || results.get().map(|hits| {
                    if hits.is_empty() {
                        view! { <li class="muted">"No one found."</li> }.into_any()
                    } else {
                        hits.into_iter().map(|h| {
                            let username = h.username.clone();
                            view! {
                                <li>
                                    <button type="button" class="button secondary" on:click=move |_| choose(username.clone())>
                                        {format!("{} {}", if multiple { "Add" } else { "Choose" }, h.username)}
                                    </button>
                                    <span class="muted">{format!(" {} · {}", h.display_name, h.email)}</span>
                                </li>
                            }
                        }).collect_view().into_any()
                    }
                })}
            </ul>
        </div>
    }
}

/// A value that depends on `key` (e.g. the roles of the chosen workspace): `initial`, loaded with
/// the page, for `initial_key`; for another key it is fetched in the browser when the key changes,
/// and is `None` until the answer for that key arrives. Deliberately not a `Resource`: server
/// rendering never waits on it, and each page keeps one blocking resource for its first render.
pub fn follow<K, T, F, Fut>(key: Signal<K>, initial_key: K, initial: T, fetch: F) -> Signal<Option<T>>
where
    K: Clone + PartialEq + Send + Sync + 'static,
    T: Clone + Send + Sync + 'static,
    F: Fn(K) -> Fut + Send + Sync + Copy + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    let action = Action::new(move |k: &K| {
        let k = k.clone();
        async move {
            let value = fetch(k.clone()).await;
            (k, value)
        }
    });
    let first = StoredValue::new((initial_key, initial));
    Effect::new(move |_| {
        let k = key.get();
        if first.with_value(|(ik, _)| *ik != k) {
            action.dispatch(k);
        }
    });
    Signal::derive(move || {
        let k = key.get();
        if let Some(v) = first.with_value(|(ik, iv)| (*ik == k).then(|| iv.clone())) {
            return Some(v);
        }
        match action.value().get() {
            Some((answered, v)) if answered == k => Some(v),
            _ => None,
        }
    })
}

/// How many pages `total` items fill at `page_size` a page (at least one, even when empty).
pub fn page_count(total: u64, page_size: u32) -> u32 {
    u32::try_from(total.div_ceil(u64::from(page_size.max(1))).max(1)).unwrap_or(u32::MAX)
}

/// Links to the previous and next page of a server-side list (`link(n)` is the address of
/// page `n`): plain links, so they work before (and without) the WASM.
pub fn pager(page: u32, pages: u32, link: impl Fn(u32) -> String) -> impl IntoView {
    let prev = (page > 1).then(|| link(page - 1));
    let next = (page < pages).then(|| link(page + 1));
    (prev.is_some() || next.is_some()).then(|| {
        view! {
            <nav class="button-row" aria-label="Pages">
                {prev.map(|href| view! { <a class="button secondary" href=href rel="prev">"Previous page"</a> })}
                {next.map(|href| view! { <a class="button secondary" href=href rel="next">"Next page"</a> })}
            </nav>
        }
    })
}
