//! Diagnostics: where a problem is (file, line, column, key), what is wrong and how to fix it.

use std::fmt;
use std::ops::Range;
use std::path::Path;

use super::tables::TableText;

/// Scenario text with its display name; maps byte offsets to lines and columns.
///
/// The CSV tables a scenario loads (`[tables]`) are part of its source: each has a range of
/// offsets after the TOML text (from the text's length + 1 on, one past the previous table's
/// end), so a span in a table's range is reported as that file's line and column.
#[derive(Clone, Debug)]
pub struct Source {
    /// Name shown in messages (usually the path as given).
    pub name: String,
    /// The TOML text.
    pub text: String,
    /// The tables it loads, in span order.
    tables: Vec<TableText>,
}

impl Source {
    /// Wraps text with a name.
    pub fn new(name: String, text: String) -> Self {
        Source { name, text, tables: Vec::new() }
    }

    /// A copy with the table files `(table, name, text)` added, each given its span range.
    pub(crate) fn with_tables(&self, files: Vec<(&'static str, String, String)>) -> Source {
        let mut base = self.text.len() + 1;
        let mut tables = Vec::with_capacity(files.len());
        for (table, name, text) in files {
            let len = text.len();
            tables.push(TableText::new(table, name, text, base));
            base += len + 1;
        }
        Source { name: self.name.clone(), text: self.text.clone(), tables }
    }

    /// The tables the scenario loads.
    pub(crate) fn tables(&self) -> &[TableText] {
        &self.tables
    }

    /// The table whose span range holds `offset`, if any.
    pub(crate) fn table_at(&self, offset: usize) -> Option<&TableText> {
        if offset <= self.text.len() {
            return None;
        }
        self.tables.iter().find(|t| t.contains(offset))
    }

    /// File name, 1-based line and column of a span offset (the scenario file or a table).
    pub(crate) fn locate(&self, offset: usize) -> (&str, usize, usize) {
        match self.table_at(offset) {
            Some(t) => {
                let (line, col) = t.line_col(offset);
                (&t.name, line, col)
            }
            None => {
                let (line, col) = self.line_col(offset);
                (&self.name, line, col)
            }
        }
    }

    /// Wraps the bytes of a file: a byte that is not UTF-8 is an error at its line and column
    /// (files saved as Latin-1 or Windows-1252 by a spreadsheet or an old editor).
    pub fn from_bytes(name: String, bytes: Vec<u8>) -> Result<Self, ScenarioError> {
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Source::new(name, text)),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let bytes = e.into_bytes();
                // Everything before `at` is valid UTF-8, so it can be measured in characters.
                let before = Source::new(name.clone(), String::from_utf8_lossy(&bytes[..at]).into_owned());
                let (line, column) = before.line_col(at);
                Err(ScenarioError::Invalid(vec![Diagnostic {
                    file: name,
                    line,
                    column,
                    key: String::new(),
                    message: format!("byte 0x{:02X} is not valid UTF-8 text", bytes[at]),
                    help: Some(
                        "save the file as UTF-8 (in most editors: Save As… → Encoding: UTF-8); accented letters \
                         written in Latin-1 or Windows-1252 cause this"
                            .into(),
                    ),
                }]))
            }
        }
    }

    /// Reads a scenario file (see [`Source::from_bytes`]).
    pub fn read(path: &Path) -> Result<Self, ScenarioError> {
        let bytes = super::sources::read(path).map_err(|e| ScenarioError::io(path, e))?;
        Source::from_bytes(path.display().to_string(), bytes)
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..floor_char_boundary(&self.text, offset)];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// One problem in a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// File name as given.
    pub file: String,
    /// 1-based line (0 = unknown).
    pub line: usize,
    /// 1-based column (0 = unknown).
    pub column: usize,
    /// Dotted key, e.g. `locations[3].source`.
    pub key: String,
    /// What is wrong and what was expected.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
}

