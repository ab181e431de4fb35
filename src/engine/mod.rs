//! The day loop: flat arrays, no allocation, no strings, no maps.
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
//! **Lanes.** The engine runs `L` replications in lockstep (`L` = 2 in Monte Carlo runs, 1 for a
//! trace): every per-position quantity is an array of `L` values, one per replication, and pass 1
//! — written without data-dependent branches — applies the same operations to all lanes, which
//! the compiler turns into SIMD instructions. Each lane has its own random streams, so a
//! replication's result does not depend on its lane or on its partner: bit for bit the same as
//! running it alone.
//!
//! Only what cannot be derived is summed daily: units received, sold, lost and ordered follow at
//! the end from conservation of units (see `totals`), which keeps pass 1 short (an added daily
//! sum costs about 1.7 % of a run).

mod fulfil;
mod invariants;
pub mod lanes;
mod record;
mod state;
mod totals;

use fulfil::{fulfil, group_span};
use record::{record_day, record_warm_day, variance_sums};
pub use state::{Flows, State, Totals};
pub(crate) use state::{Lane, Stocks, Sums};
use totals::totals;

use lanes::{HasVector, Lanes, Vector};

use crate::allocation::ration::{self, Claim, allocate};
use crate::allocation::step::{self as alloc, LaneAlloc};
use crate::allocation::{ReserveRt, Rule};
use crate::channel::ChannelLane;
use crate::channel::step::{Shelves, route};
use crate::demand::step::{DemandLane, draw_position, draw_streams, draw_tables, fetch_ahead, shocks_and_factors};
use crate::disruption::step::{DisruptionLane, disruptions_and_lanes};
use crate::forecast::step as forecast;
use crate::kpi::{CostBasis, CostRates, ScopeAcc};
use crate::model::{Group, Model, NONE};
use crate::policy::order_quantity;
use crate::records::RecordsState;
use crate::records::step as rec_step;
use crate::rng::{Purpose, SimRng, stream};

/// The vector type of `L` lanes.
type Vx<const L: usize> = <Lanes<L> as HasVector<L>>::V;

/// Sees the state at the end of every measured day (e.g. to write a trace). Static dispatch: the
/// no-op observer costs nothing.
pub trait Observer {
    /// Whether `end_of_day` should be called (and today's flows recorded) at all.
    const ACTIVE: bool;
    /// Called after the last step of measured day `day` (0 = first measured day).
    fn end_of_day<const L: usize>(&mut self, model: &Model, state: &State<L>, day: i64);
}

/// An observer that does nothing.
pub struct NoObserver;

impl Observer for NoObserver {
    const ACTIVE: bool = false;
    #[inline(always)]
    fn end_of_day<const L: usize>(&mut self, _: &Model, _: &State<L>, _: i64) {}
}

/// Simulates replications `reps` (one per lane) with `seed`; returns their sums in lane order.
pub fn run_lanes<const L: usize, O: Observer>(
    m: &Model,
    seed: u64,
    reps: [u64; L],
    st: &mut State<L>,
    obs: &mut O,
) -> [Totals; L]
where
    Lanes<L>: HasVector<L>,
{
    run_lanes_with(m, seed, reps, st, obs, |_, t| t)
}

/// [`run_lanes`], handing each lane's sums to `f` (with the lane) as soon as they are made:
/// a network of a million positions has half a gigabyte of sums per replication, and this keeps
/// one lane's at a time.
pub fn run_lanes_with<const L: usize, O: Observer, T>(
    m: &Model,
    seed: u64,
    reps: [u64; L],
    st: &mut State<L>,
    obs: &mut O,
    mut f: impl FnMut(usize, Totals) -> T,
) -> [T; L]
where
    Lanes<L>: HasVector<L>,
{
    st.reset(m, seed, reps);
    for t in 0..m.warmup {
        day::<L, false, false, O>(m, st, t, obs);
    }
    st.start.copy_from_slice(&st.stocks);
    // Replications that keep day-by-day records for charts run their own copy of the day, so
    // the others pay nothing for it.
    if st.record {
        for t in m.warmup..m.total_days {
            day::<L, true, true, O>(m, st, t, obs);
        }
    } else {
        for t in m.warmup..m.total_days {
            day::<L, true, false, O>(m, st, t, obs);
        }
    }
    std::array::from_fn(|l| f(l, totals(m, st, l)))
}

