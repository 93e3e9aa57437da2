//! Charts drawn on the server as SVG: readable without JavaScript, allowed by a strict
//! Content-Security-Policy (no inline script or style), and accessible (role `img`, a title and
//! a description; the page beside each chart also lists the figures as a table).
//!
//! Written here rather than with a plotting crate: those emit inline styles and embed fonts,
//! and each chart shape needs about a hundred lines.

use std::fmt::Write;

mod axis;
mod donut;
mod line;
mod stacked;
mod timeline;

pub use donut::{Slice, donut};
pub use line::{line, line_from_zero};
pub use stacked::{Layer, stacked_columns};
pub use timeline::{Series, Unit, timeline};

/// The size a chart is drawn at, in SVG units. Labels are about 14 units high, so a drawing
/// about as wide as the screen it is shown on keeps them readable: pages give phones their own,
/// narrower drawing of the same figures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

impl Frame {
    /// A wide screen, for charts over many dates.
    pub const WIDE: Frame = Frame {
        width: 720.0,
        height: 320.0,
    };
    /// A wide screen, for a single line.
    pub const LINE: Frame = Frame {
        width: 640.0,
        height: 280.0,
    };
    /// A phone about 360 px wide.
    pub const PHONE: Frame = Frame {
        width: 360.0,
        height: 280.0,
    };
}

/// One chart drawn for wide screens and for phones; the page shows one of them by CSS
/// (`.chart-wide`, `.chart-phone`), so assistive technology meets only the one shown.
pub struct Drawings {
    /// Drawn in a wide frame.
    pub wide: String,
    /// Drawn in [`Frame::PHONE`].
    pub phone: String,
}

/// Colours with at least 3:1 contrast against white (WCAG 1.4.11 for graphics).
const PALETTE: [&str; 10] = [
    "#1f5fa8", "#2e7d32", "#8e24aa", "#c62828", "#00695c", "#6d4c41", "#ad1457", "#4527a0",
    "#546e7a", "#b23c17",
];

/// One colour per asset category, by the category's place in the fixed category order (預金,
/// 株式, 投資信託, 債券, 保険, 年金, 不動産, 暗号資産, その他, 負債), each with at least 3:1
/// contrast against white; neighbours in the stack differ in hue. Debts are red.
const CATEGORY_COLOURS: [&str; 10] = [
    "#1f5fa8", "#2e7d32", "#8e24aa", "#00695c", "#ad1457", "#6d4c41", "#b23c17", "#4527a0",
    "#546e7a", "#c62828",
];

/// The colour of the category at `index` in the fixed category order, the same on every page
/// and every visit; an index past the end gets the last colour rather than a panic.
pub fn category_colour(index: usize) -> &'static str {
    CATEGORY_COLOURS[index.min(CATEGORY_COLOURS.len() - 1)]
}

/// Escapes text for SVG/XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// What a chart is about, for assistive technology.
pub struct Caption<'a> {
    /// Unique element id prefix on the page.
    pub id: &'a str,
    /// Short title.
    pub title: &'a str,
    /// One-sentence summary of what the chart shows.
    pub description: &'a str,
}

/// Opens the SVG element; `class` is `chart`, or `chart sensitive` for money figures the
/// customer can hide from onlookers.
fn open_svg(out: &mut String, caption: &Caption<'_>, class: &str, width: u32, height: u32) {
    let id = escape(caption.id);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="{class}" aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(caption.title),
        escape(caption.description)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAPTION: Caption<'static> = Caption {
        id: "c",
        title: "資産配分",
        description: "預金が最大です",
    };

    /// Relative luminance by WCAG 2.
    fn luminance(hex: &str) -> f64 {
        let channel = |i: usize| {
            let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
    }

    #[test]
    fn category_colours_are_fixed_distinct_and_contrast_with_white() {
        assert_eq!(category_colour(0), "#1f5fa8");
        assert_eq!(category_colour(9), "#c62828");
        assert_eq!(category_colour(42), category_colour(9));
        for i in 0..10 {
            assert_eq!(category_colour(i), category_colour(i), "same every call");
            let ratio = 1.05 / (luminance(category_colour(i)) + 0.05);
            assert!(ratio >= 3.0, "{i}: {ratio}");
            for j in i + 1..10 {
                assert_ne!(category_colour(i), category_colour(j));
            }
        }
    }

    #[test]
    fn no_chart_carries_a_style_attribute_or_script() {
        let values = [1, -2];
        let format = |v: i64| v.to_string();
        let points = [("a".to_owned(), 1), ("b".to_owned(), 2)];
        let dates = ["a".to_owned(), "b".to_owned()];
        let charts = [
            line(&CAPTION, &points, &format),
            line_from_zero(&CAPTION, Frame::LINE, &points, &format),
            stacked_columns(
                &CAPTION,
                Frame::WIDE,
                &dates,
                &[Layer {
                    colour: category_colour(0),
                    values: &values,
                }],
                &format,
            ),
            donut(
                &CAPTION,
                &[Slice {
                    colour: category_colour(0),
                    value: 1,
                }],
                &["1".to_owned()],
            ),
        ];
        for svg in charts {
            assert!(!svg.contains("style") && !svg.contains("<script"), "{svg}");
            assert!(svg.contains(r#"role="img""#) && svg.contains("<title id=\"c-title\">"));
            assert!(svg.contains("<desc id=\"c-desc\">") && svg.ends_with("</svg>"));
        }
    }
}
