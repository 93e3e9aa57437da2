//! The prefix and name-as-written blind index in `customer_search_index` (ADR 0012): keyed
//! hashes of every prefix of the kana reading from [`KANA_PREFIX_MIN`] characters, of the name
//! as written (whole and by part), and of every prefix of the e-mail address's local part from
//! [`EMAIL_PREFIX_MIN`] characters (and of the local part with its `@`). Each kind has a system
//! key of its own, so tokens of different kinds cannot be joined.

use platform::crypto::Keyring;
use platform::db::{DbError, WriteTx};
use platform::ids::CustomerId;
use unicode_normalization::UnicodeNormalization;

use super::reading::fold_reading;

/// Shortest kana prefix searched: one kana has about 45 values, so a one-character token would
/// stand for a large share of all customers and reveal the distribution of initials; two
/// characters (サト) already narrow a phone call down.
pub const KANA_PREFIX_MIN: usize = 2;
/// Shortest e-mail prefix searched: most local parts share their first one or two letters with
/// thousands of others, three (`sat`) is the first length that narrows the list, and each
/// shorter token would be near plain text.
pub const EMAIL_PREFIX_MIN: usize = 3;

/// The kinds of token, as stored in `customer_search_index.kind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// A prefix of the reading (whole or of one part).
    Kana,
    /// The name as written, whole or one part.
    Kanji,
    /// A prefix of the address's local part, or the local part with `@`.
    Email,
}

impl Kind {
    pub(super) fn code(self) -> &'static str {
        match self {
            Kind::Kana => "kana",
            Kind::Kanji => "kanji",
            Kind::Email => "email",
        }
    }

    /// The token of `normalized` under this kind's key.
    pub(super) fn token(self, keyring: &Keyring, normalized: &str) -> Vec<u8> {
        match self {
            Kind::Kana => keyring.kana_prefix_index(normalized),
            Kind::Kanji => keyring.kanji_name_index(normalized),
            Kind::Email => keyring.email_prefix_index(normalized),
        }
    }
}

/// Folds a name as written: NFKC turns full-width Latin letters and digits into ASCII,
/// half-width katakana into full-width and compatibility ideographs into their unified form;
/// Latin letters are lower-cased. Spaces are kept (they separate the parts).
fn fold_name(raw: &str) -> String {
    raw.nfkc().flat_map(char::to_lowercase).collect()
}

/// A name as searched: folded, every space (U+3000 too) removed.
pub(super) fn search_name(raw: &str) -> String {
    fold_name(raw).split_whitespace().collect()
}

/// True for an ideograph (or the iteration and abbreviation marks names use).
fn is_ideograph(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{3134F}'
        | '々' | '〆' | 'ヶ' | 'ヵ')
}

/// True for a folded name to search by: at least one ideograph, otherwise only kana,
/// long-vowel marks and middle dots (山田, 佐藤はな子, 齋藤).
pub(super) fn is_name(folded: &str) -> bool {
    folded.chars().any(is_ideograph)
        && folded.chars().all(|c| {
            is_ideograph(c)
                || matches!(c, '\u{3041}'..='\u{3096}' | '\u{30A1}'..='\u{30FA}' | 'ー' | '・')
        })
}

/// Pushes `token` unless it is there already.
fn push_once(tokens: &mut Vec<String>, token: String) {
    if !token.is_empty() && !tokens.contains(&token) {
        tokens.push(token);
    }
}

