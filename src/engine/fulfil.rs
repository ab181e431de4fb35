//! Step 5, fulfilment: each source ships what it can of its backorders and today's orders, by
//! its allocation rule when short.

use super::*;

/// The run of `pending` (from cursor `k` on) that holds the group's children.
#[inline(always)]
pub(super) fn group_span(pending: &[u32], k: &mut usize, g: &Group) -> std::ops::Range<usize> {
    while *k < pending.len() && pending[*k] < g.lo {
        *k += 1;
    }
    let a = *k;
    while *k < pending.len() && pending[*k] < g.hi {
        *k += 1;
    }
    a..*k
}

/// Step 5 for one shipping group in lane `l`: ship what is owed, rationing by the group's rule
/// when short, and keeping a tier's reserve from the others until it is released. `kids`
/// indexes the group's children that are owed anything (ascending) in `pending`.
#[inline(always)]
pub(super) fn fulfil<const L: usize, const MEASURE: bool, O: Observer>(
    m: &Model,
    st: &mut State<L>,
    l: usize,
    gi: usize,
    g: Group,
    kids: std::ops::Range<usize>,
) {
    let loc = g.loc.idx();
    if !st.lanes[l].up[loc] || kids.is_empty() {
        return;
    }
    let total: f64 = st.lanes[l].pending[kids.clone()].iter().map(|&c| st.stocks[c as usize].owed_in[l]).sum();
    let stocked = !g.stock_pos.is_none();
    let mut avail = if stocked { st.stocks[g.stock_pos.idx()].on_hand[l] } else { f64::INFINITY };
    let cap = st.lanes[l].cap[loc];
    let whole = m.stock.whole[g.lo as usize];
    if cap.is_finite() {
        // Capacity is shared across SKUs in proportion to what each SKU's children asked for.
        // Whole-unit shares are rounded on the running total (largest-remainder style), so the
        // SKUs together still use all of the whole units of capacity.
        let lane = &mut st.lanes[l];
        let req = lane.loc_req[loc];
        if req > cap {
            let share = if whole {
                let before = lane.loc_cum[loc];
                lane.loc_cum[loc] = before + total;
                (cap * (before + total) / req).floor() - (cap * before / req).floor()
            } else {
                cap * total / req
            };
            avail = avail.min(share);
        }
    }
    if whole {
        avail = avail.floor();
    }
    let reserve = match m.alloc.group_reserve.get(gi) {
        Some(&r) if r != NONE && !st.lanes[l].alloc.released[r as usize] => Some(&m.alloc.reserves[r as usize]),
        _ => None,
    };
    let shipped = if avail >= total && reserve.is_none() {
        let lane = &st.lanes[l];
        let mut dock = Dock::new(m, &mut st.ring, &mut st.stocks, &mut st.sums, lane, l);
        for &c in &lane.pending[kids] {
            let c = c as usize;
            let x = dock.stocks[c].owed_in[l];
            dock.ship::<MEASURE>(c, x);
        }
        total
    } else if avail > 0.0 {
        ration_group::<L, MEASURE>(m, st, l, gi, kids, avail, whole, reserve)
    } else {
        0.0
    };
    if stocked {
        let sp = g.stock_pos.idx();
        let s = &mut st.stocks[sp];
        s.on_hand[l] -= shipped;
        // When every child was served in full nothing is owed any more: set it exactly, so
        // rounding in continuous quantities never leaves a phantom backorder.
        s.owed_out[l] = if shipped >= total { 0.0 } else { s.owed_out[l] - shipped };
        if MEASURE {
            let a = &mut st.sums[sp];
            a.on_hand[l] -= shipped;
            a.bo_internal[l] -= shipped;
            a.shipped[l] += shipped;
            if O::ACTIVE {
                st.lanes[l].flows[sp].shipped += shipped;
            }
        }
    }
}

