//! Shared helpers: loading scenario text, running it, reading traces, and the normal and Poisson
//! formulas the golden tests compare with (written here independently of `echelon::stats`).

use std::path::Path;

use assert_cmd::Command;
use echelon::kpi::Kpi;
use echelon::report::trace::trace_csv;
use echelon::runner::{Progress, RunOptions, RunResult, Scope, run};
use echelon::scenario::Variant;
use echelon::stats::Summary;
use echelon::{Model, Scenario};

/// Parses and validates scenario text; a scenario in a test must be valid.
pub fn scenario(text: &str) -> Scenario {
    match Scenario::parse("test.toml", text) {
        Ok(s) => s,
        Err(e) => panic!("test scenario does not validate:\n{e}\n--- scenario ---\n{text}"),
    }
}

/// Parses, validates and compiles scenario text.
pub fn model(text: &str) -> Model {
    Model::compile(&scenario(text))
}

/// Compiles a variant of scenario text: a strategy and a stress test (`None` = the default
/// strategy, no stress).
pub fn variant(text: &str, strategy: Option<&str>, stress: Option<&str>) -> Model {
    let v = Variant { strategy: strategy.map(String::from), stress: stress.map(String::from), ..Default::default() };
    match Scenario::parse_variant("test.toml", text, &v) {
        Ok(s) => Model::compile(&s),
        Err(e) => panic!("variant {strategy:?}/{stress:?} does not validate:\n{e}"),
    }
}

/// The binary, run in `dir`.
pub fn echelon_in(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("echelon").unwrap();
    c.current_dir(dir);
    c
}

/// Runs every replication of a model with its own seed and replication count.
pub fn run_model(m: &Model) -> RunResult {
    run(m, &RunOptions { keep: echelon::runner::Keep::All, ..RunOptions::from_model(m) }, &Progress::hidden())
}

/// Runs a model with the given replications and seed.
pub fn run_with(m: &Model, replications: usize, seed: u64) -> RunResult {
    run(m, &RunOptions { replications, seed, threads: None, keep: echelon::runner::Keep::All }, &Progress::hidden())
}

/// The summary of one KPI of one scope (panics if the KPI is undefined in every replication).
pub fn summary(r: &RunResult, scope: Scope, kpi: Kpi) -> Summary {
    let s = r.scope_index(scope).unwrap_or_else(|| panic!("no scope {scope:?}"));
    Summary::of(r.series(s, kpi)).unwrap_or_else(|| panic!("{} of {scope:?} is undefined", kpi.name()))
}

/// The scope of a tier label.
pub fn tier(m: &Model, label: &str) -> Scope {
    Scope::Tier(m.alloc.tiers.iter().position(|t| t == label).unwrap_or_else(|| panic!("no tier {label}")))
}

/// The value of a KPI of a scope in the first replication.
pub fn kpi1(r: &RunResult, scope: Scope, kpi: Kpi) -> f64 {
    r.series(r.scope_index(scope).unwrap_or_else(|| panic!("no scope {scope:?}")), kpi)[0]
}

/// Asserts a KPI of a one-replication run equals a hand-computed value.
pub fn assert_kpi(r: &RunResult, scope: Scope, kpi: Kpi, want: f64) {
    let got = kpi1(r, scope, kpi);
    assert!(
        (got - want).abs() <= 1e-9 * want.abs().max(1.0),
        "{} of {scope:?}: got {got}, hand computation {want}",
        kpi.name()
    );
}

/// Index of a location by id in the scenario of a model.
pub fn loc(m: &Model, id: &str) -> usize {
    m.scenario.location_index(id).unwrap_or_else(|| panic!("no location {id}"))
}

