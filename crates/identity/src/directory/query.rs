//! What the list asks for (status filter, search, order and page, parsed from what an operator
//! sent) and the SQL it turns into: numbered binds, the `WHERE` condition, the order and the
//! keyset condition of an export.

use std::fmt;

use platform::crypto::Keyring;
use platform::ids::{CustomerId, CustomerNumber, CustomerNumberError};
use sqlx::Any;
use sqlx::any::AnyArguments;
use unicode_normalization::UnicodeNormalization;

use super::reading::{is_reading, search_reading};
use super::search_index::{EMAIL_PREFIX_MIN, KANA_PREFIX_MIN, Kind, is_name, search_name};
use crate::fields::Email;
use crate::store::CustomerStatus;

/// Longest search text accepted, in characters.
pub const SEARCH_MAX_CHARS: usize = 100;

/// Whether the customer holds the premium entitlement, as an SQL expression over `c`.
pub(super) const PREMIUM: &str =
    "EXISTS (SELECT 1 FROM entitlements e WHERE e.customer_id = c.id AND e.name = 'premium')";

// ---------------------------------------------------------------------------------------------
// What the list asks for
// ---------------------------------------------------------------------------------------------

/// Which customers to list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StatusFilter {
    /// Everyone.
    #[default]
    All,
    /// Signed up, address not confirmed.
    Unverified,
    /// Confirmed and usable, premium or not.
    Active,
    /// Active with the premium entitlement.
    Premium,
    /// Blocked by the bank.
    Disabled,
}

impl StatusFilter {
    /// Every filter, in the order the list offers them.
    pub const ALL: [StatusFilter; 5] = [
        StatusFilter::All,
        StatusFilter::Unverified,
        StatusFilter::Active,
        StatusFilter::Premium,
        StatusFilter::Disabled,
    ];

    /// The code used in addresses and forms.
    pub fn code(self) -> &'static str {
        match self {
            StatusFilter::All => "all",
            StatusFilter::Unverified => "unverified",
            StatusFilter::Active => "active",
            StatusFilter::Premium => "premium",
            StatusFilter::Disabled => "disabled",
        }
    }

    /// Parses a code; an empty one means everyone.
    pub fn parse(code: &str) -> Option<Self> {
        if code.is_empty() {
            return Some(StatusFilter::All);
        }
        Self::ALL.into_iter().find(|f| f.code() == code)
    }
}

/// The order of the list. Customers who never logged in come last in both directions of the
/// last-login order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortOrder {
    /// Newest registration first.
    #[default]
    RegisteredDesc,
    /// Oldest registration first.
    RegisteredAsc,
    /// Most recent login first.
    LastLoginDesc,
    /// Least recent login first.
    LastLoginAsc,
}

impl SortOrder {
    /// Every order, in the order the list offers them.
    pub const ALL: [SortOrder; 4] = [
        SortOrder::RegisteredDesc,
        SortOrder::RegisteredAsc,
        SortOrder::LastLoginDesc,
        SortOrder::LastLoginAsc,
    ];

    /// The code used in addresses and forms.
    pub fn code(self) -> &'static str {
        match self {
            SortOrder::RegisteredDesc => "registered_desc",
            SortOrder::RegisteredAsc => "registered_asc",
            SortOrder::LastLoginDesc => "last_login_desc",
            SortOrder::LastLoginAsc => "last_login_asc",
        }
    }

    /// Parses a code; an empty one means the default order.
    pub fn parse(code: &str) -> Option<Self> {
        if code.is_empty() {
            return Some(SortOrder::default());
        }
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The sort key as SQL over `c`: a never-logged-in customer gets a key that sorts last.
    pub(super) fn key(self) -> &'static str {
        match self {
            SortOrder::RegisteredDesc | SortOrder::RegisteredAsc => "c.created_at",
            SortOrder::LastLoginDesc => "COALESCE(c.last_login_at, -1)",
            SortOrder::LastLoginAsc => "COALESCE(c.last_login_at, 9223372036854775807)",
        }
    }

    pub(super) fn descending(self) -> bool {
        matches!(self, SortOrder::RegisteredDesc | SortOrder::LastLoginDesc)
    }
}

