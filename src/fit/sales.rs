//! Reading a sales history (`sales.csv`): columns `date, location, sku, units`, optional
//! `on_hand` or `in_stock`; rows grouped by position (location, SKU) in order of first appearance.
//! Every bad cell is reported as `file:line:column: history.<column>: ...` (other columns are
//! ignored, so an ERP export may carry more).

use std::collections::HashMap;

use super::csv::{Cell, Reader, line_col};
use crate::calendar::{civil_from_days, days_from_civil, days_in_month};
use crate::scenario::Diagnostic;
use crate::scenario::closest;

/// Longest history accepted, in days (20 years): a longer span is almost always a typo in a year,
/// and the fit keeps one value per day of the span per position.
pub const MAX_HISTORY_DAYS: i64 = 20 * 366;

/// Most problems reported for one file (the rest are counted).
const MAX_REPORTED: usize = 50;

/// One row of a position's history.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Row {
    /// Days since 1970-01-01.
    pub day: i32,
    /// Units sold.
    pub units: f64,
    /// Out of stock at the end of the day (`on_hand` ≤ 0 or `in_stock = false`).
    pub out_of_stock: bool,
    /// Byte offset of the row's date cell (for messages).
    pub offset: usize,
}

/// The rows of one position, in file order.
#[derive(Clone, Debug)]
pub(crate) struct PositionRows {
    /// Location id.
    pub location: String,
    /// SKU id.
    pub sku: String,
    /// Its rows.
    pub rows: Vec<Row>,
}

/// A sales history, read and checked.
#[derive(Clone, Debug)]
pub(crate) struct Sales {
    /// Positions in order of first appearance.
    pub positions: Vec<PositionRows>,
    /// First and last date of the whole file (days since 1970-01-01).
    pub first: i32,
    /// Last date.
    pub last: i32,
    /// Whether the file says when positions were out of stock (`on_hand` or `in_stock`).
    pub stock_known: bool,
}

/// Where the columns are.
struct Columns {
    date: usize,
    location: usize,
    sku: usize,
    units: usize,
    on_hand: Option<usize>,
    in_stock: Option<usize>,
    names: Vec<String>,
}

/// Problems found so far.
struct Problems<'t> {
    text: &'t str,
    file: &'t str,
    list: Vec<Diagnostic>,
    more: usize,
}

impl Problems<'_> {
    fn at(&mut self, offset: usize, key: &str, message: String, help: &str) {
        if self.list.len() >= MAX_REPORTED {
            self.more += 1;
            return;
        }
        let (line, column) = line_col(self.text, offset);
        self.list.push(Diagnostic {
            file: self.file.to_string(),
            line,
            column,
            key: key.to_string(),
            message,
            help: Some(help.to_string()),
        });
    }

    fn cell(&mut self, c: &Cell<'_>, column: &str, expected: &str, help: &str) {
        self.at(c.offset, &format!("history.{column}"), format!("{expected} (found \"{}\")", c.text), help);
    }

    fn finish(mut self) -> Vec<Diagnostic> {
        if self.more > 0 {
            self.list.push(Diagnostic {
                file: self.file.to_string(),
                line: 0,
                column: 0,
                key: String::new(),
                message: format!("{} more problems not shown", self.more),
                help: None,
            });
        }
        self.list
    }
}

