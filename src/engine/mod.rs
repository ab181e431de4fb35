//! The day loop over one replication: flat arrays, no allocation, no strings, no maps.
//!
//! A day follows the six steps of the contract (DESIGN.md §2) in two passes over the positions,
//! which are numbered children before parents (see [`crate::model`]):
//!
//! - pass 1, for each position in index order: 2. shipments due today arrive (a ring buffer of
//!   `ring_len` days per position); 3. its customer demand is served, waiting backorders first;
//!   4. it decides on its inventory position — its children have decided already, so its
//!   backorders include their orders of today; 6. its stocks are added to its sums;
//! - pass 2: 5. every source ships what it can, rationing when short; each shipment corrects
//!   the sums of both ends, which pass 1 took before it.
//!
//! Only what cannot be derived is summed daily: units received, sold, lost and ordered follow at
//! the end from conservation of units (see `totals`), which keeps pass 1 short.

mod ration;

use crate::distribution::TableArena;
use crate::kpi::ScopeAcc;
use crate::model::{DisruptionRt, Group, Model, NONE, TableStream};
use crate::policy::order_quantity;
use crate::rng::{Purpose, SimRng, stream, unit_f64};

pub use ration::proportional;

/// Sees the state at the end of every measured day (e.g. to write a trace). Static dispatch: the
/// no-op observer costs nothing.
pub trait Observer {
    /// Whether `end_of_day` should be called (and today's flows recorded) at all.
    const ACTIVE: bool;
    /// Called after the last step of measured day `day` (0 = first measured day).
    fn end_of_day(&mut self, model: &Model, state: &State, day: i64);
}

/// An observer that does nothing.
pub struct NoObserver;

impl Observer for NoObserver {
    const ACTIVE: bool = false;
    #[inline(always)]
    fn end_of_day(&mut self, _: &Model, _: &State, _: i64) {}
}

/// Stocks of one position.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Stocks {
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
}

/// Today's flows of one position (recorded only for an active observer).
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
}

/// Sums over the measured days of one position (end-of-day stocks and flows that cannot be
/// derived from conservation of units).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Sums {
    on_hand: f64,
    bo_customer: f64,
    bo_internal: f64,
    in_transit: f64,
    order_days: f64,
    orders_sq: f64,
    dem_in_sq: f64,
    demand: f64,
    served: f64,
    stockout_days: f64,
    shipped: f64,
}

/// Per-replication state, allocated once per thread and reset for each replication.
#[derive(Clone, Debug)]
pub struct State {
    /// Stocks per position.
    pub stocks: Vec<Stocks>,
    /// Today's flows per position (kept only for an active observer).
    pub flows: Vec<Flows>,
    /// Whether each location can ship today.
    pub up: Vec<bool>,
    sums: Vec<Sums>,
    /// Today's customer demand per position.
    demand: Vec<f64>,
    /// Children's orders placed today, per position.
    child_orders: Vec<f64>,
    /// Stocks at the start of measurement.
    start: Vec<Stocks>,
    /// Pipeline: `ring[(day % ring_len) * n + q]` = units arriving at q on that day.
    ring: Vec<f64>,
    /// Echelon stock of children, summed during the pass.
    ech_below: Vec<f64>,
    /// Shipping capacity of each location today.
    cap: Vec<f64>,
    /// Lead time of a shipment leaving today on each lane.
    lead: Vec<u32>,
    /// Ring offset (`slot * n`) where a shipment leaving today on each lane arrives.
    arrive: Vec<usize>,
    /// State of each Markov disruption (true = down).
    markov_down: Vec<bool>,
    /// Today's orders and demand received per location (for location bullwhip).
    loc_day: Vec<[f64; 2]>,
    table_rng: Vec<SimRng>,
    demand_rng: Vec<SimRng>,
    lane_rng: Vec<SimRng>,
    disruption_rng: Vec<SimRng>,
    /// Per-location daily-variance sums [orders, orders², demand, demand²].
    loc_bw: Vec<[f64; 4]>,
    /// Network daily-variance sums.
    net_bw: [f64; 4],
    /// Rationing scratch.
    scratch: Vec<(f64, u32)>,
    scratch2: Vec<(f64, u32)>,
    req: Vec<f64>,
    /// Per-location requested totals (capacity rationing).
    loc_req: Vec<f64>,
    /// Positions owed anything by their source today, ascending (first `n_pending` entries).
    pending: Vec<u32>,
    /// Each group's run in `pending`.
    spans: Vec<std::ops::Range<usize>>,
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
}

