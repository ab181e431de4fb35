//! The library API without the CLI: the `Simulation` builder against `runner::run`, replication
//! ranges that concatenate into the full run bit for bit, and cancellation.

use std::sync::atomic::{AtomicU64, Ordering};

use echelon::Model;
use echelon::kpi::Kpi;
use echelon::runner::{RunOptions, RunResult};
use echelon::simulation::{CancelToken, Cancelled, Simulation};

use crate::common::{model, run_model};

/// Two echelons, random lead times, a Markov supplier and two SKUs: several scopes of every
/// kind, and replications that differ.
const NETWORK: &str = r#"
[simulation]
days = 150
warmup_days = 10
replications = 20
seed = 11
[[skus]]
id = "a"
holding_cost = 1
stockout_cost = 4
[[skus]]
id = "b"
holding_cost = 2
stockout_cost = 5
[[locations]]
id = "sup"
type = "supplier"
disruption = { type = "markov", mean_days_up = 15, mean_days_down = 3 }
[[locations]]
id = "dc"
type = "warehouse"
source = "sup"
lead_time = { type = "poisson", mean = 3 }
policy = { type = "base_stock", level = 60 }
[[locations]]
id = "s1"
type = "store"
source = "dc"
lead_time = 1
policy = { type = "s_S", s = 8, S = 20 }
[[locations]]
id = "s2"
type = "store"
source = "dc"
lead_time = 2
policy = { type = "r_Q", r = 9, Q = 7 }
[[demand]]
location = "s1"
sku = "a"
distribution = { type = "poisson", mean = 4 }
[[demand]]
location = "s2"
sku = "a"
distribution = { type = "normal", mean = 5, sd = 2 }
[[demand]]
location = "s1"
sku = "b"
distribution = { type = "poisson", mean = 2 }
[[demand]]
location = "s2"
sku = "b"
distribution = { type = "poisson", mean = 3 }
"#;

/// The values of replication `rep` (column of the result) of every scope and KPI, as bits.
fn row(r: &RunResult, rep: usize) -> Vec<u64> {
    (0..r.scopes.len()).flat_map(|s| Kpi::ALL.iter().map(move |&k| r.value(rep, s, k).to_bits())).collect()
}

fn network_model() -> Model {
    let mut m = model(NETWORK);
    // Day records too, so ranges are checked to keep the same replications' records.
    m.record_daily = true;
    m
}

/// The builder with its defaults runs what `runner::run` runs, KPI for KPI.
#[test]
fn builder_defaults_equal_runner_run() {
    let m = network_model();
    let opts = RunOptions::from_model(&m);
    let built = Simulation::new(&m).keep(echelon::runner::Keep::All).run().expect("not cancelled");
    let plain = run_model(&m);
    assert_eq!((built.replications, built.first_replication, built.seed), (opts.replications, 0, opts.seed));
    assert_eq!(built.scopes, plain.scopes);
    for rep in 0..plain.replications {
        assert_eq!(row(&built, rep), row(&plain, rep), "replication {rep}");
    }
}

/// Ranges 0..7 and 7..20 (the second starting mid-pair of the engine's lanes), run on different
/// thread counts, concatenate into the run of 0..20 bit for bit, day records included.
#[test]
fn ranges_concatenate_into_the_full_run() {
    let m = network_model();
    let full =
        Simulation::new(&m).seed(5).replications(0..20).threads(2).keep(echelon::runner::Keep::All).run().unwrap();
    let head =
        Simulation::new(&m).seed(5).replications(0..7).threads(1).keep(echelon::runner::Keep::All).run().unwrap();
    let tail =
        Simulation::new(&m).seed(5).replications(7..20).threads(2).keep(echelon::runner::Keep::All).run().unwrap();
    assert_eq!((head.replications, tail.replications, tail.first_replication), (7, 13, 7));
    for rep in 0..20 {
        let part = if rep < 7 { row(&head, rep) } else { row(&tail, rep - 7) };
        assert_eq!(part, row(&full, rep), "replication {rep}");
    }
    let days: Vec<_> = head.days.iter().chain(&tail.days).collect();
    assert_eq!((days.len(), full.days.len()), (20, 20));
    for (i, (a, b)) in days.iter().zip(&full.days).enumerate() {
        let bits = |d: &echelon::runner::DayRecord| d.network.iter().flatten().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(a), bits(b), "day record {i}");
    }
}

/// A token cancelled from the progress callback after the first block stops the run there.
#[test]
fn cancel_from_progress_stops_after_the_first_block() {
    let m = model(NETWORK);
    let token = CancelToken::new();
    let calls = AtomicU64::new(0);
    let done = AtomicU64::new(0);
    let result = Simulation::new(&m)
        .replications(0..100_000)
        .threads(2)
        .on_progress(|n| {
            calls.fetch_add(1, Ordering::Relaxed);
            done.store(n, Ordering::Relaxed);
            token.cancel();
        })
        .cancel(token.clone())
        .run();
    assert_eq!(result.err(), Some(Cancelled));
    assert_eq!(calls.load(Ordering::Relaxed), 1, "one block ran, then the token stopped the run");
    assert!(done.load(Ordering::Relaxed) < 1000);
}

/// A token cancelled before the run starts runs nothing.
#[test]
fn cancelled_before_start_runs_nothing() {
    let m = model(NETWORK);
    let token = CancelToken::new();
    token.cancel();
    let calls = AtomicU64::new(0);
    let result = Simulation::new(&m).on_progress(|_| _ = calls.fetch_add(1, Ordering::Relaxed)).cancel(token).run();
    assert_eq!(result.err(), Some(Cancelled));
    assert_eq!(calls.load(Ordering::Relaxed), 0);
}
