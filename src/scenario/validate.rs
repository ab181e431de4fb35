//! From TOML text to a validated [`Scenario`]: decode each section on its own, then resolve ids
//! and check every parameter, collecting all problems before giving up.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use serde::Deserialize;
use serde::de::IntoDeserializer;
use toml::Spanned;
use toml::Value;
use toml::de::{DeTable, DeValue};

use super::diag::{Diags, closest};
use super::overlay;
use super::patch::{self, Patch};
use super::raw::*;
use super::*;
use crate::distribution::Dist;
use crate::network::{Cycle, Network};

/// Top-level keys a scenario file may contain.
const TOP_KEYS: &[&str] = &[
    "name",
    "description",
    "simulation",
    "skus",
    "locations",
    "demand",
    "positions",
    "shocks",
    "common_factors",
    "rebalancing",
    "segments",
    "strategies",
    "stress",
];

/// Decodes a spanned TOML subtree into `T`, recording a diagnostic on failure.
fn decode<'a, T: Deserialize<'a>>(v: Spanned<DeValue<'a>>, key: &str, d: &mut Diags) -> Option<T> {
    let span = v.span();
    match T::deserialize(v.into_deserializer()) {
        Ok(x) => Some(x),
        Err(e) => {
            d.toml(&e, key, Some(span));
            None
        }
    }
}

/// Decodes a captured TOML value (a polymorphic field) into `T`.
fn decode_value<T: for<'de> Deserialize<'de>>(v: &Spanned<Value>, key: &str, d: &mut Diags) -> Option<T> {
    match v.get_ref().clone().try_into::<T>() {
        Ok(x) => Some(x),
        Err(e) => {
            // A captured value has no inner positions: point at the entry the error is about.
            let msg = e.message().trim();
            let span = offending_entry(d.src, v, msg).unwrap_or(v.span());
            d.decode_error(msg, Some(span), key);
            None
        }
    }
}

/// Where, inside an inline table, the entry a decoding error is about is written: the unknown
/// key, or the first entry whose value has the type the error found.
fn offending_entry(src: &Source, v: &Spanned<Value>, msg: &str) -> Option<Range<usize>> {
    let table = v.get_ref().as_table()?;
    let name = if let Some(rest) = msg.strip_prefix("unknown field `") {
        rest.split('`').next()?.to_string()
    } else if let Some(rest) = msg.strip_prefix("invalid type: ") {
        let found = rest.rsplit_once(", expected ")?.0;
        // serde shows the value: `string "x"`, `integer `3``, `floating point `2.5``.
        let shown = |x: &Value| match x {
            Value::String(t) => found == format!("string {t:?}"),
            Value::Float(f) => found == format!("floating point `{f}`"),
            Value::Integer(i) => found == format!("integer `{i}`"),
            Value::Boolean(b) => found == format!("boolean `{b}`"),
            Value::Array(_) => found.starts_with("sequence"),
            Value::Table(_) => found.starts_with("map"),
            Value::Datetime(_) => false,
        };
        table.iter().find(|(_, x)| shown(x))?.0.clone()
    } else {
        return None;
    };
    let span = v.span();
    let text = src.text.get(span.clone())?;
    let mut from = 0;
    while let Some(i) = text[from..].find(name.as_str()) {
        let at = from + i;
        let after = text[at + name.len()..].trim_start();
        let boundary = at == 0 || !text[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_');
        if boundary && after.starts_with('=') {
            let value_at = at + name.len() + (text[at + name.len()..].len() - after.len()) + 1;
            let value_at = value_at + (text[value_at..].len() - text[value_at..].trim_start().len());
            return Some(span.start + value_at..span.start + value_at + 1);
        }
        from = at + name.len();
    }
    None
}

/// Splits an array-of-tables section into its elements (or reports the wrong shape).
fn elements<'a>(v: Spanned<DeValue<'a>>, key: &str, d: &mut Diags) -> Vec<Spanned<DeValue<'a>>> {
    let span = v.span();
    match v.into_inner() {
        DeValue::Array(a) => a.into_iter().collect(),
        DeValue::Table(_) => {
            d.err(
                span,
                key,
                format!("expected an array of tables, found a single table [{key}]"),
                format!("write [[{key}]] (double brackets) before each entry"),
            );
            Vec::new()
        }
        other => {
            d.err(
                span,
                key,
                format!("expected [[{key}]] tables, found {}", other.type_str()),
                format!("write each entry as a [[{key}]] table"),
            );
            Vec::new()
        }
    }
}

/// Peeks at an element's string key before decoding, so a broken entry can still be named.
fn peek_str(v: &Spanned<DeValue<'_>>, key: &str) -> Option<String> {
    v.get_ref().as_table()?.get(key)?.get_ref().as_str().map(str::to_string)
}

struct Raw {
    name: Option<String>,
    description: Option<String>,
    simulation: RawSimulation,
    skus: Vec<(usize, RawSku)>,
    locations: Vec<(usize, RawLocation)>,
    demand: Vec<(usize, RawDemand)>,
    positions: Vec<(usize, RawPosition)>,
    shocks: Vec<(usize, RawShock)>,
    factors: Vec<(usize, RawFactor)>,
    rebalancing: Option<(Range<usize>, RawRebalancing)>,
    segments: Vec<(String, Range<usize>, RawSegment)>,
    /// Ids of entries that failed to decode: references to them are not reported again.
    broken_ids: HashSet<String>,
    doc_span: Range<usize>,
}

pub(super) fn load_variant(src: &Source, v: &Variant) -> Result<Scenario, ScenarioError> {
    let patches = &v.patches;
    let mut d = Diags::new(src);
    let (mut doc, syntax) = DeTable::parse_recoverable(&src.text);
    if !syntax.is_empty() {
        for e in &syntax {
            d.at(
                e.span(),
                "",
                format!("TOML syntax error: {}", e.message().trim()),
                Some("fix the TOML syntax at this position (strings need quotes, tables [name], arrays [a, b])".into()),
            );
        }
        return Err(ScenarioError::Invalid(d.list));
    }
    // Strategy and stress overlays become patches; the command line's `--set`s come last, so
    // they win over anything a strategy or stress test sets.
    let (strategies, stresses, strategy, stress, overlay_patches) = overlay::apply(&mut doc, v, &mut d);
    let all: Vec<Patch> = overlay_patches.into_iter().chain(patches.iter().cloned()).collect();
    let mut doc = doc;
    for p in &all {
        if let Err(msg) = patch::apply(&mut doc, p) {
            match &p.span {
                Some(span) => {
                    d.err(span.clone(), p.path.clone(), msg, "check the location ids and keys this entry names")
                }
                None => d.list.push(Diagnostic {
                    file: p.origin.clone(),
                    line: 0,
                    column: 0,
                    key: p.path.clone(),
                    message: msg,
                    help: Some("paths look like locations.<id>.policy.level or simulation.days".into()),
                }),
            }
        }
    }
    if !d.is_empty() {
        return Err(ScenarioError::Invalid(d.list));
    }
    let raw = decode_doc(doc, &mut d);
    let mut scenario = check(raw, &mut d);
    (scenario.strategies, scenario.stresses, scenario.strategy, scenario.stress) =
        (strategies, stresses, strategy, stress);
    if d.is_empty() { Ok(scenario) } else { Err(ScenarioError::Invalid(d.list)) }
}

fn decode_doc<'a>(doc: Spanned<DeTable<'a>>, d: &mut Diags) -> Raw {
    let doc_span = doc.span();
    let mut raw = Raw {
        name: None,
        description: None,
        simulation: RawSimulation::default(),
        skus: Vec::new(),
        locations: Vec::new(),
        demand: Vec::new(),
        positions: Vec::new(),
        shocks: Vec::new(),
        factors: Vec::new(),
        rebalancing: None,
        segments: Vec::new(),
        broken_ids: HashSet::new(),
        doc_span,
    };
    for (k, v) in doc.into_inner() {
        let key = k.get_ref().to_string();
        match key.as_str() {
            "name" => raw.name = decode(v, "name", d),
            "rebalancing" => {
                let span = v.span();
                raw.rebalancing = decode(v, "rebalancing", d).map(|r| (span, r));
            }
            "segments" => {
                let span = v.span();
                match v.into_inner() {
                    DeValue::Table(t) => {
                        for (label, e) in t {
                            let label = label.get_ref().to_string();
                            let sp = e.span();
                            if let Some(r) = decode::<RawSegment>(e, &format!("segments.{label}"), d) {
                                raw.segments.push((label, sp, r));
                            }
                        }
                    }
                    _ => d.err(
                        span,
                        "segments",
                        "expected [segments.<label>] tables",
                        "e.g. [segments.AX] policy = { ... }",
                    ),
                }
            }
            "description" => raw.description = decode(v, "description", d),
            "simulation" => raw.simulation = decode(v, "simulation", d).unwrap_or_default(),
            "skus" | "locations" | "demand" | "positions" | "shocks" | "common_factors" => {
                for (i, e) in elements(v, &key, d).into_iter().enumerate() {
                    let path = format!("{key}[{i}]");
                    let id = peek_str(&e, "id");
                    let ok = match key.as_str() {
                        "skus" => decode(e, &path, d).map(|x| raw.skus.push((i, x))),
                        "locations" => decode(e, &path, d).map(|x| raw.locations.push((i, x))),
                        "demand" => decode(e, &path, d).map(|x| raw.demand.push((i, x))),
                        "positions" => decode(e, &path, d).map(|x| raw.positions.push((i, x))),
                        "shocks" => decode(e, &path, d).map(|x| raw.shocks.push((i, x))),
                        _ => decode(e, &path, d).map(|x| raw.factors.push((i, x))),
                    };
                    if ok.is_none() {
                        raw.broken_ids.extend(id);
                    }
                }
            }
            _ => {
                let help = match closest(&key, TOP_KEYS.iter().copied()) {
                    Some(b) => format!("did you mean `{b}`? (top-level keys: {})", TOP_KEYS.join(", ")),
                    None => format!("top-level keys are: {}", TOP_KEYS.join(", ")),
                };
                d.err(k.span(), key.clone(), format!("unknown top-level key `{key}`"), help);
            }
        }
    }
    raw
}

