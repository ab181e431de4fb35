//! Determinism (DESIGN.md §5, STYLE.md habit 8): the same seed gives byte-identical output for
//! any number of threads and on every run; another seed gives other results.
//!
//! The scenario exercises every source of randomness — Poisson, normal and negative-binomial
//! demand, random lead times, a Markov outage — on two echelons and two SKUs, with more than 64
//! replications so that the runner hands results over in more than one block.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use echelon::report::trace::trace_csv;
use echelon::runner::{Progress, RunOptions, run};

use crate::common::*;

const RANDOM_NETWORK: &str = r#"
name = "Determinism check"

[simulation]
days = 120
warmup_days = 10
replications = 150
seed = 11

[[skus]]
id = "a"
unit_cost = 4.0
price = 7.0
holding_cost = 0.1
stockout_cost = 1.0
order_cost = 2.0

[[skus]]
id = "b"
holding_cost = 0.2
stockout_cost = 2.0

[[locations]]
id = "supplier"
type = "supplier"
disruption = { type = "markov", mean_days_up = 15, mean_days_down = 3 }

[[locations]]
id = "dc"
type = "warehouse"
source = "supplier"
lead_time = { type = "poisson", mean = 3 }
policy = { type = "s_S", s = 40, S = 90 }

[[locations]]
id = "north"
type = "store"
source = "dc"
lead_time = { type = "uniform", min = 1, max = 3 }
policy = { type = "base_stock", level = 25 }

[[locations]]
id = "south"
type = "store"
source = "dc"
lead_time = 2
policy = { type = "r_Q", r = 10, Q = 12 }

[[demand]]
location = "north"
sku = "a"
distribution = { type = "poisson", mean = 6 }

[[demand]]
location = "north"
sku = "b"
distribution = { type = "normal", mean = 4, sd = 2 }

[[demand]]
location = "south"
sku = "a"
distribution = { type = "negative_binomial", mean = 5, sd = 4 }
"#;

fn write_scenario(dir: &Path) -> PathBuf {
    let path = dir.join("random-network.toml");
    fs::write(&path, RANDOM_NETWORK).unwrap();
    path
}

/// Runs `echelon run` into `out` with extra arguments; returns (summary.json, replications.csv).
fn run_cli(dir: &Path, scenario: &Path, out: &str, extra: &[&str]) -> (Vec<u8>, Vec<u8>) {
    let out = dir.join(out);
    Command::cargo_bin("echelon")
        .unwrap()
        .current_dir(dir)
        .arg("run")
        .arg(scenario)
        .arg("--out")
        .arg(&out)
        .arg("--quiet")
        .args(extra)
        .assert()
        .success();
    (fs::read(out.join("summary.json")).unwrap(), fs::read(out.join("replications.csv")).unwrap())
}

#[test]
fn one_and_two_threads_give_identical_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let sc = write_scenario(dir.path());
    let one = run_cli(dir.path(), &sc, "t1", &["--threads", "1"]);
    let two = run_cli(dir.path(), &sc, "t2", &["--threads", "2"]);
    assert!(one.0 == two.0, "summary.json differs between --threads 1 and --threads 2");
    assert!(one.1 == two.1, "replications.csv differs between --threads 1 and --threads 2");
    // The files are not trivially empty: 150 replications of several scopes.
    assert!(one.1.iter().filter(|&&b| b == b'\n').count() > 150);
}

#[test]
fn running_twice_gives_identical_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let sc = write_scenario(dir.path());
    let a = run_cli(dir.path(), &sc, "first", &[]);
    let b = run_cli(dir.path(), &sc, "second", &[]);
    assert!(a.0 == b.0, "summary.json differs between two runs");
    assert!(a.1 == b.1, "replications.csv differs between two runs");
}

