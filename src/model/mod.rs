//! The compiled network: integer ids, flat arrays, samplers built once per scenario.
//!
//! Positions (one SKU at one stocking location) are numbered so that the engine can run each step
//! of the day as a pass over flat arrays:
//! - SKU-major; within a SKU, locations deepest-first (every child before its parent), so the
//!   decision step can walk positions in index order, downstream first;
//! - siblings (positions with the same source) are consecutive, so each source's children are an
//!   index range `child_lo..child_hi` and fulfilment needs no lookup tables.

use std::sync::Arc;

pub use crate::allocation::Allocation;
pub use crate::demand::{FactorRt, ShockRt, Stream, TableStream, demand_multiplier, demand_multipliers};
pub use crate::disruption::{DelayRt, DisruptionRt};
pub use crate::leadtime::LeadSampler;
pub use crate::policy::PosRt;

use crate::distribution::TableArena;
pub use crate::network::{LocId, PosId};
use crate::policy::{PolicyKind, set_levels, whole_units};
use crate::rng::entity_key;
use crate::scenario::{LocationKind, Scenario, UnmetDemand};
use crate::{allocation, demand, disruption};

/// "No index" marker in `u32` index arrays.
pub const NONE: u32 = u32::MAX;

/// A shipping point: a location that ships one SKU to a range of child positions.
#[derive(Clone, Copy, Debug)]
pub struct Group {
    /// Shipping location.
    pub loc: LocId,
    /// Stocking position that ships (NONE for an external supplier).
    pub stock_pos: PosId,
    /// First child position.
    pub lo: u32,
    /// One past the last child position.
    pub hi: u32,
}

/// How many replications (the first ones) keep their day-by-day record for charts at most:
/// enough for the p5–p95 bands of a fan chart, few enough that recording costs little in a long
/// run. Large networks keep fewer (see [`Model::day_records`]).
pub const DAY_RECORDS: usize = 200;

/// Echelon height of every location ([`crate::network::Network::height`]).
pub fn echelon_heights(sc: &Scenario) -> Vec<usize> {
    (0..sc.locations.len()).map(|l| sc.network.height(l) as usize).collect()
}

/// Memory the day-by-day records of a run may take (bytes), before they are cut below
/// [`DAY_RECORDS`] replications (but never below 50).
const DAY_RECORD_BUDGET: usize = 64 << 20;

/// The compiled scenario, grouped by what the engine asks of it.
#[derive(Clone, Debug)]
pub struct Model {
    /// The validated scenario it was built from (names, economics, reports).
    pub scenario: Arc<Scenario>,
    /// Measured days.
    pub days: usize,
    /// Warm-up days.
    pub warmup: usize,
    /// Warm-up + measured days.
    pub total_days: usize,
    /// Lost-sales mode.
    pub lost_sales: bool,
    /// Any disruption at all (then resilience KPIs are computed).
    pub resilience: bool,
    /// Record network and location totals day by day (for charts), in the first
    /// [`Model::day_records`] replications (resilience KPIs record network totals in all of
    /// them).
    pub record_daily: bool,
    /// Who supplies whom, as flat per-position arrays in engine order (see the module docs).
    pub topo: Topology,
    /// Policies and starting stock of the positions.
    pub stock: Stocking,
    /// Costs and prices per position.
    pub econ: Economics,
    /// Compiled customer demand: table-sampled and general streams, shocks and common factors.
    pub demand: DemandRt,
    /// Lanes and what disturbs them: lead-time samplers, outages, delays, shipping capacity.
    pub processes: Processes,
    /// Rationing rules, reserves, pushes, forecasts, rebalancing.
    pub alloc: Allocation,
    /// Online and BOPIS orders and their nodes, channel scopes, marketplace costs.
    pub channel: crate::channel::ChannelRt,
    /// Inventory records: shrinkage, receiving errors, counts, visibility lag (inactive when
    /// the scenario uses none of them).
    pub records: crate::records::RecordsRt,
}

