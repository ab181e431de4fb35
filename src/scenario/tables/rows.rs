//! The rows of one table as the entries a scenario file would write: the header checked against
//! the table's columns, each row's cells read by their column's kind, the policy, distribution
//! and seasonality columns nested as their TOML tables, duplicate rows refused.

use std::borrow::Cow;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::TableText;
use super::cells::{Arena, Cells, FastMap, Val};
use super::csv::{Cell, Reader};
use super::schema::{Column, Kind, Place, Schema, dist_params};
use crate::scenario::diag::{Diags, closest};

/// At most this many problems are reported per table: a column of a million rows written the
/// wrong way is one mistake, not a million.
const MAX_PROBLEMS: usize = 30;

/// A problem at a byte span of the scenario's span space.
struct Problem {
    span: Range<usize>,
    key: String,
    message: String,
    help: String,
}

/// Reads one table into entries; problems go to `d` (then the entries are incomplete).
pub(super) fn read<'a>(t: &'a TableText, arena: &'a Arena, d: &mut Diags) -> Vec<Val<'a>> {
    let Some(schema) = Schema::of(t.table) else { return Vec::new() };
    let cells = Cells::new(&t.text, t.base, arena);
    let mut problems = Vec::new();
    let mut reader = Reader::new(&t.text);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let header = match reader.next_record(&mut buf) {
        None => {
            problems.push(Problem {
                span: t.base..t.base,
                key: schema.table.into(),
                message: "the file is empty: it needs a header row naming its columns".into(),
                help: format!("write the column names first, e.g. {}", schema.required.join(",")),
            });
            None
        }
        Some(Err(e)) => {
            problems.push(csv_problem(schema, t.base, e));
            None
        }
        Some(Ok(_)) => header(schema, &cells, &buf, &mut problems),
    };
    if let Some(columns) = header {
        let width = buf.len();
        // Room for about as many rows as the file has lines of the header's length: growing a
        // map of a million rows step by step costs more than reading them.
        let guess = t.text.len() / buf.last().map_or(t.text.len(), |c| c.end + 1).max(16);
        let seen = FastMap::with_capacity_and_hasher(guess, Default::default());
        let mut rows = Rows { schema, cells: &cells, columns, seen, top: Vec::new() };
        out.reserve(guess);
        while let Some(rec) = reader.next_record(&mut buf) {
            if problems.len() > MAX_PROBLEMS {
                break;
            }
            match rec {
                Err(e) => problems.push(csv_problem(schema, t.base, e)),
                Ok(rec) if buf.len() != width => problems.push(Problem {
                    span: t.base + rec.start..t.base + rec.start,
                    key: schema.table.into(),
                    message: format!("this row has {} cells, the header has {width} columns", buf.len()),
                    help: "give every row one cell per column (an empty cell is written as nothing between two \
                           commas); quote cells that contain a comma"
                        .into(),
                }),
                Ok(rec) => {
                    if let Some(v) = rows.row(rec.line, rec.start, &buf, &mut problems) {
                        out.push(v);
                    }
                }
            }
        }
    }
    let more = problems.len().saturating_sub(MAX_PROBLEMS);
    for p in problems.into_iter().take(MAX_PROBLEMS) {
        d.err(p.span, p.key, p.message, p.help);
    }
    if more > 0 {
        d.list.push(crate::scenario::Diagnostic {
            file: t.name.clone(),
            line: 0,
            column: 0,
            key: schema.table.into(),
            message: format!("more problems in this file are not shown (the first {MAX_PROBLEMS} are above)"),
            help: Some("fix these and check again".into()),
        });
    }
    out
}

fn csv_problem(schema: &Schema, base: usize, e: super::csv::CsvError) -> Problem {
    Problem { span: base + e.at..base + e.at, key: schema.table.into(), message: e.message, help: e.help.into() }
}

