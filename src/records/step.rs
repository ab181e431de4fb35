//! The records step: each morning shrinkage takes units off the shelf unrecorded, counts set
//! the record to the shelf and today's receipts are booked (some wrongly); decisions then read
//! the record (`seen_ip`), and at the end of the day the gap is summed for the KPIs.
//!
//! The engine keeps the *gap* δ = recorded − physical per position rather than the record
//! itself: sales, shipments, transfers and online orders move both stocks alike, so only the
//! events here change δ, and the rest of the day loop needs no change.

use rand_distr::{Binomial, Distribution};

use super::compile::{PosRecords, ShrinkRt};
use crate::distribution::stochastic_round;
use crate::engine::Stocks;
use crate::model::Model;
use crate::rng::{Purpose, SimRng, stream, unit_f64};

/// Sums of one position over the measured days (one replication).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RecSums {
    /// Σ end-of-day |recorded − physical|.
    pub abs_gap: f64,
    /// Days ending with recorded ≠ physical.
    pub inaccurate_days: f64,
    /// Days ending with recorded > 0 and nothing on the shelf.
    pub phantom_days: f64,
    /// Units lost to shrinkage.
    pub shrunk: f64,
    /// Counts made.
    pub counts: f64,
}

/// Record state of `L` replications: the gap, the history the lag reads, the running orders,
/// the random streams and the sums, each `[position slot][lane]`.
#[derive(Clone, Debug)]
pub(crate) struct RecordsState<const L: usize> {
    /// δ = recorded − physical on-hand, per position (all positions; zero where unused).
    pub(crate) gap: Vec<[f64; L]>,
    /// Units shrinkage took this morning, per position (for the trace).
    pub(crate) shrunk_today: Vec<[f64; L]>,
    /// What online routing sees beyond a node's shelf and today's deliveries, per position: the
    /// gap, or with a lag the record of `lag` days ago minus today's shelf and deliveries.
    pub(crate) route_gap: Vec<[f64; L]>,
    /// Per position (when some lag is used): what push and rebalancing plan on at a lagged
    /// position, its closing record of `lag` days ago plus the flows the planner knows of since
    /// (see [`RecordsState::planned_on_hand`]); unused for positions without a lag.
    lag_oh: Vec<[f64; L]>,
    /// Per position (when some lag is used): whether decisions about it see it late.
    lagged: Vec<bool>,
    /// Lagged positions: `seen_oh[(t % (max_lag + 1)) * n_slots + slot]` = the recorded on-hand
    /// at the end of day t − 1.
    seen_oh: Vec<[f64; L]>,
    /// Lagged positions: `hist[(t % (max_lag + 1)) * n_slots + slot]` = the recorded inventory
    /// position before ordering on day t, minus the orders placed before day t.
    hist: Vec<[f64; L]>,
    /// Lagged positions: `seen_net[(t % (max_lag + 1)) * n_slots + slot]` = the recorded on-hand
    /// at the end of day t − 1 minus `known` then.
    seen_net: Vec<[f64; L]>,
    /// Units the planner knows moved in or out since the start, per slot: receipts less
    /// rebalancing transfers out.
    known: Vec<[f64; L]>,
    /// Orders placed so far, per slot.
    cum: Vec<[f64; L]>,
    rng: Vec<[SimRng; L]>,
    /// Sums per slot and lane.
    pub(crate) sums: Vec<[RecSums; L]>,
}

impl<const L: usize> RecordsState<L> {
    /// Allocates state for a model (empty when records are not used).
    pub(crate) fn new(m: &Model) -> Self {
        let r = &m.records;
        let k = r.positions.len();
        let blank = || stream(0, 0, Purpose::Records, 0);
        RecordsState {
            gap: vec![[0.0; L]; if r.active { m.n_pos() } else { 0 }],
            shrunk_today: vec![[0.0; L]; if r.active { m.n_pos() } else { 0 }],
            route_gap: vec![[0.0; L]; if r.active { m.n_pos() } else { 0 }],
            lag_oh: vec![[0.0; L]; if r.max_lag > 0 { m.n_pos() } else { 0 }],
            lagged: if r.max_lag > 0 {
                (0..m.n_pos()).map(|q| r.slot[q] != u32::MAX && r.positions[r.slot[q] as usize].lag > 0).collect()
            } else {
                Vec::new()
            },
            seen_oh: vec![[0.0; L]; if r.max_lag > 0 { k * (r.max_lag + 1) } else { 0 }],
            hist: vec![[0.0; L]; if r.max_lag > 0 { k * (r.max_lag + 1) } else { 0 }],
            seen_net: vec![[0.0; L]; if r.max_lag > 0 { k * (r.max_lag + 1) } else { 0 }],
            known: vec![[0.0; L]; if r.max_lag > 0 { k } else { 0 }],
            cum: vec![[0.0; L]; if r.max_lag > 0 { k } else { 0 }],
            rng: (0..k).map(|_| std::array::from_fn(|_| blank())).collect(),
            sums: vec![[RecSums::default(); L]; k],
        }
    }