/// Who supplies whom, as flat per-position arrays in engine order (see the module docs).
#[derive(Clone, Debug)]
pub struct Topology {
    /// Number of locations (suppliers included).
    pub n_loc: usize,
    /// Location of each position.
    pub pos_loc: Vec<LocId>,
    /// Echelon height of each position's location ([`echelon_heights`]: 1 = supplies no other
    /// stocking location).
    pub pos_height: Vec<u32>,
    /// The highest echelon height in the network.
    pub n_heights: usize,
    /// SKU of each position.
    pub pos_sku: Vec<u32>,
    /// Index in `scenario.positions` of each position.
    pub pos_spec: Vec<u32>,
    /// Parent (source) position, or NONE when the source is an external supplier.
    pub parent: Vec<PosId>,
    /// Whether the position's source is an external supplier.
    pub from_supplier: Vec<bool>,
    /// First child position (children are consecutive).
    pub child_lo: Vec<u32>,
    /// One past the last child position.
    pub child_hi: Vec<u32>,
    /// Whether the position faces customer demand.
    pub customer: Vec<bool>,
    /// Customer-facing positions, ascending.
    pub customer_list: Vec<PosId>,
    /// Shipping groups: who ships which SKU to which range of positions.
    pub groups: Vec<Group>,
    /// Stocking locations in file order, for reports.
    pub stock_locs: Vec<LocId>,
    /// Locations with more than one SKU (their bullwhip needs daily location totals).
    pub multi_sku_locs: Vec<u32>,
    /// Whether each location has more than one SKU.
    pub loc_multi: Vec<bool>,
    /// Per position: index in `multi_sku_locs` of its location, or `multi_sku_locs.len()` (a
    /// scratch slot) for single-SKU locations.
    pub loc_day_slot: Vec<u32>,
    /// Region labels of the locations that hold positions, sorted (empty when none has one).
    pub regions: Vec<String>,
    /// Per position: index in `regions` of its location's region, [`NONE`] without one.
    pub pos_region: Vec<u32>,
}

/// Policies and starting stock of the positions.
#[derive(Clone, Debug)]
pub struct Stocking {
    /// Policy and links of each position.
    pub policy: Vec<PosRt>,
    /// Whole units (orders rounded up, rationing in whole units).
    pub whole: Vec<bool>,
    /// Initial on hand.
    pub initial: Vec<f64>,
    /// Pipelines full at the start: (position, units per day, lead time, order delay).
    pub pipeline: Vec<(u32, f64, u32, u32)>,
    /// Any echelon policy (echelon positions are computed only if so).
    pub has_echelon: bool,
}

/// Costs and prices per position.
#[derive(Clone, Debug)]
pub struct Economics {
    /// Holding cost per unit-day.
    pub h: Vec<f64>,
    /// Stockout cost per unit (backordered per day, or lost).
    pub p: Vec<f64>,
    /// Fixed cost per order.
    pub k: Vec<f64>,
    /// Holding cost per unit-day of units in transit to the position (source's rate).
    pub h_transit: Vec<f64>,
    /// Unit cost.
    pub unit_cost: Vec<f64>,
    /// Gross margin per unit sold.
    pub margin: Vec<f64>,
    /// Selling price of each position's SKU.
    pub price: Vec<f64>,
}

/// Compiled customer demand: table-sampled and general streams, shocks and common factors.
#[derive(Clone, Debug)]
pub struct DemandRt {
    /// Stationary table-sampled demand streams (fast path), sorted by position, at most one per
    /// position (further ones go to `streams`).
    pub table_streams: Vec<TableStream>,
    /// Stream keys of `table_streams` (seed their random numbers).
    pub table_keys: Vec<u64>,
    /// The tables of `table_streams`, back to back in stream order.
    pub tables: TableArena,
    /// All other demand streams, sorted by position.
    pub streams: Vec<Stream>,
    /// Random demand-shock processes.
    pub shocks: Vec<ShockRt>,
    /// Common demand factors.
    pub factors: Vec<FactorRt>,
}

