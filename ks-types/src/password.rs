//! KubeSphere's password rule, exactly as its User CRD enforces it: 8–64 characters with at least
//! one lowercase letter, one uppercase letter and one digit, and no line feed (the CRD pattern's
//! `.` does not match one). (KubeSphere's own console also asks for a special character, which the
//! server does not require; we follow the server.) A value shaped like a bcrypt hash is refused
//! too: KubeSphere would store it as the hash itself, and nobody could sign in with it.

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
        if raw.contains('\n') {
            return Err("A password cannot contain a line break.");
        }
        if looks_like_bcrypt(raw) {
            return Err("A password cannot start with $2a$, $2b$ or $2y$ at this length: KubeSphere would take it for an already hashed one.");
        }
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

/// The CRD's other alternative, `^(\$2[ayb]\$.{56})$`: stored as a hash, never hashed.
fn looks_like_bcrypt(raw: &str) -> bool {
    raw.chars().count() == 60 && ["$2a$", "$2b$", "$2y$"].iter().any(|p| raw.starts_with(p)) && !raw.contains('\n')
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
    fn what_the_crd_pattern_refuses_or_takes_for_a_hash_is_refused() {
        assert!(Password::parse("Abcd\nefg1").is_err(), "the pattern's . does not match a line feed");
        assert!(Password::parse("Abcd\tefg1").is_ok(), "other control characters pass, as upstream");
        let hash_like = format!("$2a$10${}", "Ab1".repeat(17) + "xx");
        assert_eq!(hash_like.len(), 60);
        assert!(Password::parse(&hash_like).is_err());
        assert!(Password::parse(&format!("$2a$10${}", "Ab1".repeat(17))).is_ok(), "another length is a password");
    }

    #[test]
    fn the_checklist_reports_each_rule() {
        let c = PasswordCheck::of("abc");
        assert!(!c.length_ok && c.has_lower && !c.has_upper && !c.has_digit);
        assert_eq!(format!("{:?}", Password::parse("Abcdefg1").ok()), "Some(Password(***))");
    }
}
