//! Charts drawn on the server as SVG: readable without JavaScript, allowed by a strict
//! Content-Security-Policy (no inline script or style), and accessible (role `img`, a title and
//! a description; the page beside each chart also lists the figures as a table).
//!
//! Written here rather than with a plotting crate: those emit inline styles and embed fonts,
//! and two chart shapes need about a hundred lines.

use std::fmt::Write;

use crate::format::grouped;

/// Colours with at least 3:1 contrast against white (WCAG 1.4.11 for graphics).
const PALETTE: [&str; 10] = [
    "#1f5fa8", "#2e7d32", "#8e24aa", "#c62828", "#00695c", "#6d4c41", "#ad1457", "#4527a0",
    "#546e7a", "#b23c17",
];

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

fn open_svg(out: &mut String, caption: &Caption<'_>, width: u32, height: u32) {
    let id = escape(caption.id);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="chart" aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(caption.title),
        escape(caption.description)
    );
}

/// Horizontal bars, one per item, with the formatted value beside each.
pub fn bars(caption: &Caption<'_>, items: &[(String, i64, String)]) -> String {
    const ROW: u32 = 38;
    const LABEL_W: f64 = 130.0;
    const BAR_W: f64 = 200.0;
    let height = (items.len() as u32).max(1) * ROW + 8;
    let max = items.iter().map(|(_, v, _)| *v).max().unwrap_or(0).max(1) as f64;
    let mut out = String::new();
    open_svg(&mut out, caption, 460, height);
    for (i, (label, value, shown)) in items.iter().enumerate() {
        let y = i as u32 * ROW + 4;
        let w = ((*value).max(0) as f64 / max * BAR_W).max(1.0);
        let _ = write!(
            out,
            r##"<text x="{x}" y="{ty}" text-anchor="end" fill="#1a1a1a" font-size="16">{label}</text><rect x="{bx}" y="{y}" width="{w:.1}" height="26" rx="3" fill="{color}"/><text x="{vx:.1}" y="{ty}" fill="#1a1a1a" font-size="16">{shown}</text>"##,
            x = LABEL_W - 8.0,
            ty = y + 19,
            label = escape(label),
            bx = LABEL_W,
            color = PALETTE[i % PALETTE.len()],
            vx = LABEL_W + w + 8.0,
            shown = escape(shown),
        );
    }
    out.push_str("</svg>");
    out
}

/// The vertical range: the data's own, widened by a tenth on each side so the line does not
/// touch the frame, and never empty.
fn value_range(points: &[(String, i64)]) -> (f64, f64) {
    let min = points.iter().map(|p| p.1).min().unwrap_or(0) as f64;
    let max = points.iter().map(|p| p.1).max().unwrap_or(0) as f64;
    let pad = if max > min {
        (max - min) / 10.0
    } else {
        max.abs().max(100.0) / 100.0
    };
    (min - pad, max + pad)
}

/// A line through the points, with three labelled gridlines, a zero line when values cross it,
/// labels on the horizontal axis.
pub fn line(caption: &Caption<'_>, points: &[(String, i64)]) -> String {
    const W: f64 = 460.0;
    const H: f64 = 260.0;
    const LEFT: f64 = 100.0;
    const RIGHT: f64 = 20.0;
    const TOP: f64 = 16.0;
    const BOTTOM: f64 = 40.0;
    let mut out = String::new();
    open_svg(&mut out, caption, W as u32, H as u32);
    if points.is_empty() {
        out.push_str("</svg>");
        return out;
    }
    let (lo, hi) = value_range(points);
    let span = hi - lo;
    let step = if points.len() > 1 {
        (W - LEFT - RIGHT) / (points.len() - 1) as f64
    } else {
        0.0
    };
    let x = |i: usize| LEFT + step * i as f64;
    let y = |v: f64| TOP + (hi - v) / span * (H - TOP - BOTTOM);
    for (value, anchor) in [(hi, "hi"), ((hi + lo) / 2.0, "mid"), (lo, "lo")] {
        let _ = write!(
            out,
            r##"<text x="{tx}" y="{ty:.1}" text-anchor="end" fill="#1a1a1a" font-size="15" data-axis="{anchor}">{label}</text><line x1="{LEFT}" x2="{x2}" y1="{ly:.1}" y2="{ly:.1}" stroke="#767676" stroke-width="1"/>"##,
            tx = LEFT - 8.0,
            ty = y(value) + 4.0,
            label = grouped(value as i64),
            x2 = W - RIGHT,
            ly = y(value),
        );
    }
    if lo < 0.0 && hi > 0.0 {
        let _ = write!(
            out,
            r##"<line x1="{LEFT}" x2="{}" y1="{z:.1}" y2="{z:.1}" stroke="#1a1a1a" stroke-dasharray="4 3"/>"##,
            W - RIGHT,
            z = y(0.0)
        );
    }
    let path: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{:.1},{:.1}", x(i), y(p.1 as f64)))
        .collect();
    let _ = write!(
        out,
        r##"<polyline points="{}" fill="none" stroke="#1f5fa8" stroke-width="3"/>"##,
        path.join(" ")
    );
    for (i, p) in points.iter().enumerate() {
        let _ = write!(
            out,
            r##"<circle cx="{:.1}" cy="{:.1}" r="3.5" fill="#1f5fa8"/>"##,
            x(i),
            y(p.1 as f64)
        );
    }
    let last = points.len() - 1;
    for (i, anchor) in [(0, "start"), (last, "end")] {
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{}" text-anchor="{anchor}" fill="#1a1a1a" font-size="15">{}</text>"##,
            x(i),
            H - 12.0,
            escape(&points[i].0)
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAPTION: Caption<'static> = Caption {
        id: "c",
        title: "資産配分",
        description: "預金が最大です",
    };

    #[test]
    fn bars_are_proportional_and_escaped() {
        let svg = bars(
            &CAPTION,
            &[
                ("預金<script>".into(), 200, "200円".into()),
                ("株式".into(), 100, "100円".into()),
            ],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(
            svg.contains(r#"role="img""#) && svg.contains("<title id=\"c-title\">資産配分</title>")
        );
        assert!(svg.contains("預金&lt;script&gt;") && !svg.contains("<script>"));
        assert!(svg.contains(r#"width="200.0""#) && svg.contains(r#"width="100.0""#));
    }

    #[test]
    fn line_marks_zero_when_values_cross_it() {
        let svg = line(&CAPTION, &[("1月".into(), -100), ("2月".into(), 300)]);
        assert!(svg.contains("stroke-dasharray"));
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains(">1月</text>") && svg.contains(">2月</text>"));
        let flat = line(&CAPTION, &[("a".into(), 5), ("b".into(), 5)]);
        assert!(!flat.contains("stroke-dasharray"));
        assert!(!flat.contains("NaN") && !flat.contains("inf"));
        let high = line(
            &CAPTION,
            &[("a".into(), 20_000_000), ("b".into(), 22_000_000)],
        );
        assert!(
            high.contains(">22,200,000</text>") && high.contains(">19,800,000</text>"),
            "range hugs the data: {high}"
        );
    }
}
