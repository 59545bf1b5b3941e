//! A person's page: who they are and where they belong, with which role.

use leptos::prelude::*;

use super::get_person;
use crate::i18n::td_string;
use crate::kit::route_param;
use crate::layout::error_view;
use crate::memberships::{get_memberships, MembershipList};

#[component]
pub fn PersonPage() -> impl IntoView {
    let name = route_param("name");
    let person = Resource::new_blocking(name, get_person);
    let memberships = Resource::new_blocking(name, get_memberships);
    let locale = crate::language::locale();
    view! {
        <crate::kit::LoadingPage>
                {move || Suspend::new(async move {
                    match person.await {
                        Ok(p) => {
                            let status = match p.status.as_str() {
                                "active" => td_string!(locale, people.status_active),
                                "disabled" => td_string!(locale, people.status_disabled),
                                "locked" => td_string!(locale, people.status_locked),
                                _ => td_string!(locale, people.status_pending),
                            };
                            let who = p.username.clone();
                            view! {
                                <h1>{p.display_name.clone()}</h1>
                                <section class="card">
                                    <dl class="facts">
                                        <dt>{td_string!(locale, common.username)}</dt><dd>{p.username.clone()}</dd>
                                        <dt>{td_string!(locale, common.email)}</dt><dd>{p.email.clone()}</dd>
                                        <dt>{td_string!(locale, people.status)}</dt><dd>{status}</dd>
                                        <dt>{td_string!(locale, common.platform_role)}</dt><dd>{p.platform_role.clone().unwrap_or_else(|| td_string!(locale, people.none).into())}</dd>
                                        <dt>{td_string!(locale, people.signs_in_with)}</dt>
                                        <dd>{if p.directories.is_empty() {
                                            td_string!(locale, people.kubesphere_account).to_owned()
                                        } else {
                                            p.directories.iter().map(|way| {
                                                let name = &way.label;
                                                if way.single_sign_on {
                                                    td_string!(locale, people.single_sign_on, name).to_string()
                                                } else {
                                                    td_string!(locale, people.company_directory, name).to_string()
                                                }
                                            }).collect::<Vec<_>>().join(", ")
                                        }}</dd>
                                        <dt>{td_string!(locale, people.last_sign_in)}</dt>
                                        <dd>{match p.last_sign_in.clone() {
                                            Some(at) => view! { <time datetime=at.clone()>{at.replace('T', " ").replace('Z', " UTC")}</time> }.into_any(),
                                            None => td_string!(locale, people.never_signed_in).into_any(),
                                        }}</dd>
                                    </dl>
                                </section>
                                <h2>{td_string!(locale, people.workspaces_and_projects)}</h2>
                                <Suspense fallback=move || view! { <p aria-busy="true">{td_string!(locale, people.loading_memberships)}</p> }>
                                    {move || {
                                        let who = who.clone();
                                        Suspend::new(async move {
                                        match memberships.await {
                                            Ok(m) => view! { <MembershipList memberships=m username=who /> }.into_any(),
                                            Err(e) => error_view(e),
                                        }
                                    })}}
                                </Suspense>
                                <p class="button-row">
                                    <a class="button secondary" href=format!("/workspaces/invite?user={}", p.username)>{td_string!(locale, common.action_invite_workspace)}</a>
                                    <a class="button secondary" href=format!("/projects/invite?user={}", p.username)>{td_string!(locale, common.action_invite_project)}</a>
                                    <a class="button secondary" href=format!("/roles?user={}", p.username)>{td_string!(locale, common.action_change_role)}</a>
                                    <a class="button secondary" href=format!("/users/{}/same-access", p.username)>{td_string!(locale, same_access.link)}</a>
                                    <a class="button secondary" href=format!("/activity?person={}", p.username)>{td_string!(locale, people.activity_link)}</a>
                                </p>
                            }.into_any()
                        }
                        Err(e) => error_view(e),
                    }
                })}
        </crate::kit::LoadingPage>
    }
}
