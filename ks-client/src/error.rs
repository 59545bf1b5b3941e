//! Upstream failures, sorted into the few kinds a person can act on. The upstream body is kept
//! in `detail` for the logs only; nothing here is meant to be shown verbatim to a user.

use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum KsError {
    #[error("KubeSphere rejected the request ({status}): {detail}")]
    Invalid { status: u16, detail: String },
    #[error("KubeSphere did not accept the token: {detail}")]
    Unauthenticated { detail: String },
    #[error("KubeSphere refused the request: {detail}")]
    Forbidden { detail: String },
    #[error("not found in KubeSphere: {detail}")]
    NotFound { detail: String },
    #[error("conflict in KubeSphere: {detail}")]
    Conflict { detail: String },
    #[error("KubeSphere is rate limiting")]
    TooManyRequests { retry_after: Option<Duration> },
    #[error("KubeSphere is unavailable: {detail}")]
    Unavailable { detail: String },
    #[error("KubeSphere did not answer in time")]
    Timeout,
}

impl KsError {
    /// KubeSphere's own words, for logs and for telling apart answers of the same status
    /// (e.g. a 403 from the e-mail webhook). Never shown to users.
    pub fn detail(&self) -> &str {
        match self {
            KsError::Invalid { detail, .. }
            | KsError::Unauthenticated { detail }
            | KsError::Forbidden { detail }
            | KsError::NotFound { detail }
            | KsError::Conflict { detail }
            | KsError::Unavailable { detail } => detail,
            KsError::TooManyRequests { .. } | KsError::Timeout => "",
        }
    }

    /// Sorts a non-success upstream status into a kind. 5xx and anything unexpected count as
    /// "unavailable": the user can only wait or retry.
    pub(crate) fn from_status(status: u16, detail: String, retry_after: Option<Duration>) -> Self {
        match status {
            400 | 405 | 415 | 422 => KsError::Invalid { status, detail },
            401 => KsError::Unauthenticated { detail },
            403 => KsError::Forbidden { detail },
            404 => KsError::NotFound { detail },
            409 => KsError::Conflict { detail },
            429 => KsError::TooManyRequests { retry_after },
            _ => KsError::Unavailable { detail: format!("status {status}: {detail}") },
        }
    }

    pub(crate) fn from_transport(err: &reqwest::Error) -> Self {
        if err.is_timeout() {
            KsError::Timeout
        } else {
            KsError::Unavailable { detail: err.to_string() }
        }
    }

    /// Failures that say the upstream itself is unwell (they count towards the circuit breaker).
    pub(crate) fn is_upstream_failure(&self) -> bool {
        matches!(self, KsError::Unavailable { .. } | KsError::Timeout)
    }
}

/// Why a password login failed. Wrong password, unknown user and suspended account are one
/// variant on purpose: telling them apart would let anyone probe which accounts exist.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("too many login attempts")]
    RateLimited { retry_after: Option<Duration> },
    #[error(transparent)]
    Upstream(KsError),
}

/// Why a refresh grant failed.
#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    /// KubeSphere no longer honours the refresh token: the user must log in again.
    #[error("refresh token rejected")]
    Rejected,
    #[error(transparent)]
    Upstream(KsError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_the_kind_a_person_can_act_on() {
        let kind = |s| KsError::from_status(s, String::new(), None);
        assert!(matches!(kind(400), KsError::Invalid { status: 400, .. }));
        assert!(matches!(kind(422), KsError::Invalid { .. }));
        assert!(matches!(kind(401), KsError::Unauthenticated { .. }));
        assert!(matches!(kind(403), KsError::Forbidden { .. }));
        assert!(matches!(kind(404), KsError::NotFound { .. }));
        assert!(matches!(kind(409), KsError::Conflict { .. }));
        assert!(matches!(kind(429), KsError::TooManyRequests { .. }));
        for s in [500, 502, 503, 504, 511] {
            assert!(kind(s).is_upstream_failure(), "{s}");
        }
        assert!(!kind(404).is_upstream_failure());
    }
}
