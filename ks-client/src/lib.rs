//! A typed client for the subset of KubeSphere's ks-apiserver that KS Console uses.
//!
//! Server-only. Two promises are built into its shape:
//! - every data call is made with the logged-in user's own token ([`KsClient::as_user`]);
//! - it cannot send a DELETE: the only verbs it can express are those of [`Verb`].

mod access_review;
mod api;
mod breaker;
mod client;
mod error;
mod grants;
mod list_options;
pub mod model;
mod path;
mod sign_in;
mod telemetry;
mod tokens;
mod upstream_body;
mod user_api;

pub use access_review::{AccessVerdict, SubjectAccessReview};
pub use api::{email_field_selector, FirstSignIn, NewProject, NewUser, NewWorkspace, PlatformRoleChanged};
pub use client::{CallContext, ClientConfig, KsClient};
pub use error::{Cause, KsError, LoginError, RefreshError};
pub use grants::Credentials;
pub use list_options::{ListOptions, SortBy};
pub use path::ApiPath;
pub use sign_in::CodeError;
pub use tokens::{AccessToken, PreRegistration, RefreshToken, TokenSet, PRE_REGISTRATION_USER};
pub use user_api::{UserApi, WriteHook};

/// The HTTP verbs this client can send. There is deliberately no `Delete`: the console never
/// removes anything in KubeSphere, and leaving the variant out makes such a call unwritable.
///
/// ```compile_fail
/// let _ = ks_client::Verb::Delete;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Get,
    Post,
    Put,
}

impl Verb {
    fn method(self) -> reqwest::Method {
        match self {
            Verb::Get => reqwest::Method::GET,
            Verb::Post => reqwest::Method::POST,
            Verb::Put => reqwest::Method::PUT,
        }
    }

    /// Only reads may be retried: a repeated write could apply twice.
    fn is_idempotent_read(self) -> bool {
        matches!(self, Verb::Get)
    }
}
