//! Layer 3, HTTP: the route table ([`routes`]) and its [`handlers`], the filter chain in front
//! of them ([`filters`]: journal, faults, authentication, cluster dispatch, authorization), the
//! `/_sim` control API ([`control`]), ks-apiserver's error formats ([`errors`]), the
//! assembled [`simulator::Simulator`] with its [`server`], and the KubeSphere console stand-in
//! ([`portal`]) on its own listener.
//!
//! Imports from `behaviour` and `store`; nothing below imports from here.

pub(crate) mod body;
pub(crate) mod control;
pub mod errors;
pub mod faults;
pub mod field_selector;
pub(crate) mod filters;
pub(crate) mod go_url;
pub(crate) mod handlers;
pub mod journal;
pub mod net;
pub(crate) mod portal;
pub(crate) mod query;
pub(crate) mod response;
pub mod routes;
pub(crate) mod server;
pub(crate) mod simulator;
