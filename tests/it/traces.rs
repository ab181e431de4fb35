//! Hand-computed day-by-day traces compared cell by cell with `trace_csv`.
//!
//! Every case has deterministic `sequence` demand and an explicit starting state, so each row
//! follows from the day of DESIGN.md §2 by hand: 1. disruptions, 2. arrivals, 3. customer demand
//! (waiting backorders first), 4. decisions (stores before warehouses; IP = on hand minus
//! backorders plus on order), 5. fulfilment (a shipment leaving day t with lead time L arrives at
//! step 2 of day t + L), 6. accounting of end-of-day stocks. The tables below were computed by
//! hand; each comment walks through the day.
//!
//! Row layout of the tables: `(day, [demand, sold, lost, backorders, on_hand, on_order, ordered,
//! received, shipped, in_transit], supplier_up)`. The four cost columns follow from the rates
//! of the position (holding = h·on_hand, stockout = p·customer backorders or p·lost, order cost
//! = k on a day with an order, pipeline = h of the shipping location·in_transit).

use echelon::kpi::Kpi;
use echelon::report::trace::trace_csv;
use echelon::runner::Scope;

use crate::common::*;

/// Cost rates of one position, used to fill the cost columns of the hand table.
struct Pos {
    loc: &'static str,
    sku: &'static str,
    h: f64,
    p: f64,
    k: f64,
    /// Holding cost of the shipping location (0 for an external supplier).
    h_transit: f64,
    /// Whether the backorders column is customer backorders (a store without children) rather
    /// than units owed to downstream locations (which carry no stockout cost).
    customer: bool,
    lost_sales: bool,
}

type Hand = (i64, [i64; 10], u8);

fn expected(pos: &Pos, table: &[Hand]) -> Vec<TraceRow> {
    table
        .iter()
        .map(|&(day, v, up)| {
            let v = v.map(|x| x as f64);
            let [demand, sold, lost, backorders, on_hand, on_order, ordered, received, shipped, in_transit] = v;
            let short = if pos.lost_sales {
                lost
            } else if pos.customer {
                backorders
            } else {
                0.0
            };
            TraceRow {
                day,
                location: pos.loc.to_string(),
                sku: pos.sku.to_string(),
                demand,
                sold,
                lost,
                backorders,
                on_hand,
                on_order,
                ordered,
                received,
                shipped,
                in_transit,
                holding_cost: pos.h * on_hand,
                stockout_cost: pos.p * short,
                order_cost: if ordered > 0.0 { pos.k } else { 0.0 },
                in_transit_holding_cost: pos.h_transit * in_transit,
                supplier_up: up == 1,
                pushed_in: 0.0,
                transfer_in: 0.0,
                transfer_out: 0.0,
            }
        })
        .collect()
}

/// Compares a trace with the hand table, reporting the first differing cell.
fn assert_trace(text: &str, want: &[TraceRow]) {
    let got = parse_trace(&trace_csv(&model(text), 1, 0));
    assert_eq!(got.len(), want.len(), "number of trace rows");
    for (g, w) in got.iter().zip(want) {
        let at = format!("day {} {}/{}", w.day, w.location, w.sku);
        assert_eq!((g.day, &g.location, &g.sku), (w.day, &w.location, &w.sku), "row order at {at}");
        for ((name, a), (_, b)) in g.numbers().iter().zip(w.numbers()) {
            assert!(
                (a - b).abs() <= 1e-9,
                "{at}: {name} is {a}, hand computation says {b}\n got:  {g:?}\n want: {w:?}"
            );
        }
        assert_eq!(g.supplier_up, w.supplier_up, "{at}: supplier_up");
    }
}

/// Base-stock S = 10, lead time 2, backorders, starting with 6 on hand (below S): the store runs
/// out on days 1–2, and arrivals on days 2–3 serve the waiting backorders before new demand.
const BASE_STOCK_BACKORDER: &str = r#"
[simulation]
days = 8
warmup_days = 0
replications = 1
seed = 1
unmet_demand = "backorder"

[[skus]]
id = "item"
holding_cost = 0.5
stockout_cost = 2.0
order_cost = 3.0

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "store"
type = "store"
source = "supplier"
lead_time = 2
policy = { type = "base_stock", level = 10 }
initial_on_hand = 6

[[demand]]
location = "store"
distribution = { type = "sequence", values = [3, 5, 8, 0, 2, 7, 1, 4] }
"#;

