//! What the money and count charts share: round ticks on the vertical axis, and as many date
//! labels along the bottom as fit without overlapping.

use std::fmt::Write;

use super::escape;

/// Text size of every label, in viewBox units.
pub(super) const FONT: f64 = 15.0;

/// The most intervals between ticks (so at most six ticks).
const MAX_INTERVALS: i128 = 5;

/// The fewest intervals between ticks when the data has any extent (so at least four ticks).
const MIN_INTERVALS: i128 = 3;

/// Space kept free between two labels along the bottom.
const LABEL_GAP: f64 = 12.0;

/// Evenly spaced values from `lo` to `hi`: multiples of a step of 1, 2, 2.5 or 5 × 10^k.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Ticks {
    /// The lowest tick, the bottom of the axis.
    pub lo: i64,
    /// The highest tick, the top of the axis.
    pub hi: i64,
    /// The distance between ticks.
    pub step: i64,
}

impl Ticks {
    /// Round ticks covering `min..=max`: four to six of them, or zero and one step when every
    /// value is zero. Counts get whole-number ticks because the smallest step is 1. A step too
    /// fine for `format` (two ticks written alike) is passed over for the next.
    pub fn covering(min: i64, max: i64, format: &dyn Fn(i64) -> String) -> Ticks {
        let (mut min, mut max) = (i128::from(min.min(max)), i128::from(min.max(max)));
        if min == 0 && max == 0 {
            return Ticks {
                lo: 0,
                hi: 1,
                step: 1,
            };
        }
        if min == max {
            let margin = (min.abs() / 10).max(1);
            (min, max) = (min - margin, max + margin);
        }
        let mut fitted = Ticks {
            lo: clamp(min),
            hi: clamp(max),
            step: 1,
        };
        for step in steps() {
            let lo = min.div_euclid(step) * step;
            let mut hi = -((-max).div_euclid(step) * step);
            if (hi - lo) / step > MAX_INTERVALS {
                continue;
            }
            let mut lo = lo;
            while (hi - lo) / step < MIN_INTERVALS {
                if hi <= 0 {
                    lo -= step;
                } else {
                    hi += step;
                }
            }
            fitted = Ticks {
                lo: clamp(lo),
                hi: clamp(hi),
                step: clamp(step),
            };
            if fitted.written_apart(format) {
                break;
            }
        }
        fitted
    }

    /// Whether no two ticks are written alike.
    fn written_apart(self, format: &dyn Fn(i64) -> String) -> bool {
        let labels: Vec<String> = self.values().map(format).collect();
        labels.windows(2).all(|w| w[0] != w[1])
    }

    /// Every tick from the bottom up.
    pub fn values(self) -> impl Iterator<Item = i64> {
        let count = (i128::from(self.hi) - i128::from(self.lo)) / i128::from(self.step.max(1));
        (0..=count).map(move |i| clamp(i128::from(self.lo) + i * i128::from(self.step)))
    }

    /// The vertical position of `value` on a plot whose top is `top` and bottom `bottom`.
    pub fn y(self, value: i64, top: f64, bottom: f64) -> f64 {
        let span = (self.hi as f64 - self.lo as f64).max(1.0);
        bottom - (value as f64 - self.lo as f64) / span * (bottom - top)
    }
}

/// Candidate steps in increasing order: 1, 2, 5, 10, 20, 25, 50, 100, …; 2.5 only from 25 up
/// so ticks stay whole numbers.
fn steps() -> impl Iterator<Item = i128> {
    (0..=19u32).flat_map(|k| {
        let m = 10i128.pow(k);
        let quarter = (k > 0).then_some(25 * m / 10);
        [Some(m), Some(2 * m), quarter, Some(5 * m)]
            .into_iter()
            .flatten()
    })
}

fn clamp(value: i128) -> i64 {
    i64::try_from(value).unwrap_or(if value < 0 { i64::MIN } else { i64::MAX })
}

/// Writes the tick labels at the left and a light gridline across the plot for each tick.
pub(super) fn draw_ticks(
    out: &mut String,
    ticks: Ticks,
    format: &dyn Fn(i64) -> String,
    (left, right): (f64, f64),
    (top, bottom): (f64, f64),
) {
    for value in ticks.values() {
        let y = ticks.y(value, top, bottom);
        let _ = write!(
            out,
            r##"<line x1="{left}" x2="{right}" y1="{y:.1}" y2="{y:.1}" stroke="#d0d0d0" stroke-width="1"/><text x="{tx}" y="{ty:.1}" text-anchor="end" fill="#1a1a1a" font-size="{FONT}" data-tick="{value}">{label}</text>"##,
            tx = left - 8.0,
            ty = y + 5.0,
            label = escape(&format(value)),
        );
    }
}