    /// Resets for replications `reps`: records exact, the history filled with the starting
    /// inventory positions (what a lagged decision sees before its first report).
    pub(crate) fn reset(&mut self, m: &Model, stocks: &[Stocks<L>], seed: u64, reps: [u64; L]) {
        let r = &m.records;
        self.gap.fill([0.0; L]);
        self.shrunk_today.fill([0.0; L]);
        self.route_gap.fill([0.0; L]);
        self.lag_oh.fill([0.0; L]);
        self.cum.fill([0.0; L]);
        self.known.fill([0.0; L]);
        self.sums.fill([RecSums::default(); L]);
        let k = r.positions.len();
        for (i, p) in r.positions.iter().enumerate() {
            self.rng[i] = std::array::from_fn(|l| stream(seed, reps[l], Purpose::Records, p.key));
            if r.max_lag > 0 {
                let s = &stocks[p.pos as usize];
                let ip: [f64; L] = std::array::from_fn(|l| s.on_hand[l] + s.in_transit[l] + s.in_mail[l]);
                for d in 0..=r.max_lag {
                    self.hist[d * k + i] = ip;
                    self.seen_oh[d * k + i] = s.on_hand;
                    self.seen_net[d * k + i] = s.on_hand;
                }
            }
        }
    }

    /// The inventory position a decision about position `q` sees in lane `l` on day `t`, given
    /// the true one (`ip`): the record's (true + δ), as it was `lag` days ago plus the orders
    /// placed since (the planner knows its own orders; it learns stock and sales late).
    #[inline]
    pub(crate) fn seen_ip(&mut self, m: &Model, q: usize, l: usize, t: usize, ip: f64) -> f64 {
        let recorded = ip + self.gap[q][l];
        let slot = m.records.slot[q];
        if m.records.max_lag == 0 || slot == u32::MAX {
            return recorded;
        }
        let (i, p) = (slot as usize, &m.records.positions[slot as usize]);
        let (len, k) = (m.records.max_lag + 1, m.records.positions.len());
        self.hist[(t % len) * k + i][l] = recorded - self.cum[i][l];
        // Days before the start read the starting position (written at reset, not yet overwritten:
        // the ring is longer than any lag).
        let then = (t + len - p.lag as usize) % len;
        self.hist[then * k + i][l] + self.cum[i][l]
    }

    /// The on-hand push and rebalancing plan on for position `q` in lane `l`, given its shelf
    /// `on_hand`: the shelf where no records are kept, the record (shelf + δ), or for a location
    /// with `visibility_lag_days = k` its closing record of k days ago (its last report) plus
    /// what was delivered to it since, less what rebalancing took from it since: the planner
    /// knows the units it sent and learns sales, online shipments and record changes k days
    /// late. In-transit and owed units are the planner's own and seen today.
    #[inline]
    pub(crate) fn planned_on_hand(&self, q: usize, l: usize, on_hand: f64) -> f64 {
        if self.lagged.get(q).copied().unwrap_or(false) {
            self.lag_oh[q][l]
        } else if let Some(g) = self.gap.get(q) {
            on_hand + g[l]
        } else {
            on_hand
        }
    }

    /// Books a rebalancing transfer of `x` units out of position `q` in lane `l`: the planner
    /// that made it knows it at once, lag or not.
    #[inline]
    pub(crate) fn sent(&mut self, m: &Model, q: usize, l: usize, x: f64) {
        if self.lagged.get(q).copied().unwrap_or(false) {
            self.known[m.records.slot[q] as usize][l] -= x;
            self.lag_oh[q][l] -= x;
        }
    }

