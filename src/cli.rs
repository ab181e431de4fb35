//! Command-line interface: argument parsing (clap) and one function per command.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use echelon::model::Model;
use echelon::report::summary::{RunMeta, replications_csv, summary_json};
use echelon::report::{Staged, check, table, trace, write_atomic};
use echelon::runner::{self, Progress, RunOptions};
use echelon::scenario::{Patch, Scenario, ScenarioError, Variant};

/// Exit code for bad input (scenario or arguments).
pub const EXIT_BAD_INPUT: u8 = 2;

#[derive(Parser)]
#[command(
    name = "echelon",
    version,
    about = "Monte Carlo simulator of inventory networks: suppliers, warehouses, stores, strategies, KPI distributions",
    long_about = None,
    after_help = "Examples:\n  echelon run scenarios/winter-jackets.toml\n  echelon check scenarios/base-stock.toml\n  echelon trace scenarios/newsvendor.toml --out output/trace.csv\n\nExit codes: 0 success, 1 failure (e.g. cannot write output), 2 bad input."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario's Monte Carlo replications and write KPI distributions.
    #[command(
        after_help = "Examples:\n  echelon run scenarios/winter-jackets.toml\n  echelon run scenarios/base-stock.toml --replications 1000 --seed 7 --out output/bs\n  echelon run scenarios/newsvendor.toml --set locations.store.policy.level=60 --quiet\n\nWrites into DIR (default output/<scenario stem>/):\n  summary.json      KPI distributions (mean, sd, se, ci95, p5, p50, p95, min, max) for the\n                    network, every location and every position\n  replications.csv  one row per replication and scope, every KPI"
    )]
    Run(RunArgs),
    /// Validate a scenario and print its network as a tree.
    #[command(
        after_help = "Examples:\n  echelon check scenarios/winter-jackets.toml\n\nExit code 2 and a message per problem (file:line:column, key, what to change) if the file is invalid."
    )]
    Check(CheckArgs),
    /// Write one replication day by day: one row per day × location × SKU.
    #[command(
        after_help = "Examples:\n  echelon trace scenarios/newsvendor.toml --out output/newsvendor-trace.csv\n  echelon trace scenarios/base-stock.toml --replication 3 --days 30 --out trace.csv\n\nColumns: day, location, sku, demand, sold, lost, backorders, on_hand, on_order, ordered,\nreceived, shipped, in_transit, holding_cost, stockout_cost, order_cost,\nin_transit_holding_cost, supplier_up."
    )]
    Trace(TraceArgs),
}

/// Options shared by commands that load a scenario.
#[derive(Args, Clone)]
struct ScenarioArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// Override a scenario value before validation, e.g. --set locations.store.policy.level=60
    /// (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// Measured days per replication (overrides simulation.days).
    #[arg(long)]
    days: Option<u64>,
    /// Run the strategy of this name ([strategies.NAME] in the file) instead of the default.
    #[arg(long, value_name = "NAME")]
    strategy: Option<String>,
    /// Apply the stress test of this name ([stress.NAME] in the file).
    #[arg(long, value_name = "NAME")]
    stress: Option<String>,
}

#[derive(Args)]
struct RunArgs {
    #[command(flatten)]
    input: ScenarioArgs,
    /// Output folder [default: output/<scenario stem>/].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Replications (overrides simulation.replications).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    replications: Option<u64>,
    /// Base seed (overrides simulation.seed).
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads [default: all cores]; results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    threads: Option<u64>,
    /// No progress bar and no table; only errors.
    #[arg(long, short)]
    quiet: bool,
    /// Include per-position rows in replications.csv [default: when there are at most 200
    /// positions].
    #[arg(long)]
    position_rows: bool,
}

#[derive(Args)]
struct CheckArgs {
    #[command(flatten)]
    input: ScenarioArgs,
}

#[derive(Args)]
struct TraceArgs {
    #[command(flatten)]
    input: ScenarioArgs,
    /// Which replication to trace (0-based).
    #[arg(long, default_value_t = 0)]
    replication: u64,
    /// Base seed (overrides simulation.seed).
    #[arg(long)]
    seed: Option<u64>,
    /// CSV file to write.
    #[arg(long, value_name = "FILE.csv")]
    out: PathBuf,
}

/// A failure with its exit code.
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure { code: 1, message: format!("error: {e:#}") }
    }
}

fn bad_input(message: String) -> Failure {
    Failure { code: EXIT_BAD_INPUT, message }
}

impl From<ScenarioError> for Failure {
    fn from(e: ScenarioError) -> Self {
        bad_input(e.to_string())
    }
}

/// Parses arguments and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(a) => cmd_run(a),
        Command::Check(a) => cmd_check(a),
        Command::Trace(a) => cmd_trace(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("{}", f.message);
            ExitCode::from(f.code)
        }
    }
}

