//! Identity providers (§12): their configuration as ks-apiserver loads it from the
//! `config.kubesphere.io/identityprovider` Secrets, the small directory an LDAP provider answers
//! from here, the accounts of an OAuth provider and its stand-in's codes (`oidc`), the public
//! form `configs/oauth` lists, the demo set, and the claims of a pre-registration token. What a
//! sign-in does with them is `behaviour::directory` and `behaviour::sso`.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::db::Db;
use super::labels::ANNOTATION_IDENTITY_PROVIDER;
use super::users::User;

mod demo;
mod oidc;
mod pre_registration;

pub use demo::demo_identity_providers;
pub(crate) use oidc::IdpCodes;
pub use oidc::{OidcPerson, IDP_CODE_TTL};
pub use pre_registration::{token_claims, PreRegistration};

/// `type` of the only generic (password) provider.
pub const LDAP_IDENTITY_PROVIDER: &str = "LDAPIdentityProvider";
/// `type` of an OpenID Connect provider (an OAuth provider: no password grant).
pub const OIDC_IDENTITY_PROVIDER: &str = "OIDCIdentityProvider";
/// The OAuth provider types ks-apiserver 4.1 knows; with LDAP, the only ones it loads.
const OAUTH_TYPES: &[&str] =
    &[OIDC_IDENTITY_PROVIDER, "GitHubIdentityProvider", "CASIdentityProvider", "AliyunIDaaSProvider"];
/// The user a `manual` provider's first sign-in gets a token for (§12.3).
pub const PRE_REGISTRATION_USER: &str = "system:pre-registration";

/// How an identity without a linked user is mapped at sign-in (`mappingMethod`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MappingMethod {
    /// Create (or link) the user named like the lower-cased directory username.
    Auto,
    /// Issue a pre-registration token; the person confirms a username (§12.4).
    Manual,
    /// Refuse (500): only users linked beforehand may sign in.
    Lookup,
}

impl MappingMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            MappingMethod::Auto => "auto",
            MappingMethod::Manual => "manual",
            MappingMethod::Lookup => "lookup",
        }
    }
}

/// One entry of an LDAP provider's directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryPerson {
    /// The login attribute's value (`uid`) as the directory stores it: upper case, `_`, `@`
    /// and dots are all possible. It is the identity's uid and username. When the provider's
    /// `loginAttribute` equals its `mailAttribute`, `mail` is the login instead.
    pub uid: String,
    pub password: String,
    /// The mail attribute's value; empty = none.
    pub mail: String,
}

/// One identity provider, as configured.
#[derive(Debug, Clone, PartialEq)]
pub struct IdentityProvider {
    pub name: String,
    /// `type`: [`LDAP_IDENTITY_PROVIDER`], [`OIDC_IDENTITY_PROVIDER`], `GitHubIdentityProvider`,
    /// `CASIdentityProvider` or `AliyunIDaaSProvider`. Any other type is not loaded: not
    /// listed, and a sign-in through it answers 500.
    pub provider_type: String,
    pub mapping_method: MappingMethod,
    /// No login button (the provider still works).
    pub hidden: bool,
    /// Listed, but every sign-in through it answers 500.
    pub disabled: bool,
    pub display_name: String,
    /// `provider`: the type-specific options. Keys containing `password` or `secret`
    /// (case-insensitive, also in nested maps) are left out of the public list.
    pub provider: Map<String, Value>,
    /// LDAP only: the directory sign-ins are checked against.
    pub people: Vec<DirectoryPerson>,
    /// OAuth providers only: the accounts the provider's stand-in signs in
    /// ([`IdentityProvider::with_oidc_person`]).
    pub oidc_people: Vec<OidcPerson>,
    /// LDAP only: `false` = the server is down (or the manager bind fails): every sign-in
    /// that reaches the directory answers 500 (§12.2 row 5).
    pub reachable: bool,
}

impl IdentityProvider {
    fn new(name: &str, provider_type: &str, mapping_method: MappingMethod, provider: Value) -> Self {
        IdentityProvider {
            name: name.to_owned(),
            provider_type: provider_type.to_owned(),
            mapping_method,
            hidden: false,
            disabled: false,
            display_name: String::new(),
            provider: match provider {
                Value::Object(map) => map,
                _ => Map::new(),
            },
            people: Vec::new(),
            oidc_people: Vec::new(),
            reachable: true,
        }
    }

