//! KubeSphere's password rule, exactly as its User CRD enforces it: 8–64 characters with at least
//! one lowercase letter, one uppercase letter and one digit. (KubeSphere's own console also asks for
//! a special character, which the server does not require; we follow the server.)

use std::fmt;

use serde::{Deserialize, Serialize};

/// Each rule, for the live checklist next to the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordCheck {
    pub length_ok: bool,
    pub has_lower: bool,
    pub has_upper: bool,
    pub has_digit: bool,
}

impl PasswordCheck {
    pub const MIN: usize = 8;
    pub const MAX: usize = 64;

    pub fn of(password: &str) -> Self {
        let len = password.chars().count();
        Self {
            length_ok: (Self::MIN..=Self::MAX).contains(&len),
            has_lower: password.chars().any(|c| c.is_ascii_lowercase()),
            has_upper: password.chars().any(|c| c.is_ascii_uppercase()),
            has_digit: password.chars().any(|c| c.is_ascii_digit()),
        }
    }

    pub fn passes(&self) -> bool {
        self.length_ok && self.has_lower && self.has_upper && self.has_digit
    }

    /// The rules as (description, satisfied) pairs, in display order.
    pub fn items(&self) -> [(&'static str, bool); 4] {
        [
            ("8 to 64 characters", self.length_ok),
            ("a lowercase letter", self.has_lower),
            ("an uppercase letter", self.has_upper),
            ("a digit", self.has_digit),
        ]
    }
}

/// A password that satisfies KubeSphere's rule. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Password(String);

impl Password {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        if PasswordCheck::of(raw).passes() {
            Ok(Self(raw.to_owned()))
        } else {
            Err("The password needs 8 to 64 characters with a lowercase letter, an uppercase letter and a digit.")
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Password {
    type Error = &'static str;
    fn try_from(v: String) -> Result<Self, Self::Error> {
        Self::parse(&v)
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_is_the_servers_not_the_official_consoles() {
        assert!(Password::parse("Abcdefg1").is_ok(), "no special character needed");
        assert!(Password::parse("P@88w0rd").is_ok());
        for bad in ["Abcdef1", "abcdefg1", "ABCDEFG1", "Abcdefgh", &format!("Aa1{}", "x".repeat(62))] {
            assert!(Password::parse(bad).is_err(), "{bad}");
        }
        assert!(Password::parse(&format!("Aa1{}", "x".repeat(61))).is_ok(), "64 is allowed");
    }

    #[test]
    fn the_checklist_reports_each_rule() {
        let c = PasswordCheck::of("abc");
        assert!(!c.length_ok && c.has_lower && !c.has_upper && !c.has_digit);
        assert_eq!(format!("{:?}", Password::parse("Abcdefg1").ok()), "Some(Password(***))");
    }
}