/// Simulates one replication.
pub fn run_replication<O: Observer>(m: &Model, seed: u64, rep: u64, st: &mut State<1>, obs: &mut O) -> Totals {
    let [t] = run_lanes(m, seed, [rep], st, obs);
    t
}

/// Step 1 for one lane on simulated day `t`: disruptions, lead times, shocks; then where a
/// shipment leaving today on each lane lands in the ring.
#[inline(always)]
fn start_of_day(m: &Model, lane: &mut Lane, t: usize) {
    let mut disrupted = disruptions_and_lanes(m, &mut lane.dz, &mut lane.up, &mut lane.cap, &mut lane.lead, t);
    if !m.demand.shocks.is_empty() || !m.demand.factors.is_empty() {
        disrupted |= shocks_and_factors(m, &mut lane.dm);
    }
    lane.disrupted_today = disrupted;
    let (n, r) = (m.n_pos(), m.processes.ring_len);
    let today = t % r;
    for (a, &l) in lane.arrive.iter_mut().zip(&lane.lead) {
        // (t + l) mod r without a division per lane: 1 ≤ l ≤ r.
        let slot = today + l as usize;
        *a = if slot >= r { slot - r } else { slot } * n;
    }
}

/// One simulated day `t` (0 = first warm-up day) for all lanes.
#[inline(always)]
fn day<const L: usize, const MEASURE: bool, const RECORD: bool, O: Observer>(
    m: &Model,
    st: &mut State<L>,
    t: usize,
    obs: &mut O,
) where
    Lanes<L>: HasVector<L>,
{
    let n = m.n_pos();
    let mday = t as i64 - m.warmup as i64;
    for lane in &mut st.lanes {
        start_of_day(m, lane, t);
    }

    // Step 3's draws come first, in tight passes of their own: the table lookups are
    // independent, so the processor overlaps their cache misses. A position's first stream
    // stores its draw, later ones add (see `Model::table_streams`, `Stream::assign`); positions
    // without demand keep zero. When pass 1 is plain and all demand comes from tables larger
    // than the cache, pass 1 draws each position's demand itself instead (see `fused_draws`).
    let plain = plain_pass1::<L, MEASURE, RECORD>(m, st);
    let fused = plain && fused_draws(m);
    let mut net_demand = if fused {
        [0.0; L]
    } else {
        draw_tables(&m.demand.table_streams, &m.demand.tables, &mut st.table_rng, &mut st.demand)
    };
    if !fused && !m.demand.streams.is_empty() {
        let mut lanes = st.lanes.iter_mut().map(|lane| &mut lane.dm);
        let dms: [&mut DemandLane; L] = std::array::from_fn(|_| lanes.next().expect("one lane state per lane"));
        draw_streams(&m.demand.streams, dms, t, &mut st.demand, &mut net_demand);
    }

    let slot = (t % m.processes.ring_len) * n;
    // Records part from the shelf in the morning (shrinkage, counts, receipts booked); models
    // without records skip this.
    if m.records.active {
        for l in 0..L {
            rec_step::morning::<L, MEASURE>(m, &mut st.rec, &mut st.stocks, &st.ring[slot..slot + n], t, mday, l);
        }
    }
    // Online and BOPIS orders take what their nodes can spare before pass 1 serves walk-in
    // demand (see `channel::step`); models without channels skip this.
    if !m.channel.orders.is_empty() {
        for (l, lane) in st.lanes.iter_mut().enumerate() {
            let mut sh = Shelves {
                stocks: &mut st.stocks,
                sums: &mut st.sums,
                ring: &mut st.ring,
                slot,
                arrive: &lane.arrive,
                demand: &mut st.demand,
                up: &lane.up,
                cap: &mut lane.cap,
                gap: &st.rec.route_gap,
            };
            route::<L, MEASURE>(m, l, &mut lane.ch, &mut sh);
        }
    }
    // Most models use none of pass 1's optional features: they get a copy of the pass without
    // them, which keeps its loop short and its values in registers.
    let ([mut served, mut unserved], pushed) = if plain {
        pass1::<L, MEASURE, RECORD, true, O>(m, t, mday, st, slot, fused.then_some(&mut net_demand))
    } else {
        pass1::<L, MEASURE, RECORD, false, O>(m, t, mday, st, slot, None)
    };
    if !m.channel.orders.is_empty() {
        // BOPIS orders the channel step settled that pass 1 did not see (network records).
        served = served + Vx::<L>::load(std::array::from_fn(|l| st.lanes[l].ch.day_served));
        unserved = unserved + Vx::<L>::load(std::array::from_fn(|l| st.lanes[l].ch.day_unserved));
    }
    if O::ACTIVE && MEASURE && !m.channel.orders.is_empty() {
        // The trace shows units sent to online orders as shipped, an order position's units as
        // received (and ordered: it asked its nodes for them), and cancellations as lost.
        for lane in &mut st.lanes {
            let ch = &lane.ch;
            for (q, f) in lane.flows.iter_mut().enumerate() {
                f.shipped += ch.out_today[q];
                f.received += ch.in_today[q];
                f.ordered += ch.in_today[q] + ch.sent_today[q];
                f.demand += ch.unseen_today[q];
                f.lost += ch.cancelled_today[q];
            }
        }
    }
    if !m.alloc.forecasts.is_empty() {
        for (l, lane) in st.lanes.iter_mut().enumerate() {
            let online: &[f64] = if m.channel.orders.is_empty() { &[] } else { &lane.ch.out_today };
            forecast::update_forecasts(m, &mut lane.alloc, l, (&st.demand, online), t, MEASURE);
        }
    }
    if pushed {
        // Pushes made children owed after their turn: list who is owed anything afresh.
        for (l, lane) in st.lanes.iter_mut().enumerate() {
            let mut np = 0;
            for (q, s) in st.stocks.iter().enumerate() {
                lane.pending[np] = q as u32;
                np += usize::from(s.owed_in[l] > 0.0);
            }
            lane.n_pending = np;
        }
    }

    pass2::<L, MEASURE, O>(m, st);

    // Reserves are released when their tier sells through; transfers on review days.
    allocation_after_shipping::<L, MEASURE, O>(m, st, t, mday);
    if MEASURE && m.records.active {
        for l in 0..L {
            rec_step::evening(m, &mut st.rec, &st.stocks, l);
        }
    }

    // The network's orders of the day (taken every day, warm-up included).
    let net_orders = std::mem::replace(&mut st.child_orders[n], [0.0; L]);
    if MEASURE && (m.resilience || RECORD) {
        record_day::<L, RECORD>(m, st, mday as usize, net_demand, [served.store(), unserved.store()]);
    } else if !MEASURE && m.resilience {
        record_warm_day(st, mday, net_demand, [served.store(), unserved.store()]);
    }
    if MEASURE {
        variance_sums(m, st, net_orders, net_demand);
        if O::ACTIVE {
            obs.end_of_day(m, st, mday);
        }
    }
    if cfg!(debug_assertions) {
        invariants::check(m, st, t);
    }
}

