//! Numbers and dates as people in each language expect to read them.

use platform::i18n::Locale;
use platform::time_util::to_jst;
use time::Date;

/// Groups digits by thousands: `1234567` → `1,234,567`.
pub fn grouped(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An amount of yen: `1,234,567円` in Japanese, `¥1,234,567` in English.
pub fn yen(value: i64, locale: Locale) -> String {
    match locale {
        Locale::Ja => format!("{}円", grouped(value)),
        Locale::En if value < 0 => format!("-¥{}", grouped(-value)),
        Locale::En => format!("¥{}", grouped(value)),
    }
}

/// The minus sign of signed figures: U+2212, which screen readers read as "minus" and which
/// is as wide as the plus sign, so columns of changes line up.
const MINUS: char = '\u{2212}';

/// An amount of yen short enough for a chart axis or the middle of a donut: `1,200万円` or
/// `1.5億円` in Japanese, `¥12M` or `¥1.5B` in English. Three significant digits at most, so
/// every round axis tick (a multiple of 1, 2, 2.5 or 5 × 10^k) reads exactly.
pub fn yen_compact(value: i64, locale: Locale) -> String {
    let sign = if value < 0 { "-" } else { "" };
    let abs = value.unsigned_abs();
    match locale {
        Locale::Ja => {
            let (unit, suffix) = match abs {
                0..10_000 => (1, "円"),
                10_000..100_000_000 => (10_000, "万円"),
                _ => (100_000_000, "億円"),
            };
            format!("{sign}{}{suffix}", scaled(abs, unit))
        }
        Locale::En => {
            let (unit, suffix) = match abs {
                0..1_000 => (1, ""),
                1_000..1_000_000 => (1_000, "K"),
                1_000_000..1_000_000_000 => (1_000_000, "M"),
                _ => (1_000_000_000, "B"),
            };
            format!("{sign}¥{}{suffix}", scaled(abs, unit))
        }
    }
}

/// `abs / unit` with thousands separators and at most three significant digits below 1,000
/// (two decimals under 10, one under 100), trailing zeros dropped; halves round up.
fn scaled(abs: u64, unit: u64) -> String {
    let whole = abs / unit;
    let decimals: u32 = match whole {
        0..10 => 2,
        10..100 => 1,
        _ => 0,
    };
    let factor = 10u128.pow(decimals);
    let unit = u128::from(unit);
    let rounded = (u128::from(abs) * factor + unit / 2) / unit;
    let (int, frac) = (rounded / factor, rounded % factor);
    let mut out = grouped(i64::try_from(int).unwrap_or(i64::MAX));
    if frac > 0 {
        let digits = format!("{frac:0width$}", width = decimals as usize);
        out.push('.');
        out.push_str(digits.trim_end_matches('0'));
    }
    out
}

/// A change in yen with its sign always written: `+12,000円` / `−12,000円` in Japanese,
/// `+¥12,000` / `−¥12,000` in English; no change reads `0円` / `¥0`.
pub fn yen_change(value: i64, locale: Locale) -> String {
    let magnitude = yen(
        i64::try_from(value.unsigned_abs()).unwrap_or(i64::MAX),
        locale,
    );
    match value.signum() {
        1 => format!("+{magnitude}"),
        -1 => format!("{MINUS}{magnitude}"),
        _ => magnitude,
    }
}

/// A change in percent from basis points, with its sign and one decimal: `+1.2%`, `−0.5%`;
/// anything that rounds to zero reads `0.0%`. Halves round away from zero.
pub fn percent_change(basis_points: i64) -> String {
    let tenths = (i128::from(basis_points).abs() + 5) / 10;
    let text = format!("{}.{}%", tenths / 10, tenths % 10);
    match basis_points.signum() {
        _ if tenths == 0 => text,
        1 => format!("+{text}"),
        _ => format!("{MINUS}{text}"),
    }
}

/// A date: `2026年11月21日` in Japanese, `21 Nov 2026` in English.
pub fn date(d: Date, locale: Locale) -> String {
    match locale {
        Locale::Ja => format!("{}年{}月{}日", d.year(), u8::from(d.month()), d.day()),
        Locale::En => {
            let month = &d.month().to_string()[..3];
            format!("{} {month} {}", d.day(), d.year())
        }
    }
}

/// A stored timestamp as date and time in Japan.
pub fn timestamp(unix: i64, locale: Locale) -> String {
    let t = to_jst(unix);
    format!(
        "{} {:02}:{:02}",
        date(t.date(), locale),
        t.hour(),
        t.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn formats_money_and_dates_per_locale() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(-1234567), "-1,234,567");
        assert_eq!(yen(1234567, Locale::Ja), "1,234,567円");
        assert_eq!(yen(-500, Locale::En), "-¥500");
        assert_eq!(date(date!(2026 - 11 - 21), Locale::Ja), "2026年11月21日");
        assert_eq!(date(date!(2026 - 11 - 21), Locale::En), "21 Nov 2026");
        assert_eq!(timestamp(0, Locale::Ja), "1970年1月1日 09:00");
    }

    #[test]
    fn compact_yen_in_japanese_uses_man_and_oku() {
        let ja = |v| yen_compact(v, Locale::Ja);
        assert_eq!(ja(0), "0円");
        assert_eq!(ja(9_999), "9,999円");
        assert_eq!(ja(5_000_000), "500万円");
        assert_eq!(ja(12_000_000), "1,200万円");
        assert_eq!(ja(150_000_000), "1.5億円");
        assert_eq!(ja(-3_000_000), "-300万円");
        assert_eq!(ja(25_000), "2.5万円");
        assert_eq!(ja(12_500), "1.25万円");
        assert_eq!(ja(125_000), "12.5万円");
        assert_eq!(ja(125_000_000), "1.25億円");
        assert_eq!(
            ja(12_345_678),
            "1,235万円",
            "rounded to whole 万 from 100万 up"
        );
        assert_eq!(ja(3_000_000_000_000), "30,000億円");
        assert_eq!(ja(i64::MIN), "-92,233,720,369億円");
    }

    #[test]
    fn compact_yen_in_english_uses_k_m_and_b() {
        let en = |v| yen_compact(v, Locale::En);
        assert_eq!(en(0), "¥0");
        assert_eq!(en(999), "¥999");
        assert_eq!(en(2_500), "¥2.5K");
        assert_eq!(en(5_000_000), "¥5M");
        assert_eq!(en(12_000_000), "¥12M");
        assert_eq!(en(150_000_000), "¥150M");
        assert_eq!(en(1_500_000_000), "¥1.5B");
        assert_eq!(en(-3_000_000), "-¥3M");
        assert_eq!(en(12_345_678), "¥12.3M");
    }

    #[test]
    fn changes_carry_a_sign_and_a_real_minus() {
        assert_eq!(yen_change(12_000, Locale::Ja), "+12,000円");
        assert_eq!(yen_change(-12_000, Locale::Ja), "\u{2212}12,000円");
        assert_eq!(yen_change(12_000, Locale::En), "+¥12,000");
        assert_eq!(yen_change(-12_000, Locale::En), "\u{2212}¥12,000");
        assert_eq!(yen_change(0, Locale::Ja), "0円");
        assert!(!yen_change(-1, Locale::En).contains('-'));
        assert_eq!(
            yen_change(i64::MIN, Locale::Ja),
            "\u{2212}9,223,372,036,854,775,807円"
        );
    }

    #[test]
    fn percent_changes_have_one_decimal_and_a_sign() {
        assert_eq!(percent_change(120), "+1.2%");
        assert_eq!(percent_change(-50), "\u{2212}0.5%");
        assert_eq!(percent_change(0), "0.0%");
        assert_eq!(percent_change(4), "0.0%");
        assert_eq!(percent_change(-4), "0.0%");
        assert_eq!(percent_change(125), "+1.3%");
        assert_eq!(percent_change(-125), "\u{2212}1.3%");
        assert_eq!(percent_change(12_345), "+123.5%");
        assert_eq!(percent_change(-10_000), "\u{2212}100.0%");
    }
}
