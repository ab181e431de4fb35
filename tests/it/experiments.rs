//! Experiments (`compare`, `sweep`, `size`): common random numbers make paired comparisons
//! sharp, a sweep point is exactly the run it stands for, and sizing by simulation finds the
//! level that theory gives. Then the commands themselves, on the scenarios in `scenarios/`.

use std::fs;
use std::path::Path;

use echelon::experiment::compare::{self, NamedScenario};
use echelon::experiment::size::{self, Target};
use echelon::experiment::sweep::{self, Axis};
use echelon::experiment::{ExperimentError, Settings};
use echelon::kpi::Kpi;
use echelon::runner::{RunOptions, Scope, run};
use echelon::scenario::{Patch, Variant};
use echelon::stats::Summary;
use echelon::{Model, Scenario};
use serde_json::Value;

use crate::common::{echelon_in, normal_loss_k};

fn quiet() -> Settings {
    Settings { quiet: true, ..Settings::default() }
}

/// One store with Poisson demand under two base-stock strategies, and a supplier outage.
const STRATEGIES: &str = r#"
name = "Two strategies"
[simulation]
days = 200
warmup_days = 10
replications = 100
seed = 11
[[skus]]
id = "item"
holding_cost = 0.2
stockout_cost = 1.0
[[locations]]
id = "sup"
type = "supplier"
[[locations]]
id = "store"
type = "store"
source = "sup"
lead_time = 2
policy = { type = "base_stock", level = 12 }
[[demand]]
location = "store"
distribution = { type = "poisson", mean = 5 }

[strategies.lean]
description = "a lower level"
stores = { policy = { type = "base_stock", level = 12 } }

[strategies.rich]
stores = { policy = { type = "base_stock", level = 13 } }

[stress.outage]
description = "ten days without supply"
outages = [{ location = "sup", first_day = 30, last_day = 39 }]
"#;

/// Common random numbers: a higher base-stock level gives a higher fill rate in (nearly) every
/// replication (here 12 vs 13 units), the demand drawn is the same in every replication, and the
/// paired standard error is far below the unpaired one, sqrt(se_a² + se_b²).
#[test]
fn compare_on_common_random_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("two.toml");
    fs::write(&path, STRATEGIES).unwrap();
    let variants = compare::strategy_variants(&path, &[], &["outage".to_string()], &[]).unwrap();
    let names: Vec<&str> = variants.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["lean", "lean+outage", "rich", "rich+outage"]);
    let c = compare::compare(variants, 0, &quiet()).unwrap();
    let (lean, lean_out, rich) = (0, 1, 2);
    assert_eq!(c.replications, 100);

    let d = c.diff(rich, Kpi::FillRate).unwrap();
    let se = |v: usize| c.variants[v].summaries[Kpi::FillRate as usize].as_ref().unwrap().se;
    let unpaired = (se(lean).powi(2) + se(rich).powi(2)).sqrt();
    println!(
        "rich − lean fill rate: {:.5} ± {:.6} (paired se) vs {:.6} unpaired; greater in {:.1} %",
        d.diff.mean,
        d.diff.se,
        unpaired,
        100.0 * d.share_greater
    );
    assert!(d.diff.mean > 0.0 && d.significant());
    assert!(d.share_greater >= 0.95, "higher in only {:.1} % of replications", 100.0 * d.share_greater);
    // Independent runs would give about the unpaired se; common random numbers cut it to a
    // third or less (a ninth of the variance, or better).
    assert!(d.diff.se < unpaired / 3.0, "paired se {} not far below unpaired {unpaired}", d.diff.se);
    // The same demand in every replication of every variant: the difference is exactly zero.
    for v in 1..4 {
        let u = c.diff(v, Kpi::UnitsDemanded).unwrap();
        assert_eq!((u.diff.mean, u.diff.sd, u.share_greater), (0.0, 0.0, 0.0), "{}", c.variants[v].name);
    }
    // Ten days without supply cost fill rate in (nearly) every replication.
    let o = c.diff(lean_out, Kpi::FillRate).unwrap();
    assert!(o.diff.ci95[1] < 0.0 && o.share_greater <= 0.05, "{:?} {}", o.diff, o.share_greater);

    // The JSON carries the same numbers.
    let v: Value = serde_json::from_slice(&c.json()).unwrap();
    assert_eq!(v["baseline"], "lean");
    assert_eq!(v["variants"].as_array().unwrap().len(), 4);
    let entry = v["paired"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["variant"] == "rich" && e["kpi"] == "fill_rate")
        .expect("rich fill_rate entry");
    assert_eq!(entry["baseline"], "lean");
    assert_eq!(entry["mean"].as_f64().unwrap(), d.diff.mean);
    assert_eq!(entry["se"].as_f64().unwrap(), d.diff.se);
    assert_eq!(entry["share_greater"].as_f64().unwrap(), d.share_greater);
    assert_eq!(v["kpis"]["rich"]["fill_rate"]["se"].as_f64().unwrap(), se(rich));
}