/// Lanes and what disturbs them: lead-time samplers, outages, delays, shipping capacity.
#[derive(Clone, Debug)]
pub struct Processes {
    /// Pipeline ring length (≥ the longest possible lead time).
    pub ring_len: usize,
    /// Inbound lane (= the position's location index) of each position.
    pub lane: Vec<u32>,
    /// Lead-time sampler of each lane (indexed by location; suppliers unused).
    pub lanes: Vec<LeadSampler>,
    /// Lanes with random lead times (drawn every day).
    pub random_lanes: Vec<u32>,
    /// Stable key of each lane, for random streams.
    pub lane_key: Vec<u64>,
    /// Outage processes.
    pub disruptions: Vec<DisruptionRt>,
    /// Transport-delay processes.
    pub delays: Vec<DelayRt>,
    /// Lanes with delays (their lead time is recomputed every day).
    pub delayed_lanes: Vec<u32>,
    /// Measured days on which a scheduled disruption is active (outage, capacity cut, delay,
    /// stress-test demand surge).
    pub disrupted_static: Vec<bool>,
    /// Shipping capacity per location and day (∞ = unlimited).
    pub capacity: Vec<f64>,
    /// Any finite shipping capacity (capacity rationing is computed only if so).
    pub capacity_limited: bool,
}

impl Model {
    /// Compiles a validated scenario.
    pub fn compile(scenario: &Scenario) -> Model {
        Self::compile_arc(Arc::new(scenario.clone()))
    }

