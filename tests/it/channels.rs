//! Channels (issue 13): online orders routed to nodes, ship-from-store with protection, BOPIS,
//! marketplace pools — one-day hand computations per rule, equivalences and Eppen's risk pooling.

use echelon::kpi::Kpi;
use echelon::runner::Scope;
use echelon::{Model, Scenario};

use crate::common::*;

/// The scope of a channel by name.
fn channel(m: &Model, name: &str) -> Scope {
    let i = m.channel.channels.iter().position(|c| c.as_str() == name);
    Scope::Channel(i.unwrap_or_else(|| panic!("no channel {name}")))
}

/// One store with stock 10 and walk-in demand 6, an online location asking for 3 from it: the
/// store ships what is above its walk-in demand and its protection.
fn one_store(protection: &str, unmet: &str) -> String {
    format!(
        r#"
[simulation]
days = 1
replications = 1
unmet_demand = "{unmet}"
[[skus]]
id = "item"
unit_cost = 10
price = 20
holding_cost = 0.1
stockout_cost = 1
[[locations]]
id = "sup"
type = "supplier"
[[locations]]
id = "store"
type = "store"
source = "sup"
policy = {{ type = "base_stock", level = 10 }}
ship_cost = 1.5
delivery_days = 2
{protection}
[[locations]]
id = "web"
type = "online"
fulfil_from = ["store"]
[[demand]]
location = "store"
distribution = {{ type = "constant", value = 6 }}
[[demand]]
location = "web"
distribution = {{ type = "constant", value = 3 }}
"#
    )
}

/// Stock 10, walk-in 6, online 3: protection 0 ships 3, 2 ships 2, 4 ships 0; one day of walk-in
/// cover (6 units) ships nothing; walk-in customers are served in full every time.
#[test]
fn protection_levels_one_day_by_hand() {
    for (protection, shipped) in [
        ("", 3.0),
        ("online_protection = 0", 3.0),
        ("online_protection = 2", 2.0),
        ("online_protection = 4", 0.0),
        ("online_protection = { days = 1 }", 0.0),
        ("online_protection = \"all\"", 0.0),
    ] {
        for unmet in ["lost_sales", "backorder"] {
            let m = model(&one_store(protection, unmet));
            let r = run_model(&m);
            let (store, web) = (Scope::Location(loc(&m, "store")), Scope::Location(loc(&m, "web")));
            assert_kpi(&r, store, Kpi::FillRate, 1.0);
            assert_kpi(&r, store, Kpi::AvgOnHand, 10.0 - 6.0 - shipped);
            assert_kpi(&r, web, Kpi::UnitsSold, shipped);
            assert_kpi(&r, web, Kpi::FillRate, shipped / 3.0);
            assert_kpi(&r, web, Kpi::FulfilmentCost, 1.5 * shipped);
            if shipped > 0.0 {
                assert_kpi(&r, web, Kpi::AvgDeliveryDays, 2.0);
                assert_kpi(&r, web, Kpi::ShipFromStoreShare, 1.0);
            }
            let lost = if unmet == "lost_sales" { 3.0 - shipped } else { 0.0 };
            assert_kpi(&r, channel(&m, "online"), Kpi::LostSales, lost);
            assert_kpi(&r, Scope::Network, Kpi::UnitsSold, 6.0 + shipped);
            // The trace shows the order of events: the store's shipment to the online order, the
            // online location receiving and selling it.
            let (s, w) = (rows(&m, "store"), rows(&m, "web"));
            assert_eq!((s[0].sold, s[0].shipped, s[0].on_hand), (6.0, shipped, 4.0 - shipped), "{protection}");
            assert_eq!((w[0].demand, w[0].received, w[0].sold, w[0].on_hand), (3.0, shipped, shipped, 0.0));
        }
    }
}

