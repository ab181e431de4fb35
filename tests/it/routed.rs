//! Nodes plan for the online demand they ship (issue 14, unified versus siloed planning).
//!
//! Each routing rule's planning share by hand (preference, nearest and cheapest with ties,
//! most_stock, siloed, a node kept whole), and the defining equivalence: a store that ships a
//! constant online demand from plentiful stock orders, is pushed and forecasts exactly as if the
//! same demand came to its counter — with levels in days of cover, forecast-driven levels and
//! push — while a siloed store plans for its walk-in demand alone.

use crate::common::*;

/// A supplier, a DC (two delivery days, ship cost 6), stores `s1` (one day, 4) and `s2` (one day,
/// 5) supplied by the DC, and a web shop with Poisson(12) orders; `web` and `s1` are extra keys.
fn network(web: &str, s1: &str, records: &str) -> String {
    // A stocking node that may ship online orders, with its base-stock level in days of cover.
    let node = |id: &str, kind: &str, source: &str, lead: u32, days: u32, cost: f64, extra: &str| {
        format!(
            "[[locations]]\nid = \"{id}\"\ntype = \"{kind}\"\nsource = \"{source}\"\nlead_time = {lead}\n\
             policy = {{ type = \"base_stock\", level = {{ days = 5 }} }}\n\
             delivery_days = {days}\nship_cost = {cost:.1}\n{extra}\n"
        )
    };
    let demand = |at: &str, mean: u32| {
        format!("[[demand]]\nlocation = \"{at}\"\ndistribution = {{ type = \"poisson\", mean = {mean} }}\n")
    };
    format!(
        "[simulation]\ndays = 10\nreplications = 1\n\n[[locations]]\nid = \"supplier\"\ntype = \"supplier\"\n\n\
         {}\n{}\n{}\n[[locations]]\nid = \"web\"\ntype = \"online\"\n{web}\n\n{}\n{}\n{}\n{records}\n",
        node("dc", "warehouse", "supplier", 3, 2, 6.0, ""),
        node("s1", "store", "dc", 1, 1, 4.0, s1),
        node("s2", "store", "dc", 1, 1, 5.0, ""),
        demand("s1", 3),
        demand("s2", 2),
        demand("web", 12),
    )
}

/// (routed mean, routed variance) of the positions at dc, s1, s2.
fn routed(text: &str) -> [(f64, f64); 3] {
    let sc = scenario(text);
    let at = |id: &str| {
        let l = sc.locations.iter().position(|l| l.id == id).unwrap();
        let p = sc.positions.iter().find(|p| p.location == l).unwrap();
        (p.routed_daily_demand, p.routed_var)
    };
    [at("dc"), at("s1"), at("s2")]
}

/// `got` equals `want` to 1e-12 (variances pass through a square root and back).
fn near(got: [(f64, f64); 3], want: [(f64, f64); 3]) {
    let ok = got.iter().zip(&want).all(|(g, w)| close(g.0, w.0, 1e-12) && close(g.1, w.1, 1e-12));
    assert!(ok, "got {got:?}, want {want:?}");
}

/// Each rule by hand. A share s of Poisson(12) plans as Poisson(12 s); a DC plans for what its
/// stores ship plus its own share, so with every node below or at it, it plans for all 12.
/// Ties go where routing sends an order first: the tied node listed first.
#[test]
fn each_rule_sends_its_share_to_the_nodes_it_ranks_first() {
    let all = "fulfil_from = [\"dc\", \"s1\", \"s2\"]";
    let rule = |r: &str| routed(&network(&format!("{all}\nrouting = \"{r}\""), "", ""));
    // The list's first node: the DC.
    near(rule("preference"), [(12.0, 12.0), (0.0, 0.0), (0.0, 0.0)]);
    // One delivery day at both stores: routing asks s1 first (list order), so s1 plans for all.
    near(rule("nearest"), [(12.0, 12.0), (12.0, 12.0), (0.0, 0.0)]);
    let listed_s2_first = network("fulfil_from = [\"dc\", \"s2\", \"s1\"]\nrouting = \"nearest\"", "", "");
    near(routed(&listed_s2_first), [(12.0, 12.0), (0.0, 0.0), (12.0, 12.0)]);
    // s1 ships cheapest.
    near(rule("cheapest"), [(12.0, 12.0), (12.0, 12.0), (0.0, 0.0)]);
    // Every node evenly: the DC's own third and its stores' two.
    near(rule("most_stock"), [(12.0, 12.0), (4.0, 4.0), (4.0, 4.0)]);
    // Siloed: the web shop does not see store stock; the DC plans for all of it.
    let siloed = network(&format!("{all}\nrouting = \"nearest\""), "", "[records]\nvisibility = \"siloed\"");
    near(routed(&siloed), [(12.0, 12.0), (0.0, 0.0), (0.0, 0.0)]);
    // A store kept whole from online orders ships none and plans for none.
    let kept = network(&format!("{all}\nrouting = \"nearest\""), "online_protection = \"all\"", "");
    near(routed(&kept), [(12.0, 12.0), (0.0, 0.0), (12.0, 12.0)]);
    // Without online demand nothing is routed, and levels are as before.
    let sc = scenario(&network(all, "", "").replace("mean = 12", "mean = 0"));
    assert!(sc.positions.iter().all(|p| p.routed_daily_demand == 0.0), "zero demand routes nothing");
}

