//! Go's `net/url` and `http.Redirect` as ks-apiserver's OAuth handlers use them, so redirect
//! URLs come out byte for byte: `url.Values.Encode` (keys sorted, `QueryEscape`), `Query()`,
//! a fragment's escaping, and the 302 response with its small HTML body.

use std::collections::BTreeMap;

use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue, Method, StatusCode};

/// `url.Values`: keys sorted (as `Encode` writes them), values in order.
pub(crate) type Values = BTreeMap<String, Vec<String>>;

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

fn escape(s: &str, keep: impl Fn(u8) -> bool, space_as_plus: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if space_as_plus && b == b' ' {
            out.push('+');
        } else if keep(b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `url.QueryEscape`.
pub(crate) fn query_escape(s: &str) -> String {
    escape(s, is_unreserved, true)
}

/// `url.PathEscape` (a path segment).
pub(crate) fn path_escape(s: &str) -> String {
    escape(s, |b| is_unreserved(b) || b"$&+:=@".contains(&b), false)
}

/// `url.QueryUnescape`; `None` for a malformed `%` escape.
pub(crate) fn query_unescape(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// `url.ParseQuery` (errors dropped, as `URL.Query()` does): pairs split on `&`, a key with
/// `;` or a bad escape skipped.
pub(crate) fn parse_query(raw: &str) -> Values {
    let mut values = Values::new();
    for pair in raw.split('&').filter(|p| !p.is_empty() && !p.contains(';')) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if let (Some(k), Some(v)) = (query_unescape(k), query_unescape(v)) {
            values.entry(k).or_default().push(v);
        }
    }
    values
}

/// The first value of `key`, or empty (`Values.Get`).
pub(crate) fn get<'a>(values: &'a Values, key: &str) -> &'a str {
    values.get(key).and_then(|v| v.first()).map(String::as_str).unwrap_or_default()
}

/// `Values.Add`.
pub(crate) fn add(values: &mut Values, key: &str, value: &str) {
    values.entry(key.to_owned()).or_default().push(value.to_owned());
}

/// `url.Values.Encode`.
pub(crate) fn encode(values: &Values) -> String {
    let mut parts = Vec::new();
    for (k, vs) in values {
        for v in vs {
            parts.push(format!("{}={}", query_escape(k), query_escape(v)));
        }
    }
    parts.join("&")
}

/// A URL cut where Go's `URL.String()` puts `?` and `#`.
pub(crate) struct SplitUrl<'a> {
    pub base: &'a str,
    pub query: &'a str,
    pub fragment: Option<&'a str>,
}

pub(crate) fn split(uri: &str) -> SplitUrl<'_> {
    let (rest, fragment) = match uri.split_once('#') {
        Some((rest, f)) => (rest, Some(f)),
        None => (uri, None),
    };
    let (base, query) = rest.split_once('?').unwrap_or((rest, ""));
    SplitUrl { base, query, fragment }
}

/// `u.RawQuery = query; u.String()`.
pub(crate) fn with_query(uri: &str, query: &str) -> String {
    let parts = split(uri);
    let mut out = parts.base.to_owned();
    if !query.is_empty() {
        out.push('?');
        out.push_str(query);
    }
    if let Some(f) = parts.fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// `u.Fragment = fragment; u.String()`: the query kept as it was, the fragment escaped the way
/// `EscapedFragment` does (so a `%` from `Values.Encode` becomes `%25`).
pub(crate) fn with_fragment(uri: &str, fragment: &str) -> String {
    let parts = split(uri);
    let keep = |b: u8| is_unreserved(b) || b"$&+,/:;=?@!()*".contains(&b);
    let mut out = parts.base.to_owned();
    if !parts.query.is_empty() {
        out.push('?');
        out.push_str(parts.query);
    }
    out.push('#');
    out.push_str(&escape(fragment, keep, false));
    out
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&#34;").replace('\'', "&#39;")
}

/// `http.Redirect(w, r, location, 302)` for a request to `request_path` with `method`: a
/// location without scheme or host that is not absolute is resolved against the request's
/// directory; GET and HEAD answers say `text/html`, and GET ones carry `<a href=…>Found</a>.`.
pub(crate) fn redirect(method: &Method, request_path: &str, location: &str) -> Response {
    let relative = !location.contains("://") && !location.starts_with('/');
    let location = if relative {
        let dir = request_path.rsplit_once('/').map(|(d, _)| d).unwrap_or_default();
        format!("{dir}/{location}")
    } else {
        location.to_owned()
    };
    let location = escape(&location, |b| b.is_ascii(), false);
    let mut response = StatusCode::FOUND.into_response();
    if *method == Method::GET {
        response =
            (StatusCode::FOUND, format!("<a href=\"{}\">Found</a>.\n\n", html_escape(&location))).into_response();
    }
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&location) {
        headers.insert(header::LOCATION, value);
    }
    if *method == Method::GET || *method == Method::HEAD {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    } else {
        headers.remove(header::CONTENT_TYPE);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_encode_sorts_keys_and_escapes_like_go() {
        let mut values = parse_query("z=1&code=old&a=x+y&bad=%zz&k;v=1");
        add(&mut values, "code", "n/e w~*");
        assert_eq!(encode(&values), "a=x+y&code=old&code=n%2Fe+w~%2A&z=1");
        assert_eq!(get(&values, "a"), "x y");
        assert_eq!(get(&values, "bad"), "");
    }

    #[test]
    fn urls_keep_their_fragment_and_replace_their_query() {
        assert_eq!(with_query("http://a/cb?x=1#f", "error=e"), "http://a/cb?error=e#f");
        assert_eq!(with_query("http://a/cb", ""), "http://a/cb");
        assert_eq!(
            with_fragment("http://a/cb?x=1", "id_token=t&state=a%2Fb+c"),
            "http://a/cb?x=1#id_token=t&state=a%252Fb+c"
        );
    }

    #[test]
    fn redirects_resolve_relative_locations_and_describe_themselves_on_get() {
        let res = redirect(&Method::GET, "/oauth/authorize", "cb?x=<1>");
        assert_eq!(res.headers()[header::LOCATION], "/oauth/cb?x=<1>");
        assert_eq!(res.headers()[header::CONTENT_TYPE], "text/html; charset=utf-8");
        let res = redirect(&Method::POST, "/oauth/authorize", "http://a/é");
        assert_eq!(res.headers()[header::LOCATION], "http://a/%C3%A9");
        assert!(res.headers().get(header::CONTENT_TYPE).is_none());
    }
}
