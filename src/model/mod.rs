//! The compiled network: integer ids, flat arrays, samplers built once per scenario.
//!
//! Positions (one SKU at one stocking location) are numbered so that the engine can run each step
//! of the day as a pass over flat arrays:
//! - SKU-major; within a SKU, locations deepest-first (every child before its parent), so the
//!   decision step can walk positions in index order, downstream first;
//! - siblings (positions with the same source) are consecutive, so each source's children are an
//!   index range `child_lo..child_hi` and fulfilment needs no lookup tables.

pub mod allocation;
mod leadtime;

use std::sync::Arc;

pub use allocation::Allocation;
pub use leadtime::LeadSampler;

use crate::calendar::weekday_and_month;
use crate::distribution::{Dist, Sampler, TableArena, TableRef, sample_scaled};
use crate::policy::{threshold_form, whole_units};
use crate::rng::entity_key;
use crate::scenario::{Delay, Disruption, LeadTime, LocationKind, PolicyKind, Scenario, UnmetDemand};

/// Multiplier of a demand entry's mean on simulated day `t`: weekday and month factors,
/// promotions and trend.
pub fn demand_multiplier(dm: &crate::scenario::Demand, start: (i32, u32, u32), warmup: usize, t: usize) -> f64 {
    let day = t as i64 - warmup as i64;
    let mut m = 1.0;
    if dm.weekly.is_some() || dm.monthly.is_some() {
        let (wd, mo) = weekday_and_month(start, day);
        if let Some(w) = &dm.weekly {
            m *= w[wd];
        }
        if let Some(y) = &dm.monthly {
            m *= y[mo];
        }
    }
    for pr in &dm.promotions {
        if day >= pr.first_day && day <= pr.last_day {
            m *= pr.multiplier;
        }
    }
    if dm.trend_per_year != 0.0 {
        m *= (1.0 + dm.trend_per_year).powf(day as f64 / 365.0);
    }
    m
}

/// [`demand_multiplier`] for each of the first `days` simulated days.
pub fn demand_multipliers(
    dm: &crate::scenario::Demand,
    start: (i32, u32, u32),
    warmup: usize,
    days: usize,
) -> Vec<f64> {
    (0..days).map(|t| demand_multiplier(dm, start, warmup, t)).collect()
}

/// "No index" marker in `u32` index arrays.
pub const NONE: u32 = u32::MAX;

/// What the day loop reads for one position, packed together: its policy and links.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PosRt {
    /// Rule and levels.
    pub kind: PolicyKind,
    /// Order cap (∞ if none).
    pub max_order: f64,
    /// Review period in days.
    pub review_days: u32,
    /// Review phase.
    pub review_offset: u32,
    /// Parent position, or NONE when the source is an external supplier.
    pub parent: u32,
    /// Slot for location daily totals (see `loc_day_slot`).
    pub day_slot: u32,
    /// The rule in threshold form (`policy::threshold_form`): order `up_to − IP` when
    /// `IP ≤ trigger`; `simple` is false for rules without that form.
    pub trigger: f64,
    /// Order-up-to level of the threshold form.
    pub up_to: f64,
    /// Whether the rule has the threshold form with fixed levels and orders reach the source the
    /// same day (the fast path).
    pub simple: bool,
    /// Days its orders take to reach the source (0 = the same day).
    pub order_delay: u32,
    /// Index of its forecast-driven levels in `Allocation::dyn_levels`, or NONE.
    pub dynamic: u32,
}

impl PosRt {
    /// Sets the rule and its threshold form.
    pub fn set_kind(&mut self, kind: PolicyKind) {
        self.kind = kind;
        match threshold_form(kind) {
            Some((trigger, up_to)) => (self.trigger, self.up_to, self.simple) = (trigger, up_to, true),
            None => (self.trigger, self.up_to, self.simple) = (f64::NEG_INFINITY, 0.0, false),
        }
        self.simple &= self.order_delay == 0 && self.dynamic == NONE;
    }
}

