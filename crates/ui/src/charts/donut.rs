//! Allocation as a ring: one slice per category, the total in the hole. Names and percentages
//! are listed beside it on the page, in HTML, where they wrap and enlarge with the text.

use std::f64::consts::{PI, TAU};
use std::fmt::Write;

use super::{Caption, escape, open_svg};

const SIZE: f64 = 240.0;
const CENTRE: f64 = SIZE / 2.0;
const OUTER: f64 = 112.0;
const INNER: f64 = 72.0;
/// The ring drawn when there is nothing to share out.
const EMPTY_COLOUR: &str = "#d0d0d0";

/// One slice of a [`donut`].
pub struct Slice<'a> {
    /// Fill colour, from [`super::category_colour`].
    pub colour: &'a str,
    /// Its amount; zero or negative amounts get no slice.
    pub value: i64,
}

/// A ring of slices in the order given, clockwise from the top, each as large as its share of
/// the positive values, edged in white so neighbours read apart; `centre` (one or two lines,
/// already formatted, e.g. a label and the total) is written in the hole.
pub fn donut(caption: &Caption<'_>, slices: &[Slice<'_>], centre: &[String]) -> String {
    let total: i128 = slices.iter().map(|s| i128::from(s.value.max(0))).sum();
    let mut out = String::new();
    open_svg(
        &mut out,
        caption,
        "chart sensitive",
        SIZE as u32,
        SIZE as u32,
    );
    if total == 0 {
        ring(&mut out, EMPTY_COLOUR);
    }
    let mut before: i128 = 0;
    for slice in slices.iter().filter(|s| s.value > 0) {
        let value = i128::from(slice.value);
        if value == total {
            ring(&mut out, &escape(slice.colour));
        } else {
            let start = angle(before, total);
            before += value;
            sector(&mut out, &escape(slice.colour), start, angle(before, total));
        }
    }
    write_centre(&mut out, centre);
    out.push_str("</svg>");
    out
}

/// Where a running sum falls on the ring, in radians clockwise from the top.
fn angle(sum: i128, total: i128) -> f64 {
    sum as f64 / total as f64 * TAU - PI / 2.0
}

fn point(radius: f64, angle: f64) -> (f64, f64) {
    (CENTRE + radius * angle.cos(), CENTRE + radius * angle.sin())
}

/// A full ring: two circles cut out of each other.
fn ring(out: &mut String, colour: &str) {
    let _ = write!(
        out,
        r#"<path d="M{l},{CENTRE} a{OUTER},{OUTER} 0 1,0 {d},0 a{OUTER},{OUTER} 0 1,0 -{d},0 Z M{li},{CENTRE} a{INNER},{INNER} 0 1,0 {di},0 a{INNER},{INNER} 0 1,0 -{di},0 Z" fill="{colour}" fill-rule="evenodd"/>"#,
        l = CENTRE - OUTER,
        d = 2.0 * OUTER,
        li = CENTRE - INNER,
        di = 2.0 * INNER,
    );
}

/// One slice of the ring from `start` to `end`.
fn sector(out: &mut String, colour: &str, start: f64, end: f64) {
    let large = u8::from(end - start > PI);
    let (ox0, oy0) = point(OUTER, start);
    let (ox1, oy1) = point(OUTER, end);
    let (ix1, iy1) = point(INNER, end);
    let (ix0, iy0) = point(INNER, start);
    let _ = write!(
        out,
        r##"<path d="M{ox0:.2},{oy0:.2} A{OUTER},{OUTER} 0 {large},1 {ox1:.2},{oy1:.2} L{ix1:.2},{iy1:.2} A{INNER},{INNER} 0 {large},0 {ix0:.2},{iy0:.2} Z" fill="{colour}" stroke="#ffffff" stroke-width="2"/>"##
    );
}

/// The text in the hole: one line large, or a small first line over a large second.
fn write_centre(out: &mut String, lines: &[String]) {
    let rows: Vec<(f64, u32, u32)> = match lines.len() {
        0 => Vec::new(),
        1 => vec![(CENTRE + 8.0, 24, 700)],
        _ => vec![(CENTRE - 8.0, 15, 400), (CENTRE + 20.0, 22, 700)],
    };
    for ((y, size, weight), text) in rows.into_iter().zip(lines) {
        let _ = write!(
            out,
            r##"<text x="{CENTRE}" y="{y}" text-anchor="middle" fill="#1a1a1a" font-size="{size}" font-weight="{weight}">{}</text>"##,
            escape(text)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::category_colour;

    const CAPTION: Caption<'static> = Caption {
        id: "allocation",
        title: "資産配分",
        description: "預金が最も多くなっています",
    };

    #[test]
    fn slices_follow_the_shares_in_order() {
        let svg = donut(
            &CAPTION,
            &[
                Slice {
                    colour: category_colour(0),
                    value: 750,
                },
                Slice {
                    colour: category_colour(1),
                    value: 0,
                },
                Slice {
                    colour: category_colour(2),
                    value: 250,
                },
            ],
            &["総資産".to_owned(), "1,000円".to_owned()],
        );
        assert_eq!(svg.matches("<path").count(), 2, "no slice for zero");
        assert!(!svg.contains(category_colour(1)));
        let first = svg.split("<path").nth(1).unwrap_or("");
        assert!(first.contains(category_colour(0)));
        assert!(
            first.contains(" 0 1,1 "),
            "three quarters takes the large arc: {first}"
        );
        assert!(
            first.starts_with(r#" d="M120.00,8.00"#),
            "starts at the top: {first}"
        );
        let second = svg.split("<path").nth(2).unwrap_or("");
        assert!(
            second.contains(" 0 0,1 ") && second.contains(r#" d="M8.00,120.00"#),
            "{second}"
        );
        assert!(svg.contains(">総資産</text>") && svg.contains(">1,000円</text>"));
        assert!(!svg.contains("style=") && svg.contains(r#"class="chart sensitive""#));
    }

    #[test]
    fn a_single_slice_is_a_full_ring() {
        let svg = donut(
            &CAPTION,
            &[Slice {
                colour: category_colour(0),
                value: 5_000_000,
            }],
            &["500万円".to_owned()],
        );
        assert_eq!(svg.matches("<path").count(), 1);
        assert!(svg.contains(r#"fill-rule="evenodd""#) && svg.contains(category_colour(0)));
        assert!(svg.contains(r#"font-size="24""#) && svg.contains(">500万円</text>"));
    }

    #[test]
    fn nothing_to_share_draws_an_empty_ring_and_escapes_text() {
        let svg = donut(
            &CAPTION,
            &[Slice {
                colour: "\"/><script>",
                value: -5,
            }],
            &["<0円>".to_owned(), "a&b".to_owned(), "third".to_owned()],
        );
        assert!(svg.contains(EMPTY_COLOUR) && !svg.contains("<script>"));
        assert!(svg.contains(">&lt;0円&gt;</text>") && svg.contains(">a&amp;b</text>"));
        assert!(!svg.contains("third"), "two lines at most");
        assert!(!svg.contains("NaN"));
    }
}
