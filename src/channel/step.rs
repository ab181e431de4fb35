//! Channels, day by day: online and BOPIS orders take units from their nodes.
//!
//! The engine calls [`route`] after the day's demand is drawn and before pass 1 serves it. A
//! node's walk-in customers are served first *by construction*: an order may take only the units
//! a node has beyond its waiting backorders, today's walk-in demand and its protection level, so
//! taking them before pass 1 leaves walk-in service exactly as it would be without the order.
//! BOPIS orders come first and take from the whole shelf of their store (reserved when ordered);
//! online orders come after them. The units taken move onto the order position's (empty) shelf,
//! where pass 1 serves them: waiting orders first, then today's; what no node could fill waits
//! or is lost like any customer demand (BOPIS: cancelled).
//!
//! BOPIS with `ship_to_store`: what the store's shelf lacks, its source ships to the store with
//! the store's lead time of the day; the customer waits for it (a customer backorder of the
//! order position, in either unmet-demand mode) and picks it up the day it arrives. Pass 1 sees
//! every such order as waiting: it serves the units from the shelf today and the units in
//! transit on their arrival, so fill rate counts only the shelf's units as served the same day.
//!
//! Random delivery days are drawn every simulated day, one draw per online location and node
//! (shared by its SKUs), whether or not the node ships: the same day gets the same draw under
//! every strategy (common random numbers).

use super::Routing;
use super::compile::{NodeRt, OrderRt};
use crate::engine::{Stocks, Sums};
use crate::model::{Model, NONE};
use crate::rng::{Purpose, SimRng, stream};

/// What a channel order position adds up over the measured days (see the fields of the same
/// names in [`crate::kpi::ScopeAcc`]).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct ChannelSums {
    /// Shipping cost of the units sent.
    pub fulfil_cost: f64,
    /// Marketplace commission of the units marketplace pools shipped.
    pub fees: f64,
    /// Σ units × delivery days (online orders).
    pub unit_days: f64,
    /// Units shipped to online customers.
    pub fulfilled: f64,
    /// Of those, units shipped by stores.
    pub from_store: f64,
    /// Units cancelled (BOPIS short, or waited too long).
    pub cancelled: f64,
    /// BOPIS demand pass 1 never sees as demand: cancelled at once, or waiting for a pick-up.
    pub extra_demand: f64,
    /// Days with BOPIS demand not handed over the same day (cancelled or waiting for a pick-up).
    pub stockout_days: f64,
    /// Units cancelled because a node's record promised stock its shelf did not have.
    pub inaccurate: f64,
}

/// What one replication (lane) keeps of the channels.
#[derive(Clone, Debug, Default)]
pub(crate) struct ChannelLane {
    /// Waiting online orders by age (see [`OrderRt::wait_at`]).
    pub wait: Vec<f64>,
    /// Most-stock routing: (units available, node) of one order's nodes.
    scratch: Vec<(f64, u32)>,
    /// Per position (when the model has channels).
    pub sums: Vec<ChannelSums>,
    /// Today's units taken from each node (for the trace).
    pub out_today: Vec<f64>,
    /// Today's units received by each order position (for the trace).
    pub in_today: Vec<f64>,
    /// Today's units cancelled at each order position (for the trace).
    pub cancelled_today: Vec<f64>,
    /// Today's BOPIS demand cancelled at once, which pass 1 did not see (for the trace).
    pub unseen_today: Vec<f64>,
    /// Online orders waiting at the end of today, per primary node (the first in routing
    /// order): they count as that node's backorders in its inventory position.
    pub owed: Vec<f64>,
    /// Today's units sent to a store for BOPIS pick-up, per order position (for the trace).
    pub sent_today: Vec<f64>,
    /// Stream of each random delivery (`ChannelRt::deliveries`).
    rng: Vec<SimRng>,
    /// Today's delivery days of each random delivery.
    drawn: Vec<f64>,
    /// Today's BOPIS units served the same day that pass 1 did not count (network records).
    pub day_served: f64,
    /// Today's value (at price) of BOPIS demand not served the same day that pass 1 did not see.
    pub day_unserved: f64,
}

