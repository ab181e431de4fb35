//! Shared value checks for every table: decoding spanned TOML into raw types, numbers in range,
//! costs, and distributions (demand, lead times, stress), each reporting through [`Diags`].

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use serde::Deserialize;
use serde::de::IntoDeserializer;
use toml::Spanned;
use toml::Value;
use toml::de::DeValue;

use super::Source;
use super::diag::{Diags, closest};
use super::raw::{DIST_TYPES, RawDist};
use crate::distribution::Dist;

/// Decodes a spanned TOML subtree into `T`, recording a diagnostic on failure.
pub(crate) fn decode<'a, T: Deserialize<'a>>(v: Spanned<DeValue<'a>>, key: &str, d: &mut Diags) -> Option<T> {
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
pub(crate) fn decode_value<T: for<'de> Deserialize<'de>>(v: &Spanned<Value>, key: &str, d: &mut Diags) -> Option<T> {
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
    if let Some(t) = src.table_at(span.start) {
        // A value read from a table row: the key is a column of the same row.
        return t.cell_in_row(span.start, &name);
    }
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

/// Checks a number: finite, and at least `min`.
pub(crate) fn num_at_least(d: &mut Diags, v: &Spanned<f64>, key: &str, min: f64, what: &str) -> f64 {
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

/// Largest quantity (units on hand, demanded per day, ordered, shipped per day) a scenario may
/// name: the KPIs multiply quantities by costs, square them for variances and sum them over
/// days and replications, and stay exact far below f64's range only with some headroom.
pub const MAX_QUANTITY: f64 = 1e12;

/// Largest cost per unit (or per order) a scenario may name; see [`MAX_QUANTITY`].
pub const MAX_COST: f64 = 1e12;

/// Longest lead time, delay or duration in days a distribution may reach (as a fixed lead time):
/// the pipelines are rings as long as the longest lead time.
pub const MAX_LEAD_DAYS: f64 = 100_000.0;

/// How to bring a quantity within [`MAX_QUANTITY`].
pub(crate) const SCALE_UNITS: &str = "scale the units (e.g. cases or pallets instead of pieces)";

/// Reports a value above a bound (`what` names it, `help` says how to get below); whether it
/// is within.
pub(crate) fn at_most(d: &mut Diags, span: Range<usize>, key: &str, x: f64, max: f64, what: &str, help: &str) -> bool {
    if x <= max {
        return true;
    }
    d.err(span, key, format!("{what} {x:e} is larger than echelon can compute with (at most {max:e})"), help);
    false
}

/// A quantity: finite, ≥ 0 and at most [`MAX_QUANTITY`] (reports and returns 0 otherwise);
/// for keys where leaving the key out means "no limit".
pub(crate) fn quantity(d: &mut Diags, v: &Spanned<f64>, key: &str, what: &str) -> f64 {
    let x = num_at_least(d, v, key, 0.0, what);
    let help = format!("{SCALE_UNITS}; leave {what} out for no limit");
    if at_most(d, v.span(), key, x, MAX_QUANTITY, what, &help) { x } else { 0.0 }
}

/// An optional cost: finite, ≥ 0 and at most [`MAX_COST`] when given.
pub(crate) fn opt_cost(d: &mut Diags, v: &Option<Spanned<f64>>, key: &str) -> Option<f64> {
    v.as_ref().map(|c| {
        let x = num_at_least(d, c, key, 0.0, "a cost");
        let help = "write costs in a larger money unit (thousands), or check the value";
        if at_most(d, c.span(), key, x, MAX_COST, "a cost of", help) { x } else { 0.0 }
    })
}

/// The longest draw of a lead-time distribution in days, as its sampler bounds it (the table's
/// reach for a Poisson, mean + 10 sd for a normal, mean + 15 sd for a gamma).
pub(crate) fn longest_days(dist: &Dist) -> f64 {
    match dist {
        Dist::Poisson { mean } => mean + 10.0 * mean.sqrt() + 10.0,
        Dist::Normal { mean, sd } => mean + 10.0 * sd,
        Dist::Gamma { mean, sd } | Dist::NegativeBinomial { mean, sd } | Dist::Intermittent { mean, sd, .. } => {
            mean + 15.0 * sd
        }
        Dist::Uniform { max, .. } => *max,
        Dist::Constant { value } => *value,
        Dist::Sequence { values } | Dist::Empirical { values } | Dist::Weeks { values } => {
            values.iter().copied().fold(0.0, f64::max)
        }
    }
}

/// Largest daily holding cost, as a share of the unit cost, that reads as plausible: 2 % a day
/// is 730 % a year, above any real carrying cost; a larger figure is usually an annual rate
/// (0.25 = 25 % a year) or an annual cost written where a daily one belongs.
pub(crate) const MAX_DAILY_HOLDING_SHARE: f64 = 0.02;

/// Warns when a holding cost per unit per day is implausible as a daily figure for a unit of
/// this cost, showing the annual figure and the daily value it probably stands for.
pub(crate) fn check_holding_rate(d: &mut Diags, span: Range<usize>, key: &str, holding: f64, unit_cost: f64) {
    // A location's override is checked for each SKU it covers: one warning is enough.
    let implausible = unit_cost > 0.0 && holding > MAX_DAILY_HOLDING_SHARE * unit_cost;
    if !d.cost_checks || !implausible || d.warned(&span, key) {
        return;
    }
    let (h, u) = (crate::distribution::num(holding), crate::distribution::num(unit_cost));
    let daily_share = holding / unit_cost * 100.0;
    let message = format!(
        "holding_cost {h} per unit per day on a unit costing {u} is {daily_share:.1} % of its cost a day, {:.0} % \
         a year: holding_cost is charged per unit on hand per day",
        daily_share * 365.0
    );
    let help = if holding < 1.0 {
        format!(
            "if {h} is an annual rate ({:.0} % a year), write holding_cost = {} ({h} / 365 × {u}); a textbook cost \
             per day may stay: then set cost_checks = false in [simulation]",
            holding * 100.0,
            sig(holding / 365.0 * unit_cost)
        )
    } else {
        format!(
            "if {h} is a cost per unit per year, write holding_cost = {} ({h} / 365); a textbook cost per day may \
             stay: then set cost_checks = false in [simulation]",
            sig(holding / 365.0)
        )
    };
    d.warn(Some(span), key, message, help);
}

/// Three significant digits, for a suggested value.
fn sig(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return crate::distribution::num(x);
    }
    let decimals = (2 - x.abs().log10().floor() as i32).max(0) as usize;
    format!("{x:.decimals$}")
}

/// Checks a whole number in `min..=max` (reports and returns `min` when out of range).
pub(crate) fn int_in(d: &mut Diags, v: &Spanned<i64>, key: &str, min: i64, max: i64, help: &str) -> i64 {
    let x = *v.get_ref();
    if x < min || x > max {
        let range = if max == i64::MAX { format!("at least {min}") } else { format!("between {min} and {max}") };
        d.err(v.span(), key, format!("must be {range}, found {x}"), help);
        return min;
    }
    x
}

/// Checks a raw distribution for demand (`lead = false`) or lead times (`lead = true`).
fn check_dist(raw: RawDist, span: Range<usize>, key: &str, lead: bool, d: &mut Diags) -> Option<Dist> {
    let mut c = DistCheck { span, key, lead, lo: if lead { 1.0 } else { 0.0 }, ok: true, d };
    let dist = match raw {
        RawDist::Poisson { mean } => c.poisson(mean),
        RawDist::Normal { mean, sd } => c.normal(mean, sd),
        RawDist::NegativeBinomial { mean, sd } => c.negative_binomial(mean, sd),
        RawDist::Gamma { mean, sd } => c.gamma(mean, sd),
        RawDist::Uniform { min, max } => c.uniform(min, max),
        RawDist::Constant { value } => c.constant(value),
        RawDist::Sequence { values } => c.sequence(values),
        RawDist::Empirical { values } => c.empirical(values),
        RawDist::Intermittent { mean, sd, probability } => c.intermittent(mean, sd, probability),
        RawDist::Weeks { values } => c.weeks(values),
    };
    c.bounded(&dist);
    c.ok.then_some(dist)
}

/// One distribution being checked: where it is written, for what, and whether it is valid.
struct DistCheck<'k, 'd, 's> {
    span: Range<usize>,
    key: &'k str,
    /// For a lead time (whole days ≥ 1) rather than demand (≥ 0).
    lead: bool,
    /// The smallest value allowed.
    lo: f64,
    ok: bool,
    d: &'d mut Diags<'s>,
}

impl DistCheck<'_, '_, '_> {
    /// Reports a problem when `cond` holds.
    fn bad(&mut self, cond: bool, msg: String, help: &str) {
        if cond {
            self.d.err(self.span.clone(), self.key, msg, help);
            self.ok = false;
        }
    }

    /// Refuses magnitudes the simulation cannot carry: demand parameters above
    /// [`MAX_QUANTITY`], lead times that can reach beyond [`MAX_LEAD_DAYS`].
    fn bounded(&mut self, dist: &Dist) {
        if !self.ok {
            return;
        }
        if self.lead {
            let longest = longest_days(dist);
            self.bad(
                longest > MAX_LEAD_DAYS,
                format!("this {} can reach {longest:.0} days, more than {MAX_LEAD_DAYS} days", dist.kind()),
                "lead times, delays and durations are days: at most 100000 days (about 270 years)",
            );
            return;
        }
        let largest = match dist {
            Dist::Sequence { values } | Dist::Empirical { values } | Dist::Weeks { values } => {
                values.iter().copied().fold(0.0, f64::max)
            }
            Dist::Uniform { max, .. } => *max,
            other => other.mean().max(other.sd()),
        };
        self.bad(
            largest > MAX_QUANTITY,
            format!("{} {largest:e} is larger than echelon can compute with (at most {MAX_QUANTITY:e})", dist.kind()),
            "scale the units (e.g. cases or pallets instead of pieces, thousands instead of units)",
        );
    }

    /// Checks `poisson`.
    fn poisson(&mut self, mean: f64) -> Dist {
        let lead = self.lead;
        let fin = |x: f64| x.is_finite();
        self.bad(
            !fin(mean) || mean < 0.0 || (lead && mean <= 0.0),
            format!("poisson mean must be {} and finite, found {mean}", if lead { "> 0" } else { "≥ 0" }),
            "e.g. { type = \"poisson\", mean = 3 }",
        );
        self.bad(
            mean > 1e7,
            format!("poisson mean {mean} is too large (at most 1e7: its sampler is a table)"),
            "scale units (e.g. cases instead of pieces) or use a normal",
        );
        Dist::Poisson { mean }
    }

    /// Checks `normal`.
    fn normal(&mut self, mean: f64, sd: f64) -> Dist {
        let lo = self.lo;
        let fin = |x: f64| x.is_finite();
        self.bad(
            !fin(mean) || mean < lo,
            format!("normal mean must be ≥ {lo} and finite, found {mean}"),
            "e.g. { type = \"normal\", mean = 50, sd = 8 }",
        );
        self.bad(
            !fin(sd) || sd < 0.0,
            format!("normal sd must be ≥ 0 and finite, found {sd}"),
            "the standard deviation cannot be negative",
        );
        Dist::Normal { mean, sd }
    }

    /// Checks `negative_binomial`.
    fn negative_binomial(&mut self, mean: f64, sd: f64) -> Dist {
        let lead = self.lead;
        let fin = |x: f64| x.is_finite();
        self.bad(
            lead,
            "negative_binomial is not offered for lead times".into(),
            "use poisson, uniform, normal, gamma, empirical or constant",
        );
        self.bad(
            !fin(mean) || mean <= 0.0,
            format!("negative_binomial mean must be > 0, found {mean}"),
            "e.g. { type = \"negative_binomial\", mean = 4, sd = 3 }",
        );
        self.bad(
            !fin(sd) || sd * sd <= mean,
            format!("negative_binomial needs sd² > mean (overdispersion); found sd = {sd}, mean = {mean}"),
            "raise sd above √mean, or use poisson when sd² = mean",
        );
        Dist::NegativeBinomial { mean, sd }
    }

    /// Checks `intermittent`: a day has demand with `probability`, then at least one unit, so
    /// mean ≥ probability; and sd² ≥ mean²·(1 − p)/p, the variance when every demand day has the
    /// same size.
    fn intermittent(&mut self, mean: f64, sd: f64, probability: f64) -> Dist {
        let fin = |x: f64| x.is_finite();
        let example = "e.g. { type = \"intermittent\", mean = 0.5, sd = 1.2, probability = 0.2 }";
        self.bad(
            self.lead,
            "intermittent is not offered for lead times".into(),
            "use poisson, uniform, normal, gamma, empirical or constant",
        );
        self.bad(!fin(mean) || mean <= 0.0, format!("intermittent mean must be > 0, found {mean}"), example);
        self.bad(
            !fin(probability) || probability <= 0.0 || probability > 1.0,
            format!("intermittent probability (share of days with demand) must be in (0, 1], found {probability}"),
            example,
        );
        if !self.ok {
            return Dist::Intermittent { mean, sd, probability };
        }
        self.bad(
            mean < probability,
            format!(
                "intermittent mean {mean} is below its probability {probability}: a day with demand sells at least                  one unit, so mean ≥ probability"
            ),
            "lower probability or raise mean",
        );
        let least = mean * ((1.0 - probability) / probability).sqrt();
        self.bad(
            !fin(sd) || sd < least * (1.0 - 1e-9),
            format!(
                "intermittent sd must be at least {} (mean × √((1 − p)/p), when every demand day has the same size),                  found {sd}",
                crate::distribution::num(least)
            ),
            "raise sd, or raise probability",
        );
        Dist::Intermittent { mean, sd, probability }
    }

    /// Checks `weeks`: whole weeks of a daily history, Monday first.
    fn weeks(&mut self, values: Vec<f64>) -> Dist {
        let n = values.len();
        self.bad(
            self.lead,
            "weeks is not offered for lead times".into(),
            "use empirical for a list of observed lead times",
        );
        self.bad(
            n == 0 || !n.is_multiple_of(7),
            format!("weeks needs whole weeks of daily values (a multiple of 7, Monday first), found {n} values"),
            "e.g. { type = \"weeks\", values = [3, 4, 4, 5, 6, 9, 2] }; `echelon fit --method bootstrap` writes them",
        );
        self.bad(
            values.iter().any(|v| !v.is_finite() || *v < 0.0),
            "weeks values must be finite and ≥ 0".into(),
            "remove negative values",
        );
        Dist::Weeks { values }
    }

    /// Checks `gamma`.
    fn gamma(&mut self, mean: f64, sd: f64) -> Dist {
        let fin = |x: f64| x.is_finite();
        self.bad(
            !fin(mean) || mean <= 0.0,
            format!("gamma mean must be > 0, found {mean}"),
            "e.g. { type = \"gamma\", mean = 20, sd = 10 }",
        );
        self.bad(!fin(sd) || sd <= 0.0, format!("gamma sd must be > 0, found {sd}"), "use constant for a fixed value");
        Dist::Gamma { mean, sd }
    }

    /// Checks `uniform`.
    fn uniform(&mut self, min: f64, max: f64) -> Dist {
        let (lead, lo) = (self.lead, self.lo);
        let fin = |x: f64| x.is_finite();
        self.bad(
            !fin(min) || !fin(max) || min < lo || max < min,
            format!("uniform needs {lo} ≤ min ≤ max, found min = {min}, max = {max}"),
            "e.g. { type = \"uniform\", min = 2, max = 6 }",
        );
        self.bad(
            lead && (min.fract() != 0.0 || max.fract() != 0.0),
            "lead-time uniform bounds must be whole days".into(),
            "e.g. { type = \"uniform\", min = 2, max = 5 }",
        );
        Dist::Uniform { min, max }
    }

    /// Checks `constant`.
    fn constant(&mut self, value: f64) -> Dist {
        let (lead, lo) = (self.lead, self.lo);
        let fin = |x: f64| x.is_finite();
        self.bad(
            !fin(value) || value < lo,
            format!("constant value must be ≥ {lo}, found {value}"),
            "e.g. { type = \"constant\", value = 10 }",
        );
        self.bad(lead && value.fract() != 0.0, "lead times are whole days".into(), "use a whole number of days");
        Dist::Constant { value }
    }

    /// Checks `sequence`.
    fn sequence(&mut self, values: Vec<f64>) -> Dist {
        let lead = self.lead;
        let fin = |x: f64| x.is_finite();
        self.bad(
            lead,
            "sequence is not offered for lead times".into(),
            "use empirical for a list of observed lead times",
        );
        self.bad(
            values.is_empty(),
            "a sequence needs at least one value".into(),
            "e.g. { type = \"sequence\", values = [10, 12, 9] }",
        );
        self.bad(
            values.iter().any(|v| !fin(*v) || *v < 0.0),
            "sequence values must be finite and ≥ 0".into(),
            "remove negative values",
        );
        Dist::Sequence { values }
    }

    /// Checks `empirical`.
    fn empirical(&mut self, values: Vec<f64>) -> Dist {
        let (lead, lo) = (self.lead, self.lo);
        let fin = |x: f64| x.is_finite();
        self.bad(
            values.is_empty(),
            "an empirical distribution needs at least one value".into(),
            "e.g. { type = \"empirical\", values = [3, 4, 4, 6] }",
        );
        self.bad(
            values.iter().any(|v| !fin(*v) || *v < lo),
            format!("empirical values must be finite and ≥ {lo}"),
            "remove out-of-range values",
        );
        self.bad(
            lead && values.iter().any(|v| v.fract() != 0.0),
            "empirical lead times must be whole days".into(),
            "round the observations to whole days",
        );
        Dist::Empirical { values }
    }
}

