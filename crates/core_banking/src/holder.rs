//! The account holder name (口座名義) in kana, and whether it names the registered customer.
//! Banks print holder names in half-width katakana with large kana only (`ﾔﾏﾀﾞ ﾀﾛｳ`, `ｼﾞﾖｳｼﾞ`);
//! customers type full-width katakana or hiragana. Both are accepted and compared fairly.

use std::fmt;

use platform::fields::{FieldError, required_text};
use unicode_normalization::UnicodeNormalization;

/// Longest holder name accepted, in characters after normalisation.
pub const HOLDER_MAX: usize = 50;

/// A holder name in full-width katakana with single spaces between words, e.g. `ヤマダ タロウ`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct HolderName(String);

impl HolderName {
    /// Parses what a customer typed: full-width katakana, hiragana or half-width katakana
    /// (made full-width by Unicode NFKC, so `ﾔﾏﾀﾞ ﾀﾛｳ` becomes `ヤマダ タロウ`); hiragana is turned
    /// into katakana and hyphen-like marks into the long-vowel mark ー.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let normalised: String = raw.nfkc().collect();
        let value = required_text(&normalised, HOLDER_MAX)?;
        let katakana: String = value.chars().map(to_katakana).collect();
        let allowed = |c: char| is_katakana_letter(c) || matches!(c, 'ー' | '・') || c == ' ';
        if !katakana.chars().all(allowed) || !katakana.chars().any(is_katakana_letter) {
            return Err(FieldError::HolderNotKana);
        }
        Ok(Self(
            katakana.split_whitespace().collect::<Vec<_>>().join(" "),
        ))
    }

    /// The name in full-width katakana.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Redacted, so a stray `{:?}` never puts a name in a log.
impl fmt::Debug for HolderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HolderName(…)")
    }
}

/// True when `holder` names the same person as `registered_kana` (the customer's kana name as
/// registered with the portal). Spaces (ASCII and full-width) and the middle dot are ignored,
/// small kana count as large (ャ = ヤ, ッ = ツ: banks print large kana only), long-vowel variants
/// (ー, -, ｰ) are one mark, and width and hiragana/katakana do not matter. A different name does
/// not match, and nothing matches an empty registered name.
pub fn holder_matches(holder: &HolderName, registered_kana: &str) -> bool {
    let registered = comparison_key(registered_kana);
    !registered.is_empty() && comparison_key(holder.as_str()) == registered
}

/// The form of a name in which equal names are equal strings: full-width katakana without
/// spaces or middle dots, small kana as large ones (`ﾔﾏﾀﾞ ﾀﾛｳ`, `やまだ　たろう` → `ヤマダタロウ`).
/// What [`holder_matches`] compares, and what staff are shown beside both names so they see why
/// two spellings count as one.
pub fn holder_key(name: &str) -> String {
    comparison_key(name)
}

fn comparison_key(name: &str) -> String {
    name.nfkc()
        .map(to_katakana)
        .filter(|c| !c.is_whitespace() && *c != '・')
        .map(large_kana)
        .collect()
}

/// Hiragana to katakana and hyphen-like marks to ー (after NFKC, which has already made `ｰ`
/// and `－` into `ー` and `-`); other characters unchanged.
fn to_katakana(c: char) -> char {
    match c {
        '\u{3041}'..='\u{3096}' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
        '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' => 'ー',
        _ => c,
    }
}

/// A katakana letter (not a mark), including ヴ and the small letters.
fn is_katakana_letter(c: char) -> bool {
    matches!(c, '\u{30A1}'..='\u{30FA}')
}

