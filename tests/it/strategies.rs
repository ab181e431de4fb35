//! Strategies (issue 3): each allocation strategy's defining behaviour, end to end through
//! scenario files, strategy overlays and the engine.
//!
//! Deterministic cases use `sequence` demand and are checked against day-by-day hand
//! computations on the trace (the day of DESIGN.md §2: arrivals, demand, decisions — stores
//! before warehouses, a push warehouse allocating at its turn — then shipping, then transfers
//! and reserve releases at the end of the day). Stochastic cases compare strategies on common
//! random numbers with margins far beyond the Monte Carlo noise, and print what they measure.

use std::path::Path;

use echelon::kpi::Kpi;
use echelon::policy::PolicyKind;
use echelon::runner::{RunResult, Scope};
use echelon::scenario::Variant;
use echelon::{Model, Scenario};

use crate::common::*;

/// The value of a KPI in every replication of a scope.
fn series(r: &RunResult, scope: Scope, kpi: Kpi) -> Vec<f64> {
    r.series(r.scope_index(scope).unwrap_or_else(|| panic!("no scope {scope:?}")), kpi).to_vec()
}

/// Mean and standard error of the per-replication differences `a − b` (common random numbers).
fn paired(a: &[f64], b: &[f64]) -> (f64, f64) {
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let n = d.len() as f64;
    let mean = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Mean of a sample.
fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

// ---------------------------------------------------------------------------------------------
// 1. Push.

/// A DC pushes weekly (cycle 7, offset 0) to two stores that never order (policy `none`, no
/// initial stock). Each store is sent its forecast need over lead time + cycle − 1 = 7 days plus
/// a buffer of 2 units, minus its inventory position. Demand repeats weekly and starts only on
/// day 2, so the first push (day 0, when no demand has been seen: the moving average falls back
/// to the plan, the expected demand) arrives before any demand does.
const PUSH: &str = r#"
[simulation]
days = 21
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
lead_time = 1
policy = { type = "base_stock", level = 100 }
push = { cycle_days = 7, buffer = 2, forecast = { method = "moving_average", window = 7 } }

[[locations]]
id = "s1"
type = "store"
source = "dc"
lead_time = 1
policy = { type = "none" }

[[locations]]
id = "s2"
type = "store"
source = "dc"
lead_time = 1
policy = { type = "none" }

[[demand]]
location = "s1"
distribution = { type = "sequence", values = [0, 0, 4, 4, 4, 4, 4] }

[[demand]]
location = "s2"
distribution = { type = "sequence", values = [0, 0, 1, 2, 3, 0, 1] }
"#;

#[test]
fn push_ships_before_demand_and_stores_never_order() {
    // The plan forecast (perfect knowledge of the mean) gives the same pushes here: the moving
    // average of a weekly pattern over a 7-day window is its mean, and the first push of the
    // moving average, without history, is the plan.
    let plan = PUSH.replace(r#"method = "moving_average", window = 7"#, r#"method = "plan""#);
    // Forecast errors (1-day forecasts, charged to each store; s1 shown). The plan says 20/7
    // every day; the moving average says the mean of the days seen so far (at most 7): 0, 0,
    // 4/3, 2, 12/5, 8/3 for days 1–6, then 20/7. s1 sells 0 on days ≡ 0, 1 (mod 7), else 4; 60
    // units on days 1–20. Σ|F − D|: plan 5 × 20/7 + 15 × 8/7 = 220/7; moving average
    // 0 + 4 + 8/3 + 2 + 8/5 + 4/3 (days 1–6) + 4 × 20/7 + 10 × 8/7 (days 7–20) = 11.6 + 160/7.
    // Σ(F − D): plan 400/7 − 60; moving average 8.4 + 40 − 60.
    let errors = [(11.6 + 160.0 / 7.0, 8.4 + 40.0 - 60.0), (220.0 / 7.0, 400.0 / 7.0 - 60.0)];
    for (text, (abs_err, err)) in [PUSH, plan.as_str()].into_iter().zip(errors) {
        let m = model(text);
        let (dc, s1, s2) = (rows(&m, "dc"), rows(&m, "s1"), rows(&m, "s2"));
        // Day 0: s1 needs 7 × 20/7 + 2 − 0 = 22, s2 needs 7 × 1 + 2 − 0 = 9: 31 leave the DC and
        // arrive on day 1. Day 7: s1 has 2 left (22 − 20), gets 20; s2 has 2 left (9 − 7), gets 7.
        let mut s1_rec = vec![0; 21];
        let mut s2_rec = vec![0; 21];
        let mut dc_ship = vec![0; 21];
        (s1_rec[1], s1_rec[8], s1_rec[15]) = (22, 20, 20);
        (s2_rec[1], s2_rec[8], s2_rec[15]) = (9, 7, 7);
        (dc_ship[0], dc_ship[7], dc_ship[14]) = (31, 27, 27);
        assert_eq!(col(&s1, |r| r.received), units(&s1_rec), "s1 received");
        assert_eq!(col(&s2, |r| r.received), units(&s2_rec), "s2 received");
        assert_eq!(col(&dc, |r| r.shipped), units(&dc_ship), "dc shipped (push days only)");
        // Stores never order.
        assert_eq!(col(&s1, |r| r.ordered), vec![0.0; 21]);
        assert_eq!(col(&s2, |r| r.ordered), vec![0.0; 21]);
        // The first units arrive on day 1, the first demand on day 2.
        let first_demand = s1.iter().chain(&s2).filter(|r| r.demand > 0.0).map(|r| r.day).min();
        let first_receipt = s1.iter().chain(&s2).filter(|r| r.received > 0.0).map(|r| r.day).min();
        assert_eq!((first_receipt, first_demand), (Some(1), Some(2)));
        // Stocks follow: s1 22 − 4 a day from day 2 to 6, s2 9 − 1, 2, 3, 0, 1.
        let week1 = |v: [i64; 7]| -> Vec<f64> { units(&v).into_iter().cycle().take(20).collect() };
        assert_eq!(col(&s1, |r| r.on_hand)[1..], week1([22, 18, 14, 10, 6, 2, 2])[..]);
        assert_eq!(col(&s2, |r| r.on_hand)[1..], week1([9, 8, 6, 3, 3, 2, 2])[..]);
        // The DC reorders what it pushed (base-stock 100, lead time 1).
        let mut dc_oh = vec![100.0; 21];
        (dc_oh[0], dc_oh[7], dc_oh[14]) = (69.0, 73.0, 73.0);
        assert_eq!(col(&dc, |r| r.on_hand), dc_oh);
        assert_eq!(col(&dc, |r| r.ordered), units(&dc_ship));
        // Nobody waits: every unit is served the day it is demanded.
        let r = run_with(&m, 1, 1);
        assert_eq!(series(&r, Scope::Network, Kpi::FillRate), vec![1.0]);
        let s1_scope = Scope::Location(loc(&m, "s1"));
        let (mape, bias) = (series(&r, s1_scope, Kpi::ForecastMape)[0], series(&r, s1_scope, Kpi::ForecastBias)[0]);
        assert!(close(mape, abs_err / 60.0, 1e-12), "forecast MAPE {mape}, hand computation {}", abs_err / 60.0);
        assert!(close(bias, err / 60.0, 1e-12), "forecast bias {bias}, hand computation {}", err / 60.0);
    }
}

// ---------------------------------------------------------------------------------------------
// 2. JIT against pull with safety stock.

/// A DC with plenty of stock feeds three stores (Poisson demand, lead time 2). JIT stores order
/// up to the expected demand over the lead time (`lead_time_cover = 1`, S = 2μ, no safety
/// stock); pull stores up to a 98 % cycle-service level (S = 2μ + z·σ·√2). The `noise` stress
/// test adds normal noise of sd 1.5 days to the stores' lead times. A service level is resolved
/// after the stress is applied, so the pull stores size their safety stock for the noisy lead
/// time (σ² of demand over the lead time then includes μ²·σ_L²) — that is what planning with
/// safety stock means; JIT's cover depends on the mean lead time only.
const JIT_PULL: &str = r#"
[simulation]
days = 365
warmup_days = 30
replications = 60
seed = 5

[[skus]]
id = "item"
holding_cost = 1.0

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "dc"
type = "warehouse"
source = "supplier"
lead_time = 2
policy = { type = "base_stock", level = { days = 12 } }

[[locations]]
id = "s1"
type = "store"
source = "dc"
lead_time = 2
policy = { type = "base_stock", level = { days = 4 } }

[[locations]]
id = "s2"
type = "store"
source = "dc"
lead_time = 2
policy = { type = "base_stock", level = { days = 4 } }

[[locations]]
id = "s3"
type = "store"
source = "dc"
lead_time = 2
policy = { type = "base_stock", level = { days = 4 } }

[[demand]]
location = "s1"
distribution = { type = "poisson", mean = 20 }

[[demand]]
location = "s2"
distribution = { type = "poisson", mean = 12 }

[[demand]]
location = "s3"
distribution = { type = "poisson", mean = 8 }

[strategies.jit]
stores = { policy = { type = "base_stock", level = { lead_time_cover = 1.0 } } }

[strategies.pull]
stores = { policy = { type = "base_stock", level = { service = 0.98 } } }

[stress.noise]
lead_time = { locations = ["s1", "s2", "s3"], extra_sd = 1.5 }
"#;

#[test]
fn jit_holds_less_stock_and_suffers_more_from_noisy_lead_times() {
    let reps = 60;
    let run = |strategy: &str, stress: Option<&str>| run_with(&variant(JIT_PULL, Some(strategy), stress), reps, 5);
    let (jit, jit_noise, pull, pull_noise) =
        (run("jit", None), run("jit", Some("noise")), run("pull", None), run("pull", Some("noise")));
    let net = Scope::Network;
    let m = variant(JIT_PULL, Some("jit"), None);
    let stores: Vec<Scope> = ["s1", "s2", "s3"].iter().map(|s| Scope::Location(loc(&m, s))).collect();
    let store_oh = |r: &RunResult| -> f64 { stores.iter().map(|&s| mean(&series(r, s, Kpi::AvgOnHand))).sum() };
    let fill = |r: &RunResult| series(r, net, Kpi::FillRate);
    println!(
        "store on hand: jit {:.2}, pull {:.2}; fill calm/noise: jit {:.4}/{:.4}, pull {:.4}/{:.4}",
        store_oh(&jit),
        store_oh(&pull),
        mean(&fill(&jit)),
        mean(&fill(&jit_noise)),
        mean(&fill(&pull)),
        mean(&fill(&pull_noise))
    );
    let drop = |calm: &RunResult, noisy: &RunResult| -> Vec<f64> {
        fill(calm).iter().zip(fill(noisy)).map(|(a, b)| a - b).collect()
    };
    let (did, se) = paired(&drop(&jit, &jit_noise), &drop(&pull, &pull_noise));
    println!("fill lost to noise, jit − pull: {did:.4} ± {se:.4}");
    // The same with both strategies' store levels frozen at their calm values (units), so that
    // only the stock itself, not its resizing to the longer mean of the rounded noisy lead times,
    // absorbs the noise.
    let frozen = |strategy: &str| {
        let calm = variant(JIT_PULL, Some(strategy), None);
        let patches = ["s1", "s2", "s3"]
            .iter()
            .map(|s| {
                let q = calm.positions_of(loc(&calm, s))[0];
                let PolicyKind::BaseStock { level } = calm.stock.policy[q].kind else { panic!("base-stock") };
                echelon::scenario::Patch::parse(&format!("locations.{s}.policy.level={level}"), "test").unwrap()
            })
            .collect();
        let v = Variant { strategy: Some(strategy.into()), stress: Some("noise".into()), patches };
        run_with(&Model::compile(&Scenario::parse_variant("test.toml", JIT_PULL, &v).unwrap()), reps, 5)
    };
    let (jit_frozen, pull_frozen) = (frozen("jit"), frozen("pull"));
    let (did2, se2) = paired(&drop(&jit, &jit_frozen), &drop(&pull, &pull_frozen));
    println!(
        "with frozen levels: jit fill {:.4}, pull fill {:.4}, jit − pull {did2:.4} ± {se2:.4}",
        mean(&fill(&jit_frozen)),
        mean(&fill(&pull_frozen))
    );
    assert!(store_oh(&jit) < 0.5 * store_oh(&pull), "JIT stores hold less than half of what pull stores hold");
    assert!(did > 0.05 && did > 10.0 * se, "JIT loses more fill to noisy lead times than pull");
    assert!(did2 > 0.03 && did2 > 10.0 * se2, "... also with both strategies' levels frozen at their calm values");
}

// ---------------------------------------------------------------------------------------------
// 3. Tier priority.

/// A DC replenished from a supplier that can ship only 7 units a day feeds three stores that
/// need 9: tier A stores a1 (3 a day) and a2 (2 a day), tier B store b (4 a day). Every store is
/// base-stock S = its daily demand with lead time 1, so it orders each day what it sold and
/// owes; the DC (base-stock 9) starts with 9 units.
const TIERS: &str = r#"
[simulation]
days = 8
replications = 1

[[skus]]
id = "item"

[[locations]]
id = "supplier"
type = "supplier"
capacity_per_day = 7

[[locations]]
id = "dc"
type = "warehouse"
source = "supplier"
lead_time = 1
policy = { type = "base_stock", level = 9 }
rationing = "tier_priority"

[[locations]]
id = "a1"
type = "store"
source = "dc"
lead_time = 1
policy = { type = "base_stock", level = 3 }
tier = "A"

[[locations]]
id = "a2"
type = "store"
source = "dc"
lead_time = 1
policy = { type = "base_stock", level = 2 }
tier = "A"

[[locations]]
id = "b"
type = "store"
source = "dc"
lead_time = 1
policy = { type = "base_stock", level = 4 }
tier = "B"

[[demand]]
location = "a1"
distribution = { type = "sequence", values = [3] }

[[demand]]
location = "a2"
distribution = { type = "sequence", values = [2] }

[[demand]]
location = "b"
distribution = { type = "sequence", values = [4] }
"#;

#[test]
fn tier_a_is_served_before_tier_b() {
    let m = model(TIERS);
    let (dc, a1, a2, b) = (rows(&m, "dc"), rows(&m, "a1"), rows(&m, "a2"), rows(&m, "b"));
    // Day 0: the DC ships all 9 from its initial stock; the supplier sends 7 of the 9 it is
    // asked for. From day 1 on the DC receives 7 a day and owes 9 (plus what b still waits
    // for): tier A gets its 5 in full, b the remaining 2. b's backorders grow by 2 a day from
    // day 2 (what arrives serves its backorders first).
    assert_eq!(col(&dc, |r| r.shipped), units(&[9, 7, 7, 7, 7, 7, 7, 7]), "dc ships all it has");
    assert_eq!(col(&dc, |r| r.on_hand), vec![0.0; 8]);
    assert_eq!(col(&dc, |r| r.backorders), units(&[0, 2, 4, 6, 8, 10, 12, 14]), "owed to b");
    assert_eq!(col(&a1, |r| r.received), units(&[0, 3, 3, 3, 3, 3, 3, 3]));
    assert_eq!(col(&a2, |r| r.received), units(&[0, 2, 2, 2, 2, 2, 2, 2]));
    assert_eq!(col(&b, |r| r.received), units(&[0, 4, 2, 2, 2, 2, 2, 2]));
    assert_eq!(col(&a1, |r| r.backorders), vec![0.0; 8]);
    assert_eq!(col(&a2, |r| r.backorders), vec![0.0; 8]);
    assert_eq!(col(&b, |r| r.backorders), units(&[0, 0, 2, 4, 6, 8, 10, 12]));
    let r = run_with(&m, 1, 1);
    assert_eq!(series(&r, tier(&m, "A"), Kpi::FillRate), vec![1.0]);
    // b serves on the day of demand 4, 4, then 2 of 4 on day 2, then nothing: from day 3 on
    // what arrives goes to its backorders first.
    assert_eq!(series(&r, tier(&m, "B"), Kpi::FillRate), vec![10.0 / 32.0]);

    // Proportional rationing (the default) of the same shortage cuts a1 short on day 1: 7 units
    // for claims 3, 2, 4 → shares 2.33, 1.56, 3.11 → 2, 1, 3 + the leftover unit to a2 (.56).
    let p = model(&TIERS.replace("rationing = \"tier_priority\"", ""));
    assert_eq!(col(&rows(&p, "a1"), |r| r.received)[..3], units(&[0, 3, 2])[..]);
    assert_eq!(col(&rows(&p, "a2"), |r| r.received)[..3], units(&[0, 2, 2])[..]);
    assert_eq!(col(&rows(&p, "b"), |r| r.received)[..3], units(&[0, 4, 3])[..]);
}

/// Stochastic: four stores with the same Poisson demand (5 a day), two in tier A and two in
/// tier B, behind a DC whose supplier ships at most 16 of the 20 units a day they sell.
const TIERS_POISSON: &str = r#"
[simulation]
days = 365
warmup_days = 30
replications = 40
seed = 3
unmet_demand = "lost_sales"

[[skus]]
id = "item"

[[locations]]
id = "supplier"
type = "supplier"
capacity_per_day = 16

[[locations]]
id = "dc"
type = "warehouse"
source = "supplier"
lead_time = 2
policy = { type = "base_stock", level = { days = 4 } }

[[locations]]
id = "a1"
type = "store"
source = "dc"
lead_time = 1
policy = { type = "base_stock", level = { service = 0.95 } }
tier = "A"

[[locations]]
id = "b1"
type = "store"
source = "dc"
lead_time = 1
policy = { type = "base_stock", level = { service = 0.95 } }
tier = "B"

[[locations]]
id = "a2"
type = "store"
source = "dc"
lead_time = 1
policy = { type = "base_stock", level = { service = 0.95 } }
tier = "A"

[[locations]]
id = "b2"
type = "store"
source = "dc"
lead_time = 1
policy = { type = "base_stock", level = { service = 0.95 } }
tier = "B"

[[demand]]
location = "a1"
distribution = { type = "poisson", mean = 5 }

[[demand]]
location = "b1"
distribution = { type = "poisson", mean = 5 }

[[demand]]
location = "a2"
distribution = { type = "poisson", mean = 5 }

[[demand]]
location = "b2"
distribution = { type = "poisson", mean = 5 }

[strategies.proportional]

[strategies.tiered]
warehouses = { rationing = "tier_priority" }
"#;

#[test]
fn tier_a_fills_better_than_tier_b_when_supply_is_short() {
    for (strategy, tiered) in [("tiered", true), ("proportional", false)] {
        let m = variant(TIERS_POISSON, Some(strategy), None);
        let r = run_with(&m, 40, 3);
        let (a, b) = (series(&r, tier(&m, "A"), Kpi::FillRate), series(&r, tier(&m, "B"), Kpi::FillRate));
        let (diff, se) = paired(&a, &b);
        println!("{strategy}: fill A {:.4}, B {:.4}, A − B {diff:.4} ± {se:.4}", mean(&a), mean(&b));
        if tiered {
            assert!(diff > 0.2 && diff > 10.0 * se, "{strategy}: tier A must be filled clearly better");
        } else {
            assert!(diff.abs() < 0.03, "{strategy}: symmetric stores, similar fill");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 4. The four rationing rules, end to end.

/// A DC with 10 units and no replenishment (policy `none`) faces three store orders on day 0
/// that add up to 25. Store states after day 0's demand (stock = on hand − backorders; μ = the
/// expected daily demand):
///
/// | store | S  | start | demand | stock | order | μ | tier |
/// |-------|----|-------|--------|-------|-------|---|------|
/// | s1    | 10 | 4     | 2      | 2     | 8     | 2 | B    |
/// | s2    | 9  | 9     | 3      | 6     | 3     | 3 | A    |
/// | s3    | 12 | 2     | 4      | −2    | 14    | 4 | B    |
///
/// What each store receives on day 1 is the DC's allocation of its 10 units on day 0.
const RATIONING: &str = r#"
[simulation]
days = 2
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
policy = { type = "none" }
initial_on_hand = 10

[[locations]]
id = "s1"
type = "store"
source = "dc"
policy = { type = "base_stock", level = 10 }
initial_on_hand = 4
tier = "B"

[[locations]]
id = "s2"
type = "store"
source = "dc"
policy = { type = "base_stock", level = 9 }
tier = "A"

[[locations]]
id = "s3"
type = "store"
source = "dc"
policy = { type = "base_stock", level = 12 }
initial_on_hand = 2
tier = "B"

[[demand]]
location = "s1"
distribution = { type = "sequence", values = [2] }

[[demand]]
location = "s2"
distribution = { type = "sequence", values = [3] }

[[demand]]
location = "s3"
distribution = { type = "sequence", values = [4] }

[strategies.proportional]

[strategies.priority]
warehouses = { rationing = "priority", priority = ["s2", "s1"] }

[strategies.fair-share]
warehouses = { rationing = "fair_share" }

[strategies.tier-priority]
warehouses = { rationing = "tier_priority" }
"#;

/// Day 1's receipts of s1, s2, s3 under a strategy; checks that the DC shipped exactly its 10
/// units on day 0 and owes the other 15.
fn allocation(text: &str, strategy: &str) -> [f64; 3] {
    let m = variant(text, Some(strategy), None);
    let dc = rows(&m, "dc");
    assert_eq!((dc[0].shipped, dc[0].on_hand, dc[0].backorders), (10.0, 0.0, 15.0), "{strategy}: dc day 0");
    assert_eq!(dc[1].shipped, 0.0, "{strategy}: nothing left to ship on day 1");
    let got = ["s1", "s2", "s3"].map(|s| rows(&m, s)[1].received);
    assert!((got.iter().sum::<f64>() - 10.0).abs() < 1e-9, "{strategy}: {got:?} adds up to the 10 units");
    got
}

#[test]
fn each_rationing_rule_allocates_exactly_the_available_units() {
    // Proportional to the orders 8 : 3 : 14 → 3.2, 1.2, 5.6 → floors 3, 1, 5 and the leftover
    // unit to the largest remainder (.6, s3).
    assert_eq!(allocation(RATIONING, "proportional"), [3.0, 1.0, 6.0]);
    // Priority: s2 in full (3), then s1 (7 of its 8), then s3 (not listed: after the list).
    assert_eq!(allocation(RATIONING, "priority"), [7.0, 3.0, 0.0]);
    // Fair share: the level λ (days of cover) with Σ clamp(λμ − stock, 0, order) = 10. Below
    // λ = 2 only s1 (2λ − 2) and s3 (4λ + 2) take: 6λ = 10, λ = 5/3 → s1 4/3, s2 0, s3 26/3 →
    // floors 1, 0, 8 and the leftover unit to s3 (.67 > .33).
    assert_eq!(allocation(RATIONING, "fair-share"), [1.0, 0.0, 9.0]);
    // Tier priority: tier A (s2) in full, then the 7 left split over tier B by 8 : 14 → 2.55,
    // 4.45 → 2, 4 and the leftover unit to s1 (.55 > .45).
    assert_eq!(allocation(RATIONING, "tier-priority"), [3.0, 3.0, 4.0]);

    // Continuous units: the exact shares.
    let cont = RATIONING.replace("id = \"item\"", "id = \"item\"\ndiscrete = false");
    let close3 = |a: [f64; 3], b: [f64; 3]| a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-9);
    for (strategy, want) in [
        ("proportional", [3.2, 1.2, 5.6]),
        ("priority", [7.0, 3.0, 0.0]),
        ("fair-share", [4.0 / 3.0, 0.0, 26.0 / 3.0]),
        ("tier-priority", [7.0 * 8.0 / 22.0, 3.0, 7.0 * 14.0 / 22.0]),
    ] {
        let got = allocation(&cont, strategy);
        assert!(close3(got, want), "{strategy} (continuous): got {got:?}, hand computation {want:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Lateral transfers.

/// Two stores that never order (policy `none`): s1 starts with 100 units and sells 2 a day, s2
/// with 10 and sells 5 a day (backorders). Every 7 days (days 0, 7, 14, at the end of the day)
/// a store below 3 days of cover receives up to 6 days of cover from a store above 6 days,
/// which keeps 6 days; transfers take 2 days and cost 0.5 a unit.
const TRANSFERS: &str = r#"
[simulation]
days = 15
replications = 1

[[skus]]
id = "item"

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "s1"
type = "store"
source = "supplier"
policy = { type = "none" }
initial_on_hand = 100

[[locations]]
id = "s2"
type = "store"
source = "supplier"
policy = { type = "none" }
initial_on_hand = 10

[[demand]]
location = "s1"
distribution = { type = "sequence", values = [2] }

[[demand]]
location = "s2"
distribution = { type = "sequence", values = [5] }

[rebalancing]
review_days = 7
trigger_days = 3
target_days = 6
lead_time = 2
cost_per_unit = 0.5
within = "all"
"#;

#[test]
fn transfers_conserve_units_and_take_their_lead_time() {
    let m = model(TRANSFERS);
    let (s1, s2) = (rows(&m, "s1"), rows(&m, "s2"));
    // Day 0: s1 98 (49 days of cover) gives, s2 5 (1 day) takes 6 × 5 − 5 = 25, leaving s1 73.
    // They arrive on day 2. Day 7: s1 59, s2 −5 (backorders): s2 takes 30 + 5 = 35 (s1 keeps
    // 59 − 35 = 24 ≥ 12), arriving on day 9. Day 14: s1 has 10 = 5 days of cover, not above 6:
    // no donor, no transfer.
    #[rustfmt::skip]
    let s1_oh = [73, 71, 69, 67, 65, 63, 61, 24, 22, 20, 18, 16, 14, 12, 10];
    #[rustfmt::skip]
    let s2_oh = [5, 0, 20, 15, 10, 5, 0, 0, 0, 20, 15, 10, 5, 0, 0];
    assert_eq!(col(&s1, |r| r.on_hand), units(&s1_oh), "s1 on hand");
    assert_eq!(col(&s2, |r| r.on_hand), units(&s2_oh), "s2 on hand");
    let mut rec = vec![0; 15];
    (rec[2], rec[9]) = (25, 35);
    assert_eq!(col(&s2, |r| r.received), units(&rec), "transfers arrive 2 days after they leave");
    let mut transit = vec![0; 15];
    (transit[0], transit[1], transit[7], transit[8]) = (25, 25, 35, 35);
    assert_eq!(col(&s2, |r| r.in_transit), units(&transit), "s2 in transit");
    let mut bo = vec![0; 15];
    (bo[7], bo[8], bo[14]) = (5, 10, 5);
    assert_eq!(col(&s2, |r| r.backorders), units(&bo), "s2 backorders");
    // A transfer is neither an order nor a shipment from a source.
    for r in s1.iter().chain(&s2) {
        assert_eq!((r.ordered, r.shipped), (0.0, 0.0), "day {} {}", r.day, r.location);
    }
    assert_eq!(col(&s1, |r| r.received), vec![0.0; 15]);
    // Units are conserved: stock in the network (on hand + in transit) + units sold so far =
    // the 110 units the stores started with.
    let mut sold = 0.0;
    for (a, b) in s1.iter().zip(&s2) {
        sold += a.sold + b.sold;
        let stock = a.on_hand + a.in_transit + b.on_hand + b.in_transit;
        assert_eq!(stock + sold, 110.0, "day {}: units conserved", a.day);
    }

    // 60 units moved in 15 days, at 0.5 a unit, charged to the donor.
    let r = run_with(&m, 1, 1);
    let kpi = |scope: Scope, k: Kpi| series(&r, scope, k)[0];
    let (l1, l2) = (Scope::Location(loc(&m, "s1")), Scope::Location(loc(&m, "s2")));
    assert_eq!(kpi(Scope::Network, Kpi::UnitsTransferred), 60.0 / 15.0);
    assert_eq!(kpi(l1, Kpi::UnitsTransferred), 60.0 / 15.0);
    assert_eq!(kpi(l2, Kpi::UnitsTransferred), 0.0);
    assert_eq!(kpi(Scope::Network, Kpi::TransferCost), 0.5 * 60.0 / 15.0);
    assert_eq!(kpi(l1, Kpi::TransferCost), 0.5 * 60.0 / 15.0);
    assert_eq!(kpi(Scope::Network, Kpi::TotalCost), 0.5 * 60.0 / 15.0, "no other costs in this scenario");
    // Transfers in are not orders.
    assert_eq!(kpi(l2, Kpi::UnitsOrdered), 0.0);
    // s2 sold 75 demanded − 5 still backordered at the end.
    assert_eq!(kpi(l2, Kpi::UnitsSold), 70.0 / 15.0);
}

/// The KPIs' average stocks are the trace's end-of-day stocks, also on a transfer day: the day's
/// stock sums are taken before the transfers of a review day, and `alloc::rebalance` corrects
/// them as `ship` does for shipments (a bug this test found: the donor's units counted as on
/// hand and the receiver's were not in transit on the day they left).
#[test]
fn transfer_day_stocks_in_kpis_match_the_trace() {
    let m = model(TRANSFERS);
    let (s1, s2) = (rows(&m, "s1"), rows(&m, "s2"));
    let r = run_with(&m, 1, 1);
    let kpi = |scope: Scope, k: Kpi| series(&r, scope, k)[0];
    let (l1, l2) = (Scope::Location(loc(&m, "s1")), Scope::Location(loc(&m, "s2")));
    let avg = |rows: &[TraceRow], f: fn(&TraceRow) -> f64| rows.iter().map(f).sum::<f64>() / 15.0;
    println!(
        "avg on hand s1: KPI {}, trace {}; avg in transit s2: KPI {}, trace {}",
        kpi(l1, Kpi::AvgOnHand),
        avg(&s1, |r| r.on_hand),
        kpi(l2, Kpi::AvgInTransit),
        avg(&s2, |r| r.in_transit)
    );
    // Σ on hand of s1 = 605 (table above); Σ in transit of s2 = 25 + 25 + 35 + 35 = 120.
    assert_eq!(avg(&s1, |r| r.on_hand), 605.0 / 15.0);
    assert!(close(kpi(l1, Kpi::AvgOnHand), 605.0 / 15.0, 1e-12), "s1 average on hand");
    assert!(close(kpi(l2, Kpi::AvgInTransit), 120.0 / 15.0, 1e-12), "s2 average in transit");
}

// ---------------------------------------------------------------------------------------------
// 6. Regional against national forecasts.

/// The winter-jackets scenario file (its strategies `push` and `push-national`).
fn winter_jackets() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/winter-jackets.toml");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Demand in the north is three times that in the south. A push on each store's own forecast
/// sends the stock where it sells; a national forecast split evenly sends the south as much as
/// the north. With the same launch stock and the same buffer rule, the network holds about the
/// same inventory either way, and the regional forecast fills clearly more demand.
#[test]
fn regional_forecasts_fill_better_than_a_national_average_with_equal_stock() {
    let text = winter_jackets();
    let reps = 60;
    let regional = run_with(&variant(&text, Some("push"), None), reps, 2026);
    let national = run_with(&variant(&text, Some("push-national"), None), reps, 2026);
    let net = Scope::Network;
    let (oh_r, oh_n) = (series(&regional, net, Kpi::AvgOnHand), series(&national, net, Kpi::AvgOnHand));
    let (fill_r, fill_n) = (series(&regional, net, Kpi::FillRate), series(&national, net, Kpi::FillRate));
    let (diff, se) = paired(&fill_r, &fill_n);
    println!(
        "avg on hand: regional {:.1}, national {:.1}; fill: regional {:.4}, national {:.4}, diff {diff:.4} ± {se:.4}",
        mean(&oh_r),
        mean(&oh_n),
        mean(&fill_r),
        mean(&fill_n)
    );
    let rel = (mean(&oh_r) - mean(&oh_n)).abs() / mean(&oh_n);
    assert!(rel < 0.03, "equal inventory: regional and national differ by {:.1} %", 100.0 * rel);
    assert!(diff > 0.01 && diff > 10.0 * se, "regional forecasts must fill clearly more");
}

// ---------------------------------------------------------------------------------------------
// 7. A tier's reserve.

/// A DC with 100 units and no replenishment holds 40 % of them (40 units) back for tier A
/// until tier A has sold 78 % of what it had (initial stock + receipts). Store a (tier A,
/// base-stock 10) sells 4 a day, store b (tier B, base-stock 20) 10 a day.
const RESERVE: &str = r#"
[simulation]
days = 7
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
policy = { type = "none" }
initial_on_hand = 100
reserve = { share = 0.4, release_sell_through = 0.78, tier = "A" }

[[locations]]
id = "a"
type = "store"
source = "dc"
policy = { type = "base_stock", level = 10 }
tier = "A"

[[locations]]
id = "b"
type = "store"
source = "dc"
policy = { type = "base_stock", level = 20 }
tier = "B"

[[demand]]
location = "a"
distribution = { type = "sequence", values = [4] }

[[demand]]
location = "b"
distribution = { type = "sequence", values = [10] }
"#;

#[test]
fn a_reserve_holds_stock_for_its_tier_until_sell_through_releases_it() {
    let m = model(RESERVE);
    let (dc, a, b) = (rows(&m, "dc"), rows(&m, "a"), rows(&m, "b"));
    // Every day a orders 4 and b 10. Days 0–3: the DC ships both in full (it has more than the
    // 40 reserved plus b's 10): 86, 72, 58, 44 left. Day 4: a gets its 4 (from all the stock),
    // b may use only what is above the reserve: 44 − 4 − 40 = 0. Day 5: a's 4 come out of the
    // reserve, b again gets nothing. At the end of day 5 tier A's sell-through reaches
    // 24 sold / (10 + 20 received) = 0.8 ≥ 0.78 (day 4: 20 / 26 = 0.77): the reserve is
    // released, and on day 6 the DC ships everything owed: a 4, b 3 × 10.
    assert_eq!(col(&dc, |r| r.shipped), units(&[14, 14, 14, 14, 4, 4, 34]), "dc shipped");
    assert_eq!(col(&dc, |r| r.on_hand), units(&[86, 72, 58, 44, 40, 36, 2]), "dc on hand");
    assert_eq!(col(&dc, |r| r.backorders), units(&[0, 0, 0, 0, 10, 20, 0]), "dc owes b");
    assert_eq!(col(&a, |r| r.received), units(&[0, 4, 4, 4, 4, 4, 4]), "tier A is always served");
    assert_eq!(col(&b, |r| r.received), units(&[0, 10, 10, 10, 10, 0, 0]), "b is cut off on days 4 and 5");
    assert_eq!(col(&b, |r| r.backorders), units(&[0, 0, 0, 0, 0, 0, 10]), "b runs out on day 6");
    // The reserve is held (40 units at the end of each day) on days 0–4 and released at the end
    // of day 5.
    let r = run_with(&m, 1, 1);
    let dc_scope = Scope::Location(loc(&m, "dc"));
    assert_eq!(series(&r, dc_scope, Kpi::ReserveHeld), vec![5.0 * 40.0 / 7.0]);
    assert_eq!(series(&r, Scope::Network, Kpi::ReserveHeld), vec![5.0 * 40.0 / 7.0]);

    // Without the reserve b is never cut off.
    let m = model(&RESERVE.replace("reserve = { share = 0.4, release_sell_through = 0.78, tier = \"A\" }", ""));
    assert_eq!(col(&rows(&m, "dc"), |r| r.shipped), vec![14.0; 7]);
    assert_eq!(col(&rows(&m, "b"), |r| r.backorders), vec![0.0; 7]);
    assert_eq!(series(&run_with(&m, 1, 1), Scope::Network, Kpi::ReserveHeld), vec![0.0]);
}

// ---------------------------------------------------------------------------------------------
// 8. ABC × XYZ segments.

/// Six stores whose demand cycles (so that means and coefficients of variation are exact):
///
/// | store | values          | mean | sd    | cv   | volume before it | class |
/// |-------|-----------------|------|-------|------|------------------|-------|
/// | s1    | 80, 120         | 100  | 20    | 0.2  | 0 %              | AX    |
/// | s2    | 10, 90          | 50   | 40    | 0.8  | 50 %             | AY    |
/// | s3    | 16, 24          | 20   | 4     | 0.2  | 75 %             | AX    |
/// | s4    | 0, 0, 0, 72     | 18   | 31.2  | 1.73 | 85 %             | BZ    |
/// | s5    | 2, 14           | 8    | 6     | 0.75 | 94 %             | BY    |
/// | s6    | 3, 5            | 4    | 1     | 0.25 | 98 %             | CX    |
///
/// ABC by the share of the total volume (200 a day) held by larger positions before it (A below
/// 80 %, B below 95 %, C the rest); XYZ by cv (X ≤ 0.5 < Y ≤ 1 < Z), the sd of a sequence being
/// that of its values. The `by-segment` strategy gives AX and CX their own policies.
const SEGMENTS: &str = r#"
[simulation]
days = 8
replications = 1

[[skus]]
id = "item"

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "s1"
type = "store"
source = "supplier"
policy = { type = "base_stock", level = { days = 2 } }

[[locations]]
id = "s2"
type = "store"
source = "supplier"
policy = { type = "base_stock", level = { days = 2 } }

[[locations]]
id = "s3"
type = "store"
source = "supplier"
policy = { type = "base_stock", level = { days = 2 } }

[[locations]]
id = "s4"
type = "store"
source = "supplier"
policy = { type = "base_stock", level = { days = 2 } }

[[locations]]
id = "s5"
type = "store"
source = "supplier"
policy = { type = "base_stock", level = { days = 2 } }

[[locations]]
id = "s6"
type = "store"
source = "supplier"
policy = { type = "base_stock", level = { days = 2 } }

[[demand]]
location = "s1"
distribution = { type = "sequence", values = [80, 120] }

[[demand]]
location = "s2"
distribution = { type = "sequence", values = [10, 90] }

[[demand]]
location = "s3"
distribution = { type = "sequence", values = [16, 24] }

[[demand]]
location = "s4"
distribution = { type = "sequence", values = [0, 0, 0, 72] }

[[demand]]
location = "s5"
distribution = { type = "sequence", values = [2, 14] }

[[demand]]
location = "s6"
distribution = { type = "sequence", values = [3, 5] }

[strategies.as-written]

[strategies.by-segment]
segments = { AX = { policy = { type = "base_stock", level = 500 } }, CX = { policy = { type = "base_stock", level = 9 } } }
"#;

#[test]
fn segments_classify_positions_and_report_per_segment() {
    let m = variant(SEGMENTS, Some("by-segment"), None);
    let sc = &m.scenario;
    let label = |id: &str| {
        let l = loc(&m, id);
        sc.positions.iter().find(|p| p.location == l).and_then(|p| p.segment.clone()).unwrap_or_default()
    };
    let got: Vec<String> = ["s1", "s2", "s3", "s4", "s5", "s6"].iter().map(|s| label(s)).collect();
    assert_eq!(got, ["AX", "AY", "AX", "BZ", "BY", "CX"]);
    assert_eq!(m.alloc.segments, ["AX", "AY", "BY", "BZ", "CX"]);
    // Segment policies override the location's (2 days of cover).
    let level = |id: &str| match m.stock.policy[m.positions_of(loc(&m, id))[0]].kind {
        PolicyKind::BaseStock { level } => level,
        other => panic!("{other:?}"),
    };
    let levels: Vec<f64> = ["s1", "s2", "s3", "s4", "s5", "s6"].iter().map(|s| level(s)).collect();
    assert_eq!(levels, [500.0, 100.0, 500.0, 36.0, 16.0, 9.0]);
    let plain = variant(SEGMENTS, Some("as-written"), None);
    assert_eq!(
        plain.stock.policy[plain.positions_of(loc(&plain, "s1"))[0]].kind,
        PolicyKind::BaseStock { level: 200.0 }
    );

    // Reported per segment: the demand of its positions (exact over 8 days of cycles).
    let r = run_with(&m, 1, 1);
    for (i, want) in [120.0, 50.0, 8.0, 18.0, 4.0].into_iter().enumerate() {
        let got = series(&r, Scope::Segment(i), Kpi::UnitsDemanded)[0];
        assert_eq!(got, want, "units demanded per day in segment {}", m.alloc.segments[i]);
    }
    // AX (s1, s3) at 500 units never runs short.
    assert_eq!(series(&r, Scope::Segment(0), Kpi::FillRate), vec![1.0]);
}

// ---------------------------------------------------------------------------------------------
// 9. The command line.

#[test]
fn check_lists_strategies_and_a_wrong_name_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("wj.toml");
    std::fs::write(&file, winter_jackets()).unwrap();
    let out = echelon_in(dir.path()).args(["check", "wj.toml"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let listed: Vec<&str> = stdout
        .lines()
        .skip_while(|l| l.trim() != "strategies:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .map(|l| l.split_whitespace().next().unwrap_or(""))
        .collect();
    assert_eq!(listed, ["pull", "push", "push-national", "jit", "tiered", "rebalance"], "{stdout}");
    let pull = stdout.lines().find(|l| l.trim_start().starts_with("pull ")).unwrap();
    assert!(pull.contains("(default"), "the default strategy is marked: {pull}");
    assert!(stdout.contains("forecasting the national total"), "descriptions are shown: {stdout}");

    // An unknown strategy: exit 2, the defined names, nothing written; a near miss gets a
    // suggestion. ("nope" is too far from every name for a suggestion.)
    for (name, hint) in [("nope", None), ("pussh", Some("did you mean 'push'?"))] {
        let out = echelon_in(dir.path()).args(["run", "wj.toml", "--strategy", name, "--out", "out"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(&format!("no strategy named '{name}'")), "{stderr}");
        assert!(stderr.contains("defined: pull, push, push-national, jit, tiered, rebalance"), "{stderr}");
        if let Some(h) = hint {
            assert!(stderr.contains(h), "{stderr}");
        }
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(!dir.path().join("out").exists(), "--strategy {name} wrote output");
    }
    // The same for a stress test.
    let jvp = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/jit-vs-push-disruption.toml");
    let out = echelon_in(dir.path())
        .args(["run", jvp.to_str().unwrap(), "--stress", "port-strik", "--out", "out"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no stress test named 'port-strik'") && stderr.contains("did you mean 'port-strike'?"));
    assert!(!dir.path().join("out").exists());
}
