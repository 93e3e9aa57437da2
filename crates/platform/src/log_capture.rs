//! Recent warnings and errors kept in memory for the operations console, each with the request
//! ID of the request it happened in, so that an administrator can follow that request through
//! the access log and the audit trail.
//!
//! Only the event's `message` is copied. Other fields may hold identifiers an operator could
//! look up elsewhere, and a careless one could hold personal data; the log on standard output
//! keeps them, the console does not need them.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use serde::Serialize;
use time::OffsetDateTime;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

/// Events kept; older ones are dropped (and counted) to bound memory whatever the log volume.
pub const CAPACITY: usize = 2_000;

/// Characters of a message kept; the rest is cut off.
pub const MESSAGE_CHARS: usize = 500;

/// The span field holding the request ID (see the access log middleware of the edge crate).
const REQUEST_ID: &str = "request_id";

/// How serious a captured event is; only these two levels are captured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    /// Something went wrong and was handled, or may need attention.
    Warn,
    /// Something failed.
    Error,
}

impl LogLevel {
    /// The level as the JSON log spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Warn => "warn",
            LogLevel::Error => "error",
        }
    }
}

/// One captured warning or error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogEvent {
    /// When it was logged, in milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// How serious it is.
    pub level: LogLevel,
    /// The module (or explicit target) that logged it.
    pub target: String,
    /// The event's message, at most [`MESSAGE_CHARS`] characters.
    pub message: String,
    /// The ID of the request it happened in; empty outside requests (background jobs).
    pub request_id: String,
}

/// A bounded buffer of events that counts what it had to drop.
#[derive(Debug)]
struct Ring {
    capacity: usize,
    events: VecDeque<LogEvent>,
    dropped: u64,
}

impl Ring {
    fn new(capacity: usize) -> Self {
        Self {
            capacity,
            events: VecDeque::new(),
            dropped: 0,
        }
    }

    fn push(&mut self, event: LogEvent) {
        while self.events.len() >= self.capacity.max(1) {
            self.events.pop_front();
            self.dropped += 1;
        }
        self.events.push_back(event);
    }
}

/// The process's buffer. A tracing subscriber is installed once per process and its layers live
/// as long as it does, so the events it captures cannot be held by any one application state:
/// this buffer is process-global for the same reason the subscriber is.
static CAPTURED: LazyLock<Arc<Mutex<Ring>>> =
    LazyLock::new(|| Arc::new(Mutex::new(Ring::new(CAPACITY))));

/// A buffer that is still usable after a panic elsewhere while it was locked: the worst left
/// behind is one event missing.
fn lock(ring: &Mutex<Ring>) -> std::sync::MutexGuard<'_, Ring> {
    ring.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Takes the events captured since the last call, oldest first.
pub fn drain() -> Vec<LogEvent> {
    lock(&CAPTURED).events.drain(..).collect()
}

/// How many events were dropped, since the process started, because the buffer was full.
pub fn dropped() -> u64 {
    lock(&CAPTURED).dropped
}

/// The layer filling the process's buffer; [`crate::telemetry::init`] installs it.
pub fn layer() -> CaptureLayer {
    CaptureLayer {
        ring: Arc::clone(&CAPTURED),
    }
}

/// A `tracing` layer copying warnings and errors into a bounded buffer.
pub struct CaptureLayer {
    ring: Arc<Mutex<Ring>>,
}

/// The request ID of a span, kept in its extensions.
struct SpanRequestId(String);

/// Picks the request ID out of a span's fields.
#[derive(Default)]
struct RequestIdVisitor(Option<String>);

impl Visit for RequestIdVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == REQUEST_ID {
            self.0 = Some(value.to_owned());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == REQUEST_ID {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

/// Picks the message out of an event's fields, and nothing else.
#[derive(Default)]
struct MessageVisitor(String);

impl Visit for MessageVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0 = value.to_owned();
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

/// `text` cut to at most `chars` characters, never inside a character.
fn truncate(mut text: String, chars: usize) -> String {
    if let Some((at, _)) = text.char_indices().nth(chars) {
        text.truncate(at);
    }
    text
}

impl CaptureLayer {
    fn remember<S>(id: &Id, ctx: &Context<'_, S>, visitor: RequestIdVisitor)
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        if let (Some(request_id), Some(span)) = (visitor.0, ctx.span(id)) {
            span.extensions_mut().replace(SpanRequestId(request_id));
        }
    }
}

impl<S> Layer<S> for CaptureLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut visitor = RequestIdVisitor::default();
        attrs.record(&mut visitor);
        Self::remember(id, &ctx, visitor);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let mut visitor = RequestIdVisitor::default();
        values.record(&mut visitor);
        Self::remember(id, &ctx, visitor);
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let level = match *event.metadata().level() {
            Level::ERROR => LogLevel::Error,
            Level::WARN => LogLevel::Warn,
            _ => return,
        };
        let mut message = MessageVisitor::default();
        event.record(&mut message);
        let request_id = ctx
            .event_scope(event)
            .and_then(|scope| {
                scope.into_iter().find_map(|span| {
                    span.extensions()
                        .get::<SpanRequestId>()
                        .map(|r| r.0.clone())
                })
            })
            .unwrap_or_default();
        let captured = LogEvent {
            at_ms: (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64,
            level,
            target: event.metadata().target().to_owned(),
            message: truncate(message.0, MESSAGE_CHARS),
            request_id,
        };
        lock(&self.ring).push(captured);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    /// Runs `f` with a subscriber whose capture layer fills a buffer of its own (tests run in
    /// parallel, so the process's buffer is not used), and returns that buffer.
    fn captured(capacity: usize, f: impl FnOnce()) -> Ring {
        let ring = Arc::new(Mutex::new(Ring::new(capacity)));
        let layer = CaptureLayer {
            ring: Arc::clone(&ring),
        };
        tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), f);
        std::mem::replace(&mut *ring.lock().unwrap(), Ring::new(0))
    }