/// Why a search text was refused; nothing is searched then.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    /// Longer than [`SEARCH_MAX_CHARS`].
    #[error("search text longer than {max} characters")]
    TooLong {
        /// The limit.
        max: usize,
    },
    /// A kana reading shorter than [`KANA_PREFIX_MIN`] or an e-mail prefix shorter than
    /// [`EMAIL_PREFIX_MIN`] characters.
    #[error("search text too short")]
    TooShort,
    /// Has an `@` but is neither a whole e-mail address nor a local part ending in `@`.
    #[error("not an e-mail address")]
    InvalidEmail,
    /// Digits and dashes only, but not nine digits.
    #[error("not a customer number")]
    InvalidNumber,
    /// Nine digits whose check digit does not match.
    #[error("customer number with a wrong check digit")]
    NumberCheckDigit,
    /// None of the above: mixed scripts, symbols, Latin letters with spaces.
    #[error("not a name, reading, address or customer number")]
    Unsupported,
}

/// A valid search.
#[derive(Clone, PartialEq, Eq)]
pub enum SearchTerm {
    /// A whole address, normalised as at sign-up.
    Email(Email),
    /// The start of an address's local part, lower-cased, possibly ending in `@`.
    EmailPrefix(String),
    /// The start of a reading (whole or of one part), folded to full-width katakana without
    /// spaces.
    Kana(String),
    /// A name as written, whole or one part, folded (NFKC) without spaces.
    Kanji(String),
    /// A customer number.
    Number(CustomerNumber),
}

/// True for characters an address's local part may hold (RFC 5322 atext and dots).
fn is_local_part_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c)
}

impl SearchTerm {
    /// Parses what an operator typed: empty means no search. Digits and dashes are a customer
    /// number (with its check digit); text with `@` a whole address or a local part ending in
    /// `@`; other ASCII text the start of an address; kana the start of a reading; text with
    /// kanji a name as written, whole or one part. Full-width and half-width forms are folded and
    /// spaces inside a name or reading ignored.
    pub fn parse(raw: &str) -> Result<Option<Self>, SearchError> {
        let raw = raw.trim_matches(|c: char| c.is_whitespace());
        if raw.is_empty() {
            return Ok(None);
        }
        if raw.chars().count() > SEARCH_MAX_CHARS {
            return Err(SearchError::TooLong {
                max: SEARCH_MAX_CHARS,
            });
        }
        if CustomerNumber::looks_like(raw) {
            return match CustomerNumber::parse(raw) {
                Ok(n) => Ok(Some(SearchTerm::Number(n))),
                Err(CustomerNumberError::CheckDigit) => Err(SearchError::NumberCheckDigit),
                Err(CustomerNumberError::Shape) => Err(SearchError::InvalidNumber),
            };
        }
        let folded: String = raw.nfkc().collect();
        if folded.contains('@') {
            if let Ok(email) = Email::parse(raw) {
                return Ok(Some(SearchTerm::Email(email)));
            }
            let local = folded.trim().to_ascii_lowercase();
            return match local.strip_suffix('@') {
                Some(l) if !l.is_empty() && l.chars().all(is_local_part_char) => {
                    email_prefix(local)
                }
                _ => Err(SearchError::InvalidEmail),
            };
        }
        if folded.chars().all(is_local_part_char) {
            return email_prefix(folded.to_ascii_lowercase());
        }
        let reading = search_reading(raw);
        if is_reading(&reading) {
            return if reading.chars().count() < KANA_PREFIX_MIN {
                Err(SearchError::TooShort)
            } else {
                Ok(Some(SearchTerm::Kana(reading)))
            };
        }
        let name = search_name(raw);
        if is_name(&name) {
            return Ok(Some(SearchTerm::Kanji(name)));
        }
        Err(SearchError::Unsupported)
    }
}

fn email_prefix(prefix: String) -> Result<Option<SearchTerm>, SearchError> {
    if prefix.chars().count() < EMAIL_PREFIX_MIN {
        Err(SearchError::TooShort)
    } else {
        Ok(Some(SearchTerm::EmailPrefix(prefix)))
    }
}

impl fmt::Debug for SearchTerm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SearchTerm::Email(_) => "SearchTerm::Email(…)",
            SearchTerm::EmailPrefix(_) => "SearchTerm::EmailPrefix(…)",
            SearchTerm::Kana(_) => "SearchTerm::Kana(…)",
            SearchTerm::Kanji(_) => "SearchTerm::Kanji(…)",
            SearchTerm::Number(_) => "SearchTerm::Number(…)",
        })
    }
}

/// A page of the list, from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageNumber(u32);

impl PageNumber {
    /// The first page.
    pub const FIRST: PageNumber = PageNumber(1);

    /// Parses a page number: digits only, at least 1; empty means the first page.
    pub fn parse(raw: &str) -> Option<Self> {
        if raw.is_empty() {
            return Some(Self::FIRST);
        }
        if !raw.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        raw.parse::<u32>().ok().filter(|n| *n >= 1).map(PageNumber)
    }

