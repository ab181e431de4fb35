//! The teaching gallery (`scenarios/`): every file runs, and every lesson's claim holds.
//!
//! First, every `.toml` under `scenarios/` (including `perf/`) loads, validates and runs with a
//! few replications and days, under each of its strategies and stress tests. Then each lesson of
//! `scenarios/README.md` is checked against what its header promises, with the theory computed
//! here, independently of the crate: the newsvendor and base-stock costs (normal loss function),
//! the (s, S) optimum (Zheng–Federgruen search and the exact Markov chain of the inventory
//! position), Eppen's √n pooling, the Clark–Scarf recursion for the three-stage chain (a
//! discretised normal on a 0.1-unit grid), Chen et al.'s bullwhip ratio, the Beer Game's growing
//! order variance, JIT against push under a strike, the tiered launch, and the winter jackets'
//! national plan (the north short, the south overstocked, each strategy fixing part of it).
//! Tolerances follow `golden`: |sim − theory| ≤ max(3·SE, 1 %) for costs and stocks, with
//! 3·SE ≤ 1 % required.

use std::path::{Path, PathBuf};

use echelon::kpi::Kpi;
use echelon::report::trace::trace_csv;
use echelon::runner::{RunResult, Scope};
use echelon::scenario::{Patch, Variant};
use echelon::stats::Summary;
use echelon::{Model, Scenario};

use crate::common::*;

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// Every `.toml` under `dir`, recursively, sorted.
fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            out.extend(toml_files(&p));
        } else if p.extension().is_some_and(|x| x == "toml") {
            out.push(p);
        }
    }
    out
}

/// Loads a gallery file under a strategy and stress test (`None`: the default, no stress).
fn load(file: &str, strategy: Option<&str>, stress: Option<&str>, patches: &[&str]) -> Scenario {
    let path = scenarios_dir().join(file);
    let v = Variant {
        strategy: strategy.map(str::to_string),
        stress: stress.map(str::to_string),
        patches: patches.iter().map(|p| Patch::parse(p, "gallery test").unwrap()).collect(),
    };
    Scenario::load_variant(&path, &v)
        .unwrap_or_else(|e| panic!("{file} ({strategy:?}, {stress:?}) does not load:\n{e}"))
}

/// Loads, compiles and runs a gallery file with its own replications and seed.
fn run_file(file: &str, strategy: Option<&str>, stress: Option<&str>) -> (Model, RunResult) {
    let m = Model::compile(&load(file, strategy, stress, &[]));
    let r = run_model(&m);
    (m, r)
}

/// Mean and standard error of the replication-by-replication difference a − b.
fn paired(r_a: &RunResult, r_b: &RunResult, kpi: Kpi) -> (f64, f64) {
    let (sa, sb) = (r_a.scope_index(Scope::Network).unwrap(), r_b.scope_index(Scope::Network).unwrap());
    let d: Vec<f64> = r_a.series(sa, kpi).iter().zip(r_b.series(sb, kpi)).map(|(a, b)| a - b).collect();
    let s = Summary::of(&d).expect("differences");
    (s.mean, s.se)
}

/// Golden check of a ratio of two simulated costs against a theoretical ratio: each cost may be
/// off by its own golden tolerance, so the ratio by the sum of the relative tolerances.
fn assert_ratio(what: &str, num: &Summary, num_theory: f64, den: &Summary, den_theory: f64) {
    let rel = |s: &Summary, t: f64| (3.0 * s.se).max(0.01 * t) / t;
    let (ratio, theory) = (num.mean / den.mean, num_theory / den_theory);
    let tol = theory * (rel(num, num_theory) + rel(den, den_theory));
    println!("{what}: simulated {ratio:.4}, theory {theory:.4}, tolerance {tol:.4}");
    assert!((ratio - theory).abs() <= tol, "{what}: ratio {ratio:.4} vs theory {theory:.4} (tolerance {tol:.4})");
}

// ---------------------------------------------------------------------------------------------
// (a) Every file, every strategy, every stress test.

/// Every scenario file loads, validates and runs — each of its strategies under no stress and
/// under each of its stress tests — with two replications of at most 60 measured days.
#[test]
fn every_gallery_file_runs_under_every_strategy_and_stress() {
    let files = toml_files(&scenarios_dir());
    assert!(files.len() >= 12, "expected the whole gallery, found {files:?}");
    let mut variants = 0;
    for path in &files {
        let base = Scenario::load(path).unwrap_or_else(|e| panic!("{} does not load:\n{e}", path.display()));
        let days = base.simulation.days.min(60);
        let warmup = base.simulation.warmup_days.min(30);
        let short = [format!("simulation.days={days}"), format!("simulation.warmup_days={warmup}")];
        let strategies: Vec<Option<String>> = if base.strategies.is_empty() {
            vec![None]
        } else {
            base.strategies.iter().map(|s| Some(s.name.clone())).collect()
        };
        let stresses: Vec<Option<String>> =
            std::iter::once(None).chain(base.stresses.iter().map(|s| Some(s.name.clone()))).collect();
        for strategy in &strategies {
            for stress in &stresses {
                let v = Variant {
                    strategy: strategy.clone(),
                    stress: stress.clone(),
                    patches: short.iter().map(|p| Patch::parse(p, "gallery test").unwrap()).collect(),
                };
                let what = format!("{} (strategy {strategy:?}, stress {stress:?})", path.display());
                let sc = Scenario::load_variant(path, &v).unwrap_or_else(|e| panic!("{what} does not load:\n{e}"));
                assert_eq!(sc.strategy, *strategy, "{what}: strategy applied");
                assert_eq!(sc.stress, *stress, "{what}: stress applied");
                let m = Model::compile(&sc);
                let r = run_with(&m, 2, 1);
                let net = r.scope_index(Scope::Network).unwrap();
                for kpi in [Kpi::TotalCost, Kpi::AvgOnHand, Kpi::UnitsDemanded] {
                    for &x in r.series(net, kpi) {
                        assert!(x.is_finite() && x >= 0.0, "{what}: {} = {x}", kpi.name());
                    }
                }
                variants += 1;
            }
        }
    }
    println!("{} files, {variants} variants run", files.len());
}

