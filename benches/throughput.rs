//! Engine throughput in location-SKU-days per second.
//!
//! `cargo bench --bench throughput` times the Monte Carlo runner on the benchmark scenario
//! (`scenarios/perf/dc-100-stores.toml`: 1 DC, 100 stores, 10 SKUs, Poisson demand, (s, S) at the
//! stores, lost sales, 365 days) and on the winter-jackets scenario (seasonal negative-binomial
//! demand, the general sampling path), and on a generated chain of 1,000 stores × 100 SKUs drawn
//! from tables (104,000 positions whose tables outgrow the cache: the draws inside pass 1, 2 MB
//! pages). Criterion reports elements/s = location-SKU-days per second. For the whole-program
//! figures quoted in the README, time the release binary instead:
//! `cargo build --release && time target/release/echelon run scenarios/perf/dc-100-stores.toml --quiet`.

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use echelon::generate::{Spec, generate};
use echelon::runner::{Progress, RunOptions, run};
use echelon::{Model, Scenario};

fn bench_scenario(c: &mut Criterion, file: &str, replications: usize) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let scenario = Scenario::load(&path).expect("benchmark scenario is valid");
    bench_model(c, file, &Model::compile(&scenario), replications);
}

/// A generated chain (`echelon generate --stores 1000 --skus 100 --days 0`) with its demand's
/// weekly, monthly and trend cells emptied, so every position draws from a table of its own.
fn bench_generated_flat(c: &mut Criterion) {
    let spec = Spec { stores: 1000, skus: 100, days: 0, ..Spec::default() };
    let mut tables = generate(&spec).expect("a valid spec");
    tables.demand = tables
        .demand
        .lines()
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            let kept = if line.starts_with("location,") { cells.len() } else { 6 };
            let blank = cells.len() - kept;
            format!("{}{}\n", cells[..kept].join(","), ",".repeat(blank))
        })
        .collect();
    let dir = std::env::temp_dir().join(format!("echelon-bench-{}", std::process::id()));
    tables.write(&dir).expect("a writable temporary directory");
    let scenario = Scenario::load(&dir.join("scenario.toml")).expect("generated tables load");
    std::fs::remove_dir_all(&dir).ok();
    bench_model(c, "generated 1000 stores x 100 SKUs, table-drawn", &Model::compile(&scenario), 2);
}

fn bench_model(c: &mut Criterion, name: &str, model: &Model, replications: usize) {
    let pos_days = (model.n_pos() * model.total_days * replications) as u64;
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(pos_days)).sample_size(10);
    for threads in [1, 2] {
        let opts = RunOptions { replications, seed: 42, threads: Some(threads), keep: echelon::runner::Keep::Network };
        group.bench_function(format!("{replications} replications, {threads} thread(s)"), |b| {
            b.iter(|| run(model, &opts, &Progress::hidden()))
        });
    }
    group.finish();
}

fn throughput(c: &mut Criterion) {
    bench_scenario(c, "scenarios/perf/dc-100-stores.toml", 32);
    bench_scenario(c, "scenarios/winter-jackets.toml", 64);
    bench_generated_flat(c);
}

criterion_group!(benches, throughput);
criterion_main!(benches);
