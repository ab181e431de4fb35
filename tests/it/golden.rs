//! Golden tests: simulated KPI means against closed forms from inventory theory.
//!
//! Reference values and tolerances: the reference table in tests/REFERENCE.md (with its
//! sources) — |sim − theory| ≤ max(3·SE, 1 % of theory) for costs and stocks, 0.005 absolute
//! for rates, warm-up ≥ 20 days.
//! Theory is computed in the test (normal loss function by quadrature, Poisson by summing the
//! pmf, see `common`) and, where the reference prints a number, checked against it first.
//!
//! Why the formulas hold (DESIGN.md §2): a single-stage base-stock store with lead time L orders
//! up to S every day, and an order placed on day t arrives at the start of day t + L, so its net
//! inventory at the end of a day is S − D_L (L days of demand). Hence on hand = E(S − D_L)⁺,
//! backorders = E(D_L − S)⁺ = n_L(S), and today's demand finds (S − D_{L−1})⁺ units, so the
//! per-day fill rate is exactly 1 − (n_L(S) − n_{L−1}(S))/μ and a stockout day is D_L > S.

use echelon::kpi::Kpi;
use echelon::runner::Scope;

use crate::common::*;

/// Demand and costs of the single-store cases of the reference table: N(50, 8²) a day,
/// h = 0.18, p = 0.70.
const MU: f64 = 50.0;
const SIGMA: f64 = 8.0;
const H: f64 = 0.18;
const P: f64 = 0.70;

/// One store with N(50, 8²) demand and base-stock level `s`, ordering from an external supplier.
fn single_store(s: f64, lead: u32, unmet: &str, reps: usize, days: usize) -> String {
    let (mu, sigma, h, p) = (MU, SIGMA, H, P);
    format!(
        r#"
[simulation]
days = {days}
warmup_days = 30
replications = {reps}
seed = 2024
unmet_demand = "{unmet}"

[[skus]]
id = "item"
holding_cost = {h}
stockout_cost = {p}

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "store"
type = "store"
source = "supplier"
lead_time = {lead}
policy = {{ type = "base_stock", level = {s} }}

[[demand]]
location = "store"
distribution = {{ type = "normal", mean = {mu}, sd = {sigma} }}
"#
    )
}

/// Theory of a single-stage base-stock store with N(μ, σ²) daily demand and backorders.
struct BaseStockTheory {
    on_hand: f64,
    backorders: f64,
    cost: f64,
    fill: f64,
    stockout: f64,
}

fn normal_base_stock(s: f64, lead: u32, mu: f64, sigma: f64, h: f64, p: f64) -> BaseStockTheory {
    let n_l = normal_loss_k(s, lead, mu, sigma);
    let n_l1 = normal_loss_k(s, lead - 1, mu, sigma);
    // E(S − D_L)⁺ = S − Lμ + E(D_L − S)⁺.
    let on_hand = s - f64::from(lead) * mu + n_l;
    BaseStockTheory {
        on_hand,
        backorders: n_l,
        cost: h * on_hand + p * n_l,
        fill: 1.0 - (n_l - n_l1) / mu,
        stockout: 1.0 - big_phi((s - f64::from(lead) * mu) / (sigma * f64::from(lead).sqrt())),
    }
}

/// The test's own formulas reproduce the numbers printed in the reference table (to its
/// rounding), so a mistake in them cannot make a golden test pass or fail by accident.
#[test]
fn theory_formulas_reproduce_the_reference_table() {
    // Newsvendor: total_cost 1.9976, avg_on_hand 7.523, avg_backorders 0.919, fill 0.9816,
    // stockout 0.2045.
    let t = normal_base_stock(56.604, 1, 50.0, 8.0, 0.18, 0.70);
    assert!((t.cost - 1.9976).abs() < 1e-4, "{}", t.cost);
    assert!((t.on_hand - 7.523).abs() < 1e-3, "{}", t.on_hand);
    assert!((t.backorders - 0.919).abs() < 1e-3, "{}", t.backorders);
    assert!((t.fill - 0.9816).abs() < 1e-4, "{}", t.fill);
    assert!((t.stockout - 0.2045).abs() < 1e-4, "{}", t.stockout);
    // Base-stock L = 3: total_cost 3.4600, avg_on_hand 13.030, avg_backorders 1.592, fill 0.9682.
    let t = normal_base_stock(161.438, 3, 50.0, 8.0, 0.18, 0.70);
    assert!((t.cost - 3.4600).abs() < 1e-4, "{}", t.cost);
    assert!((t.on_hand - 13.030).abs() < 1e-3, "{}", t.on_hand);
    assert!((t.backorders - 1.592).abs() < 1e-3, "{}", t.backorders);
    assert!((t.fill - 0.9682).abs() < 1e-4, "{}", t.fill);
    // Eppen: 4 × N(100, 20²) with S = 125.631 costs 140.40 a day; one N(400, 40²) with
    // S = 451.262 costs 70.20.
    let d = normal_base_stock(125.631, 1, 100.0, 20.0, 1.0, 9.0);
    let c = normal_base_stock(451.262, 1, 400.0, 40.0, 1.0, 9.0);
    assert!((4.0 * d.cost - 140.40).abs() < 0.01, "{}", 4.0 * d.cost);
    assert!((c.cost - 70.20).abs() < 0.01, "{}", c.cost);
    // Quadrature sanity: Φ(1.959964) = 0.975, L(0) = 1/√(2π).
    assert!((big_phi(1.959964) - 0.975).abs() < 1e-6);
    assert!((std_loss(0.0) - 0.398_942_280_4).abs() < 1e-9);
}

