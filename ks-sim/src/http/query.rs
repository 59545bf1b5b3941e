//! List query parameters (§1.5): pagination, sorting, filters and label selectors, applied to
//! objects in their JSON form so every resource can share them.

use std::cmp::Ordering;
use std::convert::Infallible;

use axum::extract::FromRequestParts;
use http::request::Parts;
use serde_json::Value;

/// Parsed list parameters. Unknown keys are kept as filters and ignored when not understood.
#[derive(Debug, Clone)]
pub(crate) struct ListQuery {
    pub limit: i64,
    pub page: i64,
    pub sort_by_name: bool,
    pub ascending: bool,
    pub label_selector: Option<String>,
    pub filters: Vec<(String, String)>,
}

/// The list parameters of the request's query string, for handlers that list (a query that
/// cannot be decoded is no parameters, as with `parse`).
impl<S: Send + Sync> FromRequestParts<S> for ListQuery {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        Ok(ListQuery::parse(parts.uri.query()))
    }
}

impl ListQuery {
    pub fn parse(raw: Option<&str>) -> Self {
        let pairs: Vec<(String, String)> = raw.and_then(|q| serde_urlencoded::from_str(q).ok()).unwrap_or_default();
        let mut query = ListQuery {
            limit: -1,
            page: 1,
            sort_by_name: false,
            ascending: false,
            label_selector: None,
            filters: Vec::new(),
        };
        for (key, value) in pairs {
            match key.as_str() {
                "limit" => query.limit = value.parse().unwrap_or(-1),
                "page" => query.page = value.parse().ok().filter(|p| *p >= 1).unwrap_or(1),
                "sortBy" => query.sort_by_name = value == "name",
                "ascending" => query.ascending = value == "true",
                "labelSelector" => query.label_selector = Some(value),
                _ => query.filters.push((key, value)),
            }
        }
        query
    }

    /// First value of a filter key.
    pub fn filter(&self, key: &str) -> Option<&str> {
        self.filters.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Filters, sorts and pages `items`; returns the page and the total after filtering.
    pub fn apply(&self, items: Vec<Value>) -> (Vec<Value>, usize) {
        let mut items: Vec<Value> = items
            .into_iter()
            .filter(|item| self.label_selector.as_deref().is_none_or(|s| label_selector_matches(s, labels(item))))
            .filter(|item| self.filters.iter().all(|(k, v)| filter_matches(item, k, v)))
            .collect();
        items.sort_by(|a, b| {
            let by_name = name(a).cmp(name(b));
            let ordering = if self.sort_by_name {
                by_name
            } else {
                // RFC 3339 UTC strings order like the times they denote.
                created(a).cmp(created(b)).then(by_name)
            };
            if self.ascending {
                ordering
            } else {
                ordering.reverse()
            }
        });
        let total = items.len();
        if self.limit < 0 {
            return (items, total);
        }
        let limit = usize::try_from(self.limit).unwrap_or(0);
        let offset = usize::try_from(self.page - 1).unwrap_or(0).saturating_mul(limit);
        (items.into_iter().skip(offset).take(limit).collect(), total)
    }
}

fn name(item: &Value) -> &str {
    item["metadata"]["name"].as_str().unwrap_or_default()
}

fn created(item: &Value) -> &str {
    item["metadata"]["creationTimestamp"].as_str().unwrap_or_default()
}

fn labels(item: &Value) -> &Value {
    &item["metadata"]["labels"]
}

fn map_get<'a>(map: &'a Value, key: &str) -> Option<&'a str> {
    map.get(key).and_then(Value::as_str)
}

/// One v1beta1 filter (`pkg/models/resources/v1beta1/interface.go`).
fn filter_matches(item: &Value, key: &str, value: &str) -> bool {
    match key {
        "name" => {
            let alias = map_get(&item["metadata"]["annotations"], "kubesphere.io/alias-name").unwrap_or_default();
            name(item).contains(value) || alias.to_lowercase().contains(&value.to_lowercase())
        }
        "names" => value.split(',').any(|n| n == name(item)),
        "uid" => item["metadata"]["uid"].as_str() == Some(value),
        "namespace" => item["metadata"]["namespace"].as_str() == Some(value),
        "label" => key_value_matches(labels(item), value),
        "annotation" => key_value_matches(&item["metadata"]["annotations"], value),
        // An unparsable selector matches nothing, as in KubeSphere (`contains` returns false).
        "fieldSelector" => super::field_selector::parse(value)
            .is_some_and(|terms| terms.iter().all(|t| field_term_matches(item, &t.field, &t.value, t.negated))),
        _ => true,
    }
}

/// `key`, `key=value` or `key!=value` against a string map.
fn key_value_matches(map: &Value, expr: &str) -> bool {
    if let Some((k, v)) = expr.split_once("!=") {
        return map_get(map, k) != Some(v);
    }
    if let Some((k, v)) = expr.split_once('=') {
        return map_get(map, k) == Some(v);
    }
    map.get(expr).is_some()
}

/// One parsed term, `a.b.c=value` (or `!=`); a value starting with `~` compares
/// case-insensitively (KubeSphere's extension).
fn field_term_matches(item: &Value, path: &str, value: &str, negate: bool) -> bool {
    let field = path.split('.').try_fold(item, |v, key| v.get(key));
    let actual = match field {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let equal = match value.strip_prefix('~') {
        Some(v) => actual.to_lowercase() == v.to_lowercase(),
        None => actual == value,
    };
    equal != negate
}

/// Kubernetes label selector: `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`,
/// terms joined by commas.
pub(crate) fn label_selector_matches(selector: &str, labels: &Value) -> bool {
    split_top_level(selector).into_iter().all(|term| {
        let term = term.trim();
        if term.is_empty() {
            return true;
        }
        if let Some(k) = term.strip_prefix('!') {
            return labels.get(k.trim()).is_none();
        }
        for (op, negate) in [(" notin ", true), (" in ", false)] {
            if let Some((k, set)) = term.split_once(op) {
                let set = set.trim().trim_start_matches('(').trim_end_matches(')');
                let found = map_get(labels, k.trim()).is_some_and(|v| set.split(',').any(|s| s.trim() == v));
                return found != negate;
            }
        }
        if let Some((k, v)) = term.split_once("!=") {
            return map_get(labels, k.trim()) != Some(v.trim());
        }
        if let Some((k, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
            return map_get(labels, k.trim()) == Some(v.trim());
        }
        labels.get(term).is_some()
    })
}

fn split_top_level(selector: &str) -> Vec<&str> {
    let mut terms = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in selector.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                terms.push(&selector[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    terms.push(&selector[start..]);
    terms
}

/// Orders by name, for lists that ignore the query.
pub(crate) fn by_name(a: &Value, b: &Value) -> Ordering {
    name(a).cmp(name(b))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn label_selectors_cover_the_basic_operators() {
        let labels = json!({"a": "1", "b": "x"});
        assert!(label_selector_matches("a=1,b", &labels));
        assert!(label_selector_matches("a in (1,2),!c", &labels));
        assert!(!label_selector_matches("b notin (x)", &labels));
        assert!(label_selector_matches("b!=y", &labels));
        assert!(!label_selector_matches("c", &labels));
    }
}
