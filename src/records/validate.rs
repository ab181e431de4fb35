//! Checks the record keys: the scenario-wide `[records]` table (defaults for every store) and
//! the same keys on a `[[locations]]` entry (which win).

use std::ops::Range;

use serde::Deserialize;
use toml::{Spanned, Value};

use super::{CycleCount, LocationRecords, Records, Shrinkage, Visibility};
use crate::scenario::diag::Diags;
use crate::scenario::values::{check_dist_value, decode_value, int_in, num_at_least};
use crate::scenario::{Location, LocationKind};

type S<T> = Spanned<T>;

/// `[records]` as written: defaults for every store, and the visibility mode.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRecords {
    /// `{ rate = 0.002 }` or `{ units = <distribution> }`.
    pub shrinkage: Option<S<Value>>,
    /// Share of received units recorded wrongly.
    pub receiving_errors: Option<S<f64>>,
    /// `{ every_days = 30, offset = 0, cost = 1.5 }`.
    pub cycle_count: Option<S<Value>>,
    /// Days by which decisions lag the record.
    pub visibility_lag_days: Option<S<i64>>,
    /// `"unified"` (default) or `"siloed"`.
    pub visibility: Option<S<String>>,
}

/// The record keys of one table (`[records]` or a location), borrowed from its raw form.
pub(crate) struct RecordKeys<'a> {
    /// `shrinkage`.
    pub shrinkage: Option<&'a S<Value>>,
    /// `receiving_errors`.
    pub receiving_errors: Option<&'a S<f64>>,
    /// `cycle_count`.
    pub cycle_count: Option<&'a S<Value>>,
    /// `visibility_lag_days`.
    pub visibility_lag_days: Option<&'a S<i64>>,
}

impl RecordKeys<'_> {
    fn first_span(&self) -> Option<Range<usize>> {
        self.shrinkage
            .map(S::span)
            .or_else(|| self.receiving_errors.map(S::span))
            .or_else(|| self.cycle_count.map(S::span))
            .or_else(|| self.visibility_lag_days.map(S::span))
    }

    /// The keys applied over `base` (each key written replaces the base's).
    fn apply(&self, base: &LocationRecords, key: &str, d: &mut Diags) -> LocationRecords {
        let mut r = base.clone();
        if let Some(v) = self.shrinkage {
            r.shrinkage = shrinkage(v, &format!("{key}.shrinkage"), d);
        }
        if let Some(v) = self.receiving_errors {
            let k = format!("{key}.receiving_errors");
            let x = num_at_least(d, v, &k, 0.0, "receiving_errors");
            if x > 1.0 {
                d.err(v.span(), k, format!("receiving_errors is a share of received units, found {x}"), "use 0..1");
            }
            r.receiving_errors = x.min(1.0);
        }
        if let Some(v) = self.cycle_count {
            r.cycle_count = cycle_count(v, &format!("{key}.cycle_count"), d);
        }
        if let Some(v) = self.visibility_lag_days {
            let help = "a whole number of days ≥ 0, e.g. 7 for weekly store reports";
            r.visibility_lag_days = int_in(d, v, &format!("{key}.visibility_lag_days"), 0, 365, help) as u32;
        }
        r
    }
}

/// `shrinkage = { rate = 0.002 }` or `shrinkage = { units = { type = "poisson", mean = 0.5 } }`.
fn shrinkage(v: &S<Value>, key: &str, d: &mut Diags) -> Shrinkage {
    let help = "write shrinkage = { rate = 0.002 } (share of on-hand per day) or \
                shrinkage = { units = { type = \"poisson\", mean = 0.5 } } (units per day)";
    let Some(t) = v.get_ref().as_table() else {
        d.err(v.span(), key, format!("expected a table, found {}", v.get_ref().type_str()), help);
        return Shrinkage::None;
    };
    match (t.get("rate"), t.get("units"), t.len()) {
        (Some(r), None, 1) => match r.as_float().or_else(|| r.as_integer().map(|i| i as f64)) {
            Some(x) if (0.0..=1.0).contains(&x) => {
                if x > 0.0 {
                    Shrinkage::Rate(x)
                } else {
                    Shrinkage::None
                }
            }
            _ => {
                d.err(v.span(), format!("{key}.rate"), format!("rate must be a share in 0..1, found {r}"), help);
                Shrinkage::None
            }
        },
        (None, Some(u), 1) => match check_dist_value(&S::new(v.span(), u.clone()), &format!("{key}.units"), false, d) {
            Some(dist) => Shrinkage::Units(dist),
            None => Shrinkage::None,
        },
        _ => {
            d.err(v.span(), key, "shrinkage takes exactly one of `rate` and `units`", help);
            Shrinkage::None
        }
    }
}

/// `{ every_days = 30, offset = 0, cost = 1.5 }` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCount {
    every_days: i64,
    offset: Option<i64>,
    cost: Option<f64>,
    by_class: Option<std::collections::BTreeMap<String, i64>>,
}