/// A stationary demand stream drawn from an inverse-CDF table (the fast path).
#[derive(Clone, Copy, Debug)]
pub struct TableStream {
    /// Position it feeds.
    pub pos: u32,
    /// Its table in `Model::tables`.
    pub table: TableRef,
}

/// One stream of customer demand (general path).
#[derive(Clone, Debug)]
pub struct Stream {
    /// Position it feeds.
    pub pos: u32,
    /// The distribution (for scaled draws).
    pub dist: Dist,
    /// Compiled sampler for the base distribution.
    pub sampler: Sampler,
    /// Demand multiplier per simulated day (seasonality × promotions), if any differs from 1.
    pub mult: Option<Box<[f64]>>,
    /// Whole-unit SKU (scaled deterministic demand is rounded stochastically).
    pub whole: bool,
    /// Round draws to whole units (a whole-unit SKU with a continuous distribution).
    pub round: bool,
    /// Index of its entry in `Scenario::demand`.
    pub demand_index: u32,
    /// The first stream of its position (stores its draw; later streams add to it).
    pub assign: bool,
    /// Stream key (hash of its name).
    pub key: u64,
}

impl Stream {
    /// Demand drawn on simulated day `day`, with an extra multiplier `shock` (1 = none).
    #[inline(always)]
    pub fn draw<R: rand::Rng + ?Sized>(&self, rng: &mut R, day: usize, shock: f64) -> f64 {
        let m = match &self.mult {
            None => shock,
            Some(v) => v[day] * shock,
        };
        let x = if m == 1.0 {
            self.sampler.sample(rng, day)
        } else {
            sample_scaled(&self.dist, &self.sampler, rng, day, m, self.whole)
        };
        if self.round { x.round() } else { x }
    }
}

/// An outage process at one location.
#[derive(Clone, Debug)]
pub enum DisruptionRt {
    /// Two-state Markov chain.
    Markov {
        /// Location index.
        loc: u32,
        /// P(up → down) per day.
        p_down: f64,
        /// P(down → up) per day.
        p_up: f64,
        /// Stream key.
        key: u64,
    },
    /// Fixed windows, precomputed per simulated day.
    Scheduled {
        /// Location index.
        loc: u32,
        /// Whether the window is active on each simulated day.
        active: Box<[bool]>,
        /// Capacity while active (`None` = fully down).
        capacity: Option<f64>,
    },
}

/// A transport-delay process on one lane.
#[derive(Clone, Debug)]
pub struct DelayRt {
    /// The lane (receiving location).
    pub lane: u32,
    /// Scheduled: whether active on each simulated day. `None` = random events.
    pub schedule: Option<Box<[bool]>>,
    /// Random: probability that an event starts on a day without one.
    pub p_start: f64,
    /// Random: length of an event in days.
    pub duration: LeadSampler,
    /// Days added to the lead time (drawn per event, or per day of a scheduled window).
    pub extra: LeadSampler,
    /// Stream key.
    pub key: u64,
}

/// A random demand-shock process.
#[derive(Clone, Debug)]
pub struct ShockRt {
    /// General streams it multiplies.
    pub streams: Vec<u32>,
    /// Probability that an event starts on a day without one.
    pub p_start: f64,
    /// Length of an event in days.
    pub duration: LeadSampler,
    /// Multiplier of an event.
    pub multiplier: Sampler,
    /// Stream key.
    pub key: u64,
}

/// A common demand factor: log-normal, mean 1, AR(1) on its logarithm.
#[derive(Clone, Debug)]
pub struct FactorRt {
    /// General streams it multiplies.
    pub streams: Vec<u32>,
    /// Standard deviation of the logarithm.
    pub sigma: f64,
    /// Day-to-day correlation of the logarithm.
    pub rho: f64,
    /// Stream key.
    pub key: u64,
}

/// A shipping point: a location that ships one SKU to a range of child positions.
#[derive(Clone, Copy, Debug)]
pub struct Group {
    /// Shipping location.
    pub loc: u32,
    /// Stocking position that ships (NONE for an external supplier).
    pub stock_pos: u32,
    /// First child position.
    pub lo: u32,
    /// One past the last child position.
    pub hi: u32,
}

