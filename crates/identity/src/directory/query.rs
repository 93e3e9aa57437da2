//! What the list asks for (status filter, search, order and page, parsed from what an operator
//! sent) and the SQL it turns into: numbered binds, the `WHERE` condition, the order and the
//! keyset condition of an export.

use std::fmt;

use platform::crypto::Keyring;
use platform::ids::CustomerId;
use sqlx::Any;
use sqlx::any::AnyArguments;

use super::reading::{is_reading, search_reading};
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
    /// Has an `@` but is not a whole e-mail address.
    #[error("not an e-mail address")]
    InvalidEmail,
    /// Neither an e-mail address nor a reading in kana.
    #[error("not a kana reading")]
    NotKana,
}

/// A valid search: a whole e-mail address, or a kana reading (whole or one part of it).
#[derive(Clone, PartialEq, Eq)]
pub enum SearchTerm {
    /// An address, normalised as at sign-up.
    Email(Email),
    /// A reading folded to full-width katakana without spaces.
    Kana(String),
}

impl SearchTerm {
    /// Parses what an operator typed: empty means no search; text with `@` must be an e-mail
    /// address; anything else must be a reading in katakana or hiragana (full- or half-width,
    /// with or without a space between the parts).
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
        if raw.contains(['@', '＠']) {
            return Email::parse(raw)
                .map(|e| Some(SearchTerm::Email(e)))
                .map_err(|_| SearchError::InvalidEmail);
        }
        let reading = search_reading(raw);
        if is_reading(&reading) {
            Ok(Some(SearchTerm::Kana(reading)))
        } else {
            Err(SearchError::NotKana)
        }
    }
}

impl fmt::Debug for SearchTerm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SearchTerm::Email(_) => "SearchTerm::Email(…)",
            SearchTerm::Kana(_) => "SearchTerm::Kana(…)",
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
            Some(SearchTerm::Kana(reading)) => {
                let token = keyring.name_index(reading);
                parts.push(format!(
                    "c.id IN (SELECT n.customer_id FROM customer_name_index n WHERE n.token = {})",
                    binds.add(Bind::Bytes(token))
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
    fn search_terms_are_an_address_or_a_reading() {
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
        assert_eq!(
            SearchTerm::parse("ﾔﾏﾀﾞ ﾀﾛｳ"),
            Ok(Some(SearchTerm::Kana("ヤマダタロウ".into())))
        );
        assert_eq!(SearchTerm::parse("　 "), Ok(None));
        assert_eq!(SearchTerm::parse("taro@"), Err(SearchError::InvalidEmail));
        assert_eq!(SearchTerm::parse("山田"), Err(SearchError::NotKana));
        assert_eq!(SearchTerm::parse("yamada"), Err(SearchError::NotKana));
        assert_eq!(SearchTerm::parse("ヤマダ%"), Err(SearchError::NotKana));
        assert_eq!(
            SearchTerm::parse(&"ア".repeat(101)),
            Err(SearchError::TooLong { max: 100 })
        );
        assert!(SearchTerm::parse(&"ア".repeat(100)).is_ok());
        let shown = format!("{:?}", SearchTerm::parse("ヤマダ"));
        assert!(!shown.contains("ヤマダ"), "no reading in debug output");
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