/// Newsvendor (reference table, Snyder & Shen ch. 4): N(50, 8²), L = 1, S = 56.604, h = 0.18,
/// p = 0.70 → total_cost 1.9976, avg_on_hand 7.523, avg_backorders 0.919, fill_rate 0.9816,
/// stockout_rate 0.2045.
#[test]
fn newsvendor_normal() {
    let m = model(&single_store(56.604, 1, "backorder", 128, 8000));
    let r = run_model(&m);
    let t = normal_base_stock(56.604, 1, 50.0, 8.0, 0.18, 0.70);
    let net = Scope::Network;
    assert_golden("total_cost (theory 1.9976)", &summary(&r, net, Kpi::TotalCost), t.cost);
    assert_golden("avg_on_hand (theory 7.523)", &summary(&r, net, Kpi::AvgOnHand), t.on_hand);
    assert_golden("avg_backorders (theory 0.919)", &summary(&r, net, Kpi::AvgBackorders), t.backorders);
    assert_golden_rate("fill_rate (theory 0.9816)", &summary(&r, net, Kpi::FillRate), t.fill);
    assert_golden_rate("stockout_rate (theory 0.2045)", &summary(&r, net, Kpi::StockoutRate), t.stockout);
    // Holding and stockout cost separately: h·on-hand and p·backorders per day.
    assert_golden("holding_cost (theory 0.18 × 7.523)", &summary(&r, net, Kpi::HoldingCost), 0.18 * t.on_hand);
    assert_golden("stockout_cost (theory 0.70 × 0.919)", &summary(&r, net, Kpi::StockoutCost), 0.70 * t.backorders);
}

/// The newsvendor with lost sales: with L = 1 the order placed each evening replaces exactly
/// what was sold, so every day starts with S on hand whatever happened before. Hence on hand
/// = E(S − D)⁺ = 7.523, lost units per day = E(D − S)⁺ = 0.919, fill = 1 − 0.919/50 = 0.9816,
/// and cost = h·7.523 + p·0.919 = 1.9976 (p charged per unit lost) — the newsvendor's numbers.
#[test]
fn newsvendor_lost_sales_has_the_same_numbers() {
    let m = model(&single_store(56.604, 1, "lost_sales", 128, 8000));
    let r = run_model(&m);
    let t = normal_base_stock(56.604, 1, 50.0, 8.0, 0.18, 0.70);
    let net = Scope::Network;
    assert_golden("total_cost (theory 1.9976)", &summary(&r, net, Kpi::TotalCost), t.cost);
    assert_golden("avg_on_hand (theory 7.523)", &summary(&r, net, Kpi::AvgOnHand), t.on_hand);
    assert_golden("lost_sales (theory 0.919/day)", &summary(&r, net, Kpi::LostSales), t.backorders);
    assert_golden_rate("fill_rate (theory 0.9816)", &summary(&r, net, Kpi::FillRate), t.fill);
    assert_golden_rate("stockout_rate (theory 0.2045)", &summary(&r, net, Kpi::StockoutRate), t.stockout);
    let bo = summary(&r, net, Kpi::AvgBackorders);
    assert_eq!(bo.max, 0.0, "lost sales leave no backorders");
}

