//! Asset categories, and which of them are debts.

use platform::i18n::Locale;

/// What kind of holding an entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// 預金
    Deposits,
    /// 株式
    Stocks,
    /// 投資信託
    InvestmentFunds,
    /// 債券
    Bonds,
    /// 保険
    Insurance,
    /// 年金
    Pension,
    /// 不動産
    RealEstate,
    /// 暗号資産
    CryptoAssets,
    /// その他
    Other,
    /// 負債 (loans, mortgages): subtracted from net worth.
    Liabilities,
}

impl Category {
    /// Every category in display order.
    pub const ALL: [Category; 10] = [
        Category::Deposits,
        Category::Stocks,
        Category::InvestmentFunds,
        Category::Bonds,
        Category::Insurance,
        Category::Pension,
        Category::RealEstate,
        Category::CryptoAssets,
        Category::Other,
        Category::Liabilities,
    ];

    /// Stable code used in storage, forms and CSV.
    pub fn code(self) -> &'static str {
        match self {
            Category::Deposits => "deposits",
            Category::Stocks => "stocks",
            Category::InvestmentFunds => "investment_funds",
            Category::Bonds => "bonds",
            Category::Insurance => "insurance",
            Category::Pension => "pension",
            Category::RealEstate => "real_estate",
            Category::CryptoAssets => "crypto_assets",
            Category::Other => "other",
            Category::Liabilities => "liabilities",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    /// Parses a code or a label in any supported language (CSV files written by hand).
    pub fn from_code_or_label(text: &str) -> Option<Self> {
        let text = text.trim();
        Self::from_code(text).or_else(|| {
            Self::ALL.into_iter().find(|c| {
                Locale::ALL
                    .iter()
                    .any(|l| c.label(*l).eq_ignore_ascii_case(text))
            })
        })
    }

    /// The name shown to people.
    pub fn label(self, locale: Locale) -> String {
        locale.t(&format!("category-{}", self.code().replace('_', "-")))
    }

    /// Position in [`Category::ALL`]: the category's fixed colour and place on every page.
    pub fn index(self) -> usize {
        Self::ALL.iter().position(|c| *c == self).unwrap_or(0)
    }

    /// True for debts, which count against net worth.
    pub fn is_liability(self) -> bool {
        self == Category::Liabilities
    }

    /// An amount with the sign it contributes to net worth.
    pub fn signed(self, amount: i64) -> i64 {
        if self.is_liability() { -amount } else { amount }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_labels_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::from_code(c.code()), Some(c));
            assert_eq!(Category::from_code_or_label(&c.label(Locale::Ja)), Some(c));
            assert_eq!(Category::from_code_or_label(&c.label(Locale::En)), Some(c));
        }
        assert_eq!(Category::from_code("cash"), None);
        assert_eq!(Category::Liabilities.signed(100), -100);
        assert_eq!(Category::Stocks.signed(100), 100);
    }
}