impl ChannelLane {
    /// Allocates what a model needs (nothing when it has no channels).
    pub fn new(m: &Model) -> ChannelLane {
        if !m.channel.active {
            return ChannelLane::default();
        }
        let n = m.n_pos();
        let widest = m.channel.orders.iter().map(|o| (o.hi - o.lo) as usize).max().unwrap_or(0);
        ChannelLane {
            wait: vec![0.0; m.channel.wait_len],
            scratch: Vec::with_capacity(widest),
            sums: vec![ChannelSums::default(); n],
            out_today: vec![0.0; n],
            in_today: vec![0.0; n],
            cancelled_today: vec![0.0; n],
            unseen_today: vec![0.0; n],
            owed: vec![0.0; n],
            sent_today: vec![0.0; n],
            rng: vec![stream(0, 0, Purpose::Delivery, 0); m.channel.deliveries.len()],
            drawn: vec![0.0; m.channel.deliveries.len()],
            day_served: 0.0,
            day_unserved: 0.0,
        }
    }

    /// Resets for replication `rep`: every delivery stream keyed by its names.
    pub fn reset(&mut self, m: &Model, seed: u64, rep: u64) {
        self.wait.fill(0.0);
        self.sums.fill(ChannelSums::default());
        for (r, d) in self.rng.iter_mut().zip(&m.channel.deliveries) {
            *r = stream(seed, rep, Purpose::Delivery, d.key);
        }
    }
}

/// The day's state of lane `l` the step reads and changes.
pub(crate) struct Shelves<'a, const L: usize> {
    /// Stocks of every position.
    pub stocks: &'a mut [Stocks<L>],
    /// Day sums of every position (a node's units sent count as shipped).
    pub sums: &'a mut [Sums<L>],
    /// The pipeline ring of every position (`ring[slot + q]`: arriving at q today).
    pub ring: &'a mut [[f64; L]],
    /// Today's offset in the ring.
    pub slot: usize,
    /// Ring offset where a shipment leaving today on each network lane arrives.
    pub arrive: &'a [usize],
    /// Today's customer demand of each position.
    pub demand: &'a mut [[f64; L]],
    /// Whether each location can ship today.
    pub up: &'a [bool],
    /// Shipping capacity each location has left today: online shipments take theirs first,
    /// replenishment (pass 2) ships within what is left.
    pub cap: &'a mut [f64],
    /// Recorded − physical on-hand per position (empty without inventory records; with a
    /// visibility lag, the record of days ago − today's shelf): routing promises what the
    /// record shows, and a node ships what its shelf has.
    pub gap: &'a [[f64; L]],
}

/// Routes lane `l`'s orders of the day: BOPIS, then online (see the module docs).
pub(crate) fn route<const L: usize, const MEASURE: bool>(
    m: &Model,
    l: usize,
    ch: &mut ChannelLane,
    sh: &mut Shelves<'_, L>,
) {
    for v in [&mut ch.out_today, &mut ch.in_today, &mut ch.cancelled_today, &mut ch.unseen_today, &mut ch.owed] {
        v.fill(0.0);
    }
    if m.channel.orders.iter().any(|o| o.pickup) {
        ch.sent_today.fill(0.0);
    }
    (ch.day_served, ch.day_unserved) = (0.0, 0.0);
    if m.processes.capacity_limited && m.processes.disruptions.is_empty() {
        // Without outages nothing restores the day's capacity (step 1 does it with them).
        sh.cap.copy_from_slice(&m.processes.capacity);
    }
    for ((x, r), d) in ch.drawn.iter_mut().zip(&mut ch.rng).zip(&m.channel.deliveries) {
        *x = f64::from(d.sampler.draw(r));
    }
    for o in &m.channel.orders {
        let q = o.pos as usize;
        // A BOPIS pick-up's waiting customers wait for units already on their way.
        let waiting = if o.pickup { 0.0 } else { cancel_overdue::<L, MEASURE>(o, l, ch, sh) };
        let d = sh.demand[q][l];
        let need = waiting + d;
        let nodes = &m.channel.nodes[o.lo as usize..o.hi as usize];
        // [units for the customer today, units on their way to the store for pick-up, units a
        // node's record promised that its shelf lacked]
        let mut got = [0.0; 3];
        // Siloed planning: online orders do not see store stock (no ship-from-store).
        let siloed = !o.bopis && m.records.visibility == crate::records::Visibility::Siloed;
        if o.rule == Routing::MostStock {
            let mut order = std::mem::take(&mut ch.scratch);
            order.clear();
            order.extend(nodes.iter().enumerate().map(|(i, nd)| (recorded(nd, l, sh), i as u32)));
            // Most units first; ties keep the list's order (an unstable sort allocates nothing).
            order.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            for &(_, i) in &order {
                let nd = &nodes[i as usize];
                if !(siloed && nd.store) {
                    take_into::<L, MEASURE>(m, o, nd, l, need, &mut got, ch, sh);
                }
            }
            ch.scratch = order;
        } else {
            for nd in nodes.iter().filter(|nd| !(siloed && nd.store)) {
                take_into::<L, MEASURE>(m, o, nd, l, need, &mut got, ch, sh);
            }
        }
        let [filled, sent, short] = got;
        let (waiting, d) =
            if short > 0.0 { cancel_promised::<L, MEASURE>(o, l, short, waiting, ch, sh) } else { (waiting, d) };
        if o.pickup {
            pickup_orders::<L, MEASURE>(m, q, l, d, filled, sent, ch, sh);
            continue;
        }
        sh.stocks[q].on_hand[l] += filled;
        ch.in_today[q] += filled;
        if o.bopis && filled < d {
            // A BOPIS order the store cannot fill is cancelled now; pass 1 sees what was filled.
            sh.demand[q][l] = filled;
            ch.cancelled_today[q] += d - filled;
            ch.unseen_today[q] += d - filled;
            ch.day_unserved += (d - filled) * m.econ.price[q];
            if MEASURE {
                let s = &mut ch.sums[q];
                (s.cancelled, s.extra_demand, s.stockout_days) =
                    (s.cancelled + (d - filled), s.extra_demand + (d - filled), s.stockout_days + 1.0);
            }
        }
        if !m.lost_sales && !o.bopis {
            // What pass 1 will leave waiting: the primary node owes it (a DC's IP counts its
            // online backorders as it counts its own customers'); siloed, the first node the
            // web shop sees (a store it cannot see owes nothing).
            if let Some(first) = nodes.iter().find(|nd| !(siloed && nd.store)) {
                ch.owed[first.pos as usize] += (need - filled).max(0.0);
            }
        }
        if let Some(w) = o.max_wait {
            age_waiting(&mut ch.wait[o.wait_at as usize..=o.wait_at as usize + w as usize], waiting, d, filled);
        }
    }
}