impl State {
    /// Allocates state for a model.
    pub fn new(m: &Model) -> State {
        let n = m.n_pos();
        let blank = || stream(0, 0, Purpose::Demand, 0);
        State {
            stocks: vec![Stocks::default(); n],
            flows: vec![Flows::default(); n],
            up: vec![true; m.n_loc],
            sums: vec![Sums::default(); n],
            demand: vec![0.0; n],
            child_orders: vec![0.0; n + 1],
            start: vec![Stocks::default(); n],
            ring: vec![0.0; n * m.ring_len],
            ech_below: vec![0.0; n],
            cap: vec![f64::INFINITY; m.n_loc],
            lead: vec![1; m.n_loc],
            arrive: vec![0; m.n_loc],
            markov_down: vec![false; m.disruptions.len()],
            loc_day: vec![[0.0; 2]; m.multi_sku_locs.len() + 1],
            table_rng: vec![blank(); m.table_streams.len()],
            demand_rng: vec![blank(); m.streams.len()],
            lane_rng: vec![blank(); m.random_lanes.len()],
            disruption_rng: vec![blank(); m.disruptions.len()],
            loc_bw: vec![[0.0; 4]; m.n_loc],
            net_bw: [0.0; 4],
            scratch: Vec::with_capacity(n),
            scratch2: Vec::with_capacity(n),
            req: Vec::with_capacity(n),
            loc_req: vec![0.0; m.n_loc],
            pending: vec![0; n],
            spans: Vec::with_capacity(m.groups.len()),
        }
    }

    fn reset(&mut self, m: &Model, seed: u64, rep: u64) {
        for (s, &init) in self.stocks.iter_mut().zip(&m.initial) {
            *s = Stocks { on_hand: init, ..Stocks::default() };
        }
        self.flows.fill(Flows::default());
        self.sums.fill(Sums::default());
        self.ring.fill(0.0);
        self.demand.fill(0.0);
        self.child_orders.fill(0.0);
        self.markov_down.fill(false);
        // Constant lanes keep this value; random lanes are redrawn every day.
        for (l, s) in m.lanes.iter().enumerate() {
            self.lead[l] = s.max_days().max(1);
        }
        self.up.fill(true);
        self.cap.copy_from_slice(&m.capacity);
        for (r, &key) in self.table_rng.iter_mut().zip(&m.table_keys) {
            *r = stream(seed, rep, Purpose::Demand, key);
        }
        for (r, s) in self.demand_rng.iter_mut().zip(&m.streams) {
            *r = stream(seed, rep, Purpose::Demand, s.key);
        }
        for (r, &l) in self.lane_rng.iter_mut().zip(&m.random_lanes) {
            *r = stream(seed, rep, Purpose::LeadTime, m.lane_key[l as usize]);
        }
        for (r, d) in self.disruption_rng.iter_mut().zip(&m.disruptions) {
            let key = match d {
                DisruptionRt::Markov { key, .. } => *key,
                DisruptionRt::Scheduled { .. } => 0,
            };
            *r = stream(seed, rep, Purpose::Disruption, key);
        }
        self.loc_day.fill([0.0; 2]);
        self.loc_bw.fill([0.0; 4]);
        self.net_bw = [0.0; 4];
    }
}

/// Simulates replication `rep` with `seed` and returns its sums.
pub fn run_replication<O: Observer>(m: &Model, seed: u64, rep: u64, st: &mut State, obs: &mut O) -> Totals {
    st.reset(m, seed, rep);
    for t in 0..m.warmup {
        day::<false, O>(m, st, t, obs);
    }
    st.start.copy_from_slice(&st.stocks);
    for t in m.warmup..m.total_days {
        day::<true, O>(m, st, t, obs);
    }
    totals(m, st)
}

/// The smaller of two numbers (no NaN can occur here, so no NaN handling is paid for).
#[inline(always)]
fn lesser(a: f64, b: f64) -> f64 {
    if a < b { a } else { b }
}