/// How many replications (the first ones) keep their day-by-day record for charts at most:
/// enough for the p5–p95 bands of a fan chart, few enough that recording costs little in a long
/// run. Large networks keep fewer (see [`Model::day_records`]).
pub const DAY_RECORDS: usize = 200;

/// Echelon height of every location ([`Network::height`]).
pub fn echelon_heights(sc: &Scenario) -> Vec<usize> {
    (0..sc.locations.len()).map(|l| sc.network.height(l) as usize).collect()
}

/// Memory the day-by-day records of a run may take (bytes), before they are cut below
/// [`DAY_RECORDS`] replications (but never below 50).
const DAY_RECORD_BUDGET: usize = 64 << 20;

/// The compiled scenario.
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
    /// Pipeline ring length (≥ the longest possible lead time).
    pub ring_len: usize,
    /// Number of locations (suppliers included).
    pub n_loc: usize,
    /// Location of each position.
    pub pos_loc: Vec<u32>,
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
    pub parent: Vec<u32>,
    /// Whether the position's source is an external supplier.
    pub from_supplier: Vec<bool>,
    /// Inbound lane (= the position's location index) of each position.
    pub lane: Vec<u32>,
    /// First child position (children are consecutive).
    pub child_lo: Vec<u32>,
    /// One past the last child position.
    pub child_hi: Vec<u32>,
    /// Policy and links of each position.
    pub policy: Vec<PosRt>,
    /// Whole units (orders rounded up, rationing in whole units).
    pub whole: Vec<bool>,
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
    /// Initial on hand.
    pub initial: Vec<f64>,
    /// Whether the position faces customer demand.
    pub customer: Vec<bool>,
    /// Customer-facing positions, ascending.
    pub customer_list: Vec<u32>,
    /// Stationary table-sampled demand streams (fast path), sorted by position, at most one per
    /// position (further ones go to `streams`).
    pub table_streams: Vec<TableStream>,
    /// Stream keys of `table_streams` (seed their random numbers).
    pub table_keys: Vec<u64>,
    /// The tables of `table_streams`, back to back in stream order.
    pub tables: TableArena,
    /// All other demand streams, sorted by position.
    pub streams: Vec<Stream>,
    /// Shipping groups: who ships which SKU to which range of positions.
    pub groups: Vec<Group>,
    /// Lead-time sampler of each lane (indexed by location; suppliers unused).
    pub lanes: Vec<LeadSampler>,
    /// Lanes with random lead times (drawn every day).
    pub random_lanes: Vec<u32>,
    /// Outage processes.
    pub disruptions: Vec<DisruptionRt>,
    /// Transport-delay processes.
    pub delays: Vec<DelayRt>,
    /// Lanes with delays (their lead time is recomputed every day).
    pub delayed_lanes: Vec<u32>,
    /// Random demand-shock processes.
    pub shocks: Vec<ShockRt>,
    /// Common demand factors.
    pub factors: Vec<FactorRt>,
    /// Measured days on which a scheduled disruption is active (outage, capacity cut, delay,
    /// stress-test demand surge).
    pub disrupted_static: Vec<bool>,
    /// Any disruption at all (then resilience KPIs are computed).
    pub resilience: bool,
    /// Selling price of each position's SKU.
    pub price: Vec<f64>,
    /// Record network and location totals day by day (for charts), in the first
    /// [`Model::day_records`] replications (resilience KPIs record network totals in all of
    /// them).
    pub record_daily: bool,
    /// Rationing rules, reserves, pushes, forecasts, rebalancing.
    pub alloc: Allocation,
    /// Pipelines full at the start: (position, units per day, lead time, order delay).
    pub pipeline: Vec<(u32, f64, u32, u32)>,
    /// Shipping capacity per location and day (∞ = unlimited).
    pub capacity: Vec<f64>,
    /// Any echelon policy (echelon positions are computed only if so).
    pub has_echelon: bool,
    /// Any finite shipping capacity (capacity rationing is computed only if so).
    pub capacity_limited: bool,
    /// Stocking locations in file order, for reports.
    pub stock_locs: Vec<u32>,
    /// Locations with more than one SKU (their bullwhip needs daily location totals).
    pub multi_sku_locs: Vec<u32>,
    /// Whether each location has more than one SKU.
    pub loc_multi: Vec<bool>,
    /// Per position: index in `multi_sku_locs` of its location, or `multi_sku_locs.len()` (a
    /// scratch slot) for single-SKU locations.
    pub loc_day_slot: Vec<u32>,
    /// Stable key of each lane, for random streams.
    pub lane_key: Vec<u64>,
}

