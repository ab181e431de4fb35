//! Inventory records (issue 14): decisions read the record, sales read the shelf.
//!
//! Each mechanism by hand: the Kang & Gershwin freeze (shrinkage leaves a record above the
//! reorder point with an empty shelf; sales stop on the day computed below and resume after
//! the next count), a visibility lag of k days shifts a base-stock store's orders by exactly k
//! days, push and rebalancing on a lagged record move as the k-day-old record says, a siloed
//! store plans on walk-in demand only, shrinkage conserves units, and a scenario without
//! records runs exactly as before.

use echelon::kpi::Kpi;
use echelon::report::trace::trace_csv;
use echelon::runner::{Scope, scopes_of};

use crate::common::*;

/// A supplier and one store with constant demand 2, lead time 1; `extra` goes on the store.
fn one_store(policy: &str, unmet: &str, days: usize, extra: &str) -> String {
    format!(
        r#"
[simulation]
days = {days}
warmup_days = 0
replications = 1
seed = 1
unmet_demand = "{unmet}"

[[skus]]
id = "item"
holding_cost = 0.1
stockout_cost = 1.0

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "store"
type = "store"
source = "supplier"
lead_time = 1
policy = {policy}
initial_on_hand = 10
{extra}

[[demand]]
location = "store"
distribution = {{ type = "constant", value = 2 }}
"#
    )
}

/// The trace's columns by name: `column(csv, "on_hand")`, one value per row.
fn column(csv: &str, name: &str) -> Vec<f64> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let i = header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("no column {name} in {header:?}"));
    lines.map(|l| l.split(',').nth(i).unwrap().parse::<f64>().unwrap()).collect()
}

/// Kang & Gershwin (2005): (s, S) = (4, 10), demand 2 a day, lead time 1, lost sales, one unit
/// of shrinkage every morning (before deliveries), a count on day 19 (every 20 days from 19).
/// By hand, with δ = recorded − physical growing by one a day while the shelf has stock:
///
/// | day | shelf after shrinkage | sold | end on hand | δ | recorded | order |
/// |---|---|---|---|---|---|---|
/// | 0 | 9 | 2 | 7 | 1 | 8 | — |
/// | 1 | 6 | 2 | 4 | 2 | 6 | — |
/// | 2 | 3 | 2 | 1 | 3 | 4 ≤ s | 6 |
/// | 3 | 0 + 6 arrive | 2 | 4 | 4 | 8 | — |
/// | 4 | 3 | 2 | 1 | 5 | 6 | — |
/// | 5 | 0 | 0 | 0 | 6 | 6 > s | — (frozen) |
///
/// From day 5 the shelf is empty and the record shows 6 > s: no order, no sale. The count on
/// day 19 sets the record to 0, the store orders S = 10, and sales resume on day 20.
#[test]
fn freeze_by_hand_and_the_count_that_ends_it() {
    let extra = "shrinkage = { units = { type = \"constant\", value = 1 } }\n\
                 cycle_count = { every_days = 20, offset = 19, cost = 3.0 }";
    let m = model(&one_store("{ type = \"s_S\", s = 4, S = 10 }", "lost_sales", 24, extra));
    let csv = trace_csv(&m, 1, 0);
    let sold = column(&csv, "sold");
    let want_sold: Vec<f64> = (0..24).map(|d| if (5..20).contains(&d) { 0.0 } else { 2.0 }).collect();
    assert_eq!(sold, want_sold);
    assert_eq!(&column(&csv, "on_hand")[..8], &[7.0, 4.0, 1.0, 4.0, 1.0, 0.0, 0.0, 0.0]);
    assert_eq!(&column(&csv, "recorded_on_hand")[..8], &[8.0, 6.0, 4.0, 8.0, 6.0, 6.0, 6.0, 6.0]);
    let ordered = column(&csv, "ordered");
    let orders: Vec<(usize, f64)> = ordered.iter().copied().enumerate().filter(|(_, x)| *x > 0.0).collect();
    assert_eq!(orders, vec![(2, 6.0), (19, 10.0), (22, 6.0)]);
    // Shrinkage takes a unit only from a shelf that has one: days 0..=5, then 21..=23 (day 20's
    // shelf is empty until the delivery).
    let shrink = column(&csv, "shrinkage");
    assert_eq!(shrink.iter().sum::<f64>(), 6.0 + 3.0);
    // KPIs: phantom stockouts end days 5..=18 (day 19's count clears the record), one count.
    let r = run_model(&m);
    let net = |k| summary(&r, Scope::Network, k).mean;
    assert_eq!(net(Kpi::PhantomStockoutDays), 14.0);
    assert_eq!(net(Kpi::CountsPerDay), 1.0 / 24.0);
    assert_eq!(net(Kpi::CountCost), 3.0 / 24.0);
    assert_eq!(net(Kpi::ShrinkageUnits), 9.0 / 24.0);
}

