//! `[tables]`: a scenario's locations, SKUs, positions and demand from CSV files beside it.
//!
//! ```toml
//! [tables]
//! locations = "locations.csv"   # paths relative to the scenario file's folder
//! positions = "positions.csv"
//! demand    = "demand.csv"      # or history = "sales.csv" (fitted at load time)
//! ```
//!
//! Each row becomes the entry a `[[locations]]` (…) table would be, appended after the entries
//! the TOML writes, before strategies, stress tests and `--set` patches apply: everything that
//! works on a TOML entry works on a row. A network written as TOML and the same network written
//! as CSV give the same scenario, and byte-identical results.
//!
//! Every table file gets a range of byte offsets after the scenario text (its *virtual* range,
//! see [`Source`]): a value read from a cell carries a span in that range, so every message about
//! it — from this module or from validation later — names the CSV file, line and column.

mod cells;
pub(crate) mod csv;
mod rows;
mod schema;

use std::ops::Range;
use std::path::Path;
use std::sync::OnceLock;

use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

pub(crate) use cells::Arena;

use super::diag::{Diags, closest};
use super::{Diagnostic, ScenarioError, Source};

/// Keys of `[tables]`.
const KEYS: &[&str] = &["locations", "skus", "positions", "demand", "history"];

/// A table file as read: its name in messages, its text and where its span range starts.
#[derive(Clone, Debug)]
pub(crate) struct TableText {
    /// The scenario array its rows go to (`locations`, `skus`, `positions`, `demand`).
    pub table: &'static str,
    /// The path as resolved (relative to the working folder, like the scenario's name).
    pub name: String,
    /// The CSV text.
    pub text: String,
    /// First offset of its span range.
    pub base: usize,
    /// Byte offsets where its lines start, made on the first message about it.
    lines: OnceLock<Vec<usize>>,
}

impl TableText {
    pub(crate) fn new(table: &'static str, name: String, text: String, base: usize) -> Self {
        TableText { table, name, text, base, lines: OnceLock::new() }
    }

    /// Whether `offset` (in span space) lies in this table (its end included: a message at the
    /// end of the file).
    pub(crate) fn contains(&self, offset: usize) -> bool {
        offset >= self.base && offset <= self.base + self.text.len()
    }

    /// 1-based line and column (in characters) of a span-space offset in this table.
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        let at = offset.saturating_sub(self.base).min(self.text.len());
        let lines = self.lines.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.bytes().enumerate().filter(|b| b.1 == b'\n').map(|(i, _)| i + 1))
                .collect()
        });
        let line = lines.partition_point(|&s| s <= at);
        let start = lines[line - 1];
        let mut end = at;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        (line, self.text[start..end].chars().count() + 1)
    }

    /// Header name of the column whose cell holds `offset` (span space).
    pub(crate) fn column_at(&self, offset: usize) -> Option<String> {
        csv::column_at(&self.text, offset - self.base)
    }

    /// Span of the cell of `column` in the row that holds `offset` (span space).
    pub(crate) fn cell_in_row(&self, offset: usize, column: &str) -> Option<Range<usize>> {
        csv::cell_in_row(&self.text, offset - self.base, column).map(|r| r.start + self.base..r.end + self.base)
    }
}

