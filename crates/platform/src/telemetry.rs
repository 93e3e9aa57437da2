//! One place that sets up logging: JSON lines to standard output (or any writer, for tests),
//! filtered by the configured level, and the recent warnings and errors kept for the operations
//! console ([`crate::log_capture`]). Handlers log identifiers and request IDs, never personal
//! data or secrets.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::log_capture;

/// Installs the global JSON subscriber writing to `writer`, with the capture of warnings and
/// errors beside it. Returns false when one was already installed (tests that start several
/// servers in one process).
pub fn init<W>(filter: &str, writer: W) -> bool
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let json = tracing_subscriber::fmt::layer()
        .json()
        .flatten_event(true)
        .with_current_span(true)
        .with_span_list(false)
        .with_writer(writer);
    tracing_subscriber::registry()
        .with(filter)
        .with(json)
        .with(log_capture::layer())
        .try_init()
        .is_ok()
}
