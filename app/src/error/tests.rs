#![allow(clippy::unwrap_used)]
use super::*;

#[test]
fn every_code_round_trips_and_has_a_sentence() {
    let codes: std::collections::BTreeSet<&str> = AppError::WITHOUT_DETAIL.iter().map(AppError::code).collect();
    assert_eq!(codes.len(), AppError::WITHOUT_DETAIL.len(), "every code is its error's own");
    for e in AppError::WITHOUT_DETAIL {
        assert_eq!(AppError::from_code(e.code()), Some(e.clone()));
        assert!(e.message().ends_with('.'), "{e:?} needs a full sentence");
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(serde_json::from_str::<AppError>(&json).unwrap(), e);
    }
    // An error with a payload is never made from a URL's code alone.
    for e in [AppError::NotAllowedTo("x".into()), AppError::Invalid("x".into()), AppError::field("f", "x")] {
        assert_eq!(AppError::from_code(e.code()), None, "{e:?}");
    }
}

#[test]
fn every_error_has_one_body_that_reads_back_whole() {
    for e in [AppError::field("usernames", "Who?"), AppError::Forbidden, AppError::StillSettingUp("x".into())] {
        let body = ErrorBody::new(&e, Some("req-1".into()));
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json["code"], e.code(), "{json}");
        assert_eq!(json["message"], e.message(), "{json}");
        assert_eq!(json.get("request_id").is_some(), e.status().is_server_error(), "{json}");
        assert_eq!(serde_json::from_value::<ErrorBody>(json).unwrap(), body);
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
