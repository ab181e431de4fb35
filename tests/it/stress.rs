//! Stress tests (issue 4): supplier outages, Markov suppliers, promotions, transport delays,
//! capacity limits, demand trend, random shocks, common factors and named stress overlays,
//! against hand-computed exact results or closed forms.
//!
//! The day (DESIGN.md §2): 1. disruptions draw their state, 2. arrivals, 3. demand (waiting
//! backorders first), 4. decisions, 5. shipping (a shipment leaving day t with lead time L
//! arrives at step 2 of day t + L; a down source ships nothing), 6. end-of-day stocks. Windows
//! count measured days, inclusive.

use echelon::Model;
use echelon::kpi::Kpi;
use echelon::report::trace::trace_csv;
use echelon::runner::{RunResult, Scope};

use crate::common::*;

/// Mean and standard error of a sample.
fn mean_se(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, (var / n).sqrt())
}

/// Network customer demand per measured day of each recorded replication (`[rep][day]`).
fn daily_demand(m: &mut Model, replications: usize, seed: u64) -> Vec<Vec<f64>> {
    m.record_daily = true;
    let r = run_with(m, replications, seed);
    assert_eq!(r.days.len(), replications, "every replication keeps its day-by-day record");
    r.days.iter().map(|d| d.network.iter().map(|x| x[0]).collect()).collect()
}

// ---------------------------------------------------------------------------------------------
// 1. A scheduled supplier outage, exactly.

/// Constant demand 10, base-stock 10, lead time 1: every day the store sells the 10 that
/// arrived and reorders 10. The supplier is down on measured days 30–39 (after 10 warm-up
/// days); orders placed then wait at the supplier.
const OUTAGE: &str = r#"
[simulation]
days = 100
warmup_days = 10
replications = 1
unmet_demand = "backorder"

[[skus]]
id = "item"
unit_cost = 10.0
price = 15.0

[[locations]]
id = "supplier"
type = "supplier"
disruption = { type = "scheduled", windows = [[30, 39]] }

[[locations]]
id = "store"
type = "store"
source = "supplier"
lead_time = 1
policy = { type = "base_stock", level = 10 }

[[demand]]
location = "store"
distribution = { type = "sequence", values = [10] }
"#;

#[test]
fn supplier_outage_backorders_exactly() {
    let m = model(OUTAGE);
    // Day 29's order arrives on day 30 (served). Orders of days 30–39 wait; from day 31 nothing
    // arrives, so backorders end days 31..=40 at 10, 20, ..., 100. Day 40 the supplier is up
    // and ships the 110 owed; on day 41 they serve the 100 backorders and the day's 10.
    let bo: Vec<i64> = (0..100).map(|d| if (31..=40).contains(&d) { 10 * (d - 30) } else { 0 }).collect();
    let store = rows(&m, "store");
    assert_eq!(col(&store, |r| r.backorders), units(&bo), "end-of-day backorders");
    let up: Vec<bool> = (0..100).map(|d| !(30..=39).contains(&d)).collect();
    assert_eq!(store.iter().map(|r| r.supplier_up).collect::<Vec<_>>(), up);

    let r = run_with(&m, 1, 1);
    let net = Scope::Network;
    // Σ backorders = 10 + 20 + ... + 100 = 550 over 100 days.
    assert_kpi(&r, net, Kpi::AvgBackorders, 5.5);
    // Days 31–40 serve nothing of the day's demand: 100 of 1000 units.
    assert_kpi(&r, net, Kpi::FillRate, 0.9);
    assert_kpi(&r, net, Kpi::StockoutRate, 0.1);
    assert_kpi(&r, net, Kpi::LostSales, 0.0);
    assert_kpi(&r, net, Kpi::UnitsSold, 10.0);
    // Resilience: the disruption starts on day 30; the 28 days before it are served in full.
    // The trailing 7-day fill rate dips on day 31 and is back (≥ 99 % of 1) on day 47, the
    // first day whose window (41–47) has no unserved day: 47 − 30 + 1 = 18 days.
    assert_kpi(&r, net, Kpi::TimeToRecover, 18.0);
    assert_kpi(&r, net, Kpi::Recovered, 1.0);
    // The largest end-of-day backlog: 100 customer backorders on day 40.
    assert_kpi(&r, net, Kpi::PeakBacklog, 100.0);
    // Demand not served on its day, at price, from day 30 to day 47: 10 days × 10 × 15.
    assert_kpi(&r, net, Kpi::DisruptionLostRevenue, 1500.0);
}