// ---------------------------------------------------------------------------------------------
// Newsvendor and base-stock: the files' own numbers.

/// Cost, on hand, backorders and fill rate of a single-stage base-stock store with N(μ, σ²)
/// demand (see `golden`): net stock at the end of a day is S − D_L.
pub(crate) fn normal_base_stock(s: f64, lead: u32, mu: f64, sigma: f64, h: f64, p: f64) -> (f64, f64, f64, f64) {
    let n_l = normal_loss_k(s, lead, mu, sigma);
    let on_hand = s - f64::from(lead) * mu + n_l;
    let fill = 1.0 - (n_l - normal_loss_k(s, lead - 1, mu, sigma)) / mu;
    (h * on_hand + p * n_l, on_hand, n_l, fill)
}

/// The base-stock level S whose fill rate is `target` with N(μ, σ²) demand and lead time L, by
/// bisection on the exact fill rate of `normal_base_stock` (README: "exact theory").
pub(crate) fn base_stock_for_fill(target: f64, lead: u32, mu: f64, sigma: f64) -> f64 {
    let fill = |s: f64| normal_base_stock(s, lead, mu, sigma, 0.0, 0.0).3;
    let (mut lo, mut hi) = (f64::from(lead) * mu, f64::from(lead) * mu + 10.0 * sigma * f64::from(lead).sqrt());
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if fill(mid) < target { lo = mid } else { hi = mid }
    }
    hi
}

/// `newsvendor.toml` and `base-stock.toml` deliver the numbers of their headers.
#[test]
fn newsvendor_and_base_stock_files_match_their_headers() {
    for (file, s, lead, header) in
        [("newsvendor.toml", 56.604, 1, (1.9976, 0.9816)), ("base-stock.toml", 161.438, 3, (3.4600, 0.9682))]
    {
        let (cost, on_hand, backorders, fill) = normal_base_stock(s, lead, 50.0, 8.0, 0.18, 0.70);
        assert!((cost - header.0).abs() < 1e-4 && (fill - header.1).abs() < 1e-4, "{file}: {cost} {fill}");
        let (_, r) = run_file(file, None, None);
        let net = Scope::Network;
        assert_golden(&format!("{file} total_cost"), &summary(&r, net, Kpi::TotalCost), cost);
        assert_golden(&format!("{file} avg_on_hand"), &summary(&r, net, Kpi::AvgOnHand), on_hand);
        assert_golden(&format!("{file} avg_backorders"), &summary(&r, net, Kpi::AvgBackorders), backorders);
        assert_golden_rate(&format!("{file} fill_rate"), &summary(&r, net, Kpi::FillRate), fill);
    }
}

// ---------------------------------------------------------------------------------------------
// (s, S) with a fixed order cost.

/// Daily-review (s, S) with Poisson demand, backorders and lead time L, in the engine's
/// conventions: the inventory position after ordering Y_t ∈ {s+1..S}; the end-of-day stock of
/// day t + L is Y_t − (demand of days t+1..t+L); an order is placed when Y_{t−1} − D_t ≤ s.
struct SsModel {
    h: f64,
    p: f64,
    k: f64,
    /// pmf of one day's demand.
    p1: Vec<f64>,
    /// pmf of L days' demand.
    p_l: Vec<f64>,
}

impl SsModel {
    fn new(mean: f64, lead: u32, h: f64, p: f64, k: f64) -> SsModel {
        let kmax = 400;
        SsModel { h, p, k, p1: poisson_pmf(mean, kmax), p_l: poisson_pmf(mean * f64::from(lead), kmax) }
    }

    /// E[(y − D_L)⁺] and E[(D_L − y)⁺].
    fn stocks(&self, y: i64) -> (f64, f64) {
        self.p_l.iter().enumerate().fold((0.0, 0.0), |(oh, bo), (d, q)| {
            let x = (y - d as i64) as f64;
            (oh + q * x.max(0.0), bo + q * (-x).max(0.0))
        })
    }

    /// Expected holding and backorder cost at the end of day t + L given Y_t = y.
    fn g(&self, y: i64) -> f64 {
        let (oh, bo) = self.stocks(y);
        self.h * oh + self.p * bo
    }

    /// Renewal masses m(j) (expected number of days the position spends at S − j in a cycle)
    /// and their partial sums M(n) = m(0) + … + m(n−1), for j < n.
    fn renewal(&self, n: usize) -> (Vec<f64>, Vec<f64>) {
        let p0 = self.p1[0];
        let mut m = vec![0.0; n];
        m[0] = 1.0 / (1.0 - p0);
        for j in 1..n {
            m[j] = (1..=j.min(self.p1.len() - 1)).map(|l| self.p1[l] * m[j - l]).sum::<f64>() / (1.0 - p0);
        }
        let mut big = vec![0.0; n + 1];
        for j in 0..n {
            big[j + 1] = big[j] + m[j];
        }
        (m, big)
    }