/// Checks a number: finite, and at least `min`.
fn num_at_least(d: &mut Diags, v: &Spanned<f64>, key: &str, min: f64, what: &str) -> f64 {
    let x = *v.get_ref();
    if !x.is_finite() {
        d.err(v.span(), key, format!("{what} must be a finite number, found {x}"), "write a plain number such as 1.5");
        return min.max(0.0);
    }
    if x < min {
        d.err(v.span(), key, format!("{what} must be at least {min}, found {x}"), format!("use a value ≥ {min}"));
        return min;
    }
    x
}

fn opt_cost(d: &mut Diags, v: &Option<Spanned<f64>>, key: &str) -> Option<f64> {
    v.as_ref().map(|c| num_at_least(d, c, key, 0.0, "a cost"))
}

fn int_in(d: &mut Diags, v: &Spanned<i64>, key: &str, min: i64, max: i64, help: &str) -> i64 {
    let x = *v.get_ref();
    if x < min || x > max {
        let range = if max == i64::MAX { format!("at least {min}") } else { format!("between {min} and {max}") };
        d.err(v.span(), key, format!("must be {range}, found {x}"), help);
        return min;
    }
    x
}

/// Parses `YYYY-MM-DD`.
fn parse_date(s: &str) -> Option<(i32, u32, u32)> {
    let mut it = s.trim().splitn(3, '-');
    let y: i32 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let dd: u32 = it.next()?.get(..2)?.parse().ok()?;
    let dim = crate::calendar::days_in_month(y, m)?;
    (1..=dim).contains(&dd).then_some((y, m, dd))
}

fn check_simulation(r: &RawSimulation, d: &mut Diags) -> Simulation {
    let days = r
        .days
        .as_ref()
        .map_or(365, |v| int_in(d, v, "simulation.days", 1, 10_000_000, "simulate at least one day, e.g. days = 365"));
    let warmup = r
        .warmup_days
        .as_ref()
        .map_or(0, |v| int_in(d, v, "simulation.warmup_days", 0, 10_000_000, "use 0 for no warm-up"));
    let reps = r.replications.as_ref().map_or(100, |v| {
        int_in(d, v, "simulation.replications", 1, 100_000_000, "run at least one replication, e.g. replications = 200")
    });
    let seed =
        r.seed.as_ref().map_or(1, |v| int_in(d, v, "simulation.seed", 0, i64::MAX, "seeds are whole numbers ≥ 0"));
    let unmet = match r.unmet_demand.as_ref() {
        None => UnmetDemand::Backorder,
        Some(v) => match v.get_ref().as_str() {
            "backorder" | "backorders" => UnmetDemand::Backorder,
            "lost_sales" | "lost" => UnmetDemand::LostSales,
            other => {
                d.err(
                    v.span(),
                    "simulation.unmet_demand",
                    format!("unknown mode '{other}'; expected \"backorder\" or \"lost_sales\""),
                    "unmet_demand = \"backorder\" (customers wait) or \"lost_sales\" (demand is lost)",
                );
                UnmetDemand::Backorder
            }
        },
    };
    let start_date = match r.start_date.as_ref() {
        None => (2024, 1, 1),
        Some(v) => parse_date(v.get_ref()).unwrap_or_else(|| {
            d.err(
                v.span(),
                "simulation.start_date",
                format!("'{}' is not a date", v.get_ref()),
                "write start_date = \"2026-09-01\" (YYYY-MM-DD)",
            );
            (2024, 1, 1)
        }),
    };
    Simulation {
        days: days as usize,
        warmup_days: warmup as usize,
        replications: reps as usize,
        seed: seed as u64,
        unmet_demand: unmet,
        start_date,
    }
}

/// Checks a raw distribution for demand (`lead = false`) or lead times (`lead = true`).
fn check_dist(raw: RawDist, span: Range<usize>, key: &str, lead: bool, d: &mut Diags) -> Option<Dist> {
    let mut ok = true;
    let mut bad = |cond: bool, msg: String, help: &str, d: &mut Diags| {
        if cond {
            d.err(span.clone(), key, msg, help);
            ok = false;
        }
    };
    let fin = |x: f64| x.is_finite();
    let lo = if lead { 1.0 } else { 0.0 };
    let dist = match raw {
        RawDist::Poisson { mean } => {
            bad(
                !fin(mean) || mean < 0.0 || (lead && mean <= 0.0),
                format!("poisson mean must be {} and finite, found {mean}", if lead { "> 0" } else { "≥ 0" }),
                "e.g. { type = \"poisson\", mean = 3 }",
                d,
            );
            bad(
                mean > 1e7,
                format!("poisson mean {mean} is too large"),
                "scale units (e.g. cases instead of pieces) or use a normal",
                d,
            );
            Dist::Poisson { mean }
        }
        RawDist::Normal { mean, sd } => {
            bad(
                !fin(mean) || mean < lo,
                format!("normal mean must be ≥ {lo} and finite, found {mean}"),
                "e.g. { type = \"normal\", mean = 50, sd = 8 }",
                d,
            );
            bad(
                !fin(sd) || sd < 0.0,
                format!("normal sd must be ≥ 0 and finite, found {sd}"),
                "the standard deviation cannot be negative",
                d,
            );
            Dist::Normal { mean, sd }
        }
        RawDist::NegativeBinomial { mean, sd } => {
            bad(
                lead,
                "negative_binomial is not offered for lead times".into(),
                "use poisson, uniform, normal, gamma, empirical or constant",
                d,
            );
            bad(
                !fin(mean) || mean <= 0.0,
                format!("negative_binomial mean must be > 0, found {mean}"),
                "e.g. { type = \"negative_binomial\", mean = 4, sd = 3 }",
                d,
            );
            bad(
                !fin(sd) || sd * sd <= mean,
                format!("negative_binomial needs sd² > mean (overdispersion); found sd = {sd}, mean = {mean}"),
                "raise sd above √mean, or use poisson when sd² = mean",
                d,
            );
            Dist::NegativeBinomial { mean, sd }
        }
        RawDist::Gamma { mean, sd } => {
            bad(
                !fin(mean) || mean <= 0.0,
                format!("gamma mean must be > 0, found {mean}"),
                "e.g. { type = \"gamma\", mean = 20, sd = 10 }",
                d,
            );
            bad(
                !fin(sd) || sd <= 0.0,
                format!("gamma sd must be > 0, found {sd}"),
                "use constant for a fixed value",
                d,
            );
            Dist::Gamma { mean, sd }
        }
        RawDist::Uniform { min, max } => {
            bad(
                !fin(min) || !fin(max) || min < lo || max < min,
                format!("uniform needs {lo} ≤ min ≤ max, found min = {min}, max = {max}"),
                "e.g. { type = \"uniform\", min = 2, max = 6 }",
                d,
            );
            bad(
                lead && (min.fract() != 0.0 || max.fract() != 0.0),
                "lead-time uniform bounds must be whole days".into(),
                "e.g. { type = \"uniform\", min = 2, max = 5 }",
                d,
            );
            Dist::Uniform { min, max }
        }
        RawDist::Constant { value } => {
            bad(
                !fin(value) || value < lo,
                format!("constant value must be ≥ {lo}, found {value}"),
                "e.g. { type = \"constant\", value = 10 }",
                d,
            );
            bad(lead && value.fract() != 0.0, "lead times are whole days".into(), "use a whole number of days", d);
            Dist::Constant { value }
        }
        RawDist::Sequence { values } => {
            bad(
                lead,
                "sequence is not offered for lead times".into(),
                "use empirical for a list of observed lead times",
                d,
            );
            bad(
                values.is_empty(),
                "a sequence needs at least one value".into(),
                "e.g. { type = \"sequence\", values = [10, 12, 9] }",
                d,
            );
            bad(
                values.iter().any(|v| !fin(*v) || *v < 0.0),
                "sequence values must be finite and ≥ 0".into(),
                "remove negative values",
                d,
            );
            Dist::Sequence { values }
        }
        RawDist::Empirical { values } => {
            bad(
                values.is_empty(),
                "an empirical distribution needs at least one value".into(),
                "e.g. { type = \"empirical\", values = [3, 4, 4, 6] }",
                d,
            );
            bad(
                values.iter().any(|v| !fin(*v) || *v < lo),
                format!("empirical values must be finite and ≥ {lo}"),
                "remove out-of-range values",
                d,
            );
            bad(
                lead && values.iter().any(|v| v.fract() != 0.0),
                "empirical lead times must be whole days".into(),
                "round the observations to whole days",
                d,
            );
            Dist::Empirical { values }
        }
    };
    ok.then_some(dist)
}

fn check_dist_value(v: &Spanned<Value>, key: &str, lead: bool, d: &mut Diags) -> Option<Dist> {
    if !v.get_ref().is_table() {
        d.err(
            v.span(),
            key,
            format!("expected a distribution table, found {}", v.get_ref().type_str()),
            "e.g. { type = \"poisson\", mean = 5 }",
        );
        return None;
    }
    if v.get_ref().get("type").is_none() {
        d.err(v.span(), key, "the distribution has no `type`", format!("add type = one of {}", DIST_TYPES.join(", ")));
        return None;
    }
    let raw: RawDist = decode_value(v, key, d)?;
    check_dist(raw, v.span(), key, lead, d)
}

fn check_lead_time(v: &Spanned<Value>, key: &str, d: &mut Diags) -> LeadTime {
    match v.get_ref() {
        Value::Integer(n) if *n >= 1 && *n <= 100_000 => LeadTime::Days(*n as u32),
        Value::Integer(n) => {
            d.err(
                v.span(),
                key,
                format!("lead time must be at least 1 day, found {n}"),
                "a shipment leaving on day t arrives on day t + lead_time, so lead_time ≥ 1",
            );
            LeadTime::Days(1)
        }
        Value::Float(x) => {
            d.err(
                v.span(),
                key,
                format!("lead time must be a whole number of days, found {x}"),
                "write e.g. lead_time = 3, or a distribution { type = \"normal\", mean = 2.5, sd = 1 }",
            );
            LeadTime::Days(1)
        }
        Value::Table(_) => match check_dist_value(v, key, true, d) {
            Some(Dist::Constant { value }) => LeadTime::Days(value as u32),
            Some(dist) => LeadTime::Random(dist),
            None => LeadTime::Days(1),
        },
        other => {
            d.err(
                v.span(),
                key,
                format!("expected a number of days or a distribution table, found {}", other.type_str()),
                "e.g. lead_time = 3 or lead_time = { type = \"poisson\", mean = 3 }",
            );
            LeadTime::Days(1)
        }
    }
}