/// Today's BOPIS orders `d` at order position `q` with `ship_to_store`: `filled` units from the
/// store's shelf, `sent` on their way from its source, the rest cancelled. Pass 1 sees no demand
/// but every order waiting: it hands over the shelf's units at once and the travelling ones on
/// the day they arrive (its backorders are served first, arrivals included). Its demand and
/// same-day service are summed here as pass 1 sums a BOPIS order's (`filled` of each; the rest
/// is `extra_demand`).
#[allow(clippy::too_many_arguments)]
fn pickup_orders<const L: usize, const MEASURE: bool>(
    m: &Model,
    q: usize,
    l: usize,
    d: f64,
    filled: f64,
    sent: f64,
    ch: &mut ChannelLane,
    sh: &mut Shelves<'_, L>,
) {
    let cancelled = (d - filled - sent).max(0.0);
    sh.demand[q][l] = 0.0;
    let s = &mut sh.stocks[q];
    s.on_hand[l] += filled;
    s.cust_bo[l] += filled + sent;
    ch.in_today[q] += filled;
    ch.unseen_today[q] += d;
    ch.cancelled_today[q] += cancelled;
    ch.day_served += filled;
    ch.day_unserved += (d - filled) * m.econ.price[q];
    if MEASURE {
        let a = &mut sh.sums[q];
        (a.demand[l], a.served[l]) = (a.demand[l] + filled, a.served[l] + filled);
        // The day's demand received, for the variance behind bullwhip (the orders it placed).
        a.dem_in_sq[l] += d * d;
        let c = &mut ch.sums[q];
        c.cancelled += cancelled;
        c.extra_demand += d - filled;
        if filled < d {
            c.stockout_days += 1.0;
        }
    }
}

/// Cancels the waiting orders of `o` that have waited their `max_wait_days`; returns the units
/// still waiting.
fn cancel_overdue<const L: usize, const MEASURE: bool>(
    o: &OrderRt,
    l: usize,
    ch: &mut ChannelLane,
    sh: &mut Shelves<'_, L>,
) -> f64 {
    let q = o.pos as usize;
    let mut waiting = sh.stocks[q].cust_bo[l];
    if let Some(w) = o.max_wait {
        let oldest = &mut ch.wait[o.wait_at as usize + w as usize];
        let c = oldest.min(waiting);
        *oldest = 0.0;
        if c > 0.0 {
            waiting -= c;
            sh.stocks[q].cust_bo[l] = waiting;
            ch.cancelled_today[q] += c;
            if MEASURE {
                ch.sums[q].cancelled += c;
            }
        }
    }
    waiting
}