/// Exact per-day fill rate of a single-stage base-stock with N(μ, σ²) demand and lead time L
/// (tests/REFERENCE.md): 1 − (n_L(S) − n_{L−1}(S))/μ.
fn exact_fill(s: f64, l: u32, mu: f64, sigma: f64) -> f64 {
    1.0 - (normal_loss_k(s, l, mu, sigma) - normal_loss_k(s, l - 1, mu, sigma)) / mu
}

/// The S with exact fill rate `beta`, by bisection (the fill rate rises with S).
fn exact_level(beta: f64, l: u32, mu: f64, sigma: f64) -> f64 {
    let (mut lo, mut hi) = (0.0, mu * f64::from(l) + 20.0 * sigma * f64::from(l).sqrt());
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if exact_fill(mid, l, mu, sigma) < beta { lo = mid } else { hi = mid }
    }
    0.5 * (lo + hi)
}

const BASE_STOCK: &str = r#"
[simulation]
days = 2000
warmup_days = 20
replications = 40
seed = 5
[[skus]]
id = "item"
unit_cost = 10
holding_cost = 0.18
stockout_cost = 0.70
[[locations]]
id = "supplier"
type = "supplier"
[[locations]]
id = "store"
type = "store"
source = "supplier"
lead_time = 3
policy = { type = "base_stock", level = 100 }
[[demand]]
location = "store"
distribution = { type = "normal", mean = 50.0, sd = 8.0 }
"#;

/// Sizing one store with N(50, 8²) demand and lead time 3 for a 97 % fill rate finds the S of
/// theory within 1 % (Snyder & Shen; the exact per-day fill rate of tests/REFERENCE.md).
#[test]
fn sizing_matches_exact_base_stock_theory() {
    let exact = exact_level(0.97, 3, 50.0, 8.0);
    assert!((exact - 161.9).abs() < 0.1, "test bug: exact S = {exact}");
    let mut m = Model::compile(&Scenario::parse("bs.toml", BASE_STOCK).unwrap());
    let target = Target::parse("fill_rate=0.97", None).unwrap();
    let s = size::size(&mut m, &target, &quiet()).unwrap();
    let p = &s.positions[0];
    println!(
        "sized S = {:.3} (fill {:.5}), exact {exact:.3}, textbook {:.3}; {} runs",
        p.level, p.achieved_statistic, p.textbook_level, s.runs
    );
    assert_eq!((p.location.as_str(), p.policy), ("store", "base_stock"));
    assert!((p.level - exact).abs() <= 0.01 * exact, "sized S = {} vs exact {exact}", p.level);
    assert!(p.met && p.achieved_statistic >= 0.97);
    assert_eq!(p.order_up_to, p.level);
    assert!((p.expected_demand - 150.0).abs() < 1e-9 && (p.safety_stock - (p.level - 150.0)).abs() < 1e-9);
    // Textbook Type-2: σ_P·L(z) = (1 − β)·μ, σ_P = 8√3.
    let z = (p.textbook_level - 150.0) / (8.0 * 3f64.sqrt());
    assert!((8.0 * 3f64.sqrt() * crate::common::std_loss(z) - 1.5).abs() < 1e-6, "textbook {}", p.textbook_level);
    // Bracketing plus bisection down to 0.01·σ: a handful of runs, not hundreds.
    assert!(s.runs <= 20, "{} runs", s.runs);
    // The model is left at the sized level.
    assert_eq!(m.stock.policy[0].kind.order_up_to(), p.level);
}