/// The column of each header cell (`None` for an ignored `fit_*` column); problems with the
/// header (unknown, repeated or missing columns) are reported and give `None`.
fn header(
    schema: &Schema,
    cells: &Cells<'_>,
    buf: &[Cell],
    problems: &mut Vec<Problem>,
) -> Option<Vec<Option<&'static Column>>> {
    let before = problems.len();
    let mut columns = Vec::with_capacity(buf.len());
    for c in buf {
        let name = c.value(cells.text);
        let at = cells.span(c);
        let col = schema.column(&name);
        if col.is_none() && !schema.ignored_prefix.is_some_and(|p| name.starts_with(p)) {
            let known: Vec<&str> = schema.all().map(|c| c.name).collect();
            let help = match closest(&name, known.iter().copied()) {
                Some(b) => format!("did you mean `{b}`? (columns of {}.csv: {})", schema.table, known.join(", ")),
                None => format!("columns of {}.csv: {}", schema.table, known.join(", ")),
            };
            let what = if name.is_empty() {
                "a column without a name".to_string()
            } else {
                format!("unknown column `{name}`")
            };
            problems.push(Problem { span: at, key: schema.table.into(), message: what, help });
        } else if col.is_some_and(|c| columns.iter().any(|x: &Option<&Column>| x.is_some_and(|x| x.name == c.name))) {
            problems.push(Problem {
                span: at,
                key: format!("{}.{name}", schema.table),
                message: format!("column `{name}` appears twice"),
                help: "keep one of the two columns".into(),
            });
        }
        columns.push(col);
    }
    for req in schema.required {
        if !columns.iter().any(|c| c.is_some_and(|c| c.name == *req)) {
            let at = buf.first().map_or(cells.base, |c| cells.span(c).start);
            problems.push(Problem {
                span: at..at,
                key: format!("{}.{req}", schema.table),
                message: format!("missing column `{req}` (required: {})", schema.required.join(", ")),
                help: format!("add a column named {req} to the header row"),
            });
        }
    }
    (problems.len() == before).then_some(columns)
}

/// Reads the rows of one table.
struct Rows<'a, 'c> {
    schema: &'static Schema,
    cells: &'c Cells<'a>,
    columns: Vec<Option<&'static Column>>,
    /// The line of the first row with each combination of the unique columns.
    seen: FastMap<[&'a str; 3], usize>,
    /// The top-level entries of the row being read (a buffer kept between rows).
    top: Vec<(&'static str, Val<'a>)>,
}

/// The cells of one row that build a nested table: its `type` cell and its other entries.
#[derive(Default)]
struct Nested<'a> {
    kind: Option<(Cell, Val<'a>)>,
    entries: Vec<(&'static str, Cell, Val<'a>)>,
}

impl<'a> Rows<'a, '_> {
    fn problem(&self, c: &Cell, col: &str, message: String, help: String, problems: &mut Vec<Problem>) {
        let key = format!("{}.{col}", self.schema.table);
        problems.push(Problem { span: self.cells.span(c), key, message, help });
    }