/// The plain text `file:line:col: key: message`; the fix is in [`Diagnostic::help`] (a front end
/// decides how to show it, e.g. the CLI's indented `help:` line).
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        if self.key.is_empty() {
            write!(f, ": {}", self.message)
        } else {
            write!(f, ": {}: {}", self.key, self.message)
        }
    }
}

impl Diagnostic {
    /// How to fix the problem, if known.
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("cannot read scenario file '{path}': {reason} ({help})")]
    Io {
        /// Path as given.
        path: String,
        /// The operating system's reason.
        reason: String,
        /// What to do.
        help: String,
    },
    /// The file has problems; all that were found.
    #[error("{}", render(.0))]
    Invalid(Vec<Diagnostic>),
}

impl ScenarioError {
    pub(crate) fn io(path: &Path, e: std::io::Error) -> Self {
        let help = if e.kind() == std::io::ErrorKind::NotFound {
            let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            let mut known: Vec<String> = std::fs::read_dir(dir)
                .map(|rd| {
                    rd.filter_map(|e| e.ok())
                        .map(|e| e.path())
                        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                        .map(|p| p.display().to_string())
                        .collect()
                })
                .unwrap_or_default();
            known.sort();
            if known.is_empty() {
                "check the path; scenario files end in .toml (see scenarios/)".to_string()
            } else {
                format!("check the path; scenario files there: {}", known.join(", "))
            }
        } else {
            "check that the file is readable".to_string()
        };
        ScenarioError::Io { path: path.display().to_string(), reason: e.to_string(), help }
    }

    /// The individual problems (one for an unreadable file).
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            ScenarioError::Invalid(d) => d.clone(),
            ScenarioError::Io { path, reason, help } => vec![Diagnostic {
                file: path.clone(),
                line: 0,
                column: 0,
                key: String::new(),
                message: format!("cannot read: {reason}"),
                help: Some(help.clone()),
            }],
        }
    }
}

/// One plain line per problem, its fix in parentheses: the library's text carries no terminal
/// layout (the CLI prints `error: ` and an indented `help:` line from [`ScenarioError::diagnostics`]).
fn render(d: &[Diagnostic]) -> String {
    let lines: Vec<String> = d
        .iter()
        .map(|x| match x.help() {
            Some(h) => format!("{x} ({h})"),
            None => x.to_string(),
        })
        .collect();
    lines.join("\n")
}

/// Collects diagnostics while a scenario is checked: errors stop the load, warnings are kept on
/// the [`Scenario`](super::Scenario) (something that runs, but probably not as meant).
pub(crate) struct Diags<'a> {
    pub src: &'a Source,
    pub list: Vec<Diagnostic>,
    /// Things that run but are probably not what was meant (`Scenario::warnings`).
    pub warnings: Vec<Diagnostic>,
    /// Whether costs are checked for plausibility (`[simulation] cost_checks`, default true).
    pub cost_checks: bool,
    /// Measured days of the scenario, once `[simulation]` is read (windows are checked against it).
    pub days: Option<usize>,
    /// Warm-up days of the scenario (simulated before day 0).
    pub warmup: usize,
}

impl<'a> Diags<'a> {
    pub fn new(src: &'a Source) -> Self {
        Diags { src, list: Vec::new(), warnings: Vec::new(), days: None, warmup: 0, cost_checks: true }
    }

    /// Records a warning at a byte span, once per place and message (a stress window is patched
    /// into several locations).
    pub fn warn(
        &mut self,
        span: Option<Range<usize>>,
        key: impl Into<String>,
        message: impl Into<String>,
        help: String,
    ) {
        let (file, line, column) = span.map_or((self.src.name.as_str(), 0, 0), |s| self.src.locate(s.start));
        let w = Diagnostic {
            file: file.to_string(),
            line,
            column,
            key: key.into(),
            message: message.into(),
            help: Some(help),
        };
        if !self
            .warnings
            .iter()
            .any(|x| x.file == w.file && x.line == w.line && x.column == w.column && x.message == w.message)
        {
            self.warnings.push(w);
        }
    }

