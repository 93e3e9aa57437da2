//! One place that sets up logging and traces: JSON lines to standard output (or any writer, for
//! tests), filtered by the configured level; the recent warnings and errors kept for the
//! operations console ([`crate::log_capture`]); and, when a collector is configured, each
//! request's spans exported over OTLP/HTTP ([`Traces`]). Handlers log identifiers and request
//! IDs, never personal data or secrets; spans carry the same (route templates, status, request
//! ID), never a raw path or a form value.
//!
//! A request that crosses the gateway and an upstream role is one trace: the gateway writes its
//! span's context into the forwarded request (W3C `traceparent`, [`inject_context`]) and the
//! upstream continues it ([`continue_trace`]). Clients cannot set that context: the edge removes
//! [`CONTEXT_HEADERS`] from every request before its own layers run.

use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue};
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry::trace::{TraceContextExt as _, TracerProvider as _};
use opentelemetry_otlp::{Protocol, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider};
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::log_capture;

/// The headers of the W3C trace context, which only the gateway may set.
pub const CONTEXT_HEADERS: [&str; 2] = ["traceparent", "tracestate"];

/// How long one export to the collector may take before its spans are dropped.
const EXPORT_TIMEOUT: Duration = Duration::from_secs(5);

/// Where this process's spans go.
#[derive(Clone, Debug)]
pub struct Traces {
    /// The collector's OTLP/HTTP base URL; spans go to `<endpoint>/v1/traces`.
    pub endpoint: url::Url,
    /// The name the spans carry (`service.name`), e.g. `assetstatus-gateway`.
    pub service_name: String,
    /// Share of new traces recorded, 0.0–1.0.
    pub sample_ratio: f64,
}

/// Why telemetry could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    /// The span exporter refused its settings.
    #[error("telemetry.otlp_endpoint: {0}")]
    Exporter(String),
}

/// The installed telemetry; [`Telemetry::shutdown`] sends the spans still buffered.
#[must_use = "shut it down before the process exits, or the last spans are lost"]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Sends the spans still buffered and stops the exporter.
    pub fn shutdown(self) {
        if let Some(provider) = self.provider
            && let Err(e) = provider.shutdown()
        {
            tracing::warn!(error = %e, "spans still buffered could not be sent");
        }
    }
}

/// Installs the global JSON subscriber writing to `writer`, with the capture of warnings and
/// errors beside it and, with `traces`, the export of spans. When a subscriber was installed
/// already (tests that start several servers in one process), nothing changes.
pub fn init<W>(
    filter: &str,
    writer: W,
    traces: Option<&Traces>,
) -> Result<Telemetry, TelemetryError>
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
    let provider = traces.map(tracer_provider).transpose()?;
    let spans = provider
        .as_ref()
        .map(|p| tracing_opentelemetry::layer().with_tracer(p.tracer("assetstatus")));
    let installed = tracing_subscriber::registry()
        .with(filter)
        .with(json)
        .with(log_capture::layer())
        .with(spans)
        .try_init()
        .is_ok();
    Ok(Telemetry {
        provider: provider.filter(|_| installed),
    })
}

/// The span pipeline: batches exported over OTLP/HTTP (protobuf) from a thread of its own,
/// sampled by trace ID unless the trace was begun elsewhere.
fn tracer_provider(traces: &Traces) -> Result<SdkTracerProvider, TelemetryError> {
    let endpoint = format!(
        "{}/v1/traces",
        traces.endpoint.as_str().trim_end_matches('/')
    );
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(endpoint)
        .with_timeout(EXPORT_TIMEOUT)
        .build()
        .map_err(|e| TelemetryError::Exporter(e.to_string()))?;
    let sampler = Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(traces.sample_ratio)));
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_sampler(sampler)
        .with_resource(
            Resource::builder()
                .with_service_name(traces.service_name.clone())
                .build(),
        )
        .build())
}

/// Writes the current span's trace context into `headers`, for the next hop.
pub fn inject_context(headers: &mut HeaderMap) {
    let context = tracing::Span::current().context();
    TraceContextPropagator::new().inject_context(&context, &mut HeaderWriter(headers));
}

/// Makes `span` continue the trace whose context `headers` carry, when they carry one.
pub fn continue_trace(span: &tracing::Span, headers: &HeaderMap) {
    if !headers.contains_key(CONTEXT_HEADERS[0]) {
        return;
    }
    let parent = TraceContextPropagator::new().extract(&HeaderReader(headers));
    if let Err(e) = span.set_parent(parent) {
        tracing::debug!(error = %e, "trace context not continued");
    }
}

/// Names `span` in its trace by method and route (e.g. `GET /login`), once the route is known:
/// after the span has begun, only the exported span can be renamed, not the `tracing` one. With
/// traces off, or the trace not sampled, nothing is formatted: this runs on every request.
pub fn name_span(span: &tracing::Span, method: &str, route: &str) {
    let context = span.context();
    let exported = context.span();
    if exported.is_recording() {
        exported.update_name(format!("{method} {route}"));
    }
}

/// Removes a trace context the request should not carry (one a client sent).
pub fn forget_context(headers: &mut HeaderMap) {
    for name in CONTEXT_HEADERS {
        headers.remove(name);
    }
}

struct HeaderWriter<'a>(&'a mut HeaderMap);

impl Injector for HeaderWriter<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(key.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            self.0.insert(name, value);
        }
    }
}

struct HeaderReader<'a>(&'a HeaderMap);

impl Extractor for HeaderReader<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(HeaderName::as_str).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trace_id(span: &tracing::Span) -> opentelemetry::trace::TraceId {
        span.context().span().span_context().trace_id()
    }

    /// The context the gateway writes is the one the upstream continues: one trace, and a
    /// request without a context starts its own.
    #[test]
    fn a_forwarded_context_continues_the_same_trace() {
        let provider = SdkTracerProvider::builder().build();
        let subscriber = tracing_subscriber::registry()
            .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
        tracing::subscriber::with_default(subscriber, || {
            let gateway = tracing::error_span!("request");
            let mut headers = HeaderMap::new();
            gateway.in_scope(|| inject_context(&mut headers));
            let traceparent = headers["traceparent"].to_str().unwrap().to_owned();
            assert!(
                traceparent.contains(&trace_id(&gateway).to_string()),
                "{traceparent}"
            );

            let upstream = tracing::error_span!("request");
            continue_trace(&upstream, &headers);
            assert_eq!(trace_id(&upstream), trace_id(&gateway));

            let unrelated = tracing::error_span!("request");
            continue_trace(&unrelated, &HeaderMap::new());
            assert_ne!(trace_id(&unrelated), trace_id(&gateway));

            forget_context(&mut headers);
            assert!(CONTEXT_HEADERS.iter().all(|h| !headers.contains_key(*h)));
        });
    }
}
