//! CSV export and import of assets.

use askama::Template;
use assets::AssetError;
use assets::csv_io::{self, Encoding, ImportError, LineProblem};
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse};
use platform::csv::CsvError;
use platform::i18n::Arg;
use platform::time_util::today_jst;
use serde::Deserialize;

use crate::AppState;
use crate::visitor::{Customer, Recent};
use pages::chrome::{Chrome, render};
use pages::error::PageResult;
use pages::error::WebError;
use pages::message;
use pages::upload::CsrfUpload;

/// Export options.
#[derive(Deserialize)]
pub struct ExportQuery {
    encoding: Option<String>,
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    c: Chrome,
    error: Option<String>,
    done: Option<String>,
    lines: Vec<String>,
}

/// `GET /assets/export?encoding=utf8|sjis`: a download, audited.
pub async fn export(
    State(state): State<AppState>,
    Recent(customer): Recent,
    Query(q): Query<ExportQuery>,
) -> PageResult {
    let encoding = Encoding::from_form(q.encoding.as_deref().unwrap_or("utf8"));
    let held = state.assets.list(customer.id).await?;
    let bytes = match csv_io::export(&held, customer.visitor.locale, encoding) {
        Ok(bytes) => bytes,
        Err(CsvError::Unencodable) => {
            return message::page(
                customer.visitor.chrome(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "export-sjis-failed-title",
                "export-sjis-failed-body",
                Some(("/assets/export?encoding=utf8", "export-utf8")),
            );
        }
        Err(e) => return Err(e.into()),
    };
    state
        .assets
        .audit_export(customer.id, &customer.visitor.meta)
        .await?;
    let charset = if encoding == Encoding::ShiftJis {
        "Shift_JIS"
    } else {
        "utf-8"
    };
    let filename = format!("assets-{}.csv", platform::fields::iso_date(today_jst()));
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    let value = |s: String| HeaderValue::from_str(&s).map_err(|_| WebError::Internal);
    headers.insert(
        header::CONTENT_TYPE,
        value(format!("text/csv; charset={charset}"))?,
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        value(format!("attachment; filename=\"{filename}\""))?,
    );
    Ok(response)
}

/// `GET /assets/import`.
pub async fn form(customer: Customer) -> PageResult {
    Ok(Html(render(&ImportPage {
        c: customer.visitor.chrome(),
        error: None,
        done: None,
        lines: Vec::new(),
    })?)
    .into_response())
}

/// `POST /assets/import`: every line valid, or nothing imported and every bad line listed.
pub async fn import(
    State(state): State<AppState>,
    customer: Customer,
    upload: CsrfUpload,
) -> PageResult {
    let c = customer.visitor.chrome();
    let drafts = match csv_io::import(
        upload.file.as_deref().unwrap_or_default(),
        Encoding::from_form(upload.field("encoding")),
        today_jst(),
    ) {
        Ok(drafts) => drafts,
        Err(e) => return refused(c, &e),
    };
    match state
        .assets
        .import(customer.id, &drafts, &customer.visitor.meta)
        .await
    {
        Ok(n) => {
            let body = c.locale.t_args("import-done-body", &[("n", Arg::from(n))]);
            let page = ImportPage {
                error: None,
                done: Some(body),
                lines: Vec::new(),
                c,
            };
            Ok(Html(render(&page)?).into_response())
        }
        Err(AssetError::TooMany) => refused(c, &ImportError::TooManyLines),
        Err(e) => Err(e.into()),
    }
}

fn refused(c: Chrome, error: &ImportError) -> PageResult {
    let key = match error {
        ImportError::TooLarge => "import-error-too-large",
        ImportError::Empty => "import-error-empty",
        ImportError::TooManyLines => "import-error-too-many",
        ImportError::Encoding => "import-error-encoding",
        ImportError::Lines(_) => "import-error-lines",
    };
    let lines = match error {
        ImportError::Lines(lines) => lines
            .iter()
            .map(|l| describe(&c, l.line, &l.problem))
            .collect(),
        _ => Vec::new(),
    };
    let page = ImportPage {
        error: Some(c.t(key)),
        done: None,
        lines,
        c,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(render(&page)?)).into_response())
}

fn describe(c: &Chrome, line: usize, problem: &LineProblem) -> String {
    let detail = match problem {
        LineProblem::Columns(n) => c
            .locale
            .t_args("import-line-columns-range", &[("n", Arg::from(*n))]),
        LineProblem::Syntax => c.t("import-line-syntax"),
        LineProblem::Fields(errors) => errors
            .0
            .iter()
            .map(|(field, e)| {
                format!(
                    "{}: {}",
                    c.t(&format!("csv-{}", field.replace('_', "-"))),
                    e.message(c.locale)
                )
            })
            .collect::<Vec<_>>()
            .join(" / "),
    };
    c.locale.t_args(
        "import-line",
        &[("line", Arg::from(line)), ("detail", Arg::from(detail))],
    )
}