#[test]
fn base_stock_with_backorders() {
    let pos =
        Pos { loc: "store", sku: "item", h: 0.5, p: 2.0, k: 3.0, h_transit: 0.0, customer: true, lost_sales: false };
    #[rustfmt::skip]
    let table: [Hand; 8] = [
        //     dem sold lost bo  oh  oo  ord rec shp it
        // Day 0: 6 on hand, demand 3 → 3 left. IP 3 < 10: order 7, shipped at once, due day 2.
        (0, [3,  3,   0,   0,  3,  7,  7,  0,  0,  7], 1),
        // Day 1: demand 5, only 3 on hand → 2 backordered. IP = 0 − 2 + 7 = 5: order 5 (due 3).
        (1, [5,  3,   0,   2,  0, 12,  5,  0,  0, 12], 1),
        // Day 2: 7 arrive; the 2 backorders are served first, then 5 of today's 8 → 3 wait.
        // IP = 0 − 3 + 5 = 2: order 8 (due day 4). Sold 2 + 5 = 7.
        (2, [8,  7,   0,   3,  0, 13,  8,  7,  0, 13], 1),
        // Day 3: 5 arrive; the 3 backorders take 3 → 2 left; no demand. IP = 2 + 8 = 10: no order.
        (3, [0,  3,   0,   0,  2,  8,  0,  5,  0,  8], 1),
        // Day 4: 8 arrive → 10; demand 2 → 8. IP 8: order 2 (due 6).
        (4, [2,  2,   0,   0,  8,  2,  2,  8,  0,  2], 1),
        // Day 5: nothing arrives; demand 7 → 1. IP = 1 + 2 = 3: order 7 (due 7).
        (5, [7,  7,   0,   0,  1,  9,  7,  0,  0,  9], 1),
        // Day 6: 2 arrive → 3; demand 1 → 2. IP = 2 + 7 = 9: order 1 (due 8).
        (6, [1,  1,   0,   0,  2,  8,  1,  2,  0,  8], 1),
        // Day 7: 7 arrive → 9; demand 4 → 5. IP = 5 + 1 = 6: order 4.
        (7, [4,  4,   0,   0,  5,  5,  4,  7,  0,  5], 1),
    ];
    assert_trace(BASE_STOCK_BACKORDER, &expected(&pos, &table));
}

/// The KPIs of the same replication, summed by hand from the table above. The fill rate tells
/// "backorders first" apart from "today's demand first": on day 2 only 5 of the 8 units
/// demanded are served from stock that day (had today's demand gone first, 7 would have been).
#[test]
fn base_stock_with_backorders_kpis() {
    let m = model(BASE_STOCK_BACKORDER);
    let r = run_with(&m, 1, 1);
    let net = Scope::Network;
    // Served the day they were demanded: 3, 3, 5, 0, 2, 7, 1, 4 = 25 of 30.
    assert_kpi(&r, net, Kpi::FillRate, 25.0 / 30.0);
    // Days with demand not fully served that day: days 1 and 2 (day 3 has no demand).
    assert_kpi(&r, net, Kpi::StockoutRate, 2.0 / 8.0);
    // Σ on hand = 3+0+0+2+8+1+2+5 = 21; Σ backorders = 2+3 = 5; Σ in transit = 64.
    assert_kpi(&r, net, Kpi::AvgOnHand, 21.0 / 8.0);
    assert_kpi(&r, net, Kpi::AvgBackorders, 5.0 / 8.0);
    assert_kpi(&r, net, Kpi::AvgInTransit, 64.0 / 8.0);
    assert_kpi(&r, net, Kpi::UnitsDemanded, 30.0 / 8.0);
    assert_kpi(&r, net, Kpi::UnitsSold, 30.0 / 8.0);
    assert_kpi(&r, net, Kpi::LostSales, 0.0);
    // Orders on 7 of 8 days, 34 units in all.
    assert_kpi(&r, net, Kpi::OrdersPerDay, 7.0 / 8.0);
    assert_kpi(&r, net, Kpi::UnitsOrdered, 34.0 / 8.0);
    // Costs: 0.5 × 21, 2 × 5, 3 × 7 orders, nothing in transit from an external supplier.
    assert_kpi(&r, net, Kpi::HoldingCost, 0.5 * 21.0 / 8.0);
    assert_kpi(&r, net, Kpi::StockoutCost, 2.0 * 5.0 / 8.0);
    assert_kpi(&r, net, Kpi::OrderCost, 3.0 * 7.0 / 8.0);
    assert_kpi(&r, net, Kpi::InTransitHoldingCost, 0.0);
    assert_kpi(&r, net, Kpi::TotalCost, (0.5 * 21.0 + 2.0 * 5.0 + 3.0 * 7.0) / 8.0);
    // Sell-through: 30 sold of 6 initial + 29 received; turnover 30 × 365 / Σ on hand.
    assert_kpi(&r, net, Kpi::SellThrough, 30.0 / 35.0);
    assert_kpi(&r, net, Kpi::InventoryTurnover, 30.0 * 365.0 / 21.0);
    // The store's own scopes agree with the network (it is the only stocking location).
    let store = loc(&m, "store");
    assert_kpi(&r, Scope::Location(store), Kpi::FillRate, 25.0 / 30.0);
    assert_kpi(&r, Scope::Position(0), Kpi::AvgOnHand, 21.0 / 8.0);
}

