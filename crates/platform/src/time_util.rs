//! Time as the storage layer keeps it: UTC seconds since the Unix epoch, which both database
//! backends store and compare the same way.

use time::{Date, OffsetDateTime, UtcOffset};

/// Seconds since the Unix epoch, now.
pub fn now_unix() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// Japan Standard Time (UTC+9, no daylight saving): the bank's business calendar.
pub const JST: UtcOffset = match UtcOffset::from_hms(9, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

/// Today's date on the bank's calendar.
pub fn today_jst() -> Date {
    OffsetDateTime::now_utc().to_offset(JST).date()
}

/// A stored timestamp as a date and time in Japan.
pub fn to_jst(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(JST)
}
