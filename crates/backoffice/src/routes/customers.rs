//! The customer list, a customer's page and the list's export. Every view of customer rows is
//! audited before it is returned: the list and the export by the number of rows (never the
//! search text), a customer's page together with a line of the customer's access record.

mod detail;
mod export;
mod list;
mod sheet;

use axum::Router;
use axum::routing::get;
use identity::{
    CustomerStatus, DirectoryQuery, EMAIL_PREFIX_MIN, KANA_PREFIX_MIN, PageNumber, SearchError,
    SearchTerm, SortOrder, StatusFilter,
};
use pages::error::WebError;
use platform::i18n::Locale;
use platform::ids::CustomerNumber;
use serde::Deserialize;

use crate::BackOfficeState;

/// The customer pages.
pub(crate) fn routes() -> Router<BackOfficeState> {
    Router::new()
        .route("/staff/customers", get(list::page))
        .route("/staff/customers/export", get(export::download))
        .route("/staff/customers/{id}", get(detail::page))
}

/// The list's parameters as they arrive; every one is optional.
#[derive(Default, Deserialize)]
pub(crate) struct ListParams {
    q: Option<String>,
    status: Option<String>,
    sort: Option<String>,
    page: Option<String>,
    encoding: Option<String>,
}

/// The list's parameters, checked. Status, order and page come from the page's own controls,
/// so a value they cannot produce is a bad request; the search text is typed, so a refusal of
/// it is shown next to the field.
pub(crate) struct ListRequest {
    /// The search text as typed, to show it again.
    q: String,
    status: StatusFilter,
    sort: SortOrder,
    page: PageNumber,
    search: Result<Option<SearchTerm>, SearchError>,
}

impl ListRequest {
    fn parse(params: &ListParams) -> Result<Self, WebError> {
        let text = |v: &Option<String>| v.as_deref().unwrap_or_default().trim().to_owned();
        let q = params.q.clone().unwrap_or_default();
        Ok(Self {
            search: SearchTerm::parse(&q),
            q,
            status: StatusFilter::parse(&text(&params.status)).ok_or(WebError::BadRequest)?,
            sort: SortOrder::parse(&text(&params.sort)).ok_or(WebError::BadRequest)?,
            page: PageNumber::parse(&text(&params.page)).ok_or(WebError::BadRequest)?,
        })
    }

    /// The directory query, or why the search text was refused.
    fn query(&self) -> Result<DirectoryQuery, SearchError> {
        let search = self.search.clone()?;
        Ok(DirectoryQuery {
            status: self.status,
            search,
            sort: self.sort,
        })
    }

    /// The list's address for another page with the same filters.
    fn page_href(&self, page: u32) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        if !self.q.trim().is_empty() {
            query.append_pair("q", &self.q);
        }
        query
            .append_pair("status", self.status.code())
            .append_pair("sort", self.sort.code())
            .append_pair("page", &page.to_string());
        format!("/staff/customers?{}", query.finish())
    }
}

/// The name of an account state.
fn status_label(locale: Locale, status: CustomerStatus) -> String {
    locale.t(match status {
        CustomerStatus::Unverified => "customers-status-unverified",
        CustomerStatus::Active => "customers-status-active",
        CustomerStatus::Disabled => "customers-status-disabled",
    })
}

/// Whether the customer uses the additional service, in words.
fn premium_label(locale: Locale, premium: bool) -> String {
    locale.t(if premium {
        "customers-premium-yes"
    } else {
        "customers-premium-no"
    })
}

/// The message for a refused search text.
fn search_error(locale: Locale, error: SearchError) -> String {
    match error {
        SearchError::TooLong { max } => locale.t_args(
            "customers-search-too-long",
            &[("max", platform::i18n::Arg::from(max))],
        ),
        SearchError::TooShort => locale.t_args(
            "customers-search-too-short",
            &[
                ("kana", platform::i18n::Arg::from(KANA_PREFIX_MIN)),
                ("email", platform::i18n::Arg::from(EMAIL_PREFIX_MIN)),
            ],
        ),
        SearchError::InvalidEmail => locale.t("customers-search-invalid-email"),
        SearchError::InvalidNumber => locale.t("customers-search-invalid-number"),
        SearchError::NumberCheckDigit => locale.t("customers-search-number-check"),
        SearchError::Unsupported => locale.t("customers-search-unsupported"),
    }
}

/// A customer number as shown (`1234-5678-9`), or a note while the start-up backfill has not
/// numbered the customer yet.
fn number_label(locale: Locale, number: Option<CustomerNumber>) -> String {
    number.map_or_else(|| locale.t("customers-number-pending"), |n| n.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> ListParams {
        let mut p = ListParams::default();
        for (k, v) in pairs {
            let v = Some((*v).to_owned());
            match *k {
                "q" => p.q = v,
                "status" => p.status = v,
                "sort" => p.sort = v,
                "page" => p.page = v,
                _ => p.encoding = v,
            }
        }
        p
    }

    #[test]
    fn controls_must_hold_values_the_page_offers() {
        for bad in [
            [("status", "deleted")],
            [("sort", "name")],
            [("page", "0")],
            [("page", "two")],
        ] {
            assert!(ListRequest::parse(&params(&bad)).is_err(), "{bad:?}");
        }
        let ok = ListRequest::parse(&params(&[])).unwrap();
        assert_eq!(ok.query().unwrap(), DirectoryQuery::default());
    }

    #[test]
    fn a_refused_search_is_kept_for_the_form() {
        let r = ListRequest::parse(&params(&[("q", "山田x")])).unwrap();
        assert_eq!(r.query(), Err(SearchError::Unsupported));
        assert_eq!(r.q, "山田x");
    }

    #[test]
    fn every_refusal_has_a_message_in_both_languages() {
        for locale in Locale::ALL {
            for e in [
                SearchError::TooLong { max: 100 },
                SearchError::TooShort,
                SearchError::InvalidEmail,
                SearchError::InvalidNumber,
                SearchError::NumberCheckDigit,
                SearchError::Unsupported,
            ] {
                let message = search_error(locale, e);
                assert!(
                    !message.is_empty() && !message.contains("customers-"),
                    "{e:?}"
                );
            }
        }
        assert!(search_error(Locale::Ja, SearchError::TooShort).contains("2文字以上"));
        assert_eq!(number_label(Locale::Ja, None), "採番待ち");
    }

    #[test]
    fn page_links_keep_the_filters() {
        let r = ListRequest::parse(&params(&[
            ("q", "ヤマダ タロウ"),
            ("status", "premium"),
            ("sort", "last_login_asc"),
        ]))
        .unwrap();
        assert_eq!(
            r.page_href(3),
            "/staff/customers?q=%E3%83%A4%E3%83%9E%E3%83%80+%E3%82%BF%E3%83%AD%E3%82%A6\
             &status=premium&sort=last_login_asc&page=3"
        );
        let plain = ListRequest::parse(&params(&[])).unwrap();
        assert_eq!(
            plain.page_href(2),
            "/staff/customers?status=all&sort=registered_desc&page=2"
        );
    }
}