/// Step 5 when a group's source is short (or holds a reserve): hands out `avail` units among
/// the owed children `kids` by the group's rule; with a reserve, the protected tier first from
/// all the stock, the others from what is left above the reserve. Returns the units shipped.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(super) fn ration_group<const L: usize, const MEASURE: bool>(
    m: &Model,
    st: &mut State<L>,
    l: usize,
    gi: usize,
    kids: std::ops::Range<usize>,
    avail: f64,
    whole: bool,
    reserve: Option<&ReserveRt>,
) -> f64 {
    let rule = m.alloc.rules.get(gi).copied().unwrap_or(Rule::Proportional);
    let mut sent = 0.0;
    // With a reserve, the protected tier is served first from all the stock; the others
    // share what is left above the reserve.
    let phases: [(Option<bool>, f64); 2] = match reserve {
        None => [(None, avail), (Some(false), 0.0)],
        Some(_) => [(Some(true), avail), (Some(false), 0.0)],
    };
    for (phase, (protected, budget)) in phases.into_iter().enumerate() {
        let budget = match (phase, reserve) {
            (0, _) => budget,
            (_, Some(r)) => (avail - sent - r.units).max(0.0),
            (_, None) => continue,
        };
        st.claims.clear();
        st.claim_pos.clear();
        for k in kids.clone() {
            let c = st.lanes[l].pending[k] as usize;
            let in_tier = reserve.is_some_and(|r| m.alloc.tier_rank[c] == r.tier_rank);
            if protected.is_some_and(|p| p != in_tier) {
                continue;
            }
            let s = &st.stocks[c];
            st.claims.push(Claim {
                owed: s.owed_in[l],
                rank: m.alloc.rank[c],
                tier: m.alloc.tier_rank[c],
                stock: s.on_hand[l] + s.in_transit[l] - s.cust_bo[l],
                mu: m.alloc.mu[c],
            });
            st.claim_pos.push(c as u32);
        }
        if st.claims.is_empty() || budget <= 0.0 {
            continue;
        }
        let mut out = std::mem::take(&mut st.scratch);
        allocate(rule, &st.claims, budget, whole, &mut out, &mut st.ration);
        let mut dock = Dock::new(m, &mut st.ring, &mut st.stocks, &mut st.sums, &st.lanes[l], l);
        for &(x, i) in &out {
            if x > 0.0 {
                dock.ship::<MEASURE>(st.claim_pos[i as usize] as usize, x);
                sent += x;
            }
        }
        st.scratch = out;
    }
    sent
}

/// What a shipment in lane `l` touches, borrowed once per group: reached through the state, the
/// arrays' addresses would be re-read after every store of a loop over children.
pub(super) struct Dock<'a, const L: usize> {
    ring: &'a mut [[f64; L]],
    stocks: &'a mut [Stocks<L>],
    sums: &'a mut [Sums<L>],
    /// Ring offset where a shipment leaving today on each network lane arrives.
    arrive: &'a [usize],
    /// Network lane of each position.
    lane_of: &'a [u32],
    l: usize,
}

impl<'a, const L: usize> Dock<'a, L> {
    #[inline(always)]
    fn new(
        m: &'a Model,
        ring: &'a mut [[f64; L]],
        stocks: &'a mut [Stocks<L>],
        sums: &'a mut [Sums<L>],
        lane: &'a Lane,
        l: usize,
    ) -> Self {
        Dock { ring, stocks, sums, arrive: &lane.arrive, lane_of: &m.processes.lane, l }
    }

    /// Sends `x` units to position `c`, arriving after its network lane's lead time for today;
    /// the child's sums already hold today's in-transit, so they are corrected.
    #[inline(always)]
    fn ship<const MEASURE: bool>(&mut self, c: usize, x: f64) {
        let l = self.l;
        self.ring[self.arrive[self.lane_of[c] as usize] + c][l] += x;
        let s = &mut self.stocks[c];
        s.in_transit[l] += x;
        s.owed_in[l] -= x;
        if MEASURE {
            self.sums[c].in_transit[l] += x;
        }
    }
}
