//! Patches: set one value of a scenario by a dotted path before validation.
//!
//! Used by `sweep --set`, by stress tests and by strategies. A path walks tables by key and
//! arrays of tables by an element's `id` (for `[[demand]]` and `[[positions]]`: its `location`,
//! optionally `location/sku`), or by a 0-based index:
//! `locations.store-3.policy.level`, `demand.store-3.distribution.mean`, `skus.0.price`.

use std::borrow::Cow;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

/// One change to a scenario: a dotted path and a TOML value.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Patch {
    /// Dotted path, e.g. `locations.store-3.policy.level`.
    pub path: String,
    /// A TOML value (`40`, `"lost_sales"`, `{ type = "poisson", mean = 3 }`); a bare word that
    /// is not valid TOML is taken as a string.
    pub value: String,
    /// Where the patch came from, for messages (e.g. `--set`).
    pub origin: String,
    /// Append the value to the array at `path` (created if missing; a single value there becomes
    /// the array's first element) instead of replacing it.
    pub append: bool,
    /// Where in the file the change was written (a strategy or stress entry): messages about the
    /// patched value point there.
    pub span: Option<Range<usize>>,
}

impl Patch {
    /// Parses `PATH=VALUE`.
    pub fn parse(text: &str, origin: &str) -> Result<Patch, String> {
        let (path, value) = text
            .split_once('=')
            .ok_or_else(|| format!("'{text}' is not PATH=VALUE (e.g. locations.store.policy.level=40)"))?;
        let path = path.trim();
        if path.is_empty() {
            return Err(format!("'{text}' has an empty path before '='"));
        }
        Ok(Patch {
            path: path.to_string(),
            value: value.trim().to_string(),
            origin: origin.to_string(),
            ..Patch::default()
        })
    }
}

/// Why a patch could not be applied, and how to address what was meant.
#[derive(Debug)]
pub(crate) struct PatchError {
    /// What is wrong.
    pub message: String,
    /// How to fix it, when the patch knows better than a generic hint.
    pub help: Option<String>,
}

impl From<String> for PatchError {
    fn from(message: String) -> Self {
        PatchError { message, help: None }
    }
}

/// Parses a patch value: TOML if it parses, else a plain string.
fn parse_value(v: &str) -> DeValue<'_> {
    match DeValue::parse(v) {
        Ok(x) => x.into_inner(),
        Err(_) => DeValue::String(Cow::Borrowed(v)),
    }
}

/// Gives every node of `v` the span `span` (patched values point at the key they replace).
fn respan(v: &mut DeValue<'_>, span: &Range<usize>) {
    match v {
        DeValue::Array(a) => {
            for e in a.iter_mut() {
                respan_spanned(e, span);
            }
        }
        DeValue::Table(t) => {
            let keys: Vec<String> = t.iter().map(|(k, _)| k.get_ref().to_string()).collect();
            for k in keys {
                if let Some(x) = t.get_mut(k.as_str()) {
                    respan_spanned(x, span);
                }
            }
        }
        _ => {}
    }
}

fn respan_spanned(v: &mut Spanned<DeValue<'_>>, span: &Range<usize>) {
    let mut inner = std::mem::replace(v.get_mut(), DeValue::Boolean(false));
    respan(&mut inner, span);
    *v = Spanned::new(span.clone(), inner);
}

/// Whether an array element matches a path segment.
fn element_matches(e: &DeValue<'_>, seg: &str) -> bool {
    let Some(t) = e.as_table() else { return false };
    let get = |k: &str| t.get(k).and_then(|v| v.get_ref().as_str().map(str::to_string));
    if get("id").as_deref() == Some(seg) {
        return true;
    }
    match (get("location"), seg.split_once('/')) {
        (Some(loc), Some((l, s))) => loc == l && get("sku").as_deref() == Some(s),
        (Some(loc), None) => loc == seg,
        _ => false,
    }
}

/// The name an array element is addressed by: its `id`, else its `location`.
fn element_name<'v>(e: &'v DeValue<'_>) -> Option<&'v str> {
    let t = e.as_table()?;
    t.get("id").or_else(|| t.get("location")).and_then(|v| v.get_ref().as_str())
}