    /// Long-run cost per day of (s, S) by renewal reward (Zheng & Federgruen 1991):
    /// c(s, S) = (K + Σ_{j<S−s} m(j)·G(S − j)) / M(S − s).
    fn cost(&self, s: i64, big_s: i64) -> f64 {
        let n = (big_s - s) as usize;
        let (m, big) = self.renewal(n);
        (self.k + (0..n).map(|j| m[j] * self.g(big_s - j as i64)).sum::<f64>()) / big[n]
    }

    /// The optimal (s, S) and its cost by the Zheng–Federgruen algorithm.
    fn zheng_federgruen(&self) -> (i64, i64, f64) {
        let y_star = (-50..400).min_by(|&a, &b| self.g(a).total_cmp(&self.g(b))).unwrap();
        let mut s = y_star;
        let mut s0 = y_star;
        loop {
            s -= 1;
            if self.cost(s, s0) <= self.g(s) {
                break;
            }
        }
        let mut c0 = self.cost(s, s0);
        let mut big_s = s0 + 1;
        while self.g(big_s) <= c0 {
            if self.cost(s, big_s) < c0 {
                s0 = big_s;
                while self.cost(s, s0) <= self.g(s + 1) {
                    s += 1;
                }
                c0 = self.cost(s, s0);
            }
            big_s += 1;
        }
        (s, s0, c0)
    }

    /// Exact stationary KPIs of (s, S) from the Markov chain of Y (power iteration):
    /// (cost, on hand, backorders, orders per day).
    fn chain(&self, s: i64, big_s: i64) -> (f64, f64, f64, f64) {
        let n = (big_s - s) as usize;
        let mut pi = vec![1.0 / n as f64; n];
        for _ in 0..20_000 {
            let mut next = vec![0.0; n];
            for (i, &w) in pi.iter().enumerate() {
                let y = s + 1 + i as i64;
                for (d, q) in self.p1.iter().enumerate() {
                    let z = y - d as i64;
                    next[if z > s { (z - s - 1) as usize } else { n - 1 }] += w * q;
                }
            }
            pi = next;
        }
        let (mut oh, mut bo, mut order) = (0.0, 0.0, 0.0);
        for (i, &w) in pi.iter().enumerate() {
            let y = s + 1 + i as i64;
            let (a, b) = self.stocks(y);
            oh += w * a;
            bo += w * b;
            // Tomorrow's review orders when y − D ≤ s, i.e. D ≥ y − s.
            order += w * self.p1.iter().skip((y - s) as usize).sum::<f64>();
        }
        (self.h * oh + self.p * bo + self.k * order, oh, bo, order)
    }
}

/// `s-S-order-cost.toml`: Poisson(5), L = 2, h = 1, p = 9, K = 20. The Zheng–Federgruen search
/// finds (s, S) = (9, 23) at 15.694 a day — the file's policy — and a brute-force search agrees;
/// the exact Markov chain gives the same cost. The best base-stock level is 14 at 25.73 a day
/// (64 % more). The simulation matches both.
#[test]
fn s_s_with_order_cost_is_optimal_and_beats_base_stock() {
    let t = SsModel::new(5.0, 2, 1.0, 9.0, 20.0);
    let (s, big_s, c_opt) = t.zheng_federgruen();
    println!("Zheng–Federgruen: (s, S) = ({s}, {big_s}), cost {c_opt:.5}");
    assert_eq!((s, big_s), (9, 23), "optimal (s, S)");
    // Brute force over a wide grid agrees.
    let mut best = (f64::INFINITY, 0, 0);
    for bs in 0..60 {
        for ss in -10..bs {
            let c = t.cost(ss, bs);
            if c < best.0 {
                best = (c, ss, bs);
            }
        }
    }
    assert_eq!((best.1, best.2), (9, 23), "brute force");
    assert!((best.0 - c_opt).abs() < 1e-9);
    let (cost, oh, bo, orders) = t.chain(9, 23);
    println!("Markov chain: cost {cost:.5}, on hand {oh:.5}, backorders {bo:.5}, orders/day {orders:.5}");
    assert!((cost - c_opt).abs() < 1e-9, "renewal {c_opt} vs chain {cost}");
    assert!((cost - 15.694).abs() < 5e-4 && (oh - 7.813).abs() < 5e-4 && (bo - 0.2022).abs() < 5e-5, "header numbers");
    // Best base-stock = (S − 1, S): an order on every day with demand.
    let (bs_level, bs_cost) =
        (0..60).map(|x| (x, t.g(x) + t.k * (1.0 - t.p1[0]))).min_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
    println!(
        "best base-stock S = {bs_level}: cost {bs_cost:.5} ({:.1} % above (s, S))",
        100.0 * (bs_cost / cost - 1.0)
    );
    assert_eq!(bs_level, 14);
    assert!((bs_cost - t.cost(13, 14)).abs() < 1e-9 && (bs_cost - 25.73).abs() < 5e-3);
    assert!(bs_cost > 1.6 * cost, "base-stock should cost over 60 % more");

    let (_, r) = run_file("s-S-order-cost.toml", None, None);
    let net = Scope::Network;
    let sim = summary(&r, net, Kpi::TotalCost);
    assert_golden("(s, S) total_cost", &sim, cost);
    assert_golden("(s, S) avg_on_hand", &summary(&r, net, Kpi::AvgOnHand), oh);
    assert_golden("(s, S) avg_backorders", &summary(&r, net, Kpi::AvgBackorders), bo);
    assert_golden_rate("(s, S) orders_per_day", &summary(&r, net, Kpi::OrdersPerDay), orders);
    let (_, rb) = run_file("s-S-order-cost.toml", Some("base-stock"), None);
    let sim_b = summary(&rb, net, Kpi::TotalCost);
    assert_golden("base-stock 14 total_cost", &sim_b, bs_cost);
    assert_ratio("base-stock / (s, S) cost", &sim_b, bs_cost, &sim, cost);
    let (d, se) = paired(&rb, &r, Kpi::TotalCost);
    println!("base-stock − (s, S): {d:.4} ± {se:.4} a day");
    assert!(d - 3.0 * se > 0.6 * cost, "base-stock must cost over 60 % more: {d} ± {se}");
}