/// Lost sales: base-stock S = 8 (initial on hand defaults to S), lead time 2. Unmet demand is
/// lost, never backordered, and is charged p per unit lost.
const BASE_STOCK_LOST_SALES: &str = r#"
[simulation]
days = 6
replications = 1
unmet_demand = "lost_sales"

[[skus]]
id = "item"
holding_cost = 1.0
stockout_cost = 5.0

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "store"
type = "store"
source = "supplier"
lead_time = 2
policy = { type = "base_stock", level = 8 }

[[demand]]
location = "store"
distribution = { type = "sequence", values = [5, 6, 9, 2, 0, 4] }
"#;

#[test]
fn base_stock_with_lost_sales() {
    let pos =
        Pos { loc: "store", sku: "item", h: 1.0, p: 5.0, k: 0.0, h_transit: 0.0, customer: true, lost_sales: true };
    #[rustfmt::skip]
    let table: [Hand; 6] = [
        //     dem sold lost bo  oh  oo  ord rec shp it
        // Day 0: 8 on hand (= S), demand 5 → 3. IP 3: order 5 (due day 2).
        (0, [5,  5,   0,   0,  3,  5,  5,  0,  0,  5], 1),
        // Day 1: demand 6, 3 sold, 3 lost. IP = 0 + 5 = 5: order 3 (due 3).
        (1, [6,  3,   3,   0,  0,  8,  3,  0,  0,  8], 1),
        // Day 2: 5 arrive; demand 9: 5 sold, 4 lost. IP = 0 + 3 = 3: order 5 (due 4).
        (2, [9,  5,   4,   0,  0,  8,  5,  5,  0,  8], 1),
        // Day 3: 3 arrive; demand 2 → 1 left. IP = 1 + 5 = 6: order 2 (due 5).
        (3, [2,  2,   0,   0,  1,  7,  2,  3,  0,  7], 1),
        // Day 4: 5 arrive → 6; no demand. IP = 6 + 2 = 8, not below S: no order.
        (4, [0,  0,   0,   0,  6,  2,  0,  5,  0,  2], 1),
        // Day 5: 2 arrive → 8; demand 4 → 4. IP 4: order 4.
        (5, [4,  4,   0,   0,  4,  4,  4,  2,  0,  4], 1),
    ];
    assert_trace(BASE_STOCK_LOST_SALES, &expected(&pos, &table));

    let r = run_with(&model(BASE_STOCK_LOST_SALES), 1, 1);
    let net = Scope::Network;
    // 7 of 26 units lost; 19 sold, all on the day demanded.
    assert_kpi(&r, net, Kpi::LostSales, 7.0 / 6.0);
    assert_kpi(&r, net, Kpi::FillRate, 19.0 / 26.0);
    assert_kpi(&r, net, Kpi::StockoutRate, 2.0 / 6.0);
    assert_kpi(&r, net, Kpi::AvgBackorders, 0.0);
    assert_kpi(&r, net, Kpi::StockoutCost, 5.0 * 7.0 / 6.0);
    // Σ on hand = 3+0+0+1+6+4 = 14.
    assert_kpi(&r, net, Kpi::TotalCost, (14.0 + 5.0 * 7.0) / 6.0);
    // 19 sold of 8 initial + 15 received.
    assert_kpi(&r, net, Kpi::SellThrough, 19.0 / 23.0);
}

/// (s, S) = (4, 12), lead time 1, starting with 9: orders only when IP ≤ s (IP = 4 on day 1
/// triggers, IP = 5 on day 3 does not), always up to S.
#[test]
fn s_s_policy() {
    let text = r#"
[simulation]
days = 8
replications = 1

[[skus]]
id = "item"
holding_cost = 1.0
stockout_cost = 3.0
order_cost = 2.0

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "store"
type = "store"
source = "supplier"
lead_time = 1
policy = { type = "s_S", s = 4, S = 12 }
initial_on_hand = 9

[[demand]]
location = "store"
distribution = { type = "sequence", values = [3, 2, 6, 1, 9, 4, 0, 5] }
"#;
    let pos =
        Pos { loc: "store", sku: "item", h: 1.0, p: 3.0, k: 2.0, h_transit: 0.0, customer: true, lost_sales: false };
    #[rustfmt::skip]
    let table: [Hand; 8] = [
        //     dem sold lost bo  oh  oo  ord rec shp it
        // Day 0: 9 − 3 = 6 > s: no order.
        (0, [3,  3,   0,   0,  6,  0,  0,  0,  0,  0], 1),
        // Day 1: 6 − 2 = 4 ≤ s: order S − IP = 8 (due day 2).
        (1, [2,  2,   0,   0,  4,  8,  8,  0,  0,  8], 1),
        // Day 2: 8 arrive → 12; demand 6 → 6 > s.
        (2, [6,  6,   0,   0,  6,  0,  0,  8,  0,  0], 1),
        // Day 3: 6 − 1 = 5 > s (one above): no order.
        (3, [1,  1,   0,   0,  5,  0,  0,  0,  0,  0], 1),
        // Day 4: demand 9, 5 served, 4 backordered. IP = −4: order 12 − (−4) = 16 (due 5).
        (4, [9,  5,   0,   4,  0, 16, 16,  0,  0, 16], 1),
        // Day 5: 16 arrive; 4 backorders first → 12; demand 4 → 8. Sold 8.
        (5, [4,  8,   0,   0,  8,  0,  0, 16,  0,  0], 1),
        // Day 6: no demand.
        (6, [0,  0,   0,   0,  8,  0,  0,  0,  0,  0], 1),
        // Day 7: 8 − 5 = 3 ≤ s: order 9.
        (7, [5,  5,   0,   0,  3,  9,  9,  0,  0,  9], 1),
    ];
    assert_trace(text, &expected(&pos, &table));
}

