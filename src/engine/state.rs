//! The engine's state: every position's stocks and sums, one value per lane, each lane's own
//! processes (demand, disruptions, allocation, channels, records), and the totals a replication
//! ends with. Allocated once per worker thread and reset for each replication.

use super::*;
use crate::pages;

/// Stocks of one position, one value per lane.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Stocks<const L: usize> {
    /// On hand.
    pub(crate) on_hand: [f64; L],
    /// Customer backorders waiting.
    pub(crate) cust_bo: [f64; L],
    /// Units its source owes it.
    pub(crate) owed_in: [f64; L],
    /// Units it owes its children.
    pub(crate) owed_out: [f64; L],
    /// Units in transit to it.
    pub(crate) in_transit: [f64; L],
    /// Ordered, but the order has not reached the source yet (`order_delay`).
    pub(crate) in_mail: [f64; L],
}

impl<const L: usize> Default for Stocks<L> {
    fn default() -> Self {
        let z = [0.0; L];
        Stocks { on_hand: z, cust_bo: z, owed_in: z, owed_out: z, in_transit: z, in_mail: z }
    }
}

/// Stocks of one position in one replication.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StockView {
    /// On hand.
    pub on_hand: f64,
    /// Customer backorders waiting.
    pub cust_bo: f64,
    /// Units its source owes it (ordered, not yet shipped).
    pub owed_in: f64,
    /// Units it owes its children.
    pub owed_out: f64,
    /// Units in transit to it.
    pub in_transit: f64,
    /// Units ordered whose order has not reached the source yet.
    pub in_mail: f64,
}

/// Today's flows of one position in one replication (recorded only for an active observer).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Flows {
    /// Customer demand.
    pub demand: f64,
    /// Units handed to customers.
    pub sold: f64,
    /// Demand lost.
    pub lost: f64,
    /// Units ordered.
    pub ordered: f64,
    /// Units received.
    pub received: f64,
    /// Units shipped downstream.
    pub shipped: f64,
    /// Units its source pushed to it (owed to it as if ordered, but not ordered by it).
    pub pushed_in: f64,
    /// Units sent to it by a lateral transfer today (in transit from today).
    pub transfer_in: f64,
    /// Units it gave away by a lateral transfer today (off its shelf today).
    pub transfer_out: f64,
}

/// Sums over the measured days of one position, one value per lane (end-of-day stocks and the
/// flows that cannot be derived from conservation of units).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Sums<const L: usize> {
    pub(crate) on_hand: [f64; L],
    pub(crate) bo_customer: [f64; L],
    pub(crate) bo_internal: [f64; L],
    pub(crate) in_transit: [f64; L],
    pub(crate) order_days: [f64; L],
    pub(crate) orders_sq: [f64; L],
    pub(crate) dem_in_sq: [f64; L],
    pub(crate) demand: [f64; L],
    pub(crate) served: [f64; L],
    pub(crate) stockout_days: [f64; L],
    pub(crate) shipped: [f64; L],
}

impl<const L: usize> Default for Sums<L> {
    fn default() -> Self {
        let z = [0.0; L];
        Sums {
            on_hand: z,
            bo_customer: z,
            bo_internal: z,
            in_transit: z,
            order_days: z,
            orders_sq: z,
            dem_in_sq: z,
            demand: z,
            served: z,
            stockout_days: z,
            shipped: z,
        }
    }
}

