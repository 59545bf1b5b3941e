//! `/requests`: the requests the reader may decide (approve with a built-in role, or decline
//! with a reason) and their own (withdraw while pending). Plain HTML forms (no WASM).

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use super::{
    access_requests, AccessRequest, ApproveAccessRequest, DeclineAccessRequest, Inbox, RequestState, ToDecide,
    WithdrawAccessRequest,
};
use crate::forms::{FieldLook, RoleChoice, RoleSelect};
use crate::i18n::td_string;
use crate::kit::{take_flash, Flash, FormError, FormState};
use crate::layout::error_view;

/// Milliseconds since the epoch, as people read it (UTC, to the minute).
fn when(at_ms: i64) -> String {
    let format = time_format(at_ms);
    format.unwrap_or_default()
}

#[cfg(feature = "ssr")]
fn time_format(at_ms: i64) -> Option<String> {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp(at_ms.div_euclid(1000)).ok()?.format(&format).ok()
}

#[cfg(not(feature = "ssr"))]
fn time_format(_at_ms: i64) -> Option<String> {
    None
}

#[component]
pub fn RequestsPage() -> impl IntoView {
    let data = Resource::new_blocking(
        || (),
        |_| async {
            let (flash, inbox) = futures::join!(take_flash(), access_requests());
            (flash.ok().flatten(), inbox)
        },
    );
    let locale = crate::language::locale();
    view! {
        <main id="main" class="page">
            <h1>{td_string!(locale, requests.inbox_title)}</h1>
            <Suspense fallback=crate::kit::Loading>
                {move || Suspend::new(async move {
                    match data.await {
                        (flash, Ok(inbox)) => view! { <InboxView inbox flash /> }.into_any(),
                        (_, Err(e)) => error_view(e),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn InboxView(inbox: Inbox, flash: Option<Flash>) -> impl IntoView {
    let locale = crate::language::locale();
    let approve = FormState::<ApproveAccessRequest>::new(&flash);
    let decline = FormState::<DeclineAccessRequest>::new(&flash);
    let withdraw = FormState::<WithdrawAccessRequest>::new(&flash);
    let done = approve
        .success()
        .map(|r| {
            td_string!(locale, requests.approved, user = r.requester, role = r.note, place = r.place.label())
                .to_string()
        })
        .or_else(|| decline.success().map(|r| td_string!(locale, requests.declined, user = r.requester).to_string()))
        .or_else(|| withdraw.success().map(|_| td_string!(locale, requests.withdrawn).to_owned()));
    // Which request a failed decision was about, to show its error there.
    let failed_id = approve.kept("id");
    let confirm_error = approve.field_error("confirm_admin");
    let decline_error = decline.field_error("reason");
    let decline_failed = decline.kept("id");
    let errors = [approve.error(), decline.error(), withdraw.error()]
        .into_iter()
        .flatten()
        .find(|e| !matches!(e, crate::error::AppError::InvalidField { .. }));
    let to_decide = inbox.to_decide;
    let mine = inbox.mine;
    view! {
        {done.map(|text| view! { <p class="success-banner" role="status">{text}</p> })}
        <FormError error=errors />
        <section aria-labelledby="to-decide-title" class="stack">
            <h2 id="to-decide-title">{td_string!(locale, requests.to_decide_title, n = to_decide.len()).to_string()}</h2>
            {if to_decide.is_empty() {
                view! { <p class="muted">{td_string!(locale, requests.nothing_to_decide)}</p> }.into_any()
            } else {
                view! {
                    <ul class="request-list">
                        {to_decide.into_iter().map(|d| {
                            let confirm_error = (d.request.id == failed_id).then(|| confirm_error.clone()).flatten();
                            let decline_error = (d.request.id == decline_failed).then(|| decline_error.clone()).flatten();
                            view! { <Decide item=d confirm_error decline_error /> }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section aria-labelledby="mine-title" class="stack">
            <h2 id="mine-title">{td_string!(locale, requests.mine_title)}</h2>
            {if mine.is_empty() {
                view! { <p class="muted">{td_string!(locale, requests.none_of_mine)}</p> }.into_any()
            } else {
                view! { <ul class="request-list">{mine.into_iter().map(|r| view! { <Mine request=r /> }).collect_view()}</ul> }.into_any()
            }}
        </section>
    }
}

/// One request to decide: who asks for what, why, what they hold now, and the two decisions.
#[component]
fn Decide(item: ToDecide, confirm_error: Option<String>, decline_error: Option<String>) -> impl IntoView {
    let locale = crate::language::locale();
    let ToDecide { request: r, holds, roles } = item;
    let id = r.id.clone();
    let short = id.chars().take(8).collect::<String>();
    let asked = td_string!(
        locale,
        requests.asks_for,
        user = r.requester.clone(),
        role = r.role_name(),
        place = r.place.label()
    )
    .to_string();
    let holds = holds.map(|role| td_string!(locale, requests.holds_now, role = role).to_string());
    view! {
        <li class="card stack">
            <p><strong>{asked}</strong>" "<span class="muted">{when(r.at_ms)}</span></p>
            <blockquote>{r.reason.clone()}</blockquote>
            {holds.map(|text| view! { <p class="notice" role="note">{text}</p> })}
            <form method="post" action={<ApproveAccessRequest as ServerFn>::PATH} class="stack"
                aria-label=td_string!(locale, requests.approve_label, user = r.requester.clone()).to_string()>
                <input type="hidden" name="id" value=id.clone() />
                <RoleSelect look=FieldLook::new(&format!("role-{short}"), "role", td_string!(locale, requests.role_to_give))
                    options=roles chosen=RoleChoice { confirm_error, ..RoleChoice::new(r.role.clone()) } />
                <button type="submit" class="button primary">{td_string!(locale, requests.approve)}</button>
            </form>
            <form method="post" action={<DeclineAccessRequest as ServerFn>::PATH} class="stack"
                aria-label=td_string!(locale, requests.decline_label, user = r.requester.clone()).to_string()>
                <input type="hidden" name="id" value=id.clone() />
                <div class="field">
                    <label for=format!("reason-{short}")>{td_string!(locale, requests.decline_reason)}</label>
                    <input id=format!("reason-{short}") name="reason" type="text" maxlength=super::MAX_REASON_CHARS.to_string()
                        aria-invalid=decline_error.is_some().then_some("true") aria-describedby=format!("reason-{short}-error") />
                    <crate::kit::FieldError id=format!("reason-{short}-error") error=decline_error />
                </div>
                <button type="submit" class="button secondary">{td_string!(locale, requests.decline)}</button>
            </form>
        </li>
    }
}

/// One of the reader's own requests, with its state; pending ones can be withdrawn.
#[component]
fn Mine(request: AccessRequest) -> impl IntoView {
    let locale = crate::language::locale();
    let r = request;
    let state = match r.state {
        RequestState::Pending => td_string!(locale, requests.state_pending).to_owned(),
        RequestState::Approved => td_string!(
            locale,
            requests.state_approved,
            by = r.decided_by.clone().unwrap_or_default(),
            role = r.note.clone()
        )
        .to_string(),
        RequestState::Declined => td_string!(
            locale,
            requests.state_declined,
            by = r.decided_by.clone().unwrap_or_default(),
            reason = r.note.clone()
        )
        .to_string(),
        RequestState::Withdrawn => td_string!(locale, requests.state_withdrawn).to_owned(),
        RequestState::Replaced => td_string!(locale, requests.state_replaced).to_owned(),
        RequestState::Expired => td_string!(locale, requests.state_expired).to_owned(),
    };
    let pending = r.state == RequestState::Pending;
    view! {
        <li class="card stack">
            <p><strong>{format!("{} — {}", r.place.label(), r.role_name())}</strong>" "<span class="muted">{when(r.at_ms)}</span></p>
            <p>{state}</p>
            {pending.then(|| view! {
                <form method="post" action={<WithdrawAccessRequest as ServerFn>::PATH}>
                    <input type="hidden" name="id" value=r.id.clone() />
                    <button type="submit" class="button secondary"
                        aria-label=td_string!(locale, requests.withdraw_label, place = r.place.label()).to_string()>
                        {td_string!(locale, requests.withdraw)}
                    </button>
                </form>
            })}
        </li>
    }
}