/// Golden check for costs and stocks (tests/REFERENCE.md): |sim − theory| ≤ max(3·SE, 1 % of
/// theory). Also demands that the run was large enough for 3·SE to be below that 1 %, so the
/// tolerance is really the 1 % of the reference and not a wide statistical one.
pub fn assert_golden(what: &str, sim: &Summary, theory: f64) {
    let tol = (3.0 * sim.se).max(0.01 * theory.abs());
    println!("{what}: simulated {:.5} ± {:.5} (se), theory {theory:.5}, tolerance {tol:.5}", sim.mean, sim.se);
    assert!(
        (sim.mean - theory).abs() <= tol,
        "{what}: simulated {:.5} (se {:.5}, n {}) vs theory {theory:.5}: off by {:.5} > tolerance {tol:.5}",
        sim.mean,
        sim.se,
        sim.n,
        (sim.mean - theory).abs()
    );
    assert!(
        3.0 * sim.se <= 0.01 * theory.abs(),
        "{what}: run too small, 3·SE = {:.5} exceeds 1 % of theory",
        3.0 * sim.se
    );
}

/// Golden check for rates (fill rate, stockout rate): 0.005 absolute (tests/REFERENCE.md).
pub fn assert_golden_rate(what: &str, sim: &Summary, theory: f64) {
    println!("{what}: simulated {:.5} ± {:.5} (se), theory {theory:.5}, tolerance 0.005", sim.mean, sim.se);
    assert!(
        (sim.mean - theory).abs() <= 0.005,
        "{what}: simulated {:.5} (se {:.5}) vs theory {theory:.5}: off by {:.5} > 0.005",
        sim.mean,
        sim.se,
        (sim.mean - theory).abs()
    );
    assert!(3.0 * sim.se < 0.005, "{what}: run too small, 3·SE = {:.5}", 3.0 * sim.se);
}

// ---------------------------------------------------------------------------------------------
// Normal distribution, computed by quadrature so that it does not share code with the crate.

