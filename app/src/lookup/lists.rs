//! `/users` (find a person: search, server-side pages) and `/workspaces` (the ones you can see).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::widgets::error_view;

pub const PAGE_SIZE: u32 = 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRow {
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub platform_role: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeoplePage {
    pub rows: Vec<PersonRow>,
    pub total: u64,
    pub page: u32,
}

/// One page of people matching `query` (part of a username or display name, or a whole
/// e-mail address), sorted by username; paginated by KubeSphere itself.
#[server(prefix = "/api", endpoint = "list_people")]
pub async fn list_people(query: String, page: u32) -> Result<PeoplePage, AppError> {
    let q = query.trim().to_owned();
    let page = page.max(1);
    let upstream = crate::auth::ssr::Upstream::from_context()?;
    let (limit, page_text) = (PAGE_SIZE.to_string(), page.to_string());
    let mut params: Vec<(&str, String)> =
        vec![("limit", limit), ("page", page_text), ("sortBy", "name".into()), ("ascending", "true".into())];
    if q.contains('@') {
        params.push(("fieldSelector", format!("spec.email=~{q}")));
    } else if !q.is_empty() {
        params.push(("name", q.clone()));
    }
    let list = upstream
        .call(|api| async move {
            let borrowed: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
            api.list_users(&borrowed).await
        })
        .await?;
    let total = list.total_items;
    let rows = list
        .into_items()
        .into_iter()
        .map(|u| PersonRow {
            username: u.metadata.name.clone(),
            display_name: u.display_name().to_owned(),
            email: u.spec.email.clone(),
            platform_role: u.global_role().unwrap_or("—").to_owned(),
        })
        .collect();
    Ok(PeoplePage { rows, total, page })
}

/// The search box for people: a plain GET form to `/users`, so it works without WASM.
#[component]
pub fn PersonSearch(#[prop(optional)] initial: String) -> impl IntoView {
    view! {
        <form method="get" action="/users" class="search-form" role="search" aria-label="Find a person">
            <label for="person-search">"Find a person"</label>
            <div class="input-row">
                <input id="person-search" name="q" type="search" value=initial autocomplete="off"
                    placeholder="Username, name or e-mail address" />
                <button type="submit" class="button primary">"Search"</button>
            </div>
        </form>
    }
}

#[component]
pub fn PeoplePageView() -> impl IntoView {
    let query = use_query_map();
    let q = move || query.with(|m| m.get("q").unwrap_or_default());
    let page = move || query.with(|m| m.get("page").and_then(|p| p.parse::<u32>().ok()).unwrap_or(1));
    let data = Resource::new_blocking(move || (q(), page()), |(q, page)| list_people(q, page));
    view! {
        <crate::TopBar />
        <main id="main" class="page">
            <h1>"People"</h1>
            <PersonSearch initial=q() />
            <Suspense fallback=|| view! { <p aria-busy="true">"Searching…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(p) => {
                            let q = q();
                            let pages = p.total.div_ceil(u64::from(PAGE_SIZE)).max(1);
                            let link = move |n: u32| format!("/users?q={}&page={n}", urlencode(&q));
                            view! {
                                <p class="muted" role="status">{format!("{} people found. Page {} of {pages}.", p.total, p.page)}</p>
                                <table class="cards-on-phone">
                                    <caption class="sr-only">"People"</caption>
                                    <thead><tr>
                                        <th scope="col">"Username"</th><th scope="col">"Name"</th>
                                        <th scope="col">"E-mail"</th><th scope="col">"Platform role"</th>
                                    </tr></thead>
                                    <tbody>
                                        {p.rows.into_iter().map(|r| view! {
                                            <tr>
                                                <td data-label="Username"><a href=format!("/users/{}", r.username)>{r.username.clone()}</a></td>
                                                <td data-label="Name">{r.display_name}</td>
                                                <td data-label="E-mail">{r.email}</td>
                                                <td data-label="Platform role">{r.platform_role}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                <nav class="button-row" aria-label="Pages">
                                    {(p.page > 1).then(|| view! { <a class="button secondary" href=link(p.page - 1)>"Previous page"</a> })}
                                    {(u64::from(p.page) < pages).then(|| view! { <a class="button secondary" href=link(p.page + 1)>"Next page"</a> })}
                                </nav>
                            }.into_any()
                        }
                        Err(e) => error_view(e),
                    }
                })}
            </Suspense>
        </main>
    }
}

/// The workspaces the signed-in user can see.
#[component]
pub fn WorkspacesPage() -> impl IntoView {
    let data = Resource::new_blocking(|| (), |_| crate::directory::my_workspaces());
    view! {
        <crate::TopBar />
        <main id="main" class="page">
            <h1>"Workspaces"</h1>
            <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(ws) if ws.is_empty() => view! { <p class="muted">"You are not a member of any workspace."</p> }.into_any(),
                        Ok(ws) => view! {
                            <table class="cards-on-phone">
                                <caption class="sr-only">"Workspaces you can see"</caption>
                                <thead><tr><th scope="col">"Workspace"</th><th scope="col">"Clusters"</th></tr></thead>
                                <tbody>
                                    {ws.into_iter().map(|w| view! {
                                        <tr>
                                            <td data-label="Workspace"><a href=format!("/workspaces/{}", w.name)>{w.name.clone()}</a></td>
                                            <td data-label="Clusters">{w.clusters.join(", ")}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(e) => error_view(e),
                    }
                })}
            </Suspense>
        </main>
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