/// `cycle_count = { every_days = 30, offset = 0, cost = 1.5, by_class = { A = 7, C = 90 } }`
/// (`every_days = 0`: never; `by_class` by the ABC class of customer-facing positions).
fn cycle_count(v: &S<Value>, key: &str, d: &mut Diags) -> Option<CycleCount> {
    let raw: RawCount = decode_value(v, key, d)?;
    let every = raw.every_days;
    if !(0..=3650).contains(&every) {
        d.err(
            v.span(),
            format!("{key}.every_days"),
            format!("every_days must be between 0 (never) and 3650, found {every}"),
            "e.g. every_days = 30 for monthly counts",
        );
        return None;
    }
    let offset = raw.offset.unwrap_or(0);
    if every > 0 && !(0..every).contains(&offset) {
        d.err(
            v.span(),
            format!("{key}.offset"),
            format!("offset must be in 0..{every} (the first count's day), found {offset}"),
            "use 0 to count on days 0, every_days, 2·every_days, ...",
        );
        return None;
    }
    let cost = raw.cost.unwrap_or(0.0);
    if !(cost.is_finite() && cost >= 0.0) {
        d.err(v.span(), format!("{key}.cost"), format!("cost must be ≥ 0, found {cost}"), "cost per position counted");
        return None;
    }
    let mut by_class = [None; 3];
    for (class, &days) in raw.by_class.iter().flatten() {
        let i = match class.as_str() {
            "A" => 0,
            "B" => 1,
            "C" => 2,
            other => {
                d.err(
                    v.span(),
                    format!("{key}.by_class.{other}"),
                    format!("unknown ABC class '{other}'"),
                    "by_class takes A, B and C, e.g. by_class = { A = 7, B = 30, C = 90 }",
                );
                continue;
            }
        };
        if !(0..=3650).contains(&days) || (days > 0 && offset >= days) {
            d.err(
                v.span(),
                format!("{key}.by_class.{class}"),
                format!("days between counts of class {class} must be 0 (never) to 3650 and above offset {offset}, found {days}"),
                "e.g. by_class = { A = 7, B = 30, C = 90 }",
            );
            continue;
        }
        by_class[i] = Some(days as u32);
    }
    Some(CycleCount { every_days: every as u32, offset: offset.max(0) as u32, cost, by_class })
}

/// The visibility mode as written (`unified` when absent or unknown: [`check_records`] reports
/// an unknown one). Read before positions, whose levels depend on it.
pub(crate) fn visibility_of(raw: Option<&(Range<usize>, RawRecords)>) -> Visibility {
    match raw.and_then(|(_, r)| r.visibility.as_ref()).map(|v| v.get_ref().as_str()) {
        Some("siloed") => Visibility::Siloed,
        _ => Visibility::Unified,
    }
}

/// The scenario's records: `[records]` defaults for every store, each location's own keys
/// over them. Suppliers and online locations hold no stock and may not have record keys.
pub(crate) fn check_records(
    raw: Option<&(Range<usize>, RawRecords)>,
    keys: &[(usize, RecordKeys<'_>)],
    locations: &[Location],
    d: &mut Diags,
) -> Records {
    let defaults = raw.map_or_else(LocationRecords::default, |(_, r)| {
        let k = RecordKeys {
            shrinkage: r.shrinkage.as_ref(),
            receiving_errors: r.receiving_errors.as_ref(),
            cycle_count: r.cycle_count.as_ref(),
            visibility_lag_days: r.visibility_lag_days.as_ref(),
        };
        k.apply(&LocationRecords::default(), "records", d)
    });
    let visibility = match raw.and_then(|(_, r)| r.visibility.as_ref()) {
        None => Visibility::Unified,
        Some(v) => match v.get_ref().as_str() {
            "unified" => Visibility::Unified,
            "siloed" => Visibility::Siloed,
            other => {
                d.err(
                    v.span(),
                    "records.visibility",
                    format!("unknown visibility '{other}'"),
                    "visibility = \"unified\" (one view of all stock) or \"siloed\" (each channel sees its own pool)",
                );
                Visibility::Unified
            }
        },
    };
    let mut out = Vec::with_capacity(locations.len());
    for (i, loc) in locations.iter().enumerate() {
        let base = if loc.kind == LocationKind::Store { defaults.clone() } else { LocationRecords::default() };
        let Some((file_i, k)) = keys.get(i) else {
            out.push(base);
            continue;
        };
        if matches!(loc.kind, LocationKind::Supplier | LocationKind::Online) {
            if let Some(span) = k.first_span() {
                d.err(
                    span,
                    format!("locations[{file_i}]"),
                    format!("{} '{}' holds no stock, so it has no inventory record", loc.kind.as_str(), loc.id),
                    "put shrinkage, receiving_errors, cycle_count and visibility_lag_days on stores or warehouses",
                );
            }
            out.push(LocationRecords::default());
            continue;
        }
        out.push(k.apply(&base, &format!("locations[{file_i}]"), d));
    }
    Records { locations: out, visibility }
}