    /// Compiles a shared scenario, phase by phase: positions in engine order, their links and
    /// shipping groups, policies and costs, initial stock, demand, lanes and disruptions, then
    /// the allocation side (which may change initial stock and the ring length).
    pub fn compile_arc(sc: Arc<Scenario>) -> Model {
        let n_loc = sc.locations.len();
        let (days, warmup) = (sc.simulation.days, sc.simulation.warmup_days);
        let total_days = days + warmup;
        let order = position_order(&sc);
        let n = order.pos_loc.len();
        let links = links(&sc, &order);
        let mut groups = shipping_groups(&sc, &order, &links);
        groups.sort_by_key(|g| g.lo);
        let mut pos = positions(&sc, &order, &links.parent);
        let initial = initial_stock(&sc, &order.pos_spec, &links.parent, &pos.policy, &pos.whole);

        let hit = demand::compile::hit_by_shocks(sc.demand.len(), &sc.shocks, &sc.factors);
        let discrete: Vec<bool> = sc.skus.iter().map(|k| k.discrete).collect();
        let timing = (sc.simulation.start_date, warmup, days);
        let dm = demand::compile::streams(&sc.demand, &hit, &order.pos_index, &discrete, n, timing);
        let shocks = demand::compile::shocks(&sc.demand, &sc.shocks, &dm.streams);
        let factors = demand::compile::factors(&sc.demand, &sc.factors, &dm.streams);

        let mut disrupted_static = dm.shock_days;
        let tr = transport(&sc, warmup, total_days, &mut disrupted_static);
        let resilience = disrupted_static.iter().any(|&x| x)
            || tr.disruptions.iter().any(|d| matches!(d, DisruptionRt::Markov { .. }))
            || tr.delays.iter().any(|d: &DelayRt| d.schedule.is_none())
            || !sc.shocks.is_empty();

        let channel = crate::channel::compile::compile(&sc, &order.pos_index, &dm.customer, &pos.whole);
        // Units on their way to a store for BOPIS pick-up are charged their shipper's holding cost.
        for (q, from) in channel.pickup_shippers() {
            pos.h_transit[q] = pos.h[from];
        }
        let records = crate::records::compile::compile(&sc, &order.pos_index, &pos.whole);
        let reports = report_slots(&sc, &order.pos_loc);
        for (p, &slot) in pos.policy.iter_mut().zip(&reports.loc_day_slot) {
            p.day_slot = slot;
        }
        let heights = echelon_heights(&sc);
        let pos_height: Vec<u32> = order.pos_loc.iter().map(|&l| heights[l as usize] as u32).collect();
        let loc_region: Vec<Option<&str>> = sc.locations.iter().map(|l| l.region.as_deref()).collect();
        let (regions, pos_region) = region_labels(&loc_region, &order.pos_loc);
        let mut model = Model {
            days,
            warmup,
            total_days,
            lost_sales: sc.simulation.unmet_demand == UnmetDemand::LostSales,
            resilience,
            record_daily: false,
            topo: Topology {
                n_loc,
                n_heights: pos_height.iter().copied().max().unwrap_or(0) as usize,
                pos_height,
                pos_loc: order.pos_loc.iter().map(|&l| LocId(l)).collect(),
                pos_sku: order.pos_sku,
                pos_spec: order.pos_spec,
                parent: links.parent.iter().map(|&q| PosId(q)).collect(),
                from_supplier: links.from_supplier,
                child_lo: links.child_lo,
                child_hi: links.child_hi,
                customer: dm.customer,
                customer_list: dm.customer_list.iter().map(|&q| PosId(q)).collect(),
                groups,
                stock_locs: reports.stock_locs.iter().map(|&l| LocId(l)).collect(),
                multi_sku_locs: reports.multi_sku_locs,
                loc_multi: reports.loc_multi,
                loc_day_slot: reports.loc_day_slot,
                regions,
                pos_region,
            },
            stock: Stocking {
                pipeline: initial_pipeline(&sc, &order.pos_loc),
                has_echelon: pos.policy.iter().any(|p| matches!(p.kind, PolicyKind::EchelonBaseStock { .. })),
                policy: pos.policy,
                whole: pos.whole,
                initial,
            },
            econ: Economics {
                h: pos.h,
                p: pos.p,
                k: pos.k,
                h_transit: pos.h_transit,
                price: (0..n).map(|q| pos.unit_cost[q] + pos.margin[q]).collect(),
                unit_cost: pos.unit_cost,
                margin: pos.margin,
            },
            demand: DemandRt {
                table_streams: dm.table_streams,
                table_keys: dm.table_keys,
                tables: dm.tables,
                streams: dm.streams,
                shocks,
                factors,
            },
            processes: Processes {
                ring_len: tr.ring_len,
                lane: links.lane,
                lanes: tr.lanes,
                random_lanes: tr.random_lanes,
                lane_key: sc.locations.iter().map(|l| entity_key(&format!("lane/{}", l.id))).collect(),
                disruptions: tr.disruptions,
                delays: tr.delays,
                delayed_lanes: tr.delayed_lanes,
                disrupted_static,
                capacity: tr.capacity,
                capacity_limited: tr.capacity_limited,
            },
            alloc: Allocation::default(),
            channel,
            records,
            scenario: sc,
        };
        let sc = model.scenario.clone();
        allocation::compile::compile(&sc, &mut model);
        model
    }

    /// Number of positions.
    pub fn n_pos(&self) -> usize {
        self.topo.pos_loc.len()
    }

    /// How many replications (the first ones) keep their day-by-day record when
    /// `record_daily` is set: [`DAY_RECORDS`], or fewer (at least 50) when that would take more
    /// than 64 MiB.
    pub fn day_records(&self) -> usize {
        let per_rep = self.days * (self.topo.n_loc * 4 + 5) * 8;
        (DAY_RECORD_BUDGET / per_rep.max(1)).clamp(50, DAY_RECORDS)
    }

    /// Whether any replication records network totals day by day (for resilience KPIs and
    /// charts).
    pub fn records_days(&self) -> bool {
        self.resilience || self.record_daily
    }

