//! The integration tests of `ks-sim`, in one binary: linking one test binary per file
//! was much of `make test`'s time on two cores.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod authentication;
mod authorization_matrix;
mod common;
mod faults;
mod journal;
mod members;
mod oauth;
mod openapi_routes;
mod roles;
mod seeds;
mod tenancy;
mod users;
mod users_write;