/// Step 1: outages, capacities and today's lead times.
#[inline(always)]
fn disruptions_and_lanes(m: &Model, st: &mut State, t: usize) {
    if !m.disruptions.is_empty() {
        st.up.fill(true);
        st.cap.copy_from_slice(&m.capacity);
        for (i, d) in m.disruptions.iter().enumerate() {
            match d {
                DisruptionRt::Markov { loc, p_down, p_up, .. } => {
                    let u = unit_f64(&mut st.disruption_rng[i]);
                    let down = &mut st.markov_down[i];
                    *down = if *down { u >= *p_up } else { u < *p_down };
                    if *down {
                        st.up[*loc as usize] = false;
                    }
                }
                DisruptionRt::Scheduled { loc, active, capacity } => {
                    if active[t] {
                        match capacity {
                            None => st.up[*loc as usize] = false,
                            Some(c) => st.cap[*loc as usize] = st.cap[*loc as usize].min(*c),
                        }
                    }
                }
            }
        }
    }
    for (i, &l) in m.random_lanes.iter().enumerate() {
        st.lead[l as usize] = m.lanes[l as usize].draw(&mut st.lane_rng[i]);
    }
    let n = m.n_pos();
    for (a, &l) in st.arrive.iter_mut().zip(&st.lead) {
        *a = ((t + l as usize) % m.ring_len) * n;
    }
}

/// One simulated day `t` (0 = first warm-up day).
#[inline(always)]
fn day<const MEASURE: bool, O: Observer>(m: &Model, st: &mut State, t: usize, obs: &mut O) {
    let n = m.n_pos();
    let mday = t as i64 - m.warmup as i64;
    disruptions_and_lanes(m, st, t);
    if m.has_echelon {
        st.ech_below.fill(0.0);
    }
    // Step 3's draws come first, in tight passes of their own: the table lookups are
    // independent, so the processor overlaps their cache misses. A position's first stream
    // stores its draw, later ones add (see `Model::table_streams`, `Stream::assign`); positions
    // without demand keep zero.
    let mut net_demand = draw_tables(&m.table_streams, &m.tables, &mut st.table_rng, &mut st.demand);
    for (s, r) in m.streams.iter().zip(&mut st.demand_rng) {
        let x = s.draw(r, t, 1.0);
        let d = &mut st.demand[s.pos as usize];
        *d = if s.assign { x } else { *d + x };
        net_demand += x;
    }

    let slot = (t % m.ring_len) * n;
    let n_pending = pass1::<MEASURE, O>(
        m,
        mday,
        Pass1 {
            ring: &mut st.ring[slot..slot + n],
            stocks: &mut st.stocks,
            sums: &mut st.sums,
            demand: &st.demand,
            pending: &mut st.pending,
            child: &mut st.child_orders,
            ech_below: &mut st.ech_below,
            loc_day: &mut st.loc_day,
            flows: &mut st.flows,
        },
    );

    // Pass 2 = step 5: every source ships, after every decision of the day. Groups are sorted
    // by their children's range, so each one's owed children are the next run of `pending`.
    let mut spans = std::mem::take(&mut st.spans);
    spans.clear();
    let mut k = 0;
    for g in &m.groups {
        while k < n_pending && (st.pending[k] as usize) < g.lo as usize {
            k += 1;
        }
        let a = k;
        while k < n_pending && (st.pending[k] as usize) < g.hi as usize {
            k += 1;
        }
        spans.push(a..k);
    }
    if m.capacity_limited {
        st.loc_req.fill(0.0);
        for (g, span) in m.groups.iter().zip(&spans) {
            if st.cap[g.loc as usize].is_finite() {
                st.loc_req[g.loc as usize] +=
                    st.pending[span.clone()].iter().map(|&c| st.stocks[c as usize].owed_in).sum::<f64>();
            }
        }
    }
    for (&g, span) in m.groups.iter().zip(&spans) {
        fulfil::<MEASURE, O>(m, st, g, span.clone());
    }
    st.spans = spans;

    // The network's orders of the day (taken every day, warm-up included).
    let net_orders = std::mem::take(&mut st.child_orders[n]);
    if MEASURE {
        for (i, &l) in m.multi_sku_locs.iter().enumerate() {
            let [o, d] = std::mem::take(&mut st.loc_day[i]);
            let b = &mut st.loc_bw[l as usize];
            b[0] += o;
            b[1] += o * o;
            b[2] += d;
            b[3] += d * d;
        }
        let b = &mut st.net_bw;
        b[0] += net_orders;
        b[1] += net_orders * net_orders;
        b[2] += net_demand;
        b[3] += net_demand * net_demand;
        if O::ACTIVE {
            obs.end_of_day(m, st, mday);
        }
    }
}

