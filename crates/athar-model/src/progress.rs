//! How far a piece of long work has come, and whether it should stop.
//!
//! Estimates, linkage runs and imports can take minutes. The work is handed a [`Progress`]
//! and tells it how much there is and how much is done; whoever started it (a job the
//! server keeps, a progress bar on the terminal) reads that, and may ask the work to stop.
//! The work looks at [`Progress::check`] between its steps and ends with [`Cancelled`]
//! when asked — having written nothing, since every write is one transaction.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Shared between the work and whoever watches it.
#[derive(Debug, Default)]
pub struct Progress {
    cancelled: AtomicBool,
    done: AtomicU64,
    total: AtomicU64,
}

/// The work stopped because it was asked to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

impl std::fmt::Display for Cancelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the work was cancelled before it finished; nothing was written")
    }
}

impl std::error::Error for Cancelled {}

impl Progress {
    pub fn new() -> Self {
        Self::default()
    }

    /// Ask the work to stop at its next step.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// `Err(Cancelled)` once the work has been asked to stop.
    pub fn check(&self) -> Result<(), Cancelled> {
        if self.is_cancelled() {
            Err(Cancelled)
        } else {
            Ok(())
        }
    }

    /// There are `more` further units of work.
    pub fn add_total(&self, more: u64) {
        self.total.fetch_add(more, Ordering::Relaxed);
    }

    /// `units` more are done.
    pub fn advance(&self, units: u64) {
        self.done.fetch_add(units, Ordering::Relaxed);
    }

    /// Exactly `units` are done (for work that counts from its own start).
    pub fn set_done(&self, units: u64) {
        self.done.store(units, Ordering::Relaxed);
    }

    /// Units done and units known so far (the total may grow as stages begin).
    pub fn snapshot(&self) -> (u64, u64) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_counts_up_and_stops_when_asked() {
        let p = Progress::new();
        p.add_total(10);
        p.advance(3);
        p.advance(2);
        assert_eq!(p.snapshot(), (5, 10));
        assert_eq!(p.check(), Ok(()));
        p.cancel();
        assert_eq!(p.check(), Err(Cancelled));
        p.set_done(10);
        assert_eq!(p.snapshot(), (10, 10));
    }
}