/// A level as written, before it is resolved against the position's demand.
fn check_level(v: &Value, span: &Range<usize>, key: &str, d: &mut Diags) -> Option<LevelSpec> {
    let num = |x: f64, d: &mut Diags| {
        if x.is_finite() && x >= 0.0 {
            Some(x)
        } else {
            d.err(span.clone(), key, format!("must be a finite number ≥ 0, found {x}"), "stock levels are units ≥ 0");
            None
        }
    };
    match v {
        Value::Integer(n) => num(*n as f64, d).map(LevelSpec::Units),
        Value::Float(x) => num(*x, d).map(LevelSpec::Units),
        Value::Table(_) => {
            let r: RawLevel = match v.clone().try_into() {
                Ok(r) => r,
                Err(e) => {
                    d.err(span.clone(), key, e.message().trim().to_string(), "write a number of units, { days = 5 } (days of cover) or { service = 0.95 } (cycle-service target)");
                    return None;
                }
            };
            match (r.days, r.service) {
                (None, None) if r.lead_time_cover.is_some() => {
                    num(r.lead_time_cover.unwrap_or(1.0), d).map(LevelSpec::Cover)
                }
                (Some(days), None) if r.lead_time_cover.is_none() => num(days, d).map(LevelSpec::Days),
                (None, Some(s)) if s > 0.0 && s < 1.0 && r.lead_time_cover.is_none() => Some(LevelSpec::Service(s)),
                (None, Some(s)) if r.lead_time_cover.is_none() => {
                    d.err(
                        span.clone(),
                        key,
                        format!("service target must be between 0 and 1 (exclusive), found {s}"),
                        "e.g. { service = 0.95 } for a 95 % cycle-service level",
                    );
                    None
                }
                _ => {
                    d.err(
                        span.clone(),
                        key,
                        "give exactly one of `days`, `service` or `lead_time_cover`".to_string(),
                        "e.g. { days = 5 } or { service = 0.95 }",
                    );
                    None
                }
            }
        }
        other => {
            d.err(
                span.clone(),
                key,
                format!("expected a number or a table, found {}", other.type_str()),
                "write a number of units, { days = 5 } or { service = 0.95 }",
            );
            None
        }
    }
}

/// A policy as written: the rule's name, its level specs, review settings.
struct PolicyDraft {
    name: &'static str,
    levels: Vec<(&'static str, LevelSpec)>,
    review_days: u32,
    review_offset: u32,
    max_order: Option<f64>,
    forecast: Option<Forecast>,
    span: Range<usize>,
    key: String,
}

fn check_policy(v: &Spanned<Value>, key: &str, d: &mut Diags) -> Option<PolicyDraft> {
    let span = v.span();
    let t = match v.get_ref() {
        Value::Table(t) => t,
        other => {
            d.err(
                span,
                key,
                format!("expected a policy table, found {}", other.type_str()),
                "e.g. policy = { type = \"base_stock\", level = 40 }",
            );
            return None;
        }
    };
    match t.get("type").and_then(Value::as_str) {
        None => {
            d.err(span, key, "the policy has no `type`", format!("add type = one of {}", POLICY_TYPES.join(", ")));
            return None;
        }
        Some(ty) if !POLICY_TYPES.contains(&ty) => {
            let help = match closest(ty, POLICY_TYPES.iter().copied()) {
                Some(b) => format!("did you mean \"{b}\"? (policies: {})", POLICY_TYPES.join(", ")),
                None => format!("policies: {}", POLICY_TYPES.join(", ")),
            };
            d.err(span, key, format!("unknown policy type '{ty}'"), help);
            return None;
        }
        Some(_) => {}
    }
    let raw: RawPolicy = decode_value(v, key, d)?;
    let mut levels = Vec::new();
    let mut ok = true;
    let mut lv =
        |name: &'static str, val: &Value, d: &mut Diags| match check_level(val, &span, &format!("{key}.{name}"), d) {
            Some(l) => levels.push((name, l)),
            None => ok = false,
        };
    let (name, rd, ro, mo, fc) = match &raw {
        RawPolicy::BaseStock { level, review_days, review_offset, max_order, forecast } => {
            lv("level", level, d);
            ("base_stock", review_days, review_offset, max_order, forecast)
        }
        RawPolicy::EchelonBaseStock { level, review_days, review_offset, max_order } => {
            lv("level", level, d);
            ("echelon_base_stock", review_days, review_offset, max_order, &None)
        }
        RawPolicy::SS { s, big_s, review_days, review_offset, max_order, forecast } => {
            lv("s", s, d);
            lv("S", big_s, d);
            ("s_S", review_days, review_offset, max_order, forecast)
        }
        RawPolicy::MinMax { min, max, review_days, review_offset, max_order, forecast } => {
            lv("s", min, d);
            lv("S", max, d);
            ("s_S", review_days, review_offset, max_order, forecast)
        }
        RawPolicy::None {} => ("none", &None, &None, &None, &None),
        RawPolicy::RQ { r, q, review_days, review_offset, max_order } => {
            lv("r", r, d);
            lv("Q", q, d);
            ("r_Q", review_days, review_offset, max_order, &None)
        }
    };
    // A forecast re-sets the levels every day from the demand seen so far: only levels that
    // scale with demand (days of cover, service targets, lead-time cover) can follow it.
    let forecast = match fc {
        None => None,
        Some(f) => {
            let f = check_forecast(f, &span, &format!("{key}.forecast"), d);
            if let Some(f) = &f {
                if f.national || f.noise_cv > 0.0 {
                    d.err(
                        span.clone(),
                        format!("{key}.forecast"),
                        "a policy's forecast is its own location's demand: scope and noise_cv apply to push only",
                        "remove scope and noise_cv (bias is allowed)",
                    );
                    ok = false;
                }
            }
            if let Some((name, _)) = levels.iter().find(|(_, l)| matches!(l, LevelSpec::Units(_))) {
                d.err(
                    span.clone(),
                    format!("{key}.{name}"),
                    format!("with a forecast, {name} must follow demand, found a fixed number of units"),
                    format!("write {name} = {{ days = 3 }}, {{ service = 0.95 }} or {{ lead_time_cover = 1.0 }}"),
                );
                ok = false;
            }
            ok &= f.is_some();
            f
        }
    };
    let review_days = match rd {
        None => 1,
        Some(n) if (1..=3650).contains(n) => *n as u32,
        Some(n) => {
            d.err(
                span.clone(),
                format!("{key}.review_days"),
                format!("review_days must be between 1 and 3650, found {n}"),
                "1 = review every day; 7 = weekly",
            );
            ok = false;
            1
        }
    };
    let review_offset = match ro {
        None => 0,
        Some(n) if *n >= 0 && (*n as u64) < u64::from(review_days) => *n as u32,
        Some(n) => {
            d.err(
                span.clone(),
                format!("{key}.review_offset"),
                format!("review_offset must be in 0..{review_days}, found {n}"),
                "reviews happen on days d with d mod review_days = review_offset",
            );
            ok = false;
            0
        }
    };
    let max_order = match mo {
        None => None,
        Some(x) if x.is_finite() && *x > 0.0 => Some(*x),
        Some(x) => {
            d.err(
                span.clone(),
                format!("{key}.max_order"),
                format!("max_order must be a positive number, found {x}"),
                "omit max_order for no cap",
            );
            ok = false;
            None
        }
    };
    ok.then(|| PolicyDraft {
        name,
        levels,
        review_days,
        review_offset,
        max_order,
        forecast,
        span,
        key: key.to_string(),
    })
}

/// Demand statistics of a position: mean and variance of daily demand at it and below.
#[derive(Clone, Copy, Default)]
struct DemandStats {
    mean: f64,
    var: f64,
}

fn resolve_level(spec: LevelSpec, st: DemandStats, lt: &LeadTime, review: u32) -> f64 {
    super::resolve_level(spec, st.mean, st.var, lt, review)
}

fn finish_policy(p: &PolicyDraft, st: DemandStats, lt: &LeadTime, at: &str, d: &mut Diags) -> Option<Policy> {
    let v: Vec<f64> = p.levels.iter().map(|(_, s)| resolve_level(*s, st, lt, p.review_days)).collect();
    let kind = match p.name {
        "base_stock" => PolicyKind::BaseStock { level: v[0] },
        "echelon_base_stock" => PolicyKind::EchelonBaseStock { level: v[0] },
        "none" => PolicyKind::None,
        "s_S" => {
            if v[0] >= v[1] {
                d.err(
                    p.span.clone(),
                    format!("{}", p.key),
                    format!(
                        "policy (s={}, S={}) at '{at}' needs s < S",
                        crate::distribution::num(v[0]),
                        crate::distribution::num(v[1])
                    ),
                    "raise S or lower s",
                );
                return None;
            }
            PolicyKind::SS { s: v[0], big_s: v[1] }
        }
        _ => {
            if v[1] <= 0.0 {
                d.err(
                    p.span.clone(),
                    format!("{}.Q", p.key),
                    format!("policy at '{at}' needs a batch size Q > 0, found {}", v[1]),
                    "Q is the order multiple, e.g. Q = 20",
                );
                return None;
            }
            PolicyKind::RQ { r: v[0], q: v[1] }
        }
    };
    Some(Policy {
        kind,
        specs: p.levels.clone(),
        review_days: p.review_days,
        review_offset: p.review_offset,
        max_order: p.max_order,
        forecast: p.forecast.clone(),
    })
}

