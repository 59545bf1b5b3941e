//! How a list call pages, filters and sorts: KubeSphere's list parameters
//! (`shared/kubesphere-api.md` §1.5), typed.

use ks_types::Email;

use crate::ApiPath;

/// What KubeSphere can sort a list by (`sortBy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    /// `name`
    Name,
    /// `createTime`
    CreateTime,
}

impl SortBy {
    fn as_str(self) -> &'static str {
        match self {
            SortBy::Name => "name",
            SortBy::CreateTime => "createTime",
        }
    }
}

/// Paging, filtering and sorting for a list call. The default sets nothing: KubeSphere's own
/// first page, in its own order.
///
/// Built with chained setters, e.g. `ListOptions::new().name("al").limit(10)`. Each parameter is
/// sent at most once (setting it again replaces its value), and the query string names them in
/// the order they were first set, so a request reads like the call that built it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListOptions {
    params: Vec<(&'static str, String)>,
}

impl ListOptions {
    /// No parameters (the same as [`ListOptions::default`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// Every item in one answer (`limit=-1`).
    pub fn unpaged(self) -> Self {
        self.set("limit", "-1")
    }

    /// At most `limit` items (`limit`).
    pub fn limit(self, limit: u32) -> Self {
        self.set("limit", limit.to_string())
    }

    /// Page `page` (counted from 1) of pages of `size` items (`limit`, then `page`).
    pub fn page(self, size: u32, page: u32) -> Self {
        self.limit(size).set("page", page.to_string())
    }

    /// Sorted by `by`, ascending or descending (`sortBy`, then `ascending`).
    pub fn sort(self, by: SortBy, ascending: bool) -> Self {
        self.set("sortBy", by.as_str()).set("ascending", if ascending { "true" } else { "false" })
    }

    /// Only items whose name contains `part` (`name`; for users KubeSphere also matches the
    /// display name).
    pub fn name(self, part: impl Into<String>) -> Self {
        self.set("name", part)
    }

    /// Only the items called exactly one of `names` (`names`, comma-separated).
    pub fn names<S: AsRef<str>>(self, names: impl IntoIterator<Item = S>) -> Self {
        let list = names.into_iter().map(|n| n.as_ref().to_owned()).collect::<Vec<_>>().join(",");
        self.set("names", list)
    }

    /// Only the users with this e-mail address, ignoring case (`fieldSelector`, see
    /// [`crate::email_field_selector`]).
    pub fn email(self, email: &Email) -> Self {
        self.set("fieldSelector", crate::email_field_selector(email))
    }

    /// Only items whose annotations match `selector` (`annotation`: `key` or `key=value`).
    pub fn annotation(self, selector: impl Into<String>) -> Self {
        self.set("annotation", selector)
    }

    /// Only items whose labels match `selector` (`labelSelector`, Kubernetes syntax).
    pub fn label_selector(self, selector: impl Into<String>) -> Self {
        self.set("labelSelector", selector)
    }

    /// The parameters as they are sent, in order.
    pub fn query_pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.params.iter().map(|(k, v)| (*k, v.as_str()))
    }

    /// `path` with these parameters appended to its query.
    pub(crate) fn append_to(&self, path: ApiPath) -> ApiPath {
        self.query_pairs().fold(path, |path, (k, v)| path.query(k, v))
    }

    fn set(mut self, key: &'static str, value: impl Into<String>) -> Self {
        let value = value.into();
        match self.params.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.params.push((key, value)),
        }
        self
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn query(options: &ListOptions) -> String {
        options.append_to(ApiPath::fixed("/u")).to_string()
    }

    #[test]
    fn parameters_are_sent_in_the_order_they_were_set() {
        assert_eq!(query(&ListOptions::new()), "/u");
        assert_eq!(query(&ListOptions::new().names(["a", "b"]).unpaged()), "/u?names=a%2Cb&limit=-1");
        assert_eq!(
            query(&ListOptions::new().page(20, 2).sort(SortBy::CreateTime, false).name("al")),
            "/u?limit=20&page=2&sortBy=createTime&ascending=false&name=al"
        );
        assert_eq!(
            query(&ListOptions::new().name("al").limit(10).sort(SortBy::Name, true)),
            "/u?name=al&limit=10&sortBy=name&ascending=true"
        );
    }

    #[test]
    fn setting_a_parameter_again_replaces_it_in_place() {
        let options = ListOptions::new().limit(10).name("x").unpaged();
        assert_eq!(options.query_pairs().collect::<Vec<_>>(), [("limit", "-1"), ("name", "x")]);
    }

    #[test]
    fn an_email_filter_is_the_escaped_field_selector() {
        let email = Email::parse("A=b@c.de").unwrap();
        let options = ListOptions::new().email(&email).limit(10);
        assert_eq!(
            options.query_pairs().collect::<Vec<_>>(),
            [("fieldSelector", "spec.email=~a\\=b@c.de"), ("limit", "10")]
        );
    }
}