/// Pass 2 = step 5: every source ships, after every decision of the day. Groups are sorted by
/// their children's range, so each one's owed children are the next run of `pending`.
#[inline(always)]
fn pass2<const L: usize, const MEASURE: bool, O: Observer>(m: &Model, st: &mut State<L>) {
    for l in 0..L {
        let np = st.lanes[l].n_pending;
        if m.processes.capacity_limited {
            let lane = &mut st.lanes[l];
            lane.loc_req.fill(0.0);
            lane.loc_cum.fill(0.0);
            let mut k = 0;
            for g in &m.topo.groups {
                let span = group_span(&lane.pending[..np], &mut k, g);
                if lane.cap[g.loc.idx()].is_finite() {
                    lane.loc_req[g.loc.idx()] +=
                        lane.pending[span].iter().map(|&c| st.stocks[c as usize].owed_in[l]).sum::<f64>();
                }
            }
        }
        let mut k = 0;
        for (gi, &g) in m.topo.groups.iter().enumerate() {
            let span = group_span(&st.lanes[l].pending[..np], &mut k, &g);
            fulfil::<L, MEASURE, O>(m, st, l, gi, g, span);
        }
    }
}

/// Reserves are released when their tier sells through; transfers on review days.
#[inline(always)]
fn allocation_after_shipping<const L: usize, const MEASURE: bool, O: Observer>(
    m: &Model,
    st: &mut State<L>,
    t: usize,
    mday: i64,
) {
    let n = m.n_pos();
    if !m.alloc.reserves.is_empty() {
        for (l, lane) in st.lanes.iter_mut().enumerate() {
            let stocks = &st.stocks;
            alloc::reserves(m, &mut lane.alloc, |q| stocks[q].on_hand[l], MEASURE);
        }
    }
    if let Some(rb) = &m.alloc.rebalance
        && mday.rem_euclid(i64::from(rb.review)) == 0
    {
        let slot = ((t + rb.lead as usize) % m.processes.ring_len) * n;
        for (l, lane) in st.lanes.iter_mut().enumerate() {
            let trace = MEASURE && O::ACTIVE;
            if trace {
                // The trace shows today's transfers: the running sums after, minus before.
                for (f, x) in lane.flows.iter_mut().zip(&lane.alloc.extras) {
                    (f.transfer_in, f.transfer_out) = (-x.transfer_in, -x.transfer_out);
                }
            }
            alloc::rebalance(
                m,
                &mut lane.alloc,
                l,
                &mut st.stocks,
                &mut st.sums,
                &mut st.ring,
                slot,
                MEASURE,
                &mut st.rec,
            );
            if trace {
                for (f, x) in lane.flows.iter_mut().zip(&lane.alloc.extras) {
                    (f.transfer_in, f.transfer_out) = (f.transfer_in + x.transfer_in, f.transfer_out + x.transfer_out);
                }
            }
        }
    }
}

