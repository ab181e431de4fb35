//! From TOML text to a validated [`Scenario`]: decode each section on its own, then resolve ids
//! and check every parameter, collecting all problems before giving up.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::Position;
use super::diag::{Diags, closest};
use super::overlay;
use super::patch::{self, Patch};
use super::positions::{
    PositionCtx, carried_skus, check_positions, check_segment_labels, demand_stats, infer_discrete,
};
use super::raw::*;
use super::tables;
use super::values::{
    Ids, MAX_LEAD_DAYS, check_holding_rate, decode, int_in, known_list, longest_days, num_at_least, opt_cost, quantity,
};
use super::{
    Diagnostic, Location, LocationKind, Scenario, ScenarioError, Simulation, Sku, Source, UnmetDemand, Variant,
};
use crate::allocation::Rationing;
use crate::allocation::validate::{allocation_keys, check_rebalancing};
use crate::demand::Demand;
use crate::demand::validate::{check_demand, check_factors, check_shocks, segment_labels};
use crate::disruption::validate::{check_delays, check_disruptions};
use crate::leadtime::LeadTime;
use crate::leadtime::validate::{add_lead_time_noise, check_lead_time, scale_lead_time_variance};
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
    "records",
    "strategies",
    "stress",
    "tables",
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

/// The decoded sections of a scenario file, each entry with its position in its list.
pub(super) struct Raw {
    pub(super) name: Option<String>,
    pub(super) description: Option<String>,
    pub(super) simulation: RawSimulation,
    pub(super) skus: Vec<(usize, RawSku)>,
    pub(super) locations: Vec<(usize, RawLocation)>,
    pub(super) demand: Vec<(usize, RawDemand)>,
    pub(super) positions: Vec<(usize, RawPosition)>,
    pub(super) shocks: Vec<(usize, RawShock)>,
    pub(super) factors: Vec<(usize, RawFactor)>,
    pub(super) rebalancing: Option<(Range<usize>, RawRebalancing)>,
    pub(super) records: Option<(Range<usize>, crate::records::validate::RawRecords)>,
    pub(super) segments: Vec<(String, Range<usize>, RawSegment)>,
    /// Ids of entries that failed to decode: references to them are not reported again.
    pub(super) broken_ids: HashSet<String>,
    pub(super) doc_span: Range<usize>,
}

