//! Step 6's records: the day's network and location totals for charts and resilience, and the
//! running sums of the bullwhip variances.

use super::*;

/// The day's network and location totals of a recorded day `d` (measured): for resilience KPIs
/// and charts.
#[inline(always)]
pub(super) fn record_day<const L: usize, const RECORD: bool>(
    m: &Model,
    st: &mut State<L>,
    d: usize,
    net_demand: [f64; L],
    [served, unserved]: [[f64; L]; 2],
) {
    let (oh, backlog) = network_stocks(st);
    for (l, lane) in st.lanes.iter_mut().enumerate() {
        lane.daily[d] = [net_demand[l], served[l], oh[l], backlog[l], unserved[l]];
        lane.disrupted[d] = lane.disrupted_today || m.processes.disrupted_static[d];
    }
    if RECORD {
        for (l, lane) in st.lanes.iter_mut().enumerate() {
            let x = net_demand[l];
            lane.height_bw[0] = [lane.height_bw[0][0] + x, lane.height_bw[0][1] + x * x];
            for (k, o) in st.height_orders.iter_mut().enumerate().skip(1) {
                let x = std::mem::take(&mut o[l]);
                lane.height_bw[k] = [lane.height_bw[k][0] + x, lane.height_bw[k][1] + x * x];
            }
        }
        // Customer demand and same-day service are kept as running totals over the measured
        // days (the engine sums them anyway); charts take differences for any period.
        for (q, (s, sum)) in st.stocks.iter().zip(&st.sums).enumerate() {
            let at = d * m.topo.n_loc + m.topo.pos_loc[q].idx();
            for (l, lane) in st.lanes.iter_mut().enumerate() {
                let x = &mut lane.loc_daily[at];
                x[0] += s.on_hand[l];
                x[1] += s.cust_bo[l] + s.owed_out[l];
                x[2] += sum.demand[l];
                x[3] += sum.served[l];
            }
        }
    }
}

/// The network's on hand and backlog (owed to customers and downstream) at the end of the day.
#[inline(always)]
pub(super) fn network_stocks<const L: usize>(st: &State<L>) -> ([f64; L], [f64; L]) {
    let (mut oh, mut backlog) = ([0.0; L], [0.0; L]);
    for s in &st.stocks {
        for l in 0..L {
            oh[l] += s.on_hand[l];
            backlog[l] += s.cust_bo[l] + s.owed_out[l];
        }
    }
    (oh, backlog)
}

/// The day's network record of warm-up day `mday` (negative: days before the first measured
/// day) when it is one of the last [`crate::kpi::PRE_DISRUPTION_DAYS`]: the resilience baseline
/// of a disruption early in the measured days.
#[inline(always)]
pub(super) fn record_warm_day<const L: usize>(
    st: &mut State<L>,
    mday: i64,
    net_demand: [f64; L],
    [served, unserved]: [[f64; L]; 2],
) {
    let keep = st.lanes[0].warm_daily.len() as i64;
    if mday < -keep {
        return;
    }
    let i = (mday + keep) as usize;
    let (oh, backlog) = network_stocks(st);
    for (l, lane) in st.lanes.iter_mut().enumerate() {
        lane.warm_daily[i] = [net_demand[l], served[l], oh[l], backlog[l], unserved[l]];
    }
}

/// Adds a measured day's orders and demand received to the sums behind location and network
/// bullwhip.
#[inline(always)]
pub(super) fn variance_sums<const L: usize>(m: &Model, st: &mut State<L>, net_orders: [f64; L], net_demand: [f64; L]) {
    for l in 0..L {
        let lane = &mut st.lanes[l];
        for (i, &loc) in m.topo.multi_sku_locs.iter().enumerate() {
            let day = &mut st.loc_day[i];
            let (o, d) = (std::mem::take(&mut day[0][l]), std::mem::take(&mut day[1][l]));
            let b = &mut lane.loc_bw[loc as usize];
            b[0] += o;
            b[1] += o * o;
            b[2] += d;
            b[3] += d * d;
        }
        let b = &mut lane.net_bw;
        b[0] += net_orders[l];
        b[1] += net_orders[l] * net_orders[l];
        b[2] += net_demand[l];
        b[3] += net_demand[l] * net_demand[l];
    }
}
