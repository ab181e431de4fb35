//! Validation of replenishment policies: the `type` parsed once into a `PolicyType`, the levels
//! as written ([`LevelSpec`]) checked, then resolved against the position's demand.

use std::ops::Range;

use toml::{Spanned, Value};

use super::{LevelSpec, Policy, PolicyKind};
use crate::forecast::Forecast;
use crate::forecast::validate::check_forecast;
use crate::leadtime::LeadTime;
use crate::scenario::diag::{Diags, closest};
use serde::Deserialize;

use crate::scenario::raw::RawForecast;
use crate::scenario::values::{MAX_QUANTITY, SCALE_UNITS, at_most, decode_value};

/// A level as written, before it is resolved against the position's demand.
pub(crate) fn check_level(v: &Value, span: &Range<usize>, key: &str, d: &mut Diags) -> Option<LevelSpec> {
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

/// A policy's `type`, parsed once where it is read (`min_max` is another name for `s_S`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PolicyType {
    /// `base_stock`.
    BaseStock,
    /// `s_S` or `min_max`.
    SS,
    /// `r_Q`.
    RQ,
    /// `echelon_base_stock`.
    EchelonBaseStock,
    /// `none`.
    None,
}

impl PolicyType {
    /// The type named in a scenario file; `None` for an unknown name.
    fn parse(name: &str) -> Option<PolicyType> {
        Some(match name {
            "base_stock" => PolicyType::BaseStock,
            "s_S" | "min_max" => PolicyType::SS,
            "r_Q" => PolicyType::RQ,
            "echelon_base_stock" => PolicyType::EchelonBaseStock,
            "none" => PolicyType::None,
            _ => return None,
        })
    }
}

/// A policy as written: the rule's type, its level specs, review settings.
pub(crate) struct PolicyDraft {
    ty: PolicyType,
    levels: Vec<(&'static str, LevelSpec)>,
    review_days: u32,
    review_offset: u32,
    max_order: Option<f64>,
    forecast: Option<Forecast>,
    span: Range<usize>,
    key: String,
}

/// The settings every rule shares, as written (borrowed from the raw policy).
struct RawCommon<'r> {
    review_days: &'r Option<i64>,
    review_offset: &'r Option<i64>,
    max_order: &'r Option<f64>,
    forecast: &'r Option<RawForecast>,
}

/// Checks a `policy` table as written; levels stay specs until the position's demand is known.
pub(crate) fn check_policy(v: &Spanned<Value>, key: &str, d: &mut Diags) -> Option<PolicyDraft> {
    let span = v.span();
    let ty = policy_type(v, key, d)?;
    let raw: RawPolicy = decode_value(v, key, d)?;
    let mut levels = Vec::new();
    let mut ok = true;
    let mut lv =
        |name: &'static str, val: &Value, d: &mut Diags| match check_level(val, &span, &format!("{key}.{name}"), d) {
            Some(l) => levels.push((name, l)),
            None => ok = false,
        };
    let common =
        |review_days, review_offset, max_order, forecast| RawCommon { review_days, review_offset, max_order, forecast };
    let c = match &raw {
        RawPolicy::BaseStock { level, review_days, review_offset, max_order, forecast } => {
            lv("level", level, d);
            common(review_days, review_offset, max_order, forecast)
        }
        RawPolicy::EchelonBaseStock { level, review_days, review_offset, max_order } => {
            lv("level", level, d);
            common(review_days, review_offset, max_order, &None)
        }
        RawPolicy::SS { s, big_s, review_days, review_offset, max_order, forecast } => {
            lv("s", s, d);
            lv("S", big_s, d);
            common(review_days, review_offset, max_order, forecast)
        }
        RawPolicy::MinMax { min, max, review_days, review_offset, max_order, forecast } => {
            lv("s", min, d);
            lv("S", max, d);
            common(review_days, review_offset, max_order, forecast)
        }
        RawPolicy::None {} => common(&None, &None, &None, &None),
        RawPolicy::RQ { r, q, review_days, review_offset, max_order } => {
            lv("r", r, d);
            lv("Q", q, d);
            common(review_days, review_offset, max_order, &None)
        }
    };
    let forecast = policy_forecast(c.forecast, &levels, &span, key, &mut ok, d);
    let (review_days, review_offset) = review(c.review_days, c.review_offset, &span, key, &mut ok, d);
    let max_order = max_order(c.max_order, &span, key, &mut ok, d);
    ok.then(|| PolicyDraft { ty, levels, review_days, review_offset, max_order, forecast, span, key: key.to_string() })
}

