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
    /// KubeSphere's cluster dispatch answered for one cluster: unknown (400) or not ready (503),
    /// in its `{"ErrStatus": …}` wrapper. That cluster's trouble, not KubeSphere's: it never
    /// opens the shared circuit breaker and is not retried.
    #[error("KubeSphere cannot reach that cluster ({status}): {detail}")]
    Cluster { status: u16, detail: String },
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
            | KsError::Unavailable { detail }
            | KsError::Cluster { detail, .. } => detail,
            KsError::TooManyRequests { .. } | KsError::Timeout => "",
        }
    }

    /// Sorts a non-success upstream status into a kind. Any other 4xx (e.g. 414 or 431 for an
    /// over-long request) is the request's fault, never the upstream's: it must not open the
    /// shared circuit breaker for everyone. 5xx and anything unexpected count as "unavailable":
    /// the user can only wait or retry.
    pub(crate) fn from_status(status: u16, detail: String, retry_after: Option<Duration>) -> Self {
        if matches!(status, 400 | 503) && is_cluster_dispatch(&detail) {
            return KsError::Cluster { status, detail };
        }
        match status {
            401 => KsError::Unauthenticated { detail },
            403 => KsError::Forbidden { detail },
            404 => KsError::NotFound { detail },
            409 => KsError::Conflict { detail },
            429 => KsError::TooManyRequests { retry_after },
            400..=499 => KsError::Invalid { status, detail },
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

/// Whether a body is the cluster dispatch filter's mis-wrapped Status (`shared/kubesphere-api.md`
/// §1.6 C): only that filter wraps a Status in `ErrStatus`.
fn is_cluster_dispatch(detail: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(detail)
        .ok()
        .and_then(|v| v.get("ErrStatus").and_then(|s| s.get("code")).and_then(serde_json::Value::as_u64))
        .is_some_and(|code| code == 400 || code == 503)
}

/// What a KubeSphere refusal means, read in this one place from the body's structure (the
/// Status JSON `reason`/`details` of filter errors, the fixed texts of its handlers and
/// webhooks), so that callers explain errors from a key and never search message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// The authorization filter refused: the caller's roles do not allow this at all.
    RbacDenied,
    /// A workspace placement names a cluster the caller may not use.
    ClusterNotUsable,
    /// Only platform-wide workspace managers may create workspaces managed by someone else.
    ManagerMustBeSelf,
    /// The users webhook: another user has this e-mail address.
    EmailTaken,
    /// The users webhook: not an e-mail address.
    EmailInvalid,
    /// An object of that name exists already.
    AlreadyExists,
    /// The named role does not exist (in that workspace or project).
    RoleNotFound,
    /// The named user does not exist.
    UserNotFound,
    /// The named cluster does not exist.
    ClusterNotFound,
    /// A request under `/clusters/{c}` named a cluster KubeSphere does not know (400).
    UnknownCluster,
    /// A request under `/clusters/{c}` reached a cluster that is not ready (503).
    ClusterNotReady,
    /// A member update for someone who is not a member.
    NotAMember,
    /// 409: the object changed since it was read (stale `resourceVersion`).
    Modified,
    /// A binding's label value would be too long (KubeSphere 4.1.2 with long workspace names).
    LabelTooLong,
    /// Anything else.
    Other,
}

impl KsError {
    /// The [`Cause`] of this refusal.
    pub fn cause(&self) -> Cause {
        let detail = self.detail();
        let status_reason = serde_json::from_str::<serde_json::Value>(detail)
            .ok()
            .filter(|v| v.get("kind").and_then(|k| k.as_str()) == Some("Status"))
            .and_then(|v| v.get("reason").and_then(|r| r.as_str()).map(str::to_owned));
        // Handler texts start with the qualified resource: `users.iam.kubesphere.io "bob" not found`.
        let resource = detail.split_whitespace().next().unwrap_or_default();
        match self {
            KsError::Cluster { status: 503, .. } => Cause::ClusterNotReady,
            KsError::Cluster { .. } => Cause::UnknownCluster,
            KsError::Forbidden { .. } if status_reason.as_deref() == Some("Forbidden") => Cause::RbacDenied,
            KsError::Forbidden { .. } if detail.contains("user is not allowed to use the cluster") => {
                Cause::ClusterNotUsable
            }
            KsError::Forbidden { .. } if resource == "workspacetemplates.tenant.kubesphere.io" => {
                Cause::ManagerMustBeSelf
            }
            KsError::Forbidden { .. } if detail.contains("admission webhook \"users.iam.kubesphere.io\"") => {
                if detail.contains("already exists") {
                    Cause::EmailTaken
                } else {
                    Cause::EmailInvalid
                }
            }
            KsError::NotFound { .. } => match resource {
                "workspaceroles.iam.kubesphere.io"
                | "workspacerole.iam.kubesphere.io"
                | "roles.iam.kubesphere.io"
                | "globalroles.iam.kubesphere.io" => Cause::RoleNotFound,
                "users.iam.kubesphere.io" => Cause::UserNotFound,
                "clusters.cluster.kubesphere.io" => Cause::ClusterNotFound,
                _ => Cause::Other,
            },
            KsError::Invalid { status: 400, .. } if detail.starts_with("member ") && detail.ends_with(" not exist") => {
                Cause::NotAMember
            }
            KsError::Invalid { status: 422, .. } if detail.contains("metadata.labels: Invalid value") => {
                Cause::LabelTooLong
            }
            KsError::Invalid { .. } | KsError::Conflict { .. } if detail.ends_with("already exists") => {
                Cause::AlreadyExists
            }
            KsError::Conflict { .. } if detail.contains("the object has been modified") => Cause::Modified,
            _ => Cause::Other,
        }
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
    /// The chosen identity provider cannot sign this person in (unknown, disabled, unreachable,
    /// or its mapping refuses them).
    #[error("sign-in method not available")]
    MethodUnavailable,
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
        for s in [404, 408, 413, 414, 431] {
            assert!(!kind(s).is_upstream_failure(), "{s}: the caller's fault, not KubeSphere's");
        }
    }

    #[test]
    fn causes_are_read_from_kubesphere_bodies() {
        let cause = |s: u16, body: &str| KsError::from_status(s, body.to_owned(), None).cause();
        let rbac = r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"workspacetemplates.tenant.kubesphere.io is forbidden: User \"bob\" cannot create resource \"workspacetemplates\" in API group \"tenant.kubesphere.io\" at the cluster scope","reason":"Forbidden","details":{"group":"tenant.kubesphere.io","kind":"workspacetemplates"},"code":403}"#;
        assert_eq!(cause(403, rbac), Cause::RbacDenied, "'cluster scope' is RBAC's scope, not a cluster");
        assert_eq!(
            cause(403, r#"clusters.cluster.kubesphere.io "c" is forbidden: user is not allowed to use the cluster c"#),
            Cause::ClusterNotUsable
        );
        assert_eq!(
            cause(403, r#"workspacetemplates.tenant.kubesphere.io "ws" is forbidden: "#),
            Cause::ManagerMustBeSelf
        );
        assert_eq!(
            cause(
                403,
                r#"admission webhook "users.iam.kubesphere.io" denied the request: user email: a@b.c already exists"#
            ),
            Cause::EmailTaken
        );
        assert_eq!(cause(404, r#"workspaceroles.iam.kubesphere.io "demo-x" not found"#), Cause::RoleNotFound);
        assert_eq!(cause(404, r#"users.iam.kubesphere.io "bob" not found"#), Cause::UserNotFound);
        assert_eq!(cause(400, "member alice not exist"), Cause::NotAMember);
        assert_eq!(cause(400, r#"namespaces "p1" already exists"#), Cause::AlreadyExists);
        assert_eq!(
            cause(
                409,
                r#"Operation cannot be fulfilled on users.iam.kubesphere.io "u": the object has been modified; please apply your changes to the latest version and try again"#
            ),
            Cause::Modified
        );
        assert_eq!(cause(404, "404: Page Not Found"), Cause::Other);
    }

    #[test]
    fn an_unknown_or_unready_cluster_is_that_clusters_trouble_not_kubesphere_s() {
        let unready = r#"{"ErrStatus":{"metadata":{},"status":"Failure","message":"cluster member-2 is not ready","reason":"ServiceUnavailable","code":503}}"#;
        let unknown = r#"{"ErrStatus":{"metadata":{},"status":"Failure","message":"cluster c not exists","reason":"BadRequest","code":400}}"#;
        let (unready, unknown) =
            (KsError::from_status(503, unready.into(), None), KsError::from_status(400, unknown.into(), None));
        assert_eq!(unready.cause(), Cause::ClusterNotReady);
        assert_eq!(unknown.cause(), Cause::UnknownCluster);
        assert!(!unready.is_upstream_failure() && !unknown.is_upstream_failure(), "never opens the breaker");
        assert!(KsError::from_status(503, "upstream connect error".into(), None).is_upstream_failure());
    }
}
