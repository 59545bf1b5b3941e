//! The integration tests of `ks-sim`, in one binary: linking one test binary per file
//! was much of `make test`'s time on two cores.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access_reviews;
mod authentication;
mod authorization_matrix;
mod authorize;
mod binding_names;
mod code_exchange;
mod common;
mod emails;
mod faults;
mod identity_providers;
mod journal;
mod logout;
mod members;
mod oauth;
mod oauth_clients;
mod openapi_routes;
mod portal;
mod pre_registration;
mod read_lag;
mod roles;
mod seeds;
mod tenancy;
mod unready_clusters;
mod users;
mod users_write;
