//! What ks-apiserver's handlers read: its informer caches, which lag behind the writes by a
//! moment (`--read-lag-ms`). The live [`Db`] takes the writes; [`History`] keeps time-stamped
//! copies of it so that reads can be answered from the state of N milliseconds ago.
//!
//! [`DbGuard`] is the write handle: any mutable access marks it, and dropping a marked guard
//! records a copy (only when a lag is configured, so a simulator without lag pays nothing).

use std::collections::VecDeque;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::db::Db;
use super::util::lock;

/// Time-stamped copies of the database: every copy younger than the lag plus the newest older
/// one (the state a reader N ms late sees).
#[derive(Debug)]
pub(crate) struct History {
    lag: Duration,
    copies: VecDeque<(Instant, Arc<Db>)>,
}

impl History {
    /// A history starting with `db` (the seed, as the caches hold it once synced).
    pub fn new(lag: Duration, db: &Db) -> Self {
        let mut copies = VecDeque::new();
        if !lag.is_zero() {
            copies.push_back((Instant::now(), Arc::new(db.clone())));
        }
        History { lag, copies }
    }

    /// Records the state after a write and forgets copies no reader can ask for any more.
    pub fn record(&mut self, db: &Db) {
        let now = Instant::now();
        self.copies.push_back((now, Arc::new(db.clone())));
        let Some(cutoff) = now.checked_sub(self.lag) else {
            return;
        };
        // Keep the newest copy at or before the cutoff, drop the ones before it.
        while self.copies.len() > 1 && self.copies.get(1).is_some_and(|(t, _)| *t <= cutoff) {
            self.copies.pop_front();
        }
    }

    /// The state as of `lag` ago: the newest copy at or before then, else the oldest one.
    pub fn lagged(&self) -> Option<Arc<Db>> {
        let cutoff = Instant::now().checked_sub(self.lag);
        let at_cutoff = cutoff.and_then(|cutoff| self.copies.iter().rev().find(|(t, _)| *t <= cutoff));
        at_cutoff.or_else(|| self.copies.front()).map(|(_, db)| Arc::clone(db))
    }
}

/// The live database, locked. Mutable access marks it as written; on drop a written database
/// is copied into the [`History`] (when one is kept).
pub(crate) struct DbGuard<'a> {
    db: MutexGuard<'a, Db>,
    history: Option<&'a Mutex<History>>,
    written: bool,
}

impl<'a> DbGuard<'a> {
    /// `history` is `None` when reads do not lag.
    pub fn new(db: MutexGuard<'a, Db>, history: Option<&'a Mutex<History>>, written: bool) -> Self {
        DbGuard { db, history, written }
    }
}

impl Deref for DbGuard<'_> {
    type Target = Db;
    fn deref(&self) -> &Db {
        &self.db
    }
}

impl DerefMut for DbGuard<'_> {
    fn deref_mut(&mut self) -> &mut Db {
        self.written = true;
        &mut self.db
    }
}

impl Drop for DbGuard<'_> {
    fn drop(&mut self) {
        if let (true, Some(history)) = (self.written, self.history) {
            lock(history).record(&self.db);
        }
    }
}

/// What a handler reads: the live database (no lag) or a copy from `lag` ago.
pub(crate) enum DbRead<'a> {
    Live(DbGuard<'a>),
    Lagged(Arc<Db>),
}

impl Deref for DbRead<'_> {
    type Target = Db;
    fn deref(&self) -> &Db {
        match self {
            DbRead::Live(guard) => guard,
            DbRead::Lagged(db) => db,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn db(rv: u64) -> Db {
        Db { next_resource_version: rv, ..Db::default() }
    }

    #[test]
    fn a_reader_sees_the_newest_copy_older_than_the_lag() {
        let mut history = History::new(Duration::from_millis(50), &db(1));
        assert_eq!(history.lagged().unwrap().next_resource_version, 1, "the seed until a copy is old enough");
        history.record(&db(2));
        assert_eq!(history.lagged().unwrap().next_resource_version, 1);
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(history.lagged().unwrap().next_resource_version, 2);
        history.record(&db(3));
        assert_eq!(history.copies.len(), 2, "the seed is forgotten once a newer copy is past the lag");
        assert_eq!(history.lagged().unwrap().next_resource_version, 2);
    }
}