/// A DC and two stores that can ship online demand of 5: stock 6 at the DC (no walk-in), 10 at
/// store A (walk-in 6: 4 to spare) and store B (walk-in 2: 8 to spare); shipping costs 0.5, 1, 3
/// and delivery days 2, 1, 3.
fn three_nodes(nodes: &str, routing: &str) -> String {
    let node = |id: &str, level: u32, cost: f64, days: u32| {
        format!(
            "[[locations]]\nid = \"{id}\"\ntype = \"store\"\nsource = \"sup\"\npolicy = {{ type = \"base_stock\", level = {level} }}\nship_cost = {cost:?}\ndelivery_days = {days}\n"
        )
    };
    format!(
        r#"
[simulation]
days = 1
replications = 1
unmet_demand = "lost_sales"
[[skus]]
id = "item"
[[locations]]
id = "sup"
type = "supplier"
[[locations]]
id = "dc"
type = "warehouse"
source = "sup"
policy = {{ type = "base_stock", level = 6 }}
ship_cost = 0.5
delivery_days = 2
{a}{b}
[[locations]]
id = "web"
type = "online"
fulfil_from = {nodes}
routing = "{routing}"
[[demand]]
location = "store-a"
distribution = {{ type = "constant", value = 6 }}
[[demand]]
location = "store-b"
distribution = {{ type = "constant", value = 2 }}
[[demand]]
location = "web"
distribution = {{ type = "constant", value = 5 }}
"#,
        a = node("store-a", 10, 1.0, 1),
        b = node("store-b", 10, 3.0, 3),
    )
}

/// Each routing rule on the same day, by hand: which nodes ship the 5 units, the shipping cost,
/// the mean delivery days and the share shipped by stores.
#[test]
fn routing_rules_one_day_by_hand() {
    let list = r#"["store-b", "store-a", "dc"]"#;
    // (rule, units from dc, store-a, store-b)
    for (rule, from) in [
        // The list's order: store B has 8 to spare.
        ("preference", [0.0, 0.0, 5.0]),
        // Fewest days: store A (1 day, 4 to spare), then the DC (2 days).
        ("nearest", [1.0, 4.0, 0.0]),
        // Lowest cost: the DC (0.5) has 6.
        ("cheapest", [5.0, 0.0, 0.0]),
        // Most units available: store B (8) > DC (6) > store A (4).
        ("most_stock", [0.0, 0.0, 5.0]),
    ] {
        let m = model(&three_nodes(list, rule));
        let r = run_model(&m);
        let web = Scope::Location(loc(&m, "web"));
        let (cost, days) = ([0.5, 1.0, 3.0], [2.0, 1.0, 3.0]);
        let units: f64 = from.iter().sum();
        assert_eq!(units, 5.0);
        let dot = |w: [f64; 3]| from.iter().zip(w).map(|(a, b)| a * b).sum::<f64>();
        assert_kpi(&r, web, Kpi::FillRate, 1.0);
        assert_kpi(&r, web, Kpi::FulfilmentCost, dot(cost));
        assert_kpi(&r, web, Kpi::AvgDeliveryDays, dot(days) / units);
        assert_kpi(&r, web, Kpi::ShipFromStoreShare, (from[1] + from[2]) / units);
        for (id, x, start, walk_in) in
            [("dc", from[0], 6.0, 0.0), ("store-a", from[1], 10.0, 6.0), ("store-b", from[2], 10.0, 2.0)]
        {
            assert_kpi(&r, Scope::Location(loc(&m, id)), Kpi::AvgOnHand, start - walk_in - x);
            if walk_in > 0.0 {
                assert_kpi(&r, Scope::Location(loc(&m, id)), Kpi::FillRate, 1.0);
            }
        }
    }
}