/// Writes a solid line at zero when zero is on the axis; drawn over bars so it stays visible.
pub(super) fn draw_zero(
    out: &mut String,
    ticks: Ticks,
    (left, right): (f64, f64),
    (top, bottom): (f64, f64),
) {
    if ticks.lo <= 0 && ticks.hi >= 0 {
        let z = ticks.y(0, top, bottom);
        let _ = write!(
            out,
            r##"<line x1="{left}" x2="{right}" y1="{z:.1}" y2="{z:.1}" stroke="#1a1a1a" stroke-width="1.5" data-zero="{z:.1}"/>"##
        );
    }
}

/// The left margin that fits the widest tick label.
pub(super) fn left_margin(ticks: Ticks, format: &dyn Fn(i64) -> String) -> f64 {
    let widest = ticks
        .values()
        .map(|v| text_width(&format(v)))
        .fold(0.0, f64::max);
    (widest + 16.0).max(48.0)
}

/// An estimate of how wide `text` is drawn: Latin letters and digits about 0.6 em, everything
/// else (kana, kanji) a full em. Generous, so labels never overlap.
pub(super) fn text_width(text: &str) -> f64 {
    text.chars()
        .map(|c| if c.is_ascii() { 0.62 } else { 1.0 })
        .sum::<f64>()
        * FONT
}

/// Writes as many of `labels` (centred under `xs`) as fit between `min_x` and `max_x`
/// without overlapping: the first and last whenever both fit, the rest evenly spaced between.
pub(super) fn draw_date_labels(
    out: &mut String,
    xs: &[f64],
    labels: &[String],
    y: f64,
    (min_x, max_x): (f64, f64),
) {
    for (i, x) in date_labels(xs, labels, min_x, max_x) {
        let _ = write!(
            out,
            r##"<text x="{x:.1}" y="{y}" text-anchor="middle" fill="#1a1a1a" font-size="{FONT}">{}</text>"##,
            escape(&labels[i])
        );
    }
}

