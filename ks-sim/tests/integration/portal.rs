//! The KubeSphere console stand-in (the "portal", §12.5 "In practice", §12.7, §12.8) with the
//! OAuth provider stand-in, driven as a browser would: cookies kept, redirects followed by hand.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use crate::authorize::{code_of, code_request, CALLBACK};
use crate::common::{TestSim, PASSWORD, USERS};
use ks_sim::idp::token_claims;
use ks_sim::{IdentityProvider, MappingMethod, RunningPortal};
use serde_json::{json, Value};

/// A browser on the portal: one cookie jar, no automatic redirects.
struct Browser {
    http: reqwest::Client,
    base: String,
    jar: BTreeMap<String, String>,
}

/// A response reduced to what the tests look at.
#[derive(Debug)]
struct Page {
    status: u16,
    location: String,
    set_cookies: Vec<String>,
    text: String,
}

impl Browser {
    fn new(portal: &RunningPortal) -> Self {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Browser { http, base: portal.url(), jar: BTreeMap::new() }
    }

    fn url(&self, target: &str) -> String {
        if target.starts_with("http") {
            target.to_owned()
        } else {
            format!("{}{target}", self.base)
        }
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let cookies: Vec<String> = self.jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let req = if cookies.is_empty() { req } else { req.header("cookie", cookies.join("; ")) };
        let res = req.send().await.unwrap();
        let set_cookies: Vec<String> =
            res.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect();
        for line in &set_cookies {
            let (pair, attributes) = line.split_once(';').unwrap_or((line, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if attributes.contains("Max-Age=0") {
                self.jar.remove(name);
            } else {
                self.jar.insert(name.to_owned(), value.to_owned());
            }
        }
        let location = res.headers().get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        Page { status: res.status().as_u16(), location, set_cookies, text: res.text().await.unwrap() }
    }

    async fn get(&mut self, target: &str) -> Page {
        let req = self.http.get(self.url(target));
        self.send(req).await
    }

    async fn post(&mut self, target: &str, form: &[(&str, &str)]) -> Page {
        let req = self.http.post(self.url(target)).form(form);
        self.send(req).await
    }

    /// Signs in with the OAuth provider stand-in, from the portal's sign-in page link.
    async fn sso_sign_in(&mut self, idp: &str, login: &str, password: &str) -> Page {
        let page = self.get("/login").await;
        let href = format!("/_idp/{idp}/login?state={idp}");
        assert!(page.text.contains(&format!("href=\"{href}\"")), "{}", page.text);
        assert!(self.get(&href).await.text.contains("<label for=\"username\">Username</label>"));
        let answer = self
            .post(&format!("/_idp/{idp}/login"), &[("username", login), ("password", password), ("state", idp)])
            .await;
        assert_eq!(answer.status, 302, "{answer:?}");
        assert!(answer.location.starts_with(&format!("/oauth/redirect/{idp}?code=")), "{answer:?}");
        self.get(&answer.location).await
    }
}

async fn start(f: impl FnOnce(&mut ks_sim::SimConfig)) -> (TestSim, RunningPortal) {
    let sim = TestSim::with(|c| {
        *c = c.clone().with_demo_identity_providers();
        c.client_redirect_uris = vec![CALLBACK.to_owned()];
        f(c);
    })
    .await;
    let portal = sim.running.spawn_portal().await.unwrap();
    (sim, portal)
}

async fn exchange(sim: &TestSim, code: &str) -> Value {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", CALLBACK),
        ("client_id", "kubesphere"),
        ("client_secret", "kubesphere"),
    ];
    let res = sim.token_form(&form).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

fn authorize_path(state: &str) -> String {
    format!("/oauth/authorize?{}", serde_urlencoded::to_string(code_request(state)).unwrap())
}

#[tokio::test]
async fn a_local_sign_in_at_the_portal_resumes_the_pending_authorize() {
    let (sim, portal) = start(|_| {}).await;
    assert!(portal.url().starts_with("http://localhost:"));
    assert_eq!(sim.sim().issuer_url(), portal.url(), "the portal is the issuer");
    let mut browser = Browser::new(&portal);
    let first = browser.get(&authorize_path("st-1")).await;
    assert_eq!((first.status, first.location.as_str()), (302, portal.url().as_str()), "the issuer root");
    assert!(first.set_cookies.iter().any(|c| c.starts_with("authAuthorizeUrl=") && c.contains("HttpOnly")));
    let entry = sim.sim().journal_for("/oauth/authorize").pop().unwrap();
    assert_eq!((entry.status, entry.authorization_present), (302, false), "it reached the apiserver");
    let root = browser.get(&first.location).await;
    assert_eq!((root.status, root.location.as_str()), (302, "/login"));
    let login = browser.get("/login").await;
    for text in [
        "<label for=\"username\">Username</label>",
        "<label for=\"password\">Password</label>",
        ">Log In</button>",
        ">Log In with Company SSO</a>",
    ] {
        assert!(login.text.contains(text), "{text}: {}", login.text);
    }
    assert!(!login.text.contains("Corporate Directory"), "only OAuth providers get a link");
    let wrong = browser.post("/login", &[("username", "alice"), ("password", "nope")]).await;
    assert_eq!(wrong.status, 200);
    assert!(wrong.text.contains("Incorrect username or password.") && wrong.set_cookies.is_empty());
    let signed_in = browser.post("/login", &[("username", "alice"), ("password", PASSWORD)]).await;
    assert_eq!((signed_in.status, signed_in.location.clone()), (302, authorize_path("st-1")));
    assert!(signed_in.set_cookies.iter().any(|c| c.starts_with("token=")
        && c.contains("HttpOnly")
        && c.contains("SameSite=Lax")
        && c.contains("Path=/")));
    assert!(!browser.jar.contains_key("authAuthorizeUrl"), "cleared");
    let resumed = browser.get(&signed_in.location).await;
    assert_eq!(resumed.status, 302);
    assert!(resumed.location.starts_with(&format!("{CALLBACK}?code=")) && resumed.location.ends_with("&state=st-1"));
    let tokens = exchange(&sim, &code_of(&resumed.location)).await;
    assert_eq!(token_claims(tokens["access_token"].as_str().unwrap()).unwrap()["username"], "alice");
    let entry = sim.sim().journal_for("/oauth/authorize").pop().unwrap();
    assert_eq!(entry.user.as_deref(), Some("alice"), "the portal's token as the bearer");
    assert!(browser.get("/").await.text.contains("Signed in to KubeSphere as alice"));
    // Discovery goes through the portal too.
    let discovery: Value = serde_json::from_str(&browser.get("/.well-known/openid-configuration").await.text).unwrap();
    assert_eq!(discovery["issuer"], portal.url());
}

#[tokio::test]
async fn an_sso_sign_in_at_the_portal_does_not_resume_but_the_second_press_is_immediate() {
    let (sim, portal) = start(|_| {}).await;
    let mut browser = Browser::new(&portal);
    assert_eq!(browser.get(&authorize_path("st-2")).await.status, 302);
    assert!(browser.jar.contains_key("authAuthorizeUrl"));
    let landed = browser.sso_sign_in("company-sso", "SAM.LEE", "Sso-pass-1").await;
    assert_eq!((landed.status, landed.location.as_str()), (302, "/"), "home, not the pending authorize");
    assert!(browser.get("/").await.text.contains("Signed in to KubeSphere as sam.lee"));
    assert_eq!(sim.sim().linked_users("company-sso", "5f0c7a1e-0001"), ["sam.lee"], "auto: a user named sam.lee");
    let callback = sim.sim().journal_for("/oauth/callback/company-sso").pop().unwrap();
    assert_eq!(callback.status, 200);
    let again = browser.get(&authorize_path("st-3")).await;
    assert!(again.location.starts_with(&format!("{CALLBACK}?code=")), "{again:?}");
    let tokens = exchange(&sim, &code_of(&again.location)).await;
    assert_eq!(token_claims(tokens["access_token"].as_str().unwrap()).unwrap()["username"], "sam.lee");
    let admin = sim.access_token("admin").await;
    let user = sim.get_json(&format!("{USERS}/sam.lee"), &admin).await;
    assert_eq!(user["spec"]["email"], "sam.lee@corp.example");
}

#[tokio::test]
async fn the_provider_stand_in_checks_passwords_and_its_codes_work_once() {
    let (_sim, portal) = start(|_| {}).await;
    let mut browser = Browser::new(&portal);
    let wrong =
        browser.post("/_idp/company-sso/login", &[("username", "sam.lee"), ("password", "x"), ("state", "s")]).await;
    assert_eq!(wrong.status, 200);
    assert!(wrong.text.contains("Invalid username or password.") && wrong.text.contains("Sign in to Company SSO"));
    assert_eq!(browser.get("/_idp/corp-ldap/login").await.status, 404, "LDAP has no such page");
    let ok = browser
        .post("/_idp/company-sso/login", &[("username", "kai.chen"), ("password", "Sso-pass-2"), ("state", "s")])
        .await;
    assert_eq!(browser.get(&ok.location).await.location, "/");
    browser.jar.clear();
    let replay = browser.get(&ok.location).await;
    assert_eq!(replay.status, 401, "{replay:?}");
    assert!(replay.text.contains("Unauthorized: failed to exchange identity for company-sso"), "{}", replay.text);
    assert!(!browser.jar.contains_key("token"));
}

#[tokio::test]
async fn a_person_linked_before_the_first_sso_sign_in_lands_in_that_user() {
    let (sim, portal) = start(|_| {}).await;
    let admin = sim.access_token("admin").await;
    let user = json!({
        "apiVersion": "iam.kubesphere.io/v1beta1", "kind": "User",
        "metadata": {"name": "patricia", "annotations": {"iam.kubesphere.io/identity-provider.company-sso": "5f0c7a1e-0003"}},
        "spec": {"email": "patricia@example.com"},
    });
    assert_eq!(sim.call("POST", USERS, Some(&admin), Some(user)).await.status, 200);
    let mut browser = Browser::new(&portal);
    assert_eq!(browser.sso_sign_in("company-sso", "pat.doe", "Sso-pass-3").await.location, "/");
    assert!(browser.get("/").await.text.contains("Signed in to KubeSphere as patricia"));
    assert_eq!(sim.get(&format!("{USERS}/pat.doe"), Some(&admin)).await.status(), 404, "no pat.doe made");
    let patricia = sim.get_json(&format!("{USERS}/patricia"), &admin).await;
    assert_eq!(patricia["spec"]["email"], "patricia@example.com", "a linked user keeps its e-mail");
}

#[tokio::test]
async fn signing_out_through_the_portal_revokes_its_token_and_comes_back() {
    let (sim, portal) = start(|_| {}).await;
    let mut browser = Browser::new(&portal);
    browser.post("/login", &[("username", "bob"), ("password", PASSWORD)]).await;
    let token = browser.jar["token"].clone();
    let out =
        browser.get("/oauth/logout?post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fsigned-out&state=x").await;
    assert_eq!((out.status, out.location.as_str()), (302, "http://127.0.0.1:9/signed-out?state=x"));
    assert!(out.set_cookies.is_empty(), "the portal's cookie stays");
    assert_eq!(sim.get(&format!("{USERS}/bob"), Some(&token)).await.status(), 401, "but no longer works");
    assert_eq!(browser.get("/").await.location, "/login");
    // The authorize now meets a dead token: 401 from the authentication filter.
    assert_eq!(browser.get(&authorize_path("s")).await.status, 401);
    // The portal's own sign-out clears the cookie (its dead token: 401).
    let own = browser.get("/logout").await;
    assert_eq!(own.status, 401);
    assert!(!browser.jar.contains_key("token"));
    browser.post("/login", &[("username", "bob"), ("password", PASSWORD)]).await;
    let token = browser.jar["token"].clone();
    let own = browser.get("/logout").await;
    assert_eq!((own.status, own.location.as_str()), (302, "/login"));
    assert_eq!(sim.get(&format!("{USERS}/bob"), Some(&token)).await.status(), 401);
}

#[tokio::test]
async fn a_manual_provider_at_the_portal_ends_at_the_unmodelled_confirm_page() {
    let (_sim, portal) = start(|c| {
        c.identity_providers = vec![IdentityProvider::oidc("partner-sso", MappingMethod::Manual, "https://p.example")
            .with_oidc_person("p-1", "Noor", "pw-1", "noor@partner.example")];
    })
    .await;
    let mut browser = Browser::new(&portal);
    let landed = browser.sso_sign_in("partner-sso", "noor", "pw-1").await;
    assert_eq!(landed.location, "/login/confirm");
    let claims = token_claims(&browser.jar["token"]).unwrap();
    assert_eq!(claims["extra"]["username"], json!(["Noor"]));
    assert!(browser.get("/login/confirm").await.text.contains("does not model"));
}
