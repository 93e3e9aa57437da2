//! The web application firewall, in process: size limits, path rules (traversal, null bytes,
//! invalid UTF-8), request-smuggling shapes, and SQL-injection and cross-site-scripting
//! signatures on query and form fields. Each signature rule is in block mode (403) or count
//! mode (recorded, let through) as configured; every match is counted on `/metrics`.
//!
//! Signatures look for the shapes attacks take, not for words: "select", "union" or an
//! apostrophe in a name are ordinary customer input (a corpus of such input is kept as test
//! data, and no rule may match it).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use regex::Regex;

use crate::HttpMetrics;

/// What a matching signature does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Refuse the request.
    Block,
    /// Let it through, but count and log the match.
    Count,
}

/// Limits on the parts of a request.
#[derive(Clone, Debug)]
pub struct Limits {
    /// All header names and values together.
    pub header_bytes: usize,
    /// Path and query.
    pub uri_bytes: usize,
    /// Query string alone.
    pub query_bytes: usize,
    /// Declared body size, except on upload routes.
    pub body_bytes: usize,
    /// Declared body size on upload routes.
    pub upload_bytes: usize,
}

/// One signature rule.
struct Rule {
    id: &'static str,
    pattern: Regex,
    mode: Mode,
}

/// The firewall's rules and limits.
pub struct Waf {
    limits: Limits,
    rules: Vec<Rule>,
    metrics: Arc<HttpMetrics>,
}

/// The signatures: (rule ID, pattern over decoded, lower-cased input).
const SIGNATURES: [(&str, &str); 9] = [
    (
        "sqli-tautology",
        r#"['"]\s*(or|and)\s+['"]?\w+['"]?\s*(=|<|>|like)\s*['"]?\w+"#,
    ),
    ("sqli-union", r"\bunion\b(\s|/\*.*?\*/)+(all\s+)?select\b"),
    (
        "sqli-stacked",
        r";\s*(drop|delete|insert|update|alter|create|truncate|exec)\s",
    ),
    ("sqli-comment", r#"['"]\s*(--|#|/\*)"#),
    (
        "sqli-functions",
        r"\b(sleep|benchmark|pg_sleep|load_file)\s*\(|\bwaitfor\s+delay\s+'|\binformation_schema\s*\.",
    ),
    ("xss-script", r"<\s*/?\s*script\b"),
    ("xss-handler", r"<[^>]*\bon[a-z]+\s*="),
    ("xss-url", r"(javascript|vbscript)\s*:|data\s*:\s*text/html"),
    (
        "xss-tags",
        r"<\s*(iframe|object|embed|svg|img|math|base|meta|link|style)\b",
    ),
];

/// Routes whose bodies are uploads, with their own limit.
const UPLOAD_ROUTES: [&str; 2] = ["/assets/import", "/application/documents"];

impl Waf {
    /// The firewall with every rule in block mode unless `modes` says otherwise.
    pub fn new(limits: Limits, modes: &BTreeMap<String, Mode>, metrics: Arc<HttpMetrics>) -> Self {
        let rules = SIGNATURES
            .iter()
            .filter_map(|(id, pattern)| {
                Some(Rule {
                    id,
                    pattern: Regex::new(pattern).ok()?,
                    mode: modes.get(*id).copied().unwrap_or(Mode::Block),
                })
            })
            .collect();
        Self {
            limits,
            rules,
            metrics,
        }
    }

    /// IDs of every signature rule.
    pub fn rule_ids() -> impl Iterator<Item = &'static str> {
        SIGNATURES.iter().map(|(id, _)| *id)
    }

    /// The first rule in block mode that one of `values` matches; count-mode matches are
    /// recorded on the way.
    fn scan<'a>(&self, values: impl Iterator<Item = &'a str>) -> Option<&'static str> {
        for value in values {
            let normal = normalise(value);
            for rule in &self.rules {
                if rule.pattern.is_match(&normal) {
                    self.metrics.waf_match(rule.id, rule.mode == Mode::Block);
                    if rule.mode == Mode::Block {
                        return Some(rule.id);
                    }
                    tracing::warn!(rule = rule.id, "WAF rule matched (count mode)");
                }
            }
        }
        None
    }

    /// Checks everything but the body; the refusal's status and reason.
    fn check_head(&self, request: &Request) -> Result<(), (StatusCode, &'static str)> {
        let headers = request.headers();
        let header_bytes: usize = headers
            .iter()
            .map(|(n, v)| n.as_str().len() + v.len())
            .sum();
        if header_bytes > self.limits.header_bytes {
            return Err((StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "headers"));
        }
        let uri = request.uri();
        let query = uri.query().unwrap_or_default();
        if uri.path().len() + query.len() > self.limits.uri_bytes
            || query.len() > self.limits.query_bytes
        {
            return Err((StatusCode::URI_TOO_LONG, "uri"));
        }
        check_path(uri.path())?;
        check_framing(headers)?;
        let limit = if UPLOAD_ROUTES.contains(&uri.path()) {
            self.limits.upload_bytes
        } else {
            self.limits.body_bytes
        };
        if declared_length(headers).is_some_and(|n| n > limit) {
            return Err((StatusCode::PAYLOAD_TOO_LARGE, "body"));
        }
        Ok(())
    }
}

