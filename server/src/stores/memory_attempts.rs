//! The console's own brake on password guessing, before KubeSphere is asked (KubeSphere locks
//! an account after its own count of failures). Attempts are counted per client address and per
//! (account, client address): nobody can lock a stranger out from afar, one success does not
//! wipe a series of failures, and parallel attempts cannot all pass the check before any of them
//! is counted, because checking and counting are one step under one lock.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::{Admission, AttemptStore, AttemptTicket, StoreError};

/// Where an attempt comes from, so that one machine counts once: an IPv4 address, or the /64
/// of an IPv6 address (a single host may use any address of its /64).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientPrefix(IpAddr);

impl std::fmt::Display for ClientPrefix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl ClientPrefix {
    pub fn of(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(_) => Self(ip),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Self(IpAddr::V4(v4)),
                None => {
                    let bits = u128::from(v6) & !(u128::MAX >> 64);
                    Self(IpAddr::V6(bits.into()))
                }
            },
        }
    }
}

/// The longest login name counted (bytes): longer ones are refused before counting, so a key
/// never grows with what a client sends. No name syntax applies: directory logins may be e-mails.
pub const MAX_LOGIN_NAME: usize = 256;

/// The account part of a throttle key: a fixed-length digest of the login name as typed (trimmed,
/// compared ignoring case), whatever its length.
pub fn account_key(username: &str) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(username.trim().to_lowercase().as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Address(ClientPrefix),
    Account(String, ClientPrefix),
}

/// How many attempts count, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Failed attempts per (account, address) in the window; 0 switches the throttle off.
    pub per_account: u32,
    /// Failed attempts per address in the window, whatever the account (an office behind one
    /// address may hold many people).
    pub per_address: u32,
    pub window: Duration,
    /// Keys remembered at most; past it the oldest are forgotten first (never all at once).
    pub capacity: usize,
}

#[derive(Debug, Default)]
struct State {
    /// Per key, the attempts in the window: when, and the ticket id to take one back.
    attempts: HashMap<Key, VecDeque<(Instant, u64)>>,
    /// Keys in the order they were first seen, for evicting the oldest.
    order: VecDeque<Key>,
    next_id: u64,
}

/// The in-memory [`AttemptStore`], for one process.
#[derive(Debug)]
pub struct LoginThrottle {
    limits: Limits,
    state: Mutex<State>,
}

impl LoginThrottle {
    pub fn new(limits: Limits) -> Self {
        Self { limits, state: Mutex::new(State::default()) }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn keys_of(username: &str, ip: IpAddr) -> [Key; 2] {
        let prefix = ClientPrefix::of(ip);
        [Key::Address(prefix), Key::Account(account_key(username), prefix)]
    }

    /// Counts an attempt to sign in as `username` from `ip` as a failure, or says how long to
    /// wait. An attempt never taken back (the client went away) stays counted.
    pub fn count(&self, username: &str, ip: IpAddr) -> Result<AttemptTicket, Duration> {
        let now = Instant::now();
        let mut state = self.state();
        state.next_id += 1;
        let ticket = AttemptTicket { username: username.to_owned(), ip, id: state.next_id };
        if self.limits.per_account == 0 {
            return Ok(ticket);
        }
        let keys = Self::keys_of(username, ip);
        let limits = [self.limits.per_address.max(self.limits.per_account), self.limits.per_account];
        let mut wait = None;
        for (key, limit) in keys.iter().zip(limits) {
            if let Some(times) = state.attempts.get_mut(key) {
                while times.front().is_some_and(|(t, _)| now.duration_since(*t) >= self.limits.window) {
                    times.pop_front();
                }
                if times.len() >= limit as usize {
                    let oldest = times.front().map_or(now, |(t, _)| *t);
                    let left = self.limits.window.saturating_sub(now.duration_since(oldest));
                    wait = Some(wait.map_or(left, |w: Duration| w.max(left)));
                }
            }
        }
        if let Some(wait) = wait {
            return Err(wait.max(Duration::from_secs(1)));
        }
        for key in &keys {
            if !state.attempts.contains_key(key) {
                self.make_room(&mut state);
                state.order.push_back(key.clone());
            }
            state.attempts.entry(key.clone()).or_default().push_back((now, ticket.id));
        }
        Ok(ticket)
    }

    /// Takes back the attempt `ticket` counted (earlier failures still count).
    pub fn take_back(&self, ticket: &AttemptTicket) {
        let mut state = self.state();
        for key in &Self::keys_of(&ticket.username, ticket.ip) {
            if let Some(times) = state.attempts.get_mut(key) {
                times.retain(|(_, id)| *id != ticket.id);
            }
        }
    }

    fn make_room(&self, state: &mut State) {
        while state.attempts.len() >= self.limits.capacity.max(2) {
            let Some(oldest) = state.order.pop_front() else { break };
            state.attempts.remove(&oldest);
        }
    }

    #[cfg(test)]
    fn keys(&self) -> usize {
        self.state().attempts.len()
    }
}

#[async_trait]
impl AttemptStore for LoginThrottle {
    async fn begin(&self, username: &str, ip: IpAddr) -> Result<Admission, StoreError> {
        Ok(match self.count(username, ip) {
            Ok(ticket) => Admission::Counted(ticket),
            Err(wait) => Admission::Wait(wait),
        })
    }

