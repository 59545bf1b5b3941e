//! An in-memory simulator of KubeSphere 4.1's ks-apiserver HTTP API, following the contract in
//! `kubesphere-api.md`: OAuth, users, clusters, workspaces, projects, members, roles, role
//! templates and bindings with KubeSphere's authorization, identity providers and KubeSphere
//! as the OpenID provider (OAuth clients, `/oauth/authorize`, codes, id_tokens), plus what tests
//! need around them — a request journal, fault injection, a `/_sim` control API, and a stand-in
//! for the KubeSphere console (the "portal", [`RunningSim::spawn_portal`]) with a stand-in for
//! its OAuth providers. [`routes::table`] lists the routes.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let sim = ks_sim::Simulator::spawn(ks_sim::SimConfig::default(), "127.0.0.1:0".parse().unwrap()).await?;
//! let base = sim.base_url(); // http://127.0.0.1:PORT
//! # Ok(()) }
//! ```
//!
//! The crate has three layers, each importing only from the ones below it:
//!
//! 1. `store`: the in-memory world (users, roles, bindings, JSON objects, tokens), the seeds,
//!    the configuration and shared utilities;
//! 2. `behaviour`: what KubeSphere does with it — authentication, authorization, the
//!    controllers' side effects, validation;
//! 3. `http`: the routes and their handlers, the journal and fault filters, the `/_sim`
//!    control API and the assembled [`Simulator`].
//!
//! This file only re-exports the public API from them.

// Handlers bail out early with the ready ks-apiserver response; boxing it would only add noise.
#![allow(clippy::result_large_err)]

mod behaviour;
mod http;
mod store;

pub use self::http::{errors, faults, field_selector, journal, net, routes};
pub use self::store::{clients, config, idp, seed};

pub use self::http::portal::{serve_portal, RunningPortal};
pub use self::http::server::{serve, RunningSim};
pub use self::http::simulator::Simulator;
pub use self::store::users::UserState;
pub use clients::{GrantMethod, OAuthClient};
pub use config::{KsVersion, SimConfig};
pub use faults::{Fault, FaultAction};
pub use idp::{DirectoryPerson, IdentityProvider, MappingMethod, OidcPerson, PreRegistration};
pub use journal::JournalEntry;
pub use routes::{Route, RouteKind};
pub use seed::{Seed, SeedError, SeedGlobalRole, SeedProject, SeedRole, SeedUser, SeedWorkspace, DEMO_PASSWORD};