    /// The number.
    pub fn get(self) -> u32 {
        self.0
    }
}

/// Filters, search and order of a list or export.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DirectoryQuery {
    /// Which customers.
    pub status: StatusFilter,
    /// Whom to look for, if anyone.
    pub search: Option<SearchTerm>,
    /// In which order.
    pub sort: SortOrder,
}

// ---------------------------------------------------------------------------------------------
// SQL
// ---------------------------------------------------------------------------------------------

/// A value bound to a numbered placeholder.
pub(super) enum Bind {
    Text(String),
    Bytes(Vec<u8>),
    Int(i64),
}

/// Placeholders and their values, numbered in the order they are added.
#[derive(Default)]
pub(super) struct Binds(Vec<Bind>);

impl Binds {
    pub(super) fn add(&mut self, value: Bind) -> String {
        self.0.push(value);
        format!("${}", self.0.len())
    }

    pub(super) fn apply<'q>(
        self,
        mut query: sqlx::query::Query<'q, Any, AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, Any, AnyArguments<'q>> {
        for value in self.0 {
            query = match value {
                Bind::Text(v) => query.bind(v),
                Bind::Bytes(v) => query.bind(v),
                Bind::Int(v) => query.bind(v),
            };
        }
        query
    }
}

impl DirectoryQuery {
    /// The `WHERE` condition over `c`, its values added to `binds`.
    pub(super) fn condition(&self, keyring: &Keyring, binds: &mut Binds) -> String {
        let mut parts = Vec::new();
        match self.status {
            StatusFilter::All => {}
            StatusFilter::Unverified => parts.push(status_is(CustomerStatus::Unverified, binds)),
            StatusFilter::Active => parts.push(status_is(CustomerStatus::Active, binds)),
            StatusFilter::Disabled => parts.push(status_is(CustomerStatus::Disabled, binds)),
            StatusFilter::Premium => {
                parts.push(status_is(CustomerStatus::Active, binds));
                parts.push(PREMIUM.to_owned());
            }
        }
        match &self.search {
            None => {}
            Some(SearchTerm::Email(email)) => {
                let index = keyring.email_index(email.as_str()).0;
                parts.push(format!("c.email_index = {}", binds.add(Bind::Bytes(index))));
            }
            Some(SearchTerm::EmailPrefix(prefix)) => {
                parts.push(indexed(keyring, binds, Kind::Email, prefix));
            }
            Some(SearchTerm::Kana(reading)) => {
                parts.push(indexed(keyring, binds, Kind::Kana, reading));
            }
            Some(SearchTerm::Kanji(name)) => {
                parts.push(indexed(keyring, binds, Kind::Kanji, name));
            }
            Some(SearchTerm::Number(number)) => {
                parts.push(format!(
                    "c.customer_number = {}",
                    binds.add(Bind::Text(number.digits()))
                ));
            }
        }
        if parts.is_empty() {
            "1 = 1".to_owned()
        } else {
            parts.join(" AND ")
        }
    }

    pub(super) fn order_by(&self) -> String {
        let dir = if self.sort.descending() {
            "DESC"
        } else {
            "ASC"
        };
        format!("{} {dir}, c.id {dir}", self.sort.key())
    }

    /// The rows after `after` (sort key and customer number of the last row read) in this
    /// query's order: the keyset condition of an export.
    pub(super) fn after(&self, after: &(i64, CustomerId), binds: &mut Binds) -> String {
        let cmp = if self.sort.descending() { "<" } else { ">" };
        let key = self.sort.key();
        let k = binds.add(Bind::Int(after.0));
        let id = binds.add(Bind::Text(after.1.to_string()));
        format!("({key} {cmp} {k} OR ({key} = {k} AND c.id {cmp} {id}))")
    }
}

/// Customers with the token of `normalized` of this kind in `customer_search_index`.
fn indexed(keyring: &Keyring, binds: &mut Binds, kind: Kind, normalized: &str) -> String {
    let kind_bind = binds.add(Bind::Text(kind.code().to_owned()));
    let token = binds.add(Bind::Bytes(kind.token(keyring, normalized)));
    format!(
        "c.id IN (SELECT s.customer_id FROM customer_search_index s \
         WHERE s.kind = {kind_bind} AND s.token = {token})"
    )
}

