//! Kubernetes name rules (§5) and the wording of their errors, and the user webhook's e-mail
//! rules.

use crate::store::db::Db;

const LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

fn is_label(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
}

/// DNS-1123 label problem, worded like Kubernetes' validation, or `None` when valid.
pub(crate) fn label_error(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("metadata.name: Required value: name or generateName is required".to_owned());
    }
    if name.len() > 63 {
        return Some(format!("metadata.name: Invalid value: \"{name}\": must be no more than 63 characters"));
    }
    (!is_label(name)).then(|| format!("metadata.name: Invalid value: \"{name}\": {LABEL_MSG}"))
}

/// DNS-1123 subdomain problem (cluster-scoped CR names), or `None` when valid.
pub(crate) fn subdomain_error(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("metadata.name: Required value: name or generateName is required".to_owned());
    }
    if name.len() > 253 {
        return Some(format!("metadata.name: Invalid value: \"{name}\": must be no more than 253 characters"));
    }
    (!name.split('.').all(is_label)).then(|| format!("metadata.name: Invalid value: \"{name}\": {SUBDOMAIN_MSG}"))
}

/// The User CRD's password schema (§5): 8–64 chars with a lower, an upper and a digit, or a
/// bcrypt hash. Returns the 422 detail.
pub(crate) fn password_error(password: &str) -> Option<String> {
    const PATTERN: &str = "^(.*[a-z].*[A-Z].*[0-9].*)$|^(.*[a-z].*[0-9].*[A-Z].*)$|^(.*[A-Z].*[0-9].*[a-z].*)$|^(.*[A-Z].*[a-z].*[0-9].*)$|^(.*[0-9].*[a-z].*[A-Z].*)$|^(.*[0-9].*[A-Z].*[a-z].*)$|^(\\$2[ayb]\\$.{56})$";
    let bcrypt = password.len() == 60
        && (password.starts_with("$2a$") || password.starts_with("$2y$") || password.starts_with("$2b$"));
    if bcrypt {
        return None;
    }
    // Kubernetes echoes the rejected value, quoted as Go's %q would.
    let value = serde_json::to_string(password).unwrap_or_default();
    let chars = password.chars().count();
    if chars < 8 {
        return Some(format!(
            "spec.password: Invalid value: {value}: spec.password in body should be at least 8 chars long"
        ));
    }
    if chars > 64 {
        return Some(format!(
            "spec.password: Invalid value: {value}: spec.password in body should be at most 64 chars long"
        ));
    }
    let lower = password.chars().any(|c| c.is_ascii_lowercase());
    let upper = password.chars().any(|c| c.is_ascii_uppercase());
    let digit = password.chars().any(|c| c.is_ascii_digit());
    // The pattern's `.` (RE2) does not match a line feed, and `^…$` span the whole value.
    let pattern_ok = lower && upper && digit && !password.contains('\n');
    (!pattern_ok)
        .then(|| format!("spec.password: Invalid value: {value}: spec.password in body should match '{PATTERN}'"))
}

/// Go's `net/mail.ParseAddress`, approximately: `local@domain` with a dotted domain, or
/// `Name <local@domain>`.
pub(crate) fn email_ok(email: &str) -> bool {
    let addr = match (email.find('<'), email.rfind('>')) {
        (Some(a), Some(b)) if a < b && b == email.len() - 1 => &email[a + 1..b],
        _ => email,
    };
    let Some((local, domain)) = addr.rsplit_once('@') else {
        return false;
    };
    let atom = |s: &str| {
        !s.is_empty()
            && s.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c))
            && !s.starts_with('.')
            && !s.ends_with('.')
            && !s.contains("..")
    };
    atom(local) && atom(domain)
}

/// The `users.iam.kubesphere.io` validating webhook (§5, §11) on a create or update of `name`
/// with `email`: format, and uniqueness compared exactly (case-sensitively) against the users
/// in `cache` (its informer cache). The reason it denies, or `None`.
pub(crate) fn email_denial(cache: &Db, name: &str, email: &str) -> Option<String> {
    if email.is_empty() {
        return None;
    }
    if !email_ok(email) {
        return Some(format!("invalid email address:{email}"));
    }
    cache
        .users
        .values()
        .any(|u| u.name != name && u.email == email)
        .then(|| format!("user email: {email} already exists"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_passwords_and_emails_follow_the_crd_rules() {
        assert!(label_error("demo-web").is_none());
        assert!(label_error("Demo").is_some());
        assert!(label_error("-a").is_some());
        assert!(label_error(&"a".repeat(64)).is_some());
        assert!(subdomain_error("a.b-c").is_none());
        assert!(subdomain_error("Bad").is_some());
        assert!(password_error("P@88w0rd").is_none());
        assert!(password_error("Passw0rd").is_none());
        assert!(password_error("short1A").is_some());
        assert!(password_error("alllowercase1").is_some());
        assert!(password_error(&format!("Aa1{}", "x".repeat(62))).is_some());
        assert!(email_ok("a@b.c"));
        assert!(email_ok("Alice <a@b.c>"));
        assert!(!email_ok("foo"));
        assert!(!email_ok("a@"));
    }
}
