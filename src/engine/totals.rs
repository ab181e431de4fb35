//! The end of a replication: every scope's accumulators from the day sums and the stocks left.

use super::*;

/// Turns lane `l`'s sums into per-position, per-location and network accumulators.
///
/// Flows not summed daily follow from conservation of units over the measured days, for each
/// position (Δ = end − start of measurement):
/// - lost = demand − served in lost-sales mode (unmet demand), else 0;
/// - sold = demand − lost − Δ customer backorders;
/// - received = Δ on hand + sold + shipped + transfers out;
/// - ordered = received + Δ on order (in the mail + owed to it + in transit) − transfers in
///   (they travel like orders but were not ordered);
/// - demand received = demand + what its children ordered.
///
/// Continuous quantities carry rounding noise, and a derived flow within that noise is zero (a
/// store that received nothing reports exactly 0). The bound is that of the quantities each flow
/// is derived from: relative 1e-9 of its own flows and pipeline, plus, where on hand enters,
/// the rounding on-hand can accumulate — about one unit in the last place per operation, a few
/// operations a day — so a stock of 1e11 beside flows of a few hundred units no longer zeroes
/// them (issue 12; the old bound, 1e-9 of everything, was 200 units there).
pub(super) fn totals<const L: usize>(m: &Model, st: &State<L>, l: usize) -> Totals {
    let n = m.n_pos();
    let days = m.days as f64;
    let lane = &st.lanes[l];
    let mut ordered = vec![0.0; n];
    let mut flows = Vec::with_capacity(n);
    for q in 0..n {
        let (s, a, b) = (&st.sums[q], &st.start[q], &st.stocks[q]);
        let cs = lane.ch.sums.get(q).copied().unwrap_or_default();
        // BOPIS demand cancelled at once never reached pass 1: it is demand, and lost.
        let (dem, srv, shp) = (s.demand[l] + cs.extra_demand, s.served[l], s.shipped[l]);
        let (oh0, oh1, bo0, bo1) = (a.on_hand[l], b.on_hand[l], a.cust_bo[l], b.cust_bo[l]);
        let (oo0, oo1) = (a.owed_in[l] + a.in_transit[l] + a.in_mail[l], b.owed_in[l] + b.in_transit[l] + b.in_mail[l]);
        let x = lane.alloc.extras.get(q).copied().unwrap_or_default();
        let flows_scale = 1.0 + dem + shp + bo0 + bo1 + oo0 + oo1 + x.transfer_in + x.transfer_out;
        let stock_scale = oh0.max(oh1).max(s.on_hand[l] / days.max(1.0));
        let noise = 1e-9 * flows_scale + 1e-15 * (days + 1.0) * stock_scale;
        let clean = |x: f64| if x.abs() <= noise { 0.0 } else { x };
        let lost = clean(if m.lost_sales { s.demand[l] - srv } else { 0.0 } + cs.cancelled);
        let sold = clean(dem - lost - (bo1 - bo0));
        let mut received = (oh1 - oh0) + sold + shp + x.transfer_out;
        if let Some(r) = rec_sums(m, st, l, q) {
            // Units lost to shrinkage left the shelf without being sold or shipped.
            received += r.shrunk;
        }
        let received = clean(received);
        ordered[q] = clean(received + oo1 - oo0 - x.transfer_in);
        flows.push((lost, sold, received));
    }
    let mut child_ordered = vec![0.0; n];
    for q in 0..n {
        if !m.topo.parent[q].is_none() {
            // What reached it: orders still in the mail at the end had not.
            let (a, b) = (&st.start[q], &st.stocks[q]);
            child_ordered[m.topo.parent[q].idx()] += ordered[q] - (b.in_mail[l] - a.in_mail[l]);
        }
    }
    let mut pos = Vec::with_capacity(n);
    let mut loc = vec![ScopeAcc::default(); m.topo.n_loc];
    let mut net = ScopeAcc { days, ..Default::default() };
    let mut from_suppliers = 0.0;
    for q in 0..n {
        let s = &st.sums[q];
        let cust = m.topo.customer[q];
        let (lost, sold, received) = flows[q];
        let cs = lane.ch.sums.get(q).copied().unwrap_or_default();
        let dem = s.demand[l] + cs.extra_demand;
        let initial = st.start[q].on_hand[l];
        let xt = lane.alloc.extras.get(q).copied().unwrap_or_default();
        let basis = CostBasis {
            on_hand: s.on_hand[l],
            lost,
            // Backorder mode charges backorders per day; cancelled channel orders (lost even
            // there) are charged once, like a lost sale.
            cust_backorders: if m.channel.active && !m.lost_sales {
                s.bo_customer[l] + lane.ch.sums[q].cancelled
            } else {
                s.bo_customer[l]
            },
            orders: s.order_days[l],
            in_transit: s.in_transit[l],
        };
        let cost = CostRates::of(m, q).costs(&basis);
        let a = ScopeAcc {
            days,
            cust_pos_days: if cust { days } else { 0.0 },
            stock_pos_days: days,
            demand: dem,
            served_now: s.served[l],
            sold,
            lost,
            stockout_days: s.stockout_days[l] + cs.stockout_days,
            order_days: s.order_days[l],
            ordered: ordered[q],
            on_hand: s.on_hand[l],
            value: s.on_hand[l] * m.econ.unit_cost[q],
            bo_customer: s.bo_customer[l],
            bo_internal: s.bo_internal[l],
            in_transit: s.in_transit[l],
            holding_cost: cost.holding,
            stockout_cost: cost.stockout,
            order_cost: cost.order,
            transit_cost: cost.transit,
            shipped: s.shipped[l],
            received,
            initial,
            issued: sold + s.shipped[l] + xt.transfer_out,
            inflow: initial + received,
            margin: m.econ.margin[q] * sold,
            orders_sum: ordered[q],
            orders_sq: s.orders_sq[l],
            dem_sum: dem + child_ordered[q],
            dem_sq: s.dem_in_sq[l],
            resilience: None,
            channels: m.channel.active,
            transfer_in: xt.transfer_in,
            transfer_out: xt.transfer_out,
            transfer_cost: xt.transfer_out * m.alloc.rebalance.as_ref().map_or(0.0, |r| r.cost),
            reserve_held: xt.reserve_held,
            fc_abs: xt.fc_abs,
            fc_err: xt.fc_err,
            fc_actual: xt.fc_actual,
            ..Default::default()
        };
        let a = if m.channel.active { with_channel(m, st, l, q, a) } else { a };
        let a = if m.records.active { with_records(m, st, l, q, a) } else { a };
        let lc = m.topo.pos_loc[q].idx();
        loc[lc].add_flows(&a);
        if !m.topo.loc_multi[lc] {
            let b = &mut loc[lc];
            (b.orders_sum, b.orders_sq, b.dem_sum, b.dem_sq) = (a.orders_sum, a.orders_sq, a.dem_sum, a.dem_sq);
        }
        net.add_flows(&a);
        if m.topo.from_supplier[q] {
            from_suppliers += a.received;
        }
        pos.push(a);
    }
    for &lc in &m.topo.stock_locs {
        loc[lc.idx()].days = days;
    }
    for &lc in &m.topo.multi_sku_locs {
        let a = &mut loc[lc as usize];
        let [o, o2, d, d2] = lane.loc_bw[lc as usize];
        (a.orders_sum, a.orders_sq, a.dem_sum, a.dem_sq) = (o, o2, d, d2);
    }
    // The network's boundary: only sales leave, only supplier receipts enter. Units already
    // travelling between locations when measuring starts are stock of the network too.
    // So are BOPIS units on their way to a store for pick-up.
    let internal_pipeline: f64 = (0..n)
        .filter(|&q| !m.topo.parent[q].is_none() || m.channel.is_pickup(q))
        .map(|q| st.start[q].in_transit[l])
        .sum();
    net.issued = net.sold;
    net.inflow = net.initial + internal_pipeline + from_suppliers;
    let [o, o2, d, d2] = lane.net_bw;
    (net.orders_sum, net.orders_sq, net.dem_sum, net.dem_sq) = (o, o2, d, d2);
    if m.resilience {
        net.resilience = Some(crate::kpi::resilience(&lane.daily, &lane.warm_daily, &lane.disrupted));
    }
    let (daily, loc_daily) =
        if st.record { (lane.daily.clone(), lane.loc_daily.clone()) } else { (Vec::new(), Vec::new()) };
    // Variance of each echelon's daily orders over the variance of daily customer demand.
    let height_bullwhip = if st.record {
        lane.height_bw[1..].iter().map(|&b| crate::kpi::bullwhip(b, lane.height_bw[0], days)).collect()
    } else {
        Vec::new()
    };
    // Tiers, segments and regions: their positions' sums (flows and stocks add up; no bullwhip).
    let group = |labels: usize, of: &dyn Fn(usize) -> u32| {
        let mut v = vec![ScopeAcc { days, ..Default::default() }; labels];
        for (q, a) in pos.iter().enumerate() {
            if let Some(x) = v.get_mut(of(q) as usize) {
                x.add_flows(a);
            }
        }
        v
    };
    let tiers = group(m.alloc.tiers.len(), &|q| m.alloc.tier_rank[q]);
    let segments = group(m.alloc.segments.len(), &|q| m.alloc.segment[q]);
    let regions = group(m.topo.regions.len(), &|q| m.topo.pos_region[q]);
    let skus = sku_scopes(m, st, l, &pos, &net, group(m.scenario.skus.len(), &|q| m.topo.pos_sku[q]));
    let channels = group(m.channel.channels.len(), &|q| m.channel.scope_of.get(q).copied().unwrap_or(NONE));
    Totals { pos, loc, net, tiers, segments, skus, channels, regions, daily, loc_daily, height_bullwhip }
}