/// Checks a distribution written as a TOML table (with a `type`).
pub(crate) fn check_dist_value(v: &Spanned<Value>, key: &str, lead: bool, d: &mut Diags) -> Option<Dist> {
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

/// A whole number of days ≥ `min` or a distribution of them (for durations and extra days).
pub(crate) fn check_days(v: &Value, span: &Range<usize>, key: &str, min: f64, d: &mut Diags) -> Option<Dist> {
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

/// Ids listed for a help text (the first 12, then how many in all).
pub(crate) fn known_list(ids: impl Iterator<Item = String>) -> String {
    let v: Vec<String> = ids.collect();
    if v.len() > 12 { format!("{}, ... ({} in all)", v[..12].join(", "), v.len()) } else { v.join(", ") }
}

/// Ids of the scenario's SKUs and locations, for resolving references and naming the known ones
/// in help texts.
pub(crate) struct Ids<'a> {
    /// Location index by id.
    pub loc: HashMap<String, usize>,
    /// SKU index by id.
    pub sku: HashMap<String, usize>,
    /// Location ids as written, in file order (candidates for did-you-mean).
    pub raw_locs: Vec<&'a str>,
    /// Ids of entries that failed to decode: references to them are not reported again.
    pub broken: &'a HashSet<String>,
    /// The known locations, listed for help texts.
    pub loc_list: String,
    /// The known SKUs, listed for help texts.
    pub sku_list: String,
}

impl Ids<'_> {
    /// Help for an unknown location id: the closest known id, and the known ones.
    pub fn location_help(&self, id: &str) -> String {
        match closest(id, self.raw_locs.iter().copied()) {
            Some(b) => format!("did you mean '{b}'? known: {}", self.loc_list),
            None => format!("known locations: {}", self.loc_list),
        }
    }
}
