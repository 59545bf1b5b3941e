//! Which language a page is in (English or Simplified Chinese), and the switch between them.
//!
//! The server decides, once per request: the `i18n_pref_locale` cookie the switch sets, else
//! the browser's `Accept-Language`, else English. It writes the choice into `<html lang>`, so a
//! page is complete in its language before any WASM, and an island reads it back from there
//! (islands hydrate apart from the page, with no context to inherit).

use leptos::prelude::*;
use leptos_i18n::Locale as _;

pub use crate::i18n::Locale;

/// The cookie the switch sets (leptos_i18n's own name, so its resolution reads it too).
pub const COOKIE: &str = "i18n_pref_locale";

/// The language of the page being rendered or of the server function being answered: on the
/// server from the request, in an island from the page around it.
pub fn locale() -> Locale {
    if let Some(locale) = use_context::<Locale>() {
        return locale;
    }
    #[cfg(feature = "ssr")]
    {
        // Outside Leptos (the server's own handlers and guards) the request's language is in
        // scope for its task; with no request at all (a bulk job resumed by another replica),
        // the default language.
        use_context::<http::request::Parts>()
            .map(|parts| from_headers(&parts.headers))
            .or_else(|| REQUEST_LOCALE.try_with(|locale| *locale).ok())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        from_html().unwrap_or_default()
    }
}

#[cfg(feature = "ssr")]
tokio::task_local! {
    /// The language of the request a task is answering (set by the server for every request).
    pub static REQUEST_LOCALE: Locale;
}

/// The language a request asks for: the switch's cookie, else the browser's languages in the
/// order it prefers them (`Accept-Language`), else English. Matching is leptos_i18n's.
pub fn from_headers(headers: &http::HeaderMap) -> Locale {
    let chosen = headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .and_then(|(_, value)| from_code(value.trim()));
    chosen.unwrap_or_else(|| {
        let mut wanted: Vec<(&str, f32)> = headers
            .get_all(http::header::ACCEPT_LANGUAGE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|line| line.split(','))
            .filter_map(|item| {
                let mut parts = item.split(';');
                let tag = parts.next()?.trim();
                let q = parts
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
                (!tag.is_empty() && tag != "*" && q > 0.0).then_some((tag, q))
            })
            .collect();
        // A stable sort keeps the browser's order among equal weights.
        wanted.sort_by(|a, b| b.1.total_cmp(&a.1));
        let tags: Vec<&str> = wanted.into_iter().map(|(tag, _)| tag).collect();
        Locale::find_locale(&tags)
    })
}

/// The language the server wrote into `<html lang>`: one of our own tags, so it is compared
/// as it is (no language matching, and none of its code, in the WASM).
#[cfg(not(feature = "ssr"))]
fn from_html() -> Option<Locale> {
    let lang = document().document_element()?.get_attribute("lang")?;
    Locale::get_all().iter().copied().find(|l| html_tag(*l) == lang)
}

/// The supported language a BCP 47 tag asks for (`zh-CN`, `zh-Hans` → Chinese), English otherwise.
pub fn from_tag(tag: &str) -> Locale {
    Locale::find_locale(&[tag])
}

/// A supported language by its own code (`en`, `zh`), as the switch posts it.
pub fn from_code(code: &str) -> Option<Locale> {
    Locale::get_all().iter().copied().find(|l| l.as_str() == code)
}

/// The code the cookie and the switch use.
pub fn code(locale: Locale) -> &'static str {
    locale.as_str()
}

/// The tag for `<html lang>` and `hreflang`.
pub fn html_tag(locale: Locale) -> &'static str {
    match locale {
        Locale::en => "en",
        Locale::zh => "zh-Hans",
    }
}

/// The switch in the top bar: a small form posted to `/language`, which sets the cookie and
/// sends the person back to the page they were on. A plain POST, so pages without islands
/// stay free of WASM. It offers the other language, named in that language.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let current = locale();
    let other = match current {
        Locale::en => Locale::zh,
        Locale::zh => Locale::en,
    };
    let here = leptos_router::hooks::use_location();
    let back = move || {
        let (path, query) = (here.pathname.get_untracked(), here.search.get_untracked());
        if query.is_empty() {
            path
        } else {
            format!("{path}?{}", query.trim_start_matches('?'))
        }
    };
    view! {
        <form method="post" action="/language" class="language-switch" aria-label=crate::i18n::td_string!(current, common.language)>
            <input type="hidden" name="back" value=back />
            <input type="hidden" name="lang" value=code(other) />
            <button type="submit" class="button secondary" lang=html_tag(other)>
                {crate::i18n::td_string!(other, common.language_name)}
            </button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    fn keys(prefix: &str, value: &serde_json::Value, out: &mut BTreeSet<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    keys(&format!("{prefix}.{k}"), v, out);
                }
            }
            _ => {
                out.insert(prefix.to_owned());
            }
        }
    }

    fn all_keys(lang: &str) -> BTreeSet<String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales").join(lang);
        let mut out = BTreeSet::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let ns = path.file_stem().unwrap().to_string_lossy().into_owned();
            let value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            keys(&ns, &value, &mut out);
        }
        out
    }

    /// Every key of one language exists in the other, in every namespace.
    #[test]
    fn english_and_chinese_have_the_same_keys() {
        let (en, zh) = (all_keys("en"), all_keys("zh"));
        let only_en: Vec<_> = en.difference(&zh).collect();
        let only_zh: Vec<_> = zh.difference(&en).collect();
        assert!(only_en.is_empty() && only_zh.is_empty(), "only in English: {only_en:?}; only in Chinese: {only_zh:?}");
        assert!(en.len() > 100, "{} keys", en.len());
    }

    #[test]
    fn the_cookie_wins_then_the_browsers_preference() {
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut h = http::HeaderMap::new();
            for (k, v) in pairs {
                h.append(*k, http::HeaderValue::from_static(v));
            }
            h
        };
        assert_eq!(from_headers(&headers(&[])), Locale::en);
        assert_eq!(from_headers(&headers(&[("accept-language", "zh-CN,zh;q=0.9,en;q=0.8")])), Locale::zh);
        assert_eq!(from_headers(&headers(&[("accept-language", "en-US,en;q=0.9,zh;q=0.8")])), Locale::en);
        assert_eq!(from_headers(&headers(&[("accept-language", "fr;q=0.9, zh-TW;q=0.95, en;q=0.1")])), Locale::zh);
        assert_eq!(from_headers(&headers(&[("accept-language", "de, *;q=0.5")])), Locale::en);
        assert_eq!(
            from_headers(&headers(&[("accept-language", "zh-CN"), ("cookie", "a=b; i18n_pref_locale=en")])),
            Locale::en
        );
        assert_eq!(from_headers(&headers(&[("cookie", "i18n_pref_locale=zh")])), Locale::zh);
        assert_eq!(from_headers(&headers(&[("cookie", "i18n_pref_locale=xx"), ("accept-language", "zh")])), Locale::zh);
    }

    #[test]
    fn browser_tags_map_to_the_supported_languages() {
        for (tag, want) in [
            ("zh-CN", Locale::zh),
            ("zh-Hans", Locale::zh),
            ("zh", Locale::zh),
            ("en-GB", Locale::en),
            ("fr", Locale::en),
            ("", Locale::en),
        ] {
            assert_eq!(from_tag(tag), want, "{tag}");
        }
    }
}
