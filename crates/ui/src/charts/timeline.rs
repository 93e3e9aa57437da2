//! Several series over the same time buckets, for the operations console's figures.

use std::fmt::Write;

use super::{Caption, PALETTE, escape, open_svg};
use crate::format::grouped;

/// Line patterns paired with the palette, so series differ by more than colour (WCAG 1.4.1).
const DASHES: [&str; 6] = ["none", "12 6", "2 4", "12 4 2 4", "5 4", "12 4 2 4 2 4"];

/// Up to this many buckets every value gets a marker; beyond, markers would merge into a
/// thick line, so only values standing alone between gaps get one.
const MARKER_LIMIT: usize = 40;

/// Binary multiples for [`Unit::Bytes`], as operators read memory and storage sizes.
const BYTE_UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];

/// How the figures of a [`timeline`] are written on its vertical axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// A number of things: `1,234`.
    Count,
    /// A share, with one decimal: `12.5%`.
    Percent,
    /// A duration in milliseconds: `250 ms`.
    Millis,
    /// A size in bytes, in binary units with one decimal: `1.5 MB`.
    Bytes,
}

impl Unit {
    /// Writes one figure, choosing the byte unit that fits it; pages use this for the table
    /// beside a chart so both read the same.
    pub fn format(self, value: f64) -> String {
        self.label(value, byte_power(value))
    }

    /// Writes one figure; sizes are written in `1024^power` units so a whole axis shares one.
    fn label(self, value: f64, power: usize) -> String {
        let value = if value.is_finite() { value } else { 0.0 };
        match self {
            Unit::Count => grouped(value.round() as i64),
            Unit::Percent => format!("{value:.1}%"),
            Unit::Millis => format!("{} ms", grouped(value.round() as i64)),
            Unit::Bytes if power == 0 => format!("{} B", grouped(value.round() as i64)),
            Unit::Bytes => format!(
                "{:.1} {}",
                value / 1024f64.powi(power as i32),
                BYTE_UNITS[power.min(BYTE_UNITS.len() - 1)]
            ),
        }
    }

    /// Decimals the axis labels show in `1024^power` units; gridlines sit on values they can
    /// show exactly.
    fn decimals(self, power: usize) -> i32 {
        match self {
            Unit::Count | Unit::Millis => 0,
            Unit::Bytes if power == 0 => 0,
            Unit::Percent | Unit::Bytes => 1,
        }
    }
}

/// The byte unit for a size: the largest in which it reads below 1,000, so labels stay short.
fn byte_power(value: f64) -> usize {
    let mut power = 0;
    while power + 1 < BYTE_UNITS.len() && value / 1024f64.powi(power as i32) >= 1000.0 {
        power += 1;
    }
    power
}

/// One line of a [`timeline`].
pub struct Series<'a> {
    /// Shown in the legend.
    pub name: &'a str,
    /// One figure per time bucket; `None` where there is no data, and the line breaks there.
    pub values: &'a [Option<f64>],
}

impl Series<'_> {
    /// The figure for a bucket; missing, non-finite or out-of-range values count as no data,
    /// and negative ones are drawn on the zero line as the axis starts there.
    fn at(&self, bucket: usize) -> Option<f64> {
        self.values
            .get(bucket)
            .copied()
            .flatten()
            .filter(|v| v.is_finite())
            .map(|v| v.max(0.0))
    }
}

/// The smallest of 1, 2, 2.5 or 5 times a power of ten that is at least `half` and can be
/// written with `decimals` decimals, so the middle and top gridline labels are exact.
fn nice_step(half: f64, decimals: i32) -> f64 {
    let least = 10f64.powi(-decimals);
    let target = if half.is_finite() {
        half.max(least)
    } else {
        least
    };
    let mut magnitude = 10f64.powi(target.log10().floor() as i32);
    for _ in 0..3 {
        for factor in [1.0, 2.0, 2.5, 5.0] {
            let step = factor * magnitude;
            let shown = step * 10f64.powi(decimals);
            if step >= target * (1.0 - 1e-9)
                && (shown - shown.round()).abs() < 1e-6 * shown.max(1.0)
            {
                return step;
            }
        }
        magnitude *= 10.0;
    }
    target
}