/// Takes `[tables]` out of the document and reads the files it names: `src` with the tables
/// added (a plain copy when there are none).
pub(crate) fn read(src: &Source, doc: &mut Spanned<DeTable<'_>>) -> Result<Source, ScenarioError> {
    let Some(v) = doc.get_mut().remove("tables") else { return Ok(src.clone()) };
    let mut d = Diags::new(src);
    let span = v.span();
    let DeValue::Table(t) = v.into_inner() else {
        let help = "write [tables] followed by e.g. positions = \"positions.csv\"";
        d.err(span, "tables", "`tables` must be a table of file names", help);
        return Err(ScenarioError::Invalid(d.list));
    };
    let dir = Path::new(&src.name).parent().unwrap_or(Path::new(""));
    let mut files = Vec::new();
    for (k, v) in &t {
        let key = k.get_ref().as_ref();
        let Some(&key) = KEYS.iter().find(|x| **x == key) else {
            let help = match closest(key, KEYS.iter().copied()) {
                Some(b) => format!("did you mean `{b}`? (keys of [tables]: {})", KEYS.join(", ")),
                None => format!("keys of [tables]: {}", KEYS.join(", ")),
            };
            d.err(k.span(), format!("tables.{key}"), format!("unknown key `{key}` in [tables]"), help);
            continue;
        };
        let Some(file) = v.get_ref().as_str() else {
            let help = format!("write {key} = \"{key}.csv\" (a path relative to the scenario file's folder)");
            d.err(v.span(), format!("tables.{key}"), "expected a file name in quotes", help);
            continue;
        };
        let path = dir.join(file);
        if let Some(text) = read_file(&path, key, v.span(), &mut d) {
            // Fitted demand is not the history's text: its lines are named as what they are.
            let (table, name) = match key {
                "history" => ("demand", format!("{} (demand fitted from it)", path.display())),
                _ => (key, path.display().to_string()),
            };
            files.push((table, name, text));
        }
    }
    if let (Some(dm), Some(_)) = (t.get("demand"), t.get("history")) {
        let help = "keep one: demand (a table of distributions) or history (sales, fitted at load time)";
        d.err(dm.span(), "tables.demand", "[tables] gives both `demand` and `history`", help);
    }
    if !d.is_empty() {
        return Err(ScenarioError::Invalid(d.list));
    }
    Ok(src.with_tables(files))
}

/// A table file's text (pinned or recorded like the scenario file, see `sources`); for
/// `history`, the demand fitted from it.
fn read_file(path: &Path, key: &str, span: Range<usize>, d: &mut Diags) -> Option<String> {
    let name = path.display().to_string();
    let bytes = match super::sources::read(path) {
        Ok(b) => b,
        Err(e) => {
            d.err(span, format!("tables.{key}"), format!("cannot read table file '{name}': {e}"), missing_help(path));
            return None;
        }
    };
    let text = match Source::from_bytes(name.clone(), bytes) {
        Ok(s) => s.text,
        Err(e) => {
            d.list.extend(e.diagnostics());
            return None;
        }
    };
    if key != "history" {
        return Some(text);
    }
    match fit_history(&text, &name) {
        Ok(demand) => Some(demand),
        Err(list) => {
            d.list.extend(list);
            None
        }
    }
}

/// Where a table path is looked for, and the CSV files that are there (the closest first).
fn missing_help(path: &Path) -> String {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    let shown = dir.map_or(String::from("the current folder"), |d| d.display().to_string());
    let mut csv: Vec<String> = std::fs::read_dir(dir.unwrap_or(Path::new(".")))
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".csv"))
                .collect()
        })
        .unwrap_or_default();
    csv.sort();
    let wanted = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut help = format!("paths in [tables] are relative to the scenario file's folder ({shown})");
    if let Some(b) = closest(&wanted, csv.iter().map(String::as_str)) {
        help.push_str(&format!("; did you mean \"{b}\"?"));
    } else if !csv.is_empty() {
        help.push_str(&format!("; CSV files there: {}", csv.join(", ")));
    }
    help
}

/// Demand fitted from a sales history (`history = "sales.csv"`), as demand.csv text: exactly
/// what `echelon fit` writes (see [`crate::fit`]), so `fit` then `demand =` runs the same.
fn fit_history(history: &str, file_name: &str) -> Result<String, Vec<Diagnostic>> {
    crate::fit::fit_demand_csv(history, file_name)
}

/// Appends every table's rows to the document's arrays (`[[locations]]`, ...), after the
/// entries the TOML writes. Problems with the tables go to `d`.
pub(crate) fn append<'a>(doc: &mut Spanned<DeTable<'a>>, src: &'a Source, arena: &'a Arena, d: &mut Diags) {
    for t in src.tables() {
        let rows = rows::read(t, arena, d);
        let at = t.base..t.base;
        let doc = doc.get_mut();
        match doc.get_mut(t.table).map(|v| v.get_mut()) {
            Some(DeValue::Array(a)) => {
                for r in rows {
                    a.push(r);
                }
            }
            // A TOML key of the wrong shape (`[positions]` instead of `[[positions]]`) is
            // reported by the decoder; the rows are not added to it.
            Some(_) => {}
            None => {
                // Collected from the Vec in place: a million rows are not copied again.
                let a: DeArray<'a> = rows.into_iter().collect();
                let key = Spanned::new(at.clone(), std::borrow::Cow::Borrowed(t.table));
                doc.insert(key, Spanned::new(at, DeValue::Array(a)));
            }
        }
    }
}

#[cfg(test)]
mod tests;
