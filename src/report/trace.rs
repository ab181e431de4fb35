//! `echelon trace`: one replication day by day, one row per day × location × SKU.

use std::fmt::Write as _;

use super::csv_field;
use super::format::push_trace;
use crate::engine::{Observer, State, run_replication};
use crate::kpi::{CostBasis, CostRates};
use crate::model::Model;

/// Column names of the trace CSV (contract: DESIGN.md §4, README). The last three (issue 12) make
/// every row balance for pushed and rebalancing stores too:
/// `on_hand = previous on_hand + received − sold − shipped − transfer_out` and
/// `on_order = previous on_order + ordered + pushed_in + transfer_in − received`; they come after
/// `supplier_up` so that readers of the original columns by position keep working. Scenarios
/// with inventory records (issue 14) have `recorded_on_hand` right after `on_hand` and a last
/// column `shrinkage` (units taken off the shelf unrecorded that morning), so their rows
/// balance too: `on_hand = previous on_hand + received − sold − shipped − transfer_out −
/// shrinkage`.
pub const COLUMNS: [&str; 21] = [
    "day",
    "location",
    "sku",
    "demand",
    "sold",
    "lost",
    "backorders",
    "on_hand",
    "on_order",
    "ordered",
    "received",
    "shipped",
    "in_transit",
    "holding_cost",
    "stockout_cost",
    "order_cost",
    "in_transit_holding_cost",
    "supplier_up",
    "pushed_in",
    "transfer_in",
    "transfer_out",
];

/// Collects trace rows as CSV text.
pub struct TraceWriter {
    /// Positions in row order (location file order, then SKU).
    order: Vec<usize>,
    /// Pre-escaped `location,sku` per position.
    names: Vec<String>,
    /// The CSV text.
    pub csv: String,
}

impl TraceWriter {
    /// A writer for a model, with the header line.
    pub fn new(m: &Model) -> Self {
        let sc = &m.scenario;
        let order: Vec<usize> = m.topo.stock_locs.iter().flat_map(|&l| m.positions_of(l.idx())).collect();
        let names = (0..m.n_pos())
            .map(|q| {
                format!(
                    "{},{}",
                    csv_field(&sc.locations[m.topo.pos_loc[q].idx()].id),
                    csv_field(&sc.skus[m.topo.pos_sku[q] as usize].id)
                )
            })
            .collect();
        let mut csv = COLUMNS.join(",");
        if m.records.active {
            // Scenarios with inventory records show the record beside the shelf.
            csv = csv.replace(",on_hand,", ",on_hand,recorded_on_hand,");
            csv.push_str(",shrinkage");
        }
        csv.push('\n');
        TraceWriter { order, names, csv }
    }
}

impl Observer for TraceWriter {
    const ACTIVE: bool = true;
    fn end_of_day<const L: usize>(&mut self, m: &Model, st: &State<L>, day: i64) {
        for &q in &self.order {
            let line = &mut self.csv;
            let _ = write!(line, "{day},{}", self.names[q]);
            let (s, f) = (st.stocks(q, 0), st.flows(q, 0));
            let basis = CostBasis {
                on_hand: s.on_hand,
                lost: f.lost,
                // Cancelled channel orders are lost in backorder mode too, charged once.
                cust_backorders: if m.channel.active && !m.lost_sales { s.cust_bo + f.lost } else { s.cust_bo },
                orders: if f.ordered > 0.0 { 1.0 } else { 0.0 },
                in_transit: s.in_transit,
            };
            let cost = CostRates::of(m, q).costs(&basis);
            let src = m.scenario.locations[m.topo.pos_loc[q].idx()].source.unwrap_or(0);
            let vals = [
                f.demand,
                f.sold,
                f.lost,
                s.cust_bo + s.owed_out,
                s.on_hand,
                s.owed_in + s.in_transit + s.in_mail,
                f.ordered,
                f.received,
                f.shipped,
                s.in_transit,
                cost.holding,
                cost.stockout,
                cost.order,
                cost.transit,
            ];
            let extra = [f.pushed_in, f.transfer_in, f.transfer_out];
            // Noise is judged against the row's largest quantity.
            let scale = vals.iter().chain(&extra).fold(1.0_f64, |m, v| m.max(v.abs()));
            let recorded = st.recorded_on_hand(q, 0);
            for (i, v) in vals.into_iter().enumerate() {
                line.push(',');
                push_trace(line, v, scale);
                if let (4, Some(r)) = (i, recorded) {
                    line.push(',');
                    push_trace(line, r, scale);
                }
            }
            line.push_str(if st.is_up(src, 0) { ",1" } else { ",0" });
            for v in extra {
                line.push(',');
                push_trace(line, v, scale);
            }
            if let Some(x) = st.shrunk_today(q, 0) {
                line.push(',');
                push_trace(line, x, scale);
            }
            line.push('\n');
        }
    }
}

/// Runs replication `rep` with a trace and returns the CSV text.
pub fn trace_csv(m: &Model, seed: u64, rep: u64) -> String {
    let mut st = State::<1>::new(m);
    let mut w = TraceWriter::new(m);
    run_replication(m, seed, rep, &mut st, &mut w);
    w.csv
}
