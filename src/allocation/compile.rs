//! Allocation, compiled: how each source rations, holds a reserve, pushes stock on a forecast,
//! splits a launch quantity, and how stores rebalance among themselves.

use super::{LaunchBy, Push, Rationing, RebalanceWithin};
use crate::forecast::compile::{DynLevel, ForecastRt, arena, dynamic_levels, new_forecast};
use crate::model::{Group, Model, NONE};
use crate::policy::{LevelSpec, resolve_level};
use crate::rng::entity_key;
use crate::scenario::{LocationKind, Position, Scenario};

/// How a source shares scarce stock among the positions it supplies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// In proportion to what each is owed.
    Proportional,
    /// In full, one after another, by `Model::rank`.
    Priority,
    /// Equalising days of cover after allocation.
    FairShare,
    /// Tier by tier (`Model::tier_rank`), proportionally within a tier.
    TierPriority,
}

/// A warehouse's reserve for one tier.
#[derive(Clone, Debug)]
pub struct ReserveRt {
    /// The warehouse position.
    pub stock_pos: u32,
    /// Units held back: share × its initial stock.
    pub units: f64,
    /// Sell-through of the protected tier's positions that releases the reserve.
    pub threshold: f64,
    /// Tier rank of the protected tier (it may use the reserve).
    pub tier_rank: u32,
    /// Positions of the protected tier it supplies (their sell-through is watched).
    pub watch: Vec<u32>,
}

/// A warehouse's forecast-driven push.
#[derive(Clone, Debug)]
pub struct PushRt {
    /// The warehouse position.
    pub stock_pos: u32,
    /// Its children's positions.
    pub lo: u32,
    /// One past the last child.
    pub hi: u32,
    /// Days between allocations.
    pub cycle: u32,
    /// Allocation phase.
    pub offset: u32,
    /// Per child (`c - lo`): days the allocation must cover (lead time + cycle − 1).
    pub horizon: Vec<f64>,
    /// Per child: buffer in units on top of the forecast need.
    pub buffer: Vec<f64>,
    /// Per child: index of its forecast in `Model::forecasts`.
    pub forecast: Vec<u32>,
    /// Forecast bias: forecasts × (1 + bias).
    pub bias: f64,
    /// Forecast noise: σ of the log-normal error factor (0 = none).
    pub noise_sigma: f64,
    /// Key of its forecast-noise stream (hash of `forecast/<location>/<sku>`).
    pub noise_key: u64,
}

/// Lateral transshipment between stores.
#[derive(Clone, Debug)]
pub struct RebalanceRt {
    /// Days between reviews.
    pub review: u32,
    /// Receivers have fewer days of cover than this.
    pub trigger: f64,
    /// Fill-up (receivers) and keep (donors) level in days of cover.
    pub target: f64,
    /// Transfer lead time.
    pub lead: u32,
    /// Cost per unit moved.
    pub cost: f64,
    /// Groups of store positions (same SKU) that may exchange stock.
    pub groups: Vec<Vec<u32>>,
}

/// Everything allocation-related, filled in by [`compile`].
#[derive(Clone, Debug, Default)]
pub struct Allocation {
    /// Rationing rule of each group (parallel to `Model::groups`).
    pub rules: Vec<Rule>,
    /// Reserve index of each group (NONE if none).
    pub group_reserve: Vec<u32>,
    /// Per position: rank among its siblings under priority rationing.
    pub rank: Vec<u32>,
    /// Per position: rank of its location's tier label (labels sorted), u32::MAX without one.
    pub tier_rank: Vec<u32>,
    /// Tier labels in rank order.
    pub tiers: Vec<String>,
    /// Segment labels (AX … CZ) present, sorted.
    pub segments: Vec<String>,
    /// Per position: index of its segment in `segments`, u32::MAX without one.
    pub segment: Vec<u32>,
    /// Per position: expected daily demand at and below it (fair share, rebalancing).
    pub mu: Vec<f64>,
    /// Reserves.
    pub reserves: Vec<ReserveRt>,
    /// Pushes, by warehouse position.
    pub pushes: Vec<PushRt>,
    /// Per position: index of the push that supplies it (NONE if none) — its stock arrives by push.
    pub pushed_by: Vec<u32>,
    /// Per position: index of the push it makes as a warehouse (NONE if none).
    pub push_of: Vec<u32>,
    /// Forecasts.
    pub forecasts: Vec<ForecastRt>,
    /// Forecast-driven policy levels (see `PosRt::dynamic`).
    pub dyn_levels: Vec<DynLevel>,
    /// Length of the per-replication forecast arena.
    pub forecast_state: usize,
    /// Lateral transshipment, if any.
    pub rebalance: Option<RebalanceRt>,
    /// Any position's sold and received units must be tracked (for reserves).
    pub track_sell_through: bool,
}

impl Allocation {
    /// Whether anything beyond proportional rationing is at work.
    pub fn any(&self) -> bool {
        !self.reserves.is_empty() || !self.pushes.is_empty() || self.rebalance.is_some()
    }
}

