//! The integration tests of `server`, in one binary: linking one test binary per file
//! was much of `make test`'s time on two cores.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access_review;
mod activity;
mod binary;
mod bulk;
mod calls;
mod changing_roles;
mod common;
mod concurrent_apps;
mod creating_people;
mod creating_workspaces_and_projects;
mod directory;
mod every_page;
mod explain;
mod guardrails;
mod guards;
mod inviting;
mod languages;
mod lists;
mod lookup;
mod metrics;
mod navigation;
mod notifications;
mod onboarding;
mod panics;
mod platform_roles;
mod replicas;
mod requests;
mod rounds;
mod same_access;
mod sessions;
mod shared;
mod single_sign_on;
mod stores;
mod team_lead;
mod upstream;
