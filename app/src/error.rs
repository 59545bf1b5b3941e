//! The one error type that crosses the wire. Each variant has a stable code, an HTTP status and a
//! sentence a person understands; upstream details never get here (they are logged server-side).

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", content = "detail", rename_all = "snake_case")]
pub enum AppError {
    #[error("Please sign in to continue.")]
    NotSignedIn,
    #[error("Your session has ended. Please sign in again.")]
    SessionExpired,
    #[error("Incorrect username or password.")]
    InvalidCredentials,
    #[error("Too many attempts. Please try again later.")]
    TooManyRequests,
    /// KubeSphere locked the account after failed sign-ins (10 minutes on a default install).
    #[error("Too many attempts. KubeSphere lets this account sign in again after about ten minutes.")]
    AccountLocked,
    #[error("KubeSphere does not allow you to do this. Ask a platform or workspace administrator if you need access.")]
    Forbidden,
    /// KubeSphere refused one specific thing, named in the sentence.
    #[error("Your KubeSphere roles do not allow you to {0}. Ask a platform administrator if you need to.")]
    NotAllowedTo(String),
    #[error("That was not found in KubeSphere. It may have been renamed or never existed.")]
    NotFound,
    #[error("That already exists in KubeSphere.")]
    Conflict,
    /// Our own sentence about what was wrong with the input, never upstream text.
    #[error("{0}")]
    Invalid(String),
    /// What is wrong with one field of a form, shown next to that field.
    #[error("{message}")]
    InvalidField { field: String, message: String },
    #[error("This request was refused because it did not come from KS Console itself.")]
    CrossSite,
    #[error("KubeSphere is not reachable right now. Please try again in a moment.")]
    UpstreamUnavailable,
    /// Something was just created and KubeSphere's controllers have not finished with it.
    #[error("KubeSphere is still setting up {0}. Please try again in a moment.")]
    StillSettingUp(String),
    #[error("KubeSphere took too long to answer. Please try again in a moment.")]
    UpstreamTimeout,
    /// The console's own storage (sessions, tokens) cannot be reached; nothing was changed.
    #[error("KS Console is temporarily unavailable. Please try again in a moment.")]
    TemporarilyUnavailable,
    /// The activity log's database cannot be reached (changes still work; only reading waits).
    #[error("The activity log cannot be read right now. Please try again in a moment.")]
    ActivityLogUnavailable,
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
}

impl AppError {
    /// A stable machine-readable code (used in URLs such as `/login?error=…` and by tests).
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotSignedIn => "not_signed_in",
            AppError::SessionExpired => "session_expired",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::TooManyRequests => "too_many_requests",
            AppError::AccountLocked => "account_locked",
            AppError::Forbidden => "forbidden",
            AppError::NotAllowedTo(_) => "not_allowed_to",
            AppError::NotFound => "not_found",
            AppError::Conflict => "conflict",
            AppError::Invalid(_) => "invalid",
            AppError::InvalidField { .. } => "invalid_field",
            AppError::CrossSite => "cross_site",
            AppError::UpstreamUnavailable => "upstream_unavailable",
            AppError::StillSettingUp(_) => "still_setting_up",
            AppError::UpstreamTimeout => "upstream_timeout",
            AppError::TemporarilyUnavailable => "temporarily_unavailable",
            AppError::ActivityLogUnavailable => "activity_log_unavailable",
            AppError::Internal => "internal",
        }
    }

    /// Parses the codes used in page URLs; only codes without a payload qualify.
    pub fn from_code(code: &str) -> Option<Self> {
        [
            AppError::NotSignedIn,
            AppError::SessionExpired,
            AppError::InvalidCredentials,
            AppError::TooManyRequests,
            AppError::AccountLocked,
            AppError::Forbidden,
            AppError::NotFound,
            AppError::Conflict,
            AppError::CrossSite,
            AppError::UpstreamUnavailable,
            AppError::UpstreamTimeout,
            AppError::TemporarilyUnavailable,
            AppError::ActivityLogUnavailable,
            AppError::Internal,
        ]
        .into_iter()
        .find(|e| e.code() == code)
    }

    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode as S;
        match self {
            AppError::NotSignedIn | AppError::SessionExpired | AppError::InvalidCredentials => S::UNAUTHORIZED,
            AppError::TooManyRequests | AppError::AccountLocked => S::TOO_MANY_REQUESTS,
            AppError::Forbidden | AppError::NotAllowedTo(_) | AppError::CrossSite => S::FORBIDDEN,
            AppError::NotFound => S::NOT_FOUND,
            AppError::Conflict => S::CONFLICT,
            AppError::Invalid(_) | AppError::InvalidField { .. } => S::BAD_REQUEST,
            AppError::UpstreamUnavailable => S::BAD_GATEWAY,
            AppError::StillSettingUp(_) | AppError::TemporarilyUnavailable | AppError::ActivityLogUnavailable => {
                S::SERVICE_UNAVAILABLE
            }
            AppError::UpstreamTimeout => S::GATEWAY_TIMEOUT,
            AppError::Internal => S::INTERNAL_SERVER_ERROR,
        }
    }

    /// The sentence to show.
    pub fn message(&self) -> String {
        self.to_string()
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        AppError::InvalidField { field: field.to_owned(), message: message.into() }
    }

    /// The message for `field`, if this error is about it.
    pub fn for_field(&self, name: &str) -> Option<String> {
        match self {
            AppError::InvalidField { field, message } if field == name => Some(message.clone()),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The browser could not reach us at all.
            ServerFnErrorErr::Request(_) => AppError::UpstreamUnavailable,
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) | ServerFnErrorErr::Deserialization(_) => {
                AppError::Invalid("The form could not be read. Please reload the page and try again.".into())
            }
            _ => AppError::Internal,
        }
    }
}

