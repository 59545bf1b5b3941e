//! The OAuth providers' stand-in (`/_idp/{idp}/login` on the portal listener): a sign-in page
//! per OAuth provider that checks its people ([`crate::IdentityProvider::with_oidc_person`]),
//! issues a one-time code (valid a minute) and sends the browser to the portal's
//! `/oauth/redirect/{idp}`, as a real provider would send it to the provider's `redirectURL`.
//! KubeSphere's `hidden` and `disabled` mean nothing to the provider itself.

use axum::extract::{Path, Query, State as AxState};
use axum::response::Response;
use axum::Form;
use serde::Deserialize;

use super::pages;
use super::session::found;
use super::Portal;
use crate::http::go_url;
use crate::store::util::lock;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct LoginQuery {
    #[serde(default)]
    state: String,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    state: String,
}

/// The provider's label, if `idp` is an OAuth provider.
fn label(portal: &Portal, idp: &str) -> Option<String> {
    let providers = lock(&portal.sim.state.identity_providers);
    let p = providers.iter().find(|p| p.name == idp && p.is_oauth())?;
    Some(if p.display_name.is_empty() { p.name.clone() } else { p.display_name.clone() })
}

/// `GET /_idp/{idp}/login`.
pub(crate) async fn login_page(
    AxState(portal): AxState<Portal>,
    Path(idp): Path<String>,
    Query(query): Query<LoginQuery>,
) -> Response {
    match label(&portal, &idp) {
        Some(label) => pages::idp_login(&idp, &label, &query.state, None),
        None => pages::no_such_provider(),
    }
}

/// `POST /_idp/{idp}/login`.
pub(crate) async fn login_submit(
    AxState(portal): AxState<Portal>,
    Path(idp): Path<String>,
    Form(form): Form<LoginForm>,
) -> Response {
    let Some(label) = label(&portal, &idp) else {
        return pages::no_such_provider();
    };
    let person = {
        let providers = lock(&portal.sim.state.identity_providers);
        providers.iter().find(|p| p.name == idp).and_then(|p| p.oidc_sign_in(&form.username, &form.password)).cloned()
    };
    let Some(person) = person else {
        return pages::idp_login(&idp, &label, &form.state, Some("Invalid username or password."));
    };
    let code = lock(&portal.sim.state.idp_codes).issue(&idp, person);
    let mut values = go_url::Values::new();
    go_url::add(&mut values, "code", &code);
    if !form.state.is_empty() {
        go_url::add(&mut values, "state", &form.state);
    }
    found(&format!("/oauth/redirect/{}?{}", go_url::path_escape(&idp), go_url::encode(&values)))
}