    /// Whether a warning about `key` was recorded at this span already.
    pub fn warned(&self, span: &Range<usize>, key: &str) -> bool {
        let (file, line, column) = self.src.locate(span.start);
        self.warnings.iter().any(|x| x.file == file && x.line == line && x.column == column && x.key == key)
    }

    /// Warns when an inclusive window of measured days `[first, last]` lies wholly or partly
    /// outside the measured horizon (days 0 .. days−1): it then has less effect than written.
    pub fn window_in_horizon(&mut self, span: Range<usize>, key: &str, what: &str, (first, last): (i64, i64)) {
        let Some(days) = self.days else { return };
        let end = days as i64 - 1;
        if first >= 0 && last <= end {
            return;
        }
        let horizon = format!("the measured days are 0–{end}");
        let (message, help) = if last < 0 || first > end {
            (
                format!(
                    "{what} on days {first}–{last} lies outside the measured horizon ({horizon}): it has no effect"
                ),
                format!("move it inside days 0–{end}, or raise simulation.days (--days) above {last}"),
            )
        } else {
            let (a, b) = (first.max(0), last.min(end));
            (
                format!(
                    "{what} on days {first}–{last} lies partly outside the measured horizon ({horizon}): only days \
                     {a}–{b} of it are measured"
                ),
                format!("move it inside days 0–{end}, or raise simulation.days (--days) above {last}"),
            )
        };
        self.warn(Some(span), key, message, help);
    }

    /// Records a problem at a byte span.
    pub fn at(
        &mut self,
        span: Option<Range<usize>>,
        key: impl Into<String>,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        let (file, line, column) = span.map_or((self.src.name.as_str(), 0, 0), |s| self.src.locate(s.start));
        self.list.push(Diagnostic {
            file: file.to_string(),
            line,
            column,
            key: key.into(),
            message: message.into(),
            help,
        });
    }

    /// Records a problem with a fix.
    pub fn err(
        &mut self,
        span: Range<usize>,
        key: impl Into<String>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.at(Some(span), key, message, Some(help.into()));
    }

    /// Records a decoding error from the TOML layer: names the key the error points at, says
    /// what was expected in plain words, and suggests the closest name for misspellings.
    pub fn toml(&mut self, e: &toml::de::Error, key: &str, fallback: Option<Range<usize>>) {
        self.decode_error(e.message().trim(), e.span().or(fallback), key);
    }

    /// Records a decoding error message at a span (see [`Diags::toml`]).
    pub fn decode_error(&mut self, msg: &str, span: Option<Range<usize>>, key: &str) {
        let msg = msg.to_string();
        let field = span.as_ref().and_then(|s| self.key_before(s.start));
        let full_key = match &field {
            Some(f) if !key.is_empty() && !key.ends_with(f.as_str()) => format!("{key}.{f}"),
            Some(f) if key.is_empty() => f.clone(),
            _ => key.to_string(),
        };
        if let Some((found, expected)) = plain_type_error(&msg) {
            let name = field.as_deref().unwrap_or("the value");
            let help = format!("write {name} = {}", example_of(&expected));
            self.at(span, full_key, format!("expected {expected}, found {found}"), Some(help));
        } else if let Some(missing) = msg.strip_prefix("missing field `").and_then(|m| m.strip_suffix('`')) {
            let help = format!("add {missing} = ... to this table (see the scenario reference in README.md)");
            self.at(span, key.to_string(), format!("missing key `{missing}`"), Some(help));
        } else {
            let help = suggestion_for(&msg);
            self.at(span, full_key, msg, help);
        }
    }