// ---------------------------------------------------------------------------------------------
// Risk pooling.

/// `risk-pooling-*.toml`: four separate stocks cost 140.40 a day, one pooled stock 70.20 — √4 = 2.
#[test]
fn risk_pooling_files_halve_the_cost() {
    let z = 125.631;
    let (one, ..) = normal_base_stock(z, 1, 100.0, 20.0, 1.0, 9.0);
    let (pooled, ..) = normal_base_stock(451.262, 1, 400.0, 40.0, 1.0, 9.0);
    assert!((4.0 * one - 140.40).abs() < 0.01 && (pooled - 70.20).abs() < 0.01, "{one} {pooled}");
    let (_, rd) = run_file("risk-pooling-decentralised.toml", None, None);
    let (_, rc) = run_file("risk-pooling-centralised.toml", None, None);
    let d = summary(&rd, Scope::Network, Kpi::TotalCost);
    let c = summary(&rc, Scope::Network, Kpi::TotalCost);
    assert_golden("decentralised total_cost (140.40)", &d, 4.0 * one);
    assert_golden("centralised total_cost (70.20)", &c, pooled);
    assert_ratio("decentralised / centralised cost (√4 = 2)", &d, 4.0 * one, &c, pooled);
}

// ---------------------------------------------------------------------------------------------
// Clark–Scarf.

/// Functions of a stock level on the grid y = LO + i·STEP.
const CS_LO: f64 = -200.0;
const CS_STEP: f64 = 0.1;
const CS_N: usize = 8001;

fn cs_y(i: usize) -> f64 {
    CS_LO + i as f64 * CS_STEP
}

/// N(mean, sd²) demand discretised on the grid's multiples of STEP: mass w[j] at (k0 + j)·STEP
/// (the interval of width STEP around it; anything below the first point is put on it).
struct Masses {
    k0: i64,
    w: Vec<f64>,
}

fn normal_masses(mean: f64, sd: f64) -> Masses {
    let k0 = ((mean - 9.0 * sd) / CS_STEP).floor().max(0.0) as i64;
    let k1 = ((mean + 9.0 * sd) / CS_STEP).ceil() as i64;
    let cdf = |x: f64| big_phi((x - mean) / sd);
    let w = (k0..=k1)
        .map(|k| {
            let lo = if k == k0 { 0.0 } else { cdf((k as f64 - 0.5) * CS_STEP) };
            let hi = if k == k1 { 1.0 } else { cdf((k as f64 + 0.5) * CS_STEP) };
            hi - lo
        })
        .collect();
    Masses { k0, w }
}

/// f at grid index i, extended linearly beyond the grid.
fn cs_at(f: &[f64], i: i64) -> f64 {
    let n = f.len() as i64;
    if i < 0 {
        f[0] + (f[1] - f[0]) * i as f64
    } else if i >= n {
        f[f.len() - 1] + (f[f.len() - 1] - f[f.len() - 2]) * (i - n + 1) as f64
    } else {
        f[i as usize]
    }
}

/// g(y) = E f(min(cap, y − D)) with D of the masses: what f, a function of the stage below's
/// position, costs when the stage above has echelon position y and the stage below may only
/// raise its own to `cap` (its level).
fn cs_lift(f: &[f64], cap: usize, m: &Masses) -> Vec<f64> {
    (0..CS_N)
        .map(|i| {
            m.w.iter().enumerate().map(|(j, w)| w * cs_at(f, (i as i64 - m.k0 - j as i64).min(cap as i64))).sum::<f64>()
        })
        .collect()
}

fn cs_index(level: f64) -> usize {
    ((level - CS_LO) / CS_STEP).round() as usize
}

fn cs_argmin(f: &[f64]) -> usize {
    (0..f.len()).min_by(|&a, &b| f[a].total_cmp(&f[b])).unwrap()
}

/// The three-stage chain of `clark-scarf.toml` and its cost functions.
struct ClarkScarf {
    mu: f64,
    /// Lead times of stages 1 (store), 2, 3.
    lead: [u32; 3],
    /// Echelon holding costs e1, e2, e3.
    e: [f64; 3],
    /// p + h1: what a store backorder costs on top of its (negative) echelon holding.
    short: f64,
    masses: [Masses; 3],
    /// E(D_{L1} − y)⁺ on the grid.
    n1: Vec<f64>,
    /// G1(y) = e1·(y − L1·μ) + (p + h1)·E(D_{L1} − y)⁺.
    g1: Vec<f64>,
}

