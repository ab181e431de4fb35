//! Engine throughput in location-SKU-days per second.
//!
//! `cargo bench --bench throughput` times the Monte Carlo runner on the benchmark scenario
//! (`scenarios/perf/dc-100-stores.toml`: 1 DC, 100 stores, 10 SKUs, Poisson demand, (s, S) at the
//! stores, lost sales, 365 days) and on the winter-jackets scenario (seasonal negative-binomial
//! demand, the general sampling path). Criterion reports elements/s = location-SKU-days per
//! second. For the whole-program figure quoted in the README, time the release binary instead:
//! `cargo build --release && time target/release/echelon run scenarios/perf/dc-100-stores.toml --quiet`.

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use echelon::runner::{Progress, RunOptions, run};
use echelon::{Model, Scenario};

fn bench_scenario(c: &mut Criterion, file: &str, replications: usize) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let scenario = Scenario::load(&path).expect("benchmark scenario is valid");
    let model = Model::compile(&scenario);
    let pos_days = (model.n_pos() * model.total_days * replications) as u64;
    let mut group = c.benchmark_group(file);
    group.throughput(Throughput::Elements(pos_days)).sample_size(10);
    for threads in [1, 2] {
        let opts = RunOptions { replications, seed: 42, threads: Some(threads), keep: echelon::runner::Keep::Network };
        group.bench_function(format!("{replications} replications, {threads} thread(s)"), |b| {
            b.iter(|| run(&model, &opts, &Progress::hidden()))
        });
    }
    group.finish();
}

fn throughput(c: &mut Criterion) {
    bench_scenario(c, "scenarios/perf/dc-100-stores.toml", 32);
    bench_scenario(c, "scenarios/winter-jackets.toml", 64);
}

criterion_group!(benches, throughput);
criterion_main!(benches);
