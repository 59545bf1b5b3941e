//! The one error type that crosses the wire. Each variant has a stable code, an HTTP status and a
//! sentence a person understands; upstream details never get here (they are logged server-side).

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::i18n::td_string;
use crate::language::Locale;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[cfg_attr(not(feature = "hydrate"), derive(Deserialize))]
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
    /// The chosen way in (an identity provider) cannot sign this person in.
    #[error("This sign-in method is not available for you. Ask an administrator.")]
    SignInMethodUnavailable,
    /// A single sign-on came back unfinished, from another browser, too late, or with a used code.
    #[error("Single sign-on did not finish. Please start again.")]
    SingleSignOnIncomplete,
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
            AppError::SignInMethodUnavailable => "sign_in_method_unavailable",
            AppError::SingleSignOnIncomplete => "single_sign_on_incomplete",
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

    /// The errors without a payload: those a page URL may name by their code.
    pub const WITHOUT_DETAIL: [AppError; 16] = [
        AppError::NotSignedIn,
        AppError::SessionExpired,
        AppError::InvalidCredentials,
        AppError::TooManyRequests,
        AppError::AccountLocked,
        AppError::SignInMethodUnavailable,
        AppError::SingleSignOnIncomplete,
        AppError::Forbidden,
        AppError::NotFound,
        AppError::Conflict,
        AppError::CrossSite,
        AppError::UpstreamUnavailable,
        AppError::UpstreamTimeout,
        AppError::TemporarilyUnavailable,
        AppError::ActivityLogUnavailable,
        AppError::Internal,
    ];

    /// Parses the codes used in page URLs; only codes without a payload qualify.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::WITHOUT_DETAIL.into_iter().find(|e| e.code() == code)
    }

    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode as S;
        match self {
            AppError::NotSignedIn
            | AppError::SessionExpired
            | AppError::InvalidCredentials
            | AppError::SingleSignOnIncomplete => S::UNAUTHORIZED,
            AppError::TooManyRequests | AppError::AccountLocked => S::TOO_MANY_REQUESTS,
            AppError::Forbidden
            | AppError::NotAllowedTo(_)
            | AppError::CrossSite
            | AppError::SignInMethodUnavailable => S::FORBIDDEN,
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

    /// The sentence to show, in the language of the page or request being answered. (`Display`
    /// stays English: it is what the logs say.)
    pub fn message(&self) -> String {
        self.message_in(crate::language::locale())
    }

    pub fn message_in(&self, locale: Locale) -> String {
        match self {
            AppError::NotSignedIn => td_string!(locale, errors.not_signed_in).into(),
            AppError::SessionExpired => td_string!(locale, errors.session_expired).into(),
            AppError::InvalidCredentials => td_string!(locale, errors.invalid_credentials).into(),
            AppError::TooManyRequests => td_string!(locale, errors.too_many_requests).into(),
            AppError::AccountLocked => td_string!(locale, errors.account_locked).into(),
            AppError::SignInMethodUnavailable => td_string!(locale, errors.sign_in_method_unavailable).into(),
            AppError::SingleSignOnIncomplete => td_string!(locale, errors.single_sign_on_incomplete).into(),
            AppError::Forbidden => td_string!(locale, errors.forbidden).into(),
            AppError::NotAllowedTo(what) => td_string!(locale, errors.not_allowed_to, what).to_string(),
            AppError::NotFound => td_string!(locale, errors.not_found).into(),
            AppError::Conflict => td_string!(locale, errors.conflict).into(),
            // Made in the request's language where they were found.
            AppError::Invalid(message) | AppError::InvalidField { message, .. } => message.clone(),
            AppError::CrossSite => td_string!(locale, errors.cross_site).into(),
            AppError::UpstreamUnavailable => td_string!(locale, errors.upstream_unavailable).into(),
            AppError::StillSettingUp(what) => td_string!(locale, errors.still_setting_up, what).to_string(),
            AppError::UpstreamTimeout => td_string!(locale, errors.upstream_timeout).into(),
            AppError::TemporarilyUnavailable => td_string!(locale, errors.temporarily_unavailable).into(),
            AppError::ActivityLogUnavailable => td_string!(locale, errors.activity_log_unavailable).into(),
            AppError::Internal => td_string!(locale, errors.internal).into(),
        }
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

/// In the browser an error is only ever "the call failed": the islands show nothing of it (a
/// form's errors come with its server-rendered page), so the WASM skips the decoder of every
/// variant (about 8 KB of code) and reads any error body as `Internal`. The wire shape is the
/// same for everyone; the server and the tests decode it whole.
#[cfg(feature = "hydrate")]
impl<'de> Deserialize<'de> for AppError {
    fn deserialize<D: serde::Deserializer<'de>>(body: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(body)?;
        Ok(AppError::Internal)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The browser could not reach us at all.
            ServerFnErrorErr::Request(_) => AppError::UpstreamUnavailable,
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) | ServerFnErrorErr::Deserialization(_) => {
                AppError::Invalid(td_string!(crate::language::locale(), errors.form_unreadable).into())
            }
            _ => AppError::Internal,
        }
    }
}

/// The sentences the server's own handlers say outside pages, in the request's language.
pub mod sentences {
    use crate::i18n::td_string;
    use crate::language::locale;

