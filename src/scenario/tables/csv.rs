//! A small RFC 4180 reader that keeps the byte offset of every cell, so a message about a value
//! can name the file's line and column.
//!
//! Dialect (README, "Tables"): UTF-8 (a BOM is skipped), comma-separated, `"a,b"` quoting with
//! `""` for a quote inside quotes, `\n` or `\r\n` line ends, blank lines skipped, a line starting
//! with `#` a comment. Values are trimmed of spaces and tabs. An unquoted cell may contain a `"`
//! (a spreadsheet's `5" pipe`): only a cell that starts with a quote is quoted.

use std::borrow::Cow;

/// One cell of a record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Cell {
    /// Byte offset where the cell starts: its first character that is not a space, or its
    /// opening quote.
    pub at: usize,
    /// Byte range of the value, trimmed (inside the quotes of a quoted cell).
    pub start: usize,
    /// End of the value's byte range.
    pub end: usize,
    /// The value contains `""` escapes: it is not a slice of the text as it stands.
    pub escaped: bool,
}

impl Cell {
    /// The value, with `""` escapes undone.
    pub fn value<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let raw = &text[self.start..self.end];
        if self.escaped { Cow::Owned(raw.replace("\"\"", "\"")) } else { Cow::Borrowed(raw) }
    }

    /// Whether the cell is empty ("not given").
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// Where a record starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Record {
    /// 1-based line number of its first line.
    pub line: usize,
    /// Byte offset of its first character.
    pub start: usize,
}

/// Text that is not CSV: where, and what is wrong.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct CsvError {
    /// Byte offset of the problem.
    pub at: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: &'static str,
}

/// Reads the records of a CSV text one at a time, into a buffer the caller reuses.
pub(crate) struct Reader<'t> {
    bytes: &'t [u8],
    pos: usize,
    line: usize,
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

impl<'t> Reader<'t> {
    /// A reader at the start of `text` (after a byte-order mark).
    pub fn new(text: &'t str) -> Self {
        let pos = if text.starts_with('\u{feff}') { 3 } else { 0 };
        Reader { bytes: text.as_bytes(), pos, line: 1 }
    }

    /// A reader at byte `pos` of `text`, which must start a line (used to re-read one row when a
    /// message needs one of its cells).
    pub fn at_line(text: &'t str, pos: usize, line: usize) -> Self {
        let mut r = Reader::new(text);
        r.pos = r.pos.max(pos);
        r.line = line;
        r
    }

    /// Skips blank lines and comment lines; whether a record follows.
    fn skip_empty_lines(&mut self) -> bool {
        while self.pos < self.bytes.len() {
            let rest = &self.bytes[self.pos..];
            let len = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            let line = &rest[..len];
            let blank = line.iter().all(|&b| is_blank(b) || b == b'\r');
            if !blank && line[0] != b'#' {
                return true;
            }
            self.pos += len + 1;
            self.line += 1;
        }
        false
    }

    /// Reads the next record's cells into `cells` (cleared first); `None` at the end.
    pub fn next_record(&mut self, cells: &mut Vec<Cell>) -> Option<Result<Record, CsvError>> {
        if !self.skip_empty_lines() {
            return None;
        }
        let rec = Record { line: self.line, start: self.pos };
        cells.clear();
        loop {
            let cell = match self.cell() {
                Ok(c) => c,
                Err(e) => {
                    self.skip_line();
                    return Some(Err(e));
                }
            };
            cells.push(cell);
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'\r') if self.bytes.get(self.pos + 1) == Some(&b'\n') => {
                    self.pos += 2;
                    self.line += 1;
                    break;
                }
                Some(b'\n') => {
                    self.pos += 1;
                    self.line += 1;
                    break;
                }
                None => break,
                // A lone `\r` (old Mac line end) ends the cell as well: take it as a line end.
                Some(_) => {
                    self.pos += 1;
                    self.line += 1;
                    break;
                }
            }
        }
        Some(Ok(rec))
    }

    /// Moves past the rest of the current line (after an error, to go on with the next row).
    fn skip_line(&mut self) {
        let rest = &self.bytes[self.pos.min(self.bytes.len())..];
        match rest.iter().position(|&b| b == b'\n') {
            Some(i) => {
                self.pos += i + 1;
                self.line += 1;
            }
            None => self.pos = self.bytes.len(),
        }
    }

    /// One cell, leaving `pos` at the delimiter or line end after it.
    fn cell(&mut self) -> Result<Cell, CsvError> {
        let b = self.bytes;
        while self.pos < b.len() && is_blank(b[self.pos]) {
            self.pos += 1;
        }
        let at = self.pos;
        if b.get(at) != Some(&b'"') {
            while self.pos < b.len() && !matches!(b[self.pos], b',' | b'\n' | b'\r') {
                self.pos += 1;
            }
            let mut end = self.pos;
            while end > at && is_blank(b[end - 1]) {
                end -= 1;
            }
            return Ok(Cell { at, start: at, end, escaped: false });
        }
        self.pos += 1;
        let (mut start, mut escaped) = (self.pos, false);
        let mut end = loop {
            match b[self.pos..].iter().position(|&c| c == b'"' || c == b'\n') {
                None => {
                    return Err(CsvError {
                        at,
                        message: "a quoted cell is not closed: the file ends inside its quotes".into(),
                        help: "close the quote with \", and write a quote inside quotes as \"\"",
                    });
                }
                Some(i) if b[self.pos + i] == b'\n' => {
                    self.pos += i + 1;
                    self.line += 1;
                }
                Some(i) if b.get(self.pos + i + 1) == Some(&b'"') => {
                    self.pos += i + 2;
                    escaped = true;
                }
                Some(i) => {
                    self.pos += i + 1;
                    break self.pos - 1;
                }
            }
        };
        while self.pos < b.len() && is_blank(b[self.pos]) {
            self.pos += 1;
        }
        if !matches!(b.get(self.pos), None | Some(b',' | b'\n' | b'\r')) {
            return Err(CsvError {
                at: self.pos,
                message: "text after the closing quote of a quoted cell".into(),
                help: "put the whole cell in quotes, and write a quote inside quotes as \"\"",
            });
        }
        while start < end && b[start].is_ascii_whitespace() {
            start += 1;
        }
        while end > start && b[end - 1].is_ascii_whitespace() {
            end -= 1;
        }
        Ok(Cell { at, start, end, escaped })
    }
}

