//! One request is one trace across the tiers of a split deployment: a gateway process and an
//! upstream process (the real binary, twice) export their spans over OTLP/HTTP to a collector,
//! here a receiver the test runs, and the upstream's span of a request continues the gateway's.
//! A trace context sent by a client is not believed.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use prost::Message as _;

use crate::support;

use support::binary::Binary;
use support::{Backend, free_addr, test_config};

/// One exported span, as the collector received it.
#[derive(Clone, Debug)]
struct Received {
    service: String,
    trace_id: String,
    span_id: String,
    parent_span_id: String,
    name: String,
    attributes: Vec<(String, String)>,
}

impl Received {
    fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

fn text(value: Option<&AnyValue>) -> String {
    match value.and_then(|v| v.value.as_ref()) {
        Some(any_value::Value::StringValue(s)) => s.clone(),
        Some(any_value::Value::IntValue(i)) => i.to_string(),
        Some(other) => format!("{other:?}"),
        None => String::new(),
    }
}

fn pairs(attributes: &[KeyValue]) -> Vec<(String, String)> {
    attributes
        .iter()
        .map(|kv| (kv.key.clone(), text(kv.value.as_ref())))
        .collect()
}

/// The OTLP/HTTP trace endpoint of a collector: every span it receives is kept.
async fn collector() -> (url::Url, Arc<Mutex<Vec<Received>>>) {
    let received = Arc::new(Mutex::new(Vec::new()));
    let app = Router::new()
        .route("/v1/traces", post(receive))
        .with_state(Arc::clone(&received));
    let addr: SocketAddr = free_addr();
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}").parse().unwrap(), received)
}

async fn receive(State(received): State<Arc<Mutex<Vec<Received>>>>, body: Bytes) -> Vec<u8> {
    let request = ExportTraceServiceRequest::decode(body).expect("an OTLP protobuf body");
    let mut kept = received.lock().unwrap();
    for resource in request.resource_spans {
        let service = resource
            .resource
            .map(|r| pairs(&r.attributes))
            .unwrap_or_default()
            .into_iter()
            .find(|(k, _)| k == "service.name")
            .map(|(_, v)| v)
            .unwrap_or_default();
        for scope in resource.scope_spans {
            for span in scope.spans {
                kept.push(Received {
                    service: service.clone(),
                    trace_id: hex::encode(&span.trace_id),
                    span_id: hex::encode(&span.span_id),
                    parent_span_id: hex::encode(&span.parent_span_id),
                    name: span.name,
                    attributes: pairs(&span.attributes),
                });
            }
        }
    }
    Vec::new()
}

const UPSTREAM_ROLES: &str = "portal,identity,backoffice,ops,worker";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_request_is_one_trace_across_gateway_and_upstream() {
    let (endpoint, received) = collector().await;
    let dir = tempfile::tempdir().unwrap();
    let mut upstream = test_config(dir.path(), Backend::Sqlite).await;
    upstream.telemetry.otlp_endpoint = Some(endpoint);
    upstream.public_addr = free_addr();
    upstream.staff_addr = free_addr();
    let mut gateway = upstream.clone();
    gateway.public_addr = free_addr();
    gateway.staff_addr = free_addr();
    gateway.edge.upstream_public =
        Some(format!("http://{}/", upstream.public_addr).parse().unwrap());
    gateway.edge.upstream_staff = Some(format!("http://{}/", upstream.staff_addr).parse().unwrap());
    let upstream = Binary::named(&upstream, dir.path(), "upstream");
    let mut upstream_server = upstream.serve_roles(UPSTREAM_ROLES).await;
    let gateway = Binary::named(&gateway, dir.path(), "gateway");
    let mut gateway_server = gateway.serve_roles("gateway").await;

    let http = reqwest::Client::new();
    let answer = http
        .get(format!("{}/login", gateway.base))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let request_id = answer.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    // A client's own trace context starts nothing: the gateway begins a trace of its own.
    let forged_trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    let forged = http
        .get(format!("{}/login", gateway.base))
        .header(
            "traceparent",
            format!("00-{forged_trace}-00f067aa0ba902b7-01"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 200);
    let forged_id = forged.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();

    // Stopping sends the spans still buffered.
    gateway_server.terminate();
    upstream_server.terminate();
    assert!(gateway_server.wait_for_exit().await.success());
    assert!(upstream_server.wait_for_exit().await.success());

    let spans = received.lock().unwrap().clone();
    let of = |service: &str, id: &str| -> Received {
        spans
            .iter()
            .find(|s| s.service == service && s.attribute("request_id") == Some(id))
            .unwrap_or_else(|| panic!("no span of {service} for request {id}: {spans:#?}"))
            .clone()
    };
    let front = of("assetstatus-gateway", &request_id);
    let back = of(
        &format!("assetstatus-{}", UPSTREAM_ROLES.replace(',', "+")),
        &request_id,
    );
    assert_eq!(back.trace_id, front.trace_id, "one request, one trace");
    assert_eq!(
        back.parent_span_id, front.span_id,
        "the upstream's span is a child of the gateway's"
    );
    for span in [&front, &back] {
        assert_eq!(span.name, "GET /login", "{span:?}");
        assert_eq!(span.attribute("http.route"), Some("/login"), "{span:?}");
        assert_eq!(span.attribute("http.response.status_code"), Some("200"));
    }
    assert!(
        front.parent_span_id.is_empty(),
        "the gateway's span begins the trace"
    );

    let forged_front = of("assetstatus-gateway", &forged_id);
    assert_ne!(forged_front.trace_id, forged_trace);
    assert!(forged_front.parent_span_id.is_empty());
    assert!(
        spans.iter().all(|s| s.trace_id != forged_trace),
        "a client's trace context reached no span"
    );
}