/// Lower-cased, percent- and plus-decoded, whitespace collapsed: the form rules match on.
fn normalise(value: &str) -> String {
    let mut text = value.to_lowercase();
    for _ in 0..2 {
        let decoded = percent_encoding::percent_decode_str(&text.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned();
        if decoded == text {
            break;
        }
        text = decoded;
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn check_path(path: &str) -> Result<(), (StatusCode, &'static str)> {
    let bytes: Vec<u8> = percent_encoding::percent_decode_str(path).collect();
    let decoded =
        std::str::from_utf8(&bytes).map_err(|_| (StatusCode::BAD_REQUEST, "path-utf8"))?;
    if decoded.contains('\0') {
        return Err((StatusCode::BAD_REQUEST, "path-null"));
    }
    let traversal = decoded
        .split(['/', '\\'])
        .any(|segment| segment == ".." || segment == ".");
    if traversal {
        return Err((StatusCode::BAD_REQUEST, "path-traversal"));
    }
    Ok(())
}

/// Request smuggling shapes: a length and chunking together, or lengths that disagree.
fn check_framing(headers: &HeaderMap) -> Result<(), (StatusCode, &'static str)> {
    let lengths: Vec<&[u8]> = headers
        .get_all(header::CONTENT_LENGTH)
        .iter()
        .map(|v| v.as_bytes())
        .collect();
    let chunked = headers.contains_key(header::TRANSFER_ENCODING);
    let disagree = lengths.windows(2).any(|pair| pair[0] != pair[1]);
    if (chunked && !lengths.is_empty()) || disagree {
        return Err((StatusCode::BAD_REQUEST, "framing"));
    }
    Ok(())
}

fn declared_length(headers: &HeaderMap) -> Option<usize> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

/// Middleware applying the firewall.
pub async fn waf(State(waf): State<Arc<Waf>>, request: Request, next: Next) -> Response {
    if let Err((status, reason)) = waf.check_head(&request) {
        waf.metrics.waf_match(reason, true);
        return refuse(status, request.headers());
    }
    let query_values: Vec<String> = request
        .uri()
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .map(|(_, v)| v.into_owned())
                .collect()
        })
        .unwrap_or_default();
    if waf.scan(query_values.iter().map(String::as_str)).is_some() {
        return refuse(StatusCode::FORBIDDEN, request.headers());
    }
    if !is_form(request.headers()) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, waf.limits.body_bytes).await else {
        waf.metrics.waf_match("body", true);
        return refuse(StatusCode::PAYLOAD_TOO_LARGE, &parts.headers);
    };
    let fields: Vec<String> = url::form_urlencoded::parse(&bytes)
        .map(|(_, v)| v.into_owned())
        .collect();
    if waf.scan(fields.iter().map(String::as_str)).is_some() {
        return refuse(StatusCode::FORBIDDEN, &parts.headers);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn refuse(status: StatusCode, headers: &HeaderMap) -> Response {
    let (ja, en) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            "送信された内容が大きすぎます。内容を減らしてもう一度お試しください。",
            "What you sent is too large. Please send less and try again.",
        ),
        _ => (
            "このリクエストはお受けできません。入力内容をご確認のうえ、もう一度お試しください。",
            "This request cannot be accepted. Please check what you entered and try again.",
        ),
    };
    crate::refusal::plain(status, headers, ja, en)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn waf() -> Waf {
        let limits = Limits {
            header_bytes: 16 * 1024,
            uri_bytes: 4096,
            query_bytes: 2048,
            body_bytes: 64 * 1024,
            upload_bytes: 2 * 1024 * 1024,
        };
        Waf::new(limits, &BTreeMap::new(), Arc::new(HttpMetrics::default()))
    }

    #[test]
    fn every_rule_stops_its_attack() {
        let w = waf();
        for (attack, rule) in [
            ("' OR 1=1 --", "sqli-tautology"),
            ("x' or 'a'='a", "sqli-tautology"),
            ("1 UNION ALL SELECT password FROM users", "sqli-union"),
            ("1 union/**/select 1", "sqli-union"),
            ("1; DROP TABLE customers", "sqli-stacked"),
            ("admin'--", "sqli-comment"),
            ("1 and sleep(5)", "sqli-functions"),
            ("select * from information_schema.tables", "sqli-functions"),
            ("<script>alert(1)</script>", "xss-script"),
            ("%3Cscript%3Ealert(1)%3C%2Fscript%3E", "xss-script"),
            ("<a href=x onmouseover=alert(1)>", "xss-handler"),
            ("javascript:alert(document.cookie)", "xss-url"),
            ("<svg/onload=alert(1)>", "xss-handler"),
            ("<iframe src=//evil>", "xss-tags"),
        ] {
            assert_eq!(w.scan([attack].into_iter()), Some(rule), "{attack}");
        }
    }

    #[test]
    fn ordinary_customer_input_passes() {
        let w = waf();
        let corpus = include_str!("../../../tests/waf/ordinary_input.txt");
        for line in corpus
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        {
            assert_eq!(w.scan([line].into_iter()), None, "false positive: {line}");
        }
    }

    #[test]
    fn count_mode_lets_the_request_through() {
        let limits = waf().limits;
        let modes = BTreeMap::from([("xss-script".to_owned(), Mode::Count)]);
        let w = Waf::new(limits, &modes, Arc::new(HttpMetrics::default()));
        assert_eq!(w.scan(["<script>x</script>"].into_iter()), None);
        assert_eq!(w.scan(["' or 1=1"].into_iter()), Some("sqli-tautology"));
    }

    #[test]
    fn paths_and_framing_are_checked() {
        assert!(check_path("/assets/1/edit").is_ok());
        assert!(check_path("/static/%2e%2e/%2e%2e/etc/passwd").is_err());
        assert!(check_path("/a/../b").is_err());
        assert!(check_path("/a%00b").is_err());
        assert!(check_path("/a%ff%fe").is_err());
        let mut both = HeaderMap::new();
        both.insert(header::CONTENT_LENGTH, "5".parse().unwrap());
        both.insert(header::TRANSFER_ENCODING, "chunked".parse().unwrap());
        assert!(check_framing(&both).is_err());
        let mut two = HeaderMap::new();
        two.append(header::CONTENT_LENGTH, "5".parse().unwrap());
        two.append(header::CONTENT_LENGTH, "6".parse().unwrap());
        assert!(check_framing(&two).is_err());
    }
}