/// The first `n` characters of `s`.
fn prefix(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// What a registered reading is found by: every prefix of at least [`KANA_PREFIX_MIN`]
/// characters of the whole reading without spaces and of each part, each once (a part shorter
/// than the minimum is found through the whole reading only).
pub(super) fn kana_prefix_tokens(registered: &str) -> Vec<String> {
    let folded = fold_reading(registered);
    let parts: Vec<&str> = folded.split_whitespace().collect();
    let mut tokens = Vec::new();
    for text in std::iter::once(parts.concat()).chain(parts.iter().map(|p| (*p).to_owned())) {
        for n in KANA_PREFIX_MIN..=text.chars().count() {
            push_once(&mut tokens, prefix(&text, n));
        }
    }
    tokens
}

/// What a registered name as written is found by: the whole name without spaces and each
/// space-separated part (佐藤 花子 → 佐藤花子, 佐藤, 花子).
pub(super) fn name_tokens(registered: &str) -> Vec<String> {
    let folded = fold_name(registered);
    let parts: Vec<&str> = folded.split_whitespace().collect();
    let mut tokens = Vec::new();
    push_once(&mut tokens, parts.concat());
    for part in parts {
        push_once(&mut tokens, part.to_owned());
    }
    tokens
}

/// What a registered (normalised) address is found by besides its whole-address index: every
/// prefix of its local part of at least [`EMAIL_PREFIX_MIN`] characters, and the local part
/// with its `@`. Prefixes reaching into the domain are not indexed: a search that types the
/// domain types the whole address.
pub(super) fn email_prefix_tokens(normalized: &str) -> Vec<String> {
    let local = normalized
        .rsplit_once('@')
        .map_or(normalized, |(local, _)| local);
    let mut tokens = Vec::new();
    for n in EMAIL_PREFIX_MIN..=local.chars().count() {
        push_once(&mut tokens, prefix(local, n));
    }
    let with_at = format!("{local}@");
    if with_at.chars().count() >= EMAIL_PREFIX_MIN {
        push_once(&mut tokens, with_at);
    }
    tokens
}

async fn insert(
    keyring: &Keyring,
    tx: &mut WriteTx,
    id: CustomerId,
    kind: Kind,
    tokens: Vec<String>,
) -> Result<(), DbError> {
    for token in tokens {
        sqlx::query(
            "INSERT INTO customer_search_index (customer_id, kind, token) VALUES ($1, $2, $3) \
             ON CONFLICT (customer_id, kind, token) DO NOTHING",
        )
        .bind(id.to_string())
        .bind(kind.code())
        .bind(kind.token(keyring, &token))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

async fn delete(tx: &mut WriteTx, id: CustomerId, kinds: &[Kind]) -> Result<(), DbError> {
    for kind in kinds {
        sqlx::query("DELETE FROM customer_search_index WHERE customer_id = $1 AND kind = $2")
            .bind(id.to_string())
            .bind(kind.code())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Writes the name tokens (kana prefixes and the name as written) of a customer who has none.
pub(super) async fn insert_name_tokens(
    keyring: &Keyring,
    tx: &mut WriteTx,
    id: CustomerId,
    kanji: &str,
    kana: &str,
) -> Result<(), DbError> {
    insert(keyring, tx, id, Kind::Kana, kana_prefix_tokens(kana)).await?;
    insert(keyring, tx, id, Kind::Kanji, name_tokens(kanji)).await
}

/// Replaces the customer's name tokens; call in the transaction that stores the names.
pub(super) async fn replace_name_tokens(
    keyring: &Keyring,
    tx: &mut WriteTx,
    id: CustomerId,
    kanji: &str,
    kana: &str,
) -> Result<(), DbError> {
    delete(tx, id, &[Kind::Kana, Kind::Kanji]).await?;
    insert_name_tokens(keyring, tx, id, kanji, kana).await
}

/// Replaces the customer's e-mail prefix tokens with those of `normalized_email`; call in the
/// transaction that stores the address.
pub(crate) async fn write_email_index(
    keyring: &Keyring,
    tx: &mut WriteTx,
    id: CustomerId,
    normalized_email: &str,
) -> Result<(), DbError> {
    delete(tx, id, &[Kind::Email]).await?;
    insert(
        keyring,
        tx,
        id,
        Kind::Email,
        email_prefix_tokens(normalized_email),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_are_found_by_every_prefix_of_two_or_more() {
        assert_eq!(
            kana_prefix_tokens("サトウ ハナコ"),
            [
                "サト",
                "サトウ",
                "サトウハ",
                "サトウハナ",
                "サトウハナコ",
                "ハナ",
                "ハナコ"
            ]
        );
        assert_eq!(
            kana_prefix_tokens("ｻﾄｳ　はなこ"),
            kana_prefix_tokens("サトウ ハナコ"),
            "folded as searches are"
        );
        assert_eq!(kana_prefix_tokens("イ ハナ"), ["イハ", "イハナ", "ハナ"]);
        assert_eq!(kana_prefix_tokens("  "), Vec::<String>::new());
    }

    #[test]
    fn names_are_found_whole_and_by_part_with_widths_and_spaces_folded() {
        assert_eq!(name_tokens("佐藤 花子"), ["佐藤花子", "佐藤", "花子"]);
        assert_eq!(name_tokens("佐藤　花子"), name_tokens("佐藤 花子"));
        assert_eq!(name_tokens("佐藤"), ["佐藤"]);
        assert_eq!(
            name_tokens("ＳＭＩＴＨ　ｼﾞｮﾝ"),
            ["smithジョン", "smith", "ジョン"]
        );
        assert_eq!(search_name(" 佐藤　花子 "), "佐藤花子");
        assert_eq!(search_name("佐藤 花子"), "佐藤花子");
        assert!(is_name("佐藤"));
        assert!(is_name("佐々木"));
        assert!(is_name("佐藤はな子"));
        assert!(is_name("𠮷田"));
        assert!(!is_name("サトウ"), "a reading is searched as a reading");
        assert!(!is_name("佐藤abc"));
        assert!(!is_name("佐藤%"));
        assert!(!is_name(""));
    }

    #[test]
    fn addresses_are_found_by_prefixes_of_their_local_part() {
        assert_eq!(
            email_prefix_tokens("sato.h@example.jp"),
            ["sat", "sato", "sato.", "sato.h", "sato.h@"]
        );
        assert_eq!(email_prefix_tokens("ab@example.jp"), ["ab@"]);
        assert_eq!(email_prefix_tokens("a@example.jp"), Vec::<String>::new());
    }
}