/// A visibility lag of k days on a constant-demand base-stock store shifts its orders by
/// exactly k days: on day t the planner sees the inventory position of day t − k plus the
/// orders it placed since (it knows its own orders, not the sales). Before day k it sees the
/// starting position, S = 10, and orders nothing; from day k it sees 10 − 2 and orders 2.
#[test]
fn lag_shifts_orders_by_k_days() {
    let base = trace_csv(&model(&one_store("{ type = \"base_stock\", level = 10 }", "backorder", 12, "")), 1, 0);
    let base_orders = column(&base, "ordered");
    assert_eq!(base_orders, vec![2.0; 12]);
    for k in [1usize, 3, 5] {
        let extra = format!("visibility_lag_days = {k}");
        let m = model(&one_store("{ type = \"base_stock\", level = 10 }", "backorder", 12, &extra));
        let orders = column(&trace_csv(&m, 1, 0), "ordered");
        let want: Vec<f64> = (0..12).map(|t| if t < k { 0.0 } else { base_orders[t - k] }).collect();
        assert_eq!(orders, want, "lag {k}");
    }
}

/// Every trace row balances with the shrinkage column, and the units shrinkage took are the
/// `shrinkage_units` KPI: received = sold + shrinkage + Δ on hand (lost sales, no shipments).
#[test]
fn shrinkage_conserves_units() {
    let extra = "shrinkage = { rate = 0.05 }\nreceiving_errors = 0.1\ncycle_count = { every_days = 7 }";
    let text = one_store("{ type = \"s_S\", s = 6, S = 14 }", "lost_sales", 200, extra);
    let m = model(&text);
    let csv = trace_csv(&m, 1, 0);
    let (oh, rec, sold, shrink) =
        (column(&csv, "on_hand"), column(&csv, "received"), column(&csv, "sold"), column(&csv, "shrinkage"));
    let mut prev = 10.0;
    for t in 0..oh.len() {
        assert_eq!(oh[t], prev + rec[t] - sold[t] - shrink[t], "day {t}");
        assert!(oh[t] >= 0.0);
        prev = oh[t];
    }
    assert!(shrink.iter().sum::<f64>() > 0.0);
    let r = run_with(&m, 1, 1);
    let kpi = summary(&r, Scope::Network, Kpi::ShrinkageUnits).mean;
    assert!((kpi * 200.0 - shrink.iter().sum::<f64>()).abs() < 1e-9);
}

/// Record keys that change nothing (no shrinkage, no errors, no lag, never counted) leave the
/// model without records: the same trace bytes and KPIs. And a model whose records stay exact
/// (counts only) takes the records path yet gives every other KPI bit for bit.
#[test]
fn without_records_nothing_changes() {
    let plain = one_store("{ type = \"s_S\", s = 6, S = 14 }", "backorder", 60, "");
    let noop = one_store(
        "{ type = \"s_S\", s = 6, S = 14 }",
        "backorder",
        60,
        "shrinkage = { rate = 0 }\nreceiving_errors = 0\nvisibility_lag_days = 0\ncycle_count = { every_days = 0 }",
    );
    let (a, b) = (model(&plain), model(&noop));
    assert!(!b.records.active);
    assert_eq!(trace_csv(&a, 1, 0), trace_csv(&b, 1, 0));
    let counted = one_store("{ type = \"s_S\", s = 6, S = 14 }", "backorder", 60, "cycle_count = { every_days = 7 }");
    let c = model(&counted);
    assert!(c.records.active);
    let (ra, rc) = (run_with(&a, 8, 3), run_with(&c, 8, 3));
    for (i, scope) in scopes_of(&a).into_iter().enumerate() {
        for k in Kpi::ALL.into_iter().filter(|k| !k.records()) {
            let (x, y) = (ra.series(i, k), rc.series(rc.scope_index(scope).unwrap(), k));
            assert!(x.iter().zip(y).all(|(x, y)| x.to_bits() == y.to_bits()), "{} of {scope:?}", k.name());
        }
    }
    assert_eq!(summary(&rc, Scope::Network, Kpi::RecordError).mean, 0.0);
}

