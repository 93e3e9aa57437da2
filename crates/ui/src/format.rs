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
}