    /// One row as an entry; `None` (with problems) if a cell is wrong.
    fn row(&mut self, line: usize, start: usize, buf: &[Cell], problems: &mut Vec<Problem>) -> Option<Val<'a>> {
        let before = problems.len();
        let mut entries = std::mem::take(&mut self.top);
        entries.clear();
        let (mut policy, mut dist, mut season) = (Nested::default(), Nested::default(), Nested::default());
        for (c, col) in buf.iter().zip(&self.columns) {
            let Some(col) = col else { continue };
            if c.is_empty() {
                if self.schema.required.contains(&col.name) {
                    let help = format!("every row needs a {}", col.name);
                    self.problem(c, col.name, format!("`{}` is empty", col.name), help, problems);
                }
                continue;
            }
            let v = match self.cells.value(col.kind, c) {
                Ok(v) => v,
                Err(found) => {
                    let help =
                        format!("write {} in column {} (an empty cell means not given)", col.kind.examples(), col.name);
                    self.problem(c, col.name, format!("expected {} ({found})", col.kind.expects()), help, problems);
                    continue;
                }
            };
            match col.place {
                Place::Top => entries.push((col.name, v)),
                Place::PolicyType => policy.kind = Some((*c, v)),
                Place::Policy => policy.entries.push((col.name, *c, v)),
                Place::DistType => dist.kind = Some((*c, v)),
                Place::Dist => dist.entries.push((col.name, *c, v)),
                Place::Season => season.entries.push((col.name, *c, v)),
            }
        }
        let nested = [&policy.kind, &dist.kind].iter().filter(|k| k.is_some()).count();
        let mut top = DeTable::with_capacity(entries.len() + nested + usize::from(!season.entries.is_empty()));
        for (name, v) in entries.drain(..) {
            top.insert(Spanned::new(v.span(), Cow::Borrowed(name)), v);
        }
        self.top = entries;
        self.nest(&mut top, "policy", policy, problems);
        self.nest_distribution(&mut top, dist, problems);
        if let Some((_, c, _)) = season.entries.first() {
            let span = self.cells.span(c);
            let mut t = DeTable::with_capacity(season.entries.len());
            for (name, _, v) in season.entries {
                t.insert(Spanned::new(v.span(), Cow::Borrowed(name)), v);
            }
            top.insert(Spanned::new(span.clone(), Cow::Borrowed("seasonality")), Spanned::new(span, DeValue::Table(t)));
        }
        if problems.len() > before {
            return None;
        }
        self.unique(line, start, &top, buf, problems)?;
        let end = buf.last().map_or(start, |c| c.end.max(c.at));
        Some(Spanned::new(self.cells.base + start..self.cells.base + end, DeValue::Table(top)))
    }

    /// Refuses a row whose unique columns repeat an earlier row's.
    fn unique(
        &mut self,
        line: usize,
        start: usize,
        top: &DeTable<'a>,
        buf: &[Cell],
        problems: &mut Vec<Problem>,
    ) -> Option<()> {
        let mut key = [""; 3];
        for (k, name) in key.iter_mut().zip(self.schema.unique) {
            *k = match top.get(*name).map(|v| v.get_ref()) {
                Some(DeValue::String(Cow::Borrowed(s))) => s,
                Some(DeValue::String(Cow::Owned(s))) => self.cells.arena.keep(s.clone()),
                _ if *name == "channel" => "store",
                _ => "",
            };
        }
        if let Some(first) = self.seen.insert(key, line) {
            let shown: Vec<&str> = key.iter().copied().take(self.schema.unique.len()).collect();
            let at = buf.first().map_or(start, |c| c.at);
            problems.push(Problem {
                span: self.cells.base + at..self.cells.base + at,
                key: self.schema.table.into(),
                message: format!(
                    "duplicate row: {} {} was given on line {first} already",
                    self.schema.unique.join(" / "),
                    shown.join(" / ")
                ),
                help: "keep one row for each; merge the two".into(),
            });
            self.seen.insert(key, first);
            return None;
        }
        Some(())
    }

    /// Nests the `policy` column and its level columns as `policy = { type = .., level = .. }`.
    fn nest(&self, top: &mut DeTable<'a>, name: &'static str, n: Nested<'a>, problems: &mut Vec<Problem>) {
        let Some((kc, kind)) = n.kind else {
            if let Some((col, c, _)) = n.entries.first() {
                let help = "write the policy type in column policy: base_stock, s_S, min_max, r_Q or none".to_string();
                self.problem(c, col, format!("`{col}` is given but the row has no policy type"), help, problems);
            }
            return;
        };
        let span = self.cells.span(&kc);
        let value = if kind.get_ref().as_str().is_some_and(|s| s.starts_with('{')) {
            if let Some((col, c, _)) = n.entries.first() {
                let help = format!("leave {col} empty, or write the policy type in column policy");
                self.problem(c, col, format!("the policy is written as inline TOML, and `{col}` too"), help, problems);
                return;
            }
            match self.cells.value(Kind::Days, &kc) {
                Ok(v) => v,
                Err(found) => {
                    let help = "e.g. { type = 'base_stock', level = 40 }".to_string();
                    self.problem(&kc, name, format!("expected a policy table ({found})"), help, problems);
                    return;
                }
            }
        } else {
            let mut t = DeTable::with_capacity(1 + n.entries.len());
            t.insert(Spanned::new(span.clone(), Cow::Borrowed("type")), kind);
            for (col, _, v) in n.entries {
                t.insert(Spanned::new(v.span(), Cow::Borrowed(col)), v);
            }
            Spanned::new(span.clone(), DeValue::Table(t))
        };
        top.insert(Spanned::new(span, Cow::Borrowed(name)), value);
    }

    /// Nests `distribution, mean, sd, probability, values` as the distribution table of its type.
    fn nest_distribution(&self, top: &mut DeTable<'a>, n: Nested<'a>, problems: &mut Vec<Problem>) {
        let Some((kc, kind)) = n.kind else { return };
        let span = self.cells.span(&kc);
        let ty = kind.get_ref().as_str().unwrap_or_default();
        let value = if ty.starts_with('{') {
            if let Some((col, c, _)) = n.entries.first() {
                let help = format!("leave {col} empty, or write the distribution's type alone");
                let msg = format!("the distribution is written as inline TOML, and `{col}` too");
                self.problem(c, col, msg, help, problems);
                return;
            }
            match self.cells.value(Kind::Days, &kc) {
                Ok(v) => v,
                Err(found) => {
                    let help = "e.g. { type = 'poisson', mean = 3 }".to_string();
                    self.problem(&kc, "distribution", format!("expected a distribution ({found})"), help, problems);
                    return;
                }
            }
        } else {
            let (used, constant) = (dist_params(ty), ty == "constant");
            let wanted = n.entries.iter().filter(|(col, _, _)| used.is_none_or(|u| u.contains(col))).count();
            let mut t = DeTable::with_capacity(1 + wanted);
            t.insert(Spanned::new(span.clone(), Cow::Borrowed("type")), kind);
            for (col, _, v) in n.entries {
                // `mean` and `sd` are written for every row (what `fit` measured); a type takes
                // the parameters it has.
                if used.is_some_and(|u| !u.contains(&col)) {
                    continue;
                }
                let key = if constant && col == "mean" { "value" } else { col };
                t.insert(Spanned::new(v.span(), Cow::Borrowed(key)), v);
            }
            Spanned::new(span.clone(), DeValue::Table(t))
        };
        top.insert(Spanned::new(span, Cow::Borrowed("distribution")), value);
    }
}