/// Each SKU's positions summed (`sums`), with the boundary the network has: only sales leave;
/// the initial stock, units already between locations and supplier receipts enter. Bullwhip
/// needs daily sums, kept only for the network: a one-SKU scenario's SKU takes the network's,
/// with several SKUs it is undefined.
pub(super) fn sku_scopes<const L: usize>(
    m: &Model,
    st: &State<L>,
    l: usize,
    pos: &[ScopeAcc],
    net: &ScopeAcc,
    mut sums: Vec<ScopeAcc>,
) -> Vec<ScopeAcc> {
    // Summed in the network's order, so a one-SKU scenario's SKU equals the network bit for bit.
    let (mut pipeline, mut from_suppliers) = (vec![0.0; sums.len()], vec![0.0; sums.len()]);
    for (q, a) in pos.iter().enumerate() {
        let k = m.topo.pos_sku[q] as usize;
        if !m.topo.parent[q].is_none() || m.channel.is_pickup(q) {
            pipeline[k] += st.start[q].in_transit[l];
        }
        if m.topo.from_supplier[q] {
            from_suppliers[k] += a.received;
        }
    }
    for (k, x) in sums.iter_mut().enumerate() {
        x.issued = x.sold;
        x.inflow = x.initial + pipeline[k] + from_suppliers[k];
    }
    if let [one] = sums.as_mut_slice() {
        (one.orders_sum, one.orders_sq, one.dem_sum, one.dem_sq) =
            (net.orders_sum, net.orders_sq, net.dem_sum, net.dem_sq);
    }
    sums
}

