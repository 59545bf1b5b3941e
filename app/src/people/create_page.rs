//! `/users/new`: the create-user form.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use super::{check_email, check_username, generate_password, CreateUser};
use crate::forms::{
    flash_for, live_check, take_flash, Availability, Checklist, Flash, FormError, FormState, RoleOption, SubmitButton,
    TextField,
};
use crate::i18n::td_string;
use crate::layout::NoticeUnavailable;
use crate::permissions::my_permissions;
use crate::roles::platform_role_options;

#[component]
pub fn CreateUserPage() -> impl IntoView {
    let data = Resource::new_blocking(
        || (),
        |_| async {
            let (perms, roles, flash) =
                futures::future::join3(my_permissions(), platform_role_options(), take_flash()).await;
            (perms, roles, flash.ok().flatten())
        },
    );
    let locale = crate::language::locale();
    view! {
        <main id="main" class="page narrow">
            <h1>{td_string!(locale, people.create_title)}</h1>
            <Suspense fallback=move || view! { <p aria-busy="true">{td_string!(locale, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    let (perms, roles, flash) = data.await;
                    match (perms, roles) {
                        (Ok(p), _) if !p.manage_users => view! {
                            <NoticeUnavailable text=td_string!(locale, people.only_admins_create, role = p.role_label().to_owned()).to_string() />
                        }
                        .into_any(),
                        (Ok(_), Ok(roles)) => {
                            let flash = flash_for(&flash, <CreateUser as ServerFn>::PATH);
                            view! { <CreateUserForm roles flash /> }.into_any()
                        }
                        (Err(e), _) | (_, Err(e)) => crate::layout::error_view(e),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[island]
fn CreateUserForm(roles: Vec<RoleOption>, flash: Option<Flash>) -> impl IntoView {
    crate::forms::island_hydrated();
    let locale = crate::language::locale();
    let form = FormState::<CreateUser>::new(&flash);
    let username = RwSignal::new(form.kept("username"));
    let email = RwSignal::new(form.kept("email"));
    let password = RwSignal::new(String::new());
    let display_name = RwSignal::new(form.kept("display_name"));
    let description = RwSignal::new(form.kept("description"));
    let initial_role = form.kept_or("platform_role", "platform-regular");
    let role = RwSignal::new(initial_role.clone());
    let touched = RwSignal::new(false);
    let server_error = form.error();
    let created = form.success();

    // Clear the form after a success, ready for the next person.
    form.on_success(move || {
        for field in [username, email, password, display_name, description] {
            field.set(String::new());
        }
        touched.set(false);
    });

    let username_check = live_check(username, |v| async move { check_username(v).await });
    let email_check = live_check(email, |v| async move { check_email(v).await });
    let availability_error = |check: Signal<Option<Availability>>, taken: &'static str| {
        move || match check.get() {
            Some(Availability::Taken) => Some(taken.to_owned()),
            Some(Availability::Invalid(msg)) => Some(msg),
            _ => None,
        }
    };
    let username_taken = availability_error(username_check, td_string!(locale, people.username_taken));
    let email_taken = availability_error(email_check, td_string!(locale, people.email_taken));
    let username_error = Signal::derive(move || {
        let v = username.get();
        let local = (touched.get() || !v.is_empty()).then(|| ks_types::UserName::parse_new(&v).err()).flatten();
        local
            .map(|e| crate::error::name_error(&e))
            .or_else(username_taken)
            .or_else(|| server_error.get().and_then(|e| e.for_field("username")))
    });
    let email_error = Signal::derive(move || {
        let v = email.get();
        let local = (touched.get() || !v.is_empty()).then(|| ks_types::Email::parse(&v).err()).flatten();
        local
            .map(|e| crate::error::name_error(&e))
            .or_else(email_taken)
            .or_else(|| server_error.get().and_then(|e| e.for_field("email")))
    });
    let available = move |check: Signal<Option<Availability>>| {
        Signal::derive(move || {
            matches!(check.get(), Some(Availability::Available))
                .then(|| td_string!(locale, people.available).to_owned())
        })
    };
    let password_error = form.field_error("password");
    let role_error = form.field_error("platform_role");
    let confirm_error = form.field_error("confirm_admin");

    let role_list = StoredValue::new(roles.clone());
    let selected_role =
        Signal::derive(move || role_list.with_value(|rs| rs.iter().find(|r| r.name == role.get()).cloned()));
    let is_admin = Signal::derive(move || selected_role.get().is_some_and(|r| r.is_admin));

    let show_password = RwSignal::new(false);
    let generate = Action::new(|_: &()| async { generate_password().await });
    Effect::new(move |_| {
        if let Some(Ok(p)) = generate.value().get() {
            password.set(p);
            show_password.set(true);
        }
    });
    let copied = RwSignal::new(false);
    // KubeSphere's password rules, in the order `PasswordCheck::items` gives them.
    let rules = [
        td_string!(locale, people.rule_length),
        td_string!(locale, people.rule_lower),
        td_string!(locale, people.rule_upper),
        td_string!(locale, people.rule_digit),
    ];
    let rule_items = Signal::derive(move || {
        let check = ks_types::PasswordCheck::of(&password.get());
        rules.into_iter().zip(check.items()).map(|(text, (_, met))| (text, met)).collect::<Vec<_>>()
    });

    view! {
        {move || created.get().map(|c| view! {
            <div class="success-banner" role="status">
                <p>
                    {td_string!(locale, people.created_before)} <strong>{c.username.clone()}</strong> {td_string!(locale, people.created_after)}
                </p>
                <p><a href=format!("/users/{}", c.username)>{td_string!(locale, people.open_page, name = c.username.clone()).to_string()}</a></p>
            </div>
        })}
        <FormError error=server_error />
        <ActionForm action=form.action attr:class="stack" attr:novalidate=true on:submit=move |_| touched.set(true)>
            <TextField label=td_string!(locale, common.username) name="username" value=username error=username_error required=true
                autocomplete="off" hint=td_string!(locale, people.username_hint)
                status=available(username_check) />
            <TextField label=td_string!(locale, common.email) name="email" input_type="email" value=email error=email_error required=true
                autocomplete="off" status=available(email_check) />
            <div class="field">
                <label for="field-password">{td_string!(locale, people.initial_password)}</label>
                <div class="input-row">
                    <input id="field-password" name="password" required autocomplete="new-password"
                        type=move || if show_password.get() { "text" } else { "password" }
                        prop:value=move || password.get()
                        on:input=move |ev| password.set(event_target_value(&ev))
                        aria-describedby="password-rules field-password-error"
                        aria-invalid=move || password_error.get().is_some().then_some("true") />
                    <button type="button" class="button secondary js-only" aria-pressed=move || show_password.get().to_string()
                        on:click=move |_| show_password.update(|s| *s = !*s)>
                        {move || if show_password.get() { td_string!(locale, people.hide_password) } else { td_string!(locale, people.show_password) }}
                    </button>
                </div>
                <div class="button-row js-only">
                    <button type="button" class="button secondary" on:click=move |_| { generate.dispatch(()); }>
                        {td_string!(locale, people.generate_password)}
                    </button>
                    <button type="button" class="button secondary" on:click=move |_| {
                        copy_to_clipboard(&password.get_untracked());
                        copied.set(true);
                    }>{move || if copied.get() { td_string!(locale, people.copied) } else { td_string!(locale, people.copy_password) }}</button>
                </div>
                <Checklist id="password-rules" items=rule_items />
                <p class="field-error" id="field-password-error" aria-live="polite">{move || password_error.get()}</p>
            </div>
            <div class="field">
                <label for="field-platform_role">{td_string!(locale, common.platform_role)}</label>
                <select id="field-platform_role" name="platform_role" on:change=move |ev| role.set(event_target_value(&ev))
                    aria-describedby="field-platform_role-hint field-platform_role-error">
                    {roles.into_iter().map(|r| {
                        let selected = r.name == initial_role;
                        view! { <option value=r.name.clone() selected=selected>{r.name.clone()}</option> }
                    }).collect_view()}
                </select>
                <p class="hint" id="field-platform_role-hint">{move || selected_role.get().map(|r| r.description)}</p>
                <p class="field-error" id="field-platform_role-error" aria-live="polite">{move || role_error.get()}</p>
            </div>
            <Show when=move || is_admin.get()>
                <div class="field confirm-admin">
                    <label class="checkbox">
                        <input type="checkbox" name="confirm_admin" value="yes" />
                        " "{td_string!(locale, people.confirm_admin)}
                    </label>
                    <p class="field-error" aria-live="polite">{move || confirm_error.get()}</p>
                </div>
            </Show>
            <TextField label=td_string!(locale, people.display_name) name="display_name" value=display_name />
            <TextField label=td_string!(locale, people.description) name="description" value=description />
            <SubmitButton label=td_string!(locale, people.create_button) pending_label=td_string!(locale, people.creating)
                pending=form.action.pending() />
        </ActionForm>
    }
}

fn copy_to_clipboard(_text: &str) {
    #[cfg(feature = "hydrate")]
    {
        let clipboard = window().navigator().clipboard();
        let _ = clipboard.write_text(_text);
    }
}