/// Whether pass 1 may run without its optional features: pushes, orders in the mail,
/// forecast-driven levels, echelon stock, sell-through tracking and the day's network totals.
#[inline(always)]
fn plain_pass1<const L: usize, const MEASURE: bool, const RECORD: bool>(m: &Model, st: &State<L>) -> bool {
    // The same condition as pass 1's `record`: resilience records warm-up days too.
    let record = (MEASURE && RECORD) || m.resilience;
    m.alloc.pushes.is_empty()
        && st.mail.is_empty()
        && m.alloc.dyn_levels.is_empty()
        && !m.stock.has_echelon
        && !m.alloc.track_sell_through
        && m.channel.orders.is_empty()
        && !m.records.active
        && !record
}

/// Whether a plain pass 1 draws each position's demand as it comes to it, instead of reading it
/// from the day's demand array that a pass of its own filled: when all demand is drawn from
/// tables too large for the cache (see `fetch_ahead`) and nothing else reads the array
/// (forecasts). At a million positions the separate pass waits on memory twice (the random
/// states and tables, then the array); fused, the table fetches overlap pass 1's work: 68 →
/// 77 M/s on the generated chain drawn from tables (README, "Speed"). The draws and their order
/// are the same, and so are the bits. Tables in the cache keep their tight pass of their own
/// (the perf scenario's), and so do general streams: fused, the samplers' code in the loop made
/// a seasonal chain of 104,000 positions 8 % slower.
#[inline(always)]
fn fused_draws(m: &Model) -> bool {
    m.demand.streams.is_empty() && m.alloc.forecasts.is_empty() && fetch_ahead(&m.demand.tables)
}