/// The variant the arguments ask for: strategy, stress test, `--set` and `--days`.
fn variant(a: &ScenarioArgs) -> Result<Variant, Failure> {
    let mut patches = Vec::new();
    for s in &a.set {
        patches.push(Patch::parse(s, "--set").map_err(|e| bad_input(format!("error: --set {e}")))?);
    }
    if let Some(d) = a.days {
        patches.push(Patch {
            path: "simulation.days".into(),
            value: d.to_string(),
            origin: "--days".into(),
            ..Patch::default()
        });
    }
    Ok(Variant { strategy: a.strategy.clone(), stress: a.stress.clone(), patches })
}

/// Loads and validates the scenario variant the arguments ask for.
fn load(a: &ScenarioArgs) -> Result<Scenario, Failure> {
    Ok(Scenario::load_variant(&a.scenario, &variant(a)?)?)
}

fn stem(p: &Path) -> String {
    p.file_stem().map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned())
}

fn display_name(sc: &Scenario, path: &Path) -> String {
    if sc.name.is_empty() { stem(path) } else { sc.name.clone() }
}

fn cmd_check(a: CheckArgs) -> Result<(), Failure> {
    let sc = load(&a.input)?;
    print!("{}", check::check_text(&sc, &a.input.scenario.display().to_string()));
    Ok(())
}

fn cmd_run(a: RunArgs) -> Result<(), Failure> {
    let sc = load(&a.input)?;
    let name = display_name(&sc, &a.input.scenario);
    let model = Model::compile_arc(Arc::new(sc));
    let mut opts = RunOptions::from_model(&model);
    if let Some(r) = a.replications {
        opts.replications = r as usize;
    }
    if let Some(s) = a.seed {
        opts.seed = s;
    }
    opts.threads = a.threads.map(|t| t as usize);
    let out = a.out.clone().unwrap_or_else(|| Path::new("output").join(stem(&a.input.scenario)));

    let started = Instant::now();
    let progress = Progress::new(opts.replications as u64, &name, a.quiet);
    let result = runner::run(&model, &opts, &progress);
    progress.finish();
    let sim_secs = started.elapsed().as_secs_f64();
    let t0 = Instant::now();
    let sums = result.summaries();
    let t_sum = t0.elapsed().as_secs_f64();
    let meta = RunMeta {
        scenario: name.clone(),
        file: a.input.scenario.display().to_string(),
        strategy: model.scenario.strategy.clone(),
        stress: model.scenario.stress.clone(),
    };
    let json = summary_json(&model, &result, &sums, &meta);
    let position_rows = a.position_rows || model.n_pos() <= 200;
    let t_json = t0.elapsed().as_secs_f64();
    let csv = replications_csv(&model, &result, position_rows);
    let t_csv = t0.elapsed().as_secs_f64();

    let mut staged = Staged::new(&out).with_context(|| format!("cannot create output folder {}", out.display()))?;
    staged.add("summary.json", &json).context("writing summary.json")?;
    staged.add("replications.csv", csv.as_bytes()).context("writing replications.csv")?;
    let t_stage = t0.elapsed().as_secs_f64();
    if std::env::var_os("ECHELON_TIMING").is_some() {
        eprintln!("summaries {t_sum:.3} json {t_json:.3} csv {t_csv:.3} staged {t_stage:.3}");
    }
    let written = staged.commit().with_context(|| format!("writing into {}", out.display()))?;
    let total_secs = started.elapsed().as_secs_f64();

    if !a.quiet {
        let mut label = name.clone();
        if let Some(st) = &model.scenario.strategy {
            label.push_str(&format!(" · strategy {st}"));
        }
        if let Some(st) = &model.scenario.stress {
            label.push_str(&format!(" · stress {st}"));
        }
        let title = format!(
            "{label} — {} replications × {} days{}, seed {}",
            opts.replications,
            model.days,
            if model.warmup > 0 { format!(" (after {} warm-up days)", model.warmup) } else { String::new() },
            opts.seed
        );
        print!("{}", table::run_table(&model, &result, &sums, &title));
        let pos_days = model.n_pos() as f64 * model.total_days as f64 * opts.replications as f64;
        println!(
            "\n{:.1} M location-SKU-days simulated in {:.2} s ({:.0} M/s); {:.2} s with output",
            pos_days / 1e6,
            sim_secs,
            pos_days / 1e6 / sim_secs.max(1e-9),
            total_secs
        );
        let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
        println!("wrote {}", names.join(", "));
    }
    Ok(())
}

fn cmd_trace(a: TraceArgs) -> Result<(), Failure> {
    let sc = load(&a.input)?;
    let seed = a.seed.unwrap_or(sc.simulation.seed);
    let model = Model::compile(&sc);
    let csv = trace::trace_csv(&model, seed, a.replication);
    write_atomic(&a.out, csv.as_bytes()).with_context(|| format!("writing {}", a.out.display()))?;
    let rows = csv.lines().count().saturating_sub(1);
    println!("wrote {} ({rows} rows: {} days × {} positions)", a.out.display(), model.days, model.n_pos());
    Ok(())
}
