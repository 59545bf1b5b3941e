//! What is read from an upstream answer besides its JSON: `Retry-After`, and the body of a
//! refusal, bounded and redacted for the logs.

use std::time::Duration;

/// Upstream bodies are logged, never shown; this bounds what a log line can carry.
const MAX_LOGGED_BODY: usize = 2048;

/// `Retry-After` in seconds, when the answer has one.
pub(crate) fn retry_after(res: &reqwest::Response) -> Option<Duration> {
    res.headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// The upstream body, for the logs and for telling refusals apart: bounded, and with every
/// value Kubernetes echoes back (`Invalid value: "…"`, which may be a submitted password)
/// redacted before it can reach a log line.
pub(crate) async fn read_body(res: reqwest::Response) -> String {
    let mut text = redact_echoed_values(&res.text().await.unwrap_or_default());
    if text.len() > MAX_LOGGED_BODY {
        let mut cut = MAX_LOGGED_BODY;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    text.trim_end().to_owned()
}

/// Replaces each quoted value after `Invalid value: ` with `"[redacted]"` (escapes inside the
/// quotes are honoured, so a value cannot end the redaction early).
fn redact_echoed_values(body: &str) -> String {
    const MARK: &str = "Invalid value: \"";
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(at) = rest.find(MARK) {
        out.push_str(&rest[..at + MARK.len()]);
        out.push_str("[redacted]\"");
        let value = &rest[at + MARK.len()..];
        let mut escaped = false;
        let end = value
            .char_indices()
            .find(|&(_, c)| {
                let closes = c == '"' && !escaped;
                escaped = c == '\\' && !escaped;
                closes
            })
            .map_or(value.len(), |(i, _)| i + 1);
        rest = &value[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::redact_echoed_values;

    #[test]
    fn echoed_values_never_reach_the_logs() {
        let body = r#"User.iam.kubesphere.io "zed" is invalid: spec.password: Invalid value: "Sec\"ret\nPass1": spec.password in body should match '^x$'"#;
        let redacted = redact_echoed_values(body);
        assert!(!redacted.contains("Sec") && !redacted.contains("Pass1"), "{redacted}");
        assert!(
            redacted.ends_with(r#"Invalid value: "[redacted]": spec.password in body should match '^x$'"#),
            "{redacted}"
        );
        assert_eq!(redact_echoed_values("member alice not exist"), "member alice not exist");
    }
}
