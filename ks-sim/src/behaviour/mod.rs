//! Layer 2, KubeSphere's behaviours on the store: request authentication ([`authn`]), signing
//! in and token pairs ([`login`]), signing in through identity providers ([`identity`], shared
//! by the directories' password grant [`directory`] and the OAuth providers' callback
//! [`sso`]), KubeSphere as the OpenID provider ([`openid`]: codes, their exchange, id_tokens),
//! authorization ([`authz`]; about someone else, `subjectaccessreviews`: [`access_review`],
//! with the roles' rules for what the simulator does not serve in [`rbac_rules`]), the
//! controllers' side effects ([`controllers`], also run over the seed by [`bootstrap`]), the
//! member handlers' binding logic ([`membership`]) and name, password and e-mail validation
//! ([`validation`]).
//!
//! Imports only from `store`; nothing here knows about routes, responses, the journal or
//! faults.

pub(crate) mod access_review;
pub(crate) mod authn;
pub(crate) mod authz;
pub(crate) mod bootstrap;
pub(crate) mod controllers;
pub(crate) mod directory;
pub(crate) mod identity;
pub(crate) mod login;
pub(crate) mod membership;
pub(crate) mod openid;
pub(crate) mod rbac_rules;
pub(crate) mod sso;
pub(crate) mod validation;