    #[test]
    fn captures_warnings_and_errors_only() {
        let ring = captured(CAPACITY, || {
            tracing::trace!("trace");
            tracing::debug!("debug");
            tracing::info!("info");
            tracing::warn!(target: "outbox", "careful {}", 1);
            tracing::error!("broken");
        });
        let got: Vec<(LogLevel, &str, &str)> = ring
            .events
            .iter()
            .map(|e| (e.level, e.target.as_str(), e.message.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (LogLevel::Warn, "outbox", "careful 1"),
                (LogLevel::Error, module_path!(), "broken"),
            ]
        );
        assert!(ring.events.iter().all(|e| e.at_ms > 1_700_000_000_000));
    }

    #[test]
    fn only_the_message_is_copied() {
        let ring = captured(CAPACITY, || {
            tracing::warn!(email = "someone@example.jp", user_id = 7, "login refused");
        });
        assert_eq!(ring.events[0].message, "login refused");
        assert!(!format!("{:?}", ring.events).contains("example.jp"));
    }

    #[test]
    fn the_request_id_comes_from_the_nearest_enclosing_span_that_has_one() {
        let ring = captured(CAPACITY, || {
            tracing::warn!("outside");
            let request = tracing::info_span!("request", request_id = "r-outer");
            let _request = request.enter();
            let inner = tracing::info_span!("handler", customer = 3);
            let _inner = inner.enter();
            tracing::warn!("inside");
            let nested = tracing::info_span!("nested", request_id = %"r-inner");
            nested.in_scope(|| tracing::error!("nested"));
            let late = tracing::info_span!("late", request_id = tracing::field::Empty);
            late.record("request_id", "r-late");
            late.in_scope(|| tracing::error!("late"));
        });
        let got: Vec<(&str, &str)> = ring
            .events
            .iter()
            .map(|e| (e.message.as_str(), e.request_id.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("outside", ""),
                ("inside", "r-outer"),
                ("nested", "r-inner"),
                ("late", "r-late"),
            ]
        );
    }

    #[test]
    fn the_buffer_is_bounded_and_counts_what_it_drops() {
        let ring = captured(3, || {
            for i in 0..5 {
                tracing::warn!("event {i}");
            }
        });
        let messages: Vec<&str> = ring.events.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages, vec!["event 2", "event 3", "event 4"]);
        assert_eq!(ring.dropped, 2);
    }

    #[test]
    fn the_process_buffer_holds_at_most_its_capacity() {
        let mut ring = Ring::new(CAPACITY);
        for i in 0..CAPACITY + 10 {
            ring.push(LogEvent {
                at_ms: 0,
                level: LogLevel::Warn,
                target: String::new(),
                message: i.to_string(),
                request_id: String::new(),
            });
        }
        assert_eq!(ring.events.len(), CAPACITY);
        assert_eq!(ring.dropped, 10);
        assert_eq!(ring.events[0].message, "10");
    }

    #[test]
    fn long_messages_are_cut_between_characters() {
        let japanese = "資産状況の照会に失敗しました。".repeat(50);
        let ring = captured(CAPACITY, || {
            tracing::warn!("{japanese}");
            tracing::warn!("{}", "a".repeat(MESSAGE_CHARS));
        });
        let cut = &ring.events[0].message;
        assert_eq!(cut.chars().count(), MESSAGE_CHARS);
        assert!(japanese.starts_with(cut.as_str()));
        assert_eq!(ring.events[1].message.len(), MESSAGE_CHARS);
    }

    #[test]
    fn truncating_short_text_changes_nothing() {
        assert_eq!(truncate("é".repeat(3), 3), "ééé");
        assert_eq!(truncate("éé€".to_owned(), 2), "éé");
        assert_eq!(truncate(String::new(), 0), "");
    }
}