/// (r, Q) = (5, 4), lead time 2, starting with 9. When IP ≤ r the store orders the smallest
/// multiple of Q that lifts IP above r: one batch on day 1, two on day 2 (IP = −1: one batch
/// would leave 3 ≤ r), three on day 5 (IP = −3: two batches give exactly r = 5, not above it).
#[test]
fn r_q_policy_with_several_batches() {
    let text = r#"
[simulation]
days = 8
replications = 1

[[skus]]
id = "item"
holding_cost = 1.0
stockout_cost = 1.0

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "store"
type = "store"
source = "supplier"
lead_time = 2
policy = { type = "r_Q", r = 5, Q = 4 }
initial_on_hand = 9

[[demand]]
location = "store"
distribution = { type = "sequence", values = [2, 3, 9, 1, 0, 9, 2, 0] }
"#;
    let pos =
        Pos { loc: "store", sku: "item", h: 1.0, p: 1.0, k: 0.0, h_transit: 0.0, customer: true, lost_sales: false };
    #[rustfmt::skip]
    let table: [Hand; 8] = [
        //     dem sold lost bo  oh  oo  ord rec shp it
        // Day 0: 9 − 2 = 7 > r.
        (0, [2,  2,   0,   0,  7,  0,  0,  0,  0,  0], 1),
        // Day 1: 7 − 3 = 4 ≤ r: one batch of 4 lifts IP to 8 (due day 3).
        (1, [3,  3,   0,   0,  4,  4,  4,  0,  0,  4], 1),
        // Day 2: demand 9, 4 served, 5 backordered. IP = −5 + 4 = −1: two batches (8) → 7.
        (2, [9,  4,   0,   5,  0, 12,  8,  0,  0, 12], 1),
        // Day 3: 4 arrive, all to the 5 backorders → 1 waits, plus today's 1 → 2.
        // IP = −2 + 8 = 6 > r: no order.
        (3, [1,  4,   0,   2,  0,  8,  0,  4,  0,  8], 1),
        // Day 4: 8 arrive; 2 backorders served → 6. IP 6.
        (4, [0,  2,   0,   0,  6,  0,  0,  8,  0,  0], 1),
        // Day 5: demand 9, 6 served, 3 backordered. IP = −3: three batches (12) → 9 (due 7).
        (5, [9,  6,   0,   3,  0, 12, 12,  0,  0, 12], 1),
        // Day 6: nothing arrives; demand 2 → 5 backordered. IP = −5 + 12 = 7 > r.
        (6, [2,  0,   0,   5,  0, 12,  0,  0,  0, 12], 1),
        // Day 7: 12 arrive; 5 backorders served → 7.
        (7, [0,  5,   0,   0,  7,  0,  0, 12,  0,  0], 1),
    ];
    assert_trace(text, &expected(&pos, &table));
}

