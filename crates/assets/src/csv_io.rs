//! CSV exchange of assets. Export writes UTF-8 with a byte-order mark (so Excel recognises it)
//! or Shift_JIS; import reads either, checks every line, and reports every bad line at once so
//! that nothing is imported until the whole file is right. Import takes files as Japanese Excel
//! saves them: Shift_JIS, CRLF, dates like `2026/12/1`, amounts like `"1,234,567"` or `￥1,234`.
//! The seventh column, the acquisition cost, is optional, so files written before it existed
//! still import.

use encoding_rs::SHIFT_JIS;
use platform::csv::{Cell, CsvError, LineEnd, Writer, restore};
use platform::fields::FormErrors;
use platform::i18n::Locale;
use time::Date;

use crate::{Asset, AssetDraft, AssetForm};

/// Largest file accepted for import.
pub const MAX_IMPORT_BYTES: usize = 1024 * 1024;
/// Most data lines accepted in one import.
pub const MAX_IMPORT_LINES: usize = 1000;

/// Character encodings offered for CSV files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 (with a byte-order mark on export).
    Utf8,
    /// Shift_JIS, as older Japanese Excel expects.
    ShiftJis,
    /// On import only: UTF-8 if the bytes are valid UTF-8, otherwise Shift_JIS.
    Auto,
}

impl Encoding {
    /// Parses the form value.
    pub fn from_form(s: &str) -> Self {
        match s {
            "utf8" => Encoding::Utf8,
            "sjis" => Encoding::ShiftJis,
            _ => Encoding::Auto,
        }
    }
}

/// Why an import was refused as a whole.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// Bigger than [`MAX_IMPORT_BYTES`].
    #[error("file too large")]
    TooLarge,
    /// No data lines.
    #[error("file empty")]
    Empty,
    /// More than [`MAX_IMPORT_LINES`] lines.
    #[error("too many lines")]
    TooManyLines,
    /// The bytes are not text in the chosen encoding.
    #[error("unreadable encoding")]
    Encoding,
    /// Some lines are wrong; nothing was imported.
    #[error("invalid lines")]
    Lines(Vec<LineError>),
}

/// What is wrong with one line.
#[derive(Debug, PartialEq, Eq)]
pub struct LineError {
    /// Row number from 1, as a spreadsheet numbers the rows: a cell with line breaks inside
    /// quotes does not count as extra rows.
    pub line: usize,
    /// The problems.
    pub problem: LineProblem,
}

/// The problems a line can have.
#[derive(Debug, PartialEq, Eq)]
pub enum LineProblem {
    /// Neither six columns nor seven (with the acquisition cost).
    Columns(usize),
    /// Unparseable CSV (for example an unclosed quote).
    Syntax,
    /// Field values refused.
    Fields(FormErrors),
}

const COLUMNS: [&str; 7] = [
    "category",
    "name",
    "institution",
    "amount",
    "valuation_date",
    "note",
    "acquisition_cost",
];

/// Lines of files written before the acquisition cost existed have one column fewer.
const REQUIRED_COLUMNS: usize = COLUMNS.len() - 1;

fn header(locale: Locale) -> Vec<String> {
    COLUMNS
        .iter()
        .map(|c| locale.t(&format!("csv-{}", c.replace('_', "-"))))
        .collect()
}

/// Writes the assets as CSV in the customer's language. Text cells a spreadsheet could run as a
/// formula get a leading `'` from the shared writer; amounts are number cells, so a figure stays
/// a figure.
pub fn export(assets: &[Asset], locale: Locale, encoding: Encoding) -> Result<Vec<u8>, CsvError> {
    let encoding = match encoding {
        Encoding::ShiftJis => platform::csv::Encoding::ShiftJis,
        Encoding::Utf8 | Encoding::Auto => platform::csv::Encoding::Utf8WithBom,
    };
    let mut writer = Writer::new(encoding, LineEnd::CrLf);
    writer.text_record(header(locale))?;
    for a in assets {
        let category = a.category.label(locale);
        let date = platform::fields::iso_date(a.valuation_date);
        writer.record([
            Cell::Text(&category),
            Cell::Text(&a.name),
            Cell::Text(&a.institution),
            Cell::Number(a.amount.get()),
            Cell::Text(&date),
            Cell::Text(&a.note),
            a.acquisition_cost
                .map_or(Cell::Text(""), |c| Cell::Number(c.get())),
        ])?;
    }
    Ok(writer.into_bytes())
}

