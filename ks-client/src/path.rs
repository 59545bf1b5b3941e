//! Upstream paths, built from percent-encoded segments so a name can never change the path.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Everything but unreserved characters is encoded, so `/`, `..`, `?` and `#` stay inside a segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// A path under the ks-apiserver root, with an optional query string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiPath {
    path: String,
    query: Vec<(String, String)>,
    /// The path with every outside value replaced by `{name}`: what metrics are labelled with.
    template: String,
    /// A segment was `.` or `..`: however it is encoded, URL parsers turn it back into a step
    /// up the path, so such a path is never sent.
    dot_segment: bool,
}

impl ApiPath {
    /// Starts from a fixed prefix written in code (e.g. `/kapis/iam.kubesphere.io/v1beta1`).
    pub fn fixed(prefix: &'static str) -> Self {
        let path = prefix.trim_end_matches('/').to_owned();
        Self { template: path.clone(), path, query: Vec::new(), dot_segment: false }
    }

    /// Appends a literal segment written in code (e.g. `users`).
    pub fn lit(mut self, segment: &'static str) -> Self {
        for s in [&mut self.path, &mut self.template] {
            s.push('/');
            s.push_str(segment);
        }
        self
    }

    /// Appends a value that came from outside (a user or workspace name), percent-encoded.
    /// `.` and `..` make the whole path unsendable (see [`ApiPath::is_sendable`]).
    pub fn seg(mut self, value: &str) -> Self {
        self.dot_segment |= matches!(value, "." | "..");
        self.template.push_str("/{name}");
        self.path.push('/');
        self.path.extend(utf8_percent_encode(value, SEGMENT));
        self
    }

    /// False when a segment from outside was `.` or `..`: the client refuses to send it.
    pub fn is_sendable(&self) -> bool {
        !self.dot_segment
    }

    pub fn query(mut self, key: &str, value: impl Into<String>) -> Self {
        self.query.push((key.to_owned(), value.into()));
        self
    }

    pub fn as_path(&self) -> &str {
        &self.path
    }

    /// The path without its outside values, e.g. `/kapis/iam.kubesphere.io/v1beta1/users/{name}`.
    pub fn template(&self) -> &str {
        &self.template
    }

    pub(crate) fn query_pairs(&self) -> &[(String, String)] {
        &self.query
    }
}

impl std::fmt::Display for ApiPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.path)?;
        if !self.query.is_empty() {
            let q = self
                .query
                .iter()
                .map(|(k, v)| format!("{}={}", utf8_percent_encode(k, SEGMENT), utf8_percent_encode(v, SEGMENT)))
                .collect::<Vec<_>>()
                .join("&");
            write!(f, "?{q}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn outside_values_cannot_escape_their_segment() {
        let p = ApiPath::fixed("/kapis/iam.kubesphere.io/v1beta1").lit("users").seg("../admin");
        assert_eq!(p.as_path(), "/kapis/iam.kubesphere.io/v1beta1/users/..%2Fadmin");
        let p = ApiPath::fixed("/x").seg("a?b#c d").seg("..x");
        assert_eq!(p.as_path(), "/x/a%3Fb%23c%20d/..x");
        assert_eq!(p.template(), "/x/{name}/{name}", "no outside value reaches a metric label");
        assert!(p.is_sendable());
        for dots in [".", ".."] {
            assert!(!ApiPath::fixed("/x").seg(dots).seg("y").is_sendable(), "{dots}");
        }
    }

    proptest::proptest! {
        /// What reqwest actually sends: the URL it parses from the path has exactly the
        /// segments given, each decoded back to the value, whatever the value holds.
        #[test]
        fn every_outside_value_arrives_as_exactly_one_segment(values in proptest::collection::vec(proptest::prop_oneof![".{0,12}", "[./%2eE]{1,4}"], 1..4)) {
            let path = values.iter().fold(ApiPath::fixed("/kapis/iam.kubesphere.io/v1beta1").lit("users"), |p, v| p.seg(v));
            let dots = values.iter().any(|v| v == "." || v == "..");
            proptest::prop_assert_eq!(path.is_sendable(), !dots);
            if !dots {
                let url = reqwest::Url::parse(&format!("http://ks.example{}", path.as_path())).unwrap();
                let sent: Vec<String> = url
                    .path_segments()
                    .unwrap()
                    .map(|s| percent_encoding::percent_decode_str(s).decode_utf8().unwrap().into_owned())
                    .collect();
                let mut expected = vec!["kapis".to_owned(), "iam.kubesphere.io".into(), "v1beta1".into(), "users".into()];
                expected.extend(values.iter().cloned());
                proptest::prop_assert_eq!(sent, expected);
            }
        }
    }

    #[test]
    fn query_values_are_encoded() {
        let p = ApiPath::fixed("/u").query("fieldSelector", "spec.email=a+b@c.d");
        assert_eq!(p.to_string(), "/u?fieldSelector=spec.email%3Da%2Bb%40c.d");
    }
}