/// Fills in the allocation side of a model and applies launch quantities to initial stock, in
/// named phases (the order matters: reserves hold a share of the stock after the launch, and
/// push forecasts come before the policies' own forecasts).
pub fn compile(sc: &Scenario, m: &mut Model) {
    let n = m.n_pos();
    let mut a = Allocation { rank: vec![0; n], ..Default::default() };
    a.mu = (0..n).map(|q| spec(sc, m, q).planned().0).collect();
    labels(sc, m, &mut a);
    a.rules = rationing(sc, m, &mut a.rank);
    launch(sc, m, &a.mu);
    reserves(sc, m, &mut a);
    pushes(sc, m, &mut a);
    dynamic_levels(sc, m, &a.mu, &mut a.forecasts, &mut a.dyn_levels);
    a.forecast_state = arena(&mut a.forecasts);
    a.rebalance = sc.rebalancing.as_ref().map(|_| rebalancing(sc, m));
    // Transfers need the pipeline ring to reach their lead time.
    if let Some(rb) = &a.rebalance {
        m.processes.ring_len = m.processes.ring_len.max(rb.lead as usize);
    }
    m.alloc = a;
}

/// The validated position of model position `q`.
fn spec<'a>(sc: &'a Scenario, m: &Model, q: usize) -> &'a Position {
    &sc.positions[m.topo.pos_spec[q] as usize]
}

/// Tier labels (sorted) and each position's tier rank; segment labels and each position's.
fn labels(sc: &Scenario, m: &Model, a: &mut Allocation) {
    let n = m.n_pos();
    let mut tiers: Vec<String> = sc.locations.iter().filter_map(|l| l.tier.clone()).collect();
    tiers.sort();
    tiers.dedup();
    a.tier_rank = (0..n)
        .map(|q| match &sc.locations[m.topo.pos_loc[q].idx()].tier {
            Some(t) => tiers.iter().position(|x| x == t).unwrap_or(0) as u32,
            None => u32::MAX,
        })
        .collect();
    a.tiers = tiers;
    let mut segments: Vec<String> = (0..n).filter_map(|q| spec(sc, m, q).segment.clone()).collect();
    segments.sort();
    segments.dedup();
    a.segment = (0..n)
        .map(|q| {
            let s = spec(sc, m, q).segment.as_ref();
            s.and_then(|s| segments.iter().position(|x| x == s)).map_or(u32::MAX, |i| i as u32)
        })
        .collect();
    a.segments = segments;
}

/// Each group's rationing rule; fills in priority ranks.
fn rationing(sc: &Scenario, m: &Model, rank: &mut [u32]) -> Vec<Rule> {
    m.topo
        .groups
        .iter()
        .map(|g| match &sc.locations[g.loc.idx()].rationing {
            Rationing::Proportional => Rule::Proportional,
            Rationing::Priority(order) => {
                for c in g.lo..g.hi {
                    let loc = (m.topo.pos_loc[c as usize]).idx();
                    // Listed locations first, in list order; then the rest in file order.
                    rank[c as usize] = order.iter().position(|&o| o == loc).map_or(order.len() + loc, |i| i) as u32;
                }
                Rule::Priority
            }
            Rationing::FairShare => Rule::FairShare,
            Rationing::TierPriority => Rule::TierPriority,
        })
        .collect()
}

/// Launch quantities: the warehouse keeps a share, its children split the rest (initial stock).
fn launch(sc: &Scenario, m: &mut Model, mu: &[f64]) {
    for g in m.topo.groups.clone() {
        let loc = &sc.locations[g.loc.idx()];
        let Some(launch) = &loc.launch else { continue };
        if g.stock_pos.is_none() {
            continue;
        }
        let sku = m.topo.pos_sku[g.stock_pos.idx()] as usize;
        let Some(total) = launch.total[sku] else { continue };
        let weight = |c: usize| {
            let w = sc.locations[m.topo.pos_loc[c].idx()].weight;
            match launch.by {
                LaunchBy::Weights => w,
                LaunchBy::Demand => mu[c],
                LaunchBy::WeightedDemand => w * mu[c],
            }
        };
        let kids: Vec<usize> = (g.lo as usize..g.hi as usize).collect();
        let sum: f64 = kids.iter().map(|&c| weight(c)).sum();
        let spread = total * (1.0 - launch.keep);
        let mut given = 0.0;
        for &c in &kids {
            let share = if sum > 0.0 { spread * weight(c) / sum } else { spread / kids.len() as f64 };
            let units = if m.stock.whole[c] { share.floor() } else { share };
            m.stock.initial[c] = units;
            given += units;
        }
        m.stock.initial[g.stock_pos.idx()] = total - given;
    }
}