/// Ages the waiting orders by a day: pass 1 will serve `filled` units, the oldest waiting first,
/// then today's `d`; what is left of today's waits from tomorrow on (age 1 = `b[0]`).
fn age_waiting(b: &mut [f64], waiting: f64, d: f64, filled: f64) {
    let mut from_wait = filled.min(waiting);
    for x in b.iter_mut().rev() {
        let t = x.min(from_wait);
        *x -= t;
        from_wait -= t;
    }
    let today = (filled - filled.min(waiting)).min(d);
    b.copy_within(..b.len() - 1, 1);
    b[0] = d - today;
}

/// Units routed to nodes whose shelves lacked them (`short`) are cancelled: today's orders
/// first (pass 1 does not see them), then waiting ones. Returns what is left waiting and of
/// today's demand.
fn cancel_promised<const L: usize, const MEASURE: bool>(
    o: &OrderRt,
    l: usize,
    short: f64,
    waiting: f64,
    ch: &mut ChannelLane,
    sh: &mut Shelves<'_, L>,
) -> (f64, f64) {
    let q = o.pos as usize;
    let d = sh.demand[q][l];
    let today = short.min(d);
    let older = (short - today).min(waiting);
    sh.demand[q][l] = d - today;
    if !o.pickup {
        // (A pick-up position's backorders are units on their way: they stay.)
        sh.stocks[q].cust_bo[l] = waiting - older;
    }
    ch.cancelled_today[q] += today + older;
    ch.unseen_today[q] += today;
    if MEASURE {
        let s = &mut ch.sums[q];
        s.cancelled += today + older;
        s.extra_demand += today;
        s.inaccurate += today + older;
    }
    (waiting - older, d - today)
}

/// Units node `nd`'s record shows it can ship today in lane `l` (its shelf without records).
#[inline]
fn recorded<const L: usize>(nd: &NodeRt, l: usize, sh: &Shelves<'_, L>) -> f64 {
    match sh.gap.get(nd.pos as usize) {
        Some(g) => spare(nd, l, sh, g[l]),
        None => available(nd, l, sh),
    }
}

/// Units node `nd` can ship today in lane `l`: beyond its walk-in backorders and demand (unless
/// these come second, BOPIS at its own store) and its protection, within its shipping capacity
/// left today (a BOPIS order handed over at its own store's counter ships nothing); none while
/// it is disrupted.
#[inline]
fn available<const L: usize>(nd: &NodeRt, l: usize, sh: &Shelves<'_, L>) -> f64 {
    spare(nd, l, sh, 0.0)
}

/// [`available`] of a shelf holding `extra` units more (the record's gap).
#[inline]
fn spare<const L: usize>(nd: &NodeRt, l: usize, sh: &Shelves<'_, L>, extra: f64) -> f64 {
    let p = nd.pos as usize;
    if !sh.up[nd.loc as usize] {
        return 0.0;
    }
    let s = &sh.stocks[p];
    let mut a = s.on_hand[l] + sh.ring[sh.slot + p][l];
    if extra != 0.0 {
        a += extra;
    }
    let mut cap = f64::INFINITY;
    if nd.walk_in_first {
        a -= s.cust_bo[l] + sh.demand[p][l];
        cap = sh.cap[nd.loc as usize];
    }
    (a - nd.protect).max(0.0).min(cap)
}

/// Takes what order `o` (needing `need` units today) still lacks from node `nd` into `got` =
/// [units for the customer today, units sent to the store for pick-up, units promised by the
/// node's record that its shelf lacked (cancelled)]: the second travel to the store position
/// `nd.to_store` with the store's lead time of the day.
#[allow(clippy::too_many_arguments)]
#[inline]
fn take_into<const L: usize, const MEASURE: bool>(
    m: &Model,
    o: &OrderRt,
    nd: &NodeRt,
    l: usize,
    need: f64,
    got: &mut [f64; 3],
    ch: &mut ChannelLane,
    sh: &mut Shelves<'_, L>,
) {
    let x = take::<L, MEASURE>(o, nd, l, need - got[0] - got[1] - got[2], ch, sh, &mut got[2]);
    if nd.to_store == NONE {
        got[0] += x;
    } else if x > 0.0 {
        got[1] += x;
        let q = o.pos as usize;
        let at = sh.arrive[m.processes.lane[nd.to_store as usize] as usize] + q;
        sh.ring[at][l] += x;
        sh.stocks[q].in_transit[l] += x;
        ch.sent_today[q] += x;
    }
}