/// What each replication (lane) has of its own besides per-position arrays.
#[derive(Clone, Debug)]
pub(crate) struct Lane {
    /// Whether each location can ship today.
    pub(super) up: Vec<bool>,
    /// Shipping capacity of each location today.
    pub(super) cap: Vec<f64>,
    /// Lead time of a shipment leaving today on each lane (network lane = location).
    pub(super) lead: Vec<u32>,
    /// Ring offset (`slot * n`) where a shipment leaving today on each network lane arrives.
    pub(super) arrive: Vec<usize>,
    /// Outage, lead-time and delay processes.
    pub(super) dz: DisruptionLane,
    /// Demand streams, shocks and common factors.
    pub(super) dm: DemandLane,
    /// Positions owed anything by their source today, ascending (first `n_pending`).
    pub(super) pending: Vec<u32>,
    pub(super) n_pending: usize,
    /// Per-location daily-variance sums [orders, orders², demand, demand²].
    pub(super) loc_bw: Vec<[f64; 4]>,
    /// Network daily-variance sums.
    pub(super) net_bw: [f64; 4],
    /// Per-location requested totals (capacity rationing).
    pub(super) loc_req: Vec<f64>,
    /// Per-location requests of whole-unit groups already served today (capacity rationing:
    /// their shares are rounded cumulatively, so rounding never loses capacity).
    pub(super) loc_cum: Vec<f64>,
    /// Today's flows per position (kept only for an active observer).
    pub(super) flows: Vec<Flows>,
    /// Whether a disruption is active today.
    pub(super) disrupted_today: bool,
    /// Per measured day (when recording): network [demand, served the same day, on hand,
    /// backlog (owed to customers and downstream), value of demand not served that day].
    pub(super) daily: Vec<[f64; 5]>,
    /// The last warm-up days' network records (resilience only; at most
    /// [`crate::kpi::PRE_DISRUPTION_DAYS`], oldest first): the baseline of an early disruption.
    pub(super) warm_daily: Vec<[f64; 5]>,
    /// Per measured day (when recording): whether a disruption was active.
    pub(super) disrupted: Vec<bool>,
    /// Per measured day and location (when the model asks for charts): [on hand, backlog,
    /// customer demand so far, served the same day so far].
    pub(super) loc_daily: Vec<[f64; 4]>,
    /// [Σx, Σx²] of the daily customer demand (index 0) and of the daily orders placed by each
    /// echelon height (recorded runs only).
    pub(super) height_bw: Vec<[f64; 2]>,
    /// Forecasts, reserves, transfers.
    pub(super) alloc: LaneAlloc,
    /// Waiting online orders and channel sums.
    pub(super) ch: ChannelLane,
}

/// Per-replication state for `L` replications in lockstep, allocated once per thread and reset
/// for each set of replications.
#[derive(Clone, Debug)]
pub struct State<const L: usize> {
    /// Whether the lanes' replications keep day-by-day records for charts (see
    /// [`Model::day_records`]).
    pub(super) record: bool,
    pub(super) stocks: Vec<Stocks<L>>,
    pub(super) sums: Vec<Sums<L>>,
    /// Pipeline: `ring[(day % ring_len) * n + q]` = units arriving at q on that day.
    pub(super) ring: Vec<[f64; L]>,
    /// Orders in the mail: `mail[(day % ring_len) * n + q]` = what q's orders bring its source
    /// that day (empty when no location has an `order_delay`).
    pub(super) mail: Vec<[f64; L]>,
    /// Today's customer demand per position.
    pub(super) demand: Vec<[f64; L]>,
    /// Orders placed today by each position's children (slot n: orders to suppliers).
    pub(super) child_orders: Vec<[f64; L]>,
    /// Echelon stock of children, summed during pass 1.
    pub(super) ech_below: Vec<[f64; L]>,
    /// Today's orders placed by each echelon height (index = height; recorded runs only).
    pub(super) height_orders: Vec<[f64; L]>,
    /// Per-location daily totals [orders, demand received] (per lane), for location bullwhip.
    pub(super) loc_day: Vec<[[f64; L]; 2]>,
    /// Stocks at the start of measurement.
    pub(super) start: Vec<Stocks<L>>,
    /// Random streams of the table-sampled demand, `[stream][lane]`.
    pub(super) table_rng: Vec<[SimRng; L]>,
    pub(super) lanes: [Lane; L],
    /// Rationing scratch.
    pub(super) scratch: Vec<(f64, u32)>,
    pub(super) ration: ration::Scratch,
    pub(super) claims: Vec<Claim>,
    pub(super) claim_pos: Vec<u32>,
    /// Inventory records: the gap between record and shelf, lag history, sums.
    pub(super) rec: RecordsState<L>,
}