impl ClarkScarf {
    fn new(mu: f64, sigma: f64, lead: [u32; 3], h: [f64; 3], p: f64) -> ClarkScarf {
        let e = [h[0] - h[1], h[1] - h[2], h[2]];
        let masses = lead.map(|l| normal_masses(f64::from(l) * mu, sigma * f64::from(l).sqrt()));
        let m1 = &masses[0];
        let n1: Vec<f64> = (0..CS_N)
            .map(|i| {
                m1.w.iter()
                    .enumerate()
                    .map(|(j, w)| w * (((m1.k0 + j as i64) as f64) * CS_STEP - cs_y(i)).max(0.0))
                    .sum()
            })
            .collect();
        let short = p + h[0];
        let g1 = (0..CS_N).map(|i| e[0] * (cs_y(i) - f64::from(lead[0]) * mu) + short * n1[i]).collect();
        ClarkScarf { mu, lead, e, short, masses, n1, g1 }
    }

    /// G_{j+1} from G_j, given stage j's level: e_{j+1}·(y − L_{j+1}·μ) + E G_j(min(S_j, y − D)).
    fn next(&self, g: &[f64], cap: usize, stage: usize) -> Vec<f64> {
        let lin = |i: usize| self.e[stage] * (cs_y(i) - f64::from(self.lead[stage]) * self.mu);
        cs_lift(g, cap, &self.masses[stage]).iter().enumerate().map(|(i, v)| v + lin(i)).collect()
    }

    /// The optimal echelon levels (grid indices) and the optimal cost per day.
    fn optimum(&self) -> ([usize; 3], f64) {
        let s1 = cs_argmin(&self.g1);
        let g2 = self.next(&self.g1, s1, 1);
        let s2 = cs_argmin(&g2);
        let g3 = self.next(&g2, s2, 2);
        let s3 = cs_argmin(&g3);
        ([s1, s2, s3], g3[s3])
    }

    /// Expected cost per day and store backorders of echelon levels S (grid indices), optimal or
    /// not: the same recursion with the given levels.
    fn evaluate(&self, s: [usize; 3]) -> (f64, f64) {
        let g2 = self.next(&self.g1, s[0], 1);
        let g3 = self.next(&g2, s[1], 2);
        let b2 = cs_lift(&self.n1, s[0], &self.masses[1]);
        let b3 = cs_lift(&b2, s[1], &self.masses[2]);
        (g3[s[2]], b3[s[2]])
    }
}

