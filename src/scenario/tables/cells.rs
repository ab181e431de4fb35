//! The cell syntax: numbers, booleans, inline TOML, lists, and the `5d` / `95%` / `1lt` stock
//! levels, each turned into the TOML value the key would have in a scenario file.
//!
//! Values borrow the file's text wherever they can (a million-row table is not copied cell by
//! cell); text that is not in the file as such (`95%` is `0.95`, a cell with `""` escapes) is
//! kept in an [`Arena`] that lives as long as the text.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

use super::csv::Cell;
use super::schema::Kind;

/// Text made up while reading tables, owned as long as the document that borrows it.
#[derive(Default)]
pub(crate) struct Arena {
    // `String`s, not `Box<str>`: moving a String (when the Vec grows) does not move or retag its
    // heap buffer, which the returned `&str`s point into.
    texts: RefCell<Vec<String>>,
    known: RefCell<HashMap<String, usize>>,
}

impl Arena {
    /// Keeps `s` (once per distinct text) and lends it for as long as the arena lives.
    pub(crate) fn keep(&self, s: String) -> &str {
        if let Some(&i) = self.known.borrow().get(&s) {
            return self.lend(i);
        }
        let mut texts = self.texts.borrow_mut();
        texts.push(s.clone());
        self.known.borrow_mut().insert(s, texts.len() - 1);
        drop(texts);
        self.lend(self.texts.borrow().len() - 1)
    }

    fn lend(&self, i: usize) -> &str {
        let texts = self.texts.borrow();
        let s: &str = texts[i].as_str();
        let (ptr, len) = (s.as_ptr(), s.len());
        // SAFETY: the String at `i` is never removed, changed or dropped while the arena lives
        // (the arena only pushes), and its heap buffer does not move when the Vec reallocates;
        // so the bytes stay valid, unchanged UTF-8 for the lifetime of `&self`.
        unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(ptr, len)) }
    }
}

/// FNV-1a: the keys hashed here are short cell texts from one file (no adversary to defend
/// against), hashed a few million times for a large table.
#[derive(Default)]
pub(super) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
        self.0 = h;
    }
}

/// A hash map keyed by cell texts.
pub(super) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// Distinct numbers remembered per table: numbers repeat (levels, weekly indices), and parsing
/// one as TOML costs more than finding it again.
const NUMBERS_KEPT: usize = 1 << 16;

/// Reads cells of one table's text into TOML values, with spans in the text's virtual range.
pub(super) struct Cells<'a> {
    /// The table's text.
    pub text: &'a str,
    /// Where the text starts in the scenario's span space.
    pub base: usize,
    /// Where made-up text is kept.
    pub arena: &'a Arena,
    /// Numbers parsed so far, by their text.
    pub numbers: RefCell<FastMap<&'a str, DeValue<'a>>>,
}

impl<'a> Cells<'a> {
    /// Reads cells of `text`, whose span range starts at `base`.
    pub fn new(text: &'a str, base: usize, arena: &'a Arena) -> Self {
        Cells { text, base, arena, numbers: RefCell::default() }
    }
}

/// A value with its span.
pub(super) type Val<'a> = Spanned<DeValue<'a>>;

/// Whether `s` is a decimal number as TOML writes it: an optional sign, digits without leading
/// zeros, an optional fraction and exponent.
fn toml_decimal(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let from = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - from
    };
    let int_at = i;
    let n = digits(&mut i);
    if n == 0 || (n > 1 && b[int_at] == b'0') {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// A number TOML does not write but a spreadsheet might (`.5`, `5.`, `007`), in TOML's form.
fn normalised(s: &str) -> Option<String> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E')) {
        return None;
    }
    if let Ok(i) = s.parse::<i64>() {
        return Some(i.to_string());
    }
    s.parse::<f64>().ok().filter(|x| x.is_finite()).map(|x| format!("{x:?}"))
}