/// Results of one replication: sums per position, per location and for the network.
#[derive(Clone, Debug)]
pub struct Totals {
    /// Per position (model order).
    pub pos: Vec<ScopeAcc>,
    /// Per location (scenario order; suppliers stay empty).
    pub loc: Vec<ScopeAcc>,
    /// Whole network.
    pub net: ScopeAcc,
    /// Per tier label (`Model::alloc.tiers`).
    pub tiers: Vec<ScopeAcc>,
    /// Per ABC×XYZ segment (`Model::alloc.segments`).
    pub segments: Vec<ScopeAcc>,
    /// Per SKU (scenario order): its positions summed, with the network's boundary.
    pub skus: Vec<ScopeAcc>,
    /// Per channel (`Model::channel.channels`): its customer-facing positions summed.
    pub channels: Vec<ScopeAcc>,
    /// Per region label (`Model::topo.regions`): its positions summed.
    pub regions: Vec<ScopeAcc>,
    /// Day by day (when the model records days for charts): network [demand, served the same
    /// day, on hand, backlog, value of unserved demand] per measured day.
    pub daily: Vec<[f64; 5]>,
    /// Day by day (when the model records days for charts): [on hand, backlog, customer demand
    /// so far, served the same day so far] per measured day and location (`day * n_loc +
    /// location`); the last two are running totals over the measured days.
    pub loc_daily: Vec<[f64; 4]>,
    /// Recorded runs: variance of the daily orders of each echelon height (1, 2, …) over the
    /// variance of daily customer demand.
    pub height_bullwhip: Vec<f64>,
}

impl<const L: usize> State<L> {
    /// Allocates state for a model.
    pub fn new(m: &Model) -> State<L> {
        let n = m.n_pos();
        let blank = || stream(0, 0, Purpose::Demand, 0);
        let lane = || Lane {
            up: vec![true; m.topo.n_loc],
            cap: vec![f64::INFINITY; m.topo.n_loc],
            lead: vec![1; m.topo.n_loc],
            arrive: vec![0; m.topo.n_loc],
            dz: DisruptionLane::new(m),
            dm: DemandLane::new(m),
            pending: vec![0; n],
            n_pending: 0,
            loc_bw: vec![[0.0; 4]; m.topo.n_loc],
            net_bw: [0.0; 4],
            loc_req: vec![0.0; m.topo.n_loc],
            loc_cum: vec![0.0; m.topo.n_loc],
            flows: vec![Flows::default(); n],
            disrupted_today: false,
            daily: vec![[0.0; 5]; if m.records_days() { m.days } else { 0 }],
            disrupted: vec![false; if m.records_days() { m.days } else { 0 }],
            warm_daily: vec![[0.0; 5]; if m.resilience { m.warmup.min(crate::kpi::PRE_DISRUPTION_DAYS) } else { 0 }],
            loc_daily: vec![[0.0; 4]; if m.record_daily { m.days * m.topo.n_loc } else { 0 }],
            height_bw: vec![[0.0; 2]; if m.record_daily { m.topo.n_heights + 1 } else { 0 }],
            alloc: LaneAlloc::new(m),
            ch: ChannelLane::new(m),
        };
        State {
            record: false,
            height_orders: vec![[0.0; L]; if m.record_daily { m.topo.n_heights + 1 } else { 0 }],
            stocks: pages::filled(Stocks::default(), n),
            sums: pages::filled(Sums::default(), n),
            ring: pages::filled([0.0; L], n * m.processes.ring_len),
            mail: vec![
                [0.0; L];
                if m.stock.policy.iter().any(|p| p.order_delay > 0) { n * m.processes.ring_len } else { 0 }
            ],
            demand: pages::filled([0.0; L], n),
            child_orders: pages::filled([0.0; L], n + 1),
            ech_below: vec![[0.0; L]; n],
            loc_day: vec![[[0.0; L]; 2]; m.topo.multi_sku_locs.len() + 1],
            start: pages::filled(Stocks::default(), n),
            table_rng: pages::filled(std::array::from_fn(|_| blank()), m.demand.table_streams.len()),
            lanes: std::array::from_fn(|_| lane()),
            scratch: Vec::with_capacity(n),
            ration: ration::Scratch::with_capacity(n),
            claims: Vec::with_capacity(n),
            claim_pos: Vec::with_capacity(n),
            rec: RecordsState::new(m),
        }
    }

