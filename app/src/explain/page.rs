//! `/explain?user=…&workspace=…[&cluster=…&project=…]`: the question as a plain form, and its
//! answers as a table. Plain HTML (no WASM).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{explain_access, Ability, Answer, Explanation, Level, Question, Verdict};
use crate::error::AppError;
use crate::i18n::td_string;
use crate::layout::error_view;

#[component]
pub fn ExplainPage() -> impl IntoView {
    let query = use_query_map();
    let question = move || {
        query.with(|q| Question {
            user: q.get("user").unwrap_or_default(),
            workspace: q.get("workspace").unwrap_or_default(),
            cluster: q.get("cluster").unwrap_or_default(),
            project: q.get("project").unwrap_or_default(),
        })
    };
    let answer = Resource::new_blocking(question, |q| async move {
        if q.user.is_empty() || q.workspace.is_empty() {
            return Ok(None);
        }
        explain_access(q).await.map(Some)
    });
    let locale = crate::language::locale();
    view! {
        <main id="main" class="page">
            <h1>{td_string!(locale, explain.title)}</h1>
            <p class="muted">{td_string!(locale, explain.intro)}</p>
            <Suspense fallback=crate::kit::Loading>
                {move || Suspend::new(async move {
                    let q = question();
                    match answer.await {
                        Ok(found) => view! { <QuestionForm question=q error=None /> {found.map(|e| view! { <Answers explanation=e /> })} }.into_any(),
                        Err(e @ AppError::InvalidField { .. }) => view! { <QuestionForm question=q error=Some(e) /> }.into_any(),
                        Err(e) => view! { <QuestionForm question=q error=None /> {error_view(e)} }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

/// Who, where: four plain fields; a GET, so the answer has an address to share.
#[component]
fn QuestionForm(question: Question, error: Option<AppError>) -> impl IntoView {
    let locale = crate::language::locale();
    let field_error = |name: &str| error.as_ref().and_then(|e| e.for_field(name));
    let field =
        move |id: &'static str, name: &'static str, label: &'static str, value: String, hint: Option<&'static str>| {
            let error = field_error(name);
            let described = match (hint.is_some(), error.is_some()) {
                (_, true) => Some(format!("{id}-error")),
                (true, false) => Some(format!("{id}-hint")),
                _ => None,
            };
            view! {
                <div class="field">
                    <label for=id>{label}</label>
                    {hint.map(|h| view! { <p class="hint" id=format!("{id}-hint")>{h}</p> })}
                    <input id=id name=name type="text" value=value autocomplete="off" spellcheck="false"
                        aria-invalid=error.is_some().then_some("true") aria-describedby=described />
                    <crate::kit::FieldError id=format!("{id}-error") error=error />
                </div>
            }
        };
    view! {
        <form method="get" action="/explain" class="stack" aria-label=td_string!(locale, explain.question)>
            {field("field-user", "user", td_string!(locale, explain.user), question.user, None)}
            {field("field-workspace", "workspace", td_string!(locale, explain.workspace), question.workspace, None)}
            {field("field-cluster", "cluster", td_string!(locale, explain.cluster), question.cluster, Some(td_string!(locale, explain.place_hint)))}
            {field("field-project", "project", td_string!(locale, explain.project), question.project, None)}
            <button type="submit" class="button primary">{td_string!(locale, explain.submit)}</button>
        </form>
    }
}

fn ability_label(ability: Ability, locale: crate::i18n::Locale) -> &'static str {
    match ability {
        Ability::ViewMembers => td_string!(locale, explain.view_members),
        Ability::InviteMembers => td_string!(locale, explain.invite_members),
        Ability::ChangeRoles => td_string!(locale, explain.change_roles),
        Ability::CreateProjects => td_string!(locale, explain.create_projects),
        Ability::ViewResources => td_string!(locale, explain.view_resources),
        Ability::DeployWorkloads => td_string!(locale, explain.deploy_workloads),
    }
}

#[component]
fn Answers(explanation: Explanation) -> impl IntoView {
    let locale = crate::language::locale();
    let e = explanation;
    let in_project = !e.project.is_empty();
    let place = crate::request_records::Place {
        workspace: e.workspace.clone(),
        cluster: e.cluster.clone(),
        project: e.project.clone(),
    }
    .phrase(locale);
    let none = td_string!(locale, explain.no_role);
    let role_line = |label: &'static str, role: Option<String>| {
        view! { <li>{label}": "<strong>{role.unwrap_or_else(|| none.to_owned())}</strong></li> }
    };
    let any_no = e.answers.iter().any(|a| !matches!(a.verdict, Verdict::Yes(_)));
    let rows = e.answers.into_iter().map(|Answer { ability, verdict, kubesphere }| {
        let (answer, class, because) = match verdict {
            Verdict::Yes(b) => {
                let because = match (b.level, b.inherited) {
                    (Level::Project, _) => td_string!(locale, explain.because_project, role = b.role).to_string(),
                    (Level::Workspace, true) => td_string!(locale, explain.because_workspace_applies, role = b.role).to_string(),
                    (Level::Workspace, false) => td_string!(locale, explain.because_workspace, role = b.role).to_string(),
                    (Level::Platform, _) => td_string!(locale, explain.because_platform, role = b.role).to_string(),
                };
                (td_string!(locale, explain.yes), "verdict-yes", because)
            }
            Verdict::No => (td_string!(locale, explain.no), "verdict-no", td_string!(locale, explain.no_role_allows).to_owned()),
            Verdict::NotExplained { role } => (
                td_string!(locale, explain.not_explained),
                "verdict-unknown",
                td_string!(locale, explain.custom_role, role = role).to_string(),
            ),
        };
        let kubesphere = kubesphere.map(|k| {
            let said = if k.allowed { td_string!(locale, explain.yes) } else { td_string!(locale, explain.no) };
            view! { <td data-label=td_string!(locale, explain.kubesphere_says)>{said}{(!k.reason.is_empty()).then(|| view! { <span class="muted">" — "{k.reason}</span> })}</td> }
        });
        view! {
            <tr>
                <th scope="row">{ability_label(ability, locale)}</th>
                <td data-label=td_string!(locale, explain.answer)><strong class=class>{answer}</strong></td>
                <td data-label=td_string!(locale, explain.because)>{because}</td>
                {kubesphere}
            </tr>
        }
    }).collect_view();
    let grantors = |names: Vec<String>, label: &'static str| {
        (!names.is_empty()).then(|| view! {
            <li>{label}": "{names.into_iter().map(|n| view! { <a href=format!("/users/{n}")>{n.clone()}</a>" " }).collect_view()}</li>
        })
    };
    let asked = e.asked_kubesphere;
    let about_reader = e.about_reader;
    let ask_href = {
        let mut query = vec![format!("workspace={}", crate::kit::url::encode_query_value(&e.workspace))];
        if in_project {
            query.push(format!("cluster={}", crate::kit::url::encode_query_value(&e.cluster)));
            query.push(format!("project={}", crate::kit::url::encode_query_value(&e.project)));
        }
        format!("/requests/new?{}", query.join("&"))
    };
    view! {
        <section aria-labelledby="answers-title" class="stack">
            <h2 id="answers-title">{td_string!(locale, explain.answers_title, user = e.user.clone()).to_string()}" "{place}</h2>
            <ul>
                {role_line(td_string!(locale, explain.platform_role), e.roles.platform)}
                {role_line(td_string!(locale, explain.workspace_role), e.roles.workspace)}
                {in_project.then(|| role_line(td_string!(locale, explain.project_role), e.roles.project.clone()))}
            </ul>
            <table class="cards-on-phone">
                <caption class="sr-only">{td_string!(locale, explain.caption)}</caption>
                <thead><tr>
                    <th scope="col">{td_string!(locale, explain.action)}</th>
                    <th scope="col">{td_string!(locale, explain.answer)}</th>
                    <th scope="col">{td_string!(locale, explain.because)}</th>
                    {asked.then(|| view! { <th scope="col">{td_string!(locale, explain.kubesphere_says)}</th> })}
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
            {asked.then(|| view! { <p class="muted">{td_string!(locale, explain.kubesphere_note)}</p> })}
            {any_no.then(|| view! {
                <h3>{td_string!(locale, explain.who_can_grant)}</h3>
                <ol class="link-list">
                    {grantors(e.project_admins, td_string!(locale, explain.project_admins))}
                    {grantors(e.workspace_admins, td_string!(locale, explain.workspace_admins))}
                    <li>{td_string!(locale, explain.platform_admin)}</li>
                </ol>
                {about_reader.then(|| view! {
                    <p><a class="button" href=ask_href.clone()>{td_string!(locale, explain.ask_for_access)}</a></p>
                })}
            })}
        </section>
    }
}