/// Reads and checks a sales history; `file` names it in messages.
pub(crate) fn read(text: &str, file: &str) -> Result<Sales, Vec<Diagnostic>> {
    let mut p = Problems { text, file, list: Vec::new(), more: 0 };
    let mut reader = Reader::new(text);
    let mut cells = Vec::new();
    let header = match reader.next_record(&mut cells) {
        Ok(true) => columns(&cells, &mut p),
        Ok(false) => {
            p.at(0, "history", "the file is empty".into(), "the first row names the columns: date,location,sku,units");
            None
        }
        Err(e) => {
            p.at(e.offset, "history", e.message, e.help);
            None
        }
    };
    let Some(cols) = header else { return Err(p.finish()) };
    let mut sales = Sales { positions: Vec::new(), first: i32::MAX, last: i32::MIN, stock_known: false };
    sales.stock_known = cols.on_hand.is_some() || cols.in_stock.is_some();
    let mut locations: HashMap<String, u32> = HashMap::new();
    let mut index: HashMap<(u32, u32), u32> = HashMap::new();
    let mut skus: HashMap<String, u32> = HashMap::new();
    let mut extremes = (0usize, 0usize);
    loop {
        match reader.next_record(&mut cells) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                p.at(e.offset, "history", e.message, e.help);
                break;
            }
        }
        let Some(row) = row(&cells, &cols, &mut p) else { continue };
        let (loc, sku, row) = row;
        if row.day < sales.first {
            sales.first = row.day;
            extremes.0 = row.offset;
        }
        if row.day > sales.last {
            sales.last = row.day;
            extremes.1 = row.offset;
        }
        let next = locations.len() as u32;
        let l = *locations.entry_ref_or_insert(loc, next);
        let next = skus.len() as u32;
        let s = *skus.entry_ref_or_insert(sku, next);
        let q = *index.entry((l, s)).or_insert_with(|| {
            sales.positions.push(PositionRows { location: loc.to_string(), sku: sku.to_string(), rows: Vec::new() });
            sales.positions.len() as u32 - 1
        });
        sales.positions[q as usize].rows.push(row);
    }
    if sales.positions.is_empty() && p.list.is_empty() {
        p.at(text.len(), "history", "no rows after the header".into(), "add one row per position and day with sales");
    }
    if p.list.is_empty() {
        check_span(&sales, extremes, &mut p);
        for pos in &mut sales.positions {
            duplicates(pos, &mut p);
        }
    }
    if p.list.is_empty() { Ok(sales) } else { Err(p.finish()) }
}

/// `HashMap<String, u32>` lookup by `&str` that allocates only for a new key.
trait EntryRef {
    fn entry_ref_or_insert(&mut self, key: &str, value: u32) -> &u32;
}

impl EntryRef for HashMap<String, u32> {
    fn entry_ref_or_insert(&mut self, key: &str, value: u32) -> &u32 {
        if !self.contains_key(key) {
            self.insert(key.to_string(), value);
        }
        &self[key]
    }
}

/// The header: where each column is; reports missing and repeated ones.
fn columns(cells: &[Cell<'_>], p: &mut Problems<'_>) -> Option<Columns> {
    let names: Vec<String> = cells.iter().map(|c| c.text.to_string()).collect();
    for (i, n) in names.iter().enumerate() {
        if !n.is_empty() && names[..i].contains(n) {
            p.at(
                cells[i].offset,
                "history",
                format!("column `{n}` appears twice in the header"),
                "name each column once",
            );
        }
    }
    let find = |n: &str| names.iter().position(|x| x == n);
    let missing = |n: &str, p: &mut Problems<'_>| {
        let found = find(n);
        if found.is_none() {
            let help = match closest(n, names.iter().map(String::as_str)) {
                Some(c) => format!("did you mean `{c}`? sales.csv needs columns date, location, sku, units"),
                None => "sales.csv needs columns date, location, sku, units (optional on_hand or in_stock)".into(),
            };
            p.at(
                cells[0].offset,
                "history",
                format!("missing column `{n}`; the header has: {}", names.join(", ")),
                &help,
            );
        }
        found
    };
    let date = missing("date", p);
    let location = missing("location", p);
    let sku = missing("sku", p);
    let units = missing("units", p);
    let cols = Columns {
        date: date?,
        location: location?,
        sku: sku?,
        units: units?,
        on_hand: find("on_hand"),
        in_stock: find("in_stock"),
        names,
    };
    p.list.is_empty().then_some(cols)
}

