//! The bank's business days, on which service levels are counted: a reply promised "within two
//! business days" must not fall due on a Sunday, on 敬老の日 or on 1 January. Closed are Saturdays,
//! Sundays, Japan's national holidays (including 振替休日 and 国民の休日, from the `jpholiday`
//! rules of the Act on National Holidays) and the banks' year-end closure of 31 December to
//! 3 January (Banking Act Enforcement Order, art. 5), plus any day the bank adds in its settings
//! (a system changeover, a local closure).

use std::collections::BTreeSet;

use chrono::NaiveDate;
use jpholiday::jpholiday::JPHoliday;
use time::{Date, Duration, Month, OffsetDateTime, Time, Weekday};

use crate::time_util::{JST, to_jst};

/// Years around today whose holidays are worked out once, at construction; dates outside are
/// worked out when asked.
const YEARS_AHEAD_AND_BEHIND: i32 = 5;

/// The bank's calendar of business days.
#[derive(Clone, Debug)]
pub struct BusinessCalendar {
    /// The bank's own extra closures.
    closures: BTreeSet<Date>,
    /// National holidays of the years in `years`.
    holidays: BTreeSet<Date>,
    years: std::ops::RangeInclusive<i32>,
}

impl Default for BusinessCalendar {
    fn default() -> Self {
        Self::new([])
    }
}

/// How a deadline counted in business days stands at a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deadline {
    /// Due on a later business day.
    Ahead {
        /// The end of the last business day allowed (Unix seconds).
        due: i64,
        /// Business days after today up to and including the due day.
        business_days_left: u32,
    },
    /// Due at the end of today.
    DueToday {
        /// The end of today (Unix seconds).
        due: i64,
    },
    /// Past the end of the last business day allowed.
    Overdue {
        /// When it fell due (Unix seconds).
        due: i64,
    },
}

impl BusinessCalendar {
    /// The calendar with the bank's own extra closures.
    pub fn new(extra_closures: impl IntoIterator<Item = Date>) -> Self {
        let this_year = crate::time_util::today_jst().year();
        let years = this_year - YEARS_AHEAD_AND_BEHIND..=this_year + YEARS_AHEAD_AND_BEHIND;
        let rules = JPHoliday::new();
        let holidays = years
            .clone()
            .filter_map(|year| Date::from_ordinal_date(year, 1).ok())
            .flat_map(|first| {
                (0..366).filter_map(move |day| first.checked_add(Duration::days(day)))
            })
            .filter(|date| years.contains(&date.year()) && national_holiday(&rules, *date))
            .collect();
        Self {
            closures: extra_closures.into_iter().collect(),
            holidays,
            years,
        }
    }

    /// Whether the bank is open on `date`.
    pub fn is_business_day(&self, date: Date) -> bool {
        !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
            && !year_end_closure(date)
            && !self.is_national_holiday(date)
            && !self.closures.contains(&date)
    }

    /// The end (24:00 in Japan) of the `days`-th business day after the day of `start`: a case
    /// received on Friday with two days is due at the end of Tuesday; one received on a Sunday
    /// counts from Monday as if received then.
    pub fn due(&self, start: i64, days: u32) -> i64 {
        let mut date = to_jst(start).date();
        let mut counted = 0;
        while counted < days {
            date = date.next_day().unwrap_or(date);
            if self.is_business_day(date) {
                counted += 1;
            }
        }
        if days == 0 {
            while !self.is_business_day(date) {
                date = date.next_day().unwrap_or(date);
            }
        }
        end_of_day(date)
    }

    /// Where a case received at `start` stands at `now` against a target of `days` business days.
    pub fn deadline(&self, start: i64, days: u32, now: i64) -> Deadline {
        let due = self.due(start, days);
        if now >= due {
            return Deadline::Overdue { due };
        }
        let today = to_jst(now).date();
        if end_of_day(today) == due {
            return Deadline::DueToday { due };
        }
        let mut left = 0;
        let mut date = today;
        while end_of_day(date) < due {
            date = date.next_day().unwrap_or(date);
            if self.is_business_day(date) {
                left += 1;
            }
        }
        Deadline::Ahead {
            due,
            business_days_left: left,
        }
    }
}