    /// The key assigned on the line where a value starts (`days` in `days = "thirty"`, `mean`
    /// in `{ type = "normal", mean = "x" }`).
    fn key_before(&self, offset: usize) -> Option<String> {
        if let Some(t) = self.src.table_at(offset) {
            // A cell of a table: its column's name is the key.
            return t.column_at(offset);
        }
        let text = &self.src.text;
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let before = text[line_start..offset].trim_end();
        let before = before.strip_suffix('=')?.trim_end();
        let key: String = before
            .chars()
            .rev()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-' || *c == '"')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let key = key.trim_matches('"').to_string();
        (!key.is_empty()).then_some(key)
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// Splits serde's "invalid type: string \"x\", expected i64" into plain words:
/// (`the string "x"`, `a whole number`).
fn plain_type_error(msg: &str) -> Option<(String, String)> {
    let rest = msg.strip_prefix("invalid type: ")?;
    let (found, expected) = rest.rsplit_once(", expected ")?;
    let expected = match expected.trim() {
        "i64" | "u64" | "i32" | "u32" | "usize" => "a whole number",
        "f64" | "f32" => "a number",
        "a boolean" | "bool" => "true or false",
        "a string" | "a sequence" | "a map" => expected.trim(),
        other => other,
    };
    let expected = match expected {
        "a sequence" => "a list [..]",
        "a map" => "a table { .. }",
        "a string" => "a text in quotes",
        e => e,
    };
    let found = found
        .replace("string", "the text")
        .replace("floating point", "the number")
        .replace("integer", "the whole number")
        .replace("sequence", "a list")
        .replace("map", "a table");
    Some((found, expected.to_string()))
}

/// An example value for an expected kind.
fn example_of(expected: &str) -> &'static str {
    match expected {
        "a whole number" => "365 (no quotes, no decimals)",
        "a number" => "0.5 (no quotes)",
        "true or false" => "true",
        "a list [..]" => "[1, 2, 3]",
        "a table { .. }" => "{ type = \"poisson\", mean = 5 }",
        "a text in quotes" => "\"store-1\"",
        _ => "a value of that kind",
    }
}

/// For serde's "unknown field `x`, expected one of `a`, `b`" and "unknown variant" messages,
/// suggests the closest expected name.
fn suggestion_for(msg: &str) -> Option<String> {
    let kind = if msg.starts_with("unknown field") {
        "key"
    } else if msg.starts_with("unknown variant") {
        "type"
    } else {
        return None;
    };
    let ticks: Vec<&str> = msg.split('`').skip(1).step_by(2).collect();
    let (bad, expected) = ticks.split_first()?;
    match closest(bad, expected.iter().copied()) {
        Some(best) => Some(format!("did you mean `{best}`? (valid {kind}s: {})", expected.join(", "))),
        None => Some(format!("valid {kind}s here: {}", expected.join(", "))),
    }
}

/// The candidate closest to `word` by edit distance, if reasonably close.
pub fn closest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let w = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (edit_distance(&w, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= (c.len().max(w.len()) / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_of_offsets() {
        let s = Source::new("x".into(), "ab\ncdé\nf".into());
        assert_eq!(s.line_col(0), (1, 1));
        assert_eq!(s.line_col(3), (2, 1));
        assert_eq!(s.line_col(7), (2, 4));
        assert_eq!(s.line_col(999), (3, 2));
    }

    /// The library's text is plain; the fix is a field (the CLI lays it out).
    #[test]
    fn display_is_plain_text() {
        let d = Diagnostic {
            file: "x.toml".into(),
            line: 3,
            column: 7,
            key: "locations[1].policy".into(),
            message: "unknown policy type 'b'".into(),
            help: Some("use base_stock".into()),
        };
        assert_eq!(d.to_string(), "x.toml:3:7: locations[1].policy: unknown policy type 'b'");
        assert_eq!(d.help(), Some("use base_stock"));
        let e = ScenarioError::Invalid(vec![d]);
        assert_eq!(e.to_string(), "x.toml:3:7: locations[1].policy: unknown policy type 'b' (use base_stock)");
    }

    #[test]
    fn suggestions_for_misspellings() {
        let h = suggestion_for("unknown field `sorce`, expected one of `id`, `type`, `source`").unwrap();
        assert!(h.starts_with("did you mean `source`?"), "{h}");
        assert_eq!(closest("poison", ["poisson", "normal"]), Some("poisson"));
        assert_eq!(closest("zzzzzz", ["poisson", "normal"]), None);
    }
}
