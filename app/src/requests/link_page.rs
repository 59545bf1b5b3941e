//! `/requests/link?workspace=…[&cluster=…&project=…]&role=…`: the join link of a workspace or
//! project for someone who manages its members: the address to share and its QR code, an SVG
//! drawn on the server (no WASM). The link grants nothing; it opens a prefilled request.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::{place_join_link, JoinLink, Place};
use crate::i18n::td_string;
use crate::layout::error_view;

#[component]
pub fn JoinLinkPage() -> impl IntoView {
    let query = use_query_map();
    let asked = move || {
        query.with(|q| {
            let get = |name: &str| q.get(name).unwrap_or_default();
            (Place { workspace: get("workspace"), cluster: get("cluster"), project: get("project") }, get("role"))
        })
    };
    let link = Resource::new_blocking(asked, |(place, role)| place_join_link(place, role));
    let locale = crate::language::locale();
    view! {
        <main id="main" class="page narrow">
            <h1>{td_string!(locale, requests.join_link_title)}</h1>
            <Suspense fallback=crate::kit::Loading>
                {move || Suspend::new(async move {
                    match link.await {
                        Ok(link) => view! { <LinkView link /> }.into_any(),
                        Err(e) => error_view(e),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn LinkView(link: JoinLink) -> impl IntoView {
    let locale = crate::language::locale();
    let JoinLink { place, url, qr_svg, roles, chosen } = link;
    view! {
        <p>{td_string!(locale, requests.join_link_for, place = place.label()).to_string()}</p>
        <p class="muted">{td_string!(locale, requests.join_link_intro)}</p>
        <form method="get" action="/requests/link" class="filters" aria-label=td_string!(locale, requests.join_link_role)>
            <input type="hidden" name="workspace" value=place.workspace.clone() />
            <input type="hidden" name="cluster" value=place.cluster.clone() />
            <input type="hidden" name="project" value=place.project.clone() />
            <div class="field">
                <label for="field-link-role">{td_string!(locale, requests.join_link_role)}</label>
                <select id="field-link-role" name="role">
                    {crate::kit::options(roles.into_iter().map(|o| (o.value, o.name)), &chosen)}
                </select>
            </div>
            <button type="submit" class="button">{td_string!(locale, requests.join_link_show)}</button>
        </form>
        <div class="field">
            <label for="join-url">{td_string!(locale, requests.join_link_address)}</label>
            <input id="join-url" type="url" readonly value=url.clone() />
        </div>
        // Drawn on the server from the address above: rectangles only, no text or script.
        <figure class="qr">
            <div role="img" aria-label=td_string!(locale, requests.join_link_qr, place = place.label()).to_string() inner_html=qr_svg></div>
        </figure>
    }
}
