//! The history table's CSV, read by the tables' reader ([`crate::scenario::tables::csv`]: the
//! tables contract's dialect — UTF-8 with a BOM skipped, `"a,b"` quoting with `""` inside, `\n`
//! or `\r\n` line ends, blank and `#` lines skipped, cells trimmed), with each cell's value and
//! byte offset as `fit` reports them.

use std::borrow::Cow;

use crate::scenario::tables::csv as tables;

/// One cell: its trimmed text (unquoted) and the byte offset where it starts.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Cell<'a> {
    /// The value, trimmed; quotes removed and `""` turned into `"`.
    pub text: Cow<'a, str>,
    /// Byte offset of its first character (of the opening quote for a quoted cell).
    pub offset: usize,
}

/// A malformed record: what is wrong and where.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CsvError {
    /// Byte offset of the problem.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: &'static str,
}

/// Reads records one after another from a text (a malformed one is an error, and reading goes
/// on at the next line).
pub(crate) struct Reader<'a> {
    text: &'a str,
    inner: tables::Reader<'a>,
    raw: Vec<tables::Cell>,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `text` (past a BOM).
    pub fn new(text: &'a str) -> Self {
        Reader { text, inner: tables::Reader::new(text), raw: Vec::new() }
    }

    /// The next record into `cells` (cleared first): `Ok(false)` at the end of the text.
    pub fn next_record(&mut self, cells: &mut Vec<Cell<'a>>) -> Result<bool, CsvError> {
        cells.clear();
        match self.inner.next_record(&mut self.raw) {
            None => Ok(false),
            Some(Err(e)) => Err(CsvError { offset: e.at, message: e.message, help: e.help }),
            Some(Ok(_)) => {
                let text = self.text;
                cells.extend(self.raw.iter().map(|c| Cell { text: c.value(text), offset: c.at }));
                Ok(true)
            }
        }
    }
}

/// 1-based line and column (in characters, a BOM not counted) of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |p| p + 1);
    let col = before[start..].trim_start_matches('\u{feff}').chars().count() + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &str) -> Result<Vec<Vec<(String, usize)>>, CsvError> {
        let mut r = Reader::new(text);
        let mut cells = Vec::new();
        let mut out = Vec::new();
        while r.next_record(&mut cells)? {
            out.push(cells.iter().map(|c| (c.text.to_string(), c.offset)).collect());
        }
        Ok(out)
    }

    #[test]
    fn reads_quotes_blank_lines_comments_and_offsets() {
        let text = "\u{feff}a, b ,c\r\n\n# note\n\"x,1\", \"say \"\"hi\"\"\" ,\n";
        let rows = records(text).expect("valid");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].iter().map(|c| c.0.as_str()).collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(rows[1].iter().map(|c| c.0.as_str()).collect::<Vec<_>>(), ["x,1", "say \"hi\"", ""]);
        assert_eq!(line_col(text, rows[0][0].1), (1, 1), "the BOM is not a column");
        assert_eq!(line_col(text, rows[0][1].1), (1, 4));
        assert_eq!(line_col(text, rows[1][1].1), (4, 8));
    }

    #[test]
    fn a_quoted_cell_may_span_lines() {
        let rows = records("a,\"two\nlines\"\nb,c").expect("valid");
        assert_eq!(rows[0][1].0, "two\nlines");
        assert_eq!(rows[1][0].0, "b");
    }

    #[test]
    fn unclosed_quotes_and_text_after_quotes_are_errors() {
        let e = records("a,\"open\nb").expect_err("unclosed");
        assert_eq!(line_col("a,\"open\nb", e.offset), (1, 3));
        let e = records("\"a\"b,c").expect_err("text after the quote");
        assert_eq!(e.offset, 3);
    }
}