/// The top of the vertical axis, and the byte unit its labels share.
fn axis_top(max: f64, unit: Unit) -> (f64, usize) {
    let power = if unit == Unit::Bytes {
        byte_power(max)
    } else {
        0
    };
    let scale = 1024f64.powi(power as i32);
    let top = 2.0 * nice_step(max / scale / 2.0, unit.decimals(power)) * scale;
    if top.is_finite() && top > 0.0 {
        (top, power)
    } else {
        (max.max(1.0), power)
    }
}

/// Several series over the same time buckets: the vertical axis runs from zero with three
/// labelled gridlines, the horizontal one names the first, middle and last bucket, and a legend
/// below pairs each name with its line's colour and dash pattern.
pub fn timeline(
    caption: &Caption<'_>,
    labels: &[String],
    series: &[Series<'_>],
    unit: Unit,
) -> String {
    const W: f64 = 460.0;
    const LEFT: f64 = 100.0;
    const RIGHT: f64 = 20.0;
    const TOP: f64 = 16.0;
    const PLOT_H: f64 = 170.0;
    const LEGEND_ROW: f64 = 24.0;
    let buckets = labels.len();
    let bottom = TOP + PLOT_H;
    let axis_labels_y = bottom + 22.0;
    let legend_y = axis_labels_y + 26.0;
    let height = legend_y + LEGEND_ROW * series.len() as f64;
    let max = series
        .iter()
        .flat_map(|s| (0..buckets).filter_map(|i| s.at(i)))
        .fold(0.0, f64::max);
    let (top, power) = axis_top(max, unit);
    let x = |i: usize| {
        if buckets > 1 {
            LEFT + (W - LEFT - RIGHT) * i as f64 / (buckets - 1) as f64
        } else {
            LEFT + (W - LEFT - RIGHT) / 2.0
        }
    };
    let y = |v: f64| bottom - v.min(top) / top * PLOT_H;
    let mut out = String::new();
    open_svg(&mut out, caption, "chart", W as u32, height as u32);
    for (value, anchor) in [(top, "hi"), (top / 2.0, "mid"), (0.0, "lo")] {
        let _ = write!(
            out,
            r##"<text x="{tx}" y="{ty:.1}" text-anchor="end" fill="#1a1a1a" font-size="15" data-axis="{anchor}">{label}</text><line x1="{LEFT}" x2="{x2}" y1="{ly:.1}" y2="{ly:.1}" stroke="#767676" stroke-width="1"/>"##,
            tx = LEFT - 8.0,
            ty = y(value) + 5.0,
            label = escape(&unit.label(value, power)),
            x2 = W - RIGHT,
            ly = y(value),
        );
    }
    for (n, s) in series.iter().enumerate() {
        let color = PALETTE[n % PALETTE.len()];
        let dash = DASHES[n % DASHES.len()];
        let mut path = String::new();
        let mut drawing = false;
        for i in 0..buckets {
            match s.at(i) {
                Some(v) => {
                    let _ = write!(
                        path,
                        "{}{:.1},{:.1}",
                        if drawing { " L" } else { " M" },
                        x(i),
                        y(v)
                    );
                    drawing = true;
                }
                None => drawing = false,
            }
        }
        if !path.is_empty() {
            let _ = write!(
                out,
                r#"<path d="{}" fill="none" stroke="{color}" stroke-width="2.5" stroke-linejoin="round" stroke-dasharray="{dash}"/>"#,
                path.trim_start()
            );
        }
        for i in 0..buckets {
            let Some(v) = s.at(i) else { continue };
            let alone = (i == 0 || s.at(i - 1).is_none()) && s.at(i + 1).is_none();
            if buckets <= MARKER_LIMIT || alone {
                let _ = write!(
                    out,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{color}"/>"#,
                    x(i),
                    y(v)
                );
            }
        }
    }
    let mut ticks = vec![
        0,
        (buckets.saturating_sub(1)) / 2,
        buckets.saturating_sub(1),
    ];
    ticks.dedup();
    for (i, label) in ticks
        .into_iter()
        .filter_map(|i| labels.get(i).map(|l| (i, l)))
    {
        let anchor = if buckets == 1 || (i != 0 && i + 1 != buckets) {
            "middle"
        } else if i == 0 {
            "start"
        } else {
            "end"
        };
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{axis_labels_y}" text-anchor="{anchor}" fill="#1a1a1a" font-size="15">{}</text>"##,
            x(i),
            escape(label)
        );
    }
    for (n, s) in series.iter().enumerate() {
        let row = legend_y + LEGEND_ROW * n as f64 - 6.0;
        let _ = write!(
            out,
            r##"<line x1="16" x2="52" y1="{row}" y2="{row}" stroke="{}" stroke-width="3" stroke-dasharray="{}"/><text x="60" y="{}" fill="#1a1a1a" font-size="15">{}</text>"##,
            PALETTE[n % PALETTE.len()],
            DASHES[n % DASHES.len()],
            row + 5.0,
            escape(s.name)
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
        title: "応答時間",
        description: "直近の応答時間です",
    };

    fn hours(n: usize) -> Vec<String> {
        (0..n).map(|h| format!("{h:02}:00")).collect()
    }

    /// The `name="…"` attribute of every `<tag` element that has one, in order.
    fn attrs(svg: &str, tag: &str, name: &str) -> Vec<String> {
        let key = format!(r#" {name}=""#);
        svg.split(&format!("<{tag} "))
            .skip(1)
            .filter_map(|element| {
                let element = format!(" {}", &element[..element.find('>')?]);
                let start = element.find(&key)? + key.len();
                let end = element[start..].find('"')? + start;
                Some(element[start..end].to_string())
            })
            .collect()
    }

    #[test]
    fn timeline_escapes_legend_names_and_labels() {
        let values = [Some(1.0), Some(2.0)];
        let svg = timeline(
            &CAPTION,
            &["<a>".into(), "b&c".into()],
            &[Series {
                name: "応答<script>\"x\"",
                values: &values,
            }],
            Unit::Count,
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(
            svg.contains(">応答&lt;script&gt;&quot;x&quot;</text>"),
            "{svg}"
        );
        assert!(svg.contains(">&lt;a&gt;</text>") && svg.contains(">b&amp;c</text>"));
        assert!(!svg.contains("<script>") && !svg.contains("<a>"));
    }

    #[test]
    fn timeline_breaks_the_line_where_data_is_missing() {
        let values = [None, Some(1.0), Some(2.0), None, Some(3.0), Some(4.0), None];
        let svg = timeline(
            &CAPTION,
            &hours(values.len()),
            &[Series {
                name: "p95",
                values: &values,
            }],
            Unit::Millis,
        );
        let d = &attrs(&svg, "path", "d")[0];
        assert_eq!(d.matches('M').count(), 2, "{d}");
        assert_eq!(d.matches('L').count(), 2, "{d}");
        assert_eq!(svg.matches("<circle").count(), 4);
        assert!(svg.contains(">00:00</text>") && svg.contains(">03:00</text>"));
        assert!(svg.contains(">06:00</text>") && !svg.contains(">01:00</text>"));
    }

    #[test]
    fn timeline_marks_lone_values_even_in_long_series() {
        let mut values = vec![Some(5.0); 100];
        values[49] = None;
        values[51] = None;
        let svg = timeline(
            &CAPTION,
            &hours(100),
            &[Series {
                name: "件数",
                values: &values,
            }],
            Unit::Count,
        );
        assert_eq!(
            svg.matches("<circle").count(),
            1,
            "only the value at 50 stands alone"
        );
    }

    #[test]
    fn timeline_writes_axis_labels_in_the_unit() {
        let percent = [Some(42.0), Some(97.3)];
        let svg = timeline(
            &CAPTION,
            &hours(2),
            &[Series {
                name: "CPU",
                values: &percent,
            }],
            Unit::Percent,
        );
        assert!(svg.contains(r#"data-axis="hi">100.0%</text>"#), "{svg}");
        assert!(svg.contains(r#"data-axis="mid">50.0%</text>"#));
        assert!(svg.contains(r#"data-axis="lo">0.0%</text>"#));

        let bytes = [
            Some(700.0 * 1024.0 * 1024.0),
            Some(1.5 * 1024.0 * 1024.0 * 1024.0),
        ];
        let svg = timeline(
            &CAPTION,
            &hours(2),
            &[Series {
                name: "メモリ",
                values: &bytes,
            }],
            Unit::Bytes,
        );
        assert!(svg.contains(r#"data-axis="hi">2.0 GB</text>"#), "{svg}");
        assert!(svg.contains(r#"data-axis="mid">1.0 GB</text>"#));
        assert!(svg.contains(r#"data-axis="lo">0.0 GB</text>"#));

        let counts = [Some(1234.0), Some(3100.0)];
        let svg = timeline(
            &CAPTION,
            &hours(2),
            &[Series {
                name: "要求",
                values: &counts,
            }],
            Unit::Count,
        );
        assert!(svg.contains(r#"data-axis="hi">4,000</text>"#), "{svg}");
        assert!(svg.contains(r#"data-axis="mid">2,000</text>"#));
    }

    #[test]
    fn unit_formats_single_figures() {
        assert_eq!(Unit::Count.format(1234.4), "1,234");
        assert_eq!(Unit::Percent.format(12.345), "12.3%");
        assert_eq!(Unit::Millis.format(1500.0), "1,500 ms");
        assert_eq!(Unit::Bytes.format(512.0), "512 B");
        assert_eq!(Unit::Bytes.format(1536.0), "1.5 KB");
        assert_eq!(Unit::Bytes.format(3.0 * 1024.0 * 1024.0 * 1024.0), "3.0 GB");
        assert_eq!(Unit::Percent.format(f64::NAN), "0.0%");
    }

    #[test]
    fn timeline_without_data_is_valid_svg_without_nan() {
        let none = [None, None, None];
        let zero = [Some(0.0), Some(0.0), Some(0.0)];
        let odd = [Some(f64::NAN), Some(f64::INFINITY), Some(-3.0)];
        for values in [&none[..], &zero[..], &odd[..]] {
            for unit in [Unit::Count, Unit::Percent, Unit::Millis, Unit::Bytes] {
                let svg = timeline(
                    &CAPTION,
                    &hours(3),
                    &[Series {
                        name: "空", values
                    }],
                    unit,
                );
                assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
                assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
                assert_eq!(svg.matches(r#"data-axis=""#).count(), 3);
            }
        }
        let empty = timeline(&CAPTION, &[], &[], Unit::Count);
        assert!(empty.ends_with("</svg>") && !empty.contains("NaN"));
        assert!(empty.contains(r#"data-axis="hi">2</text>"#), "{empty}");
    }

    #[test]
    fn timeline_series_differ_in_colour_and_dash() {
        let a = [Some(1.0), Some(2.0)];
        let b = [Some(2.0), Some(1.0)];
        let c = [Some(3.0), Some(3.0)];
        let svg = timeline(
            &CAPTION,
            &hours(2),
            &[
                Series {
                    name: "一",
                    values: &a,
                },
                Series {
                    name: "二",
                    values: &b,
                },
                Series {
                    name: "三",
                    values: &c,
                },
            ],
            Unit::Count,
        );
        let colours = attrs(&svg, "path", "stroke");
        let dashes = attrs(&svg, "path", "stroke-dasharray");
        assert_eq!(colours.len(), 3);
        for i in 0..3 {
            for j in i + 1..3 {
                assert_ne!(colours[i], colours[j]);
                assert_ne!(dashes[i], dashes[j]);
            }
        }
        let legend = attrs(&svg, "line", "stroke-dasharray");
        assert!(
            legend.ends_with(&dashes),
            "legend samples match the lines: {legend:?}"
        );
        assert!(svg.contains(">一</text>") && svg.contains(">三</text>"));
    }
}
