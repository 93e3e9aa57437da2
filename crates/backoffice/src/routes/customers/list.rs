//! `GET /staff/customers`: the customer list with search, status filter, order and pages.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use identity::{DirectoryRow, PAGE_SIZE, SortOrder, StatusFilter};
use pages::chrome::{Chrome, render};
use pages::error::{PageResult, WebError};
use platform::audit::{self, Event, Target};
use platform::i18n::Arg;

use super::{ListParams, ListRequest, number_label, premium_label, search_error, status_label};
use crate::BackOfficeState;
use crate::operator::Operator;

#[derive(Template)]
#[template(path = "backoffice_customers.html")]
struct ListPage {
    c: Chrome,
    q: String,
    status: &'static str,
    sort: &'static str,
    statuses: Vec<Choice>,
    sorts: Vec<Choice>,
    search_error: Option<String>,
    export_refused: bool,
    /// False when the search was refused and nothing was listed.
    listed: bool,
    rows: Vec<RowView>,
    total: i64,
    last_page: u32,
    /// Which rows of how many this page shows.
    shown: String,
    /// Which page of how many this is.
    page_of: String,
    beyond_end: bool,
    prev_href: Option<String>,
    next_href: Option<String>,
    first_href: String,
}

/// An option of a select.
struct Choice {
    code: &'static str,
    label: String,
    selected: bool,
}

/// One row as shown.
struct RowView {
    href: String,
    number: String,
    name_kanji: String,
    name_kana: String,
    email: String,
    status: String,
    premium: String,
    registered: String,
    last_login: String,
}

/// What to say above the list besides the rows.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Notice {
    /// Nothing.
    Nothing,
    /// A Shift_JIS export was refused: some value has no Shift_JIS form.
    ExportRefused,
}

/// `GET /staff/customers?q=&status=&sort=&page=`.
pub(super) async fn page(
    State(state): State<BackOfficeState>,
    operator: Operator,
    Query(params): Query<ListParams>,
) -> PageResult {
    let request = ListRequest::parse(&params)?;
    show(&state, &operator, &request, Notice::Nothing).await
}

/// Renders the list for `request`. A refused search lists nothing and writes nothing; any
/// other view is audited with the number of rows shown before it is returned.
pub(super) async fn show(
    state: &BackOfficeState,
    operator: &Operator,
    request: &ListRequest,
    notice: Notice,
) -> PageResult {
    let c = operator.chrome();
    let locale = c.locale;
    let mut page = ListPage {
        q: request.q.clone(),
        status: request.status.code(),
        sort: request.sort.code(),
        statuses: StatusFilter::ALL
            .into_iter()
            .map(|f| Choice {
                code: f.code(),
                label: c.t(&format!("customers-filter-{}", f.code())),
                selected: f == request.status,
            })
            .collect(),
        sorts: SortOrder::ALL
            .into_iter()
            .map(|s| Choice {
                code: s.code(),
                label: c.t(&format!("customers-sort-{}", s.code().replace('_', "-"))),
                selected: s == request.sort,
            })
            .collect(),
        search_error: None,
        export_refused: notice == Notice::ExportRefused,
        listed: false,
        rows: Vec::new(),
        total: 0,
        last_page: 1,
        shown: String::new(),
        page_of: String::new(),
        beyond_end: false,
        prev_href: None,
        next_href: None,
        first_href: request.page_href(1),
        c,
    };
    let query = match request.query() {
        Ok(query) => query,
        Err(e) => {
            page.search_error = Some(search_error(locale, e));
            return respond(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let found = state
        .identity
        .customer_directory(&query, request.page)
        .await?;
    let event = Event::success(
        operator.actor(),
        "customer.list_viewed",
        Target::customer_rows(found.rows.len()),
    );
    audit::record(&state.db, &event, operator.meta()).await?;
    page.listed = true;
    page.total = found.total;
    page.last_page = found.last_page;
    page.beyond_end = found.beyond_end();
    if !found.rows.is_empty() {
        let first = (i64::from(found.page) - 1) * i64::from(PAGE_SIZE) + 1;
        let last = first + found.rows.len() as i64 - 1;
        page.shown = locale.t_args(
            "customers-shown",
            &[
                ("total", Arg::from(found.total)),
                ("first", Arg::from(first)),
                ("last", Arg::from(last)),
            ],
        );
    }
    page.page_of = locale.t_args(
        "customers-page-of",
        &[
            ("page", Arg::from(found.page)),
            ("pages", Arg::from(found.last_page)),
        ],
    );
    if found.page > 1 && !page.beyond_end {
        page.prev_href = Some(request.page_href(found.page - 1));
    }
    if found.page < found.last_page {
        page.next_href = Some(request.page_href(found.page + 1));
    }
    page.rows = found
        .rows
        .into_iter()
        .map(|r| row_view(&page.c, r))
        .collect();
    let status = if notice == Notice::ExportRefused {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    respond(status, &page)
}

fn row_view(c: &Chrome, r: DirectoryRow) -> RowView {
    RowView {
        href: format!("/staff/customers/{}", r.id),
        number: number_label(c.locale, r.number),
        status: status_label(c.locale, r.status),
        premium: premium_label(c.locale, r.premium),
        registered: c.timestamp(r.registered_at),
        last_login: r
            .last_login_at
            .map_or_else(|| c.t("customers-never-logged-in"), |t| c.timestamp(t)),
        name_kanji: r.name_kanji,
        name_kana: r.name_kana,
        email: r.email,
    }
}

fn respond(status: StatusCode, page: &ListPage) -> Result<axum::response::Response, WebError> {
    Ok((status, axum::response::Html(render(page)?)).into_response())
}
