//! `/users/new`: the create-user form.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use super::CreateUser;
use crate::builtin_roles::platform_role_options;
use crate::forms::{FieldLook, RoleChoice, RoleOption, RoleSelect};
use crate::i18n::td_string;
use crate::kit::{
    flash_for, take_flash, Checklist, CreatedBanner, Flash, FormError, FormState, NoticeUnavailable, SubmitButton,
    TextField,
};
use crate::permissions::my_permissions;

#[component]
pub fn CreateUserPage() -> impl IntoView {
    let data = Resource::new_blocking(
        || (),
        |_| async {
            let (perms, roles, flash, methods) = futures::future::join4(
                my_permissions(),
                platform_role_options(),
                take_flash(),
                crate::forms::linkable_methods(),
            )
            .await;
            (perms, roles, flash.ok().flatten(), methods)
        },
    );
    let locale = crate::language::locale();
    view! {
        <main id="main" class="page narrow">
            <h1>{td_string!(locale, people.create_title)}</h1>
            <Suspense fallback=crate::kit::Loading>
                {move || Suspend::new(async move {
                    let (perms, roles, flash, methods) = data.await;
                    match (perms, roles) {
                        (Ok(p), _) if !p.manage_users => view! {
                            <NoticeUnavailable text=td_string!(locale, people.only_admins_create, role = p.role_label(locale).to_owned()).to_string() />
                        }
                        .into_any(),
                        (Ok(_), Ok(roles)) => {
                            let flash = flash_for(&flash, <CreateUser as ServerFn>::PATH);
                            view! { <CreateUserForm roles flash methods /> }.into_any()
                        }
                        (Err(e), _) | (_, Err(e)) => crate::layout::error_view(e),
                    }
                })}
            </Suspense>
        </main>
    }
}

/// The form, with a strong initial password already generated on the server and shown, so the
/// person can hand it over (KubeSphere asks for a new one at the first sign-in).
#[component]
fn CreateUserForm(
    roles: Vec<RoleOption>,
    flash: Option<Flash>,
    methods: Vec<crate::sign_in_methods::SignInMethod>,
) -> impl IntoView {
    let locale = crate::language::locale();
    let role_look = FieldLook::new("field-platform_role", "platform_role", td_string!(locale, common.platform_role));
    let form = FormState::<CreateUser>::new(&flash);
    #[cfg(feature = "ssr")]
    let password = crate::planner::calls::strong_password();
    #[cfg(not(feature = "ssr"))]
    let password = String::new();
    // KubeSphere's password rules, in the order `PasswordCheck::items` gives them.
    let rules = [
        td_string!(locale, people.rule_length),
        td_string!(locale, people.rule_lower),
        td_string!(locale, people.rule_upper),
        td_string!(locale, people.rule_digit),
    ];
    let rule_items = rules
        .into_iter()
        .zip(ks_types::PasswordCheck::of(&password).items())
        .map(|(text, (_, met))| (text, met))
        .collect();
    let password_error = form.field_error("password");
    view! {
        {form.success().map(|c| {
            let open = td_string!(locale, people.open_page, name = c.username.clone()).to_string();
            view! {
                <CreatedBanner before=td_string!(locale, people.created_before) name=c.username.clone()
                    after=td_string!(locale, people.created_after).to_owned() href=format!("/users/{}", c.username) open />
            }
        })}
        <FormError error=form.error() />
        <form method="post" action=form.url() class="stack" novalidate>
            <TextField label=td_string!(locale, common.username) field=form.field("username")
                required=true autocomplete="off" hint=td_string!(locale, people.username_hint) />
            <TextField label=td_string!(locale, common.email) field=form.field("email") input_type="email" required=true autocomplete="off" />
            <div class="field">
                <label for="field-password">{td_string!(locale, people.initial_password)}</label>
                <input id="field-password" name="password" type="text" required autocomplete="off" autocapitalize="none" spellcheck="false"
                    value=password aria-describedby="field-password-hint password-rules field-password-error"
                    aria-invalid=password_error.is_some().then_some("true") />
                <p class="hint" id="field-password-hint">{td_string!(locale, people.password_generated)}</p>
                <Checklist id="password-rules" items=rule_items />
                <crate::kit::FieldError id="field-password-error" error=password_error />
            </div>
            {(!methods.is_empty()).then(|| view! {
                <crate::forms::LinkFields methods provider=form.kept("identity_provider") identity=form.kept("identity")
                    provider_error=form.field_error("identity_provider") identity_error=form.field_error("identity") />
            })}
            <RoleSelect chosen=RoleChoice::kept(&form, &role_look, "platform-regular") look=role_look options=roles />
            <TextField label=td_string!(locale, people.display_name) field=form.field("display_name") />
            <TextField label=td_string!(locale, people.description) field=form.field("description") />
            <SubmitButton label=td_string!(locale, people.create_button) />
        </form>
    }
}
