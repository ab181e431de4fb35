//! A small RFC 4180 reader for the history table, keeping the byte offset of every cell so that
//! an error can name its line and column.
//!
//! The dialect is the tables contract's: UTF-8 (a BOM is skipped), comma-separated, `"a,b"`
//! quoting with `""` for a quote inside, `\n` or `\r\n` line ends, blank lines and lines starting
//! with `#` skipped, cells trimmed of spaces.

use std::borrow::Cow;

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

/// Reads records one after another from a text.
pub(crate) struct Reader<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `text` (past a BOM).
    pub fn new(text: &'a str) -> Self {
        Reader { text, at: if text.starts_with('\u{feff}') { 3 } else { 0 } }
    }

    /// The next record into `cells` (cleared first): `Ok(false)` at the end of the text.
    pub fn next_record(&mut self, cells: &mut Vec<Cell<'a>>) -> Result<bool, CsvError> {
        cells.clear();
        let bytes = self.text.as_bytes();
        // Skip blank and comment lines.
        loop {
            if self.at >= bytes.len() {
                return Ok(false);
            }
            let end = memchr_newline(bytes, self.at);
            let line = &self.text[self.at..end];
            let t = line.trim();
            if t.is_empty() || line.starts_with('#') {
                self.at = (end + 1).min(bytes.len());
                continue;
            }
            break;
        }
        loop {
            let (cell, next, last) = self.cell()?;
            cells.push(cell);
            self.at = next;
            if last {
                return Ok(true);
            }
        }
    }

    /// The cell starting at `self.at`: the cell, where the next one starts, whether it ends the
    /// record.
    fn cell(&self) -> Result<(Cell<'a>, usize, bool), CsvError> {
        let bytes = self.text.as_bytes();
        let mut i = self.at;
        while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
            i += 1;
        }
        if i < bytes.len() && bytes[i] == b'"' {
            return self.quoted(i);
        }
        let mut j = i;
        while j < bytes.len() && bytes[j] != b',' && bytes[j] != b'\n' {
            j += 1;
        }
        let text = self.text[i..j].trim();
        let offset = if text.is_empty() { self.at } else { i };
        Ok((Cell { text: Cow::Borrowed(text), offset }, j + 1, j >= bytes.len() || bytes[j] == b'\n'))
    }

    /// A quoted cell whose opening quote is at `q`.
    fn quoted(&self, q: usize) -> Result<(Cell<'a>, usize, bool), CsvError> {
        let bytes = self.text.as_bytes();
        let mut j = q + 1;
        let mut escaped = false;
        loop {
            match bytes.get(j) {
                None => {
                    return Err(CsvError {
                        offset: q,
                        message: "a quoted cell is not closed before the end of the file".into(),
                        help: "close the quote with \"; write a quote inside a quoted cell as \"\"",
                    });
                }
                Some(b'"') if bytes.get(j + 1) == Some(&b'"') => {
                    escaped = true;
                    j += 2;
                }
                Some(b'"') => break,
                Some(_) => j += 1,
            }
        }
        let inner = &self.text[q + 1..j];
        let text = if escaped { Cow::Owned(inner.replace("\"\"", "\"")) } else { Cow::Borrowed(inner) };
        let text = match text {
            Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
            Cow::Owned(s) => Cow::Owned(s.trim().to_string()),
        };
        // After the closing quote: spaces, then a comma or the end of the line.
        let mut k = j + 1;
        while k < bytes.len() && (bytes[k] == b' ' || bytes[k] == b'\t' || bytes[k] == b'\r') {
            k += 1;
        }
        match bytes.get(k) {
            None => Ok((Cell { text, offset: q }, k, true)),
            Some(b'\n') => Ok((Cell { text, offset: q }, k + 1, true)),
            Some(b',') => Ok((Cell { text, offset: q }, k + 1, false)),
            Some(_) => Err(CsvError {
                offset: k,
                message: "text after the closing quote of a quoted cell".into(),
                help: "put the whole cell inside the quotes, and write a quote inside it as \"\"",
            }),
        }
    }
}

/// Offset of the next `\n` at or after `from`, or the text's length.
fn memchr_newline(bytes: &[u8], from: usize) -> usize {
    bytes[from..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |p| from + p)
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