    /// Expected customer demand of position `q` on simulated day `t` (seasonality, promotions and
    /// trend included; shocks and common factors have mean 1).
    pub fn expected_demand(&self, q: usize, t: usize) -> f64 {
        let sc = &self.scenario;
        let (l, k) = (self.topo.pos_loc[q].idx(), self.topo.pos_sku[q] as usize);
        sc.demand
            .iter()
            .filter(|d| d.location == l && d.sku == k)
            .map(|d| d.dist.mean() * demand_multiplier(d, sc.simulation.start_date, self.warmup, t))
            .sum()
    }

    /// `location/sku` name of a position.
    pub fn pos_name(&self, q: usize) -> String {
        let sc = &self.scenario;
        format!("{}/{}", sc.locations[self.topo.pos_loc[q].idx()].id, sc.skus[self.topo.pos_sku[q] as usize].id)
    }

    /// Positions of a location, in SKU order.
    pub fn positions_of(&self, loc: usize) -> Vec<usize> {
        (0..self.n_pos()).filter(|&q| self.topo.pos_loc[q].idx() == loc).collect()
    }

    /// Replaces one position's policy (used by safety-stock search without recompiling). The
    /// model's scenario says the same afterwards (its own copy, if it shared one), so reports
    /// read from it never show stale levels.
    pub fn set_policy(&mut self, q: usize, kind: PolicyKind) {
        self.stock.policy[q].set_kind(if self.stock.whole[q] { whole_units(kind) } else { kind });
        let spec = &mut Arc::make_mut(&mut self.scenario).positions[self.topo.pos_spec[q] as usize];
        set_levels(&mut spec.policy, kind);
        if spec.initial_on_hand.is_none() {
            self.stock.initial[q] = self.stock.policy[q].kind.order_up_to();
        }
    }
}

/// Positions in engine order (see the module docs) and the index of each (location, SKU).
struct PositionOrder {
    pos_loc: Vec<u32>,
    pos_sku: Vec<u32>,
    pos_spec: Vec<u32>,
    /// `pos_index[location][sku]`, NONE where there is no position.
    pos_index: Vec<Vec<u32>>,
}

/// Numbers the positions: SKU-major; within a SKU, locations deepest-first, and within a depth
/// breadth-first from the suppliers (siblings consecutive, in file order).
fn position_order(sc: &Scenario) -> PositionOrder {
    let n_loc = sc.locations.len();
    let mut depth = vec![0usize; n_loc];
    let mut bfs: Vec<usize> = (0..n_loc).filter(|&i| sc.locations[i].kind == LocationKind::Supplier).collect();
    let mut head = 0;
    while head < bfs.len() {
        let l = bfs[head];
        head += 1;
        for &c in sc.network.children(l) {
            depth[c] = depth[l] + 1;
            bfs.push(c);
        }
    }
    let max_depth = depth.iter().copied().max().unwrap_or(0);
    // Online locations hold no stock and have no source: their positions come first (no
    // position ships to them or orders for them).
    let mut loc_order: Vec<usize> = (0..n_loc).filter(|&l| sc.locations[l].kind == LocationKind::Online).collect();
    for dd in (1..=max_depth).rev() {
        loc_order.extend(bfs.iter().copied().filter(|&l| depth[l] == dd));
    }
    let mut spec_of = vec![vec![None; sc.skus.len()]; n_loc];
    for (i, p) in sc.positions.iter().enumerate() {
        spec_of[p.location][p.sku] = Some(i);
    }
    let mut o = PositionOrder {
        pos_loc: Vec::new(),
        pos_sku: Vec::new(),
        pos_spec: Vec::new(),
        pos_index: vec![vec![NONE; sc.skus.len()]; n_loc],
    };
    for k in 0..sc.skus.len() {
        for &l in &loc_order {
            if let Some(i) = spec_of[l][k] {
                o.pos_index[l][k] = o.pos_loc.len() as u32;
                o.pos_loc.push(l as u32);
                o.pos_sku.push(k as u32);
                o.pos_spec.push(i as u32);
            }
        }
    }
    o
}

