//! Net worth over time as stacked columns: what is owned stacked up from zero, what is owed
//! stacked down from it, and net worth as a line on top. A new debt then shows as its own block
//! below zero, never as a fall of everything owned.

use std::fmt::Write;

use super::axis::{self, Ticks};
use super::{Caption, Frame, escape, open_svg};

const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 44.0;
/// The widest a column is drawn, so one or two dates still look like columns.
const MAX_COLUMN: f64 = 64.0;
/// The net-worth line and its markers, matching the legend's swatch on the page.
const NET_COLOUR: &str = "#1a1a1a";

/// One layer of [`stacked_columns`]: a category's signed value at each date.
pub struct Layer<'a> {
    /// Fill colour, from [`super::category_colour`].
    pub colour: &'a str,
    /// One value per date; negative values (debts) are drawn below zero.
    pub values: &'a [i64],
}

/// Stacked columns, one per date (labelled by `dates`): positive values of the layers stacked
/// up from zero in the order given, negative ones down from zero, and the sum at each date
/// (net worth) as a line with markers. The axis always includes zero, with round ticks written
/// by `format`.
pub fn stacked_columns(
    caption: &Caption<'_>,
    frame: Frame,
    dates: &[String],
    layers: &[Layer<'_>],
    format: &dyn Fn(i64) -> String,
) -> String {
    let columns: Vec<Column> = (0..dates.len()).map(|i| Column::at(layers, i)).collect();
    let min = columns.iter().map(|c| c.down.min(c.net)).min().unwrap_or(0);
    let max = columns.iter().map(|c| c.up.max(c.net)).max().unwrap_or(0);
    let ticks = Ticks::covering(min.min(0), max.max(0), format);
    let (w, h) = (frame.width, frame.height);
    let left = axis::left_margin(ticks, format);
    let plot = Plot {
        ticks,
        left,
        bottom: h - BOTTOM,
        slot: (w - RIGHT - left) / dates.len().max(1) as f64,
    };
    let mut out = String::new();
    open_svg(&mut out, caption, "chart sensitive", w as u32, h as u32);
    axis::draw_ticks(
        &mut out,
        ticks,
        format,
        (left, w - RIGHT),
        (TOP, plot.bottom),
    );
    for i in 0..dates.len() {
        plot.draw_column(&mut out, layers, i);
    }
    axis::draw_zero(&mut out, ticks, (left, w - RIGHT), (TOP, plot.bottom));
    plot.draw_net(&mut out, &columns);
    let xs: Vec<f64> = (0..dates.len()).map(|i| plot.x(i)).collect();
    axis::draw_date_labels(&mut out, &xs, dates, h - 14.0, (0.0, w));
    out.push_str("</svg>");
    out
}

/// The extent of one date's column.
struct Column {
    /// Sum of the positive values.
    up: i64,
    /// Sum of the negative values.
    down: i64,
    /// Sum of all values.
    net: i64,
}

impl Column {
    fn at(layers: &[Layer<'_>], i: usize) -> Self {
        let mut column = Column {
            up: 0,
            down: 0,
            net: 0,
        };
        for v in layers.iter().filter_map(|l| l.values.get(i).copied()) {
            if v > 0 {
                column.up = column.up.saturating_add(v);
            } else {
                column.down = column.down.saturating_add(v);
            }
            column.net = column.net.saturating_add(v);
        }
        column
    }
}

/// Where things go on the plot.
struct Plot {
    ticks: Ticks,
    left: f64,
    bottom: f64,
    /// Horizontal space per date.
    slot: f64,
}

impl Plot {
    fn x(&self, i: usize) -> f64 {
        self.left + self.slot * (i as f64 + 0.5)
    }

    fn y(&self, value: i64) -> f64 {
        self.ticks.y(value, TOP, self.bottom)
    }

    /// The blocks of date `i`, each edged in white so neighbours read apart.
    fn draw_column(&self, out: &mut String, layers: &[Layer<'_>], i: usize) {
        let width = (self.slot * 0.6).clamp(2.0, MAX_COLUMN);
        let x = self.x(i) - width / 2.0;
        let (mut up, mut down) = (0i64, 0i64);
        for layer in layers {
            let v = layer.values.get(i).copied().unwrap_or(0);
            let (from, to) = if v > 0 {
                let from = up;
                up = up.saturating_add(v);
                (from, up)
            } else if v < 0 {
                let from = down;
                down = down.saturating_add(v);
                (from, down)
            } else {
                continue;
            };
            let (y1, y2) = (self.y(from), self.y(to));
            let _ = write!(
                out,
                r##"<rect x="{x:.1}" y="{:.1}" width="{width:.1}" height="{:.1}" fill="{}" stroke="#ffffff" stroke-width="1"/>"##,
                y1.min(y2),
                (y1 - y2).abs(),
                escape(layer.colour),
            );
        }
    }

    /// Net worth as a line with a marker at each date, over the columns.
    fn draw_net(&self, out: &mut String, columns: &[Column]) {
        let at: Vec<(f64, f64)> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| (self.x(i), self.y(c.net)))
            .collect();
        if at.len() > 1 {
            let path: Vec<String> = at.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
            let _ = write!(
                out,
                r#"<polyline points="{}" fill="none" stroke="{NET_COLOUR}" stroke-width="2.5" stroke-linejoin="round"/>"#,
                path.join(" ")
            );
        }
        for (x, y) in at {
            let _ = write!(
                out,
                r##"<circle cx="{x:.1}" cy="{y:.1}" r="4.5" fill="{NET_COLOUR}" stroke="#ffffff" stroke-width="1.5"/>"##
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::category_colour;

    const CAPTION: Caption<'static> = Caption {
        id: "trend",
        title: "純資産の推移",
        description: "区分ごとの積み上げです",
    };

    fn yen(v: i64) -> String {
        crate::format::yen_compact(v, platform::i18n::Locale::Ja)
    }

    /// `(y, height)` of every rect filled with `colour`, in order.
    fn rects(svg: &str, colour: &str) -> Vec<(f64, f64)> {
        svg.split("<rect ")
            .skip(1)
            .filter(|r| r.contains(&format!(r#"fill="{colour}""#)))
            .map(|r| (attr(r, "y"), attr(r, "height")))
            .collect()
    }

    fn attr(element: &str, name: &str) -> f64 {
        let key = format!(r#" {name}=""#);
        let start = element.find(&key).map_or(0, |i| i + key.len());
        element[start..]
            .split('"')
            .next()
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::NAN)
    }

    /// Where the solid zero line is drawn.
    fn zero_y(svg: &str) -> f64 {
        svg.split(r#"data-zero=""#)
            .nth(1)
            .and_then(|s| s.split('"').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::NAN)
    }

    fn dates(n: usize) -> Vec<String> {
        (1..=n).map(|m| format!("{m}月")).collect()
    }

    #[test]
    fn liabilities_hang_below_the_zero_line_and_assets_stand_on_it() {
        let deposits = [3_000_000, 3_100_000, 3_200_000];
        let stocks = [1_000_000, 1_050_000, 1_100_000];
        let mortgage = [0, 0, -29_800_000];
        let (blue, green, red) = (category_colour(0), category_colour(1), category_colour(9));
        let svg = stacked_columns(
            &CAPTION,
            Frame::WIDE,
            &dates(3),
            &[
                Layer {
                    colour: blue,
                    values: &deposits,
                },
                Layer {
                    colour: green,
                    values: &stocks,
                },
                Layer {
                    colour: red,
                    values: &mortgage,
                },
            ],
            &yen,
        );
        let zero = zero_y(&svg);
        assert!(zero.is_finite(), "{svg}");
        let debt = rects(&svg, red);
        assert_eq!(debt.len(), 1, "a block only where the debt is recorded");
        assert!((debt[0].0 - zero).abs() < 0.11, "the debt hangs from zero");
        assert!(debt[0].1 > 0.0);
        for (y, h) in rects(&svg, blue) {
            assert!(
                (y + h - zero).abs() < 0.11,
                "deposits stand on zero: {y} {h} {zero}"
            );
        }
        for (y, h) in rects(&svg, green) {
            assert!(y + h <= zero + 0.11 && y < zero, "stocks sit above zero");
        }
        let deposit_tops: Vec<f64> = rects(&svg, blue).iter().map(|r| r.0).collect();
        assert!(
            deposit_tops[2] <= deposit_tops[1],
            "today's assets are not lowered"
        );
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains(r#"data-tick="0""#));
        assert!(svg.contains(">-3,000万円</text>"), "{svg}");
    }

    #[test]
    fn the_axis_includes_zero_even_far_above_it() {
        let values = [40_000_000, 42_504_000];
        let svg = stacked_columns(
            &CAPTION,
            Frame::WIDE,
            &dates(2),
            &[Layer {
                colour: category_colour(0),
                values: &values,
            }],
            &yen,
        );
        for tick in [
            "0円",
            "1,000万円",
            "2,000万円",
            "3,000万円",
            "4,000万円",
            "5,000万円",
        ] {
            assert!(svg.contains(&format!(">{tick}</text>")), "{tick}: {svg}");
        }
        assert!(!svg.contains("style="));
        assert!(svg.contains(r#"viewBox="0 0 720 320""#) && svg.contains(r#"role="img""#));
    }

    #[test]
    fn one_date_draws_a_tidy_column_and_no_data_does_not_panic() {
        let values = [5_000_000];
        let svg = stacked_columns(
            &CAPTION,
            Frame::WIDE,
            &["今日".to_owned()],
            &[Layer {
                colour: category_colour(0),
                values: &values,
            }],
            &yen,
        );
        let blocks = rects(&svg, category_colour(0));
        assert_eq!(blocks.len(), 1);
        assert!(attr(svg.split("<rect ").nth(1).unwrap_or(""), "width") <= MAX_COLUMN);
        assert!(!svg.contains("<polyline") && svg.matches("<circle").count() == 1);
        assert!(svg.contains(">今日</text>"));
        for empty in [
            stacked_columns(&CAPTION, Frame::WIDE, &[], &[], &yen),
            stacked_columns(&CAPTION, Frame::WIDE, &dates(3), &[], &yen),
        ] {
            assert!(empty.ends_with("</svg>") && !empty.contains("NaN") && !empty.contains("inf"));
        }
    }

    #[test]
    fn colours_and_labels_are_escaped() {
        let values = [1];
        let svg = stacked_columns(
            &CAPTION,
            Frame::WIDE,
            &["<b>".to_owned()],
            &[Layer {
                colour: "\"><script>",
                values: &values,
            }],
            &|v| format!("{v}&"),
        );
        assert!(!svg.contains("<script>") && !svg.contains("<b>"));
        assert!(svg.contains(">&lt;b&gt;</text>") && svg.contains(">1&amp;</text>"));
    }
}