fn status_is(status: CustomerStatus, binds: &mut Binds) -> String {
    format!(
        "c.status = {}",
        binds.add(Bind::Text(status.as_str().to_owned()))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_terms_are_an_address_a_prefix_a_reading_a_name_or_a_number() {
        assert_eq!(
            SearchTerm::parse(" Taro@Example.JP "),
            Ok(Some(SearchTerm::Email(
                Email::parse("taro@example.jp").unwrap()
            )))
        );
        assert_eq!(
            SearchTerm::parse("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ"),
            Ok(Some(SearchTerm::Email(
                Email::parse("taro@example.jp").unwrap()
            )))
        );
        let prefix = |p: &str| Ok(Some(SearchTerm::EmailPrefix(p.into())));
        assert_eq!(SearchTerm::parse("Sato.H"), prefix("sato.h"));
        assert_eq!(SearchTerm::parse("ｓａｔｏ．ｈ"), prefix("sato.h"));
        assert_eq!(SearchTerm::parse("taro@"), prefix("taro@"));
        assert_eq!(SearchTerm::parse("yamada"), prefix("yamada"));
        assert_eq!(SearchTerm::parse("sat"), prefix("sat"));
        assert_eq!(SearchTerm::parse("sa"), Err(SearchError::TooShort));
        assert_eq!(SearchTerm::parse("a@"), Err(SearchError::TooShort));
        assert_eq!(
            SearchTerm::parse("taro@exa"),
            Err(SearchError::InvalidEmail)
        );
        assert_eq!(
            SearchTerm::parse("@example"),
            Err(SearchError::InvalidEmail)
        );
        assert_eq!(
            SearchTerm::parse("ﾔﾏﾀﾞ ﾀﾛｳ"),
            Ok(Some(SearchTerm::Kana("ヤマダタロウ".into())))
        );
        assert_eq!(
            SearchTerm::parse("さと"),
            Ok(Some(SearchTerm::Kana("サト".into())))
        );
        assert_eq!(SearchTerm::parse("サ"), Err(SearchError::TooShort));
        for (typed, name) in [
            ("佐藤", "佐藤"),
            ("佐藤　花子", "佐藤花子"),
            (" 佐藤 花子 ", "佐藤花子"),
            ("花子", "花子"),
            ("林", "林"),
        ] {
            assert_eq!(
                SearchTerm::parse(typed),
                Ok(Some(SearchTerm::Kanji(name.into()))),
                "{typed}"
            );
        }
        let n = CustomerNumber::from_body(12_345_678).unwrap();
        assert_eq!(
            SearchTerm::parse(&n.to_string()),
            Ok(Some(SearchTerm::Number(n)))
        );
        assert_eq!(
            SearchTerm::parse(&n.digits()),
            Ok(Some(SearchTerm::Number(n)))
        );
        let wrong = format!("{}{}", &n.digits()[..8], (n.check_digit() + 1) % 10);
        assert_eq!(
            SearchTerm::parse(&wrong),
            Err(SearchError::NumberCheckDigit)
        );
        assert_eq!(
            SearchTerm::parse("1234-5678"),
            Err(SearchError::InvalidNumber)
        );
        assert_eq!(SearchTerm::parse("　 "), Ok(None));
        for nonsense in [
            "佐藤abc",
            "ヤマダ%",
            "sato ハナコ",
            "sato h",
            "佐藤!",
            "😀😀😀",
        ] {
            assert_eq!(
                SearchTerm::parse(nonsense),
                Err(SearchError::Unsupported),
                "{nonsense}"
            );
        }
        assert_eq!(
            SearchTerm::parse(&"ア".repeat(101)),
            Err(SearchError::TooLong { max: 100 })
        );
        assert!(SearchTerm::parse(&"ア".repeat(100)).is_ok());
        for typed in ["ヤマダ", "佐藤", "sato.h"] {
            let shown = format!("{:?}", SearchTerm::parse(typed));
            assert!(!shown.contains(typed), "no search text in debug output");
        }
    }

    #[test]
    fn filters_orders_and_pages_parse_from_their_codes() {
        for f in StatusFilter::ALL {
            assert_eq!(StatusFilter::parse(f.code()), Some(f));
        }
        assert_eq!(StatusFilter::parse(""), Some(StatusFilter::All));
        assert_eq!(StatusFilter::parse("deleted"), None);
        for s in SortOrder::ALL {
            assert_eq!(SortOrder::parse(s.code()), Some(s));
        }
        assert_eq!(SortOrder::parse(""), Some(SortOrder::RegisteredDesc));
        assert_eq!(SortOrder::parse("name"), None);
        assert_eq!(PageNumber::parse(""), Some(PageNumber::FIRST));
        assert_eq!(PageNumber::parse("3").map(PageNumber::get), Some(3));
        for bad in ["0", "-1", "+2", "1.5", "abc", "99999999999"] {
            assert_eq!(PageNumber::parse(bad), None, "{bad}");
        }
    }
}