/// Two echelons: supplier → warehouse (lead time 2, base-stock 12, starts with 6, holding 0.2)
/// → store (lead time 1, base-stock 6, starts with 4, holding 0.5). The store decides first, so
/// the warehouse's IP already counts the store's order of the day as owed. The warehouse runs
/// short on day 1 (ships 1 of 5; 4 wait as an internal backorder, without stockout cost), and
/// the store backorders customers on day 2. Units in transit to the store are charged the
/// warehouse's holding cost.
#[test]
fn two_echelon_chain() {
    let text = r#"
[simulation]
days = 8
replications = 1

[[skus]]
id = "item"
holding_cost = 0.5
stockout_cost = 2.0
order_cost = 1.0

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "dc"
type = "warehouse"
source = "supplier"
lead_time = 2
policy = { type = "base_stock", level = 12 }
initial_on_hand = 6
holding_cost = 0.2

[[locations]]
id = "store"
type = "store"
source = "dc"
lead_time = 1
policy = { type = "base_stock", level = 6 }
initial_on_hand = 4

[[demand]]
location = "store"
distribution = { type = "sequence", values = [3, 5, 6, 2, 1, 4, 0, 3] }
"#;
    let dc = Pos { loc: "dc", sku: "item", h: 0.2, p: 2.0, k: 1.0, h_transit: 0.0, customer: false, lost_sales: false };
    let store =
        Pos { loc: "store", sku: "item", h: 0.5, p: 2.0, k: 1.0, h_transit: 0.2, customer: true, lost_sales: false };
    #[rustfmt::skip]
    let dc_table: [Hand; 8] = [
        //     dem sold lost bo  oh  oo  ord rec shp it
        // Day 0: the store orders 5 → owed 5; IP = 6 − 5 = 1: order 11 (due day 2). Ships 5.
        (0, [0,  0,   0,   0,  1, 11, 11,  0,  5, 11], 1),
        // Day 1: store orders 5; IP = 1 − 5 + 11 = 7: order 5 (due 3). Ships its 1; owes 4.
        (1, [0,  0,   0,   4,  0, 16,  5,  0,  1, 16], 1),
        // Day 2: 11 arrive; owed 4 + 6 = 10; IP = 11 − 10 + 5 = 6: order 6 (due 4). Ships 10.
        (2, [0,  0,   0,   0,  1, 11,  6, 11, 10, 11], 1),
        // Day 3: 5 arrive → 6; store orders 2; IP = 6 − 2 + 6 = 10: order 2 (due 5). Ships 2.
        (3, [0,  0,   0,   0,  4,  8,  2,  5,  2,  8], 1),
        // Day 4: 6 arrive → 10; store orders 1; IP = 10 − 1 + 2 = 11: order 1. Ships 1.
        (4, [0,  0,   0,   0,  9,  3,  1,  6,  1,  3], 1),
        // Day 5: 2 arrive → 11; store orders 4; IP = 11 − 4 + 1 = 8: order 4. Ships 4.
        (5, [0,  0,   0,   0,  7,  5,  4,  2,  4,  5], 1),
        // Day 6: 1 arrives → 8; no store order; IP = 8 + 4 = 12: no order.
        (6, [0,  0,   0,   0,  8,  4,  0,  1,  0,  4], 1),
        // Day 7: 4 arrive → 12; store orders 3; IP = 12 − 3 = 9: order 3. Ships 3.
        (7, [0,  0,   0,   0,  9,  3,  3,  4,  3,  3], 1),
    ];
    #[rustfmt::skip]
    let store_table: [Hand; 8] = [
        //     dem sold lost bo  oh  oo  ord rec shp it
        // Day 0: 4 − 3 = 1; IP 1: order 5, shipped in full by the dc (due day 1).
        (0, [3,  3,   0,   0,  1,  5,  5,  0,  0,  5], 1),
        // Day 1: 5 arrive → 6; demand 5 → 1; order 5; the dc ships only 1 (4 still owed).
        (1, [5,  5,   0,   0,  1,  5,  5,  5,  0,  1], 1),
        // Day 2: 1 arrives → 2; demand 6: 2 sold, 4 backordered. IP = 0 − 4 + 4 owed = 0:
        // order 6. The dc ships 4 + 6 = 10.
        (2, [6,  2,   0,   4,  0, 10,  6,  1,  0, 10], 1),
        // Day 3: 10 arrive; 4 backorders first → 6; demand 2 → 4. Sold 6. Order 2.
        (3, [2,  6,   0,   0,  4,  2,  2, 10,  0,  2], 1),
        // Day 4: 2 arrive → 6; demand 1 → 5; order 1.
        (4, [1,  1,   0,   0,  5,  1,  1,  2,  0,  1], 1),
        // Day 5: 1 arrives → 6; demand 4 → 2; order 4.
        (5, [4,  4,   0,   0,  2,  4,  4,  1,  0,  4], 1),
        // Day 6: 4 arrive → 6; no demand; IP 6: no order.
        (6, [0,  0,   0,   0,  6,  0,  0,  4,  0,  0], 1),
        // Day 7: demand 3 → 3; order 3.
        (7, [3,  3,   0,   0,  3,  3,  3,  0,  0,  3], 1),
    ];
    // Rows by day, then location in file order.
    let (dc_rows, store_rows) = (expected(&dc, &dc_table), expected(&store, &store_table));
    let want: Vec<TraceRow> = dc_rows.into_iter().zip(store_rows).flat_map(|(a, b)| [a, b]).collect();
    assert_trace(text, &want);

    let m = model(text);
    let r = run_with(&m, 1, 1);
    let net = Scope::Network;
    // Served the day demanded: 3, 5, 2, 2, 1, 4, 0, 3 = 20 of 24.
    assert_kpi(&r, net, Kpi::FillRate, 20.0 / 24.0);
    // Backorders to customers and downstream: dc 4 (day 1) + store 4 (day 2).
    assert_kpi(&r, net, Kpi::AvgBackorders, 8.0 / 8.0);
    // Only customer backorders cost: 2 × 4.
    assert_kpi(&r, net, Kpi::StockoutCost, 2.0 * 4.0 / 8.0);
    // Pipeline to the store at the dc's rate: 0.2 × (5+1+10+2+1+4+0+3).
    assert_kpi(&r, net, Kpi::InTransitHoldingCost, 0.2 * 26.0 / 8.0);
    assert_kpi(&r, Scope::Location(loc(&m, "dc")), Kpi::OrdersPerDay, 7.0 / 8.0);
    assert_kpi(&r, Scope::Location(loc(&m, "dc")), Kpi::AvgOnHand, 39.0 / 8.0);
    assert_kpi(&r, Scope::Location(loc(&m, "store")), Kpi::AvgOnHand, 22.0 / 8.0);
    // The network's sell-through counts only sales to customers against the initial stock of
    // both locations plus what came from the supplier: 24 of 6 + 4 + 29.
    assert_kpi(&r, net, Kpi::SellThrough, 24.0 / 39.0);
}