    pub fn enter_credentials() -> String {
        td_string!(locale(), errors.enter_credentials).into()
    }
    pub fn foreign_host() -> String {
        td_string!(locale(), errors.foreign_host).into()
    }
    pub fn use_the_page() -> String {
        td_string!(locale(), errors.use_the_page).into()
    }
    pub fn form_unreadable() -> String {
        td_string!(locale(), errors.form_unreadable).into()
    }
    pub fn unavailable_title() -> &'static str {
        td_string!(locale(), errors.unavailable_title)
    }
    pub fn try_again() -> &'static str {
        td_string!(locale(), errors.try_again)
    }
    pub fn signed_in() -> &'static str {
        td_string!(locale(), auth.signed_in)
    }
    pub fn continue_on() -> &'static str {
        td_string!(locale(), auth.continue_on)
    }
}

/// A refusal of ks-types (which says it in English, for logs), in the person's language.
pub trait Refusal {
    fn sentence(&self) -> String;
}

impl Refusal for ks_types::NameError {
    fn sentence(&self) -> String {
        name_error(self)
    }
}

impl Refusal for ks_types::RoleError {
    fn sentence(&self) -> String {
        role_error(self)
    }
}

/// `parse(raw)`, or what is wrong with it, to be shown next to form field `field`.
pub fn parse_field<T, E: Refusal>(
    field: &str,
    raw: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, AppError> {
    parse(raw).map_err(|e| AppError::field(field, e.sentence()))
}

/// Why a name or address was refused (ks-types says it in English, for logs), in the person's language.
pub fn name_error(err: &ks_types::NameError) -> String {
    name_error_in(crate::language::locale(), err)
}

/// [`name_error`] in a given language.
pub fn name_error_in(locale: crate::language::Locale, err: &ks_types::NameError) -> String {
    use ks_types::NameError as N;
    let thing = |what: &str| -> &'static str {
        match what {
            "username" => td_string!(locale, errors.thing_username),
            "workspace name" => td_string!(locale, errors.thing_workspace_name),
            "project name" => td_string!(locale, errors.thing_project_name),
            "cluster" | "cluster name" => td_string!(locale, errors.thing_cluster_name),
            "e-mail address" => td_string!(locale, errors.thing_email),
            "display name" => td_string!(locale, errors.thing_display_name),
            _ => td_string!(locale, errors.thing_name),
        }
    };
    match err {
        N::Empty(what) => td_string!(locale, errors.name_empty, thing = thing(what)).to_string(),
        N::TooLong { what, max } => td_string!(locale, errors.name_too_long, thing = thing(what), max).to_string(),
        N::Characters { extra: "" } => td_string!(locale, errors.name_characters).into(),
        N::Characters { .. } => td_string!(locale, errors.name_characters_or_dots).into(),
        N::MustStartWithLetter => td_string!(locale, errors.name_must_start_with_letter).into(),
        N::Reserved(name) => td_string!(locale, errors.name_reserved, name).to_string(),
        N::Email => td_string!(locale, errors.email_invalid).into(),
        N::ControlCharacters(what) => {
            td_string!(locale, errors.name_control_characters, thing = thing(what)).to_string()
        }
    }
}

/// A role that is not one of KubeSphere's built-ins, in the person's language.
pub fn role_error(err: &ks_types::RoleError) -> String {
    td_string!(crate::language::locale(), errors.role_not_built_in, role = err.0.as_str()).to_string()
}

/// Why a password was refused (ks-types' sentences are English), in the person's language.
pub fn password_error(err: &str) -> String {
    let locale = crate::language::locale();
    if err.contains("line break") {
        td_string!(locale, errors.password_line_break).into()
    } else if err.contains("$2a$") {
        td_string!(locale, errors.password_bcrypt).into()
    } else {
        td_string!(locale, errors.password_rule).into()
    }
}

/// The JSON body of every error the console answers (server functions, the sign-in, the
/// guards): the error (`code`, and `detail` where it has one), its sentence, and the request id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    #[serde(flatten)]
    pub error: AppError,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub request_id: Option<String>,
}

impl ErrorBody {
    /// The request id is included for failures on our side or upstream (5xx), so a person can
    /// quote it; other answers stay identical from one request to the next.
    pub fn new(err: &AppError, request_id: Option<String>) -> Self {
        let request_id = request_id.filter(|_| err.status().is_server_error());
        Self { error: err.clone(), message: err.message(), request_id }
    }
}

#[cfg(feature = "ssr")]
impl From<&ks_client::KsError> for AppError {
    fn from(err: &ks_client::KsError) -> Self {
        use ks_client::KsError as K;
        match err {
            K::Invalid { .. } => {
                AppError::Invalid(td_string!(crate::language::locale(), errors.upstream_invalid).into())
            }
            K::Unauthenticated { .. } => AppError::SessionExpired,
            K::Forbidden { .. } => AppError::Forbidden,
            K::NotFound { .. } => AppError::NotFound,
            K::Conflict { .. } => AppError::Conflict,
            K::TooManyRequests { .. } => AppError::TooManyRequests,
            K::Unavailable { .. } | K::Cluster { .. } => AppError::UpstreamUnavailable,
            K::Timeout => AppError::UpstreamTimeout,
        }
    }
}

#[cfg(test)]
mod tests;
