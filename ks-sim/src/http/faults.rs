//! Fault injection: make matching requests fail, hang or lose their connection.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// What a fault does to a matching request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FaultAction {
    /// Answer with `status` and `body` (sent as JSON if it parses as JSON, else as text).
    Respond {
        status: u16,
        #[serde(default)]
        body: String,
    },
    /// Wait, then serve the request normally.
    Delay { delay_ms: u64 },
    /// Close the connection without answering (`drop` must be true).
    Drop {
        #[serde(rename = "drop")]
        drop_connection: bool,
    },
}

/// A fault for requests whose path starts with `path_prefix` (and whose method is `method`,
/// when given), applied `times` times (unlimited when `None`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fault {
    pub path_prefix: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    pub action: FaultAction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
}

impl Fault {
    /// Answer with `status` (and `body`, default empty).
    pub fn status(path_prefix: impl Into<String>, status: u16, body: Option<String>) -> Self {
        Self::new(path_prefix, FaultAction::Respond { status, body: body.unwrap_or_default() })
    }

    /// Hold the request for `delay`, then serve it.
    pub fn delay(path_prefix: impl Into<String>, delay: Duration) -> Self {
        let delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        Self::new(path_prefix, FaultAction::Delay { delay_ms })
    }

    /// Close the connection without a response.
    pub fn drop_connection(path_prefix: impl Into<String>) -> Self {
        Self::new(path_prefix, FaultAction::Drop { drop_connection: true })
    }

    /// Same as [`Fault::drop_connection`].
    pub fn drop(path_prefix: impl Into<String>) -> Self {
        Self::drop_connection(path_prefix)
    }

    /// Any action.
    pub fn new(path_prefix: impl Into<String>, action: FaultAction) -> Self {
        Fault { path_prefix: path_prefix.into(), method: None, action, times: None }
    }

    /// Only for this HTTP method.
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.method = Some(method.into());
        self
    }

    /// Only the next `n` matching requests.
    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        path.starts_with(&self.path_prefix) && self.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method))
    }
}

/// Active faults, first match wins.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    active: Vec<Fault>,
}

impl Faults {
    pub fn add(&mut self, fault: Fault) {
        if fault.times != Some(0) {
            self.active.push(fault);
        }
    }

    pub fn clear(&mut self) {
        self.active.clear();
    }

    pub fn list(&self) -> Vec<Fault> {
        self.active.clone()
    }

    /// The action for this request, using up one of the fault's `times`.
    pub fn take(&mut self, method: &str, path: &str) -> Option<FaultAction> {
        let index = self.active.iter().position(|f| f.matches(method, path))?;
        let fault = &mut self.active[index];
        let action = fault.action.clone();
        if let Some(times) = fault.times.as_mut() {
            *times = times.saturating_sub(1);
            if *times == 0 {
                self.active.remove(index);
            }
        }
        Some(action)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_wire_shapes_parse() {
        let f: Fault = serde_json::from_str(
            r#"{"path_prefix":"/oauth/token","method":"POST","action":{"status":503,"body":"x"},"times":2}"#,
        )
        .unwrap();
        assert_eq!(f, Fault::status("/oauth/token", 503, Some("x".into())).method("POST").times(2));
        let f: Fault = serde_json::from_str(r#"{"path_prefix":"/","action":{"delay_ms":3000}}"#).unwrap();
        assert_eq!(f.action, FaultAction::Delay { delay_ms: 3000 });
        let f: Fault = serde_json::from_str(r#"{"path_prefix":"/","action":{"drop":true}}"#).unwrap();
        assert_eq!(f, Fault::drop_connection("/"));
    }

    #[test]
    fn limited_faults_wear_off() {
        let mut faults = Faults::default();
        faults.add(Fault::status("/a", 500, None).times(1));
        assert!(faults.take("GET", "/b").is_none());
        assert!(faults.take("GET", "/a/x").is_some());
        assert!(faults.take("GET", "/a/x").is_none());
    }
}
