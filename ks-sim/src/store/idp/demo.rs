//! [`demo_identity_providers`], the set the README lists (`--idp-demo`).

use serde_json::{json, Value};

use super::{IdentityProvider, MappingMethod};

/// The demo identity providers (`--idp-demo`, on with the demo seed): `corp-ldap` (auto),
/// `partner-ldap` (manual), `old-ldap` (disabled), `hidden-ldap` (hidden) and the OIDC
/// provider `company-sso` (people `sam.lee`, `kai.chen`, `pat.doe` at its stand-in). The
/// README lists their people.
pub fn demo_identity_providers() -> Vec<IdentityProvider> {
    let corp = |ldap: IdentityProvider| {
        ldap.with_option("host", "ldap.corp.example:389")
            .with_option("managerDN", "cn=admin,dc=corp,dc=example")
            .with_option("managerPassword", "Corp-manager-1")
            .with_option("userSearchBase", "ou=people,dc=corp,dc=example")
    };
    let mut sso = IdentityProvider::oidc("company-sso", MappingMethod::Auto, "https://sso.corp.example/realms/corp")
        .with_display_name("Company SSO")
        .with_oidc_person("5f0c7a1e-0001", "sam.lee", "Sso-pass-1", "sam.lee@corp.example")
        .with_oidc_person("5f0c7a1e-0002", "kai.chen", "Sso-pass-2", "kai.chen@corp.example")
        // For pre-provisioning: a helpdesk links a user to this `sub` before pat signs in (§12.7).
        .with_oidc_person("5f0c7a1e-0003", "pat.doe", "Sso-pass-3", "pat.doe@corp.example");
    // Left out of the public list like any key containing "secret", nested ones too.
    if let Some(Value::Object(endpoint)) = sso.provider.get_mut("endpoint") {
        endpoint.insert("clientSecret".to_owned(), json!("endpoint-client-Secr3t"));
    }
    vec![
        corp(IdentityProvider::ldap("corp-ldap", MappingMethod::Auto))
            .with_display_name("Corporate Directory")
            .with_person("li.wei", "Directory-pass-1", "li.wei@corp.example")
            .with_person("Mei.Tan", "Directory-pass-2", "mei.tan@corp.example")
            // Lower-cased, `ana_ruiz` is no valid KubeSphere name: the auto mapping fails (500).
            .with_person("Ana_Ruiz", "Directory-pass-3", "ana.ruiz@corp.example"),
        IdentityProvider::ldap("partner-ldap", MappingMethod::Manual)
            .with_display_name("Partner Directory")
            .with_option("host", "ldap.partner.example:636")
            .with_option("startTLS", true)
            .with_option("managerDN", "cn=reader,dc=partner,dc=example")
            .with_option("managerPassword", "Partner-manager-1")
            .with_option("userSearchBase", "ou=people,dc=partner,dc=example")
            .with_person("jo.kim", "Partner-pass-1", "jo.kim@partner.example")
            .with_person("noor@partner.example", "Partner-pass-2", "noor@partner.example"),
        corp(IdentityProvider::ldap("old-ldap", MappingMethod::Auto))
            .with_display_name("Old Directory")
            .with_option("host", "ldap-old.corp.example:389")
            .disabled()
            .with_person("li.wei", "Directory-pass-1", "li.wei@corp.example"),
        corp(IdentityProvider::ldap("hidden-ldap", MappingMethod::Auto))
            .with_display_name("Service Directory")
            .with_option("host", "ldap-svc.corp.example:389")
            .hidden()
            .with_person("ops.bot", "Hidden-pass-1", "ops.bot@corp.example"),
        sso,
    ]
}
