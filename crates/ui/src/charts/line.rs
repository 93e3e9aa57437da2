//! One figure over time as a line with markers: a bank balance, daily counts, one holding's
//! valuations.

use std::fmt::Write;

use super::axis::{self, Ticks};
use super::{Caption, Frame, open_svg};

const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 44.0;
const COLOUR: &str = "#1f5fa8";

/// A line through the points on round ticks that hug the data (zero drawn solid when the
/// values cross it), labelled by `format`, with as many dates along the bottom as fit.
pub fn line(
    caption: &Caption<'_>,
    points: &[(String, i64)],
    format: &dyn Fn(i64) -> String,
) -> String {
    let (min, max) = extent(points);
    draw(
        caption,
        Frame::LINE,
        points,
        format,
        Ticks::covering(min, max, format),
    )
}

/// A line whose axis starts at zero, for figures that are never negative (one holding's
/// valuations, counts): a change then looks as large as it is.
pub fn line_from_zero(
    caption: &Caption<'_>,
    frame: Frame,
    points: &[(String, i64)],
    format: &dyn Fn(i64) -> String,
) -> String {
    let (min, max) = extent(points);
    draw(
        caption,
        frame,
        points,
        format,
        Ticks::covering(min.min(0), max.max(0), format),
    )
}

fn extent(points: &[(String, i64)]) -> (i64, i64) {
    let min = points.iter().map(|p| p.1).min().unwrap_or(0);
    let max = points.iter().map(|p| p.1).max().unwrap_or(0);
    (min, max)
}