/// A position's accumulators with its channel sums: online fulfilment, cancellations, revenue,
/// and a marketplace pool's fees and stranded stock.
fn with_channel<const L: usize>(m: &Model, st: &State<L>, l: usize, q: usize, mut a: ScopeAcc) -> ScopeAcc {
    let cs = st.lanes[l].ch.sums[q];
    a.cancelled = cs.cancelled;
    a.fulfil_cost = cs.fulfil_cost;
    a.delivery_days = cs.unit_days;
    a.fulfilled = cs.fulfilled;
    a.from_store = cs.from_store;
    a.fees = cs.fees;
    a.revenue = m.econ.price[q] * a.sold;
    if m.scenario.locations[m.topo.pos_loc[q].idx()].kind == crate::scenario::LocationKind::Online {
        // An online location stocks nothing: its position-days are no stocking position-days.
        a.stock_pos_days = 0.0;
    }
    // A marketplace pool (fee and removal cost set): its own sales pay the fee, and what is
    // left at the end is stranded.
    if let (Some(&fee), Some(&removal)) = (m.channel.fee.get(q), m.channel.removal.get(q))
        && m.scenario.locations[m.topo.pos_loc[q].idx()].kind == crate::scenario::LocationKind::Marketplace
    {
        let left = st.stocks[q].on_hand[l];
        a.fees += fee * a.sold;
        a.stranded = left;
        a.stranded_value = left * m.econ.unit_cost[q];
        a.removal_cost = left * removal;
    }
    a
}

/// Position `q`'s record sums in lane `l`, where it keeps records.
fn rec_sums<const L: usize>(m: &Model, st: &State<L>, l: usize, q: usize) -> Option<crate::records::step::RecSums> {
    let slot = *m.records.slot.get(q)?;
    (slot != u32::MAX).then(|| st.rec.sums[slot as usize][l])
}

/// A position's accumulators with its record sums: the gap between record and shelf,
/// shrinkage and counts (every position of a model with records is a records scope).
fn with_records<const L: usize>(m: &Model, st: &State<L>, l: usize, q: usize, mut a: ScopeAcc) -> ScopeAcc {
    a.records = true;
    if m.channel.active {
        a.cancel_inaccurate = st.lanes[l].ch.sums[q].inaccurate;
    }
    if let Some(r) = rec_sums(m, st, l, q) {
        let p = &m.records.positions[m.records.slot[q] as usize];
        a.rec_pos_days = a.days;
        a.rec_abs_gap = r.abs_gap;
        a.rec_inaccurate = r.inaccurate_days;
        a.rec_phantom = r.phantom_days;
        a.shrunk = r.shrunk;
        a.shrink_cost = r.shrunk * m.econ.unit_cost[q];
        a.counts = r.counts;
        a.count_cost = r.counts * p.count_cost;
    }
    a
}
