//! Which backups to keep: the newest of each of the last `daily` days, `weekly` weeks and
//! `monthly` months with a backup, counted in the schedule's clock, and every backup younger
//! than `within_hours`. The newest backup is always kept, whatever the policy says.

use std::collections::HashSet;

use platform::config::Retention;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime};

/// Which day, week or month a local date falls in.
type Bucket = dyn Fn(Date) -> (i32, u32);

/// When backup `id` was taken (Unix seconds), read from its name.
pub fn taken_at(id: &str) -> Option<i64> {
    let stamp = id.get(..16)?;
    let format = format_description!("[year][month][day]T[hour][minute][second]Z");
    PrimitiveDateTime::parse(stamp, &format)
        .ok()
        .map(|t| t.assume_utc().unix_timestamp())
}

/// The names among `ids` (complete backups) to keep at `now`.
pub fn keep(ids: &[String], policy: Retention, offset_seconds: i64, now: i64) -> HashSet<String> {
    let mut dated: Vec<(i64, &String)> = ids
        .iter()
        .filter_map(|id| taken_at(id).map(|at| (at, id)))
        .collect();
    dated.sort_by(|a, b| b.cmp(a));
    let local = |at: i64| {
        OffsetDateTime::from_unix_timestamp(at + offset_seconds)
            .map(|t| t.date())
            .unwrap_or(Date::MIN)
    };
    let mut kept = HashSet::new();
    let buckets: [(u32, &Bucket); 3] = [
        (policy.daily, &|d| (d.year(), d.ordinal().into())),
        (policy.weekly, &|d| {
            let (year, week, _) = d.to_iso_week_date();
            (year, week.into())
        }),
        (policy.monthly, &|d| (d.year(), u8::from(d.month()).into())),
    ];
    for (count, bucket_of) in buckets {
        let mut seen = HashSet::new();
        for (at, id) in &dated {
            if seen.len() as u32 >= count {
                break;
            }
            if seen.insert(bucket_of(local(*at))) {
                kept.insert((*id).clone());
            }
        }
    }
    if let Some((_, newest)) = dated.first() {
        kept.insert((*newest).clone());
    }
    let recent = now - i64::from(policy.within_hours) * 3600;
    kept.extend(
        dated
            .iter()
            .filter(|(at, _)| *at >= recent)
            .map(|(_, id)| (*id).clone()),
    );
    kept
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const JST: i64 = 9 * 3600;

    /// One backup a day at 02:00 JST for `days` days ending 2026-11-21, newest last.
    fn daily_backups(days: i64) -> Vec<String> {
        let last = 1_795_197_600; // 2026-11-20 17:00 UTC = 2026-11-21 02:00 JST
        (0..days)
            .rev()
            .map(|d| {
                let at = OffsetDateTime::from_unix_timestamp(last - d * 86_400).unwrap();
                let format = format_description!("[year][month][day]T[hour][minute][second]Z");
                format!("{}-0000000{}", at.format(&format).unwrap(), d % 10)
            })
            .collect()
    }

    #[test]
    fn a_year_of_dailies_keeps_seven_days_four_weeks_and_twelve_months() {
        let ids = daily_backups(400);
        let now = taken_at(ids.last().unwrap()).unwrap() + 60;
        let kept = keep(&ids, Retention::default(), JST, now);
        for newest in &ids[ids.len() - 7..] {
            assert!(kept.contains(newest), "{newest}");
        }
        // 7 days, plus the Sundays closing 3 more weeks, plus the last day of 11 more months:
        // some coincide, so at most 7 + 3 + 11 and at least 12.
        assert!(kept.len() >= 12 && kept.len() <= 21, "{}", kept.len());
        let oldest_kept = kept.iter().filter_map(|id| taken_at(id)).min().unwrap();
        let newest = taken_at(ids.last().unwrap()).unwrap();
        assert!(
            newest - oldest_kept > 300 * 86_400,
            "a monthly from about a year ago"
        );
        assert!(newest - oldest_kept < 366 * 86_400);
    }

    #[test]
    fn several_backups_in_one_day_keep_only_that_days_newest() {
        // In JST: 20 Nov 02:00, 20 Nov 23:00 and 21 Nov 01:00; the last two share a UTC day.
        let ids = vec![
            "20261119T170000Z-aaaaaaaa".to_owned(),
            "20261120T140000Z-bbbbbbbb".to_owned(),
            "20261120T160000Z-cccccccc".to_owned(),
        ];
        let policy = Retention {
            daily: 1,
            weekly: 0,
            monthly: 0,
            within_hours: 0,
        };
        let now = taken_at(&ids[2]).unwrap() + 60;
        let kept = keep(&ids, policy, JST, now);
        assert_eq!(
            kept,
            HashSet::from(["20261120T160000Z-cccccccc".to_owned()])
        );
        let policy = Retention { daily: 2, ..policy };
        let kept = keep(&ids, policy, JST, now);
        assert!(
            kept.contains("20261120T140000Z-bbbbbbbb"),
            "newest of 20 Nov JST"
        );
        assert!(!kept.contains("20261119T170000Z-aaaaaaaa"));
        let policy = Retention {
            within_hours: 24,
            ..policy
        };
        assert_eq!(
            keep(&ids, policy, JST, now).len(),
            3,
            "all younger than a day"
        );
    }

    #[test]
    fn names_that_are_not_backups_are_never_kept_or_counted() {
        assert_eq!(taken_at("keys"), None);
        assert_eq!(taken_at("20261121T030000Z-cccccccc"), Some(1_795_230_000));
        let kept = keep(&["junk".to_owned()], Retention::default(), JST, 0);
        assert!(kept.is_empty());
    }
}
