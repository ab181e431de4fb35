//! Validation of customer demand: the `[[demand]]` entries, shocks, common factors, and the
//! ABC × XYZ segments of the demanded positions.

use std::collections::HashMap;
use std::ops::Range;

use toml::{Spanned, Value};

use super::{CommonFactor, Demand, Promotion, Shock};
use crate::distribution::Dist;
use crate::scenario::diag::{Diags, closest};
use crate::scenario::raw::{RawDemand, RawFactor, RawSeasonality, RawShock};
use crate::scenario::values::{Ids, MAX_QUANTITY, check_days, check_dist_value, num_at_least};
use crate::scenario::{Location, LocationKind, Sku};

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

/// `[[shocks]]`: random demand shocks on the streams each entry names.
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

/// `[[common_factors]]`: daily factors shared by the streams each entry names.
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
    // Index of each pair in `own`: a million positions must not be a quadratic search.
    let mut at: HashMap<(usize, usize), usize> = HashMap::with_capacity(demand.len());
    for x in demand {
        let key = (x.location, x.sku);
        match at.get(&key) {
            Some(&i) => {
                own[i].1 += x.dist.mean();
                own[i].2 += x.dist.sd().powi(2);
            }
            None => {
                at.insert(key, own.len());
                own.push((key, x.dist.mean(), x.dist.sd().powi(2)));
            }
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

/// The `[[demand]]` entries: each names a stocking location and (with several SKUs) a SKU, a
/// daily distribution, seasonality, promotions and a trend. Entries with a problem are reported
/// and left out; several streams of one position are keyed `demand/<location>/<sku>/<n>`.
pub(crate) fn check_demand(
    raw: &[(usize, RawDemand)],
    ids: &Ids<'_>,
    locations: &[Location],
    skus: &[Sku],
    d: &mut Diags,
) -> Vec<Demand> {
    let mut demand: Vec<Demand> = Vec::new();
    let mut per_pair: HashMap<(usize, usize), usize> = HashMap::new();
    for (i, r) in raw {
        let key = format!("demand[{i}]");
        let loc = demand_location(r, &key, ids, locations, d);
        let sku = demand_sku(r, &key, ids, skus, d);
        let dist = check_dist_value(&r.distribution, &format!("{key}.distribution"), false, d);
        let (weekly, monthly) = r.seasonality.as_ref().map_or((None, None), |s| seasonality(s.get_ref(), &key, d));
        let promotions = promotions(r, &key, d);
        if let (Some(location), Some(sku), Some(dist)) = (loc, sku, dist) {
            let nth = per_pair.entry((location, sku)).or_insert(0);
            let key = format!("demand/{}/{}/{}", locations[location].id, skus[sku].id, nth);
            *nth += 1;
            let trend_per_year = trend(r, *i, d);
            let channel =
                crate::channel::validate::demand_channel(r, &format!("demand[{i}]"), locations[location].kind, d);
            let dm = Demand { location, sku, dist, weekly, monthly, promotions, trend_per_year, key, channel };
            if peak_in_bounds(&dm, r.distribution.span(), &format!("demand[{i}]"), d) {
                demand.push(dm);
            }
        }
    }
    demand
}

/// Whether the largest daily demand an entry can expect — its mean (or sd) times the largest
/// weekday and month factors, every promotion at once and the trend at the far end of the
/// horizon — stays within [`MAX_QUANTITY`] (reported otherwise).
fn peak_in_bounds(dm: &Demand, span: Range<usize>, key: &str, d: &mut Diags) -> bool {
    let top = |f: &[f64]| f.iter().copied().fold(0.0, f64::max);
    let mut ln_factor = 0.0;
    ln_factor += dm.weekly.map_or(0.0, |w| top(&w).ln());
    ln_factor += dm.monthly.map_or(0.0, |m| top(&m).ln());
    ln_factor += dm.promotions.iter().map(|p| p.multiplier.ln().max(0.0)).sum::<f64>();
    let years = (d.days.unwrap_or(0).max(d.warmup)) as f64 / 365.0;
    ln_factor += (1.0 + dm.trend_per_year).ln().abs() * years;
    let base = dm.dist.mean().max(dm.dist.sd());
    if base <= 0.0 || base.ln() + ln_factor <= MAX_QUANTITY.ln() {
        return true;
    }
    d.err(
        span,
        key,
        format!(
            "with its seasonality, promotions and trend this demand can reach {:.3e} units a day, more than \
             echelon can compute with (at most {MAX_QUANTITY:e})",
            (base.ln() + ln_factor).exp()
        ),
        "lower the multipliers or the trend, or scale the units (e.g. cases instead of pieces)",
    );
    false
}

/// The location a demand entry names: a known warehouse or store.
fn demand_location(r: &RawDemand, key: &str, ids: &Ids<'_>, locations: &[Location], d: &mut Diags) -> Option<usize> {
    let lid = r.location.get_ref().as_str();
    match ids.loc.get(lid) {
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
        None if ids.broken.contains(lid) => None,
        None => {
            d.err(
                r.location.span(),
                format!("{key}.location"),
                format!("unknown location '{lid}'"),
                ids.location_help(lid),
            );
            None
        }
    }
}

/// The SKU a demand entry names (optional when the scenario has one SKU).
fn demand_sku(r: &RawDemand, key: &str, ids: &Ids<'_>, skus: &[Sku], d: &mut Diags) -> Option<usize> {
    match &r.sku {
        None if skus.len() == 1 => Some(0),
        None => {
            d.err(
                r.location.span(),
                format!("{key}.sku"),
                format!("this demand entry needs `sku`: the scenario has {} SKUs", skus.len()),
                format!("add sku = one of {}", ids.sku_list),
            );
            None
        }
        Some(s) => match ids.sku.get(s.get_ref().as_str()) {
            Some(&k) => Some(k),
            None => {
                let help = match closest(s.get_ref(), skus.iter().map(|x| x.id.as_str())) {
                    Some(b) => format!("did you mean '{b}'? known SKUs: {}", ids.sku_list),
                    None => format!("known SKUs: {}", ids.sku_list),
                };
                d.err(s.span(), format!("{key}.sku"), format!("unknown SKU '{}'", s.get_ref()), help);
                None
            }
        },
    }
}

/// Day-of-week (Monday first) and month-of-year (January first) factors, each ≥ 0.
fn seasonality(s: &RawSeasonality, key: &str, d: &mut Diags) -> (Option<[f64; 7]>, Option<[f64; 12]>) {
    let mut weekly = None;
    let mut monthly = None;
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
    (weekly, monthly)
}

/// The entry's promotions; a bad one is reported and skipped.
fn promotions(r: &RawDemand, key: &str, d: &mut Diags) -> Vec<Promotion> {
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
        let what = if pr.shock.unwrap_or(false) { "the demand surge" } else { "the promotion" };
        d.window_in_horizon(p.span(), &format!("{key}.promotions[{j}]"), what, (pr.first_day, pr.last_day));
        promotions.push(Promotion {
            first_day: pr.first_day,
            last_day: pr.last_day,
            multiplier: pr.multiplier,
            shock: pr.shock.unwrap_or(false),
        });
    }
    promotions
}

/// Growth of the mean per year, above -1 (default 0).
fn trend(r: &RawDemand, i: usize, d: &mut Diags) -> f64 {
    r.trend_per_year.as_ref().map_or(0.0, |t| {
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
    })
}