/// Base-stock, normal demand, L = 3 (reference table): N(50, 8²), S = 161.438, h = 0.18,
/// p = 0.70 → total_cost 3.4600, avg_on_hand 13.030, avg_backorders 1.592, fill_rate 0.9682.
/// Stockout days: D_3 > S, probability 1 − Φ((161.438 − 150)/(8√3)) = 0.2045.
#[test]
fn base_stock_normal_lead_time_3() {
    let m = model(&single_store(161.438, 3, "backorder", 200, 12000));
    let r = run_model(&m);
    let t = normal_base_stock(161.438, 3, 50.0, 8.0, 0.18, 0.70);
    let net = Scope::Network;
    assert_golden("total_cost (theory 3.4600)", &summary(&r, net, Kpi::TotalCost), t.cost);
    assert_golden("avg_on_hand (theory 13.030)", &summary(&r, net, Kpi::AvgOnHand), t.on_hand);
    assert_golden("avg_backorders (theory 1.592)", &summary(&r, net, Kpi::AvgBackorders), t.backorders);
    assert_golden_rate("fill_rate (theory 0.9682)", &summary(&r, net, Kpi::FillRate), t.fill);
    assert_golden_rate("stockout_rate (theory 0.2045)", &summary(&r, net, Kpi::StockoutRate), t.stockout);
    // Pipeline: L days of demand are always on order, L·μ = 150 on average (in transit from
    // an external supplier, which ships at once).
    assert_golden("avg_in_transit (theory 150)", &summary(&r, net, Kpi::AvgInTransit), 150.0);
}

/// The exact per-day fill rate (reference README): fill = 1 − (n_L(S) − n_{L−1}(S))/μ. At the
/// reference's S = 161.438, n_2(S) ≈ 1e-8 and the textbook 1 − n_L(S)/μ agrees; at S = 110 with
/// L = 3 they differ: n_3(110) = 40.01, n_2(110) = 1.170, exact 0.2232 vs approximation 0.1997.
/// The simulation must match the exact value.
#[test]
fn exact_fill_rate_formula_lead_time_3() {
    let (s, mu, sigma) = (110.0, 50.0, 8.0);
    let n3 = normal_loss_k(s, 3, mu, sigma);
    let n2 = normal_loss_k(s, 2, mu, sigma);
    let exact = 1.0 - (n3 - n2) / mu;
    let textbook = 1.0 - n3 / mu;
    assert!((exact - 0.2232).abs() < 5e-4 && (textbook - 0.1997).abs() < 5e-4, "{exact} {textbook}");
    // The case tells the two formulas apart by far more than the tolerance.
    assert!(exact - textbook > 0.02);

    let m = model(&single_store(s, 3, "backorder", 64, 4000));
    let r = run_model(&m);
    let t = normal_base_stock(s, 3, mu, sigma, 0.18, 0.70);
    let net = Scope::Network;
    assert_golden_rate("fill_rate (exact 0.2232, not 0.1997)", &summary(&r, net, Kpi::FillRate), exact);
    assert_golden_rate("stockout_rate (theory P(D_3 > 110) = 0.998)", &summary(&r, net, Kpi::StockoutRate), t.stockout);
    assert_golden("avg_backorders (theory n_3(110) = 40.01)", &summary(&r, net, Kpi::AvgBackorders), n3);
}

/// Risk pooling (Eppen 1979; reference table): four stores with N(100, 20²) each, h = 1, p = 9,
/// L = 1. Decentralised, each keeps S = 125.631 (z = Φ⁻¹(0.9)) and costs (h+p)·σ·φ(z) = 35.10 a
/// day, 140.40 for four; centralised, one location facing all four streams (N(400, 40²)) keeps
/// S = 451.262 and costs 70.20. Ratio √4 = 2.
#[test]
fn risk_pooling_eppen() {
    let head = |reps: usize, days: usize| {
        format!(
            r#"
[simulation]
days = {days}
warmup_days = 20
replications = {reps}
seed = 99

[[skus]]
id = "item"
holding_cost = 1.0
stockout_cost = 9.0

[[locations]]
id = "supplier"
type = "supplier"
"#
        )
    };
    let mut decentral = head(32, 2000);
    for i in 1..=4 {
        decentral.push_str(&format!(
            r#"
[[locations]]
id = "store-{i}"
type = "store"
source = "supplier"
lead_time = 1
policy = {{ type = "base_stock", level = 125.631 }}

[[demand]]
location = "store-{i}"
distribution = {{ type = "normal", mean = 100, sd = 20 }}
"#
        ));
    }
    let mut central = head(64, 2500);
    central.push_str(
        r#"
[[locations]]
id = "pooled"
type = "store"
source = "supplier"
lead_time = 1
policy = { type = "base_stock", level = 451.262 }
"#,
    );
    for _ in 1..=4 {
        // Four independent streams at one location add up (DESIGN.md §3).
        central.push_str(
            r#"
[[demand]]
location = "pooled"
distribution = { type = "normal", mean = 100, sd = 20 }
"#,
        );
    }
    let theory_d = 4.0 * normal_base_stock(125.631, 1, 100.0, 20.0, 1.0, 9.0).cost;
    let theory_c = normal_base_stock(451.262, 1, 400.0, 40.0, 1.0, 9.0).cost;

    let rd = run_model(&model(&decentral));
    let rc = run_model(&model(&central));
    let d = summary(&rd, Scope::Network, Kpi::TotalCost);
    let c = summary(&rc, Scope::Network, Kpi::TotalCost);
    assert_golden("decentralised total_cost (theory 140.40)", &d, theory_d);
    assert_golden("centralised total_cost (theory 70.20)", &c, theory_c);
    // The pooled location really sees the four streams: 400 units a day.
    assert_golden("centralised units_demanded (theory 400)", &summary(&rc, Scope::Network, Kpi::UnitsDemanded), 400.0);
    // Ratio √4 = 2; each cost may be off by its own tolerance, so the ratio by the sum of the
    // relative tolerances.
    let ratio = d.mean / c.mean;
    let rel = |s: &echelon::stats::Summary, t: f64| (3.0 * s.se).max(0.01 * t) / t;
    let tol = 2.0 * (rel(&d, theory_d) + rel(&c, theory_c));
    assert!((ratio - 2.0).abs() <= tol, "cost ratio {ratio:.4} vs 2 (tolerance {tol:.4})");
}

