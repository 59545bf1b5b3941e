//! Single sign-on through KubeSphere's console (the portal) with the authorization-code flow
//! (§12.5–§12.7), walked as a browser does: the console's button, the portal's login (its own
//! host name, its own cookies), the redirect back with a one-time code. Effects are checked in
//! KubeSphere (the simulator's journal and users).

use std::collections::BTreeMap;

use reqwest::{Method, StatusCode};

use crate::common::{session_cookie, TestApp};

async fn app() -> TestApp {
    TestApp::builder().sim(|c| c.identity_providers = ks_sim::idp::demo_identity_providers()).portal().start().await
}

/// A browser: one cookie jar per host, redirects followed by hand so every step can be seen.
struct Browser {
    http: reqwest::Client,
    jars: BTreeMap<String, BTreeMap<String, String>>,
    /// Every answer so far: (URL, status, headers, body).
    seen: Vec<(String, StatusCode, String, String)>,
}

fn host_of(url: &str) -> String {
    url.split("://").nth(1).unwrap_or(url).split('/').next().unwrap_or_default().to_owned()
}

fn origin_of(url: &str) -> String {
    let scheme = url.split("://").next().unwrap_or("http");
    format!("{scheme}://{}", host_of(url))
}

impl Browser {
    fn new() -> Self {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Browser { http, jars: BTreeMap::new(), seen: Vec::new() }
    }