/// A supplier down on days 1–2 (scheduled window, inclusive) ships nothing; orders wait at the
/// supplier and count as on order (owed, not yet in transit) until it ships them all on day 3.
#[test]
fn scheduled_supplier_outage() {
    let text = r#"
[simulation]
days = 5
replications = 1

[[skus]]
id = "item"
holding_cost = 1.0
stockout_cost = 1.0

[[locations]]
id = "supplier"
type = "supplier"
disruption = { type = "scheduled", windows = [[1, 2]] }

[[locations]]
id = "store"
type = "store"
source = "supplier"
lead_time = 1
policy = { type = "base_stock", level = 8 }

[[demand]]
location = "store"
distribution = { type = "sequence", values = [3] }
"#;
    let pos =
        Pos { loc: "store", sku: "item", h: 1.0, p: 1.0, k: 0.0, h_transit: 0.0, customer: true, lost_sales: false };
    #[rustfmt::skip]
    let table: [Hand; 5] = [
        //     dem sold lost bo  oh  oo  ord rec shp it
        // Day 0: 8 − 3 = 5: order 3, shipped (due day 1).
        (0, [3,  3,   0,   0,  5,  3,  3,  0,  0,  3], 1),
        // Day 1 (supplier down): 3 arrive → 8 − 3 = 5; order 3 waits at the supplier.
        (1, [3,  3,   0,   0,  5,  3,  3,  3,  0,  0], 0),
        // Day 2 (down): 5 − 3 = 2; IP = 2 + 3 = 5: order 3; 6 owed.
        (2, [3,  3,   0,   0,  2,  6,  3,  0,  0,  0], 0),
        // Day 3 (up): 2 served, 1 backordered; IP = −1 + 6 = 5: order 3; all 9 shipped.
        (3, [3,  2,   0,   1,  0,  9,  3,  0,  0,  9], 1),
        // Day 4: 9 arrive; backorder first → 8; demand 3 → 5; sold 4; order 3.
        (4, [3,  4,   0,   0,  5,  3,  3,  9,  0,  3], 1),
    ];
    assert_trace(text, &expected(&pos, &table));
}

/// Warm-up days are simulated but not traced, and a `sequence` is indexed from the first
/// simulated day: with 2 warm-up days, measured day 0 uses values[2]. A promotion on measured
/// day 3 doubles that day's demand (values[5] = 6 → 12). Base-stock 10, lead time 1.
#[test]
fn warm_up_sequence_index_and_promotion() {
    let text = r#"
[simulation]
days = 5
warmup_days = 2
replications = 1

[[skus]]
id = "item"
holding_cost = 1.0
stockout_cost = 1.0

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "store"
type = "store"
source = "supplier"
lead_time = 1
policy = { type = "base_stock", level = 10 }

[[demand]]
location = "store"
distribution = { type = "sequence", values = [1, 2, 3, 4, 5, 6] }
promotions = [{ first_day = 3, last_day = 3, multiplier = 2.0 }]
"#;
    let pos =
        Pos { loc: "store", sku: "item", h: 1.0, p: 1.0, k: 0.0, h_transit: 0.0, customer: true, lost_sales: false };
    // Warm-up: day −2 demand 1 → 9, order 1; day −1: 1 arrives → 10, demand 2 → 8, order 2.
    #[rustfmt::skip]
    let table: [Hand; 5] = [
        //     dem sold lost bo  oh  oo  ord rec shp it
        // Day 0 (values[2]): 2 arrive → 10; demand 3 → 7; order 3.
        (0, [3,  3,   0,   0,  7,  3,  3,  2,  0,  3], 1),
        (1, [4,  4,   0,   0,  6,  4,  4,  3,  0,  4], 1),
        (2, [5,  5,   0,   0,  5,  5,  5,  4,  0,  5], 1),
        // Day 3, promotion: 5 arrive → 10; demand 2 × 6 = 12: 10 sold, 2 backordered; order 12.
        (3, [12, 10,  0,   2,  0, 12, 12,  5,  0, 12], 1),
        // Day 4 (values[0] = 1): 12 arrive; backorders 2 → 10; demand 1 → 9; order 1.
        (4, [1,  3,   0,   0,  9,  1,  1, 12,  0,  1], 1),
    ];
    assert_trace(text, &expected(&pos, &table));

    // KPIs exclude the warm-up: the initial stock of sell-through is the 8 on hand when
    // measuring starts; 25 sold of 8 + 26 received.
    let r = run_with(&model(text), 1, 1);
    assert_kpi(&r, Scope::Network, Kpi::SellThrough, 25.0 / 34.0);
    assert_kpi(&r, Scope::Network, Kpi::UnitsDemanded, 25.0 / 5.0);
}