/// Which labels to write and where their centres go; see [`draw_date_labels`].
pub(super) fn date_labels(
    xs: &[f64],
    labels: &[String],
    min_x: f64,
    max_x: f64,
) -> Vec<(usize, f64)> {
    let n = xs.len().min(labels.len());
    if n == 0 {
        return Vec::new();
    }
    let placed: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let half = text_width(&labels[i]) / 2.0;
            let centre = xs[i].min(max_x - half).max(min_x + half);
            (centre, half)
        })
        .collect();
    let fits = |chosen: &[usize]| {
        chosen.windows(2).all(|w| {
            let (a, b) = (placed[w[0]], placed[w[1]]);
            a.0 + a.1 + LABEL_GAP <= b.0 - b.1
        })
    };
    for count in (2..=n).rev() {
        let mut chosen: Vec<usize> = (0..count)
            .map(|j| (2 * j * (n - 1) + count - 1) / (2 * (count - 1)))
            .collect();
        chosen.dedup();
        if fits(&chosen) {
            return chosen.into_iter().map(|i| (i, placed[i].0)).collect();
        }
    }
    vec![(n - 1, placed[n - 1].0)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(v: i64) -> String {
        v.to_string()
    }

    fn ticks(min: i64, max: i64) -> Vec<i64> {
        Ticks::covering(min, max, &plain).values().collect()
    }

    #[test]
    fn ticks_are_round_and_cover_the_data() {
        assert_eq!(
            ticks(0, 42_504_000),
            vec![
                0, 10_000_000, 20_000_000, 30_000_000, 40_000_000, 50_000_000
            ]
        );
        assert_eq!(ticks(0, 5), vec![0, 1, 2, 3, 4, 5]);
        assert_eq!(ticks(0, 7), vec![0, 2, 4, 6, 8]);
        assert_eq!(ticks(0, 1), vec![0, 1, 2, 3], "counts get whole ticks");
        assert_eq!(
            ticks(0, 120_000),
            vec![0, 25_000, 50_000, 75_000, 100_000, 125_000]
        );
        assert_eq!(
            ticks(20_000_000, 22_000_000),
            vec![20_000_000, 20_500_000, 21_000_000, 21_500_000, 22_000_000]
        );
    }

    #[test]
    fn small_counts_get_distinct_whole_ticks_from_zero() {
        let expected: [(i64, &[i64]); 7] = [
            (0, &[0, 1]),
            (1, &[0, 1, 2, 3]),
            (2, &[0, 1, 2, 3]),
            (3, &[0, 1, 2, 3]),
            (7, &[0, 2, 4, 6, 8]),
            (10, &[0, 2, 4, 6, 8, 10]),
            (1234, &[0, 250, 500, 750, 1000, 1250]),
        ];
        for (max, ticks_wanted) in expected {
            assert_eq!(ticks(0, max), ticks_wanted, "max {max}");
            let labels: Vec<String> = ticks(0, max).into_iter().map(plain).collect();
            assert!(labels.windows(2).all(|w| w[0] != w[1]), "{labels:?}");
        }
    }

    #[test]
    fn negative_ranges_keep_zero_on_a_tick() {
        let t = ticks(-3_864_000, 42_504_000);
        assert_eq!(t, vec![-20_000_000, 0, 20_000_000, 40_000_000, 60_000_000]);
        let t = ticks(-29_800_000, 0);
        assert_eq!(t, vec![-30_000_000, -20_000_000, -10_000_000, 0]);
        let t = ticks(-1, 1);
        assert!(t.len() >= 4 && t.contains(&0), "{t:?}");
    }

    #[test]
    fn all_zero_data_gets_zero_and_one_step() {
        assert_eq!(ticks(0, 0), vec![0, 1]);
        let flat = ticks(5_000_000, 5_000_000);
        assert!(
            flat.len() >= 4 && flat[0] < 5_000_000 && *flat.last().unwrap() > 5_000_000,
            "{flat:?}"
        );
    }

    #[test]
    fn there_are_four_to_six_ticks_at_every_scale() {
        for max in [
            1,
            3,
            9,
            11,
            99,
            101,
            12_345,
            999_999,
            1_000_001,
            987_654_321,
            100_000_000_000_000_000,
        ] {
            for min in [0, -max / 3, -max] {
                let t = Ticks::covering(min, max, &plain);
                let count = t.values().count();
                assert!((4..=6).contains(&count), "{min}..{max}: {t:?}");
                assert!(t.lo <= min && t.hi >= max, "{min}..{max}: {t:?}");
                let p = 10i64.pow(t.step.ilog10());
                assert!(
                    [p, 2 * p, 5 * p].contains(&t.step) || 4 * t.step == 10 * p,
                    "{t:?}"
                );
            }
        }
        let extreme = Ticks::covering(i64::MIN, i64::MAX, &plain);
        assert!(extreme.values().count() >= 2);
    }

    #[test]
    fn steps_finer_than_the_labels_are_passed_over() {
        let man = |v: i64| crate::format::yen_compact(v, platform::i18n::Locale::Ja);
        let fine = Ticks::covering(1_000_000, 1_020_000, &plain);
        assert_eq!(fine.step, 5_000);
        let readable = Ticks::covering(1_000_000, 1_020_000, &man);
        let labels: Vec<String> = readable.values().map(man).collect();
        assert!(readable.step >= 10_000, "{readable:?}");
        assert!(labels.windows(2).all(|w| w[0] != w[1]), "{labels:?}");
    }

    #[test]
    fn y_maps_the_axis_onto_the_plot() {
        let t = Ticks::covering(-10, 30, &plain);
        assert_eq!(t.y(t.hi, 10.0, 110.0), 10.0);
        assert_eq!(t.y(t.lo, 10.0, 110.0), 110.0);
    }

    fn dates(n: usize) -> Vec<String> {
        (0..n)
            .map(|i| format!("2026年{}月{}日", i % 12 + 1, i % 28 + 1))
            .collect()
    }

    #[test]
    fn date_labels_never_overlap_and_keep_the_ends() {
        for n in [1, 2, 5, 12, 30] {
            let labels = dates(n);
            let xs: Vec<f64> = (0..n)
                .map(|i| 80.0 + 540.0 * (i as f64 + 0.5) / n as f64)
                .collect();
            let chosen = date_labels(&xs, &labels, 0.0, 640.0);
            assert_eq!(chosen.first().map(|c| c.0), Some(0), "{n}");
            assert_eq!(chosen.last().map(|c| c.0), Some(n - 1), "{n}");
            for w in chosen.windows(2) {
                let right = w[0].1 + text_width(&labels[w[0].0]) / 2.0;
                let left = w[1].1 - text_width(&labels[w[1].0]) / 2.0;
                assert!(right < left, "{n}: {chosen:?}");
            }
            let gaps: Vec<usize> = chosen.windows(2).map(|w| w[1].0 - w[0].0).collect();
            let (least, most) = (gaps.iter().min(), gaps.iter().max());
            assert!(
                most.zip(least).is_none_or(|(m, l)| m - l <= 1),
                "evenly spaced: {gaps:?}"
            );
            for (i, x) in &chosen {
                let half = text_width(&labels[*i]) / 2.0;
                assert!(x - half >= 0.0 && x + half <= 640.0);
            }
        }
        let short: Vec<String> = (1..=12).map(|m| format!("{m}月")).collect();
        let xs: Vec<f64> = (0..12).map(|i| 60.0 + 50.0 * i as f64).collect();
        assert_eq!(date_labels(&xs, &short, 0.0, 640.0).len(), 12);
        assert!(date_labels(&[], &[], 0.0, 640.0).is_empty());
    }
}