/// Who each position orders from and whom it supplies.
struct Links {
    parent: Vec<u32>,
    from_supplier: Vec<bool>,
    lane: Vec<u32>,
    child_lo: Vec<u32>,
    child_hi: Vec<u32>,
}

/// Each position's parent (or supplier), inbound lane and range of children.
fn links(sc: &Scenario, o: &PositionOrder) -> Links {
    let n = o.pos_loc.len();
    let mut k = Links {
        parent: vec![NONE; n],
        from_supplier: vec![false; n],
        lane: o.pos_loc.clone(),
        child_lo: vec![u32::MAX; n],
        child_hi: vec![0; n],
    };
    for q in 0..n {
        let l = o.pos_loc[q] as usize;
        let Some(src) = sc.locations[l].source else {
            // An online location's positions are served by the channel step, not by a source.
            continue;
        };
        if sc.locations[src].kind == LocationKind::Supplier {
            k.from_supplier[q] = true;
        } else {
            k.parent[q] = o.pos_index[src][o.pos_sku[q] as usize];
        }
    }
    // Children ranges (children are consecutive by construction).
    for c in 0..n {
        if k.parent[c] != NONE {
            let q = k.parent[c] as usize;
            k.child_lo[q] = k.child_lo[q].min(c as u32);
            k.child_hi[q] = k.child_hi[q].max(c as u32 + 1);
        }
    }
    for lo in &mut k.child_lo {
        if *lo == u32::MAX {
            *lo = 0;
        }
    }
    k
}

/// Shipping groups: suppliers (per SKU) and stocking positions with children.
fn shipping_groups(sc: &Scenario, o: &PositionOrder, k: &Links) -> Vec<Group> {
    let n_loc = sc.locations.len();
    let mut sup_range: Vec<Vec<(u32, u32)>> = vec![vec![(u32::MAX, 0); sc.skus.len()]; n_loc];
    for c in 0..o.pos_loc.len() {
        if k.from_supplier[c] {
            let s = sc.locations[o.pos_loc[c] as usize].source.expect("has source");
            let r = &mut sup_range[s][o.pos_sku[c] as usize];
            r.0 = r.0.min(c as u32);
            r.1 = r.1.max(c as u32 + 1);
        }
    }
    let mut groups = Vec::new();
    for (l, loc) in sc.locations.iter().enumerate() {
        for sku in 0..sc.skus.len() {
            if loc.kind == LocationKind::Supplier {
                let (a, b) = sup_range[l][sku];
                if a < b {
                    groups.push(Group { loc: LocId(l as u32), stock_pos: PosId::NONE, lo: a, hi: b });
                }
            } else {
                let q = o.pos_index[l][sku];
                if q != NONE && k.child_hi[q as usize] > k.child_lo[q as usize] {
                    let (lo, hi) = (k.child_lo[q as usize], k.child_hi[q as usize]);
                    groups.push(Group { loc: LocId(l as u32), stock_pos: PosId(q), lo, hi });
                }
            }
        }
    }
    groups
}

/// Policies, units and economics of each position.
struct PositionParts {
    policy: Vec<PosRt>,
    whole: Vec<bool>,
    h: Vec<f64>,
    p: Vec<f64>,
    k: Vec<f64>,
    h_transit: Vec<f64>,
    unit_cost: Vec<f64>,
    margin: Vec<f64>,
}

