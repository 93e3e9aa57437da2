//! `GET /staff/customers/export`: every customer matching the list's filters as a CSV file.
//! The file is complete before anything is sent, so a value Shift_JIS cannot hold turns into a
//! message on the list instead of a broken download, and the audit entry (with the number of
//! rows) is written before the file leaves.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, Uri, header};
use axum::response::IntoResponse;
use identity::DirectoryRow;
use pages::error::{PageResult, WebError};
use platform::audit::{self, Event, Target};
use platform::i18n::Locale;
use platform::time_util::{to_jst, today_jst};

use super::list::{self, Notice};
use super::sheet::{Encoding, Sheet, SheetError};
use super::{ListParams, ListRequest, number_label, premium_label, status_label};
use crate::BackOfficeState;
use crate::operator::Operator;

/// The columns, as catalog keys of their headers.
const COLUMNS: [&str; 8] = [
    "customers-csv-id",
    "customers-csv-name",
    "customers-csv-kana",
    "customers-csv-email",
    "customers-csv-status",
    "customers-csv-premium",
    "customers-csv-registered",
    "customers-csv-last-login",
];

/// `GET /staff/customers/export?q=&status=&sort=&encoding=utf8|sjis`.
pub(super) async fn download(
    State(state): State<BackOfficeState>,
    operator: Operator,
    headers: HeaderMap,
    uri: Uri,
    Query(params): Query<ListParams>,
) -> PageResult {
    if pages::csrf::is_cross_site(&headers) {
        return Err(WebError::Csrf);
    }
    if let Some(step_up) = console::staff::step_up_due(&operator.session, &uri) {
        return Ok(step_up);
    }
    let request = ListRequest::parse(&params)?;
    let encoding = Encoding::parse(params.encoding.as_deref().unwrap_or_default().trim())
        .ok_or(WebError::BadRequest)?;
    let Ok(query) = request.query() else {
        return list::show(&state, &operator, &request, Notice::Nothing).await;
    };
    let locale = operator.locale();
    let header: Vec<String> = COLUMNS.iter().map(|key| locale.t(key)).collect();
    let written = async {
        let mut sheet = Sheet::new(encoding, &header)?;
        let mut rows = state.identity.export_directory(query);
        while let Some(batch) = rows.next_batch().await.map_err(WebError::from)? {
            for row in batch {
                sheet.push(&cells(locale, row))?;
            }
        }
        Ok::<_, ExportError>(sheet)
    }
    .await;
    let sheet = match written {
        Ok(sheet) => sheet,
        Err(ExportError::Sheet(SheetError::Unencodable)) => {
            return list::show(&state, &operator, &request, Notice::ExportRefused).await;
        }
        Err(ExportError::Sheet(e)) => return Err(e.into()),
        Err(ExportError::Web(e)) => return Err(e),
    };
    let event = Event::success(
        operator.actor(),
        "customer.exported",
        Target::customer_rows(sheet.rows()),
    );
    audit::record(&state.db, &event, operator.meta()).await?;
    let today = today_jst();
    let filename = format!(
        "customers-{:04}{:02}{:02}.csv",
        today.year(),
        u8::from(today.month()),
        today.day()
    );
    let mut response = sheet.into_bytes().into_response();
    let headers = response.headers_mut();
    let value = |s: String| HeaderValue::from_str(&s).map_err(|_| WebError::Internal);
    headers.insert(
        header::CONTENT_TYPE,
        value(format!("text/csv; charset={}", encoding.charset()))?,
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        value(format!("attachment; filename=\"{filename}\""))?,
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Why the file could not be completed.
enum ExportError {
    Sheet(SheetError),
    Web(WebError),
}

impl From<SheetError> for ExportError {
    fn from(e: SheetError) -> Self {
        ExportError::Sheet(e)
    }
}

impl From<WebError> for ExportError {
    fn from(e: WebError) -> Self {
        ExportError::Web(e)
    }
}

/// One customer's line.
fn cells(locale: Locale, row: DirectoryRow) -> Vec<String> {
    vec![
        number_label(locale, row.number),
        row.name_kanji,
        row.name_kana,
        row.email,
        status_label(locale, row.status),
        premium_label(locale, row.premium),
        moment(row.registered_at),
        row.last_login_at.map(moment).unwrap_or_default(),
    ]
}

/// A timestamp in Japan as spreadsheets read it: `2026-11-21 09:05:03`.
fn moment(unix: i64) -> String {
    let t = to_jst(unix);
    format!(
        "{} {:02}:{:02}:{:02}",
        platform::fields::iso_date(t.date()),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_are_japan_time() {
        assert_eq!(moment(0), "1970-01-01 09:00:00");
        assert_eq!(moment(1_785_000_000), "2026-07-26 02:20:00");
    }

    #[test]
    fn every_column_has_a_header_in_both_languages() {
        for locale in Locale::ALL {
            for key in COLUMNS {
                assert!(locale.has(key), "{key} {locale:?}");
            }
        }
        assert_eq!(Locale::Ja.t(COLUMNS[0]), "顧客番号");
    }
}