/// The trace header is exactly the contract's column list, and a multi-SKU location gets one
/// row per SKU per day, in SKU order.
#[test]
fn trace_columns_and_row_order() {
    let text = r#"
[simulation]
days = 3
replications = 1

[[skus]]
id = "a"
[[skus]]
id = "b"

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "s1"
type = "store"
source = "supplier"
policy = { type = "base_stock", level = 5 }

[[locations]]
id = "s2"
type = "store"
source = "supplier"
policy = { type = "base_stock", level = 5 }

[[demand]]
location = "s2"
sku = "b"
distribution = { type = "constant", value = 1 }
[[demand]]
location = "s1"
sku = "b"
distribution = { type = "constant", value = 1 }
[[demand]]
location = "s1"
sku = "a"
distribution = { type = "constant", value = 1 }
"#;
    let csv = trace_csv(&model(text), 1, 0);
    assert_eq!(csv.lines().next().unwrap(), TRACE_COLUMNS.join(","));
    let rows = parse_trace(&csv);
    let order: Vec<(i64, &str, &str)> = rows.iter().map(|r| (r.day, r.location.as_str(), r.sku.as_str())).collect();
    let mut want = Vec::new();
    for d in 0..3 {
        want.extend([(d, "s1", "a"), (d, "s1", "b"), (d, "s2", "b")]);
    }
    assert_eq!(order, want);
}

/// Echelon base-stock in a three-stage chain: after every day's orders, each stage's echelon
/// inventory position — its own stock minus what it owes, plus its on order, plus the stock,
/// pipeline and on order of every stage below it, minus customer backorders — equals its level
/// exactly, whatever the random demand (the defining property of the policy: an unlimited
/// supplier and integer levels make every stage order exactly its echelon's demand of the day).
#[test]
fn echelon_base_stock_holds_every_echelon_position_at_its_level() {
    let text = r#"
[simulation]
days = 120
replications = 3
seed = 11

[[skus]]
id = "item"

[[locations]]
id = "factory"
type = "supplier"

[[locations]]
id = "central"
type = "warehouse"
source = "factory"
lead_time = 3
policy = { type = "echelon_base_stock", level = 75 }

[[locations]]
id = "regional"
type = "warehouse"
source = "central"
lead_time = 2
policy = { type = "echelon_base_stock", level = 40 }

[[locations]]
id = "store"
type = "store"
source = "regional"
lead_time = 1
policy = { type = "echelon_base_stock", level = 12 }

[[demand]]
location = "store"
distribution = { type = "poisson", mean = 10 }
"#;
    let m = model(text);
    for rep in 0..3 {
        let rows = parse_trace(&trace_csv(&m, 11, rep));
        let at = |day: i64, id: &str| rows.iter().find(|r| r.day == day && r.location == id).unwrap();
        // Own inventory position: on hand − owed (to customers or to the stage below) + on order.
        let ip = |r: &TraceRow| r.on_hand - r.backorders + r.on_order;
        let (mut short_days, mut upstream_short) = (0, 0);
        for day in 0..120 {
            let (c, g, s) = (at(day, "central"), at(day, "regional"), at(day, "store"));
            short_days += usize::from(s.backorders > 0.0);
            upstream_short += usize::from(g.backorders > 0.0 || c.backorders > 0.0);
            // What a stage owes the stage below is in that stage's on order: the echelon
            // position adds the stage's own position and the echelon position below it.
            let store = ip(s);
            let regional = ip(g) + store;
            let central = ip(c) + regional;
            assert_eq!((store, regional, central), (12.0, 40.0, 75.0), "replication {rep}, day {day}");
        }
        // Shortages at every stage: the property must hold while stages wait for each other.
        assert!(short_days > 5 && upstream_short > 5, "too few shortages: {short_days} / {upstream_short}");
    }
}