/// Four independent stores are searched together: the same number of runs as one store, and
/// each gets the one-store answer (their demand streams differ, so only approximately).
#[test]
fn sizing_searches_all_positions_in_the_same_runs() {
    let mut four = BASE_STOCK.replace("replications = 40", "replications = 24").replace("days = 2000", "days = 1000");
    let one = four.clone();
    for i in 2..=4 {
        four.push_str(&format!(
            "[[locations]]\nid = \"store-{i}\"\ntype = \"store\"\nsource = \"supplier\"\nlead_time = 3\n\
             policy = {{ type = \"base_stock\", level = 100 }}\n[[demand]]\nlocation = \"store-{i}\"\n\
             distribution = {{ type = \"normal\", mean = 50.0, sd = 8.0 }}\n"
        ));
    }
    let target = Target::parse("fill_rate=0.97", None).unwrap();
    let mut m1 = Model::compile(&Scenario::parse("one.toml", &one).unwrap());
    let s1 = size::size(&mut m1, &target, &quiet()).unwrap();
    let mut m4 = Model::compile(&Scenario::parse("four.toml", &four).unwrap());
    let s4 = size::size(&mut m4, &target, &quiet()).unwrap();
    println!("runs: one store {}, four stores {}", s1.runs, s4.runs);
    assert_eq!(s4.positions.len(), 4);
    assert!(s4.runs <= s1.runs + 3, "four stores took {} runs, one store {}", s4.runs, s1.runs);
    let exact = exact_level(0.97, 3, 50.0, 8.0);
    for p in &s4.positions {
        assert!(p.met, "{} misses", p.location);
        assert!((p.level - exact).abs() <= 0.02 * exact, "{}: {} vs {exact}", p.location, p.level);
    }
    // Store "store" is the same position with the same demand stream in both: the same level.
    assert_eq!(s1.positions[0].level, s4.positions.iter().find(|p| p.location == "store").unwrap().level);
}

/// A sweep point is exactly the individual run with that value: for a continuous base-stock
/// level and for the whole-unit reorder point of an (s, S) policy, on one compiled model.
#[test]
fn sweep_reproduces_individual_runs_exactly() {
    let whole = BASE_STOCK
        .replace("type = \"normal\", mean = 50.0, sd = 8.0", "type = \"poisson\", mean = 20")
        .replace("{ type = \"base_stock\", level = 100 }", "{ type = \"s_S\", s = 50, S = 90 }");
    let cases = [
        (BASE_STOCK.to_string(), "locations.store.policy.level", "150,157.5,165"),
        (whole, "locations.store.policy.s", "45,52,58.5"),
    ];
    for (text, path, values) in cases {
        let text = text.replace("days = 2000", "days = 300").replace("replications = 40", "replications = 12");
        let axis = Axis::parse(&format!("{path}={values}")).unwrap();
        let load = |p: &[Patch]| {
            Scenario::parse_variant("s.toml", &text, &Variant { patches: p.to_vec(), ..Variant::default() })
        };
        let sw = sweep::sweep(load, std::slice::from_ref(&axis), &quiet()).unwrap();
        assert_eq!(sw.points.len(), 3);
        assert_eq!(sw.compiled, 1, "{path}: levels only, so one compiled model");
        for (point, value) in sw.points.iter().zip(&axis.values) {
            let patch = Patch::parse(&format!("{path}={value}"), "test").unwrap();
            let m = Model::compile(&load(&[patch]).unwrap());
            let r = run(&m, &RunOptions::from_model(&m), &echelon::runner::Progress::hidden());
            let net = r.scope_index(Scope::Network).unwrap();
            let want: Vec<Option<Summary>> = Kpi::ALL.iter().map(|&k| Summary::of(r.series(net, k))).collect();
            assert_eq!(point.network, want, "{path} = {value}: network KPIs differ from the individual run");
            let l = r.scope_index(Scope::Location(1)).unwrap();
            assert_eq!(point.locations[0].1, r.scope_summary(l), "{path} = {value}: store KPIs differ");
        }
        // A higher level gives a higher fill rate on common random numbers.
        let fill: Vec<f64> =
            sw.points.iter().map(|p| p.network[Kpi::FillRate as usize].as_ref().unwrap().mean).collect();
        assert!(fill[0] < fill[1] && fill[1] < fill[2], "{path}: {fill:?}");
    }
}

