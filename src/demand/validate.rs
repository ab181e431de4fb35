//! Validation of customer demand: the `[[demand]]` entries, shocks, common factors, and the
//! ABC × XYZ segments of the demanded positions.

use std::collections::HashMap;
use std::ops::Range;

use toml::{Spanned, Value};

use super::{CommonFactor, Demand, Shock};
use crate::distribution::Dist;
use crate::scenario::diag::Diags;
use crate::scenario::raw::{RawFactor, RawShock};
use crate::scenario::values::{check_days, check_dist_value, num_at_least};
use crate::scenario::{Location, Sku};

/// How an entry names demand streams: `location`, `locations`, `region`, `sku` (none: all).
pub(crate) struct Targets<'r> {
    location: &'r Option<Spanned<String>>,
    locations: &'r Option<Spanned<Vec<String>>>,
    region: &'r Option<Spanned<String>>,
    sku: &'r Option<Spanned<String>>,
}

/// Which demand streams `t` names; reports unknown names.
pub(crate) fn demand_targets(
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

pub(crate) fn check_shocks(
    raw: &[(usize, RawShock)],
    locations: &[Location],
    skus: &[Sku],
    demand: &[Demand],
    d: &mut Diags,
) -> Vec<Shock> {
    let mut out = Vec::new();
    for (i, r) in raw {
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

pub(crate) fn check_factors(
    raw: &[(usize, RawFactor)],
    locations: &[Location],
    skus: &[Sku],
    demand: &[Demand],
    d: &mut Diags,
) -> Vec<CommonFactor> {
    let mut out = Vec::new();
    for (i, r) in raw {
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

/// ABC × XYZ segments of the customer-facing (location, SKU) pairs: ABC by share of total
/// expected volume (A: the largest pairs making up the first 80 %, B: the next 15 %, C: the
/// rest), XYZ by the coefficient of variation of daily demand (X ≤ 0.5 < Y ≤ 1 < Z).
pub(crate) fn segment_labels(demand: &[Demand]) -> HashMap<(usize, usize), String> {
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
