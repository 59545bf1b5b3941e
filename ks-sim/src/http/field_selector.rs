//! Kubernetes' `fields.ParseSelector` (`k8s.io/apimachinery/pkg/fields/selector.go`), which
//! KubeSphere's v1beta1 lists use for `fieldSelector`: terms split on unescaped commas, each
//! `field=value`, `field==value` or `field!=value`, with `\\`, `\,` and `\=` escaped in values.
//! Anything else (an unknown escape, an unescaped `,` or `=` in a value, a term without an
//! operator) makes the whole selector invalid.

/// One requirement of a field selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Term {
    pub field: String,
    pub value: String,
    pub negated: bool,
}

/// The terms of `selector`, or `None` when Kubernetes would refuse to parse it.
pub(crate) fn parse(selector: &str) -> Option<Vec<Term>> {
    split_terms(selector)
        .into_iter()
        .filter(|t| !t.is_empty())
        .map(|term| {
            let (field, op, raw) = split_term(&term)?;
            Some(Term { field: field.to_owned(), value: unescape_value(raw)?, negated: op == "!=" })
        })
        .collect()
}

/// `(field, value, negated)` for each term of `selector`, or `None` where Kubernetes would refuse
/// it: what the real API server makes of a selector the console sends (used by the fuzz checks).
pub fn terms(selector: &str) -> Option<Vec<(String, String, bool)>> {
    Some(parse(selector)?.into_iter().map(|t| (t.field, t.value, t.negated)).collect())
}

/// Splits on commas that are not escaped; escapes stay in the terms.
fn split_terms(selector: &str) -> Vec<String> {
    let mut terms = Vec::new();
    let mut current = String::new();
    let mut escaped = false;
    for c in selector.chars() {
        if escaped {
            current.push(c);
            escaped = false;
        } else if c == '\\' {
            current.push(c);
            escaped = true;
        } else if c == ',' {
            terms.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    terms.push(current);
    terms
}

/// The first unescaped operator, trying `!=`, `==` then `=` at each position.
fn split_term(term: &str) -> Option<(&str, &'static str, &str)> {
    let mut escaped = false;
    for (i, c) in term.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        if c == '\\' {
            escaped = true;
            continue;
        }
        for op in ["!=", "==", "="] {
            if term[i..].starts_with(op) {
                return Some((&term[..i], op, &term[i + op.len()..]));
            }
        }
    }
    None
}

fn unescape_value(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next()? {
                e @ ('\\' | ',' | '=') => out.push(e),
                _ => return None,
            },
            ',' | '=' => return None,
            other => out.push(other),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(field: &str, value: &str, negated: bool) -> Term {
        Term { field: field.into(), value: value.into(), negated }
    }

    #[test]
    fn terms_split_on_unescaped_commas_only() {
        assert_eq!(
            parse("spec.email=~a@b.c,status.state!=Active"),
            Some(vec![term("spec.email", "~a@b.c", false), term("status.state", "Active", true)])
        );
        assert_eq!(parse(r"spec.email=~a\=b\,c@d.e"), Some(vec![term("spec.email", "~a=b,c@d.e", false)]));
        assert_eq!(parse("a==b"), Some(vec![term("a", "b", false)]));
        assert_eq!(parse(""), Some(vec![]));
    }

    #[test]
    fn what_kubernetes_refuses_is_refused() {
        for bad in ["spec.email", r"a=b\x", "a=b=c", r"a=b\"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