/// Standard normal density.
pub fn phi(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// Standard normal distribution function: 1/2 ± ∫₀^|z| φ by composite Simpson (4000 panels;
/// error far below 1e-12 for |z| ≤ 40).
pub fn big_phi(z: f64) -> f64 {
    let a = z.abs().min(40.0);
    let n = 4000;
    let h = a / n as f64;
    let mut s = phi(0.0) + phi(a);
    for i in 1..n {
        s += phi(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    let half = s * h / 3.0;
    if z >= 0.0 { 0.5 + half } else { 0.5 - half }
}

/// Standard normal loss function L(z) = E[(Z − z)⁺] = φ(z) − z·(1 − Φ(z)).
pub fn std_loss(z: f64) -> f64 {
    phi(z) - z * (1.0 - big_phi(z))
}

/// n_k(S) = E[(D_k − S)⁺] for k days of i.i.d. N(μ, σ²) demand (D_0 = 0).
pub fn normal_loss_k(s: f64, k: u32, mu: f64, sigma: f64) -> f64 {
    if k == 0 {
        return (-s).max(0.0);
    }
    let sd = sigma * f64::from(k).sqrt();
    sd * std_loss((s - f64::from(k) * mu) / sd)
}

// ---------------------------------------------------------------------------------------------
// Poisson, by summing the pmf.

/// P(X = k) for k = 0..=kmax, X ~ Poisson(mean), by the recursion p(k) = p(k−1)·mean/k.
pub fn poisson_pmf(mean: f64, kmax: usize) -> Vec<f64> {
    let mut p = vec![0.0; kmax + 1];
    p[0] = (-mean).exp();
    for k in 1..=kmax {
        p[k] = p[k - 1] * mean / k as f64;
    }
    p
}

// ---------------------------------------------------------------------------------------------
// Traces.

/// One row of `echelon trace` output.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceRow {
    pub day: i64,
    pub location: String,
    pub sku: String,
    pub demand: f64,
    pub sold: f64,
    pub lost: f64,
    pub backorders: f64,
    pub on_hand: f64,
    pub on_order: f64,
    pub ordered: f64,
    pub received: f64,
    pub shipped: f64,
    pub in_transit: f64,
    pub holding_cost: f64,
    pub stockout_cost: f64,
    pub order_cost: f64,
    pub in_transit_holding_cost: f64,
    pub supplier_up: bool,
    /// Units pushed to it today (issue 12: rows balance for pushed stores).
    pub pushed_in: f64,
    /// Units transferred to it today.
    pub transfer_in: f64,
    /// Units it transferred away today.
    pub transfer_out: f64,
}

impl TraceRow {
    /// The numeric cells in column order (demand .. in_transit_holding_cost).
    pub fn numbers(&self) -> [(&'static str, f64); 14] {
        [
            ("demand", self.demand),
            ("sold", self.sold),
            ("lost", self.lost),
            ("backorders", self.backorders),
            ("on_hand", self.on_hand),
            ("on_order", self.on_order),
            ("ordered", self.ordered),
            ("received", self.received),
            ("shipped", self.shipped),
            ("in_transit", self.in_transit),
            ("holding_cost", self.holding_cost),
            ("stockout_cost", self.stockout_cost),
            ("order_cost", self.order_cost),
            ("in_transit_holding_cost", self.in_transit_holding_cost),
        ]
    }
}

/// The trace columns of the contract (DESIGN.md §4), spelled out here rather than taken from the
/// crate so that a change of the contract fails a test.
pub const TRACE_COLUMNS: [&str; 21] = [
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

/// Parses trace CSV text (ids without commas or quotes), checking the header.
pub fn parse_trace(csv: &str) -> Vec<TraceRow> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("trace has a header").split(',').collect();
    assert_eq!(header, TRACE_COLUMNS, "trace header");
    lines
        .map(|line| {
            let c: Vec<&str> = line.split(',').collect();
            assert_eq!(c.len(), TRACE_COLUMNS.len(), "trace row has {} cells: {line}", c.len());
            let f = |i: usize| -> f64 {
                if c[i].is_empty() {
                    f64::NAN
                } else {
                    c[i].parse()
                        .unwrap_or_else(|_| panic!("cell {} '{}' is not a number: {line}", TRACE_COLUMNS[i], c[i]))
                }
            };
            TraceRow {
                day: c[0].parse().expect("day is an integer"),
                location: c[1].to_string(),
                sku: c[2].to_string(),
                demand: f(3),
                sold: f(4),
                lost: f(5),
                backorders: f(6),
                on_hand: f(7),
                on_order: f(8),
                ordered: f(9),
                received: f(10),
                shipped: f(11),
                in_transit: f(12),
                holding_cost: f(13),
                stockout_cost: f(14),
                order_cost: f(15),
                in_transit_holding_cost: f(16),
                supplier_up: match c[17] {
                    "1" => true,
                    "0" => false,
                    other => panic!("supplier_up '{other}' is not 0 or 1"),
                },
                pushed_in: f(18),
                transfer_in: f(19),
                transfer_out: f(20),
            }
        })
        .collect()
}

/// The trace rows of one location (replication 0 at the scenario's seed), day by day.
pub fn rows(m: &Model, location: &str) -> Vec<TraceRow> {
    let all = parse_trace(&trace_csv(m, m.scenario.simulation.seed, 0));
    let v: Vec<TraceRow> = all.into_iter().filter(|r| r.location == location).collect();
    assert!(!v.is_empty(), "no trace rows for {location}");
    v
}

/// One column of trace rows.
pub fn col(rows: &[TraceRow], f: impl Fn(&TraceRow) -> f64) -> Vec<f64> {
    rows.iter().map(f).collect()
}

/// Whole numbers as f64, for comparing trace columns with hand tables.
pub fn units(v: &[i64]) -> Vec<f64> {
    v.iter().map(|&x| x as f64).collect()
}

/// Relative-or-absolute closeness for sums that the engine and a test add in different orders.
pub fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * a.abs().max(b.abs()).max(1.0)
}