/// Reads the policy's `type` into a [`PolicyType`]: a non-table, a missing or an unknown type
/// is reported (with the closest name).
fn policy_type(v: &Spanned<Value>, key: &str, d: &mut Diags) -> Option<PolicyType> {
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
    let Some(name) = t.get("type").and_then(Value::as_str) else {
        d.err(span, key, "the policy has no `type`", format!("add type = one of {}", POLICY_TYPES.join(", ")));
        return None;
    };
    let ty = PolicyType::parse(name);
    if ty.is_none() {
        let help = match closest(name, POLICY_TYPES.iter().copied()) {
            Some(b) => format!("did you mean \"{b}\"? (policies: {})", POLICY_TYPES.join(", ")),
            None => format!("policies: {}", POLICY_TYPES.join(", ")),
        };
        d.err(span, key, format!("unknown policy type '{name}'"), help);
    }
    ty
}

/// A policy's forecast. It re-sets the levels every day from the demand seen so far: only
/// levels that scale with demand (days of cover, service targets, lead-time cover) can follow it.
fn policy_forecast(
    fc: &Option<RawForecast>,
    levels: &[(&'static str, LevelSpec)],
    span: &Range<usize>,
    key: &str,
    ok: &mut bool,
    d: &mut Diags,
) -> Option<Forecast> {
    let f = check_forecast(fc.as_ref()?, span, &format!("{key}.forecast"), d);
    if let Some(f) = &f
        && (f.national || f.noise_cv > 0.0)
    {
        d.err(
            span.clone(),
            format!("{key}.forecast"),
            "a policy's forecast is its own location's demand: scope and noise_cv apply to push only",
            "remove scope and noise_cv (bias is allowed)",
        );
        *ok = false;
    }
    if let Some((name, _)) = levels.iter().find(|(_, l)| matches!(l, LevelSpec::Units(_))) {
        d.err(
            span.clone(),
            format!("{key}.{name}"),
            format!("with a forecast, {name} must follow demand, found a fixed number of units"),
            format!("write {name} = {{ days = 3 }}, {{ service = 0.95 }} or {{ lead_time_cover = 1.0 }}"),
        );
        *ok = false;
    }
    *ok &= f.is_some();
    f
}

/// `review_days` (default 1) and `review_offset` (default 0, below `review_days`).
fn review(
    rd: &Option<i64>,
    ro: &Option<i64>,
    span: &Range<usize>,
    key: &str,
    ok: &mut bool,
    d: &mut Diags,
) -> (u32, u32) {
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
            *ok = false;
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
            *ok = false;
            0
        }
    };
    (review_days, review_offset)
}

/// `max_order`: a positive cap, or none.
fn max_order(mo: &Option<f64>, span: &Range<usize>, key: &str, ok: &mut bool, d: &mut Diags) -> Option<f64> {
    match mo {
        None => None,
        Some(x) if x.is_finite() && *x > 0.0 && *x <= MAX_QUANTITY => Some(*x),
        Some(x) => {
            d.err(
                span.clone(),
                format!("{key}.max_order"),
                format!("max_order must be a positive number of at most {MAX_QUANTITY:e} units, found {x}"),
                "omit max_order for no cap",
            );
            *ok = false;
            None
        }
    }
}

/// Demand statistics of a position: mean and variance of daily demand at it and below.
#[derive(Clone, Copy, Default)]
pub(crate) struct DemandStats {
    /// Mean daily demand.
    pub mean: f64,
    /// Variance of daily demand.
    pub var: f64,
}

