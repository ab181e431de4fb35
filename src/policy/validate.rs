//! Validation of replenishment policies: the `type` parsed once into a [`PolicyType`], the levels
//! as written ([`LevelSpec`]) checked, then resolved against the position's demand.

use std::ops::Range;

use toml::{Spanned, Value};

use super::{LevelSpec, Policy, PolicyKind};
use crate::forecast::Forecast;
use crate::forecast::validate::check_forecast;
use crate::leadtime::LeadTime;
use crate::scenario::diag::{Diags, closest};
use crate::scenario::raw::{POLICY_TYPES, RawLevel, RawPolicy};
use crate::scenario::values::decode_value;

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

/// A policy as written: the rule's name, its level specs, review settings.
pub(crate) struct PolicyDraft {
    name: &'static str,
    levels: Vec<(&'static str, LevelSpec)>,
    review_days: u32,
    review_offset: u32,
    max_order: Option<f64>,
    forecast: Option<Forecast>,
    span: Range<usize>,
    key: String,
}

pub(crate) fn check_policy(v: &Spanned<Value>, key: &str, d: &mut Diags) -> Option<PolicyDraft> {
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
pub(crate) struct DemandStats {
    /// Mean daily demand.
    pub mean: f64,
    /// Variance of daily demand.
    pub var: f64,
}

pub(crate) fn resolve_level(spec: LevelSpec, st: DemandStats, lt: &LeadTime, review: u32) -> f64 {
    super::resolve_level(spec, st.mean, st.var, lt, review)
}

pub(crate) fn finish_policy(
    p: &PolicyDraft,
    st: DemandStats,
    lt: &LeadTime,
    at: &str,
    d: &mut Diags,
) -> Option<Policy> {
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
