//! One place that sets up logging: JSON lines to standard output (or any writer, for tests),
//! filtered by the configured level. Handlers log identifiers and request IDs, never personal
//! data or secrets.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Installs the global JSON subscriber writing to `writer`. Returns false when one was already
/// installed (tests that start several servers in one process).
pub fn init<W>(filter: &str, writer: W) -> bool
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(true)
        .with_span_list(false)
        .with_env_filter(filter)
        .with_writer(writer)
        .try_init()
        .is_ok()
}
