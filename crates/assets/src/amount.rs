//! Money as integer yen: no fractions, no floating point.

use std::fmt;

use platform::fields::{FieldError, fold_full_width};

/// The largest amount one entry may hold: 100 trillion yen, beyond any customer's holding.
pub const MAX_YEN: i64 = 100_000_000_000_000;

/// A non-negative amount of yen, at most [`MAX_YEN`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Yen(i64);

impl Yen {
    /// Parses what a customer typed or Japanese Excel wrote: digits with optional thousands
    /// separators (`,` or `，`), full-width digits, a leading `¥`/`￥` or a trailing `円`,
    /// surrounding spaces. Negative amounts (`-`, `−`, `▲`, `△`) are refused as such.
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
        if trimmed.starts_with('-') || trimmed.starts_with('−') || trimmed.starts_with(['▲', '△'])
        {
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

/// Unrealised gain or loss (評価損益) of a holding: what it is worth now against what was paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnrealisedGain {
    /// Amount minus acquisition cost, in yen; negative for a loss.
    pub yen: i64,
    /// The same against the cost, in basis points (1/100 of a percent), rounded half away
    /// from zero: 1,250 is +12.50 %.
    pub basis_points: i64,
}

impl UnrealisedGain {
    /// The gain of a holding worth `amount` that cost `cost`; `None` without a cost or with a
    /// cost of zero, where a percentage means nothing.
    pub fn of(amount: Yen, cost: Option<Yen>) -> Option<Self> {
        let cost = cost.filter(|c| c.get() > 0)?.get();
        let yen = amount.get() - cost;
        // Both amounts are at most MAX_YEN, so the product fits easily in i128.
        let scaled = i128::from(yen) * 10_000;
        let divisor = i128::from(cost);
        let half = divisor / 2;
        let rounded = if scaled >= 0 {
            (scaled + half) / divisor
        } else {
            (scaled - half) / divisor
        };
        Some(Self {
            yen,
            basis_points: i64::try_from(rounded).unwrap_or(i64::MAX),
        })
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
    fn parses_what_japanese_excel_writes() {
        for written in [
            "1,234,567",
            "１，２３４，５６７",
            "1，234，567",
            "￥1,234,567",
            "¥1,234,567",
            "\\1,234,567",
            "1,234,567円",
            " 1,234,567 円 ",
            "　１２３４５６７円　",
        ] {
            assert_eq!(
                Yen::parse(written).map(Yen::get),
                Ok(1_234_567),
                "{written}"
            );
        }
        for negative in [
            "-1,000",
            "−1000",
            "－１０００",
            "-¥1,000",
            "¥-1,000",
            "△1,000",
        ] {
            assert_eq!(
                Yen::parse(negative),
                Err(FieldError::NegativeAmount),
                "{negative}"
            );
        }
        for garbage in ["1,234,56", "1 234", "円", "¥", "12円34", "abc", "1,234.0"] {
            assert!(Yen::parse(garbage).is_err(), "{garbage}");
        }
    }

    #[test]
    fn unrealised_gain_in_yen_and_basis_points() {
        let yen = |v| Yen::from_stored(v).unwrap();
        assert_eq!(
            UnrealisedGain::of(yen(1_125_000), Some(yen(1_000_000))),
            Some(UnrealisedGain {
                yen: 125_000,
                basis_points: 1_250
            })
        );
        assert_eq!(
            UnrealisedGain::of(yen(800_000), Some(yen(1_000_000))),
            Some(UnrealisedGain {
                yen: -200_000,
                basis_points: -2_000
            })
        );
        // 1/3 and 2/3 of a cost, rounded half away from zero either way.
        assert_eq!(
            UnrealisedGain::of(yen(4), Some(yen(3))).map(|g| g.basis_points),
            Some(3_333)
        );
        assert_eq!(
            UnrealisedGain::of(yen(5), Some(yen(3))).map(|g| g.basis_points),
            Some(6_667)
        );
        assert_eq!(
            UnrealisedGain::of(yen(1), Some(yen(3))).map(|g| g.basis_points),
            Some(-6_667)
        );
        assert_eq!(
            UnrealisedGain::of(yen(MAX_YEN), Some(yen(1))),
            Some(UnrealisedGain {
                yen: MAX_YEN - 1,
                basis_points: (MAX_YEN - 1) * 10_000
            })
        );
        assert_eq!(
            UnrealisedGain::of(yen(0), Some(yen(1))).map(|g| g.basis_points),
            Some(-10_000)
        );
        assert_eq!(UnrealisedGain::of(yen(500), None), None);
        assert_eq!(UnrealisedGain::of(yen(500), Some(yen(0))), None);
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
