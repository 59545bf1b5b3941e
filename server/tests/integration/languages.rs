//! English and Simplified Chinese: chosen from the browser's languages, switched (and remembered)
//! with the top bar's form, and followed by every page, error and server function.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{set_cookies, TestApp};
use reqwest::{Method, StatusCode};

async fn page(app: &TestApp, path: &str, cookie: Option<&str>, accept_language: Option<&str>) -> (StatusCode, String) {
    let mut req = app.request(Method::GET, path, cookie).header("accept", "text/html");
    if let Some(langs) = accept_language {
        req = req.header("accept-language", langs);
    }
    let res = req.send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

#[tokio::test]
async fn pages_follow_the_browsers_language_before_any_wasm() {
    let (app, cookie) = TestApp::start_as("admin").await;
    // A page without islands: complete in Chinese as HTML, no script needed.
    let (status, html) = page(&app, "/users", Some(&cookie), Some("zh-CN,zh;q=0.9,en;q=0.8")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"<html lang="zh-Hans""#), "{}", &html[..300.min(html.len())]);
    assert!(html.contains("企业空间") && html.contains("退出登录"), "the top bar is in Chinese");
    assert!(!html.contains(">Sign out<") && !html.contains(">Workspaces<"));
    assert!(!html.contains(".wasm"), "still no WASM on a lookup page");
    // English browsers, and browsers asking for neither, get English.
    for langs in [Some("en-GB,en;q=0.9"), Some("fr-FR"), None] {
        let (_, html) = page(&app, "/users", Some(&cookie), langs).await;
        assert!(html.contains(r#"<html lang="en""#) && html.contains(">Sign out<"), "{langs:?}");
    }
}

#[tokio::test]
async fn the_switch_remembers_the_choice_over_the_browsers_language() {
    let (app, cookie) = TestApp::start_as("admin").await;
    let res = app
        .request(Method::POST, "/language", Some(&cookie))
        .header("accept", "text/html")
        .form(&[("lang", "zh"), ("back", "/workspaces?page=2")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/workspaces?page=2", "back to the page it was on");
    let set = set_cookies(res.headers());
    let lang = set.iter().find(|c| c.starts_with("i18n_pref_locale=zh;")).expect("the choice is remembered");
    assert!(lang.contains("Max-Age=31536000") && lang.contains("SameSite=Lax") && lang.contains("HttpOnly"), "{lang}");
    let both = format!("{cookie}; i18n_pref_locale=zh");
    let (_, html) = page(&app, "/workspaces", Some(&both), Some("en-US,en")).await;
    assert!(html.contains(r#"<html lang="zh-Hans""#), "the cookie wins over Accept-Language");
    // The switch offers the other language, named in that language.
    assert!(html.contains(r#"name="lang" value="en""#) && html.contains(">English<"));

    // Signed out too (the sign-in page has the switch); a foreign `back` goes home; an unknown
    // language changes nothing.
    let res = app
        .request(Method::POST, "/language", None)
        .form(&[("lang", "en"), ("back", "//evil.example")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/");
    let res =
        app.request(Method::POST, "/language", None).form(&[("lang", "xx"), ("back", "/login")]).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/login");
    assert!(set_cookies(res.headers()).iter().all(|c| !c.starts_with("i18n_pref_locale=")));
}

#[tokio::test]
async fn errors_are_explained_in_the_persons_language() {
    let (app, cookie) = TestApp::start_as("admin").await;
    // A server function's refusal, as an island shows it.
    let res = app
        .post_api(
            Some(&format!("{cookie}; i18n_pref_locale=zh")),
            "create_workspace",
            &[("name", "Not A Name"), ("manager", "admin")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = res.json().await.unwrap();
    let message = body["detail"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("小写字母"), "{body}");
    // The server's own answers too: a sign-in without a password, in JSON.
    let res = app
        .request(Method::POST, "/login", None)
        .header("accept", "application/json")
        .header("accept-language", "zh-CN")
        .form(&[("username", "admin"), ("password", "wrong-password")])
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["message"], "用户名或密码错误。", "{body}");
}
