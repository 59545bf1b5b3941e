//! The request journal: what reached the simulator, with secrets redacted, so tests can assert
//! on upstream traffic (who called what, with which token owner, how it was answered).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Body fields whose values never reach the journal.
/// (`code`: an authorization code is a bearer credential until it is exchanged, §12.6.)
const SECRET_FIELDS: &[&str] =
    &["password", "currentPassword", "client_secret", "refresh_token", "access_token", "id_token", "code"];
const REDACTED: &str = "***";

/// One request to a non-`/_sim` path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// 1, 2, 3… in arrival order (keeps counting across resets).
    pub seq: u64,
    pub method: String,
    /// The path as sent (cluster prefix included), without the query.
    pub path: String,
    pub query: Option<String>,
    /// The authenticated caller; `None` when anonymous or when authentication failed.
    pub user: Option<String>,
    pub authorization_present: bool,
    /// Whose bearer token it was (if the token is one of ours, even revoked or expired).
    pub bearer_token_owner: Option<String>,
    /// JSON or form body (as an object), secrets replaced by `"***"`; other text as a string.
    pub body: Option<Value>,
    /// Response status; 0 while the request is in flight, or when a fault dropped the connection.
    pub status: u16,
    /// Incoming `x-request-id`.
    pub request_id: Option<String>,
    /// Incoming `x-client-ip`.
    pub x_client_ip: Option<String>,
    /// How many requests had been answered when this one arrived.
    #[serde(default)]
    pub answered_before: u64,
    /// This request's place in the order of answers (1, 2, 3…); 0 while in flight.
    #[serde(default)]
    pub answer_order: u64,
}

/// The longest chain of requests in `entries` where each one arrived after the one before it
/// was answered: how many sequential round trips the caller waited for. Concurrent requests
/// count once. Exact when every request takes long enough to be answered after its concurrent
/// siblings arrive (inject a delay of some tens of milliseconds).
pub fn sequential_rounds(entries: &[JournalEntry]) -> usize {
    let mut by_answer: Vec<&JournalEntry> = entries.iter().filter(|e| e.answer_order > 0).collect();
    by_answer.sort_by_key(|e| e.answer_order);
    let mut depth: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
    let mut in_arrival: Vec<&JournalEntry> = entries.iter().collect();
    in_arrival.sort_by_key(|e| e.seq);
    let mut deepest = 0;
    for e in in_arrival {
        let before = by_answer
            .iter()
            .take_while(|p| p.answer_order <= e.answered_before)
            .filter_map(|p| depth.get(&p.seq))
            .max()
            .copied()
            .unwrap_or(0);
        depth.insert(e.seq, before + 1);
        deepest = deepest.max(before + 1);
    }
    deepest
}

/// The journal's storage.
#[derive(Debug, Default)]
pub(crate) struct Journal {
    entries: Vec<JournalEntry>,
    next_seq: u64,
    answered: u64,
}

impl Journal {
    pub fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// Records a request as it arrives (so in-flight requests are visible).
    pub fn push(&mut self, entry: &mut JournalEntry) {
        entry.answered_before = self.answered;
        let entry = entry.clone();
        let at = self.entries.partition_point(|e| e.seq < entry.seq);
        self.entries.insert(at, entry);
    }

    /// Updates an entry still in flight (e.g. its caller, once known), without answering it.
    pub fn update(&mut self, entry: JournalEntry) {
        if let Some(existing) = self.entries.iter_mut().find(|e| e.seq == entry.seq) {
            *existing = entry;
        }
    }

    /// Completes an entry once the request is answered; a reset in between wins.
    pub fn complete(&mut self, mut entry: JournalEntry) {
        self.answered += 1;
        entry.answer_order = self.answered;
        if let Some(existing) = self.entries.iter_mut().find(|e| e.seq == entry.seq) {
            *existing = entry;
        }
    }

    pub fn entries(&self) -> Vec<JournalEntry> {
        self.entries.clone()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

/// Turns a request body into its journal form.
pub(crate) fn capture_body(content_type: Option<&str>, bytes: &[u8]) -> Option<Value> {
    if bytes.is_empty() {
        return None;
    }
    let mime = content_type.unwrap_or_default().split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    if mime == "application/x-www-form-urlencoded" {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes).unwrap_or_default();
        let mut object = Map::new();
        for (k, v) in pairs {
            object.entry(k).or_insert(Value::String(v));
        }
        let mut value = Value::Object(object);
        redact(&mut value);
        return Some(value);
    }
    if let Ok(mut value) = serde_json::from_slice::<Value>(bytes) {
        redact(&mut value);
        return Some(value);
    }
    // Unstructured text could hold anything: record only that there was a body.
    Some(Value::String(format!("<{} bytes of {}>", bytes.len(), if mime.is_empty() { "unknown type" } else { &mime })))
}

/// Replaces secret values, at any depth.
pub(crate) fn redact(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if SECRET_FIELDS.contains(&k.as_str()) {
                    *v = Value::String(REDACTED.to_owned());
                } else {
                    redact(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn form_and_json_secrets_are_redacted() {
        let form = capture_body(
            Some("application/x-www-form-urlencoded; charset=utf-8"),
            b"grant_type=password&username=a&password=P%4088w0rd&client_secret=s",
        )
        .unwrap();
        assert_eq!(form["password"], "***");
        assert_eq!(form["client_secret"], "***");
        assert_eq!(form["username"], "a");
        let json =
            capture_body(Some("application/json"), br#"{"spec":{"password":"x"},"list":[{"refresh_token":"t"}]}"#)
                .unwrap();
        assert_eq!(json["spec"]["password"], "***");
        assert_eq!(json["list"][0]["refresh_token"], "***");
        assert!(!capture_body(Some("text/plain"), b"password=x").unwrap().to_string().contains("password=x"));
    }
}
