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

/// Whether a call may go upstream.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Admission {
    Allowed,
    Rejected,
}

impl Breaker {
    pub(crate) fn new(threshold: u32, cooldown: Duration) -> Self {
        Self { threshold, cooldown, state: Mutex::new(State::default()) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn admit(&self) -> Admission {
        if self.threshold == 0 {
            return Admission::Allowed;
        }
        let mut s = self.lock();
        match s.open_until {
            None => Admission::Allowed,
            Some(until) if Instant::now() < until => Admission::Rejected,
            Some(_) if s.probe_in_flight => Admission::Rejected,
            Some(_) => {
                s.probe_in_flight = true;
                Admission::Allowed
            }
        }
    }

    pub(crate) fn record(&self, upstream_failed: bool) {
        if self.threshold == 0 {
            return;
        }
        let mut s = self.lock();
        s.probe_in_flight = false;
        if upstream_failed {
            s.consecutive_failures = s.consecutive_failures.saturating_add(1);
            if s.consecutive_failures >= self.threshold {
                s.open_until = Some(Instant::now() + self.cooldown);
            }
        } else {
            *s = State::default();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_threshold_and_probes_after_cooldown() {
        let b = Breaker::new(2, Duration::from_millis(30));
        b.record(true);
        assert_eq!(b.admit(), Admission::Allowed);
        b.record(true);
        assert_eq!(b.admit(), Admission::Rejected);
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(b.admit(), Admission::Allowed, "one probe after the cool-down");
        assert_eq!(b.admit(), Admission::Rejected, "only one probe at a time");
        b.record(false);
        assert_eq!(b.admit(), Admission::Allowed, "a successful probe closes the breaker");
    }

    #[test]
    fn a_failed_probe_reopens() {
        let b = Breaker::new(1, Duration::from_millis(20));
        b.record(true);
        std::thread::sleep(Duration::from_millis(25));
        assert_eq!(b.admit(), Admission::Allowed);
        b.record(true);
        assert_eq!(b.admit(), Admission::Rejected);
    }
}
