//! A small circuit breaker: after `threshold` consecutive upstream failures, calls fail fast for
//! `cooldown`; then one probe is let through, and its outcome closes or re-opens the breaker.

use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub(crate) struct Breaker {
    threshold: u32,
    cooldown: Duration,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    consecutive_failures: u32,
    open_until: Option<Instant>,
    probe_in_flight: bool,
}

/// Leave to send one call upstream. Its outcome is reported with [`Permit::record`]; a permit
/// dropped unreported (the caller went away mid-request) releases the probe slot it may hold,
/// so a cancelled probe can never keep the breaker shut.
#[derive(Debug)]
pub(crate) struct Permit<'a> {
    breaker: &'a Breaker,
    probe: bool,
    recorded: bool,
}

/// The breaker is open: fail fast.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Rejected;

impl Breaker {
    pub(crate) fn new(threshold: u32, cooldown: Duration) -> Self {
        Self { threshold, cooldown, state: Mutex::new(State::default()) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn admit(&self) -> Result<Permit<'_>, Rejected> {
        let permit = |probe| Ok(Permit { breaker: self, probe, recorded: false });
        if self.threshold == 0 {
            return permit(false);
        }
        let mut s = self.lock();
        match s.open_until {
            None => permit(false),
            Some(until) if Instant::now() < until => Err(Rejected),
            Some(_) if s.probe_in_flight => Err(Rejected),
            Some(_) => {
                s.probe_in_flight = true;
                permit(true)
            }
        }
    }

    fn record(&self, upstream_failed: bool) {
        if self.threshold == 0 {
            return;
        }
        let mut s = self.lock();
        s.probe_in_flight = false;
        if upstream_failed {
            s.consecutive_failures = s.consecutive_failures.saturating_add(1);
            if s.consecutive_failures >= self.threshold {
                s.open_until = Some(Instant::now() + self.cooldown);
                crate::telemetry::breaker_open(true);
            }
        } else {
            if s.open_until.is_some() {
                crate::telemetry::breaker_open(false);
            }
            *s = State::default();
        }
    }
}

impl Permit<'_> {
    /// Reports the call's outcome: a failure of the upstream itself, or not.
    pub(crate) fn record(mut self, upstream_failed: bool) {
        self.recorded = true;
        self.breaker.record(upstream_failed);
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if self.probe && !self.recorded {
            self.breaker.lock().probe_in_flight = false;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]
    use super::*;

    fn fail(b: &Breaker) {
        if let Ok(p) = b.admit() {
            p.record(true);
        }
    }

    #[test]
    fn opens_after_threshold_and_probes_after_cooldown() {
        let b = Breaker::new(2, Duration::from_millis(30));
        fail(&b);
        assert!(b.admit().is_ok());
        fail(&b);
        assert_eq!(b.admit().err(), Some(Rejected));
        std::thread::sleep(Duration::from_millis(40));
        let probe = b.admit().expect("one probe after the cool-down");
        assert_eq!(b.admit().err(), Some(Rejected), "only one probe at a time");
        probe.record(false);
        assert!(b.admit().is_ok(), "a successful probe closes the breaker");
    }

    #[test]
    fn a_failed_probe_reopens() {
        let b = Breaker::new(1, Duration::from_millis(20));
        fail(&b);
        std::thread::sleep(Duration::from_millis(25));
        b.admit().expect("the probe").record(true);
        assert_eq!(b.admit().err(), Some(Rejected));
    }

    #[test]
    fn a_dropped_probe_does_not_keep_the_breaker_shut() {
        let b = Breaker::new(1, Duration::from_millis(20));
        fail(&b);
        std::thread::sleep(Duration::from_millis(25));
        let probe = b.admit().expect("the probe");
        assert_eq!(b.admit().err(), Some(Rejected));
        drop(probe); // the caller disconnected mid-request
        assert!(b.admit().is_ok(), "the next call is the new probe");
    }
}