/// Pass 1 over all positions: arrivals, serving demand, decisions, accounting, for every lane
/// at once (see [`lanes`]): the arithmetic is branch-free, so all lanes share each instruction.
/// `PLAIN` (see [`plain_pass1`]) compiles the optional features out.
///
/// It is one long function on purpose (the one exception to our length rule): a position's
/// stocks are loaded into vector registers once at the start of its turn and stored once at the
/// end, and every step in between works on those registers. Split into functions, the steps
/// would hand the stocks over through memory, and this loop is most of a run's time.
#[inline(always)]
fn pass1<const L: usize, const MEASURE: bool, const RECORD: bool, const PLAIN: bool, O: Observer>(
    m: &Model,
    t: usize,
    mday: i64,
    st: &mut State<L>,
    slot: usize,
    mut draw: Option<&mut [f64; L]>,
) -> ([Vx<L>; 2], bool)
where
    Lanes<L>: HasVector<L>,
{
    // Network totals of the day when days are recorded: served the same day, and the value of
    // demand that was not.
    // Resilience also keeps the last warm-up days, as the baseline of an early disruption.
    let record = !PLAIN && ((MEASURE && RECORD) || m.resilience);
    let (mut rec_served, mut rec_unserved) = (Vx::<L>::splat(0.0), Vx::<L>::splat(0.0));
    let n = m.n_pos();
    let echelon = !PLAIN && m.stock.has_echelon;
    let keep = Vx::<L>::splat(if m.lost_sales { 0.0 } else { 1.0 });
    let lose = Vx::<L>::splat(if m.lost_sales { 1.0 } else { 0.0 });
    let zero = Vx::<L>::splat(0.0);
    let mut n_pending = [0usize; L];
    let mut any_push = false;
    let track = !PLAIN && m.alloc.track_sell_through;
    // Online orders waiting on a node count in its inventory position (see `channel::step`).
    let online_owed = !PLAIN && !m.lost_sales && !m.channel.orders.is_empty();
    // Decisions read the inventory record, possibly days late (see `records::step`).
    let records = !PLAIN && m.records.active;
    // Features most models do not use, decided once per day rather than per position.
    let (pushes, delays, dynamic) = if PLAIN {
        (false, false, false)
    } else {
        (!m.alloc.pushes.is_empty(), !st.mail.is_empty(), !m.alloc.dyn_levels.is_empty())
    };
    let record_orders = MEASURE && RECORD;
    let ring = &mut st.ring[slot..slot + n];
    let (stocks, sums, demand) = (&mut st.stocks[..n], &mut st.sums[..n], &st.demand[..n]);
    let (policy, child, ech_below) = (&m.stock.policy[..n], &mut st.child_orders[..=n], &mut st.ech_below[..n]);
    // Lists and sums the turn writes, held in locals: reached through `st`, their buffers would
    // be re-read after every store of the turn (taking a `Vec` out allocates nothing).
    let mut pending: [Vec<u32>; L] = std::array::from_fn(|l| std::mem::take(&mut st.lanes[l].pending));
    let loc_day = &mut st.loc_day[..];
    // Fused draws (see `fused_draws`): the next table stream.
    let (table_streams, tables) = (&m.demand.table_streams[..], &m.demand.tables);
    let mut next_stream = 0;
    for q in 0..n {
        // 2. Arrivals. The stocks live in registers during the turn.
        let arrived = Vx::<L>::load(std::mem::replace(&mut ring[q], [0.0; L]));
        let s = &stocks[q];
        let (mut oh, mut bo, mut oi, mut oo, mut tr) = (
            Vx::load(s.on_hand),
            Vx::load(s.cust_bo),
            Vx::load(s.owed_in),
            Vx::load(s.owed_out),
            Vx::load(s.in_transit),
        );
        let d = Vx::<L>::load(match draw.as_deref_mut() {
            Some(total) => draw_position(q, &mut next_stream, table_streams, tables, &mut st.table_rng, total),
            None => demand[q],
        });
        let pol = &policy[q];
        let mut co = Vx::<L>::load(std::mem::replace(&mut child[q], [0.0; L]));
        // A push warehouse allocates to its children (all processed already) before it decides,
        // so its own order sees what it just committed.
        let pi = if pushes { m.alloc.push_of[q] } else { NONE };
        if pi != NONE && alloc::push_day(&m.alloc.pushes[pi as usize], mday) {
            let p = &m.alloc.pushes[pi as usize];
            let pushed: [f64; L] = std::array::from_fn(|l| {
                if MEASURE && O::ACTIVE {
                    // The trace shows each child's push: what it is owed after, minus before.
                    let flows = &mut st.lanes[l].flows;
                    (p.lo..p.hi).for_each(|c| flows[c as usize].pushed_in = -stocks[c as usize].owed_in[l]);
                }
                let x = alloc::push(m, p, &mut st.lanes[l].alloc, l, t, stocks, &st.rec);
                if MEASURE && O::ACTIVE {
                    let flows = &mut st.lanes[l].flows;
                    (p.lo..p.hi).for_each(|c| flows[c as usize].pushed_in += stocks[c as usize].owed_in[l]);
                }
                x
            });
            co = co + Vx::load(pushed);
            any_push = true;
        }
        oh = oh + arrived;
        tr = tr - arrived;
        // 3. Serve: waiting backorders first, then today's demand; unmet demand waits
        // (backorder mode) or is lost.
        let from_bo = bo.lesser(oh);
        let left = oh - from_bo;
        let served = d.lesser(left);
        oh = left - served;
        let unmet = d - served;
        let lost = lose * unmet;
        bo = bo + (keep * unmet - from_bo);
        oo = oo + co;
        // Orders in the mail reach the source today; forecast-driven levels see today's demand.
        let delayed = delays && pol.order_delay > 0;
        let (mut im, got) = if delayed {
            let got = Vx::<L>::load(std::mem::replace(&mut st.mail[slot + q], [0.0; L]));
            (Vx::load(stocks[q].in_mail) - got, got)
        } else {
            (zero, zero)
        };
        if dynamic && pol.dynamic != NONE {
            let dem_in = (d + co).store();
            for (l, lane) in st.lanes.iter_mut().enumerate() {
                // A fulfilment node's demand includes what it shipped to online orders today.
                let online = if m.channel.orders.is_empty() { 0.0 } else { lane.ch.out_today[q] };
                let seen = if online > 0.0 { dem_in[l] + online } else { dem_in[l] };
                forecast::observe_policy(m, &mut lane.alloc, pol.dynamic, t, seen, MEASURE);
            }
        }

        // 4. Decision on the inventory position.
        let parent = pol.parent;
        let mut ech = zero;
        if echelon {
            // Today's echelon stock below q, summed by its children (all processed already);
            // taken, so tomorrow's sum starts from zero.
            ech = oh - bo + Vx::load(std::mem::replace(&mut ech_below[q], [0.0; L]));
            if parent != NONE {
                let below = &mut ech_below[parent as usize];
                *below = (Vx::load(*below) + (ech + tr)).store();
            }
        }
        let review =
            pol.review_days == 1 || mday.rem_euclid(i64::from(pol.review_days)) == i64::from(pol.review_offset);
        let mut qty = zero;
        let owed_online =
            if online_owed { Vx::<L>::load(std::array::from_fn(|l| st.lanes[l].ch.owed[q])) } else { zero };
        // Whole-unit positions have integer levels (`policy::whole_units`): qty is whole.
        if review && pol.simple {
            // Threshold form: order up_to − IP when IP ≤ trigger, branch-free in every lane.
            let on_order = oi + tr;
            let mut ip = oh - bo - oo + on_order;
            if online_owed {
                ip = ip - owed_online;
            }
            if records {
                let ips = ip.store();
                ip = Vx::load(std::array::from_fn(|l| st.rec.seen_ip(m, q, l, t, ips[l])));
            }
            qty = ip.if_le(Vx::splat(pol.trigger), Vx::splat(pol.up_to) - ip).lesser(Vx::splat(pol.max_order));
        } else if review {
            let (ohs, bos, oos, ois, trs, echs, ims) = (
                oh.store(),
                if online_owed { bo + owed_online } else { bo }.store(),
                oo.store(),
                (oi + got).store(),
                tr.store(),
                ech.store(),
                im.store(),
            );
            let q_lanes: [f64; L] = std::array::from_fn(|l| {
                let on_order = ois[l] + trs[l] + ims[l];
                let ip = ohs[l] - bos[l] - oos[l] + on_order;
                let ip = if records { st.rec.seen_ip(m, q, l, t, ip) } else { ip };
                let kind = match pol.dynamic {
                    NONE => pol.kind,
                    dl => forecast::dyn_kind(m, dl, &st.lanes[l].alloc, t, m.stock.whole[q]),
                };
                Vector::<1>::lesser(order_quantity(kind, ip, echs[l] + on_order), pol.max_order)
            });
            qty = Vx::load(q_lanes);
        }
        if records {
            st.rec.ordered(m, q, qty.store());
        }
        if record_orders {
            let h = &mut st.height_orders[m.topo.pos_height[q] as usize];
            *h = (Vx::load(*h) + qty).store();
        }
        // The order reaches the source today, or goes in the mail and what was mailed
        // `order_delay` days ago arrives instead.
        let sent = if !delayed {
            qty
        } else {
            let at = ((t + pol.order_delay as usize) % m.processes.ring_len) * n + q;
            st.mail[at] = (Vx::load(st.mail[at]) + qty).store();
            im = im + qty;
            got
        };
        oi = oi + sent;
        let oi_lanes = oi.store();
        let s = &mut stocks[q];
        (s.on_hand, s.cust_bo, s.owed_in, s.owed_out, s.in_transit) =
            (oh.store(), bo.store(), oi_lanes, oo.store(), tr.store());
        if delayed {
            s.in_mail = im.store();
        }
        // Orders to an external supplier go to the extra last slot (the network's orders).
        let to = &mut child[if parent == NONE { n } else { parent as usize }];
        *to = (Vx::load(*to) + sent).store();
        // Remember who is owed anything (branch-free append).
        for l in 0..L {
            pending[l][n_pending[l]] = q as u32;
            n_pending[l] += usize::from(oi_lanes[l] > 0.0);
        }

        if track {
            let (sold, arrived) = ((from_bo + served).store(), arrived.store());
            for (l, lane) in st.lanes.iter_mut().enumerate() {
                lane.alloc.cum_sold[q] += sold[l];
                lane.alloc.cum_in[q] += arrived[l];
            }
        }
        if record {
            rec_served = rec_served + served;
            rec_unserved = rec_unserved + Vx::splat(m.econ.price[q]) * unmet;
        }

        // 6. Accounting (shipments in pass 2 correct these sums).
        if MEASURE {
            let a = &mut sums[q];
            let dem_in = d + co;
            let add = |sum: &mut [f64; L], x: Vx<L>| *sum = (Vx::load(*sum) + x).store();
            add(&mut a.on_hand, oh);
            add(&mut a.bo_customer, bo);
            add(&mut a.bo_internal, oo);
            add(&mut a.in_transit, tr);
            add(&mut a.order_days, qty.gt_one(zero));
            add(&mut a.orders_sq, qty * qty);
            add(&mut a.dem_in_sq, dem_in * dem_in);
            add(&mut a.demand, d);
            add(&mut a.served, served);
            add(&mut a.stockout_days, d.gt_one(served));
            let day = &mut loc_day[pol.day_slot as usize];
            add(&mut day[0], qty);
            add(&mut day[1], dem_in);
            if O::ACTIVE {
                let (d, sold, lost, qty, arrived) =
                    (d.store(), (from_bo + served).store(), lost.store(), qty.store(), arrived.store());
                for l in 0..L {
                    st.lanes[l].flows[q] = Flows {
                        demand: d[l],
                        sold: sold[l],
                        lost: lost[l],
                        ordered: qty[l],
                        received: arrived[l],
                        ..Flows::default()
                    };
                }
            }
        }
    }
    for ((lane, np), p) in st.lanes.iter_mut().zip(n_pending).zip(pending) {
        (lane.n_pending, lane.pending) = (np, p);
    }
    ([rec_served, rec_unserved], any_push)
}