/// The element of array `seg` that path segment `key` names: a 0-based index, or the one entry
/// whose id, location or location/sku it is. A name that fits several entries is an error
/// listing them, with the address of each: a patch never picks one of them silently.
fn element_index(a: &DeArray<'_>, (seg, key, rest): (&str, &str, &str), path: &str) -> Result<usize, PatchError> {
    if let Ok(n) = key.parse::<usize>()
        && n < a.len()
    {
        return Ok(n);
    }
    let hits: Vec<usize> = (0..a.len()).filter(|&n| element_matches(a[n].get_ref(), key)).collect();
    match hits.as_slice() {
        [] => {
            let names: Vec<&str> = a.iter().filter_map(|e| element_name(e.get_ref())).collect();
            let hint = super::diag::closest(key, names.iter().copied())
                .map_or_else(String::new, |b| format!("; did you mean '{b}'?"));
            Err(format!("'{path}': no element '{key}' in '{seg}' (match by id, location, location/sku or index){hint}")
                .into())
        }
        [one] => Ok(*one),
        many => {
            let ways: Vec<String> = many.iter().map(|&n| address(a, seg, n, rest)).collect();
            Err(PatchError {
                message: format!(
                    "'{key}' matches {} entries of [[{seg}]]; a change must name exactly one, not the first",
                    many.len()
                ),
                help: Some(format!("address one of them: {}", ways.join("; "))),
            })
        }
    }
}

/// How to address entry `n` of array `seg` alone: by `location/sku` when that is unique, and
/// always by its 0-based index.
fn address(a: &DeArray<'_>, seg: &str, n: usize, rest: &str) -> String {
    let t = a[n].get_ref().as_table();
    let get = |k: &str| t.and_then(|t| t.get(k)).and_then(|v| v.get_ref().as_str().map(str::to_string));
    let by_index = format!("{seg}.{n}.{rest}");
    let by_name = match (get("location"), get("sku")) {
        (Some(l), Some(k)) => Some(format!("{l}/{k}")),
        _ => None,
    };
    match by_name {
        Some(name) if (0..a.len()).filter(|&m| element_matches(a[m].get_ref(), &name)).count() == 1 => {
            format!("{seg}.{name}.{rest} or {by_index}")
        }
        _ => by_index,
    }
}

/// Applies one patch to a parsed document.
pub(crate) fn apply<'a>(doc: &mut Spanned<DeTable<'a>>, patch: &'a Patch) -> Result<(), PatchError> {
    let segs: Vec<&str> = patch.path.split('.').collect();
    let doc_span = doc.span();
    let mut span = doc_span;
    let mut table: &mut DeTable<'a> = doc.get_mut();
    let mut i = 0;
    loop {
        let seg = segs[i];
        let last = i + 1 == segs.len();
        if last {
            let mut value = parse_value(&patch.value);
            let at = patch.span.clone().unwrap_or_else(|| table.get(seg).map_or(span.clone(), |v| v.span()));
            respan(&mut value, &at);
            let value = if patch.append {
                let mut list = match table.get_mut(seg).map(|v| std::mem::replace(v.get_mut(), DeValue::Boolean(false)))
                {
                    Some(DeValue::Array(a)) => a,
                    Some(other) => {
                        let mut a = DeArray::new();
                        a.push(Spanned::new(at.clone(), other));
                        a
                    }
                    None => DeArray::new(),
                };
                list.push(Spanned::new(at.clone(), value));
                DeValue::Array(list)
            } else {
                value
            };
            table.insert(Spanned::new(at.clone(), Cow::Borrowed(seg)), Spanned::new(at, value));
            return Ok(());
        }
        if !table.contains_key(seg) {
            // Create intermediate tables, e.g. `simulation.days` in a file without [simulation].
            table.insert(
                Spanned::new(span.clone(), Cow::Borrowed(seg)),
                Spanned::new(span.clone(), DeValue::Table(DeTable::new())),
            );
        }
        let node = table.get_mut(seg).expect("just ensured");
        span = node.span();
        match node.get_mut() {
            DeValue::Table(t) => {
                table = t;
                i += 1;
            }
            DeValue::Array(a) => {
                let key = segs[i + 1];
                let idx = element_index(a, (seg, key, &segs[i + 2..].join(".")), &patch.path)?;
                if i + 2 == segs.len() {
                    return Err(format!("'{}': give a key inside '{seg}.{key}' to set", patch.path).into());
                }
                let elem = &mut a.as_mut()[idx];
                span = elem.span();
                match elem.get_mut() {
                    DeValue::Table(t) => table = t,
                    _ => return Err(format!("'{}': '{seg}.{key}' is not a table", patch.path).into()),
                }
                i += 2;
            }
            _ => return Err(format!("'{}': '{seg}' is a value, not a table", patch.path).into()),
        }
    }
}