impl BusinessCalendar {
    fn is_national_holiday(&self, date: Date) -> bool {
        if self.years.contains(&date.year()) {
            return self.holidays.contains(&date);
        }
        national_holiday(&JPHoliday::new(), date)
    }
}

/// 31 December to 3 January, when Japanese banks are closed.
fn year_end_closure(date: Date) -> bool {
    matches!(
        (date.month(), date.day()),
        (Month::December, 31) | (Month::January, 1..=3)
    )
}

fn national_holiday(rules: &JPHoliday<'_>, date: Date) -> bool {
    NaiveDate::from_ymd_opt(
        date.year(),
        u32::from(u8::from(date.month())),
        u32::from(date.day()),
    )
    .is_some_and(|d| rules.is_holiday(&d))
}

/// 24:00 in Japan at the end of `date`, as Unix seconds.
fn end_of_day(date: Date) -> i64 {
    let next = date.next_day().unwrap_or(date);
    OffsetDateTime::new_in_offset(next, Time::MIDNIGHT, JST).unix_timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn unix(at: OffsetDateTime) -> i64 {
        at.unix_timestamp()
    }

    #[test]
    fn weekends_holidays_and_the_year_end_are_closed() {
        let calendar = BusinessCalendar::default();
        for closed in [
            date!(2026 - 12 - 05),
            date!(2026 - 12 - 06),
            date!(2026 - 09 - 21),
            date!(2026 - 09 - 22),
            date!(2026 - 05 - 06),
            date!(2026 - 12 - 31),
            date!(2027 - 01 - 02),
            date!(2027 - 01 - 03),
            date!(2027 - 03 - 22),
        ] {
            assert!(!calendar.is_business_day(closed), "{closed}");
        }
        for open in [
            date!(2026 - 12 - 07),
            date!(2026 - 12 - 30),
            date!(2027 - 01 - 04),
            date!(2026 - 09 - 24),
        ] {
            assert!(calendar.is_business_day(open), "{open}");
        }
        let extra = BusinessCalendar::new([date!(2026 - 12 - 07)]);
        assert!(!extra.is_business_day(date!(2026 - 12 - 07)));
        assert!(
            !calendar.is_business_day(date!(2040 - 02 - 11)),
            "years outside the prepared ones are worked out when asked"
        );
    }

    #[test]
    fn two_business_days_skip_weekends_and_holidays() {
        let calendar = BusinessCalendar::default();
        let friday = unix(datetime!(2026-12-04 16:00 +9));
        assert_eq!(
            calendar.due(friday, 2),
            unix(datetime!(2026-12-09 00:00 +9)),
            "Friday → end of Tuesday"
        );
        let before_silver_week = unix(datetime!(2026-09-18 10:00 +9));
        assert_eq!(
            calendar.due(before_silver_week, 2),
            unix(datetime!(2026-09-26 00:00 +9)),
            "Fri 18 Sep → Thu 24, Fri 25 (21–23 are holidays)"
        );
        let new_year = unix(datetime!(2026-12-30 09:00 +9));
        assert_eq!(
            calendar.due(new_year, 1),
            unix(datetime!(2027-01-05 00:00 +9)),
            "30 Dec → 4 Jan"
        );
        let sunday = unix(datetime!(2026-12-06 12:00 +9));
        assert_eq!(
            calendar.due(sunday, 0),
            unix(datetime!(2026-12-08 00:00 +9))
        );
    }

    #[test]
    fn a_deadline_is_ahead_then_due_today_then_overdue() {
        let calendar = BusinessCalendar::default();
        let received = unix(datetime!(2026-12-04 16:00 +9));
        assert_eq!(
            calendar.deadline(received, 2, unix(datetime!(2026-12-07 09:00 +9))),
            Deadline::Ahead {
                due: unix(datetime!(2026-12-09 00:00 +9)),
                business_days_left: 1,
            }
        );
        assert_eq!(
            calendar.deadline(received, 2, unix(datetime!(2026-12-08 23:59 +9))),
            Deadline::DueToday {
                due: unix(datetime!(2026-12-09 00:00 +9)),
            }
        );
        assert_eq!(
            calendar.deadline(received, 2, unix(datetime!(2026-12-09 00:00 +9))),
            Deadline::Overdue {
                due: unix(datetime!(2026-12-09 00:00 +9)),
            }
        );
    }
}