    /// An LDAP provider with an empty directory: `host`, `managerDN`, `managerPassword`,
    /// `userSearchBase`, `loginAttribute: uid`, `mailAttribute: mail`.
    pub fn ldap(name: &str, mapping_method: MappingMethod) -> Self {
        Self::new(
            name,
            LDAP_IDENTITY_PROVIDER,
            mapping_method,
            json!({
                "host": format!("{name}.example.com:389"),
                "managerDN": "cn=admin,dc=example,dc=com",
                "managerPassword": "manager-Passw0rd",
                "userSearchBase": "ou=people,dc=example,dc=com",
                "loginAttribute": "uid",
                "mailAttribute": "mail",
            }),
        )
    }

    /// An OIDC provider for `issuer` (Keycloak-shaped endpoints), client `kubesphere` with a
    /// `clientSecret`.
    pub fn oidc(name: &str, mapping_method: MappingMethod, issuer: &str) -> Self {
        let oidc = format!("{issuer}/protocol/openid-connect");
        Self::new(
            name,
            OIDC_IDENTITY_PROVIDER,
            mapping_method,
            json!({
                "issuer": issuer,
                "clientID": "kubesphere",
                "clientSecret": "oidc-client-Secr3t",
                "redirectURL": format!("http://ks-console.kubesphere-system.svc:30880/oauth/redirect/{name}"),
                "scopes": ["openid", "email", "profile"],
                "endpoint": {
                    "authURL": format!("{oidc}/auth"),
                    "tokenURL": format!("{oidc}/token"),
                    "userInfoURL": format!("{oidc}/userinfo"),
                    "jwksURL": format!("{oidc}/certs"),
                    "endSessionURL": format!(
                        "{oidc}/logout?client_id=kubesphere&post_logout_redirect_uri=http%3A%2F%2Fks-console.kubesphere-system.svc%3A30880%2Flogin"
                    ),
                },
            }),
        )
    }

    /// Any `type` (e.g. `GitHubIdentityProvider`, or an unknown one that is not loaded).
    pub fn with_type(mut self, provider_type: &str) -> Self {
        provider_type.clone_into(&mut self.provider_type);
        self
    }

    pub fn with_display_name(mut self, display_name: &str) -> Self {
        display_name.clone_into(&mut self.display_name);
        self
    }

    /// Sets (or, with `Value::Null`, removes) a `provider` option.
    pub fn with_option(mut self, key: &str, value: impl Into<Value>) -> Self {
        match value.into() {
            Value::Null => {
                self.provider.remove(key);
            }
            value => {
                self.provider.insert(key.to_owned(), value);
            }
        }
        self
    }

    /// Adds a directory entry: the login attribute's value as stored, the password and the mail
    /// attribute's value (empty = none).
    pub fn with_person(mut self, uid: &str, password: &str, mail: &str) -> Self {
        self.people.push(DirectoryPerson { uid: uid.to_owned(), password: password.to_owned(), mail: mail.to_owned() });
        self
    }

    /// `hidden: true`.
    pub fn hidden(mut self) -> Self {
        self.hidden = true;
        self
    }

    /// `disabled: true`.
    pub fn disabled(mut self) -> Self {
        self.disabled = true;
        self
    }

    /// The directory server is down (§12.2 row 5).
    pub fn unreachable(mut self) -> Self {
        self.reachable = false;
        self
    }

    /// Whether ks-apiserver loads it (a known type).
    pub fn is_loaded(&self) -> bool {
        self.is_generic() || OAUTH_TYPES.contains(&self.provider_type.as_str())
    }

    /// Whether it is a loaded OAuth provider (OIDC, GitHub, CAS, IDaaS): signed in through
    /// the authorization-code flow and `/oauth/callback/{idp}`.
    pub fn is_oauth(&self) -> bool {
        OAUTH_TYPES.contains(&self.provider_type.as_str())
    }

    /// Whether it takes the password grant (LDAP).
    pub fn is_generic(&self) -> bool {
        self.provider_type == LDAP_IDENTITY_PROVIDER
    }

    fn option_str(&self, key: &str, default: &str) -> String {
        self.provider.get(key).and_then(Value::as_str).filter(|v| !v.is_empty()).unwrap_or(default).to_owned()
    }