impl Model {
    /// Compiles a validated scenario.
    pub fn compile(scenario: &Scenario) -> Model {
        Self::compile_arc(Arc::new(scenario.clone()))
    }

    /// Compiles a shared scenario.
    pub fn compile_arc(sc: Arc<Scenario>) -> Model {
        let n_loc = sc.locations.len();
        let days = sc.simulation.days;
        let warmup = sc.simulation.warmup_days;
        let total_days = days + warmup;

        // Breadth-first from the suppliers: siblings consecutive, in file order.
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); n_loc];
        for (i, l) in sc.locations.iter().enumerate() {
            if let Some(s) = l.source {
                children[s].push(i);
            }
        }
        let mut depth = vec![0usize; n_loc];
        let mut bfs: Vec<usize> = (0..n_loc).filter(|&i| sc.locations[i].kind == LocationKind::Supplier).collect();
        let mut head = 0;
        while head < bfs.len() {
            let l = bfs[head];
            head += 1;
            for &c in &children[l] {
                depth[c] = depth[l] + 1;
                bfs.push(c);
            }
        }
        // Deepest first; within a depth, breadth-first order (keeps siblings together).
        let max_depth = depth.iter().copied().max().unwrap_or(0);
        let mut loc_order = Vec::with_capacity(n_loc);
        for dd in (1..=max_depth).rev() {
            loc_order.extend(bfs.iter().copied().filter(|&l| depth[l] == dd));
        }

        let mut spec_of = vec![vec![None; sc.skus.len()]; n_loc];
        for (i, p) in sc.positions.iter().enumerate() {
            spec_of[p.location][p.sku] = Some(i);
        }
        let mut pos_index = vec![vec![NONE; sc.skus.len()]; n_loc];
        let (mut pos_loc, mut pos_sku, mut pos_spec) = (Vec::new(), Vec::new(), Vec::new());
        for k in 0..sc.skus.len() {
            for &l in &loc_order {
                if let Some(i) = spec_of[l][k] {
                    pos_index[l][k] = pos_loc.len() as u32;
                    pos_loc.push(l as u32);
                    pos_sku.push(k as u32);
                    pos_spec.push(i as u32);
                }
            }
        }
        let n = pos_loc.len();

        let mut parent = vec![NONE; n];
        let mut from_supplier = vec![false; n];
        let mut lane = vec![0u32; n];
        let mut policy = Vec::with_capacity(n);
        let mut whole = vec![false; n];
        let (mut h, mut p, mut kk, mut h_transit) = (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        let (mut unit_cost, mut margin, mut initial) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        for q in 0..n {
            let spec = &sc.positions[pos_spec[q] as usize];
            let l = pos_loc[q] as usize;
            let sku = &sc.skus[pos_sku[q] as usize];
            let src = sc.locations[l].source.expect("stocking locations have a source");
            if sc.locations[src].kind == LocationKind::Supplier {
                from_supplier[q] = true;
            } else {
                parent[q] = pos_index[src][pos_sku[q] as usize];
            }
            lane[q] = l as u32;
            whole[q] = sku.discrete;
            let max_order = spec.policy.max_order.unwrap_or(f64::INFINITY);
            let mut rt = PosRt {
                kind: spec.policy.kind,
                review_days: spec.policy.review_days,
                review_offset: spec.policy.review_offset,
                max_order: if whole[q] { max_order.floor().max(1.0) } else { max_order },
                parent: parent[q],
                day_slot: 0,
                trigger: 0.0,
                up_to: 0.0,
                simple: false,
                order_delay: sc.locations[l].order_delay,
                dynamic: NONE,
            };
            rt.set_kind(if whole[q] { whole_units(spec.policy.kind) } else { spec.policy.kind });
            policy.push(rt);
            h[q] = spec.holding_cost;
            p[q] = spec.stockout_cost;
            kk[q] = spec.order_cost;
            unit_cost[q] = sku.unit_cost;
            margin[q] = sku.price - sku.unit_cost;
        }
        for q in 0..n {
            if parent[q] != NONE {
                h_transit[q] = h[parent[q] as usize];
            }
        }
        // Initial stock: the order-up-to level; for echelon base-stock the local share of it.
        let mut below = vec![0.0; n];
        for c in 0..n {
            if parent[c] != NONE {
                below[parent[c] as usize] += policy[c].kind.order_up_to();
            }
        }
        for q in 0..n {
            let spec = &sc.positions[pos_spec[q] as usize];
            initial[q] = match (spec.initial_on_hand, policy[q].kind) {
                (Some(v), _) => v,
                (None, PolicyKind::EchelonBaseStock { level }) => (level - below[q]).max(0.0),
                (None, other) => other.order_up_to(),
            };
            if whole[q] {
                initial[q] = initial[q].round();
            }
        }

        // Children ranges (children are consecutive by construction).
        let (mut child_lo, mut child_hi) = (vec![u32::MAX; n], vec![0u32; n]);
        for c in 0..n {
            if parent[c] != NONE {
                let q = parent[c] as usize;
                child_lo[q] = child_lo[q].min(c as u32);
                child_hi[q] = child_hi[q].max(c as u32 + 1);
            }
        }
        for q in 0..n {
            if child_lo[q] == u32::MAX {
                child_lo[q] = 0;
            }
        }
        // Shipping groups: suppliers (per SKU) and stocking positions with children.
        let mut sup_range: Vec<Vec<(u32, u32)>> = vec![vec![(u32::MAX, 0); sc.skus.len()]; n_loc];
        for c in 0..n {
            if from_supplier[c] {
                let s = sc.locations[pos_loc[c] as usize].source.expect("has source");
                let r = &mut sup_range[s][pos_sku[c] as usize];
                r.0 = r.0.min(c as u32);
                r.1 = r.1.max(c as u32 + 1);
            }
        }
        let mut groups = Vec::new();
        for (l, loc) in sc.locations.iter().enumerate() {
            for k in 0..sc.skus.len() {
                if loc.kind == LocationKind::Supplier {
                    let (a, b) = sup_range[l][k];
                    if a < b {
                        groups.push(Group { loc: l as u32, stock_pos: NONE, lo: a, hi: b });
                    }
                } else {
                    let q = pos_index[l][k];
                    if q != NONE && child_hi[q as usize] > child_lo[q as usize] {
                        groups.push(Group {
                            loc: l as u32,
                            stock_pos: q,
                            lo: child_lo[q as usize],
                            hi: child_hi[q as usize],
                        });
                    }
                }
            }
        }

        // Demand streams.
        let mut customer = vec![false; n];
        let mut streams = Vec::new();
        let mut table_streams = Vec::new();
        let mut has_table = vec![false; n];
        let start = sc.simulation.start_date;
        // Streams hit by random shocks or common factors need a multiplier each day, so they
        // take the general sampling path.
        let mut dynamic = vec![false; sc.demand.len()];
        for &i in sc.shocks.iter().flat_map(|x| &x.streams).chain(sc.factors.iter().flat_map(|x| &x.streams)) {
            dynamic[i] = true;
        }
        let mut disrupted_static = vec![false; days];
        for (di, dm) in sc.demand.iter().enumerate() {
            let q = pos_index[dm.location][dm.sku];
            if q == NONE {
                continue;
            }
            customer[q as usize] = true;
            let mult = demand_multipliers(dm, start, warmup, total_days);
            for pr in dm.promotions.iter().filter(|p| p.shock) {
                for day in pr.first_day.max(0)..=pr.last_day.min(days as i64 - 1) {
                    disrupted_static[day as usize] = true;
                }
            }
            let varies = mult.iter().any(|&m| m != 1.0);
            let sampler = Sampler::new(&dm.dist);
            let whole = sc.skus[dm.sku].discrete;
            let key = entity_key(&dm.key);
            match sampler {
                Sampler::Table(table) if !varies && !dynamic[di] && !has_table[q as usize] => {
                    has_table[q as usize] = true;
                    table_streams.push((q, table, key))
                }
                sampler => streams.push(Stream {
                    pos: q,
                    dist: dm.dist.clone(),
                    sampler,
                    mult: varies.then(|| mult.into_boxed_slice()),
                    whole,
                    round: whole && !dm.dist.is_integral(),
                    assign: false,
                    key,
                    demand_index: di as u32,
                }),
            }
        }
        streams.sort_by_key(|s| s.pos);
        table_streams.sort_by_key(|s| s.0);
        let mut tables = TableArena::default();
        let table_keys = table_streams.iter().map(|s| s.2).collect();
        let table_streams = table_streams
            .iter()
            .map(|(pos, t, _)| {
                let (lo, pmf) = t.pmf();
                TableStream { pos: *pos, table: tables.push(lo, &pmf) }
            })
            .collect();
        for i in 0..streams.len() {
            let pos = streams[i].pos as usize;
            streams[i].assign = !has_table[pos] && (i == 0 || streams[i - 1].pos as usize != pos);
        }
        let customer_list = (0..n as u32).filter(|&q| customer[q as usize]).collect();

        // Lanes.
        let lanes: Vec<LeadSampler> = sc.locations.iter().map(|l| LeadSampler::new(&l.lead_time)).collect();
        let random_lanes = (0..n_loc as u32)
            .filter(|&l| sc.locations[l as usize].kind != LocationKind::Supplier && lanes[l as usize].is_random())
            .collect();
        // Transport delays per lane, and how many days they can add at most.
        let mut delays = Vec::new();
        let mut max_extra = vec![0u32; n_loc];
        for (l, loc) in sc.locations.iter().enumerate() {
            for (j, dl) in loc.delays.iter().enumerate() {
                match dl {
                    Delay::Scheduled { windows, extra_days } => {
                        let extra = LeadSampler::new(&LeadTime::Random(extra_days.clone()));
                        max_extra[l] += extra.max_days();
                        for (day, flag) in disrupted_static.iter_mut().enumerate() {
                            if windows.iter().any(|&(a, b)| day as i64 >= a && day as i64 <= b) {
                                *flag = true;
                            }
                        }
                        let active = (0..total_days)
                            .map(|t| {
                                let day = t as i64 - warmup as i64;
                                windows.iter().any(|&(a, b)| day >= a && day <= b)
                            })
                            .collect();
                        delays.push(DelayRt {
                            lane: l as u32,
                            schedule: Some(active),
                            p_start: 0.0,
                            duration: LeadSampler::Const(1),
                            extra,
                            key: entity_key(&format!("delay/{}/{j}", loc.id)),
                        });
                    }
                    Delay::Random { mean_days_between, duration, extra_days } => {
                        let extra = LeadSampler::new(&LeadTime::Random(extra_days.clone()));
                        max_extra[l] += extra.max_days();
                        delays.push(DelayRt {
                            lane: l as u32,
                            schedule: None,
                            p_start: 1.0 / mean_days_between,
                            duration: LeadSampler::new(&LeadTime::Random(duration.clone())),
                            extra,
                            key: entity_key(&format!("delay/{}/{j}", loc.id)),
                        });
                    }
                }
            }
        }
        // The ring also carries orders in the mail (`order_delay`).
        let max_delay = sc.locations.iter().map(|l| l.order_delay + 1).max().unwrap_or(1);
        let ring_len =
            lanes.iter().zip(&max_extra).map(|(s, e)| s.max_days() + e).max().unwrap_or(1).max(max_delay) as usize;
        let mut delayed_lanes: Vec<u32> = delays.iter().map(|d| d.lane).collect();
        delayed_lanes.dedup();

        // Random demand shocks and common factors, on the general streams they hit.
        let general_of =
            |di: &usize| streams.iter().position(|s: &Stream| s.demand_index as usize == *di).map(|i| i as u32);
        let shocks = sc
            .shocks
            .iter()
            .enumerate()
            .map(|(i, x)| ShockRt {
                streams: x.streams.iter().filter_map(general_of).collect(),
                p_start: 1.0 / x.mean_days_between,
                duration: LeadSampler::new(&LeadTime::Random(x.duration.clone())),
                multiplier: Sampler::new(&x.multiplier),
                key: entity_key(&format!("shock/{i}")),
            })
            .collect();
        let factors = sc
            .factors
            .iter()
            .enumerate()
            .map(|(i, x)| FactorRt {
                streams: x.streams.iter().filter_map(general_of).collect(),
                sigma: (1.0 + x.cv * x.cv).ln().sqrt(),
                rho: x.autocorrelation,
                key: entity_key(&format!("factor/{i}")),
            })
            .collect();

        // Disruptions and capacity.
        let mut disruptions = Vec::new();
        let mut capacity = vec![f64::INFINITY; n_loc];
        for (l, loc) in sc.locations.iter().enumerate() {
            if let Some(c) = loc.capacity_per_day {
                capacity[l] = c;
            }
            for (j, dz) in loc.disruptions.iter().enumerate() {
                match dz {
                    Disruption::Markov { mean_days_up, mean_days_down } => disruptions.push(DisruptionRt::Markov {
                        loc: l as u32,
                        p_down: 1.0 / mean_days_up,
                        p_up: 1.0 / mean_days_down,
                        key: entity_key(&format!("disruption/{}/{j}", loc.id)),
                    }),
                    Disruption::Scheduled { windows, capacity_per_day } => {
                        for (day, flag) in disrupted_static.iter_mut().enumerate() {
                            if windows.iter().any(|&(a, b)| day as i64 >= a && day as i64 <= b) {
                                *flag = true;
                            }
                        }
                        let active = (0..total_days)
                            .map(|t| {
                                let day = t as i64 - warmup as i64;
                                windows.iter().any(|&(a, b)| day >= a && day <= b)
                            })
                            .collect();
                        disruptions.push(DisruptionRt::Scheduled {
                            loc: l as u32,
                            active,
                            capacity: *capacity_per_day,
                        });
                    }
                }
            }
        }

        let mut loc_capped: Vec<bool> = capacity.iter().map(|c| c.is_finite()).collect();
        for d in &disruptions {
            if let DisruptionRt::Scheduled { loc, capacity: Some(_), .. } = d {
                loc_capped[*loc as usize] = true;
            }
        }
        let capacity_limited = loc_capped.iter().any(|&c| c);
        groups.sort_by_key(|g| g.lo);

        let resilience = disrupted_static.iter().any(|&x| x)
            || disruptions.iter().any(|d| matches!(d, DisruptionRt::Markov { .. }))
            || delays.iter().any(|d: &DelayRt| d.schedule.is_none())
            || !sc.shocks.is_empty();
        let price: Vec<f64> = (0..n).map(|q| unit_cost[q] + margin[q]).collect();
        let has_echelon = policy.iter().any(|p| matches!(p.kind, PolicyKind::EchelonBaseStock { .. }));
        let stock_locs: Vec<u32> =
            (0..n_loc as u32).filter(|&l| sc.locations[l as usize].kind != LocationKind::Supplier).collect();
        let mut skus_at = vec![0usize; n_loc];
        for &l in &pos_loc {
            skus_at[l as usize] += 1;
        }
        let multi_sku_locs: Vec<u32> = stock_locs.iter().copied().filter(|&l| skus_at[l as usize] > 1).collect();
        let loc_multi: Vec<bool> = skus_at.iter().map(|&k| k > 1).collect();
        let loc_day_slot: Vec<u32> = pos_loc
            .iter()
            .map(|&l| multi_sku_locs.iter().position(|&x| x == l).unwrap_or(multi_sku_locs.len()) as u32)
            .collect();
        for (p, &slot) in policy.iter_mut().zip(&loc_day_slot) {
            p.day_slot = slot;
        }
        let lane_key = sc.locations.iter().map(|l| entity_key(&format!("lane/{}", l.id))).collect();

        let pipeline = (0..n)
            .filter_map(|q| {
                let loc = &sc.locations[pos_loc[q] as usize];
                match loc.lead_time {
                    LeadTime::Days(lead) if loc.initial_pipeline > 0.0 => {
                        Some((q as u32, loc.initial_pipeline, lead, loc.order_delay))
                    }
                    _ => None,
                }
            })
            .collect();
        let heights = echelon_heights(&sc);
        let pos_height: Vec<u32> = pos_loc.iter().map(|&l| heights[l as usize] as u32).collect();
        let n_heights = pos_height.iter().copied().max().unwrap_or(0) as usize;
        let mut model = Model {
            days,
            warmup,
            total_days,
            lost_sales: sc.simulation.unmet_demand == UnmetDemand::LostSales,
            ring_len,
            n_loc,
            pos_height,
            n_heights,
            pos_loc,
            pos_sku,
            pos_spec,
            parent,
            from_supplier,
            lane,
            child_lo,
            child_hi,
            policy,
            whole,
            h,
            p,
            k: kk,
            h_transit,
            unit_cost,
            margin,
            initial,
            customer,
            customer_list,
            table_streams,
            table_keys,
            tables,
            streams,
            groups,
            lanes,
            random_lanes,
            disruptions,
            delays,
            delayed_lanes,
            shocks,
            factors,
            disrupted_static,
            resilience,
            price,
            record_daily: false,
            capacity,
            has_echelon,
            capacity_limited,
            stock_locs,
            multi_sku_locs,
            loc_multi,
            loc_day_slot,
            lane_key,
            alloc: Allocation::default(),
            pipeline,
            scenario: sc,
        };
        let sc = model.scenario.clone();
        allocation::compile(&sc, &mut model);
        model
    }

    /// Number of positions.
    pub fn n_pos(&self) -> usize {
        self.pos_loc.len()
    }

    /// How many replications (the first ones) keep their day-by-day record when
    /// `record_daily` is set: [`DAY_RECORDS`], or fewer (at least 50) when that would take more
    /// than 64 MiB.
    pub fn day_records(&self) -> usize {
        let per_rep = self.days * (self.n_loc * 2 + 5) * 8;
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
        let (l, k) = (self.pos_loc[q] as usize, self.pos_sku[q] as usize);
        sc.demand
            .iter()
            .filter(|d| d.location == l && d.sku == k)
            .map(|d| d.dist.mean() * demand_multiplier(d, sc.simulation.start_date, self.warmup, t))
            .sum()
    }

    /// `location/sku` name of a position.
    pub fn pos_name(&self, q: usize) -> String {
        let sc = &self.scenario;
        format!("{}/{}", sc.locations[self.pos_loc[q] as usize].id, sc.skus[self.pos_sku[q] as usize].id)
    }

    /// Positions of a location, in SKU order.
    pub fn positions_of(&self, loc: usize) -> Vec<usize> {
        (0..self.n_pos()).filter(|&q| self.pos_loc[q] as usize == loc).collect()
    }

    /// Replaces one position's policy (used by safety-stock search without recompiling).
    pub fn set_policy(&mut self, q: usize, kind: PolicyKind) {
        self.policy[q].set_kind(if self.whole[q] { whole_units(kind) } else { kind });
        if self.scenario.positions[self.pos_spec[q] as usize].initial_on_hand.is_none() {
            self.initial[q] = self.policy[q].kind.order_up_to();
        }
    }
}