/// Draws every table stream's demand into `demand`; returns the day's total.
#[inline(never)]
fn draw_tables(streams: &[TableStream], tables: &TableArena, rngs: &mut [SimRng], demand: &mut [f64]) -> f64 {
    let mut total = 0.0;
    for (s, r) in streams.iter().zip(rngs) {
        let x = f64::from(tables.sample(s.table, r));
        demand[s.pos as usize] = x;
        total += x;
    }
    total
}

/// The arrays pass 1 works on, borrowed separately so the compiler knows they do not overlap.
struct Pass1<'a> {
    ring: &'a mut [f64],
    stocks: &'a mut [Stocks],
    sums: &'a mut [Sums],
    demand: &'a [f64],
    pending: &'a mut [u32],
    child: &'a mut [f64],
    ech_below: &'a mut [f64],
    loc_day: &'a mut [[f64; 2]],
    flows: &'a mut [Flows],
}

/// Pass 1 over all positions: arrivals, serving demand, decisions, accounting. Returns how many
/// positions are owed anything (listed first in `pending`).
#[inline(always)]
fn pass1<const MEASURE: bool, O: Observer>(m: &Model, mday: i64, a: Pass1<'_>) -> usize {
    let n = m.n_pos();
    let (lost_mode, echelon) = (m.lost_sales, m.has_echelon);
    let mut n_pending = 0usize;
    let (ring, stocks, sums, demand) = (&mut a.ring[..n], &mut a.stocks[..n], &mut a.sums[..n], &a.demand[..n]);
    let (policy, pending, child) = (&m.policy[..n], &mut a.pending[..n], &mut a.child[..=n]);
    for q in 0..n {
        // 2. Arrivals. The stocks live in registers during the turn (reading back fields just
        // written would stall on store forwarding).
        let arrived = std::mem::take(&mut ring[q]);
        let mut s = stocks[q];
        s.on_hand += arrived;
        s.in_transit -= arrived;

        // 3. Serve: waiting backorders first, then today's demand.
        let d = demand[q];
        let from_bo = lesser(s.cust_bo, s.on_hand);
        let left = s.on_hand - from_bo;
        let served = lesser(d, left);
        s.on_hand = left - served;
        let unmet = d - served;
        let lost = if lost_mode { unmet } else { 0.0 };
        s.cust_bo += unmet - lost - from_bo;
        let child_orders = std::mem::take(&mut child[q]);
        s.owed_out += child_orders;
        let dem_in = d + child_orders;

        // 4. Decision on the inventory position.
        let pol = &policy[q];
        let parent = pol.parent;
        let mut ech = 0.0;
        if echelon {
            ech = s.on_hand - s.cust_bo + a.ech_below[q];
            if parent != NONE {
                a.ech_below[parent as usize] += ech + s.in_transit;
            }
        }
        let mut qty = 0.0;
        if pol.review_days == 1 || mday.rem_euclid(i64::from(pol.review_days)) == i64::from(pol.review_offset) {
            let on_order = s.owed_in + s.in_transit;
            let ip = s.on_hand - s.cust_bo - s.owed_out + on_order;
            // Whole-unit positions have integer levels (`policy::whole_units`): qty is whole.
            qty = lesser(order_quantity(pol.kind, ip, ech + on_order), pol.max_order);
            s.owed_in += qty;
        }
        stocks[q] = s;
        // Orders to an external supplier go to the extra last slot (the network's orders).
        child[if parent == NONE { n } else { parent as usize }] += qty;
        // Remember who is owed anything (branch-free append).
        pending[n_pending] = q as u32;
        n_pending += usize::from(s.owed_in > 0.0);

        // 6. Accounting (shipments in pass 2 correct these sums).
        if MEASURE {
            let a_ = &mut sums[q];
            a_.on_hand += s.on_hand;
            a_.bo_customer += s.cust_bo;
            a_.bo_internal += s.owed_out;
            a_.in_transit += s.in_transit;
            a_.order_days += f64::from(u8::from(qty > 0.0));
            a_.orders_sq += qty * qty;
            a_.dem_in_sq += dem_in * dem_in;
            a_.demand += d;
            a_.served += served;
            a_.stockout_days += f64::from(u8::from(d > served));
            let l = &mut a.loc_day[pol.day_slot as usize];
            l[0] += qty;
            l[1] += dem_in;
            if O::ACTIVE {
                a.flows[q] =
                    Flows { demand: d, sold: from_bo + served, lost, ordered: qty, received: arrived, shipped: 0.0 };
            }
        }
    }
    n_pending
}