/// The JSON body of an error answered outside server functions (`/login`, the guards).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub request_id: Option<String>,
}

impl ErrorBody {
    /// The request id is included for failures on our side or upstream (5xx), so a person can
    /// quote it; other answers stay identical from one request to the next.
    pub fn new(err: &AppError, request_id: Option<String>) -> Self {
        let request_id = request_id.filter(|_| err.status().is_server_error());
        Self { code: err.code().into(), message: err.message(), request_id }
    }
}

#[cfg(feature = "ssr")]
impl From<&ks_client::KsError> for AppError {
    fn from(err: &ks_client::KsError) -> Self {
        use ks_client::KsError as K;
        match err {
            K::Invalid { .. } => AppError::Invalid("KubeSphere rejected the request as invalid.".into()),
            K::Unauthenticated { .. } => AppError::SessionExpired,
            K::Forbidden { .. } => AppError::Forbidden,
            K::NotFound { .. } => AppError::NotFound,
            K::Conflict { .. } => AppError::Conflict,
            K::TooManyRequests { .. } => AppError::TooManyRequests,
            K::Unavailable { .. } => AppError::UpstreamUnavailable,
            K::Timeout => AppError::UpstreamTimeout,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_code_round_trips_and_has_a_sentence() {
        for e in [
            AppError::NotSignedIn,
            AppError::SessionExpired,
            AppError::InvalidCredentials,
            AppError::TooManyRequests,
            AppError::AccountLocked,
            AppError::Forbidden,
            AppError::NotFound,
            AppError::Conflict,
            AppError::CrossSite,
            AppError::UpstreamUnavailable,
            AppError::UpstreamTimeout,
            AppError::TemporarilyUnavailable,
            AppError::ActivityLogUnavailable,
            AppError::Internal,
        ] {
            assert_eq!(AppError::from_code(e.code()), Some(e.clone()));
            assert!(e.message().ends_with('.'), "{e:?} needs a full sentence");
            let json = serde_json::to_string(&e).unwrap();
            assert_eq!(serde_json::from_str::<AppError>(&json).unwrap(), e);
        }
    }

    #[test]
    fn statuses_match_the_kind_of_failure() {
        assert_eq!(AppError::SessionExpired.status(), 401);
        assert_eq!(AppError::Forbidden.status(), 403);
        assert_eq!(AppError::CrossSite.status(), 403);
        assert_eq!(AppError::TooManyRequests.status(), 429);
        assert_eq!(AppError::UpstreamUnavailable.status(), 502);
        assert_eq!(AppError::UpstreamTimeout.status(), 504);
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn upstream_detail_never_reaches_the_message() {
        let secret = "users.iam.kubesphere.io \"bob\" is forbidden: internal detail";
        for k in [
            ks_client::KsError::Forbidden { detail: secret.into() },
            ks_client::KsError::Invalid { status: 400, detail: secret.into() },
            ks_client::KsError::Unavailable { detail: secret.into() },
            ks_client::KsError::NotFound { detail: secret.into() },
        ] {
            let e = AppError::from(&k);
            assert!(!e.message().contains("internal detail"));
        }
        assert_eq!(
            AppError::from(&ks_client::KsError::Unauthenticated { detail: String::new() }),
            AppError::SessionExpired
        );
        assert_eq!(AppError::from(&ks_client::KsError::Timeout), AppError::UpstreamTimeout);
    }
}