fn check_disruptions(v: &Spanned<Value>, key: &str, d: &mut Diags) -> Vec<Disruption> {
    let items: Vec<Spanned<Value>> = match v.get_ref() {
        Value::Array(a) => a.iter().map(|x| Spanned::new(v.span(), x.clone())).collect(),
        _ => vec![v.clone()],
    };
    let mut out = Vec::new();
    for it in &items {
        if it.get_ref().get("type").is_none() {
            d.err(
                it.span(),
                key,
                "the disruption has no `type`",
                "type = \"markov\" (random outages) or \"scheduled\" (fixed windows)",
            );
            continue;
        }
        let Some(raw) = decode_value::<RawDisruption>(it, key, d) else {
            continue;
        };
        match raw {
            RawDisruption::Markov { mean_days_up, mean_days_down } => {
                let bad = |x: f64| !x.is_finite() || x < 1.0;
                if bad(mean_days_up) || bad(mean_days_down) {
                    d.err(it.span(), key, format!("markov mean_days_up and mean_days_down must be ≥ 1 day, found {mean_days_up} and {mean_days_down}"), "e.g. { type = \"markov\", mean_days_up = 20, mean_days_down = 4 }");
                    continue;
                }
                out.push(Disruption::Markov { mean_days_up, mean_days_down });
            }
            RawDisruption::Scheduled { windows, capacity_per_day } => {
                if windows.is_empty() || windows.iter().any(|w| w[0] > w[1]) {
                    d.err(
                        it.span(),
                        key,
                        "scheduled windows must be a non-empty list of [first_day, last_day] with first ≤ last",
                        "e.g. windows = [[30, 39], [200, 214]] (inclusive days)",
                    );
                    continue;
                }
                if let Some(c) = capacity_per_day
                    && (!c.is_finite() || c < 0.0)
                {
                    d.err(
                        it.span(),
                        key,
                        format!("capacity_per_day must be ≥ 0, found {c}"),
                        "0 means nothing ships during the window",
                    );
                    continue;
                }
                out.push(Disruption::Scheduled {
                    windows: windows.iter().map(|w| (w[0], w[1])).collect(),
                    capacity_per_day,
                });
            }
        }
    }
    out
}

fn known_list(ids: impl Iterator<Item = String>) -> String {
    let v: Vec<String> = ids.collect();
    if v.len() > 12 { format!("{}, ... ({} in all)", v[..12].join(", "), v.len()) } else { v.join(", ") }
}

