//! The process's long-running tasks under one owner, each with a name. They share one shutdown
//! signal and are awaited together when the process stops. A background loop (the outbox, the
//! alert engine, the backup schedule) that ends before the signal, by a panic or a bug, is
//! logged by name and started again after a pause: otherwise the process would go on answering
//! its health checks while its mails or backups had silently stopped. A listener that ends is
//! only logged, since its socket went with it; the health check on that listener then fails and
//! the orchestrator replaces the task.

use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Pause before a loop that ended early is started again.
const RESTART_PAUSE: Duration = Duration::from_secs(5);

/// The named tasks of one process and their shutdown signal.
pub struct Supervisor {
    shutdown: watch::Sender<bool>,
    tasks: Vec<(&'static str, JoinHandle<()>)>,
}

impl Default for Supervisor {
    fn default() -> Self {
        Self::new()
    }
}

impl Supervisor {
    /// No tasks yet; the signal is not raised.
    pub fn new() -> Self {
        Self {
            shutdown: watch::channel(false).0,
            tasks: Vec::new(),
        }
    }

    /// The shutdown signal, for a task to stop on.
    pub fn signal(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    /// Keeps `start`'s task running until shutdown: started now, and again after
    /// [`RESTART_PAUSE`] whenever it ends before the signal.
    pub fn keep<F>(&mut self, name: &'static str, start: F)
    where
        F: Fn(watch::Receiver<bool>) -> JoinHandle<()> + Send + 'static,
    {
        let mut signal = self.signal();
        let keeper = tokio::spawn(async move {
            loop {
                let ended = start(signal.clone()).await;
                if *signal.borrow() {
                    break;
                }
                match ended {
                    Err(e) if e.is_panic() => {
                        tracing::error!(task = name, "background task panicked; starting it again");
                    }
                    _ => tracing::error!(task = name, "background task ended; starting it again"),
                }
                tokio::select! {
                    () = tokio::time::sleep(RESTART_PAUSE) => {}
                    _ = signal.wait_for(|stop| *stop) => break,
                }
            }
        });
        self.tasks.push((name, keeper));
    }

    /// Owns a task that cannot be started again (a listener and its socket): one that ends
    /// before shutdown is logged by name.
    pub fn own(&mut self, name: &'static str, task: JoinHandle<()>) {
        let signal = self.signal();
        let watcher = tokio::spawn(async move {
            let ended = task.await;
            if !*signal.borrow() {
                match ended {
                    Err(e) if e.is_panic() => tracing::error!(task = name, "task panicked"),
                    _ => tracing::error!(task = name, "task ended before shutdown"),
                }
            }
        });
        self.tasks.push((name, watcher));
    }

    /// Raises the signal and waits for every task to finish.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        for (name, task) in self.tasks {
            if let Err(e) = task.await {
                tracing::error!(task = name, error = %e, "task failed while stopping");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A loop that panics at once, counting its starts.
    fn panicking(starts: Arc<AtomicUsize>) -> impl Fn(watch::Receiver<bool>) -> JoinHandle<()> {
        move |_signal| {
            starts.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async { panic!("a bug in a background loop") })
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_loop_that_ends_early_is_started_again_until_shutdown() {
        let starts = Arc::new(AtomicUsize::new(0));
        let mut supervisor = Supervisor::new();
        supervisor.keep("outbox", panicking(Arc::clone(&starts)));
        tokio::time::sleep(RESTART_PAUSE * 3 + Duration::from_millis(100)).await;
        let seen = starts.load(Ordering::SeqCst);
        assert_eq!(seen, 4, "started, then again after each pause");
        supervisor.stop().await;
        tokio::time::sleep(RESTART_PAUSE * 3).await;
        assert_eq!(
            starts.load(Ordering::SeqCst),
            seen,
            "not started after shutdown"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_loop_that_stops_on_the_signal_is_not_started_again() {
        let starts = Arc::new(AtomicUsize::new(0));
        let mut supervisor = Supervisor::new();
        let counted = Arc::clone(&starts);
        supervisor.keep("sampler", move |mut signal| {
            counted.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let _ = signal.wait_for(|stop| *stop).await;
            })
        });
        tokio::time::sleep(RESTART_PAUSE * 2).await;
        supervisor.stop().await;
        assert_eq!(starts.load(Ordering::SeqCst), 1);
    }
}
