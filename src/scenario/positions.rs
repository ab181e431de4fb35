//! Stocking positions: which SKUs each location carries (listed, or demanded at or below it),
//! the per-position overrides, demand statistics at and below each location, and each position's
//! validated policy and costs.

use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;

use super::diag::Diags;
use super::raw::*;
use super::values::{Ids, MAX_DAILY_HOLDING_SHARE, MAX_QUANTITY, SCALE_UNITS, at_most, check_holding_rate, opt_cost};
use super::{Location, LocationKind, Position, RoutedShare, Sku};
use crate::demand::Demand;
use crate::network::Network;
use crate::policy::validate::{DemandStats, PolicyDraft, check_level, check_policy, finish_policy, resolve_level};

use super::validate::Raw;

/// Whole units: as written, else inferred from the SKU's demand (all of it integral).
pub(super) fn infer_discrete(skus: &mut [Sku], raw: &[(usize, RawSku)], demand: &[Demand]) {
    // (has demand, all of it integral) per SKU, in one pass over the demand.
    let mut seen = vec![(false, true); skus.len()];
    for x in demand {
        let s = &mut seen[x.sku];
        *s = (true, s.1 && x.dist.is_integral());
    }
    for (k, sku) in skus.iter_mut().enumerate() {
        sku.discrete = match raw.get(k).and_then(|(_, s)| s.discrete) {
            Some(b) => b,
            None => seen[k].0 && seen[k].1,
        };
    }
}

/// `[[positions]]` entries by (location, SKU).
type Overrides<'r> = HashMap<(usize, usize), &'r RawPosition>;

