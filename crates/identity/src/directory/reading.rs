//! Kana readings: folding what was typed or registered to full-width katakana, and the keyed
//! blind index of a customer's reading in `customer_name_index` (exact whole reading and parts).

use platform::crypto::Keyring;
use platform::db::{DbError, WriteTx};
use platform::ids::CustomerId;
use unicode_normalization::UnicodeNormalization;

/// Folds a reading to full-width katakana, keeping its spaces: NFKC turns half-width katakana
/// into full-width with their sound marks combined (and U+3000 into a space), then hiragana
/// become katakana.
pub(super) fn fold_reading(raw: &str) -> String {
    raw.nfkc()
        .map(|c| match c {
            '\u{3041}'..='\u{3096}' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// A reading as searched: folded to full-width katakana, every space (U+3000 too) removed.
pub(super) fn search_reading(raw: &str) -> String {
    fold_reading(raw).split_whitespace().collect()
}

/// True for a non-empty reading of katakana, long-vowel marks and middle dots only.
pub(super) fn is_reading(folded: &str) -> bool {
    !folded.is_empty()
        && folded
            .chars()
            .all(|c| matches!(c, '\u{30A1}'..='\u{30FA}' | 'ー' | '・'))
}

/// What a registered reading is found by: the whole reading without spaces, then each of its
/// space-separated parts, each once.
fn reading_tokens(registered: &str) -> Vec<String> {
    let folded = fold_reading(registered);
    let parts: Vec<&str> = folded.split_whitespace().collect();
    let mut tokens = vec![parts.concat()];
    for part in parts {
        if !tokens.iter().any(|t| t == part) {
            tokens.push(part.to_owned());
        }
    }
    tokens.retain(|t| !t.is_empty());
    tokens
}

pub(super) async fn insert_tokens(
    keyring: &Keyring,
    tx: &mut WriteTx,
    id: CustomerId,
    reading: &str,
) -> Result<(), DbError> {
    for token in reading_tokens(reading) {
        sqlx::query(
            "INSERT INTO customer_name_index (customer_id, token) VALUES ($1, $2) \
             ON CONFLICT (customer_id, token) DO NOTHING",
        )
        .bind(id.to_string())
        .bind(keyring.name_index(&token))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Replaces the customer's name tokens with those of `kanji` and `reading`: the exact kana
/// tokens of `customer_name_index` (ADR 0007; still written so that an instance of the previous
/// release searching them during a rolling update finds the customer) and the kana-prefix and
/// name-as-written tokens of `customer_search_index` (ADR 0012). Call in the transaction that
/// stores the names.
pub(crate) async fn write_name_index(
    keyring: &Keyring,
    tx: &mut WriteTx,
    id: CustomerId,
    kanji: &str,
    reading: &str,
) -> Result<(), DbError> {
    sqlx::query("DELETE FROM customer_name_index WHERE customer_id = $1")
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?;
    insert_tokens(keyring, tx, id, reading).await?;
    super::search_index::replace_name_tokens(keyring, tx, id, kanji, reading).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_fold_to_full_width_katakana() {
        assert_eq!(fold_reading("ﾔﾏﾀﾞ ﾀﾛｳ"), "ヤマダ タロウ");
        assert_eq!(fold_reading("やまだ　たろう"), "ヤマダ タロウ");
        assert_eq!(fold_reading("ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ"), "パピプペポ");
        assert_eq!(fold_reading("ｳﾞｨｰﾅｽ･ｺｰﾙ"), "ヴィーナス・コール");
        assert_eq!(fold_reading("ｶﾞｷﾞｸﾞｹﾞｺﾞ"), "ガギグゲゴ");
        assert_eq!(fold_reading("ﾜﾞｦﾞ"), "ヷヺ");
        assert_eq!(fold_reading("ゔぁ"), "ヴァ");
        assert_eq!(
            fold_reading("ハ\u{309A}カ\u{3099}"),
            "パガ",
            "combining marks join their base too"
        );
        assert_eq!(
            fold_reading("ﾞｱﾞ"),
            "\u{3099}ア\u{3099}",
            "marks without a base they fit stay apart"
        );
    }

    #[test]
    fn searches_drop_every_space() {
        assert_eq!(search_reading(" ﾔﾏﾀﾞ　たろう "), "ヤマダタロウ");
        assert_eq!(search_reading("ヤマダ\tタロウ"), "ヤマダタロウ");
        assert!(is_reading("ヤマダタロウ"));
        assert!(is_reading("スミス・ジョーン"));
        assert!(!is_reading(""));
        assert!(!is_reading("山田"));
        assert!(!is_reading("yamada"));
        assert!(!is_reading("ア\u{3099}"));
    }

    #[test]
    fn a_registered_reading_is_found_whole_and_by_each_part() {
        assert_eq!(
            reading_tokens("ヤマダ タロウ"),
            ["ヤマダタロウ", "ヤマダ", "タロウ"]
        );
        assert_eq!(reading_tokens("ヤマダ"), ["ヤマダ"]);
        assert_eq!(
            reading_tokens("ﾀﾛｳ　たろう"),
            ["タロウタロウ", "タロウ"],
            "repeated parts are stored once"
        );
        assert_eq!(reading_tokens("   "), Vec::<String>::new());
    }
}