    /// Adds today's order of position `q` to what a lagged planner knows it ordered.
    #[inline]
    pub(crate) fn ordered(&mut self, m: &Model, q: usize, qty: [f64; L]) {
        let slot = m.records.slot[q];
        if m.records.max_lag > 0 && slot != u32::MAX {
            let c = &mut self.cum[slot as usize];
            for l in 0..L {
                c[l] += qty[l];
            }
        }
    }
}

/// Morning of day `t` (`mday` = measured day) in lane `l`: shrinkage, counts, receipts booked.
/// `arrivals` are today's shipments per position (added to the shelf later, in pass 1).
pub(crate) fn morning<const L: usize, const MEASURE: bool>(
    m: &Model,
    rs: &mut RecordsState<L>,
    stocks: &mut [Stocks<L>],
    arrivals: &[[f64; L]],
    t: usize,
    mday: i64,
    l: usize,
) {
    let (len, n_slots) = (m.records.max_lag + 1, m.records.positions.len());
    for (i, p) in m.records.positions.iter().enumerate() {
        let q = p.pos as usize;
        if len > 1 {
            // Yesterday's closing record, for routing and planning that see it days late.
            let closing = stocks[q].on_hand[l] + rs.gap[q][l];
            rs.seen_oh[(t % len) * n_slots + i][l] = closing;
            rs.seen_net[(t % len) * n_slots + i][l] = closing - rs.known[i][l];
        }
        let rng = &mut rs.rng[i][l];
        let oh = &mut stocks[q].on_hand[l];
        let lost = shrink(p, rng, *oh, t);
        *oh -= lost;
        rs.gap[q][l] += lost;
        rs.shrunk_today[q][l] = lost;
        // A count sees the shelf before today's deliveries are put away.
        let count = p.count_every > 0 && mday.rem_euclid(i64::from(p.count_every)) == i64::from(p.count_offset);
        if count {
            rs.gap[q][l] = 0.0;
        }
        let got = arrivals[q][l];
        if p.recv_err > 0.0 && got > 0.0 {
            let wrong = if p.whole {
                Binomial::new(got.round() as u64, p.recv_err).map_or(0.0, |b| b.sample(rng) as f64)
            } else {
                p.recv_err * got
            };
            // Both ways: booked too many or too few, with equal chance.
            rs.gap[q][l] += if unit_f64(rng) < 0.5 { wrong } else { -wrong };
        }
        rs.route_gap[q][l] = if p.lag == 0 {
            rs.gap[q][l]
        } else {
            // The closing record of day t − lag (written the morning after it), against today's
            // shelf and deliveries.
            let then = (t + 1 + len - p.lag as usize) % len;
            rs.known[i][l] += got;
            rs.lag_oh[q][l] = rs.seen_net[then * n_slots + i][l] + rs.known[i][l];
            rs.seen_oh[then * n_slots + i][l] - stocks[q].on_hand[l] - got
        };
        if MEASURE {
            let s = &mut rs.sums[i][l];
            s.shrunk += lost;
            s.counts += f64::from(u8::from(count));
        }
    }
}

/// Units shrinkage takes today from a shelf holding `oh` (never more than it holds).
fn shrink(p: &PosRecords, rng: &mut SimRng, oh: f64, t: usize) -> f64 {
    if oh <= 0.0 {
        return 0.0;
    }
    let x = match &p.shrink {
        ShrinkRt::None => 0.0,
        ShrinkRt::Rate(r) if p.whole => Binomial::new(oh.round() as u64, *r).map_or(0.0, |b| b.sample(rng) as f64),
        ShrinkRt::Rate(r) => r * oh,
        ShrinkRt::Units(s) => {
            let x = s.sample(rng, t);
            if p.whole { stochastic_round(rng, x) } else { x }
        }
    };
    x.clamp(0.0, oh)
}

/// End of a measured day in lane `l`: the gap of every record, summed.
pub(crate) fn evening<const L: usize>(m: &Model, rs: &mut RecordsState<L>, stocks: &[Stocks<L>], l: usize) {
    for (i, p) in m.records.positions.iter().enumerate() {
        let q = p.pos as usize;
        let (oh, gap) = (stocks[q].on_hand[l], rs.gap[q][l]);
        let s = &mut rs.sums[i][l];
        s.abs_gap += gap.abs();
        s.inaccurate_days += f64::from(u8::from(gap != 0.0));
        s.phantom_days += f64::from(u8::from(oh <= 0.0 && oh + gap > 0.0));
    }
}
