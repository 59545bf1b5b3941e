//! Shared helpers: a simulator on a random port and a plain HTTP client.
#![allow(clippy::unwrap_used)]

use ks_sim::{RunningSim, SimConfig, Simulator};
use reqwest::{Client, RequestBuilder, Response};
use serde_json::Value;

pub const PASSWORD: &str = ks_sim::DEMO_PASSWORD;
pub const USERS: &str = "/kapis/iam.kubesphere.io/v1beta1/users";

/// The shipped OAuth client (`client_id`, `client_secret`), which every grant uses unless a
/// test names another.
pub const CLIENT: (&str, &str) = ("kubesphere", "kubesphere");

/// A password-grant form for `/oauth/token` through the client `(id, secret)`.
pub fn password_form<'a>(
    username: &'a str,
    password: &'a str,
    (id, secret): (&'a str, &'a str),
) -> [(&'a str, &'a str); 5] {
    [
        ("grant_type", "password"),
        ("username", username),
        ("password", password),
        ("client_id", id),
        ("client_secret", secret),
    ]
}

/// A refresh-grant form for `/oauth/token` through the shipped client.
pub fn refresh_form(refresh_token: &str) -> [(&str, &str); 4] {
    [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
        ("client_id", CLIENT.0),
        ("client_secret", CLIENT.1),
    ]
}

pub struct TestSim {
    pub running: RunningSim,
    pub http: Client,
}

impl TestSim {
    pub async fn start() -> Self {
        Self::with(|_| {}).await
    }

    pub async fn with(f: impl FnOnce(&mut SimConfig)) -> Self {
        let mut config = SimConfig::default();
        f(&mut config);
        let running = Simulator::spawn(config, "127.0.0.1:0".parse().unwrap()).await.unwrap();
        let http = Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        TestSim { running, http }
    }

    pub fn sim(&self) -> &Simulator {
        &self.running.sim
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.running.base_url())
    }

    /// Password grant with the default client.
    pub async fn login(&self, username: &str, password: &str) -> Response {
        self.token_form(&password_form(username, password, CLIENT)).await
    }

    /// Password grant through identity provider `provider` (§12.2), reduced to status and JSON.
    pub async fn directory_login(&self, provider: &str, username: &str, password: &str) -> (u16, Value) {
        let res = self
            .token_form(&[
                ("grant_type", "password"),
                ("username", username),
                ("password", password),
                ("provider", provider),
                ("client_id", CLIENT.0),
                ("client_secret", CLIENT.1),
            ])
            .await;
        let status = res.status().as_u16();
        assert!(content_type(&res).starts_with("application/json"));
        (status, res.json().await.unwrap())
    }

    /// Refresh grant, reduced to status and JSON.
    pub async fn refresh(&self, refresh_token: &str) -> (u16, Value) {
        let res = self.token_form(&refresh_form(refresh_token)).await;
        (res.status().as_u16(), res.json().await.unwrap())
    }

    pub async fn token_form(&self, form: &[(&str, &str)]) -> Response {
        self.token_request().form(form).send().await.unwrap()
    }

    /// `POST /oauth/token`, for tests that add headers or expect no response.
    pub fn token_request(&self) -> RequestBuilder {
        self.http.post(self.url("/oauth/token"))
    }

    /// Logs in and returns (access, refresh).
    pub async fn tokens(&self, username: &str) -> (String, String) {
        let res = self.login(username, PASSWORD).await;
        assert_eq!(res.status(), 200, "login of {username}");
        let body: Value = res.json().await.unwrap();
        (body["access_token"].as_str().unwrap().to_owned(), body["refresh_token"].as_str().unwrap().to_owned())
    }

    pub async fn access_token(&self, username: &str) -> String {
        self.tokens(username).await.0
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut req = self.http.get(self.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        req.send().await.unwrap()
    }

    /// GET as `token`, expecting 200 JSON.
    pub async fn get_json(&self, path: &str, token: &str) -> Value {
        let res = self.get(path, Some(token)).await;
        assert_eq!(res.status(), 200, "GET {path}");
        res.json().await.unwrap()
    }
}

pub fn names(list: &Value) -> Vec<String> {
    list["items"].as_array().unwrap().iter().map(|u| u["metadata"]["name"].as_str().unwrap().to_owned()).collect()
}

pub fn content_type(res: &Response) -> String {
    res.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

pub const IAM: &str = "/kapis/iam.kubesphere.io/v1beta1";
pub const TENANT: &str = "/kapis/tenant.kubesphere.io/v1beta1";

/// A response reduced to what contract tests compare.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }

    /// Asserts a handler error: this status, `text/plain`, `message` + newline.
    pub fn assert_text(&self, status: u16, message: &str) {
        assert_eq!((self.status, self.text.as_str()), (status, format!("{message}\n").as_str()));
        assert!(self.content_type.starts_with("text/plain"), "{self:?}");
    }

    /// Asserts a filter-level 403 (Status JSON).
    pub fn assert_forbidden_json(&self) {
        assert_eq!(self.status, 403, "{self:?}");
        let body = self.json();
        assert_eq!(body["kind"], "Status", "{self:?}");
        assert_eq!(body["reason"], "Forbidden");
    }
}

impl TestSim {
    /// Any method, optional bearer token, optional JSON body.
    pub async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.http.request(method, self.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let content_type = content_type(&res);
        Reply { status, content_type, text: res.text().await.unwrap() }
    }

    /// GET expecting 200, as `user` (logs in).
    pub async fn get_as(&self, user: &str, path: &str) -> Value {
        let token = self.access_token(user).await;
        self.get_json(path, &token).await
    }
}