/// Compiles each position's policy and costs.
fn positions(sc: &Scenario, o: &PositionOrder, parent: &[u32]) -> PositionParts {
    let n = o.pos_loc.len();
    let mut x = PositionParts {
        policy: Vec::with_capacity(n),
        whole: vec![false; n],
        h: vec![0.0; n],
        p: vec![0.0; n],
        k: vec![0.0; n],
        h_transit: vec![0.0; n],
        unit_cost: vec![0.0; n],
        margin: vec![0.0; n],
    };
    for q in 0..n {
        let spec = &sc.positions[o.pos_spec[q] as usize];
        let sku = &sc.skus[o.pos_sku[q] as usize];
        x.whole[q] = sku.discrete;
        let order_delay = sc.locations[o.pos_loc[q] as usize].order_delay;
        x.policy.push(PosRt::new(&spec.policy, x.whole[q], parent[q], order_delay));
        (x.h[q], x.p[q], x.k[q]) = (spec.holding_cost, spec.stockout_cost, spec.order_cost);
        x.unit_cost[q] = sku.unit_cost;
        x.margin[q] = sku.price - sku.unit_cost;
    }
    for q in 0..n {
        if parent[q] != NONE {
            x.h_transit[q] = x.h[parent[q] as usize];
        }
    }
    x
}

/// Initial stock: the order-up-to level; for echelon base-stock the local share of it.
fn initial_stock(sc: &Scenario, pos_spec: &[u32], parent: &[u32], policy: &[PosRt], whole: &[bool]) -> Vec<f64> {
    let n = pos_spec.len();
    let mut below = vec![0.0; n];
    for c in 0..n {
        if parent[c] != NONE {
            below[parent[c] as usize] += policy[c].kind.order_up_to();
        }
    }
    (0..n)
        .map(|q| {
            let init = match (sc.positions[pos_spec[q] as usize].initial_on_hand, policy[q].kind) {
                (Some(v), _) => v,
                (None, PolicyKind::EchelonBaseStock { level }) => (level - below[q]).max(0.0),
                (None, other) => other.order_up_to(),
            };
            if whole[q] { init.round() } else { init }
        })
        .collect()
}

/// Pipelines full at the start: (position, units per day, lead time, order delay).
fn initial_pipeline(sc: &Scenario, pos_loc: &[u32]) -> Vec<(u32, f64, u32, u32)> {
    (0..pos_loc.len())
        .filter_map(|q| {
            let loc = &sc.locations[pos_loc[q] as usize];
            match loc.lead_time {
                crate::leadtime::LeadTime::Days(lead) if loc.initial_pipeline > 0.0 => {
                    Some((q as u32, loc.initial_pipeline, lead, loc.order_delay))
                }
                _ => None,
            }
        })
        .collect()
}

/// Locations as reports see them (see the fields of the same names in `Model`).
struct ReportSlots {
    stock_locs: Vec<u32>,
    multi_sku_locs: Vec<u32>,
    loc_multi: Vec<bool>,
    loc_day_slot: Vec<u32>,
}

/// Stocking locations, those with several SKUs, and each position's daily-totals slot.
fn report_slots(sc: &Scenario, pos_loc: &[u32]) -> ReportSlots {
    let n_loc = sc.locations.len();
    let stock_locs: Vec<u32> =
        (0..n_loc as u32).filter(|&l| sc.locations[l as usize].kind != LocationKind::Supplier).collect();
    let mut skus_at = vec![0usize; n_loc];
    for &l in pos_loc {
        skus_at[l as usize] += 1;
    }
    let multi_sku_locs: Vec<u32> = stock_locs.iter().copied().filter(|&l| skus_at[l as usize] > 1).collect();
    let loc_day_slot = pos_loc
        .iter()
        .map(|&l| multi_sku_locs.iter().position(|&x| x == l).unwrap_or(multi_sku_locs.len()) as u32)
        .collect();
    ReportSlots { stock_locs, loc_multi: skus_at.iter().map(|&k| k > 1).collect(), multi_sku_locs, loc_day_slot }
}