impl DemandStats {
    /// Both demands together (independent: means and variances add); `self` bit for bit when
    /// `o` is zero, so adding nothing changes no level.
    pub(crate) fn plus(self, o: DemandStats) -> DemandStats {
        if o.mean == 0.0 && o.var == 0.0 {
            self
        } else {
            DemandStats { mean: self.mean + o.mean, var: self.var + o.var }
        }
    }
}

/// A level in units from its spec, for a position with these demand statistics.
pub(crate) fn resolve_level(spec: LevelSpec, st: DemandStats, lt: &LeadTime, review: u32) -> f64 {
    super::resolve_level(spec, st.mean, st.var, lt, review)
}

/// Resolves a draft's levels against a position's demand and lead time into a [`Policy`],
/// checking what only the numbers can tell (s < S, Q > 0).
pub(crate) fn finish_policy(
    p: &PolicyDraft,
    st: DemandStats,
    lt: &LeadTime,
    at: &str,
    d: &mut Diags,
) -> Option<Policy> {
    let v: Vec<f64> = p.levels.iter().map(|(_, s)| resolve_level(*s, st, lt, p.review_days)).collect();
    for ((name, _), x) in p.levels.iter().zip(&v) {
        let (key, what) = (format!("{}.{name}", p.key), format!("{name} at '{at}'"));
        if !at_most(d, p.span.clone(), &key, *x, MAX_QUANTITY, &what, SCALE_UNITS) {
            return None;
        }
    }
    let kind = match p.ty {
        PolicyType::BaseStock => PolicyKind::BaseStock { level: v[0] },
        PolicyType::EchelonBaseStock => PolicyKind::EchelonBaseStock { level: v[0] },
        PolicyType::None => PolicyKind::None,
        PolicyType::SS => {
            if v[0] >= v[1] {
                d.err(
                    p.span.clone(),
                    p.key.clone(),
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
        PolicyType::RQ => {
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

/// A policy table as written; stock levels stay raw values (units, `{ days = .. }` or
/// `{ service = .. }`) until validation.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", deny_unknown_fields)]
pub(crate) enum RawPolicy {
    #[serde(rename = "base_stock")]
    BaseStock {
        level: Value,
        review_days: Option<i64>,
        review_offset: Option<i64>,
        max_order: Option<f64>,
        forecast: Option<RawForecast>,
    },
    #[serde(rename = "s_S")]
    SS {
        s: Value,
        #[serde(rename = "S")]
        big_s: Value,
        review_days: Option<i64>,
        review_offset: Option<i64>,
        max_order: Option<f64>,
        forecast: Option<RawForecast>,
    },
    #[serde(rename = "min_max")]
    MinMax {
        min: Value,
        max: Value,
        review_days: Option<i64>,
        review_offset: Option<i64>,
        max_order: Option<f64>,
        forecast: Option<RawForecast>,
    },
    #[serde(rename = "r_Q")]
    RQ {
        r: Value,
        #[serde(rename = "Q")]
        q: Value,
        review_days: Option<i64>,
        review_offset: Option<i64>,
        max_order: Option<f64>,
    },
    #[serde(rename = "echelon_base_stock")]
    EchelonBaseStock { level: Value, review_days: Option<i64>, review_offset: Option<i64>, max_order: Option<f64> },
    #[serde(rename = "none")]
    None {},
}

/// Names accepted for `type` in a policy table.
pub(crate) const POLICY_TYPES: &[&str] = &["base_stock", "s_S", "min_max", "r_Q", "echelon_base_stock", "none"];

/// A stock level that is not a plain number: `{ days = 5 }` or `{ service = 0.97 }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLevel {
    pub(crate) days: Option<f64>,
    pub(crate) service: Option<f64>,
    pub(crate) lead_time_cover: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every name the diagnostics offer parses (min_max as s_S), and nothing else does.
    #[test]
    fn policy_types_parse_exactly_the_listed_names() {
        for name in POLICY_TYPES {
            assert!(PolicyType::parse(name).is_some(), "{name}");
        }
        assert_eq!(PolicyType::parse("min_max"), Some(PolicyType::SS));
        assert_eq!(PolicyType::parse("r_q"), None);
        assert_eq!(PolicyType::parse("base_stok"), None);
    }
}