fn draw(
    caption: &Caption<'_>,
    frame: Frame,
    points: &[(String, i64)],
    format: &dyn Fn(i64) -> String,
    ticks: Ticks,
) -> String {
    let (w, h) = (frame.width, frame.height);
    let left = axis::left_margin(ticks, format);
    let bottom = h - BOTTOM;
    let mut out = String::new();
    open_svg(&mut out, caption, "chart", w as u32, h as u32);
    axis::draw_ticks(&mut out, ticks, format, (left, w - RIGHT), (TOP, bottom));
    axis::draw_zero(&mut out, ticks, (left, w - RIGHT), (TOP, bottom));
    let xs: Vec<f64> = (0..points.len())
        .map(|i| match points.len() {
            1 => (left + w - RIGHT) / 2.0,
            n => left + (w - RIGHT - left) * i as f64 / (n - 1) as f64,
        })
        .collect();
    let at: Vec<(f64, f64)> = points
        .iter()
        .zip(&xs)
        .map(|(p, x)| (*x, ticks.y(p.1, TOP, bottom)))
        .collect();
    if at.len() > 1 {
        let path: Vec<String> = at.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        let _ = write!(
            out,
            r#"<polyline points="{}" fill="none" stroke="{COLOUR}" stroke-width="3" stroke-linejoin="round"/>"#,
            path.join(" ")
        );
    }
    for (x, y) in &at {
        let _ = write!(
            out,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="3.5" fill="{COLOUR}"/>"#
        );
    }
    let labels: Vec<String> = points.iter().map(|p| p.0.clone()).collect();
    axis::draw_date_labels(&mut out, &xs, &labels, h - 14.0, (0.0, w));
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAPTION: Caption<'static> = Caption {
        id: "c",
        title: "残高の推移",
        description: "残高は増えています",
    };

    fn count(v: i64) -> String {
        crate::format::grouped(v)
    }

    fn ticks_of(svg: &str) -> Vec<i64> {
        svg.split(r#"data-tick=""#)
            .skip(1)
            .filter_map(|s| s.split('"').next()?.parse().ok())
            .collect()
    }

    #[test]
    fn counts_get_whole_round_ticks_from_zero() {
        let zero = line_from_zero(
            &CAPTION,
            Frame::LINE,
            &[("a".into(), 0), ("b".into(), 0)],
            &count,
        );
        assert_eq!(ticks_of(&zero), vec![0, 1], "never −1 / 0 / 1");
        let one = line_from_zero(
            &CAPTION,
            Frame::LINE,
            &[("a".into(), 0), ("b".into(), 1)],
            &count,
        );
        assert_eq!(ticks_of(&one), vec![0, 1, 2, 3], "never 1 / 0 / 0");
        assert!(one.contains(">1</text>") && !one.contains(">0.5"));
    }

    /// The `y` of each tick's gridline and of the zero line.
    fn tick_ys(svg: &str) -> Vec<(i64, String)> {
        svg.split("<line ")
            .skip(1)
            .zip(svg.split(r#"data-tick=""#).skip(1))
            .filter_map(|(line, tick)| {
                let y = line.split(r#"y1=""#).nth(1)?.split('"').next()?;
                Some((tick.split('"').next()?.parse().ok()?, y.to_owned()))
            })
            .collect()
    }

    #[test]
    fn small_daily_counts_get_distinct_whole_ticks_with_zero_on_the_zero_line() {
        for max in [0, 1, 2, 3, 7, 10, 1234] {
            let points: Vec<(String, i64)> = (0..30)
                .map(|d| (format!("11月{}日", d + 1), if d == 12 { max } else { 0 }))
                .collect();
            let svg = line_from_zero(&CAPTION, Frame::LINE, &points, &count);
            let ticks = ticks_of(&svg);
            assert_eq!(ticks[0], 0, "{max}: the axis starts at zero: {ticks:?}");
            assert!(*ticks.last().unwrap() >= max, "{max}: {ticks:?}");
            assert!(
                ticks.windows(2).all(|w| w[0] < w[1]),
                "{max}: distinct, rising: {ticks:?}"
            );
            let labels: Vec<String> = ticks.iter().map(|t| count(*t)).collect();
            for label in &labels {
                assert!(
                    svg.contains(&format!(">{label}</text>")) && !label.contains('.'),
                    "{max}: whole numbers only: {labels:?}"
                );
            }
            let step = ticks[1] - ticks[0];
            assert!(
                ticks.windows(2).all(|w| w[1] - w[0] == step),
                "{max}: evenly spaced: {ticks:?}"
            );
            let zero = svg
                .split(r#"data-zero=""#)
                .nth(1)
                .and_then(|s| s.split('"').next())
                .unwrap_or_else(|| panic!("{max}: no zero line"));
            let ys = tick_ys(&svg);
            let at_zero = ys.iter().find(|(t, _)| *t == 0).map(|(_, y)| y.as_str());
            assert_eq!(
                at_zero,
                Some(zero),
                "{max}: the zero line is the 0 tick: {ys:?}"
            );
            assert_eq!(
                ys.iter().filter(|(_, y)| y == zero).count(),
                1,
                "{max}: one gridline at zero"
            );
        }
    }

    #[test]
    fn line_hugs_the_data_on_round_ticks_and_marks_zero() {
        let high = line(
            &CAPTION,
            &[("a".into(), 20_000_000), ("b".into(), 22_000_000)],
            &count,
        );
        assert_eq!(ticks_of(&high)[0], 20_000_000);
        assert!(high.contains(">22,000,000</text>"), "{high}");
        assert!(!high.contains("data-zero"));
        let crossing = line(
            &CAPTION,
            &[("1月".into(), -100), ("2月".into(), 300)],
            &count,
        );
        assert!(crossing.contains("data-zero="));
        assert_eq!(crossing.matches("<circle").count(), 2);
        assert!(crossing.contains(">1月</text>") && crossing.contains(">2月</text>"));
        let from_zero = line_from_zero(
            &CAPTION,
            Frame::LINE,
            &[("a".into(), 20_000_000), ("b".into(), 22_000_000)],
            &count,
        );
        assert_eq!(ticks_of(&from_zero)[0], 0);
    }

    #[test]
    fn labels_go_through_the_formatter_and_are_escaped() {
        let svg = line(&CAPTION, &[("<a>".into(), 1), ("b&c".into(), 2)], &|v| {
            format!("{v}<円>")
        });
        assert!(svg.contains(">&lt;a&gt;</text>") && svg.contains(">b&amp;c</text>"));
        assert!(svg.contains("&lt;円&gt;") && !svg.contains("<円>"));
        assert!(!svg.contains("style="));
    }

    #[test]
    fn one_point_or_none_draws_without_panicking() {
        let one = line(&CAPTION, &[("今日".into(), 5_000)], &count);
        assert_eq!(one.matches("<circle").count(), 1);
        assert!(!one.contains("<polyline") && one.contains(">今日</text>"));
        let none = line(&CAPTION, &[], &count);
        assert!(none.ends_with("</svg>") && !none.contains("NaN"));
    }

    #[test]
    fn long_series_label_about_six_dates() {
        let points: Vec<(String, i64)> = (0..30)
            .map(|d| (format!("2026年11月{}日", d + 1), d))
            .collect();
        let svg = line_from_zero(&CAPTION, Frame::LINE, &points, &count);
        let labelled = points
            .iter()
            .filter(|p| svg.contains(&format!(">{}</text>", p.0)))
            .count();
        assert!((3..=7).contains(&labelled), "{labelled}");
        assert!(svg.contains(">2026年11月1日</text>") && svg.contains(">2026年11月30日</text>"));
    }
}