/// Region labels (sorted, unique) of the locations that hold positions, and each position's
/// index among them (NONE without a region). A region is a scope only where it has positions, so
/// a supplier's label makes none. One binary search per location, then a lookup per position:
/// O(n + L log L) for n positions at L locations.
fn region_labels(loc_region: &[Option<&str>], pos_loc: &[u32]) -> (Vec<String>, Vec<u32>) {
    let mut held = vec![false; loc_region.len()];
    for &l in pos_loc {
        held[l as usize] = true;
    }
    let mut labels: Vec<&str> = loc_region.iter().zip(&held).filter(|(_, h)| **h).filter_map(|(r, _)| *r).collect();
    labels.sort_unstable();
    labels.dedup();
    let of_loc: Vec<u32> =
        loc_region.iter().map(|r| r.and_then(|r| labels.binary_search(&r).ok()).map_or(NONE, |i| i as u32)).collect();
    let pos_region = pos_loc.iter().map(|&l| of_loc[l as usize]).collect();
    (labels.into_iter().map(String::from).collect(), pos_region)
}

/// Lanes, delays and outages (see the fields of the same names in `Model`).
struct Transport {
    lanes: Vec<LeadSampler>,
    random_lanes: Vec<u32>,
    delays: Vec<DelayRt>,
    delayed_lanes: Vec<u32>,
    ring_len: usize,
    disruptions: Vec<DisruptionRt>,
    capacity: Vec<f64>,
    capacity_limited: bool,
}

/// Compiles lanes, transport delays, outages and capacities; scheduled ones are marked in
/// `disrupted_static` (per measured day).
fn transport(sc: &Scenario, warmup: usize, total_days: usize, disrupted_static: &mut [bool]) -> Transport {
    let n_loc = sc.locations.len();
    let lanes: Vec<LeadSampler> = sc.locations.iter().map(|l| LeadSampler::new(&l.lead_time)).collect();
    let random_lanes = (0..n_loc as u32)
        .filter(|&l| sc.locations[l as usize].kind != LocationKind::Supplier && lanes[l as usize].is_random())
        .collect();
    let (delays, max_extra) = disruption::compile::delays(&sc.locations, warmup, total_days, disrupted_static);
    // The ring also carries orders in the mail (`order_delay`).
    let max_delay = sc.locations.iter().map(|l| l.order_delay + 1).max().unwrap_or(1);
    let ring_len =
        lanes.iter().zip(&max_extra).map(|(s, e)| s.max_days() + e).max().unwrap_or(1).max(max_delay) as usize;
    // BOPIS pick-ups leave before pass 1 takes today's arrivals: their slot must not be today's.
    let ring_len = ring_len + usize::from(crate::channel::compile::ships_to_stores(sc));
    let mut delayed_lanes: Vec<u32> = delays.iter().map(|d| d.lane).collect();
    delayed_lanes.dedup();
    let (disruptions, capacity) = disruption::compile::outages(&sc.locations, warmup, total_days, disrupted_static);
    let mut loc_capped: Vec<bool> = capacity.iter().map(|c| c.is_finite()).collect();
    for d in &disruptions {
        if let DisruptionRt::Scheduled { loc, capacity: Some(_), .. } = d {
            loc_capped[*loc as usize] = true;
        }
    }
    let capacity_limited = loc_capped.iter().any(|&c| c);
    Transport { lanes, random_lanes, delays, delayed_lanes, ring_len, disruptions, capacity, capacity_limited }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_labels_are_sorted_unique_and_only_where_positions_are() {
        // Locations: a supplier in "zeta" (no positions), stores in "west", "east", none, "west".
        let regions = [Some("zeta"), Some("west"), Some("east"), None, Some("west")];
        let pos_loc = [1, 2, 3, 4, 4, 1];
        let (labels, of) = region_labels(&regions, &pos_loc);
        assert_eq!(labels, ["east", "west"]);
        assert_eq!(of, [1, 0, NONE, 1, 1, 1]);
        let (labels, of) = region_labels(&[None, None], &[1, 1]);
        assert!(labels.is_empty());
        assert_eq!(of, [NONE, NONE]);
    }
}