fn check(raw: Raw, d: &mut Diags) -> Scenario {
    let simulation = check_simulation(&raw.simulation, d);

    // SKUs.
    let mut skus: Vec<Sku> = Vec::new();
    let mut sku_spans: Vec<Range<usize>> = Vec::new();
    for (i, s) in &raw.skus {
        let key = format!("skus[{i}]");
        let id = s.id.get_ref().trim().to_string();
        if id.is_empty() {
            d.err(
                s.id.span(),
                format!("{key}.id"),
                "SKU id is empty",
                "give every SKU a short id, e.g. id = \"jacket-m\"",
            );
        } else if skus.iter().any(|x| x.id == id) {
            d.err(
                s.id.span(),
                format!("{key}.id"),
                format!("duplicate SKU id '{id}'"),
                "SKU ids must be unique; rename one of them",
            );
        }
        skus.push(Sku {
            id,
            unit_cost: opt_cost(d, &s.unit_cost, &format!("{key}.unit_cost")).unwrap_or(0.0),
            price: opt_cost(d, &s.price, &format!("{key}.price")).unwrap_or(0.0),
            holding_cost: opt_cost(d, &s.holding_cost, &format!("{key}.holding_cost")).unwrap_or(0.0),
            stockout_cost: opt_cost(d, &s.stockout_cost, &format!("{key}.stockout_cost")).unwrap_or(0.0),
            order_cost: opt_cost(d, &s.order_cost, &format!("{key}.order_cost")).unwrap_or(0.0),
            discrete: s.discrete.unwrap_or(false),
        });
        sku_spans.push(s.id.span());
    }
    let explicit_discrete: Vec<Option<bool>> = raw.skus.iter().map(|(_, s)| s.discrete).collect();
    if skus.is_empty() && raw.skus.is_empty() {
        skus.push(Sku {
            id: "item".into(),
            unit_cost: 0.0,
            price: 0.0,
            holding_cost: 0.0,
            stockout_cost: 0.0,
            order_cost: 0.0,
            discrete: false,
        });
    }
    let sku_idx: HashMap<String, usize> = skus.iter().enumerate().map(|(i, s)| (s.id.clone(), i)).collect();
    let sku_list = known_list(skus.iter().map(|s| s.id.clone()));
    let sku_names = || sku_list.clone();

    // Locations: ids first, then references.
    let mut loc_idx: HashMap<String, usize> = HashMap::new();
    let mut kinds = Vec::new();
    for (n, (i, l)) in raw.locations.iter().enumerate() {
        let id = l.id.get_ref().trim().to_string();
        if id.is_empty() {
            d.err(
                l.id.span(),
                format!("locations[{i}].id"),
                "location id is empty",
                "give every location an id, e.g. id = \"store-1\"",
            );
        } else if loc_idx.insert(id.clone(), n).is_some() {
            d.err(
                l.id.span(),
                format!("locations[{i}].id"),
                format!("duplicate location id '{id}'"),
                "location ids must be unique; rename one of them",
            );
        }
        let kind = match l.kind.get_ref().as_str() {
            "supplier" => LocationKind::Supplier,
            "warehouse" | "dc" => LocationKind::Warehouse,
            "store" => LocationKind::Store,
            other => {
                let help = match closest(other, ["supplier", "warehouse", "store"]) {
                    Some(b) => format!("did you mean \"{b}\"? (types: supplier, warehouse, store)"),
                    None => "type is one of: supplier, warehouse, store".into(),
                };
                d.err(l.kind.span(), format!("locations[{i}].type"), format!("unknown location type '{other}'"), help);
                LocationKind::Store
            }
        };
        kinds.push(kind);
    }
    let loc_names = || known_list(raw.locations.iter().map(|(_, l)| l.id.get_ref().clone()));
    let mut locations: Vec<Location> = Vec::new();
    for (n, (i, l)) in raw.locations.iter().enumerate() {
        let key = format!("locations[{i}]");
        let kind = kinds[n];
        let id = l.id.get_ref().trim().to_string();
        let mut source = None;
        if kind == LocationKind::Supplier {
            for (present, what) in [
                (l.source.is_some(), "source"),
                (l.lead_time.is_some(), "lead_time"),
                (l.policy.is_some(), "policy"),
                (l.initial_on_hand.is_some(), "initial_on_hand"),
                (l.order_delay.is_some(), "order_delay"),
                (l.initial_pipeline.is_some(), "initial_pipeline"),
            ] {
                if present {
                    d.err(
                        l.id.span(),
                        format!("{key}.{what}"),
                        format!("supplier '{id}' cannot have `{what}`: suppliers are external with unlimited stock"),
                        format!("remove `{what}`, or make '{id}' a warehouse if it holds stock"),
                    );
                }
            }
        } else {
            match &l.source {
                None => d.err(
                    l.id.span(),
                    format!("{key}.source"),
                    format!("{} '{id}' has no source", kind.as_str()),
                    format!("add source = \"<id>\" naming where it orders from; known: {}", loc_names()),
                ),
                Some(s) => {
                    let sid = s.get_ref().as_str();
                    match loc_idx.get(sid) {
                        Some(&j) if j == n => d.err(
                            s.span(),
                            format!("{key}.source"),
                            format!("'{id}' cannot be its own source"),
                            "name the warehouse or supplier it orders from",
                        ),
                        Some(&j) => source = Some(j),
                        None if raw.broken_ids.contains(sid) => {}
                        None => {
                            let help = match closest(sid, raw.locations.iter().map(|(_, l)| l.id.get_ref().as_str())) {
                                Some(b) => format!("did you mean '{b}'? known: {}", loc_names()),
                                None => format!("known locations: {}", loc_names()),
                            };
                            d.err(s.span(), format!("{key}.source"), format!("unknown location '{sid}'"), help);
                        }
                    }
                }
            }
        }
        let mut lead_time =
            l.lead_time.as_ref().map_or(LeadTime::Days(1), |v| check_lead_time(v, &format!("{key}.lead_time"), d));
        if let Some(f) = &l.lead_time_variance_factor {
            let f = num_at_least(d, f, &format!("{key}.lead_time_variance_factor"), 0.0, "lead_time_variance_factor");
            lead_time = scale_lead_time_variance(lead_time, f);
        }
        if let Some(x) = &l.lead_time_extra_sd {
            let x = num_at_least(d, x, &format!("{key}.lead_time_extra_sd"), 0.0, "lead_time_extra_sd");
            lead_time = add_lead_time_noise(lead_time, x);
        }
        let delays = l.delays.as_ref().map_or_else(Vec::new, |v| check_delays(v, &format!("{key}.delays"), d));
        if kind == LocationKind::Supplier && !delays.is_empty() {
            d.err(
                l.id.span(),
                format!("{key}.delays"),
                format!("supplier '{id}' has no inbound lane to delay"),
                "put delays on the location that receives the shipments",
            );
        }
        let holding_cost = opt_cost(d, &l.holding_cost, &format!("{key}.holding_cost"));
        let disruptions =
            l.disruption.as_ref().map_or_else(Vec::new, |v| check_disruptions(v, &format!("{key}.disruption"), d));
        if kind == LocationKind::Store && !disruptions.is_empty() {
            d.err(
                l.disruption.as_ref().map_or(l.id.span(), |v| v.span()),
                format!("{key}.disruption"),
                format!("store '{id}' ships to no one, so a disruption there has no effect"),
                "put the disruption on the supplier or warehouse that ships to it",
            );
        }
        let capacity_per_day = l
            .capacity_per_day
            .as_ref()
            .map(|c| num_at_least(d, c, &format!("{key}.capacity_per_day"), 0.0, "capacity_per_day"));
        let order_delay = match &l.order_delay {
            None => 0,
            Some(v) if (0..=365).contains(v.get_ref()) => *v.get_ref() as u32,
            Some(v) => {
                d.err(
                    v.span(),
                    format!("{key}.order_delay"),
                    format!("order_delay must be a whole number of days in 0..=365, found {}", v.get_ref()),
                    "order_delay = 2: an order takes two days to reach the source (the Beer Game's mail)",
                );
                0
            }
        };
        let initial_pipeline = match &l.initial_pipeline {
            None => 0.0,
            Some(v) => {
                let x = num_at_least(d, v, &format!("{key}.initial_pipeline"), 0.0, "initial_pipeline");
                if x > 0.0 && !matches!(lead_time, LeadTime::Days(_)) {
                    d.err(
                        v.span(),
                        format!("{key}.initial_pipeline"),
                        "initial_pipeline needs a fixed lead_time (a whole number of days)",
                        "write lead_time = 2, or remove initial_pipeline",
                    );
                }
                x
            }
        };
        locations.push(Location {
            id,
            kind,
            order_delay,
            initial_pipeline,
            source,
            lead_time,
            holding_cost,
            disruptions,
            capacity_per_day,
            region: l.region.as_ref().map(|r| r.get_ref().clone()),
            tier: l.tier.as_ref().map(|t| t.get_ref().clone()),
            delays,
            rationing: Rationing::Proportional,
            reserve: None,
            push: None,
            launch: None,
            weight: 1.0,
        });
    }
    allocation_keys(&raw, &mut locations, &skus, d);

    // The network: who supplies whom, with cycles in `source` reported (and cut, so that every
    // walk below ends).
    let sources: Vec<Option<usize>> = locations.iter().map(|l| l.source).collect();
    let suppliers: Vec<bool> = locations.iter().map(|l| l.kind == LocationKind::Supplier).collect();
    let (network, cycles) = Network::build(&sources, &suppliers);
    for Cycle(cycle) in &cycles {
        let c = cycle[0];
        let names: Vec<&str> = cycle.iter().map(|&x| locations[x].id.as_str()).collect();
        let (_, l) = &raw.locations[c];
        d.err(l.source.as_ref().map_or(l.id.span(), |s| s.span()), format!("locations[{}].source", raw.locations[c].0), format!("locations order from each other in a cycle: {} -> {}", names.join(" -> "), names[0]), "every chain of sources must end at a supplier; point one of them at a supplier or warehouse outside the cycle");
    }

    // Demand.
    let mut demand: Vec<Demand> = Vec::new();
    let mut per_pair: HashMap<(usize, usize), usize> = HashMap::new();
    for (i, r) in &raw.demand {
        let key = format!("demand[{i}]");
        let lid = r.location.get_ref().as_str();
        let loc = match loc_idx.get(lid) {
            Some(&l) if locations[l].kind == LocationKind::Supplier => {
                d.err(
                    r.location.span(),
                    format!("{key}.location"),
                    format!("'{lid}' is a supplier; suppliers face no customer demand"),
                    "put demand on a store or warehouse",
                );
                None
            }
            Some(&l) => Some(l),
            None if raw.broken_ids.contains(lid) => None,
            None => {
                let help = match closest(lid, raw.locations.iter().map(|(_, l)| l.id.get_ref().as_str())) {
                    Some(b) => format!("did you mean '{b}'? known: {}", loc_names()),
                    None => format!("known locations: {}", loc_names()),
                };
                d.err(r.location.span(), format!("{key}.location"), format!("unknown location '{lid}'"), help);
                None
            }
        };
        let sku = match &r.sku {
            None if skus.len() == 1 => Some(0),
            None => {
                d.err(
                    r.location.span(),
                    format!("{key}.sku"),
                    format!("this demand entry needs `sku`: the scenario has {} SKUs", skus.len()),
                    format!("add sku = one of {}", sku_names()),
                );
                None
            }
            Some(s) => match sku_idx.get(s.get_ref().as_str()) {
                Some(&k) => Some(k),
                None => {
                    let help = match closest(s.get_ref(), skus.iter().map(|x| x.id.as_str())) {
                        Some(b) => format!("did you mean '{b}'? known SKUs: {}", sku_names()),
                        None => format!("known SKUs: {}", sku_names()),
                    };
                    d.err(s.span(), format!("{key}.sku"), format!("unknown SKU '{}'", s.get_ref()), help);
                    None
                }
            },
        };
        let dist = check_dist_value(&r.distribution, &format!("{key}.distribution"), false, d);
        let mut weekly = None;
        let mut monthly = None;
        if let Some(s) = &r.seasonality {
            let s = s.get_ref();
            if let Some(w) = &s.weekly {
                match <[f64; 7]>::try_from(w.get_ref().as_slice()) {
                    Ok(a) if a.iter().all(|x| x.is_finite() && *x >= 0.0) => weekly = Some(a),
                    _ => d.err(
                        w.span(),
                        format!("{key}.seasonality.weekly"),
                        format!("weekly needs 7 factors ≥ 0 (Monday first), found {}", w.get_ref().len()),
                        "e.g. weekly = [0.8, 0.8, 0.9, 1.0, 1.2, 1.5, 0.8]",
                    ),
                }
            }
            if let Some(m) = &s.monthly {
                match <[f64; 12]>::try_from(m.get_ref().as_slice()) {
                    Ok(a) if a.iter().all(|x| x.is_finite() && *x >= 0.0) => monthly = Some(a),
                    _ => d.err(
                        m.span(),
                        format!("{key}.seasonality.monthly"),
                        format!("monthly needs 12 factors ≥ 0 (January first), found {}", m.get_ref().len()),
                        "e.g. monthly = [1.6, 1.3, 0.9, 0.6, 0.4, 0.3, 0.3, 0.4, 0.8, 1.2, 1.8, 2.4]",
                    ),
                }
            }
        }
        let mut promotions = Vec::new();
        for (j, p) in r.promotions.iter().flatten().enumerate() {
            let pr = p.get_ref();
            if pr.first_day > pr.last_day || !pr.multiplier.is_finite() || pr.multiplier < 0.0 {
                d.err(
                    p.span(),
                    format!("{key}.promotions[{j}]"),
                    format!(
                        "promotion needs first_day ≤ last_day and a multiplier ≥ 0, found days {}..{} × {}",
                        pr.first_day, pr.last_day, pr.multiplier
                    ),
                    "e.g. { first_day = 10, last_day = 19, multiplier = 2.0 }",
                );
                continue;
            }
            promotions.push(Promotion {
                first_day: pr.first_day,
                last_day: pr.last_day,
                multiplier: pr.multiplier,
                shock: pr.shock.unwrap_or(false),
            });
        }
        if let (Some(location), Some(sku), Some(dist)) = (loc, sku, dist) {
            let nth = per_pair.entry((location, sku)).or_insert(0);
            let key = format!("demand/{}/{}/{}", locations[location].id, skus[sku].id, nth);
            *nth += 1;
            let trend_per_year = r.trend_per_year.as_ref().map_or(0.0, |t| {
                let x = *t.get_ref();
                if x.is_finite() && x > -1.0 {
                    x
                } else {
                    d.err(
                        t.span(),
                        format!("demand[{i}].trend_per_year"),
                        format!("trend must be a finite number above -1, found {x}"),
                        "0.1 = demand grows 10 % a year; -0.2 = shrinks 20 %",
                    );
                    0.0
                }
            });
            demand.push(Demand { location, sku, dist, weekly, monthly, promotions, trend_per_year, key });
        }
    }

    // Whole units: explicit, else inferred from the SKU's demand.
    for (k, sku) in skus.iter_mut().enumerate() {
        sku.discrete = match explicit_discrete.get(k).copied().flatten() {
            Some(b) => b,
            None => {
                let mut ds = demand.iter().filter(|x| x.sku == k).peekable();
                ds.peek().is_some() && ds.all(|x| x.dist.is_integral())
            }
        };
    }

    // Which SKUs each stocking location carries: listed, or demanded there or below.
    let n_loc = locations.len();
    let mut carries = vec![vec![false; skus.len()]; n_loc];
    for dm in &demand {
        for c in network.up_from(dm.location) {
            carries[c][dm.sku] = true;
        }
    }
    let mut listed: Vec<Option<Vec<usize>>> = vec![None; n_loc];
    for (n, (i, l)) in raw.locations.iter().enumerate() {
        if let Some(list) = &l.skus {
            let mut v = Vec::new();
            for s in list.get_ref() {
                match sku_idx.get(s.as_str()) {
                    Some(&k) => v.push(k),
                    None => d.err(
                        list.span(),
                        format!("locations[{i}].skus"),
                        format!("unknown SKU '{s}'"),
                        format!("known SKUs: {}", sku_names()),
                    ),
                }
            }
            listed[n] = Some(v);
        }
    }
    // Position overrides.
    let mut overrides: HashMap<(usize, usize), &RawPosition> = HashMap::new();
    for (i, p) in &raw.positions {
        let key = format!("positions[{i}]");
        let l = loc_idx.get(p.location.get_ref().as_str()).copied();
        let k = sku_idx.get(p.sku.get_ref().as_str()).copied();
        if l.is_none() && !raw.broken_ids.contains(p.location.get_ref()) {
            d.err(
                p.location.span(),
                format!("{key}.location"),
                format!("unknown location '{}'", p.location.get_ref()),
                format!("known locations: {}", loc_names()),
            );
        }
        if k.is_none() {
            d.err(
                p.sku.span(),
                format!("{key}.sku"),
                format!("unknown SKU '{}'", p.sku.get_ref()),
                format!("known SKUs: {}", sku_names()),
            );
        }
        if let (Some(l), Some(k)) = (l, k) {
            if locations[l].kind == LocationKind::Supplier {
                d.err(
                    p.location.span(),
                    format!("{key}.location"),
                    format!("'{}' is a supplier and holds no stock positions", locations[l].id),
                    "positions are for warehouses and stores",
                );
            } else if overrides.insert((l, k), p).is_some() {
                d.err(
                    p.location.span(),
                    key.clone(),
                    format!("duplicate [[positions]] entry for {} / {}", locations[l].id, skus[k].id),
                    "merge the two entries",
                );
            } else {
                carries[l][k] = true;
            }
        }
    }
    for l in 0..n_loc {
        if let Some(list) = &listed[l] {
            for (k, c) in carries[l].iter_mut().enumerate() {
                let want = list.contains(&k);
                if *c && !want && demand.iter().any(|x| x.location == l && x.sku == k) {
                    let (i, r) = &raw.locations[l];
                    d.err(
                        r.id.span(),
                        format!("locations[{i}].skus"),
                        format!(
                            "'{}' has demand for '{}' but its skus list leaves it out",
                            locations[l].id, skus[k].id
                        ),
                        "add the SKU to the list or remove the demand entry",
                    );
                }
                *c = want;
            }
        }
        if locations[l].kind == LocationKind::Supplier {
            carries[l].iter_mut().for_each(|c| *c = false);
        }
    }

    // Demand statistics per (location, sku), including everything below.
    let mut stats = vec![vec![DemandStats::default(); skus.len()]; n_loc];
    for dm in &demand {
        for c in network.up_from(dm.location) {
            stats[c][dm.sku].mean += dm.dist.mean();
            stats[c][dm.sku].var += dm.dist.sd().powi(2);
        }
    }

    // Segments of the customer-facing (location, SKU) pairs, and unknown segment labels.
    let segment_of = segment_labels(&demand);
    for (label, span, _) in &raw.segments {
        let valid = label.len() == 2 && "ABC".contains(&label[..1]) && "XYZ".contains(&label[1..]);
        if !valid {
            d.err(
                span.clone(),
                format!("segments.{label}"),
                format!("'{label}' is not an ABC×XYZ segment"),
                "segments are AX, AY, AZ, BX, ..., CZ (volume class, then variability class)",
            );
        }
    }

    // Positions.
    let mut positions = Vec::new();
    let mut loc_policy: Vec<Option<PolicyDraft>> = Vec::with_capacity(n_loc);
    for (i, l) in &raw.locations {
        loc_policy.push(l.policy.as_ref().and_then(|p| check_policy(p, &format!("locations[{i}].policy"), d)));
    }
    let mut policy_missing_reported = vec![false; n_loc];
    for l in 0..n_loc {
        let (i, rl) = &raw.locations[l];
        for k in 0..skus.len() {
            if !carries[l][k] {
                continue;
            }
            let ov = overrides.get(&(l, k)).copied();
            if let Some(src) = locations[l].source
                && locations[src].kind != LocationKind::Supplier
                && !carries[src][k]
            {
                d.err(
                    rl.id.span(),
                    format!("locations[{i}]"),
                    format!(
                        "'{}' stocks '{}' but its source '{}' does not carry it",
                        locations[l].id, skus[k].id, locations[src].id
                    ),
                    format!("add '{}' to the skus list of '{}'", skus[k].id, locations[src].id),
                );
            }
            let ov_policy = ov
                .and_then(|o| o.policy.as_ref())
                .and_then(|p| check_policy(p, &format!("positions[{}/{}].policy", locations[l].id, skus[k].id), d));
            let segment = segment_of.get(&(l, k)).cloned();
            let seg = segment.as_ref().and_then(|s| raw.segments.iter().find(|x| &x.0 == s));
            let seg_policy = seg
                .and_then(|x| x.2.policy.as_ref())
                .and_then(|p| check_policy(p, &format!("segments.{}.policy", seg.map_or("", |x| x.0.as_str())), d));
            let draft = match (&ov_policy, &seg_policy, &loc_policy[l]) {
                (Some(p), _, _) | (None, Some(p), _) => Some(p),
                (None, None, Some(p)) => Some(p),
                (None, None, None) => {
                    if rl.policy.is_none()
                        && ov.and_then(|o| o.policy.as_ref()).is_none()
                        && !policy_missing_reported[l]
                    {
                        policy_missing_reported[l] = true;
                        d.err(rl.id.span(), format!("locations[{i}].policy"), format!("{} '{}' stocks '{}' but has no policy", locations[l].kind.as_str(), locations[l].id, skus[k].id), "add e.g. policy = { type = \"base_stock\", level = 40 } (or a [[positions]] entry per SKU)");
                    }
                    None
                }
            };
            let Some(draft) = draft else { continue };
            let at = format!("{}/{}", locations[l].id, skus[k].id);
            let Some(policy) = finish_policy(draft, stats[l][k], &locations[l].lead_time, &at, d) else {
                continue;
            };
            let sku = &skus[k];
            let init_raw = ov
                .and_then(|o| o.initial_on_hand.as_ref())
                .or(seg.and_then(|x| x.2.initial_on_hand.as_ref()))
                .or(rl.initial_on_hand.as_ref());
            let initial_on_hand = init_raw.and_then(|v| {
                check_level(v.get_ref(), &v.span(), &format!("locations[{i}].initial_on_hand"), d)
                    .map(|s| resolve_level(s, stats[l][k], &locations[l].lead_time, policy.review_days))
            });
            let pick = |o: Option<&Option<Spanned<f64>>>,
                        loc: &Option<Spanned<f64>>,
                        default: f64,
                        name: &str,
                        d: &mut Diags| {
                o.and_then(|x| opt_cost(d, x, &format!("positions[{at}].{name}")))
                    .or_else(|| opt_cost(d, loc, &format!("locations[{i}].{name}")))
                    .unwrap_or(default)
            };
            let holding_cost = pick(ov.map(|o| &o.holding_cost), &rl.holding_cost, sku.holding_cost, "holding_cost", d);
            let stockout_cost =
                pick(ov.map(|o| &o.stockout_cost), &rl.stockout_cost, sku.stockout_cost, "stockout_cost", d);
            let order_cost = pick(ov.map(|o| &o.order_cost), &rl.order_cost, sku.order_cost, "order_cost", d);
            positions.push(Position {
                location: l,
                sku: k,
                policy,
                initial_on_hand,
                holding_cost,
                stockout_cost,
                order_cost,
                mean_daily_demand: stats[l][k].mean,
                sd_daily_demand: stats[l][k].var.sqrt(),
                segment,
            });
        }
    }
    if locations.iter().all(|l| l.kind == LocationKind::Supplier) || positions.is_empty() && d.is_empty() {
        d.at(
            Some(raw.doc_span.start..raw.doc_span.start),
            "locations",
            "the scenario has no stocking location with demand",
            Some("add a [[locations]] store with a source and a policy, and a [[demand]] entry for it".into()),
        );
    }
    let _ = sku_spans;

    let shocks = check_shocks(&raw, &locations, &skus, &demand, d);
    let factors = check_factors(&raw, &locations, &skus, &demand, d);
    let rebalancing = raw.rebalancing.as_ref().and_then(|(span, r)| check_rebalancing(span, r, d));

    Scenario {
        name: raw.name.unwrap_or_default(),
        description: raw.description.unwrap_or_default(),
        simulation,
        skus,
        locations,
        network,
        positions,
        demand,
        shocks,
        factors,
        rebalancing,
        strategies: Vec::new(),
        stresses: Vec::new(),
        strategy: None,
        stress: None,
    }
}