/// One data row: location, SKU and the row; reports bad cells.
fn row<'c>(cells: &'c [Cell<'_>], cols: &Columns, p: &mut Problems<'_>) -> Option<(&'c str, &'c str, Row)> {
    let n = cols.names.len();
    if cells.len() < n {
        let last = cells.last().expect("a record has a cell");
        p.at(
            last.offset,
            "history",
            format!("this row has {} cells, the header {} ({})", cells.len(), n, cols.names.join(", ")),
            "give every row a cell for each column (an empty cell is written as nothing between commas)",
        );
        return None;
    }
    if let Some(extra) = cells[n..].iter().find(|c| !c.text.is_empty()) {
        p.at(
            extra.offset,
            "history",
            format!("a cell beyond the header's {n} columns (found \"{}\")", extra.text),
            "add a name for this column to the header, or remove the cell",
        );
        return None;
    }
    let before = p.list.len() + p.more;
    let date_cell = &cells[cols.date];
    let day = parse_date(&date_cell.text);
    if day.is_none() {
        p.cell(date_cell, "date", "expected a date YYYY-MM-DD", "write dates as 2024-03-31 (ISO 8601)");
    }
    let mut id = |i: usize, what: &str| {
        let c = &cells[i];
        if c.text.is_empty() {
            p.cell(c, what, &format!("expected a {what} id"), "every row names its location and SKU");
        }
        c.text.as_ref()
    };
    let location = id(cols.location, "location");
    let sku = id(cols.sku, "sku");
    let units = units(&cells[cols.units], p);
    let out_of_stock = stock(cells, cols, p);
    if p.list.len() + p.more > before {
        return None;
    }
    let row = Row { day: day?, units: units?, out_of_stock, offset: date_cell.offset };
    Some((location, sku, row))
}

/// The `units` cell: a finite number ≥ 0.
fn units(c: &Cell<'_>, p: &mut Problems<'_>) -> Option<f64> {
    match number(&c.text) {
        Some(x) if x >= 0.0 => Some(x),
        Some(_) => {
            p.cell(
                c,
                "units",
                "units sold must be ≥ 0",
                "returns are not demand: net them out of the day's sales, or leave them out of the history",
            );
            None
        }
        None => {
            p.cell(c, "units", "expected a number of units ≥ 0", "write plain numbers such as 3 or 2.5");
            None
        }
    }
}

