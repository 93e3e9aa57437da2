//! The export file: CSV (RFC 4180, CRLF line ends) in UTF-8 with a byte-order mark, so Excel
//! recognises it, or in Shift_JIS (Windows-31J) for older tools. A value Shift_JIS cannot hold
//! refuses the whole file rather than being replaced by another character. Cells a spreadsheet
//! would run as a formula get a leading apostrophe from the shared writer, `platform::csv`.

use platform::csv::{self, CsvError, LineEnd, Writer};
use platform::fault::{Classify, Fault};

/// Character encodings offered for the export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Encoding {
    /// UTF-8 with a byte-order mark.
    Utf8,
    /// Shift_JIS (the Windows-31J repertoire of `encoding_rs`).
    ShiftJis,
}

impl Encoding {
    /// Parses the form value; an empty one means UTF-8.
    pub(super) fn parse(code: &str) -> Option<Self> {
        match code {
            "" | "utf8" => Some(Encoding::Utf8),
            "sjis" => Some(Encoding::ShiftJis),
            _ => None,
        }
    }

    /// The `charset` parameter of the response's media type.
    pub(super) fn charset(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::ShiftJis => "Shift_JIS",
        }
    }
}

/// Why a line could not be added.
#[derive(Debug, thiserror::Error)]
pub(super) enum SheetError {
    /// A value has no form in Shift_JIS.
    #[error("a value cannot be written in Shift_JIS")]
    Unencodable,
    /// The CSV writer failed.
    #[error(transparent)]
    Csv(CsvError),
}

impl From<CsvError> for SheetError {
    fn from(e: CsvError) -> Self {
        match e {
            CsvError::Unencodable => SheetError::Unencodable,
            other => SheetError::Csv(other),
        }
    }
}

impl Classify for SheetError {
    fn fault(&self) -> Fault {
        match self {
            SheetError::Unencodable => Fault::Invalid,
            SheetError::Csv(e) => e.fault(),
        }
    }
}

/// An export file being written, line by line, already in its encoding.
pub(super) struct Sheet {
    writer: Writer,
    rows: usize,
}

impl Sheet {
    /// A file with its header line.
    pub(super) fn new(encoding: Encoding, header: &[String]) -> Result<Self, SheetError> {
        let encoding = match encoding {
            Encoding::Utf8 => csv::Encoding::Utf8WithBom,
            Encoding::ShiftJis => csv::Encoding::ShiftJis,
        };
        let mut writer = Writer::new(encoding, LineEnd::CrLf);
        writer.text_record(header)?;
        Ok(Self { writer, rows: 0 })
    }

    /// Adds a data line.
    pub(super) fn push(&mut self, cells: &[String]) -> Result<(), SheetError> {
        self.writer.text_record(cells)?;
        self.rows += 1;
        Ok(())
    }

    /// Data lines so far.
    pub(super) fn rows(&self) -> usize {
        self.rows
    }

    /// The file.
    pub(super) fn into_bytes(self) -> Vec<u8> {
        self.writer.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::SHIFT_JIS;

    fn cells(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| (*v).to_owned()).collect()
    }

    #[test]
    fn formulas_are_defused() {
        let mut sheet = Sheet::new(Encoding::Utf8, &cells(&["氏名"])).unwrap();
        for name in [
            "=HYPERLINK(\"http://x\")",
            "+81",
            "-1",
            "@SUM(A1)",
            " =1",
            "＝1",
        ] {
            sheet.push(&cells(&[name])).unwrap();
        }
        sheet.push(&cells(&["山田 =太郎"])).unwrap();
        assert_eq!(
            String::from_utf8(sheet.into_bytes()).unwrap(),
            "\u{FEFF}氏名\r\n\"'=HYPERLINK(\"\"http://x\"\")\"\r\n'+81\r\n'-1\r\n'@SUM(A1)\r\n' =1\r\n'＝1\r\n山田 =太郎\r\n"
        );
    }

    #[test]
    fn utf8_files_start_with_a_byte_order_mark_and_quote_as_csv() {
        let mut sheet = Sheet::new(Encoding::Utf8, &cells(&["氏名", "メール"])).unwrap();
        sheet.push(&cells(&["=1+1", "a,\"b\"@example.jp"])).unwrap();
        assert_eq!(sheet.rows(), 1);
        let bytes = sheet.into_bytes();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "\u{FEFF}氏名,メール\r\n'=1+1,\"a,\"\"b\"\"@example.jp\"\r\n"
        );
    }

    #[test]
    fn shift_jis_files_decode_back_to_the_same_text() {
        let header = cells(&["顧客番号", "氏名", "フリガナ"]);
        let row = cells(&["1", "髙橋 ①子", "タカハシ イチコ"]);
        let mut sheet = Sheet::new(Encoding::ShiftJis, &header).unwrap();
        sheet.push(&row).unwrap();
        let bytes = sheet.into_bytes();
        assert!(
            !bytes.starts_with(&[0xEF, 0xBB, 0xBF]),
            "no byte-order mark"
        );
        let (text, had_errors) = SHIFT_JIS.decode_without_bom_handling(&bytes);
        assert!(!had_errors);
        assert_eq!(
            text,
            "顧客番号,氏名,フリガナ\r\n1,髙橋 ①子,タカハシ イチコ\r\n"
        );
    }

    #[test]
    fn shift_jis_refuses_what_it_cannot_hold() {
        let mut sheet = Sheet::new(Encoding::ShiftJis, &cells(&["氏名"])).unwrap();
        for name in ["𠮷田", "山田 😀", "Zoë"] {
            assert!(
                matches!(sheet.push(&cells(&[name])), Err(SheetError::Unencodable)),
                "{name}"
            );
        }
        assert_eq!(sheet.rows(), 0);
        let mut utf8 = Sheet::new(Encoding::Utf8, &cells(&["氏名"])).unwrap();
        assert!(utf8.push(&cells(&["𠮷田"])).is_ok());
    }

    #[test]
    fn encodings_parse_from_the_form() {
        assert_eq!(Encoding::parse(""), Some(Encoding::Utf8));
        assert_eq!(Encoding::parse("utf8"), Some(Encoding::Utf8));
        assert_eq!(Encoding::parse("sjis"), Some(Encoding::ShiftJis));
        assert_eq!(Encoding::parse("latin1"), None);
    }
}