/// Reserves held for a tier by warehouses that supply it.
fn reserves(sc: &Scenario, m: &Model, a: &mut Allocation) {
    a.group_reserve = vec![NONE; m.topo.groups.len()];
    for (gi, g) in m.topo.groups.iter().enumerate() {
        let Some(r) = &sc.locations[g.loc.idx()].reserve else { continue };
        if g.stock_pos.is_none() {
            continue;
        }
        let tier_rank = a.tiers.iter().position(|t| *t == r.tier).map_or(u32::MAX, |i| i as u32);
        let watch: Vec<u32> = (g.lo..g.hi).filter(|&c| a.tier_rank[c as usize] == tier_rank).collect();
        if watch.is_empty() {
            // A warehouse that supplies none of the protected tier has nothing to hold a reserve
            // for (it could never be released): its stock serves its own stores.
            continue;
        }
        a.group_reserve[gi] = a.reserves.len() as u32;
        a.reserves.push(ReserveRt {
            stock_pos: g.stock_pos.0,
            units: r.share * m.stock.initial[g.stock_pos.idx()],
            threshold: r.release_sell_through,
            tier_rank,
            watch,
        });
    }
    a.track_sell_through = !a.reserves.is_empty();
}

/// Forecast-driven pushes and their forecasts (one per child, or one national per SKU).
fn pushes(sc: &Scenario, m: &Model, a: &mut Allocation) {
    let n = m.n_pos();
    a.pushed_by = vec![NONE; n];
    a.push_of = vec![NONE; n];
    let mut national: Vec<(u32, u32)> = Vec::new(); // (sku, forecast index)
    for g in &m.topo.groups {
        let loc = &sc.locations[g.loc.idx()];
        let (Some(push), true) = (&loc.push, !g.stock_pos.is_none()) else { continue };
        let sku = m.topo.pos_sku[g.stock_pos.idx()];
        let mut rt = new_push(g, push, m);
        for c in g.lo as usize..g.hi as usize {
            let lt = &sc.locations[m.topo.pos_loc[c].idx()].lead_time;
            let period = lt.mean() + f64::from(push.cycle_days) - 1.0;
            let (mean, var) = (a.mu[c], spec(sc, m, c).planned().1);
            let full = resolve_level(push.buffer, mean, var, lt, push.cycle_days);
            rt.horizon.push(period);
            rt.buffer.push(match push.buffer {
                LevelSpec::Units(u) => u,
                LevelSpec::Days(d) => d * mean,
                LevelSpec::Service(_) | LevelSpec::Cover(_) => (full - mean * period).max(0.0),
            });
            a.pushed_by[c] = a.pushes.len() as u32;
            let f = if push.forecast.national {
                match national.iter().find(|x| x.0 == sku) {
                    Some(&(_, i)) => i,
                    None => {
                        let observes: Vec<u32> = (0..n as u32)
                            .filter(|&p| m.topo.customer[p as usize] && m.topo.pos_sku[p as usize] == sku)
                            .collect();
                        let i = a.forecasts.len() as u32;
                        let share = observes.len().max(1) as f64;
                        a.forecasts.push(new_forecast(m, &push.forecast.method, observes, share, NONE));
                        national.push((sku, i));
                        i
                    }
                }
            } else {
                a.forecasts.push(new_forecast(m, &push.forecast.method, vec![c as u32], 1.0, c as u32));
                a.forecasts.len() as u32 - 1
            };
            rt.forecast.push(f);
        }
        a.push_of[g.stock_pos.idx()] = a.pushes.len() as u32;
        a.pushes.push(rt);
    }
}

/// A push of group `g` without its children's horizons, buffers and forecasts yet.
fn new_push(g: &Group, push: &Push, m: &Model) -> PushRt {
    PushRt {
        stock_pos: g.stock_pos.0,
        lo: g.lo,
        hi: g.hi,
        cycle: push.cycle_days,
        offset: push.offset,
        horizon: Vec::new(),
        buffer: Vec::new(),
        forecast: Vec::new(),
        bias: push.forecast.bias,
        noise_sigma: (1.0 + push.forecast.noise_cv.powi(2)).ln().sqrt(),
        // Hashed once here rather than per replication.
        noise_key: entity_key(&format!("forecast/{}", m.pos_name(g.stock_pos.idx()))),
    }
}

/// Rebalancing groups: stores of the same SKU in the same region / with the same source.
fn rebalancing(sc: &Scenario, m: &Model) -> RebalanceRt {
    let rb = sc.rebalancing.as_ref().expect("called with rebalancing");
    let mut groups: Vec<(u32, String, Vec<u32>)> = Vec::new();
    for q in 0..m.n_pos() {
        let loc = &sc.locations[m.topo.pos_loc[q].idx()];
        if loc.kind != LocationKind::Store || !m.topo.customer[q] {
            continue;
        }
        let key = match rb.within {
            RebalanceWithin::Region => match &loc.region {
                Some(r) => r.clone(),
                None => continue,
            },
            RebalanceWithin::Source => loc.source.map_or(String::new(), |s| sc.locations[s].id.clone()),
            RebalanceWithin::All => String::new(),
        };
        let sku = m.topo.pos_sku[q];
        match groups.iter_mut().find(|g| g.0 == sku && g.1 == key) {
            Some(g) => g.2.push(q as u32),
            None => groups.push((sku, key, vec![q as u32])),
        }
    }
    RebalanceRt {
        review: rb.review_days,
        trigger: rb.trigger_days,
        target: rb.target_days,
        lead: rb.lead_time,
        cost: rb.cost_per_unit,
        groups: groups.into_iter().map(|g| g.2).filter(|g| g.len() > 1).collect(),
    }
}
