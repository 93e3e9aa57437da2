//! Identifiers of the domain. Public identifiers are random UUIDs so that nothing can be learnt
//! or guessed from their order; each kind has its own type so they cannot be mixed up.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh random identifier.
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }

            /// The UUID itself, for protocols that carry it in binary (WebAuthn user handles).
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

uuid_id!(
    /// A customer of the bank (member of the `customers` user pool).
    CustomerId
);
uuid_id!(
    /// One asset or liability a customer records.
    AssetId
);
uuid_id!(
    /// A member of the bank's staff (member of the `staff` user pool).
    StaffId
);
uuid_id!(
    /// A customer's application for the additional (premium) service.
    ApplicationId
);
uuid_id!(
    /// One identity-document image attached to an application.
    DocumentId
);

/// A customer's number as people read it: eight digits and a check digit (the Damm
/// algorithm), shown as `1234-5678-9`. Unlike [`CustomerId`] it is short enough to read out on
/// the phone, and the check digit catches every single wrong digit and every swap of two
/// neighbouring digits before anything is searched. It is issued once at sign-up and never
/// reused; it is not personal data, so it is stored in clear.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CustomerNumber(u32);

/// Why a text is not a customer number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CustomerNumberError {
    /// Not nine digits (hyphens and spaces aside).
    #[error("a customer number has nine digits")]
    Shape,
    /// Nine digits whose last one does not match the other eight.
    #[error("the check digit does not match")]
    CheckDigit,
}

impl CustomerNumber {
    /// Digits before the check digit.
    const BODY_DIGITS: u32 = 8;
    /// Issued numbers start with 1 to 9, so none loses a leading zero in a spreadsheet.
    const FIRST: u32 = 10_000_000;
    const END: u32 = 100_000_000;

    /// A random number for a new customer; the caller makes sure it was never issued before.
    pub fn random() -> Self {
        use rand::Rng;
        Self(rand::rngs::OsRng.gen_range(Self::FIRST..Self::END))
    }

    /// The number from its eight digits without the check digit, if they are in range.
    pub fn from_body(body: u32) -> Option<Self> {
        (body < Self::END).then_some(Self(body))
    }

    /// The check digit of the number.
    pub fn check_digit(self) -> u8 {
        check_digit(&self.body_digits())
    }

    fn body_digits(self) -> [u8; 8] {
        let mut out = [0u8; 8];
        let mut n = self.0;
        for d in out.iter_mut().rev() {
            *d = (n % 10) as u8;
            n /= 10;
        }
        out
    }

    /// The nine digits without separators, as stored: `123456789`.
    pub fn digits(self) -> String {
        format!("{:08}{}", self.0, self.check_digit())
    }

    /// Parses a number as people type it: nine digits, with or without hyphens or spaces between
    /// them, full-width digits and dashes folded; the check digit must match.
    pub fn parse(raw: &str) -> Result<Self, CustomerNumberError> {
        let mut digits = Vec::with_capacity(9);
        for c in raw.trim().chars() {
            match c {
                '0'..='9' => digits.push(c as u8 - b'0'),
                '０'..='９' => digits.push((c as u32 - '０' as u32) as u8),
                '-' | '－' | '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | 'ー' | 'ｰ' =>
                    {}
                c if c.is_whitespace() => {}
                _ => return Err(CustomerNumberError::Shape),
            }
        }
        let Some((&check, body)) = digits.split_last() else {
            return Err(CustomerNumberError::Shape);
        };
        if body.len() != Self::BODY_DIGITS as usize {
            return Err(CustomerNumberError::Shape);
        }
        if check_digit(body) != check {
            return Err(CustomerNumberError::CheckDigit);
        }
        let body = body.iter().fold(0u32, |n, d| n * 10 + u32::from(*d));
        Ok(Self(body))
    }

    /// True when `raw` looks like an attempt at a number (digits, dashes and spaces only, at
    /// least one digit), whether or not it is a valid one.
    pub fn looks_like(raw: &str) -> bool {
        let raw = raw.trim();
        raw.chars()
            .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
            && raw.chars().all(|c| {
                c.is_ascii_digit()
                    || ('０'..='９').contains(&c)
                    || c.is_whitespace()
                    || matches!(
                        c,
                        '-' | '－' | '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | 'ー' | 'ｰ'
                    )
            })
    }
}

/// The Damm algorithm's quasigroup of order 10 (weakly totally anti-symmetric, zero diagonal).
const DAMM: [[u8; 10]; 10] = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

/// The Damm check digit of `body`: the digit that brings the interim digit of the whole number
/// to 0. It catches every single wrong digit and every swap of two neighbouring digits (ISO/IEC
/// 7064 MOD 11,10 and Luhn each miss some swaps, e.g. `90` ↔ `09`).
fn check_digit(body: &[u8]) -> u8 {
    body.iter().fold(0u8, |interim, d| {
        DAMM[usize::from(interim)][usize::from(*d % 10)]
    })
}