/// Changes beyond policy levels (here the lead time) compile the scenario anew.
#[test]
fn sweep_recompiles_when_more_than_levels_change() {
    let text = BASE_STOCK.replace("days = 2000", "days = 100").replace("replications = 40", "replications = 4");
    let load =
        |p: &[Patch]| Scenario::parse_variant("s.toml", &text, &Variant { patches: p.to_vec(), ..Variant::default() });
    let axes = [
        Axis::parse("locations.store.lead_time=1,3").unwrap(),
        Axis::parse("locations.store.policy.level=60,160").unwrap(),
    ];
    let sw = sweep::sweep(load, &axes, &quiet()).unwrap();
    assert_eq!(sw.points.len(), 4);
    assert_eq!(sw.compiled, 2);
    assert_eq!(sw.points[1].values, ["1", "160"]);
    let csv = sw.csv();
    assert_eq!(csv.lines().count(), 5);
    assert!(
        csv.starts_with(
            "point,locations.store.lead_time,locations.store.policy.level,replications,seed,fill_rate_mean"
        )
    );
    assert_eq!(sw.frontier_series().len(), 2, "one line per lead time");
}

#[test]
fn bad_experiment_input_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.toml");
    fs::write(&path, BASE_STOCK).unwrap();
    let err = compare::strategy_variants(&path, &[], &[], &[]).unwrap_err();
    assert!(err.is_bad_input() && err.to_string().contains("several files"), "{err}");
    let two = dir.path().join("two.toml");
    fs::write(&two, STRATEGIES).unwrap();
    let err = compare::strategy_variants(&two, &["lean".into(), "ricch".into()], &[], &[]).unwrap_err();
    assert!(matches!(err, ExperimentError::Scenario(_)) && err.to_string().contains("rich"), "{err}");
    let one: Vec<NamedScenario> = compare::strategy_variants(&two, &["lean".into(), "rich".into()], &[], &[]).unwrap();
    assert!(compare::compare(one[..1].to_vec(), 0, &quiet()).is_err());
    let load = |p: &[Patch]| {
        Scenario::parse_variant("s.toml", BASE_STOCK, &Variant { patches: p.to_vec(), ..Variant::default() })
    };
    let err = sweep::sweep(load, &[Axis::parse("locations.store.policy.level=50,-5").unwrap()], &quiet()).unwrap_err();
    assert!(err.is_bad_input() && err.to_string().contains("level=-5"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// The commands.

fn scenario(name: &str) -> String {
    format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Runs a command that must succeed; returns its stdout.
fn ok(dir: &Path, args: &[&str]) -> String {
    let out = echelon_in(dir).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "echelon {}:\n{stderr}", args.join(" "));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap()
}

fn assert_files(dir: &Path, names: &[&str]) {
    for n in names {
        let p = dir.join(n);
        assert!(fs::metadata(&p).is_ok_and(|m| m.len() > 0), "{} missing or empty", p.display());
    }
}

#[test]
fn compare_command_on_files_and_strategies() {
    let dir = tempfile::tempdir().unwrap();
    let (nv, bs) = (scenario("newsvendor.toml"), scenario("base-stock.toml"));
    let stdout = ok(dir.path(), &["compare", &nv, &bs, "--replications", "6", "--days", "200", "--out", "cmp"]);
    assert!(stdout.contains("baseline: newsvendor") && stdout.contains("fill rate"), "{stdout}");
    let out = dir.path().join("cmp");
    assert_files(&out, &["comparison.json", "comparison.csv", "box_fill_rate.png", "box_fill_rate.svg"]);
    assert_files(&out, &["box_total_cost.png", "box_total_cost.svg", "box_avg_on_hand.png", "box_avg_on_hand.svg"]);
    let v = json(&out.join("comparison.json"));
    assert_eq!(v["variants"], serde_json::json!(["newsvendor", "base-stock"]));
    assert_eq!((v["baseline"].as_str(), v["replications"].as_u64()), (Some("newsvendor"), Some(6)));
    assert_eq!(v["kpis"]["base-stock"]["fill_rate"]["n"], 6);
    let p = &v["paired"][0];
    for k in ["variant", "baseline", "kpi", "mean", "se", "ci95", "share_greater"] {
        assert!(!p[k].is_null(), "paired entry lacks {k}: {p}");
    }
    let csv = fs::read_to_string(out.join("comparison.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 2 * Kpi::COUNT);

    // One file with strategies and a stress test; default output folder under output/.
    fs::write(dir.path().join("two.toml"), STRATEGIES).unwrap();
    ok(dir.path(), &["compare", "two.toml", "--stress", "outage", "--baseline", "rich", "--replications", "4", "-q"]);
    let v = json(&dir.path().join("output/two-compare-outage/comparison.json"));
    assert_eq!(v["variants"], serde_json::json!(["lean", "lean+outage", "rich", "rich+outage"]));
    assert_eq!(v["baseline"], "rich");
}

#[test]
fn sweep_command_writes_points_and_frontier() {
    let dir = tempfile::tempdir().unwrap();
    let bs = scenario("base-stock.toml");
    let args = ["sweep", &bs, "--set", "locations.store.policy.level=150,160,170", "--replications", "4"];
    let stdout = ok(dir.path(), &[&args[..], &["--days", "200", "--out", "sw"]].concat());
    assert!(stdout.contains("lowest total cost"), "{stdout}");
    let out = dir.path().join("sw");
    assert_files(&out, &["sweep.json", "sweep.csv", "frontier.png", "frontier.svg"]);
    let v = json(&out.join("sweep.json"));
    assert_eq!(v["axes"][0]["values"], serde_json::json!([150, 160, 170]));
    let points = v["points"].as_array().unwrap();
    assert_eq!(points.len(), 3);
    assert_eq!(points[2]["set"]["locations.store.policy.level"], 170);
    assert_eq!(points[0]["network"]["fill_rate"]["n"], 4);
    assert!(points[0]["locations"]["store"]["total_cost"]["mean"].is_f64());
    assert_eq!(fs::read_to_string(out.join("sweep.csv")).unwrap().lines().count(), 4);
    // A grid on the multi-echelon scenario.
    ok(
        dir.path(),
        &[
            "sweep",
            &scenario("winter-jackets.toml"),
            "--set",
            "locations.dc-chicago.policy.level={ days = 28 },{ days = 42 }",
            "--set",
            "simulation.seed=1,2",
            "--replications",
            "4",
            "-q",
            "--out",
            "wj",
        ],
    );
    assert_eq!(json(&dir.path().join("wj/sweep.json"))["points"].as_array().unwrap().len(), 4);
}

#[test]
fn size_command_writes_levels_and_textbook() {
    let dir = tempfile::tempdir().unwrap();
    let bs = scenario("base-stock.toml");
    let stdout = ok(
        dir.path(),
        &["size", &bs, "--target", "fill_rate=0.97", "--replications", "8", "--days", "500", "--out", "sz"],
    );
    assert!(stdout.contains("inventory investment"), "{stdout}");
    let out = dir.path().join("sz");
    assert_files(&out, &["sizing.json", "sizing.csv", "frontier.png", "frontier.svg"]);
    let v = json(&out.join("sizing.json"));
    assert_eq!(v["target"]["kpi"], "fill_rate");
    assert_eq!(v["target"]["value"], 0.97);
    assert!(v["target"]["definition"].as_str().is_some_and(|d| !d.is_empty()));
    let p = &v["positions"][0];
    for k in ["location", "sku", "level", "safety_stock", "achieved", "textbook_level"] {
        assert!(!p[k].is_null(), "position lacks {k}: {p}");
    }
    assert!(p["achieved"]["mean"].as_f64().unwrap() >= 0.97);
    assert!(v["inventory_investment"]["sized_positions"].as_f64().unwrap() > 0.0);
    let csv = fs::read_to_string(out.join("sizing.csv")).unwrap();
    assert_eq!(csv.lines().count(), 2);
    // The CSV says what it was sized for, like the JSON.
    assert!(csv.lines().next().unwrap().ends_with(",target"), "{csv}");
    assert!(csv.lines().nth(1).unwrap().ends_with(",fill rate ≥ 97.00 % (mean over replications)"), "{csv}");

    // Other targets and scenarios: (s, S) stores behind warehouses, four pooled stores.
    ok(
        dir.path(),
        &[
            "size",
            &scenario("winter-jackets.toml"),
            "--target",
            "stockout_rate<=0.1",
            "--replications",
            "16",
            "-q",
            "--out",
            "wj",
        ],
    );
    let v = json(&dir.path().join("wj/sizing.json"));
    assert_eq!(v["positions"].as_array().unwrap().len(), 24);
    assert!(v["positions"].as_array().unwrap().iter().all(|p| p["policy"] == "s_S"));
    ok(
        dir.path(),
        &[
            "size",
            &scenario("risk-pooling-decentralised.toml"),
            "--target",
            "cycle_service=0.9",
            "--confidence",
            "0.8",
            "--replications",
            "10",
            "--days",
            "300",
            "-q",
            "--out",
            "rp",
        ],
    );
    let v = json(&dir.path().join("rp/sizing.json"));
    assert_eq!(v["target"]["statistic"], "p20");
    assert!(v["positions"].as_array().unwrap().iter().all(|p| p["met"] == true), "{}", v["positions"]);
}

/// Bad arguments exit 2 with a message, never a panic, and write nothing; an unwritable output
/// folder exits 1.
#[test]
fn experiment_commands_reject_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("two.toml"), STRATEGIES).unwrap();
    fs::write(dir.path().join("plain.toml"), BASE_STOCK).unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["compare", "plain.toml"], "several files"),
        (&["compare", "two.toml", "--strategies", "lean,ricch"], "did you mean 'rich'"),
        (&["compare", "two.toml", "--strategies", "lean"], "nothing to compare"),
        (&["compare", "two.toml", "--stress", "flood"], "flood"),
        (&["compare", "two.toml", "--baseline", "nope"], "lean, rich"),
        (&["compare", "two.toml", "plain.toml", "--strategies", "lean,rich"], "one file"),
        (&["compare", "missing.toml", "plain.toml"], "missing.toml"),
        (&["sweep", "plain.toml", "--set", "locations.store.policy.level"], "PATH=V1,V2"),
        (&["sweep", "plain.toml", "--set", "locations.store.policy.level=40,,60"], "empty"),
        (&["sweep", "plain.toml", "--set", "locations.store.policy.level={ days = 3 ,4"], "not closed"),
        (&["sweep", "plain.toml", "--set", "locations.nowhere.policy.level=1,2"], "nowhere"),
        (&["sweep", "plain.toml", "--set", "locations.store.policy.level=50"], "nothing to sweep"),
        (&["size", "plain.toml", "--target", "fill_rate=1.5"], "between 0 and 1"),
        (&["size", "plain.toml", "--target", "fill=0.9"], "fill_rate"),
        (&["size", "plain.toml", "--target", "fill_rate<=0.9"], "minimum"),
        (&["size", "plain.toml", "--target", "fill_rate=0.9", "--confidence", "2"], "--confidence"),
        (&["size", "plain.toml"], "--target"),
    ];
    for (args, expect) in cases {
        let out = echelon_in(dir.path()).args(*args).args(["--out", "out"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let ctx = format!("echelon {}:\n{stderr}", args.join(" "));
        assert_eq!(out.status.code(), Some(2), "exit code of {ctx}");
        assert!(!stderr.contains("panicked"), "panic in {ctx}");
        assert!(stderr.contains(expect), "stderr lacks {expect:?}: {ctx}");
        assert!(!dir.path().join("out").exists() && !dir.path().join("output").exists(), "output written by {ctx}");
    }
    // The output folder is a file: a failure (1), not bad input.
    fs::write(dir.path().join("taken"), "").unwrap();
    let out = echelon_in(dir.path())
        .args(["sweep", "plain.toml", "--set", "locations.store.policy.level=150,160", "--days", "50"])
        .args(["--replications", "2", "--out", "taken/sub", "-q"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("taken") && !stderr.contains("panicked"), "{stderr}");
}

/// Issue 12 item 5: (s, S) whose cycle stock already covers a 90 % fill rate sizes to a negative
/// safety stock; the report says why, with the numbers, and the frontier is labelled point by
/// point and joined in order of stock.
#[test]
fn negative_safety_stock_is_explained_and_the_frontier_reads_left_to_right() {
    let dir = tempfile::tempdir().unwrap();
    let ss = scenario("s-S-order-cost.toml");
    let args = ["size", &ss, "--target", "fill_rate=0.9", "--replications", "8", "--days", "2000", "--out", "sz"];
    let stdout = ok(dir.path(), &args);
    assert!(stdout.contains("note: store/item: safety stock -") && stdout.contains("cycle stock"), "{stdout}");
    assert!(stdout.contains("(negative: the cycle stock covers the target"), "{stdout}");
    let v = json(&dir.path().join("sz/sizing.json"));
    let p = &v["positions"][0];
    assert!(p["safety_stock"].as_f64().unwrap() < 0.0, "{p}");
    assert_eq!(p["cycle_stock"], 14.0);
    assert!(p["zero_safety_statistic"].as_f64().unwrap() > 0.9, "{p}");
    assert!(p["note"].as_str().is_some_and(|n| n.contains("S − s = 14 units")), "{p}");
    let html = fs::read_to_string(dir.path().join("sz/report.html")).unwrap();
    assert!(html.contains("Negative safety stock") && html.contains("textbook achieves"), "textbook columns kept");
    // The frontier's scaled points are labelled; × 2 (the most negative) has the least stock.
    let svg = fs::read_to_string(dir.path().join("sz/frontier.svg")).unwrap();
    for l in ["×0", "×0.5", "×1", "×1.5", "×2", "textbook"] {
        assert!(svg.contains(&format!(">\n{l}\n</text>")), "frontier lacks the label {l}");
    }
    let stock = |scale: f64| {
        v["frontier"].as_array().unwrap().iter().find(|f| f["scale"] == scale).unwrap()["avg_on_hand"]["mean"]
            .as_f64()
            .unwrap()
    };
    assert!(stock(2.0) < stock(1.0) && stock(1.0) < stock(0.0));
}

/// Issue 12 items 4, 7 and 8: compare warns when common random numbers cannot apply, shows a
/// location's and a tier's KPIs with --scope, and claims nothing from one replication.
#[test]
fn compare_scopes_warnings_and_one_replication() {
    let dir = tempfile::tempdir().unwrap();
    let (nv, wj) = (scenario("newsvendor.toml"), scenario("winter-jackets.toml"));
    let out = echelon_in(dir.path()).args(["compare", &nv, &wj, "--replications", "2", "--out", "a"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("shares no location and no SKU") && stderr.contains("different periods"), "{stderr}");
    let v = json(&dir.path().join("a/comparison.json"));
    assert_eq!(v["warnings"].as_array().unwrap().len(), 2);

    let args = ["compare", &wj, "--scope", "location:chicago-loop", "--scope", "tier:A", "--replications", "1"];
    let stdout = ok(dir.path(), &[&args[..], &["--days", "60", "--out", "b"]].concat());
    assert!(stdout.contains("[location:chicago-loop]") && stdout.contains("[tier:A]"), "{stdout}");
    assert!(stdout.contains("1 replication × 60 days") && stdout.contains("one replication"), "{stdout}");
    let v = json(&dir.path().join("b/comparison.json"));
    assert!(v["scopes"]["location:chicago-loop"]["kpis"]["push"]["fill_rate"]["mean"].is_f64());
    let all: Vec<&Value> =
        v["paired"].as_array().unwrap().iter().chain(v["scopes"]["tier:A"]["paired"].as_array().unwrap()).collect();
    assert!(all.iter().all(|p| p["significant"] == false), "one replication claims significance");
    let html = fs::read_to_string(dir.path().join("b/report.html")).unwrap();
    assert!(html.contains("location:chicago-loop: KPIs by variant") && !html.contains("sig\">"), "scoped report");
    let out = echelon_in(dir.path()).args(["compare", &wj, "--scope", "location:chicgo-loop", "--out", "c"]).output();
    let stderr = String::from_utf8_lossy(&out.as_ref().unwrap().stderr).into_owned();
    assert_eq!(out.unwrap().status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("did you mean 'location:chicago-loop'"), "{stderr}");
}

/// Issue 12 item 7: sweep headers keep the location, and a one-axis sweep draws the cost
/// against the parameter (the newsvendor's U curve) with its minimum marked.
#[test]
fn sweep_names_axes_fully_and_draws_the_cost_curve() {
    let dir = tempfile::tempdir().unwrap();
    let nv = scenario("newsvendor.toml");
    let args = ["sweep", &nv, "--set", "locations.store.policy.level=45,50,55,60,65,70", "--replications", "4"];
    let stdout = ok(dir.path(), &[&args[..], &["--days", "2000", "--out", "nv"]].concat());
    assert!(stdout.contains("store.policy.level ") && stdout.contains("lowest total cost: store.policy.level=55"));
    assert_files(&dir.path().join("nv"), &["cost_curve.png", "cost_curve.svg"]);
    let svg = fs::read_to_string(dir.path().join("nv/cost_curve.svg")).unwrap();
    assert!(svg.contains("lowest cost: ") && svg.contains(" at 55\n</text>"), "minimum not marked");
    let html = fs::read_to_string(dir.path().join("nv/report.html")).unwrap();
    assert!(html.contains("Cost against locations.store.policy.level"));
    // Two axes on two locations print apart.
    let two = [
        "sweep",
        &scenario("risk-pooling-decentralised.toml"),
        "--set",
        "locations.store-1.policy.level=20,30",
        "--set",
        "locations.store-2.policy.level=20,30",
    ];
    let stdout = ok(dir.path(), &[&two[..], &["--replications", "2", "--days", "50", "--out", "two"]].concat());
    assert!(stdout.contains("store-1.policy.level") && stdout.contains("store-2.policy.level"), "{stdout}");
    assert!(!dir.path().join("two/cost_curve.svg").exists(), "a grid has no single cost curve");
}

/// The experiments' results are data a program can serialise: a sweep with serde, its points by
/// their values and KPIs by name (issue 11, item 1).
#[test]
fn experiment_results_serialise_with_serde() {
    let text = BASE_STOCK.replace("days = 2000", "days = 100").replace("replications = 40", "replications = 4");
    let load =
        |p: &[Patch]| Scenario::parse_variant("s.toml", &text, &Variant { patches: p.to_vec(), ..Variant::default() });
    let axis = Axis::parse("locations.store.policy.level=150,160").unwrap();
    let sw = sweep::sweep(load, std::slice::from_ref(&axis), &quiet()).unwrap();
    let v: Value = serde_json::to_value(&sw).unwrap();
    assert_eq!(v["axes"][0]["path"], "locations.store.policy.level");
    assert_eq!(v["points"][1]["values"][0], "160");
    assert!(v["points"][0]["network"][Kpi::FillRate as usize]["mean"].as_f64().unwrap() > 0.0);
    assert_eq!(v["inventory"], "avg_on_hand");
}