/// Poisson demand, mean 5 a day, L = 2, S = 14, h = 1, p = 4, backorders: whole units. With D_2
/// ~ Poisson(10) and D_1 ~ Poisson(5), summing the pmf gives on hand E(14 − D_2)⁺ = 4.1869,
/// backorders E(D_2 − 14)⁺ = 0.1869, total cost 4.9347, fill 1 − (E(D_2 − 14)⁺ − E(D_1 − 14)⁺)/5
/// = 0.9627, and a stockout day when today's demand exceeds (14 − D_1)⁺ (a zero-demand day is
/// never a stockout): Σ_k P(D_1 = k)·P(D > (14 − k)⁺) = 0.0835.
#[test]
fn poisson_base_stock_exact() {
    let (mean, s, h, p) = (5.0_f64, 14.0_f64, 1.0, 4.0);
    let kmax = 200;
    let p1 = poisson_pmf(mean, kmax);
    let p2 = poisson_pmf(2.0 * mean, kmax);
    let loss = |pmf: &[f64]| pmf.iter().enumerate().map(|(k, pk)| pk * (k as f64 - s).max(0.0)).sum::<f64>();
    let n2 = loss(&p2);
    let n1 = loss(&p1);
    let on_hand: f64 = p2.iter().enumerate().map(|(k, pk)| pk * (s - k as f64).max(0.0)).sum();
    let fill = 1.0 - (n2 - n1) / mean;
    // P(D > m) for today's demand.
    let tail = |m: usize| 1.0 - p1[..=m.min(kmax)].iter().sum::<f64>();
    let stockout: f64 = p1.iter().enumerate().map(|(k, pk)| pk * tail((s as usize).saturating_sub(k))).sum();
    // Conservation check of the test's own sums: E(S − D)⁺ − E(D − S)⁺ = S − E D.
    assert!((on_hand - n2 - (s - 2.0 * mean)).abs() < 1e-12);
    assert!((on_hand - 4.1869).abs() < 1e-4 && (fill - 0.9627).abs() < 1e-4, "{on_hand} {fill}");
    assert!((stockout - 0.0835).abs() < 1e-4, "{stockout}");

    let text = format!(
        r#"
[simulation]
days = 12000
warmup_days = 20
replications = 256
seed = 5

[[skus]]
id = "item"
holding_cost = {h}
stockout_cost = {p}

[[locations]]
id = "supplier"
type = "supplier"

[[locations]]
id = "store"
type = "store"
source = "supplier"
lead_time = 2
policy = {{ type = "base_stock", level = {s} }}

[[demand]]
location = "store"
distribution = {{ type = "poisson", mean = {mean} }}
"#
    );
    let sc = scenario(&text);
    assert!(sc.skus[0].discrete, "Poisson demand makes the SKU whole units");
    let m = echelon::Model::compile(&sc);
    let r = run_model(&m);
    let net = Scope::Network;
    assert_golden("avg_on_hand (Poisson sum)", &summary(&r, net, Kpi::AvgOnHand), on_hand);
    assert_golden("avg_backorders (Poisson sum)", &summary(&r, net, Kpi::AvgBackorders), n2);
    assert_golden("total_cost (Poisson sum)", &summary(&r, net, Kpi::TotalCost), h * on_hand + p * n2);
    assert_golden_rate("fill_rate (Poisson sum)", &summary(&r, net, Kpi::FillRate), fill);
    assert_golden_rate("stockout_rate (Poisson sum)", &summary(&r, net, Kpi::StockoutRate), stockout);
    assert_golden("units_demanded (theory 5)", &summary(&r, net, Kpi::UnitsDemanded), mean);
}