/// A whole number of days ≥ `min` or a distribution of them (for durations and extra days).
fn check_days(v: &Value, span: &Range<usize>, key: &str, min: f64, d: &mut Diags) -> Option<Dist> {
    match v {
        Value::Integer(n) if *n as f64 >= min => Some(Dist::Constant { value: *n as f64 }),
        Value::Integer(n) => {
            d.err(
                span.clone(),
                key,
                format!("must be at least {min} days, found {n}"),
                format!("use a whole number ≥ {min}"),
            );
            None
        }
        Value::Table(_) => {
            let raw: RawDist = decode_value(&Spanned::new(span.clone(), v.clone()), key, d)?;
            check_dist(raw, span.clone(), key, true, d)
        }
        other => {
            d.err(
                span.clone(),
                key,
                format!("expected a whole number of days or a distribution, found {}", other.type_str()),
                "e.g. 7 or { type = \"uniform\", min = 3, max = 10 }",
            );
            None
        }
    }
}

fn check_delays(v: &Spanned<Value>, key: &str, d: &mut Diags) -> Vec<Delay> {
    let items: Vec<Value> = match v.get_ref() {
        Value::Array(a) => a.clone(),
        other => vec![other.clone()],
    };
    let mut out = Vec::new();
    for (j, it) in items.iter().enumerate() {
        let k = format!("{key}[{j}]");
        let Some(raw) = decode_value::<RawDelay>(&Spanned::new(v.span(), it.clone()), &k, d) else { continue };
        let Some(extra_days) = check_days(&raw.extra_days, &v.span(), &format!("{k}.extra_days"), 1.0, d) else {
            continue;
        };
        match raw.kind.as_deref() {
            None | Some("scheduled") => match (raw.first_day, raw.last_day) {
                (Some(a), Some(b)) if a <= b => out.push(Delay::Scheduled { windows: vec![(a, b)], extra_days }),
                _ => d.err(
                    v.span(),
                    k,
                    "a scheduled delay needs first_day ≤ last_day",
                    "e.g. { first_day = 30, last_day = 51, extra_days = 7 }",
                ),
            },
            Some("random") => {
                let mdb = raw.mean_days_between.unwrap_or(f64::NAN);
                let dur =
                    raw.duration.as_ref().and_then(|x| check_days(x, &v.span(), &format!("{k}.duration"), 1.0, d));
                if !(mdb.is_finite() && mdb >= 1.0) {
                    d.err(
                        v.span(),
                        format!("{k}.mean_days_between"),
                        format!("a random delay needs mean_days_between ≥ 1, found {mdb}"),
                        "e.g. { type = \"random\", mean_days_between = 90, duration = 10, extra_days = 7 }",
                    );
                    continue;
                }
                if let Some(duration) = dur {
                    out.push(Delay::Random { mean_days_between: mdb, duration, extra_days });
                } else if raw.duration.is_none() {
                    d.err(
                        v.span(),
                        format!("{k}.duration"),
                        "a random delay needs `duration` (days)",
                        "e.g. duration = 10 or { type = \"poisson\", mean = 10 }",
                    );
                }
            }
            Some(other) => d.err(
                v.span(),
                format!("{k}.type"),
                format!("unknown delay type '{other}'"),
                "type = \"scheduled\" (default, with first_day/last_day) or \"random\"",
            ),
        }
    }
    out
}