/// Step 5 for one shipping group: ship what is owed, rationing proportionally when short.
/// `kids` are the group's children that are owed anything (ascending).
#[inline(always)]
fn fulfil<const MEASURE: bool, O: Observer>(m: &Model, st: &mut State, g: Group, kids: std::ops::Range<usize>) {
    let loc = g.loc as usize;
    if !st.up[loc] || kids.is_empty() {
        return;
    }
    let total: f64 = st.pending[kids.clone()].iter().map(|&c| st.stocks[c as usize].owed_in).sum();
    let stocked = g.stock_pos != NONE;
    let mut avail = if stocked { st.stocks[g.stock_pos as usize].on_hand } else { f64::INFINITY };
    let cap = st.cap[loc];
    if cap.is_finite() {
        // Capacity is shared across SKUs in proportion to what each SKU's children asked for.
        let req = st.loc_req[loc];
        if req > cap {
            avail = avail.min(cap * total / req);
        }
    }
    let whole = m.whole[g.lo as usize];
    if whole {
        avail = avail.floor();
    }
    let shipped = if avail >= total {
        for k in kids {
            let c = st.pending[k] as usize;
            let x = st.stocks[c].owed_in;
            ship::<MEASURE, O>(m, st, c, x);
        }
        total
    } else if avail > 0.0 {
        // Children owed nothing would get nothing, so rationing over the owed ones is the same.
        let mut out = std::mem::take(&mut st.scratch);
        st.req.clear();
        st.req.extend(st.pending[kids.clone()].iter().map(|&c| st.stocks[c as usize].owed_in));
        proportional(&st.req, avail, whole, &mut out, &mut st.scratch2);
        let mut sum = 0.0;
        for &(x, i) in &out {
            if x > 0.0 {
                ship::<MEASURE, O>(m, st, st.pending[kids.start + i as usize] as usize, x);
                sum += x;
            }
        }
        st.scratch = out;
        sum
    } else {
        0.0
    };
    if stocked {
        let sp = g.stock_pos as usize;
        let s = &mut st.stocks[sp];
        s.on_hand -= shipped;
        // When every child was served in full nothing is owed any more: set it exactly, so
        // rounding in continuous quantities never leaves a phantom backorder.
        s.owed_out = if avail >= total { 0.0 } else { s.owed_out - shipped };
        if MEASURE {
            let a = &mut st.sums[sp];
            a.on_hand -= shipped;
            a.bo_internal -= shipped;
            a.shipped += shipped;
            if O::ACTIVE {
                st.flows[sp].shipped += shipped;
            }
        }
    }
}

/// Sends `x` units to position `c`, arriving after its lane's lead time for today; the child's
/// sums already hold today's in-transit, so they are corrected.
#[inline(always)]
fn ship<const MEASURE: bool, O: Observer>(m: &Model, st: &mut State, c: usize, x: f64) {
    st.ring[st.arrive[m.lane[c] as usize] + c] += x;
    let s = &mut st.stocks[c];
    s.in_transit += x;
    s.owed_in -= x;
    if MEASURE {
        st.sums[c].in_transit += x;
    }
}