    /// Stocks of position `q` in lane `l`.
    pub fn stocks(&self, q: usize, l: usize) -> StockView {
        let s = &self.stocks[q];
        StockView {
            on_hand: s.on_hand[l],
            cust_bo: s.cust_bo[l],
            owed_in: s.owed_in[l],
            owed_out: s.owed_out[l],
            in_transit: s.in_transit[l],
            in_mail: s.in_mail[l],
        }
    }

    /// The recorded on-hand of position `q` in lane `l`, where the model keeps records.
    pub fn recorded_on_hand(&self, q: usize, l: usize) -> Option<f64> {
        self.rec.gap.get(q).map(|g| self.stocks[q].on_hand[l] + g[l])
    }

    /// Units shrinkage took from position `q`'s shelf this morning in lane `l`, where the model
    /// keeps records.
    pub fn shrunk_today(&self, q: usize, l: usize) -> Option<f64> {
        self.rec.shrunk_today.get(q).map(|x| x[l])
    }

    /// Today's flows of position `q` in lane `l` (recorded only for an active observer).
    pub fn flows(&self, q: usize, l: usize) -> Flows {
        self.lanes[l].flows[q]
    }

    /// Whether location `loc` can ship today in lane `l`.
    pub fn is_up(&self, loc: usize, l: usize) -> bool {
        self.lanes[l].up[loc]
    }

    pub(super) fn reset(&mut self, m: &Model, seed: u64, reps: [u64; L]) {
        self.record = m.record_daily && reps.iter().any(|&r| r < m.day_records() as u64);
        for (s, &init) in self.stocks.iter_mut().zip(&m.stock.initial) {
            *s = Stocks { on_hand: [init; L], ..Stocks::default() };
        }
        self.sums.fill(Sums::default());
        for v in [&mut self.ring, &mut self.mail, &mut self.demand, &mut self.child_orders, &mut self.ech_below] {
            v.fill([0.0; L]);
        }
        self.loc_day.fill([[0.0; L]; 2]);
        // Full pipelines: what was shipped and mailed on each of the days before the start.
        let n = m.n_pos();
        for &(q, x, lead, delay) in &m.stock.pipeline {
            let q = q as usize;
            for k in 0..lead as usize {
                self.ring[(k % m.processes.ring_len) * n + q] = [x; L];
            }
            for k in 0..delay as usize {
                self.mail[(k % m.processes.ring_len) * n + q] = [x; L];
            }
            let s = &mut self.stocks[q];
            s.in_transit = [x * f64::from(lead); L];
            s.in_mail = [x * f64::from(delay); L];
        }
        if m.records.active {
            self.rec.reset(m, &self.stocks, seed, reps);
        }
        for (r, &key) in self.table_rng.iter_mut().zip(&m.demand.table_keys) {
            *r = std::array::from_fn(|l| stream(seed, reps[l], Purpose::Demand, key));
        }
        for (lane, &rep) in self.lanes.iter_mut().zip(&reps) {
            // Constant lanes keep this value; random lanes are redrawn every day.
            for (l, s) in m.processes.lanes.iter().enumerate() {
                lane.lead[l] = s.max_days().max(1);
            }
            lane.up.fill(true);
            lane.cap.copy_from_slice(&m.processes.capacity);
            lane.dz.reset(m, seed, rep);
            lane.dm.reset(m, seed, rep);
            lane.loc_bw.fill([0.0; 4]);
            lane.net_bw = [0.0; 4];
            lane.flows.fill(Flows::default());
            lane.loc_daily.fill([0.0; 4]);
            lane.height_bw.fill([0.0; 2]);
            lane.alloc.reset(m, seed, rep);
            lane.ch.reset(m, seed, rep);
        }
    }
}
