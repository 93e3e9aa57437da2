//! The `next` parameter: where a page returns after a detour (a step-up, a login). Reading it
//! back goes through [`platform::redirect::local_path`], so it never leaves the site.

/// `path` with `next` as its query parameter.
pub fn with_next(path: &str, next: &str) -> String {
    let next: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
    format!("{path}?next={next}")
}

/// The page to return to: `next` if it is a path of this site under one of `areas` (never the
/// detour itself), else `fallback`.
pub fn return_to(next: &str, areas: &[&str], detour: &str, fallback: &str) -> String {
    platform::redirect::local_path(next)
        .filter(|p| !p.starts_with(detour))
        .filter(|p| areas.iter().any(|a| p.starts_with(a)))
        .unwrap_or_else(|| fallback.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_encoded_and_read_back_only_inside_its_areas() {
        assert_eq!(
            with_next("/reauth", "/assets/export?encoding=sjis&x=1"),
            "/reauth?next=%2Fassets%2Fexport%3Fencoding%3Dsjis%26x%3D1"
        );
        let areas = ["/staff", "/ops"];
        assert_eq!(
            return_to("/ops/audit/export?q=1", &areas, "/staff/reauth", "/staff"),
            "/ops/audit/export?q=1"
        );
        for bad in [
            "/dashboard",
            "//evil.example",
            "/staff/reauth?next=/x",
            "https://x/staff",
        ] {
            assert_eq!(
                return_to(bad, &areas, "/staff/reauth", "/staff"),
                "/staff",
                "{bad}"
            );
        }
    }
}
