//! What the load benchmarks share: virtual users that repeat one request, phases of load with
//! a warm-up, percentiles, and the memory of this process or another one.

use std::sync::Arc;
use std::time::{Duration, Instant};

/// A simulated client that repeats one kind of request.
pub trait VirtualUser: Send + Sync + 'static {
    /// One attempt: how long its timed request took, or why it failed.
    fn attempt(&self) -> impl Future<Output = Result<Duration, String>> + Send;
}

/// An error as the failure's description.
pub fn text(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// What a phase of load produced.
#[derive(Default)]
pub struct Tally {
    pub latencies: Vec<Duration>,
    pub failures: usize,
    pub first_failure: Option<String>,
    pub elapsed: Duration,
    /// The process's peak resident memory when the phase ended, in MiB.
    pub peak_mib: f64,
}

impl Tally {
    pub fn merge(&mut self, other: Tally) {
        self.latencies.extend(other.latencies);
        self.failures += other.failures;
        self.first_failure = self.first_failure.take().or(other.first_failure);
    }

    pub fn requests(&self) -> usize {
        self.latencies.len() + self.failures
    }
}

/// Nearest-rank percentile of sorted latencies, in milliseconds (0 when there are none).
pub fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted
        .get(rank.max(1) - 1)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// One user's loop until `until`.
async fn repeat<U: VirtualUser>(user: &U, until: Instant) -> Tally {
    let mut tally = Tally::default();
    while Instant::now() < until {
        match user.attempt().await {
            Ok(took) => tally.latencies.push(took),
            Err(why) => {
                tally.failures += 1;
                tally.first_failure.get_or_insert(why);
            }
        }
    }
    tally
}

/// Every user at once for `length`; the elapsed time runs until the last request in flight ends.
pub async fn phase<U: VirtualUser>(users: &[Arc<U>], length: Duration) -> Tally {
    let started = Instant::now();
    let until = started + length;
    let tasks: Vec<_> = users
        .iter()
        .map(|user| {
            let user = Arc::clone(user);
            tokio::spawn(async move { repeat(user.as_ref(), until).await })
        })
        .collect();
    let mut tally = Tally::default();
    for task in tasks {
        tally.merge(task.await.unwrap());
    }
    tally.elapsed = started.elapsed();
    tally.peak_mib = peak_memory_mib();
    tally
}

/// Peak resident memory of this process (`VmHWM`), in MiB.
pub fn peak_memory_mib() -> f64 {
    status_mib("self", "VmHWM").expect("VmHWM in /proc/self/status")
}

/// One memory figure (`VmHWM`, `VmRSS`…) of a process (`pid`, or `self`) from
/// `/proc/<pid>/status`, in MiB; `None` when the process or the figure is not there.
pub fn status_mib(pid: &str, key: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())?;
    Some(kib / 1024.0)
}
