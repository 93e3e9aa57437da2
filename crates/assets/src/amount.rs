//! Money as integer yen: no fractions, no floating point.

use std::fmt;

use platform::fields::{FieldError, fold_full_width};

/// The largest amount one entry may hold: 100 trillion yen, beyond any customer's holding.
pub const MAX_YEN: i64 = 100_000_000_000_000;

/// A non-negative amount of yen, at most [`MAX_YEN`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Yen(i64);

impl Yen {
    /// Parses what a customer typed: digits with optional thousands separators, full-width
    /// digits, a leading `¥`/`￥` or a trailing `円`.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let folded = fold_full_width(raw);
        let trimmed = folded
            .trim()
            .trim_start_matches(['¥', '￥', '\\'])
            .trim_end_matches('円')
            .trim();
        if trimmed.is_empty() {
            return Err(FieldError::Required);
        }
        if trimmed.starts_with('-') || trimmed.starts_with('−') || trimmed.starts_with('▲') {
            return Err(FieldError::NegativeAmount);
        }
        let digits: String = trimmed.chars().filter(|c| *c != ',').collect();
        if digits.is_empty()
            || !digits.chars().all(|c| c.is_ascii_digit())
            || !separators_ok(trimmed)
        {
            return Err(FieldError::InvalidAmount);
        }
        let value: i64 = digits.parse().map_err(|_| FieldError::AmountTooLarge)?;
        Self::from_stored(value).ok_or(FieldError::AmountTooLarge)
    }

    /// A stored amount, if in range.
    pub fn from_stored(value: i64) -> Option<Self> {
        (0..=MAX_YEN).contains(&value).then_some(Self(value))
    }

    /// The amount.
    pub fn get(self) -> i64 {
        self.0
    }
}

/// Thousands separators, where used, must sit every three digits.
fn separators_ok(s: &str) -> bool {
    if !s.contains(',') {
        return true;
    }
    let groups: Vec<&str> = s.split(',').collect();
    groups.first().is_some_and(|g| (1..=3).contains(&g.len()))
        && groups[1..].iter().all(|g| g.len() == 3)
}

impl fmt::Display for Yen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_ways_people_write_yen() {
        assert_eq!(Yen::parse("1234567").unwrap().get(), 1_234_567);
        assert_eq!(Yen::parse("1,234,567").unwrap().get(), 1_234_567);
        assert_eq!(Yen::parse("１，２３４円").unwrap().get(), 1_234);
        assert_eq!(Yen::parse("¥500").unwrap().get(), 500);
        assert_eq!(Yen::parse("0").unwrap().get(), 0);
    }

    #[test]
    fn refuses_negative_fractional_absurd_and_garbage_amounts() {
        assert_eq!(Yen::parse("-1"), Err(FieldError::NegativeAmount));
        assert_eq!(Yen::parse("▲100"), Err(FieldError::NegativeAmount));
        assert_eq!(Yen::parse("1.5"), Err(FieldError::InvalidAmount));
        assert_eq!(Yen::parse("12,34"), Err(FieldError::InvalidAmount));
        assert_eq!(Yen::parse("1e9"), Err(FieldError::InvalidAmount));
        assert_eq!(Yen::parse(""), Err(FieldError::Required));
        assert_eq!(
            Yen::parse("100000000000001"),
            Err(FieldError::AmountTooLarge)
        );
        assert_eq!(
            Yen::parse("99999999999999999999999"),
            Err(FieldError::AmountTooLarge)
        );
        assert_eq!(Yen::parse(&MAX_YEN.to_string()).unwrap().get(), MAX_YEN);
    }
}