/// Which SKUs each stocking location carries (`carries[location][sku]`): its `skus` list if it
/// has one, else what is demanded there or below, plus its `[[positions]]` entries. Suppliers
/// carry nothing.
pub(super) fn carried_skus<'r>(
    raw: &'r Raw,
    ids: &Ids<'_>,
    locations: &[Location],
    skus: &[Sku],
    demand: &[Demand],
    network: &Network,
    d: &mut Diags,
) -> (Vec<Vec<bool>>, Overrides<'r>) {
    let mut carries = vec![vec![false; skus.len()]; locations.len()];
    for dm in demand {
        for c in network.up_from(dm.location) {
            carries[c][dm.sku] = true;
        }
        // An online location's nodes (and their sources) stock what it sells.
        for &node in &locations[dm.location].channel.fulfil_from {
            for c in network.up_from(node) {
                carries[c][dm.sku] = true;
            }
        }
    }
    let listed = listed_skus(&raw.locations, ids, d);
    let overrides = position_overrides(&raw.positions, ids, locations, skus, &mut carries, d);
    let demanded: std::collections::HashSet<(usize, usize)> = if listed.iter().any(Option::is_some) {
        demand.iter().map(|x| (x.location, x.sku)).collect()
    } else {
        Default::default()
    };
    for (l, carried) in carries.iter_mut().enumerate() {
        if let Some(list) = &listed[l] {
            for (k, c) in carried.iter_mut().enumerate() {
                let want = list.contains(&k);
                if *c && !want && demanded.contains(&(l, k)) {
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
            carried.iter_mut().for_each(|c| *c = false);
        }
    }
    (carries, overrides)
}

/// Each location's `skus` list, resolved to indices (unknown SKUs reported).
fn listed_skus(raw: &[(usize, RawLocation)], ids: &Ids<'_>, d: &mut Diags) -> Vec<Option<Vec<usize>>> {
    let mut listed: Vec<Option<Vec<usize>>> = vec![None; raw.len()];
    for (n, (i, l)) in raw.iter().enumerate() {
        if let Some(list) = &l.skus {
            let mut v = Vec::new();
            for s in list.get_ref() {
                match ids.sku.get(s.as_str()) {
                    Some(&k) => v.push(k),
                    None => d.err(
                        list.span(),
                        format!("locations[{i}].skus"),
                        format!("unknown SKU '{s}'"),
                        format!("known SKUs: {}", ids.sku_list),
                    ),
                }
            }
            listed[n] = Some(v);
        }
    }
    listed
}

/// `[[positions]]` entries by (location, SKU); each makes its location carry the SKU.
fn position_overrides<'r>(
    raw: &'r [(usize, RawPosition)],
    ids: &Ids<'_>,
    locations: &[Location],
    skus: &[Sku],
    carries: &mut [Vec<bool>],
    d: &mut Diags,
) -> Overrides<'r> {
    let mut overrides: Overrides<'r> = HashMap::new();
    for (i, p) in raw {
        let key = format!("positions[{i}]");
        let l = ids.loc.get(p.location.get_ref().as_str()).copied();
        let k = ids.sku.get(p.sku.get_ref().as_str()).copied();
        if l.is_none() && !ids.broken.contains(p.location.get_ref()) {
            d.err(
                p.location.span(),
                format!("{key}.location"),
                format!("unknown location '{}'", p.location.get_ref()),
                format!("known locations: {}", ids.loc_list),
            );
        }
        if k.is_none() {
            d.err(
                p.sku.span(),
                format!("{key}.sku"),
                format!("unknown SKU '{}'", p.sku.get_ref()),
                format!("known SKUs: {}", ids.sku_list),
            );
        }
        let (Some(l), Some(k)) = (l, k) else { continue };
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
    overrides
}

/// Mean and variance of daily demand per (location, SKU), including everything below: `own` of
/// customers (walk-in, BOPIS), `routed` of the online demand the nodes plan to ship (empty
/// without online demand).
pub(super) struct DemandPlan {
    pub(super) own: Vec<Vec<DemandStats>>,
    pub(super) routed: Vec<Vec<DemandStats>>,
}

/// Each (location, SKU)'s [`DemandPlan`]: customer demand counts at its location and every
/// location above; a node's share of online demand at the node and above.
pub(super) fn demand_stats(
    demand: &[Demand],
    routed: &[RoutedShare],
    network: &Network,
    n_loc: usize,
    n_sku: usize,
) -> DemandPlan {
    let mut own = vec![vec![DemandStats::default(); n_sku]; n_loc];
    for dm in demand {
        for c in network.up_from(dm.location) {
            own[c][dm.sku].mean += dm.dist.mean();
            own[c][dm.sku].var += dm.dist.sd().powi(2);
        }
    }
    let mut plan = DemandPlan { own, routed: Vec::new() };
    if !routed.is_empty() {
        plan.routed = vec![vec![DemandStats::default(); n_sku]; n_loc];
    }
    for r in routed {
        let dm = &demand[r.demand];
        let (mean, var) = crate::channel::plan::thinned(dm.dist.mean(), dm.dist.sd().powi(2), r.share);
        for c in network.up_from(r.node) {
            plan.routed[c][dm.sku].mean += mean;
            plan.routed[c][dm.sku].var += var;
        }
    }
    plan
}

/// `[segments.<label>]` labels must be ABC × XYZ segments.
pub(super) fn check_segment_labels(segments: &[(String, Range<usize>, RawSegment)], d: &mut Diags) {
    for (label, span, _) in segments {
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
}

/// What the positions phase reads: the raw file and the phases before it.
pub(super) struct PositionCtx<'a> {
    pub(super) raw: &'a Raw,
    pub(super) locations: &'a [Location],
    pub(super) skus: &'a [Sku],
    pub(super) carries: &'a [Vec<bool>],
    pub(super) overrides: &'a Overrides<'a>,
    pub(super) segment_of: &'a HashMap<(usize, usize), String>,
    pub(super) stats: &'a DemandPlan,
}

/// The stocking positions, location-major in file order: every carried (location, SKU) with its
/// policy (position entry, else segment, else location), initial stock and costs.
pub(super) fn check_positions(c: &PositionCtx<'_>, d: &mut Diags) -> Vec<Position> {
    let loc_policy: Vec<Option<PolicyDraft>> = c
        .raw
        .locations
        .iter()
        .map(|(i, l)| l.policy.as_ref().and_then(|p| check_policy(p, &format!("locations[{i}].policy"), d)))
        .collect();
    let mut positions = Vec::new();
    let mut policy_missing_reported = vec![false; c.locations.len()];
    for l in 0..c.locations.len() {
        for k in 0..c.skus.len() {
            if !c.carries[l][k] {
                continue;
            }
            if c.locations[l].kind == LocationKind::Online {
                let st = c.stats.own[l][k];
                positions.push(crate::channel::validate::online_position(l, k, &c.skus[k], st.mean, st.var.sqrt()));
                continue;
            }
            source_carries(c, l, k, d);
            let ov = c.overrides.get(&(l, k)).copied();
            let segment = c.segment_of.get(&(l, k)).cloned();
            let seg = segment.as_ref().and_then(|s| c.raw.segments.iter().find(|x| &x.0 == s));
            let ov_policy = ov
                .and_then(|o| o.policy.as_ref())
                .and_then(|p| check_policy(p, &format!("positions[{}/{}].policy", c.locations[l].id, c.skus[k].id), d));
            let seg_policy = seg
                .and_then(|x| x.2.policy.as_ref())
                .and_then(|p| check_policy(p, &format!("segments.{}.policy", seg.map_or("", |x| x.0.as_str())), d));
            let Some(draft) = ov_policy.as_ref().or(seg_policy.as_ref()).or(loc_policy[l].as_ref()) else {
                if !policy_missing_reported[l] && no_policy_written(c, l, ov) {
                    policy_missing_reported[l] = true;
                    report_no_policy(c, l, k, d);
                }
                continue;
            };
            if let Some(p) = position(c, (l, k), draft, ov, seg, segment, d) {
                positions.push(p);
            }
        }
    }
    positions
}

/// A stocking location's source, unless a supplier, must carry the SKU too.
fn source_carries(c: &PositionCtx<'_>, l: usize, k: usize, d: &mut Diags) {
    let locations = c.locations;
    if let Some(src) = locations[l].source
        && locations[src].kind != LocationKind::Supplier
        && !c.carries[src][k]
    {
        let (i, rl) = &c.raw.locations[l];
        d.err(
            rl.id.span(),
            format!("locations[{i}]"),
            format!(
                "'{}' stocks '{}' but its source '{}' does not carry it",
                locations[l].id, c.skus[k].id, locations[src].id
            ),
            format!("add '{}' to the skus list of '{}'", c.skus[k].id, locations[src].id),
        );
    }
}

/// Neither the location nor the position entry writes a policy (a written but invalid one was
/// reported already).
fn no_policy_written(c: &PositionCtx<'_>, l: usize, ov: Option<&RawPosition>) -> bool {
    c.raw.locations[l].1.policy.is_none() && ov.and_then(|o| o.policy.as_ref()).is_none()
}

/// Reports a stocking location without a policy (once per location).
fn report_no_policy(c: &PositionCtx<'_>, l: usize, k: usize, d: &mut Diags) {
    let (i, rl) = &c.raw.locations[l];
    let loc = &c.locations[l];
    d.err(
        rl.id.span(),
        format!("locations[{i}].policy"),
        format!("{} '{}' stocks '{}' but has no policy", loc.kind.as_str(), loc.id, c.skus[k].id),
        "add e.g. policy = { type = \"base_stock\", level = 40 } (or a [[positions]] entry per SKU)",
    );
}

/// One position: the policy resolved against its demand, initial stock and costs (position
/// entry, else location, else the SKU's).
fn position(
    c: &PositionCtx<'_>,
    (l, k): (usize, usize),
    draft: &PolicyDraft,
    ov: Option<&RawPosition>,
    seg: Option<&(String, Range<usize>, RawSegment)>,
    segment: Option<String>,
    d: &mut Diags,
) -> Option<Position> {
    let (i, rl) = &c.raw.locations[l];
    let (loc, sku, own) = (&c.locations[l], &c.skus[k], c.stats.own[l][k]);
    let routed = c.stats.routed.get(l).map_or(DemandStats::default(), |r| r[k]);
    // Levels plan for the online demand the node ships too.
    let st = own.plus(routed);
    let at = format!("{}/{}", loc.id, sku.id);
    let policy = finish_policy(draft, st, &loc.lead_time, &at, d)?;
    let init_raw = ov
        .and_then(|o| o.initial_on_hand.as_ref())
        .or(seg.and_then(|x| x.2.initial_on_hand.as_ref()))
        .or(rl.initial_on_hand.as_ref());
    let initial_on_hand = init_raw.and_then(|v| {
        let key = format!("locations[{i}].initial_on_hand");
        check_level(v.get_ref(), &v.span(), &key, d)
            .map(|s| resolve_level(s, st, &loc.lead_time, policy.review_days))
            .filter(|&x| at_most(d, v.span(), &key, x, MAX_QUANTITY, "initial_on_hand", SCALE_UNITS))
    });
    let pick =
        |o: Option<&Option<Spanned<f64>>>, own: &Option<Spanned<f64>>, default: f64, name: &str, d: &mut Diags| {
            o.and_then(|x| opt_cost(d, x, &format!("positions[{at}].{name}")))
                .or_else(|| opt_cost(d, own, &format!("locations[{i}].{name}")))
                .unwrap_or(default)
        };
    let holding_cost = pick(ov.map(|o| &o.holding_cost), &rl.holding_cost, sku.holding_cost, "holding_cost", d);
    // The SKU's own holding cost was checked with the SKU; an override is checked here, unless
    // the SKU's own cost is as high (the file means its costs per day: one warning says so).
    let written = match ov.and_then(|o| o.holding_cost.as_ref()) {
        Some(h) => Some((h.span(), format!("positions[{at}].holding_cost"))),
        None => rl.holding_cost.as_ref().map(|h| (h.span(), format!("locations[{i}].holding_cost"))),
    };
    if let Some((span, key)) = written
        && sku.holding_cost <= MAX_DAILY_HOLDING_SHARE * sku.unit_cost
    {
        check_holding_rate(d, span, &key, holding_cost, sku.unit_cost);
    }
    let stockout_cost = pick(ov.map(|o| &o.stockout_cost), &rl.stockout_cost, sku.stockout_cost, "stockout_cost", d);
    let order_cost = pick(ov.map(|o| &o.order_cost), &rl.order_cost, sku.order_cost, "order_cost", d);
    Some(Position {
        location: l,
        sku: k,
        policy,
        initial_on_hand,
        holding_cost,
        stockout_cost,
        order_cost,
        mean_daily_demand: own.mean,
        sd_daily_demand: own.var.sqrt(),
        routed_daily_demand: routed.mean,
        routed_var: routed.var,
        segment,
    })
}