/// Whether the row says the position was out of stock at the end of the day: `on_hand` ≤ 0 or
/// `in_stock = false` (an empty cell says nothing).
fn stock(cells: &[Cell<'_>], cols: &Columns, p: &mut Problems<'_>) -> bool {
    let mut out = false;
    if let Some(i) = cols.on_hand
        && !cells[i].text.is_empty()
    {
        match number(&cells[i].text) {
            Some(x) => out |= x <= 0.0,
            None => p.cell(&cells[i], "on_hand", "expected a number of units on hand", "e.g. 12; 0 = out of stock"),
        }
    }
    if let Some(i) = cols.in_stock
        && !cells[i].text.is_empty()
    {
        let t = cells[i].text.as_ref();
        if t.eq_ignore_ascii_case("false") {
            out = true;
        } else if !t.eq_ignore_ascii_case("true") {
            p.cell(&cells[i], "in_stock", "expected true or false", "false = out of stock at the end of the day");
        }
    }
    out
}

/// A finite number as the tables contract writes them (`12`, `0.5`, `-3`, `1e3`).
fn number(s: &str) -> Option<f64> {
    let ok = s.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    if !ok || s.is_empty() {
        return None;
    }
    s.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// A `YYYY-MM-DD` date (years 1900–2200) as days since 1970-01-01.
pub(crate) fn parse_date(s: &str) -> Option<i32> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !digits(0..4) || !digits(5..7) || !digits(8..10) {
        return None;
    }
    let y: i32 = s[0..4].parse().ok()?;
    let m: u32 = s[5..7].parse().ok()?;
    let d: u32 = s[8..10].parse().ok()?;
    if !(1900..=2200).contains(&y) || d == 0 || d > days_in_month(y, m)? {
        return None;
    }
    Some(days_from_civil(y, m, d) as i32)
}

/// A date as `YYYY-MM-DD`.
pub(crate) fn format_date(day: i32) -> String {
    let (y, m, d) = civil_from_days(i64::from(day));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Refuses a history longer than [`MAX_HISTORY_DAYS`] (at its first date).
fn check_span(sales: &Sales, (first_at, last_at): (usize, usize), p: &mut Problems<'_>) {
    let span = i64::from(sales.last) - i64::from(sales.first) + 1;
    if span > MAX_HISTORY_DAYS {
        let (last_line, _) = line_col(p.text, last_at);
        p.at(
            first_at,
            "history.date",
            format!(
                "the history runs from {} to {} (line {last_line}), {span} days: at most {MAX_HISTORY_DAYS} (20 years)",
                format_date(sales.first),
                format_date(sales.last)
            ),
            "check the year of this date and of the last one; fit a shorter span",
        );
    }
}

/// Reports a second row of a position for the same day (at the later row).
fn duplicates(pos: &mut PositionRows, p: &mut Problems<'_>) {
    if !pos.rows.is_sorted_by_key(|r| r.day) {
        // Stable: of two rows of one day, the earlier in the file stays first.
        pos.rows.sort_by_key(|r| r.day);
    }
    for w in pos.rows.windows(2) {
        if w[0].day == w[1].day {
            let (line, _) = line_col(p.text, w[0].offset);
            p.at(
                w[1].offset,
                "history.date",
                format!(
                    "a second row for location '{}', sku '{}' on {} (the first is on line {line})",
                    pos.location,
                    pos.sku,
                    format_date(w[1].day)
                ),
                "one row per position and day: add the units up into one row",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_strict() {
        assert_eq!(parse_date("1970-01-02"), Some(1));
        assert_eq!(parse_date("2024-02-29").map(format_date).as_deref(), Some("2024-02-29"));
        for bad in ["2023-02-29", "2024-13-01", "2024-1-01", "24-01-01", "2024/01/01", "1800-01-01", ""] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn rows_are_grouped_by_position_in_order_of_first_appearance() {
        let text = "units,sku,date,location,extra\n3,b,2024-01-02,s1,x\n1,a,2024-01-01,s1,\n2,b,2024-01-01,s1,\n";
        let s = read(text, "sales.csv").expect("valid");
        assert_eq!(s.positions.len(), 2);
        assert_eq!((s.positions[0].sku.as_str(), s.positions[0].rows.len()), ("b", 2));
        assert_eq!(s.positions[0].rows[0].day, parse_date("2024-01-01").expect("date"), "sorted by day");
        assert_eq!((s.first, s.last), (parse_date("2024-01-01").expect("d"), parse_date("2024-01-02").expect("d")));
        assert!(!s.stock_known);
    }

    fn first_error(text: &str) -> String {
        read(text, "sales.csv").expect_err("invalid")[0].to_string()
    }

    #[test]
    fn bad_cells_name_line_column_and_value() {
        let h = "date,location,sku,units\n";
        assert_eq!(
            first_error(&format!("{h}2024-01-01,s,a,x1\n")),
            "sales.csv:2:16: history.units: expected a number of units ≥ 0 (found \"x1\")"
        );
        assert!(
            first_error(&format!("{h}2024-01-01,s,a,-2\n")).contains("2:16: history.units: units sold must be ≥ 0")
        );
        assert!(first_error(&format!("{h}2024-02-30,s,a,1\n")).starts_with("sales.csv:2:1: history.date"));
        assert!(first_error("date,location,units\n").contains("missing column `sku`"));
        let dup = first_error(&format!("{h}2024-01-01,s,a,1\n2024-01-02,s,a,1\n2024-01-01,s,a,4\n"));
        assert!(dup.starts_with("sales.csv:4:1: history.date: a second row") && dup.contains("line 2"), "{dup}");
        assert!(first_error(&format!("{h}1950-01-01,s,a,1\n2024-01-01,s,a,1\n")).contains("at most 7320"));
    }
}