/// `clark-scarf.toml`: factory → central DC (L = 3, h = 0.3) → regional DC (L = 2, h = 0.6) →
/// store (L = 1, h = 1.0), N(50, 10²) demand, p = 9, echelon base-stock.
///
/// Cost bookkeeping: the engine charges on-hand at each location's rate and stock in transit
/// into a stage at the shipping stage's rate (nothing from the factory). With echelon
/// inventories EI₃ = everything from the central DC down (its on hand, the regional DC's
/// pipeline and on hand, the store's pipeline and on hand, minus store backorders B), EI₂ and
/// EI₁ likewise, and echelon rates e = (h₁ − h₂, h₂ − h₃, h₃), that is exactly
/// Σ eⱼ·EIⱼ + (p + h₁)·B — no pipeline constant to add or subtract. In the engine's day, the
/// echelon inventory of stage j at the end of day t + Lⱼ is its shipped position of day t
/// (after stage j+1 shipped) minus Lⱼ days of demand, and the shipped position is
/// min(Sⱼ, echelon inventory of stage j+1 that day): the Clark–Scarf recursion
/// G₁(y) = e₁(y − L₁μ) + (p + h₁)E(D₁ − y)⁺, Gⱼ(y) = eⱼ(y − Lⱼμ) + E Gⱼ₋₁(min(Sⱼ₋₁, y − Dⱼ)),
/// Sⱼ = argmin Gⱼ, optimal cost G₃(S₃).
#[test]
fn clark_scarf_levels_are_optimal_and_the_cost_matches() {
    let cs = ClarkScarf::new(50.0, 10.0, [1, 2, 3], [1.0, 0.6, 0.3], 9.0);
    assert!((cs.short - 10.0).abs() < 1e-12);
    let (opt, c_opt) = cs.optimum();
    let levels = opt.map(cs_y);
    println!("Clark–Scarf optimum: S1 {:.1}, S2 {:.1}, S3 {:.1}, cost {c_opt:.4}", levels[0], levels[1], levels[2]);

    let sc = load("clark-scarf.toml", None, None, &[]);
    let file_levels: Vec<f64> = ["store", "regional-dc", "central-dc"]
        .iter()
        .map(|id| {
            let q = sc.positions.iter().find(|p| sc.locations[p.location].id == *id).unwrap();
            match q.policy.kind {
                echelon::policy::PolicyKind::EchelonBaseStock { level } => level,
                other => panic!("{id}: expected echelon_base_stock, found {other:?}"),
            }
        })
        .collect();
    for (j, (&f, &o)) in file_levels.iter().zip(&levels).enumerate() {
        assert!((f - o).abs() <= CS_STEP + 1e-9, "stage {}: file level {f} vs optimum {o}", j + 1);
    }
    let file_idx = [cs_index(file_levels[0]), cs_index(file_levels[1]), cs_index(file_levels[2])];
    let (c_file, b_file) = cs.evaluate(file_idx);
    assert!((c_file - c_opt).abs() <= 1e-4 * c_opt, "file levels cost {c_file} vs optimum {c_opt}");
    assert!((c_file - 94.05).abs() < 0.01 && (b_file - 0.796).abs() < 0.001, "header: {c_file} {b_file}");

    let m = Model::compile(&sc);
    let r = run_model(&m);
    let net = Scope::Network;
    let sim = summary(&r, net, Kpi::TotalCost);
    assert_golden("Clark–Scarf total_cost", &sim, c_file);
    let store = Scope::Location(loc(&m, "store"));
    let bo = summary(&r, store, Kpi::AvgBackorders);
    println!("store backorders: simulated {:.4} ± {:.4}, theory {b_file:.4}", bo.mean, bo.se);
    assert!((bo.mean - b_file).abs() <= (3.0 * bo.se).max(0.02 * b_file), "store backorders");
    // Pipeline: 0.3 × 2 days × 50 into the regional DC + 0.6 × 1 day × 50 into the store.
    assert_golden("in-transit holding (60)", &summary(&r, net, Kpi::InTransitHoldingCost), 60.0);

    // Each level 10 % lower or higher costs more, in theory and in the simulation (paired on
    // common random numbers).
    let ids = ["store", "regional-dc", "central-dc"];
    for (j, id) in ids.iter().enumerate() {
        for f in [0.9, 1.1] {
            let mut lv = file_levels.clone();
            lv[j] *= f;
            let (c_th, _) = cs.evaluate([cs_index(lv[0]), cs_index(lv[1]), cs_index(lv[2])]);
            let set = format!("locations.{id}.policy.level={:.1}", lv[j]);
            let mp = Model::compile(&load("clark-scarf.toml", None, None, &[&set]));
            let rp = run_model(&mp);
            let sp = summary(&rp, net, Kpi::TotalCost);
            let (d, se) = paired(&rp, &r, Kpi::TotalCost);
            println!("{set}: theory {c_th:.4} (+{:.4}), simulated {:.4} (+{d:.4} ± {se:.4})", c_th - c_file, sp.mean);
            assert!(c_th > c_file, "{set}: theory {c_th} not above the optimum {c_file}");
            assert_golden(&format!("{set} total_cost"), &sp, c_th);
            assert!(d > 3.0 * se, "{set}: simulated cost not above the optimum's ({d} ± {se})");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Bullwhip.

/// `bullwhip.toml`: three stores, lead time 2, order-up-to re-set from a p-day moving average;
/// Var(orders)/Var(demand) = 1 + 2L/p + 2L²/p² (Chen et al. 2000): 2.5, 1.625, 1.28125, each
/// within three standard errors.
#[test]
fn bullwhip_matches_chen_et_al() {
    let (m, r) = run_file("bullwhip.toml", None, None);
    let chen = |l: f64, p: f64| 1.0 + 2.0 * l / p + 2.0 * l * l / (p * p);
    assert!((chen(2.0, 4.0) - 2.5).abs() < 1e-12);
    let mut last = f64::INFINITY;
    for (id, p) in [("store-p4", 4.0), ("store-p8", 8.0), ("store-p16", 16.0)] {
        let b = summary(&r, Scope::Location(loc(&m, id)), Kpi::Bullwhip);
        let theory = chen(2.0, p);
        println!("{id}: bullwhip {:.4} ± {:.4} (se), Chen et al. {theory:.4}", b.mean, b.se);
        assert!((b.mean - theory).abs() <= 3.0 * b.se, "{id}: {} ± {} vs {theory}", b.mean, b.se);
        assert!(3.0 * b.se < 0.01 * theory, "{id}: run too small");
        assert!(b.mean < last, "a longer window must dampen the bullwhip");
        last = b.mean;
    }
}

// ---------------------------------------------------------------------------------------------
// Beer Game.

/// Population variance of each stage's weekly orders in one deterministic replication, from the
/// trace; stages from the retailer up.
fn beer_order_variances(strategy: Option<&str>) -> Vec<(String, f64, f64)> {
    let m = Model::compile(&load("beer-game.toml", strategy, None, &[]));
    let rows = parse_trace(&trace_csv(&m, m.scenario.simulation.seed, 0));
    ["retailer", "wholesaler", "distributor", "factory"]
        .iter()
        .map(|id| {
            let o: Vec<f64> = rows.iter().filter(|r| r.location == *id).map(|r| r.ordered).collect();
            assert_eq!(o.len(), 36, "{id}: 36 weeks");
            let mean = o.iter().sum::<f64>() / o.len() as f64;
            let var = o.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / o.len() as f64;
            let max = o.iter().copied().fold(0.0, f64::max);
            println!("  {strategy:?} {id:12} order variance {var:9.2}, largest order {max:6.1}");
            (id.to_string(), var, max)
        })
        .collect()
}

/// `beer-game.toml`: the variance of orders grows at every stage upstream, and the factory's is
/// more than ten times the retailer's (5.8 → 53 → 494 → 4385); slower smoothing tames it but
/// the amplification remains; passing orders through removes it.
#[test]
fn beer_game_order_variance_grows_upstream() {
    let v = beer_order_variances(None);
    for w in v.windows(2) {
        assert!(w[1].1 > w[0].1, "order variance must grow upstream: {} {} vs {} {}", w[1].0, w[1].1, w[0].0, w[0].1);
    }
    assert!(v[3].1 > 10.0 * v[0].1, "factory {} vs retailer {}", v[3].1, v[0].1);
    let header = [5.8, 53.0, 494.0, 4385.0];
    for ((id, var, _), h) in v.iter().zip(header) {
        assert!((var - h).abs() <= 0.01 * h, "{id}: {var} vs header {h}");
    }
    let calm = beer_order_variances(Some("calm"));
    for w in calm.windows(2) {
        assert!(w[1].1 > w[0].1, "calm: order variance must still grow upstream");
    }
    assert!(calm[3].1 < v[3].1 / 10.0, "calm smoothing must tame the factory's orders");
    let pass = beer_order_variances(Some("pass-through"));
    assert!(pass.iter().all(|(_, _, max)| *max <= 8.0), "pass-through orders never exceed the demand of 8");

    // The `bullwhip` chart: each stage's order variance over the variance of customer demand,
    // from the run's day records, equals the trace's variances over the demand's.
    let mut m = Model::compile(&load("beer-game.toml", None, None, &[]));
    m.record_daily = true;
    let r = run_model(&m);
    let rows = parse_trace(&trace_csv(&m, m.scenario.simulation.seed, 0));
    let d: Vec<f64> = rows.iter().filter(|r| r.location == "retailer").map(|r| r.demand).collect();
    let mean = d.iter().sum::<f64>() / d.len() as f64;
    let var_d = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / d.len() as f64;
    let chart = echelon::report::figures::echelon_bullwhip(&m, &r);
    let names: Vec<&str> = chart.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["retailer", "wholesaler", "distributor", "factory"]);
    for ((id, var, _), (_, ratio)) in v.iter().zip(&chart) {
        println!("  chart {id:12} {ratio:9.3} = {var:.2} / {var_d:.4}");
        assert!((ratio - var / var_d).abs() <= 1e-9 * ratio, "{id}: chart {ratio} vs trace {}", var / var_d);
    }
}

// ---------------------------------------------------------------------------------------------
// JIT versus push.

/// `jit-vs-push-disruption.toml`: in calm weather JIT is far cheaper; under the port strike its
/// fill rate falls below push's.
#[test]
fn jit_is_cheaper_when_calm_and_worse_in_a_strike() {
    let f = "jit-vs-push-disruption.toml";
    let mut out = Vec::new();
    for stress in [None, Some("port-strike")] {
        for strategy in ["jit", "push"] {
            let m = Model::compile(&load(f, Some(strategy), stress, &[]));
            let r = run_with(&m, 200, m.scenario.simulation.seed);
            let (fill, cost) =
                (summary(&r, Scope::Network, Kpi::FillRate), summary(&r, Scope::Network, Kpi::TotalCost));
            println!(
                "{strategy} {stress:?}: fill {:.4} ± {:.4}, cost {:.2} ± {:.2}",
                fill.mean, fill.se, cost.mean, cost.se
            );
            out.push((fill, cost));
        }
    }
    let [(jf, jc), (pf, pc), (jfs, _), (pfs, _)] = [&out[0], &out[1], &out[2], &out[3]];
    assert!(jc.mean + 3.0 * (jc.se + pc.se) < 0.5 * pc.mean, "calm: JIT must cost under half of push");
    assert!(jf.mean > 0.97 && pf.mean > 0.97, "calm: both serve well");
    assert!(jfs.mean + 3.0 * (jfs.se + pfs.se) < pfs.mean - 0.03, "strike: JIT's fill must fall below push's");
}

// ---------------------------------------------------------------------------------------------
// Tiered launch.

/// `tiered-launch.toml`: with a reserve and tier-priority rationing the flagships (tier A) fill
/// far better than the neighbourhood stores (tier B), the DC holds a reserve, and the network
/// sells the same as without tiers; without them both tiers fill alike.
#[test]
fn tiered_launch_protects_tier_a() {
    let f = "tiered-launch.toml";
    let (m, r) = run_file(f, None, None);
    let (a, b) = (summary(&r, tier(&m, "A"), Kpi::FillRate), summary(&r, tier(&m, "B"), Kpi::FillRate));
    let held = summary(&r, Scope::Location(loc(&m, "dc")), Kpi::ReserveHeld);
    println!("tiered: A {:.4} ± {:.4}, B {:.4} ± {:.4}, reserve held {:.1}", a.mean, a.se, b.mean, b.se, held.mean);
    assert!(a.mean > b.mean + 0.2, "tier A must fill far better than tier B");
    let dc = m.positions_of(loc(&m, "dc"))[0];
    let reserve = 0.4 * m.stock.initial[dc];
    println!("reserve: {reserve:.1} units (40 % of the DC's launch stock {})", m.stock.initial[dc]);
    assert!(held.mean > 100.0 && held.max <= reserve + 1e-9, "reserve held: {held:?}");
    let (me, re) = run_file(f, Some("equal"), None);
    let (ae, be) = (summary(&re, tier(&me, "A"), Kpi::FillRate), summary(&re, tier(&me, "B"), Kpi::FillRate));
    println!("equal: A {:.4} ± {:.4}, B {:.4} ± {:.4}", ae.mean, ae.se, be.mean, be.se);
    assert!((ae.mean - be.mean).abs() < 0.02, "without tiers both tiers fill alike");
    assert_eq!(summary(&re, Scope::Location(loc(&me, "dc")), Kpi::ReserveHeld).max, 0.0);
    let (sold_t, sold_e) = (summary(&r, Scope::Network, Kpi::UnitsSold), summary(&re, Scope::Network, Kpi::UnitsSold));
    println!("units sold per day: tiered {:.3}, equal {:.3}", sold_t.mean, sold_e.mean);
    assert!((sold_t.mean - sold_e.mean).abs() < 0.01 * sold_e.mean, "tiering moves sales, it does not add them");
}

// ---------------------------------------------------------------------------------------------
// Winter jackets.

/// Mean of a KPI over several locations' means (the north's or the south's stores).
fn mean_over(m: &Model, r: &RunResult, ids: &[&str], kpi: Kpi) -> f64 {
    ids.iter().map(|id| summary(r, Scope::Location(loc(m, id)), kpi).mean).sum::<f64>() / ids.len() as f64
}

const JACKETS_NORTH: [&str; 6] = ["chicago-loop", "minneapolis", "milwaukee", "detroit", "boston", "denver"];
const JACKETS_SOUTH: [&str; 6] = ["phoenix-central", "tucson", "las-vegas", "albuquerque", "san-diego", "dallas"];

/// `winter-jackets.toml`: the national plan puts the jackets where the demand is not. Under pull
/// the north is short and the south overstocked (stores and DC); push on each store's own
/// forecast, rebalancing and tiering each fix part of it, on common random numbers; a national
/// forecast fixes less than a regional one; JIT fails. (The exact figures are pinned by `docs`.)
#[test]
fn winter_jackets_north_short_south_overstocked_and_each_strategy_fixes_part() {
    let f = "winter-jackets.toml";
    let reps = 200;
    let runs: Vec<(Model, RunResult)> = ["pull", "push", "push-national", "rebalance", "tiered", "jit"]
        .iter()
        .map(|s| {
            let m = Model::compile(&load(f, Some(s), None, &[]));
            let r = run_with(&m, reps, m.scenario.simulation.seed);
            (m, r)
        })
        .collect();
    let [pull, push, national, rebalance, tiered, jit] = [&runs[0], &runs[1], &runs[2], &runs[3], &runs[4], &runs[5]];
    let (m, r) = pull;

    // The north is short, the south is not.
    let (fill_n, fill_s) =
        (mean_over(m, r, &JACKETS_NORTH, Kpi::FillRate), mean_over(m, r, &JACKETS_SOUTH, Kpi::FillRate));
    println!("pull: fill north {fill_n:.4}, south {fill_s:.4}");
    assert!(fill_n < 0.85 && fill_s > 0.99, "north short, south served: {fill_n} {fill_s}");
    // The south is overstocked: its stores hold more on a third of the demand and sell through
    // less; the Phoenix DC holds more than twice Chicago's stock and sells through less.
    let (oh_n, oh_s) =
        (mean_over(m, r, &JACKETS_NORTH, Kpi::AvgOnHand), mean_over(m, r, &JACKETS_SOUTH, Kpi::AvgOnHand));
    let (st_n, st_s) =
        (mean_over(m, r, &JACKETS_NORTH, Kpi::SellThrough), mean_over(m, r, &JACKETS_SOUTH, Kpi::SellThrough));
    let dc = |id: &str, k: Kpi| summary(r, Scope::Location(loc(m, id)), k).mean;
    println!(
        "pull: store on hand north {oh_n:.1}, south {oh_s:.1}; sell-through north {st_n:.3}, south {st_s:.3}; \
         DC on hand Chicago {:.0}, Phoenix {:.0}",
        dc("dc-chicago", Kpi::AvgOnHand),
        dc("dc-phoenix", Kpi::AvgOnHand)
    );
    assert!(oh_s > 1.3 * oh_n && st_s + 0.05 < st_n, "southern stores overstocked");
    assert!(dc("dc-phoenix", Kpi::AvgOnHand) > 2.0 * dc("dc-chicago", Kpi::AvgOnHand), "Phoenix DC idle");
    assert!(dc("dc-phoenix", Kpi::SellThrough) + 0.2 < dc("dc-chicago", Kpi::SellThrough), "Phoenix DC sells less");

    // Each strategy fixes part of it (paired on common random numbers), a national forecast less
    // than a regional one, and none fills the north as well as the south.
    let gain = |(_, rv): &(Model, RunResult)| paired(rv, r, Kpi::FillRate);
    for (name, v) in [("push", push), ("push-national", national), ("rebalance", rebalance), ("tiered", tiered)] {
        let (d, se) = gain(v);
        println!("{name}: network fill {d:+.4} ± {se:.4} against pull");
        assert!(d > 0.01 && d > 10.0 * se, "{name} must fill clearly more than pull");
    }
    assert!(gain(push).0 > gain(national).0 + 0.01, "a regional forecast beats the national one");
    for (name, (mv, rv)) in [("push", push), ("rebalance", rebalance)] {
        let north = mean_over(mv, rv, &JACKETS_NORTH, Kpi::FillRate);
        println!("{name}: north fill {north:.4} (pull {fill_n:.4})");
        assert!(north > fill_n + 0.04 && north < fill_s, "{name}: the north gains, not fully");
    }
    let moved = summary(&rebalance.1, Scope::Network, Kpi::UnitsTransferred).mean;
    assert!(moved > 1.0, "rebalancing moves stock: {moved}");
    let a = |(mv, rv): &(Model, RunResult)| summary(rv, tier(mv, "A"), Kpi::FillRate).mean;
    println!("tier A fill: tiered {:.4}, pull {:.4}", a(tiered), a(pull));
    assert!(a(tiered) > a(pull) + 0.05, "tiering protects tier A");
    let jit_fill = summary(&jit.1, Scope::Network, Kpi::FillRate).mean;
    assert!(jit_fill < 0.75, "JIT without safety stock fails: {jit_fill}");
}
