//! Signing in with the company directory (KubeSphere's LDAP identity providers, §12): the sign-in
//! page offers the directories KubeSphere lists, the password grant carries `provider`, and a
//! first sign-in under `manual` mapping confirms a username before anyone is signed in. Effects
//! are checked in KubeSphere (the simulator with its demo providers).

use reqwest::{Method, StatusCode};

use crate::common::{session_cookie, TestApp};

async fn app() -> TestApp {
    TestApp::builder().sim(|c| c.identity_providers = ks_sim::idp::demo_identity_providers()).start().await
}

async fn sign_in(app: &TestApp, provider: &str, login: &str, password: &str) -> reqwest::Response {
    app.request(Method::POST, "/login", None)
        .form(&[("provider", provider), ("username", login), ("password", password), ("next", "/")])
        .send()
        .await
        .unwrap()
}

async fn whoami(app: &TestApp, cookie: &str) -> String {
    let res = app.call("current_user", Some(cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<serde_json::Value>().await.unwrap()["username"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_sign_in_page_offers_the_visible_enabled_directories_after_kubesphere_accounts() {
    let app = app().await;
    let page = app.request(Method::GET, "/login", None).send().await.unwrap().text().await.unwrap();
    let select = &page[page.find("<select id=\"provider\"").expect("a choice of where the account lives")..];
    let select = &select[..select.find("</select>").unwrap()];
    let options: Vec<&str> =
        select.split("<option").skip(1).map(|o| &o[o.find('>').unwrap() + 1..o.find('<').unwrap()]).collect();
    assert_eq!(options, ["KubeSphere account", "Corporate Directory", "Partner Directory"], "{select}");
    assert!(select.contains("value=\"corp-ldap\"") && !select.contains("hidden-ldap") && !select.contains("old-ldap"));
    assert!(!page.contains("Company SSO"), "OAuth-type providers are not offered yet");
    assert!(!page.contains(".wasm"), "no WASM on the sign-in page");
    // Whole in the HTML, in order: no script has to move a streamed part into place.
    assert!(!page.contains("<template"), "{page}");

    // Without KubeSphere's list, the plain form alone.
    let plain = TestApp::start().await;
    plain.sim.sim.inject(ks_sim::Fault::status("/kapis/config.kubesphere.io", 500, None));
    let page = plain.request(Method::GET, "/login", None).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("name=\"password\"") && !page.contains("name=\"provider\""));
}

#[tokio::test]
async fn a_directory_person_signs_in_with_their_directory_password_and_acts_as_their_kubesphere_user() {
    let app = app().await;
    let res = sign_in(&app, "corp-ldap", "Mei.Tan", "Directory-pass-2").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let cookie = session_cookie(res.headers()).expect("signed in");
    assert_eq!(whoami(&app, &cookie).await, "mei.tan", "KubeSphere's user, lower-cased by auto mapping");
    let user = app.upstream_get("/kapis/iam.kubesphere.io/v1beta1/users/mei.tan").await;
    assert_eq!(user["metadata"]["annotations"]["iam.kubesphere.io/identity-provider.corp-ldap"], "Mei.Tan");
    // Their page says how they sign in, and when they last did.
    let page = app.page(&cookie, "/users/mei.tan").await;
    assert!(page.contains("company directory: Corporate Directory"), "{page}");
    assert!(page.contains("<time datetime="), "the last sign-in: {page}");
    let token = app.sim.sim.journal().into_iter().find(|e| e.path == "/oauth/token").unwrap();
    assert_eq!(token.body.unwrap()["provider"], "corp-ldap", "the grant names the directory");

    // A wrong directory password reads like any wrong password; a method that cannot sign them
    // in says so.
    let wrong = sign_in(&app, "corp-ldap", "li.wei", "Wrong-pass-1").await;
    let local_wrong = sign_in(&app, "", "bob", "Wrong-pass-1").await;
    assert_eq!((wrong.status(), local_wrong.status()), (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED));
    let (a, b) = (wrong.text().await.unwrap(), local_wrong.text().await.unwrap());
    assert!(a.contains("Incorrect username or password.") && b.contains("Incorrect username or password."));
    for (provider, login, password) in [
        ("old-ldap", "li.wei", "Directory-pass-1"),
        ("corp-ldap", "Ana_Ruiz", "Directory-pass-3"),
        ("company-sso", "x", "y"),
    ] {
        let res = sign_in(&app, provider, login, password).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{provider}");
        assert!(res.text().await.unwrap().contains("This sign-in method is not available for you"), "{provider}");
    }
    // Local accounts sign in as before.
    assert_eq!(app.login_response("bob", crate::common::PASSWORD, true).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_throttle_counts_per_directory_and_login_name() {
    let app = TestApp::builder()
        .sim(|c| c.identity_providers = ks_sim::idp::demo_identity_providers())
        .config(|c| c.login_throttle_max_failures = 2)
        .start()
        .await;
    for _ in 0..2 {
        assert_eq!(sign_in(&app, "corp-ldap", "li.wei", "Wrong-pass-1").await.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(sign_in(&app, "corp-ldap", "li.wei", "Directory-pass-1").await.status(), StatusCode::TOO_MANY_REQUESTS);
    // The same name elsewhere is another account.
    assert_eq!(sign_in(&app, "partner-ldap", "li.wei", "Wrong-pass-1").await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_first_sign_in_under_manual_mapping_confirms_a_username_then_signs_in_as_the_new_user() {
    let app = app().await;
    let res = sign_in(&app, "partner-ldap", "jo.kim", "Partner-pass-1").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/login/confirm");
    let registering = session_cookie(res.headers()).expect("a session for the registration");
    // Nothing else is reachable yet.
    assert_eq!(app.call("current_user", Some(&registering)).await.status(), StatusCode::UNAUTHORIZED);
    let home = app.get(&registering, "/").await;
    assert_eq!(home.status(), StatusCode::SEE_OTHER);
    let page = app.get(&registering, "/login/confirm").await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("Choose your KubeSphere username") && page.contains("value=\"jo.kim\""), "{page}");
    assert!(page.contains("first sign-in through Partner Directory"), "the directory by its name: {page}");
    assert!(!page.contains(".wasm"), "no WASM");

    // A taken name, then an invalid one, are said on the page; nothing is created.
    let confirm = |name: &'static str| {
        app.request(Method::POST, "/login/confirm", Some(&registering)).form(&[("username", name)]).send()
    };
    let taken = confirm("bob").await.unwrap();
    assert_eq!(taken.headers()["location"], "/login/confirm?problem=name_taken&username=bob");
    let shown = app.page(&registering, "/login/confirm?problem=name_taken&username=bob").await;
    assert!(shown.contains("That username is taken."));
    let bad = confirm("Jo_Kim").await.unwrap();
    assert!(bad.headers()["location"].to_str().unwrap().contains("problem=name_invalid"));

    let done = confirm("jo-kim").await.unwrap();
    assert_eq!((done.status(), done.headers()["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/"));
    let cookie = session_cookie(done.headers()).expect("a new session id for the new user");
    assert_ne!(cookie, registering);
    assert_eq!(whoami(&app, &cookie).await, "jo-kim");
    let user = app.upstream_get("/kapis/iam.kubesphere.io/v1beta1/users/jo-kim").await;
    assert_eq!(user["metadata"]["annotations"]["iam.kubesphere.io/identity-provider.partner-ldap"], "jo.kim");
    let role = user["metadata"]["annotations"].get("iam.kubesphere.io/globalrole");
    assert!(role.is_none_or(|r| r == ""), "no platform role this way: {user}");
    assert!(user["spec"].get("password").is_none_or(|p| p.is_null() || p == ""), "no local password");
    // The registration's session is gone; a later sign-in lands in the user directly.
    assert_eq!(app.call("current_user", Some(&registering)).await.status(), StatusCode::UNAUTHORIZED);
    let again = sign_in(&app, "partner-ldap", "jo.kim", "Partner-pass-1").await;
    assert_eq!(again.headers()["location"], "/");
    let cookie = session_cookie(again.headers()).unwrap();
    assert_eq!(whoami(&app, &cookie).await, "jo-kim");
}