/// Levels in days of cover count the share: s1's level is 5 days × (3 walk-in + 6 online) = 45
/// under `most_stock` with s1 and s2 (half each); its customers' demand (`mean_daily_demand`,
/// protection, positions.csv) does not.
#[test]
fn levels_count_the_share_and_customer_demand_does_not() {
    let sc = scenario(&network("fulfil_from = [\"s1\", \"s2\"]\nrouting = \"most_stock\"", "", ""));
    let l = sc.locations.iter().position(|l| l.id == "s1").unwrap();
    let p = sc.positions.iter().find(|p| p.location == l).unwrap();
    assert_eq!(p.mean_daily_demand, 3.0);
    let (mean, var) = p.planned();
    assert!(close(mean, 9.0, 1e-12) && close(var, 9.0, 1e-12), "{mean} {var}");
    match p.policy.kind {
        echelon::policy::PolicyKind::BaseStock { level } => assert_eq!(level, 45.0),
        k => panic!("{k:?}"),
    }
}

/// One store with plentiful stock, supplied by a DC (lead time 1), `walk_in` units a day at its
/// counter and `online` a day from a web shop it alone ships; `store` and `dc` are extra keys.
fn one_node(walk_in: u32, online: u32, store: &str, dc: &str, records: &str) -> String {
    format!(
        r#"
[simulation]
days = 12
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
{dc}

[[locations]]
id = "store"
type = "store"
source = "dc"
lead_time = 1
initial_on_hand = 12
{store}

[[locations]]
id = "web"
type = "online"
fulfil_from = ["store"]

[[demand]]
location = "store"
distribution = {{ type = "constant", value = {walk_in} }}

[[demand]]
location = "web"
distribution = {{ type = "constant", value = {online} }}

{records}
"#
    )
}

/// The store's `received` column of the trace: what its DC sent it, day by day.
fn store_received(text: &str) -> Vec<f64> {
    col(&rows(&model(text), "store"), |r| r.received)
}

/// Under the unified view, 2 walk-in + 1 online a day at a store is planned exactly like 3
/// walk-in: by a level in days of cover, a forecast-driven level (the forecast sees the online
/// shipments) and a DC's push (plan and moving-average forecasts). Siloed, the store plans for
/// its 2 walk-in units alone, so it receives less (its level is 10 below, then 2 a day).
#[test]
fn a_unified_store_plans_online_orders_like_its_own_customers() {
    let cases = [
        ("policy = { type = \"base_stock\", level = { days = 5 } }", ""),
        (
            "policy = { type = \"base_stock\", level = { days = 5 }, forecast = { method = \"moving_average\", window = 2 } }",
            "",
        ),
        (
            "policy = { type = \"none\" }",
            "push = { cycle_days = 1, buffer = { days = 4 }, forecast = { method = \"plan\" } }",
        ),
        (
            "policy = { type = \"none\" }",
            "push = { cycle_days = 1, buffer = { days = 4 }, forecast = { method = \"moving_average\", window = 3 } }",
        ),
    ];
    for (store, dc) in cases {
        let counter = store_received(&one_node(3, 0, store, dc, ""));
        let shipped = store_received(&one_node(2, 1, store, dc, ""));
        assert_eq!(shipped, counter, "{store} {dc}");
        assert!(counter.iter().sum::<f64>() > 0.0, "the store is supplied: {store} {dc}");
    }
    // Siloed, the web shop's orders stay with the DC and the store plans for walk-in alone.
    let (store, dc) = cases[0];
    let siloed = store_received(&one_node(2, 1, store, dc, "[records]\nvisibility = \"siloed\""));
    assert_eq!(siloed, store_received(&one_node(2, 0, store, dc, "")));
}

/// Lesson 11's claim: shipping from stores under the unified view, store-01 — asked first of the
/// four stores tied at one delivery day — plans for the web shop's orders and serves its own
/// customers at least as well as under central fulfilment, while every other store serves its
/// customers worse, from a store DC (its level in units, for walk-in demand) that holds less.
#[test]
fn the_store_routing_asks_first_plans_for_online_orders_and_the_others_pay() {
    use echelon::kpi::Kpi;
    use echelon::runner::Scope;
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/omnichannel.toml")).unwrap();
    let (central, ship) = (variant(&text, Some("central"), None), variant(&text, Some("ship-from-store"), None));
    let (rc, rs) = (run_with(&central, 40, 1), run_with(&ship, 40, 1));
    let fill = |m: &echelon::Model, r: &echelon::runner::RunResult, id: &str| {
        summary(r, Scope::Location(loc(m, id)), Kpi::FillRate).mean
    };
    for i in 1..=10 {
        let id = format!("store-{i:02}");
        let (c, s) = (fill(&central, &rc, &id), fill(&ship, &rs, &id));
        if i == 1 {
            assert!(s >= c, "{id} ships online orders and plans for them: {s} against {c} central");
        } else {
            assert!(s < c - 0.05, "{id} pays: {s} against {c} central");
        }
    }
    let on_hand = |m: &echelon::Model, r: &echelon::runner::RunResult| {
        summary(r, Scope::Location(loc(m, "store-dc")), Kpi::AvgOnHand).mean
    };
    assert!(on_hand(&ship, &rs) < 0.5 * on_hand(&central, &rc), "the store DC runs short");
}
