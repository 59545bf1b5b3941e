//! What the integration tests share with `make bench` (server/examples/bench, which includes
//! this file by its path): talking to the simulator as KubeSphere's own clients do, and reading
//! the pages the console draws. Nothing here knows `TestApp`.
#![allow(dead_code)]

use std::time::Duration;

use ks_sim::{Fault, RunningSim};

/// The demo and large seeds' password of every person.
pub const PASSWORD: &str = "P@88w0rd";

/// The pages of the console's forms and its roles, in the order the bench and the round-trip
/// test open them.
pub const FORM_PAGES: [&str; 8] = [
    "/users/new",
    "/workspaces/new",
    "/projects/new",
    "/workspaces/invite",
    "/projects/invite",
    "/roles?level=platform",
    "/roles?level=workspace",
    "/roles?level=project",
];

/// A KubeSphere access token of `user`'s own (the seed's password), straight from the
/// simulator at `kubesphere`: for trying requests as them.
pub async fn token_for(http: &reqwest::Client, kubesphere: &str, user: &str) -> String {
    let token: serde_json::Value = http
        .post(format!("{kubesphere}/oauth/token"))
        .form(&[
            ("grant_type", "password"),
            ("username", user),
            ("password", PASSWORD),
            ("client_id", "kubesphere"),
            ("client_secret", "kubesphere"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    token["access_token"].as_str().unwrap().to_owned()
}

/// Delays every KubeSphere call by `delay` (cluster-scoped calls carry a `/clusters/{c}`
/// prefix; both kinds), so that calls sent together are seen as concurrent in the journal.
pub fn delay_every_call(sim: &RunningSim, delay: Duration) {
    sim.sim.inject(Fault::delay("/kapis", delay));
    sim.sim.inject(Fault::delay("/clusters", delay));
}

/// The `name=value` part of a `Set-Cookie` header value.
pub fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_owned()
}

/// The path of the bulk job a page links to (`href="/onboard/bulk/jobs/…"`).
pub fn job_link(html: &str) -> &str {
    let start = html.find("href=\"/onboard/bulk/jobs/").expect("a link to the job") + "href=\"".len();
    &html[start..start + html[start..].find('"').unwrap()]
}

/// The plan a page asks the person to approve: its hidden `reviewed` field, unescaped as the
/// browser would send it back (empty when the page has none).
pub fn reviewed(html: &str) -> String {
    let marker = "name=\"reviewed\" value=\"";
    let Some(start) = html.find(marker).map(|i| i + marker.len()) else { return String::new() };
    let end = html[start..].find('"').unwrap() + start;
    html[start..end]
        .replace("&#10;", "\n")
        .replace("&#x0A;", "\n")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// Sends `req` with `fields` as a browser's form that wants a page back; the status and HTML.
pub async fn post_for_page<T: serde::Serialize + ?Sized>(
    req: reqwest::RequestBuilder,
    fields: &T,
) -> (reqwest::StatusCode, String) {
    let res = req.header("accept", "text/html").form(fields).send().await.unwrap();
    let status = res.status();
    (status, res.text().await.unwrap())
}

/// A sign-in as the console's form posts it, to the console at `base` (`http://…`).
pub fn sign_in_request(http: &reqwest::Client, base: &str, user: &str, password: &str) -> reqwest::RequestBuilder {
    http.post(format!("{base}/login"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("username", user), ("password", password)])
}
