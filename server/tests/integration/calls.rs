//! The server functions the tests call most, as typed posts: each form's fields named once,
//! so a test says whom it invites or what it changes, not how the request is built.

use reqwest::{Method, Response, StatusCode};
use serde_json::Value;

use crate::common::TestApp;

/// A server function's status and JSON body.
pub type Answer = (StatusCode, Value);

/// The fields of `create_user` as its form sends them (no display name or description).
pub fn new_user<'a>(
    username: &'a str,
    email: &'a str,
    password: &'a str,
    platform_role: &'a str,
) -> [(&'static str, &'a str); 4] {
    [("username", username), ("email", email), ("password", password), ("platform_role", platform_role)]
}

impl TestApp {
    /// Invites `usernames` (comma-separated) to `workspace` with a role kind (`regular`, …).
    pub async fn invite_to_workspace(&self, cookie: &str, workspace: &str, usernames: &str, role: &str) -> Answer {
        let fields = [("workspace", workspace), ("usernames", usernames), ("role", role)];
        self.submit(cookie, "invite_workspace_members", &fields).await
    }

    /// Invites `usernames` to `project` (`cluster/namespace`) with a project role.
    pub async fn invite_to_project(&self, cookie: &str, project: &str, usernames: &str, role: &str) -> Answer {
        self.submit(cookie, "invite_project_members", &[("project", project), ("usernames", usernames), ("role", role)])
            .await
    }

    /// Gives a member of `workspace` another role kind (an admin role unconfirmed).
    pub async fn change_workspace_role(&self, cookie: &str, workspace: &str, username: &str, role: &str) -> Answer {
        self.submit(
            cookie,
            "change_workspace_role",
            &[("workspace", workspace), ("username", username), ("role", role)],
        )
        .await
    }

    /// Gives a member of `project` (`cluster/namespace`) another role (an admin role unconfirmed).
    pub async fn change_project_role(&self, cookie: &str, project: &str, username: &str, role: &str) -> Answer {
        self.submit(cookie, "change_project_role", &[("project", project), ("username", username), ("role", role)])
            .await
    }

    /// Gives `username` another platform role.
    pub async fn change_platform_role(&self, cookie: &str, username: &str, platform_role: &str) -> Answer {
        self.submit(cookie, "change_platform_role", &[("username", username), ("platform_role", platform_role)]).await
    }

    /// Creates project `name` of `workspace` on `cluster`.
    pub async fn create_project(&self, cookie: &str, workspace: &str, cluster: &str, name: &str) -> Answer {
        self.submit(cookie, "create_project", &[("workspace", workspace), ("cluster", cluster), ("name", name)]).await
    }

    /// Creates workspace `name` on cluster host, managed by admin; it must succeed.
    pub async fn create_workspace_on_host(&self, cookie: &str, name: &str) {
        let fields = [("name", name), ("manager", "admin"), ("clusters[]", "host")];
        let (status, body) = self.submit(cookie, "create_workspace", &fields).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    /// Calls a server function with form fields as the hydrated app does; the whole answer.
    pub async fn post_api(&self, cookie: Option<&str>, endpoint: &str, fields: &[(&str, &str)]) -> Response {
        self.request(Method::POST, &format!("/api/{endpoint}"), cookie)
            .header("accept", "application/json")
            .form(fields)
            .send()
            .await
            .unwrap()
    }

    /// Posts a form to a server function as a browser without WASM does, from the page at
    /// `from` (its referer); the whole answer, a redirect back.
    pub async fn post_without_wasm(
        &self,
        cookie: Option<&str>,
        endpoint: &str,
        from: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        self.request(Method::POST, &format!("/api/{endpoint}"), cookie)
            .header("accept", "text/html,application/xhtml+xml")
            .header("referer", format!("{}{from}", self.url))
            .form(fields)
            .send()
            .await
            .unwrap()
    }
}
