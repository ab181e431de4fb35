//! Validation of the shipping side of a location: rationing, reserve, push, launch, weight, and
//! lateral rebalancing between stores.

use std::ops::Range;

use toml::{Spanned, Value};

use super::{Launch, LaunchBy, Push, Rationing, RebalanceWithin, Rebalancing, Reserve};
use crate::forecast::validate::check_forecast;
use crate::forecast::{Forecast, ForecastMethod};
use crate::policy::LevelSpec;
use crate::policy::validate::check_level;
use crate::scenario::diag::{Diags, closest};
use crate::scenario::raw::{RawLaunch, RawLocation, RawPush, RawRebalancing};
use crate::scenario::values::{MAX_QUANTITY, num_at_least};
use crate::scenario::{Location, LocationKind, Sku};

/// Shipping-side allocation keys of each location: rationing, reserve, push, launch, weight.
pub(crate) fn allocation_keys(raw: &[(usize, RawLocation)], locations: &mut [Location], skus: &[Sku], d: &mut Diags) {
    let ids: Vec<String> = locations.iter().map(|l| l.id.clone()).collect();
    for (n, (i, l)) in raw.iter().enumerate() {
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

/// `push = { cycle_days, offset, buffer, forecast }` on a warehouse.
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

/// `launch = { total, keep, by }` on a warehouse: totals per SKU and how they are split.
fn check_launch(la: &Spanned<RawLaunch>, key: &str, skus: &[Sku], d: &mut Diags) -> Option<Launch> {
    let r = la.get_ref();
    let span = la.span();
    // A total above MAX_QUANTITY is refused like a bad number (its message names the bound).
    let ok = |x: f64| x.is_finite() && (0.0..=MAX_QUANTITY).contains(&x);
    let total = match &r.total {
        Value::Integer(n) if ok(*n as f64) => vec![Some(*n as f64); skus.len()],
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
                        format!("expected a number of units between 0 and {MAX_QUANTITY:e}"),
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
                format!("expected a number of units between 0 and {MAX_QUANTITY:e}, or a table by SKU"),
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

/// `[rebalancing]`: lateral transfers between stores.
pub(crate) fn check_rebalancing(span: &Range<usize>, r: &RawRebalancing, d: &mut Diags) -> Option<Rebalancing> {
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