/// A store ships a web shop's orders (one a day) and loses two units a day to shrinkage, with
/// (s, S) = (2, 10) and no walk-in demand. By hand: the shelf goes 10 → 7 → 4 → 1 (two shrunk,
/// one shipped a day) and is empty on day 3, while the record (shipments booked, shrinkage not)
/// reads 9, 8, 7 and stays at 7 > s: the store never reorders. From day 3 routing promises the
/// order a unit the record shows and the shelf lacks: it is cancelled, 7 units in 10 days.
#[test]
fn routing_on_the_record_cancels_what_the_shelf_lacks() {
    let text = one_web_store(
        "policy = { type = \"s_S\", s = 2, S = 10 }",
        10,
        10,
        "shrinkage = { units = { type = \"constant\", value = 2 } }",
    );
    let m = model(&text);
    let csv = trace_csv(&m, 1, 0);
    let store: Vec<&str> = csv.lines().filter(|l| l.split(',').nth(1) == Some("store")).collect();
    let col = |name: &str| -> Vec<f64> {
        let i = csv.lines().next().unwrap().split(',').position(|h| h == name).unwrap();
        store.iter().map(|l| l.split(',').nth(i).unwrap().parse().unwrap()).collect()
    };
    assert_eq!(col("on_hand"), vec![7.0, 4.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
    assert_eq!(col("recorded_on_hand"), vec![9.0, 8.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0]);
    let r = run_model(&m);
    assert_eq!(summary(&r, Scope::Network, Kpi::CancellationsFromInaccuracy).mean, 0.7);
    assert_eq!(summary(&r, Scope::Network, Kpi::PhantomStockoutDays).mean, 7.0);
}

/// A lag of 2 days on a store that ships online orders and does not reorder (3 units, one
/// order a day): routing sees the store's closing record of two days before (the starting 3
/// before that), less what it routed today. Days 0–2 ship; on day 3 it sees day 1's closing 1
/// unit on an empty shelf — one unit oversold and cancelled; from day 4 it sees none.
#[test]
fn lagging_availability_oversells_online_orders() {
    let m = model(&one_web_store("policy = { type = \"none\" }", 3, 6, "visibility_lag_days = 2"));
    let csv = trace_csv(&m, 1, 0);
    let web: Vec<Vec<f64>> = csv
        .lines()
        .filter(|l| l.split(',').nth(1) == Some("web"))
        .map(|l| l.split(',').skip(3).take(3).map(|x| x.parse().unwrap()).collect())
        .collect();
    let sold: Vec<f64> = web.iter().map(|r| r[1]).collect();
    assert_eq!(sold, vec![1.0, 1.0, 1.0, 0.0, 0.0, 0.0]);
    let r = run_model(&m);
    assert_eq!(summary(&r, Scope::Network, Kpi::CancellationsFromInaccuracy).mean, 1.0 / 6.0);
}

/// A store shipping a web shop's orders of one unit a day; `keys` go on the store.
fn one_web_store(policy: &str, initial: u32, days: usize, keys: &str) -> String {
    format!(
        r#"
[simulation]
days = {days}
replications = 1
seed = 1
unmet_demand = "lost_sales"

[[skus]]
id = "item"
holding_cost = 0.1
stockout_cost = 1.0

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "store"
type = "store"
source = "supplier"
lead_time = 1
{policy}
initial_on_hand = {initial}
{keys}

[[locations]]
id = "web"
type = "online"
fulfil_from = ["store"]

[[demand]]
location = "store"
distribution = {{ type = "constant", value = 0 }}

[[demand]]
location = "web"
distribution = {{ type = "constant", value = 1 }}
"#
    )
}

/// Record keys are checked where they are written, and say what to write.
#[test]
fn record_key_errors_say_what_to_write() {
    let bad = |extra: &str, records: &str| {
        let text = format!("{}\n{records}", one_store("{ type = \"base_stock\", level = 10 }", "backorder", 5, extra));
        match echelon::Scenario::parse("test.toml", &text) {
            Ok(_) => panic!("accepted: {extra} {records}"),
            Err(e) => e.to_string(),
        }
    };
    let e = bad("cycle_count = { every_days = 7, offset = 9 }", "");
    assert!(e.contains("offset must be in 0..7"), "{e}");
    let e = bad("shrinkage = { rate = 0.1, units = 2 }", "");
    assert!(e.contains("exactly one of `rate` and `units`"), "{e}");
    let e = bad("receiving_errors = 1.5", "");
    assert!(e.contains("share of received units"), "{e}");
    let e = bad("", "[records]\nvisibility = \"blurry\"");
    assert!(e.contains("unknown visibility 'blurry'") && e.contains("siloed"), "{e}");
    let e = bad("", "[records]\ncycle_count = { every = 7 }");
    assert!(e.contains("every"), "{e}");
}

/// Counts by ABC class: a fast mover (class A, 20 a day) is counted every 5 days, a slow one
/// (class C, 1 a day: the last 5 % of volume) never — on measured days 0, 5, 10, 15 of 20.
#[test]
fn counts_by_abc_class() {
    let text = r#"
[simulation]
days = 20
replications = 1

[[skus]]
id = "item"

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "fast"
type = "store"
source = "supplier"
lead_time = 1
policy = { type = "base_stock", level = 60 }

[[locations]]
id = "slow"
type = "store"
source = "supplier"
lead_time = 1
policy = { type = "base_stock", level = 5 }

[[demand]]
location = "fast"
distribution = { type = "poisson", mean = 20 }

[[demand]]
location = "slow"
distribution = { type = "poisson", mean = 1 }

[records]
cycle_count = { every_days = 0, by_class = { A = 5, C = 0 }, cost = 1.0 }
"#;
    let m = model(text);
    let r = run_model(&m);
    let loc = |id: &str| Scope::Location(m.scenario.location_index(id).unwrap());
    assert_eq!(summary(&r, loc("fast"), Kpi::CountsPerDay).mean, 4.0 / 20.0);
    assert_eq!(summary(&r, loc("slow"), Kpi::CountsPerDay).mean, 0.0);
    assert_eq!(summary(&r, Scope::Network, Kpi::CountCost).mean, 4.0 / 20.0);
}

/// A warehouse pushing one store every day (forecast = the plan, 2 a day; horizon = lead time
/// 1 plus cycle 1 less 1 = 1 day; buffer 10 days: the target is 22), the store selling 2 a day
/// from 10 units and never ordering. The push sees the store's on-hand as its record said k days ago
/// plus what was delivered since (the warehouse knows what it sent, learns sales k days late).
/// By hand, with k = 0 the store ends day 0 with 8, is pushed 22 − 8 = 14 and then 2 a day,
/// ending each day with 20. With a lag k ≥ 1 the day-0 push sees the starting 10 and sends 12;
/// on days 1..k − 1 it sees 10 + 12 = 22 and sends nothing; from day k it sees the closing of
/// day t − k plus the deliveries since, short of the truth by the 2k units sold in the k unseen
/// days, and sends 2 a day: the store settles 2k units lower, at 20 − 2k.
#[test]
fn lagging_push_plans_on_the_old_record() {
    let run = |k: usize| {
        let m = model(&pushed_store(&format!("visibility_lag_days = {k}")));
        let csv = trace_csv(&m, 1, 0);
        let rows: Vec<&str> =
            csv.lines().take(1).chain(csv.lines().filter(|l| l.split(',').nth(1) == Some("store"))).collect();
        let csv = rows.join("\n");
        (column(&csv, "pushed_in"), column(&csv, "on_hand"))
    };
    let (pushed, on_hand) = run(0);
    let want: Vec<f64> = (0..10).map(|t| if t == 0 { 14.0 } else { 2.0 }).collect();
    assert_eq!(pushed, want);
    assert_eq!(on_hand, [vec![8.0], vec![20.0; 9]].concat());
    for k in [1usize, 3] {
        let (pushed, on_hand) = run(k);
        let want: Vec<f64> = (0..10)
            .map(|t| {
                if t == 0 {
                    12.0
                } else if t < k {
                    0.0
                } else {
                    2.0
                }
            })
            .collect();
        assert_eq!(pushed, want, "lag {k}");
        assert_eq!(on_hand[9], 20.0 - 2.0 * k as f64, "lag {k}");
    }
}

/// A supplier, a warehouse pushing every day, one store selling 2 a day; `keys` go on the store.
fn pushed_store(keys: &str) -> String {
    format!(
        r#"
[simulation]
days = 10
replications = 1
seed = 1
unmet_demand = "backorder"

[[skus]]
id = "item"
holding_cost = 0.1
stockout_cost = 1.0

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "dc"
type = "warehouse"
source = "supplier"
lead_time = 1
policy = {{ type = "base_stock", level = 1000 }}
push = {{ cycle_days = 1, buffer = {{ days = 10 }}, forecast = {{ method = "plan" }} }}

[[locations]]
id = "store"
type = "store"
source = "dc"
lead_time = 1
policy = {{ type = "none" }}
initial_on_hand = 10
{keys}

[[demand]]
location = "store"
distribution = {{ type = "constant", value = 2 }}
"#
    )
}

/// Siloed planning of store stock: a store selling 2 a day walk-in with a level of 5 days of
/// cover (10 units), next to a web shop of 1 order a day that may ship from it. Under
/// `visibility = "siloed"` the web shop's orders never reach the store and the store's level
/// counts its walk-in demand only: it orders exactly as it would without the web shop, 2 a day,
/// and ends every day with 10 − 2 = 8.
#[test]
fn siloed_store_plans_on_walk_in_demand_only() {
    let policy = "policy = { type = \"base_stock\", level = { days = 5 } }";
    let with_web = |keys: &str| one_web_store(policy, 10, 8, keys).replace("value = 0", "value = 2");
    let store_col = |text: &str, name: &str| {
        let csv = trace_csv(&model(text), 1, 0);
        let rows: Vec<&str> =
            csv.lines().take(1).chain(csv.lines().filter(|l| l.split(',').nth(1) == Some("store"))).collect();
        column(&rows.join("\n"), name)
    };
    let siloed = with_web("[records]\nvisibility = \"siloed\"");
    assert_eq!(store_col(&siloed, "ordered"), vec![2.0; 8]);
    assert_eq!(store_col(&siloed, "on_hand"), vec![8.0; 8]);
}

/// Rebalancing on a lagged record: stores A (10 units) and B (100 units) sell 2 a day and never
/// order; transfers are reviewed daily (trigger 4 days of cover, target 14: 28 units, lead time
/// 1 day). By hand, without a lag A ends day 1 with 6 < 8 units of cover and receives 28 − 6 =
/// 22 from B. With `visibility_lag_days = k` on both stores the planner sees A's closing record
/// of day 1 only on day 1 + k, so the same transfer of 22 leaves exactly k days later.
#[test]
fn lagging_rebalancing_moves_as_the_old_record_says() {
    let first_transfer = |k: usize| {
        let text = rebalanced_stores(&format!("visibility_lag_days = {k}"));
        let csv = trace_csv(&model(&text), 1, 0);
        let rows: Vec<&str> =
            csv.lines().take(1).chain(csv.lines().filter(|l| l.split(',').nth(1) == Some("a"))).collect();
        let got = column(&rows.join("\n"), "transfer_in");
        got.iter().copied().enumerate().find(|(_, x)| *x > 0.0)
    };
    assert_eq!(first_transfer(0), Some((1, 22.0)));
    for k in [1usize, 3] {
        assert_eq!(first_transfer(k), Some((1 + k, 22.0)), "lag {k}");
    }
}

/// A supplier, a warehouse and stores `a` and `b` that rebalance daily; `keys` go in `[records]`.
fn rebalanced_stores(keys: &str) -> String {
    let store = |id: &str, initial: u32| {
        format!(
            "[[locations]]\nid = \"{id}\"\ntype = \"store\"\nsource = \"dc\"\nlead_time = 1\n\
             policy = {{ type = \"none\" }}\ninitial_on_hand = {initial}\n\n\
             [[demand]]\nlocation = \"{id}\"\ndistribution = {{ type = \"constant\", value = 2 }}\n"
        )
    };
    format!(
        r#"
[simulation]
days = 8
replications = 1
seed = 1
unmet_demand = "backorder"

[[skus]]
id = "item"
holding_cost = 0.1
stockout_cost = 1.0

[records]
{keys}

[rebalancing]
review_days = 1
trigger_days = 4
target_days = 14
lead_time = 1
cost_per_unit = 1.0
within = "all"

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "dc"
type = "warehouse"
source = "supplier"
lead_time = 1
policy = {{ type = "base_stock", level = 10 }}

{}
{}"#,
        store("a", 10),
        store("b", 100)
    )
}
