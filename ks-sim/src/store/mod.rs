//! Layer 1, the store: the in-memory world and the data it starts from. Users, roles, bindings
//! and the JSON objects ([`db::Db`]), the token cache ([`tokens`]), the shared [`state::State`],
//! the role-template catalogue, the identity providers ([`idp`]), the OAuth clients ([`clients`]), the seeds and the
//! configuration, plus the small utilities every
//! layer uses.
//!
//! Imports nothing from `behaviour` or `http`: what KubeSphere *does* with this data lives
//! there.

pub(crate) mod bindings;
pub mod clients;
pub mod config;
pub(crate) mod db;
pub(crate) mod history;
pub mod idp;
pub(crate) mod labels;
pub(crate) mod level;
pub(crate) mod objects;
pub(crate) mod roles;
pub mod seed;
pub(crate) mod signing;
pub(crate) mod state;
pub(crate) mod templates;
pub(crate) mod tokens;
pub(crate) mod users;
pub(crate) mod util;