/// Takes up to `want` units for order `o` from node `nd`; returns the units taken.
fn take<const L: usize, const MEASURE: bool>(
    o: &OrderRt,
    nd: &NodeRt,
    l: usize,
    want: f64,
    ch: &mut ChannelLane,
    sh: &mut Shelves<'_, L>,
    short: &mut f64,
) -> f64 {
    if want <= 0.0 {
        return 0.0;
    }
    // The order is routed on the record; the shelf ships what it has of that, the rest is
    // cancelled (without records the two are the same).
    let promised = if sh.gap.is_empty() { available(nd, l, sh).min(want) } else { recorded(nd, l, sh).min(want) };
    let x = available(nd, l, sh).min(promised);
    *short += promised - x.max(0.0);
    if x <= 0.0 {
        return 0.0;
    }
    let p = nd.pos as usize;
    sh.stocks[p].on_hand[l] -= x;
    if nd.walk_in_first {
        sh.cap[nd.loc as usize] -= x;
    }
    ch.out_today[p] += x;
    if MEASURE {
        sh.sums[p].shipped[l] += x;
        let s = &mut ch.sums[o.pos as usize];
        s.fulfil_cost += x * nd.ship_cost;
        s.fees += x * nd.fee;
        if !o.bopis {
            let days = if nd.draw == NONE { nd.days } else { ch.drawn[nd.draw as usize] };
            let s = &mut ch.sums[o.pos as usize];
            s.unit_days += x * days;
            s.fulfilled += x;
            if nd.store {
                s.from_store += x;
            }
        }
    }
    x
}

#[cfg(test)]
mod tests {
    use super::age_waiting;
    use crate::distribution::Dist;
    use crate::engine::{NoObserver, State, run_replication};
    use crate::leadtime::{LeadSampler, LeadTime};
    use crate::model::Model;
    use crate::rng::{Purpose, entity_key, stream};
    use crate::scenario::Scenario;

    /// Random delivery days by hand: a store ships the web shop's 2 units every day; each day's
    /// delivery days are the next draw of the stream keyed `delivery/web/store`, one a day from
    /// the first simulated day (warm-up included), so `avg_delivery_days` is Σ 2·dₜ ÷ Σ 2 over the
    /// measured days.
    #[test]
    fn delivery_days_are_drawn_per_day_from_their_named_stream() {
        let text = r#"
[simulation]
days = 12
warmup_days = 3
replications = 1
seed = 21
unmet_demand = "lost_sales"
[[skus]]
id = "item"
[[locations]]
id = "sup"
type = "supplier"
[[locations]]
id = "store"
type = "store"
source = "sup"
policy = { type = "base_stock", level = 50 }
delivery_days = { type = "empirical", values = [1, 2, 5] }
[[locations]]
id = "web"
type = "online"
fulfil_from = ["store"]
[[demand]]
location = "web"
distribution = { type = "constant", value = 2 }
"#;
        let sc = Scenario::parse("t.toml", text).expect("valid");
        let m = Model::compile(&sc);
        let mut st = State::<1>::new(&m);
        for rep in 0..3 {
            let t = run_replication(&m, 21, rep, &mut st, &mut NoObserver);
            let web = m.scenario.location_index("web").expect("web");
            let q = (0..m.n_pos()).find(|&q| m.topo.pos_loc[q].idx() == web).expect("web position");
            let sampler = LeadSampler::new(&LeadTime::Random(Dist::Empirical { values: vec![1.0, 2.0, 5.0] }));
            let mut r = stream(21, rep, Purpose::Delivery, entity_key("delivery/web/store"));
            let draws: Vec<f64> = (0..15).map(|_| f64::from(sampler.draw(&mut r))).collect();
            let want = draws[3..].iter().fold(0.0, |a, d| a + 2.0 * d);
            assert_eq!((t.pos[q].fulfilled, t.pos[q].delivery_days), (24.0, want), "replication {rep}: {draws:?}");
            // The draws vary (the stream is not a constant in disguise).
            assert!(draws[3..].iter().any(|&d| d != draws[3]));
        }
        // Nearest compares the mean of the whole days drawn: (1 + 2 + 5) ÷ 3.
        let node = &m.channel.nodes[0];
        assert!((node.days - 8.0 / 3.0).abs() < 1e-12 && node.draw == 0, "{node:?}");
    }

    #[test]
    fn waiting_orders_age_oldest_first() {
        // Two days of waiting allowed: 3 units of age 2, 4 of age 1; 5 filled today, demand 6.
        let mut b = [4.0, 3.0, 0.0];
        age_waiting(&mut b, 7.0, 6.0, 5.0);
        // The 3 oldest and 2 of the 4 are served; tomorrow: today's 6 at age 1, 2 at age 2.
        assert_eq!(b, [6.0, 2.0, 0.0]);
    }
}