    /// Cookies are kept per host name and port (enough here: every cookie is `Path=/`).
    fn cookie_header(&self, url: &str) -> String {
        let jar = self.jars.get(&host_of(url));
        jar.map(|j| j.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")).unwrap_or_default()
    }

    fn cookie(&self, url: &str, name: &str) -> Option<String> {
        self.jars.get(&host_of(url))?.get(name).cloned()
    }

    async fn send(&mut self, method: Method, url: &str, form: Option<&[(&str, &str)]>) -> (StatusCode, String, String) {
        let mut req = self.http.request(method, url).header("accept", "text/html");
        let cookies = self.cookie_header(url);
        if !cookies.is_empty() {
            req = req.header("cookie", cookies);
        }
        if let Some(form) = form {
            req = req.header("origin", origin_of(url)).form(form);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let jar = self.jars.entry(host_of(url)).or_default();
        for set in res.headers().get_all("set-cookie") {
            let set = set.to_str().unwrap();
            let (pair, attributes) = set.split_once(';').unwrap_or((set, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if attributes.to_ascii_lowercase().contains("max-age=0") || value.is_empty() {
                jar.remove(name);
            } else {
                jar.insert(name.to_owned(), value.to_owned());
            }
        }
        let location = res.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
        let headers = format!("{:?}", res.headers());
        let body = res.text().await.unwrap();
        self.seen.push((url.to_owned(), status, headers, body.clone()));
        let location = if location.starts_with('/') { format!("{}{location}", origin_of(url)) } else { location };
        (status, location, body)
    }

    /// GET, following redirects while `stop` says to go on; the last answer and its URL.
    async fn go_until(&mut self, url: &str, stop: impl Fn(&str) -> bool) -> (String, StatusCode, String, String) {
        let mut url = url.to_owned();
        for _ in 0..10 {
            let (status, location, body) = self.send(Method::GET, &url, None).await;
            if !status.is_redirection() || stop(&location) {
                return (url, status, location, body);
            }
            url = location;
        }
        panic!("too many redirects from {url}");
    }

    async fn go(&mut self, url: &str) -> (String, StatusCode, String, String) {
        self.go_until(url, |_| false).await
    }
}

/// Signs `person` in at the portal through the company SSO (the IdP stand-in's form).
async fn portal_sso_login(browser: &mut Browser, portal: &str, person: &str, password: &str) {
    let login = format!("{portal}/_idp/company-sso/login");
    let (_, status, _, page) = browser.go(&login).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (status, location, _) =
        browser.send(Method::POST, &login, Some(&[("username", person), ("password", password)])).await;
    assert!(status.is_redirection(), "{status}");
    let (url, _, _, page) = browser.go(&location).await;
    assert!(page.contains("Signed in to KubeSphere as"), "the portal's home after SSO, not the console: {url} {page}");
}

fn query_of(url: &str) -> BTreeMap<String, String> {
    serde_urlencoded::from_str(url.split_once('?').map_or("", |(_, q)| q)).unwrap()
}

/// Presses the console's SSO button and follows until KubeSphere sends the browser back to the
/// console's callback; that URL (not visited yet).
async fn to_callback(app: &TestApp, browser: &mut Browser, next: &str) -> String {
    let start = format!("{}/login/sso?provider=company-sso&next={next}", app.url);
    let callback = format!("{}/oauth/callback", app.url);
    let (_, status, location, body) = browser.go_until(&start, |to| to.starts_with(&callback)).await;
    assert!(status.is_redirection() && location.starts_with(&callback), "{status} {location} {body}");
    location
}

fn whoami_of(app: &TestApp, browser: &Browser) -> String {
    browser.cookie_header(&app.url)
}

async fn whoami(app: &TestApp, browser: &Browser) -> Option<String> {
    let cookie = whoami_of(app, browser);
    let res = app.call("current_user", Some(&cookie)).await;
    (res.status() == StatusCode::OK).then_some(())?;
    Some(res.json::<serde_json::Value>().await.unwrap()["username"].as_str().unwrap().to_owned())
}

fn code_exchanges(app: &TestApp) -> Vec<ks_sim::JournalEntry> {
    app.sim
        .sim
        .journal_for("/oauth/token")
        .into_iter()
        .filter(|e| e.body.as_ref().is_some_and(|b| b["grant_type"] == "authorization_code"))
        .collect()
}

#[tokio::test]
async fn an_sso_person_signs_in_through_kubesphere_and_the_console_acts_as_them() {
    let app = app().await;
    let portal = app.portal.as_ref().unwrap().url();
    let page = app.request(Method::GET, "/login", None).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("href=\"/login/sso?provider=company-sso&amp;next=/\""), "{page}");
    assert!(page.contains("Sign in with Company SSO"), "a button by the provider's display name");
    assert!(page.contains("press the button again"), "the sign-in page says the portal may not come back");

    let mut browser = Browser::new();
    // First press: KubeSphere's console asks the person to sign in there.
    let start = format!("{}/login/sso?provider=company-sso&next=/workspaces", app.url);
    let (status, authorize, _) = browser.send(Method::GET, &start, None).await;
    assert!(status.is_redirection());
    assert!(authorize.starts_with(&format!("{portal}/oauth/authorize?")), "{authorize}");
    let asked = query_of(&authorize);
    assert_eq!(asked["response_type"], "code");
    assert_eq!(asked["client_id"], app.config.oauth_client_id);
    assert_eq!(asked["redirect_uri"], format!("{}/oauth/callback", app.url));
    assert_eq!(asked["scope"], "openid");
    assert_eq!(asked["code_challenge_method"], "S256");
    assert!(asked["state"].len() >= 43 && asked["code_challenge"].len() == 43);
    let flow_cookie = browser.seen.last().unwrap().2.clone();
    assert!(
        flow_cookie.contains("HttpOnly") && flow_cookie.contains("SameSite=Lax") && flow_cookie.contains("Max-Age=600")
    );
    let (url, _, _, page) = browser.go(&authorize).await;
    assert!(url.starts_with(&portal) && page.contains("Log In"), "the portal's login page: {url}");

    // The person signs in there with the company SSO; the portal lands on its own home page.
    portal_sso_login(&mut browser, &portal, "sam.lee", "Sso-pass-1").await;
    // Second press: immediate, and back at the console with a code.
    let callback = to_callback(&app, &mut browser, "/workspaces").await;
    let (status, _, page) = browser.send(Method::GET, &callback, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("url=/workspaces"), "moves on to where the person was going: {page}");
    assert!(browser.cookie(&app.url, "ks-console-sso").is_none(), "the flow cookie is gone");
    assert_eq!(whoami(&app, &browser).await.as_deref(), Some("sam.lee"), "KubeSphere's user, by auto mapping");

    // The code was exchanged once, server-side, for the registered callback.
    let exchanges = code_exchanges(&app);
    assert_eq!(exchanges.len(), 1);
    assert_eq!(exchanges[0].body.as_ref().unwrap()["redirect_uri"], format!("{}/oauth/callback", app.url));
    // No token reached the browser from the console: only the one-time code, in the callback's
    // URL. (KubeSphere's console keeps its own token in its own cookie, on its own host.)
    let code = query_of(&callback)["code"].clone();
    for token in app.sim.sim.issued_tokens() {
        for (url, _, headers, body) in browser.seen.iter().filter(|(url, ..)| !url.starts_with(&portal)) {
            let only_the_code =
                token == code && (headers.contains("/oauth/callback?") || url.contains("/oauth/callback?"));
            assert!(
                only_the_code || (!headers.contains(&token) && !body.contains(&token)),
                "a token reached the browser at {url}"
            );
        }
    }
}

#[tokio::test]
async fn a_forged_state_a_code_from_another_browser_or_a_code_used_twice_start_no_session() {
    let app = app().await;
    let portal = app.portal.as_ref().unwrap().url();
    let mut alice = Browser::new();
    portal_sso_login(&mut alice, &portal, "kai.chen", "Sso-pass-2").await;
    let callback = to_callback(&app, &mut alice, "/").await;
    let code = query_of(&callback)["code"].clone();

    // Another browser, with the same callback URL: it started no sign-in.
    let mut mallory = Browser::new();
    let (status, location, _) = mallory.send(Method::GET, &callback, None).await;
    assert!(status.is_redirection() && location.contains("error=single_sign_on_incomplete"), "{location}");
    assert!(whoami(&app, &mallory).await.is_none());
    // A forged state in the right browser.
    let forged = format!("{}/oauth/callback?code={code}&state=forged", app.url);
    let mut alice_again = Browser { jars: alice.jars.clone(), ..Browser::new() };
    let (status, location, _) = alice_again.send(Method::GET, &forged, None).await;
    assert!(status.is_redirection() && location.contains("error=single_sign_on_incomplete"));
    assert!(code_exchanges(&app).is_empty(), "refused before any exchange");

    // The real one signs in, once.
    let (status, _, _) = alice.send(Method::GET, &callback, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(whoami(&app, &alice).await.as_deref(), Some("kai.chen"));
    let (status, location, _) = alice.send(Method::GET, &callback, None).await;
    assert!(status.is_redirection() && location.contains("error=single_sign_on_incomplete"), "replayed: refused");

    // The same code under a fresh flow of this browser: KubeSphere refuses it (single use).
    let mut replay = Browser::new();
    let next = to_callback_state(&app, &mut replay, &portal).await;
    let used = format!("{}/oauth/callback?code={code}&state={next}", app.url);
    let (status, location, _) = replay.send(Method::GET, &used, None).await;
    assert!(status.is_redirection() && location.contains("error=single_sign_on_incomplete"), "{location}");
    assert!(whoami(&app, &replay).await.is_none());
    assert_eq!(code_exchanges(&app).len(), 2, "the second exchange was refused by KubeSphere");
}

/// Starts a flow in `browser` (signing in at the portal first) and returns its state.
async fn to_callback_state(app: &TestApp, browser: &mut Browser, portal: &str) -> String {
    portal_sso_login(browser, portal, "sam.lee", "Sso-pass-1").await;
    let callback = to_callback(app, browser, "/").await;
    query_of(&callback)["state"].clone()
}

#[tokio::test]
async fn the_page_to_return_to_stays_on_the_console() {
    let app = app().await;
    let portal = app.portal.as_ref().unwrap().url();
    for next in ["https://evil.example/x", "//evil.example", "/\\evil.example"] {
        let mut browser = Browser::new();
        portal_sso_login(&mut browser, &portal, "sam.lee", "Sso-pass-1").await;
        let encoded = serde_urlencoded::to_string([("next", next)]).unwrap();
        let start = format!("{}/login/sso?provider=company-sso&{encoded}", app.url);
        let callback = format!("{}/oauth/callback", app.url);
        let (_, _, location, _) = browser.go_until(&start, |to| to.starts_with(&callback)).await;
        let (status, _, page) = browser.send(Method::GET, &location, None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("url=/\"") && !page.contains("evil"), "{next}: {page}");
    }
}

#[tokio::test]
async fn without_its_callback_registered_the_console_offers_no_single_sign_on_and_says_so() {
    crate::common::captured_logs(); // from here on
    let fresh = TestApp::builder()
        .sim(|c| c.identity_providers = ks_sim::idp::demo_identity_providers())
        .config(|c| c.kubesphere_portal_url = Some("http://localhost:1".into()))
        .start()
        .await;
    // The shipped client lists no redirect URI: no button, and a press goes nowhere.
    let page = fresh.request(Method::GET, "/login", None).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("/login/sso"), "{page}");
    let res = fresh.request(Method::GET, "/login/sso?provider=company-sso", None).send().await.unwrap();
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/login?error=sign_in_method_unavailable"), "{location}");
    // Told once at start-up, in the background.
    for _ in 0..50 {
        let logs = crate::common::captured_logs();
        if logs.contains("does not list") && logs.contains(&format!("{}/oauth/callback", fresh.url)) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the operator is not told what the client registration lacks");
}

#[tokio::test]
async fn signing_out_of_an_sso_session_offers_kubesphere_and_the_providers_sign_out() {
    let app = app().await;
    let portal = app.portal.as_ref().unwrap().url();
    let mut browser = Browser::new();
    portal_sso_login(&mut browser, &portal, "sam.lee", "Sso-pass-1").await;
    let callback = to_callback(&app, &mut browser, "/").await;
    browser.send(Method::GET, &callback, None).await;
    let cookie = whoami_of(&app, &browser);
    let res = app.request(Method::POST, "/logout", Some(&cookie)).header("origin", &app.url).send().await.unwrap();
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, "/login?reason=signed_out&via=company-sso");
    let page = app.request(Method::GET, &location, None).send().await.unwrap().text().await.unwrap();
    let back =
        serde_urlencoded::to_string([("post_logout_redirect_uri", format!("{}/login?reason=signed_out", app.url))])
            .unwrap()
            .replace("%2F", "/");
    assert!(page.contains(&format!("{portal}/oauth/logout?{back}")), "{page}");
    assert!(page.contains("Sign out of Company SSO too") && page.contains("protocol/openid-connect/logout"), "{page}");
    // A password session's sign-out offers neither.
    let local = app.login("bob").await;
    let res = app.request(Method::POST, "/logout", Some(&local)).header("origin", &app.url).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/login?reason=signed_out");
}

#[tokio::test]
async fn a_person_linked_before_their_first_sign_in_is_invited_and_lands_in_their_account() {
    let app = app().await;
    let portal = app.portal.as_ref().unwrap().url();
    let admin = app.login("admin").await;
    let pat = [
        ("username", "pat"),
        ("email", "pat.doe@corp.example"),
        ("password", ""),
        ("platform_role", "platform-regular"),
        ("identity_provider", "company-sso"),
        ("identity", "5f0c7a1e-0003"),
    ];
    let (status, body) = app.submit(&admin, "create_user", &pat).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let user = app.upstream_user("pat").await;
    let annotations = &user["metadata"]["annotations"];
    assert_eq!(annotations["iam.kubesphere.io/identity-provider.company-sso"], "5f0c7a1e-0003");
    assert!(annotations.get("iam.kubesphere.io/uninitialized").is_none());
    let created = app.sim.sim.journal().into_iter().find(|e| e.method == "POST" && e.path.ends_with("/users")).unwrap();
    assert!(created.body.unwrap()["spec"].get("password").is_none(), "no password was ever set");

    // The same identity again, or a provider KubeSphere lacks: refused with a sentence.
    let again = [
        ("username", "pat2"),
        ("email", "pat2@corp.example"),
        ("platform_role", "platform-regular"),
        ("password", ""),
        ("identity_provider", "company-sso"),
        ("identity", "5f0c7a1e-0003"),
    ];
    let (status, body) = app.submit(&admin, "create_user", &again).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.to_string().contains("already linked") && body.to_string().contains("pat"), "{body}");
    let unknown = [
        ("username", "pat3"),
        ("email", "pat3@corp.example"),
        ("platform_role", "platform-regular"),
        ("password", ""),
        ("identity_provider", "nope-sso"),
        ("identity", "x"),
    ];
    let (status, body) = app.submit(&admin, "create_user", &unknown).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.to_string().contains("no sign-in method named nope-sso"), "{body}");

    // Invited before they ever signed in.
    let invite = [("workspace", "demo"), ("usernames", "pat"), ("role", "regular")];
    assert_eq!(app.submit(&admin, "invite_workspace_members", &invite).await.0, StatusCode::OK);
    // Their first SSO sign-in lands in that account, which sees the workspace.
    let mut browser = Browser::new();
    portal_sso_login(&mut browser, &portal, "pat.doe", "Sso-pass-3").await;
    let callback = to_callback(&app, &mut browser, "/").await;
    browser.send(Method::GET, &callback, None).await;
    assert_eq!(whoami(&app, &browser).await.as_deref(), Some("pat"));
    let cookie = whoami_of(&app, &browser);
    let page = app.page(&cookie, "/workspaces").await;
    assert!(page.contains("href=\"/workspaces/demo\""), "{page}");
}

#[tokio::test]
async fn a_bulk_file_links_new_people_to_their_directory_and_their_first_sign_in_lands_there() {
    let app = app().await;
    let admin = app.login("admin").await;
    let header = "username,email,display_name,platform_role,workspace,workspace_role,cluster,project,project_role,identity_provider,identity";
    let csv = format!("{header}\nwei,li.wei@corp.example,Li Wei,,demo,viewer,,,,corp-ldap,li.wei\n");
    let (status, html) = app.post_page(&admin, "/onboard/bulk", &[("csv", csv.as_str())]).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(crate::common::dry_run_verdict(&html, 2).contains("create"), "{html}");
    let reviewed = crate::common::reviewed(&html);
    let form = [("csv", csv.as_str()), ("reviewed", reviewed.as_str()), ("step", "apply")];
    let (_, html) = app.post_page(&admin, "/onboard/bulk", &form).await;
    assert!(!html.contains("New accounts and their passwords"), "no password for a linked account: {html}");
    app.finished_job(&admin, &html).await;
    let user = app.upstream_user("wei").await;
    assert_eq!(user["metadata"]["annotations"]["iam.kubesphere.io/identity-provider.corp-ldap"], "li.wei");

    // Their directory sign-in lands in `wei`, not in a new `li.wei`.
    let res = app
        .request(Method::POST, "/login", None)
        .form(&[("provider", "corp-ldap"), ("username", "li.wei"), ("password", "Directory-pass-1"), ("next", "/")])
        .send()
        .await
        .unwrap();
    let cookie = session_cookie(res.headers()).expect("signed in");
    let me = app.call("current_user", Some(&cookie)).await.json::<serde_json::Value>().await.unwrap();
    assert_eq!(me["username"], "wei");
    assert!(app.sim.sim.linked_users("corp-ldap", "li.wei") == ["wei"]);

    // The nine-column file still reads, and a half-filled link is refused with its column.
    let half = format!("{header}\nzed,zed@corp.example,,,,,,,,corp-ldap,\n");
    let (_, html) = app.post_page(&admin, "/onboard/bulk", &[("csv", half.as_str())]).await;
    assert!(crate::common::dry_run_verdict(&html, 2).contains("identity"), "{html}");
}
