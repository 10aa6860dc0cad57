//! The OS keyring, opened off the start-up path.
//!
//! Whether the keyring works is only known after a write/read/delete round trip over D-Bus (or
//! an unlock prompt), about 30 ms on a desktop and up to [`KEYRING_PROBE_TIMEOUT`] on a locked
//! one. [`ProbedKeyring`] starts that probe on a thread of its own and lets the window and the
//! page load meanwhile; a store call made before the probe has finished waits for it (the core
//! makes every store call on a blocking thread). If the keyring does not work, or does not
//! answer in time, [`MemoryStore::fallback`] takes its place and [`TokenStore::persistent`]
//! says so.

use sdesk_core::auth::{KeyringStore, MemoryStore, TokenSet, TokenStore, KEYRING_SERVICE};
use sdesk_core::{Result, Secret};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long the probe may take before the app falls back to memory (a locked Secret Service can
/// wait for an unlock prompt; sign-in must not wait for it forever).
pub const KEYRING_PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// A token store whose backend is decided by a background probe; see the module docs.
#[derive(Debug)]
pub struct ProbedKeyring {
    outcome: Mutex<Option<Arc<dyn TokenStore>>>,
    settled: Condvar,
    deadline: Instant,
}

impl ProbedKeyring {
    /// Starts probing the OS keyring and returns at once.
    pub fn start(timeout: Duration) -> Arc<Self> {
        Self::start_with(timeout, || {
            let store = KeyringStore::new(KEYRING_SERVICE);
            store
                .probe()
                .map(|()| Arc::new(store) as Arc<dyn TokenStore>)
        })
    }

    /// [`start`](Self::start) with another probe (tests).
    pub fn start_with<F>(timeout: Duration, probe: F) -> Arc<Self>
    where
        F: FnOnce() -> Result<Arc<dyn TokenStore>> + Send + 'static,
    {
        let me = Arc::new(Self {
            outcome: Mutex::new(None),
            settled: Condvar::new(),
            deadline: Instant::now() + timeout,
        });
        let slot = Arc::clone(&me);
        let spawned = std::thread::Builder::new()
            .name("keyring-probe".into())
            .spawn(move || {
                let outcome = probe().unwrap_or_else(|e| {
                    tracing::warn!(kind = %e.kind(), "keyring unavailable, keeping sign-ins in memory: {e}");
                    Arc::new(MemoryStore::fallback())
                });
                slot.settle(outcome);
            });
        if let Err(e) = spawned {
            tracing::warn!("could not start the keyring probe, keeping sign-ins in memory: {e}");
            me.settle(Arc::new(MemoryStore::fallback()));
        }
        me
    }

    /// Records the first outcome (a probe that answers after the deadline is ignored).
    fn settle(&self, outcome: Arc<dyn TokenStore>) {
        let mut slot = self.outcome.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.is_none() {
            *slot = Some(outcome);
            self.settled.notify_all();
        }
    }

    /// The settled store (the OS keyring or [`MemoryStore::fallback`]), waiting for the probe
    /// until the deadline at most.
    fn store(&self) -> Arc<dyn TokenStore> {
        let mut slot = self.outcome.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(store) = slot.as_ref() {
                return Arc::clone(store);
            }
            let now = Instant::now();
            if now >= self.deadline {
                tracing::warn!("the keyring did not answer in time; keeping sign-ins in memory");
                let memory: Arc<dyn TokenStore> = Arc::new(MemoryStore::fallback());
                *slot = Some(Arc::clone(&memory));
                return memory;
            }
            slot = self
                .settled
                .wait_timeout(slot, self.deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

impl TokenStore for ProbedKeyring {
    fn load(&self) -> Result<Option<TokenSet>> {
        self.store().load()
    }

    fn save(&self, tokens: &TokenSet) -> Result<()> {
        self.store().save(tokens)
    }

    fn clear(&self) -> Result<()> {
        self.store().clear()
    }

    fn load_secret(&self, name: &str) -> Result<Option<Secret>> {
        self.store().load_secret(name)
    }

    fn save_secret(&self, name: &str, value: &Secret) -> Result<()> {
        self.store().save_secret(name, value)
    }

    fn delete_secret(&self, name: &str) -> Result<()> {
        self.store().delete_secret(name)
    }

    fn persistent(&self) -> bool {
        self.store().persistent()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sdesk_core::Error;
    use std::sync::mpsc;

    #[test]
    fn calls_wait_for_the_probe_and_then_use_the_keyring_it_found() {
        let (go, gate) = mpsc::channel::<()>();
        let keyring = Arc::new(MemoryStore::new());
        let found = Arc::clone(&keyring);
        let store = ProbedKeyring::start_with(Duration::from_secs(10), move || {
            gate.recv().unwrap();
            Ok(found as Arc<dyn TokenStore>)
        });
        let waiter = {
            let store = Arc::clone(&store);
            std::thread::spawn(move || store.save_secret("client-secret", &Secret::new("s3")))
        };
        std::thread::sleep(Duration::from_millis(50));
        assert!(
            !waiter.is_finished(),
            "a call made during the probe waits for it"
        );
        go.send(()).unwrap();
        waiter.join().unwrap().unwrap();
        assert!(store.persistent(), "the probe found a working keyring");
        assert_eq!(
            keyring
                .load_secret("client-secret")
                .unwrap()
                .map(|s| s.expose().to_owned()),
            Some("s3".to_owned()),
            "the waiting call went to the keyring the probe found"
        );
    }

    #[test]
    fn a_failed_probe_leaves_a_memory_store_that_says_so() {
        let store = ProbedKeyring::start_with(Duration::from_secs(10), || {
            Err(Error::KeyringUnavailable {
                message: "no Secret Service".into(),
            })
        });
        assert!(!store.persistent(), "sign-ins are memory-only");
        store
            .save_secret("client-secret", &Secret::new("s3"))
            .unwrap();
        assert!(
            store.load_secret("client-secret").unwrap().is_some(),
            "the memory store still keeps things for this run"
        );
    }

    #[test]
    fn a_probe_that_hangs_is_given_up_at_the_deadline() {
        let (_keep_open, gate) = mpsc::channel::<()>();
        let store = ProbedKeyring::start_with(Duration::from_millis(100), move || {
            let _ = gate.recv(); // never answers while the test runs
            Ok(Arc::new(MemoryStore::new()) as Arc<dyn TokenStore>)
        });
        let t0 = Instant::now();
        assert!(!store.persistent(), "no answer in time: memory only");
        assert!(
            t0.elapsed() < Duration::from_secs(5),
            "the wait ends at the deadline, not when the probe would"
        );
    }
}