/// Protection "all" on every store is the same run, bit for bit, as not listing the stores.
#[test]
fn protecting_everything_is_not_listing_the_store() {
    let text = |nodes: &str, protection: &str| {
        format!(
            r#"
[simulation]
days = 200
replications = 12
seed = 5
unmet_demand = "backorder"
[[skus]]
id = "item"
holding_cost = 0.2
stockout_cost = 2
[[locations]]
id = "sup"
type = "supplier"
[[locations]]
id = "dc"
type = "warehouse"
source = "sup"
lead_time = {{ type = "poisson", mean = 4 }}
policy = {{ type = "s_S", s = 60, S = 120 }}
ship_cost = 2
[[locations]]
id = "store-1"
type = "store"
source = "dc"
lead_time = 2
policy = {{ type = "base_stock", level = 30 }}
ship_cost = 1
delivery_days = 1
{protection}
[[locations]]
id = "store-2"
type = "store"
source = "dc"
lead_time = 1
policy = {{ type = "base_stock", level = 20 }}
{protection}
[[locations]]
id = "web"
type = "online"
fulfil_from = {nodes}
routing = "nearest"
max_wait_days = 3
[[demand]]
location = "store-1"
distribution = {{ type = "poisson", mean = 8 }}
[[demand]]
location = "store-2"
distribution = {{ type = "negative_binomial", mean = 5, sd = 4 }}
[[demand]]
location = "web"
distribution = {{ type = "poisson", mean = 6 }}
"#
        )
    };
    let listed = model(&text(r#"["store-1", "dc", "store-2"]"#, "online_protection = inf"));
    let alone = model(&text(r#"["dc"]"#, ""));
    let (a, b) = (run_model(&listed), run_model(&alone));
    assert_eq!(a.scopes, b.scopes);
    for (i, (x, y)) in a.values.iter().zip(&b.values).enumerate() {
        assert!(x.to_bits() == y.to_bits() || x.is_nan() && y.is_nan(), "value {i}: {x} vs {y}");
    }
    // And the same files.
    let meta = echelon::report::summary::RunMeta::default();
    let (sa, sb) = (a.summaries(), b.summaries());
    assert_eq!(
        echelon::report::summary::summary_json(&listed, &a, &sa, &meta),
        echelon::report::summary::summary_json(&alone, &b, &sb, &meta)
    );
}

/// BOPIS at a store with stock 5 (base-stock 5, lead time 1: full again every morning) and
/// BOPIS demand 6, walk-in 3 a day: BOPIS takes the whole shelf first (5), 1 is cancelled every
/// day, walk-in customers find nothing. With `ship_to_store` the DC ships the missing unit to the
/// store, where its customer picks it up the next day (served late, never cancelled).
#[test]
fn bopis_cancellations_counted_exactly() {
    let text = |fallback: &str, unmet: &str| {
        format!(
            r#"
[simulation]
days = 10
replications = 1
unmet_demand = "{unmet}"
[[skus]]
id = "item"
price = 20
unit_cost = 10
stockout_cost = 1
[[locations]]
id = "sup"
type = "supplier"
[[locations]]
id = "dc"
type = "warehouse"
source = "sup"
policy = {{ type = "base_stock", level = 100 }}
ship_cost = 2
[[locations]]
id = "store"
type = "store"
source = "dc"
lead_time = 1
policy = {{ type = "base_stock", level = 5 }}
bopis_fallback = "{fallback}"
[[demand]]
location = "store"
distribution = {{ type = "constant", value = 3 }}
[[demand]]
location = "store"
channel = "bopis"
distribution = {{ type = "constant", value = 6 }}
"#
        )
    };
    // Lost sales: the store starts every day with 5; BOPIS takes them and 1 is cancelled.
    // Backorders: walk-in backorders raise the store's orders (IP = −3 on day 0: it orders 8,
    // then 9 a day), so BOPIS is short only on day 0: 1 cancelled in 60.
    for (unmet, cancelled_days, walk_in_fill) in [("lost_sales", 10.0, 0.0), ("backorder", 1.0, 0.0)] {
        let m = model(&text("cancel", unmet));
        let r = run_model(&m);
        let bopis = channel(&m, "bopis");
        let cancelled = cancelled_days / 10.0;
        assert_kpi(&r, bopis, Kpi::UnitsDemanded, 6.0);
        assert_kpi(&r, bopis, Kpi::UnitsSold, 6.0 - cancelled);
        assert_kpi(&r, bopis, Kpi::FillRate, (6.0 - cancelled) / 6.0);
        assert_kpi(&r, bopis, Kpi::CancellationRate, cancelled / 6.0);
        assert_kpi(&r, bopis, Kpi::LostSales, cancelled);
        assert_kpi(&r, bopis, Kpi::StockoutRate, cancelled_days / 10.0);
        assert_kpi(&r, bopis, Kpi::StockoutCost, cancelled);
        assert_kpi(&r, bopis, Kpi::AvgBackorders, 0.0);
        assert_kpi(&r, channel(&m, "store"), Kpi::FillRate, walk_in_fill);
        let ship = model(&text("ship_to_store", unmet));
        let r = run_model(&ship);
        let bopis = channel(&ship, "bopis");
        // The units the shelf lacks wait one day (the store's lead time) instead: served late.
        let waited = cancelled;
        assert_kpi(&r, bopis, Kpi::FillRate, (6.0 - waited) / 6.0);
        assert_kpi(&r, bopis, Kpi::CancellationRate, 0.0);
        assert_kpi(&r, bopis, Kpi::LostSales, 0.0);
        assert_kpi(&r, bopis, Kpi::StockoutRate, cancelled_days / 10.0);
        assert_kpi(&r, bopis, Kpi::AvgBackorders, waited);
        // Lost sales: day 9's unit is still on its way at the end; backorders: day 0's arrived.
        let unsold = if unmet == "lost_sales" { 0.1 } else { 0.0 };
        assert_kpi(&r, bopis, Kpi::UnitsSold, 6.0 - unsold);
        // Waiting is charged per unit and day with backorders; a lost-sales run charges lost units.
        assert_kpi(&r, bopis, Kpi::StockoutCost, if unmet == "lost_sales" { 0.0 } else { waited });
        // The DC ships the missing units at 2 each.
        assert_kpi(&r, bopis, Kpi::FulfilmentCost, 2.0 * waited);
        assert_kpi(&r, channel(&ship, "store"), Kpi::FillRate, walk_in_fill);
    }
}

/// BOPIS `ship_to_store`, day by day: a store with base-stock 5 and a lead time of 2 days from
/// its DC, BOPIS orders of 6 a day and no walk-in customers. Each order takes what the shelf has
/// (5 on days the store's replenishment arrives, every second day, else 0); the DC ships the rest
/// to the store, where it arrives 2 days later and is picked up. The orders wait as customer
/// backorders of `store.bopis` in either unmet-demand mode; fill rate counts the shelf's units.
///
/// | day | shelf | from DC | arriving | handed over | waiting at night |
/// |-----|-------|---------|----------|-------------|------------------|
/// | 0   | 5     | 1       | 0        | 5           | 1                |
/// | 1   | 0     | 6       | 0        | 0           | 7                |
/// | 2   | 5     | 1       | 1        | 6           | 7                |
/// | 3   | 0     | 6       | 6        | 6           | 7                |
/// | 4…9 | alternating as on days 2 and 3                       | 6           | 7                |
///
/// Ten days: 60 ordered, 25 handed over the same day, 53 sold, 7 waiting at the end; waiting
/// 1 + 9 × 7 = 64 unit-days (also in transit: each waiting unit is on its way); the DC ships
/// 5 × 1 + 5 × 6 = 35 units at 2.
#[test]
fn bopis_ship_to_store_waits_for_the_source_by_hand() {
    let text = |unmet: &str| {
        format!(
            r#"
[simulation]
days = 10
replications = 1
unmet_demand = "{unmet}"
[[skus]]
id = "item"
price = 20
unit_cost = 10
holding_cost = 0.1
stockout_cost = 1
[[locations]]
id = "sup"
type = "supplier"
[[locations]]
id = "dc"
type = "warehouse"
source = "sup"
policy = {{ type = "base_stock", level = 100 }}
ship_cost = 2
[[locations]]
id = "store"
type = "store"
source = "dc"
lead_time = 2
policy = {{ type = "base_stock", level = 5 }}
bopis_fallback = "ship_to_store"
[[demand]]
location = "store"
channel = "bopis"
distribution = {{ type = "constant", value = 6 }}
"#
        )
    };
    for unmet in ["lost_sales", "backorder"] {
        let m = model(&text(unmet));
        let r = run_model(&m);
        let w = rows(&m, "store.bopis");
        let num = |f: fn(&TraceRow) -> f64| col(&w, f);
        assert_eq!(num(|r| r.demand), vec![6.0; 10]);
        assert_eq!(num(|r| r.sold), [5.0, 0.0, 6.0, 6.0, 6.0, 6.0, 6.0, 6.0, 6.0, 6.0]);
        assert_eq!(num(|r| r.received), [5.0, 0.0, 6.0, 6.0, 6.0, 6.0, 6.0, 6.0, 6.0, 6.0]);
        assert_eq!(num(|r| r.ordered), vec![6.0; 10]);
        assert_eq!(num(|r| r.backorders), [1.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0]);
        assert_eq!(num(|r| r.in_transit), [1.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0]);
        assert_eq!(num(|r| r.lost), vec![0.0; 10]);
        assert_eq!(num(|r| r.on_hand), vec![0.0; 10]);
        // The DC's shipments: the store's 5 every second day from day 0, and the pick-ups.
        let dc = rows(&m, "dc");
        assert_eq!(col(&dc, |r| r.shipped), [6.0, 6.0, 6.0, 6.0, 6.0, 6.0, 6.0, 6.0, 6.0, 6.0]);
        let bopis = channel(&m, "bopis");
        assert_kpi(&r, bopis, Kpi::UnitsDemanded, 6.0);
        assert_kpi(&r, bopis, Kpi::FillRate, 25.0 / 60.0);
        assert_kpi(&r, bopis, Kpi::UnitsSold, 5.3);
        assert_kpi(&r, bopis, Kpi::LostSales, 0.0);
        assert_kpi(&r, bopis, Kpi::CancellationRate, 0.0);
        assert_kpi(&r, bopis, Kpi::StockoutRate, 1.0);
        assert_kpi(&r, bopis, Kpi::AvgBackorders, 6.4);
        assert_kpi(&r, bopis, Kpi::AvgInTransit, 6.4);
        assert_kpi(&r, bopis, Kpi::FulfilmentCost, 7.0);
        // Units on their way to the store are charged the DC's holding cost.
        assert_kpi(&r, bopis, Kpi::InTransitHoldingCost, 0.64);
        assert_kpi(&r, bopis, Kpi::StockoutCost, if unmet == "lost_sales" { 0.0 } else { 6.4 });
        // Units are conserved in the network: 53 sold, 7 still owed to customers at the end.
        assert_kpi(&r, Scope::Network, Kpi::UnitsSold, 5.3);
    }
}

/// A distribution of delivery days is drawn per day; `nearest` ranks nodes by its mean (of the
/// whole days drawn). Store A delivers in 1 or 4 days (mean 2.5), store B in 2: B is nearer and
/// ships all 3 units; with A at 1 or 2 days (mean 1.5), A ships them and the average delivery
/// days are those drawn (1.5 on average, within the standard error).
#[test]
fn random_delivery_days_rank_by_their_mean() {
    let text = |a_days: &str, b_days: &str| {
        format!(
            r#"
[simulation]
days = 40
replications = 100
seed = 8
unmet_demand = "lost_sales"
[[skus]]
id = "item"
[[locations]]
id = "sup"
type = "supplier"
[[locations]]
id = "store-a"
type = "store"
source = "sup"
policy = {{ type = "base_stock", level = 10 }}
delivery_days = {a_days}
[[locations]]
id = "store-b"
type = "store"
source = "sup"
policy = {{ type = "base_stock", level = 10 }}
delivery_days = {b_days}
[[locations]]
id = "web"
type = "online"
fulfil_from = ["store-a", "store-b"]
routing = "nearest"
[[demand]]
location = "web"
distribution = {{ type = "constant", value = 3 }}
"#
        )
    };
    let far = model(&text(r#"{ type = "empirical", values = [1, 4] }"#, "2"));
    let r = run_model(&far);
    let web = Scope::Location(loc(&far, "web"));
    assert_kpi(&r, web, Kpi::AvgDeliveryDays, 2.0);
    assert_kpi(&r, web, Kpi::ShipFromStoreShare, 1.0);
    assert_kpi(&r, Scope::Location(loc(&far, "store-b")), Kpi::AvgOnHand, 7.0);
    assert_kpi(&r, Scope::Location(loc(&far, "store-a")), Kpi::AvgOnHand, 10.0);
    let near = model(&text(r#"{ type = "empirical", values = [1, 2] }"#, "2"));
    let r = run_model(&near);
    assert_kpi(&r, Scope::Location(loc(&near, "store-a")), Kpi::AvgOnHand, 7.0);
    // Each replication's average is that of 40 draws of 1 or 2 days: mean 1.5, sd 0.5 / √40.
    let s = summary(&r, Scope::Location(loc(&near, "web")), Kpi::AvgDeliveryDays);
    assert!(s.sd > 0.0 && (s.mean - 1.5).abs() <= 3.0 * s.se + 1e-9, "{} ± {}", s.mean, s.se);
    assert!((s.sd - 0.5 / 40f64.sqrt()).abs() < 0.25 * 0.5 / 40f64.sqrt(), "sd {}", s.sd);
    // A distribution with one value is the fixed number, bit for bit (its own stream draws
    // change nothing else).
    let (one, fixed) = (model(&text(r#"{ type = "uniform", min = 2, max = 2 }"#, "2")), model(&text("2", "2")));
    let (a, b) = (run_model(&one), run_model(&fixed));
    assert_eq!(a.scopes, b.scopes);
    for (i, (x, y)) in a.values.iter().zip(&b.values).enumerate() {
        assert!(x.to_bits() == y.to_bits() || x.is_nan() && y.is_nan(), "value {i}: {x} vs {y}");
    }
}

/// A marketplace pool filled with 50 units, selling 3 a day for 10 days at a fee of 2: fees 6 a
/// day, 20 units stranded (value 200 at cost 10), removal 1.5 each = 3 a day of the horizon, net
/// revenue (25 × 30 − 60) ÷ 10 = 69 a day.
#[test]
fn marketplace_fees_and_stranded_stock_by_hand() {
    let m = model(
        r#"
[simulation]
days = 10
replications = 1
unmet_demand = "lost_sales"
[[skus]]
id = "item"
unit_cost = 10
price = 25
holding_cost = 0.1
[[locations]]
id = "sup"
type = "supplier"
[[locations]]
id = "pool"
type = "marketplace"
source = "sup"
policy = { type = "none" }
initial_on_hand = 50
fee_per_unit = 2
removal_cost = 1.5
[[demand]]
location = "pool"
distribution = { type = "constant", value = 3 }
"#,
    );
    let r = run_model(&m);
    for scope in [Scope::Network, channel(&m, "marketplace"), Scope::Location(loc(&m, "pool"))] {
        assert_kpi(&r, scope, Kpi::UnitsSold, 3.0);
        assert_kpi(&r, scope, Kpi::MarketplaceFees, 6.0);
        assert_kpi(&r, scope, Kpi::StrandedUnits, 20.0);
        assert_kpi(&r, scope, Kpi::StrandedValue, 200.0);
        assert_kpi(&r, scope, Kpi::RemovalCost, 3.0);
        assert_kpi(&r, scope, Kpi::NetRevenue, 69.0);
        // Storage: Σ end-of-day stock 47 + 44 + … + 20 = 335 units at 0.1; removal 3 a day.
        assert_kpi(&r, scope, Kpi::HoldingCost, 3.35);
        assert_kpi(&r, scope, Kpi::TotalCost, 3.35 + 3.0);
    }
}

/// A DC with two stores; customer demand `dc_demand` either at the DC itself or on an online
/// location shipped only from the DC (a deterministic sequence, so both runs draw the same).
fn dc_online(online: bool, unmet: &str) -> String {
    let (extra, at) = if online {
        ("[[locations]]\nid = \"web\"\ntype = \"online\"\nfulfil_from = [\"dc\"]\n", "web")
    } else {
        ("", "dc")
    };
    format!(
        r#"
[simulation]
days = 150
replications = 6
seed = 3
unmet_demand = "{unmet}"
[[skus]]
id = "item"
unit_cost = 8
price = 12
holding_cost = 0.1
stockout_cost = 1
[[locations]]
id = "sup"
type = "supplier"
[[locations]]
id = "dc"
type = "warehouse"
source = "sup"
lead_time = 5
policy = {{ type = "base_stock", level = 90 }}
[[locations]]
id = "s1"
type = "store"
source = "dc"
lead_time = 2
policy = {{ type = "base_stock", level = 20 }}
[[locations]]
id = "s2"
type = "store"
source = "dc"
lead_time = 1
policy = {{ type = "s_S", s = 4, S = 15 }}
{extra}
[[demand]]
location = "s1"
distribution = {{ type = "poisson", mean = 6 }}
[[demand]]
location = "s2"
distribution = {{ type = "poisson", mean = 4 }}
[[demand]]
location = "{at}"
distribution = {{ type = "sequence", values = [3, 9, 0, 14, 6, 2, 11, 5] }}
"#
    )
}

/// Online demand fulfilled only from the DC is the same demand placed at the DC: the network's
/// service, stocks, costs and flows agree replication by replication, in both modes.
#[test]
fn online_only_from_the_dc_is_demand_at_the_dc() {
    for unmet in ["lost_sales", "backorder"] {
        let (a, b) = (model(&dc_online(false, unmet)), model(&dc_online(true, unmet)));
        let (ra, rb) = (run_model(&a), run_model(&b));
        // The DC runs short, so waiting or lost orders are part of what agrees.
        let short = if unmet == "backorder" { Kpi::AvgBackorders } else { Kpi::LostSales };
        assert!(ra.series(0, short).iter().all(|&x| x > 0.0), "{unmet}: the DC is never short");
        for k in [
            Kpi::FillRate,
            Kpi::StockoutRate,
            Kpi::AvgOnHand,
            Kpi::AvgBackorders,
            Kpi::AvgInTransit,
            Kpi::LostSales,
            Kpi::UnitsDemanded,
            Kpi::UnitsSold,
            Kpi::HoldingCost,
            Kpi::StockoutCost,
            Kpi::TotalCost,
            Kpi::OrdersPerDay,
            Kpi::InventoryTurnover,
            Kpi::SellThrough,
            Kpi::Gmroi,
        ] {
            let (x, y) = (ra.series(0, k), rb.series(0, k));
            for (rep, (x, y)) in x.iter().zip(y).enumerate() {
                assert!(close(*x, *y, 1e-12), "{unmet} {} replication {rep}: at the DC {x}, online {y}", k.name());
            }
        }
    }
}

/// Eppen's square-root law (Eppen 1979): four regions' online demand, each N(100, 20²) a day,
/// served by four regional DCs or by one pooled DC, every DC at the same cycle service (z = 1.2816,
/// 90 %) with a one-day lead time. A DC's end-of-day stock is (S − D)⁺, with mean
/// σ_X (z + L(z)) where σ_X is its demand's sd and L the standard loss function: four regional
/// DCs hold 4σ(z + L(z)), the pooled one 2σ(z + L(z)) — half, √4 times less, for the same
/// service. Checked within the standard error.
#[test]
fn risk_pooling_square_root_law() {
    let (mu, sigma, z) = (100.0, 20.0, 1.2815515655446004);
    let text = |pooled: bool| {
        let mut t = String::from(
            "[simulation]\ndays = 2000\nwarmup_days = 10\nreplications = 40\nseed = 7\nunmet_demand = \"backorder\"\n\
             [[skus]]\nid = \"item\"\n[[locations]]\nid = \"sup\"\ntype = \"supplier\"\n",
        );
        let dcs = if pooled { 1 } else { 4 };
        let level = |n: f64| n * mu + z * sigma * n.sqrt();
        for i in 0..dcs {
            let s = level(if pooled { 4.0 } else { 1.0 });
            t += &format!(
                "[[locations]]\nid = \"dc-{i}\"\ntype = \"warehouse\"\nsource = \"sup\"\nlead_time = 1\npolicy = {{ type = \"base_stock\", level = {s:?} }}\n"
            );
        }
        for r in 0..4 {
            let node = if pooled { 0 } else { r };
            t += &format!(
                "[[locations]]\nid = \"web-{r}\"\ntype = \"online\"\nfulfil_from = [\"dc-{node}\"]\n[[demand]]\nlocation = \"web-{r}\"\ndistribution = {{ type = \"normal\", mean = {mu:?}, sd = {sigma:?} }}\n"
            );
        }
        t
    };
    let held = |pooled: bool| {
        let m = model(&text(pooled));
        summary(&run_model(&m), Scope::Network, Kpi::AvgOnHand)
    };
    let (four, one) = (held(false), held(true));
    let per_sd = z + std_loss(z);
    assert_golden("four regional DCs: stock held", &four, 4.0 * sigma * per_sd);
    assert_golden("one pooled DC: stock held", &one, 2.0 * sigma * per_sd);
    // The ratio is √4 = 2, within the standard error of the two means (delta method).
    let ratio = four.mean / one.mean;
    let se = ratio * ((four.se / four.mean).powi(2) + (one.se / one.mean).powi(2)).sqrt();
    println!("regional ÷ pooled stock: {ratio:.4} ± {se:.4} (se); Eppen: 2");
    assert!((ratio - 2.0).abs() <= 3.0 * se + 0.01, "ratio {ratio} vs √4 = 2 (se {se})");
}

/// Online orders that no node can fill wait `max_wait_days` = 2 days and are cancelled on the
/// third morning: orders of 2 a day against an empty DC wait 2, 4, 6, 6, 6, 6 units at the end of
/// days 0–5 and 2 are cancelled on each of days 3–5 (6 of 12 demanded); the cost charges
/// each waiting unit per day and each cancelled unit once: (30 + 6) ÷ 6 = 6 a day.
#[test]
fn waiting_online_orders_are_cancelled_after_max_wait_days() {
    let m = model(
        r#"
[simulation]
days = 6
replications = 1
unmet_demand = "backorder"
[[skus]]
id = "item"
stockout_cost = 1
[[locations]]
id = "sup"
type = "supplier"
[[locations]]
id = "dc"
type = "warehouse"
source = "sup"
policy = { type = "none" }
initial_on_hand = 0
[[locations]]
id = "web"
type = "online"
fulfil_from = ["dc"]
max_wait_days = 2
[[demand]]
location = "web"
distribution = { type = "constant", value = 2 }
"#,
    );
    let r = run_model(&m);
    let web = Scope::Location(loc(&m, "web"));
    assert_kpi(&r, web, Kpi::UnitsDemanded, 2.0);
    assert_kpi(&r, web, Kpi::CancellationRate, 0.5);
    assert_kpi(&r, web, Kpi::LostSales, 1.0);
    assert_kpi(&r, web, Kpi::AvgBackorders, 5.0);
    assert_kpi(&r, web, Kpi::StockoutCost, 6.0);
    let w = rows(&m, "web");
    assert_eq!(col(&w, |r| r.backorders), units(&[2, 4, 6, 6, 6, 6]));
    assert_eq!(col(&w, |r| r.lost), units(&[0, 0, 0, 2, 2, 2]));
}

/// Bad channel input is an error that says what to write.
#[test]
fn channel_errors_say_what_to_write() {
    let base = one_store("", "lost_sales");
    for (from, to, want) in [
        ("fulfil_from = [\"store\"]", "fulfil_from = [\"stor\"]", "did you mean 'store'"),
        ("type = \"online\"", "type = \"onlien\"", "did you mean \"online\""),
        ("fulfil_from = [\"store\"]", "fulfil_from = [\"sup\"]", "cannot ship online orders"),
        ("fulfil_from = [\"store\"]", "fulfil_from = [\"store\"]\nrouting = \"fastest\"", "routing is one of"),
        ("fulfil_from = [\"store\"]", "fulfil_from = [\"store\"]\nsource = \"sup\"", "holds no stock"),
        ("value = 3 }", "value = 3 }\nchannel = \"bopis\"", "does not fit a location of type online"),
        ("delivery_days = 2", "delivery_days = 2\nfee_per_unit = 1", "locations of type \"marketplace\""),
        ("source = \"sup\"\npolicy", "source = \"web\"\npolicy", "supplies no one"),
    ] {
        let text = base.replacen(from, to, 1);
        let err = Scenario::parse("t.toml", &text).expect_err(to).to_string();
        assert!(err.contains(want), "{to}: {err}");
    }
}

/// A replication gives the same bits in a pair of lanes as alone, with every channel at work
/// (the omnichannel scenario, shipping from stores, under the marketplace slump).
#[test]
fn channel_replications_do_not_depend_on_their_lane_partner() {
    use echelon::runner::Keep;
    use echelon::simulation::Simulation;
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/omnichannel.toml")).unwrap();
    let m = variant(&text, Some("ship-from-store-protected"), Some("marketplace-slump"));
    let run = |range| Simulation::new(&m).seed(3).threads(1).replications(range).keep(Keep::All).run().unwrap();
    let (paired, alone) = (run(0..4), run(1..2));
    for s in 0..paired.scopes.len() {
        for k in Kpi::ALL {
            let (x, y) = (paired.series(s, k)[1], alone.series(s, k)[0]);
            assert!(
                x.to_bits() == y.to_bits() || x.is_nan() && y.is_nan(),
                "{:?} {}: {x} vs {y}",
                paired.scopes[s],
                k.name()
            );
        }
    }
}

/// Shipping capacity covers online shipments and replenishment together; online orders, routed
/// before replenishment, take theirs first. One day: a DC (stock 10) ships online orders of 6,
/// and its store (2 on hand, walk-in 3, base-stock 5) orders 5: with capacity 4 the web shop gets
/// 4 and the store nothing; with 8 the web shop gets 6 and the store 2; unlimited, 6 and the 4
/// the DC has left.
#[test]
fn capacity_limits_online_shipments_first() {
    for (capacity, online, to_store) in
        [("capacity_per_day = 4", 4.0, 0.0), ("capacity_per_day = 8", 6.0, 2.0), ("", 6.0, 4.0)]
    {
        let m = model(&format!(
            r#"
[simulation]
days = 1
replications = 1
unmet_demand = "lost_sales"
[[skus]]
id = "item"
[[locations]]
id = "sup"
type = "supplier"
[[locations]]
id = "dc"
type = "warehouse"
source = "sup"
policy = {{ type = "base_stock", level = 10 }}
{capacity}
[[locations]]
id = "store"
type = "store"
source = "dc"
policy = {{ type = "base_stock", level = 5 }}
initial_on_hand = 2
[[locations]]
id = "web"
type = "online"
fulfil_from = ["dc"]
[[demand]]
location = "store"
distribution = {{ type = "constant", value = 3 }}
[[demand]]
location = "web"
distribution = {{ type = "constant", value = 6 }}
"#
        ));
        // The store sells its 2 units, loses 1 and orders 5 − 0 = 5; the DC ships it what is left.
        let (dc, store, web) = (rows(&m, "dc"), rows(&m, "store"), rows(&m, "web"));
        assert_eq!((web[0].sold, web[0].lost), (online, 6.0 - online), "{capacity}");
        assert_eq!(store[0].ordered, 5.0);
        assert_eq!((dc[0].shipped, store[0].in_transit), (online + to_store, to_store), "{capacity}");
        assert_eq!(dc[0].on_hand, 10.0 - online - to_store);
    }
}