/// `95` → `0.95`, `97.5` → `0.975`, `100` → `1.00`: a percentage as the decimal TOML would
/// write, by moving the point (dividing by 100 in binary would not give the nearest double
/// to what a scenario file writes).
fn percent_to_fraction(p: &str) -> Option<String> {
    let (int, frac) = p.split_once('.').unwrap_or((p, ""));
    if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) || int.len() + frac.len() == 0 {
        return None;
    }
    let int = int.trim_start_matches('0');
    Some(if int.len() <= 2 {
        format!("0.{int:0>2}{frac}")
    } else {
        format!("{}.{}{frac}", &int[..int.len() - 2], &int[int.len() - 2..])
    })
}

/// Splits a list cell at `;`, `,` and whitespace; each part with its byte offset in `s`.
fn parts(s: &str) -> impl Iterator<Item = (usize, &str)> {
    s.split(|c: char| c == ';' || c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .map(move |p| (p.as_ptr() as usize - s.as_ptr() as usize, p))
}

impl<'a> Cells<'a> {
    /// The span of a cell.
    pub fn span(&self, c: &Cell) -> Range<usize> {
        self.base + c.at..self.base + c.end.max(c.at)
    }

    /// The cell's value as text of the document's lifetime, and whether it is a slice of the
    /// file (then offsets inside it are offsets in the file).
    pub fn text_of(&self, c: &Cell) -> (&'a str, bool) {
        if c.escaped {
            (self.arena.keep(c.value(self.text).into_owned()), false)
        } else {
            (&self.text[c.start..c.end], true)
        }
    }

    /// A cell as the value of a key of kind `kind`; `Err` says what was found instead.
    pub fn value(&self, kind: Kind, c: &Cell) -> Result<Val<'a>, String> {
        let span = self.span(c);
        let (s, in_file) = self.text_of(c);
        let found = || format!("found \"{s}\"");
        if kind == Kind::Text {
            let v = if in_file {
                DeValue::String(std::borrow::Cow::Borrowed(s))
            } else {
                DeValue::String(std::borrow::Cow::Owned(s.to_string()))
            };
            return Ok(Spanned::new(span, v));
        }
        if s.starts_with('{') || s.starts_with('[') {
            return self.inline(s, in_file.then_some(self.base + c.start), span);
        }
        let v = match kind {
            Kind::Number | Kind::Days => self.number(s, span.clone()),
            Kind::Level => self.level(s, span.clone()),
            Kind::Bool => match s.to_ascii_lowercase().as_str() {
                "true" => Some(Spanned::new(span.clone(), DeValue::Boolean(true))),
                "false" => Some(Spanned::new(span.clone(), DeValue::Boolean(false))),
                _ => None,
            },
            Kind::Ids => Some(self.list(s, in_file.then_some(self.base + c.start), &span, |p, sp| {
                Some(Spanned::new(sp, DeValue::String(std::borrow::Cow::Borrowed(p))))
            })?),
            Kind::Numbers => {
                Some(self.list(s, in_file.then_some(self.base + c.start), &span, |p, sp| self.number(p, sp))?)
            }
            Kind::Text => unreachable!("handled above"),
        };
        v.ok_or_else(found)
    }

    /// A list of parts, each converted by `part` (spans of the parts when the text is the file's).
    fn list(
        &self,
        s: &'a str,
        at: Option<usize>,
        span: &Range<usize>,
        part: impl Fn(&'a str, Range<usize>) -> Option<Val<'a>>,
    ) -> Result<Val<'a>, String> {
        let mut items = Vec::new();
        for (off, p) in parts(s) {
            let sp = at.map_or(span.clone(), |at| at + off..at + off + p.len());
            items.push(part(p, sp).ok_or_else(|| format!("found \"{p}\" in \"{s}\""))?);
        }
        // Collected from a Vec: the array gets exactly the room it needs (a million rows).
        let a: DeArray<'a> = items.into_iter().collect();
        Ok(Spanned::new(span.clone(), DeValue::Array(a)))
    }

    /// A number, borrowed from the text when TOML reads it as written.
    pub fn number(&self, s: &'a str, span: Range<usize>) -> Option<Val<'a>> {
        let s = if toml_decimal(s) { s } else { self.arena.keep(normalised(s)?) };
        if let Some(v) = self.numbers.borrow().get(s) {
            return Some(Spanned::new(span, v.clone()));
        }
        match DeValue::parse(s).ok()?.into_inner() {
            v @ (DeValue::Integer(_) | DeValue::Float(_)) => {
                let mut kept = self.numbers.borrow_mut();
                if kept.len() < NUMBERS_KEPT {
                    kept.insert(s, v.clone());
                }
                Some(Spanned::new(span, v))
            }
            _ => None,
        }
    }

    /// A stock level: units, `5d` (`{ days = 5 }`), `95%` (`{ service = 0.95 }`) or `1lt`
    /// (`{ lead_time_cover = 1 }`).
    fn level(&self, s: &'a str, span: Range<usize>) -> Option<Val<'a>> {
        let (key, n) = if let Some(n) = s.strip_suffix("lt") {
            ("lead_time_cover", self.number(n.trim_end(), span.clone())?)
        } else if let Some(n) = s.strip_suffix('d') {
            ("days", self.number(n.trim_end(), span.clone())?)
        } else if let Some(p) = s.strip_suffix('%') {
            ("service", self.number(self.arena.keep(percent_to_fraction(p.trim_end())?), span.clone())?)
        } else {
            return self.number(s, span);
        };
        let mut t = DeTable::with_capacity(1);
        t.insert(Spanned::new(span.clone(), std::borrow::Cow::Borrowed(key)), n);
        Some(Spanned::new(span, DeValue::Table(t)))
    }

    /// An inline TOML value (`{ type = 'poisson', mean = 3 }`, `[1, 2]`); its spans point into
    /// the file when `at` (where the text starts) is known, else at the whole cell.
    fn inline(&self, s: &'a str, at: Option<usize>, span: Range<usize>) -> Result<Val<'a>, String> {
        match DeValue::parse(s) {
            Ok(v) => {
                let shift = |r: Range<usize>| at.map_or(span.clone(), |at| at + r.start..at + r.end);
                let mut v = Spanned::new(span.clone(), v.into_inner());
                respan(v.get_mut(), &shift);
                Ok(v)
            }
            Err(e) => Err(format!("found \"{s}\", which is not valid inline TOML ({})", e.message().trim())),
        }
    }
}

/// Moves every span inside `v` by `shift`.
fn respan(v: &mut DeValue<'_>, shift: &dyn Fn(Range<usize>) -> Range<usize>) {
    match v {
        DeValue::Array(a) => {
            for e in a.iter_mut() {
                let mut inner = std::mem::replace(e.get_mut(), DeValue::Boolean(false));
                respan(&mut inner, shift);
                *e = Spanned::new(shift(e.span()), inner);
            }
        }
        DeValue::Table(t) => {
            let old = std::mem::replace(t, DeTable::new());
            for (k, e) in old {
                let span = e.span();
                let mut inner = e.into_inner();
                respan(&mut inner, shift);
                t.insert(Spanned::new(shift(k.span()), k.into_inner()), Spanned::new(shift(span), inner));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(text: &str) -> Vec<Cell> {
        let mut r = super::super::csv::Reader::new(text);
        let mut v = Vec::new();
        r.next_record(&mut v).unwrap().unwrap();
        v
    }

    /// The value of the first cell of `text` as TOML would write it.
    fn show(kind: Kind, text: &str) -> Result<String, String> {
        let arena = Arena::default();
        let c = Cells::new(text, 100, &arena);
        let cell = cells(text)[0];
        c.value(kind, &cell).map(|v| {
            let v: toml::Value = serde::Deserialize::deserialize(serde::de::IntoDeserializer::into_deserializer(v))
                .expect("a TOML value");
            v.to_string()
        })
    }

    #[test]
    fn numbers_as_toml_reads_them() {
        assert_eq!(show(Kind::Number, "12").unwrap(), "12");
        assert_eq!(show(Kind::Number, "0.5").unwrap(), "0.5");
        assert_eq!(show(Kind::Number, "-3").unwrap(), "-3");
        assert_eq!(show(Kind::Number, "1e3").unwrap(), "1000.0");
        assert_eq!(show(Kind::Number, ".5").unwrap(), "0.5");
        assert_eq!(show(Kind::Number, "007").unwrap(), "7");
        assert_eq!(show(Kind::Number, "\" 4 \"").unwrap(), "4");
        assert!(show(Kind::Number, "abc").unwrap_err().contains("found \"abc\""));
        assert!(show(Kind::Number, "1,5").is_err() || show(Kind::Number, "\"1,5\"").is_err());
        assert!(show(Kind::Number, "inf").is_err());
    }

    #[test]
    fn text_stays_text() {
        assert_eq!(show(Kind::Text, "1001").unwrap(), "\"1001\"");
        assert_eq!(show(Kind::Text, "\"say \"\"hi\"\"\"").unwrap(), "'say \"hi\"'");
    }

    #[test]
    fn levels_in_units_days_service_and_cover() {
        assert_eq!(show(Kind::Level, "40").unwrap(), "40");
        assert_eq!(show(Kind::Level, "5d").unwrap(), "{ days = 5 }");
        assert_eq!(show(Kind::Level, "2.5d").unwrap(), "{ days = 2.5 }");
        assert_eq!(show(Kind::Level, "95%").unwrap(), "{ service = 0.95 }");
        assert_eq!(show(Kind::Level, "97.5%").unwrap(), "{ service = 0.975 }");
        assert_eq!(show(Kind::Level, "1lt").unwrap(), "{ lead_time_cover = 1 }");
        assert_eq!(show(Kind::Level, "\"{ days = 3 }\"").unwrap(), "{ days = 3 }");
        assert!(show(Kind::Level, "lots").is_err());
        assert!(show(Kind::Level, "x%").is_err());
    }

    /// `95%` is the double nearest to 0.95, as `service = 0.95` in a TOML file reads.
    #[test]
    fn percentages_move_the_point() {
        assert_eq!(percent_to_fraction("95").as_deref(), Some("0.95"));
        assert_eq!(percent_to_fraction("5").as_deref(), Some("0.05"));
        assert_eq!(percent_to_fraction("100").as_deref(), Some("1.00"));
        assert_eq!(percent_to_fraction("99.9").as_deref(), Some("0.999"));
        assert_eq!(percent_to_fraction("1e2"), None);
        for p in ["33.3", "97.7", "99.9", "12.34"] {
            let via_text: f64 = percent_to_fraction(p).unwrap().parse().unwrap();
            assert_eq!(via_text, format!("0.{}", p.replace('.', "")).parse::<f64>().unwrap());
        }
    }

    #[test]
    fn booleans_lists_and_inline_toml() {
        assert_eq!(show(Kind::Bool, "TRUE").unwrap(), "true");
        assert!(show(Kind::Bool, "yes").is_err());
        assert_eq!(show(Kind::Ids, "\"dc-1; dc-2 dc-3\"").unwrap(), "[\"dc-1\", \"dc-2\", \"dc-3\"]");
        assert_eq!(show(Kind::Numbers, "1.2;1;0.8").unwrap(), "[1.2, 1, 0.8]");
        assert!(show(Kind::Numbers, "1.2;x").unwrap_err().contains("\"x\""));
        assert_eq!(show(Kind::Days, "\"{ type = 'poisson', mean = 3 }\"").unwrap(), "{ type = \"poisson\", mean = 3 }");
        assert_eq!(
            show(Kind::Days, "\"{ type = \"\"poisson\"\", mean = 3 }\"").unwrap(),
            "{ type = \"poisson\", mean = 3 }"
        );
        assert!(show(Kind::Days, "\"{ type = \"").unwrap_err().contains("inline TOML"));
    }

    /// Spans of an inline value point at its parts in the file.
    #[test]
    fn inline_spans_point_into_the_file() {
        let text = "\"{ mean = 3 }\"";
        let arena = Arena::default();
        let c = Cells::new(text, 100, &arena);
        let v = c.value(Kind::Days, &cells(text)[0]).unwrap();
        let mean = v.get_ref().as_table().unwrap().get("mean").unwrap();
        assert_eq!(mean.span(), 100 + 10..100 + 11);
    }

    #[test]
    fn the_arena_keeps_each_text_once() {
        let a = Arena::default();
        let x = a.keep("0.95".into());
        for i in 0..1000 {
            a.keep(format!("{i}"));
        }
        let y = a.keep("0.95".into());
        assert_eq!(x.as_ptr(), y.as_ptr());
        assert_eq!(x, "0.95");
    }
}