fn decode(bytes: &[u8], encoding: Encoding) -> Result<String, ImportError> {
    let utf8 = |b: &[u8]| {
        std::str::from_utf8(b.strip_prefix("\u{FEFF}".as_bytes()).unwrap_or(b)).map(str::to_owned)
    };
    match encoding {
        Encoding::Utf8 => utf8(bytes).map_err(|_| ImportError::Encoding),
        Encoding::ShiftJis => decode_sjis(bytes),
        Encoding::Auto => utf8(bytes).or_else(|_| decode_sjis(bytes)),
    }
}

fn decode_sjis(bytes: &[u8]) -> Result<String, ImportError> {
    let (text, had_errors) = SHIFT_JIS.decode_without_bom_handling(bytes);
    if had_errors {
        Err(ImportError::Encoding)
    } else {
        Ok(text.into_owned())
    }
}

fn is_header(record: &csv::StringRecord) -> bool {
    let first = record
        .get(0)
        .unwrap_or("")
        .trim()
        .trim_start_matches('\u{FEFF}');
    Locale::ALL.iter().any(|l| l.t("csv-category") == first) || first == "category"
}

/// Parses a whole file; returns drafts only when every line is valid.
pub fn import(
    bytes: &[u8],
    encoding: Encoding,
    today: Date,
) -> Result<Vec<AssetDraft>, ImportError> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(ImportError::TooLarge);
    }
    let text = decode(bytes, encoding)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut drafts = Vec::new();
    let mut errors = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 1;
        let record = match record {
            Ok(r) => r,
            Err(_) => {
                errors.push(LineError {
                    line,
                    problem: LineProblem::Syntax,
                });
                break;
            }
        };
        if (index == 0 && is_header(&record)) || record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if drafts.len() + errors.len() >= MAX_IMPORT_LINES {
            return Err(ImportError::TooManyLines);
        }
        if !(REQUIRED_COLUMNS..=COLUMNS.len()).contains(&record.len()) {
            errors.push(LineError {
                line,
                problem: LineProblem::Columns(record.len()),
            });
            continue;
        }
        let cell = |i: usize| restore(record.get(i).unwrap_or("")).to_owned();
        let form = AssetForm {
            category: cell(0),
            name: cell(1),
            institution: cell(2),
            amount: cell(3),
            valuation_date: cell(4),
            note: cell(5),
            acquisition_cost: cell(6),
        };
        match form.parse(today) {
            Ok(d) => drafts.push(d),
            Err(e) => errors.push(LineError {
                line,
                problem: LineProblem::Fields(e),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(ImportError::Lines(errors));
    }
    if drafts.is_empty() {
        return Err(ImportError::Empty);
    }
    Ok(drafts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Category, Yen};
    use platform::fields::FieldError;
    use platform::ids::AssetId;
    use time::macros::date;

    fn asset(name: &str, note: &str) -> Asset {
        Asset {
            id: AssetId::new(),
            category: Category::Stocks,
            name: name.into(),
            institution: "みらい証券".into(),
            amount: Yen::parse("350000").unwrap(),
            valuation_date: date!(2026 - 10 - 31),
            note: note.into(),
            acquisition_cost: None,
            updated_at: 0,
        }
    }

    const TODAY: Date = date!(2026 - 11 - 21);

    #[test]
    fn export_then_import_round_trips_in_both_encodings() {
        let assets = vec![
            asset("日本株式ファンド", "長期保有\n配当あり"),
            asset("=HYPERLINK(\"x\")", "-note"),
        ];
        for (locale, encoding) in [
            (Locale::Ja, Encoding::Utf8),
            (Locale::Ja, Encoding::ShiftJis),
            (Locale::En, Encoding::Utf8),
        ] {
            let bytes = export(&assets, locale, encoding).unwrap();
            let drafts = import(&bytes, Encoding::Auto, TODAY).unwrap();
            assert_eq!(drafts.len(), 2);
            assert_eq!(drafts[0].name, "日本株式ファンド");
            assert_eq!(drafts[0].note, "長期保有\n配当あり");
            assert_eq!(drafts[1].name, "=HYPERLINK(\"x\")");
            assert_eq!(drafts[1].note, "-note");
        }
    }

    #[test]
    fn export_defuses_formulas() {
        let bytes = export(&[asset("=1+1", "")], Locale::En, Encoding::Utf8).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with('\u{FEFF}'));
        assert!(text.contains(",'=1+1,"), "{text}");
    }

    #[test]
    fn export_defuses_spaced_and_full_width_formulas_but_keeps_amounts_as_numbers() {
        let mut held = asset("\u{FF1D}1+1", " -2+3");
        held.acquisition_cost = Yen::from_stored(1_200);
        let bytes = export(&[held], Locale::En, Encoding::Utf8).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        let line = text.lines().nth(1).unwrap();
        assert_eq!(
            line, "Stocks,'\u{FF1D}1+1,みらい証券,350000,2026-10-31,' -2+3,1200",
            "{text}"
        );
        let drafts = import(&bytes, Encoding::Auto, TODAY).unwrap();
        assert_eq!(drafts[0].name, "\u{FF1D}1+1");
        assert_eq!(
            drafts[0].note, "-2+3",
            "the apostrophe is gone; the form trims the space"
        );
    }

    #[test]
    fn export_to_shift_jis_refuses_characters_it_cannot_hold() {
        assert!(matches!(
            export(&[asset("𠮷野家", "")], Locale::Ja, Encoding::ShiftJis),
            Err(CsvError::Unencodable)
        ));
    }

    #[test]
    fn import_reports_every_bad_line_and_returns_nothing() {
        let file = "区分,名称,金融機関,金額,評価日,メモ\n\
                    預金,普通預金,さくら銀行,100000,2026-11-01,\n\
                    gold,金地金,,5000,2026-11-01,\n\
                    stocks,株,,-1,2026-11-01,\n\
                    stocks,株,,1\n";
        match import(file.as_bytes(), Encoding::Utf8, TODAY) {
            Err(ImportError::Lines(errors)) => {
                assert_eq!(errors.len(), 3);
                assert_eq!(errors[0].line, 3);
                assert!(
                    matches!(&errors[0].problem, LineProblem::Fields(f) if f.get("category") == Some(FieldError::UnknownChoice))
                );
                assert!(
                    matches!(&errors[1].problem, LineProblem::Fields(f) if f.get("amount") == Some(FieldError::NegativeAmount))
                );
                assert_eq!(errors[2].problem, LineProblem::Columns(4));
                assert_eq!(errors[2].line, 5);
            }
            other => panic!("expected line errors, got {other:?}"),
        }
    }

    /// A file as Japanese Excel saves "CSV (comma delimited)": Shift_JIS, CRLF, its own date
    /// and number display, cells with commas quoted, the last line without a line break.
    fn excel_sjis(lines: &[&str]) -> Vec<u8> {
        let text = lines.join("\r\n");
        let (bytes, _, unmappable) = SHIFT_JIS.encode(&text);
        assert!(!unmappable);
        bytes.into_owned()
    }

    const EXCEL_TODAY: Date = date!(2026 - 12 - 07);

    #[test]
    fn import_reads_a_file_exactly_as_excel_saves_it() {
        let bytes = excel_sjis(&[
            "区分,名称,金融機関,金額,評価日,メモ,取得価額",
            "預金,普通預金,さくら銀行,\"1,234,567\",2026/12/1,,",
            "株式,\"みらい商事, 株式\",みらい証券,\"￥350,000\",2026/11/30,\"長期保有\r\n配当あり\",\"300,000\"",
            "投資信託,全世界株式,みらい証券,\\98000,2026年10月1日,積立,１２０，０００円",
            "負債,住宅ローン,さくら銀行,\"29,800,000\",2026/12/1,,",
        ]);
        assert!(std::str::from_utf8(&bytes).is_err(), "really Shift_JIS");
        for encoding in [Encoding::Auto, Encoding::ShiftJis] {
            let drafts = import(&bytes, encoding, EXCEL_TODAY).unwrap();
            assert_eq!(drafts.len(), 4);
            assert_eq!(drafts[0].category, Category::Deposits);
            assert_eq!(drafts[0].amount.get(), 1_234_567);
            assert_eq!(drafts[0].valuation_date, date!(2026 - 12 - 01));
            assert_eq!(drafts[0].acquisition_cost, None);
            assert_eq!(drafts[1].name, "みらい商事, 株式");
            assert_eq!(drafts[1].amount.get(), 350_000);
            assert_eq!(drafts[1].note, "長期保有\n配当あり");
            assert_eq!(drafts[1].acquisition_cost.map(Yen::get), Some(300_000));
            assert_eq!(drafts[2].amount.get(), 98_000);
            assert_eq!(drafts[2].valuation_date, date!(2026 - 10 - 01));
            assert_eq!(drafts[2].acquisition_cost.map(Yen::get), Some(120_000));
            assert_eq!(drafts[3].category, Category::Liabilities);
            assert_eq!(drafts[3].amount.get(), 29_800_000);
        }
    }

    #[test]
    fn import_reads_utf8_with_a_byte_order_mark_and_files_without_the_cost_column() {
        let mut bytes = "\u{FEFF}".as_bytes().to_vec();
        bytes.extend_from_slice(
            "区分,名称,金融機関,金額,評価日,メモ\r\n預金,普通預金,さくら銀行,\"1,000\",2026/12/1,\r\n"
                .as_bytes(),
        );
        for encoding in [Encoding::Auto, Encoding::Utf8] {
            let drafts = import(&bytes, encoding, EXCEL_TODAY).unwrap();
            assert_eq!(drafts.len(), 1, "the header is recognised despite the mark");
            assert_eq!(drafts[0].category, Category::Deposits);
            assert_eq!(drafts[0].amount.get(), 1_000);
            assert_eq!(drafts[0].acquisition_cost, None);
        }
    }

    #[test]
    fn export_then_import_keeps_the_acquisition_cost() {
        let mut held = asset("日本株式ファンド", "");
        held.acquisition_cost = Yen::from_stored(300_000);
        let without = asset("債券", "");
        for encoding in [Encoding::Utf8, Encoding::ShiftJis] {
            let bytes = export(&[held.clone(), without.clone()], Locale::Ja, encoding).unwrap();
            let text = match encoding {
                Encoding::ShiftJis => SHIFT_JIS.decode(&bytes).0.into_owned(),
                _ => String::from_utf8(bytes.clone()).unwrap(),
            };
            assert!(
                text.contains("金額,評価日,メモ,取得価額\r\n"),
                "the cost is the last column: {text}"
            );
            let drafts = import(&bytes, Encoding::Auto, TODAY).unwrap();
            assert_eq!(drafts[0].acquisition_cost.map(Yen::get), Some(300_000));
            assert_eq!(drafts[1].acquisition_cost, None);
        }
    }

    #[test]
    fn import_names_the_line_of_impossible_dates_garbage_and_negative_amounts() {
        let bytes = excel_sjis(&[
            "区分,名称,金融機関,金額,評価日,メモ,取得価額",
            "預金,普通預金,さくら銀行,\"1,234,567\",2026/2/30,,",
            "預金,定期預金,さくら銀行,百万円,2026/12/1,,",
            "預金,外貨預金,さくら銀行,\"-1,000\",2026/12/1,,",
            "預金,普通預金,さくら銀行,1000,2026/12/1,",
            "負債,住宅ローン,さくら銀行,\"29,800,000\",2026/12/1,,\"30,000,000\"",
            "株式,株,,1,2026/12/1,,1,extra",
            "株式,株,,1,2026/12/31,,",
            "株式,株,,1,2026/12/1,,abc",
            "株式,株,,1,2026/12/1,\"二行の\r\nメモ\",",
            "株式,株,,1,2026/12/1,,-1",
        ]);
        let Err(ImportError::Lines(errors)) = import(&bytes, Encoding::Auto, EXCEL_TODAY) else {
            panic!("expected line errors");
        };
        let field = |i: usize, name: &str| match &errors[i].problem {
            LineProblem::Fields(f) => f.get(name),
            other => panic!("line {}: {other:?}", errors[i].line),
        };
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(
            lines,
            vec![2, 3, 4, 6, 7, 8, 9, 11],
            "rows 5 (six columns) and 10 (a note on two lines) are fine; rows count as in Excel"
        );
        assert_eq!(field(0, "valuation_date"), Some(FieldError::InvalidDate));
        assert_eq!(field(1, "amount"), Some(FieldError::InvalidAmount));
        assert_eq!(field(2, "amount"), Some(FieldError::NegativeAmount));
        assert_eq!(
            field(3, "acquisition_cost"),
            Some(FieldError::CostForLiability)
        );
        assert_eq!(errors[4].problem, LineProblem::Columns(8));
        assert_eq!(field(5, "valuation_date"), Some(FieldError::FutureDate));
        assert_eq!(
            field(6, "acquisition_cost"),
            Some(FieldError::InvalidAmount)
        );
        assert_eq!(
            field(7, "acquisition_cost"),
            Some(FieldError::NegativeAmount)
        );
    }

    #[test]
    fn import_refuses_garbage_encodings_and_empty_files() {
        assert_eq!(
            import(b"\xff\xfe\x00garbage\x81", Encoding::Utf8, TODAY),
            Err(ImportError::Encoding)
        );
        assert_eq!(
            import(
                "区分,名称,金融機関,金額,評価日,メモ\n".as_bytes(),
                Encoding::Auto,
                TODAY
            ),
            Err(ImportError::Empty)
        );
        assert_eq!(
            import(&vec![b'a'; MAX_IMPORT_BYTES + 1], Encoding::Auto, TODAY),
            Err(ImportError::TooLarge)
        );
        let many: String = (0..=MAX_IMPORT_LINES)
            .map(|_| "deposits,a,,1,2026-01-01,\n")
            .collect();
        assert_eq!(
            import(many.as_bytes(), Encoding::Auto, TODAY),
            Err(ImportError::TooManyLines)
        );
        assert!(matches!(
            import(
                b"deposits,\"unclosed,,1,2026-01-01,\n",
                Encoding::Auto,
                TODAY
            ),
            Err(ImportError::Lines(_))
        ));
    }
}