/// The large kana a small one is printed as.
fn large_kana(c: char) -> char {
    match c {
        'ァ' => 'ア',
        'ィ' => 'イ',
        'ゥ' => 'ウ',
        'ェ' => 'エ',
        'ォ' => 'オ',
        'ッ' => 'ツ',
        'ャ' => 'ヤ',
        'ュ' => 'ユ',
        'ョ' => 'ヨ',
        'ヮ' => 'ワ',
        'ヵ' => 'カ',
        'ヶ' => 'ケ',
        _ => c,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn holder(raw: &str) -> HolderName {
        HolderName::parse(raw).unwrap()
    }

    #[test]
    fn half_width_full_width_and_hiragana_become_full_width_katakana() {
        assert_eq!(holder("ﾔﾏﾀﾞ ﾀﾛｳ").as_str(), "ヤマダ タロウ");
        assert_eq!(holder("ヤマダ　タロウ").as_str(), "ヤマダ タロウ");
        assert_eq!(holder("やまだ たろう").as_str(), "ヤマダ タロウ");
        assert_eq!(holder("  ﾊﾟｰｸ   ｼﾞｮﾝ ").as_str(), "パーク ジョン");
        assert_eq!(holder("ｻﾄ-").as_str(), "サトー");
        assert_eq!(holder("ジョン・スミス").as_str(), "ジョン・スミス");
        assert_eq!(holder("ｳﾞｨｸﾄﾙ").as_str(), "ヴィクトル");
    }

    #[test]
    fn names_not_in_kana_are_refused() {
        assert_eq!(HolderName::parse(""), Err(FieldError::Required));
        assert_eq!(HolderName::parse(" \u{3000} "), Err(FieldError::Required));
        for bad in [
            "山田 太郎",
            "Yamada Taro",
            "ヤマダ1",
            "ヤマダ(タロウ)",
            "ー",
            "・ ー",
        ] {
            assert_eq!(
                HolderName::parse(bad),
                Err(FieldError::HolderNotKana),
                "{bad:?}"
            );
        }
        assert_eq!(
            HolderName::parse("ヤマダ\u{0007}タロウ"),
            Err(FieldError::ControlCharacters)
        );
        assert_eq!(
            HolderName::parse(&"ア".repeat(HOLDER_MAX + 1)),
            Err(FieldError::TooLong { max: HOLDER_MAX })
        );
        assert!(HolderName::parse(&"ｱ".repeat(HOLDER_MAX)).is_ok());
    }

    #[test]
    fn the_same_name_matches_however_it_is_written() {
        let registered = "ヤマダ タロウ";
        assert!(holder_matches(&holder("ﾔﾏﾀﾞ ﾀﾛｳ"), registered));
        assert!(holder_matches(&holder("ﾔﾏﾀﾞﾀﾛｳ"), registered));
        assert!(holder_matches(&holder("やまだ　たろう"), registered));
        assert!(holder_matches(&holder("ヤマダタロウ"), "ヤマダ　タロウ"));
        assert!(holder_matches(&holder("ｼﾞﾖｳｼﾞ ｼﾖｳﾀ"), "ジョウジ ショウタ"));
        assert!(holder_matches(&holder("ｷﾂｶﾜ ﾕｳｺ"), "キッカワ ユウコ"));
        assert!(holder_matches(&holder("ｻﾄ- ｹﾝ"), "サトー ケン"));
        assert!(holder_matches(&holder("ｻﾄｰ ｹﾝ"), "サト- ケン"));
        assert!(holder_matches(&holder("スミス ジョン"), "スミス・ジョン"));
        assert!(holder_matches(&holder("ヤマダ タロウ"), "ﾔﾏﾀﾞ ﾀﾛｳ"));
    }

    #[test]
    fn a_different_name_does_not_match() {
        let yamada = holder("ﾔﾏﾀﾞ ﾀﾛｳ");
        assert!(!holder_matches(&yamada, "ヤマダ ハナコ"));
        assert!(!holder_matches(&yamada, "ヤマタ タロウ"));
        assert!(!holder_matches(&yamada, "ヤマダ タロ"));
        assert!(!holder_matches(&yamada, "タロウ ヤマダ"));
        assert!(!holder_matches(&yamada, ""));
        assert!(!holder_matches(&yamada, "　"));
        assert!(!holder_matches(&holder("サトウ ケン"), "サトー ケン"));
    }

    #[test]
    fn names_never_show_in_debug_output() {
        assert_eq!(format!("{:?}", holder("ヤマダ タロウ")), "HolderName(…)");
    }
}