/// Checks the two identities of every trace row against the previous row of its position
/// (README, `trace`): on hand and on order change only by the flows the row shows, pushes and
/// transfers included. `tol` is relative to the largest quantity in the identity (and at least 1).
fn assert_rows_balance(csv: &str, what: &str) -> (f64, f64, f64) {
    let rows = parse_trace(csv);
    let mut prev: std::collections::HashMap<(String, String), TraceRow> = std::collections::HashMap::new();
    let (mut pushed, mut t_in, mut t_out) = (0.0, 0.0, 0.0);
    for r in rows {
        let key = (r.location.clone(), r.sku.clone());
        if let Some(p) = prev.get(&key) {
            let at = format!("{what}: day {} {}/{}", r.day, r.location, r.sku);
            let oh = p.on_hand + r.received - r.sold - r.shipped - r.transfer_out;
            assert!(close(r.on_hand, oh, 1e-6), "{at}: on_hand {} but the flows give {oh}\n{r:?}", r.on_hand);
            let oo = p.on_order + r.ordered + r.pushed_in + r.transfer_in - r.received;
            assert!(close(r.on_order, oo, 1e-6), "{at}: on_order {} but the flows give {oo}\n{r:?}", r.on_order);
        }
        (pushed, t_in, t_out) = (pushed + r.pushed_in, t_in + r.transfer_in, t_out + r.transfer_out);
        prev.insert(key, r);
    }
    (pushed, t_in, t_out)
}

/// Issue 12: pushed units appeared in `on_order` with `ordered` = 0 and transfers had no
/// columns, so rows of pushed and rebalancing stores did not balance. The flagship's
/// `rebalance` strategy (push plus transfers, whole units) and a continuous-demand network with
/// both now balance on every row; transfers out equal transfers in.
#[test]
fn every_row_balances_with_pushes_and_transfers() {
    let wj = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/winter-jackets.toml")).unwrap();
    // The flagship pushes in `push` and transfers (on its pull policies) in `rebalance`.
    let m = variant(&wj, Some("push"), None);
    let (pushed, _, _) = assert_rows_balance(&trace_csv(&m, 1, 0), "winter-jackets push");
    assert!(pushed > 0.0, "the run should push: {pushed}");
    let m = variant(&wj, Some("rebalance"), None);
    let (_, t_in, t_out) = assert_rows_balance(&trace_csv(&m, 1, 0), "winter-jackets rebalance");
    assert!(t_in > 0.0, "the run should transfer: {t_in}");
    assert!(close(t_in, t_out, 1e-9), "transfers in {t_in} vs out {t_out}");

    let (pushed, t_in, t_out) = assert_rows_balance(&trace_csv(&model(PUSH_AND_TRANSFERS), 3, 0), "continuous");
    assert!(pushed > 0.0 && t_in > 0.0, "the run should push and transfer: {pushed} {t_in}");
    assert!(close(t_in, t_out, 1e-6), "transfers in {t_in} vs out {t_out}");
}

/// A DC pushing weekly to two stores with continuous demand of unequal size, on a national
/// forecast split evenly (so the south is overstocked and the north short), with transfers
/// between the stores every five days.
const PUSH_AND_TRANSFERS: &str = r#"
[simulation]
days = 120
replications = 1
seed = 3

[[skus]]
id = "item"
unit_cost = 10.0
price = 15.0
holding_cost = 0.1
stockout_cost = 1.0

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "dc"
type = "warehouse"
source = "supplier"
lead_time = 3
policy = { type = "base_stock", level = 300.5 }
push = { cycle_days = 7, buffer = { days = 2 }, forecast = { method = "moving_average", window = 14, scope = "national" } }

[[locations]]
id = "north"
type = "store"
source = "dc"
lead_time = 2
policy = { type = "none" }
initial_on_hand = 20.25

[[locations]]
id = "south"
type = "store"
source = "dc"
lead_time = 2
policy = { type = "none" }
initial_on_hand = 90.75

[[demand]]
location = "north"
distribution = { type = "normal", mean = 10.94, sd = 2.335 }

[[demand]]
location = "south"
distribution = { type = "uniform", min = 2.297, max = 5.339 }

[rebalancing]
review_days = 5
trigger_days = 2.7
target_days = 5.0
lead_time = 1
cost_per_unit = 0.5
within = "all"
"#;

/// Trace quantities without floating noise: no `1e-17` residues, no exponents, no more than
/// fifteen significant digits (no `12.000000000000002`).
#[test]
fn trace_quantities_have_no_floating_noise() {
    let csv = trace_csv(&model(PUSH_AND_TRANSFERS), 3, 0);
    for line in csv.lines().skip(1) {
        for cell in line.split(',').skip(3) {
            assert!(!cell.contains('e'), "exponent in a trace cell: {line}");
            let digits = cell.trim_start_matches(['-', '0', '.']).chars().filter(char::is_ascii_digit).count();
            assert!(digits <= 15, "more than fifteen significant digits in {cell}: {line}");
        }
    }
}