/// The header (names of the columns) and the cells of the row that contains byte `offset`: a
/// message about a value decoded later (inside a policy or a distribution) finds its cell here.
fn header_and_row(text: &str, offset: usize) -> Option<(Vec<Cell>, Vec<Cell>)> {
    let mut header = Vec::new();
    Reader::new(text).next_record(&mut header)?.ok()?;
    let offset = offset.min(text.len());
    let line_start = text.as_bytes()[..offset].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let mut row = Vec::new();
    Reader::at_line(text, line_start, 0).next_record(&mut row)?.ok()?;
    Some((header, row))
}

/// Byte range of the cell of column `column` in the row containing `offset`.
pub(crate) fn cell_in_row(text: &str, offset: usize, column: &str) -> Option<std::ops::Range<usize>> {
    let (header, row) = header_and_row(text, offset)?;
    let i = header.iter().position(|h| h.value(text) == column)?;
    row.get(i).map(|c| c.at..c.end.max(c.at))
}

/// Name of the column whose cell contains `offset`.
pub(crate) fn column_at(text: &str, offset: usize) -> Option<String> {
    let (header, row) = header_and_row(text, offset)?;
    let i = row.iter().position(|c| c.at <= offset && offset <= c.end.max(c.at))?;
    header.get(i).map(|h| h.value(text).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record's values.
    fn values(text: &str) -> Vec<Vec<String>> {
        let mut r = Reader::new(text);
        let mut cells = Vec::new();
        let mut out = Vec::new();
        while let Some(rec) = r.next_record(&mut cells) {
            rec.unwrap();
            out.push(cells.iter().map(|c| c.value(text).into_owned()).collect());
        }
        out
    }

    #[test]
    fn plain_cells_are_trimmed_and_empty_cells_kept() {
        assert_eq!(values("a, b ,c\n1,,3\n"), vec![vec!["a", "b", "c"], vec!["1", "", "3"]]);
        assert_eq!(values("a,b\n1,"), vec![vec!["a", "b"], vec!["1", ""]]);
    }

    #[test]
    fn quotes_hold_commas_quotes_and_line_breaks() {
        let t = "id,note\n\"a,b\",\"say \"\"hi\"\"\"\nx, \"two\nlines\" \n";
        assert_eq!(values(t), vec![vec!["id", "note"], vec!["a,b", "say \"hi\""], vec!["x", "two\nlines"]]);
        let mut r = Reader::new(t);
        let mut cells = Vec::new();
        r.next_record(&mut cells);
        r.next_record(&mut cells);
        assert!(cells[1].escaped && !cells[0].escaped);
        let third = r.next_record(&mut cells).unwrap().unwrap();
        assert_eq!(third.line, 3);
        assert_eq!(r.line, 5, "the quoted line break counts");
    }

    #[test]
    fn crlf_bom_comments_and_blank_lines() {
        let t = "\u{feff}# exported by an ERP\r\nid,type\r\n\r\n  \r\ns1,store\r\n# s2,store\r\ns3,store";
        assert_eq!(values(t), vec![vec!["id", "type"], vec!["s1", "store"], vec!["s3", "store"]]);
        let mut r = Reader::new(t);
        let mut cells = Vec::new();
        r.next_record(&mut cells);
        assert_eq!(cells[0].at, 3 + "# exported by an ERP\r\n".len(), "offsets count the BOM's bytes");
        assert_eq!(r.next_record(&mut cells).unwrap().unwrap().line, 5);
        assert_eq!(r.next_record(&mut cells).unwrap().unwrap().line, 7);
    }

    #[test]
    fn offsets_point_at_cells() {
        let t = "a,b\n1,  \"x\"\n";
        let mut r = Reader::new(t);
        let mut cells = Vec::new();
        r.next_record(&mut cells);
        r.next_record(&mut cells);
        assert_eq!(cells[1].at, 8, "the opening quote");
        assert_eq!(&t[cells[1].start..cells[1].end], "x");
        assert_eq!(cell_in_row(t, 5, "b"), Some(8..10));
        assert_eq!(column_at(t, 9).as_deref(), Some("b"));
        assert_eq!(column_at(t, 4).as_deref(), Some("a"));
    }

    #[test]
    fn broken_quotes_are_errors_at_their_place() {
        let mut cells = Vec::new();
        let e = Reader::new("a\n\"open\n").next_record(&mut cells).unwrap();
        assert!(e.is_ok());
        let mut r = Reader::new("a\n\"open\n");
        r.next_record(&mut cells);
        let e = r.next_record(&mut cells).unwrap().unwrap_err();
        assert_eq!(e.at, 2);
        let mut r = Reader::new("\"ab\"c,d\n");
        assert_eq!(r.next_record(&mut cells).unwrap().unwrap_err().at, 4);
        assert!(r.next_record(&mut cells).is_none(), "the broken line is skipped");
    }

    #[test]
    fn an_unquoted_cell_may_hold_a_quote() {
        assert_eq!(values("size\n5\" pipe\n"), vec![vec!["size"], vec!["5\" pipe"]]);
    }
}