/// Lead time with its variance scaled by `f` around the same mean (whole days ≥ 1).
fn scale_lead_time_variance(lt: LeadTime, f: f64) -> LeadTime {
    let k = f.sqrt();
    let LeadTime::Random(dist) = lt else { return lt };
    let m = dist.mean();
    let spread = |v: f64| (m + (v - m) * k).round().max(1.0);
    LeadTime::Random(match dist {
        Dist::Normal { mean, sd } => Dist::Normal { mean, sd: sd * k },
        Dist::Gamma { mean, sd } => Dist::Gamma { mean, sd: sd * k },
        Dist::Poisson { mean } => Dist::Gamma { mean, sd: (mean * f).sqrt() },
        Dist::NegativeBinomial { mean, sd } => Dist::Gamma { mean, sd: sd * k },
        Dist::Uniform { min, max } => Dist::Uniform { min: spread(min), max: spread(max) },
        Dist::Empirical { values } => Dist::Empirical { values: values.iter().map(|&v| spread(v)).collect() },
        Dist::Sequence { values } => Dist::Sequence { values: values.iter().map(|&v| spread(v)).collect() },
        c @ Dist::Constant { .. } => c,
    })
}

/// Lead time with normal noise of standard deviation `x` added (becomes a normal lead time).
fn add_lead_time_noise(lt: LeadTime, x: f64) -> LeadTime {
    if x == 0.0 {
        return lt;
    }
    let (mean, sd) = (lt.mean(), lt.sd());
    LeadTime::Random(Dist::Normal { mean, sd: (sd * sd + x * x).sqrt() })
}

/// How an entry names demand streams: `location`, `locations`, `region`, `sku` (none: all).
struct Targets<'r> {
    location: &'r Option<Spanned<String>>,
    locations: &'r Option<Spanned<Vec<String>>>,
    region: &'r Option<Spanned<String>>,
    sku: &'r Option<Spanned<String>>,
}

/// Which demand streams `t` names; reports unknown names.
fn demand_targets(
    at: &str,
    span: Range<usize>,
    t: Targets<'_>,
    sc: (&[Location], &[Sku], &[Demand]),
    d: &mut Diags,
) -> Vec<usize> {
    let (locations, skus, demand) = sc;
    let mut names: Vec<String> = t.location.iter().map(|l| l.get_ref().clone()).collect();
    names.extend(t.locations.iter().flat_map(|l| l.get_ref().clone()));
    for n in &names {
        if !locations.iter().any(|l| &l.id == n) {
            d.err(
                span.clone(),
                format!("{at}.location"),
                format!("unknown location '{n}'"),
                "name a location of this file",
            );
        }
    }
    if let Some(r) = t.region
        && !locations.iter().any(|l| l.region.as_deref() == Some(r.get_ref().as_str()))
    {
        d.err(
            r.span(),
            format!("{at}.region"),
            format!("no location has region = \"{}\"", r.get_ref()),
            "set region = \"...\" on the locations it should cover",
        );
    }
    if let Some(k) = t.sku
        && !skus.iter().any(|x| &x.id == k.get_ref())
    {
        d.err(k.span(), format!("{at}.sku"), format!("unknown SKU '{}'", k.get_ref()), "name a SKU of this file");
    }
    let hit: Vec<usize> = demand
        .iter()
        .enumerate()
        .filter(|(_, dm)| {
            let l = &locations[dm.location];
            (names.is_empty() || names.contains(&l.id))
                && t.region.as_ref().is_none_or(|r| l.region.as_deref() == Some(r.get_ref().as_str()))
                && t.sku.as_ref().is_none_or(|k| skus[dm.sku].id == *k.get_ref())
        })
        .map(|(i, _)| i)
        .collect();
    if hit.is_empty() && d.is_empty() {
        d.err(span, at, "matches no [[demand]] entry", "check location, region and sku");
    }
    hit
}

fn check_shocks(raw: &Raw, locations: &[Location], skus: &[Sku], demand: &[Demand], d: &mut Diags) -> Vec<Shock> {
    let mut out = Vec::new();
    for (i, r) in &raw.shocks {
        let at = format!("shocks[{i}]");
        let span = r.mean_days_between.span();
        let t = Targets { location: &r.location, locations: &r.locations, region: &r.region, sku: &r.sku };
        let streams = demand_targets(&at, span.clone(), t, (locations, skus, demand), d);
        let mdb = num_at_least(d, &r.mean_days_between, &format!("{at}.mean_days_between"), 1.0, "mean_days_between");
        let duration = check_days(r.duration.get_ref(), &r.duration.span(), &format!("{at}.duration"), 1.0, d);
        let multiplier = match r.multiplier.get_ref() {
            Value::Integer(n) if *n >= 0 => Some(Dist::Constant { value: *n as f64 }),
            Value::Float(x) if x.is_finite() && *x >= 0.0 => Some(Dist::Constant { value: *x }),
            Value::Table(_) => check_dist_value(&r.multiplier, &format!("{at}.multiplier"), false, d),
            _ => {
                d.err(
                    r.multiplier.span(),
                    format!("{at}.multiplier"),
                    "expected a number ≥ 0 or a distribution",
                    "e.g. multiplier = 3.0 or { type = \"uniform\", min = 1.5, max = 4 }",
                );
                None
            }
        };
        if let (Some(duration), Some(multiplier)) = (duration, multiplier) {
            out.push(Shock {
                streams,
                mean_days_between: mdb,
                duration,
                multiplier,
                description: r.description.clone().unwrap_or_default(),
            });
        }
    }
    out
}

fn check_factors(
    raw: &Raw,
    locations: &[Location],
    skus: &[Sku],
    demand: &[Demand],
    d: &mut Diags,
) -> Vec<CommonFactor> {
    let mut out = Vec::new();
    for (i, r) in &raw.factors {
        let at = format!("common_factors[{i}]");
        let t = Targets { location: &r.location, locations: &r.locations, region: &r.region, sku: &r.sku };
        let streams = demand_targets(&at, r.cv.span(), t, (locations, skus, demand), d);
        let cv = num_at_least(d, &r.cv, &format!("{at}.cv"), 0.0, "cv");
        let rho = r.autocorrelation.as_ref().map_or(0.0, |a| {
            let x = *a.get_ref();
            if (0.0..1.0).contains(&x) {
                x
            } else {
                d.err(
                    a.span(),
                    format!("{at}.autocorrelation"),
                    format!("autocorrelation must be in [0, 1), found {x}"),
                    "0 = independent days; 0.8 = spells of similar days",
                );
                0.0
            }
        });
        out.push(CommonFactor { streams, cv, autocorrelation: rho });
    }
    out
}

/// Shipping-side allocation keys of each location: rationing, reserve, push, launch, weight.
fn allocation_keys(raw: &Raw, locations: &mut [Location], skus: &[Sku], d: &mut Diags) {
    let ids: Vec<String> = locations.iter().map(|l| l.id.clone()).collect();
    for (n, (i, l)) in raw.locations.iter().enumerate() {
        let key = format!("locations[{i}]");
        let loc = &mut locations[n];
        if let Some(r) = &l.rationing {
            loc.rationing = match r.get_ref().as_str() {
                "proportional" => Rationing::Proportional,
                "fair_share" => Rationing::FairShare,
                "tier_priority" => Rationing::TierPriority,
                "priority" => {
                    let mut order = Vec::new();
                    for id in l.priority.iter().flat_map(|p| p.get_ref()) {
                        match ids.iter().position(|x| x == id) {
                            Some(j) => order.push(j),
                            None => d.err(
                                l.priority.as_ref().map_or(r.span(), |p| p.span()),
                                format!("{key}.priority"),
                                format!("unknown location '{id}'"),
                                "list the ids of the locations it supplies, most important first",
                            ),
                        }
                    }
                    Rationing::Priority(order)
                }
                other => {
                    let all = ["proportional", "priority", "fair_share", "tier_priority"];
                    let help = match closest(other, all) {
                        Some(b) => format!("did you mean \"{b}\"? (rules: {})", all.join(", ")),
                        None => format!("rules: {}", all.join(", ")),
                    };
                    d.err(r.span(), format!("{key}.rationing"), format!("unknown rationing rule '{other}'"), help);
                    Rationing::Proportional
                }
            };
        } else if l.priority.is_some() {
            d.err(
                l.priority.as_ref().map_or(l.id.span(), |p| p.span()),
                format!("{key}.priority"),
                "`priority` is used only with rationing = \"priority\"",
                "add rationing = \"priority\" or remove the list",
            );
        }
        if let Some(r) = &l.reserve {
            let x = r.get_ref();
            if !(0.0..=1.0).contains(&x.share) || !(0.0..=1.0).contains(&x.release_sell_through) {
                d.err(
                    r.span(),
                    format!("{key}.reserve"),
                    format!(
                        "share and release_sell_through must be between 0 and 1, found {} and {}",
                        x.share, x.release_sell_through
                    ),
                    "e.g. reserve = { share = 0.3, release_sell_through = 0.4, tier = \"A\" }",
                );
            } else {
                loc.reserve = Some(Reserve {
                    share: x.share,
                    release_sell_through: x.release_sell_through,
                    tier: x.tier.clone(),
                });
            }
        }
        if let Some(p) = &l.push {
            loc.push = check_push(p, &format!("{key}.push"), d);
        }
        if let Some(la) = &l.launch {
            loc.launch = check_launch(la, &format!("{key}.launch"), skus, d);
        }
        if let Some(w) = &l.weight {
            loc.weight = num_at_least(d, w, &format!("{key}.weight"), 0.0, "weight");
        }
        if loc.kind == LocationKind::Store && (loc.push.is_some() || loc.reserve.is_some() || loc.launch.is_some()) {
            d.err(
                l.id.span(),
                key.clone(),
                format!("store '{}' supplies no one: push, reserve and launch belong on the warehouse", loc.id),
                "move the key to the warehouse the stores order from",
            );
        }
    }
}

