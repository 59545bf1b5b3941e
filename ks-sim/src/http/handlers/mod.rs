//! The route handlers, one module per area of the API. Authorization already ran in the filter
//! chain; handlers implement what ks-apiserver's handlers (and webhooks) do on top.

pub(crate) mod access_reviews;
pub(crate) mod authorize;
pub(crate) mod bindings;
pub(crate) mod clusters;
pub(crate) mod config;
pub(crate) mod login_records;
pub(crate) mod members;
pub(crate) mod oauth;
pub(crate) mod openid;
pub(crate) mod projects;
pub(crate) mod roles;
pub(crate) mod roletemplates;
pub(crate) mod server_info;
pub(crate) mod users;
pub(crate) mod workspaces;