/// Turns the engine's sums into per-position, per-location and network accumulators.
///
/// Flows not summed daily follow from conservation of units over the measured days, for each
/// position (Δ = end − start of measurement):
/// - lost = demand − served in lost-sales mode (unmet demand), else 0;
/// - sold = demand − lost − Δ customer backorders;
/// - received = Δ on hand + sold + shipped;
/// - ordered = received + Δ on order (owed to it + in transit);
/// - demand received = demand + what its children ordered.
fn totals(m: &Model, st: &State) -> Totals {
    let n = m.n_pos();
    let days = m.days as f64;
    let mut ordered = vec![0.0; n];
    let mut flows = Vec::with_capacity(n);
    for q in 0..n {
        let (s, a, b) = (&st.sums[q], &st.start[q], &st.stocks[q]);
        // Continuous quantities carry rounding noise of order 1e-16 × their magnitude; a
        // derived flow that small is zero (so a store that sold nothing reports exactly 0).
        let scale =
            1.0 + s.demand + s.shipped + a.on_hand + b.on_hand + a.owed_in + b.owed_in + a.in_transit + b.in_transit;
        let clean = |x: f64| if x.abs() <= 1e-9 * scale { 0.0 } else { x };
        let lost = clean(if m.lost_sales { s.demand - s.served } else { 0.0 });
        let sold = clean(s.demand - lost - (b.cust_bo - a.cust_bo));
        let received = clean((b.on_hand - a.on_hand) + sold + s.shipped);
        ordered[q] = clean(received + (b.owed_in + b.in_transit) - (a.owed_in + a.in_transit));
        flows.push((lost, sold, received));
    }
    let mut child_ordered = vec![0.0; n];
    for q in 0..n {
        if m.parent[q] != NONE {
            child_ordered[m.parent[q] as usize] += ordered[q];
        }
    }
    let mut pos = Vec::with_capacity(n);
    let mut loc = vec![ScopeAcc::default(); m.n_loc];
    let mut net = ScopeAcc { days, ..Default::default() };
    let mut from_suppliers = 0.0;
    for (q, s) in st.sums.iter().enumerate() {
        let cust = m.customer[q];
        let (lost, sold, received) = flows[q];
        let initial = st.start[q].on_hand;
        let a = ScopeAcc {
            days,
            cust_pos_days: if cust { days } else { 0.0 },
            stock_pos_days: days,
            demand: s.demand,
            served_now: s.served,
            sold,
            lost,
            stockout_days: s.stockout_days,
            order_days: s.order_days,
            ordered: ordered[q],
            on_hand: s.on_hand,
            value: s.on_hand * m.unit_cost[q],
            bo_customer: s.bo_customer,
            bo_internal: s.bo_internal,
            in_transit: s.in_transit,
            holding_cost: m.h[q] * s.on_hand,
            stockout_cost: m.p[q] * if m.lost_sales { lost } else { s.bo_customer },
            order_cost: m.k[q] * s.order_days,
            transit_cost: m.h_transit[q] * s.in_transit,
            shipped: s.shipped,
            received,
            initial,
            issued: sold + s.shipped,
            inflow: initial + received,
            margin: m.margin[q] * sold,
            orders_sum: ordered[q],
            orders_sq: s.orders_sq,
            dem_sum: s.demand + child_ordered[q],
            dem_sq: s.dem_in_sq,
        };
        let l = m.pos_loc[q] as usize;
        loc[l].add_flows(&a);
        if !m.loc_multi[l] {
            let b = &mut loc[l];
            (b.orders_sum, b.orders_sq, b.dem_sum, b.dem_sq) = (a.orders_sum, a.orders_sq, a.dem_sum, a.dem_sq);
        }
        net.add_flows(&a);
        if m.from_supplier[q] {
            from_suppliers += a.received;
        }
        pos.push(a);
    }
    for &l in &m.stock_locs {
        loc[l as usize].days = days;
    }
    for &l in &m.multi_sku_locs {
        let a = &mut loc[l as usize];
        let [o, o2, d, d2] = st.loc_bw[l as usize];
        (a.orders_sum, a.orders_sq, a.dem_sum, a.dem_sq) = (o, o2, d, d2);
    }
    // The network's boundary: only sales leave, only supplier receipts enter.
    net.issued = net.sold;
    // Units already travelling between locations when measuring starts are stock of the
    // network too: they will be sold without being received from a supplier.
    let internal_pipeline: f64 = (0..n).filter(|&q| m.parent[q] != NONE).map(|q| st.start[q].in_transit).sum();
    net.inflow = net.initial + internal_pipeline + from_suppliers;
    let [o, o2, d, d2] = st.net_bw;
    (net.orders_sum, net.orders_sq, net.dem_sum, net.dem_sq) = (o, o2, d, d2);
    Totals { pos, loc, net }
}