fn check_push(p: &Spanned<RawPush>, key: &str, d: &mut Diags) -> Option<Push> {
    let r = p.get_ref();
    let span = p.span();
    if !(1..=3650).contains(&r.cycle_days) {
        d.err(
            span,
            format!("{key}.cycle_days"),
            format!("cycle_days must be between 1 and 3650, found {}", r.cycle_days),
            "7 = a weekly allocation",
        );
        return None;
    }
    let offset = r.offset.unwrap_or(0);
    if offset < 0 || offset >= r.cycle_days {
        d.err(
            span,
            format!("{key}.offset"),
            format!("offset must be in 0..{}, found {offset}", r.cycle_days),
            "allocations happen on days d with d mod cycle_days = offset",
        );
        return None;
    }
    let buffer = match &r.buffer {
        None => LevelSpec::Units(0.0),
        Some(v) => check_level(v, &span, &format!("{key}.buffer"), d)?,
    };
    let forecast = match &r.forecast {
        None => {
            Forecast { method: ForecastMethod::MovingAverage { window: 28 }, national: false, bias: 0.0, noise_cv: 0.0 }
        }
        Some(f) => check_forecast(f, &span, &format!("{key}.forecast"), d)?,
    };
    Some(Push { cycle_days: r.cycle_days as u32, offset: offset as u32, buffer, forecast })
}

fn check_forecast(f: &RawForecast, span: &Range<usize>, key: &str, d: &mut Diags) -> Option<Forecast> {
    let int = |x: Option<i64>, name: &str, default: i64, d: &mut Diags| -> Option<u32> {
        let v = x.unwrap_or(default);
        if (1..=3650).contains(&v) {
            Some(v as u32)
        } else {
            d.err(
                span.clone(),
                format!("{key}.{name}"),
                format!("{name} must be between 1 and 3650 days, found {v}"),
                "e.g. window = 28",
            );
            None
        }
    };
    let method = match f.method.as_str() {
        "moving_average" => ForecastMethod::MovingAverage { window: int(f.window, "window", 28, d)? },
        "exp_smoothing" => {
            let a = f.alpha.unwrap_or(0.2);
            if !(a > 0.0 && a <= 1.0) {
                d.err(
                    span.clone(),
                    format!("{key}.alpha"),
                    format!("alpha must be in (0, 1], found {a}"),
                    "e.g. alpha = 0.2",
                );
                return None;
            }
            ForecastMethod::ExpSmoothing { alpha: a }
        }
        "seasonal_naive" => ForecastMethod::SeasonalNaive { season: int(f.season, "season", 7, d)? },
        "plan" => ForecastMethod::Plan,
        other => {
            let all = ["moving_average", "exp_smoothing", "seasonal_naive", "plan"];
            let help = match closest(other, all) {
                Some(b) => format!("did you mean \"{b}\"? (methods: {})", all.join(", ")),
                None => format!("methods: {}", all.join(", ")),
            };
            d.err(span.clone(), format!("{key}.method"), format!("unknown forecast method '{other}'"), help);
            return None;
        }
    };
    let national = match f.scope.as_deref() {
        None | Some("store") | Some("location") | Some("regional") => false,
        Some("national") => true,
        Some(other) => {
            d.err(
                span.clone(),
                format!("{key}.scope"),
                format!("unknown forecast scope '{other}'"),
                "scope = \"store\" (each location's own demand) or \"national\" (the total split evenly)",
            );
            return None;
        }
    };
    let bias = f.bias.unwrap_or(0.0);
    let noise_cv = f.noise_cv.unwrap_or(0.0);
    if !(bias.is_finite() && bias > -1.0) || !(noise_cv.is_finite() && noise_cv >= 0.0) {
        d.err(
            span.clone(),
            key.to_string(),
            format!("bias must be above -1 and noise_cv ≥ 0, found {bias} and {noise_cv}"),
            "bias = 0.1 over-forecasts by 10 %; noise_cv = 0.2 adds 20 % random error",
        );
        return None;
    }
    Some(Forecast { method, national, bias, noise_cv })
}

fn check_launch(la: &Spanned<RawLaunch>, key: &str, skus: &[Sku], d: &mut Diags) -> Option<Launch> {
    let r = la.get_ref();
    let span = la.span();
    let ok = |x: f64| x.is_finite() && x >= 0.0;
    let total = match &r.total {
        Value::Integer(n) if *n >= 0 => vec![Some(*n as f64); skus.len()],
        Value::Float(x) if ok(*x) => vec![Some(*x); skus.len()],
        Value::Table(t) => {
            let mut v = vec![None; skus.len()];
            for (id, x) in t {
                let Some(k) = skus.iter().position(|s| &s.id == id) else {
                    d.err(
                        span.clone(),
                        format!("{key}.total.{id}"),
                        format!("unknown SKU '{id}'"),
                        "give totals by SKU id",
                    );
                    continue;
                };
                match x.as_float().or_else(|| x.as_integer().map(|i| i as f64)) {
                    Some(x) if ok(x) => v[k] = Some(x),
                    _ => d.err(
                        span.clone(),
                        format!("{key}.total.{id}"),
                        "expected a number of units ≥ 0",
                        "e.g. total = { jacket-m = 1200 }",
                    ),
                }
            }
            v
        }
        _ => {
            d.err(
                span,
                format!("{key}.total"),
                "expected a number of units ≥ 0, or a table by SKU",
                "e.g. total = 2000 or { jacket-m = 1200, jacket-l = 800 }",
            );
            return None;
        }
    };
    let keep = r.keep.unwrap_or(0.0);
    if !(0.0..=1.0).contains(&keep) {
        d.err(
            span,
            format!("{key}.keep"),
            format!("keep must be a share between 0 and 1, found {keep}"),
            "keep = 0.3 holds 30 % at the warehouse",
        );
        return None;
    }
    let by = match r.by.as_deref() {
        None | Some("demand") => LaunchBy::Demand,
        Some("weights") => LaunchBy::Weights,
        Some("weighted_demand") => LaunchBy::WeightedDemand,
        Some(other) => {
            d.err(
                span,
                format!("{key}.by"),
                format!("unknown split '{other}'"),
                "by = \"demand\" (expected demand), \"weights\" (location weights) or \"weighted_demand\"",
            );
            return None;
        }
    };
    Some(Launch { total, keep, by })
}

fn check_rebalancing(span: &Range<usize>, r: &RawRebalancing, d: &mut Diags) -> Option<Rebalancing> {
    let key = "rebalancing";
    let review = r.review_days.unwrap_or(7);
    let lead = r.lead_time.unwrap_or(1);
    let cost = r.cost_per_unit.unwrap_or(0.0);
    let mut ok = true;
    let mut bad = |cond: bool, k: &str, msg: String, help: &str| {
        if cond {
            d.err(span.clone(), format!("{key}.{k}"), msg, help);
            ok = false;
        }
    };
    bad(
        !(1..=3650).contains(&review),
        "review_days",
        format!("review_days must be between 1 and 3650, found {review}"),
        "7 = weekly",
    );
    bad(
        !(1..=365).contains(&lead),
        "lead_time",
        format!("lead_time must be between 1 and 365 days, found {lead}"),
        "transfers arrive lead_time days after they leave",
    );
    bad(
        !(cost.is_finite() && cost >= 0.0),
        "cost_per_unit",
        format!("cost_per_unit must be ≥ 0, found {cost}"),
        "cost of moving one unit between stores",
    );
    bad(
        !(r.trigger_days.is_finite()
            && r.target_days.is_finite()
            && r.trigger_days >= 0.0
            && r.target_days > r.trigger_days),
        "target_days",
        format!("need 0 ≤ trigger_days < target_days, found {} and {}", r.trigger_days, r.target_days),
        "e.g. trigger_days = 3, target_days = 10",
    );
    let within = match r.within.as_deref() {
        None | Some("region") => RebalanceWithin::Region,
        Some("source") => RebalanceWithin::Source,
        Some("all") => RebalanceWithin::All,
        Some(other) => {
            bad(true, "within", format!("unknown grouping '{other}'"), "within = \"region\", \"source\" or \"all\"");
            RebalanceWithin::All
        }
    };
    ok.then_some(Rebalancing {
        review_days: review as u32,
        trigger_days: r.trigger_days,
        target_days: r.target_days,
        lead_time: lead as u32,
        cost_per_unit: cost,
        within,
    })
}

/// ABC × XYZ segments of the customer-facing (location, SKU) pairs: ABC by share of total
/// expected volume (A: the largest pairs making up the first 80 %, B: the next 15 %, C: the
/// rest), XYZ by the coefficient of variation of daily demand (X ≤ 0.5 < Y ≤ 1 < Z).
fn segment_labels(demand: &[Demand]) -> HashMap<(usize, usize), String> {
    let mut own: Vec<((usize, usize), f64, f64)> = Vec::new();
    for x in demand {
        let key = (x.location, x.sku);
        match own.iter_mut().find(|o| o.0 == key) {
            Some(o) => {
                o.1 += x.dist.mean();
                o.2 += x.dist.sd().powi(2);
            }
            None => own.push((key, x.dist.mean(), x.dist.sd().powi(2))),
        }
    }
    own.retain(|o| o.1 > 0.0);
    own.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let total: f64 = own.iter().map(|o| o.1).sum();
    let mut before = 0.0;
    let mut out = HashMap::new();
    for (key, mean, var) in own {
        let share_before = before / total;
        before += mean;
        let abc = if share_before < 0.80 {
            'A'
        } else if share_before < 0.95 {
            'B'
        } else {
            'C'
        };
        let cv = var.sqrt() / mean;
        let xyz = if cv <= 0.5 {
            'X'
        } else if cv <= 1.0 {
            'Y'
        } else {
            'Z'
        };
        out.insert(key, format!("{abc}{xyz}"));
    }
    out
}