#[test]
fn another_seed_gives_other_results() {
    let dir = tempfile::tempdir().unwrap();
    let sc = write_scenario(dir.path());
    let a = run_cli(dir.path(), &sc, "s1", &["--seed", "1"]);
    let b = run_cli(dir.path(), &sc, "s2", &["--seed", "2"]);
    assert!(a.1 != b.1, "replications.csv is the same for seeds 1 and 2");
    let ja: serde_json::Value = serde_json::from_slice(&a.0).unwrap();
    let jb: serde_json::Value = serde_json::from_slice(&b.0).unwrap();
    assert_eq!(ja["seed"], 1);
    assert_eq!(jb["seed"], 2);
    // Not just the seed field: the KPI distributions differ.
    assert_ne!(ja["network"], jb["network"], "network KPIs are the same for seeds 1 and 2");
    assert_ne!(ja["network"]["fill_rate"]["mean"], jb["network"]["fill_rate"]["mean"]);
}

/// The library gives bit-identical per-replication values for 1 and 2 threads, and the same
/// values when run again.
#[test]
fn library_runs_are_bit_identical_across_threads() {
    let m = model(RANDOM_NETWORK);
    let go = |threads| {
        run(
            &m,
            &RunOptions { replications: 150, seed: 5, threads: Some(threads), keep: echelon::runner::Keep::All },
            &Progress::hidden(),
        )
    };
    let (a, b, c) = (go(1), go(2), go(2));
    let bits = |r: &echelon::runner::RunResult| r.values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(a.scopes, b.scopes);
    assert!(bits(&a) == bits(&b), "values differ between 1 and 2 threads");
    assert!(bits(&b) == bits(&c), "values differ between two runs");
    // Replications differ from each other (each has its own streams).
    let net = a.scope_index(echelon::runner::Scope::Network).unwrap();
    let fill = a.series(net, echelon::kpi::Kpi::FillRate);
    assert!(fill.windows(2).any(|w| w[0] != w[1]));
}

/// A trace is reproducible, depends on the seed and the replication, and replication r of a
/// trace is replication r of a run (same streams).
#[test]
fn traces_are_reproducible() {
    let m = model(RANDOM_NETWORK);
    assert_eq!(trace_csv(&m, 3, 7), trace_csv(&m, 3, 7));
    assert_ne!(trace_csv(&m, 3, 7), trace_csv(&m, 4, 7), "another seed, same trace");
    assert_ne!(trace_csv(&m, 3, 7), trace_csv(&m, 3, 8), "another replication, same trace");

    let rows = parse_trace(&trace_csv(&m, 3, 7));
    let r = run(
        &m,
        &RunOptions { replications: 8, seed: 3, threads: Some(2), keep: echelon::runner::Keep::All },
        &Progress::hidden(),
    );
    let net = r.scope_index(echelon::runner::Scope::Network).unwrap();
    let demanded = rows.iter().map(|x| x.demand).sum::<f64>() / m.days as f64;
    let got = r.series(net, echelon::kpi::Kpi::UnitsDemanded)[7];
    assert!(close(got, demanded, 1e-9), "replication 7: units_demanded {got} vs its trace {demanded}");
}

/// `echelon trace` writes the same file twice and follows --seed.
#[test]
fn trace_command_is_reproducible() {
    let dir = tempfile::tempdir().unwrap();
    let sc = write_scenario(dir.path());
    let trace = |file: &str, seed: &str| {
        let out = dir.path().join(file);
        Command::cargo_bin("echelon")
            .unwrap()
            .current_dir(dir.path())
            .args(["trace"])
            .arg(&sc)
            .args(["--replication", "2", "--seed", seed, "--out"])
            .arg(&out)
            .assert()
            .success();
        fs::read_to_string(out).unwrap()
    };
    let (a, b, c) = (trace("a.csv", "9"), trace("b.csv", "9"), trace("c.csv", "10"));
    assert_eq!(a, b);
    assert_ne!(a, c);
    // It is the library's trace of that replication.
    assert_eq!(a, trace_csv(&model(RANDOM_NETWORK), 9, 2));
}