    async fn forgive(&self, ticket: AttemptTicket) -> Result<(), StoreError> {
        self.take_back(&ticket);
        Ok(())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn account_keys_have_one_length_whatever_was_typed_and_ignore_case() {
        let long = account_key(&"y".repeat(65_536));
        assert_eq!(long.len(), 32);
        assert_eq!(account_key(" Alice "), account_key("alice"));
        assert_ne!(account_key("alice"), account_key("alicf"));
    }

    fn throttle(per_account: u32, per_address: u32) -> LoginThrottle {
        LoginThrottle::new(Limits { per_account, per_address, window: Duration::from_secs(60), capacity: 1000 })
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn failures_block_the_account_from_that_address_only() {
        let t = throttle(2, 100);
        for _ in 0..2 {
            t.count("bob", ip("203.0.113.9")).unwrap();
        }
        assert!(t.count("bob", ip("203.0.113.9")).is_err());
        assert!(t.count("BOB", ip("203.0.113.9")).is_err(), "account names are compared as KubeSphere does");
        assert!(t.count("bob", ip("198.51.100.7")).is_ok(), "nobody locks bob out from afar");
        assert!(t.count("carol", ip("203.0.113.9")).is_ok());
    }

    #[test]
    fn an_address_has_its_own_limit_across_accounts() {
        let t = throttle(2, 3);
        for user in ["a", "b", "c"] {
            t.count(user, ip("203.0.113.9")).unwrap();
        }
        assert!(t.count("d", ip("203.0.113.9")).is_err());
    }

    #[test]
    fn a_success_does_not_wipe_earlier_failures() {
        let t = throttle(2, 100);
        t.count("bob", ip("203.0.113.9")).unwrap();
        let right = t.count("bob", ip("203.0.113.9")).unwrap();
        t.take_back(&right);
        t.count("bob", ip("203.0.113.9")).unwrap();
        assert!(t.count("bob", ip("203.0.113.9")).is_err());
    }

    #[test]
    fn parallel_attempts_are_counted_as_they_start() {
        let t = throttle(10, 100);
        let started: Vec<_> = (0..50).filter_map(|_| t.count("bob", ip("203.0.113.9")).ok()).collect();
        assert_eq!(started.len(), 10, "the eleventh is refused before the first has an answer");
    }

    #[test]
    fn ipv6_addresses_of_one_slash_64_count_together() {
        let t = throttle(2, 100);
        t.count("bob", ip("2001:db8:1:2::1")).unwrap();
        t.count("bob", ip("2001:db8:1:2:ffff::9")).unwrap();
        assert!(t.count("bob", ip("2001:db8:1:2::abcd")).is_err());
        assert!(t.count("bob", ip("2001:db8:1:3::1")).is_ok());
        assert_eq!(ClientPrefix::of(ip("::ffff:203.0.113.9")), ClientPrefix::of(ip("203.0.113.9")));
    }

    #[test]
    fn a_flood_of_addresses_evicts_the_oldest_not_everything() {
        let t = LoginThrottle::new(Limits {
            per_account: 1,
            per_address: 1,
            window: Duration::from_secs(60),
            capacity: 100,
        });
        t.count("bob", ip("192.0.2.1")).unwrap();
        for i in 0..40u8 {
            let _ = t.count("x", IpAddr::from([198, 51, 100, i]));
        }
        assert!(t.keys() <= 100);
        assert!(t.count("bob", ip("192.0.2.1")).is_err(), "recent entries survive a flood");
        for i in 0..200u8 {
            let _ = t.count("y", IpAddr::from([198, 18, 0, i]));
        }
        assert!(t.keys() <= 100, "bounded");
    }

    #[test]
    fn zero_switches_it_off() {
        let t = throttle(0, 0);
        for _ in 0..100 {
            t.count("bob", ip("203.0.113.9")).unwrap();
        }
    }
}