    /// The entries whose login value matches `login` as an LDAP equality filter on a
    /// case-insensitive attribute would, each as (uid = username, e-mail).
    pub(crate) fn search(&self, login: &str) -> Vec<(String, String)> {
        let by_mail =
            self.option_str("loginAttribute", "uid").eq_ignore_ascii_case(&self.option_str("mailAttribute", "mail"));
        let wanted = login.to_lowercase();
        self.people
            .iter()
            .map(|p| if by_mail { (&p.mail, p) } else { (&p.uid, p) })
            .filter(|(value, _)| !value.is_empty() && value.to_lowercase() == wanted)
            .map(|(value, p)| (value.clone(), p.mail.clone()))
            .collect()
    }

    /// The password of the entry `(uid, …)` that [`IdentityProvider::search`] found.
    pub(crate) fn password_matches(&self, uid: &str, password: &str) -> bool {
        let by_mail =
            self.option_str("loginAttribute", "uid").eq_ignore_ascii_case(&self.option_str("mailAttribute", "mail"));
        self.people.iter().any(|p| (if by_mail { &p.mail } else { &p.uid }) == uid && p.password == password)
    }

    /// The entry of `configs/oauth` (§12.1): secrets left out of `provider`.
    pub fn public_json(&self) -> Value {
        json!({
            "name": self.name,
            "mappingMethod": self.mapping_method.as_str(),
            "type": self.provider_type,
            "hidden": self.hidden,
            "disabled": self.disabled,
            "displayName": self.display_name,
            "provider": desensitize(&self.provider),
        })
    }
}

/// `pkg/server/options/dynamic_options.go` `desensitize`: drops keys containing `password` or
/// `secret` (case-insensitive), in nested maps too.
fn desensitize(map: &Map<String, Value>) -> Value {
    let kept = map
        .iter()
        .filter(|(k, _)| {
            let k = k.to_lowercase();
            !k.contains("password") && !k.contains("secret")
        })
        .map(|(k, v)| {
            let v = match v {
                Value::Object(nested) => desensitize(nested),
                other => other.clone(),
            };
            (k.clone(), v)
        })
        .collect();
    Value::Object(kept)
}

/// The annotation linking a user to an identity of `idp`; its value is the identity's uid.
pub(crate) fn link_annotation(idp: &str) -> String {
    format!("{ANNOTATION_IDENTITY_PROVIDER}.{idp}")
}

/// Users whose link annotation for `idp` equals `uid`, in list (name) order. A missing
/// annotation reads as `""`, as in Go.
pub(crate) fn linked_users<'a>(db: &'a Db, idp: &str, uid: &str) -> Vec<&'a User> {
    let key = link_annotation(idp);
    db.users.values().filter(|u| u.annotations.get(&key).map(String::as_str).unwrap_or_default() == uid).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn secrets_are_left_out_at_every_level() {
        let p = IdentityProvider::oidc("sso", MappingMethod::Auto, "https://sso.example").with_option(
            "endpoint",
            json!({"tokenURL": "t", "ClientSecret": "x", "deep": {"apiPassword": "y", "k": 1}}),
        );
        let public = p.public_json();
        assert!(public["provider"].get("clientSecret").is_none());
        assert_eq!(public["provider"]["endpoint"], json!({"tokenURL": "t", "deep": {"k": 1}}));
        let ldap = IdentityProvider::ldap("corp", MappingMethod::Manual).public_json();
        assert!(ldap["provider"].get("managerPassword").is_none());
        assert_eq!(ldap["provider"]["managerDN"], "cn=admin,dc=example,dc=com");
    }

    #[test]
    fn the_directory_matches_logins_case_insensitively_and_by_mail_when_told() {
        let p = IdentityProvider::ldap("corp", MappingMethod::Auto).with_person("Ana.Ruiz", "pw", "ana@corp.example");
        assert_eq!(p.search("ana.ruiz"), vec![("Ana.Ruiz".to_owned(), "ana@corp.example".to_owned())]);
        assert!(p.search("ana@corp.example").is_empty());
        let by_mail = p.with_option("loginAttribute", "mail");
        assert_eq!(
            by_mail.search("ANA@corp.example"),
            vec![("ana@corp.example".to_owned(), "ana@corp.example".to_owned())]
        );
        assert!(by_mail.password_matches("ana@corp.example", "pw"));
    }

    #[test]
    fn only_known_types_are_loaded_and_only_ldap_takes_passwords() {
        let ldap = IdentityProvider::ldap("a", MappingMethod::Auto);
        assert!(ldap.is_loaded() && ldap.is_generic());
        let github = ldap.clone().with_type("GitHubIdentityProvider");
        assert!(github.is_loaded() && !github.is_generic());
        assert!(!ldap.with_type("SAMLIdentityProvider").is_loaded());
    }
}