/// Parses, applies overlays and patches, decodes and checks: every problem found, or the scenario.
pub(super) fn load_variant(src: &Source, v: &Variant) -> Result<Scenario, ScenarioError> {
    let patches = &v.patches;
    let (mut parsed, syntax) = DeTable::parse_recoverable(&src.text);
    if !syntax.is_empty() {
        let mut d = Diags::new(src);
        syntax_errors(&syntax, &mut d);
        return Err(ScenarioError::Invalid(d.list));
    }
    // The rows of `[tables]` join the document before overlays and patches, so these work on
    // them too; the document borrows the tables' text (and the arena's) from here on.
    let src = &tables::read(src, &mut parsed)?;
    let arena = tables::Arena::default();
    let mut doc = parsed;
    let mut d = Diags::new(src);
    tables::append(&mut doc, src, &arena, &mut d);
    if !d.is_empty() {
        return Err(ScenarioError::Invalid(d.list));
    }
    // Strategy and stress overlays become patches; the command line's `--set`s come last, so
    // they win over anything a strategy or stress test sets.
    let (strategies, stresses, strategy, stress, overlay_patches) = overlay::apply(&mut doc, v, &mut d);
    let all: Vec<Patch> = overlay_patches.into_iter().chain(patches.iter().cloned()).collect();
    let mut doc = doc;
    for p in &all {
        if let Err(e) = patch::apply(&mut doc, p) {
            match &p.span {
                Some(span) => d.err(
                    span.clone(),
                    p.path.clone(),
                    e.message,
                    e.help.unwrap_or_else(|| "check the location ids and keys this entry names".into()),
                ),
                None => d.list.push(Diagnostic {
                    file: p.origin.clone(),
                    line: 0,
                    column: 0,
                    key: p.path.clone(),
                    message: e.message,
                    help: Some(
                        e.help
                            .unwrap_or_else(|| "paths look like locations.<id>.policy.level or simulation.days".into()),
                    ),
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
    scenario.warnings = std::mem::take(&mut d.warnings);
    if d.is_empty() { Ok(scenario) } else { Err(ScenarioError::Invalid(d.list)) }
}

/// Reports TOML syntax errors, each message once: a deeply nested document makes the parser
/// repeat its "recursion limit" for every level past its limit, and without a position.
fn syntax_errors(syntax: &[toml::de::Error], d: &mut Diags) {
    let mut seen: Vec<&str> = Vec::new();
    for e in syntax {
        let msg = e.message().trim();
        if seen.contains(&msg) {
            continue;
        }
        seen.push(msg);
        let deep = msg.contains("recursion") || msg.contains("recurse");
        let span = e.span().or_else(|| deep.then(|| deepest_line(&d.src.text)));
        let (message, help) = if deep {
            (
                "the TOML nests too deeply (more than 80 levels of tables, dotted keys, arrays or inline tables)"
                    .to_string(),
                "flatten the structure at this line: a scenario needs only a few levels".to_string(),
            )
        } else {
            (
                format!("TOML syntax error: {msg}"),
                "fix the TOML syntax at this position (strings need quotes, tables [name], arrays [a, b])".to_string(),
            )
        };
        d.at(span, "", message, Some(help));
    }
}

/// The span of the line that nests deepest (dots of its key or header, plus the brackets and
/// braces of its value, outside strings): where a recursion-limit error without a position
/// comes from.
fn deepest_line(text: &str) -> Range<usize> {
    let (mut best, mut best_score, mut carried, mut start) = (0..0, 0usize, 0usize, 0usize);
    for line in text.split_inclusive('\n') {
        let header = carried == 0 && line.trim_start().starts_with('[');
        let (mut depth, mut max, mut dots, mut in_key) = (carried, carried, 0usize, !header && carried == 0);
        let mut quote: Option<char> = None;
        let mut prev = ' ';
        for c in line.chars() {
            match quote {
                Some(q) if c == q && prev != '\\' => quote = None,
                Some(_) => {}
                None => match c {
                    '"' | '\'' => quote = Some(c),
                    '#' => break,
                    '=' if in_key => in_key = false,
                    '.' if header || in_key => dots += 1,
                    '[' | '{' if !header => {
                        depth += 1;
                        max = max.max(depth);
                    }
                    ']' | '}' if !header => depth = depth.saturating_sub(1),
                    _ => {}
                },
            }
            prev = c;
        }
        if dots + max > best_score {
            (best, best_score) = (start..start + line.trim_end().len(), dots + max);
        }
        carried = depth;
        start += line.len();
    }
    best
}

/// Decodes each top-level section on its own, so one mistake does not hide the others.
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
        records: None,
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
            "records" => {
                let span = v.span();
                raw.records = decode(v, "records", d).map(|r| (span, r));
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

/// `[simulation]`: horizon, replications, seed, unmet demand and start date (with defaults).
fn check_simulation(r: &RawSimulation, d: &mut Diags) -> Simulation {
    d.cost_checks = r.cost_checks.as_ref().is_none_or(|v| *v.get_ref());
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

/// Resolves ids and checks every parameter, phase by phase. Each phase reports its problems and
/// goes on with what is valid, so one run reports as much as it can (in file order per phase).
fn check(raw: Raw, d: &mut Diags) -> Scenario {
    let simulation = check_simulation(&raw.simulation, d);
    (d.days, d.warmup) = (Some(simulation.days), simulation.warmup_days);
    let mut skus = check_skus(&raw.skus, d);
    let (loc_idx, kinds) = location_ids(&raw.locations, d);
    let ids = Ids {
        loc: loc_idx,
        sku: skus.iter().enumerate().map(|(i, s)| (s.id.clone(), i)).collect(),
        raw_locs: raw.locations.iter().map(|(_, l)| l.id.get_ref().as_str()).collect(),
        broken: &raw.broken_ids,
        loc_list: known_list(raw.locations.iter().map(|(_, l)| l.id.get_ref().clone())),
        sku_list: known_list(skus.iter().map(|s| s.id.clone())),
    };
    let mut locations: Vec<Location> =
        raw.locations.iter().enumerate().map(|(n, (i, l))| check_location(n, *i, l, kinds[n], &ids, d)).collect();
    allocation_keys(&raw.locations, &mut locations, &skus, d);
    crate::channel::validate::check_nodes(&raw.locations, &locations, d);
    let mut network = check_network(&raw.locations, &locations, d);
    let mut demand = check_demand(&raw.demand, &ids, &locations, &skus, d);
    infer_discrete(&mut skus, &raw.skus, &demand);
    let (carries, overrides) = carried_skus(&raw, &ids, &locations, &skus, &demand, &network, d);
    let visibility = crate::records::validate::visibility_of(raw.records.as_ref());
    let routed = crate::channel::plan::routed_shares(&locations, &demand, visibility);
    let stats = demand_stats(&demand, &routed, &network, locations.len(), skus.len());
    let ctx = PositionCtx {
        raw: &raw,
        locations: &locations,
        skus: &skus,
        carries: &carries,
        overrides: &overrides,
        segment_of: &segment_labels(&demand),
        stats: &stats,
    };
    check_segment_labels(&raw.segments, d);
    let mut positions = check_positions(&ctx, d);
    if crate::channel::validate::bopis_locations(&mut locations, &mut demand) {
        network = bopis_network(&locations, &mut positions, &demand, &skus);
    }
    if locations.iter().all(|l| l.kind == LocationKind::Supplier) || positions.is_empty() && d.is_empty() {
        d.at(
            Some(raw.doc_span.start..raw.doc_span.start),
            "locations",
            "the scenario has no stocking location with demand",
            Some("add a [[locations]] store with a source and a policy, and a [[demand]] entry for it".into()),
        );
    }
    let shocks = check_shocks(&raw.shocks, &locations, &skus, &demand, d);
    let factors = check_factors(&raw.factors, &locations, &skus, &demand, d);
    let rebalancing = raw.rebalancing.as_ref().and_then(|(span, r)| check_rebalancing(span, r, d));
    let records = check_records(&raw, &locations, d);
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
        records,
        routed,
        strategies: Vec::new(),
        stresses: Vec::new(),
        strategy: None,
        stress: None,
        warnings: Vec::new(),
    }
}

/// The network again after BOPIS locations were added (see
/// [`crate::channel::validate::bopis_locations`]), with their positions.
fn bopis_network(locations: &[Location], positions: &mut Vec<Position>, demand: &[Demand], skus: &[Sku]) -> Network {
    let sources: Vec<Option<usize>> = locations.iter().map(|l| l.source).collect();
    let suppliers: Vec<bool> = locations.iter().map(|l| l.kind == LocationKind::Supplier).collect();
    let (network, _) = Network::build(&sources, &suppliers);
    let stats = demand_stats(demand, &[], &network, locations.len(), skus.len()).own;
    let demanded: HashSet<(usize, usize)> = demand.iter().map(|x| (x.location, x.sku)).collect();
    for (l, loc) in locations.iter().enumerate().filter(|(_, x)| x.channel.bopis_of.is_some()) {
        for (k, sku) in skus.iter().enumerate() {
            if demanded.contains(&(l, k)) {
                let st = stats[l][k];
                positions.push(crate::channel::validate::online_position(l, k, sku, st.mean, st.var.sqrt()));
            }
        }
        debug_assert_eq!(loc.kind, LocationKind::Online);
    }
    network
}

/// `[[skus]]`: unique non-empty ids and costs ≥ 0; one default SKU "item" when none is given.
/// Whole units (`discrete`) are settled later, from demand, when not written.
fn check_skus(raw: &[(usize, RawSku)], d: &mut Diags) -> Vec<Sku> {
    let mut skus: Vec<Sku> = Vec::new();
    let mut seen: HashSet<String> = HashSet::with_capacity(raw.len());
    for (i, s) in raw {
        let key = format!("skus[{i}]");
        let id = s.id.get_ref().trim().to_string();
        if id.is_empty() {
            d.err(
                s.id.span(),
                format!("{key}.id"),
                "SKU id is empty",
                "give every SKU a short id, e.g. id = \"jacket-m\"",
            );
        } else if !seen.insert(id.clone()) {
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
        if let (Some(h), Some(sku)) = (&s.holding_cost, skus.last()) {
            check_holding_rate(d, h.span(), &format!("{key}.holding_cost"), sku.holding_cost, sku.unit_cost);
        }
    }
    if skus.is_empty() && raw.is_empty() {
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
    skus
}

/// Location ids (unique, non-empty) and types, before any reference between locations is read.
fn location_ids(raw: &[(usize, RawLocation)], d: &mut Diags) -> (HashMap<String, usize>, Vec<LocationKind>) {
    let mut loc_idx: HashMap<String, usize> = HashMap::new();
    let mut kinds = Vec::new();
    for (n, (i, l)) in raw.iter().enumerate() {
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
            "online" => LocationKind::Online,
            "marketplace" => LocationKind::Marketplace,
            other => {
                let types = ["supplier", "warehouse", "store", "online", "marketplace"];
                let help = match closest(other, types) {
                    Some(b) => format!("did you mean \"{b}\"? (types: {})", types.join(", ")),
                    None => format!("type is one of: {}", types.join(", ")),
                };
                d.err(l.kind.span(), format!("locations[{i}].type"), format!("unknown location type '{other}'"), help);
                LocationKind::Store
            }
        };
        kinds.push(kind);
    }
    (loc_idx, kinds)
}

/// One `[[locations]]` entry (file position `n`, written as entry `i`): its source, inbound lane
/// (lead time, delays, order delay, pipeline), outages and capacity. Allocation keys are read by
/// `allocation_keys` afterwards.
fn check_location(n: usize, i: usize, l: &RawLocation, kind: LocationKind, ids: &Ids<'_>, d: &mut Diags) -> Location {
    let key = format!("locations[{i}]");
    let id = l.id.get_ref().trim().to_string();
    let source = if kind == LocationKind::Supplier {
        supplier_keys(l, &key, &id, d);
        None
    } else if kind == LocationKind::Online {
        // An online location holds no stock: its orders are shipped from its nodes.
        None
    } else {
        resolve_source(n, l, &key, &id, kind, ids, d)
    };
    let lead_time = check_lane(l, &key, d);
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
    let capacity_per_day =
        l.capacity_per_day.as_ref().map(|c| quantity(d, c, &format!("{key}.capacity_per_day"), "capacity_per_day"));
    let order_delay = order_delay(l, &key, d);
    let initial_pipeline = initial_pipeline(l, &key, &lead_time, d);
    Location {
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
        channel: crate::channel::validate::location_keys(l, kind, &key, ids, d),
    }
}

/// Suppliers are external with unlimited stock: keys about an inbound lane or stock are errors.
fn supplier_keys(l: &RawLocation, key: &str, id: &str, d: &mut Diags) {
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
}

/// The index of the location a warehouse or store orders from.
fn resolve_source(
    n: usize,
    l: &RawLocation,
    key: &str,
    id: &str,
    kind: LocationKind,
    ids: &Ids<'_>,
    d: &mut Diags,
) -> Option<usize> {
    let Some(s) = &l.source else {
        d.err(
            l.id.span(),
            format!("{key}.source"),
            format!("{} '{id}' has no source", kind.as_str()),
            format!("add source = \"<id>\" naming where it orders from; known: {}", ids.loc_list),
        );
        return None;
    };
    let sid = s.get_ref().as_str();
    match ids.loc.get(sid) {
        Some(&j) if j == n => d.err(
            s.span(),
            format!("{key}.source"),
            format!("'{id}' cannot be its own source"),
            "name the warehouse or supplier it orders from",
        ),
        Some(&j) => return Some(j),
        None if ids.broken.contains(sid) => {}
        None => d.err(s.span(), format!("{key}.source"), format!("unknown location '{sid}'"), ids.location_help(sid)),
    }
    None
}

/// The inbound lead time, with a stress test's variance factor and extra noise applied.
fn check_lane(l: &RawLocation, key: &str, d: &mut Diags) -> LeadTime {
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
    // A stress test's widening can carry a lead time past the ring's bound.
    if let LeadTime::Random(dist) = &lead_time
        && (l.lead_time_variance_factor.is_some() || l.lead_time_extra_sd.is_some())
    {
        let span = l.lead_time.as_ref().map_or(l.id.span(), |v| v.span());
        let longest = longest_days(dist);
        if longest > MAX_LEAD_DAYS {
            d.err(
                span,
                format!("{key}.lead_time"),
                format!(
                    "widened by the stress test, this lead time can reach {longest:.0} days (at most {MAX_LEAD_DAYS})"
                ),
                "use a smaller lead_time_variance_factor or lead_time_extra_sd",
            );
        }
    }
    lead_time
}

/// Days an order takes to reach the source (0..=365).
fn order_delay(l: &RawLocation, key: &str, d: &mut Diags) -> u32 {
    match &l.order_delay {
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
    }
}

/// Units per day already on their way at the start (needs a fixed lead time).
fn initial_pipeline(l: &RawLocation, key: &str, lead_time: &LeadTime, d: &mut Diags) -> f64 {
    let Some(v) = &l.initial_pipeline else { return 0.0 };
    let x = quantity(d, v, &format!("{key}.initial_pipeline"), "initial_pipeline");
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

/// Who supplies whom, with cycles in `source` reported (and cut, so that every walk ends).
fn check_network(raw: &[(usize, RawLocation)], locations: &[Location], d: &mut Diags) -> Network {
    let sources: Vec<Option<usize>> = locations.iter().map(|l| l.source).collect();
    let suppliers: Vec<bool> = locations.iter().map(|l| l.kind == LocationKind::Supplier).collect();
    let (network, cycles) = Network::build(&sources, &suppliers);
    for Cycle(cycle) in &cycles {
        let c = cycle[0];
        let names: Vec<&str> = cycle.iter().map(|&x| locations[x].id.as_str()).collect();
        let (i, l) = &raw[c];
        d.err(
            l.source.as_ref().map_or(l.id.span(), |s| s.span()),
            format!("locations[{i}].source"),
            format!("locations order from each other in a cycle: {} -> {}", names.join(" -> "), names[0]),
            "every chain of sources must end at a supplier; point one of them at a supplier or warehouse outside \
             the cycle",
        );
    }
    network
}

/// Record keys: `[records]` defaults for every store and each location's own keys.
fn check_records(raw: &Raw, locations: &[Location], d: &mut Diags) -> crate::records::Records {
    use crate::records::validate::RecordKeys;
    let keys: Vec<(usize, RecordKeys<'_>)> = raw
        .locations
        .iter()
        .map(|(i, l)| {
            let k = RecordKeys {
                shrinkage: l.shrinkage.as_ref(),
                receiving_errors: l.receiving_errors.as_ref(),
                cycle_count: l.cycle_count.as_ref(),
                visibility_lag_days: l.visibility_lag_days.as_ref(),
            };
            (*i, k)
        })
        .collect();
    crate::records::validate::check_records(raw.records.as_ref(), &keys, locations, d)
}
