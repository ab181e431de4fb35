//! From TOML text to a validated [`Scenario`]: decode each section on its own, then resolve ids
//! and check every parameter, collecting all problems before giving up.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::diag::{Diags, closest};
use super::overlay;
use super::patch::{self, Patch};
use super::raw::*;
use super::values::{check_dist_value, decode, int_in, known_list, num_at_least, opt_cost};
use super::*;
use crate::allocation::validate::{allocation_keys, check_rebalancing};
use crate::demand::validate::{check_factors, check_shocks, segment_labels};
use crate::disruption::validate::{check_delays, check_disruptions};
use crate::leadtime::validate::{add_lead_time_noise, check_lead_time, scale_lead_time_variance};
use crate::network::{Cycle, Network};
use crate::policy::validate::{DemandStats, PolicyDraft, check_level, check_policy, finish_policy, resolve_level};

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
    allocation_keys(&raw.locations, &mut locations, &skus, d);

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

    let shocks = check_shocks(&raw.shocks, &locations, &skus, &demand, d);
    let factors = check_factors(&raw.factors, &locations, &skus, &demand, d);
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
