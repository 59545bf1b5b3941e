//! What a person types about an account besides its name: an e-mail address, a display name.

use super::{chars, trimmed_within, DisplayName, Email, NameError};

impl Email {
    pub const MAX: usize = 254;
    /// A bare `local@domain` address: printable ASCII without spaces or angle brackets, one `@`,
    /// a dotted domain. Stricter than RFC 5322 in corner cases, never looser than KubeSphere.
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let s = trimmed_within(raw, "e-mail address", Self::MAX, str::len)?;
        let Some((local, domain)) = s.split_once('@') else { return Err(NameError::Email) };
        let local_ok = !local.is_empty()
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~.".contains(&b));
        let domain_ok = domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        if local_ok && domain_ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(NameError::Email)
        }
    }
}

impl DisplayName {
    pub const MAX: usize = 128;

    /// Trimmed; at most [`DisplayName::MAX`] characters, none of them a control character.
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let s = trimmed_within(raw, "display name", Self::MAX, chars)?;
        if s.chars().any(char::is_control) {
            return Err(NameError::ControlCharacters("display name"));
        }
        Ok(Self(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn display_names_are_free_text_on_one_line_of_at_most_128_characters() {
        assert_eq!(DisplayName::parse(" =SUM(A1) ").map(String::from), Ok("=SUM(A1)".to_owned()));
        assert!(DisplayName::parse(&"李".repeat(128)).is_ok());
        assert!(matches!(DisplayName::parse(&"a".repeat(129)), Err(NameError::TooLong { .. })));
        assert!(matches!(DisplayName::parse("a\nb"), Err(NameError::ControlCharacters(_))));
        assert!(matches!(DisplayName::parse("a\u{7}"), Err(NameError::ControlCharacters(_))));
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        for ok in ["a@b.co", "first.last+tag@example.com"] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a", "a@b", "@b.co", "a@@b.co", "a b@c.de", "<a@b.co>", "a@-b.co", ".a@b.co"] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }
}