#[test]
fn supplier_outage_lost_sales_exactly() {
    let m = model(&OUTAGE.replace(r#"unmet_demand = "backorder""#, r#"unmet_demand = "lost_sales""#));
    // Day 30's order waits; its IP (10 owed) stays at S, so no more orders until it arrives on
    // day 41 (shipped on day 40). Days 31–40 lose their 10.
    let store = rows(&m, "store");
    let mut lost = vec![0; 100];
    lost[31..=40].fill(10);
    assert_eq!(col(&store, |r| r.lost), units(&lost), "lost per day");
    assert_eq!(col(&store, |r| r.backorders), vec![0.0; 100]);
    let mut ordered = vec![10; 100];
    ordered[31..=40].fill(0);
    assert_eq!(col(&store, |r| r.ordered), units(&ordered), "no orders while one is owed");

    let r = run_with(&m, 1, 1);
    let net = Scope::Network;
    assert_kpi(&r, net, Kpi::LostSales, 1.0);
    assert_kpi(&r, net, Kpi::FillRate, 0.9);
    assert_kpi(&r, net, Kpi::AvgBackorders, 0.0);
    assert_kpi(&r, net, Kpi::UnitsSold, 9.0);
    assert_kpi(&r, net, Kpi::TimeToRecover, 18.0);
    assert_kpi(&r, net, Kpi::Recovered, 1.0);
    // Nothing is owed to customers or downstream: the units waiting are owed by the supplier,
    // which is outside the network.
    assert_kpi(&r, net, Kpi::PeakBacklog, 0.0);
    assert_kpi(&r, net, Kpi::DisruptionLostRevenue, 1500.0);
}

// ---------------------------------------------------------------------------------------------
// 2. A Markov supplier against its closed form.

/// Base-stock S = d = 10, lead time 1, constant demand 10; the supplier goes down with
/// probability α = 1/12 a day and comes back with β = 1/3.
const MARKOV: &str = r#"
[simulation]
days = 12000
warmup_days = 100
replications = 600
seed = 17

[[skus]]
id = "item"

[[locations]]
id = "supplier"
type = "supplier"
disruption = { type = "markov", mean_days_up = 12, mean_days_down = 3 }

[[locations]]
id = "store"
type = "store"
source = "supplier"
lead_time = 1
policy = { type = "base_stock", level = 10 }

[[demand]]
location = "store"
distribution = { type = "sequence", values = [10] }
"#;

/// The closed form, reasoned on the engine's day. The supplier's state for day t is drawn at
/// step 1 (from day t − 1's state) and it ships at step 5. The store ends every day with its
/// inventory position at S = d. If the supplier was up on day t − 1, everything the store had
/// on order left that day and arrives on day t: the net stock is back at S, serves the
/// backorders and the day's d, and the day ends at 0. Otherwise nothing arrives (lead time 1)
/// and the deficit grows by d. So the end-of-day backorders of day t are d × the number of
/// consecutive down days ending on day t − 1, and in the stationary chain
///
///   E[backorders] = d · Σ_{k≥1} P(days t−1, …, t−k all down) = d · π_down · Σ_{k≥1} (1 − β)^(k−1)
///                 = d · π_down / β,   π_down = α / (α + β),
///
/// the brief's formula: here π_down = (1/12) / (5/12) = 1/5 and E[backorders] = 10 · (1/5) · 3
/// = 6. The day's demand is served that day exactly when the supplier was up the day before:
/// fill rate = 1 − π_down = 4/5, stockout rate = π_down. (A day's own outage shows only in the
/// next day's stock, so the formula holds with the state drawn at the start of the day; 100
/// warm-up days make the chain, started up, stationary: |1 − α − β|^100 ≈ 4e-24.)
#[test]
fn markov_supplier_matches_its_closed_form() {
    let (alpha, beta, d) = (1.0 / 12.0, 1.0 / 3.0, 10.0);
    let pi_down = alpha / (alpha + beta);
    let r = run_model(&model(MARKOV));
    let net = Scope::Network;
    assert_golden("E[backorders] = d·π_down/β", &summary(&r, net, Kpi::AvgBackorders), d * pi_down / beta);
    assert_golden_rate("fill rate = 1 − π_down", &summary(&r, net, Kpi::FillRate), 1.0 - pi_down);
    assert_golden_rate("stockout rate = π_down", &summary(&r, net, Kpi::StockoutRate), pi_down);
}

// ---------------------------------------------------------------------------------------------
// 3. Promotions.

/// A store with constant demand 7 a day and a promotion on days 10–19.
const PROMO: &str = r#"
[simulation]
days = 30
replications = 1

[[skus]]
id = "item"

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "store"
type = "store"
source = "supplier"
policy = { type = "base_stock", level = 30 }

[[demand]]
location = "store"
distribution = { type = "sequence", values = [7] }
promotions = [{ first_day = 10, last_day = 19, multiplier = 2.0 }]
"#;

#[test]
fn a_promotion_multiplies_deterministic_demand_inside_its_window_only() {
    let in_window = |d: usize| (10..=19).contains(&d);
    let demand = col(&rows(&model(PROMO), "store"), |r| r.demand);
    let want: Vec<f64> = (0..30).map(|d| if in_window(d) { 14.0 } else { 7.0 }).collect();
    assert_eq!(demand, want, "whole units, multiplier 2");
    // Continuous units, multiplier 1.5: exactly 10.5 inside.
    let cont = PROMO.replace("id = \"item\"", "id = \"item\"\ndiscrete = false").replace("2.0 }", "1.5 }");
    let demand = col(&rows(&model(&cont), "store"), |r| r.demand);
    let want: Vec<f64> = (0..30).map(|d| if in_window(d) { 10.5 } else { 7.0 }).collect();
    assert_eq!(demand, want, "continuous units, multiplier 1.5");
    // Whole units, multiplier 1.5: 10.5 is rounded to 10 or 11 at random, 10.5 on average.
    let mut m = model(&PROMO.replace("2.0 }", "1.5 }"));
    let days = daily_demand(&mut m, 200, 4);
    let inside: Vec<f64> = days.iter().flat_map(|d| d[10..=19].to_vec()).collect();
    assert!(inside.iter().all(|&x| x == 10.0 || x == 11.0), "rounded to 10 or 11");
    assert!(days.iter().all(|d| (0..30).filter(|&t| !in_window(t)).all(|t| d[t] == 7.0)), "7 outside");
    let (mean, se) = mean_se(&inside);
    println!("whole units × 1.5: mean {mean:.4} ± {se:.4} (10.5)");
    assert!((mean - 10.5).abs() <= 3.0 * se, "stochastic rounding keeps the mean: {mean} ± {se}");
}

/// Poisson demand with mean 5 doubles on days 10–19: the daily mean over replications is 10
/// there and 5 elsewhere.
#[test]
fn a_promotion_doubles_the_expected_poisson_demand_inside_its_window_only() {
    let text = PROMO.replace(r#"{ type = "sequence", values = [7] }"#, r#"{ type = "poisson", mean = 5 }"#);
    let mut m = model(&text);
    // 1000 replications: five seeds of 200 (the runner keeps the day-by-day record of 200).
    let days: Vec<Vec<f64>> = (9..14).flat_map(|seed| daily_demand(&mut m, 200, seed)).collect();
    let expected = |t: usize| if (10..=19).contains(&t) { 10.0 } else { 5.0 };
    // Each day: within 4.5 SE (30 days tested at once); each stretch pooled: within 3 SE.
    for t in 0..30 {
        let (mean, se) = mean_se(&days.iter().map(|d| d[t]).collect::<Vec<_>>());
        assert!((mean - expected(t)).abs() <= 4.5 * se, "day {t}: mean {mean:.3} ± {se:.3}, expected {}", expected(t));
    }
    for (what, range, want) in [("before", 0..10, 5.0), ("during", 10..20, 10.0), ("after", 20..30, 5.0)] {
        let pooled: Vec<f64> = days.iter().flat_map(|d| d[range.clone()].to_vec()).collect();
        let (mean, se) = mean_se(&pooled);
        println!("{what} the promotion: mean daily demand {mean:.4} ± {se:.4} (expected {want})");
        assert!((mean - want).abs() <= 3.0 * se, "{what}: {mean} ± {se} vs {want}");
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Transport delays.

/// Two stores, each base-stock 20 with lead time 2 and demand 4 a day, so each orders 4 a day
/// and ends every day with 12 on hand and 8 in transit. Shipments to store a that leave on days
/// 5–7 take 3 days more; store b's lane has no delay.
const DELAYS: &str = r#"
[simulation]
days = 15
replications = 1

[[skus]]
id = "item"

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "a"
type = "store"
source = "supplier"
lead_time = 2
policy = { type = "base_stock", level = 20 }
delays = { first_day = 5, last_day = 7, extra_days = 3 }

[[locations]]
id = "b"
type = "store"
source = "supplier"
lead_time = 2
policy = { type = "base_stock", level = 20 }

[[demand]]
location = "a"
distribution = { type = "sequence", values = [4] }

[[demand]]
location = "b"
distribution = { type = "sequence", values = [4] }

[stress.slow-lane]
delays = [{ location = "a", first_day = 5, last_day = 7, extra_days = 3 }]
"#;

#[test]
fn a_delay_holds_back_exactly_the_shipments_that_leave_during_it() {
    let m = model(DELAYS);
    let (a, b) = (rows(&m, "a"), rows(&m, "b"));
    // a's orders of days 5, 6, 7 arrive on days 10, 11, 12 instead of 7, 8, 9; the orders of
    // days 4 and 8 are on time (days 6 and 10). So days 7–9 receive nothing and days 10–12
    // receive two shipments each. a keeps ordering 4 a day (its inventory position counts the
    // late units) and its shelf runs down to 0 on day 9 without a shortage.
    #[rustfmt::skip]
    let (rec, oh, transit) = (
        [0, 0, 4, 4, 4, 4, 4, 0, 0, 0, 8, 8, 8, 4, 4],
        [16, 12, 12, 12, 12, 12, 12, 8, 4, 0, 4, 8, 12, 12, 12],
        [4, 8, 8, 8, 8, 8, 8, 12, 16, 20, 16, 12, 8, 8, 8],
    );
    assert_eq!(col(&a, |r| r.received), units(&rec), "a received");
    assert_eq!(col(&a, |r| r.on_hand), units(&oh), "a on hand");
    assert_eq!(col(&a, |r| r.in_transit), units(&transit), "a in transit");
    assert_eq!(col(&a, |r| r.ordered), vec![4.0; 15]);
    assert_eq!(col(&a, |r| r.backorders), vec![0.0; 15]);
    // b is on time throughout.
    let mut b_rec = vec![4.0; 15];
    (b_rec[0], b_rec[1]) = (0.0, 0.0);
    assert_eq!(col(&b, |r| r.received), b_rec, "b received");
    assert_eq!(col(&b, |r| r.in_transit)[1..], vec![8.0; 14][..]);
    // The same delay written as a stress test gives the same trace.
    let overlay = variant(&DELAYS.replace("delays = {", "# {"), None, Some("slow-lane"));
    assert_eq!(trace_csv(&overlay, 1, 0), trace_csv(&m, 1, 0));
}

// ---------------------------------------------------------------------------------------------
// 5. Shipping capacity.

/// A DC that can ship 12 units a day (5 during a scheduled slowdown on days 3–5) supplies a
/// store (base-stock 30, lead time 1, demand 10 a day). The DC itself has plenty (base-stock
/// 100 from an unlimited supplier).
const CAPACITY: &str = r#"
[simulation]
days = 16
replications = 1

[[skus]]
id = "item"

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "dc"
type = "warehouse"
source = "supplier"
policy = { type = "base_stock", level = 100 }
capacity_per_day = 12
disruption = { type = "scheduled", windows = [[3, 5]], capacity_per_day = 5 }

[[locations]]
id = "store"
type = "store"
source = "dc"
policy = { type = "base_stock", level = 30 }

[[demand]]
location = "store"
distribution = { type = "sequence", values = [10] }
"#;

#[test]
fn capacity_limits_shipments_exactly() {
    let m = model(CAPACITY);
    let (dc, store) = (rows(&m, "dc"), rows(&m, "store"));
    // The store orders 10 a day. Days 3–5 the DC ships 5 of what it owes, then 12 a day until
    // the 15 units that piled up are caught up (13 → 11 → … → 1, then 11 on day 13).
    #[rustfmt::skip]
    let shipped = [10, 10, 10, 5, 5, 5, 12, 12, 12, 12, 12, 12, 12, 11, 10, 10];
    #[rustfmt::skip]
    let owed = [0, 0, 0, 5, 10, 15, 13, 11, 9, 7, 5, 3, 1, 0, 0, 0];
    assert_eq!(col(&dc, |r| r.shipped), units(&shipped), "dc shipped");
    assert_eq!(col(&dc, |r| r.backorders), units(&owed), "dc owes the store");
    // The DC reorders 10 a day and receives 10 a day, so its shelf grows by what it could not
    // ship: 90 after day 0, up to 105 on day 5, back to 90 by day 13.
    #[rustfmt::skip]
    let dc_oh = [90, 90, 90, 95, 100, 105, 103, 101, 99, 97, 95, 93, 91, 90, 90, 90];
    assert_eq!(col(&dc, |r| r.on_hand), units(&dc_oh), "dc on hand");
    assert_eq!(col(&dc, |r| r.ordered), vec![10.0; 16]);
    // The store receives each shipment a day later; on order = owed + in transit.
    let mut rec = vec![0.0; 16];
    rec[1..].copy_from_slice(&units(&shipped[..15]));
    assert_eq!(col(&store, |r| r.received), rec, "store received");
    #[rustfmt::skip]
    let on_order = [10, 10, 10, 10, 15, 20, 25, 23, 21, 19, 17, 15, 13, 11, 10, 10];
    assert_eq!(col(&store, |r| r.on_order), units(&on_order), "store on order");
    #[rustfmt::skip]
    let store_oh = [20, 20, 20, 20, 15, 10, 5, 7, 9, 11, 13, 15, 17, 19, 20, 20];
    assert_eq!(col(&store, |r| r.on_hand), units(&store_oh), "store on hand");
    // The store never runs short.
    let r = run_with(&m, 1, 1);
    assert_kpi(&r, Scope::Network, Kpi::FillRate, 1.0);
}

/// A capacity shared by two whole-unit SKUs still ships up to the capacity: shares are rounded
/// on the running total (7 + 8), not each down on its own (7 + 7, which lost a unit a day).
#[test]
fn shared_capacity_is_not_lost_to_whole_unit_rounding() {
    let text = r#"
[simulation]
days = 6
replications = 1

[[skus]]
id = "x"
[[skus]]
id = "y"

[[locations]]
id = "supplier"
type = "supplier"
capacity_per_day = 15

[[locations]]
id = "store"
type = "store"
source = "supplier"
policy = { type = "base_stock", level = 10 }

[[demand]]
location = "store"
sku = "x"
distribution = { type = "sequence", values = [10] }

[[demand]]
location = "store"
sku = "y"
distribution = { type = "sequence", values = [10] }
"#;
    let rows = parse_trace(&trace_csv(&model(text), 1, 0));
    for day in 1..6 {
        let received: f64 = rows.iter().filter(|r| r.day == day).map(|r| r.received).sum();
        assert_eq!(received, 15.0, "day {day}: units received from a supplier shipping 15 a day");
    }
}

// ---------------------------------------------------------------------------------------------
// 6. Trend, random shocks, common factors.

/// Demand growing 50 % a year: the mean on measured day d is multiplied by 1.5^(d/365)
/// (compounding daily). A deterministic continuous stream shows the factor exactly; a Poisson
/// stream shows it in the mean over replications.
const TREND: &str = r#"
[simulation]
days = 730
replications = 1

[[skus]]
id = "item"
discrete = false

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "store"
type = "store"
source = "supplier"
policy = { type = "base_stock", level = 100 }

[[demand]]
location = "store"
distribution = { type = "sequence", values = [10] }
trend_per_year = 0.5
"#;

#[test]
fn a_trend_raises_demand_by_the_expected_factor() {
    let demand = col(&rows(&model(TREND), "store"), |r| r.demand);
    for d in [0, 1, 100, 365, 500, 729] {
        let want = 10.0 * 1.5f64.powf(d as f64 / 365.0);
        assert!(close(demand[d], want, 1e-12), "day {d}: {} vs {want}", demand[d]);
    }
    assert!(close(demand[365], 15.0, 1e-12) && close(demand[730 - 1], 10.0 * 1.5f64.powf(729.0 / 365.0), 1e-12));

    // Poisson mean 20: the last 30 days against the first 30.
    let text = TREND.replace(r#"{ type = "sequence", values = [10] }"#, r#"{ type = "poisson", mean = 20 }"#);
    let mut m = model(&text.replace("discrete = false", ""));
    let days = daily_demand(&mut m, 200, 21);
    let expect = |range: std::ops::Range<usize>| -> f64 {
        range.clone().map(|d| 20.0 * 1.5f64.powf(d as f64 / 365.0)).sum::<f64>() / range.len() as f64
    };
    for range in [0..30, 700..730] {
        let per_rep: Vec<f64> = days.iter().map(|d| d[range.clone()].iter().sum::<f64>() / 30.0).collect();
        let (mean, se) = mean_se(&per_rep);
        let want = expect(range.clone());
        println!("days {range:?}: mean daily demand {mean:.3} ± {se:.3} (expected {want:.3})");
        assert!((mean - want).abs() <= 3.0 * se, "days {range:?}: {mean} ± {se} vs {want}");
    }
    // The late demand is about 2.2 times the early one (1.5^(715/365) / 1.5^(15/365)).
    let early: f64 = days.iter().map(|d| d[0..30].iter().sum::<f64>()).sum();
    let late: f64 = days.iter().map(|d| d[700..730].iter().sum::<f64>()).sum();
    let ratio = late / early;
    println!("late / early demand: {ratio:.4} (expected {:.4})", expect(700..730) / expect(0..30));
    assert!((ratio / (expect(700..730) / expect(0..30)) - 1.0).abs() < 0.01);
}

/// Random shocks: on a day without one, a shock starts with probability 1/20 and triples
/// store a's demand for 5 days (the start day included). Renewal argument: spells without a
/// shock last (1 − p)/p = 19 days on average before the day one starts, then 5 days of shock,
/// so a share 5/24 of the days is shocked and the expected demand is 10 · (1 + 2 · 5/24) =
/// 14.1667. Store b, not named, keeps its mean of 10.
const SHOCKS: &str = r#"
[simulation]
days = 2000
warmup_days = 100
replications = 100
seed = 8

[[skus]]
id = "item"

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "a"
type = "store"
source = "supplier"
policy = { type = "base_stock", level = 40 }

[[locations]]
id = "b"
type = "store"
source = "supplier"
policy = { type = "base_stock", level = 40 }

[[demand]]
location = "a"
distribution = { type = "poisson", mean = 10 }

[[demand]]
location = "b"
distribution = { type = "poisson", mean = 10 }

[[shocks]]
location = "a"
mean_days_between = 20.0
duration = 5
multiplier = 3.0
"#;

#[test]
fn random_shocks_raise_mean_demand_by_their_expected_share() {
    let m = model(SHOCKS);
    let r = run_model(&m);
    let (a, b) = (Scope::Location(loc(&m, "a")), Scope::Location(loc(&m, "b")));
    assert_golden("demand with shocks", &summary(&r, a, Kpi::UnitsDemanded), 10.0 * (1.0 + 2.0 * 5.0 / 24.0));
    assert_golden("demand without", &summary(&r, b, Kpi::UnitsDemanded), 10.0);
}

/// A common factor (log-normal, mean 1, cv 0.5, independent from day to day) multiplies the
/// Poisson(20) demand of two stores. Given the factor F the stores draw independently, so the
/// network's daily demand D = D_a + D_b has Var D = E[Var(D | F)] + Var(E[D | F]) = 40 +
/// 40² · cv² = 440, against 40 without the factor (Cov(D_a, D_b) = 20² · cv² = 100).
const FACTOR: &str = r#"
[simulation]
days = 365
replications = 200
seed = 12

[[skus]]
id = "item"

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "a"
type = "store"
source = "supplier"
policy = { type = "base_stock", level = 100 }

[[locations]]
id = "b"
type = "store"
source = "supplier"
policy = { type = "base_stock", level = 100 }

[[demand]]
location = "a"
distribution = { type = "poisson", mean = 20 }

[[demand]]
location = "b"
distribution = { type = "poisson", mean = 20 }

[[common_factors]]
locations = ["a", "b"]
cv = 0.5
"#;

#[test]
fn a_common_factor_correlates_the_demand_of_its_stores() {
    let var_of_sum = |text: &str| -> (f64, f64) {
        let days: Vec<f64> = daily_demand(&mut model(text), 200, 12).concat();
        let (mean, _) = mean_se(&days);
        let var = days.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (days.len() - 1) as f64;
        (mean, var)
    };
    let (m1, with) = var_of_sum(FACTOR);
    let without_text = &FACTOR[..FACTOR.find("[[common_factors]]").unwrap()];
    let (m0, without) = var_of_sum(without_text);
    println!("network demand: mean {m1:.3} / {m0:.3}, variance with factor {with:.2} (440), without {without:.2} (40)");
    // The factor has mean 1: the mean demand is unchanged.
    assert!((m1 - 40.0).abs() < 0.2 && (m0 - 40.0).abs() < 0.2);
    assert!((with / 440.0 - 1.0).abs() < 0.05, "variance with the factor: {with}");
    assert!((without / 40.0 - 1.0).abs() < 0.03, "variance without: {without}");
}

// ---------------------------------------------------------------------------------------------
// 7. Named stress overlays are the scenario written out.

/// Every KPI of every scope and replication, bit for bit (NaN = undefined counts as equal).
fn assert_same_results(what: &str, a: &RunResult, b: &RunResult) {
    assert_eq!(a.scopes, b.scopes, "{what}: scopes");
    assert_eq!(a.values.len(), b.values.len());
    for (i, (x, y)) in a.values.iter().zip(&b.values).enumerate() {
        let (scope, kpi) = (i / a.replications / Kpi::COUNT, (i / a.replications) % Kpi::COUNT);
        assert!(
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
            "{what}: {} of {:?} differs: {x} vs {y}",
            Kpi::ALL[kpi].name(),
            a.scopes[scope]
        );
    }
}

#[test]
fn port_strike_overlay_equals_the_outage_written_in_the_file() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/jit-vs-push-disruption.toml");
    let text = std::fs::read_to_string(path).unwrap();
    // The same outage written on the supplier itself.
    let direct = text.replacen(
        "type = \"supplier\"\n",
        "type = \"supplier\"\ndisruption = { type = \"scheduled\", windows = [[60, 74]] }\n",
        1,
    );
    assert_ne!(direct, text);
    for strategy in ["jit", "push"] {
        let (a, b) = (variant(&text, Some(strategy), Some("port-strike")), variant(&direct, Some(strategy), None));
        assert_eq!(a.scenario.locations, b.scenario.locations, "{strategy}: same locations");
        let (ra, rb) = (run_with(&a, 20, 11), run_with(&b, 20, 11));
        assert_same_results(strategy, &ra, &rb);
        // And the outage does something: more demand is lost than without it.
        let calm = run_with(&variant(&text, Some(strategy), None), 20, 11);
        let lost = |r: &RunResult| summary(r, Scope::Network, Kpi::LostSales).mean;
        println!("{strategy}: lost sales/day {:.2} with the strike, {:.2} without", lost(&ra), lost(&calm));
        assert!(lost(&ra) > lost(&calm) + 1.0, "{strategy}: the strike costs sales");
    }
}

/// Every kind of stress entry at once — an outage with reduced capacity, a transport delay,
/// lead-time noise, a demand surge and random shocks — against the same changes written into
/// the locations and demand entries.
const OVERLAYS: &str = r#"
[simulation]
days = 200
warmup_days = 20
replications = 20
seed = 31

[[skus]]
id = "item"
price = 10.0

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "dc"
type = "warehouse"
source = "supplier"
lead_time = 3
policy = { type = "base_stock", level = { days = 8 } }

[[locations]]
id = "s1"
type = "store"
source = "dc"
lead_time = 1
policy = { type = "base_stock", level = { service = 0.95 } }

[[locations]]
id = "s2"
type = "store"
source = "dc"
lead_time = 2
policy = { type = "base_stock", level = { service = 0.95 } }

[[demand]]
location = "s1"
distribution = { type = "poisson", mean = 12 }

[[demand]]
location = "s2"
distribution = { type = "poisson", mean = 7 }

[stress.everything]
outages = [{ location = "supplier", first_day = 30, last_day = 39 }, { location = "dc", first_day = 90, last_day = 99, capacity_per_day = 10 }]
delays = [{ location = "s1", first_day = 50, last_day = 60, extra_days = 2 }]
lead_time = { location = "dc", extra_sd = 1.0 }
demand = [{ location = "s2", first_day = 70, last_day = 80, multiplier = 1.5 }]
shocks = [{ location = "s1", mean_days_between = 30.0, duration = 3, multiplier = 2.0 }]
"#;

#[test]
fn every_stress_entry_equals_the_change_written_in_the_file() {
    let direct = OVERLAYS[..OVERLAYS.find("[stress.everything]").unwrap()]
        .replace(
            "type = \"supplier\"\n",
            "type = \"supplier\"\ndisruption = { type = \"scheduled\", windows = [[30, 39]] }\n",
        )
        .replace(
            "lead_time = 3\n",
            "lead_time = 3\nlead_time_extra_sd = 1.0\n\
             disruption = { type = \"scheduled\", windows = [[90, 99]], capacity_per_day = 10 }\n",
        )
        .replace("lead_time = 1\n", "lead_time = 1\ndelays = { first_day = 50, last_day = 60, extra_days = 2 }\n")
        .replace(
            "mean = 7 }\n",
            "mean = 7 }\npromotions = [{ first_day = 70, last_day = 80, multiplier = 1.5, shock = true }]\n",
        )
        + "\n[[shocks]]\nlocation = \"s1\"\nmean_days_between = 30.0\nduration = 3\nmultiplier = 2.0\n";
    let (a, b) = (variant(OVERLAYS, None, Some("everything")), variant(&direct, None, None));
    assert_eq!(a.scenario.locations, b.scenario.locations);
    assert_eq!(a.scenario.demand, b.scenario.demand);
    assert_eq!(a.scenario.shocks, b.scenario.shocks);
    let (ra, rb) = (run_with(&a, 20, 31), run_with(&b, 20, 31));
    assert_same_results("everything", &ra, &rb);
    // Not vacuous: the stress changes the results.
    let calm = run_with(&variant(OVERLAYS, None, None), 20, 31);
    let fill = |r: &RunResult| summary(r, Scope::Network, Kpi::FillRate).mean;
    println!("fill rate: stressed {:.4}, calm {:.4}", fill(&ra), fill(&calm));
    assert!(fill(&ra) < fill(&calm) - 0.02);
}