impl fmt::Display for CustomerNumber {
    /// `1234-5678-9`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:04}-{}",
            self.0 / 10_000,
            self.0 % 10_000,
            self.check_digit()
        )
    }
}

impl fmt::Debug for CustomerNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CustomerNumber({self})")
    }
}

impl FromStr for CustomerNumber {
    type Err = CustomerNumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn check_digits_follow_the_damm_algorithm() {
        // The algorithm's published example: 572 gets 4.
        assert_eq!(check_digit(&[5, 7, 2]), 4);
        assert_eq!(check_digit(&[5, 7, 2, 4]), 0, "a whole number checks to 0");
        // Weak total anti-symmetry: (c*x)*y = (c*y)*x only when x = y, so no swap of two
        // neighbouring digits keeps the check; the zero diagonal makes x*x = 0.
        for c in 0..10 {
            for x in 0..10 {
                for y in 0..10 {
                    if x != y {
                        assert_ne!(DAMM[DAMM[c][x] as usize][y], DAMM[DAMM[c][y] as usize][x]);
                    }
                }
            }
            assert_eq!(DAMM[c][c], 0);
        }
        let n = CustomerNumber::from_body(12_345_678).unwrap();
        let shown = n.to_string();
        assert_eq!(&shown[..10], "1234-5678-");
        assert_eq!(CustomerNumber::parse(&shown), Ok(n));
        assert_eq!(n.digits().len(), 9);
        assert_eq!(CustomerNumber::parse(&n.digits()), Ok(n));
    }

    #[test]
    fn numbers_parse_with_or_without_hyphens_and_in_full_width() {
        let n = CustomerNumber::from_body(20_261_207).unwrap();
        let d = n.digits();
        let full: String = d
            .chars()
            .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap())
            .collect();
        for typed in [
            n.to_string(),
            d.clone(),
            format!(" {} ", n),
            {
                let f: Vec<char> = full.chars().collect();
                let part = |r: std::ops::Range<usize>| f[r].iter().collect::<String>();
                format!("{}－{}－{}", part(0..4), part(4..8), part(8..9))
            },
            full,
            format!("{} {} {}", &d[..4], &d[4..8], &d[8..]),
        ] {
            assert_eq!(CustomerNumber::parse(&typed), Ok(n), "{typed}");
        }
    }

    #[test]
    fn a_wrong_check_digit_or_shape_is_refused() {
        let n = CustomerNumber::from_body(87_654_321).unwrap();
        let good = n.digits();
        let wrong = (n.check_digit() + 1) % 10;
        let bad = format!("{}{wrong}", &good[..8]);
        assert_eq!(
            CustomerNumber::parse(&bad),
            Err(CustomerNumberError::CheckDigit)
        );
        for shape in [
            "",
            "1234-5678",
            "1234-5678-90",
            "abcd-efgh-i",
            "1234_5678_9",
        ] {
            assert_eq!(
                CustomerNumber::parse(shape),
                Err(CustomerNumberError::Shape),
                "{shape}"
            );
        }
        assert!(CustomerNumber::looks_like("1234-5678"));
        assert!(CustomerNumber::looks_like("１２３"));
        assert!(!CustomerNumber::looks_like("sato1"));
        assert!(!CustomerNumber::looks_like("---"));
    }

    #[test]
    fn every_single_digit_error_and_neighbour_swap_is_caught() {
        for body in [10_000_000, 12_345_678, 98_765_432, 55_500_055, 90_909_090] {
            let n = CustomerNumber::from_body(body).unwrap();
            let digits: Vec<u8> = n.digits().bytes().map(|b| b - b'0').collect();
            let text = |d: &[u8]| d.iter().map(|d| char::from(b'0' + d)).collect::<String>();
            for i in 0..9 {
                for v in 0..10u8 {
                    if v == digits[i] {
                        continue;
                    }
                    let mut typo = digits.clone();
                    typo[i] = v;
                    assert!(CustomerNumber::parse(&text(&typo)).is_err(), "{typo:?}");
                }
                if i < 8 && digits[i] != digits[i + 1] {
                    let mut swap = digits.clone();
                    swap.swap(i, i + 1);
                    assert!(CustomerNumber::parse(&text(&swap)).is_err(), "{swap:?}");
                }
            }
        }
    }

    #[test]
    fn random_numbers_have_eight_digits_and_check() {
        for _ in 0..100 {
            let n = CustomerNumber::random();
            assert!(!n.digits().starts_with('0'));
            assert_eq!(CustomerNumber::parse(&n.to_string()), Ok(n));
        }
    }
}
