//! The one check every request parameter passes before it becomes a `Location` (a `next`
//! after switching language or signing in, a passkey ceremony's way on): only a path of this
//! site, judged the way a browser will read it, never the way it looks.
//!
//! A browser parses `Location` with the WHATWG URL rules: it trims leading and trailing C0
//! controls and spaces, deletes tab, CR and LF anywhere, reads `\` as `/`, and resolves `.` and
//! `..` segments, so `/\t/evil.example` and `/.//evil.example` both reach `//evil.example`, another
//! host. Rather than predict every such rewrite, the candidate is joined onto a dummy base by
//! the `url` crate, which implements those same rules, and the path it serialises is what we
//! send; before and after that join the value must start with exactly one `/`. Anything a
//! browser would read differently from its bytes (controls, percent-encoded slashes or controls
//! in the path, full-width slashes) is refused outright instead of repaired.

use url::{Position, Url};

/// A base no request can name, so that a candidate that resolves anywhere else is visible.
const BASE: &str = "https://local.invalid/";

/// Characters people (and internationalised host names) read as a slash or a backslash.
const LOOK_ALIKES: [char; 7] = [
    '\u{FF0F}', // FULLWIDTH SOLIDUS
    '\u{FF3C}', // FULLWIDTH REVERSE SOLIDUS
    '\u{2215}', // DIVISION SLASH
    '\u{2044}', // FRACTION SLASH
    '\u{29F8}', // BIG SOLIDUS
    '\u{29F9}', // BIG REVERSE SOLIDUS
    '\u{FE68}', // SMALL REVERSE SOLIDUS
];

/// The same-origin path (with its query and fragment) a browser would go to for `raw`,
/// normalised and percent-encoded so that it is always a valid header value; `None` for
/// anything that could leave this site or that a browser would read differently from its bytes.
/// Callers fall back to a fixed page, usually `/`.
pub fn local_path(raw: &str) -> Option<String> {
    if raw.chars().any(char::is_control) || raw.contains(LOOK_ALIKES) {
        return None;
    }
    let candidate = raw.trim_matches(' ');
    if !single_leading_slash(candidate) {
        return None;
    }
    let path_end = candidate.find(['?', '#']).unwrap_or(candidate.len());
    let (path, rest) = candidate.split_at(path_end);
    if encoded_bytes(path).any(|b| matches!(b, b'/' | b'\\') || is_control(b))
        || encoded_bytes(rest).any(is_control)
    {
        return None;
    }
    let base = Url::parse(BASE).ok()?;
    let joined = base.join(candidate).ok()?;
    if joined.origin() != base.origin()
        || !joined.username().is_empty()
        || joined.password().is_some()
    {
        return None;
    }
    let local = &joined[Position::BeforePath..];
    single_leading_slash(local).then(|| local.to_owned())
}

/// `/` alone, or `/` followed by anything but another slash or a backslash.
fn single_leading_slash(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next() == Some('/') && !matches!(chars.next(), Some('/' | '\\'))
}

/// A byte that is a C0 control or DEL.
fn is_control(b: u8) -> bool {
    b < 0x20 || b == 0x7F
}

/// The bytes that `%XX` sequences in `s` stand for.
fn encoded_bytes(s: &str) -> impl Iterator<Item = u8> + '_ {
    s.split('%').skip(1).filter_map(|after| {
        let hex = after.get(..2)?;
        u8::from_str_radix(hex, 16).ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_of_this_site_are_kept() {
        for (raw, expected) in [
            ("/", "/"),
            ("/dashboard", "/dashboard"),
            ("/assets/abc?x=1#y", "/assets/abc?x=1#y"),
            ("/profile?notice=saved", "/profile?notice=saved"),
            (
                "/ops/audit?actor=a+b%26c&before=9",
                "/ops/audit?actor=a+b%26c&before=9",
            ),
            (
                "/oauth2/authorize?redirect_uri=https%3A%2F%2Fclient.example%2Fcb",
                "/oauth2/authorize?redirect_uri=https%3A%2F%2Fclient.example%2Fcb",
            ),
            ("/資産", "/%E8%B3%87%E7%94%A3"),
        ] {
            assert_eq!(local_path(raw).as_deref(), Some(expected), "{raw:?}");
        }
    }

    #[test]
    fn hostile_forms_are_refused() {
        for raw in [
            "",
            "dashboard",
            "evil.example",
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "\\/evil.example",
            "https://evil.example",
            "http:/evil.example",
            "https:evil.example",
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "/\t/evil.example",
            "/\r\n/evil.example",
            "/dashboard\r\nSet-Cookie: x=1",
            "\t//evil.example",
            "/\u{0}/evil.example",
            "/\u{85}/evil.example",
            "\u{0}/dashboard",
            "/%09/evil.example",
            "/%0d%0a/evil.example",
            "/%0D%0ASet-Cookie:x=1",
            "/dashboard?x=%0d%0aSet-Cookie:x=1",
            "/%2f/evil.example",
            "/%2F%2Fevil.example",
            "/%5cevil.example",
            "/%5C%5Cevil.example",
            "%2f%2fevil.example",
            "/.//evil.example",
            "/%2e%2e//evil.example",
            "/a/..//evil.example",
            "//user@evil.example",
            "/\\user:pass@evil.example",
            "@evil.example",
            "\u{FF0F}evil.example",
            "/\u{FF0F}evil.example",
            "/\u{FF3C}evil.example",
            "/\u{2215}evil.example",
            " //evil.example",
            "\u{3000}//evil.example",
        ] {
            assert_eq!(local_path(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn harmless_oddities_become_plain_local_paths() {
        for (raw, expected) in [
            (" /dashboard ", "/dashboard"),
            ("/a\\b", "/a/b"),
            ("/../../etc/passwd", "/etc/passwd"),
            ("/@evil.example", "/@evil.example"),
            ("/javascript:alert(1)", "/javascript:alert(1)"),
            ("/ /evil.example", "/%20/evil.example"),
            ("/\u{200B}/evil.example", "/%E2%80%8B/evil.example"),
            ("/%252f%252fevil.example", "/%252f%252fevil.example"),
            ("/?next=//evil.example", "/?next=//evil.example"),
            ("/x#//evil.example", "/x#//evil.example"),
        ] {
            assert_eq!(local_path(raw).as_deref(), Some(expected), "{raw:?}");
        }
    }

    #[test]
    fn every_accepted_path_is_a_valid_header_value() {
        for raw in ["/資産?q=日本", "/a\"b<c>", "/x?y=\u{1F600}"] {
            let local = local_path(raw).unwrap();
            assert!(
                local.starts_with('/') && local.is_ascii(),
                "{raw:?} gave {local:?}"
            );
        }
    }
}
